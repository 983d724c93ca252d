"""A visitor's path through the static edition on a phone, in real Chromium, served
by a plain static server: a QR address redirects to the profile, a pinyin search
finds the person, the exhibition and its hall open, then a photo. The kiosk zip
runs from file:// (its search falls back to the script-tag index there), and its
hall draws there too (its tiles travel as data: URLs in script files)."""

from __future__ import annotations

import io
import time
import zipfile

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import sync_playwright
from pypinyin import lazy_pinyin

from archive.catalogue import honorees
from archive.db import write
from archive.static_site import Options, export_site, package, search_index
from tests.conftest import fresh_archive
from tests.hall_fixtures import build, colour, share_near
from tests.static_site_helpers import serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
STORY = "三十年如一日，守护高铁转向架的每一道焊缝。"
PHONE = {"width": 390, "height": 844}
WEBGL = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    archive = fresh_archive(tmp_path_factory.mktemp("static-browser"))
    built = build(archive, 20, sections=(12, 8))
    db = archive.db()
    with write(db):  # a word only this story holds: found by Pagefind, not data.js's names
        db.execute("UPDATE honorees SET story = ? WHERE id = ?", [STORY, built["ids"][4]])
        honorees.note_change(db, built["ids"][4])
    app = archive.app()
    out = archive.root / "edition"
    with pytest.MonkeyPatch.context() as patch:  # shards of four ids: the page merges six
        patch.setattr(search_index, "MIN_SHARD", 4)
        export_site(app, out, Options())
    kiosk = archive.root / "kiosk" / "archive-kiosk"
    export_site(app, kiosk, Options(kiosk=True, idle_minutes=0.05, search=False))
    zipped = package.kiosk_zip(kiosk, archive.root / "archive-kiosk.zip")
    # a kiosk with the usual idle time, for a visit longer than the 3 s one above
    calm = archive.root / "calm" / "archive-kiosk"
    export_site(app, calm, Options(kiosk=True, search=False))
    calm_zip = package.kiosk_zip(calm, archive.root / "calm.zip")
    url, stop = serve(out)
    first = db.execute(
        "SELECT id, code, name FROM honorees WHERE id = ?", [built["ids"][4]]
    ).fetchone()
    hall_code = db.execute("SELECT code FROM halls").fetchone()[0]
    yield {
        "url": url,
        "zip": zipped,
        "calm_zip": calm_zip,
        "root": archive.root,
        "first": dict(first),
        "hall_code": hall_code,
        **built,
    }
    stop()
    archive.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=WEBGL)
        yield browser
        browser.close()


def _phone(browser):
    return browser.new_context(
        locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )


def test_a_visitors_path_on_a_phone(site, browser):
    context = _phone(browser)
    page = context.new_page()
    outside = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((site["url"], "data:")) else outside.append(r.url),
    )
    first = site["first"]
    page.goto(f"{site['url']}/q/{first['code']}/")
    page.wait_for_url(f"**/honorees/{first['id']}/index.html")
    assert page.locator("h1.name").inner_text() == first["name"]

    # by pinyin, then by a word of a story (only the Pagefind index holds stories)
    for query in ("".join(lazy_pinyin(first["name"])), "转向架"):
        page.goto(f"{site['url']}/search/index.html")
        page.fill("#search-q", query)
        page.click("form#edition-search button[type=submit]")
        result = page.locator("#search-results a").first
        result.wait_for(timeout=20000)
        assert result.locator(".card-name").inner_text() == first["name"], query
        _shows_its_portrait(page, result)
        result.click()
        page.wait_for_url(f"**/honorees/{first['id']}/index.html")

    page.locator("p.in-halls a").first.click()
    page.wait_for_url(f"**/exhibitions/{site['exhibition_id']}/index.html")
    assert page.locator("h1").inner_text() == "测试展馆"

    page.goto(f"{site['url']}/q/{site['hall_code']}/")
    page.wait_for_url(f"**/exhibitions/{site['exhibition_id']}/hall/index.html")
    page.wait_for_function("window.hallViewer && window.hallViewer.isLoaded()", timeout=60000)
    page.locator("#hall-list a").first.click()
    page.wait_for_url("**/honorees/*/ex-*.html")
    photo = page.locator("picture.portrait img")
    photo.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", photo.element_handle())
    assert not outside, outside
    context.close()


def test_the_kiosk_zip_runs_from_file(site, browser, tmp_path):
    with zipfile.ZipFile(site["zip"]) as archive:
        archive.extractall(tmp_path)
    index = tmp_path / "archive-kiosk" / "index.html"
    assert index.is_file()
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1080, "height": 1920}, has_touch=True
    )
    page = context.new_page()
    page.goto(index.as_uri())
    assert page.evaluate("document.documentElement.classList.contains('kiosk')")
    assert page.locator("footer.site").is_hidden()
    height = page.locator("nav a").first.bounding_box()["height"]
    assert height >= 48
    first = site["first"]
    page.locator("nav a", has_text="搜索").click()
    page.fill("#search-q", "".join(w[0] for w in lazy_pinyin(first["name"])))
    page.click("form#edition-search button[type=submit]")
    hit = page.locator("#search-results a", has_text=first["name"])
    hit.wait_for(timeout=10000)
    _shows_its_portrait(page, hit)  # from file://, by the script-tag index
    hit.click()
    page.wait_for_url(f"**/honorees/{first['id']}/index.html")
    assert page.url.startswith("file://")
    # idle for the kiosk's time (3 s here): back to the home screen
    page.wait_for_url(index.as_uri(), timeout=15000)
    context.close()


def test_the_kiosk_hall_draws_from_file(site, browser, tmp_path):
    """From file:// the kiosk's exhibition page opens its hall, and the panorama draws
    in WebGL: the first portrait is on screen, not the list shown without tiles."""
    with zipfile.ZipFile(site["calm_zip"]) as archive:
        archive.extractall(tmp_path)
    exhibition = tmp_path / "archive-kiosk" / "exhibitions" / str(site["exhibition_id"])
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1080, "height": 1920}, has_touch=True
    )
    page = context.new_page()
    failed = []
    page.on("requestfailed", lambda r: failed.append((r.url, r.failure)))
    page.goto((exhibition / "index.html").as_uri())
    page.locator("a.ex-enter").click()
    page.wait_for_url("**/hall/index.html")
    # the exhibition page's photos still loading when the visitor leaves it are
    # cancelled by the browser (a busy machine is slow to draw them): not failures
    left = [(u, f) for u, f in failed if f == "net::ERR_ABORTED" and "/media/" in u]
    failed = [item for item in failed if item not in left]
    assert page.url.startswith("file://")
    page.wait_for_function("window.hallViewer && window.hallViewer.isLoaded()", timeout=60000)
    pixels = np.asarray(Image.open(io.BytesIO(_settled(page))).convert("RGB"))
    assert share_near(pixels, colour(0), 30) > 0.003  # the first portrait, by its colour
    assert page.locator("#hall-nowebgl").is_hidden()
    assert not failed, failed
    context.close()


def _settled(page) -> bytes:
    """The panorama once every tile of the view is drawn (two screenshots agree)."""
    last = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        shot = page.locator("#pano").screenshot()
        if shot == last:
            return shot
        last = shot
        page.wait_for_timeout(250)
    return last


def _shows_its_portrait(page, result) -> None:
    """A search result shows the person's portrait, as a browse page's card does."""
    image = result.locator(".thumb img")
    image.wait_for()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=10000
    )
