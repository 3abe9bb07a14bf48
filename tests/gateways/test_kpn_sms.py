"""Wire tests for the KPN SMS client, against kpn-sms.txt and NOTES.md."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import (
    DeliveryReport,
    DeliveryStatus,
    OutboundSms,
    SendReceipt,
    SentMessage,
    WebhookContent,
    WebhookRequest,
)
from custom_components.benelux_sms.gateways.kpn_sms import KpnSmsGateway

from .conftest import KPN_CREDENTIALS as CREDENTIALS
from .conftest import KPN_TOKEN_REQUEST as TOKEN_REQUEST
from .conftest import calls, mobile_numbers, outbound, sent
from .webhook_garbage import garbage_requests, garbage_value, read_garbage

SEND_URL = "https://api-prd.kpn.com/communication/kpn/sms/send"
DOCUMENT_ID = "b4e905d4-774c-4c83-8360-01427e17a33a"
NUMBER = "+31612345678"
SIGNATURE_SECRET = "kpn-signature-secret"
REPORT_URL = "https://example.duckdns.org/api/webhook/abc"


pytestmark = pytest.mark.usefixtures("kpn_token")


@pytest.fixture
def gateway(session: aiohttp.ClientSession) -> KpnSmsGateway:
    return KpnSmsGateway(session, CREDENTIALS)


_sms = partial(outbound, text="Greetings from KPN!", sender="Demo")


def _sent(document_id: str = DOCUMENT_ID) -> dict[str, str]:
    """The document's result example."""
    return {"document_id": document_id, "status": "OK"}


def test_capabilities() -> None:
    capabilities = KpnSmsGateway.capabilities
    assert KpnSmsGateway.provider == "kpn_sms"
    assert capabilities.credits is False
    assert capabilities.credits_in_receipt is False
    assert capabilities.max_recipients_per_request == 200
    assert capabilities.max_text_length == 1000
    assert capabilities.recipient_country_codes == frozenset({"31"})
    # The payload has no field for the alphabet: KPN picks it.
    assert capabilities.encoding_control is False
    assert capabilities.report_callback is True
    assert capabilities.report_callback_https_only is False
    assert capabilities.signed_webhooks is True
    assert capabilities.inbound is False
    assert capabilities.report_polling is False


@pytest.mark.parametrize("status", [200, 201, 202])
async def test_send_as_the_document_shows(
    gateway: KpnSmsGateway, mock: aioresponses, status: int
) -> None:
    mock.post(SEND_URL, status=status, payload=_sent())

    receipt = await gateway.send(_sms(NUMBER, "+3197012345678"))

    assert receipt == SendReceipt(
        messages=(
            SentMessage(NUMBER, DOCUMENT_ID, DeliveryStatus.ACCEPTED),
            SentMessage("+3197012345678", DOCUMENT_ID, DeliveryStatus.ACCEPTED),
        ),
        credits=None,
    )
    (call,) = calls(mock, "POST", SEND_URL)
    assert call.kwargs["json"] == {
        "sender": "Demo",
        "messages": [
            {"content": "Greetings from KPN!", "mobile_number": NUMBER},
            {"content": "Greetings from KPN!", "mobile_number": "+3197012345678"},
        ],
    }
    assert sent(call)["data"] is None
    assert call.kwargs["headers"]["Authorization"] == "Bearer tok"
    assert call.kwargs["headers"]["Accept"] == "application/json"
    assert call.kwargs["allow_redirects"] is False


async def test_text_goes_verbatim(gateway: KpnSmsGateway, mock: aioresponses) -> None:
    text = 'Regel 1\nRegel 2 — €5 & "quotes" 😀' + "x" * 960
    mock.post(SEND_URL, payload=_sent())

    await gateway.send(_sms(text=text[:1000]))

    assert calls(mock, "POST", SEND_URL)[0].kwargs["json"]["messages"][0]["content"] == text[:1000]


