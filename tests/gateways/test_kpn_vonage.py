"""Wire tests for the KPN Vonage client, against kpn-vonage-sms.txt and NOTES.md."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import (
    Credits,
    DeliveryReport,
    DeliveryStatus,
    Encoding,
    InboundSms,
    SendReceipt,
    SentMessage,
    WebhookContent,
    WebhookRequest,
)
from custom_components.benelux_sms.gateways.kpn_vonage import KpnVonageGateway, vonage_signature

from .conftest import KPN_CREDENTIALS as CREDENTIALS
from .conftest import KPN_TOKEN_REQUEST as TOKEN_REQUEST
from .conftest import calls, outbound, sent
from .webhook_garbage import garbage_requests, garbage_value, read_garbage

SEND_URL = "https://api-prd.kpn.com/communication/nexmo/sms/send"
NUMBER = "+31612345678"
SIGNATURE_SECRET = "vonage-signature-secret"


pytestmark = pytest.mark.usefixtures("kpn_token")


@pytest.fixture
def gateway(session: aiohttp.ClientSession) -> KpnVonageGateway:
    return KpnVonageGateway(session, CREDENTIALS)


_sms = partial(outbound, sender="Benelux")


def _part(message_id: str, balance: str = "15.53590000", to: str = "31612345678") -> dict[str, str]:
    """One part as the document's result example shows it."""
    return {
        "to": to,
        "message-id": message_id,
        "status": "0",
        "remaining-balance": balance,
        "message-price": "0.03330000",
        "network": "20408",
    }


def _reply(*parts: dict[str, str]) -> dict[str, Any]:
    return {"message-count": str(len(parts)), "messages": list(parts)}


def _failed(status: str, text: str = "refused") -> dict[str, str]:
    return {"status": status, "error-text": text}


def test_capabilities() -> None:
    capabilities = KpnVonageGateway.capabilities
    assert KpnVonageGateway.provider == "kpn_vonage"
    assert capabilities.credits is False
    assert capabilities.credits_in_receipt is True
    assert capabilities.credits_unit == "EUR"
    assert capabilities.recipient_country_codes is None
    # type=unicode makes every character UCS-2, so a user's choice of UCS-2 is honoured.
    assert capabilities.encoding_control is True
    assert capabilities.report_callback is True
    assert capabilities.report_callback_https_only is True
    assert capabilities.inbound is True
    assert capabilities.signed_webhooks is True
    assert capabilities.report_portal is False
    assert capabilities.report_polling is False
    KpnVonageGateway.sender_rule.check("A" * 11)
    KpnVonageGateway.sender_rule.check("3" * 15)
    for sender in ("A" * 12, "3" * 16):
        with pytest.raises(errors.InvalidSenderError):
            KpnVonageGateway.sender_rule.check(sender)


@pytest.mark.parametrize(
    ("encoding", "text", "message_type"),
    [
        pytest.param(Encoding.GSM7, "Alarm! €5", "text", id="gsm7"),
        pytest.param(Encoding.UCS2, "Alarm 😀 ç", "unicode", id="ucs2"),
    ],
)
async def test_send_form_as_the_document_shows(
    gateway: KpnVonageGateway,
    mock: aioresponses,
    encoding: Encoding,
    text: str,
    message_type: str,
) -> None:
    mock.post(SEND_URL, payload=_reply(_part("13000000AB")))

    receipt = await gateway.send(_sms(text=text, encoding=encoding))

    assert receipt == SendReceipt(
        messages=(
            SentMessage(NUMBER, "13000000AB", DeliveryStatus.ACCEPTED, part_ids=("13000000AB",)),
        ),
        credits=Credits(remaining=15.5359, unit="EUR"),
    )
    (call,) = calls(mock, "POST", SEND_URL)
    assert sent(call)["data"] == {
        "from": "Benelux",
        "to": "31612345678",
        "text": text,
        "type": message_type,
        "status-report-req": "false",
    }
    assert call.kwargs["json"] is None
    assert call.kwargs["headers"]["Authorization"] == "Bearer tok"
    assert call.kwargs["allow_redirects"] is False


async def test_multi_part_message_is_known_by_its_first_part(
    gateway: KpnVonageGateway, mock: aioresponses
) -> None:
    mock.post(
        SEND_URL,
        payload=_reply(
            _part("PART-1", "9.93000000"), _part("PART-2", "9.86000000"), _part("PART-3", "9.79")
        ),
    )

    receipt = await gateway.send(_sms(text="x" * 400, segments=3))

    assert receipt.messages == (
        SentMessage(
            NUMBER, "PART-1", DeliveryStatus.ACCEPTED, part_ids=("PART-1", "PART-2", "PART-3")
        ),
    )
    assert receipt.credits == Credits(remaining=9.79, unit="EUR")


