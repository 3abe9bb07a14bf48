"""1601SMS's outbox: messages the gateway holds and sends at a set time (gateway-docs/1601sms.txt).

A send with ``datum=yyyymmddhhii`` (Dutch local time, to the minute) and ``outboxid=ja`` is
"added to the outbox and scheduled to the specified date / time"; the reply is ``OK`` and "a
unique outboxID", which ``action=verwijderbericht&id=OUTBOXID`` removes again (``OK``, or
``ERROR 122``: "no matching message was found"). A date in the past or not correct is
``ERROR 121``. ``emailen=nee`` turns off the e-mail 1601SMS sends after a scheduled message went.

What a scheduled message's receipt is: only the outbox id. The message gets its ``smsid`` when
the gateway sends it, and the integration never learns that id. The document asks for
``delivery=ja`` to have reports and gives one id per reply; a scheduled send needs that id to be
the outbox id (its only handle to cancel), so it does not ask for reports: none come for it.
It still carries its ``referentie``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from . import errors
from .base import DUTCH_TIME

SCHEDULE_SWITCHES = {"outboxid": "ja", "emailen": "nee"}
CANCEL_ACTION = "verwijderbericht"
_OUTBOX_ID = re.compile(r"[0-9]{1,20}")
_OK_WITH_ID = re.compile(r"OK\s+([0-9]{1,20})", re.IGNORECASE)


def datum(send_at: datetime, now: datetime) -> str:
    """``send_at`` as ``yyyymmddhhii`` in Dutch time, rounded up to the minute: never early.

    Raise InvalidScheduleError for a naive time or one not after ``now`` (the gateway's 121).
    In the hour the clocks go back, Dutch local time names two moments; the gateway takes its
    own reading of it, so a message due then can go out up to an hour off.
    """
    if send_at.tzinfo is None or send_at.utcoffset() is None:
        raise errors.InvalidScheduleError("send_at_naive")
    due = send_at.astimezone(UTC)
    if due.second or due.microsecond:
        due = due.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if due <= now:
        raise errors.InvalidScheduleError("send_at_past")
    return f"{due.astimezone(DUTCH_TIME):%Y%m%d%H%M}"


def outbox_id(reply: str) -> str:
    """The outbox id of an ``OK <id>`` reply to a scheduled send."""
    accepted = _OK_WITH_ID.fullmatch(reply)
    if accepted is None:
        # The gateway took something (an OK) but gave no id to cancel it by.
        raise errors.OutcomeUnknownError("no_outbox_id")
    return accepted.group(1)


def checked_outbox_id(schedule_id: str) -> str:
    """An id as the gateway gives them (digits); any other cannot be in its outbox."""
    if not _OUTBOX_ID.fullmatch(schedule_id):
        raise errors.ScheduleNotFoundError("not_an_outbox_id")
    return schedule_id


def check_cancelled(reply: str) -> None:
    """``OK`` is the document's answer to a removal; anything else makes no sense."""
    if reply.upper() != "OK":
        raise errors.GatewayUnavailableError("unexpected_reply")
