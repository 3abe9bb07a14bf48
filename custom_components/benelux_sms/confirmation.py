"""Confirmed delivery: the recipients of one account that wait for a ``delivered`` report.

A send with ``confirm_within`` leaves one ``PendingConfirmation`` per recipient with the
account that sent it. A ``delivered`` report in time ends it; a final failure report, or the
deadline, hands it to the escalation (``escalation.py``: the event and the fallback's
re-send). Pending confirmations are written within a second of the send and kept over
restarts and reloads; a deadline that passed while Home Assistant was down escalates as soon
as it has started. Escalation is at most once: a confirmation leaves the store as its
escalation begins.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .gateways.base import FINAL_STATUSES, Capabilities, DeliveryStatus
from .reports import ReportHub
from .saving import CoalescedWrites
from .sms import EncodingChoice

STORAGE_VERSION = 1
SAVE_DELAY = 0.5
"""Seconds from the first unwritten change to its write, however many follow: a hard stop a
second after an alarm must not forget that it waits for a report."""
MIN_CONFIRM_WITHIN = 30
MAX_CONFIRM_WITHIN = 24 * 60 * 60
"""A day: the report hub stops waiting for a message's reports after that."""


@dataclass(slots=True)
class PendingConfirmation:
    """One recipient of a sent message, waiting for its ``delivered`` report."""

    recipient: str
    message_id: str | None
    """None where the send's outcome was unknown: no report can come, the deadline decides."""
    status: DeliveryStatus
    """The last known status, told in the event."""
    deadline: datetime
    text: str
    """The text as the automation gave it: the fallback sends it again."""
    sender: str | None
    encoding: EncodingChoice
    fall_back: bool
    """Whether the account's fallback re-sends it: not where the send already went through a
    fallback (it is not followed further)."""

    def as_data(self) -> dict[str, Any]:
        """Return it as JSON-ready data."""
        return {**asdict(self), "deadline": self.deadline.isoformat()}


type Escalate = Callable[[PendingConfirmation], Coroutine[Any, Any, None]]


def confirmation_store(hass: HomeAssistant, entry_id: str) -> Store[list[dict[str, Any]]]:
    """Return the store that keeps an account's pending confirmations over restarts."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.confirmations")


def reports_can_come(capabilities: Capabilities, report_url: str | None) -> bool:
    """Return whether the account hears what became of a message: the gateway reports, and
    where it reports only to a URL a send names, there is one.
    """
    if capabilities.report_portal or capabilities.report_polling:
        return True
    return capabilities.report_callback and report_url is not None


class Confirmations:
    """The pending confirmations of one account, their deadlines, and the reports that end
    them.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        reports: ReportHub,
        escalate: Escalate,
        can_confirm: Callable[[], bool],
    ) -> None:
        self._hass = hass
        self.can_confirm = can_confirm
        """Whether a report can come for what the account sends now (``reports_can_come``)."""
        self._reports = reports
        self._escalate = escalate
        self._store = confirmation_store(hass, entry_id)
        self._writes = CoalescedWrites(self._store, self._as_data, SAVE_DELAY)
        self._pending: dict[int, PendingConfirmation] = {}
        self._by_report: dict[tuple[str, str], int] = {}
        """(message id, recipient) → the key in ``_pending``."""
        self._timers: dict[int, CALLBACK_TYPE] = {}
        self._next_key = 0
        self._started = False
        self._unsubscribe: list[CALLBACK_TYPE] = []

    async def async_load(self) -> None:
        """Wait again for what was pending when the account unloaded or Home Assistant
        stopped; deadlines are kept from when Home Assistant has started (a fallback
        account may not be set up before).
        """
        for item in _pending_from(await self._store.async_load()):
            self._add(item)
        self._unsubscribe.append(self._reports.async_add_report_listener(self._on_report))
        self._unsubscribe.append(async_at_started(self._hass, self._async_started))

    @callback
    def _async_started(self, _hass: HomeAssistant) -> None:
        self._started = True
        now = dt_util.utcnow()
        for key, item in list(self._pending.items()):
            if item.deadline <= now:
                self._async_begin_escalation(key)
            else:
                self._start_timer(key, item)

    @callback
    def async_expect(self, items: Iterable[PendingConfirmation]) -> None:
        """Wait for the ``delivered`` report of each of these recipients."""
        for item in items:
            self._add(item)
        self._save()

    def _add(self, item: PendingConfirmation) -> None:
        key = self._next_key
        self._next_key += 1
        self._pending[key] = item
        if item.message_id is not None:
            self._by_report[(item.message_id, item.recipient)] = key
        if self._started:
            self._start_timer(key, item)

    def _start_timer(self, key: int, item: PendingConfirmation) -> None:
        @callback
        def due(_now: datetime) -> None:
            self._timers.pop(key, None)
            self._async_begin_escalation(key)

        self._timers[key] = async_track_point_in_utc_time(self._hass, due, item.deadline)

    @callback
    def _on_report(self, _event_type: str, data: Mapping[str, Any]) -> None:
        """A status change: delivered ends the wait, a final failure escalates at once."""
        key = self._by_report.get((str(data.get("message_id")), str(data.get("recipient"))))
        if key is None:
            return
        status = DeliveryStatus(data["status"])
        if status is DeliveryStatus.DELIVERED:
            self._remove(key)
        elif status in FINAL_STATUSES:
            self._pending[key].status = status
            self._async_begin_escalation(key)
            return
        else:
            self._pending[key].status = status
        self._save()

    @callback
    def _async_begin_escalation(self, key: int) -> None:
        if (item := self._remove(key)) is None:
            return
        self._save()
        self._hass.async_create_task(self._escalate(item), "benelux_sms escalation")

    def _remove(self, key: int) -> PendingConfirmation | None:
        if (item := self._pending.pop(key, None)) is None:
            return None
        if item.message_id is not None:
            self._by_report.pop((item.message_id, item.recipient), None)
        if (cancel := self._timers.pop(key, None)) is not None:
            cancel()
        return item

    def _save(self) -> None:
        self._writes.schedule()

    def _as_data(self) -> list[dict[str, Any]]:
        return [item.as_data() for item in self._pending.values()]

    async def async_shutdown(self) -> None:
        """Stop the deadlines when the account unloads; keep what is pending."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()
        await self._writes.async_write_now()


def _pending_from(data: object) -> list[PendingConfirmation]:
    """Return the kept confirmations; skip whatever does not read as ``as_data`` wrote it."""
    if not isinstance(data, list):
        return []
    return [item for raw in data if (item := _item_from(raw)) is not None]


def _item_from(raw: object) -> PendingConfirmation | None:
    if not isinstance(raw, Mapping):
        return None
    try:
        deadline = datetime.fromisoformat(raw["deadline"])
        message_id = raw["message_id"]
        sender = raw["sender"]
        item = PendingConfirmation(
            recipient=_text(raw["recipient"]),
            message_id=None if message_id is None else _text(message_id),
            status=DeliveryStatus(raw["status"]),
            deadline=deadline,
            text=_text(raw["text"]),
            sender=None if sender is None else _text(sender),
            encoding=EncodingChoice(raw["encoding"]),
            fall_back=bool(raw["fall_back"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    return item if deadline.tzinfo is not None else None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value
