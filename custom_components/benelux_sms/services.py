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
from homeassistant.util.json import JsonValueType

from .compat import vol
from .const import (
    ATTR_BYPASS_LIMITS,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_CONFIRM_WITHIN,
    ATTR_ENCODING,
    ATTR_MESSAGE,
    ATTR_RECIPIENTS,
    ATTR_REFERENCE,
    ATTR_SCHEDULE_ID,
    ATTR_SEND_AT,
    ATTR_SENDER,
    ATTR_VALID_FOR,
    ATTR_VOICE,
    ATTR_VOICE_LANGUAGE,
    DOMAIN,
    SERVICE_CANCEL_SCHEDULED,
    SERVICE_SEND_SMS,
)
from .dispatch import Dispatched, SmsRequest
from .errors import validation_error
from .escalation import async_send
from .gateways.base import SendReceipt
from .runtime import BeneluxSmsConfigEntry
from .scheduling import async_cancel, async_schedule
from .send_fields import MAX_VALID_FOR, check_send_fields
from .sms import EncodingChoice
from .voice import (
    DEFAULT_VOICE_LANGUAGE,
    SEGMENTS_PER_CALL,
    VOICE_LANGUAGES,
    CallRequest,
    async_make_calls,
    check_call_fields,
)

STATUS_SUPPRESSED = "suppressed"
STATUS_TEST = "test"
"""The gateway took the message in test mode (or for its test number): nothing was sent."""

SEND_SMS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_RECIPIENTS): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_SENDER): cv.string,
        vol.Optional(ATTR_ENCODING, default=EncodingChoice.AUTO): vol.Coerce(EncodingChoice),
        vol.Optional(ATTR_BYPASS_LIMITS, default=False): cv.boolean,
        vol.Optional(ATTR_SEND_AT): cv.datetime,
        vol.Optional(ATTR_VALID_FOR): vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_VALID_FOR)),
        vol.Optional(ATTR_REFERENCE): vol.All(cv.string, vol.Length(min=1)),
        vol.Optional(ATTR_VOICE, default=False): cv.boolean,
        vol.Optional(ATTR_VOICE_LANGUAGE): vol.In(VOICE_LANGUAGES),
        vol.Optional(ATTR_CONFIRM_WITHIN): cv.positive_int,
    }
)

CANCEL_SCHEDULED_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_SCHEDULE_ID): cv.string,
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
    hass.services.async_register(
        DOMAIN, SERVICE_CANCEL_SCHEDULED, _async_cancel_scheduled, schema=CANCEL_SCHEDULED_SCHEMA
    )


async def _async_send_sms(call: ServiceCall) -> ServiceResponse:
    entry = _loaded_entry(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    if call.data[ATTR_VOICE]:
        return await _async_call(call, entry)
    check_send_fields(
        entry.runtime_data.gateway, call.data.get(ATTR_VALID_FOR), call.data.get(ATTR_REFERENCE)
    )
    request = SmsRequest(
        recipients=tuple(call.data[ATTR_RECIPIENTS]),
        text=call.data[ATTR_MESSAGE],
        sender=call.data.get(ATTR_SENDER),
        encoding=call.data[ATTR_ENCODING],
        bypass_limits=call.data[ATTR_BYPASS_LIMITS],
        valid_for=call.data.get(ATTR_VALID_FOR),
        reference=call.data.get(ATTR_REFERENCE),
        confirm_within=call.data.get(ATTR_CONFIRM_WITHIN),
    )
    if (send_at := call.data.get(ATTR_SEND_AT)) is not None:
        return await async_schedule(call.hass, entry, request, send_at)
    dispatched = await async_send(call.hass, entry, request)
    _tell_reached(call.hass, entry, dispatched)
    return _response(request, dispatched)


def _tell_reached(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry, dispatched: Dispatched
) -> None:
    """Tell the recipients (of the account asked and the one that sent) their number got it.

    Their notify entities record the notification, as their own send action does.
    """
    if dispatched.receipt is None:
        return
    numbers = [message.recipient for message in dispatched.receipt.messages]
    for entry_id in dict.fromkeys((entry.entry_id, dispatched.entry_id)):
        account: BeneluxSmsConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
        if account is not None and account.state is ConfigEntryState.LOADED:
            account.runtime_data.status.async_tell_reached(numbers)


async def _async_call(call: ServiceCall, entry: BeneluxSmsConfigEntry) -> ServiceResponse:
    """Have the text read out in a phone call (``voice``)."""
    check_call_fields(entry.runtime_data.gateway, call.data)
    request = CallRequest(
        recipients=tuple(call.data[ATTR_RECIPIENTS]),
        text=call.data[ATTR_MESSAGE],
        language=call.data.get(ATTR_VOICE_LANGUAGE, DEFAULT_VOICE_LANGUAGE),
        bypass_limits=call.data[ATTR_BYPASS_LIMITS],
    )
    made = await async_make_calls(call.hass, entry, request)
    return {
        "messages": _rows(made.recipients, made.receipt, made.suppressed),
        "segments": SEGMENTS_PER_CALL,
        "encoding": None,
        "text_changed": False,
        "config_entry_id": entry.entry_id,
        "fallback_used": False,
        "voice": True,
        "voice_language": request.language,
    }


async def _async_cancel_scheduled(call: ServiceCall) -> None:
    entry = _loaded_entry(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    await async_cancel(entry, call.data[ATTR_SCHEDULE_ID])


def _loaded_entry(hass: HomeAssistant, entry_id: str) -> BeneluxSmsConfigEntry:
    entry: BeneluxSmsConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise validation_error("entry_not_found", entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise validation_error("entry_not_loaded", title=entry.title)
    return entry


def _response(request: SmsRequest, dispatched: Dispatched) -> ServiceResponse:
    response: dict[str, JsonValueType] = {
        "messages": _messages(dispatched),
        "segments": dispatched.sms.segments,
        "encoding": dispatched.sms.encoding.value,
        "text_changed": dispatched.sms.text != request.text,
        "config_entry_id": dispatched.entry_id,
        "fallback_used": dispatched.fallback_used,
    }
    if dispatched.fallback_recipients:
        # This account sent to some; its fallback took those it certainly did not reach.
        response["fallback_entry_id"] = dispatched.fallback_entry_id
        response["fallback_recipients"] = list(dispatched.fallback_recipients)
    return response


def _messages(dispatched: Dispatched) -> list[JsonValueType]:
    return _rows(
        dispatched.recipients,
        dispatched.receipt,
        dispatched.suppressed,
        dispatched.test_recipients,
    )


def _rows(
    recipients: tuple[str, ...],
    receipt: SendReceipt | None,
    suppressed: tuple[str, ...],
    tests: frozenset[str] = frozenset(),
) -> list[JsonValueType]:
    """Return each recipient's message id and status, in the order the recipients were asked."""
    sent = receipt.messages if receipt else ()
    rows = [
        (sms.recipient, sms.message_id, STATUS_TEST if sms.recipient in tests else sms.status.value)
        for sms in sent
    ]
    rows += [(number, None, STATUS_SUPPRESSED) for number in suppressed]
    order = {number: index for index, number in enumerate(recipients)}
    rows.sort(key=lambda row: order.get(row[0], len(order)))
    return [
        {"recipient": recipient, "message_id": message_id, "status": status}
        for recipient, message_id, status in rows
    ]
