"""The usage sensors: messages and segments sent, for Home Assistant's statistics."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)

from custom_components.benelux_sms.errors import SmsPartiallySentError

from .accounts import ALICE, BOB, account, notify_alice, requests_to, send_sms, set_up, state
from .cases.smsbox import CASE as SMSBOX
from .cases.smsservicecenter import CASE as SSC
from .gateway_cases import Outcome, all_cases

CASES = all_cases()
MESSAGES = "sensor.sms_service_center_messages_sent"
SEGMENTS = "sensor.sms_service_center_segments_sent"


def _stored(entry_id: str, **data: Any) -> dict[str, Any]:
    return {"version": 1, "minor_version": 1, "key": f"benelux_sms.{entry_id}", "data": data}


@pytest.mark.parametrize("case", CASES, ids=[case.provider for case in CASES])
async def test_every_account_counts_what_it_sent(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, case: Any
) -> None:
    """Messages are one per recipient, segments are segments times recipients."""
    case.mock_setup(aioclient_mock)
    case.mock_send(aioclient_mock, Outcome.SENT)
    entry = await set_up(hass, account(case))
    assert (state(hass, case, "messages_sent"), state(hass, case, "segments_sent")) == ("0", "0")

    await send_sms(hass, entry, [ALICE, BOB], "a" * 161)
    await send_sms(hass, entry, [ALICE])
    await hass.async_block_till_done()

    assert state(hass, case, "messages_sent") == "3"
    assert state(hass, case, "segments_sent") == "5"
    for key in ("messages_sent", "segments_sent"):
        sensor = hass.states.get(f"sensor.{case.entity_prefix}_{key}")
        assert sensor.attributes["state_class"] == "total_increasing"


async def test_usage_is_kept_over_a_restart(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, hass_storage: dict[str, Any]
) -> None:
    """The totals stored before a restart are where the sensors go on counting."""
    entry = account(SSC, with_alice=True)
    hass_storage[f"benelux_sms.{entry.entry_id}"] = _stored(
        entry.entry_id, messages_sent=41, segments_sent=57
    )
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    await set_up(hass, entry)
    assert (hass.states.get(MESSAGES).state, hass.states.get(SEGMENTS).state) == ("41", "57")

    await notify_alice(hass, SSC, "Garage open")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()

    assert (hass.states.get(MESSAGES).state, hass.states.get(SEGMENTS).state) == ("42", "58")
    stored = hass_storage[f"benelux_sms.{entry.entry_id}"]["data"]
    assert (stored["messages_sent"], stored["segments_sent"]) == (42, 58)


@pytest.mark.parametrize(
    "data",
    [{"messages_sent": -3, "segments_sent": "many"}, {"messages_sent": True, "day": 7}],
    ids=["negative_and_text", "bool_and_bad_day"],
)
async def test_damaged_storage_counts_from_zero(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    hass_storage: dict[str, Any],
    data: dict[str, Any],
) -> None:
    """A stored count that is no count is not taken."""
    entry = account(SSC)
    hass_storage[f"benelux_sms.{entry.entry_id}"] = _stored(entry.entry_id, **data)
    SSC.mock_setup(aioclient_mock)
    await set_up(hass, entry)
    assert (hass.states.get(MESSAGES).state, hass.states.get(SEGMENTS).state) == ("0", "0")


async def test_suppressed_and_refused_sends_are_not_counted(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Only what the gateway accepted is counted."""
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    entry = await set_up(hass, account(SSC, {"duplicate_window": 60}))
    await send_sms(hass, entry, [ALICE])
    await send_sms(hass, entry, [ALICE])
    aioclient_mock.clear_requests()
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.NO_CREDITS)
    with pytest.raises(HomeAssistantError):
        await send_sms(hass, entry, [BOB])

    assert (hass.states.get(MESSAGES).state, hass.states.get(SEGMENTS).state) == ("1", "1")


async def test_removing_the_account_forgets_its_counts(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, hass_storage: dict[str, Any]
) -> None:
    """A removed account leaves no counts behind in the storage."""
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    entry = await set_up(hass, account(SSC))
    await send_sms(hass, entry)
    await hass.config_entries.async_unload(entry.entry_id)
    assert f"benelux_sms.{entry.entry_id}" in hass_storage

    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()

    assert f"benelux_sms.{entry.entry_id}" not in hass_storage


@pytest.mark.parametrize(
    ("second_batch", "used_today"),
    [({"exc": TimeoutError()}, "501"), ({"json": {"code": 10, "message": "No credits"}}, "500")],
    ids=["unknown", "not_sent"],
)
async def test_a_partial_send_counts_what_was_accepted(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    second_batch: dict[str, Any],
    used_today: str,
) -> None:
    """500 of 501 SMSBOX numbers taken: those count, a recipient that may have it counts
    against the limit too and does not go through the fallback; one certainly not sent does
    (issue 17), and counts against the fallback's limit, not this account's.
    """
    numbers = [f"+316{index:08d}" for index in range(10000000, 10000501)]
    accepted = [{"number": number[1:], "msgid": 9000 + i} for i, number in enumerate(numbers)]
    replies = iter([{"json": {"code": 100, "message": accepted[:500]}}, second_batch])

    async def answer(method: str, url: Any, data: Any) -> AiohttpClientMockResponse:
        reply = next(replies)
        if "exc" in reply:
            raise reply["exc"]
        return AiohttpClientMockResponse(method, url, json=reply["json"])

    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    SMSBOX.mock_setup(aioclient_mock)
    aioclient_mock.post(SMSBOX.send_url, side_effect=answer)
    fallback = await set_up(hass, account(SSC))
    options = {"fallback_entry_id": fallback.entry_id, "daily_segment_limit": 501}
    entry = await set_up(hass, account(SMSBOX, options))

    if "exc" in second_batch:
        with pytest.raises(SmsPartiallySentError):
            await send_sms(hass, entry, numbers)
        assert requests_to(aioclient_mock, SSC.send_url) == []
    else:
        response = await send_sms(hass, entry, numbers)
        assert response["fallback_recipients"] == [numbers[-1]]
        assert [body["numbers"] for body in requests_to(aioclient_mock, SSC.send_url)] == [
            [numbers[-1]]
        ]

    assert state(hass, SMSBOX, "messages_sent") == "500"
    assert state(hass, SMSBOX, "segments_sent") == "500"
    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, entry, [ALICE, BOB])
    assert raised.value.translation_key == "daily_limit_reached"
    assert raised.value.translation_placeholders["used"] == used_today
