"""What the demo package's modules share: where things are, its error, HTTP with JSON, waiting."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parents[2]
INTEGRATION = REPO / "custom_components" / "benelux_sms"
DOMAIN = "benelux_sms"
"""The integration's domain (a literal: nothing in simulator/ imports the integration)."""
HOST = "127.0.0.1"
"""Everything the demo starts listens here only."""


class DemoError(Exception):
    """A step failed; the message says which and why."""


def say(text: str = "") -> None:
    """Print one line of the demo's story."""
    print(text, flush=True)


def compact(value: Any) -> str:
    """A value as one line of JSON, non-ASCII kept."""
    return json.dumps(value, ensure_ascii=False)


async def request_json(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    what: str,
    *,
    expect: int = 200,
    token: str | None = None,
    **kwargs: Any,
) -> Any:
    """Make one request; its JSON body (None if empty), or DemoError naming ``what``."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with session.request(method, url, headers=headers, **kwargs) as response:
            text = await response.text()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as err:
        raise DemoError(f"{what}: {method} {url} failed: {err!r}") from None
    if status != expect:
        raise DemoError(f"{what}: HTTP {status} from {method} {url}: {text[:2000]}")
    try:
        return json.loads(text) if text else None
    except ValueError:
        raise DemoError(f"{what}: not JSON from {method} {url}: {text[:500]}") from None


async def wait_for[T](
    what: str, seconds: float, probe: Callable[[], Awaitable[T | None]], interval: float = 0.5
) -> T:
    """Call ``probe`` until it returns something other than None, within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        if (result := await probe()) is not None:
            return result
        if time.monotonic() > deadline:
            raise DemoError(f"timed out after {seconds:.0f} s waiting for {what}")
        await asyncio.sleep(interval)
