"""Print-ready PDFs of posters (A4, A3), and what every printed page shares: the
honoree as printed (``Honoree``, ``prepare``), the font check, and ``Sheet``, an
FPDF that measures, fits and typesets Chinese text and draws QR codes.

Vector text in the CJK fonts (embedded as subsets), the QR code as pure-black
vector rectangles with a whole number of 300 dpi printer dots per module, placed
on the printer's dot grid. Every text is checked against the fonts before anything
is drawn (fonts.check), so a printed page never shows a tofu box. Colours, type
sizes, the emblem and ornaments come from print_style. Label sheets are in
labels.py, the record book in book.py. No Flask here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

from archive.catalogue import media
from archive.printing import fonts, qr, typeset
from archive.printing.print_style import Style, TypeScale, draw_emblem_pdf, ornament_pdf, site_style
from archive.printing.runs import display_address, short_url

DPI = 300
DOT = 25.4 / DPI  # one printer dot in mm
PT = 25.4 / 72  # one point in mm
CALL_TO_ACTION = "扫码阅读先进事迹"
BLEED = 3.0  # mm of bleed for a print shop
SLUG = 10.0  # mm around the trim (bleed + room for crop marks)
PAGES = {"poster-a4": (210.0, 297.0), "poster-a3": (297.0, 420.0)}
# The QR symbol's width (quiet zone excluded): readable from about ten times as far.
MIN_QR_MM = {"poster-a4": 60.0, "poster-a3": 80.0}
PORTRAIT_MIN_DPI = 150  # below this a portrait prints visibly soft: warn
PORTRAIT_WANT_DPI = 200  # the variant chosen for embedding
LEVEL_RANK = {"national": 0, "provincial": 1, "industry": 2, "municipal": 3}

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
    honour: str = ""  # the highest honour with its year
    summary: str = ""
    quote: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    honour_records: list[dict] = field(default_factory=list)
    album: list[tuple[Path, str]] = field(default_factory=list)  # (file, caption)


def prepare(
    items: list[dict],
    media_dir: str | Path,
    base_url: str,
    tag: str | None = None,
    fmt: str = "poster-a4",
) -> list[Honoree]:
    """Turn honoree cards (honorees.cards) into what the pages print. A card may
    carry ``album`` (photo rows with their variants) for the record book."""
    return [_honoree(item, media_dir, base_url, tag, fmt) for item in items]


def _variant(photo: dict, want_px: float) -> dict | None:
    variants = (photo.get("files") or {}).get("jpeg") or []
    # 5% under the wanted width still prints at 190 dpi: a 640 px variant serves an
    # 82 mm portrait rather than a 1200 px one twice the memory and file size
    return next(
        (v for v in variants if v["width"] >= want_px * 0.95), variants[-1] if variants else None
    )


def _honoree(item: dict, media_dir, base_url: str, tag: str | None, fmt: str) -> Honoree:
    honours = sorted(item.get("honours") or [], key=lambda o: (-o["year"], o.get("position", 0)))
    top = min(honours, key=lambda o: (LEVEL_RANK.get(o.get("level"), 9), -o["year"]), default=None)
    portrait = _Portrait.of(item.get("portrait"), media_dir, fmt)
    story = _plain(item.get("story"))
    return Honoree(
        id=item["id"],
        code=item["code"],
        name=item["name"],
        kind=item["kind"],
        unit=_unit_line(item),
        region=_region(item),
        honours=[f"{o['year']}年 {o['title']}" for o in honours],
        citation=_plain(_citation(honours, item)),
        story=story,
        portrait=portrait.file,
        portrait_px=portrait.size,
        placeholder=portrait.placeholder,
        url=short_url(base_url, item["code"], tag),
        address=display_address(base_url, item["code"]),
        honour=f"{top['year']}年 {top['title']}" if top else "",
        summary=_plain(item.get("summary")) or _first_sentence(story),
        quote=_plain(item.get("quote")),
        facts=_facts(item),
        honour_records=[
            {k: o.get(k) for k in ("year", "title", "body", "document_no", "citation")}
            for o in sorted(item.get("honours") or [], key=lambda o: o["year"])
        ],
        album=_album(item, media_dir),
    )


@dataclass(frozen=True)
class _Portrait:
    """The portrait variant a page embeds, the original's size, and whether it is a
    placeholder picture."""

    file: Path | None = None
    size: tuple[int, int] | None = None
    placeholder: bool = False

    @classmethod
    def of(cls, photo: dict | None, media_dir, fmt: str) -> _Portrait:
        if not (photo and photo.get("files", {}).get("jpeg")):
            return cls()
        chosen = _variant(photo, _portrait_box(fmt)[0] / 25.4 * PORTRAIT_WANT_DPI)
        return cls(
            media.derived_dir(media_dir) / chosen["name"],
            (photo["width"], photo["height"]),
            bool(photo.get("placeholder")),
        )


def _citation(honours: list[dict], item: dict) -> str:
    """The first honour's citation, else the summary, else the quote (as written)."""
    citation = next((o["citation"] for o in honours if o.get("citation")), None)
    return citation or item.get("summary") or item.get("quote") or ""


