"""Wire tests for the KPN Vonage client, against kpn-vonage-sms.txt and NOTES.md."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from aioresponses.core import RequestCall
from yarl import URL

from custom_components.benelux_sms.gateways import kpn_oauth
from custom_components.benelux_sms.gateways.base import (
    AuthenticationError,
    Credits,
    DeliveryStatus,
    Encoding,
    GatewayError,
    GatewayUnavailableError,
    InsufficientCreditsError,
    InvalidRecipientError,
    InvalidSenderError,
    MessageTooLongError,
    OutboundSms,
    RateLimitedError,
    SendReceipt,
    SentMessage,
)
from custom_components.benelux_sms.gateways.kpn_vonage import KpnVonageGateway

CREDENTIALS = {"client_id": "kpn-app-id", "client_secret": "kpn-app-secret-0123456789"}
TOKEN_REQUEST = (
    "https://api-prd.kpn.com/oauth/client_credential/accesstoken?grant_type=client_credentials"
)
SEND_URL = "https://api-prd.kpn.com/communication/nexmo/sms/send"
NUMBER = "+31612345678"


@pytest.fixture(autouse=True)
def fresh_tokens() -> Iterator[None]:
    """No token survives from one test into the next."""
    kpn_oauth.TOKENS.clear()
    yield
    kpn_oauth.TOKENS.clear()


@pytest.fixture
def mock() -> Iterator[aioresponses]:
    with aioresponses() as mocked:
        mocked.post(
            TOKEN_REQUEST, payload={"access_token": "tok", "expires_in": "3599"}, repeat=True
        )
        yield mocked


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def gateway(session: aiohttp.ClientSession) -> KpnVonageGateway:
    return KpnVonageGateway(session, CREDENTIALS)


def _sms(
    *recipients: str,
    text: str = "Hallo",
    sender: str = "Benelux",
    encoding: Encoding = Encoding.GSM7,
    segments: int = 1,
) -> OutboundSms:
    return OutboundSms(recipients or (NUMBER,), text, sender, encoding, segments)


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


def _sends(mock: aioresponses) -> list[RequestCall]:
    return list(mock.requests.get(("POST", URL(SEND_URL)), []))


def test_capabilities() -> None:
    capabilities = KpnVonageGateway.capabilities
    assert KpnVonageGateway.provider == "kpn_vonage"
    assert capabilities.credits is False
    assert capabilities.credits_in_receipt is True
    assert capabilities.credits_unit == "EUR"
    assert capabilities.recipient_country_codes is None
    # type=unicode makes every character UCS-2, so a user's choice of UCS-2 is honoured.
    assert capabilities.encoding_control is True
    KpnVonageGateway.sender_rule.check("A" * 11)
    KpnVonageGateway.sender_rule.check("3" * 15)
    for sender in ("A" * 12, "3" * 16):
        with pytest.raises(InvalidSenderError):
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
        messages=(SentMessage(NUMBER, "13000000AB", DeliveryStatus.ACCEPTED),),
        credits=Credits(remaining=15.5359, unit="EUR"),
    )
    (call,) = _sends(mock)
    assert call.kwargs["data"] == {
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
        payload=_reply(_part("PART-1", "9.93000000"), _part("PART-2", "9.86000000")),
    )

    receipt = await gateway.send(_sms(text="x" * 200, segments=2))

    assert receipt.messages == (SentMessage(NUMBER, "PART-1", DeliveryStatus.ACCEPTED),)
    assert receipt.credits == Credits(remaining=9.86, unit="EUR")


async def test_one_request_per_recipient_in_order(
    gateway: KpnVonageGateway, mock: aioresponses
) -> None:
    mock.post(SEND_URL, payload=_reply(_part("ID-1", "9.93")))
    mock.post(SEND_URL, payload=_reply(_part("ID-2", "9.86", to="32470123456")))

    receipt = await gateway.send(_sms(NUMBER, "+32470123456"))

    assert [call.kwargs["data"]["to"] for call in _sends(mock)] == ["31612345678", "32470123456"]
    assert receipt == SendReceipt(
        messages=(
            SentMessage(NUMBER, "ID-1", DeliveryStatus.ACCEPTED),
            SentMessage("+32470123456", "ID-2", DeliveryStatus.ACCEPTED),
        ),
        credits=Credits(remaining=9.86, unit="EUR"),
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
    ("1", RateLimitedError),
    ("2", GatewayUnavailableError),
    ("3", GatewayUnavailableError),
    ("4", AuthenticationError),
    ("5", GatewayUnavailableError),
    ("6", InvalidRecipientError),
    ("7", InvalidRecipientError),
    ("8", AuthenticationError),
    ("9", InsufficientCreditsError),
    ("10", RateLimitedError),
    ("11", AuthenticationError),
    ("12", MessageTooLongError),
    ("14", AuthenticationError),
    ("15", InvalidSenderError),
    ("22", GatewayUnavailableError),
    ("23", GatewayUnavailableError),
    ("29", InvalidRecipientError),
    ("33", InvalidRecipientError),
    ("99", GatewayUnavailableError),
]


@pytest.mark.parametrize(("status", "error"), STATUS_ERRORS)
async def test_status_codes(
    gateway: KpnVonageGateway, mock: aioresponses, status: str, error: type[GatewayError]
) -> None:
    mock.post(SEND_URL, payload=_reply(_failed(status)))

    with pytest.raises(GatewayError) as raised:
        await gateway.send(_sms())

    assert type(raised.value) is error
    assert raised.value.code == status
    assert len(_sends(mock)) == 1


async def test_numeric_status_is_read_too(gateway: KpnVonageGateway, mock: aioresponses) -> None:
    mock.post(SEND_URL, payload={"message-count": 1, "messages": [{"status": 9}]})

    with pytest.raises(InsufficientCreditsError, match=r"^9$"):
        await gateway.send(_sms())


async def test_some_parts_sent_is_a_failure(gateway: KpnVonageGateway, mock: aioresponses) -> None:
    mock.post(SEND_URL, payload=_reply(_part("PART-1"), _failed("9", "Quota Exceeded")))

    with pytest.raises(InsufficientCreditsError, match=r"^9$"):
        await gateway.send(_sms(text="x" * 200, segments=2))


async def test_second_recipient_failing_is_raised(
    gateway: KpnVonageGateway, mock: aioresponses
) -> None:
    mock.post(SEND_URL, payload=_reply(_part("ID-1")))
    mock.post(SEND_URL, payload=_reply(_failed("29", "Non-Whitelisted Destination")))
    mock.post(SEND_URL, payload=_reply(_part("ID-3")))

    with pytest.raises(InvalidRecipientError, match=r"^29$"):
        await gateway.send(_sms(NUMBER, "+31687654321", "+31611111111"))

    assert len(_sends(mock)) == 2


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

    with pytest.raises(GatewayUnavailableError, match=r"^unexpected_reply$"):
        await gateway.send(_sms())


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            {"status": 400, "payload": {"errorResponse": {"code": "400", "message": "to"}}},
            GatewayUnavailableError("400"),
            id="kpn-400",
        ),
        pytest.param(
            {"status": 400, "body": "<html>Bad request</html>"},
            GatewayUnavailableError("400"),
            id="html-400",
        ),
        pytest.param({"status": 503, "body": "<html/>"}, GatewayUnavailableError("503"), id="503"),
        pytest.param({"body": "<html/>"}, GatewayUnavailableError("invalid_json"), id="html-200"),
    ],
)
async def test_http_errors(
    gateway: KpnVonageGateway, mock: aioresponses, reply: dict[str, Any], expected: GatewayError
) -> None:
    mock.post(SEND_URL, **reply)

    with pytest.raises(GatewayError) as raised:
        await gateway.send(_sms())

    assert type(raised.value) is type(expected)
    assert raised.value.code == expected.code


async def test_401_refreshes_the_token_once(gateway: KpnVonageGateway, mock: aioresponses) -> None:
    mock.post(SEND_URL, status=401)
    mock.post(SEND_URL, payload=_reply(_part("ID-1")))

    receipt = await gateway.send(_sms())

    assert receipt.messages[0].message_id == "ID-1"
    assert len(mock.requests[("POST", URL(TOKEN_REQUEST))]) == 2
    first, second = _sends(mock)
    assert first.kwargs["data"] == second.kwargs["data"]
