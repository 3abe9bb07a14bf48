"""1601SMS's outbox, simulated (gateway-docs/1601sms.txt: ``datum``, ``outboxid``,
``verwijderbericht``, ``verwijderoutbox``, errors 121 and 122).

- A send with ``datum=yyyymmddhhii`` (Dutch time) is checked as any send (the same errors),
  then held: ``OK <outbox id>`` with ``outboxid=ja``, else a bare ``OK``. A ``datum`` that is
  not twelve digits of a real time, or not after the current minute, is ``ERROR 121``.
- Held messages cost nothing; at their time (the event loop's timer, from the wall clock) the
  gateway sends them: each becomes a received message and costs segments x recipients then
  (nothing in test mode). One that the credits no longer cover is dropped, as the gateway does
  without a word.
- ``action=verwijderbericht&id=<outbox id>`` removes one (``OK``); ``&naar=<number>`` removes
  those to that number; ``action=verwijderoutbox`` empties it. Nothing to remove is
  ``ERROR 122``.
- Control, beside ``gateway.php`` (so under the gateway's prefix): ``GET _sim/outbox`` lists
  what is held; ``POST _sim/outbox/release`` sends it all now, as if its time had come.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiDict

from .state import GatewayState

DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
SCHEDULE_REFUSED = 121
NOTHING_TO_REMOVE = 122
REMOVE_ONE = "verwijderbericht"
REMOVE_ALL = "verwijderoutbox"
ACTIONS = frozenset({REMOVE_ONE, REMOVE_ALL})

_DATUM = re.compile(r"[0-9]{12}")
_outbox_ids = itertools.count(880001)


@dataclass(slots=True)
class HeldMessage:
    """A message the outbox holds until its time."""

    outbox_id: str
    due: datetime
    numbers: list[str]
    message: str
    sender: str
    segments: int
    testmode: bool
    state: GatewayState
    timer: asyncio.TimerHandle | None = None

    def as_json(self) -> dict[str, object]:
        """Return the shape ``GET _sim/outbox`` lists."""
        return {
            "outbox_id": self.outbox_id,
            "due": self.due.isoformat(),
            "numbers": list(self.numbers),
            "message": self.message,
            "sender": self.sender,
            "segments": self.segments,
        }


type Deliver = Callable[[HeldMessage], None]
"""Sends a held message as the gateway does at its time (charged then)."""


class Outbox:
    """The messages one simulated 1601SMS account holds."""

    def __init__(self, deliver: Deliver) -> None:
        self._deliver = deliver
        self.held: dict[str, HeldMessage] = {}

    def hold(self, datum: str, draft: HeldMessage) -> HeldMessage | None:
        """Keep the message until ``datum``; None where that is no time to hold it to (121)."""
        if (due := _due(datum)) is None:
            return None
        message = replace(draft, outbox_id=str(next(_outbox_ids)), due=due)
        delay = max(0.0, (due - datetime.now(UTC)).total_seconds())
        message.timer = asyncio.get_running_loop().call_later(delay, self._send, message.outbox_id)
        self.held[message.outbox_id] = message
        return message

    def remove(self, fields: MultiDict[str]) -> int | None:
        """Remove what the action names; return ``NOTHING_TO_REMOVE`` when nothing matched."""
        if fields.get("action") == REMOVE_ALL:
            chosen = list(self.held)
        elif outbox_id := fields.get("id", "").strip():
            chosen = [outbox_id] if outbox_id in self.held else []
        else:
            number = fields.get("naar", "").strip()
            chosen = [key for key, held in self.held.items() if number and number in held.numbers]
        for outbox_id in chosen:
            held = self.held.pop(outbox_id)
            if held.timer is not None:
                held.timer.cancel()
        return None if chosen else NOTHING_TO_REMOVE

    def release(self) -> int:
        """Send everything held now; return how many."""
        outbox_ids = list(self.held)
        for outbox_id in outbox_ids:
            self._send(outbox_id)
        return len(outbox_ids)

    def close(self) -> None:
        """Stop the timers (the simulator stops)."""
        for held in self.held.values():
            if held.timer is not None:
                held.timer.cancel()

    def _send(self, outbox_id: str) -> None:
        if (held := self.held.pop(outbox_id, None)) is None:
            return
        if held.timer is not None:
            held.timer.cancel()
        self._deliver(held)


def _due(datum: str) -> datetime | None:
    """The ``datum``'s moment, where it is a real time after the current minute."""
    if not _DATUM.fullmatch(datum):
        return None
    try:
        due = datetime.strptime(datum, "%Y%m%d%H%M").replace(tzinfo=DUTCH_TIME)
    except ValueError:
        return None
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return due.astimezone(UTC) if due > now else None


OUTBOX_KEY = web.AppKey("sms1601_outbox", Outbox)


async def list_outbox(request: web.Request) -> web.Response:
    """``GET _sim/outbox``: what the outbox holds, the soonest first."""
    held = sorted(request.app[OUTBOX_KEY].held.values(), key=lambda message: message.due)
    return web.json_response({"held": [message.as_json() for message in held]})


async def release_outbox(request: web.Request) -> web.Response:
    """``POST _sim/outbox/release``: the gateway's time comes for everything held."""
    return web.json_response({"sent": request.app[OUTBOX_KEY].release()})
