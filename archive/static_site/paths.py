"""Where each address of the live site lives in the static edition, and how one
file links to another (always relative, so the edition works from ``file://``,
from any sub-path and from any static host). No Flask here."""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from archive.catalogue import browse

FILE_SUFFIX = re.compile(r"\.(css|js|png|svg|jpe?g|webp|mp4|mp3|m4a|xml|txt|csv|json|ico)$")
SAFE = re.compile(r"^[A-Za-z0-9_.-]+$")

# Pages of the live site that the edition holds (paths, query allowed or not).
PAGES = [
    (re.compile(r"^/$"), False),
    (re.compile(r"^/honorees$"), True),  # browse: at most one facet, see below
    (re.compile(r"^/honorees/\d+$"), True),  # ?ex=<exhibition>
    (re.compile(r"^/honorees/\d+/album$"), False),
    (re.compile(r"^/exhibitions$"), False),
    (re.compile(r"^/exhibitions/\d+$"), False),
    (re.compile(r"^/exhibitions/\d+/hall$"), False),
    (re.compile(r"^/exhibitions/\d+/album$"), False),
    (re.compile(r"^/honours/[^/]+$"), True),
    (re.compile(r"^/years/\d{4}$"), True),
    (re.compile(r"^/about$"), False),
]
FILES = [
    re.compile(r"^/static/[A-Za-z0-9_./-]+$"),
    re.compile(r"^/media/[0-9a-f]{16}-\d{1,4}\.(webp|jpeg)$"),
    re.compile(r"^/media/video/\d+\.mp4$"),
    re.compile(r"^/media/narration/\d+\.m4a$"),
    re.compile(r"^/honorees/\d+/(long|card)\.png$"),
    re.compile(r"^/qr/[A-Za-z0-9]+\.(svg|png)$"),
    re.compile(r"^/honorees/\d+/share\.png$"),
    re.compile(r"^/exhibitions/\d+/theme\.css$"),
    re.compile(r"^/style/emblem\.(png|jpe?g|svg)$"),
    re.compile(
        r"^/exhibitions/\d+/hall/tiles/[0-9a-f]{12}-r\d{1,4}/"
        r"(\d{1,2}/[fbudlr]\d{1,3}_\d{1,3}\.jpg|panorama\.jpg)$"
    ),
    re.compile(r"^/api/v1/honorees\.csv$"),
    re.compile(r"^/sitemap\.xml$"),
    re.compile(r"^/robots\.txt$"),
]
SEARCH_PAGE = "search/index.html"


class Target:
    """What an address of the live site becomes in the edition (never changed once
    made: :func:`classify` hands the same one out again)."""

    def __init__(
        self, kind: str, file: str | None = None, query: str = "", fetch: str | None = None
    ):
        self.kind = kind  # "page", "file", "search" (the static search page) or "gone"
        self.file = file  # path inside the edition
        self.query = query  # a query string kept on the link (search page only)
        self.fetch = fetch  # the address to render through the app


def _slug(query: list[tuple[str, str]]) -> str:
    """A file name for a query: readable when it is plain ASCII, else a hash."""
    text = "_".join(f"{k}-{v}" for k, v in query)
    if SAFE.match(text) and len(text) < 80:
        return text
    return "q-" + hashlib.sha1(urlencode(query).encode()).hexdigest()[:12]


def page_file(path: str, query: list[tuple[str, str]]) -> str:
    base = path.strip("/")
    folder = f"{base}/" if base else ""
    return folder + (f"{_slug(query)}.html" if query else "index.html")


