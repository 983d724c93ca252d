"""Kinds of pending change about records: a published record's honours, photos,
videos and members (changed outside the record form), its narration, and the title
vocabulary. Each step is the service call a direct save makes."""

from __future__ import annotations

import sqlite_utils

from archive.catalogue import vocabulary
from archive.catalogue.vocabulary import KINDS, LEVELS
from archive.curation import editing, narration

from .changes import Context, Kind, Step, register


def _published(db: sqlite_utils.Database, target: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM honorees WHERE id = ? AND status = 'published' AND deleted_at IS NULL",
            [int(target)],
        ).fetchone()
        is not None
    )


def _name(db: sqlite_utils.Database, target: str) -> str:
    row = db.execute("SELECT name FROM honorees WHERE id = ?", [int(target)]).fetchone()
    return row[0] if row else f"编号 {target}"


def _version(db: sqlite_utils.Database, target: str) -> int | None:
    row = db.execute("SELECT version FROM honorees WHERE id = ?", [int(target)]).fetchone()
    return row[0] if row else None


def _changes(what: str, before: dict, after: dict, label) -> list[dict]:
    """Rows for items keyed by id: added, removed, and changed field by field."""
    rows = []
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is None:
            rows.append({"what": f"新增{what}", "before": "", "after": label(new)})
        elif new is None:
            rows.append({"what": f"删除{what}", "before": label(old), "after": ""})
        else:
            for field_name, value in new.items():
                if old.get(field_name) != value and not field_name.startswith("_"):
                    rows.append(
                        {
                            "what": f"{what}“{label(old)}”的{field_name}",
                            "before": _text(old.get(field_name)),
                            "after": _text(value),
                        }
                    )
    return sorted(rows, key=lambda r: (r["what"], r["before"], r["after"]))


