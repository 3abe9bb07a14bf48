"""Tests for the encoding choice: GSM-7 transliteration and counting in a forced alphabet."""

# The alert texts hold curly quotes and dashes on purpose: they are what is transliterated.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from custom_components.benelux_sms.gateways.base import Encoding
from custom_components.benelux_sms.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    EncodingChoice,
    PreparedText,
    SegmentCount,
    UnmappableCharacterError,
    count_segments,
    is_blank,
    prepare_text,
    to_gsm7,
)

GSM7_CHARS = sorted(GSM7_BASIC | GSM7_EXTENSION)
GRINNING_FACE = "\U0001f600"
FIRE = "\U0001f525"
FAMILY_EMOJI = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
WARNING_EMOJI = "\u26a0\ufe0f"
DUTCH_FLAG = "\U0001f1f3\U0001f1f1"
KEYCAP_ONE = "1\ufe0f\u20e3"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rookmelder zolder: ‘brand’ – bel 112!", "Rookmelder zolder: 'brand' - bel 112!"),
        (
            "Alarme déclenchée à l’entrée — fenêtre ouverte",
            "Alarme déclenchée à l'entrée - fenetre ouverte",
        ),
        ("Température congélateur : -5 °C", "Température congélateur : -5 C"),
        ("Température congélateur\u00a0: \u22125\u202f°C", "Température congélateur : -5 C"),
        ("Garçon ça a marché", "Garcon ca a marché"),
        (
            f"{WARNING_EMOJI} Hallo Anna, de “voordeur” staat open {GRINNING_FACE}",
            '! Hallo Anna, de "voordeur" staat open',
        ),
        ("« Porte d’entrée » ouverte…", '" Porte d\'entrée " ouverte...'),
        ("Wasmachine klaar ✅", "Wasmachine klaar OK"),
        ("❌ Back-up mislukt", "X Back-up mislukt"),
        ("Keuken • 21°C • 45 %", "Keuken - 21C - 45 %"),
        ("Fijnstof 12 µg/m³ ≥ grens", "Fijnstof 12 ug/m3 >= grens"),
        ("Verbruik ½ kWh", "Verbruik 1/2 kWh"),
        ("Łódź, Kraków, Œuvre", "Lodz, Krakow, OEuvre"),
        ("Thuisbatterij™ © Acme", "ThuisbatterijTM (c) Acme"),
        ("Over\u00adloop\u200b melding", "Overloop melding"),
    ],
)
def test_to_gsm7_transliterates_alert_texts(text: str, expected: str) -> None:
    assert to_gsm7(text) == expected
    prepared = prepare_text(text, EncodingChoice.GSM7)
    assert prepared.text == expected
    assert prepared.encoding is Encoding.GSM7
    assert prepared.changed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Brand {FIRE} in de keuken", "Brand in de keuken"),
        (f"{FIRE} Brand", "Brand"),
        (f"Brand {FIRE}{FIRE}", "Brand"),
        (f"Brand!{FIRE} Nu", "Brand! Nu"),
        (f"Thuis {FAMILY_EMOJI} iedereen", "Thuis iedereen"),
        (f"Land {DUTCH_FLAG}", "Land"),
        (f"Stap {KEYCAP_ONE}", "Stap 1"),
        (f"Alarm {GRINNING_FACE}\nDeur open", "Alarm\nDeur open"),
        (f"Alarm\n{GRINNING_FACE} Deur open", "Alarm\nDeur open"),
        ("Afvinken \u2610 klaar", "Afvinken klaar"),
        (f"{GRINNING_FACE}", ""),
    ],
)
def test_to_gsm7_drops_pictographs_and_the_space_they_leave(text: str, expected: str) -> None:
    assert to_gsm7(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ê", "e"),
        ("Ê", "E"),
        ("ç", "c"),
        ("ō", "o"),
        ("á", "a"),
        ("È", "E"),
        ("ł", "l"),
        ("ﬁ", "fi"),
        ("e\u0301", "é"),  # decomposed é composes to the GSM-7 é
        ("c\u0327", "c"),  # decomposed ç
        ("\u212b", "Å"),  # angstrom sign
        ("\u2126", "Ω"),  # ohm sign
        ("\u2103", "C"),  # degree Celsius sign
        ("\t", " "),
        ("\u2028", "\n"),
    ],
)
def test_to_gsm7_maps_one_character(text: str, expected: str) -> None:
    assert to_gsm7(text) == expected


