"""The integrity of an index generation, for every engine: a manifest of its
files' checksums, the check at open and by ``index verify``, and the mark a
damaged generation carries so that every process stops reading it.

``MANIFEST`` (JSON, written atomically by the one writer after every commit:
the full build and each batch of the outbox) maps each of the engine's files to
its size, CRC-32 and inode. Engines never change a committed file in place (a
new commit writes new files and replaces the pointer files whole), so a file
whose inode is unchanged keeps the checksum it was written with: bytes changed
behind the engine's back are never blessed by a later commit.

``BAD`` marks a generation found damaged, with the reason; searches then read
the newest other generation that is not marked (the previous one is kept until
the next rebuild), else answer from the database (archive.search.fallback),
and the worker rebuilds.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("archive.search")

MANIFEST = "MANIFEST"
BAD = "BAD"
OURS = {"MARK", "STAMP", MANIFEST, BAD}


def _engine_files(folder: Path) -> list[Path]:
    """The engine's own files (not our markers, temporary files or locks)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.name not in OURS
        and not p.name.startswith(".")
        and "lock" not in p.name.lower()
    )


def checksum(path: Path) -> int:
    """CRC-32 of a file, read through a memory map (no copies)."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if not size:
            return 0
        with (
            mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ) as mapped,
            memoryview(mapped) as view,
        ):
            return zlib.crc32(view)


def read_manifest(folder: Path) -> dict[str, list[int]] | None:
    """{file name: [size, crc32, inode]}; None for a generation written before
    manifests (it is trusted) or one whose manifest is unreadable."""
    try:
        found = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}  # a damaged manifest: nothing checks out (see damaged())
    return found.get("files") if isinstance(found, dict) else {}


def manifest_identity(folder: Path) -> tuple[int, int] | None:
    """Which manifest is there (it is replaced whole after every commit)."""
    try:
        found = (folder / MANIFEST).stat()
    except FileNotFoundError:
        return None
    return (found.st_ino, found.st_mtime_ns)


def write_manifest(folder: Path) -> None:
    """Record the checksums of the generation's files after a commit; the
    caller is the one writer. Files already recorded with the same inode keep
    their recorded checksum."""
    known = read_manifest(folder) or {}
    files = {}
    for path in _engine_files(folder):
        try:
            stat = path.stat()
            before = known.get(path.name)
            if before and before[2] == stat.st_ino:
                files[path.name] = before
            else:
                files[path.name] = [stat.st_size, checksum(path), stat.st_ino]
        except FileNotFoundError:
            continue  # removed by the engine meanwhile (a merged segment)
    tmp = folder / f".{MANIFEST}.{os.getpid()}"
    tmp.write_text(json.dumps({"files": files}, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)


@dataclass(frozen=True)
class Damage:
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name}（{self.reason}）"


def damaged(folder: Path, sizes_only: bool = False) -> list[Damage]:
    """The generation's files that are not as the manifest recorded them:
    missing, of another size, or (unless ``sizes_only``) with another checksum."""
    manifest = read_manifest(folder)
    if manifest is None:
        return []
    if not manifest:
        return [Damage(MANIFEST, "清单无法读取")]
    found = []
    for name, (size, crc, _inode) in sorted(manifest.items()):
        path = folder / name
        try:
            actual = path.stat().st_size
        except FileNotFoundError:
            found.append(Damage(name, "文件缺失"))
            continue
        if actual != size:
            found.append(Damage(name, f"大小 {actual} 字节，应为 {size} 字节"))
        elif not sizes_only and checksum(path) != crc:
            found.append(Damage(name, "校验和不符"))
    return found


def mark_bad(folder: Path, reason: str) -> None:
    """Mark a generation damaged (every process stops reading it)."""
    if (folder / BAD).exists():
        return
    log.error("search index generation %s is damaged: %s", folder.name, reason)
    tmp = folder / f".{BAD}.{os.getpid()}"
    try:
        tmp.write_text(reason, encoding="utf-8")
        os.replace(tmp, folder / BAD)
    except OSError:
        log.exception("could not mark %s damaged", folder)


def is_bad(folder: Path) -> bool:
    return (folder / BAD).exists()


def bad_reason(folder: Path) -> str:
    try:
        return (folder / BAD).read_text(encoding="utf-8")
    except OSError:
        return ""
