"""A send that waits for its ``delivered`` reports, and what happens when they do not come.

``async_send`` is the send the action and the notify entities make: with ``confirm_within``
(the action's field, else the account's option) every recipient the gateway took is
confirmed by the account that sent it (``confirmation.py``). A recipient whose outcome is
unknown has no message id, so no report can come for it: its deadline escalates it, with
status ``unknown`` (an alarm that may not have gone out is what escalation is for).

Escalation fires ``benelux_sms_unconfirmed`` and, where the account has a fallback, sends the
same text once more to that recipient through it: the fallback's daily limit applies, its
duplicate window does not, and that re-send is neither confirmed nor sent further.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .confirmation import (
    MAX_CONFIRM_WITHIN,
    MIN_CONFIRM_WITHIN,
    Escalate,
    PendingConfirmation,
)
from .const import CONF_CONFIRM_WITHIN, CONF_FALLBACK_ENTRY_ID, DOMAIN, EVENT_UNCONFIRMED, LOGGER
from .dispatch import Dispatched, SmsRequest, async_dispatch, async_send_without_fallback
from .errors import SmsOutcomeUnknownError, SmsPartiallySentError, validation_error
from .gateways.base import DeliveryStatus, SendReceipt
from .runtime import BeneluxSmsConfigEntry

type _Pending = Callable[[str, str | None, DeliveryStatus, bool], PendingConfirmation]
"""Recipient, message id, status, whether the fallback re-sends → a pending confirmation."""


def confirm_within(entry: BeneluxSmsConfigEntry, request: SmsRequest) -> int:
    """Return the seconds to wait for the reports (0: none): the request's, else the option's.

    Anything but 0 or MIN_CONFIRM_WITHIN to MAX_CONFIRM_WITHIN is refused.
    """
    seconds = request.confirm_within
    if seconds is None:
        seconds = int(entry.options.get(CONF_CONFIRM_WITHIN, 0))
    if seconds and not MIN_CONFIRM_WITHIN <= seconds <= MAX_CONFIRM_WITHIN:
        raise validation_error(
            "confirm_within_invalid",
            minimum=str(MIN_CONFIRM_WITHIN),
            maximum=str(MAX_CONFIRM_WITHIN),
        )
    return seconds


async def async_send(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry, request: SmsRequest
) -> Dispatched:
    """Send as ``dispatch`` does; with confirmation on, wait for each recipient's report.

    Where the account hears of no report, it is refused before anything is sent.
    """
    if not (seconds := confirm_within(entry, request)):
        return await async_dispatch(hass, entry, request)
    if not entry.runtime_data.confirmations.can_confirm():
        raise validation_error("confirmation_unsupported", account=entry.title)
    deadline = dt_util.utcnow() + timedelta(seconds=seconds)

    def pending(
        recipient: str, message_id: str | None, status: DeliveryStatus, fall_back: bool
    ) -> PendingConfirmation:
        return PendingConfirmation(
            recipient,
            message_id,
            status,
            deadline,
            request.text,
            request.sender,
            request.encoding,
            fall_back,
        )

    confirmations = entry.runtime_data.confirmations
    try:
        dispatched = await async_dispatch(hass, entry, request)
    except SmsPartiallySentError as err:
        confirmations.async_expect(
            _expected(err.accepted, pending)
            + [pending(number, None, DeliveryStatus.UNKNOWN, True) for number in err.unknown]
        )
        raise
    except SmsOutcomeUnknownError:
        unknown = _maybe_sent(entry, request)
        confirmations.async_expect(
            [pending(number, None, DeliveryStatus.UNKNOWN, True) for number in unknown]
        )
        raise
    if dispatched.receipt is not None:
        sent_by: BeneluxSmsConfigEntry | None = hass.config_entries.async_get_entry(
            dispatched.entry_id
        )
        if sent_by is not None and sent_by.state is ConfigEntryState.LOADED:
            sent_by.runtime_data.confirmations.async_expect(
                _expected(dispatched.receipt, pending, fall_back=not dispatched.fallback_used)
            )
    return dispatched


def _expected(
    receipt: SendReceipt, pending: _Pending, *, fall_back: bool = True
) -> list[PendingConfirmation]:
    return [
        pending(sent.recipient, sent.message_id, sent.status, fall_back)
        for sent in receipt.messages
    ]


def _maybe_sent(entry: BeneluxSmsConfigEntry, request: SmsRequest) -> tuple[str, ...]:
    """Return the recipients a send with an unknown outcome may have reached (the ones it
    did not suppress as duplicates).
    """
    data = entry.runtime_data
    prepared = data.sender.prepare(
        request.recipients, request.text, request.sender, request.encoding
    )
    if request.bypass_limits or request.ignore_duplicates:
        return prepared.recipients
    suppressed = set(data.guard.suppressed(prepared.recipients, request.text))
    return tuple(number for number in prepared.recipients if number not in suppressed)


def escalation_for(hass: HomeAssistant, entry: BeneluxSmsConfigEntry) -> Escalate:
    """Return what escalates an unconfirmed recipient of ``entry``."""

    async def escalate(item: PendingConfirmation) -> None:
        await async_escalate(hass, entry, item)

    return escalate


async def async_escalate(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry, item: PendingConfirmation
) -> None:
    """Re-send through the fallback where there is one, and fire the event in any case."""
    fallback_id: str | None = entry.options.get(CONF_FALLBACK_ENTRY_ID) if item.fall_back else None
    fallback_message_id: str | None = None
    LOGGER.warning(
        "%s: message %s was not confirmed delivered (status %s)%s",
        entry.title,
        item.message_id or "-",
        item.status.value,
        "; sending it again through the fallback account" if fallback_id else "",
    )
    try:
        if fallback_id:
            fallback_message_id = await _async_resend(hass, entry, fallback_id, item)
    finally:
        hass.bus.async_fire(
            EVENT_UNCONFIRMED,
            {
                "config_entry_id": entry.entry_id,
                "message_id": item.message_id,
                "recipient": item.recipient,
                "status": item.status.value,
                "fallback_entry_id": fallback_id or None,
                "fallback_message_id": fallback_message_id,
            },
        )


async def _async_resend(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry, fallback_id: str, item: PendingConfirmation
) -> str | None:
    """Send the text once more through the fallback; return its message id (None: failed)."""
    fallback: BeneluxSmsConfigEntry | None = hass.config_entries.async_get_entry(fallback_id)
    if (
        fallback is None
        or fallback.domain != DOMAIN
        or fallback.entry_id == entry.entry_id
        or fallback.state is not ConfigEntryState.LOADED
    ):
        LOGGER.warning(
            "%s: the fallback account %s is not loaded; the unconfirmed SMS was not sent again",
            entry.title,
            fallback.title if fallback is not None else fallback_id,
        )
        return None
    request = SmsRequest(
        (item.recipient,),
        item.text,
        item.sender,
        item.encoding,
        ignore_duplicates=True,
    )
    try:
        dispatched = await async_send_without_fallback(fallback, request)
    except HomeAssistantError as err:
        LOGGER.warning(
            "%s: the fallback account %s did not send the unconfirmed SMS again (%s)",
            entry.title,
            fallback.title,
            err.translation_key,
        )
        return None
    messages = dispatched.receipt.messages if dispatched.receipt else ()
    return next((sent.message_id for sent in messages if sent.message_id), None)
