"""The static edition (export-site): full export time and size, incremental export
after one edit, and the static search (Pagefind in Chromium) against the live one.

    .venv/bin/python -m bench.static_site [--sizes demo,10000] [--keep] [--workdir DIR]
        [--no-share-images]

* demo: the demo exhibit (records/demo/) loaded into a fresh archive; 10000: the
  synthetic corpus of bench/search.py (no photos, no short codes);
* full export (first run: QR and share images are drawn and cached on the way),
  size of the edition, Pagefind's share of the time;
* incremental export after one story edit and after one withdrawal;
* the static search against the live one: on the demo the relevance set of
  tests/search/test_search_relevance.py, on a synthetic corpus 120 sampled names, pinyin,
  initials and surnames; run through the live search (archive.search) and through the
  static search page's own function (folded query, Pagefind, the first 50 results'
  data, ranked) in headless Chromium over a plain static server: the share of queries
  whose first result agrees, and p50/p95 per query.

Results go to ``bench/results/static-site-<date>.json``; a Markdown snippet is printed.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

from archive import search
from archive.catalogue import browse, honorees
from archive.db import write
from archive.demo import load as demo_load
from archive.static_site import Options, export_site
from tests.conftest import DEMO_DIR, fresh_archive

DATE = "2026-12-04"


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _archive(kind: str, root: Path):
    archive = fresh_archive(root)
    db = archive.db()
    if kind == "demo":
        demo_load.load(db, archive.config["MEDIA_DIR"], DEMO_DIR)
    else:
        from bench import search as bench_search

        pool = bench_search.demo_pool(root / "pool")
        bench_search.load(db, bench_search.corpus(pool, int(kind), random.Random(7)))
    search.rebuild(db, archive.config["INDEX_DIR"])
    return archive


def _edit(archive, status: str | None = None) -> int:
    db = archive.db()
    honoree_id = db.execute(
        "SELECT id FROM honorees WHERE status = 'published' ORDER BY id LIMIT 1 OFFSET 7"
    ).fetchone()[0]
    with write(db):
        if status:
            db.execute("UPDATE honorees SET status = ? WHERE id = ?", [status, honoree_id])
        else:
            db.execute("UPDATE honorees SET story = story || '（补记）' WHERE id = ?", [honoree_id])
        honorees.note_change(db, honoree_id)
    return honoree_id


STEPS = {"story edit": None, "withdrawal": "withdrawn"}


def run_size(kind: str, workdir: Path, options: Options, steps=tuple(STEPS)) -> dict:
    root = workdir / kind
    if (root / "archive.db").exists():  # --workdir of a kept run: its archive, a new edition
        from tests.conftest import Archive, config_for

        archive = Archive(root, config_for(root))
        shutil.rmtree(root / "edition", ignore_errors=True)
    else:
        archive = _archive(kind, root)
    app = archive.app()
    out = root / "edition"
    result: dict = {"size": kind, "share_images": options.share_images}
    full = export_site(app, out, options)
    result["full"] = {
        "seconds": round(full.seconds, 1),
        "files": full.files,
        "mb": round(_size(out) / 1e6, 1),
        "pagefind_seconds": round(full.search_seconds, 1),
        "rendered": full.rendered,
    }
    again = export_site(app, out, options)
    result["unchanged_seconds"] = round(again.seconds, 2)
    for label in steps:
        _edit(archive, STEPS[label])
        step = export_site(app, out, options)
        result[label] = {
            "seconds": round(step.seconds, 2),
            "rendered": step.rendered,
            "written": step.written,
            "deleted": step.deleted,
            "pagefind_seconds": round(step.search_seconds, 2),
        }
    groups = relevance_cases() if kind == "demo" else sampled_cases(archive)
    result["search"] = compare_search(archive, out, groups)
    archive.close()
    return result


def relevance_cases() -> dict[str, list[tuple[str, dict]]]:
    """The relevance set of tests/search/test_search_relevance.py (demo), by category."""
    from tests.search.test_search_relevance import build_cases

    records = [
        json.loads(line)
        for line in (DEMO_DIR / "honorees.jsonl").open(encoding="utf-8")
        if line.strip()
    ]
    manifest = json.loads((DEMO_DIR / "manifest.json").read_text(encoding="utf-8"))
    return {
        category: [(c.query, c.filters) for c in group]
        for category, group in build_cases(records, manifest).items()
    }


def sampled_cases(archive, count: int = 120) -> dict[str, list[tuple[str, dict]]]:
    """For a synthetic corpus: the names, full pinyin, initials and surnames of
    ``count`` public honorees picked at random (seeded) — what visitors type."""
    db = archive.db()
    rows = db.execute(
        f"SELECT name, name_pinyin, name_initials FROM honorees h "
        f"WHERE {honorees.PUBLIC} ORDER BY id"
    ).fetchall()
    picked = random.Random(11).sample(rows, min(count, len(rows)))
    quarter = max(1, len(picked) // 4)
    return {
        "full name": [(r[0], {}) for r in picked[:quarter]],
        "full pinyin": [(r[1], {}) for r in picked[quarter : 2 * quarter]],
        "initials": [(r[2], {}) for r in picked[2 * quarter : 3 * quarter]],
        "surname": [(r[0][0], {}) for r in picked[3 * quarter :]],
    }


def compare_search(archive, out: Path, groups: dict[str, list[tuple[str, dict]]]) -> dict:
    """First results of the live search and of the static one (the search page's
    own function: folded query, Pagefind, the first 50 results' data, ranked) in
    headless Chromium over a plain static server; time per static query."""
    from playwright.sync_api import sync_playwright

    from tests.static_site_helpers import serve

    cases = [case for group in groups.values() for case in group]
    db = archive.db()
    live = []
    for query, filters in cases:
        parsed = browse.parse({k: str(v) for k, v in filters.items()})
        found = search.query(
            db,
            archive.config["INDEX_DIR"],
            query,
            parsed,
            page_size=10,
            with_facets=False,
            time_limit=10,
        )
        live.append(found.items[0]["id"] if found.items else None)
    url, stop = serve(out)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page(locale="zh-CN")
            page.goto(f"{url}/search/index.html")
            page.wait_for_function("window.editionSearch && window.EDITION_FOLD")
            page.evaluate(
                "async () => { window.pf = await window.editionPagefind();"
                " await window.pf.init(); }"
            )
            static, times = [], []
            for query, filters in cases:
                answer = page.evaluate(
                    """async ([q, filters]) => {
                    const t = performance.now();
                    const found = await window.editionSearch(window.pf, q, filters, 50);
                    const data = found.data;
                    return [performance.now() - t, data.length ? data[0].url : null];
                }""",
                    [query, {k: str(v) for k, v in filters.items()}],
                )
                times.append(answer[0])
                static.append(int(answer[1].split("/")[2]) if answer[1] else None)
            browser.close()
    finally:
        stop()
    agree = sum(a == b for a, b in zip(live, static, strict=True))
    times.sort()
    by_category, index = {}, 0
    for category, group in groups.items():
        hits = sum(live[i] == static[i] for i in range(index, index + len(group)))
        by_category[category] = [len(group), hits]
        index += len(group)
    misses = [[q, f, a, b] for (q, f), a, b in zip(cases, live, static, strict=True) if a != b]
    return {
        "queries": len(cases),
        "first_result_agrees": agree,
        "share": round(agree / len(cases), 3),
        "p50_ms": round(times[len(times) // 2], 1),
        "p95_ms": round(times[int(len(times) * 0.95)], 1),
        "by_category": by_category,
        "misses": misses,
    }


def _step(step: dict) -> str:
    """An incremental run: its time, and apart the pages redrawn and the search index."""
    pages = step["seconds"] - step["pagefind_seconds"]
    return (
        f"{step['seconds']} s: pages {pages:.2f} s ({step['rendered']} rendered, "
        f"{step['written']} rewritten, {step['deleted']} deleted) + Pagefind "
        f"{step['pagefind_seconds']} s"
    )


def markdown(runs: list[dict], command: str) -> str:
    lines = [
        f"Command: `{command}` ({DATE}, 2 shared cores)",
        "",
        "| profiles | full export | files | size | Pagefind | unchanged | one story edit | "
        "one withdrawal |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in runs:
        lines.append(
            f"| {r['size']} | {r['full']['seconds']} s | {r['full']['files']} | "
            f"{r['full']['mb']} MB | {r['full']['pagefind_seconds']} s | "
            f"{r['unchanged_seconds']} s | "
            + " | ".join(_step(r[k]) if k in r else "not run" for k in STEPS)
            + " |"
        )
    for r in runs:
        if "search" in r:
            s = r["search"]
            where = (
                "the relevance set"
                if r["size"] == "demo"
                else f"{s['queries']} sampled names, pinyin, initials and surnames ({r['size']})"
            )
            lines += [
                "",
                f"Static search (Pagefind, Chromium) on {where}: first result "
                f"agrees with the live search on {s['first_result_agrees']} of "
                f"{s['queries']} queries ({s['share']:.0%}); p50 {s['p50_ms']} ms, "
                f"p95 {s['p95_ms']} ms per query.",
                "",
                "| category | queries | first result agrees |",
                "| --- | --- | --- |",
            ]
            lines += [f"| {c} | {n} | {a} |" for c, (n, a) in s["by_category"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="demo,10000")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--workdir", type=Path, help="a kept run's folder: reuse its archives")
    parser.add_argument(
        "--no-share-images",
        action="store_true",
        help="editions without the share/long/card PNGs (export-site's flag)",
    )
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        help="incremental runs measured after the full one, in order (default: all)",
    )
    args = parser.parse_args(argv)
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    if any(s not in STEPS for s in steps):
        parser.error(f"--steps: one or more of {', '.join(STEPS)}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-static-"))
    options = Options(share_images=not args.no_share_images)
    runs = []
    try:
        for kind in args.sizes.split(","):
            runs.append(run_size(kind, workdir, options, steps))
            print(json.dumps(runs[-1], ensure_ascii=False), flush=True)
    finally:
        if args.keep or args.workdir:
            print("kept", workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / f"static-site-{DATE}.json").write_text(
        json.dumps(runs, ensure_ascii=False, indent=1)
    )
    print(markdown(runs, "python -m bench.static_site " + " ".join(argv or sys.argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
