"""The generated hall: an exhibition's sections laid out as rooms (a section with
more portraits than a room holds continues in the next room), each room drawn as a
panorama, cut into tiles, and stored with its hotspots, in one transaction."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from archive.catalogue import media
from archive.printing import fonts

from ..db import write
from ..timeutil import now
from . import render, room, store, tiles

CHINESE_NUMBERS = "一二三四五六七八九十"
PREVIEW_WIDTH = 2048  # the equirectangular picture kept beside each scene's tiles
START_PITCH = 2.0


def _ordinal(n: int) -> str:
    if n <= 10:
        return CHINESE_NUMBERS[n - 1]
    if n < 20:
        return "十" + CHINESE_NUMBERS[n - 11]
    return str(n)


def plan_rooms(data: dict, media_dir: str | Path) -> list[tuple[dict, room.RoomPlan]]:
    """(scene facts, room plan) for every room, in visiting order."""
    derived = media.derived_dir(media_dir)
    rooms: list[tuple[dict, room.RoomPlan]] = []
    for section in data["sections"]:
        people = section["people"]
        chunks = [people[i : i + room.CAPACITY] for i in range(0, len(people), room.CAPACITY)]
        for number, chunk in enumerate(chunks, 1):
            title = section["title"] + (f"（{_ordinal(number)}）" if len(chunks) > 1 else "")
            portraits = [
                room.Portrait(
                    p["id"], p["name"], p["honour"], derived / p["photo"] if p["photo"] else None
                )
                for p in chunk
            ]
            rooms.append(
                (
                    {"key": f"r{len(rooms) + 1}", "title": title, "section_id": section["id"]},
                    room.RoomPlan(data["title"], title, section["title"], portraits),
                )
            )
    if not rooms:  # an exhibition with nobody public yet still has its entrance hall
        rooms.append(
            (
                {"key": "r1", "title": "序厅", "section_id": None},
                room.RoomPlan(data["title"], "序厅", "", []),
            )
        )
    for index, (facts, plan) in enumerate(rooms):
        if index > 0:
            plan.doors["previous"] = room.Door("‹ 上一展室", rooms[index - 1][0]["title"])
        else:
            plan.intro = data["intro"]
        if index + 1 < len(rooms):
            plan.doors["next"] = room.Door("下一展室 ›", rooms[index + 1][0]["title"])
        elif len(rooms) > 1:
            plan.doors["next"] = room.Door("返回序厅 ›", rooms[0][0]["title"])
        facts["next"] = rooms[(index + 1) % len(rooms)][0]["key"] if len(rooms) > 1 else None
        facts["previous"] = rooms[index - 1][0]["key"] if index > 0 else None
    return rooms


def hotspots(facts: dict, plan: room.RoomPlan) -> list[dict]:
    """Where a room's portraits, doors and introduction are, as seen by the visitor."""
    spots = []
    for (wall, s), person in zip(room.PORTRAIT_SLOTS, plan.portraits, strict=False):
        yaw, pitch = room.wall_view(wall, s, room.FRAME_CENTRE)
        spots.append(
            {
                "kind": "portrait",
                "yaw": yaw,
                "pitch": pitch,
                "honoree_id": person.honoree_id,
                "title": person.name,
                "text": person.honour,
                "baked": 1,
            }
        )
    for key, label in (("previous", "上一展室"), ("next", "下一展室")):
        if key in plan.doors and facts.get(key):
            wall, s = room.DOOR_SLOTS[key]
            yaw, pitch = room.wall_view(wall, s, room.DOOR_H * 0.5)
            spots.append(
                {
                    "kind": "door",
                    "yaw": yaw,
                    "pitch": pitch,
                    "target_key": facts[key],
                    "title": plan.doors[key].label.strip("‹› "),
                    "text": plan.doors[key].target or label,
                }
            )
    if plan.intro:
        wall, s = room.DOOR_SLOTS["previous"]
        yaw, pitch = room.wall_view(wall, s, 2.6)
        spots.append(
            {"kind": "info", "yaw": yaw, "pitch": pitch, "title": "前言", "text": plan.intro}
        )
    return spots


Progress = Callable[[int, int, str | None], None]


