"""KPN API Store, simulated: its OAuth token and the two SMS APIs behind it.

Three mounted parts share one module, because both SMS APIs take the same app's token
(gateway-docs/kpn-sms.txt, kpn-vonage-sms.txt and NOTES.md):

- ``kpn_oauth`` at ``/kpn/oauth``: ``POST client_credential/accesstoken?grant_type=
  client_credentials`` with the form ``client_id=sim-client``, ``client_secret=sim-secret``
  answers a token living ``expires_in`` = "3599" seconds; any other id or secret gets HTTP 401
  ``{"error": "invalid_client"}``. Faulting ``kpn_oauth`` makes only the token requests fail.
- ``kpn_sms`` at ``/kpn/communication/kpn/sms`` (integration base URL
  ``http://127.0.0.1:PORT/kpn/communication/kpn/sms/``): ``POST send``, JSON. Numbers must be
  Dutch mobile (``+316…`` but not 060/067/069-like ranges, ``+31970…``); up to 200 messages,
  content up to 1000 characters, sender up to 11. Refusals are HTTP 400
  ``{"errorResponse": {"code", "message", "info"}}``. KPN SMS keeps no balance.
- ``kpn_vonage`` at ``/kpn/communication/nexmo/sms``: ``POST send``, form. One reply entry per
  part with its own ``message-id``; every part costs 0.07 EUR from 10.00 EUR. The balance is
  kept in euro cents, so ``/_sim/credits/kpn_vonage`` says 1000. Refusals are Vonage statuses
  in an HTTP 200 reply (2 missing, 3 invalid parameters, 9 no credit, 15 bad sender).

Both SMS APIs want ``Authorization: Bearer <token the token endpoint issued>``; anything else
gets HTTP 401 as Apigee answers. The integration's token URL rule (what precedes
``/communication/`` + ``/oauth/...``) finds ``/kpn/oauth/client_credential/accesstoken``.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from custom_components.benelux_sms.gateways.base import Encoding
from custom_components.benelux_sms.sms import UnmappableCharacterError, count_segments

from .state import (
    RETRY_AFTER_SECONDS,
    STATE_KEY,
    Fault,
    GatewayState,
    ReceivedMessage,
    json_response,
)

GOOD_CLIENT_ID = "sim-client"
GOOD_CLIENT_SECRET = "sim-secret"
TOKEN_LIFETIME = "3599"
MAX_MESSAGES = 200
MAX_CONTENT = 1000
VONAGE_START_CENTS = 1000
VONAGE_PART_CENTS = 7

_DUTCH_MOBILE = re.compile(r"\+31(6[1-58][0-9]{7}|970[0-9]{8})")
_KPN_SENDER = re.compile(r".{1,11}", re.DOTALL)
_VONAGE_SENDER = re.compile(r"[A-Za-z0-9]{1,11}|[0-9]{1,15}")
_VONAGE_NUMBER = re.compile(r"[1-9][0-9]{6,14}")

_ISSUED: set[str] = set()
"""Tokens handed out by any simulator in this process (random, so sharing them is harmless)."""


def _html(status: int, title: str) -> web.Response:
    return web.Response(
        status=status,
        text=f"<html><head><title>{title}</title></head><body>{title}</body></html>",
        content_type="text/html",
    )


def _invalid_token() -> web.Response:
    return json_response(
        {
            "fault": {
                "faultstring": "Invalid Access Token",
                "detail": {"errorcode": "keymanagement.service.invalid_access_token"},
            }
        },
        status=401,
    )


def _kpn_fault(fault: Fault) -> web.Response:
    """What Apigee in front of KPN's APIs answers under a fault."""
    if fault is Fault.UNAUTHORIZED:
        return _invalid_token()
    if fault is Fault.RATE_LIMITED:
        reset = datetime.now(UTC) + timedelta(seconds=RETRY_AFTER_SECONDS)
        response = json_response(
            {"errorResponse": {"code": "429", "message": "Too many requests"}}, status=429
        )
        response.headers["quota-reset-UTC"] = reset.isoformat(timespec="seconds")
        return response
    if fault is Fault.SERVER_ERROR:
        return _html(502, "502 Bad Gateway")
    return _html(200, "Maintenance")


class KpnTokenSimulator:
    """The ``kpn_oauth`` part: the client-credentials token endpoint."""

    name = "kpn_oauth"
    prefix = "/kpn/oauth"
    initial_credits = 0
    default_sender: str | None = None

    def create_app(self) -> web.Application:
        """Return the token route."""
        app = web.Application()
        app.router.add_post("/client_credential/accesstoken", self._token)
        return app

    def fault_response(self, fault: Fault) -> web.Response:
        """The token endpoint's answer under a fault."""
        if fault is Fault.UNAUTHORIZED:
            return json_response({"error": "invalid_client"}, status=401)
        return _kpn_fault(fault)

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if request.query.get("grant_type") != "client_credentials":
            return json_response({"error": "unsupported_grant_type"}, status=400)
        if form.get("client_id") != GOOD_CLIENT_ID or form.get("client_secret") != (
            GOOD_CLIENT_SECRET
        ):
            return json_response({"error": "invalid_client"}, status=401)
        token = secrets.token_urlsafe(20)
        _ISSUED.add(token)
        return json_response(
            {
                "token_type": "Bearer",
                "issued_at": str(int(datetime.now(UTC).timestamp() * 1000)),
                "client_id": GOOD_CLIENT_ID,
                "access_token": token,
                "scope": "",
                "expires_in": TOKEN_LIFETIME,
                "refresh_count": "0",
                "status": "approved",
            }
        )


@web.middleware
async def _require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or token not in _ISSUED:
        return _invalid_token()
    return await handler(request)


