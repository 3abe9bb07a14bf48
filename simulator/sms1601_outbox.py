"""1601SMS's outbox, simulated (gateway-docs/1601sms.txt: ``datum``, ``outboxid``, ``emailen``,
``action=verwijderbericht``, ``action=verwijderoutbox``, errors 121 and 122).

- A send with ``datum=yyyymmddhhii`` (Dutch time) passes the send's checks, then is held in the
  outbox instead of sent: ``ERROR 121`` for a date that is not 12 digits of a real minute, or
  not after the current minute. The reply is ``OK <outboxid>`` with ``outboxid=ja``, else
  ``OK``. Nothing is charged yet.
- When it is due the message is sent as any send is: charged then (segments x numbers,
  nothing with ``test=ja``), and recorded in ``/_sim/messages`` with ``details`` ``outboxid``,
  ``referentie``, ``datum`` and ``email`` (``nee`` with ``emailen=nee``). Without the credits
  it is dropped, as a due message the account cannot pay for. It has no delivery report.
  "Due" is checked by a timer at the due time, at every request to ``gateway.php``, and by
  ``POST /_sim/sms1601/outbox/send_due`` ``{"now": ISO time}``, which sends everything due by
  then at once (so tests need not wait). ``GET /_sim/sms1601/outbox`` lists what is held.
- ``action=verwijderbericht`` with ``id=<outboxid>`` (or ``naar=<number>``: every held message
  to that number) removes it and answers ``OK``; ``ERROR 122`` when nothing matches.
  ``action=verwijderoutbox`` empties the outbox (``OK``, or ``ERROR 122`` when it was empty).
"""

from __future__ import annotations

import asyncio
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiDict

from .state import STATE_KEY, GatewayState, ReceivedMessage, json_response

NAME = "sms1601"
DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
DATE_IN_PAST = 121
NOTHING_TO_REMOVE = 122
_DATUM = re.compile(r"[0-9]{12}")
_outbox_ids = itertools.count(8800001)


@dataclass(slots=True)
class Held:
    """One message in the outbox."""

    outbox_id: str
    due: datetime
    numbers: list[str]
    message: str
    sender: str
    segments: int
    testmode: bool
    reference: str
    email: bool
    timer: asyncio.TimerHandle | None = None

    def as_json(self) -> dict[str, Any]:
        """What ``GET /_sim/sms1601/outbox`` lists."""
        return {
            "outboxid": self.outbox_id,
            "due": self.due.isoformat(),
            "numbers": list(self.numbers),
            "message": self.message,
            "sender": self.sender,
            "testmode": self.testmode,
            "referentie": self.reference,
            "email": self.email,
        }


def due_time(datum: str, now: datetime) -> datetime | None:
    """The UTC time ``datum`` names, or None where the gateway answers 121."""
    if not _DATUM.fullmatch(datum):
        return None
    try:
        due = datetime.strptime(datum, "%Y%m%d%H%M").replace(tzinfo=DUTCH_TIME).astimezone(UTC)
    except ValueError:
        return None
    return due if due > now.replace(second=0, microsecond=0) else None


def hold(state: GatewayState, fields: MultiDict[str], held: Held) -> str:
    """Put a checked message in the outbox; return the reply's text."""
    state.outbox[held.outbox_id] = held
    delay = max(0.0, (held.due - datetime.now(UTC)).total_seconds())
    held.timer = asyncio.get_running_loop().call_later(
        delay, lambda: send_due(state, datetime.now(UTC))
    )
    return f"OK {held.outbox_id}" if fields.get("outboxid") == "ja" else "OK"


def new_held(fields: MultiDict[str], due: datetime, **message: Any) -> Held:
    """A message for the outbox, with a fresh outbox id."""
    return Held(
        outbox_id=str(next(_outbox_ids)),
        due=due,
        reference=fields.get("referentie", ""),
        email=fields.get("emailen") != "nee",
        **message,
    )


def send_due(state: GatewayState, now: datetime) -> list[str]:
    """Send every held message due by ``now``, oldest first; return their outbox ids."""
    due = sorted((held for held in state.outbox.values() if held.due <= now), key=_due)
    for held in due:
        del state.outbox[held.outbox_id]
        if held.timer is not None:
            held.timer.cancel()
        _send(state, held)
    return [held.outbox_id for held in due]


def _due(held: Held) -> datetime:
    return held.due


def _send(state: GatewayState, held: Held) -> None:
    required = 0 if held.testmode else held.segments * len(held.numbers)
    if required > state.credits:
        return
    state.credits -= required
    state.messages.append(
        ReceivedMessage(
            gateway=NAME,
            numbers=list(held.numbers),
            message=held.message,
            sender=held.sender,
            message_id=held.outbox_id,
            segments=held.segments,
            credits_used=required,
            testmode=held.testmode,
            details={
                "outboxid": held.outbox_id,
                "referentie": held.reference,
                "datum": f"{held.due.astimezone(DUTCH_TIME):%Y%m%d%H%M}",
                "email": "ja" if held.email else "nee",
            },
        )
    )


def remove(state: GatewayState, fields: MultiDict[str]) -> int | None:
    """``verwijderbericht`` (by ``id`` or ``naar``) or ``verwijderoutbox``; None for ``OK``."""
    if fields.get("action") == "verwijderoutbox":
        matching = list(state.outbox.values())
    elif outbox_id := fields.get("id", "").strip():
        matching = [state.outbox[outbox_id]] if outbox_id in state.outbox else []
    else:
        number = fields.get("naar", "").strip()
        matching = [held for held in state.outbox.values() if number and number in held.numbers]
    if not matching:
        return NOTHING_TO_REMOVE
    for held in matching:
        del state.outbox[held.outbox_id]
        if held.timer is not None:
            held.timer.cancel()
    return None


async def _list(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY].gateway(NAME)
    return json_response([held.as_json() for held in sorted(state.outbox.values(), key=_due)])


async def _send_due_now(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY].gateway(NAME)
    body = await request.json() if request.can_read_body else {}
    raw = body.get("now") if isinstance(body, dict) else None
    try:
        now = datetime.fromisoformat(raw) if isinstance(raw, str) else datetime.now(UTC)
    except ValueError:
        return json_response({"error": "now must be an ISO 8601 time"}, status=400)
    if now.tzinfo is None:
        return json_response({"error": "now must have a zone"}, status=400)
    return json_response({"sent": send_due(state, now)})


CONTROL_ROUTES = (
    web.get("/_sim/sms1601/outbox", _list),
    web.post("/_sim/sms1601/outbox/send_due", _send_due_now),
)
"""Control API routes, for ``simulator.app`` to add to the main app."""
