"""KPN SMS API (gateway-docs/kpn-sms.txt): Dutch mobile numbers only, behind a KPN token.

``POST {base}/send`` takes JSON ``{"sender", "messages": [{"content", "mobile_number"}]}``
with the number as ``+316...``, up to 200 message x recipient pairs per call, and answers
``{"document_id", "status": "OK"}``: one id for the whole call, which every recipient of it
gets. There is no balance call.

``expirein`` (KPN's spec, NOTES.md: a string of seconds) carries ``OutboundSms.valid_for``.
The sender may hold spaces: the document's own example is ``"sender": "Demo App"``.

Delivery reports: KPN's spec (NOTES.md) takes an optional ``webhook_url`` in the send body and
retries each report up to 4 times; a send with a ``report_url`` names it. The report's format is
documented nowhere we can read, so the parser is lenient and rests on these assumptions:

- a POST whose body is a JSON object (one report) or an array of objects (several), or else a
  form with the same fields;
- the id in ``document_id`` (else ``id``): the send's id, shared by its recipients, so each
  report names its recipient in ``mobile_number`` (else ``msisdn``);
- ``status`` a word such as DELIVERED, UNDELIVERED, EXPIRED, REJECTED, BUFFERED, ACCEPTED,
  FAILED or UNKNOWN, in any case (a word we do not know is UNKNOWN, its text kept as the code);
- ``timestamp`` (else ``date``) in ISO 8601; one without a zone is Dutch local time.

Signed webhooks (also an assumption): with a signature secret, a call must carry the hex
HMAC-SHA256 of its raw body, keyed with the secret, in ``X-KPN-Signature`` or ``X-Signature``
(a ``sha256=`` prefix is allowed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from . import errors
from .base import (
    DUTCH_TIME,
    Capabilities,
    DeliveryReport,
    DeliveryStatus,
    OutboundSms,
    SenderRule,
    SendReceipt,
    WebhookContent,
    WebhookRequest,
    parse_json_object,
)
from .kpn_oauth import KpnGateway

MAX_CONTENT_LENGTH = 1000
SIGNATURE_HEADERS = ("x-kpn-signature", "x-signature")

_REPORT_STATUSES: Mapping[str, DeliveryStatus] = {
    "ACCEPTED": DeliveryStatus.ACCEPTED,
    "BUFFERED": DeliveryStatus.BUFFERED,
    "DELIVERED": DeliveryStatus.DELIVERED,
    "UNDELIVERED": DeliveryStatus.UNDELIVERED,
    "NOT_DELIVERED": DeliveryStatus.UNDELIVERED,
    "EXPIRED": DeliveryStatus.EXPIRED,
    "REJECTED": DeliveryStatus.REJECTED,
    "FAILED": DeliveryStatus.FAILED,
    "UNKNOWN": DeliveryStatus.UNKNOWN,
}
_MAX_REPORTS = 200
"""As many reports as one send has recipients; a longer list is no report of KPN's."""
_MAX_CODE_LENGTH = 40


class KpnSmsGateway(KpnGateway):
    """A KPN API Store app with the SMS API."""

    provider: ClassVar[str] = "kpn_sms"
    name: ClassVar[str] = "KPN SMS"
    default_base_url: ClassVar[str] = "https://api-prd.kpn.com/communication/kpn/sms/"
    home_region: ClassVar[str | None] = "NL"
    capabilities: ClassVar[Capabilities] = Capabilities(
        credits=False,
        max_recipients_per_request=200,
        max_text_length=MAX_CONTENT_LENGTH,
        recipient_country_codes=frozenset({"31"}),
        report_callback=True,
        signed_webhooks=True,
        validity=True,
    )
    # The document's own example sender is "Demo App" (KPN's spec: "KPN API"): spaces are fine.
    sender_rule: ClassVar[SenderRule] = SenderRule(max_alphanumeric=11, required=True, spaces=True)

    async def _send(self, sms: OutboundSms) -> SendReceipt:
        """Send the text in calls of up to 200 recipients; a failing call stops the rest."""
        return await self._send_in_batches(sms, self._send_batch)

    async def _send_batch(self, sms: OutboundSms, recipients: tuple[str, ...]) -> str:
        body: dict[str, Any] = {
            "sender": sms.sender,
            "messages": [
                {"content": sms.text, "mobile_number": recipient} for recipient in recipients
            ],
        }
        if sms.report_url is not None:
            body["webhook_url"] = sms.report_url
        if sms.valid_for is not None:
            body["expirein"] = str(sms.valid_for * 60)
        status, text = await self._authorised_request("POST", "send", json_body=body)
        if status not in (200, 201, 202):
            raise self._api_error(status, text)
        reply = parse_json_object(text)
        document_id = reply.get("document_id")
        if reply.get("status", "OK") != "OK" or not isinstance(document_id, str) or not document_id:
            raise errors.GatewayUnavailableError("unexpected_reply")
        return document_id

    def parse_webhook(self, request: WebhookRequest) -> WebhookContent:
        """Read a delivery report (see the module docstring for what is assumed of it)."""
        if request.method.upper() != "POST":
            raise errors.InvalidWebhookError("method not allowed")
        if self._webhook_secret is not None:
            _verify_signature(request, self._webhook_secret)
        return WebhookContent(reports=tuple(_report(fields) for fields in _report_objects(request)))


