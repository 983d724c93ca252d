"""Importing a 10,000-row XLSX into a live archive, until every row is searchable.

    .venv/bin/python -m bench.import [--rows 10000] [--rate 10] [--keep]

Sets up a throwaway archive with the demo exhibit, serves it with gunicorn and runs the
real background worker (``flask --app archive worker``, the only writer of the search
index), and while a fixed-rate load of visitors (profiles, browse pages, the health
check; open loop, so a slow server cannot slow the generator) runs against it:

1. writes a 10,000-row XLSX as a real office sends it: a merged title row; a
   ``姓名/集体名称`` column with some collectives (``/`` in 性别, 民族 and 出生年月); a
   combined ``工作单位及职务`` column (unit and post split by an Alt+Enter line break,
   a space, or written together); titles written with their place (``浙江省劳动模范``,
   ``杭州市五一劳动奖章``) and a few the vocabulary does not know (``钱江工匠`` …),
   two honours in some cells; Excel date cells; 地区 in short forms (``杭州``,
   ``宁波北仑``); an ID-number column (personal data, dropped); a 备注 column; a blank
   row, a merged footnote and a sign-off line under the data;
2. imports it as ``flask import`` does: ``importer.plan`` (read + validate every row,
   nothing written) then ``importer.commit`` (one write transaction, an index-outbox
   row per honoree);
3. "searchable" the way the archive does it: the worker drains ``index_outbox``
   incrementally (``search.drain``); once the live generation's mark has passed the
   import's last outbox row, 200 random imported names, 50 unit fragments and 20
   title + year queries (``浙江省劳动模范 2020``) are asked of the public search API
   (``/api/v1/search``) of the running gunicorn, and each sampled honoree must be among
   the results. Reported: start of the import → outbox drained (every sampled row was
   found after it, and nothing changed in between) and → verified;
4. for comparison, a full ``search.rebuild`` (what ``reindex`` does) after that, and
   the same queries again on the rebuilt index (totals compared with the incremental
   index's).

Baseline in the same run: the same records written with the bare ``honorees.create``
loop (what the demo loader does: no reading, no validation, no matching) into a copy of
the archive taken before the import. The ratio says what reading and validating cost on
top of the writes themselves.
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
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import openpyxl
from openpyxl.styles import Alignment

from archive import db as database
from archive import search
from archive.catalogue import honorees
from archive.db import write
from archive.demo.namepool import GIVEN_BY_DECADE, SURNAMES
from archive.demo.regions import CITIES
from archive.exchange import backup, importer
from archive.search import generations

from ._server import PROJECT_ROOT, demo_archive, gunicorn

GOALS = {"commit_s": 20.0, "searchable_s": 90.0}
INDUSTRIES = ("制造业", "交通运输", "电力", "建筑业", "教育", "卫生", "金融", "农业", "信息技术")
# unit names: brand + business; with the city's short name in front most are unique
BRANDS = [a + b for a in "恒华永新宏金天瑞中东海正远嘉兴万鑫力" for b in "丰达通泰盛源昌利安达成科"]
BUSINESSES = (
    "精密机械有限公司",
    "电力设备有限公司",
    "建设集团有限公司",
    "纺织印染有限公司",
    "汽车零部件有限公司",
    "化工有限公司",
    "港务有限公司",
    "电子科技有限公司",
    "食品有限公司",
    "轴承制造有限公司",
    "物流有限公司",
    "船舶修造有限公司",
)
POSTS = (
    "数控车工",
    "高级技师",
    "车间主任",
    "班组长",
    "电焊工",
    "维修电工",
    "技术员",
    "总工程师",
    "副总经理",
    "质检员",
    "工程师",
    "装配钳工",
)
TEAMS = ("数控车间", "质检班组", "运维班", "技术攻关组", "装配车间")
NOTES = ("已退休", "原单位已改制", "2021年调入", "少数民族", "请核对出生年月")
# honours as offices write them: {p} is the province, {c} the row's city (short name)
INDIVIDUAL_TITLES = [
    "全国劳动模范",
    "全国五一劳动奖章",
    "{p}劳动模范",
    "{p}五一劳动奖章",
    "{p}先进工作者",
    "{c}市劳动模范",
    "{c}市五一劳动奖章",
    "{c}市劳动模范",
]
UNKNOWN_TITLES = [
    "钱江工匠",
    "浙江省首席技师",
    "浙江省技术能手",
    "甬城工匠",
]  # not in the vocabulary
COLLECTIVE_TITLES = ["全国工人先锋号", "{p}工人先锋号", "{c}市工人先锋号"]
HEADERS = [
    "序号",
    "姓名/集体名称",
    "性别",
    "民族",
    "出生年月",
    "身份证号",
    "工作单位及职务",
    "地区",
    "行业",
    "荣誉称号",
    "授予年份",
    "授予机关",
    "主要事迹",
    "备注",
]


def _short(county: str) -> str:
    return re.sub(r"(畲族自治县|区|县|市)$", "", county)


def write_sheet(path: Path, rows: int, seed: int = 6) -> list[dict]:
    """A realistic XLSX of ``rows`` honorees (about 5 % collectives); returns per row its
    sheet row number, name, unit fragment and one (title, year) it holds."""
    rng = random.Random(seed)
    surnames = [s for s, w in SURNAMES for _ in range(w)]
    weights = [c["weight"] for c in CITIES]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    width = len(HEADERS)
    sheet.append(["2026年度浙江省劳动模范、五一劳动奖章等荣誉人物汇总表"] + [None] * (width - 1))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.append(HEADERS)
    wrap = Alignment(wrap_text=True)
    out, used = [], set()
    for i in range(1, rows + 1):
        city = rng.choices(CITIES, weights)[0]
        c = city["short"]
        collective = rng.random() < 0.05
        while True:  # a different honoree on every row (same name and unit: the same one)
            brand, business = rng.choice(BRANDS), rng.choice(BUSINESSES)
            unit = f"{c}{brand}{business}"
            team = rng.choice(TEAMS)
            if (unit, team if collective else None) not in used:
                used.add((unit, team if collective else None))
                break
        region = rng.choice(
            [
                c,
                c,
                f"{c}{_short(rng.choice(city['counties'])[0])}",
                f"浙江省{city['name']}{rng.choice(city['counties'])[0]}",
            ]
        )
        if collective:
            name = unit + team
            gender = ethnicity = birth = id_no = "/"
            unit_post = unit if rng.random() < 0.5 else "/"
            pool = COLLECTIVE_TITLES
        else:
            decade = rng.choice(sorted(GIVEN_BY_DECADE))
            gender = rng.choice(["男", "女"])
            name = rng.choice(surnames) + rng.choice(GIVEN_BY_DECADE[decade][gender])
            ethnicity = rng.choice(["汉族"] * 9 + ["畲族"])
            birth = dt.datetime(decade + rng.randint(0, 9), rng.randint(1, 12), 1)
            id_no = f"3301{rng.randint(10, 99)}{decade + 5}0101{rng.randint(1000, 9999)}"
            post = rng.choice(POSTS)
            unit_post = unit + rng.choice(["\n", "\n", " ", " ", ""]) + post
            pool = INDIVIDUAL_TITLES + (UNKNOWN_TITLES if rng.random() < 0.05 else [])
        picks = list(
            dict.fromkeys(
                t.format(p="浙江省", c=c) for t in rng.sample(pool, rng.choice([1, 1, 2]))
            )
        )
        years = [rng.randint(2005, 2025) for _ in picks]
        sheet.append(
            [
                i,
                name,
                gender,
                ethnicity,
                birth,
                id_no,
                unit_post,
                region,
                rng.choice(INDUSTRIES),
                "、".join(picks),
                "、".join(map(str, years)),
                "浙江省总工会" if "浙江省" in picks[0] else f"{city['name']}总工会",
                f"扎根一线{rng.randint(5, 35)}年，累计完成技术革新{rng.randint(1, 60)}项。"
                f"带领团队攻克关键工艺难题{rng.randint(1, 20)}项，培养技术骨干{rng.randint(3, 80)}名。",
                rng.choice(NOTES) if rng.random() < 0.1 else None,
            ]
        )
        if "\n" in unit_post:
            sheet.cell(row=i + 2, column=7).alignment = wrap
        k = rng.randrange(len(picks))
        out.append(
            {
                "row": i + 2,
                "name": name,
                "fragment": brand + business[:2] if unit_post != "/" else None,
                "title": picks[k],
                "year": years[k],
            }
        )
    sheet.append([None] * width)
    note_row = rows + 4
    sheet.append(
        ["注：1. 出生年月填写至月；2. 荣誉称号按表彰文件全称填写；3. 集体不填性别、出生年月。"]
        + [None] * (width - 1)
    )
    sheet.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=width)
    sheet.append(
        [
            "填报人：王丽",
            None,
            None,
            None,
            "审核人：陈刚",
            None,
            "联系电话：0571-87654321",
            None,
            None,
            "填报日期：2026年11月30日",
        ]
        + [None] * (width - 10)
    )
    book.save(path)
    return out


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
            thread = threading.Thread(
                target=self._one, args=(self.paths[n % len(self.paths)], due, self.phase)
            )
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
            out[phase] = {
                "requests": len(times),
                "failed": failed,
                "p50_ms": round(1000 * statistics.median(times)),
                "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))]),
                "max_ms": round(1000 * times[-1]),
            }
        return out


class Checker:
    """Asks the public search API whether sampled honorees are found: each query's
    result pages (100 a page, at most ``pages``) until the wanted id is among them."""

    def __init__(self, base: str, pages: int = 10):
        self.base, self.pages = urlsplit(base), pages
        self._local = threading.local()

    def _get(self, params: dict) -> dict:
        for attempt in range(3):
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = http.client.HTTPConnection(
                    self.base.hostname, self.base.port, timeout=30
                )
            try:
                conn.request("GET", "/api/v1/search?" + urlencode(params))
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
                continue
            if response.status != 200:
                raise RuntimeError(f"search API {response.status}: {body[:200]!r}")
            return json.loads(body)
        raise AssertionError

    def find(self, query: str, wanted: int) -> tuple[bool, int]:
        """(found, total) for one query."""
        total = 0
        for page in range(1, self.pages + 1):
            data = self._get({"q": query, "per_page": 100, "page": page})
            total = data["total"]
            if any(item["id"] == wanted for item in data["items"]):
                return True, total
            if page >= data["pages"]:
                break
        return False, total

    def run(self, cases: list[tuple[str, str, int]], threads: int = 3) -> list[tuple[bool, int]]:
        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(lambda case: self.find(case[1], case[2]), cases))


def sample_cases(db, import_id: int, rows: list[dict]) -> list[tuple[str, str, int]]:
    """(type, query, wanted id): 200 names, 50 unit fragments, 20 title + year."""
    ids = {
        r[0]: r[1]
        for r in db.execute(
            "SELECT row_number, honoree_id FROM import_items WHERE import_id = ?", [import_id]
        )
    }
    rng = random.Random(3)
    present = [r for r in rows if r["row"] in ids]
    cases = [("name", r["name"], ids[r["row"]]) for r in rng.sample(present, 200)]
    cases += [
        ("unit", r["fragment"], ids[r["row"]])
        for r in rng.sample([r for r in present if r["fragment"]], 50)
    ]
    cases += [
        ("title+year", f"{r['title']} {r['year']}", ids[r["row"]]) for r in rng.sample(present, 20)
    ]
    return cases


def wait_drained(db, index_dir: str, upto: int, timeout: float = 600) -> float:
    """Wait until the live generation's mark has passed outbox row ``upto``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        folder = search.current_dir(index_dir)
        if folder is not None and generations.mark(folder) >= upto:
            return time.monotonic()
        time.sleep(0.1)
    raise TimeoutError("the worker did not drain the outbox in time")


