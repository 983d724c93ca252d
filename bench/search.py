"""Search at archive scale: Whoosh (archive.search) against SQLite FTS5 (trigram) on
the same synthetic corpus, in the same run.

    .venv/bin/python -m bench.search [--sizes 10000,100000] [--queries 40] [--edits 20]
    .venv/bin/python -m bench.search --sizes 10000 --keep          # prints the kept folder
    .venv/bin/python -m bench.search --sizes 10000 --reuse FOLDER --edits 0  # queries again

For each size: a corpus of realistic profiles made from the demo generator's own
output (archive.demo.generate with several seeds): names recombined from its
surnames and given names, units, regions and honours taken from its records, stories
of 200–2,000 characters assembled from its story paragraphs of the same industry.
Then:

* build time and index size, Whoosh (``search.rebuild``) and FTS5 (trigram);
* p50/p95/p99 per query type over a fixed query set, the whole page's work (facet
  counts, snippets, the page's rows) for Whoosh; FTS5 answers top 20 by bm25 plus a
  count; the ratio Whoosh/FTS5 per type. Each engine runs a type's queries in a pass
  of its own (interleaved, each query would follow the other engine's, on caches the
  other had just filled); with what Whoosh's queries read from disk (KB per query,
  from /proc/self/io), since this host pages out files idle for some seconds;
* how many queries reached the time cap, and whether their top 10 equals an
  uncapped run's;
* edit → searchable: a real worker process drains the outbox; edits made one by
  one, each timed until a search finds it, idle and while a thread keeps searching.

Results go to ``bench/results/search-<date>.json`` and a Markdown snippet is printed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from archive import db as database
from archive import migrations, search
from archive.catalogue import browse, honorees, names
from archive.db import write
from archive.demo.generate import generate
from archive.search import analysis, documents
from archive.settings import PROJECT_ROOT

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SEEDS = (2019, 2020, 2021, 2022, 2023)
GOALS = {
    "name_p95_ms": 10,
    "suggest_p95_ms": 10,
    "mix_p95_ms": 300,
    "capped_share": 0.01,
    "rebuild_s": 600,
    "edit_p95_s": 5.0,
}


# --- the corpus ------------------------------------------------------------------


def demo_pool(workdir: Path) -> list[dict]:
    pool = []
    for seed in SEEDS:
        out = workdir / f"demo-{seed}"
        if not (out / "honorees.jsonl").exists():
            generate(out, seed=seed)
        with (out / "honorees.jsonl").open(encoding="utf-8") as f:
            pool += [r for r in map(json.loads, f) if r["status"] == "published"]
    return pool


def corpus(pool: list[dict], size: int, rng: random.Random) -> list[dict]:
    """``size`` profiles recombined from the generator's records."""
    people = [r for r in pool if r["kind"] == "individual" and "·" not in r["name"]]
    surnames, givens = [], []
    for r in people:
        surname, given = names.split_surname(r["name"])
        surnames.append(surname)
        givens.append(given)
    paragraphs: dict[str, list[str]] = {}
    for r in pool:
        paragraphs.setdefault(r["industry"], []).extend(
            p for p in r["story"].split("\n\n") if len(p) > 20
        )
    records = []
    for i in range(size):
        base = pool[i % len(pool)]
        record = dict(base)
        if base["kind"] == "individual" and "·" not in base["name"]:
            record["name"] = rng.choice(surnames) + rng.choice(givens)
        else:
            record["name"] = base["name"] if i < len(pool) else f"{base['name']}{i // len(pool)}"
        target = int(200 * 10 ** rng.uniform(0, 1))  # 200–2,000 characters, log-uniform
        story = base["story"].replace(base["name"], record["name"])
        parts = paragraphs[base["industry"]]
        while len(story) < target:
            story += "\n\n" + rng.choice(parts).replace(base["name"], record["name"])
        record["story"] = story[: max(target, 200)]
        records.append(record)
    return records


