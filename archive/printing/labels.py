"""QR label sheets on the common Chinese label stocks (A4 sheets of adhesive
labels): each label a QR code with modules of at least 0.4 mm, the name fitted by
shrinking and then wrapping (never below 7 pt, never outside the label), the short
code and the call to action. No Flask here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from archive.printing import fonts, qr
from archive.printing.posters import (
    CALL_TO_ACTION,
    DOT,
    DPI,
    PT,
    Fit,
    Honoree,
    Measuring,
    Progress,
    Ruler,
    Sheet,
    check_fonts,
)
from archive.printing.print_style import Style, site_style

MIN_MODULE_MM = 0.4
NAME_FLOOR_PT = 7.0
PAD = 2.0  # mm kept clear inside every label edge (printers drift by about 1 mm)


@dataclass(frozen=True)
class Stock:
    """A label stock: columns × rows of w × h mm labels on A4, from (left, top),
    with gaps between labels."""

    title: str
    columns: int
    rows: int
    w: float
    h: float
    left: float
    top: float
    gap_x: float = 0.0
    gap_y: float = 0.0
    max_qr_mm: float = 24.0  # the symbol's width (quiet zone excluded)
    name_pt: float = 12.0  # the name's largest size; it shrinks to NAME_FLOOR_PT

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def cell(self, slot: int) -> tuple[float, float]:
        """The top-left corner of label ``slot`` (0-based, row by row)."""
        col, row = slot % self.columns, slot // self.columns
        return self.left + col * (self.w + self.gap_x), self.top + row * (self.h + self.gap_y)


STOCKS = {
    "labels": Stock("A4 3×8（70×36 毫米）", 3, 8, 70.0, 36.0, 0.0, 4.5, max_qr_mm=22.0),
    "labels-2x5": Stock(
        "A4 2×5（99×57 毫米）", 2, 5, 99.0, 57.0, 6.0, 6.0, max_qr_mm=34.0, name_pt=16.0
    ),
    "labels-4x10": Stock(
        "A4 4×10（48.5×25.4 毫米）", 4, 10, 48.5, 25.4, 8.0, 21.5, max_qr_mm=15.0, name_pt=10.0
    ),
}


@dataclass
class LabelText:
    x: float
    width: float
    name: Fit
    code_size: float
    cta: bool
    ok: bool


def _qr_geometry(url: str, stock: Stock) -> tuple[int, float]:
    """(module count, module size in mm): as large as the label and the stock's
    maximum allow, in whole printer dots, never under MIN_MODULE_MM."""
    count = qr.module_count(url)
    room = stock.h - 2 * PAD + 2 * qr.QUIET_ZONE * MIN_MODULE_MM  # quiet zone may use the pad
    by_height = int(room / count / DOT)
    by_max = qr.dots_per_module(count, stock.max_qr_mm, DPI)
    least = -(-MIN_MODULE_MM // DOT)
    dots = max(int(least), min(by_height, by_max))
    return count, dots * DOT


def _text_layout(
    pdf: Measuring, person: Honoree, stock: Stock, text_x: float, scale_name: float
) -> LabelText:
    """Fit the name, the code line and (room permitting) the call to action into
    the label's text area."""
    width = stock.w - PAD - text_x
    height = stock.h - 2 * PAD
    code_size = 7.0 if stock.h < 30 else 8.0 if stock.h < 50 else 9.0
    pdf.set_font("cjk", size=code_size)
    code_h = pdf.ascent(code_size) + pdf.descent(code_size)
    cta_h = (pdf.ascent(6.5) + pdf.descent(6.5)) * 1.05
    for cta in (True, False):
        room = height - code_h * 1.1 - (cta_h if cta else 0.0)
        size = scale_name
        while size >= NAME_FLOOR_PT:
            pdf.set_font("cjk", size=size)
            lines = (
                pdf.lines(person.name, width) if pdf.width(person.name) > width else [person.name]
            )
            if _name_height(pdf, size, len(lines)) <= room and all(
                pdf.width(line) <= width for line in lines
            ):
                return LabelText(text_x, width, Fit(size, lines, True), code_size, cta, True)
            size -= 0.5
    pdf.set_font("cjk", size=NAME_FLOOR_PT)
    return LabelText(
        text_x,
        width,
        Fit(NAME_FLOOR_PT, pdf.lines(person.name, width), False),
        code_size,
        False,
        False,
    )


