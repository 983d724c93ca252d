"""What the faster query path must keep: a page's total and facet counts are
those of every matching profile, its order is that of scoring every match,
suggestions are the best-scored names, and a cached suggestion never hides a
name published since."""

from __future__ import annotations

import time

import pytest
from whoosh.query import Or, Term

from archive import search
from archive.catalogue import browse, honorees
from archive.curation import editing
from archive.db import write
from archive.search import documents, snippets
from archive.search.whoosh import engine as whoosh_search
from tests.conftest import wait_for

pytestmark = pytest.mark.engines


@pytest.mark.engines("whoosh")  # held to Whoosh's own matchers
@pytest.mark.parametrize(
    "text, filters",
    [
        ("张", {}),
        ("技术", {}),
        ("2021 全国劳动模范", {}),
        ("zhang", {}),
        ("王", {"level": "national", "kind": "individual"}),
        ("“劳动模范”", {}),
    ],
)
def test_total_facets_and_order_are_those_of_every_match(demo_archive, text, filters):
    db, index_dir = demo_archive.db(), demo_archive.config["INDEX_DIR"]
    result = search.query(db, index_dir, text, browse.parse(filters), page_size=10)
    _, searcher = whoosh_search._open(index_dir)
    q = whoosh_search.build_query(whoosh_search.parse(text))
    every = searcher.search(q, limit=None, optimize=False)
    by_id = {int(hit["id"]): hit.score for hit in every}
    if not filters:
        assert result.total == len(every)
        assert dict(result.facets["kind"]) == {
            k: v for k, v in _kind_counts(searcher, every).items() if v
        }
    shown = [item["id"] for item in result.items]
    assert shown, text
    scores = [by_id[i] for i in shown]
    assert scores == sorted(scores, reverse=True)  # best first, by the full scores
    if not filters:
        best = sorted(by_id.values(), reverse=True)[: len(shown)]
        assert scores == best


def _kind_counts(searcher, hits) -> dict[str, int]:
    docnums = {hit.docnum for hit in hits}
    counts = {}
    for kind in ("individual", "collective"):
        postings = (
            searcher.postings("facet", f"k:{kind}")
            if ("facet", f"k:{kind}") in searcher.reader()
            else None
        )
        holders = set(postings.all_ids()) if postings is not None else set()
        counts[kind] = len(docnums & holders)
    return counts


@pytest.mark.engines("whoosh")  # held to Whoosh's own matchers
@pytest.mark.parametrize("prefix", ["zh", "zhang", "wa", "li", "zs", "ou", "x"])
def test_suggestions_are_the_best_scored_names(demo_archive, prefix):
    index_dir = demo_archive.config["INDEX_DIR"]
    _, searcher = whoosh_search._open(index_dir)
    every = searcher.search(
        Or(
            [
                Term("pinyin", prefix, boost=whoosh_search.WEIGHTS["pinyin"]),
                Term("pinyin_prefix", prefix, boost=whoosh_search.WEIGHTS["pinyin_prefix"]),
            ]
        ),
        limit=8,
        optimize=False,
    )
    expected = [int(hit["id"]) for hit in every]
    assert [s["id"] for s in search.suggest(index_dir, prefix)] == expected
    assert [s["id"] for s in search.suggest(index_dir, prefix)] == expected  # cached


def test_a_name_published_after_a_suggestion_is_suggested(empty_archive, make_honoree):
    db, index_dir = empty_archive.db(), empty_archive.config["INDEX_DIR"]
    first = make_honoree(name="赵建国")
    search.rebuild(db, index_dir)
    assert [s["id"] for s in search.suggest(index_dir, "zhaoj")] == [first]
    second = make_honoree(name="赵建军")
    search.drain(db, index_dir)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = {s["id"] for s in search.suggest(index_dir, "zhaoj")}
        if found == {first, second}:
            break
        time.sleep(0.05)
    assert found == {first, second}


