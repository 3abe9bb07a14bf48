"""The one place where gateway errors become the errors automations and users see."""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN
from .gateways.base import (
    AuthenticationError,
    GatewayError,
    GatewayUnavailableError,
    InsufficientCreditsError,
    InvalidRecipientError,
    InvalidSenderError,
    MessageTooLongError,
    RateLimitedError,
)

_TRANSLATION_KEYS: dict[type[GatewayError], str] = {
    AuthenticationError: "authentication_failed",
    InsufficientCreditsError: "insufficient_credits",
    InvalidRecipientError: "invalid_recipient",
    InvalidSenderError: "invalid_sender",
    MessageTooLongError: "message_too_long",
    RateLimitedError: "rate_limited",
    GatewayUnavailableError: "gateway_unavailable",
}

# Errors in what the caller asked for, rather than in the gateway or the account.
_CALLER_ERRORS = (InvalidRecipientError, InvalidSenderError, MessageTooLongError)


def _translation_key(err: GatewayError) -> str:
    """Return the translation key that explains a gateway error."""
    for error_type in type(err).__mro__:
        if error_type in _TRANSLATION_KEYS:
            return _TRANSLATION_KEYS[error_type]
    return "gateway_unavailable"


class SmsNotSentError(HomeAssistantError):
    """The gateway certainly did not send the message: it may be tried again elsewhere."""


def ha_error_for(err: GatewayError) -> HomeAssistantError:
    """Return the translated Home Assistant error for a gateway error."""
    error_class = ServiceValidationError if isinstance(err, _CALLER_ERRORS) else SmsNotSentError
    return error_class(
        translation_domain=DOMAIN,
        translation_key=_translation_key(err),
        translation_placeholders={"code": err.code or "-"},
    )


def validation_error(translation_key: str, **placeholders: str) -> ServiceValidationError:
    """Return a translated error for bad input, raised before anything is sent."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders=placeholders or None,
    )
