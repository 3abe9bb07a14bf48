"""The processes a run needs: the simulator (``python -m simulator``) and a real ``hass``.

``Stack(workdir)`` starts both on 127.0.0.1 (``async with Stack(...) as stack``, or
``start()`` / ``stop()``): the simulator, then ``hass -c <workdir>/config --skip-pip`` with a
``configuration.yaml`` written at each start that names only the integrations needed (the
frontend too with ``frontend=True``; with ``packages=True`` also whatever YAML files are in
``config/packages/``), its external URL its own loopback address (so the simulated gateways
reach its webhooks), and ``custom_components/benelux_sms`` symlinked to this repository's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Self

import aiohttp

from .common import DOMAIN, HOST, INTEGRATION, REPO, DemoError, say

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
_ANNOUNCEMENT = "simulator listening on "


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def configuration(port: int, *, name: str, frontend: bool = False, packages: bool = False) -> str:
    """``configuration.yaml`` for a loopback Home Assistant on ``port``."""
    optional = "frontend:\n" if frontend else ""
    included = "  packages: !include_dir_named packages\n" if packages else ""
    return f"""\
homeassistant:
  name: {name}
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
{included}
http:
  server_host: {HOST}
  server_port: {port}

api:
auth:
config:
{optional}onboarding:
repairs:
webhook:
websocket_api:

logger:
  default: warning
  logs:
    custom_components.{DOMAIN}: debug
"""


def skip_core_config_step(config: Path) -> bool:
    """Mark onboarding's core_config step done in a configuration that was never started.

    That step's page offers the frontend's own guesses (the United States, UTC, °F) and
    would store them over the country and time zone ``configuration.yaml`` names. A
    configuration Home Assistant already keeps state in is left as it is; return whether the
    step was marked.
    """
    store = config / ".storage" / "onboarding"
    if store.exists():
        return False
    store.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "version": 4,
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": ["core_config"]},
    }
    store.write_text(json.dumps(body))
    return True


def link_integration(config: Path) -> None:
    """Make ``config/custom_components/benelux_sms`` this repository's integration."""
    link = config / "custom_components" / DOMAIN
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(INTEGRATION, target_is_directory=True)


