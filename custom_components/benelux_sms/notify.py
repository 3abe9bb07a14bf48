"""A notify entity per recipient."""

from __future__ import annotations

from homeassistant.components.notify import NotifyEntity, NotifyEntityFeature
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_ENCODING, CONF_PHONE_NUMBER, SUBENTRY_RECIPIENT
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
    """Add one notify entity for each recipient subentry."""
    for subentry in entry.subentries.values():
        if subentry.subentry_type == SUBENTRY_RECIPIENT:
            async_add_entities(
                [RecipientNotifyEntity(entry, subentry)],
                config_subentry_id=subentry.subentry_id,
            )


class RecipientNotifyEntity(BeneluxSmsEntity, NotifyEntity):
    """Sends SMS to one recipient."""

    _attr_supported_features = NotifyEntityFeature.TITLE

    def __init__(self, entry: BeneluxSmsConfigEntry, subentry: ConfigSubentry) -> None:
        super().__init__(entry, entry.runtime_data.gateway, subentry.subentry_id)
        self._attr_name = subentry.title
        self._entry = entry
        self._phone_number: str = subentry.data[CONF_PHONE_NUMBER]
        self._encoding = EncodingChoice(subentry.data.get(CONF_ENCODING, EncodingChoice.AUTO))

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the message, the title (if any) on the line before it.

        The account's daily limit, duplicate window, fallback and confirmation apply; there is
        no bypass.
        """
        text = f"{title}\n{message}" if title else message
        request = SmsRequest((self._phone_number,), text, encoding=self._encoding)
        async with self._entry.runtime_data.notify_slots:
            await async_send(self.hass, self._entry, request)