def load(db, records: list[dict]) -> None:
    """Bulk insert (codes, revisions and photos are not what is measured)."""
    stamp = "2024-01-01T00:00:00Z"
    with write(db):
        for i, r in enumerate(records, start=1):
            row = {f: r.get(f) for f in honorees.FIELDS}
            row.update(
                status="published",
                featured=0,
                story=r["story"],
                **honorees.name_columns(r["name"], r["kind"]),
            )
            row.update(
                code=f"B{i:07d}",
                created_at=stamp,
                updated_at=stamp,
                published_at=stamp,
                latest_year=max(o["year"] for o in r["honours"]),
            )
            honoree_id = db.execute(
                f"INSERT INTO honorees ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            ).lastrowid
            db.conn.executemany(
                "INSERT INTO honours (honoree_id, title, level, year, body, document_no, "
                "position) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        honoree_id,
                        o["title"],
                        o["level"],
                        o["year"],
                        o.get("body"),
                        o.get("document_no"),
                        p,
                    )
                    for p, o in enumerate(r["honours"])
                ],
            )
        db.execute("DELETE FROM index_outbox")


def fts_build(db, path: Path) -> float:
    """The baseline's index: trigrams over names, titles with their years (2021年全国劳动模范),
    units, places and stories, and a word table of each name's pinyin readings, initials
    and their prefixes (the archive's own name analysis), so that the baseline answers
    every query type the archive does."""
    started = time.perf_counter()
    fts = sqlite3.connect(str(path))
    fts.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(name, titles, unit, place, story, tokenize='trigram')"
    )
    fts.execute("CREATE VIRTUAL TABLE names USING fts5(name, readings, tokenize='unicode61')")
    rows = db.execute(documents.DOCUMENT_SQL)
    batch, readings = [], []
    for row in rows:
        d = documents.document(row)
        batch.append((int(d["id"]), row["name"], d["titles"], d["unit"], d["place"], d["story"]))
        tokens = documents.name_tokens(row["name"], row["kind"])
        readings.append(
            (
                int(d["id"]),
                " ".join(tokens["name"]),
                " ".join(tokens["pinyin"] + tokens["pinyin_prefix"]),
            )
        )
        if len(batch) == 2000:
            _fts_insert(fts, batch, readings)
            batch, readings = [], []
    _fts_insert(fts, batch, readings)
    fts.commit()
    fts.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    fts.execute("INSERT INTO names(names) VALUES ('optimize')")
    fts.commit()
    fts.close()
    return time.perf_counter() - started


def _fts_insert(fts, batch: list[tuple], readings: list[tuple]) -> None:
    fts.executemany(
        "INSERT INTO docs (rowid, name, titles, unit, place, story) VALUES (?, ?, ?, ?, ?, ?)",
        batch,
    )
    fts.executemany("INSERT INTO names (rowid, name, readings) VALUES (?, ?, ?)", readings)


# --- queries ----------------------------------------------------------------------

NAME_FORMS = ("name", "pinyin", "initials", "surname", "traditional", "typo")


def name_forms(name: str, to_traditional) -> dict[str, str]:
    """A name as a visitor may type it, keyed like NAME_FORMS: as written, in pinyin, by
    initials, the surname alone, in traditional characters, with a homophone typo."""
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(name)
    return {
        "name": name,
        "pinyin": "".join(syllables),
        "initials": "".join(s[0] for s in syllables),
        "surname": name[0],
        "traditional": to_traditional.convert(name),
        "typo": name[:-1] + _homophone(name[-1]),
    }


def honour_titles(records: list[dict]) -> list[tuple[int, str]]:
    """(year, title) pairs of the first 2,000 records' honours, sorted."""
    return sorted({(o["year"], o["title"]) for r in records[:2000] for o in r["honours"]})


def story_probes(rng: random.Random, story: str, shortest: int) -> tuple[str | None, str | None]:
    """A quoted clause of ``story`` (``shortest``–14 characters) and one word of its
    beginning, each drawn at random; None where the story has none."""
    clauses = [c for c in re.split(r"[，。；：！？、“”\s]", story) if shortest <= len(c) <= 14]
    phrase = f"“{rng.choice(clauses)}”" if clauses else None
    story_words = [w for w in analysis.words(story[:200]) if len(w) >= 2]
    return phrase, (rng.choice(story_words) if story_words else None)


