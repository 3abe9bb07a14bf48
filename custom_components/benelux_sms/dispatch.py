"""A send as an automation asks for it: the account's own checks, then the fallback account.

The account's guard suppresses duplicates and refuses what would pass its daily limit, then
its sender sends. Only a send the gateway certainly did not take (``SmsNotSentError``) goes
once more, through the account's fallback, with the fallback's own checks and default sender.
An unknown outcome, input the integration refuses and the daily limit never fail over, and
the fallback's own fallback is not followed: nothing is sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
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


@dataclass(frozen=True, slots=True)
class _NotSent:
    """A send the account's gateway certainly did not take: the fallback may try it."""

    error: SmsNotSentError
    recipients: tuple[str, ...]
    unsent: tuple[str, ...]
    suppressed: tuple[str, ...]


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
    fallback = _fallback_entry(hass, entry, outcome.error)
    LOGGER.warning(
        "%s did not send the SMS (%s); sending it through the fallback account %s",
        entry.title,
        _reason(outcome.error),
        fallback.title,
    )
    dispatched = await _async_send_through(fallback, replace(request, recipients=outcome.unsent))
    if isinstance(dispatched, _NotSent):
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


async def _async_send_through(
    entry: BeneluxSmsConfigEntry, request: SmsRequest
) -> Dispatched | _NotSent:
    """Send through this account alone, under its own checks."""
    guard = entry.runtime_data.guard
    sender = entry.runtime_data.sender
    async with guard.lock:
        prepared = with_send_fields(
            sender.prepare(request.recipients, request.text, request.sender, request.encoding),
            entry.runtime_data.gateway,
            request.valid_for,
            request.reference,
        )
        suppressed = (
            () if request.bypass_limits else guard.suppressed(prepared.recipients, request.text)
        )
        unsent = tuple(number for number in prepared.recipients if number not in suppressed)
        if not unsent:
            return Dispatched(entry.entry_id, prepared.recipients, prepared, None, suppressed)
        if not request.bypass_limits:
            guard.check_limit(prepared.segments * len(unsent))
        try:
            result = await sender.async_send_prepared(
                replace(prepared, recipients=unsent), request.text
            )
        except SmsNotSentError as err:
            return _NotSent(err, prepared.recipients, unsent, suppressed)
        except SmsPartiallySentError as err:
            guard.async_record_sent(_accepted(err.accepted), request.text, err.segments)
            guard.async_record_uncertain(err.segments * len(err.unknown))
            raise
        except SmsOutcomeUnknownError:
            guard.async_record_uncertain(prepared.segments * len(unsent))
            raise
        # A test costs nothing: it counts neither for the usage nor for the daily limit.
        charged = tuple(
            number for number in _accepted(result.receipt) if number not in result.test_recipients
        )
        guard.async_record_sent(charged, request.text, result.sms.segments)
    return Dispatched(
        entry.entry_id,
        prepared.recipients,
        result.sms,
        result.receipt,
        suppressed,
        test_recipients=result.test_recipients,
    )


def _accepted(receipt: SendReceipt) -> tuple[str, ...]:
    return tuple(dict.fromkeys(message.recipient for message in receipt.messages))


def _fallback_entry(
    hass: HomeAssistant, entry: BeneluxSmsConfigEntry, err: SmsNotSentError
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
