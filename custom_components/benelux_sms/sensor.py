"""Sensors: the credits left, the status of the last message, and what the account sent."""

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
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .coordinator import CreditsCoordinator
from .entity import BeneluxSmsCreditsEntity, BeneluxSmsEntity
from .gateways.base import Credits, DeliveryStatus
from .runtime import BeneluxSmsConfigEntry, BeneluxSmsData
from .status import AccountStatus, Aspect

PARALLEL_UPDATES = 0

ATTR_MESSAGE_ID = "message_id"
ATTR_RECIPIENT = "recipient"
ATTR_TIME = "time"
ATTR_GATEWAY_CODE = "gateway_code"

STATE_OUTCOME_UNKNOWN = "outcome_unknown"
"""The last message may have been sent: the gateway's answer did not come or was unreadable.

Not ``unknown``: Home Assistant shows that state as its own "Unknown", the same as before any
send, whatever the translation says.
"""
STATE_TEST = "test"
"""The gateway took the last message in test mode: nothing was sent."""
LAST_DELIVERY_STATES = [
    *(status.value for status in DeliveryStatus if status is not DeliveryStatus.UNKNOWN),
    STATE_OUTCOME_UNKNOWN,
    STATE_TEST,
]

type SensorValue = StateType | date | datetime | Decimal


@dataclass(frozen=True, kw_only=True)
class StatusSensorDescription(SensorEntityDescription):
    """How a sensor reads what the account's sends and reports told."""

    aspect: Aspect
    """What of the account's status the sensor shows: it is told of that alone."""
    value_fn: Callable[[AccountStatus], StateType]
    attributes_fn: Callable[[AccountStatus], Mapping[str, Any] | None] = lambda _: None
    restored_fn: Callable[[SensorValue], SensorValue] = lambda value: value
    """The restored value as this version shows it."""


def credits_description(unit: str) -> SensorEntityDescription:
    """Return the credits sensor's description for a balance in ``unit``."""
    if unit == "credits":
        # The unit is the translation's word for credits (entity.sensor.credits).
        return SensorEntityDescription(
            key="credits",
            translation_key="credits",
            state_class=SensorStateClass.MEASUREMENT,
        )
    # A balance in money; Home Assistant allows no measurement state class on it.
    return SensorEntityDescription(
        key="credits",
        translation_key="balance",
        native_unit_of_measurement=unit,
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
    )


def _credits_value(credits: Credits | None) -> StateType:
    if credits is None:
        return None
    # Whole credits read as "100", not "100.0".
    return int(credits.remaining) if credits.remaining.is_integer() else credits.remaining


def _last_delivery_state(status: AccountStatus) -> StateType:
    if (delivery := status.last_delivery) is None:
        return None
    if delivery.test:
        return STATE_TEST
    if delivery.status is DeliveryStatus.UNKNOWN:
        return STATE_OUTCOME_UNKNOWN
    return delivery.status.value


def _restored_last_delivery_state(value: SensorValue) -> SensorValue:
    """Before 'outcome_unknown' had its own state, a send that may have gone out stored
    'unknown' (no send at all stores None).
    """
    return STATE_OUTCOME_UNKNOWN if value == DeliveryStatus.UNKNOWN.value else value


def _delivery_attributes(status: AccountStatus) -> Mapping[str, Any] | None:
    if (delivery := status.last_delivery) is None:
        return None
    return {
        ATTR_MESSAGE_ID: delivery.message_id,
        ATTR_RECIPIENT: delivery.recipient,
        ATTR_TIME: delivery.changed.isoformat(),
        ATTR_GATEWAY_CODE: delivery.gateway_code,
    }


