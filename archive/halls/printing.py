"""Printing a hall's poster as a print run (so scans of it are counted apart)."""

from __future__ import annotations

import sqlite_utils

from archive.printing import fonts
from archive.printing import runs as printing
from archive.printing.runs import PrintError, Selection

from . import store
from .poster import hall_poster


def poster(db: sqlite_utils.Database, config, exhibition_id: int, fmt: str) -> tuple[bytes, dict]:
    """(PDF bytes, print run) of the hall poster of a published exhibition."""
    base = printing.check_base_url(config["BASE_URL"])
    hall = store.public_hall(db, exhibition_id)
    if hall is None:
        raise PrintError(f"展厅 {exhibition_id} 没有已发布的网上展馆")
    run = printing.record_run(
        db,
        fmt,
        Selection(exhibition_id=exhibition_id),
        f"{hall['title']} · 网上展馆海报",
        exhibition_id,
        base,
        [],
    )
    url = printing.short_url(base, hall["code"], run["tag"])
    address = printing.display_address(base, hall["code"])
    entrance = next((s for s in hall["scenes"] if s["key"] == hall["entrance_key"]), None)
    picture = (
        store.media_root(config["MEDIA_DIR"]) / entrance["tiles"] / "panorama.jpg"
        if entrance
        else None
    )
    try:
        font = fonts.load(config["FONT_PATH"])
    except fonts.FontError as exc:
        raise PrintError(str(exc)) from None
    return hall_poster(
        hall["title"],
        config.get("ORGANISATION") or "",
        url,
        address,
        store.theme_of(db, exhibition_id),
        font,
        picture,
        fmt,
    ), run
