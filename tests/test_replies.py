"""Replies from KPN Vonage, switched on in the options: the registration on the wire, the
inbound header on sends, and what the form says when it cannot be done.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .accounts import requests_to, send_sms, set_up_case
from .cases.kpn_vonage import CASE as VONAGE
from .cases.kpn_vonage import VONAGE_URL
from .cases.smsbox import CASE as SMSBOX

WEBHOOK_ID = "a1b2c3d4e5f60718" * 4
EXTERNAL = "https://home.example.nl"
WEBHOOK_URL = f"{EXTERNAL}/api/webhook/{WEBHOOK_ID}"
REGISTER_URL = VONAGE_URL + "register"
NUMBER_UPDATE_URL = "https://api-prd.kpn.com/communication/nexmo/phone-numbers/number/update"
TEST_PHONE = "+31612345678"
RULES = {"daily_segment_limit": 0, "duplicate_window": 0}


async def _vonage(
    hass: HomeAssistant, mock: AiohttpClientMocker, external_url: str | None = EXTERNAL
) -> MockConfigEntry:
    if external_url is not None:
        await async_process_ha_core_config(hass, {"external_url": external_url})
    mock.post(REGISTER_URL, json={"message": "Your callback url is registered."})
    mock.post(NUMBER_UPDATE_URL, json={"error-code": "200", "error-code-label": "success"})
    return await set_up_case(hass, VONAGE, mock, webhook_id=WEBHOOK_ID)


async def _save_options(hass: HomeAssistant, entry: MockConfigEntry, **options: Any) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(result["flow_id"], options)
    await hass.async_block_till_done()
    return result


def _inbound_headers(mock: AiohttpClientMocker) -> list[str | None]:
    """The inbound header of each send request (None where it was not sent)."""
    return [
        (headers or {}).get("inbound")
        for _, url, _, headers in mock.mock_calls
        if str(url).startswith(VONAGE.send_url)
    ]


async def test_test_app_registers_the_webhook_and_sends_ask_for_replies(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A test app: POST /register with to and callback_url; then every send says inbound."""
    entry = await _vonage(hass, aioclient_mock)
    await send_sms(hass, entry)
    assert _inbound_headers(aioclient_mock) == [None]

    result = await _save_options(
        hass, entry, receive_replies=True, replies_number="06 1234 5678", replies_app="test"
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert requests_to(aioclient_mock, REGISTER_URL) == [
        {"to": "31612345678", "callback_url": WEBHOOK_URL}
    ]
    assert entry.options == {
        "receive_replies": True,
        "replies_number": "06 1234 5678",
        "replies_app": "test",
        **RULES,
    }
    await send_sms(hass, entry)
    assert _inbound_headers(aioclient_mock) == [None, "yes"]


async def test_production_app_updates_the_number_with_mo_http_url(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Production: the Phone Numbers API's number/update with country, msisdn, moHttpUrl."""
    entry = await _vonage(hass, aioclient_mock)

    result = await _save_options(
        hass,
        entry,
        receive_replies=True,
        replies_number="+3197012345678",
        replies_app="production",
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert requests_to(aioclient_mock, REGISTER_URL) == []
    [form] = requests_to(aioclient_mock, NUMBER_UPDATE_URL)
    assert form == {"country": "NL", "msisdn": "3197012345678", "moHttpUrl": WEBHOOK_URL}


@pytest.mark.parametrize("external_url", [None, "http://home.example.nl"])
async def test_without_an_https_url_the_form_explains_and_saves_nothing(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, external_url: str | None
) -> None:
    """Vonage calls https only: no registration, a form error, the options as they were."""
    entry = await _vonage(hass, aioclient_mock, external_url)

    result = await _save_options(hass, entry, receive_replies=True, replies_number=TEST_PHONE)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "replies_need_https_url"}
    assert requests_to(aioclient_mock, REGISTER_URL) == []
    assert entry.options == {}


async def test_a_refused_registration_is_a_form_error(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """KPN answers 400: the form says so, nothing is saved, sends do not ask for replies."""
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL})
    aioclient_mock.post(REGISTER_URL, status=400, json={"message": "invalid number"})
    entry = await set_up_case(hass, VONAGE, aioclient_mock, webhook_id=WEBHOOK_ID)

    result = await _save_options(hass, entry, receive_replies=True, replies_number=TEST_PHONE)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "replies_registration_failed"}
    assert len(requests_to(aioclient_mock, REGISTER_URL)) == 1
    assert entry.options == {}
    await send_sms(hass, entry)
    assert _inbound_headers(aioclient_mock) == [None]


@pytest.mark.parametrize("number", [None, "not a number", "+32 2 123 45 67"])
async def test_a_bad_number_for_replies_is_a_form_error(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, number: str | None
) -> None:
    """No number, no phone number, or a fixed line: nothing is registered."""
    entry = await _vonage(hass, aioclient_mock)
    options: dict[str, Any] = {"receive_replies": True}
    if number is not None:
        options["replies_number"] = number

    result = await _save_options(hass, entry, **options)

    assert result["errors"] == {"replies_number": "replies_number_invalid"}
    assert requests_to(aioclient_mock, REGISTER_URL) == []
    assert entry.options == {}


async def test_replies_off_registers_nothing(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Saving the options with replies off asks nothing of the gateway."""
    entry = await _vonage(hass, aioclient_mock)

    result = await _save_options(hass, entry, receive_replies=False)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert requests_to(aioclient_mock, REGISTER_URL) == []
    assert requests_to(aioclient_mock, NUMBER_UPDATE_URL) == []


async def test_only_kpn_vonage_offers_replies(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The options of a gateway without reply registration have no such fields."""
    vonage = await _vonage(hass, aioclient_mock)
    smsbox = await set_up_case(hass, SMSBOX, aioclient_mock)

    def fields(result: Any) -> set[str]:
        return {str(key) for key in result["data_schema"].schema}

    vonage_form = await hass.config_entries.options.async_init(vonage.entry_id)
    smsbox_form = await hass.config_entries.options.async_init(smsbox.entry_id)

    assert {"receive_replies", "replies_number", "replies_app"} <= fields(vonage_form)
    assert not {"receive_replies", "replies_number", "replies_app"} & fields(smsbox_form)


async def test_the_number_for_replies_stays_out_of_diagnostics(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, hass_client: ClientSessionGenerator
) -> None:
    """The test phone is a personal number: redacted like the recipients'."""
    entry = await _vonage(hass, aioclient_mock)
    await _save_options(hass, entry, receive_replies=True, replies_number="+31687654321")

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics["entry"]["options"]["receive_replies"] is True
    assert "687654321" not in json.dumps(diagnostics)


async def test_an_account_that_is_not_loaded_cannot_switch_replies_on(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Its webhook is not there to register: the form says so, nothing is asked or saved."""
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL})
    entry = MockConfigEntry(domain="benelux_sms", title=VONAGE.title, data=VONAGE.data)
    entry.add_to_hass(hass)

    result = await _save_options(hass, entry, receive_replies=True, replies_number=TEST_PHONE)

    assert result["errors"] == {"base": "replies_account_not_loaded"}
    assert aioclient_mock.mock_calls == []
    assert entry.options == {}
