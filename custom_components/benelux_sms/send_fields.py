"""The send fields only some gateways honour: ``valid_for`` and ``reference``.

The action refuses them, before anything is sent, on an account whose gateway does not
honour them. A fallback account sends without the ones its gateway lacks: the message
reaching the phone matters more than how long it is tried or what it is labelled.
"""

from __future__ import annotations

from dataclasses import replace

from .const import LOGGER
from .errors import validation_error
from .gateways.base import Gateway, OutboundSms

MAX_VALID_FOR = 7 * 24 * 60
"""Minutes: a week, the longest KPN Vonage keeps trying (its ``ttl`` tops out at 604800000 ms)."""


def check_send_fields(gateway: Gateway, valid_for: int | None, reference: str | None) -> None:
    """Refuse a ``valid_for`` or ``reference`` the account's gateway cannot honour."""
    capabilities = gateway.capabilities
    if valid_for is not None and not capabilities.validity:
        raise validation_error("valid_for_unsupported", gateway=gateway.name)
    if reference is None:
        return
    if not capabilities.reference:
        raise validation_error("reference_unsupported", gateway=gateway.name)
    longest = capabilities.max_reference_length
    if longest is not None and len(reference) > longest:
        raise validation_error(
            "reference_too_long",
            gateway=gateway.name,
            length=str(len(reference)),
            max_length=str(longest),
        )


def with_send_fields(
    sms: OutboundSms, gateway: Gateway, valid_for: int | None, reference: str | None
) -> OutboundSms:
    """Return ``sms`` with the fields this gateway honours (the others left out, and logged)."""
    capabilities = gateway.capabilities
    if valid_for is not None and not capabilities.validity:
        LOGGER.info("%s sends without valid_for: it cannot limit how long it tries", gateway.name)
        valid_for = None
    longest = capabilities.max_reference_length
    if reference is not None and (
        not capabilities.reference or (longest is not None and len(reference) > longest)
    ):
        LOGGER.info("%s sends without the reference: it cannot take this one", gateway.name)
        reference = None
    if valid_for == sms.valid_for and reference == sms.reference:
        return sms
    return replace(sms, valid_for=valid_for, reference=reference)
