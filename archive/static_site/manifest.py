"""The edition's memory of its runs, ``OUT/.edition.sqlite``: the settings and
fingerprints of the last run, each public record's fingerprints (and what its
search entry and lists need), and every file with its hash and what it shows.

A run reads only what it needs — every record's three fingerprints, the details of
the records that changed, the files a change draws again — and writes only what
changed, all in one transaction committed when the run has finished: a run killed
half-way leaves the last finished run's manifest (the files it wrote meanwhile
are compared by hash next time). The transaction is taken when the run starts, so
a second export into the same folder is refused at once instead of mixing with it.
No Flask here."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

NAME = ".edition.sqlite"
OLD_NAME = ".edition.json"  # the manifest before format 2: removed on the first run
FORMAT = 2
KEPT = (NAME, NAME + "-journal", OLD_NAME)  # not part of the edition (zip, bag)

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS records (
        id INTEGER PRIMARY KEY,
        fp TEXT NOT NULL,      -- everything its own pages show
        card TEXT NOT NULL,    -- what lists and other pages show of it
        csv TEXT NOT NULL,     -- what the CSV of every record shows of it
        details TEXT NOT NULL, -- JSON: unit, facets, code, search fields
        item TEXT NOT NULL     -- its entry in the search page's fallback index (JSON)
    )""",
    """CREATE TABLE IF NOT EXISTS files (
        path TEXT PRIMARY KEY,
        url TEXT,              -- the page or file rendered into it; NULL: made by the exporter
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        listing TEXT,          -- a list of cards: '[]' every record, else '["facet","value"]'
        unit TEXT,             -- a profile: its unit (its list of the same unit's people)
        always INTEGER NOT NULL DEFAULT 0, -- drawn again whenever the CSV changes
        scripts TEXT,          -- JSON: a kiosk hall's tile scripts
        made INTEGER NOT NULL  -- the run that last made or kept it
    )""",
    "CREATE INDEX IF NOT EXISTS files_listing ON files (listing) WHERE listing IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS files_unit ON files (unit) WHERE unit IS NOT NULL",
    # the honorees a page shows: whole (its own pages, an exhibition's) or as a card
    """CREATE TABLE IF NOT EXISTS shows (
        honoree_id INTEGER NOT NULL, path TEXT NOT NULL, whole INTEGER NOT NULL,
        PRIMARY KEY (honoree_id, path)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS shows_path ON shows (path)",
]


class Busy(RuntimeError):
    """Another export holds the folder."""


def listing_key(listing: list) -> str:
    """How a list page's facet (``[]``: none) is stored and compared."""
    return json.dumps(list(listing), ensure_ascii=False)


