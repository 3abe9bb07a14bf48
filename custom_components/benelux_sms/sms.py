"""Phone numbers and message sizes: the checks made before anything reaches a gateway.

Nothing here imports Home Assistant.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Final

import phonenumbers

from .gateways.base import Encoding

GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The GSM 03.38 basic table (without the escape code): one septet each."""

GSM7_EXTENSION: frozenset[str] = frozenset("^{}\\[~]|€\f")
"""The GSM 03.38 extension table: two septets each (escape + character)."""

_GSM7_ALPHABET = GSM7_BASIC | GSM7_EXTENSION

_GSM7_SINGLE_PART = 160
_GSM7_PER_PART = 153
_UCS2_SINGLE_PART = 70
_UCS2_PER_PART = 67

_PART_SIZES: Final = {
    Encoding.GSM7: (_GSM7_SINGLE_PART, _GSM7_PER_PART),
    Encoding.UCS2: (_UCS2_SINGLE_PART, _UCS2_PER_PART),
}
"""Units in a text sent whole, and units per part of a text sent in parts."""

_GSM7_REPLACEMENTS: Final[dict[str, str]] = {
    # Quotes, apostrophes and primes.
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2039\u203a\u02bc`\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    # Dashes, hyphens, minus; bullets and middle dots used as separators.
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2022\u00b7", "-"),
    "\u2026": "...",
    # Spaces that are not the plain space, tab, line and paragraph separators.
    **dict.fromkeys("\t\u00a0\u2007\u2009\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys("\u2028\u2029", "\n"),
    # Signs.
    "\u2122": "TM",
    "\u00a9": "(c)",
    "\u00ae": "(R)",
    "\u00b0": "",  # "-5 °C" -> "-5 C": no word in one language reads well in all of them
    "\u00b5": "u",
    "\u00d7": "x",
    "\u00b1": "+/-",
    "\u2044": "/",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2192": "->",
    "\u2190": "<-",
    # Letters without a decomposition to a Latin letter.
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "\u0131": "i",  # dotless i
    "œ": "oe",
    "Œ": "OE",
    "þ": "th",
    "Þ": "Th",
    # The few pictographs that carry the message of an alert.
    **dict.fromkeys("\u26a0\u2757\u2755", "!"),
    **dict.fromkeys("\u2753\u2754", "?"),
    **dict.fromkeys("\u2705\u2713\u2714\u2611", "OK"),
    **dict.fromkeys("\u274c\u274e\u2717\u2718", "X"),
}
"""Characters outside GSM 03.38 and their GSM-7 form; "" drops the character."""

_DROPPED_CATEGORIES: Final = frozenset({"So", "Mn", "Me", "Cf"})
"""Other symbols (emoji, dingbats), combining marks (variation selectors) and format
characters (zero-width joiner, soft hyphen, emoji tags)."""

_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
"""Controls, format characters and separators: nothing a reader sees."""

_INVISIBLE: Final = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
"""Characters that show nothing whatever their category: Unicode's default ignorables
(soft hyphen, joiners, fillers, variation selectors, tags) and the braille blank."""

_PICTOGRAPHS: Final = range(0x1F000, 0x1FB00)
"""Mahjong tiles to Symbols and Pictographs Extended-A, emoji yet unknown to unicodedata too."""

_DROPPED: Final = "\x00"
"""Marks a dropped character until spaces are tidied; NUL itself is refused as input."""

_GAP: Final = re.compile(f"(^| ){_DROPPED}+( |$)", re.MULTILINE)
"""A run of dropped characters with what stands either side of it on its line."""

# phonenumbers turns letters into keypad digits (1-800-FLOWERS) and drops "ext. 12",
# so anything beyond digits and common separators is refused before parsing.
_DIALLABLE = re.compile(r"\+?[0-9\s().\-/]+")

_SMS_CAPABLE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)

SERVED_REGIONS: Final = ("NL", "BE", "LU")
"""The countries whose numbers the integration reads in national form and loads at setup."""

_NO_REGION: Final = "ZZ"
"""phonenumbers' unknown region: only numbers in international form parse."""


class EncodingChoice(StrEnum):
    """The alphabet asked for: GSM-7 when possible, GSM-7 always, or Unicode always."""

    AUTO = "auto"
    GSM7 = "gsm7"
    UCS2 = "ucs2"


class UnmappableCharacterError(ValueError):
    """A character that has no GSM-7 form."""

    def __init__(self, character: str) -> None:
        """Name the character and its code point."""
        super().__init__(f"{character!r} (U+{ord(character):04X}) has no GSM-7 form")
        self.character = character


class InvalidNumberError(ValueError):
    """A number that cannot receive SMS."""

    def __init__(self, reason: str) -> None:
        """Keep the reason only: the number itself stays out of messages and logs."""
        super().__init__(f"Number cannot receive SMS: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SegmentCount:
    """How a text travels: its alphabet, its number of parts and its length in that alphabet."""

    encoding: Encoding
    segments: int
    units: int
    """Septets for GSM-7 (extension characters count two), UTF-16 code units for UCS-2."""


@dataclass(frozen=True, slots=True)
class PreparedText:
    """A text as it will be sent, in the alphabet chosen for it."""

    text: str
    encoding: Encoding
    segments: int
    changed: bool
    """The text was transliterated to fit GSM-7."""


@lru_cache(maxsize=1024)
def normalise_number(raw: str, default_region: str = "NL") -> str:
    """Return the E.164 form ('+31612345678') of a mobile number, or raise InvalidNumberError.

    A number in national form ('0470 12 34 56') is read in default_region, an ISO 3166
    code in either case; in a region phonenumbers does not know, only the international
    form is accepted.
    """
    number = _parse_valid_number(raw, _region(default_region))
    if phonenumbers.number_type(number) not in _SMS_CAPABLE_TYPES:
        raise InvalidNumberError("not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def recipient_number(raw: str, region: str, test_numbers: frozenset[str]) -> str:
    """Return the gateway's test number the raw text spells exactly, else normalise_number's.

    Spaces and a leading '+' or '00' do not count; anything else must match digit for digit.
    """
    compact = "".join(raw.split())
    digits = compact[1:] if compact.startswith("+") else compact.removeprefix("00")
    if f"+{digits}" in {f"+{test.removeprefix('+')}" for test in test_numbers}:
        return f"+{digits}"
    return normalise_number(raw, region)


def load_number_metadata(regions: Iterable[str]) -> None:
    """Load what normalise_number reads for numbers of these regions; blocking file I/O.

    phonenumbers imports a region's metadata module on its first number; after this, no
    number of these regions (nor one read in them) touches the disk. Unknown regions are
    skipped.
    """
    for region in {_region(region) for region in regions} - {_NO_REGION}:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        if example is not None:
            phonenumbers.number_type(example)


def _region(region: str) -> str:
    region = region.strip().upper()
    return region if region in phonenumbers.SUPPORTED_REGIONS else _NO_REGION


def _parse_valid_number(raw: str, region: str) -> phonenumbers.PhoneNumber:
    if not _DIALLABLE.fullmatch(raw.strip()):
        raise InvalidNumberError("not_a_number")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as err:
        raise InvalidNumberError("not_a_number") from err
    if not phonenumbers.is_valid_number(number):
        raise InvalidNumberError("not_a_number")
    return number


def is_blank(text: str) -> bool:
    """Return whether the text shows nothing: only spaces, controls or invisible characters."""
    return all(_is_invisible(char) for char in text)


def _is_invisible(char: str) -> bool:
    return (
        char.isspace()
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
        or _INVISIBLE.match(char) is not None
    )


def is_gsm7(text: str) -> bool:
    """Return whether every character of the text fits the GSM 03.38 alphabet."""
    return all(char in _GSM7_ALPHABET for char in text)


def count_segments(text: str, encoding: Encoding | None = None) -> SegmentCount:
    """Return the encoding, number of parts and length in units that the text needs.

    Without an encoding, GSM-7 when every character allows it, else UCS-2. A text that
    is not GSM-7 cannot be counted as GSM-7: UnmappableCharacterError names the first
    character in the way.
    """
    if encoding is None:
        encoding = Encoding.GSM7 if is_gsm7(text) else Encoding.UCS2
    encoding = Encoding(encoding)
    if encoding is Encoding.GSM7:
        _check_gsm7(text)
    costs = [_units(char, encoding) for char in text]
    return _segment_count(encoding, costs, *_PART_SIZES[encoding])


def _check_gsm7(text: str) -> None:
    for char in text:
        if char not in _GSM7_ALPHABET:
            raise UnmappableCharacterError(char)


def _units(char: str, encoding: Encoding) -> int:
    """Septets (an escape and the character) or UTF-16 units (a surrogate pair) of one char."""
    if encoding is Encoding.GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def _segment_count(
    encoding: Encoding, costs: list[int], single_part: int, per_part: int
) -> SegmentCount:
    units = sum(costs)
    if units == 0:
        segments = 0
    elif units <= single_part:
        segments = 1
    else:
        segments = _parts_needed(costs, per_part)
    return SegmentCount(encoding=encoding, segments=segments, units=units)


def _parts_needed(costs: list[int], per_part: int) -> int:
    """Fill parts in order; a character's units (escape or surrogate pair) stay together."""
    parts, used = 1, 0
    for cost in costs:
        if used + cost > per_part:
            parts += 1
            used = 0
        used += cost
    return parts


def prepare_text(text: str, choice: EncodingChoice = EncodingChoice.AUTO) -> PreparedText:
    """Return the text to send, its alphabet and its number of parts for the choice made.

    GSM7 transliterates (see to_gsm7) and raises UnmappableCharacterError for a character
    that has no GSM-7 form; UCS2 counts Unicode even for a text that GSM-7 could carry.
    GSM7 leaves a blank text (see is_blank) when it drops every visible character (an
    emoji-only text): check the prepared text, not only the text given.
    """
    match EncodingChoice(choice):
        case EncodingChoice.GSM7:
            sent = to_gsm7(text)
            count = count_segments(sent, Encoding.GSM7)
        case EncodingChoice.UCS2:
            sent, count = text, count_segments(text, Encoding.UCS2)
        case EncodingChoice.AUTO:
            sent, count = text, count_segments(text)
    return PreparedText(
        text=sent, encoding=count.encoding, segments=count.segments, changed=sent != text
    )


def to_gsm7(text: str) -> str:
    """Return the text with every character outside GSM 03.38 given a GSM-7 form.

    A GSM-7 text comes back unchanged. Otherwise, character by character: GSM 03.38
    characters stay; punctuation, spaces, a few signs, letters and alert pictographs
    follow _GSM7_REPLACEMENTS; other letters lose their accents (compatibility
    decomposition without combining marks: ê -> e, ç -> c, ﬁ -> fi, ² -> 2); emoji, other
    symbols, variation selectors, joiners and format characters are dropped, and a space
    left doubled, leading or trailing by a dropped character goes with it. The first
    character that fits none of these (CJK, Arabic, Cyrillic...) raises
    UnmappableCharacterError.
    """
    if is_gsm7(text):
        return text
    try:
        marked = "".join(_char_to_gsm7(char) for char in unicodedata.normalize("NFC", text))
    except UnmappableCharacterError as err:
        raise UnmappableCharacterError(_as_typed(err.character, text)) from None
    return _GAP.sub(_close_gap, marked).replace(_DROPPED, "")


def _as_typed(char: str, text: str) -> str:
    """Return the character of ``text`` that NFC turned into ``char``: the error names what
    the user wrote (U+F900, not the U+8C48 it composes to), where one character made it.
    """
    return next((typed for typed in text if unicodedata.normalize("NFC", typed) == char), char)


def _char_to_gsm7(char: str) -> str:
    if char in _GSM7_ALPHABET:
        return char
    if char in _GSM7_REPLACEMENTS:
        return _GSM7_REPLACEMENTS[char] or _DROPPED
    if (plain := _without_accents(char)) is not None:
        return plain
    if unicodedata.category(char) in _DROPPED_CATEGORIES or ord(char) in _PICTOGRAPHS:
        return _DROPPED
    raise UnmappableCharacterError(char)


def _without_accents(char: str) -> str | None:
    """The compatibility form of the character without combining marks, if GSM-7 can carry it."""
    parts = [
        part for part in unicodedata.normalize("NFKD", char) if unicodedata.category(part) != "Mn"
    ]
    plain = [part if part in _GSM7_ALPHABET else _GSM7_REPLACEMENTS.get(part) for part in parts]
    if not parts or None in plain:
        return None
    return "".join(part for part in plain if part is not None)


def _close_gap(gap: re.Match[str]) -> str:
    """Keep one space between words, none at the start or end of a line."""
    return " " if gap[1] and gap[2] else ""