def _region(item: dict) -> str:
    return "".join(p for p in (item.get("province"), item.get("city"), item.get("county")) if p)


def _unit_line(item: dict) -> str:
    """The unit, followed by an individual's position there."""
    unit = item.get("unit") or ""
    if item.get("position") and item.get("kind") == "individual":
        unit = f"{unit} {item['position']}".strip()
    return unit


def _album(item: dict, media_dir) -> list[tuple[Path, str]]:
    """The record book's album photos (file of the variant to embed, caption)."""
    album = []
    for extra in item.get("album") or []:
        chosen = _variant(extra, 83 / 25.4 * PORTRAIT_WANT_DPI)
        if chosen:
            album.append(
                (media.derived_dir(media_dir) / chosen["name"], extra.get("caption") or "")
            )
    return album


def _facts(item: dict) -> list[tuple[str, str]]:
    born = ""
    if item.get("birth_year"):
        born = f"{item['birth_year']}年" + (
            f"{item['birth_month']}月" if item.get("birth_month") else ""
        )
    pairs = [
        ("性别", item.get("gender")),
        ("民族", item.get("ethnicity")),
        ("出生", born),
        ("单位", item.get("unit")),
        ("职务", item.get("position")),
        ("地区", _region(item)),
        ("行业", item.get("industry")),
    ]
    return [(k, str(v)) for k, v in pairs if v]


_MARKUP = re.compile(r"[#*_`>\[\]]|\(https?://[^)]*\)|<[^>]+>")
_SENTENCE = re.compile(r"^(.+?[。！？!?])")


def _plain(text: str | None) -> str:
    """Markdown reduced to plain text for print: paragraphs kept, markup dropped."""
    text = _MARKUP.sub("", text or "")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n".join(p for p in paragraphs if p)


def _first_sentence(story: str) -> str:
    first = story.split("\n", 1)[0]
    match = _SENTENCE.match(first)
    return (match[1] if match else first)[:80]


def _portrait_box(fmt: str) -> tuple[float, float]:
    return LAYOUTS[fmt].portrait if fmt in LAYOUTS else (42.0, 56.0)


def warnings(people: Iterable[Honoree], fmt: str) -> list[str]:
    """What print staff should know before printing: portraits too small to print
    sharp at this size (e.g. forwarded through a chat app), missing portraits."""
    found = []
    width_mm, height_mm = _portrait_box(fmt)
    need = (
        math.ceil(width_mm / 25.4 * PORTRAIT_MIN_DPI),
        math.ceil(height_mm / 25.4 * PORTRAIT_MIN_DPI),
    )
    for person in people:
        if person.portrait is None:
            found.append(f"{person.name}（{person.code}）：没有照片，海报将用纯文字版式")
        elif person.portrait_px and (
            person.portrait_px[0] < need[0] * 0.99 and person.portrait_px[1] < need[1] * 0.99
        ):
            w, h = person.portrait_px
            found.append(
                f"{person.name}（{person.code}）：照片只有 {w}×{h} 像素，"
                f"按{fmt[-2:].upper()}印刷至少需要约 {need[0]}×{need[1]} 像素，印出来会模糊"
            )
    return found


FIXED_TEXTS = [
    CALL_TO_ACTION,
    "先进事迹",
    "荣誉",
    "感言",
    "影像",
    "目录",
    "前言",
    "记录册",
    "记 录 册",
    "照片为示意图",
    "暂无照片",
    "手机扫描二维码",
    "或访问",
    "编码",
    "其他荣誉",
    "授予单位",
    "文号",
    "全文",
    "共",
    "位（个）荣誉获得者",
    "年月",
    "—…·“”",
    "0123456789",
    "（续）",
    "扫码阅读",
    "长按识别二维码，阅读先进事迹",
]


def texts_of(person: Honoree, extra: Iterable[str] = ()) -> list[str]:
    records = [str(v) for o in person.honour_records for v in o.values() if v]
    return [
        person.name,
        person.unit,
        person.region,
        person.citation,
        person.story,
        person.address,
        person.honour,
        person.summary,
        person.quote,
        *person.honours,
        *(f"{k}{v}" for k, v in person.facts),
        *(c for _, c in person.album),
        *records,
        *extra,
    ]


