"""Chinese text analysis for search: traditional→simplified folding, jieba words
counted by position, character bigrams of units.

Analysis is a pure function of the text and a versioned dictionary: jieba's own
dictionary plus the archive's word list (``search_words.txt``: general honour
titles, workplace, organisation and industry words), loaded once, in file
order, when this module is imported. Nothing learns words at run time (not from
the database, not from what a process has indexed), so every process cuts the
same text into the same words, whatever it did before. ``DICTIONARY_VERSION``
(a hash of both files) is part of every engine's index version: a
changed dictionary makes the index stale, and only a rebuild (a new
generation) brings it in.

Shared by every engine (archive.search.whoosh, archive.search.tantivy): nothing
here imports an engine. The Whoosh analyzers built on these functions are in
archive.search.whoosh.analyzers. The segmenter is a module global.

Folding uses OpenCC's character table (TSCharacters, shipped by
opencc-python-reimplemented) compiled into one ``str.translate`` table: every
entry maps one character to one character, so offsets in the folded text are
offsets in the original (snippets rely on this), and folding runs at C speed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import jieba
import jieba_fast_dat

jieba.setLogLevel(60)  # both print their dictionary loading to stderr otherwise
jieba_fast_dat.setLogLevel(60)

STOP_WORDS = frozenset(
    "的 了 和 与 及 是 在 也 把 被 就 都 而 并 等 之 其 这 那 着 为 对 从 以 于".split()
)
_WORD = re.compile(r"\w", re.UNICODE)
_CONTROL = dict.fromkeys(i for i in range(0x20) if chr(i) not in "\t\n\r")


def _fold_table() -> dict[int, int]:
    import opencc

    table: dict[int, int] = {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
            table[ord(parts[0])] = ord(parts[1])
    # Full-width letters and digits as their ASCII forms (ＡＢＣ１２３ → ABC123).
    for code in range(0xFF01, 0xFF5F):
        table[code] = code - 0xFEE0
    table[0x3000] = 0x20
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Traditional characters as simplified, full-width as ASCII, lower case.
    Keeps the length: offsets in the result are offsets in ``text``."""
    return text.translate(_FOLD).lower()


def _variants() -> dict[str, frozenset[str]]:
    """Character → the other characters that fold to it (繁 forms, full-width
    and upper-case letters and digits, full-width punctuation)."""
    variants: dict[str, set[str]] = {}
    for key, value in _FOLD.items():
        variants.setdefault(chr(value).lower(), set()).add(chr(key))
    for code in range(ord("A"), ord("Z") + 1):
        variants.setdefault(chr(code).lower(), set()).add(chr(code))
    return {target: frozenset(found) for target, found in variants.items()}


_VARIANTS = _variants()


def folded_for(text: str, needles: Iterable[str]) -> str:
    """A text in which ``needles`` (folded words) are found at the offsets
    where ``fold(text)`` holds them: ``text`` itself unless it holds a
    character that folds to one of theirs. Searching simplified text costs a few
    scans for the needles' traditional and full-width forms instead of folding
    every character (about 0.15 ms for a long story)."""
    for char in set("".join(needles)):
        others = _VARIANTS.get(char)
        if others is None:
            if char.isascii() or char.upper() == char:
                continue
            others = {char.upper(), char.title()}
        for other in others:
            if other in text:
                return fold(text)
    return text


def clean(text: str) -> str:
    """Visitor input made safe to analyse: no control characters, NFC."""
    return unicodedata.normalize("NFC", text or "").translate(_CONTROL)


# --- the segmenter -----------------------------------------------------------
#
# jieba's words, segmented by jieba_fast_dat (jieba's algorithm in C++, about
# seven times faster) loaded with jieba's own dictionary. The one place the two
# differ is a run of letters, digits, points and percent signs, which jieba's
# HMM step cuts with a regular expression (0.8% stays whole): the run is cut
# here with that same expression. tests/search/test_segmenter.py holds the two equal.

_JIEBA_DICTIONARY = Path(jieba.__file__).parent / "dict.txt"
ARCHIVE_WORDS = Path(__file__).parent / "search_words.txt"
_ALNUM_RUN = re.compile(r"[A-Za-z0-9.%]+")
_JIEBA_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")  # jieba.finalseg.re_skip


