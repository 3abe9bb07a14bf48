"""A partly failed send (issue 17): who certainly did not get it goes through the fallback.

SMS Service Center (the account) sends in batches of 50: 50 numbers and Alice make two
requests. The first is accepted; what the second meets decides. SMSBOX is the fallback.
"""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)

from custom_components.benelux_sms.const import DOMAIN
from custom_components.benelux_sms.errors import SmsPartiallySentError

from .accounts import ALICE, account, requests_to, send_sms, set_up, state
from .cases.smsbox import CASE as SMSBOX
from .cases.smsservicecenter import CASE as SSC
from .cases.smsservicecenter import SSC_MESSAGE_ID

FIRST_BATCH = [f"+316300000{index:02d}" for index in range(50)]
NUMBERS = [*FIRST_BATCH, ALICE]
SENT = {"json": {"status": "success", "details": {"messageid": SSC_MESSAGE_ID}}}
NO_CREDITS = {"json": {"status": "credits.error", "message": "Not enough"}}
SMSBOX_TOOK_ALICE = {"json": {"code": 100, "message": [{"number": ALICE[1:], "msgid": 77}]}}
SMSBOX_NO_CREDITS = {"json": {"code": 10, "message": "Not enough credits"}}


def _in_turn(replies: list[dict[str, Any]]) -> Any:
    async def answer(method: str, url: Any, data: Any) -> AiohttpClientMockResponse:
        reply = replies.pop(0)
        if "exc" in reply:
            raise reply["exc"]
        return AiohttpClientMockResponse(method, url, json=reply["json"])

    return answer


async def _accounts(
    hass: HomeAssistant,
    mock: AiohttpClientMocker,
    second_batch: dict[str, Any],
    fallback_reply: dict[str, Any] = SMSBOX_TOOK_ALICE,
    options: dict[str, Any] | None = None,
) -> tuple[MockConfigEntry, MockConfigEntry]:
    SMSBOX.mock_setup(mock)
    mock.post(SMSBOX.send_url, side_effect=_in_turn([fallback_reply]))
    SSC.mock_setup(mock)
    mock.post(SSC.send_url, side_effect=_in_turn([SENT, second_batch]))
    fallback = await set_up(hass, account(SMSBOX, sender="Backup"))
    primary = await set_up(
        hass, account(SSC, {"fallback_entry_id": fallback.entry_id, **(options or {})})
    )
    return primary, fallback


def _fallback_numbers(mock: AiohttpClientMocker) -> list[str]:
    return [form["numbers"] for form in requests_to(mock, SMSBOX.send_url)]


