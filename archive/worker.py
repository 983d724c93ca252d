"""The background worker: the only runner of long jobs and the only writer of the
search index. Started beside gunicorn by ``flask --app archive serve``."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from . import db as database
from . import jobs, search

log = logging.getLogger("archive.worker")

Handler = Callable[[Flask, object, dict, Callable[..., None]], None]


def _reindex(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    search.rebuild(
        db, app.config["INDEX_DIR"], progress=progress, engine=app.config["SEARCH_ENGINE"]
    )


def _import(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    """Import a spreadsheet (params: path, photos, policy, decisions, status,
    dry_run, user_id, file_name, report_path, and optionally sha256: the dry run's
    digest, so that a file changed since the preview is refused). A summary goes into
    the job's message, the whole report (errors by row) into ``report_path`` when given."""
    from archive.exchange import importer

    if params.get("sha256") and importer.file_digest(params["path"]) != params["sha256"]:
        raise importer.ImportRefused("表格文件在预检之后有了改动，请重新上传并预检")
    plan, done = importer.run(
        db,
        params["path"],
        app.config["MEDIA_DIR"],
        dry_run=bool(params.get("dry_run")),
        progress=progress,
        photos=params.get("photos"),
        policy=params.get("policy", "ask"),
        decisions={int(k): v for k, v in (params.get("decisions") or {}).items()},
        default_status=params.get("status", "draft"),
        file_name=params.get("file_name"),
        skip_invalid=bool(params.get("skip_invalid")),
        user_id=params.get("user_id"),
        job_id=params.get("job_id"),
    )
    counts = plan.counts()
    if params.get("report_path"):  # the full report, for the preview page
        import json
        from pathlib import Path

        report = plan.report()
        fixup = Path(params["report_path"]).with_name("待修正.xlsx")
        if importer.fixup_sheet(plan, fixup):
            report["fixup"] = str(fixup)
        Path(params["report_path"]).write_text(
            json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    if not plan.ok:
        raise importer.ImportRefused(
            f"未导入：{len(plan.errors)} 处错误，{len(plan.undecided)} 条同名记录待确认"
        )
    summary = (
        f"新建 {counts['create']}，更新 {counts['update']}，"
        f"待确认修改 {counts['propose']}，未变 {counts['unchanged']}，"
        f"跳过 {counts['skip']}"
        + (f"，有错误未导入 {counts['invalid']}" if plan.skip_invalid else "")
    )
    progress(
        counts["rows"], counts["rows"], ("预检通过：" if done is None else "已导入：") + summary
    )


def _print(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    """A print batch (posters, labels or a record book) into MEDIA_DIR/print/."""
    from archive.printing import batches
    from archive.printing import runs as printing

    selection = printing.Selection.from_json(params.get("selection") or {})
    out = batches.output_path(app.config["MEDIA_DIR"], params["output"])
    batch = batches.plan(db, app.config, params["format"], selection)
    progress(0, len(batch.items), "正在生成")
    step = max(1, len(batch.items) // 50)  # at most ~50 progress writes per batch

    def drawn(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            progress(done, total, f"已完成 {done}/{total}")

    printed = batches.produce(
        db,
        app.config,
        params["format"],
        selection,
        out,
        bleed=bool(params.get("bleed")),
        progress=drawn,
        batch=batch,
        mode=params.get("mode", "view"),
    )
    notes = f"；注意：{'；'.join(printed.warnings)}" if printed.warnings else ""
    progress(
        len(batch.items),
        len(batch.items),
        f"已完成：{printed.pages} 页，印次 {printed.run['tag']}{notes}",
    )


def _hall(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    """Draw an exhibition's generated hall again (params: exhibition_id)."""
    from .halls import generate

    done = generate.generate(db, app.config, int(params["exhibition_id"]), progress)
    progress(
        done["rooms"],
        done["rooms"],
        f"已完成：{done['rooms']} 个展室，{done['portraits']} 幅肖像，用时 {done['seconds']:.0f} 秒",
    )


def _hall_panorama(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    """Cut an uploaded panorama into tiles (params: scene_id); the scene is then usable."""
    from .halls import panoramas

    done = panoramas.convert(db, app.config["MEDIA_DIR"], int(params["scene_id"]), progress)
    progress(3, 3, "已完成：全景照片已切成瓦片" if done else "场景已删除或已处理，无需再切分")


HANDLERS: dict[str, Handler] = {
    "reindex": _reindex,
    "import": _import,
    "print": _print,
    "hall": _hall,
    "hall-panorama": _hall_panorama,
}


def hall_step(app: Flask, db) -> int:
    """Queue a redraw of every generated hall whose exhibition changed (an honoree
    withdrawn, a portrait or name changed, a section reordered, a new theme) and
    that has no redraw waiting. Until redrawn, a scene showing someone no longer
    public is not served at all (halls.store.public_hall)."""
    from .halls import store

    try:
        queued = {
            json.loads(r[0]).get("exhibition_id")
            for r in db.execute(
                "SELECT params FROM jobs WHERE kind = 'hall' AND status IN ('queued', 'running')"
            )
        }
        found = 0
        for exhibition_id in store.stale(db, int(app.config["HALL_CUBE_SIZE"])):
            if exhibition_id not in queued:
                jobs.enqueue(db, "hall", {"exhibition_id": exhibition_id})
                found += 1
        return found
    except Exception:
        log.exception("hall check failed")
        return 0


def run_one(app: Flask, db) -> bool:
    """Run the oldest queued job, if any; True if one ran."""
    job = jobs.claim(db)
    if job is None:
        return False

    def progress(done: int, total: int | None = None, message: str | None = None) -> None:
        jobs.report(db, job["id"], done, total, message)

    from archive.exchange.sheets import ImportRefused

    handler = HANDLERS.get(job["kind"])
    try:
        if handler is None:
            raise jobs.Refused(f"未知的任务类型：{job['kind']}")
        handler(app, db, {**job["params"], "job_id": job["id"]}, progress)
    except (jobs.Refused, ImportRefused) as exc:  # bad input: trying again cannot help
        jobs.finish(db, job["id"], error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a failed job is recorded, the worker goes on
        log.error("job %s failed\n%s", job["id"], traceback.format_exc())
        jobs.retry_or_fail(
            db, job["id"], f"{type(exc).__name__}: {exc}", app.config["JOB_MAX_ATTEMPTS"]
        )
    else:
        jobs.finish(db, job["id"])
    return True


POLL_SECONDS = 0.25  # how often the index outbox and the job queue are looked at
HEALTH_SECONDS = 15.0  # how often the index is checked for corruption or staleness
HEARTBEAT_SECONDS = 2.0  # how often the worker says it is alive (see /healthz)


def heartbeat_path(app: Flask) -> Path:
    return Path(app.instance_path) / "worker.heartbeat"


def heartbeat(app: Flask) -> dict:
    """The worker as /healthz sees it: up or down, its process id and how many
    seconds ago it last said it was alive (a thread does, even during a long job)."""
    path = heartbeat_path(app)
    try:
        pid = int(path.read_text().strip() or 0)
        age = max(0.0, time.time() - path.stat().st_mtime)
    except (OSError, ValueError):
        return {"state": "down", "pid": None, "age": None}
    alive = pid > 0 and age < app.config["WORKER_STALE_SECONDS"]
    if alive:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            alive = False
        except PermissionError:
            pass
    return {"state": "up" if alive else "down", "pid": pid, "age": round(age, 1)}


class _Heartbeat(threading.Thread):
    """Touches the heartbeat file every few seconds until stopped."""

    def __init__(self, path: Path):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.path = path
        self.done = threading.Event()

    def run(self) -> None:
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
                tmp.write_text(str(os.getpid()))
                os.replace(tmp, self.path)
            except OSError:
                log.warning("heartbeat not written", exc_info=True)
            if self.done.wait(HEARTBEAT_SECONDS):
                return

    def stop(self) -> None:
        self.done.set()
        self.join(5)
        try:
            if self.path.read_text().strip() == str(os.getpid()):
                self.path.unlink()
        except OSError:
            pass


def index_step(app: Flask, db) -> int:
    """Apply pending index changes; a failure is logged and retried next poll."""
    try:
        return search.drain(db, app.config["INDEX_DIR"], engine=app.config["SEARCH_ENGINE"])
    except Exception:
        log.exception("index update failed; retrying")
        return 0


FOLD_SECONDS = 1.0  # how often spooled QR scans are folded into the scans table
ORPHAN_SECONDS = 600.0  # how often orphan media files are looked for
_last = {"fold": 0.0, "orphans": 0.0}


def housekeeping(app: Flask, db, requeued: int = 0) -> None:
    """Fold spooled scans; now and then (and after a restart that found a job
    interrupted, e.g. a killed import) remove media files no record refers to."""
    from archive import cleanup
    from archive.catalogue import scans

    clock = time.monotonic()
    if clock - _last["fold"] >= FOLD_SECONDS:
        _last["fold"] = clock
        try:
            scans.fold(db, scans.spool_dir(app.instance_path))
        except Exception:
            log.exception("scan spool not folded; retrying")
    if requeued or clock - _last["orphans"] >= ORPHAN_SECONDS:
        _last["orphans"] = clock
        try:
            gone = cleanup.remove_orphans(
                db, app.config["MEDIA_DIR"], app.config["ORPHAN_GRACE_MINUTES"] * 60
            )
            if gone.files:
                log.warning(
                    "removed %d orphan media file(s), %d bytes", len(gone.files), gone.bytes
                )
        except Exception:
            log.exception("orphan media sweep failed")


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
    beat = _Heartbeat(heartbeat_path(app))
    beat.start()
    db = database.open_for(app.config)
    try:
        requeued = jobs.requeue_abandoned(db, app.config["JOB_MAX_ATTEMPTS"])
        if requeued:
            log.warning("requeued %d job(s) left running by a previous worker", requeued)
        checked = 0.0
        halls_checked = 0.0
        redraw = float(app.config.get("HALL_REDRAW_SECONDS") or 0)
        while not stopping:
            if redraw and time.monotonic() - halls_checked > redraw:
                halls_checked = time.monotonic()
                hall_step(app, db)
            ran = run_one(app, db)  # first, so a queued reindex is not built twice
            if time.monotonic() - checked > HEALTH_SECONDS:
                checked = time.monotonic()
                try:
                    search.ensure(db, app.config["INDEX_DIR"], engine=app.config["SEARCH_ENGINE"])
                except Exception:
                    log.exception("search index check failed")
            index_step(app, db)
            housekeeping(app, db, requeued=requeued)
            requeued = 0
            if ran:
                continue
            if stop_when_idle:
                break
            time.sleep(poll_seconds)
    finally:
        db.conn.close()
        beat.stop()


# --- narration and convergent-media products ---------------------------------------


def _narration_encode(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    """Re-encode an uploaded recording to AAC-LC .m4a; it is then public."""
    from archive.curation import narration

    progress(0, 1, "正在转码")
    done = narration.encode_recording(db, app.config["MEDIA_DIR"], params["narration_id"])
    progress(1, 1, f"已转码：{done['duration_s']:.0f} 秒")


def _narration_synth(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    """Synthesise a story with the offline engine; the result waits for approval."""
    from archive.curation import narration

    narration.synthesise(
        db,
        app.config,
        params["honoree_id"],
        params.get("user_id"),
        progress=progress,
        job_id=params.get("job_id"),
    )


def _share_video(app: Flask, db, params: dict, progress: Callable[..., None]) -> None:
    """A short vertical video of a profile into MEDIA_DIR/products/."""
    from archive.printing import shortvideo

    made = shortvideo.produce(
        db, app.config, params["honoree_id"], params["output"], progress=progress
    )
    progress(100, 100, f"已完成：{made.duration_s:.0f} 秒，{made.bytes / 1e6:.1f} MB")


HANDLERS.update(
    {
        "narration-encode": _narration_encode,
        "narration-synth": _narration_synth,
        "share-video": _share_video,
    }
)
