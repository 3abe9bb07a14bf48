"""One device per account and one per recipient below it, as Home Assistant 2026.8 requires.

From 2026.8 a device belongs to one config subentry: re-registering a device under another
subentry moves it (with a warning; 2027.8 raises) and drops the entities of the subentry it
left. These tests run on 2025.4, whose registry still lets a device hold several subentries,
and pin the 2026.8 rule on what the integration registers: every device of the account
belongs to exactly one (sub)entry, and no entity sits on a device of another subentry.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from unittest.mock import MagicMock

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.benelux_sms import compat
from custom_components.benelux_sms.const import DOMAIN

BOB = {
    "data": {"phone_number": "+31687654321"},
    "subentry_id": "bob",
    "subentry_type": "recipient",
    "title": "Bob",
    "unique_id": "+31687654321",
}


@pytest.fixture
def two_recipients(config_entry: MockConfigEntry) -> MockConfigEntry:
    """The account with Alice and Bob."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=config_entry.title,
        unique_id=config_entry.unique_id,
        data=dict(config_entry.data),
        subentries_data=[
            *(
                {
                    "data": dict(sub.data),
                    "subentry_id": sub.subentry_id,
                    "subentry_type": sub.subentry_type,
                    "title": sub.title,
                    "unique_id": sub.unique_id,
                }
                for sub in config_entry.subentries.values()
            ),
            BOB,
        ],
    )


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def _devices(hass: HomeAssistant, entry: MockConfigEntry) -> list[dr.DeviceEntry]:
    return dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)


