"""SMS Service Center API v2, simulated (gateway-docs/smsservicecenter.txt and NOTES.md).

Mounted at ``/smsservicecenter/api/v2``; the integration's base URL is
``http://127.0.0.1:PORT/smsservicecenter/api/v2/``.

- Bearer ``sim-good-key`` is the one key that works; any other (or none) gets HTTP 401
  ``{"status": "error", "message": "Unauthenticated."}``.
- ``GET credits``, ``POST send``, ``GET sendname``, ``POST sendname``, ``GET history``.
- Errors the gateway reports in the body come with HTTP 200, as the document shows.
- A send costs segments x recipients credits; a ``testmode`` send costs nothing.
- Faults answer as Laravel does (JSON 401, 429 with ``Retry-After`` and ``X-RateLimit-*``,
  500, 503); ``500_credits`` is an HTTP 500 carrying the ``credits.error`` body, as NOTES.md
  says 5xx replies may still carry JSON.
"""

from __future__ import annotations

import math
import re
import uuid
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from .faults import FaultReplies, retry_after_headers, with_headers
from .segments import count_parts
from .state import Fault, GatewayModule, ReceivedMessage, json_response

GOOD_KEY = "sim-good-key"
MAX_NUMBERS = 50
HISTORY_PAGE_SIZE = 50

_SENDNAME = re.compile(r"[A-Za-z0-9]{1,11}")
_NUMBER = re.compile(r"\+?[0-9]{8,15}")


def _error(message: str, **extra: Any) -> web.Response:
    return json_response({"status": "error", "message": message, **extra})


def _success(details: Any) -> web.Response:
    return json_response({"status": "success", "details": details})


def _not_enough_credits(remaining: int, required: int, *, status: int = 200) -> web.Response:
    return json_response(
        {
            "status": "credits.error",
            "message": "Not enough credits",
            "remaining": remaining,
            "required": required,
        },
        status=status,
    )


def _unauthenticated() -> web.Response:
    return json_response({"status": "error", "message": "Unauthenticated."}, status=401)


_FAULT_REPLIES: FaultReplies = {
    Fault.UNAUTHORIZED: lambda _: _unauthenticated(),
    Fault.RATE_LIMITED: lambda state: with_headers(
        json_response({"message": "Too Many Attempts."}, status=429),
        retry_after_headers(state.retry_after)
        | {"X-RateLimit-Limit": "150", "X-RateLimit-Remaining": "0"},
    ),
    # NOTES.md: 5xx replies may still carry JSON.
    Fault.SERVER_ERROR: lambda _: json_response(
        {"status": "error", "message": "Server Error"}, status=500
    ),
    Fault.CREDITS_500: lambda state: _not_enough_credits(
        state.credits, state.credits + 1, status=500
    ),
    Fault.MISSING_FIELDS: lambda _: json_response({"status": "success"}),
    Fault.GARBAGE: lambda _: web.Response(
        status=200,
        text="<!DOCTYPE html><html><body><h1>Be right back.</h1></body></html>",
        content_type="text/html",
    ),
}
"""Its faults, answered as the gateway (a Laravel application) does when that goes wrong."""


class SmsServiceCenterSimulator(GatewayModule):
    """The ``smsservicecenter`` gateway module."""

    name = "smsservicecenter"
    prefix = "/smsservicecenter/api/v2"
    fault_replies = _FAULT_REPLIES
    initial_credits = 100
    default_sender: str | None = "Simulator"
    extra_faults = frozenset({Fault.CREDITS_500})

    def create_app(self) -> web.Application:
        """Return the API's routes, behind the bearer-key check."""
        app = web.Application(middlewares=[_require_key])
        app.router.add_get("/credits", self._credits)
        app.router.add_post("/send", self._send)
        app.router.add_get("/sendname", self._get_sendname)
        app.router.add_post("/sendname", self._set_sendname)
        app.router.add_get("/history", self._history)
        return app

    async def _credits(self, request: web.Request) -> web.Response:
        return _success(self._state(request).credits)

    async def _send(self, request: web.Request) -> web.Response:
        state = self._state(request)
        body = await _read_body(request)
        numbers = _numbers(body.get("numbers"))
        message = body.get("message")
        if not numbers or not isinstance(message, str) or not message:
            return _error("Missing parameters")
        if len(numbers) > MAX_NUMBERS:
            return _error(f"Too many numbers, at most {MAX_NUMBERS} per request")
        if bad := [number for number in numbers if not _NUMBER.fullmatch(number)]:
            return _error(f"Invalid number: {bad[0]}")
        sendname = body.get("sendname")
        if sendname in (None, ""):
            sendname = state.sender
        elif not isinstance(sendname, str) or not _SENDNAME.fullmatch(sendname):
            return _error("Invalid sendname received")
        testmode = _truthy(body.get("testmode"))
        segments = count_parts(message).segments
        required = 0 if testmode else segments * len(numbers)
        if required > state.credits:
            return _not_enough_credits(state.credits, required)
        state.credits -= required
        message_id = str(uuid.uuid4())
        state.messages.append(
            ReceivedMessage(
                gateway=self.name,
                numbers=numbers,
                message=message,
                sender=sendname,
                message_id=message_id,
                segments=segments,
                credits_used=required,
                testmode=testmode,
            )
        )
        return _success({"messageid": message_id, "testmode": testmode})

    async def _get_sendname(self, request: web.Request) -> web.Response:
        sender = self._state(request).sender
        if sender is None:
            return _error("Invalid request")
        return _success(sender)

    async def _set_sendname(self, request: web.Request) -> web.Response:
        sendname = (await _read_body(request)).get("sendname")
        if not isinstance(sendname, str) or not _SENDNAME.fullmatch(sendname):
            return _error("Invalid sendname received")
        self._state(request).sender = sendname
        return _success(sendname)

    async def _history(self, request: web.Request) -> web.Response:
        sent = list(reversed(self._state(request).messages))
        try:
            page = max(1, int(request.query.get("page", "1")))
        except ValueError:
            page = 1
        start = (page - 1) * HISTORY_PAGE_SIZE
        return _success(
            {
                "messages": [
                    {
                        "id": item.message_id,
                        "uuid": item.message_id,
                        "date": _date(item),
                        "datetime": item.received_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                        "sendname": item.sender,
                        "message": item.message,
                        "count": item.credits_used,
                    }
                    for item in sent[start : start + HISTORY_PAGE_SIZE]
                ],
                "totalpages": max(1, math.ceil(len(sent) / HISTORY_PAGE_SIZE)),
                "currentpage": page,
                "items_per_page": HISTORY_PAGE_SIZE,
            }
        )


@web.middleware
async def _require_key(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.headers.get("Authorization", "") != f"Bearer {GOOD_KEY}":
        return _unauthenticated()
    return await handler(request)


async def _read_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, or its form fields; empty when it has neither."""
    if not request.can_read_body:
        return {}
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return dict(await request.post())
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _numbers(value: Any) -> list[str]:
    """``numbers`` as a list or a comma-separated string, blanks dropped."""
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        return []
    return [str(item).strip() for item in items if str(item).strip()]


def _date(item: ReceivedMessage) -> str:
    """The document's ``Thursday 1 January 2020 01:00``."""
    at = item.received_at
    return f"{at:%A} {at.day} {at:%B %Y %H:%M}"


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


SIMULATOR = SmsServiceCenterSimulator()
