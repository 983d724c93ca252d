"""Revisions: the history of a record, field-by-field differences between
snapshots, and restoring any earlier snapshot (itself a new revision)."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from archive.catalogue import audit, honorees, vocabulary
from archive.curation.editing import EditError, _require, _touched
from archive.db import write

LABELS = {
    "name": "姓名/名称",
    "kind": "类别",
    "collective_type": "集体类型",
    "gender": "性别",
    "ethnicity": "民族",
    "birth_year": "出生年份",
    "birth_month": "出生月份",
    "province": "省",
    "city": "市",
    "county": "县区",
    "region_code": "行政区划代码",
    "unit": "工作单位",
    "position": "职务",
    "unit_raw": "工作单位及职务（原文）",
    "nominator": "推荐单位",
    "note": "备注",
    "industry": "行业",
    "summary": "主要事迹",
    "story": "事迹正文",
    "quote": "感言",
    "status": "状态",
    "featured": "推荐",
    "deleted_at": "删除时间",
    "merged_into": "并入记录",
    "code": "二维码编码",
    "name_en": "英文姓名或名称",
    "summary_en": "英文简介",
    "story_en": "英文事迹",
}
ACTIONS = {
    "create": "创建",
    "edit": "编辑",
    "honour_add": "添加荣誉",
    "honour_edit": "修改荣誉",
    "honour_revoke": "撤销荣誉",
    "honour_reinstate": "恢复荣誉",
    "honour_delete": "删除荣誉",
    "photo_add": "上传照片",
    "photo_edit": "修改照片",
    "photo_move": "调整照片顺序",
    "photo_delete": "删除照片",
    "video_add": "上传视频",
    "video_delete": "删除视频",
    "narration_public": "讲解上线",
    "narration_delete": "删除讲解",
    "member_add": "添加成员",
    "member_remove": "移除成员",
    "submit": "提交审核",
    "publish": "发布",
    "reject": "退回修改",
    "withdraw": "撤回",
    "redraft": "改回草稿",
    "delete": "删除",
    "undelete": "恢复删除",
    "merge": "合并",
    "merged_away": "被合并",
    "restore": "恢复历史版本",
    "exhibition": "展厅位置变化",
    "import": "导入",
    "title-rename": "称号改名",
    "title-merge": "称号合并",
    "title-level": "称号级别调整",
    "import-photo": "导入照片",
    "import-proposal": "应用导入的修改",
    "edit-approved": "修改经批准生效",
    "album_up": "相册：前移",
    "album_down": "相册：后移",
    "album_first": "相册：移到最前",
    "album_cover": "相册：设为封面",
    "album_remove": "相册：删除照片",
    "album_add": "相册：上传照片",
    "theme": "修改主题",
    "cover": "修改封面",
    "hall_hotspot": "编辑展馆热点",
    "hall_scene": "编辑展馆场景",
    "hall_upload": "上传全景照片",
}
SKIP = {
    "id",
    "version",
    "updated_at",
    "created_at",
    "name_pinyin",
    "name_initials",
    "name_readings",
    "sort_key",
    "latest_year",
    "published_at",
    "submitted_by",
}
RESTORED = (
    "kind",
    "collective_type",
    "name",
    "gender",
    "ethnicity",
    "birth_year",
    "birth_month",
    "province",
    "city",
    "county",
    "region_code",
    "unit",
    "position",
    "unit_raw",
    "nominator",
    "industry",
    "summary",
    "story",
    "quote",
    "note",
    "featured",
)
# Not restored: the workflow state (status, deletion, merge). Restoring an old revision
# must not publish a withdrawn record past review, nor delete or undelete it; those
# have their own actions.


def history(db: sqlite_utils.Database, honoree_id: int) -> list[dict]:
    """Every revision of an honoree, newest first, with who made it."""
    return [
        dict(r)
        for r in db.execute(
            """SELECT r.id, r.action, r.created_at, r.user_id, u.display_name AS user_name
           FROM revisions r LEFT JOIN users u ON u.id = r.user_id
           WHERE r.record_type = 'honoree' AND r.record_id = ? ORDER BY r.id DESC""",
            [honoree_id],
        )
    ]


def get(db: sqlite_utils.Database, honoree_id: int, revision_id: int) -> dict | None:
    row = db.execute(
        """SELECT r.*, u.display_name AS user_name FROM revisions r
           LEFT JOIN users u ON u.id = r.user_id
           WHERE r.id = ? AND r.record_type = 'honoree' AND r.record_id = ?""",
        [revision_id, honoree_id],
    ).fetchone()
    if row is None:
        return None
    revision = dict(row)
    revision["snapshot"] = json.loads(revision["snapshot"])
    previous = db.execute(
        """SELECT snapshot FROM revisions WHERE record_type = 'honoree' AND record_id = ?
           AND id < ? ORDER BY id DESC LIMIT 1""",
        [honoree_id, revision_id],
    ).fetchone()
    revision["previous"] = json.loads(previous[0]) if previous else None
    return revision


def _honour_text(h: dict) -> str:
    return (
        f"{h.get('year')}年 {h.get('title')}（{h.get('body') or ''}"
        f"{'，文号 ' + h['document_no'] if h.get('document_no') else ''}）"
        f"{' 【已撤销】' if h.get('revoked') else ''}"
    )


def _photo_text(p: dict) -> str:
    return (
        f"照片 {p.get('alt') or ''}{'（' + p['caption'] + '）' if p.get('caption') else ''}"
        f"{' 【肖像】' if p.get('is_portrait') else ''}"
    )


def _video_text(v: dict) -> str:
    return f"视频 {v.get('title') or v.get('caption') or v.get('external_url') or v.get('id')}"


def diff(before: dict | None, after: dict) -> list[dict]:
    """Field-by-field differences from ``before`` to ``after``: each a dict with the
    field's label and the old and new text ('' for none)."""
    before = before or {}
    changes = []
    for field in after:
        if field in SKIP or isinstance(after[field], list):
            continue
        old, new = before.get(field), after.get(field)
        if old != new:
            changes.append(
                {"field": LABELS.get(field, field), "before": _text(old), "after": _text(new)}
            )
    for key, label, render in (
        ("honours", "荣誉", _honour_text),
        ("photos", "照片", _photo_text),
        ("videos", "视频", _video_text),
    ):
        old = {item["id"]: render(item) for item in before.get(key, [])}
        new = {item["id"]: render(item) for item in after.get(key, [])}
        for item_id in sorted(old.keys() | new.keys()):
            if old.get(item_id) != new.get(item_id):
                changes.append(
                    {"field": label, "before": old.get(item_id, ""), "after": new.get(item_id, "")}
                )
    for key, label in (("members", "成员编号"), ("places", "展厅位置")):
        old, new = before.get(key, []), after.get(key, [])
        if old != new:
            changes.append({"field": label, "before": _text(old), "after": _text(new)})
    return changes


