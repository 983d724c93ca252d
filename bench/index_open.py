"""What checking an index's checksums costs when a process opens a generation.

    .venv/bin/python -m bench.index_open [--size 10000] [--repeat 15] [--engines whoosh,tantivy]

For each engine: a real index of ``--size`` profiles (the corpus of bench.search),
then opened ``--repeat`` times each way, alternating: the engine's own open of a
searcher (what a process did before), and the same open after checking every
file against the generation's manifest (archive.search.integrity: what a process
does now). The files are in the page cache both ways (a generation just written,
or read by the other process). Reported: the median of each, the ratio with/without
and the index's size. Results go to ``bench/results/index_open-<date>.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from archive import db as database
from archive import migrations, search
from archive.search import integrity

from .search import corpus, demo_pool, load

RESULTS = Path(__file__).parent / "results"


def _open_time(engine: str, folder: Path, checked: bool) -> float:
    module = importlib.import_module(f"archive.search.{engine}.engine")
    started = time.perf_counter()
    if checked:
        assert integrity.damaged(folder) == []
    live = module._Live(folder)
    elapsed = time.perf_counter() - started
    if hasattr(live, "close"):
        live.close()
    return elapsed


def measure(engine: str, db, root: Path, repeat: int) -> dict:
    folder = search.rebuild(db, root / f"index-{engine}", engine=engine)
    _open_time(engine, folder, True)  # warm: the files in the page cache
    plain, checked = [], []
    for _ in range(repeat):
        plain.append(_open_time(engine, folder, False))
        checked.append(_open_time(engine, folder, True))
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    without, with_check = statistics.median(plain), statistics.median(checked)
    return {
        "engine": engine,
        "index_mb": round(size / 2**20, 1),
        "open_ms": round(without * 1000, 1),
        "open_checked_ms": round(with_check * 1000, 1),
        "ratio": round(with_check / without, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--engines", default="whoosh,tantivy")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-index-open-") as tmp:
        root = Path(tmp)
        db = database.connect(root / "archive.db")
        migrations.apply(db)
        load(db, corpus(demo_pool(root), args.size, random.Random(args.size)))
        runs = [measure(e, db, root, args.repeat) for e in args.engines.split(",")]
        db.conn.close()
    date = time.strftime("%Y-%m-%d")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"index_open-{date}.json").write_text(
        json.dumps({"size": args.size, "runs": runs}, indent=1), encoding="utf-8"
    )
    print(f"| engine | index | open | open + checksums | ratio |  ({args.size} profiles)")
    print("| --- | --- | --- | --- | --- |")
    for r in runs:
        print(
            f"| {r['engine']} | {r['index_mb']} MB | {r['open_ms']} ms | "
            f"{r['open_checked_ms']} ms | {r['ratio']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
