"""Diagnostics: useful for a bug report, without secrets or phone numbers."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.benelux_sms.const import DOMAIN

from .accounts import account, set_up
from .cases.sms1601 import CASE as SMS1601
from .conftest import API_KEY, MESSAGE_ID, RECIPIENT_NUMBER
from .outbox import Outbox

OTHER_NUMBER = "+31687654321"


async def test_diagnostics_redacted(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, loaded_entry: MockConfigEntry
) -> None:
    """The key, the account id, recipients' names and numbers never reach the download."""
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, "recipient"), context={"source": "user"}
    )
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Grandma Jones", "phone_number": OTHER_NUMBER}
    )
    await hass.async_block_till_done()
    # A send puts a recipient number into the state that diagnostics dumps.
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {
            "config_entry_id": loaded_entry.entry_id,
            "recipients": [OTHER_NUMBER],
            "message": "The alarm went off",
        },
        blocking=True,
        return_response=True,
    )

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    text = json.dumps(diagnostics)

    for secret in (
        API_KEY,
        loaded_entry.unique_id,
        loaded_entry.unique_id.removeprefix("smsservicecenter_"),
        RECIPIENT_NUMBER,
        RECIPIENT_NUMBER.removeprefix("+31"),
        OTHER_NUMBER,
        OTHER_NUMBER.removeprefix("+31"),
        loaded_entry.data["webhook_id"],
    ):
        assert secret not in text, secret
    # Names are matched by case: the fixture's hand-made subentry_id is "alice".
    for name in ("Alice", "Grandma", "Jones"):
        assert name not in text, name

    assert diagnostics["entry"]["data"]["provider"] == "smsservicecenter"
    assert diagnostics["entry"]["data"]["sender"] == "HomeAlarm"
    assert diagnostics["capabilities"] == {
        "credits": True,
        "credits_in_receipt": False,
        "credits_unit": "credits",
        "encoding_control": False,
        "inbound": False,
        "report_callback": False,
        "report_callback_https_only": False,
        "report_polling": False,
        "report_portal": False,
        "signed_webhooks": False,
        "max_recipients_per_request": 50,
        "max_concurrent_requests": 1,
        "max_text_length": None,
        "recipient_country_codes": None,
        "test_mode": True,
        "scheduling": False,
        "voice": False,
        "validity": False,
        "reference": False,
        "max_reference_length": None,
        "inbound_registration": False,
    }
    assert diagnostics["last_update_success"] is True
    assert diagnostics["state"]["credits"]["remaining"] == 100
    assert diagnostics["state"]["last_delivery"]["status"] == "accepted"
    assert diagnostics["state"]["last_delivery"]["message_ids"] == [MESSAGE_ID]
    assert len(diagnostics["entry"]["subentries"]) == 2


async def test_heartbeat_recipients_are_redacted(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, aioclient_mock: AiohttpClientMocker
) -> None:
    """The 1601SMS heartbeat's numbers are personal numbers: redacted like the recipients'."""
    Outbox().mock(aioclient_mock)
    options = {
        "heartbeat_recipients": [OTHER_NUMBER],
        "heartbeat_minutes": 30,
        "heartbeat_message": "Home Assistant is down",
    }
    entry = await set_up(hass, account(SMS1601, options))

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics["entry"]["options"]["heartbeat_minutes"] == 30
    assert OTHER_NUMBER.removeprefix("+") not in json.dumps(diagnostics)
