"""Print-ready PDFs: posters (A4, A3), QR label sheets and the record book (记录册).

Vector text in the CJK font (embedded as a subset), the QR code as pure-black vector
rectangles with a whole number of 300 dpi printer dots per module, placed on the
printer's dot grid. Every text is checked against the font before anything is
drawn (fonts.check), so a printed page never shows a tofu box. No Flask here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

from . import fonts, media, qr
from .printing import display_address, short_url

DPI = 300
DOT = 25.4 / DPI  # one printer dot in mm
CALL_TO_ACTION = "扫码了解TA的故事"
BLEED = 3.0        # mm of bleed for a print shop
SLUG = 10.0        # mm around the trim (bleed + room for crop marks)
PAGES = {"poster-a4": (210.0, 297.0), "poster-a3": (297.0, 420.0)}
MIN_QR_MM = {"poster-a4": 80.0, "poster-a3": 100.0}
PORTRAIT_MIN_DPI = 150   # below this a portrait prints visibly soft: warn
PORTRAIT_WANT_DPI = 200  # the variant chosen for embedding

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Honoree:
    """What a printed page shows of one honoree (built by ``prepare``)."""
    id: int
    code: str
    name: str
    kind: str
    unit: str
    region: str
    honours: list[str]
    citation: str
    story: str
    portrait: Path | None
    portrait_px: tuple[int, int] | None
    placeholder: bool
    url: str
    address: str


def prepare(items: list[dict], media_dir: str | Path, base_url: str,
            tag: str | None = None, fmt: str = "poster-a4") -> list[Honoree]:
    """Turn honoree cards (honorees.cards) into what the pages print."""
    return [_honoree(item, media_dir, base_url, tag, fmt) for item in items]


def _honoree(item: dict, media_dir, base_url: str, tag: str | None, fmt: str) -> Honoree:
    honours = sorted(item.get("honours") or [], key=lambda o: (-o["year"], o.get("position", 0)))
    lines = [f"{o['year']}年 {o['title']}" for o in honours]
    citation = next((o["citation"] for o in honours if o.get("citation")), None)
    citation = citation or item.get("summary") or item.get("quote") or ""
    region = "".join(p for p in (item.get("province"), item.get("city"), item.get("county")) if p)
    portrait, size, placeholder = None, None, False
    photo = item.get("portrait")
    if photo and photo.get("files", {}).get("jpeg"):
        width_mm = _portrait_box(fmt)[0]
        want = width_mm / 25.4 * PORTRAIT_WANT_DPI
        variants = photo["files"]["jpeg"]
        chosen = next((v for v in variants if v["width"] >= want), variants[-1])
        portrait = media.derived_dir(media_dir) / chosen["name"]
        size = (photo["width"], photo["height"])
        placeholder = bool(photo.get("placeholder"))
    unit = item.get("unit") or ""
    if item.get("position") and item.get("kind") == "individual":
        unit = f"{unit} {item['position']}".strip()
    return Honoree(
        id=item["id"], code=item["code"], name=item["name"], kind=item["kind"], unit=unit,
        region=region, honours=lines, citation=_plain(citation), story=_plain(item.get("story")),
        portrait=portrait, portrait_px=size, placeholder=placeholder,
        url=short_url(base_url, item["code"], tag), address=display_address(base_url, item["code"]))


_MARKUP = re.compile(r"[#*_`>\[\]]|\(https?://[^)]*\)|<[^>]+>")


def _plain(text: str | None) -> str:
    """Markdown reduced to plain text for print: paragraphs kept, markup dropped."""
    text = _MARKUP.sub("", text or "")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n".join(p for p in paragraphs if p)


def _scale(fmt: str) -> float:
    return PAGES.get(fmt, PAGES["poster-a4"])[0] / 210.0


def _portrait_box(fmt: str) -> tuple[float, float]:
    s = _scale(fmt)
    return 58 * s, 77 * s


def warnings(people: Iterable[Honoree], fmt: str) -> list[str]:
    """What print staff should know before printing: portraits too small to print
    sharp at this size (e.g. forwarded through a chat app), missing portraits."""
    found = []
    width_mm, height_mm = _portrait_box(fmt)
    need = (math.ceil(width_mm / 25.4 * PORTRAIT_MIN_DPI), math.ceil(height_mm / 25.4 * PORTRAIT_MIN_DPI))
    for person in people:
        if person.portrait is None:
            found.append(f"{person.name}（{person.code}）：没有照片，海报上将留白")
        elif person.portrait_px and (person.portrait_px[0] < need[0] * 0.99
                                     and person.portrait_px[1] < need[1] * 0.99):
            w, h = person.portrait_px
            found.append(f"{person.name}（{person.code}）：照片只有 {w}×{h} 像素，"
                         f"按{fmt[-2:].upper()}印刷至少需要约 {need[0]}×{need[1]} 像素，印出来会模糊")
    return found


def texts_of(person: Honoree, extra: Iterable[str] = ()) -> list[str]:
    return [person.name, person.unit, person.region, person.citation, person.story,
            person.address, CALL_TO_ACTION, *person.honours, *extra]


def check_fonts(font: fonts.Font, people: Iterable[Honoree], extra: Iterable[str] = ()) -> None:
    """Fail before drawing anything if any text has a character the font lacks."""
    extra = list(extra)
    fonts.check(font, extra, "标题")
    for person in people:
        fonts.check(font, texts_of(person), f"{person.name}（{person.code}）")


# --- drawing helpers ---------------------------------------------------------------

class Sheet(FPDF):
    """An FPDF in millimetres with the CJK font loaded and width caching."""

    def __init__(self, font: fonts.Font, page: tuple[float, float], footer_numbers: bool = False):
        super().__init__(unit="mm", format=page)
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.add_font("cjk", fname=font.path, collection_font_number=font.index)
        # Keep the font's own bounding boxes when fpdf2 writes the subset: recomputing
        # them runs every CFF charstring again (about half the time of a big batch), and
        # the full font's box is a valid (if generous) box for the subset.
        self.fonts["cjk"].ttfont.recalcBBoxes = False
        self.set_font("cjk", size=12)
        self.set_text_color(0)
        self.footer_numbers = footer_numbers
        self._widths: dict[str, float] = {}
        self.set_creator("劳模工匠数字档案馆")
        self.set_creation_date(datetime.now(UTC))

    def footer(self) -> None:
        if self.footer_numbers and self.page_no() > 1:
            size = self.font_size_pt
            self.set_font_size(9)
            label = f"— {self.page_no()} —"
            self.text((self.w - self.width(label)) / 2, self.h - 10, label)
            self.set_font_size(size)

    def width(self, text: str) -> float:
        """The width of ``text`` at the current size (per-character widths cached)."""
        total = 0.0
        for char in text:
            unit = self._widths.get(char)
            if unit is None:
                size = self.font_size_pt
                self.set_font_size(100)
                unit = self._widths[char] = self.get_string_width(char) / 100
                self.set_font_size(size)
            total += unit
        return total * self.font_size_pt

    def fit_size(self, text: str, width: float, largest: float, smallest: float) -> float:
        """The largest font size (pt) at which ``text`` fits on one line."""
        self.set_font_size(largest)
        natural = self.width(text)
        size = largest if natural <= width else max(smallest, largest * width / natural)
        self.set_font_size(size)
        return size

    def lines(self, text: str, width: float, max_lines: int | None = None) -> list[str]:
        """``text`` broken into lines of at most ``width`` at the current size (CJK
        breaks anywhere; Latin words are kept whole where they fit); the last
        allowed line ends with an ellipsis when text is cut."""
        out: list[str] = []
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for token in re.findall(r"[A-Za-z0-9.,:/@%-]+|.", paragraph):
                w = self.width(token)
                if used + w > width and line:
                    out.append(line.rstrip())
                    line, used = token.lstrip(), self.width(token.lstrip())
                else:
                    line, used = line + token, used + w
            out.append(line.rstrip())
        if max_lines is not None and len(out) > max_lines:
            out = out[:max_lines]
            last = out[-1]
            while last and self.width(last + "…") > width:
                last = last[:-1]
            out[-1] = last + "…"
        return out

    def centred(self, text: str, y: float, left: float, width: float) -> None:
        self.text(left + (width - self.width(text)) / 2, y, text)

    def qr(self, url: str, x: float, y: float, min_symbol_mm: float) -> float:
        """A pure-black vector QR with its top-left quiet-zone corner near (x, y),
        snapped to the 300 dpi dot grid; returns the drawn width (quiet zone included)."""
        count = qr.module_count(url)
        module = qr.dots_per_module(count, min_symbol_mm, DPI) * DOT
        x = round(x / DOT) * DOT
        y = round(y / DOT) * DOT
        k, height = self.k, self.h
        ops = ["q 0 g"]
        for mx, my, run in qr.runs(url):
            ops.append(f"{(x + mx * module) * k:.4f} {(height - y - my * module) * k:.4f} "
                       f"{run * module * k:.4f} {-module * k:.4f} re")
        ops.append("f Q")
        # One path for the whole symbol: far faster than a rect() call per module.
        self._out("\n".join(ops))
        return count * module

    def crop_marks(self, trim_x: float, trim_y: float, trim_w: float, trim_h: float) -> None:
        self.set_draw_color(0)
        self.set_line_width(0.25 * 25.4 / 72)
        gap, length = BLEED, SLUG - BLEED - 1
        for cx in (trim_x, trim_x + trim_w):
            for cy in (trim_y, trim_y + trim_h):
                sx = -1 if cx == trim_x else 1
                sy = -1 if cy == trim_y else 1
                self.line(cx + sx * gap, cy, cx + sx * (gap + length), cy)
                self.line(cx, cy + sy * gap, cx, cy + sy * (gap + length))


def _portrait(pdf: Sheet, person: Honoree, x: float, y: float, w: float, h: float) -> None:
    if person.portrait is not None and person.portrait.is_file():
        pdf.image(str(person.portrait), x=x, y=y, w=w, h=h, keep_aspect_ratio=True)
        if person.placeholder:
            pdf.set_font_size(7)
            pdf.set_text_color(110)
            pdf.text(x, y + h + 3, "照片为示意图")
            pdf.set_text_color(0)
    else:
        pdf.set_draw_color(170)
        pdf.set_line_width(0.3)
        pdf.rect(x, y, w, h)
        pdf.set_text_color(140)
        pdf.set_font_size(11)
        pdf.centred("暂无照片", y + h / 2, x, w)
        pdf.set_text_color(0)


# --- posters -----------------------------------------------------------------------

def posters(people: list[Honoree], font: fonts.Font, fmt: str = "poster-a4",
            exhibition: str = "", bleed: bool = False,
            progress: Progress | None = None) -> bytes:
    """One poster page per honoree, in order; the whole batch as one PDF."""
    if fmt not in PAGES:
        raise ValueError(f"unknown poster format {fmt}")
    check_fonts(font, people, [exhibition])
    trim_w, trim_h = PAGES[fmt]
    offset = SLUG if bleed else 0.0
    pdf = Sheet(font, (trim_w + 2 * offset, trim_h + 2 * offset))
    pdf.set_title(exhibition or "海报")
    for done, person in enumerate(people, 1):
        pdf.add_page()
        if bleed:
            pdf.crop_marks(offset, offset, trim_w, trim_h)
        _poster_page(pdf, person, fmt, exhibition, offset)
        if progress:
            progress(done, len(people))
    return bytes(pdf.output())


def _poster_page(pdf: Sheet, person: Honoree, fmt: str, exhibition: str, offset: float) -> None:
    s = _scale(fmt)
    page_w, page_h = PAGES[fmt]
    margin = 12 * s
    left, top, inner = offset + margin, offset + margin, page_w - 2 * margin
    y = top
    if exhibition:
        pdf.fit_size(exhibition, inner, 14 * s, 8)
        pdf.centred(exhibition, y + 5 * s, left, inner)
    y += 9 * s
    pdf.set_draw_color(0)
    pdf.set_line_width(0.4 * s)
    pdf.line(left, y, left + inner, y)
    y += 5 * s
    box_w, box_h = _portrait_box(fmt)
    _portrait(pdf, person, left, y, box_w, box_h)
    text_x = left + box_w + 8 * s
    text_w = left + inner - text_x
    size = pdf.fit_size(person.name, text_w, 40 * s, 14 * s)
    ty = y + size * 0.3528 * 0.95
    pdf.text(text_x, ty, person.name)
    ty += 5 * s
    shown = person.honours[:5]
    if len(person.honours) > 5:
        shown = shown[:4] + [f"等 {len(person.honours)} 项荣誉"]
    for line in shown:
        size = pdf.fit_size(line, text_w, 14 * s, 8 * s)
        ty += size * 0.3528 * 1.5
        pdf.text(text_x, ty, line)
    ty += 3 * s
    for line in (person.unit, person.region):
        if line:
            pdf.set_font_size(11 * s)
            for part in pdf.lines(line, text_w, 2):
                ty += 11 * s * 0.3528 * 1.45
                pdf.text(text_x, ty, part)
    y += box_h + 8 * s
    if person.citation:
        pdf.set_font_size(13 * s)
        for line in pdf.lines(person.citation, inner, 2):
            y += 13 * s * 0.3528 * 1.5
            pdf.centred(line, y, left, inner)
    y += 5 * s
    module_count = qr.module_count(person.url)
    min_mm = MIN_QR_MM[fmt] * max(1.0, s * 0.8)
    total = qr.dots_per_module(module_count, min_mm, DPI) * DOT * module_count
    # nothing is drawn inside the quiet zone: text stays above and below it
    y += pdf.qr(person.url, left + (inner - total) / 2, y, min_mm)
    pdf.set_font_size(13 * s)
    y += 13 * s * 0.3528 * 1.2
    pdf.centred(person.address, y, left, inner)
    pdf.set_font_size(18 * s)
    y += 18 * s * 0.3528 * 1.6
    pdf.centred(CALL_TO_ACTION, y, left, inner)


# --- label sheets ------------------------------------------------------------------

LABEL_COLUMNS, LABEL_ROWS = 3, 8
LABEL_W, LABEL_H = 210.0 / LABEL_COLUMNS, 297.0 / LABEL_ROWS
LABEL_QR_MM = 22.0


def labels(people: list[Honoree], font: fonts.Font, progress: Progress | None = None) -> bytes:
    """A4 sheets of 3×8 labels, each with a small QR code, the name and the short code."""
    check_fonts(font, people)
    pdf = Sheet(font, (210.0, 297.0))
    pdf.set_title("二维码标签")
    per_sheet = LABEL_COLUMNS * LABEL_ROWS
    for index, person in enumerate(people):
        if index % per_sheet == 0:
            pdf.add_page()
        slot = index % per_sheet
        x = (slot % LABEL_COLUMNS) * LABEL_W
        y = (slot // LABEL_COLUMNS) * LABEL_H
        modules = qr.module_count(person.url)
        module = qr.dots_per_module(modules, LABEL_QR_MM, DPI) * DOT
        total = module * modules
        # the QR's own quiet zone is the label's inner margin
        drawn = pdf.qr(person.url, x + 1.5, y + (LABEL_H - total) / 2, LABEL_QR_MM)
        text_x = x + drawn + 0.5
        text_w = x + LABEL_W - 4 - text_x
        pdf.fit_size(person.name, text_w, 12, 6)
        pdf.text(text_x, y + LABEL_H / 2 - 3, person.name)
        pdf.set_font_size(8)
        pdf.text(text_x, y + LABEL_H / 2 + 2.5, f"编码 {person.code}")
        pdf.set_font_size(6)
        pdf.text(text_x, y + LABEL_H / 2 + 7, CALL_TO_ACTION)
        if progress:
            progress(index + 1, len(people))
    return bytes(pdf.output())


# --- the record book -----------------------------------------------------------------

TOC_LINES_PER_PAGE = 38


def record_book(title: str, sections: list[tuple[str, list[Honoree]]], font: fonts.Font,
                organisation: str = "", progress: Progress | None = None) -> bytes:
    """An exhibition's record book: cover, table of contents by section, one page
    per honoree (portrait, honours, story, QR), page numbers."""
    people = [p for _, members in sections for p in members]
    check_fonts(font, people, [title, organisation, *(s for s, _ in sections), "目录", "记录册"])
    toc: list[tuple[str, str | None]] = []
    for section_title, members in sections:
        toc.append((section_title, None))
        toc.extend((p.name, "p") for p in members)
    toc_pages = max(1, math.ceil(len(toc) / TOC_LINES_PER_PAGE))
    pdf = Sheet(font, (210.0, 297.0), footer_numbers=True)
    pdf.set_title(f"{title} 记录册")
    pdf.add_page()
    pdf.fit_size(title, 170, 30, 14)
    pdf.centred(title, 110, 20, 170)
    pdf.set_font_size(22)
    pdf.centred("记录册", 130, 20, 170)
    pdf.set_font_size(13)
    if organisation:
        pdf.centred(organisation, 240, 20, 170)
    pdf.centred(f"共 {len(people)} 位（个）荣誉获得者", 250, 20, 170)
    pdf.centred(datetime.now(UTC).strftime("%Y年%m月"), 260, 20, 170)
    first = 2 + toc_pages
    number = first
    rows = []
    for text, kind in toc:
        rows.append((text, number if kind else None))
        number += 1 if kind else 0
    for page in range(toc_pages):
        pdf.add_page()
        pdf.set_font_size(20)
        pdf.text(20, 28, "目录" if page == 0 else "目录（续）")
        y = 40
        for text, page_number in rows[page * TOC_LINES_PER_PAGE:(page + 1) * TOC_LINES_PER_PAGE]:
            if page_number is None:
                pdf.set_font_size(13)
                y += 2
                pdf.text(20, y + 4, text)
            else:
                pdf.set_font_size(11)
                pdf.text(28, y + 4, text)
                label = str(page_number)
                pdf.text(190 - pdf.width(label), y + 4, label)
            y += 6.2
    done = 0
    for section_title, members in sections:
        for person in members:
            pdf.add_page()
            _book_page(pdf, person, section_title)
            done += 1
            if progress:
                progress(done, len(people))
    return bytes(pdf.output())


def _book_page(pdf: Sheet, person: Honoree, section: str) -> None:
    left, inner = 20.0, 170.0
    pdf.set_font_size(9)
    pdf.set_text_color(90)
    pdf.text(left, 14, section)
    pdf.set_text_color(0)
    _portrait(pdf, person, left, 22, 45, 60)
    text_x, text_w = left + 52, inner - 52 - 32
    size = pdf.fit_size(person.name, text_w, 24, 12)
    y = 22 + size * 0.3528
    pdf.text(text_x, y, person.name)
    y += 3
    for line in person.honours[:6]:
        pdf.fit_size(line, text_w, 11, 7)
        y += 5.6
        pdf.text(text_x, y, line)
    pdf.set_font_size(10)
    for line in (person.unit, person.region):
        if line:
            for part in pdf.lines(line, text_w, 2):
                y += 5.2
                pdf.text(text_x, y, part)
    drawn = pdf.qr(person.url, left + inner - 30, 20, 22)
    pdf.set_font_size(6.5)
    pdf.centred(person.address, 20 + drawn + 1, left + inner - 30, drawn)
    y = 90.0
    pdf.set_font_size(10.5)
    limit = int((297 - 22 - y) / 6.4)
    lines = pdf.lines(person.story or person.citation, inner)
    if len(lines) > limit:  # one page per honoree: the rest is one scan away
        lines = pdf.lines(person.story or person.citation, inner, limit - 1)
        lines.append("（全文请扫描右上角二维码阅读）")
    for line in lines:
        y += 6.4
        pdf.text(left, y, line)
