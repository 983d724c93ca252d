"""The visitors' pages on the demo exhibit, checked against the demo files."""

import gzip
import json
import re
from collections import Counter

import pytest

from archive.catalogue import honorees, scans
from archive.db import write
from tests.conftest import BASE_URL


def published(records):
    return [r for r in records if r["status"] == "published"]


def test_every_page_says_demo_data_while_the_demo_is_loaded(demo_client, demo_ids):
    for url in [
        "/",
        "/honorees",
        "/exhibitions",
        "/exhibitions/1",
        f"/honorees/{demo_ids['P0001']}",
        "/search?q=张",
        "/honorees/999999",
    ]:
        page = demo_client.get(url).get_data(as_text=True)
        assert "示例数据" in page, url


def test_no_demo_notice_on_a_real_archive(client, make_honoree):
    make_honoree(name="真实人物")
    assert "示例数据" not in client.get("/").get_data(as_text=True)


def test_home_shows_totals_exhibitions_and_featured(demo_client, demo_records):
    page = demo_client.get("/").get_data(as_text=True)
    records = published(demo_records)
    individuals = sum(r["kind"] == "individual" for r in records)
    assert f"<strong>{len(records)}</strong>全部" in page
    assert f"<strong>{individuals}</strong>个人" in page
    assert f"<strong>{len(records) - individuals}</strong>集体" in page
    national = sum(any(o["level"] == "national" for o in r["honours"]) for r in records)
    assert f"<strong>{national}</strong>全国荣誉" in page
    assert "2019—2022年劳模风采" in page
    for record in records:
        if record["featured"]:
            assert record["name"] in page


def _facet_counts(page: str, facet: str) -> dict[str, int]:
    section = re.search(
        rf'<section class="facet" aria-labelledby="facet-{facet}">(.*?)</section>', page, re.S
    ).group(1)
    return {
        m.group(1).strip(): int(m.group(2))
        for m in re.finditer(r'>([^<>]+?) <span class="count">(\d+)</span>', section)
    }


def test_facet_counts_equal_counts_from_the_demo_files(demo_client, demo_records):
    """Computed from records/demo/ directly; drafts and withdrawn are in the files
    and must not be counted."""
    assert any(r["status"] != "published" for r in demo_records)
    records = published(demo_records)
    page = demo_client.get("/honorees").get_data(as_text=True)
    kinds = Counter(r["kind"] for r in records)
    assert _facet_counts(page, "kind") == {"个人": kinds["individual"], "集体": kinds["collective"]}
    levels = Counter(level for r in records for level in {o["level"] for o in r["honours"]})
    labels = {"national": "全国", "provincial": "省级", "municipal": "市级", "industry": "行业"}
    assert _facet_counts(page, "level") == {labels[k]: v for k, v in levels.items()}
    titles = Counter(t for r in records for t in {o["title"] for o in r["honours"]})
    assert _facet_counts(page, "title") == dict(titles)
    years = Counter(y for r in records for y in {o["year"] for o in r["honours"]})
    assert _facet_counts(page, "year") == {f"{y}年": n for y, n in years.items()}
    assert _facet_counts(page, "region") == dict(Counter(r["city"] for r in records))
    assert _facet_counts(page, "industry") == dict(Counter(r["industry"] for r in records))


def test_facet_counts_follow_every_change_on_every_page_of_a_listing(
    client, make_honoree, empty_archive
):
    """Counts are kept per listing between changes (every page shows the same);
    a change, even one no page was rendered after, shows at once on every page."""
    for n in range(25):
        make_honoree(name=f"人物{n:02d}", city="福州市")
    first = client.get("/honorees").get_data(as_text=True)
    assert _facet_counts(first, "region") == {"福州市": 25}
    db = empty_archive.db()
    with write(db):
        db.execute("UPDATE honorees SET city = '厦门市' WHERE name = '人物03'")
        honorees.note_change(
            db, db.execute("SELECT id FROM honorees WHERE name = '人物03'").fetchone()[0]
        )
    second = client.get("/honorees?page=2").get_data(as_text=True)
    assert _facet_counts(second, "region") == {"福州市": 24, "厦门市": 1}
    again = client.get("/honorees").get_data(as_text=True)
    assert _facet_counts(again, "region") == {"福州市": 24, "厦门市": 1}