def _normalised(value) -> str:
    """A field's text as compared on the conflict page: the browser's line endings,
    trailing spaces and None vs empty make no difference."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def conflicts(mine: dict, theirs: dict) -> list[dict]:
    """The fields where what a curator typed differs from the newer saved version."""
    return [
        {"field": label, "theirs": _text(theirs.get(field)), "mine": mine[field]}
        for field, label in LABELS.items()
        if field in mine and _normalised(mine[field]) != _normalised(theirs.get(field))
    ]


def restore_preview(snapshot: dict, current: dict) -> list[dict]:
    """What restoring ``snapshot`` would change, as (field, now, after) rows."""
    kept = {LABELS[f] for f in ("status", "deleted_at", "merged_into", "code")}
    return [
        {"field": c["field"], "now": c["after"], "restored": c["before"]}
        for c in diff(snapshot, current)
        if c["field"] not in kept
    ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(
            json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else str(v) for v in value
        )
    return str(value)


def _restore_rows(
    db: sqlite_utils.Database,
    table: str,
    honoree_id: int,
    rows: list[dict],
    columns: tuple[str, ...],
) -> dict[int, int]:
    """Make ``table``'s rows of this honoree what ``rows`` were; returns old id → id
    now (a row whose id has since been taken by another record comes back as a copy)."""
    wanted = {row["id"] for row in rows}
    current = {
        r[0] for r in db.execute(f"SELECT id FROM {table} WHERE honoree_id = ?", [honoree_id])
    }
    for stale in current - wanted:
        db.execute(f"DELETE FROM {table} WHERE id = ?", [stale])
    ids = {}
    for row in rows:
        values = [row.get(c) for c in columns]
        owner = db.execute(f"SELECT honoree_id FROM {table} WHERE id = ?", [row["id"]]).fetchone()
        if owner is not None and owner[0] == honoree_id:
            db.execute(
                f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                [*values, row["id"]],
            )
            ids[row["id"]] = row["id"]
        elif owner is None:
            db.execute(
                f"INSERT INTO {table} (id, honoree_id, {', '.join(columns)}) "
                f"VALUES (?, ?, {', '.join('?' * len(columns))})",
                [row["id"], honoree_id, *values],
            )
            ids[row["id"]] = row["id"]
        else:
            ids[row["id"]] = db.execute(
                f"INSERT INTO {table} (honoree_id, {', '.join(columns)}) "
                f"VALUES (?, {', '.join('?' * len(columns))})",
                [honoree_id, *values],
            ).lastrowid
    return ids


def _titled_now(honour: dict, titles: dict[str, str]) -> dict:
    """A snapshot's honour under the title its title is called now: a title renamed
    or merged since lives on as an alias (and as what the office wrote)."""
    title = titles.get(honour["title"], honour["title"])
    if title == honour["title"]:
        return honour
    return {
        **honour,
        "title": title,
        "title_written": honour.get("title_written") or honour["title"],
    }


def restore(db: sqlite_utils.Database, honoree_id: int, revision_id: int, user: dict) -> None:
    """Make the record what it was in ``revision_id``: its fields, honours, photos
    (files are never deleted, so removed photos come back), videos, members and
    exhibition places; its status stays as it is. Written as a new revision; the
    history is kept whole."""
    with write(db):
        revision = get(db, honoree_id, revision_id)
        if revision is None:
            raise EditError("没有这个历史版本")
        snap = revision["snapshot"]
        record = _require(db, honoree_id)
        values = {f: snap.get(f) for f in RESTORED if f in snap}
        values.update(
            honorees.name_columns(
                values.get("name") or record["name"], values.get("kind") or record["kind"]
            )
        )
        db.execute(
            f"UPDATE honorees SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
            [*values.values(), honoree_id],
        )
        titles = vocabulary.title_lookup(db)
        _restore_rows(
            db,
            "honours",
            honoree_id,
            [_titled_now(h, titles) for h in snap.get("honours", [])],
            (
                "title",
                "title_written",
                "level",
                "year",
                "body",
                "document_no",
                "citation",
                "revoked",
                "position",
            ),
        )
        photo_ids = _restore_rows(
            db,
            "photos",
            honoree_id,
            snap.get("photos", []),
            (
                "position",
                "is_portrait",
                "caption",
                "credit",
                "alt",
                "original",
                "width",
                "height",
                "placeholder",
                "created_at",
            ),
        )
        for photo in snap.get("photos", []):
            for f in photo.get("files", []):
                db.execute(
                    """INSERT OR IGNORE INTO media_files (name, photo_id, width, height,
                                  format, bytes) VALUES (?, ?, ?, ?, ?, ?)""",
                    [
                        f["name"],
                        photo_ids[photo["id"]],
                        f["width"],
                        f["height"],
                        f["format"],
                        f["bytes"],
                    ],
                )
        videos = [
            {**v, "poster_photo_id": photo_ids.get(v.get("poster_photo_id"))}
            for v in snap.get("videos", [])
        ]
        _restore_rows(
            db,
            "videos",
            honoree_id,
            videos,
            (
                "position",
                "title",
                "caption",
                "credit",
                "file",
                "external_url",
                "poster_photo_id",
                "duration_s",
                "transcript",
                "created_at",
            ),
        )
        if "members" in snap:
            db.execute("DELETE FROM members WHERE collective_id = ?", [honoree_id])
            for position, member_id in enumerate(snap["members"]):
                if db.execute("SELECT 1 FROM honorees WHERE id = ?", [member_id]).fetchone():
                    honorees.add_member(db, honoree_id, member_id, position)
        if "places" in snap:
            db.execute("DELETE FROM exhibition_items WHERE honoree_id = ?", [honoree_id])
            for place in snap["places"]:
                if db.execute(
                    "SELECT 1 FROM exhibition_sections WHERE id = ?", [place["section_id"]]
                ).fetchone():
                    db.execute(
                        """INSERT OR IGNORE INTO exhibition_items
                                      (section_id, honoree_id, position) VALUES (?, ?, ?)""",
                        [place["section_id"], honoree_id, place["position"]],
                    )
        honorees.refresh_latest_year(db, honoree_id)
        _touched(db, honoree_id, "restore", user)
        audit.record(
            db,
            "restore_revision",
            user=user,
            record_type="honoree",
            record_id=honoree_id,
            detail=f"恢复到第 {revision_id} 号版本",
        )


def get_current(db: sqlite_utils.Database, honoree_id: int) -> dict:
    """The record as it is now, in snapshot form (to compare a revision with)."""
    return json.loads(json.dumps(honorees.snapshot(db, honoree_id), ensure_ascii=False))


def _section_text(section: dict, names: dict[int, str]) -> str:
    people = "、".join(names.get(i, f"#{i}") for i in section.get("items", []))
    return f"{section.get('title', '')}：{people}" if people else section.get("title", "")


def _hall_text(hall: dict | None, names: dict[int, str]) -> str:
    if not hall:
        return ""
    lines = []
    for scene in hall.get("scenes", []):
        entrance = "（入口）" if scene.get("key") == hall.get("entrance") else ""
        lines.append(
            f"{scene.get('title')}{entrance} 起始视角 {scene.get('yaw', 0):.1f}°/"
            f"{scene.get('pitch', 0):.1f}°"
        )
        for spot in scene.get("hotspots", []):
            what = names.get(spot.get("honoree_id"), "") or spot.get("title") or ""
            lines.append(
                f"  · {spot.get('kind')} {what} @ {spot.get('yaw', 0):.1f}°/"
                f"{spot.get('pitch', 0):.1f}°"
            )
    return "\n".join(lines)


def _theme_text(theme: str | None, names: dict[int, str]) -> str:
    return theme or ""


def exhibition_history(db: sqlite_utils.Database, exhibition_id: int) -> list[dict]:
    """Every revision of an exhibition, newest first, each with its field-by-field
    differences from the one before (title, introduction, status, sections and who
    is shown in them, in order)."""
    rows = [
        dict(r)
        for r in db.execute(
            """SELECT r.id, r.action, r.created_at, r.snapshot, u.display_name AS user_name
           FROM revisions r LEFT JOIN users u ON u.id = r.user_id
           WHERE r.record_type = 'exhibition' AND r.record_id = ? ORDER BY r.id""",
            [exhibition_id],
        )
    ]
    names = {r[0]: r[1] for r in db.execute("SELECT id, name FROM honorees")}
    labels = {"title": "标题", "intro": "介绍", "status": "状态"}
    previous: dict = {}
    for row in rows:
        snapshot = json.loads(row.pop("snapshot"))
        changes = [
            {"field": label, "before": _text(previous.get(key)), "after": _text(snapshot.get(key))}
            for key, label in labels.items()
            if previous.get(key) != snapshot.get(key)
        ]
        old = [_section_text(s, names) for s in previous.get("sections", [])]
        new = [_section_text(s, names) for s in snapshot.get("sections", [])]
        if old != new:
            changes.append({"field": "展区", "before": "\n".join(old), "after": "\n".join(new)})
        for key, label, text in (("hall", "全景展馆", _hall_text), ("theme", "主题", _theme_text)):
            if previous.get(key) != snapshot.get(key):
                changes.append(
                    {
                        "field": label,
                        "before": text(previous.get(key), names),
                        "after": text(snapshot.get(key), names),
                    }
                )
        row["changes"] = changes
        previous = snapshot
    return rows[::-1]
