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
from pathlib import Path

from flask import Flask, Response, current_app, g, request

from ..db import generation, get_db

CACHED_ENDPOINTS = {
    "public.home", "public.browse_honorees", "public.profile", "public.exhibition_list",
    "public.exhibition", "public.sitemap",
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
    when a newer generation is first written."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, key: tuple, current: int) -> Path:
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
        return self.folder / str(current) / digest

    def get(self, key: tuple, current: int) -> Entry | None:
        try:
            raw = self._path(key, current).read_bytes()
        except OSError:
            return None
        head, _, body = raw.partition(b"\n")
        status, headers = json.loads(head)
        return Entry(current, status, body, [tuple(h) for h in headers])

    def put(self, key: tuple, entry: Entry) -> None:
        path = self._path(key, entry.generation)
        try:
            if not path.parent.is_dir():
                path.parent.mkdir(parents=True, exist_ok=True)
                self._remove_older(entry.generation)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
            head = json.dumps([entry.status, entry.headers]).encode()
            tmp.write_bytes(head + b"\n" + entry.body)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot write only costs a render

    def _remove_older(self, current: int) -> None:
        for child in self.folder.iterdir():
            if child.name.isdigit() and int(child.name) < current:
                shutil.rmtree(child, ignore_errors=True)


def _encoding() -> str:
    accepted = request.headers.get("Accept-Encoding", "")
    return "br" if "br" in accepted else "gzip" if "gzip" in accepted else ""


def _key() -> tuple | None:
    if (request.method != "GET" or request.endpoint not in CACHED_ENDPOINTS
            or request.cookies or len(request.full_path) > MAX_KEY_LENGTH):
        return None
    return (request.full_path, _encoding())


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
    if (key is None or g.get("page_cache_hit") or response.status_code != 200
            or response.direct_passthrough or "Set-Cookie" in response.headers):
        return response
    entry = Entry(g.page_generation, response.status_code, response.get_data(),
                  [(k, v) for k, v in response.headers.items() if k != "Content-Length"])
    memory, shared = current_app.extensions["page_cache"]
    memory.put(key, entry)
    shared.put(key, entry)
    return response


def init_app(app: Flask) -> None:
    """Register before compression so that pages are stored compressed
    (after_request functions run in reverse order of registration)."""
    app.extensions["page_cache"] = (
        PageCache(app.config.get("PAGE_CACHE_SIZE", MAX_ENTRIES)),
        SharedPages(Path(app.instance_path) / "page_cache"),
    )
    app.before_request(_serve_from_cache)
    app.after_request(_store)
