"""Login limits hold under concurrency: 100 parallel wrong passwords against a real
gunicorn (several processes, several threads each) check at most the limit's worth
of passwords; the hashing slots bound how many run at once."""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from archive.curation import accounts
from tests.conftest import free_port, start_gunicorn
from tests.curating import TOKEN

pytestmark = pytest.mark.slow


def _attempt(base: str, barrier: threading.Barrier) -> int:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(f"{base}/curate/login", timeout=60) as page:
        token = TOKEN.search(page.read().decode()).group(1)
    body = urllib.parse.urlencode(
        {"username": "keeper", "password": "wrong password!", "csrf_token": token}
    ).encode()
    barrier.wait(60)  # every attempt goes at once
    try:
        with opener.open(f"{base}/curate/login", data=body, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_100_parallel_logins_check_at_most_the_limit(empty_archive):
    db = empty_archive.db()
    accounts.create_user(db, "keeper", "the right password", "curator")
    port = free_port()
    server = start_gunicorn(
        empty_archive,
        port,
        {  # http: the session cookie is not Secure
            "ARCHIVE_WEB_WORKERS": "3",
            "ARCHIVE_WEB_THREADS": "16",
            "ARCHIVE_BASE_URL": f"http://127.0.0.1:{port}",
        },
    )
    try:
        barrier = threading.Barrier(100)
        with ThreadPoolExecutor(100) as pool:
            statuses = list(
                pool.map(lambda _: _attempt(f"http://127.0.0.1:{port}", barrier), range(100))
            )
    finally:
        server.terminate()
        server.wait(30)
    checked = db.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'login_failed' AND username = 'keeper'"
    ).fetchone()[0]
    attempts = db.execute(
        "SELECT count(*) FROM login_attempts WHERE username = 'keeper'"
    ).fetchone()[0]
    assert statuses.count(401) == checked == attempts, statuses
    assert 1 <= checked <= accounts.PAIR_LIMIT, statuses
    assert statuses.count(429) + statuses.count(503) == 100 - checked
    assert set(statuses) <= {401, 429, 503}


def test_hash_slots_bound_checks_across_processes(tmp_path):
    """Two pools on the same folder (as two processes would have) share two slots:
    a third check waits, and is refused once its wait is over."""
    first = accounts.HashSlots(tmp_path, 2, timeout=0.2)
    second = accounts.HashSlots(tmp_path, 2, timeout=0.2)
    with first(), second():
        with pytest.raises(accounts.Busy):
            with first():
                pass
    with first(), first():  # both free again
        pass


def test_a_reservation_counts_before_the_password_is_checked(empty_archive):
    """While ten checks of one account from one address are under way, the eleventh
    is refused unchecked."""
    db = empty_archive.db()
    for n in range(accounts.PAIR_LIMIT):
        accounts._reserve(db, "keeper", "192.0.2.9", 1000.0 + n, accounts.GLOBAL_LIMIT)
    with pytest.raises(accounts.Throttled):
        accounts.authenticate(db, "keeper", "x", "192.0.2.9", clock=1010.0)


def test_the_global_limit_refuses_everyone(empty_archive):
    db = empty_archive.db()
    for n in range(5):
        accounts.authenticate(db, f"user{n}", "x", f"192.0.2.{n}", clock=2000.0, global_limit=5)
    with pytest.raises(accounts.Throttled) as refused:
        accounts.authenticate(db, "someone", "x", "198.51.100.1", clock=2001.0, global_limit=5)
    assert "暂停所有登录" in refused.value.message
