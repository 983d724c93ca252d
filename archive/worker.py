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


def _print(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    """A print batch (posters, labels or a record book) into MEDIA_DIR/print/."""
    from . import batches, printing

    selection = printing.Selection.from_json(params.get("selection") or {})
    out = batches.output_path(app.config["MEDIA_DIR"], params["output"])
    batch = batches.plan(db, app.config, params["format"], selection)
    progress(0, len(batch.items), "正在生成")
    step = max(1, len(batch.items) // 50)  # at most ~50 progress writes per batch

    def drawn(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            progress(done, total, f"已完成 {done}/{total}")

    printed = batches.produce(db, app.config, params["format"], selection, out,
                              bleed=bool(params.get("bleed")), progress=drawn, batch=batch)
    notes = f"；注意：{'；'.join(printed.warnings)}" if printed.warnings else ""
    progress(len(batch.items), len(batch.items),
             f"已完成：{printed.pages} 页，印次 {printed.run['tag']}{notes}")


HANDLERS: dict[str, Handler] = {"reindex": _reindex, "print": _print}


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


def run(app: Flask, poll_seconds: float = 1.0, stop_when_idle: bool = False) -> None:
    """Work until SIGTERM/SIGINT (or, with ``stop_when_idle``, until the queue is empty)."""
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
    while not stopping:
        if run_one(app, db):
            continue
        if stop_when_idle:
            break
        time.sleep(poll_seconds)
    db.conn.close()
