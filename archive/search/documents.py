"""What is indexed: the document of a published profile, the same for every
engine — the name as visitors type it (characters, prefixes, pinyin readings and
initials), honour, region, industry and nominator facet keys, the text fields,
the results card (``display``) and a digest (``verify`` compares it with the
database's). Keyword fields (names, pinyin, honours, facets) are comma-joined
tokens; text fields are the text, analysed by each engine through
archive.search.analysis."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator

import sqlite_utils
from pypinyin import Style, lazy_pinyin

from archive.catalogue import browse, honorees, names
from archive.catalogue.honorees import PUBLIC

from . import analysis, snippets

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
PINYIN = re.compile(r"^[a-z]+$")
SEPARATORS = re.compile(r"[·•・.．\s]+")
# facets on the record itself, by the prefix of their terms in the ``facet`` field
RECORD_FACETS = (("kind", "k:"), ("region", "r:"), ("nominator", "n:"), ("industry", "i:"))
NAME_FIELDS = ("name_exact", "name", "pinyin", "pinyin_prefix")
KEYWORD_FIELDS = (*NAME_FIELDS, "honours", "facet")


def plain_syllables(text: str) -> list[str]:
    return [s for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore") if s.isalpha()]


def name_tokens(name: str, kind: str) -> dict[str, list[str]]:
    """The name as visitors type it: the whole name, its prefixes and characters,
    the parts of a dotted name; every full pinyin reading with its syllable-wise
    prefixes, syllables, initials and the given name's pinyin. The readings are
    the surname's (曾 zeng, 单 shan) and the one a visitor who does not know
    them types (ceng, dan)."""
    folded = analysis.fold(name.strip())
    whole = SEPARATORS.sub("", folded)
    parts = [p for p in SEPARATORS.split(folded) if p]
    chars = [c for c in whole if not c.isspace()]
    name_set = set(chars) | {whole[:i] for i in range(2, len(whole) + 1)} | set(parts)
    personal = kind == "individual"
    surname, given = names.split_surname(whole) if personal else ("", whole)
    if given and surname:
        name_set.update((given, surname))
    pinyin: set[str] = set()
    prefixes: set[str] = set()
    readings = _readings(name, whole, surname, personal)
    if personal and len(parts) > 1:
        readings = readings + [[s for p in parts for s in plain_syllables(p)]]
        _add_parts(parts, pinyin)
    given_from = (2 if len(surname) == 2 else 1) if personal and surname else 0
    for syllables in readings:
        _add_reading([s for s in syllables if s], given_from, pinyin, prefixes)
    prefixes -= pinyin
    return {
        "name_exact": sorted({whole, folded}),
        "name": sorted(name_set),
        "pinyin": sorted(pinyin),
        "pinyin_prefix": sorted(prefixes),
    }


def _add_parts(parts: list[str], pinyin: set[str]) -> None:
    """Each part of a dotted name's pinyin and initials."""
    for part in parts:
        part_syllables = plain_syllables(part)
        pinyin.add("".join(part_syllables))
        pinyin.add("".join(s[0] for s in part_syllables))


def _readings(name: str, whole: str, surname: str, personal: bool) -> list[list[str]]:
    """A name's pinyin readings (as syllables): a person's by names.readings,
    plus the common reading of a surname read otherwise (dan for 单)."""
    if not personal:
        return [plain_syllables(whole)]
    readings = names.readings(name, personal=True).readings
    if surname and (common := plain_syllables(whole)) not in readings:
        readings = readings + [common]
    return readings


def _add_reading(
    syllables: list[str], given_from: int, pinyin: set[str], prefixes: set[str]
) -> None:
    """One reading's syllables, their prefixes, the given name's pinyin
    (syllables from ``given_from``, 0 for none) and initials."""
    if not syllables:
        return
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables)
    pinyin.update(syllables)
    pinyin.update("".join(syllables[:i]) for i in range(1, len(syllables) + 1))
    if given_from and len(syllables) > 1:
        pinyin.add("".join(syllables[given_from:]))
    if len(initials) > 1:
        pinyin.add(initials)
        pinyin.update(initials[:i] for i in range(2, len(initials)))
    prefixes.update(full[:i] for i in range(2, len(full) + 1))


