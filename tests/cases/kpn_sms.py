"""KPN SMS, as the shared suite sees it: a token first, then one send call, no credits call.

KPN SMS has no balance; an error reply speaking of credit is the one way it can say so.
"""

from __future__ import annotations

from typing import Any

from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from ..gateway_cases import GatewayCase, Outcome

KPN_TOKEN_URL = "https://api-prd.kpn.com/oauth/client_credential/accesstoken"
KPN_SMS_URL = "https://api-prd.kpn.com/communication/kpn/sms/"
KPN_DOCUMENT_ID = "b4e905d4-774c-4c83-8360-01427e17a33a"


def mock_kpn_token(mock: AiohttpClientMocker) -> None:
    """Answer the token request (setting up asks nothing else of a KPN gateway)."""
    mock.post(KPN_TOKEN_URL, json={"access_token": "case-token", "expires_in": "3599"})


def _kpn_sms_send(mock: AiohttpClientMocker, outcome: Outcome) -> None:
    replies: dict[Outcome, dict[str, Any]] = {
        Outcome.SENT: {"json": {"document_id": KPN_DOCUMENT_ID, "status": "OK"}},
        Outcome.NO_CREDITS: {
            "status": 400,
            "json": {"errorResponse": {"code": "40004", "message": "Insufficient credit"}},
        },
        # Refused again after the token is fetched anew.
        Outcome.AUTH_REFUSED: {"status": 401, "text": "<html>Unauthorized</html>"},
    }
    mock.post(KPN_SMS_URL + "send", **replies[outcome])


CASE = GatewayCase(
    provider="kpn_sms",
    title="KPN SMS",
    data={
        "provider": "kpn_sms",
        "client_id": "case-client",
        "client_secret": "case-secret",
        "sender": "HomeAlarm",
    },
    mock_setup=mock_kpn_token,
    mock_send=_kpn_sms_send,
    send_url=KPN_SMS_URL + "send",
    message_ids=lambda recipients: [KPN_DOCUMENT_ID] * len(recipients),
)
