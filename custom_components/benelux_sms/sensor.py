"""Sensors: the credits left and the status of the last message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .coordinator import AccountState, BeneluxSmsConfigEntry, BeneluxSmsCoordinator
from .entity import BeneluxSmsEntity
from .gateways.base import DeliveryStatus, Gateway

PARALLEL_UPDATES = 0

ATTR_MESSAGE_ID = "message_id"
ATTR_RECIPIENT = "recipient"
ATTR_TIME = "time"
ATTR_GATEWAY_CODE = "gateway_code"
_DELIVERY_ATTRIBUTES = (ATTR_MESSAGE_ID, ATTR_RECIPIENT, ATTR_TIME, ATTR_GATEWAY_CODE)


@dataclass(frozen=True, kw_only=True)
class BeneluxSmsSensorDescription(SensorEntityDescription):
    """How a sensor reads the account state."""

    value_fn: Callable[[AccountState], StateType]
    attributes_fn: Callable[[AccountState], Mapping[str, Any] | None] = lambda _: None
    exists_fn: Callable[[Gateway], bool] = lambda _: True
    needs_polling: bool = True
    """Unavailable while credits cannot be fetched; the last send's status stays known."""


def _credits(state: AccountState) -> StateType:
    if state.credits is None:
        return None
    remaining = state.credits.remaining
    # Whole credits read as "100", not "100.0".
    return int(remaining) if remaining.is_integer() else remaining


def _delivery_status(state: AccountState) -> StateType:
    return state.last_delivery.status if state.last_delivery else None


def _delivery_attributes(state: AccountState) -> Mapping[str, Any] | None:
    delivery = state.last_delivery
    if delivery is None:
        return None
    return {
        ATTR_MESSAGE_ID: delivery.message_id,
        ATTR_RECIPIENT: delivery.recipient,
        ATTR_TIME: delivery.changed.isoformat(),
        ATTR_GATEWAY_CODE: delivery.gateway_code,
    }


SENSORS: tuple[BeneluxSmsSensorDescription, ...] = (
    BeneluxSmsSensorDescription(
        key="credits",
        translation_key="credits",
        value_fn=_credits,
        exists_fn=lambda gateway: (
            gateway.capabilities.credits or gateway.capabilities.credits_in_receipt
        ),
    ),
    BeneluxSmsSensorDescription(
        key="last_delivery_status",
        translation_key="last_delivery_status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in DeliveryStatus],
        value_fn=_delivery_status,
        attributes_fn=_delivery_attributes,
        needs_polling=False,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BeneluxSmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors the gateway can feed."""
    coordinator = entry.runtime_data
    async_add_entities(
        BeneluxSmsSensor(coordinator, description)
        for description in SENSORS
        if description.exists_fn(coordinator.gateway)
    )


class BeneluxSmsSensor(BeneluxSmsEntity, RestoreSensor):
    """A sensor of the account, showing its last known value after a restart."""

    entity_description: BeneluxSmsSensorDescription

    def __init__(
        self, coordinator: BeneluxSmsCoordinator, description: BeneluxSmsSensorDescription
    ) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description
        if description.key == "credits":
            self._set_credits_unit(coordinator.gateway.capabilities.credits_unit)
        self._restored_value: StateType | date | datetime | Decimal = None
        self._restored_attributes: dict[str, Any] | None = None

    async def async_added_to_hass(self) -> None:
        """Take the last known value until the gateway tells a new one."""
        await super().async_added_to_hass()
        if (last_data := await self.async_get_last_sensor_data()) is not None:
            self._restored_value = last_data.native_value
        if (last_state := await self.async_get_last_state()) is not None:
            self._restored_attributes = {
                key: last_state.attributes[key]
                for key in _DELIVERY_ATTRIBUTES
                if key in last_state.attributes
            } or None

    def _set_credits_unit(self, unit: str) -> None:
        self._attr_native_unit_of_measurement = unit
        if unit == "credits":
            self._attr_state_class = SensorStateClass.MEASUREMENT
        else:
            # A balance in money; Home Assistant allows no measurement state class on it.
            self._attr_device_class = SensorDeviceClass.MONETARY
            self._attr_state_class = SensorStateClass.TOTAL

    @property
    def available(self) -> bool:
        """Return whether the value can be trusted."""
        return super().available or not self.entity_description.needs_polling

    @property
    def native_value(self) -> StateType | date | datetime | Decimal:
        """Return the current value, or the restored one."""
        value = self.entity_description.value_fn(self.coordinator.data)
        return self._restored_value if value is None else value

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return details of the last message, where the sensor has them."""
        attributes = self.entity_description.attributes_fn(self.coordinator.data)
        return self._restored_attributes if attributes is None else attributes
