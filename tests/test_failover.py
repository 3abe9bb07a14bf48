"""Failover: a send that certainly did not go out goes once through the fallback account.

The primary account is SMS Service Center, its fallback SMSBOX: two gateways, two wires.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey
from homeassistant.core import Event, HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.benelux_sms.const import DOMAIN, EVENT_DELIVERY_REPORT
from custom_components.benelux_sms.errors import SmsNotSentError

from .accounts import ALICE, BOB, account, notify_alice, requests_to, send_sms, set_up, state
from .cases.sms1601 import CASE as SMS1601
from .cases.smsbox import CASE as SMSBOX
from .cases.smsbox import FIRST_MSGID
from .cases.smsservicecenter import CASE as SSC
from .gateway_cases import Outcome

SSC_SEND = SSC.send_url
SMSBOX_SEND = SMSBOX.send_url
_REFUSED = aiohttp.ClientConnectorError(
    ConnectionKey("www.smsservicecenter.nl", 443, True, True, None, None, None),
    ConnectionRefusedError(111, "Connection refused"),
)
DEFINITE_FAILURES: dict[str, tuple[dict[str, Any], str]] = {
    "connection_refused": ({"exc": _REFUSED}, "gateway_unavailable"),
    "http_503": ({"status": 503}, "gateway_unavailable"),
    "rate_limited_429": (
        {"status": 429, "headers": {"Retry-After": "30"}},
        "rate_limited_retry_after",
    ),
    "no_credits": (
        {"json": {"status": "credits.error", "message": "Not enough credits"}},
        "insufficient_credits",
    ),
    "credentials_refused": (
        {"status": 401, "json": {"message": "Unauthenticated."}},
        "authentication_failed",
    ),
    "gateway_refusal": (
        {"json": {"status": "error", "message": "Account suspended"}},
        "gateway_unavailable",
    ),
}
UNKNOWN_OUTCOMES: dict[str, dict[str, Any]] = {
    "timeout": {"exc": TimeoutError()},
    "http_500": {"status": 500},
    "disconnected": {"exc": aiohttp.ServerDisconnectedError()},
}


async def _primary_failing(
    hass: HomeAssistant,
    mock: AiohttpClientMocker,
    reply: dict[str, Any],
    *,
    options: dict[str, Any] | None = None,
    fallback_options: dict[str, Any] | None = None,
) -> tuple[MockConfigEntry, MockConfigEntry]:
    """Set up SMSBOX (taking every send) and SMS Service Center answering ``reply``, with
    SMSBOX as its fallback.
    """
    SMSBOX.mock_setup(mock)
    SMSBOX.mock_send(mock, Outcome.SENT)
    SSC.mock_setup(mock)
    mock.post(SSC_SEND, **reply)
    fallback = await set_up(hass, account(SMSBOX, fallback_options, sender="Backup"))
    primary = await set_up(
        hass,
        account(SSC, {"fallback_entry_id": fallback.entry_id, **(options or {})}, with_alice=True),
    )
    return primary, fallback


@pytest.mark.parametrize(
    ("reply", "translation_key"), list(DEFINITE_FAILURES.values()), ids=list(DEFINITE_FAILURES)
)
async def test_definite_failure_fails_over(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
    reply: dict[str, Any],
    translation_key: str,
) -> None:
    """Each way of certainly not sending goes once through the fallback, its sender, its ids."""
    primary, fallback = await _primary_failing(hass, aioclient_mock, reply)

    response = await send_sms(hass, primary, [ALICE, BOB])

    assert len(requests_to(aioclient_mock, SSC_SEND)) == 1
    [form] = requests_to(aioclient_mock, SMSBOX_SEND)
    assert form["numbers"] == "31612345678,31687654321"
    assert form["message"] == "Alarm: front door"
    assert form["from"] == "Backup"
    assert response == {
        "messages": [
            {"recipient": ALICE, "message_id": str(FIRST_MSGID), "status": "accepted"},
            {"recipient": BOB, "message_id": str(FIRST_MSGID + 1), "status": "accepted"},
        ],
        "segments": 1,
        "encoding": "gsm7",
        "text_changed": False,
        "config_entry_id": fallback.entry_id,
        "fallback_used": True,
    }
    [warning] = [r for r in caplog.records if r.levelname == "WARNING" and "fallback" in r.message]
    assert "SMS Service Center did not send the SMS" in warning.message
    assert f"({translation_key}, gateway code" in warning.message
    assert "through the fallback account SMSBOX" in warning.message
    assert "ssc-key" not in caplog.text


async def test_notify_entity_fails_over(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A notify entity follows its account's fallback, and each account's sensors tell theirs."""
    await _primary_failing(hass, aioclient_mock, {"status": 503})

    await notify_alice(hass, SSC, "Smoke in the kitchen")
    await hass.async_block_till_done()

    [form] = requests_to(aioclient_mock, SMSBOX_SEND)
    assert (form["numbers"], form["message"]) == ("31612345678", "Smoke in the kitchen")
    assert state(hass, SSC, "last_delivery_status") == "failed"
    assert state(hass, SMSBOX, "last_delivery_status") == "accepted"
    assert state(hass, SMSBOX, "messages_sent") == "1"
    assert state(hass, SSC, "messages_sent") == "0"


