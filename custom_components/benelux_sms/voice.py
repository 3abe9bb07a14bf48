"""Voice calls: ``send_sms`` with ``voice`` has the gateway read the text out in a phone call.

Only SMSBOX can (``Capabilities.voice``); any other account refuses the call before anything
is sent. A call is one message to the account's rules: it counts one segment per recipient
toward the daily limit and the usage sensors, and the duplicate window suppresses the same
call to the same number (a call does not suppress an SMS with the same text, nor an SMS a
call). A call gets no delivery report, and a call the gateway did not make does not go
through the fallback account: the automation is told, and can send an SMS instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .const import (
    ATTR_ENCODING,
    ATTR_REFERENCE,
    ATTR_SENDER,
    ATTR_VALID_FOR,
    DOMAIN,
)
from .errors import SmsPartiallySentError, ha_error_for, partial_error_for, validation_error
from .gateways.base import (
    AuthenticationError,
    Gateway,
    GatewayError,
    PartialSendError,
    SendReceipt,
    VoiceCall,
    definitely_not_sent,
)
from .runtime import BeneluxSmsConfigEntry
from .sms import EncodingChoice, is_blank

VOICE_LANGUAGES = ("nl", "fr", "en")
DEFAULT_VOICE_LANGUAGE = "nl"
"""SMSBOX's own default."""
SEGMENTS_PER_CALL = 1
"""What a call counts toward the daily limit and ``segments_sent``, per recipient."""
FIELDS_NOT_WITH_VOICE = (ATTR_SENDER, ATTR_VALID_FOR, ATTR_REFERENCE, "send_at", "confirm_within")
"""Fields the voice API has nothing for: the call comes from SMSBOX's number, now, and tells
nothing of its delivery.
"""
_VOICE_WORDED_KEYS = {
    "insufficient_credits": "voice_insufficient_credits",
    "rate_limited": "voice_rate_limited",
    "rate_limited_retry_after": "voice_rate_limited_retry_after",
    "gateway_unavailable": "voice_gateway_unavailable",
    "outcome_unknown": "voice_outcome_unknown",
}
"""A send's error key that says SMS → the same error worded for a call."""


@dataclass(frozen=True, slots=True)
class CallRequest:
    """The call an automation asked for."""

    recipients: tuple[str, ...]
    text: str
    language: str = DEFAULT_VOICE_LANGUAGE
    bypass_limits: bool = False


@dataclass(frozen=True, slots=True)
class CallsMade:
    """What became of a call request."""

    recipients: tuple[str, ...]
    """Every recipient asked for, normalised, in the order asked."""
    receipt: SendReceipt | None
    """What the gateway accepted; None when every recipient was suppressed."""
    suppressed: tuple[str, ...]


class VoicePartiallyMadeError(SmsPartiallySentError):
    """Some recipients are being called, others not (or maybe not)."""

    def __init__(self, err: PartialSendError, recipients: int) -> None:
        partial = partial_error_for(err, recipients, SEGMENTS_PER_CALL)
        super().__init__(
            partial.accepted,
            SEGMENTS_PER_CALL,
            partial.unknown,
            dict(partial.translation_placeholders or {}),
        )
        self.translation_key = "voice_partially_sent"


def check_call_fields(gateway: Gateway, data: Mapping[str, Any]) -> None:
    """Refuse a call the gateway cannot make, or ``send_sms`` fields a call cannot honour."""
    _check_voice(gateway)
    for field in FIELDS_NOT_WITH_VOICE:
        if data.get(field) not in (None, 0, ""):
            raise validation_error("voice_field_unsupported", field=field)
    if data.get(ATTR_ENCODING, EncodingChoice.AUTO) is not EncodingChoice.AUTO:
        raise validation_error("voice_field_unsupported", field=ATTR_ENCODING)


async def async_make_calls(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry, request: CallRequest
) -> CallsMade:
    """Have the account's gateway call each recipient, under the account's rules."""
    data = entry.runtime_data
    gateway = data.gateway
    _check_voice(gateway)
    if is_blank(request.text):
        raise validation_error("empty_message")
    numbers = data.sender.numbers(request.recipients)
    fingerprint = f"voice call\n{request.text}"
    guard = data.guard
    reservation = guard.async_reserve(
        numbers,
        fingerprint,
        SEGMENTS_PER_CALL,
        check_limit=not request.bypass_limits,
        check_duplicates=not request.bypass_limits,
    )
    unsent = reservation.recipients
    if not unsent:
        return CallsMade(numbers, None, reservation.suppressed)
    try:
        receipt = await gateway.send_voice(VoiceCall(unsent, request.text, request.language))
    except PartialSendError as err:
        guard.async_record_accepted(_called(err.receipt), SEGMENTS_PER_CALL)
        guard.async_release(reservation, err.not_sent)
        data.credits.async_take_receipt(err.receipt)
        raise VoicePartiallyMadeError(err, len(unsent)) from err
    except GatewayError as err:
        if definitely_not_sent(err):
            guard.async_release(reservation)
        # An unknown outcome keeps the reservation: the call may have been made.
        if isinstance(err, AuthenticationError):
            entry.async_start_reauth(hass)
        raise _call_error(err) from err
    guard.async_record_accepted(_called(receipt), SEGMENTS_PER_CALL)
    data.credits.async_take_receipt(receipt)
    return CallsMade(numbers, receipt, reservation.suppressed)


def _check_voice(gateway: Gateway) -> None:
    if not gateway.capabilities.voice:
        raise validation_error("voice_unsupported", gateway=gateway.name)


def _called(receipt: SendReceipt) -> tuple[str, ...]:
    return tuple(dict.fromkeys(message.recipient for message in receipt.messages))


def _call_error(err: GatewayError) -> HomeAssistantError:
    """Return the error of a call: a send's, worded for a call where the send's says SMS."""
    error = ha_error_for(err)
    if (voice_key := _VOICE_WORDED_KEYS.get(error.translation_key or "")) is None:
        return error
    return type(error)(
        translation_domain=DOMAIN,
        translation_key=voice_key,
        translation_placeholders=error.translation_placeholders,
    )
