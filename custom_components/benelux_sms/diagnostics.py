"""Diagnostics: the account's settings and state, without secrets or phone numbers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_UNIQUE_ID
from homeassistant.core import HomeAssistant

from .config_flow import SECRET_FIELDS
from .const import CONF_PHONE_NUMBER, CONF_WEBHOOK_ID, CONF_WEBHOOK_SECRET
from .coordinator import BeneluxSmsConfigEntry, BeneluxSmsCoordinator

TO_REDACT = SECRET_FIELDS | {
    "client_id",
    "username",
    CONF_UNIQUE_ID,
    CONF_PHONE_NUMBER,
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    "recipient",
    "title",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry
) -> dict[str, Any]:
    """Return the entry and its state, redacted."""
    coordinator = entry.runtime_data
    return async_redact_data(
        {
            "entry": entry.as_dict(),
            "capabilities": _capabilities(coordinator),
            "last_update_success": coordinator.last_update_success,
            "state": asdict(coordinator.data),
        },
        TO_REDACT,
    )


def _capabilities(coordinator: BeneluxSmsCoordinator) -> dict[str, Any]:
    capabilities = asdict(coordinator.gateway.capabilities)
    if (countries := capabilities["recipient_country_codes"]) is not None:
        capabilities["recipient_country_codes"] = sorted(countries)
    return capabilities
