"""Sending: the notify entities and the benelux_sms.send_sms action."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from homeassistant.components.notify import ATTR_MESSAGE, ATTR_TITLE, SERVICE_SEND_MESSAGE
from homeassistant.components.notify import DOMAIN as NOTIFY_DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN
from custom_components.benelux_sms.errors import SmsNotSentError

from .conftest import API_KEY, MESSAGE_ID, RECIPIENT_NUMBER, SSC_URL, mock_credits, mock_send

NOTIFY_ALICE = "notify.sms_service_center_alice"
CONNECTION_REFUSED = aiohttp.ClientConnectorError(
    aiohttp.client_reqrep.ConnectionKey("host", 443, True, True, None, None, None),
    ConnectionRefusedError(111, "Connection refused"),
)


def _sends(aioclient_mock: AiohttpClientMocker) -> list[tuple[str, Any, Any]]:
    return [
        (str(url), data, headers)
        for method, url, data, headers in aioclient_mock.mock_calls
        if method == "POST"
    ]


async def _send_sms(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, **data},
        blocking=True,
        return_response=True,
    )


async def _notify(hass: HomeAssistant, message: str, title: str | None = None) -> None:
    data = {ATTR_ENTITY_ID: NOTIFY_ALICE, ATTR_MESSAGE: message}
    if title:
        data[ATTR_TITLE] = title
    await hass.services.async_call(NOTIFY_DOMAIN, SERVICE_SEND_MESSAGE, data, blocking=True)


@pytest.mark.usefixtures("loaded_entry")
@pytest.mark.parametrize(
    ("title", "expected_text"),
    [(None, "Front door opened"), ("Alarm", "Alarm\nFront door opened")],
)
async def test_notify_sends_to_the_recipient(
    hass: HomeAssistant,
    gateway_mock: AiohttpClientMocker,
    title: str | None,
    expected_text: str,
) -> None:
    """notify.send_message posts the text (title first) to the recipient's number."""
    await _notify(hass, "Front door opened", title)

    [(url, body, headers)] = _sends(gateway_mock)
    assert url == SSC_URL + "send"
    assert body == {
        "numbers": [RECIPIENT_NUMBER],
        "message": expected_text,
        "sendname": "HomeAlarm",
    }
    assert headers["Authorization"] == f"Bearer {API_KEY}"
    assert hass.states.get(NOTIFY_ALICE).state != "unknown"


async def test_action_returns_what_was_sent(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, gateway_mock: AiohttpClientMocker
) -> None:
    """The action normalises the numbers, sends once and reports ids, segments and encoding."""
    response = await _send_sms(
        hass,
        loaded_entry,
        recipients=["06 12345678", "+32 470 12 34 56", "0031612345678"],
        message="Freezer at -5 °C",
        sender="Freezer",
    )

    [(_, body, _)] = _sends(gateway_mock)
    assert body == {
        "numbers": [RECIPIENT_NUMBER, "+32470123456"],
        "message": "Freezer at -5 °C",
        "sendname": "Freezer",
    }
    assert response == {
        "messages": [
            {"recipient": RECIPIENT_NUMBER, "message_id": MESSAGE_ID, "status": "accepted"},
            {"recipient": "+32470123456", "message_id": MESSAGE_ID, "status": "accepted"},
        ],
        "segments": 1,
        "encoding": "ucs2",
        "text_changed": False,
        "config_entry_id": loaded_entry.entry_id,
        "fallback_used": False,
    }


@pytest.mark.usefixtures("loaded_entry")
async def test_long_message_reports_its_segments(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A 161-character GSM text is two segments."""
    response = await _send_sms(hass, loaded_entry, recipients=["0612345678"], message="a" * 161)
    assert (response["segments"], response["encoding"]) == (2, "gsm7")


@pytest.mark.parametrize(
    ("data", "translation_key"),
    [
        ({"recipients": ["0612345678"], "message": "   "}, "empty_message"),
        ({"recipients": ["not a number"], "message": "Hi"}, "invalid_number_not_a_number"),
        (
            {"recipients": ["0612345678", "020 123 4567"], "message": "Hi"},
            "invalid_number_not_mobile",
        ),
        (
            {"recipients": ["0612345678"], "message": "Hi", "sender": "HomeAlarmSystem"},
            "invalid_sender_too_long",
        ),
        (
            {"recipients": ["0612345678"], "message": "Hi", "sender": "Home Alarm"},
            "invalid_sender_characters",
        ),
    ],
)
async def test_bad_input_is_refused_before_sending(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    gateway_mock: AiohttpClientMocker,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    """Bad input raises a translated validation error and nothing goes out."""
    with pytest.raises(ServiceValidationError) as raised:
        await _send_sms(hass, loaded_entry, **data)

    assert raised.value.translation_key == translation_key
    assert _sends(gateway_mock) == []
    assert hass.states.get("sensor.sms_service_center_last_delivery_status").state == "unknown"


async def test_unknown_or_unloaded_account_is_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The action names the account problem instead of failing obscurely."""
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"config_entry_id": "nope", "recipients": ["0612345678"], "message": "Hi"},
            blocking=True,
        )
    assert raised.value.translation_key == "entry_not_found"

    await hass.config_entries.async_unload(loaded_entry.entry_id)
    with pytest.raises(ServiceValidationError) as raised:
        await _send_sms(hass, loaded_entry, recipients=["0612345678"], message="Hi")
    assert raised.value.translation_key == "entry_not_loaded"


