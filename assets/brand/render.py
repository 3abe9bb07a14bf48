"""Render the brand images of custom_components/benelux_sms/brand from design.py.

Drawn four times too large and scaled down, so edges are smooth; trimmed to the mark, on a
transparent background. The same Pillow gives the same pixels, so the images can be checked
against their source (--check).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from assets.brand import design

SUPERSAMPLE = 4
BRAND_DIR = Path(__file__).parents[2] / "custom_components" / "benelux_sms" / "brand"


@dataclass(frozen=True, slots=True)
class Target:
    """One image file: icon or logo, its palette, and its height in pixels."""

    kind: str
    palette: design.Palette
    height: int


TARGETS: dict[str, Target] = {
    "icon.png": Target("icon", design.LIGHT, 256),
    "icon@2x.png": Target("icon", design.LIGHT, 512),
    "dark_icon.png": Target("icon", design.DARK, 256),
    "dark_icon@2x.png": Target("icon", design.DARK, 512),
    "logo.png": Target("logo", design.LIGHT, 256),
    "logo@2x.png": Target("logo", design.LIGHT, 512),
    "dark_logo.png": Target("logo", design.DARK, 256),
    "dark_logo@2x.png": Target("logo", design.DARK, 512),
}


def _scaled(values: tuple[float, ...], scale: float) -> tuple[float, ...]:
    return tuple(value * scale for value in values)


def _draw_flag(canvas: Image.Image, centre: design.Point, radius: float, flag: design.Flag) -> None:
    size = round(2 * radius)
    stripes = Image.new("RGBA", (size, size))
    draw = ImageDraw.Draw(stripes)
    for index, colour in enumerate(flag.colours):
        start, end = round(index * size / 3), round((index + 1) * size / 3)
        box = (0, start, size, end) if flag.stripes == "horizontal" else (start, 0, end, size)
        draw.rectangle(box, fill=colour)
    mask = Image.new("L", (size, size))
    ImageDraw.Draw(mask).ellipse((0, 0, size - 1, size - 1), fill=255)
    corner = (round(centre[0] - radius), round(centre[1] - radius))
    canvas.paste(stripes, corner, mask)


def draw_mark(canvas: Image.Image, palette: design.Palette, scale: float) -> None:
    """Draw the bubble and its three flags onto the canvas at the given scale."""
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle(
        _scaled(design.BUBBLE_BOX, scale), radius=design.BUBBLE_RADIUS * scale, fill=palette.bubble
    )
    draw.polygon([(x * scale, y * scale) for x, y in design.TAIL], fill=palette.bubble)
    for centre_x, flag in design.DOTS:
        centre = (centre_x * scale, design.DOT_CENTRE_Y * scale)
        outer = (design.DOT_RADIUS + design.RING_WIDTH) * scale
        draw.ellipse(
            (centre[0] - outer, centre[1] - outer, centre[0] + outer, centre[1] + outer),
            fill=palette.ring,
        )
        _draw_flag(canvas, centre, design.DOT_RADIUS * scale, flag)


def draw_logo(palette: design.Palette, scale: float) -> Image.Image:
    """Return the mark with the wordmark to its right, centred on the bubble."""
    font = ImageFont.load_default(size=design.WORDMARK_SIZE * scale)
    weight = design.WORDMARK_WEIGHT * scale
    cap_top = font.getbbox("H", anchor="ls")[1]
    text_right = font.getbbox(design.WORDMARK, anchor="ls", stroke_width=weight)[2]
    left = (1000 + design.WORDMARK_GAP) * scale
    canvas = Image.new("RGBA", (round(left + text_right + weight), round(1000 * scale)))
    draw_mark(canvas, palette, scale)
    baseline = design.DOT_CENTRE_Y * scale - cap_top / 2
    ImageDraw.Draw(canvas).text(
        (left, baseline),
        design.WORDMARK,
        fill=palette.wordmark,
        font=font,
        anchor="ls",
        stroke_width=weight,
        stroke_fill=palette.wordmark,
    )
    return canvas


def _trimmed(image: Image.Image) -> Image.Image:
    box = image.getchannel("A").getbbox()
    return image.crop(box) if box else image


def _squared(image: Image.Image) -> Image.Image:
    side = max(image.size)
    square = Image.new("RGBA", (side, side))
    square.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return square


def render(target: Target) -> Image.Image:
    """Return the image a target names, at its final size."""
    scale = target.height * SUPERSAMPLE / 1000
    if target.kind == "icon":
        canvas = Image.new("RGBA", (round(1000 * scale), round(1000 * scale)))
        draw_mark(canvas, target.palette, scale)
        image = _squared(_trimmed(canvas))
        return image.resize((target.height, target.height), Image.Resampling.LANCZOS)
    image = _trimmed(draw_logo(target.palette, scale))
    width = round(image.width * target.height / image.height)
    return image.resize((width, target.height), Image.Resampling.LANCZOS)


def _matches(path: Path, target: Target) -> bool:
    if not path.exists():
        return False
    rendered = render(target)
    with Image.open(path) as stored:
        return stored.mode == "RGBA" and stored.tobytes() == rendered.tobytes()


def differences(brand_dir: Path) -> list[str]:
    """Name the files in brand_dir that are missing or not what the source renders."""
    return [name for name, target in TARGETS.items() if not _matches(brand_dir / name, target)]


def main() -> int:
    """Write the images, or with --check say which ones are out of date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--out", type=Path, default=BRAND_DIR, help="the brand folder")
    args = parser.parse_args()
    if args.check:
        wrong = differences(args.out)
        for name in wrong:
            print(
                f"render-brand: {name} is missing or not what assets/brand/design.py draws",
                file=sys.stderr,
            )
        return 1 if wrong else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, target in TARGETS.items():
        render(target).save(args.out / name, optimize=True)
        print(f"render-brand: wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
