"""What every simulated gateway shares: its state, the module contract, the fault middleware.

A gateway module (``simulator/smsservicecenter.py``, ``simulator/kpn/``, ...) exports one
``GatewaySimulator`` object. ``simulator.app`` mounts it under its ``prefix`` as an aiohttp
sub-application and wraps it in the fault middleware defined here, so a module only has to
speak its gateway's happy and unhappy paths. The faults themselves are in ``faults.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from .faults import (
    COMMON_FAULTS,
    HANDLED_FIRST,
    RETRY_AFTER_SECONDS,
    Fault,
    FaultReplies,
    RetryAfter,
    default_fault_response,
    fault_reply,
    json_response,
)
from .reports import ReportSender

__all__ = [
    "DEFAULT_SLOW_SECONDS",
    "RETRY_AFTER_SECONDS",
    "STATE_KEY",
    "Fault",
    "GatewayModule",
    "GatewaySimulator",
    "GatewayState",
    "ReceivedMessage",
    "SimulatorState",
    "default_fault_response",
    "fault_middleware",
    "json_response",
]

DEFAULT_SLOW_SECONDS = 35.0
"""Longer than the integration's 30 s client timeout."""


@dataclass(slots=True)
class ReceivedMessage:
    """One send request a gateway accepted (test sends included)."""

    gateway: str
    numbers: list[str]
    message: str
    sender: str | None
    message_id: str
    segments: int
    credits_used: int
    testmode: bool = False
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    details: dict[str, str] = field(default_factory=dict)
    """What else the request asked, where tests check it: ``ttl``, ``client-ref``,
    ``inbound``, ``expirein``, ``referentie``, ``outboxid``, ``kind`` (``voice``) and such."""

    def as_json(self) -> dict[str, Any]:
        """Return the shape ``GET /_sim/messages`` lists."""
        return {
            "gateway": self.gateway,
            "numbers": list(self.numbers),
            "message": self.message,
            "sender": self.sender,
            "message_id": self.message_id,
            "segments": self.segments,
            "credits_used": self.credits_used,
            "testmode": self.testmode,
            "received_at": self.received_at.isoformat(),
            "details": dict(self.details),
        }


@dataclass(slots=True)
class GatewayState:
    """One simulated gateway account."""

    name: str
    initial_credits: int
    default_sender: str | None = None
    prefix: str = ""
    credits: int = 0
    sender: str | None = None
    messages: list[ReceivedMessage] = field(default_factory=list)
    faults: frozenset[Fault] = COMMON_FAULTS
    """The faults this gateway can be switched to."""
    fault: Fault | None = None
    fault_after: int = 0
    """Requests still answered normally before ``fault`` applies."""
    retry_after: RetryAfter = RETRY_AFTER_SECONDS
    """What a ``429`` says to wait (``faults.RetryAfter``)."""
    requests: int = 0
    """Requests that reached the gateway (faulted ones included), for tests."""
    tokens: set[str] = field(default_factory=set)
    """Access tokens it issued (KPN API Store), kept over a reset as a real gateway keeps them."""
    registered_urls: dict[str, str] = field(default_factory=dict)
    """Where replies to each number go, as registered through the API (KPN Vonage)."""
    outbox: dict[str, Any] = field(default_factory=dict)
    """Messages held to be sent later, by outbox id (1601SMS)."""

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Back to a fresh account: full credits, no history, no fault."""
        self.credits = self.initial_credits
        self.sender = self.default_sender
        self.messages.clear()
        self.registered_urls.clear()
        self.clear_outbox()
        self.fault = None
        self.fault_after = 0
        self.retry_after = RETRY_AFTER_SECONDS
        self.requests = 0

    def clear_outbox(self) -> None:
        """Drop every held message, and the timer that would send it."""
        for held in self.outbox.values():
            if (timer := getattr(held, "timer", None)) is not None:
                timer.cancel()
        self.outbox.clear()

    def current_fault(self) -> Fault | None:
        """The fault this request meets, counting down ``fault_after`` first."""
        if self.fault is not None and self.fault_after > 0:
            self.fault_after -= 1
            return None
        return self.fault


class SimulatorState:
    """Every gateway's account plus the switches the control API flips."""

    def __init__(
        self, gateways: dict[str, GatewayState], *, slow_seconds: float = DEFAULT_SLOW_SECONDS
    ) -> None:
        self.gateways = gateways
        self.slow_seconds = slow_seconds
        self.reports = ReportSender()
        self._released = asyncio.Event()
        """Set (and replaced) to wake the requests the ``slow`` fault holds, so they look again."""
        self._closing = False
        self._held = 0
        self._held_changed = asyncio.Condition()

    def gateway(self, name: str) -> GatewayState:
        """Return one gateway's state; KeyError for a name the simulator does not know."""
        return self.gateways[name]

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Everything received, by every gateway, oldest first."""
        merged = [message for state in self.gateways.values() for message in state.messages]
        return sorted(merged, key=lambda message: message.received_at)

    def set_fault(self, name: str, fault: Fault | None, *, after: int = 0) -> None:
        """Make the requests to a gateway fail that way after ``after`` more normal answers.

        None: answer normally.
        """
        state = self.gateway(name)
        state.fault = fault
        state.fault_after = after
        self._wake()

    def reset(self) -> None:
        """Every gateway back to a fresh account."""
        for state in self.gateways.values():
            state.reset()
        self.reports.reset()
        self._wake()

    def close(self) -> None:
        """Let every held request answer now, and drop held messages: the server is shutting
        down."""
        self._closing = True
        for state in self.gateways.values():
            state.clear_outbox()
        self._wake()

    def _wake(self) -> None:
        self._released.set()
        self._released = asyncio.Event()

    @property
    def held_requests(self) -> int:
        """How many requests the ``slow`` fault holds right now."""
        return self._held

    async def wait_for_held_requests(self, count: int = 1) -> None:
        """Return once at least ``count`` requests are held by the ``slow`` fault (for tests)."""
        async with self._held_changed:
            await self._held_changed.wait_for(lambda: self._held >= count)

    async def hold(self, state: GatewayState) -> None:
        """Wait ``slow_seconds``, or less when the gateway's slow fault is cleared meanwhile."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.slow_seconds
        await self._count_held(1)
        try:
            while state.fault is Fault.SLOW and not self._closing:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._released.wait(), remaining)
        finally:
            await self._count_held(-1)

    async def _count_held(self, change: int) -> None:
        async with self._held_changed:
            self._held += change
            self._held_changed.notify_all()


