"""Rendered public pages, compressed as they were sent, reused until anything
visible changes.

A page is served from the cache while the archive's content generation (a number
every visible change increments, in the same transaction as the change) is the one
it was rendered under. Two levels: each process keeps recent pages in memory, and all
gunicorn workers share rendered pages as files under ``instance/page_cache/<generation>/``,
so a page is rendered once per change, not once per worker. Only anonymous GETs of the
listed endpoints are cached, per path-with-query and per content encoding.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, g, request

from ..db import generation, get_db

CACHED_ENDPOINTS = {
    "public.home",
    "public.browse_honorees",
    "public.profile",
    "public.exhibition_list",
    "public.exhibition",
    "public.sitemap",
}
MAX_ENTRIES = 3000
MAX_KEY_LENGTH = 600


@dataclass(frozen=True)
class Entry:
    generation: int
    status: int
    body: bytes
    headers: list[tuple[str, str]]


class PageCache:
    def __init__(self, size: int = MAX_ENTRIES):
        self.size = size
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, current: int) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry.generation != current:
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


class SharedPages:
    """Pages as files, one folder per content generation; older folders are removed
    when a newer generation is first written. The folder is held to ``max_bytes``:
    a read marks a page used (its modification time), and when the pages written
    since the last look could have passed the limit, the least recently used are
    removed down to 90% of it. Every process keeps to it on its own, so the folder
    is never more than the limit plus a twentieth per process."""

    def __init__(self, folder: Path, max_bytes: int = 64 << 20):
        self.folder = folder
        self.max_bytes = max_bytes
        self.written = 0  # bytes this process wrote since it last measured
        self.lock = threading.Lock()

    def _path(self, key: tuple, current: int) -> Path:
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
        return self.folder / str(current) / digest

    def get(self, key: tuple, current: int) -> Entry | None:
        path = self._path(key, current)
        try:
            raw = path.read_bytes()
            os.utime(path)  # recently used
        except OSError:
            return None
        head, _, body = raw.partition(b"\n")
        status, headers = json.loads(head)
        return Entry(current, status, body, [tuple(h) for h in headers])

    def put(self, key: tuple, entry: Entry) -> None:
        path = self._path(key, entry.generation)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        head = json.dumps([entry.status, entry.headers]).encode()
        try:
            if not path.parent.is_dir():
                path.parent.mkdir(parents=True, exist_ok=True)
                self._remove_older(entry.generation)
            tmp.write_bytes(head + b"\n" + entry.body)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)  # a cache that cannot write only costs a render
            return
        with self.lock:
            self.written += len(head) + len(entry.body) + 1
            due = self.written >= self.max_bytes // 20
            if due:
                self.written = 0
        if due:
            self.evict()

    def evict(self) -> None:
        """Remove the least recently used pages until the folder is under 90% of
        its limit (if it is over the limit)."""
        pages = []
        total = 0
        for folder in self.folder.iterdir() if self.folder.is_dir() else ():
            if not folder.is_dir():
                continue
            for item in os.scandir(folder):
                try:
                    stat = item.stat()
                except OSError:
                    continue
                pages.append((stat.st_mtime, stat.st_size, item.path))
                total += stat.st_size
        if total <= self.max_bytes:
            return
        pages.sort()
        for _, size, path in pages:
            if total <= self.max_bytes * 0.9:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size

    def _remove_older(self, current: int) -> None:
        for child in self.folder.iterdir():
            if child.name.isdigit() and int(child.name) < current:
                shutil.rmtree(child, ignore_errors=True)


def _encoding() -> str:
    accepted = request.headers.get("Accept-Encoding", "")
    return "br" if "br" in accepted else "gzip" if "gzip" in accepted else ""


@lru_cache(maxsize=4)
def code_version(package: Path | None = None) -> str:
    """A digest of the code that renders pages (every module, template and static
    file of the package, by name, size and modification time): pages rendered by
    an earlier deployment are never served by a later one."""
    package = package or Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if (
            path.suffix in (".py", ".html", ".css", ".js", ".svg", ".txt")
            and "__pycache__" not in path.parts
        ):
            stat = path.stat()
            digest.update(
                f"{path.relative_to(package)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()
            )
    return digest.hexdigest()[:16]


def _key() -> tuple | None:
    if (
        request.method != "GET"
        or request.endpoint not in CACHED_ENDPOINTS
        or request.cookies
        or len(request.full_path) > MAX_KEY_LENGTH
    ):
        return None
    from .language import current

    return (current_app.extensions["page_cache_code"], current(), request.full_path, _encoding())


def _serve_from_cache():
    key = _key()
    if key is None:
        return None
    g.page_cache_key = key
    g.page_generation = generation(get_db())
    memory, shared = current_app.extensions["page_cache"]
    entry = memory.get(key, g.page_generation)
    if entry is None:
        entry = shared.get(key, g.page_generation)
        if entry is None:
            return None
        memory.put(key, entry)
    g.page_cache_hit = True
    return Response(entry.body, status=entry.status, headers=entry.headers)


def _store(response: Response) -> Response:
    key = g.get("page_cache_key")
    if (
        key is None
        or g.get("page_cache_hit")
        or response.status_code != 200
        or response.direct_passthrough
        or "Set-Cookie" in response.headers
    ):
        return response
    entry = Entry(
        g.page_generation,
        response.status_code,
        response.get_data(),
        [(k, v) for k, v in response.headers.items() if k != "Content-Length"],
    )
    memory, shared = current_app.extensions["page_cache"]
    memory.put(key, entry)
    shared.put(key, entry)
    return response


def init_app(app: Flask) -> None:
    """Register before compression so that pages are stored compressed
    (after_request functions run in reverse order of registration)."""
    app.extensions["page_cache"] = (
        PageCache(app.config.get("PAGE_CACHE_SIZE", MAX_ENTRIES)),
        SharedPages(
            Path(app.instance_path) / "page_cache",
            int(float(app.config["PAGE_CACHE_DISK_MB"]) * (1 << 20)),
        ),
    )
    app.extensions["page_cache_code"] = code_version()
    app.before_request(_serve_from_cache)
    app.after_request(_store)
