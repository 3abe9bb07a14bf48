"""The send path: nothing in the action but the send; credits after it, at most once a minute."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms import sms

from .accounts import send_sms, set_up_case
from .cases.kpn_vonage import CASE as VONAGE
from .conftest import SSC_URL, mock_credits, mock_send
from .gateway_cases import Outcome

CREDITS = "sensor.sms_service_center_credits"
LAST_STATUS = "sensor.sms_service_center_last_delivery_status"
MESSAGES_SENT = "sensor.sms_service_center_messages_sent"
SEGMENTS_SENT = "sensor.sms_service_center_segments_sent"
A_MINUTE = timedelta(seconds=61)


def _credits_requests(aioclient_mock: AiohttpClientMocker) -> int:
    return sum(1 for _, url, _, _ in aioclient_mock.mock_calls if str(url) == SSC_URL + "credits")


async def _send_sms(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await send_sms(hass, entry, ["0612345678"], "Alarm")


def _answer_credits(aioclient_mock: AiohttpClientMocker, credits: int) -> None:
    aioclient_mock.clear_requests()
    mock_credits(aioclient_mock, credits=credits)
    mock_send(aioclient_mock)


async def test_action_returns_before_the_credits_are_asked(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """The send answers the automation; the credits request follows it, not inside it."""
    _answer_credits(aioclient_mock, 99)

    await _send_sms(hass, loaded_entry)

    assert _credits_requests(aioclient_mock) == 0
    assert hass.states.get(CREDITS).state == "100"
    await hass.async_block_till_done()
    assert _credits_requests(aioclient_mock) == 1
    assert hass.states.get(CREDITS).state == "99"


async def test_a_burst_of_sends_asks_the_credits_once_a_minute(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """Ten sends make one credits request; the minute after, one more tells the balance."""
    _answer_credits(aioclient_mock, 99)

    for _ in range(10):
        await _send_sms(hass, loaded_entry)
        await hass.async_block_till_done()
    assert _credits_requests(aioclient_mock) == 1
    assert hass.states.get(CREDITS).state == "99"

    _answer_credits(aioclient_mock, 90)
    freezer.tick(timedelta(seconds=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _credits_requests(aioclient_mock) == 0

    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _credits_requests(aioclient_mock) == 1
    assert hass.states.get(CREDITS).state == "90"

    # Nothing was sent since: no more requests.
    freezer.tick(A_MINUTE)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _credits_requests(aioclient_mock) == 1


async def test_balance_in_the_reply_makes_no_credits_request(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """KPN Vonage's reply tells the balance: a send makes its token and send requests only."""
    entry = await set_up_case(hass, VONAGE, aioclient_mock)
    aioclient_mock.clear_requests()
    VONAGE.mock_setup(aioclient_mock)
    VONAGE.mock_send(aioclient_mock, Outcome.SENT)

    await _send_sms(hass, entry)
    freezer.tick(A_MINUTE)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    requests = [str(url) for _, url, _, _ in aioclient_mock.mock_calls]
    assert [url for url in requests if "/oauth/" not in url] == [VONAGE.send_url]
    assert hass.states.get("sensor.kpn_vonage_sms_balance").state == "9.93"


@pytest.fixture
def state_writes(hass: HomeAssistant) -> dict[str, int]:
    """How many times each entity's state was written, changed or not."""
    writes: dict[str, int] = {}

    @callback
    def count(event: Event[Any]) -> None:
        entity_id = event.data["entity_id"]
        writes[entity_id] = writes.get(entity_id, 0) + 1

    @callback
    def every_entity(_data: Any) -> bool:
        return True

    hass.bus.async_listen(EVENT_STATE_CHANGED, count)
    hass.bus.async_listen(EVENT_STATE_REPORTED, count, event_filter=every_entity)
    return writes


async def test_each_sensor_is_written_once_per_send(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    state_writes: dict[str, int],
) -> None:
    """A send writes each sensor once: the status, the usage, the credits (when asked)."""
    _answer_credits(aioclient_mock, 99)

    await _send_sms(hass, loaded_entry)
    await hass.async_block_till_done()

    assert state_writes == {LAST_STATUS: 1, CREDITS: 1, MESSAGES_SENT: 1, SEGMENTS_SENT: 1}

    # Within the minute the credits are not asked again: the rest is written once more.
    await _send_sms(hass, loaded_entry)
    await hass.async_block_till_done()
    assert state_writes == {LAST_STATUS: 2, CREDITS: 1, MESSAGES_SENT: 2, SEGMENTS_SENT: 2}


async def test_a_reply_with_the_balance_writes_each_sensor_once(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, state_writes: dict[str, int]
) -> None:
    """KPN Vonage: one send, one write of the balance, the last status and the usage."""
    entry = await set_up_case(hass, VONAGE, aioclient_mock)
    state_writes.clear()

    await _send_sms(hass, entry)
    await hass.async_block_till_done()

    assert state_writes == {
        "sensor.kpn_vonage_sms_balance": 1,
        "sensor.kpn_vonage_sms_last_delivery_status": 1,
        "sensor.kpn_vonage_sms_messages_sent": 1,
        "sensor.kpn_vonage_sms_segments_sent": 1,
    }


async def test_number_metadata_is_loaded_at_setup_off_the_event_loop(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    gateway_mock: AiohttpClientMocker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Setup reads the served countries' and Home Assistant's own, in an executor thread."""
    loads: list[tuple[frozenset[str], bool]] = []
    load = sms.load_number_metadata

    def recording_load(regions: Iterable[str]) -> None:
        regions = frozenset(regions)
        loads.append((regions, threading.current_thread() is threading.main_thread()))
        load(regions)

    monkeypatch.setattr("custom_components.benelux_sms.load_number_metadata", recording_load)
    await hass.config.async_update(country="DE")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert loads == [(frozenset({"NL", "BE", "LU", "DE"}), False)]


async def test_asking_for_an_update_is_not_held_by_the_sends_minute(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """Sends ask for the credits at most once a minute; the user asking gets them at once."""
    await async_setup_component(hass, "homeassistant", {})
    _answer_credits(aioclient_mock, 99)
    await _send_sms(hass, loaded_entry)
    await _send_sms(hass, loaded_entry)
    await hass.async_block_till_done()
    assert _credits_requests(aioclient_mock) == 1

    _answer_credits(aioclient_mock, 98)
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": CREDITS}, blocking=True
    )
    await hass.async_block_till_done()

    assert _credits_requests(aioclient_mock) == 1
    assert hass.states.get(CREDITS).state == "98"
