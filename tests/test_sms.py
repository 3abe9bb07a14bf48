"""Tests for number normalisation and segment counting."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from custom_components.benelux_sms.gateways.base import Encoding
from custom_components.benelux_sms.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SERVED_REGIONS,
    InvalidNumberError,
    SegmentCount,
    count_segments,
    is_gsm7,
    normalise_number,
    recipient_number,
)

SMSBOX_TEST_NUMBERS = frozenset({"+3211111111"})

# The 3GPP TS 23.038 default alphabet in code order, 16 positions a row; "\x1b" marks the
# escape to the extension table, which is not a character of its own.
GSM7_CODE_TABLE_ROWS = (
    "@£$¥èéùìòÇ\nØø\rÅå",
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ",
    " !\"#¤%&'()*+,-./",
    "0123456789:;<=>?",
    "¡ABCDEFGHIJKLMNO",
    "PQRSTUVWXYZÄÖÑÜ§",
    "¿abcdefghijklmno",
    "pqrstuvwxyzäöñüà",
)
EXTENSION_CHARS = "^{}\\[~]|€\f"

FAMILY_EMOJI = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
GRINNING_FACE = "\U0001f600"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0612345678", "+31612345678"),
        ("+31612345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("0031 6 12345678", "+31612345678"),
        ("06 12 34 56 78", "+31612345678"),
        ("06-12345678", "+31612345678"),
        ("06.12.34.56.78", "+31612345678"),
        ("(06) 1234-5678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("  0612345678  ", "+31612345678"),
        ("0681234567", "+31681234567"),
        ("097012345678", "+3197012345678"),
        ("+3197012345678", "+3197012345678"),
        ("+32470123456", "+32470123456"),
        ("+32 470 12 34 56", "+32470123456"),
        ("+32456123456", "+32456123456"),
        ("+32499123456", "+32499123456"),
        ("0032470123456", "+32470123456"),
        ("0032 470 12 34 56", "+32470123456"),
        ("+447911123456", "+447911123456"),
        ("+4915123456789", "+4915123456789"),
        ("+33612345678", "+33612345678"),
        ("+1 415 555 2671", "+14155552671"),
    ],
)
def test_normalise_number_returns_e164(raw: str, expected: str) -> None:
    assert normalise_number(raw) == expected


def test_normalise_number_uses_default_region() -> None:
    assert normalise_number("0470123456", default_region="BE") == "+32470123456"


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("0470 12 34 56", "BE", "+32470123456"),
        ("0470/12.34.56", "BE", "+32470123456"),
        ("0456 12 34 56", "BE", "+32456123456"),
        ("+32 (0)470 12 34 56", "BE", "+32470123456"),
        ("0032 470 12 34 56", "BE", "+32470123456"),
        ("06 12345678", "NL", "+31612345678"),
        ("621 123 456", "LU", "+352621123456"),
        ("0470 12 34 56", " be ", "+32470123456"),
    ],
)
def test_national_form_is_read_in_the_region(raw: str, region: str, expected: str) -> None:
    assert normalise_number(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("0470 12 34 56", "NL"),
        ("06 12345678", "BE"),
        # A region phonenumbers does not know (Antarctica) reads no national form.
        ("0470 12 34 56", "AQ"),
        ("0470 12 34 56", ""),
    ],
)
def test_national_form_of_another_region_is_refused(raw: str, region: str) -> None:
    with pytest.raises(InvalidNumberError) as excinfo:
        normalise_number(raw, region)
    assert excinfo.value.reason == "not_a_number"


@pytest.mark.parametrize("region", ["NL", "BE", "LU", "DE", "US", "AQ", ""])
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+32 470 12 34 56", "+32470123456"),
        ("+31 6 12345678", "+31612345678"),
        ("+352 621 123 456", "+352621123456"),
    ],
)
def test_international_form_is_read_in_every_region(raw: str, region: str, expected: str) -> None:
    assert normalise_number(raw, region) == expected
    assert normalise_number(expected, region) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "+3211111111",
        "3211111111",
        "003211111111",
        "+32 11 11 11 11",
        " 32 1111 1111 ",
        "\t+3211111111",
    ],
)
def test_test_number_matches_without_spaces_and_prefix(raw: str) -> None:
    assert recipient_number(raw, "BE", SMSBOX_TEST_NUMBERS) == "+3211111111"
    assert recipient_number(raw, "NL", SMSBOX_TEST_NUMBERS) == "+3211111111"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("3211111111abc", "not_a_number"),
        ("+3211111111abc", "not_a_number"),
        ("++3211111111", "not_a_number"),
        ("32111111110", "not_a_number"),
        # Separators other than spaces, or the national form: no exact match, so the number
        # is read as any other, and a fixed line cannot receive SMS.
        ("+32-11-11-11-11", "not_mobile"),
        ("+003211111111", "not_mobile"),
        ("011 11 11 11", "not_mobile"),
    ],
)
def test_near_test_number_is_read_as_a_number(raw: str, reason: str) -> None:
    with pytest.raises(InvalidNumberError) as excinfo:
        recipient_number(raw, "BE", SMSBOX_TEST_NUMBERS)
    assert excinfo.value.reason == reason


def test_test_number_of_another_gateway_is_a_number() -> None:
    with pytest.raises(InvalidNumberError) as excinfo:
        recipient_number("+3211111111", "BE", frozenset())
    assert excinfo.value.reason == "not_mobile"


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("0470 12 34 56", "BE", "+32470123456"),
        ("06 12345678", "NL", "+31612345678"),
        ("+31 6 12345678", "BE", "+31612345678"),
    ],
)
def test_recipient_number_normalises_other_numbers(raw: str, region: str, expected: str) -> None:
    assert recipient_number(raw, region, SMSBOX_TEST_NUMBERS) == expected


def test_served_regions_are_the_benelux() -> None:
    assert set(SERVED_REGIONS) == {"NL", "BE", "LU"}


# Run in a fresh interpreter, where phonenumbers has loaded no region yet. The package's
# __init__ (Home Assistant) is skipped: sms.py and the gateway types it uses are pure.
_NUMBER_IO_PROBE = """
import json, sys, types
package = types.ModuleType("custom_components.benelux_sms")
package.__path__ = ["custom_components/benelux_sms"]
sys.modules[package.__name__] = package
from custom_components.benelux_sms import sms
if sys.argv[1] == "load":
    sms.load_number_metadata([*sms.SERVED_REGIONS, "AQ"])
