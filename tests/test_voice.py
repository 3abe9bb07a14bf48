"""Voice calls through SMSBOX: the call on the wire, the response, the account's rules, and
the refusals (another gateway, fields a call cannot use) before anything is sent.
"""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from yarl import URL

from custom_components.benelux_sms.errors import SmsOutcomeUnknownError, SmsPartiallySentError
from custom_components.benelux_sms.gateways.smsbox import SmsBoxGateway
from custom_components.benelux_sms.sms import EncodingChoice
from custom_components.benelux_sms.voice import check_call_fields

from .accounts import ALICE, BOB, requests_to, send_sms, set_up_case, state
from .cases.kpn_sms import CASE as KPN_SMS
from .cases.kpn_vonage import CASE as VONAGE
from .cases.sms1601 import CASE as SMS1601
from .cases.smsbox import CASE as SMSBOX
from .cases.smsbox import SMSBOX_URL
from .cases.smsservicecenter import CASE as SSC
from .gateway_cases import GatewayCase

VOICE_URL = SMSBOX_URL + "voice/send"
CALLED = {"code": 10, "message": "Voice is sent", "number": "31612345678"}
TEXT = "The smoke alarm went off"


async def _smsbox(
    hass: HomeAssistant,
    mock: AiohttpClientMocker,
    reply: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
) -> Any:
    mock.post(VOICE_URL, **(reply if reply is not None else {"json": CALLED}))
    return await set_up_case(hass, SMSBOX, mock, options=options)


async def _call(hass: HomeAssistant, entry: Any, **fields: Any) -> Any:
    recipients = fields.pop("recipients", [ALICE])
    return await send_sms(
        hass, entry, recipients, fields.pop("message", TEXT), voice=True, **fields
    )