@pytest.mark.parametrize(
    ("count", "batches"),
    [(1, [1]), (200, [200]), (201, [200, 1]), (400, [200, 200]), (401, [200, 200, 1])],
)
async def test_batches_of_200(
    gateway: KpnSmsGateway, mock: aioresponses, count: int, batches: list[int]
) -> None:
    numbers = mobile_numbers(count, "+3161")
    for index in range(len(batches)):
        mock.post(SEND_URL, payload=_sent(f"doc-{index}"))

    receipt = await gateway.send(_sms(*numbers))

    sends = calls(mock, "POST", SEND_URL)
    assert [len(call.kwargs["json"]["messages"]) for call in sends] == batches
    sent = [m["mobile_number"] for call in sends for m in call.kwargs["json"]["messages"]]
    assert sent == list(numbers)
    expected_ids = [f"doc-{index}" for index, size in enumerate(batches) for _ in range(size)]
    assert [message.message_id for message in receipt.messages] == expected_ids
    assert len(mock.requests[("POST", URL(TOKEN_REQUEST))]) == 1


async def test_failing_batch_stops_the_rest(gateway: KpnSmsGateway, mock: aioresponses) -> None:
    mock.post(SEND_URL, payload=_sent("doc-0"))
    mock.post(SEND_URL, status=500, body="<html>oops</html>")
    mock.post(SEND_URL, payload=_sent("doc-2"))

    with pytest.raises(errors.PartialSendError, match=r"^500$") as raised:
        await gateway.send(_sms(*mobile_numbers(450)))

    assert type(raised.value.cause) is errors.OutcomeUnknownError
    assert len(calls(mock, "POST", SEND_URL)) == 2


@pytest.mark.parametrize(
    ("sms", "error"),
    [
        pytest.param(
            _sms("+32470123456"), errors.InvalidRecipientError("country_not_served"), id="be"
        ),
        pytest.param(
            _sms(NUMBER, "+447700900123"),
            errors.InvalidRecipientError("country_not_served"),
            id="uk",
        ),
        pytest.param(
            _sms(text="x" * 1001), errors.MessageTooLongError("max_1000"), id="1001-chars"
        ),
        pytest.param(
            _sms(sender="A" * 12), errors.InvalidSenderError("sender_too_long"), id="sender"
        ),
    ],
)
async def test_refused_before_any_request(
    gateway: KpnSmsGateway, mock: aioresponses, sms: OutboundSms, error: errors.GatewayError
) -> None:
    with pytest.raises(errors.GatewayError) as raised:
        await gateway.send(sms)

    assert type(raised.value) is type(error)
    assert raised.value.code == error.code
    assert not mock.requests


def _kpn_error(code: str, message: str) -> dict[str, Any]:
    return {"errorResponse": {"code": code, "message": message, "info": "see docs"}}


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            {"status": 400, "payload": _kpn_error("40001", "Invalid mobile_number")},
            errors.InvalidRecipientError("40001"),
            id="number",
        ),
        pytest.param(
            {"status": 400, "payload": _kpn_error("40002", "sender exceeds 11 characters")},
            errors.InvalidSenderError("40002"),
            id="sender",
        ),
        pytest.param(
            {"status": 400, "payload": _kpn_error("40003", "content is too long")},
            errors.MessageTooLongError("40003"),
            id="content",
        ),
        pytest.param(
            {"status": 400, "payload": _kpn_error("40004", "Insufficient credit for this number")},
            errors.InsufficientCreditsError("40004"),
            id="credit",
        ),
        pytest.param(
            {"status": 403, "payload": _kpn_error("40301", "No balance left")},
            errors.AuthenticationError("403"),
            id="403-is-auth-whatever-it-says",
        ),
        pytest.param(
            {"status": 400, "payload": _kpn_error("40000", "Malformed request")},
            errors.GatewayUnavailableError("40000"),
            id="other-400",
        ),
        pytest.param(
            {"status": 400, "payload": {"errorResponse": {"message": "Invalid number"}}},
            errors.InvalidRecipientError("400"),
            id="no-code",
        ),
        pytest.param(
            {"status": 400, "body": "<html><body>Bad Request</body></html>"},
            errors.GatewayUnavailableError("400"),
            id="html-400",
        ),
        pytest.param(
            {"status": 412, "payload": _kpn_error("412", "Precondition failed")},
            errors.GatewayUnavailableError("412"),
            id="412",
        ),
        pytest.param(
            {
                "status": 404,
                "payload": {"fault": {"faultstring": "x", "detail": {"errorcode": "e"}}},
            },
            errors.GatewayUnavailableError("e"),
            id="apigee-404",
        ),
        pytest.param(
            {"status": 403, "body": "<html/>"}, errors.AuthenticationError("403"), id="403"
        ),
        pytest.param(
            {"status": 502, "body": "<html>Bad Gateway</html>"},
            errors.OutcomeUnknownError("502"),
            id="html-502",
        ),
        pytest.param({"status": 429}, errors.RateLimitedError("429"), id="429"),
        pytest.param(
            {"payload": {"status": "OK"}},
            errors.OutcomeUnknownError("unexpected_reply"),
            id="no-id",
        ),
        pytest.param(
            {"payload": {"document_id": DOCUMENT_ID, "status": "FAILED"}},
            errors.OutcomeUnknownError("unexpected_reply"),
            id="not-ok",
        ),
        pytest.param(
            {"body": "<html>portal</html>"},
            errors.OutcomeUnknownError("invalid_json"),
            id="html-200",
        ),
    ],
)
async def test_error_replies(
    gateway: KpnSmsGateway, mock: aioresponses, reply: dict[str, Any], expected: errors.GatewayError
) -> None:
    mock.post(SEND_URL, **reply)

    with pytest.raises(errors.GatewayError) as raised:
        await gateway.send(_sms())

    assert type(raised.value) is type(expected)
    assert raised.value.code == expected.code
    assert len(calls(mock, "POST", SEND_URL)) == 1


