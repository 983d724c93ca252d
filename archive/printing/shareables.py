"""Convergent-media pictures (融媒体) of a profile: the long picture (长图) for WeChat
Moments and the square card WeChat shows when a page is shared.

Text is measured with the font itself and wrapped (Chinese by character, Latin by
word, no line starting with closing punctuation), so nothing is ever clipped: the
picture grows to fit. The layout is computed first (pure, testable: every line's
ink box), then drawn. Colours, sizes and margins are in :data:`STYLE`, one
place to switch to the shared print style later.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
from PIL import Image, ImageDraw, ImageFont

from archive.catalogue import honorees, media
from archive.printing import fonts, qr
from archive.printing.runs import display_address, short_url

VERSION = "1"
LONG_WIDTH = 1080
CARD_SIZE = 500  # WeChat asks for at least 300×300
EXCERPT_CHARS = 220
NO_LINE_START = set("，。、；：！？）》」』”’…%,.;:!?)]}")
CALL_TO_ACTION = "长按识别二维码，阅读并收听TA的故事"


@dataclass(frozen=True)
class Style:
    """The look of the shareable pictures: the shared print style's palette
    (:meth:`of`), so a long picture shared for an exhibition wears its theme."""

    paper: tuple = (250, 246, 240)
    ink: tuple = (30, 30, 30)
    accent: tuple = (168, 28, 28)
    muted: tuple = (85, 85, 85)
    band_text: tuple = (255, 255, 255)
    quote_paper: tuple = (243, 233, 220)
    margin: int = 72
    band: int = 150
    sizes: dict = field(
        default_factory=lambda: {
            "site": 46,
            "name": 84,
            "honour": 44,
            "unit": 36,
            "heading": 40,
            "story": 36,
            "quote": 38,
            "address": 30,
            "action": 34,
            "org": 28,
        }
    )

    @classmethod
    def of(cls, printed) -> Style:
        """From an archive.printing.print_style.Style: accent ← red, ink, muted, paper, text on
        the band ← white, the quote's ground ← paper mixed a third of the way to gold."""
        palette = printed.palette
        quote = tuple(
            round(p + (g - p) / 3) for p, g in zip(palette.paper, palette.gold_light, strict=True)
        )
        return cls(
            paper=palette.paper,
            ink=palette.ink,
            accent=palette.red,
            muted=palette.muted,
            band_text=palette.white,
            quote_paper=quote,
        )


STYLE = Style()


@dataclass
class Line:
    text: str
    x: float
    y: float
    size: int
    fill: tuple
    box: tuple = ()  # the ink's (left, top, right, bottom), measured


@dataclass
class Layout:
    width: int
    height: int
    lines: list[Line]
    portrait: tuple | None  # (left, top, width, height)
    qr: tuple  # (left, top, side)
    quote_box: tuple | None


class Faces:
    def __init__(self, font: fonts.Font):
        self.font = font
        self._faces: dict[int, ImageFont.FreeTypeFont] = {}

    def __call__(self, size: int) -> ImageFont.FreeTypeFont:
        if size not in self._faces:
            self._faces[size] = ImageFont.truetype(self.font.path, size, index=self.font.index)
        return self._faces[size]


