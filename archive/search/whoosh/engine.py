"""The Whoosh engine (whoosh-reloaded): the only module, with its folder, that
imports whoosh. It satisfies archive.search.Engine.

Documents (archive.search.documents), queries (archive.search.queries), snippets
and the generation folders with their locks, MARK and STAMP
(archive.search.generations) are shared with the other engines; here is what
Whoosh does with them: the schema, a build in forked processes merged into one
segment (merging.py), and queries answered from postings arrays (postings.py)
through Whoosh's readers kept open per process (patches.py).

The index version (``INDEX_VERSION``) is the engine, SCHEMA_VERSION and the
analysis dictionary's version: a changed schema or dictionary makes older
indexes stale (see archive.search.generations).
"""

from __future__ import annotations

import gc
import heapq
import logging
import math
import pickle
import struct
import threading
import time
import warnings
import zlib
from collections import OrderedDict, deque
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import sqlite_utils
from rapidfuzz import process as fuzzy
from rapidfuzz.distance import Levenshtein
from whoosh import index as whoosh_index
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.query import And, AndMaybe, Or, Phrase, Query, Term
from whoosh.reading import EmptyReader, MultiReader, ReaderClosed, SegmentReader
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.writing import PostingPool, SegmentWriter

from archive.catalogue import browse, honorees

from .. import analysis, generations, queries
from ..documents import (
    NAME_FIELDS,
    RECORD_FACETS,
    by_ids,
    clean_token,
    document,
    honour_key,
)
from ..generations import Drift, SearchUnavailable, current_dir
from ..queries import (
    MAX_RESULTS,
    QUERY_REFUSED,
    SORTS,
    SUGGEST_TERMS,
    TIME_LIMIT,
    Parsed,
    Result,
    parse,
    parse_args,
)
from ..snippets import snippet, window
from . import (
    analyzers,
    merging,
    patches,  # noqa: F401  (applied on import: see its docstring)
    postings,
)

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

NAME = "whoosh"
# 10: the analyzers moved to archive.search.whoosh.analyzers (the schema pickles
# their class path: an older index cannot be opened, so it is stale)
SCHEMA_VERSION = 10
INDEX_VERSION = f"{SCHEMA_VERSION}.{analysis.DICTIONARY_VERSION}"
PARALLEL_FROM = 4000  # profiles: smaller indexes are built in-process, in one segment
BUILD_CHUNK = 25000  # profiles per chunk of a parallel build (then merged into one segment)
BUILD_PROCS = 2
BUILD_LIMITMB = 1536  # per build process: a chunk's postings sort in memory
WEIGHTS = queries.WEIGHTS
# Postings a worker keeps in memory (patches): every searched field's but
# the stories' (at 100,000 profiles 48 MB, against 178 MB for the stories')
KEPT_POSTINGS = (*NAME_FIELDS, "titles", "unit", "unit_grams", "place", "honours", "facet")
# Fields with few distinct words (the bench's 100,000 profiles: 41 titles, 248 places,
# 2,223 unit words): a set of each segment's answers "not here" without a lookup
SMALL_FIELDS = ("titles", "unit", "unit_grams", "place")

# What a missing, damaged or vanishing index raises while it is opened or read
# (files gone or cut short, garbage where a pickle, a compressed block or a
# number was, a reader closed under a query). Programming errors (ImportError,
# NameError, TypeError, AttributeError …) are not among them: they surface as
# errors, never as "search index unavailable" or a rebuild.
INDEX_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    LookupError,
    struct.error,
    zlib.error,
    pickle.UnpicklingError,
    whoosh_index.IndexError,
    ReaderClosed,
)


def _positional(analyzer) -> TEXT:
    """A text field with word positions (for quoted phrases), indexed through
    the analyzer's fast path."""
    field = TEXT(analyzer=analyzer, phrase=True)
    field.format = analyzers.WordPositions(field_boost=field.format.field_boost)
    return field


def schema() -> Schema:
    text = analyzers.ChineseAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        name_exact=KEYWORD(commas=True, lowercase=True, scorable=True),
        name=KEYWORD(commas=True, lowercase=True, scorable=True),
        pinyin=KEYWORD(commas=True, lowercase=True, scorable=True),
        pinyin_prefix=KEYWORD(commas=True, lowercase=True, scorable=True),
        titles=_positional(text),
        unit=_positional(text),
        # character bigrams of unit and position: any fragment of a unit is a
        # phrase of them (analyzers.BigramTokenizer)
        unit_grams=TEXT(analyzer=analyzers.BigramAnalyzer(), phrase=True),
        place=TEXT(analyzer=text, phrase=False),
        story=_positional(text),
        honours=KEYWORD(commas=True, scorable=True),
        facet=KEYWORD(commas=True, scorable=False),
        year=COLUMN(NumericColumn("H")),  # only sorted by: a column, no postings
        honoree=COLUMN(NumericColumn("I")),  # the row's id: a page's ids from an array
        sort_key=ID(sortable=True),
        display=STORED(),
        digest=STORED(),
    )


class _Pool(PostingPool):
    """Whoosh's posting pool without its per-posting type assertions."""

    def add(self, item):
        self.fieldnames.add(item[0])
        self.currentsize += 117 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)


class _Lengths:
    """A segment's field lengths, each read once: Whoosh asks for the length of
    a profile's field for every posting it writes (``shift``: the postings'
    document numbers are the segment's plus ``shift``)."""

    def __init__(self, reader, shift: int = 0):
        self.reader, self.shift, self.field, self.lengths = reader, shift, None, {}

    def doc_field_length(self, docnum, fieldname, default=0):
        if fieldname != self.field:
            self.field, self.lengths = fieldname, {}
        length = self.lengths.get(docnum)
        if length is None:
            length = self.lengths[docnum] = self.reader.doc_field_length(
                docnum - self.shift, fieldname, default
            )
        return length


