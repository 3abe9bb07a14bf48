"""The account forms and the sender rules the gateway documents (issue 16's contradictions)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

from .cases.kpn_sms import mock_kpn_token
from .cases.sms1601 import CASE as SMS1601

pytestmark = pytest.mark.usefixtures("mock_setup_entry")


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    with patch("custom_components.benelux_sms.async_setup_entry", return_value=True) as setup:
        yield setup


async def _account_form(hass: HomeAssistant, provider: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": provider}
    )


async def test_1601sms_account_form_refuses_an_empty_sender(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """1601sms.txt: "109 The sendername is empty": the form asks for one, and nothing is asked
    of the gateway."""
    result = await _account_form(hass, "sms1601")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"username": "jansen-bv", "password": "pw", "sender": ""}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"sender": "invalid_sender_required"}
    assert aioclient_mock.call_count == 0


async def test_1601sms_reconfigure_refuses_an_empty_sender(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN, title=SMS1601.title, data={**SMS1601.data, "webhook_id": "a1b2"}
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"username": "jansen-bv", "password": "pw", "sender": ""}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"sender": "invalid_sender_required"}
    assert entry.data["sender"] == "HomeAlarm"
    assert aioclient_mock.call_count == 0


async def test_kpn_sms_takes_the_documents_own_sender(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """kpn-sms.txt's example payload: "sender": "Demo App"."""
    mock_kpn_token(aioclient_mock)
    result = await _account_form(hass, "kpn_sms")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"client_id": "app-id", "client_secret": "app-secret", "sender": "Demo App"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["sender"] == "Demo App"


async def test_smsservicecenter_still_takes_no_sender(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.get(
        "https://www.smsservicecenter.nl/api/v2/credits",
        json={"status": "success", "details": 100},
    )
    result = await _account_form(hass, "smsservicecenter")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"api_key": "key-0123456789"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
