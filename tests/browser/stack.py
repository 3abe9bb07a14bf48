"""The processes the browser test drives: the simulator and a real ``hass``, on 127.0.0.1.

A thin layer, so that it can give way to a shared Home Assistant client: ``start_stack``
starts the simulator (``python -m simulator --port 0``) and ``hass -c <dir> --skip-pip``
(configuration naming only the integrations the UI needs, this repo's integration symlinked
in), waits until hass answers, onboards an owner through the REST API (every step, so the
frontend opens on the overview rather than the onboarding pages) and keeps the token and
the owner's password, for the login page.
``Stack.rest`` and ``Stack.sim`` are the REST calls the test's assertions make.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
INTEGRATION = REPO / "custom_components" / "benelux_sms"
DOMAIN = "benelux_sms"
HOST = "127.0.0.1"
USERNAME = "owner"

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 30.0

# Only what the pages of the test need; default_config would pull packages and go online.
CONFIGURATION = """\
homeassistant:
  name: Benelux SMS browser test
  latitude: 52.3676
  longitude: 4.9041
  elevation: 0
  unit_system: metric
  time_zone: Europe/Amsterdam
  country: NL
  currency: EUR
  language: en
  internal_url: {url}
  external_url: {url}

http:
  server_host: {host}
  server_port: {port}

api:
auth:
config:
frontend:
onboarding:
repairs:
search:
webhook:
websocket_api:

logger:
  default: warning
  logs:
    custom_components.{domain}: debug
"""


class StackError(Exception):
    """A process did not start, or a REST call failed; the message says which."""


@dataclass
class Stack:
    """Where the simulator and hass listen, and the owner's credentials."""

    workdir: Path
    simulator_url: str = ""
    hass_url: str = ""
    token: str = ""
    password: str = ""
    username: str = USERNAME

    @property
    def hass_log(self) -> Path:
        """Home Assistant's log file."""
        return self.workdir / "hass.log"

    def rest(self, method: str, path: str, body: Any = None) -> Any:
        """A Home Assistant REST call with the owner's token; its JSON reply."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return request(method, self.hass_url + path, body, headers)

    def sim(self, method: str, path: str, body: Any = None) -> Any:
        """A call to the simulator's control API (``/_sim/...``); its JSON reply."""
        return request(method, self.simulator_url + path, body)


def request(
    method: str,
    url: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    *,
    form: dict[str, str] | None = None,
) -> Any:
    """One HTTP request to 127.0.0.1: its JSON reply (its text when not JSON), or StackError."""
    if not url.startswith(f"http://{HOST}:"):
        raise StackError(f"refusing a request off loopback: {url}")
    headers = dict(headers or {})
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            text = response.read().decode()
            kind = response.headers.get_content_type()
    except urllib.error.HTTPError as err:
        raise StackError(f"HTTP {err.code} from {method} {url}: {err.read()[:1000]!r}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
        raise StackError(f"{method} {url} failed: {err!r}") from None
    if kind != "application/json":
        return text
    return json.loads(text) if text else None


def wait_until[T](what: str, seconds: float, probe: Callable[[], T | None]) -> T:
    """Call ``probe`` until it returns something other than None, within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        if (result := probe()) is not None:
            return result
        if time.monotonic() > deadline:
            raise StackError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(0.2)


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def stop(process: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL if it does not exit in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_simulator(stack: Stack, processes: list[subprocess.Popen[Any]]) -> None:
    """Start the simulator and read the URL it announces."""
    with (stack.workdir / "simulator.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "simulator", "--port", "0"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
        )
    processes.append(process)
    assert process.stdout is not None
    line = process.stdout.readline().decode().strip()
    prefix = "simulator listening on "
    if not line.startswith(prefix):
        raise StackError(f"the simulator did not start: {line!r}")
    stack.simulator_url = line.removeprefix(prefix)


def start_hass(stack: Stack, processes: list[subprocess.Popen[Any]]) -> None:
    """Start ``hass --skip-pip`` on a free loopback port; return once it answers HTTP."""
    port = free_port()
    stack.hass_url = f"http://{HOST}:{port}"
    config = stack.workdir / "config"
    (config / "custom_components").mkdir(parents=True)
    (config / "custom_components" / DOMAIN).symlink_to(INTEGRATION, target_is_directory=True)
    (config / "configuration.yaml").write_text(
        CONFIGURATION.format(url=stack.hass_url, host=HOST, port=port, domain=DOMAIN)
    )
    # Onboarding's core_config step, finished through the API, sets up met, radio_browser,
    # google_translate and shopping_list, which would go online and crowd the pages; the
    # step is marked done in Home Assistant's onboarding store instead.
    (config / ".storage").mkdir()
    (config / ".storage" / "onboarding").write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ["core_config"]},
            }
        )
    )
    hass = Path(sys.executable).parent / "hass"
    with (stack.workdir / "hass-console.log").open("wb") as console:
        process = subprocess.Popen(  # noqa: S603  (this venv's hass, fixed arguments)
            [str(hass), "-c", str(config), "--skip-pip", "--log-file", str(stack.hass_log)],
            cwd=stack.workdir,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
        )
    processes.append(process)

    def answers() -> bool | None:
        if process.poll() is not None:
            raise StackError(f"hass exited with code {process.returncode} while starting")
        with contextlib.suppress(StackError):
            request("GET", f"{stack.hass_url}/api/onboarding")
            return True
        return None

    wait_until("hass to answer HTTP", STARTUP_TIMEOUT, answers)


def onboard(stack: Stack) -> None:
    """Create the owner, get a token, and finish the onboarding steps left (not core_config)."""
    client_id = f"{stack.hass_url}/"
    stack.password = secrets.token_urlsafe(16)
    user = request(
        "POST",
        f"{stack.hass_url}/api/onboarding/users",
        {
            "client_id": client_id,
            "name": "Owner",
            "username": stack.username,
            "password": stack.password,
            "language": "en",
        },
    )
    token = request(
        "POST",
        f"{stack.hass_url}/auth/token",
        form={
            "grant_type": "authorization_code",
            "code": user["auth_code"],
            "client_id": client_id,
        },
    )
    stack.token = token["access_token"]
    stack.rest("POST", "/api/onboarding/analytics", {})
    stack.rest(
        "POST",
        "/api/onboarding/integration",
        {"client_id": client_id, "redirect_uri": f"{stack.hass_url}/?auth_callback=1"},
    )


@contextlib.contextmanager
def start_stack(workdir: Path) -> Iterator[Stack]:
    """The simulator and an onboarded hass, stopped on exit."""
    stack = Stack(workdir)
    processes: list[subprocess.Popen[Any]] = []
    try:
        start_simulator(stack, processes)
        start_hass(stack, processes)
        onboard(stack)
        # Backup's own system flow leaves a "New devices discovered" notification, which would
        # badge every screenshot.
        stack.rest(
            "POST",
            "/api/services/persistent_notification/dismiss",
            {"notification_id": "config_entry_discovery"},
        )
        yield stack
    finally:
        for process in reversed(processes):
            stop(process)
