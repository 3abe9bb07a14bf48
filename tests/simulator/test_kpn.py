"""The KPN part of the simulator: token endpoint, KPN SMS and KPN Vonage, and the clients on it."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import (
    Credits,
    DeliveryStatus,
    Encoding,
    OutboundSms,
    WebhookRequest,
)
from custom_components.benelux_sms.gateways.kpn_sms import KpnSmsGateway
from custom_components.benelux_sms.gateways.kpn_vonage import KpnVonageGateway
from custom_components.benelux_sms.gateways.tokens import TokenStore
from simulator import kpn
from simulator.reports import Callback
from simulator.state import Fault

from .conftest import Client, WebhookServer, sim_state, simulator_client

TOKEN = "/kpn/oauth/client_credential/accesstoken?grant_type=client_credentials"
SMS = "/kpn/communication/kpn/sms/send"
VONAGE = "/kpn/communication/nexmo/sms/send"
GOOD = {"client_id": "sim-client", "client_secret": "sim-secret"}
INBOUND = "/_sim/kpn_vonage/inbound"
HOOK = "http://127.0.0.1:8123/api/webhook/abc"


@pytest.fixture
async def client(socket_enabled: None) -> AsyncIterator[Client]:
    """A test client of a simulator with the three KPN parts only."""
    async with simulator_client(kpn.SIMULATORS) as test_client:
        yield test_client


async def token(client: Client, form: dict[str, str] = GOOD) -> tuple[int, Any]:
    async with client.post(TOKEN, data=form) as response:
        return response.status, await response.json()


async def bearer(client: Client) -> dict[str, str]:
    status, reply = await token(client)
    assert status == 200
    return {"Authorization": f"Bearer {reply['access_token']}"}


async def post(client: Client, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with client.post(path, **kwargs) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


def sms_body(*numbers: str, content: str = "Hallo", sender: str = "Demo") -> dict[str, Any]:
    return {
        "sender": sender,
        "messages": [{"content": content, "mobile_number": number} for number in numbers],
    }


def vonage_form(**overrides: str) -> dict[str, str]:
    return {"from": "Benelux", "to": "31612345678", "text": "Hallo", "type": "text"} | overrides


# --- the token --------------------------------------------------------------------------------


async def test_token_for_the_good_app(client: Client) -> None:
    status, reply = await token(client)

    assert status == 200
    assert reply["token_type"] == "Bearer"
    assert reply["expires_in"] == "3599"
    assert reply["issued_at"].isdigit()
    assert reply["access_token"]


@pytest.mark.parametrize(
    "form",
    [
        {"client_id": "sim-client", "client_secret": "wrong"},
        {"client_id": "other", "client_secret": "sim-secret"},
        {"client_id": "sim-client"},
        {},
    ],
)
async def test_token_refused(client: Client, form: dict[str, str]) -> None:
    assert await token(client, form) == (401, {"error": "invalid_client"})


async def test_token_needs_the_grant_type(client: Client) -> None:
    status, reply = await post(client, TOKEN.split("?", maxsplit=1)[0], data=GOOD)
    assert (status, reply) == (400, {"error": "unsupported_grant_type"})


@pytest.mark.parametrize("path", [SMS, VONAGE])
@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer made-up"}, {"Authorization": "sim-secret"}]
)
async def test_apis_want_an_issued_token(
    client: Client, path: str, headers: dict[str, str]
) -> None:
    status, reply = await post(client, path, headers=headers, json=sms_body("+31612345678"))
    assert status == 401
    assert reply["fault"]["faultstring"] == "Invalid Access Token"


# --- KPN SMS ----------------------------------------------------------------------------------


async def test_kpn_sms_send(client: Client) -> None:
    body = sms_body("+31612345678", "+3197012345678", sender="HomeAlarm")
    status, reply = await post(client, SMS, headers=await bearer(client), json=body)

    assert status == 200
    assert reply["status"] == "OK"
    messages = sim_state(client).gateway("kpn_sms").messages
    assert [(m.numbers, m.sender, m.message_id) for m in messages] == [
        (["+31612345678"], "HomeAlarm", reply["document_id"]),
        (["+3197012345678"], "HomeAlarm", reply["document_id"]),
    ]
    assert sim_state(client).gateway("kpn_sms").credits == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (sms_body("+32470123456"), "invalid_mobile_number"),
        (sms_body("+31671234567"), "invalid_mobile_number"),
        (sms_body("0612345678"), "invalid_mobile_number"),
        (sms_body("+31612345678", content="x" * 1001), "invalid_content"),
        (sms_body("+31612345678", sender="A" * 12), "invalid_sender"),
        (sms_body(*["+31612345678"] * 201), "invalid_messages"),
        (sms_body(), "invalid_messages"),
    ],
)
async def test_kpn_sms_refusals(client: Client, body: dict[str, Any], code: str) -> None:
    status, reply = await post(client, SMS, headers=await bearer(client), json=body)

    assert status == 400
    assert reply["errorResponse"]["code"] == code
    assert sim_state(client).gateway("kpn_sms").messages == []


# --- KPN Vonage -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "parts", "balance"),
    [
        ({}, 1, "9.93000000"),
        ({"text": "x" * 161}, 2, "9.86000000"),
        ({"text": "x" * 71, "type": "unicode"}, 2, "9.86000000"),
        ({"text": "x" * 70, "type": "unicode"}, 1, "9.93000000"),
    ],
)
async def test_vonage_send_costs_per_part(
    client: Client, overrides: dict[str, str], parts: int, balance: str
) -> None:
    status, reply = await post(
        client, VONAGE, headers=await bearer(client), data=vonage_form(**overrides)
    )

    assert status == 200
    assert reply["message-count"] == str(parts)
    assert [part["status"] for part in reply["messages"]] == ["0"] * parts
    assert len({part["message-id"] for part in reply["messages"]}) == parts
    assert reply["messages"][-1]["remaining-balance"] == balance
    assert sim_state(client).gateway("kpn_vonage").credits == 1000 - 7 * parts


@pytest.mark.parametrize(
    ("form", "code"),
    [
        (vonage_form(text=""), "2"),
        ({"to": "31612345678", "text": "Hallo"}, "2"),
        (vonage_form(**{"from": "Ben Lux"}), "15"),
        (vonage_form(**{"from": "A" * 12}), "15"),
        (vonage_form(to="+31612345678"), "3"),
        (vonage_form(type="binary"), "3"),
    ],
)
async def test_vonage_refusals(client: Client, form: dict[str, str], code: str) -> None:
    status, reply = await post(client, VONAGE, headers=await bearer(client), data=form)

    assert status == 200
    assert reply["messages"][0]["status"] == code
    assert "message-id" not in reply["messages"][0]
    assert sim_state(client).gateway("kpn_vonage").credits == 1000


async def test_vonage_without_credit(client: Client) -> None:
    sim_state(client).gateway("kpn_vonage").credits = 6

    status, reply = await post(client, VONAGE, headers=await bearer(client), data=vonage_form())

    assert (status, reply["messages"][0]["status"]) == (200, "9")
    assert sim_state(client).gateway("kpn_vonage").credits == 6


# --- faults -----------------------------------------------------------------------------------


async def test_faults(client: Client) -> None:
    headers = await bearer(client)
    expected = {"401": 401, "429": 429, "500": 502, "garbage": 200}
    for fault, http_status in expected.items():
        sim_state(client).set_fault("kpn_sms", Fault(fault))
        status, _ = await post(client, SMS, headers=headers, json=sms_body("+31612345678"))
        assert status == http_status, fault
        # The token endpoint is its own part and answers normally.
        assert (await token(client))[0] == 200
    assert sim_state(client).gateway("kpn_sms").messages == []


async def test_token_fault(client: Client) -> None:
    sim_state(client).set_fault("kpn_oauth", Fault.UNAUTHORIZED)
    assert await token(client) == (401, {"error": "invalid_client"})


# --- the integration's clients on the simulator -----------------------------------------------


async def _gateways(
    client: Client, credentials: dict[str, str] = GOOD
) -> tuple[KpnSmsGateway, KpnVonageGateway, aiohttp.ClientSession]:
    root = str(client.make_url("/kpn/communication"))
    session = aiohttp.ClientSession()
    store = TokenStore()
    return (
        KpnSmsGateway(session, credentials, base_url=root + "/kpn/sms/", token_store=store),
        KpnVonageGateway(session, credentials, base_url=root + "/nexmo/sms", token_store=store),
        session,
    )


def _sms(*numbers: str, text: str = "Alarm!") -> OutboundSms:
    return OutboundSms(numbers, text, "HomeAlarm", Encoding.GSM7, 1)


async def test_clients_send_through_the_simulator(client: Client) -> None:
    sms_gateway, vonage_gateway, session = await _gateways(client)
    async with session:
        await sms_gateway.validate_credentials()
        sms_receipt = await sms_gateway.send(_sms("+31612345678", "+31687654321"))
        vonage_receipt = await vonage_gateway.send(_sms("+31612345678", "+32470123456"))

    assert len({message.message_id for message in sms_receipt.messages}) == 1
    assert vonage_receipt.credits == Credits(9.86, "EUR")
    assert [m.numbers for m in sim_state(client).gateway("kpn_vonage").messages] == [
        ["+31612345678"],
        ["+32470123456"],
    ]
    # One token for validation and every send of both gateways.
    assert sim_state(client).gateway("kpn_oauth").requests == 1


async def test_clients_with_a_wrong_secret(client: Client) -> None:
    sms_gateway, _, session = await _gateways(client, GOOD | {"client_secret": "nope"})
    async with session:
        with pytest.raises(errors.AuthenticationError, match=r"^401$"):
            await sms_gateway.validate_credentials()


@pytest.mark.parametrize(
    ("fault", "error", "requests"),
    [
        (Fault.UNAUTHORIZED, errors.AuthenticationError, 2),
        (Fault.RATE_LIMITED, errors.RateLimitedError, 1),
        (Fault.SERVER_ERROR, errors.GatewayUnavailableError, 1),
        (Fault.GARBAGE, errors.GatewayUnavailableError, 1),
    ],
)
async def test_clients_under_faults(
    client: Client, fault: Fault, error: type[Exception], requests: int
) -> None:
    sms_gateway, _, session = await _gateways(client)
    sim_state(client).set_fault("kpn_sms", fault)
    async with session:
        with pytest.raises(error) as raised:
            await sms_gateway.send(_sms("+31612345678"))

    if isinstance(raised.value, errors.RateLimitedError):
        assert raised.value.retry_after is not None
        assert 0 < raised.value.retry_after <= 30
    assert sim_state(client).gateway("kpn_sms").requests == requests


async def test_clients_hear_refusals(client: Client) -> None:
    sms_gateway, vonage_gateway, session = await _gateways(client)
    sim_state(client).gateway("kpn_vonage").credits = 0
    async with session:
        with pytest.raises(errors.InvalidRecipientError):
            await sms_gateway.send(_sms("+31661234567"))  # 066 is a pager range
        with pytest.raises(errors.InsufficientCreditsError, match=r"^9$"):
            await vonage_gateway.send(_sms("+31612345678"))


# --- delivery reports and replies -------------------------------------------------------------


def _vonage_sig(params: dict[str, str]) -> str:
    text = "".join(
        f"&{key}={value.replace('&', '_').replace('=', '_')}"
        for key, value in sorted(params.items())
        if key != "sig"
    )
    return hashlib.md5((text + kpn.SIGNATURE_SECRET).encode()).hexdigest()  # noqa: S324


def _webhook_request(callback: Callback) -> WebhookRequest:
    """The call as the integration's webhook would hand it over (JSON as json.dumps writes it)."""
    body = json.dumps(callback.json_body).encode() if callback.json_body is not None else b""
    form = {key: str(value) for key, value in (callback.json_body or callback.form or {}).items()}
    query = dict(callback.params or {})
    return WebhookRequest(callback.method, query, form, body, dict(callback.headers or {}))


