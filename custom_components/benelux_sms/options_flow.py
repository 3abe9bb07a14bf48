"""Account options: what the gateway offers beside its credentials."""

from __future__ import annotations

from typing import Any

from homeassistant.components.webhook import async_generate_url
from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    BooleanSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .compat import vol
from .const import CONF_PROVIDER, CONF_TEST_MODE, CONF_WEBHOOK_ID, CONF_WEBHOOK_SECRET
from .gateways import GATEWAYS
from .gateways.base import Capabilities
from .webhook import async_webhook_url

_SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))


class BeneluxSmsOptionsFlow(OptionsFlow):
    """The test mode, the webhook signature secret, and the URL to paste in a portal."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show what the gateway offers."""
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        capabilities = GATEWAYS[self.config_entry.data[CONF_PROVIDER]].capabilities
        fields: dict[vol.Marker, Any] = {}
        if capabilities.test_mode:
            fields[vol.Required(CONF_TEST_MODE, default=False)] = BooleanSelector()
        if capabilities.signed_webhooks:
            fields[vol.Optional(CONF_WEBHOOK_SECRET)] = _SECRET
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields), self.config_entry.options
            ),
            description_placeholders={"webhook_url": self._webhook_url(capabilities)},
        )

    def _webhook_url(self, capabilities: Capabilities) -> str:
        """Return the URL to paste in the gateway's portal, where it has one."""
        if not capabilities.report_portal:
            return "-"
        entry = self.config_entry
        cloudhook = entry.runtime_data.cloudhook if entry.state is ConfigEntryState.LOADED else None
        return async_webhook_url(self.hass, entry, cloudhook) or async_generate_url(
            self.hass, entry.data[CONF_WEBHOOK_ID]
        )
