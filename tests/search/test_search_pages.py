"""The search page, suggestions and the search API as visitors and scripts use
them: facets that agree with the results, sorting, pages, escaped highlighted
snippets, a helpful page when nothing is found, and no error for any input."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from archive import search

pytestmark = pytest.mark.engines


@pytest.fixture(scope="module")
def openapi(demo_archive):
    app = demo_archive.app()
    with app.test_client() as client:
        return client.get("/api/v1/openapi.json").get_json()


def validate_search(openapi, body):
    schema = openapi["paths"]["/search"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    document = {**openapi, "$schema": "https://json-schema.org/draft/2020-12/schema"}
    registry = Registry().with_resource("urn:openapi", Resource.from_contents(document))
    validator = Draft202012Validator({"$ref": "urn:openapi" + schema["$ref"]}, registry=registry)
    errors = list(validator.iter_errors(body))
    assert not errors, f"{errors[0].message} at {list(errors[0].absolute_path)}"


def api(client, **args):
    response = client.get("/api/v1/search", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_search_api_matches_the_openapi_document(demo_client, openapi):
    for args in (
        {"q": "张伟"},
        {"q": "zw", "level": "provincial"},
        {"q": "没有这个人xyz"},
        {"level": "national", "sort": "year"},
        {"q": "“问题就是课题”", "per_page": 3},
    ):
        validate_search(openapi, api(demo_client, **args))


@pytest.mark.parametrize("q", ["张", "工人先锋号", "zhang"])
def test_every_facet_count_is_what_choosing_it_gives(demo_client, q):
    body = api(demo_client, q=q)
    assert body["total"] > 0
    for name, values in body["facets"].items():
        # the demo exhibit has no 推荐单位 (test_import_offices searches by it)
        assert values or name == "nominator", name
        for entry in values[:3]:
            narrowed = api(demo_client, q=q, **{name: entry["value"]})
            assert narrowed["total"] == entry["count"], (q, name, entry)


def test_honour_facets_apply_to_one_honour_as_when_browsing(demo_client):
    for args in (
        {"level": "national", "year": "2020"},
        {"title": "省五一劳动奖章", "year": "2021"},
        {"kind": "collective", "region": "杭州市"},
    ):
        found = api(demo_client, **args)
        browsed = demo_client.get("/api/v1/honorees", query_string={**args, "facets": "1"})
        browsed = browsed.get_json()
        assert found["total"] == browsed["total"], args
        assert found["facets"] == browsed["facets"], args


def test_facets_combine_with_text(demo_client):
    body = api(demo_client, q="张", level="national", kind="individual", per_page=100)
    assert body["items"] and body["items"][0]["name"].startswith("张")
    for item in body["items"]:
        assert item["kind"] == "individual"
        assert any(o["level"] == "national" for o in item["honours"])


def test_sort_by_year_and_by_pinyin(demo_client, demo_archive):
    by_year = api(demo_client, q="工人先锋号", sort="year", per_page=50)["items"]
    latest = [max(o["year"] for o in item["honours"]) for item in by_year]
    assert latest == sorted(latest, reverse=True)
    by_pinyin = api(demo_client, q="工人先锋号", sort="pinyin", per_page=50)["items"]
    sort_keys = dict(demo_archive.db().execute("SELECT id, sort_key FROM honorees").fetchall())
    keys = [sort_keys[item["id"]] for item in by_pinyin]  # syllable by syllable
    assert len(keys) == 50 and keys == sorted(keys)


def test_pages_do_not_overlap_and_cover_the_results(demo_client):
    first = api(demo_client, q="张", per_page=10, page=1)
    second = api(demo_client, q="张", per_page=10, page=2)
    assert first["total"] == second["total"] > 10
    assert first["pages"] == second["pages"] == -(-first["total"] // 10)
    ids = [i["id"] for i in first["items"]] + [i["id"] for i in second["items"]]
    assert len(ids) == len(set(ids)) == 20
    page = demo_client.get("/search?q=张&page=2").get_data(as_text=True)
    assert 'rel="prev"' in page and "第 2 / " in page


def test_snippets_are_highlighted_and_escaped(client, empty_archive, make_honoree):
    make_honoree(name="焊接能手", story="焊接工艺<script>alert(1)</script>要一丝不苟。")
    search.rebuild(empty_archive.db(), empty_archive.config["INDEX_DIR"])
    page = client.get("/search?q=焊接工艺").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert re.search(r"<mark>焊接(工艺)?</mark>", page)


def test_the_exact_name_ranks_above_a_longer_one(empty_archive, make_honoree):
    longer = make_honoree(name="张三丰", unit="武当机械厂")
    exact = make_honoree(name="张三", unit="青城纺织厂")
    db = empty_archive.db()
    index_dir = empty_archive.config["INDEX_DIR"]
    search.rebuild(db, index_dir)

    def ids(q):
        return [i["id"] for i in search.query(db, index_dir, q).items]

    assert ids("张三") == [exact, longer]
    assert ids("张三丰") == [longer]
    for typed in ("张", "zhang", "zhangsanfeng", "zsf", "sanfeng", "張三豐", "zhang san feng"):
        assert longer in ids(typed), typed
    assert ids("zhangsan")[0] == exact


def test_no_result_page_offers_pinyin_suggestions(demo_client):
    page = demo_client.get("/search?q=zhangwie").get_data(as_text=True)
    assert "找到 0 位" in page and "您要找的是不是" in page
    assert ">张伟</a>" in page


def test_no_result_page_offers_to_drop_filters(demo_client, demo_records):
    cities = {r["city"] for r in demo_records if r["status"] == "published"}
    with_name = {r["city"] for r in demo_records if r["name"] == "张伟"}
    city = sorted(cities - with_name)[0]
    page = demo_client.get("/search", query_string={"q": "张伟", "region": city})
    text = page.get_data(as_text=True)
    assert "找到 0 位" in text
    match = re.search(r"去掉筛选条件后有 (\d+) 条结果：<a href=\"([^\"]+)\"", text)
    assert match and int(match.group(1)) >= 3
    href = match.group(2).replace("&amp;", "&")
    assert parse_qs(urlsplit(href).query) == {"q": ["张伟"]}
    assert f"找到 {match.group(1)} 位" in demo_client.get(href).get_data(as_text=True)


def test_suggest_returns_names_with_unit_and_honour(demo_client):
    response = demo_client.get("/search/suggest?q=zhangw")
    assert response.is_json
    items = response.get_json()["items"]
    assert items and items[0]["name"] == "张伟"
    for item in items:
        assert item["unit"] and re.match(r"\d{4}年", item["honour"])
        assert item["url"] == f"/honorees/{item['id']}"
    assert (
        demo_client.get("/search/suggest?q=欧阳").get_json()["items"][0]["name"].startswith("欧阳")
    )
    assert demo_client.get("/search/suggest?q=").get_json()["items"] == []


NASTY = [
    "",
    " ",
    "*",
    "?",
    '"',
    '"""',
    '"张伟',
    '张伟"',
    "(",
    ")",
    "AND",
    "OR NOT",
    "name:张伟",
    "title:(a OR b",
    "story:*",
    "张*",
    "[a TO z]",
    "{}",
    "^2",
    "~",
    "\\",
    "\x00\x01\x1f",
    "\u200b",
    "🙂",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "a" * 1000,
    "张" * 1000,
    "“" * 500,
    "zh" * 500,
    "2020 " * 200,
    "全国劳动模范 " * 50,
    "\U0001f600" * 300,
]


