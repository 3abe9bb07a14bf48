"""The devices: one for the gateway account, one per recipient below it.

The account's device holds its sensors and event entities and belongs to the config entry
itself; each recipient's device holds its notify entity and belongs to the recipient's
subentry. Home Assistant 2026.8 and later require that: a device belongs to one subentry.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntry, DeviceEntryType, DeviceInfo

from .compat import in_subentries, keep_in_entry_only, link_via_device
from .const import DOMAIN
from .gateways.base import Gateway


def account_device(entry: ConfigEntry, gateway: Gateway) -> DeviceInfo:
    """The device that stands for the gateway account (its maker is the gateway)."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer=gateway.name,
        # Not the gateway's name again ("SMSBOX by SMSBOX"); None clears what was stored.
        model=None,
        entry_type=DeviceEntryType.SERVICE,
    )


def recipient_device(entry: ConfigEntry, subentry: ConfigSubentry, via: DeviceEntry) -> DeviceInfo:
    """The recipient's own device, below the account's.

    Named after both, as the notify entity was when it sat on the account's device: the
    entity (the device's main feature) keeps that name and its id (notify.<account>_<name>),
    and two accounts' "Alice" stay apart in the device list.
    """
    device_info = DeviceInfo(
        identifiers={(DOMAIN, f"{entry.entry_id}_{subentry.subentry_id}")},
        name=f"{entry.title} {subentry.title}",
        entry_type=DeviceEntryType.SERVICE,
    )
    link_via_device(device_info, via)
    return device_info


@callback
def async_account_device(hass: HomeAssistant, entry: ConfigEntry, gateway: Gateway) -> DeviceEntry:
    """Register (or update) the account's device, in the config entry itself."""
    return dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, config_subentry_id=None, **account_device(entry, gateway)
    )


@callback
def async_split_recipient_devices(
    hass: HomeAssistant, entry: ConfigEntry, gateway: Gateway
) -> None:
    """Move recipients' notify entities off the account's device onto their own.

    Up to 0.x every entity of an account shared one device. Entity ids, names and settings
    stay: each registry entry keeps its unique id and only changes device. Then the account
    device leaves the recipients' subentries; it is not registered again before that, which
    on 2026.8+ would move it and drop the entities still on it.
    """
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    account = next(
        (
            device
            for device in dr.async_entries_for_config_entry(devices, entry.entry_id)
            if (DOMAIN, entry.entry_id) in device.identifiers
        ),
        None,
    )
    if account is None:
        return  # a new account: nothing was shared
    for entity in er.async_entries_for_device(entities, account.id, include_disabled_entities=True):
        subentry = entry.subentries.get(entity.config_subentry_id or "")
        if entity.config_entry_id != entry.entry_id or subentry is None:
            continue
        recipient = devices.async_get_or_create(
            config_entry_id=entry.entry_id,
            config_subentry_id=subentry.subentry_id,
            **recipient_device(entry, subentry, account),
        )
        entities.async_update_entity(entity.entity_id, device_id=recipient.id)
    if in_subentries(account, entry.entry_id) != {None}:
        keep_in_entry_only(devices, account, entry.entry_id)
