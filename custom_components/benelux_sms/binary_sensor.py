"""Binary sensors: whether the account sends in test mode (diagnostic), and whether its
heartbeat waits at the gateway (1601SMS).
"""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_TEST_MODE
from .entity import BeneluxSmsEntity
from .heartbeat import Heartbeat
from .runtime import BeneluxSmsConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BeneluxSmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the test mode sensor where the gateway has a test mode, and the heartbeat sensor
    where the gateway can hold a heartbeat.
    """
    sensors: list[BinarySensorEntity] = []
    if entry.runtime_data.gateway.capabilities.test_mode:
        sensors.append(AccountTestModeSensor(entry))
    if (heartbeat := entry.runtime_data.heartbeat) is not None:
        sensors.append(HeartbeatSensor(entry, heartbeat))
    async_add_entities(sensors)


class AccountTestModeSensor(BeneluxSmsEntity, BinarySensorEntity):
    """On while the account's sends go to the gateway's test mode: nothing is sent.

    The option is read at setup; changing it reloads the account.
    """

    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = CONF_TEST_MODE

    def __init__(self, entry: BeneluxSmsConfigEntry) -> None:
        super().__init__(entry, entry.runtime_data.gateway, CONF_TEST_MODE)
        self._attr_is_on = bool(entry.options.get(CONF_TEST_MODE))


class HeartbeatSensor(BeneluxSmsEntity, BinarySensorEntity):
    """On while a heartbeat message waits at the gateway, to go out should Home Assistant
    stop moving it on.
    """

    _attr_translation_key = "heartbeat"

    def __init__(self, entry: BeneluxSmsConfigEntry, heartbeat: Heartbeat) -> None:
        super().__init__(entry, entry.runtime_data.gateway, "heartbeat")
        self._heartbeat = heartbeat

    async def async_added_to_hass(self) -> None:
        """Follow the heartbeat's moves."""
        await super().async_added_to_hass()
        self.async_on_remove(self._heartbeat.async_add_listener(self.async_write_ha_state))

    @property
    def is_on(self) -> bool:
        """Return whether a heartbeat waits at the gateway."""
        return self._heartbeat.waiting_until is not None

    @property
    def extra_state_attributes(self) -> dict[str, datetime | None]:
        """Return when the waiting heartbeat would go out."""
        return {"goes_out_at": self._heartbeat.waiting_until}
