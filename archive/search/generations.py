"""Index generations, shared by every engine: folders, the pointer, the locks,
MARK and STAMP, and the life of an index (rebuild, drain, status, ensure,
verify) written once over an engine's :class:`Backend`.

The index is derived from the database and lives in generation folders under
the index directory; ``CURRENT`` names the live one. :func:`rebuild` writes a
new generation beside the live one and switches ``CURRENT`` atomically, so
readers never see a half-built index. Exactly one process at a time writes: the
background worker drains the ``index_outbox`` (:func:`drain`) under a writer
lock taken with a timeout; ``reindex`` takes the same lock for its final
catch-up and switch.

Each generation folder holds, beside the engine's files:

* ``MARK``  — the last outbox row the generation reflects (outbox rows at or
  below it are deleted only after the index commit that applied them);
* ``STAMP`` — the index version the generation was built with, then what the
  published records looked like when the index last caught up (compared with
  the database at start to notice a stale index);
* ``MANIFEST`` and, once found damaged, ``BAD`` (archive.search.integrity):
  the checksums of the engine's files, checked when a process opens the
  generation. A damaged generation is marked, searches read the previous one
  (or the database) and the worker rebuilds.

An engine's index version names the engine, its schema and the analysis
dictionary's version (archive.search.analysis). Every document of a generation
is analysed with the dictionary it was built with: applying the outbox keeps
the generation's version in its STAMP, and a generation built with another
version (or by another engine) is stale (:func:`status`) and :func:`drain`
rebuilds it rather than adding documents cut differently. So an index caught
up by incremental updates holds what a full rebuild of the same database holds.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from archive.catalogue.honorees import PUBLIC

from ..db import connect, write
from . import integrity
from .documents import DOCUMENT_SQL, documents

log = logging.getLogger("archive.search")

POINTER = "CURRENT"
LOCK_TIMEOUT = 30.0
DRAIN_BATCH = 500


class SearchUnavailable(RuntimeError):
    """The index is missing or unreadable (being built or healed)."""


@dataclass(frozen=True)
class Backend:
    """What an engine does to its own files; everything else is here.

    ``build(generation, rows, total, progress)`` writes a new index of
    ``rows`` (documents.DOCUMENT_SQL rows) into an empty folder;
    ``apply(folder, ids, documents)`` replaces the documents of ``ids`` by
    ``documents`` (those still public) and commits; ``readable(folder)`` opens
    it cheaply; ``digests(folder)`` gives each indexed id's digest. ``errors``
    are what a missing, damaged or vanishing index raises (programming errors
    are not among them: they surface as themselves)."""

    version: str
    errors: tuple[type[BaseException], ...]
    build: Callable[[Path, Iterable, int, Callable | None], None]
    apply: Callable[[Path, list[int], list[dict]], None]
    readable: Callable[[Path], bool]
    digests: Callable[[Path], dict[int, str]]


@dataclass
class Drift:
    missing: list[int]
    extra: list[int]
    outdated: list[int]
    pending: int
    damaged: list[integrity.Damage] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.outdated or self.damaged)


# --- folders, stamps, marks, locks ----------------------------------------------------


def stamp(db: sqlite_utils.Database, version: str) -> str:
    """What the index must reflect: the index version and the published records."""
    row = db.execute(
        f"""SELECT count(*), coalesce(max(h.id), 0), coalesce(max(h.updated_at), ''),
                   coalesce(sum(h.id * length(h.updated_at)), 0)
            FROM honorees h WHERE {PUBLIC}"""
    ).fetchone()
    return f"{version}:{row[0]}:{row[1]}:{row[2]}:{row[3]}"


def outbox_max(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT coalesce(max(id), 0) FROM index_outbox").fetchone()[0]


def current_dir(index_dir: str | Path) -> Path | None:
    """The live generation's folder, None when there is none."""
    pointer = Path(index_dir) / POINTER
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        return None
    folder = Path(index_dir) / name
    return folder if name and folder.is_dir() else None


_pointers: dict[str, tuple[tuple[int, int], Path | None]] = {}


def current_dir_cached(index_dir: str | Path) -> Path | None:
    """current_dir, read again only when the pointer file was replaced (a
    stat instead of reading it on every query)."""
    try:
        found = os.stat(Path(index_dir) / POINTER)
    except FileNotFoundError:
        return None
    seen = (found.st_ino, found.st_mtime_ns)
    cached = _pointers.get(str(index_dir))
    if cached is not None and cached[0] == seen:
        return cached[1]
    folder = current_dir(index_dir)
    _pointers[str(index_dir)] = (seen, folder)
    return folder


