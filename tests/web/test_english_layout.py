"""The visitors' frame in English (archive/templates/base.html, archive/web/localised.py,
archive/web/errors.py): the language switch in the header, the site's and the
organisation's names, cards, dates, error pages and the API's errors."""

from __future__ import annotations

import re

import pytest

from archive.catalogue import exhibitions
from archive.db import write
from archive.halls import store
from archive.web import localised
from tests.conftest import ClosingClient

ENGLISH = {"Accept-Language": "en-GB,en;q=0.8"}


def _client(archive, **config):
    app = archive.app(ENGLISH_INTERFACE=1, **config)
    app.test_client_class = ClosingClient
    return app.test_client()


def _switch(html: str) -> tuple[str, str, str] | None:
    """The header's language switch: (address, lang, label)."""
    found = re.search(
        r'<a class="lang-switch" href="([^"]+)" lang="([^"]+)"[^>]*>([^<]+)</a>', html
    )
    return (found[1].replace("&amp;", "&"), found[2], found[3]) if found else None


def _html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html)[1]


def test_the_header_switch_changes_the_language_and_keeps_the_page(empty_archive, make_honoree):
    make_honoree(name="赵卫东")
    client = _client(empty_archive)
    chinese = client.get("/years/2020").get_data(as_text=True)
    href, lang, label = _switch(chinese)
    assert (lang, label) == ("en", "English") and href.startswith("/lang/en")

    response = client.get(href)
    assert response.status_code == 303 and response.headers["Location"].endswith("/years/2020")
    assert response.headers["Set-Cookie"].startswith("lang=en")
    english = client.get("/years/2020").get_data(as_text=True)
    assert _html_lang(english) == "en" and "Honoured in 2020" in english
    href, lang, label = _switch(english)
    assert (lang, label) == ("zh-CN", "中文") and href.startswith("/lang/zh")

    client.get(href)
    again = client.get("/years/2020").get_data(as_text=True)
    assert _html_lang(again) == "zh-CN" and "2020年获得表彰的劳模工匠" in again


def test_the_switch_drops_the_address_language_so_chinese_sticks(empty_archive, make_honoree):
    make_honoree(name="赵卫东")
    client = _client(empty_archive)
    english = client.get("/years/2020?lang=en").get_data(as_text=True)
    href, _, label = _switch(english)
    assert label == "中文" and "lang%3Den" not in href and "lang=en" not in href
    target = client.get(href).headers["Location"]
    assert _html_lang(client.get(target).get_data(as_text=True)) == "zh-CN"


def test_no_switch_until_english_is_offered(empty_archive):
    app = empty_archive.app(ENGLISH_INTERFACE=0)
    app.test_client_class = ClosingClient
    html = app.test_client().get("/about", headers=ENGLISH).get_data(as_text=True)
    assert _switch(html) is None and "关于本馆" in html


def test_cards_name_people_in_english_and_their_honour_by_its_english_title(
    empty_archive, make_honoree
):
    make_honoree(name="赵卫东", unit="示例机械厂")
    make_honoree(kind="collective", name="示例车间班组", name_en="Sample Workshop Team")
    make_honoree(kind="collective", name="无英文名集体")
    html = _client(empty_archive).get("/years/2020", headers=ENGLISH).get_data(as_text=True)
    assert '<span class="card-name">ZHAO Weidong</span>' in html
    assert '<span class="card-name">Sample Workshop Team</span>' in html
    assert '<span class="card-name"><span lang="zh-CN">无英文名集体</span>' in html
    assert "2020 National Model Worker" in html
    assert '<span class="card-unit"><span lang="zh-CN">示例机械厂</span></span>' in html


def test_site_and_organisation_names_follow_the_settings(empty_archive):
    plain = _client(empty_archive).get("/about", headers=ENGLISH).get_data(as_text=True)
    assert "<title>About - Model Workers and Craftsmen Digital Archive</title>" in plain
    assert '<span lang="zh-CN">示例省总工会</span>' in plain
    assert '<meta property="og:locale" content="en_GB">' in plain

    named = _client(
        empty_archive, SITE_NAME_EN="Hainan Model Workers Archive", ORGANISATION_EN="Hainan FTU"
    ).get("/about", headers=ENGLISH)
    html = named.get_data(as_text=True)
    assert "Hainan Model Workers Archive" in html and "Run by Hainan FTU" in html
    assert "示例省总工会" not in html

    own = _client(empty_archive, SITE_NAME="海南劳模馆").get("/about", headers=ENGLISH)
    assert '<span lang="zh-CN">海南劳模馆</span>' in own.get_data(as_text=True)
    chinese = _client(empty_archive).get("/about").get_data(as_text=True)
    assert '<meta property="og:locale" content="zh_CN">' in chinese
    assert "劳模工匠数字档案馆由示例省总工会建设和维护" in chinese


def test_error_pages_and_api_errors_speak_english(empty_archive):
    client = _client(empty_archive)
    page = client.get("/no-such-page", headers=ENGLISH)
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and "<h1>Page not found</h1>" in html
    api = client.get("/api/v1/no-such-thing", headers=ENGLISH)
    assert api.status_code == 404 and api.get_json()["error"]["message"] == "Page not found"
    chinese = client.get("/api/v1/no-such-thing")
    assert chinese.get_json()["error"]["message"] == "没有找到这个页面"


def test_the_hall_being_drawn_says_so_in_english(empty_archive, make_honoree):
    honoree_id = make_honoree(name="赵卫东")
    db = empty_archive.db()
    with write(db):
        exhibition_id = exhibitions.create(
            db, "测试展馆", "", [("第一单元", "", [honoree_id])], status="published"
        )
        store.ensure(db, exhibition_id)  # a hall, not drawn yet
    response = _client(empty_archive).get(f"/exhibitions/{exhibition_id}/hall", headers=ENGLISH)
    assert response.status_code == 503
    assert "The online hall is being set up" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "stamp, english, chinese",
    [
        ("2026-12-04T06:05:00Z", "4 December 2026, 14:05", "2026年12月4日 14:05"),
        ("2026-12-31T20:00:00+00:00", "1 January 2027, 04:00", "2027年1月1日 04:00"),
        ("not a date", "not a date", "not a date"),
        (None, "", ""),
    ],
)
def test_dates_in_beijing_time_in_the_page_language(empty_archive, stamp, english, chinese):
    app = empty_archive.app(ENGLISH_INTERFACE=1)
    with app.test_request_context("/", headers=ENGLISH):
        assert localised.beijing(stamp) == english
    with app.test_request_context("/"):
        assert localised.beijing(stamp) == chinese
    with app.test_request_context("/", headers=ENGLISH):
        if stamp and "T" in stamp:
            assert localised.beijing(stamp, with_time=False) == english.split(",")[0]


def test_bad_numbers_in_addresses_are_explained_in_english(empty_archive, make_honoree):
    honoree_id = make_honoree(name="赵卫东")
    client = _client(empty_archive)
    wrong = client.get(f"/honorees/{honoree_id}?ex=abc", headers=ENGLISH)
    assert wrong.status_code == 400
    assert "The parameter ex must be a whole number" in wrong.get_data(as_text=True)
    huge = client.get("/honorees/99999999999999999999", headers=ENGLISH)
    assert huge.status_code == 400
    assert "The number in the address is too large" in huge.get_data(as_text=True)
    assert "编号过大" in client.get("/honorees/99999999999999999999").get_data(as_text=True)
