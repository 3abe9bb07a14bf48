"""The gateway simulator itself: SMS Service Center API v2, faults and the /_sim control API."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from simulator.app import GATEWAYS, create_app, start_simulator
from simulator.state import STATE_KEY

from .conftest import REPO, Client, sim_state, simulator_client

API = "/smsservicecenter/api/v2"
GOOD = {"Authorization": "Bearer sim-good-key"}


@pytest.fixture
async def client(socket_enabled: None) -> AsyncIterator[Client]:
    """A test client of a fresh simulator whose slow fault holds for a minute."""
    async with simulator_client() as test_client:
        yield test_client


async def api(client: Client, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    """Call the SMS Service Center API with the good key; return status and JSON body."""
    headers = kwargs.pop("headers", GOOD)
    async with client.request(method, f"{API}/{path}", headers=headers, **kwargs) as response:
        return response.status, await response.json()


async def send(client: Client, **body: Any) -> dict[str, Any]:
    """POST send with the good key; return the JSON reply (always HTTP 200)."""
    status, reply = await api(client, "POST", "send", json=body)
    assert status == 200
    return reply  # type: ignore[no-any-return]


async def credits(client: Client) -> int:
    """Credits according to the control API."""
    async with client.get("/_sim/credits/smsservicecenter") as response:
        assert response.status == 200
        return (await response.json())["credits"]  # type: ignore[no-any-return]


async def received(client: Client) -> list[dict[str, Any]]:
    """Every message the simulator received, per the control API."""
    async with client.get("/_sim/messages") as response:
        return await response.json()  # type: ignore[no-any-return]


async def set_fault(client: Client, fault: str | None, **extra: Any) -> aiohttp.ClientResponse:
    """Switch the smsservicecenter fault through the control API."""
    body = {"gateway": "smsservicecenter", "fault": fault, **extra}
    async with client.post("/_sim/fault", json=body) as response:
        await response.read()
        return response


# --- the gateway API ---------------------------------------------------------------------


async def test_credits_start_at_100(client: Client) -> None:
    """GET credits answers as the document's example does."""
    assert await api(client, "GET", "credits") == (200, {"status": "success", "details": 100})


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer sim-bad-key"},
        {"Authorization": "Bearer "},
        {"Authorization": "sim-good-key"},
        {"Authorization": "Basic c2ltLWdvb2Qta2V5Og=="},
        {},
    ],
)
@pytest.mark.parametrize(("method", "path"), [("GET", "credits"), ("POST", "send")])
async def test_anything_but_the_good_key_is_unauthenticated(
    client: Client, headers: dict[str, str], method: str, path: str
) -> None:
    """Every endpoint refuses a wrong or missing bearer key with 401 and charges nothing."""
    body = {"numbers": ["+31612345678"], "message": "hi"}
    status, reply = await api(client, method, path, headers=headers, json=body)
    assert (status, reply) == (401, {"status": "error", "message": "Unauthenticated."})
    assert await credits(client) == 100
    assert await received(client) == []


async def test_send_charges_segments_times_recipients(client: Client) -> None:
    """One GSM-7 part to two numbers costs two credits and is recorded."""
    reply = await send(
        client, numbers=["+31612345678", "+31687654321"], message="Hi", sendname="HomeAlarm"
    )
    assert reply["status"] == "success"
    assert reply["details"]["testmode"] is False
    message_id = reply["details"]["messageid"]
    assert uuid.UUID(message_id).version == 4
    assert await credits(client) == 98
    assert await api(client, "GET", "credits") == (200, {"status": "success", "details": 98})
    [message] = await received(client)
    assert message | {"received_at": None} == {
        "gateway": "smsservicecenter",
        "numbers": ["+31612345678", "+31687654321"],
        "message": "Hi",
        "sender": "HomeAlarm",
        "message_id": message_id,
        "segments": 1,
        "credits_used": 2,
        "testmode": False,
        "received_at": None,
        "details": {},
    }


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("Freezer at -5 °C", 1),  # ° is not GSM-7: UCS-2, 70 per single part
        ("°" * 70, 1),
        ("°" * 71, 2),
        ("€" * 80, 1),  # GSM-7 extension: two septets each
        ("€" * 81, 2),
    ],
)
async def test_credits_go_down_per_segment(client: Client, text: str, segments: int) -> None:
    """Long and non-GSM texts cost one credit per part per recipient."""
    numbers = ["+31612345678", "+31687654321", "+32470123456"]
    reply = await send(client, numbers=numbers, message=text)
    assert reply["status"] == "success"
    assert await credits(client) == 100 - 3 * segments
    [message] = await received(client)
    assert message["segments"] == segments
    assert message["credits_used"] == 3 * segments


