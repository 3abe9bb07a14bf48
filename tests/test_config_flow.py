"""The config flow: adding an account, reauth, reconfigure and recipients."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Generator, Mapping
from typing import Any
from unittest.mock import AsyncMock, patch

import aiohttp
import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

from .conftest import API_KEY, RECIPIENT_NUMBER, SSC_URL, mock_credits

NEW_KEY = "new-api-key-9876543210"
PROXY_URL = "http://127.0.0.1:8123/ssc/api/v2/"
SSC_CREDITS_URL = SSC_URL + "credits"


def _account_id(key: str) -> str:
    """The unique_id an SMS Service Center key must give: a hash, never the key."""
    return "smsservicecenter_" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _account_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """The entry data but its webhook id, which must be a fresh random one."""
    assert re.fullmatch(r"[0-9a-f]{64}", data["webhook_id"])
    return {key: value for key, value in data.items() if key != "webhook_id"}


def _fields(result: dict[str, Any]) -> set[str]:
    return {str(marker) for marker in result["data_schema"].schema}


def _suggested(result: dict[str, Any]) -> dict[str, Any]:
    return {
        str(marker): marker.description["suggested_value"]
        for marker in result["data_schema"].schema
        if marker.description and "suggested_value" in marker.description
    }


def _requests(aioclient_mock: AiohttpClientMocker) -> list[tuple[str, str, str]]:
    """Method, URL and Authorization header of every request that went out."""
    return [
        (method, str(url), (headers or {}).get("Authorization"))
        for method, url, _, headers in aioclient_mock.mock_calls
    ]


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Keep entry setup out of the flow tests, so every request seen is the flow's own."""
    with patch("custom_components.benelux_sms.async_setup_entry", return_value=True) as mock_setup:
        yield mock_setup


async def _start_account_form(hass: HomeAssistant) -> dict[str, Any]:
    context: dict[str, Any] = {"source": SOURCE_USER}
    result = await hass.config_entries.flow.async_init(DOMAIN, context=context)
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "smsservicecenter"}
    )


# --- Adding an account ---------------------------------------------------------------------


async def test_user_step_offers_gateways(hass: HomeAssistant) -> None:
    """The first step is a menu of gateways."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})

    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    assert result["menu_options"] == [
        "kpn_sms",
        "kpn_vonage",
        "smsservicecenter",
        "smsbox",
        "sms1601",
    ]


@pytest.mark.usefixtures("mock_setup_entry")
async def test_create_entry(hass: HomeAssistant, aioclient_mock: AiohttpClientMocker) -> None:
    """A working key creates the account, checked with the key before the entry exists."""
    mock_credits(aioclient_mock)
    result = await _start_account_form(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "smsservicecenter"
    assert result["errors"] == {}
    assert _fields(result) == {"api_key", "sender", "advanced"}
    assert hass.config_entries.async_entries(DOMAIN) == []
    assert aioclient_mock.call_count == 0

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": API_KEY, "sender": "HomeAlarm"}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "SMS Service Center"
    assert _account_data(result["data"]) == {
        "provider": "smsservicecenter",
        "api_key": API_KEY,
        "sender": "HomeAlarm",
    }
    entry = result["result"]
    assert entry.unique_id == _account_id(API_KEY)
    assert API_KEY not in entry.unique_id
    assert _requests(aioclient_mock) == [("GET", SSC_URL + "credits", f"Bearer {API_KEY}")]


@pytest.mark.usefixtures("mock_setup_entry")
async def test_create_entry_without_sender(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The sender is optional."""
    mock_credits(aioclient_mock)
    result = await _start_account_form(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"api_key": API_KEY})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _account_data(result["data"]) == {"provider": "smsservicecenter", "api_key": API_KEY}


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ({"status": 401}, "invalid_auth"),
        ({"status": 403}, "invalid_auth"),
        ({"json": {"status": "error", "message": "Unauthenticated."}}, "invalid_auth"),
        ({"status": 500}, "cannot_connect"),
        ({"exc": TimeoutError()}, "cannot_connect"),
        ({"exc": aiohttp.ClientConnectionError()}, "cannot_connect"),
        ({"text": "<html>Maintenance</html>"}, "cannot_connect"),
        ({"json": {"status": "success", "details": "lots"}}, "cannot_connect"),
    ],
    ids=[
        "401",
        "403",
        "unauthenticated",
        "500",
        "timeout",
        "connection",
        "not_json",
        "odd_reply",
    ],
)
@pytest.mark.usefixtures("mock_setup_entry")
async def test_create_entry_errors_then_recover(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    reply: dict[str, Any],
    error: str,
) -> None:
    """A refused or failed check shows an error, keeps the input, and the user can retry."""
    aioclient_mock.get(SSC_URL + "credits", **reply)
    result = await _start_account_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": API_KEY, "sender": "HomeAlarm"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "smsservicecenter"
    assert result["errors"] == {"base": error}
    assert _suggested(result) == {"api_key": API_KEY, "sender": "HomeAlarm"}
    assert hass.config_entries.async_entries(DOMAIN) == []

    aioclient_mock.clear_requests()
    mock_credits(aioclient_mock)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": API_KEY, "sender": "HomeAlarm"}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["api_key"] == API_KEY
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


