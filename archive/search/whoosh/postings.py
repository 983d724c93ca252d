"""A term's postings in one Whoosh segment as arrays, and what search does with
them at array speed: the documents holding the term (a bitmap) and their BM25F
scores.

Whoosh reads postings one document at a time through Python matchers, about a
microsecond a posting before any scoring. Here a term's blocks are decoded once
(the pickle of each block is the one cost left) into two numpy arrays, docnums
and weights; sets of documents stay Python ints used as bitmaps (bit n is
docnum n), which AND and OR at C speed.

The scores are Whoosh's own: the same BM25F formula over the same float64
operands in the same order (``whoosh.scoring.bm25``), so a page ranks exactly as
Whoosh's matchers would rank it.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import struct
import zlib
from itertools import chain
from typing import NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filetables import md5_hash
from whoosh.formats import Positions
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

_INT = struct.Struct("!i")
_SLOT = struct.Struct("!Iq")  # a hash table slot: the key's hash, where the key is
_LENGTHS = struct.Struct("!ii")  # before a key and its value: their lengths
_FIELD = struct.Struct("!H")  # a terms table key: the field's number, then the term


class Postings(NamedTuple):
    ids: np.ndarray  # docnums, ascending (deleted documents included)
    weights: np.ndarray  # the term's weight (frequency) in each, float64


EMPTY = Postings(np.zeros(0, np.int64), np.zeros(0))


def read(reader, fieldname: str, btext: bytes) -> Postings:
    """Every posting of a term in one segment reader (a whoosh3 segment)."""
    return _read(reader, fieldname, btext, None)


def read_with_values(reader, fieldname: str, btext: bytes) -> tuple[Postings, list[bytes]]:
    """A term's postings and each posting's value (its encoded positions)."""
    values: list[bytes] = []
    return _read(reader, fieldname, btext, values), values


def _read(reader, fieldname: str, btext: bytes, values: list | None) -> Postings:
    terms = getattr(reader, "_terms", None)
    if terms is None:  # an index without segments (Whoosh's EmptyReader)
        return EMPTY
    info = term_info(terms, fieldname, btext)
    if info is None:
        return EMPTY
    if info.is_inlined():
        ids, weights, inlined = info.inlined_postings()
        if values is not None:
            values.extend(inlined)
        return Postings(
            np.asarray(ids, np.int64),
            np.asarray([1.0 if w is None else w for w in weights], np.float64),
        )
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it unpacked
        length = length[0]
    # The term's blocks, read in one piece and taken apart here (what
    # W3LeafMatcher._goto and _read_data do block by block): after a 4-byte
    # tag, each block is its length (negative for the last), a pickled info
    # tuple (count, last id, max weight, compression, lengths) and its data,
    # a pickled (zlib-compressed) tuple of id deltas, weights and values.
    data = terms._postfile.get(offset, length)
    if data[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a whoosh3 posting list")
    stream = io.BytesIO(data)
    at = 4
    deltas: list[int] = []
    weights: list[float] = []
    previous = 0
    while at < len(data):
        size = abs(_INT.unpack_from(data, at)[0])
        stream.seek(at + 4)
        count, last, _, compression, _, _ = pickle.load(stream)
        block = data[stream.tell() : at + 4 + size]
        block_ids, block_weights, block_values = pickle.loads(
            zlib.decompress(block) if compression else block
        )
        if values is not None:
            values.extend(block_values)
        # one cumulative sum for all blocks: each block's first id is absolute
        deltas.append(block_ids[0] - previous)
        deltas.extend(block_ids[1:])
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            # Whoosh widens a block's single weight through a float32 array
            weights.extend([float(np.float32(block_weights))] * count)
        else:
            weights.extend(block_weights)
        previous = last
        at += 4 + size
    return Postings(np.cumsum(np.asarray(deltas, np.int64)), np.asarray(weights, np.float64))


def keep(reader, fieldnames) -> int:
    """Keeps the postings of ``fieldnames`` in one segment reader in memory
    (archive.whoosh_patches, ``_MappedFile.keep``); the bytes kept. A whoosh3
    segment writes its postings in the order of its terms table, field by
    field: a field's postings run from its first term's to the first term's of
    the next field. (Were that order ever different, reads outside the kept
    bytes would still come from the file.)"""
    terms = getattr(reader, "_terms", None)
    postfile = getattr(terms, "_postfile", None)
    if postfile is None or not hasattr(postfile, "keep"):
        return 0
    order = sorted(terms._fieldmap, key=terms._fieldmap.get)
    kept = 0
    for fieldname in fieldnames:
        if fieldname not in terms._fieldmap:
            continue
        start = _first_posting(terms, fieldname)
        later = order[order.index(fieldname) + 1 :]
        end = next(
            (at for at in map(lambda f: _first_posting(terms, f), later) if at is not None),
            len(postfile._buf),
        )
        if start is not None and postfile.keep(start, end):
            kept += end - start
    return kept


def _first_posting(terms, fieldname: str) -> int | None:
    """Where the postings of a field's first term not inlined start."""
    for (found, _), info in terms.items_from(fieldname, b""):
        if found != fieldname:
            return None
        if not info.is_inlined():
            return info.extent()[0]
    return None


