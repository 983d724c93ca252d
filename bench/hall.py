"""The panoramic hall: (1) generating the hall of a 485-honoree exhibition (time and
peak memory of the process); (2) bytes and time to the first panorama frame on a phone
(390×844, DPR 3) over an emulated 1.6 Mbps / 300 ms RTT link (Chromium DevTools network
emulation), entered from the hall's QR address; (3) Pannellum against Photo Sphere
Viewer 5 (+ markers, virtual tour, three.js) on the same link and the same picture;
(4) an uploaded 8192×4096 panorama: the request's part against the worker's.

    .venv/bin/python -m bench.hall [--viewers NODE_MODULES | --no-viewers]

For part (3) both viewers are installed with npm from the registry into a cache folder
outside the archive (~/.cache/archive-bench/viewers; --viewers points at another
node_modules). Nothing of it is vendored or served by the archive but Pannellum.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from ._server import PROJECT_ROOT, demo_archive, gunicorn

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"]
LINK = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 1.6e6 / 8,
    "uploadThroughput": 0.75e6 / 8,
}


def generate(env: dict) -> dict:
    started = time.monotonic()
    subprocess.run(
        [str(Path(sys.executable).with_name("flask")), "--app", "archive", "hall", "generate", "1"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return {
        "seconds": time.monotonic() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def _phone(p):
    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", LINK)
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    page.bench_urls = urls
    return browser, page, sizes


def _settled(page, deadline: float) -> None:
    """Until Pannellum wants no more tiles for the view it shows: it stops drawing
    once the tiles it knows of are in, so ask for two more frames (the view kept as
    it is) and wait while anything loads, until a round asks for nothing new."""
    while True:
        count = len(page.bench_urls)
        page.evaluate(
            "hallViewer.setPitch(hallViewer.getPitch()) && new Promise(done => "
            "requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        while page.evaluate("hallViewer.getRenderer().isLoading()"):
            if time.monotonic() > deadline:
                raise TimeoutError("tiles still loading")
            time.sleep(0.05)
        if len(page.bench_urls) == count:
            return


def first_frame(base: str, code: str) -> dict:
    """Open /q/<code> as a phone would after a scan and time, from the navigation's
    start: Pannellum's first frame (``loaded_s``), the last byte of the last tile of
    the first view (``tiles_in_s``: every tile Pannellum draws for it, all levels),
    and when the network fell quiet (``idle_s``: after the other rooms' settings,
    fetched once the first view is in). ``bytes`` counts everything before those
    settings (page, styles, scripts, viewer, tiles; transfer sizes)."""
    with sync_playwright() as p:
        browser, page, sizes = _phone(p)
        started = time.monotonic()
        page.goto(f"{base}/q/{code}")
        page.wait_for_function("window.hallViewer && window.hallViewer.isLoaded()", timeout=120000)
        loaded = page.evaluate("performance.now()") / 1000
        _settled(page, started + 120)
        page.wait_for_load_state("networkidle")
        idle = time.monotonic() - started - 0.5
        timings = page.evaluate(
            "performance.getEntriesByType('resource').map(e => [e.name, e.responseEnd])"
        )
        browser.close()
    tiles = [end for name, end in timings if "/tiles/" in name]
    later = {i for i, url in page.bench_urls.items() if "/hall/scenes.json" in url}
    return {
        "loaded_s": loaded,
        "tiles_in_s": max(tiles) / 1000,
        "idle_s": idle,
        "tiles": len(tiles),
        "requests": len(sizes) - len(later),
        "bytes": sum(n for i, n in sizes.items() if i not in later),
        "rooms_json_bytes": sum(n for i, n in sizes.items() if i in later),
    }


class _Gzip(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped like the archive serves its scripts; remembers which
    files each bench page asked for."""

    page = ""
    served: dict[str, set[str]] = {}

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_file():
            _Gzip.served.setdefault(_Gzip.page, set()).add(
                path.relative_to(self.directory).as_posix()
            )
        if path.suffix in (".js", ".css", ".html") and path.is_file():
            body = gzip.compress(path.read_bytes(), 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        return super().send_head()

    def log_message(self, *args):
        pass


PANNELLUM = """<!doctype html><meta name=viewport content="width=device-width">
<link rel=stylesheet href=pannellum/build/pannellum.css><script src=pannellum/build/pannellum.js></script>
<div id=p style="width:100vw;height:100vh"></div><script>
var v = pannellum.viewer('p', {type:'equirectangular', panorama:'pano.jpg', autoLoad:true, hfov:80});
v.on('load', function(){ requestAnimationFrame(function(){ window.firstFrame = performance.now(); }); });
</script>"""
# Photo Sphere Viewer 5 as its documentation loads it without a bundler: ES modules
# through an import map, three.js beside it, with the two plugins a hall needs.
PSV = """<!doctype html><meta name=viewport content="width=device-width">
<link rel=stylesheet href=@photo-sphere-viewer/core/index.css>
<link rel=stylesheet href=@photo-sphere-viewer/markers-plugin/index.css>
<link rel=stylesheet href=@photo-sphere-viewer/virtual-tour-plugin/index.css>
<script type=importmap>{"imports":{"three":"./three/build/three.module.js",
"@photo-sphere-viewer/core":"./@photo-sphere-viewer/core/index.module.js",
"@photo-sphere-viewer/markers-plugin":"./@photo-sphere-viewer/markers-plugin/index.module.js",
"@photo-sphere-viewer/virtual-tour-plugin":"./@photo-sphere-viewer/virtual-tour-plugin/index.module.js"}}
</script>
<div id=p style="width:100vw;height:100vh"></div><script type=module>
import {Viewer} from '@photo-sphere-viewer/core';
import {MarkersPlugin} from '@photo-sphere-viewer/markers-plugin';
import {VirtualTourPlugin} from '@photo-sphere-viewer/virtual-tour-plugin';
const v = new Viewer({container:'p', panorama:'pano.jpg', defaultZoomLvl:30, navbar:false,
  plugins:[MarkersPlugin, VirtualTourPlugin]});
v.addEventListener('ready', () => requestAnimationFrame(() => { window.firstFrame = performance.now(); }), {once:true});
</script>"""
PACKAGES = [
    "pannellum@2.5.7",
    "@photo-sphere-viewer/core@5",
    "@photo-sphere-viewer/markers-plugin@5",
    "@photo-sphere-viewer/virtual-tour-plugin@5",
]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "archive-bench" / "viewers"


def fetch_viewers(cache: Path = CACHE) -> Path:
    """Both viewers from the npm registry into a cache folder outside the archive
    (three.js comes as Photo Sphere Viewer's own dependency, at the version it asks
    for); nothing of it is served by the archive. Returns the node_modules folder."""
    modules = cache / "node_modules"
    if not (modules / "@photo-sphere-viewer" / "virtual-tour-plugin").is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(cache),
                *PACKAGES,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=600,
        )
    return modules


