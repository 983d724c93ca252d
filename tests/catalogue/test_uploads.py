"""Uploads with real crafted files: bombs and oversized pictures refused before
decoding, files that are not photos refused whatever their name, everything
accepted re-encoded without EXIF, GPS or anything appended."""

from __future__ import annotations

import io
import resource
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from PIL import Image

from tests.curating import post

SCRIPT = b"<script>alert('pwned')</script>"


def png_of_size(width: int, height: int) -> bytes:
    """A real 1-bit PNG of any size, all zeros: tiny on disk, huge when decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def jpeg(size=(800, 600), **save) -> bytes:
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, **save)
    return buffer.getvalue()


@pytest.fixture
def record(make_honoree):
    return make_honoree(name="上传测试", status="draft")


def upload(client, honoree_id: int, data: bytes, filename: str, alt: str = "车间里的照片"):
    return post(
        client,
        f"/curate/honorees/{honoree_id}/photos",
        {"photo": (io.BytesIO(data), filename), "alt": alt},
        page=f"/curate/honorees/{honoree_id}",
        content_type="multipart/form-data",
    )


def stored(archive) -> list[bytes]:
    """Every stored picture file: originals and derived."""
    media = Path(archive.config["MEDIA_DIR"])
    return [p.read_bytes() for p in sorted(media.rglob("*")) if p.is_file()]


def photo_count(archive, honoree_id: int) -> int:
    return (
        archive.db()
        .execute("SELECT count(*) FROM photos WHERE honoree_id = ?", [honoree_id])
        .fetchone()[0]
    )


def test_a_png_bomb_is_refused_before_decoding(curator, record, empty_archive):
    bomb = png_of_size(20000, 20000)
    assert len(bomb) < 2_000_000  # 400 megapixels in a small file
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response = upload(curator, record, bomb, "poster.png")
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "20000×20000" in text and "百万像素" in text
    assert peak_after - peak_before < 100_000  # KiB: never expanded (it would take 400 MB)
    assert photo_count(empty_archive, record) == 0
    assert curator.get("/curate/").status_code == 200  # the worker is fine


def test_a_9000_by_9000_png_is_refused(curator, record, empty_archive):
    response = upload(curator, record, png_of_size(9000, 9000), "scan.png")
    assert response.status_code == 400
    assert "9000×9000" in response.get_data(as_text=True)
    assert photo_count(empty_archive, record) == 0


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    ],
)
def test_files_that_are_not_photos_are_refused_whatever_their_name(
    curator, record, empty_archive, content
):
    response = upload(curator, record, content, "portrait.jpg")
    assert response.status_code == 400
    assert "只能上传 JPEG、PNG 或 WebP" in response.get_data(as_text=True)
    assert photo_count(empty_archive, record) == 0
    assert not any(b"alert" in f for f in stored(empty_archive))


def test_heic_is_refused_with_advice(curator, record):
    heic = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 200
    response = upload(curator, record, heic, "IMG_0001.HEIC")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "HEIC" in text and "兼容性最佳" in text


def test_a_jpeg_with_a_script_appended_is_stored_re_encoded_without_it(
    curator, record, empty_archive
):
    response = upload(curator, record, jpeg() + SCRIPT, "photo.jpg")
    assert response.status_code == 302
    assert photo_count(empty_archive, record) == 1
    files = stored(empty_archive)
    assert len(files) >= 3
    assert not any(SCRIPT in f for f in files)


def test_gps_exif_is_removed_and_orientation_applied(curator, record, empty_archive):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned; show it rotated
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 30.0)}
    original = jpeg((800, 600), exif=exif.tobytes())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS is really there
    assert upload(curator, record, original, "gps.jpg").status_code == 302
    row = (
        empty_archive.db().execute("SELECT * FROM photos WHERE honoree_id = ?", [record]).fetchone()
    )
    assert (row["width"], row["height"]) == (600, 800)  # turned upright
    for data in stored(empty_archive):
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif(), "EXIF left in a stored file"
            assert image.height > image.width
        assert b"PhoneMaker" not in data


def test_a_12_megapixel_phone_photo_is_accepted(curator, record, empty_archive):
    photo = jpeg((4000, 3000))
    assert upload(curator, record, photo, "IMG_20240501.jpg").status_code == 302
    widths = sorted(
        {
            r[0]
            for r in empty_archive.db().execute(
                "SELECT m.width FROM media_files m JOIN photos p ON p.id = m.photo_id "
                "WHERE p.honoree_id = ?",
                [record],
            )
        }
    )
    assert widths == [320, 640, 1280]


def test_png_and_webp_are_accepted(curator, record, empty_archive):
    for kind in ("PNG", "WEBP"):
        buffer = io.BytesIO()
        Image.new("RGBA", (500, 400), (200, 30, 30, 128)).save(buffer, kind)
        assert upload(curator, record, buffer.getvalue(), f"x.{kind.lower()}").status_code == 302
    assert photo_count(empty_archive, record) == 2


def test_alt_text_is_required(curator, record, empty_archive):
    response = upload(curator, record, jpeg(), "a.jpg", alt="  ")
    assert response.status_code == 400
    assert "替代文字" in response.get_data(as_text=True)
    assert photo_count(empty_archive, record) == 0


def test_size_limit_and_broken_files(empty_archive, record):
    from tests.conftest import ClosingClient
    from tests.curating import login, make_user

    app = empty_archive.app(PHOTO_MAX_MB=1)
    app.test_client_class = ClosingClient
    client = app.test_client()
    make_user(empty_archive, "small")
    login(client, "small")
    big = jpeg((800, 600)) + b"\x00" * 1_100_000
    response = upload(client, record, big, "big.jpg")
    assert response.status_code == 400 and "不能超过 1 MB" in response.get_data(as_text=True)
    broken = jpeg()[:2000]
    response = upload(client, record, broken, "broken.jpg")
    assert response.status_code == 400 and "损坏" in response.get_data(as_text=True)
    assert photo_count(empty_archive, record) == 0


def test_originals_are_kept_with_random_names_and_never_served(
    curator, record, empty_archive, client
):
    upload(curator, record, jpeg(), "张三.jpg")
    originals = list((Path(empty_archive.config["MEDIA_DIR"]) / "originals").iterdir())
    assert len(originals) == 1
    name = originals[0].name
    assert "张三" not in name and len(name.split(".")[0]) >= 24
    for path in (f"/media/{name}", f"/media/originals/{name}", f"/media/../originals/{name}"):
        assert client.get(path).status_code == 404


# --- videos ----------------------------------------------------------------------

needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None, reason="ffmpeg is a system dependency (make system-deps)"
)


def make_video(path: Path, codec: str) -> bytes:
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=2:size=320x240:rate=15",
            "-c:v",
            codec,
            "-pix_fmt",
            "yuv420p",
            "-y",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path.read_bytes()


def upload_video(client, honoree_id: int, data: bytes, filename: str):
    return post(
        client,
        f"/curate/honorees/{honoree_id}/videos",
        {"video": (io.BytesIO(data), filename), "title": "车间纪实"},
        page=f"/curate/honorees/{honoree_id}",
        content_type="multipart/form-data",
    )


@needs_ffmpeg
def test_h264_mp4_is_accepted_with_a_poster_and_served_with_ranges(
    curator, record, empty_archive, tmp_path
):
    data = make_video(tmp_path / "ok.mp4", "libx264")
    assert upload_video(curator, record, data, "纪实.mp4").status_code == 302
    video = (
        empty_archive.db().execute("SELECT * FROM videos WHERE honoree_id = ?", [record]).fetchone()
    )
    assert video["poster_photo_id"] and 1.5 < video["duration_s"] < 2.5
    assert "纪实" not in video["file"]
    assert curator.get(f"/media/video/{video['id']}.mp4").status_code == 404  # a draft's
    empty_archive.db().execute("UPDATE honorees SET status = 'published' WHERE id = ?", [record])
    response = curator.get(f"/media/video/{video['id']}.mp4", headers={"Range": "bytes=0-99"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert response.data == data[:100]


@needs_ffmpeg
def test_other_video_codecs_and_fake_mp4s_are_refused(curator, record, empty_archive, tmp_path):
    mpeg4 = make_video(tmp_path / "old.mp4", "mpeg4")
    response = upload_video(curator, record, mpeg4, "old.mp4")
    assert response.status_code == 400
    assert "不是 H.264" in response.get_data(as_text=True)
    response = upload_video(curator, record, b"<html>not a video</html>", "clip.mp4")
    assert response.status_code == 400 and "不是 MP4" in response.get_data(as_text=True)
    assert not empty_archive.db().execute("SELECT count(*) FROM videos").fetchone()[0]
    leftovers = list((Path(empty_archive.config["MEDIA_DIR"]) / "videos").glob("*"))
    assert leftovers == []


def _children(pid: int) -> set[int]:
    return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def test_bombs_sent_to_gunicorn_leave_every_worker_alive_and_small(empty_archive):
    """Against the real server: the workers that received the bombs are the same
    processes afterwards (none died or was killed for memory) and stay small."""
    import http.cookiejar
    import re
    import time
    import urllib.error
    import urllib.request
    import uuid

    from tests.conftest import free_port, start_gunicorn
    from tests.curating import PASSWORD, make_user

    make_user(empty_archive, "bombtester")
    record_id = None
    from archive.catalogue import honorees
    from archive.db import write

    db = empty_archive.db()
    with write(db):
        record_id = honorees.create(db, {"kind": "individual", "name": "炸弹测试"}, [])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_gunicorn(
        empty_archive, port, {"ARCHIVE_BASE_URL": base, "ARCHIVE_WEB_WORKERS": "2"}
    )
    try:
        deadline = time.monotonic() + 20  # the first worker may answer before the second boots
        while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = _children(process.pid)
        assert len(workers) == 2
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

        def token(path):
            with opener.open(base + path) as response:
                return re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode())[1]

        body = f"username=bombtester&password={PASSWORD.replace(' ', '+')}&csrf_token="
        with opener.open(
            base + "/curate/login", data=(body + token("/curate/login")).encode()
        ) as response:
            response.read()
        bomb = png_of_size(20000, 20000)
        for _ in range(3):
            boundary = uuid.uuid4().hex
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                f"{v}\r\n".encode()
                for k, v in (
                    ("csrf_token", token(f"/curate/honorees/{record_id}")),
                    ("alt", "炸弹"),
                )
            ]
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; '
                f'filename="bomb.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
                + bomb
                + f"\r\n--{boundary}--\r\n".encode()
            )
            request = urllib.request.Request(
                f"{base}/curate/honorees/{record_id}/photos",
                data=b"".join(parts),
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            )
            try:
                opener.open(request).close()
                raise AssertionError("the bomb was accepted")
            except urllib.error.HTTPError as exc:
                assert exc.code == 400
                assert "20000×20000" in exc.read().decode()
                exc.close()
        assert _children(process.pid) == workers
        for pid in workers:
            rss_kib = int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())[1])
            assert rss_kib < 400_000  # decoding one bomb would take 400 MB
    finally:
        process.terminate()
        process.wait(15)
