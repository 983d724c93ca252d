"""The English interface in real Chromium on a phone (360×780, an English-only
browser), against gunicorn with ENGLISH_INTERFACE on: the header's switch moves
between the languages and the page still fits; the scripts speak the page's
language (large text, the panoramic hall's buttons and hotspots)."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import free_port, start_gunicorn
from tests.english_hall import with_hall

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 780}
WEBGL = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    archive, exhibition_id = with_hall(tmp_path_factory.mktemp("english-browser"), "whoosh")
    port = free_port()
    process = start_gunicorn(
        archive, port, {"ARCHIVE_WEB_WORKERS": "1", "ARCHIVE_ENGLISH_INTERFACE": "1"}
    )
    yield {"url": f"http://127.0.0.1:{port}", "exhibition_id": exhibition_id}
    process.terminate()
    process.wait(15)
    archive.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", *WEBGL])
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-GB"
    )
    yield context.new_page()
    context.close()


def _lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_switch_moves_between_languages_and_the_header_fits(phone, served):
    phone.goto(served["url"] + "/exhibitions")
    assert _lang(phone) == "en" and phone.locator("h1").inner_text() == "Exhibitions"
    assert _fits(phone)
    phone.get_by_role("link", name="中文").click()
    phone.wait_for_function("document.documentElement.lang === 'zh-CN'")
    assert phone.url.endswith("/exhibitions") and phone.locator("h1").inner_text() == "展厅"
    phone.get_by_role("link", name="English").click()
    phone.wait_for_function("document.documentElement.lang === 'en'")
    assert phone.locator("h1").inner_text() == "Exhibitions" and _fits(phone)


def test_large_text_speaks_english(phone, served):
    phone.goto(served["url"] + "/about")
    phone.get_by_role("button", name="Large text").click()
    button = phone.get_by_role("button", name="Standard text")
    assert button.get_attribute("aria-pressed") == "true"
    assert _fits(phone)


def test_the_hall_speaks_english(phone, served):
    phone.goto(f"{served['url']}/exhibitions/{served['exhibition_id']}/hall")
    phone.wait_for_function("window.hallViewer && window.hallViewer.isLoaded()", timeout=60000)
    # the portraits' labels name people in English (林晓峰 → LIN Xiaofeng)
    assert phone.locator('a[aria-label="LIN Xiaofeng: read the story"]').count() == 1
    assert phone.locator(".hall-portrait .label", has_text="WANG Xiuying").count() == 1
    full = phone.locator("#hall-full")
    full.click()
    phone.wait_for_function(
        "document.getElementById('hall-full').textContent === 'Exit full screen'"
    )
    full.click()
    phone.wait_for_function("document.getElementById('hall-full').textContent === 'Full screen'")
    tour = phone.locator("#hall-tour")
    tour.click()
    phone.wait_for_function("document.getElementById('hall-tour').textContent === 'Stop the tour'")
    tour.click()
    phone.wait_for_function("document.getElementById('hall-tour').textContent === 'Guided tour'")