def _text(value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def drop_staged_photos(ctx: Context, target: str, steps: list[dict]) -> None:
    """A rejected change's uploaded photos (stored with no record, in no album and
    on no cover) and held videos (with their poster frames) go; their files are
    left to ``media-orphans``."""
    for step in steps:
        if step["op"] == "video_add":
            _drop_held_video(ctx, step["args"]["video_id"])
            continue
        photo_id = step["args"].get("photo_id")
        if step["op"] in STAGED and photo_id:
            ctx.db.execute(
                """DELETE FROM photos WHERE id = ? AND honoree_id IS NULL
                   AND id NOT IN (SELECT photo_id FROM album_items WHERE photo_id IS NOT NULL)
                   AND id NOT IN (SELECT cover_photo_id FROM exhibitions
                                  WHERE cover_photo_id IS NOT NULL)""",
                [photo_id],
            )


STAGED = {"photo_add", "add_photo", "cover"}


def _drop_held_video(ctx: Context, video_id: int) -> None:
    row = ctx.db.execute(
        "SELECT poster_photo_id FROM videos WHERE id = ? AND held = 1", [video_id]
    ).fetchone()
    if row is None:
        return
    ctx.db.execute("DELETE FROM videos WHERE id = ?", [video_id])
    if row[0] is not None:
        ctx.db.execute("DELETE FROM photos WHERE id = ?", [row[0]])


def _order(what: str, before: list[str], after: list[str]) -> list[dict]:
    if before == after or set(before) != set(after):
        return []
    return [{"what": f"{what}顺序", "before": "、".join(before), "after": "、".join(after)}]


# --- a published record's honours, photos, videos and members ---------------------------


def _form_step(call) -> callable:
    return lambda ctx, target, args: call(ctx, int(target), args)


def _attach_photo(ctx: Context, honoree_id: int, args: dict) -> int:
    """Give a photo stored for review (no honoree yet) to its record, last in order."""
    db = ctx.db
    if not db.execute(
        "SELECT 1 FROM photos WHERE id = ? AND (honoree_id IS NULL OR honoree_id = ?)",
        [args["photo_id"], honoree_id],
    ).fetchone():
        raise editing.EditError("待审核的照片已不存在")
    position = db.execute(
        "SELECT coalesce(max(position) + 1, 0) FROM photos WHERE honoree_id = ?", [honoree_id]
    ).fetchone()[0]
    first = not db.execute("SELECT 1 FROM photos WHERE honoree_id = ?", [honoree_id]).fetchone()
    db.execute(
        "UPDATE photos SET honoree_id = ?, position = ?, is_portrait = ? WHERE id = ?",
        [honoree_id, position, int(args.get("is_portrait") or first), args["photo_id"]],
    )
    if args.get("is_portrait"):
        db.execute(
            "UPDATE photos SET is_portrait = (id = ?) WHERE honoree_id = ?",
            [args["photo_id"], honoree_id],
        )
    editing._touched(db, honoree_id, "photo_add", ctx.user)
    return args["photo_id"]


def _release_video(ctx: Context, honoree_id: int, args: dict) -> int:
    """A video stored for review (``held``) becomes the record's, public with it."""
    found = ctx.db.execute(
        "SELECT 1 FROM videos WHERE id = ? AND honoree_id = ? AND held = 1",
        [args["video_id"], honoree_id],
    ).fetchone()
    if not found:
        raise editing.EditError("待审核的视频已不存在")
    ctx.db.execute("UPDATE videos SET held = 0 WHERE id = ?", [args["video_id"]])
    editing._touched(ctx.db, honoree_id, "video_add", ctx.user)
    return args["video_id"]


RECORD_STEPS = {
    "honour_add": Step(
        _form_step(lambda c, h, a: editing.add_honour(c.db, h, a["form"], c.user)),
        "添加荣誉",
        creates="honours",
    ),
    "honour_update": Step(
        _form_step(
            lambda c, h, a: editing.update_honour(c.db, h, a["honour_id"], a["form"], c.user)
        ),
        "修改荣誉",
        refs={"honour_id": "honours"},
    ),
    "honour_revoke": Step(
        _form_step(
            lambda c, h, a: editing.set_honour_revoked(
                c.db, h, a["honour_id"], a["revoked"], c.user
            )
        ),
        "撤销或恢复荣誉",
        refs={"honour_id": "honours"},
    ),
    "honour_delete": Step(
        _form_step(lambda c, h, a: editing.delete_honour(c.db, h, a["honour_id"], c.user)),
        "删除荣誉",
        refs={"honour_id": "honours"},
    ),
    "photo_add": Step(_form_step(_attach_photo), "上传照片"),
    "photo_update": Step(
        _form_step(lambda c, h, a: editing.update_photo(c.db, h, a["photo_id"], a["form"], c.user)),
        "修改照片说明",
    ),
    "photo_move": Step(
        _form_step(lambda c, h, a: editing.move_photo(c.db, h, a["photo_id"], a["step"], c.user)),
        "调整照片顺序",
    ),
    "photo_delete": Step(
        _form_step(lambda c, h, a: editing.delete_photo(c.db, h, a["photo_id"], c.user)), "删除照片"
    ),
    "video_add": Step(lambda c, t, a: _release_video(c, int(t), a), "上传视频"),
    "video_delete": Step(
        _form_step(lambda c, h, a: editing.delete_video(c.db, h, a["video_id"], c.user)), "删除视频"
    ),
    "member_add": Step(
        _form_step(lambda c, h, a: editing.add_member(c.db, h, a["member_id"], c.user)), "添加成员"
    ),
    "member_remove": Step(
        _form_step(lambda c, h, a: editing.remove_member(c.db, h, a["member_id"], c.user)),
        "移除成员",
    ),
}

HONOUR_FIELDS = {
    "title": "称号",
    "year": "年份",
    "level": "级别",
    "body": "授予机关",
    "document_no": "文件文号",
    "citation": "授予事由",
    "revoked": "已撤销",
}
PHOTO_FIELDS = {
    "caption": "图片说明",
    "credit": "摄影/来源",
    "alt": "替代文字",
    "is_portrait": "肖像",
}


def _record_snapshot(db: sqlite_utils.Database, target: str) -> dict:
    honoree_id = int(target)
    columns = {r[1] for r in db.execute("PRAGMA table_info(honours)")}
    fields = [f for f in HONOUR_FIELDS if f in columns]
    honours = {
        r["id"]: {HONOUR_FIELDS[f]: (bool(r[f]) if f == "revoked" else r[f]) for f in fields}
        for r in db.execute(
            f"SELECT id, {', '.join(fields)} FROM honours WHERE "
            "honoree_id = ? ORDER BY position, id",
            [honoree_id],
        )
    }
    photos = {
        r["id"]: {
            "_label": r["caption"] or r["alt"] or f"照片 {r['id']}",
            **{PHOTO_FIELDS[f]: (bool(r[f]) if f == "is_portrait" else r[f]) for f in PHOTO_FIELDS},
        }
        for r in db.execute(
            "SELECT * FROM photos WHERE honoree_id = ? ORDER BY position, id", [honoree_id]
        )
    }
    videos = {
        r[0]: {"标题": r[1] or f"视频 {r[0]}"}
        for r in db.execute(
            "SELECT id, title FROM videos WHERE honoree_id = ? AND held = 0", [honoree_id]
        )
    }
    members = {
        r[0]: {"姓名": r[1]}
        for r in db.execute(
            "SELECT h.id, h.name FROM members m JOIN honorees h ON h.id = m.member_id "
            "WHERE m.collective_id = ?",
            [honoree_id],
        )
    }
    return {"honours": honours, "photos": photos, "videos": videos, "members": members}


def _honour_label(h: dict) -> str:
    return f"{h['称号']}（{h['年份'] or '年份不详'}）"


def _describe_record(before: dict, after: dict) -> list[dict]:
    rows = _changes("荣誉", before["honours"], after["honours"], _honour_label)
    rows += _changes("照片", before["photos"], after["photos"], lambda p: p["_label"])
    rows += _order(
        "照片",
        [p["_label"] for p in before["photos"].values()],
        [p["_label"] for p in after["photos"].values()],
    )
    rows += _changes("视频", before["videos"], after["videos"], lambda v: v["标题"])
    rows += _changes("成员", before["members"], after["members"], lambda m: m["姓名"])
    return rows


register(
    "record",
    Kind(
        label="已发布记录的荣誉与照片",
        steps=RECORD_STEPS,
        is_public=_published,
        title=_name,
        snapshot=_record_snapshot,
        describe=_describe_record,
        version=_version,
        discard=drop_staged_photos,
        editor=lambda target: ("curate.edit_honoree", {"honoree_id": int(target)}),
    ),
)


# --- narration --------------------------------------------------------------------------


def _publish_narration(ctx: Context, target: str, args: dict) -> None:
    """The recording or synthesis becomes the public narration (a recording still
    being encoded is accepted while checking: it is approved once encoded)."""
    found = narration.get(ctx.db, args["narration_id"])
    if found is None or found["honoree_id"] != int(target):
        raise narration.NarrationError("找不到这条讲解")
    if found["status"] == "processing":
        if ctx.checking:
            return
        raise narration.NarrationError("录音还在转码，完成后才能批准")
    narration.approve(ctx.db, int(target), args["narration_id"], ctx.user)


def _narration_snapshot(db: sqlite_utils.Database, target: str) -> dict:
    found = narration.public(db, int(target))
    if found is None:
        return {}
    return {
        "讲解": f"{'录音' if found['source'] == 'recording' else '合成语音'}"
        f"（编号 {found['id']}，{round(found['duration_s'] or 0)} 秒）",
        "署名": found["credit"] or "",
        "文字稿": found["transcript"] or "",
    }


def _describe_narration(before: dict, after: dict) -> list[dict]:
    return [
        {"what": f"公开的{key}", "before": _text(before.get(key)), "after": _text(after.get(key))}
        for key in ("讲解", "署名", "文字稿")
        if before.get(key) != after.get(key)
    ]


def _discard_narration(ctx: Context, target: str, steps: list[dict]) -> None:
    """A recording uploaded for review and rejected goes (its files with it)."""
    for step in steps:
        found = narration.get(ctx.db, step["args"].get("narration_id", 0))
        if (
            step["op"] == "publish"
            and found
            and found["held"]
            and found["status"] not in ("approved", "processing")
        ):
            narration.delete(ctx.db, ctx.media_dir, int(target), found["id"], ctx.user)


register(
    "narration",
    Kind(
        label="语音讲解",
        is_public=_published,
        title=_name,
        version=_version,
        steps={
            "publish": Step(_publish_narration, "公开讲解"),
            "delete": Step(
                lambda c, t, a: narration.delete(
                    c.db, c.media_dir, int(t), a["narration_id"], c.user
                ),
                "删除讲解",
            ),
        },
        snapshot=_narration_snapshot,
        describe=_describe_narration,
        discard=_discard_narration,
        editor=lambda target: ("curate.edit_honoree", {"honoree_id": int(target)}),
    ),
)


# --- the title vocabulary ------------------------------------------------------------------


def _vocabulary_snapshot(db: sqlite_utils.Database, target: str) -> dict:
    return {
        t["title"]: {
            "级别": LEVELS.get(t["level"], t["level"]),
            "授予对象": KINDS.get(t["conferred_on"], t["conferred_on"]),
            "排序": t["position"],
            "英文名称": t["english"] or "",
            "荣誉数": t["honours"],
            "别名": "、".join(t["aliases"]),
        }
        for t in vocabulary.titles(db)
    }


def _describe_vocabulary(before: dict, after: dict) -> list[dict]:
    rows = []
    gone = [t for t in before if t not in after]
    for title in [t for t in after if t not in before]:
        was = next((g for g in gone if g in after[title]["别名"].split("、")), None)
        if was:
            rows.append({"what": "称号名称", "before": was, "after": title})
        else:
            rows.append(
                {
                    "what": "新增称号",
                    "before": "",
                    "after": f"{title}（{after[title]['级别']}，{after[title]['授予对象']}）",
                }
            )
    for title in gone:
        into = next((t for t in after if title in after[t]["别名"].split("、")), None)
        if into is None:
            rows.append({"what": "删除称号", "before": title, "after": ""})
        elif into in before:
            rows.append({"what": "合并称号", "before": title, "after": f"并入“{into}”"})
    for title in before.keys() & after.keys():
        for key, value in after[title].items():
            if before[title][key] != value:
                rows.append(
                    {
                        "what": f"称号“{title}”的{key}",
                        "before": _text(before[title][key]),
                        "after": _text(value),
                    }
                )
    return rows


def _vocabulary(call) -> callable:
    def run(ctx: Context, target: str, args: dict):
        return call(ctx.db, args, ctx.user)

    return run


register(
    "titles",
    Kind(
        label="称号表",
        is_public=lambda db, target: True,
        title=lambda db, target: f"称号“{target}”",
        steps={
            "add": Step(
                _vocabulary(
                    lambda db, a, u: vocabulary.add_title(
                        db, a["title"], a["level"], a["conferred_on"], a.get("position"), user=u
                    )
                ),
                "添加称号",
            ),
            "update": Step(
                _vocabulary(
                    lambda db, a, u: vocabulary.update_title(
                        db,
                        a["title"],
                        level=a["level"],
                        conferred_on=a["conferred_on"],
                        position=a.get("position"),
                        user=u,
                    )
                ),
                "修改称号",
            ),
            "english": Step(
                _vocabulary(
                    lambda db, a, u: vocabulary.set_title_english(db, a["title"], a["english"], u)
                ),
                "称号英文名称",
            ),
            "rename": Step(
                _vocabulary(lambda db, a, u: vocabulary.rename_title(db, a["title"], a["new"], u)),
                "称号改名",
            ),
            "merge": Step(
                _vocabulary(
                    lambda db, a, u: vocabulary.merge_titles(db, a["title"], a["target"], u)
                ),
                "合并称号",
            ),
        },
        snapshot=_vocabulary_snapshot,
        describe=_describe_vocabulary,
        editor=lambda target: ("curate.titles", {}),
    ),
)
