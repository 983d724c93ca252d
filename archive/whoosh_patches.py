"""The two places where this archive changes how Whoosh (whoosh-reloaded)
works, applied once on import. Both change cost, not results; re-check them
when Whoosh is upgraded (tests/test_postings.py reads both pickle protocols,
tests/test_search_index.py opens segments through the views).

1. Posting blocks are pickled with protocol 4 instead of 2. With protocol 2
   each posting's positions (a bytes value) unpickle through a codecs call:
   reading a story word's block costs about 110 µs that way and 10 µs with
   protocol 4's bytes opcodes. Whoosh reads any protocol; only what is written
   changes.

2. A segment's files are read through views of the segment's memory map.
   Whoosh opens each file inside a segment as a ``BufferFile`` over the map and
   wraps it in a ``BytesIO`` at once, which copies the file: a worker that had
   run the bench's queries on the 100,000-profile index (334 MiB) was resident
   at 901 MB with the copies and 414 MB without, and reopening a segment after
   an edit (its deletions changed) copied its 105 MB again (about 65 ms). The
   few files read as streams (a terms table's header) are read through
   ``_ViewStream`` instead, which copies only what is read.
"""

from __future__ import annotations

import pickle

from whoosh.codec import whoosh3
from whoosh.filedb import structfile


def _dumps_protocol_4(value, protocol=2) -> bytes:
    return pickle.dumps(value, 4)


class _ViewStream:
    """A read-only file over a buffer (a memoryview of the segment's map)
    without copying it: what ``BytesIO(buffer)`` offers to Whoosh's readers."""

    def __init__(self, buffer):
        self._view = memoryview(buffer).cast("B")
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view),
                                                                    self._at + size)
        data = self._view[self._at:end].tobytes()
        self._at = max(self._at, end)
        return data

    def readline(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view),
                                                                    self._at + size)
        at = self._at
        while at < end:
            chunk = self._view[at:min(end, at + 4096)].tobytes()
            found = chunk.find(b"\n")
            if found >= 0:
                return self.read(at + found + 1 - self._at)
            at += len(chunk)
        return self.read(end - self._at)

    def __iter__(self):
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._at, 2: len(self._view)}[whence]
        self._at = max(0, base + offset)
        return self._at

    def tell(self) -> int:
        return self._at

    def close(self) -> None:
        self._view = memoryview(b"")


def _buffer_file_init(self, buf, name=None, onclose=None):
    self._buf = buf
    self._name = name
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def _buffer_file_stream(self):
    stream = self.__dict__.get("_stream")
    if stream is None:
        stream = self.__dict__["_stream"] = _ViewStream(self._buf)
    return stream


def _buffer_file_close(self):
    if self.is_closed:
        raise Exception("This file is already closed")
    if self.onclose:
        self.onclose(self)
    stream = self.__dict__.pop("_stream", None)
    if stream is not None:
        stream.close()
    self.is_closed = True


# applied once, when this module is first imported (archive.search imports it)
whoosh3.dumps = _dumps_protocol_4
structfile.BufferFile.__init__ = _buffer_file_init
structfile.BufferFile.file = property(_buffer_file_stream)
structfile.BufferFile.close = _buffer_file_close
