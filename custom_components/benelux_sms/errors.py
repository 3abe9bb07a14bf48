"""The one place where gateway errors become the errors automations and users see.

A send ends in one of three ways, and each has its own error: ``SmsNotSentError`` (certainly
not sent: it may be sent again, or through another account), ``SmsOutcomeUnknownError`` (it
may have been sent: never send it again blindly) and ``SmsPartiallySentError`` (some
recipients have it). Mistakes in what the caller asked for are ``ServiceValidationError``.
"""

from __future__ import annotations

import math

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN
from .gateways.base import (
    AuthenticationError,
    GatewayError,
    GatewayUnavailableError,
    InsufficientCreditsError,
    InvalidRecipientError,
    InvalidScheduleError,
    InvalidSenderError,
    MessageTooLongError,
    OutcomeUnknownError,
    PartialSendError,
    RateLimitedError,
    ScheduleNotFoundError,
    SendReceipt,
)

_TRANSLATION_KEYS: dict[type[GatewayError], str] = {
    AuthenticationError: "authentication_failed",
    InsufficientCreditsError: "insufficient_credits",
    InvalidRecipientError: "invalid_recipient",
    InvalidSenderError: "invalid_sender",
    MessageTooLongError: "message_too_long",
    InvalidScheduleError: "send_at_invalid",
    ScheduleNotFoundError: "schedule_unknown",
    RateLimitedError: "rate_limited",
    OutcomeUnknownError: "outcome_unknown",
    GatewayUnavailableError: "gateway_unavailable",
}

# Errors in what the caller asked for, rather than in the gateway or the account.
_CALLER_ERRORS = (
    InvalidRecipientError,
    InvalidSenderError,
    MessageTooLongError,
    InvalidScheduleError,
    ScheduleNotFoundError,
)


class SmsNotSentError(HomeAssistantError):
    """The gateway certainly did not send the message: it may be tried again elsewhere."""


class SmsOutcomeUnknownError(HomeAssistantError):
    """The message may have been sent; sending it again could send it twice."""


class SmsPartiallySentError(HomeAssistantError):
    """Some recipients have the message, others not (or maybe not)."""

    def __init__(
        self,
        accepted: SendReceipt,
        segments: int,
        unknown: tuple[str, ...],
        placeholders: dict[str, str],
    ) -> None:
        super().__init__(
            translation_domain=DOMAIN,
            translation_key="partially_sent",
            translation_placeholders=placeholders,
        )
        self.accepted = accepted
        """What the gateway accepted: tracked, and charged ``segments`` per recipient."""
        self.segments = segments
        self.unknown = unknown
        """The recipients that may have the message all the same."""


def _translation_key(err: GatewayError) -> str:
    """Return the translation key that explains a gateway error."""
    for error_type in type(err).__mro__:
        if error_type in _TRANSLATION_KEYS:
            return _TRANSLATION_KEYS[error_type]
    return "gateway_unavailable"


def ha_error_for(err: GatewayError) -> HomeAssistantError:
    """Return the translated Home Assistant error for a gateway error (not a partial send)."""
    error_class: type[HomeAssistantError] = SmsNotSentError
    if isinstance(err, _CALLER_ERRORS):
        error_class = ServiceValidationError
    elif isinstance(err, OutcomeUnknownError):
        error_class = SmsOutcomeUnknownError
    key = _translation_key(err)
    placeholders = {"code": err.code or "-"}
    if isinstance(err, RateLimitedError) and err.retry_after is not None:
        key = "rate_limited_retry_after"
        placeholders["seconds"] = str(max(1, math.ceil(err.retry_after)))
    return error_class(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def partial_error_for(
    err: PartialSendError, recipients: int, segments: int
) -> SmsPartiallySentError:
    """Return the error of a send that some recipients have: how many, and who has it not."""
    return SmsPartiallySentError(
        err.receipt,
        segments,
        err.unknown,
        {
            "accepted": str(recipients - len(err.not_sent) - len(err.unknown)),
            "total": str(recipients),
            "not_sent": ", ".join(err.not_sent) or "-",
            "unknown": ", ".join(err.unknown) or "-",
            "code": err.code or "-",
        },
    )


def validation_error(translation_key: str, **placeholders: str) -> ServiceValidationError:
    """Return a translated error for bad input, raised before anything is sent."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders=placeholders or None,
    )
