"""The simulated 1601SMS gateway: its replies, credits, faults, and the client against it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import (
    Credits,
    DeliveryReport,
    DeliveryStatus,
    Encoding,
    OutboundSms,
    WebhookRequest,
)
from custom_components.benelux_sms.gateways.sms1601 import Sms1601Gateway
from custom_components.benelux_sms.sms import count_segments
from simulator import sms1601
from simulator.reports import Callback
from simulator.state import GatewayState

from .conftest import Client, set_reports, simulator_client
from .conftest import sim_state as simulator_state

ENDPOINT = "/sms1601/module/gateway.php"
HASH = hashlib.sha1(b"sim-password", usedforsecurity=False).hexdigest()
ACCOUNT = {"klantuser": "sim-user", "klantpwd": HASH}
SEND = {**ACCOUNT, "bericht": "Hallo", "naar": "31612345678", "afzender": "HomeAlarm"}


@pytest.fixture
async def client(socket_enabled: None) -> AsyncIterator[Client]:
    """A test client of a fresh simulator with only the 1601SMS gateway."""
    async with simulator_client((sms1601.SIMULATOR,)) as test_client:
        yield test_client


def sim_state(client: Client) -> GatewayState:
    """The 1601SMS account behind the client."""
    return simulator_state(client).gateway("sms1601")


async def post(client: Client, **fields: str) -> tuple[int, str]:
    """POST the fields as a form; return status and the reply text."""
    async with client.post(ENDPOINT, data=fields) as response:
        return response.status, await response.text()


async def reply(client: Client, **fields: str) -> str:
    """POST the fields; return the reply with its newline, which must be HTTP 200."""
    status, text = await post(client, **fields)
    assert status == 200
    return text


# --- the gateway API ---------------------------------------------------------------------


async def test_credits_start_at_100(client: Client) -> None:
    """``action=credits`` answers a bare number, as the document's example 476."""
    assert await reply(client, **ACCOUNT, action="credits") == "100\n"


async def test_get_with_query_works_as_the_documents_urls(client: Client) -> None:
    """The document's GET URLs work too."""
    async with client.get(ENDPOINT, params={**ACCOUNT, "action": "credits"}) as response:
        assert (response.status, await response.text()) == (200, "100\n")


async def test_query_and_form_are_merged(client: Client) -> None:
    """Switches in the query and the account in the body, as the client sends them."""
    async with client.post(ENDPOINT, params={"action": "credits"}, data=ACCOUNT) as response:
        assert await response.text() == "100\n"


@pytest.mark.parametrize(
    ("account", "code"),
    [
        pytest.param({"klantuser": "sim-user", "klantpwd": "sim-password"}, 104, id="plain"),
        pytest.param({"klantuser": "sim-user", "klantpwd": HASH.upper()}, 104, id="upper-hex"),
        pytest.param({"klantuser": "other", "klantpwd": HASH}, 104, id="other-user"),
        pytest.param({"klantpwd": HASH}, 100, id="no-user"),
        pytest.param({"klantuser": "sim-user"}, 101, id="no-password"),
        pytest.param({"klantuser": "sim-user", "klantpwd": ""}, 101, id="empty-password"),
    ],
)
@pytest.mark.parametrize("action", [{"action": "credits"}, {"bericht": "Hi", "naar": "316"}])
async def test_only_the_hashed_password_opens_the_account(
    client: Client, account: dict[str, str], code: int, action: dict[str, str]
) -> None:
    """The plain password is refused: only its SHA-1 works; nothing is charged."""
    assert await reply(client, **account, **action) == f"ERROR {code}\n"
    assert sim_state(client).credits == 100
    assert sim_state(client).messages == []


async def test_send_charges_segments_times_recipients(client: Client) -> None:
    """One part to two numbers costs two credits; delivery=ja answers OK with the id."""
    text = await reply(client, **{**SEND, "naar": "31612345678,32478123456"}, delivery="ja")
    match = re.fullmatch(r"OK (\d+)\n", text)
    assert match
    assert sim_state(client).credits == 98
    [message] = sim_state(client).messages
    assert message.as_json() | {"received_at": None} == {
        "gateway": "sms1601",
        "numbers": ["31612345678", "32478123456"],
        "message": "Hallo",
        "sender": "HomeAlarm",
        "message_id": match.group(1),
        "segments": 1,
        "credits_used": 2,
        "testmode": False,
        "received_at": None,
        "details": {},
    }


