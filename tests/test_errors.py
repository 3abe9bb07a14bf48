"""The one mapping from gateway errors to the errors automations see."""

from __future__ import annotations

import pytest
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from custom_components.benelux_sms.errors import SmsNotSentError, ha_error_for
from custom_components.benelux_sms.gateways import errors as gateway_errors


@pytest.mark.parametrize(
    ("error", "error_class", "translation_key"),
    [
        (gateway_errors.AuthenticationError("401"), SmsNotSentError, "authentication_failed"),
        (gateway_errors.InsufficientCreditsError("10"), SmsNotSentError, "insufficient_credits"),
        (gateway_errors.RateLimitedError("429"), SmsNotSentError, "rate_limited"),
        (gateway_errors.GatewayUnavailableError("timeout"), SmsNotSentError, "gateway_unavailable"),
        (gateway_errors.GatewayError(), SmsNotSentError, "gateway_unavailable"),
        (gateway_errors.InvalidRecipientError("09"), ServiceValidationError, "invalid_recipient"),
        (gateway_errors.InvalidSenderError("01"), ServiceValidationError, "invalid_sender"),
        (gateway_errors.MessageTooLongError("07"), ServiceValidationError, "message_too_long"),
        (gateway_errors.InvalidScheduleError("121"), ServiceValidationError, "send_at_invalid"),
        (
            gateway_errors.ScheduleNotFoundError("ERROR 122"),
            ServiceValidationError,
            "schedule_unknown",
        ),
    ],
)
def test_each_gateway_error_has_its_translation(
    error: gateway_errors.GatewayError, error_class: type[HomeAssistantError], translation_key: str
) -> None:
    """Caller mistakes are validation errors; the rest say the SMS was not sent; codes kept."""
    ha_error = ha_error_for(error)

    assert type(ha_error) is error_class
    assert ha_error.translation_key == translation_key
    assert ha_error.translation_placeholders == {"code": error.code or "-"}


@pytest.mark.parametrize(("retry_after", "seconds"), [(30, "30"), (0.2, "1"), (59.1, "60")])
def test_rate_limit_names_the_seconds_to_wait(retry_after: float, seconds: str) -> None:
    """A gateway that says when to try again: the error says it too, in whole seconds."""
    ha_error = ha_error_for(gateway_errors.RateLimitedError("429", retry_after))

    assert type(ha_error) is SmsNotSentError
    assert ha_error.translation_key == "rate_limited_retry_after"
    assert ha_error.translation_placeholders == {"code": "429", "seconds": seconds}