async def test_one_request_per_recipient_in_order(
    gateway: KpnVonageGateway, mock: aioresponses
) -> None:
    mock.post(SEND_URL, payload=_reply(_part("ID-1", "9.93")))
    mock.post(SEND_URL, payload=_reply(_part("ID-2", "9.86", to="32470123456")))

    receipt = await gateway.send(_sms(NUMBER, "+32470123456"))

    sends = calls(mock, "POST", SEND_URL)
    assert [sent(call)["data"]["to"] for call in sends] == ["31612345678", "32470123456"]
    assert receipt == SendReceipt(
        messages=(
            SentMessage(NUMBER, "ID-1", DeliveryStatus.ACCEPTED, part_ids=("ID-1",)),
            SentMessage("+32470123456", "ID-2", DeliveryStatus.ACCEPTED, part_ids=("ID-2",)),
        ),
        credits=Credits(remaining=9.86, unit="EUR"),
    )


@pytest.mark.parametrize(
    ("report_url", "report_params"),
    [
        pytest.param(None, {"status-report-req": "false"}, id="no-url"),
        pytest.param(
            "https://example.duckdns.org/api/webhook/abc",
            {
                "status-report-req": "true",
                "callback": "https://example.duckdns.org/api/webhook/abc",
            },
            id="https",
        ),
        pytest.param(
            "HTTPS://Example.org:8443/api/webhook/abc",
            {"status-report-req": "true", "callback": "HTTPS://Example.org:8443/api/webhook/abc"},
            id="https-upper-case",
        ),
        # Vonage refuses any other callback (status 23): no report is better than no SMS.
        pytest.param(
            "http://203.0.113.5:8123/api/webhook/abc", {"status-report-req": "false"}, id="http"
        ),
        pytest.param("ftp://example.org/x", {"status-report-req": "false"}, id="ftp"),
    ],
)
async def test_reports_asked_for_only_with_an_https_url(
    gateway: KpnVonageGateway,
    mock: aioresponses,
    report_url: str | None,
    report_params: dict[str, str],
) -> None:
    mock.post(SEND_URL, payload=_reply(_part("ID-1")), repeat=True)

    await gateway.send(_sms(NUMBER, "+31687654321", report_url=report_url))

    for call in calls(mock, "POST", SEND_URL):
        form = sent(call)["data"]
        assert {key: form[key] for key in form if key not in {"from", "to", "text", "type"}} == (
            report_params
        )


@pytest.mark.parametrize(
    ("balance", "credits"),
    [
        pytest.param(None, None, id="absent"),
        pytest.param("lots", None, id="not-a-number"),
        pytest.param("0", Credits(0.0, "EUR"), id="zero"),
    ],
)
async def test_balance_only_when_the_reply_tells_it(
    gateway: KpnVonageGateway, mock: aioresponses, balance: str | None, credits: Credits | None
) -> None:
    part = _part("ID-1")
    if balance is None:
        del part["remaining-balance"]
    else:
        part["remaining-balance"] = balance
    mock.post(SEND_URL, payload=_reply(part))

    assert (await gateway.send(_sms())).credits == credits


STATUS_ERRORS = [
    ("1", errors.RateLimitedError),
    ("2", errors.GatewayUnavailableError),
    ("3", errors.GatewayUnavailableError),
    ("4", errors.AuthenticationError),
    ("5", errors.GatewayUnavailableError),
    ("6", errors.InvalidRecipientError),
    ("7", errors.InvalidRecipientError),
    ("8", errors.AuthenticationError),
    ("9", errors.InsufficientCreditsError),
    ("10", errors.RateLimitedError),
    ("11", errors.AuthenticationError),
    ("12", errors.MessageTooLongError),
    ("14", errors.AuthenticationError),
    ("15", errors.InvalidSenderError),
    ("22", errors.GatewayUnavailableError),
    ("23", errors.GatewayUnavailableError),
    ("29", errors.InvalidRecipientError),
    ("33", errors.InvalidRecipientError),
    ("99", errors.GatewayUnavailableError),
]


