"""SMSBOX API v1 (https://core.smsbox.be/api/v1).

The key travels in the ``X-Api-Key`` header (never as the ``apikey`` parameter, which could
end up in a log). ``POST sendsms`` takes a form with up to 500 numbers (country code and
number, no ``+``) and answers ``{"code": 100, "message": [{"number", "msgid"}, ...]}``; any
other code is an error from the document's table. ``GET balance`` answers the credits as a
decimal string; ``GET auth`` (NOTES.md) answers code 10 for a good key, 20/21 for none or a
bad one. The number ``3211111111`` takes test sends: nothing goes out, nothing is charged.

SMSBOX ignores ``from`` for Belgian recipients (they see SMSBOX's own sender); it is sent anyway.

Delivery reports: a send with ``noti=<url>`` makes SMSBOX POST ``msgid`` and ``status`` (a code
from the document's status table) to that URL, for each recipient's ``msgid`` of the reply.

Length: the document counts ``€ [ \\ ] ^ { | } ~`` as two characters toward its 160 and 918
(they are GSM-7's escape characters), so the check before a send counts them so too.
Voice calls: ``smsbox_voice``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from . import errors
from . import smsbox_voice as voice
from .base import (
    Capabilities,
    Credits,
    DeliveryReport,
    DeliveryStatus,
    Encoding,
    Gateway,
    OutboundSms,
    SenderRule,
    SendReceipt,
    SentMessage,
    VoiceCall,
    WebhookContent,
    WebhookRequest,
    finite_number,
    parse_json_object,
)
from .partial import Failure, settle

CONF_API_KEY = "api_key"
TEST_NUMBER = "+3211111111"

SINGLE_SMS_LENGTH = 160
LONG_SMS_LENGTH = 918
"""The document's longsms maximum; an older one said 459 (NOTES.md)."""
COUNTED_TWICE = frozenset("[\\]^{|}~€")
"""The characters the document counts as two toward its limits."""

SEND_PATH = "sendsms"
CODE_OK = "100"
CODE_KEY_VALID = "10"

_SEND_ERRORS: dict[str, type[errors.GatewayError]] = {
    "01": errors.InvalidSenderError,
    "04": errors.AuthenticationError,
    "05": errors.InvalidRecipientError,
    # 06 (no message) and 11 (over 500 numbers) cannot follow from a checked, batched send:
    # if they come, the gateway and this client disagree, which is no fault of the caller.
    "06": errors.GatewayUnavailableError,
    "07": errors.MessageTooLongError,
    "08": errors.InvalidRecipientError,
    "09": errors.InvalidRecipientError,
    "10": errors.InsufficientCreditsError,
    "11": errors.GatewayUnavailableError,
    "13": errors.InvalidSenderError,
}
# balance and auth: 04 as in the document's tables, 20/21 as its other APIs and NOTES.md say.
_AUTH_ERRORS: dict[str, type[errors.GatewayError]] = {
    "04": errors.AuthenticationError,
    "20": errors.AuthenticationError,
    "21": errors.AuthenticationError,
}
_REPORT_STATUSES: Mapping[str, DeliveryStatus] = {
    "10": DeliveryStatus.ACCEPTED,
    "11": DeliveryStatus.DELIVERED,
    "12": DeliveryStatus.BUFFERED,
    "13": DeliveryStatus.UNDELIVERED,
    "14": DeliveryStatus.EXPIRED,
    "15": DeliveryStatus.REJECTED,
    "16": DeliveryStatus.UNKNOWN,
    # Blacklist: the number is on a block list, so the message is refused (the code is kept).
    "20": DeliveryStatus.REJECTED,
    "01": DeliveryStatus.FAILED,
}
"""The document's delivery report statuses (its "Response" tab)."""
_REPORT_MESSAGE_ID = re.compile(r"[!-~]{1,64}")
"""Printable ASCII without spaces: the msgids a send reply gives (whole numbers in the doc)."""
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_CODE = re.compile(r"[0-9]{1,3}")
_MAX_CODE = 999


