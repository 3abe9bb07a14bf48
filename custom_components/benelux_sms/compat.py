"""What differs between the Home Assistant releases this integration supports.

Runtime-tested on 2025.4.4; type-checked against 2026.11.0 as well (see README).
"""

from __future__ import annotations

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION

# Home Assistant 2026.11 validates with probatio: its flow and service signatures take
# probatio schemas, and it maps ``import voluptuous`` to probatio's shim at start-up.
# Earlier releases validate with voluptuous itself. mypy checks one branch per release
# (``always_false`` in pyproject.toml; ``--always-true`` for the 2026.11 check).
PROBATIO_RELEASE = (MAJOR_VERSION, MINOR_VERSION) >= (2026, 11)

if PROBATIO_RELEASE:
    import probatio as vol
    from homeassistant.config_entries import ConfigFlowResult, FlowType

    def set_next_subentry_flow(result: ConfigFlowResult, flow_id: str) -> None:
        """Have the frontend open this subentry flow once the entry is created."""
        result["next_flow"] = (FlowType.CONFIG_SUBENTRIES_FLOW, flow_id)

else:
    import voluptuous as vol
    from homeassistant.config_entries import ConfigFlowResult

    def set_next_subentry_flow(result: ConfigFlowResult, flow_id: str) -> None:
        """Have the frontend open this subentry flow (2026 releases read ``next_flow``)."""
        result["next_flow"] = ("config_subentries_flow", flow_id)  # type: ignore[typeddict-unknown-key]


__all__ = ["set_next_subentry_flow", "vol"]
