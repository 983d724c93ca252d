"""The tantivy engine (tantivy-py, the official bindings of the Rust library):
the only module that imports tantivy. It satisfies archive.search.Engine.

It indexes what the Whoosh engine indexes, analysed the same way: the shared
documents (archive.search.documents) with their text fields cut by
archive.search.analysis and handed to tantivy pre-tokenised (each word at its
position, a long word's sub-words at the same position, a gap between bigram
runs), so phrases, sub-words and unit fragments behave as they do under Whoosh.
Queries are the shared tree (archive.search.queries) turned into tantivy term,
phrase, boolean and boost queries: tantivy's own query parser never sees
visitor input. Scores are tantivy's BM25 with the shared field weights; ties go
to the lower record id, so an index caught up by edits ranks as a rebuild does.

Generations, the writer lock, MARK and STAMP are archive.search.generations';
tantivy's files sit in the generation folder beside them.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
import tantivy
from rapidfuzz import process as fuzzy
from rapidfuzz.distance import Levenshtein

from archive.catalogue import browse, honorees

from .. import analysis, generations, parallel, queries
from ..documents import KEYWORD_FIELDS, RECORD_FACETS, by_ids, clean_token, document, honour_key
from ..generations import Drift, SearchUnavailable, current_dir
from ..queries import (
    MAX_RESULTS,
    QUERY_REFUSED,
    SORTS,
    SUGGEST_TERMS,
    TIME_LIMIT,
    Result,
    parse,
    parse_args,
)
from ..snippets import snippet

__all__ = [
    "QUERY_REFUSED",
    "Drift",
    "Result",
    "SearchUnavailable",
    "current_dir",
    "parse",
    "parse_args",
]

log = logging.getLogger("archive.search")

NAME = "tantivy"
SCHEMA_VERSION = 1
INDEX_VERSION = f"tantivy{SCHEMA_VERSION}.{analysis.DICTIONARY_VERSION}"
POSITIONAL = ("titles", "unit", "unit_grams", "story")
BUILD_HEAP = 256_000_000  # bytes, shared by the build's threads
BUILD_THREADS = 2
PARALLEL_FROM = 2000  # records: smaller indexes are analysed in this process
ANALYSIS_PROCS = max(1, min(4, os.cpu_count() or 1))
APPLY_HEAP = 64_000_000
REFRESH_INTERVAL = 0.2
SUGGEST_CACHED = 4096
# What a missing, damaged or vanishing index raises (tantivy reports its errors
# as ValueError); programming errors surface as themselves.
INDEX_ERRORS = (OSError, ValueError)


class _Damaged(Exception):
    """A Rust panic inside tantivy (pyo3's PanicException derives from
    BaseException, so it is caught by name): reading a damaged file can
    index out of bounds. Treated as an index error, never as a crash."""


@contextmanager
def _panics_as_errors():
    try:
        yield
    except Exception:
        raise
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise _Damaged(str(exc)[:200]) from None


READ_ERRORS = (*INDEX_ERRORS, _Damaged)


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="freq")
    for name in POSITIONAL:
        builder.add_text_field(name, tokenizer_name="raw", index_option="position")
    builder.add_text_field("place", tokenizer_name="raw", index_option="freq")
    # (-year, pinyin, id) and (pinyin, id) as strings: sorting by either is one
    # ordered fast field
    builder.add_text_field("by_year", tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_text_field("by_pinyin", tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_bytes_field("stored", stored=True)
    return builder.build()


# --- documents ------------------------------------------------------------------


def _word_tokens(text: str) -> list[tuple[str, int, int, int]]:
    """Text fields' words at their positions, as the Whoosh analyzer indexes them:
    (term, position, start, end)."""
    tokens = []
    position = 0
    for piece, start, end in analysis.cut(analysis.fold(text)):
        terms = analysis.terms_of(piece)
        if terms:
            tokens += [(term, position, start, end) for term in terms]
            position += 1
    return tokens


def _bigram_tokens(text: str) -> list[tuple[str, int, int, int]]:
    """Overlapping character bigrams, a gap of one position between runs."""
    tokens, position = [], 0
    for match in analysis.WORD_RUN.finditer(analysis.fold(text)):
        run, base = match.group(), match.start()
        for i in range(len(run) - 1):
            tokens.append((run[i : i + 2], position, base + i, base + i + 2))
            position += 1
        position += 1
    return tokens


TEXT_FIELDS = ("titles", "unit", "story", "place")


def analysed(row: dict) -> tuple[dict, dict[str, list]]:
    """A record's document and its text fields' tokens: the analysis (jieba, pinyin),
    in plain picklable values, so that a rebuild can do it in other processes."""
    found = document(row)
    tokens = {name: _word_tokens(found[name]) for name in TEXT_FIELDS}
    tokens["unit_grams"] = _bigram_tokens(found["unit_grams"])
    return found, tokens


def _pre_tokenized(text: str, tokens: list[tuple]) -> tantivy.PreTokenizedString:
    return tantivy.PreTokenizedString(text, [tantivy.Token(*token) for token in tokens])


def _tantivy_document(found: dict, tokens: dict[str, list] | None = None) -> tantivy.Document:
    if tokens is None:
        tokens = {name: _word_tokens(found[name]) for name in TEXT_FIELDS}
        tokens["unit_grams"] = _bigram_tokens(found["unit_grams"])
    doc = tantivy.Document()
    doc.add_unsigned("id", int(found["id"]))
    for name in KEYWORD_FIELDS:
        for value in filter(None, found[name].split(",")):
            doc.add_text(name, value)
    for name in (*TEXT_FIELDS, "unit_grams"):
        doc.add_pre_tokenized_text(name, _pre_tokenized(found[name], tokens[name]))
    key, ident = found["sort_key"], f"{int(found['id']):010d}"
    doc.add_text("by_year", f"{9999 - int(found['year']):04d}\0{key}\0{ident}")
    doc.add_text("by_pinyin", f"{key}\0{ident}")
    doc.add_bytes(
        "stored",
        json.dumps(
            {"display": found["display"], "digest": found["digest"]}, ensure_ascii=False
        ).encode(),
    )
    return doc


# --- the life of an index (archive.search.generations) ----------------------------------


class _Here:
    """The rows analysed in this process (a small rebuild), closed like ``mapped``."""

    def __init__(self, rows):
        self.rows = rows

    def __iter__(self):
        return (analysed(row) for row in self.rows)

    def close(self) -> None:
        pass


def _build(generation: Path, rows, total: int, progress) -> None:
    """A fresh index of ``rows``. From PARALLEL_FROM records the analysis runs in
    ANALYSIS_PROCS forked processes (started before tantivy starts its threads) while
    this one adds what they made to tantivy's writer."""
    if total >= PARALLEL_FROM:
        _word_tokens("劳动模范 laomo")  # the dictionaries loaded once, before the fork
        made = parallel.mapped(parallel.chunks_of(rows), analysed, ANALYSIS_PROCS)
    else:
        made = _Here(rows)
    try:
        _write(generation, made, total, progress)
    finally:
        made.close()  # the analysis processes stop with the build, whatever happens


