"""A client of the simulator's ``/_sim`` control API (``simulator/app.py`` documents it)."""

from __future__ import annotations

from typing import Any

import aiohttp

from .common import request_json


class SimulatorControl:
    """The simulator at ``url``: what it received, its credits, reports and faults."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        """Use ``session``; ``url`` is what ``python -m simulator`` announced."""
        self.session = session
        self.url = url

    async def get(self, path: str) -> Any:
        """GET from the control API."""
        return await request_json(self.session, "GET", self.url + path, f"simulator {path}")

    async def post(self, path: str, body: Any) -> Any:
        """POST JSON to the control API."""
        url = self.url + path
        return await request_json(self.session, "POST", url, f"simulator {path}", json=body)

    async def credits(self) -> dict[str, int]:
        """Each simulated gateway's credits (KPN Vonage: euro cents), by name."""
        gateways = await self.get("/_sim/gateways")
        return {gateway["gateway"]: int(gateway["credits"]) for gateway in gateways}

    async def messages(self, gateway: str | None = None) -> list[dict[str, Any]]:
        """Every send received (by one gateway), oldest first."""
        query = f"?gateway={gateway}" if gateway else ""
        messages: list[dict[str, Any]] = await self.get(f"/_sim/messages{query}")
        return messages

    async def reports_made(self) -> list[dict[str, Any]]:
        """Every delivery-report call made, once those due are made."""
        made: list[dict[str, Any]] = await self.get("/_sim/reports")
        return made

    async def set_reports(self, **settings: Any) -> None:
        """How the gateways report: ``delay``, ``outcome``, ``duplicates``, ``garbage``."""
        await self.post("/_sim/reports", settings)

    async def set_portal_url(self, gateway: str, url: str) -> None:
        """The report URL pasted in a gateway's portal (1601SMS)."""
        await self.post(f"/_sim/portal/{gateway}", {"url": url})

    async def set_fault(self, gateway: str, fault: str | None, **settings: Any) -> Any:
        """Switch a gateway's fault (``after``, ``retry_after``, ``slow_seconds``)."""
        return await self.post("/_sim/fault", {"gateway": gateway, "fault": fault, **settings})

    async def post_inbound(self, gateway: str, url: str, sender: str, text: str) -> Any:
        """Have the gateway forward a reply from ``sender`` to ``url``."""
        body = {"url": url, "from": sender, "text": text}
        return await self.post(f"/_sim/{gateway}/inbound", body)

    async def reset(self) -> None:
        """Every gateway back to a fresh account."""
        await self.post("/_sim/reset", {})
