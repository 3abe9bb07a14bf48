"""Delivery reports and replies as a home sees them: through the webhook to sensors and events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.benelux_sms.const import (
    DOMAIN,
    EVENT_DELIVERY_REPORT,
    EVENT_RECEIVED,
    REPORT_POLL_INTERVAL,
)
from custom_components.benelux_sms.delivery import TRACKING_PERIOD

from .accounts import send_sms, set_up_case
from .cases.kpn_vonage import CASE as VONAGE
from .cases.sms1601 import CASE as SMS1601
from .cases.smsbox import CASE as SMSBOX
from .cases.smsbox import FIRST_MSGID
from .gateway_cases import GatewayCase
from .gateways.conftest import decoded

WEBHOOK_ID = "0123456789abcdef" * 4
EXTERNAL = "https://home.example.nl"
REPORT_URL = f"{EXTERNAL}/api/webhook/{WEBHOOK_ID}"
ALICE = "+31612345678"


async def _set_external_url(hass: HomeAssistant, url: str) -> None:
    await async_process_ha_core_config(hass, {"external_url": url})


async def _set_up(
    hass: HomeAssistant,
    case: GatewayCase,
    mock: AiohttpClientMocker,
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    return await set_up_case(hass, case, mock, options=options, webhook_id=WEBHOOK_ID)


async def _send(hass: HomeAssistant, entry: MockConfigEntry, text: str = "Alarm!") -> Any:
    return await send_sms(hass, entry, [ALICE], text)


def _sent_form(mock: AiohttpClientMocker, url_part: str) -> Any:
    [data] = [call[2] for call in mock.mock_calls if url_part in str(call[1])]
    return decoded(data)


@pytest.fixture
def reports(hass: HomeAssistant) -> list[Event]:
    """The delivery report events fired on the bus."""
    return async_capture_events(hass, EVENT_DELIVERY_REPORT)


async def test_smsbox_report_turns_status_delivered(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    reports: list[Event],
) -> None:
    """The URL goes with the send; the gateway's report updates the sensor and fires events."""
    await _set_external_url(hass, EXTERNAL)
    entry = await _set_up(hass, SMSBOX, aioclient_mock)
    response = await _send(hass, entry)
    message_id = response["messages"][0]["message_id"]
    assert _sent_form(aioclient_mock, "sendsms")["noti"] == REPORT_URL

    client = await hass_client_no_auth()
    report = {"msgid": message_id, "status": "11"}
    for _ in range(2):  # the second is a replay
        answer = await client.post(f"/api/webhook/{WEBHOOK_ID}", data=report)
        assert answer.status == 200
    await hass.async_block_till_done()

    status = hass.states.get("sensor.smsbox_last_delivery_status")
    assert status.state == "delivered"
    assert status.attributes["message_id"] == message_id
    assert status.attributes["gateway_code"] == "11"
    assert [event.data for event in reports] == [
        {
            "config_entry_id": entry.entry_id,
            "message_id": message_id,
            "recipient": ALICE,
            "status": "delivered",
            "gateway_code": "11",
        }
    ]
    event_entity = hass.states.get("event.smsbox_delivery_report")
    assert event_entity.attributes["event_type"] == "delivered"
    assert event_entity.attributes["message_id"] == message_id


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("post", {"msgid": "999999", "status": "11"}),  # a message this account never sent
        ("post", {"garbage": "\x00\xff"}),
        ("post", b"\xff\xfe not a form"),
        ("put", {"msgid": str(FIRST_MSGID), "status": "11"}),
        ("get", {}),
    ],
)
async def test_webhook_ignores_what_is_no_report(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    reports: list[Event],
    method: str,
    body: Any,
) -> None:
    """Unknown ids, garbage and wrong methods are answered 200 and change nothing."""
    await _set_external_url(hass, EXTERNAL)
    entry = await _set_up(hass, SMSBOX, aioclient_mock)
    await _send(hass, entry)

    client = await hass_client_no_auth()
    answer = await getattr(client, method)(f"/api/webhook/{WEBHOOK_ID}", data=body)
    await hass.async_block_till_done()

    assert answer.status == 200
    assert reports == []
    assert hass.states.get("sensor.smsbox_last_delivery_status").state == "accepted"


