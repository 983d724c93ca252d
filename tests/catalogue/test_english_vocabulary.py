"""The English of the vocabulary English pages and the API show (archive/catalogue/english.py):
places in pinyin with their rank, the official names of provinces, the tables of
levels, kinds, genders, ethnic groups and industries; and term(), which picks the
right one for each kind of word."""

from __future__ import annotations

import re

import pytest

from archive.catalogue import english, vocabulary
from archive.web import language

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("海南省", "Hainan"),
        ("山西省", "Shanxi"),
        ("陕西省", "Shaanxi"),  # not pinyin: the official spelling keeps the two apart
        ("内蒙古自治区", "Inner Mongolia"),
        ("广西壮族自治区", "Guangxi"),
        ("西藏自治区", "Xizang"),
        ("新疆维吾尔自治区", "Xinjiang"),
        ("北京市", "Beijing"),
        ("香港特别行政区", "Hong Kong"),
        ("澳门特别行政区", "Macao"),
    ],
)
def test_provinces_have_their_official_english(name, expected):
    assert english.place(name) == expected


def test_every_province_has_english_written_in_latin_letters():
    assert len(english.PROVINCES) == 34
    for name, value in english.PROVINCES.items():
        assert value and not HAN.search(value), name


@pytest.mark.parametrize(
    "name, expected",
    [
        # cities: the name alone
        ("海口市", "Haikou"),
        ("杭州市", "Hangzhou"),
        ("吕梁市", "Lüliang"),
        ("长治市", "Changzhi"),  # 长 is chang in place names
        ("朝阳市", "Chaoyang"),
        # districts and areas
        ("美兰区", "Meilan District"),
        ("长宁区", "Changning District"),
        ("浦东新区", "Pudong New Area"),
        ("神农架林区", "Shennongjia Forest District"),
        ("喀什地区", "Kashi Prefecture"),
        # counties
        ("绿春县", "Lüchun County"),
        ("单县", "Shan County"),
        ("蔚县", "Yu County"),
        ("长子县", "Zhangzi County"),  # the exception to 长 chang
        # leagues and banners (Inner Mongolia)
        ("阿拉善盟", "Alashan League"),
        ("锡林郭勒盟", "Xilinguole League"),
        ("达拉特旗", "Dalate Banner"),
    ],
)
def test_places_are_written_in_pinyin_with_their_rank(name, expected):
    assert english.place(name) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("西安市", "Xi'an"),
        ("长安区", "Chang'an District"),
        ("兴安盟", "Xing'an League"),
        ("鄂尔多斯市", "E'erduosi"),
        ("大兴安岭地区", "Daxing'anling Prefecture"),
        ("东阿县", "Dong'e County"),
    ],
)
def test_an_apostrophe_parts_a_syllable_that_begins_with_a_vowel(name, expected):
    assert english.place(name) == expected


def test_xian_and_xi_an_are_told_apart():
    assert english.place("西安市") != english.place("先市")
    assert english.place("先市") == "Xian"


@pytest.mark.parametrize(
    "name",
    [
        "琼中黎族苗族自治县",
        "恩施土家族苗族自治州",
        "延边朝鲜族自治州",
        "鄂伦春自治旗",  # names its people without 族
        "莫力达瓦达斡尔族自治旗",
        "三都水族自治县",
    ],
)
def test_names_of_ethnic_groups_are_kept_in_chinese(name):
    assert english.place(name) is None
    assert english.term("region", name) is None


@pytest.mark.parametrize("text", ["", "Haikou", "123"])
def test_text_not_written_in_chinese_has_no_place_name(text):
    assert english.place(text) is None


def test_ethnic_groups_and_industries_all_have_english():
    assert len(english.ETHNIC_GROUPS) == 56
    assert english.ETHNIC_GROUPS["汉族"] == "Han"
    assert english.ETHNIC_GROUPS["维吾尔族"] == "Uygur"
    assert english.ETHNIC_GROUPS["基诺族"] == "Jino"
    assert len(set(english.ETHNIC_GROUPS.values())) == 56
    assert set(english.INDUSTRIES) == set(vocabulary.INDUSTRIES)
    for value in [*english.ETHNIC_GROUPS.values(), *english.INDUSTRIES.values()]:
        assert value and not HAN.search(value)


@pytest.mark.parametrize(
    "kind, value, expected",
    [
        ("level", "national", "National"),
        ("level", "industry", "Industry"),
        ("kind", "individual", "Individual"),
        ("kinds", "collective", "Collectives"),
        ("collective_type", "team", "Team"),
        ("gender", "女", "Female"),
        ("ethnic_group", "壮族", "Zhuang"),
        ("industry", "制造业", "Manufacturing"),
        ("industry", "交通运输、仓储和邮政业", "Transport, Storage and Post"),
        ("title", "全国五一劳动奖章", "National May Day Labour Medal"),
        ("region", "海口市", "Haikou"),
        ("region", "海南省", "Hainan"),
    ],
)
def test_term_gives_each_kind_of_word_its_english(kind, value, expected):
    assert english.term(kind, value) == expected


@pytest.mark.parametrize(
    "kind, value",
    [
        ("level", "galactic"),
        ("gender", "未知"),
        ("ethnic_group", "穿青人"),
        ("industry", "某某行业"),  # a value an office wrote, not GB/T 4754's
        ("title", "浙江工匠"),  # a title added later: its English is the curators'
        ("unknown kind", "海口市"),
    ],
)
def test_term_has_no_english_for_what_it_does_not_know(kind, value):
    assert english.term(kind, value) is None


def test_every_seeded_title_has_english():
    assert set(english.TITLES) == {t for t, _, _ in vocabulary.TITLES}


def test_pages_show_terms_in_english_or_marked_chinese(app):
    app.config["ENGLISH_INTERFACE"] = 1
    with app.test_request_context("/?lang=en"):
        assert str(language.term("level", "provincial")) == "Provincial"
        assert str(language.term("region", "西安市")) == "Xi&#39;an"
        assert str(language.term("industry", "某某行业")) == '<span lang="zh-CN">某某行业</span>'
        assert str(language.term("title", "全国劳动模范")) == "National Model Worker"
        assert str(language.term("region", "")) == ""
    with app.test_request_context("/"):
        assert str(language.term("region", "西安市")) == "西安市"
