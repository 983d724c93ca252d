"""Kinds of pending change about exhibitions: the panoramic hall (hotspots, scenes,
entrance and starting views, uploaded scenes, the theme) and the cloud albums of a
record or an exhibition (order, cover, added and removed photos)."""

from __future__ import annotations

import sqlite_utils

from archive.catalogue import albums, exhibitions

from ..db import write
from ..halls import editor, panoramas, store, themes
from .changes import Context, Kind, Step, register
from .records import _text, drop_staged_photos


def _exhibition_published(db: sqlite_utils.Database, target: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM exhibitions WHERE id = ? AND status = 'published'", [int(target)]
        ).fetchone()
        is not None
    )


def _exhibition_title(db: sqlite_utils.Database, target: str) -> str:
    row = db.execute("SELECT title FROM exhibitions WHERE id = ?", [int(target)]).fetchone()
    return row[0] if row else f"展厅 {target}"


def _exhibition_version(db: sqlite_utils.Database, target: str) -> int | None:
    row = db.execute("SELECT version FROM exhibitions WHERE id = ?", [int(target)]).fetchone()
    return row[0] if row else None


# --- the hall -----------------------------------------------------------------------------

HALL_STEPS = {
    "hotspot_save": Step(
        lambda c, t, a: editor.save_hotspot(
            c.db, int(t), a["scene_id"], a["form"], c.user, a.get("hotspot_id"), a.get("audio")
        ),
        "放置或修改热点",
        creates="hall_hotspots",
        refs={"hotspot_id": "hall_hotspots", "scene_id": "hall_scenes"},
    ),
    "hotspot_delete": Step(
        lambda c, t, a: editor.delete_hotspot(c.db, int(t), a["scene_id"], a["hotspot_id"], c.user),
        "删除热点",
        refs={"hotspot_id": "hall_hotspots", "scene_id": "hall_scenes"},
    ),
    "scene_save": Step(
        lambda c, t, a: editor.save_scene(c.db, int(t), a["scene_id"], a["form"], c.user),
        "修改场景（名称、起始视角、入口）",
        refs={"scene_id": "hall_scenes"},
    ),
    "scene_delete": Step(
        lambda c, t, a: editor.delete_scene(c.db, c.media_dir, int(t), a["scene_id"], c.user),
        "删除场景",
        refs={"scene_id": "hall_scenes"},
    ),
    "scene_add": Step(
        lambda c, t, a: panoramas.add_kept(
            c.db, c.media_dir, int(t), a["kept"], c.user, kept_file=not c.checking
        )["id"],
        "上传全景场景",
        creates="hall_scenes",
    ),
    "theme": Step(lambda c, t, a: store.save_theme(c.db, int(t), a["theme"], c.user), "修改主题"),
    "cover": Step(lambda c, t, a: _set_cover(c, int(t), a.get("photo_id")), "更换封面"),
}


def _set_cover(ctx: Context, exhibition_id: int, photo_id: int | None) -> None:
    """An uploaded photo (stored, shown nowhere yet) or None (drawn from the theme)."""
    if (
        photo_id is not None
        and not ctx.db.execute(
            "SELECT 1 FROM photos WHERE id = ? AND honoree_id IS NULL", [photo_id]
        ).fetchone()
    ):
        raise editor.HallEditError("待审核的封面照片已不存在")
    with write(ctx.db):
        ctx.db.execute(
            "UPDATE exhibitions SET cover_photo_id = ? WHERE id = ?", [photo_id, exhibition_id]
        )
        exhibitions._changed(ctx.db, exhibition_id, "cover", ctx.user)


KIND_NAMES = editor.KINDS