async def test_the_rest_goes_through_the_fallback_and_the_answer_says_who(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The 50 accepted are not sent again; Alice, certainly not sent, goes through SMSBOX.
    Everyone has it: the action succeeds, each recipient with the id of the gateway that
    took it, and ``fallback_recipients`` names who went through the fallback.
    """
    primary, fallback = await _accounts(
        hass, aioclient_mock, NO_CREDITS, options={"daily_segment_limit": 100}
    )

    response = await send_sms(hass, primary, NUMBERS)

    assert [body["numbers"] for body in requests_to(aioclient_mock, SSC.send_url)] == [
        FIRST_BATCH,
        [ALICE],
    ]
    assert _fallback_numbers(aioclient_mock) == [ALICE[1:]]
    assert response["messages"][:1] == [
        {"recipient": FIRST_BATCH[0], "message_id": SSC_MESSAGE_ID, "status": "accepted"}
    ]
    assert response["messages"][-1] == {
        "recipient": ALICE,
        "message_id": "77",
        "status": "accepted",
    }
    assert len(response["messages"]) == 51
    assert response["config_entry_id"] == primary.entry_id
    assert response["fallback_used"] is True
    assert response["fallback_entry_id"] == fallback.entry_id
    assert response["fallback_recipients"] == [ALICE]
    assert state(hass, SSC, "messages_sent") == "50"
    assert state(hass, SSC, "segments_today") == "50"
    assert state(hass, SMSBOX, "messages_sent") == "1"


async def test_who_may_have_it_is_not_failed_over(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The second batch timed out: Alice may have it, so nothing goes through the fallback."""
    primary, _ = await _accounts(hass, aioclient_mock, {"exc": TimeoutError()})

    with pytest.raises(SmsPartiallySentError) as raised:
        await send_sms(hass, primary, NUMBERS)

    assert raised.value.translation_key == "partially_sent"
    assert raised.value.translation_placeholders["unknown"] == ALICE
    assert _fallback_numbers(aioclient_mock) == []


async def test_when_the_fallback_fails_too_the_error_tells_who_has_it(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """SMSBOX refuses Alice as well: the error says 50 have it and Alice has it from neither."""
    primary, _ = await _accounts(hass, aioclient_mock, NO_CREDITS, SMSBOX_NO_CREDITS)

    with pytest.raises(SmsPartiallySentError) as raised:
        await send_sms(hass, primary, NUMBERS)

    assert raised.value.translation_key == "partially_sent_fallback"
    assert raised.value.translation_placeholders == {
        "accepted": "50",
        "total": "51",
        "fallback": "SMSBOX",
        "fallback_sent": "-",
        "not_sent": ALICE,
        "unknown": "-",
        "code": "credits.error",
    }
    assert raised.value.not_sent == (ALICE,)
    assert _fallback_numbers(aioclient_mock) == [ALICE[1:]]


async def test_when_the_fallback_times_out_the_error_says_alice_may_have_it(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """SMSBOX's answer for Alice never came: she may have it; nobody is told she has not."""
    primary, _ = await _accounts(hass, aioclient_mock, NO_CREDITS, {"exc": TimeoutError()})

    with pytest.raises(SmsPartiallySentError) as raised:
        await send_sms(hass, primary, NUMBERS)

    placeholders = raised.value.translation_placeholders
    assert (placeholders["not_sent"], placeholders["unknown"]) == ("-", ALICE)
    assert raised.value.unknown == (ALICE,)


async def test_the_fallbacks_own_limit_refuses_the_rest(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The fallback's daily limit is reached: Alice is told to have it from neither account."""
    SMSBOX.mock_setup(aioclient_mock)
    SSC.mock_setup(aioclient_mock)
    aioclient_mock.post(SSC.send_url, side_effect=_in_turn([SENT, NO_CREDITS]))
    fallback = await set_up(hass, account(SMSBOX, {"daily_segment_limit": 1}))
    primary = await set_up(hass, account(SSC, {"fallback_entry_id": fallback.entry_id}))
    aioclient_mock.post(SMSBOX.send_url, side_effect=_in_turn([SMSBOX_TOOK_ALICE]))
    await send_sms(hass, fallback, [ALICE], "Used up today")

    with pytest.raises(SmsPartiallySentError) as raised:
        await send_sms(hass, primary, NUMBERS)

    assert raised.value.translation_key == "partially_sent_fallback"
    placeholders = raised.value.translation_placeholders
    assert (placeholders["fallback_sent"], placeholders["not_sent"]) == ("-", ALICE)
    assert _fallback_numbers(aioclient_mock) == [ALICE[1:]]  # only the earlier send


async def test_a_fallback_not_loaded_leaves_the_partial_error(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The fallback is unloaded: the account's own partial error, and the repair issue."""
    primary, fallback = await _accounts(hass, aioclient_mock, NO_CREDITS)
    assert await hass.config_entries.async_unload(fallback.entry_id)

    with pytest.raises(SmsPartiallySentError) as raised:
        await send_sms(hass, primary, NUMBERS)

    assert raised.value.translation_key == "partially_sent"
    assert raised.value.translation_placeholders["not_sent"] == ALICE
    issue_id = f"fallback_unavailable_{primary.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    assert _fallback_numbers(aioclient_mock) == []
