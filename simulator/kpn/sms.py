"""The ``kpn_sms`` part: KPN's own SMS API (``POST send``, JSON), behind Apigee's token check.

A send with ``webhook_url`` gets one signed JSON POST per recipient there (see ``__init__``);
its ``expirein`` (a string of seconds, KPN's spec) is recorded in the message's ``details``.
The sender is any text of 1 to 11 characters, spaces too (the document's "Demo App").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from ..faults import FaultReplies
from ..reports import Callback, ReportSender
from ..segments import count_parts
from ..state import STATE_KEY, Fault, GatewayModule, ReceivedMessage, json_response
from .shared import APIGEE_REPLIES, SIGNATURE_SECRET, require_token

MAX_MESSAGES = 200
MAX_CONTENT = 1000
KPN_SIGNATURE_HEADER = "X-KPN-Signature"
REPORT_STATUSES = {"delivered": "DELIVERED", "undelivered": "UNDELIVERED"}

_DUTCH_MOBILE = re.compile(r"\+31(6[1-58][0-9]{7}|970[0-9]{8})")
_KPN_SENDER = re.compile(r".{1,11}", re.DOTALL)


_FAULT_REPLIES: FaultReplies = {
    **APIGEE_REPLIES,
    Fault.MISSING_FIELDS: lambda _: json_response({"status": "OK"}),
}
"""Apigee's answer under a fault; ``missing_fields``: a reply without ``document_id``."""


class KpnSmsSimulator(GatewayModule):
    """KPN SMS: numbers must be Dutch mobile; up to 200 messages of up to 1000 characters."""

    name = "kpn_sms"
    prefix = "/kpn/communication/kpn/sms"
    fault_replies = _FAULT_REPLIES

    def create_app(self) -> web.Application:
        """Return the send route, behind the token check."""
        app = web.Application(middlewares=[require_token])
        app.router.add_post("/send", self._send)
        return app

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
        webhook_url, expirein = body.get("webhook_url"), body.get("expirein")
        if (refusal := _options_refusal(webhook_url, expirein)) is not None:
            return refusal
        document_id = str(uuid.uuid4())
        details = {} if expirein is None else {"expirein": expirein}
        self._record(request, sender, messages, document_id, details)
        if webhook_url:
            reports: ReportSender = request.config_dict[STATE_KEY].reports
            numbers = [message["mobile_number"] for message in messages]
            reports.schedule(_reports(reports, webhook_url, document_id, numbers))
        return json_response({"document_id": document_id, "status": "OK"})

    def _record(
        self,
        request: web.Request,
        sender: str,
        messages: list[Any],
        document_id: str,
        details: dict[str, str],
    ) -> None:
        state = self._state(request)
        state.messages.extend(
            ReceivedMessage(
                gateway=self.name,
                numbers=[message["mobile_number"]],
                message=message["content"],
                sender=sender,
                message_id=document_id,
                segments=count_parts(message["content"]).segments,
                credits_used=0,
                details=dict(details),
            )
            for message in messages
        )


def _options_refusal(webhook_url: Any, expirein: Any) -> web.Response | None:
    """``webhook_url`` must be a URL, ``expirein`` (KPN's spec) a string of seconds."""
    if webhook_url is not None and not isinstance(webhook_url, str):
        return _bad_request("invalid_webhook_url", "webhook_url must be a URL")
    if expirein is not None and not (isinstance(expirein, str) and expirein.isdigit()):
        return _bad_request("invalid_expirein", "expirein must be a string of seconds")
    return None


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


def _reports(
    reports: ReportSender, url: str, document_id: str, numbers: list[str]
) -> list[Callback]:
    status = REPORT_STATUSES[reports.settings.outcome]
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


SMS_SIMULATOR = KpnSmsSimulator()
