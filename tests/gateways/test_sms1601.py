"""Wire tests for the 1601SMS client, against its Gateway API document."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import partial
from typing import Any

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
    SendReceipt,
    SentMessage,
    WebhookContent,
    WebhookRequest,
)
from custom_components.benelux_sms.gateways.sms1601 import (
    CONF_PASSWORD,
    CONF_USERNAME,
    Sms1601Gateway,
)

from .conftest import (
    Op,
    all_calls,
    assert_raised,
    calls,
    mobile_numbers,
    ops,
    outbound,
    sent,
    sms1601_report_url,
)
from .webhook_garbage import garbage_requests, read_garbage

USERNAME = "Jansen-BV"
PASSWORD = "Kn8#wq!Zp4 tR"
# test_password_goes_as_known_sha1 pins the algorithm with a published SHA-1 test vector.
PASSWORD_HASH = hashlib.sha1(PASSWORD.encode(), usedforsecurity=False).hexdigest()
ENDPOINT = "http://217.19.227.48/module/gateway.php"
CREDITS_URL = ENDPOINT + "?action=credits"
SEND_URL = ENDPOINT + "?delivery=ja"
NUMBER = "+31612345678"


def _gateway(session: aiohttp.ClientSession, **kwargs: Any) -> Sms1601Gateway:
    return Sms1601Gateway(session, {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}, **kwargs)


@pytest.fixture
def gateway(session: aiohttp.ClientSession) -> Sms1601Gateway:
    return _gateway(session)


_sms = partial(outbound, sender="HomeAlarm")


def _assert_account(call: RequestCall) -> None:
    """The account is in the form body, the password only as its SHA-1, never in the clear."""
    assert sent(call)["data"]["klantuser"] == USERNAME
    assert sent(call)["data"]["klantpwd"] == PASSWORD_HASH
    assert "klantpwd" not in call.kwargs["params"]
    assert PASSWORD not in repr(sent(call))
    assert call.kwargs["allow_redirects"] is False
    assert call.kwargs["timeout"] == aiohttp.ClientTimeout(total=30)


# --- the account ----------------------------------------------------------------------------


def test_registered() -> None:
    assert GATEWAYS["sms1601"] is Sms1601Gateway
    assert Sms1601Gateway.credential_fields == ("username", "password")
    capabilities = Sms1601Gateway.capabilities
    assert capabilities.credits is True
    assert capabilities.max_text_length == 459
    assert capabilities.test_mode is True
    assert capabilities.max_recipients_per_request == 100
    assert capabilities.report_portal is True
    assert capabilities.report_polling is True
    assert capabilities.report_callback is False
    assert capabilities.signed_webhooks is False


async def test_password_goes_as_known_sha1(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    gateway = Sms1601Gateway(session, {CONF_USERNAME: "u", CONF_PASSWORD: "abc"})
    mock.post(CREDITS_URL, body="5")

    await gateway.get_credits()

    (call,) = calls(mock, "POST", CREDITS_URL)
    assert sent(call)["data"]["klantpwd"] == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert "abc" not in sent(call)["data"].values()


@pytest.mark.parametrize(
    ("username", "expected"),
    [("Jansen-BV", "jansen-bv"), (" jansen-bv ", "jansen-bv"), ("sim-user", "sim-user")],
)
def test_account_id_is_the_user_name(username: str, expected: str) -> None:
    credentials = {CONF_USERNAME: username, CONF_PASSWORD: PASSWORD}

    account_id = Sms1601Gateway.account_id(credentials)

    assert account_id == expected
    assert PASSWORD not in account_id
    assert PASSWORD_HASH not in account_id
    # Another password for the same user is the same account (a reauth keeps the entry).
    assert account_id == Sms1601Gateway.account_id({**credentials, CONF_PASSWORD: "new"})


# --- credits --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "remaining"),
    [
        ("476", 476.0),
        ("0", 0.0),
        (" 476\r\n", 476.0),
        ("<html><body>476</body></html>", 476.0),
        ("<p>\n  476\n</p>", 476.0),
        ("12.5", 12.5),
        ("12,5", 12.5),
        ("-3", -3.0),
    ],
)
async def test_get_credits(
    gateway: Sms1601Gateway, mock: aioresponses, body: str, remaining: float
) -> None:
    mock.post(CREDITS_URL, body=body, content_type="text/html")

    credits = await gateway.get_credits()

    assert credits == Credits(remaining=remaining)
    assert all_calls(mock) == [("POST", URL(CREDITS_URL))]
    (call,) = calls(mock, "POST", CREDITS_URL)
    _assert_account(call)
    assert call.kwargs["params"] == {"action": "credits"}
    assert set(sent(call)["data"]) == {"klantuser", "klantpwd"}


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   ",
        "OK",
        "OK 476",
        "credits: 476",
        "476 credits",
        "4 76",
        "<html><head><title>Onderhoud</title></head><body>Zo terug</body></html>",
        "1" * 13,
    ],
)
async def test_credits_garbage(gateway: Sms1601Gateway, mock: aioresponses, body: str) -> None:
    mock.post(CREDITS_URL, body=body)

    with pytest.raises(errors.GatewayUnavailableError) as raised:
        await gateway.get_credits()

    assert raised.value.code == "unexpected_reply"


async def test_validate_credentials_asks_for_credits(
    gateway: Sms1601Gateway, mock: aioresponses
) -> None:
    mock.post(CREDITS_URL, body="476")

    await gateway.validate_credentials()

    assert all_calls(mock) == [("POST", URL(CREDITS_URL))]
    _assert_account(calls(mock, "POST", CREDITS_URL)[0])


async def test_validate_credentials_refused(gateway: Sms1601Gateway, mock: aioresponses) -> None:
    mock.post(CREDITS_URL, body="ERROR 104")

    with pytest.raises(errors.AuthenticationError, match=r"^ERROR 104$"):
        await gateway.validate_credentials()


# --- sending --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "afzender"),
    [
        pytest.param("HomeAlarm", {"afzender": "HomeAlarm"}, id="name"),
        pytest.param("31612345678", {"afzender": "+31612345678"}, id="number-gets-plus"),
        pytest.param(None, {}, id="none"),
        pytest.param("", {}, id="empty"),
    ],
)
async def test_send(
    gateway: Sms1601Gateway, mock: aioresponses, sender: str | None, afzender: dict[str, str]
) -> None:
    mock.post(SEND_URL, body="OK 1234567")

    receipt = await gateway.send(_sms(NUMBER, "+32478123456", sender=sender))

    assert receipt == SendReceipt(
        messages=(
            SentMessage(NUMBER, "1234567", DeliveryStatus.ACCEPTED),
            SentMessage("+32478123456", "1234567", DeliveryStatus.ACCEPTED),
        ),
        credits=None,
    )
    assert all_calls(mock) == [("POST", URL(SEND_URL))]
    (call,) = calls(mock, "POST", SEND_URL)
    _assert_account(call)
    assert call.kwargs["params"] == {"delivery": "ja"}
    assert sent(call)["data"] == {
        "klantuser": USERNAME,
        "klantpwd": PASSWORD_HASH,
        "bericht": "Hallo",
        # Country code first, no "+": the document's 32478123456.
        "naar": "31612345678,32478123456",
        **afzender,
    }


async def test_send_keeps_text_verbatim(gateway: Sms1601Gateway, mock: aioresponses) -> None:
    text = 'Regel 1\nRegel 2 & "quotes" 100% = ok?'
    mock.post(SEND_URL, body="OK 1")

    await gateway.send(_sms(text=text))

    # aiohttp form-encodes the body, the url-encoding the document asks for.
    assert sent(calls(mock, "POST", SEND_URL)[0])["data"]["bericht"] == text


@pytest.mark.parametrize(
    ("text", "segments", "long"),
    [
        pytest.param("a" * 160, 1, False, id="160"),
        pytest.param("a" * 161, 2, True, id="161"),
        pytest.param("a" * 459, 3, True, id="459"),
        pytest.param("€" * 100, 2, True, id="escapes-over-160-septets"),
        pytest.param("°" * 71, 2, True, id="ucs2-two-parts"),
    ],
)
async def test_long_messages(
    gateway: Sms1601Gateway, mock: aioresponses, text: str, segments: int, long: bool
) -> None:
    mock.post(SEND_URL + ("&type=long" if long else ""), body="OK 7")

    receipt = await gateway.send(_sms(text=text, segments=segments))

    assert receipt.messages[0].message_id == "7"
    (key,) = all_calls(mock)
    assert ("type" in key[1].query) is long
    if long:
        assert key[1].query["type"] == "long"


@pytest.mark.parametrize(
    ("text", "segments", "code"),
    [
        pytest.param("a" * 460, 4, "max_459", id="460-characters"),
        pytest.param("°" * 202, 4, "max_3_parts", id="ucs2-four-parts"),
        pytest.param("€" * 230, 4, "max_3_parts", id="escapes-four-parts"),
    ],
)
async def test_too_long_refused_before_sending(
    gateway: Sms1601Gateway, mock: aioresponses, text: str, segments: int, code: str
) -> None:
    with pytest.raises(errors.MessageTooLongError) as raised:
        await gateway.send(_sms(text=text, segments=segments))

    assert raised.value.code == code
    assert all_calls(mock) == []


@pytest.mark.parametrize(("test_mode", "query"), [(True, {"test": "ja"}), (False, {})])
async def test_test_mode(
    session: aiohttp.ClientSession,
    mock: aioresponses,
    test_mode: bool,
    query: dict[str, str],
) -> None:
    gateway = _gateway(session, test_mode=test_mode)
    mock.post(URL(SEND_URL).update_query(query), body="OK 99")

    await gateway.send(_sms())

    (call,) = calls(mock, "POST", str(URL(SEND_URL).update_query(query)))
    assert call.kwargs["params"] == {"delivery": "ja", **query}


@pytest.mark.parametrize(
    ("body", "message_id"),
    [
        pytest.param("OK 1234567", "1234567", id="plain"),
        pytest.param("OK 1234567\n", "1234567", id="newline"),
        pytest.param("\r\n  OK   1234567 \r\n", "1234567", id="whitespace"),
        pytest.param("<html><body>OK 1234567</body></html>", "1234567", id="html"),
        pytest.param("<p>OK<br/>1234567</p>", "1234567", id="tags-between"),
        pytest.param("OK&nbsp;1234567", "1234567", id="entity"),
        pytest.param("ok 42", "42", id="lower-case"),
        pytest.param("OK", None, id="bare-ok"),
    ],
)
async def test_ok_reply(
    gateway: Sms1601Gateway, mock: aioresponses, body: str, message_id: str | None
) -> None:
    mock.post(SEND_URL, body=body, content_type="text/html")

    receipt = await gateway.send(_sms())

    assert receipt.messages == (SentMessage(NUMBER, message_id, DeliveryStatus.ACCEPTED),)


@pytest.mark.parametrize(
    "body",
    [
        "",
        "1234567",
        "OK abc",
        "OK 12 34",
        "OKAY 1234567",
        "NOT OK 1234567",
        "OK 1234567 OK 1234568",
        "<html><head><title>OK</title></head><body>Server down</body></html>",
        "ERROR",
        "ERROR abc",
        "ERROR 1234567",
    ],
)
async def test_send_garbage(gateway: Sms1601Gateway, mock: aioresponses, body: str) -> None:
    mock.post(SEND_URL, body=body)

    with pytest.raises(errors.GatewayUnavailableError) as raised:
        await gateway.send(_sms())

    assert raised.value.code == "unexpected_reply"


@pytest.mark.parametrize(
    ("count", "batches"), [(1, [1]), (100, [100]), (101, [100, 1]), (250, [100, 100, 50])]
)
async def test_send_batches_of_100(
    gateway: Sms1601Gateway, mock: aioresponses, count: int, batches: list[int]
) -> None:
    numbers = mobile_numbers(count)
    for index in range(len(batches)):
        mock.post(SEND_URL, body=f"OK {index + 1}")

    receipt = await gateway.send(_sms(*numbers))

    went = [sent(call)["data"]["naar"].split(",") for call in calls(mock, "POST", SEND_URL)]
    assert [len(batch) for batch in went] == batches
    assert [number for batch in went for number in batch] == [n[1:] for n in numbers]
    expected_ids = [str(index + 1) for index, size in enumerate(batches) for _ in range(size)]
    assert [message.message_id for message in receipt.messages] == expected_ids
    assert [message.recipient for message in receipt.messages] == list(numbers)


async def test_send_stops_at_failing_batch(gateway: Sms1601Gateway, mock: aioresponses) -> None:
    mock.post(SEND_URL, body="OK 1")
    mock.post(SEND_URL, body="ERROR 108")
    mock.post(SEND_URL, body="OK 3")

    with pytest.raises(errors.PartialSendError) as raised:
        await gateway.send(_sms(*(f"+316{index:08d}" for index in range(250))))

    assert type(raised.value.cause) is errors.InsufficientCreditsError
    assert len(calls(mock, "POST", SEND_URL)) == 2


# --- the document's error codes -------------------------------------------------------------

ERROR_CODES: dict[int, type[errors.GatewayError]] = {
    100: errors.GatewayUnavailableError,
    101: errors.GatewayUnavailableError,
    102: errors.GatewayUnavailableError,
    103: errors.GatewayUnavailableError,
    104: errors.AuthenticationError,
    105: errors.MessageTooLongError,
    106: errors.InvalidRecipientError,
    107: errors.InvalidRecipientError,
    108: errors.InsufficientCreditsError,
    109: errors.InvalidSenderError,
    110: errors.InvalidSenderError,
    111: errors.InvalidSenderError,
    112: errors.InvalidRecipientError,
    113: errors.InvalidSenderError,
    114: errors.InvalidRecipientError,
    115: errors.InsufficientCreditsError,
    116: errors.AuthenticationError,
    117: errors.InvalidSenderError,
    118: errors.MessageTooLongError,
    119: errors.MessageTooLongError,
    120: errors.GatewayUnavailableError,
    121: errors.InvalidScheduleError,  # "the date is in the past or is not correct"
    122: errors.ScheduleNotFoundError,  # "no matching message was found"
    123: errors.GatewayUnavailableError,
    124: errors.GatewayUnavailableError,
    125: errors.GatewayUnavailableError,
    126: errors.GatewayUnavailableError,
    150: errors.GatewayUnavailableError,
    999: errors.GatewayUnavailableError,
}
BLOCKED = {115: " account_blocked_unpaid", 116: " account_blocked"}


@pytest.mark.parametrize("op", ops("sms1601", "credits", "validate", "send"))
@pytest.mark.parametrize(("code", "error_class"), ERROR_CODES.items())
async def test_error_codes(
    gateway: Sms1601Gateway,
    mock: aioresponses,
    op: Op,
    code: int,
    error_class: type[errors.GatewayError],
) -> None:
    mock.add(op.url, op.method, body=f"ERROR {code}\n", content_type="text/html")

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    code_text = f"ERROR {code}{BLOCKED.get(code, '')}"
    # An ERROR line is 1601SMS's own refusal: the message certainly did not go out.
    expected = (
        errors.GatewayUnavailableError(code_text, not_sent=True)
        if error_class is errors.GatewayUnavailableError
        else error_class(code_text)
    )
    assert_raised(raised, expected, send=op.name == "send")


@pytest.mark.parametrize(
    "body",
    [
        "ERROR 108",
        "  ERROR 108 \n",
        "<html><body><b>ERROR 108</b></body></html>",
        "ERROR108",
        "ERROR: 108",
        "error 108",
        "ERROR 108 You do not have sufficient credits left",
    ],
)
async def test_error_reply_shapes(gateway: Sms1601Gateway, mock: aioresponses, body: str) -> None:
    mock.post(SEND_URL, body=body)

    with pytest.raises(errors.InsufficientCreditsError) as raised:
        await gateway.send(_sms())

    # Only the code is kept; the gateway's words stay out of the error.
    assert raised.value.code == "ERROR 108"


@pytest.mark.parametrize("status", [200, 400, 404])
async def test_error_reply_with_any_non_failing_status(
    gateway: Sms1601Gateway, mock: aioresponses, status: int
) -> None:
    mock.post(SEND_URL, status=status, body="ERROR 106")

    with pytest.raises(errors.InvalidRecipientError, match=r"^ERROR 106$"):
        await gateway.send(_sms())


# --- the status over an error reply (the rest of Gateway._request: test_transport.py) -----


@pytest.mark.parametrize("op", ops("sms1601"))
async def test_status_over_an_error_reply(
    gateway: Sms1601Gateway, mock: aioresponses, op: Op
) -> None:
    op.prepare(mock)
    mock.add(op.url, op.method, status=500, body="ERROR 120")

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    assert_raised(raised, errors.GatewayUnavailableError("500"), send=op.name == "send")
    assert raised.value.__cause__ is None
    assert len(calls(mock, op.method, op.url)) == 1
    # A poll stops at the failure; the integration asks again later.
    assert len(all_calls(mock)) == 1 + len(op.before)


# --- where the gateway is -------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8080/sms1601/module",
        "http://127.0.0.1:8080/sms1601/module/",
        "http://127.0.0.1:8080/sms1601/module/gateway.php",
        "http://127.0.0.1:8080/sms1601/module/gateway.php/",
    ],
    ids=["folder", "folder-slash", "endpoint", "endpoint-slash"],
)
async def test_custom_base_url(
    session: aiohttp.ClientSession, mock: aioresponses, base_url: str
) -> None:
    gateway = _gateway(session, base_url=base_url)
    endpoint = "http://127.0.0.1:8080/sms1601/module/gateway.php"
    mock.post(endpoint + "?action=credits", body="7")
    mock.post(endpoint + "?delivery=ja", body="OK 8")

    assert await gateway.get_credits() == Credits(7.0)
    await gateway.send(_sms())

    assert all_calls(mock) == [
        ("POST", URL(endpoint + "?action=credits")),
        ("POST", URL(endpoint + "?delivery=ja")),
    ]


# --- secrets --------------------------------------------------------------------------------


@pytest.mark.parametrize("op", ops("sms1601", "credits", "validate", "send"))
async def test_error_reply_never_holds_the_password_or_its_hash(
    gateway: Sms1601Gateway, mock: aioresponses, op: Op
) -> None:
    mock.add(op.url, op.method, body=f"ERROR 104 klantpwd={PASSWORD_HASH}")

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    err = raised.value
    # Raised "from None": aiohttp's text, which can hold the request, does not ride along.
    assert err.__cause__ is None
    assert err.__context__ is None or err.__suppress_context__
    for text in (str(err), repr(err), str(err.code), *map(str, err.args)):
        assert PASSWORD not in text
        assert PASSWORD_HASH[:12] not in text


async def test_plain_password_never_on_the_wire(
    gateway: Sms1601Gateway, mock: aioresponses
) -> None:
    mock.post(CREDITS_URL, body="5")
    mock.post(SEND_URL + "&type=long", body="OK 1")

    await gateway.validate_credentials()
    await gateway.send(_sms(text="a" * 200, segments=2))

    made = [(key, call) for key, requests in mock.requests.items() for call in requests]
    assert len(made) == 2
    for key, call in made:
        assert PASSWORD not in str(key[1])
        assert PASSWORD_HASH not in str(key[1])
        assert PASSWORD not in repr(sent(call))
        assert sent(call)["data"]["klantpwd"] == PASSWORD_HASH


# --- sender names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "error"),
    [
        ("HomeAlarm", None),
        ("A" * 11, None),
        ("A" * 12, "sender_too_long"),
        ("31612345678", None),
        ("1" * 15, None),
        ("1" * 16, "sender_too_long"),
        ("+31612345678", "sender_characters"),
        ("Home Alarm", "sender_characters"),
    ],
)
async def test_sender_rule(
    gateway: Sms1601Gateway, mock: aioresponses, sender: str, error: str | None
) -> None:
    mock.post(SEND_URL, body="OK 1")

    if error is None:
        await gateway.send(_sms(sender=sender))
        assert len(calls(mock, "POST", SEND_URL)) == 1
        return
    with pytest.raises(errors.InvalidSenderError) as raised:
        await gateway.send(_sms(sender=sender))
    assert raised.value.code == error
    assert all_calls(mock) == []


# --- delivery reports: the portal's notification URL ---------------------------------------


def _webhook(
    query: dict[str, str] | None = None, *, form: dict[str, str] | None = None, method: str = "GET"
) -> WebhookRequest:
    return WebhookRequest(method=method, query=query or {}, form=form or {}, body=b"", headers={})


async def test_send_names_no_report_url(gateway: Sms1601Gateway, mock: aioresponses) -> None:
    # The report URL is set once in the 1601SMS portal; a send only asks for an id.
    mock.post(SEND_URL, body="OK 1234567")

    await gateway.send(_sms(report_url="https://home.example.nl/api/webhook/abc"))

    (call,) = calls(mock, "POST", SEND_URL)
    assert call.kwargs["params"] == {"delivery": "ja"}
    assert set(sent(call)["data"]) == {"klantuser", "klantpwd", "bericht", "naar", "afzender"}


REPORT_STATUSES = [
    ("DELIVERED", DeliveryStatus.DELIVERED),
    ("NOT DELIVERED", DeliveryStatus.UNDELIVERED),
    ("BUFFERED", DeliveryStatus.BUFFERED),
    ("SUBMITTED", DeliveryStatus.ACCEPTED),
    ("REJECTED", DeliveryStatus.REJECTED),
    ("NONE", DeliveryStatus.UNKNOWN),
]


@pytest.mark.parametrize(("code", "status"), REPORT_STATUSES)
def test_webhook_statuses(gateway: Sms1601Gateway, code: str, status: DeliveryStatus) -> None:
    query = {"smsid": "1234567", "datum": "20240115103000", "status": code, "referentie": "x"}

    content = gateway.parse_webhook(_webhook(query))

    assert content == WebhookContent(
        reports=(
            DeliveryReport(
                "1234567",
                status,
                gateway_code=code,
                timestamp=datetime(2024, 1, 15, 9, 30, tzinfo=UTC),
                reference="x",  # "smsid, datum (date) (yyyymmdduummss), status, referentie"
            ),
        ),
        inbound=(),
    )


@pytest.mark.parametrize(
    ("datum", "timestamp"),
    [
        pytest.param("20240115103000", datetime(2024, 1, 15, 9, 30, tzinfo=UTC), id="winter"),
        pytest.param("20240715103000", datetime(2024, 7, 15, 8, 30, tzinfo=UTC), id="summer"),
        pytest.param("20241231235959", datetime(2024, 12, 31, 22, 59, 59, tzinfo=UTC), id="eve"),
        pytest.param(" 20240115103000 ", datetime(2024, 1, 15, 9, 30, tzinfo=UTC), id="spaces"),
        pytest.param(None, None, id="absent"),
        pytest.param("", None, id="empty"),
        pytest.param("202401151030", None, id="no-seconds"),
        pytest.param("15/01/2024 10:30:00", None, id="other-layout"),
        pytest.param("20241315103000", None, id="month-13"),
        pytest.param("20240230103000", None, id="30-february"),
        pytest.param("20240115250000", None, id="hour-25"),
    ],
)
def test_webhook_datum_is_dutch_time(
    gateway: Sms1601Gateway, datum: str | None, timestamp: datetime | None
) -> None:
    query = {"smsid": "1", "status": "DELIVERED"} | ({"datum": datum} if datum is not None else {})

    (report,) = gateway.parse_webhook(_webhook(query)).reports

    # A date that is not one costs the timestamp, not the report.
    assert report.status is DeliveryStatus.DELIVERED
    assert report.timestamp == timestamp
    if timestamp is not None:
        assert report.timestamp is not None
        assert report.timestamp.tzinfo is UTC


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(_webhook({"smsid": "42", "status": "NOT DELIVERED"}), id="query"),
        pytest.param(_webhook({"smsid": "42", "status": "not delivered"}), id="lower-case"),
        pytest.param(_webhook({"smsid": "42", "status": " NOT  DELIVERED\t"}), id="spacing"),
        pytest.param(_webhook({"smsid": " 42 ", "status": "NOT DELIVERED"}), id="id-spaces"),
        pytest.param(
            _webhook(form={"smsid": "42", "status": "NOT DELIVERED"}, method="POST"), id="form"
        ),
        pytest.param(
            _webhook({"smsid": "42"}, form={"status": "NOT DELIVERED"}, method="POST"), id="split"
        ),
        pytest.param(
            _webhook(
                {"smsid": "42", "status": "NOT DELIVERED"},
                form={"smsid": "9", "status": "DELIVERED"},
                method="POST",
            ),
            id="query-wins",
        ),
        pytest.param(
            _webhook({"smsid": "42", "status": "NOT DELIVERED"}, method="get"), id="get-lower"
        ),
    ],
)
def test_webhook_where_the_fields_are(gateway: Sms1601Gateway, request_: WebhookRequest) -> None:
    content = gateway.parse_webhook(request_)

    assert content.reports == (
        DeliveryReport("42", DeliveryStatus.UNDELIVERED, gateway_code="NOT DELIVERED"),
    )


@pytest.mark.parametrize("code", ["EXPIRED", "FAILED", "NOT SENT", "DELIVRD", "STATUS_9"])
def test_webhook_unknown_status(gateway: Sms1601Gateway, code: str) -> None:
    (report,) = gateway.parse_webhook(_webhook({"smsid": "42", "status": code})).reports

    assert report == DeliveryReport("42", DeliveryStatus.UNKNOWN, gateway_code=code)


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(_webhook({"smsid": "42", "status": "DELIVERED"}, method="PUT"), id="put"),
        pytest.param(_webhook({"smsid": "42", "status": "DELIVERED"}, method="HEAD"), id="head"),
        pytest.param(_webhook({}), id="empty"),
        pytest.param(_webhook({"status": "DELIVERED"}), id="no-smsid"),
        pytest.param(_webhook({"smsid": "42"}), id="no-status"),
        pytest.param(_webhook({"smsid": "", "status": "DELIVERED"}), id="empty-smsid"),
        pytest.param(_webhook({"smsid": "abc", "status": "DELIVERED"}), id="word-smsid"),
        pytest.param(_webhook({"smsid": "-42", "status": "DELIVERED"}), id="negative-smsid"),
        pytest.param(_webhook({"smsid": "1" * 21, "status": "DELIVERED"}), id="long-smsid"),
        pytest.param(_webhook({"smsid": "42", "status": ""}), id="empty-status"),
        pytest.param(_webhook({"smsid": "42", "status": "11"}), id="number-status"),
        pytest.param(_webhook({"smsid": "42", "status": "NOT DE LIVERED"}), id="three-words"),
        pytest.param(_webhook({"smsid": "42", "status": "<b>DELIVERED</b>"}), id="html"),
        pytest.param(_webhook({"smsid": "42", "status": "D" * 33}), id="long-status"),
    ],
)
def test_invalid_webhooks(gateway: Sms1601Gateway, request_: WebhookRequest) -> None:
    with pytest.raises(errors.InvalidWebhookError):
        gateway.parse_webhook(request_)


@pytest.mark.parametrize("seed", range(5))
def test_garbage_webhooks(gateway: Sms1601Gateway, seed: int) -> None:
    requests = list(garbage_requests(seed))

    contents = read_garbage(gateway, requests)

    # Both ways out were taken: the garbage reached the status, not only the id check.
    assert 0 < len(contents) < len(requests)
    for content in contents:
        (report,) = content.reports
        assert report.status is DeliveryStatus.UNKNOWN
        assert report.message_id.isascii()
        assert report.message_id.isdigit()
        assert report.timestamp is None or report.timestamp.tzinfo is UTC
        assert content.inbound == ()


async def test_webhook_names_the_message_the_send_gave(
    gateway: Sms1601Gateway, mock: aioresponses
) -> None:
    mock.post(SEND_URL, body="OK 1234567")
    receipt = await gateway.send(_sms(NUMBER, "+32478123456"))

    content = gateway.parse_webhook(_webhook({"smsid": "1234567", "status": "DELIVERED"}))

    assert {message.message_id for message in receipt.messages} == {
        report.message_id for report in content.reports
    }


# --- delivery reports: asking gatewayrapport.php -------------------------------------------


DOCUMENT_TIME = datetime(2012, 2, 1, 9, 23, 10, tzinfo=UTC)
"""The document's ``01/02/2012 10:23:10``, Dutch winter time, in UTC."""


