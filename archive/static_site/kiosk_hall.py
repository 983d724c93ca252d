"""The hall in the kiosk edition, opened from ``file://`` (a USB stick): there an
image Pannellum fetches with CORS fails and one without CORS taints WebGL, and no
JSON can be fetched. The hall's settings are in its page already; its tiles go in
one script per room (``tiles.js``, loaded by a script tag, which ``file://``
allows) as ``data:`` URLs, which hall.js hands to Pannellum. No Flask here."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from .paths import relative

SCRIPT = "tiles.js"
# the first view's tiles, preloaded with CORS for the live hall: from file:// each fails
PRELOAD = re.compile(r'<link rel="preload" as="image" href="[^"]*tiles/[^"]*"[^>]*>\n?')


def tile_script(folder: Path, token: str) -> bytes:
    """``window.HALL_TILES[token]``: every tile of one room under its path in the room."""
    tiles = {
        file.relative_to(folder).as_posix(): "data:image/jpeg;base64,"
        + base64.b64encode(file.read_bytes()).decode()
        for file in sorted(folder.rglob("*.jpg"))
    }
    return (
        f"(window.HALL_TILES = window.HALL_TILES || {{}})[{json.dumps(token)}] = "
        + json.dumps(tiles, separators=(",", ":"))
        + ";\n"
    ).encode()


def with_scripts(page: str, source: str, scripts: list[str]) -> str:
    """The rooms' tile scripts, run (deferred, in order) before the hall's own, in
    place of the tiles' preloads."""
    tags = "".join(
        f'<script src="{relative(source, script)}" defer></script>' for script in scripts
    )
    return PRELOAD.sub("", page).replace("<script", tags + "<script", 1)
