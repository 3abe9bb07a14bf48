"""The automation blueprints in blueprints/automation/benelux_sms, as Home Assistant runs them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import Blueprint, DomainBlueprints
from homeassistant.core import EventBus, HomeAssistant, ServiceCall
from homeassistant.helpers import selector
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import CREDITS_UPDATE_INTERVAL, EVENT_DELIVERY_REPORT

from .conftest import MESSAGE_ID, RECIPIENT_NUMBER, mock_credits, mock_send, sent_bodies

AUTOMATION_BLUEPRINTS = Path(__file__).parents[1] / "blueprints" / "automation"
LOW_CREDITS = "benelux_sms/low_credits.yaml"
ESCALATION = "benelux_sms/delivery_escalation.yaml"
CREDITS = "sensor.sms_service_center_credits"
NOTIFY_ALICE = "notify.sms_service_center_alice"
ALARM_EVENT = "test_alarm_triggered"
SENT_MESSAGE_ID = "{{ sms.messages[0].message_id if sms is defined else 'refused' }}"


@pytest.fixture
def repository_blueprints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let Home Assistant find automation blueprints in this repository's blueprints/."""
    original = DomainBlueprints.blueprint_folder

    def folder(self: DomainBlueprints) -> Path:
        if self.domain == "automation":
            return AUTOMATION_BLUEPRINTS
        return original.fget(self)

    monkeypatch.setattr(DomainBlueprints, "blueprint_folder", property(folder))


def _load(path: str) -> Blueprint:
    return Blueprint(
        load_yaml_dict(AUTOMATION_BLUEPRINTS / path),
        path=path,
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


async def _add_automation(hass: HomeAssistant, path: str, inputs: dict[str, Any]) -> None:
    config = {"automation": {"use_blueprint": {"path": path, "input": inputs}}}
    assert await async_setup_component(hass, "automation", config)
    await hass.async_block_till_done()
    [automation] = hass.states.async_all("automation")
    assert automation.state == "on"


async def _later(hass: HomeAssistant, delta: timedelta) -> None:
    """Run what is due by then; script timeouts run on the event loop's clock, not freezegun's."""
    async_fire_time_changed(hass, dt_util.utcnow() + delta)
    await hass.async_block_till_done()


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("path", "inputs"),
    [
        (
            LOW_CREDITS,
            {"credits_sensor", "threshold", "notify_entities", "message", "actions"},
        ),
        (
            ESCALATION,
            {"triggers", "config_entry", "recipients", "message", "timeout", "escalation"},
        ),
    ],
)
def test_blueprint_is_valid(path: str, inputs: set[str]) -> None:
    """Home Assistant's blueprint schema takes the file; every default fits its selector."""
    blueprint = _load(path)

    assert blueprint.validate() is None
    assert set(blueprint.inputs) == inputs
    for name, spec in blueprint.inputs.items():
        assert spec["name"], name
        assert spec["description"], name
        if "default" in spec:
            selector.selector(spec["selector"])(spec["default"])


def test_every_blueprint_is_tested() -> None:
    """No blueprint ships that this file does not load."""
    shipped = {
        str(path.relative_to(AUTOMATION_BLUEPRINTS))
        for path in AUTOMATION_BLUEPRINTS.glob("**/*.yaml")
    }
    assert shipped == {LOW_CREDITS, ESCALATION}


# Warn when SMS credits run low


