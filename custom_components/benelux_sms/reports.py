"""Delivery reports and inbound SMS: tracked, asked for where the gateway allows, and told.

Webhook calls and report polls feed ``ReportHub``; it updates the account's last delivery,
fires the bus events automations trigger on, and calls the event entities directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, EVENT_DELIVERY_REPORT, EVENT_RECEIVED, LOGGER, REPORT_POLL_INTERVAL
from .delivery import DeliveryTracker, InboundAssembler, ReceivedText, StatusChange
from .gateways.base import Gateway, GatewayError, SendReceipt, WebhookContent
from .saving import CoalescedWrites
from .status import AccountStatus, LastDelivery

type EventListener = Callable[[str, Mapping[str, Any]], None]
"""Called with the event type and its data (without the config entry id)."""

EVENT_TYPE_RECEIVED = "received"
STORAGE_VERSION = 1
SAVE_DELAY = 0.5
"""Seconds a change to the waiting messages may wait before it is written: the sends of one
moment are written together, and a hard stop a second after an alarm loses none of them."""


def pending_store(hass: HomeAssistant, entry_id: str) -> Store[list[dict[str, Any]]]:
    """Return the store that keeps an account's messages waiting for reports over restarts."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.pending")


class ReportHub:
    """The messages of one account that wait for reports, and who hears of them."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, gateway: Gateway, status: AccountStatus
    ) -> None:
        self._hass = hass
        self._entry_id = entry_id
        self._gateway = gateway
        self._status = status
        self._tracker = DeliveryTracker()
        self._store = pending_store(hass, entry_id)
        self._writes = CoalescedWrites(self._store, self._tracker.as_data, SAVE_DELAY)
        self._inbound = InboundAssembler()
        self._cancel_poll: CALLBACK_TYPE | None = None
        self._report_listeners: list[EventListener] = []
        self._inbound_listeners: list[EventListener] = []
        self._reports_come = gateway.capabilities.reports_delivery
        """Whether the gateway ever tells what became of a message: else nothing waits."""

    async def async_load(self) -> None:
        """Wait again for the messages that were waiting when Home Assistant stopped."""
        self._tracker.restore(await self._store.async_load(), dt_util.utcnow())
        self._schedule_poll()

    @callback
    def async_track(self, receipt: SendReceipt, reference: str | None = None) -> None:
        """Wait for the reports of the messages a send was given ids for; their events
        carry the send's ``reference``.
        """
        if not self._reports_come:
            return
        self._tracker.track(receipt, dt_util.utcnow(), reference)
        self._save()
        self._schedule_poll()

    @callback
    def async_add_report_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call ``listener`` for each status change a report brings."""
        return _add(self._report_listeners, listener)

    @callback
    def async_add_inbound_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call ``listener`` for each inbound SMS, its parts joined."""
        return _add(self._inbound_listeners, listener)

    @callback
    def async_handle_content(self, content: WebhookContent) -> None:
        """Take the reports and inbound texts the gateway sent (or was asked for)."""
        now = dt_util.utcnow()
        for report in content.reports:
            if not (changes := self._tracker.apply(report, now)):
                LOGGER.debug("Ignored a report for an unknown message or a replay")
            for change in changes:
                self._tell_change(change)
            if changes:
                self._save()
        for part in content.inbound:
            if (text := self._inbound.add(part, now)) is not None:
                self._tell_received(text)

    def _tell_change(self, change: StatusChange) -> None:
        self._status.async_set_last_delivery(
            LastDelivery(
                status=change.status,
                changed=change.timestamp,
                message_ids=(change.message_id,),
                recipients=(change.recipient,) if change.recipient else (),
                gateway_code=change.gateway_code,
            )
        )
        data = {
            "message_id": change.message_id,
            "recipient": change.recipient,
            "status": change.status.value,
            "gateway_code": change.gateway_code,
        }
        if change.reference is not None:
            data["reference"] = change.reference
        self._tell(EVENT_DELIVERY_REPORT, change.status.value, data, self._report_listeners)

    def _tell_received(self, text: ReceivedText) -> None:
        data = {
            "from": text.sender,
            "to": text.recipient,
            "text": text.text,
            "message_id": text.message_id,
            "time": text.timestamp.isoformat(),
        }
        self._tell(EVENT_RECEIVED, EVENT_TYPE_RECEIVED, data, self._inbound_listeners)

    def _tell(
        self,
        bus_event: str,
        event_type: str,
        data: dict[str, Any],
        listeners: list[EventListener],
    ) -> None:
        self._hass.bus.async_fire(bus_event, {"config_entry_id": self._entry_id, **data})
        for listener in list(listeners):
            listener(event_type, data)

    def _save(self) -> None:
        self._writes.schedule()

    def _schedule_poll(self) -> None:
        """Ask the gateway for reports while messages wait, where it can be asked."""
        if (
            self._gateway.capabilities.report_polling
            and self._cancel_poll is None
            and self._tracker.pending_ids
        ):
            self._cancel_poll = async_call_later(self._hass, REPORT_POLL_INTERVAL, self._async_poll)

    async def _async_poll(self, _now: datetime) -> None:
        self._cancel_poll = None
        self._tracker.forget_old(dt_util.utcnow())
        if not (message_ids := self._tracker.pending_ids):
            return
        try:
            reports = await self._gateway.get_delivery_reports(message_ids)
        except GatewayError as err:
            LOGGER.debug("Asking %s for delivery reports failed: %s", self._gateway.name, err.code)
        else:
            self.async_handle_content(WebhookContent(reports=tuple(reports)))
        self._schedule_poll()

    async def async_shutdown(self) -> None:
        """Stop asking for reports when the account unloads; keep what still waits."""
        if self._cancel_poll is not None:
            self._cancel_poll()
            self._cancel_poll = None
        await self._writes.async_write_now()


def _add(listeners: list[EventListener], listener: EventListener) -> CALLBACK_TYPE:
    listeners.append(listener)
    return lambda: listeners.remove(listener)
