"""A benelux_sms.send_sms that reaches a recipient's number records it on the notify entity.

Home Assistant 2026.4 and later record a notify entity's notifications in
NotifyEntity._async_record_notification (its state: when it last notified). 2025.4 has no such
method, and its notify state changes only through the entity's own send action. Both paths:
2025.4 as it runs here, and 2026's with the method stood in.
"""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms import compat
from custom_components.benelux_sms.notify import RecipientNotifyEntity

from .accounts import send_sms
from .conftest import SSC_URL, mock_credits

ALICE = "notify.sms_service_center_alice"


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """2026's path: the flag on, and the release's recorder stood in (it records whom)."""
    calls: list[str] = []

    def _async_record_notification(self: RecipientNotifyEntity) -> None:
        calls.append(self.entity_id)

    monkeypatch.setattr(compat, "NOTIFY_RECORDS_NOTIFICATIONS", True)
    monkeypatch.setattr(
        RecipientNotifyEntity,
        "_async_record_notification",
        _async_record_notification,
        raising=False,
    )
    return calls


def test_2025_4_has_no_recorder() -> None:
    assert not compat.NOTIFY_RECORDS_NOTIFICATIONS
    assert not hasattr(RecipientNotifyEntity, "_async_record_notification")


async def test_2025_4_the_action_leaves_the_notify_state(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Nothing to record with: the state stays as it was (and nothing breaks)."""
    response = await send_sms(hass, loaded_entry, ["06 12345678"])

    assert response["messages"][0]["status"] == "accepted"
    assert hass.states.get(ALICE).state == STATE_UNKNOWN


async def test_2026_the_action_records_on_the_recipient_it_reached(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, recorded: list[str]
) -> None:
    """Alice's number in any form she was stored under; once per action."""
    await send_sms(hass, loaded_entry, ["06 12345678", "+31 6 12345678"])
    assert recorded == [ALICE]

    await send_sms(hass, loaded_entry, ["+31687654321"])  # not a recipient's number
    assert recorded == [ALICE]


async def test_2026_a_send_that_failed_records_nothing(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    recorded: list[str],
) -> None:
    mock_credits(aioclient_mock)
    aioclient_mock.post(SSC_URL + "send", status=401, json={"status": "error"})
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    with pytest.raises(HomeAssistantError):
        await send_sms(hass, config_entry, ["06 12345678"])

    assert recorded == []


async def test_2026_the_entitys_own_send_is_recorded_by_the_release_not_twice(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, recorded: list[str]
) -> None:
    """notify.send_message goes through the entity, which the release records itself."""
    data: dict[str, Any] = {"entity_id": ALICE, "message": "Alarm"}
    await hass.services.async_call("notify", "send_message", data, blocking=True)

    assert recorded == []
