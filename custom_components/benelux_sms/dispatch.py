"""A send as an automation asks for it: the account's own checks, then the fallback account.

The account's guard suppresses duplicates and refuses what would pass its daily limit, then
its sender sends; sends through one account run at once (the guard reserves, no lock is
held across the request). Only what the gateway certainly did not take goes once more,
through the account's fallback, with the fallback's own checks and default sender: a whole
send (``SmsNotSentError``), or the recipients a partial send certainly did not reach. An
unknown outcome, input the integration refuses and the daily limit never fail over, and the
fallback's own fallback is not followed: nothing is sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir

from .const import CONF_FALLBACK_ENTRY_ID, DOMAIN, LOGGER
from .errors import SmsNotSentError, SmsOutcomeUnknownError, SmsPartiallySentError
from .gateways.base import OutboundSms, SendReceipt
from .repairs import async_create_account_issue
from .runtime import BeneluxSmsConfigEntry
from .send_fields import with_send_fields
from .sms import EncodingChoice


@dataclass(frozen=True, slots=True)
class SmsRequest:
    """What the automation asked to send."""

    recipients: tuple[str, ...]
    text: str
    sender: str | None = None
    """None: the default sender of the account that sends."""
    encoding: EncodingChoice = EncodingChoice.AUTO
    bypass_limits: bool = False
    """Neither the daily limit nor duplicate suppression applies."""
    valid_for: int | None = None
    """Minutes the gateway keeps trying, where it can be told (``send_fields``)."""
    reference: str | None = None
    """The caller's label, given back in the delivery reports where the gateway can."""
    confirm_within: int | None = None
    """Seconds for a delivered report (0: off); None: the account's option (confirmation.py)."""
    ignore_duplicates: bool = False
    """The duplicate window does not apply, the daily limit does (an unconfirmed alarm's
    re-send through the fallback)."""


@dataclass(frozen=True, slots=True)
class Dispatched:
    """What became of a request, told by the account that answered it."""

    entry_id: str
    """The account that sent (or suppressed) the message."""
    recipients: tuple[str, ...]
    """Every recipient asked for, normalised, in the order asked."""
    sms: OutboundSms
    """The message as the answering account checked it (its text, alphabet and segments)."""
    receipt: SendReceipt | None
    """What the gateway accepted; None when every recipient was suppressed."""
    suppressed: tuple[str, ...]
    fallback_used: bool = False
    test_recipients: frozenset[str] = field(default_factory=frozenset)
    """Recipients the gateway took as a test (test mode, a test number): nothing was sent."""
    fallback_entry_id: str | None = None
    """Set where this account sent to some recipients and its fallback to the others."""
    fallback_recipients: tuple[str, ...] = ()
    """Those the fallback took (or suppressed) where this account certainly did not send."""


@dataclass(frozen=True, slots=True)
class _NotSent:
    """A send the account's gateway certainly did not take: the fallback may try it."""

    error: SmsNotSentError
    recipients: tuple[str, ...]
    unsent: tuple[str, ...]
    suppressed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _PartlySent:
    """A send some recipients have and some certainly not: those may go through the fallback."""

    error: SmsPartiallySentError
    recipients: tuple[str, ...]
    suppressed: tuple[str, ...]
    sms: OutboundSms
    """The message as sent, to the recipients that were not suppressed."""


def fallback_issue_id(entry_id: str) -> str:
    """Return the id of the repair issue that says an account's fallback cannot be used."""
    return f"fallback_unavailable_{entry_id}"


async def async_dispatch(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry, request: SmsRequest
) -> Dispatched:
    """Send through ``entry``; when it certainly did not send, once through its fallback."""
    outcome = await _async_send_through(entry, request)
    if isinstance(outcome, Dispatched):
        return outcome
    if not entry.options.get(CONF_FALLBACK_ENTRY_ID):
        raise outcome.error
    if isinstance(outcome, _PartlySent):
        return await _async_fail_over_rest(hass, entry, request, outcome)
    fallback = _fallback_entry(hass, entry, outcome.error)
    LOGGER.warning(
        "%s did not send the SMS (%s); sending it through the fallback account %s",
        entry.title,
        _reason(outcome.error),
        fallback.title,
    )
    dispatched = await _async_send_through(fallback, replace(request, recipients=outcome.unsent))
    if isinstance(dispatched, _PartlySent):
        entry.runtime_data.guard.async_remember(_accepted(dispatched.error.accepted), request.text)
    if isinstance(dispatched, _NotSent | _PartlySent):
        raise dispatched.error
    ir.async_delete_issue(hass, DOMAIN, fallback_issue_id(entry.entry_id))
    if dispatched.receipt is not None:
        entry.runtime_data.guard.async_remember(_accepted(dispatched.receipt), request.text)
    return replace(
        dispatched,
        recipients=outcome.recipients,
        suppressed=outcome.suppressed + dispatched.suppressed,
        fallback_used=True,
    )


