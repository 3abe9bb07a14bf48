"""The files HACS and hassfest check before they take the integration."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from homeassistant import const as ha_const
from PIL import Image

from assets.brand import render
from custom_components.benelux_sms.const import DOMAIN

ROOT = Path(__file__).parents[1]
INTEGRATION = ROOT / "custom_components" / DOMAIN
BRAND = INTEGRATION / "brand"

# sha256 of the Apache License 2.0 as apache.org (and Debian's common-licenses) ship it.
APACHE_2_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
COPYRIGHT = "Copyright 2026 The Benelux SMS contributors"
HACS_JSON_KEYS = {
    "name",
    "content_in_root",
    "country",
    "filename",
    "hacs",
    "hide_default_branch",
    "homeassistant",
    "persistent_directory",
    "render_readme",
    "zip_release",
}
IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
INTEGRATION_TYPES = {"device", "entity", "hardware", "helper", "hub", "service", "system"}
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _version(text: str) -> tuple[int, ...]:
    assert SEMVER.match(text), text
    return tuple(int(part) for part in text.split("."))


def _https(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme == "https" and bool(parsed.netloc)


# hacs.json


def test_hacs_json() -> None:
    """Only keys HACS knows; a name; the Home Assistant the tests run on as the minimum."""
    hacs = _json(ROOT / "hacs.json")

    assert set(hacs) <= HACS_JSON_KEYS
    assert hacs["name"] == "Benelux SMS"
    assert hacs.get("render_readme") is True
    assert not hacs.get("content_in_root")
    assert not hacs.get("zip_release")
    assert _version(hacs["homeassistant"]) <= _version(ha_const.__version__)


def test_one_integration_in_custom_components() -> None:
    """HACS installs the first folder in custom_components/: it must be this one, alone."""
    folders = [p.name for p in (ROOT / "custom_components").iterdir() if p.is_dir()]
    assert [name for name in folders if name != "__pycache__"] == [DOMAIN]


# manifest.json


@pytest.fixture(name="manifest")
def manifest_fixture() -> dict[str, Any]:
    """The integration's manifest."""
    return _json(INTEGRATION / "manifest.json")  # type: ignore[no-any-return]


def test_manifest_has_what_hassfest_and_hacs_require(manifest: dict[str, Any]) -> None:
    """Domain as the folder, name, owners, https links, a valid IoT class and type, a version."""
    assert manifest["domain"] == INTEGRATION.name
    assert manifest["name"] == "Benelux SMS"
    assert manifest["codeowners"]
    assert all(owner.startswith("@") for owner in manifest["codeowners"])
    assert _https(manifest["documentation"])
    assert _https(manifest["issue_tracker"])
    assert manifest["iot_class"] == "cloud_push"
    assert manifest["integration_type"] in INTEGRATION_TYPES
    assert manifest["config_flow"] is True
    assert "webhook" in manifest["dependencies"]


def test_manifest_keys_sorted_as_hassfest_wants(manifest: dict[str, Any]) -> None:
    """Domain, name, then the rest in alphabetical order."""
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_manifest_loggers_name_only_libraries(manifest: dict[str, Any]) -> None:
    """loggers is for the libraries' loggers, never the integration's own package."""
    assert not any(name.startswith("custom_components") for name in manifest.get("loggers", []))


