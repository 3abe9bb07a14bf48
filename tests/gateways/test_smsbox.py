"""Wire tests for the SMSBOX client, against its API v1 document (gateway-docs/smsbox.txt)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode

import aiohttp
import pytest
from aioresponses import aioresponses
from aioresponses.core import RequestCall
from yarl import URL

from custom_components.benelux_sms.gateways import GATEWAYS, errors
from custom_components.benelux_sms.gateways.base import (
    Credits,
    DeliveryReport,
    DeliveryStatus,
    Encoding,
    SendReceipt,
    SentMessage,
    WebhookContent,
    WebhookRequest,
)
from custom_components.benelux_sms.gateways.smsbox import CONF_API_KEY, SmsBoxGateway

from .conftest import Op, all_calls, assert_raised, calls, mobile_numbers, ops, outbound, sent
from .webhook_garbage import garbage_requests, read_garbage

API_KEY = "a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuV"
BASE = "https://core.smsbox.be/api/v1/"
SEND_URL = BASE + "sendsms"
BALANCE_URL = BASE + "balance"
AUTH_URL = BASE + "auth"
NL = "+31612345678"
BE = "+32470123456"


@pytest.fixture
def gateway(session: aiohttp.ClientSession) -> SmsBoxGateway:
    return SmsBoxGateway(session, {CONF_API_KEY: API_KEY})


def _sent(*recipients: str, first_id: int = 15547355) -> dict[str, Any]:
    """The document's code 100 reply: number (no +) and msgid per recipient."""
    return {
        "code": 100,
        "message": [
            {"number": number.removeprefix("+"), "msgid": first_id + index}
            for index, number in enumerate(recipients)
        ],
    }


def _form(call: RequestCall) -> dict[str, str]:
    """The send form, as it is encoded on the wire and read back."""
    data = sent(call)["data"]
    assert isinstance(data, dict)
    decoded = parse_qs(urlencode(data), keep_blank_values=True)
    return {key: value for key, [value] in decoded.items()}


def _assert_common_request(call: RequestCall) -> None:
    headers = call.kwargs["headers"]
    assert headers["X-Api-Key"] == API_KEY
    assert headers["Accept"] == "application/json"
    assert "Authorization" not in headers
    assert call.kwargs["allow_redirects"] is False
    assert call.kwargs["timeout"] == aiohttp.ClientTimeout(total=30)
    assert call.kwargs.get("json") is None
    assert call.kwargs.get("params") is None
    # The key goes in the header only, never as the apikey parameter.
    assert "apikey" not in (sent(call).get("data") or {})


# --- the account and its rules ---------------------------------------------------------------


def test_registered() -> None:
    assert GATEWAYS["smsbox"] is SmsBoxGateway
    assert SmsBoxGateway.credential_fields == ("api_key",)


def test_capabilities() -> None:
    capabilities = SmsBoxGateway.capabilities
    assert capabilities.credits is True
    assert capabilities.credits_unit == "credits"
    assert capabilities.max_recipients_per_request == 500
    assert capabilities.max_text_length == 918
    assert capabilities.recipient_country_codes is None
    assert capabilities.test_mode is False
    assert capabilities.report_callback is True
    assert capabilities.report_callback_https_only is False
    assert capabilities.report_portal is False
    assert capabilities.report_polling is False
    assert capabilities.signed_webhooks is False
    assert SmsBoxGateway.test_numbers == frozenset({"+3211111111"})


@pytest.mark.parametrize(
    ("sender", "error"),
    [
        pytest.param("HomeAlarm12", None, id="alnum-11"),
        pytest.param("HomeAlarm123", "sender_too_long", id="alnum-12"),
        pytest.param("3247012345678901", None, id="numeric-16"),
        pytest.param("32470123456789012", "sender_too_long", id="numeric-17"),
        pytest.param("Home Alarm", "sender_characters", id="space"),
    ],
)
async def test_sender_refused_before_sending(
    gateway: SmsBoxGateway, mock: aioresponses, sender: str, error: str | None
) -> None:
    mock.post(SEND_URL, payload=_sent(NL))

    if error is None:
        await gateway.send(outbound(sender=sender))
        assert _form(calls(mock, "POST", SEND_URL)[0])["from"] == sender
        return
    with pytest.raises(errors.InvalidSenderError) as raised:
        await gateway.send(outbound(sender=sender))
    assert raised.value.code == error
    assert all_calls(mock) == []


