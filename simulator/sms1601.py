"""1601SMS Gateway API, simulated (gateway-docs/1601sms.txt and NOTES.md).

Mounted at ``/sms1601/module``, so ``gateway.php`` answers at
``http://127.0.0.1:PORT/sms1601/module/gateway.php``; the integration's base URL is
``http://127.0.0.1:PORT/sms1601/module/`` (or that full endpoint address).

- ``klantuser`` ``sim-user`` with ``klantpwd`` the SHA-1 (lower-case hex) of ``sim-password``
  is the one account that works. The plain password, any other pair, is ``ERROR 104``;
  a missing user or password is ``ERROR 100`` / ``ERROR 101``.
- GET and POST both work, with the parameters in the query, the form body or both, as PHP's
  ``$_REQUEST`` reads them.
- ``action=credits`` answers the bare number; anything else is a send.
- A send checks as the document lists: 102 no text, 103 no number, 106 a number that is not
  8-15 digits starting with the country code, 112 calling code 999 (none), 107 calling code 7
  (a country this account cannot reach), 109 no sender, 110 a numeric sender without ``+``,
  111 a sender over 12 characters, 113 a sender with other than letters and digits, 117 the
  sender ``Politie``, 105 over 160 characters without ``type=long``, 118 over 459 characters
  or 3 parts, 108 not enough credits.
- A send costs segments x recipients credits; ``test=ja`` costs nothing. The reply is
  ``OK <id>`` with ``delivery=ja``, else ``OK``; replies end with a newline, as PHP's echo does.
  A send's ``referentie`` is recorded in the message's ``details``.
- ``gatewayrapport.php?smsid=<id>`` (no account, as in the document) answers ``SUBMITTED``
  until the report delay of ``POST /_sim/reports`` has passed since the send (by the event
  loop's clock; at once with delay 0), then ``DELIVERED`` or ``NOT DELIVERED`` as its outcome
  was at the send; with ``datum=ja`` followed by the last change as ``dd/mm/yyyy uu:mm:ss``
  (Dutch time). An id the gateway does not have (any more), or of a send without
  ``delivery=ja``, is ``NONE``; no smsid is ``ERROR 123``, one that is not a number
  ``ERROR 124``.
- A send with ``delivery=ja``, while ``POST /_sim/portal/sms1601`` has set a URL, has one report
  called there (per send, as the send has one id): a GET with ``smsid``, ``datum``
  (``yyyymmdduummss``, Dutch time), ``status`` and the send's ``referentie``.
- Scheduled sends (``datum``, ``outboxid``, ``emailen``) and their removal: ``sms1601_outbox``.
- Faults answer as Apache in front of PHP does: plain text 401, 429, 500 and 503;
  ``missing_fields`` is a bare ``OK`` (no id, not a number).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiDict

from . import sms1601_outbox as outbox
from .faults import FaultReplies, retry_after_headers, with_headers
from .reports import Callback
from .segments import count_parts
from .state import STATE_KEY, Fault, GatewayModule, ReceivedMessage

GOOD_USER = "sim-user"
GOOD_PASSWORD = "sim-password"
GOOD_PASSWORD_HASH = hashlib.sha1(GOOD_PASSWORD.encode(), usedforsecurity=False).hexdigest()
FORBIDDEN_SENDER = "Politie"
SINGLE_LENGTH = 160
LONG_LENGTH = 459
LONG_PARTS = 3
MAX_SENDER_NAME = 12
FINAL_STATUSES = {"delivered": "DELIVERED", "undelivered": "NOT DELIVERED"}
PENDING_STATUS = "SUBMITTED"
DUTCH_TIME = ZoneInfo("Europe/Amsterdam")

_NUMBER = re.compile(r"[1-9][0-9]{7,14}")
_SENDER_NAME = re.compile(r"[A-Za-z0-9]+")
_SENDER_NUMBER = re.compile(r"\+[0-9]{1,16}")
_message_ids = itertools.count(1234567)


@dataclass(frozen=True, slots=True)
class _Report:
    """What becomes of one sent message: its final status after ``delay`` seconds."""

    sent_at: float
    """The event loop's clock at the send."""
    sent_at_wall: datetime
    delay: float
    final_status: str

    def status(self, now: float) -> tuple[str, datetime]:
        """The status at loop time ``now`` and when it last changed."""
        if now - self.sent_at >= self.delay:
            return self.final_status, self.sent_at_wall + timedelta(seconds=self.delay)
        return PENDING_STATUS, self.sent_at_wall


