"""Event entities: delivery reports and, where the gateway forwards them, incoming SMS."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EVENT_DELIVERY_REPORT, EVENT_RECEIVED
from .coordinator import BeneluxSmsConfigEntry, BeneluxSmsCoordinator
from .entity import BeneluxSmsEntity
from .gateways.base import DeliveryStatus
from .webhook import uses_webhook

PARALLEL_UPDATES = 0
EVENT_TYPE_RECEIVED = "received"


@dataclass(frozen=True, kw_only=True)
class BeneluxSmsEventDescription(EventEntityDescription):
    """Which bus event an entity shows, and which of its fields are the event type."""

    bus_event: str
    type_field: str | None
    """The field that names the event type; None where there is one type."""


DELIVERY_REPORT = BeneluxSmsEventDescription(
    key="delivery_report",
    translation_key="delivery_report",
    event_types=[status.value for status in DeliveryStatus],
    bus_event=EVENT_DELIVERY_REPORT,
    type_field="status",
)
INCOMING_SMS = BeneluxSmsEventDescription(
    key="incoming_sms",
    translation_key="incoming_sms",
    event_types=[EVENT_TYPE_RECEIVED],
    bus_event=EVENT_RECEIVED,
    type_field=None,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BeneluxSmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entities of the webhooks the gateway calls."""
    coordinator = entry.runtime_data
    capabilities = coordinator.gateway.capabilities
    descriptions = []
    if uses_webhook(coordinator.gateway) or capabilities.report_polling:
        descriptions.append(DELIVERY_REPORT)
    if capabilities.inbound:
        descriptions.append(INCOMING_SMS)
    async_add_entities(
        BeneluxSmsEventEntity(coordinator, description) for description in descriptions
    )


class BeneluxSmsEventEntity(BeneluxSmsEntity, EventEntity):
    """Shows the account's delivery reports or incoming texts as they arrive."""

    entity_description: BeneluxSmsEventDescription

    def __init__(
        self, coordinator: BeneluxSmsCoordinator, description: BeneluxSmsEventDescription
    ) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def available(self) -> bool:
        """Reports arrive whatever the last credits poll said."""
        return True

    async def async_added_to_hass(self) -> None:
        """Listen for this account's events on the bus."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.hass.bus.async_listen(
                self.entity_description.bus_event,
                self._async_handle_event,
                event_filter=self._is_this_account,
            )
        )

    @callback
    def _is_this_account(self, event_data: Mapping[str, Any]) -> bool:
        return bool(event_data.get("config_entry_id") == self.coordinator.config_entry.entry_id)

    @callback
    def _async_handle_event(self, event: Event) -> None:
        field = self.entity_description.type_field
        event_type = event.data[field] if field else EVENT_TYPE_RECEIVED
        attributes = {key: value for key, value in event.data.items() if key != "config_entry_id"}
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Credits polls change nothing here."""