def _write(generation: Path, made, total: int, progress) -> None:
    index = tantivy.Index(schema(), path=str(generation))
    writer = index.writer(heap_size=BUILD_HEAP, num_threads=BUILD_THREADS)
    try:
        for done, (found, tokens) in enumerate(made, start=1):
            writer.add_document(_tantivy_document(found, tokens))
            if progress and done % 500 == 0:
                progress(done, total, "正在建立检索索引")
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise


def _apply(folder: Path, ids: list[int], documents: list[dict]) -> None:
    """Replace the documents of ``ids`` (caller holds the writer lock)."""
    index = tantivy.Index.open(str(folder))
    writer = index.writer(heap_size=APPLY_HEAP, num_threads=1)
    try:
        # (by query: delete_documents_by_term takes a Python int as an i64,
        # which matches nothing in this u64 field)
        writer.delete_documents_by_query(tantivy.Query.term_set_query(index.schema, "id", ids))
        for found in documents:
            writer.add_document(_tantivy_document(found))
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise


def _readable(folder: Path) -> bool:
    """The generation opens and its first and last documents read."""
    try:
        searcher = tantivy.Index.open(str(folder)).searcher()
        hits = searcher.search(tantivy.Query.all_query(), limit=1).hits
        for _, address in hits:
            searcher.doc(address)
        return True
    except INDEX_ERRORS:
        return False


