"""The faults for the reliability work: on every gateway, on the wire, and how they are switched."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from simulator.reports import Callback

from .conftest import Client, sim_state, simulator_client, switch_fault

SSC_SEND = "/smsservicecenter/api/v2/send"
SSC_KEY = {"Authorization": "Bearer sim-good-key"}
SSC_BODY = {"numbers": ["+31612345678"], "message": "Hi"}
HASH = hashlib.sha1(b"sim-password", usedforsecurity=False).hexdigest()
VONAGE_SEND = "/kpn/communication/nexmo/sms/send"
KPN_TOKEN = "/kpn/oauth/client_credential/accesstoken?grant_type=client_credentials"
KPN_APP = {"client_id": "sim-client", "client_secret": "sim-secret"}


async def kpn_bearer(client: Client) -> dict[str, str]:
    """A token from the simulated KPN API Store, as an Authorization header."""
    async with client.post(KPN_TOKEN, data=KPN_APP) as response:
        return {"Authorization": f"Bearer {(await response.json())['access_token']}"}


async def ssc_send(client: Client) -> tuple[int, str, str]:
    """Send through SMS Service Center; return status, content type and body."""
    async with client.post(SSC_SEND, headers=SSC_KEY, json=SSC_BODY) as response:
        return response.status, response.content_type, await response.text()


async def send_to(client: Client, gateway: str, **extra: Any) -> aiohttp.ClientResponse:
    """One good send to a gateway (a KPN one with a fresh token); the response, body read."""
    path, request = SENDS[gateway]
    headers = await kpn_bearer(client) if gateway.startswith("kpn_") else {}
    kwargs = {key: value for key, value in request.items() if key != "headers"}
    async with client.post(path, headers=headers | request.get("headers", {}), **kwargs) as r:
        await r.read()
        return r


SENDS: dict[str, tuple[str, dict[str, Any]]] = {
    "smsservicecenter": (SSC_SEND, {"headers": SSC_KEY, "json": SSC_BODY}),
    "smsbox": (
        "/smsbox/api/v1/sendsms",
        {
            "headers": {"X-Api-Key": "sim-smsbox-key"},
            "data": {"numbers": "31612345678", "message": "Hi"},
        },
    ),
    "sms1601": (
        "/sms1601/module/gateway.php",
        {
            "data": {
                "klantuser": "sim-user",
                "klantpwd": HASH,
                "bericht": "Hi",
                "naar": "31612345678",
                "afzender": "Home",
            }
        },
    ),
    "kpn_sms": (
        "/kpn/communication/kpn/sms/send",
        {
            "json": {
                "sender": "Home",
                "messages": [{"content": "Hi", "mobile_number": "+31612345678"}],
            }
        },
    ),
    "kpn_vonage": (VONAGE_SEND, {"data": {"from": "Home", "to": "31612345678", "text": "Hi"}}),
}
"""A good send to each gateway: path and request arguments."""
GATEWAYS = sorted(SENDS)


@pytest.fixture
async def client(socket_enabled: None) -> AsyncIterator[Client]:
    """A fresh simulator with every gateway."""
    async with simulator_client() as test_client:
        yield test_client


def received(client: Client, gateway: str) -> int:
    """Sends the gateway took."""
    return len(sim_state(client).gateway(gateway).messages)


# --- refused before the gateway does anything -------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "content_type"),
    [("503", 503, None), ("html200", 200, "text/html"), ("500", None, None)],
)
@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_refused_faults_send_nothing(
    client: Client, gateway: str, fault: str, status: int | None, content_type: str | None
) -> None:
    """503 and a 200 HTML page answer so on every gateway, and nothing is sent or charged."""
    credits = sim_state(client).gateway(gateway).credits
    await switch_fault(client, gateway, fault)

    response = await send_to(client, gateway)

    assert response.status >= 500 if status is None else response.status == status
    if content_type:
        assert response.content_type == content_type
    assert received(client, gateway) == 0
    assert sim_state(client).gateway(gateway).credits == credits


async def test_drop_hangs_up_after_reading_the_request(client: Client) -> None:
    """drop: the request arrives whole, no answer comes back, and nothing is sent."""
    await switch_fault(client, "smsservicecenter", "drop")

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await ssc_send(client)

    state = sim_state(client).gateway("smsservicecenter")
    assert (state.requests, state.credits, state.messages) == (1, 100, [])


async def test_ssc_500_with_its_credits_reason(client: Client) -> None:
    """500_credits: HTTP 500 whose JSON body is SMS Service Center's own credits.error."""
    await switch_fault(client, "smsservicecenter", "500_credits")

    async with client.post(SSC_SEND, headers=SSC_KEY, json=SSC_BODY) as response:
        assert response.status == 500
        assert await response.json() == {
            "status": "credits.error",
            "message": "Not enough credits",
            "remaining": 100,
            "required": 101,
        }
    assert received(client, "smsservicecenter") == 0


