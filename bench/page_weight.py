"""Page weight of a profile as a phone sees it: HTML size, first-screen bytes and
all bytes of a first visit, measured in headless Chromium on the demo archive.

    .venv/bin/python -m bench.page_weight

Budgets (issue 2): HTML ≤ 30 KB uncompressed; first screen (the compressed HTML plus
the render-blocking CSS) ≤ 14 KB; a first visit ≤ 250 KB including the portrait;
no request to any other host.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from urllib.parse import urlparse

BUDGETS = {
    "html_bytes": 30 * 1024,
    "first_screen_bytes": 14 * 1024,
    "first_visit_bytes": 250 * 1024,
}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def measure(browser, url: str) -> dict:
    """Open ``url`` in a fresh phone-sized context and account for every byte."""
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 360, "height": 780},
        device_scale_factor=3,
        is_mobile=True,
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    responses: dict[str, dict] = {}
    cdp.on(
        "Network.responseReceived",
        lambda e: responses.__setitem__(
            e["requestId"],
            {
                "url": e["response"]["url"],
                "type": e["type"],
                "encoding": {k.lower(): v for k, v in e["response"]["headers"].items()}.get(
                    "content-encoding", ""
                ),
            },
        ),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: responses.get(e["requestId"], {}).__setitem__("transfer", e["encodedDataLength"]),
    )
    page.goto(url, wait_until="networkidle")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images too
    page.wait_for_load_state("networkidle")
    html = page.evaluate("document.documentElement.outerHTML")
    context.close()
    host = urlparse(url).netloc
    items = [r for r in responses.values() if "transfer" in r]
    document = next(r for r in items if r["type"] == "Document")
    styles = [r for r in items if r["type"] == "Stylesheet"]
    return {
        "url": url,
        "html_bytes": len(html.encode("utf-8")),
        "html_transfer_bytes": document["transfer"],
        "html_encoding": document["encoding"],
        "first_screen_bytes": document["transfer"] + sum(r["transfer"] for r in styles),
        "first_visit_bytes": sum(r["transfer"] for r in items),
        "requests": len(items),
        "other_hosts": sorted(
            {
                urlparse(r["url"]).netloc
                for r in items
                if urlparse(r["url"]).netloc not in (host, "")
            }
        ),
        "by_type": {
            t: sum(r["transfer"] for r in items if r["type"] == t)
            for t in sorted({r["type"] for r in items})
        },
    }


SLOW_LINK = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
SHOWN = """name => {
    const h1 = document.querySelector('h1.name');
    const img = document.querySelector('.portrait img');
    return h1 && h1.textContent.trim() === name && img && img.complete && img.naturalWidth > 0;
}"""


def slow_link_seconds(browser, url: str, name: str | None) -> float:
    """Seconds on 1.6 Mbps / 300 ms with a cold cache from opening ``url`` until
    the name and portrait are shown (``name`` None: until the response is read)."""
    import time

    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 360, "height": 780},
        device_scale_factor=3,
        is_mobile=True,
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
    started = time.monotonic()
    if name is None:
        page.goto(url, wait_until="load")
    else:
        page.goto(url, wait_until="commit")
        page.wait_for_function(SHOWN, arg=name, timeout=60_000, polling=50)
    elapsed = time.monotonic() - started
    context.close()
    return elapsed


def main() -> None:
    from playwright.sync_api import sync_playwright

    from archive import migrations, search
    from archive.demo import load as demo_load
    from tests.conftest import Archive, config_for, free_port, start_gunicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=10, help="profiles to measure")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="page-weight-"))
    archive = Archive(root, config_for(root))
    db = archive.db()
    migrations.apply(db)
    demo_load.load(db, archive.config["MEDIA_DIR"], archive.config["DEMO_DIR"])
    search.rebuild(db, archive.config["INDEX_DIR"])
    ids = [
        r[0]
        for r in db.execute(
            "SELECT id FROM honorees WHERE status = 'published' ORDER BY length(story) DESC, id"
        )
    ]
    # the heaviest stories first, then a spread of others
    chosen = ids[: args.profiles // 2] + ids[len(ids) // 2 :][: args.profiles - args.profiles // 2]
    port = free_port()
    server = start_gunicorn(archive, port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            results = [measure(browser, f"http://127.0.0.1:{port}/honorees/{i}") for i in chosen]
            # a scan on a slow link: /q/<code> → name and portrait, against one round
            # trip for a tiny answer from the same server on the same link
            scans, floor = [], []
            for i in chosen:
                code, name = db.execute(
                    "SELECT code, name FROM honorees WHERE id = ?", [i]
                ).fetchone()
                scans.append(slow_link_seconds(browser, f"http://127.0.0.1:{port}/q/{code}", name))
                floor.append(
                    slow_link_seconds(browser, f"http://127.0.0.1:{port}/healthz/live", None)
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(15)
        archive.close()
    worst = {key: max(r[key] for r in results) for key in BUDGETS}
    print(json.dumps(results[0], ensure_ascii=False, indent=2))
    print(
        f"\n| measure | worst of {len(results)} profiles | budget | met |\n| --- | --- | --- | --- |"
    )
    for key, budget in BUDGETS.items():
        print(
            f"| {key} | {worst[key]:,} B | {budget:,} B | {'yes' if worst[key] <= budget else 'NO'} |"
        )
    print(
        f"| other hosts | {sorted({h for r in results for h in r['other_hosts']}) or 'none'} | none | |"
    )
    scans.sort()
    floor.sort()
    print(
        f"\nScan on 1.6 Mbps / 300 ms, cold cache, until name and portrait show: median "
        f"{scans[len(scans) // 2]:.2f} s, worst {scans[-1]:.2f} s (goal ≤ 2.5 s); a tiny "
        f"answer on the same link: median {floor[len(floor) // 2]:.2f} s; ratio "
        f"{scans[len(scans) // 2] / floor[len(floor) // 2]:.1f}×"
    )


if __name__ == "__main__":
    main()