def _digests(folder: Path) -> dict[int, str]:
    searcher = tantivy.Index.open(str(folder)).searcher()
    hits = searcher.search(tantivy.Query.all_query(), limit=max(searcher.num_docs, 1)).hits
    ids = searcher.fast_field_values("id", [a for _, a in hits])
    return {int(i): _stored(searcher, a)["digest"] for i, (_, a) in zip(ids, hits, strict=True)}


def _stored(searcher, address) -> dict:
    return json.loads(bytes(searcher.doc(address)["stored"][0]))


def _backend() -> generations.Backend:
    # looked up at each call, so that tests can replace a hook
    return generations.Backend(
        version=INDEX_VERSION,
        errors=INDEX_ERRORS,
        build=_build,
        apply=_apply,
        readable=_readable,
        digests=_digests,
    )


_lifecycle = generations.Lifecycle(lambda: _backend())
rebuild = _lifecycle.rebuild
drain = _lifecycle.drain
status = _lifecycle.status
ensure = _lifecycle.ensure
verify = _lifecycle.verify


# --- one searcher per process --------------------------------------------------------


class _Live:
    """A process's reader of one generation, reloaded when it changes."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.index = tantivy.Index.open(str(folder))
        self.schema = self.index.schema
        self.lock = threading.Lock()
        self.searcher = self.index.searcher()
        self.kept: dict = {}  # what depends on the searcher: pinyin terms, suggestions
        self.checked = time.monotonic()

    def fresh(self):
        now = time.monotonic()
        if now - self.checked >= REFRESH_INTERVAL:
            with self.lock:
                if now - self.checked >= REFRESH_INTERVAL:
                    self.index.reload()
                    searcher = self.index.searcher()
                    if (
                        searcher.num_docs != self.searcher.num_docs
                        or searcher.num_segments != self.searcher.num_segments
                    ):
                        self.kept = {}
                    self.searcher = searcher
                    self.checked = now
        return self.searcher

    def keep(self, key, compute: Callable[[], object]):
        if key not in self.kept:
            if len(self.kept) > SUGGEST_CACHED:
                self.kept = {}
            self.kept[key] = compute()
        return self.kept[key]


_live: dict[str, _Live] = {}
_live_lock = threading.Lock()


def _open(index_dir: str | Path) -> tuple[_Live, object]:
    """This process's searcher; reopened when ``CURRENT`` names another
    generation, reloaded when the generation changes."""
    key = str(index_dir)
    folder = generations.serving_dir(index_dir)
    if folder is None:
        raise SearchUnavailable("检索索引正在建立")
    live = _live.get(key)
    if live is None or live.folder != folder:
        with _live_lock:
            live = _live.get(key)
            if live is None or live.folder != folder:
                live = generations.open_checked(index_dir, folder, _Live, INDEX_ERRORS)
                if live is None:
                    raise SearchUnavailable("检索索引暂不可用")
                _live[key] = live
    try:
        with _panics_as_errors():
            return live, live.fresh()
    except READ_ERRORS as exc:
        _suspect(index_dir)
        raise SearchUnavailable("检索索引暂不可用") from exc


def _forget(index_dir: str | Path) -> None:
    with _live_lock:
        _live.pop(str(index_dir), None)


def refresh(index_dir: str | Path) -> None:
    """Have this process's reader of ``index_dir`` look for new commits at its
    next use, without waiting for REFRESH_INTERVAL."""
    live = _live.get(str(index_dir))
    if live is not None:
        live.checked = float("-inf")


def forget(index_dir: str | Path) -> None:
    """Drop this process's reader of ``index_dir`` (the next query reopens it)."""
    _forget(index_dir)
    generations.forget_pointer(index_dir)


