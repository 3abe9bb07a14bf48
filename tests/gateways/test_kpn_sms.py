"""Wire tests for the KPN SMS client, against kpn-sms.txt and NOTES.md."""

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
from custom_components.benelux_sms.gateways.kpn_sms import KpnSmsGateway

CREDENTIALS = {"client_id": "kpn-app-id", "client_secret": "kpn-app-secret-0123456789"}
TOKEN_REQUEST = (
    "https://api-prd.kpn.com/oauth/client_credential/accesstoken?grant_type=client_credentials"
)
SEND_URL = "https://api-prd.kpn.com/communication/kpn/sms/send"
DOCUMENT_ID = "b4e905d4-774c-4c83-8360-01427e17a33a"
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
def gateway(session: aiohttp.ClientSession) -> KpnSmsGateway:
    return KpnSmsGateway(session, CREDENTIALS)


def _sms(*recipients: str, text: str = "Greetings from KPN!", sender: str = "Demo") -> OutboundSms:
    return OutboundSms(recipients or (NUMBER,), text, sender, Encoding.GSM7, 1)


def _sends(mock: aioresponses) -> list[RequestCall]:
    return list(mock.requests.get(("POST", URL(SEND_URL)), []))


def _numbers(count: int) -> tuple[str, ...]:
    return tuple(f"+3161{index:07d}" for index in range(count))


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
    (call,) = _sends(mock)
    assert call.kwargs["json"] == {
        "sender": "Demo",
        "messages": [
            {"content": "Greetings from KPN!", "mobile_number": NUMBER},
            {"content": "Greetings from KPN!", "mobile_number": "+3197012345678"},
        ],
    }
    assert call.kwargs["data"] is None
    assert call.kwargs["headers"]["Authorization"] == "Bearer tok"
    assert call.kwargs["headers"]["Accept"] == "application/json"
    assert call.kwargs["allow_redirects"] is False


async def test_text_goes_verbatim(gateway: KpnSmsGateway, mock: aioresponses) -> None:
    text = 'Regel 1\nRegel 2 — €5 & "quotes" 😀' + "x" * 960
    mock.post(SEND_URL, payload=_sent())

    await gateway.send(_sms(text=text[:1000]))

    assert _sends(mock)[0].kwargs["json"]["messages"][0]["content"] == text[:1000]


@pytest.mark.parametrize(
    ("count", "batches"),
    [(1, [1]), (200, [200]), (201, [200, 1]), (400, [200, 200]), (401, [200, 200, 1])],
)
async def test_batches_of_200(
    gateway: KpnSmsGateway, mock: aioresponses, count: int, batches: list[int]
) -> None:
    numbers = _numbers(count)
    for index in range(len(batches)):
        mock.post(SEND_URL, payload=_sent(f"doc-{index}"))

    receipt = await gateway.send(_sms(*numbers))

    calls = _sends(mock)
    assert [len(call.kwargs["json"]["messages"]) for call in calls] == batches
    sent = [m["mobile_number"] for call in calls for m in call.kwargs["json"]["messages"]]
    assert sent == list(numbers)
    expected_ids = [f"doc-{index}" for index, size in enumerate(batches) for _ in range(size)]
    assert [message.message_id for message in receipt.messages] == expected_ids
    assert len(mock.requests[("POST", URL(TOKEN_REQUEST))]) == 1


async def test_failing_batch_stops_the_rest(gateway: KpnSmsGateway, mock: aioresponses) -> None:
    mock.post(SEND_URL, payload=_sent("doc-0"))
    mock.post(SEND_URL, status=500, body="<html>oops</html>")
    mock.post(SEND_URL, payload=_sent("doc-2"))

    with pytest.raises(GatewayUnavailableError, match=r"^500$"):
        await gateway.send(_sms(*_numbers(450)))

    assert len(_sends(mock)) == 2