@pytest.mark.parametrize(("status", "error"), STATUS_ERRORS)
async def test_status_codes(
    gateway: KpnVonageGateway, mock: aioresponses, status: str, error: type[errors.GatewayError]
) -> None:
    mock.post(SEND_URL, payload=_reply(_failed(status)))

    with pytest.raises(errors.GatewayError) as raised:
        await gateway.send(_sms())

    assert type(raised.value) is error
    assert raised.value.code == status
    assert len(calls(mock, "POST", SEND_URL)) == 1


async def test_numeric_status_is_read_too(gateway: KpnVonageGateway, mock: aioresponses) -> None:
    mock.post(SEND_URL, payload={"message-count": 1, "messages": [{"status": 9}]})

    with pytest.raises(errors.InsufficientCreditsError, match=r"^9$"):
        await gateway.send(_sms())


async def test_some_parts_sent_is_a_failure(gateway: KpnVonageGateway, mock: aioresponses) -> None:
    mock.post(SEND_URL, payload=_reply(_part("PART-1"), _failed("9", "Quota Exceeded")))

    with pytest.raises(errors.PartialSendError, match=r"^9$") as raised:
        await gateway.send(_sms(text="x" * 200, segments=2))

    # Part 1 went out (and was charged): its fate is unknown, its id kept for its report.
    assert type(raised.value.cause) is errors.InsufficientCreditsError
    assert raised.value.unknown == (NUMBER,)
    assert raised.value.not_sent == ()
    assert [m.part_ids for m in raised.value.receipt.messages] == [("PART-1",)]


async def test_second_recipient_failing_is_raised(
    gateway: KpnVonageGateway, mock: aioresponses
) -> None:
    mock.post(SEND_URL, payload=_reply(_part("ID-1")))
    mock.post(SEND_URL, payload=_reply(_failed("29", "Non-Whitelisted Destination")))
    mock.post(SEND_URL, payload=_reply(_part("ID-3")))

    with pytest.raises(errors.PartialSendError, match=r"^29$") as raised:
        await gateway.send(_sms(NUMBER, "+31687654321", "+31611111111"))

    # A refused number stops no other recipient (up to five go at once).
    assert type(raised.value.cause) is errors.InvalidRecipientError
    assert raised.value.not_sent == ("+31687654321",)
    assert [m.message_id for m in raised.value.receipt.messages] == ["ID-1", "ID-3"]
    assert len(calls(mock, "POST", SEND_URL)) == 3


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param({"message-count": "0", "messages": []}, id="no-parts"),
        pytest.param({"message-count": "1"}, id="no-messages"),
        pytest.param({"messages": ["0"]}, id="part-not-object"),
        pytest.param({"messages": [{"message-id": "X"}]}, id="no-status"),
        pytest.param({"messages": [{"status": "0"}]}, id="no-id"),
        pytest.param({"messages": [{"status": "0", "message-id": 5}]}, id="numeric-id"),
    ],
)
async def test_garbage_replies(
    gateway: KpnVonageGateway, mock: aioresponses, reply: dict[str, Any]
) -> None:
    mock.post(SEND_URL, payload=reply)

    with pytest.raises(errors.GatewayUnavailableError, match=r"^unexpected_reply$"):
        await gateway.send(_sms())


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            {"status": 400, "payload": {"errorResponse": {"code": "400", "message": "to"}}},
            errors.GatewayUnavailableError("400"),
            id="kpn-400",
        ),
        pytest.param(
            {"status": 400, "body": "<html>Bad request</html>"},
            errors.GatewayUnavailableError("400"),
            id="html-400",
        ),
    ],
)
async def test_http_errors(
    gateway: KpnVonageGateway,
    mock: aioresponses,
    reply: dict[str, Any],
    expected: errors.GatewayError,
) -> None:
    mock.post(SEND_URL, **reply)

    with pytest.raises(errors.GatewayError) as raised:
        await gateway.send(_sms())

    assert type(raised.value) is type(expected)
    assert raised.value.code == expected.code


async def test_401_refreshes_the_token_once(gateway: KpnVonageGateway, mock: aioresponses) -> None:
    mock.post(SEND_URL, status=401)
    mock.post(SEND_URL, payload=_reply(_part("ID-1")))

    receipt = await gateway.send(_sms())

    assert receipt.messages[0].message_id == "ID-1"
    assert len(mock.requests[("POST", URL(TOKEN_REQUEST))]) == 2
    first, second = calls(mock, "POST", SEND_URL)
    assert sent(first)["data"] == sent(second)["data"]