@pytest.mark.parametrize(
    ("length", "sent"), [(160, True), (918, True), (919, False), (2000, False)]
)
async def test_text_over_918_refused_before_sending(
    gateway: SmsBoxGateway, mock: aioresponses, length: int, sent: bool
) -> None:
    mock.post(SEND_URL, payload=_sent(NL))

    if sent:
        await gateway.send(outbound(text="a" * length))
        assert _form(calls(mock, "POST", SEND_URL)[0])["message"] == "a" * length
        return
    with pytest.raises(errors.MessageTooLongError, match=r"^max_918$"):
        await gateway.send(outbound(text="a" * length))
    assert all_calls(mock) == []


# --- balance ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "remaining"),
    [
        pytest.param("1630.38", 1630.38, id="document"),
        pytest.param("0", 0.0, id="zero"),
        pytest.param("0.00", 0.0, id="zero-decimals"),
        pytest.param("12", 12.0, id="whole"),
        pytest.param(" 7.5 ", 7.5, id="spaces"),
        pytest.param("-1.25", -1.25, id="negative"),
        pytest.param(42, 42.0, id="json-number"),
        pytest.param(3.5, 3.5, id="json-decimal"),
    ],
)
@pytest.mark.parametrize("code", [100, "100"])
async def test_get_credits(
    gateway: SmsBoxGateway, mock: aioresponses, message: object, remaining: float, code: object
) -> None:
    mock.get(BALANCE_URL, payload={"code": code, "message": message})

    credits = await gateway.get_credits()

    assert credits == Credits(remaining=remaining)
    assert isinstance(credits.remaining, float)
    assert all_calls(mock) == [("GET", URL(BALANCE_URL))]
    call = calls(mock, "GET", BALANCE_URL)[0]
    _assert_common_request(call)
    assert sent(call).get("data") is None


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param({"code": 100}, id="no-message"),
        pytest.param({"code": 100, "message": None}, id="null"),
        pytest.param({"code": 100, "message": ""}, id="empty"),
        pytest.param({"code": 100, "message": "lots"}, id="word"),
        pytest.param({"code": 100, "message": "1630,38"}, id="decimal-comma"),
        pytest.param({"code": 100, "message": "1.630,38"}, id="thousands"),
        pytest.param({"code": 100, "message": "1630.38 credits"}, id="with-unit"),
        pytest.param({"code": 100, "message": "NaN"}, id="nan"),
        pytest.param({"code": 100, "message": "inf"}, id="inf"),
        pytest.param({"code": 100, "message": "1e3"}, id="exponent"),
        pytest.param({"code": 100, "message": "."}, id="dot"),
        pytest.param({"code": 100, "message": "9" * 400}, id="overflows"),
        pytest.param({"code": 100, "message": True}, id="true"),
        pytest.param({"code": 100, "message": ["1630.38"]}, id="list"),
        pytest.param({"code": 100, "message": {"credits": "1"}}, id="object"),
    ],
)
async def test_credits_garbage(
    gateway: SmsBoxGateway, mock: aioresponses, reply: dict[str, Any]
) -> None:
    mock.get(BALANCE_URL, payload=reply)

    with pytest.raises(errors.GatewayUnavailableError) as raised:
        await gateway.get_credits()

    assert raised.value.code == "unexpected_reply"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            {"code": 4, "message": "Apikey not allowed"}, errors.AuthenticationError("04"), id="04"
        ),
        pytest.param({"code": "04"}, errors.AuthenticationError("04"), id="04-string"),
        pytest.param({"code": 21}, errors.AuthenticationError("21"), id="21"),
        pytest.param({"code": 20}, errors.AuthenticationError("20"), id="20"),
        pytest.param({"code": 10}, errors.GatewayUnavailableError("10", not_sent=True), id="10"),
        pytest.param({"code": 99}, errors.GatewayUnavailableError("99", not_sent=True), id="99"),
        pytest.param(
            {"message": "1630.38"}, errors.GatewayUnavailableError("unexpected_reply"), id="no"
        ),
        pytest.param({"code": "ok"}, errors.GatewayUnavailableError("unexpected_reply"), id="word"),
        pytest.param({"code": True}, errors.GatewayUnavailableError("unexpected_reply"), id="true"),
        pytest.param(
            {"code": -4}, errors.GatewayUnavailableError("unexpected_reply"), id="negative"
        ),
        pytest.param(
            {"code": 100.0}, errors.GatewayUnavailableError("unexpected_reply"), id="float"
        ),
    ],
)
async def test_balance_error_codes(
    gateway: SmsBoxGateway, mock: aioresponses, reply: dict[str, Any], expected: errors.GatewayError
) -> None:
    mock.get(BALANCE_URL, payload=reply)

    with pytest.raises(errors.GatewayError) as raised:
        await gateway.get_credits()

    assert_raised(raised, expected)


