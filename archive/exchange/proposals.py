"""Changes an import proposes to existing records.

A sheet row that matches a record already in the archive but differs from it is
never applied silently (:mod:`archive.exchange.importer` keeps it in ``import_proposals``).
A curator sees each proposed change beside the record and applies or dismisses it;
applying is one edit like any other: a revision, an index-outbox row and a new
version of the record.
"""

from __future__ import annotations

import json

import sqlite_utils

from archive.catalogue import audit, honorees
from archive.catalogue.honorees import RecordError
from archive.db import write
from archive.timeutil import now

# what a proposal may set on the record (never the status: publishing goes through review)
FIELDS = (
    "kind",
    "collective_type",
    "name",
    "gender",
    "ethnicity",
    "birth_year",
    "birth_month",
    "unit",
    "position",
    "unit_raw",
    "province",
    "city",
    "county",
    "region_code",
    "nominator",
    "industry",
    "summary",
    "story",
    "quote",
    "note",
)
LABELS = {
    "kind": "类别",
    "collective_type": "集体类型",
    "name": "姓名/名称",
    "gender": "性别",
    "ethnicity": "民族",
    "birth_year": "出生年",
    "birth_month": "出生月",
    "unit": "工作单位",
    "position": "职务",
    "unit_raw": "工作单位及职务（原文）",
    "province": "省",
    "city": "市",
    "county": "县区",
    "region_code": "行政区划代码",
    "nominator": "推荐单位",
    "industry": "行业",
    "summary": "简介",
    "story": "事迹",
    "quote": "感言",
    "note": "备注",
    "honours": "新增荣誉",
}


def pending(db: sqlite_utils.Database, honoree_id: int | None = None) -> list[dict]:
    """Pending proposals (of one record, or all), oldest first, each with the record's
    current values beside the proposed ones."""
    rows = db.execute(
        """SELECT p.*, h.name, h.version, m.file_name FROM import_proposals p
           JOIN honorees h ON h.id = p.honoree_id JOIN imports m ON m.id = p.import_id
           WHERE p.status = 'pending' AND h.deleted_at IS NULL
             AND (? IS NULL OR p.honoree_id = ?) ORDER BY p.id""",
        [honoree_id, honoree_id],
    ).fetchall()
    found = []
    for row in rows:
        item = dict(row)
        changes = json.loads(item["changes"])
        current = db.execute("SELECT * FROM honorees WHERE id = ?", [item["honoree_id"]]).fetchone()
        item["lines"] = [
            {
                "field": LABELS.get(k, k),
                "before": current[k] if k in FIELDS else None,
                "after": (
                    "、".join(f"{h['year']}年{h['title']}" for h in v) if k == "honours" else v
                ),
            }
            for k, v in changes.items()
        ]
        found.append(item)
    return found


def _require(db: sqlite_utils.Database, proposal_id: int) -> dict:
    row = db.execute("SELECT * FROM import_proposals WHERE id = ?", [proposal_id]).fetchone()
    if row is None:
        raise RecordError("没有这条待确认修改")
    if row["status"] != "pending":
        raise RecordError("这条修改已经处理过了")
    return dict(row)


def apply(db: sqlite_utils.Database, proposal_id: int, user: dict | None = None) -> int:
    """Apply a proposed change to its record; returns the honoree's id."""
    user_id = user["id"] if user else None
    with write(db):
        proposal = _require(db, proposal_id)
        honoree_id = proposal["honoree_id"]
        current = db.execute(
            "SELECT * FROM honorees WHERE id = ? AND deleted_at IS NULL", [honoree_id]
        ).fetchone()
        if current is None:
            raise RecordError("这条记录已被删除或合并，不能应用修改")
        changes = json.loads(proposal["changes"])
        new_honours = changes.pop("honours", [])
        fields = {k: v for k, v in changes.items() if k in FIELDS}
        if "name" in fields or "kind" in fields:
            fields.update(
                honorees.name_columns(
                    fields.get("name", current["name"]), fields.get("kind", current["kind"])
                )
            )
        fields["updated_at"] = now()
        db.execute(
            f"UPDATE honorees SET {', '.join(f'{k} = ?' for k in fields)}, "
            "version = version + 1 WHERE id = ?",
            [*fields.values(), honoree_id],
        )
        existing = {
            (r[0], r[1])
            for r in db.execute(
                "SELECT title, year FROM honours WHERE honoree_id = ?", [honoree_id]
            )
        }
        start = db.execute(
            "SELECT count(*) FROM honours WHERE honoree_id = ?", [honoree_id]
        ).fetchone()[0]
        added = [h for h in new_honours if (h["title"], h["year"]) not in existing]
        for offset, honour in enumerate(added):
            honorees.add_honour(db, honoree_id, honour, position=start + offset)
        honorees.refresh_latest_year(db, honoree_id)
        honorees.record_revision(db, honoree_id, "import-proposal", user_id)
        honorees.note_change(db, honoree_id)
        _decide(db, proposal_id, "applied", user_id)
        audit.record(
            db,
            "proposal-apply",
            user=user,
            record_type="honoree",
            record_id=honoree_id,
            detail=f"应用导入第 {proposal['row_number']} 行的修改",
        )
    return honoree_id


def dismiss(db: sqlite_utils.Database, proposal_id: int, user: dict | None = None) -> int:
    """Leave the record as it is; returns the honoree's id."""
    with write(db):
        proposal = _require(db, proposal_id)
        _decide(db, proposal_id, "dismissed", user["id"] if user else None)
        audit.record(
            db,
            "proposal-dismiss",
            user=user,
            record_type="honoree",
            record_id=proposal["honoree_id"],
            detail=f"忽略导入第 {proposal['row_number']} 行的修改",
        )
    return proposal["honoree_id"]


def _decide(db: sqlite_utils.Database, proposal_id: int, status: str, user_id: int | None) -> None:
    db.execute(
        "UPDATE import_proposals SET status = ?, decided_at = ?, decided_by = ? WHERE id = ?",
        [status, now(), user_id, proposal_id],
    )