def check_fonts(
    font: fonts.Font,
    people: Iterable[Honoree],
    extra: Iterable[str] = (),
    title_font: fonts.Font | None = None,
) -> None:
    """Fail before drawing anything if any text has a character a font lacks."""
    extra = [*extra, *FIXED_TEXTS]
    people = list(people)
    for face in {font, title_font or font}:
        fonts.check(face, extra, "标题")
        for person in people:
            fonts.check(face, texts_of(person), f"{person.name}（{person.code}）")


# --- drawing helpers ---------------------------------------------------------------


@dataclass
class Fit:
    """A text fitted into a box: its size (pt), lines, and whether it fits without
    going below the readable floor."""

    size: float
    lines: list[str]
    ok: bool


class Measuring:
    """Measuring, fitting and Chinese line breaking for a Sheet or a Ruler: needs
    ``_metrics`` per family, ``font_family``, ``font_size_pt``, ``set_font`` and
    ``set_font_size``."""

    _metrics: dict[str, fonts.Metrics]

    def width(self, text: str) -> float:
        """The width of ``text`` in mm at the current face and size, from the font's
        own advance widths (what fpdf2's get_string_width computes)."""
        advance = self._metrics[self.font_family].advance
        return sum(advance(c) for c in text) * self.font_size_pt * PT

    def ascent(self, size: float | None = None) -> float:
        """The font's ascent in mm at ``size`` (as poppler draws text boxes)."""
        return self._metrics[self.font_family].ascent * (size or self.font_size_pt) * PT

    def descent(self, size: float | None = None) -> float:
        return self._metrics[self.font_family].descent * (size or self.font_size_pt) * PT

    def break_lines(
        self, text: str, width: float, indent_chars: float = 0.0, kinsoku: bool = True
    ) -> list[typeset.Line]:
        em = self.font_size_pt * PT
        return typeset.break_lines(
            text, self.width, width, em=em, indent=indent_chars * em, kinsoku=kinsoku
        )

    def lines(self, text: str, width: float, max_lines: int | None = None) -> list[str]:
        """``text`` broken into lines of at most ``width`` at the current size, by the
        Chinese rules; the last allowed line ends with an ellipsis when text is cut."""
        out = [line.text for line in self.break_lines(text, width)]
        if max_lines is not None and len(out) > max_lines:
            out = out[:max_lines]
            last = out[-1].rstrip("。，、；：！？")
            while last and self.width(last + "……") > width:
                last = last[:-1].rstrip("。，、；：！？")
            out[-1] = last + "……"
        return out

    def fit(
        self,
        text: str,
        width: float,
        largest: float,
        floor: float,
        max_lines: int = 1,
        family: str = "cjk",
    ) -> Fit:
        """Fit ``text`` into ``width``: one line at the largest size from ``largest``
        down to ``floor`` that fits, else wrapped into up to ``max_lines`` lines at the
        largest size that fits, else wrapped at the floor with ``ok`` False (never
        clipped, never smaller than the floor)."""
        self.set_font(family, size=largest)
        natural = self.width(text) / largest
        if natural * floor <= width:
            size = min(largest, width / natural) if natural else largest
            size = math.floor(size * 4) / 4
            return Fit(size, [text], True)
        size = largest
        while size >= floor:
            self.set_font_size(size)
            found = self.lines(text, width)
            if len(found) <= max_lines:
                return Fit(size, found, True)
            size -= 0.5
        self.set_font_size(floor)
        return Fit(floor, self.lines(text, width), False)


class Ruler(Measuring):
    """Measures and fits text without drawing (print views' warnings): the fonts'
    metrics only, no PDF."""

    def __init__(
        self, font: fonts.Font, title_font: fonts.Font | None = None, style: Style | None = None
    ):
        self._metrics = {"cjk": fonts.metrics(font), "title": fonts.metrics(title_font or font)}
        self.style = style or site_style()
        self.font_family, self.font_size_pt = "cjk", 12.0
        self.problems: list[str] = []

    def set_font(self, family: str, size: float | None = None) -> None:
        self.font_family = family
        if size:
            self.font_size_pt = size

    def set_font_size(self, size: float) -> None:
        self.font_size_pt = size