files = []
sys.addaudithook(lambda event, args: files.append(str(args[0])) if event == "open" else None)
for raw, region in json.loads(sys.argv[2]):
    try:
        sms.recipient_number(raw, region, frozenset({"+3211111111"}))
    except sms.InvalidNumberError:
        pass
print(json.dumps(files))
"""

_NUMBERS_OF_SERVED_REGIONS = [
    ("0470 12 34 56", "BE"),
    ("06 12345678", "NL"),
    ("621 123 456", "LU"),
    ("+32 470 12 34 56", "NL"),
    ("0031 6 12345678", "BE"),
    ("+352 621 123 456", "BE"),
    ("020 123 4567", "NL"),
    ("0601234567", "NL"),
    ("3211111111", "BE"),
]


def _files_opened_parsing(numbers: list[tuple[str, str]], *, load: bool) -> list[str]:
    result = subprocess.run(  # noqa: S603 - this interpreter, the probe above
        [sys.executable, "-c", _NUMBER_IO_PROBE, "load" if load else "-", json.dumps(numbers)],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        check=True,
        text=True,
    )
    files: list[str] = json.loads(result.stdout)
    return files


def test_loaded_metadata_leaves_no_file_to_read() -> None:
    assert _files_opened_parsing(_NUMBERS_OF_SERVED_REGIONS, load=True) == []


def test_without_loading_numbers_read_metadata_files() -> None:
    files = _files_opened_parsing(_NUMBERS_OF_SERVED_REGIONS, load=False)
    assert {Path(file).name.split(".")[0] for file in files} >= {
        "region_NL",
        "region_BE",
        "region_LU",
    }


def test_other_countries_still_load_their_own_metadata() -> None:
    files = _files_opened_parsing([("+49 151 23456789", "NL")], load=True)
    assert [Path(file).name.split(".")[0] for file in files] == ["region_DE"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("0201234567", "not_mobile"),
        ("020 123 4567", "not_mobile"),
        ("0661234567", "not_mobile"),
        ("+3211111111", "not_mobile"),
        ("0601234567", "not_a_number"),
        ("0671234567", "not_a_number"),
        ("0691234567", "not_a_number"),
        ("+32412345678", "not_a_number"),
        ("3211111111", "not_a_number"),
        ("", "not_a_number"),
        ("   ", "not_a_number"),
        ("abc", "not_a_number"),
        ("06abcdefgh", "not_a_number"),
        ("1-800-FLOWERS", "not_a_number"),
        ("0612345678 ext 5", "not_a_number"),
        ("06123", "not_a_number"),
        ("06123456789", "not_a_number"),
        ("+316123456789012345", "not_a_number"),
        ("06+12345678", "not_a_number"),
    ],
)
def test_normalise_number_refuses_with_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidNumberError) as excinfo:
        normalise_number(raw)
    assert excinfo.value.reason == reason


@pytest.mark.parametrize("raw", ["0201234567", "0601234567", "+32412345678"])
def test_invalid_number_message_leaves_the_number_out(raw: str) -> None:
    with pytest.raises(InvalidNumberError) as excinfo:
        normalise_number(raw)
    message = str(excinfo.value)
    assert raw not in message
    assert raw.lstrip("+0") not in message
    assert excinfo.value.reason in message


def test_invalid_number_error_is_a_value_error() -> None:
    assert isinstance(InvalidNumberError("not_mobile"), ValueError)


def test_gsm7_basic_matches_the_code_table() -> None:
    positions = "".join(GSM7_CODE_TABLE_ROWS)
    assert len(positions) == 128
    assert frozenset(positions) - {"\x1b"} == GSM7_BASIC
    assert len(GSM7_BASIC) == 127


def test_gsm7_extension_is_the_escaped_set() -> None:
    assert frozenset(EXTENSION_CHARS) == GSM7_EXTENSION
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize("char", sorted(GSM7_BASIC))
def test_basic_char_is_one_septet(char: str) -> None:
    assert is_gsm7(char)
    assert count_segments(char) == SegmentCount(Encoding.GSM7, segments=1, units=1)


@pytest.mark.parametrize("char", sorted(GSM7_EXTENSION))
def test_extension_char_is_two_septets(char: str) -> None:
    assert is_gsm7(char)
    assert count_segments(char) == SegmentCount(Encoding.GSM7, segments=1, units=2)


@pytest.mark.parametrize("char", ["ç", "ê", "`", "á", "\x1b", "\t", GRINNING_FACE])
def test_char_outside_gsm7_forces_ucs2(char: str) -> None:
    text = f"Hallo {char} wereld"
    assert not is_gsm7(text)
    result = count_segments(text)
    assert result.encoding is Encoding.UCS2
    assert result.units == len(text.encode("utf-16-le")) // 2


def test_capital_c_cedilla_stays_gsm7() -> None:
    assert count_segments("Ça va").encoding is Encoding.GSM7


def test_empty_text_has_no_segments() -> None:
    assert count_segments("") == SegmentCount(Encoding.GSM7, segments=0, units=0)


@pytest.mark.parametrize(
    ("text", "segments", "units"),
    [
        ("a" * 160, 1, 160),
        ("a" * 161, 2, 161),
        ("a" * 306, 2, 306),
        ("a" * 307, 3, 307),
        ("€" * 80, 1, 160),
        ("€" * 80 + "a", 2, 161),
        # The escape pair cannot straddle parts, so part one holds 152 septets.
        ("a" * 152 + "€" + "a" * 151, 2, 305),
        ("a" * 152 + "€" + "a" * 152, 3, 306),
        ("a" * 151 + "€" + "a" * 153, 2, 306),
    ],
)
def test_gsm7_segments(text: str, segments: int, units: int) -> None:
    assert count_segments(text) == SegmentCount(Encoding.GSM7, segments=segments, units=units)


@pytest.mark.parametrize(
    ("text", "segments", "units"),
    [
        ("ç" * 70, 1, 70),
        ("ç" * 71, 2, 71),
        ("ç" * 134, 2, 134),
        ("ç" * 135, 3, 135),
        (GRINNING_FACE * 35, 1, 70),
        (GRINNING_FACE * 35 + "ç", 2, 71),
        # The surrogate pair cannot straddle parts, so part one holds 66 units.
        ("ç" * 66 + GRINNING_FACE + "ç" * 65, 2, 133),
        ("ç" * 66 + GRINNING_FACE + "ç" * 66, 3, 134),
        ("ç" * 65 + GRINNING_FACE + "ç" * 67, 2, 134),
    ],
)
def test_ucs2_segments(text: str, segments: int, units: int) -> None:
    assert count_segments(text) == SegmentCount(Encoding.UCS2, segments=segments, units=units)


def test_family_emoji_counts_every_unit() -> None:
    # Four surrogate pairs joined by three zero-width joiners.
    assert count_segments(FAMILY_EMOJI) == SegmentCount(Encoding.UCS2, segments=1, units=11)


def test_family_emojis_fill_parts_without_splitting() -> None:
    result = count_segments(FAMILY_EMOJI * 7)
    assert result.units == 77
    assert result.segments == 2
