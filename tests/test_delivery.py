"""Keeping track of sent messages until their reports say what became of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.benelux_sms.delivery import (
    MAX_TRACKED,
    TRACKING_PERIOD,
    DeliveryTracker,
    InboundAssembler,
    combined_status,
)
from custom_components.benelux_sms.gateways.base import (
    DeliveryReport,
    DeliveryStatus,
    InboundSms,
    SendReceipt,
    SentMessage,
)

S = DeliveryStatus
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
ALICE = "+31612345678"
BOB = "+31687654321"


def _receipt(*messages: SentMessage) -> SendReceipt:
    return SendReceipt(messages=messages)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([S.DELIVERED, S.DELIVERED], S.DELIVERED),
        ([S.DELIVERED, S.ACCEPTED], S.ACCEPTED),
        ([S.DELIVERED, S.BUFFERED], S.BUFFERED),
        ([S.DELIVERED, S.EXPIRED], S.EXPIRED),
        ([S.FAILED, S.DELIVERED], S.FAILED),
        ([S.UNKNOWN, S.DELIVERED], S.UNKNOWN),
        ([S.ACCEPTED], S.ACCEPTED),
    ],
)
def test_combined_status(parts: list[DeliveryStatus], expected: DeliveryStatus) -> None:
    """A message is delivered when every part is; one failed part fails it."""
    assert combined_status(parts) is expected


def test_multi_part_message_delivered_when_every_part_is() -> None:
    """The first part's report keeps the message pending; the last one delivers it, once."""
    tracker = DeliveryTracker()
    tracker.track(_receipt(SentMessage(ALICE, "p1", S.ACCEPTED, ("p1", "p2"))), NOW)

    assert tracker.apply(DeliveryReport("p1", S.DELIVERED), NOW) == []
    [change] = tracker.apply(DeliveryReport("p2", S.DELIVERED, gateway_code="0"), NOW)

    assert (change.message_id, change.recipient, change.status) == ("p1", ALICE, S.DELIVERED)
    assert change.gateway_code == "0"
    assert change.timestamp == NOW
    assert tracker.pending_ids == []
    # A replayed report for a message already final changes nothing.
    assert tracker.apply(DeliveryReport("p2", S.DELIVERED), NOW) == []


def test_unknown_id_and_duplicate_change_nothing() -> None:
    """Reports for ids never sent, or repeating the status known, are ignored."""
    tracker = DeliveryTracker()
    tracker.track(_receipt(SentMessage(ALICE, "m1", S.ACCEPTED)), NOW)

    assert tracker.apply(DeliveryReport("forged", S.DELIVERED), NOW) == []
    assert tracker.apply(DeliveryReport("m1", S.ACCEPTED), NOW) == []
    [change] = tracker.apply(DeliveryReport("m1", S.BUFFERED), NOW)
    assert change.status is S.BUFFERED
    assert tracker.apply(DeliveryReport("m1", S.BUFFERED), NOW) == []
    assert tracker.pending_ids == ["m1"]


def test_shared_id_names_the_reported_recipient() -> None:
    """Where one id covers several recipients, the report's recipient is the one named."""
    tracker = DeliveryTracker()
    tracker.track(
        _receipt(SentMessage(ALICE, "m1", S.ACCEPTED), SentMessage(BOB, "m1", S.ACCEPTED)), NOW
    )
    [change] = tracker.apply(DeliveryReport("m1", S.UNDELIVERED, recipient=BOB), NOW)
    assert (change.recipient, change.status) == (BOB, S.UNDELIVERED)
    assert tracker.pending_ids == ["m1"]

    # A report that names no recipient speaks for every one still waiting.
    changes = tracker.apply(DeliveryReport("m1", S.DELIVERED), NOW)
    assert [(change.recipient, change.status) for change in changes] == [
        (ALICE, S.DELIVERED),
        (BOB, S.DELIVERED),
    ]
    assert tracker.pending_ids == []


def test_messages_without_id_are_not_tracked() -> None:
    """A gateway that gave no id cannot be matched to reports."""
    tracker = DeliveryTracker()
    tracker.track(_receipt(SentMessage(ALICE, None, S.ACCEPTED)), NOW)
    assert tracker.pending_ids == []


def test_tracking_is_bounded_in_time_and_count() -> None:
    """Messages older than a day, and the oldest past the count, are forgotten."""
    tracker = DeliveryTracker()
    tracker.track(_receipt(SentMessage(ALICE, "old", S.ACCEPTED)), NOW)
    later = NOW + TRACKING_PERIOD + timedelta(seconds=1)
    tracker.track(
        _receipt(*(SentMessage(ALICE, f"m{i}", S.ACCEPTED) for i in range(MAX_TRACKED + 1))),
        later,
    )

    assert len(tracker.pending_ids) == MAX_TRACKED
    assert "old" not in tracker.pending_ids
    assert "m0" not in tracker.pending_ids
    assert tracker.apply(DeliveryReport("old", S.DELIVERED), later) == []


def _part(part: int, text: str, *, total: int = 3, ref: str = "r1") -> InboundSms:
    return InboundSms(
        sender=ALICE,
        recipient="3197010000000",
        text=text,
        message_id=f"in{ref}{part}",
        concat_ref=ref,
        concat_total=total,
        concat_part=part,
    )


def test_inbound_parts_are_joined_in_order() -> None:
    """Parts arriving out of order become one text once the last is in."""
    assembler = InboundAssembler()
    assert assembler.add(_part(2, "lo "), NOW) is None
    assert assembler.add(_part(3, "world"), NOW) is None
    received = assembler.add(_part(1, "Hel"), NOW)

    assert received is not None
    assert (received.sender, received.text, received.message_id) == (ALICE, "Hello world", "inr11")


def test_inbound_single_part_and_replays() -> None:
    """A plain text passes straight on; the same message id again is dropped."""
    assembler = InboundAssembler()
    single = InboundSms(sender=ALICE, recipient="x", text="Ja", message_id="m")
    received = assembler.add(single, NOW)
    assert received is not None
    assert received.text == "Ja"
    assert assembler.add(single, NOW) is None


@pytest.mark.parametrize(("part", "total"), [(0, 2), (3, 2), (1, 256)])
def test_inbound_impossible_parts_are_ignored(part: int, total: int) -> None:
    """Part numbers outside 1..total (or a total past one byte) never complete a text."""
    assembler = InboundAssembler()
    assert assembler.add(_part(part, "x", total=total), NOW) is None
    assert assembler.add(_part(1 if part != 1 else 2, "y", total=total), NOW) is None


def test_inbound_incomplete_texts_are_forgotten() -> None:
    """A text whose other parts never come is dropped after a day."""
    assembler = InboundAssembler()
    assembler.add(_part(1, "a", total=2), NOW)
    later = NOW + TRACKING_PERIOD + timedelta(seconds=1)
    assert assembler.add(_part(2, "b", total=2), later) is None