@pytest.mark.parametrize(
    ("body", "code", "timestamp"),
    [
        pytest.param("DELIVERED", "DELIVERED", None, id="bare"),
        pytest.param("DELIVERED 01/02/2012 10:23:10", "DELIVERED", DOCUMENT_TIME, id="document"),
        pytest.param(
            "NOT DELIVERED 15/07/2024 10:30:00",
            "NOT DELIVERED",
            datetime(2024, 7, 15, 8, 30, tzinfo=UTC),
            id="not-delivered-summer",
        ),
        pytest.param("BUFFERED\n", "BUFFERED", None, id="newline"),
        pytest.param("<html><body>SUBMITTED</body></html>", "SUBMITTED", None, id="html"),
        pytest.param("  rejected  ", "REJECTED", None, id="lower-case"),
        pytest.param("NOT<br>DELIVERED", "NOT DELIVERED", None, id="tag-between"),
        pytest.param("NONE", "NONE", None, id="none"),
        pytest.param("DELIVERED 31/02/2012 10:23:10", "DELIVERED", None, id="no-such-day"),
    ],
)
async def test_get_delivery_reports(
    gateway: Sms1601Gateway,
    mock: aioresponses,
    body: str,
    code: str,
    timestamp: datetime | None,
) -> None:
    mock.get(sms1601_report_url("1234567"), body=body, content_type="text/html")

    reports = await gateway.get_delivery_reports(["1234567"])

    status = dict(REPORT_STATUSES)[code]
    assert reports == [DeliveryReport("1234567", status, gateway_code=code, timestamp=timestamp)]


