"""Exhibition halls (展厅): curated, ordered sets of honorees in sections."""

from __future__ import annotations

import sqlite_utils

from archive.catalogue import honorees
from archive.catalogue.honorees import PUBLIC
from archive.db import bump_generation
from archive.timeutil import now


def create(
    db: sqlite_utils.Database,
    title: str,
    intro: str,
    sections: list[tuple[str, str, list[int]]],
    *,
    status: str = "draft",
    position: int = 0,
) -> int:
    """An exhibition with its sections, each (title, intro, honoree ids in order).
    Call inside :func:`archive.db.write`."""
    stamp = now()
    exhibition_id = db.execute(
        """INSERT INTO exhibitions (title, intro, status, position, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [title, intro, status, position, stamp, stamp],
    ).lastrowid
    for section_position, (section_title, section_intro, ids) in enumerate(sections):
        section_id = db.execute(
            """INSERT INTO exhibition_sections (exhibition_id, title, intro, position)
               VALUES (?, ?, ?, ?)""",
            [exhibition_id, section_title, section_intro, section_position],
        ).lastrowid
        for item_position, honoree_id in enumerate(ids):
            db.execute(
                """INSERT INTO exhibition_items (section_id, honoree_id, position)
                   VALUES (?, ?, ?)""",
                [section_id, honoree_id, item_position],
            )
    bump_generation(db)
    return exhibition_id


def list_public(db: sqlite_utils.Database) -> list[dict]:
    """Published exhibitions with how many public honorees each shows."""
    return [
        dict(r)
        for r in db.execute(
            f"""SELECT e.id, e.title, e.intro, e.cover_photo_id,
                   (SELECT count(DISTINCT i.honoree_id) FROM exhibition_sections s
                    JOIN exhibition_items i ON i.section_id = s.id
                    JOIN honorees h ON h.id = i.honoree_id
                    WHERE s.exhibition_id = e.id AND {PUBLIC}) AS honoree_count,
                   (SELECT count(*) FROM exhibition_sections s
                    WHERE s.exhibition_id = e.id) AS section_count
            FROM exhibitions e WHERE e.status = 'published' ORDER BY e.position, e.id"""
        )
    ]


def get_public(db: sqlite_utils.Database, exhibition_id: int) -> dict | None:
    row = db.execute(
        "SELECT * FROM exhibitions WHERE id = ? AND status = 'published'", [exhibition_id]
    ).fetchone()
    return dict(row) if row else None


def sequence(db: sqlite_utils.Database, exhibition_id: int) -> list[dict]:
    """The public honorees of an exhibition in visiting order, with their section."""
    return [
        dict(r)
        for r in db.execute(
            f"""SELECT h.*, s.id AS section_id, s.title AS section_title
            FROM exhibition_sections s JOIN exhibition_items i ON i.section_id = s.id
            JOIN honorees h ON h.id = i.honoree_id
            WHERE s.exhibition_id = ? AND {PUBLIC}
            ORDER BY s.position, s.id, i.position""",
            [exhibition_id],
        )
    ]


def sections(db: sqlite_utils.Database, exhibition_id: int) -> list[dict]:
    """Sections with their honorees as cards."""
    rows = sequence(db, exhibition_id)
    cards = {c["id"]: c for c in honorees.cards(db, rows)}
    found: dict[int, dict] = {}
    for section in db.execute(
        "SELECT * FROM exhibition_sections WHERE exhibition_id = ? ORDER BY position, id",
        [exhibition_id],
    ):
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


# --- the back office -------------------------------------------------------------


def _snapshot(db: sqlite_utils.Database, exhibition_id: int) -> dict:
    record = dict(db.execute("SELECT * FROM exhibitions WHERE id = ?", [exhibition_id]).fetchone())
    record["sections"] = []
    for section in db.execute(
        "SELECT * FROM exhibition_sections WHERE exhibition_id = ? ORDER BY position, id",
        [exhibition_id],
    ):
        items = [
            r[0]
            for r in db.execute(
                "SELECT honoree_id FROM exhibition_items WHERE section_id = ? ORDER BY position",
                [section["id"]],
            )
        ]
        record["sections"].append({**dict(section), "items": items})
    hall = db.execute(
        "SELECT id, entrance_key FROM halls WHERE exhibition_id = ?", [exhibition_id]
    ).fetchone()
    if hall is not None:  # what curators placed in the hall (generated spots are derived)
        record["hall"] = {
            "entrance": hall[1],
            "scenes": [
                {
                    **dict(s),
                    "hotspots": [
                        dict(p)
                        for p in db.execute(
                            "SELECT kind, yaw, pitch, honoree_id, target_key, title, text, audio "
                            "FROM hall_hotspots WHERE scene_id = ? AND generated = 0 ORDER BY position, id",
                            [s["id"]],
                        )
                    ],
                }
                for s in db.execute(
                    "SELECT id, key, title, source, yaw, pitch FROM hall_scenes "
                    "WHERE hall_id = ? ORDER BY position, id",
                    [hall[0]],
                )
            ],
        }
    return record


def _changed(
    db: sqlite_utils.Database,
    exhibition_id: int,
    action: str,
    user: dict,
    honoree_ids: list[int] = (),
) -> None:
    """Version, revision and, for every honoree whose profile lists this hall, the
    index outbox."""
    import json

    db.execute(
        "UPDATE exhibitions SET version = version + 1, updated_at = ? WHERE id = ?",
        [now(), exhibition_id],
    )
    db.execute(
        """INSERT INTO revisions (record_type, record_id, user_id, action, snapshot, created_at)
           VALUES ('exhibition', ?, ?, ?, ?, ?)""",
        [
            exhibition_id,
            user["id"] if user else None,
            action,
            json.dumps(_snapshot(db, exhibition_id), ensure_ascii=False),
            now(),
        ],
    )
    for honoree_id in honoree_ids:
        honorees.note_change(db, honoree_id)
    bump_generation(db)  # the hall's own pages change even when no profile does


def _members(db: sqlite_utils.Database, exhibition_id: int) -> list[int]:
    return [
        r[0]
        for r in db.execute(
            """SELECT DISTINCT i.honoree_id FROM exhibition_items i JOIN exhibition_sections s
           ON s.id = i.section_id WHERE s.exhibition_id = ?""",
            [exhibition_id],
        )
    ]


def all_for_curators(db: sqlite_utils.Database) -> list[dict]:
    return [
        dict(r)
        for r in db.execute(
            """SELECT e.*, (SELECT count(*) FROM exhibition_sections s
                        WHERE s.exhibition_id = e.id) AS section_count
           FROM exhibitions e ORDER BY e.position, e.id"""
        )
    ]


def for_editing(db: sqlite_utils.Database, exhibition_id: int) -> dict | None:
    row = db.execute("SELECT * FROM exhibitions WHERE id = ?", [exhibition_id]).fetchone()
    if row is None:
        return None
    hall = dict(row)
    hall["sections"] = []
    for section in db.execute(
        "SELECT * FROM exhibition_sections WHERE exhibition_id = ? ORDER BY position, id",
        [exhibition_id],
    ):
        items = [
            dict(r)
            for r in db.execute(
                """SELECT h.id, h.name, h.status, h.deleted_at FROM exhibition_items i
               JOIN honorees h ON h.id = i.honoree_id WHERE i.section_id = ?
               ORDER BY i.position""",
                [section["id"]],
            )
        ]
        hall["sections"].append({**dict(section), "items": items})
    return hall


class ExhibitionError(ValueError):
    """A change to a hall that cannot be made; the message is for curators."""


def save(db: sqlite_utils.Database, exhibition_id: int | None, form: dict, user: dict) -> int:
    from archive.db import write

    title = (form.get("title") or "").strip()
    if not title:
        raise ExhibitionError("展厅名称不能为空")
    intro = (form.get("intro") or "").strip()[:20_000]
    status = form.get("status") or "draft"
    if status not in ("draft", "review", "published", "withdrawn"):
        raise ExhibitionError("状态不正确")
    with write(db):
        if exhibition_id is None:
            exhibition_id = create(db, title, intro, [], status=status)
            _changed(db, exhibition_id, "create", user)
            return exhibition_id
        if not db.execute(
            "UPDATE exhibitions SET title = ?, intro = ?, status = ? WHERE id = ?",
            [title, intro, status, exhibition_id],
        ).rowcount:
            raise ExhibitionError("没有这个展厅")
        _changed(db, exhibition_id, "edit", user, _members(db, exhibition_id))
    return exhibition_id


def _reorder(
    db: sqlite_utils.Database,
    table: str,
    key: str,
    parent: int,
    row_column: str,
    row_id: int,
    step: int,
) -> None:
    ids = [
        r[0]
        for r in db.execute(
            f"SELECT {row_column} FROM {table} WHERE {key} = ? ORDER BY position, rowid", [parent]
        )
    ]
    if row_id not in ids:
        raise ExhibitionError("没有这一项")
    index = ids.index(row_id)
    ids.insert(max(0, min(len(ids) - 1, index + step)), ids.pop(index))
    for position, rid in enumerate(ids):
        db.execute(
            f"UPDATE {table} SET position = ? WHERE {key} = ? AND {row_column} = ?",
            [position, parent, rid],
        )


def _section(db: sqlite_utils.Database, exhibition_id: int, section_id: int) -> None:
    if not db.execute(
        "SELECT 1 FROM exhibition_sections WHERE id = ? AND exhibition_id = ?",
        [section_id, exhibition_id],
    ).fetchone():
        raise ExhibitionError("没有这个单元")


def change_section(
    db: sqlite_utils.Database,
    exhibition_id: int,
    action: str,
    form: dict,
    user: dict,
    section_id: int | None = None,
) -> None:
    """add | rename | up | down | delete a section; add_item | item_up | item_down |
    remove_item an honoree in it."""
    from archive.db import write

    with write(db):
        if not db.execute("SELECT 1 FROM exhibitions WHERE id = ?", [exhibition_id]).fetchone():
            raise ExhibitionError("没有这个展厅")
        touched = _members(db, exhibition_id)
        if action == "add":
            _add_section(db, exhibition_id, form)
        else:
            _section(db, exhibition_id, section_id)
            touched += _change_in_section(db, exhibition_id, section_id, action, form, user)
        _changed(db, exhibition_id, f"section_{action}", user, sorted(set(touched)))


_SECTION_ACTIONS = ("rename", "up", "down", "delete")
_ITEM_ACTIONS = ("add_item", "item_up", "item_down", "remove_item")


def _section_title(form: dict) -> str:
    title = (form.get("title") or "").strip()
    if not title:
        raise ExhibitionError("单元名称不能为空")
    return title


def _add_section(db: sqlite_utils.Database, exhibition_id: int, form: dict) -> None:
    title = _section_title(form)
    position = db.execute(
        "SELECT coalesce(max(position) + 1, 0) FROM exhibition_sections WHERE exhibition_id = ?",
        [exhibition_id],
    ).fetchone()[0]
    db.execute(
        "INSERT INTO exhibition_sections (exhibition_id, title, intro, position) "
        "VALUES (?, ?, ?, ?)",
        [exhibition_id, title, (form.get("intro") or "").strip(), position],
    )


def _change_in_section(
    db: sqlite_utils.Database,
    exhibition_id: int,
    section_id: int,
    action: str,
    form: dict,
    user: dict,
) -> list[int]:
    """An action on an existing section or on an honoree in it; returns the honoree
    ids it adds to the exhibition."""
    if action in _SECTION_ACTIONS:
        _change_own_section(db, exhibition_id, section_id, action, form)
        return []
    if action in _ITEM_ACTIONS:
        return _change_item(db, section_id, action, _form_honoree_id(form), user)
    raise ExhibitionError("不支持的操作")


def _form_honoree_id(form: dict) -> int:
    """The form's honoree id, or 0 (no such honoree) when it is not a plain number."""
    raw = str(form.get("honoree_id") or "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else 0


def _change_own_section(
    db: sqlite_utils.Database, exhibition_id: int, section_id: int, action: str, form: dict
) -> None:
    if action == "rename":
        title = _section_title(form)
        db.execute(
            "UPDATE exhibition_sections SET title = ?, intro = ? WHERE id = ?",
            [title, (form.get("intro") or "").strip(), section_id],
        )
    elif action in ("up", "down"):
        _reorder(
            db,
            "exhibition_sections",
            "exhibition_id",
            exhibition_id,
            "id",
            section_id,
            -1 if action == "up" else 1,
        )
    else:  # delete
        db.execute("DELETE FROM exhibition_sections WHERE id = ?", [section_id])


def _change_item(
    db: sqlite_utils.Database, section_id: int, action: str, honoree_id: int, user: dict
) -> list[int]:
    if action == "add_item":
        _add_item(db, section_id, honoree_id, user)
        return [honoree_id]
    if action in ("item_up", "item_down"):
        _reorder(
            db,
            "exhibition_items",
            "section_id",
            section_id,
            "honoree_id",
            honoree_id,
            -1 if action == "item_up" else 1,
        )
    else:  # remove_item
        db.execute(
            "DELETE FROM exhibition_items WHERE section_id = ? AND honoree_id = ?",
            [section_id, honoree_id],
        )
        honorees.record_revision(db, honoree_id, "exhibition", user["id"])
    return []


def _add_item(db: sqlite_utils.Database, section_id: int, honoree_id: int, user: dict) -> None:
    if not db.execute(
        "SELECT 1 FROM honorees WHERE id = ? AND deleted_at IS NULL", [honoree_id]
    ).fetchone():
        raise ExhibitionError("没有这个编号的人物或集体")
    position = db.execute(
        "SELECT coalesce(max(position) + 1, 0) FROM exhibition_items WHERE section_id = ?",
        [section_id],
    ).fetchone()[0]
    db.execute(
        "INSERT OR IGNORE INTO exhibition_items (section_id, honoree_id, "
        "position) VALUES (?, ?, ?)",
        [section_id, honoree_id, position],
    )
    honorees.record_revision(db, honoree_id, "exhibition", user["id"])


# --- the exhibition as a place: chapters shown a page at a time ------------------------


def chapters(db: sqlite_utils.Database, exhibition_id: int, first: int) -> list[dict]:
    """Sections as chapters: each with how many public honorees it shows and the
    first ``first`` of them as cards (the rest are loaded a page at a time)."""
    found = []
    for section in db.execute(
        "SELECT * FROM exhibition_sections WHERE exhibition_id = ? ORDER BY position, id",
        [exhibition_id],
    ):
        count = db.execute(
            f"""SELECT count(*) FROM exhibition_items i JOIN honorees h ON h.id = i.honoree_id
                WHERE i.section_id = ? AND {PUBLIC}""",
            [section["id"]],
        ).fetchone()[0]
        found.append(
            {**dict(section), "count": count, "items": chapter_cards(db, section["id"], 0, first)}
        )
    return found


def chapter_cards(
    db: sqlite_utils.Database, section_id: int, offset: int, limit: int
) -> list[dict]:
    rows = [
        dict(r)
        for r in db.execute(
            f"""SELECT h.* FROM exhibition_items i JOIN honorees h ON h.id = i.honoree_id
            WHERE i.section_id = ? AND {PUBLIC} ORDER BY i.position LIMIT ? OFFSET ?""",
            [section_id, limit, offset],
        )
    ]
    return honorees.cards(db, rows)


def public_section(db: sqlite_utils.Database, exhibition_id: int, section_id: int) -> dict | None:
    row = db.execute(
        """SELECT s.* FROM exhibition_sections s JOIN exhibitions e ON e.id = s.exhibition_id
           WHERE s.id = ? AND e.id = ? AND e.status = 'published'""",
        [section_id, exhibition_id],
    ).fetchone()
    if row is None:
        return None
    section = dict(row)
    section["count"] = db.execute(
        f"""SELECT count(*) FROM exhibition_items i JOIN honorees h ON h.id = i.honoree_id
            WHERE i.section_id = ? AND {PUBLIC}""",
        [section_id],
    ).fetchone()[0]
    return section