def test_combined_facets_count_one_honour_and_other_facets(demo_client, demo_records):
    records = published(demo_records)
    page = demo_client.get("/honorees?level=national&year=2020&kind=individual").get_data(
        as_text=True
    )
    expected = [
        r
        for r in records
        if r["kind"] == "individual"
        and any(o["level"] == "national" and o["year"] == 2020 for o in r["honours"])
    ]
    assert f"共 {len(expected)} 位（个）" in page
    # the region facet, with all three filters applied
    assert _facet_counts(page, "region") == dict(Counter(r["city"] for r in expected))
    # the level facet ignores its own filter but keeps year=2020 on the same honour
    level_counts = Counter(
        level
        for r in records
        if r["kind"] == "individual"
        for level in {o["level"] for o in r["honours"] if o["year"] == 2020}
    )
    assert _facet_counts(page, "level")["全国"] == level_counts["national"]


def test_browse_paginates_and_sorts_by_pinyin_and_year(demo_client, demo_archive):
    first = demo_client.get("/honorees").get_data(as_text=True)
    assert "第 1 / 21 页" in first and 'rel="next" href="/honorees?page=2"' in first
    db = demo_archive.db()
    names = [
        r[0]
        for r in db.execute(
            "SELECT name FROM honorees WHERE status = 'published' ORDER BY sort_key, id"
        )
    ]
    shown = re.findall(r'<span class="card-name">(.*?)</span>', first)
    assert shown == names[:24]
    last = demo_client.get("/honorees?page=21").get_data(as_text=True)
    assert re.findall(r'<span class="card-name">(.*?)</span>', last) == names[480:]
    by_year = demo_client.get("/honorees?sort=year").get_data(as_text=True)
    assert "2022年" in re.findall(r'<span class="card-honour">(.*?)</span>', by_year)[0]


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=abc",
        "year=1800",
        "kind=x",
        "sort=random",
        "level=galactic",
        "region=" + "杭" * 101,
    ],
)
def test_bad_browse_input_gets_a_chinese_400(demo_client, query):
    response = demo_client.get(f"/honorees?{query}")
    assert response.status_code == 400
    assert "错误代码 400" in response.get_data(as_text=True)


def test_profile_shows_everything_a_visitor_needs(
    demo_client, demo_records, demo_ids, demo_archive
):
    record = next(
        r for r in published(demo_records) if r["kind"] == "individual" and len(r["honours"]) >= 2
    )
    honoree_id = demo_ids[record["ref"]]
    page = demo_client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert f'<h1 class="name">{record["name"]}</h1>' in page
    for honour in record["honours"]:
        assert honour["title"] in page and str(honour["year"]) in page and honour["body"] in page
    for value in (
        record["unit"],
        record["position"],
        record["city"],
        record["industry"],
        record["quote"],
    ):
        assert value in page
    assert record["story"].split("\n\n")[0][:30] in page
    code = (
        demo_archive.db()
        .execute("SELECT code FROM honorees WHERE id = ?", [honoree_id])
        .fetchone()[0]
    )
    assert f"{BASE_URL}/q/{code}" in page and f"/qr/{code}.svg" in page
    assert 'lang="zh-CN"' in page and 'fetchpriority="high"' in page
    assert "2019—2022年劳模风采" in page  # the exhibitions it belongs to
    assert re.search(
        r'<source type="image/webp" srcset="/media/\w+-320\.webp 320w, /media/\w+-640\.webp 640w"',
        page,
    )


def test_collective_profile_lists_members(demo_client, demo_records, demo_ids):
    team = next(r for r in published(demo_records) if r["members"])
    page = demo_client.get(f"/honorees/{demo_ids[team['ref']]}").get_data(as_text=True)
    names = {r["ref"]: r["name"] for r in demo_records}
    assert "集体成员" in page
    for ref in team["members"]:
        assert names[ref] in page
    member_page = demo_client.get(f"/honorees/{demo_ids[team['members'][0]]}").get_data(
        as_text=True
    )
    assert team["name"] in member_page  # 所在集体


