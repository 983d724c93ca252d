"""A generated exhibition room: its geometry, where each portrait, door and panel
hangs, and the pictures of its walls, floor and ceiling (drawn with Pillow).

A room is a box SIDE × SIDE metres and HEIGHT high, the visitor's eye at EYE above
the floor in its middle. Walls are named by the direction they face the visitor at
the start: front (yaw 0), right (yaw 90°), back (yaw 180°), left (yaw -90°). Along a
wall, ``s`` is metres from its left end as seen from inside; heights are metres
above the floor.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .projection import yaw_pitch
from .themes import rgb

SIDE = 10.0
HEIGHT = 4.6
EYE = 1.6
PX = 150  # texture pixels per metre
FRAME_W, FRAME_H = 1.2, 1.5  # a portrait's frame, metres
PHOTO_W, PHOTO_H = 0.96, 1.2  # the picture inside it (4:5, as the archive's portraits)
FRAME_CENTRE = 2.15  # height of a frame's centre above the floor
PLATE_W, PLATE_H, PLATE_TOP = 1.0, 0.38, 1.3
DOOR_W, DOOR_H = 1.7, 2.7
WALLS = ("front", "right", "back", "left")
PORTRAIT_SLOTS: list[tuple[str, float]] = (
    [("front", s) for s in (1.75, 3.9, 6.1, 8.25)]
    + [("right", s) for s in (1.75, 3.9, 6.1, 8.25)]
    + [("back", s) for s in (4.1, 5.9)]
    + [("left", s) for s in (1.75, 3.9, 6.1, 8.25)]
)
CAPACITY = len(PORTRAIT_SLOTS)
DOOR_SLOTS = {"previous": ("back", 1.8), "next": ("back", 8.2)}


def wall_point(wall: str, s: float, height: float) -> tuple[float, float, float]:
    """The world point ``s`` metres along ``wall`` at ``height`` above the floor."""
    half = SIDE / 2
    y = height - EYE
    if wall == "front":
        return s - half, y, -half
    if wall == "right":
        return half, y, s - half
    if wall == "back":
        return half - s, y, half
    if wall == "left":
        return -half, y, half - s
    raise ValueError(wall)


def wall_view(wall: str, s: float, height: float) -> tuple[float, float]:
    """(yaw, pitch) of a point on a wall, seen from the visitor's eye."""
    return yaw_pitch(*wall_point(wall, s, height))


@dataclass
class Portrait:
    honoree_id: int
    name: str
    honour: str
    photo: Path | None


@dataclass
class Door:
    label: str  # 上一展室 / 下一展室 / 返回序厅
    target: str  # the title of the room it leads to


@dataclass
class RoomPlan:
    """What one room shows: its titles, up to CAPACITY portraits in visiting order,
    its doors and (in the entrance) the exhibition's introduction."""

    exhibition: str
    title: str
    subtitle: str
    portraits: list[Portrait]
    doors: dict[str, Door] = field(default_factory=dict)
    intro: str = ""


# --- drawing ------------------------------------------------------------------------


def _font(font_path: str, index: int, size_m: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path, max(8, round(size_m * PX)), index=index)


def _fit(
    draw: ImageDraw.ImageDraw,
    text: str,
    font_path: str,
    index: int,
    width_px: float,
    size_m: float,
    smallest_m: float,
) -> ImageFont.FreeTypeFont:
    size = size_m
    while size > smallest_m:
        font = _font(font_path, index, size)
        if draw.textlength(text, font=font) <= width_px:
            return font
        size *= 0.92
    return _font(font_path, index, smallest_m)