async def stop_process(process: asyncio.subprocess.Process, name: str, label: str = "demo") -> None:
    """SIGTERM, then SIGKILL if it does not exit in time."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        say(f"{label}: {name} did not stop in {STOP_TIMEOUT:.0f} s; killing it")
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


class Stack:
    """The simulator and a Home Assistant using this integration, both on loopback."""

    def __init__(
        self,
        workdir: Path,
        *,
        hass_port: int = 0,
        simulator_port: int = 0,
        frontend: bool = False,
        packages: bool = False,
        name: str = "Benelux SMS demo",
        console: bool = False,
        config: Path | None = None,
        label: str = "demo",
    ) -> None:
        """Run in ``workdir``; port 0 picks a free one; ``console``: hass prints to this terminal.

        Home Assistant's configuration goes to ``config`` (default ``workdir/config``); the
        lines it prints start with ``label``. Nothing runs until ``start()`` or ``async with``.
        """
        self.workdir = workdir
        self.hass_port = hass_port
        self.simulator_port = simulator_port
        self.frontend = frontend
        self.packages = packages
        self.name = name
        self.console = console
        self.config = config or workdir / "config"
        self.label = label
        self.simulator_url = ""
        self.hass_url = ""
        self.processes: list[tuple[str, asyncio.subprocess.Process]] = []

    @property
    def hass_log(self) -> Path:
        """Home Assistant's own log file."""
        return self.workdir / "hass.log"

    @property
    def hass_console(self) -> Path:
        """What hass writes to stdout and stderr (unless ``console``)."""
        return self.workdir / "hass-console.log"

    @property
    def simulator_log(self) -> Path:
        """What the simulator writes to stderr."""
        return self.workdir / "simulator.log"

    async def __aenter__(self) -> Self:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _err: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start the simulator, then hass; return once hass answers HTTP."""
        await self.start_simulator()
        await self.start_hass()

    async def stop(self) -> None:
        """Stop what was started, last first."""
        for name, process in reversed(self.processes):
            await stop_process(process, name, self.label)

    async def start_simulator(self) -> None:
        """Start ``python -m simulator`` and read the URL it announces."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        args = ("-m", "simulator", "--port", str(self.simulator_port))
        with self.simulator_log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable, *args, cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=stderr
            )
        self.processes.append(("simulator", process))
        if process.stdout is None:
            raise DemoError("the simulator's stdout is not a pipe")
        try:
            async with asyncio.timeout(STARTUP_TIMEOUT):
                line = (await process.stdout.readline()).decode().strip()
        except TimeoutError:
            raise DemoError("the simulator did not announce its URL in time") from None
        if not line.startswith(_ANNOUNCEMENT):
            log = self.simulator_log.read_text(errors="replace")
            raise DemoError(f"the simulator did not start: {line!r}\n{log}")
        self.simulator_url = line.removeprefix(_ANNOUNCEMENT)
        say(f"{self.label}: simulator at {self.simulator_url}")

    async def start_hass(self) -> None:
        """Start ``hass -c <config> --skip-pip`` and wait until it answers HTTP."""
        if not (INTEGRATION / "manifest.json").exists():
            raise DemoError(f"{INTEGRATION} has no manifest.json yet")
        hass = Path(sys.executable).parent / "hass"
        if not hass.exists():
            raise DemoError(f"{hass} not found: run ./scripts/setup")
        port = self.hass_port or free_port()
        self._write_config(port)
        process = await self._spawn_hass(hass)
        self.processes.append(("hass", process))
        self.hass_url = f"http://{HOST}:{port}"
        say(
            f"{self.label}: started hass (pid {process.pid}) on {self.hass_url}, "
            f"config in {self.config}"
        )
        started = time.monotonic()
        await self._wait_for_http(process)
        say(f"{self.label}: hass answers HTTP after {time.monotonic() - started:.1f} s")

    def _write_config(self, port: int) -> None:
        link_integration(self.config)
        if self.packages:
            (self.config / "packages").mkdir(exist_ok=True)
        (self.config / "configuration.yaml").write_text(
            configuration(port, name=self.name, frontend=self.frontend, packages=self.packages)
        )

    async def _spawn_hass(self, hass: Path) -> asyncio.subprocess.Process:
        args = [str(hass), "-c", str(self.config), "--skip-pip", "--log-no-color"]
        if self.console:
            return await asyncio.create_subprocess_exec(
                *args, cwd=self.workdir, stdin=asyncio.subprocess.DEVNULL
            )
        with self.hass_console.open("wb") as console:
            return await asyncio.create_subprocess_exec(
                *args,
                "--log-file",
                str(self.hass_log),
                cwd=self.workdir,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=console,
                stderr=asyncio.subprocess.STDOUT,
            )

    async def _wait_for_http(self, process: asyncio.subprocess.Process) -> None:
        started = time.monotonic()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            while True:
                if process.returncode is not None:
                    raise DemoError(f"hass exited with code {process.returncode} while starting")
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(f"{self.hass_url}/api/onboarding") as response:
                        if response.status == 200:
                            return
                if time.monotonic() - started > STARTUP_TIMEOUT:
                    raise DemoError(f"hass did not answer HTTP within {STARTUP_TIMEOUT:.0f} s")
                await asyncio.sleep(0.25)

    def integration_log_lines(self) -> list[str]:
        """Warnings and errors in hass's log that name the integration."""
        if not self.hass_log.exists():
            return []
        return [
            line
            for line in self.hass_log.read_text(errors="replace").splitlines()
            if DOMAIN in line
            and (" WARNING " in line or " ERROR " in line or " CRITICAL " in line)
            and "has not been tested by Home Assistant" not in line
        ]

    def print_log_tail(self, lines: int = 60) -> None:
        """The end of hass's log (its console output when it wrote no log) and the simulator's."""
        hass_log = self.hass_log if self.hass_log.exists() else self.hass_console
        for path in (hass_log, self.simulator_log):
            if path.exists() and path.stat().st_size:
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                print(f"--- last {len(tail)} lines of {path.name} ---", file=sys.stderr)
                for line in tail:
                    print(line, file=sys.stderr)