def test_profile_meta_for_wechat_and_other_apps(demo_client, demo_ids):
    page = demo_client.get(f"/honorees/{demo_ids['P0001']}").get_data(as_text=True)
    head, body = page.split("<body>", 1)
    assert re.search(r"<title>[^<]+ - 劳模工匠数字档案馆</title>", head)
    assert '<meta name="description" content="' in head
    image = re.search(r'<meta property="og:image" content="([^"]+)"', head).group(1)
    assert image.startswith(f"{BASE_URL}/media/")
    assert f'<link rel="canonical" href="{BASE_URL}/honorees/{demo_ids["P0001"]}">' in head
    # WeChat's browser takes the share picture from the first image in the body:
    # that is the portrait (no hidden duplicate to download)
    first_image = re.search(r'<img [^>]*src="([^"]+)"', body).group(1)
    assert image.endswith(first_image)
    assert "portrait" in body[: body.index(first_image)].rsplit("<picture", 1)[1]


def test_pages_without_a_portrait_share_the_site_image(demo_client):
    head = demo_client.get("/exhibitions").get_data(as_text=True).split("<body>")[0]
    image = re.search(r'<meta property="og:image" content="([^"]+)"', head).group(1)
    assert image.startswith(f"{BASE_URL}/static/share.png?v=")
    assert demo_client.get(image.removeprefix(BASE_URL)).mimetype == "image/png"


def test_json_ld_parses_and_names_every_honour(demo_client, demo_records, demo_ids):
    for record in (
        published(demo_records)[:60]
        + [r for r in published(demo_records) if r["kind"] == "collective"][:20]
    ):
        page = demo_client.get(f"/honorees/{demo_ids[record['ref']]}").get_data(as_text=True)
        raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
        data = json.loads(raw)
        assert data["@type"] == ("Person" if record["kind"] == "individual" else "Organization")
        assert data["name"] == record["name"]
        for honour in record["honours"]:
            assert f"{honour['year']}年{honour['title']}" in data["award"]


def test_exhibition_sections_and_previous_next(demo_client, demo_archive):
    halls = demo_client.get("/api/v1/exhibitions").get_json()["items"]
    by_city = next(h for h in halls if h["title"] != "2019—2022年劳模风采")
    page = demo_client.get(f"/exhibitions/{by_city['id']}").get_data(as_text=True)
    for city in ["杭州市", "宁波市", "温州市"]:
        assert city in page
    detail = demo_client.get(f"/api/v1/exhibitions/{by_city['id']}").get_json()
    sequence = [h["id"] for s in detail["sections"] for h in s["honorees"]]
    middle = sequence[5]
    profile = demo_client.get(f"/honorees/{middle}?ex={by_city['id']}").get_data(as_text=True)
    assert f"第 6 / {len(sequence)} 位" in profile
    assert f'href="/honorees/{sequence[4]}?ex={by_city["id"]}"' in profile
    assert f'href="/honorees/{sequence[6]}?ex={by_city["id"]}"' in profile
    first = demo_client.get(f"/honorees/{sequence[0]}?ex={by_city['id']}").get_data(as_text=True)
    assert "上一位" not in first and "下一位" in first


def test_a_profile_opened_in_an_exhibition_wears_its_theme(demo_client):
    """Walking an exhibition from one person to the next keeps its colours: the
    profile with ``?ex=`` takes the exhibition's theme, the plain profile the site's."""
    halls = demo_client.get("/api/v1/exhibitions").get_json()["items"]
    hall = halls[0]
    detail = demo_client.get(f"/api/v1/exhibitions/{hall['id']}").get_json()
    honoree_id = detail["sections"][0]["honorees"][0]["id"]
    theme = f'href="/exhibitions/{hall["id"]}/theme.css"'
    inside = demo_client.get(f"/honorees/{honoree_id}?ex={hall['id']}").get_data(as_text=True)
    assert theme in inside and '<body class="themed">' in inside
    plain = demo_client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert "theme.css" not in plain and '<body class="themed">' not in plain
    css = demo_client.get(f"/exhibitions/{hall['id']}/theme.css").get_data(as_text=True)
    assert css.startswith(".themed{") and "--" in css


