"""End-to-end demo: a real Home Assistant sends SMS through every simulated gateway.

Run with ``./scripts/demo`` (which runs ``./scripts/setup`` first) or, in a ready venv,
``.venv/bin/python -m simulator.demo``. Everything listens on 127.0.0.1 only.

Steps: start the simulator and ``hass -c <tmpdir> --skip-pip`` (configuration naming only the
integrations needed, its external URL its own loopback address, ``custom_components/benelux_sms``
symlinked to this repo's), onboard a user and get a token, open the websocket API (to list
webhooks and repair issues, and to watch the sensors and bus events), and have the simulator
report after ``REPORT_DELAY`` seconds, every report twice. Then, for each gateway of ``GATEWAYS``
below that both the integration (its config-flow menu) and the simulator (``/_sim/gateways``)
offer: add the account and a recipient through the config-flow REST API (1601SMS: paste the
report URL its options show into the simulated portal), send one ``benelux_sms.send_sms`` (and,
for the first gateway, one ``notify.send_message``), and show the reply and the account's
sensors. Then show what the simulator received per gateway and its credits before and after.
Last, the delivery reports (README "Delivery reports"): wait until the last delivery status of
every gateway that reports to a plain-http URL turns ``delivered`` (each replayed report
changing nothing), show KPN Vonage staying ``accepted`` with its repair issue, and have the
simulator forward a reply to KPN Vonage's webhook.

Exits non-zero with a message if any step fails; always stops both processes and removes the
temporary directory. Uses only the standard library and aiohttp.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent
INTEGRATION = REPO / "custom_components" / "benelux_sms"
DOMAIN = "benelux_sms"
HOST = "127.0.0.1"
SENDER = "HomeAlarm"
RECIPIENT = "Alice"

STARTUP_TIMEOUT = 60.0
ENTITY_TIMEOUT = 30.0
SENSOR_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0
REPORT_TIMEOUT = 20.0
EVENT_TIMEOUT = 10.0
RUN_TIMEOUT = 100.0
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=45)

FLOW = "/api/config/config_entries/flow"
OPTIONS_FLOW = "/api/config/config_entries/options/flow"
EVENT_REPORT = f"{DOMAIN}_delivery_report"
EVENT_RECEIVED = f"{DOMAIN}_received"
REPORT_DELAY = 0.5
"""Seconds the simulated gateways wait before reporting (``POST /_sim/reports``)."""
REPLY_FROM = "+31612345678"
REPLY_TEXT = "Yes, armed"
ENTITIES_TEMPLATE = (
    f"{{% set ids = integration_entities('{DOMAIN}') %}}"
    "{{ dict(zip(ids, ids | map('config_entry_id'))) | tojson }}"
)
"""Renders ``{entity_id: config_entry_id}`` of the integration's entities."""


class DemoError(Exception):
    """A step failed; the message says which and why."""


SEND_URL = "send_url"
"""Reports go to the webhook URL each send names; it must reach ``delivered``."""
PORTAL_URL = "portal_url"
"""Reports go to the URL pasted in the gateway's portal; it must reach ``delivered``."""
HTTPS_ONLY = "https_only"
"""Reports go only to https URLs, which the demo's Home Assistant has not: stays ``accepted``."""
NO_REPORTS = "none"
"""The gateway reports no delivery."""


@dataclass(frozen=True)
class GatewaySpec:
    """One gateway of the demo: how to add its simulated account and what to send."""

    provider: str
    """The integration's and the simulator's key (``smsservicecenter``)."""
    credentials: Mapping[str, str]
    """The flow's credential fields, with what the simulator accepts (its module docstring)."""
    path: str
    """The base URL below the simulator's address."""
    recipient: str
    credit_value: float | None = 1.0
    """What one simulator credit reads as on the credits sensor; None: there is no sensor."""
    message: str = "Freezer at -5 °C"
    options: Mapping[str, str] = field(default_factory=dict)
    """More ``send_sms`` fields (``encoding``)."""
    text_changed: bool = False
    """Whether ``send_sms`` must report the text as transliterated."""
    reports: str = NO_REPORTS
    """How delivery reports reach Home Assistant: ``SEND_URL``, ``PORTAL_URL``, ... above."""
    inbound: bool = False
    """Whether the gateway forwards replies to the account's webhook."""

    @property
    def reports_delivered(self) -> bool:
        """Whether the demo must see this gateway's last delivery status turn ``delivered``."""
        return self.reports in (SEND_URL, PORTAL_URL)


@dataclass(frozen=True)
class Account:
    """A gateway's account the demo added."""

    spec: GatewaySpec
    entry_id: str
    title: str


KPN_APP = {"client_id": "sim-client", "client_secret": "sim-secret"}