async def test_send_without_delivery_is_a_bare_ok(client: Client) -> None:
    """Without delivery=ja the gateway answers OK alone."""
    assert await reply(client, **SEND) == "OK\n"


async def test_message_ids_differ(client: Client) -> None:
    """Every send gets its own id."""
    first = await reply(client, **SEND, delivery="ja")
    second = await reply(client, **SEND, delivery="ja")
    assert first != second


@pytest.mark.parametrize(
    ("text", "segments"),
    [("a" * 161, 2), ("a" * 306, 2), ("a" * 459, 3), ("°" * 71, 2), ("°" * 201, 3)],
)
async def test_long_messages_cost_per_part(client: Client, text: str, segments: int) -> None:
    """With type=long, long and UCS-2 texts cost one credit per part per recipient."""
    fields = {**SEND, "naar": "31612345678,31687654321", "bericht": text, "type": "long"}
    assert (await reply(client, **fields)).startswith("OK")
    assert sim_state(client).credits == 100 - 2 * segments
    assert count_segments(text).segments == segments


async def test_test_send_costs_nothing(client: Client) -> None:
    """test=ja runs every check, answers OK, and deducts nothing."""
    assert (await reply(client, **SEND, test="ja", delivery="ja")).startswith("OK ")
    assert sim_state(client).credits == 100
    [message] = sim_state(client).messages
    assert message.testmode is True
    assert message.credits_used == 0


async def test_test_send_still_checks(client: Client) -> None:
    """A test send with a bad number fails as a real one would."""
    assert await reply(client, **{**SEND, "naar": "0612345678"}, test="ja") == "ERROR 106\n"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        pytest.param({"bericht": ""}, 102, id="no-text"),
        pytest.param({"naar": " , "}, 103, id="no-number"),
        pytest.param({"naar": "0612345678"}, 106, id="national-number"),
        pytest.param({"naar": "+31612345678"}, 106, id="plus"),
        pytest.param({"naar": "31612345678,call me"}, 106, id="one-bad"),
        pytest.param({"naar": "99912345678"}, 112, id="no-such-country"),
        pytest.param({"naar": "79161234567"}, 107, id="country-not-served"),
        pytest.param({"afzender": ""}, 109, id="no-sender"),
        pytest.param({"afzender": "31612345678"}, 110, id="number-without-plus"),
        pytest.param({"afzender": "ThirteenChars"}, 111, id="sender-13"),
        pytest.param({"afzender": "Home Alarm"}, 113, id="sender-space"),
        pytest.param({"afzender": "+3161234x"}, 113, id="sender-number-letters"),
        pytest.param({"afzender": "Politie"}, 117, id="sender-forbidden"),
        pytest.param({"bericht": "a" * 161}, 105, id="long-without-type"),
        pytest.param({"bericht": "a" * 460, "type": "long"}, 118, id="over-459"),
        pytest.param({"bericht": "°" * 202, "type": "long"}, 118, id="four-parts"),
    ],
)
async def test_refused_sends(client: Client, fields: dict[str, str], code: int) -> None:
    """The document's error codes, each for what it names; nothing is charged."""
    assert await reply(client, **{**SEND, **fields}) == f"ERROR {code}\n"
    assert sim_state(client).credits == 100
    assert sim_state(client).messages == []


@pytest.mark.parametrize("sender", ["+31612345678", "TwelveChars1", "A"])
async def test_allowed_senders(client: Client, sender: str) -> None:
    """A ``+`` number and names of up to 12 letters and digits pass."""
    assert await reply(client, **{**SEND, "afzender": sender}) == "OK\n"


async def test_not_enough_credits(client: Client) -> None:
    """A send that costs more than is left is ERROR 108; one that fits still goes."""
    sim_state(client).credits = 1
    fields = {**SEND, "naar": "31612345678,31687654321"}
    assert await reply(client, **fields) == "ERROR 108\n"
    assert sim_state(client).credits == 1
    assert await reply(client, **SEND) == "OK\n"
    assert sim_state(client).credits == 0


