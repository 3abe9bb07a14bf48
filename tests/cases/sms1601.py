"""1601SMS, as the shared suite sees it."""

from __future__ import annotations

from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from ..gateway_cases import GatewayCase, Outcome

SMS1601_ENDPOINT = "http://217.19.227.48/module/gateway.php"
SMS1601_MESSAGE_ID = "1234567"


def _sms1601_setup(mock: AiohttpClientMocker) -> None:
    mock.post(SMS1601_ENDPOINT, params={"action": "credits"}, text="476\n")


def _sms1601_send(mock: AiohttpClientMocker, outcome: Outcome) -> None:
    replies = {
        Outcome.SENT: f"OK {SMS1601_MESSAGE_ID}\n",
        Outcome.NO_CREDITS: "ERROR 108\n",
        Outcome.AUTH_REFUSED: "ERROR 104\n",
    }
    mock.post(SMS1601_ENDPOINT, params={"delivery": "ja"}, text=replies[outcome])


CASE = GatewayCase(
    provider="sms1601",
    title="1601SMS",
    data={
        "provider": "sms1601",
        "username": "jansen-bv",
        "password": "case-password",
        "sender": "HomeAlarm",
    },
    mock_setup=_sms1601_setup,
    mock_send=_sms1601_send,
    # The send's switches ride in the query, so a credits call never looks like a send.
    send_url=SMS1601_ENDPOINT + "?delivery=ja",
    message_ids=lambda recipients: [SMS1601_MESSAGE_ID] * len(recipients),
)
