"""One segment from a parallel build's chunks, at the speed of copying.

A rebuild of a large archive writes its profiles in chunks, in parallel
processes (archive.search). A query pays per segment (a terms-table lookup and
a postings read for each of its words in each), so the chunks become one
segment before the index goes live.

Whoosh's own merge (``add_reader``) feeds every posting back through its
posting pool and sorts them all again: minutes at 100,000 profiles. It need not
here: the chunks hold consecutive profiles, and each chunk's postings already
number its documents from the chunk's place in the merged segment (the build
writes them so). A term's merged postings are then its blocks in each chunk,
copied byte for byte one after the other (only the end-of-list mark moves to
the last chunk's last block), and its statistics are combined in the terms
table's own bytes. The documents' data (stored fields, field lengths, columns)
is copied by Whoosh's ``write_per_doc``.
"""

from __future__ import annotations

import heapq
import struct
from itertools import groupby

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.reading import SegmentReader
from whoosh.system import pack_ushort
from whoosh.writing import SegmentWriter

_INT = struct.Struct("!i")
# A whoosh3 terms table value (W3TermInfo.to_bytes) of postings not inlined:
# flags, total weight, document frequency, min and max length (as bytes), max
# weight, first and last document, then where the postings are and their length.
_INFO = struct.Struct("!BfIBBfIIqi")
_NO_ID = 0xFFFFFFFF


class CannotMerge(ValueError):
    """Chunks this module cannot merge: the build fails, and the live index
    stays as it was."""


def merge(ix, chunks: list) -> object:
    """A new segment of ``ix`` holding the documents of ``chunks`` (segments
    not in the index's list, none with deletions, each one's postings numbered
    from the documents of the chunks before it), in their order."""
    readers = [SegmentReader(ix.storage, ix.schema, chunk) for chunk in chunks]
    writer = SegmentWriter(ix, _lk=False)
    try:
        if any(reader.has_deletions() for reader in readers):
            raise CannotMerge("a chunk has deleted documents")
        fieldnames = set(ix.schema.names())
        places = []
        for reader in readers:
            places.append((writer.docnum, writer.docnum + reader.doc_count_all()))
            writer.write_per_doc(fieldnames, reader)
        _merge_postings(writer.fieldwriter, [reader._terms for reader in readers], places)
        writer._close_segment()
        writer._assemble_segment()
        segment = writer.get_segment()
    except BaseException:
        writer.cancel()  # closes its files and removes its temporary folder
        raise
    finally:
        for reader in readers:
            reader.close()
    writer._finish()  # removes its temporary folder (it holds no lock)
    return segment


def _terms(terms, part: int):
    """(fieldname, term, part, terminfo bytes) of a chunk's terms table, in
    order (fields in name order: the order Whoosh's writer numbers them)."""
    unmap = terms._fieldunmap
    for key, value in terms._tindex.items():
        yield unmap[int.from_bytes(key[:2], "big")], key[2:], part, value


def _merge_postings(fieldwriter, parts: list, places: list[tuple[int, int]]) -> None:
    postfile, table, fieldmap = fieldwriter._postfile, fieldwriter._tindex, fieldwriter._fieldmap
    merged = heapq.merge(*(_terms(terms, part) for part, terms in enumerate(parts)))
    for (fieldname, btext), group in groupby(merged, key=lambda item: item[:2]):
        if fieldname not in fieldmap:
            fieldmap[fieldname] = len(fieldmap)
        pieces = [(part, value) for _, _, part, value in group]
        start = postfile.tell()
        postfile.write(WHOOSH3_HEADER_MAGIC)
        infos = []
        for i, (part, value) in enumerate(pieces):
            if value[0] or len(value) != _INFO.size:
                raise CannotMerge(f"inlined postings: {fieldname}:{btext!r}")
            info = _INFO.unpack(value)
            low, high = places[part]
            if not low <= info[6] <= info[7] < high:
                raise CannotMerge(f"postings not numbered for the merge: {fieldname}:{btext!r}")
            data = parts[part]._postfile.get(info[8], info[9])
            if data[:4] != WHOOSH3_HEADER_MAGIC:
                raise CannotMerge("not a whoosh3 posting list")
            postfile.write(data[4:] if i == len(pieces) - 1 else _not_last(data))
            infos.append(info)
        table.add(
            pack_ushort(fieldmap[fieldname]) + btext,
            _combined(infos, start, postfile.tell() - start),
        )


def _not_last(data: bytes) -> bytes:
    """A term's blocks from one chunk (``data`` after its 4-byte tag), its last
    block no longer marked last (a whoosh3 block's length is negative in the
    last block of a list)."""
    at = 4
    while True:
        size = _INT.unpack_from(data, at)[0]
        if size < 0:
            return b"".join([data[4:at], _INT.pack(-size), data[at + 4 :]])
        at += 4 + size


def _combined(infos: list[tuple], offset: int, length: int) -> bytes:
    """A term's terms-table value from those of its pieces, in order: weights
    and frequencies summed (the weight as W3TermInfo sums it), lengths and
    weights at their extremes (a length byte grows with the length)."""
    weight = 0.0
    for info in infos:
        weight += info[1]
    return _INFO.pack(
        0,
        weight,
        sum(info[2] for info in infos),
        min(info[3] for info in infos),
        max(info[4] for info in infos),
        max(info[5] for info in infos),
        infos[0][6],
        infos[-1][7],
        offset,
        length,
    )
