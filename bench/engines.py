"""The two search engines side by side (Whoosh and tantivy), with SQLite FTS5 as
the baseline, on the same synthetic corpus in the same run.

    .venv/bin/python -m bench.engines [--sizes 10000,100000] [--queries 40] [--edits 10]
    .venv/bin/python -m bench.engines --sizes 10000 --keep        # prints the kept folder
    .venv/bin/python -m bench.engines --reuse FOLDER --sizes 10000  # measure again, no build

The corpus and its loading are bench.search's (profiles recombined from the demo
generator's records, stories of 200–2,000 characters). For each size and engine:

* **rebuild**: a full build in a process of its own; wall time and the peak of the
  whole process tree's proportional set size (PSS: a forked helper's pages shared
  with its parent are counted once), sampled from /proc every 0.2 s;
* **index size** on disk;
* **queries**: p50/p95 per query type and over the whole mix, each a results page
  with facets and snippets, run by a process of its own that then reports its
  PSS (what a gunicorn worker holding this index costs);
* **relevance**: each query built from a known record (its name, pinyin, initials,
  a traditional or homophone spelling, a phrase of its story, its unit) and the
  rank of that record (hit@1, hit@10, mean reciprocal rank); and how often the
  two engines agree on the first result and on the number of matches;
* **served** (bench.engines_served): gunicorn as in production with the background
  worker beside it, visitors at 100 requests a second (search pages of the mix,
  suggestions, profiles, browse pages); records edited one by one meanwhile, each
  timed until a search finds it; then each web worker's PSS.

The baseline answers every type too (bench.search's FTS5: trigrams over names,
titles with years, units, places and stories, plus a word table of each name's
pinyin readings and initials), and its hit@10 is shown beside the engines', so a
ratio is never taken against an empty answer.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from archive import db as database
from archive import migrations
from archive.catalogue import browse
from archive.search import ENGINES

from . import search as common
from ._server import children, pss_kb
from .engines_served import WORKERS, served

RESULTS_DIR = Path(__file__).resolve().parent / "results"


# --- queries with the record each one is about --------------------------------------

# name forms that find one person (initials and surname alone are shared by many)
ONE_PERSON_FORMS = ("name", "pinyin", "traditional", "typo")


def targeted_queries(records: list[dict], n: int, rng: random.Random) -> dict[str, list]:
    """Query type → [[text, filters, target id or None]] (ids are load order + 1)."""
    picks = rng.sample(_unique_people(records), n)
    sets = _name_queries(picks)
    titles = common.honour_titles(records)
    sets["title+year"] = [
        [f"{y} {t}", {}, None] for y, t in rng.sample(titles, min(n, len(titles)))
    ]
    sets["unit"] = _unit_queries(records, n, rng)
    probes = [
        (i, *common.story_probes(rng, records[i - 1]["story"], 10))
        for i in rng.sample(range(1, len(records) + 1), n * 3)
    ]
    sets["phrase"] = [[phrase, {}, i] for i, phrase, _ in probes if phrase][:n]
    sets["story word"] = [[word, {}, None] for _, _, word in probes if word][:n]
    levels = ["national", "provincial", "municipal"]
    sets["text+facets"] = [
        [r["name"][0], {"level": rng.choice(levels), "kind": "individual"}, None] for _, r in picks
    ]
    return sets


def _unique_people(records: list[dict]) -> list[tuple[int, dict]]:
    """(id, record) of individuals whose name no one else has (and is not a dotted name)."""
    counts: dict[str, int] = {}
    for r in records:
        counts[r["name"]] = counts.get(r["name"], 0) + 1
    return [
        (i + 1, r)
        for i, r in enumerate(records)
        if r["kind"] == "individual" and "·" not in r["name"] and counts[r["name"]] == 1
    ]


def _name_queries(picks: list[tuple[int, dict]]) -> dict[str, list]:
    """Each picked name in every form, aimed at its person where the form names one; a
    typo only where the last character has a homophone."""
    from opencc import OpenCC

    to_traditional = OpenCC("s2t")
    sets: dict[str, list] = {kind: [] for kind in common.NAME_FORMS}
    for i, r in picks:
        for kind, text in common.name_forms(r["name"], to_traditional).items():
            if kind == "typo" and text == r["name"]:
                continue
            sets[kind].append([text, {}, i if kind in ONE_PERSON_FORMS else None])
    return sets


def _unit_queries(records: list[dict], n: int, rng: random.Random) -> list:
    """Unit names, aimed at the unit's honoree when it has only one."""
    by_unit: dict[str, list[int]] = {}
    for i, r in enumerate(records, start=1):
        if r["unit"]:
            by_unit.setdefault(r["unit"], []).append(i)
    units = sorted(by_unit)
    return [
        [u, {}, by_unit[u][0] if len(by_unit[u]) == 1 else None]
        for u in rng.sample(units, min(n, len(units)))
    ]


