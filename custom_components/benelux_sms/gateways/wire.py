"""What goes on the wire and comes back: form bodies, and numbers and JSON out of replies."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from aiohttp.payload import BytesPayload

from .errors import GatewayUnavailableError


def form_body(form: Mapping[str, str]) -> BytesPayload:
    """A form body, encoded once: the bytes and Content-Type aiohttp's FormData would send.

    Each name and value as ``urllib.parse.quote_plus`` writes it, only the unsafe bytes
    escaped one by one.
    """
    body = "&".join(f"{_quote_plus(name)}={_quote_plus(value)}" for name, value in form.items())
    return BytesPayload(body.encode(), content_type=FORM_CONTENT_TYPE)


FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
_UNSAFE_BYTE = re.compile(rb"[^A-Za-z0-9_.~ -]")


def _quote_plus(text: str) -> str:
    escaped = _UNSAFE_BYTE.sub(_percent, text.encode())
    return escaped.decode("ascii").replace(" ", "+")


def _percent(byte: re.Match[bytes]) -> bytes:
    return b"%%%02X" % byte[0][0]


def finite_number(value: object) -> float | None:
    """Return a reply's number (or a number written as text) as a float, or None.

    None for what is no number, for booleans, and for what no float holds: NaN, infinities,
    and JSON integers past a float's range.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None


def parse_json_object(body: str) -> dict[str, Any]:
    """Return the JSON object in a reply body, or raise GatewayUnavailableError."""
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        raise GatewayUnavailableError("invalid_json") from None
    if not isinstance(parsed, dict):
        raise GatewayUnavailableError("invalid_json")
    return parsed
