"""The simulated SMSBOX API v1: the document's replies, credits, faults, and our client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import (
    Credits,
    DeliveryStatus,
    OutboundSms,
)
from custom_components.benelux_sms.gateways.smsbox import SmsBoxGateway
from custom_components.benelux_sms.sms import count_segments
from simulator import smsbox
from simulator.reports import Callback
from simulator.state import GatewayState

from .conftest import Client, WebhookServer, set_reports, sim_state, simulator_client, switch_fault

API = "/smsbox/api/v1"
GOOD = {"X-Api-Key": "sim-smsbox-key"}


@pytest.fixture
async def client(socket_enabled: None) -> AsyncIterator[Client]:
    """A test client of a fresh simulator with the SMSBOX part only."""
    async with simulator_client((smsbox.SIMULATOR,), slow_seconds=0) as test_client:
        yield test_client


def account(client: Client) -> GatewayState:
    """The simulated SMSBOX account behind the client."""
    return sim_state(client).gateway("smsbox")


async def call(
    client: Client, method: str, path: str, *, headers: dict[str, str] = GOOD, **kwargs: Any
) -> tuple[int, Any]:
    """Call the API; return the status and the JSON body."""
    async with client.request(method, f"{API}/{path}", headers=headers, **kwargs) as response:
        return response.status, await response.json()


async def send(client: Client, **form: str) -> dict[str, Any]:
    """POST sendsms with the good key; return the reply (always HTTP 200)."""
    status, reply = await call(client, "POST", "sendsms", data=form)
    assert status == 200
    return reply  # type: ignore[no-any-return]


async def set_fault(client: Client, fault: str | None) -> None:
    """Switch the smsbox fault through the control API."""
    await switch_fault(client, "smsbox", fault)


# --- the document's API ----------------------------------------------------------------------


async def test_send_answers_number_and_msgid_per_recipient(client: Client) -> None:
    """Code 100 lists each number with its own msgid; credits go down per recipient."""
    reply = await send(client, numbers="31612345678,32470123456", message="Hi", **{"from": "Home"})

    assert reply["code"] == 100
    entries = reply["message"]
    assert [entry["number"] for entry in entries] == ["31612345678", "32470123456"]
    ids = [entry["msgid"] for entry in entries]
    assert all(isinstance(msgid, int) for msgid in ids)
    assert ids[1] == ids[0] + 1
    assert account(client).credits == 98
    [message] = account(client).messages
    assert (message.numbers, message.sender, message.credits_used) == (
        ["31612345678", "32470123456"],
        "Home",
        2,
    )
    assert message.message_id == f"{ids[0]},{ids[1]}"


@pytest.mark.parametrize(
    ("form", "segments"),
    [
        pytest.param({"message": "a" * 160}, 1, id="gsm-160"),
        pytest.param({"message": "a" * 161, "longsms": "1"}, 2, id="gsm-161"),
        pytest.param({"message": "a" * 918, "longsms": "1"}, 6, id="gsm-918"),
        pytest.param({"message": "°" * 70, "unicode": "1"}, 1, id="ucs2-70"),
        pytest.param({"message": "°" * 71, "longsms": "1", "unicode": "1"}, 2, id="ucs2-71"),
        pytest.param({"message": "a" * 71, "longsms": "1", "unicode": "1"}, 2, id="forced-ucs2"),
    ],
)
async def test_credits_go_down_per_segment(
    client: Client, form: dict[str, str], segments: int
) -> None:
    """One credit per part per recipient, and the balance says so as a decimal string."""
    reply = await send(client, numbers="31612345678,31687654321", **form)

    assert reply["code"] == 100
    assert account(client).credits == 100 - 2 * segments
    assert await call(client, "GET", "balance") == (
        200,
        {"code": 100, "message": f"{100 - 2 * segments}.00"},
    )


async def test_test_number_costs_nothing(client: Client) -> None:
    """3211111111 gets a msgid and costs nothing; next to a real number only that one pays."""
    reply = await send(client, numbers="3211111111", message="Test")
    assert reply["code"] == 100
    assert reply["message"][0]["number"] == "3211111111"
    assert account(client).credits == 100
    assert account(client).messages[0].testmode is True

    await send(client, numbers="3211111111,32470123456", message="Test")
    assert account(client).credits == 99
    assert account(client).messages[1].testmode is False


async def test_balance_and_auth(client: Client) -> None:
    """The good key: balance as a decimal string, auth code 10."""
    assert await call(client, "GET", "balance") == (200, {"code": 100, "message": "100.00"})
    assert (await call(client, "GET", "auth"))[1]["code"] == 10


@pytest.mark.parametrize(
    ("headers", "params", "auth_code"),
    [
        pytest.param({}, {}, 20, id="none"),
        pytest.param({"X-Api-Key": ""}, {}, 20, id="empty"),
        pytest.param({"X-Api-Key": "sim-bad-key"}, {}, 21, id="bad"),
        pytest.param({"Authorization": "Bearer sim-smsbox-key"}, {}, 20, id="bearer"),
        pytest.param({}, {"apikey": "sim-bad-key"}, 21, id="bad-param"),
    ],
)
async def test_refused_keys(
    client: Client, headers: dict[str, str], params: dict[str, str], auth_code: int
) -> None:
    """sendsms and balance answer 04, auth 20 or 21; nothing is sent or charged."""
    form = {"numbers": "31612345678", "message": "Hi", **params}
    assert await call(client, "POST", "sendsms", headers=headers, data=form) == (
        200,
        {"code": 4, "message": "Apikey not allowed"},
    )
    status, reply = await call(client, "GET", "balance", headers=headers, params=params)
    assert (status, reply["code"]) == (200, 4)
    status, reply = await call(client, "GET", "auth", headers=headers, params=params)
    assert (status, reply["code"]) == (200, auth_code)
    assert account(client).credits == 100
    assert account(client).messages == []


async def test_key_as_parameter(client: Client) -> None:
    """The document's other way: apikey as a POST or query parameter."""
    form = {"numbers": "31612345678", "message": "Hi", "apikey": "sim-smsbox-key"}
    assert (await call(client, "POST", "sendsms", headers={}, data=form))[1]["code"] == 100
    params = {"apikey": "sim-smsbox-key"}
    assert (await call(client, "GET", "auth", headers={}, params=params))[1]["code"] == 10


