"""The daily segment limit and the duplicate window, as an automation meets them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)

from custom_components.benelux_sms.const import DOMAIN

from .accounts import ALICE, BOB, account, notify_alice, requests_to, send_sms, set_up
from .cases.smsservicecenter import CASE as SSC
from .gateway_cases import Outcome

CAROL = "+31611111111"
LIMIT_REACHED = "daily_limit_reached"
LONG_TEXT = "a" * 161
"""Two segments in GSM-7."""


@pytest.fixture
async def amsterdam(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> datetime:
    """Home Assistant in Amsterdam, at 23:00 on a Tuesday; return that time."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    evening = datetime(2026, 11, 24, 23, 0, tzinfo=dt_util.get_default_time_zone())
    freezer.move_to(evening)
    return evening


async def _account(
    hass: HomeAssistant, mock: AiohttpClientMocker, **options: Any
) -> MockConfigEntry:
    SSC.mock_setup(mock)
    SSC.mock_send(mock, Outcome.SENT)
    return await set_up(hass, account(SSC, options, with_alice=True))


def _sent(mock: AiohttpClientMocker) -> list[list[str]]:
    return [body["numbers"] for body in requests_to(mock, SSC.send_url)]


async def _refusal(call: Awaitable[Any]) -> str | None:
    """Return the translation key of the error ``call`` raises."""
    with pytest.raises(HomeAssistantError) as raised:
        await call
    return raised.value.translation_key


def _limit_issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"daily_limit_reached_{entry.entry_id}")


@pytest.mark.usefixtures("amsterdam")
async def test_reaching_the_limit_is_allowed_passing_it_is_not(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Segments times recipients count; the send that would pass the limit is refused unsent."""
    entry = await _account(hass, aioclient_mock, daily_segment_limit=5)
    await send_sms(hass, entry, [ALICE, BOB], LONG_TEXT)  # 4
    await send_sms(hass, entry, [ALICE])  # 5: the limit reached

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, entry, [ALICE], "One more")

    assert type(raised.value) is HomeAssistantError
    assert raised.value.translation_key == "daily_limit_reached"
    assert raised.value.translation_placeholders == {
        "account": "SMS Service Center",
        "limit": "5",
        "used": "5",
        "needed": "1",
    }
    assert _sent(aioclient_mock) == [[ALICE, BOB], [ALICE]]
    issue = _limit_issue(hass, entry)
    assert issue is not None
    assert issue.translation_key == "daily_limit_reached"
    assert issue.translation_placeholders == {"account": "SMS Service Center", "limit": "5"}


@pytest.mark.usefixtures("amsterdam")
async def test_a_limit_lowered_below_todays_use_is_worded_for_that(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """3 segments sent, then the limit lowered to 2: the error says the account is past it,
    not that it "has sent 3 of its 2".
    """
    entry = await _account(hass, aioclient_mock, daily_segment_limit=5)
    await send_sms(hass, entry, [ALICE, BOB, CAROL])
    hass.config_entries.async_update_entry(entry, options={"daily_segment_limit": 2})
    await hass.async_block_till_done()

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, entry, [ALICE], "One more")

    assert raised.value.translation_key == "daily_limit_reached"
    assert "SMS segments sent today: 3; daily limit: 2; needed for this message: 1" in str(
        raised.value
    )
    assert raised.value.translation_placeholders == {
        "account": "SMS Service Center",
        "limit": "2",
        "used": "3",
        "needed": "1",
    }
    assert _sent(aioclient_mock) == [[ALICE, BOB, CAROL]]


@pytest.mark.usefixtures("amsterdam")
async def test_a_send_too_big_for_what_is_left_is_refused_whole(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Three segments left do not take a two-segment text to two recipients, nor part of it."""
    entry = await _account(hass, aioclient_mock, daily_segment_limit=3)

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, entry, [ALICE, BOB], LONG_TEXT)

    assert raised.value.translation_placeholders["needed"] == "4"
    assert _sent(aioclient_mock) == []
    await send_sms(hass, entry, [ALICE, BOB, CAROL])
    assert _sent(aioclient_mock) == [[ALICE, BOB, CAROL]]


