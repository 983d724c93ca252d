"""Curators' changes to honorees: every function here is one change, written in one
``BEGIN IMMEDIATE`` transaction together with its revision snapshot and its index
outbox row, and bumps the record's version (edit conflicts are detected by it)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from archive.catalogue import audit, honorees, media
from archive.catalogue.honorees import RecordError
from archive.catalogue.vocabulary import COLLECTIVE_TYPES, GENDERS, KINDS, LEVELS
from archive.db import write
from archive.timeutil import now

TEXT_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "province",
    "city",
    "county",
    "region_code",
    "unit",
    "position",
    "nominator",
    "industry",
    "summary",
    "story",
    "quote",
    "note",
    "name_en",
    "summary_en",
    "story_en",
)
MAX_TEXT = {
    "story": 100_000,
    "summary": 2_000,
    "quote": 2_000,
    "note": 2_000,
    "story_en": 100_000,
    "summary_en": 2_000,
}
# the fields' names in messages to curators
FIELD_NAMES = {
    "name": "姓名或集体名称",
    "gender": "性别",
    "ethnicity": "民族",
    "province": "省",
    "city": "市",
    "county": "县区",
    "region_code": "行政区划代码",
    "unit": "工作单位",
    "position": "职务",
    "nominator": "推荐单位",
    "industry": "行业",
    "summary": "主要事迹",
    "story": "事迹正文",
    "quote": "感言",
    "note": "备注",
    "name_en": "英文姓名或名称",
    "summary_en": "英文简介",
    "story_en": "英文事迹",
}
STATUS_ACTIONS = {
    "submit": "提交审核",
    "publish": "发布",
    "reject": "退回修改",
    "withdraw": "撤回",
    "redraft": "改回草稿",
}


class Conflict(Exception):
    """The record changed since the curator opened it (their version is older)."""

    def __init__(self, current: dict):
        super().__init__("版本冲突")
        self.current = current


class EditError(RecordError):
    """A change that is not allowed as asked; the message is for curators."""


# --- reading for the back office --------------------------------------------------


def get(db: sqlite_utils.Database, honoree_id: int) -> dict | None:
    """Everything the edit page shows, whatever the status (deleted included)."""
    row = db.execute("SELECT * FROM honorees WHERE id = ?", [honoree_id]).fetchone()
    if row is None:
        return None
    record = dict(row)
    record["honours"] = [
        dict(r)
        for r in db.execute(
            "SELECT * FROM honours WHERE honoree_id = ? ORDER BY year, position, id", [honoree_id]
        )
    ]
    record["photos"] = [
        dict(r)
        for r in db.execute(
            """SELECT * FROM photos WHERE honoree_id = ? AND id NOT IN
               (SELECT poster_photo_id FROM videos WHERE poster_photo_id IS NOT NULL)
           ORDER BY is_portrait DESC, position, id""",
            [honoree_id],
        )
    ]
    files = media.variants_by_photo(db, [p["id"] for p in record["photos"]])
    for photo in record["photos"]:
        photo["files"] = files.get(photo["id"], {"webp": [], "jpeg": []})
    record["videos"] = [
        dict(r)
        for r in db.execute(
            "SELECT * FROM videos WHERE honoree_id = ? ORDER BY position, id", [honoree_id]
        )
    ]
    record["members"] = [
        dict(r)
        for r in db.execute(
            """SELECT h.id, h.name, h.status, h.deleted_at FROM members m
           JOIN honorees h ON h.id = m.member_id WHERE m.collective_id = ?
           ORDER BY m.position""",
            [honoree_id],
        )
    ]
    record["member_of"] = [
        dict(r)
        for r in db.execute(
            """SELECT h.id, h.name FROM members m JOIN honorees h ON h.id = m.collective_id
           WHERE m.member_id = ?""",
            [honoree_id],
        )
    ]
    record["codes"] = [
        r[0]
        for r in db.execute(
            "SELECT code FROM short_codes WHERE honoree_id = ? ORDER BY created_at, code",
            [honoree_id],
        )
    ]
    record["submitted_by_name"] = None
    if record["submitted_by"]:
        user = db.execute(
            "SELECT display_name FROM users WHERE id = ?", [record["submitted_by"]]
        ).fetchone()
        record["submitted_by_name"] = user[0] if user else None
    return record


def listing(
    db: sqlite_utils.Database,
    text: str = "",
    status: str = "",
    deleted: bool = False,
    limit: int = 100,
) -> list[dict]:
    """Records for the back-office list: newest change first."""
    where, params = ["h.deleted_at IS NOT NULL" if deleted else "h.deleted_at IS NULL"], []
    if status:
        where.append("h.status = ?")
        params.append(status)
    if text:
        like = f"%{text}%"
        where.append(
            "(h.name LIKE ? OR h.name_pinyin LIKE ? OR h.name_initials LIKE ? "
            "OR h.unit LIKE ? OR h.code = ? OR CAST(h.id AS TEXT) = ?)"
        )
        params += [like, like.replace(" ", ""), like, like, text.upper(), text]
    return [
        dict(r)
        for r in db.execute(
            f"""SELECT h.id, h.code, h.name, h.kind, h.status, h.unit, h.updated_at, h.deleted_at,
                   h.version FROM honorees h WHERE {" AND ".join(where)}
            ORDER BY h.updated_at DESC, h.id DESC LIMIT ?""",
            [*params, limit],
        )
    ]


def picker_label(record: dict) -> str:
    """How a record is offered in a picker: the name, the unit, the number that
    tells namesakes apart (read back by :func:`pick`)."""
    return " · ".join(filter(None, [record["name"], record.get("unit"), f"编号 {record['id']}"]))


def pick(db: sqlite_utils.Database, text: str) -> int:
    """The record a curator picked by name: an option of the search picker
    (…编号 12), a number, or a name that only one record has."""
    text = (text or "").strip()
    found = re.search(r"编号\s*(\d{1,18})\s*$", text, re.ASCII) or re.fullmatch(
        r"(\d{1,18})", text, re.ASCII
    )
    if found:
        return int(found.group(1))
    if not text:
        raise EditError("请输入姓名或名称，从列表中选择")
    same = db.execute(
        "SELECT id, name, unit FROM honorees WHERE name = ? AND deleted_at IS NULL ORDER BY id",
        [text],
    ).fetchall()
    if len(same) == 1:
        return same[0]["id"]
    if not same:
        raise EditError(f"没有找到“{text}”，请输入姓名的一部分，从列表中选择")
    raise EditError(
        "同名的记录有："
        + "、".join(picker_label(dict(r)) for r in same)
        + "；请从列表中选择其中一条"
    )


def titles(db: sqlite_utils.Database) -> list[dict]:
    return [dict(r) for r in db.execute("SELECT * FROM honour_titles ORDER BY position, title")]


# --- parsing what a form sent -------------------------------------------------------


def _int_or_none(value: Any, label: str, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise EditError(f"{label}必须是数字") from None
    if not low <= number <= high:
        raise EditError(f"{label}应在 {low} 到 {high} 之间")
    return number


def clean_record(form: dict) -> dict:
    """The editable fields of an honoree from a form, checked."""
    record: dict[str, Any] = {}
    for field in TEXT_FIELDS:
        value = (form.get(field) or "").replace("\r\n", "\n")
        if field not in ("story", "story_en"):
            value = value.strip()
        if len(value) > MAX_TEXT.get(field, 500):
            raise EditError(f"“{FIELD_NAMES.get(field, field)}”太长了")
        record[field] = value or None
    record["story"] = record["story"] or ""
    if record["gender"] not in (None, *GENDERS):
        raise EditError("性别只能是“男”或“女”，集体或不详时留空")
    if not record["name"]:
        raise EditError("姓名或集体名称不能为空")
    record["kind"] = form.get("kind") or "individual"
    if record["kind"] not in KINDS:
        raise EditError("类别必须是个人或集体")
    record["collective_type"] = form.get("collective_type") or None
    if record["kind"] == "individual":
        record["collective_type"] = None
    elif record["collective_type"] not in (None, *COLLECTIVE_TYPES):
        raise EditError("集体类型不正确")
    record["birth_year"] = _int_or_none(form.get("birth_year"), "出生年份", 1880, 2030)
    record["birth_month"] = _int_or_none(form.get("birth_month"), "出生月份", 1, 12)
    record["featured"] = int(bool(form.get("featured")))
    return record


def clean_honour(db: sqlite_utils.Database, form: dict) -> dict:
    title = (form.get("title") or "").strip()
    row = db.execute("SELECT level FROM honour_titles WHERE title = ?", [title]).fetchone()
    if row is None:
        raise EditError(f"荣誉称号“{title}”不在称号表中")
    level = form.get("level") or row["level"]
    if level not in LEVELS:
        raise EditError("级别不正确")
    year = _int_or_none(form.get("year"), "获得年份", 1949, 2100)
    if year is None:
        raise EditError("请填写获得年份")
    return {
        "title": title,
        "level": level,
        "year": year,
        "body": (form.get("body") or "").strip() or None,
        "document_no": (form.get("document_no") or "").strip() or None,
        "citation": (form.get("citation") or "").strip() or None,
        "revoked": int(bool(form.get("revoked"))),
    }


# --- changes ------------------------------------------------------------------------


def _require(db: sqlite_utils.Database, honoree_id: int) -> dict:
    row = db.execute("SELECT * FROM honorees WHERE id = ?", [honoree_id]).fetchone()
    if row is None:
        raise EditError("没有这条记录")
    return dict(row)


def _touched(
    db: sqlite_utils.Database,
    honoree_id: int,
    action: str,
    user: dict | None,
    expected_version: int | None = None,
) -> int:
    """Bump the version (checking the one the curator saw, if given), then write the
    revision and the index outbox row. Returns the new version."""
    if expected_version is None:
        db.execute(
            "UPDATE honorees SET version = version + 1, updated_at = ? WHERE id = ?",
            [now(), honoree_id],
        )
    else:
        changed = db.execute(
            """UPDATE honorees SET version = version + 1, updated_at = ?
               WHERE id = ? AND version = ?""",
            [now(), honoree_id, expected_version],
        ).rowcount
        if not changed:
            raise Conflict(get(db, honoree_id))
    honorees.record_revision(db, honoree_id, action, user["id"] if user else None)
    honorees.note_change(db, honoree_id)
    return db.execute("SELECT version FROM honorees WHERE id = ?", [honoree_id]).fetchone()[0]


def create(db: sqlite_utils.Database, form: dict, user: dict) -> int:
    record = clean_record(form)
    record["status"] = "draft"
    with write(db):
        return honorees.create(db, record, [], user_id=user["id"])


def save(
    db: sqlite_utils.Database, honoree_id: int, form: dict, expected_version: int, user: dict
) -> int:
    """Save the edit form. Raises :class:`Conflict` if someone saved in between
    (nothing is written then), :class:`EditError` for bad input."""
    record = clean_record(form)
    record.update(honorees.name_columns(record["name"], record["kind"]))
    with write(db):
        if _require(db, honoree_id)["version"] != expected_version:
            raise Conflict(get(db, honoree_id))  # before writing: show theirs as saved
        assignments = ", ".join(f"{k} = ?" for k in record)
        db.execute(
            f"UPDATE honorees SET {assignments} WHERE id = ?", [*record.values(), honoree_id]
        )
        return _touched(db, honoree_id, "edit", user, expected_version)


def add_honour(db: sqlite_utils.Database, honoree_id: int, form: dict, user: dict) -> int:
    honour = clean_honour(db, form)
    with write(db):
        _require(db, honoree_id)
        position = db.execute(
            "SELECT coalesce(max(position) + 1, 0) FROM honours WHERE honoree_id = ?", [honoree_id]
        ).fetchone()[0]
        honour_id = honorees.add_honour(db, honoree_id, honour, position)
        honorees.refresh_latest_year(db, honoree_id)
        _touched(db, honoree_id, "honour_add", user)
    return honour_id


def update_honour(
    db: sqlite_utils.Database, honoree_id: int, honour_id: int, form: dict, user: dict
) -> None:
    honour = clean_honour(db, form)
    with write(db):
        assignments = ", ".join(f"{k} = ?" for k in honour)
        if not db.execute(
            f"UPDATE honours SET {assignments} WHERE id = ? AND honoree_id = ?",
            [*honour.values(), honour_id, honoree_id],
        ).rowcount:
            raise EditError("没有这项荣誉")
        honorees.refresh_latest_year(db, honoree_id)
        _touched(db, honoree_id, "honour_edit", user)


def set_honour_revoked(
    db: sqlite_utils.Database, honoree_id: int, honour_id: int, revoked: bool, user: dict
) -> None:
    """Revoke (or reinstate) one honour on its own; the others stay."""
    with write(db):
        if not db.execute(
            "UPDATE honours SET revoked = ? WHERE id = ? AND honoree_id = ?",
            [int(revoked), honour_id, honoree_id],
        ).rowcount:
            raise EditError("没有这项荣誉")
        honorees.refresh_latest_year(db, honoree_id)
        _touched(db, honoree_id, "honour_revoke" if revoked else "honour_reinstate", user)


def delete_honour(db: sqlite_utils.Database, honoree_id: int, honour_id: int, user: dict) -> None:
    with write(db):
        if not db.execute(
            "DELETE FROM honours WHERE id = ? AND honoree_id = ?", [honour_id, honoree_id]
        ).rowcount:
            raise EditError("没有这项荣誉")
        honorees.refresh_latest_year(db, honoree_id)
        _touched(db, honoree_id, "honour_delete", user)


def update_photo(
    db: sqlite_utils.Database, honoree_id: int, photo_id: int, form: dict, user: dict
) -> None:
    alt = (form.get("alt") or "").strip()
    if not alt:
        raise EditError("请填写照片的替代文字（供读屏软件朗读，例如“张三在车间检修设备”）")
    with write(db):
        if not db.execute(
            """UPDATE photos SET alt = ?, caption = ?, credit = ? WHERE id = ?
                   AND honoree_id = ?""",
            [
                alt[:300],
                (form.get("caption") or "").strip()[:500] or None,
                (form.get("credit") or "").strip()[:200] or None,
                photo_id,
                honoree_id,
            ],
        ).rowcount:
            raise EditError("没有这张照片")
        if form.get("is_portrait"):
            db.execute(
                "UPDATE photos SET is_portrait = (id = ?) WHERE honoree_id = ?",
                [photo_id, honoree_id],
            )
        _touched(db, honoree_id, "photo_edit", user)


def move_photo(
    db: sqlite_utils.Database, honoree_id: int, photo_id: int, step: int, user: dict
) -> None:
    with write(db):
        ids = [
            r[0]
            for r in db.execute(
                "SELECT id FROM photos WHERE honoree_id = ? ORDER BY position, id", [honoree_id]
            )
        ]
        if photo_id not in ids:
            raise EditError("没有这张照片")
        index = ids.index(photo_id)
        target = max(0, min(len(ids) - 1, index + step))
        ids.insert(target, ids.pop(index))
        for position, pid in enumerate(ids):
            db.execute("UPDATE photos SET position = ? WHERE id = ?", [position, pid])
        _touched(db, honoree_id, "photo_move", user)


def delete_photo(db: sqlite_utils.Database, honoree_id: int, photo_id: int, user: dict) -> None:
    """Remove a photo from the record. Its files stay on disk (content-named and
    unreferenced), so restoring an earlier revision brings it back."""
    with write(db):
        if not db.execute(
            "DELETE FROM photos WHERE id = ? AND honoree_id = ?", [photo_id, honoree_id]
        ).rowcount:
            raise EditError("没有这张照片")
        _touched(db, honoree_id, "photo_delete", user)


def delete_video(db: sqlite_utils.Database, honoree_id: int, video_id: int, user: dict) -> None:
    with write(db):
        row = db.execute(
            "SELECT poster_photo_id FROM videos WHERE id = ? AND honoree_id = ?",
            [video_id, honoree_id],
        ).fetchone()
        if row is None:
            raise EditError("没有这段视频")
        db.execute("DELETE FROM videos WHERE id = ?", [video_id])
        if row[0]:
            db.execute("DELETE FROM photos WHERE id = ?", [row[0]])
        _touched(db, honoree_id, "video_delete", user)


def add_member(db: sqlite_utils.Database, collective_id: int, member_id: int, user: dict) -> None:
    with write(db):
        collective = _require(db, collective_id)
        if collective["kind"] != "collective":
            raise EditError("只有集体才能添加成员")
        member = db.execute(
            "SELECT kind FROM honorees WHERE id = ? AND deleted_at IS NULL", [member_id]
        ).fetchone()
        if member is None or member[0] != "individual" or member_id == collective_id:
            raise EditError("成员必须是已有的个人记录（请填写其编号）")
        position = db.execute(
            "SELECT coalesce(max(position) + 1, 0) FROM members WHERE collective_id = ?",
            [collective_id],
        ).fetchone()[0]
        honorees.add_member(db, collective_id, member_id, position)
        _touched(db, collective_id, "member_add", user)
        honorees.note_change(db, member_id)


def remove_member(
    db: sqlite_utils.Database, collective_id: int, member_id: int, user: dict
) -> None:
    with write(db):
        if not db.execute(
            "DELETE FROM members WHERE collective_id = ? AND member_id = ?",
            [collective_id, member_id],
        ).rowcount:
            raise EditError("没有这个成员")
        _touched(db, collective_id, "member_remove", user)
        honorees.note_change(db, member_id)


# Why a status action is refused: the message for one record, and the phrase for a
# count of them in a batch report ("3 条…").
REFUSALS = {
    "missing": ("没有这条记录", "{n} 条记录不存在"),
    "deleted": ("这条记录已删除，请先恢复", "{n} 条已删除，未处理"),
    "own_submission": (
        "需要另一位策展人或管理员审核后才能发布您自己提交的记录",
        "{n} 条需要另一位审核人批准，未发布",
    ),
    "not_submitted": (
        "请先提交审核，由另一位策展人或管理员批准后发布",
        "{n} 条尚未提交审核，未发布",
    ),
    "in_review": ("这条记录已在审核中", "{n} 条已在审核中"),
    "wrong_status": ("当前状态下不能“{action}”", "{n} 条当前状态下不能{action}，未处理"),
}
DONE = {
    "submit": "已提交审核 {n} 条",
    "publish": "已发布 {n} 条",
    "reject": "已退回修改 {n} 条",
    "withdraw": "已撤回 {n} 条",
    "redraft": "已改回草稿 {n} 条",
}


class StatusRefused(EditError):
    """A status action that does not apply to a record; ``reason`` is a REFUSALS key."""

    def __init__(self, reason: str, action: str):
        self.reason = reason
        super().__init__(REFUSALS[reason][0].format(action=STATUS_ACTIONS.get(action, action)))


def _next_status(
    record: dict, action: str, user: dict, second_approver: bool, submitter: int | None
) -> str:
    """The status ``action`` leads to from ``record``'s, or :class:`StatusRefused`.
    ``submitter`` stands for ``submitted_by`` where that is empty (a batch's importer)."""
    if record["deleted_at"]:
        raise StatusRefused("deleted", action)
    status = record["status"]
    if action == "submit":
        if status in ("draft", "withdrawn"):
            return "review"
        if status == "review" and not record["submitted_by"]:
            return "review"  # in review without anyone's name on it: this user submits it
        raise StatusRefused("in_review" if status == "review" else "wrong_status", action)
    if action == "publish":
        if status in ("draft", "withdrawn") and second_approver and user["role"] != "admin":
            raise StatusRefused("not_submitted", action)
        if status not in ("review", "draft", "withdrawn"):
            raise StatusRefused("wrong_status", action)
        if (
            second_approver
            and user["role"] != "admin"
            and status == "review"
            and (record["submitted_by"] or submitter) == user["id"]
        ):
            raise StatusRefused("own_submission", action)
        return "published"
    allowed = {
        "reject": ("review", "draft"),
        "withdraw": ("published", "withdrawn"),
        "redraft": ("withdrawn", "draft"),
    }
    if action in allowed and status == allowed[action][0]:
        return allowed[action][1]
    raise StatusRefused("wrong_status", action)


def _set_status(
    db: sqlite_utils.Database,
    record: dict,
    action: str,
    user: dict,
    second_approver: bool,
    submitter: int | None = None,
) -> str:
    """One record's status change inside the caller's transaction: checked before
    anything is written, then the revision, outbox row and audit entry."""
    new = _next_status(record, action, user, second_approver, submitter)
    honoree_id = record["id"]
    if action == "submit":
        db.execute(
            "UPDATE honorees SET status = ?, submitted_by = ? WHERE id = ?",
            [new, user["id"], honoree_id],
        )
    elif action == "publish":
        db.execute(
            """UPDATE honorees SET status = ?, published_at = ?, submitted_by = NULL
                      WHERE id = ?""",
            [new, now(), honoree_id],
        )
    else:
        db.execute("UPDATE honorees SET status = ? WHERE id = ?", [new, honoree_id])
    _touched(db, honoree_id, action, user)
    if action in ("submit", "publish", "reject", "withdraw"):
        audit.record(
            db,
            action,
            user=user,
            record_type="honoree",
            record_id=honoree_id,
            detail=record["name"],
        )
    return new


def change_status(
    db: sqlite_utils.Database, honoree_id: int, action: str, user: dict, *, second_approver: bool
) -> str:
    """draft → review → published → withdrawn (and back to draft). With
    ``second_approver``, a curator publishes only what was submitted for review, and
    not what they submitted themselves: another curator or an admin approves it (an
    admin may publish directly). Returns the new status."""
    with write(db):
        return _set_status(db, _require(db, honoree_id), action, user, second_approver)


@dataclasses.dataclass
class BatchResult:
    """What one status action did to many records."""

    action: str
    changed: list[int] = dataclasses.field(default_factory=list)
    refused: dict[str, list[int]] = dataclasses.field(default_factory=dict)  # REFUSALS key → ids

    def summary(self) -> str:
        """For the curator, e.g. ``已发布 12 条；3 条需要另一位审核人批准，未发布``."""
        label = STATUS_ACTIONS.get(self.action, self.action)
        parts = [DONE[self.action].format(n=len(self.changed))] if self.changed else []
        parts += [
            REFUSALS[reason][1].format(n=len(ids), action=label)
            for reason, ids in self.refused.items()
        ]
        return "；".join(parts) or f"没有选择任何记录，未{label}"


def change_status_many(
    db: sqlite_utils.Database,
    honoree_ids: Iterable[int],
    action: str,
    user: dict,
    *,
    second_approver: bool,
    submitter: int | None = None,
) -> BatchResult:
    """Apply one status action to many records in one transaction. Each record it
    applies to changes exactly as :func:`change_status` would change it (revision,
    index outbox row, audit entry); the others are left as they are and counted by
    reason. ``submitter`` is taken as the submitter of records in review that have
    none (an import's records, imported straight into review)."""
    if action not in STATUS_ACTIONS:
        raise EditError("未知的操作")
    result = BatchResult(action)
    with write(db):
        for honoree_id in dict.fromkeys(honoree_ids):
            row = db.execute("SELECT * FROM honorees WHERE id = ?", [honoree_id]).fetchone()
            try:
                if row is None:
                    raise StatusRefused("missing", action)
                _set_status(db, dict(row), action, user, second_approver, submitter)
            except StatusRefused as refused:
                result.refused.setdefault(refused.reason, []).append(honoree_id)
            else:
                result.changed.append(honoree_id)
    return result


def soft_delete(db: sqlite_utils.Database, honoree_id: int, user: dict) -> None:
    with write(db):
        record = _require(db, honoree_id)
        if record["deleted_at"]:
            return
        db.execute("UPDATE honorees SET deleted_at = ? WHERE id = ?", [now(), honoree_id])
        _touched(db, honoree_id, "delete", user)
        audit.record(
            db,
            "delete",
            user=user,
            record_type="honoree",
            record_id=honoree_id,
            detail=record["name"],
        )


def restore_deleted(db: sqlite_utils.Database, honoree_id: int, user: dict) -> None:
    with write(db):
        record = _require(db, honoree_id)
        if not record["deleted_at"]:
            return
        db.execute(
            "UPDATE honorees SET deleted_at = NULL, merged_into = NULL WHERE id = ?", [honoree_id]
        )
        _touched(db, honoree_id, "undelete", user)
        audit.record(
            db,
            "restore_deleted",
            user=user,
            record_type="honoree",
            record_id=honoree_id,
            detail=record["name"],
        )


def merge(db: sqlite_utils.Database, keep_id: int, drop_id: int, user: dict) -> None:
    """Merge two records of the same person or collective into ``keep_id``: honours,
    photos, videos, members, memberships and exhibition places move over, empty
    fields are filled in, and every short code of the other record now leads to the
    kept one (printed QR codes keep working). The other record is soft-deleted and
    remembers where it went."""
    if keep_id == drop_id:
        raise EditError("不能把记录与自己合并")
    with write(db):
        keep, drop = _require(db, keep_id), _require(db, drop_id)
        if keep["deleted_at"] or drop["deleted_at"]:
            raise EditError("已删除的记录不能合并")
        if keep["kind"] != drop["kind"]:
            raise EditError("个人和集体记录不能合并")
        fill = {
            f: drop[f]
            for f in (*TEXT_FIELDS, "birth_year", "birth_month", "collective_type")
            if not keep[f] and drop[f]
        }
        if fill:
            db.execute(
                f"UPDATE honorees SET {', '.join(f'{k} = ?' for k in fill)} WHERE id = ?",
                [*fill.values(), keep_id],
            )
        offset = db.execute(
            "SELECT coalesce(max(position) + 1, 0) FROM honours WHERE honoree_id = ?", [keep_id]
        ).fetchone()[0]
        db.execute(
            "UPDATE honours SET honoree_id = ?, position = position + ? WHERE honoree_id = ?",
            [keep_id, offset, drop_id],
        )
        has_portrait = db.execute(
            "SELECT 1 FROM photos WHERE honoree_id = ? AND is_portrait = 1", [keep_id]
        ).fetchone()
        db.execute(
            f"""UPDATE photos SET honoree_id = ?, position = position + 1000
                       {", is_portrait = 0" if has_portrait else ""} WHERE honoree_id = ?""",
            [keep_id, drop_id],
        )
        db.execute("UPDATE videos SET honoree_id = ? WHERE honoree_id = ?", [keep_id, drop_id])
        for table, column in (
            ("members", "collective_id"),
            ("members", "member_id"),
            ("exhibition_items", "honoree_id"),
        ):
            db.execute(
                f"UPDATE OR IGNORE {table} SET {column} = ? WHERE {column} = ?", [keep_id, drop_id]
            )
            db.execute(f"DELETE FROM {table} WHERE {column} = ?", [drop_id])
        db.execute("DELETE FROM members WHERE collective_id = member_id")
        db.execute("UPDATE short_codes SET honoree_id = ? WHERE honoree_id = ?", [keep_id, drop_id])
        db.execute(
            "UPDATE honorees SET deleted_at = ?, merged_into = ? WHERE id = ?",
            [now(), keep_id, drop_id],
        )
        honorees.refresh_latest_year(db, keep_id)
        _touched(db, drop_id, "merged_away", user)
        _touched(db, keep_id, "merge", user)
        audit.record(
            db,
            "merge",
            user=user,
            record_type="honoree",
            record_id=keep_id,
            detail=f"{drop['name']}（编号 {drop_id}，二维码 {drop['code']}）并入 "
            f"{keep['name']}（编号 {keep_id}）",
        )


def add_photo(
    db: sqlite_utils.Database,
    media_dir: str,
    honoree_id: int,
    prepared: media.Prepared,
    *,
    alt: str,
    caption: str | None,
    credit: str | None,
    is_portrait: bool,
    user: dict,
) -> int:
    """Store an already checked and re-encoded photo (see :mod:`archive.catalogue.uploads`)."""
    with write(db):
        _require(db, honoree_id)
        position = db.execute(
            "SELECT coalesce(max(position) + 1, 0) FROM photos WHERE honoree_id = ?", [honoree_id]
        ).fetchone()[0]
        first = not db.execute("SELECT 1 FROM photos WHERE honoree_id = ?", [honoree_id]).fetchone()
        photo_id = media.add_photo(
            db,
            media_dir,
            prepared,
            honoree_id,
            alt=alt,
            caption=caption,
            credit=credit,
            is_portrait=is_portrait or first,
            position=position,
        )
        if is_portrait:
            db.execute(
                "UPDATE photos SET is_portrait = (id = ?) WHERE honoree_id = ?",
                [photo_id, honoree_id],
            )
        _touched(db, honoree_id, "photo_add", user)
    return photo_id


def add_video(
    db: sqlite_utils.Database,
    media_dir: str,
    honoree_id: int,
    probed,
    poster,
    form: dict,
    user: dict,
    held: bool = False,
) -> int:
    """Store an uploaded video on a record; ``held``: kept for review, no revision
    and nothing public until a second person approves (archive.review.records)."""
    from archive.catalogue import uploads

    with write(db):
        _require(db, honoree_id)
        video_id = uploads.add_video(
            db,
            media_dir,
            probed,
            poster,
            honoree_id,
            title=(form.get("title") or "").strip()[:200] or None,
            caption=(form.get("caption") or "").strip()[:500] or None,
            credit=(form.get("credit") or "").strip()[:200] or None,
            transcript=(form.get("transcript") or "").strip()[:50_000] or None,
            held=held,
        )
        if not held:
            _touched(db, honoree_id, "video_add", user)
    return video_id
