"""Account options: what the gateway offers, and the sending rules every account has."""

from __future__ import annotations

from typing import Any

from homeassistant.components.webhook import async_generate_url
from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult, OptionsFlow
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .compat import vol
from .confirmation import MAX_CONFIRM_WITHIN, MIN_CONFIRM_WITHIN
from .const import (
    CONF_CONFIRM_WITHIN,
    CONF_DAILY_SEGMENT_LIMIT,
    CONF_DUPLICATE_WINDOW,
    CONF_FALLBACK_ENTRY_ID,
    CONF_PROVIDER,
    CONF_RECEIVE_REPLIES,
    CONF_REPLIES_APP,
    CONF_REPLIES_NUMBER,
    CONF_TEST_MODE,
    CONF_WEBHOOK_ID,
    CONF_WEBHOOK_SECRET,
    DOMAIN,
)
from .dispatch import fallback_issue_id
from .gateways import GATEWAYS, Gateway
from .guard import MAX_DUPLICATE_WINDOW, daily_limit_issue_id
from .heartbeat_options import (
    HEARTBEAT_FIELDS,
    HEARTBEAT_SUGGESTIONS,
    heartbeat_errors,
    heartbeat_options,
)
from .replies import REPLIES_APP_TEST, REPLIES_APPS, async_register_replies, offers_replies
from .webhook import async_webhook_url

_SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_REPLY_FIELDS: dict[vol.Marker, Any] = {
    vol.Required(CONF_RECEIVE_REPLIES, default=False): BooleanSelector(),
    vol.Optional(CONF_REPLIES_NUMBER): TextSelector(TextSelectorConfig(type=TextSelectorType.TEL)),
    vol.Required(CONF_REPLIES_APP, default=REPLIES_APP_TEST): SelectSelector(
        SelectSelectorConfig(
            options=list(REPLIES_APPS),
            translation_key=CONF_REPLIES_APP,
            mode=SelectSelectorMode.LIST,
        )
    ),
}
_WHOLE_NUMBERS = (CONF_DAILY_SEGMENT_LIMIT, CONF_DUPLICATE_WINDOW, CONF_CONFIRM_WITHIN)
# No min or max on the selectors: Home Assistant would refuse a value past them with its own
# English words ("Value 100000.0 is too large"); _errors says it in the user's language.
_LIMIT_FIELDS: dict[vol.Marker, Any] = {
    vol.Optional(CONF_DAILY_SEGMENT_LIMIT, default=0): NumberSelector(
        NumberSelectorConfig(step=1, mode=NumberSelectorMode.BOX)
    ),
    vol.Optional(CONF_DUPLICATE_WINDOW, default=0): NumberSelector(
        NumberSelectorConfig(step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="s")
    ),
}
_CONFIRM_FIELD: dict[vol.Marker, Any] = {
    vol.Optional(CONF_CONFIRM_WITHIN): NumberSelector(
        NumberSelectorConfig(step=1, mode=NumberSelectorMode.BOX, unit_of_measurement="s")
    ),
}


