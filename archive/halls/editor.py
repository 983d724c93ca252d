"""The hall editor's operations: hotspots placed, moved and removed, scenes'
titles, starting views and the entrance, doors between scenes, audio spots and
uploaded panoramas. Every change is a revision of the exhibition. No Flask."""

from __future__ import annotations

import io
import math
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from PIL import Image

from archive.catalogue import exhibitions
from archive.curation import editing

from ..db import write
from . import store

KINDS = {
    "portrait": "人物肖像",
    "info": "文字说明",
    "audio": "语音讲解",
    "door": "通往其他场景的门",
}
MAX_PANORAMA = (8192, 4096)
MAX_PANORAMA_BYTES = 40_000_000
MAX_AUDIO_BYTES = 30_000_000
PANORAMA_CUBE = 2048  # the sharpest face of an uploaded scene (8192 px around / 4)
AUDIO_TYPES = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg"}


class HallEditError(ValueError):
    """A change the editor cannot make; the message is for curators."""


def _hall(db: sqlite_utils.Database, exhibition_id: int) -> dict:
    if not db.execute("SELECT 1 FROM exhibitions WHERE id = ?", [exhibition_id]).fetchone():
        raise HallEditError("没有这个展厅")
    return store.ensure(db, exhibition_id)


def for_editing(db: sqlite_utils.Database, exhibition_id: int) -> dict:
    """The hall with every scene and hotspot (drafts' portraits too, marked)."""
    hall = _hall(db, exhibition_id)
    scenes = [
        dict(r)
        for r in db.execute(
            "SELECT * FROM hall_scenes WHERE hall_id = ? ORDER BY position, id", [hall["id"]]
        )
    ]
    for scene in scenes:
        scene["hotspots"] = [
            dict(r)
            for r in db.execute(
                """SELECT p.*, o.name AS honoree_name, o.unit AS honoree_unit,
                      o.status AS honoree_status
               FROM hall_hotspots p LEFT JOIN honorees o ON o.id = p.honoree_id
               WHERE p.scene_id = ? ORDER BY p.position, p.id""",
                [scene["id"]],
            )
        ]
    hall["scenes"] = scenes
    return hall


def _scene(db: sqlite_utils.Database, hall: dict, scene_id: int) -> dict:
    row = db.execute(
        "SELECT * FROM hall_scenes WHERE id = ? AND hall_id = ?", [scene_id, hall["id"]]
    ).fetchone()
    if row is None:
        raise HallEditError("没有这个场景")
    return dict(row)


