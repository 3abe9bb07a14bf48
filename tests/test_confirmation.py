"""Confirmed delivery: an alarm that is not reported delivered in time is escalated.

The alarm goes out through SMSBOX (it reports to the webhook); its fallback is SMS Service
Center: two gateways, two wires. Time moves with the freezer.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CoreState, Event, HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.benelux_sms.const import DOMAIN, EVENT_UNCONFIRMED

from .accounts import ALICE, BOB, account, notify_alice, requests_to, send_sms, set_up
from .cases.kpn_vonage import CASE as VONAGE
from .cases.smsbox import CASE as SMSBOX
from .cases.smsbox import FIRST_MSGID
from .cases.smsservicecenter import CASE as SSC
from .cases.smsservicecenter import SSC_MESSAGE_ID
from .gateway_cases import Outcome
from .gateways.conftest import decoded

WEBHOOK_ID = "0123456789abcdef" * 4
ALARM = "Alarm: front door"
ALICE_MSGID = str(FIRST_MSGID)
BOB_MSGID = str(FIRST_MSGID + 1)


@pytest.fixture
def unconfirmed(hass: HomeAssistant) -> list[Event]:
    """The benelux_sms_unconfirmed events fired on the bus."""
    return async_capture_events(hass, EVENT_UNCONFIRMED)


async def _accounts(
    hass: HomeAssistant,
    mock: AiohttpClientMocker,
    *,
    options: dict[str, Any] | None = None,
    fallback_options: dict[str, Any] | None = None,
    smsbox_reply: dict[str, Any] | None = None,
    ssc_reply: dict[str, Any] | None = None,
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """Set up SMSBOX behind a public URL, with SMS Service Center as its fallback."""
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    SSC.mock_setup(mock)
    if ssc_reply is None:
        SSC.mock_send(mock, Outcome.SENT)
    else:
        mock.post(SSC.send_url, **ssc_reply)
    SMSBOX.mock_setup(mock)
    if smsbox_reply is None:
        SMSBOX.mock_send(mock, Outcome.SENT)
    else:
        mock.post(SMSBOX.send_url, **smsbox_reply)
    fallback = await set_up(hass, account(SSC, fallback_options, sender="Backup"))
    primary = await set_up(
        hass,
        account(
            SMSBOX,
            {"fallback_entry_id": fallback.entry_id, **(options or {})},
            with_alice=True,
            webhook_id=WEBHOOK_ID,
        ),
    )
    return primary, fallback


async def _later(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def _report(
    hass: HomeAssistant, client_factory: ClientSessionGenerator, msgid: str, status: str
) -> None:
    """SMSBOX posts a report: 11 delivered, 12 buffered, 13 undelivered."""
    client = await client_factory()
    report = {"msgid": msgid, "status": status}
    answer = await client.post(f"/api/webhook/{WEBHOOK_ID}", data=report)
    assert answer.status == 200
    await hass.async_block_till_done()


def _event(
    primary: MockConfigEntry,
    fallback: MockConfigEntry | None,
    *,
    message_id: str | None = ALICE_MSGID,
    recipient: str = ALICE,
    status: str = "accepted",
    fallback_message_id: str | None = SSC_MESSAGE_ID,
) -> dict[str, Any]:
    return {
        "config_entry_id": primary.entry_id,
        "message_id": message_id,
        "recipient": recipient,
        "status": status,
        "fallback_entry_id": fallback.entry_id if fallback else None,
        "fallback_message_id": fallback_message_id if fallback else None,
    }


async def test_no_report_escalates_at_the_deadline(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    unconfirmed: list[Event],
) -> None:
    """No delivered report within confirm_within: the event, and the fallback sends once more."""
    primary, fallback = await _accounts(hass, aioclient_mock)

    await send_sms(hass, primary, [ALICE], ALARM, confirm_within=60)
    await _later(hass, freezer, 59)
    assert unconfirmed == []
    assert requests_to(aioclient_mock, SSC.send_url) == []

    await _later(hass, freezer, 1)
    assert requests_to(aioclient_mock, SSC.send_url) == [
        {"numbers": [ALICE], "message": ALARM, "sendname": "Backup"}
    ]
    assert [event.data for event in unconfirmed] == [_event(primary, fallback)]

    await _later(hass, freezer, 3600)
    assert len(unconfirmed) == 1, "the fallback's re-send is not confirmed or escalated again"
    assert len(requests_to(aioclient_mock, SSC.send_url)) == 1


async def test_delivered_in_time_ends_it(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    unconfirmed: list[Event],
) -> None:
    """Each recipient is confirmed alone: Alice's delivered report spares her; Bob escalates."""
    primary, fallback = await _accounts(hass, aioclient_mock)

    await send_sms(hass, primary, [ALICE, BOB], ALARM, confirm_within=60)
    await _later(hass, freezer, 20)
    await _report(hass, hass_client_no_auth, ALICE_MSGID, "11")
    await _report(hass, hass_client_no_auth, BOB_MSGID, "12")
    await _later(hass, freezer, 40)

    assert [body["numbers"] for body in requests_to(aioclient_mock, SSC.send_url)] == [[BOB]]
    assert [event.data for event in unconfirmed] == [
        _event(primary, fallback, message_id=BOB_MSGID, recipient=BOB, status="buffered")
    ]


