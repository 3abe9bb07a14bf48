"""The heartbeat: a message the gateway holds, always ``heartbeat_minutes`` ahead, moved on
every ``MOVE_EVERY`` while Home Assistant runs, so the gateway sends it only when Home Assistant
or its internet connection is down (1601SMS).

A move schedules the new message before it cancels the old one, so there is never a moment
without one; a cancel that fails is tried again at the next move (until then two wait, and the
older one goes out if it falls due first: a false alarm rather than none). At start-up the
stored message is taken over: moved on at once. Stopping Home Assistant leaves it waiting;
turning the heartbeat off, or removing the account, cancels it.

Whether the gateway charges a scheduled message when it is scheduled or when it is sent, its
document does not say. The balance is read before and after each of the first
``CHECKED_MOVES`` moves; when every one of them cost credits, the heartbeat stops (its message
is cancelled) and a repair issue says why, until its options change.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import (
    CONF_HEARTBEAT_MESSAGE,
    CONF_HEARTBEAT_MINUTES,
    CONF_HEARTBEAT_RECIPIENTS,
    DOMAIN,
    LOGGER,
)
from .gateways.base import Gateway, GatewayError, ScheduleNotFoundError
from .repairs import async_create_account_issue
from .sender import SmsSender
from .sms import EncodingChoice

STORAGE_VERSION = 1
MOVE_EVERY = timedelta(minutes=5)
"""How often the message is moved on: it goes out between ``heartbeat_minutes`` minus this and
``heartbeat_minutes`` after the last move."""
MIN_MINUTES = 15
MAX_MINUTES = 1440
DEFAULT_MINUTES = 60
CHECKED_MOVES = 3


@dataclass(frozen=True, slots=True)
class HeartbeatConfig:
    """The account's heartbeat options."""

    recipients: tuple[str, ...]
    minutes: int
    message: str

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> HeartbeatConfig | None:
        """Return the heartbeat the options ask for; None where they ask for none."""
        recipients = tuple(str(number) for number in options.get(CONF_HEARTBEAT_RECIPIENTS) or ())
        message = str(options.get(CONF_HEARTBEAT_MESSAGE) or "")
        if not recipients or not message.strip():
            return None
        minutes = int(options.get(CONF_HEARTBEAT_MINUTES) or DEFAULT_MINUTES)
        return cls(recipients, max(MIN_MINUTES, min(MAX_MINUTES, minutes)), message)

    @property
    def fingerprint(self) -> str:
        """Return what tells one heartbeat setting from another (no numbers in clear)."""
        text = json.dumps([self.recipients, self.minutes, self.message])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def heartbeat_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Return the store of the account's heartbeat: the waiting message and what to cancel."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.heartbeat")


def charged_issue_id(entry_id: str) -> str:
    """Return the id of the issue that says the heartbeat stopped because moves cost credits."""
    return f"heartbeat_charged_{entry_id}"