# --- the children: one build, one query run --------------------------------------


def child_build(root: Path, engine: str) -> None:
    from archive import search

    db = database.connect(root / "archive.db")
    started = time.perf_counter()
    search.rebuild(db, root / f"index-{engine}", engine=engine)
    print(json.dumps({"build_s": time.perf_counter() - started}))


def child_query(root: Path, engine: str, time_limit: float) -> None:
    from archive import search

    db = database.connect(root / "archive.db")
    index_dir = root / f"index-{engine}"
    sets = json.loads((root / "queries.json").read_text(encoding="utf-8"))
    out: dict = {"types": {}, "pss_start_kb": pss_kb(os.getpid())}
    mix = []
    for kind, queries in sets.items():
        for text, filters, _ in queries[:3]:  # caches warmed once per type
            search.query(
                db, index_dir, text, browse.parse(filters), time_limit=time_limit, engine=engine
            )
        times, answers = [], []
        for text, filters, _ in queries:
            f = browse.parse({k: str(v) for k, v in filters.items()})
            started = time.perf_counter()
            result = search.query(
                db, index_dir, text, f, page_size=20, time_limit=time_limit, engine=engine
            )
            times.append((time.perf_counter() - started) * 1000)
            ids = [int(i["id"]) for i in result.items]
            answers.append({"ids": ids[:10], "total": result.total, "capped": result.timed_out})
        mix += times
        out["types"][kind] = {"ms": times, "answers": answers}
    prefixes = [text[:cut] for text, _, _ in sets["pinyin"] for cut in (2, 4, 6)]
    times = []
    for prefix in prefixes:
        started = time.perf_counter()
        search.suggest(index_dir, prefix, engine=engine)
        times.append((time.perf_counter() - started) * 1000)
    out["suggest_ms"] = times
    out["mix_ms"] = mix
    out["pss_kb"] = pss_kb(os.getpid())
    print(json.dumps(out))


# --- process measurement ----------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children(p)
    return found