def start_worker(root: Path, env: dict) -> subprocess.Popen:
    log = open(root / "worker.log", "ab")
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("flask")), "--app", "archive", "worker"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def baseline(db_path: Path, sheet: Path) -> float:
    """Seconds for the bare create loop over the same records (no validation)."""
    db = database.connect(db_path)
    plan = importer.plan(db, sheet, policy="create")  # only to get the records; not timed
    records = [(dict(r.record, status="published"), r.honours) for r in plan.rows]
    assert len(records) == len(plan.rows) and not plan.errors
    with write(db):  # the titles the import adds to the vocabulary (honours refer to them)
        importer._add_titles(db, plan)
    started = time.monotonic()
    with write(db):
        for record, honours in records:
            honorees.create(db, record, honours)
    took = time.monotonic() - started
    db.conn.close()
    return took


def _found(results: list[tuple[bool, int]], cases: list, kind: str) -> str:
    got = [ok for (ok, _), (k, _, _) in zip(results, cases, strict=True) if k == kind]
    return f"{sum(got)}/{len(got)}"


@dataclass
class ImportRun:
    """One import under load: the plan, what was created, the search checks, and the
    clock (``time.monotonic``; ``cpu_*`` from ``time.process_time``) at each step."""

    plan: importer.Plan
    done: dict
    cases: list[tuple[str, str, int]]
    incremental: list[tuple[bool, int]]
    rebuilt: list[tuple[bool, int]]
    started: float
    validated: float
    committed: float
    drained: float
    verified: float
    reindexed: float
    rechecked: float
    cpu_started: float
    cpu_validated: float
    cpu_committed: float
    transaction_s: float

    def missing(self, results: list[tuple[bool, int]]) -> list[tuple[str, str]]:
        """The sampled (kind, query) pairs whose honoree the search did not return."""
        return [(k, q) for (ok, _), (k, q, _) in zip(results, self.cases, strict=True) if not ok]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=10.0, help="visitor requests per second")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    with demo_archive(keep=args.keep) as (root, env), gunicorn(root, env, 2, 8) as (base, _):
        db_path, index_dir = Path(env["ARCHIVE_DATABASE"]), env["ARCHIVE_INDEX_DIR"]
        db = database.connect(db_path)
        paths = visitor_paths(db)
        sheet = root / "import-10k.xlsx"
        started = time.monotonic()
        rows = write_sheet(sheet, args.rows)
        print(
            f"wrote {sheet.name}: {args.rows} rows, {sheet.stat().st_size // 1024} KiB "
            f"in {time.monotonic() - started:.1f} s",
            flush=True,
        )
        backup.copy_database(db_path, root / "baseline.db")
        worker = start_worker(root, env)
        try:
            wait_current(db, index_dir)
            checker = Checker(base)
            with Load(base, paths, args.rate) as load:
                time.sleep(5)
                run = import_under_load(db, index_dir, sheet, rows, env, load, checker)
                load.phase = "after"
                time.sleep(5)
        finally:
            stop_worker(worker)
        report = run.plan.report()
        db.conn.close()
        base_s = baseline(root / "baseline.db", sheet)
    result = summarise(run, report, base_s, args, load.summary())
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print_markdown(result, run, args)


