"""Uploaded panoramas: the request checks the photograph, keeps a re-encoded copy
without metadata and queues a job; the background worker cuts it into tiles.
Until then the scene is 处理中 in the editor and absent for visitors; a failed
conversion is kept with its reason in Chinese. No Flask."""

from __future__ import annotations

import errno
import gc
import json
import math
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

import sqlite_utils
from PIL import Image

from .. import jobs
from ..db import write
from . import render, store, tiles
from .editor import PANORAMA_CUBE, HallEditError, _changed, _hall, _scene, check_panorama

JOB_KIND = "hall-panorama"
ORIGINAL_QUALITY = 92  # the kept copy is re-encoded once, so it carries pixels only
PREVIEW_SIZE = (2048, 1024)
STATUS_LABELS = {"processing": "处理中", "ready": "可用", "failed": "处理失败"}


class ConversionFailed(jobs.Refused):
    """The conversion cannot succeed as it stands; the reason is for curators."""


def originals_dir(media_dir: str | Path) -> Path:
    """Where uploaded panoramas are kept as received (re-encoded): MEDIA_DIR/halls/originals/."""
    return store.media_root(media_dir) / "originals"


def original_path(media_dir: str | Path, token: str) -> Path:
    return originals_dir(media_dir) / f"{token}.jpg"


def cube_for(width: int) -> int:
    """The sharpest cube face for an equirectangular width (a quarter of it, a power
    of two between 512 and PANORAMA_CUBE)."""
    return min(PANORAMA_CUBE, 2 ** max(9, math.floor(math.log2(width / 4))))


def _keep_original(image: Image.Image, path: Path) -> None:
    """Write the decoded pixels as a fresh JPEG beside, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        image.save(scratch, "JPEG", quality=ORIGINAL_QUALITY)
        os.replace(scratch, path)
    except OSError as exc:
        scratch.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise HallEditError("服务器磁盘空间不足，全景照片未能保存") from None
        raise


def add(
    db: sqlite_utils.Database,
    media_dir: str,
    exhibition_id: int,
    data: bytes,
    title: str,
    user: dict,
) -> dict:
    """An uploaded panorama becomes a scene that is 处理中: the photograph is checked
    and kept re-encoded (no EXIF, GPS or XMP), and a job asks the worker to cut it."""
    _hall(db, exhibition_id)
    return add_kept(db, media_dir, exhibition_id, keep(media_dir, data, title), user)


def keep(media_dir: str, data: bytes, title: str) -> dict:
    """Check an uploaded panorama and keep it re-encoded; what its scene needs
    (``title``, ``token``, ``width``). Nothing is in the database yet: with review,
    the scene is added when a second person approves (:func:`add_kept`)."""
    title = " ".join((title or "").split())[:60]
    if not title:
        raise HallEditError("请填写场景名称")
    image = check_panorama(data)
    token = f"up-{secrets.token_hex(8)}"
    width = image.width
    _keep_original(image, original_path(media_dir, token))
    del image
    gc.collect()
    return {"title": title, "token": token, "width": width}


def add_kept(
    db: sqlite_utils.Database,
    media_dir: str,
    exhibition_id: int,
    kept: dict,
    user: dict,
    kept_file: bool = True,
) -> dict:
    """The 处理中 scene of a kept panorama, and the job that cuts it (one transaction).
    ``kept_file`` False: a review's dry run, in a scratch media folder."""
    token, cube = kept["token"], cube_for(kept["width"])
    if kept_file and not original_path(media_dir, token).is_file():
        raise HallEditError("待处理的全景照片已不存在，请重新上传")
    try:
        with write(db):
            hall = _hall(db, exhibition_id)
            key = _free_key(db, hall["id"])
            position = db.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM hall_scenes WHERE hall_id = ?",
                [hall["id"]],
            ).fetchone()[0]
            scene_id = db.execute(
                """INSERT INTO hall_scenes (hall_id, key, title, position, source, tiles,
                       cube_size, tile_size, max_level, yaw, pitch, hfov, status)
                   VALUES (?, ?, ?, ?, 'uploaded', ?, ?, 512, ?, 0, 0, 100, 'processing')""",
                [
                    hall["id"],
                    key,
                    kept["title"],
                    position,
                    token,
                    cube,
                    tiles.levels_for(cube, 512),
                ],
            ).lastrowid
            if not hall["entrance_key"]:
                db.execute("UPDATE halls SET entrance_key = ? WHERE id = ?", [key, hall["id"]])
            _changed(db, exhibition_id, "hall_upload", user)
            jobs.enqueue(db, JOB_KIND, {"scene_id": scene_id})  # in the same transaction
    except HallEditError:
        raise
    except Exception:
        original_path(media_dir, token).unlink(missing_ok=True)  # nothing half-written
        raise
    return {"id": scene_id, "key": key, "tiles": token, "cube": cube}


def _free_key(db: sqlite_utils.Database, hall_id: int) -> str:
    number = (
        1
        + db.execute(
            "SELECT count(*) FROM hall_scenes WHERE hall_id = ? AND source = 'uploaded'", [hall_id]
        ).fetchone()[0]
    )
    while db.execute(
        "SELECT 1 FROM hall_scenes WHERE hall_id = ? AND key = ?", [hall_id, f"u{number}"]
    ).fetchone():
        number += 1
    return f"u{number}"