@pytest.mark.parametrize("q", NASTY)
def test_any_input_gets_results_or_a_friendly_message(demo_client, q):
    too_long = len(" ".join(q.split())) > search.QUERY_REFUSED
    page = demo_client.get("/search", query_string={"q": q})
    if too_long:  # the archive's own Chinese page, not a server's English one
        assert page.status_code == 414 and "检索词太长了" in page.get_data(as_text=True)
    else:
        assert page.status_code == 200
        assert "<h1>搜索</h1>" in page.get_data(as_text=True)
    assert "<script>alert" not in page.get_data(as_text=True)
    suggest = demo_client.get("/search/suggest", query_string={"q": q})
    assert suggest.status_code == 200 and suggest.is_json
    response = demo_client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code in (200, 400, 414) and response.is_json
    if response.status_code == 400:
        assert not q.strip()
    assert (response.status_code == 414) == too_long


def test_a_long_query_says_it_was_shortened(demo_client):
    page = demo_client.get("/search", query_string={"q": "张伟 " + "测" * 300})
    assert "检索词过长" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/search?q=张&year=20x0",
        "/search?q=张&sort=random",
        "/search?q=张&page=0",
        "/search?q=张&kind=robot",
    ],
)
def test_bad_filters_are_a_chinese_400(demo_client, url):
    response = demo_client.get(url)
    assert response.status_code == 400
    assert "搜索" in response.get_data(as_text=True) or "错误" in response.get_data(as_text=True)


def test_a_missing_index_is_a_message_not_an_error(client, make_honoree):
    """Before the first index is built (a fresh install, a deleted folder), names are
    found in the database with a notice: the search never answers 503."""
    make_honoree(name="张建设")
    page = client.get("/search?q=张").get_data(as_text=True)
    assert "检索索引正在建立" in page and "张建设" in page
    response = client.get("/api/v1/search?q=张")
    assert response.status_code == 200 and response.is_json
    found = response.get_json()
    assert found["degraded"] == "database"
    assert [item["name"] for item in found["items"]] == ["张建设"]