def test_short_link_redirects_302_to_the_profile_and_counts(demo_archive):
    app = demo_archive.app()
    client = app.test_client()
    db = demo_archive.db()
    honoree_id, code = db.execute(
        "SELECT id, code FROM honorees WHERE status = 'published' LIMIT 1"
    ).fetchone()
    spool = scans.spool_dir(app.instance_path)
    scans.fold(db, spool, settle=0)
    before = db.execute(
        "SELECT coalesce(sum(count), 0) FROM scans WHERE honoree_id = ?", [honoree_id]
    ).fetchone()[0]
    response = client.get(f"/q/{code.lower()}")
    response.close()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/honorees/{honoree_id}"
    scans.fold(db, spool, settle=0)  # the worker's part: spooled scans into the table
    after = db.execute(
        "SELECT coalesce(sum(count), 0) FROM scans WHERE honoree_id = ?", [honoree_id]
    ).fetchone()[0]
    assert after == before + 1


def test_images_are_served_with_long_cache_lifetimes(demo_client, demo_ids):
    page = demo_client.get(f"/honorees/{demo_ids['P0001']}").get_data(as_text=True)
    name = re.search(r"/media/(\w+-320\.webp)", page).group(1)
    response = demo_client.get(f"/media/{name}")
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert "immutable" in response.headers["Cache-Control"]
    css = re.search(r'href="(/static/site\.css\?v=\w+)"', page).group(1)
    assert "max-age=31536000" in demo_client.get(css).headers["Cache-Control"]
    assert demo_client.get("/media/../../etc/passwd").status_code == 404
    assert demo_client.get("/media/0123456789abcdef-320.webp").status_code == 404


