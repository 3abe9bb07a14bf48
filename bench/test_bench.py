"""Send through each gateway from Home Assistant and with bare aiohttp, side by side.

Per gateway, in a fresh Home Assistant: set the account up (timed), send once to learn the
send request on the wire, then ``sends`` ``benelux_sms.send_sms`` calls and ``sends`` bare
aiohttp requests of exactly that shape and, where one rest_command can make that request,
``sends`` calls of Home Assistant's own ``rest_command`` making it, in interleaved blocks;
then one send to 100 recipients. Then, in another fresh Home Assistant, ten sends at once
with the simulator holding each request, against the same ten made bare five at a time.
The simulator counts what arrived; the blocking-call detector runs as in production
(``homeassistant.block_async_io.enable()`` outside tests).
"""

from __future__ import annotations

import asyncio
import logging
import math
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
import pytest
from homeassistant import block_async_io
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

import custom_components.benelux_sms

from .conftest import Settings, Simulator
from .report import (
    AT_ONCE_SENDS,
    BARE_CONCURRENCY,
    FAN_OUT_RECIPIENTS,
    AtOnceResult,
    GatewayResult,
)
from .wire import GATEWAYS, GatewayUnderTest, Kind, Recorder, WireRequest, count

DOMAIN = custom_components.benelux_sms.DOMAIN
RECIPIENT = "+31612345678"
FAN_OUT = tuple(f"+3161{n:07d}" for n in range(FAN_OUT_RECIPIENTS))
MESSAGE = "Alarm: front door opened"
SENDER = "HomeAlarm"
ENOUGH_CREDITS = 10**9
REST_COMMAND = "bench_send"
UNSENT_HEADERS = frozenset({"host", "content-length"})
"""aiohttp writes these itself, the same way for both sides."""

type Send = Callable[[], Awaitable[None]]


