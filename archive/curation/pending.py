"""Edits to a published record that wait for review.

With ``SECOND_APPROVER=1`` a curator's edit to a published record does not go live:
it is kept as a pending edit, and the public keeps seeing the published version
until a second curator or an admin approves it. The record's page shows the diff of
exactly what would change. An admin's own edits apply at once (an admin is an
approver). A later edit replaces the pending one (the form shows the pending
version, so nothing typed before is lost).
"""

from __future__ import annotations

import json

import sqlite_utils

from archive.catalogue import audit
from archive.curation import editing, revisions
from archive.curation.editing import Conflict, EditError
from archive.db import write
from archive.timeutil import now


def needs_review(record: dict, user: dict, second_approver: bool) -> bool:
    """Whether an edit by ``user`` to ``record`` waits for a second person."""
    return bool(
        second_approver
        and record["status"] == "published"
        and not record["deleted_at"]
        and user["role"] != "admin"
    )


def submit(
    db: sqlite_utils.Database, honoree_id: int, form: dict, expected_version: int, user: dict
) -> None:
    """Keep an edit of a published record for review; checked like a save."""
    fields = editing.clean_record(form)
    with write(db):
        current = editing.get(db, honoree_id)
        if current is None:
            raise EditError("这条记录不存在")
        if current["version"] != expected_version:
            raise Conflict(current)
        db.execute(
            """INSERT INTO pending_edits (honoree_id, fields, base_version, user_id, created_at)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT (honoree_id) DO UPDATE SET
               fields = excluded.fields, base_version = excluded.base_version,
               user_id = excluded.user_id, created_at = excluded.created_at""",
            [
                honoree_id,
                json.dumps(fields, ensure_ascii=False),
                expected_version,
                user["id"],
                now(),
            ],
        )
        audit.record(
            db,
            "edit-submit",
            user=user,
            record_type="honoree",
            record_id=honoree_id,
            detail="已发布记录的修改，待审核",
        )


def get(db: sqlite_utils.Database, honoree_id: int) -> dict | None:
    """The pending edit of a record, with who made it and what it would change."""
    row = db.execute(
        """SELECT p.*, u.display_name, u.username FROM pending_edits p
                        LEFT JOIN users u ON u.id = p.user_id WHERE p.honoree_id = ?""",
        [honoree_id],
    ).fetchone()
    if row is None:
        return None
    pending = dict(row)
    pending["fields"] = json.loads(pending["fields"])
    current = db.execute("SELECT * FROM honorees WHERE id = ?", [honoree_id]).fetchone()
    shown = {k: current[k] for k in pending["fields"]}
    pending["changes"] = revisions.diff(shown, pending["fields"])
    pending["who"] = pending["display_name"] or pending["username"] or "有人"
    return pending


def can_decide(pending: dict, user: dict) -> bool:
    """A second person: another curator than the one who made the edit, or an admin."""
    return user["role"] == "admin" or pending["user_id"] != user["id"]


def approve(db: sqlite_utils.Database, honoree_id: int, user: dict) -> None:
    """Apply the pending edit: the public sees it from now on."""
    with write(db):
        pending = get(db, honoree_id)
        if pending is None:
            raise EditError("这条记录没有待审核的修改")
        if not can_decide(pending, user):
            raise EditError("自己提交的修改需由另一位策展人或管理员批准")
        fields = dict(pending["fields"])
        fields.update(editing.honorees.name_columns(fields["name"], fields["kind"]))
        db.execute(
            f"UPDATE honorees SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
            [*fields.values(), honoree_id],
        )
        db.execute("DELETE FROM pending_edits WHERE honoree_id = ?", [honoree_id])
        editing._touched(db, honoree_id, "edit-approved", user)
        audit.record(
            db,
            "edit-approve",
            user=user,
            record_type="honoree",
            record_id=honoree_id,
            detail=f"批准{pending['who']}的修改",
        )


def reject(db: sqlite_utils.Database, honoree_id: int, user: dict) -> None:
    """Drop the pending edit; the published version stays as it is."""
    with write(db):
        pending = get(db, honoree_id)
        if pending is None:
            raise EditError("这条记录没有待审核的修改")
        if not can_decide(pending, user):
            raise EditError("不能退回自己提交的修改；要放弃，请再次编辑为原样")
        db.execute("DELETE FROM pending_edits WHERE honoree_id = ?", [honoree_id])
        audit.record(
            db,
            "edit-reject",
            user=user,
            record_type="honoree",
            record_id=honoree_id,
            detail=f"退回{pending['who']}的修改",
        )


def listing(db: sqlite_utils.Database) -> list[dict]:
    """Every pending record edit, oldest first, for the review queue."""
    return [
        dict(r)
        for r in db.execute(
            """SELECT p.honoree_id, p.created_at, p.user_id, h.name,
                  coalesce(u.display_name, u.username, '有人') AS who
           FROM pending_edits p JOIN honorees h ON h.id = p.honoree_id
           LEFT JOIN users u ON u.id = p.user_id ORDER BY p.created_at"""
        )
    ]
