"""scripts/ha_deprecations.py: the integration's uses of what a release marks deprecated.

On a small planted release (always), and on the downloaded Home Assistant 2026.11 source when
scripts/check-ha-2026.11 has fetched it: there it caught config_flow.py's
``self.show_advanced_options`` (lines 179 and 217, breaks in 2027.6) before it was replaced by
a section, and it catches that use again when planted.
"""

from __future__ import annotations

import configparser
import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
RELEASE_2026_11 = REPO / ".cache" / "ha-2026.11.0" / "src" / "homeassistant"
INTEGRATION = REPO / "custom_components" / "benelux_sms"


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ha_deprecations", REPO / "scripts" / "ha_deprecations.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


ha_deprecations = _checker()


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


_RELEASE = {
    "homeassistant/__init__.py": "",
    "homeassistant/data_entry_flow.py": """
        class FlowHandler:
            @property
            @deprecated_function("a section", breaks_in_ha_version="2027.6")
            def show_advanced_options(self):
                return True

            def async_show_form(self):
                pass
        """,
    "homeassistant/const.py": """
        _DEPRECATED_OLD_UNIT = DeprecatedConstant("x", "NEW_UNIT", "2027.1")
        NEW_UNIT = "x"
        """,
    "homeassistant/helpers/__init__.py": "",
    "homeassistant/helpers/registry.py": """
        _DEPRECATED_INFO_PARAMETERS = {"via_device": ("2027.8.0", "via_device_id")}

        class Registry:
            def async_get_device(self, identifiers):
                report_usage("is deprecated", breaks_in_ha_version="2027.8.0")
                return None

            def async_get_or_create(self, value):
                if value is None:
                    report_usage("passes None", breaks_in_ha_version="2026.12.0")
                return value

            def async_update_device(self, device_id, *, new=UNDEFINED, remove=UNDEFINED):
                if remove is not UNDEFINED:
                    report_usage("remove is deprecated", breaks_in_ha_version="2027.8.0")

        class Deleted:
            @property
            def config_entries(self):
                report_usage("is deprecated", breaks_in_ha_version="2027.10.0")

        class Hass:
            def __init__(self):
                self.config_entries = []
        """,
}


@pytest.fixture
def release(tmp_path: Path) -> Path:
    _write(tmp_path / "release", _RELEASE)
    return tmp_path / "release" / "homeassistant"


def _uses(release: Path, integration: Path, always_true: tuple[str, ...] = ()) -> list[str]:
    found = ha_deprecations.read_release(release, ha_deprecations.release_packages(integration))
    return [
        str(use) for use in ha_deprecations.find_uses(integration, found.deprecations, always_true)
    ]


def test_each_kind_of_deprecation_is_named_with_file_line_and_version(
    release: Path, tmp_path: Path
) -> None:
    _write(
        tmp_path / "integration",
        {
            "config_flow.py": """
                from homeassistant.const import OLD_UNIT, NEW_UNIT
                from homeassistant.helpers import registry as reg

                class Flow:
                    def step(self):
                        if self.show_advanced_options:
                            return self.async_show_form()

                def setup(hass, registry):
                    registry.async_get_device({("x", "y")})
                    registry.async_get_or_create(None)
                    registry.async_get_or_create(value=1, via_device=("x", "y"))
                    registry.async_update_device("d", new="s")
                    registry.async_update_device("d", remove="s")
                    return hass.config_entries
                """
        },
    )
    uses = _uses(release, tmp_path / "integration")
    path = tmp_path / "integration" / "config_flow.py"
    assert uses == [
        f"{path}:2: uses deprecated name homeassistant.const.OLD_UNIT"
        " (breaks in Home Assistant 2027.1; homeassistant/const.py:2)",
        f"{path}:7: uses deprecated name homeassistant.data_entry_flow."
        "FlowHandler.show_advanced_options (breaks in Home Assistant 2027.6;"
        " homeassistant/data_entry_flow.py:5)",
        f"{path}:11: uses deprecated name homeassistant.helpers.registry."
        "Registry.async_get_device (breaks in Home Assistant 2027.8.0;"
        " homeassistant/helpers/registry.py:5)",
        f"{path}:13: uses deprecated argument homeassistant.helpers.registry.via_device"
        " (breaks in Home Assistant 2027.8.0; homeassistant/helpers/registry.py:2)",
        f"{path}:15: uses deprecated argument homeassistant.helpers.registry."
        "Registry.async_update_device.remove (breaks in Home Assistant 2027.8.0;"
        " homeassistant/helpers/registry.py:15)",
    ]


