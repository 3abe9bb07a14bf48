"""An account's own rules for what it sends: a daily segment limit and duplicate suppression.

``SendGuard`` counts what the account sent, as the gateway charges it (segments times
recipients), since local midnight and in total, and remembers for ``duplicate_window`` seconds
which text went to which number. Both are kept in Home Assistant's storage, so a restart
forgets neither. A text is remembered by a hash, never by its words.

Sends through one account run at once, so nothing is held across a gateway request: a send
*reserves* its segments and marks its (number, text) fingerprints in one step, with no await
between the check and the reservation. Two sends at once can therefore neither both pass the
limit nor both send one text to one number. What certainly did not go out is given back; what
may have gone out stays counted and remembered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import CONF_DAILY_SEGMENT_LIMIT, CONF_DUPLICATE_WINDOW, DOMAIN
from .repairs import async_create_account_issue
from .saving import CoalescedWrites
from .status import AccountStatus, Usage

STORAGE_VERSION = 1
SAVE_DELAY = 0.5
"""Seconds after a change (at most): the sends of one moment are written together, and what a
send reserved is on disk within a second, before its gateway answers."""
MAX_DUPLICATE_WINDOW = 24 * 60 * 60


def daily_limit_issue_id(entry_id: str) -> str:
    """Return the id of the repair issue that says the account hit its daily limit."""
    return f"daily_limit_reached_{entry_id}"


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")


async def async_remove_guard_data(hass: HomeAssistant, entry_id: str) -> None:
    """Forget the counts of an account that was removed (its repair issues go with it too)."""
    await _store(hass, entry_id).async_remove()


@dataclass(slots=True)
class Reservation:
    """What one send holds of the account's daily limit and duplicate window while it runs."""

    recipients: tuple[str, ...]
    """The recipients to send to: those asked for, less the suppressed ones."""
    suppressed: tuple[str, ...]
    text: str
    segments: int
    """Segments per recipient."""
    day: date
    """The day the segments were reserved on: a send across midnight gives back nothing."""
    marked: dict[str, float | None] = field(default_factory=dict)
    """Fingerprint marked in the duplicate window → what it held before (None: nothing)."""