# --- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "body"),
    [
        ("401", 401, "Unauthorized\n"),
        ("429", 429, "Too Many Requests\n"),
        ("500", 500, "<h1>500 Internal Server Error</h1>\n"),
    ],
)
async def test_faults_answer_in_plain_text(
    client: Client, fault: str, status: int, body: str
) -> None:
    """Each fault answers as Apache in front of a PHP script would, and sends nothing."""
    async with client.post("/_sim/fault", json={"gateway": "sms1601", "fault": fault}) as response:
        assert response.status == 200
    async with client.post(ENDPOINT, data=SEND) as response:
        assert (response.status, await response.text()) == (status, body)
        if fault == "429":
            assert response.headers["Retry-After"] == "30"
    assert sim_state(client).messages == []


async def test_fault_garbage_is_an_html_page(client: Client) -> None:
    """Garbage: HTTP 200 with a page that is neither OK, ERROR nor a number."""
    async with client.post("/_sim/fault", json={"gateway": "sms1601", "fault": "garbage"}):
        pass
    status, text = await post(client, **ACCOUNT, action="credits")
    assert status == 200
    assert text.startswith("<html>")


# --- the client against it ------------------------------------------------------------------


def _gateway(
    client: Client,
    session: aiohttp.ClientSession,
    password: str = sms1601.GOOD_PASSWORD,
    **kwargs: Any,
) -> Sms1601Gateway:
    return Sms1601Gateway(
        session,
        {"username": "sim-user", "password": password},
        base_url=str(client.make_url(ENDPOINT)),
        **kwargs,
    )


def _sms(*recipients: str, text: str = "Alarm!") -> OutboundSms:
    count = count_segments(text)
    return OutboundSms(
        recipients=recipients or ("+31612345678", "+31687654321"),
        text=text,
        sender="HomeAlarm",
        encoding=Encoding(count.encoding),
        segments=count.segments,
    )


async def test_client_round_trip(client: Client) -> None:
    """The real client validates, reads credits, and sends (long too) through the simulator."""
    async with aiohttp.ClientSession() as session:
        gateway = _gateway(client, session)
        await gateway.validate_credentials()
        assert await gateway.get_credits() == Credits(100.0)
        receipt = await gateway.send(_sms())
        long_receipt = await gateway.send(_sms("+32478123456", text="a" * 200))
        assert await gateway.get_credits() == Credits(96.0)
    ids = {message.message_id for message in receipt.messages}
    assert len(ids) == 1
    assert ids != {None}
    assert {message.status for message in receipt.messages} == {DeliveryStatus.ACCEPTED}
    assert long_receipt.messages[0].message_id not in ids
    first, second = sim_state(client).messages
    assert first.numbers == ["31612345678", "31687654321"]
    assert second.segments == 2


async def test_client_test_mode_costs_nothing(client: Client) -> None:
    """With test mode on, the client's sends are test sends."""
    async with aiohttp.ClientSession() as session:
        receipt = await _gateway(client, session, test_mode=True).send(_sms())
    assert receipt.messages[0].message_id is not None
    assert sim_state(client).credits == 100
    assert sim_state(client).messages[0].testmode is True