# --- auth (checking the key) -----------------------------------------------------------------


@pytest.mark.parametrize("code", [10, "10"])
async def test_validate_credentials(
    gateway: SmsBoxGateway, mock: aioresponses, code: object
) -> None:
    mock.get(AUTH_URL, payload={"code": code, "message": "Apikey is valid"})

    await gateway.validate_credentials()

    assert all_calls(mock) == [("GET", URL(AUTH_URL))]
    call = calls(mock, "GET", AUTH_URL)[0]
    _assert_common_request(call)
    assert sent(call).get("data") is None


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            {"code": 20, "message": "Apikey not provided"},
            errors.AuthenticationError("20"),
            id="20",
        ),
        pytest.param(
            {"code": 21, "message": "Apikey not allowed"}, errors.AuthenticationError("21"), id="21"
        ),
        pytest.param({"code": "21"}, errors.AuthenticationError("21"), id="21-string"),
        pytest.param({"code": 4}, errors.AuthenticationError("04"), id="04"),
        pytest.param({"code": 100}, errors.GatewayUnavailableError("100", not_sent=True), id="100"),
        pytest.param({"code": 98}, errors.GatewayUnavailableError("98", not_sent=True), id="98"),
        pytest.param({}, errors.GatewayUnavailableError("unexpected_reply"), id="no-code"),
    ],
)
async def test_validate_credentials_refused(
    gateway: SmsBoxGateway, mock: aioresponses, reply: dict[str, Any], expected: errors.GatewayError
) -> None:
    mock.get(AUTH_URL, payload=reply)

    with pytest.raises(errors.GatewayError) as raised:
        await gateway.validate_credentials()

    assert_raised(raised, expected)
    assert all_calls(mock) == [("GET", URL(AUTH_URL))]


@pytest.mark.parametrize(
    ("balance", "expected"),
    [
        pytest.param({"code": 100, "message": "3.00"}, None, id="good"),
        pytest.param({"code": 4}, errors.AuthenticationError("04"), id="bad"),
    ],
)
async def test_validate_credentials_without_auth_endpoint(
    gateway: SmsBoxGateway,
    mock: aioresponses,
    balance: dict[str, Any],
    expected: errors.GatewayError | None,
) -> None:
    # The document knows no auth call, NOTES.md does: where it is missing, balance checks the key.
    mock.get(AUTH_URL, status=404, body="<html>Not Found</html>", content_type="text/html")
    mock.get(BALANCE_URL, payload=balance)

    if expected is None:
        await gateway.validate_credentials()
    else:
        with pytest.raises(errors.GatewayError) as raised:
            await gateway.validate_credentials()
        assert_raised(raised, expected)

    assert all_calls(mock) == [("GET", URL(AUTH_URL)), ("GET", URL(BALANCE_URL))]
    _assert_common_request(calls(mock, "GET", BALANCE_URL)[0])


