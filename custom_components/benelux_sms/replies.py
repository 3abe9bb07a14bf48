"""Replies from KPN Vonage, switched on in the account's options.

Saving the options with replies on registers the account's webhook at the gateway, the way
the document names for the user's kind of app (a test app: ``POST /register`` with the test
phone; production: the Phone Numbers API's ``number/update`` with ``moHttpUrl``), and from the
reload on each send asks for replies (the gateway's ``receive_replies``). Vonage calls https
addresses only: without one there is nothing to register, and the form says why. A refused
registration saves nothing.
"""

from __future__ import annotations

from typing import Protocol, cast

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .const import LOGGER
from .gateways.base import Gateway, GatewayError
from .recipients import served_number
from .runtime import BeneluxSmsConfigEntry
from .sms import InvalidNumberError
from .webhook import async_webhook_url

REPLIES_APP_TEST = "test"
REPLIES_APP_PRODUCTION = "production"
REPLIES_APPS = (REPLIES_APP_TEST, REPLIES_APP_PRODUCTION)


class _RegistersInbound(Protocol):
    """A gateway with ``capabilities.inbound_registration`` (KPN Vonage)."""

    async def register_inbound(
        self, callback_url: str, *, number: str, production: bool
    ) -> None: ...


def offers_replies(gateway_class: type[Gateway]) -> bool:
    """Return whether the account's options can switch replies on."""
    return gateway_class.capabilities.inbound_registration


async def async_register_replies(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry, raw_number: str, app: str
) -> tuple[str, str] | None:
    """Register where replies go; return the form field and error key where it failed."""
    if entry.state is not ConfigEntryState.LOADED:
        return "base", "replies_account_not_loaded"
    gateway = entry.runtime_data.gateway
    try:
        number = served_number(hass, type(gateway), raw_number)
    except InvalidNumberError:
        return "replies_number", "replies_number_invalid"
    url = async_webhook_url(hass, entry, entry.runtime_data.cloudhook)
    if url is None or not url.startswith("https://"):
        return "base", "replies_need_https_url"
    registrar = cast(_RegistersInbound, gateway)
    try:
        await registrar.register_inbound(
            url, number=number, production=app == REPLIES_APP_PRODUCTION
        )
    except GatewayError as err:
        LOGGER.warning(
            "%s did not register the webhook for replies (gateway code %s)",
            entry.title,
            err.code or "-",
        )
        return "base", "replies_registration_failed"
    return None
