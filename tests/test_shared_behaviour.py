"""What every gateway does the same, from an automation's point of view."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

from .accounts import send_sms, set_up_case
from .gateway_cases import GatewayCase, Outcome, all_cases
from .gateways.conftest import decoded

RECIPIENTS = ["+31612345678", "+31687654321"]
CASES = all_cases()


@pytest.fixture(params=CASES, ids=[case.provider for case in CASES])
def case(request: pytest.FixtureRequest) -> GatewayCase:
    """Each gateway in turn."""
    return request.param  # type: ignore[no-any-return]


async def _set_up(
    hass: HomeAssistant, case: GatewayCase, mock: AiohttpClientMocker, outcome: Outcome
) -> MockConfigEntry:
    return await set_up_case(hass, case, mock, outcome)


async def _send(hass: HomeAssistant, entry: MockConfigEntry, recipients: list[str]) -> object:
    return await send_sms(hass, entry, recipients, "Alarm!")


def _send_requests(case: GatewayCase, mock: AiohttpClientMocker) -> list[object]:
    return [call for call in mock.mock_calls if str(call[1]).startswith(case.send_url)]


async def test_send_returns_the_receipt(
    hass: HomeAssistant, case: GatewayCase, aioclient_mock: AiohttpClientMocker
) -> None:
    """A send the gateway takes answers with each recipient's message id."""
    entry = await _set_up(hass, case, aioclient_mock, Outcome.SENT)

    response = await _send(hass, entry, RECIPIENTS)

    assert response == {
        "messages": [
            {"recipient": recipient, "message_id": message_id, "status": "accepted"}
            for recipient, message_id in zip(RECIPIENTS, case.message_ids(RECIPIENTS), strict=True)
        ],
        "segments": 1,
        "encoding": "gsm7",
        "text_changed": False,
        "config_entry_id": entry.entry_id,
        "fallback_used": False,
    }
    status = hass.states.get(f"sensor.{case.entity_prefix}_last_delivery_status")
    assert status.state == "accepted"


async def test_no_credits_is_a_clear_error(
    hass: HomeAssistant, case: GatewayCase, aioclient_mock: AiohttpClientMocker
) -> None:
    """An account without credits fails the automation with a translated error."""
    entry = await _set_up(hass, case, aioclient_mock, Outcome.NO_CREDITS)

    with pytest.raises(HomeAssistantError) as raised:
        await _send(hass, entry, RECIPIENTS[:1])

    assert raised.value.translation_key == "insufficient_credits"
    status = hass.states.get(f"sensor.{case.entity_prefix}_last_delivery_status")
    assert status.state == "failed"


async def test_refused_credentials_start_reauth(
    hass: HomeAssistant, case: GatewayCase, aioclient_mock: AiohttpClientMocker
) -> None:
    """Credentials refused on send fail the automation and ask the user for new ones."""
    entry = await _set_up(hass, case, aioclient_mock, Outcome.AUTH_REFUSED)

    with pytest.raises(HomeAssistantError) as raised:
        await _send(hass, entry, RECIPIENTS[:1])
    await hass.async_block_till_done()

    assert raised.value.translation_key == "authentication_failed"
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_bad_number_is_refused_before_sending(
    hass: HomeAssistant, case: GatewayCase, aioclient_mock: AiohttpClientMocker
) -> None:
    """A number that cannot get SMS is a validation error and nothing is sent."""
    entry = await _set_up(hass, case, aioclient_mock, Outcome.SENT)

    with pytest.raises(ServiceValidationError) as raised:
        await _send(hass, entry, [RECIPIENTS[0], "+31 20 123 4567"])

    assert raised.value.translation_key == "invalid_number_not_mobile"
    assert _send_requests(case, aioclient_mock) == []


TEMPLATE = "Alarm “voordeur” 🚨"
PLAIN = 'Alarm "voordeur"'
# The field that tells the alphabet, where the gateway can be told; None elsewhere.
ALPHABET_FIELD: dict[str, tuple[str, dict[str, str]]] = {
    "kpn_vonage": ("type", {"gsm7": "text", "ucs2": "unicode"}),
    "smsbox": ("unicode", {"gsm7": "0", "ucs2": "1"}),
}


def _request_fields(call: Any) -> dict[str, Any]:
    """The form or JSON fields of a recorded request, flattened one level for KPN's messages."""
    _, _, data, _ = call
    data = decoded(data)
    fields = dict(data) if isinstance(data, dict) else {}
    for message in fields.get("messages", []):
        fields.update(message)
    return fields


@pytest.mark.parametrize(
    ("choice", "expected_text", "expected_alphabet"),
    [("gsm7", PLAIN, "gsm7"), ("auto", TEMPLATE, "ucs2"), ("ucs2", TEMPLATE, "ucs2")],
)
async def test_alphabet_choice_on_the_wire(
    hass: HomeAssistant,
    case: GatewayCase,
    aioclient_mock: AiohttpClientMocker,
    choice: str,
    expected_text: str,
    expected_alphabet: str,
) -> None:
    """Each gateway gets the text (transliterated for gsm7) and its alphabet flag, if it has one."""
    entry = await _set_up(hass, case, aioclient_mock, Outcome.SENT)

    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {
            "config_entry_id": entry.entry_id,
            "recipients": RECIPIENTS[:1],
            "message": TEMPLATE,
            "encoding": choice,
        },
        blocking=True,
        return_response=True,
    )

    assert response["encoding"] == expected_alphabet
    [call] = _send_requests(case, aioclient_mock)
    fields = _request_fields(call)
    assert expected_text in fields.values()
    if case.provider in ALPHABET_FIELD:
        name, values = ALPHABET_FIELD[case.provider]
        assert fields[name] == values[expected_alphabet]