# --- sendsms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "expected_form"),
    [
        pytest.param(
            "HomeAlarm",
            {
                "numbers": "31612345678,32470123456",
                "message": "Hallo",
                "from": "HomeAlarm",
                "unicode": "0",
            },
            id="with-sender",
        ),
        pytest.param(
            None,
            {"numbers": "31612345678,32470123456", "message": "Hallo", "unicode": "0"},
            id="no-sender",
        ),
        pytest.param(
            "",
            {"numbers": "31612345678,32470123456", "message": "Hallo", "unicode": "0"},
            id="empty",
        ),
    ],
)
async def test_send(
    gateway: SmsBoxGateway,
    mock: aioresponses,
    sender: str | None,
    expected_form: dict[str, str],
) -> None:
    mock.post(SEND_URL, payload=_sent(NL, BE))

    receipt = await gateway.send(outbound(NL, BE, sender=sender))

    assert receipt == SendReceipt(
        messages=(
            SentMessage(NL, "15547355", DeliveryStatus.ACCEPTED),
            SentMessage(BE, "15547356", DeliveryStatus.ACCEPTED),
        ),
        credits=None,
    )
    assert all_calls(mock) == [("POST", URL(SEND_URL))]
    call = calls(mock, "POST", SEND_URL)[0]
    _assert_common_request(call)
    assert _form(call) == expected_form


async def test_send_to_belgium_keeps_the_sender(gateway: SmsBoxGateway, mock: aioresponses) -> None:
    # SMSBOX ignores from for Belgian numbers; sending it anyway is harmless and no error.
    mock.post(SEND_URL, payload=_sent(BE))

    receipt = await gateway.send(outbound(BE, sender="HomeAlarm"))

    assert receipt.messages == (SentMessage(BE, "15547355", DeliveryStatus.ACCEPTED),)
    assert _form(calls(mock, "POST", SEND_URL)[0])["from"] == "HomeAlarm"


async def test_send_to_the_test_number(gateway: SmsBoxGateway, mock: aioresponses) -> None:
    mock.post(SEND_URL, payload=_sent("+3211111111"))

    receipt = await gateway.send(outbound("+3211111111"))

    assert receipt.messages == (SentMessage("+3211111111", "15547355", DeliveryStatus.ACCEPTED),)
    assert _form(calls(mock, "POST", SEND_URL)[0])["numbers"] == "3211111111"


@pytest.mark.parametrize(
    ("text", "encoding", "longsms", "unicode"),
    [
        pytest.param("a" * 160, None, None, "0", id="gsm-160"),
        pytest.param("a" * 161, None, "1", "0", id="gsm-161"),
        pytest.param("a" * 918, None, "1", "0", id="gsm-918"),
        # Escape characters count double: 150 characters, 170 septets, two parts.
        pytest.param("€" * 20 + "a" * 130, None, "1", "0", id="gsm-escapes"),
        pytest.param("Vriezer -5 °C", None, None, "1", id="ucs2-short"),
        pytest.param("°" * 70, None, None, "1", id="ucs2-70"),
        pytest.param("°" * 71, None, "1", "1", id="ucs2-71"),
        # A recipient set to UCS-2 gets unicode even for a GSM-7 text.
        pytest.param("Alarm!", Encoding.UCS2, None, "1", id="forced-ucs2"),
    ],
)
async def test_send_longsms_and_unicode(
    gateway: SmsBoxGateway,
    mock: aioresponses,
    text: str,
    encoding: Encoding | None,
    longsms: str | None,
    unicode: str,
) -> None:
    mock.post(SEND_URL, payload=_sent(NL))

    await gateway.send(outbound(text=text, encoding=encoding))

    form = _form(calls(mock, "POST", SEND_URL)[0])
    assert form["message"] == text
    assert form.get("longsms") == longsms
    assert form["unicode"] == unicode
    assert set(form) <= {"numbers", "message", "longsms", "unicode"}


async def test_send_keeps_text_verbatim(gateway: SmsBoxGateway, mock: aioresponses) -> None:
    text = 'Regel 1\nRegel 2 — €5 & "quotes" =+% 😀'
    mock.post(SEND_URL, payload=_sent(NL))

    await gateway.send(outbound(text=text))

    assert _form(calls(mock, "POST", SEND_URL)[0])["message"] == text