# --- webhooks: delivery receipts and inbound SMS ----------------------------------------------


def _signed(params: Mapping[str, str], secret: str = SIGNATURE_SECRET) -> dict[str, str]:
    """Sign as Vonage's signing guide says, written out here apart from the module's code."""
    text = "".join(
        "&" + key + "=" + value.replace("&", "_").replace("=", "_")
        for key, value in sorted(params.items())
    )
    return {**params, "sig": hashlib.md5((text + secret).encode()).hexdigest()}  # noqa: S324


def _get(params: Mapping[str, str]) -> WebhookRequest:
    return WebhookRequest("GET", dict(params), {}, b"", {})


def _post(params: Mapping[str, str]) -> WebhookRequest:
    """A POST: the integration gives form fields and JSON members alike as ``form``."""
    return WebhookRequest("POST", {}, dict(params), b"", {"Content-Type": "application/json"})


def _receipt(**overrides: str) -> dict[str, str]:
    """A delivery receipt with every field NOTES.md names."""
    return {
        "msisdn": "31612345678",
        "to": "Benelux",
        "network-code": "20408",
        "messageId": "0A0000001234567B",
        "price": "0.07000000",
        "status": "delivered",
        "scts": "2001011400",
        "err-code": "0",
        "message-timestamp": "2020-01-01 14:00:00",
        "client-ref": "",
    } | overrides


def _inbound(**overrides: str) -> dict[str, str]:
    return {
        "msisdn": "31687654321",
        "to": "3197010000001",
        "messageId": "0A0000000123ABCD1",
        "text": "Stop alarm",
        "type": "text",
        "keyword": "STOP",
        "message-timestamp": "2020-01-01 12:00:00",
    } | overrides


@pytest.fixture
def signed_gateway(session: aiohttp.ClientSession) -> KpnVonageGateway:
    return KpnVonageGateway(session, CREDENTIALS, webhook_secret=SIGNATURE_SECRET)


@pytest.mark.parametrize("request_of", [_get, _post], ids=["get", "post"])
def test_receipt(gateway: KpnVonageGateway, request_of: Any) -> None:
    content = gateway.parse_webhook(request_of(_receipt()))

    assert content == WebhookContent(
        reports=(
            DeliveryReport(
                message_id="0A0000001234567B",
                status=DeliveryStatus.DELIVERED,
                recipient="+31612345678",
                gateway_code="0",
                timestamp=datetime(2020, 1, 1, 14, 0, tzinfo=UTC),
            ),
        )
    )


@pytest.mark.parametrize(
    ("status", "err_code", "expected", "code"),
    [
        ("accepted", "0", DeliveryStatus.ACCEPTED, "0"),
        ("delivered", "0", DeliveryStatus.DELIVERED, "0"),
        ("buffered", "0", DeliveryStatus.BUFFERED, "0"),
        ("expired", "5", DeliveryStatus.EXPIRED, "5"),
        ("failed", "1", DeliveryStatus.FAILED, "1"),
        ("rejected", "6", DeliveryStatus.REJECTED, "6"),
        ("unknown", "99", DeliveryStatus.UNKNOWN, "99"),
        ("Delivered", "0", DeliveryStatus.DELIVERED, "0"),
        ("teleported", "0", DeliveryStatus.UNKNOWN, "0"),
        ("teleported", "", DeliveryStatus.UNKNOWN, "teleported"),
        ("delivered", "", DeliveryStatus.DELIVERED, None),
    ],
)
def test_receipt_statuses(
    gateway: KpnVonageGateway,
    status: str,
    err_code: str,
    expected: DeliveryStatus,
    code: str | None,
) -> None:
    params = _receipt(status=status, **{"err-code": err_code})

    (report,) = gateway.parse_webhook(_get(params)).reports

    assert (report.status, report.gateway_code) == (expected, code)


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        pytest.param(
            {"message-timestamp": "2024-07-01 21:59:58", "scts": "2407012200"},
            datetime(2024, 7, 1, 21, 59, 58, tzinfo=UTC),
            id="message-timestamp-first",
        ),
        pytest.param(
            {"message-timestamp": "", "scts": "2407012200"},
            datetime(2024, 7, 1, 22, 0, tzinfo=UTC),
            id="scts",
        ),
        pytest.param(
            {"message-timestamp": "yesterday", "scts": "2413012200"}, None, id="unreadable"
        ),
        pytest.param({}, None, id="none"),
    ],
)
def test_receipt_timestamps(
    gateway: KpnVonageGateway, times: dict[str, str], expected: datetime | None
) -> None:
    params = {
        key: value for key, value in _receipt().items() if key not in ("message-timestamp", "scts")
    }
    (report,) = gateway.parse_webhook(_get(params | times)).reports

    assert report.timestamp == expected


