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


def _import(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    """Import a spreadsheet (params: path, photos, policy, decisions, status,
    dry_run, user_id, file_name, report_path, and optionally sha256: the dry run's
    digest, so that a file changed since the preview is refused). A summary goes into
    the job's message, the whole report (errors by row) into ``report_path`` when given."""
    from . import importer

    if params.get("sha256") and importer.file_digest(params["path"]) != params["sha256"]:
        raise importer.ImportRefused("表格文件在预检之后有了改动，请重新上传并预检")
    plan, done = importer.run(
        db, params["path"], app.config["MEDIA_DIR"], dry_run=bool(params.get("dry_run")),
        progress=progress, photos=params.get("photos"), policy=params.get("policy", "ask"),
        decisions={int(k): v for k, v in (params.get("decisions") or {}).items()},
        default_status=params.get("status", "draft"), file_name=params.get("file_name"),
        skip_invalid=bool(params.get("skip_invalid")),
        user_id=params.get("user_id"), job_id=params.get("job_id"))
    counts = plan.counts()
    if params.get("report_path"):  # the full report, for the preview page
        import json
        from pathlib import Path
        report = plan.report()
        fixup = Path(params["report_path"]).with_name("待修正.xlsx")
        if importer.fixup_sheet(plan, fixup):
            report["fixup"] = str(fixup)
        Path(params["report_path"]).write_text(
            json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if not plan.ok:
        raise importer.ImportRefused(
            f"未导入：{len(plan.errors)} 处错误，{len(plan.undecided)} 条同名记录待确认")
    summary = (f"新建 {counts['create']}，更新 {counts['update']}，"
               f"待确认修改 {counts['propose']}，未变 {counts['unchanged']}，"
               f"跳过 {counts['skip']}" + (f"，有错误未导入 {counts['invalid']}"
                                          if plan.skip_invalid else ""))
    progress(counts["rows"], counts["rows"], ("预检通过：" if done is None else "已导入：") + summary)


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
                              bleed=bool(params.get("bleed")), progress=drawn, batch=batch,
                              mode=params.get("mode", "view"))
    notes = f"；注意：{'；'.join(printed.warnings)}" if printed.warnings else ""
    progress(len(batch.items), len(batch.items),
             f"已完成：{printed.pages} 页，印次 {printed.run['tag']}{notes}")


HANDLERS: dict[str, Handler] = {"reindex": _reindex, "import": _import, "print": _print}


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
        handler(app, db, {**job["params"], "job_id": job["id"]}, progress)
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


# --- narration and convergent-media products ---------------------------------------

def _narration_encode(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    """Re-encode an uploaded recording to AAC-LC .m4a; it is then public."""
    from . import narration

    progress(0, 1, "正在转码")
    done = narration.encode_recording(db, app.config["MEDIA_DIR"], params["narration_id"])
    progress(1, 1, f"已转码：{done['duration_s']:.0f} 秒")


def _narration_synth(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    """Synthesise a story with the offline engine; the result waits for approval."""
    from . import narration

    narration.synthesise(db, app.config, params["honoree_id"], params.get("user_id"),
                         progress=progress, job_id=params.get("job_id"))


def _share_video(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    """A short vertical video of a profile into MEDIA_DIR/products/."""
    from . import shortvideo

    made = shortvideo.produce(db, app.config, params["honoree_id"], params["output"],
                              progress=progress)
    progress(100, 100, f"已完成：{made.duration_s:.0f} 秒，{made.bytes / 1e6:.1f} MB")


HANDLERS.update({"narration-encode": _narration_encode, "narration-synth": _narration_synth,
                 "share-video": _share_video})