def _angle(value, label: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise HallEditError(f"{label}应是一个数") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise HallEditError(f"{label}应在 {low:g} 到 {high:g} 之间")
    return round(number, 3)


def _yaw(value) -> float:
    number = _angle(value, "水平角度", -720, 720)
    return round((number + 180) % 360 - 180, 3)


def _changed(db: sqlite_utils.Database, exhibition_id: int, action: str, user: dict) -> None:
    db.execute("UPDATE halls SET version = version + 1 WHERE exhibition_id = ?", [exhibition_id])
    exhibitions._changed(db, exhibition_id, action, user)


@dataclass
class _Spot:
    """A hotspot's fields as they will be stored."""

    kind: str
    yaw: float
    pitch: float
    title: str
    text: str
    audio: str | None
    honoree_id: int | None = None
    target: str | None = None

    def values(self) -> list:
        return [
            self.kind,
            self.yaw,
            self.pitch,
            self.honoree_id,
            self.target,
            self.title,
            self.text,
            self.audio,
        ]


def save_hotspot(
    db: sqlite_utils.Database,
    exhibition_id: int,
    scene_id: int,
    form: dict,
    user: dict,
    hotspot_id: int | None = None,
    audio: str | None = None,
) -> int:
    """Place a new hotspot or change one a curator placed: kind, where (yaw, pitch),
    and per kind the honoree (picked by name), the text, the door's target scene or
    the audio file. Generated spots move with their room when it is redrawn, so
    they are not edited here."""
    with write(db):
        hall = _hall(db, exhibition_id)
        scene = _scene(db, hall, scene_id)
        existing = _placed_hotspot(db, scene_id, hotspot_id)
        spot = _spot_from_form(form, existing, audio)
        _complete_spot(db, hall, scene, spot, form)
        hotspot_id = _store_hotspot(db, scene_id, spot, hotspot_id)
        _changed(db, exhibition_id, "hall_hotspot", user)
    return hotspot_id


def _placed_hotspot(
    db: sqlite_utils.Database, scene_id: int, hotspot_id: int | None
) -> dict | None:
    """The curator-placed hotspot being changed, or None for a new one."""
    if hotspot_id is None:
        return None
    row = db.execute(
        "SELECT * FROM hall_hotspots WHERE id = ? AND scene_id = ?", [hotspot_id, scene_id]
    ).fetchone()
    if row is None:
        raise HallEditError("没有这个热点")
    if row["generated"]:
        raise HallEditError("自动生成的热点随展室重绘，不能在这里修改")
    return dict(row)


def _spot_from_form(form: dict, existing: dict | None, audio: str | None) -> _Spot:
    """The kind (kept when the form leaves it out), where, the title and the text; the
    audio file just uploaded, else the one the spot had."""
    before = existing or {}
    kind = form.get("kind") or before.get("kind") or ""
    if kind not in KINDS:
        raise HallEditError("请选择热点类型")
    yaw, pitch = _yaw(form.get("yaw")), _angle(form.get("pitch"), "俯仰角度", -90, 90)
    return _Spot(
        kind,
        yaw,
        pitch,
        title=" ".join((form.get("title") or "").split())[:60],
        text=(form.get("text") or "").strip()[:2000],
        audio=audio or before.get("audio"),
    )


def _complete_spot(
    db: sqlite_utils.Database, hall: dict, scene: dict, spot: _Spot, form: dict
) -> None:
    """What each kind needs: a portrait its honoree, a door another scene of the hall,
    an info spot a title or text, an audio spot its file; the default titles. Only an
    audio spot keeps an audio file."""
    if spot.kind == "portrait":
        _pick_honoree(db, spot, form.get("honoree") or "")
    elif spot.kind == "door":
        _door_target(db, hall, scene, spot, form.get("target_key") or "")
    elif spot.kind == "info":
        if not (spot.title or spot.text):
            raise HallEditError("文字说明需要标题或正文")
    elif spot.kind == "audio":
        if not spot.audio:
            raise HallEditError("请上传讲解音频（MP3、M4A 或 OGG）")
        spot.title = spot.title or "语音讲解"
    if spot.kind != "audio":
        spot.audio = None


def _pick_honoree(db: sqlite_utils.Database, spot: _Spot, typed: str) -> None:
    """A portrait's honoree, picked by name (or number) as typed; titled with the name
    unless the curator gave a title."""
    try:
        spot.honoree_id = editing.pick(db, typed)
    except editing.EditError as exc:
        raise HallEditError(str(exc)) from None
    row = db.execute(
        "SELECT name FROM honorees WHERE id = ? AND deleted_at IS NULL", [spot.honoree_id]
    ).fetchone()
    if row is None:
        raise HallEditError("没有这条记录")
    spot.title = spot.title or row[0]


def _door_target(
    db: sqlite_utils.Database, hall: dict, scene: dict, spot: _Spot, target: str
) -> None:
    """A door leads to another scene of the same hall."""
    if (
        target == scene["key"]
        or not db.execute(
            "SELECT 1 FROM hall_scenes WHERE hall_id = ? AND key = ?", [hall["id"], target]
        ).fetchone()
    ):
        raise HallEditError("请选择这扇门通往的另一个场景")
    spot.target = target
    spot.title = spot.title or "前往"


def _store_hotspot(
    db: sqlite_utils.Database, scene_id: int, spot: _Spot, hotspot_id: int | None
) -> int:
    """Insert a new spot last in its scene, or update the one being changed."""
    if hotspot_id is None:
        position = db.execute(
            "SELECT coalesce(max(position) + 1, 0) FROM hall_hotspots WHERE scene_id = ?",
            [scene_id],
        ).fetchone()[0]
        return db.execute(
            """INSERT INTO hall_hotspots (kind, yaw, pitch, honoree_id, target_key, title,
                   text, audio, scene_id, baked, generated, position)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)""",
            [*spot.values(), scene_id, position],
        ).lastrowid
    db.execute(
        """UPDATE hall_hotspots SET kind = ?, yaw = ?, pitch = ?, honoree_id = ?,
                      target_key = ?, title = ?, text = ?, audio = ? WHERE id = ?""",
        [*spot.values(), hotspot_id],
    )
    return hotspot_id


def delete_hotspot(
    db: sqlite_utils.Database, exhibition_id: int, scene_id: int, hotspot_id: int, user: dict
) -> None:
    with write(db):
        hall = _hall(db, exhibition_id)
        _scene(db, hall, scene_id)
        if not db.execute(
            "DELETE FROM hall_hotspots WHERE id = ? AND scene_id = ? AND generated = 0",
            [hotspot_id, scene_id],
        ).rowcount:
            raise HallEditError("没有这个热点，或它是自动生成的")
        _changed(db, exhibition_id, "hall_hotspot", user)


def save_scene(
    db: sqlite_utils.Database, exhibition_id: int, scene_id: int, form: dict, user: dict
) -> None:
    """A scene's title, its starting view (yaw, pitch) and whether visitors enter
    the hall here."""
    with write(db):
        hall = _hall(db, exhibition_id)
        scene = _scene(db, hall, scene_id)
        title = " ".join((form.get("title") or scene["title"]).split())[:60]
        if not title:
            raise HallEditError("场景名称不能为空")
        yaw = _yaw(form.get("yaw", scene["yaw"]))
        pitch = _angle(form.get("pitch", scene["pitch"]), "俯仰角度", -90, 90)
        db.execute(
            "UPDATE hall_scenes SET title = ?, yaw = ?, pitch = ? WHERE id = ?",
            [title, yaw, pitch, scene_id],
        )
        if form.get("entrance"):
            db.execute("UPDATE halls SET entrance_key = ? WHERE id = ?", [scene["key"], hall["id"]])
        _changed(db, exhibition_id, "hall_scene", user)


def delete_scene(
    db: sqlite_utils.Database, media_dir: str, exhibition_id: int, scene_id: int, user: dict
) -> None:
    """Remove an uploaded scene (generated rooms follow the exhibition's sections)."""
    with write(db):
        hall = _hall(db, exhibition_id)
        scene = _scene(db, hall, scene_id)
        if scene["source"] != "uploaded":
            raise HallEditError("生成的展室随展厅单元变化，不能单独删除")
        db.execute("DELETE FROM hall_scenes WHERE id = ?", [scene_id])
        db.execute(
            "DELETE FROM hall_hotspots WHERE kind = 'door' AND target_key = ? AND "
            "scene_id IN (SELECT id FROM hall_scenes WHERE hall_id = ?)",
            [scene["key"], hall["id"]],
        )
        _changed(db, exhibition_id, "hall_scene", user)
    shutil.rmtree(store.media_root(media_dir) / scene["tiles"], ignore_errors=True)
    (store.media_root(media_dir) / "originals" / f"{scene['tiles']}.jpg").unlink(missing_ok=True)


# --- uploaded panoramas ----------------------------------------------------------------


def check_panorama(data: bytes) -> Image.Image:
    """A JPEG equirectangular photograph (2:1, at most 8192×4096), decoded with its
    metadata left behind (EXIF, GPS, XMP are never re-encoded)."""
    if len(data) > MAX_PANORAMA_BYTES:
        raise HallEditError(f"全景照片不能超过 {MAX_PANORAMA_BYTES // 1_000_000} MB")
    if not data.startswith(b"\xff\xd8\xff"):
        raise HallEditError("全景照片只接受 JPEG 格式")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if probe.format != "JPEG":
                raise HallEditError("全景照片只接受 JPEG 格式")
    except HallEditError:
        raise
    except Exception:
        raise HallEditError("无法读取这张照片，文件可能已损坏") from None
    if width > MAX_PANORAMA[0] or height > MAX_PANORAMA[1]:
        raise HallEditError(
            f"全景照片最大 {MAX_PANORAMA[0]}×{MAX_PANORAMA[1]} 像素，这张是 {width}×{height}"
        )
    if abs(width - 2 * height) > max(2, width // 100) or width < 1024:
        raise HallEditError(
            f"全景照片应是宽高 2:1 的等距柱状投影图（至少 1024×512），这张是 {width}×{height}"
        )
    try:
        opened = Image.open(io.BytesIO(data))
        opened.load()  # the file's bytes are let go; only the decoded pixels stay
        image = opened if opened.mode == "RGB" else opened.convert("RGB")
        image.info.clear()  # pixels only: no EXIF, ICC or XMP travels on
    except Exception:
        raise HallEditError("无法读取这张照片，文件可能已损坏") from None
    return image


# --- audio ------------------------------------------------------------------------------


def _audio_type(head: bytes) -> str | None:
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head.startswith(b"OggS"):
        return "ogg"
    return None


def audio_dir(media_dir: str | Path) -> Path:
    return store.media_root(media_dir) / "audio"


def save_audio(media_dir: str, data: bytes) -> str:
    """Store an uploaded narration (MP3, M4A or OGG); returns its file name."""
    if not data:
        raise HallEditError("请选择音频文件")
    if len(data) > MAX_AUDIO_BYTES:
        raise HallEditError(f"音频不能超过 {MAX_AUDIO_BYTES // 1_000_000} MB")
    kind = _audio_type(data[:16])
    if kind is None:
        raise HallEditError("音频只接受 MP3、M4A 或 OGG 格式")
    name = f"{secrets.token_hex(12)}.{kind}"
    folder = audio_dir(media_dir)
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / f".{name}.tmp"
    scratch.write_bytes(data)
    scratch.replace(folder / name)
    return name


def public_audio(db: sqlite_utils.Database, exhibition_id: int, name: str) -> bool:
    """Whether an audio file belongs to a hotspot of a published exhibition's hall."""
    return (
        db.execute(
            """SELECT 1 FROM hall_hotspots p JOIN hall_scenes s ON s.id = p.scene_id
           JOIN halls h ON h.id = s.hall_id JOIN exhibitions e ON e.id = h.exhibition_id
           WHERE p.audio = ? AND p.kind = 'audio' AND e.id = ? AND e.status = 'published'""",
            [name, exhibition_id],
        ).fetchone()
        is not None
    )
