"""The options flow: the sending rules of every account, a test mode where the gateway has one."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.selector import NumberSelector, SelectSelector
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

from .accounts import ALICE, BOB, account, send_sms, set_up
from .cases.sms1601 import CASE as SMS1601
from .cases.smsbox import CASE as SMSBOX
from .cases.smsservicecenter import CASE as SSC
from .gateway_cases import GatewayCase, Outcome, all_cases


async def test_test_mode_reaches_the_wire(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Switching test mode on reloads the account, and sends then carry test=ja."""
    SMS1601.mock_setup(aioclient_mock)
    aioclient_mock.post(
        "http://217.19.227.48/module/gateway.php",
        params={"delivery": "ja", "test": "ja"},
        text="OK 42",
    )
    SMS1601.mock_send(aioclient_mock, Outcome.SENT)
    entry = MockConfigEntry(domain=DOMAIN, title=SMS1601.title, data=SMS1601.data)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"test_mode": True}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {"test_mode": True, "daily_segment_limit": 0, "duplicate_window": 0}

    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "recipients": ["0612345678"], "message": "Test"},
        blocking=True,
        return_response=True,
    )

    assert response["messages"][0]["message_id"] == "42"
    [send] = [call for call in aioclient_mock.mock_calls if "delivery=ja" in str(call[1])]
    assert "test=ja" in str(send[1])


CASES = all_cases()


async def _options_form(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    return result


@pytest.mark.parametrize("case", CASES, ids=[case.provider for case in CASES])
async def test_every_gateway_offers_the_sending_rules(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, case: GatewayCase
) -> None:
    """Daily limit and duplicate window on every account, as whole numbers in a box; with
    no other account there is no fallback to choose.
    """
    case.mock_setup(aioclient_mock)
    entry = await set_up(hass, account(case))
    assert hass.config_entries.async_get_entry(entry.entry_id).supports_options

    result = await _options_form(hass, entry)

    fields = {str(marker): selector for marker, selector in result["data_schema"].schema.items()}
    assert {"daily_segment_limit", "duplicate_window"} <= set(fields)
    assert "fallback_entry_id" not in fields
    for key in ("daily_segment_limit", "duplicate_window"):
        assert isinstance(fields[key], NumberSelector)
        assert fields[key].config["step"] == 1
        assert fields[key].config["mode"] == "box"


async def test_the_fallback_picker_offers_only_the_other_accounts(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The account itself and other integrations' entries are no choice, and the schema
    refuses them when an API call names them.
    """
    entry, fallback = await _two_accounts(hass, aioclient_mock)
    other = MockConfigEntry(domain="mqtt", title="MQTT")
    other.add_to_hass(hass)

    result = await _options_form(hass, entry)

    fields = {str(marker): selector for marker, selector in result["data_schema"].schema.items()}
    picker = fields["fallback_entry_id"]
    assert isinstance(picker, SelectSelector)
    assert picker.config["options"] == [{"value": fallback.entry_id, "label": fallback.title}]
    for refused in (entry.entry_id, other.entry_id):
        with pytest.raises(InvalidData):
            await hass.config_entries.options.async_configure(
                result["flow_id"], {"fallback_entry_id": refused}
            )
    assert entry.options == {}


async def test_a_fallback_removed_while_the_form_is_open_is_refused(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Chosen from the list, but gone by the time the form is saved: the form says so."""
    entry, fallback = await _two_accounts(hass, aioclient_mock)
    result = await _options_form(hass, entry)
    await hass.config_entries.async_remove(fallback.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"fallback_entry_id": fallback.entry_id}
    )

    assert result["errors"] == {"fallback_entry_id": "fallback_not_found"}


async def _two_accounts(
    hass: HomeAssistant, mock: AiohttpClientMocker
) -> tuple[MockConfigEntry, MockConfigEntry]:
    SMSBOX.mock_setup(mock)
    SSC.mock_setup(mock)
    SSC.mock_send(mock, Outcome.SENT)
    fallback = await set_up(hass, account(SMSBOX))
    return await set_up(hass, account(SSC)), fallback


async def test_sending_rules_are_stored_and_apply(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The options are stored as whole numbers, the account reloads, and the limit applies."""
    entry, fallback = await _two_accounts(hass, aioclient_mock)
    result = await _options_form(hass, entry)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"fallback_entry_id": fallback.entry_id, "daily_segment_limit": 1, "duplicate_window": 0},
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "fallback_entry_id": fallback.entry_id,
        "daily_segment_limit": 1,
        "duplicate_window": 0,
        "test_mode": False,  # SMS Service Center has a test mode (its "testmode" field)
    }
    assert {type(entry.options[key]) for key in ("daily_segment_limit", "duplicate_window")} == {
        int
    }
    await send_sms(hass, entry)
    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, entry, message="Second")
    assert raised.value.translation_key == "daily_limit_reached"


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({"daily_segment_limit": 2.5}, {"daily_segment_limit": "whole_number"}),
        ({"daily_segment_limit": -1}, {"daily_segment_limit": "whole_number"}),
        ({"duplicate_window": 0.5}, {"duplicate_window": "whole_number"}),
        ({"duplicate_window": -5}, {"duplicate_window": "whole_number"}),
        ({"duplicate_window": 100000}, {"duplicate_window": "duplicate_window_too_long"}),
    ],
)
async def test_options_that_make_no_sense_are_refused(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """No fractions, nothing below 0, no window past a day: the form says what is wrong in
    its own translated words (with the maximum), not the selector's English.
    """
    entry, _ = await _two_accounts(hass, aioclient_mock)
    result = await _options_form(hass, entry)

    result = await hass.config_entries.options.async_configure(result["flow_id"], user_input)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert result["description_placeholders"]["max_duplicate_window"] == "86400"
    assert entry.options == {}


async def test_saving_the_options_clears_the_limit_repair(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Raising the limit in the options takes away the repair that asked for it."""
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    entry = await set_up(hass, account(SSC, {"daily_segment_limit": 1}))
    with pytest.raises(HomeAssistantError):
        await send_sms(hass, entry, [ALICE, BOB])
    issue_id = f"daily_limit_reached_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    result = await _options_form(hass, entry)
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"daily_segment_limit": 10}
    )
    await hass.async_block_till_done()

    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    await send_sms(hass, entry, [ALICE, BOB])