async def async_send_without_fallback(
    entry: BeneluxSmsConfigEntry, request: SmsRequest
) -> Dispatched:
    """Send through ``entry`` under its own checks; its fallback is not followed."""
    outcome = await _async_send_through(entry, request)
    if isinstance(outcome, _NotSent | _PartlySent):
        raise outcome.error
    return outcome


async def _async_send_through(
    entry: BeneluxSmsConfigEntry, request: SmsRequest
) -> Dispatched | _NotSent | _PartlySent:
    """Send through this account alone, under its own checks.

    Nothing is held across the gateway request: the guard reserves the limit and the
    duplicate window first, and gets back what certainly did not go out.
    """
    guard = entry.runtime_data.guard
    sender = entry.runtime_data.sender
    prepared = with_send_fields(
        sender.prepare(request.recipients, request.text, request.sender, request.encoding),
        entry.runtime_data.gateway,
        request.valid_for,
        request.reference,
    )
    reservation = guard.async_reserve(
        prepared.recipients,
        request.text,
        prepared.segments,
        check_limit=not request.bypass_limits,
        check_duplicates=not (request.bypass_limits or request.ignore_duplicates),
    )
    suppressed = reservation.suppressed
    if not reservation.recipients:
        return Dispatched(entry.entry_id, prepared.recipients, prepared, None, suppressed)
    sms = (
        prepared
        if reservation.recipients == prepared.recipients
        else replace(prepared, recipients=reservation.recipients)
    )
    try:
        result = await sender.async_send_prepared(sms, request.text)
    except SmsNotSentError as err:
        guard.async_release(reservation)
        return _NotSent(err, prepared.recipients, reservation.recipients, suppressed)
    except ServiceValidationError:
        guard.async_release(reservation)  # the gateway refused the input: nothing went out
        raise
    except SmsPartiallySentError as err:
        guard.async_record_accepted(_accepted(err.accepted), err.segments)
        guard.async_release(reservation, err.not_sent)
        if not err.not_sent:
            raise
        return _PartlySent(err, prepared.recipients, suppressed, sms)
    # An unknown outcome (SmsOutcomeUnknownError, or the send cancelled) keeps the reservation.
    tests = result.test_recipients
    guard.async_record_accepted(
        tuple(number for number in _accepted(result.receipt) if number not in tests),
        result.sms.segments,
    )
    if tests:
        # A test costs nothing: it counts neither for the usage nor for the daily limit.
        guard.async_release(reservation, tests)
    return Dispatched(
        entry.entry_id,
        prepared.recipients,
        result.sms,
        result.receipt,
        suppressed,
        test_recipients=tests,
    )


