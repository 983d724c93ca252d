"""Cloud albums (云相册、云视频): the photos and videos of an honoree or of an
exhibition, in the order curators chose, with a cover, a permanent short code
and scans counted per album. No Flask here.

An honoree's album holds that honoree's photos (video poster frames aside) and
videos. An exhibition's album holds the photos and videos of the public honorees
it shows, in visiting order, plus photos uploaded to the exhibition's album
itself. ``album_items`` keeps the curators' order and cover; an item not yet in
it (a photo added since) follows the ordered ones in its natural place.
"""

from __future__ import annotations

import sqlite_utils

from archive.catalogue import codes, exhibitions, honorees, media
from archive.catalogue.honorees import PUBLIC
from archive.db import write
from archive.timeutil import now

OWNERS = {"honoree": "honoree_album", "exhibition": "exhibition_album"}
PAGE_SIZE = 60


class AlbumError(ValueError):
    """A change to an album that cannot be made; the message is for curators."""


def _key(item: dict) -> tuple[str, int]:
    return ("photo", item["photo_id"]) if item.get("photo_id") else ("video", item["video_id"])


def _natural(db: sqlite_utils.Database, owner_type: str, owner_id: int, public: bool) -> list[dict]:
    """Every item the album could show, in its natural order, each with
    photo_id or video_id and whose it is."""
    visible = f"AND {PUBLIC}" if public else "AND h.deleted_at IS NULL"
    if owner_type == "honoree":
        people = [(owner_id, None)]
    else:
        if public:
            people = [(r["id"], r["name"]) for r in exhibitions.sequence(db, owner_id)]
        else:
            people = [
                (r[0], r[1])
                for r in db.execute(
                    """SELECT h.id, h.name FROM exhibition_sections s
                   JOIN exhibition_items i ON i.section_id = s.id
                   JOIN honorees h ON h.id = i.honoree_id
                   WHERE s.exhibition_id = ? AND h.deleted_at IS NULL
                   ORDER BY s.position, s.id, i.position""",
                    [owner_id],
                )
            ]
    found: list[dict] = []
    seen: set[int] = set()
    for honoree_id, _name in people:
        if honoree_id in seen:
            continue
        seen.add(honoree_id)
        for row in db.execute(
            f"""SELECT p.id, h.name FROM photos p JOIN honorees h ON h.id = p.honoree_id
                    WHERE p.honoree_id = ? {visible} AND p.placeholder = 0 AND p.id NOT IN
                      (SELECT poster_photo_id FROM videos WHERE poster_photo_id IS NOT NULL)
                    ORDER BY p.is_portrait DESC, p.position, p.id""",
            [honoree_id],
        ):
            found.append(
                {
                    "photo_id": row[0],
                    "video_id": None,
                    "honoree_id": honoree_id,
                    "honoree_name": row[1],
                }
            )
        for row in db.execute(
            f"""SELECT v.id, h.name FROM videos v JOIN honorees h ON h.id = v.honoree_id
                    WHERE v.honoree_id = ? {visible} AND v.file IS NOT NULL AND v.held = 0
                    ORDER BY v.position, v.id""",
            [honoree_id],
        ):
            found.append(
                {
                    "photo_id": None,
                    "video_id": row[0],
                    "honoree_id": honoree_id,
                    "honoree_name": row[1],
                }
            )
    if owner_type == "exhibition":
        for row in db.execute(
            """SELECT p.id FROM album_items a JOIN photos p ON p.id = a.photo_id
                   WHERE a.owner_type = 'exhibition' AND a.owner_id = ?
                     AND p.honoree_id IS NULL ORDER BY a.position, a.id""",
            [owner_id],
        ):
            found.append(
                {"photo_id": row[0], "video_id": None, "honoree_id": None, "honoree_name": None}
            )
    return found


def _ordered(db: sqlite_utils.Database, owner_type: str, owner_id: int, public: bool) -> list[dict]:
    items = _natural(db, owner_type, owner_id, public)
    stored = {
        _key(dict(r)): (r["position"], r["is_cover"])
        for r in db.execute(
            "SELECT photo_id, video_id, position, is_cover FROM album_items "
            "WHERE owner_type = ? AND owner_id = ?",
            [owner_type, owner_id],
        )
    }
    for natural, item in enumerate(items):
        position, cover = stored.get(_key(item), (None, 0))
        item["order"] = (0, position) if position is not None else (1, natural)
        item["is_cover"] = bool(cover)
    items.sort(key=lambda i: i["order"])
    if items and not any(i["is_cover"] for i in items):
        items[0]["is_cover"] = True
    return items