class Sheet(Measuring, FPDF):
    """An FPDF in millimetres with the CJK faces loaded ("cjk" for text, "title" for
    headings), width caching, fitting, Chinese line breaking and QR drawing."""

    def __init__(
        self,
        font: fonts.Font,
        page: tuple[float, float],
        footer_numbers: bool = False,
        title_font: fonts.Font | None = None,
        style: Style | None = None,
    ):
        super().__init__(unit="mm", format=page)
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.style = style or site_style()
        self.add_font("cjk", fname=font.path, collection_font_number=font.index)
        title_font = title_font or font
        self.add_font("title", fname=title_font.path, collection_font_number=title_font.index)
        # Keep the font's own bounding boxes when fpdf2 writes the subset: recomputing
        # them runs every CFF charstring again (about half the time of a big batch), and
        # the full font's box is a valid (if generous) box for the subset.
        for key in ("cjk", "title"):
            self.fonts[key].ttfont.recalcBBoxes = False
        self.set_font("cjk", size=12)
        self.set_text_color(0)
        self.footer_numbers = footer_numbers
        self._metrics = {"cjk": fonts.metrics(font), "title": fonts.metrics(title_font)}
        self.problems: list[str] = []
        self.set_creator(self.style.site_name)
        self.set_creation_date(datetime.now(UTC))

    def face(self, family: str, size: float, colour: tuple[int, int, int] | None = None) -> None:
        self.set_font(family, size=size)
        if colour is not None:
            self.set_text_color(*colour)

    def close_fonts(self) -> None:
        """Release the font files of a Sheet used only for measuring (output()
        releases them otherwise)."""
        for font in self.fonts.values():
            font.close()

    # drawing
    def spaced_text(self, x: float, y: float, text: str, spacing: float = 0.0) -> None:
        """``text`` at (x, y) with ``spacing`` mm added after every character but the
        last (justification; negative squeezes)."""
        if not spacing or len(text) < 2:
            self.text(x, y, text)
            return
        if not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        body = (
            f"BT {x * self.k:.2f} {(self.h - y) * self.k:.2f} Td {spacing * self.k:.4f} Tc "
            f"{self.current_font.encode_text(text)} 0 Tc ET"
        )
        if self.fill_color != self.text_color:
            body = f"q {self.text_color.serialize().lower()} {body} Q"
        self._out(body)

    def paragraphs(
        self,
        text: str,
        x: float,
        y: float,
        width: float,
        leading: float,
        bottom: float | None = None,
        new_page: Callable[[], float] | None = None,
        indent_chars: float = 2.0,
        kinsoku: bool = True,
        max_lines: int | None = None,
    ) -> float:
        """Justified paragraphs with a two-character first-line indent, broken by the
        Chinese rules. ``y`` is the top; returns the top of the next line. With
        ``bottom`` and ``new_page`` the text flows onto new pages."""
        size = self.font_size_pt
        pitch = size * PT * leading
        lines = self.break_lines(text, width, indent_chars, kinsoku)
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines]
            cut = lines[-1]
            shown = cut.text.rstrip("。，、；：！？")
            while shown and self.width(shown + "……") > width - cut.indent:
                shown = shown[:-1].rstrip("。，、；：！？")
            shown += "……"
            lines[-1] = typeset.Line(shown, self.width(shown), cut.target, cut.indent, True)
        for line in lines:
            if bottom is not None and new_page is not None and y + pitch > bottom:
                y = new_page()
                self.set_font_size(size)
            spacing = line.spacing(0.25 * size * PT) if kinsoku else 0.0
            self.spaced_text(
                x + line.indent, y + size * PT * 0.88 + (pitch - size * PT) / 2, line.text, spacing
            )
            y += pitch
        return y

    def centred(self, text: str, y: float, left: float, width: float) -> None:
        self.text(left + (width - self.width(text)) / 2, y, text)

    def block(
        self, fit: Fit, x: float, top: float, width: float, leading: float = 1.2, align: str = "L"
    ) -> float:
        """Lines of a Fit, ``top`` the top of the first line; returns the bottom."""
        self.set_font_size(fit.size)
        pitch = fit.size * PT * leading
        y = top + fit.size * PT * 0.88
        for line in fit.lines:
            w = self.width(line)
            dx = 0.0 if align == "L" else (width - w) / 2 if align == "C" else width - w
            self.text(x + dx, y, line)
            y += pitch
        return top + pitch * (len(fit.lines) - 1) + fit.size * PT * 1.05

    def fill_rect(self, x: float, y: float, w: float, h: float, colour) -> None:
        self.set_fill_color(*colour)
        self.rect(x, y, w, h, style="F")

    def qr(
        self, url: str, x: float, y: float, min_symbol_mm: float, dots: int | None = None
    ) -> float:
        """A pure-black vector QR with its top-left quiet-zone corner near (x, y),
        snapped to the 300 dpi dot grid, on a white square (the quiet zone); returns
        the drawn width (quiet zone included). ``dots`` per module, when given,
        overrides the size chosen from ``min_symbol_mm``."""
        count = qr.module_count(url)
        module = (dots or qr.dots_per_module(count, min_symbol_mm, DPI)) * DOT
        x = round(x / DOT) * DOT
        y = round(y / DOT) * DOT
        self.fill_rect(x, y, count * module, count * module, (255, 255, 255))
        k, height = self.k, self.h
        ops = ["q 0 g"]
        for mx, my, run in qr.runs(url):
            ops.append(
                f"{(x + mx * module) * k:.4f} {(height - y - my * module) * k:.4f} "
                f"{run * module * k:.4f} {-module * k:.4f} re"
            )
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

    def portrait(
        self, person: Honoree, x: float, y: float, w: float, h: float, frame: bool = True
    ) -> None:
        """The portrait fitted into the box, in a thin gold frame."""
        palette = self.style.palette
        if frame:
            self.set_draw_color(*palette.gold)
            self.set_line_width(0.45)
            self.rect(x - 2, y - 2, w + 4, h + 4)
        if person.portrait is not None and person.portrait.is_file():
            self.fill_rect(x, y, w, h, palette.white)
            self.image(str(person.portrait), x=x, y=y, w=w, h=h, keep_aspect_ratio=True)
            if person.placeholder:
                self.face("cjk", 7, palette.muted)
                self.text(x, y + h + 5, "照片为示意图")
        else:
            self.fill_rect(x, y, w, h, palette.white)
            self.face("cjk", 11, palette.muted)
            self.centred("暂无照片", y + h / 2, x, w)
        self.set_text_color(*palette.ink)


