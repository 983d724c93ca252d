"""Photos for an import: a ZIP of portraits named by 姓名 or 序号, checked from its
directory before anything is unpacked (entry count, sizes, ratios, paths), matched
to the sheet's rows, and decoded once before the write transaction."""

from __future__ import annotations

import io
import re
import stat
import unicodedata
import zipfile
import zlib
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from archive.exchange.cells import name_of
from archive.exchange.sheets import ImportRefused

MAX_PHOTO_ENTRIES = 5_000
MAX_PHOTO_BYTES = 20 * 1024 * 1024  # one unpacked photo
MAX_PHOTOS_TOTAL = 1024 * 1024 * 1024  # all unpacked photos
MAX_PHOTO_RATIO = 50  # unpacked / packed, for entries over 1 MiB
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp")


def inspect(path: str | Path) -> dict[str, zipfile.ZipInfo]:
    """The ZIP's photos by file stem, after checking its directory: entry count,
    unpacked sizes, compression ratios and paths. Nothing is unpacked here; a bad
    archive is refused whole."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRefused("照片压缩包无法打开，请确认是 ZIP 文件") from exc
    with archive:
        entries = archive.infolist()
    if len(entries) > MAX_PHOTO_ENTRIES:
        raise ImportRefused(f"照片压缩包中文件过多（{len(entries)} 个，上限 {MAX_PHOTO_ENTRIES}）")
    total = 0
    found: dict[str, zipfile.ZipInfo] = {}
    for entry in entries:
        name = entry.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
            raise ImportRefused(f"照片压缩包含有不安全的路径：{name}")
        if stat.S_ISLNK(entry.external_attr >> 16):
            raise ImportRefused(f"照片压缩包含有符号链接：{name}")
        if entry.is_dir():
            continue
        if entry.flag_bits & 0x1:
            raise ImportRefused("照片压缩包不能加密")
        total += entry.file_size
        if entry.file_size > MAX_PHOTO_BYTES:
            raise ImportRefused(f"照片“{name}”解压后过大（上限 20 MB）")
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_PHOTO_RATIO * max(
            entry.compress_size, 1
        ):
            raise ImportRefused(f"照片“{name}”压缩比异常，疑似压缩炸弹，已拒绝")
        if total > MAX_PHOTOS_TOTAL:
            raise ImportRefused("照片压缩包解压后总大小超过 1 GB，已拒绝")
        stem, suffix = Path(parts[-1]).stem, Path(parts[-1]).suffix.lower()
        if parts[-1].startswith(".") or "__MACOSX" in parts or suffix not in PHOTO_SUFFIXES:
            continue
        found.setdefault(name_of(unicodedata.normalize("NFKC", stem)) or stem, entry)
    return found


def open_image(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Image.Image:
    """Read one checked entry (never more than its declared size) and decode it."""
    try:
        with archive.open(entry) as f:
            data = f.read(MAX_PHOTO_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ValueError("照片在压缩包中已损坏（校验失败），请重新打包后再上传") from exc
    if len(data) > MAX_PHOTO_BYTES:
        raise ValueError("照片过大")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PHOTO_PIXELS:
                raise ValueError("照片像素过多（上限 4000 万像素）")
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError("照片无法识别，请使用 JPEG 或 PNG") from exc
    return image
