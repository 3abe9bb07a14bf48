"""The simulated 1601SMS outbox: scheduled sends held, sent when due and charged then, cancelled;
errors 121 and 122; and the real client against it."""

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
HASH = hashlib.sha1(b"sim-password", usedforsecurity=False).hexdigest()
ACCOUNT = {"klantuser": "sim-user", "klantpwd": HASH}
SEND = {**ACCOUNT, "bericht": "Hallo", "naar": "31612345678", "afzender": "HomeAlarm"}
DUTCH = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
async def client(socket_enabled: None) -> AsyncIterator[Client]:
    async with simulator_client((sms1601.SIMULATOR,)) as test_client:
        yield test_client


def _state(client: Client) -> GatewayState:
    return simulator_state(client).gateway("sms1601")


def _datum(moment: datetime) -> str:
    return f"{moment.astimezone(DUTCH):%Y%m%d%H%M}"


async def _post(client: Client, **fields: str) -> str:
    async with client.post(ENDPOINT, data=fields) as response:
        assert response.status == 200
        return (await response.text()).strip()


async def _send_due(client: Client, now: datetime) -> list[str]:
    async with client.post("/_sim/sms1601/outbox/send_due", json={"now": now.isoformat()}) as r:
        assert r.status == 200
        return (await r.json())["sent"]  # type: ignore[no-any-return]


async def _outbox(client: Client) -> list[dict[str, Any]]:
    async with client.get("/_sim/sms1601/outbox") as response:
        return await response.json()  # type: ignore[no-any-return]


async def test_scheduled_message_is_held_then_sent_and_charged_when_due(client: Client) -> None:
    """ "your messages will be added to the outbox and scheduled to the specified date / time";
    issue 16: the simulator charges at sending."""
    due = datetime.now(UTC) + timedelta(hours=2)
    reply = await _post(
        client, **SEND, datum=_datum(due), outboxid="ja", emailen="nee", referentie="hb"
    )

    assert reply.startswith("OK ")
    outbox_id = reply.split()[1]
    assert [held["outboxid"] for held in await _outbox(client)] == [outbox_id]
    assert _state(client).credits == 100
    assert _state(client).messages == []

    assert await _send_due(client, due - timedelta(minutes=2)) == []
    assert await _send_due(client, due + timedelta(minutes=1)) == [outbox_id]

    (message,) = _state(client).messages
    assert message.details == {
        "outboxid": outbox_id,
        "referentie": "hb",
        "datum": _datum(due),
        "email": "nee",
    }
    assert _state(client).credits == 99
    assert await _outbox(client) == []


async def test_without_outboxid_the_reply_is_a_bare_ok(client: Client) -> None:
    due = datetime.now(UTC) + timedelta(hours=1)
    assert await _post(client, **SEND, datum=_datum(due)) == "OK"


async def test_test_mode_schedule_costs_nothing_when_sent(client: Client) -> None:
    due = datetime.now(UTC) + timedelta(hours=1)
    await _post(client, **SEND, datum=_datum(due), outboxid="ja", test="ja")
    await _send_due(client, due + timedelta(minutes=1))
    assert _state(client).credits == 100
    assert _state(client).messages[0].testmode is True


@pytest.mark.parametrize(
    "datum",
    ["200001010000", "2099011510", "209913011200", "20990115103a", ""],
)
async def test_error_121_for_a_past_or_incorrect_date(client: Client, datum: str) -> None:
    """ "121 ... the date is in the past or is not correct!"."""
    assert await _post(client, **SEND, datum=datum, outboxid="ja") == "ERROR 121"
    assert await _outbox(client) == []


async def test_the_sends_checks_come_first(client: Client) -> None:
    due = datetime.now(UTC) + timedelta(hours=1)
    fields = {**SEND, "afzender": ""}
    assert await _post(client, **fields, datum=_datum(due)) == "ERROR 109"


