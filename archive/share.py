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

from . import fonts, honorees, media, qr
from .printing import display_address, short_url

WIDTH, HEIGHT = 750, 1334
VERSION = "1"


def share_png(name: str, honour: str, unit: str, portrait: Path | None, url: str,
              address: str, site_name: str, font: fonts.Font) -> bytes:
    """Draw the share image (pure: text, a picture file and a URL in, PNG out)."""
    fonts.check(font, [name, honour, unit, address, site_name, "长按识别二维码，了解TA的故事"])
    image = Image.new("RGB", (WIDTH, HEIGHT), (250, 246, 240))
    draw = ImageDraw.Draw(image)

    def face(size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(font.path, size, index=font.index)

    def centred(text: str, y: int, size: int, fill=(30, 30, 30), max_width: int = 660) -> None:
        while size > 18 and draw.textlength(text, font=face(size)) > max_width:
            size -= 2
        width = draw.textlength(text, font=face(size))
        draw.text(((WIDTH - width) / 2, y), text, font=face(size), fill=fill)

    draw.rectangle((0, 0, WIDTH, 96), fill=(168, 28, 28))
    centred(site_name, 26, 36, fill=(255, 255, 255))
    if portrait is not None and portrait.is_file():
        with Image.open(portrait) as opened:
            picture = opened.convert("RGB")
        picture.thumbnail((420, 520), Image.Resampling.LANCZOS)
        image.paste(picture, ((WIDTH - picture.width) // 2, 140 + (520 - picture.height) // 2))
    centred(name, 690, 64)
    if honour:
        centred(honour, 780, 34, fill=(168, 28, 28))
    if unit:
        centred(unit, 832, 26, fill=(80, 80, 80))
    with Image.open(io.BytesIO(qr.qr_png(url, 320))) as code:
        code = code.convert("RGB")
        image.paste(code, ((WIDTH - code.width) // 2, 890))
    centred(address, 1232, 24, fill=(80, 80, 80))
    centred("长按识别二维码，了解TA的故事", 1272, 28)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def cached(db: sqlite_utils.Database, config, record: dict) -> tuple[bytes, str]:
    """(PNG bytes, etag) for a published honoree, drawn once per version."""
    base = config["BASE_URL"]
    key = f"{VERSION}\n{record['id']}\n{record['version']}\n{record['updated_at']}\n{base}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    path = Path(config["MEDIA_DIR"]) / "share" / f"{record['id']}-{digest}.png"
    try:
        return path.read_bytes(), digest
    except FileNotFoundError:
        pass
    honours = honorees.honours_of(db, [record["id"]])[record["id"]]
    top = max(honours, key=lambda o: (o["level"] == "national", o["year"]), default=None)
    photo = honorees.portraits_of(db, [record["id"]]).get(record["id"])
    portrait = None
    if photo and photo["files"]["jpeg"]:
        portrait = media.derived_dir(config["MEDIA_DIR"]) / photo["files"]["jpeg"][
            min(1, len(photo["files"]["jpeg"]) - 1)]["name"]
    data = share_png(
        record["name"], f"{top['year']}年 {top['title']}" if top else "", record["unit"] or "",
        portrait, short_url(base, record["code"]), display_address(base, record["code"]),
        config["SITE_NAME"], fonts.load(config["FONT_PATH"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return data, digest
