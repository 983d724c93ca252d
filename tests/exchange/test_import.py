"""Importing spreadsheets as curators really keep them: messy headers, blank rows,
full-width characters, Excel dates, several honours per cell, personal data,
duplicates, photos in a ZIP; all rows or none."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from PIL import Image

from archive import jobs, worker
from archive.exchange import importer, proposals, sheets
from archive.settings import PROJECT_ROOT

HEADERS = [
    "序号",
    "姓　名",
    " 性别 ",
    "民族",
    "出生年月",
    "身份证号",
    "手机号码",
    "工作单位及职务",
    "地区",
    "行业",
    "荣誉称号",
    "授予年份",
    "授予机关",
    "主要事迹",
]


def person(
    seq,
    name,
    unit,
    birth=dt.datetime(1975, 3, 1),
    titles="全国劳动模范",
    years="2020",
    region="杭州市西湖区",
    body="中共中央、国务院",
):
    return [
        seq,
        name,
        "男",
        "汉",
        birth,
        "330102197503011234",
        "13800000000",
        unit,
        region,
        "制造业",
        titles,
        years,
        body,
        "扎根一线三十年",
    ]


def messy_xlsx(path, rows, headers=HEADERS, title_rows=True):
    """An XLSX as union offices send them: a merged title row, a two-row header with
    a merged group cell, blank rows between records."""
    book = openpyxl.Workbook()
    sheet = book.active
    if title_rows:
        sheet.append(["2020年度浙江省劳动模范推荐对象名单"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        sheet.append(["填报单位：某市总工会"])
    # two header rows: "荣誉情况" spans the honour columns above their own names
    top = [h if h not in ("荣誉称号", "授予年份", "授予机关") else None for h in headers]
    top[headers.index("荣誉称号")] = "荣誉情况"
    sheet.append(top)
    sheet.append([None if h not in ("荣誉称号", "授予年份", "授予机关") else h for h in headers])
    for row in rows:
        sheet.append(row)
        sheet.append([None] * len(headers))  # a blank row
        sheet.append(["", "　", None])  # a row of only spaces
    for cell in sheet["E"]:
        if isinstance(cell.value, dt.datetime):
            cell.number_format = "yyyy.mm"  # an Excel date cell
    book.save(path)
    return path


def counts(db):
    return {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in (
            "honorees",
            "honours",
            "revisions",
            "index_outbox",
            "imports",
            "photos",
            "short_codes",
        )
    }


def import_file(empty_archive, path, **options):
    db = empty_archive.db()
    return importer.run(db, path, empty_archive.config["MEDIA_DIR"], **options)


def test_a_messy_spreadsheet_imports_cleanly(empty_archive, tmp_path):
    path = messy_xlsx(
        tmp_path / "名单.xlsx",
        [
            person(
                1,
                "张　三",
                "杭州某机械厂 高级技师",
                titles="全国劳动模范、浙江省五一劳动奖章",
                years="2020、2016",
                body="中共中央、国务院；浙江省总工会",
            ),
            person(
                2,
                " 李 四 ",
                "宁波港集团",
                birth="1980年10月",
                region="宁波 北仑区",
                titles="2019年省劳动模范",
                years=None,
                body="浙江省人民政府",
            ),
            person(3, "王五", "某单位", birth=27454.0, region="新疆某地", years="２０１８年"),
        ],
    )
    plan, done = import_file(empty_archive, path, default_status="published")
    assert plan.ok, plan.report()
    assert done["create"] == 3
    assert any("身份证号" in w.message and "手机号码" in w.message for w in plan.warnings)
    db = empty_archive.db()
    rows = {r["name"]: dict(r) for r in db.execute("SELECT * FROM honorees")}
    assert set(rows) == {"张三", "李四", "王五"}
    zhang = rows["张三"]
    assert (zhang["birth_year"], zhang["birth_month"], zhang["ethnicity"]) == (1975, 3, "汉族")
    assert (zhang["province"], zhang["city"], zhang["county"], zhang["region_code"]) == (
        "浙江省",
        "杭州市",
        "西湖区",
        "330106",
    )
    # 工作单位及职务 split into the unit and the post, the cell kept as written
    assert (zhang["unit"], zhang["position"]) == ("杭州某机械厂", "高级技师")
    assert zhang["unit_raw"] == "杭州某机械厂 高级技师"
    honours = [
        dict(r)
        for r in db.execute(
            "SELECT title, year, level, body FROM honours WHERE honoree_id = ? ORDER BY year",
            [zhang["id"]],
        )
    ]
    assert honours == [  # titles verbatim: the province that conferred it stays
        {
            "title": "浙江省五一劳动奖章",
            "year": 2016,
            "level": "provincial",
            "body": "浙江省总工会",
        },
        {"title": "全国劳动模范", "year": 2020, "level": "national", "body": "中共中央、国务院"},
    ]
    li = rows["李四"]
    assert (li["birth_year"], li["birth_month"], li["county"]) == (1980, 10, "北仑区")
    assert (
        db.execute("SELECT year FROM honours WHERE honoree_id = ?", [li["id"]]).fetchone()[0]
        == 2019
    )
    assert (rows["王五"]["birth_year"], rows["王五"]["city"]) == (1975, "新疆某地")
    assert (
        db.execute(
            "SELECT year FROM honours WHERE honoree_id = ?", [rows["王五"]["id"]]
        ).fetchone()[0]
        == 2018
    )
    # no personal data anywhere in the database
    dump = "\n".join(db.conn.iterdump())
    assert "330102197503011234" not in dump and "13800000000" not in dump
    # each record has its revision and its index-outbox row; the import is recorded
    c = counts(db)
    assert c["revisions"] == 3 and c["index_outbox"] == 3 and c["imports"] == 1
    assert db.execute("SELECT count(*) FROM import_items").fetchone()[0] == 3


def test_row_errors_are_listed_and_nothing_is_written(empty_archive, tmp_path, make_honoree):
    make_honoree(name="已有人物")
    path = messy_xlsx(
        tmp_path / "bad.xlsx",
        [
            person(1, "好记录", "甲单位"),
            person(2, "", "乙单位"),
            person(3, "丙", "丙单位", birth="1975.13"),
            person(4, "丁", "丁单位", titles="全国劳动模范、全国劳动摸范"),
            person(5, "戊", "戊单位", titles="全国劳动模范、省劳动模范", years="2020、2018、2016"),
            person(6, "己", "己单位", titles="全国工人先锋号"),
        ],
    )
    db = empty_archive.db()
    before = counts(db)
    plan, done = import_file(empty_archive, path)
    assert done is None and not plan.ok
    found = {(p.row, p.column, p.message) for p in plan.errors}
    # the sheet's own row numbers: 4 title/header rows, then each record + 2 blank rows
    assert (8, "姓　名", "姓名或集体名称不能为空") in found
    assert (11, "出生年月", "出生月份 13 不合理") in found
    assert (
        14,
        "荣誉称号",
        "荣誉称号“全国劳动摸范”不在称号表中，是否应为“全国劳动模范”？"
        "如确是新称号，请先在后台“荣誉称号”中添加",
    ) in found
    assert (17, "授予年份", "荣誉称号有 2 个，授予年份却有 3 个，无法一一对应") in found
    assert (20, "荣誉称号", "“全国工人先锋号”不授予个人") in found
    with pytest.raises(importer.ImportRefused):
        importer.commit(db, plan, empty_archive.config["MEDIA_DIR"])
    assert counts(db) == before


def test_csv_in_every_encoding_curators_save(empty_archive, tmp_path):
    header = "姓名,性别,出生年月,工作单位,地区,荣誉称号,授予年份,身份证号\n"
    line = "{},女,1988.07,温州某医院,温州市鹿城区,全国五一劳动奖章,2021,330000198807070000\n"
    for i, encoding in enumerate(("utf-8", "utf-8-sig", "gb18030")):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes((header + line.format(f"测试{i}号")).encode(encoding))
        plan, done = import_file(empty_archive, path)
        assert plan.ok and done["create"] == 1, plan.report()
        assert plan.sheet.dropped == ["身份证号"]
    names = [r[0] for r in empty_archive.db().execute("SELECT name FROM honorees ORDER BY id")]
    assert names == ["测试0号", "测试1号", "测试2号"]


def test_reimporting_proposes_changes_instead_of_duplicating(empty_archive, tmp_path):
    rows = [person(1, "张三", "甲厂"), person(2, "李四", "乙厂")]
    path = messy_xlsx(tmp_path / "a.xlsx", rows)
    import_file(empty_archive, path)
    db = empty_archive.db()
    before = counts(db)
    plan, done = import_file(empty_archive, path)
    assert done["unchanged"] == 2 and done["create"] == 0
    assert counts(db)["honorees"] == 2 and counts(db)["revisions"] == before["revisions"]
    # the same people with a new honour and a changed industry
    rows[0][HEADERS.index("荣誉称号")] = "全国劳动模范、省劳动模范"
    rows[0][HEADERS.index("授予年份")] = "2020、2015"
    rows[0][HEADERS.index("行业")] = "装备制造"
    plan, done = import_file(empty_archive, messy_xlsx(tmp_path / "b.xlsx", rows))
    assert (done["propose"], done["update"], done["unchanged"], done["create"]) == (1, 0, 1, 0)
    # never applied silently: the record is as it was until a curator applies the change
    zhang = db.execute("SELECT * FROM honorees WHERE name = '张三'").fetchone()
    assert zhang["industry"] == "制造业" and zhang["version"] == 1
    assert counts(db)["index_outbox"] == before["index_outbox"]
    [proposal] = proposals.pending(db)
    proposals.apply(db, proposal["id"])
    zhang = db.execute("SELECT * FROM honorees WHERE name = '张三'").fetchone()
    assert zhang["industry"] == "装备制造" and zhang["version"] == 2
    assert sorted(
        r[0] for r in db.execute("SELECT year FROM honours WHERE honoree_id = ?", [zhang["id"]])
    ) == [2015, 2020]
    assert (
        db.execute(
            "SELECT action FROM revisions WHERE record_id = ? ORDER BY id DESC", [zhang["id"]]
        ).fetchone()[0]
        == "import-proposal"
    )
    assert counts(db)["index_outbox"] == before["index_outbox"] + 1


def test_same_name_other_unit_waits_for_a_decision(empty_archive, tmp_path, make_honoree):
    existing = make_honoree(name="王芳", unit="杭州某医院")
    path = messy_xlsx(
        tmp_path / "dup.xlsx", [person(1, "王芳", "宁波某学校"), person(2, "赵六", "某厂")]
    )
    db = empty_archive.db()
    before = counts(db)
    plan, done = import_file(empty_archive, path)
    assert done is None and not plan.errors and len(plan.undecided) == 1
    assert plan.duplicates[0].candidates[0]["id"] == existing
    assert counts(db) == before  # undecided: nothing written

    plan, done = import_file(empty_archive, path, policy="skip")
    assert (done["create"], done["skip"]) == (1, 1)
    plan, done = import_file(empty_archive, path, decisions={5: "create"})
    assert done["create"] == 1
    assert db.execute("SELECT count(*) FROM honorees WHERE name = '王芳'").fetchone()[0] == 2


def test_the_callers_record_of_an_import_shares_its_transaction(empty_archive, tmp_path):
    db = empty_archive.db()

    def audit(db, summary):  # what the back office's audit log will do
        db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)",
            [f"audit-{summary['import_id']}", json.dumps(summary)],
        )

    def failing_audit(db, summary):
        raise RuntimeError("the audit write failed")

    first = messy_xlsx(tmp_path / "a.xlsx", [person(1, "张三", "甲厂")])
    plan, done = importer.run(db, first, empty_archive.config["MEDIA_DIR"], within=audit)
    stored = db.execute(
        "SELECT value FROM settings WHERE key = ?", [f"audit-{done['import_id']}"]
    ).fetchone()[0]
    assert json.loads(stored)["create"] == 1
    before = counts(db)
    second = messy_xlsx(tmp_path / "b.xlsx", [person(1, "李四", "乙厂")])
    with pytest.raises(RuntimeError):
        importer.run(db, second, empty_archive.config["MEDIA_DIR"], within=failing_audit)
    assert counts(db) == before


def test_a_row_repeated_inside_one_file_is_folded_or_an_error(empty_archive, tmp_path):
    # the same row twice: one record, with a notice
    path = messy_xlsx(
        tmp_path / "twice.xlsx", [person(1, "张三", "甲厂"), person(2, "张三", "甲厂")]
    )
    plan, done = import_file(empty_archive, path)
    assert plan.ok and done["create"] == 1 and done["skip"] == 1
    assert any(w.row == 8 and "与第 5 行是同一人" in w.message for w in plan.warnings)
    # the same person with a field that disagrees: the curator must say which is right
    other = person(2, "李四", "乙厂")
    other[HEADERS.index("行业")] = "建筑业"
    path = messy_xlsx(tmp_path / "clash.xlsx", [person(1, "李四", "乙厂"), other])
    plan, done = import_file(empty_archive, path)
    assert [(p.row, p.message) for p in plan.errors] == [(8, "与第 5 行是同一条记录")]


def _jpeg(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 500), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def test_photos_in_a_zip_are_matched_by_name_or_number(empty_archive, tmp_path):
    path = messy_xlsx(tmp_path / "p.xlsx", [person(1, "张三", "甲厂"), person(2, "李四", "乙厂")])
    photos = tmp_path / "photos.zip"
    with zipfile.ZipFile(photos, "w") as z:
        z.writestr("照片/张三.jpg", _jpeg("red"))
        z.writestr("2.jpg", _jpeg("blue"))
        z.writestr("无名氏.jpg", _jpeg("green"))
    plan, done = import_file(empty_archive, path, photos=photos, default_status="published")
    assert plan.ok and done["photos"] == 2
    assert any("无名氏" in w.message for w in plan.warnings)
    db = empty_archive.db()
    portraits = db.execute("SELECT count(*) FROM photos WHERE is_portrait = 1").fetchone()[0]
    assert portraits == 2
    # importing the same files again adds no second copy of the same picture
    before = counts(db)
    plan, done = import_file(empty_archive, path, photos=photos)
    assert (done["update"], done["unchanged"]) == (0, 2)
    assert {k: v for k, v in counts(db).items() if k != "imports"} == {
        k: v for k, v in before.items() if k != "imports"
    }
    # a new photo for a record imported before (the sheet itself unchanged) is added
    with zipfile.ZipFile(photos, "w") as z:
        z.writestr("1.jpg", _jpeg("yellow"))
    plan, done = import_file(empty_archive, path, photos=photos)
    assert (done["update"], done["unchanged"]) == (1, 1)
    assert counts(db)["photos"] == 3


@pytest.mark.parametrize(
    "build, reason",
    [
        (lambda z: z.writestr("../../etc/evil.jpg", b"x"), "不安全的路径"),
        (lambda z: z.writestr("/abs.jpg", b"x"), "不安全的路径"),
        (lambda z: z.writestr("bomb.jpg", b"\0" * (15 * 1024 * 1024)), "压缩炸弹"),
        (
            lambda z: [z.writestr(f"{i}.jpg", b"") for i in range(importer.MAX_PHOTO_ENTRIES + 1)],
            "文件过多",
        ),
    ],
)
def test_dangerous_photo_archives_are_refused_before_unpacking(
    empty_archive, tmp_path, build, reason
):
    path = messy_xlsx(tmp_path / "p.xlsx", [person(1, "张三", "甲厂")])
    photos = tmp_path / "bad.zip"
    with zipfile.ZipFile(photos, "w", compression=zipfile.ZIP_DEFLATED) as z:
        build(z)
    db = empty_archive.db()
    before = counts(db)
    plan, done = import_file(empty_archive, path, photos=photos)
    assert done is None and any(reason in p.message for p in plan.errors), plan.report()
    assert counts(db) == before
    assert not (tmp_path.parent / "etc").exists()


KILL_SCRIPT = """
import os, sys, time
from archive import db as database
from archive.exchange import importer
db = database.connect(sys.argv[1])
def on_row(done, total):
    if done == 40:
        print("IN-TRANSACTION", flush=True)
        time.sleep(600)
