"""What archive.whoosh_patches changes in Whoosh: a segment's files are read
through views of its memory map, not copied into memory each time a reader
opens (a worker's memory, and the time to reopen a segment after an edit)."""

from __future__ import annotations

import io
import pickle
import random

from whoosh.reading import SegmentReader

from archive import search
from archive.whoosh_patches import _ViewStream


def test_a_view_stream_reads_as_a_bytes_stream():
    rng = random.Random(3)
    data = b"".join(pickle.dumps(list(range(rng.randint(0, 50))), 2) + b"line\n"
                    for _ in range(200))
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
            offset = {0: n % len(data), 1: rng.randint(-copy.tell(), 200),
                      2: -rng.randint(0, 200)}[whence]
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
    size = sum(storage.file_length(name) for name in storage.list()
               if name.startswith(segment.segment_id()))
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