GATEWAYS: tuple[GatewaySpec, ...] = (
    GatewaySpec(
        "smsservicecenter", {"api_key": "sim-good-key"}, "smsservicecenter/api/v2/", "06 12345678"
    ),
    GatewaySpec(
        "smsbox",
        {"api_key": "sim-smsbox-key"},
        "smsbox/api/v1/",
        "+32 470 12 34 56",
        reports=SEND_URL,
    ),
    GatewaySpec(
        "sms1601",
        {"username": "sim-user", "password": "sim-password"},
        "sms1601/module/",
        "06 23456789",
        message="Alarm \u201cvoordeur\u201d \U0001f6a8",
        options={"encoding": "gsm7"},
        text_changed=True,
        reports=PORTAL_URL,
    ),
    # The token URL follows the base URL: <sim>/kpn/oauth/client_credential/accesstoken.
    GatewaySpec(
        "kpn_sms",
        KPN_APP,
        "kpn/communication/kpn/sms/",
        "06 34567890",
        credit_value=None,
        reports=SEND_URL,
    ),
    GatewaySpec(
        "kpn_vonage",
        KPN_APP,
        "kpn/communication/nexmo/sms/",
        "+32 470 98 76 54",
        credit_value=0.01,
        reports=HTTPS_ONLY,
        inbound=True,
    ),
)
"""Every gateway the demo knows; those the integration or simulator lack are skipped."""


@dataclass
class Demo:
    """Where everything runs."""

    workdir: Path
    simulator_url: str = ""
    hass_url: str = ""
    token: str = ""

    @property
    def hass_log(self) -> Path:
        """Home Assistant's own log file."""
        return self.workdir / "hass.log"

    @property
    def hass_console(self) -> Path:
        """What hass writes to stdout and stderr."""
        return self.workdir / "hass-console.log"

    def base_url(self, spec: GatewaySpec) -> str:
        """The base URL a gateway's account is configured with."""
        return f"{self.simulator_url}/{spec.path}"


def say(text: str = "") -> None:
    """Print one line of the demo's story."""
    print(text, flush=True)


def compact(value: Any) -> str:
    """A value as one line of JSON, non-ASCII kept."""
    return json.dumps(value, ensure_ascii=False)


# --- processes -------------------------------------------------------------------------------


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


async def start_simulator(demo: Demo, processes: list[asyncio.subprocess.Process]) -> None:
    """Start ``python -m simulator --port 0`` and read the URL it announces."""
    with (demo.workdir / "simulator.log").open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "simulator",
            "--port",
            "0",
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
    processes.append(process)
    if process.stdout is None:
        raise DemoError("the simulator's stdout is not a pipe")
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT):
            line = (await process.stdout.readline()).decode().strip()
    except TimeoutError:
        raise DemoError("the simulator did not announce its URL in time") from None
    prefix = "simulator listening on "
    if not line.startswith(prefix):
        log = (demo.workdir / "simulator.log").read_text(errors="replace")
        raise DemoError(f"the simulator did not start: {line!r}\n{log}")
    demo.simulator_url = line.removeprefix(prefix)
    say(f"demo: simulator at {demo.simulator_url}")


def write_config(demo: Demo, port: int) -> Path:
    """Make the hass config dir: configuration.yaml and the symlinked integration."""
    config = demo.workdir / "config"
    (config / "custom_components").mkdir(parents=True)
    (config / "custom_components" / DOMAIN).symlink_to(INTEGRATION, target_is_directory=True)
    (config / "configuration.yaml").write_text(
        f"""\
homeassistant:
  name: Benelux SMS demo
  latitude: 52.3676
  longitude: 4.9041
  elevation: 0
  unit_system: metric
  time_zone: Europe/Amsterdam
  country: NL
  currency: EUR
  language: en
  internal_url: http://{HOST}:{port}
  # Loopback, so that the simulated gateways reach it: sends then name the account's webhook.
  external_url: http://{HOST}:{port}

http:
  server_host: {HOST}
  server_port: {port}

api:
auth:
config:
onboarding:
repairs:
webhook:
websocket_api:

logger:
  default: warning
  logs:
    custom_components.{DOMAIN}: debug
"""
    )
    return config


async def start_hass(demo: Demo, processes: list[asyncio.subprocess.Process]) -> None:
    """Start ``hass -c <tmpdir>/config --skip-pip`` and wait until it answers HTTP."""
    if not (INTEGRATION / "manifest.json").exists():
        raise DemoError(f"{INTEGRATION} has no manifest.json yet")
    port = free_port()
    config = write_config(demo, port)
    hass = Path(sys.executable).parent / "hass"
    if not hass.exists():
        raise DemoError(f"{hass} not found: run ./scripts/setup")
    with demo.hass_console.open("wb") as console:
        process = await asyncio.create_subprocess_exec(
            str(hass),
            "-c",
            str(config),
            "--skip-pip",
            "--log-file",
            str(demo.hass_log),
            "--log-no-color",
            cwd=demo.workdir,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=console,
            stderr=asyncio.subprocess.STDOUT,
        )
    processes.append(process)
    demo.hass_url = f"http://{HOST}:{port}"
    say(f"demo: started hass (pid {process.pid}) on {demo.hass_url}, config in {config}")
    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while True:
            if process.returncode is not None:
                raise DemoError(f"hass exited with code {process.returncode} while starting")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(f"{demo.hass_url}/api/onboarding") as response:
                    if response.status == 200:
                        break
            if time.monotonic() - started > STARTUP_TIMEOUT:
                raise DemoError(f"hass did not answer HTTP within {STARTUP_TIMEOUT:.0f} s")
            await asyncio.sleep(0.25)
    say(f"demo: hass answers HTTP after {time.monotonic() - started:.1f} s")


