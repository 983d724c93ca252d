"""The hall's poster (扫码进入网上展馆), A4 or A3: the exhibition's title on its
theme's banner colour, a view of the entrance hall, and the hall's QR code drawn
as on every poster (vector, on the printer's dot grid). No Flask here."""

from __future__ import annotations

from pathlib import Path

from archive.printing import fonts, posters, qr
from archive.printing.posters import DOT, DPI, MIN_QR_MM, PAGES, Sheet

from .themes import rgb

CALL_TO_ACTION = "扫码进入网上展馆"


def hall_poster(
    title: str,
    organisation: str,
    url: str,
    address: str,
    theme: dict,
    font: fonts.Font,
    picture: Path | None,
    fmt: str = "poster-a4",
) -> bytes:
    """One poster page for a hall; ``url`` is what the QR code holds."""
    if fmt not in PAGES:
        raise ValueError(f"unknown poster format {fmt}")
    wording = theme.get("banner") or ""
    fonts.check(
        font, [title, organisation, address, CALL_TO_ACTION, wording, "网上全景展馆"], "展馆海报"
    )
    page_w, page_h = PAGES[fmt]
    s = page_w / 210.0
    pdf = Sheet(font, (page_w, page_h))
    pdf.set_title(f"{title} 网上展馆")
    pdf.add_page()
    banner = rgb(theme["palette"]["banner"])
    ink = rgb(theme["palette"]["banner_text"])
    pdf.set_fill_color(*banner)
    pdf.rect(0, 0, page_w, 62 * s, style="F")
    pdf.set_text_color(*ink)
    title_fit = pdf.fit(title, page_w - 24 * s, 30 * s, 14, max_lines=2)
    pdf.set_font_size(title_fit.size)
    for number, line in enumerate(title_fit.lines[:2]):  # one line, or two at the floor
        pdf.centred(
            line,
            (28 - 6 * (len(title_fit.lines[:2]) - 1) + 12 * number) * s,
            12 * s,
            page_w - 24 * s,
        )
    pdf.set_font_size(16 * s)
    pdf.centred("网上全景展馆", 42 * s, 12 * s, page_w - 24 * s)
    if wording:
        pdf.set_font_size(12 * s)
        pdf.centred(wording, 53 * s, 12 * s, page_w - 24 * s)
    pdf.set_text_color(0)
    y = 70 * s
    if picture is not None and picture.is_file():
        width = page_w - 24 * s
        pdf.image(str(picture), x=12 * s, y=y, w=width, h=width * 0.36, keep_aspect_ratio=False)
        y += width * 0.36 + 8 * s
    min_mm = MIN_QR_MM[fmt]
    count = qr.module_count(url)
    total = qr.dots_per_module(count, min_mm, DPI) * DOT * count
    y += pdf.qr(url, (page_w - total) / 2, y, min_mm)
    pdf.set_font_size(22 * s)
    y += 22 * s * 0.3528 * 1.3
    pdf.centred(CALL_TO_ACTION, y, 12 * s, page_w - 24 * s)
    pdf.set_font_size(12 * s)
    y += 12 * s * 0.3528 * 1.8
    pdf.centred(address, y, 12 * s, page_w - 24 * s)
    if organisation:
        pdf.set_fill_color(*banner)
        pdf.rect(0, page_h - 14 * s, page_w, 14 * s, style="F")
        pdf.set_text_color(*ink)
        pdf.set_font_size(11 * s)
        pdf.centred(organisation, page_h - 5.5 * s, 12 * s, page_w - 24 * s)
    return bytes(pdf.output())


__all__ = ["hall_poster", "posters"]