async def test_the_text_is_read_out_in_a_call(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """voice/send with number (digits), message and lang; no SMS goes out."""
    entry = await _smsbox(hass, aioclient_mock)

    response = await _call(hass, entry, recipients=["0470 12 34 56"], voice_language="fr")

    assert requests_to(aioclient_mock, VOICE_URL) == [
        {"number": "32470123456", "message": TEXT, "lang": "FR"}
    ]
    assert requests_to(aioclient_mock, SMSBOX.send_url) == []
    assert response == {
        "messages": [{"recipient": "+32470123456", "message_id": None, "status": "accepted"}],
        "segments": 1,
        "encoding": None,
        "text_changed": False,
        "config_entry_id": entry.entry_id,
        "fallback_used": False,
        "voice": True,
        "voice_language": "fr",
    }


async def test_dutch_is_the_default_language_and_each_recipient_gets_a_call(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Without voice_language the call is in Dutch (SMSBOX's default); one call per number."""
    entry = await _smsbox(hass, aioclient_mock)

    response = await _call(hass, entry, recipients=[ALICE, BOB])

    calls = requests_to(aioclient_mock, VOICE_URL)
    assert [(call["number"], call["lang"]) for call in calls] == [
        ("31612345678", "NL"),
        ("31687654321", "NL"),
    ]
    assert [row["recipient"] for row in response["messages"]] == [ALICE, BOB]
    assert response["voice_language"] == "nl"


async def test_a_call_counts_as_one_message_and_one_segment(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The usage sensors count a call per recipient, whatever the text's length."""
    entry = await _smsbox(hass, aioclient_mock)

    await _call(hass, entry, recipients=[ALICE, BOB], message="x" * 400)

    assert state(hass, SMSBOX, "messages_sent") == "2"
    assert state(hass, SMSBOX, "segments_sent") == "2"


OTHERS = [SSC, SMS1601, KPN_SMS, VONAGE]


@pytest.mark.parametrize("case", OTHERS, ids=[case.provider for case in OTHERS])
async def test_voice_elsewhere_is_refused_before_sending(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, case: GatewayCase
) -> None:
    """voice_unsupported, naming the gateway; no request at all (neither SMS nor call)."""
    entry = await set_up_case(hass, case, aioclient_mock)
    before = len(aioclient_mock.mock_calls)

    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, entry)

    assert caught.value.translation_key == "voice_unsupported"
    assert case.title in str(caught.value)
    assert len(aioclient_mock.mock_calls) == before


@pytest.mark.parametrize(
    "field",
    [
        {"sender": "HomeAlarm"},
        {"encoding": "gsm7"},
        {"encoding": "ucs2"},
        {"valid_for": 10},
        {"reference": "door"},
    ],
    ids=["sender", "gsm7", "ucs2", "valid_for", "reference"],
)
async def test_fields_a_call_cannot_use_are_refused(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, field: dict[str, Any]
) -> None:
    """The voice API has no sender, alphabet, validity or reference: refused, nothing called."""
    entry = await _smsbox(hass, aioclient_mock)

    with pytest.raises(ServiceValidationError) as caught:
        await _call(hass, entry, **field)

    assert caught.value.translation_key == "voice_field_unsupported"
    assert next(iter(field)) in str(caught.value)
    assert requests_to(aioclient_mock, VOICE_URL) == []


async def test_a_bad_number_or_an_empty_text_is_refused(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The number and text are checked as for an SMS; nobody is called."""
    entry = await _smsbox(hass, aioclient_mock)

    with pytest.raises(ServiceValidationError) as not_a_number:
        await _call(hass, entry, recipients=["not a number"])
    with pytest.raises(ServiceValidationError) as blank:
        await _call(hass, entry, message="   ")
    with pytest.raises(Exception, match="voice_language"):
        await _call(hass, entry, voice_language="de")

    assert not_a_number.value.translation_key == "invalid_number_not_a_number"
    assert blank.value.translation_key == "empty_message"
    assert requests_to(aioclient_mock, VOICE_URL) == []


async def test_a_call_counts_toward_the_daily_limit(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """With a limit of 2, two calls go, the third is refused before calling."""
    entry = await _smsbox(hass, aioclient_mock, options={"daily_segment_limit": 2})

    await _call(hass, entry, recipients=[ALICE, BOB])
    with pytest.raises(HomeAssistantError) as caught:
        await _call(hass, entry, message="Second alarm")

    assert caught.value.translation_key == "daily_limit_reached"
    assert len(requests_to(aioclient_mock, VOICE_URL)) == 2


async def test_bypass_limits_calls_past_the_limit(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """bypass_limits works for calls as for SMS."""
    entry = await _smsbox(hass, aioclient_mock, options={"daily_segment_limit": 1})
    await _call(hass, entry)

    await _call(hass, entry, message="Again", bypass_limits=True)

    assert len(requests_to(aioclient_mock, VOICE_URL)) == 2


async def test_the_same_call_is_suppressed_but_not_an_sms_of_the_same_text(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Within the duplicate window a second identical call is suppressed; an SMS with the
    same text (the usual escalation, SMS then call) still goes, and so does a call after it.
    """
    entry = await _smsbox(hass, aioclient_mock, options={"duplicate_window": 600})
    await send_sms(hass, entry, [ALICE], TEXT)

    first = await _call(hass, entry)
    second = await _call(hass, entry)

    assert first["messages"][0]["status"] == "accepted"
    assert second["messages"] == [{"recipient": ALICE, "message_id": None, "status": "suppressed"}]
    assert len(requests_to(aioclient_mock, VOICE_URL)) == 1
    assert len(requests_to(aioclient_mock, SMSBOX.send_url)) == 1


async def test_no_credits_is_told_as_a_call_not_made(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Code 60 ("Credits low"): a call's own wording, nothing counted."""
    entry = await _smsbox(hass, aioclient_mock, {"json": {"code": 60, "message": "Credits low"}})

    with pytest.raises(HomeAssistantError) as caught:
        await _call(hass, entry)

    assert caught.value.translation_key == "voice_insufficient_credits"
    assert "call was not made" in str(caught.value)
    assert state(hass, SMSBOX, "messages_sent") == "0"


async def test_a_timeout_may_have_called_and_counts_against_the_limit(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A timeout: "may have been made", and the limit counts it (it may have been charged)."""
    entry = await _smsbox(
        hass, aioclient_mock, {"exc": TimeoutError()}, options={"daily_segment_limit": 1}
    )

    with pytest.raises(SmsOutcomeUnknownError) as caught:
        await _call(hass, entry)
    with pytest.raises(HomeAssistantError) as limit:
        await _call(hass, entry, message="Again")

    assert caught.value.translation_key == "voice_outcome_unknown"
    assert limit.value.translation_key == "daily_limit_reached"
    assert len(requests_to(aioclient_mock, VOICE_URL)) == 1


async def test_a_refused_second_call_is_a_partial_call(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Alice is called, Bob's number is refused: who was called and who not, counted so."""

    async def per_number(method: str, url: URL, data: Any) -> AiohttpClientMockResponse:
        called = b"31612345678" in data._value
        body = CALLED if called else {"code": 30, "message": "Number not provided"}
        return AiohttpClientMockResponse(method, url, json=body)

    aioclient_mock.post(VOICE_URL, side_effect=per_number)
    entry = await set_up_case(hass, SMSBOX, aioclient_mock)

    with pytest.raises(SmsPartiallySentError) as caught:
        await _call(hass, entry, recipients=[ALICE, BOB])

    assert caught.value.translation_key == "voice_partially_sent"
    assert BOB in str(caught.value)
    assert state(hass, SMSBOX, "messages_sent") == "1"


@pytest.mark.parametrize(
    "field",
    [{"send_at": "2026-12-24T18:00:00+01:00"}, {"confirm_within": 120}],
    ids=["send_at", "confirm_within"],
)
def test_the_other_send_fields_are_refused_with_voice(field: dict[str, Any]) -> None:
    """send_at and confirm_within (the scheduling and confirmation fields) have nothing in the
    voice API: a call is now and reports nothing. confirm_within 0 means off and passes.
    """
    gateway = SmsBoxGateway(None, {"api_key": "k"})  # type: ignore[arg-type]

    with pytest.raises(ServiceValidationError) as caught:
        check_call_fields(gateway, {"encoding": EncodingChoice.AUTO, **field})
    check_call_fields(gateway, {"encoding": EncodingChoice.AUTO, "confirm_within": 0})

    assert caught.value.translation_placeholders == {"field": next(iter(field))}