def test_a_report_under_a_condition_is_listed_not_failed(release: Path, tmp_path: Path) -> None:
    _write(tmp_path / "integration", {"a.py": "def f(r):\n    r.async_get_or_create(1)\n"})
    found = ha_deprecations.read_release(release, ["", "helpers"])
    assert [r.qualname for r in found.runtime] == [
        "Registry.async_get_or_create",
        "Registry.async_update_device",
    ]
    assert _uses(release, tmp_path / "integration") == []


def test_a_name_a_live_member_shares_is_not_matched(release: Path) -> None:
    """``hass.config_entries`` is not the deprecated ``DeletedDeviceEntry.config_entries``."""
    found = ha_deprecations.read_release(release, ["", "helpers"])
    assert [dep.qualname for dep in found.ambiguous] == ["Deleted.config_entries"]


def test_the_older_releases_branch_of_a_compat_flag_is_not_read(
    release: Path, tmp_path: Path
) -> None:
    _write(
        tmp_path / "integration",
        {
            "compat.py": """
                NEW_RELEASE = True
                if NEW_RELEASE:
                    def link(r):
                        return r.async_get_or_create(value=1, via_device_id="abc")
                else:
                    def link(r):
                        return r.async_get_or_create(value=1, via_device=("x", "y"))
                if not NEW_RELEASE:
                    def old(r):
                        return r.async_get_device(set())
                """
        },
    )
    assert _uses(release, tmp_path / "integration", ("NEW_RELEASE",)) == []
    assert len(_uses(release, tmp_path / "integration")) == 2


def test_the_command_fails_on_a_use(
    release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    integration = tmp_path / "integration"
    _write(integration, {"a.py": "def f(flow):\n    return flow.show_advanced_options\n"})
    assert ha_deprecations.main([str(release), str(integration)]) == 1
    assert "a.py:2: uses deprecated name" in capsys.readouterr().out
    (integration / "a.py").write_text("def f(flow):\n    return flow.async_show_form()\n")
    assert ha_deprecations.main([str(release), str(integration)]) == 0


needs_release = pytest.mark.skipif(
    not RELEASE_2026_11.is_dir(), reason="scripts/check-ha-2026.11 downloads 2026.11"
)


@needs_release
def test_2026_11_show_advanced_options_and_a_second_planted_use_are_caught(
    tmp_path: Path,
) -> None:
    """The use config_flow.py had, and another 2026.11 deprecation, planted in a copy."""
    integration = tmp_path / "benelux_sms"
    _write(
        integration,
        {
            "config_flow.py": """
                from homeassistant.config_entries import ConfigFlow
                from homeassistant.helpers import device_registry as dr

                class Flow(ConfigFlow, domain="benelux_sms"):
                    def _schema(self):
                        return {"base_url": 1} if self.show_advanced_options else {}

                def account_device(hass, entry_id):
                    return dr.async_get(hass).async_get_device({("benelux_sms", entry_id)})
                """
        },
    )
    uses = _uses(RELEASE_2026_11, integration, ("PROBATIO_RELEASE",))
    assert len(uses) == 2
    assert uses[0].startswith(f"{integration / 'config_flow.py'}:7: uses deprecated name ")
    assert "FlowHandler.show_advanced_options (breaks in Home Assistant 2027.6;" in uses[0]
    assert uses[1].startswith(f"{integration / 'config_flow.py'}:10: ")
    assert "DeviceRegistry.async_get_device (breaks in Home Assistant 2027.8.0;" in uses[1]


@needs_release
def test_the_integration_uses_nothing_2026_11_deprecates() -> None:
    """What scripts/check-ha-2026.11 runs, on the integration as it is.

    compat.py's branches for 2025.4 (the flags mypy takes as true for 2026.11) are not read.
    """
    mypy = configparser.ConfigParser()
    mypy.read(REPO / "requirements" / "mypy-ha-2026.11.ini")
    flags = tuple(flag.strip() for flag in mypy["mypy"]["always_true"].split(","))
    assert "ONE_SUBENTRY_PER_DEVICE" in flags
    assert _uses(RELEASE_2026_11, INTEGRATION, flags) == []
