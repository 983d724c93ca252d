"""A small archive with a drawn panoramic hall, for the English pages' tests (the
demo exhibit has no hall and must not be written): two honorees with portraits in
one published exhibition, its one room drawn at the smallest tile pyramid (a single
512 px level, about a second), and a search index."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from archive import search
from archive.catalogue import exhibitions, honorees, media
from archive.db import write
from archive.halls import generate
from tests.conftest import Archive, fresh_archive

PEOPLE = (("林晓峰", (200, 40, 40)), ("王秀英", (40, 120, 200)))


def with_hall(root: Path, engine: str) -> tuple[Archive, int]:
    """(the archive, its exhibition's id)."""
    archive = fresh_archive(root, engine)
    db = archive.db()
    with write(db):
        people = []
        for name, rgb in PEOPLE:
            honoree_id = honorees.create(
                db,
                {"kind": "individual", "name": name, "status": "published", "unit": "测试单位"},
                [{"title": "全国劳动模范", "year": 2020, "body": "国务院"}],
            )
            media.add_photo(
                db,
                archive.config["MEDIA_DIR"],
                Image.new("RGB", (320, 400), rgb),
                honoree_id,
                alt="肖像",
                is_portrait=True,
            )
            people.append(honoree_id)
        exhibition_id = exhibitions.create(
            db, "测试展馆", "这是前言。", [("第一单元", "", people)], status="published"
        )
    generate.generate(db, {**archive.app().config, "HALL_CUBE_SIZE": 512}, exhibition_id)
    search.rebuild(db, archive.config["INDEX_DIR"], engine=engine)
    return archive, exhibition_id
