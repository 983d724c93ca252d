"""What archive.search.whoosh.patches changes in Whoosh: a segment's files are read
through views of its memory map, not copied into memory each time a reader
opens (a worker's memory, and the time to reopen a segment after an edit);
its terms table and stored fields are kept in memory once per process."""

from __future__ import annotations

import gc
import io
import mmap
import pickle
import random
from pathlib import Path

import pytest
from flask import current_app
from whoosh.reading import SegmentReader

from archive import search as archive_search
from archive.search.whoosh import engine as search
from archive.search.whoosh import patches as whoosh_patches
from archive.search.whoosh.patches import _ViewStream

pytestmark = pytest.mark.engines("whoosh")  # Whoosh's internals


def test_a_view_stream_reads_as_a_bytes_stream():
    rng = random.Random(3)
    data = b"".join(
        pickle.dumps(list(range(rng.randint(0, 50))), 2) + b"line\n" for _ in range(200)
    )
    view, copy = _ViewStream(memoryview(data)), io.BytesIO(data)
    for _ in range(2000):
        step = rng.choice(["read", "readline", "seek", "seek", "tell"])
        n = rng.randint(-1, 300)
        if step == "read":
            assert view.read(n) == copy.read(n)
        elif step == "readline":
            assert view.readline(n) == copy.readline(n)
        elif step == "seek":
            whence = rng.choice([0, 1, 2])
            offset = {0: n % len(data), 1: rng.randint(-copy.tell(), 200), 2: -rng.randint(0, 200)}[
                whence
            ]
            assert view.seek(offset, whence) == copy.seek(offset, whence)
        assert view.tell() == copy.tell()
    view.seek(0)
    copy.seek(0)
    assert list(view) == list(copy)


def _resident_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_opening_a_segment_does_not_copy_its_files(demo_archive):
    live, searcher = search._open(demo_archive.config["INDEX_DIR"])
    reader = next(r for r, _ in searcher.reader().leaf_readers())
    segment, storage = reader.segment(), live.ix.storage
    size = sum(
        storage.file_length(name)
        for name in storage.list()
        if name.startswith(segment.segment_id())
    )
    assert size > 1_000_000
    before = _resident_bytes()
    readers = [SegmentReader(storage, live.ix.schema, segment) for _ in range(20)]
    try:
        for opened in readers:
            assert opened.doc_count() == reader.doc_count()
            assert opened.stored_fields(0) == reader.stored_fields(0)
        # with a copy per reader, 20 readers would hold 20 copies of the segment
        assert _resident_bytes() - before < 2 * size
    finally:
        for opened in readers:
            opened.close()


def _segment_files(storage, segment, endings) -> int:
    files = segment.open_compound_file(storage)
    try:
        return sum(files.file_length(name) for name in files.list() if name.endswith(endings))
    finally:
        files.close()


def _small_index(folder):
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    ix = index.create_in(str(folder), Schema(id=ID(stored=True), body=TEXT))
    with ix.writer() as writer:
        for n in range(300):
            writer.add_document(id=str(n), body=f"劳动 模范 word{n} common")
    return ix


def test_readers_of_a_segment_share_one_kept_copy_of_its_terms_and_stored_fields(demo_archive):
    live, searcher = search._open(demo_archive.config["INDEX_DIR"])
    reader = next(r for r, _ in searcher.reader().leaf_readers())
    segment, storage = reader.segment(), live.ix.storage
    kept = _segment_files(storage, segment, whoosh_patches.RESIDENT_FILES)
    assert kept > 100_000
    before = whoosh_patches.resident_bytes()
    assert before >= kept
    readers = [SegmentReader(storage, live.ix.schema, segment) for _ in range(5)]
    try:
        for opened in readers:
            assert opened.doc_frequency("story", "劳动") == reader.doc_frequency("story", "劳动")
            assert opened.stored_fields(3) == reader.stored_fields(3)
        assert whoosh_patches.resident_bytes() == before  # no copy of their own
    finally:
        for opened in readers:
            opened.close()


def test_a_kept_copy_reads_as_the_file_and_goes_with_its_last_reader(tmp_path):
    ix = _small_index(tmp_path)
    before = whoosh_patches.resident_bytes()
    reader = ix.reader()
    assert whoosh_patches.resident_bytes() > before
    assert reader.doc_frequency("body", "word7") == 1
    assert reader.doc_frequency("body", "common") == 300
    assert reader.stored_fields(42) == {"id": "42"}
    reader.close()
    del reader
    gc.collect()
    assert whoosh_patches.resident_bytes() == before


def test_beyond_the_budget_files_are_read_through_the_map(tmp_path, monkeypatch):
    ix = _small_index(tmp_path)
    monkeypatch.setitem(current_app.config, "SEARCH_MEMORY_MB", 0)  # this test's app context
    before = whoosh_patches.resident_bytes()
    with ix.reader() as reader:
        assert whoosh_patches.resident_bytes() == before
        assert reader.doc_frequency("body", "word7") == 1
        assert reader.stored_fields(299) == {"id": "299"}


def test_postings_read_through_the_map_are_the_files_bytes(tmp_path):
    ix = _small_index(tmp_path)
    with ix.reader() as reader:
        segment = reader.segment()
        files = segment.open_compound_file(ix.storage)
        try:
            name = next(n for n in files.list() if n.endswith(".pst"))
            start, length = files.range(name)
            assert length > 3 * mmap.PAGESIZE  # reads of several pages
            mapped = files.open_file(name)
            assert isinstance(mapped, whoosh_patches._MappedFile)
            path = tmp_path / f"{segment.segment_id()}.seg"
            whole = path.read_bytes()[start : start + length]
            rng = random.Random(5)
            for _ in range(300):
                at = rng.randrange(length)
                n = rng.choice([1, 100, 5000, 20000, length])
                assert mapped.get(at, n) == whole[at : at + n]
            mapped.close()
        finally:
            files.close()


def test_the_apps_memory_setting_bounds_the_kept_copies(empty_archive, make_honoree):
    """SEARCH_MEMORY_MB is read from the app searching: with none to spare, a search
    keeps no copy (and answers all the same); another app of the process is not
    changed by it."""
    for i in range(20):
        make_honoree(name=f"预算人物{i}", story="预算测试事迹。" * 30)
    index_dir = Path(empty_archive.config["INDEX_DIR"])
    archive_search.rebuild(empty_archive.db(), index_dir)
    archive_search.forget(index_dir)
    before = whoosh_patches.resident_bytes()
    with empty_archive.app(SEARCH_MEMORY_MB=0).test_client() as client:
        names = [i["name"] for i in client.get("/api/v1/search?q=预算人物7").json["items"]]
    assert names == ["预算人物7"] and whoosh_patches.resident_bytes() == before
    archive_search.forget(index_dir)
    with empty_archive.app().test_client() as client:
        assert client.get("/api/v1/search?q=预算人物7").json["items"]
    assert whoosh_patches.resident_bytes() > before