@pytest.mark.parametrize(
    ("sms", "error"),
    [
        pytest.param(_sms("+32470123456"), InvalidRecipientError("country_not_served"), id="be"),
        pytest.param(
            _sms(NUMBER, "+447700900123"), InvalidRecipientError("country_not_served"), id="uk"
        ),
        pytest.param(_sms(text="x" * 1001), MessageTooLongError("max_1000"), id="1001-chars"),
        pytest.param(_sms(sender="A" * 12), InvalidSenderError("sender_too_long"), id="sender"),
    ],
)
async def test_refused_before_any_request(
    gateway: KpnSmsGateway, mock: aioresponses, sms: OutboundSms, error: GatewayError
) -> None:
    with pytest.raises(GatewayError) as raised:
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
            InvalidRecipientError("40001"),
            id="number",
        ),
        pytest.param(
            {"status": 400, "payload": _kpn_error("40002", "sender exceeds 11 characters")},
            InvalidSenderError("40002"),
            id="sender",
        ),
        pytest.param(
            {"status": 400, "payload": _kpn_error("40003", "content is too long")},
            MessageTooLongError("40003"),
            id="content",
        ),
        pytest.param(
            {"status": 400, "payload": _kpn_error("40004", "Insufficient credit for this number")},
            InsufficientCreditsError("40004"),
            id="credit",
        ),
        pytest.param(
            {"status": 403, "payload": _kpn_error("40301", "No balance left")},
            AuthenticationError("403"),
            id="403-is-auth-whatever-it-says",
        ),
        pytest.param(
            {"status": 400, "payload": _kpn_error("40000", "Malformed request")},
            GatewayUnavailableError("40000"),
            id="other-400",
        ),
        pytest.param(
            {"status": 400, "payload": {"errorResponse": {"message": "Invalid number"}}},
            InvalidRecipientError("400"),
            id="no-code",
        ),
        pytest.param(
            {"status": 400, "body": "<html><body>Bad Request</body></html>"},
            GatewayUnavailableError("400"),
            id="html-400",
        ),
        pytest.param(
            {"status": 412, "payload": _kpn_error("412", "Precondition failed")},
            GatewayUnavailableError("412"),
            id="412",
        ),
        pytest.param(
            {
                "status": 404,
                "payload": {"fault": {"faultstring": "x", "detail": {"errorcode": "e"}}},
            },
            GatewayUnavailableError("e"),
            id="apigee-404",
        ),
        pytest.param({"status": 403, "body": "<html/>"}, AuthenticationError("403"), id="403"),
        pytest.param(
            {"status": 502, "body": "<html>Bad Gateway</html>"},
            GatewayUnavailableError("502"),
            id="html-502",
        ),
        pytest.param({"status": 429}, RateLimitedError("429"), id="429"),
        pytest.param(
            {"payload": {"status": "OK"}}, GatewayUnavailableError("unexpected_reply"), id="no-id"
        ),
        pytest.param(
            {"payload": {"document_id": DOCUMENT_ID, "status": "FAILED"}},
            GatewayUnavailableError("unexpected_reply"),
            id="not-ok",
        ),
        pytest.param(
            {"body": "<html>portal</html>"}, GatewayUnavailableError("invalid_json"), id="html-200"
        ),
    ],
)
async def test_error_replies(
    gateway: KpnSmsGateway, mock: aioresponses, reply: dict[str, Any], expected: GatewayError
) -> None:
    mock.post(SEND_URL, **reply)

    with pytest.raises(GatewayError) as raised:
        await gateway.send(_sms())

    assert type(raised.value) is type(expected)
    assert raised.value.code == expected.code
    assert len(_sends(mock)) == 1


async def test_error_code_never_holds_the_secret(
    gateway: KpnSmsGateway, mock: aioresponses
) -> None:
    secret = CREDENTIALS["client_secret"]
    mock.post(SEND_URL, status=400, payload=_kpn_error(f"bad {secret}", "Malformed"))

    with pytest.raises(GatewayUnavailableError) as raised:
        await gateway.send(_sms())

    assert secret not in str(raised.value)
    assert raised.value.code == "bad ***"
