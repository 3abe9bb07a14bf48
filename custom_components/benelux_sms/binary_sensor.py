"""Whether the account's heartbeat waits at the gateway (1601SMS)."""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import BeneluxSmsEntity
from .heartbeat import Heartbeat
from .runtime import BeneluxSmsConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BeneluxSmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the heartbeat sensor where the gateway can hold a heartbeat."""
    if (heartbeat := entry.runtime_data.heartbeat) is not None:
        async_add_entities([HeartbeatSensor(entry, heartbeat)])


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
