"""Accounts for the tests of the sending rules: set up with options, sent through, counted."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

from .gateway_cases import GatewayCase, Outcome
from .gateways.conftest import decoded

ALICE = "+31612345678"
BOB = "+31687654321"


def account(
    case: GatewayCase,
    options: dict[str, Any] | None = None,
    *,
    with_alice: bool = False,
    **data: str,
) -> MockConfigEntry:
    """Return an account of the case's gateway (not yet added), with a notify entity for
    Alice where asked.
    """
    subentries = [
        {
            "data": {"phone_number": ALICE},
            "subentry_id": f"alice_{case.provider}",
            "subentry_type": "recipient",
            "title": "Alice",
            "unique_id": ALICE,
        }
    ]
    return MockConfigEntry(
        domain=DOMAIN,
        title=case.title,
        unique_id=f"{case.provider}_test",
        data={**case.data, **data},
        options=options or {},
        subentries_data=subentries if with_alice else [],
    )


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add the account and set it up."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def set_up_case(
    hass: HomeAssistant,
    case: GatewayCase,
    mock: AiohttpClientMocker,
    outcome: Outcome = Outcome.SENT,
    options: dict[str, Any] | None = None,
    **data: str,
) -> MockConfigEntry:
    """Set up a bare account of the case's gateway: its setup and a send with ``outcome`` mocked."""
    case.mock_setup(mock)
    case.mock_send(mock, outcome)
    entry = MockConfigEntry(
        domain=DOMAIN, title=case.title, data={**case.data, **data}, options=options or {}
    )
    return await set_up(hass, entry)


async def send_sms(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    recipients: list[str] | None = None,
    message: str = "Alarm: front door",
    **data: Any,
) -> Any:
    """Call benelux_sms.send_sms and return its response."""
    return await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {
            "config_entry_id": entry.entry_id,
            "recipients": recipients or [ALICE],
            "message": message,
            **data,
        },
        blocking=True,
        return_response=True,
    )


async def notify_alice(hass: HomeAssistant, case: GatewayCase, message: str) -> None:
    """Send ``message`` through the account's notify entity for Alice."""
    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": f"notify.{case.entity_prefix}_alice", "message": message},
        blocking=True,
    )


def requests_to(mock: AiohttpClientMocker, url: str) -> list[Any]:
    """Return the data of each request that went to ``url`` (query included)."""
    return [decoded(data) for _, called, data, _ in mock.mock_calls if str(called).startswith(url)]


def state(hass: HomeAssistant, case: GatewayCase, key: str) -> str:
    """Return the state of one of the account's sensors."""
    sensor = hass.states.get(f"sensor.{case.entity_prefix}_{key}")
    assert sensor is not None, key
    return sensor.state
