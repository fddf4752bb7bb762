"""Draws the phone app's icons (committed PNGs under static/mobile/icons/).

Run again after changing the design: `.venv/bin/python -m mobile.icon_art`. Pillow comes with
matplotlib; it is needed only here, never at run time."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent / "static" / "mobile" / "icons"
BLUE = (11, 79, 138, 255)
WHITE = (255, 255, 255, 255)
SCALE = 4  # drawn large, then downsampled: smooth edges without an SVG renderer


def _glyph(draw: ImageDraw.ImageDraw, size: int, box: float) -> None:
    """A diary page with a check mark, centred in a square of side `box` × size."""
    s = size
    w = s * box
    x0, y0 = (s - w) / 2, (s - w) / 2 + w * 0.02
    page = (x0 + w * 0.14, y0 + w * 0.06, x0 + w * 0.86, y0 + w * 0.94)
    draw.rounded_rectangle(page, radius=w * 0.09, fill=WHITE)
    # binding rings
    for fx in (0.32, 0.5, 0.68):
        cx = x0 + w * fx
        draw.rounded_rectangle((cx - w * 0.03, y0 - w * 0.02, cx + w * 0.03, y0 + w * 0.14), radius=w * 0.03, fill=BLUE)
    line = max(2, int(w * 0.085))
    points = [
        (x0 + w * 0.30, y0 + w * 0.55),
        (x0 + w * 0.45, y0 + w * 0.70),
        (x0 + w * 0.71, y0 + w * 0.38),
    ]
    draw.line(points, fill=BLUE, width=line, joint="curve")
    r = line / 2
    for px, py in (points[0], points[-1]):
        draw.ellipse((px - r, py - r, px + r, py + r), fill=BLUE)


def draw_icon(size: int, *, maskable: bool) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        # Full bleed; the glyph stays inside the 80 % safe zone of adaptive icons.
        draw.rectangle((0, 0, big, big), fill=BLUE)
        _glyph(draw, big, 0.52)
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.22, fill=BLUE)
        _glyph(draw, big, 0.66)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw_icon(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    draw_icon(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    draw_icon(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)
    # iOS ignores transparency: an opaque full-bleed square, rounded by the system.
    draw_icon(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    print(f"icons written to {OUT}")


if __name__ == "__main__":
    main()
