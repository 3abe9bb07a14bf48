"""What differs between the Home Assistant releases this integration supports.

Runtime-tested on 2025.4.4; type-checked against 2026.11.0 as well (see README).
"""

from __future__ import annotations

import attr
from homeassistant.components.notify import NotifyEntity
from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
from homeassistant.helpers.device_registry import DeviceEntry, DeviceInfo, DeviceRegistry

# Home Assistant 2026.11 validates with probatio: its flow and service signatures take
# probatio schemas, and it maps ``import voluptuous`` to probatio's shim at start-up.
# Earlier releases validate with voluptuous itself. mypy checks one branch per release
# (``always_false`` in pyproject.toml; ``--always-true`` for the 2026.11 check).
PROBATIO_RELEASE = (MAJOR_VERSION, MINOR_VERSION) >= (2026, 11)

if PROBATIO_RELEASE:
    import probatio as vol
    from homeassistant.config_entries import ConfigFlowResult, FlowType

    def set_next_subentry_flow(result: ConfigFlowResult, flow_id: str) -> None:
        """Have the frontend open this subentry flow once the entry is created."""
        result["next_flow"] = (FlowType.CONFIG_SUBENTRIES_FLOW, flow_id)

else:
    import voluptuous as vol
    from homeassistant.config_entries import ConfigFlowResult

    def set_next_subentry_flow(result: ConfigFlowResult, flow_id: str) -> None:
        """Have the frontend open this subentry flow (2026 releases read ``next_flow``)."""
        result["next_flow"] = ("config_subentries_flow", flow_id)  # type: ignore[typeddict-unknown-key]

# Found by what the release has, not by its number. mypy takes each as false for 2025.4 and as
# true for 2026.11 (pyproject.toml, requirements/mypy-ha-2026.11.ini); read them at call time,
# so the tests can stand a later release's path in.

# From 2026.8 a device belongs to one config subentry (DeviceEntry.config_subentry_id; before,
# config_entries_subentries held a set). Registering a device under another subentry moves it,
# with a warning (an error from 2027.8), and drops the entities of the subentry it left.
ONE_SUBENTRY_PER_DEVICE = "config_subentry_id" in attr.fields_dict(DeviceEntry)
# DeviceInfo names its via device by device id; ``via_device`` (identifiers) is deprecated.
DEVICE_INFO_VIA_DEVICE_ID = "via_device_id" in getattr(DeviceInfo, "__dataclass_fields__", {})
# From 2026.4 a notify entity records a notification after its send, in
# NotifyEntity._async_record_notification; 2025.4 sets the state inside _async_send_message
# and has no way to record one otherwise.
NOTIFY_RECORDS_NOTIFICATIONS = hasattr(NotifyEntity, "_async_record_notification")


def link_via_device(device_info: DeviceInfo, via: DeviceEntry) -> None:
    """Have the device described hang below the via device (the device page shows it)."""
    if DEVICE_INFO_VIA_DEVICE_ID:
        device_info["via_device_id"] = via.id
    else:
        device_info["via_device"] = next(iter(sorted(via.identifiers)))


def in_subentries(device: DeviceEntry, entry_id: str) -> set[str | None]:
    """The subentries of the config entry the device belongs to (None: the entry itself)."""
    if ONE_SUBENTRY_PER_DEVICE:
        found = {device.config_subentry_id} if device.config_entry_id == entry_id else set()
    else:
        found = set(device.config_entries_subentries.get(entry_id, set()))
    return found


def keep_in_entry_only(registry: DeviceRegistry, device: DeviceEntry, entry_id: str) -> None:
    """Leave the device in its config entry itself, in none of the entry's subentries.

    Move its entities of those subentries away first: both releases drop them otherwise.
    """
    subentries = in_subentries(device, entry_id)
    if ONE_SUBENTRY_PER_DEVICE:
        if subentries != {None}:
            registry.async_update_device(device.id, new_config_subentry_id=None)
    else:
        if None not in subentries:
            # Removing its last subentry would remove the device.
            registry.async_update_device(
                device.id, add_config_entry_id=entry_id, add_config_subentry_id=None
            )
        for subentry_id in subentries - {None}:
            registry.async_update_device(
                device.id, remove_config_entry_id=entry_id, remove_config_subentry_id=subentry_id
            )


def record_notification(entity: NotifyEntity) -> None:
    """Record on the notify entity that a message went out through it (not its own send).

    On 2025.4 nothing: only the entity's own send action sets its state there.
    """
    if NOTIFY_RECORDS_NOTIFICATIONS:
        # Private by name, but the release's own final recorder: it sets the state the
        # entity's send action sets, and nothing public does.
        entity._async_record_notification()


__all__ = [
    "DEVICE_INFO_VIA_DEVICE_ID",
    "NOTIFY_RECORDS_NOTIFICATIONS",
    "ONE_SUBENTRY_PER_DEVICE",
    "in_subentries",
    "keep_in_entry_only",
    "link_via_device",
    "record_notification",
    "set_next_subentry_flow",
    "vol",
]
