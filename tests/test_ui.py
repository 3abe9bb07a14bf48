"""What the Home Assistant UI shows: the forms' fields, features, icons, units and devices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from homeassistant.components.notify import NotifyEntityFeature
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.const import ATTR_SUPPORTED_FEATURES
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.config_flow import BeneluxSmsConfigFlow
from custom_components.benelux_sms.const import DOMAIN

from .accounts import set_up_case
from .cases.kpn_vonage import CASE as VONAGE
from .cases.sms1601 import CASE as SMS1601

PACKAGE = Path(__file__).resolve().parent.parent / "custom_components" / DOMAIN


def _required_fields(schema: object) -> set[str]:
    return {str(marker) for marker in schema.schema if type(marker).__name__ == "Required"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("provider", "sender_required"),
    [
        ("sms1601", True),
        ("kpn_sms", True),
        ("kpn_vonage", True),
        ("smsbox", False),
        ("smsservicecenter", False),
    ],
)
async def test_sender_is_required_where_the_gateway_needs_one(
    hass: HomeAssistant, provider: str, sender_required: bool
) -> None:
    """1601SMS and the KPN gateways refuse messages without a sender: the form asks for one."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": provider}
    )

    assert ("sender" in _required_fields(result["data_schema"])) is sender_required


@pytest.mark.usefixtures("loaded_entry")
async def test_notify_entity_offers_a_title(hass: HomeAssistant) -> None:
    """notify.send_message shows a Title field for the recipients."""
    state = hass.states.get("notify.sms_service_center_alice")

    assert state.attributes[ATTR_SUPPORTED_FEATURES] == NotifyEntityFeature.TITLE


@pytest.mark.usefixtures("loaded_entry")
async def test_credits_unit_comes_from_the_translation(hass: HomeAssistant) -> None:
    """The unit of credits is a translated word, not a code."""
    state = hass.states.get("sensor.sms_service_center_credits")

    assert state.attributes["unit_of_measurement"] == "credits"


async def test_euro_balance_has_its_own_icon(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, entity_registry: er.EntityRegistry
) -> None:
    """KPN Vonage's balance is money: not the SMS-credits icon, and no translated credits unit."""
    await set_up_case(hass, VONAGE, aioclient_mock)

    balance = entity_registry.async_get("sensor.kpn_vonage_sms_balance")
    assert balance is not None
    assert balance.translation_key == "balance"
    icons = json.loads((PACKAGE / "icons.json").read_text())
    assert (
        icons["entity"]["sensor"]["balance"]["default"]
        != (icons["entity"]["sensor"]["credits"]["default"])
    )


def test_every_entity_has_an_icon() -> None:
    """Sensors and event entities each have an icon in icons.json."""
    strings = json.loads((PACKAGE / "strings.json").read_text())
    icons = json.loads((PACKAGE / "icons.json").read_text())

    for platform in ("sensor", "event"):
        assert set(strings["entity"][platform]) <= set(icons["entity"][platform]), platform


async def test_device_names_the_gateway_as_model(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """The account's device says which gateway it is, not 'unknown'."""
    device = device_registry.async_get_device(identifiers={(DOMAIN, loaded_entry.entry_id)})

    assert device is not None
    assert device.model == "SMS Service Center"
    assert device.entry_type is dr.DeviceEntryType.SERVICE


async def test_new_account_leads_on_to_its_first_recipient(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """From 2026 on, Home Assistant opens the flow that async_on_create_entry names next."""
    flow = BeneluxSmsConfigFlow()
    flow.hass = hass

    result = await flow.async_on_create_entry(
        ConfigFlowResult(type=FlowResultType.CREATE_ENTRY, result=loaded_entry)
    )

    flow_type, flow_id = result["next_flow"]  # type: ignore[typeddict-item]
    assert flow_type == "config_subentries_flow"
    [subentry_flow] = hass.config_entries.subentries.async_progress()
    assert subentry_flow["flow_id"] == flow_id
    assert subentry_flow["handler"] == (loaded_entry.entry_id, "recipient")
    assert subentry_flow["step_id"] == "user"


async def test_options_without_a_portal_name_no_url(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """KPN Vonage is told its report URL with each send: its Options ask nothing of a portal."""
    VONAGE.mock_setup(aioclient_mock)
    entry = MockConfigEntry(domain=DOMAIN, title=VONAGE.title, data=VONAGE.data)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)

    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert result["step_id"] == "init"
    assert result["description_placeholders"] == {
        "gateway": "KPN Vonage SMS",
        "max_duplicate_window": "86400",
    }
    strings = json.loads((PACKAGE / "strings.json").read_text())
    assert "{webhook_url}" not in strings["options"]["step"]["init"]["description"]


async def test_options_of_a_portal_gateway_show_the_url_to_paste(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """1601SMS takes its report URL in its portal: its Options step says where, with the URL."""
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    SMS1601.mock_setup(aioclient_mock)
    entry = MockConfigEntry(
        domain=DOMAIN, title=SMS1601.title, data={**SMS1601.data, "webhook_id": "a1b2c3"}
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "portal"
    assert result["description_placeholders"] == {
        "gateway": "1601SMS",
        "max_duplicate_window": "86400",
        "webhook_url": "https://home.example.nl/api/webhook/a1b2c3",
    }

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"test_mode": True, "daily_segment_limit": 0, "duplicate_window": 0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["test_mode"] is True


def _english(path: str) -> str:
    node = json.loads((PACKAGE / "strings.json").read_text(encoding="utf-8"))
    for key in path.split("."):
        node = node[key]
    assert isinstance(node, str)
    return node


@pytest.mark.parametrize(
    ("provider", "says"),
    [
        (
            "sms1601",
            "at most 11 letters and digits, without spaces, or a phone number of at most "
            "15 digits. Required: 1601SMS refuses",
        ),
        (
            "kpn_sms",
            'at most 11 letters, digits and single spaces between them, such as "Demo App". '
            "Required: KPN SMS refuses",
        ),
        ("kpn_vonage", "or a phone number of at most 15 digits. Required: KPN Vonage SMS refuses"),
        ("smsbox", "or a phone number of at most 16 digits. If you leave it empty, SMSBOX uses"),
        ("smsservicecenter", "without spaces. If you leave it empty, SMS Service Center uses"),
    ],
)
async def test_sender_help_says_what_is_true_for_the_gateway(
    hass: HomeAssistant, provider: str, says: str
) -> None:
    """The sender help names the gateway, its lengths and whether it needs a sender."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": provider}
    )

    help_text = _english(f"config.step.{provider}.data_description.sender")
    assert says in help_text.format(**result["description_placeholders"])
