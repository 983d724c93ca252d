"""The visitors' scripts in English, in a real browser (Debian's Chromium through
Playwright) against gunicorn with the English interface on: the album's lightbox
labels and captions (album.js reads its words from the page)."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import free_port, fresh_archive, start_gunicorn
from tests.web.test_browser import CHROMIUM, PHONE
from tests.web.test_english_pages import english_media_records

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def english_site(tmp_path_factory):
    archive = fresh_archive(tmp_path_factory.mktemp("english-site"))
    ids = english_media_records(archive, tmp_path_factory.mktemp("recordings"))
    port = free_port()
    process = start_gunicorn(
        archive, port, {"ARCHIVE_WEB_WORKERS": "1", "ARCHIVE_ENGLISH_INTERFACE": "1"}
    )
    yield f"http://127.0.0.1:{port}", ids
    process.terminate()
    process.wait(15)
    archive.close()


def test_the_album_lightbox_speaks_english_and_marks_the_captions_chinese(english_site):
    base, ids = english_site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/honorees/{ids['person']}/album?lang=en")
        assert page.locator("h1.album-title").inner_text().startswith("ZHAO Weidong")
        page.locator(".album-item a").nth(1).tap()
        page.wait_for_selector(".pswp--open")
        caption = page.locator(".pswp__album-caption")
        assert caption.inner_text().replace("\n", " ") == "在车间调试设备 Photo/source: 王摄"
        marked = caption.locator("[lang='zh-CN']")
        assert [marked.nth(i).inner_text() for i in range(marked.count())] == [
            "在车间调试设备",
            "王摄",
        ]
        assert page.locator(".pswp__button--close").get_attribute("title") == "Close"
        assert page.locator(".pswp__button--arrow--next").get_attribute("title") == "Next"
        assert errors == []
        browser.close()
