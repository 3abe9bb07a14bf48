"""A form body goes out as the bytes aiohttp's FormData would have sent for the same fields."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from custom_components.benelux_sms.gateways.base import form_body

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@given(st.dictionaries(TEXT, TEXT, max_size=6))
def test_form_body_is_what_formdata_sends(form: dict[str, str]) -> None:
    """FormData writes ``urlencode`` of the fields with this Content-Type (no charset)."""
    body = form_body(form)
    assert body.decode() == urlencode(form)
    assert body.content_type == "application/x-www-form-urlencoded"
    assert body.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_form_body_escapes_as_quote_plus() -> None:
    """Spaces become ``+``; every byte outside letters, digits and ``_.-~`` is ``%XX``."""
    body = form_body({"text": "Alarm: deur € open~", "to": "+31612345678"})
    assert body.decode() == "text=Alarm%3A+deur+%E2%82%AC+open~&to=%2B31612345678"
