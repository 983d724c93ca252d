"""Browsing published honorees by facets, with a count beside every facet value.

Facets on the honoree (kind, region, recommending body, industry) and facets on its
honours (level, title, year). The honour facets apply together to one honour: "national, 2020"
means a national honour conferred in 2020. Each facet's counts apply every
other selected facet but not its own, so a visitor sees what switching would give.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import sqlite_utils

from archive.catalogue import honorees
from archive.catalogue.honorees import PUBLIC
from archive.catalogue.vocabulary import KINDS, LEVELS
from archive.db import generation
from archive.i18n import N_

HONOREE_FACETS = {
    "kind": "h.kind",
    "region": "h.city",
    "nominator": "h.nominator",
    "industry": "h.industry",
}
HONOUR_FACETS = {"level": "o.level", "title": "o.title", "year": "o.year"}
FACETS = ("kind", "level", "title", "year", "region", "nominator", "industry")
SORTS = {
    "pinyin": "h.sort_key, h.id",
    "year": "h.latest_year DESC, h.sort_key, h.id",
}
MAX_PAGE = 100_000
# Counting public records reads this index alone (m099_listing_indexes), never the
# rows with their stories; named, as SQLite without statistics picks another.
COUNTED = "INDEXED BY honorees_public_facets"

# Facet counts kept per filter set for the length of one static export (which renders
# every page of a listing, each showing the same counts; it sets a fresh dict per run
# and None after). None (the live site): counted per request, the page cache keeps pages.
FACET_MEMO: dict | None = None


class FilterError(ValueError):
    """A filter a visitor sent that cannot be applied; the message is shown."""


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    level: str | None = None
    title: str | None = None
    year: int | None = None
    region: str | None = None
    nominator: str | None = None
    industry: str | None = None
    sort: str = "pinyin"
    page: int = 1

    def selected(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in FACETS if getattr(self, name) is not None}

    def without(self, *names: str) -> Filters:
        return replace(self, **{n: None for n in names}, page=1)


def parse(args: dict) -> Filters:
    """Filters from query arguments; raises FilterError with a Chinese message."""
    values: dict[str, object] = {}
    for name in ("kind", "level", "title", "region", "nominator", "industry"):
        value = (args.get(name) or "").strip()
        if len(value) > 100:
            raise FilterError(N_("筛选条件过长"))
        if value:
            values[name] = value
    if values.get("kind") not in (None, *KINDS):
        raise FilterError(N_("类别只能是“个人”或“集体”"))
    if values.get("level") not in (None, *LEVELS):
        raise FilterError(N_("未知的荣誉级别"))
    for name, low, high, message in (
        ("year", 1900, 2100, N_("年份应为四位数字")),
        ("page", 1, MAX_PAGE, N_("页码应为正整数")),
    ):
        raw = (args.get(name) or "").strip()
        if raw:
            if (
                not (raw.isascii() and raw.isdigit() and len(raw) <= 9)
                or not low <= int(raw) <= high
            ):
                raise FilterError(message)
            values[name] = int(raw)
    sort = (args.get("sort") or "pinyin").strip()
    if sort not in SORTS:
        raise FilterError(N_("排序方式只能是拼音或年份"))
    return Filters(**values, sort=sort)


def _where(filters: Filters, skip: str | None = None) -> tuple[list[str], list]:
    """Conditions on ``h`` for every selected facet except ``skip``."""
    clauses, params = [PUBLIC], []
    for name, column in HONOREE_FACETS.items():
        value = getattr(filters, name)
        if value is not None and name != skip:
            clauses.append(f"{column} = ?")
            params.append(value)
    honour_clauses, honour_params = _honour_conditions(filters, skip)
    if honour_clauses:
        clauses.append(
            "EXISTS (SELECT 1 FROM honours o WHERE o.honoree_id = h.id AND "
            "o.revoked = 0 AND " + " AND ".join(honour_clauses) + ")"
        )
        params.extend(honour_params)
    return clauses, params


def _honour_conditions(filters: Filters, skip: str | None) -> tuple[list[str], list]:
    clauses, params = [], []
    for name, column in HONOUR_FACETS.items():
        value = getattr(filters, name)
        if value is not None and name != skip:
            clauses.append(f"{column} = ?")
            params.append(value)
    return clauses, params


class _Recent:
    """Facet counts of the live site by database, content generation and filter set, the
    most recently used kept: every page of a listing shows the same counts, and
    at 100,000 records they take over a second to count (a crawler walking the
    thousands of pages of the full list would count them once per page). A
    change makes a new generation, so counts are never shown stale."""

    def __init__(self, size: int = 256):
        self.size = size
        self.entries: OrderedDict[tuple, dict] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, db: sqlite_utils.Database, filters: Filters) -> dict[str, list[tuple]]:
        # the generation is read first: counts made after it are at least as new
        archive = db.execute("PRAGMA database_list").fetchone()[2]
        key = (archive, generation(db), replace(filters, sort="pinyin", page=1))
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
                return found
        found = _facet_counts(db, filters)
        with self.lock:
            self.entries[key] = found
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return found


_recent = _Recent()


def facet_counts(db: sqlite_utils.Database, filters: Filters) -> dict[str, list[tuple]]:
    """For each facet: (value, count) pairs, most common first."""
    if FACET_MEMO is not None:
        key = replace(filters, sort="pinyin", page=1)
        if key not in FACET_MEMO:
            FACET_MEMO[key] = _facet_counts(db, filters)
        return FACET_MEMO[key]
    return _recent.get(db, filters)


def _facet_counts(db: sqlite_utils.Database, filters: Filters) -> dict[str, list[tuple]]:
    counts: dict[str, list[tuple]] = {}
    for name, column in HONOREE_FACETS.items():
        clauses, params = _where(filters, skip=name)
        counts[name] = [
            tuple(r)
            for r in db.execute(
                f"""SELECT {column}, count(*) AS n FROM honorees h {COUNTED}
                WHERE {" AND ".join(clauses)} AND {column} IS NOT NULL
                GROUP BY {column} ORDER BY n DESC, {column}""",
                params,
            )
        ]
    for name, column in HONOUR_FACETS.items():
        # Non-honour facets filter h; the other honour facets filter the same honour o.
        clauses, params = _where(filters.without(*HONOUR_FACETS), skip=None)
        honour_clauses, honour_params = _honour_conditions(filters, skip=name)
        order = f"{column} DESC" if name == "year" else "n DESC, " + column
        counts[name] = [
            tuple(r)
            for r in db.execute(
                f"""SELECT {column}, count(DISTINCT h.id) AS n FROM honorees h {COUNTED}
                JOIN honours o ON o.honoree_id = h.id AND o.revoked = 0
                WHERE {" AND ".join(clauses + honour_clauses)}
                GROUP BY {column} ORDER BY {order}""",
                params + honour_params,
            )
        ]
    return counts


@dataclass
class Page:
    filters: Filters
    items: list[dict]
    total: int
    page_size: int
    facets: dict[str, list[tuple]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def search(
    db: sqlite_utils.Database, filters: Filters, page_size: int, with_facets: bool = True
) -> Page:
    """One page of published honorees matching the filters."""
    clauses, params = _where(filters)
    where = " AND ".join(clauses)
    total = db.execute(
        f"SELECT count(*) FROM honorees h {COUNTED} WHERE {where}", params
    ).fetchone()[0]
    # the page's ids first, then their rows: sorted and skipped whole, the rows (with
    # their stories) made a page of the year order at 10,000 records take 64 ms, not 8
    ids = [
        r[0]
        for r in db.execute(
            f"""SELECT h.id FROM honorees h WHERE {where} ORDER BY {SORTS[filters.sort]}
            LIMIT ? OFFSET ?""",
            params + [page_size, (filters.page - 1) * page_size],
        )
    ]
    found = {
        r["id"]: dict(r)
        for r in db.execute(f"SELECT * FROM honorees WHERE id IN ({','.join('?' * len(ids))})", ids)
    }
    rows = [found[i] for i in ids if i in found]  # one purged meanwhile: left out
    return Page(
        filters,
        honorees.cards(db, rows),
        total,
        page_size,
        facet_counts(db, filters) if with_facets else {},
    )