@pytest.mark.engines("whoosh")  # held to Whoosh's own matchers
@pytest.mark.parametrize(
    "text, sort",
    [
        ("工人先锋号", "year"),
        ("张", "pinyin"),
        ("", "year"),
        ("", "pinyin"),
        ("“劳动模范”", "year"),
        ("技术", "pinyin"),
    ],
)
def test_sorted_pages_follow_whoosh_sortedby_order(demo_archive, text, sort):
    """Sorting by year or pinyin reads the segments' columns (not Whoosh's
    sorting collector): the same page, in the same order."""
    from whoosh import sorting
    from whoosh.query import Every

    db, index_dir = demo_archive.db(), demo_archive.config["INDEX_DIR"]
    for page in (1, 2):
        result = search.query(
            db, index_dir, text, browse.Filters(page=page), sort=sort, page_size=25
        )
        _, searcher = whoosh_search._open(index_dir)
        facets = (
            [sorting.FieldFacet("year", reverse=True), sorting.FieldFacet("sort_key")]
            if sort == "year"
            else [sorting.FieldFacet("sort_key")]
        )
        q = whoosh_search.build_query(whoosh_search.parse(text)) or Every()
        every = [int(hit["id"]) for hit in searcher.search(q, limit=None, sortedby=facets)]
        assert result.total == len(every)
        assert [item["id"] for item in result.items] == every[(page - 1) * 25 : page * 25]


def test_an_archive_without_published_profiles_searches_to_nothing(empty_archive, make_honoree):
    """An index without segments (nothing published yet) answers queries with
    no results, not 'unavailable'."""
    make_honoree(name="草稿人物", status="draft")
    db, index_dir = empty_archive.db(), empty_archive.config["INDEX_DIR"]
    search.rebuild(db, index_dir)
    for text in ("草稿人物", "“草稿 人物”", "", "caogao"):
        result = search.query(db, index_dir, text)
        assert result.total == 0 and result.items == [], text
    assert search.search(index_dir, "草稿人物") == []
    assert search.suggest(index_dir, "cao") == []


@pytest.mark.engines("whoosh")  # held to Whoosh's own matchers
@pytest.mark.parametrize("text", ["张", "全国劳动模范", "zhang", "技术", "“劳动模范”"])
def test_facet_counts_are_each_terms_documents_among_the_matches(demo_archive, text):
    # every facet value's count is the number of matches holding it, whether the
    # matches are few (only their rows of the matrix are counted) or many
    index_dir = demo_archive.config["INDEX_DIR"]
    live, searcher = whoosh_search._open(index_dir)
    matched = whoosh_search._query_bits(
        live,
        searcher,
        whoosh_search.build_query(whoosh_search.parse(text)),
        whoosh_search._Budget(time.monotonic() + 60),
    )
    terms = [t.decode() if isinstance(t, bytes) else t for t in searcher.reader().lexicon("facet")]
    assert len(terms) > 20
    for base in (matched, live.live_bits(searcher), 0):
        counts = live.facet_counts(
            searcher, terms, whoosh_search._FacetBase(base, searcher.doc_count_all())
        )
        assert counts == [(base & live.bits(searcher, t)).bit_count() for t in terms]
    assert (
        sum(
            live.facet_counts(
                searcher, terms, whoosh_search._FacetBase(matched, searcher.doc_count_all())
            )
        )
        > 0
    )


@pytest.mark.parametrize("text", ["张", "劳动模范", "工人先锋号", "zhang"])
def test_a_results_card_shows_the_latest_honour_the_database_holds(demo_archive, text):
    # A results page takes each card's top honour from the index; it must be
    # what the honours table gives (and what the API's full honours give).
    db, index_dir = demo_archive.db(), demo_archive.config["INDEX_DIR"]
    lean = search.query(db, index_dir, text, page_size=100)
    full = search.query(db, index_dir, text, page_size=100, whole_rows=True)
    assert [i["id"] for i in lean.items] == [i["id"] for i in full.items] and lean.items
    from_db = honorees.honours_of(db, [i["id"] for i in lean.items])
    for item, whole in zip(lean.items, full.items, strict=True):
        latest = max(o["year"] for o in from_db[item["id"]])
        assert item["top_honour"].startswith(f"{latest}年"), item["name"]
        assert item["top_honour"] == honorees.top_honour(from_db[item["id"]])
        assert item["top_honour"] == whole["top_honour"] and whole["honours"]
        assert "honours" not in item