@pytest.mark.parametrize(
    ("sender", "error"),
    [
        ("HomeAlarm123", "invalid_sender_too_long"),
        ("Home Alarm", "invalid_sender_characters"),
        ("Café", "invalid_sender_characters"),
        ("Home-Alarm", "invalid_sender_characters"),
    ],
)
@pytest.mark.usefixtures("mock_setup_entry")
async def test_create_entry_bad_sender(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, sender: str, error: str
) -> None:
    """A sender the gateway cannot take is refused on its field, before any request."""
    mock_credits(aioclient_mock)
    result = await _start_account_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": API_KEY, "sender": sender}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"sender": error}
    assert aioclient_mock.call_count == 0

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": API_KEY, "sender": "HomeAlarm"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["sender"] == "HomeAlarm"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_create_entry_eleven_character_sender(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Eleven letters and digits are the most a sender may have, and are taken."""
    mock_credits(aioclient_mock)
    result = await _start_account_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": API_KEY, "sender": "HomeAlarm12"}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["sender"] == "HomeAlarm12"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_same_key_twice_aborts(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The same account cannot be added twice."""
    mock_credits(aioclient_mock)
    for expected in (FlowResultType.CREATE_ENTRY, FlowResultType.ABORT):
        result = await _start_account_form(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"api_key": API_KEY}
        )
        assert result["type"] is expected

    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


def _section(result: dict[str, Any], name: str = "advanced") -> Any:
    """The form's section of that name (a data_entry_flow.section)."""
    (found,) = [value for key, value in result["data_schema"].schema.items() if str(key) == name]
    assert isinstance(found, section)
    return found


@pytest.mark.parametrize("advanced_mode", [False, True])
@pytest.mark.usefixtures("mock_setup_entry")
async def test_base_url_in_a_collapsed_section(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, advanced_mode: bool
) -> None:
    """The gateway's address is in a collapsed section, in advanced mode or not.

    Home Assistant 2026.11 deprecates show_advanced_options (always true there); the form
    no longer asks it. The check goes to the address given.
    """
    aioclient_mock.get(PROXY_URL + "credits", json={"status": "success", "details": 5})
    context: dict[str, Any] = {"source": SOURCE_USER, "show_advanced_options": advanced_mode}
    result = await hass.config_entries.flow.async_init(DOMAIN, context=context)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "smsservicecenter"}
    )
    assert _fields(result) == {"api_key", "sender", "advanced"}
    assert _section(result).options == {"collapsed": True}
    assert {str(key) for key in _section(result).schema.schema} == {"base_url"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": API_KEY, "advanced": {"base_url": PROXY_URL}}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert _account_data(result["data"]) == {
        "provider": "smsservicecenter",
        "api_key": API_KEY,
        "base_url": PROXY_URL,
    }
    assert _requests(aioclient_mock) == [("GET", PROXY_URL + "credits", f"Bearer {API_KEY}")]


