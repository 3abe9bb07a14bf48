"""Wire tests for the SMS Service Center client, against its API v2 document."""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from aioresponses.core import RequestCall
from yarl import URL

from custom_components.benelux_sms.gateways import GATEWAYS, errors
from custom_components.benelux_sms.gateways.base import (
    Credits,
    DeliveryStatus,
    SenderRule,
    SendReceipt,
    SentMessage,
)
from custom_components.benelux_sms.gateways.smsservicecenter import (
    CONF_API_KEY,
    SmsServiceCenterGateway,
)

from .conftest import Op, all_calls, assert_raised, calls, mobile_numbers, ops, outbound, sent

API_KEY = "sk_test_Zq8wJ3vKp2Lx9RtY7mNb4Hc6"
BASE = "https://www.smsservicecenter.nl/api/v2/"
CREDITS_URL = BASE + "credits"
SEND_URL = BASE + "send"
MESSAGE_ID = "f89d33b3-da08-40fe-b4be-182a381b8e77"
NUMBER = "+31612345678"


@pytest.fixture
def gateway(session: aiohttp.ClientSession) -> SmsServiceCenterGateway:
    return SmsServiceCenterGateway(session, {CONF_API_KEY: API_KEY})


def _success(details: object) -> dict[str, object]:
    return {"status": "success", "details": details}


def _send_success(message_id: str = MESSAGE_ID) -> dict[str, object]:
    return _success({"messageid": message_id, "testmode": False})


def _assert_common_request(call: RequestCall) -> None:
    headers = call.kwargs["headers"]
    assert headers["Authorization"] == f"Bearer {API_KEY}"
    assert headers["Accept"] == "application/json"
    assert call.kwargs["allow_redirects"] is False
    assert call.kwargs["timeout"] == aiohttp.ClientTimeout(total=30)


# --- the happy paths, as the document describes them ---------------------------------------


def test_registered() -> None:
    assert GATEWAYS["smsservicecenter"] is SmsServiceCenterGateway
    assert SmsServiceCenterGateway.capabilities.credits is True
    assert SmsServiceCenterGateway.capabilities.max_recipients_per_request == 50


@pytest.mark.parametrize(("details", "remaining"), [(3, 3.0), (0, 0.0), (12.5, 12.5)])
async def test_get_credits(
    gateway: SmsServiceCenterGateway, mock: aioresponses, details: float, remaining: float
) -> None:
    mock.get(CREDITS_URL, payload=_success(details))

    credits = await gateway.get_credits()

    assert credits == Credits(remaining=remaining)
    assert isinstance(credits.remaining, float)
    assert all_calls(mock) == [("GET", URL(CREDITS_URL))]
    (call,) = calls(mock, "GET", CREDITS_URL)
    _assert_common_request(call)
    assert call.kwargs.get("json") is None
    assert sent(call).get("data") is None
    assert call.kwargs.get("params") is None


async def test_validate_credentials_asks_for_credits(
    gateway: SmsServiceCenterGateway, mock: aioresponses
) -> None:
    mock.get(CREDITS_URL, payload=_success(3))

    await gateway.validate_credentials()

    assert all_calls(mock) == [("GET", URL(CREDITS_URL))]
    _assert_common_request(calls(mock, "GET", CREDITS_URL)[0])


