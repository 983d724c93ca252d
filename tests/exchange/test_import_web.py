"""Importing and exporting from the back office as a curator does it: upload a sheet,
wait for the dry run, read its report, decide the likely duplicates row by row,
confirm, and find the records; export a selection as a download."""

from __future__ import annotations

import io
import json
import re
import zipfile

import openpyxl
from PIL import Image

from archive import worker
from tests.curating import login, make_user, post

HEADERS = "序号,姓名,性别,工作单位,荣誉称号,授予年份,授予机关,身份证号,手机号码"


def csv_file(*rows: str) -> bytes:
    return ("\ufeff" + "\n".join([HEADERS, *rows]) + "\n").encode("utf-8")


def upload(
    client, data: bytes, name: str = "名单.csv", photos: bytes | None = None, status: str = "draft"
):
    form = {"sheet": (io.BytesIO(data), name), "status": status}
    if photos is not None:
        form["photos"] = (io.BytesIO(photos), "照片.zip")
    return post(
        client, "/curate/import", form, page="/curate/import", content_type="multipart/form-data"
    )


def photo_zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            image = io.BytesIO()
            Image.new("RGB", (400, 300), (120, 80, 40)).save(image, "JPEG")
            archive.writestr(name, image.getvalue())
    return buffer.getvalue()


