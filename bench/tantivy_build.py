"""tantivy's rebuild with its analysis in forked processes against the same rebuild
analysed in one process, on the same corpus in the same run (bench.search's: profiles
recombined from the demo generator's records, stories of 200–2,000 characters).

    .venv/bin/python -m bench.tantivy_build [--size 10000] [--procs 2]

Each rebuild runs in a process of its own; the two indexes must answer a set of
queries identically (the same ids in the same order), or the run says so and fails.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from archive import db as database
from archive import migrations

from . import search as common

QUERIES = ["张", "全国劳动模范", "技术 2021", "zhang", "zw", "杭州", "“问题就是课题”", "焊接"]

BUILD = """
import json, sys, time
from archive import db as database
from archive import search
from archive.search.tantivy import engine
engine.PARALLEL_FROM = int(sys.argv[3])
engine.ANALYSIS_PROCS = int(sys.argv[4])
db = database.connect(sys.argv[1])
started = time.monotonic()
search.rebuild(db, sys.argv[2], engine="tantivy")
seconds = time.monotonic() - started
answers = {q: search.search(sys.argv[2], q, engine="tantivy") for q in json.loads(sys.argv[5])}
print(json.dumps({"seconds": seconds, "answers": answers}, ensure_ascii=False))
"""


def _build(db_path: Path, index_dir: Path, parallel_from: int, procs: int) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            BUILD,
            str(db_path),
            str(index_dir),
            str(parallel_from),
            str(procs),
            json.dumps(QUERIES, ensure_ascii=False),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--procs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tantivy-") as tmp:
        root = Path(tmp)
        db_path = root / "archive.db"
        db = database.connect(db_path)
        migrations.apply(db)
        common.load(db, common.corpus(common.demo_pool(root), args.size, random.Random(7)))
        db.conn.close()
        one = _build(db_path, root / "one", 10**9, 1)
        forked = _build(db_path, root / "forked", 1, args.procs)
    same = one["answers"] == forked["answers"]
    print(
        f"tantivy rebuild of {args.size:,} profiles, {datetime.now(UTC):%Y-%m-%d}: "
        f"analysed in one process {one['seconds']:.1f} s, in {args.procs} forked processes "
        f"{forked['seconds']:.1f} s: {one['seconds'] / forked['seconds']:.2f}× "
        f"({'the same answers' if same else 'DIFFERENT ANSWERS'} to {len(QUERIES)} queries)"
    )
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
