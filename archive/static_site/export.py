"""Writing the static edition: every public page rendered through the app itself
(so the edition shows exactly what the live site shows), rewritten to relative
links, written only where its bytes changed; a manifest in OUT remembers the
content generation, each file's hash and which honorees it shows, so the next run
redraws only what changed and deletes what was withdrawn."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import shutil
import tempfile
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote

from flask import Flask, render_template

from archive.catalogue import browse
from archive.printing import qr

from .. import db as database
from .. import forking
from ..halls import store as halls
from . import kiosk_hall, records, redirects, rewrite, search_index
from .changes import Changes
from .manifest import Manifest
from .paths import SEARCH_PAGE, Target, classify

PROFILE = re.compile(r"^/honorees/(\d+)$")
PROFILE_FILE = re.compile(r"^honorees/(\d+)/index\.html$")
OWN_PAGE = re.compile(r"^/honorees/(\d+)(?:/|$)")  # a profile, its album, ?ex= variants
HONOREE_LINK = re.compile(r"/honorees/(\d+)")
HALL = re.compile(r"^/exhibitions/(\d+)/hall$")
CARD_PAGE = re.compile(r"^/(honours|years)/([^/?]+)$")  # lists of one title's or year's cards
PARALLEL_FROM = 200  # a queue this long is rendered by a pool of processes
BATCH = 256  # targets handed to the pool at a time (their links join the queue)
_WORKER: dict = {}


@dataclass
class Options:
    kiosk: bool = False
    idle_minutes: float = 3.0
    site_url: str = ""  # where the edition is published (sitemap, robots); default BASE_URL
    base_path: str = "/"  # its path on that host (nginx map, _redirects)
    beacon_url: str = ""  # the live archive that counts scans (SCAN_BEACON_URL)
    full: bool = False
    search: bool = True  # build the Pagefind index
    jobs: int = 0  # processes that render pages (0: one per core, long queues)
    share_images: bool = True  # the profiles' share, long and card PNGs (WeChat sharing)

    def shape(self) -> dict:
        """The options that change every page (a change means a full export)."""
        return {
            "kiosk": self.kiosk,
            "idle_minutes": self.idle_minutes,
            "site_url": self.site_url,
            "beacon_url": self.beacon_url,
            "base_path": self.base_path,
            "share_images": self.share_images,
        }


@dataclass
class Report:
    generation: int = 0
    mode: str = "full"  # full, incremental or unchanged
    rendered: int = 0
    written: int = 0
    deleted: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    search_seconds: float = 0.0
    search_shards: int = 0  # Pagefind shards indexed again
    renderers: int = 1  # processes that rendered pages (a forked pool, or this one)
    changed_honorees: list[int] = field(default_factory=list)

    def summary(self) -> str:
        names = {"full": "完整导出", "incremental": "增量导出", "unchanged": "内容未变"}
        return (
            f"{names[self.mode]}：内容版本 {self.generation}，渲染 {self.rendered} 个，"
            f"写入 {self.written} 个，删除 {self.deleted} 个；共 {self.files} 个文件，"
            f"{self.bytes / 1e6:.1f} MB，用时 {self.seconds:.1f} 秒"
        )


class Edition:
    """One export run into ``out``."""

    def __init__(self, app: Flask, out: str | Path, options: Options | None = None, progress=None):
        self.app = app
        self.out = Path(out)
        self.options = options or Options()
        self.base_url = app.config["BASE_URL"].rstrip("/")
        self.site_url = (self.options.site_url or self.base_url).rstrip("/")
        self.progress = progress or (lambda message: None)
        self.client = app.test_client()
        # a cookie keeps the export out of the page cache (it renders every page once anyway)
        self.client.set_cookie("edition_export", "1")
        self.rewriter = rewrite.Rewriter(
            self.base_url, self._linked, None if self.options.share_images else _share_image
        )
        self.queue: deque[Target] = deque()
        self.seen: set[str] = set()
        self.manifest: Manifest | None = None
        self.generated: dict[str, str] | None = None  # the last run's own files' hashes
        self.unchanged: list[str] = []  # of those, the ones made again the same
        self.report = Report()
        self.records: dict[int, dict] = {}
        self.touched: set[int] = set()  # profiles redrawn or removed: their search shards
        self.shards: dict | None = None
        self.pool = None

    # --- the run ------------------------------------------------------------------

    def run(self) -> Report:
        started = time.monotonic()
        browse.FACET_MEMO = {}
        self.out.mkdir(parents=True, exist_ok=True)
        self.manifest = Manifest(self.out)
        db = database.connect(self.app.config["DATABASE"])
        try:
            self._run(db)
            self.manifest.commit()
        finally:
            db.conn.close()
            self.manifest.close()
            browse.FACET_MEMO = None
            if self.pool is not None:
                self.pool.terminate()
                self.pool.join()
        self.report.seconds = time.monotonic() - started
        return self.report

    def _run(self, db) -> None:
        manifest = self.manifest
        self.report.generation = database.generation(db)
        fingerprints = _fingerprints(db, self.app.config)
        old_fingerprints = manifest.get("fingerprints") or {}
        incremental = (
            not self.options.full
            and not manifest.fresh
            and manifest.get("options") == self.options.shape()
            and old_fingerprints.get("global") == fingerprints["global"]
        )
        known = manifest.fingerprints() if incremental else {}
        self.records = records.public(db, known)
        self.shards = manifest.get("search_shards")
        if incremental and manifest.get("generation") == self.report.generation:
            self.report.mode = "unchanged"
        else:
            if incremental:
                self.report.mode = "incremental"
                exhibitions = old_fingerprints.get("exhibitions") != fingerprints["exhibitions"]
                self._plan_incremental(known, exhibitions)
            else:
                self._plan_full()
            changed = [i for i, r in self.records.items() if "search" in r]
            manifest.put_records(self.records, changed, self._fallback_item)
            if self.options.kiosk:  # linked by rewrite.kiosk, after the crawl's rewriting
                for asset in ("kiosk.css", "kiosk.js"):
                    self._linked(classify(f"/static/edition/{asset}", ""))
            for (exhibition_id,) in db.execute(
                "SELECT h.exhibition_id FROM halls h JOIN exhibitions e ON "
                "e.id = h.exhibition_id WHERE e.status = 'published'"
            ):
                self._linked(classify(f"/exhibitions/{exhibition_id}/hall", ""))
            self._crawl()
            self._finish(db)
        self.report.files, self.report.bytes = manifest.totals()
        if database.generation(db) == self.report.generation:
            # what the pages were drawn from, with what drawing them made (an
            # album's code is made the first time its page is drawn); after an
            # edit during the run, the start's, so the next run sees the edit
            fingerprints = _fingerprints(db, self.app.config)
        manifest.set("generation", self.report.generation)
        manifest.set("options", self.options.shape())
        manifest.set("fingerprints", fingerprints)
        manifest.set("search_shards", self.shards)
        manifest.set("report", asdict(self.report))

    def _plan_full(self) -> None:
        self.report.mode = "full"
        self.report.changed_honorees = sorted(self.records)
        for url in ["/", "/honorees", "/exhibitions", "/api/v1/honorees.csv"]:
            self._linked(classify(url, ""))
        for honoree_id in self.records:
            self._link_profile(honoree_id)

    def _plan_incremental(self, known: dict[int, dict], exhibitions: bool) -> None:
        """Keep every file of the last run; redraw the ones a change shows
        (``Manifest.redrawn``) and draw the profiles of new public records."""
        changes = Changes.between(known, self.records, self.manifest.details, exhibitions)
        self.report.changed_honorees = sorted(changes.honorees)
        self.seen = set(self.manifest.paths())
        for path, url in self.manifest.redrawn(changes):
            self.queue.append(Target("page" if path.endswith(".html") else "file", path, fetch=url))
        for i in set(self.records) - set(known):
            self.seen.discard(f"honorees/{i}/index.html")
            self._link_profile(i)

    def search_fields(self, honoree_id: int) -> dict:
        """A public record's search fields: made this run when it changed, else the
        last run's (the manifest's)."""
        record = self.records[honoree_id]
        if "search" not in record:
            record["search"] = self.manifest.details([honoree_id])[honoree_id]["search"]
        return record["search"]

    def _fallback_item(self, honoree_id: int) -> str:
        return search_index.fallback_item(honoree_id, self.records[honoree_id]["search"])

    def has(self, path: str) -> bool:
        """Whether the edition holds this file (made this run or kept)."""
        return self.manifest.has(path)

    def _link_profile(self, honoree_id: int) -> None:
        """A profile and its QR images in every print size."""
        self._linked(classify(f"/honorees/{honoree_id}", ""))
        for size in qr.SIZES:
            self._linked(classify(f"/qr/{self.records[honoree_id]['code']}.png?size={size}", ""))

    # --- crawling -------------------------------------------------------------------

    def _linked(self, target: Target) -> None:
        if target.kind in ("page", "file") and target.fetch and target.file not in self.seen:
            self.seen.add(target.file)
            self.queue.append(target)

    def _crawl(self) -> None:
        """Render the queue; the pages' links join it as they are rewritten. A long
        queue is rendered by forked processes (each with its own test client), in
        order, while this one rewrites and writes what they send back. Only a process
        with no other thread forks (``flask export-site`` is one): a child forked while
        another thread holds a lock can wait on it for ever, so an export run inside a
        threaded process (a test, a web worker) renders in this process."""
        jobs = self.options.jobs or os.cpu_count() or 1
        if not forking.safe():  # native threads count (archive.forking)
            jobs = 1
        # chosen jobs: always; one per core: only for a long queue (forking costs)
        least = 1 if self.options.jobs else PARALLEL_FROM
        done = 0
        while self.queue:
            if self.pool is None and jobs > 1 and len(self.queue) >= least:
                _WORKER["app"] = self.app
                self.pool = multiprocessing.get_context("fork").Pool(jobs, _start_worker)
                self.report.renderers = jobs
            if self.pool is None:
                batch = [self.queue.popleft()]
                answers = [_render(self.client, batch[0].fetch)]
            else:
                batch = [self.queue.popleft() for _ in range(min(BATCH, len(self.queue)))]
                answers = self.pool.imap(_render_in_worker, [t.fetch for t in batch], 4)
            for target, answer in zip(batch, answers, strict=True):
                self._store(target, *answer)
                done += 1
                if done % 500 == 0:
                    self.progress(f"已渲染 {done} 个，待处理 {len(self.queue)} 个")

    def _store(self, target: Target, status: int, body: bytes, mimetype: str) -> None:
        self.report.rendered += 1
        if status != 200:
            gone = PROFILE.match(target.fetch)
            if gone:  # withdrawn: out of the search index too
                self.touched.add(int(gone[1]))
            self._remove(target.file)
            return
        entry: dict = {"url": target.fetch}
        path = target.fetch.split("?", 1)[0]
        indexed = None  # a profile the search index holds
        if mimetype == "text/html":
            text = body.decode()
            entry.update(_shown(path, target.fetch, {int(m) for m in HONOREE_LINK.findall(text)}))
            if HALL.match(path):
                text = self._whole_hall(text)
                scripts = self._tiles(text)
                if scripts:
                    entry["scripts"] = scripts
            text = self.rewriter.page(target.file, text)
            profile = PROFILE.match(path)
            if profile and "?" not in target.fetch:
                honoree_id = int(profile[1])
                if honoree_id in self.records:
                    text = rewrite.annotate_profile(text, self.search_fields(honoree_id))
                    entry["unit"] = self.records[honoree_id]["unit"]
                    indexed = honoree_id
            body = self._page_extras(target.file, text, entry.get("scripts")).encode()
        else:
            entry["whole"] = self._owner(path)
        if path.startswith("/api/"):
            entry["always"] = True
        if self._write(target.file, body, entry) and indexed is not None:
            self.touched.add(indexed)  # its shard of the search index is made again

    def _page_extras(self, file: str, text: str, scripts: list[str] | None = None) -> str:
        if self.options.kiosk:
            text = rewrite.kiosk(text, file, self.options.idle_minutes)
        if scripts:
            text = kiosk_hall.with_scripts(text, file, scripts)
        return text

    def _owner(self, path: str) -> list[int]:
        """The honoree a file belongs to (so its withdrawal redraws and removes it)."""
        match = re.match(r"^/honorees/(\d+)/", path)
        if match:
            return [int(match[1])]
        match = re.match(r"^/qr/([A-Za-z0-9]+)\.", path)
        if match:
            if not hasattr(self, "_codes"):
                self._codes = {r["code"]: i for i, r in self.records.items()}
            owner = self._codes.get(match[1])
            return [owner] if owner else []
        if path.startswith("/media/"):
            return self._media_owner(path)
        return []

    def _media_owner(self, path: str) -> list[int]:
        if not hasattr(self, "_media_owners"):
            db = database.connect(self.app.config["DATABASE"])
            try:
                self._media_owners = {
                    f"/media/{r[0]}": r[1]
                    for r in db.execute(
                        "SELECT m.name, p.honoree_id FROM media_files m "
                        "JOIN photos p ON p.id = m.photo_id WHERE p.honoree_id IS NOT NULL"
                    )
                }
                self._media_owners.update(
                    {
                        f"/media/video/{r[0]}.mp4": r[1]
                        for r in db.execute("SELECT id, honoree_id FROM videos")
                    }
                )
            finally:
                db.conn.close()
        owner = self._media_owners.get(path)
        return [owner] if owner else []

    def _whole_hall(self, text: str) -> str:
        """The live hall page carries its first room and fetches the others' settings
        (``more``); the edition has no server to ask, so its page carries them all."""
        match = rewrite.HALL_CONFIG.search(text)
        if not match:
            return text
        config = json.loads(match[2])
        more = config.pop("more", None)
        if more:
            response = self.client.get(more, headers={"Accept-Encoding": "identity"})
            try:
                if response.status_code == 200:
                    config["scenes"] = {**response.get_json(), **config["scenes"]}
            finally:
                response.close()
        blob = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
        return text[: match.start(2)] + blob + text[match.end(2) :]

    def _tiles(self, text: str) -> list[str]:
        """A hall's tiles are fetched by the viewer, never linked: list them. In a
        kiosk, also each room's tiles as a script (the hall from ``file://``)."""
        match = rewrite.HALL_CONFIG.search(text)
        scripts: list[str] = []
        if not match:
            return scripts
        config = json.loads(match[2])
        root = halls.media_root(self.app.config["MEDIA_DIR"])
        for scene in config["scenes"].values():
            base = scene["base"]
            token = base.rstrip("/").rsplit("/", 1)[-1]
            folder = root / token
            if not folder.is_dir():
                continue
            for file in sorted(folder.rglob("*.jpg")):
                self._linked(classify(f"{base}/{file.relative_to(folder).as_posix()}", ""))
            if self.options.kiosk:
                script = f"{base.strip('/')}/{kiosk_hall.SCRIPT}"
                self.write_generated(script, kiosk_hall.tile_script(folder, token))
                scripts.append(script)
        return scripts

    # --- files -------------------------------------------------------------------------

    def _write(self, file: str, body: bytes, entry: dict, digest: str | None = None) -> bool:
        """Write a file unless it holds these bytes already; whether it was written."""
        digest = digest or hashlib.sha256(body).hexdigest()
        entry.update(sha256=digest, size=len(body))
        target = self.out / file
        if not (self.manifest.sha256(file) == digest and target.exists()):
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(body)
            os.replace(tmp, target)
            self.report.written += 1
            written = True
        else:
            written = False
        self.manifest.put_file(file, entry)
        return written

    def write_generated(self, file: str, body: bytes, **entry) -> None:
        """A file the exporter makes itself (search page, redirects, sitemap). Most
        are made again the same each run (a redirect page per QR code): one found
        as the last run made it is only marked kept."""
        self.seen.add(file)
        if self.generated is None:
            self.generated = self.manifest.generated()
        digest = hashlib.sha256(body).hexdigest()
        if self.generated.get(file) == digest and (self.out / file).exists():
            self.unchanged.append(file)
        else:
            self._write(file, body, {"url": None, **entry}, digest)

    def _remove(self, file: str) -> None:
        had = self.manifest.drop_file(file)
        try:
            (self.out / file).unlink()
        except FileNotFoundError:
            if not had:
                return
        self.report.deleted += 1
        _prune(self.out, (self.out / file).parent)

    def _finish(self, db) -> None:
        """The files the exporter writes itself, then everything no longer made.
        Pagefind indexes the shards it has to meanwhile, in a thread (it runs in
        processes of its own; the thread only waits for them)."""
        with tempfile.TemporaryDirectory(dir=self.out.parent, prefix=".pagefind-") as tmp:
            shards = self._start_shards(Path(tmp)) if self.options.search else None
            with self.app.test_request_context("/search"):
                page = render_template("static_site/search.html")
            self.write_generated(
                SEARCH_PAGE,
                self._page_extras(SEARCH_PAGE, self.rewriter.page(SEARCH_PAGE, page)).encode(),
            )
            self._crawl()  # the search page's own assets
            redirects.write(self, db)
            search_index.write_fallback(self)
            search_index.write_fold(self)
            self.unchanged += self.manifest.scripts()  # a kiosk hall's tiles (made by the crawl)
            if shards is not None:
                self._finish_shards(*shards)
            self._sitemap()
        self.manifest.touch(self.unchanged)
        for path in self.manifest.stale(everything=self.report.mode == "full"):
            self._remove(path)

    def _start_shards(self, tmp: Path) -> tuple:
        """Which Pagefind shards to index again: those of the profiles this run
        redrew or removed (every shard in a full run, or when a shard's files are
        missing); their indexing started in a thread."""
        profiles = sorted(
            int(m[1])
            for p in self.manifest.paths("honorees/*/index.html")
            if (m := PROFILE_FILE.match(p))
        )
        old = self.shards if self.report.mode != "full" else None
        size = old["size"] if old else search_index.shard_size(profiles)
        had = set(old["shards"]) if old else set()
        members: dict[int, list[int]] = {}
        for honoree_id in profiles:
            members.setdefault(search_index.shard_of(honoree_id, size), []).append(honoree_id)
        stale = {search_index.shard_of(i, size) for i in self.touched} | {
            k
            for k in members
            if k not in had or not (self.out / search_index.BUNDLE / f"s{k}").is_dir()
        }
        answer: dict = {"started": time.monotonic()}

        def index() -> None:
            try:
                answer["bundles"] = search_index.index_shards(
                    self.out, {k: members.get(k, []) for k in stale}, tmp
                )
            except BaseException as exc:  # raised again by _finish_shards
                answer["error"] = exc

        thread = threading.Thread(target=index, name="pagefind")
        thread.start()
        return thread, answer, size, members, stale

    def _finish_shards(self, thread, answer, size, members, stale) -> None:
        """The indexed shards' files written, the others' kept, and their list."""
        thread.join()
        if "error" in answer:
            raise answer["error"]
        built = search_index.store_shards(self, answer["bundles"])
        live = sorted(k for k in members if built.get(k) or k not in stale)
        for k in live:
            if k not in stale:
                self.manifest.keep(f"{search_index.BUNDLE}/s{k}/")
        self.shards = {"size": size, "shards": live}
        self.report.search_shards = len(stale)
        self.report.search_seconds = time.monotonic() - answer["started"]
        search_index.write_shard_list(self, live)

    def _sitemap(self) -> None:
        pages = [
            p
            for p in self.manifest.paths("*index.html")
            if not p.startswith(("q/", "search/", f"{search_index.BUNDLE}/"))
        ]
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        ]
        for page in pages:
            lines.append(f"<url><loc>{self.site_url}/{page[: -len('index.html')]}</loc></url>")
        lines.append("</urlset>")
        self.write_generated("sitemap.xml", ("\n".join(lines) + "\n").encode())
        robots = f"User-agent: *\nDisallow: /q/\nSitemap: {self.site_url}/sitemap.xml\n"
        self.write_generated("robots.txt", robots.encode())