class SendGuard:
    """The daily limit, the duplicate window and the usage count of one account."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, status: AccountStatus) -> None:
        self._hass = hass
        self._entry_id = entry.entry_id
        self._title = entry.title
        self._status = status
        self._store = _store(hass, entry.entry_id)
        self._writes = CoalescedWrites(self._store, self._data_to_save, SAVE_DELAY)
        self._limit = int(entry.options.get(CONF_DAILY_SEGMENT_LIMIT, 0))
        self._window = int(entry.options.get(CONF_DUPLICATE_WINDOW, 0))
        self._day = _today()
        self._day_segments = 0
        self._usage = Usage()
        self._recent: dict[str, float] = {}
        """Fingerprint of (number, text) → when it was last sent (UTC timestamp)."""

    async def async_load(self) -> None:
        """Take the counts and recent sends stored before the restart."""
        stored = await self._store.async_load() or {}
        self._usage = Usage(_count(stored, "messages_sent"), _count(stored, "segments_sent"))
        if _stored_day(stored) == self._day:
            self._day_segments = _count(stored, "day_segments")
        else:
            ir.async_delete_issue(self._hass, DOMAIN, daily_limit_issue_id(self._entry_id))
        recent = stored.get("recent")
        if isinstance(recent, Mapping):
            self._recent = {
                str(key): float(sent)
                for key, sent in recent.items()
                if isinstance(sent, int | float) and not isinstance(sent, bool)
            }
        self._publish()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Start a new day at each local midnight; return what stops that."""
        return async_track_time_change(self._hass, self._async_midnight, hour=0, minute=0, second=0)

    @callback
    def _async_midnight(self, _now: datetime) -> None:
        self._roll_day()

    @callback
    def async_reserve(
        self,
        recipients: tuple[str, ...],
        text: str,
        segments: int,
        *,
        check_limit: bool = True,
        check_duplicates: bool = True,
    ) -> Reservation:
        """Hold the daily limit and the duplicate window for a send of ``text``.

        Recipients that had the text within the window (or have it on its way now) are
        suppressed; a send that would pass the limit raises HomeAssistantError and holds
        nothing. Synchronous on purpose: no other send can run between check and reservation.
        """
        self._roll_day()
        suppressed = self._suppressed(recipients, text) if check_duplicates else ()
        unsent = tuple(number for number in recipients if number not in suppressed)
        reservation = Reservation(unsent, suppressed, text, segments, self._day)
        if not unsent:
            return reservation
        if check_limit:
            self._check_limit(segments * len(unsent))
        self._day_segments += segments * len(unsent)
        if self._window:
            now = dt_util.utcnow().timestamp()
            for number in unsent:
                key = _fingerprint(number, text)
                reservation.marked[key] = self._recent.get(key)
                self._recent[key] = now
        self._save()
        self._publish()
        return reservation

    @callback
    def async_record_accepted(self, accepted: tuple[str, ...], segments: int) -> None:
        """Count a text of ``segments`` the gateway accepted for ``accepted``.

        Today's count already holds them: their send reserved them.
        """
        charged = segments * len(accepted)
        self._usage = Usage(self._usage.messages + len(accepted), self._usage.segments + charged)
        self._save()
        self._publish()

    @callback
    def async_release(
        self, reservation: Reservation, recipients: Iterable[str] | None = None
    ) -> None:
        """Give back the share of ``recipients`` (default: all) that certainly got nothing.

        Their segments return to today's limit and their fingerprints leave the duplicate
        window, so a retry or the fallback is not suppressed.
        """
        numbers = reservation.recipients if recipients is None else tuple(recipients)
        if not numbers:
            return
        self._roll_day()
        if reservation.day == self._day:
            self._day_segments = max(0, self._day_segments - reservation.segments * len(numbers))
        for number in numbers:
            key = _fingerprint(number, reservation.text)
            if key not in reservation.marked:
                continue
            if (before := reservation.marked.pop(key)) is None:
                self._recent.pop(key, None)
            else:
                self._recent[key] = before
        self._save()
        self._publish()

    @property
    def limit(self) -> int:
        """The daily segment limit; 0: none."""
        return self._limit

    def _suppressed(self, recipients: Iterable[str], text: str) -> tuple[str, ...]:
        """Return the recipients that got this text within the duplicate window."""
        if not self._window:
            return ()
        now = dt_util.utcnow().timestamp()
        return tuple(
            number
            for number in recipients
            if now - self._recent.get(_fingerprint(number, text), float("-inf")) < self._window
        )

    def _check_limit(self, segments: int) -> None:
        """Refuse a send of ``segments`` that would pass the daily limit (reaching it is fine)."""
        if not self._limit or self._day_segments + segments <= self._limit:
            return
        placeholders = {"account": self._title, "limit": str(self._limit)}
        async_create_account_issue(
            self._hass, daily_limit_issue_id(self._entry_id), "daily_limit_reached", placeholders
        )
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="daily_limit_reached",
            translation_placeholders={
                **placeholders,
                "used": str(self._day_segments),
                "needed": str(segments),
            },
        )

    @callback
    def async_remember(self, recipients: Iterable[str], text: str) -> None:
        """Remember that ``text`` went to ``recipients`` now (through this account or its
        fallback), for the duplicate window; without a window there is nothing to remember.
        """
        if self._window:
            now = dt_util.utcnow().timestamp()
            for number in recipients:
                self._recent[_fingerprint(number, text)] = now
        self._save()

    def _roll_day(self) -> None:
        if (today := _today()) == self._day:
            return
        self._day = today
        self._day_segments = 0
        ir.async_delete_issue(self._hass, DOMAIN, daily_limit_issue_id(self._entry_id))
        self._save()
        self._publish()

    def _publish(self) -> None:
        self._status.async_set_usage(
            Usage(self._usage.messages, self._usage.segments, self._day_segments)
        )

    async def async_flush(self) -> None:
        """Write what is waiting to be written, before the account unloads."""
        await self._writes.async_write_now()

    def _save(self) -> None:
        self._writes.schedule()

    def _data_to_save(self) -> dict[str, Any]:
        oldest = dt_util.utcnow().timestamp() - self._window
        self._recent = {key: sent for key, sent in self._recent.items() if sent > oldest}
        return {
            "day": self._day.isoformat(),
            "day_segments": self._day_segments,
            "messages_sent": self._usage.messages,
            "segments_sent": self._usage.segments,
            "recent": self._recent,
        }


def _today() -> date:
    return dt_util.now().date()


def _fingerprint(number: str, text: str) -> str:
    return hashlib.sha256(f"{number}\n{text}".encode()).hexdigest()


def _count(stored: Mapping[str, Any], key: str) -> int:
    value = stored.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return 0


def _stored_day(stored: Mapping[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(stored.get("day")))
    except ValueError:
        return None
