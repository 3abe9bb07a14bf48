"""End-to-end demo: a real Home Assistant sends SMS through the simulated SMS Service Center.

Run with ``./scripts/demo`` (which runs ``./scripts/setup`` first) or, in a ready venv,
``.venv/bin/python -m simulator.demo``. Everything listens on 127.0.0.1 only.

Steps: start the simulator and ``hass -c <tmpdir> --skip-pip`` (configuration naming only the
integrations needed, ``custom_components/benelux_sms`` symlinked to this repo's), onboard a user
and get a token, add an SMS Service Center account and a recipient through the config-flow REST
API, send through ``notify.send_message`` and ``benelux_sms.send_sms``, then show what the
simulator received, the credits before and after, and the integration's sensors.

Exits non-zero with a message if any step fails; always stops both processes and removes the
temporary directory. Uses only the standard library and aiohttp.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent
INTEGRATION = REPO / "custom_components" / "benelux_sms"
DOMAIN = "benelux_sms"
GATEWAY = "smsservicecenter"
HOST = "127.0.0.1"

STARTUP_TIMEOUT = 60.0
ENTITY_TIMEOUT = 30.0
SENSOR_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=45)


class DemoError(Exception):
    """A step failed; the message says which and why."""


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

    @property
    def gateway_url(self) -> str:
        """The base URL the integration is configured with."""
        return f"{self.simulator_url}/{GATEWAY}/api/v2/"


def say(text: str = "") -> None:
    """Print one line of the demo's story."""
    print(text, flush=True)


def show(title: str, value: Any) -> None:
    """Print a titled JSON value, indented."""
    say(f"  {title}:")
    for line in json.dumps(value, indent=2, ensure_ascii=False).splitlines():
        say(f"    {line}")


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
    say(f"demo: simulator at {demo.simulator_url} (SMS Service Center API at {demo.gateway_url})")


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

    async def states(self) -> list[dict[str, Any]]:
        """Every entity's state."""
        states: list[dict[str, Any]] = await self.get("/api/states", "list states")
        return states


async def sim(session: aiohttp.ClientSession, demo: Demo, path: str) -> Any:
    """GET from the simulator's control API."""
    return await call(session, "GET", demo.simulator_url + path, f"simulator {path}")


async def sim_credits(session: aiohttp.ClientSession, demo: Demo) -> int:
    """The simulated account's credits."""
    reply = await sim(session, demo, f"/_sim/credits/{GATEWAY}")
    return int(reply["credits"])


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


async def add_account(hass: Hass, demo: Demo) -> str:
    """Run the account config flow for SMS Service Center; return the entry id."""
    flow = await hass.post(
        "/api/config/config_entries/flow",
        "config flow: start",
        {"handler": DOMAIN, "show_advanced_options": True},
    )
    if flow.get("type") != "menu" or flow.get("step_id") != "user":
        raise DemoError(f"config flow: expected the gateway menu, got {flow}")
    if GATEWAY not in flow.get("menu_options", []):
        raise DemoError(f"config flow: {GATEWAY} not in menu {flow.get('menu_options')}")
    say(f"demo: config flow {flow['flow_id']}: menu {flow['menu_options']}")
    path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    form = await hass.post(path, "config flow: pick gateway", {"next_step_id": GATEWAY})
    fields = [field["name"] for field in form.get("data_schema", [])]
    if form.get("type") != "form" or not {"api_key", "sender", "base_url"} <= set(fields):
        raise DemoError(f"config flow: expected a form with api_key, sender, base_url: {form}")
    say(f"demo: form '{form['step_id']}' with fields {fields}")
    result = await hass.post(
        path,
        "config flow: submit credentials",
        {"api_key": "sim-good-key", "sender": "HomeAlarm", "base_url": demo.gateway_url},
    )
    if result.get("type") != "create_entry":
        raise DemoError(f"config flow: expected create_entry, got {result}")
    entry = result["result"]
    say(f"demo: created entry {entry['entry_id']} '{result['title']}' (state {entry['state']})")
    return str(entry["entry_id"])