async def test_numbers_as_comma_string_and_default_sendname(client: Client) -> None:
    """``numbers`` may be a comma string; without sendname the account's default is used."""
    reply = await send(client, numbers="+31612345678, 0687654321,", message="Hi")
    assert reply["status"] == "success"
    [message] = await received(client)
    assert message["numbers"] == ["+31612345678", "0687654321"]
    assert message["sender"] == "Simulator"
    assert await credits(client) == 98


async def test_send_takes_a_form_body_too(client: Client) -> None:
    """A form-encoded send works like a JSON one."""
    status, reply = await api(
        client, "POST", "send", data={"numbers": "0612345678", "message": "Hi"}
    )
    assert status == 200
    assert reply["status"] == "success"
    assert await credits(client) == 99


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"message": "Hi"},
        {"numbers": [], "message": "Hi"},
        {"numbers": " , ", "message": "Hi"},
        {"numbers": ["+31612345678"]},
        {"numbers": ["+31612345678"], "message": ""},
        {"numbers": 31612345678, "message": "Hi"},
    ],
)
async def test_missing_parameters(client: Client, body: dict[str, Any]) -> None:
    """A send without numbers or message is refused in the body, with HTTP 200."""
    assert await send(client, **body) == {"status": "error", "message": "Missing parameters"}
    assert await credits(client) == 100


async def test_non_json_send_body_is_missing_parameters(client: Client) -> None:
    """A body that is no JSON object has no parameters."""
    for data in ("not json", "[1, 2]"):
        status, reply = await api(
            client,
            "POST",
            "send",
            data=data,
            headers={**GOOD, "Content-Type": "application/json"},
        )
        assert (status, reply) == (200, {"status": "error", "message": "Missing parameters"})


async def test_at_most_50_numbers(client: Client) -> None:
    """50 numbers go; 51 are refused with a message naming numbers, and nothing is charged."""
    numbers = [f"+316{index:08d}" for index in range(51)]
    reply = await send(client, numbers=numbers, message="Hi")
    assert reply["status"] == "error"
    assert "numbers" in reply["message"]
    assert await credits(client) == 100
    assert (await send(client, numbers=numbers[:50], message="Hi"))["status"] == "success"
    assert await credits(client) == 50


async def test_invalid_number(client: Client) -> None:
    """Something that is no phone number is refused."""
    reply = await send(client, numbers=["+31612345678", "call me"], message="Hi")
    assert reply == {"status": "error", "message": "Invalid number: call me"}
    assert await received(client) == []


@pytest.mark.parametrize("sendname", ["TwelveChars1", "Home Alarm", "Überwach", 12])
async def test_invalid_sendname_on_send(client: Client, sendname: Any) -> None:
    """A sendname must be 1-11 letters and digits."""
    reply = await send(client, numbers=["+31612345678"], message="Hi", sendname=sendname)
    assert reply == {"status": "error", "message": "Invalid sendname received"}
    assert await credits(client) == 100