@pytest.mark.parametrize(
    ("sender", "expected_body"),
    [
        pytest.param(
            "Benelux",
            {"numbers": [NUMBER, "+32470123456"], "message": "Hallo", "sendname": "Benelux"},
            id="with-sender",
        ),
        pytest.param(
            None, {"numbers": [NUMBER, "+32470123456"], "message": "Hallo"}, id="no-sender"
        ),
        pytest.param("", {"numbers": [NUMBER, "+32470123456"], "message": "Hallo"}, id="empty"),
    ],
)
async def test_send(
    gateway: SmsServiceCenterGateway,
    mock: aioresponses,
    sender: str | None,
    expected_body: dict[str, object],
) -> None:
    mock.post(SEND_URL, payload=_send_success())

    receipt = await gateway.send(outbound(NUMBER, "+32470123456", sender=sender))

    assert receipt == SendReceipt(
        messages=(
            SentMessage(NUMBER, MESSAGE_ID, DeliveryStatus.ACCEPTED),
            SentMessage("+32470123456", MESSAGE_ID, DeliveryStatus.ACCEPTED),
        ),
        credits=None,
    )
    assert all_calls(mock) == [("POST", URL(SEND_URL))]
    (call,) = calls(mock, "POST", SEND_URL)
    _assert_common_request(call)
    assert call.kwargs["json"] == expected_body
    assert sent(call)["data"] is None
    # What actually goes on the wire is JSON with the numbers as a list.
    assert json.loads(json.dumps(call.kwargs["json"]))["numbers"] == [NUMBER, "+32470123456"]


async def test_send_keeps_text_verbatim(
    gateway: SmsServiceCenterGateway, mock: aioresponses
) -> None:
    text = 'Regel 1\nRegel 2 — €5 & "quotes" 😀'
    mock.post(SEND_URL, payload=_send_success())

    await gateway.send(outbound(text=text))

    assert calls(mock, "POST", SEND_URL)[0].kwargs["json"]["message"] == text


@pytest.mark.parametrize(
    "base_url",
    ["https://sms.example.test/api/v2", "https://sms.example.test/api/v2/"],
    ids=["no-slash", "slash"],
)
async def test_custom_base_url(
    session: aiohttp.ClientSession, mock: aioresponses, base_url: str
) -> None:
    gateway = SmsServiceCenterGateway(session, {CONF_API_KEY: API_KEY}, base_url=base_url)
    mock.get("https://sms.example.test/api/v2/credits", payload=_success(7))
    mock.post("https://sms.example.test/api/v2/send", payload=_send_success())

    assert await gateway.get_credits() == Credits(7.0)
    await gateway.send(outbound())

    assert all_calls(mock) == [
        ("GET", URL("https://sms.example.test/api/v2/credits")),
        ("POST", URL("https://sms.example.test/api/v2/send")),
    ]


@pytest.mark.parametrize(
    ("count", "batches"),
    [(1, [1]), (50, [50]), (51, [50, 1]), (100, [50, 50]), (101, [50, 50, 1])],
)
async def test_send_batches_of_50(
    gateway: SmsServiceCenterGateway, mock: aioresponses, count: int, batches: list[int]
) -> None:
    numbers = mobile_numbers(count)
    for index in range(len(batches)):
        mock.post(SEND_URL, payload=_send_success(f"id-{index}"))

    receipt = await gateway.send(outbound(*numbers, sender="Benelux"))

    sent = calls(mock, "POST", SEND_URL)
    assert [len(call.kwargs["json"]["numbers"]) for call in sent] == batches
    # Every number goes out exactly once, in order, and each batch carries the same text.
    assert [n for call in sent for n in call.kwargs["json"]["numbers"]] == list(numbers)
    assert all(call.kwargs["json"]["message"] == "Hallo" for call in sent)
    assert all(call.kwargs["json"]["sendname"] == "Benelux" for call in sent)
    # Each recipient carries the id of the request that took it.
    expected_ids = [f"id-{index}" for index, size in enumerate(batches) for _ in range(size)]
    assert [message.recipient for message in receipt.messages] == list(numbers)
    assert [message.message_id for message in receipt.messages] == expected_ids
    assert {message.status for message in receipt.messages} == {DeliveryStatus.ACCEPTED}


