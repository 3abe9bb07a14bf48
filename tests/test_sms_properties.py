"""Property tests: segment counts against GSM 03.38 itself, and numbers read once read the same.

The oracle shares nothing with sms.py: the GSM side is the gsm0338 codec (its own tables),
the UCS-2 side is Python's UTF-16 encoder, and parts are cut here from the encoded units.
"""

from __future__ import annotations

import gsm0338  # noqa: F401 - registers the "gsm03.38" codec
from hypothesis import example, given, settings
from hypothesis import strategies as st

from custom_components.benelux_sms.gateways.base import Encoding
from custom_components.benelux_sms.sms import (
    EncodingChoice,
    InvalidNumberError,
    SegmentCount,
    UnmappableCharacterError,
    count_segments,
    is_blank,
    is_gsm7,
    normalise_number,
    prepare_text,
    recipient_number,
)

ESCAPE = 0x1B
"""The GSM 03.38 escape to the extension table; alone it is no character."""


def _gsm_encodable(text: str) -> bool:
    try:
        text.encode("gsm03.38")
    except UnicodeEncodeError:
        return False
    return chr(ESCAPE) not in text


def _decodes_to_one_char(code: bytes) -> str | None:
    try:
        char = code.decode("gsm03.38")
    except UnicodeDecodeError:
        return None
    return char if len(char) == 1 and char.encode("gsm03.38") == code else None


def _codec_alphabet(prefix: bytes) -> list[str]:
    codes = (prefix + bytes([code]) for code in range(128) if code != ESCAPE)
    return sorted(char for code in codes if (char := _decodes_to_one_char(code)) is not None)


GSM_BASIC = _codec_alphabet(b"")
GSM_EXTENSION = _codec_alphabet(bytes([ESCAPE]))
NOT_GSM_BMP = st.characters(exclude_categories=("Cs",), max_codepoint=0xFFFF).filter(
    lambda char: not _gsm_encodable(char)
)
ASTRAL = st.characters(min_codepoint=0x10000, exclude_categories=("Cs",))

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)
"""The same examples every run: CI never fails on a case found by chance (pin those as tests)."""


def _gsm_parts(text: str) -> tuple[int, int]:
    """Septets and parts: 160 whole, else 153 a part, an escape never last in a part."""
    septets = text.encode("gsm03.38")
    if len(septets) <= 160:
        return len(septets), 1 if septets else 0
    parts, rest = 0, septets
    while rest:
        cut = 152 if len(rest) > 153 and rest[152] == ESCAPE else 153
        parts, rest = parts + 1, rest[cut:]
    return len(septets), parts


def _ucs2_parts(text: str) -> tuple[int, int]:
    """UTF-16 units and parts: 70 whole, else 67 a part, a high surrogate never last."""
    encoded = text.encode("utf-16-le")
    units = [int.from_bytes(encoded[i : i + 2], "little") for i in range(0, len(encoded), 2)]
    if len(units) <= 70:
        return len(units), 1 if units else 0
    parts, rest = 0, units
    while rest:
        cut = 66 if len(rest) > 67 and 0xD800 <= rest[66] <= 0xDBFF else 67
        parts, rest = parts + 1, rest[cut:]
    return len(units), parts


def _texts(*alphabets: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(*alphabets), max_size=400).map("".join)