def query_set(records: list[dict], n: int, rng: random.Random) -> dict[str, list[tuple]]:
    """Query type → [(query text, filters dict)], drawn from the corpus."""
    from opencc import OpenCC

    to_traditional = OpenCC("s2t")
    people = [r for r in records if r["kind"] == "individual" and "·" not in r["name"]]
    picks = [rng.choice(people) for _ in range(n)]
    forms = [name_forms(r["name"], to_traditional) for r in picks]
    sets: dict[str, list[tuple]] = {kind: [(f[kind], {}) for f in forms] for kind in NAME_FORMS}
    titles = honour_titles(records)
    sets["title+year"] = [(f"{y} {t}", {}) for y, t in rng.sample(titles, min(n, len(titles)))]
    units = sorted({r["unit"] for r in records[:5000] if r["unit"]})
    sets["unit"] = [(u, {}) for u in rng.sample(units, min(n, len(units)))]
    probes = [story_probes(rng, r["story"], 8) for r in rng.sample(records, n * 3)]
    sets["phrase"] = [(phrase, {}) for phrase, _ in probes if phrase][:n]
    sets["story word"] = [(word, {}) for _, word in probes if word][:n]
    levels = ["national", "provincial", "municipal"]
    sets["text+facets"] = [
        (r["name"][0], {"level": rng.choice(levels), "kind": "individual"}) for r in picks
    ]
    return sets


_HOMOPHONES = {
    "东": "冬",
    "波": "博",
    "华": "化",
    "明": "名",
    "伟": "威",
    "军": "君",
    "平": "萍",
    "峰": "锋",
    "强": "墙",
    "杰": "洁",
    "丽": "莉",
    "芳": "方",
    "红": "虹",
    "林": "琳",
}


def _homophone(char: str) -> str:
    return _HOMOPHONES.get(char, char)


def fts_query(conn, text: str) -> tuple[list[int], int]:
    """The baseline: Latin letters look up the pinyin word table; Chinese terms
    (several, separated by spaces, all required) match trigrams, bm25 with the name
    weighted; a term under three characters falls back to LIKE."""
    text = text.strip("“”").strip()
    if re.fullmatch(r"[A-Za-z]+", text):
        match = "readings:" + text.lower()
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM names WHERE names MATCH ? ORDER BY rank LIMIT 20", [match]
            )
        ]
        total = conn.execute("SELECT count(*) FROM names WHERE names MATCH ?", [match]).fetchone()[
            0
        ]
        return ids, total
    terms = text.split()
    if all(len(t) >= 3 for t in terms):
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 8, 4, 3, 2, 1) "
                "LIMIT 20",
                [match],
            )
        ]
        total = conn.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", [match]).fetchone()[0]
        return ids, total
    columns = ("name", "titles", "unit", "place", "story")
    where = " AND ".join("(" + " OR ".join(f"{c} LIKE ?" for c in columns) + ")" for _ in terms)
    values = [f"%{t}%" for t in terms for _ in columns]
    ids = [
        r[0]
        for r in conn.execute(
            f"SELECT rowid FROM docs WHERE {where} ORDER BY (name LIKE ?) DESC LIMIT 20",
            values + [f"%{terms[0]}%"],
        )
    ]
    total = conn.execute(f"SELECT count(*) FROM docs WHERE {where}", values).fetchone()[0]
    return ids, total


def fts_suggest(conn, prefix: str, limit: int = 8) -> list[int]:
    """The baseline's suggestions: names and pinyin readings starting with ``prefix``."""
    prefix = prefix.strip()
    if not prefix:
        return []
    if re.fullmatch(r"[A-Za-z]+", prefix):
        match = f"readings:{prefix.lower()}*"
    else:
        match = "name:" + '"' + prefix.replace('"', '""') + '"'
    return [
        r[0]
        for r in conn.execute(
            "SELECT rowid FROM names WHERE names MATCH ? ORDER BY rank LIMIT ?", [match, limit]
        )
    ]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(p):
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    return {"p50": at(50), "p95": at(95), "p99": at(99), "n": len(ordered)}


