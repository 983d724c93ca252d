"""How fast the archive serves visitors, with gunicorn as in production, on loopback.

    .venv/bin/python -m bench.serving [--duration 60] [--rate 100] [--workers 3] [--threads 8]
                                      [--keep]

Sets up a throwaway archive with the demo exhibit, serves it, and measures:

(a) throughput: wrk (2 threads, 10 connections, 15 s each in alternating rounds) against
    ``/healthz/live``, which never touches the database, and against profile pages cycling
    over every published honoree; the ratio profile/baseline says how much of the server's
    capacity the app's own work takes. The same ratio from gunicorn's own CPU time per
    request is given beside it: other work on a shared machine disturbs it much less.
(b) visitor traffic at a fixed rate: visits of a QR scan (``/q/<code>``, its 302 not
    followed), the profile it leads to, the portrait (webp, as a phone picks it) and a browse
    page. The load is open-loop: every request has a fixed send time, so a slow server cannot
    slow the generator, and latency is measured from that time (no coordinated omission).

Every request asks for compressed responses, as browsers do. CPU use is read from /proc
(Linux): gunicorn's, the load generator's, and the rest of the machine's, which, when it is
not near zero, means the machine was not quiet and the run is pessimistic. Results go to
``bench/results/serving-<date>.json``, followed by a Markdown snippet for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import math
import os
import random
import re
import resource
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from archive.catalogue.vocabulary import LEVELS
from archive.settings import defaults

from ._server import demo_archive, gunicorn

RESULTS_DIR = Path(__file__).resolve().parent / "results"
HEADERS = {"Accept-Encoding": "br, gzip", "User-Agent": "archive-bench"}
WRK_SECONDS, WRK_ROUNDS, WARM_UP_SECONDS = 15, 3, 3
CLIENT_THREADS = 64
TIMEOUT = 10
GOALS = {"ratio": 0.5, "p95_ms": 150, "p99_ms": 300}
QUIET_CORES = 0.2  # more CPU than this taken by other work spoils a run


@dataclass(frozen=True)
class Honoree:
    id: int
    code: str
    portrait: str | None  # path of the webp a phone's browser picks


@dataclass(frozen=True)
class Sample:
    kind: str
    send_lag: float  # seconds the request left after its scheduled time
    latency: float  # seconds from the scheduled time to the whole response
    error: str | None


# --- what a visitor can see ------------------------------------------------------


def _get_text(url: str) -> str:
    request = urllib.request.Request(url, headers={"User-Agent": HEADERS["User-Agent"]})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return response.read().decode()


def discover(base: str) -> tuple[list[Honoree], list[str]]:
    """Published honorees, through the API and their profile pages, and the browse pages."""
    items, page, pages = [], 1, 1
    while page <= pages:
        body = json.loads(_get_text(f"{base}/api/v1/honorees?per_page=100&page={page}"))
        items += body["items"]
        page, pages = page + 1, body["pages"]
    honorees = [Honoree(item["id"], item["code"], _portrait_webp(base, item)) for item in items]
    cities = sorted({item["region"]["city"] for item in items if item["region"]["city"]})
    pages = math.ceil(len(items) / defaults()["PAGE_SIZE"])
    browse = [f"/honorees?page={n}" for n in range(1, pages + 1)]
    browse += [f"/honorees?level={level}" for level in LEVELS]
    browse += [f"/honorees?region={quote(city)}" for city in cities]
    return honorees, browse


def _portrait_webp(base: str, item: dict) -> str | None:
    """The portrait's widest webp on the profile page: what a phone's high-density screen
    picks from the srcset."""
    if not item["portrait"]:
        return None
    jpeg = urlsplit(item["portrait"]["url"]).path
    html = _get_text(f"{base}/honorees/{item['id']}")
    for picture in re.findall(r"<picture[^>]*>.*?</picture>", html, re.S):
        if jpeg in picture:
            webp = re.findall(r"(/media/\S+\.webp) (\d+)w", picture)
            return max(webp, key=lambda found: int(found[1]))[0] if webp else None
    return None


def visits(
    honorees: list[Honoree], browse: list[str], rng: random.Random
) -> Iterator[tuple[str, str]]:
    """An endless stream of (kind, path): QR scan, profile, portrait, then a browse page."""
    while True:
        honoree = rng.choice(honorees)
        yield "short link", f"/q/{honoree.code}"
        yield "profile", f"/honorees/{honoree.id}"
        if honoree.portrait:
            yield "portrait", honoree.portrait
        yield "browse", rng.choice(browse)


# --- measuring -------------------------------------------------------------------


def _tree_seconds(pid: int) -> float:
    """CPU seconds used so far by a process and its descendants (Linux /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return 0.0
    own = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_tree_seconds(int(child)) for child in children)