@pytest.mark.usefixtures("repository_blueprints")
async def test_low_credits_warns_once_when_credits_fall_below(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Below the threshold: one SMS to the notify entity and the other actions, then quiet."""
    other_actions = async_mock_service(hass, "test", "low_credits")
    await _add_automation(
        hass,
        LOW_CREDITS,
        {
            "credits_sensor": CREDITS,
            "threshold": 20,
            "notify_entities": [NOTIFY_ALICE],
            "actions": [{"action": "test.low_credits", "data": {"left": "{{ credits }}"}}],
        },
    )
    assert sent_bodies(aioclient_mock) == []

    aioclient_mock.clear_requests()
    mock_credits(aioclient_mock, credits=15)
    mock_send(aioclient_mock)
    await _tick(hass, freezer, CREDITS_UPDATE_INTERVAL + timedelta(seconds=1))

    assert hass.states.get(CREDITS).state == "15"
    assert sent_bodies(aioclient_mock) == [
        {
            "numbers": [RECIPIENT_NUMBER],
            "message": "SMS Service Center Credits: 15 left, below 20. Top up soon.",
            "sendname": "HomeAlarm",
        }
    ]
    assert [call.data for call in other_actions] == [{"left": 15}]

    aioclient_mock.clear_requests()
    mock_credits(aioclient_mock, credits=12)
    await _tick(hass, freezer, CREDITS_UPDATE_INTERVAL + timedelta(seconds=1))

    assert hass.states.get(CREDITS).state == "12"
    assert sent_bodies(aioclient_mock) == []
    assert len(other_actions) == 1


@pytest.mark.usefixtures("repository_blueprints", "loaded_entry")
async def test_low_credits_without_notify_entities_runs_the_actions(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """With no notify entity picked, nothing is sent; the other actions still run."""
    other_actions = async_mock_service(hass, "test", "low_credits")
    await _add_automation(
        hass,
        LOW_CREDITS,
        {
            "credits_sensor": CREDITS,
            "threshold": 50,
            "actions": [{"action": "test.low_credits"}],
        },
    )

    aioclient_mock.clear_requests()
    mock_credits(aioclient_mock, credits=49)
    await _tick(hass, freezer, CREDITS_UPDATE_INTERVAL + timedelta(seconds=1))

    assert sent_bodies(aioclient_mock) == []
    assert len(other_actions) == 1


# Alarm SMS with escalation when it is not delivered in time
#
# A run that waits for a report keeps hass.async_block_till_done() waiting too, so these tests
# wait for the blueprint's own step instead: it starts listening for delivery reports.


@pytest.fixture
def listening_for_reports(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Set whenever something starts listening for delivery reports on the event bus."""
    listening = asyncio.Event()
    original = EventBus.async_listen

    def async_listen(self: EventBus, event_type: Any, *args: Any, **kwargs: Any) -> Any:
        if event_type == EVENT_DELIVERY_REPORT:
            listening.set()
        return original(self, event_type, *args, **kwargs)

    monkeypatch.setattr(EventBus, "async_listen", async_listen)
    return listening


async def _add_escalation(hass: HomeAssistant, entry: MockConfigEntry) -> list[ServiceCall]:
    escalations = async_mock_service(hass, "test", "escalate")
    await _add_automation(
        hass,
        ESCALATION,
        {
            "triggers": [{"trigger": "event", "event_type": ALARM_EVENT}],
            "config_entry": entry.entry_id,
            "recipients": ["06 12345678"],
            "message": "Smoke detected in the attic",
            "timeout": {"minutes": 2},
            "escalation": [{"action": "test.escalate", "data": {"sent": SENT_MESSAGE_ID}}],
        },
    )
    return escalations


async def _raise_alarm_and_wait_for_the_wait(hass: HomeAssistant, listening: asyncio.Event) -> None:
    listening.clear()
    hass.bus.async_fire(ALARM_EVENT)
    async with asyncio.timeout(10):
        await listening.wait()


async def _run_ends(hass: HomeAssistant) -> None:
    """Let the run finish; fail, rather than hang, if it is still waiting for a report."""
    async with asyncio.timeout(10):
        await hass.async_block_till_done()


@pytest.mark.usefixtures("repository_blueprints")
async def test_escalation_runs_when_no_report_arrives_in_time(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    gateway_mock: AiohttpClientMocker,
    listening_for_reports: asyncio.Event,
) -> None:
    """The SMS goes out at once; with no report, the escalation runs after the timeout."""
    escalations = await _add_escalation(hass, loaded_entry)

    await _raise_alarm_and_wait_for_the_wait(hass, listening_for_reports)

    assert sent_bodies(gateway_mock) == [
        {
            "numbers": [RECIPIENT_NUMBER],
            "message": "Smoke detected in the attic",
            "sendname": "HomeAlarm",
        }
    ]
    assert escalations == []

    await _later(hass, timedelta(minutes=2, seconds=1))
    assert [call.data for call in escalations] == [{"sent": MESSAGE_ID}]


@pytest.mark.usefixtures("repository_blueprints")
@pytest.mark.parametrize(
    ("report", "escalates"),
    [
        pytest.param({}, False, id="delivered"),
        pytest.param({"status": "buffered"}, True, id="only-buffered"),
        pytest.param({"status": "undelivered"}, True, id="undelivered"),
        pytest.param({"message_id": "another-message"}, True, id="another-message"),
        pytest.param({"config_entry_id": "another-account"}, True, id="another-account"),
    ],
)
async def test_escalation_waits_for_this_messages_delivered_report(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    gateway_mock: AiohttpClientMocker,
    listening_for_reports: asyncio.Event,
    report: dict[str, str],
    escalates: bool,
) -> None:
    """Only a delivered report for this message from this account calls the escalation off."""
    escalations = await _add_escalation(hass, loaded_entry)
    await _raise_alarm_and_wait_for_the_wait(hass, listening_for_reports)

    hass.bus.async_fire(
        EVENT_DELIVERY_REPORT,
        {
            "config_entry_id": loaded_entry.entry_id,
            "message_id": MESSAGE_ID,
            "recipient": RECIPIENT_NUMBER,
            "status": "delivered",
            "gateway_code": None,
        }
        | report,
    )
    if escalates:
        await _later(hass, timedelta(minutes=2, seconds=1))
    else:
        await _run_ends(hass)

    assert len(escalations) == (1 if escalates else 0)
    assert len(sent_bodies(gateway_mock)) == 1


@pytest.mark.usefixtures("repository_blueprints")
async def test_escalation_runs_at_once_when_the_gateway_refuses(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """Out of credits: the escalation runs without waiting, once, and there is no SMS to track."""
    escalations = await _add_escalation(hass, loaded_entry)
    aioclient_mock.clear_requests()
    mock_credits(aioclient_mock, credits=0)
    mock_send(aioclient_mock, json={"status": "credits.error", "message": "Not enough"})

    hass.bus.async_fire(ALARM_EVENT)
    await _run_ends(hass)

    assert [call.data for call in escalations] == [{"sent": "refused"}]
    await _later(hass, timedelta(minutes=3))
    assert len(escalations) == 1