async def test_send_stops_at_failing_batch(
    gateway: SmsServiceCenterGateway, mock: aioresponses
) -> None:
    mock.post(SEND_URL, payload=_send_success("id-0"))
    mock.post(SEND_URL, payload={"status": "credits.error", "message": "Not enough credits"})
    mock.post(SEND_URL, payload=_send_success("id-2"))

    with pytest.raises(errors.PartialSendError) as raised:
        await gateway.send(outbound(*mobile_numbers(120)))

    assert type(raised.value.cause) is errors.InsufficientCreditsError
    assert len(calls(mock, "POST", SEND_URL)) == 2


# --- the status and the JSON in the body (the rest of Gateway._request: test_transport.py) --


@pytest.mark.parametrize("op", ops("smsservicecenter"))
@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            {"status": 401, "payload": {"message": "Unauthenticated."}},
            errors.AuthenticationError("401"),
            id="401-json",
        ),
        pytest.param(
            {"status": 500, "payload": _success(3)},
            errors.GatewayUnavailableError("500"),
            id="500-with-success-json",
        ),
    ],
)
async def test_status_over_the_body(
    gateway: SmsServiceCenterGateway,
    mock: aioresponses,
    op: Op,
    reply: dict[str, Any],
    expected: errors.GatewayError,
) -> None:
    mock.add(op.url, op.method, **reply)

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    assert_raised(raised, expected, send=op.name == "send")
    assert len(calls(mock, op.method, op.url)) == 1


# --- replies the document does not describe -------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param({"status": "success"}, id="no-details"),
        pytest.param(_success(None), id="null"),
        pytest.param(_success("3"), id="string"),
        pytest.param(_success("lots"), id="word"),
        pytest.param(_success(True), id="true"),
        pytest.param(_success(False), id="false"),
        pytest.param(_success([3]), id="list"),
        pytest.param(_success({"credits": 3}), id="object"),
    ],
)
async def test_credits_garbage(
    gateway: SmsServiceCenterGateway, mock: aioresponses, reply: dict[str, Any]
) -> None:
    mock.get(CREDITS_URL, payload=reply)

    with pytest.raises(errors.GatewayUnavailableError) as raised:
        await gateway.get_credits()

    assert raised.value.code == "unexpected_reply"


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param({"status": "success"}, id="no-details"),
        pytest.param(_success(None), id="null"),
        pytest.param(_success({}), id="empty-object"),
        pytest.param(_success({"testmode": True}), id="no-messageid"),
        pytest.param(_success({"messageid": ""}), id="empty-messageid"),
        pytest.param(_success({"messageid": None}), id="null-messageid"),
        pytest.param(_success({"messageid": 12345}), id="numeric-messageid"),
        pytest.param(_success(MESSAGE_ID), id="bare-string"),
        pytest.param(_success([{"messageid": MESSAGE_ID}]), id="list"),
    ],
)
async def test_send_garbage(
    gateway: SmsServiceCenterGateway, mock: aioresponses, reply: dict[str, Any]
) -> None:
    mock.post(SEND_URL, payload=reply)

    with pytest.raises(errors.GatewayUnavailableError) as raised:
        await gateway.send(outbound())

    assert raised.value.code == "unexpected_reply"


# --- error replies (status other than success) ---------------------------------------------


