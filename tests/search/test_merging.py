"""A parallel build's chunks merged into one segment (archive.search.whoosh.merging) must hold
exactly what the chunks held: every term's postings (documents, weights and
positions) and statistics, and every document's stored fields, field lengths
and columns, in the chunks' order."""

from __future__ import annotations

import shutil

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from archive.search.whoosh import engine as search
from archive.search.whoosh import merging

pytestmark = [pytest.mark.engines("whoosh"), pytest.mark.slow]  # Whoosh's internals, big merges


@pytest.fixture(scope="module")
def built(demo_archive, tmp_path_factory):
    """The demo archive built in 120-profile chunks: the merged index, and a
    copy of the chunks as they were before the merge."""
    kept = {}
    merge = merging.merge

    def keeping(ix, chunks):
        kept["folder"] = tmp_path_factory.mktemp("chunks") / "copy"
        shutil.copytree(ix.storage.folder, kept["folder"])
        kept["chunks"], kept["schema"] = list(chunks), ix.schema
        return merge(ix, chunks)

    patch = pytest.MonkeyPatch()
    patch.setattr(search, "PARALLEL_FROM", 100)
    patch.setattr(search, "BUILD_CHUNK", 120)
    patch.setattr(merging, "merge", keeping)
    try:
        folder = search.rebuild(demo_archive.db(), tmp_path_factory.mktemp("ix") / "ix")
    finally:
        patch.undo()
    return folder, kept


def _terms(reader) -> dict:
    """Every term's postings as Whoosh's own matchers read them, and its
    statistics."""
    found = {}
    for (fieldname, btext), info in reader._terms.items():
        matcher, ids, weights, values = reader.postings(fieldname, btext), [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value())
            matcher.next()
        found[fieldname, btext] = (
            ids,
            weights,
            values,
            info.doc_frequency(),
            info.min_length(),
            info.max_length(),
            info.max_weight(),
            info.min_id(),
            info.max_id(),
        )
    return found


def test_a_merged_segment_holds_what_its_chunks_held(built):
    folder, kept = built
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(folder))
    [segment] = ix._segments()
    storage = FileStorage(str(kept["folder"]))
    parts = [SegmentReader(storage, kept["schema"], chunk) for chunk in kept["chunks"]]
    whole = SegmentReader(ix.storage, ix.schema, segment)
    try:
        assert len(parts) >= 4
        assert whole.doc_count_all() == sum(p.doc_count_all() for p in parts)
        expected = {}
        for part in parts:  # each chunk's postings already number its documents in the whole
            for key, (ids, weights, values, df, low, high, top, first, last) in _terms(
                part
            ).items():
                if key not in expected:
                    expected[key] = (ids, weights, values, df, low, high, top, first, last)
                    continue
                was = expected[key]
                expected[key] = (
                    was[0] + ids,
                    was[1] + weights,
                    was[2] + values,
                    was[3] + df,
                    min(was[4], low),
                    max(was[5], high),
                    max(was[6], top),
                    was[7],
                    last,
                )
        assert _terms(whole) == expected
        docnum = 0
        for part in parts:
            for local in range(part.doc_count_all()):
                assert whole.stored_fields(docnum) == part.stored_fields(local)
                for fieldname in ("name", "story", "unit", "pinyin", "titles"):
                    assert whole.doc_field_length(docnum, fieldname) == part.doc_field_length(
                        local, fieldname
                    )
                docnum += 1
        for column in ("honoree", "year", "sort_key"):
            assert list(whole.column_reader(column)) == [
                v for part in parts for v in part.column_reader(column)
            ]
    finally:
        for reader in parts + [whole]:
            reader.close()
        ix.close()


def test_chunks_not_numbered_for_the_merge_are_refused(built):
    # out of order, a chunk's postings are not where the merge would put them
    _, kept = built
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(kept["folder"]))
    try:
        with pytest.raises(merging.CannotMerge):
            merging.merge(ix, kept["chunks"][::-1])
    finally:
        ix.close()