def test_text_responses_are_compressed(demo_client, demo_ids):
    response = demo_client.get(
        f"/honorees/{demo_ids['P0001']}", headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert "<h1" in gzip.decompress(response.data).decode("utf-8")
    brotli = demo_client.get("/honorees", headers={"Accept-Encoding": "br, gzip"})
    assert brotli.headers["Content-Encoding"] == "br"


def test_sitemap_robots_and_health(demo_client, demo_records):
    sitemap = demo_client.get("/sitemap.xml")
    assert sitemap.mimetype == "application/xml"
    text = sitemap.get_data(as_text=True)
    # home, browse, exhibitions, the 2 exhibitions, every profile, and the honour and
    # year pages of the published records' honours
    records = published(demo_records)
    honours = [o for r in records for o in r["honours"] if not o.get("revoked")]
    pages = (
        len(records)
        + 3
        + 2
        + len({o["title"] for o in honours})
        + len({o["year"] for o in honours})
    )
    assert text.count("<url>") == 2 * pages  # each in Chinese and in English (?lang=en)
    assert f"<loc>{BASE_URL}/years/" in text and f"<loc>{BASE_URL}/honours/" in text
    assert f"<loc>{BASE_URL}/</loc>" in text
    robots = demo_client.get("/robots.txt").get_data(as_text=True)
    assert f"Sitemap: {BASE_URL}/sitemap.xml" in robots and "Disallow: /curate/" in robots
    health = demo_client.get("/healthz").get_json()
    assert health == {
        "status": "ok",
        "database": "ok",
        "search_index": "ok",
        "worker": "down",
        "worker_heartbeat_age": None,
        "queue_age": None,
    }


def test_a_crash_shows_a_friendly_500_without_a_traceback(demo_archive, monkeypatch):
    from archive.catalogue import honorees

    app = demo_archive.app()

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(honorees, "totals", broken)
    response = app.test_client().get("/?fresh=1")  # a page not rendered (cached) before
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "服务器出了点问题" in text
    assert "secret internal detail" not in text and "Traceback" not in text


def test_security_headers_on_every_response(demo_client):
    for url in ["/", "/api/v1/honorees", "/honorees/999999"]:
        headers = demo_client.get(url).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_pages_never_reference_another_host(demo_client, demo_ids):
    for url in ["/", "/honorees", f"/honorees/{demo_ids['C0001']}", "/exhibitions/1"]:
        page = demo_client.get(url).get_data(as_text=True)
        for attribute in re.findall(r'(?:src|href|srcset)="([^"]+)"', page):
            assert not attribute.startswith(("http:", "https:", "//")) or attribute.startswith(
                BASE_URL
            ), (url, attribute)


def test_an_honour_explained_with_its_holders_by_year(demo_client, demo_archive):
    db = demo_archive.db()
    title, year = db.execute(
        """SELECT o.title, o.year FROM honours o JOIN honorees h ON h.id = o.honoree_id
           WHERE h.status = 'published' AND h.deleted_at IS NULL AND o.revoked = 0
             AND o.title = '全国五一劳动奖章' ORDER BY o.year DESC LIMIT 1"""
    ).fetchone()
    page = demo_client.get(f"/honours/{title}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "中华全国总工会" in html and "每年五一国际劳动节前后表彰" in html
    holders = db.execute(
        """SELECT DISTINCT h.name FROM honours o JOIN honorees h ON h.id = o.honoree_id
           WHERE h.status = 'published' AND h.deleted_at IS NULL AND o.revoked = 0
             AND o.title = ? AND o.year = ?""",
        [title, year],
    ).fetchall()
    assert f'<a href="/years/{year}">{year}年</a>（{len(holders)}）' in html
    for (name,) in holders:
        assert name in html
    assert demo_client.get("/honours/没有这个称号").status_code == 404


def test_a_year_lists_its_honorees_by_title_national_first(demo_client, demo_archive):
    year = (
        demo_archive.db()
        .execute("SELECT max(year) FROM honours WHERE level = 'national' AND revoked = 0")
        .fetchone()[0]
    )
    html = demo_client.get(f"/years/{year}").get_data(as_text=True)
    assert f"<h1>{year}年</h1>" in html
    levels = re.findall(r'<span class="level">(.*?)</span>（', html)
    assert levels and levels[0] == "全国"
    order = {"全国": 0, "省级": 1, "市级": 2, "行业": 3}
    assert [order[v] for v in levels] == sorted(order[v] for v in levels)
    assert demo_client.get("/years/1800").status_code == 404
    assert demo_client.get("/years/1950").status_code == 404  # nobody that year


def test_the_footer_names_the_filings_and_the_about_page(empty_archive):
    app = empty_archive.app(
        ICP_NUMBER="琼ICP备12345678号-1",
        POLICE_FILING="琼公网安备46010802000001号",
        CONTACT="0898-12345678",
    )
    html = app.test_client().get("/").get_data(as_text=True)
    assert "琼ICP备12345678号-1" in html and "琼公网安备46010802000001号" in html
    about = app.test_client().get("/about").get_data(as_text=True)
    assert "关于本馆" in about and "0898-12345678" in about and "示例省总工会" in about


def test_a_profile_shows_the_citation_and_the_photo_credit(client, make_honoree, empty_archive):
    honoree_id = make_honoree(
        honours=[
            {
                "title": "全国劳动模范",
                "year": 2020,
                "body": "国务院",
                "document_no": "国发〔2020〕1号",
                "citation": "在抗击疫情中作出突出贡献",
            }
        ]
    )
    html = client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert "授予事由：在抗击疫情中作出突出贡献" in html and "国发〔2020〕1号" in html
    assert 'href="/honours/' in html and 'href="/years/2020"' in html


def test_a_collectives_members_are_listed_once(client, make_honoree, empty_archive):
    team = make_honoree(name="带电作业班", kind="collective", unit="海口供电局")
    members = [make_honoree(name=n, unit="海口供电局") for n in ("甲工匠", "乙工匠")]
    other = make_honoree(name="丙工匠", unit="海口供电局")
    db = empty_archive.db()
    with write(db):
        for position, member in enumerate(members):
            db.execute(
                "INSERT INTO members (collective_id, member_id, position) VALUES (?, ?, ?)",
                [team, member, position],
            )
    html = client.get(f"/honorees/{team}").get_data(as_text=True)
    assert html.count(f'href="/honorees/{members[0]}"') == 1
    assert html.count(f'href="/honorees/{members[1]}"') == 1
    assert f'href="/honorees/{other}"' in html  # a colleague who is not a member still shows