STATUS_SENSORS: tuple[StatusSensorDescription, ...] = (
    StatusSensorDescription(
        key="last_delivery_status",
        translation_key="last_delivery_status",
        device_class=SensorDeviceClass.ENUM,
        options=LAST_DELIVERY_STATES,
        aspect=Aspect.LAST_DELIVERY,
        value_fn=_last_delivery_state,
        attributes_fn=_delivery_attributes,
        restored_fn=_restored_last_delivery_state,
    ),
    StatusSensorDescription(
        key="messages_sent",
        translation_key="messages_sent",
        state_class=SensorStateClass.TOTAL_INCREASING,
        aspect=Aspect.USAGE,
        value_fn=lambda status: status.usage.messages if status.usage else None,
    ),
    StatusSensorDescription(
        key="segments_sent",
        translation_key="segments_sent",
        state_class=SensorStateClass.TOTAL_INCREASING,
        aspect=Aspect.USAGE,
        value_fn=lambda status: status.usage.segments if status.usage else None,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BeneluxSmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors the gateway can feed."""
    data = entry.runtime_data
    capabilities = data.gateway.capabilities
    sensors: list[RestoreSensor] = [
        StatusSensor(entry, data, description) for description in STATUS_SENSORS
    ]
    if capabilities.credits or capabilities.credits_in_receipt:
        sensors.insert(
            0, CreditsSensor(data.credits, credits_description(capabilities.credits_unit))
        )
    async_add_entities(sensors)


class _RestoringSensor(RestoreSensor):
    """Shows the last known value and attributes after a restart until a new one is known."""

    _restored_value: SensorValue = None
    _restored_attributes: dict[str, Any] | None = None

    async def async_added_to_hass(self) -> None:
        """Take the last known value until the gateway tells a new one."""
        await super().async_added_to_hass()
        if (last_data := await self.async_get_last_sensor_data()) is not None:
            self._restored_value = last_data.native_value
        if (last_state := await self.async_get_last_state()) is not None:
            self._restored_attributes = {
                key: last_state.attributes[key]
                for key in (ATTR_MESSAGE_ID, ATTR_RECIPIENT, ATTR_TIME, ATTR_GATEWAY_CODE)
                if key in last_state.attributes
            } or None

    def _current_value(self) -> StateType:
        raise NotImplementedError

    def _current_attributes(self) -> Mapping[str, Any] | None:
        return None

    @property
    def native_value(self) -> SensorValue:
        """Return the current value, or the restored one."""
        value = self._current_value()
        return self._restored_value if value is None else value

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return details of the last message, where the sensor has them."""
        attributes = self._current_attributes()
        return self._restored_attributes if attributes is None else attributes


class CreditsSensor(BeneluxSmsCreditsEntity, _RestoringSensor):
    """The credits left; unavailable while they cannot be fetched."""

    def __init__(
        self, coordinator: CreditsCoordinator, description: SensorEntityDescription
    ) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    def _current_value(self) -> StateType:
        return _credits_value(self.coordinator.data)


class StatusSensor(BeneluxSmsEntity, _RestoringSensor):
    """What the account's sends and delivery reports told: known whatever the credits poll."""

    entity_description: StatusSensorDescription

    def __init__(
        self,
        entry: BeneluxSmsConfigEntry,
        data: BeneluxSmsData,
        description: StatusSensorDescription,
    ) -> None:
        super().__init__(entry, data.gateway, description.key)
        self.entity_description = description
        self._status = data.status
        self._shown: tuple[StateType, Mapping[str, Any] | None] = (None, None)

    async def async_added_to_hass(self) -> None:
        """Follow the account's status."""
        await super().async_added_to_hass()
        self._restored_value = self.entity_description.restored_fn(self._restored_value)
        self._shown = self._now_shown()
        self.async_on_remove(
            self._status.async_add_listener(
                self._async_status_changed, self.entity_description.aspect
            )
        )

    @callback
    def _async_status_changed(self) -> None:
        """Write the state when what this sensor shows changed: once per send, not per part."""
        shown = self._now_shown()
        if shown != self._shown:
            self._shown = shown
            self.async_write_ha_state()

    def _now_shown(self) -> tuple[StateType, Mapping[str, Any] | None]:
        description = self.entity_description
        return description.value_fn(self._status), description.attributes_fn(self._status)

    def _current_value(self) -> StateType:
        return self._shown[0]

    def _current_attributes(self) -> Mapping[str, Any] | None:
        return self._shown[1]
