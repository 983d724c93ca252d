"""Language versions for search engines (issue 20, part 4): while English is offered,
the sitemap lists each public page's Chinese and English addresses, each naming both
and x-default (the Chinese) with xhtml:link; pages' heads carry the same alternates;
an English page's canonical link is its English address."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest

from archive.web import alternates, public
from tests.conftest import BASE_URL

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def english(app):
    app.config["ENGLISH_INTERFACE"] = 1
    return app


def _entries(client) -> list[tuple[str, dict[str, str]]]:
    """(loc, {hreflang: href}) of every <url>, read with an XML parser (so the file
    must be well-formed and its namespaces declared)."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    entries = []
    for url in root.findall(f"{SITEMAP}url"):
        links = url.findall(f"{XHTML}link")
        assert all(link.get("rel") == "alternate" for link in links)
        versions = {link.get("hreflang"): link.get("href") for link in links}
        assert len(versions) == len(links)  # no hreflang twice
        entries.append((url.findtext(f"{SITEMAP}loc"), versions))
    return entries


def _head_links(html: str) -> tuple[list[str], dict[str, str]]:
    head = html.split("</head>")[0]
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', head)
    versions = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', head))
    return [c.replace("&amp;", "&") for c in canonical], {
        k: v.replace("&amp;", "&") for k, v in versions.items()
    }


def test_the_sitemap_lists_both_versions_of_every_page(english, client, make_honoree):
    honoree_id = make_honoree(honours=[{"title": "全国劳动模范", "year": 2020}])
    make_honoree(name="草稿人物", status="draft")
    entries = _entries(client)
    raw = client.get("/sitemap.xml").get_data(as_text=True)
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in raw.split(">", 2)[1]

    locs = [loc for loc, _ in entries]
    chinese = [loc for loc in locs if "lang=" not in loc]
    # home, browse, exhibitions, the profile, its honour and its year
    assert len(chinese) == 6 and len(locs) == 12
    assert f"{BASE_URL}/honorees/{honoree_id}" in chinese
    honour = f"{BASE_URL}/honours/{quote('全国劳动模范')}"
    assert honour in chinese
    for loc, versions in entries:
        plain = loc.split("?")[0]
        assert versions == {"zh-CN": plain, "en": f"{plain}?lang=en", "x-default": plain}
        assert loc in (plain, f"{plain}?lang=en")
    assert f"{honour}?lang=en" in locs and f"{BASE_URL}/?lang=en" in locs
    assert "lang=en&" not in raw and "&amp;" not in raw  # no address carries two params


def test_without_english_the_sitemap_has_no_alternates(app, client, make_honoree):
    app.config["ENGLISH_INTERFACE"] = 0
    honoree_id = make_honoree()
    entries = _entries(client)
    raw = client.get("/sitemap.xml").get_data(as_text=True)
    assert "xhtml" not in raw and "hreflang" not in raw and "lang=en" not in raw
    assert (f"{BASE_URL}/honorees/{honoree_id}", {}) in entries


