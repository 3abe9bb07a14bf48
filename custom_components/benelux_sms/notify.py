"""A notify entity per recipient."""

from __future__ import annotations

from homeassistant.components.notify import NotifyEntity, NotifyEntityFeature
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .compat import record_notification
from .const import CONF_ENCODING, CONF_PHONE_NUMBER, SUBENTRY_RECIPIENT
from .devices import async_account_device, recipient_device
from .dispatch import SmsRequest
from .entity import BeneluxSmsEntity
from .escalation import async_send
from .runtime import BeneluxSmsConfigEntry
from .sms import EncodingChoice

# The entities of one account send at once, bounded per account (runtime.NOTIFY_CONCURRENCY),
# not per platform: one account's hanging gateway never holds another account's sends.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: BeneluxSmsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one notify entity for each recipient subentry, each on its own device."""
    account = async_account_device(hass, entry, entry.runtime_data.gateway)
    for subentry in entry.subentries.values():
        if subentry.subentry_type == SUBENTRY_RECIPIENT:
            async_add_entities(
                [RecipientNotifyEntity(entry, subentry, account)],
                config_subentry_id=subentry.subentry_id,
            )


class RecipientNotifyEntity(BeneluxSmsEntity, NotifyEntity):
    """Sends SMS to one recipient."""

    _attr_supported_features = NotifyEntityFeature.TITLE

    def __init__(
        self, entry: BeneluxSmsConfigEntry, subentry: ConfigSubentry, account: DeviceEntry
    ) -> None:
        super().__init__(entry, entry.runtime_data.gateway, subentry.subentry_id)
        self._attr_device_info = recipient_device(entry, subentry, account)
        self._attr_name = None  # the device's name: "<account> <recipient>"
        self._entry = entry
        self._phone_number: str = subentry.data[CONF_PHONE_NUMBER]
        self._encoding = EncodingChoice(subentry.data.get(CONF_ENCODING, EncodingChoice.AUTO))

    async def async_added_to_hass(self) -> None:
        """Record the messages a benelux_sms.send_sms action got to this number too."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._entry.runtime_data.status.async_add_reached_listener(
                self._phone_number, self._async_reached
            )
        )

    @callback
    def _async_reached(self) -> None:
        record_notification(self)

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the message, the title (if any) on the line before it.

        The account's daily limit, duplicate window, fallback and confirmation apply; there is
        no bypass.
        """
        text = f"{title}\n{message}" if title else message
        request = SmsRequest((self._phone_number,), text, encoding=self._encoding)
        async with self._entry.runtime_data.notify_slots:
            await async_send(self.hass, self._entry, request)
