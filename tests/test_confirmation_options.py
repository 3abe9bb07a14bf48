"""The account option confirm_within, as the options flow offers, refuses and stores it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.selector import NumberSelector
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import EVENT_UNCONFIRMED

from .accounts import ALICE, account, requests_to, send_sms, set_up
from .cases.smsbox import CASE as SMSBOX
from .cases.smsbox import FIRST_MSGID
from .cases.smsservicecenter import CASE as SSC
from .cases.smsservicecenter import SSC_MESSAGE_ID
from .gateway_cases import GatewayCase, Outcome, all_cases

CASES = all_cases()
WEBHOOK_ID = "0123456789abcdef" * 4


async def _options_form(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    return result


def _fields(result: Any) -> dict[str, Any]:
    return {str(marker): selector for marker, selector in result["data_schema"].schema.items()}


async def _smsbox(hass: HomeAssistant, mock: AiohttpClientMocker) -> MockConfigEntry:
    SMSBOX.mock_setup(mock)
    SMSBOX.mock_send(mock, Outcome.SENT)
    return await set_up(hass, account(SMSBOX, webhook_id=WEBHOOK_ID))


@pytest.mark.parametrize("case", CASES, ids=[case.provider for case in CASES])
async def test_offered_where_the_gateway_reports(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, case: GatewayCase
) -> None:
    """Every gateway that sends delivery reports offers it; SMS Service Center does not."""
    case.mock_setup(aioclient_mock)
    entry = await set_up(hass, account(case))

    fields = _fields(await _options_form(hass, entry))

    if case is SSC:
        assert "confirm_within" not in fields
        return
    selector = fields["confirm_within"]
    assert isinstance(selector, NumberSelector)
    # The range is checked by the flow, in the user's language, not by the selector.
    assert "min" not in selector.config
    assert "max" not in selector.config
    assert selector.config["unit_of_measurement"] == "s"


async def test_stored_and_used_by_a_send_that_does_not_set_it(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """Saved in the options flow (the account reloads), it confirms the action's sends."""
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    fallback = await set_up(hass, account(SSC))
    entry = await _smsbox(hass, aioclient_mock)
    unconfirmed: list[Event] = async_capture_events(hass, EVENT_UNCONFIRMED)

    result = await _options_form(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"confirm_within": 90, "fallback_entry_id": fallback.entry_id}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["confirm_within"] == 90
    assert isinstance(entry.options["confirm_within"], int)

    await send_sms(hass, entry, [ALICE], "Water in the cellar")
    freezer.tick(timedelta(seconds=90))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    [body] = requests_to(aioclient_mock, SSC.send_url)
    assert (body["numbers"], body["message"]) == ([ALICE], "Water in the cellar")
    assert [event.data for event in unconfirmed] == [
        {
            "config_entry_id": entry.entry_id,
            "message_id": str(FIRST_MSGID),
            "recipient": ALICE,
            "status": "accepted",
            "fallback_entry_id": fallback.entry_id,
            "fallback_message_id": SSC_MESSAGE_ID,
        }
    ]


async def test_refused_while_no_report_url_exists(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """SMSBOX with no external URL and no cloudhook: no report can come, so it is refused
    (0 is fine); with an external URL it is taken.
    """
    entry = await _smsbox(hass, aioclient_mock)

    result = await _options_form(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"confirm_within": 60}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"confirm_within": "confirmation_unsupported"}

    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"confirm_within": 60}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("seconds", "error"),
    [(1, "confirm_within_invalid"), (29, "confirm_within_invalid"), (30.5, "whole_number")],
)
async def test_out_of_range_is_refused(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, seconds: float, error: str
) -> None:
    """Less than 30 seconds, or not a whole number, is refused in the form."""
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    entry = await _smsbox(hass, aioclient_mock)

    result = await _options_form(hass, entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"confirm_within": seconds}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"confirm_within": error}
    assert "confirm_within" not in entry.options
