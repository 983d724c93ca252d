"""What the edition needs to know about the public records, read in a few bulk
queries: a fingerprint per honoree (anything its pages show), what its card and
facets are (so an incremental export knows which lists to redraw), and the words
and filters of the static search. No Flask here."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from pathlib import Path

import sqlite_utils
from pypinyin import Style, lazy_pinyin

from archive.catalogue import honorees
from archive.catalogue.honorees import PUBLIC

CHUNK = 5000


def _digest(value: object) -> str:
    """A fingerprint of rows and lists made of them (``repr``: their column order is
    the schema's, so the same data gives the same text; a migration that adds a
    column comes with new code, which redraws everything anyway)."""
    return hashlib.sha1(repr(value).encode()).hexdigest()


def _grouped(db: sqlite_utils.Database, sql: str, ids: list[int]) -> dict[int, list]:
    """Rows of ``sql`` (with ``{marks}`` for the ids; first column the honoree id)."""
    grouped: dict[int, list] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for row in db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk):
            grouped[row[0]].append(tuple(row))
    return grouped


def public(db: sqlite_utils.Database, known: dict[int, dict] | None = None) -> dict[int, dict]:
    """Every public honoree: ``fp`` (its own pages), ``card`` (what lists and other
    pages show of it), ``csv``, ``unit``, ``facets``, ``code`` and, where it is new
    or its fingerprint differs from ``known`` (the last run's, by id), ``search``
    (words, filters, meta: their pinyin is most of the work; the others' are kept
    in the manifest)."""
    known = known or {}
    rows = {r["id"]: dict(r) for r in db.execute(f"SELECT * FROM honorees h WHERE {PUBLIC}")}
    ids = sorted(rows)
    related = _related(db, ids)
    result = {}
    changed = []  # new or changed since ``known``: their search fields are made
    for i in ids:
        row = rows[i]
        honours, photos, videos, members, member_of, shown = (r.get(i) for r in related)
        kept = _honour_dicts(honours or [], db)
        live = [o for o in kept if not o["revoked"]]
        facets = _facets(row, live)
        top = honorees.top_honour(live)
        portrait = photos[0] if photos else None
        card = _digest(
            [
                row["name"],
                row["name_en"],
                row["kind"],
                row["unit"],
                row["city"],
                row["sort_key"],
                row["latest_year"],
                row["featured"],
                top,
                portrait,
                facets,
            ]
        )
        fp = _digest([row, kept, photos, videos, members, member_of, shown])
        result[i] = {
            "fp": fp,
            "card": card,
            # what the CSV of every record shows of it: all but its long texts and
            # bookkeeping (a story edit leaves the CSV as it was)
            "csv": _digest([{k: v for k, v in row.items() if k not in NOT_IN_CSV}, kept]),
            "unit": row["unit"] or "",
            "facets": facets,
            "code": row["code"],
            "top": top,
        }
        if known.get(i, {}).get("fp") != fp:
            changed.append(i)
    portraits = _portraits(db, changed)
    for i in changed:
        record = result[i]
        record["search"] = _search_fields(
            rows[i], record["top"], record["facets"], portraits.get(i)
        )
    return result


def _portraits(db: sqlite_utils.Database, ids: list[int]) -> dict[int, dict]:
    """The portrait each of these records' cards shows, with its files (the
    catalogue's choice), read in chunks."""
    found: dict[int, dict] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(honorees.portraits_of(db, ids[start : start + CHUNK]))
    return found


def _related(db: sqlite_utils.Database, ids: list[int]) -> list[dict[int, list]]:
    """Per honoree: its honours, photos (portrait first, with their files), videos,
    members, collectives and places in exhibitions."""
    return [
        _grouped(
            db,
            "SELECT honoree_id, * FROM honours WHERE honoree_id IN ({marks}) "
            "ORDER BY year, position, id",
            ids,
        ),
        _grouped(
            db,
            """SELECT p.honoree_id, p.*, group_concat(m.name) FROM photos p
               LEFT JOIN media_files m ON m.photo_id = p.id
               WHERE p.honoree_id IN ({marks}) GROUP BY p.id
               ORDER BY p.is_portrait DESC, p.position, p.id""",
            ids,
        ),
        _grouped(
            db, "SELECT honoree_id, * FROM videos WHERE held = 0 AND honoree_id IN ({marks})", ids
        ),
        _grouped(
            db,
            "SELECT collective_id, member_id, position FROM members "
            "WHERE collective_id IN ({marks})",
            ids,
        ),
        _grouped(
            db, "SELECT member_id, collective_id FROM members WHERE member_id IN ({marks})", ids
        ),
        _grouped(
            db,
            """SELECT i.honoree_id, s.exhibition_id, s.id, i.position
               FROM exhibition_items i JOIN exhibition_sections s
               ON s.id = i.section_id WHERE i.honoree_id IN ({marks})""",
            ids,
        ),
    ]


def _facets(row: dict, live: list[dict]) -> dict[str, list]:
    """A record's values of every facet (honour facets: of its honours in force)."""
    return {
        "kind": [row["kind"]],
        "region": [row["city"]] if row["city"] else [],
        "nominator": [row["nominator"]] if row.get("nominator") else [],
        "industry": [row["industry"]] if row["industry"] else [],
        "level": sorted({o["level"] for o in live if o["level"]}),
        "title": sorted({o["title"] for o in live}),
        "year": sorted({str(o["year"]) for o in live if o["year"]}),
    }


NOT_IN_CSV = frozenset(
    {"story", "story_en", "quote", "note", "version", "updated_at", "published_at", "submitted_by"}
)


def _honour_dicts(rows: list[tuple], db: sqlite_utils.Database) -> list[dict]:
    if not rows:
        return []
    names = _honour_columns(db)
    return [dict(zip(names, r[1:], strict=True)) for r in rows]


_COLUMNS: dict[str, list[str]] = {}


def _honour_columns(db: sqlite_utils.Database) -> list[str]:
    if "honours" not in _COLUMNS:
        _COLUMNS["honours"] = [c.name for c in db["honours"].columns]
    return _COLUMNS["honours"]


def _search_fields(row: dict, top: str, facets: dict, portrait: dict | None = None) -> dict:
    """Words a visitor may type for this name: every full reading and its initials
    (heteronym surnames: every reading), the syllables on their own, the name."""
    readings = set((row.get("name_readings") or "").split())
    readings.update(filter(None, [row.get("name_pinyin"), row.get("name_initials")]))
    syllables = [s for s in lazy_pinyin(row["name"], style=Style.NORMAL) if s.isalpha()]
    words = sorted(readings) + syllables + pieces(row["name"], 4)
    return {
        "words": words,
        "more": pieces(row["unit"] or "", 4),
        "filters": {k: v for k, v in facets.items() if v},
        "meta": {
            "unit": row["unit"] or "",
            "honour": top,
            "name": row["name"],
            "readings": " ".join(sorted(r.lower() for r in readings)),
            # its smallest JPEG, from the edition's root: what a search result shows
            "portrait": f"media/{portrait['files']['jpeg'][0]['name']}"
            if portrait and portrait["files"]["jpeg"]
            else "",
        },
    }


def pieces(text: str, longest: int) -> list[str]:
    """Every run of up to ``longest`` Chinese characters in ``text`` (dotted names by
    their parts). Pagefind segments a query by itself and the page otherwise (王建国
    is indexed whole, asked as 王 + 建国: nothing found); each piece a query may be cut
    into is then a word of the page."""
    found: dict[str, None] = {}
    for part in re.split(r"[^\u3400-\u9fff]+", text):
        for size in range(1, min(longest, len(part)) + 1):
            for start in range(len(part) - size + 1):
                found.setdefault(part[start : start + size])
    parts = re.split(r"[·・.\s]+", text)  # a dotted name: its parts, and run together
    for part in [*parts, "".join(parts)] if len(parts) > 1 else []:
        found.setdefault(part)
    return list(found)


def exhibitions_fingerprint(db: sqlite_utils.Database) -> str:
    """Anything an exhibition's or a hall's pages show besides its honorees."""
    parts = []
    for table in (
        "exhibitions",
        "exhibition_sections",
        "exhibition_items",
        "halls",
        "hall_scenes",
        "hall_hotspots",
        "target_codes",
    ):
        if table in db.table_names():
            parts.append([list(r) for r in db.execute(f"SELECT * FROM {table} ORDER BY rowid")])
    return _digest(parts)


def global_fingerprint(db: sqlite_utils.Database, config: dict) -> str:
    """What every page may show: the title vocabulary, the demo notice, the
    settings pages are drawn with, and the code that draws them."""
    parts: list = [
        config.get(k) for k in ("SITE_NAME", "ORGANISATION", "BASE_URL", "PAGE_SIZE", "QR_EMBLEM")
    ]
    for table in ("honour_titles", "title_aliases"):
        if table in db.table_names():
            parts.append([list(r) for r in db.execute(f"SELECT * FROM {table} ORDER BY rowid")])
    parts.append([list(r) for r in db.execute("SELECT * FROM settings WHERE key = 'demo'")])
    parts.append(code_fingerprint())
    return _digest(parts)


def code_fingerprint() -> str:
    """The templates, static files and Python of the app: a new release redraws all."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha1()
    for path in sorted(root.rglob("*")):
        if (
            path.is_file()
            and path.suffix in (".py", ".html", ".css", ".js", ".xml", ".txt")
            and "__pycache__" not in path.parts
        ):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