@pytest.mark.parametrize(
    ("message", "ids"),
    [
        pytest.param(
            [{"number": "32470123456", "msgid": 2}, {"number": "31612345678", "msgid": 1}],
            ["1", "2"],
            id="other-order",
        ),
        pytest.param(
            [{"number": 31612345678, "msgid": "a1"}, {"number": "+32470123456", "msgid": "b2"}],
            ["a1", "b2"],
            id="number-as-int-or-plus",
        ),
        pytest.param([{"number": "31612345678", "msgid": 1}], ["1", None], id="one-missing"),
        pytest.param(
            [
                {"number": "31612345678", "msgid": None},
                {"number": "32470123456", "msgid": ""},
                {"number": True, "msgid": 3},
                {"msgid": 4},
                "31612345678",
            ],
            [None, None],
            id="odd-entries",
        ),
        pytest.param([], [None, None], id="empty-list"),
        pytest.param("SMS sent", [None, None], id="string"),
        pytest.param(None, [None, None], id="null"),
    ],
)
async def test_send_reply_ids_per_recipient(
    gateway: SmsBoxGateway, mock: aioresponses, message: Any, ids: list[str | None]
) -> None:
    # Code 100 means sent: odd id lists give no id rather than a failure (that could resend).
    mock.post(SEND_URL, payload={"code": 100, "message": message})

    receipt = await gateway.send(outbound(NL, BE))

    assert [sent.recipient for sent in receipt.messages] == [NL, BE]
    assert [sent.message_id for sent in receipt.messages] == ids
    assert {sent.status for sent in receipt.messages} == {DeliveryStatus.ACCEPTED}


@pytest.mark.parametrize(
    "base_url",
    ["https://sms.example.test/api/v1", "https://sms.example.test/api/v1/"],
    ids=["no-slash", "slash"],
)
async def test_custom_base_url(
    session: aiohttp.ClientSession, mock: aioresponses, base_url: str
) -> None:
    gateway = SmsBoxGateway(session, {CONF_API_KEY: API_KEY}, base_url=base_url)
    mock.get("https://sms.example.test/api/v1/auth", payload={"code": 10})
    mock.get("https://sms.example.test/api/v1/balance", payload={"code": 100, "message": "7"})
    mock.post("https://sms.example.test/api/v1/sendsms", payload=_sent(NL))

    await gateway.validate_credentials()
    assert await gateway.get_credits() == Credits(7.0)
    await gateway.send(outbound())

    assert all_calls(mock) == [
        ("GET", URL("https://sms.example.test/api/v1/auth")),
        ("GET", URL("https://sms.example.test/api/v1/balance")),
        ("POST", URL("https://sms.example.test/api/v1/sendsms")),
    ]


@pytest.mark.parametrize(
    ("count", "batches"),
    [(1, [1]), (500, [500]), (501, [500, 1]), (1000, [500, 500]), (1001, [500, 500, 1])],
)
async def test_send_batches_of_500(
    gateway: SmsBoxGateway, mock: aioresponses, count: int, batches: list[int]
) -> None:
    numbers = mobile_numbers(count, "+3247")
    start = 0
    for index, size in enumerate(batches):
        mock.post(SEND_URL, payload=_sent(*numbers[start : start + size], first_id=index * 1000))
        start += size

    receipt = await gateway.send(outbound(*numbers, sender="HomeAlarm"))

    forms = [_form(call) for call in calls(mock, "POST", SEND_URL)]
    assert [len(form["numbers"].split(",")) for form in forms] == batches
    # Every number goes out exactly once, in order, and each batch carries the same text.
    sent = [number for form in forms for number in form["numbers"].split(",")]
    assert sent == [number.removeprefix("+") for number in numbers]
    assert all(form["message"] == "Hallo" and form["from"] == "HomeAlarm" for form in forms)
    expected_ids = [
        str(index * 1000 + position)
        for index, size in enumerate(batches)
        for position in range(size)
    ]
    assert [message.recipient for message in receipt.messages] == list(numbers)
    assert [message.message_id for message in receipt.messages] == expected_ids


async def test_send_stops_at_failing_batch(gateway: SmsBoxGateway, mock: aioresponses) -> None:
    numbers = mobile_numbers(1200)
    mock.post(SEND_URL, payload=_sent(*numbers[:500]))
    mock.post(SEND_URL, payload={"code": 10, "message": "Not enough credits"})
    mock.post(SEND_URL, payload=_sent(*numbers[1000:]))

    with pytest.raises(errors.PartialSendError, match=r"^10$") as raised:
        await gateway.send(outbound(*numbers))

    assert type(raised.value.cause) is errors.InsufficientCreditsError
    assert len(calls(mock, "POST", SEND_URL)) == 2