def _hall_snapshot(db: sqlite_utils.Database, target: str) -> dict:
    hall = store.of_exhibition(db, int(target))
    scenes, spots = {}, {}
    if hall is not None:
        for s in db.execute(
            "SELECT * FROM hall_scenes WHERE hall_id = ? ORDER BY position, id", [hall["id"]]
        ):
            scenes[s["id"]] = {
                "_label": s["title"],
                "名称": s["title"],
                "起始视角": f"水平 {s['yaw']:g}°，俯仰 {s['pitch']:g}°",
                "入口": s["key"] == hall["entrance_key"],
            }
        for p in db.execute(
            """SELECT p.*, s.title AS scene_title, o.name AS honoree_name
                   FROM hall_hotspots p JOIN hall_scenes s ON s.id = p.scene_id
                   LEFT JOIN honorees o ON o.id = p.honoree_id WHERE s.hall_id = ?""",
            [hall["id"]],
        ):
            name = p["honoree_name"] if p["kind"] == "portrait" else p["title"]
            spots[p["id"]] = {
                "_label": f"{KIND_NAMES.get(p['kind'], p['kind'])}“{name}”（{p['scene_title']}）",
                "位置": f"水平 {p['yaw']:g}°，俯仰 {p['pitch']:g}°",
                "内容": " ".join(x for x in (p["title"], p["text"], p["target_key"]) if x),
            }
    theme = store.theme_of(db, int(target))
    flat = {themes.PALETTE_LABELS.get(k, k): v for k, v in theme.get("palette", {}).items()}
    flat.update(
        {
            "横幅文字": theme.get("banner"),
            "主题元素": themes.EMBLEMS.get(theme.get("emblem"), theme.get("emblem")),
            "墙面质感": themes.TEXTURES.get(theme.get("texture"), theme.get("texture")),
        }
    )
    cover = db.execute(
        "SELECT p.id, p.alt FROM exhibitions e JOIN photos p ON "
        "p.id = e.cover_photo_id WHERE e.id = ?",
        [int(target)],
    ).fetchone()
    flat["封面"] = f"上传的照片“{cover[1]}”（编号 {cover[0]}）" if cover else "按主题生成"
    return {"scenes": scenes, "hotspots": spots, "theme": flat}


def _items(what: str, before: dict, after: dict, moved: str | None = None) -> list[dict]:
    rows = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is None:
            rows.append(
                {
                    "what": f"新增{what}",
                    "before": "",
                    "after": f"{new['_label']}，{new.get(moved, '')}".rstrip("，"),
                }
            )
        elif new is None:
            rows.append({"what": f"删除{what}", "before": old["_label"], "after": ""})
        else:
            for name, value in new.items():
                if not name.startswith("_") and old.get(name) != value:
                    verb = "移动" if name == moved else "修改"
                    rows.append(
                        {
                            "what": f"{verb}{what}{old['_label']}的{name}",
                            "before": _text(old.get(name)),
                            "after": _text(value),
                        }
                    )
    return rows


def _describe_hall(before: dict, after: dict) -> list[dict]:
    rows = _items("场景", before["scenes"], after["scenes"])
    rows += _items("热点", before["hotspots"], after["hotspots"], moved="位置")
    for key, value in after["theme"].items():
        if before["theme"].get(key) != value:
            rows.append(
                {
                    "what": key if key == "封面" else f"主题的{key}",
                    "before": _text(before["theme"].get(key)),
                    "after": _text(value),
                }
            )
    return rows


register(
    "hall",
    Kind(
        label="展厅主题、封面与全景展馆",
        steps=HALL_STEPS,
        is_public=_exhibition_published,
        title=lambda db, t: f"展厅“{_exhibition_title(db, t)}”",
        snapshot=_hall_snapshot,
        describe=_describe_hall,
        version=_exhibition_version,
        discard=drop_staged_photos,
        editor=lambda t: ("curate.hall_editor", {"exhibition_id": int(t)}),
    ),
)


# --- albums ---------------------------------------------------------------------------------


def album_target(owner_type: str, owner_id: int) -> str:
    return f"{owner_type}:{owner_id}"


