"""The simulated SMSBOX voice API, and the real client's calls through it (smsbox.txt,
"Voice bericht versturen")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import (
    DeliveryStatus,
    Encoding,
    OutboundSms,
    VoiceCall,
)
from custom_components.benelux_sms.gateways.smsbox import SmsBoxGateway
from simulator import smsbox
from simulator.state import GatewayState

from .conftest import Client, sim_state, simulator_client

API = "/smsbox/api/v1"
GOOD = {"X-Api-Key": "sim-smsbox-key"}


@pytest.fixture
async def client(socket_enabled: None) -> AsyncIterator[Client]:
    async with simulator_client((smsbox.SIMULATOR,), slow_seconds=0) as test_client:
        yield test_client


def account(client: Client) -> GatewayState:
    return sim_state(client).gateway("smsbox")


async def voice(client: Client, headers: dict[str, str] = GOOD, **form: str) -> dict[str, Any]:
    async with client.post(f"{API}/voice/send", headers=headers, data=form) as response:
        assert response.status == 200
        return await response.json()  # type: ignore[no-any-return]


async def test_call_as_the_document_answers(client: Client) -> None:
    """{"code":10, "message":"Voice is sent", "number":"32498765432"}."""
    reply = await voice(client, number="32498765432", message="Alarm", lang="FR", gender="F")
    assert reply == {"code": 10, "message": "Voice is sent", "number": "32498765432"}
    (made,) = account(client).messages
    assert made.details["kind"] == "voice"
    assert made.details["lang"] == "FR"
    assert made.details["gender"] == "F"
    assert account(client).credits == 99


async def test_defaults_are_nl_and_m(client: Client) -> None:
    """ "Standaard: NL" and "Standaard: M"."""
    await voice(client, number="32498765432", message="Alarm")
    assert account(client).messages[0].details | {"send_at": None} == {
        "kind": "voice",
        "lang": "NL",
        "gender": "M",
        "send_at": None,
    }


async def test_invalid_send_at_is_now(client: Client) -> None:
    """ "Bij een ongeldige datum/tijd wordt standaard de huidige datum/tijd genomen"."""
    await voice(client, number="32498765432", message="Alarm", send_at="2021-03-07T13:13:19Z")
    await voice(client, number="32498765432", message="Alarm", send_at="morgen")
    first, second = account(client).messages
    assert first.details["send_at"] == "2021-03-07T13:13:19+00:00"
    assert second.details["send_at"] > "2025"


@pytest.mark.parametrize(
    ("headers", "form", "code"),
    [
        ({}, {"number": "32498765432", "message": "x"}, 20),
        ({"X-Api-Key": "other"}, {"number": "32498765432", "message": "x"}, 21),
        (GOOD, {"message": "x"}, 30),
        (GOOD, {"number": "32498765432"}, 40),
        (GOOD, {"number": "0498", "message": "x"}, 50),
        (GOOD, {"number": "32498765432", "message": "x", "lang": "DE"}, 50),
    ],
)
async def test_refusals(
    client: Client, headers: dict[str, str], form: dict[str, str], code: int
) -> None:
    reply = await voice(client, headers=headers, **form)
    assert reply["code"] == code
    assert account(client).messages == []


async def test_credits_low(client: Client) -> None:
    account(client).credits = 0
    assert (await voice(client, number="32498765432", message="x"))["code"] == 60


# --- the client against it ------------------------------------------------------------------


def _gateway(client: Client, session: aiohttp.ClientSession) -> SmsBoxGateway:
    return SmsBoxGateway(session, {"api_key": smsbox.GOOD_KEY}, base_url=str(client.make_url(API)))


async def test_client_calls_every_recipient(client: Client) -> None:
    async with aiohttp.ClientSession() as session:
        call = VoiceCall(("+32470123456", "+31612345678"), "Brand in de keuken", "nl")
        receipt = await _gateway(client, session).send_voice(call)
    assert [m.status for m in receipt.messages] == [DeliveryStatus.ACCEPTED] * 2
    assert [m.numbers for m in account(client).messages] == [["32470123456"], ["31612345678"]]
    assert {m.details["lang"] for m in account(client).messages} == {"NL"}


async def test_client_hears_credits_low(client: Client) -> None:
    account(client).credits = 0
    async with aiohttp.ClientSession() as session:
        with pytest.raises(errors.InsufficientCreditsError):
            await _gateway(client, session).send_voice(VoiceCall(("+32470123456",), "x", "en"))


async def test_client_length_count_agrees_with_the_simulator(client: Client) -> None:
    """459 euro signs are 918 as both count them: sent; 460 are refused before sending."""
    async with aiohttp.ClientSession() as session:
        gateway = _gateway(client, session)
        await gateway.send(OutboundSms(("+32470123456",), "€" * 459, None, Encoding.GSM7, 7))
        with pytest.raises(errors.MessageTooLongError):
            await gateway.send(OutboundSms(("+32470123456",), "€" * 460, None, Encoding.GSM7, 7))
    assert len(account(client).messages) == 1
