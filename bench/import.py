"""Importing a 10,000-row XLSX into a live archive.

    .venv/bin/python -m bench.import [--rows 10000] [--rate 10] [--keep]

Sets up a throwaway archive with the demo exhibit, serves it with gunicorn, and while a
fixed-rate load of visitors (profiles, browse pages, the health check; open loop, so a
slow server cannot slow the generator) runs against it:

1. writes a realistic 10,000-row XLSX (two honours in some cells, Excel date cells,
   a personal-data column, a merged title row);
2. imports it as ``flask import`` does: ``importer.plan`` (read + validate every row,
   nothing written) then ``importer.commit`` (one write transaction);
3. makes it searchable the way this branch can: a full ``search.rebuild`` (what
   ``reindex`` does; the outbox-draining incremental indexer is another branch's),
   then checks that 200 random imported names are found.

Baseline in the same run: the same 10,000 records written with the bare
``honorees.create`` loop (what the demo loader does: no reading, no validation, no
matching) into a copy of the archive taken before the import. The ratio says what
reading and validating costs on top of the writes themselves.
Goals: validated and committed in ≤ 20 s; every row searchable within 90 s; the public
site answering throughout (no failed request, p95 reported per phase).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl

from archive import backup, honorees, importer, search
from archive import db as database
from archive.db import write
from archive.demo.namepool import GIVEN_BY_DECADE, SURNAMES
from archive.demo.regions import CITIES

from ._server import demo_archive, gunicorn

GOALS = {"commit_s": 20.0, "searchable_s": 90.0}
INDUSTRIES = ("制造业", "交通运输", "电力", "建筑业", "教育", "卫生", "金融", "农业", "信息技术")
PAIRS = [("全国劳动模范", "national"), ("省劳动模范", "provincial"),
         ("省五一劳动奖章", "provincial"), ("市劳动模范", "municipal"),
         ("全国五一劳动奖章", "national"), ("省工匠", "provincial")]


def write_sheet(path: Path, rows: int, seed: int = 6) -> list[tuple[str, str]]:
    """A realistic XLSX of ``rows`` individuals; returns their (name, unit) pairs.
    Names repeat (as real ones do); the unit makes every row a different person."""
    rng = random.Random(seed)
    surnames = [s for s, w in SURNAMES for _ in range(w)]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    headers = ["序号", "姓名", "性别", "民族", "出生年月", "身份证号", "工作单位及职务", "地区",
               "行业", "荣誉称号", "授予年份", "授予机关", "主要事迹"]
    sheet.append(["2022年度荣誉人物汇总表"] + [None] * (len(headers) - 1))
    sheet.append(headers)
    names = []
    for i in range(1, rows + 1):
        decade = rng.choice(sorted(GIVEN_BY_DECADE))
        gender = rng.choice(["男", "女"])
        name = rng.choice(surnames) + rng.choice(GIVEN_BY_DECADE[decade][gender])
        city = rng.choice(CITIES)
        unit = f"{city['short']}第{i}机械厂 {rng.choice(['技师', '班长'])}"
        names.append((name, unit))
        county = rng.choice(city["counties"])[0]
        picks = rng.sample(PAIRS, rng.choice([1, 1, 2]))
        years = [str(rng.randint(2005, 2022)) for _ in picks]
        sheet.append([
            i, name, gender, "汉族", dt.datetime(decade + rng.randint(0, 9), rng.randint(1, 12), 1),
            "330100199001010000", unit,
            f"{city['name']}{county}", rng.choice(INDUSTRIES), "、".join(t for t, _ in picks),
            "、".join(years), "浙江省总工会",
            f"扎根一线{rng.randint(5, 35)}年，累计完成技术革新{rng.randint(1, 60)}项"])
    book.save(path)
    return names


class Load:
    """Open-loop GETs at a fixed rate; each result tagged with the phase it fell in."""

    def __init__(self, base: str, paths: list[str], rate: float):
        self.base, self.paths, self.rate = urlsplit(base), paths, rate
        self.phase = "before"
        self.results: list[tuple[str, float, bool]] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _one(self, path: str, due: float, phase: str) -> None:
        ok = False
        try:
            conn = http.client.HTTPConnection(self.base.hostname, self.base.port, timeout=10)
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            finally:
                conn.close()
        except OSError:
            pass
        self.results.append((phase, time.monotonic() - due, ok))

    def _run(self) -> None:
        start = time.monotonic()
        for n in range(10**9):
            due = start + n / self.rate
            if self._stop.wait(max(0.0, due - time.monotonic())):
                return
            thread = threading.Thread(target=self._one,
                                      args=(self.paths[n % len(self.paths)], due, self.phase))
            thread.start()
            self._threads.append(thread)

    def __enter__(self):
        self._main = threading.Thread(target=self._run)
        self._main.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._main.join()
        for thread in self._threads:
            thread.join(15)

    def summary(self) -> dict:
        out = {}
        for phase in dict.fromkeys(p for p, _, _ in self.results):
            times = sorted(t for p, t, _ in self.results if p == phase)
            failed = sum(1 for p, _, ok in self.results if p == phase and not ok)
            out[phase] = {"requests": len(times), "failed": failed,
                          "p50_ms": round(1000 * statistics.median(times)),
                          "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))]),
                          "max_ms": round(1000 * times[-1])}
        return out


def baseline(db_path: Path, sheet: Path) -> float:
    """Seconds for the bare create loop over the same records (no validation)."""
    db = database.connect(db_path)
    plan = importer.plan(db, sheet)  # only to get the records; not timed
    records = [(dict(r.record, status="published"), r.honours) for r in plan.rows]
    assert len(records) == len(plan.rows) and not plan.errors
    started = time.monotonic()
    with write(db):
        for record, honours in records:
            honorees.create(db, record, honours)
    took = time.monotonic() - started
    db.conn.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=10.0, help="visitor requests per second")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    with demo_archive(keep=args.keep) as (root, env), gunicorn(root, env, 2, 8) as (base, _):
        db_path = Path(env["ARCHIVE_DATABASE"])
        db = database.connect(db_path)
        ids = [r[0] for r in db.execute(
            "SELECT id FROM honorees WHERE status = 'published' ORDER BY id LIMIT 200")]
        paths = [p for i in ids for p in (f"/honorees/{i}", "/healthz/live")] + [
            "/honorees?level=national", "/honorees?page=3", "/"]
        random.Random(1).shuffle(paths)
        sheet = root / "import-10k.xlsx"
        started = time.monotonic()
        names = write_sheet(sheet, args.rows)
        print(f"wrote {sheet.name}: {args.rows} rows, {sheet.stat().st_size // 1024} KiB "
              f"in {time.monotonic() - started:.1f} s", flush=True)
        backup.copy_database(db_path, root / "baseline.db")

        with Load(base, paths, args.rate) as load:
            time.sleep(5)
            load.phase = "validate"
            t0, c0 = time.monotonic(), time.process_time()
            # names already in the demo are "likely duplicates": a curator would decide;
            # here they are other people, so create
            plan = importer.plan(db, sheet, default_status="published", policy="create")
            t1, c1 = time.monotonic(), time.process_time()
            assert plan.ok, plan.report()["errors"][:5]
            load.phase = "commit"
            in_txn: dict[str, float] = {}

            def on_row(n: int, total: int) -> None:
                in_txn.setdefault("first", time.monotonic())
                in_txn["last"] = time.monotonic()

            done = importer.commit(db, plan, env["ARCHIVE_MEDIA_DIR"], on_row=on_row)
            t2, c2 = time.monotonic(), time.process_time()
            load.phase = "reindex"
            search.rebuild(db, env["ARCHIVE_INDEX_DIR"])
            missing = []
            for name, unit in random.Random(3).sample(names, 200):
                wanted = db.execute("SELECT id FROM honorees WHERE name = ? AND unit = ?",
                                    [name, unit]).fetchone()[0]
                if wanted not in (search.search(env["ARCHIVE_INDEX_DIR"], name, limit=2000)
                                  or []):
                    missing.append(name)
            t3 = time.monotonic()
            load.phase = "after"
            time.sleep(5)
        db.conn.close()
        base_s = baseline(root / "baseline.db", sheet)

    result = {
        "date": dt.date.today().isoformat(), "rows": args.rows, "created": done["create"],
        "validate_s": round(t1 - t0, 2), "commit_s": round(t2 - t1, 2),
        "validate_cpu_s": round(c1 - c0, 2), "commit_cpu_s": round(c2 - c1, 2),
        "transaction_s": round(in_txn.get("last", t2) - in_txn.get("first", t1), 2),
        "validated_and_committed_s": round(t2 - t0, 2),
        "reindex_s": round(t3 - t2, 2), "searchable_s": round(t3 - t0, 2),
        "sample_found": 200 - len(missing),
        "baseline_create_loop_s": round(base_s, 2),
        "ratio_import_to_baseline": round((t2 - t0) / base_s, 2),
        "load": load.summary(), "rate": args.rate,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    ok = lambda good: "✅" if good else "❌"  # noqa: E731
    failed = sum(p["failed"] for p in result["load"].values())
    print(f"""
