"""Sends in several requests: what was accepted is kept when a later request fails."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from .errors import GatewayError, PartialSendError, as_outcome, definitely_not_sent
from .models import Credits, SendReceipt, SentMessage


@dataclass(frozen=True, slots=True)
class Failure:
    """A request that failed, and the recipients it was for."""

    recipients: tuple[str, ...]
    error: GatewayError
    fragment_sent: bool = False
    """Part of the message went out before the rest was refused: the fate is unknown."""

    @property
    def unknown(self) -> bool:
        """Whether these recipients may have had (part of) the message."""
        return self.fragment_sent or not definitely_not_sent(self.error)


def settle(
    recipients: Sequence[str],
    messages: Sequence[SentMessage],
    failures: Sequence[Failure],
    credits: Credits | None = None,
) -> SendReceipt:
    """Return the receipt when nothing failed; else raise what the send's outcome is.

    ``failures`` are in recipient order; a recipient neither accepted nor failed never went
    out. With nothing accepted the failure itself is raised (one whose fate is unknown first,
    so a send that may have gone out is never reported as not sent).
    """
    receipt = SendReceipt(messages=tuple(messages), credits=credits)
    if not failures:
        return receipt
    if not messages:
        raise next((f.error for f in failures if f.unknown), failures[0].error)
    unknown = {recipient for f in failures if f.unknown for recipient in f.recipients}
    accepted = {message.recipient for message in messages}
    raise PartialSendError(
        receipt,
        not_sent=tuple(r for r in recipients if r not in accepted and r not in unknown),
        unknown=tuple(r for r in recipients if r in unknown),
        cause=as_outcome(failures[0].error),
    )


async def fan_out[T](
    items: Sequence[str],
    call: Callable[[str], Awaitable[T]],
    *,
    limit: int,
    stop: Callable[[T | GatewayError], bool],
) -> list[T | GatewayError | None]:
    """Call ``call`` for each item, at most ``limit`` at once, starting them in order.

    Returns each item's result or GatewayError, in item order; None for items never started
    because an earlier result made ``stop`` true. Nothing is called twice.
    """
    if len(items) == 1:
        try:
            return [await call(items[0])]
        except GatewayError as err:
            return [err]
    results: list[T | GatewayError | None] = [None] * len(items)
    pending = iter(range(len(items)))
    stopped = False

    async def worker() -> None:
        nonlocal stopped
        for index in pending:
            if stopped:
                return
            try:
                result: T | GatewayError = await call(items[index])
            except GatewayError as err:
                result = err
            results[index] = result
            stopped = stopped or stop(result)

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(limit, len(items))):
                group.create_task(worker())
    except ExceptionGroup as errors:
        raise errors.exceptions[0] from None
    return results
