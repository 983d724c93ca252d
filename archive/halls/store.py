"""Halls in the database: creating one, what visitors may see of it, and the
signature that tells the worker a generated hall needs drawing again. No Flask."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import sqlite_utils

from archive.catalogue import codes, honorees
from archive.catalogue.honorees import PUBLIC

from ..db import bump_generation, write
from ..timeutil import now
from . import themes

LAYOUT_VERSION = "1"  # bump when the generated rooms change, so every hall redraws


def media_root(media_dir: str | Path) -> Path:
    """Where scenes' tiles live: MEDIA_DIR/halls/<tiles token>/ (derived)."""
    return Path(media_dir) / "halls"


def ensure(db: sqlite_utils.Database, exhibition_id: int) -> dict:
    """The exhibition's hall, created (with its permanent short code) if missing."""
    with write(db):
        row = db.execute("SELECT * FROM halls WHERE exhibition_id = ?", [exhibition_id]).fetchone()
        if row is None:
            stamp = now()
            hall_id = db.execute(
                "INSERT INTO halls (exhibition_id, code, created_at, updated_at) "
                "VALUES (?, '', ?, ?)",
                [exhibition_id, stamp, stamp],
            ).lastrowid
            code = codes.register_target(db, "hall", hall_id, stamp)
            db.execute("UPDATE halls SET code = ? WHERE id = ?", [code, hall_id])
            row = db.execute("SELECT * FROM halls WHERE id = ?", [hall_id]).fetchone()
    return dict(row)


def of_exhibition(db: sqlite_utils.Database, exhibition_id: int) -> dict | None:
    row = db.execute("SELECT * FROM halls WHERE exhibition_id = ?", [exhibition_id]).fetchone()
    return dict(row) if row else None


def theme_of(db: sqlite_utils.Database, exhibition_id: int) -> dict:
    row = db.execute("SELECT theme FROM exhibitions WHERE id = ?", [exhibition_id]).fetchone()
    return themes.of(row[0] if row else None)


def save_theme(
    db: sqlite_utils.Database, exhibition_id: int, theme: dict, user: dict | None
) -> None:
    """Store an exhibition's theme, recorded as a revision like any edit."""
    from archive.catalogue import exhibitions

    with write(db):
        db.execute(
            "UPDATE exhibitions SET theme = ? WHERE id = ?",
            [json.dumps(theme, ensure_ascii=False), exhibition_id],
        )
        exhibitions._changed(db, exhibition_id, "theme", user)


# --- what a generated hall is drawn from --------------------------------------------


def contents(db: sqlite_utils.Database, exhibition_id: int) -> dict:
    """Everything a generated hall shows: titles, theme and, per section, the public
    honorees in order with name, top honour and portrait file. Drafts and withdrawn
    records are never in it."""
    exhibition = dict(
        db.execute("SELECT * FROM exhibitions WHERE id = ?", [exhibition_id]).fetchone()
    )
    sections = []
    for section in db.execute(
        "SELECT * FROM exhibition_sections WHERE exhibition_id = ? ORDER BY position, id",
        [exhibition_id],
    ):
        rows = [
            dict(r)
            for r in db.execute(
                f"""SELECT h.* FROM exhibition_items i JOIN honorees h ON h.id = i.honoree_id
                WHERE i.section_id = ? AND {PUBLIC} ORDER BY i.position""",
                [section["id"]],
            )
        ]
        people = []
        for card in honorees.cards(db, rows):
            portrait = card.get("portrait") or {}
            jpeg = (portrait.get("files") or {}).get("jpeg") or []
            chosen = next((v for v in jpeg if v["width"] >= 320), jpeg[-1] if jpeg else None)
            people.append(
                {
                    "id": card["id"],
                    "name": card["name"],
                    "version": card["version"],
                    "honour": card["top_honour"],
                    "photo": chosen["name"] if chosen else None,
                }
            )
        sections.append({"id": section["id"], "title": section["title"], "people": people})
    return {
        "title": exhibition["title"],
        "intro": exhibition["intro"],
        "theme": themes.of(exhibition.get("theme")),
        "sections": sections,
    }