async def test_named_sender_goes_to_the_fallback(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A sender the call names is used by the fallback too."""
    primary, _ = await _primary_failing(hass, aioclient_mock, {"status": 503})

    await send_sms(hass, primary, sender="Freezer")

    [ssc_body] = requests_to(aioclient_mock, SSC_SEND)
    [form] = requests_to(aioclient_mock, SMSBOX_SEND)
    assert (ssc_body["sendname"], form["from"]) == ("Freezer", "Freezer")


@pytest.mark.parametrize("reply", list(UNKNOWN_OUTCOMES.values()), ids=list(UNKNOWN_OUTCOMES))
async def test_unknown_outcome_does_not_fail_over(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, reply: dict[str, Any]
) -> None:
    """A send that may have gone out is never sent again through the fallback."""
    primary, _ = await _primary_failing(hass, aioclient_mock, reply)

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, primary)

    assert raised.value.translation_key == "outcome_unknown"
    assert requests_to(aioclient_mock, SMSBOX_SEND) == []


@pytest.mark.parametrize(
    ("recipients", "reply", "translation_key"),
    [
        ([ALICE, "020 123 4567"], {"status": 503}, "invalid_number_not_mobile"),
        ([ALICE], {"json": {"status": "error", "message": "Invalid numbers"}}, "invalid_recipient"),
    ],
    ids=["refused_before_sending", "gateway_refuses_the_number"],
)
async def test_refused_input_does_not_fail_over(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    recipients: list[str],
    reply: dict[str, Any],
    translation_key: str,
) -> None:
    """Input refused by the integration or as the caller's fault is not the fallback's job."""
    primary, _ = await _primary_failing(hass, aioclient_mock, reply)

    with pytest.raises(ServiceValidationError) as raised:
        await send_sms(hass, primary, recipients)

    assert raised.value.translation_key == translation_key
    assert requests_to(aioclient_mock, SMSBOX_SEND) == []


async def test_daily_limit_does_not_fail_over(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A send the primary's daily limit refuses is not sent through the fallback either."""
    primary, _ = await _primary_failing(
        hass, aioclient_mock, {"status": 503}, options={"daily_segment_limit": 1}
    )

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, primary, [ALICE, BOB])

    assert raised.value.translation_key == "daily_limit_reached"
    assert requests_to(aioclient_mock, SSC_SEND) == []
    assert requests_to(aioclient_mock, SMSBOX_SEND) == []