class SmsBoxGateway(Gateway):
    """An SMSBOX account, reached with its API key."""

    provider: ClassVar[str] = "smsbox"
    name: ClassVar[str] = "SMSBOX"
    default_base_url: ClassVar[str] = "https://core.smsbox.be/api/v1"
    credential_fields: ClassVar[tuple[str, ...]] = (CONF_API_KEY,)
    secret_fields: ClassVar[frozenset[str]] = frozenset({CONF_API_KEY})
    home_region: ClassVar[str | None] = "BE"
    capabilities: ClassVar[Capabilities] = Capabilities(
        credits=True,
        max_recipients_per_request=500,
        max_text_length=LONG_SMS_LENGTH,
        encoding_control=True,
        report_callback=True,
        voice=True,
    )
    sender_rule: ClassVar[SenderRule] = SenderRule(max_alphanumeric=11, max_numeric=16)
    test_numbers: ClassVar[frozenset[str]] = frozenset({TEST_NUMBER})

    async def validate_credentials(self) -> None:
        """Ask ``auth`` whether the key is good; ask for the balance where there is no ``auth``."""
        status, text = await self._call("GET", "auth")
        if status == 404:
            await self.get_credits()
            return
        reply = parse_json_object(text)
        if _code(reply) != CODE_KEY_VALID:
            raise _error_for(reply, _AUTH_ERRORS)

    async def get_credits(self) -> Credits:
        """Return the credits left, which ``balance`` tells as a decimal string."""
        reply = parse_json_object((await self._call("GET", "balance"))[1])
        if _code(reply) != CODE_OK:
            raise _error_for(reply, _AUTH_ERRORS)
        return Credits(remaining=_decimal(reply.get("message")))

    def parse_webhook(self, request: WebhookRequest) -> WebhookContent:
        """Read the report ``noti`` POSTs: ``msgid`` and ``status``, in the form or the query."""
        if not isinstance(request.method, str) or request.method.upper() != "POST":
            raise errors.InvalidWebhookError("method")
        fields = {**request.query, **request.form}
        message_id, code = _field(fields, "msgid"), _field(fields, "status")
        if not _REPORT_MESSAGE_ID.fullmatch(message_id) or not _CODE.fullmatch(code):
            raise errors.InvalidWebhookError("msgid_status")
        code = f"{int(code):02d}"
        status = _REPORT_STATUSES.get(code, DeliveryStatus.UNKNOWN)
        return WebhookContent(reports=(DeliveryReport(message_id, status, gateway_code=code),))

    def check(self, sms: OutboundSms) -> None:
        """Also count ``€ [ \\ ] ^ { | } ~`` twice toward the 918, as the document does."""
        super().check(sms)
        if sms.encoding is Encoding.GSM7 and counted_length(sms.text) > LONG_SMS_LENGTH:
            raise errors.MessageTooLongError(f"max_{LONG_SMS_LENGTH}")

    async def send_voice(self, call: VoiceCall) -> SendReceipt:
        """Call each recipient in turn and have the text read out (see ``smsbox_voice``).

        A refusal stops the rest; the calls made before it are kept (PartialSendError).
        """
        voice.check_voice(call)
        called: list[SentMessage] = []
        for recipient in call.recipients:
            try:
                await self._voice_call(call, recipient)
            except errors.GatewayError as err:
                return settle(
                    call.recipients, called, [Failure((recipient,), errors.as_outcome(err))]
                )
            called.append(SentMessage(recipient, None, DeliveryStatus.ACCEPTED))
        return SendReceipt(messages=tuple(called))

    async def _voice_call(self, call: VoiceCall, recipient: str) -> None:
        _, text = await self._call("POST", voice.VOICE_PATH, voice.voice_form(call, recipient))
        reply = parse_json_object(text)
        if _code(reply) != voice.CODE_CALLED:
            raise _error_for(reply, voice.VOICE_ERRORS)

    async def _send(self, sms: OutboundSms) -> SendReceipt:
        """Send the text to every recipient in one request per 500 numbers."""
        return await self._send_batches(sms, self._send_batch)

    async def _send_batch(self, sms: OutboundSms, recipients: tuple[str, ...]) -> list[SentMessage]:
        _, text = await self._call("POST", SEND_PATH, _send_form(sms, recipients))
        reply = parse_json_object(text)
        if _code(reply) != CODE_OK:
            raise _error_for(reply, _SEND_ERRORS)
        # Code 100 means sent: an id the reply leaves out is no reason to report a failure
        # (which could make an automation send again).
        message_ids = _message_ids(reply.get("message"))
        return [
            SentMessage(recipient, message_ids.get(recipient), DeliveryStatus.ACCEPTED)
            for recipient in recipients
        ]

    def _reply_error(self, status: int, body: str, path: str) -> errors.GatewayError | None:
        """A 5xx can carry the usual JSON code; the code counts where it names a reason."""
        try:
            reply = parse_json_object(body)
        except errors.GatewayUnavailableError:
            return None
        if _code(reply) is None:
            return None
        error = _error_for(reply, _SEND_ERRORS if path == SEND_PATH else _AUTH_ERRORS)
        return None if isinstance(error, errors.GatewayUnavailableError) else error

    async def _call(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"Accept": "application/json", "X-Api-Key": self._credentials[CONF_API_KEY]}
        return await self._request(method, path, headers=headers, form=form)


