"""Scheduled sends: ``send_sms`` with ``send_at``, and ``benelux_sms.cancel_scheduled``.

Everything is checked when the message is scheduled (the time, the numbers, the text), so bad
input never waits to fail. A gateway that holds scheduled messages itself (1601SMS) gets the
message at once; the others' messages wait in the account's ``ScheduledQueue`` and go out
through the action's own send path (``escalation.async_send``) when due, so the daily limit,
the duplicate window, the fallback and confirmation apply at sending time. A send that fails
then is told by a repair issue.
"""

from __future__ import annotations

from dataclasses import asdict, fields, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant, ServiceResponse, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .const import LOGGER
from .dispatch import SmsRequest
from .errors import ha_error_for, validation_error
from .escalation import async_send, confirm_within
from .gateways.base import Gateway, GatewayError, InvalidScheduleError, ScheduleNotFoundError
from .heartbeat import async_remove_heartbeat
from .repairs import async_create_account_issue
from .runtime import BeneluxSmsConfigEntry
from .scheduled import DueHandler, MissedHandler, ScheduledSms, scheduled_store
from .send_fields import with_send_fields
from .sms import EncodingChoice

STATUS_SCHEDULED = "scheduled"
MIN_AHEAD = timedelta(minutes=1)
"""The gateways schedule to the minute; a time closer than this is as good as now."""
MAX_AHEAD = timedelta(days=365)
"""Further ahead than a year is far more likely a mistyped year than a plan."""


async def async_schedule(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry, request: SmsRequest, send_at: datetime
) -> ServiceResponse:
    """Check and keep (or hand the gateway) a message to send at ``send_at``."""
    when = _checked_time(send_at)
    data = entry.runtime_data
    # A confirmation time that cannot be honoured fails now, not when the message is due.
    if confirm_within(entry, request) and data.gateway.capabilities.scheduling:
        # The gateway sends it on its own and gives it no id: no report can confirm it.
        raise validation_error("confirmation_unsupported", account=entry.title)
    sms = with_send_fields(
        data.sender.prepare(request.recipients, request.text, request.sender, request.encoding),
        data.gateway,
        request.valid_for,
        request.reference,
    )
    gateway_id: str | None = None
    if data.gateway.capabilities.scheduling:
        try:
            gateway_id = await data.gateway.schedule(sms, when)
        except InvalidScheduleError as err:
            raise _time_error(when, err.code) from err
        except GatewayError as err:
            raise ha_error_for(err) from err
    item = ScheduledSms(
        schedule_id=ulid_now(),
        send_at=when,
        recipients=sms.recipients,
        text=request.text,
        request=_request_data(replace(request, recipients=sms.recipients)),
        gateway_id=gateway_id,
    )
    await data.scheduled.async_add(item)
    return {
        "messages": [
            {
                "recipient": number,
                "message_id": None,
                "status": STATUS_SCHEDULED,
                "schedule_id": item.schedule_id,
            }
            for number in item.recipients
        ],
        "segments": sms.segments,
        "encoding": sms.encoding.value,
        "text_changed": sms.text != request.text,
        "config_entry_id": entry.entry_id,
        "fallback_used": False,
        "send_at": when.isoformat(),
    }


async def async_cancel(entry: BeneluxSmsConfigEntry, schedule_id: str) -> None:
    """Cancel a scheduled message; one not (or no longer) waiting is ``schedule_unknown``."""
    data = entry.runtime_data
    item = data.scheduled.get(schedule_id)
    if item is None:
        raise _unknown_error(schedule_id)
    if item.gateway_id is not None:
        try:
            await data.gateway.cancel_scheduled(item.gateway_id)
        except ScheduleNotFoundError as err:
            # Sent already, or removed in the gateway's portal: nothing is left to cancel.
            await data.scheduled.async_remove(schedule_id)
            raise _unknown_error(schedule_id, err.code) from err
        except GatewayError as err:
            raise ha_error_for(err) from err
    await data.scheduled.async_remove(schedule_id)