async def stop_process(process: asyncio.subprocess.Process, name: str) -> None:
    """SIGTERM, then SIGKILL if it does not exit in time."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        say(f"demo: {name} did not stop in {STOP_TIMEOUT:.0f} s; killing it")
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


# --- HTTP ------------------------------------------------------------------------------------


async def call(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    what: str,
    *,
    expect: int = 200,
    token: str | None = None,
    **kwargs: Any,
) -> Any:
    """Make one request; return its JSON body, or raise DemoError naming the step."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with session.request(method, url, headers=headers, **kwargs) as response:
            text = await response.text()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as err:
        raise DemoError(f"{what}: {method} {url} failed: {err!r}") from None
    if status != expect:
        raise DemoError(f"{what}: HTTP {status} from {method} {url}: {text[:2000]}")
    try:
        return json.loads(text) if text else None
    except ValueError:
        raise DemoError(f"{what}: not JSON from {method} {url}: {text[:500]}") from None


async def wait_for[T](
    what: str, seconds: float, probe: Callable[[], Awaitable[T | None]], interval: float = 0.5
) -> T:
    """Call ``probe`` until it returns something other than None, within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        if (result := await probe()) is not None:
            return result
        if time.monotonic() > deadline:
            raise DemoError(f"timed out after {seconds:.0f} s waiting for {what}")
        await asyncio.sleep(interval)


class Hass:
    """The REST calls the demo makes to Home Assistant."""

    def __init__(self, session: aiohttp.ClientSession, demo: Demo) -> None:
        self.session = session
        self.demo = demo

    async def get(self, path: str, what: str) -> Any:
        """GET with the token."""
        url = self.demo.hass_url + path
        return await call(self.session, "GET", url, what, token=self.demo.token)

    async def post(self, path: str, what: str, body: Any) -> Any:
        """POST JSON with the token."""
        url = self.demo.hass_url + path
        return await call(self.session, "POST", url, what, token=self.demo.token, json=body)

    async def delete(self, path: str, what: str) -> Any:
        """DELETE with the token."""
        url = self.demo.hass_url + path
        return await call(self.session, "DELETE", url, what, token=self.demo.token)

    async def states(self) -> list[dict[str, Any]]:
        """Every entity's state."""
        states: list[dict[str, Any]] = await self.get("/api/states", "list states")
        return states

    async def entry_states(self, entry_id: str) -> dict[str, dict[str, Any]]:
        """The states of one config entry's entities, by entity id."""
        owners = await self.post(
            "/api/template", "list the integration's entities", {"template": ENTITIES_TEMPLATE}
        )
        ids = {entity for entity, owner in owners.items() if owner == entry_id}
        return {
            state["entity_id"]: state for state in await self.states() if state["entity_id"] in ids
        }


class HassSocket:
    """Home Assistant's websocket API: commands, and the events of the subscriptions made."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._last_id = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        """Every event of the subscriptions, oldest first: ``{"event_type", "data", ...}``."""
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def connect(cls, session: aiohttp.ClientSession, demo: Demo) -> HassSocket:
        """Open ``/api/websocket`` and authenticate with the demo's token."""
        url = f"{demo.hass_url}/api/websocket"
        ws: aiohttp.ClientWebSocketResponse | None = None
        try:
            async with asyncio.timeout(EVENT_TIMEOUT):
                ws = await session.ws_connect(url)
                await ws.receive_json()  # auth_required
                await ws.send_json({"type": "auth", "access_token": demo.token})
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
        if self._reader.done():
            raise DemoError(f"{what}: the websocket is closed")
        self._last_id += 1
        future = asyncio.get_running_loop().create_future()
        self._pending[self._last_id] = future
        try:
            await self._ws.send_json({"id": self._last_id, "type": message_type, **fields})
            async with asyncio.timeout(EVENT_TIMEOUT):
                reply = await future
        except (aiohttp.ClientError, ConnectionError, TimeoutError) as err:
            raise DemoError(f"{what}: websocket {message_type} failed: {err!r}") from None
        finally:
            self._pending.pop(self._last_id, None)
        if reply.get("type") == "result" and not reply.get("success"):
            raise DemoError(f"{what}: websocket {message_type} failed: {reply.get('error')}")
        return reply.get("result")

    async def subscribe(self, event_type: str) -> None:
        """Collect the bus events of this type into ``events``."""
        await self.command(f"subscribe to {event_type}", "subscribe_events", event_type=event_type)

    async def catch_up(self) -> None:
        """Return once the events fired before this call have arrived (a ping's round trip)."""
        await self.command("ping", "ping")

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


