"""Printing a batch end to end: choose the honorees, check the public address and
the font, register the print run, draw the PDF, write it atomically. Used by the
CLI command and by the background worker's print job."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from archive.catalogue import exhibitions, media
from archive.db import write
from archive.printing import book, fonts, labels, posters
from archive.printing import runs as printing
from archive.printing.print_style import Style, print_style
from archive.printing.runs import PrintError, Selection


@dataclass
class Batch:
    title: str
    exhibition_id: int | None
    items: list[dict]
    people: list[posters.Honoree]
    warnings: list[str]
    style: Style | None = None
    exhibition: dict | None = None


@dataclass
class Printed:
    path: Path
    run: dict
    pages: int
    warnings: list[str]


def outputs_dir(media_dir: str | Path) -> Path:
    """Where finished print files wait for download (derived, safe to delete)."""
    return Path(media_dir) / "print"


def output_path(media_dir: str | Path, name: str) -> Path:
    """A finished file's path from its name, refusing anything but a plain name."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise PrintError("无效的文件名")
    return outputs_dir(media_dir) / name


def enqueue(
    db: sqlite_utils.Database,
    fmt: str,
    selection: Selection,
    bleed: bool = False,
    mode: str = "view",
) -> int:
    """Queue a print batch for the background worker; returns the job id."""
    from archive import jobs

    name = f"print-{secrets.token_hex(8)}.pdf"
    return jobs.enqueue(
        db,
        "print",
        {
            "format": fmt,
            "selection": selection.to_json(),
            "bleed": bleed,
            "output": name,
            "mode": mode,
        },
    )


def title_font(config) -> fonts.Font | None:
    """The heading face (FONT_TITLE_PATH), or None to use FONT_PATH when the file is
    missing: a missing optional face never stops printing."""
    return fonts.load_optional(config.get("FONT_TITLE_PATH"))


def _with_albums(db: sqlite_utils.Database, items: list[dict]) -> list[dict]:
    """Cards with their album photos (every photo but the portrait), for the book."""
    ids = [i["id"] for i in items]
    if not ids:
        return items
    marks = ",".join("?" * len(ids))
    photos: dict[int, list[dict]] = {}
    rows = [
        dict(r)
        for r in db.execute(
            f"""SELECT * FROM photos WHERE honoree_id IN ({marks}) AND id NOT IN
                (SELECT poster_photo_id FROM videos WHERE poster_photo_id IS NOT NULL)
            ORDER BY honoree_id, position, id""",
            ids,
        )
    ]
    files = media.variants_by_photo(db, [r["id"] for r in rows])
    for row in rows:
        row["files"] = files.get(row["id"], {"webp": [], "jpeg": []})
        photos.setdefault(row["honoree_id"], []).append(row)
    out = []
    for item in items:
        portrait = (item.get("portrait") or {}).get("id")
        out.append(
            {**item, "album": [p for p in photos.get(item["id"], []) if p["id"] != portrait]}
        )
    return out


def plan(db: sqlite_utils.Database, config, fmt: str, selection: Selection) -> Batch:
    """What would be printed, with warnings, after every check that can fail
    (public address, selection, font coverage): nothing is written. The warnings
    include texts that would go below their readable floor."""
    if fmt not in printing.FORMATS:
        raise PrintError(f"未知的打印格式：{fmt}（可选：{'、'.join(printing.FORMATS)}）")
    base = printing.check_base_url(config["BASE_URL"])
    if fmt == "book" and not selection.exhibition_id:
        raise PrintError("记录册按展厅生成：请指定展厅")
    title, exhibition_id, items = printing.select(db, selection)
    if not items:
        raise PrintError("所选范围内没有已发布的人物")
    if fmt == "book":
        items = _with_albums(db, items)
    hall = exhibitions.get_public(db, exhibition_id) if exhibition_id else None
    style = print_style(hall, config)
    people = posters.prepare(items, config["MEDIA_DIR"], base, fmt=fmt)
    font = fonts.load(config["FONT_PATH"])
    heading = title_font(config)
    posters.check_fonts(
        font,
        people,
        [title, style.organisation, style.site_name, (hall or {}).get("intro") or ""],
        heading,
    )
    if fmt.startswith("poster"):
        found = posters.warnings(people, fmt) + posters.fit_warnings(
            people, font, fmt, heading, title
        )
    elif fmt.startswith("labels"):
        found = labels.fit_warnings(people, font, fmt)
    else:
        found = []
    return Batch(title, exhibition_id, items, people, found, style, hall)


def produce(
    db: sqlite_utils.Database,
    config,
    fmt: str,
    selection: Selection,
    out: Path,
    *,
    bleed: bool = False,
    progress: Callable[[int, int], None] | None = None,
    batch: Batch | None = None,
    mode: str = "view",
) -> Printed:
    """Print a batch into ``out``: the run is registered first so every QR code
    carries its tag, and removed again if drawing fails."""
    batch = batch or plan(db, config, fmt, selection)
    base = printing.check_base_url(config["BASE_URL"])
    run = printing.record_run(
        db, fmt, selection, batch.title, batch.exhibition_id, base, batch.items, mode=mode
    )
    try:
        people = posters.prepare(batch.items, config["MEDIA_DIR"], base, run["tag"], fmt)
        font = fonts.load(config["FONT_PATH"])
        heading = title_font(config)
        style = batch.style or print_style(batch.exhibition, config)
        if fmt.startswith("poster"):
            data = posters.posters(
                people,
                font,
                fmt,
                batch.title,
                bleed=bleed,
                progress=progress,
                style=style,
                title_font=heading,
            )
        elif fmt.startswith("labels"):
            data = labels.labels(
                people, font, progress=progress, stock=fmt, style=style, title_font=heading
            )
        else:
            sections: list[tuple[str, list[posters.Honoree]]] = []
            for item, person in zip(batch.items, people, strict=True):
                section = item.get("section_title") or ""
                if not sections or sections[-1][0] != section:
                    sections.append((section, []))
                sections[-1][1].append(person)
            data = book.record_book(
                batch.title,
                sections,
                font,
                style.organisation,
                progress=progress,
                style=style,
                title_font=heading,
                intro=(batch.exhibition or {}).get("intro") or "",
            )
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, out)
    except BaseException:
        with write(db):
            db.execute("DELETE FROM print_runs WHERE id = ?", [run["id"]])
        raise
    pages = data.count(b"/Type /Page\n")
    return Printed(out, run, pages, batch.warnings)
