"""An exhibition's cover drawn from its theme and title (when no photo was
uploaded): the wall texture, the banner colour with the emblem, the title and the
banner wording. A pure function of its inputs, cached on disk by their hash."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from PIL import Image, ImageDraw

from . import room
from .themes import rgb

SIZE = (1200, 750)  # 8:5, cropped to 16:9 or 4:5 by CSS where shown
VERSION = "1"


def draw(
    theme: dict, title: str, font: tuple[str, int], size: tuple[int, int] = SIZE
) -> Image.Image:
    width, height = size
    palette = theme["palette"]
    wall = room._lit_wall(json.dumps(theme, sort_keys=True), "front", 0, ()).copy()
    # the wall's upper part (texture, no wainscot), scaled to fill the cover
    crop = wall.crop((0, 0, wall.width, round(wall.height * 0.7)))
    scale = max(width / crop.width, height / crop.height)
    image = crop.resize((round(crop.width * scale) + 1, round(crop.height * scale) + 1))
    image = image.crop((0, 0, width, height))
    draw_ = ImageDraw.Draw(image)
    band_top, band_bottom = round(height * 0.22), round(height * 0.78)
    draw_.rectangle((0, band_top, width, band_bottom), fill=rgb(palette["banner"]))
    gold = rgb(palette["banner_text"])
    edge = max(3, width // 240)
    draw_.rectangle(
        (edge * 3, band_top + edge * 3, width - edge * 3, band_bottom - edge * 3),
        outline=gold,
        width=edge,
    )
    room._emblem(
        draw_,
        theme["emblem"],
        width / 2,
        band_top + height * 0.13,
        height * 0.075,
        gold,
        rgb(palette["banner"]),
    )
    scale_m = 1 / room.PX  # _fit works in metres at room.PX pixels each
    title_font = room._fit(
        draw_, title, *font, width * 0.86, height * 0.11 * scale_m, height * 0.04 * scale_m
    )
    draw_.text(
        (width / 2, band_top + height * 0.33), title, font=title_font, fill=gold, anchor="mm"
    )
    if theme.get("banner"):
        line_font = room._fit(
            draw_,
            theme["banner"],
            *font,
            width * 0.8,
            height * 0.05 * scale_m,
            height * 0.025 * scale_m,
        )
        draw_.text(
            (width / 2, band_top + height * 0.46),
            theme["banner"],
            font=line_font,
            fill=gold,
            anchor="mm",
        )
    draw_.rectangle((0, band_bottom, width, band_bottom + edge * 2), fill=rgb(palette["trim"]))
    return image


def cached(folder: Path, theme: dict, title: str, font: tuple[str, int]) -> tuple[bytes, str]:
    """The cover as JPEG bytes and its ETag, drawn once per theme and title."""
    key = hashlib.sha256(
        json.dumps([VERSION, theme, title], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()[:24]
    path = Path(folder) / f"cover-{key}.jpg"
    if path.is_file():
        return path.read_bytes(), key
    buffer = io.BytesIO()
    draw(theme, title, font).save(buffer, "JPEG", quality=84, optimize=True, progressive=True)
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return data, key