importer.run(db, sys.argv[2], sys.argv[3], on_row=on_row)
"""


def test_an_import_killed_mid_transaction_leaves_the_database_as_it_was(
    empty_archive, tmp_path, make_honoree
):
    make_honoree(name="原有记录")
    rows = [person(i, f"导入{i:03d}", f"单位{i}") for i in range(1, 101)]
    path = messy_xlsx(tmp_path / "big.xlsx", rows, title_rows=False)
    db = empty_archive.db()
    before = counts(db)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILL_SCRIPT,
            empty_archive.config["DATABASE"],
            str(path),
            empty_archive.config["MEDIA_DIR"],
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        assert process.stdout.readline().strip() == b"IN-TRANSACTION"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(10)
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    assert counts(db) == before
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # and the same import then goes through
    plan, done = import_file(empty_archive, path)
    assert done["create"] == 100


def test_the_worker_runs_an_import_job_with_progress(app, empty_archive, tmp_path):
    path = messy_xlsx(tmp_path / "w.xlsx", [person(1, "张三", "甲厂")])
    report = tmp_path / "report.json"
    db = empty_archive.db()
    dry = jobs.enqueue(
        db, "import", {"path": str(path), "dry_run": True, "report_path": str(report)}
    )
    worker.run_one(app, db)
    job = jobs.get(db, dry)
    assert job["status"] == "done" and job["message"].startswith("预检通过")
    assert json.loads(report.read_text(encoding="utf-8"))["counts"]["create"] == 1
    assert counts(db)["honorees"] == 0
    real = jobs.enqueue(db, "import", {"path": str(path), "status": "published"})
    worker.run_one(app, db)
    job = jobs.get(db, real)
    assert job["status"] == "done" and "新建 1" in job["message"]
    assert db.execute("SELECT job_id FROM imports").fetchone()[0] == real
    bad = messy_xlsx(tmp_path / "bad.xlsx", [person(1, "", "甲厂")])
    failed = jobs.enqueue(db, "import", {"path": str(bad)})
    worker.run_one(app, db)
    assert jobs.get(db, failed)["status"] == "failed"
    assert "1 处错误" in jobs.get(db, failed)["error"]


def test_cli_import_dry_run_then_commit(runner, empty_archive, tmp_path):
    path = messy_xlsx(tmp_path / "c.xlsx", [person(1, "张三", "甲厂")])
    dry = runner.invoke(args=["import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "预检通过（未写入）" in dry.output and "身份证号" in dry.output
    assert counts(empty_archive.db())["honorees"] == 0
    done = runner.invoke(args=["import", str(path), "--status", "published"])
    assert done.exit_code == 0 and "新建 1" in done.output
    bad = messy_xlsx(tmp_path / "bad.xlsx", [person(1, "李四", "甲厂", birth="明年")])
    failed = runner.invoke(args=["import", str(bad)])
    assert failed.exit_code == 1 and "第 5 行【出生年月】" in failed.output


def test_the_template_imports_as_its_example(runner, empty_archive, tmp_path):
    for name in ("模板.xlsx", "模板.csv"):
        result = runner.invoke(args=["import-template", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        plan = importer.plan(empty_archive.db(), tmp_path / name)
        assert plan.ok and plan.counts()["create"] == 1, plan.report()
        assert set(plan.sheet.headers) == set(importer.TEMPLATE)
    committed = PROJECT_ROOT / "records" / "templates" / "导入模板.xlsx"
    assert importer.plan(empty_archive.db(), committed).ok


def test_files_that_are_not_spreadsheets_are_refused_with_a_reason(
    empty_archive, tmp_path, monkeypatch
):
    monkeypatch.setattr(sheets, "MAX_XLSX_UNPACKED", 4 * 1024 * 1024)  # a smaller bomb
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "")
        z.writestr("xl/worksheets/sheet1.xml", b"<" * (importer.MAX_XLSX_UNPACKED + 1))
    cases = {
        "broken.xlsx": (b"PK\x03\x04 not really a workbook", "无法打开表格文件"),
        "bomb.xlsx": (bomb.getvalue(), "疑似压缩炸弹"),
        "broken.xls": (b"\xd0\xcf\x11\xe0", "无法打开表格文件"),
        "notes.docx": (b"x", "只能导入 .xlsx、.xls 或 .csv 文件"),
        "noheader.csv": ("甲,乙\n1,2\n".encode(), "找不到表头"),
    }
    for name, (data, reason) in cases.items():
        (tmp_path / name).write_bytes(data)
        plan = importer.plan(empty_archive.db(), tmp_path / name)
        assert not plan.ok and reason in plan.errors[0].message, name


def test_a_sheet_of_collectives_with_tabs_and_a_kind_column(empty_archive, tmp_path):
    path = tmp_path / "集体.csv"
    path.write_text(
        "类别\t集体名称\t集体类型\t地区\t荣誉称号\t授予年份\t级别\n"
        "集体\t某某公司检修班\t班组\t舟山市定海区\t全国工人先锋号\t2021\t全国\n"
        "集体\t某某医院\t单位\t温州\t省五一劳动奖状、全国五一劳动奖状\t2019，2022\t\n",
        encoding="utf-8",
    )
    plan, done = import_file(empty_archive, path, default_status="published")
    assert plan.ok and done["create"] == 2, plan.report()
    rows = {r["name"]: dict(r) for r in empty_archive.db().execute("SELECT * FROM honorees")}
    assert rows["某某公司检修班"]["kind"] == "collective"
    assert rows["某某公司检修班"]["collective_type"] == "team"
    assert rows["某某公司检修班"]["county"] == "定海区"
    assert (rows["某某医院"]["city"], rows["某某医院"]["county"]) == ("温州市", None)
    assert rows["某某医院"]["latest_year"] == 2022


def test_every_committed_import_is_in_the_audit_log(empty_archive, tmp_path):
    from archive.catalogue import audit
    from archive.exchange import importer

    sheet = tmp_path / "名单.csv"
    sheet.write_text(
        "姓名,工作单位及职务,荣誉称号,授予年份\n审计人,审计厂,省劳动模范,2021\n", encoding="utf-8"
    )
    db = empty_archive.db()
    importer.run(db, sheet, empty_archive.config["MEDIA_DIR"])
    entries = [e for e in audit.recent(db) if e["action"] == "import"]
    assert len(entries) == 1 and "名单.csv" in entries[0]["detail"]
