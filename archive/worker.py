"""The background worker: the only runner of long jobs and the only writer of the
search index. Started beside gunicorn by ``flask --app archive serve``."""

from __future__ import annotations

import logging
import signal
import time
import traceback
from collections.abc import Callable

from flask import Flask

from . import db as database
from . import jobs, search

log = logging.getLogger("archive.worker")

Handler = Callable[[Flask, object, dict, Callable[..., None]], None]


def _reindex(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    search.rebuild(db, app.config["INDEX_DIR"], progress=progress)


HANDLERS: dict[str, Handler] = {"reindex": _reindex}


def run_one(app: Flask, db) -> bool:
    """Run the oldest queued job, if any; True if one ran."""
    job = jobs.claim(db)
    if job is None:
        return False

    def progress(done: int, total: int | None = None, message: str | None = None) -> None:
        jobs.report(db, job["id"], done, total, message)

    handler = HANDLERS.get(job["kind"])
    try:
        if handler is None:
            raise ValueError(f"未知的任务类型：{job['kind']}")
        handler(app, db, job["params"], progress)
    except Exception as exc:  # a failed job is recorded, the worker goes on
        log.error("job %s failed\n%s", job["id"], traceback.format_exc())
        jobs.finish(db, job["id"], error=f"{type(exc).__name__}: {exc}")
    else:
        jobs.finish(db, job["id"])
    return True


POLL_SECONDS = 0.25      # how often the index outbox and the job queue are looked at
HEALTH_SECONDS = 15.0    # how often the index is checked for corruption or staleness


def index_step(app: Flask, db) -> int:
    """Apply pending index changes; a failure is logged and retried next poll."""
    try:
        return search.drain(db, app.config["INDEX_DIR"])
    except Exception:
        log.exception("index update failed; retrying")
        return 0


def run(app: Flask, poll_seconds: float = POLL_SECONDS, stop_when_idle: bool = False) -> None:
    """Work until SIGTERM/SIGINT (or, with ``stop_when_idle``, until the queue is
    empty). Between jobs it keeps the search index in step with the outbox, and
    at start (and now and then) rebuilds a missing, corrupt or stale index."""
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    db = database.connect(app.config["DATABASE"])
    requeued = jobs.requeue_abandoned(db)
    if requeued:
        log.warning("requeued %d job(s) left running by a previous worker", requeued)
    checked = 0.0
    while not stopping:
        ran = run_one(app, db)  # first, so a queued reindex is not built twice
        if time.monotonic() - checked > HEALTH_SECONDS:
            checked = time.monotonic()
            try:
                search.ensure(db, app.config["INDEX_DIR"])
            except Exception:
                log.exception("search index check failed")
        index_step(app, db)
        if ran:
            continue
        if stop_when_idle:
            break
        time.sleep(poll_seconds)
    db.conn.close()
