"""Messages waiting for a delivery report are kept over a restart of Home Assistant."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.benelux_sms.const import DOMAIN, EVENT_DELIVERY_REPORT
from custom_components.benelux_sms.reports import pending_store

from .accounts import send_sms
from .cases.smsbox import CASE as SMSBOX
from .gateway_cases import Outcome

WEBHOOK_ID = "fedcba9876543210" * 4
ALICE = "+31612345678"
STATUS = "sensor.smsbox_last_delivery_status"


@pytest.fixture
async def entry(hass: HomeAssistant, aioclient_mock: AiohttpClientMocker) -> MockConfigEntry:
    """An SMSBOX account behind a public URL, not set up yet."""
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    SMSBOX.mock_setup(aioclient_mock)
    SMSBOX.mock_send(aioclient_mock, Outcome.SENT)
    entry = MockConfigEntry(
        domain=DOMAIN, title=SMSBOX.title, data={**SMSBOX.data, "webhook_id": WEBHOOK_ID}
    )
    entry.add_to_hass(hass)
    return entry


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def _send(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    response = await send_sms(hass, entry, [ALICE], "Alarm!")
    return str(response["messages"][0]["message_id"])


async def _report(hass: HomeAssistant, client_factory: ClientSessionGenerator, msgid: str) -> None:
    client = await client_factory()
    answer = await client.post(f"/api/webhook/{WEBHOOK_ID}", data={"msgid": msgid, "status": "11"})
    assert answer.status == 200
    await hass.async_block_till_done()


async def test_report_after_a_reload_still_lands(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Sent, the account reloaded (a restart of its part), then the report: it is told."""
    reports: list[Event] = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await _set_up(hass, entry)
    message_id = await _send(hass, entry)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await _report(hass, hass_client_no_auth, message_id)

    assert hass.states.get(STATUS).state == "delivered"
    assert [event.data["message_id"] for event in reports] == [message_id]


async def test_report_after_a_restart_still_lands(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """What the previous run kept in storage is waited for again."""
    hass_storage[f"{DOMAIN}.{entry.entry_id}.pending"] = {
        "version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}.pending",
        "data": [
            {
                "message_id": "77",
                "sent_at": (dt_util.utcnow() - timedelta(hours=2)).isoformat(),
                "parts": {ALICE: {"77": "accepted"}},
                "statuses": {ALICE: "accepted"},
            }
        ],
    }
    reports: list[Event] = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await _set_up(hass, entry)

    await _report(hass, hass_client_no_auth, "77")

    assert hass.states.get(STATUS).state == "delivered"
    assert [(event.data["message_id"], event.data["recipient"]) for event in reports] == [
        ("77", ALICE)
    ]


@pytest.mark.parametrize(
    "kept",
    [
        [{"message_id": "77", "sent_at": "2000-01-01T00:00:00+00:00", "parts": {}, "statuses": {}}],
        [{"message_id": "77", "sent_at": "yesterday"}],
        [{"message_id": "77", "sent_at": "2099-01-01T00:00:00", "parts": [], "statuses": 3}],
        {"not": "a list"},
        ["garbage", 17, None],
    ],
)
async def test_old_or_unreadable_kept_messages_are_dropped(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    kept: Any,
) -> None:
    """A message older than the tracking period, or data that does not read, waits no more."""
    hass_storage[f"{DOMAIN}.{entry.entry_id}.pending"] = {
        "version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}.pending",
        "data": kept,
    }
    reports: list[Event] = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await _set_up(hass, entry)

    await _report(hass, hass_client_no_auth, "77")

    assert reports == []
    assert hass.states.get(STATUS).state == "unknown"


async def test_waiting_messages_are_written_and_forgotten_with_the_entry(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The store follows the sends soon after; removing the account removes it."""
    await _set_up(hass, entry)
    message_id = await _send(hass, entry)
    freezer.tick(timedelta(seconds=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    key = f"{DOMAIN}.{entry.entry_id}.pending"
    assert [item["message_id"] for item in hass_storage[key]["data"]] == [message_id]

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage
    assert await pending_store(hass, entry.entry_id).async_load() is None


async def test_a_waiting_message_is_on_disk_a_second_after_the_send(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A hard stop a second after an alarm loses nothing: no final write is needed."""
    await _set_up(hass, entry)
    key = f"{DOMAIN}.{entry.entry_id}.pending"
    message_id = await _send(hass, entry)
    assert key not in hass_storage

    freezer.tick(timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    assert [item["message_id"] for item in hass_storage[key]["data"]] == [message_id]


async def test_the_days_count_is_on_disk_a_second_after_the_send(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """What a send reserved of the daily limit is stored within a second, before its answer
    comes: a hard stop during a hanging request keeps the segments counted.
    """
    SMSBOX.mock_setup(aioclient_mock)
    entry = MockConfigEntry(
        domain=DOMAIN, title=SMSBOX.title, data=SMSBOX.data, options={"daily_segment_limit": 5}
    )
    entry.add_to_hass(hass)
    held = asyncio.Event()

    async def hanging(*_: Any) -> None:
        await held.wait()
        raise TimeoutError

    aioclient_mock.post(SMSBOX.send_url, side_effect=hanging)
    await _set_up(hass, entry)
    send = hass.async_create_background_task(send_sms(hass, entry, [ALICE], "Alarm!"), "alarm")
    await asyncio.sleep(0)

    freezer.tick(timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=False)

    assert hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]["day_segments"] == 1
    held.set()
    with pytest.raises(HomeAssistantError):
        await send


async def test_sends_that_keep_coming_do_not_keep_the_first_off_the_disk(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A send every 0.3 s: the first one's waiting message is still on disk within a second
    (a write that waited for the sends to stop would never come).
    """
    await _set_up(hass, entry)
    key = f"{DOMAIN}.{entry.entry_id}.pending"
    message_id = await _send(hass, entry)
    for _ in range(3):
        freezer.tick(timedelta(seconds=0.3))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        await _send(hass, entry)
    assert key in hass_storage
    assert message_id in [item["message_id"] for item in hass_storage[key]["data"]]
