"""Config flow: pick a gateway, give its credentials, add recipients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components.webhook import async_generate_id
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from yarl import URL

from .compat import set_next_subentry_flow, vol
from .const import (
    CONF_BASE_URL,
    CONF_PROVIDER,
    CONF_SENDER,
    CONF_WEBHOOK_ID,
    DOMAIN,
    LOGGER,
    SUBENTRY_RECIPIENT,
)
from .gateways import GATEWAYS, Gateway
from .gateways.base import (
    AuthenticationError,
    GatewayError,
    InvalidSenderError,
)
from .options_flow import BeneluxSmsOptionsFlow
from .recipient_flow import RecipientSubentryFlow
from .runtime import shared_token_store

_TEXT = TextSelector()
_SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))


class BeneluxSmsConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a gateway account."""

    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Options: the sending rules, and the test mode and secret where the gateway has them."""
        return BeneluxSmsOptionsFlow()

    @classmethod
    @callback
    def async_supports_options_flow(cls, config_entry: ConfigEntry) -> bool:
        """Every account has options: its fallback, daily limit and duplicate window."""
        return True

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Recipients are added to an account as subentries."""
        return {SUBENTRY_RECIPIENT: RecipientSubentryFlow}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Offer the gateways."""
        return self.async_show_menu(step_id="user", menu_options=list(GATEWAYS))

    async def async_step_kpn_sms(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a KPN API Store app's client id and secret, for KPN SMS."""
        return await self._async_step_account("kpn_sms", user_input)

    async def async_step_kpn_vonage(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a KPN API Store app's client id and secret, for KPN Vonage SMS."""
        return await self._async_step_account("kpn_vonage", user_input)

    async def async_step_smsservicecenter(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for an SMS Service Center API key."""
        return await self._async_step_account("smsservicecenter", user_input)

    async def async_step_smsbox(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for an SMSBOX API key."""
        return await self._async_step_account("smsbox", user_input)

    async def async_step_sms1601(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a 1601SMS user name and password."""
        return await self._async_step_account("sms1601", user_input)

    async def _async_step_account(
        self, provider: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        gateway_class = GATEWAYS[provider]
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_PROVIDER: provider, **user_input}
            errors = await self._async_check_account(gateway_class, data)
            if not errors:
                await self.async_set_unique_id(_unique_id(gateway_class, data))
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=gateway_class.name, data={**data, CONF_WEBHOOK_ID: async_generate_id()}
                )
        return self.async_show_form(
            step_id=provider,
            data_schema=self.add_suggested_values_to_schema(
                self._account_schema(gateway_class), user_input
            ),
            description_placeholders=sender_placeholders(gateway_class),
            errors=errors,
        )

    async def async_on_create_entry(self, result: ConfigFlowResult) -> ConfigFlowResult:
        """Open the first recipient's form right after the account is made.

        Home Assistant calls this from 2026 on; an account that sends nowhere is of no use.
        """
        flow = await self.hass.config_entries.subentries.async_init(
            (result["result"].entry_id, SUBENTRY_RECIPIENT), context={"source": SOURCE_USER}
        )
        set_next_subentry_flow(result, flow["flow_id"])
        return result

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The gateway refused the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials."""
        entry = self._get_reauth_entry()
        gateway_class = GATEWAYS[entry.data[CONF_PROVIDER]]
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**entry.data, **user_input}
            errors = await self._async_check_account(gateway_class, data)
            if not errors:
                return self._async_update_account(entry, gateway_class, data)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(_credential_fields(gateway_class)),
            description_placeholders={"gateway": gateway_class.name},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the credentials, the default sender or the gateway's address."""
        entry = self._get_reconfigure_entry()
        gateway_class = GATEWAYS[entry.data[CONF_PROVIDER]]
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                CONF_PROVIDER: entry.data[CONF_PROVIDER],
                CONF_WEBHOOK_ID: entry.data.get(CONF_WEBHOOK_ID) or async_generate_id(),
                **user_input,
            }
            if not self.show_advanced_options and CONF_BASE_URL in entry.data:
                data.setdefault(CONF_BASE_URL, entry.data[CONF_BASE_URL])
            for field in gateway_class.secret_fields:
                # Left empty: the stored secret stays, so changing the sender needs no retyping.
                data[field] = data.get(field) or entry.data[field]
            errors = await self._async_check_account(gateway_class, data)
            if not errors:
                return self._async_update_account(entry, gateway_class, data)
        suggested = {k: v for k, v in entry.data.items() if k not in gateway_class.secret_fields}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                self._account_schema(gateway_class, secrets_kept=True), user_input or suggested
            ),
            description_placeholders=sender_placeholders(gateway_class),
            errors=errors,
        )

    def _async_update_account(
        self, entry: ConfigEntry, gateway_class: type[Gateway], data: dict[str, Any]
    ) -> ConfigFlowResult:
        """Store changed credentials, unless they belong to another entry's account."""
        unique_id = _unique_id(gateway_class, data)
        for other in self._async_current_entries(include_ignore=False):
            if other.unique_id == unique_id and other.entry_id != entry.entry_id:
                return self.async_abort(reason="already_configured")
        if entry.state is not ConfigEntryState.LOADED:
            # A reauth after a failed setup: no update listener is registered to reload it.
            return self.async_update_reload_and_abort(entry, unique_id=unique_id, data=data)
        # The entry's update listener reloads it; Home Assistant 2026.12 refuses a flow that
        # reloads an entry with an update listener (async_update_and_abort, which 2025.4
        # lacks, does just this).
        self.hass.config_entries.async_update_entry(entry, unique_id=unique_id, data=data)
        return self.async_abort(
            reason="reauth_successful" if self.source == SOURCE_REAUTH else "reconfigure_successful"
        )

    def _account_schema(
        self, gateway_class: type[Gateway], *, secrets_kept: bool = False
    ) -> vol.Schema:
        """Return the account form; ``secrets_kept``: a secret left empty keeps the stored one."""
        fields = _credential_fields(gateway_class, secrets_kept=secrets_kept)
        sender = vol.Required if gateway_class.sender_rule.required else vol.Optional
        fields[sender(CONF_SENDER)] = _TEXT
        if self.show_advanced_options:
            fields[vol.Optional(CONF_BASE_URL)] = _URL
        return vol.Schema(fields)

    async def _async_check_account(
        self, gateway_class: type[Gateway], data: dict[str, Any]
    ) -> dict[str, str]:
        """Return the form errors of the account data; empty when the gateway accepts it."""
        sender = data.get(CONF_SENDER) or ""
        if sender or gateway_class.sender_rule.required:
            try:
                gateway_class.sender_rule.check(sender)
            except InvalidSenderError as err:
                return {CONF_SENDER: f"invalid_{err.code}"}
        if (base_url := data.get(CONF_BASE_URL)) and URL(base_url).scheme not in ("http", "https"):
            return {CONF_BASE_URL: "invalid_url"}
        gateway = gateway_class(
            async_get_clientsession(self.hass),
            {field: data[field] for field in gateway_class.credential_fields},
            base_url=base_url,
            token_store=shared_token_store(self.hass),
        )
        try:
            await gateway.validate_credentials()
        except AuthenticationError:
            return {"base": "invalid_auth"}
        except GatewayError as err:
            LOGGER.debug("Checking the %s account failed: %s", gateway_class.name, err.code)
            return {"base": "cannot_connect"}
        return {}


def sender_placeholders(gateway_class: type[Gateway]) -> dict[str, str]:
    """Return what the sender help and errors say of this gateway's rule: its name and how
    long a sender of letters and digits, or a number, may be.
    """
    rule = gateway_class.sender_rule
    return {
        "gateway": gateway_class.name,
        "max_alphanumeric": str(rule.max_alphanumeric),
        "max_numeric": str(rule.max_numeric or rule.max_alphanumeric),
    }


def _credential_fields(
    gateway_class: type[Gateway], *, secrets_kept: bool = False
) -> dict[vol.Marker, TextSelector]:
    fields: dict[vol.Marker, TextSelector] = {}
    for field in gateway_class.credential_fields:
        secret = field in gateway_class.secret_fields
        marker = vol.Optional if secret and secrets_kept else vol.Required
        fields[marker(field)] = _SECRET if secret else _TEXT
    return fields


def _unique_id(gateway_class: type[Gateway], data: Mapping[str, Any]) -> str:
    credentials = {field: data[field] for field in gateway_class.credential_fields}
    return f"{gateway_class.provider}_{gateway_class.account_id(credentials)}"
