"""Rendered public pages kept in each web process, compressed as they were sent.

A page is served from the cache while the archive's content generation (a number
every visible change increments, in the same transaction as the change) is the one
it was rendered under. Only anonymous GETs of the listed endpoints are cached, per
path-with-query and per content encoding.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

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
    entry = current_app.extensions["page_cache"].get(key, g.page_generation)
    if entry is None:
        return None
    g.page_cache_hit = True
    return Response(entry.body, status=entry.status, headers=entry.headers)


def _store(response: Response) -> Response:
    key = g.get("page_cache_key")
    if (key is None or g.get("page_cache_hit") or response.status_code != 200
            or response.direct_passthrough or "Set-Cookie" in response.headers):
        return response
    entry = Entry(g.page_generation, response.status_code, response.get_data(),
                  [(k, v) for k, v in response.headers.items() if k != "Content-Length"])
    current_app.extensions["page_cache"].put(key, entry)
    return response


def init_app(app: Flask) -> None:
    """Register before compression so that pages are stored compressed
    (after_request functions run in reverse order of registration)."""
    app.extensions["page_cache"] = PageCache(app.config.get("PAGE_CACHE_SIZE", MAX_ENTRIES))
    app.before_request(_serve_from_cache)
    app.after_request(_store)
