"""Polls the credits left, where the gateway can be asked for them."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import CREDITS_UPDATE_INTERVAL, DOMAIN, LOGGER
from .gateways.base import AuthenticationError, Credits, Gateway, GatewayError, SendReceipt

AFTER_SEND_COOLDOWN = 60.0
"""Seconds: however many messages go out, the credits are asked at most once a minute."""


class CreditsCoordinator(DataUpdateCoordinator[Credits | None]):
    """The account's credits: polled, or taken from send replies that carry them."""

    config_entry: ConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, gateway: Gateway) -> None:
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=CREDITS_UPDATE_INTERVAL if gateway.capabilities.credits else None,
        )
        self.gateway = gateway
        self.data = None
        self._after_send = Debouncer(
            hass,
            LOGGER,
            cooldown=AFTER_SEND_COOLDOWN,
            immediate=True,
            function=self.async_refresh,
        )

    @callback
    def async_take_receipt(self, receipt: SendReceipt) -> None:
        """Show the balance a send's reply carries; else ask for it after the send, where the
        gateway can be asked (never during the send).
        """
        if receipt.credits is not None:
            self.async_set_updated_data(receipt.credits)
        elif self.gateway.capabilities.credits:
            self.async_refresh_after_send()

    @callback
    def async_refresh_after_send(self) -> None:
        """Have the credits asked once the send that calls this has returned.

        At once if they were not asked in the last minute, else when that minute ends: a
        burst of sends makes one request at its start and at most one each minute after.
        """
        self.hass.loop.call_soon(self._after_send.async_schedule_call)

    async def async_shutdown(self) -> None:
        """Ask nothing more once the account unloads."""
        self._after_send.async_shutdown()
        await super().async_shutdown()

    async def _async_update_data(self) -> Credits | None:
        if not self.gateway.capabilities.credits:
            return self.data
        try:
            return await self.gateway.get_credits()
        except AuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="authentication_failed",
                translation_placeholders={"code": err.code or "-"},
            ) from err
        except GatewayError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="credits_unavailable",
                translation_placeholders={"code": err.code or "-"},
            ) from err