def _version(modules: Path, name: str) -> str:
    return json.loads((modules / name / "package.json").read_text())["version"]


def code_size(root: Path, page: str) -> int:
    """gzip -9 bytes of the scripts and styles a bench page loads (from the server's
    log of what was asked for)."""
    return sum(
        len(gzip.compress((root / name).read_bytes(), 9))
        for name in sorted(_Gzip.served.get(page, set()))
        if name.endswith((".js", ".css"))
    )


def viewers(node_modules: Path, picture: Path) -> dict:
    """Time to the first frame of each viewer showing the same picture on the same
    phone and link, served gzipped by one static server; bytes on the wire."""
    root = Path(tempfile.mkdtemp(prefix="viewers-"))
    for name in ("pannellum", "@photo-sphere-viewer", "three"):
        shutil.copytree(node_modules / name, root / name)
    shutil.copy(picture, root / "pano.jpg")
    (root / "pannellum.html").write_text(PANNELLUM)
    (root / "psv.html").write_text(PSV)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: _Gzip(*a, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    found = {
        "versions": {
            n: _version(node_modules, n)
            for n in ("pannellum", "@photo-sphere-viewer/core", "three")
        }
    }
    try:
        for name in ("pannellum", "psv", "pannellum", "psv", "pannellum", "psv"):
            _Gzip.page = name
            with sync_playwright() as p:
                browser, page, sizes = _phone(p)
                errors: list[str] = []
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.goto(f"http://127.0.0.1:{server.server_port}/{name}.html")
                run = {}
                try:
                    page.wait_for_function("window.firstFrame", timeout=120000)
                    run["first_frame_s"] = page.evaluate("window.firstFrame") / 1000
                    run["canvas"] = page.evaluate("!!document.querySelector('#p canvas')")
                except Exception as exc:  # noqa: BLE001 - reported, not hidden
                    run = {"error": str(exc).splitlines()[0], "page_errors": errors[:5]}
                run["bytes"] = sum(sizes.values())
                browser.close()
            found.setdefault(name, {"runs": []})["runs"].append(run)
        for name in ("pannellum", "psv"):
            found[name]["code_gzip_bytes"] = code_size(root, name)
    finally:
        server.shutdown()
        shutil.rmtree(root, ignore_errors=True)
    return found


def upload(width: int = 8192) -> dict:
    """An uploaded equirectangular photo (a noisy gradient, so it compresses like a
    photograph): what the request does now (check, decode, re-encode without
    metadata) against what the worker does after it (cube faces, tiles, preview),
    which the request used to do too."""
    import io

    import numpy as np
    from PIL import Image

    from archive.halls import panoramas

    rng = np.random.default_rng(16)
    height = width // 2
    ramp = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
    pixels = (ramp + rng.normal(0, 18, (height, width, 3))).clip(0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=88)
    del pixels
    data = buffer.getvalue()
    with tempfile.TemporaryDirectory(prefix="hall-upload-") as media:
        started = time.monotonic()
        image = panoramas.check_panorama(data)
        panoramas._keep_original(image, panoramas.original_path(media, "up-bench"))
        request_s = time.monotonic() - started
        del image
        started = time.monotonic()
        panoramas.cut(media, "up-bench")
        worker_s = time.monotonic() - started
    return {
        "photo": f"{width}×{height}",
        "bytes": len(data),
        "request_s": request_s,
        "worker_s": worker_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--viewers",
        type=Path,
        help="a node_modules folder with both viewers (default: fetched "
        f"from the npm registry into {CACHE})",
    )
    parser.add_argument(
        "--no-viewers", action="store_true", help="skip part (3), the two viewers side by side"
    )
    parser.add_argument(
        "--upload-only",
        action="store_true",
        help="only part (4): an 8192×4096 upload, request against worker",
    )
    args = parser.parse_args()
    if args.upload_only:
        print(json.dumps({"upload": upload()}, indent=1, ensure_ascii=False))
        return
    if not args.no_viewers and args.viewers is None:
        args.viewers = fetch_viewers()
    result: dict = {}
    with demo_archive() as (root, env):
        env = {**env, "ARCHIVE_BASE_URL": "https://archive.example.org"}
        result["generate"] = generate(env)
        with sqlite3.connect(root / "archive.db") as db:
            code = db.execute("SELECT code FROM halls WHERE exhibition_id = 1").fetchone()[0]
            honorees = db.execute(
                "SELECT count(*) FROM hall_hotspots p JOIN hall_scenes s ON s.id = p.scene_id "
                "JOIN halls h ON h.id = s.hall_id WHERE h.exhibition_id = 1 "
                "AND p.kind = 'portrait'"
            ).fetchone()[0]
            tiles = db.execute(
                "SELECT tiles FROM hall_scenes s JOIN halls h ON h.id = s.hall_id"
                " WHERE h.exhibition_id = 1 AND s.key = h.entrance_key"
            ).fetchone()[0]
        result["generate"]["portraits"] = honorees
        with gunicorn(root, env, 2, 8) as (base, _):
            runs = [first_frame(base, code) for _ in range(3)]
        result["first_frame"] = dict(max(runs, key=lambda r: r["tiles_in_s"]))
        result["first_frame"]["runs"] = runs
        print(json.dumps(result, indent=1, ensure_ascii=False), flush=True)
        if args.viewers:
            result["viewers"] = viewers(
                args.viewers, root / "media" / "halls" / tiles / "panorama.jpg"
            )
    result["upload"] = upload()
    print(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