async def _async_fail_over_rest(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry, request: SmsRequest, outcome: _PartlySent
) -> Dispatched:
    """Send the recipients a partial send certainly did not reach through the fallback.

    Those the account accepted are not sent again; those it may have sent to are not failed
    over. Where everyone has the message in the end, the answer is a success that names who
    got it through the fallback; else ``partially_sent_fallback`` tells who has it, who got
    it through the fallback, who certainly not and who may have it.
    """
    err = outcome.error
    try:
        fallback = _fallback_entry(hass, entry, err)
    except SmsNotSentError:
        raise err from None
    LOGGER.warning(
        "%s did not send the SMS to %d of its recipients (%s); sending it to them through the"
        " fallback account %s",
        entry.title,
        len(err.not_sent),
        _reason(err),
        fallback.title,
    )
    rest = err.not_sent
    taken, refused, unknown = await _async_send_rest(fallback, replace(request, recipients=rest))
    if taken:
        ir.async_delete_issue(hass, DOMAIN, fallback_issue_id(entry.entry_id))
        entry.runtime_data.guard.async_remember(taken.recipients, request.text)
    if not refused and not unknown and not err.unknown:
        messages = err.accepted.messages + (taken.receipt.messages if taken.receipt else ())
        return Dispatched(
            entry.entry_id,
            outcome.recipients,
            outcome.sms,
            SendReceipt(messages),
            outcome.suppressed + taken.suppressed,
            fallback_used=True,
            fallback_entry_id=fallback.entry_id,
            fallback_recipients=rest,
        )
    placeholders = err.translation_placeholders or {}
    raise SmsPartiallySentError(
        err.accepted,
        err.segments,
        err.unknown + unknown,
        {
            "accepted": placeholders.get("accepted", "-"),
            "total": placeholders.get("total", "-"),
            "fallback": fallback.title,
            "fallback_sent": ", ".join(taken.recipients + taken.suppressed) or "-",
            "not_sent": ", ".join(refused) or "-",
            "unknown": ", ".join(err.unknown + unknown) or "-",
            "code": placeholders.get("code", "-"),
        },
        not_sent=refused,
        translation_key="partially_sent_fallback",
    ) from err


@dataclass(frozen=True, slots=True)
class _Taken:
    """What the fallback took of the rest of a partial send."""

    recipients: tuple[str, ...] = ()
    receipt: SendReceipt | None = None
    suppressed: tuple[str, ...] = ()
    """Those the fallback's duplicate window says have the text already."""

    def __bool__(self) -> bool:
        return bool(self.recipients or self.suppressed)


async def _async_send_rest(
    fallback: BeneluxSmsConfigEntry, request: SmsRequest
) -> tuple[_Taken, tuple[str, ...], tuple[str, ...]]:
    """Send through the fallback alone; return what it took, refused and may have sent."""
    try:
        outcome = await _async_send_through(fallback, request)
    except SmsPartiallySentError as err:
        return _Taken(_accepted(err.accepted), err.accepted), err.not_sent, err.unknown
    except SmsOutcomeUnknownError:
        return _Taken(), (), request.recipients
    except HomeAssistantError as err:  # its daily limit, or a number it does not serve
        LOGGER.warning(
            "The fallback account %s refused the SMS too (%s)", fallback.title, _reason(err)
        )
        return _Taken(), request.recipients, ()
    if isinstance(outcome, _NotSent):
        return _Taken(), request.recipients, ()
    if isinstance(outcome, _PartlySent):
        accepted = outcome.error.accepted
        return _Taken(_accepted(accepted), accepted), outcome.error.not_sent, outcome.error.unknown
    taken = _accepted(outcome.receipt) if outcome.receipt else ()
    return _Taken(taken, outcome.receipt, outcome.suppressed), (), ()


def _accepted(receipt: SendReceipt) -> tuple[str, ...]:
    return tuple(dict.fromkeys(message.recipient for message in receipt.messages))


def _fallback_entry(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry, err: HomeAssistantError
) -> BeneluxSmsConfigEntry:
    """Return the loaded fallback account, or raise (and open a repair issue) where it is not."""
    fallback_id: str = entry.options[CONF_FALLBACK_ENTRY_ID]
    fallback: BeneluxSmsConfigEntry | None = hass.config_entries.async_get_entry(fallback_id)
    if (
        fallback is not None
        and fallback.domain == DOMAIN
        and fallback.entry_id != entry.entry_id
        and fallback.state is ConfigEntryState.LOADED
    ):
        return fallback
    placeholders = {
        "account": entry.title,
        "fallback": fallback.title if fallback is not None else fallback_id,
    }
    LOGGER.warning(
        "%s did not send the SMS (%s), and its fallback account %s is not loaded",
        entry.title,
        _reason(err),
        placeholders["fallback"],
    )
    async_create_account_issue(
        hass,
        fallback_issue_id(entry.entry_id),
        "fallback_unavailable",
        placeholders,
        severity=ir.IssueSeverity.ERROR,
    )
    raise SmsNotSentError(
        translation_domain=DOMAIN,
        translation_key="fallback_unavailable",
        translation_placeholders=placeholders,
    ) from err


def _reason(err: HomeAssistantError) -> str:
    """Return why a send failed, as a log can say it: the error's key and gateway code."""
    code = (err.translation_placeholders or {}).get("code", "-")
    return f"{err.translation_key}, gateway code {code}"