@pytest.mark.parametrize(
    ("setup", "password", "expected"),
    [
        pytest.param({}, "wrong", errors.AuthenticationError("ERROR 104"), id="wrong-password"),
        pytest.param(
            {"credits": 1}, "sim-password", errors.InsufficientCreditsError("ERROR 108"), id="108"
        ),
        pytest.param(
            {"fault": "401"}, "sim-password", errors.AuthenticationError("401"), id="fault-401"
        ),
        pytest.param(
            {"fault": "429"}, "sim-password", errors.RateLimitedError("429"), id="fault-429"
        ),
        pytest.param(
            {"fault": "500"}, "sim-password", errors.OutcomeUnknownError("500"), id="fault-500"
        ),
        pytest.param(
            {"fault": "garbage"},
            "sim-password",
            errors.OutcomeUnknownError("unexpected_reply"),
            id="fault-garbage",
        ),
        pytest.param(
            {"fault": "503"},
            "sim-password",
            errors.GatewayUnavailableError("503", not_sent=True),
            id="fault-503",
        ),
        pytest.param(
            {"fault": "drop"},
            "sim-password",
            errors.OutcomeUnknownError("ServerDisconnectedError"),
            id="fault-drop",
        ),
    ],
)
async def test_client_errors(
    client: Client, setup: dict[str, Any], password: str, expected: errors.GatewayError
) -> None:
    """What the simulator refuses reaches the client as the matching gateway error."""
    if "credits" in setup:
        sim_state(client).credits = setup["credits"]
    if "fault" in setup:
        body = {"gateway": "sms1601", "fault": setup["fault"]}
        async with client.post("/_sim/fault", json=body) as response:
            assert response.status == 200
    async with aiohttp.ClientSession() as session:
        with pytest.raises(errors.GatewayError) as raised:
            await _gateway(client, session, password).send(_sms())
    assert type(raised.value) is type(expected)
    assert raised.value.code == expected.code
    if isinstance(expected, errors.GatewayUnavailableError):
        assert isinstance(raised.value, errors.GatewayUnavailableError)
        assert raised.value.not_sent is expected.not_sent


async def test_client_bad_number_from_the_gateway(client: Client) -> None:
    """A number the gateway refuses is an InvalidRecipientError."""
    async with aiohttp.ClientSession() as session:
        with pytest.raises(errors.InvalidRecipientError, match=r"^ERROR 112$"):
            await _gateway(client, session).send(_sms("+99912345678"))


# --- delivery reports ------------------------------------------------------------------------

REPORT = "/sms1601/module/gatewayrapport.php"
PORTAL_URL = "http://127.0.0.1:8123/api/webhook/abc"
DUTCH = ZoneInfo("Europe/Amsterdam")


async def send_with_delivery(client: Client, **extra: str) -> str:
    """Send with ``delivery=ja``; return the smsid of the ``OK <id>`` reply."""
    ok, message_id = (await reply(client, **(SEND | {"delivery": "ja"} | extra))).split()
    assert ok == "OK"
    return message_id


async def poll(client: Client, **query: str) -> str:
    """GET gatewayrapport.php; return its reply (always HTTP 200)."""
    async with client.get(REPORT, params=query) as response:
        assert response.status == 200
        return await response.text()


@pytest.mark.parametrize(
    ("outcome", "status"), [("delivered", "DELIVERED"), ("undelivered", "NOT DELIVERED")]
)
async def test_report_final_at_once_with_no_delay(
    client: Client, outcome: str, status: str
) -> None:
    await set_reports(client, delay=0, outcome=outcome)
    message_id = await send_with_delivery(client)

    assert await poll(client, smsid=message_id) == f"{status}\n"


async def test_report_submitted_until_the_delay_passed(client: Client) -> None:
    await set_reports(client, delay=3600)
    message_id = await send_with_delivery(client)

    assert await poll(client, smsid=message_id) == "SUBMITTED\n"


async def test_report_outcome_is_the_one_at_the_send(client: Client) -> None:
    await set_reports(client, delay=0, outcome="undelivered")
    message_id = await send_with_delivery(client)
    await set_reports(client, outcome="delivered")

    assert await poll(client, smsid=message_id) == "NOT DELIVERED\n"


async def test_report_with_datum_tells_the_last_change(client: Client) -> None:
    await set_reports(client, delay=0)
    message_id = await send_with_delivery(client)

    sent_at = sim_state(client).messages[0].received_at.astimezone(DUTCH)
    expected = f"DELIVERED {sent_at:%d/%m/%Y %H:%M:%S}\n"
    assert await poll(client, smsid=message_id, datum="ja") == expected


def test_report_changes_after_its_delay_by_the_loop_clock() -> None:
    sent = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
    report = sms1601._Report(
        sent_at=100.0, sent_at_wall=sent, delay=5.0, final_status="NOT DELIVERED"
    )

    assert report.status(104.9) == ("SUBMITTED", sent)
    assert report.status(105.0) == ("NOT DELIVERED", sent + timedelta(seconds=5))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({}, "ERROR 123", id="no-smsid"),
        pytest.param({"smsid": ""}, "ERROR 123", id="empty-smsid"),
        pytest.param({"smsid": "abc"}, "ERROR 124", id="word-smsid"),
        pytest.param({"smsid": "99"}, "NONE", id="unknown-id"),
    ],
)
async def test_report_of_no_message(client: Client, query: dict[str, str], expected: str) -> None:
    assert await poll(client, **query) == f"{expected}\n"