async def sim(session: aiohttp.ClientSession, demo: Demo, path: str) -> Any:
    """GET from the simulator's control API."""
    return await call(session, "GET", demo.simulator_url + path, f"simulator {path}")


async def sim_post(session: aiohttp.ClientSession, demo: Demo, path: str, body: Any) -> Any:
    """POST JSON to the simulator's control API."""
    url = demo.simulator_url + path
    return await call(session, "POST", url, f"simulator {path}", json=body)


async def sim_credits(session: aiohttp.ClientSession, demo: Demo) -> dict[str, int]:
    """Each simulated gateway's credits (KPN Vonage: euro cents), by name."""
    gateways = await sim(session, demo, "/_sim/gateways")
    return {gateway["gateway"]: int(gateway["credits"]) for gateway in gateways}


# --- the story -------------------------------------------------------------------------------


async def onboard(session: aiohttp.ClientSession, demo: Demo) -> None:
    """Create the owner through onboarding and trade the auth code for an access token."""
    steps = await call(session, "GET", f"{demo.hass_url}/api/onboarding", "onboarding status")
    say(f"demo: onboarding steps: {', '.join(f'{s["step"]}={s["done"]}' for s in steps)}")
    client_id = f"{demo.hass_url}/"
    reply = await call(
        session,
        "POST",
        f"{demo.hass_url}/api/onboarding/users",
        "onboarding: create user",
        json={
            "client_id": client_id,
            "name": "Demo Owner",
            "username": "demo",
            "password": secrets.token_urlsafe(16),
            "language": "en",
        },
    )
    token = await call(
        session,
        "POST",
        f"{demo.hass_url}/auth/token",
        "auth: exchange code for token",
        data={
            "grant_type": "authorization_code",
            "code": reply["auth_code"],
            "client_id": client_id,
        },
    )
    demo.token = token["access_token"]
    say("demo: onboarded user 'demo' and got an access token")
    # The REST API needs nothing more. The core_config step is left undone on purpose: it
    # starts met, radio_browser, google_translate and shopping_list flows that go online.
    # The analytics step only records that it was seen (analytics stays off).
    await call(
        session,
        "POST",
        f"{demo.hass_url}/api/onboarding/analytics",
        "onboarding: analytics step",
        token=demo.token,
        json={},
    )


async def start_flow(hass: Hass) -> dict[str, Any]:
    """Start the account config flow, in advanced mode; return its gateway menu."""
    flow: dict[str, Any] = await hass.post(
        FLOW, "config flow: start", {"handler": DOMAIN, "show_advanced_options": True}
    )
    if flow.get("type") != "menu" or flow.get("step_id") != "user":
        raise DemoError(f"config flow: expected the gateway menu, got {flow}")
    return flow


async def pick_gateways(hass: Hass, simulated: Mapping[str, int]) -> list[GatewaySpec]:
    """The demo's gateways that the integration's menu and the simulator both have."""
    flow = await start_flow(hass)
    await hass.delete(f"{FLOW}/{flow['flow_id']}", "config flow: drop the menu")
    menu = list(flow.get("menu_options", []))
    say(f"demo: config flow menu {menu}; simulator gateways {sorted(simulated)}")
    chosen: list[GatewaySpec] = []
    for spec in GATEWAYS:
        missing = [
            name
            for name, known in (("integration", menu), ("simulator", simulated))
            if spec.provider not in known
        ]
        if missing:
            say(f"demo: {spec.provider}: skipped: not registered ({' or '.join(missing)})")
        else:
            chosen.append(spec)
    if unknown := set(menu) & set(simulated) - {spec.provider for spec in GATEWAYS}:
        say(f"demo: note: the demo has no table entry for {sorted(unknown)}")
    if not chosen:
        raise DemoError("no gateway is registered in both the integration and the simulator")
    return chosen


async def add_account(hass: Hass, demo: Demo, spec: GatewaySpec) -> Account:
    """Run the account config flow for one gateway; return the entry."""
    path = f"{FLOW}/{(await start_flow(hass))['flow_id']}"
    what = f"config flow ({spec.provider})"
    form = await hass.post(path, f"{what}: pick gateway", {"next_step_id": spec.provider})
    fields = [field["name"] for field in form.get("data_schema", [])]
    wanted = {*spec.credentials, "sender", "base_url"}
    if form.get("type") != "form" or not wanted <= set(fields):
        raise DemoError(f"{what}: expected a form with {sorted(wanted)}: {form}")
    result = await hass.post(
        path,
        f"{what}: submit credentials",
        {**spec.credentials, "sender": SENDER, "base_url": demo.base_url(spec)},
    )
    if result.get("type") != "create_entry" or result["result"].get("state") != "loaded":
        raise DemoError(f"{what}: expected a loaded entry, got {result}")
    entry = result["result"]
    say(
        f"demo: {spec.provider}: form fields {fields}; created entry {entry['entry_id']} "
        f"'{result['title']}' (state {entry['state']}) on {demo.base_url(spec)}"
    )
    return Account(spec, str(entry["entry_id"]), str(result["title"]))