@functools.lru_cache(maxsize=1 << 16)
def classify(url: str, base_url: str) -> Target:
    """Map an address found in a page to its place in the edition. Remembered: the
    lists' pages of an edition link the same facets, pages and pictures again
    and again (a quarter of a million links at 10,000 records)."""
    url = _without_base(url, base_url)
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return Target("outside")
    path = parts.path
    query = parse_qsl(parts.query, keep_blank_values=False)
    if path == "/q" or path.startswith("/q/"):
        return _short_code(path)
    if path == "/search":
        return Target("search", SEARCH_PAGE, urlencode(query))
    if path.startswith("/static/"):
        return Target("file", path.lstrip("/"), query=parts.query, fetch=path)
    if any(pattern.match(path) for pattern in FILES):
        return _file(path, query, url)
    for pattern, with_query in PAGES:
        if pattern.match(path):
            return _page(path, query if with_query else [])
    return Target("gone")


def _without_base(url: str, base_url: str) -> str:
    """An absolute address on the archive's own host, as a path from its root."""
    if base_url and url.startswith(base_url.rstrip("/") + "/"):
        return url[len(base_url.rstrip("/")) :]
    return url


def _short_code(path: str) -> Target:
    """``/q/<code>`` (and ``/q/<code>/<tag>``): the code's redirect page."""
    pieces = path.split("/")
    code = pieces[2] if len(pieces) > 2 else ""
    return Target("file", f"q/{code}/index.html") if SAFE.match(code) else Target("gone")


def _file(path: str, query: list[tuple[str, str]], url: str) -> Target:
    """A file served as is; a QR image with ``?size=`` gets its own file per size."""
    if query and path.startswith("/qr/"):
        size = dict(query).get("size", "")
        stem, ext = path.lstrip("/").rsplit(".", 1)
        return Target(
            "file",
            f"{stem}-{size}.{ext}" if size.isdigit() else path.lstrip("/"),
            fetch=url,
        )
    return Target("file", path.lstrip("/"), fetch=path)


def _page(path: str, query: list[tuple[str, str]]) -> Target:
    """A rendered page (its query already dropped when the page takes none)."""
    if path == "/honorees":
        return _browse(query)
    if path.startswith("/honorees/") and query:  # a profile keeps only ?ex=<exhibition>
        query = [(k, v) for k, v in query if k == "ex" and v.isdigit()]
    fetch = path + ("?" + urlencode(query) if query else "")
    return Target("page", page_file(path, query), fetch=fetch)


def _browse(query: list[tuple[str, str]]) -> Target:
    """Browse pages with at most one facet are files; a combination of facets
    goes to the static search page with those filters (Pagefind combines them)."""
    args = dict(query)
    facets = [(k, args[k]) for k in browse.FACETS if args.get(k)]
    if len(facets) > 1:
        keep = facets + ([("sort", args["sort"])] if args.get("sort") == "year" else [])
        return Target("search", SEARCH_PAGE, urlencode(keep))
    ordered = facets + [(k, args[k]) for k in ("sort", "page") if args.get(k)]
    if args.get("page") == "1":
        ordered = [(k, v) for k, v in ordered if k != "page"]
    if args.get("sort") == "pinyin":
        ordered = [(k, v) for k, v in ordered if k != "sort"]
    fetch = "/honorees" + ("?" + urlencode(ordered) if ordered else "")
    return Target("page", page_file("/honorees", ordered), fetch=fetch)


def relative(source_file: str, target_file: str, query: str = "", fragment: str = "") -> str:
    """The link from one file of the edition to another."""
    link = _relative(posixpath.dirname(source_file), target_file)
    if query:
        link += "?" + query
    if fragment:
        link += "#" + fragment
    return link


@functools.lru_cache(maxsize=1 << 16)
def _relative(folder: str, target_file: str) -> str:
    """``posixpath.relpath(target_file, folder)`` for paths inside the edition
    (relative, normalised), without its two calls for the working directory."""
    up = folder.split("/") if folder else []
    down = [part for part in target_file.split("/") if part and part != "."]
    common = 0
    while common < min(len(up), len(down)) and up[common] == down[common]:
        common += 1
    return "/".join([".."] * (len(up) - common) + down[common:]) or "."


def root_of(source_file: str) -> str:
    """The relative path from a file to the edition's root folder ("" at the root)."""
    depth = source_file.count("/")
    return "../" * depth
