"""`serve` keeps its processes running: real processes, killed with SIGKILL, brought
back by the supervisor while the site goes on answering; /healthz tells the worker's
state apart from the site's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from archive import jobs, worker
from archive.settings import PROJECT_ROOT

from .conftest import environment_for, free_port, wait_for

pytestmark = pytest.mark.slow


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def _health(base: str) -> dict:
    status, body = _get(f"{base}/healthz")
    return json.loads(body) if status == 200 else {}


def _state(archive) -> dict:
    try:
        return json.loads((Path(archive.config["INSTANCE_DIR"]) / "serve.json").read_text())
    except (OSError, ValueError):
        return {}


class Watcher(threading.Thread):
    """Asks for a page and /healthz over and over, keeping every failure."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.failures, self.requests = base, [], 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            for path in ("/healthz", "/honorees", "/healthz/live"):
                status, _ = _get(self.base + path)
                self.requests += 1
                if status != 200:
                    self.failures.append((path, status))


def test_serve_restarts_a_killed_worker_and_gunicorn(empty_archive):
    leftover = Path(empty_archive.config["MEDIA_DIR"]) / "derived" / ".abc-640.webp.1234.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a picture")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(empty_archive.root / "serve.log", "wb")
    serve = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "archive", "serve", "--bind", f"127.0.0.1:{port}"],
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={
            **environment_for(empty_archive),
            "ARCHIVE_WEB_WORKERS": "1",
            "ARCHIVE_WEB_THREADS": "4",
        },
    )
    log.close()
    try:
        assert wait_for(lambda: _health(base).get("worker") == "up", 90), (
            empty_archive.root / "serve.log"
        ).read_text()
        assert not leftover.exists()  # temporaries of an interrupted run are cleaned at start
        first = _state(empty_archive)

        watcher = Watcher(base)
        watcher.start()
        os.kill(first["worker"]["pid"], signal.SIGKILL)
        assert wait_for(
            lambda: (
                _state(empty_archive).get("worker", {}).get("restarts") == 1
                and _health(base).get("worker") == "up"
            ),
            90,
        )
        watcher.done.set()
        watcher.join()
        assert watcher.requests > 0 and watcher.failures == []  # the site stayed up
        second = _state(empty_archive)
        assert second["worker"]["pid"] != first["worker"]["pid"]
        assert second["gunicorn"]["pid"] == first["gunicorn"]["pid"]

        os.kill(second["gunicorn"]["pid"], signal.SIGKILL)
        assert wait_for(
            lambda: (
                _state(empty_archive).get("gunicorn", {}).get("restarts", 0) >= 1
                and _health(base).get("worker") == "up"
            ),
            90,
        ), (empty_archive.root / "serve.log").read_text()
        third = _state(empty_archive)
        assert third["gunicorn"]["pid"] != second["gunicorn"]["pid"]
        assert third["worker"]["pid"] == second["worker"]["pid"]
        assert _get(f"{base}/honorees")[0] == 200
        output = (empty_archive.root / "serve.log").read_text()
        assert "worker 已退出" in output and "gunicorn 已重启" in output

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(60) == 0
        assert not (Path(empty_archive.config["INSTANCE_DIR"]) / "serve.json").exists()
        # restarts and the stop leave a log an operator can read: no traceback in it
        # (gevent's workers printed one per logging handler as they exited)
        assert "Traceback" not in (empty_archive.root / "serve.log").read_text()
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()


def test_healthz_answers_with_the_worker_down_and_reports_the_queue(empty_archive):
    app = empty_archive.app()
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["worker"] == "down" and health.get_json()["queue_age"] is None
    jobs.enqueue(empty_archive.db(), "reindex")
    assert client.get("/healthz").get_json()["queue_age"] >= 0
    beat = worker.heartbeat_path(app)
    beat.parent.mkdir(parents=True, exist_ok=True)
    beat.write_text(str(os.getpid()))
    health = client.get("/healthz").get_json()
    assert health["worker"] == "up" and 0 <= health["worker_heartbeat_age"] < 30
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    beat.write_text(str(gone.pid))  # a heartbeat whose process has died
    assert client.get("/healthz").get_json()["worker"] == "down"


def test_a_job_that_always_fails_stops_after_its_attempts(empty_archive, monkeypatch):
    app = empty_archive.app(JOB_MAX_ATTEMPTS=3)
    db = empty_archive.db()
    calls = []

    def broken(app, db, params, progress):
        calls.append(params["job_id"])
        raise RuntimeError("磁盘坏了")

    monkeypatch.setitem(worker.HANDLERS, "broken", broken)
    job_id = jobs.enqueue(db, "broken")
    worker.run(app, poll_seconds=0.01, stop_when_idle=True)
    job = jobs.get(db, job_id)
    assert len(calls) == 3 and job["attempts"] == 3
    assert (
        job["status"] == "failed"
        and "已尝试 3 次仍失败" in job["error"]
        and "磁盘坏了" in job["error"]
    )


def test_a_job_that_keeps_killing_the_worker_is_not_requeued_forever(empty_archive):
    db = empty_archive.db()
    job_id = jobs.enqueue(db, "reindex")
    for _ in range(3):
        assert jobs.claim(db)["id"] == job_id  # the worker dies while running it
        jobs.requeue_abandoned(db, max_attempts=3)
    job = jobs.get(db, job_id)
    assert job["status"] == "failed" and job["attempts"] == 3
    assert "多次中断" in job["error"]


def test_the_systemd_unit_restarts_serve_and_is_hardened():
    unit = (PROJECT_ROOT / "deploy" / "archive.service").read_text(encoding="utf-8")
    keys: dict[str, list[str]] = {}
    for line in unit.splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            keys.setdefault(key, []).append(value)
    assert keys["Restart"] == ["always"]
    assert keys["RuntimeDirectory"] == ["archive"]  # /run/archive/ for GENERATION_LINK
    assert keys["ExecStart"][0].split()[1:4] == ["--app", "archive", "serve"]
    # an upgrade migrates before serving, never loading the demo or making an account
    assert keys["ExecStartPre"][0].split()[1:] == [
        "--app",
        "archive",
        "init",
        "--no-demo",
        "--no-admin",
    ]
    for key, value in (
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("PrivateTmp", "yes"),
    ):
        assert keys[key] == [value], key
    writable = keys["ReadWritePaths"][0].split()
    data = [
        v.split("=", 1)[1]
        for v in keys["Environment"]
        if v.split("=", 1)[0]
        in ("ARCHIVE_DATABASE", "ARCHIVE_MEDIA_DIR", "ARCHIVE_INDEX_DIR", "ARCHIVE_INSTANCE_DIR")
    ]
    assert len(data) == 4
    assert all(any(Path(d).is_relative_to(w) for w in writable) for d in data)
