"""The house style of the texts (shared/TRANSLATIONS.md), where a machine can check it.

Each test reads every text of a language, so texts added later are held to the same rules.
A failure names the key, what is wrong and the word to use instead.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from homeassistant.util.yaml import load_yaml_dict

from .test_translations import INTEGRATION, PLACEHOLDER, leaves

BLUEPRINTS = sorted((INTEGRATION.parent.parent / "blueprints").rglob("*.yaml"))
LANGUAGES = ("en", "nl", "fr")


def texts(language: str) -> dict[str, str]:
    """Return every text of a language by its dotted key path."""
    path = INTEGRATION / "translations" / f"{language}.json"
    found = leaves(json.loads(path.read_text(encoding="utf-8")))
    return {key: str(text) for key, text in found.items()}


def prose(text: str) -> str:
    """Return a text without what is not language: placeholders, URLs, code in backticks."""
    text = PLACEHOLDER.sub("X", text)
    text = re.sub(r"`[^`]*`", "X", text)
    return re.sub(r"\w+://\S*", "X", text)


def offences(language: str, pattern: str) -> list[str]:
    """Return 'key: text' for each text of a language whose prose matches a pattern."""
    return [
        f"{key}: {text}" for key, text in texts(language).items() if re.search(pattern, prose(text))
    ]


# Punctuation that French sets off with a non-breaking space (U+00A0, or the narrow U+202F).
FRENCH_SPACED = re.compile(r"(?<![\u00a0\u202f])[:;?!]")
# A clock time (12:30) takes no space.
CLOCK_TIME = re.compile(r"(?<=\d):(?=\d)")


def test_french_puts_a_non_breaking_space_before_colon_semicolon_question_and_exclamation() -> None:
    """« Remarque : … » with U+00A0, never a plain space or none; URLs and placeholders aside."""
    missing = [
        f"{key}: …{prose(text)[max(0, match.start() - 20) : match.end() + 5]}…"
        for key, text in texts("fr").items()
        for match in FRENCH_SPACED.finditer(CLOCK_TIME.sub("", prose(text)))
    ]
    assert not missing, "no U+00A0 before : ; ? ! in\n" + "\n".join(missing)


def test_french_guillemets_hold_non_breaking_spaces() -> None:
    """« and » keep their word close with U+00A0 (or U+202F)."""
    assert not offences("fr", r"«(?![\u00a0\u202f])|(?<![\u00a0\u202f])»")


def test_dutch_says_je_not_u() -> None:
    """Home Assistant's Dutch texts address the user as "je"; "u" and "uw" are formal."""
    assert not offences("nl", r"\b(?:[Uu]|[Uu]w)\b"), "use je / jouw / je"


def test_french_says_vous_not_tu() -> None:
    """Home Assistant's French texts address the user as "vous"."""
    assert not offences("fr", r"\b(?:[Tt]u|[Tt]oi|[Tt]on|[Tt]es)\b"), "use vous / votre"


# (language, a pattern of a wrong word, the word the glossary or the UI uses)
WRONG_WORDS = [
    ("nl", r"(?i)afleverbericht", "afleverrapport"),
    ("nl", r"(?i)\bvenster", "blokkeertijd voor dubbele berichten"),
    ("nl", r"(?i)\bbezorg", "versturen / afleveren (bezorgen is for parcels)"),
    ("nl", r"(?i)\baangenomen\b", "geaccepteerd"),
    ("nl", r"(?i)\bhoogstens\b", "maximaal"),
    ("nl", r"(?i)(?<!sms-)segment", "sms-segment"),
    ("nl", r"(?i)\bapparaten (?!en diensten)", "Apparaten en diensten"),
    ("nl", r"(?i)\bherstellingen\b", "Reparaties"),
    ("fr", r"(?i)rapports? de (?:remise|réception)|accusés? de remise", "accusé de réception"),
    ("fr", r"(?i)\bfen[êe]tre", "délai anti-doublon"),
    ("fr", r"(?i)anti-doublons", "délai anti-doublon"),
    ("fr", r"(?i)\blivr\w*", "envoyer / remettre (livrer is for parcels)"),
    ("fr", r"(?i)\bau plus\b", "au maximum"),
    ("fr", r"(?i)\bsegments?\b(?! SMS)", "segment SMS"),
    ("fr", r"\bsms\b", "SMS"),
    ("fr", r"(?i)\bappareils (?!et services)", "Appareils et services"),
    ("fr", r"(?i)\bréparations\b", "Corrections"),
    ("en", r"(?i)\bdevices and services\b", "Devices & services"),
]


@pytest.mark.parametrize(
    ("language", "wrong", "right"),
    [pytest.param(*case, id=f"{case[0]}-{case[2].split()[0]}") for case in WRONG_WORDS],
)
def test_glossary_word_is_used(language: str, wrong: str, right: str) -> None:
    """One word per thing: the glossary's, and the UI's own labels."""
    assert not offences(language, wrong), f"use {right!r}"


