"""A visitor's query, the same for every engine: parsed into tokens and quoted
phrases, then built into a small tree of weighted terms and phrases (:class:`Term`,
:class:`Phrase`, :class:`And`, :class:`Or`, :class:`AndMaybe`) that each engine
translates into its own queries. No engine's query parser ever sees visitor
input: operators, field names and wildcards are text. Also the page a query
answers with (:class:`Result`) and the arguments of the search page."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache

from archive.catalogue import browse, names

from ..i18n import N_
from . import analysis
from .documents import HAN, PINYIN, SEPARATORS, plain_syllables

TIME_LIMIT = 0.5  # seconds per query: a safety net, not the latency goal
QUERY_MAX = 100  # characters of a query that are searched
QUERY_REFUSED = 500  # longer queries are refused (414, a Chinese page or JSON error)
MAX_TOKENS = 8
MAX_RESULTS = 1000  # how deep relevance pages go
SORTS = ("relevance", "year", "pinyin")
SUGGEST_TERMS = 200  # pinyin terms a no-result page looks up, the closest first

# Field weights: name > honour titles > unit > region and industry > story.
WEIGHTS = {
    "name_exact": 24.0,
    "name": 8.0,
    "pinyin": 6.0,
    "pinyin_prefix": 2.0,
    "titles": 4.0,
    "unit": 3.0,
    "unit_grams": 3.0,
    "place": 2.0,
    "story": 1.0,
}
HOMOPHONE_WEIGHT = 3.0
TEXT_FIELDS = ("titles", "unit", "place", "story")


# --- the query tree --------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    fieldname: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    fieldname: str
    words: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class And:
    """Every part must match; the score is the parts' sum."""

    subqueries: tuple
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    """Any part matches; the score is the sum of those that do."""

    subqueries: tuple
    boost: float = 1.0


@dataclass(frozen=True)
class AndMaybe:
    """``a`` must match; ``b`` adds to the score where it matches too."""

    a: object
    b: object
    boost: float = 1.0


Query = Term | Phrase | And | Or | AndMaybe


def _any(parts: list) -> Query:
    return parts[0] if len(parts) == 1 else Or(tuple(parts))


def _all(parts: list) -> Query:
    return parts[0] if len(parts) == 1 else And(tuple(parts))


# --- parsing --------------------------------------------------------------------------


@dataclass
class Parsed:
    tokens: list[str]
    phrases: list[list[str]]
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not (self.tokens or self.phrases)


def parse(text: str) -> Parsed:
    """A visitor's query: whitespace-separated tokens and "quoted phrases".
    Nothing is syntax: operators, field names and wildcards are text."""
    text = analysis.clean(text or "")
    text = text.replace("“", '"').replace("”", '"').replace("＂", '"')
    truncated = len(text) > QUERY_MAX
    text = text[:QUERY_MAX]
    tokens, phrases = [], []
    for i, part in enumerate(text.split('"')):
        if i % 2:  # inside quotes (an unbalanced quote runs to the end)
            phrase = analysis.words(part)
            if len(phrase) > 1:
                phrases.append(phrase)
            elif phrase:
                tokens.append(part.strip())
        else:
            tokens.extend(part.split())
    tokens = [t for t in tokens if HAN.search(t) or re.search(r"\w", t)]
    if len(tokens) + len(phrases) > MAX_TOKENS:
        truncated = True
        tokens = tokens[: max(0, MAX_TOKENS - len(phrases))]
    return Parsed(tokens, phrases, truncated)


@lru_cache(maxsize=4096)
def homophones(han: str) -> frozenset[str]:
    """Full pinyin readings of a Han query: as a name (surname readings) and as
    plain text, so 李向冬 finds 李向东. Cached: pypinyin costs about a
    millisecond a query."""
    readings = set(names.readings(han).all_full)
    readings.add("".join(plain_syllables(han)))
    return frozenset(r for r in readings if r)


# --- building -----------------------------------------------------------------------


def _text_query(words: list[str]) -> Query | None:
    if not words:
        return None
    return _all([_any([Term(f, w, WEIGHTS[f]) for f in TEXT_FIELDS]) for w in words])


def name_terms(whole: str) -> list[Query]:
    """The name fields' terms for a folded name, pinyin or initials."""
    terms: list[Query] = []
    if PINYIN.match(whole):
        terms += [
            Term("pinyin", whole, WEIGHTS["pinyin"]),
            Term("pinyin_prefix", whole, WEIGHTS["pinyin_prefix"]),
        ]
    if HAN.search(whole):
        terms += [
            Term("name_exact", whole, WEIGHTS["name_exact"]),
            Term("name", whole, WEIGHTS["name"]),
        ]
    return terms


def _token_query(token: str) -> Query | None:
    folded = analysis.fold(token)
    whole = SEPARATORS.sub("", folded)
    alternatives = name_terms(whole)
    if HAN.search(whole):
        han = "".join(HAN.findall(whole))
        if len(han) >= 2 and len(han) == len(whole):
            alternatives += [Term("pinyin", r, HOMOPHONE_WEIGHT) for r in sorted(homophones(han))]
    text = _text_query(analysis.words(token))
    if text is not None:
        alternatives.append(text)
    fragment = unit_fragment_query(whole)
    if fragment is not None:
        alternatives.append(fragment)
    return _any(alternatives) if alternatives else None