def retry(db: sqlite_utils.Database, exhibition_id: int, scene_id: int, user: dict) -> None:
    """Queue a failed (or stranded) conversion again."""
    with write(db):
        scene = _scene(db, _hall(db, exhibition_id), scene_id)
        if scene["source"] != "uploaded" or scene["status"] == "ready":
            raise HallEditError("这个场景不需要重新处理")
        db.execute(
            "UPDATE hall_scenes SET status = 'processing', error = NULL WHERE id = ?", [scene_id]
        )
        _changed(db, exhibition_id, "hall_upload", user)
        jobs.enqueue(db, JOB_KIND, {"scene_id": scene_id})


def _reason(exc: BaseException) -> str:
    """What curators are told when a conversion fails."""
    if isinstance(exc, ConversionFailed):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "服务器内存不足，未能切分这张全景照片；请稍后点“重新处理”"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "服务器磁盘空间不足，未能写入全景瓦片；清理空间后请点“重新处理”"
    return f"切分全景照片时出错（{type(exc).__name__}）；请点“重新处理”或重新上传"


def _open_original(path: Path) -> Image.Image:
    try:
        with Image.open(path) as opened:
            opened.load()
            return opened if opened.mode == "RGB" else opened.convert("RGB")
    except FileNotFoundError:
        raise ConversionFailed("全景照片的原件不见了，请删除此场景后重新上传") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ConversionFailed(
            "全景照片的原件无法读取（文件已损坏），请删除此场景后重新上传"
        ) from None


def convert(
    db: sqlite_utils.Database,
    media_dir: str,
    scene_id: int,
    progress: Callable[..., None] | None = None,
) -> dict | None:
    """The worker's half: cut the kept photograph into cube-face tiles and a preview,
    then mark the scene ready. A failure marks it failed with the reason and raises
    ConversionFailed (retrying the same job cannot help; the curator may). Returns
    None when the scene was deleted meanwhile."""
    row = db.execute("SELECT * FROM hall_scenes WHERE id = ?", [scene_id]).fetchone()
    if row is None or row["status"] == "ready":
        return None
    scene = dict(row)
    try:
        return _cut(db, media_dir, scene, progress)
    except Exception as exc:
        reason = _reason(exc)
        with write(db):
            db.execute(
                "UPDATE hall_scenes SET status = 'failed', error = ? WHERE id = ? AND "
                "status = 'processing'",
                [reason, scene_id],
            )
        raise ConversionFailed(reason) from exc


def cut(
    media_dir: str | Path, token: str, progress: Callable[..., None] | None = None
) -> tiles.Pyramid:
    """The pictures of a kept panorama: cube faces cut into tiles, and a preview."""
    if progress:
        progress(0, 3, "正在读取全景照片")
    image = _open_original(original_path(media_dir, token))
    root = store.media_root(media_dir)
    faces = render.faces_from_equirect(image, cube_for(image.width))
    preview = image.resize(PREVIEW_SIZE, Image.Resampling.LANCZOS)
    del image
    gc.collect()
    if progress:
        progress(1, 3, "正在切分瓦片")
    pyramid = tiles.write(faces, root / token)
    del faces
    preview.save(root / token / "panorama.jpg", "JPEG", quality=82, optimize=True)
    return pyramid


def _cut(
    db: sqlite_utils.Database, media_dir: str, scene: dict, progress: Callable[..., None] | None
) -> dict | None:
    pyramid = cut(media_dir, scene["tiles"], progress)
    if progress:
        progress(2, 3, "正在登记场景")
    with write(db):
        done = db.execute(
            """UPDATE hall_scenes SET status = 'ready', error = NULL, cube_size = ?,
                   tile_size = ?, max_level = ? WHERE id = ? AND tiles = ?""",
            [pyramid.cube, pyramid.tile, pyramid.levels, scene["id"], scene["tiles"]],
        ).rowcount
        if done:
            db.execute("UPDATE halls SET version = version + 1 WHERE id = ?", [scene["hall_id"]])
            store.mark_changed(db)
    if not done:  # deleted while being cut: its pictures belong to nobody
        shutil.rmtree(store.media_root(media_dir) / scene["tiles"], ignore_errors=True)
        return None
    return {"cube": pyramid.cube, "levels": pyramid.levels}


def stranded(db: sqlite_utils.Database, scene_ids: list[int]) -> dict[int, str]:
    """Scenes still 处理中 whose last job ended failed (the worker was killed every
    try): their reason, so the editor does not say 处理中 forever."""
    found: dict[int, str] = {}
    for row in db.execute(
        "SELECT params, status, error FROM jobs WHERE kind = ? ORDER BY id", [JOB_KIND]
    ):
        scene_id = json.loads(row["params"]).get("scene_id")
        if scene_id in scene_ids:
            if row["status"] == "failed":
                found[scene_id] = row["error"] or "后台任务失败"
            else:
                found.pop(scene_id, None)
    return found
