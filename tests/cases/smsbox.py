"""SMSBOX, as the shared suite sees it."""

from __future__ import annotations

from typing import Any

from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from ..gateway_cases import GatewayCase, Outcome

SMSBOX_URL = "https://core.smsbox.be/api/v1/"
FIRST_MSGID = 15547355


def _smsbox_setup(mock: AiohttpClientMocker) -> None:
    mock.get(SMSBOX_URL + "balance", json={"code": 100, "message": "1630.38"})


def _smsbox_send(mock: AiohttpClientMocker, outcome: Outcome) -> None:
    sent = [
        {"number": "31612345678", "msgid": FIRST_MSGID},
        {"number": "31687654321", "msgid": FIRST_MSGID + 1},
    ]
    replies: dict[Outcome, dict[str, Any]] = {
        Outcome.SENT: {"json": {"code": 100, "message": sent}},
        Outcome.NO_CREDITS: {"json": {"code": 10, "message": "Not enough credits"}},
        Outcome.AUTH_REFUSED: {"json": {"code": 4, "message": "Apikey not allowed"}},
    }
    mock.post(SMSBOX_URL + "sendsms", **replies[outcome])


CASE = GatewayCase(
    provider="smsbox",
    title="SMSBOX",
    data={"provider": "smsbox", "api_key": "smsbox-key", "sender": "HomeAlarm"},
    mock_setup=_smsbox_setup,
    mock_send=_smsbox_send,
    send_url=SMSBOX_URL + "sendsms",
    message_ids=lambda recipients: [str(FIRST_MSGID + index) for index in range(len(recipients))],
)
