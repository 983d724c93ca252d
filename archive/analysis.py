"""Whoosh analyzers for Chinese text. Kept importable: Whoosh pickles the
analyzer's class path into the index schema."""

from __future__ import annotations

import jieba
from whoosh.analysis import LowercaseFilter, Token, Tokenizer

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise


class ChineseTokenizer(Tokenizer):
    """jieba words, with positions counted in words (so phrase queries work)
    and character offsets for highlighting."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        for word, start, end in jieba.tokenize(value, mode="search" if mode == "index" else "default"):
            if not word.strip():
                continue
            token.original = token.text = word
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            position += 1
            yield token


def ChineseAnalyzer():
    return ChineseTokenizer() | LowercaseFilter()
