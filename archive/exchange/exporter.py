"""Exporting a selection of honorees as CSV, XLSX or JSON.

The selection is a :class:`archive.catalogue.browse.Filters` (the same facets as the public
browse page). CSV and XLSX use the import template's columns, so an export
re-imports cleanly; a cell a spreadsheet would run as a formula (starting with
``= + - @``, a tab or a carriage return) is written with a leading apostrophe,
which the importer takes off again.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from archive.catalogue import browse
from archive.catalogue.vocabulary import COLLECTIVE_TYPES, KINDS, LEVELS, STATUSES
from archive.exchange import places
from archive.exchange.importer import FORMULA_START, LABELS, TEMPLATE

FORMATS = ("csv", "xlsx", "json")
BATCH = 500


def neutralise(value: object) -> object:
    """A cell value that no spreadsheet will evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def honoree_ids(
    db: sqlite_utils.Database,
    filters: browse.Filters | None = None,
    include_unpublished: bool = False,
) -> list[int]:
    """The ids a selection covers, in the browse order. Published only unless told."""
    filters = filters or browse.Filters()
    clauses, params = browse._where(filters)
    if include_unpublished:
        clauses = ["h.deleted_at IS NULL", *clauses[1:]]
    return [
        r[0]
        for r in db.execute(
            f"SELECT h.id FROM honorees h WHERE {' AND '.join(clauses)} "
            f"ORDER BY {browse.SORTS[filters.sort]}",
            params,
        )
    ]


def records(db: sqlite_utils.Database, ids: list[int]) -> Iterator[dict]:
    """Whole records (with all honours, revoked ones excluded) in batches."""
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        marks = ",".join("?" * len(chunk))
        rows = {
            r["id"]: dict(r)
            for r in db.execute(f"SELECT * FROM honorees WHERE id IN ({marks})", chunk)
        }
        honours: dict[int, list[dict]] = {i: [] for i in chunk}
        for r in db.execute(
            f"""SELECT * FROM honours WHERE honoree_id IN ({marks}) AND revoked = 0
                    ORDER BY position, id""",
            chunk,
        ):
            honours[r["honoree_id"]].append(dict(r))
        for honoree_id in chunk:
            yield {**rows[honoree_id], "honours": honours[honoree_id]}


def _joined(values: list, separator: str) -> str:
    values = ["" if v is None else str(v) for v in values]
    return separator.join(values) if any(values) else ""


def columns(include_notes: bool = False) -> tuple[str, ...]:
    """The template's columns; the curator-only 备注 only in a back-office export
    (``--all-statuses``), never in a public one."""
    return TEMPLATE if include_notes else tuple(k for k in TEMPLATE if k != "note")


def row_of(record: dict, keys: tuple[str, ...] = columns()) -> list:
    """One record as the template's cells (honours joined, one per title)."""
    honours = record["honours"]
    birth = ""
    if record["birth_year"]:
        birth = str(record["birth_year"]) + (
            f".{record['birth_month']:02d}" if record["birth_month"] else ""
        )
    cells = {
        "code": record["code"],
        "kind": KINDS[record["kind"]],
        "collective_type": COLLECTIVE_TYPES.get(record["collective_type"] or "", ""),
        "name": record["name"],
        "gender": record["gender"],
        "ethnicity": record["ethnicity"],
        "birth": birth,
        "unit": record["unit"],
        "position": record["position"],
        "region": places.label(record["province"], record["city"], record["county"]),
        "nominator": record.get("nominator"),
        "industry": record["industry"],
        "titles": "、".join(h["title"] for h in honours),
        "years": "、".join(str(h["year"]) for h in honours),
        "levels": "、".join(LEVELS[h["level"]] for h in honours),
        "bodies": _joined([h["body"] for h in honours], "；"),
        "documents": _joined([h["document_no"] for h in honours], "；"),
        "citations": _joined([h["citation"] for h in honours], "；"),
        "summary": record["summary"],
        "story": record["story"],
        "quote": record["quote"],
        "note": record.get("note"),
        "status": STATUSES[record["status"]],
    }
    return [neutralise("" if cells[key] is None else cells[key]) for key in keys]


def json_of(record: dict, include_notes: bool = False) -> dict:
    keep = (
        "id",
        "code",
        "kind",
        "collective_type",
        "name",
        "name_pinyin",
        "gender",
        "ethnicity",
        "birth_year",
        "birth_month",
        "province",
        "city",
        "county",
        "region_code",
        "unit",
        "position",
        "nominator",
        "industry",
        "summary",
        "story",
        "quote",
        "status",
        "created_at",
        "updated_at",
    )
    return {
        **{k: record[k] for k in keep},
        **({"note": record["note"]} if include_notes else {}),
        "honours": [
            {k: h[k] for k in ("title", "level", "year", "body", "document_no", "citation")}
            for h in record["honours"]
        ],
    }


def export(
    db: sqlite_utils.Database,
    out: str | Path,
    fmt: str | None = None,
    filters: browse.Filters | None = None,
    include_unpublished: bool = False,
) -> int:
    """Write the selection to ``out`` (format from ``fmt`` or the suffix); returns
    how many records were written."""
    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValueError("导出格式只能是 csv、xlsx 或 json")
    ids = honoree_ids(db, filters, include_unpublished)
    out.parent.mkdir(parents=True, exist_ok=True)
    keys = columns(include_unpublished)
    headers = [LABELS[key] for key in keys]
    if fmt == "csv":
        with out.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(headers)
            for record in records(db, ids):
                writer.writerow(row_of(record, keys))
    elif fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("荣誉人物")
        sheet.append(headers)
        for record in records(db, ids):
            sheet.append([_text_cell(sheet, v) for v in row_of(record, keys)])
        book.save(out)
    else:
        with out.open("w", encoding="utf-8") as f:
            f.write('{"honorees": [\n')
            for i, record in enumerate(records(db, ids)):
                f.write(
                    (",\n" if i else "")
                    + json.dumps(json_of(record, include_unpublished), ensure_ascii=False)
                )
            f.write(f'\n], "count": {len(ids)}}}\n')
    return len(ids)


def _text_cell(sheet, value):
    """Strings as plain text cells: openpyxl would otherwise store '=…' as a formula
    (neutralise() already prevents that; this keeps it true whatever the value)."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def download(
    db: sqlite_utils.Database,
    fmt: str,
    filters: browse.Filters | None = None,
    include_unpublished: bool = False,
) -> tuple[bytes, int]:
    """The selection as one file's bytes (for a download view) and its record count."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        out = Path(folder) / f"export.{fmt}"
        count = export(db, out, fmt, filters, include_unpublished)
        return out.read_bytes(), count
