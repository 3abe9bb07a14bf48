"""The segments-today sensor: today's use against the daily limit, where a limit is set."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from .accounts import ALICE, BOB, account, send_sms, set_up
from .cases.smsservicecenter import CASE as SSC
from .gateway_cases import Outcome

TODAY = "sensor.sms_service_center_segments_today"


@pytest.fixture
async def amsterdam(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> datetime:
    """Home Assistant in Amsterdam, at 23:00; return that time."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    evening = datetime(2026, 11, 24, 23, 0, tzinfo=dt_util.get_default_time_zone())
    freezer.move_to(evening)
    return evening


def _today(hass: HomeAssistant) -> tuple[str, dict[str, Any]]:
    sensor = hass.states.get(TODAY)
    assert sensor is not None
    return sensor.state, dict(sensor.attributes)


@pytest.mark.usefixtures("amsterdam")
async def test_set_in_the_options_it_shows_the_day_against_the_limit(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """No limit, no sensor; a limit set in the options brings it, counting every segment."""
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    entry = await set_up(hass, account(SSC))
    assert hass.states.get(TODAY) is None

    result = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(result["flow_id"], {"daily_segment_limit": 5})
    await hass.async_block_till_done()

    state, attributes = _today(hass)
    assert state == "0"
    assert attributes["limit"] == 5
    assert attributes["friendly_name"] == "SMS Service Center Segments today"
    assert attributes["state_class"] == "measurement"
    await send_sms(hass, entry, [ALICE, BOB], "a" * 161)  # 2 segments, 2 recipients
    assert _today(hass)[0] == "4"
    await send_sms(hass, entry, [ALICE], bypass_limits=True)
    assert _today(hass)[0] == "5"


async def test_it_starts_again_at_midnight_and_keeps_over_a_reload(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    amsterdam: datetime,
) -> None:
    """A reload shows today's count as stored; local midnight brings it back to 0."""
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    entry = await set_up(hass, account(SSC, {"daily_segment_limit": 5}))
    await send_sms(hass, entry, [ALICE, BOB])

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _today(hass)[0] == "2"

    freezer.move_to(amsterdam + timedelta(hours=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _today(hass)[0] == "0"


async def test_after_a_restart_it_shows_the_stored_count_of_today(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, hass_storage: dict[str, Any]
) -> None:
    """The guard's stored count is the sensor's value at start, on its own day only."""
    entry = account(SSC, {"daily_segment_limit": 5})
    hass_storage[f"benelux_sms.{entry.entry_id}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"benelux_sms.{entry.entry_id}",
        "data": {"day": dt_util.now().date().isoformat(), "day_segments": 3},
    }
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.NO_CREDITS)
    await set_up(hass, entry)
    assert _today(hass)[0] == "3"

    with pytest.raises(HomeAssistantError):
        await send_sms(hass, entry, [ALICE])

    assert _today(hass)[0] == "3"  # a certain failure gives its segment back