def test_receipt_without_recipient(gateway: KpnVonageGateway) -> None:
    params = {key: value for key, value in _receipt().items() if key != "msisdn"}

    (report,) = gateway.parse_webhook(_get(params)).reports

    assert report.recipient is None


@pytest.mark.parametrize("request_of", [_get, _post], ids=["get", "post"])
def test_inbound_single(gateway: KpnVonageGateway, request_of: Any) -> None:
    content = gateway.parse_webhook(request_of(_inbound()))

    assert content == WebhookContent(
        inbound=(
            InboundSms(
                sender="+31687654321",
                recipient="+3197010000001",
                text="Stop alarm",
                message_id="0A0000000123ABCD1",
                timestamp=datetime(2020, 1, 1, 12, 0, tzinfo=UTC),
            ),
        )
    )


@pytest.mark.parametrize("concat", ["true", "True"])
def test_inbound_concat_part(gateway: KpnVonageGateway, concat: str) -> None:
    params = _inbound(
        text="tweede deel",
        concat=concat,
        **{"concat-ref": "108", "concat-total": "3", "concat-part": "2"},
    )

    (sms,) = gateway.parse_webhook(_post(params)).inbound

    assert (sms.text, sms.concat_ref, sms.concat_total, sms.concat_part) == (
        "tweede deel",
        "108",
        3,
        2,
    )


def test_inbound_concat_fields_without_concat_are_one_part(gateway: KpnVonageGateway) -> None:
    params = _inbound(**{"concat-ref": "108", "concat-total": "3", "concat-part": "2"})

    (sms,) = gateway.parse_webhook(_post(params)).inbound

    assert (sms.concat_ref, sms.concat_total, sms.concat_part) == (None, 1, 1)


def test_inbound_empty_text_is_a_message(gateway: KpnVonageGateway) -> None:
    (sms,) = gateway.parse_webhook(_get(_inbound(text=""))).inbound

    assert sms.text == ""


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(_get({}), id="empty"),
        pytest.param(_get({"messageId": "X", "msisdn": "316"}), id="neither"),
        pytest.param(_get(_receipt(messageId="")), id="no-id"),
        pytest.param(_get(_receipt(messageId="  ")), id="blank-id"),
        pytest.param(_get(_inbound(messageId="")), id="inbound-no-id"),
        pytest.param(_get(_inbound(msisdn="")), id="inbound-no-sender"),
        pytest.param(_get(_inbound(to="")), id="inbound-no-recipient"),
        pytest.param(WebhookRequest("PUT", {}, _receipt(), b"", {}), id="put"),
        pytest.param(WebhookRequest("DELETE", _receipt(), {}, b"", {}), id="delete"),
        pytest.param(WebhookRequest("POST", _receipt(), {}, b"", {}), id="post-with-query"),
        pytest.param(WebhookRequest("GET", {}, _receipt(), b"", {}), id="get-with-form"),
    ]
    + [
        pytest.param(
            _post(_inbound(concat="true", **concat)),
            id="concat-" + "-".join(f"{k}={v}" for k, v in concat.items()),
        )
        for concat in (
            {"concat-total": "3", "concat-part": "1"},
            {"concat-ref": "1", "concat-part": "1"},
            {"concat-ref": "1", "concat-total": "3"},
            {"concat-ref": "1", "concat-total": "3", "concat-part": "0"},
            {"concat-ref": "1", "concat-total": "3", "concat-part": "4"},
            {"concat-ref": "1", "concat-total": "0", "concat-part": "0"},
            {"concat-ref": "1", "concat-total": "256", "concat-part": "1"},
            {"concat-ref": "1", "concat-total": "\uff13", "concat-part": "1"},
            {"concat-ref": "1", "concat-total": "-3", "concat-part": "1"},
            {"concat-ref": "1", "concat-total": "9" * 5000, "concat-part": "1"},
        )
    ],
)
def test_not_a_receipt_or_reply(gateway: KpnVonageGateway, request_: WebhookRequest) -> None:
    with pytest.raises(errors.InvalidWebhookError):
        gateway.parse_webhook(request_)


