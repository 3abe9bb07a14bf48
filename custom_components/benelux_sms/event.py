"""Event entities: delivery reports and, where the gateway forwards them, incoming SMS."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import BeneluxSmsEntity
from .gateways.base import DeliveryStatus
from .reports import EVENT_TYPE_RECEIVED, EventListener, ReportHub
from .runtime import BeneluxSmsConfigEntry
from .webhook import uses_webhook

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class BeneluxSmsEventDescription(EventEntityDescription):
    """Which of the report hub's announcements an entity shows."""

    subscribe_fn: Callable[[ReportHub, EventListener], CALLBACK_TYPE]


DELIVERY_REPORT = BeneluxSmsEventDescription(
    key="delivery_report",
    translation_key="delivery_report",
    event_types=[status.value for status in DeliveryStatus],
    subscribe_fn=ReportHub.async_add_report_listener,
)
INCOMING_SMS = BeneluxSmsEventDescription(
    key="incoming_sms",
    translation_key="incoming_sms",
    event_types=[EVENT_TYPE_RECEIVED],
    subscribe_fn=ReportHub.async_add_inbound_listener,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BeneluxSmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entities of the webhooks the gateway calls."""
    data = entry.runtime_data
    capabilities = data.gateway.capabilities
    descriptions = []
    if uses_webhook(data.gateway) or capabilities.report_polling:
        descriptions.append(DELIVERY_REPORT)
    if capabilities.inbound:
        descriptions.append(INCOMING_SMS)
    async_add_entities(
        BeneluxSmsEventEntity(entry, data.reports, description) for description in descriptions
    )


class BeneluxSmsEventEntity(BeneluxSmsEntity, EventEntity):
    """Shows the account's delivery reports or incoming texts as they arrive."""

    entity_description: BeneluxSmsEventDescription

    def __init__(
        self,
        entry: BeneluxSmsConfigEntry,
        reports: ReportHub,
        description: BeneluxSmsEventDescription,
    ) -> None:
        super().__init__(entry, entry.runtime_data.gateway, description.key)
        self.entity_description = description
        self._reports = reports

    async def async_added_to_hass(self) -> None:
        """Be told of this account's reports or texts."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.entity_description.subscribe_fn(self._reports, self._async_handle_event)
        )

    @callback
    def _async_handle_event(self, event_type: str, data: Mapping[str, Any]) -> None:
        self._trigger_event(event_type, dict(data))
        self.async_write_ha_state()
