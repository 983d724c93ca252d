"""The QR addresses in the edition: ``/q/<code>`` and ``/q/<code>/<tag>`` as
static redirect pages (a script, a meta refresh and a visible link), plus an nginx
``map`` and a ``_redirects`` file (Netlify, Cloudflare Pages) so a host can answer
them with a real 302. With a beacon URL (``SCAN_BEACON_URL``), the page reports
the scan to the live archive without waiting for it; otherwise scans are not counted."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from archive.catalogue.honorees import PUBLIC

from .paths import relative

NGINX_MAP = "nginx-qr-map.conf"
REDIRECTS = "_redirects"

PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>正在打开{title}</title>
<script>
(function () {{
  var target = {target}, runs = {runs}, variants = {variants}, code = {code}, beacon = {beacon};
  var match = /[?&]r=([A-Za-z0-9]{{1,8}})/.exec(location.search);
  var tag = (match && match[1].toUpperCase()) || {tag};
  if (tag && runs[tag] && variants[runs[tag]]) {{ target = variants[runs[tag]]; }}
  if (beacon) {{
    var url = beacon + "/q/" + code + (tag ? "?r=" + tag : "");
    try {{ fetch(url, {{method: "HEAD", mode: "no-cors", keepalive: true, credentials: "omit",
                       cache: "no-store"}}); }}
    catch (e) {{ (new Image()).src = url; }}
  }}
  location.replace(target);
}})();
</script>
<meta http-equiv="refresh" content="0; url={href}">
</head>
<body>
<p>正在打开……如未自动跳转，请点击：<a href="{href}">{title}</a></p>
</body>
</html>
"""


def _page(
    source: str,
    target: str,
    title: str,
    code: str,
    tag: str,
    runs: dict,
    variants: dict,
    beacon: str,
) -> bytes:
    href = relative(source, target)
    return PAGE.format(
        title=html.escape(title),
        href=html.escape(href),
        target=json.dumps(href),
        runs=json.dumps(runs),
        code=json.dumps(code),
        tag=json.dumps(tag),
        beacon=json.dumps(beacon.rstrip("/")),
        variants=json.dumps({str(k): relative(source, v) for k, v in variants.items()}),
    ).encode()


@dataclass
class _Pages:
    """The redirect pages written so far, and the routes they answer for the host files."""

    edition: Any  # export.Edition (not imported: it imports this module)
    beacon: str
    made: set[str] = field(default_factory=set)
    routes: list[tuple[str, str]] = field(default_factory=list)

    def add(
        self,
        code: str,
        target: str,
        title: str,
        tag: str = "",
        runs: dict | None = None,
        variants: dict | None = None,
        **entry,
    ) -> None:
        """The page of ``/q/<code>`` (or ``/q/<code>/<tag>``) leading to ``target``."""
        source = f"q/{code}/{tag}/index.html" if tag else f"q/{code}/index.html"
        body = _page(source, target, title, code, tag, runs or {}, variants or {}, self.beacon)
        self.edition.write_generated(source, body, **entry)
        self.made.add(source)
        self.routes.append((f"/q/{code}" + (f"/{tag}" if tag else ""), target))


def write(edition, db) -> None:
    """Write every redirect page and both host files."""
    pages = _Pages(edition, edition.options.beacon_url)
    _honoree_codes(pages, db)
    _hall_codes(pages, db)
    _album_codes(pages, db)
    _host_files(edition, pages.routes)


def _print_runs(db) -> tuple[dict[str, int], dict[int, list[str]]]:
    """The print runs made for an exhibition (tag to exhibition), and the tags
    each honoree was printed under."""
    runs = {
        r[0]: r[1]
        for r in db.execute(
            "SELECT tag, exhibition_id FROM print_runs WHERE exhibition_id IS NOT NULL"
        )
    }
    tags_of: dict[int, list[str]] = {}
    for honoree_id, tag in db.execute(
        "SELECT i.honoree_id, r.tag FROM print_run_items i JOIN print_runs r "
        "ON r.id = i.run_id ORDER BY r.tag"
    ):
        tags_of.setdefault(honoree_id, []).append(tag)
    return runs, tags_of


def _honoree_codes(pages: _Pages, db) -> None:
    """A profile's code, and one page per print run it was printed in (a run made
    for an exhibition leads to the profile as that exhibition shows it)."""
    runs, tags_of = _print_runs(db)
    codes = db.execute(f"""SELECT c.code, h.id, h.name FROM short_codes c
                           JOIN honorees h ON h.id = c.honoree_id WHERE {PUBLIC}
                           ORDER BY c.code""").fetchall()
    has = pages.edition.has
    for code, honoree_id, name in codes:
        profile = f"honorees/{honoree_id}/index.html"
        if not has(profile):
            continue
        variants = {
            ex: f"honorees/{honoree_id}/ex-{ex}.html"
            for ex in set(runs.values())
            if has(f"honorees/{honoree_id}/ex-{ex}.html")
        }
        used_runs = {t: e for t, e in runs.items() if e in variants}
        for tag in [""] + tags_of.get(honoree_id, []):
            target = variants.get(runs.get(tag), profile) if tag else profile
            pages.add(code, target, name, tag, used_runs, variants, deps=[honoree_id])


def _hall_codes(pages: _Pages, db) -> None:
    """The codes of published exhibitions' halls."""
    for code, exhibition_id, title in db.execute(
        """SELECT t.code, e.id, e.title FROM target_codes t JOIN halls h ON h.id = t.target_id
               JOIN exhibitions e ON e.id = h.exhibition_id
               WHERE t.target_type = 'hall' AND e.status = 'published'"""
    ):
        hall = f"exhibitions/{exhibition_id}/hall/index.html"
        if pages.edition.has(hall):
            pages.add(code, hall, f"{title}·网上全景展馆")


def _album_codes(pages: _Pages, db) -> None:
    """The codes of honorees' and exhibitions' albums (not a draft's or a withdrawn
    record's: the edition has no such album)."""
    for target_type, folder in (("honoree_album", "honorees"), ("exhibition_album", "exhibitions")):
        for code, owner_id in db.execute(
            "SELECT code, target_id FROM target_codes WHERE target_type = ?", [target_type]
        ):
            album = f"{folder}/{owner_id}/album/index.html"
            if pages.edition.has(album):
                pages.add(code, album, "云相册")


def _host_files(edition, routes: list[tuple[str, str]]) -> None:
    """The nginx ``map`` and the ``_redirects`` file answering the routes with a 302."""
    base = "/" + edition.options.base_path.strip("/")
    base = "" if base == "/" else base
    lines = [
        "# 静态版二维码短链接：由 flask --app archive export-site 生成，请勿手改。",
        "# 在 http {} 中 include 本文件，再在 location /q/ 中：",
        "#     if ($edition_qr_target) { return 302 $edition_qr_target; }",
        "map $uri $edition_qr_target {",
        '    default "";',
    ]
    lines += [f"    {base}{path} {base}/{target};" for path, target in routes]
    lines.append("}")
    edition.write_generated(NGINX_MAP, ("\n".join(lines) + "\n").encode())
    redirects = [f"{base}{path} {base}/{target} 302" for path, target in routes]
    edition.write_generated(REDIRECTS, ("\n".join(redirects) + "\n").encode())
