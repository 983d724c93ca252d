"""Imports started from the back office: the uploaded files kept in
``instance/imports/<random token>/``, a dry-run job for the worker, the dry run's
report read back for the preview page, the confirmed import queued with the same
files and the curator's decisions, and what a finished import wrote.

The importing itself is :mod:`archive.exchange.importer`, run by the ``import`` job handler
in :mod:`archive.worker`."""

from __future__ import annotations

import json
import secrets
import shutil
import zipfile
from pathlib import Path
from typing import BinaryIO

import sqlite_utils

from archive import jobs
from archive.catalogue.uploads import UploadError, save_stream
from archive.catalogue.vocabulary import STATUSES
from archive.curation import editing
from archive.db import write
from archive.exchange import importer

SHEET_SUFFIXES = (".xlsx", ".xls", ".csv")
# Statuses an import may give new records (publishing goes through review).
NEW_STATUSES = {k: STATUSES[k] for k in ("draft", "review")}
DECISIONS = {
    "skip": "跳过",
    "create": "是另一个人：新建一条",
    "update": "是同一人：荣誉并入已有记录",
}
_BINARY_MAGIC = (
    b"PK\x03\x04",
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"\xd0\xcf\x11\xe0",
    b"GIF8",
    b"RIFF",
    b"\x1f\x8b",
)


class ImportJobError(UploadError):
    """A refused start or confirmation; the message (Chinese) says why."""


def folder_of(instance_dir: str | Path, token: str) -> Path:
    return Path(instance_dir) / "imports" / token


def _check_sheet(path: Path, suffix: str) -> None:
    with path.open("rb") as f:
        head = f.read(64 * 1024)
    if suffix == ".xlsx":
        try:
            with zipfile.ZipFile(path) as book:
                names = set(book.namelist())
        except (zipfile.BadZipFile, OSError):
            names = set()
        if "xl/workbook.xml" not in names:
            raise ImportJobError("这不是有效的 Excel 表格（.xlsx），请在 Excel 中另存后再上传")
    elif suffix == ".xls":
        if not head.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportJobError(
                "这不是有效的旧版 Excel 表格（.xls），请在 Excel 或 WPS 中另存后再上传"
            )
    elif b"\x00" in head or head.startswith(_BINARY_MAGIC):
        raise ImportJobError("这不是 CSV 文本表格，请上传 .xlsx 或 .csv 文件")


def save_files(
    instance_dir: str | Path,
    sheet: BinaryIO | None,
    sheet_name: str,
    photos: BinaryIO | None,
    max_bytes: int,
) -> dict:
    """Keep an uploaded sheet (and optional photo ZIP) in a new folder, checked by
    content and refused past ``max_bytes``; returns the job parameters for them."""
    suffix = Path(sheet_name or "").suffix.lower()
    if sheet is None or not sheet_name:
        raise ImportJobError("请选择要导入的表格文件（.xlsx 或 .csv）")
    if suffix not in SHEET_SUFFIXES:
        raise ImportJobError("只能导入 .xlsx、.xls 或 .csv 表格文件")
    token = secrets.token_urlsafe(16)
    folder = folder_of(instance_dir, token)
    try:
        saved = save_stream(sheet, folder, min(max_bytes, importer.MAX_FILE_BYTES), "表格文件")
        sheet_path = saved.rename(folder / f"sheet{suffix}")
        _check_sheet(sheet_path, suffix)
        photos_path = None
        if photos is not None:
            saved = save_stream(photos, folder, max_bytes, "照片压缩包")
            photos_path = saved.rename(folder / "photos.zip")
            if not zipfile.is_zipfile(photos_path):
                raise ImportJobError("照片压缩包必须是 ZIP 文件")
    except UploadError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return {
        "path": str(sheet_path),
        "photos": str(photos_path) if photos_path else None,
        "file_name": Path(sheet_name).name[:200],
        "report_path": str(folder / "report.json"),
    }


def start(db: sqlite_utils.Database, files: dict, status: str, user_id: int) -> int:
    """Queue the dry run of saved files; returns the job id."""
    if status not in NEW_STATUSES:
        raise ImportJobError("新记录的状态只能是草稿或待审核")
    return jobs.enqueue(
        db,
        "import",
        {
            **files,
            "policy": "ask",
            "decisions": {},
            "status": status,
            "dry_run": True,
            "user_id": user_id,
        },
    )


