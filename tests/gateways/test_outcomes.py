"""Three outcomes of a send: accepted, definitely not sent, or unknown (CONTRACT "gateways")."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey
from aioresponses import aioresponses
from yarl import URL

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import (
    SendReceipt,
)

from .conftest import KPN_CREDENTIALS, KPN_TOKEN_REQUEST
from .send_wire import WIRES, SendWire, sms

_KEY = ConnectionKey("gateway.example", 443, True, True, None, None, None)

NOT_SENT_FAILURES = [
    pytest.param(
        {"exception": aiohttp.ClientConnectorError(_KEY, ConnectionRefusedError(111, "refused"))},
        "ClientConnectorError",
        id="refused",
    ),
    pytest.param(
        {"exception": aiohttp.ClientConnectorDNSError(_KEY, OSError(-2, "no such host"))},
        "ClientConnectorDNSError",
        id="dns",
    ),
    pytest.param(
        {"exception": aiohttp.ClientConnectorCertificateError(_KEY, ValueError("bad cert"))},
        "ClientConnectorCertificateError",
        id="certificate",
    ),
    pytest.param(
        {"exception": aiohttp.ClientConnectorSSLError(_KEY, OSError(1, "handshake"))},
        "ClientConnectorSSLError",
        id="tls-handshake",
    ),
    pytest.param({"exception": aiohttp.ConnectionTimeoutError()}, "timeout", id="connect-timeout"),
    pytest.param({"status": 503, "body": "<html>Maintenance</html>"}, "503", id="503"),
]

UNKNOWN_FAILURES = [
    pytest.param({"exception": TimeoutError()}, "timeout", id="timeout"),
    pytest.param({"exception": aiohttp.SocketTimeoutError()}, "timeout", id="read-timeout"),
    pytest.param(
        {"exception": aiohttp.ServerDisconnectedError()},
        "ServerDisconnectedError",
        id="disconnected",
    ),
    pytest.param(
        {"exception": aiohttp.ClientPayloadError("cut off")}, "ClientPayloadError", id="payload"
    ),
    pytest.param({"exception": aiohttp.ClientOSError(104, "reset")}, "ClientOSError", id="os"),
    pytest.param(
        {"exception": aiohttp.ClientConnectionResetError("reset")},
        "ClientConnectionResetError",
        id="reset",
    ),
    pytest.param({"status": 500, "body": "<html>Oops</html>"}, "500", id="500"),
    pytest.param({"status": 502, "body": "<html>Bad Gateway</html>"}, "502", id="502"),
    pytest.param({"status": 504, "body": ""}, "504", id="504"),
    pytest.param({"status": 599, "body": ""}, "599", id="599"),
    pytest.param({"status": 302, "headers": {"Location": "https://x.test/"}}, "302", id="302"),
    pytest.param({"status": 307, "headers": {"Location": "https://x.test/"}}, "307", id="307"),
]


@pytest.fixture(params=WIRES, ids=str)
def wire(request: pytest.FixtureRequest, mock: aioresponses) -> SendWire:
    """Every gateway's send, its prerequisites (KPN's token) mocked."""
    result: SendWire = request.param
    result.prepare(mock)
    return result


def _sends(mock: aioresponses, wire: SendWire) -> int:
    return len(mock.requests.get(("POST", URL(wire.url)), []))


@pytest.mark.parametrize(
    ("failure", "code", "error_type"),
    [
        *((*param.values, errors.GatewayUnavailableError) for param in NOT_SENT_FAILURES),
        *((*param.values, errors.OutcomeUnknownError) for param in UNKNOWN_FAILURES),
    ],
    ids=[
        *(f"not-sent-{param.id}" for param in NOT_SENT_FAILURES),
        *(f"unknown-{param.id}" for param in UNKNOWN_FAILURES),
    ],
)
async def test_a_failed_send_says_whether_it_went_out(
    session: aiohttp.ClientSession,
    mock: aioresponses,
    wire: SendWire,
    failure: dict[str, Any],
    code: str,
    error_type: type[errors.GatewayUnavailableError],
) -> None:
    """Never reached (or refused unread): certainly not sent. Else: the outcome is unknown."""
    mock.post(wire.url, **failure)

    with pytest.raises(errors.GatewayUnavailableError) as raised:
        await wire.gateway(session).send(sms())

    not_sent = error_type is errors.GatewayUnavailableError
    assert type(raised.value) is error_type
    assert raised.value.code == code
    assert raised.value.not_sent is not_sent
    assert errors.definitely_not_sent(raised.value) is not_sent
    assert raised.value.__cause__ is None
    assert _sends(mock, wire) == 1


@pytest.mark.parametrize("body", ["<html><body>Welcome</body></html>", "", "\x00\xff garbage"])
async def test_unreadable_200_to_a_send_is_outcome_unknown(
    session: aiohttp.ClientSession, mock: aioresponses, wire: SendWire, body: str
) -> None:
    mock.post(wire.url, status=200, body=body)

    with pytest.raises(errors.OutcomeUnknownError) as raised:
        await wire.gateway(session).send(sms())

    assert raised.value.code == wire.html_code


async def test_429_is_definitely_not_sent(
    session: aiohttp.ClientSession, mock: aioresponses, wire: SendWire
) -> None:
    mock.post(wire.url, status=429, headers={"Retry-After": "30"})

    with pytest.raises(errors.RateLimitedError) as raised:
        await wire.gateway(session).send(sms())

    assert raised.value.retry_after == 30.0
    assert errors.definitely_not_sent(raised.value)


async def test_the_gateways_own_refusal_is_definitely_not_sent(
    session: aiohttp.ClientSession, mock: aioresponses, wire: SendWire
) -> None:
    mock.post(wire.url, **wire.no_credits)

    with pytest.raises(errors.InsufficientCreditsError) as raised:
        await wire.gateway(session).send(sms())

    assert errors.definitely_not_sent(raised.value)


async def test_outcome_unknown_only_from_send(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    ssc = next(w for w in WIRES if w.gateway_class.provider == "smsservicecenter")
    mock.get("https://www.smsservicecenter.nl/api/v2/credits", exception=TimeoutError())

    with pytest.raises(errors.GatewayUnavailableError) as raised:
        await ssc.gateway(session).get_credits()

    assert type(raised.value) is errors.GatewayUnavailableError
    assert raised.value.not_sent is False


@pytest.mark.parametrize(
    "token_reply",
    [
        pytest.param({"status": 500, "body": "<html/>"}, id="500"),
        pytest.param({"exception": TimeoutError()}, id="timeout"),
        pytest.param({"body": "<html>portal</html>"}, id="garbage"),
        pytest.param({"status": 400, "payload": {"error": "unsupported_grant_type"}}, id="400"),
    ],
)
@pytest.mark.parametrize("wire", [w for w in WIRES if w.credentials is KPN_CREDENTIALS], ids=str)
async def test_failed_kpn_token_means_not_sent(
    session: aiohttp.ClientSession,
    mock: aioresponses,
    wire: SendWire,
    token_reply: dict[str, Any],
) -> None:
    mock.post(KPN_TOKEN_REQUEST, **token_reply)

    with pytest.raises(errors.GatewayUnavailableError) as raised:
        await wire.gateway(session).send(sms())

    assert type(raised.value) is errors.GatewayUnavailableError
    assert raised.value.not_sent is True
    assert _sends(mock, wire) == 0


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (errors.AuthenticationError("401"), True),
        (errors.InsufficientCreditsError("10"), True),
        (errors.InvalidRecipientError("09"), True),
        (errors.InvalidSenderError("01"), True),
        (errors.MessageTooLongError("07"), True),
        (errors.RateLimitedError("429", 5.0), True),
        (errors.GatewayUnavailableError("503", not_sent=True), True),
        (errors.GatewayUnavailableError("500"), False),
        (errors.OutcomeUnknownError("timeout"), False),
        (
            errors.PartialSendError(
                SendReceipt(()),
                not_sent=(),
                unknown=(),
                cause=errors.InsufficientCreditsError("10"),
            ),
            False,
        ),
    ],
    ids=lambda value: (
        type(value).__name__ if isinstance(value, errors.GatewayError) else str(value)
    ),
)
def test_definitely_not_sent(error: errors.GatewayError, expected: bool) -> None:
    assert errors.definitely_not_sent(error) is expected


def test_outcome_unknown_is_an_unavailability() -> None:
    """Code that catches GatewayUnavailableError keeps catching the unknown outcome."""
    err = errors.OutcomeUnknownError("timeout")

    assert isinstance(err, errors.GatewayUnavailableError)
    assert err.code == "timeout"
    assert str(err) == "timeout"