async def add_recipient(hass: Hass, entry_id: str, spec: GatewaySpec) -> None:
    """Add the recipient through the subentry flow."""
    flow = await hass.post(
        "/api/config/config_entries/subentries/flow",
        "subentry flow: start",
        {"handler": [entry_id, "recipient"]},
    )
    fields = [field["name"] for field in flow.get("data_schema", [])]
    if flow.get("type") != "form" or not {"name", "phone_number"} <= set(fields):
        raise DemoError(f"subentry flow: expected a form with name, phone_number: {flow}")
    result = await hass.post(
        f"/api/config/config_entries/subentries/flow/{flow['flow_id']}",
        "subentry flow: submit recipient",
        {"name": RECIPIENT, "phone_number": spec.recipient},
    )
    if result.get("type") != "create_entry":
        raise DemoError(f"subentry flow: expected create_entry, got {result}")
    say(f"demo: {spec.provider}: added recipient '{result['title']}' ({spec.recipient})")


async def wait_for_recipient(hass: Hass, entry_id: str) -> str:
    """Wait until the entry has reloaded with the recipient; return its notify entity.

    Adding a recipient reloads the account, which refuses sends until it is loaded again.
    """

    async def probe() -> str | None:
        notify = [e for e in await hass.entry_states(entry_id) if e.startswith("notify.")]
        if not notify:  # looked at first: once it is there, the reload has begun
            return None
        entries = await hass.get(f"/api/config/config_entries/entry?domain={DOMAIN}", "entries")
        loaded = any(e["entry_id"] == entry_id and e["state"] == "loaded" for e in entries)
        return notify[0] if loaded else None

    entity = await wait_for(f"a notify entity for {RECIPIENT}", ENTITY_TIMEOUT, probe)
    say(f"demo: {entity} is there and the account is loaded again")
    return entity


async def paste_portal_url(hass: Hass, account: Account) -> None:
    """Read the report URL the account's options show; set it in the simulated portal."""
    provider = account.spec.provider
    flow = await hass.post(OPTIONS_FLOW, f"{provider}: options flow", {"handler": account.entry_id})
    await hass.delete(f"{OPTIONS_FLOW}/{flow['flow_id']}", f"{provider}: close the options")
    url = (flow.get("description_placeholders") or {}).get("webhook_url")
    if not isinstance(url, str) or not url.startswith(f"{hass.demo.hass_url}/api/webhook/"):
        raise DemoError(f"{provider}: expected the webhook URL in the options form: {flow}")
    await sim_post(hass.session, hass.demo, f"/_sim/portal/{provider}", {"url": url})
    say(f"demo: {provider}: pasted the report URL the options show into the portal: {url}")


async def send_notify(hass: Hass, entity: str) -> None:
    """Send through ``notify.send_message``."""
    await hass.post(
        "/api/services/notify/send_message",
        "notify.send_message",
        {"entity_id": entity, "title": "Alarm", "message": "Front door opened"},
    )
    say(f"demo: notify.send_message to {entity} returned")


async def send_sms(hass: Hass, entry_id: str, spec: GatewaySpec) -> None:
    """Call ``benelux_sms.send_sms`` with ``return_response`` and show the receipt."""
    data = {"recipients": [spec.recipient], "message": spec.message, **spec.options}
    reply = await hass.post(
        f"/api/services/{DOMAIN}/send_sms?return_response",
        f"{spec.provider}: {DOMAIN}.send_sms",
        {"config_entry_id": entry_id, **data},
    )
    response = reply.get("service_response") if isinstance(reply, dict) else None
    if not isinstance(response, dict):
        raise DemoError(f"{spec.provider}: send_sms gave no service_response: {reply}")
    say(f"demo: {spec.provider}: {DOMAIN}.send_sms {compact(data)}")
    say(f"  receipt: {compact(response)}")
    if response.get("text_changed") is not spec.text_changed:
        raise DemoError(f"{spec.provider}: expected text_changed {spec.text_changed}: {response}")


def credits_match(sensor: dict[str, Any], expected: float) -> bool:
    """Whether a credits sensor shows ``expected``."""
    try:
        return math.isclose(float(sensor["state"]), expected, abs_tol=1e-6)
    except ValueError:
        return False