## import

`.venv/bin/python -m bench.import` ({result['date']}, {args.rows} rows, 2-core shared machine)

| measure | result | goal |
| --- | --- | --- |
| read + validate every row (`plan`, nothing written) | {result['validate_s']} s (CPU {result['validate_cpu_s']} s) | |
| commit (one transaction; of which inside the transaction {result['transaction_s']} s) | {result['commit_s']} s (CPU {result['commit_cpu_s']} s) | |
| validated and committed | {result['validated_and_committed_s']} s | ≤ {GOALS['commit_s']:.0f} s {ok(result['validated_and_committed_s'] <= GOALS['commit_s'])} |
| full `reindex` after the commit | {result['reindex_s']} s | |
| start → every row searchable (200 random names found: {result['sample_found']}/200) | {result['searchable_s']} s | ≤ {GOALS['searchable_s']:.0f} s {ok(result['searchable_s'] <= GOALS['searchable_s'] and not missing)} |
| baseline: bare `honorees.create` loop, same records | {result['baseline_create_loop_s']} s | |
| ratio import (validate + commit) / baseline | {result['ratio_import_to_baseline']} | |
| failed visitor requests ({args.rate:g} req/s throughout) | {failed} | 0 {ok(failed == 0)} |
""")
    print(f"\nmachine load average at the end: {os.getloadavg()[0]:.1f} (2 cores)\n")
    print("| phase | requests | failed | p50 | p95 | max |\n| --- | --- | --- | --- | --- | --- |")
    for phase, s in result["load"].items():
        print(f"| {phase} | {s['requests']} | {s['failed']} | {s['p50_ms']} ms | "
              f"{s['p95_ms']} ms | {s['max_ms']} ms |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
