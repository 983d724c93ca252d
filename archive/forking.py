"""Forking helper processes safely.

A child forked while another thread of the parent holds a lock waits on that lock for
ever: Python's (logging, a dictionary's), SQLite's or a native library's (tantivy keeps
a pool of its own threads for every index it opens, which the child inherits without
the threads that would release them). Pools of forked workers therefore start only from
a process with one thread, counted by the operating system (``threading`` sees only
Python's threads)."""

from __future__ import annotations

import os
import threading


def threads() -> int:
    """Threads of this process, native ones included."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # not Linux: Python's own count
        return threading.active_count()


def safe() -> bool:
    """Whether this process may fork helpers: it runs one thread."""
    return threads() == 1