REPORTS_KEY = web.AppKey("sms1601_reports", dict[str, _Report])


def _plain(text: str, *, status: int = 200) -> web.Response:
    return web.Response(status=status, text=f"{text}\n", content_type="text/html")


def _error(code: int) -> web.Response:
    return _plain(f"ERROR {code}")


_FAULT_REPLIES: FaultReplies = {
    Fault.UNAUTHORIZED: lambda _: _plain("Unauthorized", status=401),
    Fault.RATE_LIMITED: lambda state: with_headers(
        _plain("Too Many Requests", status=429), retry_after_headers(state.retry_after)
    ),
    Fault.SERVER_ERROR: lambda _: _plain("<h1>500 Internal Server Error</h1>", status=500),
    Fault.UNAVAILABLE: lambda _: _plain("<h1>503 Service Unavailable</h1>", status=503),
    Fault.MISSING_FIELDS: lambda _: _plain("OK"),
    Fault.GARBAGE: lambda _: _plain(
        "<html><head><title>Onderhoud</title></head><body>Zo terug</body></html>"
    ),
}
"""Its faults, answered as a PHP script behind Apache does when that goes wrong."""


class Sms1601Simulator(GatewayModule):
    """The ``sms1601`` gateway module."""

    name = "sms1601"
    prefix = "/sms1601/module"
    fault_replies = _FAULT_REPLIES
    initial_credits = 100

    def create_app(self) -> web.Application:
        """Return ``gateway.php`` and ``gatewayrapport.php``, for GET and POST."""
        app = web.Application()
        app[REPORTS_KEY] = {}
        app.router.add_route("*", "/gateway.php", self._gateway)
        app.router.add_route("*", "/gatewayrapport.php", self._report)
        return app

    async def _gateway(self, request: web.Request) -> web.Response:
        fields = await _fields(request)
        if error := _account_error(fields):
            return _error(error)
        state = self._state(request)
        outbox.send_due(state, datetime.now(UTC))
        action = fields.get("action")
        if action == "credits":
            return _plain(str(state.credits))
        if action in ("verwijderbericht", "verwijderoutbox"):
            refused = outbox.remove(state, fields)
            return _error(refused) if refused else _plain("OK")
        return self._send(request, fields)

    async def _report(self, request: web.Request) -> web.Response:
        fields = await _fields(request)
        message_id = fields.get("smsid", "").strip()
        if not message_id:
            return _error(123)
        if not (message_id.isascii() and message_id.isdigit()):
            return _error(124)
        report = request.app[REPORTS_KEY].get(message_id)
        messages = self._state(request).messages
        if report is None or all(sent.message_id != message_id for sent in messages):
            return _plain("NONE")
        status, changed = report.status(asyncio.get_running_loop().time())
        if fields.get("datum") == "ja":
            status += f" {changed.astimezone(DUTCH_TIME):%d/%m/%Y %H:%M:%S}"
        return _plain(status)

    def _send(self, request: web.Request, fields: MultiDict[str]) -> web.Response:
        message = fields.get("bericht", "")
        numbers = [number.strip() for number in fields.get("naar", "").split(",")]
        numbers = [number for number in numbers if number]
        sender = fields.get("afzender", "")
        if error := _message_error(message, numbers, sender, long=fields.get("type") == "long"):
            return _error(error)
        state = self._state(request)
        segments = count_parts(message).segments
        testmode = fields.get("test") == "ja"
        if "datum" in fields:
            due = outbox.due_time(fields["datum"], datetime.now(UTC))
            if due is None:
                return _error(outbox.DATE_IN_PAST)
            held = outbox.new_held(
                fields,
                due,
                numbers=numbers,
                message=message,
                sender=sender,
                segments=segments,
                testmode=testmode,
            )
            return _plain(outbox.hold(state, fields, held))
        required = 0 if testmode else segments * len(numbers)
        if required > state.credits:
            return _error(108)
        state.credits -= required
        message_id = str(next(_message_ids))
        reference = fields.get("referentie", "")
        received = ReceivedMessage(
            gateway=self.name,
            numbers=numbers,
            message=message,
            sender=sender,
            message_id=message_id,
            segments=segments,
            credits_used=required,
            testmode=testmode,
            details={"referentie": reference} if reference else {},
        )
        state.messages.append(received)
        if fields.get("delivery") != "ja":
            return _plain("OK")
        self._report_later(request, received, reference)
        return _plain(f"OK {message_id}")

    def _report_later(self, request: web.Request, sent: ReceivedMessage, reference: str) -> None:
        """Keep the message's report for polling; call the portal URL where one is set."""
        reports = request.config_dict[STATE_KEY].reports
        report = _Report(
            sent_at=asyncio.get_running_loop().time(),
            sent_at_wall=sent.received_at,
            delay=reports.settings.delay,
            final_status=FINAL_STATUSES[reports.settings.outcome],
        )
        request.app[REPORTS_KEY][sent.message_id] = report
        if url := reports.portal_urls.get(self.name):
            changed = sent.received_at + timedelta(seconds=report.delay)
            params = {
                "smsid": sent.message_id,
                "datum": f"{changed.astimezone(DUTCH_TIME):%Y%m%d%H%M%S}",
                "status": report.final_status,
                "referentie": reference,
            }
            reports.schedule([Callback("GET", url, params=params)])


