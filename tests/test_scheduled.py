"""Scheduled sends held by the integration (every gateway but 1601SMS), as an automation and a
dashboard see them: the action's answer, the request on the wire when due, the calendar."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

from .accounts import ALICE, BOB, account, requests_to, send_sms, set_up
from .cases.smsservicecenter import CASE as SSC
from .gateway_cases import Outcome

CALENDAR = "calendar.sms_service_center_scheduled_messages"
START = datetime(2026, 12, 3, 9, 0, tzinfo=dt_util.UTC)


@pytest.fixture(autouse=True)
def nine_o_clock(freezer: FrozenDateTimeFactory) -> None:
    """Every test starts at 09:00 UTC."""
    freezer.move_to(START)


async def _account(
    hass: HomeAssistant, mock: AiohttpClientMocker, **options: Any
) -> MockConfigEntry:
    SSC.mock_setup(mock)
    SSC.mock_send(mock, Outcome.SENT)
    return await set_up(hass, account(SSC, options))


def _sent(mock: AiohttpClientMocker) -> list[tuple[list[str], str]]:
    return [(body["numbers"], body["message"]) for body in requests_to(mock, SSC.send_url)]


async def _at(hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime) -> None:
    freezer.move_to(when)
    async_fire_time_changed(hass, when)
    await hass.async_block_till_done()


async def _refusal(call: Awaitable[Any]) -> str | None:
    with pytest.raises(ServiceValidationError) as raised:
        await call
    return raised.value.translation_key


async def _cancel(hass: HomeAssistant, entry: MockConfigEntry, schedule_id: str) -> None:
    await hass.services.async_call(
        DOMAIN,
        "cancel_scheduled",
        {"config_entry_id": entry.entry_id, "schedule_id": schedule_id},
        blocking=True,
    )


async def test_scheduled_message_goes_out_when_due_and_shows_on_the_calendar(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """The answer says scheduled; nothing goes out until the time; the calendar shows it."""
    entry = await _account(hass, aioclient_mock)
    due = START + timedelta(hours=2)
    response = await send_sms(hass, entry, [ALICE, BOB], "Take the bins out", send_at=due)

    schedule_id = response["messages"][0]["schedule_id"]
    assert response["messages"] == [
        {"recipient": ALICE, "message_id": None, "status": "scheduled", "schedule_id": schedule_id},
        {"recipient": BOB, "message_id": None, "status": "scheduled", "schedule_id": schedule_id},
    ]
    assert response["segments"] == 1
    assert _sent(aioclient_mock) == []
    calendar = hass.states.get(CALENDAR)
    assert calendar is not None
    assert calendar.state == "off"
    assert calendar.attributes["message"] == "Take the bins out"
    assert calendar.attributes["description"] == f"{ALICE}, {BOB}"

    await _at(hass, freezer, due - timedelta(seconds=1))
    assert _sent(aioclient_mock) == []
    await _at(hass, freezer, due)
    assert _sent(aioclient_mock) == [([ALICE, BOB], "Take the bins out")]
    assert hass.states.get(CALENDAR).state == "off"  # type: ignore[union-attr]
    assert "message" not in hass.states.get(CALENDAR).attributes  # type: ignore[union-attr]
    with pytest.raises(ServiceValidationError) as unknown:
        await _cancel(hass, entry, schedule_id)
    assert unknown.value.translation_key == "schedule_unknown"


async def test_calendar_lists_the_scheduled_messages_and_deleting_one_cancels_it(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """calendar.get_events lists them; calendar's delete cancels the message."""
    entry = await _account(hass, aioclient_mock)
    first = await send_sms(hass, entry, message="First", send_at=START + timedelta(hours=1))
    await send_sms(hass, entry, message="Second", send_at=START + timedelta(days=2))
    events = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": CALENDAR, "duration": {"days": 3}},
        blocking=True,
        return_response=True,
    )
    assert [event["summary"] for event in events[CALENDAR]["events"]] == ["First", "Second"]

    entity = hass.data["calendar"].get_entity(CALENDAR)
    await entity.async_delete_event(first["messages"][0]["schedule_id"])
    await _at(hass, freezer, START + timedelta(days=3))
    assert _sent(aioclient_mock) == [([ALICE], "Second")]


async def test_cancelled_message_is_not_sent(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """benelux_sms.cancel_scheduled: the message never goes out."""
    entry = await _account(hass, aioclient_mock)
    response = await send_sms(hass, entry, send_at=START + timedelta(minutes=5))
    await _cancel(hass, entry, response["messages"][0]["schedule_id"])
    await _at(hass, freezer, START + timedelta(minutes=10))
    assert _sent(aioclient_mock) == []
    with pytest.raises(ServiceValidationError) as unknown:
        await _cancel(hass, entry, "01NOSUCHSCHEDULE")
    assert unknown.value.translation_key == "schedule_unknown"
    assert "01NOSUCHSCHEDULE" in str(unknown.value)


@pytest.mark.parametrize(
    "send_at",
    [
        START - timedelta(minutes=1),
        START + timedelta(seconds=30),
        START + timedelta(days=366),
        "local now",  # a time without a zone is Home Assistant's local time
    ],
)
async def test_send_at_outside_the_window_is_refused(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    send_at: datetime | str,
) -> None:
    """A time in the past, within the minute or over a year ahead: nothing is scheduled."""
    entry = await _account(hass, aioclient_mock)
    if isinstance(send_at, str):
        send_at = dt_util.as_local(START).replace(tzinfo=None)
    data = {"send_at": send_at.isoformat()}
    assert await _refusal(send_sms(hass, entry, **data)) == "send_at_invalid"
    await _at(hass, freezer, START + timedelta(days=400))
    assert _sent(aioclient_mock) == []
    assert hass.states.get(CALENDAR).attributes.get("message") is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("recipients", "message", "key"),
    [
        (["hello"], "Alarm", "invalid_number_not_a_number"),
        ([ALICE], "   ", "empty_message"),
    ],
)
async def test_bad_input_is_refused_at_scheduling_time(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    recipients: list[str],
    message: str,
    key: str,
) -> None:
    """A bad number or text fails when scheduled, not when due."""
    entry = await _account(hass, aioclient_mock)
    call = send_sms(hass, entry, recipients, message, send_at=START + timedelta(hours=1))
    assert await _refusal(call) == key
    assert hass.states.get(CALENDAR).attributes.get("message") is None  # type: ignore[union-attr]