class KpnSmsSimulator:
    """The ``kpn_sms`` part: KPN's own SMS API."""

    name = "kpn_sms"
    prefix = "/kpn/communication/kpn/sms"
    initial_credits = 0
    default_sender: str | None = None

    def create_app(self) -> web.Application:
        """Return the send route, behind the token check."""
        app = web.Application(middlewares=[_require_token])
        app.router.add_post("/send", self._send)
        return app

    def fault_response(self, fault: Fault) -> web.Response:
        """Apigee's answer under a fault."""
        return _kpn_fault(fault)

    async def _send(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _bad_request("invalid_body", "Body must be a JSON object")
        sender = body.get("sender")
        messages = body.get("messages")
        if not isinstance(sender, str) or not _KPN_SENDER.fullmatch(sender):
            return _bad_request("invalid_sender", "Invalid sender, at most 11 characters")
        if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
            return _bad_request("invalid_messages", f"Between 1 and {MAX_MESSAGES} messages")
        refusal = _refusal(messages)
        if refusal is not None:  # a Response is an empty mapping, so falsy
            return refusal
        document_id = str(uuid.uuid4())
        self._record(request, sender, messages, document_id)
        return json_response({"document_id": document_id, "status": "OK"})

    def _record(
        self, request: web.Request, sender: str, messages: list[Any], document_id: str
    ) -> None:
        state: GatewayState = request.config_dict[STATE_KEY].gateway(self.name)
        state.messages.extend(
            ReceivedMessage(
                gateway=self.name,
                numbers=[message["mobile_number"]],
                message=message["content"],
                sender=sender,
                message_id=document_id,
                segments=count_segments(message["content"]).segments,
                credits_used=0,
            )
            for message in messages
        )


def _refusal(messages: list[Any]) -> web.Response | None:
    for message in messages:
        if not isinstance(message, dict):
            return _bad_request("invalid_messages", "Every message must be an object")
        content = message.get("content")
        number = message.get("mobile_number")
        if not isinstance(content, str) or not 1 <= len(content) <= MAX_CONTENT:
            return _bad_request("invalid_content", f"content length must be 1 to {MAX_CONTENT}")
        if not isinstance(number, str) or not _DUTCH_MOBILE.fullmatch(number):
            return _bad_request("invalid_mobile_number", "mobile_number is not a Dutch mobile")
    return None


def _bad_request(code: str, message: str) -> web.Response:
    return json_response(
        {"errorResponse": {"code": code, "message": message, "info": "Bad request"}}, status=400
    )


class KpnVonageSimulator:
    """The ``kpn_vonage`` part: Vonage's SMS API as KPN serves it."""

    name = "kpn_vonage"
    prefix = "/kpn/communication/nexmo/sms"
    initial_credits = VONAGE_START_CENTS
    default_sender: str | None = None

    def create_app(self) -> web.Application:
        """Return the send route, behind the token check."""
        app = web.Application(middlewares=[_require_token])
        app.router.add_post("/send", self._send)
        return app

    def fault_response(self, fault: Fault) -> web.Response:
        """Apigee's answer under a fault."""
        return _kpn_fault(fault)

    async def _send(self, request: web.Request) -> web.Response:
        state: GatewayState = request.config_dict[STATE_KEY].gateway(self.name)
        form = {key: str(value) for key, value in (await request.post()).items()}
        sender, to, text = form.get("from", ""), form.get("to", ""), form.get("text", "")
        if not sender or not to or not text:
            return _vonage_error("2", "Missing from, to or text param")
        if not _VONAGE_SENDER.fullmatch(sender):
            return _vonage_error("15", "Illegal Sender Address - rejected")
        if not _VONAGE_NUMBER.fullmatch(to) or form.get("type", "text") not in ("text", "unicode"):
            return _vonage_error("3", "Invalid to or type param")
        segments = _segments(text, form.get("type", "text"))
        if segments * VONAGE_PART_CENTS > state.credits:
            return _vonage_error("9", "Quota Exceeded - rejected")
        parts = [self._part(state, to) for _ in range(segments)]
        state.messages.append(
            ReceivedMessage(
                gateway=self.name,
                numbers=[f"+{to}"],
                message=text,
                sender=sender,
                message_id=parts[0]["message-id"],
                segments=segments,
                credits_used=segments * VONAGE_PART_CENTS,
            )
        )
        return json_response({"message-count": str(segments), "messages": parts})

    def _part(self, state: GatewayState, to: str) -> dict[str, str]:
        state.credits -= VONAGE_PART_CENTS
        return {
            "to": to,
            "message-id": uuid.uuid4().hex[:16].upper(),
            "status": "0",
            "remaining-balance": f"{state.credits / 100:.8f}",
            "message-price": f"{VONAGE_PART_CENTS / 100:.8f}",
            "network": "20408",
        }


def _segments(text: str, message_type: str) -> int:
    encoding = Encoding.UCS2 if message_type == "unicode" else Encoding.GSM7
    try:
        return count_segments(text, encoding).segments
    except UnmappableCharacterError:
        return count_segments(text).segments


def _vonage_error(status: str, error_text: str) -> web.Response:
    return json_response(
        {"message-count": "1", "messages": [{"status": status, "error-text": error_text}]}
    )


TOKEN_SIMULATOR = KpnTokenSimulator()
SMS_SIMULATOR = KpnSmsSimulator()
VONAGE_SIMULATOR = KpnVonageSimulator()
SIMULATORS = (TOKEN_SIMULATOR, SMS_SIMULATOR, VONAGE_SIMULATOR)
"""All three, in the order ``simulator.app.GATEWAYS`` mounts them."""
