"""What both KPN SMS APIs share: the Apigee gateway in front of them, and the report secret.

Apigee checks ``Authorization: Bearer <token>`` against the tokens ``oauth.py`` issued and,
under a fault, answers as Apigee does (HTTP 401 ``Invalid Access Token``, 429 with a
``quota-reset-UTC`` header, an HTML 502 page for ``500``, its JSON fault for ``503``).
``POST /_sim/kpn_oauth/revoke`` makes every token issued so far invalid, as when they expire
early: the next API call with one gets the 401.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

from ..faults import (
    Fault,
    FaultReplies,
    html_page,
    json_response,
    quota_reset_headers,
    with_headers,
)
from ..reports import LOOPBACK_HOSTS
from ..state import STATE_KEY

SIGNATURE_SECRET = "sim-signature-secret"
"""Every delivery report and reply is signed with it (give the integration this secret)."""

TOKEN_ISSUER = "kpn_oauth"
"""The part whose ``GatewayState.tokens`` both SMS APIs accept."""


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


APIGEE_REPLIES: FaultReplies = {
    Fault.UNAUTHORIZED: lambda _: invalid_token(),
    Fault.RATE_LIMITED: lambda state: with_headers(
        json_response(
            {"errorResponse": {"code": "429", "message": "Too many requests"}}, status=429
        ),
        quota_reset_headers(state.retry_after),
    ),
    Fault.SERVER_ERROR: lambda _: html_page(502, "502 Bad Gateway"),
    Fault.UNAVAILABLE: lambda _: json_response(
        {
            "fault": {
                "faultstring": "The Service is temporarily unavailable",
                "detail": {"errorcode": "messaging.adaptors.http.flow.ServiceUnavailable"},
            }
        },
        status=503,
    ),
    Fault.GARBAGE: lambda _: html_page(200, "Maintenance"),
}
"""What Apigee in front of KPN's APIs answers under a fault."""


def issued_tokens(request: web.Request) -> set[str]:
    """The tokens the simulated KPN API Store has handed out."""
    return request.config_dict[STATE_KEY].gateway(TOKEN_ISSUER).tokens


async def revoke_tokens(request: web.Request) -> web.Response:
    """``POST /_sim/kpn_oauth/revoke``: every token issued so far stops working."""
    tokens = issued_tokens(request)
    revoked = len(tokens)
    tokens.clear()
    return json_response({"revoked": revoked})


@web.middleware
async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let only requests with an issued bearer token through."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or token not in issued_tokens(request):
        return invalid_token()
    return await handler(request)


def is_loopback(url: str) -> bool:
    """Whether the URL names this machine (the only place the simulator calls)."""
    try:
        return URL(url).host in LOOPBACK_HOSTS
    except ValueError:
        return False