@pytest.mark.parametrize(
    ("form", "code"),
    [
        pytest.param({"numbers": "31612345678", "from": "Home Alarm"}, 1, id="01-sender"),
        pytest.param({"numbers": "31612345678", "from": "Café"}, 1, id="01-accent"),
        pytest.param({"numbers": "0612345678"}, 5, id="05-prefix"),
        pytest.param({"numbers": "31612345678", "message": ""}, 6, id="06-no-message"),
        pytest.param({"numbers": "31612345678", "message": "a" * 161}, 7, id="07-160"),
        pytest.param({"numbers": "31612345678", "message": "€" * 81}, 7, id="07-escapes"),
        pytest.param(
            {"numbers": "31612345678", "message": "a" * 919, "longsms": "1"}, 7, id="07-918"
        ),
        pytest.param({"numbers": " , "}, 8, id="08-no-number"),
        pytest.param({"numbers": "+31612345678"}, 9, id="09-plus"),
        pytest.param({"numbers": "call me"}, 9, id="09-words"),
        pytest.param({"numbers": "3161"}, 9, id="09-short"),
        pytest.param({"numbers": ",".join(["31612345678"] * 501)}, 11, id="11-501"),
        pytest.param({"numbers": "31612345678", "from": "A" * 12}, 13, id="13-alnum"),
        pytest.param({"numbers": "31612345678", "from": "1" * 17}, 13, id="13-numeric"),
    ],
)
async def test_documented_error_codes(client: Client, form: dict[str, str], code: int) -> None:
    """Each refusal answers its code with HTTP 200 and charges nothing."""
    reply = await send(client, **{"message": "Hi", **form})

    assert reply["code"] == code
    assert isinstance(reply["message"], str)
    assert account(client).credits == 100
    assert account(client).messages == []