async def async_remove_gateway_schedules(
    hass: HomeAssistant, entry_id: str, gateway: Gateway
) -> None:
    """Cancel what a removed account left waiting at its gateway: messages and heartbeat."""
    now = dt_util.utcnow()
    for data in await scheduled_store(hass, entry_id).async_load() or []:
        item = ScheduledSms.from_data(data)
        if item.gateway_id is not None and item.send_at > now:
            try:
                await gateway.cancel_scheduled(item.gateway_id)
            except GatewayError as err:
                LOGGER.warning(
                    "Could not cancel scheduled SMS %s of a removed account (%s)",
                    item.schedule_id,
                    err.code,
                )
    await async_remove_heartbeat(hass, entry_id, gateway)


def due_handler(hass: HomeAssistant, entry: BeneluxSmsConfigEntry) -> DueHandler:
    """Return what sends an account's message when it falls due."""

    async def _async_send(item: ScheduledSms) -> None:
        try:
            await async_send(hass, entry, _request_of(item))
        except HomeAssistantError as err:
            _async_tell_failed(hass, entry, item, err)

    return _async_send


def missed_handler(hass: HomeAssistant, entry: BeneluxSmsConfigEntry) -> MissedHandler:
    """Return what tells the messages a restart could not send."""

    @callback
    def _async_tell(too_late: list[ScheduledSms], interrupted: list[ScheduledSms]) -> None:
        for key, items in (("scheduled_missed", too_late), ("scheduled_interrupted", interrupted)):
            if items:
                async_create_account_issue(
                    hass,
                    f"{key}_{entry.entry_id}",
                    key,
                    {"account": entry.title, "messages": _listed(items)},
                )

    return _async_tell


def _async_tell_failed(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry, item: ScheduledSms, err: HomeAssistantError
) -> None:
    async_create_account_issue(
        hass,
        f"scheduled_failed_{item.schedule_id}_{entry.entry_id}",
        "scheduled_failed",
        {"account": entry.title, "messages": _listed([item]), "error": str(err)},
        severity=ir.IssueSeverity.ERROR,
    )


def _request_data(request: SmsRequest) -> dict[str, Any]:
    """Return the request as the store keeps it: every field, whoever added it."""
    return {name: value for name, value in asdict(request).items() if value is not None}


def _request_of(item: ScheduledSms) -> SmsRequest:
    """Return the kept request, as asked (fields the store does not know keep their default)."""
    known = {field.name for field in fields(SmsRequest)}
    kept = {name: value for name, value in item.request.items() if name in known}
    return SmsRequest(
        **{
            **kept,
            "recipients": item.recipients,
            "text": item.text,
            "encoding": EncodingChoice(kept.get("encoding", EncodingChoice.AUTO)),
        }
    )


def _listed(items: list[ScheduledSms]) -> str:
    """Return the messages as an issue lists them: local time, numbers and text."""
    return "; ".join(
        f"{dt_util.as_local(item.send_at):%Y-%m-%d %H:%M} → {', '.join(item.recipients)}: "
        f"“{item.text}”"
        for item in items
    )


def _checked_time(send_at: datetime) -> datetime:
    """Return ``send_at`` in UTC (a time without zone is Home Assistant's local time)."""
    when = dt_util.as_utc(send_at)
    now = dt_util.utcnow()
    if not now + MIN_AHEAD <= when <= now + MAX_AHEAD:
        raise _time_error(when)
    return when


def _time_error(when: datetime, code: str | None = None) -> HomeAssistantError:
    return validation_error(
        "send_at_invalid",
        send_at=f"{dt_util.as_local(when):%Y-%m-%d %H:%M}",
        code=code or "-",
    )


def _unknown_error(schedule_id: str, code: str | None = None) -> HomeAssistantError:
    # ``code`` too: the gateway's refusal (1601SMS ERROR 122) says the same thing.
    return validation_error("schedule_unknown", schedule_id=schedule_id, code=code or "-")