def measure(db, index_dir: str, fts_path: Path, sets: dict, time_limit: float) -> dict:
    fts = sqlite3.connect(str(fts_path))
    results: dict[str, dict] = {}
    capped, capped_same = 0, 0
    mix = []
    for kind, queries in sets.items():
        for text, filters in queries[:3]:  # warm caches once per type
            search.query(db, index_dir, text, browse.parse(filters), time_limit=time_limit)
        # Each engine in its own pass over the type's queries: a trigram LIKE
        # reads hundreds of megabytes, and run between two of ours it would
        # time ours on caches no production worker meets (and the reverse).
        ours, theirs, capped_queries = [], [], []
        read_before = _read_bytes()
        for text, filters in queries:
            f = browse.parse({k: str(v) for k, v in filters.items()})
            started = time.perf_counter()
            result = search.query(db, index_dir, text, f, page_size=20, time_limit=time_limit)
            ours.append((time.perf_counter() - started) * 1000)
            if result.timed_out:
                capped_queries.append((text, f, [i["id"] for i in result.items[:10]]))
        read_kb = (_read_bytes() - read_before) / 1024 / max(1, len(queries))
        for text, f, top in capped_queries:
            capped += 1
            full = search.query(db, index_dir, text, f, page_size=20, time_limit=60)
            capped_same += top == [i["id"] for i in full.items[:10]]
        for text, _ in queries:
            started = time.perf_counter()
            fts_query(fts, text)
            theirs.append((time.perf_counter() - started) * 1000)
        mix += ours
        results[kind] = {
            "whoosh": {**percentiles(ours), "read_kb": read_kb},
            "fts5": percentiles(theirs),
        }
    suggest_times, fts_suggest_ms = [], []
    prefixes = [text[:cut] for text, _ in sets["pinyin"] for cut in (2, 4, 6)]
    for prefix in prefixes:
        started = time.perf_counter()
        search.suggest(index_dir, prefix)
        suggest_times.append((time.perf_counter() - started) * 1000)
    for prefix in prefixes:
        started = time.perf_counter()
        fts_suggest(fts, prefix)
        fts_suggest_ms.append((time.perf_counter() - started) * 1000)
    results["suggest"] = {"whoosh": percentiles(suggest_times), "fts5": percentiles(fts_suggest_ms)}
    fts.close()
    return {
        "types": results,
        "mix": percentiles(mix),
        "capped": capped,
        "capped_top10_same": capped_same,
        "queries": len(mix),
    }


def _read_bytes() -> int:
    """Bytes this process has had read from disk (0 where Linux's counter is missing)."""
    try:
        with open("/proc/self/io") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("read_bytes:"))
    except (OSError, StopIteration):
        return 0


# --- edits ------------------------------------------------------------------------


def edit_latency(db, root: Path, edits: int, with_load: bool) -> dict:
    env = _env(root)
    log = open(root / "worker.log", "ab")
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "archive", "worker"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    stop = threading.Event()
    index_dir = str(root / "search_index")

    def visitors():
        own = database.connect(root / "archive.db")
        words = ["张", "全国劳动模范", "zhang", "技术", "2021 省五一劳动奖章"]
        i = 0
        while not stop.is_set():
            search.query(own, index_dir, words[i % len(words)])
            i += 1
        own.conn.close()

    load_thread = threading.Thread(target=visitors) if with_load else None
    try:
        # the worker is up once it has drained a first edit
        _edit_and_wait(db, index_dir, 1, "预热")
        if load_thread:
            load_thread.start()
        latencies = [_edit_and_wait(db, index_dir, 1 + k, f"编辑{k}") for k in range(edits)]
    finally:
        stop.set()
        if load_thread and load_thread.is_alive():
            load_thread.join()
        worker.terminate()
        worker.wait(30)
    return percentiles(latencies)


