"""The simulated KPN APIs' new fields: KPN SMS ``expirein`` and its sender, KPN Vonage ``ttl``,
``client-ref`` (back in receipts), the ``inbound`` header, and registering the reply webhook
(``POST register``, ``number/update``); and the integration's clients through them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import Encoding, OutboundSms, WebhookRequest
from custom_components.benelux_sms.gateways.kpn_sms import KpnSmsGateway
from custom_components.benelux_sms.gateways.kpn_vonage import KpnVonageGateway
from custom_components.benelux_sms.gateways.tokens import TokenStore
from simulator import kpn
from simulator.reports import Callback

from .conftest import Client, sim_state, simulator_client

TOKEN = "/kpn/oauth/client_credential/accesstoken?grant_type=client_credentials"
VONAGE = "/kpn/communication/nexmo/sms/"
NUMBER_UPDATE = "/kpn/communication/nexmo/phone-numbers/number/update"
GOOD = {"client_id": "sim-client", "client_secret": "sim-secret"}
HOOK = "http://127.0.0.1:8123/api/webhook/abc"


@pytest.fixture
async def client(socket_enabled: None) -> AsyncIterator[Client]:
    async with simulator_client(kpn.SIMULATORS) as test_client:
        yield test_client


async def bearer(client: Client) -> dict[str, str]:
    async with client.post(TOKEN, data=GOOD) as response:
        return {"Authorization": f"Bearer {(await response.json())['access_token']}"}


async def post(client: Client, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with client.post(path, **kwargs) as response:
        return response.status, await response.json()


def _gateways(
    client: Client, session: aiohttp.ClientSession, **kwargs: Any
) -> tuple[KpnSmsGateway, KpnVonageGateway]:
    root = str(client.make_url("/kpn/communication"))
    store = TokenStore()
    return (
        KpnSmsGateway(session, GOOD, base_url=root + "/kpn/sms/", token_store=store, **kwargs),
        KpnVonageGateway(session, GOOD, base_url=root + "/nexmo/sms", token_store=store, **kwargs),
    )


SMS = OutboundSms(("+31612345678",), "Alarm!", "Demo App", Encoding.GSM7, 1)


async def test_kpn_sms_takes_the_documents_sender_and_expirein(client: Client) -> None:
    """kpn-sms.txt: "sender": "Demo App"; KPN's spec: expirein, a string of seconds."""
    async with aiohttp.ClientSession() as session:
        sms_gateway, _ = _gateways(client, session)
        await sms_gateway.send(replace(SMS, valid_for=15))
    (message,) = sim_state(client).gateway("kpn_sms").messages
    assert message.sender == "Demo App"
    assert message.details == {"expirein": "900"}


async def test_kpn_sms_refuses_expirein_that_is_no_seconds(client: Client) -> None:
    body = {
        "sender": "Demo App",
        "messages": [{"content": "x", "mobile_number": "+31612345678"}],
        "expirein": 10,
    }
    status, reply = await post(
        client, "/kpn/communication/kpn/sms/send", headers=await bearer(client), json=body
    )
    assert status == 400
    assert reply["errorResponse"]["code"] == "invalid_expirein"


async def test_vonage_ttl_client_ref_and_inbound_header(client: Client) -> None:
    sms = replace(SMS, sender="Benelux", valid_for=60, reference="alarm-7")
    async with aiohttp.ClientSession() as session:
        _, vonage_gateway = _gateways(client, session, receive_replies=True)
        await vonage_gateway.send(sms)
    (message,) = sim_state(client).gateway("kpn_vonage").messages
    assert message.details == {"ttl": "3600000", "client-ref": "alarm-7", "inbound": "yes"}


async def test_vonage_receipt_carries_the_client_ref(
    client: Client, scheduled: list[list[Callback]]
) -> None:
    form = {
        "from": "Benelux",
        "to": "31612345678",
        "text": "Hallo",
        "client-ref": "alarm-7",
        "callback": HOOK,
        "status-report-req": "true",
    }
    await post(client, VONAGE + "send", headers=await bearer(client), data=form)
    ((callback,),) = scheduled
    params = dict(callback.params or {})
    assert params["client-ref"] == "alarm-7"
    async with aiohttp.ClientSession() as session:
        _, vonage_gateway = _gateways(client, session)
        content = vonage_gateway.parse_webhook(WebhookRequest("GET", params, {}, b"", {}))
    assert content.reports[0].reference == "alarm-7"


@pytest.mark.parametrize("extra", [{"ttl": "100"}, {"ttl": "soon"}, {"client-ref": "r" * 41}])
async def test_vonage_refuses_a_ttl_or_client_ref_it_cannot_take(
    client: Client, extra: dict[str, str]
) -> None:
    form = {"from": "Benelux", "to": "31612345678", "text": "Hallo", **extra}
    _, reply = await post(client, VONAGE + "send", headers=await bearer(client), data=form)
    assert reply["messages"][0]["status"] == "3"


async def test_test_app_registers_its_callback(client: Client) -> None:
    """POST /register with to and callback_url: "Your callback url is registered."."""
    async with aiohttp.ClientSession() as session:
        _, vonage_gateway = _gateways(client, session)
        await vonage_gateway.register_inbound(HOOK, number="+31612345678")
    assert sim_state(client).gateway("kpn_vonage").registered_urls == {"31612345678": HOOK}


async def test_production_app_updates_its_number(
    client: Client, scheduled: list[list[Callback]]
) -> None:
    """number/update with country, msisdn and moHttpUrl; replies then go there."""
    async with aiohttp.ClientSession() as session:
        _, vonage_gateway = _gateways(client, session)
        await vonage_gateway.register_inbound(
            HOOK, number="+" + kpn.VIRTUAL_NUMBER, production=True
        )
    async with client.get("/_sim/kpn_vonage/registered") as response:
        assert await response.json() == {kpn.VIRTUAL_NUMBER: HOOK}
    # A reply without a url goes where the number's moHttpUrl points.
    status, _ = await post(
        client, "/_sim/kpn_vonage/inbound", json={"from": "+31612345678", "text": "OK"}
    )
    assert status == 200
    ((callback,),) = scheduled
    assert callback.url == HOOK


async def test_number_update_of_another_number_is_refused(client: Client) -> None:
    async with aiohttp.ClientSession() as session:
        _, vonage_gateway = _gateways(client, session)
        with pytest.raises(errors.GatewayUnavailableError, match="420"):
            await vonage_gateway.register_inbound(HOOK, number="+31612345678", production=True)
    assert sim_state(client).gateway("kpn_vonage").registered_urls == {}


@pytest.mark.parametrize("path", [VONAGE + "register", NUMBER_UPDATE])
async def test_registration_wants_a_token(client: Client, path: str) -> None:
    status, _ = await post(client, path, data={"to": "31612345678", "callback_url": HOOK})
    assert status == 401


async def test_register_without_fields_is_a_400(client: Client) -> None:
    status, _ = await post(client, VONAGE + "register", headers=await bearer(client), data={})
    assert status == 400
