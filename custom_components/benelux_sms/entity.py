"""The base of every Benelux SMS entity: one device per gateway account."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import BeneluxSmsCoordinator


class BeneluxSmsEntity(CoordinatorEntity[BeneluxSmsCoordinator]):
    """An entity of a gateway account."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: BeneluxSmsCoordinator, key: str) -> None:
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer=coordinator.gateway.name,
            entry_type=DeviceEntryType.SERVICE,
        )
