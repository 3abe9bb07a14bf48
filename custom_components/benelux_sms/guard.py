"""An account's own rules for what it sends: a daily segment limit and duplicate suppression.

``SendGuard`` counts what the account sent, as the gateway charges it (segments times
recipients), since local midnight and in total, and remembers for ``duplicate_window`` seconds
which text went to which number. Both are kept in Home Assistant's storage, so a restart
forgets neither. A text is remembered by a hash, never by its words.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable, Mapping
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
from .status import AccountStatus, Usage

STORAGE_VERSION = 1
SAVE_DELAY = 1
"""Seconds: the sends of one automation run are written together."""
MAX_DUPLICATE_WINDOW = 24 * 60 * 60


def daily_limit_issue_id(entry_id: str) -> str:
    """Return the id of the repair issue that says the account hit its daily limit."""
    return f"daily_limit_reached_{entry_id}"


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")


async def async_remove_guard_data(hass: HomeAssistant, entry_id: str) -> None:
    """Forget the counts of an account that was removed (its repair issues go with it too)."""
    await _store(hass, entry_id).async_remove()


class SendGuard:
    """The daily limit, the duplicate window and the usage count of one account.

    Hold ``lock`` from the check to the record, so two sends cannot both pass one limit.
    """

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, status: AccountStatus) -> None:
        self._hass = hass
        self._entry_id = entry.entry_id
        self._title = entry.title
        self._status = status
        self._store = _store(hass, entry.entry_id)
        self._limit = int(entry.options.get(CONF_DAILY_SEGMENT_LIMIT, 0))
        self._window = int(entry.options.get(CONF_DUPLICATE_WINDOW, 0))
        self.lock = asyncio.Lock()
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
        self._status.async_set_usage(self._usage)

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Start a new day at each local midnight; return what stops that."""
        return async_track_time_change(self._hass, self._async_midnight, hour=0, minute=0, second=0)

    @callback
    def _async_midnight(self, _now: datetime) -> None:
        self._roll_day()

    def suppressed(self, recipients: Iterable[str], text: str) -> tuple[str, ...]:
        """Return the recipients that got this text within the duplicate window."""
        if not self._window:
            return ()
        now = dt_util.utcnow().timestamp()
        return tuple(
            number
            for number in recipients
            if now - self._recent.get(_fingerprint(number, text), float("-inf")) < self._window
        )

    def check_limit(self, segments: int) -> None:
        """Refuse a send of ``segments`` that would pass the daily limit (reaching it is fine)."""
        self._roll_day()
        if not self._limit or self._day_segments + segments <= self._limit:
            return
        placeholders = {"account": self._title, "limit": str(self._limit)}
        async_create_account_issue(
            self._hass, daily_limit_issue_id(self._entry_id), "daily_limit_reached", placeholders
        )
        # Past the limit already (it was lowered below today's use): "3 of its 2" would misread.
        passed = self._day_segments > self._limit
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="daily_limit_passed" if passed else "daily_limit_reached",
            translation_placeholders={
                **placeholders,
                "used": str(self._day_segments),
                "needed": str(segments),
            },
        )

    @callback
    def async_record_sent(self, recipients: tuple[str, ...], text: str, segments: int) -> None:
        """Count a text of ``segments`` the gateway accepted for ``recipients``."""
        self._roll_day()
        charged = segments * len(recipients)
        self._day_segments += charged
        self._usage = Usage(self._usage.messages + len(recipients), self._usage.segments + charged)
        self.async_remember(recipients, text)
        self._status.async_set_usage(self._usage)

    @callback
    def async_record_uncertain(self, segments: int) -> None:
        """Count, for the daily limit only, segments that may have been sent and charged."""
        self._roll_day()
        self._day_segments += segments
        self._save()

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

    async def async_flush(self) -> None:
        """Write what is waiting to be written, before the account unloads."""
        await self._store.async_save(self._data_to_save())

    def _save(self) -> None:
        self._store.async_delay_save(self._data_to_save, SAVE_DELAY)

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