@pytest.mark.usefixtures("mock_setup_entry")
async def test_an_empty_section_means_the_gateways_own_address(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The section sent back empty (as the frontend does) stores no address."""
    aioclient_mock.get(SSC_CREDITS_URL, json={"status": "success", "details": 5})
    result = await _start_account_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": API_KEY, "advanced": {}}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "base_url" not in result["data"]
    assert "advanced" not in result["data"]
    assert _requests(aioclient_mock) == [("GET", SSC_CREDITS_URL, f"Bearer {API_KEY}")]


@pytest.mark.parametrize("base_url", ["ftp://x", "not a url", "file:///etc/passwd"])
@pytest.mark.usefixtures("mock_setup_entry")
async def test_bad_base_url(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, base_url: str
) -> None:
    """Only http(s) addresses are taken, the section says so, and nothing is requested."""
    result = await _start_account_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": API_KEY, "advanced": {"base_url": base_url}}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"advanced": "invalid_url"}
    assert aioclient_mock.call_count == 0


# --- Reauth -------------------------------------------------------------------------------


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """A new key is checked and replaces the old one; the rest of the entry stays."""
    config_entry.add_to_hass(hass)
    mock_credits(aioclient_mock)
    result = await config_entry.start_reauth_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["gateway"] == "SMS Service Center"
    assert _fields(result) == {"api_key"}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"api_key": NEW_KEY})
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert config_entry.data == {
        "provider": "smsservicecenter",
        "api_key": NEW_KEY,
        "sender": "HomeAlarm",
    }
    assert config_entry.unique_id == _account_id(NEW_KEY)
    assert _requests(aioclient_mock) == [("GET", SSC_URL + "credits", f"Bearer {NEW_KEY}")]


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reauth_wrong_key(
    hass: HomeAssistant, config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """A refused key leaves the entry alone and says so; a good one then works."""
    config_entry.add_to_hass(hass)
    aioclient_mock.get(SSC_URL + "credits", status=401)
    result = await config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"api_key": "wrong"})

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_auth"}
    assert config_entry.data["api_key"] == API_KEY

    aioclient_mock.clear_requests()
    mock_credits(aioclient_mock)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"api_key": NEW_KEY})
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert config_entry.data["api_key"] == NEW_KEY


# --- Reconfigure --------------------------------------------------------------------------


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_sender(
    hass: HomeAssistant, config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """The sender can be changed; the form offers the current values, but not the key."""
    config_entry.add_to_hass(hass)
    mock_credits(aioclient_mock)
    result = await config_entry.start_reconfigure_flow(hass)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert _fields(result) == {"api_key", "sender", "advanced"}
    assert _suggested(result) == {"sender": "HomeAlarm"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": API_KEY, "sender": "Garage"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert _account_data(config_entry.data) == {
        "provider": "smsservicecenter",
        "api_key": API_KEY,
        "sender": "Garage",
    }
    assert _requests(aioclient_mock) == [("GET", SSC_URL + "credits", f"Bearer {API_KEY}")]


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_keeps_the_stored_key_when_left_empty(
    hass: HomeAssistant, config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """Changing only the sender needs no retyping of the key: the stored one is checked and
    kept.
    """
    config_entry.add_to_hass(hass)
    mock_credits(aioclient_mock)
    result = await config_entry.start_reconfigure_flow(hass)
    assert "api_key" not in _required(result)

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"sender": "Garage"})
    await hass.async_block_till_done()

    assert result["reason"] == "reconfigure_successful"
    assert _account_data(config_entry.data) == {
        "provider": "smsservicecenter",
        "api_key": API_KEY,
        "sender": "Garage",
    }
    assert _requests(aioclient_mock) == [("GET", SSC_URL + "credits", f"Bearer {API_KEY}")]


def _required(result: Any) -> set[str]:
    return {str(key) for key in result["data_schema"].schema if type(key).__name__ == "Required"}


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_shows_and_keeps_base_url(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The stored address is suggested in the section, kept, and used for the check."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="SMS Service Center",
        unique_id=_account_id(API_KEY),
        data={"provider": "smsservicecenter", "api_key": API_KEY, "base_url": PROXY_URL},
    )
    entry.add_to_hass(hass)
    aioclient_mock.get(PROXY_URL + "credits", json={"status": "success", "details": 5})
    result = await entry.start_reconfigure_flow(hass)
    assert _fields(result) == {"api_key", "sender", "advanced"}
    assert _section(result).options == {"collapsed": True}
    assert _suggested({"data_schema": _section(result).schema}) == {"base_url": PROXY_URL}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"api_key": API_KEY, "sender": "Garage", "advanced": {"base_url": PROXY_URL}},
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert _account_data(entry.data) == {
        "provider": "smsservicecenter",
        "api_key": API_KEY,
        "sender": "Garage",
        "base_url": PROXY_URL,
    }
    assert _requests(aioclient_mock) == [("GET", PROXY_URL + "credits", f"Bearer {API_KEY}")]


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_sets_and_clears_base_url(
    hass: HomeAssistant, config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """An address given in the section is stored; the section emptied goes back to none."""
    config_entry.add_to_hass(hass)
    aioclient_mock.get(PROXY_URL + "credits", json={"status": "success", "details": 5})
    aioclient_mock.get(SSC_CREDITS_URL, json={"status": "success", "details": 5})
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"api_key": API_KEY, "sender": "HomeAlarm", "advanced": {"base_url": PROXY_URL}},
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data["base_url"] == PROXY_URL

    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": API_KEY, "sender": "HomeAlarm", "advanced": {}}
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert "base_url" not in config_entry.data
    assert _requests(aioclient_mock)[-1] == ("GET", SSC_CREDITS_URL, f"Bearer {API_KEY}")


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_new_key_and_errors(
    hass: HomeAssistant, config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """A refused key or a bad sender keeps the entry; a good new key replaces the old."""
    config_entry.add_to_hass(hass)
    aioclient_mock.get(SSC_URL + "credits", status=401)
    result = await config_entry.start_reconfigure_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": "wrong", "sender": "HomeAlarm"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": NEW_KEY, "sender": "Home Alarm"}
    )
    assert result["errors"] == {"sender": "invalid_sender_characters"}
    assert _suggested(result) == {"api_key": NEW_KEY, "sender": "Home Alarm"}
    assert config_entry.data["api_key"] == API_KEY
    assert config_entry.data["sender"] == "HomeAlarm"

    aioclient_mock.clear_requests()
    mock_credits(aioclient_mock)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": NEW_KEY, "sender": "HomeAlarm"}
    )
    await hass.async_block_till_done()

    assert result["reason"] == "reconfigure_successful"
    assert config_entry.data["api_key"] == NEW_KEY
    assert config_entry.unique_id == _account_id(NEW_KEY)


# --- Recipients -----------------------------------------------------------------------------


async def _add_recipient(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, str]
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert _fields(result) == {"name", "country", "phone_number", "encoding"}
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], user_input)
    await hass.async_block_till_done()
    return result


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("06 8765 4321", "+31687654321"),
        ("0687654321", "+31687654321"),
        ("+31 6 8765 4321", "+31687654321"),
        ("+32 470 12 34 56", "+32470123456"),
    ],
)
async def test_add_recipient(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, raw: str, stored: str
) -> None:
    """A mobile number is stored in E.164 form, under the recipient's name."""
    result = await _add_recipient(hass, loaded_entry, {"name": "Bob", "phone_number": raw})

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Bob"
    assert result["data"] == {"phone_number": stored, "encoding": "auto"}
    added = [sub for sub in loaded_entry.subentries.values() if sub.title == "Bob"]
    assert len(added) == 1
    assert added[0].data == {"phone_number": stored, "encoding": "auto"}
    assert added[0].unique_id == stored


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("hello", "invalid_number_not_a_number"),
        ("0612", "invalid_number_not_national_nl"),
        ("020 123 4567", "invalid_number_not_mobile"),
        ("06 12345678", "already_configured"),
        (RECIPIENT_NUMBER, "already_configured"),
    ],
)
async def test_add_recipient_errors(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, raw: str, error: str
) -> None:
    """Numbers that cannot get an SMS, or are already a recipient, are refused on the field."""
    result = await _add_recipient(hass, loaded_entry, {"name": "Bob", "phone_number": raw})

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"phone_number": error}
    assert _suggested(result) == {
        "name": "Bob",
        "country": "NL",
        "phone_number": raw,
        "encoding": "auto",
    }
    assert [sub.title for sub in loaded_entry.subentries.values()] == ["Alice"]

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Bob", "phone_number": "0687654321"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {"phone_number": "+31687654321", "encoding": "auto"}
    await hass.async_block_till_done()  # the account reloads with the new recipient


