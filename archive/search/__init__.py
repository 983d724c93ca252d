"""Search: the narrow interface the rest of the archive calls.

Each engine lives in its own folder (``whoosh/``, ``tantivy/``) as a module
``engine`` that satisfies :class:`Engine`; nothing outside an engine's folder
imports it or its library. What every engine shares is beside this file:
analysis (jieba words, pinyin, folding), documents (what is indexed), queries
(a visitor's query as a tree of weighted terms), snippets, and generations
(folders, the one-writer lock, MARK and STAMP, rebuild and drain).

The engine is the Flask setting ``SEARCH_ENGINE``, read from the current app
when there is one; outside an app (scripts, the bench, tests) an ``engine=``
argument names it, else the setting's declared default is used. Switching
engines needs nothing else: a generation built by another engine carries
another index version, so it is stale and rebuilt.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

import sqlite_utils
from flask import current_app, has_app_context

from archive import settings, timeutil
from archive.catalogue import browse

from . import fallback, generations
from .generations import Drift, SearchUnavailable, current_dir, generation_version, writer_lock_held
from .queries import QUERY_REFUSED, TIME_LIMIT, Result, parse_args
from .queries import TIMED_OUT as TIMED_OUT_NOTICE

__all__ = [
    "ENGINES",
    "QUERY_REFUSED",
    "TIME_LIMIT",
    "Drift",
    "Engine",
    "Result",
    "SearchUnavailable",
    "TIMED_OUT_NOTICE",
    "configure",
    "current_dir",
    "drain",
    "engine",
    "ensure",
    "forget",
    "generation_version",
    "health",
    "listing_facets",
    "parse_args",
    "query",
    "rebuild",
    "search",
    "status",
    "suggest",
    "verify",
    "writer_lock_held",
]

ENGINES = ("whoosh", "tantivy")


class Engine(Protocol):
    """What an engine module provides (each function as documented here)."""

    NAME: str
    INDEX_VERSION: str

    def rebuild(
        self,
        db: sqlite_utils.Database,
        index_dir: str | Path,
        progress: Callable[..., None] | None = None,
    ) -> Path:
        """Build a generation from the database beside the live one; switch to it."""

    def drain(self, db: sqlite_utils.Database, index_dir: str | Path) -> int:
        """Apply the outbox to the live generation; the honorees updated."""

    def status(self, db: sqlite_utils.Database, index_dir: str | Path) -> str:
        """'missing', 'corrupt', 'stale' or 'current'."""

    def ensure(self, db: sqlite_utils.Database, index_dir: str | Path) -> str:
        """Rebuild unless current; what was found."""

    def verify(self, db: sqlite_utils.Database, index_dir: str | Path) -> Drift:
        """The live index against the database, record by record."""

    def query(
        self,
        db: sqlite_utils.Database,
        index_dir: str | Path,
        text: str,
        filters: browse.Filters | None = None,
        sort: str = "relevance",
        page_size: int = 20,
        with_facets: bool = True,
        time_limit: float = TIME_LIMIT,
        whole_rows: bool = False,
    ) -> Result:
        """One page of matches with facets, snippets and suggestions."""

    def suggest(
        self, index_dir: str | Path, text: str, limit: int = 8, time_limit: float = TIME_LIMIT
    ) -> list[dict]:
        """Names as the visitor types them; past ``time_limit``, those found by then."""

    def search(self, index_dir: str | Path, text: str, limit: int = 200) -> list[int] | None:
        """Matching ids, best first; None without an index."""

    def forget(self, index_dir: str | Path) -> None:
        """Drop this process's open searcher of ``index_dir``."""

    def refresh(self, index_dir: str | Path) -> None:
        """Have this process's searcher see every commit at its next use."""


def engine(name: str | None = None) -> Engine:
    """The engine named ``name``, else the current app's ``SEARCH_ENGINE``,
    else the setting's default."""
    if name is None:
        name = (
            current_app.config["SEARCH_ENGINE"]
            if has_app_context()
            else settings.defaults()["SEARCH_ENGINE"]
        )
    if name not in ENGINES:
        raise ValueError(f"SEARCH_ENGINE must be one of {', '.join(ENGINES)}, not {name!r}")
    return importlib.import_module(f"{__name__}.{name}.engine")


def configure(config: Mapping) -> None:
    """At app start: refuse an unknown SEARCH_ENGINE (the engines read their other
    settings from ``current_app.config`` where they use them)."""
    engine(config["SEARCH_ENGINE"])


def rebuild(
    db: sqlite_utils.Database,
    index_dir: str | Path,
    progress: Callable[..., None] | None = None,
    *,
    engine: str | None = None,
) -> Path:
    return _engine(engine).rebuild(db, index_dir, progress=progress)


def drain(db: sqlite_utils.Database, index_dir: str | Path, *, engine: str | None = None) -> int:
    return _engine(engine).drain(db, index_dir)


