"""What the account's sends and delivery reports have told, for the entities that show it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from homeassistant.core import CALLBACK_TYPE, callback

from .gateways.base import DeliveryStatus


@dataclass(frozen=True, slots=True)
class LastDelivery:
    """What is known of the last message sent: one send (to all its recipients) or report."""

    status: DeliveryStatus
    changed: datetime
    message_ids: tuple[str | None, ...] = ()
    """The message ids the send got, one per recipient it was taken for."""
    recipients: tuple[str, ...] = ()
    """Every number the status is about, in the order they were sent to."""
    gateway_code: str | None = None
    test: bool = False
    """The gateway took it in test mode (or for its test number): nothing was sent."""

    @property
    def message_id(self) -> str | None:
        """The message id, where the status is about one message."""
        return self.message_ids[0] if len(self.message_ids) == 1 else None

    @property
    def recipient(self) -> str | None:
        """The number, where the status is about one recipient."""
        return self.recipients[0] if len(self.recipients) == 1 else None


@dataclass(frozen=True, slots=True)
class Usage:
    """What the account has sent since it was set up, counted as the gateway charges."""

    messages: int = 0
    """One per recipient the gateway accepted a message for."""
    segments: int = 0
    """Segments times those recipients."""
    today: int = 0
    """Segments counted against the daily limit since local midnight: those accepted, those
    that may have gone out, and those held by sends under way."""


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
        self._reached: dict[str, list[Callable[[], None]]] = {}
        """E.164 number → who wants to know that an action's message reached it."""

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
    def restore_last_delivery(self, delivery: LastDelivery) -> None:
        """Take what the status sensor showed before a restart or reload, if nothing is newer.

        Its listeners are not told: they showed it already.
        """
        if self.last_delivery is None:
            self.last_delivery = delivery

    @callback
    def async_set_usage(self, usage: Usage) -> None:
        """Record what the account has sent and tell its listeners."""
        self.usage = usage
        self._tell_listeners(Aspect.USAGE)

    @callback
    def async_add_reached_listener(
        self, number: str, listener: Callable[[], None]
    ) -> CALLBACK_TYPE:
        """Call ``listener`` when the gateway took an action's message for ``number``."""
        listeners = self._reached.setdefault(number, [])
        listeners.append(listener)
        return lambda: listeners.remove(listener)

    @callback
    def async_tell_reached(self, numbers: Iterable[str]) -> None:
        """The gateway took an action's message for these numbers (each told once)."""
        for number in dict.fromkeys(numbers):
            for listener in list(self._reached.get(number, ())):
                listener()

    def _tell_listeners(self, aspect: Aspect) -> None:
        for listener in list(self._listeners[aspect]):
            listener()