# --- posters -----------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """One poster format's geometry (mm). A4 and A3 are laid out each for itself."""

    margin: float
    band: float  # the red header band's height
    emblem: float
    portrait: tuple[float, float]
    gap: float  # between portrait and the text column
    footer: float  # the red footer band's height
    story_lines: int  # lines of story excerpt (0: none)


LAYOUTS = {
    "poster-a4": Layout(
        margin=14, band=36, emblem=22, portrait=(82, 109), gap=10, footer=10, story_lines=0
    ),
    "poster-a3": Layout(
        margin=20, band=54, emblem=33, portrait=(120, 160), gap=14, footer=13, story_lines=14
    ),
}


def posters(
    people: list[Honoree],
    font: fonts.Font,
    fmt: str = "poster-a4",
    exhibition: str = "",
    bleed: bool = False,
    progress: Progress | None = None,
    *,
    style: Style | None = None,
    title_font: fonts.Font | None = None,
) -> bytes:
    """One poster page per honoree, in order; the whole batch as one PDF in one
    design (the exhibition's print style)."""
    if fmt not in PAGES:
        raise ValueError(f"unknown poster format {fmt}")
    style = style or site_style()
    check_fonts(font, people, [exhibition, style.site_name, style.organisation], title_font)
    trim_w, trim_h = PAGES[fmt]
    offset = SLUG if bleed else 0.0
    pdf = Sheet(
        font, (trim_w + 2 * offset, trim_h + 2 * offset), title_font=title_font, style=style
    )
    pdf.set_title(exhibition or "海报")
    for done, person in enumerate(people, 1):
        pdf.add_page()
        _poster_page(pdf, person, fmt, exhibition, offset, bleed)
        if bleed:
            pdf.crop_marks(offset, offset, trim_w, trim_h)
        if progress:
            progress(done, len(people))
    return bytes(pdf.output())


def fit_warnings(
    people: Iterable[Honoree],
    font: fonts.Font,
    fmt: str,
    title_font: fonts.Font | None = None,
    exhibition: str = "",
) -> list[str]:
    """Texts that would have to go below their readable floor on this format: the
    print view and the CLI show these to staff before printing."""
    if fmt not in PAGES:
        return []
    ruler = Ruler(font, title_font)
    found = []
    for person in people:
        ruler.problems = []
        _poster_texts(ruler, person, fmt, exhibition)
        found.extend(ruler.problems)
    return found


def _column(fmt: str, has_portrait: bool) -> tuple[float, float]:
    """(x, width) of the text column beside the portrait, or of the whole page."""
    layout = LAYOUTS[fmt]
    page_w = PAGES[fmt][0]
    if not has_portrait:
        return layout.margin + 8, page_w - 2 * layout.margin - 16
    x = layout.margin + layout.portrait[0] + layout.gap
    return x, page_w - layout.margin - x


