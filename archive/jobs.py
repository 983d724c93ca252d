"""Long work done by the one background worker: a jobs table in SQLite.

Jobs survive a restart: a job left 'running' by a worker that died is queued
again when the worker starts. Progress is written as the job goes, so pages and
the CLI can show it.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from .db import write
from .timeutil import now


def enqueue(db: sqlite_utils.Database, kind: str, params: dict | None = None) -> int:
    with write(db):
        return db.execute(
            "INSERT INTO jobs (kind, params, created_at) VALUES (?, ?, ?)",
            [kind, json.dumps(params or {}, ensure_ascii=False), now()],
        ).lastrowid


def requeue_abandoned(db: sqlite_utils.Database) -> int:
    """Put jobs a dead worker left running back in the queue."""
    with write(db):
        return db.execute(
            "UPDATE jobs SET status = 'queued', message = '因重启重新排队' WHERE status = 'running'"
        ).rowcount


def claim(db: sqlite_utils.Database) -> dict[str, Any] | None:
    """Take the oldest queued job, marking it running."""
    with write(db):
        row = db.execute(
            "SELECT * FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return None
        stamp = now()
        db.execute(
            """UPDATE jobs SET status = 'running', attempts = attempts + 1,
                   started_at = ?, heartbeat_at = ? WHERE id = ?""", [stamp, stamp, row["id"]])
    job = dict(row)
    job["params"] = json.loads(job["params"])
    return job


def report(db: sqlite_utils.Database, job_id: int, done: int, total: int | None = None,
           message: str | None = None) -> None:
    with write(db):
        db.execute(
            """UPDATE jobs SET progress = ?, total = coalesce(?, total),
                   message = coalesce(?, message), heartbeat_at = ? WHERE id = ?""",
            [done, total, message, now(), job_id])


def finish(db: sqlite_utils.Database, job_id: int, error: str | None = None) -> None:
    with write(db):
        db.execute(
            """UPDATE jobs SET status = ?, error = ?, finished_at = ?,
                   progress = CASE WHEN ? IS NULL THEN coalesce(total, progress) ELSE progress END
               WHERE id = ?""",
            ["failed" if error else "done", error, now(), error, job_id])


def get(db: sqlite_utils.Database, job_id: int) -> dict | None:
    row = db.execute("SELECT * FROM jobs WHERE id = ?", [job_id]).fetchone()
    return dict(row) if row else None


def recent(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    return [dict(r) for r in db.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", [limit])]
