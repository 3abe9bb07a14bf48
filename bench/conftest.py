"""The benchmark's fixtures: the simulator with a wire recorder, settings, and the table.

``scripts/bench`` runs this directory with pytest (it is outside ``testpaths``, so the test
suite never collects it). ``--smoke`` sends a few messages and checks only the count bounds.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from _pytest.terminal import TerminalReporter
from aiohttp import web

# Imported before Home Assistant puts its test config's custom_components/ on the path, so
# that Home Assistant loads this repository's integration.
import custom_components.benelux_sms  # noqa: F401
from simulator.app import create_app

from .report import AtOnceResult, GatewayResult, at_once_table, table
from .wire import Recorder

HOST = "127.0.0.1"
RESULTS = pytest.StashKey[list[GatewayResult]]()
AT_ONCE_RESULTS = pytest.StashKey[list[AtOnceResult]]()


@dataclass(frozen=True, slots=True)
class Settings:
    """How much to measure."""

    sends: int
    block: int
    setup_runs: int
    timed: bool
    hold_seconds: float
    """How long the simulator holds each request of the sends-at-once row."""


@dataclass(frozen=True, slots=True)
class Simulator:
    """The simulator, served on loopback, and what it received."""

    base_url: str
    recorder: Recorder


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--smoke`` and ``--sends``."""
    group = parser.getgroup("bench", "Benelux SMS benchmark")
    group.addoption("--smoke", action="store_true", help="a few sends, count bounds only")
    group.addoption("--sends", type=int, default=200, help="timed sends per side and gateway")


def pytest_configure(config: pytest.Config) -> None:
    """Start with no results."""
    config.stash[RESULTS] = []
    config.stash[AT_ONCE_RESULTS] = []


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """Print the one table."""
    results = terminalreporter.config.stash.get(RESULTS, [])
    at_once = terminalreporter.config.stash.get(AT_ONCE_RESULTS, [])
    if not results and not at_once:
        return
    settings = _settings(terminalreporter.config)
    terminalreporter.write_line("")
    terminalreporter.write_line(
        f"{settings.sends} sends per side and gateway in blocks of {settings.block}"
        f"{'' if settings.timed else ' (smoke: no timing bound)'}; Python"
        f" {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    for line in table(results) if results else ():
        terminalreporter.write_line(line)
    if at_once:
        terminalreporter.write_line("")
        for line in at_once_table(at_once):
            terminalreporter.write_line(line)


def _settings(config: pytest.Config) -> Settings:
    if config.getoption("smoke"):
        return Settings(sends=4, block=2, setup_runs=1, timed=False, hold_seconds=0.05)
    sends = int(config.getoption("sends"))
    return Settings(sends=sends, block=min(20, sends), setup_runs=5, timed=True, hold_seconds=0.2)


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Settings:
    """How much this run measures."""
    return _settings(request.config)


@pytest.fixture
def results(request: pytest.FixtureRequest) -> list[GatewayResult]:
    """Where each gateway's run leaves its row of the table."""
    return request.config.stash[RESULTS]


@pytest.fixture
def at_once_results(request: pytest.FixtureRequest) -> list[AtOnceResult]:
    """Where each gateway's sends-at-once run leaves its row."""
    return request.config.stash[AT_ONCE_RESULTS]


@pytest.fixture(autouse=True)
def enable_event_loop_debug(event_loop: asyncio.AbstractEventLoop) -> None:
    """Run the loop as Home Assistant does outside tests: not in debug mode.

    Overrides the test plugin's fixture of this name, which turns debug mode on.
    """
    event_loop.set_debug(False)


@pytest.fixture(autouse=True)
def production_logging(caplog: pytest.LogCaptureFixture) -> None:
    """Log as Home Assistant does without a ``logger:`` configuration: warnings and worse."""
    caplog.set_level(logging.WARNING)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncIterator[Simulator]:
    """Every simulated gateway on 127.0.0.1, each request it receives recorded."""
    recorder = Recorder()
    app = create_app()
    app.middlewares.append(recorder.middleware)
    runner = web.AppRunner(app, shutdown_timeout=2.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, HOST, 0)
        await site.start()
        port = runner.addresses[0][1]
        yield Simulator(f"http://{HOST}:{port}", recorder)
    finally:
        await runner.cleanup()
