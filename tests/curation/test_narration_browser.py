"""The 收听事迹 player in a real browser (Debian's Chromium through Playwright, at
phone size) against gunicorn: pressing play makes the audio advance, the speed
buttons change the rate, the transcript is shown, and without script the plain
<audio controls> remains."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import sync_playwright

from archive.curation import narration
from tests.conftest import free_port, fresh_archive, start_gunicorn
from tests.web.test_browser import CHROMIUM, PHONE

pytestmark = pytest.mark.browser

TRANSCRIPT = "大家好。今天讲讲曾师傅三十年扎根一线的故事。\n他带出了二十多名徒弟。"


@pytest.fixture(scope="module")
def narrated_archive(tmp_path_factory):
    """A published honoree with an encoded recording: (archive, honoree, narration)."""
    from archive.catalogue import honorees
    from archive.db import write

    archive = fresh_archive(tmp_path_factory.mktemp("narrated"))
    db = archive.db()
    with write(db):
        honoree_id = honorees.create(
            db,
            {
                "kind": "individual",
                "name": "曾建国",
                "status": "published",
                "story": "扎根一线三十年。",
            },
            [{"title": "全国劳动模范", "year": 2020, "body": "国务院"}],
        )
    source = archive.root / "story.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=330:duration=8",
            str(source),
        ],
        check=True,
        timeout=60,
    )
    probed = narration.probe(source)
    narration_id = narration.add_recording(
        db,
        archive.config["MEDIA_DIR"],
        probed,
        honoree_id,
        transcript=TRANSCRIPT,
        credit="李华",
        user_id=None,
    )
    narration.encode_recording(db, archive.config["MEDIA_DIR"], narration_id)
    yield archive, honoree_id, narration_id
    archive.close()


@pytest.fixture(scope="module")
def narrated(narrated_archive):
    """That honoree served by gunicorn."""
    archive, honoree_id, narration_id = narrated_archive
    port = free_port()
    process = start_gunicorn(archive, port, {"ARCHIVE_WEB_WORKERS": "1"})
    yield f"http://127.0.0.1:{port}", honoree_id, narration_id
    process.terminate()
    process.wait(15)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--mute-audio",
                "--autoplay-policy=no-user-gesture-required",
                "--disable-background-networking",
            ],
        )
        yield browser
        browser.close()


def played_past(page, seconds: float, timeout: float = 15.0) -> bool:
    """Poll the audio's position from outside the page (the site's CSP forbids the
    eval that wait_for_function would need)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate("document.querySelector('section.narration audio').currentTime") > seconds:
            return True
        page.wait_for_timeout(100)
    return False


def test_pressing_play_advances_the_narration_and_shows_the_transcript(browser, narrated):
    base, honoree_id, narration_id = narrated
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/honorees/{honoree_id}?listen=1")
    section = page.locator("section.narration")
    assert section.is_visible()
    assert page.locator(".transcript-text").is_visible()
    assert "二十多名徒弟" in page.locator(".transcript-text").inner_text()
    play = page.get_by_role("button", name="播放")
    assert play.is_visible()
    assert page.evaluate("document.querySelector('section.narration audio').controls") is False
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    play.click()
    assert played_past(page, 1.2)
    page.get_by_role("button", name="1.5×").click()
    assert page.evaluate("document.querySelector('section.narration audio').playbackRate") == 1.5
    page.get_by_role("button", name="暂停").click()
    assert page.evaluate("document.querySelector('section.narration audio').paused")
    shown = page.locator(".player .time").inner_text()
    assert shown.endswith("/ 0:08") and not shown.startswith("0:00 ")
    assert float(page.locator(".player .seek").input_value()) > 1
    assert errors == []

    ranged = page.request.get(
        f"{base}/media/narration/{narration_id}.m4a", headers={"Range": "bytes=0-1023"}
    )
    assert ranged.status == 206 and len(ranged.body()) == 1024
    assert ranged.headers["content-type"] == "audio/mp4"
    context.close()


def test_without_script_the_plain_audio_player_and_transcript_remain(browser, narrated):
    base, honoree_id, _ = narrated
    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/honorees/{honoree_id}")
    audio = page.locator("section.narration audio")
    assert audio.get_attribute("controls") is not None and audio.is_visible()
    assert page.locator(".transcript-text").is_visible()
    context.close()


def test_the_player_speaks_english_on_english_pages(browser, narrated_archive):
    """The script's words come from the page: Play and Pause on an English page."""
    archive, honoree_id, _ = narrated_archive
    port = free_port()
    server = start_gunicorn(
        archive, port, {"ARCHIVE_WEB_WORKERS": "1", "ARCHIVE_ENGLISH_INTERFACE": "1"}
    )
    try:
        context = browser.new_context(viewport=PHONE, locale="en-GB")
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/honorees/{honoree_id}?lang=en")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator(".transcript-text").get_attribute("lang") == "zh-CN"
        page.get_by_role("button", name="Play").click()
        assert played_past(page, 0.5)
        pause = page.get_by_role("button", name="Pause")
        assert pause.inner_text() == "❚❚ Pause"
        pause.click()
        assert page.get_by_role("button", name="Play").inner_text() == "▶ Play"
        context.close()
    finally:
        server.terminate()
        server.wait(15)