def get(db: sqlite_utils.Database, job_id: int) -> dict | None:
    """An import job with its parameters, report and (after a commit) results."""
    job = jobs.get(db, job_id)
    if job is None or job["kind"] != "import":
        return None
    job["params"] = json.loads(job["params"])
    job["report"] = None
    report_path = job["params"].get("report_path")
    if job["status"] in ("done", "failed") and report_path and Path(report_path).is_file():
        job["report"] = report = json.loads(Path(report_path).read_text(encoding="utf-8"))
        # the column notes are shown from dropped_columns/ignored_columns instead
        # shown from dropped_columns, ignored_columns, skipped_rows, new_titles instead
        report["notes"] = [
            w
            for w in report["warnings"]
            if w["row"]
            or not w["message"].startswith(("以下列", "以下行不是荣誉人物", "以下称号不在称号表中"))
        ]
    job["reason"] = reason(job)
    job["results"] = results(db, job_id) if not job["params"].get("dry_run") else []
    return job


# Refusals whose message is written for curators; any other failure is a fault.
_EXPLAINED = {"ImportRefused", "StalePlan", "ImportJobError", "RecordError", "EditError"}


def reason(job: dict) -> str | None:
    """Why a job failed, in Chinese: the refusal's own message, or for anything
    unforeseen a plain sentence (the exception stays in the worker's log)."""
    if not job["error"]:
        return None
    kind, _, message = job["error"].partition(": ")
    if kind in _EXPLAINED and message:
        return message
    return f"后台处理时出现意外错误，请把任务编号 {job['id']} 告诉管理员"


def status(job: dict) -> dict:
    """Where a job stands, for its page and its JSON status: the state, a headline,
    the stage (while running) or the final message (when finished), and progress."""
    dry = bool(job["params"].get("dry_run"))
    verb = "预检" if dry else "导入"
    report = job.get("report")
    finished = job["status"] in ("done", "failed")
    message = ""
    if job["status"] == "queued":
        headline = "排队中，等待后台程序处理……"
    elif job["status"] == "running":
        headline, message = f"正在{verb}……", job["message"] or ""
    elif job["status"] == "done":
        headline = "预检通过，尚未写入任何记录。" if dry else "导入完成。"
        message = job["message"] or ""
    elif report and dry and not report["errors"]:
        headline = (
            f"预检完成，尚未写入任何记录：有 {report['counts']['ask']} 条疑似重复记录"
            "需要在下面逐行选择处理方式。"
        )
    elif report and dry:
        headline, message = "预检未通过，未写入任何记录。", job["reason"] or ""
    else:
        headline, message = f"{verb}失败，未写入任何记录。", job["reason"] or ""
    total = job["total"] or 0
    return {
        "id": job["id"],
        "status": job["status"],
        "finished": finished,
        "headline": headline,
        "message": message,
        "progress": min(job["progress"] or 0, total) if total else 0,
        "total": total,
    }


def can_confirm(job: dict) -> bool:
    """A finished dry run whose report has no errors (duplicates are decided on
    the confirmation form)."""
    report = job.get("report")
    return bool(
        job["params"].get("dry_run")
        and report is not None
        and job["status"] in ("done", "failed")
        and not report["errors"]
    )


def can_import_valid(job: dict) -> bool:
    """A finished dry run with errors in some rows only: its valid rows can go in,
    the others come back as a fix-up sheet."""
    report = job.get("report")
    if not (
        job["params"].get("dry_run")
        and report is not None
        and job["status"] in ("done", "failed")
        and report["errors"]
    ):
        return False
    counts = report["counts"]
    valid = counts["rows"] - counts["invalid"]
    return all(e["row"] for e in report["errors"]) and valid > 0


def fixup_path(job: dict) -> Path | None:
    """The fix-up sheet (rows with errors and why) a finished job wrote, if any."""
    path = (job.get("report") or {}).get("fixup")
    return Path(path) if path and Path(path).is_file() else None


def confirm(db: sqlite_utils.Database, job: dict, form: dict, user_id: int) -> int:
    """Queue the real import of a dry run's files with the curator's per-row
    decisions (form fields ``decision-<row>``); returns the new job's id."""
    skip_invalid = form.get("skip_invalid") == "1"
    if not (can_import_valid(job) if skip_invalid else can_confirm(job)):
        raise ImportJobError("这次预检有错误或尚未完成，不能导入；请修改表格后重新上传")
    decisions = {}
    for duplicate in job["report"]["duplicates"]:
        choice = form.get(f"decision-{duplicate['row']}", "")
        if duplicate["row"] in job["report"]["invalid_rows"]:
            continue
        if choice not in DECISIONS:
            where = duplicate.get("where") or f"第 {duplicate['row']} 行"
            raise ImportJobError(f"请为{where}（{duplicate['name']}）选择跳过、新建或更新")
        decisions[str(duplicate["row"])] = choice
    params = job["params"]
    if importer.file_digest(params["path"]) != job["report"].get("file_sha256"):
        raise ImportJobError("表格文件在预检之后有了改动，请重新上传")
    folder = Path(params["report_path"]).parent
    return jobs.enqueue(
        db,
        "import",
        {
            **{k: params[k] for k in ("path", "photos", "file_name", "status", "policy")},
            "decisions": decisions,
            "dry_run": False,
            "user_id": user_id,
            "skip_invalid": skip_invalid,
            "sha256": job["report"]["file_sha256"],
            "dry_run_job": job["id"],
            "report_path": str(folder / f"report-{secrets.token_hex(4)}.json"),
        },
    )


