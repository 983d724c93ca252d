"""Cleaning one spreadsheet cell: free text, short words, names, placeholders,
birth dates, years, and a summary derived from a story.

Pure functions of the cell's value (as CSV text or as a spreadsheet's typed value),
so that an import means the same whatever else the file holds.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

# Cells that a spreadsheet would run as a formula get a leading apostrophe on export;
# the importer takes it off again so an export re-imports as it was.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What offices write in a cell that does not apply (a collective's 性别 and 出生年月)
# or is not known. Compared after NFKC and without spaces.
PLACEHOLDERS = frozenset(
    {
        "/",
        "//",
        "\\",
        "-",
        "--",
        "—",
        "——",
        "–",
        "─",
        "无",
        "暂无",
        "不详",
        "未知",
        "空",
        "略",
        "n/a",
        "na",
        "none",
        "null",
        "×",
        "x",
        "*",
        "/ ",
        "—/—",
        "-/-",
        "…",
        "...",
        "0",
    }
)
YEAR = re.compile(r"(?<!\d)(19[4-9]\d|20\d\d)(?!\d)")
SUMMARY_MAX = 60
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_SENTENCE_END = re.compile(r"[。！？!?；;]|\n")


def is_placeholder(value: Any) -> bool:
    """True for an empty cell or one of the marks offices use for 'not applicable'."""
    if value is None:
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == 0
    if not isinstance(value, str):
        return False
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).lower()
    return not text or text in PLACEHOLDERS


def text_of(value: Any) -> str | None:
    """A free-text cell: trimmed (full-width spaces too), Windows line breaks
    made plain, a neutralising apostrophe taken off; the text itself kept exactly."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip().strip("\u3000").strip()
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_START:
        text = text[1:]
    return text or None


def optional_text(value: Any) -> str | None:
    """A free-text cell where a placeholder (/, 无, 不详 …) means empty."""
    return None if is_placeholder(value) else text_of(value)


def word_of(value: Any) -> str | None:
    """A short structured cell: full-width forms folded (NFKC), spaces removed;
    a placeholder is empty."""
    if is_placeholder(value):
        return None
    text = text_of(value)
    if text is None:
        return None
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)) or None


def name_of(value: Any) -> str | None:
    """A name as written, without the spaces offices pad short names with
    (王　伟, 李 四); spaces between Latin letters stay."""
    text = text_of(value)
    if text is None:
        return None
    text = re.sub(r"\s+", " ", text.replace("\u3000", " "))
    return _CJK_GAP.sub("", text).strip() or None


class Birth:
    """A birth date read from a cell: year, month (None if unknown) and a warning
    when the cell was ambiguous."""

    __slots__ = ("year", "month", "warning")

    def __init__(self, year: int | None, month: int | None, warning: str | None = None):
        self.year, self.month, self.warning = year, month, warning


def birth_of(value: Any) -> Birth:
    """A birth year and month from a date cell, an Excel serial number, a number
    cell or text such as 1975.03, 1975年3月, 1975-03, 197503 or 1975.

    A *number* cell 1990.1 may have been typed as 1990.1 (January) or 1990.10
    (October): the spreadsheet kept the same number for both, so the month is
    left unknown with a warning. The *text* 1990.1 is January."""
    if is_placeholder(value):
        return Birth(None, None)
    if isinstance(value, (dt.date, dt.datetime)):
        return Birth(value.year, value.month)
    if isinstance(value, (int, float)) and 10_000 <= value < 80_000:  # an Excel date serial
        day = dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        return Birth(day.year, day.month)
    warning = None
    if isinstance(value, float) and not value.is_integer():
        text = repr(value)
        if re.fullmatch(r"\d{4}\.1", text):
            year = _check_year(int(value))
            return Birth(
                year,
                None,
                f"数字 {text} 可能是 {year} 年 1 月，也可能是 {year} 年 10 月"
                "（表格把 .10 存成了 .1），月份暂记为不详，请核对",
            )
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
    match = re.fullmatch(
        r"(\d{4})\s*(?:[.\-/年]\s*(\d{1,2})\s*(?:[.\-/月]\s*(?:\d{1,2})?\s*日?)?"
        r"\s*月?)?\s*(?:年)?",
        text,
    ) or re.fullmatch(r"(\d{4})(\d{2})(?:\d{2})?", text)
    if not match:
        raise ValueError("出生年月无法识别，请写成“1975.03”或“1975年3月”")
    year = _check_year(int(match.group(1)))
    month = int(match.group(2)) if match.group(2) else None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"出生月份 {month} 不合理")
    return Birth(year, month, warning)


def _check_year(year: int) -> int:
    if not 1900 <= year <= dt.date.today().year:
        raise ValueError(f"出生年份 {year} 不合理")
    return year


def years_of(value: Any) -> list[int]:
    """Every four-digit year in a cell (2020、2016; 2020年度; a date cell)."""
    if value is None:
        return []
    if isinstance(value, (dt.date, dt.datetime)):
        return [value.year]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    found = [int(y) for y in YEAR.findall(text)]
    if not found and text.strip() and not is_placeholder(text):
        raise ValueError(f"“{text.strip()}”不是年份，请写四位数字，如 2020")
    return found


def first_sentence(text: str | None, limit: int = SUMMARY_MAX) -> str | None:
    """The first sentence of a story, at most ``limit`` characters: cut at the
    last comma or pause before the limit when the sentence is longer, with an
    ellipsis."""
    if not text:
        return None
    plain = re.sub(r"[#*_>`]+", "", text).strip()
    match = _SENTENCE_END.search(plain)
    sentence = (plain[: match.start()] if match else plain).strip()
    if len(sentence) <= limit:
        return sentence or None
    head = sentence[:limit]
    cut = max(head.rfind(p) for p in "，,、：:")
    return (head[:cut] if cut >= limit // 2 else head[: limit - 1]) + "…"


def is_one_sentence(text: str) -> bool:
    """A text short enough to be a summary: one sentence within the limit."""
    body = text.strip().rstrip("。！？!?")
    return len(body) <= SUMMARY_MAX and not _SENTENCE_END.search(body)
