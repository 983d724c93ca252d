"""Whoosh's analyzers of the archive's text: the shared analysis
(archive.search.analysis) wrapped as Whoosh tokenizers and a positions format.

Kept importable: Whoosh pickles the analyzer's class path into the index
schema, so an index built before these classes moved (they were in
archive.analysis) cannot be opened: the schema version was raised with the move,
which makes such an index stale and rebuilt. Nothing here holds a jieba instance
as an attribute (the schema would pickle it).
"""

from __future__ import annotations

from whoosh.analysis import Token, Tokenizer
from whoosh.formats import Positions

from ..analysis import WORD_RUN, cut, fold, index_positions, terms_of

_SINGLE: dict[int, bytes] = {}


class WordPositions(Positions):
    """Whoosh's Positions format (the same bytes), filled by
    :func:`index_positions` when the analyzer is ours: indexing a story is the
    largest part of a rebuild."""

    def word_values(self, value, analyzer, **kwargs):
        if not (
            isinstance(analyzer, ChineseTokenizer)
            and isinstance(value, str)
            and kwargs.get("mode") == "index"
            and not kwargs.get("start_pos")
        ):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for term, positions in index_positions(value).items():
            count = len(positions)
            yield term, count, count * boost, self.encode(positions)

    def encode(self, poslist):
        if len(poslist) == 1:  # most words of a story occur once
            position = poslist[0]
            value = _SINGLE.get(position)
            if value is None:
                value = _SINGLE[position] = super().encode(poslist)
            return value
        return super().encode(poslist)


class ChineseTokenizer(Tokenizer):
    """jieba words of folded text. Positions count words, so quoted phrases
    work; sub-words of a long word share its position. Character offsets point
    into the original text."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        indexing = mode == "index"
        for piece, start, end in cut(fold(value)):
            terms = terms_of(piece)
            if not terms:
                continue
            for part in terms if indexing else terms[:1]:
                token.original = token.text = part
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = position
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + end
                yield token
            position += 1


def ChineseAnalyzer():
    """The analyzer of the text fields (titles, unit, place, story)."""
    return ChineseTokenizer()


class BigramTokenizer(Tokenizer):
    """Overlapping character bigrams of folded text, one position each, so any
    fragment of two or more characters is a phrase of bigrams (南网, 供电局,
    the middle of a unit's name) whatever words the segmenter sees. Runs of
    word characters are kept apart by a gap of one position: no phrase spans
    punctuation or the space between unit and position."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        for match in WORD_RUN.finditer(fold(value)):
            run, base = match.group(), match.start()
            for i in range(len(run) - 1):
                token.original = token.text = run[i : i + 2]
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = position
                if chars:
                    token.startchar = start_char + base + i
                    token.endchar = start_char + base + i + 2
                yield token
                position += 1
            position += 1


def BigramAnalyzer():
    """The analyzer of the unit bigram field."""
    return BigramTokenizer()
