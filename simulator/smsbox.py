"""SMSBOX API v1, simulated (gateway-docs/smsbox.txt and NOTES.md).

Mounted at ``/smsbox/api/v1``; the integration's base URL is
``http://127.0.0.1:PORT/smsbox/api/v1``.

- ``sim-smsbox-key`` is the one key that works, in the ``X-Api-Key`` header or as the ``apikey``
  parameter (the document allows both); ``sim-bad-key`` or any other gets the documented code.
- ``POST sendsms`` (form: ``numbers``, ``message``, ``from``, ``longsms``, ``unicode``) answers
  ``{"code": 100, "message": [{"number", "msgid"}]}`` or an error code from the document:
  01 sender characters, 04 key, 05 number without country code, 06 no message, 07 over 160
  characters (918 with ``longsms=1``; escape characters count double), 08 no number, 09 invalid
  number, 10 not enough credits, 11 over 500 numbers, 13 sender too long. Errors come with
  HTTP 200, as the document shows.
- ``GET balance`` answers the credits as a decimal string (``"100.00"``); ``GET auth`` answers
  code 10 for the good key, 20 for none and 21 for another one.
- A send costs one credit per part per recipient; the test number ``3211111111`` costs
  nothing. A send is recorded once, with its msgids joined by commas as ``message_id``.
- The ``401`` fault answers HTTP 401 with ``{"code": 4, ...}``, as NOTES.md says a bad key can;
  ``missing_fields`` answers ``{"code": 100}`` without the numbers and msgids.
- A send with ``noti=<url>`` has one report POSTed there per recipient (the test number too):
  form ``msgid`` and ``status`` ``11`` (delivered) or ``13`` (undelivered), as
  ``POST /_sim/reports`` sets the outcome.
- ``POST voice/send`` (form: ``number``, ``message``, ``lang`` NL/FR/EN, default NL,
  ``gender`` M/F, ``send_at``) answers ``{"code": 10, "message": "Voice is sent", "number"}``,
  or 20/21 for no or another key, 30 no number, 40 no message, 50 a number that is no number or
  a language it has not, 60 too few credits. A call costs one credit and is recorded with
  ``details`` ``kind`` ``voice``, ``lang``, ``gender`` and ``send_at`` (an invalid one is now).
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

from aiohttp import web
from multidict import MultiMapping

from .faults import FaultReplies
from .reports import Callback
from .segments import UCS2, count_parts, septets
from .state import STATE_KEY, Fault, GatewayModule, ReceivedMessage
from .state import json_response as _json

GOOD_KEY = "sim-smsbox-key"
TEST_NUMBER = "3211111111"
MAX_NUMBERS = 500
SINGLE_SMS_LENGTH = 160
LONG_SMS_LENGTH = 918
FIRST_MESSAGE_ID = 15547355
REPORT_STATUSES = {"delivered": "11", "undelivered": "13"}
VOICE_LANGUAGES = frozenset({"NL", "FR", "EN"})
VOICE_CALL_COST = 1

_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]+")
_NUMBER = re.compile(r"[1-9][0-9]{7,14}")


def _code(code: int, message: str) -> web.Response:
    return _json({"code": code, "message": message})


_FAULT_REPLIES: FaultReplies = {
    Fault.UNAUTHORIZED: lambda _: _json({"code": 4, "message": "Apikey not allowed"}, status=401),
    Fault.MISSING_FIELDS: lambda _: _json({"code": 100}),
}
"""A refused key is HTTP 401 with JSON; the other faults are answered the plain way."""


class SmsBoxSimulator(GatewayModule):
    """The ``smsbox`` gateway module."""

    name = "smsbox"
    prefix = "/smsbox/api/v1"
    fault_replies = _FAULT_REPLIES
    initial_credits = 100

    def __init__(self) -> None:
        self._message_ids = itertools.count(FIRST_MESSAGE_ID)

    def create_app(self) -> web.Application:
        """Return the API's routes."""
        app = web.Application()
        app.router.add_post("/sendsms", self._send)
        app.router.add_get("/balance", self._balance)
        app.router.add_get("/auth", self._auth)
        app.router.add_post("/voice/send", self._voice)
        return app

    async def _voice(self, request: web.Request) -> web.Response:
        """``POST voice/send``: one number, the message read out in ``lang``."""
        form = await request.post()
        number, message = str(form.get("number", "")).strip(), str(form.get("message", ""))
        details = {
            "kind": "voice",
            "lang": str(form.get("lang", "NL")),
            "gender": str(form.get("gender", "M")),
            "send_at": _voice_send_at(str(form.get("send_at", ""))),
        }
        if (
            refusal := _voice_refusal(_api_key(request, form), number, message, details)
        ) is not None:
            return refusal
        state = self._state(request)
        if state.credits < VOICE_CALL_COST:
            return _code(60, "Credits low")
        state.credits -= VOICE_CALL_COST
        state.messages.append(
            ReceivedMessage(
                gateway=self.name,
                numbers=[number],
                message=message,
                sender=None,
                message_id="",
                segments=1,
                credits_used=VOICE_CALL_COST,
                details=details,
            )
        )
        return _json({"code": 10, "message": "Voice is sent", "number": number})

    async def _auth(self, request: web.Request) -> web.Response:
        key = _api_key(request, request.query)
        if not key:
            return _code(20, "Apikey not provided")
        if key != GOOD_KEY:
            return _code(21, "Apikey not allowed")
        return _code(10, "Apikey is valid")

    async def _balance(self, request: web.Request) -> web.Response:
        if _api_key(request, request.query) != GOOD_KEY:
            return _code(4, "Apikey not allowed")
        return _code(100, f"{self._state(request).credits:.2f}")

    async def _send(self, request: web.Request) -> web.Response:
        form = await request.post()
        if _api_key(request, form) != GOOD_KEY:
            return _code(4, "Apikey not allowed")
        message = str(form.get("message", ""))
        numbers = [n.strip() for n in str(form.get("numbers", "")).split(",") if n.strip()]
        sender = str(form["from"]) if form.get("from") else None
        # A Response is falsy (an empty mapping), hence the explicit None tests.
        if (refusal := _refusal(message, numbers, sender, form)) is not None:
            return refusal
        state = self._state(request)
        segments = _segments(message, unicode=form.get("unicode") == "1")
        cost = segments * sum(number != TEST_NUMBER for number in numbers)
        if cost > state.credits:
            return _code(10, "Not enough credits")
        state.credits -= cost
        sent = [{"number": number, "msgid": next(self._message_ids)} for number in numbers]
        state.messages.append(
            ReceivedMessage(
                gateway=self.name,
                numbers=numbers,
                message=message,
                sender=sender,
                message_id=",".join(str(item["msgid"]) for item in sent),
                segments=segments,
                credits_used=cost,
                testmode=all(number == TEST_NUMBER for number in numbers),
            )
        )
        noti = form.get("noti")
        if isinstance(noti, str) and noti:
            _schedule_reports(request, noti, [str(item["msgid"]) for item in sent])
        return _json({"code": 100, "message": sent})


