"""Home Assistant's websocket API: commands, and the events of the subscriptions made.

``await HassSocket.connect(session, url, token)``; ``subscribe(event_type)`` collects that
event's bus events into ``events``; ``command(...)`` sends one command and returns its result.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import aiohttp

from .common import DemoError

EVENT_TIMEOUT = 10.0


class HassSocket:
    """One authenticated websocket connection."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Read from an authenticated connection (use ``connect``)."""
        self._ws = ws
        self._last_id = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        """Every event of the subscriptions, oldest first: ``{"event_type", "data", ...}``."""
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def connect(cls, session: aiohttp.ClientSession, url: str, token: str) -> HassSocket:
        """Open ``<url>/api/websocket`` and authenticate with the token."""
        url = f"{url}/api/websocket"
        ws: aiohttp.ClientWebSocketResponse | None = None
        try:
            async with asyncio.timeout(EVENT_TIMEOUT):
                ws = await session.ws_connect(url)
                await ws.receive_json()  # auth_required
                await ws.send_json({"type": "auth", "access_token": token})
                reply = await ws.receive_json()
        except (aiohttp.ClientError, TimeoutError, TypeError, ValueError) as err:
            if ws is not None:
                await ws.close()
            raise DemoError(f"websocket: {url} failed: {err!r}") from None
        if not isinstance(reply, dict) or reply.get("type") != "auth_ok":
            await ws.close()
            raise DemoError(f"websocket: expected auth_ok, got {reply}")
        return cls(ws)

    async def close(self) -> None:
        """Close the connection and stop reading."""
        await self._ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader

    async def _read(self) -> None:
        try:
            async for message in self._ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    continue
                data = json.loads(message.data)
                for item in data if isinstance(data, list) else [data]:
                    self._take(item)
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(DemoError("the websocket closed"))

    def _take(self, item: dict[str, Any]) -> None:
        if item.get("type") == "event":
            self.events.append(item["event"])
        elif item.get("type") in ("result", "pong"):
            future = self._pending.pop(item.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(item)

    async def command(self, what: str, message_type: str, **fields: Any) -> Any:
        """Send one command; return its result, or raise DemoError naming the step."""
        reply = await self._reply(what, message_type, **fields)
        if reply.get("type") == "result" and not reply.get("success"):
            raise DemoError(f"{what}: websocket {message_type} failed: {reply.get('error')}")
        return reply.get("result")

    async def refused(self, what: str, message_type: str, **fields: Any) -> dict[str, Any]:
        """Send one command that must fail; return its error, or raise DemoError."""
        reply = await self._reply(what, message_type, **fields)
        error = reply.get("error")
        if reply.get("success") or not isinstance(error, dict):
            raise DemoError(f"{what}: expected websocket {message_type} to fail: {reply}")
        return error

    async def _reply(self, what: str, message_type: str, **fields: Any) -> dict[str, Any]:
        if self._reader.done():
            raise DemoError(f"{what}: the websocket is closed")
        self._last_id += 1
        future = asyncio.get_running_loop().create_future()
        self._pending[self._last_id] = future
        try:
            await self._ws.send_json({"id": self._last_id, "type": message_type, **fields})
            async with asyncio.timeout(EVENT_TIMEOUT):
                reply: dict[str, Any] = await future
        except (aiohttp.ClientError, ConnectionError, TimeoutError) as err:
            raise DemoError(f"{what}: websocket {message_type} failed: {err!r}") from None
        finally:
            self._pending.pop(self._last_id, None)
        return reply

    async def subscribe(self, event_type: str) -> None:
        """Collect the bus events of this type into ``events``."""
        await self.command(f"subscribe to {event_type}", "subscribe_events", event_type=event_type)

    async def catch_up(self) -> None:
        """Return once the events fired before this call have arrived (a ping's round trip)."""
        await self.command("ping", "ping")

    async def webhooks(self, domain: str) -> list[dict[str, Any]]:
        """The domain's registered webhooks: ``{"webhook_id", "domain", "name", ...}``."""
        webhooks: list[dict[str, Any]] = await self.command("list the webhooks", "webhook/list")
        return [webhook for webhook in webhooks if webhook["domain"] == domain]

    async def repair_issues(self, domain: str) -> list[dict[str, Any]]:
        """The domain's repair issues."""
        result = await self.command("list the repair issues", "repairs/list_issues")
        return [issue for issue in result["issues"] if issue["domain"] == domain]

    def fired(self, event_type: str, entry_id: str) -> list[dict[str, Any]]:
        """The data of each bus event of this type for one config entry."""
        return [
            event["data"]
            for event in self.events
            if event.get("event_type") == event_type
            and event["data"].get("config_entry_id") == entry_id
        ]

    def states_of(self, entity_id: str) -> list[str]:
        """The states an entity took since the subscription, repeats left out."""
        states: list[str] = []
        for event in self.events:
            data = event["data"]
            if event.get("event_type") != "state_changed" or data.get("entity_id") != entity_id:
                continue
            if (new := data.get("new_state")) and (not states or states[-1] != new["state"]):
                states.append(new["state"])
        return states
