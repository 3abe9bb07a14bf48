"""The heartbeat's account options, offered where the gateway holds scheduled messages."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .compat import vol
from .const import CONF_HEARTBEAT_MESSAGE, CONF_HEARTBEAT_MINUTES, CONF_HEARTBEAT_RECIPIENTS
from .heartbeat import DEFAULT_MINUTES, MAX_MINUTES, MIN_MINUTES
from .sms import EncodingChoice

HEARTBEAT_FIELDS: dict[vol.Marker, Any] = {
    vol.Optional(CONF_HEARTBEAT_RECIPIENTS): TextSelector(
        TextSelectorConfig(type=TextSelectorType.TEL, multiple=True)
    ),
    # No min or max on the selector: Home Assistant would refuse with its own English words.
    vol.Optional(CONF_HEARTBEAT_MINUTES): NumberSelector(
        NumberSelectorConfig(step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="min")
    ),
    vol.Optional(CONF_HEARTBEAT_MESSAGE): TextSelector(TextSelectorConfig(multiline=True)),
}


HEARTBEAT_SUGGESTIONS = {CONF_HEARTBEAT_MINUTES: DEFAULT_MINUTES}
"""What the form shows in a heartbeat field the options do not have yet."""


def heartbeat_errors(entry: ConfigEntry, user_input: dict[str, Any]) -> dict[str, str]:
    """Return the form errors of the heartbeat fields: the delay, and the numbers and text as
    a send checks them.
    """
    errors: dict[str, str] = {}
    minutes = float(user_input.get(CONF_HEARTBEAT_MINUTES, DEFAULT_MINUTES))
    if not (minutes.is_integer() and MIN_MINUTES <= minutes <= MAX_MINUTES):
        errors[CONF_HEARTBEAT_MINUTES] = "heartbeat_minutes_range"
    recipients = [number for number in user_input.get(CONF_HEARTBEAT_RECIPIENTS) or () if number]
    if recipients:
        errors.update(_message_errors(entry, recipients, user_input))
    return errors


def _message_errors(
    entry: ConfigEntry, recipients: list[str], user_input: dict[str, Any]
) -> dict[str, str]:
    message = str(user_input.get(CONF_HEARTBEAT_MESSAGE) or "")
    if not message.strip():
        return {CONF_HEARTBEAT_MESSAGE: "heartbeat_message_missing"}
    if entry.state is not ConfigEntryState.LOADED:
        return {}
    try:
        entry.runtime_data.sender.prepare(recipients, message, None, EncodingChoice.AUTO)
    except ServiceValidationError as err:
        if (err.translation_key or "").startswith("invalid_number"):
            return {CONF_HEARTBEAT_RECIPIENTS: "heartbeat_invalid_number"}
        return {CONF_HEARTBEAT_MESSAGE: "heartbeat_invalid_message"}
    return {}


def heartbeat_options(user_input: dict[str, Any]) -> dict[str, Any]:
    """Return the heartbeat fields as stored: numbers without blanks, whole minutes."""
    options: dict[str, Any] = {}
    if CONF_HEARTBEAT_RECIPIENTS in user_input:
        options[CONF_HEARTBEAT_RECIPIENTS] = [
            number for number in user_input[CONF_HEARTBEAT_RECIPIENTS] or () if number
        ]
    if CONF_HEARTBEAT_MINUTES in user_input:
        options[CONF_HEARTBEAT_MINUTES] = round(float(user_input[CONF_HEARTBEAT_MINUTES]))
    return options
