"""Who a gateway can send to: numbers read in its home country, in the countries it serves."""

from __future__ import annotations

import re

import phonenumbers
from homeassistant.core import HomeAssistant

from .gateways.base import Gateway
from .sms import SERVED_REGIONS, InvalidNumberError, recipient_number

FALLBACK_REGION = "NL"
_NATIONAL_FORM = re.compile(r"[0-9][0-9 ./()-]*")
"""What a number in national form looks like: digits first, no '+' and no letters."""


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


def number_countries(hass: HomeAssistant, gateway_class: type[Gateway]) -> list[str]:
    """Return the countries a recipient's number in national form may be read in: the
    gateway's own first, then the Benelux, each only where the gateway delivers.
    """
    served = gateway_class.capabilities.recipient_country_codes
    return [
        region
        for region in dict.fromkeys((number_region(hass, gateway_class), *SERVED_REGIONS))
        if served is None or str(phonenumbers.country_code_for_region(region)) in served
    ]


def served_number(
    hass: HomeAssistant, gateway_class: type[Gateway], raw: str, region: str | None = None
) -> str:
    """Return the E.164 number the gateway can send to, or raise InvalidNumberError.

    A number in national form is read in ``region``, by default ``number_region``'s. The
    reason ``country_not_served`` means a valid mobile number the gateway does not deliver
    to (KPN SMS: outside the Netherlands); ``not_national_be`` (``_nl``, ``_lu``) a number
    in national form that is none of that Benelux country's, so the user is told how to
    write another country's.
    """
    test_numbers = gateway_class.test_numbers
    region = region or number_region(hass, gateway_class)
    try:
        number = recipient_number(raw, region, test_numbers)
    except InvalidNumberError as err:
        national = _NATIONAL_FORM.fullmatch(raw.strip()) and not raw.strip().startswith("00")
        if err.reason == "not_a_number" and national and region in SERVED_REGIONS:
            raise InvalidNumberError(f"not_national_{region.lower()}") from err
        raise
    countries = gateway_class.capabilities.recipient_country_codes
    if (
        countries is not None
        and number not in test_numbers
        and not number.startswith(tuple(f"+{code}" for code in countries))
    ):
        raise InvalidNumberError("country_not_served")
    return number
