"""Search in the edition: Pagefind's extended build (it segments Chinese) indexes
the exported profiles, whose hidden fields carry every pinyin reading and the
initials; and a small index of names, readings and facets as a script
(``search/data.js``), loaded by a script tag, for ``file://`` where Pagefind
cannot fetch its index (the kiosk on a USB stick)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

FALLBACK = "search/data.js"
FOLD = "search/fold.js"
BUNDLE = "pagefind"


class IndexingFailed(RuntimeError):
    """Pagefind stopped with an error (its last output in the message)."""


def fallback_item(honoree_id: int, search: dict) -> str:
    """A record's entry in the fallback index (JSON), from its search fields."""
    item = {
        "id": honoree_id,
        "n": search["meta"]["name"],
        "w": " ".join(search["words"]).lower(),
        "u": search["meta"]["unit"],
        "h": search["meta"]["honour"],
        "i": search["meta"].get("portrait", ""),
        "f": search["filters"],
    }
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"))


def write_fallback(edition) -> None:
    """Every exported profile's entry, kept in the manifest with its record."""
    body = "window.EDITION_INDEX = [" + ",".join(edition.manifest.fallback_items()) + "];\n"
    edition.write_generated(FALLBACK, body.encode())


def write_fold(edition) -> None:
    """The live search's folding table (traditional → simplified, full-width →
    ASCII) as pairs of characters, for the search page to fold a query the same way."""
    from ..search import analysis

    pairs = "".join(chr(a) + chr(b) for a, b in sorted(analysis._FOLD.items()))
    body = "window.EDITION_FOLD = " + json.dumps(pairs, ensure_ascii=False) + ";\n"
    edition.write_generated(FOLD, body.encode())


# Pagefind cannot update an index, so the profiles' index is cut into shards by
# record id, each a whole Pagefind bundle (``pagefind/s<k>/``), merged by the search
# page (Pagefind's ``mergeIndex``): an incremental run re-indexes only the shards of
# the profiles it redrew or removed. A full run sizes the shards for at most
# MAX_SHARDS (of at least MIN_SHARD ids each); later runs keep that size.
MIN_SHARD = 500
MAX_SHARDS = 24
SHARDS = "search/shards.js"


def shard_size(ids) -> int:
    return max(MIN_SHARD, -(-(max(ids, default=0) + 1) // MAX_SHARDS))


def shard_of(honoree_id: int, size: int) -> int:
    return honoree_id // size


def index_shards(out: Path, shards: dict[int, list[int]], tmp: Path) -> dict[int, Path | None]:
    """Index each shard's exported profiles (files of ``out``) into a bundle of its
    own in ``tmp``, two Pagefind runs at a time; shard → its bundle, None for a
    shard with no profile left. Touches nothing of the edition, so it can run
    while the exporter writes the rest."""
    bundles: dict[int, Path | None] = {}
    runs = []
    for shard, ids in sorted(shards.items()):
        site = tmp / f"site-{shard}"
        pages = [f"honorees/{i}/index.html" for i in ids]
        pages = [p for p in pages if (out / p).is_file()]
        bundles[shard] = None
        if pages:
            for page in pages:
                (site / page).parent.mkdir(parents=True, exist_ok=True)
                os.link(out / page, site / page)
            runs.append((shard, site, tmp / f"bundle-{shard}"))
    for batch in range(0, len(runs), 2):
        started = [
            (shard, bundle, subprocess.Popen(_command(site, bundle), **_QUIET))
            for shard, site, bundle in runs[batch : batch + 2]
        ]
        for shard, bundle, process in started:
            output, _ = process.communicate()
            if process.returncode != 0:
                raise IndexingFailed("静态检索索引失败（Pagefind）：" + output[-2000:])
            bundles[shard] = bundle
    return bundles


def store_shards(edition, bundles: dict[int, Path | None]) -> dict[int, set[str]]:
    """The bundles' files into the edition (``pagefind/s<k>/``); shard → its files."""
    made: dict[int, set[str]] = {}
    for shard, bundle in sorted(bundles.items()):
        made[shard] = set()
        if bundle is None:
            continue
        for file in sorted(bundle.rglob("*")):
            if file.is_file():
                path = f"{BUNDLE}/s{shard}/{file.relative_to(bundle).as_posix()}"
                edition.write_generated(path, file.read_bytes())
                made[shard].add(path)
    return made


_QUIET = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}


def _command(site: Path, bundle: Path) -> list[str]:
    """Pagefind's extended binary itself (its Python wrapper costs a start of
    Python per shard: 70 ms of the 210 ms an empty run takes)."""
    from pagefind_bin_extended import get_executable

    return [
        str(get_executable()),
        "--site",
        str(site),
        "--output-path",
        str(bundle),
        "--keep-index-url",
        "--glob",
        "honorees/*/index.html",
        "--quiet",
    ]


def write_shard_list(edition, shards: list[int]) -> None:
    """The shards the search page loads (the first's script, the others merged)."""
    body = "window.EDITION_SHARDS = " + json.dumps([f"s{k}" for k in sorted(shards)]) + ";\n"
    edition.write_generated(SHARDS, body.encode())