def status(db: sqlite_utils.Database, index_dir: str | Path, *, engine: str | None = None) -> str:
    return _engine(engine).status(db, index_dir)


def ensure(db: sqlite_utils.Database, index_dir: str | Path, *, engine: str | None = None) -> str:
    return _engine(engine).ensure(db, index_dir)


def verify(db: sqlite_utils.Database, index_dir: str | Path, *, engine: str | None = None) -> Drift:
    return _engine(engine).verify(db, index_dir)


def query(
    db: sqlite_utils.Database,
    index_dir: str | Path,
    text: str,
    filters: browse.Filters | None = None,
    sort: str = "relevance",
    page_size: int = 20,
    with_facets: bool = True,
    time_limit: float | None = None,
    whole_rows: bool = False,
    *,
    engine: str | None = None,
) -> Result:
    """One page of matches. While the live generation is damaged, the previous
    one answers (``degraded='previous'``); when none can be read, names are
    found in the database (``degraded='database'``, archive.search.fallback), as
    they are while the first index is being built: a search never answers 503.
    ``time_limit``: seconds, by default the app's SEARCH_TIME_LIMIT."""
    try:
        result = _engine(engine).query(
            db,
            index_dir,
            text,
            filters,
            sort,
            page_size,
            with_facets,
            _time_limit(time_limit),
            whole_rows,
        )
    except SearchUnavailable:
        notice = (
            fallback.BUILDING_NOTICE
            if generations.current_dir_cached(index_dir) is None
            else fallback.NOTICE
        )
        return fallback.query(db, text, filters, sort, page_size, notice=notice)
    if generations.health(index_dir) == "damaged":
        result.degraded = "previous"
        result.notices = [*result.notices, fallback.PREVIOUS_NOTICE]
    return result


def suggest(
    index_dir: str | Path,
    text: str,
    limit: int = 8,
    time_limit: float | None = None,
    *,
    engine: str | None = None,
) -> list[dict]:
    return _engine(engine).suggest(index_dir, text, limit, _time_limit(time_limit))


def _time_limit(given: float | None) -> float:
    """The seconds a search may take: as given, else the app's SEARCH_TIME_LIMIT."""
    if given is not None:
        return given
    if has_app_context():
        return float(current_app.config.get("SEARCH_TIME_LIMIT", TIME_LIMIT))
    return TIME_LIMIT


def search(
    index_dir: str | Path, text: str, limit: int = 200, *, engine: str | None = None
) -> list[int] | None:
    return _engine(engine).search(index_dir, text, limit)


def forget(index_dir: str | Path, *, engine: str | None = None) -> None:
    _engine(engine).forget(index_dir)


_seen_marks: dict[str, tuple[str, int]] = {}


def listing_facets(
    db: sqlite_utils.Database,
    index_dir: str | Path,
    filters: browse.Filters,
    *,
    wait: float = 1.0,
    engine: str | None = None,
) -> dict[str, list[tuple]] | None:
    """The facet counts of a listing (every published record under ``filters``)
    as browse.facet_counts counts them, from the index: about 4 ms at 100,000
    records where the database takes 0.6 s. While the outbox has rows past the
    live generation's mark (an edit the worker is applying, usually for a few
    tenths of a second), waits up to ``wait`` seconds for it, sleeping (a gevent
    worker serves its other visitors meanwhile; counting in the database would
    hold them all); None if the index is still behind then, if the change has
    waited longer than that already (no worker is applying it), or if the index
    cannot answer (the caller counts in the database). After the mark moves, this
    process's searcher is refreshed before it counts, so a page cached for a content
    generation never shows counts from before it."""
    deadline = time.monotonic() + wait
    while True:
        folder = generations.current_dir_cached(index_dir)
        if folder is None:
            return None
        try:
            written = (folder / "MARK").stat().st_mtime_ns
        except FileNotFoundError:
            written = 0
        since = generations.pending_since(db, generations.mark(folder))
        if since is None:
            break
        # a change older than the wait and a second (stamps are to the second):
        # no worker is applying it, or one far behind, and nobody waits for it
        if time.monotonic() >= deadline or since < timeutil.ago(wait + 1):
            return None
        time.sleep(0.05)
    chosen = _engine(engine)
    seen = (str(folder), written)
    if _seen_marks.get(str(index_dir)) != seen:
        chosen.refresh(index_dir)
        _seen_marks[str(index_dir)] = seen
    try:
        result = chosen.query(
            db, index_dir, "", filters, "pinyin", 1, True, _time_limit(None), False
        )
    except SearchUnavailable:
        return None
    if result.timed_out or generations.health(index_dir) == "damaged":
        return None
    return result.facets


def health(index_dir: str | Path) -> str:
    """'ok', 'missing' or 'damaged' (being rebuilt; searches fall back meanwhile)."""
    return generations.health(index_dir)


_engine = engine  # the functions above take an ``engine`` argument of the same name