def unit_fragment_query(whole: str) -> Query | None:
    """A token with Han characters as a fragment of a unit's name: a phrase of
    its character bigrams in ``unit_grams``, whatever words the segmenter cuts
    the unit and the token into (南网 in 南网超高压输电公司, 高压输 in its
    middle). Its boost is shared among the bigrams, so a long fragment scores
    as an average bigram, not as their sum."""
    if not HAN.search(whole):
        return None
    parts: list[Query] = []
    for grams in analysis.bigrams(whole):
        if len(grams) == 1:
            parts.append(Term("unit_grams", grams[0], WEIGHTS["unit_grams"]))
        elif grams:
            parts.append(Phrase("unit_grams", tuple(grams), WEIGHTS["unit_grams"] / len(grams)))
    return _all(parts) if parts else None


def _phrase_query(words: list[str]) -> Query:
    return Or(
        tuple(
            [Phrase(f, tuple(words), WEIGHTS[f]) for f in TEXT_FIELDS if f != "place"]
            + [Term("name_exact", "".join(words), WEIGHTS["name_exact"])]
        )
    )


_YEAR = re.compile(r"^(19|20)\d\d年?$")


def build_query(parsed: Parsed) -> Query | None:
    """The query of a parsed visitor query: every token and phrase must match
    somewhere. A year beside other words ranks first the honours of that year
    (2020 全国劳动模范: the title conferred in 2020)."""
    parts = [q for q in (_token_query(t) for t in parsed.tokens) if q is not None]
    parts += [_phrase_query(p) for p in parsed.phrases]
    if not parts:
        return None
    required = _all(parts)
    years = [t[:4] for t in parsed.tokens if _YEAR.match(t)]
    # an honour is kept whole (2020全国劳动模范): the token as typed, and its words
    others = sorted(
        {
            w
            for t in parsed.tokens
            if not _YEAR.match(t)
            for w in [SEPARATORS.sub("", analysis.fold(t)), *analysis.words(t)]
        }
    )
    if years and others:
        boosts = [
            Term("honours", year + word, WEIGHTS["titles"] * 2) for year in years for word in others
        ]
        return AndMaybe(required, _any(boosts))
    return required


def leaf_terms(q: Query) -> list[tuple[str, str | tuple]]:
    """(field, text or a phrase's words) of every term and phrase of ``q``."""
    if isinstance(q, Term):
        return [(q.fieldname, q.text)]
    if isinstance(q, Phrase):
        return [(q.fieldname, q.words)]
    if isinstance(q, AndMaybe):
        return leaf_terms(q.a) + leaf_terms(q.b)
    return [t for sub in q.subqueries for t in leaf_terms(sub)]


def highlight_terms(parsed: Parsed) -> list[str]:
    terms = set()
    for token in parsed.tokens:
        terms.update(analysis.words(token))
        terms.add(SEPARATORS.sub("", analysis.fold(token)))
    for phrase in parsed.phrases:
        terms.add("".join(phrase))
        terms.update(phrase)
    return sorted((t for t in terms if HAN.search(t) or len(t) > 1), key=lambda t: (-len(t), t))


def suggestion_readings(parsed: Parsed) -> set[str]:
    """The pinyin readings a no-result page looks for names close to."""
    readings: set[str] = set()
    for token in parsed.tokens + ["".join(p) for p in parsed.phrases]:
        whole = SEPARATORS.sub("", analysis.fold(token))
        han = "".join(HAN.findall(whole))
        if han:
            readings |= homophones(han)
        elif PINYIN.match(whole):
            readings.add(whole)
    return {r for r in readings if 3 <= len(r) <= 30}


def suggest_text(text: str) -> str:
    """What the name box's typing is looked up as: folded, no separators or
    punctuation, at most 40 characters."""
    text = SEPARATORS.sub("", analysis.fold(analysis.clean(text or "")))[:40]
    return re.sub(r"[^\w]", "", text)


# --- the page ------------------------------------------------------------------------


@dataclass
class Result:
    query: str
    filters: browse.Filters
    sort: str
    items: list[dict]
    total: int
    page_size: int
    facets: dict[str, list[tuple]] = field(default_factory=dict)
    suggestions: list[dict] = field(default_factory=list)
    unfiltered_total: int | None = None
    notices: list[str] = field(default_factory=list)
    timed_out: bool = False
    degraded: str | None = None  # 'previous' or 'database' while a damaged index heals

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_RESULTS) // self.page_size))


# The notices a search answers with, in Chinese (pages translate them: archive.i18n)
TRUNCATED = N_("检索词过长，只按前 %(chars)s 个字、%(words)s 个词检索")
TRUNCATED_LIMITS = {"chars": QUERY_MAX, "words": MAX_TOKENS}
TIMED_OUT = N_("检索用时较长，结果可能不完整")


def notices_for(parsed: Parsed) -> list[str]:
    if parsed.truncated:
        return [TRUNCATED % TRUNCATED_LIMITS]
    return []


@dataclass
class Budget:
    """A query's deadline (the SEARCH_TIME_LIMIT setting), and whether some step
    ran out of time: each engine stops the work it can stop and answers with
    what it has, saying so (:data:`TIMED_OUT`)."""

    deadline: float
    timed_out: bool = False

    @classmethod
    def of(cls, seconds: float) -> Budget:
        return cls(time.monotonic() + seconds)

    def spent(self) -> bool:
        if not self.timed_out and time.monotonic() > self.deadline:
            self.timed_out = True
        return self.timed_out


def parse_args(args) -> tuple[browse.Filters, str]:
    """Facets and sort order from query arguments (the browse page's facets, plus
    sorting by relevance); raises browse.FilterError with a Chinese message."""
    sort = (args.get("sort") or "relevance").strip()
    if sort not in SORTS:
        raise browse.FilterError(N_("排序方式只能是相关度、年份或拼音"))
    filters = browse.parse({k: args.get(k) for k in args if k != "sort"})
    return replace(filters, sort="pinyin"), sort
