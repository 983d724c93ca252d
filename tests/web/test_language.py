"""The visitor's language (archive/web/language.py): Chinese unless asked, by the
address, the switch's cookie or a browser that lists no Chinese; pages cached per
language; names in GB/T 28039 form."""

from __future__ import annotations

import re

import pytest

from archive.catalogue import names
from archive.web import language
from tests.conftest import ClosingClient


@pytest.fixture
def client(empty_archive):
    """An archive that offers its English interface (ENGLISH_INTERFACE=1)."""
    app = empty_archive.app(ENGLISH_INTERFACE=1)
    app.test_client_class = ClosingClient
    return app.test_client()


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, "zh"),
        ("", "zh"),
        ("*", "zh"),
        ("zh-CN", "zh"),
        ("ZH-tw,en;q=0.8", "zh"),
        ("en-US,en;q=0.9", "en"),
        ("en-GB, zh-CN;q=0.1", "zh"),
        ("fr-FR,fr;q=0.9", "en"),
        ("zh", "zh"),
        ("de", "en"),
    ],
)
def test_english_by_header_only_when_no_chinese_is_listed(header, expected):
    assert language.from_header(header) == expected


def test_the_address_beats_the_cookie_which_beats_the_header():
    assert language.choose({"lang": "en"}, {"lang": "zh"}, "zh-CN") == "en"
    assert language.choose({"lang": "zh"}, {"lang": "en"}, "en-US") == "zh"
    assert language.choose({}, {"lang": "en"}, "zh-CN") == "en"
    assert language.choose({"lang": "fr"}, {"lang": "xx"}, "en-US") == "en"
    assert language.choose({"lang": "fr"}, {}, None) == "zh"


def _html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))[1]


def test_pages_say_their_language_and_vary_by_it(client, make_honoree):
    honoree_id = make_honoree(name="语言测试")
    url = f"/honorees/{honoree_id}"
    chinese = client.get(url)
    assert _html_lang(chinese) == "zh-CN"
    assert {"Accept-Language", "Cookie"} <= set(chinese.vary)
    assert _html_lang(client.get(url, headers={"Accept-Language": "en-US,en;q=0.9"})) == "en"
    assert _html_lang(client.get(url, query_string={"lang": "en"})) == "en"
    # the cached Chinese page is not served to an English visitor, nor the reverse
    assert _html_lang(client.get(url)) == "zh-CN"
    assert _html_lang(client.get(url, headers={"Accept-Language": "de"})) == "en"
    assert _html_lang(client.get(url, headers={"Accept-Language": "zh-CN"})) == "zh-CN"


def test_the_switch_sets_a_cookie_and_returns_to_the_page(client, make_honoree):
    honoree_id = make_honoree(name="切换测试")
    page = f"/honorees/{honoree_id}?ex=1"
    response = client.get("/lang/en", headers={"Referer": f"https://archive.example.org{page}"})
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en") and "SameSite=Lax" in cookie
    assert _html_lang(client.get(f"/honorees/{honoree_id}")) == "en"
    back = client.get("/lang/zh", query_string={"next": f"/honorees/{honoree_id}"})
    assert back.headers["Location"].endswith(f"/honorees/{honoree_id}")
    assert _html_lang(client.get(f"/honorees/{honoree_id}")) == "zh-CN"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "https://evil.example/x",
        "javascript:alert(1)",
        "/\\evil.example",
        "evil.example",
    ],
)
def test_the_switch_never_sends_a_visitor_to_another_site(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location in ("/", "https://archive.example.org/"), location
    foreign = client.get("/lang/en", headers={"Referer": "https://evil.example/page"})
    assert foreign.headers["Location"] in ("/", "https://archive.example.org/")


def test_an_unknown_language_is_chinese(client):
    response = client.get("/lang/xx")
    assert response.headers["Set-Cookie"].startswith("lang=zh")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("赵卫东", "ZHAO Weidong"),
        ("欧阳明辉", "OUYANG Minghui"),
        ("曾志强", "ZENG Zhiqiang"),
        ("单田芳", "SHAN Tianfang"),
        ("吕西安", "LÜ Xi'an"),
        ("张　伟", "ZHANG Wei"),
        ("阿依古丽·买买提", "Ayiguli Maimaiti"),
        ("王", "WANG"),
        ("Anna Li", "Anna Li"),
    ],
)
def test_people_are_named_in_gb_t_28039_form(name, expected):
    assert names.english(name) == expected


def test_collectives_have_no_personal_english_form():
    assert names.english("国网某某供电公司运维班", "collective") == ""


def test_until_the_english_interface_is_offered_every_page_stays_chinese(
    empty_archive, make_honoree
):
    """The default: no Chinese page is ever marked English, whatever is asked."""
    honoree_id = make_honoree(name="中文页面")
    app = empty_archive.app(ENGLISH_INTERFACE=0)
    app.test_client_class = ClosingClient
    plain = app.test_client()
    for ask in ({"headers": {"Accept-Language": "en-US"}}, {"query_string": {"lang": "en"}}):
        response = plain.get(f"/honorees/{honoree_id}", **ask)
        assert _html_lang(response) == "zh-CN" and "Accept-Language" not in response.vary
    assert plain.get("/lang/en").headers["Set-Cookie"].startswith("lang=zh")