async def test_fallback_has_its_own_checks(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The fallback's own daily limit applies to what it is asked to send."""
    primary, _ = await _primary_failing(
        hass, aioclient_mock, {"status": 503}, fallback_options={"daily_segment_limit": 1}
    )

    with pytest.raises(HomeAssistantError) as raised:
        await send_sms(hass, primary, [ALICE, BOB])

    assert raised.value.translation_key == "daily_limit_reached"
    assert raised.value.translation_placeholders["account"] == "SMSBOX"
    assert requests_to(aioclient_mock, SMSBOX_SEND) == []


async def test_one_hop_only(hass: HomeAssistant, aioclient_mock: AiohttpClientMocker) -> None:
    """When the fallback cannot send either, its error is raised; its own fallback is not used."""
    SMS1601.mock_setup(aioclient_mock)
    SMS1601.mock_send(aioclient_mock, Outcome.SENT)
    SMSBOX.mock_setup(aioclient_mock)
    SMSBOX.mock_send(aioclient_mock, Outcome.NO_CREDITS)
    SSC.mock_setup(aioclient_mock)
    aioclient_mock.post(SSC_SEND, status=503)
    third = await set_up(hass, account(SMS1601))
    fallback = await set_up(hass, account(SMSBOX, {"fallback_entry_id": third.entry_id}))
    primary = await set_up(hass, account(SSC, {"fallback_entry_id": fallback.entry_id}))

    with pytest.raises(SmsNotSentError) as raised:
        await send_sms(hass, primary)

    assert raised.value.translation_key == "insufficient_credits"
    assert len(requests_to(aioclient_mock, SMSBOX_SEND)) == 1
    assert requests_to(aioclient_mock, SMS1601.send_url) == []


async def test_no_fallback_raises_the_failure(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Without a fallback the automation gets the account's own error."""
    SSC.mock_setup(aioclient_mock)
    SSC.mock_send(aioclient_mock, Outcome.NO_CREDITS)
    primary = await set_up(hass, account(SSC))

    with pytest.raises(SmsNotSentError) as raised:
        await send_sms(hass, primary)

    assert raised.value.translation_key == "insufficient_credits"


async def test_fallback_delivery_report_updates_the_fallback(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The fallback's report lands on the fallback's sensor and event, under its entry id."""
    await async_process_ha_core_config(hass, {"external_url": "https://home.example.nl"})
    primary, fallback = await _primary_failing(hass, aioclient_mock, {"status": 503})
    reports: list[Event] = async_capture_events(hass, EVENT_DELIVERY_REPORT)
    response = await send_sms(hass, primary)
    [form] = requests_to(aioclient_mock, SMSBOX_SEND)
    webhook_path = "/api/webhook/" + fallback.data["webhook_id"]
    assert form["noti"].endswith(webhook_path)

    client = await hass_client_no_auth()
    message_id = response["messages"][0]["message_id"]
    answer = await client.post(webhook_path, data={"msgid": message_id, "status": "11"})
    await hass.async_block_till_done()

    assert answer.status == 200
    assert state(hass, SMSBOX, "last_delivery_status") == "delivered"
    assert state(hass, SSC, "last_delivery_status") == "failed"
    assert [(event.data["config_entry_id"], event.data["status"]) for event in reports] == [
        (fallback.entry_id, "delivered")
    ]


@pytest.mark.parametrize("removed", [False, True], ids=["not_loaded", "removed"])
async def test_fallback_not_loaded_is_a_clear_error(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, removed: bool
) -> None:
    """A fallback that is not loaded, or gone, fails the send clearly and opens a repair."""
    primary, fallback = await _primary_failing(hass, aioclient_mock, {"status": 503})
    if removed:
        await hass.config_entries.async_remove(fallback.entry_id)
    else:
        await hass.config_entries.async_unload(fallback.entry_id)
    await hass.async_block_till_done()

    with pytest.raises(SmsNotSentError) as raised:
        await send_sms(hass, primary)

    assert raised.value.translation_key == "fallback_unavailable"
    assert raised.value.translation_placeholders["account"] == "SMS Service Center"
    assert requests_to(aioclient_mock, SMSBOX_SEND) == []
    issue_id = f"fallback_unavailable_{primary.entry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "fallback_unavailable"

    if not removed:
        await hass.config_entries.async_setup(fallback.entry_id)
        await hass.async_block_till_done()
        response = await send_sms(hass, primary)
        assert response["fallback_used"] is True
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_fallback_send_counts_as_sent_for_the_duplicate_window(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """A text the fallback sent is not sent again through the primary within its window."""
    primary, _ = await _primary_failing(
        hass, aioclient_mock, {"status": 503}, options={"duplicate_window": 60}
    )
    await send_sms(hass, primary)

    response = await send_sms(hass, primary, [ALICE, BOB])

    assert [message["status"] for message in response["messages"]] == ["suppressed", "accepted"]
    assert [form["numbers"] for form in requests_to(aioclient_mock, SMSBOX_SEND)] == [
        "31612345678",
        "31687654321",
    ]