@pytest.mark.parametrize("char", GSM7_CHARS)
def test_gsm7_char_passes_unchanged(char: str) -> None:
    assert to_gsm7(char) == char
    # Also inside a text that is transliterated.
    assert to_gsm7(f"ê{char}”") == f'e{char}"'


@pytest.mark.parametrize(
    "text",
    [
        "".join(GSM7_CHARS),
        "Alarm: Ça brule? Non. Øre, Åse, Æsir, ß, {x} [y] ~z | ^ \\ €5",
        "Rookmelder zolder: 'brand' - bel 112!",
    ],
)
def test_pure_gsm7_text_is_not_changed(text: str) -> None:
    assert to_gsm7(text) is text
    prepared = prepare_text(text, EncodingChoice.GSM7)
    assert prepared.text is text
    assert not prepared.changed


@pytest.mark.parametrize(
    ("text", "char"),
    [
        ("Brand 火事", "火"),
        ("Alarm: حريق", "ح"),
        ("Пожар", "П"),
        ("Stap ∞", "∞"),
        ("Priv\ue000", "\ue000"),
        ("Null\x00", "\x00"),
        ("ok ê 水 й", "水"),
    ],
)
def test_unmappable_char_is_refused_by_name(text: str, char: str) -> None:
    with pytest.raises(UnmappableCharacterError) as excinfo:
        to_gsm7(text)
    assert excinfo.value.character == char
    assert f"U+{ord(char):04X}" in str(excinfo.value)
    with pytest.raises(UnmappableCharacterError):
        prepare_text(text, EncodingChoice.GSM7)


def test_unmappable_message_names_the_char() -> None:
    error = UnmappableCharacterError("✗")
    assert str(UnmappableCharacterError("水")) == "'水' (U+6C34) has no GSM-7 form"
    assert isinstance(error, ValueError)
    assert error.character == "✗"


@pytest.mark.parametrize("choice", [EncodingChoice.AUTO, EncodingChoice.UCS2])
def test_other_choices_never_refuse(choice: EncodingChoice) -> None:
    prepared = prepare_text("Brand 火事", choice)
    assert prepared == PreparedText("Brand 火事", Encoding.UCS2, segments=1, changed=False)


CURLY_160 = "a" * 159 + "’"
PURE_100 = "a" * 100


@pytest.mark.parametrize(
    ("text", "choice", "expected"),
    [
        (PURE_100, EncodingChoice.AUTO, PreparedText(PURE_100, Encoding.GSM7, 1, changed=False)),
        (PURE_100, EncodingChoice.GSM7, PreparedText(PURE_100, Encoding.GSM7, 1, changed=False)),
        (PURE_100, EncodingChoice.UCS2, PreparedText(PURE_100, Encoding.UCS2, 2, changed=False)),
        (CURLY_160, EncodingChoice.AUTO, PreparedText(CURLY_160, Encoding.UCS2, 3, changed=False)),
        (
            CURLY_160,
            EncodingChoice.GSM7,
            PreparedText("a" * 159 + "'", Encoding.GSM7, 1, changed=True),
        ),
        (CURLY_160, EncodingChoice.UCS2, PreparedText(CURLY_160, Encoding.UCS2, 3, changed=False)),
        ("", EncodingChoice.AUTO, PreparedText("", Encoding.GSM7, 0, changed=False)),
        ("", EncodingChoice.UCS2, PreparedText("", Encoding.UCS2, 0, changed=False)),
        # Dropping the emoji brings the text back into one GSM-7 part.
        (
            "a" * 150 + " " + GRINNING_FACE,
            EncodingChoice.GSM7,
            PreparedText("a" * 150, Encoding.GSM7, 1, changed=True),
        ),
        # A transliteration can also make the text longer.
        (
            "a" * 158 + "…",
            EncodingChoice.GSM7,
            PreparedText("a" * 158 + "...", Encoding.GSM7, 2, changed=True),
        ),
    ],
    ids=[
        "pure-auto",
        "pure-gsm7",
        "pure-ucs2",
        "curly-auto",
        "curly-gsm7",
        "curly-ucs2",
        "empty-auto",
        "empty-ucs2",
        "emoji-dropped",
        "ellipsis-longer",
    ],
)
def test_prepare_text_for_each_choice(
    text: str, choice: EncodingChoice, expected: PreparedText
) -> None:
    assert prepare_text(text, choice) == expected


