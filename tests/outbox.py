"""A 1601SMS outbox on aioclient_mock, as gateway-docs/1601sms.txt describes it: ``datum`` +
``outboxid=ja`` answers ``OK <outbox id>``, ``action=verwijderbericht&id=`` answers ``OK`` or
``ERROR 122``. It counts on its own what it holds, and what the credits are."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from yarl import URL

from .cases.sms1601 import SMS1601_ENDPOINT
from .gateways.conftest import decoded


@dataclass
class HeldMessage:
    """A message the outbox holds."""

    datum: str
    numbers: str
    text: str
    reference: str | None = None


@dataclass
class Outbox:
    """What the mocked gateway holds, and the calls it got, in order."""

    held: dict[str, HeldMessage] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    """("schedule", outbox id) and ("cancel", outbox id), in the order they came."""
    credits: int = 476
    charge_on_schedule: bool = False
    cancel_fails: bool = False
    schedule_fails: bool = False
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(9001))

    def mock(self, mock: AiohttpClientMocker) -> None:
        """Answer credits, schedules and cancels (register before any catch-all send mock)."""
        mock.post(SMS1601_ENDPOINT, params={"action": "credits"}, side_effect=self._credits)
        mock.post(SMS1601_ENDPOINT, params={"outboxid": "ja"}, side_effect=self._schedule)
        mock.post(SMS1601_ENDPOINT, params={"action": "verwijderbericht"}, side_effect=self._cancel)

    def sent_at_gateway(self, outbox_id: str) -> None:
        """The gateway's time came: it sends the message and holds it no more."""
        del self.held[outbox_id]

    async def _credits(self, method: str, url: URL, data: Any) -> AiohttpClientMockResponse:
        return AiohttpClientMockResponse(method, url, text=f"{self.credits}\n")

    async def _schedule(self, method: str, url: URL, data: Any) -> AiohttpClientMockResponse:
        if self.schedule_fails:
            return AiohttpClientMockResponse(method, url, status=503, text="Unavailable")
        fields = decoded(data)
        assert isinstance(fields, dict)
        outbox_id = str(next(self._ids))
        self.held[outbox_id] = HeldMessage(
            url.query["datum"], fields["naar"], fields["bericht"], fields.get("referentie")
        )
        self.calls.append(("schedule", outbox_id))
        if self.charge_on_schedule:
            self.credits -= 1
        return AiohttpClientMockResponse(method, url, text=f"OK {outbox_id}\n")

    async def _cancel(self, method: str, url: URL, data: Any) -> AiohttpClientMockResponse:
        if self.cancel_fails:
            return AiohttpClientMockResponse(method, url, status=503, text="Unavailable")
        fields = decoded(data)
        assert isinstance(fields, dict)
        outbox_id = fields["id"]
        self.calls.append(("cancel", outbox_id))
        if self.held.pop(outbox_id, None) is None:
            return AiohttpClientMockResponse(method, url, text="ERROR 122\n")
        return AiohttpClientMockResponse(method, url, text="OK\n")