ERROR_REPLIES = [
    pytest.param(
        {"status": "credits.error", "message": "Not enough credits", "remaining": 0, "required": 2},
        errors.InsufficientCreditsError("credits.error"),
        id="credits-error",
    ),
    pytest.param(
        {"status": "error", "message": "Invalid sendname received"},
        errors.InvalidSenderError("Invalid sendname received"),
        id="sendname",
    ),
    pytest.param(
        {"status": "error", "message": "Invalid sender"},
        errors.InvalidSenderError("Invalid sender"),
        id="sender",
    ),
    pytest.param(
        {"status": "error", "message": "Invalid numbers received"},
        errors.InvalidRecipientError("Invalid numbers received"),
        id="numbers",
    ),
    pytest.param(
        {"status": "error", "message": "The Number field must be a valid phone number"},
        errors.InvalidRecipientError("The Number field must be a valid phone number"),
        id="number",
    ),
    pytest.param(
        {"status": "error", "message": "Unauthenticated."},
        errors.AuthenticationError("Unauthenticated."),
        id="unauthenticated",
    ),
    pytest.param(
        {"status": "error", "message": "Unauthorized"},
        errors.AuthenticationError("Unauthorized"),
        id="unauthorized",
    ),
    pytest.param(
        {"status": "error", "message": "Invalid API key"},
        errors.AuthenticationError("Invalid API key"),
        id="api-key",
    ),
    pytest.param(
        {"status": "error", "message": "Missing parameters"},
        errors.GatewayUnavailableError("Missing parameters", not_sent=True),
        id="missing-parameters",
    ),
    pytest.param(
        {"status": "error", "message": "Invalid request"},
        errors.GatewayUnavailableError("Invalid request", not_sent=True),
        id="invalid-request",
    ),
    pytest.param(
        {"status": "error"}, errors.GatewayUnavailableError("error", not_sent=True), id="no-message"
    ),
    pytest.param(
        {"status": "failed", "message": ""},
        errors.GatewayUnavailableError("failed", not_sent=True),
        id="empty-message",
    ),
    pytest.param({"details": 3}, errors.GatewayUnavailableError("None"), id="no-status"),
    pytest.param(
        {"status": "SUCCESS", "details": 3},
        errors.GatewayUnavailableError("SUCCESS"),
        id="upper-case",
    ),
]


@pytest.mark.parametrize("op", ops("smsservicecenter"))
@pytest.mark.parametrize(("reply", "expected"), ERROR_REPLIES)
async def test_error_replies(
    gateway: SmsServiceCenterGateway,
    mock: aioresponses,
    op: Op,
    reply: dict[str, Any],
    expected: errors.GatewayError,
) -> None:
    mock.add(op.url, op.method, payload=reply)

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    assert_raised(raised, expected, send=op.name == "send")


@pytest.mark.parametrize("status", [400, 404, 422])
async def test_error_reply_with_client_error_status(
    gateway: SmsServiceCenterGateway, mock: aioresponses, status: int
) -> None:
    # Other 4xx statuses are no transport failure: their JSON body still names the error.
    mock.post(SEND_URL, status=status, payload={"status": "error", "message": "Invalid numbers"})

    with pytest.raises(errors.InvalidRecipientError, match=r"^Invalid numbers$"):
        await gateway.send(outbound())


async def test_long_error_message_is_cut(
    gateway: SmsServiceCenterGateway, mock: aioresponses
) -> None:
    mock.get(CREDITS_URL, payload={"status": "error", "message": "x" * 500})

    with pytest.raises(errors.GatewayUnavailableError) as raised:
        await gateway.get_credits()

    assert raised.value.code == "x" * 80


# --- secrets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        pytest.param(
            {"payload": {"status": "error", "message": f"Invalid API key {API_KEY}"}},
            errors.AuthenticationError,
            id="echoed-auth",
        ),
        pytest.param(
            {"payload": {"status": "error", "message": f"Token {API_KEY} has no access"}},
            errors.GatewayUnavailableError,
            id="echoed-other",
        ),
        pytest.param(
            {"payload": {"status": f"error {API_KEY}"}},
            errors.GatewayUnavailableError,
            id="echoed-status",
        ),
        pytest.param(
            {"payload": {"status": "error", "message": f"{'x' * 70}{API_KEY}"}},
            errors.GatewayUnavailableError,
            id="echoed-at-cut",
        ),
    ],
)
async def test_errors_never_hold_the_key(
    gateway: SmsServiceCenterGateway,
    mock: aioresponses,
    kwargs: dict[str, Any],
    error: type[errors.GatewayError],
) -> None:
    mock.get(CREDITS_URL, **kwargs)

    with pytest.raises(errors.GatewayError) as raised:
        await gateway.get_credits()

    assert type(raised.value) is error
    err = raised.value
    for text in (str(err), repr(err), str(err.code), *map(str, err.args)):
        assert API_KEY not in text
        # Not even a fragment of it, as a cut message could leave.
        assert API_KEY[:12] not in text


