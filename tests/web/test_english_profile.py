"""A profile read in English (issue 20): the record's English name, summary and story
where curators wrote them; where they did not, the page says so plainly and shows the
Chinese, marked ``lang="zh-CN"``. The head of the page (title, description, share
card) is English only. Also the search notices and limits a visitor meets in English."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from tests.english_pages import CJK

ENGLISH = {"Accept-Language": "en-GB,en;q=0.8"}
NO_ENGLISH = "This record has no English text yet; it is shown in Chinese."
PARTLY = "Parts of this record have no English text yet; they are shown in Chinese."


class _Elements(HTMLParser):
    """Every element with its attributes, its text and the language in force."""

    VOID = {"img", "meta", "link", "input", "br", "source", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[dict] = []
        self.all: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang") or (self.open[-1]["lang"] if self.open else None)
        element = {"tag": tag, "attrs": attrs, "text": "", "lang": lang}
        self.all.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.open:
            element["text"] += data


def _parsed(html: str) -> list[dict]:
    parser = _Elements()
    parser.feed(html)
    return parser.all


def elements(html: str, tag: str, **attrs) -> list[dict]:
    return [
        e
        for e in _parsed(html)
        if e["tag"] == tag
        and all(
            value in (e["attrs"].get(name.rstrip("_")) or "").split()
            for name, value in attrs.items()
        )
    ]


def one(html: str, tag: str, **attrs) -> dict:
    found = elements(html, tag, **attrs)
    assert len(found) == 1, (tag, attrs, len(found))
    return found[0]


def lang_of(html: str, text: str) -> str | None:
    """The language in force on the innermost element that holds exactly ``text``."""
    found = [e for e in _parsed(html) if e["text"].strip() == text]
    return found[-1]["lang"] if found else "(not found)"


def visible(html: str) -> str:
    """The page without its structured data for search engines."""
    return re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)


def meta(html: str, key: str) -> str:
    found = [
        e["attrs"]["content"]
        for e in elements(html, "meta")
        if key in (e["attrs"].get("name"), e["attrs"].get("property"))
    ]
    return found[0]


@pytest.fixture
def english_client(empty_archive):
    return empty_archive.app(ENGLISH_INTERFACE=1).test_client()


def test_a_person_with_english_texts_is_read_in_english(english_client, make_honoree):
    person = make_honoree(
        name="赵卫东",
        summary="三十年扎根车间。",
        story="赵卫东扎根车间三十年。",
        summary_en="A fitter on the shop floor for thirty years.",
        story_en="He has trained **twenty** apprentices.",
    )
    html = english_client.get(f"/honorees/{person}", headers=ENGLISH).get_data(as_text=True)
    heading = one(html, "h1", class_="name")
    assert heading["text"].split()[:2] == ["ZHAO", "Weidong"]
    assert lang_of(html, "赵卫东") == "zh-CN"  # the Chinese name beside, marked
    summary = one(html, "p", class_="summary")
    assert summary["text"] == "A fitter on the shop floor for thirty years."
    assert summary["lang"] == "en"
    story = one(html, "div", class_="story")
    assert story["lang"] == "en" and "He has trained twenty apprentices." in story["text"]
    assert "扎根" not in visible(html)  # the Chinese texts give way to the English
    assert NO_ENGLISH not in html and PARTLY not in html
    title = one(html, "title")["text"]
    assert title.startswith("ZHAO Weidong · National Model Worker, 2020 - ")
    description = meta(html, "og:description")
    assert "A fitter on the shop floor for thirty years." in description
    assert meta(html, "og:title") == title and meta(html, "description") == description
    assert not CJK.search(description) and not CJK.search(title.rsplit(" - ", 1)[0])

    chinese = english_client.get(f"/honorees/{person}").get_data(as_text=True)
    assert one(chinese, "h1", class_="name")["text"] == "赵卫东"
    assert one(chinese, "p", class_="summary")["text"] == "三十年扎根车间。"
    assert "A fitter" not in chinese and "ZHAO" not in chinese


def test_a_record_without_english_texts_says_so_and_shows_the_chinese(english_client, make_honoree):
    team = make_honoree(
        kind="collective",
        collective_type="team",
        name="某某港务集团桥吊班",
        summary="港口桥吊作业的标杆班组。",
        story="桥吊班连续十年安全无事故。",
    )
    html = english_client.get(f"/honorees/{team}", headers=ENGLISH).get_data(as_text=True)
    notice = one(html, "p", class_="no-english")
    assert notice["text"] == NO_ENGLISH and notice["lang"] == "en"
    heading = one(html, "h1", class_="name")
    assert heading["text"] == "某某港务集团桥吊班"
    assert lang_of(html, "某某港务集团桥吊班") == "zh-CN"
    summary = one(html, "p", class_="summary")
    assert summary["text"] == "港口桥吊作业的标杆班组。" and summary["lang"] == "zh-CN"
    story = one(html, "div", class_="story")
    assert "桥吊班连续十年安全无事故。" in story["text"] and story["lang"] == "zh-CN"
    assert one(html, "p", class_="kind")["text"] == "Collective · Team"
    title = one(html, "title")["text"]
    assert title.startswith("Collective · National Workers' Pioneer, 2020 - ")
    assert not CJK.search(title.rsplit(" - ", 1)[0])
    assert NO_ENGLISH in meta(html, "og:description")


def test_english_summary_without_an_english_story_shows_the_story_in_chinese(
    english_client, make_honoree
):
    person = make_honoree(
        name="欧阳明辉", story="欧阳明辉是焊工。", summary_en="A welder.", summary="焊工。"
    )
    html = english_client.get(f"/honorees/{person}", headers=ENGLISH).get_data(as_text=True)
    assert one(html, "p", class_="no-english")["text"] == PARTLY
    assert one(html, "p", class_="summary")["text"] == "A welder."
    story = one(html, "div", class_="story")
    assert story["lang"] == "zh-CN" and "欧阳明辉是焊工。" in story["text"]
    assert one(html, "h1", class_="name")["text"].startswith("OUYANG Minghui")


def test_a_collective_named_in_english_is_headed_so(english_client, make_honoree):
    team = make_honoree(
        kind="collective", name="某某港务集团桥吊班", name_en="Quay Crane Team, Port Group"
    )
    html = english_client.get(f"/honorees/{team}", headers=ENGLISH).get_data(as_text=True)
    assert one(html, "h1", class_="name")["text"].startswith("Quay Crane Team, Port Group ")
    assert one(html, "title")["text"].startswith("Quay Crane Team, Port Group · ")


def test_an_embedded_card_in_english(english_client, make_honoree):
    person = make_honoree(name="赵卫东", summary="焊工。", summary_en="A welder.")
    html = english_client.get(f"/embed/honorees/{person}", headers=ENGLISH).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert one(html, "h1")["text"] == "ZHAO Weidong"
    assert one(html, "p", class_="summary")["text"] == "A welder."
    assert lang_of(html, "测试单位") == "zh-CN"
    assert one(html, "p", class_="more")["text"].strip() == "Read the story →"


@pytest.fixture(scope="module")
def english_demo(demo_archive):
    return demo_archive.app(ENGLISH_INTERFACE=1).test_client()


def test_a_long_query_is_searched_from_its_opening_and_says_so_in_english(english_demo):
    response = english_demo.get("/search?q=" + quote("张" * 150), headers=ENGLISH)
    notes = [e["text"] for e in elements(response.get_data(as_text=True), "p", class_="notice")]
    assert notes == ["The search is long: only its first 100 characters and 8 words were searched."]


def test_a_query_over_the_limit_is_refused_in_english(english_demo):
    response = english_demo.get("/search?q=" + quote("张" * 1000), headers=ENGLISH)
    assert response.status_code == 414
    assert "The search is too long: at most 500 characters." in response.get_data(as_text=True)


def test_browse_counts_and_filters_in_english(english_demo):
    html = english_demo.get("/honorees?level=national", headers=ENGLISH).get_data(as_text=True)
    count = one(html, "p", class_="result-count")["text"]
    assert re.fullmatch(r"\d+ records(, page 1 of \d+)?", count), count
    chip = [e for e in elements(html, "a") if e["attrs"].get("aria-label", "").startswith("Remove")]
    assert chip[0]["attrs"]["aria-label"] == "Remove filter: Level National"
    assert one(html, "title")["text"].startswith("National - ")
    refused = english_demo.get("/honorees?level=galactic", headers=ENGLISH)
    assert refused.status_code == 400 and "Unknown honour level." in refused.get_data(as_text=True)


def test_search_results_are_named_in_english(english_demo):
    html = english_demo.get("/search?q=zw", headers=ENGLISH).get_data(as_text=True)
    names = [e for e in elements(html, "span", class_="card-name")]
    assert names
    for name in names:
        text = name["text"].strip()
        assert not CJK.search(text) or lang_of(html, text) == "zh-CN", text
    assert any(not CJK.search(n["text"]) for n in names)  # people in GB/T 28039 form
    honours = [e["text"].strip() for e in elements(html, "span", class_="card-honour")]
    assert honours and not any(CJK.search(h) for h in honours)  # year and English title
    assert "zh-CN" == one(html, "input", id="search-q")["attrs"]["data-content-lang"]
