"""What a loaded account holds: its gateway client and the parts that use it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .cloudhook import Cloudhook
from .confirmation import Confirmations
from .const import DOMAIN
from .coordinator import CreditsCoordinator
from .gateways import Gateway, TokenStore
from .guard import SendGuard
from .heartbeat import Heartbeat
from .reports import ReportHub
from .scheduled import ScheduledQueue
from .sender import SmsSender
from .status import AccountStatus

NOTIFY_CONCURRENCY = 5
"""The same bound as KPN Vonage's own fan-out of one send to many recipients."""


@dataclass(frozen=True, slots=True)
class BeneluxSmsData:
    """The runtime data of one account entry."""

    gateway: Gateway
    credits: CreditsCoordinator
    status: AccountStatus
    reports: ReportHub
    sender: SmsSender
    cloudhook: Cloudhook
    guard: SendGuard
    confirmations: Confirmations
    scheduled: ScheduledQueue
    heartbeat: Heartbeat | None = None
    """Where the gateway holds scheduled messages."""
    notify_slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(NOTIFY_CONCURRENCY)
    )
    """Held by each notify entity's send: a notify.send_message to many recipients of the
    account makes at most NOTIFY_CONCURRENCY gateway requests at a time."""


type BeneluxSmsConfigEntry = ConfigEntry[BeneluxSmsData]

_TOKEN_STORE: HassKey[TokenStore] = HassKey(f"{DOMAIN}_token_store")


def shared_token_store(hass: HomeAssistant) -> TokenStore:
    """Return the access tokens of this Home Assistant instance, shared by its KPN accounts."""
    return hass.data.setdefault(_TOKEN_STORE, TokenStore())