def _blocks(
    filler: st.SearchStrategy[str], limits: tuple[int, int], wide: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """Runs of one-unit characters about a part long, with two-unit characters between them.

    A two-unit character that straddles a boundary only changes the count when the text
    also ends near one; runs of per_part - 3 to per_part units make both likely, and runs
    about the single-part limit try that one.
    """
    whole, per_part = limits
    sizes = st.one_of(st.integers(per_part - 3, per_part), st.integers(whole - 1, whole + 1))
    run = st.builds(str.__mul__, filler, sizes)
    return st.lists(st.one_of(run, wide), min_size=2, max_size=7).map("".join)


GSM_BASIC_CHAR = st.sampled_from(GSM_BASIC)
GSM_EXTENSION_CHAR = st.sampled_from(GSM_EXTENSION)
GSM_TEXT = _texts(GSM_BASIC_CHAR, GSM_EXTENSION_CHAR)
GSM_TEXT_AT_EDGES = st.one_of(GSM_TEXT, _blocks(GSM_BASIC_CHAR, (160, 153), GSM_EXTENSION_CHAR))
UNICODE_TEXT = _texts(GSM_BASIC_CHAR, NOT_GSM_BMP, ASTRAL)
UNICODE_TEXT_AT_EDGES = st.one_of(
    UNICODE_TEXT,
    _blocks(st.one_of(GSM_BASIC_CHAR, NOT_GSM_BMP), (70, 67), ASTRAL),
    st.text(max_size=300),
)


@SETTINGS
@given(GSM_TEXT_AT_EDGES)
@example("a" * 152 + "€" + "a" * 152)
@example("€" * 77)
def test_gsm_text_counts_septets_and_parts(text: str) -> None:
    septets, parts = _gsm_parts(text)
    expected = SegmentCount(Encoding.GSM7, segments=parts, units=septets)
    assert is_gsm7(text)
    assert count_segments(text) == expected
    assert count_segments(text, Encoding.GSM7) == expected
    units, parts = _ucs2_parts(text)
    assert count_segments(text, Encoding.UCS2) == SegmentCount(Encoding.UCS2, parts, units)


@SETTINGS
@given(UNICODE_TEXT_AT_EDGES)
@example("ç" * 66 + "\U0001f600" + "ç" * 66)
@example("\U0001f600" * 34 + "a")
def test_any_text_counts_ucs2_units_and_parts(text: str) -> None:
    units, parts = _ucs2_parts(text)
    expected = SegmentCount(Encoding.UCS2, segments=parts, units=units)
    assert count_segments(text, Encoding.UCS2) == expected
    assert is_gsm7(text) == _gsm_encodable(text)
    if not _gsm_encodable(text):
        assert count_segments(text) == expected


@SETTINGS
@given(st.one_of(UNICODE_TEXT_AT_EDGES, GSM_TEXT))
def test_gsm7_choice_sends_gsm_or_refuses(text: str) -> None:
    try:
        prepared = prepare_text(text, EncodingChoice.GSM7)
    except UnmappableCharacterError as err:
        refused: str | None = err.character
    else:
        refused = None
    if refused is not None:
        assert refused in text
        assert not _gsm_encodable(refused)
        return
    assert prepared.encoding is Encoding.GSM7
    assert prepared.segments == _gsm_parts(prepared.text)[1]
    assert prepared.changed == (prepared.text != text)
    if _gsm_encodable(text):
        assert prepared.text == text
    if is_blank(prepared.text):
        # Only characters without a GSM form (emoji, symbols) may leave nothing to read.
        assert all(is_blank(char) or not _gsm_encodable(char) for char in text)


# Mobile numbers: country code, region, first digit, second digits; seven digits follow.
NL_MOBILE = ("31", "NL", "6", "123458")
BE_MOBILE = ("32", "BE", "4", "56789")
SEPARATORS = st.sampled_from(["", " ", "-", ".", "/", "  "])
REGIONS = ("NL", "BE", "LU", "DE", "AQ")


def _spaced(digits: str, data: st.DataObject) -> str:
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(digits) - 1)), max_size=4)))
    groups = [
        digits[start:end] for start, end in zip([0, *cuts], [*cuts, len(digits)], strict=True)
    ]
    return "".join(group + data.draw(SEPARATORS) for group in groups[:-1]) + groups[-1]


@st.composite
def _written_mobile(draw: st.DrawFn) -> tuple[str, str, str]:
    """A mobile number as a person might write it, the region it is read in, its E.164."""
    country, region, first, second = draw(st.sampled_from([NL_MOBILE, BE_MOBILE]))
    significant = (
        first + draw(st.sampled_from(second)) + draw(st.text("0123456789", min_size=7, max_size=7))
    )
    data = draw(st.data())
    form = draw(st.sampled_from(["national", "plus", "double zero", "plus trunk", "brackets"]))
    read_in = region if form in {"national", "brackets"} else draw(st.sampled_from(REGIONS[:3]))
    match form:
        case "national":
            raw = _spaced("0" + significant, data)
        case "brackets":
            raw = f"(0{significant[:2]}) {_spaced(significant[2:], data)}"
        case "plus":
            raw = "+" + _spaced(country + significant, data)
        case "double zero":
            raw = "00" + _spaced(country + significant, data)
        case "plus trunk":
            raw = f"+{country} (0){draw(SEPARATORS)}{_spaced(significant, data)}"
    padding = draw(st.sampled_from(["", " ", "\t"]))
    return padding + raw + padding, read_in, f"+{country}{significant}"


@SETTINGS
@given(_written_mobile())
def test_written_mobile_is_read_and_stays_read(written: tuple[str, str, str]) -> None:
    raw, region, e164 = written
    assert normalise_number(raw, region) == e164
    assert recipient_number(raw, region, frozenset({"+3211111111"})) == e164
    for other in REGIONS:
        assert normalise_number(e164, other) == e164


@SETTINGS
@given(st.text("0123456789 +-./()", max_size=20), st.sampled_from(REGIONS))
def test_any_accepted_number_is_a_fixed_point(raw: str, region: str) -> None:
    try:
        e164 = normalise_number(raw, region)
    except InvalidNumberError:
        return
    assert e164.startswith("+")
    assert e164[1:].isdigit()
    for other in REGIONS:
        assert normalise_number(e164, other) == e164
