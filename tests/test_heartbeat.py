"""The 1601SMS heartbeat: set up in the options, kept waiting at the gateway, moved on, shown
by the binary sensor; a mocked outbox counts what the gateway holds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

from .accounts import ALICE, BOB, account, set_up
from .cases.sms1601 import CASE as SMS1601
from .cases.smsservicecenter import CASE as SSC
from .gateway_cases import Outcome
from .outbox import Outbox

SENSOR = "binary_sensor.1601sms_heartbeat"
START = datetime(2026, 12, 3, 9, 0, tzinfo=dt_util.UTC)
HEARTBEAT = {
    "heartbeat_recipients": [ALICE],
    "heartbeat_minutes": 30,
    "heartbeat_message": "Home Assistant is down",
}


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


async def _account(hass: HomeAssistant, options: dict[str, Any] | None = None) -> MockConfigEntry:
    entry = await set_up(hass, account(SMS1601, options))
    await hass.async_block_till_done()
    return entry


async def _after(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def _sensor(hass: HomeAssistant) -> str:
    state = hass.states.get(SENSOR)
    assert state is not None
    return state.state


async def test_heartbeat_set_in_the_options_waits_at_the_gateway(
    hass: HomeAssistant, outbox: Outbox
) -> None:
    """Saving the options schedules the message heartbeat_minutes ahead; the sensor is on."""
    entry = await _account(hass)
    assert _sensor(hass) == "off"
    assert outbox.held == {}

    form = await hass.config_entries.options.async_init(entry.entry_id)
    assert form["type"] is FlowResultType.FORM
    assert {"heartbeat_recipients", "heartbeat_minutes", "heartbeat_message"} <= {
        str(key) for key in form["data_schema"].schema
    }
    result = await hass.config_entries.options.async_configure(form["flow_id"], HEARTBEAT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    [held] = outbox.held.values()
    assert held.datum == "202612031030"  # 09:30 UTC in Dutch time
    assert held.numbers == ALICE.removeprefix("+")
    assert held.text == "Home Assistant is down"
    assert _sensor(hass) == "on"
    assert hass.states.get(SENSOR).attributes["goes_out_at"] == START + timedelta(minutes=30)  # type: ignore[union-attr]


async def test_heartbeat_is_moved_on_new_first_then_the_old_cancelled(
    hass: HomeAssistant, outbox: Outbox, freezer: FrozenDateTimeFactory
) -> None:
    """Every five minutes: a new message, then the old one cancelled; one waits at a time."""
    await _account(hass, HEARTBEAT)
    [first] = outbox.held
    await _after(hass, freezer, timedelta(minutes=5))
    [second] = outbox.held
    assert outbox.calls == [("schedule", first), ("schedule", second), ("cancel", first)]
    assert outbox.held[second].datum == "202612031035"
    for _ in range(10):
        await _after(hass, freezer, timedelta(minutes=5))
    assert len(outbox.held) == 1
    assert _sensor(hass) == "on"


async def test_failed_cancel_is_tried_again_at_the_next_move(
    hass: HomeAssistant, outbox: Outbox, freezer: FrozenDateTimeFactory
) -> None:
    """The gateway cannot cancel now: both wait; the next move cancels what was left."""
    await _account(hass, HEARTBEAT)
    [first] = outbox.held
    outbox.cancel_fails = True
    await _after(hass, freezer, timedelta(minutes=5))
    assert len(outbox.held) == 2
    outbox.cancel_fails = False
    await _after(hass, freezer, timedelta(minutes=5))
    [third] = outbox.held
    assert ("cancel", first) in outbox.calls
    assert third not in (first,)


async def test_failed_move_keeps_the_waiting_heartbeat(
    hass: HomeAssistant, outbox: Outbox, freezer: FrozenDateTimeFactory
) -> None:
    """Internet down: no move and no cancel; the waiting one stays, and goes out when due."""
    await _account(hass, HEARTBEAT)
    [first] = outbox.held
    outbox.schedule_fails = True
    await _after(hass, freezer, timedelta(minutes=25))
    assert list(outbox.held) == [first]
    assert _sensor(hass) == "on"
    outbox.sent_at_gateway(first)
    await _after(hass, freezer, timedelta(minutes=5))
    assert _sensor(hass) == "off"


async def test_restart_takes_over_the_waiting_heartbeat(
    hass: HomeAssistant, outbox: Outbox, freezer: FrozenDateTimeFactory
) -> None:
    """Stopping leaves the message waiting; starting schedules a new one and cancels it."""
    entry = await _account(hass, HEARTBEAT)
    [first] = outbox.held
    assert await hass.config_entries.async_unload(entry.entry_id)
    await _after(hass, freezer, timedelta(minutes=20))
    assert list(outbox.held) == [first]  # still waiting while Home Assistant is down

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    [second] = outbox.held
    assert second != first
    assert outbox.calls[-2:] == [("schedule", second), ("cancel", first)]
    assert _sensor(hass) == "on"


async def test_heartbeat_that_went_out_while_down_is_replaced(
    hass: HomeAssistant, outbox: Outbox, freezer: FrozenDateTimeFactory
) -> None:
    """Down longer than the delay: the gateway sent it; the start schedules a new one."""
    entry = await _account(hass, HEARTBEAT)
    [first] = outbox.held
    assert await hass.config_entries.async_unload(entry.entry_id)
    outbox.sent_at_gateway(first)
    await _after(hass, freezer, timedelta(hours=2))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert len(outbox.held) == 1
    assert _sensor(hass) == "on"


async def test_turning_the_heartbeat_off_cancels_it(hass: HomeAssistant, outbox: Outbox) -> None:
    """Options without recipients: the waiting message is cancelled; the sensor is off."""
    entry = await _account(hass, HEARTBEAT)
    assert len(outbox.held) == 1
    form = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        form["flow_id"], {"heartbeat_recipients": []}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert outbox.held == {}
    assert _sensor(hass) == "off"


async def test_removing_the_account_cancels_its_heartbeat(
    hass: HomeAssistant, outbox: Outbox
) -> None:
    """A removed account leaves nothing waiting at the gateway."""
    entry = await _account(hass, HEARTBEAT)
    assert len(outbox.held) == 1
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert outbox.held == {}


async def test_heartbeat_stops_when_every_move_costs_credits(
    hass: HomeAssistant, outbox: Outbox, freezer: FrozenDateTimeFactory
) -> None:
    """Charged at scheduling: after three moves that each cost, it stops with a repair issue."""
    outbox.charge_on_schedule = True
    entry = await _account(hass, HEARTBEAT)
    await _after(hass, freezer, timedelta(minutes=5))
    await _after(hass, freezer, timedelta(minutes=5))
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"heartbeat_charged_{entry.entry_id}")
    assert issue is not None
    assert outbox.held == {}
    assert _sensor(hass) == "off"
    schedules = len([call for call in outbox.calls if call[0] == "schedule"])
    await _after(hass, freezer, timedelta(minutes=30))
    assert len([call for call in outbox.calls if call[0] == "schedule"]) == schedules == 3

    # Stopped over a restart too, until the heartbeat options change.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert outbox.held == {}


async def test_heartbeat_goes_on_when_moves_cost_nothing(
    hass: HomeAssistant, outbox: Outbox, freezer: FrozenDateTimeFactory
) -> None:
    """Charged at sending (as the simulator): the balance stays, the moves go on."""
    entry = await _account(hass, HEARTBEAT)
    for _ in range(5):
        await _after(hass, freezer, timedelta(minutes=5))
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"heartbeat_charged_{entry.entry_id}") is None
    assert len([call for call in outbox.calls if call[0] == "schedule"]) == 6
    assert _sensor(hass) == "on"


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({"heartbeat_recipients": [ALICE]}, {"heartbeat_message": "heartbeat_message_missing"}),
        (
            {"heartbeat_recipients": [ALICE, "12"], "heartbeat_message": "Down"},
            {"heartbeat_recipients": "heartbeat_invalid_number"},
        ),
        (
            {"heartbeat_recipients": [BOB], "heartbeat_message": "x" * 500},
            {"heartbeat_message": "heartbeat_invalid_message"},
        ),
    ],
)
async def test_heartbeat_options_are_checked_as_a_send(
    hass: HomeAssistant, outbox: Outbox, user_input: dict[str, Any], errors: dict[str, str]
) -> None:
    """Bad numbers or text are refused in the form, so no heartbeat waits to fail."""
    entry = await _account(hass)
    form = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(form["flow_id"], user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert outbox.held == {}


async def test_gateways_without_scheduling_have_no_heartbeat(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """No heartbeat fields, no heartbeat sensor."""
    SSC.mock_setup(aioclient_mock)
    entry = await set_up(hass, account(SSC))
    form = await hass.config_entries.options.async_init(entry.entry_id)
    assert not any("heartbeat" in str(key) for key in form["data_schema"].schema)
    assert not any(state.entity_id.endswith("_heartbeat") for state in hass.states.async_all())
