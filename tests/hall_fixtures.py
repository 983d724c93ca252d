"""A small archive with an exhibition whose portraits are solid, distinct colours,
so a test can find each honoree in a drawn panorama by its pixels."""

from __future__ import annotations

import colorsys

import numpy as np
from PIL import Image

from archive.catalogue import exhibitions, honorees, media
from archive.db import write
from archive.halls import generate

NAMES = [
    "林晓峰",
    "陈建国",
    "王秀英",
    "赵卫东",
    "孙丽华",
    "周海涛",
    "吴志强",
    "郑桂兰",
    "冯国庆",
    "何玉梅",
    "高建军",
    "罗春燕",
    "梁文博",
    "宋红霞",
    "唐振华",
    "韩雪梅",
    "许立新",
    "邓美玲",
    "曹永刚",
    "彭晓燕",
]


def colour(index: int) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb((index * 0.61803) % 1.0, 0.9, 0.85)
    return round(r * 255), round(g * 255), round(b * 255)


def build(
    archive,
    count: int = 20,
    sections: tuple[int, ...] | None = None,
    statuses: dict[int, str] | None = None,
) -> dict:
    """Honorees 0…count-1 (portrait colour(i)) in one published exhibition (split into
    sections of the given sizes); returns ids, the exhibition id and the hall."""
    db = archive.db()
    statuses = statuses or {}
    ids = []
    with write(db):
        for i in range(count):
            honoree_id = honorees.create(
                db,
                {
                    "kind": "individual",
                    "name": NAMES[i % len(NAMES)] + ("" if i < 20 else str(i)),
                    "status": statuses.get(i, "published"),
                    "unit": "测试单位",
                    "story": "事迹。",
                },
                [{"title": "全国劳动模范", "year": 2020, "body": "国务院"}],
            )
            media.add_photo(
                db,
                archive.config["MEDIA_DIR"],
                Image.new("RGB", (640, 800), colour(i)),
                honoree_id,
                alt="肖像",
                is_portrait=True,
            )
            ids.append(honoree_id)
        sizes = sections or (count,)
        groups, start = [], 0
        for n, size in enumerate(sizes):
            groups.append((f"第{n + 1}单元", "", ids[start : start + size]))
            start += size
        exhibition_id = exhibitions.create(db, "测试展馆", "这是前言。", groups, status="published")
    config = {
        **archive.config,
        "HALL_CUBE_SIZE": 1024,
        "FONT_PATH": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    }
    done = generate.generate(db, config, exhibition_id)
    return {"ids": ids, "exhibition_id": exhibition_id, "done": done, "config": config}


def share_near(pixels: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 40) -> float:
    """The share of pixels within ``tolerance`` (per channel) of ``rgb``."""
    diff = np.abs(pixels[..., :3].astype(np.int16) - np.array(rgb, np.int16))
    return float((diff.max(axis=-1) <= tolerance).mean())