def _mix(a: tuple, b: tuple, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _noise(shape: tuple[int, int], scale: int, seed: int) -> np.ndarray:
    """Smooth value noise in [-1, 1]."""
    rng = np.random.default_rng(seed)
    small = rng.uniform(-1, 1, (max(2, shape[0] // scale + 2), max(2, shape[1] // scale + 2)))
    image = Image.fromarray(((small + 1) * 127.5).astype(np.uint8)).resize(
        (shape[1], shape[0]), Image.Resampling.BICUBIC
    )
    return np.asarray(image, dtype=np.float32) / 127.5 - 1


def _wall_base(theme: dict, length: float, seed: int) -> np.ndarray:
    """The bare wall (a copy: callers draw on it)."""
    return _bare_wall(json.dumps(theme, sort_keys=True), length, seed % 4).copy()


@lru_cache(maxsize=4)
def _bare_wall(theme_json: str, length: float, seed: int) -> np.ndarray:
    """The bare wall: texture, wainscot, trims and baked light, as 8-bit RGB.
    Drawn once per theme and wall: every room of a hall shares it."""
    theme = json.loads(theme_json)
    palette = theme["palette"]
    w, h = round(length * PX), round(HEIGHT * PX)
    wall = np.empty((h, w, 3), np.float32)
    wall[:] = rgb(palette["wall"])
    texture = theme["texture"]
    if texture == "panel":
        column = np.arange(w) / PX
        seams = (np.abs((column + 0.6) % 1.2 - 0.6) < 0.006)[None, :, None]
        wall = wall * (1 + 0.012 * _noise((h, w), 90, seed)[..., None])
        wall = np.where(seams, wall * 0.86, wall)
    elif texture == "plaster":
        wall = wall * (1 + 0.02 * _noise((h, w), 4, seed)[..., None])
    else:  # concrete: cloudy, with form-tie holes on a 1.2 × 0.6 m grid
        wall = wall * (
            1
            + 0.07 * _noise((h, w), 60, seed)[..., None]
            + 0.03 * _noise((h, w), 5, seed + 1)[..., None]
        )
        ys = (np.arange(h, dtype=np.float32) / PX)[:, None]
        xs = (np.arange(w, dtype=np.float32) / PX)[None, :]
        holes = (((xs + 0.6) % 1.2 - 0.6) ** 2 + ((ys + 0.3) % 0.6 - 0.3) ** 2) < 0.0009
        wall[holes] *= 0.6
    rows = np.arange(h)[:, None] / PX  # metres from the ceiling
    height = HEIGHT - rows
    wainscot = (height < 0.95)[..., None]
    wall = np.where(
        wainscot,
        np.array(rgb(palette["wainscot"]), np.float32)
        * (1 + 0.02 * _noise((h, w), 30, seed + 2)[..., None]),
        wall,
    )
    for top, bottom, shade in (
        (0.95, 1.0, 1.0),
        (HEIGHT - 0.12, HEIGHT - 0.04, 1.0),
        (0.0, 0.1, 0.55),
    ):
        band = ((height >= top) & (height < bottom))[..., None]
        wall = np.where(band, np.array(rgb(palette["trim"]), np.float32) * shade, wall)
    # light: brighter in the middle height, darker into the corners and near floor/ceiling
    column = np.arange(w)[None, :] / PX
    corner = np.minimum(column, length - column)
    light = (0.78 + 0.22 * np.clip(corner / 1.2, 0, 1)) * (
        0.82 + 0.18 * np.clip(np.minimum(height, HEIGHT - height) / 0.8, 0, 1)
    )
    wall *= light[..., None].astype(np.float32)
    return np.clip(wall, 0, 255).astype(np.uint8)  # kept as 8-bit: a quarter of the memory


def _spotlight(wall: np.ndarray, s: float, centre_h: float, strength: float = 0.2) -> None:
    """A soft pool of light on the wall, as from a ceiling spot (drawn in a window
    around it: the rest of the wall is untouched)."""
    h, w, _ = wall.shape
    cx, cy = s * PX, (HEIGHT - centre_h) * PX
    rx, ry = 1.0 * PX, 1.6 * PX
    x0, x1 = max(0, int(cx - 3 * rx)), min(w, int(cx + 3 * rx))
    y0, y1 = max(0, int(cy - 3 * ry)), min(h, int(cy + 3 * ry))
    ys, xs = np.ogrid[y0:y1, x0:x1]
    dist = ((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2
    window = wall[y0:y1, x0:x1] * (1 + strength * np.exp(-dist))[..., None].astype(np.float32)
    wall[y0:y1, x0:x1] = np.clip(window, 0, 255).astype(np.uint8)


def _paste_photo(
    image: Image.Image, photo: Path | None, box: tuple[int, int, int, int], palette: dict
) -> None:
    x0, y0, x1, y1 = box
    if photo is not None and photo.is_file():
        with Image.open(photo) as opened:
            picture = opened.convert("RGB")
        picture = _cover(picture, (x1 - x0, y1 - y0))
        image.paste(picture, (x0, y0))
    else:
        ImageDraw.Draw(image).rectangle(box, fill=_mix(rgb(palette["wall"]), (255, 255, 255), 0.5))


def _cover(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``picture`` cropped to the box's shape and resized to fill it."""
    w, h = picture.size
    want = size[0] / size[1]
    if w / h > want:
        crop = round(h * want)
        picture = picture.crop(((w - crop) // 2, 0, (w - crop) // 2 + crop, h))
    else:
        crop = round(w / want)
        picture = picture.crop((0, (h - crop) // 4, w, (h - crop) // 4 + crop))
    return picture.resize(size, Image.Resampling.LANCZOS)


def _px(s: float, height: float) -> tuple[int, int]:
    return round(s * PX), round((HEIGHT - height) * PX)


def _portrait(
    image: Image.Image,
    draw: ImageDraw.ImageDraw,
    s: float,
    person: Portrait,
    theme: dict,
    font: tuple[str, int],
) -> None:
    palette = theme["palette"]
    frame = rgb(palette["frame"])
    x0, y0 = _px(s - FRAME_W / 2, FRAME_CENTRE + FRAME_H / 2)
    x1, y1 = _px(s + FRAME_W / 2, FRAME_CENTRE - FRAME_H / 2)
    shadow = round(0.04 * PX)
    draw.rectangle(
        (x0 + shadow, y0 + shadow, x1 + shadow, y1 + shadow),
        fill=_mix(rgb(palette["wall"]), (0, 0, 0), 0.35),
    )
    draw.rectangle((x0, y0, x1, y1), fill=frame)
    inner = round(0.035 * PX)
    draw.rectangle(
        (x0 + inner, y0 + inner, x1 - inner, y1 - inner), fill=_mix(frame, (255, 255, 255), 0.35)
    )
    mat = round(0.06 * PX)
    draw.rectangle((x0 + mat, y0 + mat, x1 - mat, y1 - mat), fill=(250, 247, 240))
    px0, py0 = _px(s - PHOTO_W / 2, FRAME_CENTRE + PHOTO_H / 2)
    px1, py1 = _px(s + PHOTO_W / 2, FRAME_CENTRE - PHOTO_H / 2)
    _paste_photo(image, person.photo, (px0, py0, px1, py1), palette)
    # the name plate
    plate = rgb(palette["plate"])
    qx0, qy0 = _px(s - PLATE_W / 2, PLATE_TOP)
    qx1, qy1 = _px(s + PLATE_W / 2, PLATE_TOP - PLATE_H)
    draw.rounded_rectangle(
        (qx0, qy0, qx1, qy1),
        radius=round(0.03 * PX),
        fill=plate,
        outline=_mix(plate, (0, 0, 0), 0.3),
        width=2,
    )
    text = rgb(palette["plate_text"])
    name_font = _fit(draw, person.name, *font, (qx1 - qx0) * 0.9, 0.16, 0.08)
    draw.text(
        ((qx0 + qx1) / 2, qy0 + 0.13 * PX), person.name, font=name_font, fill=text, anchor="mm"
    )
    if person.honour:
        honour_font = _fit(draw, person.honour, *font, (qx1 - qx0) * 0.92, 0.075, 0.045)
        draw.text(
            ((qx0 + qx1) / 2, qy0 + 0.29 * PX),
            person.honour,
            font=honour_font,
            fill=text,
            anchor="mm",
        )


def _door(
    draw: ImageDraw.ImageDraw,
    wall: np.ndarray | None,
    s: float,
    door: Door,
    theme: dict,
    font: tuple[str, int],
) -> None:
    palette = theme["palette"]
    x0, y0 = _px(s - DOOR_W / 2, DOOR_H)
    x1, y1 = _px(s + DOOR_W / 2, 0)
    trim = rgb(palette["trim"])
    depth = round(0.12 * PX)
    draw.rectangle((x0 - depth, y0 - depth, x1 + depth, y1), fill=trim)
    beyond = rgb(palette["wall"])
    steps = 24
    for i in range(steps):  # the passage: lit room beyond, darker towards the jambs
        t = i / (steps - 1)
        shade = _mix(
            _mix(beyond, (255, 250, 235), 0.2), _mix(beyond, (0, 0, 0), 0.45), abs(t - 0.5) * 2
        )
        xa = x0 + (x1 - x0) * i / steps
        draw.rectangle((xa, y0, x0 + (x1 - x0) * (i + 1) / steps, y1), fill=shade)
    floor = rgb(palette["floor"])
    draw.polygon(
        [
            (x0, y1),
            (x1, y1),
            (x1 - (x1 - x0) * 0.2, y1 - 0.5 * PX),
            (x0 + (x1 - x0) * 0.2, y1 - 0.5 * PX),
        ],
        fill=floor,
    )
    sign_y0, sign_y1 = _px(0, DOOR_H + 0.62)[1], _px(0, DOOR_H + 0.12)[1]
    banner = rgb(palette["banner"])
    draw.rectangle((x0 - depth, sign_y0, x1 + depth, sign_y1), fill=banner)
    label_font = _font(*font, 0.17)
    colour = rgb(palette["banner_text"])
    draw.text(
        ((x0 + x1) / 2, sign_y0 + 0.16 * PX), door.label, font=label_font, fill=colour, anchor="mm"
    )
    target_font = _fit(draw, door.target, *font, (x1 - x0 + 2 * depth) * 0.92, 0.1, 0.05)
    draw.text(
        ((x0 + x1) / 2, sign_y0 + 0.38 * PX),
        door.target,
        font=target_font,
        fill=colour,
        anchor="mm",
    )


def _emblem(
    draw: ImageDraw.ImageDraw,
    kind: str,
    cx: float,
    cy: float,
    r: float,
    colour: tuple,
    ground: tuple,
) -> None:
    if kind == "gear":
        teeth = 12
        points = []
        for i in range(teeth * 4):
            a = i * math.pi * 2 / (teeth * 4)
            radius = r if (i % 4) in (0, 1) else r * 0.8
            points.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
        draw.polygon(points, fill=colour)
        draw.ellipse((cx - r * 0.42, cy - r * 0.42, cx + r * 0.42, cy + r * 0.42), fill=ground)
        _star(draw, cx, cy, r * 0.36, colour)
    elif kind == "wave":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=colour, width=max(2, round(r / 9)))
        _star(draw, cx, cy - r * 0.28, r * 0.38, colour)
        for k in range(3):
            y = cy + r * (0.2 + k * 0.22)
            points = [
                (cx - r * 0.7 + j * r * 0.07, y + math.sin(j * 0.9) * r * 0.06) for j in range(21)
            ]
            draw.line(points, fill=colour, width=max(2, round(r / 10)))
    else:
        _star(draw, cx, cy, r, colour)
        for k in range(16):  # rays
            a = k * math.pi / 8
            draw.line(
                (
                    cx + r * 1.12 * math.cos(a),
                    cy + r * 1.12 * math.sin(a),
                    cx + r * 1.35 * math.cos(a),
                    cy + r * 1.35 * math.sin(a),
                ),
                fill=colour,
                width=max(2, round(r / 14)),
            )


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, colour: tuple) -> None:
    points = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        radius = r if i % 2 == 0 else r * 0.382
        points.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
    draw.polygon(points, fill=colour)


def _banner(draw: ImageDraw.ImageDraw, plan: RoomPlan, theme: dict, font: tuple[str, int]) -> None:
    palette = theme["palette"]
    x0, y0 = _px(0.9, 4.28)
    x1, y1 = _px(SIDE - 0.9, 3.02)
    draw.rectangle((x0, y0, x1, y1), fill=rgb(palette["banner"]))
    gold = rgb(palette["banner_text"])
    edge = round(0.03 * PX)
    draw.rectangle(
        (x0 + edge * 2, y0 + edge * 2, x1 - edge * 2, y1 - edge * 2), outline=gold, width=edge
    )
    r = 0.42 * PX
    _emblem(draw, theme["emblem"], x0 + 0.7 * PX, (y0 + y1) / 2, r, gold, rgb(palette["banner"]))
    _emblem(draw, theme["emblem"], x1 - 0.7 * PX, (y0 + y1) / 2, r, gold, rgb(palette["banner"]))
    width = (x1 - x0) - 2.0 * PX
    title_font = _fit(draw, plan.exhibition, *font, width, 0.44, 0.2)
    draw.text(
        ((x0 + x1) / 2, y0 + 0.4 * PX), plan.exhibition, font=title_font, fill=gold, anchor="mm"
    )
    line = f"{plan.title}　·　{theme['banner']}" if theme.get("banner") else plan.title
    line_font = _fit(draw, line, *font, width, 0.2, 0.1)
    draw.text(((x0 + x1) / 2, y0 + 0.92 * PX), line, font=line_font, fill=gold, anchor="mm")


def _heading(draw: ImageDraw.ImageDraw, text: str, theme: dict, font: tuple[str, int]) -> None:
    colour = rgb(theme["palette"]["accent"])
    x0, y = _px(1.0, 3.55)
    heading_font = _fit(draw, text, *font, 8 * PX, 0.26, 0.12)
    draw.text((x0, y), text, font=heading_font, fill=colour, anchor="lm")
    length = draw.textlength(text, font=heading_font)
    draw.line(
        (x0 + length + 0.25 * PX, y, SIDE * PX - 1.0 * PX, y),
        fill=colour,
        width=max(2, round(0.015 * PX)),
    )


def _intro(
    draw: ImageDraw.ImageDraw, s: float, plan: RoomPlan, theme: dict, font: tuple[str, int]
) -> None:
    palette = theme["palette"]
    x0, y0 = _px(s - 1.05, 3.1)
    x1, y1 = _px(s + 1.05, 1.05)
    draw.rectangle(
        (x0, y0, x1, y1),
        fill=_mix(rgb(palette["wall"]), (255, 255, 255), 0.6),
        outline=rgb(palette["trim"]),
        width=round(0.03 * PX),
    )
    ink = rgb(palette["accent"])
    draw.text(
        ((x0 + x1) / 2, y0 + 0.22 * PX), "前　言", font=_font(*font, 0.2), fill=ink, anchor="mm"
    )
    body = _font(*font, 0.075)
    text_ink = _mix(rgb(palette["plate_text"]), (40, 40, 40), 0.5)
    y = y0 + 0.45 * PX
    for line in _wrap(draw, plan.intro, body, (x1 - x0) - 0.3 * PX)[:18]:
        draw.text((x0 + 0.15 * PX, y), line, font=body, fill=text_ink)
        y += 0.1 * PX


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> list[str]:
    lines = []
    for paragraph in (text or "").split("\n"):
        line = "　　" if paragraph.strip() else ""
        for char in paragraph.strip():
            if draw.textlength(line + char, font=font) > width:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    return lines


def wall_textures(
    plan: RoomPlan, theme: dict, font: tuple[str, int], seed: int = 0
) -> dict[str, Image.Image]:
    """The four walls of a room as pictures, SIDE×HEIGHT metres at PX per metre."""
    slots: dict[str, list[tuple[float, Portrait]]] = {w: [] for w in WALLS}
    for (wall, s), person in zip(PORTRAIT_SLOTS, plan.portraits, strict=False):
        slots[wall].append((s, person))
    pictures = {}
    theme_json = json.dumps(theme, sort_keys=True)
    for number, wall in enumerate(WALLS):
        image = _lit_wall(theme_json, wall, number, tuple(s for s, _ in slots[wall])).copy()
        draw = ImageDraw.Draw(image)
        if wall == "front":
            _banner(draw, plan, theme, font)
        elif wall in ("left", "right") and slots[wall]:
            _heading(draw, plan.subtitle, theme, font)
        if wall == "back":
            for key, (_, s) in DOOR_SLOTS.items():
                if key in plan.doors:
                    _door(draw, None, s, plan.doors[key], theme, font)
                elif key == "previous" and plan.intro:
                    _intro(draw, s, plan, theme, font)
        for s, person in slots[wall]:
            _portrait(image, draw, s, person, theme, font)
        pictures[wall] = image
    return pictures


@lru_cache(maxsize=6)
def _lit_wall(theme_json: str, wall: str, seed: int, lit: tuple[float, ...]) -> Image.Image:
    """A bare wall with spotlights over the places ``lit``: rooms share these."""
    base = _wall_base(json.loads(theme_json), SIDE, seed)
    for s in lit:
        _spotlight(base, s, FRAME_CENTRE + 0.3)
    if wall == "front":
        _spotlight(base, SIDE / 2, 3.6, 0.12)
    return Image.fromarray(base)


def floor_texture(theme: dict, seed: int = 0) -> Image.Image:
    """Polished floor tiles, lit from above, darker towards the walls."""
    return _floor(json.dumps(theme, sort_keys=True), seed)


@lru_cache(maxsize=4)
def _floor(theme_json: str, seed: int) -> Image.Image:
    """Worked out as one grey-level shade per pixel (float32, broadcast rows and
    columns), coloured once at the end: a fifth of the memory of doing it in RGB."""
    theme = json.loads(theme_json)
    size = round(SIDE * PX)
    base = np.array(rgb(theme["palette"]["floor"]), np.float32)
    xs = (np.arange(size, dtype=np.float32) / PX)[None, :]
    ys = (np.arange(size, dtype=np.float32) / PX)[:, None]
    tile = 1.0
    grout = (np.abs((xs + tile / 2) % tile - tile / 2) < 0.008) | (
        np.abs((ys + tile / 2) % tile - tile / 2) < 0.008
    )
    checker = (np.floor(xs / tile) + np.floor(ys / tile)) % 2
    shade = (0.94 + 0.06 * checker) * (1 + 0.05 * _noise((size, size), 25, seed))
    centre = np.hypot(xs - SIDE / 2, ys - SIDE / 2) / (SIDE / 2)
    shade *= 1.12 - 0.3 * np.clip(centre, 0, 1.4) ** 2
    edge = np.minimum(np.minimum(xs, SIDE - xs), np.minimum(ys, SIDE - ys))
    shade *= 0.7 + 0.3 * np.clip(edge / 0.6, 0, 1)
    shade[grout] *= 0.8
    return Image.fromarray(np.clip(shade[..., None] * base, 0, 255).astype(np.uint8))


def ceiling_texture(theme: dict) -> Image.Image:
    """A coffered ceiling with light panels."""
    return _ceiling(json.dumps(theme, sort_keys=True))


@lru_cache(maxsize=4)
def _ceiling(theme_json: str) -> Image.Image:
    theme = json.loads(theme_json)
    size = round(SIDE * PX)
    image = Image.new("RGB", (size, size), rgb(theme["palette"]["ceiling"]))
    draw = ImageDraw.Draw(image)
    ceiling = rgb(theme["palette"]["ceiling"])
    for i in range(4):
        for j in range(4):
            x0, y0 = (1.0 + i * 2.2) * PX, (1.0 + j * 2.2) * PX
            draw.rectangle(
                (x0, y0, x0 + 1.8 * PX, y0 + 1.8 * PX), fill=_mix(ceiling, (0, 0, 0), 0.08)
            )
            draw.rectangle(
                (x0 + 0.35 * PX, y0 + 0.35 * PX, x0 + 1.45 * PX, y0 + 1.45 * PX),
                fill=(255, 253, 244),
            )
    return image.filter(ImageFilter.GaussianBlur(1.2))
