"""The Benelux SMS mark: a speech bubble whose three dots are the Benelux flags.

Everything is measured on a 1000 x 1000 square; scripts/render-brand draws it with Pillow.
The bubble is Dutch blue; the dots, left to right, are the Netherlands, Belgium and
Luxembourg, each in a white ring so that no stripe runs into the bubble.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

type Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Flag:
    """A tricolour, striped across (horizontal) or down (vertical)."""

    stripes: Literal["horizontal", "vertical"]
    colours: tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Palette:
    """Colours that change between a light and a dark background."""

    bubble: str
    ring: str
    wordmark: str


NETHERLANDS = Flag("horizontal", ("#AE1C28", "#FFFFFF", "#21468B"))
BELGIUM = Flag("vertical", ("#000000", "#FDDA24", "#EF3340"))
LUXEMBOURG = Flag("horizontal", ("#EA141D", "#FFFFFF", "#51ADDA"))

LIGHT = Palette(bubble="#21468B", ring="#FFFFFF", wordmark="#1B2A4A")
DARK = Palette(bubble="#4C7BD9", ring="#FFFFFF", wordmark="#F1F4FA")

BUBBLE_BOX = (0.0, 0.0, 1000.0, 780.0)
BUBBLE_RADIUS = 210.0
TAIL: tuple[Point, Point, Point] = ((170.0, 700.0), (440.0, 700.0), (110.0, 1000.0))

DOT_CENTRE_Y = 390.0
DOTS: tuple[tuple[float, Flag], ...] = (
    (226.0, NETHERLANDS),
    (500.0, BELGIUM),
    (774.0, LUXEMBOURG),
)
DOT_RADIUS = 108.0
RING_WIDTH = 20.0

WORDMARK = "Benelux SMS"
WORDMARK_SIZE = 400.0
WORDMARK_WEIGHT = 10.0
WORDMARK_GAP = 130.0
