"""The simulator's own segment counting: GSM 03.38 and UCS-2 parts, boundaries included."""

from __future__ import annotations

import pytest

from simulator.segments import GSM7, UCS2, Count, count_parts, is_gsm7, septets

SIREN = "\U0001f6a8"
"""Outside the BMP: two UTF-16 units."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Count(GSM7, 0)),
        ("a" * 160, Count(GSM7, 1)),
        ("a" * 161, Count(GSM7, 2)),
        ("a" * 306, Count(GSM7, 2)),
        ("a" * 307, Count(GSM7, 3)),
        ("€" * 80, Count(GSM7, 1)),
        ("€" * 81, Count(GSM7, 2)),
        # 306 septets fill two parts of 153, but the escape of € would end part one: three.
        ("a" * 152 + "€" + "a" * 152, Count(GSM7, 3)),
        ("a" * 151 + "€" + "a" * 153, Count(GSM7, 2)),
        ("°" * 70, Count(UCS2, 1)),
        ("°" * 71, Count(UCS2, 2)),
        (SIREN * 35, Count(UCS2, 1)),
        (SIREN * 36, Count(UCS2, 2)),
        # 134 units fill two parts of 67, but the surrogate pair would straddle them: three.
        ("°" * 66 + SIREN + "°" * 66, Count(UCS2, 3)),
        ("°" * 65 + SIREN + "°" * 67, Count(UCS2, 2)),
    ],
)
def test_parts(text: str, expected: Count) -> None:
    """160/153 septets and 70/67 units; an escape pair or a surrogate pair is never split."""
    assert count_parts(text) == expected


def test_forced_alphabet() -> None:
    """UCS-2 can be asked for any text; GSM-7 only for a GSM-7 one."""
    assert count_parts("a" * 71, UCS2) == Count(UCS2, 2)
    assert count_parts("a" * 71, GSM7) == Count(GSM7, 1)
    with pytest.raises(ValueError, match="not GSM-7"):
        count_parts("°", GSM7)


@pytest.mark.parametrize(
    ("text", "gsm7"),
    [("@£$¥èéÇ", True), ("^{}\\[~]|€\f", True), ("ç", False), ("`", False), ("\x1b", False)],
)
def test_alphabet(text: str, gsm7: bool) -> None:
    """The basic and extension tables are GSM-7; lower-case ç, the backtick, a raw escape not."""
    assert is_gsm7(text) is gsm7


@pytest.mark.parametrize(("char", "count"), [("a", 1), ("€", 2), ("~", 2), ("°", 1)])
def test_septets(char: str, count: int) -> None:
    """An extension character takes an escape and itself; others one."""
    assert septets(char) == count
