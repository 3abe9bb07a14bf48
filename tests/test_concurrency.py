"""Sends at once (issue 17): no send through an account waits for another's gateway request.

The gateway mock holds each send request for a set time, as a slow gateway would; wall times
are asserted with a wide margin (the serial time is at least twice the bound).
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)

from custom_components.benelux_sms.const import DOMAIN

from .accounts import ALICE, BOB, account, notify_alice, requests_to, send_sms, set_up
from .cases.smsservicecenter import CASE as SSC
from .cases.smsservicecenter import SSC_MESSAGE_ID

HOLD = 0.3
"""Seconds the gateway takes to answer each send request."""
SENT = {"status": "success", "details": {"messageid": SSC_MESSAGE_ID}}
NO_CREDITS = {"status": "credits.error", "message": "Not enough"}


class SlowGateway:
    """Answers each send request after ``hold`` seconds, and counts how many it held at once."""

    def __init__(
        self,
        hold: float = HOLD,
        replies: list[dict[str, Any]] | None = None,
        gates: list[asyncio.Event] | None = None,
    ) -> None:
        self.hold = hold
        self.replies = replies
        """Answers in turn (an ``exc`` key raises it); None: every send is accepted."""
        self.gates = gates or []
        """The first requests are held, in turn, until these are set."""
        self.in_flight = 0
        self.most_at_once = 0
        self.arrived = asyncio.Event()

    async def __call__(self, method: str, url: Any, data: Any) -> AiohttpClientMockResponse:
        reply = self.replies.pop(0) if self.replies else {"json": SENT}
        gate = self.gates.pop(0) if self.gates else None
        self.in_flight += 1
        self.most_at_once = max(self.most_at_once, self.in_flight)
        self.arrived.set()
        try:
            await asyncio.sleep(self.hold)
            if gate is not None:
                await gate.wait()
        finally:
            self.in_flight -= 1
        if "exc" in reply:
            raise reply["exc"]
        return AiohttpClientMockResponse(method, url, json=reply["json"])


async def _account(
    hass: HomeAssistant,
    mock: AiohttpClientMocker,
    gateway: SlowGateway,
    options: dict[str, Any] | None = None,
    recipients: int = 0,
) -> MockConfigEntry:
    SSC.mock_setup(mock)
    mock.post(SSC.send_url, side_effect=gateway)
    entry = account(SSC, options)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=entry.title,
        unique_id=entry.unique_id,
        data=dict(entry.data),
        options=options or {},
        subentries_data=[
            {
                "data": {"phone_number": f"+316100000{index:02d}"},
                "subentry_id": f"recipient_{index}",
                "subentry_type": "recipient",
                "title": f"R{index}",
                "unique_id": f"+316100000{index:02d}",
            }
            for index in range(recipients)
        ],
    )
    return await set_up(hass, entry)


def _numbers(count: int) -> list[str]:
    return [f"+316200000{index:02d}" for index in range(count)]


async def _timed(*calls: Any) -> tuple[float, list[Any]]:
    started = time.perf_counter()
    results = await asyncio.gather(*calls, return_exceptions=True)
    return time.perf_counter() - started, results


async def test_ten_sends_at_once_take_about_one_request(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Ten send_sms calls through one account at once: ten requests in flight together."""
    gateway = SlowGateway()
    entry = await _account(hass, aioclient_mock, gateway)

    elapsed, results = await _timed(*(send_sms(hass, entry, [number]) for number in _numbers(10)))

    assert [result["messages"][0]["status"] for result in results] == ["accepted"] * 10
    assert gateway.most_at_once == 10
    assert elapsed < 2.0  # one after the other: 3 s
    assert len(requests_to(aioclient_mock, SSC.send_url)) == 10


