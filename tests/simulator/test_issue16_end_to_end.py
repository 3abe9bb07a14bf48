"""Issue 16's first table end to end: Home Assistant with the integration, sending through the
action and set up through the options flow, against the simulator on 127.0.0.1.

Each assertion on the gateway side reads what the simulator recorded (its own parsing of the
request), never the integration's request. Reports the simulator makes to a loopback URL reach
Home Assistant's own HTTP server (``hass_client_no_auth``); a KPN Vonage receipt goes to the
https report URL, which the simulator does not call, so its receipt is taken as the simulator
made it and handed to the same webhook.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.benelux_sms.const import (
    DOMAIN,
    EVENT_DELIVERY_REPORT,
    EVENT_RECEIVED,
    REPORT_POLL_INTERVAL,
)
from simulator.demo.accounts import GATEWAYS as SIMULATED_ACCOUNTS
from simulator.demo.control import SimulatorControl
from simulator.kpn.registration import VIRTUAL_NUMBER
from simulator.reports import Callback

from ..accounts import ALICE, account, send_sms, set_up, state
from ..cases.kpn_sms import CASE as KPN_SMS
from ..cases.kpn_vonage import CASE as VONAGE
from ..cases.sms1601 import CASE as SMS1601
from ..cases.smsbox import CASE as SMSBOX
from ..cases.smsservicecenter import CASE as SSC
from ..gateway_cases import GatewayCase
from .conftest import Client, sim_state, simulator_client

WEBHOOK_ID = "0123456789abcdef" * 4
EXTERNAL = "https://home.example.nl"
ALICE_DIGITS = ALICE.removeprefix("+")


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncIterator[Client]:
    """A fresh simulator of every gateway, on a free port of 127.0.0.1."""
    async with simulator_client() as client:
        yield client


def _control(simulator: Client) -> SimulatorControl:
    return SimulatorControl(simulator.session, str(simulator.make_url("")).rstrip("/"))


async def _account(
    hass: HomeAssistant, simulator: Client, case: GatewayCase, options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """The case's account, with the credentials the simulator takes and its address."""
    [spec] = [spec for spec in SIMULATED_ACCOUNTS if spec.provider == case.provider]
    base_url = spec.base_url(str(simulator.make_url("")).rstrip("/"))
    entry = account(case, options, **spec.credentials, base_url=base_url, webhook_id=WEBHOOK_ID)
    return await set_up(hass, entry)


async def _submit_options(hass: HomeAssistant, entry: MockConfigEntry, **options: Any) -> Any:
    """Open the account's options (Configure) and submit them as a user would; the result."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(result["flow_id"], options)
    await hass.async_block_till_done()
    return result


async def _save_options(hass: HomeAssistant, entry: MockConfigEntry, **options: Any) -> None:
    """Submit the options; they must be saved."""
    result = await _submit_options(hass, entry, **options)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")


async def _received(simulator: Client, gateway: str) -> list[dict[str, Any]]:
    return await _control(simulator).messages(gateway)


async def _credits(simulator: Client, gateway: str) -> int:
    return (await _control(simulator).credits())[gateway]


async def _hand_over(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator, callback: Callback
) -> None:
    """Make a call the simulator prepared for an https URL, to Home Assistant's own server."""
    client = await hass_client_no_auth()
    path = URL(callback.url).path
    async with client.request(
        callback.method, path, params=callback.params, json=callback.json_body
    ) as response:
        assert response.status == 200
    await hass.async_block_till_done()


async def test_kpn_vonage_replies_set_up_in_the_options_reach_the_gateway(
    hass: HomeAssistant, simulator: Client, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """Replies on (test app): the simulator's ``POST /register`` keeps the webhook URL for the
    number, the next send carries ``inbound: yes``, and a reply the simulator posts to that
    webhook is a ``benelux_sms_received`` event.
    """
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL})
    entry = await _account(hass, simulator, VONAGE)
    await send_sms(hass, entry)

    await _save_options(
        hass, entry, receive_replies=True, replies_number="06 1234 5678", replies_app="test"
    )
    await send_sms(hass, entry, message="Reply OK to confirm")

    control = _control(simulator)
    registered = await control.get("/_sim/kpn_vonage/registered")
    assert registered == {ALICE_DIGITS: f"{EXTERNAL}/api/webhook/{WEBHOOK_ID}"}
    before, after = await _received(simulator, "kpn_vonage")
    assert "inbound" not in before["details"]
    assert after["details"]["inbound"] == "yes"

    # The simulator posts to loopback only: the registered path, on Home Assistant's server.
    hass_http = await hass_client_no_auth()
    webhook = str(hass_http.make_url(URL(registered[ALICE_DIGITS]).path))
    events = async_capture_events(hass, EVENT_RECEIVED)
    await control.set_reports(delay=0)
    await control.post_inbound("kpn_vonage", webhook, "+31687654321", "OK")
    await sim_state(simulator).reports.wait()
    await hass.async_block_till_done()
    [event] = events
    assert (event.data["from"], event.data["text"]) == ("+31687654321", "OK")


