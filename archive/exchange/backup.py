"""Backups: a consistent copy of the database taken while the archive is in use,
together with the media folder; and the restore.

The database is copied with SQLite's online backup API, which gives a snapshot of
one moment even while other processes write. The media folder is copied *after*
the database: photo files are written before the rows that name them and never
changed afterwards, so every file the copied database refers to is already there.
The search index is not backed up: it is derived, and ``restore`` rebuilds it.

A backup is a folder ``archive-backup-<UTC time>/`` holding ``archive.db``,
``media/`` and ``manifest.json``, or the same as a ``.tar.gz``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path

from archive.timeutil import now

DB_NAME = "archive.db"
MEDIA_NAME = "media"
MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    """A backup that cannot be made or restored; the message is for operators."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_database(source: str | Path, target: str | Path) -> None:
    """An online, consistent copy of a live SQLite database (WAL included)."""
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        src.execute("PRAGMA busy_timeout = 30000")
        # All pages in one step, i.e. one read transaction: under WAL that is a snapshot
        # of one moment and writers go on meanwhile. (Copying in several steps would
        # restart from scratch after every write by another process, possibly forever.)
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
        src.close()


def integrity(path: str | Path) -> str:
    """``PRAGMA integrity_check`` of a database file: 'ok' or the first problems."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    finally:
        conn.close()
    return "ok" if rows == ["ok"] else "; ".join(rows[:5])


def create(
    database: str | Path, media_dir: str | Path, dest: str | Path, as_tar: bool = False
) -> Path:
    """Back up the database and the media into a new timestamped folder (or
    ``.tar.gz``) inside ``dest``; returns its path. Checks the copy's integrity."""
    database, media_dir, dest = Path(database), Path(media_dir), Path(dest)
    if not database.exists():
        raise BackupError(f"数据库不存在：{database}")
    dest.mkdir(parents=True, exist_ok=True)
    name = "archive-backup-" + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    folder = dest / name
    suffix = 1
    while folder.exists() or (dest / f"{folder.name}.tar.gz").exists():
        suffix += 1
        folder = dest / f"{name}-{suffix}"
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=dest))
    try:
        copy_database(database, work / DB_NAME)
        checked = integrity(work / DB_NAME)
        if checked != "ok":
            raise BackupError(f"备份的数据库未通过完整性检查：{checked}")
        files = 0
        if media_dir.is_dir():
            shutil.copytree(
                media_dir,
                work / MEDIA_NAME,
                symlinks=False,
                ignore=shutil.ignore_patterns(".*.tmp"),
            )
            files = sum(1 for p in (work / MEDIA_NAME).rglob("*") if p.is_file())
        else:
            (work / MEDIA_NAME).mkdir()
        conn = sqlite3.connect(work / DB_NAME)
        try:
            honorees = conn.execute("SELECT count(*) FROM honorees").fetchone()[0]
        finally:
            conn.close()
        manifest = {
            "created_at": now(),
            "database": DB_NAME,
            "database_sha256": _sha256(work / DB_NAME),
            "integrity_check": checked,
            "honorees": honorees,
            "media_files": files,
        }
        (work / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        if as_tar:
            target = dest / f"{folder.name}.tar.gz"
            partial = target.with_name(f".{target.name}.partial")
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(work, arcname=folder.name)
            os.replace(partial, target)
            return target
        os.replace(work, folder)
        return folder
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _unpack(backup: Path, into: Path) -> Path:
    """The backup's folder: itself, or a .tar.gz unpacked safely into ``into``."""
    if backup.is_dir():
        return backup
    if not tarfile.is_tarfile(backup):
        raise BackupError(f"不是备份文件夹或 .tar.gz 备份：{backup}")
    with tarfile.open(backup) as tar:
        tar.extractall(into, filter="data")  # refuses absolute paths, .. and links out
    folders = [p for p in into.iterdir() if p.is_dir()]
    if len(folders) != 1:
        raise BackupError("备份包的结构不对：应只含一个备份文件夹")
    return folders[0]


def verify(folder: Path) -> dict:
    """The manifest of a backup folder, after checking its database."""
    manifest_path = folder / MANIFEST
    if not manifest_path.exists() or not (folder / DB_NAME).exists():
        raise BackupError(f"{folder} 不是完整的备份（缺少 {MANIFEST} 或 {DB_NAME}）")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if _sha256(folder / DB_NAME) != manifest["database_sha256"]:
        raise BackupError("备份的数据库与清单中的校验值不符，文件可能已损坏")
    checked = integrity(folder / DB_NAME)
    if checked != "ok":
        raise BackupError(f"备份的数据库未通过完整性检查：{checked}")
    return manifest


def restore(
    backup: str | Path, database: str | Path, media_dir: str | Path, force: bool = False
) -> dict:
    """Put a backup (folder or .tar.gz) in place as ``database`` and ``media_dir``.

    Refuses to overwrite an archive that has data unless ``force``; run it while the
    site and the worker are stopped. The search index must be rebuilt afterwards
    (the CLI does that)."""
    backup, database, media_dir = Path(backup), Path(database), Path(media_dir)
    if not backup.exists():
        raise BackupError(f"找不到备份：{backup}")
    has_media = media_dir.is_dir() and any(
        not p.name.startswith(".") for p in media_dir.iterdir()
    )  # .gitkeep
    if not force and ((database.exists() and database.stat().st_size) or has_media):
        raise BackupError("目标位置已有档案数据；确认要覆盖时加 --force")
    database.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=database.parent) as scratch:
        folder = _unpack(backup, Path(scratch))
        manifest = verify(folder)
        staged = Path(scratch) / "staged.db"
        copy_database(folder / DB_NAME, staged)
        for leftover in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(staged, database)
        media_dir.parent.mkdir(parents=True, exist_ok=True)
        old = media_dir.with_name(f".{media_dir.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if media_dir.exists():
            os.replace(media_dir, old)
        shutil.copytree(folder / MEDIA_NAME, media_dir)
        shutil.rmtree(old, ignore_errors=True)
    return manifest
