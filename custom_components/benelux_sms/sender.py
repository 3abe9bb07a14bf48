"""The send path: check the input, send it, and record what the gateway answered."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import CONF_SENDER, CONF_TEST_MODE
from .coordinator import CreditsCoordinator
from .errors import ha_error_for, partial_error_for, validation_error
from .gateways.base import (
    AuthenticationError,
    DeliveryStatus,
    Gateway,
    GatewayError,
    InvalidSenderError,
    OutboundSms,
    PartialSendError,
    SendReceipt,
    definitely_not_sent,
)
from .recipients import served_number, served_prefixes
from .reports import ReportHub
from .sms import (
    EncodingChoice,
    InvalidNumberError,
    PreparedText,
    UnmappableCharacterError,
    is_blank,
    prepare_text,
)
from .status import AccountStatus, LastDelivery

REMEMBERED_TEXTS = 16
"""Automations send the same few texts again; counting a text's segments is not free."""


@dataclass(frozen=True, slots=True)
class SendResult:
    """A send as the action reports it."""

    sms: OutboundSms
    receipt: SendReceipt
    text_changed: bool
    """The text was transliterated to fit GSM-7."""
    test_recipients: frozenset[str] = field(default_factory=frozenset)
    """Recipients the gateway took as a test: nothing went to them, nothing is charged."""


