"""What the simulator's tests share: a fresh simulator to talk to, its state, its switches, the
report calls it schedules, and a stand-in for Home Assistant's webhook."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from custom_components.benelux_sms.gateways.base import WebhookRequest
from simulator.app import GATEWAYS, create_app
from simulator.reports import Callback, ReportSender
from simulator.state import STATE_KEY, GatewaySimulator, SimulatorState

REPO = Path(__file__).resolve().parents[2]

type Client = TestClient[web.Request, web.Application]
type WebhookServer = tuple[str, list[WebhookRequest]]


@contextlib.asynccontextmanager
async def simulator_client(
    gateways: tuple[GatewaySimulator, ...] = GATEWAYS, *, slow_seconds: float = 60
) -> AsyncIterator[Client]:
    """A test client of a fresh simulator with these gateways mounted."""
    app = create_app(slow_seconds=slow_seconds, gateways=gateways)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def sim_state(client: Client) -> SimulatorState:
    """The simulator's state behind the client."""
    server = client.server
    assert isinstance(server, TestServer)
    return server.app[STATE_KEY]


async def switch_fault(client: Client, gateway: str, fault: str | None, **extra: Any) -> Any:
    """Switch a gateway's fault through the control API; return the control API's answer."""
    body = {"gateway": gateway, "fault": fault, **extra}
    async with client.post("/_sim/fault", json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def set_reports(client: Client, **settings: object) -> None:
    """Change how the simulated gateways report (``POST /_sim/reports``)."""
    async with client.post("/_sim/reports", json=settings) as response:
        assert response.status == 200


@pytest.fixture
def scheduled(monkeypatch: pytest.MonkeyPatch) -> list[list[Callback]]:
    """The report calls the simulator schedules, recorded instead of made."""
    calls: list[list[Callback]] = []

    def record(_sender: ReportSender, callbacks: list[Callback]) -> None:
        calls.append(list(callbacks))

    monkeypatch.setattr(ReportSender, "schedule", record)
    return calls


@pytest.fixture
async def webhook(socket_enabled: None) -> AsyncIterator[WebhookServer]:
    """A webhook on loopback that keeps every call, as the integration would hand it over."""
    received: list[WebhookRequest] = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        if request.content_type == "application/json":
            members = json.loads(body)
            form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in members.items()}
        else:
            form = dict(parse_qsl(body.decode()))
        received.append(
            WebhookRequest(request.method, dict(request.query), form, body, dict(request.headers))
        )
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_route("*", "/api/webhook/abc", handle)
    async with TestServer(app) as server:
        yield str(server.make_url("/api/webhook/abc")), received
