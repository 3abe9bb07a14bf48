"""Benelux SMS: send SMS through Dutch and Belgian gateways."""

from __future__ import annotations

from homeassistant.components.webhook import async_generate_id
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .cloudhook import Cloudhook, async_delete_cloudhook
from .confirmation import Confirmations, confirmation_store, reports_can_come
from .const import (
    CONF_BASE_URL,
    CONF_PROVIDER,
    CONF_RECEIVE_REPLIES,
    CONF_TEST_MODE,
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
)
from .coordinator import CreditsCoordinator
from .devices import async_account_device, async_split_recipient_devices
from .escalation import escalation_for
from .gateways import GATEWAYS, Gateway
from .guard import SendGuard, async_remove_guard_data
from .heartbeat import Heartbeat
from .recipients import number_region
from .repairs import async_delete_account_issues
from .reports import ReportHub, pending_store
from .runtime import BeneluxSmsConfigEntry, BeneluxSmsData, shared_token_store
from .scheduled import ScheduledQueue, scheduled_store
from .scheduling import async_remove_gateway_schedules, due_handler, missed_handler
from .sender import SmsSender
from .services import async_setup_services
from .sms import SERVED_REGIONS, load_number_metadata
from .status import AccountStatus
from .webhook import ReportUrl, async_register_webhook, uses_webhook

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.NOTIFY,
    Platform.SENSOR,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, which exist whether or not an account is set up."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: BeneluxSmsConfigEntry) -> bool:
    """Connect to the gateway account and set up its entities."""
    if CONF_WEBHOOK_ID not in entry.data:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: async_generate_id()}
        )
    entry.runtime_data = data = await _async_runtime_data(hass, entry)
    entry.async_on_unload(data.scheduled.async_start(due_handler(hass, entry)))
    if data.heartbeat is not None:
        entry.async_on_unload(data.heartbeat.async_start())
    if uses_webhook(data.gateway):
        entry.async_on_unload(
            async_register_webhook(hass, entry, data.gateway, data.reports.async_handle_content)
        )
        entry.async_on_unload(await data.cloudhook.async_start())
    async_split_recipient_devices(hass, entry, data.gateway)
    async_account_device(hass, entry, data.gateway)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Recipients are subentries: adding or removing one changes the notify entities.
    # Reconfigure and reauth only store their changes and leave the reload to this listener.
    entry.async_on_unload(entry.add_update_listener(_async_reload_entry))
    return True


async def _async_runtime_data(hass: HomeAssistant, entry: BeneluxSmsConfigEntry) -> BeneluxSmsData:
    """Build the account's parts; what they keep is saved when the account unloads."""
    gateway = _gateway(hass, entry)
    regions = (*SERVED_REGIONS, number_region(hass, type(gateway)))
    await hass.async_add_executor_job(load_number_metadata, regions)
    credits = CreditsCoordinator(hass, entry, gateway)
    await credits.async_config_entry_first_refresh()
    cloudhook = Cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
    status = AccountStatus()
    reports = ReportHub(hass, entry.entry_id, gateway, status)
    await reports.async_load()
    entry.async_on_unload(reports.async_shutdown)
    guard = SendGuard(hass, entry, status)
    await guard.async_load()
    entry.async_on_unload(guard.async_start())
    entry.async_on_unload(guard.async_flush)
    report_url = ReportUrl(hass, entry, gateway.capabilities, cloudhook)
    sender = SmsSender(
        hass,
        entry,
        gateway,
        credits=credits,
        status=status,
        reports=reports,
        report_url=report_url,
    )
    confirmations = Confirmations(
        hass,
        entry.entry_id,
        reports,
        escalation_for(hass, entry),
        lambda: reports_can_come(gateway.capabilities, report_url()),
    )
    await confirmations.async_load()
    entry.async_on_unload(confirmations.async_shutdown)
    scheduled = ScheduledQueue(hass, entry.entry_id)
    await scheduled.async_load(missed_handler(hass, entry))
    heartbeat: Heartbeat | None = None
    if gateway.capabilities.scheduling:
        heartbeat = Heartbeat(hass, entry, gateway, sender)
        await heartbeat.async_load()
    return BeneluxSmsData(
        gateway,
        credits,
        status,
        reports,
        sender,
        cloudhook,
        guard,
        confirmations,
        scheduled=scheduled,
        heartbeat=heartbeat,
    )


async def async_unload_entry(hass: HomeAssistant, entry: BeneluxSmsConfigEntry) -> bool:
    """Unload the account's entities."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: BeneluxSmsConfigEntry) -> None:
    """Forget the removed account's waiting messages, confirmations, counts and cloudhook."""
    await pending_store(hass, entry.entry_id).async_remove()
    await confirmation_store(hass, entry.entry_id).async_remove()
    if webhook_id := entry.data.get(CONF_WEBHOOK_ID):
        await async_delete_cloudhook(hass, webhook_id)
    await async_remove_guard_data(hass, entry.entry_id)
    if GATEWAYS[entry.data[CONF_PROVIDER]].capabilities.scheduling:
        await async_remove_gateway_schedules(hass, entry.entry_id, _gateway(hass, entry))
    await scheduled_store(hass, entry.entry_id).async_remove()
    async_delete_account_issues(hass, entry.entry_id)


async def _async_reload_entry(hass: HomeAssistant, entry: BeneluxSmsConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)


def _gateway(hass: HomeAssistant, entry: BeneluxSmsConfigEntry) -> Gateway:
    gateway_class = GATEWAYS[entry.data[CONF_PROVIDER]]
    return gateway_class(
        async_get_clientsession(hass),
        {field: entry.data[field] for field in gateway_class.credential_fields},
        base_url=entry.data.get(CONF_BASE_URL),
        test_mode=entry.options.get(CONF_TEST_MODE, False),
        webhook_secret=entry.options.get(CONF_WEBHOOK_SECRET),
        token_store=shared_token_store(hass),
        receive_replies=entry.options.get(CONF_RECEIVE_REPLIES, False),
    )
