"""One description per gateway of how its wire answers, for the suite all gateways share.

Each module in ``tests/cases/`` defines ``CASE``: it mocks, with ``aioclient_mock``, what
setting up the account asks (credits, a token) and the send call with one of the outcomes
the shared suite checks.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker


class Outcome(StrEnum):
    """What the gateway answers to a send."""

    SENT = "sent"
    NO_CREDITS = "no_credits"
    AUTH_REFUSED = "auth_refused"


@dataclass(frozen=True)
class GatewayCase:
    """How one gateway's wire looks to the shared suite."""

    provider: str
    title: str
    """The entry title, which starts every entity id (slugified)."""
    data: dict[str, str]
    """The entry data: provider, credentials and sender."""
    mock_setup: Callable[[AiohttpClientMocker], None]
    mock_send: Callable[[AiohttpClientMocker, Outcome], None]
    send_url: str
    message_ids: Callable[[list[str]], list[str]]
    """The message id the gateway gives each of these recipients in mock_send's SENT answer."""

    @property
    def entity_prefix(self) -> str:
        """Return the start of this account's entity object ids."""
        return self.title.lower().replace(" ", "_")


def all_cases() -> tuple[GatewayCase, ...]:
    """Return the case of every gateway module in tests/cases/."""
    from . import cases  # noqa: PLC0415

    return tuple(
        importlib.import_module(f"{cases.__name__}.{module.name}").CASE
        for module in pkgutil.iter_modules(cases.__path__)
    )
