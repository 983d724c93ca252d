"""The honours style for everything printed: posters, the record book, label
sheets and share images draw their colours, type sizes, emblem and ornaments from
here, so a batch keeps one design. Documented in docs/design.md (print tokens).

An exhibition's theme (issue 16) plugs in through ``print_style(exhibition)``
alone: whatever it does not set falls back to the site's style. No Flask here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    """Restrained honours colours: one deep red, one gold, ink and paper."""

    red: RGB = (158, 27, 32)  # 中国红, deep: bands, the honour line, headings
    red_deep: RGB = (112, 16, 20)  # names on paper, the footer band
    gold: RGB = (191, 146, 62)  # rules, ornaments, the emblem's gear and star
    gold_light: RGB = (236, 214, 160)  # gold on red (exhibition title in the band)
    ink: RGB = (28, 26, 24)  # body text
    muted: RGB = (104, 96, 88)  # secondary text: region, address, captions
    paper: RGB = (252, 248, 239)  # the sheet's warm tint
    white: RGB = (255, 255, 255)  # the QR panel (quiet zone) and text on red


@dataclass(frozen=True)
class TypeScale:
    """Sizes in points for one format. ``*_floor`` is the smallest a text may be
    shrunk to before it wraps; text that still does not fit is reported to staff."""

    band_title: float
    band_org: float
    name: float
    name_floor: float
    honour: float
    body: float
    body_floor: float
    quote: float
    cta: float
    small: float


SCALES: dict[str, TypeScale] = {
    "poster-a4": TypeScale(
        band_title=20,
        band_org=11,
        name=44,
        name_floor=24,
        honour=18,
        body=14,
        body_floor=10.5,
        quote=16,
        cta=24,
        small=9,
    ),
    "poster-a3": TypeScale(
        band_title=30,
        band_org=15,
        name=64,
        name_floor=34,
        honour=26,
        body=19,
        body_floor=14,
        quote=24,
        cta=36,
        small=12,
    ),
    "book": TypeScale(
        band_title=30,
        band_org=13,
        name=26,
        name_floor=16,
        honour=11,
        body=10.5,
        body_floor=9,
        quote=11,
        cta=9,
        small=8.5,
    ),
    "labels": TypeScale(
        band_title=0,
        band_org=0,
        name=12,
        name_floor=7,
        honour=0,
        body=7,
        body_floor=7,
        quote=0,
        cta=6.5,
        small=6.5,
    ),
}


@dataclass(frozen=True)
class Style:
    palette: Palette = field(default_factory=Palette)
    scales: Mapping[str, TypeScale] = field(default_factory=lambda: dict(SCALES))
    emblem_path: str = ""  # an image (PNG, JPEG or SVG) instead of the drawn emblem
    site_name: str = "劳模工匠数字档案馆"
    organisation: str = ""

    def scale(self, fmt: str) -> TypeScale:
        return self.scales.get(fmt) or self.scales["poster-a4"]

    def emblem_file(self) -> Path | None:
        path = Path(self.emblem_path) if self.emblem_path else None
        return path if path is not None and path.is_file() else None


def site_style(config: Mapping | None = None) -> Style:
    """The site's own print style, from the settings (EMBLEM_PATH, SITE_NAME,
    ORGANISATION)."""
    config = config or {}
    return Style(
        emblem_path=str(config.get("EMBLEM_PATH") or ""),
        site_name=str(config.get("SITE_NAME") or Style.site_name),
        organisation=str(config.get("ORGANISATION") or ""),
    )


_HEX = re.compile(r"#?([0-9a-fA-F]{6})")
_THEMED = ("red", "red_deep", "gold", "gold_light", "ink", "muted", "paper")


def print_style(exhibition: Mapping | None = None, config: Mapping | None = None) -> Style:
    """The style to print an exhibition with: the site's style, with whatever the
    exhibition's theme sets (colours as ``#rrggbb`` under the palette's names, an
    ``emblem`` image path). A missing, unreadable or partial theme falls back."""
    style = site_style(config)
    theme = (exhibition or {}).get("theme")
    if isinstance(theme, str):
        try:
            theme = json.loads(theme)
        except ValueError:
            theme = None
    if not isinstance(theme, Mapping):
        return style
    colours = dict(hall_colours(theme))
    palette = theme.get("palette") if isinstance(theme.get("palette"), Mapping) else theme
    for key in _THEMED:
        rgb = _rgb(palette.get(key))
        if rgb is not None:
            colours[key] = rgb
    emblem = theme.get("emblem")
    style = replace(style, palette=replace(style.palette, **colours))
    if isinstance(emblem, str) and emblem and Path(emblem).is_file():
        style = replace(style, emblem_path=emblem)
    return style


# An exhibition's hall theme (archive/halls/themes.py) names its colours for a room
# (banner, trim, ...); these are the palette tokens each one stands for, so a theme
# picked for the hall also dresses the exhibition's pages and its posters.
HALL_TOKENS = {"red": "accent", "red_deep": "wainscot", "gold": "trim", "gold_light": "banner_text"}


def _rgb(value: object) -> RGB | None:
    match = _HEX.fullmatch(str(value or ""))
    if not match:
        return None
    hex_ = match[1]
    return (int(hex_[0:2], 16), int(hex_[2:4], 16), int(hex_[4:6], 16))


def hall_colours(theme: Mapping) -> dict[str, RGB]:
    """Palette tokens taken from a hall theme's colours (empty for a theme that has
    none); the paper is the theme's ceiling lightened halfway to white."""
    palette = theme.get("palette")
    if not isinstance(palette, Mapping):
        return {}
    found = {token: _rgb(palette.get(key)) for token, key in HALL_TOKENS.items()}
    ceiling = _rgb(palette.get("ceiling"))
    if ceiling is not None:
        found["paper"] = tuple(round((c + 255) / 2) for c in ceiling)
    return {token: value for token, value in found.items() if value is not None}