def assert_one_subentry_per_device(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The 2026.8 rule, read on 2025.4's registry."""
    devices = _devices(hass, entry)
    assert devices
    for device in devices:
        assert device.config_entries == {entry.entry_id}
        assert len(device.config_entries_subentries[entry.entry_id]) == 1, device
    by_id = {device.id: device for device in devices}
    for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        assert entity.device_id in by_id, entity.entity_id
        subentries = by_id[entity.device_id].config_entries_subentries[entry.entry_id]
        assert subentries == {entity.config_subentry_id}, entity.entity_id


@pytest.mark.usefixtures("gateway_mock")
async def test_each_recipient_has_its_own_device_below_the_account(
    hass: HomeAssistant, two_recipients: MockConfigEntry
) -> None:
    await _set_up(hass, two_recipients)
    entry = two_recipients

    assert_one_subentry_per_device(hass, entry)
    devices = dr.async_get(hass)
    account = devices.async_get_device(identifiers={(DOMAIN, entry.entry_id)})
    assert account is not None
    assert (account.name, account.manufacturer, account.model) == (
        "SMS Service Center",
        "SMS Service Center",
        None,  # not "SMS Service Center by SMS Service Center"
    )
    assert account.config_entries_subentries == {entry.entry_id: {None}}
    recipients = {
        device.name: device for device in _devices(hass, entry) if device.id != account.id
    }
    assert set(recipients) == {"SMS Service Center Alice", "SMS Service Center Bob"}
    for device in recipients.values():
        assert device.via_device_id == account.id
    entities = er.async_get(hass)
    alice = entities.async_get("notify.sms_service_center_alice")
    bob = entities.async_get("notify.sms_service_center_bob")
    assert alice is not None
    assert bob is not None
    assert alice.device_id == recipients["SMS Service Center Alice"].id
    assert bob.device_id == recipients["SMS Service Center Bob"].id
    assert hass.states.get("notify.sms_service_center_alice").name == "SMS Service Center Alice"
    on_account = er.async_entries_for_device(entities, account.id)
    assert "sensor" in {entity.domain for entity in on_account}
    account_domains = {"sensor", "binary_sensor", "event", "calendar"}
    assert {entity.domain for entity in on_account} <= account_domains


@pytest.mark.usefixtures("gateway_mock")
async def test_an_install_with_the_shared_device_moves_without_losing_entity_ids(
    hass: HomeAssistant, two_recipients: MockConfigEntry
) -> None:
    """Before, every entity sat on the account's device, in every subentry at once."""
    entry = two_recipients
    entry.add_to_hass(hass)
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    for subentry_id in (None, "alice", "bob"):
        shared = devices.async_get_or_create(
            config_entry_id=entry.entry_id,
            config_subentry_id=subentry_id,
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="SMS Service Center",
            model="SMS Service Center",
        )
    assert shared.config_entries_subentries == {entry.entry_id: {None, "alice", "bob"}}
    renamed = entities.async_get_or_create(
        "notify",
        DOMAIN,
        f"{entry.entry_id}_alice",
        config_entry=entry,
        config_subentry_id="alice",
        device_id=shared.id,
        suggested_object_id="sms_service_center_alice",
    )
    entities.async_update_entity(renamed.entity_id, new_entity_id="notify.alarm_phone")
    entities.async_update_entity("notify.alarm_phone", name="Alarm phone")
    bob = entities.async_get_or_create(
        "notify",
        DOMAIN,
        f"{entry.entry_id}_bob",
        config_entry=entry,
        config_subentry_id="bob",
        device_id=shared.id,
        suggested_object_id="sms_service_center_bob",
    )
    credits = entities.async_get_or_create(
        "sensor",
        DOMAIN,
        f"{entry.entry_id}_credits",
        config_entry=entry,
        device_id=shared.id,
        suggested_object_id="sms_service_center_credits",
    )
    removed: list[str] = []
    hass.bus.async_listen(
        er.EVENT_ENTITY_REGISTRY_UPDATED,
        lambda event: (
            removed.append(event.data["entity_id"]) if event.data["action"] == "remove" else None
        ),
    )

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert removed == []
    assert_one_subentry_per_device(hass, entry)
    moved = entities.async_get("notify.alarm_phone")
    assert moved is not None
    assert (moved.unique_id, moved.name) == (f"{entry.entry_id}_alice", "Alarm phone")
    assert hass.states.get("notify.alarm_phone").name == "Alarm phone"
    assert entities.async_get(bob.entity_id) is not None
    assert entities.async_get(credits.entity_id).device_id == shared.id
    account = devices.async_get(shared.id)
    assert account.config_entries_subentries == {entry.entry_id: {None}}
    assert account.model is None
    alice_device = devices.async_get(moved.device_id)
    assert alice_device.config_entries_subentries == {entry.entry_id: {"alice"}}
    assert alice_device.via_device_id == account.id
    assert len(_devices(hass, entry)) == 3

    # And again, as at every start: nothing moves.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert removed == []
    assert_one_subentry_per_device(hass, entry)
    assert entities.async_get("notify.alarm_phone").device_id == alice_device.id


async def test_removing_a_recipient_removes_its_device(
    hass: HomeAssistant, two_recipients: MockConfigEntry, gateway_mock: AiohttpClientMocker
) -> None:
    entry = two_recipients
    await _set_up(hass, entry)
    devices = dr.async_get(hass)
    bob = devices.async_get_device(identifiers={(DOMAIN, f"{entry.entry_id}_bob")})
    assert bob is not None

    assert hass.config_entries.async_remove_subentry(entry, "bob")
    await hass.async_block_till_done()

    assert devices.async_get(bob.id) is None
    assert hass.states.get("notify.sms_service_center_bob") is None
    assert er.async_get(hass).async_get("notify.sms_service_center_bob") is None
    assert devices.async_get_device(identifiers={(DOMAIN, entry.entry_id)}) is not None
    assert hass.states.get("notify.sms_service_center_alice") is not None
    assert_one_subentry_per_device(hass, entry)


# --- 2026.8 and later: the registry's other shape, standing in for it on 2025.4 -------------


def _device(**fields: Any) -> Any:
    return SimpleNamespace(id="account-device", identifiers={(DOMAIN, "entry")}, **fields)


def test_2026_the_account_device_is_moved_to_the_entry_explicitly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """async_update_device(new_config_subentry_id=None): no add/remove (deprecated there)."""
    monkeypatch.setattr(compat, "ONE_SUBENTRY_PER_DEVICE", True)
    registry = MagicMock()
    device = _device(config_entry_id="entry", config_subentry_id="alice")
    assert compat.in_subentries(device, "entry") == {"alice"}
    assert compat.in_subentries(device, "other") == set()

    compat.keep_in_entry_only(registry, device, "entry")

    registry.async_update_device.assert_called_once_with(
        "account-device", new_config_subentry_id=None
    )
    registry.reset_mock()
    compat.keep_in_entry_only(
        registry, _device(config_entry_id="entry", config_subentry_id=None), "entry"
    )
    registry.async_update_device.assert_not_called()


def test_2025_the_account_device_leaves_each_recipient_subentry() -> None:
    assert not compat.ONE_SUBENTRY_PER_DEVICE
    registry = MagicMock()
    device = _device(config_entries_subentries={"entry": {"alice"}})

    compat.keep_in_entry_only(registry, device, "entry")

    assert registry.async_update_device.call_args_list[0].kwargs == {
        "add_config_entry_id": "entry",
        "add_config_subentry_id": None,
    }
    assert registry.async_update_device.call_args_list[1].kwargs == {
        "remove_config_entry_id": "entry",
        "remove_config_subentry_id": "alice",
    }


def test_the_via_link_by_device_id_on_2026_and_by_identifier_on_2025(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    info: dict[str, Any] = {}
    compat.link_via_device(info, _device())  # type: ignore[arg-type]
    assert info == {"via_device": (DOMAIN, "entry")}

    monkeypatch.setattr(compat, "DEVICE_INFO_VIA_DEVICE_ID", True)
    info = {}
    compat.link_via_device(info, _device())  # type: ignore[arg-type]
    assert info == {"via_device_id": "account-device"}
