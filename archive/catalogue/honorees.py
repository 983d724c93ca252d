"""Honorees and their honours: creating records and reading public profiles."""

from __future__ import annotations

import json
import random
from typing import Any

import sqlite_utils

from archive.catalogue import codes, media, names
from archive.db import bump_generation
from archive.timeutil import now

PUBLIC = "h.status = 'published' AND h.deleted_at IS NULL"

FIELDS = (
    "kind",
    "collective_type",
    "name",
    "gender",
    "ethnicity",
    "birth_year",
    "birth_month",
    "province",
    "city",
    "county",
    "region_code",
    "unit",
    "position",
    "unit_raw",
    "nominator",
    "industry",
    "summary",
    "story",
    "quote",
    "note",
    "status",
    "featured",
    "name_en",
    "summary_en",
    "story_en",
)
HONOUR_FIELDS = (
    "title",
    "title_written",
    "level",
    "year",
    "body",
    "document_no",
    "citation",
    "revoked",
)


def english_name(record: dict) -> str | None:
    """A record's name in English: the curator's, else a person's name from the
    archive's pinyin in GB/T 28039 form; None for a collective without one."""
    return (
        (record.get("name_en") or "").strip()
        or names.english(record["name"], record["kind"])
        or None
    )


class RecordError(ValueError):
    """A record that cannot be stored as given; the message is for curators."""


def name_columns(name: str, kind: str) -> dict[str, str]:
    """The derived pinyin columns of a name."""
    reading = names.readings(name, personal=(kind == "individual"))
    return {
        "name_pinyin": reading.full,
        "name_initials": reading.initials,
        "name_readings": " ".join(sorted(set(reading.all_full + reading.all_initials))),
        "sort_key": reading.sort_key,
    }


