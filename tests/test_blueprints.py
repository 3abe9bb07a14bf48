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
from homeassistant.core_config import async_process_ha_core_config
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
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.benelux_sms.const import CREDITS_UPDATE_INTERVAL, EVENT_UNCONFIRMED

from .accounts import account, requests_to, set_up
from .cases.smsbox import CASE as SMSBOX
from .cases.smsbox import FIRST_MSGID
from .cases.smsservicecenter import CASE as SSC
from .cases.smsservicecenter import SSC_MESSAGE_ID
from .conftest import RECIPIENT_NUMBER, mock_credits, mock_send, sent_bodies
from .gateway_cases import Outcome

AUTOMATION_BLUEPRINTS = Path(__file__).parents[1] / "blueprints" / "automation"
LOW_CREDITS = "benelux_sms/low_credits.yaml"
ESCALATION = "benelux_sms/delivery_escalation.yaml"
CREDITS = "sensor.sms_service_center_credits"
NOTIFY_ALICE = "notify.sms_service_center_alice"
ALARM_EVENT = "test_alarm_triggered"
ESCALATION_DATA = {
    "sent": "{{ sms.messages[0].message_id if sms is defined else 'refused' }}",
    "status": "{{ unconfirmed.status if unconfirmed is defined else '-' }}",
    "fallback_sent": "{{ unconfirmed.fallback_message_id if unconfirmed is defined else '-' }}",
}
WEBHOOK_ID = "0123456789abcdef" * 4
ALARM_ID = str(FIRST_MSGID)


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
# A run that waits for the unconfirmed event keeps hass.async_block_till_done() waiting too, so
# these tests wait for the blueprint's own step instead: it starts listening for that event.
# The alarm goes out through SMSBOX (it reports delivery), its fallback is SMS Service Center.


