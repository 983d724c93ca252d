"""`flask --app archive serve`: gunicorn and the background worker start together
and stop together."""

import signal
import subprocess
import sys
import time
import urllib.request

from archive import jobs
from archive.settings import PROJECT_ROOT
from tests.conftest import environment_for, free_port, wait_for


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_serve_runs_gunicorn_and_the_worker_and_stops_both(empty_archive, make_honoree):
    make_honoree(name="服务测试人物")
    port = free_port()
    log = open(empty_archive.root / "serve.log", "wb")
    serve = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "archive", "serve", "--bind", f"127.0.0.1:{port}"],
        cwd=PROJECT_ROOT,
        env=environment_for(empty_archive),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    try:
        deadline = time.monotonic() + 30
        body = None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/honorees/1", timeout=2) as r:
                    body = r.read().decode("utf-8")
            except OSError:
                time.sleep(0.3)
        assert body and "服务测试人物" in body
        db = empty_archive.db()
        job_id = jobs.enqueue(db, "reindex")  # the worker beside gunicorn picks it up
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and jobs.get(db, job_id)["status"] != "done":
            time.sleep(0.2)
        assert jobs.get(db, job_id)["status"] == "done"
        children = _children(serve.pid)
        assert len(children) == 2
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(30)
    assert wait_for(lambda: not [pid for pid in children if _alive(pid)], timeout=10)