async def test_an_alarm_is_not_held_by_a_hanging_request(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """While the first send's request hangs, a second alarm through the account goes out."""
    hang = asyncio.Event()
    gateway = SlowGateway(gates=[hang])
    entry = await _account(hass, aioclient_mock, gateway, {"daily_segment_limit": 10})
    first = hass.async_create_task(send_sms(hass, entry, [ALICE], "Alarm: smoke"))
    await gateway.arrived.wait()

    elapsed, [second] = await _timed(send_sms(hass, entry, [BOB], "Alarm: water"))

    assert second["messages"][0]["status"] == "accepted"
    assert elapsed < 2.0
    assert not first.done()
    hang.set()
    assert (await first)["messages"][0]["status"] == "accepted"
    assert hass.states.get("sensor.sms_service_center_segments_today").state == "2"


async def test_notify_entities_send_at_once_five_at_a_time(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """notify.send_message to seven entities of one account: five requests at a time."""
    gateway = SlowGateway(hold=0.5)
    await _account(hass, aioclient_mock, gateway, recipients=7)
    entities = [f"notify.sms_service_center_r{index}" for index in range(7)]

    elapsed, [result] = await _timed(
        hass.services.async_call(
            "notify",
            "send_message",
            {"entity_id": entities, "message": "Alarm: front door"},
            blocking=True,
        )
    )

    assert result is None
    assert gateway.most_at_once == 5
    assert elapsed < 2.5  # one by one: 3.5 s; five at a time: 1 s
    sent = sorted(body["numbers"][0] for body in requests_to(aioclient_mock, SSC.send_url))
    assert sent == [f"+316100000{index:02d}" for index in range(7)]


async def test_five_notify_entities_at_once_take_about_one_request(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Five recipients' notify entities, each request held 0.5 s: all five together."""
    gateway = SlowGateway(hold=0.5)
    await _account(hass, aioclient_mock, gateway, recipients=5)

    elapsed, _ = await _timed(
        hass.services.async_call(
            "notify",
            "send_message",
            {
                "entity_id": [f"notify.sms_service_center_r{index}" for index in range(5)],
                "message": "Alarm",
            },
            blocking=True,
        )
    )

    assert gateway.most_at_once == 5
    assert elapsed < 1.25  # one by one: 2.5 s


async def test_the_daily_limit_is_exact_under_sends_at_once(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Limit 3, five one-segment sends at once: exactly three go out, two are refused."""
    gateway = SlowGateway()
    entry = await _account(hass, aioclient_mock, gateway, {"daily_segment_limit": 3})

    _, results = await _timed(*(send_sms(hass, entry, [number]) for number in _numbers(5)))

    refused = [r.translation_key for r in results if isinstance(r, HomeAssistantError)]
    assert refused == ["daily_limit_reached"] * 2
    assert len(requests_to(aioclient_mock, SSC.send_url)) == 3
    assert hass.states.get("sensor.sms_service_center_segments_today").state == "3"


async def test_a_duplicate_at_once_with_its_original_is_suppressed(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Five automations send one text to one number at once: one request, four suppressed."""
    gateway = SlowGateway()
    entry = await _account(hass, aioclient_mock, gateway, {"duplicate_window": 60})

    _, results = await _timed(*(send_sms(hass, entry, [ALICE]) for _ in range(5)))

    statuses = sorted(result["messages"][0]["status"] for result in results)
    assert statuses == ["accepted"] + ["suppressed"] * 4
    assert len(requests_to(aioclient_mock, SSC.send_url)) == 1


async def test_a_certain_failure_gives_the_limit_and_the_window_back(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """While a send holds the last segment, another is refused; once that send certainly
    failed, the segment and the text are free again: the retry goes out.
    """
    gateway = SlowGateway(replies=[{"json": NO_CREDITS}])
    options = {"daily_segment_limit": 1, "duplicate_window": 60}
    entry = await _account(hass, aioclient_mock, gateway, options)

    _, [failed, refused] = await _timed(
        send_sms(hass, entry, [ALICE]), send_sms(hass, entry, [BOB], "Other text")
    )

    assert failed.translation_key == "insufficient_credits"
    assert refused.translation_key == "daily_limit_reached"
    assert hass.states.get("sensor.sms_service_center_segments_today").state == "0"
    retry = await send_sms(hass, entry, [ALICE])
    assert retry["messages"][0]["status"] == "accepted"
    assert len(requests_to(aioclient_mock, SSC.send_url)) == 2


async def test_an_unknown_outcome_keeps_the_limit_and_the_window(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A send that timed out may have gone out: its segment stays counted, its text stays
    remembered, and a send at once with it is refused.
    """
    gateway = SlowGateway(replies=[{"exc": TimeoutError()}])
    options = {"daily_segment_limit": 2, "duplicate_window": 60}
    entry = await _account(hass, aioclient_mock, gateway, options)

    _, [unknown, sent] = await _timed(
        send_sms(hass, entry, [ALICE]), send_sms(hass, entry, [BOB], "Other text")
    )

    assert unknown.translation_key == "outcome_unknown"
    assert sent["messages"][0]["status"] == "accepted"
    assert hass.states.get("sensor.sms_service_center_segments_today").state == "2"
    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, entry, [ALICE, BOB], "Third text")
    assert raised.value.translation_key == "daily_limit_reached"
    again = await send_sms(hass, entry, [ALICE])
    assert again["messages"][0]["status"] == "suppressed"
    assert len(requests_to(aioclient_mock, SSC.send_url)) == 2


async def test_a_notify_send_is_suppressed_at_once_with_the_action(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The notify entity and the action send one text to Alice at once: one request."""
    gateway = SlowGateway()
    SSC.mock_setup(aioclient_mock)
    aioclient_mock.post(SSC.send_url, side_effect=gateway)
    entry = await set_up(hass, account(SSC, {"duplicate_window": 60}, with_alice=True))

    _, results = await _timed(
        notify_alice(hass, SSC, "Smoke"), send_sms(hass, entry, [ALICE], "Smoke")
    )

    assert not [result for result in results if isinstance(result, Exception)]
    assert len(requests_to(aioclient_mock, SSC.send_url)) == 1


async def test_notify_entities_at_once_never_pass_the_limit(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Limit 3, one notify.send_message to five entities: three requests, the call fails."""
    gateway = SlowGateway()
    await _account(hass, aioclient_mock, gateway, {"daily_segment_limit": 3}, recipients=5)

    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            "notify",
            "send_message",
            {
                "entity_id": [f"notify.sms_service_center_r{index}" for index in range(5)],
                "message": "Alarm",
            },
            blocking=True,
        )

    assert raised.value.translation_key == "daily_limit_reached"
    await hass.async_block_till_done()
    assert len(requests_to(aioclient_mock, SSC.send_url)) == 3
    assert hass.states.get("sensor.sms_service_center_segments_today").state == "3"


async def test_a_send_across_midnight_gives_back_nothing_of_the_new_day(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """Held from 23:59:59 to after midnight, then certainly failed: the segment it reserved
    was yesterday's, so today's count (a send after midnight) stays whole.
    """
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    evening = datetime(2026, 11, 24, 23, 59, 59, tzinfo=dt_util.get_default_time_zone())
    freezer.move_to(evening)
    hang = asyncio.Event()
    gateway = SlowGateway(hold=0, replies=[{"json": NO_CREDITS}], gates=[hang])
    entry = await _account(hass, aioclient_mock, gateway, {"daily_segment_limit": 1})
    held = hass.async_create_background_task(send_sms(hass, entry, [ALICE]), "held")
    await gateway.arrived.wait()

    freezer.move_to(evening + timedelta(seconds=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=False)
    await send_sms(hass, entry, [BOB], "After midnight")
    hang.set()
    with pytest.raises(HomeAssistantError):
        await held

    assert hass.states.get("sensor.sms_service_center_segments_today").state == "1"
    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, entry, [BOB], "One too many")
    assert raised.value.translation_key == "daily_limit_reached"
