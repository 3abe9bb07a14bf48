"""End-to-end demo: a real Home Assistant sends SMS through every simulated gateway.

Run with ``./scripts/demo`` (which runs ``./scripts/setup`` first) or, in a ready venv,
``.venv/bin/python -m simulator.demo``. Everything listens on 127.0.0.1 only.

Steps: start the simulator and ``hass -c <tmpdir> --skip-pip`` (configuration naming only the
integrations needed, ``custom_components/benelux_sms`` symlinked to this repo's), onboard a user
and get a token. Then, for each gateway of ``GATEWAYS`` below that both the integration (its
config-flow menu) and the simulator (``/_sim/gateways``) offer: add the account and a recipient
through the config-flow REST API, send one ``benelux_sms.send_sms`` (and, for the first gateway,
one ``notify.send_message``), and show the reply and the account's sensors. Last, show what the
simulator received per gateway and its credits before and after.

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
RUN_TIMEOUT = 100.0
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=45)

FLOW = "/api/config/config_entries/flow"
ENTITIES_TEMPLATE = (
    f"{{% set ids = integration_entities('{DOMAIN}') %}}"
    "{{ dict(zip(ids, ids | map('config_entry_id'))) | tojson }}"
)
"""Renders ``{entity_id: config_entry_id}`` of the integration's entities."""


class DemoError(Exception):
    """A step failed; the message says which and why."""


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


KPN_APP = {"client_id": "sim-client", "client_secret": "sim-secret"}

GATEWAYS: tuple[GatewaySpec, ...] = (
    GatewaySpec(
        "smsservicecenter", {"api_key": "sim-good-key"}, "smsservicecenter/api/v2/", "06 12345678"
    ),
    GatewaySpec("smsbox", {"api_key": "sim-smsbox-key"}, "smsbox/api/v1/", "+32 470 12 34 56"),
    GatewaySpec(
        "sms1601",
        {"username": "sim-user", "password": "sim-password"},
        "sms1601/module/",
        "06 23456789",
        message="Alarm \u201cvoordeur\u201d \U0001f6a8",
        options={"encoding": "gsm7"},
        text_changed=True,
    ),
    # The token URL follows the base URL: <sim>/kpn/oauth/client_credential/accesstoken.
    GatewaySpec("kpn_sms", KPN_APP, "kpn/communication/kpn/sms/", "06 34567890", None),
    GatewaySpec("kpn_vonage", KPN_APP, "kpn/communication/nexmo/sms/", "+32 470 98 76 54", 0.01),
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

http:
  server_host: {HOST}
  server_port: {port}

api:
auth:
config:
onboarding:
webhook:

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


async def sim(session: aiohttp.ClientSession, demo: Demo, path: str) -> Any:
    """GET from the simulator's control API."""
    return await call(session, "GET", demo.simulator_url + path, f"simulator {path}")


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


async def add_account(hass: Hass, demo: Demo, spec: GatewaySpec) -> str:
    """Run the account config flow for one gateway; return the entry id."""
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
    return str(entry["entry_id"])


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
        if sensor["entity_id"].endswith("_last_delivery_status") and sensor["state"] != "accepted":
            raise DemoError(f"{spec.provider}: expected the last delivery status 'accepted'")


async def demo_gateway(hass: Hass, demo: Demo, spec: GatewaySpec, *, first: bool) -> None:
    """Add one gateway's account and recipient, send, and show the receipt and sensors."""
    say(f"demo: --- {spec.provider} ---")
    entry_id = await add_account(hass, demo, spec)
    await add_recipient(hass, entry_id, spec)
    notify_entity = await wait_for_recipient(hass, entry_id)
    if first:
        await send_notify(hass, notify_entity)
    await send_sms(hass, entry_id, spec)
    expected = None
    if spec.credit_value is not None:
        expected = (await sim_credits(hass.session, demo))[spec.provider] * spec.credit_value
    show_sensors(spec, await wait_for_sensors(hass, entry_id, expected))


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


async def run(demo: Demo) -> None:
    """The demo's steps, against the running simulator and hass, within ``RUN_TIMEOUT``."""
    try:
        async with (
            asyncio.timeout(RUN_TIMEOUT),
            aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session,
        ):
            await onboard(session, demo)
            hass = Hass(session, demo)
            before = await sim_credits(session, demo)
            specs = await pick_gateways(hass, before)
            for index, spec in enumerate(specs):
                await demo_gateway(hass, demo, spec, first=index == 0)
            await show_received(session, demo, specs, before)
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
