"""A send that fails after some recipients were accepted keeps their receipts (PartialSendError)."""

from __future__ import annotations

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import (
    DeliveryStatus,
    SentMessage,
)

from .send_wire import WIRES, SendWire, numbers, sms

BATCHED = [wire for wire in WIRES if wire.batch > 1]


@pytest.fixture(params=BATCHED, ids=str)
def wire(request: pytest.FixtureRequest, mock: aioresponses) -> SendWire:
    """Every gateway that takes many recipients per request."""
    result: SendWire = request.param
    result.prepare(mock)
    return result


def _batches(wire: SendWire, count: int) -> list[tuple[str, ...]]:
    recipients = numbers(count)
    return [recipients[i : i + wire.batch] for i in range(0, count, wire.batch)]


def _expected_messages(wire: SendWire, batch: tuple[str, ...], message_id: str) -> list[str]:
    """The ids each recipient of an accepted batch gets: SMSBOX one each, the others one."""
    if wire.gateway_class.provider == "smsbox":
        return [f"{message_id}-{recipient}" for recipient in batch]
    return [message_id] * len(batch)


async def test_refused_second_batch_keeps_the_first(
    session: aiohttp.ClientSession, mock: aioresponses, wire: SendWire
) -> None:
    first, second, third = _batches(wire, 2 * wire.batch + 1)
    mock.post(wire.url, **wire.accepted(first, "111"))
    mock.post(wire.url, **wire.no_credits)
    mock.post(wire.url, **wire.accepted(third, "333"))

    with pytest.raises(errors.PartialSendError) as raised:
        await wire.gateway(session).send(sms(*first, *second, *third))

    err = raised.value
    assert [m.recipient for m in err.receipt.messages] == list(first)
    assert [m.message_id for m in err.receipt.messages] == _expected_messages(wire, first, "111")
    assert {m.status for m in err.receipt.messages} == {DeliveryStatus.ACCEPTED}
    assert err.not_sent == second + third
    assert err.unknown == ()
    assert type(err.cause) is errors.InsufficientCreditsError
    assert err.code == err.cause.code
    assert not errors.definitely_not_sent(err)
    assert len(mock.requests[("POST", URL(wire.url))]) == 2


async def test_second_batch_of_unknown_fate(
    session: aiohttp.ClientSession, mock: aioresponses, wire: SendWire
) -> None:
    first, second, third = _batches(wire, 2 * wire.batch + 1)
    mock.post(wire.url, **wire.accepted(first, "111"))
    mock.post(wire.url, exception=TimeoutError())

    with pytest.raises(errors.PartialSendError) as raised:
        await wire.gateway(session).send(sms(*first, *second, *third))

    err = raised.value
    assert [m.recipient for m in err.receipt.messages] == list(first)
    assert err.unknown == second
    assert err.not_sent == third
    assert type(err.cause) is errors.OutcomeUnknownError
    assert err.code == "timeout"


async def test_first_batch_refused_raises_the_refusal(
    session: aiohttp.ClientSession, mock: aioresponses, wire: SendWire
) -> None:
    first, second = _batches(wire, wire.batch + 1)
    mock.post(wire.url, **wire.no_credits)

    with pytest.raises(errors.InsufficientCreditsError):
        await wire.gateway(session).send(sms(*first, *second))

    assert len(mock.requests[("POST", URL(wire.url))]) == 1


async def test_first_batch_unknown_raises_outcome_unknown(
    session: aiohttp.ClientSession, mock: aioresponses, wire: SendWire
) -> None:
    first, second = _batches(wire, wire.batch + 1)
    mock.post(wire.url, status=504)

    with pytest.raises(errors.OutcomeUnknownError, match=r"^504$"):
        await wire.gateway(session).send(sms(*first, *second))


# --- KPN Vonage: one request per recipient, each message in parts ----------------------------

VONAGE = next(wire for wire in WIRES if wire.batch == 1)


def _parts(*statuses: str) -> dict[str, object]:
    parts = [
        {"status": s, "message-id": f"P{i}"} if s == "0" else {"status": s, "error-text": "no"}
        for i, s in enumerate(statuses, start=1)
    ]
    return {"payload": {"message-count": str(len(parts)), "messages": parts}}


async def test_vonage_recipient_of_unknown_fate_among_accepted(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    VONAGE.prepare(mock)
    one, two, three = numbers(3)
    mock.post(VONAGE.url, **VONAGE.accepted([one], "ID-1"))
    mock.post(VONAGE.url, exception=aiohttp.ServerDisconnectedError())
    mock.post(VONAGE.url, **VONAGE.accepted([three], "ID-3"))

    with pytest.raises(errors.PartialSendError, match=r"^ServerDisconnectedError$") as raised:
        await VONAGE.gateway(session).send(sms(one, two, three))

    err = raised.value
    assert err.receipt.messages == (
        SentMessage(one, "ID-1", DeliveryStatus.ACCEPTED, ("ID-1",)),
        SentMessage(three, "ID-3", DeliveryStatus.ACCEPTED, ("ID-3",)),
    )
    assert err.unknown == (two,)
    assert err.not_sent == ()
    assert type(err.cause) is errors.OutcomeUnknownError


async def test_vonage_part_refused_after_part_accepted(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    VONAGE.prepare(mock)
    one, two = numbers(2)
    mock.post(VONAGE.url, **VONAGE.accepted([one], "ID-1"))
    mock.post(VONAGE.url, **_parts("0", "0", "15"))

    with pytest.raises(errors.PartialSendError, match=r"^15$") as raised:
        await VONAGE.gateway(session).send(sms(one, two))

    err = raised.value
    # The accepted parts' ids stay, so their delivery reports still land.
    assert [m.part_ids for m in err.receipt.messages] == [("ID-1",), ("P1", "P2")]
    assert err.unknown == (two,)
    assert err.not_sent == ()


async def test_vonage_nothing_accepted_some_unknown_is_outcome_unknown(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    VONAGE.prepare(mock)
    mock.post(VONAGE.url, **_parts("6"))
    mock.post(VONAGE.url, exception=TimeoutError())

    with pytest.raises(errors.OutcomeUnknownError, match=r"^timeout$"):
        await VONAGE.gateway(session).send(sms(*numbers(2)))


async def test_vonage_nothing_accepted_all_refused_raises_the_first(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    VONAGE.prepare(mock)
    mock.post(VONAGE.url, **_parts("6"))
    mock.post(VONAGE.url, **_parts("7"))

    with pytest.raises(errors.InvalidRecipientError, match=r"^6$") as raised:
        await VONAGE.gateway(session).send(sms(*numbers(2)))

    assert errors.definitely_not_sent(raised.value)