_TOKEN = re.compile(r"[A-Za-z0-9@#&'’\-_/.:%+]+|\s+|.", re.S)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` as drawn in ``face``."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for token in _TOKEN.findall(paragraph):
            if face.getlength(current + token) <= width:
                current += token
                continue
            if token.isspace():
                lines.append(current)
                current = ""
                continue
            if current.strip():
                lines.append(current.rstrip())
            current = ""
            if face.getlength(token) > width:  # a word longer than a line: by character
                for char in token:
                    if face.getlength(current + char) > width and current:
                        lines.append(current)
                        current = ""
                    current += char
            else:
                current = token
            while (
                lines
                and current
                and current[0] in NO_LINE_START
                and len(lines[-1]) > 1
                and face.getlength(lines[-1][-1] + current) <= width
            ):  # take the previous character along, while the line still fits
                current = lines[-1][-1] + current
                lines[-1] = lines[-1][:-1]
        lines.append(current.rstrip())
    return [line for line in lines if line.strip()] or []


def excerpt(story: str, limit: int = EXCERPT_CHARS) -> str:
    """The story's opening as plain text, cut at a sentence end where possible."""
    from archive.curation.narration import _plain_text

    text = _plain_text(story or "").replace("\n", "")
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(p) for p in "。！？")
    return (cut[: end + 1] if end > limit // 2 else cut) + "……"


def long_layout(
    content: dict, faces: Faces, portrait_size: tuple | None, style: Style = STYLE
) -> Layout:
    """Where everything goes on the long picture (pure; nothing drawn)."""
    width, margin, sizes = LONG_WIDTH, style.margin, style.sizes
    inner = width - 2 * margin
    lines: list[Line] = []
    y = 0.0

    def block(
        text: str, size: int, fill, align: str = "centre", gap: float = 1.5, indent: int = 0
    ) -> None:
        nonlocal y
        face = faces(size)
        for line in wrap(text, face, inner - 2 * indent):
            length = face.getlength(line)
            x = (
                (width - length) / 2
                if align == "centre"
                else (width - margin - indent - length if align == "right" else margin + indent)
            )
            left, top, right, bottom = face.getbbox(line)
            lines.append(Line(line, x, y, size, fill, (x + left, y + top, x + right, y + bottom)))
            y += size * gap

    y = (style.band - sizes["site"] * 1.2) / 2
    block(content["site"], sizes["site"], style.band_text, gap=1.2)
    y = style.band + 64
    portrait = None
    if portrait_size:
        pw, ph = portrait_size
        scale = min(640 / pw, 800 / ph)
        w, h = round(pw * scale), round(ph * scale)
        portrait = ((width - w) // 2, int(y), w, h)
        y += h + 56
    block(content["name"], sizes["name"], style.ink, gap=1.3)
    if content.get("honour"):
        y += 8
        block(content["honour"], sizes["honour"], style.accent)
    if content.get("unit"):
        block(content["unit"], sizes["unit"], style.muted)
    if content.get("story"):
        y += 40
        block(content.get("story_heading", "事迹"), sizes["heading"], style.accent, "left")
        y += 8
        block(content["story"], sizes["story"], style.ink, "left", gap=1.75)
    quote_box = None
    if content.get("quote"):
        y += 36
        top = y
        y += 40
        block("“" + content["quote"] + "”", sizes["quote"], style.ink, "left", 1.7, indent=36)
        block("—— " + content["name"], sizes["unit"], style.muted, "right", indent=36)
        y += 16
        quote_box = (margin, int(top), width - margin, int(y))
    y += 56
    side = 400
    qr_box = ((width - side) // 2, int(y), side)
    y += side + 24
    block(content["address"], sizes["address"], style.muted)
    block(CALL_TO_ACTION, sizes["action"], style.ink)
    y += 24
    if content.get("organisation"):
        block(content["organisation"], sizes["org"], style.muted)
    return Layout(width, int(y + 48), lines, portrait, qr_box, quote_box)


def long_png(
    content: dict, portrait: Path | None, url: str, font: fonts.Font, style: Style = STYLE
) -> tuple[bytes, Layout]:
    """Draw the long picture (pure: texts, a picture file and a URL in, PNG out)."""
    fonts.check(
        font, [v for v in content.values() if isinstance(v, str)] + [CALL_TO_ACTION, "“”—— 事迹"]
    )
    picture = None
    if portrait is not None and portrait.is_file():
        with Image.open(portrait) as opened:
            picture = opened.convert("RGB")
    faces = Faces(font)
    layout = long_layout(content, faces, picture.size if picture else None, style)
    image = Image.new("RGB", (layout.width, layout.height), style.paper)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, layout.width, style.band), fill=style.accent)
    if picture is not None and layout.portrait:
        left, top, w, h = layout.portrait
        image.paste(picture.resize((w, h), Image.Resampling.LANCZOS), (left, top))
    if layout.quote_box:
        draw.rectangle(layout.quote_box, fill=style.quote_paper)
        draw.rectangle(
            (
                layout.quote_box[0],
                layout.quote_box[1],
                layout.quote_box[0] + 8,
                layout.quote_box[3],
            ),
            fill=style.accent,
        )
    for line in layout.lines:
        draw.text((line.x, line.y), line.text, font=faces(line.size), fill=line.fill)
    left, top, side = layout.qr
    with Image.open(io.BytesIO(qr.qr_png(url, 640))) as code:
        image.paste(code.convert("RGB").resize((side, side), Image.Resampling.NEAREST), (left, top))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=3)  # 7% larger than 6, 11% less CPU overall
    return buffer.getvalue(), layout


def card_png(
    name: str, honour: str, portrait: Path | None, font: fonts.Font, style: Style = STYLE
) -> bytes:
    """The square share card: the portrait above a band with name and honour."""
    fonts.check(font, [name, honour])
    size = CARD_SIZE
    image = Image.new("RGB", (size, size), style.paper)
    band = 150
    if portrait is not None and portrait.is_file():
        with Image.open(portrait) as opened:
            picture = opened.convert("RGB")
        scale = max(size / picture.width, (size - band) / picture.height)
        picture = picture.resize(
            (round(picture.width * scale), round(picture.height * scale)), Image.Resampling.LANCZOS
        )
        left = (picture.width - size) // 2
        image.paste(picture.crop((left, 0, left + size, size - band)), (0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, size - band, size, size), fill=style.accent)
    faces = Faces(font)
    for text, start, top in ((name, 52, size - band + 18), (honour, 30, size - band + 96)):
        if not text:
            continue
        points = start
        while points > 14 and faces(points).getlength(text) > size - 40:
            points -= 2
        if faces(points).getlength(text) > size - 40:  # still too long: keep what fits
            while text and faces(points).getlength(text + "…") > size - 40:
                text = text[:-1]
            text += "…"
        draw.text(
            ((size - faces(points).getlength(text)) / 2, top),
            text,
            font=faces(points),
            fill=style.band_text,
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


# --- from the database ----------------------------------------------------------


def content_of(db: sqlite_utils.Database, config, record: dict) -> tuple[dict, Path | None]:
    honours = honorees.honours_of(db, [record["id"]])[record["id"]]
    top = max(honours, key=lambda o: (o["level"] == "national", o["year"]), default=None)
    photo = honorees.portraits_of(db, [record["id"]]).get(record["id"])
    portrait = None
    if photo and photo["files"]["jpeg"]:
        portrait = media.derived_dir(config["MEDIA_DIR"]) / photo["files"]["jpeg"][-1]["name"]
    base = config["BASE_URL"]
    unit = " ".join(p for p in (record.get("unit"), record.get("position")) if p)
    return {
        "site": config["SITE_NAME"],
        "name": record["name"],
        "honour": f"{top['year']}年 {top['title']}" if top else "",
        "unit": unit,
        "story": excerpt(record.get("story") or ""),
        "quote": (record.get("quote") or "").strip(),
        "story_heading": "先进事迹" if record["kind"] == "individual" else "集体事迹",
        "address": display_address(base, record["code"]),
        "organisation": config.get("ORGANISATION") or "",
    }, portrait


def _cached(config, record: dict, kind: str, draw, style: Style = STYLE) -> tuple[bytes, str]:
    base = config["BASE_URL"]
    look = hashlib.sha256(repr(style).encode()).hexdigest()[:8]
    key = (
        f"{VERSION}\n{kind}\n{record['id']}\n{record['version']}\n{record['updated_at']}\n"
        f"{base}\n{look}"
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    path = Path(config["MEDIA_DIR"]) / "share" / f"{kind}-{record['id']}-{digest}.png"
    try:
        return path.read_bytes(), digest
    except FileNotFoundError:
        pass
    data = draw()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return data, digest


def cached_long(
    db: sqlite_utils.Database, config, record: dict, exhibition: dict | None = None
) -> tuple[bytes, str]:
    """(PNG, etag) of a published honoree's long picture, drawn once per version and
    look: in ``exhibition``'s theme when shared from it, else in the site's style."""
    from archive.printing.print_style import print_style

    style = Style.of(print_style(exhibition, config))

    def draw() -> bytes:
        content, portrait = content_of(db, config, record)
        return long_png(
            content,
            portrait,
            short_url(config["BASE_URL"], record["code"]),
            fonts.load(config["FONT_PATH"]),
            style,
        )[0]

    return _cached(config, record, "long", draw, style)


def cached_card(db: sqlite_utils.Database, config, record: dict) -> tuple[bytes, str]:
    def draw() -> bytes:
        content, portrait = content_of(db, config, record)
        return card_png(
            record["name"], content["honour"], portrait, fonts.load(config["FONT_PATH"])
        )

    return _cached(config, record, "card", draw)