def cpu_sample(server_pid: int) -> tuple[float, float, float, float]:
    """(wall clock, machine busy, gunicorn, load generator) in seconds; the load generator
    is this process and the children it waited for (wrk)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return (
        time.monotonic(),
        busy,
        _tree_seconds(server_pid),
        sum(u.ru_utime + u.ru_stime for u in usage),
    )


def cpu_seconds(start: tuple[float, float, float, float], server_pid: int) -> dict:
    """Wall and CPU seconds since ``start``: gunicorn, the load generator, and other work on
    the machine, which makes a run unreliable."""
    now = cpu_sample(server_pid)
    wall, machine, server, generator = (b - a for a, b in zip(start, now, strict=True))
    return {
        "wall": wall,
        "server": server,
        "load_generator": generator,
        "other": max(0.0, machine - server - generator),
    }


def cores(seconds: list[dict]) -> dict:
    """Average cores busy over one or more periods measured by :func:`cpu_seconds`."""
    wall = sum(s["wall"] for s in seconds)
    return {
        who: round(sum(s[who] for s in seconds) / wall, 2)
        for who in ("server", "load_generator", "other")
    }


def wrk(url: str, server_pid: int, seconds: int, script: Path | None = None) -> dict:
    """Requests, their duration, failures and CPU use of one wrk run (2 threads,
    10 connections)."""
    command = [
        "wrk",
        "-t2",
        "-c10",
        f"-d{seconds}s",
        "--timeout",
        f"{TIMEOUT}s",
        *itertools.chain.from_iterable(("-H", f"{k}: {v}") for k, v in HEADERS.items()),
        *(["-s", str(script)] if script else []),
        url,
    ]
    start = cpu_sample(server_pid)
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    requests = int(re.search(r"(\d+) requests in", output)[1])
    failures = re.findall(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests": requests,
        "seconds": requests / float(re.search(r"Requests/sec:\s*([\d.]+)", output)[1]),
        "errors": sum(map(int, failures + list(socket.groups() if socket else []))),
        "cpu": cpu_seconds(start, server_pid),
    }


def throughput(base: str, server_pid: int, profiles: list[str], folder: Path) -> dict:
    """wrk against the baseline and against profile pages, after a warm-up of each, in
    alternating rounds so that a change in other load on the machine touches both alike."""
    script = folder / "profiles.lua"
    script.write_text(
        "local paths = {" + ", ".join(f'"{p}"' for p in profiles) + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n"
    )
    targets = {"baseline": (f"{base}/healthz/live", None), "profile": (f"{base}/", script)}
    for url, lua in targets.values():
        wrk(url, server_pid, WARM_UP_SECONDS, lua)
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for _ in range(WRK_ROUNDS):
        for name, (url, lua) in targets.items():
            runs[name].append(wrk(url, server_pid, WRK_SECONDS // WRK_ROUNDS, lua))
    results = {}
    for name, rounds in runs.items():
        requests = sum(r["requests"] for r in rounds)
        results[name] = {
            "requests_per_s": round(requests / sum(r["seconds"] for r in rounds), 1),
            "errors": sum(r["errors"] for r in rounds),
            "server_cpu_ms_per_request": round(
                1000 * sum(r["cpu"]["server"] for r in rounds) / requests, 3
            ),
            "cpu_cores": cores([r["cpu"] for r in rounds]),
        }
    baseline, profile = results["baseline"], results["profile"]
    results["ratio"] = round(profile["requests_per_s"] / baseline["requests_per_s"], 3)
    results["ratio_by_server_cpu"] = round(
        baseline["server_cpu_ms_per_request"] / profile["server_cpu_ms_per_request"], 3
    )
    return results


def _get(connection: http.client.HTTPConnection, path: str) -> int:
    """GET on a keep-alive connection; if the server had closed it while idle, reconnect once."""
    reused = connection.sock is not None
    try:
        connection.request("GET", path, headers=HEADERS)
        response = connection.getresponse()
    except (ConnectionResetError, BrokenPipeError):
        connection.close()
        if not reused:
            raise
        connection.request("GET", path, headers=HEADERS)
        response = connection.getresponse()
    response.read()
    return response.status


def replay(base: str, requests: list[tuple[str, str]], rate: float) -> tuple[list[Sample], float]:
    """Send ``requests`` at ``rate`` per second on schedule; returns the samples and the
    wall time from the first scheduled send to the last response."""
    address = urlsplit(base)
    local = threading.local()

    def send(kind: str, path: str, scheduled: float) -> Sample:
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection(
                address.hostname, address.port, timeout=TIMEOUT
            )
        sent = time.perf_counter()
        error = None
        try:
            status = _get(local.connection, path)
            if not 200 <= status < 400:
                error = f"HTTP {status}"
        except (OSError, http.client.HTTPException) as exc:
            local.connection.close()
            error = type(exc).__name__
        return Sample(kind, sent - scheduled, time.perf_counter() - scheduled, error)

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        start = time.perf_counter() + 0.1
        futures = []
        for i, (kind, path) in enumerate(requests):
            scheduled = start + i / rate
            pause = scheduled - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            futures.append(pool.submit(send, kind, path, scheduled))
        samples = [future.result() for future in futures]
    return samples, time.perf_counter() - start


def percentile_ms(seconds: list[float], p: float) -> float:
    """The ``p``th percentile (nearest rank) of durations in seconds, in milliseconds."""
    ranked = sorted(seconds)
    return round(ranked[max(0, math.ceil(p / 100 * len(ranked)) - 1)] * 1000, 1)


def latency_summary(samples: list[Sample]) -> dict:
    """Count, errors and latency percentiles in milliseconds."""
    latencies = [s.latency for s in samples]
    return {
        "count": len(samples),
        "errors": sum(s.error is not None for s in samples),
        **{f"p{p}_ms": percentile_ms(latencies, p) for p in (50, 95, 99)},
        "max_ms": percentile_ms(latencies, 100),
    }


def traffic(
    base: str,
    server_pid: int,
    honorees: list[Honoree],
    browse: list[str],
    rate: float,
    duration: float,
) -> dict:
    """Fixed-rate visits for ``duration`` seconds, summarised overall and per kind of request."""
    plan = list(
        itertools.islice(visits(honorees, browse, random.Random(2019)), round(rate * duration))
    )
    start = cpu_sample(server_pid)
    samples, wall = replay(base, plan, rate)
    used = cpu_seconds(start, server_pid)
    errors: dict[str, int] = {}
    for sample in samples:
        if sample.error:
            errors[sample.error] = errors.get(sample.error, 0) + 1
    return {
        "rate": rate,
        "duration_s": duration,
        "achieved_rate": round(len(samples) / wall, 1),
        **latency_summary(samples),
        "error_kinds": errors,
        "by_kind": {
            kind: latency_summary([s for s in samples if s.kind == kind])
            for kind in dict.fromkeys(s.kind for s in samples)
        },
        "send_lag_p99_ms": percentile_ms([s.send_lag for s in samples], 99),
        "server_cpu_ms_per_request": round(1000 * used["server"] / len(samples), 3),
        "cpu_cores": cores([used]),
    }


# --- reporting -------------------------------------------------------------------


def machine() -> dict:
    model = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model[1] if model else "unknown",
        "python": sys.version.split()[0],
    }


def goals_met(result: dict) -> dict:
    t, tr = result["throughput"], result["traffic"]
    return {
        "ratio": t["ratio"] >= GOALS["ratio"],
        "no_errors": not (tr["errors"] or t["baseline"]["errors"] or t["profile"]["errors"]),
        "p95": tr["p95_ms"] <= GOALS["p95_ms"],
        "p99": tr["p99_ms"] <= GOALS["p99_ms"],
    }


def other_load(result: dict) -> float:
    """The most cores other work on the machine took during any measured phase."""
    t = result["throughput"]
    phases = (t["baseline"], t["profile"], result["traffic"])
    return max(phase["cpu_cores"]["other"] for phase in phases)


def _cores(used: dict) -> str:
    return f"{used['server']:.2f} / {used['load_generator']:.2f} / {used['other']:.2f}"


def summary_table(result: dict) -> str:
    t, tr = result["throughput"], result["traffic"]
    lines = [
        f"{'':16}{'req/s':>8}{'errors':>8}{'gunicorn CPU/req':>18}   "
        "CPU cores: gunicorn / load generator / other"
    ]
    for name in ("baseline", "profile"):
        run = t[name]
        lines.append(
            f"{'wrk ' + name:16}{run['requests_per_s']:>8.0f}{run['errors']:>8}"
            f"{run['server_cpu_ms_per_request']:>15.2f} ms   " + _cores(run["cpu_cores"])
        )
    lines += [
        f"ratio profile/baseline: {t['ratio']:.2f} (goal ≥ {GOALS['ratio']}); "
        f"by gunicorn CPU per request: {t['ratio_by_server_cpu']:.2f}",
        "",
        f"visitor traffic: {tr['count']} requests, {tr['achieved_rate']} req/s achieved "
        f"(asked {tr['rate']:g}), send lag p99 {tr['send_lag_p99_ms']} ms, gunicorn CPU "
        f"{tr['server_cpu_ms_per_request']:.2f} ms/request, "
        f"CPU cores {_cores(tr['cpu_cores'])}",
        f"{'':16}{'count':>8}{'errors':>8}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}  ms",
    ]
    for name, s in [("all", tr), *tr["by_kind"].items()]:
        lines.append(
            f"{name:16}{s['count']:>8}{s['errors']:>8}{s['p50_ms']:>9}{s['p95_ms']:>9}"
            f"{s['p99_ms']:>9}{s['max_ms']:>9}"
        )
    if tr["error_kinds"]:
        lines.append(f"errors: {tr['error_kinds']}")
    if other_load(result) > QUIET_CORES:
        lines.append(
            f"WARNING: other work took up to {other_load(result):.2f} cores: "
            "the machine was not quiet, so these results are pessimistic"
        )
    return "\n".join(lines)


def _yes(met: bool) -> str:
    return "yes" if met else "**no**"


def markdown(result: dict) -> str:
    t, tr, m, met = result["throughput"], result["traffic"], result["machine"], result["goals_met"]
    server = result["server"]
    return "\n".join(
        [
            f"### Serving — {result['date'][:10]}",
            "",
            f"`{result['command']}` · machine: {m['nproc']} CPUs (`nproc`), {m['cpu']}, "
            f"Python {m['python']} · gunicorn {server['workers']} workers × {server['threads']} "
            "threads, on the same machine as the load generator",
            "",
            "| measure | result | goal | met |",
            "| --- | --- | --- | --- |",
            f"| `/healthz/live`, wrk 10 connections | {t['baseline']['requests_per_s']:.0f} req/s"
            " | | |",
            f"| profile pages, wrk 10 connections | {t['profile']['requests_per_s']:.0f} req/s | | |",
            f"| ratio profile/baseline (by gunicorn CPU per request: "
            f"{t['ratio_by_server_cpu']:.2f}) | {t['ratio']:.2f} | ≥ {GOALS['ratio']} | "
            f"{_yes(met['ratio'])} |",
            f"| visitor traffic, {tr['rate']:g} req/s for {tr['duration_s']:g} s | {tr['count']} "
            f"requests, {tr['achieved_rate']} req/s, {tr['errors']} errors | no errors | "
            f"{_yes(met['no_errors'])} |",
            f"| latency p50 / p95 / p99 / max | {tr['p50_ms']} / {tr['p95_ms']} / {tr['p99_ms']} / "
            f"{tr['max_ms']} ms | p95 ≤ {GOALS['p95_ms']}, p99 ≤ {GOALS['p99_ms']} ms | "
            f"{_yes(met['p95'] and met['p99'])} |",
            *(
                []
                if result["machine_quiet"]
                else [
                    "",
                    f"Other work on the machine took up to {other_load(result):.2f} cores during "
                    "this run, so these results are pessimistic.",
                ]
            ),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.serving", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds of visitor traffic")
    parser.add_argument("--rate", type=float, default=100, help="visitor requests per second")
    parser.add_argument(
        "--workers",
        type=int,
        help="gunicorn worker processes",
        default=int(os.environ.get("ARCHIVE_WEB_WORKERS", 3)),
    )
    parser.add_argument(
        "--threads",
        type=int,
        help="threads per gunicorn worker",
        default=int(os.environ.get("ARCHIVE_WEB_THREADS", 8)),
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary archive folder")
    args = parser.parse_args()
    # `kill` unwinds like Ctrl+C, so gunicorn is stopped and the folder removed either way
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))

    with (
        demo_archive(args.keep) as (folder, env),
        gunicorn(folder, env, args.workers, args.threads) as (base, server_pid),
    ):
        honorees, browse = discover(base)
        profiles = [f"/honorees/{h.id}" for h in honorees]
        random.Random(2019).shuffle(profiles)
        print(
            f"serving {base}: {len(honorees)} published honorees, {len(browse)} browse pages",
            flush=True,
        )
        result = {
            "date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join([".venv/bin/python -m bench.serving", *sys.argv[1:]]),
            "machine": machine(),
            "server": {"workers": args.workers, "threads": args.threads},
            "throughput": throughput(base, server_pid, profiles, folder),
            "traffic": traffic(base, server_pid, honorees, browse, args.rate, args.duration),
        }
    result["goals_met"] = goals_met(result)
    result["machine_quiet"] = other_load(result) <= QUIET_CORES

    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"serving-{result['date'][:10]}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(summary_table(result), f"\nresults: {path}\n", markdown(result), sep="\n")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # gunicorn is already stopped
        sys.exit(130)
