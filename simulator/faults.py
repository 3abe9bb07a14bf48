"""The faults a simulated gateway can fake, and the plain answers of those that answer at all.

Switched per gateway with ``POST /_sim/fault`` (``simulator/app.py``); every request to that
gateway then fails the fault's way until it is cleared. Three kinds:

- Refused before the gateway does anything (nothing is sent or charged): ``401``, ``429``
  (``Retry-After``, see ``retry_after``), ``500``, ``503``, ``500_credits`` (a 500 whose JSON
  body carries the gateway's own reason, only where its document says it has one: SMS Service
  Center's ``credits.error``), ``garbage`` (200 with the gateway's HTML maintenance page),
  ``html200`` (200 with a captive portal's HTML page) and ``drop`` (the request is read, then
  the connection closed without an answer).
- Handled, then the answer spoiled (a send is sent and charged): ``lost_reply`` (the
  connection is closed instead of answering), ``504`` (a proxy's HTML "Gateway Time-out"),
  ``missing_fields`` (200 in the gateway's success shape without its ids or numbers).
- ``slow``: held ``slow_seconds`` (or until cleared), then answered normally.

Each gateway module answers ``401``, ``429``, ``500``, ``503``, ``garbage`` and
``missing_fields`` its own way where its document says how; ``default_fault_response`` is the
plain answer of the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .state import GatewayState

RETRY_AFTER_SECONDS = 30
"""What a ``429`` says to wait unless ``retry_after`` is set."""

type RetryAfter = float | str | None
"""Seconds, a header value sent as it is (an HTTP date), or None for no header."""


class Fault(StrEnum):
    """A way every request to one gateway fails until the fault is cleared."""

    UNAUTHORIZED = "401"
    RATE_LIMITED = "429"
    SERVER_ERROR = "500"
    SLOW = "slow"
    GARBAGE = "garbage"
    UNAVAILABLE = "503"
    GATEWAY_TIMEOUT = "504"
    HTML_200 = "html200"
    DROP = "drop"
    LOST_REPLY = "lost_reply"
    CREDITS_500 = "500_credits"
    MISSING_FIELDS = "missing_fields"


HANDLED_FIRST = frozenset({Fault.LOST_REPLY, Fault.GATEWAY_TIMEOUT, Fault.MISSING_FIELDS})
"""Faults that let the gateway handle the request (and send) before spoiling the answer."""

GATEWAY_SPECIFIC = frozenset({Fault.CREDITS_500})
"""Faults only gateways whose document describes such a reply answer (``extra_faults``)."""

COMMON_FAULTS = frozenset(Fault) - GATEWAY_SPECIFIC
"""Faults every gateway answers."""


def json_response(body: Any, *, status: int = 200) -> web.Response:
    """A JSON reply, ``ensure_ascii`` off as PHP gateways answer."""
    return web.json_response(
        body, status=status, dumps=lambda value: json.dumps(value, ensure_ascii=False)
    )


def html_page(status: int, title: str, text: str | None = None) -> web.Response:
    """A bare HTML page, as a proxy, a captive portal or a maintenance screen answers."""
    return web.Response(
        status=status,
        text=f"<html><head><title>{title}</title></head><body>{text or title}</body></html>",
        content_type="text/html",
    )


def retry_after_headers(retry_after: RetryAfter) -> dict[str, str]:
    """``Retry-After`` as the fault switch set it: seconds, a text sent as it is, or none."""
    if retry_after is None:
        return {}
    if isinstance(retry_after, str):
        return {"Retry-After": retry_after}
    seconds = int(retry_after) if float(retry_after).is_integer() else retry_after
    return {"Retry-After": str(seconds)}


def quota_reset_headers(retry_after: RetryAfter) -> dict[str, str]:
    """KPN's ``quota-reset-UTC`` (when the quota refills) for the same setting."""
    if retry_after is None:
        return {}
    if isinstance(retry_after, str):
        return {"quota-reset-UTC": retry_after}
    reset = datetime.now(UTC) + timedelta(seconds=retry_after)
    return {"quota-reset-UTC": reset.isoformat(timespec="seconds")}


def with_headers(response: web.Response, headers: Mapping[str, str]) -> web.Response:
    """The response with these headers added."""
    response.headers.update(headers)
    return response


type FaultReplies = Mapping[Fault, Callable[[GatewayState], web.Response]]
"""A gateway's own answers to some faults, given its state (``retry_after``, ``credits``)."""

PLAIN_REPLIES: FaultReplies = {
    Fault.UNAUTHORIZED: lambda _: json_response({"message": "Unauthenticated."}, status=401),
    Fault.RATE_LIMITED: lambda state: with_headers(
        json_response({"message": "Too Many Attempts."}, status=429),
        retry_after_headers(state.retry_after),
    ),
    Fault.SERVER_ERROR: lambda _: json_response({"message": "Server Error"}, status=500),
    Fault.UNAVAILABLE: lambda _: json_response({"message": "Service Unavailable"}, status=503),
    Fault.GATEWAY_TIMEOUT: lambda _: html_page(
        504, "504 Gateway Time-out", "The upstream server did not answer."
    ),
    Fault.HTML_200: lambda _: html_page(200, "Wi-Fi login", "Log in to use the internet."),
    Fault.MISSING_FIELDS: lambda _: json_response({}),
    # A 200 that is no JSON at all, as a misconfigured proxy or a maintenance screen answers.
    Fault.GARBAGE: lambda _: html_page(200, "Maintenance", "Back soon"),
}
"""The plain answer of every fault a gateway answers (all but those the middleware does)."""


def fault_reply(fault: Fault, state: GatewayState, own: FaultReplies) -> web.Response:
    """The gateway's ``own`` answer to the fault, else the plain one."""
    return (own.get(fault) or PLAIN_REPLIES[fault])(state)


def default_fault_response(fault: Fault, state: GatewayState) -> web.Response:
    """The plain answer to a fault, for gateways that do not answer it their own way."""
    return fault_reply(fault, state, {})
