"""What both KPN SMS APIs share: the Apigee gateway in front of them, and the report secret.

Apigee checks ``Authorization: Bearer <token>`` against the tokens ``oauth.py`` issued and,
under a fault, answers as Apigee does (HTTP 401 ``Invalid Access Token``, 429 with a
``quota-reset-UTC`` header, an HTML 502 page).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

from ..reports import LOOPBACK_HOSTS
from ..state import RETRY_AFTER_SECONDS, Fault, json_response

SIGNATURE_SECRET = "sim-signature-secret"
"""Every delivery report and reply is signed with it (give the integration this secret)."""

ISSUED: set[str] = set()
"""Tokens handed out by any simulator in this process (random, so sharing them is harmless)."""


def html(status: int, title: str) -> web.Response:
    """A bare HTML page, as a proxy or a maintenance screen answers."""
    return web.Response(
        status=status,
        text=f"<html><head><title>{title}</title></head><body>{title}</body></html>",
        content_type="text/html",
    )


def invalid_token() -> web.Response:
    """Apigee's answer to a missing, unknown or expired bearer token."""
    return json_response(
        {
            "fault": {
                "faultstring": "Invalid Access Token",
                "detail": {"errorcode": "keymanagement.service.invalid_access_token"},
            }
        },
        status=401,
    )


def apigee_fault(fault: Fault) -> web.Response:
    """What Apigee in front of KPN's APIs answers under a fault."""
    if fault is Fault.UNAUTHORIZED:
        return invalid_token()
    if fault is Fault.RATE_LIMITED:
        reset = datetime.now(UTC) + timedelta(seconds=RETRY_AFTER_SECONDS)
        response = json_response(
            {"errorResponse": {"code": "429", "message": "Too many requests"}}, status=429
        )
        response.headers["quota-reset-UTC"] = reset.isoformat(timespec="seconds")
        return response
    if fault is Fault.SERVER_ERROR:
        return html(502, "502 Bad Gateway")
    return html(200, "Maintenance")


@web.middleware
async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let only requests with an issued bearer token through."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or token not in ISSUED:
        return invalid_token()
    return await handler(request)


def is_loopback(url: str) -> bool:
    """Whether the URL names this machine (the only place the simulator calls)."""
    try:
        return URL(url).host in LOOPBACK_HOSTS
    except ValueError:
        return False
