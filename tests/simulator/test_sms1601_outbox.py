"""The simulated 1601SMS outbox: ``datum`` sends held, charged when sent, removed by id,
number or all; and the real client's schedule and cancel against it."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import Encoding, OutboundSms
from custom_components.benelux_sms.gateways.sms1601 import Sms1601Gateway
from simulator import sms1601
from simulator.state import GatewayState

from .conftest import Client, simulator_client
from .conftest import sim_state as simulator_state

ENDPOINT = "/sms1601/module/gateway.php"
OUTBOX = "/sms1601/module/_sim/outbox"
HASH = hashlib.sha1(b"sim-password", usedforsecurity=False).hexdigest()
ACCOUNT = {"klantuser": "sim-user", "klantpwd": HASH}
SEND = {**ACCOUNT, "bericht": "Hallo", "naar": "31612345678", "afzender": "HomeAlarm"}
DUTCH = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
async def client(socket_enabled: None) -> AsyncIterator[Client]:
    """A test client of a fresh simulator with only the 1601SMS gateway."""
    async with simulator_client((sms1601.SIMULATOR,)) as test_client:
        yield test_client


def _state(client: Client) -> GatewayState:
    return simulator_state(client).gateway("sms1601")


def _datum(ahead: timedelta) -> str:
    return f"{(datetime.now(UTC) + ahead).astimezone(DUTCH):%Y%m%d%H%M}"


async def _reply(client: Client, query: dict[str, str], **fields: str) -> str:
    async with client.post(ENDPOINT, params=query, data=fields) as response:
        assert response.status == 200
        return await response.text()


async def _held(client: Client) -> list[dict[str, Any]]:
    async with client.get(OUTBOX) as response:
        held: list[dict[str, Any]] = (await response.json())["held"]
        return held


async def test_datum_send_is_held_and_charged_when_sent(client: Client) -> None:
    """``OK <outbox id>``; nothing received or charged until its time (released here)."""
    reply = await _reply(client, {"datum": _datum(timedelta(hours=1)), "outboxid": "ja"}, **SEND)
    assert reply.startswith("OK ")
    [held] = await _held(client)
    assert held["outbox_id"] == reply.split()[1]
    assert held["numbers"] == ["31612345678"]
    assert (_state(client).credits, _state(client).messages) == (100, [])

    async with client.post(f"{OUTBOX}/release") as response:
        assert (await response.json()) == {"sent": 1}
    [sent] = _state(client).messages
    assert (sent.message, sent.credits_used, _state(client).credits) == ("Hallo", 1, 99)
    assert await _held(client) == []


async def test_without_outboxid_the_reply_is_a_bare_ok(client: Client) -> None:
    """The document promises the id only with ``outboxid=ja``."""
    assert await _reply(client, {"datum": _datum(timedelta(hours=1))}, **SEND) == "OK\n"


@pytest.mark.parametrize(
    "datum",
    [_datum(timedelta(minutes=-5)), "2026133112", "202612311260", "tomorrow"],
)
async def test_datum_in_the_past_or_not_a_time_is_error_121(client: Client, datum: str) -> None:
    """Error 121: the date is in the past or is not correct; nothing is held."""
    assert await _reply(client, {"datum": datum, "outboxid": "ja"}, **SEND) == "ERROR 121\n"
    assert await _held(client) == []


async def test_datum_send_is_checked_as_a_send(client: Client) -> None:
    """No sender is 109 before anything is held."""
    fields = {**SEND, "afzender": ""}
    query = {"datum": _datum(timedelta(hours=1)), "outboxid": "ja"}
    assert await _reply(client, query, **fields) == "ERROR 109\n"
    assert await _held(client) == []


async def test_removal_by_id_number_or_all(client: Client) -> None:
    """``verwijderbericht`` by id or number, ``verwijderoutbox``; nothing left is 122."""
    query = {"datum": _datum(timedelta(hours=1)), "outboxid": "ja"}
    first = (await _reply(client, query, **SEND)).split()[1]
    await _reply(client, query, **{**SEND, "naar": "31687654321"})
    await _reply(client, query, **{**SEND, "naar": "32478123456"})
    remove = {"action": "verwijderbericht"}
    assert await _reply(client, remove, **ACCOUNT, id=first) == "OK\n"
    assert await _reply(client, remove, **ACCOUNT, id=first) == "ERROR 122\n"
    assert await _reply(client, remove, **ACCOUNT, naar="31687654321") == "OK\n"
    assert [held["numbers"] for held in await _held(client)] == [["32478123456"]]
    assert await _reply(client, {"action": "verwijderoutbox"}, **ACCOUNT) == "OK\n"
    assert await _reply(client, {"action": "verwijderoutbox"}, **ACCOUNT) == "ERROR 122\n"


async def test_client_schedules_and_cancels(client: Client) -> None:
    """The real client: schedule gives the outbox id, cancel removes it, twice is not found."""
    sms = OutboundSms(("+31612345678",), "Heartbeat", "HomeAlarm", Encoding.GSM7, 1)
    async with aiohttp.ClientSession() as session:
        gateway = Sms1601Gateway(
            session,
            {"username": "sim-user", "password": sms1601.GOOD_PASSWORD},
            base_url=str(client.make_url(ENDPOINT)),
        )
        outbox_id = await gateway.schedule(sms, datetime.now(UTC) + timedelta(minutes=30))
        [held] = await _held(client)
        assert held["outbox_id"] == outbox_id
        await gateway.cancel_scheduled(outbox_id)
        assert await _held(client) == []
        with pytest.raises(errors.ScheduleNotFoundError):
            await gateway.cancel_scheduled(outbox_id)
    assert _state(client).credits == 100