async def test_kpn_vonage_replies_for_a_production_number_update_it_at_the_gateway(
    hass: HomeAssistant, simulator: Client
) -> None:
    """Production app: the simulator's ``number/update`` keeps the webhook as the virtual
    number's ``moHttpUrl``; sends then carry ``inbound: yes``.
    """
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL})
    entry = await _account(hass, simulator, VONAGE)

    await _save_options(
        hass,
        entry,
        receive_replies=True,
        replies_number=f"+{VIRTUAL_NUMBER}",
        replies_app="production",
    )
    await send_sms(hass, entry)

    registered = await _control(simulator).get("/_sim/kpn_vonage/registered")
    assert registered == {VIRTUAL_NUMBER: f"{EXTERNAL}/api/webhook/{WEBHOOK_ID}"}
    [message] = await _received(simulator, "kpn_vonage")
    assert message["details"]["inbound"] == "yes"


async def test_kpn_vonage_refusing_the_number_update_is_a_form_error(
    hass: HomeAssistant, simulator: Client
) -> None:
    """A number that is not the account's (the simulator's ``error-code`` 420): the form
    says so, nothing is registered or saved, and sends do not ask for replies.
    """
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL})
    entry = await _account(hass, simulator, VONAGE)

    result = await _submit_options(
        hass, entry, receive_replies=True, replies_number="+3197099999999", replies_app="production"
    )
    await send_sms(hass, entry)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "replies_registration_failed"}
    assert entry.options == {}
    assert await _control(simulator).get("/_sim/kpn_vonage/registered") == {}
    [message] = await _received(simulator, "kpn_vonage")
    assert "inbound" not in message["details"]


async def test_valid_for_and_reference_reach_kpn_vonage_and_the_reference_comes_back(
    hass: HomeAssistant,
    simulator: Client,
    scheduled: list[list[Callback]],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """``ttl`` in milliseconds and ``client-ref`` as the simulator read them; its signed
    receipt turns the status and the event names the reference.
    """
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL})
    entry = await _account(hass, simulator, VONAGE)
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)

    response = await send_sms(hass, entry, valid_for=30, reference="front-door")

    [message] = await _received(simulator, "kpn_vonage")
    assert message["details"] == {"ttl": str(30 * 60 * 1000), "client-ref": "front-door"}
    [[receipt]] = scheduled
    assert URL(receipt.url).path == f"/api/webhook/{WEBHOOK_ID}"
    await _hand_over(hass, hass_client_no_auth, receipt)
    [event] = events
    assert event.data["message_id"] == response["messages"][0]["message_id"]
    assert (event.data["status"], event.data["reference"]) == ("delivered", "front-door")
    assert state(hass, VONAGE, "last_delivery_status") == "delivered"


async def test_valid_for_reaches_kpn_sms_as_expirein(
    hass: HomeAssistant, simulator: Client
) -> None:
    """KPN SMS's ``expirein``: the simulator recorded 90 minutes as seconds."""
    entry = await _account(hass, simulator, KPN_SMS)

    await send_sms(hass, entry, valid_for=90)

    [message] = await _received(simulator, "kpn_sms")
    assert message["details"] == {"expirein": "5400"}


async def test_1601sms_reference_comes_back_from_the_portal_report(
    hass: HomeAssistant, simulator: Client, hass_client_no_auth: ClientSessionGenerator
) -> None:
    """``referentie`` as the simulator read it; the report it calls on the portal URL reaches
    Home Assistant's webhook and the event names the reference.
    """
    entry = await _account(hass, simulator, SMS1601)
    hass_http = await hass_client_no_auth()
    control = _control(simulator)
    await control.set_portal_url("sms1601", str(hass_http.make_url(f"/api/webhook/{WEBHOOK_ID}")))
    await control.set_reports(delay=0)
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)

    response = await send_sms(hass, entry, reference="garage door")

    [message] = await _received(simulator, "sms1601")
    assert message["details"]["referentie"] == "garage door"
    await sim_state(simulator).reports.wait()
    await hass.async_block_till_done()
    assert [call["status"] for call in await control.reports_made()] == [200]
    [event] = events
    assert event.data["message_id"] == response["messages"][0]["message_id"]
    assert (event.data["status"], event.data["reference"]) == ("delivered", "garage door")
    assert state(hass, SMS1601, "last_delivery_status") == "delivered"


async def test_1601sms_reference_comes_back_from_the_polled_report(
    hass: HomeAssistant, simulator: Client
) -> None:
    """No portal URL: the integration asks ``gatewayrapport.php``; the event names the
    reference.
    """
    entry = await _account(hass, simulator, SMS1601)
    await _control(simulator).set_reports(delay=0)
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await send_sms(hass, entry, reference="garage")
    assert events == []

    async_fire_time_changed(hass, dt_util.utcnow() + REPORT_POLL_INTERVAL)
    await hass.async_block_till_done()

    [event] = events
    assert (event.data["status"], event.data["reference"]) == ("delivered", "garage")


