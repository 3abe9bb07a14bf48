"""Delivery reports the simulated gateways post back, the way the real ones do.

A gateway module calls ``ReportSender.schedule`` when it takes a message whose reports go to a
URL (one given with the send, or one set in the gateway's "portal" through the control API).
After ``delay`` seconds the sender calls that URL; with ``duplicates`` it calls it twice, with
``garbage`` it first posts a body no gateway would send. Only loopback URLs are ever called.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from yarl import URL

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(slots=True)
class ReportSettings:
    """How the simulated gateways report, switched through ``POST /_sim/reports``."""

    delay: float = 1.0
    outcome: str = "delivered"
    """``delivered`` or ``undelivered``: the final status every report gives."""
    duplicates: bool = False
    garbage: bool = False


@dataclass(slots=True)
class Callback:
    """One call a gateway makes to a report URL."""

    method: str
    url: str
    params: Mapping[str, str] | None = None
    form: Mapping[str, str] | None = None
    json_body: Any = None
    headers: Mapping[str, str] | None = None


@dataclass(slots=True)
class ReportSender:
    """Calls report URLs after a delay; remembers what it called and how it was answered."""

    settings: ReportSettings = field(default_factory=ReportSettings)
    portal_urls: dict[str, str] = field(default_factory=dict)
    """Report URLs set once per gateway, as in 1601SMS's portal."""
    made: list[dict[str, Any]] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def schedule(self, callbacks: list[Callback]) -> None:
        """Make these calls (one report per part, say) after the configured delay."""
        if not callbacks or not all(_is_loopback(callback.url) for callback in callbacks):
            return
        task = asyncio.get_running_loop().create_task(self._run(callbacks, self.settings))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait(self) -> None:
        """Return when every scheduled call is made (for tests and the demo)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        """Drop the calls not made yet."""
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def reset(self) -> None:
        """Back to the default settings, no portal URLs, nothing made."""
        self.settings = ReportSettings()
        self.portal_urls.clear()
        self.made.clear()

    async def _run(self, callbacks: list[Callback], settings: ReportSettings) -> None:
        await asyncio.sleep(settings.delay)
        async with aiohttp.ClientSession() as session:
            if settings.garbage:
                await self._call(session, Callback("POST", callbacks[0].url, form={"x": "\x00"}))
            for callback in callbacks * (2 if settings.duplicates else 1):
                await self._call(session, callback)

    async def _call(self, session: aiohttp.ClientSession, callback: Callback) -> None:
        status: int | str
        try:
            async with session.request(
                callback.method,
                callback.url,
                params=callback.params,
                data=callback.form,
                json=callback.json_body,
                headers=callback.headers,
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as err:
            status = type(err).__name__
        self.made.append({"method": callback.method, "url": callback.url, "status": status})


def _is_loopback(url: str) -> bool:
    return URL(url).host in LOOPBACK_HOSTS
