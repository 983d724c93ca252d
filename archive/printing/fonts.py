"""The CJK font used for everything printed: located through the FONT_PATH setting,
and checked for a glyph for every character before anything is drawn, so a printed
poster never shows a tofu box.

fpdf2 reads a TrueType/OpenType collection (.ttc) directly with
``collection_font_number``; for Noto Sans CJK we pick the face whose name says
Simplified Chinese ("CJK SC"), not a fixed index, so a differently ordered
collection still works.
"""

from __future__ import annotations

import bisect
import struct
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont


class FontError(RuntimeError):
    """The font is missing or cannot draw some text; the message is for print staff."""


@dataclass(frozen=True)
class Font:
    path: str
    index: int  # face number inside a collection, 0 for a single font
    name: str
    codepoints: frozenset[int]


@lru_cache(maxsize=4)
def load(path: str) -> Font:
    """The font at ``path`` with the set of characters it can draw."""
    file = Path(path or "")
    if not path or not file.is_file():
        raise FontError(
            f"找不到中文字体文件：{path or '（未设置）'}。请安装 fonts-noto-cjk"
            "（make system-deps），或在设置 FONT_PATH 中指定一个中文字体文件。"
        )
    try:
        if file.suffix.lower() in (".ttc", ".otc"):
            with TTCollection(str(file), lazy=True) as collection:
                index = _simplified_chinese_face(collection)
                face = collection.fonts[index]
                name = face["name"].getDebugName(4) or file.name
                codepoints = frozenset(face.getBestCmap() or {})
        else:
            index = 0
            with TTFont(str(file), lazy=True) as face:
                name = face["name"].getDebugName(4) or file.name
                codepoints = frozenset(face.getBestCmap() or {})
    except Exception as exc:  # a damaged or non-font file
        raise FontError(f"无法读取字体文件 {path}：{exc}") from exc
    return Font(str(file), index, name, codepoints)


class Metrics:
    """What measuring text needs: each character's advance and the ascent and
    descent, in ems (the figures fpdf2 writes into the PDF). Read from the raw
    cmap (format 12), hhea and hmtx tables: a few hundred kilobytes, where
    decompiling them with fontTools would build a dict per glyph."""

    def __init__(
        self,
        cmap: list[tuple[int, int, int]],
        hmtx: bytes,
        metrics_count: int,
        upem: int,
        ascent: int,
        descent: int,
    ):
        self._starts = [g[0] for g in cmap]
        self._groups = cmap
        self._hmtx = hmtx
        self._count = metrics_count
        self._upem = upem
        self._cache: dict[str, float] = {}
        self.ascent = ascent / upem
        self.descent = -descent / upem

    def advance(self, char: str) -> float:
        """The advance of ``char`` in ems (1.0 for a character the font lacks)."""
        found = self._cache.get(char)
        if found is None:
            found = self._cache[char] = self._lookup(ord(char))
        return found

    def _lookup(self, codepoint: int) -> float:
        index = bisect.bisect_right(self._starts, codepoint) - 1
        if index < 0:
            return 1.0
        start, end, glyph = self._groups[index]
        if codepoint > end:
            return 1.0
        gid = min(glyph + codepoint - start, self._count - 1)
        return struct.unpack_from(">H", self._hmtx, 4 * gid)[0] / self._upem


def _cmap12(data: bytes) -> list[tuple[int, int, int]] | None:
    """The (start, end, first glyph) groups of a format 12 Unicode subtable."""
    count = struct.unpack_from(">H", data, 2)[0]
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, 4 + 8 * i)
        if (platform, encoding) in ((3, 10), (0, 4), (0, 6)) and struct.unpack_from(
            ">H", data, offset
        )[0] == 12:
            groups = struct.unpack_from(">I", data, offset + 12)[0]
            return [struct.unpack_from(">III", data, offset + 16 + 12 * g) for g in range(groups)]
    return None


@lru_cache(maxsize=4)
def metrics(font: Font) -> Metrics:
    """The font's metrics, read once per process (no PDF needed): print views
    measure every name without parsing the font into fpdf2."""

    def read(face) -> Metrics:
        raw = face.reader
        hhea = raw["hhea"]
        ascent, descent = struct.unpack_from(">hh", hhea, 4)
        count = struct.unpack_from(">H", hhea, 34)[0]
        upem = struct.unpack_from(">H", raw["head"], 18)[0]
        groups = _cmap12(raw["cmap"])
        if groups is None:  # a font without a format 12 table: map through fontTools
            order = face.getReverseGlyphMap()
            groups = sorted((cp, cp, order[name]) for cp, name in face.getBestCmap().items())
        return Metrics(groups, raw["hmtx"], count, upem, ascent, descent)

    if Path(font.path).suffix.lower() in (".ttc", ".otc"):
        with TTCollection(font.path, lazy=True) as collection:
            return read(collection.fonts[font.index])
    with TTFont(font.path, lazy=True) as face:
        return read(face)


def load_optional(path: str | None) -> Font | None:
    """An optional face (FONT_TITLE_PATH): the font, or None when the file is missing,
    so that a missing heading face never stops printing (FONT_PATH stands in)."""
    if not path or not Path(path).is_file():
        return None
    return load(path)


def _simplified_chinese_face(collection: TTCollection) -> int:
    names = [(f["name"].getDebugName(4) or "") for f in collection.fonts]
    for wanted in (" SC", "SC ", "GB", "Simplified"):
        for index, name in enumerate(names):
            if wanted in name and "Mono" not in name:
                return index
    return 0


def _ignorable(char: str) -> bool:
    return char in "\n\r\t" or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def missing(font: Font, texts) -> list[str]:
    """The characters in ``texts`` the font has no glyph for, in order of first use."""
    joined = "".join(t for t in texts if t)
    absent = {
        c for c in set(joined) if ord(c) not in font.codepoints and c != " " and not _ignorable(c)
    }
    return sorted(absent, key=joined.index)


def check(font: Font, texts, what: str = "") -> None:
    """Raise FontError naming every character the font cannot draw."""
    absent = missing(font, texts)
    if absent:
        shown = "、".join(f"“{c}”(U+{ord(c):04X})" for c in absent[:10])
        more = f"等 {len(absent)} 个字符" if len(absent) > 10 else ""
        raise FontError(
            f"{what + '：' if what else ''}字体 {font.name} 缺少 {shown}{more} 的字形，"
            "印出来会是方框。请改正文字（如生僻字可用常用异体或图片说明），"
            "或在 FONT_PATH 中换用包含这些字的字体。"
        )
