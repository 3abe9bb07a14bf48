"""What the account's sends and delivery reports have told, for the entities that show it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from homeassistant.core import CALLBACK_TYPE, callback

from .gateways.base import DeliveryStatus


@dataclass(frozen=True, slots=True)
class LastDelivery:
    """What is known of the last message sent."""

    status: DeliveryStatus
    changed: datetime
    message_id: str | None = None
    recipient: str | None = None
    gateway_code: str | None = None
    test: bool = False
    """The gateway took it in test mode (or for its test number): nothing was sent."""


@dataclass(frozen=True, slots=True)
class Usage:
    """What the account has sent since it was set up, counted as the gateway charges."""

    messages: int = 0
    """One per recipient the gateway accepted a message for."""
    segments: int = 0
    """Segments times those recipients."""


class Aspect(StrEnum):
    """What a listener follows: each send changes both, and tells each listener once."""

    LAST_DELIVERY = "last_delivery"
    USAGE = "usage"


class AccountStatus:
    """The last delivery and the usage of one account; entities listen for their changes."""

    def __init__(self) -> None:
        self.last_delivery: LastDelivery | None = None
        self.usage: Usage | None = None
        self._listeners: dict[Aspect, list[Callable[[], None]]] = {aspect: [] for aspect in Aspect}

    @callback
    def async_add_listener(self, listener: Callable[[], None], aspect: Aspect) -> CALLBACK_TYPE:
        """Call ``listener`` after every change of ``aspect``; return what stops that."""
        listeners = self._listeners[aspect]
        listeners.append(listener)
        return lambda: listeners.remove(listener)

    @callback
    def async_set_last_delivery(self, delivery: LastDelivery) -> None:
        """Record what became of the last message and tell its listeners."""
        self.last_delivery = delivery
        self._tell_listeners(Aspect.LAST_DELIVERY)

    @callback
    def async_set_usage(self, usage: Usage) -> None:
        """Record what the account has sent and tell its listeners."""
        self.usage = usage
        self._tell_listeners(Aspect.USAGE)

    def _tell_listeners(self, aspect: Aspect) -> None:
        for listener in list(self._listeners[aspect]):
            listener()
