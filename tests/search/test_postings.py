"""archive.search.whoosh.postings reads a term's postings as arrays and answers with them what
Whoosh's matchers answer one document at a time: these tests hold it to Whoosh's
own decoding and scoring, and the snippet finder to full folding."""

from __future__ import annotations

import random

import numpy as np
import pytest
from whoosh.formats import Positions
from whoosh.scoring import bm25

from archive.search import analysis
from archive.search.whoosh import engine as search
from archive.search.whoosh import postings

pytestmark = pytest.mark.engines("whoosh")  # Whoosh's internals


def test_positions_decode_as_whoosh_decodes_them():
    rng = random.Random(7)
    lists = [sorted(rng.sample(range(3000), rng.randint(1, 40))) for _ in range(300)]
    lists += [[0], [255], [256], [65535, 70000], list(range(300))]
    values = [Positions().encode(p) for p in lists]
    counts, flat = postings.positions(values)
    assert counts.tolist() == [len(p) for p in lists]
    assert flat.tolist() == [x for p in lists for x in p]
    assert [Positions().decode_positions(v) for v in values] == lists


def test_positions_in_an_unexpected_form_are_still_decoded():
    odd = [Positions().encode([3, 9])[:-1], Positions().encode([1])]  # a value without its stop
    counts, flat = postings.positions(odd)
    assert counts.tolist() == [2, 1] and flat.tolist() == [3, 9, 1]


def test_bitmaps_and_masks_hold_the_same_documents():
    ids = np.array([0, 3, 7, 8, 64, 999])
    bits = postings.bits_of(ids, 1000)
    assert bits == sum(1 << int(i) for i in ids)
    assert postings.ids_of(bits, 1000).tolist() == ids.tolist()
    assert postings.mask_of(bits, 1000).sum() == len(ids)


def test_scores_are_whoosh_bm25_to_the_last_bit():
    rng = random.Random(3)
    ids = np.array(sorted(rng.sample(range(500), 200)))
    weights = np.array([float(rng.randint(1, 9)) for _ in ids])
    lengths = np.array([float(rng.randint(1, 400)) for _ in range(500)])
    docs = np.array(sorted(rng.sample(range(500), 150)))  # the matches being scored
    wanted = np.array([d % 3 != 0 for d in docs])
    at, scores = postings.bm25f(
        postings.Postings(ids, weights), docs, wanted, lengths, 2.3, 97.5, 0.75, 1.2
    )
    held = set(ids.tolist())
    expected = [
        (i, bm25(2.3, weights[ids.tolist().index(d)], lengths[d], 97.5, 0.75, 1.2))
        for i, d in enumerate(docs.tolist())
        if d in held and wanted[i]
    ]
    assert list(zip(at.tolist(), scores.tolist(), strict=True)) == expected


TEXTS = [
    "张建国在車間裡帶領團隊攻關，获得全國勞動模範称号。",
    "ＬＥＤ灯生产线的ＣＮＣ机床，精度0.01mm；LED 与 led 都是灯。",
    "他说：“工作，工作，再工作！”（见附件）",
    "Ärger und ärger: ÉCOLE école",
    "普通的简体文字，没有任何需要折叠的字。",
]
NEEDLES = [
    ["全国劳动模范", "车间", "张建国"],
    ["led", "cnc", "0.01mm"],
    ["工作,", "(见"],
    ["ärger", "école"],
    ["简体", "折叠"],
    ["劳动", "带领"],
]


@pytest.mark.parametrize("text", TEXTS)
def test_snippet_text_finds_words_where_full_folding_does(text):
    folded = analysis.fold(text)
    for needles in NEEDLES:
        found = analysis.folded_for(text, needles)
        for needle in needles:
            assert _all_at(found, needle) == _all_at(folded, needle), (text, needle)


def _all_at(text: str, needle: str) -> list[int]:
    at, start = [], text.find(needle)
    while start != -1:
        at.append(start)
        start = text.find(needle, start + 1)
    return at


def test_snippets_mark_traditional_and_full_width_forms():
    html = search.snippet("他在車間裡研制ＬＥＤ灯", ["车间", "led"])
    assert "<mark>車間</mark>" in html and "<mark>ＬＥＤ</mark>" in html


