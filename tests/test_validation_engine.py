"""The suite runs twice: on voluptuous (Home Assistant 2025.4) and on probatio (2026.11)."""

from __future__ import annotations

import pytest
import voluptuous
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.benelux_sms.compat import vol
from custom_components.benelux_sms.const import DOMAIN


def test_engine_matches_the_run(pytestconfig: pytest.Config) -> None:
    """With the alias plugin, voluptuous is probatio's shim; without it, the real thing."""
    aliased = pytestconfig.pluginmanager.has_plugin("tests.probatio_alias")
    assert voluptuous.__name__.startswith("probatio") is aliased
    assert vol is voluptuous


@pytest.mark.parametrize(
    "data",
    [
        {"recipients": ["0612345678"]},
        {"recipients": [], "message": "Hi"},
        {"recipients": ["0612345678"], "message": "Hi", "colour": "red"},
    ],
)
async def test_action_schema_refuses_malformed_calls(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, data: dict[str, object]
) -> None:
    """A call missing a field, with no recipient or an unknown field never reaches the gateway."""
    with pytest.raises(voluptuous.Invalid):
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"config_entry_id": loaded_entry.entry_id, **data},
            blocking=True,
            return_response=True,
        )
