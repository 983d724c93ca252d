"""Visitors while slow clients hang on: gunicorn alone and nginx in front, on loopback.

    .venv/bin/python -m bench.slow_clients [--duration 30] [--rate 100] [--slow 50]
                                           [--worker-class gthread gevent] [--no-nginx]

Sets up a throwaway archive with the demo exhibit and measures:

(a) for each gunicorn worker class asked for (default: the one archive.gunicorn_conf
    uses), gunicorn alone as ``serve`` runs it: the visitor mix of bench.serving (QR scan,
    profile, portrait, browse; open loop at ``--rate`` req/s) while ``--slow`` slowloris
    sockets from 127.0.0.2 are open, half sending headers and half a POST body one byte
    every 0.5 s; p95 and errors (goal: no errors, p95 ≤ 200 ms);
(b) the same through nginx with deploy/nginx.conf (HTTPS, micro-cache, media by
    X-Accel-Redirect), the slow sockets now speaking TLS to nginx;
(c) wrk (2 threads, 10 connections, HTTPS) through nginx: profile pages cycling over every
    published honoree (served from the micro-cache once warm) against a static file nginx
    sends itself (``/static/site.css``); the ratio profile/static (goal ≥ 0.5).

Results go to ``bench/results/slow-clients-<date>.json`` and a Markdown snippet.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import random
import signal
import ssl
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from tests.front import Slowloris, nginx

from . import serving
from ._server import demo_archive, free_port, gunicorn

GOALS = {"p95_ms": 200, "ratio": 0.5}
DEFAULT_CLASS = "gthread"


def replay(connect, requests, rate: float) -> list[serving.Sample]:
    """bench.serving's open-loop replay over connections made by ``connect()``."""
    local = threading.local()

    def send(kind: str, path: str, scheduled: float) -> serving.Sample:
        if not hasattr(local, "connection"):
            local.connection = connect()
        sent = time.perf_counter()
        error = None
        try:
            status = serving._get(local.connection, path)
            if not 200 <= status < 400:
                error = f"HTTP {status}"
        except (OSError, http.client.HTTPException) as exc:
            local.connection.close()
            error = type(exc).__name__
        return serving.Sample(kind, sent - scheduled, time.perf_counter() - scheduled, error)

    with ThreadPoolExecutor(serving.CLIENT_THREADS) as pool:
        start = time.perf_counter() + 0.1
        futures = []
        for i, (kind, path) in enumerate(requests):
            scheduled = start + i / rate
            pause = scheduled - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            futures.append(pool.submit(send, kind, path, scheduled))
        return [future.result() for future in futures]


