"""Diagnostics: the account's settings and state, without secrets or phone numbers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_UNIQUE_ID
from homeassistant.core import HomeAssistant

from .const import (
    CONF_HEARTBEAT_RECIPIENTS,
    CONF_PHONE_NUMBER,
    CONF_REPLIES_NUMBER,
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
)
from .gateways import GATEWAYS, Gateway
from .runtime import BeneluxSmsConfigEntry

# Every gateway's credentials: the secrets, and the ids and names that identify the account.
TO_REDACT = {field for gateway in GATEWAYS.values() for field in gateway.credential_fields} | {
    CONF_UNIQUE_ID,
    CONF_HEARTBEAT_RECIPIENTS,
    CONF_PHONE_NUMBER,
    CONF_REPLIES_NUMBER,
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    "recipient",
    "recipients",
    "title",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry
) -> dict[str, Any]:
    """Return the entry and its state, redacted."""
    data = entry.runtime_data
    credits = data.credits.data
    last_delivery = data.status.last_delivery
    return async_redact_data(
        {
            "entry": entry.as_dict(),
            "capabilities": _capabilities(data.gateway),
            "last_update_success": data.credits.last_update_success,
            "state": {
                "credits": asdict(credits) if credits else None,
                "last_delivery": asdict(last_delivery) if last_delivery else None,
            },
        },
        TO_REDACT,
    )


def _capabilities(gateway: Gateway) -> dict[str, Any]:
    capabilities = asdict(gateway.capabilities)
    if (countries := capabilities["recipient_country_codes"]) is not None:
        capabilities["recipient_country_codes"] = sorted(countries)
    return capabilities
