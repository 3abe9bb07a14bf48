"""The options flow: a test mode for the gateways that have one."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

from .cases.sms1601 import CASE as SMS1601
from .gateway_cases import Outcome


async def test_test_mode_reaches_the_wire(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Switching test mode on reloads the account, and sends then carry test=ja."""
    SMS1601.mock_setup(aioclient_mock)
    aioclient_mock.post(
        "http://217.19.227.48/module/gateway.php",
        params={"delivery": "ja", "test": "ja"},
        text="OK 42",
    )
    SMS1601.mock_send(aioclient_mock, Outcome.SENT)
    entry = MockConfigEntry(domain=DOMAIN, title=SMS1601.title, data=SMS1601.data)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"test_mode": True}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {"test_mode": True, "daily_segment_limit": 0, "duplicate_window": 0}

    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "recipients": ["0612345678"], "message": "Test"},
        blocking=True,
        return_response=True,
    )

    assert response["messages"][0]["message_id"] == "42"
    [send] = [call for call in aioclient_mock.mock_calls if "delivery=ja" in str(call[1])]
    assert "test=ja" in str(send[1])