async def add_recipient(hass: Hass, entry_id: str) -> None:
    """Add the recipient Alice through the subentry flow."""
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
        {"name": "Alice", "phone_number": "06 12345678"},
    )
    if result.get("type") != "create_entry":
        raise DemoError(f"subentry flow: expected create_entry, got {result}")
    say(f"demo: added recipient '{result['title']}' (06 12345678)")


def integration_sensors(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The integration's sensors: by name or by the entity ids the design names."""
    return [
        state
        for state in states
        if state["entity_id"].startswith("sensor.")
        and (
            "SMS Service Center" in str(state["attributes"].get("friendly_name", ""))
            or "credits" in state["entity_id"]
            or "last_delivery_status" in state["entity_id"]
        )
    ]


async def wait_for_credits_sensor(hass: Hass, expected: int) -> dict[str, Any]:
    """Wait until the credits sensor shows ``expected``; ask it to update once if it lags."""
    asked = False
    started = time.monotonic()

    async def probe() -> dict[str, Any] | None:
        nonlocal asked
        sensors = [
            s for s in integration_sensors(await hass.states()) if "credits" in s["entity_id"]
        ]
        if not sensors:
            return None
        sensor = sensors[0]
        with contextlib.suppress(ValueError):
            if float(sensor["state"]) == expected:
                return sensor
        if not asked and time.monotonic() - started > 5:
            asked = True
            say(
                f"demo: {sensor['entity_id']} still shows {sensor['state']}; "
                "calling homeassistant.update_entity"
            )
            await hass.post(
                "/api/services/homeassistant/update_entity",
                "update the credits sensor",
                {"entity_id": sensor["entity_id"]},
            )
        return None

    return await wait_for(f"a credits sensor showing {expected}", SENSOR_TIMEOUT, probe)


async def run(demo: Demo) -> None:
    """The demo's steps, against the running simulator and hass."""
    async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session:
        await onboard(session, demo)
        hass = Hass(session, demo)
        credits_before = await sim_credits(session, demo)

        entry_id = await add_account(hass, demo)
        await add_recipient(hass, entry_id)

        async def alice() -> str | None:
            for state in await hass.states():
                name = str(state["attributes"].get("friendly_name", ""))
                if state["entity_id"].startswith("notify.") and "Alice" in name:
                    return str(state["entity_id"])
            return None

        notify_entity = await wait_for("a notify entity for Alice", ENTITY_TIMEOUT, alice)
        say(f"demo: notify entity {notify_entity} is there")

        await hass.post(
            "/api/services/notify/send_message",
            "notify.send_message",
            {"entity_id": notify_entity, "title": "Alarm", "message": "Front door opened"},
        )
        say(f"demo: notify.send_message to {notify_entity} returned")

        reply = await hass.post(
            f"/api/services/{DOMAIN}/send_sms?return_response",
            f"{DOMAIN}.send_sms",
            {
                "config_entry_id": entry_id,
                "recipients": ["+31687654321", "0612345678"],
                "message": "Freezer at -5 °C",
            },
        )
        say(f"demo: {DOMAIN}.send_sms returned")
        show("service_response", reply.get("service_response"))

        received = await sim(session, demo, "/_sim/messages")
        show("the simulator received", received)
        credits_after = await sim_credits(session, demo)
        say(f"  credits at the simulator: before {credits_before}, after {credits_after}")
        if len(received) != 2:
            raise DemoError(f"expected the simulator to receive 2 sends, got {len(received)}")

        sensor = await wait_for_credits_sensor(hass, credits_after)
        say(f"demo: {sensor['entity_id']} shows {sensor['state']}")
        sensors = integration_sensors(await hass.states())
        show(
            "integration sensors",
            {
                s["entity_id"]: {
                    "state": s["state"],
                    "friendly_name": s["attributes"].get("friendly_name"),
                }
                for s in sensors
            },
        )


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
