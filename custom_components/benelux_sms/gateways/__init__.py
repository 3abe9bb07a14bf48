"""SMS gateway clients: pure asyncio + aiohttp, no Home Assistant."""

from __future__ import annotations

from .base import Gateway
from .smsservicecenter import SmsServiceCenterGateway

GATEWAYS: dict[str, type[Gateway]] = {
    gateway.provider: gateway for gateway in (SmsServiceCenterGateway,)
}

__all__ = ["GATEWAYS", "Gateway"]