def job_path(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert re.fullmatch(r"/curate/jobs/\d+", location), location
    return location


def run_worker(app, empty_archive) -> None:
    assert worker.run_one(app, empty_archive.db())


def count(empty_archive, table: str, where: str = "1", params=()) -> int:
    return (
        empty_archive.db()
        .execute(f"SELECT count(*) FROM {table} WHERE {where}", list(params))
        .fetchone()[0]
    )


def test_a_messy_sheet_gets_a_report_by_row_and_nothing_is_written(app, curator, empty_archive):
    sheet = csv_file(
        "1,张三,男,杭州机床厂,全国劳动模范,2020,国务院,330102197503011234,13800000000",
        "2,,男,杭州机床厂,全国劳动模范,2020,国务院,,",
        "3,李四,女,宁波港,全国劳动模范,二零二零,国务院,,",
    )
    page = job_path(upload(curator, sheet))
    waiting = curator.get(page).get_data(as_text=True)
    assert "排队中" in waiting and 'http-equiv="refresh"' in waiting
    run_worker(app, empty_archive)
    html = curator.get(page).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html
    assert "已忽略个人信息列：身份证号、手机号码" in html
    assert "330102197503011234" not in html
    errors = re.search(r'<table class="list import-errors">(.*?)</table>', html, re.S).group(1)
    assert "第 3 行" in errors and "第 4 行" in errors  # the file's own row numbers
    assert "授予年份" in errors  # the column as the curator wrote it
    assert "确认导入" not in html  # nothing to confirm with errors
    assert count(empty_archive, "honorees") == 0
    assert count(empty_archive, "imports") == 0
    # the import page lists the job
    assert page in curator.get("/curate/import").get_data(as_text=True)


def test_a_clean_sheet_confirmed_becomes_records_with_revisions_and_an_audit_entry(
    app, curator, empty_archive
):
    sheet = csv_file(
        "1,张三,男,杭州机床厂,全国劳动模范,2020,国务院,,",
        "2,李四,女,宁波港集团,全国劳动模范,2015,国务院,,",
    )
    dry = job_path(
        upload(curator, sheet, status="review", photos=photo_zip("张三.jpg", "多余.jpg"))
    )
    run_worker(app, empty_archive)
    html = curator.get(dry).get_data(as_text=True)
    assert "预检通过" in html and "确认导入" in html
    assert "匹配到照片：1" in html and "多余" in html  # the unmatched photo is pointed out
    assert count(empty_archive, "honorees") == 0
    real = job_path(post(curator, f"{dry}/confirm", page=dry))
    assert real != dry
    assert "排队中" in curator.get(real).get_data(as_text=True)
    run_worker(app, empty_archive)
    html = curator.get(real).get_data(as_text=True)
    assert "导入完成" in html
    db = empty_archive.db()
    people = {r["name"]: dict(r) for r in db.execute("SELECT * FROM honorees")}
    assert set(people) == {"张三", "李四"}
    assert {p["status"] for p in people.values()} == {"review"}
    assert count(empty_archive, "photos", "honoree_id = ?", [people["张三"]["id"]]) == 1
    for person in people.values():
        assert f'href="/curate/honorees/{person["id"]}"' in html
        assert (
            count(
                empty_archive,
                "revisions",
                "record_type = 'honoree' AND record_id = ? AND user_id = ?",
                [person["id"], curator.user_id],
            )
            >= 1
        )
    entry = db.execute("SELECT * FROM audit_log WHERE action = 'import'").fetchone()
    assert entry["user_id"] == curator.user_id and "名单.csv" in entry["detail"]
    assert count(empty_archive, "imports", "user_id = ?", [curator.user_id]) == 1


def test_likely_duplicates_are_decided_row_by_row(app, curator, empty_archive, make_honoree):
    zhang = make_honoree(name="张三", unit="温州电厂")
    li = make_honoree(name="李四", unit="绍兴纺织厂")
    sheet = csv_file(
        "1,张三,男,杭州机床厂,全国劳动模范,2020,国务院,,",
        "2,李四,女,宁波港集团,全国劳动模范,2015,国务院,,",
        "3,王五,男,台州汽车厂,全国劳动模范,2010,国务院,,",
    )
    dry = job_path(upload(curator, sheet))
    run_worker(app, empty_archive)
    html = curator.get(dry).get_data(as_text=True)
    assert "同名待确认（2）" in html
    assert f'href="/curate/honorees/{zhang}"' in html and "温州电厂" in html
    for row in (2, 3):
        for choice in ("skip", "create", "update"):
            assert f'name="decision-{row}" value="{choice}"' in html
    # every duplicate must be decided
    refused = post(curator, f"{dry}/confirm", {"decision-2": "skip"}, page=dry)
    assert refused.status_code == 400
    assert "请为第 3 行（李四）选择" in refused.get_data(as_text=True)
    real = job_path(
        post(curator, f"{dry}/confirm", {"decision-2": "skip", "decision-3": "update"}, page=dry)
    )
    run_worker(app, empty_archive)
    html = curator.get(real).get_data(as_text=True)
    assert "导入完成" in html
    db = empty_archive.db()
    assert count(empty_archive, "honorees", "name = '张三'") == 1  # skipped
    assert count(empty_archive, "honorees", "name = '李四'") == 1  # the same person, not doubled
    # the honour joins the record; the other unit is a proposed change, not applied
    assert (
        db.execute(
            "SELECT count(*) FROM honours WHERE honoree_id = ? AND year = 2015", [li]
        ).fetchone()[0]
        == 1
    )
    assert db.execute("SELECT unit FROM honorees WHERE id = ?", [li]).fetchone()[0] == "绍兴纺织厂"
    proposal = db.execute(
        "SELECT changes FROM import_proposals WHERE honoree_id = ?", [li]
    ).fetchone()[0]
    assert "宁波港集团" in proposal
    assert count(empty_archive, "honorees", "name = '王五'") == 1  # new
    assert f'href="/curate/honorees/{li}"' in html and "更新" in html


def test_a_sheet_changed_after_the_dry_run_is_refused(app, curator, empty_archive):
    dry = job_path(upload(curator, csv_file("1,张三,男,杭州机床厂,全国劳动模范,2020,国务院,,")))
    run_worker(app, empty_archive)
    job_id = int(dry.rsplit("/", 1)[1])
    params = json.loads(
        empty_archive.db().execute("SELECT params FROM jobs WHERE id = ?", [job_id]).fetchone()[0]
    )
    with open(params["path"], "ab") as f:
        f.write("2,李四,女,宁波港,全国劳动模范,2015,国务院,,\n".encode())
    refused = post(curator, f"{dry}/confirm", page=dry)
    assert refused.status_code == 400
    assert "预检之后有了改动" in refused.get_data(as_text=True)
    assert count(empty_archive, "jobs") == 1


def test_anonymous_and_printer_users_are_refused(app, empty_archive, client):
    assert client.get("/curate/import").status_code == 302
    assert client.get("/curate/export?format=csv").status_code == 302
    make_user(empty_archive, "printer1", "printer")
    login(client, "printer1")
    assert client.get("/curate/import").status_code == 403
    assert client.get("/curate/import/template.xlsx").status_code == 403
    assert client.get("/curate/export?format=csv").status_code == 403
    response = post(
        client,
        "/curate/import",
        {"sheet": (io.BytesIO(csv_file()), "a.csv")},
        page="/curate/password",
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert count(empty_archive, "jobs") == 0


def test_too_large_or_not_a_spreadsheet_is_refused_in_chinese(app, curator, empty_archive):
    app.config["IMPORT_MAX_MB"] = 1
    big = csv_file(
        *[f"{i},张三{i},男,杭州机床厂,全国劳动模范,2020,国务院,," for i in range(40_000)]
    )
    assert len(big) > 1_000_000
    response = upload(curator, big)
    assert response.status_code == 413
    assert "表格文件太大，不能超过 1 MB" in response.get_data(as_text=True)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    for data, name, message in (
        (png, "照片.png", "只能导入 .xlsx、.xls 或 .csv"),
        (png, "名单.csv", "这不是 CSV 文本表格"),
        (b"PK\x03\x04 not really", "名单.xlsx", "这不是有效的 Excel"),
        (b"PK\x03\x04 a zip", "名单.xls", "这不是有效的旧版 Excel"),
    ):
        response = upload(curator, data, name)
        assert response.status_code == 400, name
        assert message in response.get_data(as_text=True), name
    response = upload(
        curator, csv_file("1,张三,男,杭州机床厂,全国劳动模范,2020,国务院,,"), photos=b"not a zip"
    )
    assert response.status_code == 400
    assert "照片压缩包必须是 ZIP 文件" in response.get_data(as_text=True)
    assert count(empty_archive, "jobs") == 0
    folder = empty_archive.root / "instance" / "imports"
    assert not folder.exists() or not any(folder.iterdir())  # refused uploads not kept


def test_the_template_downloads(curator):
    response = curator.get("/curate/import/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    headers = [c.value for c in next(book.active.iter_rows(max_row=1))]
    assert "姓名/集体名称" in headers and "荣誉称号" in headers


def test_export_downloads_have_no_live_formulas(curator, make_honoree):
    make_honoree(name="王六", unit='=HYPERLINK("http://evil.example","点我")', summary="+1+1")
    make_honoree(name="赵七", status="draft")
    html = curator.get("/curate/").get_data(as_text=True)
    assert 'href="/curate/import"' in html
    response = curator.get("/curate/export?format=xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    values = [c.value for c in cells]
    assert '\'=HYPERLINK("http://evil.example","点我")' in values
    assert "王六" in values and "赵七" not in values  # published only unless asked
    text = curator.get("/curate/export?format=csv&all=1").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "赵七" in text
    data = json.loads(curator.get("/curate/export?format=json&kind=individual").data)
    assert data["count"] == 1
    bad = curator.get("/curate/export?format=exe")
    assert bad.status_code == 400 and "导出格式" in bad.get_data(as_text=True)


PYTHON_TEXT = ("<built-in", "object at 0x", "None", "Traceback", "Error")


def _confirmed_import(app, curator, empty_archive, *rows: str, status: str = "draft") -> str:
    dry = job_path(upload(curator, csv_file(*rows), status=status))
    run_worker(app, empty_archive)
    real = job_path(post(curator, f"{dry}/confirm", page=dry))
    run_worker(app, empty_archive)
    return real


def test_a_finished_import_report_shows_its_counts_as_numbers_and_no_python_text(
    app, curator, empty_archive, make_honoree
):
    make_honoree(
        name="李四",
        unit="宁波港集团",
        honours=[{"title": "全国劳动模范", "year": 2015, "body": "国务院"}],
    )
    page = _confirmed_import(
        app,
        curator,
        empty_archive,
        "1,张三,男,杭州机床厂,全国劳动模范,2020,国务院,,",
        "2,王五,男,台州汽车厂,全国劳动模范,2010,国务院,,",
        "3,李四,女,宁波港集团,全国劳动模范,2015,国务院,,",
    )
    html = curator.get(page).get_data(as_text=True)
    for text in PYTHON_TEXT:
        assert text not in html, text
    report = re.search(r'<ul class="counts">(.*?)</ul>', html, re.S).group(1)
    counts = dict(re.findall(r"<li>(新建|更新|待确认的修改|未变|跳过)：(\d+)</li>", report))
    # 李四 would gain a gender: a change proposed to the curator, never applied silently
    assert counts == {"新建": "2", "更新": "0", "待确认的修改": "1", "未变": "0", "跳过": "0"}
    assert "导入完成" in html and "已导入：新建 2，更新 0，待确认修改 1，未变 0，跳过 0" in html
    assert 'http-equiv="refresh"' not in html and "data-poll" not in html
    assert '<progress max="3" value="3">' in html


def test_the_job_page_and_its_json_status_follow_the_job(app, curator, empty_archive):
    from archive import jobs

    page = job_path(
        upload(
            curator,
            csv_file(
                "1,张三,男,杭州机床厂,全国劳动模范,2020,国务院,,",
                "2,李四,女,宁波港,全国劳动模范,二零二零,国务院,,",
            ),
        )
    )
    status_url = f"{page}/status"
    queued = curator.get(status_url)
    assert queued.status_code == 200 and queued.headers["Cache-Control"] == "private, no-store"
    assert queued.json["status"] == "queued" and queued.json["finished"] is False
    html = curator.get(page).get_data(as_text=True)
    assert "排队中" in html and f'data-poll="{status_url}"' in html
    assert '<noscript><meta http-equiv="refresh"' in html  # the fallback without scripts
    # the worker takes the job and reports a stage
    db = empty_archive.db()
    job_id = int(page.rsplit("/", 1)[1])
    assert jobs.claim(db)["id"] == job_id
    jobs.report(db, job_id, 3, 10, "正在校验")
    running = curator.get(status_url).json
    assert running == {
        "id": job_id,
        "status": "running",
        "finished": False,
        "headline": "正在预检……",
        "message": "正在校验",
        "progress": 3,
        "total": 10,
    }
    html = curator.get(page).get_data(as_text=True)
    assert '<progress max="10" value="3">' in html and "正在校验" in html
    # ...and finishes (the sheet has an error): the stage message is gone
    db.execute("UPDATE jobs SET status = 'queued' WHERE id = ?", [job_id])
    db.conn.commit()
    run_worker(app, empty_archive)
    failed = curator.get(status_url).json
    assert failed["status"] == "failed" and failed["finished"] is True
    assert failed["headline"] == "预检未通过，未写入任何记录。"
    assert failed["message"].startswith("未导入：1 处错误")
    html = curator.get(page).get_data(as_text=True)
    assert "正在校验" not in html and "正在预检" not in html
    assert 'http-equiv="refresh"' not in html and "data-poll" not in html
    for text in PYTHON_TEXT:
        assert text not in html, text


def test_an_unforeseen_failure_is_explained_in_chinese(app, curator, empty_archive):
    from archive import jobs

    page = job_path(upload(curator, csv_file("1,张三,男,杭州机床厂,全国劳动模范,2020,国务院,,")))
    db = empty_archive.db()
    job_id = int(page.rsplit("/", 1)[1])
    jobs.claim(db)
    jobs.finish(db, job_id, error="KeyError: 'name'")
    html = curator.get(page).get_data(as_text=True)
    assert f"后台处理时出现意外错误，请把任务编号 {job_id} 告诉管理员" in html
    assert "KeyError" not in html and "'name'" not in html
    assert "KeyError" not in curator.get(f"{page}/status").get_data(as_text=True)


def test_the_valid_rows_go_in_and_the_others_come_back_as_a_fixup_sheet(
    app, curator, empty_archive
):
    sheet = csv_file(
        "1,张三,男,杭州机床厂,全国劳动模范,2020,国务院,,",
        "2,李四,男,宁波港集团,全国劳动模范,明年,国务院,,",
        "3,王五,女,台州汽车厂 高级技师,全国劳动模范,2010,国务院,,",
    )
    dry = job_path(upload(curator, sheet))
    run_worker(app, empty_archive)
    html = curator.get(dry).get_data(as_text=True)
    assert "只导入正确的 2 行" in html and "下载待修正表" in html
    fixup = curator.get(f"{dry}/fixup")
    assert fixup.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(fixup.data)).active.values)
    assert rows[0][-1] == "错误说明" and [r[1] for r in rows[1:]] == ["李四"]
    assert "授予年份" in rows[1][-1]
    # all or nothing stays the default: the plain confirmation is refused
    refused = post(curator, f"{dry}/confirm", {}, page=dry)
    assert refused.status_code == 400 and count(empty_archive, "honorees") == 0
    real = job_path(post(curator, f"{dry}/confirm", {"skip_invalid": "1"}, page=dry))
    run_worker(app, empty_archive)
    assert "导入完成" in curator.get(real).get_data(as_text=True)
    names = {r[0]: r[1] for r in empty_archive.db().execute("SELECT name, position FROM honorees")}
    assert names == {"张三": None, "王五": "高级技师"}
