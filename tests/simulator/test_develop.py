"""scripts/develop: a new user's Home Assistant starts in the country its configuration names."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from simulator.demo.processes import configuration, skip_core_config_step


def test_develop_configuration_names_the_netherlands() -> None:
    """configuration.yaml sets the country and time zone national numbers are read in."""
    core = yaml.safe_load(configuration(8123, name="develop", frontend=True))["homeassistant"]
    assert (core["country"], core["time_zone"], core["unit_system"]) == (
        "NL",
        "Europe/Amsterdam",
        "metric",
    )


def test_first_start_skips_the_onboarding_page_that_would_store_other_values(
    tmp_path: Path,
) -> None:
    """Onboarding's core_config step is done before the first start, so the browser shows
    the user step and never the page preset to the United States, UTC and °F.
    """
    assert skip_core_config_step(tmp_path)

    store = json.loads((tmp_path / ".storage" / "onboarding").read_text())
    assert store["key"] == "onboarding"
    assert store["data"]["done"] == ["core_config"]


def test_a_configuration_in_use_keeps_its_onboarding(tmp_path: Path) -> None:
    """A second run leaves the user's onboarding state alone."""
    store = tmp_path / ".storage" / "onboarding"
    store.parent.mkdir()
    store.write_text('{"data": {"done": ["user", "core_config", "analytics"]}}')

    assert not skip_core_config_step(tmp_path)
    assert json.loads(store.read_text())["data"]["done"] == ["user", "core_config", "analytics"]