# --- queries ----------------------------------------------------------------------

Occur = tantivy.Occur


def to_tantivy(schema, q: queries.Query) -> tantivy.Query:
    """The tantivy query of a shared query tree (archive.search.queries)."""
    if isinstance(q, queries.Term):
        found = tantivy.Query.term_query(schema, q.fieldname, q.text)
    elif isinstance(q, queries.Phrase):
        found = tantivy.Query.phrase_query(schema, q.fieldname, list(q.words))
    elif isinstance(q, queries.AndMaybe):
        found = tantivy.Query.boolean_query(
            [(Occur.Must, to_tantivy(schema, q.a)), (Occur.Should, to_tantivy(schema, q.b))]
        )
    else:
        occur = Occur.Must if isinstance(q, queries.And) else Occur.Should
        found = tantivy.Query.boolean_query(
            [(occur, to_tantivy(schema, sub)) for sub in q.subqueries]
        )
    return found if q.boost == 1.0 else tantivy.Query.boost_query(found, q.boost)


def _facet(schema, term: str) -> tantivy.Query:
    return tantivy.Query.term_query(schema, "facet", term)


def _filters(schema, filters: browse.Filters, skip: str | None) -> list[tantivy.Query]:
    """A query per selected facet except ``skip``: record facets by their terms,
    honour facets together as one honour's term."""
    found = [
        _facet(schema, prefix + clean_token(getattr(filters, name)))
        for name, prefix in RECORD_FACETS
        if getattr(filters, name) is not None and name != skip
    ]
    honour = {
        n: getattr(filters, n)
        for n in browse.HONOUR_FACETS
        if getattr(filters, n) is not None and n != skip
    }
    if honour:
        found.append(_facet(schema, honour_key(honour)))
    return found


def _restricted(q: tantivy.Query | None, restrictions: list[tantivy.Query]) -> tantivy.Query:
    """``q`` (all documents when None) among the documents of every restriction,
    which add nothing to the score."""
    if not restrictions:
        return q if q is not None else tantivy.Query.all_query()
    clauses = [(Occur.Must, tantivy.Query.const_score_query(r, 0.0)) for r in restrictions]
    if q is not None:
        clauses.insert(0, (Occur.Must, q))
    return tantivy.Query.boolean_query(clauses)


def _ranked(searcher, q: tantivy.Query, limit: int) -> list[tuple[float, int, object]]:
    """(score, id, address) of the best ``limit`` matches, ties by record id."""
    return _counted(searcher, q, limit, count=False)[0]


def _counted(
    searcher, q: tantivy.Query, limit: int, count: bool = True
) -> tuple[list[tuple[float, int, object]], int | None]:
    """The best ``limit`` matches as :func:`_ranked` gives them, and with
    ``count`` the number of all matches, counted in the same pass. One more hit
    than wanted is fetched to see whether the last one wanted ties with the
    next; only then are the tied hits fetched too, then ordered."""
    if limit <= 0:
        return [], searcher.search(q, limit=1, count=True).count if count else None
    wanted, total = limit + 1, None
    while True:
        found = searcher.search(q, limit=wanted, count=count and total is None)
        if total is None and count:
            total = found.count
        hits = found.hits
        if len(hits) < wanted or hits[-1][0] < hits[limit - 1][0]:
            break
        wanted *= 4
    ids = searcher.fast_field_values("id", [a for _, a in hits])
    ranked = sorted(
        zip((s for s, _ in hits), ids, (a for _, a in hits), strict=True),
        key=lambda hit: (-hit[0], hit[1]),
    )
    return ranked[:limit], total