def body_signature(body: bytes, secret: str) -> str:
    """Return the hex HMAC-SHA256 of a webhook body, keyed with the signature secret."""
    return hmac.new(secret.encode("utf-8", "surrogatepass"), body, hashlib.sha256).hexdigest()


def _verify_signature(request: WebhookRequest, secret: str) -> None:
    given = _header(request.headers, SIGNATURE_HEADERS).strip().lower().removeprefix("sha256=")
    if not given or not given.isascii():
        raise errors.InvalidWebhookError("bad signature")
    if not hmac.compare_digest(body_signature(request.body, secret), given):
        raise errors.InvalidWebhookError("bad signature")


def _header(headers: Mapping[str, str], names: tuple[str, ...]) -> str:
    """The first of these headers present, whatever the case of its name; "" if none is."""
    by_name = {name.lower(): value for name, value in headers.items() if isinstance(value, str)}
    return next((by_name[name] for name in names if name in by_name), "")


def _report_objects(request: WebhookRequest) -> list[dict[str, Any]]:
    """The JSON object or array of objects in the body; else the form; else no report."""
    try:
        parsed = json.loads(request.body)
    except (ValueError, RecursionError):
        parsed = dict(request.form) if request.form else None
    reports = parsed if isinstance(parsed, list) else [parsed]
    if not 1 <= len(reports) <= _MAX_REPORTS or not all(isinstance(r, dict) for r in reports):
        raise errors.InvalidWebhookError("no report object")
    return reports


def _report(fields: Mapping[str, Any]) -> DeliveryReport:
    status_text = _text(fields, "status")
    if status_text is None:
        raise errors.InvalidWebhookError("no status")
    status = _REPORT_STATUSES.get(status_text.upper().replace(" ", "_").replace("-", "_"))
    message_id = _text(fields, "document_id", "id")
    if message_id is None:
        raise errors.InvalidWebhookError("no document_id")
    return DeliveryReport(
        message_id=message_id,
        status=status or DeliveryStatus.UNKNOWN,
        recipient=_number(_text(fields, "mobile_number", "msisdn")),
        gateway_code=status_text[:_MAX_CODE_LENGTH],
        timestamp=_timestamp(_text(fields, "timestamp", "date")),
    )


def _text(fields: Mapping[str, Any], *keys: str) -> str | None:
    """The first of these fields that holds text (or a number, as ids can be), stripped."""
    for key in keys:
        value = fields.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _number(value: str | None) -> str | None:
    """A number in E.164 where it is plainly international (``31…``, ``0031…``); else as it is."""
    if value is None or not (value.isascii() and value.isdigit()):
        return value
    if value.startswith("00") and len(value) > 2:
        return "+" + value[2:]
    return value if value.startswith("0") else "+" + value


def _timestamp(value: str | None) -> datetime | None:
    """An ISO 8601 time in UTC; one without a zone is taken as Dutch time; None if unreadable."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=DUTCH_TIME)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):  # unreadable, or a time at the ends of the calendar
        return None
