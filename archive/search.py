"""Full-text search. The only module that imports whoosh.

The index is derived from the database and lives in generation folders under the
index directory; ``CURRENT`` names the live one. :func:`rebuild` writes a new
generation and switches ``CURRENT`` atomically, so readers never see a half-built
index. Only the background worker (or the CLI before the site starts) writes.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import sqlite_utils
from whoosh import index as whoosh_index
from whoosh import qparser
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

from .analysis import ChineseAnalyzer
from .honorees import PUBLIC

POINTER = "CURRENT"


def schema() -> Schema:
    analyzer = ChineseAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        name=TEXT(analyzer=analyzer, field_boost=8.0),
        readings=KEYWORD(lowercase=True, field_boost=6.0),
        titles=TEXT(analyzer=analyzer, field_boost=4.0),
        unit=TEXT(analyzer=analyzer, field_boost=3.0),
        place=TEXT(analyzer=analyzer, field_boost=2.0),
        story=TEXT(analyzer=analyzer),
        year=NUMERIC(stored=False),
    )


def _documents(db: sqlite_utils.Database):
    rows = db.execute(
        f"""SELECT h.id, h.name, h.name_readings, h.unit, h.position, h.province, h.city,
                   h.county, h.industry, h.summary, h.story, h.quote,
                   (SELECT group_concat(o.year || ' ' || o.title, ' ') FROM honours o
                    WHERE o.honoree_id = h.id AND o.revoked = 0) AS titles
            FROM honorees h WHERE {PUBLIC} ORDER BY h.id""")
    for row in rows:
        yield dict(
            id=str(row["id"]),
            name=row["name"],
            readings=row["name_readings"],
            titles=row["titles"] or "",
            unit=" ".join(filter(None, [row["unit"], row["position"]])),
            place=" ".join(filter(None, [row["province"], row["city"], row["county"],
                                         row["industry"]])),
            story=" ".join(filter(None, [row["summary"], row["story"], row["quote"]])),
        )


def stamp(db: sqlite_utils.Database) -> str:
    """What the index must reflect: changes to it change this stamp."""
    row = db.execute(
        f"""SELECT count(*), coalesce(max(h.id), 0), coalesce(max(h.updated_at), '')
            FROM honorees h WHERE {PUBLIC}""").fetchone()
    return f"{row[0]}:{row[1]}:{row[2]}"


def is_current(db: sqlite_utils.Database, index_dir: str | Path) -> bool:
    """True when a readable index exists and was built from the database as it is."""
    folder = current_dir(index_dir)
    if folder is None:
        return False
    try:
        whoosh_index.open_dir(str(folder)).doc_count()
        return (folder / "STAMP").read_text() == stamp(db)
    except Exception:
        return False


def current_dir(index_dir: str | Path) -> Path | None:
    pointer = Path(index_dir) / POINTER
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        return None
    folder = Path(index_dir) / name
    return folder if folder.is_dir() else None


def rebuild(db: sqlite_utils.Database, index_dir: str | Path,
            progress: Callable[..., None] | None = None) -> Path:
    """Build a fresh index from the database and switch to it atomically."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    generation = index_dir / f"gen-{time.time_ns()}"
    generation.mkdir()
    built_from = stamp(db)
    total = db.execute(f"SELECT count(*) FROM honorees h WHERE {PUBLIC}").fetchone()[0]
    ix = whoosh_index.create_in(str(generation), schema())
    writer = ix.writer(limitmb=256, procs=1)
    for done, document in enumerate(_documents(db), start=1):
        writer.add_document(**document)
        if progress and done % 500 == 0:
            progress(done, total, "正在建立检索索引")
    writer.commit(optimize=True)
    (generation / "STAMP").write_text(built_from)
    tmp = index_dir / f".{POINTER}.{os.getpid()}"
    tmp.write_text(generation.name)
    os.replace(tmp, index_dir / POINTER)
    for old in index_dir.glob("gen-*"):
        if old != generation:
            shutil.rmtree(old, ignore_errors=True)
    if progress:
        progress(total, total, "检索索引已更新")
    return generation


_open: dict[str, tuple[Path, object]] = {}


def _searcher(index_dir: str | Path):
    """This process's searcher, reopened when the live generation changes."""
    key = str(index_dir)
    folder = current_dir(index_dir)
    if folder is None:
        return None
    cached = _open.get(key)
    if cached and cached[0] == folder:
        return cached[1]
    searcher = whoosh_index.open_dir(str(folder)).searcher()
    _open[key] = (folder, searcher)
    return searcher


def search(index_dir: str | Path, text: str, limit: int = 200) -> list[int] | None:
    """Ids of published honorees matching ``text``, best first; None when the
    index is missing."""
    searcher = _searcher(index_dir)
    if searcher is None:
        return None
    text = " ".join(text.split())[:200]
    if not text:
        return []
    parser = qparser.MultifieldParser(
        ["name", "readings", "titles", "unit", "place", "story"], schema(),
        group=qparser.AndGroup)
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.remove_plugin_class(qparser.FieldsPlugin)
    query = parser.parse(text.lower())
    results = searcher.search(query, limit=limit)
    return [int(hit["id"]) for hit in results]