@pytest.mark.parametrize(
    ("reply", "error_type", "translation_key"),
    [
        (
            {"json": {"status": "credits.error", "message": "Not enough credits"}},
            SmsNotSentError,
            "insufficient_credits",
        ),
        (
            {"status": 500, "json": {"status": "credits.error", "message": "Not enough credits"}},
            SmsNotSentError,
            "insufficient_credits",
        ),
        ({"status": 503}, SmsNotSentError, "gateway_unavailable"),
        ({"exc": CONNECTION_REFUSED}, SmsNotSentError, "gateway_unavailable"),
        ({"status": 429}, SmsNotSentError, "rate_limited"),
        (
            {"status": 429, "headers": {"Retry-After": "30"}},
            SmsNotSentError,
            "rate_limited_retry_after",
        ),
        (
            {"json": {"status": "error", "message": "Invalid numbers"}},
            ServiceValidationError,
            "invalid_recipient",
        ),
    ],
)
async def test_refused_send_reaches_the_automation(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    reply: dict[str, Any],
    error_type: type[HomeAssistantError],
    translation_key: str,
) -> None:
    """A send certainly not sent (refused by the gateway, with its reason even in a 5xx, or a
    request that never got in) raises a translated error and the status turns failed."""
    mock_credits(aioclient_mock)
    mock_send(aioclient_mock, **reply)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)

    with pytest.raises(error_type) as raised:
        await _notify(hass, "Smoke detected")

    assert type(raised.value) is error_type
    assert raised.value.translation_key == translation_key
    assert API_KEY not in str(raised.value)
    status = hass.states.get("sensor.sms_service_center_last_delivery_status")
    assert status.state == "failed"
    assert status.attributes["recipient"] == RECIPIENT_NUMBER


async def test_revoked_key_on_send_starts_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """A 401 on send raises to the automation and asks the user for a new key."""
    mock_credits(aioclient_mock)
    mock_send(aioclient_mock, status=401)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)

    with pytest.raises(HomeAssistantError) as raised:
        await _notify(hass, "Smoke detected")
    await hass.async_block_till_done()

    assert raised.value.translation_key == "authentication_failed"
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


ALARM_TEMPLATE = "Alarm “woonkamer” – deur open 🚨 ‘nu’"  # noqa: RUF001
ALARM_PLAIN = "Alarm \"woonkamer\" - deur open 'nu'"


async def test_gsm7_recipient_gets_plain_text(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """An alarm panel set to the GSM alphabet gets curly quotes straightened, emoji left out."""
    mock_credits(aioclient_mock)
    mock_send(aioclient_mock)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="SMS Service Center",
        data={"provider": "smsservicecenter", "api_key": API_KEY},
        subentries_data=[
            {
                "data": {"phone_number": "+31687654321", "encoding": "gsm7"},
                "subentry_type": "recipient",
                "title": "Alarm panel",
                "unique_id": "+31687654321",
            }
        ],
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)

    await hass.services.async_call(
        NOTIFY_DOMAIN,
        SERVICE_SEND_MESSAGE,
        {ATTR_ENTITY_ID: "notify.sms_service_center_alarm_panel", ATTR_MESSAGE: ALARM_TEMPLATE},
        blocking=True,
    )

    [(_, body, _)] = _sends(aioclient_mock)
    assert body == {"numbers": ["+31687654321"], "message": ALARM_PLAIN}


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("gsm7", {"segments": 1, "encoding": "gsm7", "text_changed": True}),
        ("auto", {"segments": 1, "encoding": "ucs2", "text_changed": False}),
        # SMS Service Center cannot be told the alphabet: it sends plain text as GSM-7.
        ("ucs2", {"segments": 1, "encoding": "ucs2", "text_changed": False}),
    ],
)
async def test_action_encoding_choice(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    gateway_mock: AiohttpClientMocker,
    encoding: str,
    expected: dict[str, Any],
) -> None:
    """The response says which alphabet was used, how many segments, and if the text changed."""
    response = await _send_sms(
        hass, loaded_entry, recipients=["0612345678"], message=ALARM_TEMPLATE, encoding=encoding
    )

    assert {key: response[key] for key in expected} == expected
    [(_, body, _)] = _sends(gateway_mock)
    assert body["message"] == (ALARM_PLAIN if encoding == "gsm7" else ALARM_TEMPLATE)


async def test_ucs2_on_plain_text_counts_as_the_gateway_sends(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, gateway_mock: AiohttpClientMocker
) -> None:
    """A gateway that picks the alphabet itself sends plain text as GSM-7, so count that."""
    response = await _send_sms(
        hass, loaded_entry, recipients=["0612345678"], message="a" * 100, encoding="ucs2"
    )
    assert (response["encoding"], response["segments"]) == ("gsm7", 1)


async def test_unmappable_character_refused_before_sending(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, gateway_mock: AiohttpClientMocker
) -> None:
    """A character with no GSM form is named in the error, and nothing goes out."""
    with pytest.raises(ServiceValidationError) as raised:
        await _send_sms(
            hass, loaded_entry, recipients=["0612345678"], message="Lek 水", encoding="gsm7"
        )

    assert raised.value.translation_key == "unmappable_character"
    assert raised.value.translation_placeholders == {"character": "水"}
    assert _sends(gateway_mock) == []


async def test_text_of_only_emoji_is_empty_in_gsm7(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, gateway_mock: AiohttpClientMocker
) -> None:
    """Leaving out every character leaves nothing to send: refused, not sent empty."""
    with pytest.raises(ServiceValidationError) as raised:
        await _send_sms(
            hass, loaded_entry, recipients=["0612345678"], message="🚨🔥", encoding="gsm7"
        )

    assert raised.value.translation_key == "empty_message"
    assert _sends(gateway_mock) == []
