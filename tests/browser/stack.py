"""The processes the browser test drives: the simulator and a real ``hass``, on 127.0.0.1.

A thin, synchronous layer over the demo's ``simulator.demo.processes.Stack`` (asyncio, run
here on an event loop of its own thread): ``start_stack`` starts the simulator and
``hass -c <dir> --skip-pip`` with the frontend, onboards an owner through the REST API (every
step, so the frontend opens on the overview rather than the onboarding pages) and keeps the
token and the owner's password, for the login page. ``Stack.rest`` and ``Stack.sim`` are the
REST calls the test's assertions make.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.demo import processes

REPO = Path(__file__).resolve().parents[2]
INTEGRATION = REPO / "custom_components" / "benelux_sms"
DOMAIN = "benelux_sms"
HOST = "127.0.0.1"
USERNAME = "owner"

STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 30.0
PROCESS_TIMEOUT = 90.0


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


def seed_onboarding(config: Path) -> None:
    """Mark onboarding's core_config step done in Home Assistant's onboarding store.

    Finished through the API, that step sets up met, radio_browser, google_translate and
    shopping_list, which would go online and crowd the pages.
    """
    (config / ".storage").mkdir(parents=True)
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


class LoopThread:
    """An asyncio event loop on a thread of its own, for the demo's asyncio ``Stack``.

    One loop for the processes' whole life: asyncio kills a child whose loop closes.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="stack-loop")
        self._thread.start()

    def run[T](self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the loop; its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(PROCESS_TIMEOUT)

    def close(self) -> None:
        """Stop the loop and its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


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
    """The simulator and an onboarded hass with its frontend, stopped on exit."""
    stack = Stack(workdir)
    running = processes.Stack(
        workdir, frontend=True, name="Benelux SMS browser test", label="browser"
    )
    seed_onboarding(running.config)
    thread = LoopThread()
    try:
        thread.run(running.start())
        stack.simulator_url, stack.hass_url = running.simulator_url, running.hass_url
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
        try:
            thread.run(running.stop())
        finally:
            thread.close()