async def test_the_count_starts_again_at_local_midnight(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    amsterdam: datetime,
) -> None:
    """At midnight in Home Assistant's time zone the limit is free again and the repair goes."""
    entry = await _account(hass, aioclient_mock, daily_segment_limit=1)
    await send_sms(hass, entry)
    assert await _refusal(send_sms(hass, entry, message="Again")) == LIMIT_REACHED
    assert _limit_issue(hass, entry) is not None

    freezer.move_to(amsterdam + timedelta(minutes=59, seconds=59))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _limit_issue(hass, entry) is not None
    assert await _refusal(send_sms(hass, entry, message="Again")) == LIMIT_REACHED

    freezer.move_to(amsterdam + timedelta(hours=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _limit_issue(hass, entry) is None
    await send_sms(hass, entry, message="Again")
    assert len(_sent(aioclient_mock)) == 2


async def test_the_count_is_kept_over_a_restart(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, hass_storage: dict[str, Any]
) -> None:
    """A reload does not reset today's count; neither does a restart with today's count stored."""
    entry = await _account(hass, aioclient_mock, daily_segment_limit=2)
    await send_sms(hass, entry, [ALICE, BOB])

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()

    assert await _refusal(send_sms(hass, entry, message="After the reload")) == LIMIT_REACHED
    stored = hass_storage[f"benelux_sms.{entry.entry_id}"]["data"]
    assert stored["day_segments"] == 2
    assert stored["day"] == dt_util.now().date().isoformat()


@pytest.mark.parametrize(("days_ago", "refused"), [(0, True), (1, False)])
async def test_a_stored_count_counts_only_on_its_own_day(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    hass_storage: dict[str, Any],
    days_ago: int,
    refused: bool,
) -> None:
    """What was stored before a restart counts today only if it was counted today."""
    entry = account(SSC, {"daily_segment_limit": 3}, with_alice=True)
    day = dt_util.now().date() - timedelta(days=days_ago)
    hass_storage[f"benelux_sms.{entry.entry_id}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"benelux_sms.{entry.entry_id}",
        "data": {"day": day.isoformat(), "day_segments": 3},
    }
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    await set_up(hass, entry)

    if refused:
        assert await _refusal(send_sms(hass, entry)) == LIMIT_REACHED
    else:
        await send_sms(hass, entry)
    assert len(_sent(aioclient_mock)) == (0 if refused else 1)


@pytest.mark.usefixtures("amsterdam")
async def test_bypass_limits_sends_past_the_limit_and_counts(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """bypass_limits sends although the limit is reached; what it sends still counts."""
    entry = await _account(hass, aioclient_mock, daily_segment_limit=1)
    await send_sms(hass, entry, [ALICE, BOB], bypass_limits=True)

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, entry, [ALICE], "Next")

    assert raised.value.translation_placeholders["used"] == "2"
    assert _sent(aioclient_mock) == [[ALICE, BOB]]


@pytest.mark.usefixtures("amsterdam")
async def test_notify_entity_follows_the_limit(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A notify entity has no bypass: the limit refuses it like the action."""
    entry = await _account(hass, aioclient_mock, daily_segment_limit=1)
    await send_sms(hass, entry, [BOB])

    assert await _refusal(notify_alice(hass, SSC, "Water in the basement")) == LIMIT_REACHED

    assert _sent(aioclient_mock) == [[BOB]]


async def test_a_refused_send_does_not_count(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Only what the gateway accepted counts against the limit."""
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.NO_CREDITS)
    entry = await set_up(hass, account(SSC, {"daily_segment_limit": 1}))
    assert await _refusal(send_sms(hass, entry)) == "insufficient_credits"

    aioclient_mock.clear_requests()
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    await send_sms(hass, entry)
    assert len(_sent(aioclient_mock)) == 1


@pytest.mark.usefixtures("amsterdam")
async def test_duplicate_within_the_window_is_suppressed(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """The same text to the same number within the window: the call succeeds, nothing goes."""
    entry = await _account(hass, aioclient_mock, duplicate_window=60)
    await send_sms(hass, entry, [ALICE])
    freezer.tick(59)

    response = await send_sms(hass, entry, ["06 12345678", BOB])

    assert response["messages"] == [
        {"recipient": ALICE, "message_id": None, "status": "suppressed"},
        {"recipient": BOB, "message_id": SSC.message_ids([BOB])[0], "status": "accepted"},
    ]
    assert (response["config_entry_id"], response["fallback_used"]) == (entry.entry_id, False)
    assert _sent(aioclient_mock) == [[ALICE], [BOB]]


@pytest.mark.usefixtures("amsterdam")
async def test_all_suppressed_sends_nothing(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """When every recipient is suppressed no request goes out, and the answer says so."""
    entry = await _account(hass, aioclient_mock, duplicate_window=60)
    await send_sms(hass, entry, [ALICE, BOB])

    response = await send_sms(hass, entry, [BOB, ALICE])

    assert response == {
        "messages": [
            {"recipient": BOB, "message_id": None, "status": "suppressed"},
            {"recipient": ALICE, "message_id": None, "status": "suppressed"},
        ],
        "segments": 1,
        "encoding": "gsm7",
        "text_changed": False,
        "config_entry_id": entry.entry_id,
        "fallback_used": False,
    }
    assert len(_sent(aioclient_mock)) == 1


@pytest.mark.usefixtures("amsterdam")
async def test_sent_again_after_the_window(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """Once the window has passed since it was sent, the same text goes out again."""
    entry = await _account(hass, aioclient_mock, duplicate_window=60)
    await send_sms(hass, entry)
    freezer.tick(30)
    await send_sms(hass, entry)  # suppressed: the window runs from the send, not from this
    freezer.tick(30)

    response = await send_sms(hass, entry)

    assert response["messages"][0]["status"] == "accepted"
    assert len(_sent(aioclient_mock)) == 2


@pytest.mark.usefixtures("amsterdam")
async def test_another_text_is_no_duplicate(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Only the same text is suppressed."""
    entry = await _account(hass, aioclient_mock, duplicate_window=60)
    await send_sms(hass, entry, message="Alarm: front door")
    await send_sms(hass, entry, message="Alarm: back door")
    assert len(_sent(aioclient_mock)) == 2


@pytest.mark.usefixtures("amsterdam")
async def test_notify_entity_is_suppressed_and_succeeds(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A flapping sensor's notify calls send once within the window, and none of them fails."""
    await _account(hass, aioclient_mock, duplicate_window=300)
    for _ in range(3):
        await notify_alice(hass, SSC, "Motion in the garage")
    assert _sent(aioclient_mock) == [[ALICE]]


@pytest.mark.usefixtures("amsterdam")
async def test_bypass_limits_sends_a_duplicate(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """bypass_limits sends within the window too."""
    entry = await _account(hass, aioclient_mock, duplicate_window=60)
    await send_sms(hass, entry)
    response = await send_sms(hass, entry, bypass_limits=True)
    assert response["messages"][0]["status"] == "accepted"
    assert len(_sent(aioclient_mock)) == 2


@pytest.mark.usefixtures("amsterdam")
async def test_suppressed_messages_do_not_count(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A suppressed recipient costs nothing, so it does not count against the limit."""
    entry = await _account(hass, aioclient_mock, duplicate_window=60, daily_segment_limit=2)
    await send_sms(hass, entry, [ALICE])
    await send_sms(hass, entry, [ALICE, BOB])  # Alice suppressed: 2 segments used

    assert await _refusal(send_sms(hass, entry, [CAROL])) == LIMIT_REACHED
    assert _sent(aioclient_mock) == [[ALICE], [BOB]]


async def test_window_off_sends_every_time(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Without a window (the default) and without a limit, every call sends."""
    entry = await _account(hass, aioclient_mock)
    for _ in range(3):
        await send_sms(hass, entry)
    assert len(_sent(aioclient_mock)) == 3


@pytest.mark.usefixtures("amsterdam")
async def test_an_unknown_outcome_counts_against_the_limit(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A send that may have gone out may have been charged: the spend guard counts it."""
    SSC.mock_setup(aioclient_mock)
    aioclient_mock.post(SSC.send_url, exc=TimeoutError())
    entry = await set_up(hass, account(SSC, {"daily_segment_limit": 1}))
    assert await _refusal(send_sms(hass, entry)) == "outcome_unknown"

    assert await _refusal(send_sms(hass, entry, message="Again")) == LIMIT_REACHED


@pytest.mark.usefixtures("amsterdam")
async def test_parallel_sends_cannot_both_pass_the_limit(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Two automations at once, one segment left: one is sent, the other refused."""
    SSC.mock_setup(aioclient_mock)

    async def answer(method: str, url: Any, data: Any) -> AiohttpClientMockResponse:
        await asyncio.sleep(0)  # the gateway answers after the other automation has run
        return AiohttpClientMockResponse(
            method, url, json={"status": "success", "details": {"messageid": "m1"}}
        )

    aioclient_mock.post(SSC.send_url, side_effect=answer)
    entry = await set_up(hass, account(SSC, {"daily_segment_limit": 1}))

    results = await asyncio.gather(
        send_sms(hass, entry, [ALICE], "Smoke"),
        send_sms(hass, entry, [BOB], "Smoke"),
        return_exceptions=True,
    )

    refused = [result for result in results if isinstance(result, HomeAssistantError)]
    assert [error.translation_key for error in refused] == [LIMIT_REACHED]
    assert len(_sent(aioclient_mock)) == 1