def create(
    db: sqlite_utils.Database,
    record: dict[str, Any],
    honours: list[dict[str, Any]] = (),
    *,
    user_id: int | None = None,
    rng: random.Random | None = None,
    readings: dict[str, str] | None = None,
) -> int:
    """Insert an honoree with its honours and first revision. Call inside
    :func:`archive.db.write`. ``readings``: the name's :func:`name_columns`, when the
    caller worked them out before the transaction (the importer does: pinyin is slow)."""
    row = {field: record.get(field) for field in FIELDS}
    if not (row["name"] or "").strip():
        raise RecordError("姓名或集体名称不能为空")
    if row["kind"] not in ("individual", "collective"):
        raise RecordError("类别必须是个人或集体")
    row["name"] = row["name"].strip()
    row["status"] = row["status"] or "draft"
    row["featured"] = int(bool(row["featured"]))
    row["story"] = row["story"] or ""
    row.update(readings or name_columns(row["name"], row["kind"]))
    stamp = now()
    row.update(
        code=codes.new_code(db, rng),
        created_at=stamp,
        updated_at=stamp,
        published_at=stamp if row["status"] == "published" else None,
    )
    columns = ", ".join(row)
    honoree_id = db.execute(
        f"INSERT INTO honorees ({columns}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    ).lastrowid
    codes.register(db, row["code"], honoree_id, stamp)
    for position, honour in enumerate(honours):
        add_honour(db, honoree_id, honour, position=position)
    refresh_latest_year(db, honoree_id)
    record_revision(db, honoree_id, "create", user_id)
    note_change(db, honoree_id)
    return honoree_id


def note_change(db: sqlite_utils.Database, honoree_id: int) -> None:
    """Tell the indexer this honoree changed: an outbox row in the caller's write
    transaction, so the index update is never lost and never ahead of the data.
    Call after every change to an honoree or anything shown with it."""
    db.execute(
        "INSERT INTO index_outbox (honoree_id, created_at) VALUES (?, ?)", [honoree_id, now()]
    )
    bump_generation(db)


def add_honour(db: sqlite_utils.Database, honoree_id: int, honour: dict, position: int = 0) -> int:
    title = db.execute(
        "SELECT level FROM honour_titles WHERE title = ?", [honour.get("title")]
    ).fetchone()
    if title is None:
        raise RecordError(f"荣誉称号“{honour.get('title')}”不在称号表中")
    values = {field: honour.get(field) for field in HONOUR_FIELDS}
    values["level"] = values["level"] or title["level"]
    values["revoked"] = int(bool(values["revoked"]))
    return db.execute(
        f"""INSERT INTO honours (honoree_id, position, {", ".join(values)})
            VALUES (?, ?, {", ".join("?" * len(values))})""",
        [honoree_id, position, *values.values()],
    ).lastrowid


def refresh_latest_year(db: sqlite_utils.Database, honoree_id: int) -> None:
    db.execute(
        """UPDATE honorees SET latest_year = (SELECT max(year) FROM honours
               WHERE honoree_id = ? AND revoked = 0) WHERE id = ?""",
        [honoree_id, honoree_id],
    )


def add_member(
    db: sqlite_utils.Database, collective_id: int, member_id: int, position: int
) -> None:
    db.execute(
        "INSERT OR IGNORE INTO members (collective_id, member_id, position) VALUES (?, ?, ?)",
        [collective_id, member_id, position],
    )


def snapshot(db: sqlite_utils.Database, honoree_id: int) -> dict:
    """The whole record as one JSON-able dict: what a revision stores."""
    row = db.execute("SELECT * FROM honorees WHERE id = ?", [honoree_id]).fetchone()
    record = dict(row)
    record["honours"] = [
        dict(r)
        for r in db.execute(
            "SELECT * FROM honours WHERE honoree_id = ? ORDER BY position, id", [honoree_id]
        )
    ]
    record["photos"] = [
        dict(r)
        for r in db.execute(
            "SELECT * FROM photos WHERE honoree_id = ? ORDER BY position, id", [honoree_id]
        )
    ]
    files = media.files_of(db, [p["id"] for p in record["photos"]])
    for photo in record["photos"]:
        photo["files"] = files.get(photo["id"], [])
    record["videos"] = [
        dict(r)
        for r in db.execute(
            "SELECT * FROM videos WHERE honoree_id = ? AND held = 0 ORDER BY position, id",
            [honoree_id],
        )
    ]
    record["members"] = [
        r[0]
        for r in db.execute(
            "SELECT member_id FROM members WHERE collective_id = ? ORDER BY position", [honoree_id]
        )
    ]
    record["places"] = [
        dict(r)
        for r in db.execute(
            """SELECT i.section_id, i.position, s.exhibition_id FROM exhibition_items i
           JOIN exhibition_sections s ON s.id = i.section_id
           WHERE i.honoree_id = ? ORDER BY s.exhibition_id, i.section_id""",
            [honoree_id],
        )
    ]
    return record


def record_revision(
    db: sqlite_utils.Database, honoree_id: int, action: str, user_id: int | None
) -> None:
    db.execute(
        """INSERT INTO revisions (record_type, record_id, user_id, action, snapshot, created_at)
           VALUES ('honoree', ?, ?, ?, ?, ?)""",
        [
            honoree_id,
            user_id,
            action,
            json.dumps(snapshot(db, honoree_id), ensure_ascii=False, sort_keys=True),
            now(),
        ],
    )


# --- reading public records ------------------------------------------------------


def merged_target(db: sqlite_utils.Database, honoree_id: int) -> int | None:
    """Where a record merged into another now lives (its public id), or None."""
    row = db.execute("SELECT merged_into FROM honorees WHERE id = ?", [honoree_id]).fetchone()
    return row[0] if row and row[0] else None


def get_public(db: sqlite_utils.Database, honoree_id: int) -> dict | None:
    """A published honoree's row, or None (drafts, withdrawn and missing alike)."""
    row = db.execute(
        f"SELECT * FROM honorees h WHERE h.id = ? AND {PUBLIC}", [honoree_id]
    ).fetchone()
    return dict(row) if row else None


def honours_of(db: sqlite_utils.Database, honoree_ids: list[int]) -> dict[int, list[dict]]:
    """Non-revoked honours per honoree, oldest first."""
    if not honoree_ids:
        return {}
    marks = ",".join("?" * len(honoree_ids))
    grouped: dict[int, list[dict]] = {i: [] for i in honoree_ids}
    for row in db.execute(
        f"""SELECT * FROM honours WHERE honoree_id IN ({marks}) AND revoked = 0
            ORDER BY year, position, id""",
        honoree_ids,
    ):
        grouped[row["honoree_id"]].append(dict(row))
    return grouped


def portraits_of(db: sqlite_utils.Database, honoree_ids: list[int]) -> dict[int, dict]:
    """Each honoree's portrait (or first photo) with its variants."""
    if not honoree_ids:
        return {}
    marks = ",".join("?" * len(honoree_ids))
    rows = db.execute(
        f"""SELECT * FROM photos WHERE honoree_id IN ({marks})
            ORDER BY honoree_id, is_portrait DESC, position, id""",
        honoree_ids,
    ).fetchall()
    chosen: dict[int, dict] = {}
    for row in rows:
        chosen.setdefault(row["honoree_id"], dict(row))
    files = media.variants_by_photo(db, [p["id"] for p in chosen.values()])
    for photo in chosen.values():
        photo["files"] = files.get(photo["id"], {"webp": [], "jpeg": []})
    return chosen


def naming(db: sqlite_utils.Database, honoree_ids: list[int]) -> dict[int, dict]:
    """Each honoree's kind, curator's English name and honours: what an English page
    needs to name a search result and its honour (the index keeps only the Chinese)."""
    if not honoree_ids:
        return {}
    marks = ",".join("?" * len(honoree_ids))
    honours = honours_of(db, honoree_ids)
    return {
        row["id"]: {
            "kind": row["kind"],
            "name_en": row["name_en"],
            "honours": honours.get(row["id"], []),
        }
        for row in db.execute(
            f"SELECT id, kind, name_en FROM honorees WHERE id IN ({marks})", honoree_ids
        )
    }


def cards(db: sqlite_utils.Database, rows: list[dict]) -> list[dict]:
    """Rows ready for a list of cards: each with its honours, the top honour its
    card shows, and its portrait."""
    ids = [r["id"] for r in rows]
    portraits = portraits_of(db, ids)
    honours = honours_of(db, ids)
    return [
        {
            **r,
            "honours": honours.get(r["id"], []),
            "top_honour": top_honour(honours.get(r["id"], [])),
            "portrait": portraits.get(r["id"]),
        }
        for r in rows
    ]


def top_honour(honours: list[dict]) -> str:
    """The honour a card or profile shows: the latest (of that year, the first
    listed). The search index keeps it for its results pages."""
    best = latest_honour(honours)
    return f"{best['year']}年{best['title']}" if best else ""


def latest_honour(honours: list[dict]) -> dict | None:
    """The latest honour (of that year, the first listed), or None."""
    return max(honours, key=lambda o: o["year"], default=None)


def profile(db: sqlite_utils.Database, honoree_id: int) -> dict | None:
    """Everything the public profile shows, or None if not public."""
    record = get_public(db, honoree_id)
    if record is None:
        return None
    record["honours"] = honours_of(db, [honoree_id])[honoree_id]
    record["top_honour"] = top_honour(record["honours"])
    photos = [
        dict(r)
        for r in db.execute(
            """SELECT * FROM photos WHERE honoree_id = ? AND id NOT IN
               (SELECT poster_photo_id FROM videos WHERE poster_photo_id IS NOT NULL)
           ORDER BY is_portrait DESC, position, id""",
            [honoree_id],
        )
    ]
    files = media.variants_by_photo(db, [p["id"] for p in photos])
    for photo in photos:
        photo["files"] = files.get(photo["id"], {"webp": [], "jpeg": []})
    record["portrait"] = photos[0] if photos else None
    record["gallery"] = photos[1:]
    record["videos"] = [
        dict(r)
        for r in db.execute(
            "SELECT * FROM videos WHERE honoree_id = ? AND held = 0 ORDER BY position, id",
            [honoree_id],
        )
    ]
    posters = media.variants_by_photo(
        db, [v["poster_photo_id"] for v in record["videos"] if v["poster_photo_id"]]
    )
    for video in record["videos"]:
        files = posters.get(video["poster_photo_id"], {}).get("jpeg")
        video["poster"] = f"/media/{files[-1]['name']}" if files else None
    record["exhibitions"] = [
        dict(r)
        for r in db.execute(
            """SELECT DISTINCT e.id, e.title FROM exhibitions e
           JOIN exhibition_sections s ON s.exhibition_id = e.id
           JOIN exhibition_items i ON i.section_id = s.id
           WHERE i.honoree_id = ? AND e.status = 'published' ORDER BY e.position, e.id""",
            [honoree_id],
        )
    ]
    # CROSS JOIN keeps members outside (by its index on the id asked for): the planner
    # otherwise walks every published honoree by (status, sort_key) at 10,000
    record["members"] = cards(
        db,
        [
            dict(r)
            for r in db.execute(
                f"""SELECT h.* FROM members m CROSS JOIN honorees h ON h.id = m.member_id
            WHERE m.collective_id = ? AND {PUBLIC} ORDER BY m.position""",
                [honoree_id],
            )
        ],
    )
    record["member_of"] = [
        dict(r)
        for r in db.execute(
            f"""SELECT h.id, h.name, h.kind, h.name_en FROM members m
            CROSS JOIN honorees h ON h.id = m.collective_id
            WHERE m.member_id = ? AND {PUBLIC} ORDER BY h.sort_key""",
            [honoree_id],
        )
    ]
    # others of the same unit, but not the collective's members again (listed above);
    # by the unit's index: the planner's pick, the (status, sort_key) one, reads every
    # published row to find six (0.24 s a profile at 10,000)
    record["same_unit"] = cards(
        db,
        [
            dict(r)
            for r in db.execute(
                f"""SELECT h.* FROM honorees h INDEXED BY honorees_unit
            WHERE h.unit = ? AND h.id != ? AND {PUBLIC}
              AND h.id NOT IN (SELECT member_id FROM members WHERE collective_id = ?)
            ORDER BY h.sort_key LIMIT 6""",
                [record["unit"] or "", honoree_id, honoree_id],
            )
        ],
    )
    return record


def featured(db: sqlite_utils.Database, limit: int = 8) -> list[dict]:
    rows = [
        dict(r)
        for r in db.execute(
            f"SELECT h.* FROM honorees h WHERE h.featured = 1 AND {PUBLIC} ORDER BY h.sort_key LIMIT ?",
            [limit],
        )
    ]
    return cards(db, rows)


def totals(db: sqlite_utils.Database) -> dict:
    """Published honorees by kind, and by the highest level of their honours."""
    by_kind = {
        r[0]: r[1]
        for r in db.execute(f"SELECT kind, count(*) FROM honorees h WHERE {PUBLIC} GROUP BY kind")
    }
    by_level = {
        r[0]: r[1]
        for r in db.execute(
            f"""SELECT o.level, count(DISTINCT o.honoree_id) FROM honours o
            JOIN honorees h ON h.id = o.honoree_id WHERE {PUBLIC} AND o.revoked = 0
            GROUP BY o.level"""
        )
    }
    return {"kind": by_kind, "level": by_level, "all": sum(by_kind.values())}


def public_ids(db: sqlite_utils.Database) -> list[tuple[int, str]]:
    return [
        (r[0], r[1])
        for r in db.execute(
            f"SELECT h.id, h.updated_at FROM honorees h WHERE {PUBLIC} ORDER BY h.id"
        )
    ]
