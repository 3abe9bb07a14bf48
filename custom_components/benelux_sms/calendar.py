"""The account's scheduled messages, as a calendar a dashboard can show.

One event per scheduled message, of one minute from its send time; deleting an event cancels
the message as ``benelux_sms.cancel_scheduled`` does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.components.calendar.const import CalendarEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import BeneluxSmsEntity
from .runtime import BeneluxSmsConfigEntry
from .scheduled import ScheduledQueue, ScheduledSms
from .scheduling import async_cancel

EVENT_LENGTH = timedelta(minutes=1)

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BeneluxSmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's calendar of scheduled messages."""
    async_add_entities([ScheduledCalendar(entry)])


class ScheduledCalendar(BeneluxSmsEntity, CalendarEntity):
    """What the account will send, and when."""

    _attr_translation_key = "scheduled"
    _attr_supported_features = CalendarEntityFeature.DELETE_EVENT

    def __init__(self, entry: BeneluxSmsConfigEntry) -> None:
        super().__init__(entry, entry.runtime_data.gateway, "scheduled")
        self._entry = entry
        self._queue: ScheduledQueue = entry.runtime_data.scheduled

    async def async_added_to_hass(self) -> None:
        """Follow the account's list of scheduled messages."""
        await super().async_added_to_hass()
        self.async_on_remove(self._queue.async_add_listener(self.async_write_ha_state))

    @property
    def event(self) -> CalendarEvent | None:
        """Return the next message to go out."""
        items = self._queue.items
        return _event(items[0]) if items else None

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Return the messages scheduled within the range."""
        return [
            _event(item)
            for item in self._queue.items
            if item.send_at < end_date and item.send_at + EVENT_LENGTH > start_date
        ]

    async def async_delete_event(
        self,
        uid: str,
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Cancel the scheduled message."""
        await async_cancel(self._entry, uid)


def _event(item: ScheduledSms) -> CalendarEvent:
    return CalendarEvent(
        start=item.send_at,
        end=item.send_at + EVENT_LENGTH,
        summary=item.text,
        description=", ".join(item.recipients),
        uid=item.schedule_id,
    )