class _BuildWriter(SegmentWriter):
    """The writer of a rebuild: Whoosh's SegmentWriter with a cheaper pool and
    field lengths read once (its ``_flush_segment``, with ``_Lengths``). A
    chunk of a parallel build numbers the documents of its postings from
    ``shift``, the chunk's place in the segment it will be merged into
    (archive.merging), so the merge copies its postings as they are."""

    def __init__(self, ix, limitmb: int = 128, shift: int = 0, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = _Pool(self._tempstorage, self.newsegment, limitmb=limitmb)
        self.shift = shift

    def _flush_segment(self):
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        items, shift = self.pool.iter_postings(), self.shift
        if shift:
            items = ((f, t, docnum + shift, w, v) for f, t, docnum, w, v in items)
        self.fieldwriter.add_postings(
            self.schema, _Lengths(reader, shift) if reader else None, items
        )
        self.fieldwriter.close()
        if reader:
            reader.close()


def _build_here(ix, rows, total: int, progress) -> None:
    """A small index: one segment written by this process."""
    writer = _BuildWriter(ix, limitmb=256)
    try:
        for done, row in enumerate(rows, start=1):
            writer.add_document(**document(row))
            if progress and done % 500 == 0:
                progress(done, total, "正在建立检索索引")
        writer.commit(optimize=True)
    except BaseException:
        writer.cancel()
        raise


def _build_parallel(ix, generation: Path, rows, total: int, progress) -> None:
    """A large index: the profiles cut into equal chunks of at most
    BUILD_CHUNK, each written as its own segment by one of BUILD_PROCS forked
    processes (Whoosh and the analyzer are pure Python: one core each), then
    merged into one segment (archive.merging: a query pays per segment) and
    committed. Chunks stay small enough that Whoosh sorts each segment's
    postings in memory instead of spilling them to disk. A chunk's postings
    number its documents from its place in the merged segment, so a chunk is
    never a segment of the index on its own."""
    import multiprocessing

    chunks = max(BUILD_PROCS, -(-total // BUILD_CHUNK))
    chunks = -(-chunks // BUILD_PROCS) * BUILD_PROCS
    size = -(-total // chunks)
    segments, running, done = [], deque(), 0
    # A process per chunk, forked from this thread: a pool would fork its
    # replacements from a thread of its own, and a child forked while another
    # thread holds the pool's queue lock waits for it for ever.
    context = multiprocessing.get_context("fork")

    def collect():
        nonlocal done
        process, receiver = running.popleft()
        try:
            outcome = receiver.recv()
        except EOFError:
            outcome = ("error", f"exit code {process.join() or process.exitcode}")
        finally:
            receiver.close()
            process.join()
        if outcome[0] != "ok":
            raise RuntimeError(f"an index build process failed: {outcome[1]}")
        count, segment = outcome[1]
        segments.append(segment)
        done += count
        if progress:
            progress(done, total, "正在建立检索索引")

    shift = 0
    try:
        while chunk := [dict(row) for row in rows.fetchmany(size)]:
            while len(running) >= BUILD_PROCS:
                collect()
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=_segment_process, daemon=True, args=(sender, str(generation), chunk, shift)
            )
            process.start()
            sender.close()
            running.append((process, receiver))
            shift += len(chunk)
        while running:
            collect()
    finally:
        for process, receiver in running:  # after a failure: no child left behind
            process.kill()
            process.join()
            receiver.close()
    if progress:
        progress(total, total, "正在合并检索索引")
    merged = merging.merge(ix, segments)
    writer = ix.writer()
    writer.commit(mergetype=lambda _writer, existing: existing + [merged])


def _segment_process(sender, folder: str, rows: list[dict], shift: int) -> None:
    """A build process's body: its chunk's segment, or why it failed, to the parent."""
    try:
        sender.send(("ok", _build_segment(folder, rows, shift)))
    except BaseException as exc:  # reported to the parent, which raises it
        sender.send(("error", repr(exc)))
    finally:
        sender.close()


def _build_segment(folder: str, rows: list[dict], shift: int):
    """In a build process: one chunk of ``rows``, its postings numbered from
    ``shift`` (see _build_parallel), not in the index's list."""
    ix = whoosh_index.open_dir(folder)
    writer = _BuildWriter(ix, _lk=False, limitmb=BUILD_LIMITMB, shift=shift)
    try:
        for row in rows:
            writer.add_document(**document(row))
        return len(rows), writer._finalize_segment()
    except BaseException:
        writer.cancel()
        raise


def _build(generation: Path, rows, total: int, progress) -> None:
    ix = whoosh_index.create_in(str(generation), schema())
    if total < PARALLEL_FROM:
        _build_here(ix, rows, total, progress)
    else:
        _build_parallel(ix, generation, rows, total, progress)


def _apply(folder: Path, ids: list[int], documents: list[dict]) -> None:
    """Replace the documents of ``ids`` (caller holds the writer lock)."""
    ix = whoosh_index.open_dir(str(folder))
    writer = ix.writer(timeout=generations.LOCK_TIMEOUT, delay=0.05)
    try:
        for honoree_id in ids:
            writer.delete_by_term("id", str(honoree_id))
        for found in documents:
            writer.add_document(**found)
        writer.commit(merge=True)
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()


def _readable(folder: Path) -> bool:
    """The generation opens and its stored fields read (cheap: one document)."""
    with _quietly():
        return _try_read(folder)


def _try_read(folder: Path) -> bool:
    try:
        ix = whoosh_index.open_dir(str(folder))
        try:
            with ix.searcher() as searcher:
                if searcher.doc_count_all():
                    searcher.stored_fields(0)
                    searcher.stored_fields(searcher.doc_count_all() - 1)
        finally:
            ix.close()
        return True
    except INDEX_ERRORS:
        return False


@contextmanager
def _quietly():
    """Whoosh leaves a file open when it meets a damaged index; the handle is
    closed here rather than reported later as a ResourceWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            yield
        finally:
            gc.collect()


def _digests(folder: Path) -> dict[int, str]:
    ix = whoosh_index.open_dir(str(folder))
    try:
        with ix.searcher() as searcher:
            return {int(f["id"]): f.get("digest") for f in searcher.all_stored_fields()}
    finally:
        ix.close()


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


# --- one searcher per process ---------------------------------------------------------

REFRESH_INTERVAL = 0.2
SUGGEST_CACHED = 4096  # suggestions kept per searcher (hot prefixes while typing)
POSTINGS_CACHED = 3_000_000  # per process: 16 bytes a posting, 1 bit a document a term
TERMS_CACHED = 4096  # terms and phrases kept per process, at most


class _Live:
    """A process's searcher on one generation, refreshed when the index changes.
    What a segment holds (postings, lengths, sort columns, pinyin terms) is cached
    by segment id and outlives its readers: an edit deletes the old version of
    a profile from its segment, which reopens that segment's reader but leaves
    its contents unchanged. What depends on deletions (live documents, facet
    bitmaps) is cached per reader."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.ix = whoosh_index.open_dir(str(folder))
        self.readers: dict[tuple, SegmentReader] = {}
        self.retired: list[tuple[float, SegmentReader]] = []
        self.generation = None
        self.segment_bits: dict[tuple, tuple[object, object]] = {}  # see _per_reader
        self.segment_data: dict[tuple, object] = {}
        self.term_cache: OrderedDict[tuple, tuple] = OrderedDict()
        self.term_postings = 0
        self.lock = threading.Lock()
        self.searcher = self._open_searcher()
        self.searcher.doc_count()
        self.checked = time.monotonic()

    def fresh(self):
        now = time.monotonic()
        if now - self.checked < REFRESH_INTERVAL:
            return self.searcher
        with self.lock:
            if now - self.checked >= REFRESH_INTERVAL:
                if self.ix.latest_generation() != self.generation:
                    self.searcher = self._open_searcher()
                self.checked = now
        return self.searcher

    def _open_searcher(self):
        """A searcher on the latest commit, reusing the readers of segments that
        did not change (a segment whose deletions changed is reopened). Readers
        no longer used are closed a minute later: other threads may still be
        searching with them."""
        toc = self.ix._read_toc()
        reusable = {id(r): r for r in self.readers.values()}
        readers = []
        for segment in toc.segments:
            reader = self.readers.get((segment.segment_id(), segment.deleted_count()))
            if reader is None:
                reader = SegmentReader(
                    self.ix.storage, toc.schema, segment, generation=toc.generation
                )
                postings.keep(reader, KEPT_POSTINGS)
                if reader.doc_count_all():
                    # opens the stored fields' column (Whoosh reads each document's
                    # offset: about 7 ms at 25,000) with the reader, not in the
                    # first suggest
                    reader.stored_fields(0)
            readers.append(reader)
        self.generation = toc.generation
        now = time.monotonic()
        kept = {id(r) for r in readers}
        self.retired += [(now, r) for key, r in reusable.items() if key not in kept]
        while self.retired and now - self.retired[0][0] > 60:
            self.retired.pop(0)[1].close()
        self.readers = {(r.segment().segment_id(), r.segment().deleted_count()): r for r in readers}
        self._prune(kept, {segment.segment_id() for segment in toc.segments})
        if not readers:
            reader = EmptyReader(toc.schema)
        elif len(readers) == 1:
            reader = readers[0]
        else:
            reader = MultiReader(readers, generation=toc.generation)
        return Searcher(reader, fromindex=self.ix, weighting=BM25F())  # what _scored computes

    def _prune(self, kept: set[int], segments: set[str]) -> None:
        """Forget what was kept for readers (``kept``: the ids of those still
        used) and segments (``segments``: their ids) no longer in the index."""
        self.segment_bits = {
            key: value for key, value in self.segment_bits.items() if id(value[0]) in kept
        }
        self.segment_data = {
            key: value for key, value in self.segment_data.items() if key[0] in segments
        }
        for key in [key for key in self.term_cache if key[0] not in segments]:
            self.term_postings -= len(self.term_cache.pop(key)[0].ids)  # (fresh holds the lock)

    def bits(self, searcher, term: str) -> int:
        """Docnums holding a facet term, as a bitmap (per segment, combined once
        per searcher: combining ten segments' bitmaps costs more than using
        them)."""

        def combine():
            total = 0
            for reader, offset in searcher.reader().leaf_readers():
                terms = self._per_reader(reader, ("facet bits",), dict)
                if term not in terms:
                    terms[term] = self.term_bits(reader, "facet", term)
                total |= terms[term] << offset
            return total

        return _per_searcher(searcher, ("facet bits", term), combine)

    def term(self, reader, fieldname: str, text: str) -> tuple[postings.Postings, int]:
        """A term's postings in one segment, and the live documents holding it
        as a bitmap; kept while the most recent POSTINGS_CACHED postings fit."""
        key = (_segment_id(reader), fieldname, text)
        cached = self._cached(key)
        if cached is None:
            btext = reader._text_to_bytes(fieldname, text)
            if fieldname in SMALL_FIELDS and btext not in self.vocabulary(reader, fieldname):
                found = postings.EMPTY
            else:
                found = postings.read(reader, fieldname, btext)
            cached = (
                found,
                self._keep(key, found, postings.bits_of(found.ids, reader.doc_count_all())),
            )
        return cached[0], self._live_only(reader, cached[1])

    def _cached(self, key: tuple) -> tuple[postings.Postings, int] | None:
        with self.lock:
            cached = self.term_cache.get(key)
            if cached is not None:
                self.term_cache.move_to_end(key)
            return cached

    def _keep(self, key: tuple, found: postings.Postings, bits: int) -> int:
        """Keeps a term's postings (or a phrase's bitmap: no postings) and the
        bitmap of every document of its segment holding it."""
        with self.lock:
            old = self.term_cache.pop(key, None)
            if old is not None:
                self.term_postings -= len(old[0].ids)
            self.term_cache[key] = (found, bits)
            self.term_postings += len(found.ids)
            while (
                self.term_postings > POSTINGS_CACHED or len(self.term_cache) > TERMS_CACHED
            ) and len(self.term_cache) > 1:
                self.term_postings -= len(self.term_cache.popitem(last=False)[1][0].ids)
        return bits

    def _live_only(self, reader, bits: int) -> int:
        """Of a segment's documents, those not deleted."""
        return bits & self.segment_live(reader) if bits and reader.has_deletions() else bits

    def phrase_bits(self, reader, fieldname: str, words: tuple, budget) -> int:
        """The live documents of one segment holding a phrase, as a bitmap
        (postings.phrase_docs), kept like a term's. Out of time, the documents
        holding all its words stand in for it (and are not kept)."""
        key = (_segment_id(reader), fieldname, words)
        cached = self._cached(key)
        if cached is not None:
            return self._live_only(reader, cached[1])
        size = reader.doc_count_all()
        candidates, found = (1 << size) - 1, {}
        for word in sorted(set(words), key=lambda w: self._frequency(reader, fieldname, w)):
            if not candidates or budget.spent():
                break  # out of time, the words' documents are taken as the phrase's
            found[word] = postings.read_with_values(
                reader, fieldname, reader._text_to_bytes(fieldname, word)
            )
            candidates &= self._keep(
                (key[0], fieldname, word),
                found[word][0],
                postings.bits_of(found[word][0].ids, size),
            )
        if not candidates:
            return 0
        if len(found) < len(set(words)):
            for word in set(words) - set(found):
                candidates &= self.term_bits(reader, fieldname, word)
            return self._live_only(reader, candidates)
        docs = postings.phrase_docs(list(words), found, postings.mask_of(candidates, size))
        return self._live_only(
            reader, self._keep(key, postings.EMPTY, postings.bits_of(docs, size))
        )

    @staticmethod
    def _frequency(reader, fieldname: str, word: str) -> int:
        try:
            return reader.doc_frequency(fieldname, word)
        except INDEX_ERRORS:
            return 0

    def vocabulary(self, reader, fieldname: str) -> frozenset[bytes]:
        """A segment's words in one field (one of SMALL_FIELDS)."""
        return self._per_segment(
            reader, ("vocabulary", fieldname), lambda: frozenset(reader.lexicon(fieldname))
        )

    def pinyin_terms(self, reader) -> list[str]:
        """A segment's pinyin terms (no-result suggestions)."""
        return self._per_segment(
            reader, ("pinyin terms",), lambda: [t.decode() for t in reader.lexicon("pinyin")]
        )

    def sort_columns(self, reader) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """A segment's documents' years, the rank of each one's pinyin sort key
        among the segment's, and the keys."""

        def compute():
            size = reader.doc_count_all()
            years = np.fromiter(reader.column_reader("year"), np.int64, size)
            keys = list(reader.column_reader("sort_key"))
            ranks = np.empty(size, np.int64)
            ranks[sorted(range(size), key=keys.__getitem__)] = np.arange(size)
            return years, ranks, keys

        return self._per_segment(reader, ("sort",), compute)

    def honoree_ids(self, searcher, docnums: list[int]) -> list[int]:
        """The database ids of documents, from the segments' ``honoree``
        columns (each read once per segment, joined once per searcher) instead
        of their stored fields."""
        if not docnums:
            return []
        ids = _per_searcher(
            searcher,
            ("honorees",),
            lambda: np.concatenate(
                [self.segment_honorees(reader) for reader, _ in searcher.reader().leaf_readers()]
            ),
        )
        return ids[docnums].tolist()

    def segment_honorees(self, reader) -> np.ndarray:
        """The database id of each of a segment's documents (its ``honoree``
        column), kept per segment."""
        return self._per_segment(
            reader,
            ("honoree",),
            lambda: np.fromiter(reader.column_reader("honoree"), np.int64, reader.doc_count_all()),
        )

    # Statistics of the live documents only (Whoosh's count deleted documents
    # until a merge drops them), so that an index caught up by edits, with
    # deleted versions in its segments, scores as a rebuild of the same
    # records does.

    def idf(self, searcher, fieldname: str, text: str) -> float:
        """Whoosh's inverse document frequency of a term (WeightingModel.idf)
        among the live documents: their number, and how many hold the term
        (from the postings read here), kept with the searcher."""

        def compute():
            n = sum(
                self.term(reader, fieldname, text)[1].bit_count()
                for reader, _ in searcher.reader().leaf_readers()
            )
            return math.log(max(searcher.doc_count(), 1) / (n + 1)) + 1

        return _per_searcher(searcher, ("idf", fieldname, text), compute)

    def avg_field_length(self, searcher, fieldname: str) -> float:
        """The mean length of a field over the live documents, each length as
        BM25F reads it (the segment's length byte): sums of whole numbers, so
        the same records give the same mean however segments split them."""

        def compute():
            total = 0.0
            for reader, _ in searcher.reader().leaf_readers():
                size = reader.doc_count_all()
                lengths = self.lengths(reader, fieldname)[:size]
                if reader.has_deletions():
                    lengths = lengths[postings.mask_of(self.segment_live(reader), size)]
                total += float(lengths.sum())
            count = searcher.doc_count()
            return total / count if count and total else 1

        return _per_searcher(searcher, ("avgfl", fieldname), compute)

    def term_bits(self, reader, fieldname: str, text: str) -> int:
        """The live documents of one segment holding a term, as a bitmap."""
        return self.term(reader, fieldname, text)[1]

    def _per_reader(self, reader, what: tuple, compute: Callable[[], object]):
        """``compute()`` for one segment reader, kept while the reader is in use
        (segment_bits is pruned to the readers of each new searcher)."""
        key = (id(reader), *what)
        cached = self.segment_bits.get(key)
        if cached is None or cached[0] is not reader:
            cached = self.segment_bits[key] = (reader, compute())
        return cached[1]

    def _per_segment(self, reader, what: tuple, compute: Callable[[], object]):
        """``compute()`` for one segment, kept while the segment is in the index
        (whatever readers of it come and go)."""
        key = (_segment_id(reader), *what)
        cached = self.segment_data.get(key)
        if cached is None:
            cached = self.segment_data[key] = compute()
        return cached

    def segment_live(self, reader) -> int:
        """A segment's documents not deleted, as a bitmap."""

        def compute():
            bits = (1 << reader.doc_count_all()) - 1
            for docnum in reader.deleted_docs_set if reader.has_deletions() else ():
                bits &= ~(1 << docnum)
            return bits

        return self._per_reader(reader, ("live",), compute)

    def lengths(self, reader, fieldname: str):
        """Every document's length in a field (postings.field_lengths)."""
        return self._per_segment(
            reader, ("lengths", fieldname), lambda: postings.field_lengths(reader, fieldname)
        )

    def live_bits(self, searcher) -> int:
        def combine():
            total = 0
            for reader, offset in searcher.reader().leaf_readers():
                total |= self.segment_live(reader) << offset
            return total

        return _per_searcher(searcher, ("live",), combine)

    def facet_values(self, searcher, prefix: str) -> list[str]:
        """The facet terms starting with ``prefix``, read once per searcher."""
        return _per_searcher(
            searcher,
            ("facet values", prefix),
            lambda: [
                t.decode() if isinstance(t, bytes) else t
                for t in searcher.reader().expand_prefix("facet", prefix)
            ],
        )

    def facet_counts(self, searcher, terms: list[str], base: _FacetBase) -> list[int]:
        """How many documents of ``base`` hold each facet term: one AND and bit
        count over a matrix of the terms' bitmaps (a row per 64 documents,
        built once per searcher), and over only the rows where ``base`` has
        documents when they are few, instead of an AND and a count of two
        Python ints per term (170 terms at 100,000: 0.4 against 2.1 ms for all
        rows)."""
        if not terms:
            return []
        matrix = _per_searcher(
            searcher,
            ("facet matrix", tuple(terms)),
            lambda: np.ascontiguousarray(
                np.frombuffer(
                    b"".join(
                        self.bits(searcher, term).to_bytes(base.words * 8, "little")
                        for term in terms
                    ),
                    np.uint64,
                )
                .reshape(len(terms), base.words)
                .T
            ),
        )
        mask = base.mask
        if len(base.rows) < base.words // 2:
            matrix, mask = matrix[base.rows], mask[base.rows]
        return np.bitwise_count(matrix & mask[:, None]).sum(axis=0, dtype=np.int64).tolist()

    def close(self):
        for _, old in self.retired:
            old.close()
        for reader in self.readers.values():
            reader.close()
        self.ix.close()


def _per_searcher(searcher, key: tuple, compute: Callable[[], object]):
    """``compute()`` once per searcher (a process's searcher is replaced
    whenever the index changes, so what it keeps is always in step)."""
    kept = searcher.__dict__.setdefault("_archive", {})
    if key not in kept:
        kept[key] = compute()
    return kept[key]


def _segment_id(reader) -> str:
    """The id of a reader's segment ("" without one), kept on the reader: a
    query asks for it a hundred times, and Whoosh formats it each time."""
    try:
        return reader._archive_segment_id
    except AttributeError:
        segment = reader.segment()
        found = reader._archive_segment_id = segment.segment_id() if segment is not None else ""
        return found


_live: dict[str, _Live] = {}
_live_lock = threading.Lock()


def _open(index_dir: str | Path) -> tuple[_Live, object]:
    """This process's searcher; reopened when ``CURRENT`` names another
    generation, refreshed when the generation changes."""
    key = str(index_dir)
    folder = generations.serving_dir(index_dir)
    if folder is None:
        raise SearchUnavailable("检索索引正在建立")
    live = _live.get(key)
    if live is None or live.folder != folder:
        with _live_lock:
            live = _live.get(key)
            if live is None or live.folder != folder:
                with _quietly():
                    fresh = generations.open_checked(index_dir, folder, _Live, INDEX_ERRORS)
                if fresh is None:
                    raise SearchUnavailable("检索索引暂不可用")
                old, _live[key] = _live.get(key), fresh
                live = fresh
                if old is not None:
                    threading.Timer(60, old.close).start()
    try:
        return live, live.fresh()
    except INDEX_ERRORS as exc:
        _suspect(index_dir)
        raise SearchUnavailable("检索索引暂不可用") from exc


# --- queries -------------------------------------------------------------------


def _whoosh(q: queries.Query) -> Query:
    """The Whoosh query of a shared query tree (archive.search.queries)."""
    if isinstance(q, queries.Term):
        return Term(q.fieldname, q.text, boost=q.boost)
    if isinstance(q, queries.Phrase):
        return Phrase(q.fieldname, list(q.words), boost=q.boost)
    if isinstance(q, queries.AndMaybe):
        return AndMaybe(_whoosh(q.a), _whoosh(q.b))
    kind = And if isinstance(q, queries.And) else Or
    return kind([_whoosh(sub) for sub in q.subqueries])


def build_query(parsed: Parsed) -> Query | None:
    """The Whoosh query of a parsed visitor query (queries.build_query)."""
    q = queries.build_query(parsed)
    return None if q is None else _whoosh(q)


def _tree_sum(values: list):
    """Sums as Whoosh's binary tree of intersection matchers sums a phrase's
    words (the same floating-point result, so ties break as they do)."""
    if len(values) == 1:
        return values[0]
    half = len(values) // 2
    return _tree_sum(values[:half]) + _tree_sum(values[half:])


_Budget = queries.Budget


def _query_bits(live: _Live, searcher, q: Query, budget: _Budget) -> int:
    """The documents matching ``q`` (terms, phrases, Or, And and AndMaybe: what
    build_query makes) as a bitmap, from the terms' postings alone (no scoring)."""
    total = 0
    for reader, offset in searcher.reader().leaf_readers():
        total |= _local_bits(live, reader, q, budget) << offset
    return total


def _leaf_terms(
    q: Query, boost: float = 1.0, guards: tuple = ()
) -> list[tuple[str, str, float, tuple]]:
    """(field, text, boost, guards) of every term of a query of terms, Or, And
    and AndMaybe, and phrases (what _query_bits accepts). A term adds to a document's score
    only where its guards — the And and AndMaybe queries around it — match too:
    in ``A OR (B AND C)`` a document holding B but not C gets nothing from B."""
    kind, boost = type(q), boost * q.boost
    if kind is Term:
        return [(q.fieldname, q.text, boost, guards)]
    if kind is Phrase:  # its words as a tuple
        return [(q.fieldname, tuple(q.words), boost, guards)]
    if kind is AndMaybe:
        inner = guards + (q,)
        return _leaf_terms(q.a, boost, inner) + _leaf_terms(q.b, boost, inner)
    inner = guards + (q,) if kind is And else guards
    return [t for sub in q.subqueries for t in _leaf_terms(sub, boost, inner)]


def _best_by_terms(
    live: _Live, searcher, q: Query, hits: int, limit: int, budget: _Budget
) -> list[int]:
    """The best ``limit`` docnums of ``hits`` (the documents matching ``q``),
    best first, ties by record id (see _scored)."""
    return [docnum for _, docnum in _scored(live, searcher, q, hits, limit, budget)]


def _ranked(live: _Live, searcher, q: Query, limit: int, budget: _Budget) -> list[int]:
    """The best ``limit`` docnums matching ``q``."""
    hits = _query_bits(live, searcher, q, budget)
    return _best_by_terms(live, searcher, q, hits, limit, budget) if hits else []


def _scored(
    live: _Live, searcher, q: Query, hits: int, limit: int, budget: _Budget
) -> list[tuple[float, int]]:
    """(score, docnum) of the best ``limit`` documents of ``hits`` (those
    matching ``q``), best first, ties by the record's id (an edited record's
    document moves to the end of the index: its docnum says nothing); out of
    time, the best of what was scored. A document's score is what Whoosh's matchers give it — the sum
    over the query's terms it holds of BM25F times the term's boost (Or, And
    and AndMaybe add their parts) — computed term by term over arrays of the
    postings (archive.postings) for the matching documents only, instead of
    walking Whoosh's tree of matchers document by document."""
    terms = _leaf_terms(q)
    weighting = searcher.weighting
    best: list[tuple[float, int]] = []
    for reader, offset in searcher.reader().leaf_readers():
        size = reader.doc_count_all()
        local = _segment_part(hits, offset, size)
        if not local:
            continue
        docs = postings.ids_of(local, size)  # this segment's matches; scores follow them
        scores, scored = np.zeros(len(docs)), np.zeros(len(docs), bool)
        guarded: dict[tuple, tuple[int, np.ndarray]] = {}
        for fieldname, text, boost, guards in terms:
            if guards not in guarded:
                mask = local
                for guard in guards:
                    mask &= _local_bits(live, reader, guard, budget)
                guarded[guards] = (
                    mask,
                    postings.mask_of(mask, size)[docs] if guards else np.ones(len(docs), bool),
                )
            mask, wanted = guarded[guards]
            if isinstance(text, tuple):  # a phrase: the sum of its words' scores
                bits = live.phrase_bits(reader, fieldname, text, budget) & mask
                if bits:
                    at = np.searchsorted(docs, postings.ids_of(bits, size))
                    scores[at] += (
                        _phrase_scores(live, searcher, reader, fieldname, text, docs[at]) * boost
                    )
                    scored[at] = True
                continue
            found, bits = live.term(reader, fieldname, text)
            if not bits & mask:
                continue  # the term scores none of this segment's matches
            at, values = postings.bm25f(
                found,
                docs,
                wanted,
                live.lengths(reader, fieldname),
                live.idf(searcher, fieldname, text),
                live.avg_field_length(searcher, fieldname),
                weighting._field_B.get(fieldname, weighting.B),
                weighting.K1,
            )
            scores[at] += values * boost
            scored[at] = True
            if budget.spent():
                break
        kept = np.flatnonzero(scored)
        values, kept_docs = scores[kept], docs[kept]
        if len(values) > 4 * limit:  # sort only those scoring at least the limit-th best
            top = values >= np.partition(values, len(values) - limit)[len(values) - limit]
            values, kept_docs = values[top], kept_docs[top]
        kept_ids = live.segment_honorees(reader)[kept_docs]
        order = np.lexsort((kept_ids, -values))[:limit]
        best += zip(
            (-values[order]).tolist(),
            kept_ids[order].tolist(),
            (kept_docs[order] + offset).tolist(),
            strict=True,
        )
        if budget.timed_out:
            break
    return [(-score, docnum) for score, _, docnum in heapq.nsmallest(limit, best)]


def _segment_part(bits: int, offset: int, size: int) -> int:
    """The part of a searcher-wide bitmap that falls in the segment at
    ``offset``, as that segment's own bitmap."""
    return (bits >> offset) & ((1 << size) - 1)


def _best_by_order(live: _Live, searcher, hits: int, limit: int, sort: str) -> list[int]:
    """The first ``limit`` docnums of ``hits`` by year (latest first) then pinyin,
    or by pinyin, ties by record id (a rebuild's docnum order), read from the
    segments' columns (kept per segment) instead of one document at a time."""
    best: list[tuple[tuple, int]] = []
    for reader, offset in searcher.reader().leaf_readers():
        size = reader.doc_count_all()
        local = _segment_part(hits, offset, size)
        if not local:
            continue
        years, ranks, keys = live.sort_columns(reader)
        ids = live.segment_honorees(reader)
        docs = postings.ids_of(local, size)
        if sort == "year":
            order = np.lexsort((ids[docs], ranks[docs], -years[docs]))[:limit]
            best += [
                ((-int(years[d]), keys[d], int(ids[d])), d + offset) for d in docs[order].tolist()
            ]
        else:
            order = np.lexsort((ids[docs], ranks[docs]))[:limit]
            best += [((keys[d], int(ids[d])), d + offset) for d in docs[order].tolist()]
    best.sort()
    return [docnum for _, docnum in best[:limit]]


def _phrase_scores(
    live: _Live, searcher, reader, fieldname: str, words: tuple, docs: np.ndarray
) -> np.ndarray:
    """A phrase's score in each of ``docs`` (which all hold it): its words'
    BM25F scores summed as Whoosh's Phrase sums them."""
    weighting = searcher.weighting
    lengths = live.lengths(reader, fieldname)
    per_word = {}
    for word in set(words):
        found, _ = live.term(reader, fieldname, word)
        per_word[word] = postings.bm25(
            found.weights[np.searchsorted(found.ids, docs)],
            lengths[docs],
            live.idf(searcher, fieldname, word),
            live.avg_field_length(searcher, fieldname),
            weighting._field_B.get(fieldname, weighting.B),
            weighting.K1,
        )
    return _tree_sum([per_word[w] for w in words])


def _local_bits(live: _Live, reader, q: Query, budget: _Budget) -> int:
    kind = type(q)
    if kind is Term:
        return live.term_bits(reader, q.fieldname, q.text)
    if kind is Phrase:
        return live.phrase_bits(reader, q.fieldname, tuple(q.words), budget)
    if kind is AndMaybe:
        return _local_bits(live, reader, q.a, budget)
    if kind is And or kind is Or and not q.minmatch:
        result = None
        for sub in q.subqueries:
            bits = _local_bits(live, reader, sub, budget)
            if result is None:
                result = bits
            elif kind is Or:
                result |= bits
            else:
                result &= bits
        return result or 0
    raise TypeError(f"not a query build_query makes: {q!r}")


def _filter_bits(live: _Live, searcher, filters: browse.Filters, skip: str | None) -> int | None:
    """Docs passing every selected facet except ``skip``; None when nothing
    is selected."""
    bits = None
    for name, prefix in RECORD_FACETS:
        value = getattr(filters, name)
        if value is not None and name != skip:
            term = live.bits(searcher, prefix + clean_token(value))
            bits = term if bits is None else bits & term
    honour = {
        n: getattr(filters, n)
        for n in browse.HONOUR_FACETS
        if getattr(filters, n) is not None and n != skip
    }
    if honour:
        term = live.bits(searcher, honour_key(honour))
        bits = term if bits is None else bits & term
    return bits


class _FacetBase:
    """The documents facets are counted among, as 64-bit words, and which
    words hold any."""

    def __init__(self, bits: int, size: int):
        self.words = -(-size // 64) or 1
        self.mask = np.frombuffer(bits.to_bytes(self.words * 8, "little"), np.uint64)
        self.rows = np.flatnonzero(self.mask)


def _facet_counts(live: _Live, searcher, matched: int, filters: browse.Filters) -> dict:
    counts: dict[str, list[tuple]] = {}
    bases: dict[int, _FacetBase] = {}  # by bitmap: without filters, the matches for all

    def facet_base(bits: int) -> _FacetBase:
        if bits not in bases:
            bases[bits] = _FacetBase(bits, searcher.doc_count_all())
        return bases[bits]

    for name, prefix in RECORD_FACETS:
        base = _filter_bits(live, searcher, filters, skip=name)
        base = matched if base is None else matched & base
        terms = live.facet_values(searcher, prefix)
        found = live.facet_counts(searcher, terms, facet_base(base))
        values = [(term[len(prefix) :], n) for term, n in zip(terms, found, strict=True) if n]
        counts[name] = sorted(values, key=lambda v: (-v[1], v[0]))
    selected_honour = {
        n: getattr(filters, n) for n in browse.HONOUR_FACETS if getattr(filters, n) is not None
    }
    # honour facets narrow one honour together (_honour_key), the others apply
    # to the matches as they are
    base = _filter_bits(live, searcher, filters.without(*browse.HONOUR_FACETS), skip=None)
    base = matched if base is None else matched & base
    for name in browse.HONOUR_FACETS:
        others = {n: v for n, v in selected_honour.items() if n != name}
        found, keys = _honour_terms(live, searcher, name, others)
        values = [
            (int(value) if name == "year" else value, n)
            for value, n in zip(
                found, live.facet_counts(searcher, keys, facet_base(base)), strict=True
            )
            if n
        ]
        if name == "year":
            counts[name] = sorted(values, key=lambda v: -v[0])
        else:
            counts[name] = sorted(values, key=lambda v: (-v[1], v[0]))
    return counts


def _honour_terms(live: _Live, searcher, name: str, others: dict) -> tuple[list, list]:
    """An honour facet's values and, for each, the facet term that counts it
    together with the other honour facets selected (kept per searcher)."""

    def compute():
        found = [
            term.split("=", 1)[1]
            for term in live.facet_values(searcher, f"h:{name}=")
            if "|" not in term
        ]
        return found, [honour_key({**others, name: value}) for value in found]

    return _per_searcher(searcher, ("honour terms", name, tuple(sorted(others.items()))), compute)


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
    (see :func:`_query`). An index that fails while being read (removed or
    damaged under the reader) is dropped from this process and reported as
    unavailable, never as an error page."""
    return generations.tried_twice(
        lambda: _query(
            db, index_dir, text, filters, sort, page_size, with_facets, time_limit, whole_rows
        ),
        INDEX_ERRORS,
        lambda: _suspect(index_dir),
    )


def _forget(index_dir: str | Path) -> None:
    with _live_lock:
        _live.pop(str(index_dir), None)


def _suspect(index_dir: str | Path) -> None:
    """After an engine error: mark the generation read if it is damaged, and
    drop this process's searcher of it."""
    live = _live.get(str(index_dir))
    if live is not None:
        with _quietly():
            generations.suspect(_readable, index_dir, live.folder)
    _forget(index_dir)


def _query(
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
    """One page of published honorees matching a visitor's query and facets,
    with facet counts that agree with the results, highlighted snippets, and,
    when nothing is found, suggestions. Raises SearchUnavailable while the index
    is being built.

    Each item is a card of a record still public: id, name, unit, city,
    ``top_honour``, portrait and snippet, read from the index where it can
    (_page_items); with ``whole_rows`` (the API) each item is the record's
    database row with its ``honours``."""
    filters = filters or browse.Filters()
    sort = sort if sort in SORTS else "relevance"
    parsed = parse(text)
    q = build_query(parsed)
    live, searcher = _open(index_dir)
    budget = _Budget(time.monotonic() + time_limit)
    notices = queries.notices_for(parsed)
    if not parsed.empty and q is None:
        return Result(text, filters, sort, [], 0, page_size, notices=notices)
    if q is None and sort == "relevance":
        sort = "pinyin"

    selected = _filter_bits(live, searcher, filters, skip=None)
    top = min(filters.page * page_size, MAX_RESULTS)
    # The matches, from the terms' postings without scoring them (or the facets
    # alone): only the page's documents are left to rank.
    matched = live.live_bits(searcher) if q is None else _query_bits(live, searcher, q, budget)
    hits = matched if selected is None else matched & selected
    best: list[int] = []
    if hits:
        best = (
            _best_by_terms(live, searcher, q, hits, top, budget)
            if sort == "relevance"
            else _best_by_order(live, searcher, hits, top, sort)
        )
    total = hits.bit_count()
    page = best[(filters.page - 1) * page_size : top]
    ids = live.honoree_ids(searcher, page)
    if budget.timed_out:
        notices.append(queries.TIMED_OUT)
    facets = _facet_counts(live, searcher, matched, filters) if with_facets else {}
    terms = queries.highlight_terms(parsed)
    items = (
        _rows(db, ids, terms)
        if whole_rows
        else _page_items(db, live, searcher, q, page, ids, terms, budget)
    )
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
    if not total and not parsed.empty:
        if selected is not None:
            result.unfiltered_total = matched.bit_count()
        result.suggestions = _suggestions(live, searcher, parsed, budget)
    return result


def _rows(db: sqlite_utils.Database, ids: list[int], terms: list[str]) -> list[dict]:
    """The API's items: each record's row with its honours, and a snippet."""
    rows = {r["id"]: dict(r) for r in by_ids(db, "h.*", ids)}
    items = honorees.cards(db, [rows[i] for i in ids if i in rows])
    for item in items:
        item["snippet"] = (
            snippet("\n".join(filter(None, [item["summary"], item["story"]])), terms)
            if terms
            else None
        )
    return items


def _page_items(
    db: sqlite_utils.Database,
    live: _Live,
    searcher,
    q: Query | None,
    docnums: list[int],
    ids: list[int],
    terms: list[str],
    budget: _Budget,
) -> list[dict]:
    """A results page's cards, read from the index where it can: each card's
    name, unit, city and top honour are the document's stored display (kept in
    memory), so the database is asked only which of the page's records are
    still public (an index of public ids: a record withdrawn a moment ago,
    before the indexer removed it, is not listed), for portraits, and for the
    stories of the documents whose stories hold the query's words. A snippet
    of any other document can only come from its summary and the story's
    opening, which the index keeps (the lead). Cold, each row read is a random
    read of its own: about 20 a page, 2–4 ms of a name query at 100,000
    profiles."""
    if not ids:
        return []
    public = {row[0] for row in by_ids(db, "h.id", ids, index="honorees_public")}
    shown = [(docnum, i) for docnum, i in zip(docnums, ids, strict=True) if i in public]
    displays = {i: searcher.stored_fields(docnum)["display"] for docnum, i in shown}
    in_story = _story_bits(live, searcher, q, budget) if terms and q is not None else 0
    # (an index built before SCHEMA_VERSION 7, still live while its rebuild
    # runs, keeps no lead and no city)
    wanted = [i for docnum, i in shown if in_story >> docnum & 1 or "lead" not in displays[i]]
    texts = (
        {
            row[0]: "\n".join(filter(None, row[1:]))
            for row in by_ids(db, "h.id, h.summary, h.story", wanted)
        }
        if terms
        else {}
    )
    portraits = honorees.portraits_of(db, [i for _, i in shown])
    items = []
    for _, i in shown:
        display = displays[i]
        if not terms:
            found = None
        elif i in texts:
            found = snippet(texts[i], terms)
        else:
            found = window(display["lead"], terms, more=display["more"])
        items.append(
            {
                "id": i,
                "name": display["name"],
                "unit": display["unit"],
                "city": display.get("city", ""),
                "top_honour": display["honour"],
                "portrait": portraits.get(i),
                "snippet": found,
            }
        )
    return items


def _story_bits(live: _Live, searcher, q: Query, budget: _Budget) -> int:
    """The documents whose story field (summary, story and quote) holds one of
    the query's words or phrases, as a bitmap (their postings were read to
    match the query: this reads nothing new)."""
    wanted = [text for fieldname, text, _, _ in _leaf_terms(q) if fieldname == "story"]
    total = 0
    for reader, offset in searcher.reader().leaf_readers() if wanted else ():
        bits = 0
        for text in wanted:
            bits |= (
                live.phrase_bits(reader, "story", text, budget)
                if isinstance(text, tuple)
                else live.term_bits(reader, "story", text)
            )
        total |= bits << offset
    return total


def _suggested(stored: dict) -> dict:
    """A suggested name: its id, name, unit and top honour."""
    display = stored["display"]
    return {
        "id": int(stored["id"]),
        "name": display["name"],
        "unit": display["unit"],
        "honour": display["honour"],
    }


def _suggestions(
    live: _Live, searcher, parsed: Parsed, budget: _Budget, limit: int = 6
) -> list[dict]:
    """Names that sound like the query: the index's pinyin terms within one slip
    of its readings (two for readings of six letters or more), found with
    RapidFuzz's Levenshtein over each segment's pinyin terms (Whoosh's
    FuzzyTerm walks the term index in Python: 0.1–0.4 s at 100,000 profiles);
    an exact reading counts most, then one slip, then two."""
    readings = queries.suggestion_readings(parsed)
    if not readings:
        return []
    close: dict[str, int] = {}
    for reader, _ in searcher.reader().leaf_readers():
        terms = live.pinyin_terms(reader)
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
    q = Or([Term("pinyin", term, boost=3.0 - distance) for term, distance in nearest])
    seen, found = set(), []
    for docnum in _ranked(live, searcher, q, limit * 3, budget):
        stored = searcher.stored_fields(docnum)
        display = stored["display"]
        if display["name"] not in seen:
            seen.add(display["name"])
            found.append(_suggested(stored))
        if len(found) >= limit:
            break
    return found


def suggest(
    index_dir: str | Path, text: str, limit: int = 8, time_limit: float = TIME_LIMIT
) -> list[dict]:
    """Names as the visitor types: whole names, prefixes, pinyin and initials,
    each with unit and top honour (within ``time_limit``: the best found by then)."""
    text = queries.suggest_text(text)
    if not text:
        return []
    live, searcher = _open(index_dir)
    alternatives = [_whoosh(t) for t in queries.name_terms(text)]
    if not alternatives:
        return []
    cache = searcher.__dict__.setdefault("_archive_suggest", {})
    key = (text, limit)
    if key in cache:
        return [dict(item) for item in cache[key]]
    try:
        budget = _Budget.of(time_limit)
        q = alternatives[0] if len(alternatives) == 1 else Or(alternatives)
        found = []
        for docnum in _ranked(live, searcher, q, limit, budget):
            found.append(_suggested(searcher.stored_fields(docnum)))
    except INDEX_ERRORS as exc:
        log.exception("suggest failed; reopening the index")
        _suspect(index_dir)
        raise SearchUnavailable("检索索引暂不可用") from exc
    if not budget.timed_out:  # a cut-short list is not kept
        if len(cache) >= SUGGEST_CACHED:
            cache.clear()
        cache[key] = found
    return [dict(item) for item in found]


def search(index_dir: str | Path, text: str, limit: int = 200) -> list[int] | None:
    """Ids of published honorees matching ``text``, best first; None when the
    index is missing."""
    try:
        live, searcher = _open(index_dir)
    except SearchUnavailable:
        return None
    q = build_query(parse(text))
    if q is None:
        return []
    budget = _Budget(math.inf)  # no cap: callers want every match ranked
    return [
        int(searcher.stored_fields(docnum)["id"])
        for docnum in _ranked(live, searcher, q, limit, budget)
    ]


def refresh(index_dir: str | Path) -> None:
    """Have this process's reader of ``index_dir`` look for new commits at its
    next use, without waiting for REFRESH_INTERVAL."""
    live = _live.get(str(index_dir))
    if live is not None:
        live.checked = float("-inf")


def forget(index_dir: str | Path) -> None:
    """Drop this process's searcher of ``index_dir`` and close it now (the next
    query reopens the index); for callers no query of this process is using
    it, such as tests."""
    with _live_lock:
        live = _live.pop(str(index_dir), None)
    generations.forget_pointer(index_dir)
    if live is not None:
        live.close()
