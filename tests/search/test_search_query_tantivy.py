"""What the tantivy engine's results page must keep, checked against tantivy's
own answers to the same query tree (the counterpart of test_search_query.py's
Whoosh checks): a page's total and facet counts are those of every match, its
order is that of scoring every match (ties by record id), suggestions are the
best-scored names, and sorted pages follow the records' years and pinyin."""

from __future__ import annotations

import pytest
import tantivy

from archive import search
from archive.catalogue import browse
from archive.search import queries
from archive.search.documents import RECORD_FACETS

pytestmark = pytest.mark.engines("tantivy")


def _engine():
    from archive.search.tantivy import engine

    return engine


def _every(searcher, q) -> list[tuple[float, int]]:
    """(score, id) of every match, best first, ties by id."""
    hits = searcher.search(q, limit=max(searcher.num_docs, 1)).hits
    ids = searcher.fast_field_values("id", [a for _, a in hits])
    return sorted(
        ((s, int(i)) for (s, _), i in zip(hits, ids, strict=True)),
        key=lambda hit: (-hit[0], hit[1]),
    )


def _query(schema, text: str):
    return _engine().to_tantivy(schema, queries.build_query(queries.parse(text)))


def _count(searcher, *clauses) -> int:
    q = tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in clauses])
    return searcher.search(q, limit=1, count=True).count


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
    live, searcher = _engine()._open(index_dir)
    q = _query(live.schema, text)
    every = _every(searcher, q)
    shown = [item["id"] for item in result.items]
    assert shown, text
    if not filters:
        assert result.total == len(every)
        assert shown == [i for _, i in every[: len(shown)]]
        kinds = {
            kind: _count(searcher, q, tantivy.Query.term_query(live.schema, "facet", f"k:{kind}"))
            for kind in ("individual", "collective")
        }
        assert dict(result.facets["kind"]) == {k: n for k, n in kinds.items() if n}
    else:
        scores = dict((i, s) for s, i in every)
        ranked = [scores[i] for i in shown]
        assert ranked == sorted(ranked, reverse=True)


@pytest.mark.parametrize("prefix", ["zh", "zhang", "wa", "li", "zs", "ou", "x"])
def test_suggestions_are_the_best_scored_names(demo_archive, prefix):
    index_dir = demo_archive.config["INDEX_DIR"]
    live, searcher = _engine()._open(index_dir)
    alternatives = queries.name_terms(queries.suggest_text(prefix))
    q = _engine().to_tantivy(
        live.schema, queries.Or(tuple(alternatives)) if len(alternatives) > 1 else alternatives[0]
    )
    expected = [i for _, i in _every(searcher, q)[:8]]
    assert [s["id"] for s in search.suggest(index_dir, prefix)] == expected
    assert [s["id"] for s in search.suggest(index_dir, prefix)] == expected  # kept


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
def test_sorted_pages_follow_the_records_years_and_pinyin(demo_archive, text, sort):
    """Sorting reads tantivy's fast fields: the same order as the database's
    latest year (newest first) and pinyin sort key, ties by id."""
    db, index_dir = demo_archive.db(), demo_archive.config["INDEX_DIR"]
    live, searcher = _engine()._open(index_dir)
    q = _query(live.schema, text) if text else tantivy.Query.all_query()
    ids = [i for _, i in _every(searcher, q)]
    rows = {
        r["id"]: r
        for r in db.execute(
            f"SELECT id, latest_year, sort_key FROM honorees WHERE id IN ({','.join('?' * len(ids))})",
            ids,
        )
    }
    key = (
        (lambda i: (-(rows[i]["latest_year"] or 0), rows[i]["sort_key"] or "", i))
        if sort == "year"
        else (lambda i: (rows[i]["sort_key"] or "", i))
    )
    expected = sorted(ids, key=key)
    for page in (1, 2):
        result = search.query(
            db, index_dir, text, browse.Filters(page=page), sort=sort, page_size=25
        )
        assert result.total == len(expected)
        assert [item["id"] for item in result.items] == expected[(page - 1) * 25 : page * 25]


@pytest.mark.parametrize("text", ["张", "全国劳动模范", "zhang", "技术", "“劳动模范”"])
def test_facet_counts_are_each_terms_documents_among_the_matches(demo_archive, text):
    db, index_dir = demo_archive.db(), demo_archive.config["INDEX_DIR"]
    result = search.query(db, index_dir, text)
    live, searcher = _engine()._open(index_dir)
    q = _query(live.schema, text)
    checked = 0
    for name, prefix in RECORD_FACETS:
        for value, n in result.facets.get(name, []):
            term = tantivy.Query.term_query(live.schema, "facet", prefix + value)
            assert n == _count(searcher, q, term), (name, value)
            checked += 1
    for value, n in result.facets.get("level", []):
        term = tantivy.Query.term_query(live.schema, "facet", f"h:level={value}")
        assert n == _count(searcher, q, term), ("level", value)
        checked += 1
    assert checked > 3