async def test_senders_that_fit(client: Client) -> None:
    """11 letters and digits, or 16 digits, are taken."""
    for sender in ("HomeAlarm12", "1" * 16):
        assert (await send(client, numbers="31612345678", message="Hi", **{"from": sender}))[
            "code"
        ] == 100


async def test_500_numbers_in_one_send(client: Client) -> None:
    """500 numbers are the most one request takes."""
    account(client).credits = 1000
    numbers = ",".join(f"3247{index:07d}" for index in range(500))
    reply = await send(client, numbers=numbers, message="Hi")
    assert reply["code"] == 100
    assert len(reply["message"]) == 500
    assert account(client).credits == 500


async def test_not_enough_credits(client: Client) -> None:
    """Code 10 when the send costs more than is left; nothing is charged."""
    account(client).credits = 1
    reply = await send(client, numbers="31612345678,31687654321", message="Hi")
    assert reply == {"code": 10, "message": "Not enough credits"}
    assert account(client).credits == 1
    assert (await send(client, numbers="31612345678", message="Hi"))["code"] == 100
    assert await call(client, "GET", "balance") == (200, {"code": 100, "message": "0.00"})


# --- faults ----------------------------------------------------------------------------------


async def test_fault_401_is_json(client: Client) -> None:
    """Even the good key gets HTTP 401 with a JSON code while the fault is on."""
    await set_fault(client, "401")
    assert await call(client, "GET", "balance") == (
        401,
        {"code": 4, "message": "Apikey not allowed"},
    )
    await set_fault(client, None)
    assert (await call(client, "GET", "balance"))[0] == 200


@pytest.mark.parametrize(("fault", "status"), [("429", 429), ("500", 500), ("garbage", 200)])
async def test_other_faults(client: Client, fault: str, status: int) -> None:
    """The shared faults answer as for every gateway, and nothing is sent."""
    await set_fault(client, fault)
    async with client.post(
        f"{API}/sendsms", headers=GOOD, data={"numbers": "31612345678", "message": "Hi"}
    ) as response:
        assert response.status == status
    assert account(client).messages == []
    assert account(client).credits == 100


# --- our client on the simulator -------------------------------------------------------------


def _gateway(client: Client, key: str = "sim-smsbox-key") -> SmsBoxGateway:
    return SmsBoxGateway(client.session, {"api_key": key}, base_url=str(client.make_url(API)))


def _sms(
    *recipients: str,
    text: str = "Alarm!",
    sender: str | None = "Home",
    report_url: str | None = None,
) -> OutboundSms:
    counted = count_segments(text)
    return OutboundSms(
        recipients, text, sender, counted.encoding, counted.segments, report_url=report_url
    )


async def test_client_sends_and_reads_credits(client: Client) -> None:
    """Validate, send (long and UCS-2 texts too), and read the decimal balance back."""
    gateway = _gateway(client)
    await gateway.validate_credentials()

    receipt = await gateway.send(_sms("+31612345678", "+32470123456", "+3211111111"))
    ids = [sent.message_id for sent in receipt.messages]
    assert all(ids)
    assert len(set(ids)) == 3
    assert await gateway.get_credits() == Credits(98.0)

    await gateway.send(_sms("+31612345678", text="Vriezer -5 °C! " * 6))
    message = account(client).messages[-1]
    assert (message.segments, message.credits_used) == (2, 2)
    assert await gateway.get_credits() == Credits(96.0)