@pytest.mark.parametrize("gateway", ["smsbox", "sms1601", "kpn_sms", "kpn_vonage", "kpn_oauth"])
async def test_500_credits_only_where_the_document_has_it(client: Client, gateway: str) -> None:
    """A gateway whose document shows no 5xx reason refuses the fault; its fault stays off."""
    body = {"gateway": gateway, "fault": "500_credits"}
    async with client.post("/_sim/fault", json=body) as response:
        assert response.status == 400
        assert "500_credits" not in (await response.json())["error"]
    assert sim_state(client).gateway(gateway).fault is None


# --- handled, then the answer spoiled ---------------------------------------------------------


async def test_lost_reply_sends_and_hangs_up(client: Client) -> None:
    """lost_reply: the gateway sends and charges, but the connection closes without an answer."""
    await switch_fault(client, "smsservicecenter", "lost_reply")

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await ssc_send(client)

    state = sim_state(client).gateway("smsservicecenter")
    assert (len(state.messages), state.credits) == (1, 99)


@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_504_comes_after_the_send(client: Client, gateway: str) -> None:
    """504 from a proxy: an HTML page, though the gateway behind it took the send."""
    await switch_fault(client, gateway, "504")

    response = await send_to(client, gateway)

    assert (response.status, response.content_type) == (504, "text/html")
    assert received(client, gateway) == 1


@pytest.mark.parametrize(
    ("gateway", "body"),
    [
        ("smsservicecenter", {"status": "success"}),
        ("smsbox", {"code": 100}),
        ("kpn_sms", {"status": "OK"}),
        ("kpn_vonage", {"message-count": "1", "messages": [{"status": "0"}]}),
    ],
)
async def test_missing_fields(client: Client, gateway: str, body: dict[str, Any]) -> None:
    """missing_fields: the success shape without ids, after the gateway took the send."""
    await switch_fault(client, gateway, "missing_fields")

    response = await send_to(client, gateway)

    assert (response.status, await response.json()) == (200, body)
    assert received(client, gateway) == 1


async def test_missing_fields_1601sms_is_a_bare_ok(client: Client) -> None:
    """1601SMS answers OK without the id a ``delivery=ja`` send should get."""
    await switch_fault(client, "sms1601", "missing_fields")
    path, kwargs = SENDS["sms1601"]

    async with client.post(path, data=kwargs["data"] | {"delivery": "ja"}) as response:
        assert await response.text() == "OK\n"


async def test_missing_fields_token_has_no_access_token(client: Client) -> None:
    """The KPN token endpoint answers approved, without a token."""
    await switch_fault(client, "kpn_oauth", "missing_fields")

    async with client.post(KPN_TOKEN, data=KPN_APP) as response:
        assert "access_token" not in await response.json()


# --- Retry-After ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("retry_after", "header"),
    [(5, "5"), (1.5, "1.5"), ("Wed, 21 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026 07:28:00 GMT")],
)
@pytest.mark.parametrize("gateway", ["smsservicecenter", "smsbox", "sms1601"])
async def test_429_retry_after_as_set(
    client: Client, gateway: str, retry_after: float | str, header: str
) -> None:
    """retry_after sets what Retry-After says: seconds, or a text (an HTTP date) as it is."""
    answer = await switch_fault(client, gateway, "429", retry_after=retry_after)

    response = await send_to(client, gateway)

    assert answer["retry_after"] == retry_after
    assert (response.status, response.headers["Retry-After"]) == (429, header)