def _send_form(sms: OutboundSms, recipients: tuple[str, ...]) -> dict[str, str]:
    form = {
        "numbers": ",".join(number.removeprefix("+") for number in recipients),
        "message": sms.text,
    }
    if sms.sender:
        form["from"] = sms.sender
    # The gateway counts the GSM escape characters double, so a text of 160 characters or
    # fewer can still need longsms.
    if sms.segments > 1 or counted_length(sms.text) > SINGLE_SMS_LENGTH:
        form["longsms"] = "1"
    form["unicode"] = "1" if sms.encoding is Encoding.UCS2 else "0"
    if sms.report_url:
        form["noti"] = sms.report_url
    return form


def counted_length(text: str) -> int:
    """The length SMSBOX counts: "De volgende tekens tellen voor 2 tekens \\r\\n, [, \\, ], ^,
    {, |, }, ~, €" (``\\r\\n`` is two characters anyway).
    """
    return len(text) + sum(text.count(char) for char in COUNTED_TWICE)


def _field(fields: Mapping[str, object], name: str) -> str:
    """A webhook field's text without surrounding whitespace; empty when absent or no text."""
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""


def _code(reply: dict[str, Any]) -> str | None:
    """Return the reply's code as the document writes it (``"04"``, ``"100"``).

    NOTES.md says ``code`` is a JSON number; the document's tables write ``01``, so a
    string of digits is taken too.
    """
    code = reply.get("code")
    if isinstance(code, str) and _CODE.fullmatch(code):
        code = int(code)
    if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= _MAX_CODE:
        return None
    return f"{code:02d}"


def _error_for(
    reply: dict[str, Any], code_errors: dict[str, type[errors.GatewayError]]
) -> errors.GatewayError:
    """Return the error a reply's code names; only the code is kept, never the reply's text.

    A code is a refusal (only 100 means sent): nothing went out, whatever the code.
    """
    code = _code(reply)
    if code is None:
        return errors.GatewayUnavailableError("unexpected_reply")
    error_class = code_errors.get(code, errors.GatewayUnavailableError)
    if issubclass(error_class, errors.GatewayUnavailableError):
        return error_class(code, not_sent=True)
    return error_class(code)


def _decimal(value: Any) -> float:
    if isinstance(value, str) and not _DECIMAL.fullmatch(value.strip()):
        raise errors.GatewayUnavailableError("unexpected_reply")
    if (number := finite_number(value)) is None:
        raise errors.GatewayUnavailableError("unexpected_reply")
    return number


def _message_ids(entries: Any) -> dict[str, str]:
    """Map ``+number`` to its ``msgid`` in a send reply's message list; skip what is odd."""
    message_ids: dict[str, str] = {}
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict):
            continue
        number, message_id = _text(entry.get("number")), _text(entry.get("msgid"))
        digits = number.removeprefix("+")
        if digits.isascii() and digits.isdigit() and message_id:
            message_ids["+" + digits] = message_id
    return message_ids


def _text(value: Any) -> str:
    """A string or whole number from a reply as text; empty for anything else."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()
