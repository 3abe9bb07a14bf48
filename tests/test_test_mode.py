"""Test mode and test numbers: the gateway takes the message and sends nothing, and every
place a user looks says so instead of showing a real send.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.gateways.base import DeliveryStatus, SendReceipt, SentMessage

from .accounts import ALICE, BOB, send_sms, set_up_case, state
from .cases.sms1601 import CASE as SMS1601
from .cases.sms1601 import SMS1601_ENDPOINT
from .cases.smsbox import CASE as SMSBOX

TEST_MODE = "binary_sensor.1601sms_test_mode"


def _report_polls(mock: AiohttpClientMocker) -> list[str]:
    return [str(url) for _, url, _, _ in mock.mock_calls if "delivery=ja" not in str(url)]


async def test_a_send_in_test_mode_says_test_and_costs_nothing(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """1601SMS in test mode: the response and the status say "test", the usage and the daily
    limit do not count it, and no delivery report is asked for it.
    """
    entry = await set_up_case(
        hass, SMS1601, aioclient_mock, options={"test_mode": True, "daily_segment_limit": 1}
    )

    for _ in range(2):  # the daily limit of 1 would refuse the second real send
        response = await send_sms(hass, entry, [ALICE], "Test")
        assert response["messages"] == [
            {"recipient": ALICE, "message_id": "1234567", "status": "test"}
        ]
    await hass.async_block_till_done()

    assert state(hass, SMS1601, "last_delivery_status") == "test"
    assert (state(hass, SMS1601, "messages_sent"), state(hass, SMS1601, "segments_sent")) == (
        "0",
        "0",
    )
    aioclient_mock.clear_requests()
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _report_polls(aioclient_mock) == []
    assert state(hass, SMS1601, "last_delivery_status") == "test"


async def test_the_device_page_shows_test_mode(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, entity_registry: er.EntityRegistry
) -> None:
    """A diagnostic "Test mode" sensor on the account's device is on while test mode is."""
    await set_up_case(hass, SMS1601, aioclient_mock, options={"test_mode": True})

    assert hass.states.get(TEST_MODE).state == "on"
    sensor = entity_registry.async_get(TEST_MODE)
    assert sensor is not None
    assert sensor.entity_category is EntityCategory.DIAGNOSTIC
    assert sensor.translation_key == "test_mode"


async def test_real_sends_count_and_the_test_mode_sensor_is_off(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Without test mode nothing changes: status accepted, the send counted, sensor off."""
    entry = await set_up_case(hass, SMS1601, aioclient_mock)

    response = await send_sms(hass, entry, [ALICE], "Real")

    assert response["messages"][0]["status"] == "accepted"
    assert state(hass, SMS1601, "last_delivery_status") == "accepted"
    assert state(hass, SMS1601, "messages_sent") == "1"
    assert hass.states.get(TEST_MODE).state == "off"
    assert any(SMS1601_ENDPOINT in str(url) for _, url, _, _ in aioclient_mock.mock_calls)


async def test_smsbox_test_number_is_a_test(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """SMSBOX takes its test number for free: "test" in the response and the status, not
    counted. SMSBOX has no test mode, so there is no test mode sensor.
    """
    entry = await set_up_case(hass, SMSBOX, aioclient_mock)

    response = await send_sms(hass, entry, ["+32 11 11 11 11"], "Test")

    assert response["messages"][0]["recipient"] == "+3211111111"
    assert response["messages"][0]["status"] == "test"
    assert state(hass, SMSBOX, "last_delivery_status") == "test"
    assert state(hass, SMSBOX, "messages_sent") == "0"
    assert hass.states.get("binary_sensor.smsbox_test_mode") is None


async def test_a_reply_that_says_test_mode_makes_every_recipient_a_test(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A gateway's own test flag (SMS Service Center's ``testmode``) counts as test mode,
    also where the account's option is off.
    """
    entry = await set_up_case(hass, SMSBOX, aioclient_mock)
    sender = entry.runtime_data.sender
    messages = (
        SentMessage(ALICE, "1", DeliveryStatus.ACCEPTED),
        SentMessage(BOB, "2", DeliveryStatus.ACCEPTED),
    )

    assert sender.test_recipients(SendReceipt(messages, test=True)) == {ALICE, BOB}
    assert sender.test_recipients(SendReceipt(messages)) == frozenset()