def under_attack(
    connect, port: int, slow: int, plan, rate: float, tls: ssl.SSLContext | None
) -> dict:
    """The visitor plan while ``slow`` slowloris sockets (half headers, half bodies) hang on."""
    with (
        Slowloris(port, count=slow // 2, tls=tls) as heads,
        Slowloris(port, count=slow - slow // 2, body=True, tls=tls) as bodies,
    ):
        samples = replay(connect, plan, rate)
        reopened = heads.reopened + bodies.reopened
    errors: dict[str, int] = {}
    for sample in samples:
        if sample.error:
            errors[sample.error] = errors.get(sample.error, 0) + 1
    return {
        **serving.latency_summary(samples),
        "error_kinds": errors,
        "slow_sockets": slow,
        "slow_sockets_reopened": reopened,
        "by_kind": {
            kind: serving.latency_summary([s for s in samples if s.kind == kind])
            for kind in dict.fromkeys(s.kind for s in samples)
        },
    }


def wrk_ratio(base: str, server_pid: int, profiles: list[str], folder: Path) -> dict:
    script = folder / "profiles.lua"
    script.write_text(
        "local paths = {" + ", ".join(f'"{p}"' for p in profiles) + "}\n"
        "local i = 0\nrequest = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n'
    )
    targets = {"static": (f"{base}/static/site.css", None), "profile": (f"{base}/", script)}
    for url, lua in targets.values():
        serving.wrk(url, server_pid, serving.WARM_UP_SECONDS, lua)
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for _ in range(serving.WRK_ROUNDS):
        for name, (url, lua) in targets.items():
            runs[name].append(
                serving.wrk(url, server_pid, serving.WRK_SECONDS // serving.WRK_ROUNDS, lua)
            )
    result = {
        name: {
            "requests_per_s": round(
                sum(r["requests"] for r in rounds) / sum(r["seconds"] for r in rounds), 1
            ),
            "errors": sum(r["errors"] for r in rounds),
        }
        for name, rounds in runs.items()
    }
    result["ratio"] = round(
        result["profile"]["requests_per_s"] / result["static"]["requests_per_s"], 3
    )
    return result


def markdown(result: dict) -> str:
    def ok(run):
        return "yes" if not run["errors"] and run["p95_ms"] <= GOALS["p95_ms"] else "**no**"

    lines = [
        f"### Slow clients — {result['date'][:10]}",
        "",
        f"`{result['command']}` · {result['machine']['nproc']} CPUs, "
        f"{result['rate']:g} req/s for {result['duration_s']:g} s, "
        f"{result['slow']} slowloris sockets from 127.0.0.2 (half headers, half bodies, "
        "one byte every 0.5 s)",
        "",
        "| front | requests | errors | p50 / p95 / p99 / max ms | goal met (no errors, "
        f"p95 ≤ {GOALS['p95_ms']} ms) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, run in result["runs"].items():
        lines.append(
            f"| {name} | {run['count']} | {run['errors']} {run['error_kinds'] or ''} | "
            f"{run['p50_ms']} / {run['p95_ms']} / {run['p99_ms']} / {run['max_ms']} | "
            f"{ok(run)} |"
        )
    if "wrk" in result:
        w = result["wrk"]
        lines += [
            "",
            "| wrk through nginx (HTTPS, 10 connections) | req/s |",
            "| --- | --- |",
            f"| `/static/site.css` (nginx alone) | {w['static']['requests_per_s']:.0f} |",
            f"| profile pages (micro-cache) | {w['profile']['requests_per_s']:.0f} |",
            f"| ratio profile/static (goal ≥ {GOALS['ratio']}) | {w['ratio']:.2f} |",
        ]
    return "\n".join(lines)


def _plan(base: str, count: float) -> tuple[list, list[str]]:
    """The visitor plan and every profile path, from what gunicorn shows directly."""
    honorees, browse = serving.discover(base)
    plan = list(
        itertools.islice(serving.visits(honorees, browse, random.Random(2019)), round(count))
    )
    return plan, [f"/honorees/{h.id}" for h in honorees]


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.slow_clients", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--slow", type=int, default=50, help="slowloris sockets")
    parser.add_argument(
        "--worker-class",
        nargs="+",
        default=[None],
        help="gunicorn worker classes to measure alone (default: the configured)",
    )
    parser.add_argument("--no-nginx", action="store_true")
    parser.add_argument("--only-nginx", action="store_true", help="skip gunicorn alone")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))

    result = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python -m bench.slow_clients", *sys.argv[1:]]),
        "machine": serving.machine(),
        "rate": args.rate,
        "duration_s": args.duration,
        "slow": args.slow,
        "runs": {},
    }
    with demo_archive() as (folder, env):
        visitors: tuple | None = None
        for worker_class in [] if args.only_nginx else args.worker_class:
            extra = {"GUNICORN_CMD_ARGS": f"--worker-class {worker_class}"} if worker_class else {}
            with gunicorn(folder, {**env, **extra}, args.workers, args.threads) as (base, pid):
                visitors = visitors or _plan(base, args.rate * args.duration)
                plan, profiles = visitors
                port = int(base.rsplit(":", 1)[1])
                name = f"gunicorn alone ({worker_class or 'configured'})"
                print(f"{name} …", flush=True)
                result["runs"][name] = under_attack(
                    lambda port=port: http.client.HTTPConnection(
                        "127.0.0.1", port, timeout=serving.TIMEOUT
                    ),
                    port,
                    args.slow,
                    plan,
                    args.rate,
                    None,
                )
        if not args.no_nginx:
            generation = folder / "generation"
            front_env = {
                **env,
                "ARCHIVE_TRUSTED_PROXIES": "1",
                "ARCHIVE_ACCEL_REDIRECT_PREFIX": "/_media",
                "ARCHIVE_GENERATION_LINK": str(generation),
            }
            with (
                gunicorn(folder, front_env, args.workers, args.threads) as (base, pid),
                tempfile.TemporaryDirectory(prefix="archive-nginx-") as tmp,
                nginx(
                    Path(tmp),
                    int(base.rsplit(":", 1)[1]),
                    env["ARCHIVE_MEDIA_DIR"],
                    str(generation),
                    free_port(),
                    free_port(),
                ) as front,
            ):
                visitors = visitors or _plan(base, args.rate * args.duration)
                plan, profiles = visitors
                print("nginx in front …", flush=True)
                tls = front.tls()
                result["runs"]["nginx + gunicorn (configured)"] = under_attack(
                    lambda: http.client.HTTPSConnection(
                        "127.0.0.1", front.https_port, timeout=serving.TIMEOUT, context=tls
                    ),
                    front.https_port,
                    args.slow,
                    plan,
                    args.rate,
                    tls,
                )
                print("wrk through nginx …", flush=True)
                result["wrk"] = wrk_ratio(front.base, front.process.pid, profiles, Path(tmp))
                statuses = [
                    line.rsplit("cache=", 1)[-1]
                    for line in (Path(tmp) / "access.log").read_text().splitlines()
                ]
                result["wrk"]["cache_statuses"] = {s: statuses.count(s) for s in set(statuses)}
    serving.RESULTS_DIR.mkdir(exist_ok=True)
    path = serving.RESULTS_DIR / f"slow-clients-{result['date'][:10]}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"results: {path}\n", markdown(result), sep="\n")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
