"""SMS Service Center, as the shared suite sees it."""

from __future__ import annotations

from typing import Any

from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from ..gateway_cases import GatewayCase, Outcome

SSC_URL = "https://www.smsservicecenter.nl/api/v2/"
SSC_MESSAGE_ID = "f89d33b3-da08-40fe-b4be-182a381b8e77"


def _ssc_setup(mock: AiohttpClientMocker) -> None:
    mock.get(SSC_URL + "credits", json={"status": "success", "details": 100})


def _ssc_send(mock: AiohttpClientMocker, outcome: Outcome) -> None:
    replies: dict[Outcome, dict[str, Any]] = {
        Outcome.SENT: {"json": {"status": "success", "details": {"messageid": SSC_MESSAGE_ID}}},
        Outcome.NO_CREDITS: {"json": {"status": "credits.error", "message": "Not enough"}},
        Outcome.AUTH_REFUSED: {"status": 401, "json": {"message": "Unauthenticated."}},
    }
    mock.post(SSC_URL + "send", **replies[outcome])


CASE = GatewayCase(
    provider="smsservicecenter",
    title="SMS Service Center",
    data={"provider": "smsservicecenter", "api_key": "ssc-key", "sender": "HomeAlarm"},
    mock_setup=_ssc_setup,
    mock_send=_ssc_send,
    send_url=SSC_URL + "send",
    message_ids=lambda recipients: [SSC_MESSAGE_ID] * len(recipients),
)
