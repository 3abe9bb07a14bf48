"""The account's repair issues: what the user must fix for sends or reports to work.

Every issue id ends in the account's entry id, so removing the account removes them all.
"""

from __future__ import annotations

from collections.abc import Mapping

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


@callback
def async_create_account_issue(
    hass: HomeAssistant,
    issue_id: str,
    translation_key: str,
    placeholders: Mapping[str, str],
    *,
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
) -> None:
    """Show (or keep showing) a repair issue the user fixes outside the flow."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=severity,
        translation_key=translation_key,
        translation_placeholders=dict(placeholders),
    )


@callback
def async_delete_account_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Delete every repair issue of the account."""
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue_id.endswith(f"_{entry_id}"):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
