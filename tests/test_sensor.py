"""The credits and last delivery status sensors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, State
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import CREDITS_UPDATE_INTERVAL, DOMAIN

from .accounts import set_up_case
from .cases.kpn_sms import CASE as KPN_SMS
from .cases.kpn_vonage import CASE as VONAGE
from .conftest import MESSAGE_ID, RECIPIENT_NUMBER, SSC_URL, mock_credits, mock_send

CREDITS = "sensor.sms_service_center_credits"
LAST_STATUS = "sensor.sms_service_center_last_delivery_status"


async def test_sensors_after_setup(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """Credits show the gateway's count; no message has been sent yet."""
    credits = hass.states.get(CREDITS)
    assert credits.state == "100"
    assert credits.attributes["unit_of_measurement"] == "credits"
    status = hass.states.get(LAST_STATUS)
    assert status.state == "unknown"
    assert "accepted" in status.attributes["options"]
    # "unknown" is Home Assistant's own state (shown as "Unknown" whatever is translated):
    # a send that may have gone out has a state of its own.
    assert "unknown" not in status.attributes["options"]
    assert {"outcome_unknown", "test"} <= set(status.attributes["options"])


async def test_send_updates_status_and_refreshes_credits(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """After a send the status is accepted and the credits are asked again at once."""
    aioclient_mock.clear_requests()
    mock_credits(aioclient_mock, credits=99)
    mock_send(aioclient_mock)

    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": "notify.sms_service_center_alice", "message": "Water leak"},
        blocking=True,
    )
    await hass.async_block_till_done()

    assert hass.states.get(CREDITS).state == "99"
    status = hass.states.get(LAST_STATUS)
    assert status.state == "accepted"
    assert status.attributes["message_id"] == MESSAGE_ID
    assert status.attributes["recipient"] == RECIPIENT_NUMBER


async def test_credits_polled_and_unavailable_while_gateway_is_down(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A failed poll makes credits unavailable; the last status stays readable."""
    aioclient_mock.clear_requests()
    aioclient_mock.get(SSC_URL + "credits", status=500)
    freezer.tick(CREDITS_UPDATE_INTERVAL + timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    assert hass.states.get(CREDITS).state == STATE_UNAVAILABLE
    assert hass.states.get(LAST_STATUS).state == "unknown"

    aioclient_mock.clear_requests()
    mock_credits(aioclient_mock, credits=42)
    freezer.tick(CREDITS_UPDATE_INTERVAL + timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(CREDITS).state == "42"


@pytest.mark.usefixtures("gateway_mock")
async def test_last_status_restored_after_restart(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """The last status and its details survive a restart."""
    attributes = {
        "message_id": "old-id",
        "recipient": RECIPIENT_NUMBER,
        "time": "2026-11-24T10:00:00+00:00",
        "gateway_code": None,
    }
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(LAST_STATUS, "failed", attributes),
                {"native_value": "failed", "native_unit_of_measurement": None},
            ),
        ],
    )
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    status = hass.states.get(LAST_STATUS)
    assert status.state == "failed"
    assert status.attributes["message_id"] == "old-id"


@pytest.mark.usefixtures("gateway_mock")
async def test_a_may_have_been_sent_status_from_before_is_restored_as_outcome_unknown(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """An earlier version stored 'unknown' for a send that may have gone out: it comes back
    as 'outcome_unknown', one of the sensor's states, not as Home Assistant's unknown.
    """
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(LAST_STATUS, "unknown", {"recipient": RECIPIENT_NUMBER}),
                {"native_value": "unknown", "native_unit_of_measurement": None},
            ),
        ],
    )
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert hass.states.get(LAST_STATUS).state == "outcome_unknown"


async def test_credits_restored_when_gateway_is_down_after_restart(
    hass: HomeAssistant, config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """Restored credits are shown until the gateway answers again."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(CREDITS, "17"),
                {"native_value": 17, "native_unit_of_measurement": "credits"},
            ),
        ],
    )
    mock_credits(aioclient_mock, credits=16)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    # The gateway's own answer wins over the restored value.
    assert hass.states.get(CREDITS).state == "16"

    # A gateway that tells credits only in its send replies has none until the first send.
    config_entry.runtime_data.credits.async_set_updated_data(None)
    assert hass.states.get(CREDITS).state == "17"


async def test_balance_from_send_replies_in_euro(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """KPN Vonage tells its balance only when sending: a euro "Balance" that fills after a send."""
    entry = await set_up_case(hass, VONAGE, aioclient_mock)
    balance_id = "sensor.kpn_vonage_sms_balance"
    assert hass.states.get(balance_id).state == "unknown"

    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "recipients": ["0612345678"], "message": "Hi"},
        blocking=True,
    )
    await hass.async_block_till_done()

    balance = hass.states.get(balance_id)
    assert balance.state == "9.93"
    assert balance.attributes["unit_of_measurement"] == "EUR"
    assert balance.attributes["device_class"] == "monetary"
    assert balance.attributes["friendly_name"] == "KPN Vonage SMS Balance"


async def test_no_credits_sensor_without_a_balance(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """KPN SMS cannot tell a balance, so it has no credits sensor."""
    KPN_SMS.mock_setup(aioclient_mock)
    entry = MockConfigEntry(domain=DOMAIN, title=KPN_SMS.title, data=KPN_SMS.data)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert hass.states.get("sensor.kpn_sms_credits") is None
    assert hass.states.get("sensor.kpn_sms_last_delivery_status") is not None
