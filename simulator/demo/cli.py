"""``python -m simulator.demo [--keep]``: the demo's command line (``./scripts/demo``).

Starts the simulator and Home Assistant (``processes.Stack``), onboards a user, opens the
websocket API (to list webhooks and repair issues, and to watch the sensors and bus events),
has the simulator report after ``REPORT_DELAY`` seconds, every report twice, and tells the
story of ``story.py``, ``delivery.py``, ``voice.py`` and ``scheduled.py``. Exits non-zero
with a message if any step fails; always stops both processes and removes the temporary
directory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from .client import HassClient
from .common import DOMAIN, REPO, DemoError, say
from .control import SimulatorControl
from .delivery import EVENT_RECEIVED, EVENT_REPORT, REPORT_DELAY, show_reports
from .processes import Stack
from .scheduled import show_scheduled
from .story import demo_gateway, onboard, pick_gateways, show_devices, show_received
from .voice import show_voice_call
from .websocket import HassSocket

RUN_TIMEOUT = 100.0
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=45)


async def run(stack: Stack) -> None:
    """The demo's steps, against the running simulator and hass, within ``RUN_TIMEOUT``."""
    try:
        async with (
            asyncio.timeout(RUN_TIMEOUT),
            aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session,
        ):
            hass = HassClient(session, stack.hass_url)
            sim = SimulatorControl(session, stack.simulator_url)
            await onboard(hass)
            socket = await HassSocket.connect(session, hass.url, hass.token)
            try:
                for event_type in ("state_changed", EVENT_REPORT, EVENT_RECEIVED):
                    await socket.subscribe(event_type)
                await sim.set_reports(delay=REPORT_DELAY, duplicates=True)
                say(
                    f"demo: external URL {hass.url}; the simulated gateways report after "
                    f"{REPORT_DELAY:g} s, every report twice"
                )
                before = await sim.credits()
                specs = await pick_gateways(hass, before)
                accounts = [
                    await demo_gateway(hass, sim, spec, first=index == 0)
                    for index, spec in enumerate(specs)
                ]
                await show_devices(socket, accounts)
                await show_received(sim, specs, before)
                await show_reports(hass, sim, socket, accounts)
                await show_voice_call(hass, sim, socket, accounts)
                await show_scheduled(hass, sim, accounts)
            finally:
                await socket.close()
    except TimeoutError:
        raise DemoError(f"the demo's steps took over {RUN_TIMEOUT:.0f} s") from None


async def main_async(keep: bool) -> int:
    """Start, run, always clean up; return the exit code."""
    # SIGINT already cancels this task (asyncio.run); make SIGTERM do the same, so that the
    # finally below stops hass and the simulator either way.
    if (task := asyncio.current_task()) is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    workdir = Path(tempfile.mkdtemp(prefix="benelux-sms-demo-"))
    stack = Stack(workdir)
    started = time.monotonic()
    code = 1
    try:
        await stack.start()
        await run(stack)
        if lines := stack.integration_log_lines():
            say(f"demo: hass logged {len(lines)} warning(s)/error(s) from {DOMAIN}:")
            for line in lines:
                say(f"    {line}")
        say(f"demo: OK in {time.monotonic() - started:.1f} s")
        code = 0
    except DemoError as err:
        print(f"demo: FAILED: {err}", file=sys.stderr)
        stack.print_log_tail()
    finally:
        await stack.stop()
        if keep:
            say(f"demo: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m simulator.demo``."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator.demo",
        description="End-to-end demo: a real Home Assistant sends SMS through every simulated "
        "gateway (see simulator/demo/__init__.py).",
    )
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
