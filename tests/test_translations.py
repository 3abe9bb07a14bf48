"""Checks that the translations match strings.json and that the code's translation keys exist."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "benelux_sms"
STRINGS = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
TRANSLATIONS = sorted((INTEGRATION / "translations").glob("*.json"))
PLACEHOLDER = re.compile(r"{(\w+)}")
# The reasons PhoneNumberError gives, used in validation_error(f"invalid_number_{err.reason}").
NUMBER_ERROR_REASONS = (
    "not_a_number",
    "not_mobile",
    "country_not_served",
    "not_national_be",
    "not_national_nl",
    "not_national_lu",
)


def leaves(node: object, path: str = "") -> dict[str, object]:
    """Return every leaf of a strings tree by its dotted key path."""
    if not isinstance(node, dict):
        return {path: node}
    found: dict[str, object] = {}
    for key, value in node.items():
        found.update(leaves(value, f"{path}.{key}" if path else key))
    return found


def placeholders(text: object) -> set[str]:
    """Return the names of the {placeholders} in a string."""
    return set(PLACEHOLDER.findall(str(text)))


def keys_in(node: ast.expr) -> list[str]:
    """Return the translation keys an expression can give: literals, ternaries, f-strings."""
    if isinstance(node, ast.JoinedStr):
        prefix = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        assert prefix == "invalid_number_", f"unexpected f-string key {ast.unparse(node)}"
        return [prefix + reason for reason in NUMBER_ERROR_REASONS]
    return [
        sub.value
        for sub in ast.walk(node)
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str)
    ]


def used_keys() -> list[tuple[str, str, str]]:
    """Return (source, section of strings.json, key) for each translation key in the code."""
    used = []
    for module in sorted(INTEGRATION.glob("*.py")):
        for call in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not isinstance(call, ast.Call):
                continue
            name = ast.unparse(call.func)
            if name.endswith("Description"):  # BeneluxSmsSensorDescription(...)
                section = f"entity.{module.stem}"  # sensor.py -> entity.sensor
            elif name.endswith("async_create_issue"):
                section = "issues"
            else:
                section = "exceptions"
            values = [kw.value for kw in call.keywords if kw.arg == "translation_key"]
            if name == "validation_error" and call.args:
                values.append(call.args[0])
            for value in values:
                if isinstance(value, ast.Name):
                    continue  # a constant such as CONF_ENCODING: a selector key, not an error
                used.extend(
                    (f"{module.name}:{call.lineno}", section, key) for key in keys_in(value)
                )
    return used


STRINGS_LEAVES = leaves(STRINGS)


def test_there_are_translations() -> None:
    """en, nl and fr are all there, so the parametrised tests below really run."""
    assert {path.stem for path in TRANSLATIONS} >= {"en", "nl", "fr"}


def test_en_json_equals_strings_json() -> None:
    """translations/en.json is strings.json, as Home Assistant's translation script makes it."""
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))
    assert english == STRINGS


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda path: path.name)
def test_translation_matches_strings(path: Path) -> None:
    """Same key paths as strings.json, non-empty strings, and the same placeholders."""
    translated = leaves(json.loads(path.read_text(encoding="utf-8")))

    assert set(translated) == set(STRINGS_LEAVES)
    for key, text in translated.items():
        assert isinstance(text, str), f"{key} is not a string"
        assert text.strip(), f"{key} is empty"
        assert placeholders(text) == placeholders(STRINGS_LEAVES[key]), f"{key} placeholders"


def test_code_translation_keys_exist() -> None:
    """Every translation key raised or set in the code is in strings.json."""
    used = used_keys()
    assert len(used) > 10, "the code scan found too few keys; is the parsing still right?"
    for source, section, key in used:
        node = STRINGS
        for part in section.split("."):
            node = node[part]
        assert key in node, f"{source}: {key!r} is not under {section!r} in strings.json"