async def test_reconfigure_recipient(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """A recipient's name and number can be changed; the form starts from the current ones."""
    result = await loaded_entry.start_subentry_reconfigure_flow(hass, "recipient", "alice")

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert _suggested(result) == {
        "name": "Alice",
        "phone_number": RECIPIENT_NUMBER,
        "encoding": "auto",
    }

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Alice Smith", "phone_number": "06 8765 4321", "encoding": "gsm7"},
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = loaded_entry.subentries["alice"]
    assert subentry.title == "Alice Smith"
    assert subentry.data == {"phone_number": "+31687654321", "encoding": "gsm7"}
    assert subentry.unique_id == "+31687654321"


async def test_reconfigure_recipient_keeps_own_number(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Renaming a recipient without changing its number is not a duplicate."""
    result = await loaded_entry.start_subentry_reconfigure_flow(hass, "recipient", "alice")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Mum", "phone_number": "06 12345678"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = loaded_entry.subentries["alice"]
    assert subentry.title == "Mum"
    assert subentry.data == {"phone_number": RECIPIENT_NUMBER, "encoding": "auto"}


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("hello", "invalid_number_not_a_number"),
        ("020 123 4567", "invalid_number_not_mobile"),
        ("06 8765 4321", "already_configured"),
    ],
)
async def test_reconfigure_recipient_errors(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, raw: str, error: str
) -> None:
    """Another recipient's number, or a number that cannot get an SMS, is refused."""
    result = await _add_recipient(hass, loaded_entry, {"name": "Bob", "phone_number": "0687654321"})
    assert result["type"] is FlowResultType.CREATE_ENTRY

    result = await loaded_entry.start_subentry_reconfigure_flow(hass, "recipient", "alice")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Alice", "phone_number": raw}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"phone_number": error}
    assert _suggested(result) == {
        "name": "Alice",
        "country": "NL",
        "phone_number": raw,
        "encoding": "auto",
    }
    assert loaded_entry.subentries["alice"].data == {"phone_number": RECIPIENT_NUMBER}


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize("source", ["reauth", "reconfigure"])
async def test_key_of_another_entry_is_refused(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    source: str,
) -> None:
    """New credentials that belong to another entry's account leave both entries as they were."""
    other = MockConfigEntry(
        domain=DOMAIN,
        unique_id=_account_id(NEW_KEY),
        data={"provider": "smsservicecenter", "api_key": NEW_KEY},
    )
    other.add_to_hass(hass)
    config_entry.add_to_hass(hass)
    mock_credits(aioclient_mock)
    if source == "reauth":
        result = await config_entry.start_reauth_flow(hass)
    else:
        result = await config_entry.start_reconfigure_flow(hass)

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"api_key": NEW_KEY})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert config_entry.data["api_key"] == API_KEY
    assert config_entry.unique_id != other.unique_id
