"""The account's state: credits (polled where the gateway tells them) and the last send."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .const import CONF_SENDER, CREDITS_UPDATE_INTERVAL, DOMAIN, LOGGER
from .errors import ha_error_for, validation_error
from .gateways.base import (
    AuthenticationError,
    Credits,
    DeliveryStatus,
    Gateway,
    GatewayError,
    OutboundSms,
    SendReceipt,
)
from .sms import (
    EncodingChoice,
    InvalidNumberError,
    PreparedText,
    UnmappableCharacterError,
    normalise_number,
    prepare_text,
)


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


def _normalised(number: str, test_numbers: frozenset[str]) -> str:
    if (digits := "+" + "".join(filter(str.isdigit, number))) in test_numbers:
        return digits
    try:
        return normalise_number(number)
    except InvalidNumberError as err:
        raise validation_error(f"invalid_number_{err.reason}", number=number) from err
