"""KPN Vonage sends one request per recipient: at most five in flight, in order, none twice."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aioresponses import CallbackResult, aioresponses
from yarl import URL

from custom_components.benelux_sms.gateways import KpnVonageGateway, errors
from custom_components.benelux_sms.gateways.base import (
    Credits,
    SendReceipt,
)

from .conftest import KPN_CREDENTIALS, decoded, mock_kpn_token
from .send_wire import numbers, sms

SEND_URL = "https://api-prd.kpn.com/communication/nexmo/sms/send"
LIMIT = 5


def _accepted(to: str) -> CallbackResult:
    part = {"status": "0", "message-id": f"ID-{to}", "remaining-balance": f"{to[-2:]}.00"}
    return CallbackResult(payload={"message-count": "1", "messages": [part]})


def _status(code: str) -> CallbackResult:
    return CallbackResult(payload={"message-count": "1", "messages": [{"status": code}]})


class Wire:
    """The send endpoint: each request waits until the test answers it, by recipient."""

    def __init__(self, mock: aioresponses) -> None:
        self.started: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._answers: dict[str, asyncio.Future[CallbackResult]] = {}
        self._changed = asyncio.Condition()
        mock_kpn_token(mock)
        mock.post(SEND_URL, callback=self._handle, repeat=True)

    async def _handle(self, url: URL, **kwargs: Any) -> CallbackResult:
        to = decoded(kwargs["data"])["to"]
        answer = self._answers.setdefault(to, asyncio.get_running_loop().create_future())
        async with self._changed:
            self.started.append(to)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self._changed.notify_all()
        result = await answer
        self.in_flight -= 1
        return result

    async def wait_started(self, count: int) -> None:
        async with asyncio.timeout(5), self._changed:
            await self._changed.wait_for(lambda: len(self.started) >= count)

    def answer(self, to: str, result: CallbackResult) -> None:
        self._answers.setdefault(to, asyncio.get_running_loop().create_future())
        self._answers[to].set_result(result)

    def waiting(self) -> list[str]:
        return [to for to in self.started if not self._answers[to].done()]


@pytest.fixture
def wire(mock: aioresponses) -> Wire:
    return Wire(mock)


@pytest.fixture
def gateway(session: aiohttp.ClientSession) -> KpnVonageGateway:
    return KpnVonageGateway(session, KPN_CREDENTIALS)


async def _finish(send: asyncio.Task[SendReceipt]) -> SendReceipt:
    """The send's outcome; a send still waiting for an unanswered request fails the test."""
    async with asyncio.timeout(5):
        return await send


def _digits(recipients: tuple[str, ...]) -> list[str]:
    return [number.removeprefix("+") for number in recipients]


def test_capabilities_say_five_at_once() -> None:
    assert KpnVonageGateway.capabilities.max_concurrent_requests == LIMIT


async def test_five_in_flight_started_in_order_receipt_in_order(
    gateway: KpnVonageGateway, wire: Wire
) -> None:
    recipients = numbers(12)
    send = asyncio.create_task(gateway.send(sms(*recipients)))

    for answered in range(len(recipients)):
        await wire.wait_started(min(len(recipients), answered + LIMIT))
        assert len(wire.waiting()) == min(LIMIT, len(recipients) - answered)
        # Answer the newest request first: replies come back out of order.
        wire.answer(wire.waiting()[-1], _accepted(wire.waiting()[-1]))
    receipt = await _finish(send)

    assert wire.most_in_flight == LIMIT
    assert wire.started == _digits(recipients)
    assert [m.recipient for m in receipt.messages] == list(recipients)
    assert [m.message_id for m in receipt.messages] == [f"ID-{to}" for to in _digits(recipients)]
    # The lowest balance any reply told is what is left.
    assert receipt.credits == Credits(0.0, "EUR")


async def test_fewer_recipients_than_the_limit_all_go_at_once(
    gateway: KpnVonageGateway, wire: Wire
) -> None:
    recipients = numbers(3)
    send = asyncio.create_task(gateway.send(sms(*recipients)))

    await wire.wait_started(3)
    for to in reversed(wire.waiting()):
        wire.answer(to, _accepted(to))

    assert isinstance(await _finish(send), SendReceipt)
    assert wire.most_in_flight == 3


@pytest.mark.parametrize(
    ("refusal", "error_type"),
    [
        pytest.param(_status("4"), errors.AuthenticationError, id="invalid-credentials"),
        pytest.param(_status("9"), errors.InsufficientCreditsError, id="no-credit"),
        pytest.param(_status("1"), errors.RateLimitedError, id="throttled"),
        pytest.param(CallbackResult(status=429, body=""), errors.RateLimitedError, id="http-429"),
    ],
)
async def test_account_refusal_starts_no_further_request(
    gateway: KpnVonageGateway,
    wire: Wire,
    refusal: CallbackResult,
    error_type: type[errors.GatewayError],
) -> None:
    recipients = numbers(8)
    send = asyncio.create_task(gateway.send(sms(*recipients)))

    await wire.wait_started(LIMIT)
    first, *others = wire.waiting()
    wire.answer(first, refusal)
    for to in others:
        wire.answer(to, _accepted(to))

    with pytest.raises(errors.PartialSendError) as raised:
        await _finish(send)

    assert wire.started == _digits(recipients[:LIMIT])
    err = raised.value
    assert type(err.cause) is error_type
    assert [m.recipient for m in err.receipt.messages] == list(recipients[1:LIMIT])
    assert err.not_sent == (recipients[0], *recipients[LIMIT:])
    assert err.unknown == ()


async def test_refused_number_stops_nothing(gateway: KpnVonageGateway, wire: Wire) -> None:
    recipients = numbers(8)
    send = asyncio.create_task(gateway.send(sms(*recipients)))

    await wire.wait_started(LIMIT)
    wire.answer(wire.waiting()[0], _status("29"))
    for count in range(LIMIT + 1, len(recipients) + 1):
        await wire.wait_started(count)
        oldest = wire.waiting()[0]
        wire.answer(oldest, _accepted(oldest))
    for to in wire.waiting():
        wire.answer(to, _accepted(to))

    with pytest.raises(errors.PartialSendError) as raised:
        await _finish(send)

    assert sorted(wire.started) == sorted(_digits(recipients))
    assert len(wire.started) == len(set(wire.started))
    assert type(raised.value.cause) is errors.InvalidRecipientError
    assert raised.value.not_sent == (recipients[0],)
    assert len(raised.value.receipt.messages) == len(recipients) - 1