def _ordered(searcher, q: tantivy.Query, limit: int, sort: str) -> tuple[list[tuple], int]:
    """The first ``limit`` matches in ``sort`` order, and the number of all."""
    field = "by_year" if sort == "year" else "by_pinyin"
    found = searcher.search(
        q, limit=max(limit, 1), count=True, order_by_field=field, order=tantivy.Order.Asc
    )
    hits = found.hits[:limit]
    ids = searcher.fast_field_values("id", [a for _, a in hits])
    return [(key, i, a) for (key, a), i in zip(hits, ids, strict=True)], found.count


def _counts(searcher, prefix: str, among: tantivy.Query) -> dict[str, int]:
    return dict(searcher.terms_with_prefix("facet", prefix, filter_query=among))


def _facet_terms(schema, searcher, q, filters: browse.Filters) -> dict[str, dict[str, int]]:
    """Facet prefix → {facet term: matches}. Each facet is counted among the
    matches of every selection but its own (honour facets: but the honour's),
    and facets that come to the same selection share one pass over the facet
    terms: with nothing selected, one pass in all, where a pass per facet ran
    the query again each time (a phrase five times over)."""
    wanted: dict[browse.Filters, list[str]] = {}
    for name, prefix in RECORD_FACETS:
        selection = filters.without(name) if getattr(filters, name) is not None else filters
        wanted.setdefault(selection.without(), []).append(prefix)
    wanted.setdefault(filters.without(*browse.HONOUR_FACETS), []).append("h:")
    found: dict[str, dict[str, int]] = {}
    for selection, prefixes in wanted.items():
        among = _restricted(q, _filters(schema, selection, skip=None))
        common = prefixes[0] if len(prefixes) == 1 else ""
        terms = _counts(searcher, common, among)
        for prefix in prefixes:
            found[prefix] = {t: n for t, n in terms.items() if n and t.startswith(prefix)}
    return found


def _facet_counts(live: _Live, searcher, q, filters: browse.Filters) -> dict:
    terms = _facet_terms(live.schema, searcher, q, filters)
    counts: dict[str, list[tuple]] = {}
    for name, prefix in RECORD_FACETS:
        values = [(t[len(prefix) :], n) for t, n in terms[prefix].items()]
        counts[name] = sorted(values, key=lambda v: (-v[1], v[0]))
    # honour facets narrow one honour together (honour_key), the others apply
    # to the matches as they are
    every = terms["h:"]
    selected = {
        n: getattr(filters, n) for n in browse.HONOUR_FACETS if getattr(filters, n) is not None
    }
    for name in browse.HONOUR_FACETS:
        others = {n: v for n, v in selected.items() if n != name}
        values = []
        for term in every:
            if term.startswith(f"h:{name}=") and "|" not in term:
                value = term.split("=", 1)[1]
                n = every.get(honour_key({**others, name: value}), 0)
                if n:
                    values.append((int(value) if name == "year" else value, n))
        counts[name] = sorted(
            values, key=(lambda v: -v[0]) if name == "year" else (lambda v: (-v[1], v[0]))
        )
    return counts


def query(
    db: sqlite_utils.Database,
    index_dir: str | Path,
    text: str,
    filters: browse.Filters | None = None,
    sort: str = "relevance",
    page_size: int = 20,
    with_facets: bool = True,
    time_limit: float = TIME_LIMIT,
    whole_rows: bool = False,
) -> Result:
    """One page of published honorees matching a visitor's query and facets
    (see :func:`_query`). An index that fails while being read is dropped from
    this process; a damaged one is marked (the query is tried once more on the
    generation kept before it) and otherwise reported as unavailable, never as
    an error page."""

    def run() -> Result:
        with _panics_as_errors():
            return _query(
                db,
                index_dir,
                text,
                filters,
                sort,
                page_size,
                with_facets,
                whole_rows,
                queries.Budget.of(time_limit),
            )

    return generations.tried_twice(run, READ_ERRORS, lambda: _suspect(index_dir))


