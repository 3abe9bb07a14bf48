"""Shared fixtures: an SMS Service Center account with one recipient, on a mocked wire."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

SSC_URL = "https://www.smsservicecenter.nl/api/v2/"
API_KEY = "test-api-key-0123456789"
RECIPIENT_NUMBER = "+31612345678"
MESSAGE_ID = "f89d33b3-da08-40fe-b4be-182a381b8e77"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


@pytest.fixture(autouse=True)
async def settle_before_stop(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Let what a test set going (a reload after a recipient was added) finish before
    Home Assistant stops: else the reloaded account's timers outlive the test.
    """
    if "hass" not in request.fixturenames:
        yield
        return
    # Asked for here, so this fixture is torn down before Home Assistant stops.
    hass: HomeAssistant = request.getfixturevalue("hass")
    yield
    await hass.async_block_till_done()


@pytest.fixture
def config_entry() -> MockConfigEntry:
    """An SMS Service Center account with the recipient Alice."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="SMS Service Center",
        unique_id="smsservicecenter_0123456789abcdef",
        data={"provider": "smsservicecenter", "api_key": API_KEY, "sender": "HomeAlarm"},
        subentries_data=[
            {
                "data": {"phone_number": RECIPIENT_NUMBER},
                "subentry_id": "alice",
                "subentry_type": "recipient",
                "title": "Alice",
                "unique_id": RECIPIENT_NUMBER,
            }
        ],
    )


def mock_credits(aioclient_mock: AiohttpClientMocker, credits: int = 100, **kwargs: Any) -> None:
    """Answer the credits call."""
    aioclient_mock.get(
        SSC_URL + "credits", json={"status": "success", "details": credits}, **kwargs
    )


def mock_send(aioclient_mock: AiohttpClientMocker, **kwargs: Any) -> None:
    """Answer the send call with a success, unless kwargs say otherwise."""
    kwargs.setdefault(
        "json", {"status": "success", "details": {"messageid": MESSAGE_ID, "testmode": False}}
    )
    aioclient_mock.post(SSC_URL + "send", **kwargs)


@pytest.fixture
def gateway_mock(aioclient_mock: AiohttpClientMocker) -> AiohttpClientMocker:
    """A gateway with 100 credits that takes every send."""
    mock_credits(aioclient_mock)
    mock_send(aioclient_mock)
    return aioclient_mock


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, gateway_mock: AiohttpClientMocker
) -> MockConfigEntry:
    """The account, set up."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


def sent_bodies(aioclient_mock: AiohttpClientMocker) -> list[Any]:
    """Return the JSON bodies of every send request that went out."""
    return [data for method, url, data, _ in aioclient_mock.mock_calls if method == "POST"]