def _edit_and_wait(
    db, index_dir: str, honoree_id: int, tag: str, timeout: float = 120, found=None
) -> float:
    """Seconds from an edit of ``honoree_id``'s summary until a search finds it
    (``found(token)``, by default the default engine's search)."""
    token = f"验证{tag}{random.randrange(10**6):06d}号"
    with write(db):
        db.execute(
            "UPDATE honorees SET summary = ?, updated_at = ? WHERE id = ?",
            [f"{token}。", datetime.now(UTC).isoformat(), honoree_id],
        )
        honorees.note_change(db, honoree_id)
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if (
            found(token)
            if found
            else search.search(index_dir, f"“{token}”", limit=3) == [honoree_id]
        ):
            return time.perf_counter() - started
        time.sleep(0.02)
    raise RuntimeError(f"edit not searchable after {timeout} s")


def _env(root: Path) -> dict:
    import os

    env = dict(os.environ)
    env.update(
        ARCHIVE_DATABASE=str(root / "archive.db"),
        ARCHIVE_INDEX_DIR=str(root / "search_index"),
        ARCHIVE_MEDIA_DIR=str(root / "media"),
        ARCHIVE_INSTANCE_DIR=str(root / "instance"),
        ARCHIVE_SECRET_KEY="bench",
    )
    return env


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --- run --------------------------------------------------------------------------


def run_size(
    pool: list[dict] | None, size: int, workdir: Path, n_queries: int, edits: int, time_limit: float
) -> dict:
    """Build (or, when ``workdir`` already holds this size from a kept run, reuse)
    the corpus and both indexes, then measure queries and edits."""
    root = workdir / f"n{size}"
    saved = root / "bench.json"
    reused = saved.exists()
    if reused:
        built = json.loads(saved.read_text(encoding="utf-8"))
        print(f"[{size}] reusing {root}", file=sys.stderr)
        db = database.connect(root / "archive.db")
        migrations.apply(db)  # a run kept by older code
    else:
        built = _build_size(pool if pool is not None else demo_pool(workdir), size, root, n_queries)
        db = database.connect(root / "archive.db")
    sets = {
        kind: [tuple(q) for q in queries[:n_queries]] for kind, queries in built["sets"].items()
    }
    timings = measure(db, str(root / "search_index"), root / "fts.db", sets, time_limit)
    print(f"[{size}] queries measured", file=sys.stderr)
    edit_s = None
    if edits:
        edit_s = {
            "idle": edit_latency(db, root, edits, with_load=False),
            "searching": edit_latency(db, root, edits, with_load=True),
        }
    db.conn.close()
    return {
        "size": size,
        "story_chars": built["story_chars"],
        "build_s": built["build_s"],
        "index_bytes": built["index_bytes"],
        "reused": reused,
        **timings,
        "edit_s": edit_s,
    }