@pytest.mark.parametrize(
    ("outcome", "status"), [("delivered", "DELIVERED"), ("undelivered", "UNDELIVERED")]
)
async def test_kpn_sms_reports_to_the_webhook_url(
    client: Client, scheduled: list[list[Callback]], outcome: str, status: str
) -> None:
    sim_state(client).reports.settings.outcome = outcome
    body = sms_body("+31612345678", "+31687654321") | {"webhook_url": HOOK}

    _, reply = await post(client, SMS, headers=await bearer(client), json=body)

    (callbacks,) = scheduled
    assert [(c.method, c.url) for c in callbacks] == [("POST", HOOK)] * 2
    assert [c.json_body["mobile_number"] for c in callbacks] == ["+31612345678", "+31687654321"]
    for callback in callbacks:
        assert callback.json_body["document_id"] == reply["document_id"]
        assert callback.json_body["status"] == status
        raw = json.dumps(callback.json_body).encode()
        expected = hmac.new(kpn.SIGNATURE_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        assert callback.headers == {"X-KPN-Signature": expected}


async def test_kpn_sms_without_webhook_url_reports_nothing(
    client: Client, scheduled: list[list[Callback]]
) -> None:
    await post(client, SMS, headers=await bearer(client), json=sms_body("+31612345678"))

    assert scheduled == []


async def test_kpn_sms_webhook_url_must_be_text(client: Client) -> None:
    body = sms_body("+31612345678") | {"webhook_url": 5}
    status, reply = await post(client, SMS, headers=await bearer(client), json=body)

    assert (status, reply["errorResponse"]["code"]) == (400, "invalid_webhook_url")


@pytest.mark.parametrize(
    ("outcome", "status", "err_code"),
    [("delivered", "delivered", "0"), ("undelivered", "failed", "1")],
)
async def test_vonage_receipt_per_part(
    client: Client, scheduled: list[list[Callback]], outcome: str, status: str, err_code: str
) -> None:
    sim_state(client).reports.settings.outcome = outcome
    form = vonage_form(text="x" * 400, callback=HOOK, **{"status-report-req": "true"})

    _, reply = await post(client, VONAGE, headers=await bearer(client), data=form)

    (callbacks,) = scheduled
    assert [(c.method, c.url) for c in callbacks] == [("GET", HOOK)] * 3
    params = [dict(c.params or {}) for c in callbacks]
    assert [p["messageId"] for p in params] == [part["message-id"] for part in reply["messages"]]
    for receipt in params:
        assert receipt["msisdn"] == "31612345678"
        assert receipt["to"] == "Benelux"
        assert (receipt["status"], receipt["err-code"]) == (status, err_code)
        assert receipt["price"] == "0.07000000"
        assert receipt["network-code"] == "20408"
        assert len(receipt["scts"]) == 10
        assert receipt["scts"].isdigit()
        assert len(receipt["message-timestamp"]) == 19
        assert receipt["sig"] == _vonage_sig(receipt)


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"callback": HOOK},
        {"callback": HOOK, "status-report-req": "false"},
        {"status-report-req": "true"},
    ],
)
async def test_vonage_no_receipts_unasked(
    client: Client, scheduled: list[list[Callback]], extra: dict[str, str]
) -> None:
    await post(client, VONAGE, headers=await bearer(client), data=vonage_form(**extra))

    assert scheduled == []