def honour_keys(level: str, title: str, year: int) -> list[str]:
    """Facet keys of one honour: every combination of its level, title and year,
    so that combined honour facets apply to one honour (as browsing does)."""
    values = {"level": level, "title": title, "year": str(year)}
    keys = []
    for mask in range(1, 8):
        chosen = [n for i, n in enumerate(browse.HONOUR_FACETS) if mask & (1 << i)]
        keys.append(honour_key({n: values[n] for n in chosen}))
    return keys


def honour_key(values: dict[str, object]) -> str:
    return "h:" + "|".join(f"{n}={values[n]}" for n in browse.HONOUR_FACETS if n in values)


def clean_token(value: str) -> str:
    return str(value).replace(",", "，").strip()


DOCUMENT_SQL = f"""
    SELECT h.id, h.kind, h.name, h.unit, h.position, h.province, h.city, h.county,
           h.industry, h.nominator, h.summary, h.story, h.quote, h.sort_key, h.latest_year,
           (SELECT json_group_array(json_array(o.level, o.title, o.year)) FROM
              (SELECT level, title, year FROM honours WHERE honoree_id = h.id AND revoked = 0
               ORDER BY year, position, id) o) AS honours
    FROM honorees h WHERE {PUBLIC}"""


def document(row) -> dict:
    honours = json.loads(row["honours"] or "[]")
    facets = {f"k:{row['kind']}"}
    if row["city"]:
        facets.add("r:" + clean_token(row["city"]))
    if row["industry"]:
        facets.add("i:" + clean_token(row["industry"]))
    if row["nominator"]:
        facets.add("n:" + clean_token(row["nominator"]))
    for level, title, year in honours:
        facets.update(honour_keys(level, clean_token(title), year))
    document = dict(
        id=str(row["id"]),
        **{
            f: ",".join(clean_token(t) for t in tokens)
            for f, tokens in name_tokens(row["name"], row["kind"]).items()
        },
        titles=" ".join(f"{year}年{title}" for _, title, year in honours),
        honours=",".join(
            sorted({analysis.fold(f"{year}{clean_token(title)}") for _, title, year in honours})
        ),
        unit=" ".join(filter(None, [row["unit"], row["position"]])),
        unit_grams=" ".join(filter(None, [row["unit"], row["position"]])),
        place=" ".join(
            filter(
                None,
                [row["province"], row["city"], row["county"], row["industry"], row["nominator"]],
            )
        ),
        story="\n".join(filter(None, [row["summary"], row["story"], row["quote"]])),
        facet=",".join(sorted(facets)),
        year=row["latest_year"] or 0,
        honoree=row["id"],
        sort_key=row["sort_key"] or "",
    )
    document["digest"] = hashlib.sha1(
        json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()[:16]
    document["display"] = {
        "name": row["name"],
        "unit": row["unit"] or "",
        "honour": honorees.top_honour(
            [{"title": title, "year": year} for _, title, year in honours]
        ),
        "city": row["city"] or "",
        **lead(row["summary"], row["story"]),
    }
    return document


def lead(summary: str | None, story: str | None) -> dict:
    """The opening of a profile's snippet text: all a snippet can show when the
    query's words are in the summary or the story's first lines only (see
    the engines' results pages). ``more``: the text goes on past the lead."""
    text = snippets.snippet_text("\n".join(filter(None, [summary, story])))
    end = len(snippets.snippet_text(summary or "")) + snippets.SNIPPET_WIDTH + 1
    return {"lead": text[:end], "more": len(text) > end}


def documents(db: sqlite_utils.Database, ids: list[int] | None = None) -> Iterator[dict]:
    if ids is None:
        rows = db.execute(DOCUMENT_SQL + " ORDER BY h.id")
    else:
        rows = db.execute(
            DOCUMENT_SQL + " AND h.id IN (SELECT value FROM json_each(?))", [json.dumps(ids)]
        )
    for row in rows:
        yield document(row)


def by_ids(db: sqlite_utils.Database, columns: str, ids: list[int], index: str = ""):
    """``columns`` of the public honorees among ``ids``, found by primary key
    (``h.id IN (...)`` let SQLite scan the status index: every published row)
    or through ``index``."""
    if not ids:
        return []
    return db.execute(
        f"SELECT {columns} FROM json_each(?) j CROSS JOIN honorees h"
        f"{f' INDEXED BY {index}' if index else ''} ON h.id = j.value WHERE {PUBLIC}",
        [json.dumps(ids)],
    )
