"""The last-status sensor names every recipient of a send; diagnostics agree with it.

A send to several numbers used to show only the last one. And after a reload (a reauth's), the
sensor showed its restored "failed" while diagnostics read ``last_delivery: null``.
"""

from __future__ import annotations

import pytest
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .accounts import ALICE, BOB, account, send_sms, set_up
from .cases.smsservicecenter import CASE as SSC
from .gateway_cases import Outcome

STATUS = f"sensor.{SSC.entity_prefix}_last_delivery_status"


async def test_a_send_to_several_names_them_all(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    entry = await set_up(hass, account(SSC))

    await send_sms(hass, entry, [ALICE, BOB])

    status = hass.states.get(STATUS)
    assert status.state == "accepted"
    assert status.attributes["recipients"] == [ALICE, BOB]
    assert status.attributes["message_ids"] == SSC.message_ids([ALICE, BOB])
    # The one-recipient attributes do not name one of several.
    assert status.attributes["recipient"] is None
    assert status.attributes["message_id"] is None


async def test_a_send_to_one_names_it_in_both_forms(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    entry = await set_up(hass, account(SSC))

    await send_sms(hass, entry, [BOB])

    status = hass.states.get(STATUS)
    assert status.attributes["recipients"] == [BOB]
    assert status.attributes["recipient"] == BOB
    assert status.attributes["message_id"] == SSC.message_ids([BOB])[0]


async def test_a_failed_send_to_several_names_them_all(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.NO_CREDITS)
    entry = await set_up(hass, account(SSC))

    with pytest.raises(HomeAssistantError):
        await send_sms(hass, entry, [ALICE, BOB])

    status = hass.states.get(STATUS)
    assert status.state == "failed"
    assert status.attributes["recipients"] == [ALICE, BOB]
    assert status.attributes["message_ids"] == []


async def test_after_a_reauth_reload_diagnostics_show_what_the_sensor_shows(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, aioclient_mock: AiohttpClientMocker
) -> None:
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.AUTH_REFUSED)
    entry = await set_up(hass, account(SSC))
    with pytest.raises(HomeAssistantError):
        await send_sms(hass, entry, [ALICE, BOB])
    await hass.async_block_till_done()
    assert [flow["context"]["source"] for flow in hass.config_entries.flow.async_progress()] == [
        SOURCE_REAUTH
    ]
    before = hass.states.get(STATUS)

    # What the reauth's new credentials lead to: the entry's listener reloads it.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()

    after = hass.states.get(STATUS)
    assert after.state == before.state == "failed"
    assert after.attributes == before.attributes
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    last_delivery = diagnostics["state"]["last_delivery"]
    assert last_delivery is not None
    assert last_delivery["status"] == "failed"
    assert last_delivery["gateway_code"] == before.attributes["gateway_code"]
    assert last_delivery["changed"] == before.attributes["time"]
    assert last_delivery["recipients"] == "**REDACTED**"
