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

Delivery reports and replies, through the shared ``ReportSender`` (loopback URLs only), always
signed with ``SIGNATURE_SECRET`` = ``sim-signature-secret`` (give the integration that secret to
have them checked):

- KPN SMS: a send with ``webhook_url`` gets one JSON POST per recipient,
  ``{"document_id", "mobile_number", "status": "DELIVERED" | "UNDELIVERED", "timestamp"}``,
  with the hex HMAC-SHA256 of the body in ``X-KPN-Signature`` (the format is our assumption,
  as in the integration's module: KPN does not publish it).
- KPN Vonage: a send with ``status-report-req=true`` and a ``callback`` gets one GET receipt per
  part (``messageId`` of that part, ``msisdn``, ``to``, ``network-code``, ``price``, ``status``
  ``delivered`` | ``failed``, ``err-code`` 0 | 1, ``scts``, ``message-timestamp``,
  ``timestamp``, ``nonce``) signed with ``sig`` (Vonage's MD5-hash method). The real Vonage
  refuses a callback that is not https (status 23); the simulator takes any, because the demo's
  Home Assistant runs on plain-http loopback (the integration itself still names only https).
- ``POST /_sim/kpn_vonage/inbound`` ``{"url", "from": "+316…", "text", "to": optional}``
  (``CONTROL_ROUTES``, for ``simulator.app`` to add) posts a reply, as Vonage forwards one to a
  number's ``moHttpUrl``: a JSON POST, in ``concat`` parts of 153 characters (67 for Unicode)
  when the text does not fit in one SMS, one call per part, to ``VIRTUAL_NUMBER`` by default.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

from .reports import LOOPBACK_HOSTS, Callback, ReportSender
from .segments import GSM7, UCS2, count_parts, is_gsm7
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
VONAGE_NETWORK = "20408"
SIGNATURE_SECRET = "sim-signature-secret"
VIRTUAL_NUMBER = "3197010000001"
"""The number replies are written to (a Dutch 097 number, as Vonage rents them)."""
KPN_SIGNATURE_HEADER = "X-KPN-Signature"
_CONCAT_PART = {GSM7: (160, 153), UCS2: (70, 67)}
"""Characters in a single SMS, and per part of a long one."""
_REPORT_WORDS = {
    "kpn_sms": {"delivered": "DELIVERED", "undelivered": "UNDELIVERED"},
    "kpn_vonage": {"delivered": "delivered", "undelivered": "failed"},
}

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
        webhook_url = body.get("webhook_url")
        if webhook_url is not None and not isinstance(webhook_url, str):
            return _bad_request("invalid_webhook_url", "webhook_url must be a URL")
        document_id = str(uuid.uuid4())
        self._record(request, sender, messages, document_id)
        if webhook_url:
            reports: ReportSender = request.config_dict[STATE_KEY].reports
            numbers = [message["mobile_number"] for message in messages]
            reports.schedule(_kpn_reports(reports, webhook_url, document_id, numbers))
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
                segments=count_parts(message["content"]).segments,
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


def _kpn_reports(
    reports: ReportSender, url: str, document_id: str, numbers: list[str]
) -> list[Callback]:
    status = _REPORT_WORDS["kpn_sms"][reports.settings.outcome]
    timestamp = datetime.now(UTC).isoformat(timespec="seconds")
    return [
        _signed_json(
            url,
            {
                "document_id": document_id,
                "mobile_number": number,
                "status": status,
                "timestamp": timestamp,
            },
        )
        for number in numbers
    ]


def _signed_json(url: str, body: dict[str, str]) -> Callback:
    """A JSON POST with the HMAC of its body; aiohttp writes ``json=`` as ``json.dumps`` does."""
    raw = json.dumps(body).encode()
    signature = hmac.new(SIGNATURE_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return Callback("POST", url, json_body=body, headers={KPN_SIGNATURE_HEADER: signature})


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
        callback = form.get("callback")
        if callback and form.get("status-report-req", "false").lower() in ("true", "1"):
            reports: ReportSender = request.config_dict[STATE_KEY].reports
            receipts = [_vonage_receipt(reports, callback, part, sender) for part in parts]
            reports.schedule(receipts)
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


def _vonage_receipt(
    reports: ReportSender, url: str, part: Mapping[str, str], sender: str
) -> Callback:
    """A delivery receipt for one part, as Vonage sends it to the callback (GET)."""
    now = datetime.now(UTC)
    status = _REPORT_WORDS["kpn_vonage"][reports.settings.outcome]
    params = {
        "msisdn": part["to"],
        "to": sender,
        "network-code": VONAGE_NETWORK,
        "messageId": part["message-id"],
        "price": part["message-price"],
        "status": status,
        "scts": now.strftime("%y%m%d%H%M"),
        "err-code": "0" if status == "delivered" else "1",
        "message-timestamp": now.strftime("%Y-%m-%d %H:%M:%S"),
    }
    return Callback("GET", url, params=_vonage_signed(params))


def _vonage_signed(params: dict[str, str]) -> dict[str, str]:
    """The parameters with ``timestamp``, ``nonce`` and Vonage's MD5-hash ``sig`` added."""
    signed = params | {
        "timestamp": str(int(datetime.now(UTC).timestamp())),
        "nonce": str(uuid.uuid4()),
    }
    text = "".join(
        "&{}={}".format(key, value.replace("&", "_").replace("=", "_"))
        for key, value in sorted(signed.items())
    )
    digest = hashlib.md5((text + SIGNATURE_SECRET).encode()).hexdigest()  # noqa: S324 - Vonage's
    return signed | {"sig": digest}


async def post_inbound(request: web.Request) -> web.Response:
    """``POST /_sim/kpn_vonage/inbound``: post a reply to a URL, as Vonage forwards one."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _control_error("body must be a JSON object")
    url, sender, text = body.get("url"), body.get("from"), body.get("text")
    to = body.get("to", VIRTUAL_NUMBER)
    if not isinstance(url, str) or not _is_loopback(url):
        return _control_error("url must be a loopback URL")
    if not isinstance(sender, str) or not _VONAGE_NUMBER.fullmatch(sender.removeprefix("+")):
        return _control_error("from must be an international number")
    if not isinstance(text, str) or not text or not isinstance(to, str):
        return _control_error("text must be a non-empty string, to a number")
    calls = _inbound_parts(url, sender.removeprefix("+"), to.removeprefix("+"), text)
    request.config_dict[STATE_KEY].reports.schedule(calls)
    return json_response({"parts": [call.json_body for call in calls]})


CONTROL_ROUTES = (web.post("/_sim/kpn_vonage/inbound", post_inbound),)
"""Control API routes of this module, for ``simulator.app`` to add to the main app."""


def _inbound_parts(url: str, sender: str, to: str, text: str) -> list[Callback]:
    encoding = GSM7 if is_gsm7(text) else UCS2
    single, per_part = _CONCAT_PART[encoding]
    chunks = [text] if len(text) <= single else _chunks(text, per_part)
    base = {
        "msisdn": sender,
        "to": to,
        "type": "text" if encoding == GSM7 else "unicode",
        "keyword": text.split(maxsplit=1)[0].upper() if text.split() else "",
        "message-timestamp": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    reference = str(secrets.randbelow(255) + 1)
    calls = []
    for number, chunk in enumerate(chunks, start=1):
        params = base | {"messageId": uuid.uuid4().hex[:16].upper(), "text": chunk}
        if len(chunks) > 1:
            params |= {
                "concat": "true",
                "concat-ref": reference,
                "concat-total": str(len(chunks)),
                "concat-part": str(number),
            }
        calls.append(Callback("POST", url, json_body=_vonage_signed(params)))
    return calls


def _is_loopback(url: str) -> bool:
    try:
        return URL(url).host in LOOPBACK_HOSTS
    except ValueError:
        return False


def _chunks(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


def _control_error(message: str) -> web.Response:
    return json_response({"error": message}, status=400)


def _segments(text: str, message_type: str) -> int:
    """``type=unicode`` makes every character UCS-2; ``text`` is GSM-7 where the text allows."""
    return count_parts(text, UCS2 if message_type == "unicode" else None).segments


def _vonage_error(status: str, error_text: str) -> web.Response:
    return json_response(
        {"message-count": "1", "messages": [{"status": status, "error-text": error_text}]}
    )


TOKEN_SIMULATOR = KpnTokenSimulator()
SMS_SIMULATOR = KpnSmsSimulator()
VONAGE_SIMULATOR = KpnVonageSimulator()
SIMULATORS = (TOKEN_SIMULATOR, SMS_SIMULATOR, VONAGE_SIMULATOR)
"""All three, in the order ``simulator.app.GATEWAYS`` mounts them."""