def run_child(args: list[str], env: dict) -> tuple[dict, int]:
    """Run ``python -m bench.engines <args>``; its JSON answer and the peak PSS
    (KB) of its process tree."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.engines", *args],
        stdout=subprocess.PIPE,
        env=env,
        cwd=Path.cwd(),
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(pss_kb(p) for p in _tree(process.pid)))
        time.sleep(0.2)
    out = process.stdout.read().decode()
    process.stdout.close()
    if process.returncode:
        raise RuntimeError(f"bench.engines {' '.join(args)} failed ({process.returncode})")
    return json.loads(out.strip().splitlines()[-1]), peak


# --- scoring ----------------------------------------------------------------------


def relevance(sets: dict, answers: dict[str, list]) -> dict:
    """Per type: hit@1, hit@10 and MRR over the queries that have a target."""
    scores = {}
    for kind, queries in sets.items():
        ranks = []
        for (_, _, target), answer in zip(queries, answers[kind], strict=True):
            if target is None:
                continue
            ids = answer["ids"]
            ranks.append(ids.index(target) + 1 if target in ids else None)
        if ranks:
            scores[kind] = {
                "n": len(ranks),
                "hit1": sum(r == 1 for r in ranks) / len(ranks),
                "hit10": sum(r is not None for r in ranks) / len(ranks),
                "mrr": sum(1 / r for r in ranks if r) / len(ranks),
            }
    return scores


def agreement(a: dict, b: dict) -> dict:
    first = total = n = 0
    for kind in a:
        for x, y in zip(a[kind], b[kind], strict=True):
            n += 1
            first += x["ids"][:1] == y["ids"][:1]
            total += x["total"] == y["total"]
    return {"first": first / n, "total": total / n, "n": n}


def baseline(root: Path, sets: dict) -> dict:
    """The FTS5 baseline over the same queries: per type, times and hit@10."""
    fts = sqlite3.connect(str(root / "fts.db"))
    out = {}
    for kind, queries in sets.items():
        times, answers = [], []
        for text, _filters, _ in queries:
            started = time.perf_counter()
            ids, total = common.fts_query(fts, text)
            times.append((time.perf_counter() - started) * 1000)
            answers.append({"ids": ids[:10], "total": total})
        out[kind] = {"ms": times, "answers": answers}
    prefixes = [text[:cut] for text, _, _ in sets["pinyin"] for cut in (2, 4, 6)]
    times, found = [], 0
    for prefix in prefixes:
        started = time.perf_counter()
        found += bool(common.fts_suggest(fts, prefix))
        times.append((time.perf_counter() - started) * 1000)
    fts.close()
    return {"types": out, "suggest_ms": times, "suggest_found": found / len(prefixes)}


# --- a size -----------------------------------------------------------------------


def run_size(workdir: Path, size: int, n_queries: int, edits: int, time_limit: float) -> dict:
    root = workdir / f"n{size}"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    built_file = root / "built.json"
    if built_file.exists():
        built = json.loads(built_file.read_text(encoding="utf-8"))
        print(f"[{size}] reusing {root}", file=sys.stderr)
    else:
        built = _build(workdir, root, size, n_queries, env)
        built_file.write_text(json.dumps(built), encoding="utf-8")
    sets = json.loads((root / "queries.json").read_text(encoding="utf-8"))
    run = {"size": size, "built": built, "engines": {}}
    for engine in ENGINES:
        answer, peak = run_child(["query", str(root), engine, str(time_limit)], env)
        print(f"[{size}] {engine} queried", file=sys.stderr)
        answer["relevance"] = relevance(sets, {k: v["answers"] for k, v in answer["types"].items()})
        answer["peak_pss_kb"] = peak
        run["engines"][engine] = answer
    run["baseline"] = base = baseline(root, sets)
    base["relevance"] = relevance(sets, {k: v["answers"] for k, v in base["types"].items()})
    run["agreement"] = agreement(
        *({k: v["answers"] for k, v in run["engines"][e]["types"].items()} for e in ENGINES)
    )
    if edits:
        for engine in ENGINES:
            run["engines"][engine]["served"] = served(root, engine, sets, edits)
            print(f"[{size}] {engine} served, edits timed", file=sys.stderr)
    return run


def _build(workdir: Path, root: Path, size: int, n_queries: int, env: dict) -> dict:
    rng = random.Random(size)
    root.mkdir(parents=True)
    db = database.connect(root / "archive.db")
    migrations.apply(db)
    records = common.corpus(common.demo_pool(workdir), size, rng)
    common.load(db, records)
    (root / "queries.json").write_text(
        json.dumps(targeted_queries(records, n_queries, rng), ensure_ascii=False), encoding="utf-8"
    )
    built: dict = {"story_chars": common.percentiles([len(r["story"]) for r in records])}
    for engine in ENGINES:
        answer, peak = run_child(["build", str(root), engine], env)
        built[engine] = {
            "build_s": answer["build_s"],
            "peak_pss_kb": peak,
            "bytes": common._size(root / f"index-{engine}"),
        }
        print(
            f"[{size}] {engine} built in {answer['build_s']:.0f} s, peak {peak / 1024:.0f} MiB",
            file=sys.stderr,
        )
    built["fts5"] = {
        "build_s": common.fts_build(db, root / "fts.db"),
        "bytes": (root / "fts.db").stat().st_size,
    }
    db.conn.close()
    return built


# --- report -----------------------------------------------------------------------


def markdown(runs: list[dict], date: str, command: str) -> str:
    w, t = ENGINES
    lines = [f"Run {date} on this shared 2-core machine: `{command}`.", ""]
    for run in runs:
        built, eng, base = run["built"], run["engines"], run["baseline"]
        lines += [
            f"**{run['size']:,} profiles**",
            "",
            f"| | {w} | {t} | FTS5 baseline |",
            "| --- | ---: | ---: | ---: |",
            f"| full rebuild | {built[w]['build_s']:.0f} s | {built[t]['build_s']:.0f} s | "
            f"{built['fts5']['build_s']:.0f} s |",
            f"| rebuild peak (PSS, process tree) | {built[w]['peak_pss_kb'] / 1024:.0f} MiB | "
            f"{built[t]['peak_pss_kb'] / 1024:.0f} MiB | |",
            f"| index size | {built[w]['bytes'] / 2**20:.0f} MiB | "
            f"{built[t]['bytes'] / 2**20:.0f} MiB | {built['fts5']['bytes'] / 2**20:.0f} MiB |",
            f"| a searching process after the mix (PSS) | {eng[w]['pss_kb'] / 1024:.0f} MiB | "
            f"{eng[t]['pss_kb'] / 1024:.0f} MiB | |",
        ]
        for label, key in (("whole mix", "mix_ms"), ("suggest", "suggest_ms")):
            a, b = common.percentiles(eng[w][key]), common.percentiles(eng[t][key])
            lines.append(
                f"| {label} p50 / p95 ms | {a['p50']:.1f} / {a['p95']:.1f} | "
                f"{b['p50']:.1f} / {b['p95']:.1f} | "
                + ("{:.1f} / {:.1f}".format(*_p(base["suggest_ms"])) if key == "suggest_ms" else "")
                + " |"
            )
        if eng[w].get("served"):
            lines += _served_rows(eng[w]["served"], eng[t]["served"])
        lines += [
            "",
            f"| query type (n) | {w} p50 / p95 ms | {t} p50 / p95 ms | "
            f"FTS5 p50 / p95 ms | p95 {t}/{w} | hit@10 {w} / {t} / FTS5 |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for kind in eng[w]["types"]:
            a = _p(eng[w]["types"][kind]["ms"])
            b = _p(eng[t]["types"][kind]["ms"])
            c = _p(base["types"][kind]["ms"])
            hits = "–"
            if kind in eng[w]["relevance"]:
                hits = " / ".join(
                    f"{r['relevance'][kind]['hit10']:.0%}" for r in (eng[w], eng[t], base)
                )
            lines.append(
                f"| {kind} ({len(eng[w]['types'][kind]['ms'])}) | {a[0]:.1f} / {a[1]:.1f} "
                f"| {b[0]:.1f} / {b[1]:.1f} | {c[0]:.1f} / {c[1]:.1f} | "
                f"{b[1] / max(a[1], 0.001):.2f}× | {hits} |"
            )
        agree = run["agreement"]
        lines += [
            "",
            f"- the engines agree on the first result for {agree['first']:.0%} and on "
            f"the number of matches for {agree['total']:.0%} of {agree['n']} queries; the "
            f"baseline's suggest finds something for {base['suggest_found']:.0%} of "
            "prefixes",
            "",
        ]
    return "\n".join(lines)


def _served_rows(a: dict, b: dict) -> list[str]:
    """The rows of the served measurement (bench.engines_served)."""

    def pss(x: dict) -> str:
        return f"{max(x['worker_pss_kb']) / 1024:.0f} MiB"

    def visitors(x: dict) -> str:
        v = x["visitors"]
        return f"{x['rate']:.0f} req/s, p95 {v['p95_ms']:.0f} ms, {v['errors']} errors"

    return [
        f"| gunicorn, {WORKERS} gevent workers: visitors | {visitors(a)} | {visitors(b)} | |",
        f"| search pages over HTTP p50 / p95 ms | {a['searches']['p50_ms']:.0f} / "
        f"{a['searches']['p95_ms']:.0f} | {b['searches']['p50_ms']:.0f} / "
        f"{b['searches']['p95_ms']:.0f} | |",
        f"| edit → searchable under the visitors p50 / p95 s | {a['edit_s']['p50']:.2f} / "
        f"{a['edit_s']['p95']:.2f} | {b['edit_s']['p50']:.2f} / {b['edit_s']['p95']:.2f} | |",
        f"| a web worker after the visitors (PSS, largest of {WORKERS}) | {pss(a)} | {pss(b)} | |",
    ]


def _p(samples: list[float]) -> tuple[float, float]:
    p = common.percentiles(samples)
    return p["p50"], p["p95"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["build"]:
        child_build(Path(argv[1]), argv[2])
        return 0
    if argv[:1] == ["query"]:
        child_query(Path(argv[1]), argv[2], float(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=40, help="queries per type")
    parser.add_argument("--edits", type=int, default=10, help="edits timed per engine")
    parser.add_argument("--time-limit", type=float, default=0.5)
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--reuse", metavar="FOLDER", help="a folder kept by --keep")
    args = parser.parse_args(argv)
    workdir = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="bench-engines-"))
    keep = args.keep or bool(args.reuse)
    runs = []
    try:
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            runs.append(run_size(workdir, size, args.queries, args.edits, args.time_limit))
            RESULTS_DIR.mkdir(exist_ok=True)
            (RESULTS_DIR / f"engines-{datetime.now(UTC).date()}.json").write_text(json.dumps(runs))
    finally:
        if keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(
        markdown(
            runs,
            datetime.now(UTC).date().isoformat(),
            ".venv/bin/python -m bench.engines " + " ".join(argv),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