def forget_pointer(index_dir: str | Path) -> None:
    _pointers.pop(str(index_dir), None)


def read(folder: Path, name: str, default: str = "") -> str:
    try:
        return (folder / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return default


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def generation_version(folder: Path) -> str:
    """The index version a generation was built with (the head of its STAMP)."""
    return read(folder, "STAMP").split(":", 1)[0]


def mark(folder: Path) -> int:
    raw = read(folder, "MARK", "0").strip()
    return int(raw) if raw.isdigit() else 0


def pending_since(db: sqlite_utils.Database, last: int) -> str | None:
    """When the first change past the mark ``last`` was made (a stored timestamp);
    None when the index holds every change."""
    row = db.execute(
        "SELECT created_at FROM index_outbox WHERE id > ? ORDER BY id LIMIT 1", [last]
    ).fetchone()
    return None if row is None else row[0]


@contextmanager
def file_lock(path: Path, timeout: float):
    """An exclusive lock on ``path`` held by this process (fcntl: released if the
    process dies), waiting up to ``timeout`` seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"index lock {path.name} busy") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def writer_lock(index_dir: str | Path, timeout: float = LOCK_TIMEOUT):
    """The one-writer lock of an index directory."""
    return file_lock(Path(index_dir) / "WRITER.lock", timeout)


def _lock_held(path: Path) -> bool:
    """True while another process holds the lock file at ``path``."""
    if not path.exists():
        return False
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def writer_lock_held(index_dir: str | Path) -> bool:
    return _lock_held(Path(index_dir) / "WRITER.lock")


def _build_running(index_dir: Path) -> bool:
    return _lock_held(index_dir / "BUILD.lock")


def _database_path(db: sqlite_utils.Database) -> str:
    return next(r[2] for r in db.execute("PRAGMA database_list") if r[1] == "main")


# --- the life of an index ----------------------------------------------------------------


def rebuild(
    backend: Backend,
    db: sqlite_utils.Database,
    index_dir: str | Path,
    progress: Callable[..., None] | None = None,
) -> Path:
    """Build a fresh index from the database beside the live one, catch up with
    changes made meanwhile, and switch to it atomically."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with file_lock(index_dir / "BUILD.lock", timeout=3600):
        generation = index_dir / f"gen-{time.time_ns()}"
        generation.mkdir()
        # A consistent snapshot on a connection of its own: the documents, the
        # stamp and the outbox mark all describe the same moment.
        snapshot = connect(_database_path(db))
        try:
            snapshot.execute("BEGIN")
            built_from, last = stamp(snapshot, backend.version), outbox_max(snapshot)
            total = snapshot.execute(f"SELECT count(*) FROM honorees h WHERE {PUBLIC}").fetchone()[
                0
            ]
            backend.build(
                generation, snapshot.execute(DOCUMENT_SQL + " ORDER BY h.id"), total, progress
            )
        finally:
            snapshot.conn.close()
        integrity.write_manifest(generation)
        write_atomic(generation / "STAMP", built_from)
        write_atomic(generation / "MARK", str(last))
        with writer_lock(index_dir):
            apply_outbox(backend, db, generation)  # changes made while building
            previous = serving_dir(index_dir)  # the one replaced, unless it was damaged
            write_atomic(index_dir / POINTER, generation.name)
        # The generation just replaced stays until the next rebuild: searchers
        # in other processes may still be reading it (and it is the fall-back
        # should this one be found damaged).
        for old in index_dir.glob("gen-*"):
            if old not in (generation, previous):
                shutil.rmtree(old, ignore_errors=True)
    if progress:
        progress(total, total, "检索索引已更新")
    return generation


def apply_outbox(
    backend: Backend, db: sqlite_utils.Database, folder: Path, batch: int = DRAIN_BATCH
) -> int:
    """Apply outbox rows past the generation's mark to it; returns how many
    honorees were updated. Caller holds the writer lock."""
    last = mark(folder)
    applied = 0
    while True:
        rows = db.execute(
            "SELECT id, honoree_id FROM index_outbox WHERE id > ? ORDER BY id LIMIT ?",
            [last, batch],
        ).fetchall()
        if not rows:
            break
        ids = sorted({r["honoree_id"] for r in rows})
        backend.apply(folder, ids, list(documents(db, ids)))
        integrity.write_manifest(folder)
        last = rows[-1]["id"]
        write_atomic(folder / "MARK", str(last))
        applied += len(ids)
    db.execute("BEGIN")
    try:
        caught_up, now_stamp = last >= outbox_max(db), stamp(db, generation_version(folder))
    finally:
        db.execute("COMMIT")
    if caught_up:
        write_atomic(folder / "STAMP", now_stamp)
    return applied


def drain(backend: Backend, db: sqlite_utils.Database, index_dir: str | Path) -> int:
    """The indexer's step: apply pending outbox rows to the live index, then
    delete the rows the index now reflects. A missing or unreadable index, or
    one built with another version, is rebuilt. Returns how many honorees were
    updated."""
    index_dir = Path(index_dir)
    folder = current_dir(index_dir)
    if folder is None or integrity.is_bad(folder):
        log.warning(
            "search index %s: rebuilding",
            "missing" if folder is None else f"damaged ({integrity.bad_reason(folder)})",
        )
        rebuild(backend, db, index_dir)
        return 0
    if generation_version(folder) not in ("", backend.version):
        # built with another engine, schema or dictionary: documents added now
        # would be analysed differently from the rest
        log.warning(
            "search index built with version %s, not %s: rebuilding",
            generation_version(folder),
            backend.version,
        )
        rebuild(backend, db, index_dir)
        return 0
    if pending_since(db, mark(folder)) is None:
        _prune_outbox(db, index_dir, folder)
        return 0
    try:
        with writer_lock(index_dir):
            folder = current_dir(index_dir)  # a reindex may have switched meanwhile
            applied = apply_outbox(backend, db, folder)
    except TimeoutError:
        raise
    except backend.errors:
        if backend.readable(folder):
            raise
        log.exception("search index unreadable: rebuilding")
        rebuild(backend, db, index_dir)
        return 0
    _prune_outbox(db, index_dir, folder)
    return applied


def _prune_outbox(db: sqlite_utils.Database, index_dir: Path, folder: Path) -> None:
    """Delete outbox rows the live index reflects, unless a rebuild is running
    (it will need the rows past its own snapshot)."""
    last = mark(folder)
    if (
        last
        and not _build_running(index_dir)
        and db.execute("SELECT 1 FROM index_outbox WHERE id <= ? LIMIT 1", [last]).fetchone()
    ):
        with write(db):
            db.execute("DELETE FROM index_outbox WHERE id <= ?", [last])


def status(backend: Backend, db: sqlite_utils.Database, index_dir: str | Path) -> str:
    """'missing', 'corrupt', 'stale' or 'current'."""
    folder = current_dir(index_dir)
    if folder is None:
        return "missing"
    if (
        integrity.is_bad(folder)
        or not writer_lock_held(index_dir)
        and integrity.damaged(folder)
        or not backend.readable(folder)
    ):
        return "corrupt"
    pending = db.execute(
        "SELECT 1 FROM index_outbox WHERE id > ? LIMIT 1", [mark(folder)]
    ).fetchone()
    if read(folder, "STAMP") != stamp(db, backend.version) and not pending:
        return "stale"
    return "current"


def ensure(backend: Backend, db: sqlite_utils.Database, index_dir: str | Path) -> str:
    """Rebuild a missing, corrupt or stale index; returns what was found."""
    found = status(backend, db, index_dir)
    if found != "current":
        log.warning("search index %s: rebuilding", found)
        rebuild(backend, db, index_dir)
    return found


def verify(backend: Backend, db: sqlite_utils.Database, index_dir: str | Path) -> Drift:
    """Check the live generation's files against its manifest (a damaged one is
    marked, so the worker rebuilds it), then compare it with the database,
    record by record."""
    folder = current_dir(index_dir)
    if folder is None:
        raise SearchUnavailable("检索索引不存在")
    damage = integrity.damaged(folder)
    if damage:  # the engine may not even open it: nothing more to compare
        integrity.mark_bad(folder, "；".join(map(str, damage)))  # searches fall back; rebuilt
        return Drift(missing=[], extra=[], outdated=[], pending=0, damaged=damage)
    expected = {int(d["id"]): d["digest"] for d in documents(db)}
    found = backend.digests(folder)
    pending = db.execute(
        "SELECT count(*) FROM index_outbox WHERE id > ?", [mark(folder)]
    ).fetchone()[0]
    return Drift(
        missing=sorted(set(expected) - set(found)),
        extra=sorted(set(found) - set(expected)),
        outdated=sorted(i for i in set(expected) & set(found) if expected[i] != found[i]),
        pending=pending,
    )


# --- reading only generations that check out ------------------------------------


def serving_dir(index_dir: str | Path) -> Path | None:
    """The generation searches read: the live one unless it is marked damaged,
    else the newest other complete generation kept that is not (None if none)."""
    folder = current_dir_cached(index_dir)
    if folder is None or not integrity.is_bad(folder):
        return folder
    kept = sorted(
        (
            g
            for g in Path(index_dir).glob("gen-*")
            if g != folder and (g / "STAMP").exists() and not integrity.is_bad(g)
        ),
        key=lambda g: g.name,
        reverse=True,
    )
    return kept[0] if kept else None


def health(index_dir: str | Path) -> str:
    """'ok', 'missing', or 'damaged' (searches read the previous generation or the
    database while the worker rebuilds); cheap: no checksums."""
    folder = current_dir_cached(index_dir)
    if folder is None:
        return "missing"
    return "damaged" if integrity.is_bad(folder) else "ok"


def open_checked(
    index_dir: str | Path,
    folder: Path | None,
    opener: Callable[[Path], object],
    errors: tuple[type[BaseException], ...],
):
    """``opener(folder)`` once the generation's files check out against its
    manifest. A generation that does not, or that the engine cannot open, is
    marked damaged and the next one :func:`serving_dir` names is tried; None
    when none opens. While the writer commits, files may be replaced under the
    check: nothing is marked then."""
    tried: set[Path] = set()
    while folder is not None and folder not in tried:
        tried.add(folder)
        busy = writer_lock_held(index_dir)
        damage = [] if busy else _confirmed_damage(index_dir, folder)
        if not damage:
            try:
                return opener(folder)
            except errors as exc:
                if busy:
                    return None
                damage = [f"无法打开：{type(exc).__name__}"]
        integrity.mark_bad(folder, "；".join(map(str, damage)))
        folder = serving_dir(index_dir)
    return None


def tried_twice(
    run: Callable[[], object], errors: tuple[type[BaseException], ...], suspect: Callable[[], None]
):
    """``run()`` (a search); after an engine error, ``suspect()`` the generation
    (marked if damaged, dropped from the process) and run it once more, on the
    generation kept before a damaged one; a second error is SearchUnavailable."""
    for attempt in (1, 2):
        try:
            return run()
        except SearchUnavailable:
            raise
        except errors as exc:
            log.exception("search failed; reopening the index")
            suspect()
            if attempt == 2:
                raise SearchUnavailable("检索索引暂不可用") from exc
    raise AssertionError("unreachable")


def _confirmed_damage(index_dir: str | Path, folder: Path) -> list:
    """integrity.damaged, unless the writer committed while the files were read
    (its lock taken, or the manifest replaced): then checked once more, and if
    it commits again meanwhile, nothing is reported."""
    for _ in range(2):
        before = integrity.manifest_identity(folder)
        damage = integrity.damaged(folder)
        if not damage:
            return []
        if integrity.manifest_identity(folder) == before and not writer_lock_held(index_dir):
            return damage
    return []


def suspect(backend_readable: Callable[[Path], bool], index_dir: str | Path, folder: Path) -> bool:
    """A search failed inside the engine on ``folder``: mark the generation
    damaged if its files do not check out or it no longer reads (a generation
    removed by a rebuild, or a commit in progress, is not). True if marked."""
    if not folder.is_dir() or writer_lock_held(index_dir):
        return False
    damage = _confirmed_damage(index_dir, folder)
    reason = (
        "；".join(map(str, damage))
        if damage
        else ("" if backend_readable(folder) else "引擎无法读取")
    )
    if reason:
        integrity.mark_bad(folder, reason)
    return bool(reason)


@dataclass(frozen=True)
class Lifecycle:
    """An engine's rebuild, drain, status, ensure and verify: the functions above
    bound to its backend, which is looked up at each call (tests replace a hook)."""

    backend: Callable[[], Backend]

    def rebuild(
        self,
        db: sqlite_utils.Database,
        index_dir: str | Path,
        progress: Callable[..., None] | None = None,
    ) -> Path:
        """Build a fresh generation and switch to it."""
        return rebuild(self.backend(), db, index_dir, progress)

    def drain(self, db: sqlite_utils.Database, index_dir: str | Path) -> int:
        """Apply the pending outbox to the live generation."""
        return drain(self.backend(), db, index_dir)

    def status(self, db: sqlite_utils.Database, index_dir: str | Path) -> str:
        """'missing', 'corrupt', 'stale' or 'current'."""
        return status(self.backend(), db, index_dir)

    def ensure(self, db: sqlite_utils.Database, index_dir: str | Path) -> str:
        """Rebuild a missing, corrupt or stale index; returns what was found."""
        return ensure(self.backend(), db, index_dir)

    def verify(self, db: sqlite_utils.Database, index_dir: str | Path):
        """Compare the live index with the database, record by record."""
        return verify(self.backend(), db, index_dir)
