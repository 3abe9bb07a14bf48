"""Bad input is refused with a clear, translated error before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.selector import CountrySelector
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from .accounts import send_sms, set_up_case
from .cases.kpn_sms import CASE as KPN_SMS
from .cases.smsbox import CASE as SMSBOX
from .conftest import sent_bodies
from .gateway_cases import GatewayCase
from .gateways.conftest import decoded


async def _set_up(hass: HomeAssistant, case: GatewayCase, mock: AiohttpClientMocker) -> Any:
    return await set_up_case(hass, case, mock)


async def _send(hass: HomeAssistant, entry: MockConfigEntry, number: str, text: str = "Hi") -> Any:
    return await send_sms(hass, entry, [number], text)


def _posted(mock: AiohttpClientMocker) -> list[Any]:
    return [
        (method, url, decoded(data), headers)
        for method, url, data, headers in mock.mock_calls
        if method == "POST" and "token" not in str(url)
    ]


@pytest.mark.parametrize("text", ["\u200b\u200b", "\u2060\ufeff \u00ad", "\u200d\n\t", "\ufe0f"])
async def test_text_of_only_invisible_characters_is_refused(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    text: str,
) -> None:
    """Zero-width and other format characters show nothing: refused like an empty message."""
    with pytest.raises(ServiceValidationError) as raised:
        await _send(hass, loaded_entry, "0612345678", text)

    assert raised.value.translation_key == "empty_message"
    assert sent_bodies(aioclient_mock) == []


async def test_smsbox_test_number_matches_exactly(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """'3211111111abc' is no test number (nor any number); the test number itself is taken."""
    entry = await _set_up(hass, SMSBOX, aioclient_mock)

    with pytest.raises(ServiceValidationError) as raised:
        await _send(hass, entry, "3211111111abc")
    assert raised.value.translation_key == "invalid_number_not_a_number"
    assert raised.value.translation_placeholders["number"] == "3211111111abc"
    assert _posted(aioclient_mock) == []

    response = await _send(hass, entry, "+32 11 11 11 11")
    assert response["messages"][0]["recipient"] == "+3211111111"


async def test_smsbox_reads_national_numbers_as_belgian(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """SMSBOX is a Belgian gateway: 0470 12 34 56 is a Belgian mobile number."""
    hass.config.country = "NL"
    entry = await _set_up(hass, SMSBOX, aioclient_mock)

    response = await _send(hass, entry, "0470 12 34 56")

    assert response["messages"][0]["recipient"] == "+32470123456"
    [(_, _, form, _)] = _posted(aioclient_mock)
    assert form["numbers"] == "32470123456"


@pytest.mark.parametrize(
    ("country", "number", "expected"),
    [("BE", "0470 12 34 56", "+32470123456"), (None, "06 12345678", "+31612345678")],
)
async def test_other_gateways_read_national_numbers_in_home_assistants_country(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    country: str | None,
    number: str,
    expected: str,
) -> None:
    """SMS Service Center: Home Assistant's configured country, else the Netherlands."""
    hass.config.country = country

    response = await _send(hass, loaded_entry, number)

    assert response["messages"][0]["recipient"] == expected
    assert sent_bodies(aioclient_mock)[0]["numbers"] == [expected]