def _name_height(pdf: Measuring, size: float, lines: int) -> float:
    return pdf.ascent(size) + pdf.descent(size) + (lines - 1) * size * PT * 1.18


def labels(
    people: list[Honoree],
    font: fonts.Font,
    progress: Progress | None = None,
    *,
    stock: str = "labels",
    style: Style | None = None,
    title_font: fonts.Font | None = None,
) -> bytes:
    """Sheets of labels on ``stock`` (a key of STOCKS), one label per honoree."""
    paper = STOCKS[stock]
    style = style or site_style()
    check_fonts(font, people, title_font=title_font)
    pdf = Sheet(font, (210.0, 297.0), title_font=title_font, style=style)
    pdf.set_title("二维码标签")
    palette = style.palette
    for index, person in enumerate(people):
        if index % paper.per_sheet == 0:
            pdf.add_page()
        x, y = paper.cell(index % paper.per_sheet)
        count, module = _qr_geometry(person.url, paper)
        total = count * module
        quiet = qr.QUIET_ZONE * module
        qx = x + max(0.0, PAD - quiet + 1.0)
        drawn = pdf.qr(person.url, qx, y + (paper.h - total) / 2, 0.0, dots=round(module / DOT))
        # the text starts after the quiet zone: nothing is printed inside it
        text = _text_layout(pdf, person, paper, qx - x + drawn + 0.3, paper.name_pt)
        _draw_text(pdf, person, paper, x, y, text, palette)
        if progress:
            progress(index + 1, len(people))
    return bytes(pdf.output())


def _draw_text(
    pdf: Sheet, person: Honoree, stock: Stock, x: float, y: float, text: LabelText, palette
) -> None:
    left = x + text.x
    name = text.name
    pdf.set_font("cjk", size=name.size)
    name_h = _name_height(pdf, name.size, len(name.lines))
    pdf.set_font("cjk", size=text.code_size)
    code_h = pdf.ascent() + pdf.descent()
    cta_h = (pdf.ascent(6.5) + pdf.descent(6.5)) * 1.05 if text.cta else 0.0
    block = name_h + code_h * 1.1 + cta_h
    top = y + max(PAD, (stock.h - block) / 2)
    pdf.face("cjk", name.size, palette.red_deep)
    baseline = top + pdf.ascent(name.size)
    for line in name.lines:
        pdf.text(left, baseline, line)
        baseline += name.size * PT * 1.18
    baseline += -name.size * PT * 1.18 + pdf.descent(name.size)
    pdf.face("cjk", text.code_size, palette.ink)
    baseline += code_h * 0.1 + pdf.ascent()
    pdf.text(left, baseline, f"编码 {person.code}")
    if text.cta:
        pdf.face("cjk", 6.5, palette.muted)
        baseline += pdf.descent(text.code_size) + pdf.ascent(6.5) + 0.3
        pdf.text(left, baseline, CALL_TO_ACTION)
    pdf.set_text_color(*palette.ink)


def fit_warnings(people: Iterable[Honoree], font: fonts.Font, stock: str = "labels") -> list[str]:
    """Names that would need a size under 7 pt on this stock: shown before printing."""
    paper = STOCKS[stock]
    ruler = Ruler(font)
    found = []
    for person in people:
        count, module = _qr_geometry(person.url, paper)
        quiet = qr.QUIET_ZONE * module
        qx = max(0.0, PAD - quiet + 1.0)
        text = _text_layout(ruler, person, paper, qx + count * module + 0.3, paper.name_pt)
        if not text.ok:
            found.append(
                f"{person.name}（{person.code}）：名称在 {paper.title} 标签上缩到 "
                f"{NAME_FLOOR_PT:g} 磅仍放不下，请换用更大的标签"
            )
    return found