def _voice_refusal(
    key: str, number: str, message: str, details: dict[str, str]
) -> web.Response | None:
    """The voice API's code for a call it would not make, or None."""
    if not key:
        return _code(20, "Apikey not provided")
    if key != GOOD_KEY:
        return _code(21, "Apikey not allowed")
    if not number:
        return _code(30, "Number not provided")
    if not message:
        return _code(40, "Message not provided")
    if not _NUMBER.fullmatch(number) or details["lang"] not in VOICE_LANGUAGES:
        return _code(50, "Send voice failed")
    return None


def _voice_send_at(value: str) -> str:
    """``send_at`` as the call takes it: "at an invalid date/time the current one is taken"."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _schedule_reports(request: web.Request, url: str, message_ids: list[str]) -> None:
    """Have one report per recipient POSTed to the send's ``noti`` URL."""
    reports = request.config_dict[STATE_KEY].reports
    status = REPORT_STATUSES[reports.settings.outcome]
    reports.schedule(
        [Callback("POST", url, form={"msgid": msgid, "status": status}) for msgid in message_ids]
    )


def _api_key(request: web.Request, params: MultiMapping[str | bytes | object]) -> str:
    key = request.headers.get("X-Api-Key") or params.get("apikey") or ""
    return key if isinstance(key, str) else ""


def _refusal(
    message: str, numbers: list[str], sender: str | None, form: MultiMapping[str | bytes | object]
) -> web.Response | None:
    """Return the document's error code for a send it would not take, or None."""
    if not message:
        return _code(6, "No message")
    refused = _numbers_refusal(numbers)
    if refused is None and sender is not None:
        refused = _sender_refusal(sender)
    if refused is None:
        refused = _length_refusal(message, longsms=form.get("longsms") == "1")
    return refused


def _numbers_refusal(numbers: list[str]) -> web.Response | None:
    if not numbers:
        return _code(8, "No number")
    if len(numbers) > MAX_NUMBERS:
        return _code(11, "Max 500 number allowed")
    for number in numbers:
        if number.startswith("0"):
            return _code(5, "No prefix")
        if not _NUMBER.fullmatch(number):
            return _code(9, "No valid number")
    return None


def _length_refusal(message: str, *, longsms: bool) -> web.Response | None:
    # The document: escape characters (and the euro sign) count as two.
    length = sum(map(septets, message))
    if length > (LONG_SMS_LENGTH if longsms else SINGLE_SMS_LENGTH):
        return _code(7, "Max char reached")
    return None


def _sender_refusal(sender: str) -> web.Response | None:
    if not (sender.isascii() and _ALPHANUMERIC.fullmatch(sender)):
        return _code(1, "Sender not ok")
    if len(sender) > (16 if sender.isdigit() else 11):
        return _code(13, "Sender too long")
    return None


def _segments(message: str, *, unicode: bool) -> int:
    """Parts the text takes; ``unicode=1`` sends even a GSM-7 text as UCS-2."""
    return count_parts(message, UCS2 if unicode else None).segments


SIMULATOR = SmsBoxSimulator()
