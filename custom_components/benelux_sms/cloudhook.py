"""Home Assistant Cloud: an https address for the account's webhook, where Cloud can serve one.

Most homes reach Home Assistant from outside only through Cloud, and KPN Vonage calls only
https URLs. Cloud keeps the hook itself (one per webhook id), so asking again after a restart
or a reconnect gives the same URL; the hook is deleted with the account.
"""

from __future__ import annotations

from contextlib import suppress

import aiohttp
from homeassistant.components import cloud
from homeassistant.core import CALLBACK_TYPE, HomeAssistant

from .const import LOGGER

_CLOUD_ERRORS = (
    cloud.CloudNotAvailable,
    cloud.CloudNotConnected,
    ValueError,
    aiohttp.ClientError,
    TimeoutError,
)


def cloud_loaded(hass: HomeAssistant) -> bool:
    """Return whether Home Assistant Cloud is part of this installation."""
    return "cloud" in hass.config.components


class Cloudhook:
    """The cloudhook URL of one account's webhook, while Cloud can serve it."""

    def __init__(self, hass: HomeAssistant, webhook_id: str) -> None:
        self._hass = hass
        self._webhook_id = webhook_id
        self.url: str | None = None

    async def async_start(self) -> CALLBACK_TYPE:
        """Ask Cloud for the hook now and whenever it connects; return what stops that."""
        if not cloud_loaded(self._hass):
            return lambda: None
        await self._async_refresh()
        return cloud.async_listen_connection_change(self._hass, self._async_connection_changed)

    async def _async_connection_changed(self, state: cloud.CloudConnectionState) -> None:
        if state is cloud.CloudConnectionState.CLOUD_CONNECTED:
            await self._async_refresh()

    async def _async_refresh(self) -> None:
        if not cloud.async_active_subscription(self._hass):
            self.url = None
            return
        try:
            self.url = await cloud.async_get_or_create_cloudhook(self._hass, self._webhook_id)
        except _CLOUD_ERRORS as err:
            LOGGER.debug("No cloudhook for the delivery reports yet: %s", type(err).__name__)


async def async_delete_cloudhook(hass: HomeAssistant, webhook_id: str) -> None:
    """Delete the account's cloudhook, if Cloud holds one."""
    if cloud_loaded(hass):
        with suppress(*_CLOUD_ERRORS):
            await cloud.async_delete_cloudhook(hass, webhook_id)