class Heartbeat:
    """The heartbeat of one account whose gateway holds scheduled messages."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, gateway: Gateway, sender: SmsSender
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._gateway = gateway
        self._sender = sender
        self._config = HeartbeatConfig.from_options(entry.options)
        self._store = heartbeat_store(hass, entry.entry_id)
        self._waiting_id: str | None = None
        self._waiting_due: datetime | None = None
        self._to_cancel: list[str] = []
        self._charged_config: str | None = None
        self._move_costs: list[bool] = []
        self._listeners: list[Callable[[], None]] = []
        self._moving = asyncio.Lock()

    @property
    def enabled(self) -> bool:
        """Return whether the options ask for a heartbeat (and moves are not stopped)."""
        return self._config is not None and not self._stopped

    @property
    def waiting_until(self) -> datetime | None:
        """Return when the waiting heartbeat goes out, where one waits at the gateway."""
        if self._waiting_due is None or self._waiting_due <= dt_util.utcnow():
            return None
        return self._waiting_due

    @property
    def _stopped(self) -> bool:
        return self._config is not None and self._charged_config == self._config.fingerprint

    async def async_load(self) -> None:
        """Take back the waiting message and the cancels still to do."""
        stored = await self._store.async_load() or {}
        self._waiting_id = stored.get("waiting_id")
        due = stored.get("waiting_due")
        self._waiting_due = dt_util.parse_datetime(due) if due else None
        self._to_cancel = list(stored.get("to_cancel", []))
        self._charged_config = stored.get("charged_config")
        self._move_costs = list(stored.get("move_costs", []))

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Take over (or cancel, where it is off) the waiting message, without holding up
        the account's set-up; move it on from now. Return what stops the moves.
        """
        self._entry.async_create_task(self._hass, self._async_take_over(), "heartbeat take-over")
        return async_track_time_interval(self._hass, self._async_tick, MOVE_EVERY)

    async def _async_take_over(self) -> None:
        if self._waiting_due is not None and self._waiting_due <= dt_util.utcnow():
            LOGGER.warning(
                "The heartbeat of %s fell due at %s while Home Assistant was not moving it: "
                "the gateway has sent it",
                self._entry.title,
                self._waiting_due.isoformat(),
            )
        if not self.enabled:
            await self._async_cancel_all()
            return
        ir.async_delete_issue(self._hass, DOMAIN, charged_issue_id(self._entry.entry_id))
        await self._async_move()

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` after every move (or failed one); return what stops that."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def _async_tick(self, _now: datetime) -> None:
        await self._async_move()

    async def _async_move(self) -> None:
        """Schedule the next message, then cancel the one it replaces."""
        async with self._moving:
            if (config := self._config) is not None and self.enabled:
                await self._async_move_on(config)

    async def _async_move_on(self, config: HeartbeatConfig) -> None:
        checking = self._gateway.capabilities.credits and len(self._move_costs) < CHECKED_MOVES
        before = await self._balance() if checking else None
        try:
            sms = self._sender.prepare(config.recipients, config.message, None, EncodingChoice.AUTO)
            due = _whole_minute(dt_util.utcnow() + timedelta(minutes=config.minutes))
            new_id = await self._gateway.schedule(sms, due)
        except (GatewayError, HomeAssistantError) as err:
            LOGGER.warning(
                "Could not move the heartbeat of %s on (%s); the one waiting stays",
                self._entry.title,
                getattr(err, "code", None) or type(err).__name__,
            )
            self._tell_listeners()
            return
        if self._waiting_id is not None:
            self._to_cancel.append(self._waiting_id)
        self._waiting_id, self._waiting_due = new_id, due
        await self._async_save()
        await self._async_cancel_replaced()
        if before is not None and (after := await self._balance()) is not None:
            await self._async_check_cost(config, before, after)
        self._tell_listeners()

    async def _async_cancel_replaced(self) -> None:
        """Cancel the replaced messages; keep those the gateway could not cancel now."""
        kept: list[str] = []
        for schedule_id in self._to_cancel:
            try:
                await self._gateway.cancel_scheduled(schedule_id)
            except ScheduleNotFoundError:
                pass  # Gone out already, or cancelled before a restart: nothing to cancel.
            except GatewayError as err:
                LOGGER.warning(
                    "Could not cancel a replaced heartbeat of %s (%s); trying again at the "
                    "next move",
                    self._entry.title,
                    err.code,
                )
                kept.append(schedule_id)
        if kept != self._to_cancel:
            self._to_cancel = kept
            await self._async_save()

    async def _async_cancel_all(self) -> None:
        """Cancel every heartbeat message the gateway holds for this account."""
        if self._waiting_id is not None:
            self._to_cancel.append(self._waiting_id)
        self._waiting_id = self._waiting_due = None
        await self._async_cancel_replaced()
        await self._async_save()
        self._tell_listeners()

    async def _balance(self) -> float | None:
        try:
            return (await self._gateway.get_credits()).remaining
        except GatewayError:
            return None

    async def _async_check_cost(self, config: HeartbeatConfig, before: float, after: float) -> None:
        """Stop where every one of the first moves cost credits."""
        self._move_costs.append(after < before)
        if len(self._move_costs) < CHECKED_MOVES or not all(self._move_costs):
            await self._async_save()
            return
        LOGGER.error(
            "Each of the first %s heartbeat moves of %s cost credits: the heartbeat stops",
            CHECKED_MOVES,
            self._entry.title,
        )
        self._charged_config = config.fingerprint
        self._move_costs = []
        async_create_account_issue(
            self._hass,
            charged_issue_id(self._entry.entry_id),
            "heartbeat_charged",
            {"account": self._entry.title, "moves": str(CHECKED_MOVES)},
            severity=ir.IssueSeverity.ERROR,
        )
        await self._async_cancel_all()

    async def _async_save(self) -> None:
        await self._store.async_save(
            {
                "waiting_id": self._waiting_id,
                "waiting_due": self._waiting_due.isoformat() if self._waiting_due else None,
                "to_cancel": self._to_cancel,
                "charged_config": self._charged_config,
                "move_costs": self._move_costs,
            }
        )

    def _tell_listeners(self) -> None:
        for listener in list(self._listeners):
            listener()


def _whole_minute(moment: datetime) -> datetime:
    """The gateway schedules to the minute, rounding up: say the time it will send at."""
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return moment


async def async_remove_heartbeat(hass: HomeAssistant, entry_id: str, gateway: Gateway) -> None:
    """Cancel what a removed account's heartbeat left waiting at the gateway; forget it."""
    store = heartbeat_store(hass, entry_id)
    stored = await store.async_load() or {}
    for schedule_id in [stored.get("waiting_id"), *stored.get("to_cancel", [])]:
        if schedule_id:
            try:
                await gateway.cancel_scheduled(schedule_id)
            except GatewayError as err:
                LOGGER.warning("Could not cancel a heartbeat of a removed account (%s)", err.code)
    await store.async_remove()
