"""QR scan counts per honoree, day and print run: no personal data."""

from __future__ import annotations

import logging

from . import db as database
from .timeutil import today

log = logging.getLogger("archive.scans")


def count(path: str, honoree_id: int, run_tag: str = "") -> None:
    """Add one scan. Runs after the redirect has been sent; gives up quickly
    under contention and never raises, so counting can never break a scan."""
    try:
        db = database.connect(path, busy_timeout_ms=250)
        try:
            with database.write(db):
                db.execute(
                    """INSERT INTO scans (honoree_id, day, run_tag, count) VALUES (?, ?, ?, 1)
                       ON CONFLICT (honoree_id, day, run_tag) DO UPDATE SET count = count + 1""",
                    [honoree_id, today(), run_tag])
        finally:
            db.conn.close()
    except Exception:
        log.warning("scan of honoree %s not counted", honoree_id, exc_info=True)


def totals(db, honoree_id: int) -> int:
    row = db.execute("SELECT coalesce(sum(count), 0) FROM scans WHERE honoree_id = ?",
                     [honoree_id]).fetchone()
    return row[0]