# --- the document's response codes -----------------------------------------------------------


SEND_CODES = [
    ("01", "Sender not ok", errors.InvalidSenderError),
    ("04", "Apikey not allowed", errors.AuthenticationError),
    ("05", "No prefix", errors.InvalidRecipientError),
    ("06", "No message", errors.GatewayUnavailableError),
    ("07", "Max char reached", errors.MessageTooLongError),
    ("08", "No number", errors.InvalidRecipientError),
    ("09", "No valid number", errors.InvalidRecipientError),
    ("10", "Not enough credits", errors.InsufficientCreditsError),
    ("11", "Max 500 number allowed", errors.GatewayUnavailableError),
    ("13", "Sender too long", errors.InvalidSenderError),
    # Codes the document does not list.
    ("02", "?", errors.GatewayUnavailableError),
    ("12", "?", errors.GatewayUnavailableError),
    ("99", "?", errors.GatewayUnavailableError),
]


@pytest.mark.parametrize("as_string", [False, True], ids=["number", "string"])
@pytest.mark.parametrize(
    ("code", "message", "error"), SEND_CODES, ids=[code for code, _, _ in SEND_CODES]
)
async def test_send_error_codes(
    gateway: SmsBoxGateway,
    mock: aioresponses,
    code: str,
    message: str,
    error: type[errors.GatewayError],
    as_string: bool,
) -> None:
    mock.post(SEND_URL, payload={"code": code if as_string else int(code), "message": message})

    with pytest.raises(errors.GatewayError) as raised:
        await gateway.send(outbound())

    # Each of these codes is SMSBOX's own refusal: the message certainly did not go out.
    expected = (
        errors.GatewayUnavailableError(code, not_sent=True)
        if error is errors.GatewayUnavailableError
        else error(code)
    )
    assert_raised(raised, expected, send=True)


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param({"message": [{"number": "31612345678", "msgid": 1}]}, id="no-code"),
        pytest.param({"code": None}, id="null"),
        pytest.param({"code": "100 OK"}, id="words"),
        pytest.param({"code": "\u0661\u0660\u0660"}, id="arabic-digits"),
        pytest.param({"code": "100\n"}, id="newline"),
        pytest.param({"code": 1000}, id="four-digits"),
        pytest.param({"code": "9" * 5000}, id="endless-digits"),
    ],
)
async def test_send_without_a_code(
    gateway: SmsBoxGateway, mock: aioresponses, reply: dict[str, Any]
) -> None:
    mock.post(SEND_URL, payload=reply)

    with pytest.raises(errors.GatewayUnavailableError, match=r"^unexpected_reply$"):
        await gateway.send(outbound())


@pytest.mark.parametrize("status", [400, 404, 422])
async def test_code_in_a_client_error_status(
    gateway: SmsBoxGateway, mock: aioresponses, status: int
) -> None:
    mock.post(SEND_URL, status=status, payload={"code": 9, "message": "No valid number"})

    with pytest.raises(errors.InvalidRecipientError, match=r"^09$"):
        await gateway.send(outbound())


# --- the status and the code in the body (the rest of Gateway._request: test_transport.py) --


@pytest.mark.parametrize("op", ops("smsbox"))
@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            {"status": 401, "payload": {"code": 21, "message": "Apikey not allowed"}},
            errors.AuthenticationError("401"),
            id="401-json",
        ),
        pytest.param(
            {"status": 500, "payload": {"code": 99}},
            errors.GatewayUnavailableError("500"),
            id="500",
        ),
    ],
)
async def test_status_over_the_code(
    gateway: SmsBoxGateway,
    mock: aioresponses,
    op: Op,
    reply: dict[str, Any],
    expected: errors.GatewayError,
) -> None:
    mock.add(op.url, op.method, **reply)

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    assert_raised(raised, expected, send=op.name == "send")
    assert all_calls(mock) == [(op.method, URL(op.url))]


