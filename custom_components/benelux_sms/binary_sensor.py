"""Binary sensors: whether the account sends in test mode, shown on its device page."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_TEST_MODE
from .entity import BeneluxSmsEntity
from .runtime import BeneluxSmsConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BeneluxSmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the test mode sensor where the gateway has a test mode."""
    if entry.runtime_data.gateway.capabilities.test_mode:
        async_add_entities([AccountTestModeSensor(entry)])


class AccountTestModeSensor(BeneluxSmsEntity, BinarySensorEntity):
    """On while the account's sends go to the gateway's test mode: nothing is sent.

    The option is read at setup; changing it reloads the account.
    """

    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = CONF_TEST_MODE

    def __init__(self, entry: BeneluxSmsConfigEntry) -> None:
        super().__init__(entry, entry.runtime_data.gateway, CONF_TEST_MODE)
        self._attr_is_on = bool(entry.options.get(CONF_TEST_MODE))