def _suspect(index_dir: str | Path) -> None:
    """After an engine error: mark the generation read if it is damaged, and
    drop this process's reader of it."""
    live = _live.get(str(index_dir))
    if live is not None:
        generations.suspect(_readable, index_dir, live.folder)
    _forget(index_dir)


def _query(
    db: sqlite_utils.Database,
    index_dir: str | Path,
    text: str,
    filters: browse.Filters | None,
    sort: str,
    page_size: int,
    with_facets: bool,
    whole_rows: bool,
    budget: queries.Budget,
) -> Result:
    """One page with facet counts that agree with the results, highlighted
    snippets, and, when nothing is found, suggestions; the cards as the Whoosh
    engine gives them (the display the index keeps, a snippet of the text the
    database holds), or with ``whole_rows`` the records' rows.

    A tantivy search cannot be stopped once started: past the ``budget`` the
    page is answered with its matches and order as found, without what is left
    (facet counts, snippets, suggestions), and says so."""
    filters = filters or browse.Filters()
    sort = sort if sort in SORTS else "relevance"
    parsed = parse(text)
    shared = queries.build_query(parsed)
    notices = queries.notices_for(parsed)
    if not parsed.empty and shared is None:
        return Result(text, filters, sort, [], 0, page_size, notices=notices)
    live, searcher = _open(index_dir)
    q = None if shared is None else to_tantivy(live.schema, shared)
    if q is None and sort == "relevance":
        sort = "pinyin"
    selected = _filters(live.schema, filters, skip=None)
    wanted = _restricted(q, selected)
    top = min(filters.page * page_size, MAX_RESULTS)
    best, total = (
        _counted(searcher, wanted, top)
        if sort == "relevance"
        else _ordered(searcher, wanted, top, sort)
    )
    page = best[(filters.page - 1) * page_size : top]
    facets = _facet_counts(live, searcher, q, filters) if with_facets and not budget.spent() else {}
    terms = queries.highlight_terms(parsed) if not budget.spent() else []
    items = (
        _rows(db, [i for _, i, _ in page], terms)
        if whole_rows
        else _cards(db, searcher, page, terms)
    )
    if budget.timed_out:
        notices.append(queries.TIMED_OUT)
    result = Result(
        text,
        filters,
        sort,
        items,
        total,
        page_size,
        facets,
        notices=notices,
        timed_out=budget.timed_out,
    )
    if not total and not parsed.empty and not budget.spent():
        if selected:
            result.unfiltered_total = searcher.search(
                q or tantivy.Query.all_query(), limit=1, count=True
            ).count
        result.suggestions = _suggestions(live, searcher, parsed)
    return result


def _rows(db: sqlite_utils.Database, ids: list[int], terms: list[str]) -> list[dict]:
    rows = {r["id"]: dict(r) for r in by_ids(db, "h.*", ids)}
    items = honorees.cards(db, [rows[i] for i in ids if i in rows])
    for item in items:
        item["snippet"] = (
            snippet("\n".join(filter(None, [item["summary"], item["story"]])), terms)
            if terms
            else None
        )
    return items


def _cards(db: sqlite_utils.Database, searcher, page: list[tuple], terms: list[str]) -> list[dict]:
    """A results page's cards: name, unit, city and top honour from the index,
    whether each record is still public, its portrait and its snippet's text
    from the database."""
    ids = [i for _, i, _ in page]
    if not ids:
        return []
    public = {row[0] for row in by_ids(db, "h.id", ids, index="honorees_public")}
    texts = (
        {
            row[0]: "\n".join(filter(None, row[1:]))
            for row in by_ids(db, "h.id, h.summary, h.story", ids)
        }
        if terms
        else {}
    )
    portraits = honorees.portraits_of(db, [i for i in ids if i in public])
    items = []
    for _, i, address in page:
        if i not in public:
            continue
        display = _stored(searcher, address)["display"]
        items.append(
            {
                "id": i,
                "name": display["name"],
                "unit": display["unit"],
                "city": display.get("city", ""),
                "top_honour": display["honour"],
                "portrait": portraits.get(i),
                "snippet": snippet(texts.get(i, ""), terms) if terms else None,
            }
        )
    return items


