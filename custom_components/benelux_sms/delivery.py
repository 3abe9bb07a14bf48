"""What became of each message: pending messages, their parts' reports, joined inbound texts.

Pure bookkeeping, no Home Assistant: the report hub feeds it receipts and reports and acts on
what it answers. Everything here is bounded: messages and inbound parts older than a day are
forgotten, and so are the oldest ones past a count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .gateways.base import (
    FINAL_STATUSES,
    DeliveryReport,
    DeliveryStatus,
    InboundSms,
    SendReceipt,
)

TRACKING_PERIOD = timedelta(days=1)
MAX_TRACKED = 1000
MAX_PARTS = 255
"""The most parts a concatenated SMS can have (its part counter is one byte)."""


@dataclass(slots=True)
class PendingMessage:
    """A sent message whose final status is not known for every recipient yet.

    Gateways that answer a send to several numbers with one id (1601SMS, KPN SMS) report per
    recipient where they can; a report that names no recipient speaks for all of them.
    """

    message_id: str
    sent_at: datetime
    part_statuses: dict[str, dict[str, DeliveryStatus]] = field(default_factory=dict)
    """Recipient → part id → the part's last reported status."""
    statuses: dict[str, DeliveryStatus] = field(default_factory=dict)
    """Recipient → the status last told for the whole message."""
    reference: str | None = None
    """The send's reference (``send_sms`` field), told with each of its reports."""

    @property
    def final(self) -> bool:
        """Return whether every recipient's status is final."""
        return all(status in FINAL_STATUSES for status in self.statuses.values())


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A message's status moved; what the sensor and the event tell."""

    message_id: str
    recipient: str | None
    status: DeliveryStatus
    gateway_code: str | None
    timestamp: datetime
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class ReceivedText:
    """An inbound SMS, its parts joined."""

    sender: str
    recipient: str
    text: str
    message_id: str
    timestamp: datetime


def combined_status(statuses: Iterable[DeliveryStatus]) -> DeliveryStatus:
    """Return a message's status from its parts': delivered only when every part is."""
    statuses = list(statuses)
    for status in statuses:
        if status in FINAL_STATUSES and status is not DeliveryStatus.DELIVERED:
            return status
    if all(status is DeliveryStatus.DELIVERED for status in statuses):
        return DeliveryStatus.DELIVERED
    for status in (DeliveryStatus.UNKNOWN, DeliveryStatus.BUFFERED):
        if status in statuses:
            return status
    return DeliveryStatus.ACCEPTED


@dataclass(slots=True)
class DeliveryTracker:
    """The messages still waiting for a final report."""

    _messages: dict[str, PendingMessage] = field(default_factory=dict)
    _message_of_part: dict[str, str] = field(default_factory=dict)

    @property
    def pending_ids(self) -> list[str]:
        """Return the ids of the messages still waiting for a final status."""
        return list(self._messages)

    def track(self, receipt: SendReceipt, now: datetime, reference: str | None = None) -> None:
        """Remember the messages of a send, one per message id (shared ids hold all recipients)."""
        for sent in receipt.messages:
            if sent.message_id is None:
                continue
            pending = self._messages.setdefault(
                sent.message_id, PendingMessage(sent.message_id, now, reference=reference)
            )
            parts = sent.part_ids or (sent.message_id,)
            pending.part_statuses[sent.recipient] = dict.fromkeys(parts, DeliveryStatus.ACCEPTED)
            pending.statuses[sent.recipient] = DeliveryStatus.ACCEPTED
            self._message_of_part.update(dict.fromkeys(parts, sent.message_id))
        self.forget_old(now)

    def apply(self, report: DeliveryReport, now: datetime) -> list[StatusChange]:
        """Take a report; return the changes it makes (none for an unknown id or a replay)."""
        message_id = self._message_of_part.get(report.message_id)
        pending = self._messages.get(message_id) if message_id else None
        if pending is None:
            return []
        recipients = (
            [report.recipient] if report.recipient in pending.statuses else list(pending.statuses)
        )
        changes = [
            change
            for recipient in recipients
            if (change := self._apply_to(pending, recipient, report, now)) is not None
        ]
        if pending.final:
            self._forget(pending)
        return changes

    def _apply_to(
        self, pending: PendingMessage, recipient: str, report: DeliveryReport, now: datetime
    ) -> StatusChange | None:
        parts = pending.part_statuses[recipient]
        if parts.get(report.message_id, report.status) is report.status:
            return None
        parts[report.message_id] = report.status
        status = combined_status(parts.values())
        if status is pending.statuses[recipient]:
            return None
        pending.statuses[recipient] = status
        return StatusChange(
            message_id=pending.message_id,
            recipient=recipient,
            status=status,
            gateway_code=report.gateway_code,
            timestamp=report.timestamp or now,
            reference=pending.reference or report.reference,
        )

    def forget_old(self, now: datetime) -> None:
        """Stop waiting for messages older than the tracking period, and past the count.

        Messages are kept in the order they were sent, so only the oldest are looked at: a
        send costs the same with a thousand messages waiting as with none.
        """
        while self._messages:
            oldest = next(iter(self._messages.values()))
            if now - oldest.sent_at <= TRACKING_PERIOD and len(self._messages) <= MAX_TRACKED:
                return
            self._forget(oldest)

    def as_data(self) -> list[dict[str, Any]]:
        """Return the messages still waiting, as JSON-ready data to keep over a restart."""
        return [
            {
                "message_id": pending.message_id,
                "sent_at": pending.sent_at.isoformat(),
                "parts": {
                    recipient: {part: status.value for part, status in parts.items()}
                    for recipient, parts in pending.part_statuses.items()
                },
                "statuses": {
                    recipient: status.value for recipient, status in pending.statuses.items()
                },
                "reference": pending.reference,
            }
            for pending in self._messages.values()
        ]

    def restore(self, data: object, now: datetime) -> None:
        """Wait again for the messages ``as_data`` kept; skip whatever does not read."""
        if not isinstance(data, list):
            return
        for item in data:
            if (pending := _pending_from(item)) is not None:
                self._messages[pending.message_id] = pending
                for parts in pending.part_statuses.values():
                    self._message_of_part.update(dict.fromkeys(parts, pending.message_id))
        self.forget_old(now)

    def _forget(self, pending: PendingMessage) -> None:
        del self._messages[pending.message_id]
        for parts in pending.part_statuses.values():
            for part_id in parts:
                self._message_of_part.pop(part_id, None)