def _poster_texts(pdf: Measuring, person: Honoree, fmt: str, exhibition: str) -> dict[str, Fit]:
    """The poster's fitted texts (name, honour, unit, summary, quote, title); a text
    that cannot fit at its floor is noted in ``pdf.problems``."""
    scale: TypeScale = pdf.style.scale(fmt)
    layout = LAYOUTS[fmt]
    has_portrait = person.portrait is not None
    _, width = _column(fmt, has_portrait)
    inner = PAGES[fmt][0] - 2 * layout.margin
    band_w = inner - layout.emblem - 6
    fits = {
        "title": pdf.fit(
            exhibition or pdf.style.site_name,
            band_w,
            scale.band_title,
            scale.band_title * 0.6,
            2,
            "title",
        ),
        "name": pdf.fit(
            person.name,
            width,
            scale.name * (1.0 if has_portrait else 1.3),
            scale.name_floor,
            3,
            "title",
        ),
        "honour": pdf.fit(person.honour, width, scale.honour, scale.honour * 0.7, 2, "title"),
        "unit": pdf.fit(person.unit, width, scale.body, scale.body_floor, 3),
        "summary": pdf.fit(person.summary, width, scale.body, scale.body_floor, 4),
        "quote": pdf.fit(
            f"“{person.quote}”" if person.quote else "",
            inner - 30,
            scale.quote,
            scale.body_floor,
            3,
        ),
    }
    labels = {
        "name": "姓名（名称）",
        "unit": "单位",
        "honour": "荣誉",
        "title": "展厅标题",
        "summary": "简介",
        "quote": "感言",
    }
    floors = {
        "name": scale.name_floor,
        "unit": scale.body_floor,
        "summary": scale.body_floor,
        "quote": scale.body_floor,
    }
    for key, fit in fits.items():
        if not fit.ok:
            where = f"{person.name}（{person.code}）" if key != "title" else "标题"
            floor = floors.get(key, fit.size)
            pdf.problems.append(
                f"{where}：{labels[key]}过长，{fmt[-2:].upper()} 海报上缩到 "
                f"{floor:g} 磅仍放不下，已换行为 {len(fit.lines)} 行，请检查版面或精简文字"
            )
    return fits


@dataclass(frozen=True)
class _Frame:
    """One poster page: its format and type scale, where the trim sits on the sheet
    (``offset``: the slug when printing with bleed) and how far colour runs past the
    trim (``spill``: into the bleed)."""

    fmt: str
    scale: TypeScale
    offset: float
    spill: float

    @property
    def layout(self) -> Layout:
        return LAYOUTS[self.fmt]

    @property
    def width(self) -> float:
        return PAGES[self.fmt][0]

    @property
    def height(self) -> float:
        return PAGES[self.fmt][1]

    @property
    def left(self) -> float:
        """The left margin on the sheet."""
        return self.offset + self.layout.margin

    @property
    def footer_top(self) -> float:
        return self.offset + self.height - self.layout.footer


@dataclass(frozen=True)
class _Column:
    """The text column of the upper block: left-aligned beside the portrait, or
    centred on a text-only poster."""

    x: float
    width: float
    align: str


def _poster_page(
    pdf: Sheet, person: Honoree, fmt: str, exhibition: str, offset: float, bleed: bool
) -> None:
    frame = _Frame(fmt, pdf.style.scale(fmt), offset, BLEED if bleed else 0.0)
    fits = _poster_texts(pdf, person, fmt, exhibition)
    _poster_background(pdf, frame)
    _poster_band(pdf, frame, fits["title"])
    _poster_footer(pdf, frame)
    y = _poster_upper(pdf, frame, person, fits)
    count = qr.module_count(person.url)
    total = qr.dots_per_module(count, MIN_QR_MM[fmt], DPI) * DOT * count
    qr_y = frame.footer_top - 6 - total
    if person.quote:
        y = _poster_quote(pdf, frame, fits["quote"], y, qr_y)
    _poster_qr_block(pdf, frame, person, y, qr_y, count, total)
    pdf.set_text_color(*pdf.style.palette.ink)


def _poster_background(pdf: Sheet, frame: _Frame) -> None:
    """The paper, the red header band over a double gold rule and the red footer band
    under a gold rule, all running into the bleed."""
    palette, layout = pdf.style.palette, frame.layout
    o, spill, page_w, page_h = frame.offset, frame.spill, frame.width, frame.height
    pdf.fill_rect(o - spill, o - spill, page_w + 2 * spill, page_h + 2 * spill, palette.paper)
    pdf.fill_rect(o - spill, o - spill, page_w + 2 * spill, layout.band + spill, palette.red)
    pdf.fill_rect(o - spill, o + layout.band, page_w + 2 * spill, 1.2, palette.gold)
    pdf.fill_rect(o - spill, o + layout.band + 2.0, page_w + 2 * spill, 0.35, palette.gold)
    footer_top = frame.footer_top
    pdf.fill_rect(
        o - spill, footer_top, page_w + 2 * spill, layout.footer + spill, palette.red_deep
    )
    pdf.fill_rect(o - spill, footer_top - 1.6, page_w + 2 * spill, 0.35, palette.gold)


