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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

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
from .gateways.base import DeliveryStatus, SentMessage
from .runtime import BeneluxSmsConfigEntry


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
        if request.confirm_within is not None:
            raise validation_error("confirmation_unsupported", account=entry.title)
        # The account's option asks it, but no report can come now (the report URL went
        # away): an alarm is sent all the same, and its deadline escalates it.
        LOGGER.warning(
            "%s cannot hear of delivery now; the SMS is sent and escalated at its deadline",
            entry.title,
        )
    confirming = _Confirming(hass, request, dt_util.utcnow() + timedelta(seconds=seconds))
    try:
        dispatched = await async_dispatch(hass, entry, request)
    except SmsPartiallySentError as err:
        confirming.expect(entry.entry_id, err.accepted.messages, fall_back=True)
        confirming.expect_unknown(entry.entry_id, err.unknown)
        raise
    except SmsOutcomeUnknownError:
        confirming.expect_unknown(entry.entry_id, _prepared_recipients(entry, request))
        raise
    if dispatched.receipt is not None:
        # Each message is confirmed by the account that sent it: its reports come there.
        moved = set(dispatched.fallback_recipients)
        messages = dispatched.receipt.messages
        confirming.expect(
            dispatched.entry_id,
            [sent for sent in messages if sent.recipient not in moved],
            # Not followed twice: where the whole send went through the fallback, it is that.
            fall_back=dispatched.entry_id == entry.entry_id,
        )
        if dispatched.fallback_entry_id is not None:
            confirming.expect(
                dispatched.fallback_entry_id,
                [sent for sent in messages if sent.recipient in moved],
                fall_back=False,
            )
    return dispatched


@dataclass(frozen=True, slots=True)
class _Confirming:
    """The confirmations one send leaves, all with the same deadline."""

    hass: HomeAssistant
    request: SmsRequest
    deadline: datetime

    def expect(self, entry_id: str, messages: Iterable[SentMessage], *, fall_back: bool) -> None:
        """Have the account ``entry_id`` (the one that sent them) confirm these messages."""
        self._expect(
            entry_id,
            [
                self._pending(sent.recipient, sent.message_id, sent.status, fall_back)
                for sent in messages
            ],
        )

    def expect_unknown(self, entry_id: str, recipients: Iterable[str]) -> None:
        """Confirm recipients the send may have reached: with no id, the deadline decides."""
        self._expect(
            entry_id,
            [
                self._pending(number, None, DeliveryStatus.UNKNOWN, fall_back=True)
                for number in recipients
            ],
        )

    def _expect(self, entry_id: str, items: list[PendingConfirmation]) -> None:
        entry: BeneluxSmsConfigEntry | None = self.hass.config_entries.async_get_entry(entry_id)
        if items and entry is not None and entry.state is ConfigEntryState.LOADED:
            entry.runtime_data.confirmations.async_expect(items)

    def _pending(
        self, recipient: str, message_id: str | None, status: DeliveryStatus, fall_back: bool
    ) -> PendingConfirmation:
        request = self.request
        return PendingConfirmation(
            recipient,
            message_id,
            status,
            self.deadline,
            request.text,
            request.sender,
            request.encoding,
            fall_back,
        )


def _prepared_recipients(entry: BeneluxSmsConfigEntry, request: SmsRequest) -> tuple[str, ...]:
    """Return the recipients, normalised, of a send whose outcome is unknown."""
    prepared = entry.runtime_data.sender.prepare(
        request.recipients, request.text, request.sender, request.encoding
    )
    return prepared.recipients


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
