"""Recipients: a subentry per person, each a notify entity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_COUNTRY, CONF_NAME
from homeassistant.helpers.selector import (
    CountrySelector,
    CountrySelectorConfig,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .compat import vol
from .const import CONF_ENCODING, CONF_PHONE_NUMBER, CONF_PROVIDER
from .gateways import GATEWAYS, Gateway
from .recipients import number_countries, number_region, served_number, served_prefixes
from .sms import EncodingChoice, InvalidNumberError

_TEXT = TextSelector()
_PHONE = TextSelector(TextSelectorConfig(type=TextSelectorType.TEL))
_ENCODING = SelectSelector(
    SelectSelectorConfig(
        options=[choice.value for choice in EncodingChoice],
        translation_key=CONF_ENCODING,
        mode=SelectSelectorMode.DROPDOWN,
    )
)


class RecipientSubentryFlow(ConfigSubentryFlow):
    """Add or change a recipient of an account."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Ask for the recipient's name and number."""
        errors: dict[str, str] = {}
        if user_input is not None:
            number, errors = self._checked_number(user_input)
            if number is not None:
                return self.async_create_entry(
                    title=user_input[CONF_NAME],
                    data=_recipient_data(number, user_input),
                    unique_id=number,
                )
        return self._show_recipient_form("user", user_input, errors)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a recipient's name or number."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            number, errors = self._checked_number(user_input, subentry.unique_id)
            if number is not None:
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    title=user_input[CONF_NAME],
                    data=_recipient_data(number, user_input),
                    unique_id=number,
                )
        current = {CONF_NAME: subentry.title, CONF_ENCODING: EncodingChoice.AUTO, **subentry.data}
        return self._show_recipient_form("reconfigure", user_input or current, errors)

    def _checked_number(
        self, user_input: Mapping[str, Any], own_number: str | None = None
    ) -> tuple[str | None, dict[str, str]]:
        raw = user_input[CONF_PHONE_NUMBER]
        try:
            number = served_number(
                self.hass, self._gateway_class(), raw, user_input.get(CONF_COUNTRY)
            )
        except InvalidNumberError as err:
            return None, {CONF_PHONE_NUMBER: f"invalid_number_{err.reason}"}
        taken = {sub.unique_id for sub in self._get_entry().subentries.values()} - {own_number}
        if number in taken:
            return None, {CONF_PHONE_NUMBER: "already_configured"}
        return number, {}

    def _show_recipient_form(
        self, step_id: str, values: Mapping[str, Any] | None, errors: dict[str, str]
    ) -> SubentryFlowResult:
        gateway_class = self._gateway_class()
        # The frontend names the countries in the user's language; the country is only how
        # the number is read, not stored: the number is kept in international form.
        country = CountrySelector(
            CountrySelectorConfig(countries=number_countries(self.hass, gateway_class))
        )
        schema = vol.Schema(
            {
                vol.Required(CONF_NAME): _TEXT,
                vol.Required(
                    CONF_COUNTRY, default=number_region(self.hass, gateway_class)
                ): country,
                vol.Required(CONF_PHONE_NUMBER): _PHONE,
                vol.Required(CONF_ENCODING, default=EncodingChoice.AUTO.value): _ENCODING,
            }
        )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, values),
            errors=errors,
            description_placeholders={
                "gateway": gateway_class.name,
                "countries": served_prefixes(gateway_class) or "-",
            },
        )

    def _gateway_class(self) -> type[Gateway]:
        return GATEWAYS[self._get_entry().data[CONF_PROVIDER]]


def _recipient_data(number: str, user_input: Mapping[str, Any]) -> dict[str, str]:
    return {CONF_PHONE_NUMBER: number, CONF_ENCODING: user_input[CONF_ENCODING]}