async def _fields(request: web.Request) -> MultiDict[str]:
    """The query and the form's text fields together, as PHP's ``$_REQUEST`` reads them."""
    fields: MultiDict[str] = MultiDict(request.query)
    if request.method == "POST":
        fields.extend(
            (key, value) for key, value in (await request.post()).items() if isinstance(value, str)
        )
    return fields


def _account_error(fields: MultiDict[str]) -> int | None:
    if not fields.get("klantuser"):
        return 100
    if not fields.get("klantpwd"):
        return 101
    if (fields["klantuser"], fields["klantpwd"]) != (GOOD_USER, GOOD_PASSWORD_HASH):
        return 104
    return None


def _message_error(message: str, numbers: list[str], sender: str, *, long: bool) -> int | None:
    if not message:
        return 102
    if not numbers:
        return 103
    number_error = next(filter(None, map(_number_error, numbers)), None)
    return number_error or _sender_error(sender) or _length_error(message, long=long)


def _length_error(message: str, *, long: bool) -> int | None:
    if len(message) > SINGLE_LENGTH and not long:
        return 105
    if len(message) > LONG_LENGTH or count_parts(message).segments > LONG_PARTS:
        return 118
    return None


def _number_error(number: str) -> int | None:
    if not _NUMBER.fullmatch(number):
        return 106
    if number.startswith("999"):
        return 112
    if number.startswith("7"):
        return 107
    return None


def _sender_error(sender: str) -> int | None:
    if sender.startswith("+"):
        return None if _SENDER_NUMBER.fullmatch(sender) else 113
    return _first_error(
        (not sender, 109),
        (sender.isdigit(), 110),
        (not _SENDER_NAME.fullmatch(sender), 113),
        (len(sender) > MAX_SENDER_NAME, 111),
        (sender == FORBIDDEN_SENDER, 117),
    )


def _first_error(*checks: tuple[bool, int]) -> int | None:
    return next((code for failed, code in checks if failed), None)


SIMULATOR = Sms1601Simulator()
