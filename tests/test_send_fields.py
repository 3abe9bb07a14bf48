"""valid_for and reference: on the wire where the gateway takes them, refused elsewhere before
anything is sent, and the reference back in the delivery report event.
"""

from __future__ import annotations

from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.benelux_sms.const import EVENT_DELIVERY_REPORT, REPORT_POLL_INTERVAL
from custom_components.benelux_sms.delivery import DeliveryTracker
from custom_components.benelux_sms.gateways.base import (
    DeliveryReport,
    DeliveryStatus,
    SendReceipt,
    SentMessage,
)

from .accounts import ALICE, requests_to, send_sms, set_up_case
from .cases.kpn_sms import CASE as KPN_SMS
from .cases.kpn_vonage import CASE as VONAGE
from .cases.sms1601 import CASE as SMS1601
from .cases.smsbox import CASE as SMSBOX
from .cases.smsservicecenter import CASE as SSC
from .gateway_cases import GatewayCase, Outcome

WEBHOOK_ID = "fedcba9876543210" * 4


async def test_valid_for_reaches_kpn_vonage_as_ttl_in_milliseconds(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """valid_for is minutes; Vonage's ttl is milliseconds (NOTES.md: ttl)."""
    entry = await set_up_case(hass, VONAGE, aioclient_mock)

    await send_sms(hass, entry, valid_for=30)

    [form] = requests_to(aioclient_mock, VONAGE.send_url)
    assert form["ttl"] == str(30 * 60 * 1000)


async def test_valid_for_reaches_kpn_sms_as_expirein_in_seconds(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """KPN SMS's expirein (NOTES.md) is seconds, as a string."""
    entry = await set_up_case(hass, KPN_SMS, aioclient_mock)

    await send_sms(hass, entry, valid_for=90)

    [body] = requests_to(aioclient_mock, KPN_SMS.send_url)
    assert body["expirein"] == "5400"


async def test_reference_reaches_kpn_vonage_as_client_ref(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """NOTES.md: client-ref (<= 40)."""
    entry = await set_up_case(hass, VONAGE, aioclient_mock)

    await send_sms(hass, entry, reference="front-door")

    [form] = requests_to(aioclient_mock, VONAGE.send_url)
    assert form["client-ref"] == "front-door"


async def test_reference_reaches_1601sms_as_referentie(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """1601sms.txt: referentie, posted back with the delivery reports."""
    entry = await set_up_case(hass, SMS1601, aioclient_mock)

    await send_sms(hass, entry, reference="garage door")

    [form] = requests_to(aioclient_mock, SMS1601.send_url)
    assert form["referentie"] == "garage door"


async def test_without_the_fields_nothing_extra_goes_out(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A send without valid_for or reference asks for neither."""
    entry = await set_up_case(hass, VONAGE, aioclient_mock)

    await send_sms(hass, entry)

    [form] = requests_to(aioclient_mock, VONAGE.send_url)
    assert "ttl" not in form
    assert "client-ref" not in form


REFUSED: list[tuple[GatewayCase, dict[str, Any], str]] = [
    (SMS1601, {"valid_for": 30}, "valid_for_unsupported"),
    (SMSBOX, {"valid_for": 30}, "valid_for_unsupported"),
    (SSC, {"valid_for": 30}, "valid_for_unsupported"),
    (SMSBOX, {"reference": "x"}, "reference_unsupported"),
    (KPN_SMS, {"reference": "x"}, "reference_unsupported"),
    (SSC, {"reference": "x"}, "reference_unsupported"),
    (VONAGE, {"reference": "r" * 41}, "reference_too_long"),
    (SMS1601, {"reference": "r" * 76}, "reference_too_long"),
]


@pytest.mark.parametrize(
    ("case", "fields", "key"),
    REFUSED,
    ids=[f"{case.provider}-{key}" for case, _, key in REFUSED],
)
async def test_a_field_the_gateway_cannot_take_is_refused_before_sending(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    case: GatewayCase,
    fields: dict[str, Any],
    key: str,
) -> None:
    """A translated validation error, and no send request."""
    entry = await set_up_case(hass, case, aioclient_mock)

    with pytest.raises(ServiceValidationError) as caught:
        await send_sms(hass, entry, **fields)

    assert caught.value.translation_key == key
    assert case.title in str(caught.value)
    assert requests_to(aioclient_mock, case.send_url) == []


async def test_the_longest_reference_is_taken(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Exactly 40 characters is within KPN Vonage's limit."""
    entry = await set_up_case(hass, VONAGE, aioclient_mock)

    await send_sms(hass, entry, reference="r" * 40)

    [form] = requests_to(aioclient_mock, VONAGE.send_url)
    assert form["client-ref"] == "r" * 40


async def test_valid_for_out_of_range_is_refused(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """0 minutes, or more than a week, is refused by the action's schema."""
    entry = await set_up_case(hass, VONAGE, aioclient_mock)

    for minutes in (0, 7 * 24 * 60 + 1):
        with pytest.raises(Exception, match="valid_for"):
            await send_sms(hass, entry, valid_for=minutes)
    assert requests_to(aioclient_mock, VONAGE.send_url) == []


async def test_vonage_report_event_carries_the_reference(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The delivery report event and entity tell the send's reference, even when the receipt
    does not repeat client-ref.
    """
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    entry = await set_up_case(hass, VONAGE, aioclient_mock, webhook_id=WEBHOOK_ID)
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    response = await send_sms(hass, entry, reference="front-door")

    receipt = {
        "messageId": response["messages"][0]["message_id"],
        "msisdn": "31612345678",
        "status": "delivered",
        "err-code": "0",
    }
    client = await hass_client_no_auth()
    assert (await client.get(f"/api/webhook/{WEBHOOK_ID}", params=receipt)).status == 200
    await hass.async_block_till_done()

    [event] = events
    assert event.data["reference"] == "front-door"
    assert event.data["status"] == "delivered"
    state = hass.states.get("event.kpn_vonage_sms_delivery_report")
    assert state.attributes["reference"] == "front-door"


async def test_polled_1601sms_report_carries_the_reference(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """1601SMS is asked for its report; the event still names the send's reference."""
    aioclient_mock.get("http://217.19.227.48/module/gatewayrapport.php", text="DELIVERED")
    entry = await set_up_case(hass, SMS1601, aioclient_mock)
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await send_sms(hass, entry, [ALICE], reference="garage")

    freezer.tick(REPORT_POLL_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    [event] = events
    assert event.data["reference"] == "garage"


async def test_report_without_reference_says_none(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """A send without a reference: the event has none (automations written before it see
    the same event data).
    """
    aioclient_mock.get("http://217.19.227.48/module/gatewayrapport.php", text="DELIVERED")
    entry = await set_up_case(hass, SMS1601, aioclient_mock)
    events = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    await send_sms(hass, entry, [ALICE])

    freezer.tick(REPORT_POLL_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    [event] = events
    assert "reference" not in event.data


async def test_fallback_sends_without_the_fields_its_gateway_lacks(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """KPN Vonage has no credits; the SMSBOX fallback sends the alarm, without ttl or
    reference (it takes neither), rather than refusing it.
    """
    fallback = await set_up_case(hass, SMSBOX, aioclient_mock)
    entry = await set_up_case(
        hass,
        VONAGE,
        aioclient_mock,
        Outcome.NO_CREDITS,
        options={"fallback_entry_id": fallback.entry_id},
    )

    response = await send_sms(hass, entry, valid_for=10, reference="front-door")

    assert response["fallback_used"] is True
    assert response["config_entry_id"] == fallback.entry_id
    [vonage_form] = requests_to(aioclient_mock, VONAGE.send_url)
    assert vonage_form["client-ref"] == "front-door"
    [smsbox_form] = requests_to(aioclient_mock, SMSBOX.send_url)
    assert "front-door" not in str(smsbox_form)


def test_a_waiting_message_keeps_its_reference_over_a_restart() -> None:
    """The pending messages' stored form holds the reference; a restored one tells it."""
    now = dt_util.utcnow()
    tracker = DeliveryTracker()
    receipt = SendReceipt((SentMessage(ALICE, "m1", DeliveryStatus.ACCEPTED),))
    tracker.track(receipt, now, "front-door")

    restored = DeliveryTracker()
    restored.restore(tracker.as_data(), now)
    [change] = restored.apply(DeliveryReport("m1", DeliveryStatus.DELIVERED), now)

    assert change.reference == "front-door"
