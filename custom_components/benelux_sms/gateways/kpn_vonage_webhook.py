"""KPN Vonage's webhook calls: delivery receipts and inbound SMS, and their signature.

See ``kpn_vonage`` for what each call carries. A receipt's ``client-ref`` is the send's
``OutboundSms.reference``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime

from . import errors
from .base import DeliveryReport, DeliveryStatus, InboundSms, WebhookRequest

SIGNATURE_PARAM = "sig"
MAX_CONCAT_PARTS = 255
MAX_CLIENT_REF_LENGTH = 40
"""NOTES.md: ``client-ref`` takes up to 40 characters."""

_REPORT_STATUSES: Mapping[str, DeliveryStatus] = {
    "accepted": DeliveryStatus.ACCEPTED,
    "delivered": DeliveryStatus.DELIVERED,
    "buffered": DeliveryStatus.BUFFERED,
    "expired": DeliveryStatus.EXPIRED,
    "failed": DeliveryStatus.FAILED,
    "rejected": DeliveryStatus.REJECTED,
    "unknown": DeliveryStatus.UNKNOWN,
}
_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
_SCTS_FORMAT = "%y%m%d%H%M"
_MAX_CODE_LENGTH = 40


def params(request: WebhookRequest) -> dict[str, str]:
    """The call's parameters: the query of a GET, the form (or JSON members) of a POST."""
    method = request.method.upper()
    if method == "GET":
        source = request.query
    elif method == "POST":
        source = request.form
    else:
        raise errors.InvalidWebhookError("method not allowed")
    return {k: v for k, v in source.items() if isinstance(k, str) and isinstance(v, str)}


def vonage_signature(params: Mapping[str, str], secret: str) -> str:
    """Return Vonage's MD5-hash signature of webhook parameters (``sig`` itself left out)."""
    signed = "".join(
        f"&{key}={_signable(value)}"
        for key, value in sorted(params.items())
        if key != SIGNATURE_PARAM
    )
    return hashlib.md5((signed + secret).encode("utf-8", "surrogatepass")).hexdigest()  # noqa: S324


def _signable(value: str) -> str:
    return value.replace("&", "_").replace("=", "_")


def verify_signature(params: Mapping[str, str], secret: str) -> None:
    given = params.get(SIGNATURE_PARAM, "")
    if not given.isascii():
        raise errors.InvalidWebhookError("bad signature")
    expected = vonage_signature(params, secret)
    if not given or not hmac.compare_digest(expected, given.lower()):
        raise errors.InvalidWebhookError("bad signature")


def receipt(params: Mapping[str, str]) -> DeliveryReport:
    """A receipt for one part; an unknown status keeps its text as the code if no err-code."""
    status_text = params["status"].strip()
    status = _REPORT_STATUSES.get(status_text.lower())
    code = params.get("err-code", "").strip() or (None if status else status_text)
    return DeliveryReport(
        message_id=_required(params, "messageId"),
        status=status or DeliveryStatus.UNKNOWN,
        recipient=_number(params.get("msisdn")),
        gateway_code=code[:_MAX_CODE_LENGTH] if code else None,
        timestamp=_timestamp(params),
        reference=params.get("client-ref", "").strip()[:MAX_CLIENT_REF_LENGTH] or None,
    )


def inbound(params: Mapping[str, str]) -> InboundSms:
    sender = _number(params.get("msisdn"))
    recipient = _number(params.get("to"))
    if sender is None or recipient is None:
        raise errors.InvalidWebhookError("inbound message without msisdn or to")
    ref, total, part = _concat(params)
    return InboundSms(
        sender=sender,
        recipient=recipient,
        text=params["text"],
        message_id=_required(params, "messageId"),
        timestamp=_timestamp(params),
        concat_ref=ref,
        concat_total=total,
        concat_part=part,
    )


def _concat(params: Mapping[str, str]) -> tuple[str | None, int, int]:
    """``concat-ref``, ``-total`` and ``-part`` (1-based) of a part of a long text; else one."""
    if params.get("concat", "").strip().lower() != "true":
        return None, 1, 1
    ref = _required(params, "concat-ref")
    total = _count(params.get("concat-total"))
    part = _count(params.get("concat-part"))
    if not 1 <= part <= total <= MAX_CONCAT_PARTS:
        raise errors.InvalidWebhookError("concat part out of range")
    return ref, total, part


def _count(value: str | None) -> int:
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 3):
        raise errors.InvalidWebhookError("concat count is not a number")
    return int(value)


def _required(params: Mapping[str, str], key: str) -> str:
    value = params.get(key, "").strip()
    if not value:
        raise errors.InvalidWebhookError(f"no {key}")
    return value


def _number(value: str | None) -> str | None:
    """A number as Vonage gives it (digits, international) in E.164; anything else as it is."""
    value = (value or "").strip()
    if not value:
        return None
    return f"+{value}" if value.isascii() and value.isdigit() else value


def _timestamp(params: Mapping[str, str]) -> datetime | None:
    """``message-timestamp`` (UTC), else ``scts``; None when neither reads as a time."""
    for key, layout in (("message-timestamp", _TIMESTAMP_FORMAT), ("scts", _SCTS_FORMAT)):
        try:
            moment = datetime.strptime(params.get(key, "").strip(), layout)
        except ValueError:
            continue
        return moment.replace(tzinfo=UTC)
    return None
