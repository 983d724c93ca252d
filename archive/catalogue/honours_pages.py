"""An honour explained with its holders (/honours/<title>) and a year's honorees
(/years/<year>): public reads of published records only, revoked honours left out."""

from __future__ import annotations

from itertools import groupby

import sqlite_utils

from archive.catalogue import honorees
from archive.catalogue.honorees import PUBLIC
from archive.catalogue.vocabulary import LEVELS

LEVEL_ORDER = {level: i for i, level in enumerate(LEVELS)}


def _holders(db: sqlite_utils.Database, where: str, params: list) -> list[dict]:
    rows = [
        dict(r)
        for r in db.execute(
            f"""SELECT h.*, o.title AS honour_title, o.year AS honour_year,
                   o.level AS honour_level FROM honours o
            JOIN honorees h ON h.id = o.honoree_id
            WHERE {PUBLIC} AND o.revoked = 0 AND {where}
            ORDER BY o.year DESC, h.sort_key, h.id""",
            params,
        )
    ]
    return [
        {
            **card,
            "title": card["honour_title"],
            "year": card["honour_year"],
            "level": card["honour_level"],
        }
        for card in honorees.cards(db, rows)
    ]


def title_page(db: sqlite_utils.Database, title: str) -> dict | None:
    """A vocabulary title with what it is and its holders by year, newest first;
    None for a title the archive does not have."""
    row = db.execute("SELECT * FROM honour_titles WHERE title = ?", [title]).fetchone()
    if row is None:
        return None
    holders = _holders(db, "o.title = ?", [title])
    years = [
        {"year": year, "holders": list(group)}
        for year, group in groupby(holders, key=lambda h: h["year"])
    ]
    return {**dict(row), "years": years, "count": len({h["id"] for h in holders})}


def year_page(db: sqlite_utils.Database, year: int) -> dict | None:
    """A year's honours, by title (national first), with their holders; None for a
    year in which the archive has nobody."""
    holders = _holders(db, "o.year = ?", [year])
    if not holders:
        return None
    holders.sort(key=lambda h: (LEVEL_ORDER.get(h["level"], 9), h["title"]))
    titles = [
        {"title": title, "level": group[0]["level"], "holders": group}
        for title, group in ((t, list(g)) for t, g in groupby(holders, key=lambda h: h["title"]))
    ]
    years = [
        r[0]
        for r in db.execute(
            f"""SELECT DISTINCT o.year FROM honours o JOIN honorees h ON h.id = o.honoree_id
            WHERE {PUBLIC} AND o.revoked = 0 ORDER BY o.year"""
        )
    ]
    index = years.index(year)
    return {
        "year": year,
        "titles": titles,
        "count": len({h["id"] for h in holders}),
        "previous": years[index - 1] if index else None,
        "next": years[index + 1] if index + 1 < len(years) else None,
    }


def public_titles_and_years(db: sqlite_utils.Database) -> tuple[list[str], list[int]]:
    """The titles and years that have published holders (for the sitemap)."""
    rows = db.execute(f"""SELECT DISTINCT o.title, o.year FROM honours o
                          JOIN honorees h ON h.id = o.honoree_id
                          WHERE {PUBLIC} AND o.revoked = 0""").fetchall()
    return sorted({r[0] for r in rows}), sorted({r[1] for r in rows})