def _poster_band(pdf: Sheet, frame: _Frame, title: Fit) -> None:
    """The header band: emblem, then the organisation over the exhibition's title."""
    style, palette, layout = pdf.style, pdf.style.palette, frame.layout
    o, m = frame.offset, layout.margin
    emblem_h = layout.emblem * 1.1
    draw_emblem_pdf(pdf, o + m, o + (layout.band - emblem_h) / 2, layout.emblem, style)
    band_x = o + m + layout.emblem + 6
    org_size = frame.scale.band_org
    title_h = title.size * PT * (1.2 * (len(title.lines) - 1) + 1.0)
    org_h = org_size * PT * 1.6 if style.organisation else 0
    top = o + (layout.band - title_h - org_h) / 2
    if style.organisation:
        pdf.face("cjk", org_size, palette.gold_light)
        pdf.spaced_text(
            band_x, top + org_size * PT * 0.88, style.organisation, org_size * PT * 0.15
        )
        top += org_h
    pdf.face("title", title.size, palette.white)
    pdf.block(title, band_x, top, frame.width - m - band_x + o)


def _poster_footer(pdf: Sheet, frame: _Frame) -> None:
    """The footer band's line: the site and the organisation."""
    style, small = pdf.style, frame.scale.small
    pdf.face("cjk", small, style.palette.gold_light)
    foot = " · ".join(p for p in (style.site_name, style.organisation) if p)
    pdf.centred(
        foot,
        frame.footer_top + frame.layout.footer / 2 + small * PT * 0.35,
        frame.offset,
        frame.width,
    )


def _poster_upper(pdf: Sheet, frame: _Frame, person: Honoree, fits: dict[str, Fit]) -> float:
    """The upper block: the portrait and the facts column beside it, or the text-only
    layout; returns where the next block may start."""
    layout, a4 = frame.layout, frame.fmt == "poster-a4"
    y0 = frame.offset + layout.band + (12 if a4 else 16)
    has_portrait = person.portrait is not None
    col_x, col_w = _column(frame.fmt, has_portrait)
    column = _Column(col_x + frame.offset, col_w, "L" if has_portrait else "C")
    if has_portrait:
        pw, ph = layout.portrait
        pdf.portrait(person, frame.left, y0, pw, ph)
        upper_bottom = y0 + ph + 4
    else:
        upper_bottom = y0
        y0 += 14 if a4 else 20
    y = _poster_facts(pdf, frame, person, fits, column, y0 - 1)
    return max(y, upper_bottom) + (8 if a4 else 12)


def _poster_facts(
    pdf: Sheet, frame: _Frame, person: Honoree, fits: dict[str, Fit], column: _Column, y: float
) -> float:
    """Name, top honour, a gold rule (an ornament when text-only), unit, region and
    summary, then on A3 the other honours; returns the bottom."""
    palette, scale = pdf.style.palette, frame.scale
    x, width, align = column.x, column.width, column.align
    has_portrait = person.portrait is not None
    pdf.face("title", fits["name"].size, palette.red_deep)
    y = pdf.block(fits["name"], x, y, width, 1.15, align) + 4 * (scale.name / 44)
    if person.honour:
        pdf.face("title", fits["honour"].size, palette.red)
        y = pdf.block(fits["honour"], x, y, width, 1.25, align)
    y += 4
    if has_portrait:
        pdf.fill_rect(x, y, 28 * scale.body / 12.5, 0.8, palette.gold)
    else:
        ornament_pdf(pdf, x + width / 2 - 40, y, 80, pdf.style)
    y += 5
    if person.unit:
        pdf.face("cjk", fits["unit"].size, palette.ink)
        y = pdf.block(fits["unit"], x, y, width, 1.35, align) + 1.5
    if person.region:
        pdf.face("cjk", scale.body * 0.9, palette.muted)
        region = pdf.fit(person.region, width, scale.body * 0.9, scale.body_floor)
        y = pdf.block(region, x, y, width, 1.3, align) + 1.5
    if person.summary:
        y += 2.5
        pdf.face("cjk", fits["summary"].size, palette.ink)
        y = pdf.block(fits["summary"], x, y, width, 1.45, align)
    if frame.fmt == "poster-a3" and has_portrait and len(person.honours) > 1:
        y = _other_honours(pdf, person, column, y, scale)
    return y


