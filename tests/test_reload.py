"""Reconfigure and reauth reload the account once, the way Home Assistant 2026.12 requires.

Home Assistant 2026.11 reports a flow that schedules a reload of an entry with an update
listener, and 2026.12 refuses it; the entry's own update listener does the reload.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

from .accounts import send_sms
from .conftest import API_KEY, SSC_URL, mock_credits, mock_send, sent_bodies

NEW_KEY = "new-api-key-9876543210"


@pytest.fixture
def reloads_with_listeners(hass: HomeAssistant) -> Iterator[list[str]]:
    """Entry ids a flow scheduled a reload for while the entry had an update listener."""
    refused: list[str] = []
    schedule = hass.config_entries.async_schedule_reload

    def checked_schedule(entry_id: str) -> None:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is not None and entry.update_listeners:
            refused.append(entry_id)
        schedule(entry_id)

    hass.config_entries.async_schedule_reload = checked_schedule  # type: ignore[method-assign]
    yield refused
    hass.config_entries.async_schedule_reload = schedule  # type: ignore[method-assign]


async def _send(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    await send_sms(hass, entry, ["0612345678"], "Hi")


async def test_reconfigure_reloads_through_the_update_listener(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    reloads_with_listeners: list[str],
) -> None:
    """A new sender takes effect at once, and the flow itself schedules no reload."""
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": API_KEY, "sender": "Garage"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert reloads_with_listeners == []
    assert loaded_entry.state is ConfigEntryState.LOADED
    await _send(hass, loaded_entry)
    assert [body["sendname"] for body in sent_bodies(aioclient_mock)] == ["Garage"]


async def test_reauth_of_a_loaded_account_reloads_through_the_update_listener(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    reloads_with_listeners: list[str],
) -> None:
    """A send refused the key while the account was loaded: the new key is used at once."""
    result = await loaded_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"api_key": NEW_KEY})
    await hass.async_block_till_done()

    assert result["reason"] == "reauth_successful"
    assert reloads_with_listeners == []
    await _send(hass, loaded_entry)
    [(_, url, _, headers)] = [call for call in aioclient_mock.mock_calls if call[0] == "POST"]
    assert str(url) == SSC_URL + "send"
    assert headers["Authorization"] == f"Bearer {NEW_KEY}"


async def test_reauth_after_a_failed_setup_loads_the_account(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    reloads_with_listeners: list[str],
) -> None:
    """Set up with a revoked key fails; the new key from reauth loads the account."""
    aioclient_mock.get(SSC_URL + "credits", status=401)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    aioclient_mock.clear_requests()
    mock_credits(aioclient_mock)
    mock_send(aioclient_mock)
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {"api_key": NEW_KEY})
    await hass.async_block_till_done()

    assert result["reason"] == "reauth_successful"
    assert reloads_with_listeners == []
    assert config_entry.state is ConfigEntryState.LOADED