async def test_error_code_never_holds_the_secret(
    gateway: KpnSmsGateway, mock: aioresponses
) -> None:
    secret = CREDENTIALS["client_secret"]
    mock.post(SEND_URL, status=400, payload=_kpn_error(f"bad {secret}", "Malformed"))

    with pytest.raises(errors.GatewayUnavailableError) as raised:
        await gateway.send(_sms())

    assert secret not in str(raised.value)
    assert raised.value.code == "bad ***"


@pytest.mark.parametrize(
    "report_url", [REPORT_URL, "http://127.0.0.1:8123/api/webhook/abc"], ids=["https", "http"]
)
async def test_webhook_url_goes_with_every_batch(
    gateway: KpnSmsGateway, mock: aioresponses, report_url: str
) -> None:
    mock.post(SEND_URL, payload=_sent(), repeat=True)

    await gateway.send(_sms(*mobile_numbers(201, "+3161"), report_url=report_url))

    sends = calls(mock, "POST", SEND_URL)
    assert [call.kwargs["json"]["webhook_url"] for call in sends] == [report_url] * 2


async def test_no_webhook_url_without_a_report_url(
    gateway: KpnSmsGateway, mock: aioresponses
) -> None:
    mock.post(SEND_URL, payload=_sent())

    await gateway.send(_sms())

    assert "webhook_url" not in calls(mock, "POST", SEND_URL)[0].kwargs["json"]


# --- webhooks: delivery reports (the format is assumed: see the module docstring) -------------


def _report_body(**overrides: Any) -> dict[str, Any]:
    return {
        "document_id": DOCUMENT_ID,
        "mobile_number": NUMBER,
        "status": "DELIVERED",
        "timestamp": "2024-07-01T12:00:05Z",
    } | overrides


