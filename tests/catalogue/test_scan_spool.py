"""QR scans are never lost: each is one appended line in a spool that the worker
folds into the scans table, so a scan never waits on the database's write lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from archive import worker
from archive.catalogue import scans
from tests.conftest import free_port, start_gunicorn, wait_for

pytestmark = pytest.mark.slow

LOCKER = """
import sqlite3, sys, time
from pathlib import Path
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
stop, ready = Path(sys.argv[2]), Path(sys.argv[3])
while not stop.exists():
    conn.execute("BEGIN IMMEDIATE")  # a curator saving: the write lock held a while
    conn.execute("UPDATE honorees SET summary = summary WHERE id = 1")
    ready.touch()
    time.sleep(0.4)
    conn.execute("COMMIT")
"""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _scan(url: str) -> int:
    opener = urllib.request.build_opener(NoRedirect())
    try:
        with opener.open(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def test_no_scan_lost_under_load_while_a_curator_holds_the_write_lock(empty_archive, make_honoree):
    honoree_id = make_honoree(name="扫码人")
    assert honoree_id == 1
    db = empty_archive.db()
    code = db.execute("SELECT code FROM honorees WHERE id = ?", [honoree_id]).fetchone()[0]
    root = empty_archive.root
    locker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            LOCKER,
            empty_archive.config["DATABASE"],
            str(root / "stop"),
            str(root / "locked"),
        ]
    )
    port = free_port()
    server = start_gunicorn(empty_archive, port, {"ARCHIVE_WEB_WORKERS": "3"})
    try:
        assert wait_for(lambda: (root / "locked").exists(), 30)
        urls = [f"http://127.0.0.1:{port}/q/{code}" for _ in range(800)]
        with ThreadPoolExecutor(16) as pool:  # as fast as it goes: well above 200 a second
            statuses = list(pool.map(_scan, urls))
        assert locker.poll() is None  # the lock was held throughout
    finally:
        (root / "stop").touch()
        os.kill(server.pid, signal.SIGKILL)  # killed: nothing a process kept is lost
        server.wait(30)
        locker.wait(30)
    assert statuses.count(302) == len(urls), {s: statuses.count(s) for s in set(statuses)}
    spool = scans.spool_dir(empty_archive.app().instance_path)
    assert (spool / scans.SPOOL).read_bytes().count(b"\n") == len(urls)
    assert scans.fold(db, spool, settle=0) == len(urls)
    assert scans.totals(db, honoree_id) == len(urls)
    assert scans.fold(db, spool, settle=0) == 0 and not list(spool.iterdir())


def test_a_fold_is_never_counted_twice(empty_archive, make_honoree):
    honoree_id = make_honoree()
    db = empty_archive.db()
    spool = empty_archive.root / "spool"
    for tag in ("", "", "A1"):
        scans.count(spool, honoree_id, tag)
    assert scans.fold(db, spool, settle=60) == 0  # renamed aside, left to settle
    renamed = next(spool.glob("fold-*.log"))
    copy = renamed.read_bytes()
    scans.count(spool, honoree_id)  # a new scan starts a new spool
    folded = scans.fold(db, spool, settle=0)
    assert folded == 4 and scans.totals(db, honoree_id) == 4
    renamed.write_bytes(copy)  # as if the fold had been killed after its commit
    assert scans.fold(db, spool, settle=0) == 0 and scans.totals(db, honoree_id) == 4


def test_a_cut_line_is_skipped_and_unknown_records_are_ignored(empty_archive, make_honoree):
    honoree_id = make_honoree()
    spool = empty_archive.root / "spool"
    spool.mkdir()
    (spool / scans.SPOOL).write_bytes(
        f"2026-01-02\t{honoree_id}\t\n2026-01-02\t999\t\n2026-01-02\t{honoree_id}".encode()
    )
    db = empty_archive.db()
    assert scans.fold(db, spool, settle=0) == 1
    assert [tuple(r) for r in db.execute("SELECT honoree_id, day, count FROM scans")] == [
        (honoree_id, "2026-01-02", 1)
    ]


def test_the_worker_folds_the_spool(empty_archive, make_honoree):
    honoree_id = make_honoree()
    app = empty_archive.app()
    client = app.test_client()
    code = empty_archive.db().execute("SELECT code FROM honorees").fetchone()[0]
    assert client.get(f"/q/{code}").status_code == 302
    spool = scans.spool_dir(app.instance_path)
    worker.housekeeping(app, empty_archive.db())  # renames the spool aside
    for path in spool.glob("fold-*.log"):  # settled, as a second later
        stamp = int(path.name.split("-")[1]) - 10**10
        path.rename(path.with_name(f"fold-{stamp}-{path.name.split('-')[2]}"))
    worker._last["fold"] = 0.0
    worker.housekeeping(app, empty_archive.db())
    assert scans.totals(empty_archive.db(), honoree_id) == 1
    assert not list(Path(spool).glob("*.log"))