@pytest.fixture
def blocking_calls(
    hass: HomeAssistant,
    disable_block_async_io: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> Callable[[], int]:
    """Turn the blocking-call detector on as Home Assistant does outside tests.

    Return what counts the calls it has logged, naming this integration, since.
    """
    monkeypatch.setattr(block_async_io, "_IN_TESTS", False)
    block_async_io.enable()
    caplog.set_level(logging.DEBUG, logger="homeassistant.util.loop")

    def logged() -> int:
        return sum(
            1
            for record in caplog.records
            if record.name == "homeassistant.util.loop"
            and "Detected blocking call" in record.getMessage()
            and DOMAIN in record.getMessage()
        )

    return logged


@pytest.mark.parametrize("gateway", GATEWAYS, ids=lambda gateway: gateway.provider)
async def test_gateway(
    hass: HomeAssistant,
    simulator: Simulator,
    blocking_calls: Callable[[], int],
    gateway: GatewayUnderTest,
    settings: Settings,
    results: list[GatewayResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Measure one gateway; fail with the bounds it missed."""
    recorder = simulator.recorder
    async with aiohttp.ClientSession() as bare_session:
        await bare_session.post(
            f"{simulator.base_url}/_sim/credits/{gateway.provider}",
            json={"credits": ENOUGH_CREDITS},
        )
        start = recorder.mark()
        entry = _account(simulator, gateway)
        entry.add_to_hass(hass)
        setup_ms = await _setup_ms(hass, entry, settings.setup_runs, monkeypatch)

        sending = recorder.mark()
        began = time.perf_counter()
        await _send_sms(hass, entry, [RECIPIENT])
        await hass.async_block_till_done()
        template = _the_send(gateway, recorder.since(sending))
        bare_mark = recorder.mark()
        sides = {
            "integration": lambda: _send_sms(hass, entry, [RECIPIENT]),
            "bare": _replay(bare_session, simulator.base_url, template),
        }
        if not gateway.takes_token:
            sides["rest_command"] = await _rest_command(hass, simulator.base_url, template)
        times = await _interleaved(hass, recorder, settings, sides)
        fan_out = recorder.mark()
        fan_out_began = time.perf_counter()
        await _send_sms(hass, entry, list(FAN_OUT))
        fan_out_ms = (time.perf_counter() - fan_out_began) * 1000
        await hass.async_block_till_done()
        sending_seconds = time.perf_counter() - began

    sent = recorder.since(sending)
    replayed = [r for r in recorder.since(bare_mark) if r.source in ("bare", "rest_command")]
    result = GatewayResult(
        provider=gateway.provider,
        sends=settings.sends,
        integration_us=_median_us(times["integration"], 0),
        bare_us=_median_us(times["bare"], 0),
        integration_cpu_us=_median_us(times["integration"], 1),
        bare_cpu_us=_median_us(times["bare"], 1),
        rest_command_us=_median_us(times["rest_command"], 0) if "rest_command" in times else None,
        sending_seconds=sending_seconds,
        credits_requests=count(gateway, sent, Kind.CREDITS) if gateway.has_credits_call else None,
        token_requests=(
            count(gateway, recorder.since(start), Kind.TOKEN) if gateway.takes_token else None
        ),
        fan_out_requests=count(gateway, recorder.since(fan_out), Kind.SEND),
        fan_out_expected=math.ceil(FAN_OUT_RECIPIENTS / gateway.recipients_per_request),
        fan_out_ms=fan_out_ms,
        setup_ms=setup_ms,
        blocking_calls=blocking_calls(),
        same_wire=bool(replayed) and all(r.shape() == template.shape() for r in replayed),
    )
    results.append(result)
    if misses := result.check(timed=settings.timed):
        pytest.fail(f"{gateway.provider}: " + "; ".join(misses), pytrace=False)


@pytest.mark.parametrize("gateway", GATEWAYS, ids=lambda gateway: gateway.provider)
async def test_sends_at_once(
    hass: HomeAssistant,
    simulator: Simulator,
    gateway: GatewayUnderTest,
    settings: Settings,
    at_once_results: list[AtOnceResult],
) -> None:
    """Ten send_sms calls at once, each request held; the same ten bare, five at a time."""
    recorder = simulator.recorder
    entry = _account(simulator, gateway)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    numbers = [f"+3162{n:07d}" for n in range(AT_ONCE_SENDS)]
    async with aiohttp.ClientSession() as bare_session:
        control = f"{simulator.base_url}/_sim"
        await bare_session.post(
            f"{control}/credits/{gateway.provider}", json={"credits": ENOUGH_CREDITS}
        )
        mark = recorder.mark()
        await _send_sms(hass, entry, [RECIPIENT])
        template = _the_send(gateway, recorder.since(mark))
        await bare_session.post(
            f"{control}/fault",
            json={
                "gateway": gateway.provider,
                "fault": "slow",
                "slow_seconds": settings.hold_seconds,
            },
        )
        mark = recorder.mark()
        began = time.perf_counter()
        await asyncio.gather(*(_send_sms(hass, entry, [number]) for number in numbers))
        integration_ms = (time.perf_counter() - began) * 1000
        send_requests = count(gateway, recorder.since(mark), Kind.SEND)

        replay = _replay(bare_session, simulator.base_url, template)
        slots = asyncio.Semaphore(BARE_CONCURRENCY)

        async def bounded() -> None:
            async with slots:
                await replay()

        began = time.perf_counter()
        await asyncio.gather(*(bounded() for _ in numbers))
        bare_ms = (time.perf_counter() - began) * 1000
        await bare_session.post(
            f"{control}/fault", json={"gateway": gateway.provider, "fault": None}
        )
    await hass.async_block_till_done()

    result = AtOnceResult(
        gateway.provider, settings.hold_seconds, integration_ms, bare_ms, send_requests
    )
    at_once_results.append(result)
    if misses := result.check(timed=settings.timed):
        pytest.fail(f"{gateway.provider}: " + "; ".join(misses), pytrace=False)


def _account(simulator: Simulator, gateway: GatewayUnderTest) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=gateway.provider,
        data={
            "provider": gateway.provider,
            **gateway.credentials,
            "sender": SENDER,
            "base_url": f"{simulator.base_url}/{gateway.path}",
        },
    )


async def _rest_command(hass: HomeAssistant, base_url: str, template: WireRequest) -> Send:
    """Home Assistant's rest_command set up to make the template's request, as a user would."""
    command: dict[str, Any] = {
        "url": base_url + template.raw_path,
        "method": template.method.lower(),
        "headers": {
            name: value for name, value in template.headers if name.lower() not in UNSENT_HEADERS
        },
    }
    if template.body:
        command["payload"] = template.body.decode()
    assert await async_setup_component(
        hass, "rest_command", {"rest_command": {REST_COMMAND: command}}
    )

    async def send() -> None:
        await hass.services.async_call("rest_command", REST_COMMAND, blocking=True)

    return send


async def _send_sms(hass: HomeAssistant, entry: MockConfigEntry, recipients: list[str]) -> None:
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "recipients": recipients, "message": MESSAGE},
        blocking=True,
        return_response=True,
    )


async def _setup_ms(
    hass: HomeAssistant, entry: MockConfigEntry, runs: int, monkeypatch: pytest.MonkeyPatch
) -> float:
    """Set the account up ``runs`` times (unloading between); the median in milliseconds."""
    component = custom_components.benelux_sms
    setup_entry = component.async_setup_entry
    took: list[float] = []

    async def timed_setup_entry(hass: HomeAssistant, entry: Any) -> bool:
        began = time.perf_counter()
        try:
            return bool(await setup_entry(hass, entry))
        finally:
            took.append(time.perf_counter() - began)

    monkeypatch.setattr(component, "async_setup_entry", timed_setup_entry)
    for run in range(runs):
        if run:
            assert await hass.config_entries.async_unload(entry.entry_id)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert len(took) == runs
    return statistics.median(took) * 1000


def _the_send(gateway: GatewayUnderTest, requests: Sequence[WireRequest]) -> WireRequest:
    """The one send request of the first send_sms call."""
    sends = [r for r in requests if gateway.kind(r.method, r.path, r.fields) is Kind.SEND]
    assert len(sends) == 1, f"{gateway.provider}: {len(sends)} send requests for one message"
    return sends[0]


def _replay(session: aiohttp.ClientSession, base_url: str, template: WireRequest) -> Send:
    """A bare aiohttp request of the template's method, URL, headers and body."""
    url = URL(base_url + template.raw_path, encoded=True)
    headers = [
        (name, value) for name, value in template.headers if name.lower() not in UNSENT_HEADERS
    ]
    body = template.body or None

    async def send() -> None:
        async with session.request(template.method, url, headers=headers, data=body) as reply:
            await reply.read()

    return send


async def _interleaved(
    hass: HomeAssistant, recorder: Recorder, settings: Settings, sides: dict[str, Send]
) -> dict[str, list[tuple[float, float]]]:
    """Run the sides in alternating blocks (ABBA order: forwards, then backwards).

    Return each send's (wall, CPU) seconds per side; the CPU time is the whole process's,
    simulator included, the same for every side.
    """
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for block in range(math.ceil(settings.sends / settings.block)):
        order = list(sides) if block % 2 == 0 else list(reversed(sides))
        for name in order:
            recorder.source = name
            size = min(settings.block, settings.sends - len(times[name]))
            for _ in range(size):
                wall, cpu = time.perf_counter(), time.process_time()
                await sides[name]()
                times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
            recorder.source = "integration"
            await hass.async_block_till_done()
    return times


def _median_us(samples: list[tuple[float, float]], which: int) -> float:
    return statistics.median(sample[which] for sample in samples) * 1e6
