"""Home Assistant Cloud: delivery reports reach homes without a public URL of their own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from homeassistant.components.cloud import (
    SIGNAL_CLOUD_CONNECTION_STATE,
    CloudConnectionState,
    CloudNotConnected,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms.const import DOMAIN

from .accounts import send_sms, set_up_case
from .cases.kpn_vonage import CASE as VONAGE
from .cases.sms1601 import CASE as SMS1601
from .cases.smsbox import CASE as SMSBOX
from .gateway_cases import GatewayCase
from .gateways.conftest import decoded

WEBHOOK_ID = "0a1b2c3d4e5f6789" * 4
HOOK_URL = "https://hooks.nabu.casa/benelux-sms-test-hook"
ALICE = "+31612345678"


@pytest.fixture
def cloud(hass: HomeAssistant) -> Iterator[AsyncMock]:
    """Cloud loaded and subscribed; its hook creation mocked (the return value is the URL)."""
    hass.config.components.add("cloud")
    create = AsyncMock(return_value=HOOK_URL)
    with (
        patch("homeassistant.components.cloud.async_active_subscription", return_value=True),
        patch("homeassistant.components.cloud.async_get_or_create_cloudhook", create),
    ):
        yield create


async def _set_up(hass: HomeAssistant, case: GatewayCase, mock: AiohttpClientMocker) -> Any:
    return await set_up_case(hass, case, mock, webhook_id=WEBHOOK_ID)


async def _send(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await send_sms(hass, entry, [ALICE], "Alarm!")


def _sent_form(mock: AiohttpClientMocker, url_part: str) -> Any:
    return decoded([call[2] for call in mock.mock_calls if url_part in str(call[1])][-1])


def _no_url_issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"no_public_url_{entry.entry_id}")


async def test_cloudhook_goes_with_each_send(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, cloud: AsyncMock
) -> None:
    """No external URL, but Cloud: the cloudhook is the report URL and no issue is raised."""
    entry = await _set_up(hass, SMSBOX, aioclient_mock)
    await _send(hass, entry)

    cloud.assert_awaited_once_with(hass, WEBHOOK_ID)
    assert _sent_form(aioclient_mock, "sendsms")["noti"] == HOOK_URL
    assert _no_url_issue(hass, entry) is None


async def test_cloudhook_serves_vonage_which_needs_https(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, cloud: AsyncMock
) -> None:
    """KPN Vonage calls only https URLs; Cloud's is one."""
    entry = await _set_up(hass, VONAGE, aioclient_mock)
    await _send(hass, entry)

    form = _sent_form(aioclient_mock, "nexmo/sms/send")
    assert form["callback"] == HOOK_URL
    assert form["status-report-req"] == "true"
    assert _no_url_issue(hass, entry) is None


async def test_cloudhook_once_cloud_connects(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, cloud: AsyncMock
) -> None:
    """Cloud not connected yet at start-up: the issue shows until it connects, then the hook."""
    cloud.side_effect = [CloudNotConnected, HOOK_URL]
    entry = await _set_up(hass, SMSBOX, aioclient_mock)
    await _send(hass, entry)
    assert "noti" not in _sent_form(aioclient_mock, "sendsms")
    assert _no_url_issue(hass, entry) is not None

    async_dispatcher_send(hass, SIGNAL_CLOUD_CONNECTION_STATE, CloudConnectionState.CLOUD_CONNECTED)
    await hass.async_block_till_done()
    await _send(hass, entry)

    assert _sent_form(aioclient_mock, "sendsms")["noti"] == HOOK_URL
    assert _no_url_issue(hass, entry) is None


async def test_no_cloudhook_without_a_subscription(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, cloud: AsyncMock
) -> None:
    """Logged out of Cloud (or no subscription): no hook is asked for; the issue explains."""
    with patch("homeassistant.components.cloud.async_active_subscription", return_value=False):
        entry = await _set_up(hass, SMSBOX, aioclient_mock)
        await _send(hass, entry)

    cloud.assert_not_awaited()
    assert _no_url_issue(hass, entry) is not None


async def test_options_show_the_cloudhook_to_paste_in_the_portal(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, cloud: AsyncMock
) -> None:
    """1601SMS takes its report URL in its portal: Options show the cloudhook."""
    entry = await _set_up(hass, SMS1601, aioclient_mock)

    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert result["description_placeholders"]["webhook_url"] == HOOK_URL


async def test_cloudhook_is_deleted_with_the_account(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, cloud: AsyncMock
) -> None:
    """Removing the account removes its hook from Cloud; a missing hook is no error."""
    entry = await _set_up(hass, SMSBOX, aioclient_mock)
    with patch(
        "homeassistant.components.cloud.async_delete_cloudhook",
        AsyncMock(side_effect=ValueError("Hook is not enabled for the cloud.")),
    ) as delete:
        assert await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()

    delete.assert_awaited_once_with(hass, WEBHOOK_ID)
