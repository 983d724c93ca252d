"""Exports: any selection as CSV, XLSX or JSON; no live formula in a spreadsheet;
an export re-imports into an empty archive as the same records."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from archive.catalogue import browse
from archive.exchange import exporter, importer
from tests.conftest import fresh_archive

FIELDS = (
    "kind",
    "collective_type",
    "name",
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
    "industry",
    "summary",
    "story",
    "quote",
    "status",
)
HONOUR_FIELDS = ("title", "level", "year", "body", "document_no", "citation")


def contents(db) -> dict:
    """Every honoree's fields and honours, keyed by name, unit and birth year."""
    found = {}
    for row in db.execute("SELECT * FROM honorees WHERE deleted_at IS NULL"):
        honours = sorted(
            tuple(h[f] for f in HONOUR_FIELDS)
            for h in db.execute(
                "SELECT * FROM honours WHERE honoree_id = ? AND revoked = 0", [row["id"]]
            )
        )
        key = (row["name"], row["unit"], row["birth_year"])
        assert key not in found
        found[key] = ({f: row[f] for f in FIELDS}, honours)
    return found


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_an_export_reimports_into_an_empty_archive_as_the_same_records(
    demo_archive, tmp_path, suffix
):
    out = tmp_path / f"全部.{suffix}"
    count = exporter.export(demo_archive.db(), out, include_unpublished=True)
    assert count == len(contents(demo_archive.db()))
    target = fresh_archive(tmp_path / "target")
    try:
        plan, done = importer.run(target.db(), out, target.config["MEDIA_DIR"])
        assert plan.ok, plan.report()["errors"][:5]
        assert done["create"] == count
        assert contents(target.db()) == contents(demo_archive.db())
        # and again: the same export changes nothing
        plan, done = importer.run(target.db(), out, target.config["MEDIA_DIR"])
        assert done["unchanged"] == count
    finally:
        target.close()


def test_a_selection_exports_only_what_the_browse_page_shows(demo_archive, tmp_path):
    db = demo_archive.db()
    filters = browse.parse({"level": "national", "kind": "collective"})
    shown = browse.search(db, filters, page_size=10_000, with_facets=False)
    out = tmp_path / "sel.json"
    assert exporter.export(db, out, filters=filters) == shown.total
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in data["honorees"]] == [r["id"] for r in shown.items]
    assert all(r["kind"] == "collective" and r["status"] == "published" for r in data["honorees"])
    assert all(any(h["level"] == "national" for h in r["honours"]) for r in data["honorees"])


HOSTILE = {
    "name": "@SUM(1+1)",
    "unit": "+86 某某单位",
    "position": "\t制表符开头",
    "summary": '=HYPERLINK("http://evil.example","点我")',
    "quote": "-2+3",
    "story": "- 第一条\n- 第二条\r\n",
}


def test_exported_spreadsheets_contain_no_live_formula(make_honoree, empty_archive, tmp_path):
    make_honoree(**HOSTILE)
    db = empty_archive.db()
    for suffix in ("xlsx", "csv"):
        out = tmp_path / f"x.{suffix}"
        exporter.export(db, out)
        if suffix == "xlsx":
            book = openpyxl.load_workbook(out)  # formulas kept as formulas, if any
            try:
                cells = [c for row in book.active.iter_rows() for c in row]
            finally:
                book.close()
            assert not [c.coordinate for c in cells if c.data_type == "f"]
            values = [c.value for c in cells if isinstance(c.value, str)]
        else:
            with out.open(encoding="utf-8-sig", newline="") as f:
                values = [v for row in csv.reader(f) for v in row]
        assert not [v for v in values if v.startswith(importer.FORMULA_START)]
        assert '\'=HYPERLINK("http://evil.example","点我")' in values
        # the apostrophe comes off again on import
        target = fresh_archive(tmp_path / suffix)
        try:
            plan, done = importer.run(target.db(), out, target.config["MEDIA_DIR"])
            assert plan.ok and done["create"] == 1, plan.report()
            row = target.db().execute("SELECT * FROM honorees").fetchone()
            for field, value in HOSTILE.items():
                expected = value.replace("\r\n", "\n").strip() if field == "story" else value
                assert row[field] == expected, field
        finally:
            target.close()


def test_cli_export_with_facets(runner, make_honoree, tmp_path):
    make_honoree(name="甲", city="杭州市")
    make_honoree(name="乙", city="宁波市")
    make_honoree(name="丙", city="杭州市", status="draft")
    result = runner.invoke(args=["export", str(tmp_path / "hz.csv"), "--region", "杭州市"])
    assert result.exit_code == 0 and "已导出 1 条记录" in result.output
    result = runner.invoke(args=["export", str(tmp_path / "all.json"), "--all-statuses"])
    assert "已导出 3 条记录" in result.output
    bad = runner.invoke(args=["export", str(tmp_path / "x.csv"), "--level", "宇宙级"])
    assert bad.exit_code == 1 and "未知的荣誉级别" in bad.output
