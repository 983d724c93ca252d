"""Keeping the archive's processes running: ``serve`` starts gunicorn and the
background worker and restarts whichever dies, with a growing pause between
restarts of a process that keeps dying, so a crash loop costs little.

Each process is watched on its own: while the worker is down (or restarting) the
web process goes on serving pages, and the other way round. The supervisor itself
is kept running by systemd (``deploy/archive.service``).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("archive.supervisor")

FIRST_PAUSE = 0.5  # seconds before the first restart of a process that died
LONGEST_PAUSE = 30.0  # the pause doubles per quick death, up to this
HEALTHY_AFTER = 60.0  # a process that ran this long is healthy: its pause starts over
STOP_GRACE = 20.0  # seconds a process has to stop after SIGTERM before SIGKILL


@dataclass
class Child:
    """One supervised process."""

    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started: float = 0.0
    pause: float = FIRST_PAUSE
    restart_at: float | None = None
    restarts: int = 0


@dataclass
class Supervisor:
    children: list[Child]
    cwd: str
    env: dict
    state_file: Path | None = None
    say: Callable[[str], None] = print
    stopping: bool = field(default=False, init=False)

    def start(self, child: Child) -> None:
        # Each child leads a process group of its own, so that what it leaves behind
        # when it dies (gunicorn's workers, a reindex's helpers) can be stopped with it.
        child.process = subprocess.Popen(
            child.argv, cwd=self.cwd, env=self.env, start_new_session=True
        )
        child.started = time.monotonic()
        child.restart_at = None
        self._write_state()

    def _write_state(self) -> None:
        """The children's process ids, for operators (and tests) to find them."""
        if self.state_file is None:
            return
        state = {
            c.name: {
                "pid": c.process.pid if c.process and c.process.poll() is None else None,
                "restarts": c.restarts,
            }
            for c in self.children
        }
        state["serve"] = {"pid": os.getpid(), "restarts": 0}
        tmp = self.state_file.with_name(f".{self.state_file.name}.{os.getpid()}.tmp")
        try:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(state), encoding="utf-8")
            os.replace(tmp, self.state_file)
        except OSError:
            tmp.unlink(missing_ok=True)

    def step(self) -> None:
        """Notice dead children and restart those whose pause is over."""
        clock = time.monotonic()
        for child in self.children:
            if (
                child.process is not None
                and child.restart_at is None
                and child.process.poll() is not None
            ):
                ran = clock - child.started
                child.pause = (
                    FIRST_PAUSE
                    if ran >= HEALTHY_AFTER
                    else min(LONGEST_PAUSE, child.pause * 2 if child.restarts else child.pause)
                )
                child.restart_at = clock + child.pause
                _signal_group(child.process.pid, signal.SIGTERM)  # orphans finish, then go
                self.say(
                    f"{child.name} 已退出（返回码 {child.process.returncode}），"
                    f"{child.pause:.1f} 秒后重启"
                )
                self._write_state()
            if child.restart_at is not None and clock >= child.restart_at:
                _signal_group(child.process.pid, signal.SIGKILL)  # e.g. holding the port
                child.restarts += 1
                self.start(child)
                self.say(f"{child.name} 已重启（进程 {child.process.pid}，第 {child.restarts} 次）")

    def run(self, poll: float = 0.2) -> None:
        for child in self.children:
            self.start(child)

        def stop(signum=None, frame=None):
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not self.stopping:
                self.step()
                time.sleep(poll)
        finally:
            self.stop()

    def stop(self) -> None:
        for child in self.children:
            if child.process is not None:
                _signal_group(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
            _signal_group(child.process.pid, signal.SIGKILL)
        if self.state_file is not None:
            self.state_file.unlink(missing_ok=True)


def _signal_group(pgid: int, signum: int) -> None:
    """Signal every process left in a child's group (none left is fine)."""
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass
