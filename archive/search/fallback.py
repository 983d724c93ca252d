"""Search without an index: published names (and their pinyin and initials)
found in the database, for the moments no generation of the index can be read
(a damaged one being rebuilt with none kept before it). Slower and plainer than
the index (no unit, story or phrase matching, no facets), and said so on the
page and in the API."""

from __future__ import annotations

import sqlite_utils

from archive.catalogue import browse, honorees
from archive.catalogue.honorees import PUBLIC

from ..i18n import N_
from .queries import Result

NOTICE = N_("检索索引正在修复，暂时只按姓名和拼音查找，结果可能不全；修复通常在一两分钟内完成。")
BUILDING_NOTICE = N_("检索索引正在建立，暂时只按姓名和拼音查找，结果可能不全；建好通常只需几分钟。")
PREVIOUS_NOTICE = N_("检索索引正在修复，当前结果来自上一版索引，最近的修改可能尚未反映。")
LIMIT = 200


def _terms(text: str) -> list[str]:
    return [t for t in text.replace("　", " ").split() if t][:5]


def query(
    db: sqlite_utils.Database,
    text: str,
    filters: browse.Filters | None = None,
    sort: str = "relevance",
    page_size: int = 20,
    notice: str = NOTICE,
) -> Result:
    """Published honorees whose name contains every term (Latin letters are
    matched against the name's pinyin readings and initials), best first: a
    whole-name match, then a name beginning with the term, then by pinyin."""
    filters = filters or browse.Filters()
    terms = _terms(text)
    if not terms:
        return Result(
            query=text,
            filters=filters,
            sort="pinyin",
            items=[],
            total=0,
            page_size=page_size,
            notices=[notice],
            degraded="database",
        )
    clauses, params = [], []
    for term in terms:
        folded = term.lower()
        clauses.append("(instr(h.name, ?) > 0 OR instr(lower(h.name_readings), ?) > 0)")
        params += [term, folded]
    where = f"{PUBLIC} AND " + " AND ".join(clauses)
    total = min(
        db.execute(f"SELECT count(*) FROM honorees h WHERE {where}", params).fetchone()[0], LIMIT
    )
    offset = (max(filters.page, 1) - 1) * page_size
    rows = (
        [
            dict(r)
            for r in db.execute(
                f"""SELECT h.* FROM honorees h WHERE {where}
            ORDER BY h.name = ? DESC, instr(h.name, ?) = 1 DESC, h.sort_key, h.id
            LIMIT ? OFFSET ?""",
                params + [terms[0], terms[0], page_size, offset],
            )
        ]
        if offset < total
        else []
    )
    items = honorees.cards(db, rows)
    for item in items:
        item["snippet"] = None
    return Result(
        query=text,
        filters=filters,
        sort="pinyin",
        items=items,
        total=total,
        page_size=page_size,
        facets={},
        notices=[notice],
        degraded="database",
    )
