"""The four places where this archive changes how Whoosh (whoosh-reloaded)
works, applied once on import. All change cost, not results; re-check them
when Whoosh is upgraded (tests/search/test_postings.py reads both pickle protocols,
tests/search/test_whoosh_patches.py opens segments through the views and the kept
copies).

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

3. A segment's terms table and stored fields are kept in process memory, one
   copy per segment shared by all its readers, up to ``RESIDENT_BUDGET``
   bytes (the app's SEARCH_MEMORY_MB; at 100,000 profiles 133 MB with the
   postings kept under 4). Every query looks its words up in each
   segment's terms table, and every results page reads its documents' stored
   fields, at random places in files too large to stay cached on a host that
   reclaims idle file pages: on this machine (a pageout policy for pages idle
   about 6 s) the first name queries after a pause read 143 KB from disk
   each, at about 0.1 ms for every 4 KB, and took twice as long (bench.search
   reports the reads per type). Memory that is not a file's stays put.

4. The postings, the bulk of a segment, are read through the map, told that
   they are read at random places (``MADV_RANDOM``): a page missing from the
   cache is read alone, not with the 128 KB around it (0.3 against 1.6 ms a
   read here). A read of more than a page asks for just its pages at once
   first (``MADV_WILLNEED``), so a long postings list is still one request.
   Parts of the postings can be kept in memory too (``_MappedFile.keep``:
   archive.search keeps every field's but the stories').
"""

from __future__ import annotations

import mmap
import os
import pickle
import threading
import weakref

from flask import current_app, has_app_context
from whoosh.codec import whoosh3
from whoosh.filedb import compound, structfile
from whoosh.filedb.filestore import StorageError


def _dumps_protocol_4(value, protocol=2) -> bytes:
    return pickle.dumps(value, 4)


class _ViewStream:
    """A read-only file over a buffer (a memoryview of the segment's map)
    without copying it: what ``BytesIO(buffer)`` offers to Whoosh's readers."""

    def __init__(self, buffer):
        self._view = memoryview(buffer).cast("B")
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._at + size)
        data = self._view[self._at : end].tobytes()
        self._at = max(self._at, end)
        return data

    def readline(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._at + size)
        at = self._at
        while at < end:
            chunk = self._view[at : min(end, at + 4096)].tobytes()
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


RESIDENT_FILES = (".trm", "_stored.col")  # in a segment: its terms table, stored fields
RESIDENT_BUDGET = 256 << 20  # bytes of such copies in a process outside an app (SEARCH_MEMORY_MB)


class _Resident(bytearray):
    """A copy of part of a segment file (a bytearray that can be referred to
    weakly: it lives as long as some reader's view of it)."""


_resident: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_resident_lock = threading.Lock()
_mapped_init = compound.CompoundStorage.__init__
_mapped_open_file = compound.CompoundStorage.open_file


def _compound_init(self, dbfile, use_mmap=True, basepos=0):
    """Whoosh's, noting which file on disk the segment is (copies are shared
    by that identity: a segment file is never changed in place)."""
    try:
        found = os.fstat(dbfile.fileno())
        self._archive_file = (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)
    except (AttributeError, OSError, ValueError):
        self._archive_file = None
    _mapped_init(self, dbfile, use_mmap, basepos)
    if self._source and hasattr(self._source, "madvise"):
        self._source.madvise(mmap.MADV_RANDOM)


def _compound_open_file(self, name, *args, **kwargs):
    if self.is_closed:
        raise StorageError("Storage was closed")
    identity = getattr(self, "_archive_file", None)
    if not (self._source and identity and hasattr(self._source, "madvise")):
        return _mapped_open_file(self, name, *args, **kwargs)
    offset, length = self.range(name)
    opened = _MappedFile(self._source, offset, length, name, identity)
    if name.endswith(RESIDENT_FILES):
        opened.keep(0, length)
    return opened


class _MappedFile(structfile.BufferFile):
    """A file of a segment read through the segment's map, each read of more
    than a page asked for in one piece before it is copied; parts of it, or
    all of it, may be kept in memory (:meth:`keep`)."""

    def __init__(self, source: mmap.mmap, offset: int, length: int, name: str, identity: tuple):
        super().__init__(memoryview(source)[offset : offset + length], name=name)
        self._map, self._offset, self._identity = source, offset, identity
        self._kept: list[tuple[int, int, memoryview]] = []

    def keep(self, start: int, end: int) -> bool:
        """Keeps bytes ``start`` to ``end`` of the file in memory (one copy per
        process, within RESIDENT_BUDGET): reads that fall inside are served
        from the copy; kept whole, the file is the copy. False when the budget
        is spent."""
        if self._map is None:
            return True  # kept whole already
        start, end = max(0, start), min(len(self._buf), end)
        if end <= start:
            return True
        kept = _resident_copy(
            (*self._identity, self._name, start, end), self._map, self._offset + start, end - start
        )
        if kept is None:
            return False
        if (start, end) == (0, len(self._buf)):
            self._buf, self._map, self._kept = memoryview(kept), None, []
        else:
            self._kept.append((start, end, memoryview(kept)))
        return True

    def get(self, position: int, length: int) -> bytes:
        for start, end, view in self._kept:
            if start <= position and position + length <= end:
                return bytes(view[position - start : position - start + length])
        if length > mmap.PAGESIZE and self._map is not None:
            start = self._offset + position
            aligned = start - start % mmap.PAGESIZE
            self._map.madvise(mmap.MADV_WILLNEED, aligned, start + length - aligned)
        return bytes(self._buf[position : position + length])


def _resident_copy(key: tuple, source: mmap.mmap, offset: int, length: int) -> _Resident | None:
    """The process's copy of ``length`` bytes of a segment file's map at
    ``offset``, made on first use while the copies held stay within
    RESIDENT_BUDGET."""
    with _resident_lock:
        kept = _resident.get(key)
        if kept is None:
            if _held() + length > budget():
                return None
            kept = _Resident(length)
            kept[:] = memoryview(source)[offset : offset + length]
            _resident[key] = kept
        return kept


def budget() -> int:
    """Bytes of copies this process may hold: the app's SEARCH_MEMORY_MB setting, or
    RESIDENT_BUDGET outside an app."""
    if has_app_context():
        return int(current_app.config.get("SEARCH_MEMORY_MB", 256)) << 20
    return RESIDENT_BUDGET


def resident_bytes() -> int:
    """Bytes of segment files this process holds copies of."""
    with _resident_lock:
        return _held()


def _held() -> int:
    """resident_bytes(), the lock held."""
    return sum(len(copy) for copy in list(_resident.values()))


# applied once, when this module is first imported (archive.search imports it)
whoosh3.dumps = _dumps_protocol_4
structfile.BufferFile.__init__ = _buffer_file_init
structfile.BufferFile.file = property(_buffer_file_stream)
structfile.BufferFile.close = _buffer_file_close
compound.CompoundStorage.__init__ = _compound_init
compound.CompoundStorage.open_file = _compound_open_file