@pytest.fixture
def listening(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Set whenever something starts listening for benelux_sms_unconfirmed on the event bus."""
    listening = asyncio.Event()
    original = EventBus.async_listen

    def async_listen(self: EventBus, event_type: Any, *args: Any, **kwargs: Any) -> Any:
        if event_type == EVENT_UNCONFIRMED:
            listening.set()
        return original(self, event_type, *args, **kwargs)

    monkeypatch.setattr(EventBus, "async_listen", async_listen)
    return listening


@pytest.fixture
async def alarm_account(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """SMSBOX behind a public URL, SMS Service Center its fallback; both take every send."""
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    fallback = await set_up(hass, account(SSC, sender="Backup"))
    SMSBOX.mock_setup(aioclient_mock)
    SMSBOX.mock_send(aioclient_mock, Outcome.SENT)
    options = {"fallback_entry_id": fallback.entry_id}
    primary = await set_up(hass, account(SMSBOX, options, webhook_id=WEBHOOK_ID))
    return primary, fallback


async def _add_escalation(hass: HomeAssistant, entry: MockConfigEntry) -> list[ServiceCall]:
    escalations = async_mock_service(hass, "test", "escalate")
    await _add_automation(
        hass,
        ESCALATION,
        {
            "triggers": [{"trigger": "event", "event_type": ALARM_EVENT}],
            "config_entry": entry.entry_id,
            "recipients": ["+31 6 12345678"],
            "message": "Smoke detected in the attic",
            "timeout": {"minutes": 2},
            "escalation": [{"action": "test.escalate", "data": ESCALATION_DATA}],
        },
    )
    return escalations


async def _raise_alarm_and_wait_for_the_wait(hass: HomeAssistant, listening: asyncio.Event) -> None:
    listening.clear()
    hass.bus.async_fire(ALARM_EVENT)
    async with asyncio.timeout(10):
        await listening.wait()


async def _run_ends(hass: HomeAssistant) -> None:
    """Let the run finish; fail, rather than hang, if it is still waiting."""
    async with asyncio.timeout(10):
        await hass.async_block_till_done()


async def _report(hass: HomeAssistant, client_factory: ClientSessionGenerator, status: str) -> None:
    """SMSBOX reports on the alarm: 11 delivered, 13 undelivered."""
    client = await client_factory()
    report = {"msgid": ALARM_ID, "status": status}
    assert (await client.post(f"/api/webhook/{WEBHOOK_ID}", data=report)).status == 200


@pytest.mark.usefixtures("repository_blueprints")
async def test_no_report_in_time_sends_through_the_fallback_and_escalates(
    hass: HomeAssistant,
    alarm_account: tuple[MockConfigEntry, MockConfigEntry],
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    listening: asyncio.Event,
) -> None:
    """Alarm → confirm within 2 minutes → no report: the fallback sends it, then the escalation
    runs with the event's data.
    """
    primary, _ = alarm_account
    escalations = await _add_escalation(hass, primary)

    await _raise_alarm_and_wait_for_the_wait(hass, listening)
    [form] = requests_to(aioclient_mock, SMSBOX.send_url)
    assert (form["numbers"], form["message"]) == ("31612345678", "Smoke detected in the attic")
    freezer.tick(timedelta(seconds=119))
    async_fire_time_changed(hass)
    for _ in range(20):  # the run waits, so async_block_till_done would too
        await asyncio.sleep(0)
    assert escalations == []
    assert requests_to(aioclient_mock, SSC.send_url) == []

    await _tick(hass, freezer, timedelta(seconds=1))
    await _run_ends(hass)

    [body] = requests_to(aioclient_mock, SSC.send_url)
    assert (body["numbers"], body["message"]) == ([RECIPIENT_NUMBER], "Smoke detected in the attic")
    assert [call.data for call in escalations] == [
        {"sent": FIRST_MSGID, "status": "accepted", "fallback_sent": SSC_MESSAGE_ID}
    ]


@pytest.mark.usefixtures("repository_blueprints")
async def test_delivered_in_time_calls_it_off(
    hass: HomeAssistant,
    alarm_account: tuple[MockConfigEntry, MockConfigEntry],
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    listening: asyncio.Event,
) -> None:
    """Delivered within the timeout: no fallback send, no escalation, and the run ends."""
    primary, _ = alarm_account
    escalations = await _add_escalation(hass, primary)
    await _raise_alarm_and_wait_for_the_wait(hass, listening)

    await _report(hass, hass_client_no_auth, "11")
    await _later(hass, timedelta(minutes=3, seconds=1))
    await _run_ends(hass)

    assert escalations == []
    assert requests_to(aioclient_mock, SSC.send_url) == []


@pytest.mark.usefixtures("repository_blueprints")
async def test_undelivered_report_escalates_at_once(
    hass: HomeAssistant,
    alarm_account: tuple[MockConfigEntry, MockConfigEntry],
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    listening: asyncio.Event,
) -> None:
    """The gateway reports it undelivered: fallback and escalation without waiting."""
    primary, _ = alarm_account
    escalations = await _add_escalation(hass, primary)
    await _raise_alarm_and_wait_for_the_wait(hass, listening)

    await _report(hass, hass_client_no_auth, "13")
    await _run_ends(hass)

    assert len(requests_to(aioclient_mock, SSC.send_url)) == 1
    assert [call.data for call in escalations] == [
        {"sent": FIRST_MSGID, "status": "undelivered", "fallback_sent": SSC_MESSAGE_ID}
    ]


@pytest.mark.usefixtures("repository_blueprints")
@pytest.mark.parametrize(
    ("event", "escalates"),
    [
        pytest.param({}, True, id="this-message"),
        pytest.param({"message_id": "another-message"}, False, id="another-message"),
        pytest.param({"config_entry_id": "another-account"}, False, id="another-account"),
    ],
)
async def test_only_this_messages_event_escalates(
    hass: HomeAssistant,
    alarm_account: tuple[MockConfigEntry, MockConfigEntry],
    hass_client_no_auth: ClientSessionGenerator,
    listening: asyncio.Event,
    event: dict[str, str],
    escalates: bool,
) -> None:
    """Another message's or another account's unconfirmed event leaves this alarm alone."""
    primary, _ = alarm_account
    escalations = await _add_escalation(hass, primary)
    await _raise_alarm_and_wait_for_the_wait(hass, listening)

    hass.bus.async_fire(
        EVENT_UNCONFIRMED,
        {
            "config_entry_id": primary.entry_id,
            "message_id": ALARM_ID,
            "recipient": RECIPIENT_NUMBER,
            "status": "expired",
            "fallback_entry_id": None,
            "fallback_message_id": None,
        }
        | event,
    )
    await _report(hass, hass_client_no_auth, "11")
    await _later(hass, timedelta(minutes=3, seconds=1))
    await _run_ends(hass)

    assert len(escalations) == (1 if escalates else 0)


@pytest.mark.usefixtures("repository_blueprints")
async def test_refused_send_escalates_at_once(
    hass: HomeAssistant,
    alarm_account: tuple[MockConfigEntry, MockConfigEntry],
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """Out of credits on both accounts: the escalation runs without waiting, once."""
    primary, _ = alarm_account
    escalations = await _add_escalation(hass, primary)
    aioclient_mock.clear_requests()
    SMSBOX.mock_setup(aioclient_mock)
    SMSBOX.mock_send(aioclient_mock, Outcome.NO_CREDITS)
    SSC.mock_send(aioclient_mock, Outcome.NO_CREDITS)

    hass.bus.async_fire(ALARM_EVENT)
    await _run_ends(hass)

    assert [call.data for call in escalations] == [
        {"sent": "refused", "status": "-", "fallback_sent": "-"}
    ]
    await _later(hass, timedelta(minutes=3))
    assert len(escalations) == 1


@pytest.mark.usefixtures("repository_blueprints")
async def test_account_without_reports_is_refused_and_escalates_at_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, gateway_mock: AiohttpClientMocker
) -> None:
    """SMS Service Center reports no delivery: the send is refused, nothing goes out, and the
    escalation runs at once.
    """
    escalations = await _add_escalation(hass, loaded_entry)

    hass.bus.async_fire(ALARM_EVENT)
    await _run_ends(hass)

    assert sent_bodies(gateway_mock) == []
    assert [call.data for call in escalations] == [
        {"sent": "refused", "status": "-", "fallback_sent": "-"}
    ]
