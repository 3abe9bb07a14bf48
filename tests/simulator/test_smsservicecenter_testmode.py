"""The SMS Service Center client's test mode through the simulator: the reply says testmode,
nothing is charged, and the receipt is a test one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.benelux_sms.gateways.base import Encoding, OutboundSms
from custom_components.benelux_sms.gateways.smsservicecenter import SmsServiceCenterGateway
from simulator import smsservicecenter

from .conftest import Client, sim_state, simulator_client

API = "/smsservicecenter/api/v2/"
SMS = OutboundSms(("+31612345678",), "Alarm!", None, Encoding.GSM7, 1)


@pytest.fixture
async def client(socket_enabled: None) -> AsyncIterator[Client]:
    async with simulator_client((smsservicecenter.SIMULATOR,)) as test_client:
        yield test_client


@pytest.mark.parametrize("test_mode", [True, False])
async def test_test_mode_round_trip(client: Client, test_mode: bool) -> None:
    async with aiohttp.ClientSession() as session:
        gateway = SmsServiceCenterGateway(
            session,
            {"api_key": smsservicecenter.GOOD_KEY},
            base_url=str(client.make_url(API)),
            test_mode=test_mode,
        )
        receipt = await gateway.send(SMS)
    account = sim_state(client).gateway("smsservicecenter")
    assert receipt.test is test_mode
    assert account.messages[0].testmode is test_mode
    assert account.credits == (
        account.initial_credits if test_mode else account.initial_credits - 1
    )