async def test_client_batches_501(client: Client) -> None:
    """501 recipients take two requests, and every one gets its own id."""
    account(client).credits = 1000
    numbers = tuple(f"+3247{index:07d}" for index in range(501))

    receipt = await _gateway(client).send(_sms(*numbers))

    assert [len(message.numbers) for message in account(client).messages] == [500, 1]
    assert len({sent.message_id for sent in receipt.messages}) == 501
    assert account(client).credits == 499


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        pytest.param({"key": "sim-bad-key"}, errors.AuthenticationError("04"), id="bad-key"),
        pytest.param({"credits": 0}, errors.InsufficientCreditsError("10"), id="no-credits"),
        pytest.param({"fault": "401"}, errors.AuthenticationError("401"), id="fault-401"),
        pytest.param({"fault": "429"}, errors.RateLimitedError("429"), id="fault-429"),
        pytest.param({"fault": "500"}, errors.OutcomeUnknownError("500"), id="fault-500"),
        pytest.param(
            {"fault": "garbage"}, errors.OutcomeUnknownError("invalid_json"), id="garbage"
        ),
        pytest.param(
            {"fault": "503"}, errors.GatewayUnavailableError("503", not_sent=True), id="fault-503"
        ),
        pytest.param(
            {"fault": "lost_reply"},
            errors.OutcomeUnknownError("ServerDisconnectedError"),
            id="lost",
        ),
    ],
)
async def test_client_send_errors(
    client: Client, setup: dict[str, Any], expected: errors.GatewayError
) -> None:
    """What the simulator refuses becomes the typed error the integration maps."""
    if "credits" in setup:
        account(client).credits = setup["credits"]
    if "fault" in setup:
        await set_fault(client, setup["fault"])

    with pytest.raises(errors.GatewayError) as raised:
        await _gateway(client, setup.get("key", "sim-smsbox-key")).send(_sms("+31612345678"))

    assert type(raised.value) is type(expected)
    assert raised.value.code == expected.code
    if isinstance(expected, errors.GatewayUnavailableError):
        assert isinstance(raised.value, errors.GatewayUnavailableError)
        assert raised.value.not_sent is expected.not_sent


async def test_client_invalid_number(client: Client) -> None:
    """A number the gateway cannot read is code 09."""
    with pytest.raises(errors.InvalidRecipientError, match=r"^09$"):
        await _gateway(client).send(_sms("+3161"))


async def test_client_validate_refused(client: Client) -> None:
    """auth's code 21 refuses the key in the flow."""
    with pytest.raises(errors.AuthenticationError, match=r"^21$"):
        await _gateway(client, "sim-bad-key").validate_credentials()


# --- delivery reports ------------------------------------------------------------------------

NOTI = "http://127.0.0.1:8123/api/webhook/abc"


@pytest.mark.parametrize(("outcome", "status"), [("delivered", "11"), ("undelivered", "13")])
async def test_noti_gets_one_report_per_recipient(
    client: Client, scheduled: list[list[Callback]], outcome: str, status: str
) -> None:
    """Each recipient's msgid is reported to the noti URL with the outcome's status code."""
    await set_reports(client, outcome=outcome)

    reply = await send(client, numbers="31612345678,3211111111", message="Hi", noti=NOTI)

    ids = [str(entry["msgid"]) for entry in reply["message"]]
    assert scheduled == [
        [Callback("POST", NOTI, form={"msgid": msgid, "status": status}) for msgid in ids]
    ]


@pytest.mark.parametrize(
    "form",
    [
        pytest.param({"numbers": "31612345678", "message": "Hi"}, id="no-noti"),
        pytest.param({"numbers": "31612345678", "message": "Hi", "noti": ""}, id="empty-noti"),
        pytest.param({"numbers": "0612345678", "message": "Hi", "noti": NOTI}, id="refused"),
    ],
)
async def test_no_reports_without_noti_or_send(
    client: Client, scheduled: list[list[Callback]], form: dict[str, str]
) -> None:
    await send(client, **form)

    assert scheduled == []


async def test_client_gets_its_reports_through_noti(client: Client, webhook: WebhookServer) -> None:
    """Our client's noti URL is called once per recipient; what comes is what it reads."""
    url, received = webhook
    await set_reports(client, delay=0, outcome="delivered")
    gateway = _gateway(client)

    receipt = await gateway.send(_sms("+31612345678", "+32470123456", report_url=url))
    async with client.get("/_sim/reports") as response:
        made = await response.json()

    assert [call["status"] for call in made] == [200, 200]
    reports = [report for call in received for report in gateway.parse_webhook(call).reports]
    assert sorted(report.message_id for report in reports) == sorted(
        str(sent.message_id) for sent in receipt.messages
    )
    assert {report.status for report in reports} == {DeliveryStatus.DELIVERED}
