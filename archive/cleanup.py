"""Leftovers of interrupted work: temporary files a killed process or a full disk
left behind, and media files that no record refers to.

Every writer in the archive writes ``.<name>.<random>.tmp`` beside its target and
renames it into place, so a temporary file is always a dot-file ending ``.tmp``
(``.upload-*.tmp`` for uploads in progress).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

IN_USE_GRACE = 3600.0  # seconds: younger temporaries may belong to a running process


def _temporaries(folder: Path) -> Iterator[Path]:
    if not folder.is_dir():
        return
    for root, _dirs, files in os.walk(folder):
        for name in files:
            if name.startswith(".") and name.endswith(".tmp"):
                yield Path(root) / name


def temporaries(config, instance_path: str | Path, min_age: float = 0.0) -> int:
    """Remove temporary files under the media folder and the instance folder that
    are at least ``min_age`` seconds old (0 at ``serve``, when nothing else runs;
    an hour at ``init``, which may run beside a live site). Returns how many."""
    clock = time.time()
    removed = 0
    for folder in (Path(config["MEDIA_DIR"]), Path(instance_path)):
        for path in _temporaries(folder):
            try:
                if clock - path.stat().st_mtime >= min_age:
                    path.unlink()
                    removed += 1
            except OSError:
                pass
    return removed


# --- orphan media ------------------------------------------------------------------

MEDIA_FOLDERS = ("originals", "derived", "videos")
FILE_NAME = re.compile(r"[0-9a-f]{16}-\d{1,4}\.(?:webp|jpeg)|[0-9a-f]{24}\.(?:jpg|png|mp4)")


@dataclass(frozen=True)
class Orphans:
    files: list[Path]
    bytes: int


def referenced(db: sqlite_utils.Database) -> set[str]:
    """Every media file name a row refers to, or an earlier version of a record
    (a restored revision brings its photos back, so their files must stay)."""
    names: set[str] = set()
    for (name,) in db.execute("SELECT original FROM photos WHERE original IS NOT NULL"):
        names.add(name)
    for (name,) in db.execute("SELECT name FROM media_files"):
        names.add(name)
    for (name,) in db.execute("SELECT file FROM videos WHERE file IS NOT NULL"):
        names.add(name)
    for (snapshot,) in db.execute("SELECT snapshot FROM revisions"):
        names.update(FILE_NAME.findall(snapshot))
    return names


def orphan_media(db: sqlite_utils.Database, media_dir: str | Path, min_age: float = 0.0) -> Orphans:
    """Files under the media folders that nothing refers to and that are at least
    ``min_age`` seconds old (an upload writes its files just before its rows)."""
    keep = referenced(db)
    clock = time.time()
    found, size = [], 0
    for folder in MEDIA_FOLDERS:
        base = Path(media_dir) / folder
        if not base.is_dir():
            continue
        for entry in os.scandir(base):
            if not entry.is_file() or entry.name.startswith(".") or entry.name in keep:
                continue
            stat = entry.stat()
            if clock - stat.st_mtime >= min_age:
                found.append(Path(entry.path))
                size += stat.st_size
    return Orphans(sorted(found), size)


def remove_orphans(
    db: sqlite_utils.Database, media_dir: str | Path, min_age: float = 0.0
) -> Orphans:
    """Find orphan media (as :func:`orphan_media`) and delete them; references
    are read again just before, so a file that gained a row meanwhile stays."""
    orphans = orphan_media(db, media_dir, min_age)
    if not orphans.files:
        return orphans
    keep = referenced(db)
    gone, size = [], 0
    for path in orphans.files:
        if path.name in keep:
            continue
        try:
            size += path.stat().st_size
            path.unlink()
            gone.append(path)
        except OSError:
            pass
    return Orphans(gone, size)