def test_requirements_pinned_to_what_the_tests_use(manifest: dict[str, Any]) -> None:
    """Every requirement is pinned with ==, to the version the test stack installs."""
    tested = {
        name.lower(): version
        for name, version in re.findall(
            r"^([A-Za-z0-9_.-]+)==(\S+)",
            (ROOT / "requirements" / "test.txt").read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    }
    assert manifest["requirements"]
    for requirement in manifest["requirements"]:
        name, separator, version = requirement.partition("==")
        assert separator == "==", requirement
        assert " " not in requirement
        assert tested[name.lower()] == version


def test_one_version_everywhere(manifest: dict[str, Any]) -> None:
    """manifest.json, pyproject.toml and the changelog's latest release agree."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE)

    _version(manifest["version"])
    assert pyproject["project"]["version"] == manifest["version"]
    assert "## [Unreleased]" in changelog
    assert releases[0] == manifest["version"]


# brand/


@pytest.mark.parametrize(("name", "side"), [("icon", 256), ("dark_icon", 256)])
@pytest.mark.parametrize("hdpi", [False, True])
def test_icons_are_square_and_transparent(name: str, side: int, hdpi: bool) -> None:
    """256 x 256 (512 for @2x), RGBA PNG, a see-through corner, the mark touching two edges."""
    scale = 2 if hdpi else 1
    with Image.open(BRAND / f"{name}{'@2x' if hdpi else ''}.png") as icon:
        assert icon.format == "PNG"
        assert icon.mode == "RGBA"
        assert icon.size == (side * scale, side * scale)
        assert icon.getpixel((0, 0))[3] == 0
        left, top, right, bottom = icon.getchannel("A").getbbox()
        assert (left, right) == (0, icon.width) or (top, bottom) == (0, icon.height)


@pytest.mark.parametrize("name", ["logo", "dark_logo"])
def test_logos_are_landscape_and_trimmed(name: str) -> None:
    """Shortest side 128-256 (256-512 for @2x), wider than high, no empty margin."""
    with Image.open(BRAND / f"{name}.png") as logo, Image.open(BRAND / f"{name}@2x.png") as hdpi:
        for image, low, high in ((logo, 128, 256), (hdpi, 256, 512)):
            assert image.format == "PNG"
            assert image.mode == "RGBA"
            assert low <= image.height <= high
            assert image.width > image.height
            assert image.getchannel("A").getbbox() == (0, 0, image.width, image.height)
        assert abs(hdpi.width - 2 * logo.width) <= 2
        assert hdpi.height == 2 * logo.height


def test_brand_folder_holds_only_what_home_assistant_serves() -> None:
    """The eight names Home Assistant looks for, and nothing else."""
    expected = {
        f"{dark}{kind}{hdpi}.png"
        for dark in ("", "dark_")
        for kind in ("icon", "logo")
        for hdpi in ("", "@2x")
    }
    assert {path.name for path in BRAND.iterdir()} == expected


def test_brand_images_are_what_their_source_draws() -> None:
    """No image was edited by hand or left stale: scripts/render-brand makes them all."""
    assert render.differences(BRAND) == []


# LICENSE, workflows, quality scale


def test_license_is_apache_2() -> None:
    """The unaltered Apache License 2.0, with the project's copyright line filled in."""
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")

    assert text.count(COPYRIGHT) == 1
    original = "\n" + text.replace(COPYRIGHT, "Copyright [yyyy] [name of copyright owner]")
    assert hashlib.sha256(original.encode()).hexdigest() == APACHE_2_SHA256


def _steps(workflow: str) -> list[dict[str, Any]]:
    document = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text())
    return [step for job in document["jobs"].values() for step in job["steps"]]


def _uses(steps: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [step for step in steps if step.get("uses", "").startswith(f"{action}@")]


def test_workflows_run_hassfest_hacs_and_the_tests() -> None:
    """hassfest, the HACS action for an integration, scripts/test on Python 3.13, the browser."""
    validate = _steps("validate.yml")
    tests = _steps("tests.yml")

    assert any(
        step.get("uses", "").startswith("home-assistant/actions/hassfest@") for step in validate
    )
    [hacs] = [step for step in validate if step.get("uses", "").startswith("hacs/action@")]
    assert hacs["with"]["category"] == "integration"
    assert "ignore" not in hacs["with"]
    [python] = _uses(tests, "actions/setup-python")
    assert python["with"]["python-version"] == "3.13"
    assert any(step.get("run") == "./scripts/test" for step in tests)
    assert any(step.get("run") == "./scripts/test-browser" for step in tests)


def test_quality_scale_has_no_todo() -> None:
    """Every rule is done, or exempt with the reason."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]

    for name, rule in rules.items():
        status = rule if isinstance(rule, str) else rule["status"]
        assert status in {"done", "exempt"}, name
        if status == "exempt":
            assert rule["comment"], name