STATE_KEY = web.AppKey("simulator_state", SimulatorState)


class GatewaySimulator(Protocol):
    """What one gateway module exports."""

    name: str
    """Provider key, as the integration names it (``smsservicecenter``)."""
    prefix: str
    """Where its API is mounted, without a trailing slash (``/smsservicecenter/api/v2``)."""
    initial_credits: int
    default_sender: str | None
    extra_faults: frozenset[Fault]
    """The gateway-specific faults (``faults.GATEWAY_SPECIFIC``) it answers."""

    def create_app(self) -> web.Application:
        """Return the gateway's routes as an aiohttp sub-application."""
        ...

    def fault_response(self, fault: Fault, state: GatewayState) -> web.Response:
        """Return what the gateway answers under a fault (all but those the middleware does)."""
        ...


class GatewayModule:
    """A ``GatewaySimulator`` with the usual defaults; a module names its fault replies."""

    name: str
    prefix: str
    initial_credits: int = 0
    default_sender: str | None = None
    extra_faults: frozenset[Fault] = frozenset()
    fault_replies: FaultReplies
    """What the gateway answers under each fault it answers its own way."""

    def fault_response(self, fault: Fault, state: GatewayState) -> web.Response:
        """Return the module's own reply to the fault, or the default one."""
        return fault_reply(fault, state, self.fault_replies)

    def _state(self, request: web.Request) -> GatewayState:
        return request.config_dict[STATE_KEY].gateway(self.name)


def fault_middleware(gateway: GatewaySimulator) -> Middleware:
    """Count the request and answer with the gateway's current fault, if it has one.

    ``slow`` holds the request ``slow_seconds`` (or until the fault is cleared, the simulator
    reset or shut down) and then answers normally: a real gateway that is slow still sends.
    ``drop`` reads the request and hangs up; ``lost_reply`` lets the gateway handle it and then
    hangs up; ``504`` and ``missing_fields`` let the gateway handle it and then answer so.
    """

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        simulator = request.config_dict[STATE_KEY]
        state = simulator.gateway(gateway.name)
        state.requests += 1
        fault = state.current_fault()
        if fault is None:
            return await handler(request)
        if fault is Fault.SLOW:
            await simulator.hold(state)
            return await handler(request)
        if fault is Fault.DROP:
            await request.read()
            return _hang_up(request)
        if fault in HANDLED_FIRST:
            await handler(request)
            if fault is Fault.LOST_REPLY:
                return _hang_up(request)
        return gateway.fault_response(fault, state)

    return middleware


def _hang_up(request: web.Request) -> web.Response:
    """Close the connection; the response returned is never written (the client sees EOF)."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)