class SmsSender:
    """Sends the messages of one account."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        gateway: Gateway,
        *,
        credits: CreditsCoordinator,
        status: AccountStatus,
        reports: ReportHub,
        report_url: Callable[[], str | None],
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._gateway = gateway
        self._credits = credits
        self._status = status
        self._reports = reports
        self._report_url = report_url
        self._test_mode = bool(entry.options.get(CONF_TEST_MODE)) and gateway.capabilities.test_mode
        self._texts: dict[tuple[str, EncodingChoice], PreparedText] = {}
        """(Text as given, alphabet asked) → the text as sent and counted, the oldest first."""

    async def async_send_prepared(self, sms: OutboundSms, asked_text: str) -> SendResult:
        """Send a message ``prepare`` made, and record the outcome.

        A send the gateway certainly did not take raises SmsNotSentError; one that may have
        gone out, SmsOutcomeUnknownError; one that some recipients have, SmsPartiallySentError.
        ``asked_text`` is the text before transliteration.
        """
        try:
            receipt = await self._gateway.send(sms)
        except PartialSendError as err:
            self._record_accepted(err.receipt, self.test_recipients(err.receipt), sms.reference)
            self._record_failure(err, (*err.unknown, *err.not_sent))
            raise partial_error_for(err, len(sms.recipients), sms.segments) from err
        except GatewayError as err:
            self._record_failure(err, sms.recipients)
            if isinstance(err, AuthenticationError):
                self._entry.async_start_reauth(self._hass)
            raise ha_error_for(err) from err
        tests = self.test_recipients(receipt)
        self._record_accepted(receipt, tests, sms.reference)
        self._record_receipt(receipt, tests)
        return SendResult(
            sms=sms, receipt=receipt, text_changed=sms.text != asked_text, test_recipients=tests
        )

    def test_recipients(self, receipt: SendReceipt) -> frozenset[str]:
        """Return the recipients the gateway took as a test, so nothing went to them: all of
        them in the account's test mode or where the reply says so, else the gateway's test
        numbers (SMSBOX's).
        """
        test_numbers = self._gateway.test_numbers
        every = receipt.test or self._test_mode
        return frozenset(
            message.recipient
            for message in receipt.messages
            if every or message.recipient in test_numbers
        )

    def prepare(
        self,
        recipients: Iterable[str],
        text: str,
        sender: str | None,
        encoding: EncodingChoice,
    ) -> OutboundSms:
        """Return the message as this account sends it: numbers normalised, text counted.

        Bad input raises ServiceValidationError: nothing is sent.
        """
        numbers = self.numbers(recipients)
        prepared = self._prepared_text(text, encoding)
        sender = sender or self._entry.data.get(CONF_SENDER) or None
        if sender:
            self._check_sender(sender)
        sms = OutboundSms(
            recipients=numbers,
            text=prepared.text,
            sender=sender,
            encoding=prepared.encoding,
            segments=prepared.segments,
            report_url=self._report_url(),
        )
        try:
            self._gateway.check(sms)
        except GatewayError as err:
            raise ha_error_for(err) from err
        return sms

    def _check_sender(self, sender: str) -> None:
        """Refuse a sender this gateway's rule does not allow, in the account form's words:
        it is the integration's own check, before the gateway sees anything.
        """
        rule = self._gateway.sender_rule
        try:
            rule.check(sender)
        except InvalidSenderError as err:
            numeric = sender.isascii() and sender.isdigit() and rule.max_numeric is not None
            too_long = err.code == "sender_too_long"
            raise validation_error(
                "invalid_sender_too_long" if too_long else "invalid_sender_characters",
                sender=sender,
                gateway=self._gateway.name,
                max_length=str(rule.max_numeric if numeric else rule.max_alphanumeric),
            ) from err

    def numbers(self, recipients: Iterable[str]) -> tuple[str, ...]:
        """Return the recipients as E.164 numbers, each once.

        A bad number, or none, raises ServiceValidationError.
        """
        numbers = tuple(dict.fromkeys(self._number(raw) for raw in dict.fromkeys(recipients)))
        if not numbers:
            raise validation_error("no_recipients")
        return numbers

    def _prepared_text(self, text: str, encoding: EncodingChoice) -> PreparedText:
        """Return the text as sent and counted; one sent recently is not counted again."""
        key = (text, encoding)
        if (prepared := self._texts.get(key)) is not None:
            return prepared
        prepared = self._prepare_text(text, encoding)
        if len(self._texts) >= REMEMBERED_TEXTS:
            del self._texts[next(iter(self._texts))]
        self._texts[key] = prepared
        return prepared

    def _prepare_text(self, text: str, encoding: EncodingChoice) -> PreparedText:
        if encoding is EncodingChoice.UCS2 and not self._gateway.capabilities.encoding_control:
            # The gateway picks the alphabet itself; count the way it will send.
            encoding = EncodingChoice.AUTO
        try:
            prepared = prepare_text(text, encoding)
        except UnmappableCharacterError as err:
            raise validation_error("unmappable_character", character=err.character) from err
        if is_blank(prepared.text):
            raise validation_error("empty_message")
        return prepared

    def _number(self, raw: str) -> str:
        """Return the E.164 number (sms.normalise_number keeps the ones it parsed)."""
        gateway_class = type(self._gateway)
        try:
            return served_number(self._hass, gateway_class, raw)
        except InvalidNumberError as err:
            raise validation_error(
                f"invalid_number_{err.reason}",
                number=raw,
                gateway=gateway_class.name,
                countries=served_prefixes(gateway_class),
            ) from err

    def _record_accepted(
        self, receipt: SendReceipt, tests: frozenset[str], reference: str | None
    ) -> None:
        """Keep what the gateway took, also when a later batch or part failed; a test is not
        followed, so no report turns it "delivered".
        """
        real = tuple(message for message in receipt.messages if message.recipient not in tests)
        self._reports.async_track(replace(receipt, messages=real), reference)
        self._credits.async_take_receipt(receipt)

    def _record_receipt(self, receipt: SendReceipt, tests: frozenset[str]) -> None:
        """Show the send, to every recipient the gateway took it for."""
        last = receipt.messages[-1] if receipt.messages else None
        self._status.async_set_last_delivery(
            LastDelivery(
                status=last.status if last else DeliveryStatus.UNKNOWN,
                changed=dt_util.utcnow(),
                message_ids=tuple(message.message_id for message in receipt.messages),
                recipients=tuple(message.recipient for message in receipt.messages),
                test=bool(receipt.messages)
                and all(message.recipient in tests for message in receipt.messages),
            )
        )

    def _record_failure(self, err: GatewayError, recipients: tuple[str, ...]) -> None:
        """Show what became of the message for these recipients.

        Failed, or unknown where it may have been sent.
        """
        status = DeliveryStatus.FAILED if definitely_not_sent(err) else DeliveryStatus.UNKNOWN
        self._status.async_set_last_delivery(
            LastDelivery(
                status=status,
                changed=dt_util.utcnow(),
                recipients=recipients,
                gateway_code=err.code,
            )
        )
