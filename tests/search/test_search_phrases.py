"""Quoted phrases: the words of the phrase, in order, next to each other once
stop words and punctuation are set aside, within one field. The Whoosh engine
answers them from postings arrays (archive.search.whoosh.postings) instead of Whoosh's span
machinery; these tests hold its answers to Whoosh's own ``Phrase`` — the same
documents with the same scores — on stories with stop words, punctuation,
repeated words, words in the wrong order and phrases that would only match
across two fields."""

from __future__ import annotations

import math

import pytest
from whoosh.query import Phrase

from archive import search
from archive.search.whoosh import engine as whoosh_search

pytestmark = pytest.mark.engines

STORIES = {
    "顺序": "他把多年摸索出的经验提炼成一套工法，在全厂推广。",
    "标点": "多年摸索出，的经验提炼成一套；这是他的习惯。",
    "倒序": "经验提炼成一套方法，是他多年摸索出来的。",
    "重复": "工作工作再工作，是他的口头禅。技术创新从不停步。",
    "间隔": "工作之余坚持技术创新，工作从不马虎。",
    "跨字段": "班组长带领大家攻关。",
}
UNITS = {"跨字段": "精密机械厂"}


@pytest.fixture(scope="module")
def phrase_archive(tmp_path_factory, search_engine):
    from archive.catalogue import honorees
    from archive.db import write
    from tests.conftest import fresh_archive

    archive = fresh_archive(tmp_path_factory.mktemp("phrases"), search_engine)
    db = archive.db()
    ids = {}
    with write(db):
        for i, (key, story) in enumerate(STORIES.items()):
            ids[key] = honorees.create(
                db,
                {
                    "kind": "individual",
                    "name": f"短语测试{'甲乙丙丁戊己'[i]}",
                    "status": "published",
                    "unit": UNITS.get(key, "测试单位"),
                    "story": story,
                },
                [{"title": "省劳动模范", "year": 2021}],
            )
    search.rebuild(db, archive.config["INDEX_DIR"], engine=search_engine)
    yield archive, ids
    archive.close()


def _found(archive, text):
    db = archive.db()
    result = search.query(db, archive.config["INDEX_DIR"], text, page_size=50)
    assert result.total == len(result.items)  # the total counts what is shown
    return {item["id"] for item in result.items}


def test_a_phrase_finds_its_words_in_order_across_stop_words_and_punctuation(phrase_archive):
    archive, ids = phrase_archive
    found = _found(archive, "“多年摸索出的经验提炼成”")
    assert ids["顺序"] in found and ids["标点"] in found
    assert ids["倒序"] not in found  # the same words in another order


def test_repeated_words_and_words_apart_are_told_from_a_phrase(phrase_archive):
    archive, ids = phrase_archive
    assert ids["重复"] in _found(archive, "“工作工作”")
    assert ids["间隔"] not in _found(archive, "“工作工作”")
    assert _found(archive, "“技术创新”") >= {ids["重复"], ids["间隔"]}


def test_a_phrase_does_not_run_from_one_field_into_the_next(phrase_archive):
    archive, ids = phrase_archive
    assert ids["跨字段"] in _found(archive, "“班组长带领”")
    assert ids["跨字段"] not in _found(archive, "“精密机械厂 班组长”")


PHRASES = [
    "多年摸索出的经验提炼成",
    "经验提炼成",
    "工作工作",
    "工作 工作 再",
    "技术创新",
    "他的习惯",
    "是他的",
    "工作从不",
    "提炼成一套",
    "班组长带领",
    "精密机械厂 班组长",
    "没有的词语组合",
    "全厂推广",
]


@pytest.mark.engines("whoosh")
@pytest.mark.parametrize("field", ["story", "unit", "titles"])
def test_the_array_phrase_equals_whoosh_phrase_documents_and_scores(
    phrase_archive, field, monkeypatch
):
    archive, _ = phrase_archive
    live, searcher = whoosh_search._open(archive.config["INDEX_DIR"])
    # the archive's mean field length is of the live documents' length bytes
    # (_Live.avg_field_length); Whoosh's matchers are given the same
    monkeypatch.setattr(
        searcher, "avg_field_length", lambda fieldname: live.avg_field_length(searcher, fieldname)
    )
    for text in PHRASES:
        words = [
            w for p in whoosh_search.parse(f"“{text}”").phrases for w in p
        ] or whoosh_search.parse(text).tokens
        for boost in (1.0, 3.0):
            q = Phrase(field, words, boost=boost)
            expected = dict(searcher.search(q, limit=None, optimize=False).items())
            budget = whoosh_search._Budget(math.inf)
            hits = whoosh_search._query_bits(live, searcher, q, budget)
            got = (
                {
                    docnum: score
                    for score, docnum in whoosh_search._scored(
                        live, searcher, q, hits, 1000, budget
                    )
                }
                if hits
                else {}
            )
            assert got == expected, (text, field)


@pytest.mark.engines("whoosh")
def test_the_page_finds_and_ranks_phrases_as_whoosh_matchers_do(phrase_archive):
    """The results page answers phrases from postings arrays (archive.postings):
    the same documents, best first by the scores Whoosh's matchers give."""
    archive, _ = phrase_archive
    db = archive.db()
    _, searcher = whoosh_search._open(archive.config["INDEX_DIR"])
    for text in PHRASES:
        q = whoosh_search.build_query(whoosh_search.parse(f"“{text}”"))
        every = {
            int(hit["id"]): hit.score for hit in searcher.search(q, limit=None, optimize=False)
        }
        result = search.query(db, archive.config["INDEX_DIR"], f"“{text}”", page_size=50)
        shown = [item["id"] for item in result.items]
        assert result.total == len(every) and set(shown) == set(every), text
        assert [every[i] for i in shown] == sorted(every.values(), reverse=True), text
