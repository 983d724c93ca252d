"""Snippets: the part of a profile's text where the query's words are densest,
HTML-escaped, the words marked. Engine-independent: every engine's results page
cuts its snippets here."""

from __future__ import annotations

import re
from bisect import bisect_left

from markupsafe import Markup, escape

from . import analysis

_MARKDOWN_LINE = re.compile(r"^[ \t]{0,3}(?:#{1,6}|>+|[-*+]|\d+\.)[ \t]+", re.M)
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_EMPHASIS = re.compile(r"\*\*|__|`")


SNIPPET_WIDTH = 90  # characters


def snippet_text(text: str | None) -> str:
    """What snippets are cut from: the text without Markdown marks, its
    whitespace runs made single spaces."""
    text = text or ""
    # each expression only where its marks occur (scanning for a character is
    # much cheaper than running the expression over a long story)
    if any(mark in text for mark in "#>-*+."):
        text = _MARKDOWN_LINE.sub("", text)
    if "[" in text:
        text = _MARKDOWN_LINK.sub(r"\1", text)
    if any(mark in text for mark in "*_`"):
        text = _MARKDOWN_EMPHASIS.sub("", text)
    return " ".join(text.split())


def snippet(text: str, terms: list[str], width: int = SNIPPET_WIDTH) -> Markup | None:
    """The part of ``text`` where the query's words are densest, HTML-escaped,
    the words wrapped in <mark>."""
    return window(snippet_text(text), terms, width)


def window(
    text: str, terms: list[str], width: int = SNIPPET_WIDTH, more: bool = False
) -> Markup | None:
    """snippet() of a text already made snippet_text; ``more``: the text is the
    opening of a longer one (an ellipsis ends every window)."""
    if not text:
        return None
    spans = _spans(analysis.folded_for(text, terms), terms)
    if not spans:
        return None
    best_start = _best_start(spans, width)
    end = min(len(text), best_start + width)
    pieces, at = ["…" if best_start > 0 else ""], best_start
    for s, e in _marks(spans, best_start, end):
        pieces += [escape(text[at:s]), "<mark>", escape(text[s:e]), "</mark>"]
        at = e
    pieces += [escape(text[at:end]), "…" if end < len(text) or more else ""]
    return Markup("".join(pieces))


def _spans(folded: str, terms: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of the terms' occurrences, at most 200."""
    spans = []
    for term in terms:
        start = folded.find(term)
        while start != -1 and len(spans) < 200:
            spans.append((start, start + len(term), term))
            start = folded.find(term, start + len(term))
    return spans


def _best_start(spans: list[tuple[int, int, str]], width: int) -> int:
    """Where the window holding the most distinct terms starts, the first one
    found on ties."""
    starts = {t: sorted(s for s, _, u in spans if u == t) for t in {t for _, _, t in spans}}
    best_start, best_score = 0, -1
    for anchor, _, _ in spans:
        begin = max(0, anchor - width // 4)
        score = sum(
            1
            for t, at in starts.items()
            if (i := bisect_left(at, begin)) < len(at) and at[i] + len(t) <= begin + width
        )
        if score > best_score:
            best_start, best_score = begin, score
            if score == len(starts):
                break
    return best_start


def _marks(spans: list[tuple[int, int, str]], begin: int, end: int) -> list[list[int]]:
    """The spans within [begin, end), adjacent or overlapping ones as one mark."""
    chosen: list[list[int]] = []
    for s, e in sorted((s, e) for s, e, _ in spans if s >= begin and e <= end):
        if chosen and s <= chosen[-1][1]:
            chosen[-1][1] = max(chosen[-1][1], e)
        else:
            chosen.append([s, e])
    return chosen
