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
    "public.sitemap_part",
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


def test_every_public_page_is_reached(english_app, english_pages, english_media_pages, hall_pages):
    reached = {endpoint for endpoint, _, _ in [*english_pages.values(), *hall_pages.values()]}
    reached |= {endpoint for endpoint, _, _ in english_media_pages[1].values()}  # albums
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


# --- records with English texts, photos and narration (en2) --------------------------
# The demo exhibit has no album and no narration: an archive of its own holds a person
# with English texts, a photo album and a recorded narration, and a collective with
# none of them in English, so that the album, the player and both kinds of profile
# are crawled in English too.


def english_media_records(archive, folder) -> dict[str, int]:
    """A person with English texts, photos and a narration; a collective with none."""
    from PIL import Image

    from archive.catalogue import honorees, media
    from archive.curation import narration
    from archive.db import write
    from tests.curation.test_narration import recording

    db = archive.db()
    media_dir = archive.config["MEDIA_DIR"]
    with write(db):
        person = honorees.create(
            db,
            {
                "kind": "individual",
                "name": "赵卫东",
                "status": "published",
                "unit": "第一机床厂",
                "province": "海南省",
                "city": "海口市",
                "county": "美兰区",
                "gender": "男",
                "ethnicity": "汉族",
                "industry": "制造业",
                "birth_year": 1968,
                "birth_month": 3,
                "summary": "三十年扎根车间的数控机床调试能手。",
                "story": "赵卫东扎根车间三十年。\n\n他带出了二十多名徒弟。",
                "quote": "问题就是课题。",
                "summary_en": "A machine-tool fitter who has worked on the shop floor for thirty years.",
                "story_en": "ZHAO Weidong has worked on the shop floor for thirty years.\n\n"
                "He has trained more than twenty apprentices.",
            },
            [{"title": "全国劳动模范", "year": 2020, "body": "国务院", "citation": "技术革新"}],
        )
        team = honorees.create(
            db,
            {
                "kind": "collective",
                "collective_type": "team",
                "name": "某某港务集团桥吊班",
                "status": "published",
                "unit": "某某港务集团",
                "summary": "港口桥吊作业的标杆班组。",
                "story": "桥吊班连续十年安全无事故。",
            },
            [{"title": "全国工人先锋号", "year": 2021, "body": "中华全国总工会"}],
        )
        for owner in (person, team):
            for size, colour, about in (
                ((600, 800), (150, 40, 40), {"alt": "肖像", "is_portrait": True}),
                (
                    (800, 600),
                    (40, 120, 40),
                    {"alt": "在车间", "caption": "在车间调试设备", "credit": "王摄"},
                ),
            ):
                media.add_photo(db, media_dir, Image.new("RGB", size, colour), owner, **about)
    for owner in (person, team):
        source = folder / f"story-{owner}.mp3"
        recording(source, 1.0)
        probed = narration.probe(source)
        made = narration.add_recording(
            db,
            media_dir,
            probed,
            owner,
            transcript="大家好。\n今天讲讲他们的故事。",
            credit="工会宣传部 李华",
            user_id=None,
        )
        narration.encode_recording(db, media_dir, made)
    return {"person": person, "team": team}


@pytest.fixture(scope="module")
def english_media_pages(tmp_path_factory, search_engine):
    from tests.conftest import fresh_archive

    archive = fresh_archive(tmp_path_factory.mktemp("english-media"), search_engine)
    ids = english_media_records(archive, tmp_path_factory.mktemp("recordings"))
    app = archive.app(ENGLISH_INTERFACE=1)
    starts = []
    for honoree_id in ids.values():
        starts += [
            f"/honorees/{honoree_id}",
            f"/honorees/{honoree_id}?listen=1",
            f"/honorees/{honoree_id}/album",
            f"/embed/honorees/{honoree_id}",
        ]
    yield starts, _crawl(app, starts)
    archive.close()


def test_profiles_albums_and_narration_in_english_show_no_untranslated_text(english_media_pages):
    starts, pages = english_media_pages
    assert all(pages[path][1] == 200 for path in starts)
    assert {"public.honoree_album", "public.profile", "public.embed_card"} <= {
        endpoint for endpoint, _, _ in pages.values()
    }
    assert all(
        "data-narration" in pages[path][2]
        for path in starts
        if "/honorees/" in path and path.count("/") == 2
    )
    problems = {path: untranslated(html)[:8] for path, (_, _, html) in pages.items()}
    assert {path: found for path, found in problems.items() if found} == {}


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
