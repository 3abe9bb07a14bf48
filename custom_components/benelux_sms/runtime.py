"""What a loaded account holds: its gateway client and the parts that use it."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .cloudhook import Cloudhook
from .coordinator import CreditsCoordinator
from .gateways.base import Gateway
from .reports import ReportHub
from .sender import SmsSender
from .status import AccountStatus


@dataclass(frozen=True, slots=True)
class BeneluxSmsData:
    """The runtime data of one account entry."""

    gateway: Gateway
    credits: CreditsCoordinator
    status: AccountStatus
    reports: ReportHub
    sender: SmsSender
    cloudhook: Cloudhook


type BeneluxSmsConfigEntry = ConfigEntry[BeneluxSmsData]