# --- secrets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("op", ops("smsbox"))
@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"payload": {"code": 4, "message": f"Apikey {API_KEY} not allowed"}}, id="04"),
        pytest.param({"payload": {"code": 21, "message": API_KEY}}, id="21"),
        pytest.param({"payload": {"code": API_KEY}}, id="code-is-key"),
    ],
)
async def test_errors_never_hold_the_key(
    gateway: SmsBoxGateway, mock: aioresponses, op: Op, kwargs: dict[str, Any]
) -> None:
    mock.add(op.url, op.method, **kwargs)

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    err = raised.value
    for text in (str(err), repr(err), str(err.code), *map(str, err.args)):
        assert API_KEY[:12] not in text


def test_account_id_reveals_no_key() -> None:
    account_id = SmsBoxGateway.account_id({CONF_API_KEY: API_KEY})

    assert API_KEY not in account_id
    assert account_id == SmsBoxGateway.account_id({CONF_API_KEY: API_KEY, "sender": "X"})
    assert account_id != SmsBoxGateway.account_id({CONF_API_KEY: API_KEY + "x"})


# --- delivery reports (noti) -----------------------------------------------------------------

REPORT_URL = "https://home.example.nl/api/webhook/0f3c9a7d?x=1&y=%C3%A9"


def _webhook(
    form: dict[str, str] | None = None, *, query: dict[str, str] | None = None, method: str = "POST"
) -> WebhookRequest:
    return WebhookRequest(method=method, query=query or {}, form=form or {}, body=b"", headers={})


@pytest.mark.parametrize(
    ("report_url", "noti"),
    [
        pytest.param(REPORT_URL, REPORT_URL, id="with-report-url"),
        pytest.param(None, None, id="none"),
        pytest.param("", None, id="empty"),
    ],
)
async def test_send_asks_for_reports_with_noti(
    gateway: SmsBoxGateway, mock: aioresponses, report_url: str | None, noti: str | None
) -> None:
    mock.post(SEND_URL, payload=_sent(NL, BE))

    await gateway.send(outbound(NL, BE, sender="HomeAlarm", report_url=report_url))

    form = _form(calls(mock, "POST", SEND_URL)[0])
    # The URL travels whole and exactly, query included: it is the webhook's address.
    assert form.get("noti") == noti
    assert set(form) == {"numbers", "message", "from", "unicode"} | ({"noti"} if noti else set())


async def test_every_batch_asks_for_reports(gateway: SmsBoxGateway, mock: aioresponses) -> None:
    numbers = mobile_numbers(501, "+3247")
    mock.post(SEND_URL, payload=_sent(*numbers[:500]))
    mock.post(SEND_URL, payload=_sent(numbers[500], first_id=1))

    await gateway.send(outbound(*numbers, report_url=REPORT_URL))

    assert [_form(call)["noti"] for call in calls(mock, "POST", SEND_URL)] == [REPORT_URL] * 2


REPORT_STATUSES = [
    ("10", DeliveryStatus.ACCEPTED),
    ("11", DeliveryStatus.DELIVERED),
    ("12", DeliveryStatus.BUFFERED),
    ("13", DeliveryStatus.UNDELIVERED),
    ("14", DeliveryStatus.EXPIRED),
    ("15", DeliveryStatus.REJECTED),
    ("16", DeliveryStatus.UNKNOWN),
    ("20", DeliveryStatus.REJECTED),
    ("01", DeliveryStatus.FAILED),
]


