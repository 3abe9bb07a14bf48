"""KPN's Vonage (Nexmo) SMS API (gateway-docs/kpn-vonage-sms.txt and NOTES.md), behind a KPN token.

``POST {base}/send`` takes a form: ``from``, ``to`` (one number, digits without ``+``),
``text``, ``type`` (``text`` | ``unicode``) and ``status-report-req``. The reply has one entry
per message part, each with its own ``status`` ("0" = accepted), ``message-id`` and
``remaining-balance`` (EUR). A message counts as sent only when every part is; recipients go
one request each, in order, and the first refusal stops the rest and is raised.

A multi-part message is known by its first part's id; ``part_ids`` lists every part's id,
in order (delivery reports come per part, with the part's own id).

Statuses that are no plain success, as the errors the integration knows:

- 1 throttled, 10 too many binds → RateLimitedError
- 4 invalid credentials, 8 account barred, 11 account not enabled for HTTP, 14 invalid
  signature → AuthenticationError: the account behind the app is refused, so the user must
  act on it (a reauth is where they hear that).
- 6 invalid message (Vonage: "an unrecognized number prefix"), 7 number barred, 29 destination
  not whitelisted (demo apps), 33 number deactivated → InvalidRecipientError
- 9 no credit → InsufficientCreditsError; 12 too long → MessageTooLongError;
  15 invalid sender → InvalidSenderError
- 2, 3 (missing / invalid parameters), 5 internal error, 23 and anything else →
  GatewayUnavailableError: nothing the user can change in the message fixes them.

Delivery reports: a send with an https ``report_url`` asks for them (``status-report-req=true``
and ``callback=<url>``); Vonage refuses any other callback (status 23), so without one the send
asks for none. Vonage then calls the URL once per part (GET query, or POST form / JSON) with
``messageId`` (the part's id), ``msisdn`` (the recipient), ``status``, ``err-code``,
``message-timestamp`` (UTC, ``YYYY-MM-DD HH:MM:SS``) and ``scts`` (``YYMMDDHHMM``). The
receipt gives every part's id (``part_ids``), so a message is delivered when each part is.

Inbound SMS: replies reach the same webhook once the user points the number's ``moHttpUrl`` at
it (Phone Numbers API; not done here). They carry ``msisdn`` (who wrote), ``to`` (our number),
``messageId``, ``text`` and, for long texts, ``concat-ref`` / ``concat-total`` / ``concat-part``
per part. A call with ``text`` is a reply, one with ``status`` a receipt.

Signed webhooks: with a signature secret, a call must carry ``sig``, Vonage's MD5-hash
signature: every other parameter sorted by name as ``&name=value`` (``&`` and ``=`` in values
replaced by ``_``), the secret appended, MD5 in hex. Vonage adds a ``timestamp`` parameter, which
the signature covers; its age is not checked, so a recorded call can be replayed: it can only
repeat a report or a reply the integration has already had, which it ignores.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from . import errors
from .base import (
    Capabilities,
    Credits,
    DeliveryReport,
    DeliveryStatus,
    Encoding,
    InboundSms,
    OutboundSms,
    SenderRule,
    SendReceipt,
    SentMessage,
    WebhookContent,
    WebhookRequest,
    definitely_not_sent,
    finite_number,
    parse_json_object,
)
from .kpn_oauth import KpnGateway
from .partial import Failure, fan_out, settle

ACCEPTED = "0"
BALANCE_UNIT = "EUR"
SIGNATURE_PARAM = "sig"
MAX_CONCAT_PARTS = 255
MAX_CLIENT_REF_LENGTH = 40
"""NOTES.md: `client-ref` takes up to 40 characters."""

_STATUS_ERRORS: dict[str, type[errors.GatewayError]] = {
    "1": errors.RateLimitedError,
    "4": errors.AuthenticationError,
    "6": errors.InvalidRecipientError,
    "7": errors.InvalidRecipientError,
    "8": errors.AuthenticationError,
    "9": errors.InsufficientCreditsError,
    "10": errors.RateLimitedError,
    "11": errors.AuthenticationError,
    "12": errors.MessageTooLongError,
    "14": errors.AuthenticationError,
    "15": errors.InvalidSenderError,
    "29": errors.InvalidRecipientError,
    "33": errors.InvalidRecipientError,
}
_ACCOUNT_ERRORS = (
    errors.AuthenticationError,
    errors.InsufficientCreditsError,
    errors.RateLimitedError,
)
"""Refusals that would refuse every other recipient too."""
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


class KpnVonageGateway(KpnGateway):
    """A KPN API Store app with the Vonage SMS API."""

    provider: ClassVar[str] = "kpn_vonage"
    name: ClassVar[str] = "KPN Vonage SMS"
    default_base_url: ClassVar[str] = "https://api-prd.kpn.com/communication/nexmo/sms/"
    capabilities: ClassVar[Capabilities] = Capabilities(
        credits=False,
        max_recipients_per_request=1,
        max_concurrent_requests=5,
        credits_in_receipt=True,
        credits_unit=BALANCE_UNIT,
        encoding_control=True,
        report_callback=True,
        report_callback_https_only=True,
        inbound=True,
        signed_webhooks=True,
        validity=True,
        reference=True,
        max_reference_length=MAX_CLIENT_REF_LENGTH,
        inbound_registration=True,
    )
    sender_rule: ClassVar[SenderRule] = SenderRule(
        max_alphanumeric=11, max_numeric=15, required=True
    )

    async def _send(self, sms: OutboundSms) -> SendReceipt:
        """Send to every recipient, five requests at once at most, in recipient order.

        No new request starts after one is refused for the account (credentials, credit, rate);
        the lowest balance a reply tells is the account's.
        """
        replies = await fan_out(
            sms.recipients,
            functools.partial(self._send_one, sms),
            limit=self.capabilities.max_concurrent_requests,
            stop=_stops_the_rest,
        )
        messages: list[SentMessage] = []
        failures: list[Failure] = []
        for recipient, reply in zip(sms.recipients, replies, strict=True):
            if isinstance(reply, errors.GatewayError):
                failures.append(Failure((recipient,), reply))
            elif reply is not None:
                messages.append(reply.message(recipient))
                if reply.refusal is not None:
                    failures.append(Failure((recipient,), reply.refusal, fragment_sent=True))
        balances = [reply.credits for reply in replies if isinstance(reply, _Reply)]
        credits = min((c for c in balances if c), key=lambda c: c.remaining, default=None)
        return settle(sms.recipients, messages, failures, credits)

    async def _send_one(self, sms: OutboundSms, recipient: str) -> _Reply:
        """Send to one number; return the accepted parts, or raise when none was accepted."""
        form = {
            "from": sms.sender or "",
            "to": recipient.removeprefix("+"),
            "text": sms.text,
            "type": "unicode" if sms.encoding is Encoding.UCS2 else "text",
            "status-report-req": "false",
        }
        if sms.report_url is not None and _is_https(sms.report_url):
            form |= {"status-report-req": "true", "callback": sms.report_url}
        status, body = await self._authorised_request("POST", "send", form=form)
        if status != 200:
            raise self._api_error(status, body)
        return _reply(parse_json_object(body))

    def _reply_error(self, status: int, body: str, path: str) -> errors.GatewayError | None:
        """A 5xx that still lists the parts, none accepted, names the first one's refusal."""
        if path == "send":
            try:
                _reply(parse_json_object(body))
            except errors.GatewayError as err:
                return err if definitely_not_sent(err) else None
        return super()._reply_error(status, body, path)

    def parse_webhook(self, request: WebhookRequest) -> WebhookContent:
        """Read a delivery receipt or an inbound SMS; with a secret, only a correctly signed one."""
        params = _params(request)
        if self._webhook_secret is not None:
            _verify_signature(params, self._webhook_secret)
        if "text" in params:
            return WebhookContent(inbound=(_inbound(params),))
        if "status" in params:
            return WebhookContent(reports=(_receipt(params),))
        raise errors.InvalidWebhookError("neither a receipt nor an inbound message")