async def test_cancel_by_outbox_id_and_122(client: Client) -> None:
    """ "action=verwijderbericht&id=OUTBOXID ... will return : OK or ERROR 122"."""
    due = datetime.now(UTC) + timedelta(hours=1)
    outbox_id = (await _post(client, **SEND, datum=_datum(due), outboxid="ja")).split()[1]

    assert await _post(client, **ACCOUNT, action="verwijderbericht", id=outbox_id) == "OK"
    assert await _outbox(client) == []
    assert await _post(client, **ACCOUNT, action="verwijderbericht", id=outbox_id) == "ERROR 122"
    assert await _send_due(client, due + timedelta(minutes=1)) == []
    assert _state(client).messages == []


async def test_cancel_by_number_and_empty_outbox(client: Client) -> None:
    due = datetime.now(UTC) + timedelta(hours=1)
    await _post(client, **SEND, datum=_datum(due))
    await _post(client, **{**SEND, "naar": "31687654321"}, datum=_datum(due))
    assert await _post(client, **ACCOUNT, action="verwijderbericht", naar="31612345678") == "OK"
    assert len(await _outbox(client)) == 1
    assert await _post(client, **ACCOUNT, action="verwijderoutbox") == "OK"
    assert await _post(client, **ACCOUNT, action="verwijderoutbox") == "ERROR 122"


async def test_a_due_message_without_credits_is_dropped(client: Client) -> None:
    due = datetime.now(UTC) + timedelta(hours=1)
    await _post(client, **SEND, datum=_datum(due))
    _state(client).credits = 0
    await _send_due(client, due + timedelta(minutes=1))
    assert _state(client).messages == []


async def test_reset_empties_the_outbox(client: Client) -> None:
    await _post(client, **SEND, datum=_datum(datetime.now(UTC) + timedelta(hours=1)))
    async with client.post("/_sim/reset") as response:
        assert response.status == 200
    assert await _outbox(client) == []


# --- the client against it ------------------------------------------------------------------


def _gateway(client: Client, session: aiohttp.ClientSession) -> Sms1601Gateway:
    return Sms1601Gateway(
        session,
        {"username": "sim-user", "password": sms1601.GOOD_PASSWORD},
        base_url=str(client.make_url(ENDPOINT)),
    )


SMS = OutboundSms(("+31612345678",), "Heartbeat", "HomeAlarm", Encoding.GSM7, 1, reference="hb")


async def test_client_schedules_and_cancels(client: Client) -> None:
    async with aiohttp.ClientSession() as session:
        gateway = _gateway(client, session)
        due = datetime.now(UTC) + timedelta(hours=3)
        outbox_id = await gateway.schedule(SMS, due)

        (held,) = await _outbox(client)
        assert held["outboxid"] == outbox_id
        assert held["referentie"] == "hb"
        assert held["email"] is False  # emailen=nee

        await gateway.cancel_scheduled(outbox_id)
        assert await _outbox(client) == []
        with pytest.raises(errors.ScheduleNotFoundError):
            await gateway.cancel_scheduled(outbox_id)


async def test_client_schedule_sent_when_due(client: Client) -> None:
    async with aiohttp.ClientSession() as session:
        due = datetime.now(UTC) + timedelta(minutes=30)
        outbox_id = await _gateway(client, session).schedule(SMS, due)
    assert await _send_due(client, due + timedelta(minutes=1)) == [outbox_id]
    assert _state(client).messages[0].numbers == ["31612345678"]


async def test_client_hears_121_for_a_time_the_gateway_refuses(client: Client) -> None:
    """The client refuses a past time itself; one the gateway holds for past (its clock ahead of
    ours by a minute) is its 121."""
    async with aiohttp.ClientSession() as session:
        gateway = _gateway(client, session)
        with pytest.raises(errors.InvalidScheduleError):
            await gateway.schedule(SMS, datetime.now(UTC) - timedelta(minutes=5))
        soon = datetime.now(UTC) + timedelta(minutes=1)
        sms1601_now = soon + timedelta(minutes=5)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(
                "simulator.sms1601.datetime",
                type("Clock", (), {"now": staticmethod(lambda tz=None: sms1601_now)}),
            )
            with pytest.raises(errors.InvalidScheduleError):
                await gateway.schedule(SMS, soon)
    assert await _outbox(client) == []
