"""The share image: a portrait-format PNG of a profile (name, honour, portrait, QR)
that a visitor can long-press to save or send. Drawn once per record version and
public address, then read from MEDIA_DIR/share/."""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from pathlib import Path

import sqlite_utils
from PIL import Image, ImageDraw, ImageFont

from archive.catalogue import honorees, media
from archive.printing import fonts, qr
from archive.printing.posters import LEVEL_RANK
from archive.printing.print_style import Style, emblem_image, ornament_pil, site_style
from archive.printing.runs import display_address, short_url

WIDTH, HEIGHT = 750, 1334
VERSION = "2"  # bump when the drawing changes, so cached images are redrawn
CALL = "长按识别二维码，阅读先进事迹"


def share_png(
    name: str,
    honour: str,
    unit: str,
    portrait: Path | None,
    url: str,
    address: str,
    site_name: str,
    font: fonts.Font,
    *,
    style: Style | None = None,
    title_font: fonts.Font | None = None,
    organisation: str = "",
) -> bytes:
    """Draw the share image (pure: text, a picture file and a URL in, PNG out) in the
    print style: red band with the emblem, framed portrait, name in the heading
    face, the honour in red, a gold ornament, the QR code on white."""
    style = style or site_style()
    palette = style.palette
    organisation = organisation or style.organisation
    heading = title_font or font
    texts = [name, honour, unit, address, site_name, organisation, CALL]
    fonts.check(font, texts)
    fonts.check(heading, texts)
    image = Image.new("RGB", (WIDTH, HEIGHT), palette.paper)
    draw = ImageDraw.Draw(image)

    def face(size: int, title: bool = False) -> ImageFont.FreeTypeFont:
        chosen = heading if title else font
        return ImageFont.truetype(chosen.path, size, index=chosen.index)

    def fitted(text: str, size: int, max_width: int, title: bool = False, least: int = 18):
        while size > least and draw.textlength(text, font=face(size, title)) > max_width:
            size -= 2
        return face(size, title)

    def centred(
        text: str, y: int, size: int, fill, max_width: int = 650, title: bool = False
    ) -> None:
        chosen = fitted(text, size, max_width, title)
        width = draw.textlength(text, font=chosen)
        draw.text(((WIDTH - width) / 2, y), text, font=chosen, fill=fill)

    # the band: emblem, site name, organisation; a double gold rule
    draw.rectangle((0, 0, WIDTH, 150), fill=palette.red)
    emblem = emblem_image(92, style)
    image.paste(emblem, (40, (150 - emblem.height) // 2), emblem)
    band = fitted(site_name, 40, WIDTH - 200, True)
    draw.text((156, 36 if organisation else 52), site_name, font=band, fill=palette.white)
    if organisation:
        draw.text(
            (158, 92),
            organisation,
            font=fitted(organisation, 24, WIDTH - 200),
            fill=palette.gold_light,
        )
    draw.rectangle((0, 150, WIDTH, 156), fill=palette.gold)
    draw.rectangle((0, 160, WIDTH, 161), fill=palette.gold)
    # the portrait in a thin gold frame
    box_w, box_h, top = 380, 480, 196
    left = (WIDTH - box_w) // 2
    draw.rectangle(
        (left - 10, top - 10, left + box_w + 10, top + box_h + 10), outline=palette.gold, width=2
    )
    draw.rectangle((left, top, left + box_w, top + box_h), fill=palette.white)
    if portrait is not None and portrait.is_file():
        with Image.open(portrait) as opened:
            picture = opened.convert("RGB")
        picture.thumbnail((box_w, box_h), Image.Resampling.LANCZOS)
        image.paste(
            picture, (left + (box_w - picture.width) // 2, top + (box_h - picture.height) // 2)
        )
    else:
        centred("暂无照片", top + box_h // 2 - 14, 26, palette.muted)
    centred(name, 712, 66, palette.red_deep, title=True)
    if honour:
        centred(honour, 806, 34, palette.red, title=True)
    if unit:
        centred(unit, 860, 25, palette.muted)
    ornament_pil(draw, 225, 920, 300, style)
    with Image.open(io.BytesIO(qr.qr_png(url, 280))) as code:
        code = code.convert("RGB")
        image.paste(code, ((WIDTH - code.width) // 2, 945))
    centred(CALL, 1212, 30, palette.red, title=True)
    centred(address, 1256, 22, palette.muted)
    draw.rectangle((0, HEIGHT - 34, WIDTH, HEIGHT), fill=palette.red_deep)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def cached(db: sqlite_utils.Database, config, record: dict) -> tuple[bytes, str]:
    """(PNG bytes, etag) for a published honoree, drawn once per version."""
    base = config["BASE_URL"]
    key = (
        f"{VERSION}\n{record['id']}\n{record['version']}\n{record['updated_at']}\n{base}\n"
        f"{config.get('EMBLEM_PATH') or ''}\n{config.get('ORGANISATION') or ''}"
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    path = Path(config["MEDIA_DIR"]) / "share" / f"{record['id']}-{digest}.png"
    try:
        return path.read_bytes(), digest
    except FileNotFoundError:
        pass
    honours = honorees.honours_of(db, [record["id"]])[record["id"]]
    top = min(honours, key=lambda o: (LEVEL_RANK.get(o["level"], 9), -o["year"]), default=None)
    photo = honorees.portraits_of(db, [record["id"]]).get(record["id"])
    portrait = None
    if photo and photo["files"]["jpeg"]:
        portrait = (
            media.derived_dir(config["MEDIA_DIR"])
            / photo["files"]["jpeg"][min(1, len(photo["files"]["jpeg"]) - 1)]["name"]
        )
    data = share_png(
        record["name"],
        f"{top['year']}年 {top['title']}" if top else "",
        record["unit"] or "",
        portrait,
        short_url(base, record["code"]),
        display_address(base, record["code"]),
        config["SITE_NAME"],
        fonts.load(config["FONT_PATH"]),
        style=site_style(config),
        title_font=fonts.load_optional(config.get("FONT_TITLE_PATH")),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return data, digest