async def test_sms_service_center_test_mode_switched_on_in_the_options(
    hass: HomeAssistant, simulator: Client
) -> None:
    """After a real send, test mode on: the send says ``test``, the usage sensors stay at the
    real send, the simulator took it as a test and charged nothing for it.
    """
    entry = await _account(hass, simulator, SSC)
    await send_sms(hass, entry)
    balance = await _credits(simulator, "smsservicecenter")

    await _save_options(hass, entry, test_mode=True)
    response = await send_sms(hass, entry, message="Test of the alarm")

    assert [message["status"] for message in response["messages"]] == ["test"]
    assert (state(hass, SSC, "messages_sent"), state(hass, SSC, "segments_sent")) == ("1", "1")
    assert state(hass, SSC, "last_delivery_status") == "test"
    real, test = await _received(simulator, "smsservicecenter")
    assert (real["testmode"], test["testmode"]) == (False, True)
    assert test["credits_used"] == 0
    assert await _credits(simulator, "smsservicecenter") == balance


async def _cancel(hass: HomeAssistant, entry: MockConfigEntry, schedule_id: str) -> None:
    await hass.services.async_call(
        DOMAIN,
        "cancel_scheduled",
        {"config_entry_id": entry.entry_id, "schedule_id": schedule_id},
        blocking=True,
    )


async def test_1601sms_send_at_waits_in_the_outbox_and_cancel_removes_it(
    hass: HomeAssistant, simulator: Client
) -> None:
    """``send_at`` puts it in the simulator's outbox (not sent, not charged);
    ``cancel_scheduled`` takes it out, and nothing is sent when its time comes.
    """
    entry = await _account(hass, simulator, SMS1601)
    balance = await _credits(simulator, "sms1601")
    send_at = (dt_util.utcnow() + timedelta(hours=3)).replace(second=0, microsecond=0)
    control = _control(simulator)

    response = await send_sms(hass, entry, message="Oven off?", send_at=send_at)

    [message] = response["messages"]
    assert message["status"] == "scheduled"
    [held] = await control.get("/_sim/sms1601/outbox")
    assert (held["message"], held["numbers"], held["email"]) == ("Oven off?", [ALICE_DIGITS], False)
    assert dt_util.parse_datetime(held["due"]) == send_at
    assert await _received(simulator, "sms1601") == []

    await _cancel(hass, entry, message["schedule_id"])

    assert await control.get("/_sim/sms1601/outbox") == []
    due = {"now": (send_at + timedelta(minutes=1)).isoformat()}
    assert await control.post("/_sim/sms1601/outbox/send_due", due) == {"sent": []}
    assert await _received(simulator, "sms1601") == []
    assert await _credits(simulator, "sms1601") == balance


async def test_1601sms_scheduled_message_is_sent_by_the_gateway_when_due(
    hass: HomeAssistant, simulator: Client
) -> None:
    """Not cancelled: the simulator sends it at its time with its reference, and charges it
    then; Home Assistant sends nothing itself.
    """
    entry = await _account(hass, simulator, SMS1601)
    balance = await _credits(simulator, "sms1601")
    send_at = dt_util.utcnow() + timedelta(minutes=30)
    control = _control(simulator)
    await send_sms(hass, entry, message="Heating on", send_at=send_at, reference="heating")
    [held] = await control.get("/_sim/sms1601/outbox")
    assert await _credits(simulator, "sms1601") == balance

    due = {"now": (send_at + timedelta(minutes=1)).isoformat()}
    assert await control.post("/_sim/sms1601/outbox/send_due", due) == {"sent": [held["outboxid"]]}

    [sent] = await _received(simulator, "sms1601")
    assert (sent["message"], sent["details"]["referentie"]) == ("Heating on", "heating")
    assert sent["details"]["outboxid"] == held["outboxid"]
    assert await _credits(simulator, "sms1601") == balance - 1


async def test_smsbox_voice_call_through_the_action(hass: HomeAssistant, simulator: Client) -> None:
    """``voice`` with ``voice_language``: the simulator recorded a call in French to the
    number, and no SMS.
    """
    entry = await _account(hass, simulator, SMSBOX)

    response = await send_sms(
        hass, entry, ["0470 12 34 56"], "The smoke alarm went off", voice=True, voice_language="fr"
    )

    [call] = await _received(simulator, "smsbox")
    assert call["numbers"] == ["32470123456"]
    assert call["message"] == "The smoke alarm went off"
    assert (call["details"]["kind"], call["details"]["lang"]) == ("voice", "FR")
    [message] = response["messages"]
    assert (message["recipient"], message["status"]) == ("+32470123456", "accepted")
    assert state(hass, SMSBOX, "messages_sent") == "1"