def _fill(db: sqlite_utils.Database, items: list[dict]) -> list[dict]:
    """Captions, credits, sizes and files of each item; an item whose photo or video
    is gone, or whose photo has no JPEG yet, is left out."""
    photo_ids = [i["photo_id"] for i in items if i["photo_id"]]
    video_ids = [i["video_id"] for i in items if i["video_id"]]
    photos = _rows_by_id(db, "photos", photo_ids)
    videos = _rows_by_id(db, "videos", video_ids)
    posters = [v["poster_photo_id"] for v in videos.values() if v["poster_photo_id"]]
    files = media.variants_by_photo(db, photo_ids + posters)
    out = []
    for item in items:
        if item["photo_id"]:
            filled = _fill_photo(item, photos.get(item["photo_id"]), files)
        else:
            filled = _fill_video(item, videos.get(item["video_id"]), files)
        if filled:
            out.append(item)
    return out


def _rows_by_id(db: sqlite_utils.Database, table: str, ids: list[int]) -> dict[int, dict]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {
        r["id"]: dict(r) for r in db.execute(f"SELECT * FROM {table} WHERE id IN ({marks})", ids)
    }


def _fill_photo(item: dict, photo: dict | None, files: dict) -> bool:
    if photo is None:
        return False
    photo["files"] = files.get(photo["id"], {"webp": [], "jpeg": []})
    if not photo["files"]["jpeg"]:
        return False
    largest = photo["files"]["jpeg"][-1]
    item.update(
        kind="photo",
        photo=photo,
        caption=photo["caption"] or "",
        credit=photo["credit"] or "",
        alt=photo["alt"] or "",
        full=largest["name"],
        width=largest["width"],
        height=largest["height"],
        thumb=photo["files"]["jpeg"][0]["name"],
    )
    return True


def _fill_video(item: dict, video: dict | None, files: dict) -> bool:
    if video is None:
        return False
    poster = files.get(video["poster_photo_id"], {}).get("jpeg") or []
    item.update(
        kind="video",
        video=video,
        caption=video["caption"] or video["title"] or "",
        credit=video["credit"] or "",
        alt=video["title"] or "视频",
        **_poster_frame(poster),
    )
    return True


def _poster_frame(poster: list[dict]) -> dict:
    """A video's poster frame (largest and smallest JPEG) and size; 1280×720 without one."""
    if not poster:
        return {"poster": None, "thumb": None, "width": 1280, "height": 720}
    return {
        "poster": poster[-1]["name"],
        "thumb": poster[0]["name"],
        "width": poster[-1]["width"],
        "height": poster[-1]["height"],
    }


def owner_public(db: sqlite_utils.Database, owner_type: str, owner_id: int) -> dict | None:
    """The honoree or exhibition an album belongs to, if the public may see it."""
    if owner_type == "honoree":
        return honorees.get_public(db, owner_id)
    return exhibitions.get_public(db, owner_id)


def public_album(db: sqlite_utils.Database, owner_type: str, owner_id: int) -> dict | None:
    """A public album: owner, items in order (public ones only) and cover; None
    when its owner is not public (the same 404 as an id that never existed)."""
    owner = owner_public(db, owner_type, owner_id)
    if owner is None:
        return None
    items = _fill(db, _ordered(db, owner_type, owner_id, public=True))
    cover = next((i for i in items if i["is_cover"]), items[0] if items else None)
    return {
        "owner_type": owner_type,
        "owner": owner,
        "items": items,
        "cover": cover,
        "title": owner.get("title") or owner.get("name"),
        "code": code_for(db, owner_type, owner_id),
    }


def for_editing(db: sqlite_utils.Database, owner_type: str, owner_id: int) -> list[dict]:
    """Every item of the album (drafts' too) in the curators' order."""
    return _fill(db, _ordered(db, owner_type, owner_id, public=False))


def code_for(db: sqlite_utils.Database, owner_type: str, owner_id: int) -> str:
    """The album's permanent short code, issued on first use."""
    kind = OWNERS[owner_type]
    row = db.execute(
        "SELECT code FROM target_codes WHERE target_type = ? AND target_id = ?", [kind, owner_id]
    ).fetchone()
    if row:
        return row[0]
    with write(db):
        return codes.register_target(db, kind, owner_id, now())


def by_code(db: sqlite_utils.Database, code: str) -> tuple[str, int] | None:
    """(owner type, owner id) of a public album's code, else None."""
    target = codes.resolve_target(db, code)
    if target is None or target[0] not in OWNERS.values():
        return None
    owner_type = "honoree" if target[0] == "honoree_album" else "exhibition"
    if owner_public(db, owner_type, target[1]) is None:
        return None
    return owner_type, target[1]


def _record(
    db: sqlite_utils.Database, owner_type: str, owner_id: int, action: str, user: dict
) -> None:
    if owner_type == "honoree":
        db.execute(
            "UPDATE honorees SET version = version + 1, updated_at = ? WHERE id = ?",
            [now(), owner_id],
        )
        honorees.record_revision(db, owner_id, action, user["id"] if user else None)
        honorees.note_change(db, owner_id)
    else:
        exhibitions._changed(db, owner_id, action, user)