def _shown(path: str, url: str, linked: set[int]) -> dict:
    """Which honorees a page shows, and how: a record's own pages show it whole
    (and the others they list as cards); an exhibition's pages may quote any of
    theirs; every other page shows cards. A page that lists the cards of every
    record (the home page's totals and featured) or of one title or year is a
    listing: it is drawn again for any card with that facet, those it did not
    show yet included."""
    own = OWN_PAGE.match(path)
    if own:
        return {"whole": [int(own[1])], "cards": sorted(linked)}
    if path.startswith("/exhibitions"):
        return {"whole": sorted(linked)}
    if path == "/":
        return {"listing": []}
    if path == "/honorees":
        facet = [(k, v) for k, v in _query(url) if k not in ("sort", "page")]
        return {"listing": list(facet[0]) if facet else []}
    card_page = CARD_PAGE.match(path)
    if card_page:
        facet = "title" if card_page[1] == "honours" else "year"
        return {"listing": [facet, unquote(card_page[2])]}
    return {"cards": sorted(linked)}


def _fingerprints(db, config) -> dict[str, str]:
    return {
        "global": records.global_fingerprint(db, config),
        "exhibitions": records.exhibitions_fingerprint(db),
    }


SHARE_IMAGE = re.compile(r"^honorees/\d+/(share|long|card)\.png$")


def _share_image(target: Target) -> bool:
    return bool(target.file and SHARE_IMAGE.match(target.file))


def _render(client, url: str) -> tuple[int, bytes, str]:
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    try:
        return response.status_code, response.get_data(), response.mimetype
    finally:
        response.close()


def _start_worker() -> None:
    """In a forked renderer: a test client of its own, out of the page cache."""
    client = _WORKER["app"].test_client()
    client.set_cookie("edition_export", "1")
    _WORKER["client"] = client


def _render_in_worker(url: str) -> tuple[int, bytes, str]:
    return _render(_WORKER["client"], url)


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(url.split("?", 1)[1]) if "?" in url else []


def _prune(root: Path, folder: Path) -> None:
    """Remove folders left empty, up to the edition's root."""
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def export_site(
    app: Flask, out: str | Path, options: Options | None = None, progress=None
) -> Report:
    """Write (or bring up to date) the static edition of the public archive in ``out``."""
    return Edition(app, out, options, progress).run()


def clear(out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
