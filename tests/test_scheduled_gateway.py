"""Scheduled sends that 1601SMS holds in its outbox: scheduled and cancelled at the gateway,
listed on the account's calendar until their time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

from .accounts import ALICE, account, requests_to, send_sms, set_up
from .cases.sms1601 import CASE as SMS1601
from .cases.sms1601 import SMS1601_ENDPOINT
from .gateway_cases import Outcome
from .outbox import Outbox

CALENDAR = "calendar.1601sms_scheduled_messages"
START = datetime(2026, 12, 3, 9, 0, tzinfo=dt_util.UTC)


@pytest.fixture(autouse=True)
def nine_o_clock(freezer: FrozenDateTimeFactory) -> None:
    """Every test starts at 09:00 UTC (10:00 in the Netherlands)."""
    freezer.move_to(START)


@pytest.fixture
def outbox(aioclient_mock: AiohttpClientMocker) -> Outbox:
    """The 1601SMS gateway, with an outbox."""
    gateway = Outbox()
    gateway.mock(aioclient_mock)
    SMS1601.mock_send(aioclient_mock, Outcome.SENT)
    return gateway


async def _cancel(hass: HomeAssistant, entry: MockConfigEntry, schedule_id: str) -> None:
    await hass.services.async_call(
        DOMAIN,
        "cancel_scheduled",
        {"config_entry_id": entry.entry_id, "schedule_id": schedule_id},
        blocking=True,
    )


def _event_summary(hass: HomeAssistant) -> str | None:
    state = hass.states.get(CALENDAR)
    assert state is not None
    return state.attributes.get("message")


async def test_gateway_holds_the_message_and_cancel_removes_it_there(
    hass: HomeAssistant, outbox: Outbox, aioclient_mock: AiohttpClientMocker
) -> None:
    """The outbox gets it with its Dutch time; cancel_scheduled removes it by its outbox id."""
    entry = await set_up(hass, account(SMS1601))
    response = await send_sms(hass, entry, message="Oven off?", send_at=START + timedelta(hours=3))
    [message] = response["messages"]
    assert message["status"] == "scheduled"
    [(outbox_id, held)] = outbox.held.items()
    assert held.datum == "202612031300"
    assert held.text == "Oven off?"
    assert requests_to(aioclient_mock, SMS1601.send_url) == []
    assert _event_summary(hass) == "Oven off?"

    await _cancel(hass, entry, message["schedule_id"])
    assert outbox.held == {}
    assert outbox.calls[-1] == ("cancel", outbox_id)
    assert _event_summary(hass) is None


async def test_message_the_gateway_sent_is_unknown_to_cancel(
    hass: HomeAssistant, outbox: Outbox
) -> None:
    """Gone from the outbox (ERROR 122): schedule_unknown, and it leaves the calendar."""
    entry = await set_up(hass, account(SMS1601))
    response = await send_sms(hass, entry, send_at=START + timedelta(hours=3))
    outbox.sent_at_gateway(next(iter(outbox.held)))
    with pytest.raises(ServiceValidationError) as raised:
        await _cancel(hass, entry, response["messages"][0]["schedule_id"])
    assert raised.value.translation_key == "schedule_unknown"
    assert _event_summary(hass) is None


async def test_gateway_message_leaves_the_calendar_at_its_time(
    hass: HomeAssistant,
    outbox: Outbox,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """At its time the gateway sends it; Home Assistant sends nothing, and lists it no more."""
    entry = await set_up(hass, account(SMS1601))
    await send_sms(hass, entry, send_at=START + timedelta(minutes=10))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _event_summary(hass) == "Alarm: front door"
    freezer.move_to(START + timedelta(minutes=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _event_summary(hass) is None
    assert requests_to(aioclient_mock, SMS1601.send_url) == []


async def test_time_the_gateway_refuses_is_send_at_invalid(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """ERROR 121 (the date is in the past or not correct): nothing is listed."""
    SMS1601.mock_setup(aioclient_mock)
    aioclient_mock.post(SMS1601_ENDPOINT, params={"outboxid": "ja"}, text="ERROR 121\n")
    entry = await set_up(hass, account(SMS1601))
    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(hass, entry, recipients=[ALICE], send_at=START + timedelta(hours=1))
    assert raised.value.translation_key == "send_at_invalid"
    assert _event_summary(hass) is None


async def test_reference_goes_with_the_scheduled_message(
    hass: HomeAssistant, outbox: Outbox
) -> None:
    """``reference`` reaches the outbox as ``referentie``, as a send's does."""
    entry = await set_up(hass, account(SMS1601))
    await send_sms(hass, entry, send_at=START + timedelta(hours=1), reference="front-door")
    [held] = outbox.held.values()
    assert held.reference == "front-door"


async def test_confirmation_of_a_message_the_gateway_holds_is_refused(
    hass: HomeAssistant, outbox: Outbox, aioclient_mock: AiohttpClientMocker
) -> None:
    """1601SMS sends it on its own and gives it no id, so no report can confirm it: refused
    before anything is scheduled.
    """
    entry = await set_up(hass, account(SMS1601))

    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(hass, entry, send_at=START + timedelta(hours=3), confirm_within=60)

    assert raised.value.translation_key == "confirmation_unsupported"
    assert outbox.held == {}
    assert outbox.calls == []
