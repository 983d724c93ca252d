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

from . import fonts, posters, printing
from .db import write
from .printing import PrintError, Selection


@dataclass
class Batch:
    title: str
    exhibition_id: int | None
    items: list[dict]
    people: list[posters.Honoree]
    warnings: list[str]


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


def enqueue(db: sqlite_utils.Database, fmt: str, selection: Selection,
            bleed: bool = False, mode: str = "view") -> int:
    """Queue a print batch for the background worker; returns the job id."""
    from . import jobs

    name = f"print-{secrets.token_hex(8)}.pdf"
    return jobs.enqueue(db, "print", {"format": fmt, "selection": selection.to_json(),
                                      "bleed": bleed, "output": name, "mode": mode})


def plan(db: sqlite_utils.Database, config, fmt: str, selection: Selection) -> Batch:
    """What would be printed, with warnings, after every check that can fail
    (public address, selection, font coverage): nothing is written."""
    if fmt not in printing.FORMATS:
        raise PrintError(f"未知的打印格式：{fmt}（可选：{'、'.join(printing.FORMATS)}）")
    base = printing.check_base_url(config["BASE_URL"])
    if fmt == "book" and not selection.exhibition_id:
        raise PrintError("记录册按展厅生成：请指定展厅")
    title, exhibition_id, items = printing.select(db, selection)
    if not items:
        raise PrintError("所选范围内没有已发布的人物")
    people = posters.prepare(items, config["MEDIA_DIR"], base, fmt=fmt)
    font = fonts.load(config["FONT_PATH"])
    posters.check_fonts(font, people, [title, config.get("ORGANISATION") or "",
                                       "（全文请扫描右上角二维码阅读）"])
    found = posters.warnings(people, fmt) if fmt.startswith("poster") else []
    return Batch(title, exhibition_id, items, people, found)


def produce(db: sqlite_utils.Database, config, fmt: str, selection: Selection, out: Path,
            *, bleed: bool = False, progress: Callable[[int, int], None] | None = None,
            batch: Batch | None = None, mode: str = "view") -> Printed:
    """Print a batch into ``out``: the run is registered first so every QR code
    carries its tag, and removed again if drawing fails."""
    batch = batch or plan(db, config, fmt, selection)
    base = printing.check_base_url(config["BASE_URL"])
    run = printing.record_run(db, fmt, selection, batch.title, batch.exhibition_id, base,
                              batch.items, mode=mode)
    try:
        people = posters.prepare(batch.items, config["MEDIA_DIR"], base, run["tag"], fmt)
        font = fonts.load(config["FONT_PATH"])
        if fmt.startswith("poster"):
            data = posters.posters(people, font, fmt, batch.title, bleed=bleed,
                                   progress=progress)
        elif fmt == "labels":
            data = posters.labels(people, font, progress=progress)
        else:
            sections: list[tuple[str, list[posters.Honoree]]] = []
            for item, person in zip(batch.items, people, strict=True):
                section = item.get("section_title") or ""
                if not sections or sections[-1][0] != section:
                    sections.append((section, []))
                sections[-1][1].append(person)
            data = posters.record_book(batch.title, sections, font,
                                       config.get("ORGANISATION") or "", progress=progress)
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