async def test_vonage_refused_send_has_no_receipt(
    client: Client, scheduled: list[list[Callback]]
) -> None:
    form = vonage_form(callback=HOOK, **{"status-report-req": "true", "from": "Ben Lux"})

    await post(client, VONAGE, headers=await bearer(client), data=form)

    assert scheduled == []


async def test_inbound_single(client: Client, scheduled: list[list[Callback]]) -> None:
    status, reply = await post(
        client, INBOUND, json={"url": HOOK, "from": "+31687654321", "text": "Stop alarm"}
    )

    assert status == 200
    ((callback,),) = scheduled
    assert (callback.method, callback.url) == ("POST", HOOK)
    message = callback.json_body
    assert reply == {"parts": [message]}
    assert message["msisdn"] == "31687654321"
    assert message["to"] == kpn.VIRTUAL_NUMBER
    assert (message["text"], message["type"], message["keyword"]) == ("Stop alarm", "text", "STOP")
    assert "concat" not in message
    assert message["sig"] == _vonage_sig(message)


@pytest.mark.parametrize(
    ("text", "message_type", "sizes"),
    [
        ("a" * 160, "text", [160]),
        ("a" * 161, "text", [153, 8]),
        ("a" * 400, "text", [153, 153, 94]),
        ("ç" * 70, "unicode", [70]),
        ("ç" * 71, "unicode", [67, 4]),
    ],
)
async def test_inbound_in_parts(
    client: Client,
    scheduled: list[list[Callback]],
    text: str,
    message_type: str,
    sizes: list[int],
) -> None:
    body = {"url": HOOK, "from": "+31687654321", "to": "+3197012345678", "text": text}
    await post(client, INBOUND, json=body)

    (callbacks,) = scheduled
    messages = [callback.json_body for callback in callbacks]
    assert [len(m["text"]) for m in messages] == sizes
    assert "".join(m["text"] for m in messages) == text
    assert {m["type"] for m in messages} == {message_type}
    assert {m["to"] for m in messages} == {"3197012345678"}
    assert len({m["messageId"] for m in messages}) == len(sizes)
    if len(sizes) > 1:
        assert [m["concat-part"] for m in messages] == [str(n) for n in range(1, len(sizes) + 1)]
        assert {(m["concat"], m["concat-total"]) for m in messages} == {("true", str(len(sizes)))}
        assert len({m["concat-ref"] for m in messages}) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"url": "http://example.com/hook", "from": "+31687654321", "text": "x"},
        {"url": "not a url at all ::", "from": "+31687654321", "text": "x"},
        {"url": HOOK, "from": "Alice", "text": "x"},
        {"url": HOOK, "from": "+31687654321", "text": ""},
        {"url": HOOK, "from": "+31687654321"},
        {"url": HOOK, "from": "+31687654321", "text": "x", "to": 5},
        ["not", "an", "object"],
    ],
)
async def test_inbound_refusals(client: Client, scheduled: list[list[Callback]], body: Any) -> None:
    status, reply = await post(client, INBOUND, json=body)

    assert status == 400
    assert "error" in reply
    assert scheduled == []


