"""One engine served as in production, for bench.engines: gunicorn with the
archive's own settings (three gevent workers, the app loaded before forking) on a
bench corpus, the background worker beside it, and visitors at a fixed rate.

While the visitors come (search pages of the bench's query mix, suggestions as a
name is typed, the profiles searched for, browse pages), records are edited one
by one and each is timed until a search finds it. When the visitors are done,
each gunicorn worker's proportional set size (PSS) is read: what a web worker
holding this index costs after the mix, its share of the pages it has in common
with the master and the other workers counted once.
"""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from archive import db as database

from . import search as common
from ._server import children, gunicorn, pss_kb
from .serving import latency_summary, replay

WORKERS = 3


def visits(sets: dict, rng: random.Random) -> Iterator[tuple[str, str]]:
    """An endless stream of (kind, path): a search of the mix, a name typed
    (two, four and six letters of a reading), the profile a search was for, a
    browse page."""
    mix = [q for queries in sets.values() for q in queries]
    readings = [text for text, _, _ in sets["pinyin"]]
    targets = [t for _, _, t in mix if t is not None]
    while True:
        text, filters, _ = rng.choice(mix)
        yield "search", "/search?" + urlencode({"q": text, **filters})
        reading = rng.choice(readings)
        for cut in (2, 4, 6):
            yield "suggest", "/search/suggest?" + urlencode({"q": reading[:cut]})
        yield "profile", f"/honorees/{rng.choice(targets)}"
        yield "browse", f"/honorees?page={rng.randint(1, 50)}"


def served(
    root: Path, engine: str, sets: dict, edits: int, rate: float = 100, seconds: float = 40
) -> dict:
    """Edit → searchable under ``rate`` visitor requests a second for
    ``seconds``, the visitors' latencies, and each web worker's PSS after."""
    index_dir = root / f"index-{engine}"
    env = common._env(root)
    env.update(ARCHIVE_INDEX_DIR=str(index_dir), ARCHIVE_SEARCH_ENGINE=engine)
    requests = list(itertools.islice(visits(sets, random.Random(7)), int(rate * seconds)))
    with gunicorn(root, env, workers=WORKERS, threads=8) as (base, master):
        pss_before = [pss_kb(p) for p in children(master)]
        log = open(root / f"worker-{engine}.log", "ab")
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "archive", "worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        db = database.connect(root / "archive.db")
        from archive import search

        def searchable(token):
            return bool(search.search(index_dir, f"“{token}”", limit=3, engine=engine))

        answer: dict = {}
        visitors = threading.Thread(
            target=lambda: answer.update(
                zip(("samples", "wall"), replay(base, requests, rate), strict=True)
            )
        )
        try:
            common._edit_and_wait(db, str(index_dir), 1, f"{engine}预热", found=searchable)
            visitors.start()
            time.sleep(2)  # the visitors under way
            latencies = [
                common._edit_and_wait(db, str(index_dir), 1 + k, f"{engine}载{k}", found=searchable)
                for k in range(edits)
            ]
            visitors.join()
            pss = [pss_kb(p) for p in children(master)]
        finally:
            worker.terminate()
            worker.wait(30)
            db.conn.close()
            if visitors.is_alive():
                visitors.join()
    samples = answer["samples"]
    return {
        "edit_s": common.percentiles(latencies),
        "worker_pss_kb": pss,
        "worker_pss_start_kb": pss_before,
        "visitors": latency_summary(samples),
        "searches": latency_summary([s for s in samples if s.kind == "search"]),
        "rate": len(samples) / answer["wall"],
    }