class Manifest:
    """The manifest of the edition in ``out``, open for one run (a transaction)."""

    def __init__(self, out: Path):
        self.path = Path(out) / NAME
        (Path(out) / OLD_NAME).unlink(missing_ok=True)
        try:
            self.conn = self._open()
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc):
                raise Busy("另一次导出正在写入这个目录，请等它结束后再试。") from None
            # unreadable (a disk fault, a half-copied folder): forget it, export in full
            # (its journal too: left beside a new file of the same name, SQLite would
            # take it for that file's and roll it back)
            self.path.unlink(missing_ok=True)
            self.path.with_name(NAME + "-journal").unlink(missing_ok=True)
            self.conn = self._open()
        self.fresh = self.get("format") != FORMAT
        if self.fresh:
            for table in ("meta", "records", "files", "shows"):
                self.conn.execute(f"DELETE FROM {table}")
        self.run = (self.get("run") or 0) + 1

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=0)
        try:
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("BEGIN IMMEDIATE")
            for statement in SCHEMA:
                conn.execute(statement)
            conn.execute("SELECT count(*) FROM files").fetchone()  # readable?
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def commit(self) -> None:
        self.set("format", FORMAT)
        self.set("run", self.run)
        self.conn.execute("COMMIT")

    def close(self) -> None:
        """Without :meth:`commit`: the run's changes are rolled back."""
        self.conn.close()

    # --- settings ---------------------------------------------------------------

    def get(self, key: str):
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else None

    def set(self, key: str, value) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [key, json.dumps(value, ensure_ascii=False)],
        )

    # --- records ------------------------------------------------------------------

    def fingerprints(self) -> dict[int, dict]:
        """Every record of the last run: its ``fp``, ``card`` and ``csv``."""
        return {
            r[0]: {"fp": r[1], "card": r[2], "csv": r[3]}
            for r in self.conn.execute("SELECT id, fp, card, csv FROM records")
        }

    def details(self, ids: Iterable[int]) -> dict[int, dict]:
        """The last run's unit, facets, code and search fields of these records."""
        found = {}
        for chunk in _chunks(sorted(ids)):
            marks = ",".join("?" * len(chunk))
            for i, details in self.conn.execute(
                f"SELECT id, details FROM records WHERE id IN ({marks})", chunk
            ):
                found[i] = json.loads(details)
        return found

    def put_records(self, records: dict[int, dict], ids: Iterable[int], items) -> None:
        """Store these records (``records.public``'s, with their search fields),
        forget the ones no longer public; ``items(id)``: a record's fallback entry."""
        rows = []
        for i in ids:
            r = records[i]
            details = {k: r[k] for k in ("unit", "facets", "code", "search")}
            rows.append(
                (i, r["fp"], r["card"], r["csv"], json.dumps(details, ensure_ascii=False), items(i))
            )
        self.conn.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?)", rows)
        gone = [i for (i,) in self.conn.execute("SELECT id FROM records") if i not in records]
        for chunk in _chunks(gone):
            marks = ",".join("?" * len(chunk))
            self.conn.execute(f"DELETE FROM records WHERE id IN ({marks})", chunk)

    def fallback_items(self) -> Iterator[str]:
        """The search fallback's entries (JSON) of the records with a profile, by id."""
        for (item,) in self.conn.execute(
            "SELECT item FROM records r WHERE EXISTS (SELECT 1 FROM files "
            "WHERE path = 'honorees/' || r.id || '/index.html') ORDER BY id"
        ):
            yield item

    # --- files --------------------------------------------------------------------

    def sha256(self, path: str) -> str | None:
        """The hash of the file the last run made (or kept) at ``path``."""
        row = self.conn.execute("SELECT sha256 FROM files WHERE path = ?", [path]).fetchone()
        return None if row is None else row[0]

    def has(self, path: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM files WHERE path = ?", [path]).fetchone() is not None
        )

    def put_file(self, path: str, entry: dict) -> None:
        """A file made (or kept as it was) by this run, and what it shows:
        ``whole`` honorees (its own pages) and ``cards`` (other pages' lists)."""
        listing = entry.get("listing")
        scripts = entry.get("scripts")
        self.conn.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                path,
                entry.get("url"),
                entry["sha256"],
                entry["size"],
                None if listing is None else listing_key(listing),
                entry.get("unit"),
                int(bool(entry.get("always"))),
                json.dumps(scripts) if scripts else None,
                self.run,
            ],
        )
        self.conn.execute("DELETE FROM shows WHERE path = ?", [path])
        whole = set(entry.get("whole", ()))
        shown = [(i, path, 1) for i in whole] + [
            (i, path, 0) for i in set(entry.get("cards", ())) - whole
        ]
        self.conn.executemany("INSERT INTO shows VALUES (?, ?, ?)", shown)

    def drop_file(self, path: str) -> bool:
        """Forget a file; whether the manifest had it."""
        self.conn.execute("DELETE FROM shows WHERE path = ?", [path])
        return self.conn.execute("DELETE FROM files WHERE path = ?", [path]).rowcount > 0

    def generated(self) -> dict[str, str]:
        """The hashes of the files the exporter made itself (``url`` NULL)."""
        return dict(self.conn.execute("SELECT path, sha256 FROM files WHERE url IS NULL"))

    def touch(self, paths: list[str]) -> None:
        """These files stay as the last run made them."""
        self.conn.executemany(
            "UPDATE files SET made = ? WHERE path = ?", [(self.run, p) for p in paths]
        )

    def keep(self, prefix: str) -> None:
        """Files under ``prefix`` stay as the last run made them."""
        self.conn.execute("UPDATE files SET made = ? WHERE path GLOB ?", [self.run, prefix + "*"])

    def paths(self, pattern: str = "*") -> list[str]:
        return [
            p
            for (p,) in self.conn.execute(
                "SELECT path FROM files WHERE path GLOB ? ORDER BY path", [pattern]
            )
        ]

    def scripts(self) -> list[str]:
        """The tile scripts of the kiosk's halls (files the exporter made)."""
        return sorted(
            {
                s
                for (blob,) in self.conn.execute(
                    "SELECT scripts FROM files WHERE scripts IS NOT NULL"
                )
                for s in json.loads(blob)
            }
        )

    def stale(self, everything: bool) -> list[str]:
        """Files this run neither made nor kept: those the exporter makes itself
        (redirects, search bundles…), and in a full run every file."""
        where = "made < ?" if everything else "made < ? AND url IS NULL"
        return [
            p for (p,) in self.conn.execute(f"SELECT path FROM files WHERE {where}", [self.run])
        ]

    def totals(self) -> tuple[int, int]:
        count, size = self.conn.execute("SELECT count(*), sum(size) FROM files").fetchone()
        return count, size or 0

    def redrawn(self, changes) -> list[tuple[str, str]]:
        """The files of the last run that ``changes`` (a ``changes.Changes``) draws
        again, as (path, url): those showing a changed honoree whole; those showing
        a changed card, every list a changed card is or was in (its counts); every
        list filtered by a facet whose counts changed (each counts its own facet
        over every record); the profiles naming a changed card's unit; the CSV of
        every record when what it shows changed; the exhibitions' pages when an
        exhibition changed."""
        conn = self.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS changed (id INTEGER PRIMARY KEY, card INT)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS facets (listing TEXT PRIMARY KEY)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS units (unit TEXT PRIMARY KEY)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS counted (pattern TEXT PRIMARY KEY)")
        for table in ("changed", "facets", "units", "counted"):
            conn.execute(f"DELETE FROM temp.{table}")
        conn.executemany(
            "INSERT INTO temp.changed VALUES (?, ?)",
            [(i, int(i in changes.cards)) for i in changes.honorees],
        )
        listings = [listing_key(v) for v in changes.facet_values]
        if changes.cards:
            listings.append(listing_key([]))
        conn.executemany("INSERT OR IGNORE INTO temp.facets VALUES (?)", [(v,) for v in listings])
        conn.executemany(
            "INSERT OR IGNORE INTO temp.units VALUES (?)", [(u,) for u in changes.units]
        )
        conn.executemany(
            "INSERT INTO temp.counted VALUES (?)",
            [(listing_key([k])[:-1] + ",%",) for k in sorted(changes.counted)],
        )
        return conn.execute(
            """SELECT path, url FROM files WHERE url IS NOT NULL AND (
                   path IN (SELECT s.path FROM shows s JOIN temp.changed c ON c.id = s.honoree_id
                            WHERE s.whole OR c.card)
                   OR listing IN (SELECT listing FROM temp.facets)
                   OR EXISTS (SELECT 1 FROM temp.counted WHERE listing LIKE pattern)
                   OR unit IN (SELECT unit FROM temp.units)
                   OR (? AND always)
                   OR (? AND url GLOB '/exhibitions*'))
               ORDER BY path""",
            [changes.listed, changes.exhibitions],
        ).fetchall()


def _chunks(ids: list[int], size: int = 900) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def snapshot(out: Path) -> dict:
    """What the manifest in ``out`` holds, read-only: its files (path → url, hash,
    size) and its settings (for tests and tools)."""
    conn = sqlite3.connect(f"file:{Path(out) / NAME}?mode=ro", uri=True)
    try:
        files = {
            p: {"url": u, "sha256": s, "size": n}
            for p, u, s, n in conn.execute("SELECT path, url, sha256, size FROM files")
        }
        meta = {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM meta")}
    finally:
        conn.close()
    return {**meta, "files": files}
