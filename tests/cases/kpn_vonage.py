"""KPN Vonage SMS, as the shared suite sees it: a token first, then one send per recipient.

The send reply carries the balance (``remaining-balance``); there is no credits call.
"""

from __future__ import annotations

from typing import Any

from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from ..gateway_cases import GatewayCase, Outcome
from .kpn_sms import mock_kpn_token

VONAGE_URL = "https://api-prd.kpn.com/communication/nexmo/sms/"
VONAGE_MESSAGE_ID = "13000000A1B2C3D4"


def _vonage_send(mock: AiohttpClientMocker, outcome: Outcome) -> None:
    parts: dict[Outcome, dict[str, Any]] = {
        Outcome.SENT: {
            "to": "31612345678",
            "message-id": VONAGE_MESSAGE_ID,
            "status": "0",
            "remaining-balance": "9.93000000",
            "message-price": "0.07000000",
            "network": "20408",
        },
        Outcome.NO_CREDITS: {"status": "9", "error-text": "Quota Exceeded - rejected"},
        Outcome.AUTH_REFUSED: {"status": "4", "error-text": "Bad Credentials"},
    }
    mock.post(VONAGE_URL + "send", json={"message-count": "1", "messages": [parts[outcome]]})


CASE = GatewayCase(
    provider="kpn_vonage",
    title="KPN Vonage SMS",
    data={
        "provider": "kpn_vonage",
        "client_id": "case-client",
        "client_secret": "case-secret",
        "sender": "HomeAlarm",
    },
    mock_setup=mock_kpn_token,
    mock_send=_vonage_send,
    send_url=VONAGE_URL + "send",
    # Every recipient is its own request; the mock answers each with the same reply.
    message_ids=lambda recipients: [VONAGE_MESSAGE_ID] * len(recipients),
)