def _owner(target: str) -> tuple[str, int]:
    owner_type, _, owner_id = target.partition(":")
    return owner_type, int(owner_id)


def _album_public(db: sqlite_utils.Database, target: str) -> bool:
    owner_type, owner_id = _owner(target)
    return albums.owner_public(db, owner_type, owner_id) is not None


def _album_title(db: sqlite_utils.Database, target: str) -> str:
    owner_type, owner_id = _owner(target)
    if owner_type == "exhibition":
        return f"{_exhibition_title(db, str(owner_id))}的展厅相册"
    row = db.execute("SELECT name FROM honorees WHERE id = ?", [owner_id]).fetchone()
    return f"{row[0] if row else owner_id}的相册"


def _add_to_album(ctx: Context, target: str, args: dict) -> None:
    """A photo stored for review (no record, in no album) goes last into the album."""
    owner_type, owner_id = _owner(target)
    db = ctx.db
    if (
        owner_type != "exhibition"
        or not db.execute(
            "SELECT 1 FROM photos WHERE id = ? AND honoree_id IS NULL", [args["photo_id"]]
        ).fetchone()
    ):
        raise albums.AlbumError("待审核的照片已不存在")
    with write(db):
        position = db.execute(
            "SELECT coalesce(max(position) + 1, 0) FROM album_items WHERE "
            "owner_type = 'exhibition' AND owner_id = ?",
            [owner_id],
        ).fetchone()[0]
        db.execute(
            "INSERT INTO album_items (owner_type, owner_id, photo_id, position) "
            "VALUES ('exhibition', ?, ?, ?)",
            [owner_id, args["photo_id"], position],
        )
        exhibitions._changed(db, owner_id, "album_add", ctx.user)


def _album_snapshot(db: sqlite_utils.Database, target: str) -> dict:
    owner_type, owner_id = _owner(target)
    items = albums.public_album(db, owner_type, owner_id)
    shown = items["items"] if items else []
    labels = []
    for item in shown:
        label = item["caption"] or item["alt"] or f"{item['kind']} {item.get('photo_id')}"
        named = owner_type == "exhibition" and item.get("honoree_name")
        labels.append(f"{item['honoree_name']}：{label}" if named else label)
    cover = next(
        (labels[i] for i, item in enumerate(shown) if item["is_cover"]), labels[0] if labels else ""
    )
    return {"order": labels, "cover": cover}


def _describe_album(before: dict, after: dict) -> list[dict]:
    rows = []
    if before["order"] != after["order"]:
        rows.append(
            {
                "what": "相册顺序",
                "before": "、".join(before["order"]) or "（空）",
                "after": "、".join(after["order"]) or "（空）",
            }
        )
        added = [x for x in after["order"] if x not in before["order"]]
        gone = [x for x in before["order"] if x not in after["order"]]
        if added:
            rows.append({"what": "加入相册", "before": "", "after": "、".join(added)})
        if gone:
            rows.append({"what": "移出相册", "before": "、".join(gone), "after": ""})
    if before["cover"] != after["cover"]:
        rows.append(
            {"what": "相册封面", "before": _text(before["cover"]), "after": _text(after["cover"])}
        )
    return rows


def _album_editor(target: str) -> tuple[str, dict]:
    owner_type, owner_id = _owner(target)
    key = "honoree_id" if owner_type == "honoree" else "exhibition_id"
    return f"curate.{owner_type}_album", {key: owner_id}


register(
    "album",
    Kind(
        label="云相册",
        is_public=_album_public,
        title=_album_title,
        steps={
            "change": Step(
                lambda c, t, a: albums.change(c.db, *_owner(t), a["action"], a["item"], c.user),
                "调整相册",
            ),
            "add_photo": Step(_add_to_album, "上传照片到展厅相册"),
        },
        snapshot=_album_snapshot,
        describe=_describe_album,
        editor=_album_editor,
        discard=drop_staged_photos,
    ),
)
