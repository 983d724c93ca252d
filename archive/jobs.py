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


DEFAULT_MAX_ATTEMPTS = 3


class Refused(Exception):
    """A job that can never succeed as asked (bad input): failed at once, not retried."""


def requeue_abandoned(db: sqlite_utils.Database, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> int:
    """Put jobs a dead worker left running back in the queue, unless they have had
    their ``max_attempts`` already (a job that kills the worker every time must not
    keep it in a crash loop): those end as failed, with the reason."""
    with write(db):
        db.execute(
            """UPDATE jobs SET status = 'failed', finished_at = ?,
                   error = '任务运行中进程多次中断（已尝试 ' || attempts || ' 次），不再重试'
               WHERE status = 'running' AND attempts >= ?""",
            [now(), max_attempts],
        )
        return db.execute(
            "UPDATE jobs SET status = 'queued', message = '因重启重新排队' WHERE status = 'running'"
        ).rowcount


def retry_or_fail(
    db: sqlite_utils.Database, job_id: int, error: str, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> str:
    """After a failed attempt: queue the job again while it has attempts left,
    else end it as failed with the reason. Returns the new status."""
    with write(db):
        row = db.execute("SELECT attempts FROM jobs WHERE id = ?", [job_id]).fetchone()
        if row is not None and row["attempts"] < max_attempts:
            db.execute(
                """UPDATE jobs SET status = 'queued', error = ?,
                              message = '第 ' || attempts || ' 次尝试失败，稍后重试' WHERE id = ?""",
                [error, job_id],
            )
            return "queued"
    attempts = row["attempts"] if row is not None else 0
    finish(db, job_id, error=f"已尝试 {attempts} 次仍失败：{error}")
    return "failed"


def claim(db: sqlite_utils.Database) -> dict[str, Any] | None:
    """Take the oldest queued job, marking it running."""
    with write(db):
        row = db.execute(
            "SELECT * FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        stamp = now()
        db.execute(
            """UPDATE jobs SET status = 'running', attempts = attempts + 1,
                   started_at = ?, heartbeat_at = ? WHERE id = ?""",
            [stamp, stamp, row["id"]],
        )
    job = dict(row)
    job["params"] = json.loads(job["params"])
    return job


def report(
    db: sqlite_utils.Database,
    job_id: int,
    done: int,
    total: int | None = None,
    message: str | None = None,
) -> None:
    with write(db):
        db.execute(
            """UPDATE jobs SET progress = ?, total = coalesce(?, total),
                   message = coalesce(?, message), heartbeat_at = ? WHERE id = ?""",
            [done, total, message, now(), job_id],
        )


def finish(db: sqlite_utils.Database, job_id: int, error: str | None = None) -> None:
    with write(db):
        db.execute(
            """UPDATE jobs SET status = ?, error = ?, finished_at = ?,
                   progress = CASE WHEN ? IS NULL THEN coalesce(total, progress) ELSE progress END
               WHERE id = ?""",
            ["failed" if error else "done", error, now(), error, job_id],
        )


def queue_age(db: sqlite_utils.Database) -> float | None:
    """Seconds the oldest queued job has waited, or None when the queue is empty."""
    row = db.execute("SELECT min(created_at) FROM jobs WHERE status = 'queued'").fetchone()
    if not row or not row[0]:
        return None
    from datetime import UTC, datetime

    created = datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return max(0.0, round((datetime.now(UTC) - created).total_seconds(), 1))


def get(db: sqlite_utils.Database, job_id: int) -> dict | None:
    row = db.execute("SELECT * FROM jobs WHERE id = ?", [job_id]).fetchone()
    return dict(row) if row else None


def recent(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    return [dict(r) for r in db.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", [limit])]
