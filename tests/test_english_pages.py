"""Every public page in English: a visitor whose browser lists no Chinese reads
the interface in English; only record content is Chinese, and it is marked
``lang="zh-CN"`` (tests/english_pages.py says exactly what is looked at).

The pages are found the way a visitor finds them: from the home page, following
every link on the site (a few of each kind), plus the pages no link leads to (a
page that does not exist, a search that finds nothing, the embeddable card)."""

from __future__ import annotations

from collections import Counter, deque
from urllib.parse import quote, urlsplit

import pytest

from tests.english_pages import untranslated

ENGLISH = {"Accept-Language": "en-GB,en;q=0.8"}
# where a visitor's crawl does not go: the back office, files, feeds and the API
OFF_LIMITS = ("/curate", "/admin", "/print", "/static", "/media", "/api", "/lang/", "/q/", "/qr/")
PER_ENDPOINT = 3
# public endpoints that answer with something other than an HTML page
NOT_PAGES = {
    "public.search_suggest",
    "public.short_link",
    "public.qr_png",
    "public.qr_svg",
    "public.share_image",
    "public.media_file",
    "public.video_file",
    "public.sitemap",
    "public.robots",
    "public.liveness",
    "public.healthz",
    "public.hall_scenes",
    "public.hall_tiles",
    "public.exhibition_theme",
    "public.narration_file",
    "public.long_image",
    "public.card_image",
    "public.exhibition_cover",
    "public.hall_audio",
}


@pytest.fixture(scope="module")
def english_app(demo_archive):
    return demo_archive.app(ENGLISH_INTERFACE=1)


def _crawl(app, starts: list[str]) -> dict[str, tuple[str, int, str]]:
    """path → (endpoint, status, html) for every page reached."""
    adapter = app.url_map.bind("localhost")
    seen: dict[str, tuple[str, int, str]] = {}
    per_endpoint: Counter = Counter()
    queue = deque(starts)
    client = app.test_client()
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        parts = urlsplit(path)
        try:
            endpoint = adapter.match(parts.path)[0]
        except Exception:
            endpoint = "missing"
        if endpoint in NOT_PAGES or (per_endpoint[endpoint] >= PER_ENDPOINT and path not in starts):
            continue
        per_endpoint[endpoint] += 1
        response = client.get(path, headers=ENGLISH)
        html = response.get_data(as_text=True)
        response.close()
        seen[path] = (endpoint, response.status_code, html)
        if response.mimetype != "text/html":
            continue
        for link in _links(html):
            if not link.startswith(OFF_LIMITS) and link not in seen:
                queue.append(link)
    return seen


def _links(html: str) -> list[str]:
    from html.parser import HTMLParser

    found: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            href = dict(attrs).get("href") if tag == "a" else None
            if href and href.startswith("/") and not href.startswith("//"):
                found.append(href.split("#")[0])

    Links().feed(html)
    return found


@pytest.fixture(scope="module")
def english_pages(english_app, demo_ids):
    starts = [
        "/",
        "/this-page-does-not-exist",
        "/search?q=" + quote("没有这个词语的人物"),
        f"/embed/honorees/{demo_ids['P0001']}",
    ]
    return _crawl(english_app, starts)


def test_every_public_page_is_reached(english_app, english_pages, hall_pages):
    reached = {endpoint for endpoint, _, _ in [*english_pages.values(), *hall_pages.values()]}
    public = {
        rule.endpoint
        for rule in english_app.url_map.iter_rules()
        if rule.endpoint.startswith("public.") and "GET" in rule.methods
    }
    assert public - NOT_PAGES - reached == set()


def test_english_pages_show_no_untranslated_interface_text(english_pages):
    problems = {}
    for path, (_, _, html) in english_pages.items():
        found = untranslated(html)
        if found:
            problems[path] = found[:8]
    assert problems == {}


def test_english_pages_say_they_are_english(english_pages):
    for path, (_, status, html) in english_pages.items():
        if status < 300:
            assert '<html lang="en">' in html, path


# --- the panoramic hall: the demo exhibit has none (and must not be written), so a
# small archive of its own (tests/english_hall.py)


@pytest.fixture(scope="module")
def hall_archive(tmp_path_factory, search_engine):
    from tests.english_hall import with_hall

    archive, exhibition_id = with_hall(tmp_path_factory.mktemp("english-hall"), search_engine)
    yield archive, exhibition_id
    archive.close()


@pytest.fixture(scope="module")
def hall_pages(hall_archive):
    archive, exhibition_id = hall_archive
    return _crawl(archive.app(ENGLISH_INTERFACE=1), [f"/exhibitions/{exhibition_id}/hall"])


def test_the_panoramic_hall_in_english(hall_pages):
    hall = {
        path: html for path, (endpoint, _, html) in hall_pages.items() if endpoint == "public.hall"
    }
    assert hall, "the hall page was not reached"
    problems = {path: untranslated(html)[:8] for path, (_, _, html) in hall_pages.items()}
    assert {path: found for path, found in problems.items() if found} == {}
    for html in hall.values():
        assert '<html lang="en">' in html and "Online panoramic hall" in html
