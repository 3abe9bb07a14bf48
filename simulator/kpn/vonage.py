"""The ``kpn_vonage`` part: Vonage's SMS API as KPN serves it (``POST send``, form).

One reply entry per part, each with its own ``message-id``; refusals are Vonage statuses in an
HTTP 200 reply. Parts are charged one by one: a part the balance no longer covers is refused
with status 9 and no id, after the parts before it went out (and were charged). A send with
``status-report-req=true`` and a ``callback`` gets one signed GET receipt per part that went
out there (see ``__init__``), with the send's ``client-ref``. ``ttl``, ``client-ref`` and the
``inbound`` header are recorded in the message's ``details``. ``POST register``: see
``registration``.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from aiohttp import web

from ..faults import FaultReplies
from ..reports import Callback, ReportSender
from ..segments import UCS2, count_parts
from ..state import STATE_KEY, Fault, GatewayModule, GatewayState, ReceivedMessage, json_response
from .registration import register_callback
from .shared import APIGEE_REPLIES, SIGNATURE_SECRET, require_token

VONAGE_START_CENTS = 1000
VONAGE_PART_CENTS = 7
VONAGE_NETWORK = "20408"
REPORT_STATUSES = {"delivered": "delivered", "undelivered": "failed"}
_NO_CREDIT = "Quota Exceeded - rejected"
MIN_TTL = 20_000
MAX_TTL = 604_800_000
MAX_CLIENT_REF = 40

_SENDER = re.compile(r"[A-Za-z0-9]{1,11}|[0-9]{1,15}")
NUMBER = re.compile(r"[1-9][0-9]{6,14}")
"""An international number without ``+``, as Vonage writes them."""


_FAULT_REPLIES: FaultReplies = {
    **APIGEE_REPLIES,
    Fault.MISSING_FIELDS: lambda _: json_response(
        {"message-count": "1", "messages": [{"status": "0"}]}
    ),
}
"""Apigee's answer under a fault; ``missing_fields``: a part without ``message-id``."""


class KpnVonageSimulator(GatewayModule):
    """Every part costs 0.07 EUR from 10.00 EUR, kept in euro cents (``/_sim/credits``: 1000)."""

    name = "kpn_vonage"
    prefix = "/kpn/communication/nexmo/sms"
    fault_replies = _FAULT_REPLIES
    initial_credits = VONAGE_START_CENTS

    def create_app(self) -> web.Application:
        """Return the send route, behind the token check."""
        app = web.Application(middlewares=[require_token])
        app.router.add_post("/send", self._send)
        app.router.add_post("/register", register_callback)
        return app

    async def _send(self, request: web.Request) -> web.Response:
        state = self._state(request)
        form = {key: str(value) for key, value in (await request.post()).items()}
        sender, to, text = form.get("from", ""), form.get("to", ""), form.get("text", "")
        if not sender or not to or not text:
            return _error("2", "Missing from, to or text param")
        if not _SENDER.fullmatch(sender):
            return _error("15", "Illegal Sender Address - rejected")
        if not NUMBER.fullmatch(to) or form.get("type", "text") not in ("text", "unicode"):
            return _error("3", "Invalid to or type param")
        details = _send_options(form, request.headers.get("inbound", ""))
        if details is None:
            return _error("3", "Invalid ttl or client-ref param")
        segments = _segments(text, form.get("type", "text"))
        paid = min(segments, state.credits // VONAGE_PART_CENTS)
        if not paid:
            return _error("9", _NO_CREDIT)
        parts = [self._part(state, to) for _ in range(paid)]
        refused = [{"to": to, "status": "9", "error-text": _NO_CREDIT}] * (segments - paid)
        callback = form.get("callback")
        if callback and form.get("status-report-req", "false").lower() in ("true", "1"):
            reports: ReportSender = request.config_dict[STATE_KEY].reports
            reference = details.get("client-ref", "")
            reports.schedule(
                [_receipt(reports, callback, part, sender, reference) for part in parts]
            )
        state.messages.append(
            ReceivedMessage(
                gateway=self.name,
                numbers=[f"+{to}"],
                message=text,
                sender=sender,
                message_id=parts[0]["message-id"],
                segments=segments,
                credits_used=paid * VONAGE_PART_CENTS,
                details=details,
            )
        )
        return json_response({"message-count": str(segments), "messages": parts + refused})

    def _part(self, state: GatewayState, to: str) -> dict[str, str]:
        state.credits -= VONAGE_PART_CENTS
        return {
            "to": to,
            "message-id": uuid.uuid4().hex[:16].upper(),
            "status": "0",
            "remaining-balance": f"{state.credits / 100:.8f}",
            "message-price": f"{VONAGE_PART_CENTS / 100:.8f}",
            "network": VONAGE_NETWORK,
        }


def _send_options(form: Mapping[str, str], inbound: str) -> dict[str, str] | None:
    """``ttl`` (ms, Vonage: 20000 to 604800000), ``client-ref`` (<= 40) and the ``inbound``
    header, as recorded; None for a ttl or client-ref Vonage refuses (status 3)."""
    details = {key: form[key] for key in ("ttl", "client-ref") if key in form}
    ttl = details.get("ttl")
    if ttl is not None and not (ttl.isdigit() and MIN_TTL <= int(ttl) <= MAX_TTL):
        return None
    if len(details.get("client-ref", "")) > MAX_CLIENT_REF:
        return None
    if inbound:
        details["inbound"] = inbound
    return details


def _receipt(
    reports: ReportSender, url: str, part: Mapping[str, str], sender: str, reference: str
) -> Callback:
    """A delivery receipt for one part, as Vonage sends it to the callback (GET), with the
    send's ``client-ref`` where it had one."""
    now = datetime.now(UTC)
    status = REPORT_STATUSES[reports.settings.outcome]
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
    if reference:
        params["client-ref"] = reference
    return Callback("GET", url, params=signed(params))


def signed(params: dict[str, str]) -> dict[str, str]:
    """The parameters with ``timestamp``, ``nonce`` and Vonage's MD5-hash ``sig`` added."""
    with_nonce = params | {
        "timestamp": str(int(datetime.now(UTC).timestamp())),
        "nonce": str(uuid.uuid4()),
    }
    text = "".join(
        "&{}={}".format(key, value.replace("&", "_").replace("=", "_"))
        for key, value in sorted(with_nonce.items())
    )
    digest = hashlib.md5((text + SIGNATURE_SECRET).encode()).hexdigest()  # noqa: S324 - Vonage's
    return with_nonce | {"sig": digest}


def _segments(text: str, message_type: str) -> int:
    """``type=unicode`` makes every character UCS-2; ``text`` is GSM-7 where the text allows."""
    return count_parts(text, UCS2 if message_type == "unicode" else None).segments


def _error(status: str, error_text: str) -> web.Response:
    return json_response(
        {"message-count": "1", "messages": [{"status": status, "error-text": error_text}]}
    )


VONAGE_SIMULATOR = KpnVonageSimulator()