def _suggested(searcher, honoree_id: int, address) -> dict:
    """A suggested name: its id, name, unit and top honour."""
    display = _stored(searcher, address)["display"]
    return {
        "id": honoree_id,
        "name": display["name"],
        "unit": display["unit"],
        "honour": display["honour"],
    }


def _suggestions(live: _Live, searcher, parsed, limit: int = 6) -> list[dict]:
    """Names that sound like the query: the index's pinyin terms within one slip
    of its readings (two for readings of six letters or more); an exact
    reading counts most, then one slip, then two."""
    readings = queries.suggestion_readings(parsed)
    if not readings:
        return []
    terms = live.keep(
        ("pinyin terms",), lambda: [t for t, _ in searcher.terms_with_prefix("pinyin", "")]
    )
    close: dict[str, int] = {}
    for reading in readings:
        for term, distance, _ in fuzzy.extract(
            reading,
            terms,
            scorer=Levenshtein.distance,
            score_cutoff=1 if len(reading) < 6 else 2,
            limit=None,
        ):
            close[term] = min(distance, close.get(term, distance))
    if not close:
        return []
    nearest = sorted(close.items(), key=lambda item: (item[1], item[0]))[:SUGGEST_TERMS]
    q = queries.Or(
        tuple(queries.Term("pinyin", term, 3.0 - distance) for term, distance in nearest)
    )
    seen, found = set(), []
    for _, honoree_id, address in _ranked(searcher, to_tantivy(live.schema, q), limit * 3):
        item = _suggested(searcher, honoree_id, address)
        if item["name"] not in seen:
            seen.add(item["name"])
            found.append(item)
        if len(found) >= limit:
            break
    return found


def _suggest(
    live: _Live, searcher, key: tuple, alternatives: list, limit: int, budget: queries.Budget
) -> list[dict]:
    """The names suggested for ``alternatives``, kept on the reader unless the
    budget cut the list short."""
    found = live.kept.get(key)
    if found is None:
        q = to_tantivy(
            live.schema,
            queries.Or(tuple(alternatives)) if len(alternatives) > 1 else alternatives[0],
        )
        found = []
        for _, i, a in _ranked(searcher, q, limit):
            if budget.spent():
                break
            found.append(_suggested(searcher, i, a))
        if not budget.timed_out:  # a cut-short list is not kept
            live.keep(key, lambda: found)
    return found


def suggest(
    index_dir: str | Path, text: str, limit: int = 8, time_limit: float = TIME_LIMIT
) -> list[dict]:
    """Names as the visitor types: whole names, prefixes, pinyin and initials,
    each with unit and top honour (past ``time_limit``, the names read by then)."""
    text = queries.suggest_text(text)
    alternatives = queries.name_terms(text) if text else []
    if not alternatives:
        return []
    live, searcher = _open(index_dir)
    key = ("suggest", text, limit)
    budget = queries.Budget.of(time_limit)
    try:
        with _panics_as_errors():
            found = _suggest(live, searcher, key, alternatives, limit, budget)
    except READ_ERRORS as exc:
        log.exception("suggest failed; reopening the index")
        _suspect(index_dir)
        raise SearchUnavailable("检索索引暂不可用") from exc
    return [dict(item) for item in found]


def search(index_dir: str | Path, text: str, limit: int = 200) -> list[int] | None:
    """Ids of published honorees matching ``text``, best first; None when the
    index is missing."""
    try:
        live, searcher = _open(index_dir)
    except SearchUnavailable:
        return None
    shared = queries.build_query(parse(text))
    if shared is None:
        return []
    try:
        with _panics_as_errors():
            return [i for _, i, _ in _ranked(searcher, to_tantivy(live.schema, shared), limit)]
    except READ_ERRORS:
        log.exception("search failed; reopening the index")
        _suspect(index_dir)
        return None