async def wait_for_sensors(
    hass: Hass, entry_id: str, expected: float | None
) -> list[dict[str, Any]]:
    """Wait until the last delivery status is known and the credits sensor shows ``expected``.

    Asks the credits sensor to update once if it lags.
    """
    asked = False
    started = time.monotonic()

    async def probe() -> list[dict[str, Any]] | None:
        nonlocal asked
        sensors = [
            s for e, s in (await hass.entry_states(entry_id)).items() if e.startswith("sensor.")
        ]
        delivery = [s for s in sensors if s["entity_id"].endswith("_last_delivery_status")]
        credits = [s for s in sensors if s["entity_id"].endswith("_credits")]
        if not delivery or delivery[0]["state"] in ("unknown", "unavailable"):
            return None
        if expected is None or (credits and credits_match(credits[0], expected)):
            return sensors
        if credits and not asked and time.monotonic() - started > 5:
            asked = True
            say(f"demo: {credits[0]['entity_id']} shows {credits[0]['state']}; updating it")
            await hass.post(
                "/api/services/homeassistant/update_entity",
                "update the credits sensor",
                {"entity_id": credits[0]["entity_id"]},
            )
        return None

    what = "the sensors" + ("" if expected is None else f" (credits {expected:g})")
    return await wait_for(what, SENSOR_TIMEOUT, probe)


def show_sensors(spec: GatewaySpec, sensors: list[dict[str, Any]]) -> None:
    """One line per sensor: state, unit and the last delivery's details."""
    if spec.credit_value is None:
        say("  (no credits sensor: the gateway tells no balance)")
    for sensor in sorted(sensors, key=lambda s: str(s["entity_id"])):
        attributes = sensor["attributes"]
        unit = attributes.get("unit_of_measurement") or ""
        details = {k: attributes[k] for k in ("message_id", "recipient") if attributes.get(k)}
        text = f"  {sensor['entity_id']}: {sensor['state']} {unit}".rstrip()
        say(f"{text} {compact(details)}" if details else text)
        # A report may already have come: the simulator reports after REPORT_DELAY seconds.
        allowed = ("accepted", "delivered") if spec.reports_delivered else ("accepted",)
        if sensor["entity_id"].endswith("_last_delivery_status") and sensor["state"] not in allowed:
            raise DemoError(f"{spec.provider}: expected the last delivery status {allowed}")


async def demo_gateway(hass: Hass, demo: Demo, spec: GatewaySpec, *, first: bool) -> Account:
    """Add one gateway's account and recipient, send, and show the receipt and sensors."""
    say(f"demo: --- {spec.provider} ---")
    account = await add_account(hass, demo, spec)
    entry_id = account.entry_id
    await add_recipient(hass, entry_id, spec)
    notify_entity = await wait_for_recipient(hass, entry_id)
    if spec.reports == PORTAL_URL:
        await paste_portal_url(hass, account)
    if first:
        await send_notify(hass, notify_entity)
    await send_sms(hass, entry_id, spec)
    expected = None
    if spec.credit_value is not None:
        expected = (await sim_credits(hass.session, demo))[spec.provider] * spec.credit_value
    show_sensors(spec, await wait_for_sensors(hass, entry_id, expected))
    return account


async def show_received(
    session: aiohttp.ClientSession, demo: Demo, specs: list[GatewaySpec], before: dict[str, int]
) -> None:
    """Print what the simulator received per gateway; check each got what was sent."""
    after = await sim_credits(session, demo)
    say("demo: the simulator received:")
    for index, spec in enumerate(specs):
        name = spec.provider
        received = await sim(session, demo, f"/_sim/messages?gateway={name}")
        balance = f"credits {before[name]} -> {after[name]}" if spec.credit_value else "no credits"
        say(f"  {name} ({balance}):")
        for message in received:
            say(
                f"    {', '.join(message['numbers'])} <- {compact(message['message'])} "
                f"from {message['sender']}: {message['segments']} segment(s), "
                f"{message['credits_used']} credit(s), id {message['message_id']}"
            )
        if len(received) != (wanted := 2 if index == 0 else 1):
            raise DemoError(f"{name}: expected {wanted} sends at the simulator, got {received}")


async def entity_of(hass: Hass, entry_id: str, suffix: str) -> dict[str, Any]:
    """The state of the entry's entity whose id ends with ``suffix``."""
    states = await hass.entry_states(entry_id)
    for entity_id, state in states.items():
        if entity_id.endswith(suffix):
            return state
    raise DemoError(f"no entity ending in {suffix} among {sorted(states)}")


async def wait_for_delivered(hass: Hass, accounts: list[Account]) -> None:
    """Wait until every account's last delivery status is ``delivered``."""
    entities = [
        (await entity_of(hass, account.entry_id, "_last_delivery_status"))["entity_id"]
        for account in accounts
    ]
    seen: dict[str, str] = {}

    async def probe() -> bool | None:
        states = {state["entity_id"]: state["state"] for state in await hass.states()}
        seen.update({entity: states.get(entity, "missing") for entity in entities})
        return True if all(state == "delivered" for state in seen.values()) else None

    try:
        await wait_for("the delivery reports", REPORT_TIMEOUT, probe)
    except DemoError:
        raise DemoError(
            f"not every report arrived within {REPORT_TIMEOUT:.0f} s: {compact(seen)}"
        ) from None


