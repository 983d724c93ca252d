"""Themes (装饰风格、主题元素): palette, emblem, banner wording and wall texture of an
exhibition. A theme starts as a copy of a built-in one and is then edited; it
applies to the generated hall, the exhibition's page and cover, and its posters."""

from __future__ import annotations

import json
import re

BUILT_IN: dict[str, dict] = {
    "classic-red": {
        "name": "经典红色展厅",
        "palette": {
            "wall": "#efe4d0",
            "wainscot": "#8c1d1d",
            "trim": "#c9a040",
            "banner": "#a11f1f",
            "banner_text": "#ffe7a3",
            "floor": "#6b3a26",
            "ceiling": "#f4eee4",
            "accent": "#a11f1f",
            "frame": "#b88a2e",
            "plate": "#c9a040",
            "plate_text": "#2b1a00",
        },
        "emblem": "star",
        "banner": "致敬劳动者 · 礼赞新时代",
        "texture": "panel",
    },
    "coastal-blue": {
        "name": "海韵蓝色展厅",
        "palette": {
            "wall": "#e6eef5",
            "wainscot": "#17406b",
            "trim": "#b9c8d6",
            "banner": "#17406b",
            "banner_text": "#ffffff",
            "floor": "#8a7b68",
            "ceiling": "#f5f8fb",
            "accent": "#1f5d99",
            "frame": "#2b3d52",
            "plate": "#d7dfe7",
            "plate_text": "#11263f",
        },
        "emblem": "wave",
        "banner": "劳动最光荣 · 奋斗创造幸福",
        "texture": "plaster",
    },
    "industrial": {
        "name": "工业风展厅",
        "palette": {
            "wall": "#c9c6c0",
            "wainscot": "#3b3f44",
            "trim": "#e08a1e",
            "banner": "#2f3338",
            "banner_text": "#f6a532",
            "floor": "#55585c",
            "ceiling": "#d9d7d2",
            "accent": "#c46d0c",
            "frame": "#22262a",
            "plate": "#e08a1e",
            "plate_text": "#1b1b1b",
        },
        "emblem": "gear",
        "banner": "工匠精神 · 匠心筑梦",
        "texture": "concrete",
    },
}
DEFAULT = "classic-red"
EMBLEMS = {"star": "五角星", "gear": "齿轮", "wave": "海浪"}
TEXTURES = {"panel": "木饰墙板", "plaster": "细纹涂料", "concrete": "清水混凝土"}
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
PALETTE_LABELS = {
    "wall": "墙面",
    "wainscot": "护墙板",
    "trim": "装饰线",
    "banner": "横幅",
    "banner_text": "横幅文字",
    "floor": "地面",
    "ceiling": "顶棚",
    "accent": "强调色",
    "frame": "画框",
    "plate": "铭牌",
    "plate_text": "铭牌文字",
}


class ThemeError(ValueError):
    """A theme that cannot be used; the message is for curators."""


def built_in(key: str = DEFAULT) -> dict:
    """A fresh copy of a built-in theme, remembering which one it started from."""
    if key not in BUILT_IN:
        raise ThemeError("没有这个主题")
    theme = json.loads(json.dumps(BUILT_IN[key]))
    theme["base"] = key
    return theme


def of(stored: str | None) -> dict:
    """An exhibition's theme from its stored JSON (the default when none or broken),
    with any key the stored copy lacks filled from its base."""
    try:
        theme = json.loads(stored) if stored else {}
    except ValueError:
        theme = {}
    base = built_in(theme.get("base") if theme.get("base") in BUILT_IN else DEFAULT)
    palette = {
        **base["palette"],
        **{
            k: v
            for k, v in (theme.get("palette") or {}).items()
            if k in base["palette"] and COLOUR.match(str(v))
        },
    }
    return {
        **base,
        **{k: theme[k] for k in ("name", "banner") if isinstance(theme.get(k), str)},
        "emblem": theme.get("emblem") if theme.get("emblem") in EMBLEMS else base["emblem"],
        "texture": theme.get("texture") if theme.get("texture") in TEXTURES else base["texture"],
        "palette": palette,
    }


def from_form(form: dict) -> dict:
    """A theme from the back-office form (base, banner, emblem, texture, colours)."""
    base = form.get("base") or DEFAULT
    theme = built_in(base)
    if form.get("reset"):
        return theme
    banner = " ".join((form.get("banner") or "").split())
    if len(banner) > 40:
        raise ThemeError("横幅文字最多 40 个字")
    if banner:
        theme["banner"] = banner
    if form.get("emblem"):
        if form["emblem"] not in EMBLEMS:
            raise ThemeError("没有这种主题元素")
        theme["emblem"] = form["emblem"]
    if form.get("texture"):
        if form["texture"] not in TEXTURES:
            raise ThemeError("没有这种墙面质感")
        theme["texture"] = form["texture"]
    for key in theme["palette"]:
        value = (form.get(f"palette_{key}") or "").strip()
        if value:
            if not COLOUR.match(value):
                raise ThemeError(f"{PALETTE_LABELS[key]}的颜色应写成 #RRGGBB")
            theme["palette"][key] = value.lower()
    return theme


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def css_variables(theme: dict) -> str:
    """The palette as CSS custom properties for the exhibition's pages."""
    return ";".join(f"--hall-{k.replace('_', '-')}:{v}" for k, v in theme["palette"].items())
