"""Photos: keep the original out of public reach, publish fixed-size variants."""

from __future__ import annotations

import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from PIL import Image

from archive.catalogue import images
from archive.timeutil import now


def derived_dir(media_dir: str | Path) -> Path:
    return Path(media_dir) / "derived"


def originals_dir(media_dir: str | Path) -> Path:
    return Path(media_dir) / "originals"


def videos_dir(media_dir: str | Path) -> Path:
    return Path(media_dir) / "videos"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves no half-written file
        raise


@dataclass(frozen=True)
class Prepared:
    """A picture ready to store: the normalised original and its public variants."""

    original: bytes
    extension: str
    width: int
    height: int
    variants: list[images.Variant]


def prepare(image: Image.Image, lossless: bool = False) -> Prepared:
    """Encode the original and every variant (pure; the slow part of storing)."""
    image = images.normalise(image)
    buffer = io.BytesIO()
    if lossless:
        image.save(buffer, "PNG")
    else:
        image.save(buffer, "JPEG", quality=92)
    return Prepared(
        buffer.getvalue(),
        "png" if lossless else "jpg",
        image.width,
        image.height,
        images.variants(image),
    )


def add_photo(
    db: sqlite_utils.Database,
    media_dir: str | Path,
    picture: Image.Image | Prepared,
    honoree_id: int | None,
    *,
    alt: str,
    caption: str | None = None,
    credit: str | None = None,
    is_portrait: bool = False,
    placeholder: bool = False,
    position: int = 0,
) -> int:
    """Store a photo: files first (derived ones named by content, so a rollback
    leaves only unreferenced files), then the rows. Call inside
    :func:`archive.db.write`."""
    prepared = picture if isinstance(picture, Prepared) else prepare(picture)
    original_name = f"{secrets.token_hex(12)}.{prepared.extension}"
    written: list[Path] = []
    try:
        written.append(originals_dir(media_dir) / original_name)
        _write_atomically(written[-1], prepared.original)
        for variant in prepared.variants:
            target = derived_dir(media_dir) / variant.name
            if not target.exists():
                written.append(target)
                _write_atomically(target, variant.data)
    except OSError:  # e.g. a full disk: the files this photo got so far go again
        for path in written:
            path.unlink(missing_ok=True)
        raise
    photo_id = db.execute(
        """INSERT INTO photos (honoree_id, position, is_portrait, caption, credit, alt,
               original, width, height, placeholder, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            honoree_id,
            position,
            int(is_portrait),
            caption,
            credit,
            alt,
            original_name,
            prepared.width,
            prepared.height,
            int(placeholder),
            now(),
        ],
    ).lastrowid
    for variant in prepared.variants:
        db.execute(
            """INSERT OR IGNORE INTO media_files (name, photo_id, width, height, format, bytes)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [
                variant.name,
                photo_id,
                variant.width,
                variant.height,
                variant.format,
                len(variant.data),
            ],
        )
    return photo_id


def public_file(db: sqlite_utils.Database, name: str) -> dict | None:
    """A derived file a visitor may fetch: its photo belongs to a published
    honoree or to a published exhibition's cover; else None (same as missing)."""
    row = db.execute(
        """SELECT m.name, m.format FROM media_files m JOIN photos p ON p.id = m.photo_id
           WHERE m.name = ? AND (
             EXISTS (SELECT 1 FROM honorees h WHERE h.id = p.honoree_id
                     AND h.status = 'published' AND h.deleted_at IS NULL)
             OR EXISTS (SELECT 1 FROM exhibitions e WHERE e.cover_photo_id = p.id
                     AND e.status = 'published')
             OR (p.honoree_id IS NULL AND EXISTS (
                     SELECT 1 FROM album_items a JOIN exhibitions e ON e.id = a.owner_id
                     WHERE a.owner_type = 'exhibition' AND a.photo_id = p.id
                       AND e.status = 'published')))
           LIMIT 1""",
        [name],
    ).fetchone()
    return dict(row) if row else None


def variants_by_photo(db: sqlite_utils.Database, photo_ids: list[int]) -> dict[int, dict]:
    """For each photo: its variants grouped by format, smallest width first."""
    if not photo_ids:
        return {}
    marks = ",".join("?" * len(photo_ids))
    rows = db.execute(
        f"""SELECT photo_id, name, width, height, format FROM media_files
            WHERE photo_id IN ({marks}) ORDER BY photo_id, width""",
        photo_ids,
    ).fetchall()
    grouped: dict[int, dict] = {}
    for row in rows:
        grouped.setdefault(row["photo_id"], {"webp": [], "jpeg": []})[row["format"]].append(
            {"name": row["name"], "width": row["width"], "height": row["height"]}
        )
    return grouped


def files_of(db: sqlite_utils.Database, photo_ids: list[int]) -> dict[int, list[dict]]:
    """Every media_files row of each photo, as a revision keeps them."""
    if not photo_ids:
        return {}
    marks = ",".join("?" * len(photo_ids))
    grouped: dict[int, list[dict]] = {}
    for row in db.execute(
        f"SELECT * FROM media_files WHERE photo_id IN ({marks}) ORDER BY photo_id, format, width",
        photo_ids,
    ):
        grouped.setdefault(row["photo_id"], []).append(dict(row))
    return grouped


def curator_file(db: sqlite_utils.Database, name: str) -> dict | None:
    """A derived file of any photo (drafts included), for the back office."""
    row = db.execute(
        "SELECT name, format FROM media_files WHERE name = ? LIMIT 1", [name]
    ).fetchone()
    return dict(row) if row else None


def public_video(db: sqlite_utils.Database, video_id: int) -> dict | None:
    row = db.execute(
        """SELECT v.* FROM videos v JOIN honorees h ON h.id = v.honoree_id
           WHERE v.id = ? AND v.file IS NOT NULL AND v.held = 0
             AND h.status = 'published' AND h.deleted_at IS NULL""",
        [video_id],
    ).fetchone()
    return dict(row) if row else None