def visitor_paths(db) -> list[str]:
    """What the simulated visitors ask for: 200 profiles, health checks, browse pages, home."""
    ids = [
        r[0]
        for r in db.execute(
            "SELECT id FROM honorees WHERE status = 'published' ORDER BY id LIMIT 200"
        )
    ]
    paths = [p for i in ids for p in (f"/honorees/{i}", "/healthz/live")] + [
        "/honorees?level=national",
        "/honorees?page=3",
        "/",
    ]
    random.Random(1).shuffle(paths)
    return paths


def wait_current(db, index_dir: str, timeout: float = 300) -> None:
    """Wait until the worker has built the demo archive's search index."""
    deadline = time.monotonic() + timeout
    while search.status(db, index_dir) != "current":
        if time.monotonic() > deadline:
            raise RuntimeError("the search index did not become current")
        time.sleep(0.5)


def import_under_load(
    db, index_dir: str, sheet: Path, rows: list[dict], env: dict, load: Load, checker: Checker
) -> ImportRun:
    """Validate, commit, wait for the worker, check through the search API, then
    rebuild the index and check again; ``load.phase`` names each step."""
    load.phase = "validate"
    t0, c0 = time.monotonic(), time.process_time()
    # names already in the demo are "likely duplicates": a curator would
    # decide; here they are other people, so create
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
    load.phase = "index (worker drains the outbox)"
    upto = db.execute("SELECT coalesce(max(id), 0) FROM index_outbox").fetchone()[0]
    t3 = wait_drained(db, index_dir, upto)
    load.phase = "check (search API)"
    cases = sample_cases(db, done["import_id"], rows)
    incremental = checker.run(cases)
    t4 = time.monotonic()
    load.phase = "full reindex"
    search.rebuild(db, index_dir)
    t5 = time.monotonic()
    load.phase = "check after reindex"
    rebuilt = checker.run(cases)
    t6 = time.monotonic()
    return ImportRun(
        plan,
        done,
        cases,
        incremental,
        rebuilt,
        t0,
        t1,
        t2,
        t3,
        t4,
        t5,
        t6,
        c0,
        c1,
        c2,
        in_txn.get("last", t2) - in_txn.get("first", t1),
    )


