"""Exhibition halls (展厅): curated, ordered sets of honorees in sections."""

from __future__ import annotations

import sqlite_utils

from . import honorees
from .db import bump_generation
from .honorees import PUBLIC
from .timeutil import now


def create(db: sqlite_utils.Database, title: str, intro: str,
           sections: list[tuple[str, str, list[int]]], *, status: str = "draft",
           position: int = 0) -> int:
    """An exhibition with its sections, each (title, intro, honoree ids in order).
    Call inside :func:`archive.db.write`."""
    stamp = now()
    exhibition_id = db.execute(
        """INSERT INTO exhibitions (title, intro, status, position, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)""", [title, intro, status, position, stamp, stamp],
    ).lastrowid
    for section_position, (section_title, section_intro, ids) in enumerate(sections):
        section_id = db.execute(
            """INSERT INTO exhibition_sections (exhibition_id, title, intro, position)
               VALUES (?, ?, ?, ?)""",
            [exhibition_id, section_title, section_intro, section_position]).lastrowid
        for item_position, honoree_id in enumerate(ids):
            db.execute(
                """INSERT INTO exhibition_items (section_id, honoree_id, position)
                   VALUES (?, ?, ?)""", [section_id, honoree_id, item_position])
    bump_generation(db)
    return exhibition_id


def list_public(db: sqlite_utils.Database) -> list[dict]:
    """Published exhibitions with how many public honorees each shows."""
    return [dict(r) for r in db.execute(
        f"""SELECT e.id, e.title, e.intro, e.cover_photo_id,
                   (SELECT count(DISTINCT i.honoree_id) FROM exhibition_sections s
                    JOIN exhibition_items i ON i.section_id = s.id
                    JOIN honorees h ON h.id = i.honoree_id
                    WHERE s.exhibition_id = e.id AND {PUBLIC}) AS honoree_count,
                   (SELECT count(*) FROM exhibition_sections s
                    WHERE s.exhibition_id = e.id) AS section_count
            FROM exhibitions e WHERE e.status = 'published' ORDER BY e.position, e.id""")]


def get_public(db: sqlite_utils.Database, exhibition_id: int) -> dict | None:
    row = db.execute("SELECT * FROM exhibitions WHERE id = ? AND status = 'published'",
                     [exhibition_id]).fetchone()
    return dict(row) if row else None


def sequence(db: sqlite_utils.Database, exhibition_id: int) -> list[dict]:
    """The public honorees of an exhibition in visiting order, with their section."""
    return [dict(r) for r in db.execute(
        f"""SELECT h.*, s.id AS section_id, s.title AS section_title
            FROM exhibition_sections s JOIN exhibition_items i ON i.section_id = s.id
            JOIN honorees h ON h.id = i.honoree_id
            WHERE s.exhibition_id = ? AND {PUBLIC}
            ORDER BY s.position, s.id, i.position""", [exhibition_id])]


def sections(db: sqlite_utils.Database, exhibition_id: int) -> list[dict]:
    """Sections with their honorees as cards."""
    rows = sequence(db, exhibition_id)
    cards = {c["id"]: c for c in honorees.cards(db, rows)}
    found: dict[int, dict] = {}
    for section in db.execute(
            "SELECT * FROM exhibition_sections WHERE exhibition_id = ? ORDER BY position, id",
            [exhibition_id]):
        found[section["id"]] = {**dict(section), "items": []}
    for row in rows:
        found[row["section_id"]]["items"].append(cards[row["id"]])
    return list(found.values())


def place(db: sqlite_utils.Database, exhibition_id: int, honoree_id: int) -> dict | None:
    """Where an honoree stands in an exhibition: number, total, section,
    previous and next. None if the honoree is not shown there."""
    exhibition = get_public(db, exhibition_id)
    if exhibition is None:
        return None
    rows = sequence(db, exhibition_id)
    ids = [r["id"] for r in rows]
    if honoree_id not in ids:
        return None
    index = ids.index(honoree_id)
    return {
        "exhibition": exhibition,
        "number": index + 1,
        "total": len(rows),
        "section": rows[index]["section_title"],
        "previous": rows[index - 1] if index > 0 else None,
        "next": rows[index + 1] if index + 1 < len(rows) else None,
    }