async def webhook_urls(socket: HassSocket, demo: Demo) -> dict[str, str]:
    """Each account's webhook URL, by the entry's title (the name it registers the webhook by)."""
    webhooks = await socket.command("list the webhooks", "webhook/list")
    return {
        webhook["name"]: f"{demo.hass_url}/api/webhook/{webhook['webhook_id']}"
        for webhook in webhooks
        if webhook["domain"] == DOMAIN
    }


def calls_to(made: list[dict[str, Any]], url: str) -> list[dict[str, Any]]:
    """The simulator's calls to one webhook (``GET /_sim/reports``)."""
    return [call for call in made if str(call["url"]).split("?", 1)[0] == url]


def describe_calls(calls: list[dict[str, Any]]) -> str:
    """How often the simulator called, and how it was answered."""
    return f"{len(calls)}x (HTTP {', '.join(str(call['status']) for call in calls) or '-'})"


def check_calls(provider: str, calls: list[dict[str, Any]]) -> None:
    """The simulator called and Home Assistant answered every call 200."""
    if not calls or any(call["status"] != 200 for call in calls):
        raise DemoError(f"{provider}: expected the simulator's calls answered 200: {calls}")


def since_send(states: list[str]) -> list[str]:
    """The states from the last ``accepted`` on (before it: loading and reloading)."""
    if "accepted" not in states:
        return states
    return states[len(states) - 1 - states[::-1].index("accepted") :]


async def show_delivered(
    hass: Hass, socket: HassSocket, account: Account, made: list[dict[str, Any]], url: str
) -> None:
    """A reported send: the sensor's way to ``delivered``, the calls and the bus events."""
    provider = account.spec.provider
    sensor = await entity_of(hass, account.entry_id, "_last_delivery_status")
    how = "each send names" if account.spec.reports == SEND_URL else "pasted in the portal"
    say(f"  {provider}: reports to the webhook URL {how}")
    entity = sensor["entity_id"]
    say(f"    {entity}: {' -> '.join(since_send(socket.states_of(entity)))}")
    calls = calls_to(made, url)
    reports = socket.fired(EVENT_REPORT, account.entry_id)
    statuses = [str(report["status"]) for report in reports]
    say(
        f"    the simulator called the webhook {describe_calls(calls)}; "
        f"{EVENT_REPORT} fired {len(reports)}x: {', '.join(statuses) or '-'}"
    )
    check_calls(provider, calls)
    if sensor["state"] != "delivered" or statuses != ["delivered"]:
        raise DemoError(f"{provider}: expected one report, delivered: {sensor}, {reports}")


async def show_https_only(
    hass: Hass, socket: HassSocket, account: Account, made: list[dict[str, Any]], url: str
) -> None:
    """A gateway that calls only https URLs: nothing reported, and a repair issue says why."""
    provider = account.spec.provider
    sensor = await entity_of(hass, account.entry_id, "_last_delivery_status")
    say(
        f"  {provider}: stays {sensor['state']}: it calls only https URLs and this Home "
        f"Assistant's external URL is {hass.demo.hass_url}, so the send named no report URL"
    )
    calls = calls_to(made, url)
    if sensor["state"] != "accepted" or calls or socket.fired(EVENT_REPORT, account.entry_id):
        raise DemoError(f"{provider}: expected no report: {sensor}, calls {calls}")
    issues = (await socket.command("list the repair issues", "repairs/list_issues"))["issues"]
    mine = [i for i in issues if i["domain"] == DOMAIN and account.entry_id in i["issue_id"]]
    if not mine:
        raise DemoError(f"{provider}: expected a repair issue: {issues}")
    for issue in mine:
        say(
            f"    repair issue {issue['issue_id']}: {issue['translation_key']} "
            f"({issue['severity']}) {compact(issue['translation_placeholders'])}"
        )


async def show_reply(hass: Hass, socket: HassSocket, account: Account, url: str) -> None:
    """Have the simulator forward a reply to the account's webhook; show the event entity."""
    provider = account.spec.provider
    body = {"url": url, "from": REPLY_FROM, "text": REPLY_TEXT}
    await sim_post(hass.session, hass.demo, f"/_sim/{provider}/inbound", body)

    async def probe() -> dict[str, Any] | None:
        state = await entity_of(hass, account.entry_id, "_incoming_sms")
        return state if state["attributes"].get("text") == REPLY_TEXT else None

    state = await wait_for(f"the reply on {provider}'s event entity", EVENT_TIMEOUT, probe)
    calls = calls_to(await sim(hass.session, hass.demo, "/_sim/reports"), url)
    await socket.catch_up()
    received = socket.fired(EVENT_RECEIVED, account.entry_id)
    attributes = state["attributes"]
    shown = {key: attributes.get(key) for key in ("event_type", "from", "to", "text")}
    say(
        f"  {provider}: the simulator forwarded a reply {REPLY_FROM} {REPLY_TEXT!r} to the "
        f"account's webhook {describe_calls(calls)}"
    )
    say(f"    {state['entity_id']}: {state['state']} {compact(shown)}")
    say(f"    {EVENT_RECEIVED} fired {len(received)}x")
    check_calls(provider, calls)
    if len(received) != 1:
        raise DemoError(f"{provider}: expected one {EVENT_RECEIVED} event: {received}")