def _call(body: Any, headers: dict[str, str] | None = None, method: str = "POST") -> WebhookRequest:
    """A JSON POST as the integration hands it over: raw body, and an object's members as text."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    form = (
        {key: value if isinstance(value, str) else json.dumps(value) for key, value in body.items()}
        if isinstance(body, dict)
        else {}
    )
    return WebhookRequest(method, {}, form, raw, headers or {"Content-Type": "application/json"})


def _signature(body: bytes, secret: str = SIGNATURE_SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _signed_call(body: Any, header: str = "X-KPN-Signature", prefix: str = "") -> WebhookRequest:
    raw = json.dumps(body).encode()
    return _call(body, {"Content-Type": "application/json", header: prefix + _signature(raw)})


@pytest.fixture
def signed_gateway(session: aiohttp.ClientSession) -> KpnSmsGateway:
    return KpnSmsGateway(session, CREDENTIALS, webhook_secret=SIGNATURE_SECRET)


def test_report(gateway: KpnSmsGateway) -> None:
    assert gateway.parse_webhook(_call(_report_body())) == WebhookContent(
        reports=(
            DeliveryReport(
                message_id=DOCUMENT_ID,
                status=DeliveryStatus.DELIVERED,
                recipient=NUMBER,
                gateway_code="DELIVERED",
                timestamp=datetime(2024, 7, 1, 12, 0, 5, tzinfo=UTC),
            ),
        )
    )


def test_reports_in_an_array(gateway: KpnSmsGateway) -> None:
    body = [_report_body(), _report_body(mobile_number="+31687654321", status="UNDELIVERED")]

    reports = gateway.parse_webhook(_call(body)).reports

    assert [(r.recipient, r.status) for r in reports] == [
        (NUMBER, DeliveryStatus.DELIVERED),
        ("+31687654321", DeliveryStatus.UNDELIVERED),
    ]


def test_report_as_a_form(gateway: KpnSmsGateway) -> None:
    form = {"id": "doc-7", "msisdn": "31612345678", "status": "expired"}
    call = WebhookRequest("POST", {}, form, b"id=doc-7&msisdn=31612345678&status=expired", {})

    (report,) = gateway.parse_webhook(call).reports

    assert (report.message_id, report.recipient, report.status) == (
        "doc-7",
        NUMBER,
        DeliveryStatus.EXPIRED,
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("DELIVERED", DeliveryStatus.DELIVERED),
        ("UNDELIVERED", DeliveryStatus.UNDELIVERED),
        ("NOT DELIVERED", DeliveryStatus.UNDELIVERED),
        ("EXPIRED", DeliveryStatus.EXPIRED),
        ("REJECTED", DeliveryStatus.REJECTED),
        ("BUFFERED", DeliveryStatus.BUFFERED),
        ("ACCEPTED", DeliveryStatus.ACCEPTED),
        ("FAILED", DeliveryStatus.FAILED),
        ("UNKNOWN", DeliveryStatus.UNKNOWN),
        ("delivered", DeliveryStatus.DELIVERED),
        (" Failed ", DeliveryStatus.FAILED),
        ("TELEPORTED", DeliveryStatus.UNKNOWN),
        (7, DeliveryStatus.UNKNOWN),
    ],
)
def test_report_statuses(gateway: KpnSmsGateway, status: Any, expected: DeliveryStatus) -> None:
    (report,) = gateway.parse_webhook(_call(_report_body(status=status))).reports

    assert report.status is expected
    assert report.gateway_code == str(status).strip()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"timestamp": "2024-07-01T14:00:05+02:00"},
            datetime(2024, 7, 1, 12, 0, 5, tzinfo=UTC),
            id="offset",
        ),
        pytest.param(
            {"timestamp": "2024-07-01T14:00:05"},
            datetime(2024, 7, 1, 12, 0, 5, tzinfo=UTC),
            id="naive-summer-is-dutch-time",
        ),
        pytest.param(
            {"timestamp": "2024-01-15 13:00:00"},
            datetime(2024, 1, 15, 12, 0, tzinfo=UTC),
            id="naive-winter-is-dutch-time",
        ),
        pytest.param(
            {"timestamp": None, "date": "2024-07-01T12:00:05.123Z"},
            datetime(2024, 7, 1, 12, 0, 5, 123000, tzinfo=UTC),
            id="date",
        ),
        pytest.param({"timestamp": "gisteren"}, None, id="unreadable"),
        pytest.param({"timestamp": "0001-01-01T00:00:00"}, None, id="out-of-range"),
        pytest.param({"timestamp": None}, None, id="none"),
    ],
)
def test_report_timestamps(
    gateway: KpnSmsGateway, fields: dict[str, Any], expected: datetime | None
) -> None:
    (report,) = gateway.parse_webhook(_call(_report_body(**fields))).reports

    assert report.timestamp == expected
    assert report.timestamp is None or report.timestamp.tzinfo is UTC


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+31612345678", "+31612345678"),
        ("31612345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("0612345678", "0612345678"),
        (None, None),
    ],
)
def test_report_recipient(gateway: KpnSmsGateway, number: str | None, expected: str | None) -> None:
    (report,) = gateway.parse_webhook(_call(_report_body(mobile_number=number))).reports

    assert report.recipient == expected


def test_report_id_may_be_a_number(gateway: KpnSmsGateway) -> None:
    body = _report_body(document_id=None, id=12345)

    assert gateway.parse_webhook(_call(body)).reports[0].message_id == "12345"


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(_call(_report_body(document_id=None)), id="no-id"),
        pytest.param(_call(_report_body(document_id="  ")), id="blank-id"),
        pytest.param(_call(_report_body(status=None)), id="no-status"),
        pytest.param(_call(_report_body(status="")), id="empty-status"),
        pytest.param(_call([]), id="empty-array"),
        pytest.param(_call([_report_body(), "x"]), id="array-with-text"),
        pytest.param(_call([_report_body()] * 201), id="too-many"),
        pytest.param(_call("DELIVERED"), id="json-string"),
        pytest.param(_call(b""), id="empty-body"),
        pytest.param(_call(b"\xff\xfe\x00garbage"), id="binary"),
        pytest.param(_call(b"[" * 100_000), id="deep-nesting"),
        pytest.param(_call(_report_body(), method="GET"), id="get"),
        pytest.param(_call(_report_body(), method="PUT"), id="put"),
    ],
)
def test_not_a_report(gateway: KpnSmsGateway, call: WebhookRequest) -> None:
    with pytest.raises(errors.InvalidWebhookError):
        gateway.parse_webhook(call)


@pytest.mark.parametrize(
    ("header", "prefix"),
    [
        ("X-KPN-Signature", ""),
        ("x-kpn-signature", ""),
        ("X-Signature", ""),
        ("X-KPN-Signature", "sha256="),
    ],
)
def test_signed_report_is_read(signed_gateway: KpnSmsGateway, header: str, prefix: str) -> None:
    assert signed_gateway.parse_webhook(_signed_call(_report_body(), header, prefix)).reports


def test_signature_in_upper_case_is_read(signed_gateway: KpnSmsGateway) -> None:
    raw = json.dumps(_report_body()).encode()
    call = _call(_report_body(), {"X-KPN-Signature": _signature(raw).upper()})

    assert signed_gateway.parse_webhook(call).reports


def _tampered_body(call: WebhookRequest) -> WebhookRequest:
    body = call.body.replace(b"DELIVERED", b"UNDELIVERED")
    return WebhookRequest(call.method, call.query, call.form, body, call.headers)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(_call(_report_body()), id="missing"),
        pytest.param(_call(_report_body(), {"X-KPN-Signature": ""}), id="empty"),
        pytest.param(_call(_report_body(), {"X-KPN-Signature": "ü" * 64}), id="not-ascii"),
        pytest.param(_call(_report_body(), {"X-KPN-Signature": "0" * 64}), id="wrong"),
        pytest.param(_call(_report_body(), {"X-Other": "0" * 64}), id="other-header"),
        pytest.param(_tampered_body(_signed_call(_report_body())), id="tampered-body"),
        pytest.param(
            _call(
                _report_body(),
                {"X-KPN-Signature": _signature(json.dumps(_report_body()).encode(), "other")},
            ),
            id="other-secret",
        ),
    ],
)
def test_bad_signatures_are_refused(signed_gateway: KpnSmsGateway, call: WebhookRequest) -> None:
    with pytest.raises(errors.InvalidWebhookError) as raised:
        signed_gateway.parse_webhook(call)

    assert SIGNATURE_SECRET not in str(raised.value)


def test_without_a_secret_unsigned_reports_are_read(gateway: KpnSmsGateway) -> None:
    assert gateway.parse_webhook(_call(_report_body())).reports
    assert gateway.parse_webhook(_call(_report_body(), {"X-KPN-Signature": "0" * 64})).reports


def _kpn_garbage(seed: int, count: int = 300) -> Iterator[WebhookRequest]:
    """JSON bodies with KPN's field names, partly well-formed, partly garbage."""
    rng = random.Random(seed)  # noqa: S311 - repeatable garbage, no secret
    names = ("document_id", "id", "mobile_number", "msisdn", "status", "timestamp", "date")
    for _ in range(count):
        body = _report_body()
        for name in rng.sample(names, rng.randrange(1, 4)):
            value = garbage_value(rng)
            body[name] = value.decode("latin-1") if isinstance(value, bytes) else value
        raw = json.dumps([body] if rng.random() < 0.3 else body).encode()
        headers = {"X-KPN-Signature": garbage_value(rng), rng.choice(["\x00", "X"]): "\ud800"}
        yield WebhookRequest(rng.choice(("POST", "GET", "")), {}, {}, raw, headers)


@pytest.mark.parametrize("secret", [None, SIGNATURE_SECRET])
@pytest.mark.parametrize("seed", range(4))
def test_garbage_raises_only_invalid_webhook(
    session: aiohttp.ClientSession, secret: str | None, seed: int
) -> None:
    gateway = KpnSmsGateway(session, CREDENTIALS, webhook_secret=secret)
    for content in read_garbage(gateway, [*garbage_requests(seed), *_kpn_garbage(seed)]):
        assert secret is None
        assert content.reports
        assert all(isinstance(report.status, DeliveryStatus) for report in content.reports)
