"""A throwaway archive with the demo exhibit, served by gunicorn on loopback as in production."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = Path(os.environ.get("ARCHIVE_DEMO_DIR", PROJECT_ROOT / "records" / "demo"))


@contextmanager
def demo_archive(keep: bool = False) -> Iterator[tuple[Path, dict]]:
    """A fresh archive in a temporary folder, initialised with ``flask init``.

    Yields the folder and the environment that points a process at it; the folder is
    removed afterwards unless ``keep``.
    """
    root = Path(tempfile.mkdtemp(prefix="archive-bench-"))
    env = {
        **os.environ,
        "ARCHIVE_DATABASE": str(root / "archive.db"),
        "ARCHIVE_MEDIA_DIR": str(root / "media"),
        "ARCHIVE_INDEX_DIR": str(root / "search_index"),
        "ARCHIVE_INSTANCE_DIR": str(root / "instance"),
        "ARCHIVE_DEMO_DIR": str(DEMO_DIR),
        "ARCHIVE_SECRET_KEY": secrets.token_hex(32),
    }
    try:
        subprocess.run(
            [str(Path(sys.executable).with_name("flask")), "--app", "archive", "init"],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            timeout=15 * 60,
        )
        yield root, env
    finally:
        if keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(root: Path, env: dict, workers: int, threads: int) -> Iterator[tuple[str, int]]:
    """gunicorn serving ``wsgi:app`` on a free loopback port; yields its base URL and the
    master's process id.

    It runs in its own session so that Ctrl+C reaches only this process, whose exit
    stops gunicorn (gracefully, then by force).
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **env,
        "ARCHIVE_BASE_URL": base,
        "ARCHIVE_WEB_WORKERS": str(workers),
        "ARCHIVE_WEB_THREADS": str(threads),
    }
    log_path = root / "gunicorn.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:archive.gunicorn_conf",
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_live(base, process, log_path)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_live(base: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz/live", timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start:\n" + log_path.read_text(errors="replace"))


def pss_kb(pid: int) -> int:
    """A process's proportional set size in KiB (its share of pages it has in
    common with others counted once); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration, ValueError):
        return 0


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (from /proc's children lists of its threads)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found