async def test_report_request_on_the_wire(gateway: Sms1601Gateway, mock: aioresponses) -> None:
    mock.get(sms1601_report_url("1234567"), body="DELIVERED")

    await gateway.get_delivery_reports(["1234567"])

    assert all_calls(mock) == [("GET", URL(sms1601_report_url("1234567")))]
    (call,) = mock.requests[("GET", URL(sms1601_report_url("1234567")))]
    # The document's report URL carries only the id: no account, so no hash on the wire.
    assert call.kwargs["params"] == {"smsid": "1234567", "datum": "ja"}
    assert sent(call).get("data") is None
    assert PASSWORD_HASH not in repr(sent(call))
    assert USERNAME not in repr(sent(call))
    assert call.kwargs["allow_redirects"] is False


async def test_one_request_per_message(gateway: Sms1601Gateway, mock: aioresponses) -> None:
    mock.get(sms1601_report_url("1"), body="DELIVERED")
    mock.get(sms1601_report_url("2"), body="NOT DELIVERED")
    mock.get(sms1601_report_url("3"), body="BUFFERED")

    reports = await gateway.get_delivery_reports(["1", "2", "1", "3"])

    assert [(report.message_id, report.status) for report in reports] == [
        ("1", DeliveryStatus.DELIVERED),
        ("2", DeliveryStatus.UNDELIVERED),
        ("3", DeliveryStatus.BUFFERED),
    ]
    # The id asked twice is asked once.
    assert all_calls(mock) == [("GET", URL(sms1601_report_url(i))) for i in ("1", "2", "3")]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "ERROR 124",
        "EXPIRED",
        "DELIVERED yesterday",
        "DELIVERED DELIVERED",
        "OK 1234567",
        "<html><head><title>Onderhoud</title></head><body>Zo terug</body></html>",
    ],
)
async def test_report_without_a_known_status_is_skipped(
    gateway: Sms1601Gateway, mock: aioresponses, body: str
) -> None:
    mock.get(sms1601_report_url("1"), body=body)
    mock.get(sms1601_report_url("2"), body="DELIVERED")

    reports = await gateway.get_delivery_reports(["1", "2"])

    assert reports == [DeliveryReport("2", DeliveryStatus.DELIVERED, gateway_code="DELIVERED")]