@dataclass(frozen=True, slots=True)
class _Reply:
    """What one recipient's reply says: the accepted parts' ids, the balance, and a refusal
    of a later part (a fragment of the message went out)."""

    part_ids: tuple[str, ...]
    credits: Credits | None
    refusal: errors.GatewayError | None = None

    def message(self, recipient: str) -> SentMessage:
        """The receipt's entry: known by its first part's id, with every accepted part's."""
        return SentMessage(recipient, self.part_ids[0], DeliveryStatus.ACCEPTED, self.part_ids)


def _reply(reply: dict[str, Any]) -> _Reply:
    """Read a send reply; raise the first part's error when no part was accepted."""
    parts = reply.get("messages")
    if not isinstance(parts, list) or not parts or not all(isinstance(p, dict) for p in parts):
        raise errors.GatewayUnavailableError("unexpected_reply")
    accepted = [part for part in parts if _status(part) == ACCEPTED]
    refusal = next((_part_error(part) for part in parts if _status(part) != ACCEPTED), None)
    if not accepted:
        raise refusal or errors.GatewayUnavailableError("unexpected_reply")
    part_ids = tuple(_message_id(part) for part in accepted)
    return _Reply(part_ids, _balance(accepted[-1]), refusal)


def _part_error(part: dict[str, Any]) -> errors.GatewayError:
    """A part's status as an error; a documented status is a refusal (that part is unsent)."""
    code = _status(part)
    if not code.isdigit():
        return errors.GatewayUnavailableError(code)
    error_class = _STATUS_ERRORS.get(code, errors.GatewayUnavailableError)
    if issubclass(error_class, errors.GatewayUnavailableError):
        return error_class(code, not_sent=True)
    return error_class(code)


def _stops_the_rest(reply: _Reply | errors.GatewayError) -> bool:
    error = reply.refusal if isinstance(reply, _Reply) else reply
    return isinstance(error, _ACCOUNT_ERRORS)


def _is_https(url: str) -> bool:
    return url[:8].lower() == "https://"


def _status(part: dict[str, Any]) -> str:
    status = part.get("status")
    if isinstance(status, int) and not isinstance(status, bool):
        return str(status)
    return status if isinstance(status, str) and status else "unexpected_reply"


def _message_id(part: dict[str, Any]) -> str:
    message_id = part.get("message-id")
    if not isinstance(message_id, str) or not message_id:
        raise errors.GatewayUnavailableError("unexpected_reply")
    return message_id


def _balance(part: dict[str, Any]) -> Credits | None:
    if (remaining := finite_number(part.get("remaining-balance"))) is None:
        return None
    return Credits(remaining=remaining, unit=BALANCE_UNIT)


# --- webhooks ---------------------------------------------------------------------------------


def _params(request: WebhookRequest) -> dict[str, str]:
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


def _verify_signature(params: Mapping[str, str], secret: str) -> None:
    given = params.get(SIGNATURE_PARAM, "")
    if not given.isascii():
        raise errors.InvalidWebhookError("bad signature")
    expected = vonage_signature(params, secret)
    if not given or not hmac.compare_digest(expected, given.lower()):
        raise errors.InvalidWebhookError("bad signature")


def _receipt(params: Mapping[str, str]) -> DeliveryReport:
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
    )


def _inbound(params: Mapping[str, str]) -> InboundSms:
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