def _owner_exists(db: sqlite_utils.Database, owner_type: str, owner_id: int) -> bool:
    table = "honorees" if owner_type == "honoree" else "exhibitions"
    return db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [owner_id]).fetchone() is not None


def _store(db: sqlite_utils.Database, owner_type: str, owner_id: int, items: list[dict]) -> None:
    """Write the whole order and cover (call inside a write)."""
    keep_uploads = {
        r[0]
        for r in db.execute(
            """SELECT a.photo_id FROM album_items a JOIN photos p ON p.id = a.photo_id
           WHERE a.owner_type = ? AND a.owner_id = ? AND p.honoree_id IS NULL""",
            [owner_type, owner_id],
        )
    }
    db.execute(
        "DELETE FROM album_items WHERE owner_type = ? AND owner_id = ?", [owner_type, owner_id]
    )
    for position, item in enumerate(items):
        db.execute(
            "INSERT INTO album_items (owner_type, owner_id, photo_id, video_id, "
            "position, is_cover) VALUES (?, ?, ?, ?, ?, ?)",
            [
                owner_type,
                owner_id,
                item["photo_id"],
                item["video_id"],
                position,
                int(bool(item["is_cover"])),
            ],
        )
        keep_uploads.discard(item["photo_id"])
    for photo_id in keep_uploads:  # an upload of the exhibition's own stays its own
        db.execute(
            "INSERT INTO album_items (owner_type, owner_id, photo_id, position) "
            "VALUES (?, ?, ?, ?)",
            [owner_type, owner_id, photo_id, len(items)],
        )


def change(
    db: sqlite_utils.Database, owner_type: str, owner_id: int, action: str, item: str, user: dict
) -> None:
    """up | down | first | cover | remove (an exhibition's own upload) for the item
    named ``photo-<id>`` or ``video-<id>``; recorded as a revision."""
    if owner_type not in OWNERS:
        raise AlbumError("没有这种相册")
    kind, _, number = (item or "").partition("-")
    if kind not in ("photo", "video") or not number.isdigit():
        raise AlbumError("没有这一项")
    wanted = (kind, int(number))
    with write(db):
        if not _owner_exists(db, owner_type, owner_id):
            raise AlbumError("没有这个相册")
        items = _ordered(db, owner_type, owner_id, public=False)
        keys = [_key(i) for i in items]
        if wanted not in keys:
            raise AlbumError("相册里没有这一项")
        index = keys.index(wanted)
        if action in ("up", "down", "first"):
            target = (
                0
                if action == "first"
                else max(0, min(len(items) - 1, index + (-1 if action == "up" else 1)))
            )
            items.insert(target, items.pop(index))
        elif action == "cover":
            for i in items:
                i["is_cover"] = _key(i) == wanted
        elif action == "remove":
            if owner_type != "exhibition" or items[index]["honoree_id"] is not None:
                raise AlbumError("人物的照片和视频请在人物页面删除")
            db.execute(
                "DELETE FROM album_items WHERE owner_type = 'exhibition' "
                "AND owner_id = ? AND photo_id = ?",
                [owner_id, wanted[1]],
            )
            db.execute("DELETE FROM photos WHERE id = ? AND honoree_id IS NULL", [wanted[1]])
            items.pop(index)
        else:
            raise AlbumError("不支持的操作")
        _store(db, owner_type, owner_id, items)
        _record(db, owner_type, owner_id, f"album_{action}", user)


def add_exhibition_photo(
    db: sqlite_utils.Database,
    media_dir: str,
    exhibition_id: int,
    prepared: media.Prepared,
    *,
    alt: str,
    caption: str | None,
    credit: str | None,
    user: dict,
) -> int:
    """A photo of the exhibition itself (the opening, the hall) put into its album."""
    with write(db):
        if not _owner_exists(db, "exhibition", exhibition_id):
            raise AlbumError("没有这个展厅")
        photo_id = media.add_photo(
            db, media_dir, prepared, None, alt=alt, caption=caption, credit=credit
        )
        position = db.execute(
            "SELECT coalesce(max(position) + 1, 0) FROM album_items WHERE "
            "owner_type = 'exhibition' AND owner_id = ?",
            [exhibition_id],
        ).fetchone()[0]
        db.execute(
            "INSERT INTO album_items (owner_type, owner_id, photo_id, position) "
            "VALUES ('exhibition', ?, ?, ?)",
            [exhibition_id, photo_id, position],
        )
        _record(db, "exhibition", exhibition_id, "album_add", user)
    return photo_id


def public_video(db: sqlite_utils.Database, video_id: int) -> bool:
    """Whether a video may be played by the public (its honoree is public)."""
    return media.public_video(db, video_id) is not None
