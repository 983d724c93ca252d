"""Chinese line breaking for print: lines measured with the font's own widths, then
the rules of Chinese typesetting (标点符号行首行尾禁则, GB/T 15834 and the W3C
"Requirements for Chinese Text Layout"):

* no line starts with closing punctuation (。，、；：？！）》」』” …);
* no line ends with opening punctuation (（《「『“ …);
* an ellipsis (……) or a dash (——) is never split.

A breach is repaired first by pushing the punctuation up into the line it
belongs to (挤压: full-width punctuation has half an em of blank, so the line is
squeezed by at most that), otherwise by pulling the previous character down to
the next line. Lines are then justified on both sides by the drawing code.

Pure functions: a ``measure(text) -> width`` callable in, lines out. No fpdf here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

NOT_AT_START = frozenset("。，、；：？！）》」』”’〕】〉〗｝］｠.,;:?!)]}%‰℃")
NOT_AT_END = frozenset("（《「『“‘〔【〈〖｛［｟([{")
# full-width punctuation whose glyph leaves half an em blank: it can be squeezed
SQUEEZABLE = frozenset("。，、；：？！）》」』”’〕】〉〗")

_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:/@%+_&'\-]*|…+|—+|[ \t]+|.")

Measure = Callable[[str], float]


@dataclass(frozen=True)
class Line:
    """One typeset line: its text, its natural width, how wide it should be set,
    where it starts (the paragraph indent) and whether it ends a paragraph (a last
    line is set ragged, every other line is justified to ``target``)."""

    text: str
    width: float
    target: float
    indent: float
    last: bool

    def spacing(self, most: float) -> float:
        """The extra space between characters that justifies this line (negative
        when punctuation was squeezed in), or 0 if that would exceed ``most``."""
        gaps = len(self.text) - 1
        if self.last or gaps <= 0:
            return min(0.0, (self.target - self.width) / max(gaps, 1))
        extra = (self.target - self.width) / gaps
        return extra if abs(extra) <= most else 0.0


def tokens(text: str) -> list[str]:
    """Break opportunities: Latin words and numbers stay whole, runs of …… and ——
    stay whole, every other character is its own token."""
    return _TOKENS.findall(text)


def break_lines(
    text: str,
    measure: Measure,
    width: float,
    *,
    em: float,
    indent: float = 0.0,
    kinsoku: bool = True,
    squeeze: float = 0.5,
) -> list[Line]:
    """``text`` (paragraphs separated by newlines) set into lines of ``width``.

    ``em`` is the font size in the same unit as ``width``; ``indent`` is the first
    line's indent of each paragraph (two characters is ``2 * em``); ``squeeze`` is
    how much of an em one full-width punctuation mark may be compressed. With
    ``kinsoku=False`` the lines are broken greedily (for comparison in tests)."""
    lines: list[Line] = []
    for paragraph in text.split("\n"):
        lines.extend(_paragraph(paragraph.strip(), measure, width, em, indent, kinsoku, squeeze))
    return lines


def _paragraph(
    text: str,
    measure: Measure,
    width: float,
    em: float,
    indent: float,
    kinsoku: bool,
    squeeze: float,
) -> list[Line]:
    if not text:
        return [Line("", 0.0, width, 0.0, True)]
    toks: list[str] = []
    for token in tokens(text):  # a token wider than a line is broken into characters
        toks.extend(token if len(token) > 1 and measure(token) > width - indent else [token])
    widths = [measure(t) for t in toks]
    out: list[Line] = []
    start, first = 0, True
    while start < len(toks):
        offset = indent if first else 0.0
        avail = width - offset
        end, used = start, 0.0
        while end < len(toks) and (end == start or used + widths[end] <= avail):
            used += widths[end]
            end += 1
        if end < len(toks) and kinsoku:
            end = _repair(toks, widths, start, end, avail, em, squeeze)
        line = "".join(toks[start:end]).rstrip()
        out.append(Line(line, measure(line), avail, offset, end >= len(toks)))
        start, first = end, False
        while start < len(toks) and toks[start].isspace():
            start += 1
    return out


def _starts_closed(token: str) -> bool:
    return token[:1] in NOT_AT_START


def _ends_open(token: str) -> bool:
    return token[-1:] in NOT_AT_END


def _repair(
    toks: list[str],
    widths: list[float],
    start: int,
    end: int,
    avail: float,
    em: float,
    squeeze: float,
) -> int:
    """The break after ``toks[start:end]`` moved so that neither rule is broken."""
    if _starts_closed(toks[end]):
        # push up: the closing marks join this line if squeezing absorbs them
        after = end
        while after < len(toks) and _starts_closed(toks[after]):
            after += 1
        allowance = sum(squeeze * em for t in toks[end:after] if t in SQUEEZABLE)
        if sum(widths[start:after]) - avail <= allowance + 1e-9 and (
            after >= len(toks) or not _ends_open(toks[after - 1])
        ):
            return after
    # pull down: give characters to the next line until both rules hold
    k = end
    while k > start + 1 and (
        _starts_closed(toks[k])
        or _ends_open(toks[k - 1])
        or toks[k].isspace()
        and _ends_open(toks[k - 2])
    ):
        k -= 1
    return k if k > start else end


def lines_of(
    text: str, measure: Measure, width: float, *, em: float, kinsoku: bool = True
) -> list[str]:
    """Just the texts of ``break_lines`` without indent (for headings, names, units)."""
    return [line.text for line in break_lines(text, measure, width, em=em, kinsoku=kinsoku)]
