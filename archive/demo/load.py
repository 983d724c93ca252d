"""Load the committed demo exhibit (records/demo/) into an empty archive.

Portraits are drawn, not shipped: each record names a placeholder style that
:mod:`archive.demo.placeholders` draws, marked as a placeholder in the database.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import sqlite_utils

from archive.catalogue import exhibitions, honorees, media

from ..db import write
from .placeholders import draw_placeholder

PORTRAIT_SIZE = (640, 800)
# Placeholders are drawn from a small palette (12 hues × 6 variants per style), so
# identical pictures are encoded once and share their content-hashed files.
HUE_STEP = 30
VARIANTS = 6  # hair and clothing shapes; 0–2 short hair, 3–5 long hair, bob or bun
CODE_SEED = 20190501  # the demo's short codes are the same on every machine


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def is_loaded(db: sqlite_utils.Database) -> bool:
    row = db.execute("SELECT value FROM settings WHERE key = 'demo'").fetchone()
    return bool(row and row[0] == "1")


def load(db: sqlite_utils.Database, media_dir: str | Path, demo_dir: str | Path) -> dict:
    """Load the demo in one transaction; refuses an archive that has records."""
    demo_dir = Path(demo_dir)
    records = read_jsonl(demo_dir / "honorees.jsonl")
    halls = read_jsonl(demo_dir / "exhibitions.jsonl")
    rng = random.Random(CODE_SEED)
    drawn: dict[tuple, media.Prepared] = {}
    with write(db):
        if db.execute("SELECT count(*) FROM honorees").fetchone()[0]:
            raise ValueError("档案馆中已有记录，示例数据只能载入空的档案馆")
        ids: dict[str, int] = {}
        for record in records:
            honoree_id = honorees.create(db, record, record["honours"], rng=rng)
            ids[record["ref"]] = honoree_id
            portrait = record["portrait"]
            key = (
                portrait["style"],
                portrait["hue"] // HUE_STEP * HUE_STEP,
                portrait["variant"] % VARIANTS,
            )
            if key not in drawn:
                drawn[key] = media.prepare(
                    draw_placeholder(*key, size=PORTRAIT_SIZE), lossless=True
                )
            kind_word = "集体照" if record["kind"] == "collective" else "肖像"
            media.add_photo(
                db,
                media_dir,
                drawn[key],
                honoree_id,
                alt=f"{record['name']}的{kind_word}（示意图）",
                caption="示意图，非本人照片",
                credit="示例数据",
                is_portrait=True,
                placeholder=True,
            )
        for record in records:
            for position, member_ref in enumerate(record.get("members") or []):
                honorees.add_member(db, ids[record["ref"]], ids[member_ref], position)
        for position, hall in enumerate(halls):
            exhibitions.create(
                db,
                hall["title"],
                hall["intro"],
                [
                    (s["title"], s.get("intro") or "", [ids[r] for r in s["members"]])
                    for s in hall["sections"]
                ],
                status="published",
                position=position,
            )
        db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('demo', '1')")
    return {"honorees": len(records), "exhibitions": len(halls)}