async def test_no_public_url_raises_a_repair_issue(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Without an external URL nothing is promised to the gateway, and the user is told why."""
    entry = await _set_up(hass, SMSBOX, aioclient_mock)
    await _send(hass, entry)

    assert "noti" not in _sent_form(aioclient_mock, "sendsms")
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"no_public_url_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "no_public_url"

    await _set_external_url(hass, EXTERNAL)
    await _send(hass, entry)
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"no_public_url_{entry.entry_id}") is None


async def test_report_url_follows_the_external_url(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The URL a send names is worked out again when the external URL is changed or removed."""
    await _set_external_url(hass, EXTERNAL)
    entry = await _set_up(hass, SMSBOX, aioclient_mock)
    issue_id = f"no_public_url_{entry.entry_id}"

    await _send(hass, entry)
    assert _last_form(aioclient_mock)["noti"] == REPORT_URL

    await hass.config.async_update(external_url="https://other.example.nl")
    await _send(hass, entry)
    assert (
        _last_form(aioclient_mock)["noti"] == f"https://other.example.nl/api/webhook/{WEBHOOK_ID}"
    )
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None

    await hass.config.async_update(external_url=None)
    await _send(hass, entry)
    assert "noti" not in _last_form(aioclient_mock)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None


def _last_form(mock: AiohttpClientMocker) -> Any:
    return decoded([call[2] for call in mock.mock_calls if "sendsms" in str(call[1])][-1])


async def test_vonage_needs_https(hass: HomeAssistant, aioclient_mock: AiohttpClientMocker) -> None:
    """Vonage refuses http callbacks, so an http external URL is not sent and raises an issue."""
    await _set_external_url(hass, "http://home.example.nl")
    entry = await _set_up(hass, VONAGE, aioclient_mock)
    await _send(hass, entry)

    form = _sent_form(aioclient_mock, "nexmo/sms/send")
    assert "callback" not in form
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"no_public_url_{entry.entry_id}")
    assert issue.translation_key == "no_https_url"


async def test_vonage_reply_in_parts_fires_one_event(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A long reply arrives in parts; the automation sees it once, whole."""
    await _set_external_url(hass, EXTERNAL)
    await _set_up(hass, VONAGE, aioclient_mock)
    received = async_capture_events(hass, EVENT_RECEIVED)
    client = await hass_client_no_auth()

    for part, text in ((2, "armed"), (1, "Yes, ")):
        query = {
            "msisdn": "31612345678",
            "to": "3197010000001",
            "messageId": f"in-{part}",
            "text": text,
            "type": "text",
            "message-timestamp": "2026-11-25 08:00:00",
            "concat": "true",
            "concat-ref": "7",
            "concat-total": "2",
            "concat-part": str(part),
        }
        assert (await client.get(f"/api/webhook/{WEBHOOK_ID}", params=query)).status == 200
    await hass.async_block_till_done()

    [event] = received
    assert event.data["from"] == ALICE
    assert event.data["text"] == "Yes, armed"
    assert hass.states.get("event.kpn_vonage_sms_incoming_sms").attributes["text"] == "Yes, armed"


async def test_vonage_unsigned_report_ignored_with_a_secret(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    reports: list[Event],
) -> None:
    """With a signature secret set, a receipt without a valid signature changes nothing."""
    await _set_external_url(hass, EXTERNAL)
    entry = await _set_up(hass, VONAGE, aioclient_mock, options={"webhook_secret": "s3cret"})
    response = await _send(hass, entry)

    client = await hass_client_no_auth()
    receipt = {
        "messageId": response["messages"][0]["message_id"],
        "msisdn": "31612345678",
        "status": "delivered",
        "err-code": "0",
        "sig": "0" * 32,
    }
    assert (await client.get(f"/api/webhook/{WEBHOOK_ID}", params=receipt)).status == 200
    await hass.async_block_till_done()

    assert reports == []
    assert hass.states.get("sensor.kpn_vonage_sms_last_delivery_status").state == "accepted"


async def test_1601sms_is_polled_until_final(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without a public URL, 1601SMS is asked for the report until it is final, then no more."""
    report_url = "http://217.19.227.48/module/gatewayrapport.php"
    aioclient_mock.get(report_url, text="DELIVERED")
    entry = await _set_up(hass, SMS1601, aioclient_mock)
    await _send(hass, entry)

    for _ in range(3):
        freezer.tick(REPORT_POLL_INTERVAL)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()

    assert hass.states.get("sensor.1601sms_last_delivery_status").state == "delivered"
    polls = [call for call in aioclient_mock.mock_calls if "gatewayrapport" in str(call[1])]
    assert len(polls) == 1


async def test_1601sms_polling_gives_up_after_a_day(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A message that never gets a final status is asked about for a day, then forgotten."""
    aioclient_mock.get("http://217.19.227.48/module/gatewayrapport.php", text="SUBMITTED")
    entry = await _set_up(hass, SMS1601, aioclient_mock)
    await _send(hass, entry)

    def polls() -> int:
        return sum("gatewayrapport" in str(call[1]) for call in aioclient_mock.mock_calls)

    freezer.tick(REPORT_POLL_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert polls() == 1

    freezer.tick(TRACKING_PERIOD + timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    asked = polls()
    for _ in range(3):
        freezer.tick(REPORT_POLL_INTERVAL)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()

    assert polls() == asked
    assert hass.states.get("sensor.1601sms_last_delivery_status").state == "accepted"


async def test_unload_unregisters_the_webhook(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """After unload, nothing answers for the account at its webhook."""
    entry = await _set_up(hass, SMSBOX, aioclient_mock)
    assert WEBHOOK_ID in hass.data["webhook"]

    await hass.config_entries.async_unload(entry.entry_id)

    assert WEBHOOK_ID not in hass.data["webhook"]