def _other_honours(
    pdf: Sheet, person: Honoree, column: _Column, y: float, scale: TypeScale
) -> float:
    """A3 only: up to four honours besides the top one, under a heading."""
    palette = pdf.style.palette
    others = [h for h in person.honours if h != person.honour][:4]
    y += 5
    pdf.face("title", scale.body * 0.85, palette.red)
    pdf.text(column.x, y + scale.body * PT * 0.8, "其他荣誉")
    y += scale.body * PT * 1.5
    pdf.face("cjk", scale.body * 0.82, palette.muted)
    for line in others:
        fit = pdf.fit(line, column.width, scale.body * 0.82, scale.body_floor * 0.8)
        y = pdf.block(fit, column.x, y, column.width, 1.3) + 1
    return y


def _poster_quote(pdf: Sheet, frame: _Frame, quote: Fit, y: float, qr_y: float) -> float:
    """The quote between gold quotation ornaments (on A4 centred in the room left
    above the QR code); returns the bottom."""
    inner = frame.width - 2 * frame.layout.margin
    height = 5 + quote.size * PT * (1.5 * (len(quote.lines) - 1) + 1.05)
    if frame.fmt == "poster-a4":
        y = max(y, y + (qr_y - 4 - y - height) / 2)
    ornament_pdf(pdf, frame.left + inner / 2 - 45, y, 90, pdf.style)
    y += 5
    pdf.face("cjk", quote.size, pdf.style.palette.red_deep)
    return pdf.block(quote, frame.left + 15, y, inner - 30, 1.5, "C") + 6


def _poster_qr_block(
    pdf: Sheet, frame: _Frame, person: Honoree, y: float, qr_y: float, count: int, total: float
) -> None:
    """The QR code at the foot (``count`` modules, ``total`` mm wide) and the call to
    action beside it; on A3 the story excerpt above the call."""
    o, m = frame.offset, frame.layout.margin
    qr_x = o + frame.width - m - total + qr.QUIET_ZONE * total / count * 0.6
    drawn = pdf.qr(person.url, qr_x, qr_y, MIN_QR_MM[frame.fmt])
    left_w = qr_x - (o + m) - 6
    if frame.fmt == "poster-a3":
        _story_excerpt(pdf, person, o + m, y + 2, left_w, qr_y + drawn - 48, frame.scale)
        cta_top = qr_y + drawn - 42
    else:
        cta_top = qr_y + drawn / 2 - frame.scale.cta * PT * 1.6
    _call_to_action(pdf, frame.scale, o + m, cta_top, left_w, person.address)


def _call_to_action(
    pdf: Sheet, scale: TypeScale, x: float, top: float, width: float, address: str
) -> None:
    """扫码阅读先进事迹 over a gold arrow pointing at the QR code, then the address to
    type instead."""
    palette, cta_size = pdf.style.palette, scale.cta
    pdf.face("title", cta_size, palette.red)
    pdf.text(x, top + cta_size * PT * 0.88, CALL_TO_ACTION)
    line_y = top + cta_size * PT * 1.25 + 3
    arrow_w = min(width, pdf.width(CALL_TO_ACTION))
    pdf.fill_rect(x, line_y, arrow_w, 0.8, palette.gold)
    pdf.set_fill_color(*palette.gold)
    pdf.polygon(
        [(x + arrow_w, line_y - 1.6), (x + arrow_w + 4, line_y + 0.4), (x + arrow_w, line_y + 2.4)],
        style="F",
    )
    small = scale.body * 0.9
    pdf.face("cjk", small, palette.muted)
    pdf.text(x, line_y + 5 + small * PT, "手机扫描二维码，或访问")
    pdf.face("cjk", small, palette.ink)
    fitted = pdf.fit(address, width, small, scale.body_floor * 0.8)
    pdf.block(fitted, x, line_y + 5 + small * PT * 1.9, width)


def _story_excerpt(
    pdf: Sheet, person: Honoree, x: float, top: float, width: float, bottom: float, scale: TypeScale
) -> None:
    """A3 only: a heading and the first lines of the story, ended with an ellipsis."""
    palette = pdf.style.palette
    story = person.story or person.citation
    if not story:
        return
    pdf.face("title", scale.body * 1.2, palette.red)
    pdf.text(x, top + scale.body * 1.2 * PT * 0.88, "先进事迹")
    head_w = pdf.width("先进事迹")
    pdf.fill_rect(
        x + head_w + 4, top + scale.body * 1.2 * PT * 0.5, width - head_w - 4, 0.4, palette.gold
    )
    y = top + scale.body * 1.2 * PT * 1.9
    size = scale.body * 0.92
    pdf.face("cjk", size, palette.ink)
    pitch = size * PT * 1.75
    lines = max(1, min(LAYOUTS["poster-a3"].story_lines, int((bottom - y) // pitch)))
    pdf.paragraphs(story, x, y, width, 1.75, max_lines=lines)