@pytest.mark.parametrize(("code", "status"), REPORT_STATUSES)
def test_report_statuses(gateway: SmsBoxGateway, code: str, status: DeliveryStatus) -> None:
    content = gateway.parse_webhook(_webhook({"msgid": "15547355", "status": code}))

    assert content == WebhookContent(
        reports=(DeliveryReport("15547355", status, gateway_code=code),), inbound=()
    )


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        pytest.param("1", "01", DeliveryStatus.FAILED, id="error-one-digit"),
        pytest.param("001", "01", DeliveryStatus.FAILED, id="error-three-digits"),
        pytest.param(" 11\n", "11", DeliveryStatus.DELIVERED, id="whitespace"),
        pytest.param("0", "00", DeliveryStatus.UNKNOWN, id="zero"),
        pytest.param("17", "17", DeliveryStatus.UNKNOWN, id="undocumented"),
        pytest.param("999", "999", DeliveryStatus.UNKNOWN, id="three-digits"),
    ],
)
def test_report_code_spellings(
    gateway: SmsBoxGateway, status: str, code: str, expected: DeliveryStatus
) -> None:
    (report,) = gateway.parse_webhook(_webhook({"msgid": "7", "status": status})).reports

    assert report == DeliveryReport("7", expected, gateway_code=code)


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(_webhook({"msgid": "42", "status": "11"}), id="form"),
        pytest.param(_webhook(query={"msgid": "42", "status": "11"}), id="query"),
        pytest.param(_webhook({"msgid": "42"}, query={"status": "11"}), id="split"),
        pytest.param(_webhook({"msgid": "42", "status": "11"}, method="post"), id="lower-case"),
        # The HA side gives a JSON object body's members as form text: {"msgid": 42, ...}.
        pytest.param(_webhook({"msgid": "42", "status": "11", "extra": "[1]"}), id="json-extra"),
        pytest.param(
            _webhook({"msgid": "42", "status": "11"}, query={"msgid": "9"}), id="form-wins"
        ),
    ],
)
def test_report_where_the_fields_are(gateway: SmsBoxGateway, request_: WebhookRequest) -> None:
    content = gateway.parse_webhook(request_)

    assert content.reports == (DeliveryReport("42", DeliveryStatus.DELIVERED, gateway_code="11"),)
    assert content.inbound == ()


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(_webhook({"msgid": "42", "status": "11"}, method="GET"), id="get"),
        pytest.param(_webhook(query={"msgid": "42", "status": "11"}, method="GET"), id="get-q"),
        pytest.param(_webhook({"msgid": "42", "status": "11"}, method="PUT"), id="put"),
        pytest.param(_webhook({}), id="empty"),
        pytest.param(_webhook({"status": "11"}), id="no-msgid"),
        pytest.param(_webhook({"msgid": "42"}), id="no-status"),
        pytest.param(_webhook({"msgid": "", "status": "11"}), id="empty-msgid"),
        pytest.param(_webhook({"msgid": "4 2", "status": "11"}), id="msgid-with-space"),
        pytest.param(_webhook({"msgid": "9" * 65, "status": "11"}), id="msgid-too-long"),
        pytest.param(_webhook({"msgid": "42", "status": ""}), id="empty-status"),
        pytest.param(_webhook({"msgid": "42", "status": "Delivered"}), id="word-status"),
        pytest.param(_webhook({"msgid": "42", "status": "1000"}), id="four-digits"),
        pytest.param(_webhook({"msgid": "42", "status": "-1"}), id="negative"),
        pytest.param(_webhook({"msgid": "42", "status": "\uff11\uff11"}), id="fullwidth-digits"),
    ],
)
def test_invalid_reports(gateway: SmsBoxGateway, request_: WebhookRequest) -> None:
    with pytest.raises(errors.InvalidWebhookError):
        gateway.parse_webhook(request_)


@pytest.mark.parametrize("seed", range(5))
def test_garbage_reports(gateway: SmsBoxGateway, seed: int) -> None:
    requests = list(garbage_requests(seed))

    contents = read_garbage(gateway, requests)

    # Both ways out were taken: the garbage reached the status, not only the id check.
    assert 0 < len(contents) < len(requests)
    for content in contents:
        (report,) = content.reports
        assert report.status is DeliveryStatus.UNKNOWN
        assert report.gateway_code is not None
        assert report.gateway_code.isascii()
        assert report.gateway_code.isdigit()
        assert content.inbound == ()


async def test_report_names_the_message_the_send_gave(
    gateway: SmsBoxGateway, mock: aioresponses
) -> None:
    mock.post(SEND_URL, payload=_sent(NL, BE))
    receipt = await gateway.send(outbound(NL, BE, report_url=REPORT_URL))

    reports = [
        gateway.parse_webhook(_webhook({"msgid": "15547356", "status": "13"})).reports[0],
        gateway.parse_webhook(_webhook({"msgid": "15547355", "status": "11"})).reports[0],
    ]

    by_id = {message.message_id: message.recipient for message in receipt.messages}
    assert [(by_id[report.message_id], report.status) for report in reports] == [
        (BE, DeliveryStatus.UNDELIVERED),
        (NL, DeliveryStatus.DELIVERED),
    ]
