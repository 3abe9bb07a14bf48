"""The benelux_sms.send_sms action: send to any numbers and tell what was sent."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv

from .compat import vol
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_ENCODING,
    ATTR_MESSAGE,
    ATTR_RECIPIENTS,
    ATTR_SENDER,
    DOMAIN,
    SERVICE_SEND_SMS,
)
from .errors import validation_error
from .runtime import BeneluxSmsConfigEntry
from .sender import SendResult
from .sms import EncodingChoice

SEND_SMS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_RECIPIENTS): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_SENDER): cv.string,
        vol.Optional(ATTR_ENCODING, default=EncodingChoice.AUTO): vol.Coerce(EncodingChoice),
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SEND_SMS,
        _async_send_sms,
        schema=SEND_SMS_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )


async def _async_send_sms(call: ServiceCall) -> ServiceResponse:
    entry = _loaded_entry(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    result = await entry.runtime_data.sender.async_send(
        call.data[ATTR_RECIPIENTS],
        call.data[ATTR_MESSAGE],
        call.data.get(ATTR_SENDER),
        call.data[ATTR_ENCODING],
    )
    return _response(result)


def _loaded_entry(hass: HomeAssistant, entry_id: str) -> BeneluxSmsConfigEntry:
    entry: BeneluxSmsConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise validation_error("entry_not_found", entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise validation_error("entry_not_loaded", title=entry.title)
    return entry


def _response(result: SendResult) -> ServiceResponse:
    return {
        "messages": [
            {
                "recipient": message.recipient,
                "message_id": message.message_id,
                "status": message.status.value,
            }
            for message in result.receipt.messages
        ],
        "segments": result.sms.segments,
        "encoding": result.sms.encoding.value,
        "text_changed": result.text_changed,
    }