@pytest.mark.parametrize("testmode", [True, "true", 1])
async def test_testmode_costs_nothing(client: Client, testmode: Any) -> None:
    """A test send answers with an id and testmode true, and charges nothing."""
    reply = await send(client, numbers=["+31612345678"], message="Hi", testmode=testmode)
    assert reply["status"] == "success"
    assert reply["details"]["testmode"] is True
    assert await credits(client) == 100
    [message] = await received(client)
    assert message["testmode"] is True
    assert message["credits_used"] == 0


async def test_not_enough_credits(client: Client) -> None:
    """A send that costs more than is left is refused with remaining and required."""
    async with client.post("/_sim/credits/smsservicecenter", json={"credits": 1}) as response:
        assert response.status == 200
    reply = await send(client, numbers=["+31612345678", "+31687654321"], message="Hi")
    assert reply == {
        "status": "credits.error",
        "message": "Not enough credits",
        "remaining": 1,
        "required": 2,
    }
    assert await credits(client) == 1
    assert await received(client) == []
    assert (await send(client, numbers=["+31612345678"], message="Hi"))["status"] == "success"
    assert await credits(client) == 0


async def test_sendname_get_and_set(client: Client) -> None:
    """The default sendname can be read and changed; a bad one is refused."""
    assert await api(client, "GET", "sendname") == (
        200,
        {"status": "success", "details": "Simulator"},
    )
    assert await api(client, "POST", "sendname", json={"sendname": "NewName"}) == (
        200,
        {"status": "success", "details": "NewName"},
    )
    assert await api(client, "POST", "sendname", json={"sendname": "Not valid!"}) == (
        200,
        {"status": "error", "message": "Invalid sendname received"},
    )
    assert await api(client, "POST", "sendname", json={}) == (
        200,
        {"status": "error", "message": "Invalid sendname received"},
    )
    assert (await api(client, "GET", "sendname"))[1]["details"] == "NewName"
    await send(client, numbers=["+31612345678"], message="Hi")
    assert (await received(client))[0]["sender"] == "NewName"


async def test_sendname_unset_is_invalid_request(client: Client) -> None:
    """Without a default sendname, GET sendname answers as the document's example."""
    sim_state(client).gateway("smsservicecenter").sender = None
    assert await api(client, "GET", "sendname") == (
        200,
        {"status": "error", "message": "Invalid request"},
    )


async def test_history_newest_first_and_paged(client: Client) -> None:
    """History lists sends newest first, 50 a page."""
    ids = []
    for index in range(51):
        reply = await send(client, numbers=["+31612345678"], message=f"message {index}")
        ids.append(reply["details"]["messageid"])
    status, reply = await api(client, "GET", "history")
    assert status == 200
    details = reply["details"]
    assert (details["totalpages"], details["currentpage"], details["items_per_page"]) == (2, 1, 50)
    assert [item["id"] for item in details["messages"]] == ids[:0:-1]
    first = details["messages"][0]
    assert first["uuid"] == first["id"]
    assert first["message"] == "message 50"
    assert first["sendname"] == "Simulator"
    assert first["count"] == 1
    assert first["datetime"].endswith("Z")
    _, reply = await api(client, "GET", "history", params={"page": "2"})
    assert [item["id"] for item in reply["details"]["messages"]] == [ids[0]]
    _, reply = await api(client, "GET", "history", params={"page": "x"})
    assert reply["details"]["currentpage"] == 1


# --- faults --------------------------------------------------------------------------------


async def test_fault_401(client: Client) -> None:
    """Even the good key is refused while the 401 fault is on."""
    response = await set_fault(client, "401")
    assert response.status == 200
    assert await api(client, "GET", "credits") == (
        401,
        {"status": "error", "message": "Unauthenticated."},
    )
    await set_fault(client, None)
    assert await api(client, "GET", "credits") == (200, {"status": "success", "details": 100})


async def test_fault_429_has_retry_after(client: Client) -> None:
    """429 comes with Retry-After: 30, and nothing is sent."""
    await set_fault(client, "429")
    async with client.post(
        f"{API}/send", headers=GOOD, json={"numbers": ["+31612345678"], "message": "Hi"}
    ) as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "30"
    assert await received(client) == []
    assert await credits(client) == 100


