"""In real Chromium (WebGL through SwiftShader), served by gunicorn: the hall editor
places a hotspot where the curator clicks, picks the honoree by name, drags and
nudges it, saves; the album's lightbox opens, swipes and zooms on a phone; the
exhibition page puts 进入全景展馆 first on a 360 px phone."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

from archive.catalogue import media
from archive.db import write
from archive.halls import store
from tests.conftest import free_port, start_gunicorn
from tests.curating import PASSWORD, make_user
from tests.hall_fixtures import build

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
WEBGL = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"]
SCREENSHOTS = os.environ.get("ARCHIVE_SCREENSHOTS")  # a folder to keep phone screenshots in


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from tests.conftest import fresh_archive

    archive = fresh_archive(tmp_path_factory.mktemp("editor"))
    built = build(archive, 6)
    db = archive.db()
    first = built["ids"][0]
    with write(db):
        for n, (caption, credit) in enumerate(
            [("在数控车间调试设备", "省总工会宣传部 王摄"), ("获奖现场", "李摄")]
        ):
            media.add_photo(
                db,
                archive.config["MEDIA_DIR"],
                Image.linear_gradient("L").resize((1200, 800)).convert("RGB"),
                first,
                alt=caption,
                caption=caption,
                credit=credit,
                position=n + 1,
            )
    make_user(archive, "curator1", "curator")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_gunicorn(
        archive,
        port,
        {"ARCHIVE_BASE_URL": base, "ARCHIVE_WEB_WORKERS": "1", "ARCHIVE_SECOND_APPROVER": "0"},
    )
    yield {"url": base, "archive": archive, **built}
    process.terminate()
    process.wait(15)
    archive.close()


def _login(page, url):
    page.goto(f"{url}/curate/login")
    page.fill("input[name=username]", "curator1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/curate/")


def test_a_hotspot_is_placed_by_click_picked_by_name_dragged_nudged_and_saved(served):
    db = served["archive"].db()
    hall = store.of_exhibition(db, served["exhibition_id"])
    scene = db.execute(
        "SELECT id FROM hall_scenes WHERE hall_id = ? AND key = 'r1'", [hall["id"]]
    ).fetchone()[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=WEBGL)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        blocked = []
        page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(1))
        _login(page, served["url"])
        page.goto(
            f"{served['url']}/curate/exhibitions/{served['exhibition_id']}/hall/scenes/{scene}"
        )
        page.wait_for_selector("html[data-editor-loaded='1']", state="attached", timeout=60000)
        box = page.locator("#editor-pano").bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2)
        yaw = float(page.input_value("#new-hotspot [data-yaw]"))
        pitch = float(page.input_value("#new-hotspot [data-pitch]"))
        view = page.evaluate("[hallEditor.getYaw(), hallEditor.getPitch()]")
        assert yaw > view[0] + 3 and abs(pitch - view[1]) < 3  # right of the centre
        page.select_option("#new-hotspot [data-kind]", "portrait")
        picker = page.locator("#new-hotspot input[name=honoree]")
        picker.type("王秀")
        page.wait_for_selector("#new-hotspot datalist option", state="attached", timeout=10000)
        option = page.evaluate("document.querySelector('#new-hotspot datalist').options[0].value")
        assert option.startswith("王秀英")
        picker.fill(option)
        page.click("#new-hotspot button[type=submit]")
        page.wait_for_selector("text=热点已保存")
        row = db.execute(
            "SELECT id, yaw, pitch, honoree_id FROM hall_hotspots WHERE scene_id = ? "
            "AND generated = 0",
            [scene],
        ).fetchone()
        assert row["honoree_id"] == served["ids"][2] and abs(row["yaw"] - yaw) < 0.01
        # drag it to the left, then nudge it up
        page.wait_for_selector("html[data-editor-loaded='1']", state="attached", timeout=60000)
        spot = page.locator(f'.editor-spot[data-spot="{row["id"]}"]')
        spot.wait_for()
        start = spot.bounding_box()
        page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
        page.mouse.down()
        for step in range(1, 11):
            page.mouse.move(
                start["x"] + start["width"] / 2 - 15 * step, start["y"] + start["height"] / 2
            )
        page.mouse.up()
        form = page.locator(f'form[data-spot="{row["id"]}"]')
        dragged = float(form.locator("[data-yaw]").input_value())
        assert dragged < row["yaw"] - 3
        page.click("#nudge button[aria-label=向上]")
        nudged = float(form.locator("[data-pitch]").input_value())
        assert abs(nudged - (float(form.locator("[data-pitch]").input_value()))) < 0.01
        form.locator("button[type=submit]:not([name])").click()
        page.wait_for_selector("text=热点已保存")
        moved = db.execute(
            "SELECT yaw, pitch FROM hall_hotspots WHERE id = ?", [row["id"]]
        ).fetchone()
        assert abs(moved["yaw"] - dragged) < 0.01 and abs(moved["pitch"] - nudged) < 0.01
        # the visitor sees it
        page.goto(f"{served['url']}/exhibitions/{served['exhibition_id']}/hall")
        page.wait_for_function("window.hallViewer && window.hallViewer.isLoaded()", timeout=60000)
        assert page.locator(".hall-portrait a[aria-label^='王秀英']").count() >= 2
        assert not blocked
        browser.close()


def test_the_album_lightbox_swipes_and_zooms_on_a_phone(served):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(
            locale="zh-CN",
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        page = context.new_page()
        blocked = []
        page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(1))
        page.goto(f"{served['url']}/honorees/{served['ids'][0]}/album")
        if SCREENSHOTS:
            page.screenshot(path=str(Path(SCREENSHOTS) / "album-phone-grid.png"))
        page.locator(".album-item a").nth(1).tap()
        page.wait_for_selector(".pswp--open")
        caption = page.locator(".pswp__album-caption")
        assert "在数控车间调试设备" in caption.inner_text()
        assert "王摄" in caption.inner_text()
        page.wait_for_timeout(1000)  # the opening animation
        assert (
            float(page.evaluate("getComputedStyle(document.querySelector('.pswp__bg')).opacity"))
            > 0.9
        )
        if SCREENSHOTS:
            page.screenshot(path=str(Path(SCREENSHOTS) / "album-phone.png"))
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "document.querySelector('.pswp__album-caption').textContent.includes('获奖现场')"
        )
        # zoom: PhotoSwipe's own zoom action, as double-tap triggers it
        before = page.evaluate("window.albumLightbox.pswp.currSlide.currZoomLevel")
        page.evaluate("window.albumLightbox.pswp.currSlide.toggleZoom()")
        page.wait_for_function(f"window.albumLightbox.pswp.currSlide.currZoomLevel > {before}")
        assert not blocked
        browser.close()


def test_enter_the_hall_comes_first_on_a_phone(served):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        for width in (360, 390):
            context = browser.new_context(
                locale="zh-CN",
                viewport={"width": width, "height": 780},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
            )
            page = context.new_page()
            page.goto(f"{served['url']}/exhibitions/{served['exhibition_id']}")
            enter = page.locator("a.ex-enter")
            box = enter.bounding_box()
            assert box and box["y"] + box["height"] < 780 * 0.75, box  # above the fold
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            cover = page.locator(".ex-cover img")
            assert cover.evaluate("i => i.complete && i.naturalWidth > 0")
            if SCREENSHOTS and width == 390:
                page.screenshot(path=str(Path(SCREENSHOTS) / "exhibition-phone.png"))
            enter.tap()
            page.wait_for_url(f"**/exhibitions/{served['exhibition_id']}/hall")
            context.close()
        browser.close()


def _settled(page, requested: list[str], seconds: float = 60) -> None:
    """Until Pannellum wants no more tiles for this view: it stops drawing once the
    tiles it knows of are in, so each round asks for two more frames (the view kept
    as it is) and waits until nothing is loading; done when a round asks for no tile."""
    deadline = time.monotonic() + seconds
    while True:
        count = len(requested)
        page.evaluate(
            "hallViewer.setPitch(hallViewer.getPitch()) && new Promise(done => "
            "requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        while page.evaluate("hallViewer.getRenderer().isLoading()"):
            assert time.monotonic() < deadline, "tiles still loading"
            time.sleep(0.1)
        if len(requested) == count:
            return


def _first_view(served, strip_preloads: bool) -> dict:
    """Open the hall on a 390×844 phone at DPR 3 and note the tiles asked for, the
    preloaded ones, the page's own configuration and the resource timings."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=WEBGL)
        context = browser.new_context(
            locale="zh-CN",
            viewport={"width": 390, "height": 844},
            device_scale_factor=3,
            is_mobile=True,
            has_touch=True,
        )
        page = context.new_page()
        if strip_preloads:  # what Pannellum asks for by itself

            def without(route):
                html = route.fetch().text()
                route.fulfill(
                    body=re.sub(r'<link rel="preload" as="image"[^>]*>', "", html),
                    content_type="text/html; charset=utf-8",
                )

            page.route("**/hall", without)
        requested: list[str] = []
        page.on("request", lambda r: "/tiles/" in r.url and requested.append(r.url))
        warnings: list[str] = []
        page.on("console", lambda m: "preload" in m.text and warnings.append(m.text))
        page.goto(f"{served['url']}/exhibitions/{served['exhibition_id']}/hall")
        page.wait_for_function("window.hallViewer && window.hallViewer.isLoaded()", timeout=60000)
        _settled(page, requested)
        page.wait_for_load_state("networkidle")
        found = {
            "requested": requested,
            "warnings": warnings,
            "preloaded": page.eval_on_selector_all(
                "link[rel=preload][as=image]", "links => links.map(l => l.href)"
            ),
            "config": json.loads(page.locator("#hall-config").text_content()),
            "timings": page.evaluate(
                "performance.getEntriesByType('resource').map(e => "
                "[e.name, e.startTime, e.responseEnd])"
            ),
        }
        browser.close()
    return found


def test_the_first_views_tiles_are_preloaded_exactly_and_the_other_rooms_come_after(served):
    """The page asks for the entrance's first-view tiles before Pannellum arrives:
    exactly the tiles Pannellum asks for by itself on that phone, each fetched once.
    The page carries only the first room's settings; the other rooms' are fetched
    once every tile of the first view is in."""
    own = _first_view(served, strip_preloads=True)
    seen = _first_view(served, strip_preloads=False)
    assert len(own["requested"]) >= 6
    assert sorted(seen["preloaded"]) == sorted(set(own["requested"]))
    assert len(seen["requested"]) == len(set(seen["requested"])), "a tile was fetched twice"
    assert not seen["warnings"], seen["warnings"]
    config = seen["config"]
    assert list(config["scenes"]) == [config["entrance"]] and config["order"]
    tiles_in = max(end for name, _, end in seen["timings"] if "/tiles/" in name)
    rooms = [start for name, start, _ in seen["timings"] if "/hall/scenes.json" in name]
    assert len(rooms) == 1 and rooms[0] >= tiles_in
