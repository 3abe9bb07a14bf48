"""What an automation is told when a send goes wrong: not sent, or may have been sent.

Only a message that was certainly not sent may be sent again; a timeout, a dropped connection
after the request went out, or a reply that cannot be read may have sent it.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.benelux_sms.const import DOMAIN
from custom_components.benelux_sms.errors import (
    SmsOutcomeUnknownError,
    SmsPartiallySentError,
)

from .accounts import send_sms
from .cases.smsbox import CASE as SMSBOX
from .cases.smsbox import SMSBOX_URL
from .conftest import API_KEY, RECIPIENT_NUMBER, mock_credits, mock_send, sent_bodies

STATUS = "sensor.sms_service_center_last_delivery_status"
WEBHOOK_ID = "9876543210fedcba" * 4


async def _send(hass: HomeAssistant, entry: MockConfigEntry, numbers: list[str]) -> Any:
    return await send_sms(hass, entry, numbers, "Smoke detected")


@pytest.mark.parametrize(
    "reply",
    [
        {"exc": TimeoutError()},
        {"exc": aiohttp.ServerDisconnectedError()},
        {"status": 500},
        {"status": 504, "text": "<html>Gateway Timeout</html>"},
        {"status": 200, "text": "<html><body>Maintenance</body></html>", "json": None},
        {"json": {"status": "success", "details": {"testmode": False}}},
    ],
    ids=["timeout", "dropped", "500", "504", "html200", "no-message-id"],
)
async def test_unknown_outcome_is_told_as_may_have_been_sent(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    reply: dict[str, Any],
) -> None:
    """The automation hears "may have been sent"; the status says the outcome is unknown (not
    Home Assistant's own "unknown" of a sensor that knows nothing); nothing is repeated.
    """
    mock_credits(aioclient_mock)
    mock_send(aioclient_mock, **reply)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)

    with pytest.raises(SmsOutcomeUnknownError) as raised:
        await _send(hass, config_entry, [RECIPIENT_NUMBER])

    assert raised.value.translation_key == "outcome_unknown"
    assert API_KEY not in str(raised.value)
    assert len(sent_bodies(aioclient_mock)) == 1
    status = hass.states.get(STATUS)
    assert status.state == "outcome_unknown"
    assert status.attributes["recipient"] == RECIPIENT_NUMBER


async def test_partial_batch_keeps_and_tracks_what_was_accepted(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """501 SMSBOX numbers, the second batch times out: 500 of 501 are told, and tracked."""
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    numbers = [f"+316{index:08d}" for index in range(10000000, 10000501)]
    first_batch = [{"number": number[1:], "msgid": 9000 + i} for i, number in enumerate(numbers)]
    SMSBOX.mock_setup(aioclient_mock)
    replies = iter([{"json": {"code": 100, "message": first_batch[:500]}}, {"exc": TimeoutError()}])

    async def answer(method: str, url: Any, data: Any) -> Any:
        reply = next(replies)
        if "exc" in reply:
            raise reply["exc"]
        from pytest_homeassistant_custom_component.test_util.aiohttp import (  # noqa: PLC0415
            AiohttpClientMockResponse,
        )

        return AiohttpClientMockResponse(method, url, json=reply["json"])

    aioclient_mock.post(SMSBOX_URL + "sendsms", side_effect=answer)
    entry = MockConfigEntry(
        domain=DOMAIN, title=SMSBOX.title, data={**SMSBOX.data, "webhook_id": WEBHOOK_ID}
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)

    with pytest.raises(SmsPartiallySentError) as raised:
        await _send(hass, entry, numbers)

    assert raised.value.translation_key == "partially_sent"
    assert raised.value.translation_placeholders == {
        "accepted": "500",
        "total": "501",
        "not_sent": "-",
        "unknown": numbers[-1],
        "code": "timeout",
    }
    assert hass.states.get("sensor.smsbox_last_delivery_status").state == "outcome_unknown"

    client = await hass_client_no_auth()
    await client.post(f"/api/webhook/{WEBHOOK_ID}", data={"msgid": "9007", "status": "11"})
    await hass.async_block_till_done()
    delivered = hass.states.get("sensor.smsbox_last_delivery_status")
    assert delivered.state == "delivered"
    assert delivered.attributes["recipient"] == numbers[7]