def generate(
    db: sqlite_utils.Database, config: dict, exhibition_id: int, progress: Progress | None = None
) -> dict:
    """Draw the exhibition's hall afresh and switch to it in one transaction.
    Returns counts and timings."""
    started = time.monotonic()
    hall = store.ensure(db, exhibition_id)
    data = store.contents(db, exhibition_id)
    cube = int(config["HALL_CUBE_SIZE"])
    sign = store.signature(data, cube)
    font = fonts.load(config["FONT_PATH"])
    rooms = plan_rooms(data, config["MEDIA_DIR"])
    root = store.media_root(config["MEDIA_DIR"])
    theme = data["theme"]
    made = []
    for index, (facts, plan) in enumerate(rooms):
        pictures = {
            **room.wall_textures(plan, theme, (font.path, font.index)),
            "floor": room.floor_texture(theme),
            "ceiling": room.ceiling_texture(theme),
        }
        faces = render.render_faces(pictures, cube)
        token = f"{sign[:12]}-{facts['key']}"
        pyramid = tiles.write(faces, root / token)
        render.equirect_from_faces(faces, PREVIEW_WIDTH).save(
            root / token / "panorama.jpg", "JPEG", quality=82, optimize=True
        )
        made.append((facts, plan, token, pyramid))
        if progress:
            progress(index + 1, len(rooms), f"已绘制 {index + 1}/{len(rooms)} 个展室")
    with write(db):
        old = {
            r["tiles"]
            for r in db.execute(
                "SELECT tiles FROM hall_scenes WHERE hall_id = ? AND source = 'generated'",
                [hall["id"]],
            )
        }
        keys = []
        for position, (facts, plan, token, pyramid) in enumerate(made):
            keys.append(facts["key"])
            yaw = 0.0
            db.execute(
                """INSERT INTO hall_scenes (hall_id, key, title, position, section_id, source,
                       tiles, cube_size, tile_size, max_level, yaw, pitch, hfov)
                   VALUES (?, ?, ?, ?, ?, 'generated', ?, ?, ?, ?, ?, ?, 100)
                   ON CONFLICT (hall_id, key) DO UPDATE SET title = excluded.title,
                       position = excluded.position, section_id = excluded.section_id,
                       source = 'generated', tiles = excluded.tiles,
                       cube_size = excluded.cube_size, tile_size = excluded.tile_size,
                       max_level = excluded.max_level""",
                [
                    hall["id"],
                    facts["key"],
                    facts["title"],
                    position,
                    facts["section_id"],
                    token,
                    pyramid.cube,
                    pyramid.tile,
                    pyramid.levels,
                    yaw,
                    START_PITCH,
                ],
            )
            scene_id = db.execute(
                "SELECT id FROM hall_scenes WHERE hall_id = ? AND key = ?",
                [hall["id"], facts["key"]],
            ).fetchone()[0]
            db.execute("DELETE FROM hall_hotspots WHERE scene_id = ? AND generated = 1", [scene_id])
            for number, spot in enumerate(hotspots(facts, plan)):
                db.execute(
                    """INSERT INTO hall_hotspots (scene_id, kind, yaw, pitch, honoree_id,
                           target_key, title, text, baked, generated, position)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)""",
                    [
                        scene_id,
                        spot["kind"],
                        spot["yaw"],
                        spot["pitch"],
                        spot.get("honoree_id"),
                        spot.get("target_key"),
                        spot.get("title", ""),
                        spot.get("text", ""),
                        spot.get("baked", 0),
                        number,
                    ],
                )
        marks = ",".join("?" * len(keys))
        db.execute(
            f"DELETE FROM hall_scenes WHERE hall_id = ? AND source = 'generated' "
            f"AND key NOT IN ({marks})",
            [hall["id"], *keys],
        )
        every = {
            r[0] for r in db.execute("SELECT key FROM hall_scenes WHERE hall_id = ?", [hall["id"]])
        }
        entrance = hall["entrance_key"] if hall["entrance_key"] in every else keys[0]
        db.execute(
            """UPDATE halls SET signature = ?, rendered_at = ?, entrance_key = ?,
                          version = version + 1, updated_at = ? WHERE id = ?""",
            [sign, now(), entrance, now(), hall["id"]],
        )
        store.mark_changed(db)
    kept = {token for _, _, token, _ in made}
    for token in old - kept:  # pictures of the previous drawing: no scene points at them
        shutil.rmtree(root / token, ignore_errors=True)
    people = sum(len(plan.portraits) for _, plan, _, _ in made)
    return {"rooms": len(made), "portraits": people, "seconds": time.monotonic() - started}
