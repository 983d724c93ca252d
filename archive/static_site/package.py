"""Packages of an edition: the kiosk's zip (runs from a USB stick by opening
``index.html``) and the preservation package, a BagIt bag with SHA-256 manifests
holding the edition, a machine-readable catalogue of every record, the originals
of the photos and a README in Chinese."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import bagit

from archive.catalogue import media
from archive.catalogue.honorees import PUBLIC
from archive.exchange import exporter

from .. import db as database
from ..timeutil import now
from .export import Options, Report, export_site
from .manifest import KEPT

README = """劳模工匠数字档案馆 · 长期保存包
================================

本包是“{site}”（{org}）公开内容的完整静态版，按 BagIt 规范（RFC 8493）封装，
于 {time} 生成，内容版本号 {generation}，收录公开档案 {count} 份。

目录说明
--------
data/edition/      网站静态版：用浏览器打开 data/edition/index.html 即可浏览；
                   全部链接为相对链接，可放在任意静态网站服务器或对象存储上。
data/catalogue/    全部公开档案的机器可读目录（honorees.json，UTF-8 JSON，
                   每位人物或集体一项，含荣誉）；字段与档案馆的 JSON 导出相同。
data/originals/    公开档案照片的原始文件（上传时的版本，已去除 EXIF/GPS 信息），
                   文件名与 catalogue/photos.json 中的记录对应。
data/说明.txt      本说明。
manifest-sha256.txt、tagmanifest-sha256.txt
                   每个文件的 SHA-256 校验值。

校验方法
--------
    pip install bagit
    bagit.py --validate 本目录

校验通过说明包内每个文件与生成时完全一致；任何一个字节的改动都会使校验失败。

未公开（草稿、审核中）和已撤回的档案不在本包中。
"""


def kiosk_zip(out: Path, zip_path: Path) -> Path:
    """Zip an edition under one folder (named like ``out``) for a USB stick."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = zip_path.with_name(zip_path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for file in sorted(out.rglob("*")):
            relative = file.relative_to(out).as_posix()
            if file.is_file() and relative not in KEPT:
                stored = file.suffix in (".jpeg", ".jpg", ".webp", ".png", ".mp4")
                archive.write(
                    file,
                    f"{out.name}/{relative}",
                    zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED,
                )
    tmp.replace(zip_path)
    return zip_path


def preservation_bag(
    app, bag_dir: Path, options: Options | None = None, progress=None
) -> tuple[Report, bagit.Bag]:
    """The edition as a BagIt bag (SHA-256) in ``bag_dir`` (made anew each time)."""
    bag_dir = Path(bag_dir)
    staging = bag_dir.with_name(bag_dir.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    report = export_site(app, staging / "edition", options or Options(full=True), progress)
    for name in KEPT:
        (staging / "edition" / name).unlink(missing_ok=True)
    db = database.connect(app.config["DATABASE"])
    try:
        ids = exporter.honoree_ids(db)
        catalogue = staging / "catalogue"
        catalogue.mkdir()
        exporter.export(db, catalogue / "honorees.json", "json")
        originals = staging / "originals"
        originals.mkdir()
        photos = []
        source = media.originals_dir(app.config["MEDIA_DIR"])
        for row in db.execute(f"""SELECT p.id, p.honoree_id, p.original, p.caption, p.credit,
                                         p.alt, p.is_portrait FROM photos p
                                  JOIN honorees h ON h.id = p.honoree_id
                                  WHERE {PUBLIC} ORDER BY p.honoree_id, p.position, p.id"""):
            photo = dict(row)
            if photo["original"] and (source / photo["original"]).is_file():
                shutil.copy2(source / photo["original"], originals / photo["original"])
                photos.append(photo)
        (catalogue / "photos.json").write_text(
            json.dumps(photos, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        (staging / "说明.txt").write_text(
            README.format(
                site=app.config["SITE_NAME"],
                org=app.config["ORGANISATION"],
                time=now(),
                generation=report.generation,
                count=len(ids),
            ),
            encoding="utf-8",
        )
    finally:
        db.conn.close()
    bagit.make_bag(
        str(staging),
        {
            "Source-Organization": app.config["ORGANISATION"],
            "External-Description": f"{app.config['SITE_NAME']} 静态版与档案目录",
            "External-Identifier": app.config["BASE_URL"],
            "Bag-Group-Identifier": f"content-generation-{report.generation}",
        },
        processes=1,
        checksums=["sha256"],
    )
    shutil.rmtree(bag_dir, ignore_errors=True)
    staging.replace(bag_dir)
    return report, bagit.Bag(str(bag_dir))
