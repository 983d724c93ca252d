"""Reading an exported edition: its links, its visible text, a static server."""

from __future__ import annotations

import functools
import html
import http.server
import posixpath
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

LINK = re.compile(r'\s(href|src|action|poster|content)="([^"]*)"')
SRCSET = re.compile(r'\ssrcset="([^"]*)"')
SKIP = {"script", "style", "head", "template", "noscript"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


def links(page: Path, root: Path) -> list[tuple[str, str]]:
    """(address as written, the file it names inside ``root``) for every local link."""
    text = page.read_text(encoding="utf-8")
    found = []
    values = [(n, html.unescape(v)) for n, v in LINK.findall(text)]
    for srcset in SRCSET.findall(text):
        values += [
            ("srcset", part.strip().split(" ")[0]) for part in html.unescape(srcset).split(",")
        ]
    for name, value in values:
        if name == "content" and not value.startswith(("../", "index.html")) and "/" not in value:
            continue
        if name == "content" and " " in value:
            continue
        if not value or value.startswith(("#", "data:", "mailto:")):
            continue
        found.append((value, value))
    here = page.relative_to(root).parent.as_posix()
    result = []
    for written, value in found:
        path = value.split("#", 1)[0].split("?", 1)[0]
        if re.match(r"^[a-z]+:", path) or not path:
            result.append((written, path))
            continue
        result.append((written, posixpath.normpath(posixpath.join(here, path))))
    return result


class VisibleText(HTMLParser):
    """The text a visitor sees: no head, scripts, styles or hidden elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if self.skipping or tag in SKIP or "hidden" in dict(attrs):
            self.skipping.append(tag)

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    parser = VisibleText()
    parser.feed(markup)
    return " ".join(" ".join(parser.parts).split())


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(root: Path):
    """A plain static server for ``root`` in a thread: (base url, stop)."""
    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}", stop
