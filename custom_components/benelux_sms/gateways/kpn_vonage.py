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

``ttl`` (Vonage: milliseconds) carries ``OutboundSms.valid_for`` (minutes); ``client-ref``
(at most 40 characters) carries ``OutboundSms.reference`` and comes back in each receipt.

Inbound SMS: replies reach the same webhook once it is registered (``register_inbound``, see
``kpn_vonage_inbound``), and each send asks for them (the ``inbound`` header) while
``receive_replies`` is on. They carry ``msisdn`` (who wrote), ``to`` (our number),
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
from dataclasses import dataclass
from typing import Any, ClassVar

from . import errors
from . import kpn_vonage_webhook as webhook
from .base import (
    Capabilities,
    Credits,
    DeliveryStatus,
    Encoding,
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
from .kpn_vonage_inbound import INBOUND_HEADER, check_registered, registration
from .kpn_vonage_webhook import MAX_CLIENT_REF_LENGTH, SIGNATURE_PARAM, vonage_signature
from .partial import Failure, fan_out, settle

__all__ = ["SIGNATURE_PARAM", "KpnVonageGateway", "vonage_signature"]

ACCEPTED = "0"
BALANCE_UNIT = "EUR"

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
        if sms.valid_for is not None:
            form["ttl"] = str(sms.valid_for * 60_000)
        if sms.reference:
            form["client-ref"] = sms.reference
        headers = {INBOUND_HEADER: "yes"} if self._receive_replies else None
        status, body = await self._authorised_request("POST", "send", form=form, headers=headers)
        if status != 200:
            raise self._api_error(status, body)
        return _reply(parse_json_object(body))

    async def register_inbound(
        self, callback_url: str, *, number: str = "", production: bool = False
    ) -> None:
        """Have replies posted to ``callback_url`` (see ``kpn_vonage_inbound``).

        ``number``: the test phone a test app registers (``POST /register``, ``to``), or the
        production app's virtual number (``number/update``, ``moHttpUrl``), in E.164.
        """
        path, form = registration(self._base_url, callback_url, number, production=production)
        status, body = await self._authorised_request("POST", path, form=form)
        if status not in (200, 201, 202):
            raise self._api_error(status, body)
        check_registered(body, production=production)

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
        params = webhook.params(request)
        if self._webhook_secret is not None:
            webhook.verify_signature(params, self._webhook_secret)
        if "text" in params:
            return WebhookContent(inbound=(webhook.inbound(params),))
        if "status" in params:
            return WebhookContent(reports=(webhook.receipt(params),))
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