# --- the reports over the wire, read by the integration's clients -----------------------------


async def test_kpn_sms_reports_reach_the_client_signed(
    client: Client, webhook: WebhookServer
) -> None:
    url, received = webhook
    reports = sim_state(client).reports
    reports.settings.delay = 0
    sms_gateway, _, session = await _gateways(client)
    async with session:
        receipt = await sms_gateway.send(
            OutboundSms(("+31612345678", "+31687654321"), "Alarm!", "Home", Encoding.GSM7, 1, url)
        )
    await reports.wait()

    checking = KpnSmsGateway(session, GOOD, webhook_secret=kpn.SIGNATURE_SECRET)
    parsed = [report for call in received for report in checking.parse_webhook(call).reports]
    assert sorted((r.recipient, r.status) for r in parsed) == [
        ("+31612345678", DeliveryStatus.DELIVERED),
        ("+31687654321", DeliveryStatus.DELIVERED),
    ]
    assert {r.message_id for r in parsed} == {receipt.messages[0].message_id}
    assert all(r.timestamp is not None for r in parsed)


async def test_vonage_receipts_and_replies_reach_the_client_signed(
    client: Client, webhook: WebhookServer
) -> None:
    url, received = webhook
    reports = sim_state(client).reports
    reports.settings.delay = 0
    reports.settings.outcome = "undelivered"
    form = vonage_form(text="x" * 200, callback=url, **{"status-report-req": "true"})
    _, reply = await post(client, VONAGE, headers=await bearer(client), data=form)
    text = "Lang antwoord " * 20
    await post(client, INBOUND, json={"url": url, "from": "+31687654321", "text": text})
    await reports.wait()

    async with aiohttp.ClientSession() as session:
        checking = KpnVonageGateway(session, GOOD, webhook_secret=kpn.SIGNATURE_SECRET)
        contents = [checking.parse_webhook(call) for call in received]
    parsed = [report for content in contents for report in content.reports]
    assert sorted(r.message_id for r in parsed) == sorted(
        p["message-id"] for p in reply["messages"]
    )
    assert {(r.status, r.recipient, r.gateway_code) for r in parsed} == {
        (DeliveryStatus.FAILED, "+31612345678", "1")
    }
    parts = sorted(
        (sms for content in contents for sms in content.inbound), key=lambda s: s.concat_part
    )
    assert "".join(part.text for part in parts) == text
    assert {(part.sender, part.concat_total) for part in parts} == {("+31687654321", 2)}