async def test_failure_report_escalates_at_once(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    unconfirmed: list[Event],
) -> None:
    """An undelivered report before the deadline does not wait for it."""
    primary, fallback = await _accounts(hass, aioclient_mock)

    await send_sms(hass, primary, [ALICE], ALARM, confirm_within=600)
    await _later(hass, freezer, 5)
    await _report(hass, hass_client_no_auth, ALICE_MSGID, "13")

    assert [event.data for event in unconfirmed] == [
        _event(primary, fallback, status="undelivered")
    ]
    assert len(requests_to(aioclient_mock, SSC.send_url)) == 1
    await _later(hass, freezer, 600)
    assert len(unconfirmed) == 1


async def test_without_fallback_the_event_alone(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    unconfirmed: list[Event],
) -> None:
    """An account without fallback fires the event, its fallback fields null."""
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    SMSBOX.mock_setup(aioclient_mock)
    SMSBOX.mock_send(aioclient_mock, Outcome.SENT)
    primary = await set_up(hass, account(SMSBOX, webhook_id=WEBHOOK_ID))

    await send_sms(hass, primary, [ALICE], ALARM, confirm_within=30)
    await _later(hass, freezer, 30)

    assert [event.data for event in unconfirmed] == [_event(primary, None)]


async def test_notify_entity_uses_the_account_option(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    unconfirmed: list[Event],
) -> None:
    """The notify entity confirms with the account's confirm_within."""
    primary, fallback = await _accounts(hass, aioclient_mock, options={"confirm_within": 120})

    await notify_alice(hass, SMSBOX, "Smoke in the kitchen")
    await _later(hass, freezer, 119)
    assert unconfirmed == []
    await _later(hass, freezer, 1)

    [body] = requests_to(aioclient_mock, SSC.send_url)
    assert (body["numbers"], body["message"]) == ([ALICE], "Smoke in the kitchen")
    assert [event.data for event in unconfirmed] == [_event(primary, fallback)]


async def test_action_field_overrides_the_option(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    unconfirmed: list[Event],
) -> None:
    """confirm_within 0 in the call turns the account's confirmation off; 30 shortens it."""
    primary, _ = await _accounts(hass, aioclient_mock, options={"confirm_within": 600})

    await send_sms(hass, primary, [ALICE], ALARM, confirm_within=0)
    await send_sms(hass, primary, [BOB], ALARM, confirm_within=30)
    await _later(hass, freezer, 30)
    assert [event.data["recipient"] for event in unconfirmed] == [BOB]
    await _later(hass, freezer, 3600)
    assert [event.data["recipient"] for event in unconfirmed] == [BOB]


