"""Who a gateway can send to: numbers read in its home country, in the countries it serves."""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from .gateways.base import Gateway
from .sms import InvalidNumberError, recipient_number

FALLBACK_REGION = "NL"


def number_region(hass: HomeAssistant, gateway_class: type[Gateway]) -> str:
    """Return the country a number in national form is read in for this gateway.

    The gateway's home country where it has one (SMSBOX: Belgium), else Home Assistant's
    configured country, else the Netherlands.
    """
    return gateway_class.home_region or hass.config.country or FALLBACK_REGION


def served_prefixes(gateway_class: type[Gateway]) -> str:
    """Return the calling codes the gateway delivers to, as users write them ('+31')."""
    countries = gateway_class.capabilities.recipient_country_codes or ()
    return ", ".join(f"+{code}" for code in sorted(countries))


def served_number(hass: HomeAssistant, gateway_class: type[Gateway], raw: str) -> str:
    """Return the E.164 number the gateway can send to, or raise InvalidNumberError.

    The reason ``country_not_served`` means a valid mobile number the gateway does not deliver
    to (KPN SMS: outside the Netherlands).
    """
    test_numbers = gateway_class.test_numbers
    number = recipient_number(raw, number_region(hass, gateway_class), test_numbers)
    countries = gateway_class.capabilities.recipient_country_codes
    if (
        countries is not None
        and number not in test_numbers
        and not number.startswith(tuple(f"+{code}" for code in countries))
    ):
        raise InvalidNumberError("country_not_served")
    return number
