"""The simulated SMSBOX voice API (smsbox.txt, "Voice bericht versturen"), and our client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import DeliveryStatus, VoiceCall
from custom_components.benelux_sms.gateways.smsbox import SmsBoxGateway
from simulator import smsbox
from simulator.state import GatewayState

from .conftest import Client, sim_state, simulator_client

API = "/smsbox/api/v1"
GOOD = {"X-Api-Key": "sim-smsbox-key"}


@pytest.fixture
async def client(socket_enabled: None) -> AsyncIterator[Client]:
    """A test client of a fresh simulator with the SMSBOX part only."""
    async with simulator_client((smsbox.SIMULATOR,), slow_seconds=0) as test_client:
        yield test_client


def _account(client: Client) -> GatewayState:
    return sim_state(client).gateway("smsbox")


async def _voice(client: Client, headers: dict[str, str] = GOOD, **form: str) -> Any:
    async with client.post(f"{API}/voice/send", headers=headers, data=form) as response:
        assert response.status == 200
        return await response.json()


async def test_a_call_answers_as_the_document_shows(client: Client) -> None:
    """code 10, "Voice is sent", the number; one credit; recorded with its language."""
    reply = await _voice(client, number="32498765432", message="Brand", lang="FR")

    assert reply == {"code": 10, "message": "Voice is sent", "number": "32498765432"}
    assert _account(client).credits == 99
    [call] = _account(client).messages
    assert (call.numbers, call.message, call.voice_language) == (["32498765432"], "Brand", "FR")
    assert call.as_json()["voice_language"] == "FR"


async def test_dutch_when_no_language_is_given(client: Client) -> None:
    """The document: lang defaults to NL."""
    await _voice(client, number="32498765432", message="Brand")

    assert _account(client).messages[0].voice_language == "NL"


@pytest.mark.parametrize(
    ("headers", "form", "code"),
    [
        ({}, {"number": "32498765432", "message": "x"}, 20),
        ({"X-Api-Key": "sim-bad-key"}, {"number": "32498765432", "message": "x"}, 21),
        (GOOD, {"message": "x"}, 30),
        (GOOD, {"number": "32498765432"}, 40),
        (GOOD, {"number": "0498765432", "message": "x"}, 50),
        (GOOD, {"number": "32498765432", "message": "x", "lang": "DE"}, 50),
    ],
    ids=["no-key", "bad-key", "no-number", "no-message", "no-prefix", "language"],
)
async def test_refusals_are_the_documents_codes(
    client: Client, headers: dict[str, str], form: dict[str, str], code: int
) -> None:
    """Nothing recorded, nothing charged."""
    reply = await _voice(client, headers, **form)

    assert reply["code"] == code
    assert _account(client).messages == []
    assert _account(client).credits == 100


async def test_credits_low(client: Client) -> None:
    """Code 60 once the credits are gone."""
    _account(client).credits = 0

    reply = await _voice(client, number="32498765432", message="x")

    assert reply == {"code": 60, "message": "Credits low"}


async def test_our_client_calls_each_recipient(client: Client) -> None:
    """SmsBoxGateway.send_voice on the simulator: one call per number, each accepted."""
    gateway = SmsBoxGateway(
        client.session, {"api_key": "sim-smsbox-key"}, base_url=str(client.make_url(API))
    )

    receipt = await gateway.send_voice(
        VoiceCall(("+32470123456", "+32498765432"), "Rook in de keuken", "nl")
    )

    assert [(m.recipient, m.status) for m in receipt.messages] == [
        ("+32470123456", DeliveryStatus.ACCEPTED),
        ("+32498765432", DeliveryStatus.ACCEPTED),
    ]
    assert [m.numbers for m in _account(client).messages] == [["32470123456"], ["32498765432"]]
    assert _account(client).credits == 98


async def test_our_client_hears_credits_low(client: Client) -> None:
    """Code 60 reaches the integration as InsufficientCreditsError (definitely not sent)."""
    _account(client).credits = 0
    gateway = SmsBoxGateway(
        client.session, {"api_key": "sim-smsbox-key"}, base_url=str(client.make_url(API))
    )

    with pytest.raises(errors.InsufficientCreditsError):
        await gateway.send_voice(VoiceCall(("+32470123456",), "Rook", "nl"))
