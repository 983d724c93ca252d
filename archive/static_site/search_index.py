"""Search in the edition: Pagefind's extended build (it segments Chinese) indexes
the exported profiles, whose hidden fields carry every pinyin reading and the
initials; and a small index of names, readings and facets as a script
(``search/data.js``), loaded by a script tag, for ``file://`` where Pagefind
cannot fetch its index (the kiosk on a USB stick)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

FALLBACK = "search/data.js"
FOLD = "search/fold.js"
BUNDLE = "pagefind"


def write_fallback(edition) -> set[str]:
    items = []
    for honoree_id, record in sorted(edition.records.items()):
        if f"honorees/{honoree_id}/index.html" not in edition.files:
            continue
        search = record["search"]
        items.append(
            {
                "id": honoree_id,
                "n": search["meta"]["name"],
                "w": " ".join(search["words"]).lower(),
                "u": search["meta"]["unit"],
                "h": search["meta"]["honour"],
                "f": search["filters"],
            }
        )
    body = (
        "window.EDITION_INDEX = "
        + json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        + ";\n"
    )
    edition.write_generated(FALLBACK, body.encode())
    return {FALLBACK}


def write_fold(edition) -> set[str]:
    """The live search's folding table (traditional → simplified, full-width →
    ASCII) as pairs of characters, for the search page to fold a query the same way."""
    from ..search import analysis

    pairs = "".join(chr(a) + chr(b) for a, b in sorted(analysis._FOLD.items()))
    body = "window.EDITION_FOLD = " + json.dumps(pairs, ensure_ascii=False) + ";\n"
    edition.write_generated(FOLD, body.encode())
    return {FOLD}


def build_pagefind(edition) -> set[str]:
    """Index the edition's profiles into a fresh folder, then bring ``pagefind/``
    up to date file by file (unchanged fragments are not rewritten)."""
    out: Path = edition.out
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".pagefind-") as tmp:
        command = [
            sys.executable,
            "-m",
            "pagefind",
            "--site",
            str(out),
            "--output-path",
            str(Path(tmp) / BUNDLE),
            "--keep-index-url",
            "--glob",
            "honorees/*/index.html",
            "--quiet",
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError("Pagefind 索引失败：" + (done.stderr or done.stdout)[-2000:])
        made = set()
        for file in sorted((Path(tmp) / BUNDLE).rglob("*")):
            if file.is_file():
                path = f"{BUNDLE}/{file.relative_to(Path(tmp) / BUNDLE).as_posix()}"
                edition.write_generated(path, file.read_bytes())
                made.add(path)
    return made