def archive_words() -> list[str]:
    """The archive's word list, folded, in file order (comments and blank
    lines skipped)."""
    found = []
    for line in ARCHIVE_WORDS.read_text(encoding="utf-8").splitlines():
        word = fold(line.split("#", 1)[0].strip())
        if len(word) >= 2 and " " not in word:
            found.append(word)
    return found


def teach(tokenizer) -> None:
    """Add the archive's words to a jieba (or jieba_fast_dat) tokenizer: each
    word's frequency raised just enough to keep it whole, in file order (so the
    result depends on the two dictionary files only)."""
    for word in archive_words():
        tokenizer.suggest_freq(word, tune=True)


def _dictionary_version() -> str:
    digest = hashlib.sha256()
    for path in (_JIEBA_DICTIONARY, ARCHIVE_WORDS):
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


DICTIONARY_VERSION = _dictionary_version()
_segmenter = jieba_fast_dat.Tokenizer(str(_JIEBA_DICTIONARY))
# Loaded now, not on first use: jieba_fast_dat cuts text before its dictionary
# is loaded (by characters and HMM alone), which would make a process's words
# depend on what it did first.
_segmenter.initialize()
teach(_segmenter)


def initialize() -> None:
    """The dictionary is loaded at import; kept for callers (gunicorn's
    on_starting) that load it before forking."""
    _segmenter.initialize()


def cut(text: str) -> Iterator[tuple[str, int, int]]:
    """jieba's default mode: (word, start, end) of every piece of ``text``."""
    at, run_start = 0, -1
    for word in _segmenter.lcut(text):
        end = at + len(word)
        if word.isascii() and _ALNUM_RUN.fullmatch(word):
            if run_start < 0:
                run_start = at
        else:
            if run_start >= 0:
                yield from _cut_run(text, run_start, at)
                run_start = -1
            yield word, at, end
        at = end
    if run_start >= 0:
        yield from _cut_run(text, run_start, at)


def _cut_run(text: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    at = start
    for piece in _JIEBA_SKIP.split(text[start:end]):
        if piece:
            yield piece, at, at + len(piece)
            at += len(piece)


def _is_word(text: str) -> bool:
    return bool(_WORD.search(text))


def segments(text: str) -> Iterator[tuple[str, int, int]]:
    """(word, start, end) of folded ``text`` in jieba's default mode, without
    stop words and punctuation."""
    for piece, start, end in cut(text):
        terms = terms_of(piece)
        if terms:
            yield terms[0], start, end


def words(text: str) -> list[str]:
    """The words of a query, as the index holds them."""
    return [w for w, _, _ in segments(fold(clean(text)))]


def _subwords(word: str) -> list[str]:
    """Dictionary words inside a long word (what jieba's search mode adds), so a
    part (主轴) finds the whole (精密主轴) without breaking phrase positions."""
    found = []
    if len(word) > 2:
        freq = _segmenter.get_freq
        for size in range(2, min(len(word) - 1, 10) + 1):
            for i in range(len(word) - size + 1):
                part = word[i : i + size]
                if freq(part):
                    found.append(part)
    return found


# --- indexing fast path -------------------------------------------------------------

_index_terms: dict[str, tuple[str, ...]] = {}


def terms_of(piece: str) -> tuple[str, ...]:
    """The index terms one segmenter piece stands for at its position: the word
    and its sub-words, or nothing for a stop word or punctuation. Cached: pieces
    repeat across profiles."""
    terms = _index_terms.get(piece)
    if terms is None:
        word = piece.strip()
        if word and _is_word(word) and word not in STOP_WORDS:
            terms = (word, *_subwords(word))
        else:
            terms = ()
        if len(_index_terms) < 500_000:
            _index_terms[piece] = terms
    return terms


def index_positions(text: str) -> dict[str, list[int]]:
    """Term → word positions of ``text`` as indexed: each word and its
    sub-words at the word's position (stop words and punctuation take none)."""
    found: dict[str, list[int]] = {}
    position = 0
    for piece, _, _ in cut(fold(text)):
        terms = terms_of(piece)
        if terms:
            for term in terms:
                if term in found:
                    found[term].append(position)
                else:
                    found[term] = [position]
            position += 1
    return found


# --- character bigrams ------------------------------------------------------------

WORD_RUN = re.compile(r"\w+")


def bigrams(text: str) -> list[list[str]]:
    """The character bigrams of each run of word characters of folded ``text``
    (a run of one character: none)."""
    return [[run[i : i + 2] for i in range(len(run) - 1)] for run in WORD_RUN.findall(fold(text))]
