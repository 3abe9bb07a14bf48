"""KPN's Vonage (Nexmo) SMS API (gateway-docs/kpn-vonage-sms.txt and NOTES.md), behind a KPN token.

``POST {base}/send`` takes a form: ``from``, ``to`` (one number, digits without ``+``),
``text``, ``type`` (``text`` | ``unicode``) and ``status-report-req``. The reply has one entry
per message part, each with its own ``status`` ("0" = accepted), ``message-id`` and
``remaining-balance`` (EUR). A message counts as sent only when every part is; recipients go
one request each, in order, and the first refusal stops the rest and is raised.

A multi-part message is known by its first part's id (the receipt has one id per recipient;
delivery reports come per part, with the part's own id).

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
"""

from __future__ import annotations

from typing import Any, ClassVar

from .base import (
    AuthenticationError,
    Capabilities,
    Credits,
    DeliveryStatus,
    Encoding,
    GatewayError,
    GatewayUnavailableError,
    InsufficientCreditsError,
    InvalidRecipientError,
    InvalidSenderError,
    MessageTooLongError,
    OutboundSms,
    RateLimitedError,
    SenderRule,
    SendReceipt,
    SentMessage,
    parse_json_object,
)
from .kpn_oauth import KpnGateway

ACCEPTED = "0"
BALANCE_UNIT = "EUR"

_STATUS_ERRORS: dict[str, type[GatewayError]] = {
    "1": RateLimitedError,
    "4": AuthenticationError,
    "6": InvalidRecipientError,
    "7": InvalidRecipientError,
    "8": AuthenticationError,
    "9": InsufficientCreditsError,
    "10": RateLimitedError,
    "11": AuthenticationError,
    "12": MessageTooLongError,
    "14": AuthenticationError,
    "15": InvalidSenderError,
    "29": InvalidRecipientError,
    "33": InvalidRecipientError,
}


class KpnVonageGateway(KpnGateway):
    """A KPN API Store app with the Vonage SMS API."""

    provider: ClassVar[str] = "kpn_vonage"
    name: ClassVar[str] = "KPN Vonage SMS"
    default_base_url: ClassVar[str] = "https://api-prd.kpn.com/communication/nexmo/sms/"
    capabilities: ClassVar[Capabilities] = Capabilities(
        credits=False,
        max_recipients_per_request=1,
        credits_in_receipt=True,
        credits_unit=BALANCE_UNIT,
        encoding_control=True,
    )
    sender_rule: ClassVar[SenderRule] = SenderRule(max_alphanumeric=11, max_numeric=15)

    async def _send(self, sms: OutboundSms) -> SendReceipt:
        """Send to each recipient in turn; the last reply's balance is the account's."""
        messages: list[SentMessage] = []
        credits: Credits | None = None
        for recipient in sms.recipients:
            parts = await self._send_one(sms, recipient)
            messages.append(SentMessage(recipient, _message_id(parts[0]), DeliveryStatus.ACCEPTED))
            credits = _balance(parts[-1]) or credits
        return SendReceipt(messages=tuple(messages), credits=credits)

    async def _send_one(self, sms: OutboundSms, recipient: str) -> list[dict[str, Any]]:
        """Send to one number; return the reply's parts, all accepted, or raise."""
        form = {
            "from": sms.sender or "",
            "to": recipient.removeprefix("+"),
            "text": sms.text,
            "type": "unicode" if sms.encoding is Encoding.UCS2 else "text",
            "status-report-req": "false",
        }
        status, body = await self._authorised_request("POST", "send", form=form)
        if status != 200:
            raise self._api_error(status, body)
        parts = parse_json_object(body).get("messages")
        if not isinstance(parts, list) or not parts or not all(isinstance(p, dict) for p in parts):
            raise GatewayUnavailableError("unexpected_reply")
        for part in parts:
            code = _status(part)
            if code != ACCEPTED:
                raise _STATUS_ERRORS.get(code, GatewayUnavailableError)(code)
        return parts


def _status(part: dict[str, Any]) -> str:
    status = part.get("status")
    if isinstance(status, int) and not isinstance(status, bool):
        return str(status)
    return status if isinstance(status, str) and status else "unexpected_reply"


def _message_id(part: dict[str, Any]) -> str:
    message_id = part.get("message-id")
    if not isinstance(message_id, str) or not message_id:
        raise GatewayUnavailableError("unexpected_reply")
    return message_id


def _balance(part: dict[str, Any]) -> Credits | None:
    try:
        return Credits(remaining=float(part["remaining-balance"]), unit=BALANCE_UNIT)
    except (KeyError, TypeError, ValueError):
        return None