def summarise(
    run: ImportRun, report: dict, base_s: float, args: argparse.Namespace, load: dict
) -> dict:
    """The figures of the run, as printed in JSON."""
    totals_differ = sum(
        1 for a, b in zip(run.incremental, run.rebuilt, strict=True) if a[1] != b[1]
    )
    plan, t0 = run.plan, run.started
    return {
        "date": dt.date.today().isoformat(),
        "rows": args.rows,
        "created": run.done["create"],
        "new_titles": len(plan.new_titles),
        "warnings": len(report["warnings"]),
        "skipped_sheet_rows": len(plan.sheet.skipped),
        "dropped_columns": plan.sheet.dropped,
        "validate_s": round(run.validated - t0, 2),
        "commit_s": round(run.committed - run.validated, 2),
        "validate_cpu_s": round(run.cpu_validated - run.cpu_started, 2),
        "commit_cpu_s": round(run.cpu_committed - run.cpu_validated, 2),
        "transaction_s": round(run.transaction_s, 2),
        "validated_and_committed_s": round(run.committed - t0, 2),
        "drain_s": round(run.drained - run.committed, 2),
        "searchable_s": round(run.drained - t0, 2),
        "check_s": round(run.verified - run.drained, 2),
        "verified_s": round(run.verified - t0, 2),
        "sample_found": {
            k: _found(run.incremental, run.cases, k) for k in ("name", "unit", "title+year")
        },
        "missing": run.missing(run.incremental)[:10],
        "reindex_s": round(run.reindexed - run.verified, 2),
        "searchable_by_reindex_s": round(
            (run.committed - t0) + (run.reindexed - run.verified) + (run.rechecked - run.reindexed),
            2,
        ),
        "sample_found_after_reindex": {
            k: _found(run.rebuilt, run.cases, k) for k in ("name", "unit", "title+year")
        },
        "missing_after_reindex": run.missing(run.rebuilt)[:10],
        "queries_whose_total_differs_incremental_vs_reindex": totals_differ,
        "baseline_create_loop_s": round(base_s, 2),
        "ratio_import_to_baseline": round((run.committed - t0) / base_s, 2),
        "load": load,
        "rate": args.rate,
    }


