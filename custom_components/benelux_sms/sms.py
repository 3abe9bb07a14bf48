"""Phone numbers and message sizes: the checks made before anything reaches a gateway.

Nothing here imports Home Assistant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

# phonenumbers turns letters into keypad digits (1-800-FLOWERS) and drops "ext. 12",
# so anything beyond digits and common separators is refused before parsing.
_DIALLABLE = re.compile(r"\+?[0-9\s().\-/]+")

_SMS_CAPABLE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


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


def normalise_number(raw: str, default_region: str = "NL") -> str:
    """Return the E.164 form ('+31612345678') of a mobile number, or raise InvalidNumberError."""
    number = _parse_valid_number(raw, default_region)
    if phonenumbers.number_type(number) not in _SMS_CAPABLE_TYPES:
        raise InvalidNumberError("not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse_valid_number(raw: str, default_region: str) -> phonenumbers.PhoneNumber:
    if not _DIALLABLE.fullmatch(raw.strip()):
        raise InvalidNumberError("not_a_number")
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as err:
        raise InvalidNumberError("not_a_number") from err
    if not phonenumbers.is_valid_number(number):
        raise InvalidNumberError("not_a_number")
    return number


def is_gsm7(text: str) -> bool:
    """Return whether every character of the text fits the GSM 03.38 alphabet."""
    return all(char in _GSM7_ALPHABET for char in text)


def count_segments(text: str) -> SegmentCount:
    """Return the encoding, number of parts and length in units that the text needs."""
    if is_gsm7(text):
        costs = [2 if char in GSM7_EXTENSION else 1 for char in text]
        return _segment_count(Encoding.GSM7, costs, _GSM7_SINGLE_PART, _GSM7_PER_PART)
    costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return _segment_count(Encoding.UCS2, costs, _UCS2_SINGLE_PART, _UCS2_PER_PART)


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
