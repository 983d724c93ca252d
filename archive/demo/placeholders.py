"""Placeholder portraits for demo honorees.

``draw_placeholder(style, hue, variant)`` returns an RGB ``PIL.Image`` that is
clearly illustrative (a stylised silhouette, no text) and deterministic: the same
arguments always give the same pixels. The generator stores only the recipe
(``{"style", "hue", "variant"}``) in ``honorees.jsonl``; the app draws on demand.

Variant meaning (any int is accepted, it is reduced modulo):
* person: ``variant % 6`` is the hair shape (0-2 short, 3-5 longer), ``(variant // 6) % 4``
  picks the clothes colour, ``(variant // 24) % 2`` adds a collar/tie detail.
* team: ``3 + variant % 3`` figures, ``(variant // 3) % 4`` shifts the clothes palette.
"""

from __future__ import annotations

import colorsys

from PIL import Image, ImageDraw

__all__ = ["draw_placeholder"]

_SCALE = 2  # supersampling factor for smooth edges


def _hsl(hue: int, sat: float, light: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb((hue % 360) / 360.0, light, sat)
    return (round(r * 255), round(g * 255), round(b * 255))


def _background(size: tuple[int, int], hue: int) -> Image.Image:
    """Soft vertical gradient in the given hue (light at the top, a bit deeper below)."""
    w, h = size
    top = _hsl(hue, 0.45, 0.92)
    bottom = _hsl(hue + 12, 0.40, 0.74)
    column = Image.new("RGB", (1, h))
    span = max(1, h - 1)
    column.putdata(
        [
            tuple(round(a + (b - a) * y / span) for a, b in zip(top, bottom, strict=True))
            for y in range(h)
        ]
    )
    return column.resize((w, h), Image.NEAREST)


_CLOTHES = [  # (saturation, lightness, hue offset)
    (0.30, 0.32, 180),
    (0.45, 0.40, 200),
    (0.35, 0.30, 20),
    (0.15, 0.28, 0),
]
_HAIR = (46, 40, 38)
_SKIN = (236, 206, 180)


def _person(
    d: ImageDraw.ImageDraw,
    cx: float,
    base: float,
    unit: float,
    hue: int,
    hair: int,
    clothes: tuple[int, int, int],
    detail: bool,
    skin,
    hair_col,
) -> None:
    """Draw one head-and-shoulders figure; ``unit`` ~ head radius, ``base`` = bottom y."""
    r = unit
    head_cy = base - 3.3 * r
    line = max(2, int(r * 0.06))
    skin_edge = tuple(int(c * 0.78) for c in skin)
    cloth_edge = tuple(int(c * 0.75) for c in clothes)
    # shoulders / torso: a wide rounded shape running off the bottom
    sw = 2.35 * r
    d.rounded_rectangle(
        (cx - sw, head_cy + 1.45 * r, cx + sw, base + 2 * r),
        radius=int(1.1 * r),
        fill=clothes,
        outline=cloth_edge,
        width=line,
    )
    # neck
    d.rectangle(
        (cx - 0.38 * r, head_cy + 0.6 * r, cx + 0.38 * r, head_cy + 1.6 * r),
        fill=skin,
        outline=skin_edge,
        width=line,
    )
    d.pieslice(
        (cx - 0.55 * r, head_cy + 1.15 * r, cx + 0.55 * r, head_cy + 1.95 * r), 0, 180, fill=skin
    )
    if detail:  # collar / tie
        d.polygon(
            [
                (cx - 0.55 * r, head_cy + 1.45 * r),
                (cx, head_cy + 2.1 * r),
                (cx + 0.55 * r, head_cy + 1.45 * r),
                (cx + 0.25 * r, head_cy + 1.45 * r),
                (cx, head_cy + 1.8 * r),
                (cx - 0.25 * r, head_cy + 1.45 * r),
            ],
            fill=(245, 245, 242),
        )
        d.polygon(
            [
                (cx - 0.13 * r, head_cy + 1.85 * r),
                (cx + 0.13 * r, head_cy + 1.85 * r),
                (cx + 0.2 * r, head_cy + 3.0 * r),
                (cx, head_cy + 3.25 * r),
                (cx - 0.2 * r, head_cy + 3.0 * r),
            ],
            fill=_hsl(hue + 150, 0.5, 0.42),
        )
    hs = hair % 6
    # long hair behind the head: side strands (3), bob (4), bun (5)
    if hs == 3:
        d.ellipse(
            (cx - 1.1 * r, head_cy - 1.15 * r, cx + 1.1 * r, head_cy + 0.6 * r), fill=hair_col
        )
        for sgn in (-1, 1):
            x0, x1 = sorted((cx + sgn * 0.62 * r, cx + sgn * 1.12 * r))
            d.rounded_rectangle(
                (x0, head_cy - 0.2 * r, x1, head_cy + 1.75 * r), radius=int(0.22 * r), fill=hair_col
            )
    elif hs == 4:
        d.ellipse(
            (cx - 1.16 * r, head_cy - 1.16 * r, cx + 1.16 * r, head_cy + 0.85 * r), fill=hair_col
        )
        d.rectangle(
            (cx - 1.16 * r, head_cy - 0.1 * r, cx + 1.16 * r, head_cy + 0.75 * r), fill=hair_col
        )
    elif hs == 5:  # bun
        d.ellipse(
            (cx - 0.45 * r, head_cy - 1.55 * r, cx + 0.45 * r, head_cy - 0.7 * r), fill=hair_col
        )
    # head (slightly tall ellipse)
    # ears (behind the face), then the face
    d.ellipse(
        (cx - 1.02 * r, head_cy - 0.1 * r, cx - 0.74 * r, head_cy + 0.35 * r),
        fill=skin,
        outline=skin_edge,
        width=line,
    )
    d.ellipse(
        (cx + 0.74 * r, head_cy - 0.1 * r, cx + 1.02 * r, head_cy + 0.35 * r),
        fill=skin,
        outline=skin_edge,
        width=line,
    )
    d.ellipse(
        (cx - 0.9 * r, head_cy - 1.05 * r, cx + 0.9 * r, head_cy + 1.05 * r),
        fill=skin,
        outline=skin_edge,
        width=line,
    )
    # hair on top
    if hs == 0:  # short crop
        d.chord(
            (cx - 0.95 * r, head_cy - 1.12 * r, cx + 0.95 * r, head_cy + 0.45 * r),
            180,
            360,
            fill=hair_col,
        )
    elif hs == 1:  # side parting
        d.chord(
            (cx - 0.97 * r, head_cy - 1.15 * r, cx + 0.97 * r, head_cy + 0.6 * r),
            175,
            365,
            fill=hair_col,
        )
        d.polygon(
            [
                (cx - 0.2 * r, head_cy - 1.0 * r),
                (cx + 0.95 * r, head_cy - 0.25 * r),
                (cx + 0.9 * r, head_cy - 0.9 * r),
            ],
            fill=hair_col,
        )
    elif hs == 2:  # very short / receding
        d.chord(
            (cx - 0.92 * r, head_cy - 1.08 * r, cx + 0.92 * r, head_cy + 0.1 * r),
            190,
            350,
            fill=hair_col,
        )
    elif hs in (3, 4):  # fringe over long hair
        d.chord(
            (cx - 0.97 * r, head_cy - 1.14 * r, cx + 0.97 * r, head_cy + 0.5 * r),
            180,
            360,
            fill=hair_col,
        )
    else:  # bun: smooth top
        d.chord(
            (cx - 0.94 * r, head_cy - 1.1 * r, cx + 0.94 * r, head_cy + 0.3 * r),
            180,
            360,
            fill=hair_col,
        )


def _corner_mark(d: ImageDraw.ImageDraw, w: int, h: int, hue: int) -> None:
    """Diagonal striped ribbon across the top-right corner: reads as 'placeholder'."""
    band = int(min(w, h) * 0.09)
    off = int(min(w, h) * 0.20)
    dark = _hsl(hue + 180, 0.25, 0.35)
    light = _hsl(hue, 0.30, 0.96)
    # hazard-tape ribbon: alternating parallelograms with vertical cuts
    step = max(6, band // 2)
    k = 0
    for t in range(-band, off + band + step, step):
        col = dark if k % 2 == 0 else light
        d.polygon(
            [
                (w - off + t, t),
                (w - off + t + step, t + step),
                (w - off + t + step, t + step + band),
                (w - off + t, t + band),
            ],
            fill=col,
        )
        k += 1
    # small round badge in the bottom-left
    br = int(min(w, h) * 0.045)
    m = int(min(w, h) * 0.05)
    d.ellipse((m, h - m - 2 * br, m + 2 * br, h - m), outline=dark, width=max(2, br // 4))
    d.ellipse((m + br * 0.55, h - m - br * 1.45, m + br * 1.45, h - m - br * 0.55), fill=dark)


def draw_placeholder(
    style: str, hue: int, variant: int, size: tuple[int, int] = (600, 750)
) -> Image.Image:
    """Draw a deterministic illustrative placeholder portrait.

    ``style`` is "person" (one head-and-shoulders silhouette) or "team" (3-5 figures).
    """
    w, h = int(size[0]), int(size[1])
    hue = int(hue) % 360
    variant = abs(int(variant))
    sw, sh = w * _SCALE, h * _SCALE
    img = _background((sw, sh), hue)
    d = ImageDraw.Draw(img)
    tint = _hsl(hue, 0.18, 0.86)  # tinted, clearly not a photo
    skin = tuple((a + b) // 2 for a, b in zip(_SKIN, tint, strict=True))
    hair_col = _hsl(hue + 200, 0.12, 0.22)
    if style == "team":
        n = 3 + variant % 3
        pal = (variant // 3) % 4
        front = {3: 2, 4: 3, 5: 3}[n]
        back = n - front
        unit = min(sw * 0.92 / (2.35 * front + 0.6), sh * 0.12)
        s_gap = 2.35 * unit
        base_front = sh * 1.0
        base_back = base_front - 2.7 * unit
        back_off = [0.5] if n == 4 else [(j - (back - 1) / 2) for j in range(back)]
        figures = [(sw / 2 + o * s_gap, base_back, unit * 0.86) for o in back_off]
        figures += [
            (sw / 2 + (i - (front - 1) / 2) * s_gap, base_front, unit) for i in range(front)
        ]
        for idx, (cx, base, u) in enumerate(figures):
            sat, light, off = _CLOTHES[(pal + idx) % 4]
            clothes = _hsl(hue + off, sat, light + 0.05 * (idx % 2))
            _person(
                d,
                cx,
                base,
                u,
                hue,
                (variant + idx * 2 + idx // 2) % 6,
                clothes,
                False,
                skin,
                hair_col,
            )
    else:
        unit = min(sw, sh) * 0.16
        saturation, lightness, off = _CLOTHES[(variant // 6) % 4]
        clothes = _hsl(hue + off, saturation, lightness)
        _person(
            d,
            sw / 2,
            sh * 0.98,
            unit,
            hue,
            variant % 6,
            clothes,
            bool((variant // 24) % 2),
            skin,
            hair_col,
        )
    _corner_mark(d, sw, sh, hue)
    return img.reduce(_SCALE) if _SCALE > 1 else img
