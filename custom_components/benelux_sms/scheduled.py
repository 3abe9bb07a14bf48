"""An account's scheduled messages: kept over restarts, and handed over when they fall due.

A message the integration holds is handed to ``on_due`` at its time; one the gateway holds
(1601SMS: ``gateway_id`` is its outbox id) is only listed until then, as the gateway sends it.

A message that fell due while Home Assistant was down goes out at start-up when it is at most
``LATE_LIMIT`` late; later than that it is dropped and told (``on_missed``): a reminder or an
alarm hours late says something that is no longer true. A message whose send was under way
when Home Assistant stopped may have gone out: it is not sent again, and told as well.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER

STORAGE_VERSION = 1
LATE_LIMIT = timedelta(hours=1)
"""How late a message that fell due while Home Assistant was down may still go out."""


@dataclass(frozen=True, slots=True)
class ScheduledSms:
    """One scheduled message, as the automation asked for it (numbers normalised)."""

    schedule_id: str
    send_at: datetime
    """In UTC."""
    recipients: tuple[str, ...]
    """Normalised, for the listing."""
    text: str
    request: Mapping[str, Any]
    """The send as asked (``dispatch.SmsRequest``'s fields), to send it as asked when due."""
    gateway_id: str | None = None
    """The gateway's own id where the gateway holds the message; None where we do."""
    sending: bool = False
    """Its send was under way (kept so a restart does not send it twice)."""

    def as_data(self) -> dict[str, Any]:
        """Return what the store keeps."""
        data = asdict(self)
        data["send_at"] = self.send_at.isoformat()
        data["recipients"] = list(self.recipients)
        data["request"] = dict(self.request)
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ScheduledSms:
        """Return the message the store kept."""
        return cls(
            schedule_id=str(data["schedule_id"]),
            send_at=dt_util.as_utc(datetime.fromisoformat(data["send_at"])),
            recipients=tuple(data["recipients"]),
            text=str(data["text"]),
            request=dict(data.get("request") or {}),
            gateway_id=data.get("gateway_id"),
            sending=bool(data.get("sending", False)),
        )


type DueHandler = Callable[[ScheduledSms], Awaitable[None]]
type MissedHandler = Callable[[list[ScheduledSms], list[ScheduledSms]], None]
"""Called with the messages dropped as too late and those that may have been sent."""


def scheduled_store(hass: HomeAssistant, entry_id: str) -> Store[list[dict[str, Any]]]:
    """Return the store of an account's scheduled messages."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.scheduled")


class ScheduledQueue:
    """The scheduled messages of one account, the soonest first."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._hass = hass
        self._store = scheduled_store(hass, entry_id)
        self._items: dict[str, ScheduledSms] = {}
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._listeners: list[Callable[[], None]] = []
        self._on_due: DueHandler | None = None

    @property
    def items(self) -> list[ScheduledSms]:
        """Return the messages still to go out, the soonest first."""
        return sorted(self._items.values(), key=lambda item: item.send_at)

    def get(self, schedule_id: str) -> ScheduledSms | None:
        """Return the message scheduled with this id, if it is still to go out."""
        return self._items.get(schedule_id)

    async def async_load(self, on_missed: MissedHandler) -> None:
        """Take back what was scheduled before the restart; drop what cannot go out any more."""
        now = dt_util.utcnow()
        too_late: list[ScheduledSms] = []
        interrupted: list[ScheduledSms] = []
        for data in await self._store.async_load() or []:
            item = ScheduledSms.from_data(data)
            if item.sending:
                interrupted.append(item)
            elif item.gateway_id is not None and item.send_at <= now:
                continue  # The gateway sent it while we were away.
            elif item.gateway_id is None and now - item.send_at > LATE_LIMIT:
                too_late.append(item)
            else:
                self._items[item.schedule_id] = item
        if too_late or interrupted:
            for item in too_late:
                LOGGER.warning(
                    "Scheduled SMS %s was due at %s, while Home Assistant was not running; "
                    "over %s late, it is not sent",
                    item.schedule_id,
                    item.send_at.isoformat(),
                    LATE_LIMIT,
                )
            for item in interrupted:
                LOGGER.warning(
                    "Home Assistant stopped while scheduled SMS %s was being sent; it may have "
                    "gone out and is not sent again",
                    item.schedule_id,
                )
            on_missed(too_late, interrupted)
            await self._async_save()

    @callback
    def async_start(self, on_due: DueHandler) -> CALLBACK_TYPE:
        """Hand each message the integration holds to ``on_due`` at its time (at once where it
        is late); return what stops that.
        """
        self._on_due = on_due
        for item in self._items.values():
            self._arm(item)
        return self._async_stop

    async def async_add(self, item: ScheduledSms) -> None:
        """Keep a new scheduled message; it is on disk when this returns."""
        self._items[item.schedule_id] = item
        await self._async_save()
        if self._on_due is not None:
            self._arm(item)
        self._tell_listeners()

    async def async_remove(self, schedule_id: str) -> None:
        """Forget a message (cancelled, or gone out)."""
        if (timer := self._timers.pop(schedule_id, None)) is not None:
            timer()
        if self._items.pop(schedule_id, None) is not None:
            await self._async_save()
            self._tell_listeners()

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` after every change of the list; return what stops that."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _arm(self, item: ScheduledSms) -> None:
        when = max(item.send_at, dt_util.utcnow())

        async def _async_due(_now: datetime) -> None:
            self._timers.pop(item.schedule_id, None)
            await self._async_fall_due(item)

        self._timers[item.schedule_id] = async_track_point_in_utc_time(self._hass, _async_due, when)

    async def _async_fall_due(self, item: ScheduledSms) -> None:
        if item.gateway_id is None and self._on_due is not None:
            # On disk as under way before the request goes out: a restart in between must
            # not send it twice.
            self._items[item.schedule_id] = replace(item, sending=True)
            await self._async_save()
            try:
                await self._on_due(item)
            finally:
                await self.async_remove(item.schedule_id)
        else:
            await self.async_remove(item.schedule_id)

    @callback
    def _async_stop(self) -> None:
        for timer in self._timers.values():
            timer()
        self._timers.clear()
        self._on_due = None

    async def _async_save(self) -> None:
        await self._store.async_save([item.as_data() for item in self._items.values()])

    def _tell_listeners(self) -> None:
        for listener in list(self._listeners):
            listener()
