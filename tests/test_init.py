"""Setting up and unloading an account."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

from .conftest import API_KEY, SSC_URL


async def test_setup_and_unload(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    """The account loads, makes its entities and unloads cleanly."""
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert hass.states.get("notify.sms_service_center_alice") is not None
    assert hass.states.get("sensor.sms_service_center_credits").state == "100"

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED


async def test_credits_request_matches_doc(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, gateway_mock: AiohttpClientMocker
) -> None:
    """Setup asks GET api/v2/credits with the bearer key."""
    method, url, _, headers = gateway_mock.mock_calls[0]
    assert (method, str(url)) == ("GET", SSC_URL + "credits")
    assert headers["Authorization"] == f"Bearer {API_KEY}"


async def test_gateway_down_retries_setup(
    hass: HomeAssistant, config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """An unreachable gateway makes Home Assistant retry later."""
    aioclient_mock.get(SSC_URL + "credits", status=503)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_revoked_key_starts_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    """A refused key fails setup and asks the user for a new one."""
    aioclient_mock.get(SSC_URL + "credits", status=401)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_adding_a_recipient_reloads_the_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A new recipient subentry becomes a notify entity without a restart."""
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, "recipient"), context={"source": "user"}
    )
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Bob", "phone_number": "0687654321"}
    )
    await hass.async_block_till_done()

    assert hass.states.get("notify.sms_service_center_bob") is not None


async def test_removing_the_account_removes_its_repair_issues(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """No repair issue outlives the account it speaks of; another account's stays."""
    for issue_id in (f"no_public_url_{loaded_entry.entry_id}", "no_public_url_other"):
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="no_public_url",
            translation_placeholders={"account": "x"},
        )

    assert await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()

    issues = ir.async_get(hass).issues
    assert (DOMAIN, f"no_public_url_{loaded_entry.entry_id}") not in issues
    assert (DOMAIN, "no_public_url_other") in issues
