"""The account's webhook: delivery reports and inbound SMS from the gateway.

Anyone who learns the URL can call it, so every call is answered 200 (a gateway stops
retrying; a prober learns nothing) and nothing it carries is trusted before the gateway
module has read it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qsl

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError

from .cloudhook import Cloudhook
from .const import CONF_WEBHOOK_ID, DOMAIN, LOGGER
from .gateways.base import (
    Capabilities,
    Gateway,
    InvalidWebhookError,
    WebhookContent,
    WebhookRequest,
)
from .repairs import async_create_account_issue

MAX_BODY_BYTES = 64 * 1024
ALLOWED_METHODS = ("GET", "POST", "PUT")
"""PUT is taken too, only to be answered 200 like any other call that is not a report."""


def uses_webhook(gateway: Gateway) -> bool:
    """Return whether the gateway calls a webhook: for reports or replies."""
    capabilities = gateway.capabilities
    return capabilities.report_callback or capabilities.report_portal or capabilities.inbound


@callback
def async_register_webhook(
    hass: HomeAssistant,
    entry: ConfigEntry,
    gateway: Gateway,
    on_content: Callable[[WebhookContent], None],
) -> CALLBACK_TYPE:
    """Register the account's webhook; what the gateway posts goes to ``on_content``.

    Return what unregisters it.
    """
    webhook_id: str = entry.data[CONF_WEBHOOK_ID]

    async def handle(hass: HomeAssistant, _id: str, request: web.Request) -> web.Response:
        if (content := await _read_content(gateway, request)) is not None:
            on_content(content)
        return web.Response()

    webhook.async_register(
        hass,
        DOMAIN,
        entry.title,
        webhook_id,
        handle,
        local_only=False,
        allowed_methods=ALLOWED_METHODS,
    )
    return lambda: webhook.async_unregister(hass, webhook_id)


@callback
def async_webhook_url(
    hass: HomeAssistant, entry: ConfigEntry, cloudhook: Cloudhook | None = None
) -> str | None:
    """Return the webhook's URL as the internet reaches it, or None where it cannot.

    Home Assistant Cloud's https hook comes first; else the external URL.
    """
    if cloudhook is not None and cloudhook.url is not None:
        return cloudhook.url
    try:
        return webhook.async_generate_url(
            hass, entry.data[CONF_WEBHOOK_ID], allow_internal=False, allow_ip=True
        )
    except NoURLAvailableError:
        return None


class ReportUrl:
    """The URL a send names for its reports, or None (and a repair issue).

    Worked out again only when what it is made of changed: the cloudhook, or the external URL
    (a webhook URL never uses Cloud's remote address). The repair issue is touched only when
    the URL comes or goes.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        capabilities: Capabilities,
        cloudhook: Cloudhook,
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._capabilities = capabilities
        self._cloudhook = cloudhook
        self._inputs: tuple[str | None, str | None] | None = None
        self._url: str | None = None
        self._issue_open: bool | None = None

    @callback
    def __call__(self) -> str | None:
        """Return the URL for this send's reports."""
        if not self._capabilities.report_callback:
            return None
        inputs = (self._cloudhook.url, self._hass.config.external_url)
        if inputs != self._inputs:
            self._inputs = inputs
            self._url = self._work_out()
            self._tell_issue(self._url is None)
        return self._url

    def _work_out(self) -> str | None:
        url = async_webhook_url(self._hass, self._entry, self._cloudhook)
        if url is not None and self._capabilities.report_callback_https_only:
            return url if url.startswith("https://") else None
        return url

    def _tell_issue(self, open_issue: bool) -> None:
        if open_issue is self._issue_open:
            return
        self._issue_open = open_issue
        issue_id = f"no_public_url_{self._entry.entry_id}"
        if not open_issue:
            ir.async_delete_issue(self._hass, DOMAIN, issue_id)
            return
        https_only = self._capabilities.report_callback_https_only
        async_create_account_issue(
            self._hass,
            issue_id,
            "no_https_url" if https_only else "no_public_url",
            {"account": self._entry.title},
        )


async def _read_content(gateway: Gateway, request: web.Request) -> WebhookContent | None:
    """Return what the call carries, or None for anything that is no report from the gateway."""
    body = await request.content.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        LOGGER.debug("Ignored a webhook call with a body over %s bytes", MAX_BODY_BYTES)
        return None
    call = WebhookRequest(
        method=request.method,
        query=dict(request.query),
        form=_form_fields(request.content_type, body),
        body=body,
        headers=dict(request.headers),
    )
    try:
        return gateway.parse_webhook(call)
    except InvalidWebhookError as err:
        LOGGER.debug("Ignored a webhook call that is no report: %s", err)
        return None


def _form_fields(content_type: str, body: bytes) -> dict[str, str]:
    """Return a form body's fields, or a JSON object body's members, as text."""
    try:
        text = body.decode()
        if content_type == "application/json":
            parsed = json.loads(text)
            if not isinstance(parsed, dict):
                return {}
            return {str(key): _text(value) for key, value in parsed.items()}
        if content_type == "application/x-www-form-urlencoded":
            return dict(parse_qsl(text, keep_blank_values=True))
    except ValueError:
        pass
    return {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)
