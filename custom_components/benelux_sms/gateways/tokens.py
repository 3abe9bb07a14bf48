"""Bearer tokens kept between requests, on an object its owner hands to every gateway.

The integration keeps one store per Home Assistant instance, so every gateway of the same app
(token URL, client id and secret) rides on one token; a gateway built without one has its own.
The store carries the clocks the gateways read, so tests move time without patching modules.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

EXPIRY_MARGIN = 60.0
"""Seconds before ``expires_in`` runs out that a token is no longer used."""


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token and how many seconds it lives from when it was asked for."""

    value: str
    expires_in: float


@dataclass(frozen=True, slots=True)
class _Cached:
    value: str
    usable_until: float


type TokenKey = tuple[str, str, str]
"""Token URL, client id and a hash of the secret."""


class TokenStore:
    """Tokens of every app in use, each fetched by one request however many sends wait.

    ``monotonic`` times the tokens' lives; ``wall_clock`` (epoch seconds) turns a reset time
    a gateway names into a wait.
    """

    def __init__(
        self,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        margin: float = EXPIRY_MARGIN,
    ) -> None:
        self.monotonic = monotonic
        self.wall_clock = wall_clock
        self._margin = margin
        self._tokens: dict[TokenKey, _Cached] = {}
        self._locks: dict[TokenKey, asyncio.Lock] = {}

    async def token(
        self,
        key: TokenKey,
        fetch: Callable[[], Awaitable[AccessToken]],
        *,
        refused: str | None = None,
        fresh: bool = False,
    ) -> str:
        """Return a usable token for the app, fetching one only when none is cached.

        ``refused`` is a token the API just answered 401 to: it is not handed out again (a
        token another request fetched meanwhile is). ``fresh`` always asks for a new one.
        """
        async with self._locks.setdefault(key, asyncio.Lock()):
            cached = self._tokens.get(key)
            if (
                not fresh
                and cached is not None
                and cached.value != refused
                and self.monotonic() < cached.usable_until
            ):
                return cached.value
            self._tokens.pop(key, None)
            asked_at = self.monotonic()
            token = await fetch()
            # A short-lived token keeps half its life rather than none.
            margin = min(self._margin, token.expires_in / 2)
            self._tokens[key] = _Cached(token.value, asked_at + token.expires_in - margin)
            return token.value

    def cached(self, key: TokenKey) -> str | None:
        """The token held for the app, usable or not (to mask it from texts)."""
        cached = self._tokens.get(key)
        return cached.value if cached is not None else None

    def clear(self) -> None:
        """Forget every token."""
        self._tokens.clear()
        self._locks.clear()