def results(db: sqlite_utils.Database, job_id: int) -> list[dict]:
    """The records a finished import created or updated, in row order."""
    return [
        dict(r)
        for r in db.execute(
            """SELECT i.row_number, i.action, i.honoree_id, h.name
           FROM imports m JOIN import_items i ON i.import_id = m.id
           LEFT JOIN honorees h ON h.id = i.honoree_id
           WHERE m.job_id = ? ORDER BY i.row_number""",
            [job_id],
        )
    ]


def recent(db: sqlite_utils.Database, limit: int = 10) -> list[dict]:
    """The latest import jobs, for the import page."""
    found = []
    for job in jobs.recent(db, 100):
        if job["kind"] == "import" and len(found) < limit:
            params = json.loads(job["params"])
            found.append(
                {
                    **job,
                    "file_name": params.get("file_name"),
                    "dry_run": bool(params.get("dry_run")),
                }
            )
    return found


# --- acting on a finished import's records ------------------------------------------

BATCH_ACTIONS = {"publish": "发布本批记录", "submit": "提交本批审核"}
_OPEN = ("draft", "review")  # statuses a batch action still applies to


def _import_of(db: sqlite_utils.Database, job_id: int) -> dict | None:
    row = db.execute("SELECT id, user_id FROM imports WHERE job_id = ?", [job_id]).fetchone()
    return dict(row) if row else None


def _open_items(db: sqlite_utils.Database, import_id: int) -> list[dict]:
    return [
        dict(r)
        for r in db.execute(
            f"""SELECT h.id, h.status, h.submitted_by FROM import_items i
            JOIN honorees h ON h.id = i.honoree_id
            WHERE i.import_id = ? AND h.deleted_at IS NULL
              AND h.status IN ({", ".join("?" * len(_OPEN))})
            ORDER BY i.row_number""",
            [import_id, *_OPEN],
        )
    ]


def _unsubmitted(item: dict, found: dict, user: dict) -> bool:
    """A draft, or (for whoever ran the import) a record imported straight into
    review that nobody has yet put their name to."""
    return item["status"] == "draft" or (
        not item["submitted_by"] and found["user_id"] == user["id"]
    )


def batch_actions(
    db: sqlite_utils.Database, job: dict, user: dict, *, second_approver: bool
) -> dict[str, int]:
    """The batch actions the finished import's page offers ``user``, each with how
    many of the import's records (still drafts or in review) it would reach."""
    found = _import_of(db, job["id"]) if job["status"] == "done" else None
    if found is None:
        return {}
    items = _open_items(db, found["id"])
    if not second_approver or user["role"] == "admin":
        return {"publish": len(items)} if items else {}
    offered = {}
    unsubmitted = [i for i in items if _unsubmitted(i, found, user)]
    if unsubmitted:
        offered["submit"] = len(unsubmitted)
    approvable = [
        i
        for i in items
        if i["status"] == "review" and (i["submitted_by"] or found["user_id"]) != user["id"]
    ]
    if approvable:
        offered["publish"] = len(approvable)
    return offered


def act_on_batch(
    db: sqlite_utils.Database, job: dict, action: str, user: dict, *, second_approver: bool
) -> editing.BatchResult:
    """Publish (or submit for review) the records a finished import created or
    updated that are still drafts or in review, in one transaction, each as the
    single-record path would. Records imported straight into review count as
    submitted by whoever ran the import, so with ``second_approver`` that curator
    cannot publish them alone."""
    if action not in BATCH_ACTIONS:
        raise ImportJobError("未知的批量操作")
    with write(db):
        found = _import_of(db, job["id"]) if job["status"] == "done" else None
        if found is None:
            raise ImportJobError("这个任务没有导入任何记录")
        items = _open_items(db, found["id"])
        if action == "submit":  # another's unclaimed review records stay the importer's
            items = [
                i
                for i in items
                if i["status"] == "draft" or i["submitted_by"] or found["user_id"] == user["id"]
            ]
        ids = [i["id"] for i in items]
        return editing.change_status_many(
            db, ids, action, user, second_approver=second_approver, submitter=found["user_id"]
        )