# Names that hold "SMS" or "service" and are no running text.
NAMES = re.compile(
    r"KPN Vonage SMS|KPN SMS|Benelux SMS|SMS Service Center|Vonage SMS API|SMS Gateway API"
    r"|SMS API|Devices & services|Apparaten en diensten|Appareils et services"
)


def test_dutch_writes_sms_in_lower_case() -> None:
    """Running Dutch text writes "sms" (and "sms-segment"); product names keep their capitals."""
    wrong = [
        f"{key}: {text}"
        for key, text in texts("nl").items()
        if re.search(r"\bSMS\b", NAMES.sub("X", prose(text)))
    ]
    assert not wrong


@pytest.mark.parametrize("language", LANGUAGES)
def test_actions_are_not_called_services(language: str) -> None:
    """Home Assistant calls them actions (Actie / Action) now; "service" is only in names."""
    pattern = r"(?i)\b(?:services?|diensten?|dienst)\b"
    wrong = [
        f"{key}: {text}"
        for key, text in texts(language).items()
        if re.search(pattern, NAMES.sub("X", prose(text)))
    ]
    assert not wrong


# The settings pages a text may send the user to, as Home Assistant names them.
SETTINGS_PAGES = {
    "en": ("Settings", ("Devices & services", "System → Network", "Repairs")),
    "nl": ("Instellingen", ("Apparaten en diensten", "Systeem → Netwerk", "Reparaties")),
    "fr": ("Paramètres", ("Appareils et services", "Système → Réseau", "Corrections")),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_settings_paths_name_the_pages_as_the_ui_does(language: str) -> None:
    """A path from Settings goes on with a page the UI has, spelled as the UI spells it."""
    settings, pages = SETTINGS_PAGES[language]
    paths = [
        (key, match.group(1))
        for key, text in texts(language).items()
        for match in re.finditer(rf"{settings} → (.*)", text)
    ]
    assert paths, f"no text names {settings} → …; is the pattern still right?"
    wrong = [f"{key}: {path}" for key, path in paths if not path.startswith(pages)]
    assert not wrong


def test_duplicate_window_label_is_the_glossary_word() -> None:
    """Not the calques "Venster" / "Fenêtre", but what the glossary calls it."""
    for step in ("init", "portal"):
        key = f"options.step.{step}.data.duplicate_window"
        assert texts("nl")[key].lower().startswith("blokkeertijd voor dubbele berichten")
        assert texts("fr")[key].lower().startswith("délai anti-doublon")


# Nouns that a count before them would need in the plural: "1 seconds" is what this prevents.
PLURAL_NOUNS = {
    "en": "seconds|minutes|hours|days|recipients|segments|messages|credits|numbers|characters",
    "nl": "seconden|minuten|uren|dagen|ontvangers|segmenten|berichten|nummers|tekens",
    "fr": "secondes|minutes|heures|jours|destinataires|segments|messages|crédits|numéros"
    "|caractères",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_count_placeholder_before_a_plural_noun(language: str) -> None:
    """A count can be 1, and exception messages have no plural forms: say "seconds: {n}"."""
    pattern = re.compile(
        rf"{{\w+}}\s+(?:(?:SMS|sms)[- ])?(?:de (?:ses |leurs )?)?(?:{PLURAL_NOUNS[language]})\b",
        re.IGNORECASE,
    )
    wrong = [f"{key}: {text}" for key, text in texts(language).items() if pattern.search(text)]
    assert not wrong


@pytest.mark.parametrize("language", LANGUAGES)
def test_exception_messages_take_only_plain_placeholders(language: str) -> None:
    """Exception messages are filled by str.format (2025.4 and 2026.11): no ICU plural syntax.

    Home Assistant catches only a KeyError there; "{count, plural, …}" raises ValueError when
    the automation's error is turned into text.
    """
    for key, text in texts(language).items():
        if key.startswith("exceptions."):
            names = dict.fromkeys(PLACEHOLDER.findall(text), "1")
            assert "{" not in text.format(**names), key


def blueprint_texts(node: Any, path: str = "") -> dict[str, str]:
    """Return each name and description of a blueprint by its path."""
    if isinstance(node, dict):
        found: dict[str, str] = {}
        for key, value in node.items():
            if key in ("name", "description") and isinstance(value, str):
                found[f"{path}.{key}"] = value
            else:
                found.update(blueprint_texts(value, f"{path}.{key}"))
        return found
    return {}


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda path: path.name)
def test_blueprints_say_action_and_name_entity_lists_as_lists(path: Path) -> None:
    """Blueprint texts say "action", not "service"; an input of several entities says so."""
    blueprint = load_yaml_dict(path)["blueprint"]
    wrong = [
        f"{key}: {text}"
        for key, text in blueprint_texts(blueprint).items()
        if re.search(r"(?i)\bservices?\b", NAMES.sub("X", text))
    ]
    assert not wrong
    for name, field in blueprint["input"].items():
        entity = field.get("selector", {}).get("entity") or {}
        if entity.get("multiple"):
            assert "entities" in field["name"].lower(), f"{name}: {field['name']}"