def signature(data: dict, cube: int) -> str:
    blob = json.dumps([LAYOUT_VERSION, cube, data], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def stale(db: sqlite_utils.Database, cube: int) -> list[int]:
    """Exhibitions whose generated hall no longer matches what it should show."""
    found = []
    for row in db.execute("SELECT exhibition_id, signature FROM halls WHERE generated = 1"):
        if signature(contents(db, row[0]), cube) != row[1]:
            found.append(row[0])
    return found


# --- what visitors see --------------------------------------------------------------

_HIDDEN = """EXISTS (SELECT 1 FROM hall_hotspots p JOIN honorees o ON o.id = p.honoree_id
                     WHERE p.scene_id = s.id AND p.baked = 1
                       AND NOT (o.status = 'published' AND o.deleted_at IS NULL))"""


def public_hall(
    db: sqlite_utils.Database, exhibition_id: int, require_published: bool = True
) -> dict | None:
    """A published exhibition's hall with its showable scenes, or None. A scene
    whose picture shows someone no longer public is left out until redrawn, and an
    uploaded one until the worker has cut its tiles.
    ``require_published=False`` is the curators' preview of what visitors will see."""
    published = "AND e.status = 'published'" if require_published else ""
    row = db.execute(
        f"""SELECT h.*, e.title, e.intro FROM halls h JOIN exhibitions e ON e.id = h.exhibition_id
            WHERE h.exhibition_id = ? {published}""",
        [exhibition_id],
    ).fetchone()
    if row is None:
        return None
    hall = dict(row)
    scenes = [
        dict(r)
        for r in db.execute(
            f"SELECT s.* FROM hall_scenes s WHERE s.hall_id = ? AND s.status = 'ready' "
            f"AND NOT {_HIDDEN} "
            "ORDER BY s.position, s.id",
            [hall["id"]],
        )
    ]
    keys = {s["key"] for s in scenes}
    ids = [s["id"] for s in scenes]
    spots: dict[int, list[dict]] = {i: [] for i in ids}
    if ids:
        marks = ",".join("?" * len(ids))
        for spot in db.execute(
            f"""SELECT p.*, o.name AS honoree_name, o.name_en AS honoree_name_en,
                    o.kind AS honoree_kind, o.status, o.deleted_at
                    FROM hall_hotspots p LEFT JOIN honorees o ON o.id = p.honoree_id
                    WHERE p.scene_id IN ({marks}) ORDER BY p.scene_id, p.position, p.id""",
            ids,
        ):
            spot = dict(spot)
            if spot["honoree_id"] and not (
                spot["status"] == "published" and spot["deleted_at"] is None
            ):
                continue
            if spot["kind"] == "door" and spot["target_key"] not in keys:
                continue
            spots[spot["scene_id"]].append(spot)
    for scene in scenes:
        scene["hotspots"] = spots[scene["id"]]
    hall["scenes"] = scenes
    if hall["entrance_key"] not in keys:
        hall["entrance_key"] = scenes[0]["key"] if scenes else None
    return hall


def public_tiles(db: sqlite_utils.Database, exhibition_id: int, tiles: str) -> bool:
    """Whether a scene's pictures (by their folder token) may be served."""
    return (
        db.execute(
            f"""SELECT 1 FROM hall_scenes s JOIN halls h ON h.id = s.hall_id
            JOIN exhibitions e ON e.id = h.exhibition_id
            WHERE e.id = ? AND e.status = 'published' AND s.tiles = ? AND s.status = 'ready'
              AND NOT {_HIDDEN}""",
            [exhibition_id, tiles],
        ).fetchone()
        is not None
    )


def public_by_code(db: sqlite_utils.Database, hall_id: int) -> dict | None:
    row = db.execute(
        """SELECT h.* FROM halls h JOIN exhibitions e ON e.id = h.exhibition_id
           WHERE h.id = ? AND e.status = 'published'""",
        [hall_id],
    ).fetchone()
    return dict(row) if row else None


def viewer_config(hall: dict, tiles_url, profile_url) -> dict:
    """The Pannellum configuration of a public hall (``tiles_url(token)`` and
    ``profile_url(honoree id)`` build addresses)."""
    scenes = {}
    for scene in hall["scenes"]:
        spots = []
        for spot in scene["hotspots"]:
            item = {
                "kind": spot["kind"],
                "yaw": round(spot["yaw"], 3),
                "pitch": round(spot["pitch"], 3),
                "title": spot["title"],
                "text": spot["text"],
            }
            if spot["kind"] == "portrait":
                item.update(
                    id=spot["honoree_id"],
                    title=spot["honoree_name"],
                    url=profile_url(spot["honoree_id"]),
                )
            elif spot["kind"] == "door":
                item["target"] = spot["target_key"]
            elif spot["kind"] == "audio":
                item["audio"] = spot["audio"]
            spots.append(item)
        scenes[scene["key"]] = {
            "title": scene["title"],
            "yaw": scene["yaw"],
            "pitch": scene["pitch"],
            "hfov": scene["hfov"],
            "base": tiles_url(scene["tiles"]),
            "cube": scene["cube_size"],
            "tile": scene["tile_size"],
            "levels": scene["max_level"],
            "hotspots": spots,
        }
    return {
        "entrance": hall["entrance_key"],
        "order": [s["key"] for s in hall["scenes"]],
        "scenes": scenes,
    }


def first_scene_only(config: dict, start: dict, more_url) -> dict:
    """The configuration a hall page carries: the room it opens in, the order and
    titles of all rooms, and where the other rooms' settings are (``more``: an
    address ``more_url(digest)`` that changes with what it holds)."""
    blob = json.dumps(config["scenes"], ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(blob.encode()).hexdigest()[:12]
    return {
        **config,
        "start": start,
        "more": more_url(digest),
        "titles": {key: scene["title"] for key, scene in config["scenes"].items()},
        "scenes": {start["scene"]: config["scenes"][start["scene"]]},
    }


def list_order(hall: dict) -> list[dict]:
    """The hall's honorees in visiting order with their room: the list shown when
    the panorama cannot be (no WebGL, screen readers, keyboards)."""
    rooms = []
    for scene in hall["scenes"]:
        people = [s for s in scene["hotspots"] if s["kind"] == "portrait"]
        if people:
            rooms.append({"key": scene["key"], "title": scene["title"], "people": people})
    return rooms


def yaw_ok(value: str | None, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def mark_changed(db: sqlite_utils.Database) -> None:
    bump_generation(db)


PHONE_CANVAS = (1170, 1823)  # a 390×844 phone at DPR 3: the viewer is 72vh tall (hall.css)


def first_view_tiles(
    scene: dict,
    yaw: float,
    pitch: float,
    hfov: float = 80.0,
    canvas: tuple[int, int] = PHONE_CANVAS,
) -> list[str]:
    """The tiles (``level/face row_col.jpg``) Pannellum asks for when the scene
    opens looking at (yaw, pitch) on a phone held upright, lowest level first: the
    same walk as libpannellum's multires renderer (each level down to the one its
    checkZoom picks for the canvas width; a tile is kept unless all four corners lie
    beyond one edge of the view or behind the camera), so the page can ask for
    exactly those before the viewer's script has arrived."""
    import numpy as np

    from .projection import direction, face_corners

    width, height = canvas
    tile, top = scene["tile_size"], scene["max_level"]
    tan_x = math.tan(math.radians(hfov) / 2)
    level = 1
    while level < top and width > tile * 2 ** (level - 1) * tan_x * 0.707:
        level += 1
    forward = np.array(direction(yaw, pitch))
    right = np.array([math.cos(math.radians(yaw)), 0.0, math.sin(math.radians(yaw))])
    up = np.cross(right, forward)
    tan_y = tan_x * height / width

    def seen(corners: np.ndarray) -> bool:
        depth = corners @ forward
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (corners @ right) / (tan_x * depth)
            y = (corners @ up) / (tan_y * depth)
        flags = (
            np.sign(np.where(x < -1, -1, np.where(x > 1, 1, 0))).sum(),
            np.sign(np.where(y < -1, -1, np.where(y > 1, 1, 0))).sum(),
        )
        return abs(flags[0]) != 4 and abs(flags[1]) != 4 and not (depth < 0.1).all()

    found: list[str] = []
    wanted = [(name, 0, 0) for name in ("f", "b", "u", "d", "l", "r")]
    for current in range(1, level + 1):
        size = scene["cube_size"] * 2 ** (current - top)
        kept = []
        for name, row, col in wanted:
            origin, step_right, step_down = face_corners(name)
            u0, u1 = col * tile / size, min(1.0, (col + 1) * tile / size)
            v0, v1 = row * tile / size, min(1.0, (row + 1) * tile / size)
            corners = np.array(
                [
                    origin + u * step_right + v * step_down
                    for u, v in ((u0, v0), (u1, v0), (u0, v1), (u1, v1))
                ]
            )
            if seen(corners):
                kept.append((name, row, col))
                found.append(f"{current}/{name}{row}_{col}.jpg")
        per_side = math.ceil(size * 2 / tile)
        wanted = [
            (name, r, c)
            for name, row, col in kept
            for r in (2 * row, 2 * row + 1)
            for c in (2 * col, 2 * col + 1)
            if r < per_side and c < per_side
        ]
    return found
