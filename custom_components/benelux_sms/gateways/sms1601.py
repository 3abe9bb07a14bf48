"""1601SMS Gateway API (gateway-docs/1601sms.txt).

One PHP endpoint, ``gateway.php``, on plain HTTP to an IP address. Every request names the
account with ``klantuser`` and ``klantpwd``; the document allows the SHA-1 of the password in
``klantpwd``, and as the line is not encrypted only that form is ever sent. The hash opens the
account as well as the password does, so it is kept out of errors as carefully.

Requests are POSTs: the account, the text and the numbers travel in the form body, so they do
not end up in access logs as a query string; the query holds only the switches that say what
the call is (``action=credits``; ``delivery=ja``, ``type=long``, ``test=ja`` on a send).

Replies are plain text, possibly wrapped in HTML: ``OK 1234567`` (the message id, because
``delivery=ja`` is always sent on a send), ``ERROR 108``, or a bare number for the credits.

Delivery reports come two ways. The "Delivery notification URL" set in the 1601SMS portal gets
a GET with ``smsid``, ``datum`` (``yyyymmdduummss``, Dutch local time), ``status`` and
``referentie`` (the send's ``OutboundSms.reference``, up to 75 characters). And
``gatewayrapport.php?smsid=ID``, beside ``gateway.php``, answers one message's status; the
document shows it without the account, so none is sent there. With ``datum=ja`` it adds the
last change as ``dd/mm/yyyy uu:mm:ss`` (``DELIVERED 01/02/2012 10:23:10``); it has no
``referentie``. One send to several numbers has one ``smsid``, so its reports speak for all of
them. Scheduled sends: ``sms1601_outbox``.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import ClassVar

from . import errors
from . import sms1601_outbox as outbox
from .base import (
    DUTCH_TIME,
    Capabilities,
    Credits,
    DeliveryReport,
    DeliveryStatus,
    Gateway,
    OutboundSms,
    SenderRule,
    SendReceipt,
    WebhookContent,
    WebhookRequest,
)

CONF_USERNAME = "username"
CONF_PASSWORD = "password"  # noqa: S105 - a field name

ENDPOINT = "gateway.php"
REPORT_ENDPOINT = "gatewayrapport.php"
SINGLE_SMS_LENGTH = 160
MAX_LONG_SMS_LENGTH = 459
MAX_LONG_SMS_PARTS = 3
MAX_REFERENCE_LENGTH = 75
MAX_RECIPIENTS_PER_REQUEST = 100
"""The document sets no limit; 100 numbers keep one form body small."""

_ERRORS: Mapping[int, tuple[type[errors.GatewayError], str]] = {
    104: (errors.AuthenticationError, ""),
    108: (errors.InsufficientCreditsError, ""),
    **dict.fromkeys((106, 107, 112, 114), (errors.InvalidRecipientError, "")),
    **dict.fromkeys((109, 110, 111, 113, 117), (errors.InvalidSenderError, "")),
    **dict.fromkeys((105, 118, 119), (errors.MessageTooLongError, "")),
    # A blocked account is not a wrong password, but only the user can lift the block.
    # 115 (payment not received): the account cannot pay for the message.
    115: (errors.InsufficientCreditsError, " account_blocked_unpaid"),
    # 116 (blocked, ask 1601SMS why): the gateway refuses the account as it would refuse a
    # wrong password, and reauthentication is how Home Assistant asks the user to act.
    116: (errors.AuthenticationError, " account_blocked"),
    121: (errors.InvalidScheduleError, ""),
    122: (errors.ScheduleNotFoundError, ""),
}
"""The document's error codes and the error each becomes; any other code means the gateway
is in trouble (120, 150) or did not get what was sent (100-103), or is for actions this client
does not use (123-126)."""

_REPORT_STATUSES: Mapping[str, DeliveryStatus] = {
    "DELIVERED": DeliveryStatus.DELIVERED,
    "NOT DELIVERED": DeliveryStatus.UNDELIVERED,
    "BUFFERED": DeliveryStatus.BUFFERED,
    "SUBMITTED": DeliveryStatus.ACCEPTED,
    "REJECTED": DeliveryStatus.REJECTED,
    "NONE": DeliveryStatus.UNKNOWN,
}
"""The document's delivery codes."""