def test_signature_as_vonage_documents_it() -> None:
    # The example of Vonage's own SDK tests: a=1, b=2, timestamp, secret "secret".
    params = {"a": "1", "b": "2", "timestamp": "1461605396", "sig": "ignored"}
    assert vonage_signature(params, "secret") == "6af838ef94998832dbfc29020b564830"
    # '&' and '=' in values are signed as '_'.
    assert vonage_signature({"text": "a&b=c"}, "s") == vonage_signature({"text": "a_b_c"}, "s")
    assert vonage_signature({"text": "a&b=c"}, "s") != vonage_signature({"text": "abc"}, "s")


@pytest.mark.parametrize("request_of", [_get, _post], ids=["get", "post"])
@pytest.mark.parametrize(
    "params", [_receipt(), _inbound(text="a&b=c €")], ids=["receipt", "inbound"]
)
def test_signed_calls_are_read(
    signed_gateway: KpnVonageGateway, request_of: Any, params: dict[str, str]
) -> None:
    signed = _signed(params | {"timestamp": "1719870000", "nonce": "4c4a"})

    content = signed_gateway.parse_webhook(request_of(signed))

    assert len(content.reports) + len(content.inbound) == 1


def test_signature_in_upper_case_is_read(signed_gateway: KpnVonageGateway) -> None:
    signed = _signed(_receipt())
    signed["sig"] = signed["sig"].upper()

    assert signed_gateway.parse_webhook(_get(signed)).reports


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: p | {"status": "failed"}, id="changed-value"),
        pytest.param(lambda p: p | {"extra": "1"}, id="added-param"),
        pytest.param(lambda p: {k: v for k, v in p.items() if k != "sig"}, id="missing"),
        pytest.param(lambda p: p | {"sig": ""}, id="empty"),
        pytest.param(lambda p: p | {"sig": "é" * 32}, id="not-ascii"),
        pytest.param(lambda p: p | {"sig": "\ud800"}, id="surrogate"),
        pytest.param(lambda p: _signed(_receipt(), "another-secret"), id="other-secret"),
    ],
)
def test_bad_signatures_are_refused(signed_gateway: KpnVonageGateway, tamper: Any) -> None:
    with pytest.raises(errors.InvalidWebhookError):
        signed_gateway.parse_webhook(_get(tamper(_signed(_receipt()))))


def test_without_a_secret_unsigned_and_signed_calls_are_read(gateway: KpnVonageGateway) -> None:
    assert gateway.parse_webhook(_get(_receipt())).reports
    assert gateway.parse_webhook(_get(_signed(_receipt(), "whatever"))).reports


def test_refusal_never_tells_the_secret(signed_gateway: KpnVonageGateway) -> None:
    with pytest.raises(errors.InvalidWebhookError) as raised:
        signed_gateway.parse_webhook(_get(_receipt(sig="0" * 32)))

    assert SIGNATURE_SECRET not in str(raised.value)


VONAGE_FIELDS = (
    "msisdn",
    "to",
    "messageId",
    "status",
    "err-code",
    "message-timestamp",
    "scts",
    "text",
    "concat",
    "concat-ref",
    "concat-total",
    "concat-part",
    "sig",
)


def _vonage_garbage(seed: int, count: int = 300) -> Iterator[WebhookRequest]:
    """Calls with Vonage's own field names, half of them well-formed, the rest garbage."""
    rng = random.Random(seed)  # noqa: S311 - repeatable garbage, no secret
    for _ in range(count):
        fields = _receipt() if rng.random() < 0.5 else _inbound(concat="true")
        for name in rng.sample(VONAGE_FIELDS, rng.randrange(1, 5)):
            fields[name] = garbage_value(rng)
        method = rng.choice(("GET", "POST", "PUT", "get", ""))
        yield WebhookRequest(method, fields, fields, rng.randbytes(20), {})


@pytest.mark.parametrize("secret", [None, SIGNATURE_SECRET])
@pytest.mark.parametrize("seed", range(4))
def test_garbage_raises_only_invalid_webhook(
    session: aiohttp.ClientSession, secret: str | None, seed: int
) -> None:
    gateway = KpnVonageGateway(session, CREDENTIALS, webhook_secret=secret)
    for content in read_garbage(gateway, [*garbage_requests(seed), *_vonage_garbage(seed)]):
        assert secret is None
        assert isinstance(content, WebhookContent)
        assert len(content.reports) + len(content.inbound) == 1