async def show_reports(hass: Hass, socket: HassSocket, accounts: list[Account]) -> None:
    """Wait for the reports the gateways send; show what each account made of them."""
    say(f"demo: delivery reports (each sent twice, after {REPORT_DELAY:g} s):")
    started = time.monotonic()
    await wait_for_delivered(hass, [a for a in accounts if a.spec.reports_delivered])
    made = await sim(hass.session, hass.demo, "/_sim/reports")  # once every call is made
    await socket.catch_up()
    say(f"  (all in {time.monotonic() - started:.1f} s after the last step above)")
    urls = await webhook_urls(socket, hass.demo)
    for account in accounts:
        spec = account.spec
        if spec.reports == NO_REPORTS:
            say(f"  {spec.provider}: the gateway reports no delivery")
            continue
        if (url := urls.get(account.title)) is None:
            raise DemoError(f"{spec.provider}: no webhook named {account.title!r}: {sorted(urls)}")
        if spec.reports_delivered:
            await show_delivered(hass, socket, account, made, url)
        elif spec.reports == HTTPS_ONLY:
            await show_https_only(hass, socket, account, made, url)
        if spec.inbound:
            await show_reply(hass, socket, account, url)


async def run(demo: Demo) -> None:
    """The demo's steps, against the running simulator and hass, within ``RUN_TIMEOUT``."""
    try:
        async with (
            asyncio.timeout(RUN_TIMEOUT),
            aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session,
        ):
            await onboard(session, demo)
            hass = Hass(session, demo)
            socket = await HassSocket.connect(session, demo)
            try:
                for event_type in ("state_changed", EVENT_REPORT, EVENT_RECEIVED):
                    await socket.subscribe(event_type)
                await sim_post(
                    session, demo, "/_sim/reports", {"delay": REPORT_DELAY, "duplicates": True}
                )
                say(
                    f"demo: external URL {demo.hass_url}; the simulated gateways report after "
                    f"{REPORT_DELAY:g} s, every report twice"
                )
                before = await sim_credits(session, demo)
                specs = await pick_gateways(hass, before)
                accounts = [
                    await demo_gateway(hass, demo, spec, first=index == 0)
                    for index, spec in enumerate(specs)
                ]
                await show_received(session, demo, specs, before)
                await show_reports(hass, socket, accounts)
            finally:
                await socket.close()
    except TimeoutError:
        raise DemoError(f"the demo's steps took over {RUN_TIMEOUT:.0f} s") from None


def integration_log_lines(demo: Demo) -> list[str]:
    """Warnings and errors in hass's log that name the integration."""
    if not demo.hass_log.exists():
        return []
    return [
        line
        for line in demo.hass_log.read_text(errors="replace").splitlines()
        if DOMAIN in line
        and (" WARNING " in line or " ERROR " in line or " CRITICAL " in line)
        and "has not been tested by Home Assistant" not in line
    ]


def print_log_tail(demo: Demo, lines: int = 60) -> None:
    """The end of hass's log (its console output when it wrote no log) and the simulator's."""
    hass_log = demo.hass_log if demo.hass_log.exists() else demo.hass_console
    for path in (hass_log, demo.workdir / "simulator.log"):
        if path.exists() and path.stat().st_size:
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            print(f"--- last {len(tail)} lines of {path.name} ---", file=sys.stderr)
            for line in tail:
                print(line, file=sys.stderr)


async def main_async(keep: bool) -> int:
    """Start, run, always clean up; return the exit code."""
    # SIGINT already cancels this task (asyncio.run); make SIGTERM do the same, so that the
    # finally below stops hass and the simulator either way.
    if (task := asyncio.current_task()) is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    workdir = Path(tempfile.mkdtemp(prefix="benelux-sms-demo-"))
    demo = Demo(workdir)
    processes: list[asyncio.subprocess.Process] = []
    started = time.monotonic()
    code = 1
    try:
        await start_simulator(demo, processes)
        await start_hass(demo, processes)
        await run(demo)
        if lines := integration_log_lines(demo):
            say(f"demo: hass logged {len(lines)} warning(s)/error(s) from {DOMAIN}:")
            for line in lines:
                say(f"    {line}")
        say(f"demo: OK in {time.monotonic() - started:.1f} s")
        code = 0
    except DemoError as err:
        print(f"demo: FAILED: {err}", file=sys.stderr)
        print_log_tail(demo)
    finally:
        for process, name in reversed(list(zip(processes, ("simulator", "hass"), strict=False))):
            await stop_process(process, name)
        if keep:
            say(f"demo: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m simulator.demo``."""
    parser = argparse.ArgumentParser(prog="python -m simulator.demo", description=__doc__)
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary directory (logs, config)"
    )
    args = parser.parse_args(argv)
    os.chdir(REPO)
    try:
        return asyncio.run(main_async(args.keep))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("demo: interrupted; hass and the simulator were stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