def test_a_revoked_honour_leaves_the_results_card(empty_archive, make_honoree):
    db, index_dir = empty_archive.db(), empty_archive.config["INDEX_DIR"]
    honoree = make_honoree(
        name="换奖人物",
        honours=[
            {"title": "省劳动模范", "year": 2018, "body": "省政府"},
            {"title": "全国五一劳动奖章", "year": 2022, "body": "全国总工会"},
        ],
    )
    search.rebuild(db, index_dir)
    assert [i["top_honour"] for i in search.query(db, index_dir, "换奖人物").items] == [
        "2022年全国五一劳动奖章"
    ]
    latest = db.execute(
        "SELECT id FROM honours WHERE honoree_id = ? AND year = 2022", [honoree]
    ).fetchone()[0]
    editing.set_honour_revoked(db, honoree, latest, True, None)
    search.drain(db, index_dir)
    assert wait_for(
        lambda: (
            [i["top_honour"] for i in search.query(db, index_dir, "换奖人物").items]
            == ["2018年省劳动模范"]
        )
    )


@pytest.mark.parametrize(
    "text", ["张", "技术", "“劳动模范”", "zhang", "工人先锋号", "2021 全国劳动模范", "焊接"]
)
def test_a_results_page_shows_each_card_as_the_database_has_it(demo_archive, text):
    # A results page reads its cards from the index and the stories only where
    # the query's words are; the API reads whole rows. Both show the same.
    db, index_dir = demo_archive.db(), demo_archive.config["INDEX_DIR"]
    lean = search.query(db, index_dir, text, page_size=100)
    full = search.query(db, index_dir, text, page_size=100, whole_rows=True)
    assert [i["id"] for i in lean.items] == [i["id"] for i in full.items] and lean.items
    for card, row in zip(lean.items, full.items, strict=True):
        assert (card["name"], card["unit"], card["city"], card["top_honour"]) == (
            row["name"],
            row["unit"] or "",
            row["city"] or "",
            row["top_honour"],
        )
        assert card["portrait"] == row["portrait"]
        if row["snippet"] is None:
            assert card["snippet"] is None
        else:
            assert card["snippet"] is not None and "<mark>" in card["snippet"], card["name"]
    if not text.isascii() and text != "张":  # words of the stories: the same snippets
        assert [c["snippet"] for c in lean.items] == [r["snippet"] for r in full.items]


def test_a_snippet_from_the_lead_is_the_one_the_whole_text_gives(demo_archive):
    # Where the query's words are in the summary, the lead the index keeps must
    # give the very snippet the whole summary and story give.
    rows = (
        demo_archive.db()
        .execute("SELECT summary, story FROM honorees WHERE summary != ''")
        .fetchall()
    )
    assert len(rows) > 100
    for summary, story in rows:
        lead = documents.lead(summary, story)
        for terms in ([summary[:2]], [summary[-2:]], [summary[:1], summary[-1:]]):
            assert snippets.window(lead["lead"], terms, more=lead["more"]) == snippets.snippet(
                "\n".join(filter(None, [summary, story])), terms
            ), (summary, terms)


def test_a_withdrawn_record_leaves_the_results_at_once(empty_archive, make_honoree):
    # Before the indexer has removed it: the page asks the database which of
    # its records are still public.
    db, index_dir = empty_archive.db(), empty_archive.config["INDEX_DIR"]
    kept = make_honoree(name="留下人物", story="共同词语青松岭。")
    gone = make_honoree(name="撤下人物", story="共同词语青松岭。")
    search.rebuild(db, index_dir)
    assert sorted(i["id"] for i in search.query(db, index_dir, "青松岭").items) == [kept, gone]
    with write(db):
        db.execute("UPDATE honorees SET status = 'withdrawn' WHERE id = ?", [gone])
        honorees.note_change(db, gone)
    for full in (False, True):
        assert [i["id"] for i in search.query(db, index_dir, "青松岭", whole_rows=full).items] == [
            kept
        ]