async def test_report_none_without_delivery_or_after_reset(client: Client) -> None:
    await set_reports(client, delay=0)
    assert await reply(client, **SEND) == "OK\n"
    without_delivery = sim_state(client).messages[0].message_id
    message_id = await send_with_delivery(client)

    assert await poll(client, smsid=without_delivery) == "NONE\n"
    async with client.post("/_sim/reset") as response:
        assert response.status == 200
    assert await poll(client, smsid=message_id) == "NONE\n"


async def test_report_endpoint_has_the_faults_too(client: Client) -> None:
    async with client.post("/_sim/fault", json={"gateway": "sms1601", "fault": "500"}) as response:
        assert response.status == 200

    async with client.get(REPORT, params={"smsid": "1"}) as response:
        assert response.status == 500


@pytest.mark.parametrize(
    ("outcome", "status"), [("delivered", "DELIVERED"), ("undelivered", "NOT DELIVERED")]
)
async def test_portal_url_gets_one_report_per_send(
    client: Client, scheduled: list[list[Callback]], outcome: str, status: str
) -> None:
    await set_reports(client, delay=90, outcome=outcome)
    async with client.post("/_sim/portal/sms1601", json={"url": PORTAL_URL}) as response:
        assert response.status == 200

    message_id = await send_with_delivery(
        client, naar="31612345678,31687654321", referentie="order-7"
    )

    assert sim_state(client).messages[0].details == {"referentie": "order-7"}
    reported_at = sim_state(client).messages[0].received_at + timedelta(seconds=90)
    assert scheduled == [
        [
            Callback(
                "GET",
                PORTAL_URL,
                params={
                    "smsid": message_id,
                    "datum": f"{reported_at.astimezone(DUTCH):%Y%m%d%H%M%S}",
                    "status": status,
                    "referentie": "order-7",
                },
            )
        ]
    ]


@pytest.mark.parametrize(
    ("portal", "fields"),
    [
        pytest.param(False, {**SEND, "delivery": "ja"}, id="no-portal-url"),
        pytest.param(True, SEND, id="no-delivery"),
        pytest.param(True, {**SEND, "delivery": "ja", "naar": "0612345678"}, id="refused"),
    ],
)
async def test_no_portal_report(
    client: Client, scheduled: list[list[Callback]], portal: bool, fields: dict[str, str]
) -> None:
    if portal:
        async with client.post("/_sim/portal/sms1601", json={"url": PORTAL_URL}) as response:
            assert response.status == 200

    await post(client, **fields)

    assert scheduled == []


async def test_client_reads_the_portal_report_and_polls(
    client: Client, scheduled: list[list[Callback]]
) -> None:
    """What the portal URL gets and what gatewayrapport.php answers, our client reads alike."""
    await set_reports(client, delay=0, outcome="undelivered")
    async with client.post("/_sim/portal/sms1601", json={"url": PORTAL_URL}) as response:
        assert response.status == 200
    async with aiohttp.ClientSession() as session:
        gateway = _gateway(client, session)
        receipt = await gateway.send(_sms())
        message_id = str(receipt.messages[0].message_id)
        polled = await gateway.get_delivery_reports([message_id, "99"])

    ((callback,),) = scheduled
    assert callback.params is not None
    webhook = WebhookRequest("GET", callback.params, {}, b"", {})
    (pushed,) = gateway.parse_webhook(webhook).reports
    sent_at = sim_state(client).messages[0].received_at.replace(microsecond=0)
    expected = DeliveryReport(
        message_id, DeliveryStatus.UNDELIVERED, gateway_code="NOT DELIVERED", timestamp=sent_at
    )
    assert pushed == expected
    # The unknown id 99 answers NONE: a report, of no known status.
    assert polled == [
        expected,
        DeliveryReport("99", DeliveryStatus.UNKNOWN, gateway_code="NONE"),
    ]
