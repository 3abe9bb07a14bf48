"""What every simulated gateway shares: its state, the faults it can fake, the module contract.

A gateway module (``simulator/smsservicecenter.py`` and, later, one module per other gateway)
exports one ``GatewaySimulator`` object. ``simulator.app`` mounts it under its ``prefix`` as an
aiohttp sub-application and wraps it in the fault middleware defined here, so a module only has
to speak its gateway's happy and unhappy paths.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from .reports import ReportSender

DEFAULT_SLOW_SECONDS = 35.0
"""Longer than the integration's 30 s client timeout."""

RETRY_AFTER_SECONDS = 30


class Fault(StrEnum):
    """A way every request to one gateway fails until the fault is cleared."""

    UNAUTHORIZED = "401"
    RATE_LIMITED = "429"
    SERVER_ERROR = "500"
    SLOW = "slow"
    GARBAGE = "garbage"


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
    fault: Fault | None = None
    requests: int = 0
    """Requests that reached the gateway (faulted ones included), for tests."""

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Back to a fresh account: full credits, no history, no fault."""
        self.credits = self.initial_credits
        self.sender = self.default_sender
        self.messages.clear()
        self.fault = None
        self.requests = 0


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

    def set_fault(self, name: str, fault: Fault | None) -> None:
        """Make the next requests to a gateway fail that way (None: answer normally)."""
        self.gateway(name).fault = fault
        self._wake()

    def reset(self) -> None:
        """Every gateway back to a fresh account."""
        for state in self.gateways.values():
            state.reset()
        self.reports.reset()
        self._wake()

    def close(self) -> None:
        """Let every held request answer now: the server is shutting down."""
        self._closing = True
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

    def create_app(self) -> web.Application:
        """Return the gateway's routes as an aiohttp sub-application."""
        ...

    def fault_response(self, fault: Fault) -> web.Response:
        """Return what the gateway answers under a fault (all but ``slow``)."""
        ...


def json_response(body: Any, *, status: int = 200) -> web.Response:
    """A JSON reply, ``ensure_ascii`` off as PHP gateways answer."""
    return web.json_response(
        body, status=status, dumps=lambda value: json.dumps(value, ensure_ascii=False)
    )


def default_fault_response(fault: Fault) -> web.Response:
    """A plain answer for each fault, for gateways that do not override it."""
    if fault is Fault.UNAUTHORIZED:
        return json_response({"message": "Unauthenticated."}, status=401)
    if fault is Fault.RATE_LIMITED:
        response = json_response({"message": "Too Many Attempts."}, status=429)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if fault is Fault.SERVER_ERROR:
        return json_response({"message": "Server Error"}, status=500)
    # GARBAGE (and SLOW, which the middleware handles before it gets here): a 200 that is
    # no JSON at all, as a captive portal or a misconfigured proxy answers.
    return web.Response(
        status=200,
        text="<html><head><title>Maintenance</title></head><body>Back soon</body></html>",
        content_type="text/html",
    )


def fault_middleware(gateway: GatewaySimulator) -> Middleware:
    """Count the request and answer with the gateway's current fault, if it has one.

    ``slow`` holds the request ``slow_seconds`` (or until the fault is cleared, the simulator
    reset or shut down) and then answers normally: a real gateway that is slow still sends.
    """

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        simulator = request.config_dict[STATE_KEY]
        state = simulator.gateway(gateway.name)
        state.requests += 1
        fault = state.fault
        if fault is None:
            return await handler(request)
        if fault is Fault.SLOW:
            await simulator.hold(state)
            return await handler(request)
        return gateway.fault_response(fault)

    return middleware
