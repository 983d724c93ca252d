"""The record book (记录册) of an exhibition: a cover, a foreword (the exhibition's
introduction), a table of contents with page numbers, then each honoree from a new
page: portrait, facts, honours (with citation and document number), story and album
photos, set in justified paragraphs with a two-character indent and broken by the
Chinese rules (typeset.py). Running headers and page numbers. No Flask here."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from archive.printing import fonts
from archive.printing.posters import PT, Honoree, Progress, Sheet, check_fonts
from archive.printing.print_style import Style, draw_emblem_pdf, ornament_pdf, site_style

PAGE = (210.0, 297.0)
LEFT, RIGHT, TOP, BOTTOM = 22.0, 22.0, 24.0, 24.0
INNER = PAGE[0] - LEFT - RIGHT
TEXT_BOTTOM = PAGE[1] - BOTTOM
BODY_PT = 10.5
LEADING = 1.85
TOC_LINES_PER_PAGE = 34


class Book(Sheet):
    """A Sheet with running headers (the book's title and the current section) and
    page numbers on every page but the cover."""

    def __init__(self, *args, title: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.book_title = title
        self.running = ""  # the section shown in the header
        self.plain = True  # cover: neither header nor number

    def footer(self) -> None:
        """The running header and the page number, both drawn as a page is closed,
        when the section it belongs to is known."""
        if self.plain:
            return
        palette = self.style.palette
        size = self.font_size_pt
        family = self.font_family
        self.face("cjk", 8.5, palette.muted)
        self.text(LEFT, 14.5, self.book_title)
        if self.running:
            self.text(PAGE[0] - RIGHT - self.width(self.running), 14.5, self.running)
        self.fill_rect(LEFT, 16.5, INNER, 0.3, palette.gold)
        self.face("cjk", 9, palette.muted)
        label = f"— {self.page_no()} —"
        self.text((self.w - self.width(label)) / 2, self.h - 12, label)
        self.face(family, size, palette.ink)

    def new_page(self) -> float:
        """A new page with the running header; returns the top of its text area."""
        self.add_page()
        return TOP

    def heading(self, text: str, y: float, size: float = 13.0) -> float:
        """A section heading: a red square, the heading, a gold rule to the right."""
        palette = self.style.palette
        if y + size * PT * 2 + 14 > TEXT_BOTTOM:
            y = self.new_page()
        self.fill_rect(LEFT, y + size * PT * 0.28, size * PT * 0.5, size * PT * 0.5, palette.red)
        self.face("title", size, palette.red)
        x = LEFT + size * PT * 0.9
        self.text(x, y + size * PT * 0.8, text)
        w = self.width(text)
        self.fill_rect(x + w + 3, y + size * PT * 0.52, LEFT + INNER - x - w - 3, 0.3, palette.gold)
        self.face("cjk", BODY_PT, palette.ink)
        return y + size * PT * 1.9


def record_book(
    title: str,
    sections: list[tuple[str, list[Honoree]]],
    font: fonts.Font,
    organisation: str = "",
    progress: Progress | None = None,
    *,
    intro: str = "",
    style: Style | None = None,
    title_font: fonts.Font | None = None,
    kinsoku: bool = True,
) -> bytes:
    """An exhibition's record book. ``kinsoku=False`` turns the line-breaking rules
    off (only to show in tests what they prevent)."""
    style = style or site_style()
    organisation = organisation or style.organisation
    people = [p for _, members in sections for p in members]
    check_fonts(font, people, [title, organisation, intro, *(s for s, _ in sections)], title_font)
    pdf = Book(font, PAGE, title_font=title_font, style=style, title=f"{title} · 记录册")
    pdf.set_title(f"{title} 记录册")
    pdf.set_author(organisation)
    _cover(pdf, title, organisation, len(people))
    pdf.running = "前言"
    _foreword(pdf, title, intro, len(people), kinsoku)
    rows = []
    for section_title, members in sections:
        rows.append(("section", section_title))
        rows.extend(("person", p) for p in members)
    toc_pages = max(1, math.ceil(len(rows) / TOC_LINES_PER_PAGE))
    pages: dict[int, int] = {}
    section_pages: dict[str, int] = {}
    pdf.running = "目录"
    pdf.add_page()
    # fpdf2 reserves the contents' pages and draws them last, when every page number
    # is known; it leaves us on a fresh page for the first honoree
    pdf.insert_toc_placeholder(
        lambda sheet, _outline: _contents(sheet, rows, pages, section_pages),
        pages=toc_pages,
        reset_page_indices=False,
    )
    done = 0
    for section_title, members in sections:
        pdf.running = section_title
        for number, person in enumerate(members):
            if done:
                pdf.add_page()
            if number == 0:
                section_pages.setdefault(section_title, pdf.page_no())
                if section_title:
                    pdf.start_section(section_title, level=0)
            pages[id(person)] = pdf.page_no()
            pdf.start_section(person.name, level=1 if section_title else 0)
            _honoree(pdf, person, kinsoku)
            done += 1
            if progress:
                progress(done, len(people))
    return bytes(pdf.output())


def _cover(pdf: Book, title: str, organisation: str, count: int) -> None:
    palette = pdf.style.palette
    pdf.add_page()
    w, h = PAGE
    pdf.fill_rect(0, 0, w, h, palette.red)
    pdf.set_draw_color(*palette.gold)
    pdf.set_line_width(1.0)
    pdf.rect(12, 12, w - 24, h - 24)
    pdf.set_line_width(0.3)
    pdf.rect(15, 15, w - 30, h - 30)
    draw_emblem_pdf(pdf, w / 2 - 19, 52, 38, pdf.style)
    if organisation:
        pdf.face("cjk", 15, palette.gold_light)
        pdf.centred(organisation, 112, 20, w - 40)
    fit = pdf.fit(title, w - 60, 30, 18, 3, "title")
    pdf.face("title", fit.size, palette.white)
    y = pdf.block(fit, 30, 124, w - 60, 1.3, "C")
    ornament_pdf(pdf, w / 2 - 45, y + 10, 90, pdf.style, 0.5)
    pdf.face("title", 46, palette.gold_light)
    pdf.centred("记 录 册", y + 42, 20, w - 40)
    pdf.face("cjk", 12, palette.gold_light)
    pdf.centred(f"共 {count} 位（个）荣誉获得者", h - 58, 20, w - 40)
    pdf.centred(datetime.now(UTC).strftime("%Y年%m月"), h - 48, 20, w - 40)
    pdf.face("cjk", 10, palette.gold_light)
    pdf.centred(pdf.style.site_name, h - 32, 20, w - 40)


def _foreword(pdf: Book, title: str, intro: str, count: int, kinsoku: bool) -> None:
    palette = pdf.style.palette
    y = pdf.new_page() + 18
    pdf.plain = False  # headers and numbers from here on
    pdf.face("title", 22, palette.red_deep)
    pdf.centred("前  言", y + 8, LEFT, INNER)
    ornament_pdf(pdf, PAGE[0] / 2 - 35, y + 16, 70, pdf.style)
    text = intro.strip() or (
        f"本册收录“{title}”展出的 {count} 位（个）劳动模范、先进个人和先进集体的"
        "荣誉与事迹，以志敬意，以励后人。"
    )
    pdf.face("cjk", 11.5, palette.ink)
    pdf.paragraphs(
        text, LEFT + 8, y + 28, INNER - 16, 2.0, TEXT_BOTTOM, pdf.new_page, kinsoku=kinsoku
    )


def _contents(pdf: Book, rows: list, pages: dict[int, int], section_pages: dict[str, int]) -> None:
    """Drawn last (fpdf2's TOC placeholder), when every page number is known."""
    palette = pdf.style.palette
    for start in range(0, len(rows), TOC_LINES_PER_PAGE):
        if start:
            pdf.add_page()
        y = TOP + 6
        pdf.face("title", 20, palette.red_deep)
        pdf.centred("目  录" if start == 0 else "目录（续）", y + 7, LEFT, INNER)
        y += 20
        for kind, value in rows[start : start + TOC_LINES_PER_PAGE]:
            if kind == "section":
                if not value:
                    continue
                pdf.face("title", 12.5, palette.red)
                y += 2
                pdf.text(LEFT, y + 5, value)
                number = str(section_pages.get(value, ""))
                pdf.text(LEFT + INNER - pdf.width(number), y + 5, number)
                y += 7.2
                continue
            person: Honoree = value
            pdf.face("cjk", 11, palette.ink)
            name = person.name
            number = str(pages.get(id(person), ""))
            while pdf.width(name) > INNER - 40 and len(name) > 1:
                name = name[:-2] + "…"
            pdf.text(LEFT + 8, y + 5, name)
            right = LEFT + INNER - pdf.width(number)
            pdf.text(right, y + 5, number)
            # dot leaders between the name and its page number
            pdf.face("cjk", 11, palette.gold)
            dots_from = LEFT + 8 + pdf.width(name) + 3
            dot = pdf.width("·")
            count = int((right - 3 - dots_from) / (dot * 1.6))
            for i in range(max(0, count)):
                pdf.text(dots_from + i * dot * 1.6, y + 5, "·")
            y += 6.6
    pdf.set_text_color(*palette.ink)


def _honoree(pdf: Book, person: Honoree, kinsoku: bool) -> None:
    palette = pdf.style.palette
    top = TOP + 2
    pw, ph = 42.0, 56.0
    pdf.portrait(person, LEFT + 2, top + 2, pw, ph)
    qr_symbol = 20.0
    drawn = pdf.qr(person.url, LEFT + INNER - 26, top - 2, qr_symbol)
    qr_x = round((LEFT + INNER - 26) / (25.4 / 300)) * (25.4 / 300)
    pdf.face("cjk", 6.5, palette.muted)
    pdf.centred("扫码阅读", top - 2 + drawn + 2, qr_x, drawn)
    col_x = LEFT + pw + 12
    col_w = qr_x - col_x - 4
    fit = pdf.fit(person.name, col_w, 26, 16, 2, "title")
    pdf.face("title", fit.size, palette.red_deep)
    y = pdf.block(fit, col_x, top, col_w, 1.15) + 2
    if person.honour:
        pdf.face("title", 11, palette.red)
        y = pdf.block(pdf.fit(person.honour, col_w, 11, 9, 2, "title"), col_x, y, col_w) + 3
    pdf.face("cjk", 9.5, palette.ink)
    for key, value in person.facts:
        pdf.face("cjk", 9.5, palette.muted)
        pdf.text(col_x, y + 9.5 * PT * 0.88, key)
        label_w = pdf.width("职务") + 3
        pdf.face("cjk", 9.5, palette.ink)
        lines = pdf.lines(value, col_w - label_w)
        for line in lines:
            pdf.text(col_x + label_w, y + 9.5 * PT * 0.88, line)
            y += 9.5 * PT * 1.55
    y = max(y, top + 2 + ph + 4) + 6
    if person.honour_records:
        y = pdf.heading("荣誉", y)
        for record in person.honour_records:
            if y + 14 > TEXT_BOTTOM:
                y = pdf.new_page()
            pdf.face("title", 11, palette.ink)
            pdf.text(LEFT + 4, y + 11 * PT * 0.88, f"{record['year']}年")
            pdf.text(LEFT + 20, y + 11 * PT * 0.88, record["title"])
            y += 11 * PT * 1.5
            meta = "　".join(
                x
                for x in (
                    f"授予单位：{record['body']}" if record.get("body") else "",
                    f"文号：{record['document_no']}" if record.get("document_no") else "",
                )
                if x
            )
            if meta:
                pdf.face("cjk", 8.5, palette.muted)
                for line in pdf.lines(meta, INNER - 20):
                    pdf.text(LEFT + 20, y + 8.5 * PT * 0.88, line)
                    y += 8.5 * PT * 1.5
            if record.get("citation"):
                pdf.face("cjk", 9.5, palette.ink)
                y = pdf.paragraphs(
                    record["citation"],
                    LEFT + 20,
                    y,
                    INNER - 20,
                    1.7,
                    TEXT_BOTTOM,
                    pdf.new_page,
                    kinsoku=kinsoku,
                )
            y += 2.5
        y += 3
    if person.story:
        y = pdf.heading("先进事迹", y)
        pdf.face("cjk", BODY_PT, palette.ink)
        y = (
            pdf.paragraphs(
                person.story, LEFT, y, INNER, LEADING, TEXT_BOTTOM, pdf.new_page, kinsoku=kinsoku
            )
            + 4
        )
    if person.quote:
        y = pdf.heading("感言", y)
        pdf.face("cjk", BODY_PT, palette.red_deep)
        y = (
            pdf.paragraphs(
                f"“{person.quote}”",
                LEFT,
                y,
                INNER,
                LEADING,
                TEXT_BOTTOM,
                pdf.new_page,
                kinsoku=kinsoku,
            )
            + 4
        )
    if person.album:
        y = _album(pdf, person, y)
    pdf.set_text_color(*palette.ink)


def _album(pdf: Book, person: Honoree, y: float) -> float:
    """Album photos two to a row, each with its caption."""
    from PIL import Image

    palette = pdf.style.palette
    if y + 90 > TEXT_BOTTOM:  # the heading goes with the first row of photos
        y = pdf.new_page()
    y = pdf.heading("影像", y)
    cell_w, gap, max_h = (INNER - 8) / 2, 8.0, 62.0
    row_h = 0.0
    for index, (path, caption) in enumerate(person.album):
        if not path.is_file():
            continue
        with Image.open(path) as image:
            ratio = image.height / image.width
        w = cell_w
        h = min(max_h, w * ratio)
        w = h / ratio
        col = index % 2
        if col == 0:
            y += row_h
            row_h = 0.0
            if y + h + 10 > TEXT_BOTTOM:
                y = pdf.new_page()
        x = LEFT + col * (cell_w + gap) + (cell_w - w) / 2
        pdf.image(str(path), x=x, y=y, w=w, h=h)
        used = h + 3
        if caption:
            pdf.face("cjk", 8.5, palette.muted)
            for line in pdf.lines(caption, cell_w, 2):
                used += 8.5 * PT * 1.4
                pdf.centred(line, y + used - 1, LEFT + col * (cell_w + gap), cell_w)
        row_h = max(row_h, used + 6)
    return y + row_h
