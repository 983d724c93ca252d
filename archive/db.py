"""The SQLite database: one connection per request on ``g``, and one write helper.

Every write goes through :func:`write`, which opens ``BEGIN IMMEDIATE`` so that a
transaction that reads and then writes waits for the lock (busy timeout) instead of
failing at once with ``SQLITE_BUSY`` when another process holds it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from flask import Flask, current_app, g

BUSY_TIMEOUT_MS = 5000
log = logging.getLogger("archive.db")


def connect(path: str | Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite_utils.Database:
    """Open the database with WAL, a busy timeout and foreign keys on."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn)


def open_for(config) -> sqlite_utils.Database:
    """A connection to an app's database (``config``: the app's), which publishes the
    content generation to the app's GENERATION_LINK after each visible change (the
    symbolic link nginx's micro-cache keys by; empty for none)."""
    db = connect(config["DATABASE"])
    db.generation_link = config.get("GENERATION_LINK") or ""
    return db


@contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction taken with ``BEGIN IMMEDIATE``; commits or rolls back."""
    conn = db.conn
    if conn.in_transaction:  # nested: the outer write owns the transaction
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db._generation_bumped = False
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
        if getattr(db, "_generation_bumped", False):
            db._generation_bumped = False
            publish_generation(db)


_threads = threading.local()
CONNECTIONS_PER_THREAD = 4


def get_db() -> sqlite_utils.Database:
    """This thread's connection to the app's database, kept open between requests:
    opening one (file, WAL, pragmas) costs more than a whole cached page."""
    path = current_app.config["DATABASE"]
    pool: OrderedDict = getattr(_threads, "pool", None) or OrderedDict()
    _threads.pool = pool
    db = pool.get(path)
    if db is None:
        db = pool[path] = open_for(current_app.config)
        while len(pool) > CONNECTIONS_PER_THREAD:  # e.g. many test archives in one thread
            pool.popitem(last=False)[1].conn.close()
    pool.move_to_end(path)
    g.db = db
    return db


def close_db(exc: BaseException | None = None) -> None:
    """End of request: never leave a transaction open on a kept connection."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


# --- the content generation: one number that changes with anything visitors see ---


def bump_generation(db: sqlite_utils.Database) -> None:
    """Call inside the write transaction of any change visitors can see; after the
    commit, :func:`publish_generation` points the connection's generation link at
    the new number."""
    db._generation_bumped = True
    db.execute(
        """INSERT INTO settings (key, value) VALUES ('content_generation', '1')
           ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"""
    )


def generation(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT value FROM settings WHERE key = 'content_generation'").fetchone()
    return int(row[0]) if row else 0


def publish_generation(db: sqlite_utils.Database, path: str | None = None) -> None:
    """Point the symbolic link ``path`` (default: the one the connection was opened
    with, :func:`open_for`) at an empty folder
    named for the committed content generation, ``<path>.d/<generation>/``. nginx
    resolves the link on every request (``$realpath_root``, one cheap system call, no
    module) and puts the result in its micro-cache key, so the first request after a
    change is fresh.

    The number is read while holding a lock, after the commit: whichever process
    publishes last publishes the newest number, never an older one. A failure is
    logged, never raised: the change itself is committed."""
    path = path if path is not None else getattr(db, "generation_link", "")
    if not path:
        return
    link = Path(path)
    folders = link.with_name(link.name + ".d")
    try:
        folders.mkdir(parents=True, exist_ok=True)
        with open(folders / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = generation(db)
            (folders / str(current)).mkdir(mode=0o755, exist_ok=True)
            tmp = link.with_name(f".{link.name}.{os.getpid()}.{threading.get_ident()}")
            os.symlink(f"{folders.name}/{current}", tmp)
            os.replace(tmp, link)
            for old in folders.iterdir():  # a few kept for requests resolving just now
                if old.name.isdigit() and int(old.name) < current - 3:
                    old.rmdir()
    except OSError as exc:
        log.warning("could not publish the content generation at %s: %s", path, exc)


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_db)