@pytest.mark.parametrize("message_id", ["", "abc", "12 34", "1" * 21, "1&smsid=2"])
async def test_ids_that_are_no_smsid_are_not_asked(
    gateway: Sms1601Gateway, mock: aioresponses, message_id: str
) -> None:
    assert await gateway.get_delivery_reports([message_id]) == []
    assert all_calls(mock) == []


async def test_no_ids_no_requests(gateway: Sms1601Gateway, mock: aioresponses) -> None:
    assert await gateway.get_delivery_reports([]) == []
    assert all_calls(mock) == []


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:8080/sms1601/module/",
        "http://127.0.0.1:8080/sms1601/module/gateway.php",
    ],
    ids=["folder", "endpoint"],
)
async def test_report_endpoint_beside_gateway_php(
    session: aiohttp.ClientSession, mock: aioresponses, base_url: str
) -> None:
    gateway = _gateway(session, base_url=base_url)
    url = "http://127.0.0.1:8080/sms1601/module/gatewayrapport.php?datum=ja&smsid=5"
    mock.get(url, body="DELIVERED")

    reports = await gateway.get_delivery_reports(["5"])

    assert [report.status for report in reports] == [DeliveryStatus.DELIVERED]
    assert all_calls(mock) == [("GET", URL(url))]


def test_webhook_secret_is_taken(session: aiohttp.ClientSession) -> None:
    # The integration passes a webhook secret to every gateway; 1601SMS signs nothing.
    gateway = _gateway(session, webhook_secret="s3cret")

    content = gateway.parse_webhook(_webhook({"smsid": "1", "status": "DELIVERED"}))

    assert content.reports[0].status is DeliveryStatus.DELIVERED