def _mark(good: bool) -> str:
    return "✅" if good else "❌"


def print_markdown(result: dict, run: ImportRun, args: argparse.Namespace) -> None:
    """The BENCHMARKS.md section: the goals table, then the visitors' latency per phase."""
    missing = run.missing(run.incremental)
    totals_differ = result["queries_whose_total_differs_incremental_vs_reindex"]
    failed = sum(p["failed"] for p in result["load"].values())
    found = " · ".join(f"{k} {v}" for k, v in result["sample_found"].items())
    found_r = " · ".join(f"{k} {v}" for k, v in result["sample_found_after_reindex"].items())
    print(f"""
## import

`.venv/bin/python -m bench.import` ({result["date"]}, {args.rows} rows, 2-core shared machine)

| measure | result | goal |
| --- | --- | --- |
| read + validate every row (`plan`, nothing written) | {result["validate_s"]} s (CPU {result["validate_cpu_s"]} s) | |
| commit (one transaction; of which inside the transaction {result["transaction_s"]} s) | {result["commit_s"]} s (CPU {result["commit_cpu_s"]} s) | |
| validated and committed | {result["validated_and_committed_s"]} s | ≤ {GOALS["commit_s"]:.0f} s {_mark(result["validated_and_committed_s"] <= GOALS["commit_s"])} |
| worker drains the outbox (commit → mark past the import's last row) | {result["drain_s"]} s | |
| **start → every row searchable** (incremental; then found through `/api/v1/search`: {found}) | {result["searchable_s"]} s (verified at {result["verified_s"]} s) | ≤ {GOALS["searchable_s"]:.0f} s {_mark(result["searchable_s"] <= GOALS["searchable_s"] and not missing)} |
| sampled rows not found (incremental) | {", ".join(q for _, q in missing) or "none"} | |
| for comparison: full `reindex` after the commit | {result["reindex_s"]} s | |
| start → searchable had a full `reindex` been used ({found_r}; totals differing from the incremental index: {totals_differ}/{len(run.cases)}) | {result["searchable_by_reindex_s"]} s | |
| baseline: bare `honorees.create` loop, same records | {result["baseline_create_loop_s"]} s | |
| ratio import (validate + commit) / baseline | {result["ratio_import_to_baseline"]} | |
| failed visitor requests ({args.rate:g} req/s throughout) | {failed} | 0 {_mark(failed == 0)} |
""")
    print(f"\nmachine load average at the end: {os.getloadavg()[0]:.1f} (2 cores)\n")
    print("| phase | requests | failed | p50 | p95 | max |\n| --- | --- | --- | --- | --- | --- |")
    for phase, s in result["load"].items():
        print(
            f"| {phase} | {s['requests']} | {s['failed']} | {s['p50_ms']} ms | "
            f"{s['p95_ms']} ms | {s['max_ms']} ms |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