@pytest.mark.parametrize("seconds", [1, 29, 86401])
async def test_confirm_within_out_of_range_is_refused(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, seconds: int
) -> None:
    """Less than 30 seconds (or more than a day) is refused before anything is sent."""
    primary, _ = await _accounts(hass, aioclient_mock)

    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(hass, primary, [ALICE], ALARM, confirm_within=seconds)

    assert raised.value.translation_key == "confirm_within_invalid"
    assert requests_to(aioclient_mock, SMSBOX.send_url) == []


async def test_sms_service_center_is_refused(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """SMS Service Center sends no reports: a send that asks for confirmation is refused with
    confirmation_unsupported and nothing is sent.
    """
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    entry = await set_up(hass, account(SSC, with_alice=True))

    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(hass, entry, [ALICE], ALARM, confirm_within=60)
    assert raised.value.translation_key == "confirmation_unsupported"
    assert raised.value.translation_placeholders == {"account": "SMS Service Center"}
    assert requests_to(aioclient_mock, SSC.send_url) == []

    await send_sms(hass, entry, [ALICE], ALARM, confirm_within=0)
    assert len(requests_to(aioclient_mock, SSC.send_url)) == 1


async def test_an_option_no_report_can_answer_sends_and_escalates_at_the_deadline(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, freezer: FrozenDateTimeFactory
) -> None:
    """The account's option asks for confirmation where no report can come (it was set while
    the account had a report URL): the alarm is not refused, it goes out, and its deadline
    escalates it.
    """
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    entry = await set_up(hass, account(SSC, {"confirm_within": 60}, with_alice=True))
    unconfirmed = async_capture_events(hass, "benelux_sms_unconfirmed")

    await notify_alice(hass, SSC, ALARM)
    assert len(requests_to(aioclient_mock, SSC.send_url)) == 1
    assert unconfirmed == []

    freezer.tick(61)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    assert [event.data["recipient"] for event in unconfirmed] == [ALICE]
    assert unconfirmed[0].data["config_entry_id"] == entry.entry_id
    assert unconfirmed[0].data["fallback_entry_id"] is None


async def test_callback_gateway_without_a_report_url_is_refused(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """SMSBOX without an external URL or cloudhook cannot be told a report: refused."""
    SMSBOX.mock_setup(aioclient_mock)
    SMSBOX.mock_send(aioclient_mock, Outcome.SENT)
    entry = await set_up(hass, account(SMSBOX, webhook_id=WEBHOOK_ID))

    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(hass, entry, [ALICE], ALARM, confirm_within=60)

    assert raised.value.translation_key == "confirmation_unsupported"
    assert requests_to(aioclient_mock, SMSBOX.send_url) == []


async def test_fallback_daily_limit_applies(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    unconfirmed: list[Event],
) -> None:
    """The fallback at its daily limit does not send; the event still fires, its id null."""
    primary, fallback = await _accounts(
        hass, aioclient_mock, fallback_options={"daily_segment_limit": 1}
    )
    await send_sms(hass, fallback, [BOB], "Test of the fallback")

    await send_sms(hass, primary, [ALICE], ALARM, confirm_within=60)
    await _later(hass, freezer, 60)

    assert [body["numbers"] for body in requests_to(aioclient_mock, SSC.send_url)] == [[BOB]]
    assert [event.data for event in unconfirmed] == [
        _event(primary, fallback, fallback_message_id=None)
    ]
    assert "did not send the unconfirmed SMS again (daily_limit_reached)" in caplog.text


async def test_fallback_duplicate_window_does_not_apply(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    unconfirmed: list[Event],
) -> None:
    """The fallback sent the same text to Alice a moment ago: the re-send goes all the same."""
    primary, fallback = await _accounts(
        hass, aioclient_mock, fallback_options={"duplicate_window": 3600}
    )
    await send_sms(hass, fallback, [ALICE], ALARM)
    repeated = await send_sms(hass, fallback, [ALICE], ALARM)
    assert repeated["messages"][0]["status"] == "suppressed"

    await send_sms(hass, primary, [ALICE], ALARM, confirm_within=60)
    await _later(hass, freezer, 60)

    assert len(requests_to(aioclient_mock, SSC.send_url)) == 2
    assert [event.data for event in unconfirmed] == [_event(primary, fallback)]


async def test_fallback_send_failing_still_fires_the_event(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    unconfirmed: list[Event],
) -> None:
    """The fallback's gateway is down: the event tells it (fallback_message_id null), a log too."""
    primary, fallback = await _accounts(hass, aioclient_mock, ssc_reply={"status": 503})

    await send_sms(hass, primary, [ALICE], ALARM, confirm_within=60)
    await _later(hass, freezer, 60)

    assert len(requests_to(aioclient_mock, SSC.send_url)) == 1
    assert [event.data for event in unconfirmed] == [
        _event(primary, fallback, fallback_message_id=None)
    ]
    assert "did not send the unconfirmed SMS again (gateway_unavailable)" in caplog.text


async def test_unknown_outcome_escalates_at_the_deadline(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    unconfirmed: list[Event],
) -> None:
    """The send timed out (it may have gone out, no id): at the deadline, status unknown."""
    primary, fallback = await _accounts(hass, aioclient_mock, smsbox_reply={"exc": TimeoutError()})

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, primary, ["+31 6 12345678"], ALARM, confirm_within=60)
    assert raised.value.translation_key == "outcome_unknown"
    assert requests_to(aioclient_mock, SSC.send_url) == []
    await _later(hass, freezer, 60)

    assert [body["numbers"] for body in requests_to(aioclient_mock, SSC.send_url)] == [[ALICE]]
    assert [event.data for event in unconfirmed] == [
        _event(primary, fallback, message_id=None, status="unknown")
    ]


async def test_pending_is_on_disk_within_a_second_and_escalates_after_a_restart(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    unconfirmed: list[Event],
) -> None:
    """A second after the send the store holds it, with no final write. Home Assistant stops
    hard then (what is on disk is all there is) and starts after the deadline: the alarm is
    escalated at once.
    """
    primary, fallback = await _accounts(hass, aioclient_mock)
    await send_sms(hass, primary, [ALICE], ALARM, confirm_within=60)
    await _later(hass, freezer, 1)

    key = f"{DOMAIN}.{primary.entry_id}.confirmations"
    [kept] = hass_storage[key]["data"]
    assert (kept["recipient"], kept["message_id"], kept["text"]) == (ALICE, ALICE_MSGID, ALARM)
    assert dt_util.parse_datetime(kept["deadline"]) == dt_util.utcnow() + timedelta(seconds=59)
    on_disk = copy.deepcopy(hass_storage[key])

    assert await hass.config_entries.async_unload(primary.entry_id)
    hass_storage[key] = on_disk  # the hard stop: no final write
    await _later(hass, freezer, 600)
    assert unconfirmed == []

    assert await hass.config_entries.async_setup(primary.entry_id)
    await hass.async_block_till_done()

    assert [body["numbers"] for body in requests_to(aioclient_mock, SSC.send_url)] == [[ALICE]]
    assert [event.data for event in unconfirmed] == [_event(primary, fallback)]
    await _later(hass, freezer, 1)
    assert hass_storage[key]["data"] == []


async def test_reload_keeps_waiting_and_a_report_after_it_ends_the_wait(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    unconfirmed: list[Event],
) -> None:
    """Reloaded in between: Bob's deadline still escalates, Alice's later report still counts."""
    primary, fallback = await _accounts(hass, aioclient_mock)
    await send_sms(hass, primary, [ALICE, BOB], ALARM, confirm_within=60)
    await _later(hass, freezer, 10)

    assert await hass.config_entries.async_reload(primary.entry_id)
    await hass.async_block_till_done()
    await _report(hass, hass_client_no_auth, ALICE_MSGID, "11")
    await _later(hass, freezer, 49)
    assert unconfirmed == []
    await _later(hass, freezer, 1)

    assert [event.data for event in unconfirmed] == [
        _event(primary, fallback, message_id=BOB_MSGID, recipient=BOB)
    ]


async def test_removing_the_account_removes_its_store(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    unconfirmed: list[Event],
) -> None:
    """What the removed account waited for is forgotten with it, and never escalates."""
    primary, _ = await _accounts(hass, aioclient_mock)
    await send_sms(hass, primary, [ALICE], ALARM, confirm_within=60)
    await _later(hass, freezer, 1)
    key = f"{DOMAIN}.{primary.entry_id}.confirmations"
    assert key in hass_storage

    assert await hass.config_entries.async_remove(primary.entry_id)
    await hass.async_block_till_done()
    await _later(hass, freezer, 120)

    assert key not in hass_storage
    assert unconfirmed == []


async def test_a_report_after_a_hard_stop_still_ends_the_wait(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientSessionGenerator,
    unconfirmed: list[Event],
) -> None:
    """A second after the send, the message waiting for its report is on disk as well: after a
    hard stop and a start, its delivered report still matches it, and nothing escalates.
    """
    primary, _ = await _accounts(hass, aioclient_mock)
    await send_sms(hass, primary, [ALICE], ALARM, confirm_within=300)
    await _later(hass, freezer, 1)
    keys = [f"{DOMAIN}.{primary.entry_id}.{name}" for name in ("pending", "confirmations")]
    on_disk = {key: copy.deepcopy(hass_storage[key]) for key in keys}
    assert [item["message_id"] for item in on_disk[keys[0]]["data"]] == [ALICE_MSGID]

    assert await hass.config_entries.async_unload(primary.entry_id)
    hass_storage.update(on_disk)  # the hard stop: no final write
    assert await hass.config_entries.async_setup(primary.entry_id)
    await hass.async_block_till_done()
    await _report(hass, hass_client_no_auth, ALICE_MSGID, "11")
    await _later(hass, freezer, 600)

    assert unconfirmed == []
    assert requests_to(aioclient_mock, SSC.send_url) == []


async def test_a_send_that_failed_over_is_confirmed_once_by_the_fallback(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    unconfirmed: list[Event],
) -> None:
    """SMSBOX certainly did not send, so the fallback did: its message is the one confirmed,
    and with no report from it the event comes at the deadline, with no second re-send.
    """
    primary, fallback = await _accounts(hass, aioclient_mock, smsbox_reply={"status": 503})

    response = await send_sms(hass, primary, [ALICE], ALARM, confirm_within=60)
    assert response["fallback_used"] is True
    await _later(hass, freezer, 60)

    assert len(requests_to(aioclient_mock, SSC.send_url)) == 1
    assert [event.data for event in unconfirmed] == [
        {
            "config_entry_id": fallback.entry_id,
            "message_id": SSC_MESSAGE_ID,
            "recipient": ALICE,
            "status": "accepted",
            "fallback_entry_id": None,
            "fallback_message_id": None,
        }
    ]


async def test_a_partial_send_is_confirmed_by_whichever_account_sent(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    unconfirmed: list[Event],
) -> None:
    """KPN Vonage takes Alice and refuses Bob (no credits); the fallback sends to Bob. With no
    report at the deadline, Alice goes once more through the fallback, and Bob (already
    through it) is told without a further send.
    """
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    VONAGE.mock_setup(aioclient_mock)

    async def vonage(method: str, url: Any, data: Any) -> AiohttpClientMockResponse:
        to = decoded(data)["to"]
        part = (
            {"to": to, "message-id": f"id-{to}", "status": "0", "remaining-balance": "9.9"}
            if to == ALICE[1:]
            else {"status": "9", "error-text": "Quota Exceeded - rejected"}
        )
        return AiohttpClientMockResponse(
            method, url, json={"message-count": "1", "messages": [part]}
        )

    aioclient_mock.post(VONAGE.send_url, side_effect=vonage)
    fallback = await set_up(hass, account(SSC, sender="Backup"))
    primary = await set_up(
        hass, account(VONAGE, {"fallback_entry_id": fallback.entry_id}, webhook_id=WEBHOOK_ID)
    )

    response = await send_sms(hass, primary, [ALICE, BOB], ALARM, confirm_within=60)
    assert response["fallback_recipients"] == [BOB]
    assert [body["numbers"] for body in requests_to(aioclient_mock, SSC.send_url)] == [[BOB]]
    await _later(hass, freezer, 60)

    assert [body["numbers"] for body in requests_to(aioclient_mock, SSC.send_url)] == [
        [BOB],
        [ALICE],
    ]
    assert sorted((event.data for event in unconfirmed), key=lambda data: data["recipient"]) == [
        {
            "config_entry_id": primary.entry_id,
            "message_id": f"id-{ALICE[1:]}",
            "recipient": ALICE,
            "status": "accepted",
            "fallback_entry_id": fallback.entry_id,
            "fallback_message_id": SSC_MESSAGE_ID,
        },
        {
            "config_entry_id": fallback.entry_id,
            "message_id": SSC_MESSAGE_ID,
            "recipient": BOB,
            "status": "accepted",
            "fallback_entry_id": None,
            "fallback_message_id": None,
        },
    ]


async def test_sends_that_keep_coming_do_not_keep_the_first_off_the_disk(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An alarm storm, a send every 0.4 s: the first is on disk within a second all the same."""
    primary, _ = await _accounts(hass, aioclient_mock)
    key = f"{DOMAIN}.{primary.entry_id}.confirmations"

    await send_sms(hass, primary, [ALICE], ALARM, confirm_within=60)
    for text in ("Alarm: hall", "Alarm: garden"):
        await _later(hass, freezer, 0.4)
        await send_sms(hass, primary, [ALICE], text, confirm_within=60)
    await _later(hass, freezer, 0.2)

    assert hass_storage[key]["data"][0]["text"] == ALARM


async def test_at_start_up_the_overdue_wait_for_home_assistant_to_have_started(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    aioclient_mock: AiohttpClientMocker,
    unconfirmed: list[Event],
) -> None:
    """Home Assistant starts with an overdue confirmation kept, the account set up before its
    fallback: it escalates once Home Assistant has started, through the fallback set up by then.
    """
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.SENT)
    SMSBOX.mock_setup(aioclient_mock)
    fallback = account(SSC, sender="Backup")
    primary = account(SMSBOX, {"fallback_entry_id": fallback.entry_id}, webhook_id=WEBHOOK_ID)
    key = f"{DOMAIN}.{primary.entry_id}.confirmations"
    overdue = dt_util.utcnow() - timedelta(minutes=5)
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": [
            {
                "recipient": ALICE,
                "message_id": ALICE_MSGID,
                "status": "buffered",
                "deadline": overdue.isoformat(),
                "text": ALARM,
                "sender": None,
                "encoding": "auto",
                "fall_back": True,
            },
            {"recipient": BOB, "deadline": "yesterday"},
        ],
    }
    hass.set_state(CoreState.starting)

    await set_up(hass, primary)
    assert unconfirmed == []
    await set_up(hass, fallback)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()

    assert requests_to(aioclient_mock, SSC.send_url) == [
        {"numbers": [ALICE], "message": ALARM, "sendname": "Backup"}
    ]
    assert [event.data for event in unconfirmed] == [_event(primary, fallback, status="buffered")]
