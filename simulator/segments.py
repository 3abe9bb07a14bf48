"""How many SMS parts a text takes, as the simulated gateways count them.

A test oracle must not share the code under test, so the simulator does not use the
integration's ``sms.py``. It encodes the text as an SMS centre would and cuts the encoded
stream into parts (gateway-docs/NOTES.md, "GSM 03.38 and segments"):

- GSM-7 by the ``gsm0338`` codec (one byte per septet; an extension character is the escape
  byte and its own): 160 septets fit one SMS, a long text takes 153 per part, and a part never
  ends between an escape and its character.
- UCS-2 as UTF-16: 70 units fit one SMS, a long text takes 67 per part, and a part never ends
  between the two halves of a surrogate pair (an emoji outside the BMP).
"""

from __future__ import annotations

from dataclasses import dataclass

import gsm0338

GSM7 = "gsm7"
UCS2 = "ucs2"

_CODEC = gsm0338.Codec()
_ESCAPE = 0x1B
_GSM7_SINGLE, _GSM7_PART = 160, 153
_UCS2_SINGLE, _UCS2_PART = 70, 67
_HIGH_SURROGATES = range(0xD800, 0xDC00)


@dataclass(frozen=True, slots=True)
class Count:
    """A text's alphabet and the number of parts it is sent in."""

    encoding: str
    """``gsm7`` or ``ucs2``."""
    segments: int


def gsm7_bytes(text: str) -> bytes | None:
    """The text in GSM 03.38 septets (one byte each), or None where a character has none."""
    if chr(_ESCAPE) in text:
        return None
    try:
        encoded: bytes = _CODEC.encode(text)[0]
    except UnicodeEncodeError:
        return None
    return encoded


def is_gsm7(text: str) -> bool:
    """Whether every character of the text is in the GSM 03.38 basic or extension table."""
    return gsm7_bytes(text) is not None


def septets(char: str) -> int:
    """Septets one character takes: 2 for the extension table, else 1 (also for non-GSM)."""
    encoded = gsm7_bytes(char)
    return len(encoded) if encoded is not None else 1


def count_parts(text: str, encoding: str | None = None) -> Count:
    """The parts the text takes: GSM-7 where every character allows it, or as ``encoding`` says.

    ``encoding="gsm7"`` for a text that is not GSM-7 raises ValueError.
    """
    gsm = gsm7_bytes(text) if encoding != UCS2 else None
    if encoding == GSM7 and gsm is None:
        raise ValueError("the text is not GSM-7")
    if gsm is not None:
        return Count(GSM7, len(_gsm7_parts(gsm)))
    return Count(UCS2, len(_ucs2_parts(text.encode("utf-16-be"))))


def _gsm7_parts(encoded: bytes) -> list[bytes]:
    if len(encoded) <= _GSM7_SINGLE:
        return [encoded] if encoded else []
    parts = []
    while encoded:
        cut = _GSM7_PART
        if len(encoded) > cut and encoded[cut - 1] == _ESCAPE:
            cut -= 1
        parts.append(encoded[:cut])
        encoded = encoded[cut:]
    return parts


def _ucs2_parts(encoded: bytes) -> list[bytes]:
    if len(encoded) <= 2 * _UCS2_SINGLE:
        return [encoded] if encoded else []
    parts = []
    while encoded:
        cut = 2 * _UCS2_PART
        last_unit = int.from_bytes(encoded[cut - 2 : cut]) if len(encoded) > cut else 0
        if last_unit in _HIGH_SURROGATES:
            cut -= 2
        parts.append(encoded[:cut])
        encoded = encoded[cut:]
    return parts