def _build_size(pool: list[dict], size: int, root: Path, n_queries: int) -> dict:
    rng = random.Random(size)
    root.mkdir()
    db = database.connect(root / "archive.db")
    migrations.apply(db)
    records = corpus(pool, size, rng)
    started = time.perf_counter()
    load(db, records)
    print(f"[{size}] corpus loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    started = time.perf_counter()
    generation = search.rebuild(db, root / "search_index")
    build_s = time.perf_counter() - started
    print(f"[{size}] whoosh built in {build_s:.0f} s", file=sys.stderr)
    fts_path = root / "fts.db"
    fts_s = fts_build(db, fts_path)
    print(f"[{size}] fts5 built in {fts_s:.0f} s", file=sys.stderr)
    db.conn.close()
    built = {
        "story_chars": percentiles([len(r["story"]) for r in records]),
        "build_s": {"whoosh": build_s, "fts5": fts_s},
        "index_bytes": {"whoosh": _size(generation), "fts5": fts_path.stat().st_size},
        "sets": query_set(records, n_queries, rng),
    }
    # what --reuse needs to measure again without rebuilding (the same queries)
    (root / "bench.json").write_text(json.dumps(built, ensure_ascii=False), encoding="utf-8")
    return built


def markdown(runs: list[dict], date: str, command: str) -> str:
    lines = [
        f"Run {date} on this shared 2-core machine (other engineers' work running): `{command}`.",
        "",
    ]
    for run in runs:
        n = run["size"]
        lines += [
            f"**{n:,} profiles** (stories {run['story_chars']['p50']}–"
            f"{run['story_chars']['p99']} chars, p50–p99)",
            "",
            "| | Whoosh (archive.search) | SQLite FTS5 trigram | ratio |",
            "| --- | ---: | ---: | ---: |",
            f"| build | {run['build_s']['whoosh']:.0f} s | {run['build_s']['fts5']:.0f} s | "
            f"{run['build_s']['whoosh'] / run['build_s']['fts5']:.1f}× |",
            f"| size | {run['index_bytes']['whoosh'] / 2**20:.0f} MiB | "
            f"{run['index_bytes']['fts5'] / 2**20:.0f} MiB | "
            f"{run['index_bytes']['whoosh'] / run['index_bytes']['fts5']:.2f}× |",
            "",
            "| query type (n) | Whoosh p50 / p95 / p99 ms | read from disk | "
            "FTS5 p50 / p95 / p99 ms | p95 ratio |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for kind, t in run["types"].items():
            w, f = t["whoosh"], t["fts5"]
            read = f"{w['read_kb']:.0f} KB/query" if "read_kb" in w else "–"
            lines.append(
                f"| {kind} ({w['n']}) | {w['p50']:.1f} / {w['p95']:.1f} / {w['p99']:.1f} | "
                f"{read} | {f['p50']:.1f} / {f['p95']:.1f} / {f['p99']:.1f} | "
                f"{w['p95'] / max(f['p95'], 0.001):.1f}× |"
            )
        mix = run["mix"]
        lines += [
            "",
            f"- whole mix ({run['queries']} queries, page with facets): p50 {mix['p50']:.0f} ms, "
            f"p95 {mix['p95']:.0f} ms, p99 {mix['p99']:.0f} ms (goal p95 ≤ {GOALS['mix_p95_ms']} ms)",
            f"- time cap reached: {run['capped']} of {run['queries']} queries; top 10 equal "
            f"to an uncapped run for {run['capped_top10_same']} of them",
        ]
        if run.get("edit_s"):
            edit_idle, edit_busy = run["edit_s"]["idle"], run["edit_s"]["searching"]
            lines.append(
                f"- edit → searchable (real worker): idle p50 {edit_idle['p50']:.2f} s, "
                f"p95 {edit_idle['p95']:.2f} s; while searching p50 "
                f"{edit_busy['p50']:.2f} s, p95 {edit_busy['p95']:.2f} s "
                f"({edit_idle['n']} edits each)"
            )
        if run.get("reused"):
            lines.append(
                "- index reused from a kept run (`--reuse`): build time and size are that run's"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="corpus sizes, comma-separated (default 10000,100000)",
    )
    parser.add_argument("--queries", type=int, default=40, help="queries per type")
    parser.add_argument("--edits", type=int, default=20, help="edits timed per condition")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=search.TIME_LIMIT,
        help="the per-query time cap, seconds",
    )
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument(
        "--reuse",
        metavar="FOLDER",
        help="a working folder kept by --keep: measure its indexes again "
        "without rebuilding (sizes it lacks are built into it); kept",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.reuse:
        workdir, args.keep = Path(args.reuse), True
    else:
        workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    runs = []
    try:
        pool = (
            None
            if all((workdir / f"n{n}" / "bench.json").exists() for n in sizes)
            else demo_pool(workdir)
        )
        for size in sizes:
            runs.append(run_size(pool, size, workdir, args.queries, args.edits, args.time_limit))
            _write(runs)
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    command = ".venv/bin/python -m bench.search " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    print(markdown(runs, datetime.now(UTC).date().isoformat(), command.strip()))
    return 0


def _write(runs: list[dict]) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    date = datetime.now(UTC).date().isoformat()
    (RESULTS_DIR / f"search-{date}.json").write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    sys.exit(main())
