"""The account's state: credits (polled where the gateway tells them) and the last send."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .const import (
    CONF_SENDER,
    CREDITS_UPDATE_INTERVAL,
    DOMAIN,
    EVENT_DELIVERY_REPORT,
    EVENT_RECEIVED,
    LOGGER,
    REPORT_POLL_INTERVAL,
)
from .delivery import DeliveryTracker, InboundAssembler, ReceivedText, StatusChange
from .errors import ha_error_for, validation_error
from .gateways.base import (
    AuthenticationError,
    Credits,
    DeliveryStatus,
    Gateway,
    GatewayError,
    OutboundSms,
    SendReceipt,
    WebhookContent,
)
from .sms import (
    EncodingChoice,
    InvalidNumberError,
    PreparedText,
    UnmappableCharacterError,
    normalise_number,
    prepare_text,
)
from .webhook import async_report_url


@dataclass(frozen=True, slots=True)
class LastDelivery:
    """What is known of the last message sent."""

    status: DeliveryStatus
    changed: datetime
    message_id: str | None = None
    recipient: str | None = None
    gateway_code: str | None = None


@dataclass(frozen=True, slots=True)
class AccountState:
    """What the sensors show."""

    credits: Credits | None = None
    last_delivery: LastDelivery | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    """A send as the action reports it."""

    sms: OutboundSms
    receipt: SendReceipt
    text_changed: bool
    """The text was transliterated to fit GSM-7."""


type BeneluxSmsConfigEntry = ConfigEntry[BeneluxSmsCoordinator]


class BeneluxSmsCoordinator(DataUpdateCoordinator[AccountState]):
    """Polls credits and sends messages for one gateway account."""

    config_entry: BeneluxSmsConfigEntry

    def __init__(self, hass: HomeAssistant, entry: BeneluxSmsConfigEntry, gateway: Gateway) -> None:
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=CREDITS_UPDATE_INTERVAL if gateway.capabilities.credits else None,
        )
        self.gateway = gateway
        self.data = AccountState()
        self._tracker = DeliveryTracker()
        self._inbound = InboundAssembler()
        self._cancel_poll: CALLBACK_TYPE | None = None

    async def _async_update_data(self) -> AccountState:
        if not self.gateway.capabilities.credits:
            return self.data
        try:
            credits = await self.gateway.get_credits()
        except AuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="authentication_failed",
                translation_placeholders={"code": err.code or "-"},
            ) from err
        except GatewayError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="credits_unavailable",
                translation_placeholders={"code": err.code or "-"},
            ) from err
        return replace(self.data, credits=credits)

    async def async_send(
        self,
        recipients: Iterable[str],
        text: str,
        sender: str | None = None,
        encoding: EncodingChoice = EncodingChoice.AUTO,
    ) -> SendResult:
        """Check the input, send it, and record the outcome.

        Bad input raises ServiceValidationError before any request; a send the gateway
        refuses raises HomeAssistantError, so the automation that asked knows.
        """
        sms = self._outbound_sms(recipients, text, sender, encoding)
        try:
            receipt = await self.gateway.send(sms)
        except GatewayError as err:
            self._record_failure(sms, err)
            if isinstance(err, AuthenticationError):
                self.config_entry.async_start_reauth(self.hass)
            raise ha_error_for(err) from err
        self._record_receipt(receipt)
        self._tracker.track(receipt, dt_util.utcnow())
        self._schedule_report_poll()
        await self.async_request_refresh()
        return SendResult(sms=sms, receipt=receipt, text_changed=sms.text != text)

    def _outbound_sms(
        self,
        recipients: Iterable[str],
        text: str,
        sender: str | None,
        encoding: EncodingChoice,
    ) -> OutboundSms:
        test_numbers = self.gateway.test_numbers
        numbers = tuple(dict.fromkeys(_normalised(number, test_numbers) for number in recipients))
        if not numbers:
            raise validation_error("no_recipients")
        prepared = self._prepared_text(text, encoding)
        sms = OutboundSms(
            recipients=numbers,
            text=prepared.text,
            sender=sender or self.config_entry.data.get(CONF_SENDER) or None,
            encoding=prepared.encoding,
            segments=prepared.segments,
            report_url=async_report_url(self.hass, self.config_entry),
        )
        try:
            self.gateway.check(sms)
        except GatewayError as err:
            raise ha_error_for(err) from err
        return sms

    def _prepared_text(self, text: str, encoding: EncodingChoice) -> PreparedText:
        if encoding is EncodingChoice.UCS2 and not self.gateway.capabilities.encoding_control:
            # The gateway picks the alphabet itself; count the way it will send.
            encoding = EncodingChoice.AUTO
        try:
            prepared = prepare_text(text, encoding)
        except UnmappableCharacterError as err:
            raise validation_error("unmappable_character", character=err.character) from err
        if not prepared.text.strip():
            raise validation_error("empty_message")
        return prepared

    def _record_receipt(self, receipt: SendReceipt) -> None:
        last = receipt.messages[-1] if receipt.messages else None
        delivery = LastDelivery(
            status=last.status if last else DeliveryStatus.UNKNOWN,
            changed=dt_util.utcnow(),
            message_id=last.message_id if last else None,
            recipient=last.recipient if last else None,
        )
        self.async_set_updated_data(
            AccountState(credits=receipt.credits or self.data.credits, last_delivery=delivery)
        )

    def _record_failure(self, sms: OutboundSms, err: GatewayError) -> None:
        delivery = LastDelivery(
            status=DeliveryStatus.FAILED,
            changed=dt_util.utcnow(),
            recipient=sms.recipients[-1],
            gateway_code=err.code,
        )
        self.async_set_updated_data(replace(self.data, last_delivery=delivery))

    @callback
    def async_handle_webhook_content(self, content: WebhookContent) -> None:
        """Take the reports and inbound texts the gateway sent (or was asked for)."""
        now = dt_util.utcnow()
        for report in content.reports:
            if not (changes := self._tracker.apply(report, now)):
                LOGGER.debug("Ignored a report for an unknown message or a replay")
            for change in changes:
                self._record_change(change)
        for part in content.inbound:
            if (text := self._inbound.add(part, now)) is not None:
                self._fire_received(text)

    def _record_change(self, change: StatusChange) -> None:
        delivery = LastDelivery(
            status=change.status,
            changed=change.timestamp,
            message_id=change.message_id,
            recipient=change.recipient,
            gateway_code=change.gateway_code,
        )
        self.async_set_updated_data(replace(self.data, last_delivery=delivery))
        self.hass.bus.async_fire(
            EVENT_DELIVERY_REPORT,
            {
                "config_entry_id": self.config_entry.entry_id,
                "message_id": change.message_id,
                "recipient": change.recipient,
                "status": change.status.value,
                "gateway_code": change.gateway_code,
            },
        )

    def _fire_received(self, text: ReceivedText) -> None:
        self.hass.bus.async_fire(
            EVENT_RECEIVED,
            {
                "config_entry_id": self.config_entry.entry_id,
                "from": text.sender,
                "to": text.recipient,
                "text": text.text,
                "message_id": text.message_id,
                "time": text.timestamp.isoformat(),
            },
        )

    def _schedule_report_poll(self) -> None:
        """Ask the gateway for reports while messages wait, where it can be asked."""
        if (
            self.gateway.capabilities.report_polling
            and self._cancel_poll is None
            and self._tracker.pending_ids
        ):
            self._cancel_poll = async_call_later(
                self.hass, REPORT_POLL_INTERVAL, self._async_poll_reports
            )

    async def _async_poll_reports(self, _now: datetime) -> None:
        self._cancel_poll = None
        self._tracker.forget_old(dt_util.utcnow())
        if not (message_ids := self._tracker.pending_ids):
            return
        try:
            reports = await self.gateway.get_delivery_reports(message_ids)
        except GatewayError as err:
            LOGGER.debug("Asking %s for delivery reports failed: %s", self.gateway.name, err.code)
        else:
            self.async_handle_webhook_content(WebhookContent(reports=tuple(reports)))
        self._schedule_report_poll()

    async def async_shutdown(self) -> None:
        """Stop asking for reports when the account unloads."""
        if self._cancel_poll is not None:
            self._cancel_poll()
            self._cancel_poll = None
        await super().async_shutdown()


def _normalised(number: str, test_numbers: frozenset[str]) -> str:
    if (digits := "+" + "".join(filter(str.isdigit, number))) in test_numbers:
        return digits
    try:
        return normalise_number(number)
    except InvalidNumberError as err:
        raise validation_error(f"invalid_number_{err.reason}", number=number) from err