async def test_fault_500_still_json(client: Client) -> None:
    """5xx replies carry JSON, as NOTES.md warns."""
    await set_fault(client, "500")
    assert await api(client, "GET", "credits") == (
        500,
        {"status": "error", "message": "Server Error"},
    )


async def test_fault_garbage_is_200_without_json(client: Client) -> None:
    """Garbage: HTTP 200 with a body no JSON parser takes."""
    await set_fault(client, "garbage")
    async with client.get(f"{API}/credits", headers=GOOD) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        with pytest.raises(ValueError, match="Expecting value"):
            json.loads(await response.text())


async def test_faults_apply_without_auth_and_not_to_control_api(client: Client) -> None:
    """A fault answers before the key check; the control API keeps working."""
    await set_fault(client, "500")
    status, _ = await api(client, "GET", "credits", headers={})
    assert status == 500
    assert await credits(client) == 100
    assert await received(client) == []


async def test_fault_slow_answers_after_slow_seconds(socket_enabled: None) -> None:
    """With a tiny slow_seconds the held request answers normally (and sends)."""
    async with TestClient(TestServer(create_app(slow_seconds=0.01))) as client:
        await set_fault(client, "slow")
        reply = await send(client, numbers=["+31612345678"], message="Hi")
        assert reply["status"] == "success"
        assert await credits(client) == 99


async def test_fault_slow_holds_until_cleared(client: Client) -> None:
    """A slow request waits (slow_seconds is 60 here) until the fault is cleared."""
    await set_fault(client, "slow")
    request = asyncio.create_task(api(client, "GET", "credits"))
    async with asyncio.timeout(5):
        await sim_state(client).wait_for_held_requests(1)
    for _ in range(20):
        await asyncio.sleep(0)
    assert not request.done()
    assert sim_state(client).held_requests == 1
    await set_fault(client, None)
    async with asyncio.timeout(5):
        assert await request == (200, {"status": "success", "details": 100})
    assert sim_state(client).held_requests == 0


async def test_fault_slow_outlasts_a_client_timeout(client: Client) -> None:
    """A client with a short timeout gives up on a slow gateway; reset releases the request."""
    await set_fault(client, "slow")
    with pytest.raises(TimeoutError):
        async with client.get(
            f"{API}/credits", headers=GOOD, timeout=aiohttp.ClientTimeout(total=0.05)
        ):
            pass
    async with client.post("/_sim/reset") as response:
        assert response.status == 200


async def test_fault_slow_seconds_set_through_control_api(client: Client) -> None:
    """``slow_seconds`` in the fault request changes how long slow holds."""
    async with client.post(
        "/_sim/fault", json={"gateway": "smsservicecenter", "fault": "slow", "slow_seconds": 0}
    ) as response:
        assert await response.json() == {
            "gateway": "smsservicecenter",
            "fault": "slow",
            "slow_seconds": 0.0,
        }
    assert sim_state(client).slow_seconds == 0
    assert (await api(client, "GET", "credits"))[0] == 200


async def test_server_shutdown_releases_slow_requests(socket_enabled: None) -> None:
    """Stopping the simulator does not wait out slow_seconds."""
    runner, base_url = await start_simulator(slow_seconds=600)
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{base_url}/_sim/fault", json={"gateway": "smsservicecenter", "fault": "slow"}
        ) as response:
            assert response.status == 200
        request = asyncio.create_task(session.get(f"{base_url}{API}/credits", headers=GOOD))
        async with asyncio.timeout(5):
            await runner.app[STATE_KEY].wait_for_held_requests(1)
        async with asyncio.timeout(5):
            await runner.cleanup()
            response = await request
            response.release()