class BeneluxSmsOptionsFlow(OptionsFlow):
    """The fallback account, the daily limit, the duplicate window, and what the gateway
    offers: a test mode, the webhook signature secret, the URL to paste in a portal.
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options; a gateway with a portal URL gets the step that shows it."""
        if self._gateway_class().capabilities.report_portal:
            return await self.async_step_portal(user_input)
        return await self._async_options_step("init", user_input)

    async def async_step_portal(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The options, with the delivery report URL to paste in the gateway's portal."""
        return await self._async_options_step("portal", user_input)

    async def _async_options_step(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = self._errors(user_input)
            if not errors and user_input.get(CONF_RECEIVE_REPLIES):
                errors = await self._async_register_replies(user_input)
            if not errors:
                return self._async_store(user_input)
        placeholders = {
            "gateway": self._gateway_class().name,
            "max_duplicate_window": str(MAX_DUPLICATE_WINDOW),
        }
        if step_id == "portal":
            placeholders["webhook_url"] = self._portal_url()
        fallbacks = self._fallback_choices()
        suggested = dict(user_input or self.config_entry.options)
        if self._gateway_class().capabilities.scheduling:
            suggested = {**HEARTBEAT_SUGGESTIONS, **suggested}
        if suggested.get(CONF_FALLBACK_ENTRY_ID) not in {choice["value"] for choice in fallbacks}:
            # A removed account is no choice; saving the form forgets it.
            suggested.pop(CONF_FALLBACK_ENTRY_ID, None)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(self._schema(fallbacks), suggested),
            description_placeholders=placeholders,
            errors=errors,
        )

    def _schema(self, fallbacks: list[SelectOptionDict]) -> vol.Schema:
        """Return the form: what the gateway offers, then the rules every account has."""
        capabilities = self._gateway_class().capabilities
        fields: dict[vol.Marker, Any] = {}
        if capabilities.test_mode:
            fields[vol.Required(CONF_TEST_MODE, default=False)] = BooleanSelector()
        if capabilities.signed_webhooks:
            fields[vol.Optional(CONF_WEBHOOK_SECRET)] = _SECRET
        if offers_replies(self._gateway_class()):
            fields.update(_REPLY_FIELDS)
        if fallbacks:
            fields[vol.Optional(CONF_FALLBACK_ENTRY_ID)] = SelectSelector(
                SelectSelectorConfig(options=fallbacks, mode=SelectSelectorMode.DROPDOWN)
            )
        fields.update(_LIMIT_FIELDS)
        if capabilities.reports_delivery:
            # Confirmation waits for delivery reports: not offered where none ever come.
            fields.update(_CONFIRM_FIELD)
        if capabilities.scheduling:
            fields.update(HEARTBEAT_FIELDS)
        return vol.Schema(fields)

    async def _async_register_replies(self, user_input: dict[str, Any]) -> dict[str, str]:
        """Register the webhook for replies; return the form error where that failed."""
        failure = await async_register_replies(
            self.hass,
            self.config_entry,
            user_input.get(CONF_REPLIES_NUMBER, ""),
            user_input.get(CONF_REPLIES_APP, REPLIES_APP_TEST),
        )
        return dict([failure]) if failure else {}

    def _gateway_class(self) -> type[Gateway]:
        return GATEWAYS[self.config_entry.data[CONF_PROVIDER]]

    def _fallback_choices(self) -> list[SelectOptionDict]:
        """Return the accounts this one can fall back to: every other Benelux SMS account."""
        others = (
            entry
            for entry in self.hass.config_entries.async_entries(DOMAIN, include_ignore=False)
            if entry.entry_id != self.config_entry.entry_id
        )
        return [
            SelectOptionDict(value=entry.entry_id, label=entry.title)
            for entry in sorted(others, key=lambda entry: entry.title.casefold())
        ]

    def _errors(self, user_input: dict[str, Any]) -> dict[str, str]:
        """Return the form errors: counts that are no whole number of 0 or more, a duplicate
        window past its maximum, a fallback account removed while the form was open.
        """
        errors = {
            key: "whole_number"
            for key in _WHOLE_NUMBERS
            if not float(value := user_input.get(key, 0)).is_integer() or value < 0
        }
        if CONF_DUPLICATE_WINDOW not in errors and (
            user_input.get(CONF_DUPLICATE_WINDOW, 0) > MAX_DUPLICATE_WINDOW
        ):
            errors[CONF_DUPLICATE_WINDOW] = "duplicate_window_too_long"
        errors.update(self._confirm_errors(user_input))
        if (fallback_id := user_input.get(CONF_FALLBACK_ENTRY_ID)) and (
            self.hass.config_entries.async_get_entry(fallback_id) is None
        ):
            errors[CONF_FALLBACK_ENTRY_ID] = "fallback_not_found"
        if self._gateway_class().capabilities.scheduling:
            errors.update(heartbeat_errors(self.config_entry, user_input))
        return errors

    def _confirm_errors(self, user_input: dict[str, Any]) -> dict[str, str]:
        """Return the error of a confirmation time out of range, or one that no report can
        answer now (no report URL); checked where the account is loaded.
        """
        seconds = float(user_input.get(CONF_CONFIRM_WITHIN, 0))
        if not seconds:
            return {}
        if not seconds.is_integer():
            return {CONF_CONFIRM_WITHIN: "whole_number"}
        if not MIN_CONFIRM_WITHIN <= seconds <= MAX_CONFIRM_WITHIN:
            return {CONF_CONFIRM_WITHIN: "confirm_within_invalid"}
        entry = self.config_entry
        if (
            entry.state is ConfigEntryState.LOADED
            and not entry.runtime_data.confirmations.can_confirm()
        ):
            return {CONF_CONFIRM_WITHIN: "confirmation_unsupported"}
        return {}

    def _async_store(self, user_input: dict[str, Any]) -> ConfigFlowResult:
        """Store the options; the issues they may have answered are looked at anew."""
        options = {
            **user_input,
            **{key: int(user_input[key]) for key in _WHOLE_NUMBERS if key in user_input},
            **heartbeat_options(user_input),
        }
        entry_id = self.config_entry.entry_id
        for issue_id in (daily_limit_issue_id(entry_id), fallback_issue_id(entry_id)):
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        return self.async_create_entry(data=options)

    def _portal_url(self) -> str:
        """Return the URL to paste in the gateway's portal: Cloud's, the external one, or
        (where neither exists) the local one, for a gateway that reaches Home Assistant so.
        """
        entry = self.config_entry
        cloudhook = entry.runtime_data.cloudhook if entry.state is ConfigEntryState.LOADED else None
        return async_webhook_url(self.hass, entry, cloudhook) or async_generate_url(
            self.hass, entry.data[CONF_WEBHOOK_ID]
        )