async def test_belgian_national_number_is_no_dutch_number(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """In a Dutch home, 0470 12 34 56 is not a valid number: refused, naming it."""
    hass.config.country = "NL"
    with pytest.raises(ServiceValidationError) as raised:
        await _send(hass, loaded_entry, "0470 12 34 56")

    assert raised.value.translation_key.startswith("invalid_number_")
    assert raised.value.translation_placeholders["number"] == "0470 12 34 56"
    assert sent_bodies(aioclient_mock) == []


async def test_kpn_sms_refuses_a_belgian_number_in_the_action(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """KPN SMS delivers to Dutch numbers only: the action names the number and the rule."""
    entry = await _set_up(hass, KPN_SMS, aioclient_mock)

    with pytest.raises(ServiceValidationError) as raised:
        await _send(hass, entry, "+32 470 55 44 33")

    assert raised.value.translation_key == "invalid_number_country_not_served"
    assert raised.value.translation_placeholders == {
        "number": "+32 470 55 44 33",
        "gateway": "KPN SMS",
        "countries": "+31",
    }
    assert _posted(aioclient_mock) == []


async def test_kpn_sms_refuses_a_belgian_recipient_in_the_form(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The recipient form says the gateway's rule; a Dutch number is then taken."""
    entry = await _set_up(hass, KPN_SMS, aioclient_mock)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": "user"}
    )
    assert result["description_placeholders"] == {"gateway": "KPN SMS", "countries": "+31"}
    assert _country_selector(result).config["countries"] == ["NL"]

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Bob", "phone_number": "+32 470 55 44 33", "encoding": "auto"},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"phone_number": "invalid_number_country_not_served"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Bob", "phone_number": "06 87654321", "encoding": "auto"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["phone_number"] == "+31687654321"


async def test_smsbox_recipient_form_reads_belgian_numbers(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The form offers the country national numbers are read in, Belgium first (the
    frontend names it in the user's language), and the other Benelux countries.
    """
    hass.config.country = "NL"
    entry = await _set_up(hass, SMSBOX, aioclient_mock)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": "user"}
    )
    selector = _country_selector(result)
    assert selector.config["countries"] == ["BE", "NL", "LU"]
    [marker] = [key for key in result["data_schema"].schema if key == "country"]
    assert marker.default() == "BE"

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Els", "phone_number": "0470 12 34 56", "encoding": "auto"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["phone_number"] == "+32470123456"


def _country_selector(result: Any) -> CountrySelector:
    selector = {str(key): value for key, value in result["data_schema"].schema.items()}["country"]
    assert isinstance(selector, CountrySelector)
    return selector


async def test_smsbox_form_says_a_dutch_national_number_is_no_belgian_one(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """06 12345678 read as Belgian is no number: the form says it is not Belgian (and how
    to write a Dutch one); with the Netherlands chosen, it is taken in international form.
    """
    entry = await _set_up(hass, SMSBOX, aioclient_mock)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": "user"}
    )

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Sanne", "phone_number": "06 12345678"}
    )
    assert result["errors"] == {"phone_number": "invalid_number_not_national_be"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Sanne", "country": "NL", "phone_number": "06 12345678"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {"phone_number": "+31612345678", "encoding": "auto"}


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("06 12345678", "invalid_number_not_national_be"),
        ("06-123 456 78", "invalid_number_not_national_be"),
        ("hello", "invalid_number_not_a_number"),
        ("+32 12", "invalid_number_not_a_number"),
        ("0031 6 12", "invalid_number_not_a_number"),
    ],
)
async def test_smsbox_action_says_a_national_number_is_no_belgian_one(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, number: str, key: str
) -> None:
    """SMSBOX reads numbers without a country code as Belgian: one in national form that
    is no Belgian number is told so (with how to write a Dutch one); other nonsense is just
    no phone number.
    """
    entry = await _set_up(hass, SMSBOX, aioclient_mock)

    with pytest.raises(ServiceValidationError) as raised:
        await _send(hass, entry, number)

    assert raised.value.translation_key == key
    assert raised.value.translation_placeholders["number"] == number
    assert raised.value.translation_placeholders["gateway"] == "SMSBOX"
    assert _posted(aioclient_mock) == []


@pytest.mark.parametrize(
    ("sender", "key", "max_length"),
    [
        ("Huis Alarm", "invalid_sender_characters", "11"),
        ("HuisAlarm123", "invalid_sender_too_long", "11"),
        ("32470123456789012", "invalid_sender_too_long", "16"),
    ],
)
async def test_a_sender_the_integration_refuses_is_told_in_the_account_forms_words(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    sender: str,
    key: str,
    max_length: str,
) -> None:
    """The integration's own sender check names the sender and the rule (SMSBOX: 11 letters
    and digits, or a number of 16 digits), not the gateway and an internal code.
    """
    entry = await _set_up(hass, SMSBOX, aioclient_mock)

    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(hass, entry, ["0470 12 34 56"], "Hi", sender=sender)

    assert raised.value.translation_key == key
    assert raised.value.translation_placeholders == {
        "sender": sender,
        "gateway": "SMSBOX",
        "max_length": max_length,
    }
    assert _posted(aioclient_mock) == []
