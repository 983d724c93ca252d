"""The database: schema, pragmas, the write helper, permanent short codes."""

import multiprocessing
import random
import sqlite3
import time

import pytest

from archive import db as database
from archive.catalogue import codes, honorees
from archive.db import write


def test_pragmas_wal_busy_timeout_foreign_keys(empty_archive):
    db = empty_archive.db()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == database.BUSY_TIMEOUT_MS
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        with write(db):
            db.execute(
                "INSERT INTO honours (honoree_id, title, level, year) "
                "VALUES (999, '全国劳动模范', 'national', 2020)"
            )


def test_migrations_are_recorded_and_idempotent(empty_archive):
    from archive import migrations

    db = empty_archive.db()
    assert migrations.apply(db) == []
    titles = {r[0]: r[1] for r in db.execute("SELECT title, level FROM honour_titles")}
    assert titles["全国劳动模范"] == "national"
    assert titles["省工人先锋号"] == "provincial"


def test_write_rolls_back_everything_on_error(empty_archive):
    db = empty_archive.db()
    with pytest.raises(honorees.RecordError):
        with write(db):
            honorees.create(
                db,
                {"kind": "individual", "name": "半途", "status": "published"},
                [{"title": "全国劳动模范", "year": 2020}],
            )
            honorees.create(
                db,
                {"kind": "individual", "name": "坏称号"},
                [{"title": "不存在的称号", "year": 2020}],
            )
    assert db.execute("SELECT count(*) FROM honorees").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM short_codes").fetchone()[0] == 0


def _hold_write_lock(path, seconds, ready):
    db = database.connect(path)
    with write(db):
        db.execute("INSERT INTO settings (key, value) VALUES ('holder', '1')")
        ready.set()
        time.sleep(seconds)


def test_write_waits_for_another_process_instead_of_failing(empty_archive):
    """BEGIN IMMEDIATE + busy timeout: a second writer waits for the first."""
    path = empty_archive.config["DATABASE"]
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_write_lock, args=(path, 0.5, ready))
    holder.start()
    assert ready.wait(10)
    db = database.connect(path)
    started = time.monotonic()
    with write(db):
        count = db.execute("SELECT count(*) FROM settings").fetchone()[0]
        db.execute("INSERT INTO settings (key, value) VALUES ('second', ?)", [str(count)])
    holder.join(10)
    assert time.monotonic() - started > 0.2  # it really waited
    assert db.execute("SELECT value FROM settings WHERE key = 'second'").fetchone()[0] == "1"


def test_codes_use_the_unambiguous_alphabet_and_are_unique(make_honoree, empty_archive):
    ids = [make_honoree(name=f"人物{i}") for i in range(300)]
    db = empty_archive.db()
    found = [r[0] for r in db.execute("SELECT code FROM honorees")]
    assert len(set(found)) == len(ids) == 300
    for code in found:
        assert len(code) == 6
        assert not set(code) & set("01OIL")
        assert set(code) <= set(codes.ALPHABET)


def test_codes_match_case_insensitively_and_reject_lookalikes(make_honoree, empty_archive):
    honoree_id = make_honoree()
    db = empty_archive.db()
    code = db.execute("SELECT code FROM honorees WHERE id = ?", [honoree_id]).fetchone()[0]
    assert codes.resolve(db, code) == honoree_id
    assert codes.resolve(db, code.lower()) == honoree_id
    assert codes.resolve(db, f"  {code.lower()} ") == honoree_id
    assert codes.resolve(db, "O00000") is None
    assert codes.resolve(db, code + "X") is None


def test_codes_are_never_reused(empty_archive):
    """A code stays registered after its honoree is gone, so a new one never gets it."""
    db = empty_archive.db()
    with write(db):
        first = honorees.create(
            db, {"kind": "individual", "name": "甲", "status": "draft"}, rng=random.Random(7)
        )
        old_code = db.execute("SELECT code FROM honorees WHERE id = ?", [first]).fetchone()[0]
        db.execute("UPDATE honorees SET deleted_at = 'x', code = 'ZZZZZZ' WHERE id = ?", [first])
        second = honorees.create(
            db, {"kind": "individual", "name": "乙", "status": "draft"}, rng=random.Random(7)
        )  # the same random sequence
    new_code = db.execute("SELECT code FROM honorees WHERE id = ?", [second]).fetchone()[0]
    assert new_code != old_code


def test_every_create_writes_a_revision_with_honours(make_honoree, empty_archive):
    honoree_id = make_honoree(name="有修订")
    db = empty_archive.db()
    rows = db.execute(
        "SELECT action, snapshot FROM revisions WHERE record_id = ?", [honoree_id]
    ).fetchall()
    assert [r["action"] for r in rows] == ["create"]
    assert "全国劳动模范" in rows[0]["snapshot"] and "有修订" in rows[0]["snapshot"]