def test_a_page_names_its_versions_and_its_canonical_is_its_own(english, client, make_honoree):
    honoree_id = make_honoree()
    plain = f"{BASE_URL}/honorees/{honoree_id}"
    versions = {"zh-CN": plain, "en": f"{plain}?lang=en", "x-default": plain}

    chinese = client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert _head_links(chinese) == ([plain], versions)
    assert f'<meta property="og:url" content="{plain}">' in chinese

    page = client.get(f"/honorees/{honoree_id}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert _head_links(page) == ([f"{plain}?lang=en"], versions)
    assert f'<meta property="og:url" content="{plain}?lang=en">' in page
    # images have no language: the share image keeps its one address
    image = re.search(r'<meta property="og:image" content="([^"]+)">', page).group(1)
    assert "lang=" not in image

    # English chosen by the switch at the plain address: the page still names its
    # English address as canonical, so the two are never indexed as one
    client.get("/lang/en")
    by_cookie = client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert '<html lang="en">' in by_cookie
    assert _head_links(by_cookie) == ([f"{plain}?lang=en"], versions)


def test_a_filtered_page_keeps_its_filters_in_every_version(english, client, make_honoree):
    make_honoree()
    page = client.get("/honorees?level=national&lang=en").get_data(as_text=True)
    canonical, versions = _head_links(page)
    plain = f"{BASE_URL}/honorees?level=national"
    assert canonical == [f"{plain}&lang=en"]
    assert versions == {"zh-CN": plain, "en": f"{plain}&lang=en", "x-default": plain}


def test_while_only_chinese_is_offered_pages_name_no_versions(app, client, make_honoree):
    app.config["ENGLISH_INTERFACE"] = 0
    honoree_id = make_honoree()
    page = client.get(f"/honorees/{honoree_id}?lang=en").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert _head_links(page) == ([f"{BASE_URL}/honorees/{honoree_id}"], {})
    assert "hreflang" not in page


@pytest.mark.parametrize(
    "url, lang, expected",
    [
        ("https://a.example/honorees/1", "en", "https://a.example/honorees/1?lang=en"),
        ("https://a.example/honorees/1?lang=en", "zh", "https://a.example/honorees/1"),
        (
            "https://a.example/h?lang=zh&level=national",
            "en",
            "https://a.example/h?level=national&lang=en",
        ),
        (
            "https://a.example/h?title=%E5%85%A8%E5%9B%BD&language=x",
            "en",
            "https://a.example/h?title=%E5%85%A8%E5%9B%BD&language=x&lang=en",
        ),
        ("/honours/%E7%9C%81%E5%B7%A5%E5%8C%A0", "zh", "/honours/%E7%9C%81%E5%B7%A5%E5%8C%A0"),
    ],
)
def test_an_address_in_a_language_keeps_the_rest_as_written(url, lang, expected):
    assert alternates.in_language(url, lang) == expected


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/honorees/3/card.png", True),
        ("/media/abc", True),
        ("/static/site.css", True),
        ("/exhibitions/2/cover.jpg", True),
        ("/honorees/3", False),
        ("/honours/%E7%9C%81%E5%B7%A5%E5%8C%A0", False),
        ("/", False),
    ],
)
def test_files_have_no_language(path, expected):
    assert alternates.is_file(path) is expected


def test_the_static_edition_names_no_english_version(english, empty_archive, make_honoree):
    """The edition is a Chinese snapshot: its files have no ?lang=en twin to point to."""
    from archive.static_site import Options, export_site

    honoree_id = make_honoree()
    out = empty_archive.root / "edition"
    export_site(english, out, Options())
    html = (out / f"honorees/{honoree_id}/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical"' in html and "hreflang" not in html


def test_a_large_sitemap_is_an_index_of_files_within_the_limit(english, client, make_honoree):
    english.config["SITEMAP_PER_FILE"] = 4
    ids = [make_honoree(name=f"站点地图人物{i}") for i in range(7)]
    with english.test_request_context():
        whole = [loc for loc, _, _ in public._sitemap_entries()]
    assert {f"{BASE_URL}/honorees/{i}" for i in ids} <= set(whole)
    root = ET.fromstring(client.get("/sitemap.xml").data)
    assert root.tag == f"{SITEMAP}sitemapindex"
    files = [s.findtext(f"{SITEMAP}loc") for s in root.findall(f"{SITEMAP}sitemap")]
    assert len(files) == -(-len(whole) // 4)
    parts = []
    for address in files:
        part = ET.fromstring(client.get(address.removeprefix(BASE_URL)).data)
        locs = [u.findtext(f"{SITEMAP}loc") for u in part.findall(f"{SITEMAP}url")]
        assert 0 < len(locs) <= 4
        parts += locs
    assert parts == whole  # every address once, in the same order
    assert client.get(f"/sitemap-{len(files) + 1}.xml").status_code == 404
    english.config["SITEMAP_PER_FILE"] = len(whole) + 2  # room for the one added below
    assert client.get("/sitemap-1.xml").status_code == 404  # no parts while one file holds all
    make_honoree(name="又一位人物")  # a visible change: the cached /sitemap.xml is redone
    assert ET.fromstring(client.get("/sitemap.xml").data).tag == f"{SITEMAP}urlset"