@dataclass(slots=True)
class InboundAssembler:
    """Joins the parts of long inbound texts; passes single-part texts straight on."""

    _parts: dict[tuple[str, str], dict[int, InboundSms]] = field(default_factory=dict)
    _first_seen: dict[tuple[str, str], datetime] = field(default_factory=dict)
    _seen_ids: dict[str, datetime] = field(default_factory=dict)

    def add(self, part: InboundSms, now: datetime) -> ReceivedText | None:
        """Take one part; return the whole text once every part is in, None until then."""
        self._forget_old(now)
        if part.message_id in self._seen_ids:
            return None
        self._seen_ids[part.message_id] = now
        if part.concat_ref is None or part.concat_total <= 1:
            return _received(part, part.text, now)
        if not 1 <= part.concat_part <= part.concat_total <= MAX_PARTS:
            return None
        key = (part.sender, part.concat_ref)
        if key not in self._parts and len(self._parts) >= MAX_TRACKED:
            return None
        parts = self._parts.setdefault(key, {})
        self._first_seen.setdefault(key, now)
        parts[part.concat_part] = part
        if len(parts) < part.concat_total:
            return None
        del self._parts[key], self._first_seen[key]
        ordered = [parts[number] for number in sorted(parts)]
        return _received(ordered[0], "".join(piece.text for piece in ordered), now)

    def _forget_old(self, now: datetime) -> None:
        for key, first_seen in list(self._first_seen.items()):
            if now - first_seen > TRACKING_PERIOD:
                del self._parts[key], self._first_seen[key]
        for message_id, seen in list(self._seen_ids.items()):
            if now - seen > TRACKING_PERIOD or len(self._seen_ids) > MAX_TRACKED:
                del self._seen_ids[message_id]


def _pending_from(item: object) -> PendingMessage | None:
    """Return a kept message, or None where the data is not what ``as_data`` wrote."""
    try:
        if not isinstance(item, Mapping):
            return None
        sent_at = datetime.fromisoformat(item["sent_at"])
        parts = {
            str(recipient): {str(part): DeliveryStatus(status) for part, status in statuses.items()}
            for recipient, statuses in item["parts"].items()
        }
        statuses = {
            str(recipient): DeliveryStatus(status) for recipient, status in item["statuses"].items()
        }
        reference = item.get("reference")
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    if sent_at.tzinfo is None or parts.keys() != statuses.keys():
        return None
    return PendingMessage(
        str(item["message_id"]),
        sent_at,
        parts,
        statuses,
        reference if isinstance(reference, str) else None,
    )


def _received(part: InboundSms, text: str, now: datetime) -> ReceivedText:
    return ReceivedText(
        sender=part.sender,
        recipient=part.recipient,
        text=text,
        message_id=part.message_id,
        timestamp=part.timestamp or now,
    )