# --- the drawn emblem -----------------------------------------------------------------
# A gold gear rim (labour), a red disc, a gold five-pointed star and a red ribbon with
# gold edges across the foot: an original mark in the manner of union insignia, not
# any organisation's logo. Shapes are in a unit box (0..1 wide, 0..1.1 high) so the
# PDF (vector) and the share image (Pillow) draw the same thing.


def _star(cx: float, cy: float, outer: float, inner: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _gear(cx: float, cy: float, outer: float, inner: float, teeth: int = 24) -> list:
    points = []
    for i in range(teeth):
        base = 2 * math.pi * i / teeth
        step = 2 * math.pi / teeth
        for fraction, radius in ((0.0, inner), (0.18, outer), (0.5, outer), (0.68, inner)):
            angle = base + fraction * step
            points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def emblem_shapes() -> list[tuple[str, str, object]]:
    """The emblem as (kind, palette colour, geometry): "poly" with points, "disc"
    with (cx, cy, r), in a box 1 wide and 1.1 high."""
    c = 0.5
    ribbon_y, ribbon_h = 0.86, 0.16
    ribbon = [
        (0.02, ribbon_y),
        (0.98, ribbon_y),
        (0.92, ribbon_y + ribbon_h / 2),
        (0.98, ribbon_y + ribbon_h),
        (0.02, ribbon_y + ribbon_h),
        (0.08, ribbon_y + ribbon_h / 2),
    ]
    edge = [(x, y) for x, y in ribbon]
    inset = [
        (0.05, ribbon_y + 0.025),
        (0.95, ribbon_y + 0.025),
        (0.895, ribbon_y + ribbon_h / 2),
        (0.95, ribbon_y + ribbon_h - 0.025),
        (0.05, ribbon_y + ribbon_h - 0.025),
        (0.105, ribbon_y + ribbon_h / 2),
    ]
    return [
        ("poly", "gold", _gear(c, c, 0.5, 0.45)),
        ("disc", "red", (c, c, 0.41)),
        ("disc", "gold", (c, c, 0.355)),
        ("disc", "red", (c, c, 0.335)),
        ("poly", "gold", _star(c, c - 0.015, 0.27, 0.105)),
        ("poly", "gold", edge),
        ("poly", "red", inset),
    ]


def draw_emblem_pdf(pdf, x: float, y: float, size: float, style: Style) -> None:
    """The emblem ``size`` wide with its top-left at (x, y): the EMBLEM_PATH image if
    set, else the drawn mark as vector shapes."""
    image = style.emblem_file()
    if image is not None:
        pdf.image(str(image), x=x, y=y, w=size, h=size * 1.1, keep_aspect_ratio=True)
        return
    for kind, colour, geometry in emblem_shapes():
        pdf.set_fill_color(*getattr(style.palette, colour))
        if kind == "disc":
            cx, cy, r = geometry
            pdf.ellipse(
                x + (cx - r) * size, y + (cy - r) * size, 2 * r * size, 2 * r * size, style="F"
            )
        else:
            pdf.polygon([(x + px * size, y + py * size) for px, py in geometry], style="F")


def emblem_image(size: int, style: Style):
    """The emblem as a transparent Pillow image ``size`` pixels wide (for share
    images): the EMBLEM_PATH image if Pillow can read it, else the drawn mark."""
    from PIL import Image, ImageDraw

    image_path = style.emblem_file()
    if image_path is not None:
        try:
            with Image.open(image_path) as opened:
                picture = opened.convert("RGBA")
            picture.thumbnail((size, int(size * 1.1)), Image.Resampling.LANCZOS)
            return picture
        except OSError:
            pass  # e.g. an SVG: the drawn emblem stands in
    scale = 4  # drawn large, then reduced: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, int(big * 1.1)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for kind, colour, geometry in emblem_shapes():
        fill = getattr(style.palette, colour)
        if kind == "disc":
            cx, cy, r = geometry
            draw.ellipse(
                ((cx - r) * big, (cy - r) * big, (cx + r) * big, (cy + r) * big), fill=fill
            )
        else:
            draw.polygon([(px * big, py * big) for px, py in geometry], fill=fill)
    return image.resize((size, int(size * 1.1)), Image.Resampling.LANCZOS)


# --- ornaments ------------------------------------------------------------------------


def ornament_pdf(pdf, x: float, y: float, width: float, style: Style, weight: float = 0.35) -> None:
    """A section ornament centred on (x .. x + width, y): two gold rules tapering
    towards a small diamond between two dots."""
    gold = style.palette.gold
    pdf.set_draw_color(*gold)
    pdf.set_fill_color(*gold)
    mid = x + width / 2
    d = max(1.2, weight * 5)
    pdf.set_line_width(weight)
    pdf.line(x, y, mid - 2.6 * d, y)
    pdf.line(mid + 2.6 * d, y, x + width, y)
    pdf.polygon([(mid, y - d), (mid + d, y), (mid, y + d), (mid - d, y)], style="F")
    for side in (-1, 1):
        r = d * 0.32
        pdf.ellipse(mid + side * 1.8 * d - r, y - r, 2 * r, 2 * r, style="F")


def ornament_pil(draw, x: float, y: float, width: float, style: Style, weight: int = 2) -> None:
    """The same ornament on a Pillow image."""
    gold = style.palette.gold
    mid = x + width / 2
    d = max(5, weight * 4)
    draw.line((x, y, mid - 2.6 * d, y), fill=gold, width=weight)
    draw.line((mid + 2.6 * d, y, x + width, y), fill=gold, width=weight)
    draw.polygon([(mid, y - d), (mid + d, y), (mid, y + d), (mid - d, y)], fill=gold)
    for side in (-1, 1):
        r = d * 0.32
        draw.ellipse((mid + side * 1.8 * d - r, y - r, mid + side * 1.8 * d + r, y + r), fill=gold)