def term_info(terms, fieldname: str, btext: bytes) -> W3TermInfo | None:
    """A term's entry in a whoosh3 segment's terms table, or None: what
    ``terms.term_info`` finds, looked up straight in the table's bytes (Whoosh's
    HashReader: the key's hash picks one of 256 tables and a slot, then slots
    are read in turn until the key or an empty slot), in a little over half
    the time of Whoosh's own lookup, which copies each slot it reads (a table
    not in a buffer, or hashed otherwise, is left to Whoosh)."""
    table = terms._tindex
    buf = getattr(table.dbfile, "_buf", None)
    if table.hashfn is not md5_hash or buf is None:
        try:
            return terms.term_info(fieldname, btext)
        except (KeyError, TermNotFound):
            return None
    number = terms._fieldmap.get(fieldname)
    if number is None:
        return None
    key = _FIELD.pack(number) + btext
    keyhash = int.from_bytes(hashlib.md5(key, usedforsecurity=False).digest()[-4:], "big")
    start, slots = table.tables[keyhash & 255]
    if not slots:
        return None
    end = start + slots * _SLOT.size
    at = start + (keyhash >> 8) % slots * _SLOT.size
    for _ in range(slots):
        slothash, item = _SLOT.unpack_from(buf, at)
        if not item:
            return None
        if slothash == keyhash:
            keylen, datalen = _LENGTHS.unpack_from(buf, item)
            begin = item + _LENGTHS.size
            if keylen == len(key) and buf[begin : begin + keylen] == key:
                return W3TermInfo.from_bytes(bytes(buf[begin + keylen : begin + keylen + datalen]))
        at += _SLOT.size
        if at == end:
            at = start
    return None


def positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Decoded positions of Whoosh ``Positions`` values: how many each holds,
    and all of them in order. One ``pickle.loads`` for the lot: each value is a
    4-byte count and a pickled list of position deltas, so the lists' pickle
    bodies, between one mark and a LIST opcode, unpickle as a list of lists."""
    if not values:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    try:
        lists = pickle.loads(b"\x80\x02(" + b"".join([v[6:-1] for v in values]) + b"l.")
        if len(lists) != len(values):
            raise ValueError("values not in the Positions format")
    except Exception:  # not the bytes expected: decode them one by one
        lists = [_deltas(Positions().decode_positions(v)) for v in values]
    counts = np.fromiter(map(len, lists), np.int64, len(lists))
    flat = np.fromiter(chain.from_iterable(lists), np.int64, int(counts.sum()))
    running = np.cumsum(flat)
    first = np.cumsum(counts) - counts  # where each value's deltas start
    before = running[first] - flat[first]  # the running sum before each value
    return counts, running - np.repeat(before, counts)


def _deltas(positions: list[int]) -> list[int]:
    return [p - q for p, q in zip(positions, [0] + positions[:-1], strict=True)]


_POSITION_BITS = 24  # a phrase key: docnum << 24 | position (stories stay far below 16M words)


def phrase_docs(
    words: list[str], found: dict[str, tuple[Postings, list[bytes]]], candidates: np.ndarray
) -> np.ndarray:
    """The docnums among ``candidates`` (a boolean array) where ``words`` stand
    at consecutive positions. Each document's positions become keys
    docnum << 24 | position - i for the phrase's i-th word; the phrase starts
    where every word has the same key: sorted-array intersections, no loop over
    documents."""
    keys: dict[str, np.ndarray] = {}
    for word in set(words):
        postings, values = found[word]
        keep = np.flatnonzero(candidates[postings.ids])
        counts, where = positions([values[i] for i in keep])
        keys[word] = (np.repeat(postings.ids[keep], counts) << _POSITION_BITS) | where
    shifted = sorted(((keys[word], i) for i, word in enumerate(words)), key=lambda k: len(k[0]))
    starts = None
    for word_keys, i in shifted:
        moved = word_keys[(word_keys & ((1 << _POSITION_BITS) - 1)) >= i] - i
        starts = moved if starts is None else np.intersect1d(starts, moved, assume_unique=True)
        if not len(starts):
            break
    return np.unique(starts >> _POSITION_BITS) if starts is not None else np.zeros(0, np.int64)


def bits_of(ids: np.ndarray, size: int) -> int:
    """Docnums as a bitmap."""
    if len(ids) <= 16:  # a few documents: cheaper than an array of the segment
        bits = 0
        for docnum in ids.tolist():
            bits |= 1 << docnum
        return bits
    mask = np.zeros(size, bool)
    mask[ids] = True
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")


def mask_of(bits: int, size: int) -> np.ndarray:
    """A bitmap as a boolean array of ``size`` documents."""
    raw = bits.to_bytes((size >> 3) + 1, "little")
    return np.unpackbits(np.frombuffer(raw, np.uint8), count=size, bitorder="little").view(bool)


def ids_of(bits: int, size: int) -> np.ndarray:
    """A bitmap's docnums, ascending."""
    return np.flatnonzero(mask_of(bits, size))


_LENGTH_OF_BYTE = np.array([byte_to_length(b) if b else 1 for b in range(256)], np.float64)


def field_lengths(reader, fieldname: str) -> np.ndarray:
    """Every document's length in a field as Whoosh's BM25F sees it
    (``searcher.doc_field_length(docnum, fieldname, 1)``), read from the
    segment's length column (a whoosh3 segment's) in one piece."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    size = reader.doc_count_all()
    if column is None:
        return np.ones(size + 1)
    if column._fixedlen != 1:
        raise ValueError("not a whoosh3 length column")
    raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), np.uint8)
    lengths = _LENGTH_OF_BYTE[raw[: size + 1]]
    if len(lengths) < size + 1:
        lengths = np.concatenate([lengths, np.ones(size + 1 - len(lengths))])
    return lengths


def bm25f(
    postings: Postings,
    docs: np.ndarray,
    wanted: np.ndarray,
    lengths: np.ndarray,
    idf: float,
    avgfl: float,
    B: float,
    K1: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Where in ``docs`` (ascending docnums, ``wanted`` marking those that may
    score) the term's postings are, and their scores there."""
    ids = postings.ids
    if not len(ids) or not len(docs):
        return np.zeros(0, np.int64), np.zeros(0)
    at = np.minimum(np.searchsorted(ids, docs), len(ids) - 1)
    held = np.flatnonzero((ids[at] == docs) & wanted)
    return held, bm25(postings.weights[at[held]], lengths[docs[held]], idf, avgfl, B, K1)


def bm25(
    tf: np.ndarray, fl: np.ndarray, idf: float, avgfl: float, B: float, K1: float
) -> np.ndarray:
    """``whoosh.scoring.bm25`` element by element: the same float64 operations
    in the same order, so the same scores to the last bit."""
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