@pytest.mark.parametrize("gateway", GATEWAYS)
async def test_429_without_retry_after(client: Client, gateway: str) -> None:
    """retry_after null: a 429 that says nothing of when to try again."""
    await switch_fault(client, gateway, "429", retry_after=None)

    response = await send_to(client, gateway)

    assert response.status == 429
    assert "Retry-After" not in response.headers
    assert "quota-reset-UTC" not in response.headers


async def test_kpn_429_quota_reset_follows_retry_after(client: Client) -> None:
    """KPN names the time its quota refills, retry_after seconds from now."""
    await switch_fault(client, "kpn_vonage", "429", retry_after=120)
    before = datetime.now(UTC).replace(microsecond=0)

    response = await send_to(client, "kpn_vonage")

    reset = datetime.fromisoformat(response.headers["quota-reset-UTC"])
    assert before + timedelta(seconds=120) <= reset <= datetime.now(UTC) + timedelta(seconds=120)


async def test_reset_restores_retry_after(client: Client) -> None:
    """After a reset a 429 says 30 seconds again."""
    await switch_fault(client, "smsbox", "429", retry_after=None)
    async with client.post("/_sim/reset"):
        pass
    await switch_fault(client, "smsbox", "429")

    assert (await send_to(client, "smsbox")).headers["Retry-After"] == "30"


# --- after: a fault that starts later ---------------------------------------------------------


async def test_fault_after_some_normal_answers(client: Client) -> None:
    """after: N: the next N requests are answered normally, the ones after them fail."""
    answer = await switch_fault(client, "smsservicecenter", "500", after=2)

    statuses = [(await ssc_send(client))[0] for _ in range(4)]

    assert answer == {
        "gateway": "smsservicecenter",
        "fault": "500",
        "slow_seconds": 60.0,
        "after": 2,
    }
    assert statuses == [200, 200, 500, 500]
    assert received(client, "smsservicecenter") == 2


@pytest.mark.parametrize(
    "extra",
    [
        {"after": -1},
        {"after": 1.5},
        {"after": True},
        {"retry_after": -1},
        {"retry_after": ""},
        {"retry_after": True},
        {"retry_after": [5]},
    ],
)
async def test_fault_settings_validation(client: Client, extra: dict[str, Any]) -> None:
    """Bad settings are refused, and change nothing."""
    body = {"gateway": "smsbox", "fault": "429", **extra}
    async with client.post("/_sim/fault", json=body) as response:
        assert response.status == 400
    state = sim_state(client).gateway("smsbox")
    assert (state.fault, state.retry_after, state.fault_after) == (None, 30, 0)


# --- KPN: tokens that stop working, Vonage parts the balance no longer covers -----------------


async def test_revoked_tokens_are_refused(client: Client) -> None:
    """After a revoke the old token gets Apigee's 401; a new one works."""
    old = await kpn_bearer(client)
    async with client.post("/_sim/kpn_oauth/revoke") as response:
        assert await response.json() == {"revoked": 1}
    path, request = SENDS["kpn_vonage"]

    async with client.post(path, headers=old, **request) as response:
        assert response.status == 401
        assert (await response.json())["fault"]["faultstring"] == "Invalid Access Token"
    assert (await send_to(client, "kpn_vonage")).status == 200


async def test_vonage_part_beyond_the_balance_is_refused(
    client: Client, scheduled: list[list[Callback]]
) -> None:
    """Balance for one part of two: part one goes out (charged, reported), part two gets 9."""
    sim_state(client).gateway("kpn_vonage").credits = 10
    form = {
        "from": "Home",
        "to": "31612345678",
        "text": "x" * 200,
        "callback": "http://127.0.0.1:8123/api/webhook/abc",
        "status-report-req": "true",
    }

    async with client.post(VONAGE_SEND, headers=await kpn_bearer(client), data=form) as response:
        reply = await response.json()

    first, second = reply["messages"]
    assert (reply["message-count"], first["status"], second["status"]) == ("2", "0", "9")
    assert "message-id" in first
    assert "message-id" not in second
    state = sim_state(client).gateway("kpn_vonage")
    assert (state.credits, state.messages[0].credits_used) == (3, 7)
    ((receipt,),) = scheduled
    assert receipt.params is not None
    assert receipt.params["messageId"] == first["message-id"]
