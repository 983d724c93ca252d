"""Permanent short codes: the target of every printed QR code.

Six characters from an alphabet without look-alikes (no 0/O, 1/I/L), matched
case-insensitively, registered in ``short_codes`` so that none is ever reused.
"""

from __future__ import annotations

import random
import re
import secrets

import sqlite_utils

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def normalise(code: str) -> str | None:
    """The canonical form of a typed or scanned code, or None if it cannot be one."""
    code = (code or "").strip().upper()
    return code if _VALID.match(code) else None


def new_code(db: sqlite_utils.Database, rng: random.Random | None = None) -> str:
    """A code never issued before. Call inside the write transaction that uses it."""
    choice = rng.choice if rng is not None else secrets.choice
    while True:
        code = "".join(choice(ALPHABET) for _ in range(LENGTH))
        if not db.execute(
            "SELECT 1 FROM short_codes WHERE code = ? UNION ALL "
            "SELECT 1 FROM target_codes WHERE code = ?",
            [code, code],
        ).fetchone():
            return code


def register(db: sqlite_utils.Database, code: str, honoree_id: int, now: str) -> None:
    db.execute(
        "INSERT INTO short_codes (code, honoree_id, created_at) VALUES (?, ?, ?)",
        [code, honoree_id, now],
    )


def resolve(db: sqlite_utils.Database, code: str) -> int | None:
    """The honoree id a code leads to (merged records keep their old codes)."""
    canonical = normalise(code)
    if canonical is None:
        return None
    row = db.execute("SELECT honoree_id FROM short_codes WHERE code = ?", [canonical]).fetchone()
    return row[0] if row else None


def register_target(db: sqlite_utils.Database, target_type: str, target_id: int, now: str) -> str:
    """The permanent code of a hall or an album (issued once, never reused)."""
    row = db.execute(
        "SELECT code FROM target_codes WHERE target_type = ? AND target_id = ?",
        [target_type, target_id],
    ).fetchone()
    if row:
        return row[0]
    code = new_code(db)
    db.execute(
        "INSERT INTO target_codes (code, target_type, target_id, created_at) VALUES (?, ?, ?, ?)",
        [code, target_type, target_id, now],
    )
    return code


def resolve_target(db: sqlite_utils.Database, code: str) -> tuple[str, int] | None:
    """(target type, id) of a hall's or an album's code; None for any other code."""
    canonical = normalise(code)
    if canonical is None:
        return None
    row = db.execute(
        "SELECT target_type, target_id FROM target_codes WHERE code = ?", [canonical]
    ).fetchone()
    return (row[0], row[1]) if row else None
