"""Derived images carry no metadata; a damaged photo ZIP gets a Chinese message;
orphan media files are found and removed."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from archive import cleanup
from archive.catalogue import images, uploads
from archive.exchange import import_photos

SECRET = b"GPS 30.27N secret comment"


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    exif[0x0112] = 1
    return exif.tobytes()


def _icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (700, 500), (180, 40, 40)).save(
        buffer, "JPEG", exif=_exif(), comment=SECRET, icc_profile=_icc()
    )
    return buffer.getvalue()


def _png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET.decode())
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret</x:xmpmeta>")
    buffer = io.BytesIO()
    Image.new("RGBA", (400, 300), (10, 120, 40, 255)).save(
        buffer, "PNG", pnginfo=info, icc_profile=_icc()
    )
    return buffer.getvalue()


@pytest.mark.parametrize("make", [_jpeg, _png])
def test_derived_images_keep_no_metadata(make):
    data = make()
    with Image.open(io.BytesIO(data)) as source:  # the metadata really is there
        assert source.info.get("icc_profile")
    prepared = uploads.prepare_photo(data, max_bytes=20_000_000, max_pixels=50_000_000)
    outputs = [prepared.original] + [v.data for v in prepared.variants]
    assert len(outputs) >= 3
    for output in outputs:
        assert b"secret" not in output and b"Exif" not in output and b"ICC_PROFILE" not in output
        assert (
            b"\xff\xfe" not in output[: output.find(b"\xff\xda")]
            if output[:2] == b"\xff\xd8"
            else True
        )  # no JPEG COM marker before the image data
        with Image.open(io.BytesIO(output)) as image:
            assert not {
                "comment",
                "exif",
                "icc_profile",
                "xmp",
                "Comment",
                "XML:com.adobe.xmp",
            } & set(image.info), image.info
            assert not image.getexif()


def test_normalise_returns_pixels_only():
    with Image.open(io.BytesIO(_jpeg())) as source:
        clean = images.normalise(source)
    assert clean.info == {} and clean.mode == "RGB"


def test_a_bad_crc_in_a_photo_zip_gets_a_chinese_message(tmp_path):
    photo = _jpeg()
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("张三.jpg", photo)
    raw = bytearray(path.read_bytes())
    at = raw.find(photo[1000:1016])
    raw[at] ^= 0xFF  # one byte of the photo changed in transit: the CRC no longer matches
    path.write_bytes(bytes(raw))
    entries = import_photos.inspect(path)
    with zipfile.ZipFile(path) as archive, pytest.raises(ValueError) as refused:
        import_photos.open_image(archive, entries["张三"])
    assert "已损坏" in str(refused.value) and "重新打包" in str(refused.value)


def test_orphan_media_are_found_and_removed(empty_archive, make_honoree, runner):
    import os

    from archive.catalogue import media
    from archive.db import write

    media_dir = empty_archive.config["MEDIA_DIR"]
    db = empty_archive.db()
    honoree_id = make_honoree()
    with write(db):
        media.add_photo(db, media_dir, Image.new("RGB", (400, 300)), honoree_id, alt="照片")
    kept = {p.name for p in (media.derived_dir(media_dir)).iterdir()}
    stray = media.derived_dir(media_dir) / ("ab" * 8 + "-640.webp")
    stray.write_bytes(b"left by a killed import")
    lost = media.originals_dir(media_dir) / ("cd" * 12 + ".jpg")
    lost.write_bytes(b"x")
    old = 1_000_000_000
    os.utime(stray, (old, old))
    os.utime(lost, (old, old))
    found = cleanup.orphan_media(db, media_dir, min_age=60)
    assert sorted(found.files) == sorted([stray, lost])
    result = runner.invoke(args=["media-orphans"])
    assert result.exit_code == 0 and "2 个" in result.output and stray.exists()
    result = runner.invoke(args=["media-orphans", "--delete"])
    assert result.exit_code == 0 and not stray.exists() and not lost.exists()
    assert {p.name for p in media.derived_dir(media_dir).iterdir()} == kept
