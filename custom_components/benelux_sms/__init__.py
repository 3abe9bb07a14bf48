"""Benelux SMS: send SMS through Dutch and Belgian gateways."""

from __future__ import annotations

from homeassistant.components.webhook import async_generate_id
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .const import (
    CONF_BASE_URL,
    CONF_PROVIDER,
    CONF_TEST_MODE,
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
)
from .coordinator import BeneluxSmsConfigEntry, BeneluxSmsCoordinator
from .gateways import GATEWAYS
from .services import async_setup_services
from .webhook import async_register_webhook, uses_webhook

PLATFORMS: list[Platform] = [Platform.EVENT, Platform.NOTIFY, Platform.SENSOR]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, which exist whether or not an account is set up."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: BeneluxSmsConfigEntry) -> bool:
    """Connect to the gateway account and set up its entities."""
    if CONF_WEBHOOK_ID not in entry.data:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: async_generate_id()}
        )
    gateway_class = GATEWAYS[entry.data[CONF_PROVIDER]]
    gateway = gateway_class(
        async_get_clientsession(hass),
        {field: entry.data[field] for field in gateway_class.credential_fields},
        base_url=entry.data.get(CONF_BASE_URL),
        test_mode=entry.options.get(CONF_TEST_MODE, False),
        webhook_secret=entry.options.get(CONF_WEBHOOK_SECRET),
    )
    coordinator = BeneluxSmsCoordinator(hass, entry, gateway)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    if uses_webhook(gateway):
        entry.async_on_unload(async_register_webhook(hass, entry))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Recipients are subentries: adding or removing one changes the notify entities.
    entry.async_on_unload(entry.add_update_listener(_async_reload_entry))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: BeneluxSmsConfigEntry) -> bool:
    """Unload the account's entities."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def _async_reload_entry(hass: HomeAssistant, entry: BeneluxSmsConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)
