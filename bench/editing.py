"""How fast a curator's save is while visitors are being served, with gunicorn as in
production, on loopback.

    .venv/bin/python -m bench.editing [--saves 150] [--rate 100] [--workers 3] [--threads 8]

Sets up a throwaway archive with the demo exhibit and a curator account, serves it,
logs in, and measures the save of an edited profile (POST of the whole edit form:
version check, database update, revision snapshot and index outbox row in one
transaction, then the 302), from the request leaving to the response:

(a) quiet: saves one after another with no other traffic (the baseline);
(b) loaded: the same saves while ``bench.serving``'s open-loop generator sends visitor
    traffic (QR scan, profile, portrait, browse) at a fixed rate.

Prints a summary and a Markdown snippet for BENCHMARKS.md; the goal is p95 ≤ 100 ms
under load.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import itertools
import json
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

from ._server import demo_archive, gunicorn
from .serving import (
    RESULTS_DIR,
    cores,
    cpu_sample,
    cpu_seconds,
    discover,
    latency_summary,
    machine,
    replay,
    visits,
)

GOAL_P95_MS = 100
PASSWORD = "bench curator password"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Curator:
    """A logged-in browser session: cookies, CSRF tokens, the edit form."""

    def __init__(self, base: str):
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _NoRedirect()
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict) -> int:
        body = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:  # 302 arrives as an "error" without redirects
            exc.read()
            exc.close()
            return exc.code

    def login(self, username: str) -> None:
        token = re.search(r'name="csrf_token" value="([^"]+)"', self.get("/curate/login"))[1]
        status = self.post(
            "/curate/login", {"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert status == 302, status

    def edit_form(self, honoree_id: int) -> dict:
        page = self.get(f"/curate/honorees/{honoree_id}")
        form = re.search(r'id="record">(.*?)</form>', page, re.S)[1]
        fields = dict(
            re.findall(r'<input(?: type="hidden")? name="(\w+)"[^>]*? value="([^"]*)"', form)
        )
        fields.update(re.findall(r'<textarea name="(\w+)"[^>]*>(.*?)</textarea>', form, re.S))
        fields["kind"] = re.search(r'<option value="(\w+)" selected', form)[1]
        return {k: html.unescape(v) for k, v in fields.items()}

    def timed_save(self, honoree_id: int, n: int) -> tuple[float, int]:
        """Open the edit page (not timed), change the story, time the save."""
        fields = self.edit_form(honoree_id)
        fields["story"] = fields.get("story", "") + f"\n\n补记 {n}。"
        fields["action"] = "save"
        started = time.perf_counter()
        status = self.post(f"/curate/honorees/{honoree_id}", fields)
        return time.perf_counter() - started, status


def percentiles(seconds: list[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)

    def pick(p: float) -> float:
        return round(ms[max(0, -(-len(ms) * p // 100) - 1)], 1)

    return {
        "count": len(ms),
        "p50_ms": pick(50),
        "p95_ms": pick(95),
        "p99_ms": pick(99),
        "max_ms": round(ms[-1], 1),
    }


def saves(
    curator: Curator, ids: list[int], count: int, pause: float, rng: random.Random
) -> tuple[list[float], int]:
    timings, failures = [], 0
    for n in range(count):
        took, status = curator.timed_save(rng.choice(ids), n)
        timings.append(took)
        failures += status != 302
        time.sleep(pause)
    return timings, failures


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.editing", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--saves", type=int, default=150, help="saves in each phase")
    parser.add_argument("--rate", type=float, default=100, help="visitor requests per second")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    args = parser.parse_args()

    with demo_archive() as (folder, env):
        subprocess.run(
            [
                str(Path(sys.executable).with_name("flask")),
                "--app",
                "archive",
                "create-user",
                "benchcurator",
                "--role",
                "admin",
                "--password",
                PASSWORD,
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        with gunicorn(folder, env, args.workers, args.threads) as (base, server_pid):
            honorees, browse = discover(base)
            ids = [h.id for h in honorees]
            curator = Curator(base)
            curator.login("benchcurator")
            rng = random.Random(5)
            saves(curator, ids, 10, 0, rng)  # warm-up
            quiet, quiet_failures = saves(curator, ids, args.saves, 0.05, rng)

            # visitors for as long as the loaded saves take (estimated generously)
            duration = max(20.0, args.saves * (sum(quiet) / len(quiet) + 0.25) * 1.5)
            plan = list(
                itertools.islice(
                    visits(honorees, browse, random.Random(2019)), round(args.rate * duration)
                )
            )
            visitor: dict = {}

            def serve_visitors():
                samples, wall = replay(base, plan, args.rate)
                visitor.update(
                    latency_summary(samples), achieved_rate=round(len(samples) / wall, 1)
                )

            start = cpu_sample(server_pid)
            thread = threading.Thread(target=serve_visitors)
            thread.start()
            time.sleep(2)  # let the visitor load reach its rate
            loaded, loaded_failures = saves(curator, ids, args.saves, 0.2, rng)
            thread.join()
            used = cores([cpu_seconds(start, server_pid)])

    result = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python -m bench.editing", *sys.argv[1:]]),
        "machine": machine(),
        "server": {"workers": args.workers, "threads": args.threads},
        "quiet": {**percentiles(quiet), "failures": quiet_failures},
        "loaded": {**percentiles(loaded), "failures": loaded_failures},
        "visitors": {"rate": args.rate, **visitor},
        "cpu_cores_loaded": used,
    }
    result["ratio_p95"] = round(result["loaded"]["p95_ms"] / result["quiet"]["p95_ms"], 2)
    result["goal_met"] = (
        result["loaded"]["p95_ms"] <= GOAL_P95_MS
        and not loaded_failures
        and not visitor.get("errors")
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"editing-{result['date'][:10]}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2), f"\nresults: {path}\n")
    print(markdown(result))


def markdown(result: dict) -> str:
    q, lo, v, m = result["quiet"], result["loaded"], result["visitors"], result["machine"]
    cores = result["cpu_cores_loaded"]
    return "\n".join(
        [
            f"### Editing — {result['date'][:10]}",
            "",
            f"`{result['command']}` · machine: {m['nproc']} CPUs, {m['cpu']}, Python {m['python']}"
            f" · gunicorn {result['server']['workers']} workers × {result['server']['threads']} "
            "threads, load generator on the same machine",
            "",
            "| measure | p50 | p95 | p99 | max | failures |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| save, quiet ({q['count']} saves) | {q['p50_ms']} | {q['p95_ms']} | {q['p99_ms']} | "
            f"{q['max_ms']} ms | {q['failures']} |",
            f"| save, with {v['rate']:g} visitor req/s ({lo['count']} saves) | {lo['p50_ms']} | "
            f"{lo['p95_ms']} | {lo['p99_ms']} | {lo['max_ms']} ms | {lo['failures']} |",
            f"| visitor requests ({v.get('count')}, {v.get('achieved_rate')} req/s achieved) | "
            f"{v.get('p50_ms')} | {v.get('p95_ms')} | {v.get('p99_ms')} | {v.get('max_ms')} ms | "
            f"{v.get('errors')} |",
            "",
            f"Ratio p95 loaded/quiet: {result['ratio_p95']}. Goal: save p95 ≤ {GOAL_P95_MS} ms under "
            f"load — {'met' if result['goal_met'] else '**not met**'}. CPU cores during the loaded "
            f"phase: gunicorn {cores['server']}, load generator {cores['load_generator']}, other "
            f"work {cores['other']}.",
        ]
    )


if __name__ == "__main__":
    main()
