"""SMS gateway clients: pure asyncio + aiohttp, no Home Assistant."""

from __future__ import annotations

from .base import Gateway
from .kpn_sms import KpnSmsGateway
from .kpn_vonage import KpnVonageGateway
from .sms1601 import Sms1601Gateway
from .smsbox import SmsBoxGateway
from .smsservicecenter import SmsServiceCenterGateway
from .tokens import TokenStore

GATEWAYS: dict[str, type[Gateway]] = {
    gateway.provider: gateway
    for gateway in (
        KpnSmsGateway,
        KpnVonageGateway,
        SmsServiceCenterGateway,
        SmsBoxGateway,
        Sms1601Gateway,
    )
}

__all__ = ["GATEWAYS", "Gateway", "TokenStore"]