_TAG = re.compile(r"<[^>]*>")
_OK = re.compile(r"OK(?:\s+(\d{1,20}))?", re.IGNORECASE)
_ERROR = re.compile(r"ERROR\s*:?\s*(\d{1,6})(?:\s.*)?", re.IGNORECASE)
_NUMBER = re.compile(r"-?\d{1,12}(?:[.,]\d{1,6})?")
_SMS_ID = re.compile(r"[0-9]{1,20}")
_STATUS_WORDS = re.compile(r"[A-Z][A-Z0-9_]{0,31}(?: [A-Z][A-Z0-9_]{0,31})?")
"""A status as the document writes them (one or two words), whether known or not."""
_WEBHOOK_DATE = re.compile(r"[0-9]{14}")
_POLLED = re.compile(
    r"(?P<status>NOT DELIVERED|[A-Z]+)(?: (?P<date>[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}"
    r" [0-9]{1,2}:[0-9]{2}:[0-9]{2}))?",
    re.IGNORECASE,
)


class Sms1601Gateway(Gateway):
    """A 1601SMS account, reached with its user name and password."""

    provider: ClassVar[str] = "sms1601"
    name: ClassVar[str] = "1601SMS"
    default_base_url: ClassVar[str] = "http://217.19.227.48/module/"
    credential_fields: ClassVar[tuple[str, ...]] = (CONF_USERNAME, CONF_PASSWORD)
    secret_fields: ClassVar[frozenset[str]] = frozenset({CONF_PASSWORD})
    capabilities: ClassVar[Capabilities] = Capabilities(
        credits=True,
        max_recipients_per_request=MAX_RECIPIENTS_PER_REQUEST,
        max_text_length=MAX_LONG_SMS_LENGTH,
        test_mode=True,
        report_portal=True,
        report_polling=True,
        scheduling=True,
        reference=True,
        max_reference_length=MAX_REFERENCE_LENGTH,
    )
    # Error 111 allows "up to 12" characters, but networks carry 11 in an alphanumeric sender.
    # A numeric sender must be sent with "+" (error 110); it is entered as digits only.
    sender_rule: ClassVar[SenderRule] = SenderRule(
        max_alphanumeric=11, max_numeric=15, required=True
    )

    @classmethod
    def _normalised_base_url(cls, base_url: str) -> str:
        """The document gives the endpoint's full address; take that as well as its folder."""
        url = super()._normalised_base_url(base_url)
        return url.removesuffix(f"{ENDPOINT}/") if url.endswith(f"/{ENDPOINT}/") else url

    def _secrets(self) -> Iterable[str]:
        """The credentials and the password's hash, which opens the account as well."""
        return (*super()._secrets(), _password_hash(self._credentials[CONF_PASSWORD]))

    def _reply_error(self, status: int, body: str, path: str) -> errors.GatewayError | None:
        """An ``ERROR <code>`` in a 5xx reply is the gateway's own reason, where it names one."""
        refused = _ERROR.fullmatch(reply_text(body))
        error = _error_for(int(refused.group(1))) if refused else None
        return None if isinstance(error, errors.GatewayUnavailableError) else error

    @classmethod
    def account_id(cls, credentials: Mapping[str, str]) -> str:
        """Return the user name: it names the account and is no secret."""
        return credentials[CONF_USERNAME].strip().lower()

    def check(self, sms: OutboundSms) -> None:
        """Refuse what the gateway refuses: over 459 characters or over three parts."""
        super().check(sms)
        if sms.segments > MAX_LONG_SMS_PARTS:
            raise errors.MessageTooLongError(f"max_{MAX_LONG_SMS_PARTS}_parts")

    async def validate_credentials(self) -> None:
        """Ask for the credits: only a valid user name and password get a number."""
        await self.get_credits()

    async def get_credits(self) -> Credits:
        """Return the credits left on the account."""
        reply = await self._call({"action": "credits"}, {})
        if not _NUMBER.fullmatch(reply):
            raise errors.GatewayUnavailableError("unexpected_reply")
        return Credits(remaining=float(reply.replace(",", ".")))

    def parse_webhook(self, request: WebhookRequest) -> WebhookContent:
        """Read the portal URL's report: ``smsid``, ``status``, ``datum`` in the query (or form)."""
        if not isinstance(request.method, str) or request.method.upper() not in ("GET", "POST"):
            raise errors.InvalidWebhookError("method")
        fields = {**request.form, **request.query}
        message_id, status = _field(fields, "smsid"), _status_words(_field(fields, "status"))
        if not _SMS_ID.fullmatch(message_id) or not _STATUS_WORDS.fullmatch(status):
            raise errors.InvalidWebhookError("smsid_status")
        report = DeliveryReport(
            message_id,
            _REPORT_STATUSES.get(status, DeliveryStatus.UNKNOWN),
            gateway_code=status,
            timestamp=_webhook_time(_field(fields, "datum")),
            reference=_field(fields, "referentie")[:MAX_REFERENCE_LENGTH] or None,
        )
        return WebhookContent(reports=(report,))

    async def get_delivery_reports(self, message_ids: Sequence[str]) -> list[DeliveryReport]:
        """Ask ``gatewayrapport.php`` for each message; skip those it has no known status for."""
        reports: list[DeliveryReport] = []
        for message_id in dict.fromkeys(message_ids):
            if _SMS_ID.fullmatch(message_id) and (report := await self._poll(message_id)):
                reports.append(report)
        return reports

    async def _poll(self, message_id: str) -> DeliveryReport | None:
        try:
            _, body = await self._request(
                "GET", REPORT_ENDPOINT, params={"smsid": message_id, "datum": "ja"}
            )
        except errors.AuthenticationError as err:
            # No credentials go here, so a 401/403 says nothing about the user's password.
            raise errors.GatewayUnavailableError(err.code) from None
        polled = _POLLED.fullmatch(reply_text(body))
        if polled is None:
            return None
        status = _status_words(polled["status"])
        if status not in _REPORT_STATUSES:
            return None
        return DeliveryReport(
            message_id,
            _REPORT_STATUSES[status],
            gateway_code=status,
            timestamp=_dutch_time(polled["date"], "%d/%m/%Y %H:%M:%S") if polled["date"] else None,
        )

    async def _send(self, sms: OutboundSms) -> SendReceipt:
        """Send the text in one request per 100 numbers; each request gives one message id."""
        return await self._send_in_batches(sms, self._send_batch)

    async def schedule(self, sms: OutboundSms, send_at: datetime) -> str:
        """Have the gateway hold the message in its outbox until ``send_at``; return the outbox
        id. See ``sms1601_outbox`` for what that id is and why no reports come for it.

        At most 100 recipients (one request, one outbox id). The outcomes are a send's.
        """
        self.check(sms)
        if len(sms.recipients) > MAX_RECIPIENTS_PER_REQUEST:
            raise errors.InvalidRecipientError(f"max_{MAX_RECIPIENTS_PER_REQUEST}_scheduled")
        switches = {
            **self._message_switches(sms),
            **outbox.SCHEDULE_SWITCHES,
            "datum": outbox.datum(send_at, datetime.now(UTC)),
        }
        try:
            reply = await self._call(switches, self._message_fields(sms, sms.recipients))
        except errors.GatewayUnavailableError as err:
            raise errors.as_outcome(err) from None
        return outbox.outbox_id(reply)

    async def cancel_scheduled(self, schedule_id: str) -> None:
        """Remove a message from the outbox; ScheduleNotFoundError (122) when it is not there
        (sent already, removed, or never there).
        """
        outbox_id = outbox.checked_outbox_id(schedule_id)
        reply = await self._call({"action": outbox.CANCEL_ACTION}, {"id": outbox_id})
        outbox.check_cancelled(reply)

    def _message_switches(self, sms: OutboundSms) -> dict[str, str]:
        switches: dict[str, str] = {}
        if sms.segments > 1 or len(sms.text) > SINGLE_SMS_LENGTH:
            switches["type"] = "long"
        if self._test_mode:
            switches["test"] = "ja"
        return switches

    def _message_fields(self, sms: OutboundSms, recipients: tuple[str, ...]) -> dict[str, str]:
        message = {
            "bericht": sms.text,
            # The document's numbers start with the country code, without "+" or "00".
            "naar": ",".join(recipient.removeprefix("+") for recipient in recipients),
        }
        if sms.sender:
            message["afzender"] = _sender(sms.sender)
        if sms.reference:
            message["referentie"] = sms.reference
        return message

    async def _send_batch(self, sms: OutboundSms, recipients: tuple[str, ...]) -> str | None:
        switches = {"delivery": "ja", **self._message_switches(sms)}
        reply = await self._call(switches, self._message_fields(sms, recipients))
        accepted = _OK.fullmatch(reply)
        if accepted is None:
            raise errors.GatewayUnavailableError("unexpected_reply")
        # A bare "OK" (no id despite delivery=ja) still means the gateway took the message.
        return accepted.group(1)

    async def _call(self, switches: Mapping[str, str], fields: Mapping[str, str]) -> str:
        """POST to the endpoint; return the reply's text, raising on an ``ERROR`` reply."""
        _, body = await self._request(
            "POST",
            ENDPOINT,
            params=switches,
            form={
                "klantuser": self._credentials[CONF_USERNAME],
                "klantpwd": _password_hash(self._credentials[CONF_PASSWORD]),
                **fields,
            },
        )
        reply = reply_text(body)
        if refused := _ERROR.fullmatch(reply):
            raise _error_for(int(refused.group(1)))
        return reply