def test_account_id() -> None:
    account_id = SmsServiceCenterGateway.account_id({CONF_API_KEY: API_KEY})

    assert re.fullmatch(r"[0-9a-f]{16}", account_id)
    assert API_KEY not in account_id
    assert account_id == SmsServiceCenterGateway.account_id({CONF_API_KEY: API_KEY})
    # Only the credential fields count.
    assert account_id == SmsServiceCenterGateway.account_id({CONF_API_KEY: API_KEY, "name": "Home"})
    assert account_id != SmsServiceCenterGateway.account_id({CONF_API_KEY: API_KEY + "x"})


def test_account_id_with_hex_key() -> None:
    key = "0123456789abcdef"
    account_id = SmsServiceCenterGateway.account_id({CONF_API_KEY: key})

    assert re.fullmatch(r"[0-9a-f]{16}", account_id)
    assert account_id != key


# --- sender names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "sender", "error"),
    [
        pytest.param(SenderRule(), "Benelux", None, id="alnum"),
        pytest.param(SenderRule(), "A" * 11, None, id="alnum-11"),
        pytest.param(SenderRule(), "Home42", None, id="letters-digits"),
        pytest.param(SenderRule(), "A" * 12, "sender_too_long", id="alnum-12"),
        pytest.param(SenderRule(), "Ben Lux", "sender_characters", id="space"),
        pytest.param(SenderRule(), "Café", "sender_characters", id="accent"),
        pytest.param(SenderRule(), "Home-SMS", "sender_characters", id="dash"),
        pytest.param(SenderRule(), "", "sender_characters", id="empty"),
        pytest.param(SenderRule(required=True), "", "sender_required", id="empty-required"),
        # kpn-sms.txt's own example: "sender": "Demo App"
        pytest.param(SenderRule(spaces=True), "Demo App", None, id="spaces"),
        pytest.param(SenderRule(spaces=True), " Demo", "sender_characters", id="leading-space"),
        pytest.param(SenderRule(spaces=True), "Demo  App", "sender_characters", id="two-spaces"),
        pytest.param(SenderRule(spaces=True), "Demo App 123", "sender_too_long", id="spaces-12"),
        pytest.param(SenderRule(), "+31612345678", "sender_characters", id="plus"),
        # Without a numeric rule a number is just an alphanumeric name.
        pytest.param(SenderRule(), "31612345678", None, id="digits-11"),
        pytest.param(SenderRule(), "316123456789", "sender_too_long", id="digits-12"),
        pytest.param(SenderRule(max_numeric=16), "3161234567890", None, id="numeric-13"),
        pytest.param(SenderRule(max_numeric=16), "1" * 16, None, id="numeric-16"),
        pytest.param(SenderRule(max_numeric=16), "1" * 17, "sender_too_long", id="numeric-17"),
        pytest.param(SenderRule(max_numeric=16), "A" * 12, "sender_too_long", id="alnum-with-num"),
        # Digits of other scripts are no phone number.
        pytest.param(SenderRule(max_numeric=16), "١٢٣٤", "sender_characters", id="arabic-digits"),
        pytest.param(SenderRule(max_numeric=16), "²³", "sender_characters", id="superscript"),
    ],
)
def test_sender_rule(rule: SenderRule, sender: str, error: str | None) -> None:
    if error is None:
        rule.check(sender)
        return
    with pytest.raises(errors.InvalidSenderError) as raised:
        rule.check(sender)
    assert raised.value.code == error
    assert str(raised.value) == error


def test_gateway_sender_rule() -> None:
    SmsServiceCenterGateway.sender_rule.check("Benelux1234")
    with pytest.raises(errors.InvalidSenderError, match=r"^sender_too_long$"):
        SmsServiceCenterGateway.sender_rule.check("Benelux12345")
