"""Reason before status: a 5xx that carries the gateway's own reason raises that reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

from custom_components.benelux_sms.gateways import (
    Gateway,
    KpnSmsGateway,
    KpnVonageGateway,
    Sms1601Gateway,
    SmsBoxGateway,
    SmsServiceCenterGateway,
    errors,
)

from .conftest import KPN_CREDENTIALS, KPN_TOKEN_REQUEST, mock_kpn_token
from .send_wire import WIRES, sms

SSC = "https://www.smsservicecenter.nl/api/v2/"
SMSBOX = "https://core.smsbox.be/api/v1/"
SMS1601 = "http://217.19.227.48/module/gateway.php"
KPN_SMS = "https://api-prd.kpn.com/communication/kpn/sms/send"
VONAGE = "https://api-prd.kpn.com/communication/nexmo/sms/send"

type Call = Callable[[Gateway], Awaitable[object]]


def _credentials(gateway_class: type[Gateway]) -> dict[str, str]:
    return next(w.credentials for w in WIRES if w.gateway_class is gateway_class)


async def _send(gateway: Gateway) -> object:
    return await gateway.send(sms())


async def _credits(gateway: Gateway) -> object:
    return await gateway.get_credits()


async def _validate(gateway: Gateway) -> object:
    await gateway.validate_credentials()
    return None


def _kpn_error(message: str) -> dict[str, Any]:
    return {"errorResponse": {"code": "500", "message": message, "info": ""}}


@pytest.mark.parametrize(
    ("gateway_class", "call", "method", "url", "reply", "expected"),
    [
        pytest.param(
            SmsServiceCenterGateway,
            _send,
            "POST",
            SSC + "send",
            {
                "status": 500,
                "payload": {
                    "status": "credits.error",
                    "message": "Not enough credits",
                    "remaining": 0,
                    "required": 1,
                },
            },
            errors.InsufficientCreditsError("credits.error"),
            id="ssc-send-500-credits",
        ),
        pytest.param(
            SmsServiceCenterGateway,
            _credits,
            "GET",
            SSC + "credits",
            {"status": 503, "payload": {"status": "credits.error", "message": "No credits"}},
            errors.InsufficientCreditsError("credits.error"),
            id="ssc-credits-503-credits",
        ),
        pytest.param(
            SmsServiceCenterGateway,
            _send,
            "POST",
            SSC + "send",
            {"status": 502, "payload": {"status": "error", "message": "Invalid sendname"}},
            errors.InvalidSenderError("Invalid sendname"),
            id="ssc-send-502-sender",
        ),
        pytest.param(
            SmsServiceCenterGateway,
            _send,
            "POST",
            SSC + "send",
            {"status": 500, "payload": {"status": "error", "message": "Server Error"}},
            errors.OutcomeUnknownError("500"),
            id="ssc-send-500-no-reason",
        ),
        pytest.param(
            SmsBoxGateway,
            _send,
            "POST",
            SMSBOX + "sendsms",
            {"status": 500, "payload": {"code": 10, "message": "Not enough credits"}},
            errors.InsufficientCreditsError("10"),
            id="smsbox-send-500-credits",
        ),
        pytest.param(
            SmsBoxGateway,
            _send,
            "POST",
            SMSBOX + "sendsms",
            {"status": 502, "payload": {"code": "09", "message": "No valid number"}},
            errors.InvalidRecipientError("09"),
            id="smsbox-send-502-number",
        ),
        pytest.param(
            SmsBoxGateway,
            _credits,
            "GET",
            SMSBOX + "balance",
            {"status": 500, "payload": {"code": 4, "message": "Apikey not allowed"}},
            errors.AuthenticationError("04"),
            id="smsbox-balance-500-key",
        ),
        pytest.param(
            SmsBoxGateway,
            _validate,
            "GET",
            SMSBOX + "auth",
            # Code 10 means a good key here, not "no credits": no reason in a 500.
            {"status": 500, "payload": {"code": 10}},
            errors.GatewayUnavailableError("500"),
            id="smsbox-auth-500-code-10",
        ),
        pytest.param(
            Sms1601Gateway,
            _send,
            "POST",
            SMS1601 + "?delivery=ja",
            {"status": 500, "body": "<html><body>ERROR 108</body></html>"},
            errors.InsufficientCreditsError("ERROR 108"),
            id="1601-send-500-credits",
        ),
        pytest.param(
            Sms1601Gateway,
            _credits,
            "POST",
            SMS1601 + "?action=credits",
            {"status": 500, "body": "ERROR 104"},
            errors.AuthenticationError("ERROR 104"),
            id="1601-credits-500-login",
        ),
        pytest.param(
            Sms1601Gateway,
            _send,
            "POST",
            SMS1601 + "?delivery=ja",
            {"status": 500, "body": "ERROR 120"},
            errors.OutcomeUnknownError("500"),
            id="1601-send-500-gateway-trouble",
        ),
        pytest.param(
            KpnSmsGateway,
            _send,
            "POST",
            KPN_SMS,
            {"status": 500, "payload": _kpn_error("Insufficient credit for this message")},
            errors.InsufficientCreditsError("500"),
            id="kpn-sms-500-credit",
        ),
        pytest.param(
            KpnSmsGateway,
            _send,
            "POST",
            KPN_SMS,
            {"status": 500, "payload": {"fault": {"faultstring": "mobile_number lookup"}}},
            errors.OutcomeUnknownError("500"),
            id="kpn-sms-500-apigee",
        ),
        pytest.param(
            KpnVonageGateway,
            _send,
            "POST",
            VONAGE,
            {"status": 500, "payload": {"message-count": "1", "messages": [{"status": "9"}]}},
            errors.InsufficientCreditsError("9"),
            id="vonage-500-no-credit",
        ),
        pytest.param(
            KpnVonageGateway,
            _send,
            "POST",
            VONAGE,
            {"status": 500, "payload": {"messages": [{"status": "0", "message-id": "X"}]}},
            errors.OutcomeUnknownError("500"),
            id="vonage-500-part-accepted",
        ),
    ],
)
async def test_reason_before_status(
    session: aiohttp.ClientSession,
    mock: aioresponses,
    gateway_class: type[Gateway],
    call: Call,
    method: str,
    url: str,
    reply: dict[str, Any],
    expected: errors.GatewayError,
) -> None:
    mock_kpn_token(mock)
    mock.add(url, method, **reply)

    with pytest.raises(errors.GatewayError) as raised:
        await call(gateway_class(session, _credentials(gateway_class)))

    assert type(raised.value) is type(expected)
    assert raised.value.code == expected.code
    if not isinstance(expected, errors.GatewayUnavailableError):
        assert errors.definitely_not_sent(raised.value)


async def test_kpn_token_5xx_with_an_oauth_reason(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    mock.post(KPN_TOKEN_REQUEST, status=500, payload={"error": "invalid_client"})

    with pytest.raises(errors.AuthenticationError, match=r"^invalid_client$"):
        await KpnSmsGateway(session, KPN_CREDENTIALS).validate_credentials()