# --- control API ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"gateway": "nope", "fault": "500"}, 404),
        ({"fault": "500"}, 400),
        ({"gateway": "smsservicecenter", "fault": "418"}, 400),
        ({"gateway": "smsservicecenter", "fault": "slow", "slow_seconds": -1}, 400),
        ({"gateway": "smsservicecenter", "fault": "slow", "slow_seconds": "1"}, 400),
        (["smsservicecenter"], 400),
    ],
)
async def test_fault_request_validation(client: Client, body: Any, status: int) -> None:
    """Unknown gateways and faults are refused, and change nothing."""
    async with client.post("/_sim/fault", json=body) as response:
        assert response.status == status
        assert "error" in await response.json()
    assert sim_state(client).gateway("smsservicecenter").fault is None


async def test_fault_request_needs_json(client: Client) -> None:
    """The fault switch takes a JSON object."""
    async with client.post("/_sim/fault", data="fault=500") as response:
        assert response.status == 400


async def test_credits_control(client: Client) -> None:
    """Credits can be read and set per gateway; unknown gateways are 404."""
    async with client.post("/_sim/credits/smsservicecenter", json={"credits": 7}) as response:
        assert await response.json() == {"credits": 7}
    assert await api(client, "GET", "credits") == (200, {"status": "success", "details": 7})
    for bad in ({"credits": -1}, {"credits": 1.5}, {"credits": True}, {}):
        async with client.post("/_sim/credits/smsservicecenter", json=bad) as response:
            assert response.status == 400
    async with client.get("/_sim/credits/nope") as response:
        assert response.status == 404
    async with client.post("/_sim/credits/nope", json={"credits": 1}) as response:
        assert response.status == 404


async def test_messages_filter_by_gateway(client: Client) -> None:
    """``/_sim/messages?gateway=`` lists one gateway's sends; an unknown one is 404."""
    await send(client, numbers=["+31612345678"], message="Hi")
    async with client.get("/_sim/messages", params={"gateway": "smsservicecenter"}) as response:
        assert len(await response.json()) == 1
    async with client.get("/_sim/messages", params={"gateway": "nope"}) as response:
        assert response.status == 404


async def test_gateways_overview(client: Client) -> None:
    """``/_sim/gateways`` shows each gateway's mount path, credits, fault and counters."""
    await set_fault(client, "garbage")
    async with client.get("/_sim/gateways") as response:
        overview = await response.json()
    assert [gateway["gateway"] for gateway in overview] == [sim.name for sim in GATEWAYS]
    assert overview[0] == {
        "gateway": "smsservicecenter",
        "prefix": "/smsservicecenter/api/v2/",
        "credits": 100,
        "fault": "garbage",
        "messages": 0,
        "requests": 0,
    }


async def test_reset(client: Client) -> None:
    """Reset restores credits and sendname and clears history and faults."""
    await send(client, numbers=["+31612345678"], message="Hi")
    await api(client, "POST", "sendname", json={"sendname": "Other"})
    await set_fault(client, "500")
    async with client.post("/_sim/reset") as response:
        assert await response.json() == {"reset": True}
    assert await received(client) == []
    assert await credits(client) == 100
    assert await api(client, "GET", "sendname") == (
        200,
        {"status": "success", "details": "Simulator"},
    )
    assert sim_state(client).gateway("smsservicecenter").requests == 1


# --- running it -----------------------------------------------------------------------------


async def test_start_simulator_serves_on_loopback(socket_enabled: None) -> None:
    """start_simulator binds 127.0.0.1 on a free port and returns its base URL."""
    runner, base_url = await start_simulator()
    try:
        assert base_url.startswith("http://127.0.0.1:")
        assert all(address[0] == "127.0.0.1" for address in runner.addresses)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{base_url}{API}/credits", headers=GOOD) as response,
        ):
            assert await response.json() == {"status": "success", "details": 100}
    finally:
        await runner.cleanup()


def test_main_prints_url_and_stops_on_sigterm() -> None:
    """``python -m simulator --port 0`` announces its URL and exits 0 on SIGTERM."""
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("simulator listening on http://127.0.0.1:"), line
        assert int(line.rsplit(":", 1)[1]) > 0
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