async def test_daily_limit_applies_at_sending_time_and_a_refusal_is_a_repair_issue(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """Both fit the limit when scheduled; when due, the second passes it and is told."""
    entry = await _account(hass, aioclient_mock, daily_segment_limit=1)
    due = START + timedelta(hours=1)
    await send_sms(hass, entry, message="One", send_at=due)
    await send_sms(hass, entry, message="Two", send_at=due + timedelta(minutes=1))
    await _at(hass, freezer, due + timedelta(minutes=1))
    assert _sent(aioclient_mock) == [([ALICE], "One")]
    issues = [
        issue
        for (domain, _), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN and issue.translation_key == "scheduled_failed"
    ]
    assert len(issues) == 1
    assert "Two" in issues[0].translation_placeholders["messages"]  # type: ignore[index]


async def test_restart_keeps_the_scheduled_message(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """Unloaded and set up again (a restart) before it is due: it still goes out on time, as
    asked (its sender, and past the duplicate window with bypass_limits).
    """
    entry = await _account(hass, aioclient_mock, duplicate_window=3600)
    due = START + timedelta(hours=1)
    await send_sms(hass, entry, message="After restart")
    await send_sms(
        hass, entry, message="After restart", send_at=due, sender="Neighbour", bypass_limits=True
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await _at(hass, freezer, due)
    assert _sent(aioclient_mock) == [([ALICE], "After restart")] * 2
    assert requests_to(aioclient_mock, SSC.send_url)[-1]["sendname"] == "Neighbour"


@pytest.mark.parametrize(
    ("down_for", "sent"),
    [(timedelta(minutes=59), True), (timedelta(minutes=61), False)],
)
async def test_message_that_fell_due_while_home_assistant_was_down(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    down_for: timedelta,
    sent: bool,
) -> None:
    """Up to an hour late it goes out at start-up; later it is dropped with a repair issue."""
    entry = await _account(hass, aioclient_mock)
    due = START + timedelta(minutes=10)
    await send_sms(hass, entry, message="Medicine", send_at=due)
    assert await hass.config_entries.async_unload(entry.entry_id)
    freezer.move_to(due + down_for)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    assert _sent(aioclient_mock) == ([([ALICE], "Medicine")] if sent else [])
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"scheduled_missed_{entry.entry_id}")
    assert (issue is None) is sent
    assert hass.states.get(CALENDAR).attributes.get("message") is None  # type: ignore[union-attr]


async def test_message_whose_send_was_under_way_at_shutdown_is_not_sent_again(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Kept as under way: it may have gone out, so it is told, not sent twice."""
    entry = account(SSC)
    hass_storage[f"{DOMAIN}.{entry.entry_id}.scheduled"] = {
        "version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}.scheduled",
        "data": [
            {
                "schedule_id": "01INTERRUPTED",
                "send_at": (START - timedelta(minutes=1)).isoformat(),
                "recipients": [ALICE],
                "text": "Maybe sent",
                "request": {"recipients": [ALICE], "text": "Maybe sent"},
                "gateway_id": None,
                "sending": True,
            }
        ],
    }
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    await set_up(hass, entry)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _sent(aioclient_mock) == []
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"scheduled_interrupted_{entry.entry_id}")
    assert issue is not None
    assert "Maybe sent" in issue.translation_placeholders["messages"]  # type: ignore[index]


async def test_failed_send_when_due_is_told(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """The gateway refuses when due (no credits): a repair issue names the message."""
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.NO_CREDITS)
    entry = await set_up(hass, account(SSC))
    response = await send_sms(hass, entry, message="No credits", send_at=START + timedelta(hours=1))
    await _at(hass, freezer, START + timedelta(hours=1))
    schedule_id = response["messages"][0]["schedule_id"]
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"scheduled_failed_{schedule_id}_{entry.entry_id}"
    )
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR


async def test_unloaded_account_refuses_to_cancel(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """cancel_scheduled on an account that is not loaded is refused, as send_sms is."""
    entry = await _account(hass, aioclient_mock)
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(HomeAssistantError) as raised:
        await _cancel(hass, entry, "01ANY")
    assert raised.value.translation_key == "entry_not_loaded"


async def test_send_at_without_a_zone_is_home_assistant_local_time(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """18:00 without a zone in Amsterdam is 17:00 UTC in December."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    entry = await _account(hass, aioclient_mock)
    response = await send_sms(hass, entry, send_at="2026-12-03 18:00:00")
    assert response["send_at"] == "2026-12-03T17:00:00+00:00"


async def test_a_confirmation_time_out_of_range_is_refused_at_scheduling_time(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """confirm_within is checked when the message is scheduled, not when it is due."""
    entry = await _account(hass, aioclient_mock)
    call = send_sms(hass, entry, send_at=START + timedelta(hours=1), confirm_within=10)
    assert await _refusal(call) == "confirm_within_invalid"
    assert hass.states.get(CALENDAR).attributes.get("message") is None  # type: ignore[union-attr]