@pytest.mark.parametrize("protocol", [2, 4])
def test_postings_arrays_are_what_whoosh_matchers_read(tmp_path, monkeypatch, protocol):
    """Blocks written by stock Whoosh (pickle protocol 2) and by this archive
    (protocol 4) read back the same: an index from before the change still
    searches."""
    import pickle

    from whoosh import index as whoosh_index
    from whoosh.codec import whoosh3

    monkeypatch.setattr(whoosh3, "dumps", lambda value, p=2: pickle.dumps(value, protocol))
    ix = whoosh_index.create_in(str(tmp_path), search.schema())
    rng = random.Random(protocol)
    with ix.writer() as writer:
        for i in range(700):  # several blocks of 128 postings
            story = "，".join(
                rng.choice(["技术创新", "工作", "班组", "攻关", "质量"])
                for _ in range(rng.randint(1, 12))
            )
            writer.add_document(id=str(i), story=story, name="张", sort_key=str(i))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for word in ("工作", "技术创新", "质量", "没有"):
            found, values = postings.read_with_values(reader, "story", word.encode())
            if ("story", word) not in reader:
                assert not len(found.ids)
                continue
            expected = []
            m = reader.postings("story", word)
            while m.is_active():
                expected.append((m.id(), m.weight(), m.value_as("positions")))
                m.next()
            counts, flat = postings.positions(values)
            got_positions, at = [], 0
            for n in counts.tolist():
                got_positions.append(flat[at : at + n].tolist())
                at += n
            assert (
                list(zip(found.ids.tolist(), found.weights.tolist(), got_positions, strict=True))
                == expected
            )


def test_kept_postings_are_the_listed_fields_and_read_as_from_the_file(demo_archive):
    from whoosh.reading import SegmentReader

    live, searcher = search._open(demo_archive.config["INDEX_DIR"])
    segment = next(r for r, _ in searcher.reader().leaf_readers()).segment()
    fresh = SegmentReader(live.ix.storage, live.ix.schema, segment)
    try:
        postfile = fresh._terms._postfile
        sample = {
            field: [t for i, t in enumerate(fresh.lexicon(field)) if i % 7 == 0]
            for field in ("name", "pinyin", "unit", "facet", "story")
        }
        before = {(f, t): postings.read(fresh, f, t) for f, terms in sample.items() for t in terms}
        kept = postings.keep(fresh, ("name", "pinyin", "unit", "facet"))
        assert kept == sum(end - start for start, end, _ in postfile._kept) > 10_000

        def in_memory(field, text):
            offset, length = fresh._terms.term_info(field, text).extent()
            length = length[0] if isinstance(length, tuple) else length
            return any(s <= offset and offset + length <= e for s, e, _ in postfile._kept)

        for (field, text), found in before.items():
            again = postings.read(fresh, field, text)
            assert again.ids.tolist() == found.ids.tolist()
            assert again.weights.tolist() == found.weights.tolist()
            assert in_memory(field, text) == (field != "story"), (field, text)
    finally:
        fresh.close()


def test_terms_are_looked_up_as_whoosh_looks_them_up(demo_archive):
    _, searcher = search._open(demo_archive.config["INDEX_DIR"])
    reader = next(r for r, _ in searcher.reader().leaf_readers())
    terms = reader._terms
    rng = random.Random(11)
    keys = [
        (f, t)
        for f in ("name", "name_exact", "pinyin", "story", "unit", "facet")
        for t in rng.sample(list(reader.lexicon(f)), 40)
    ]
    keys += [(f, t + b"x") for f, t in keys[::3]] + [("story", b""), ("nofield", b"a")]
    found = 0
    for field, text in keys:
        try:
            expected = terms.term_info(field, text)
        except Exception:
            expected = None
        got = postings.term_info(terms, field, text)
        assert (got is None) == (expected is None), (field, text)
        if got is not None:
            found += 1
            assert got.extent() == expected.extent()
            assert got.doc_frequency() == expected.doc_frequency()
            assert got.weight() == expected.weight()
    assert found == 240