def reply_text(body: str) -> str:
    """Return a reply's words without HTML tags, entities or extra whitespace."""
    return " ".join(html.unescape(_TAG.sub(" ", body)).split())


def _field(fields: Mapping[str, object], name: str) -> str:
    """A webhook field's text without surrounding whitespace; empty when absent or no text."""
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""


def _status_words(status: str) -> str:
    """A status in the document's spelling: upper case, one space between words."""
    return " ".join(status.upper().split())


def _webhook_time(datum: str) -> datetime | None:
    """The webhook's ``yyyymmdduummss`` (Dutch time) in UTC; None when absent or no date."""
    # strptime alone would also take fewer digits and read them some way.
    return _dutch_time(datum, "%Y%m%d%H%M%S") if _WEBHOOK_DATE.fullmatch(datum) else None


def _dutch_time(text: str, layout: str) -> datetime | None:
    # A date the calendar does not have is no reason to drop the report it came with.
    try:
        return datetime.strptime(text, layout).replace(tzinfo=DUTCH_TIME).astimezone(UTC)
    except (ValueError, OverflowError):
        # OverflowError: a time in the first minutes of year 1 has no UTC time.
        return None


def _password_hash(password: str) -> str:
    # The gateway's own format, not a safe way to store a password: the hash is a secret too.
    return hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest()


def _sender(sender: str) -> str:
    """A numeric sender goes out with the "+" the gateway wants (error 110)."""
    return f"+{sender}" if sender.isascii() and sender.isdigit() else sender


def _error_for(code: int) -> errors.GatewayError:
    """Return the error an ``ERROR <code>`` reply stands for; the code names it. Every
    ``ERROR`` reply is a refusal: the gateway sent nothing.
    """
    error_class, reason = _ERRORS.get(code, (errors.GatewayUnavailableError, ""))
    if issubclass(error_class, errors.GatewayUnavailableError):
        return error_class(f"ERROR {code}{reason}", not_sent=True)
    return error_class(f"ERROR {code}{reason}")
