"""The bases of every Benelux SMS entity, on the account's device (devices.py)."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import CreditsCoordinator
from .devices import account_device
from .gateways.base import Gateway


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