def test_prepare_text_defaults_to_auto_and_takes_plain_strings() -> None:
    assert prepare_text(CURLY_160) == prepare_text(CURLY_160, EncodingChoice.AUTO)
    assert prepare_text(CURLY_160, "gsm7").text == "a" * 159 + "'"  # type: ignore[arg-type]
    assert EncodingChoice("ucs2") is EncodingChoice.UCS2
    with pytest.raises(ValueError, match="utf8"):
        prepare_text("a", "utf8")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "segments", "units"),
    [
        ("a" * 70, 1, 70),
        ("a" * 71, 2, 71),
        ("a" * 134, 2, 134),
        ("a" * 135, 3, 135),
        # An extension char is one UTF-16 unit, not an escape pair.
        ("€" * 70, 1, 70),
        ("{" * 71, 2, 71),
        # The surrogate pair cannot straddle parts, so part one holds 66 units.
        ("a" * 66 + GRINNING_FACE + "a" * 65, 2, 133),
        ("a" * 66 + GRINNING_FACE + "a" * 66, 3, 134),
        ("", 0, 0),
    ],
)
def test_count_segments_forced_ucs2(text: str, segments: int, units: int) -> None:
    assert count_segments(text, Encoding.UCS2) == SegmentCount(Encoding.UCS2, segments, units)


@pytest.mark.parametrize(
    "text", ["a" * 160, "a" * 161, "€" * 80, "a" * 152 + "€" + "a" * 152, "ç" * 80, "x" + FIRE]
)
def test_count_segments_default_is_unchanged(text: str) -> None:
    auto = count_segments(text)
    assert count_segments(text, None) == auto
    assert count_segments(text, auto.encoding) == auto


def test_count_segments_forced_gsm7_refuses_other_chars() -> None:
    assert count_segments("€" * 80, Encoding.GSM7) == SegmentCount(Encoding.GSM7, 1, 160)
    with pytest.raises(UnmappableCharacterError) as excinfo:
        count_segments("Garçon", Encoding.GSM7)
    assert excinfo.value.character == "ç"


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\u200b\u200b",
        " \t\n\r\f\v",
        "\u00a0\u2007\u202f\u3000",  # Zs
        "\u2028\u2029",  # Zl, Zp
        "\x00\x07\x1b\x7f\x85",  # Cc
        "\u200c\u200d\u200e\u200f\u202e\u2066",  # joiners and direction marks (Cf)
        "\u2060\ufeff\u00ad\u180e\u061c",  # word joiner, BOM, soft hyphen (Cf)
        "\ufe0f\ufe0e\U000e0100",  # variation selectors (Mn)
        "\U000e0067\U000e0062\U000e007f",  # emoji tags without their flag
        "\u034f\u115f\u1160\u3164\uffa0",  # grapheme joiner, Hangul fillers
        "\u2800",  # braille pattern blank
        " \u200b \u2060\n\ufeff ",
    ],
)
def test_text_that_shows_nothing_is_blank(text: str) -> None:
    assert is_blank(text)


@pytest.mark.parametrize(
    "text",
    [".", "a\u200b", "\u200b0", "\u0301", "-", GRINNING_FACE, WARNING_EMOJI, "\u00b0", "\u2801"],
)
def test_text_with_something_to_see_is_not_blank(text: str) -> None:
    assert not is_blank(text)


@pytest.mark.parametrize(
    "text",
    [
        GRINNING_FACE,
        f"{FIRE} {FIRE}",
        f"\u200b\ufe0f{FAMILY_EMOJI}\n{FIRE}",
        "\u00b0",
        " \u2610 ",
    ],
)
def test_gsm7_dropping_every_visible_character_leaves_blank_text(text: str) -> None:
    prepared = prepare_text(text, EncodingChoice.GSM7)
    assert not is_blank(text)
    assert is_blank(prepared.text)
    assert prepared.changed


@pytest.mark.parametrize("choice", list(EncodingChoice))
@pytest.mark.parametrize("text", ["\u200b\u200b", " \n", ""])
def test_blank_text_stays_blank_for_the_caller_to_refuse(text: str, choice: EncodingChoice) -> None:
    assert is_blank(prepare_text(text, choice).text)


def test_gsm7_names_the_character_as_it_was_typed() -> None:
    """A compatibility ideograph (U+F900) composes to another code point (U+8C48) under NFC;
    the error names the one in the text. Hypothesis found this one."""
    with pytest.raises(UnmappableCharacterError) as raised:
        prepare_text("Alarm \uf900", EncodingChoice.GSM7)

    assert raised.value.character == "\uf900"
