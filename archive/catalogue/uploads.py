"""Checking uploaded files before anything decodes them.

Photos: the format is read from the content (never the name); the pixel size is
read from the file header and refused above the limit *before* any decoding, so
a decompression bomb never gets expanded (Pillow's own ``MAX_IMAGE_PIXELS`` check
stays on as a second line). Accepted photos are decoded, turned upright, and
re-encoded without EXIF, GPS or anything appended (see :mod:`archive.catalogue.media`).

Videos: H.264 in an MP4 container, checked by probing with ffprobe; a poster
frame is taken with ffmpeg.
"""

from __future__ import annotations

import json
import secrets
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import sqlite_utils
from PIL import Image

from archive.catalogue import media
from archive.catalogue.honorees import RecordError

FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP"}
ACCEPTED = "只能上传 JPEG、PNG 或 WebP 格式的照片"


class UploadError(RecordError):
    """An upload refused; the message (Chinese) says why and what to do."""


class TooLarge(UploadError):
    """An upload past its size limit (HTTP 413)."""


@dataclass(frozen=True)
class Header:
    format: str  # jpeg | png | webp
    width: int
    height: int


def sniff(head: bytes) -> str | None:
    """The image format from the first bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _refusal(head: bytes) -> str:
    """A clear message for a file that is not an accepted image."""
    if head[4:8] == b"ftyp" and head[8:12] in (
        b"heic",
        b"heix",
        b"hevc",
        b"heim",
        b"heis",
        b"mif1",
        b"msf1",
        b"avif",
    ):
        return (
            "不支持 HEIC/HEIF 格式（苹果手机的默认照片格式）。请在手机“设置 → 相机 → 格式”中选择"
            "“兼容性最佳”，或把照片导出为 JPEG 后再上传。" + ACCEPTED + "。"
        )
    text = head.lstrip()[:200].lower()
    if text.startswith((b"<svg", b"<?xml", b"<!doctype", b"<html")) or b"<svg" in text:
        return (
            "这不是照片文件（看起来是 SVG 或网页），" + ACCEPTED + "。文件扩展名不能代表文件内容。"
        )
    return "无法识别的文件格式。" + ACCEPTED + "。"


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            i += 1 if marker == 0xFF else 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def read_header(data: bytes) -> Header:
    """Format and pixel size from the header alone; raises :class:`UploadError`."""
    kind = sniff(data[:16])
    if kind is None:
        raise UploadError(_refusal(data[:512]))
    size = {"jpeg": _jpeg_size, "png": _png_size, "webp": _webp_size}[kind](data[: 1 << 20])
    if size is None or min(size) < 1:
        raise UploadError(f"{FORMATS[kind]} 文件已损坏或不完整，无法读取尺寸")
    return Header(kind, *size)


def check_photo(data: bytes, max_bytes: int, max_pixels: int) -> Header:
    if not data:
        raise UploadError("请选择要上传的照片")
    if len(data) > max_bytes:
        raise UploadError(
            f"照片太大（{len(data) / 1e6:.1f} MB），单张不能超过 {max_bytes // 1_000_000} MB"
        )
    header = read_header(data)
    if header.width * header.height > max_pixels:
        raise UploadError(
            f"照片像素太多（{header.width}×{header.height}，约 "
            f"{header.width * header.height / 1e6:.0f} 百万像素），不能超过 "
            f"{max_pixels / 1e6:.0f} 百万像素。请缩小后再上传。"
        )
    return header


def decode_photo(data: bytes, header: Header, max_pixels: int) -> Image.Image:
    """Decode a checked photo. Pillow's own reading of the size is checked again
    before the pixels are loaded (the second line); its ``MAX_IMAGE_PIXELS`` bomb
    error stays on as a third."""
    import io

    try:
        image = Image.open(io.BytesIO(data), formats=[header.format.upper()])
        if image.width * image.height > max_pixels:
            image.close()
            raise UploadError(f"照片像素太多（{image.width}×{image.height}），不能上传")
        image.load()
    except UploadError:
        raise
    except Image.DecompressionBombError:
        raise UploadError("照片像素太多，不能上传") from None
    except Exception:
        raise UploadError("照片文件已损坏或不完整，无法打开，请换一张再试") from None
    return image


def prepare_photo(data: bytes, *, max_bytes: int, max_pixels: int) -> media.Prepared:
    """Checked, decoded, upright, stripped and re-encoded: ready for
    :func:`archive.catalogue.media.add_photo`. Slow: call outside the write transaction."""
    header = check_photo(data, max_bytes, max_pixels)
    image = decode_photo(data, header, max_pixels)
    try:
        return media.prepare(image)
    finally:
        image.close()


def require_alt(alt: str | None) -> str:
    alt = (alt or "").strip()
    if not alt:
        raise UploadError(
            "请填写照片的替代文字（例如“张三在车间检修设备”），供视障读者的读屏软件朗读"
        )
    return alt[:300]


# --- videos ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProbedVideo:
    path: Path  # a temporary file to move into place
    duration_s: float
    width: int
    height: int


def save_stream(stream: BinaryIO, folder: Path, max_bytes: int, what: str = "视频") -> Path:
    """Copy an upload to a temporary file in ``folder``, refusing it past the limit
    (``what`` names the file in the Chinese messages)."""
    folder.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".upload-", suffix=".tmp", delete=False)
    path = Path(handle.name)
    written = 0
    try:
        with handle:
            while chunk := stream.read(1 << 20):
                written += len(chunk)
                if written > max_bytes:
                    raise TooLarge(f"{what}太大，不能超过 {max_bytes // 1_000_000} MB")
                handle.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)  # too large, or a full disk: nothing left behind
        raise
    if not written:
        path.unlink(missing_ok=True)
        raise UploadError(f"请选择要上传的{what}")
    return path


def probe_video(path: Path) -> ProbedVideo:
    """Accept only an MP4 file whose video stream is H.264 (what every phone plays)."""
    refused = "只能上传 H.264 编码的 MP4 视频。请用手机或剪辑软件导出为 MP4（H.264）后再上传。"
    with path.open("rb") as f:
        head = f.read(12)
    if head[4:8] != b"ftyp":
        raise UploadError("这不是 MP4 视频文件。" + refused)
    try:
        result = subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                str(path),
            ],
            capture_output=True,
            timeout=60,
            check=True,
        )
        info = json.loads(result.stdout)
    except (subprocess.SubprocessError, ValueError, OSError):
        raise UploadError("视频文件已损坏或无法读取。" + refused) from None
    if "mp4" not in info.get("format", {}).get("format_name", ""):
        raise UploadError(refused)
    video = [s for s in info.get("streams", []) if s.get("codec_type") == "video"]
    if not video or video[0].get("codec_name") != "h264":
        found = video[0].get("codec_name") if video else "无画面"
        raise UploadError(f"视频编码是 {found}，不是 H.264。" + refused)
    duration = float(info["format"].get("duration") or video[0].get("duration") or 0)
    return ProbedVideo(
        path, duration, int(video[0].get("width") or 0), int(video[0].get("height") or 0)
    )


def poster_frame(path: Path, duration_s: float) -> Image.Image:
    """A frame from about a second in (or the middle of a short video)."""
    at = min(1.0, duration_s / 2) if duration_s else 0
    try:
        result = subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-ss",
                f"{at:.2f}",
                "-i",
                str(path),
                "-frames:v",
                "1",
                "-f",
                "image2pipe",
                "-c:v",
                "png",
                "-",
            ],
            capture_output=True,
            timeout=60,
            check=True,
        )
        import io

        image = Image.open(io.BytesIO(result.stdout))
        image.load()
        return image
    except Exception:
        raise UploadError("无法从视频中截取封面画面，视频可能已损坏") from None


def add_video(
    db: sqlite_utils.Database,
    media_dir: str | Path,
    probed: ProbedVideo,
    poster: media.Prepared,
    honoree_id: int,
    *,
    title: str | None,
    caption: str | None,
    credit: str | None,
    transcript: str | None,
    held: bool = False,
) -> int:
    """Move the probed file under a random name and store the video with its poster
    (``held``: waiting for review, public only once approved). Call inside
    :func:`archive.db.write`."""
    name = f"{secrets.token_hex(12)}.mp4"
    target = media.videos_dir(media_dir) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(probed.path), target)
    poster_id = media.add_photo(
        db,
        media_dir,
        poster,
        honoree_id,
        alt=f"视频《{title or '未命名'}》的封面画面",
        position=10_000,
    )
    position = db.execute(
        "SELECT coalesce(max(position) + 1, 0) FROM videos WHERE honoree_id = ?", [honoree_id]
    ).fetchone()[0]
    from archive.timeutil import now

    return db.execute(
        """INSERT INTO videos (honoree_id, position, title, caption, credit, file,
               poster_photo_id, duration_s, transcript, created_at, held)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            honoree_id,
            position,
            title,
            caption,
            credit,
            name,
            poster_id,
            probed.duration_s,
            transcript,
            now(),
            int(held),
        ],
    ).lastrowid
