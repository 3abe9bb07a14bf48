"""The bases of every Benelux SMS entity: one device per gateway account."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import CreditsCoordinator
from .gateways.base import Gateway


def account_device(entry: ConfigEntry, gateway: Gateway) -> DeviceInfo:
    """Return the device that stands for the gateway account."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer=gateway.name,
        model=gateway.name,
        entry_type=DeviceEntryType.SERVICE,
    )


class BeneluxSmsEntity(Entity):
    """An entity of a gateway account that is told of its changes (sends, reports)."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: ConfigEntry, gateway: Gateway, key: str) -> None:
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = account_device(entry, gateway)


class BeneluxSmsCreditsEntity(CoordinatorEntity[CreditsCoordinator]):
    """An entity that shows what the credits coordinator fetched."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: CreditsCoordinator, key: str) -> None:
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = account_device(entry, coordinator.gateway)
