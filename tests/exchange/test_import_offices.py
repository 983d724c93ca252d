"""Real offices' files, built here as offices make them and imported unedited with the
plain command: title rows, a line break inside a header, a hidden drop-down sheet,
merged footnotes and sign-off lines, `/` for what does not apply to a collective,
provincial and city titles the vocabulary has never seen, honours split by ； or 、,
a GB18030 CSV with four-byte characters, namesakes in other units, and an old .xls."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import search
from archive.exchange import importer, proposals

STORY = (
    "他扎根电网检修一线二十八年，带领班组完成带电作业三千余次。" * 6
    + "先后获得多项技术革新成果，培养技术骨干四十余名。"
)
HEADER = [
    "序号",
    "姓名/集体名称",
    "性别",
    "出生年月",
    "民族",
    "工作单位\n及职务",
    "地区",
    "荣誉称号",
    "授予年份",
    "主要事迹",
    "身份证号",
    "备注",
]


def office_workbook(path, rows, *, hidden_first=True):
    """A workbook as a provincial office sends it."""
    book = openpyxl.Workbook()
    if hidden_first:  # the drop-down lists of data validation, hidden, before the data
        lists = book.active
        lists.title = "下拉选项"
        for word in ("男", "女", "/"):
            lists.append([word, "海南省劳动模范"])
        lists.sheet_state = "hidden"
        sheet = book.create_sheet("推荐名单")
    else:
        sheet = book.active
    sheet.append(["2019—2022年度全省劳动模范和先进集体名单"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(["（按姓氏笔画排序）"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    last = sheet.max_row
    sheet.append(
        ["说明：1. 集体不填写性别、出生年月；2. 地区填写到市县；3. 本表由各市总工会汇总报送。"]
    )
    sheet.merge_cells(start_row=last + 1, start_column=1, end_row=last + 1, end_column=len(HEADER))
    sheet.append(["填报人：李某某", None, None, "审核人：王某某", None, "联系电话：0898-12345678"])
    sheet.append([])
    sheet.append(["注：以上名单已经公示。"])
    book.save(path)
    return path


ROWS = [
    [
        1,
        "王　伟",
        "男",
        1990.1,
        "汉族",
        "国网海南省电力有限公司海口供电局\n带电作业班班长",
        "海口",
        "海南省劳动模范；全国五一劳动奖章",
        "2020；2022",
        STORY,
        "460100199001011234",
        "曾用名王卫",
    ],
    [
        2,
        "三亚市人民医院急诊科",
        "/",
        "/",
        "/",
        "三亚市人民医院",
        "三亚市",
        "海南省工人先锋号",
        2021,
        "24小时守护生命通道。",
        None,
        None,
    ],
    [
        3,
        "陈小红",
        "女",
        "1985.03",
        "黎族",
        "海口市美兰区环卫站 环卫工人",
        "海口市",
        "海口市劳动模范、海南工匠",
        "2019、2022",
        "环卫岗位上的老黄牛。",
        None,
        None,
    ],
    [
        4,
        "符海军",
        "男",
        "1978年6月",
        "汉",
        "中国石化海南炼油化工有限公司 首席技师",
        "省直",
        "海南省劳动模范",
        2020,
        None,
        None,
        None,
    ],
    [
        5,
        "李明",
        "男",
        "1969.12",
        "汉族",
        "海南省农垦集团 党委书记",
        "省直单位",
        "全国劳动模范",
        2020,
        "带领职工脱贫致富。",
        None,
        None,
    ],
]


def run_cli(runner, *args):
    result = runner.invoke(args=["import", *map(str, args)])
    return result


def by_name(db):
    return {
        r["name"]: dict(r) for r in db.execute("SELECT * FROM honorees WHERE deleted_at IS NULL")
    }


def honours_of(db, honoree_id):
    return [
        dict(r)
        for r in db.execute(
            "SELECT title, title_written, level, year FROM honours WHERE honoree_id = ? "
            "ORDER BY year, title",
            [honoree_id],
        )
    ]


def test_an_office_workbook_goes_in_unedited_and_every_row_comes_out_right(
    runner, empty_archive, tmp_path
):
    path = office_workbook(tmp_path / "名单.xlsx", ROWS)
    result = run_cli(runner, path, "--status", "published")
    assert result.exit_code == 0, result.output
    assert "新建 5" in result.output and "--duplicates" not in result.output
    db = empty_archive.db()
    rows = by_name(db)
    assert set(rows) == {"王伟", "三亚市人民医院急诊科", "陈小红", "符海军", "李明"}

    wang = rows["王伟"]
    # 1990.1 as a number: the year, the month unknown, and a warning naming the cell
    assert (wang["birth_year"], wang["birth_month"]) == (1990, None)
    assert "1990.1" in result.output and "出生年月" in result.output
    # the unit and post split at the line break, the raw cell kept
    assert (wang["unit"], wang["position"]) == (
        "国网海南省电力有限公司海口供电局",
        "带电作业班班长",
    )
    assert wang["unit_raw"] == "国网海南省电力有限公司海口供电局\n带电作业班班长"
    # a long 主要事迹 is the story; the summary is its first sentence, at most 60 characters
    assert wang["story"] == STORY
    assert wang["summary"] == "他扎根电网检修一线二十八年，带领班组完成带电作业三千余次"
    assert wang["note"] == "曾用名王卫"
    # titles verbatim, levels from their prefix
    assert honours_of(db, wang["id"]) == [
        {
            "title": "海南省劳动模范",
            "title_written": "海南省劳动模范",
            "level": "provincial",
            "year": 2020,
        },
        {
            "title": "全国五一劳动奖章",
            "title_written": "全国五一劳动奖章",
            "level": "national",
            "year": 2022,
        },
    ]
    assert (wang["province"], wang["city"], wang["region_code"]) == ("海南省", "海口市", "460100")

    team = rows["三亚市人民医院急诊科"]
    assert team["kind"] == "collective"
    assert (team["gender"], team["birth_year"], team["ethnicity"]) == (None, None, None)
    assert honours_of(db, team["id"])[0]["level"] == "provincial"

    chen = rows["陈小红"]
    assert (chen["unit"], chen["position"]) == ("海口市美兰区环卫站", "环卫工人")
    assert (chen["birth_year"], chen["birth_month"], chen["ethnicity"]) == (1985, 3, "黎族")
    assert [(h["title"], h["level"]) for h in honours_of(db, chen["id"])] == [
        ("海口市劳动模范", "municipal"),
        ("海南工匠", "provincial"),
    ]
    # a one-sentence 主要事迹 is the summary
    assert chen["summary"] == "环卫岗位上的老黄牛。" and not chen["story"]
    # 海口 and 海口市: one region
    assert chen["city"] == wang["city"] == "海口市"

    # 省直 and 省直单位 are not places: one 推荐单位, no region
    fu, li = rows["符海军"], rows["李明"]
    assert fu["nominator"] == li["nominator"] == "省直单位"
    assert fu["city"] is None and li["city"] is None

    # the new titles joined the vocabulary, and the report listed them
    vocabulary = {r[0]: r[1] for r in db.execute("SELECT title, level FROM honour_titles")}
    assert vocabulary["海南省劳动模范"] == "provincial"
    assert vocabulary["海口市劳动模范"] == "municipal"
    assert "海南省工人先锋号" in result.output
    # no personal data, and the footnote, sign-off and title rows were skipped, by number
    assert "460100199001011234" not in "\n".join(db.conn.iterdump())
    assert "身份证号" in result.output
    for number in (1, 2, 9, 10, 12):
        assert f"第 {number} 行" in result.output, result.output
    assert "下拉选项" in result.output


def test_the_recommending_body_is_a_facet_of_search_and_browsing(
    runner, empty_archive, tmp_path, app
):
    run_cli(runner, office_workbook(tmp_path / "a.xlsx", ROWS), "--status", "published")
    search.drain(empty_archive.db(), empty_archive.config["INDEX_DIR"])
    client = app.test_client()
    found = client.get("/api/v1/search", query_string={"q": "海南省劳动模范"}).get_json()
    assert {"value": "省直单位", "count": 2} in found["facets"]["nominator"]
    narrowed = client.get(
        "/api/v1/search", query_string={"q": "海南省劳动模范", "nominator": "省直单位"}
    ).get_json()
    assert sorted(i["name"] for i in narrowed["items"]) == ["李明", "符海军"]
    browsed = client.get("/api/v1/honorees", query_string={"facets": "1"}).get_json()
    regions = [f["value"] for f in browsed["facets"]["region"]]
    assert regions.count("海口市") == 1 and "海口" not in regions  # one place, one name
    assert {"value": "省直单位", "count": 2} in browsed["facets"]["nominator"]


def test_the_note_stays_in_the_back_office(runner, empty_archive, tmp_path, app):
    run_cli(runner, office_workbook(tmp_path / "a.xlsx", ROWS[:1]), "--status", "published")
    db = empty_archive.db()
    honoree_id = by_name(db)["王伟"]["id"]
    client = app.test_client()
    page = client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    api = client.get(f"/api/v1/honorees/{honoree_id}").get_data(as_text=True)
    assert "王伟" in page and "曾用名" not in page and "曾用名" not in api
    public = runner.invoke(args=["export", str(tmp_path / "public.csv")])
    assert public.exit_code == 0
    assert "曾用名" not in (tmp_path / "public.csv").read_text(encoding="utf-8-sig")
    everything = runner.invoke(args=["export", str(tmp_path / "all.csv"), "--all-statuses"])
    assert everything.exit_code == 0
    text = (tmp_path / "all.csv").read_text(encoding="utf-8-sig")
    assert "备注" in text and "曾用名王卫" in text


def test_a_gb18030_csv_with_namesakes_in_other_units(runner, empty_archive, tmp_path):
    run_cli(runner, office_workbook(tmp_path / "a.xlsx", ROWS), "--status", "published")
    csv_text = (
        "序号,姓名,性别,出生年月,工作单位及职务,地区,荣誉称号,授予年份,级别\r\n"
        "1,王伟,男,1975.08,儋州市那大镇中心学校 校长,儋州,海南省劳动模范,2021,省级\r\n"
        "2,𠮷祥云,女,1982.11,琼海市人民医院 护士长,琼海市,海南省五一劳动奖章,2022,省级\r\n"
        "3,陈小红,女,,海口市美兰区环卫站 班长,海口,海南省五一劳动奖章,2021,\r\n"
    )
    path = tmp_path / "导出.csv"
    path.write_bytes(csv_text.encode("gb18030"))
    dry = run_cli(runner, path, "--dry-run")
    # 王伟: another unit and another known birth date → a new record, with a notice
    assert "同名" in dry.output and "王伟" in dry.output
    # 陈小红: the same unit, a birth date missing → a decision is asked for
    assert dry.exit_code == 1 and "--duplicates" in dry.output
    done = run_cli(runner, path, "--duplicates", "update")
    assert done.exit_code == 0, done.output
    db = empty_archive.db()
    assert db.execute("SELECT count(*) FROM honorees WHERE name = '王伟'").fetchone()[0] == 2
    ji = db.execute("SELECT * FROM honorees WHERE name = '𠮷祥云'").fetchone()
    assert ji["city"] == "琼海市" and ji["position"] == "护士长"
    chen = by_name(db)["陈小红"]
    titles = [h["title"] for h in honours_of(db, chen["id"])]
    assert titles == ["海口市劳动模范", "海南省五一劳动奖章", "海南工匠"]  # honours added
    assert db.execute("SELECT count(*) FROM honorees WHERE name = '陈小红'").fetchone()[0] == 1


def test_a_typo_in_a_title_names_the_close_title_and_two_provinces_are_two_titles(
    empty_archive, tmp_path
):
    rows = [
        [1, "甲", "男", "1970.01", "汉族", "某厂 工人", "", "全国劳动摸范", 2020, "", "", ""],
        [2, "乙", "男", "1970.01", "汉族", "某厂 工人", "", "河南省劳动模范", 2020, "", "", ""],
        [3, "丙", "男", "1970.01", "汉族", "某厂 工人", "", "湖南省劳动模范", 2020, "", "", ""],
    ]
    plan = importer.plan(empty_archive.db(), office_workbook(tmp_path / "t.xlsx", rows))
    [error] = plan.errors
    assert error.row == 4 and "全国劳动模范" in error.message and "全国劳动摸范" in error.message
    assert set(plan.new_titles) == {"河南省劳动模范", "湖南省劳动模范"}


def test_good_rows_go_in_and_bad_ones_come_back_as_a_fixup_sheet(runner, empty_archive, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][3] = "明年"  # a collective with a real date: an error
    rows[2][8] = "2019、2022、2023"  # two titles, three years
    path = office_workbook(tmp_path / "名单.xlsx", rows)
    refused = run_cli(runner, path)
    assert refused.exit_code == 1 and "--skip-invalid" in refused.output
    assert empty_archive.db().execute("SELECT count(*) FROM honorees").fetchone()[0] == 0

    fixup = tmp_path / "待修正.xlsx"
    done = run_cli(runner, path, "--skip-invalid", "--fixup", fixup)
    assert done.exit_code == 0, done.output
    assert "新建 3" in done.output and "有错误未导入 2" in done.output
    sheet = openpyxl.load_workbook(fixup).active
    values = list(sheet.values)
    assert values[0][-1] == "错误说明" and [v[1] for v in values[1:]] == [
        "三亚市人民医院急诊科",
        "陈小红",
    ]
    assert "出生年月" in values[1][-1] and "授予年份" in values[2][-1]

    # the curator fixes the two rows in the fix-up sheet and imports it again
    sheet.cell(row=2, column=4).value = "/"
    sheet.cell(row=3, column=9).value = "2019、2022"
    sheet.delete_cols(sheet.max_column)
    sheet.parent.save(fixup)
    again = run_cli(runner, fixup)
    assert again.exit_code == 0 and "新建 2" in again.output, again.output
    db = empty_archive.db()
    assert db.execute("SELECT count(*) FROM honorees").fetchone()[0] == 5

    # the same sheet once more: nothing changes
    before = [tuple(r) for r in db.execute("SELECT id, version, updated_at FROM honorees")]
    revisions = db.execute("SELECT count(*) FROM revisions").fetchone()[0]
    fixed = office_workbook(tmp_path / "全部.xlsx", [r for r in ROWS])
    same = run_cli(runner, fixed)
    assert same.exit_code == 0 and "新建 0" in same.output and "未变 5" in same.output
    assert [tuple(r) for r in db.execute("SELECT id, version, updated_at FROM honorees")] == before
    assert db.execute("SELECT count(*) FROM revisions").fetchone()[0] == revisions


def test_a_changed_row_is_a_proposal_never_applied_silently(runner, empty_archive, tmp_path):
    run_cli(runner, office_workbook(tmp_path / "a.xlsx", ROWS), "--status", "published")
    db = empty_archive.db()
    rows = [list(r) for r in ROWS]
    rows[3][4] = "黎族"  # 符海军's ethnicity corrected
    rows[3][7] = "海南省劳动模范、全国五一劳动奖章"  # and a new honour
    rows[3][8] = "2020、2023"
    result = run_cli(runner, office_workbook(tmp_path / "b.xlsx", rows))
    assert result.exit_code == 0 and "待确认修改 1" in result.output, result.output
    fu = by_name(db)["符海军"]
    assert fu["ethnicity"] == "汉族" and fu["version"] == 1
    assert len(honours_of(db, fu["id"])) == 1
    # the same sheet again proposes nothing new
    run_cli(runner, office_workbook(tmp_path / "c.xlsx", rows))
    [proposal] = proposals.pending(db)
    assert proposal["honoree_id"] == fu["id"]
    assert {line["field"] for line in proposal["lines"]} == {"民族", "新增荣誉"}
    proposals.apply(db, proposal["id"])
    fu = by_name(db)["符海军"]
    assert fu["ethnicity"] == "黎族" and fu["version"] == 2
    assert [h["year"] for h in honours_of(db, fu["id"])] == [2020, 2023]
    assert (
        db.execute(
            "SELECT action FROM revisions WHERE record_id = ? ORDER BY id DESC", [fu["id"]]
        ).fetchone()[0]
        == "import-proposal"
    )
    assert not proposals.pending(db)


def test_an_old_xls_from_wps_is_read(empty_archive, tmp_path):
    xlwt = pytest.importorskip("xlwt") if False else __import__("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    lists = book.add_sheet("选项")
    lists.write(0, 0, "男")
    lists.visibility = 1  # hidden
    sheet = book.add_sheet("名单")
    for column, text in enumerate(
        ["序号", "姓名", "性别", "工作单位及职务", "荣誉称号", "授予年份"]
    ):
        sheet.write(1, column, text)
    sheet.write(0, 0, "2021年度市劳动模范名单")
    for column, value in enumerate(
        [1, "赵　强", "男", "某市公交集团 驾驶员", "海口市劳动模范", 2021]
    ):
        sheet.write(2, column, value)
    path = tmp_path / "名单.xls"
    book.save(str(path))
    plan, done = importer.run(empty_archive.db(), path, empty_archive.config["MEDIA_DIR"])
    assert plan.ok, json.dumps(plan.report(), ensure_ascii=False)
    row = empty_archive.db().execute("SELECT name, unit, position FROM honorees").fetchone()
    assert tuple(row) == ("赵强", "某市公交集团", "驾驶员")


CELLS = [
    "",
    "/",
    "—",
    "无",
    "不详",
    "男",
    "女",
    "汉族",
    "1990.1",
    "1975年3月",
    "明年",
    "2020",
    "2019、2022",
    "全国劳动模范",
    "海南省劳动模范；海南工匠",
    "全国劳动摸范",
    "某厂 班长",
    "海口",
    "省直",
    "说明：本表",
    "填报人：某",
    "合计",
    "=1+1",
    "'+86",
    "  ",
    "\n",
    "𠮷",
    "个人",
    "集体",
    "省级",
    "全国、省级",
    "1e3",
    "²",
    "9" * 30,
    "王　伟",
    "班组",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(st.sampled_from(CELLS), min_size=10, max_size=10), max_size=8),
    skip_invalid=st.booleans(),
)
def test_any_sheet_gets_a_report_never_a_traceback(
    empty_archive, tmp_path_factory, rows, skip_invalid
):
    """Whatever an office types, the archive answers with a report: the dry run never
    raises, and a commit either writes the rows it planned or refuses them whole."""
    header = [
        "序号",
        "姓名/集体名称",
        "性别",
        "出生年月",
        "民族",
        "工作单位及职务",
        "地区",
        "荣誉称号",
        "授予年份",
        "级别",
    ]
    path = tmp_path_factory.mktemp("any") / "名单.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    db = empty_archive.db()
    before = db.execute("SELECT count(*) FROM honorees").fetchone()[0]
    plan = importer.plan(db, path, skip_invalid=skip_invalid, policy="create")
    json.dumps(plan.report(), ensure_ascii=False)  # the report is plain data
    for problem in plan.errors + plan.warnings:
        assert "Traceback" not in problem.message and "object at 0x" not in problem.message
    if not plan.ok:
        with pytest.raises(importer.ImportRefused):
            importer.commit(db, plan, empty_archive.config["MEDIA_DIR"])
        assert db.execute("SELECT count(*) FROM honorees").fetchone()[0] == before
        return
    done = importer.commit(db, plan, empty_archive.config["MEDIA_DIR"])
    after = db.execute("SELECT count(*) FROM honorees").fetchone()[0]
    assert after - before == done["create"]


def test_a_workbook_with_one_sheet_for_people_and_one_for_collectives(
    runner, empty_archive, tmp_path
):
    """Offices often keep 个人 and 集体 on sheets of their own, with their own columns:
    both are read, each row by its own sheet's header, and errors name the sheet."""
    book = openpyxl.Workbook()
    people = book.active
    people.title = "先进个人"
    people.append(["序号", "姓名", "性别", "出生年月", "工作单位及职务", "荣誉称号及年份"])
    people.append(
        [1, "林海", "男", "1980.05", "海南港航控股有限公司 码头班长", "2021年海南省劳动模范"]
    )
    people.append([2, "周敏", "女", "1986.13", "海口市第一中学 教师", "2021年海南省劳动模范"])
    teams = book.create_sheet("先进集体")
    teams.append(["2021年度先进集体名单"])
    teams.append(["序号", "名称", "推荐单位", "荣誉称号", "授予年份"])
    teams.append([1, "海南电网公司带电作业班", "省直", "海南省工人先锋号", 2021])
    path = tmp_path / "两张表.xlsx"
    book.save(path)
    plan = importer.plan(empty_archive.db(), path, skip_invalid=True)
    [error] = plan.errors
    assert str(error).startswith("工作表“先进个人”第 3 行【出生年月】")
    result = run_cli(runner, path, "--skip-invalid", "--fixup", tmp_path / "fix.xlsx")
    assert result.exit_code == 0 and "新建 2" in result.output, result.output
    db = empty_archive.db()
    rows = by_name(db)
    assert rows["林海"]["kind"] == "individual" and rows["林海"]["position"] == "码头班长"
    team = rows["海南电网公司带电作业班"]
    assert team["kind"] == "collective" and team["nominator"] == "省直单位"
    assert [h["title"] for h in honours_of(db, rows["林海"]["id"])] == ["海南省劳动模范"]


@pytest.mark.parametrize(
    "written, title",
    [
        ("全国五一劳动奖章获得者", "全国五一劳动奖章"),
        ("荣获全国劳动模范称号", "全国劳动模范"),
        ("被授予全国工人先锋号荣誉称号", "全国工人先锋号"),
        ("海南省劳动模范（2020年）", "海南省劳动模范"),
    ],
)
def test_words_around_a_title_are_not_the_title(empty_archive, tmp_path, written, title):
    path = tmp_path / "名单.csv"
    path.write_text(f"姓名/集体名称,荣誉称号,授予年份\n测试甲,{written},2020\n", encoding="utf-8")
    plan = importer.plan(empty_archive.db(), path)
    assert [h["title"] for h in plan.rows[0].honours] == [title]


def test_a_long_text_under_a_summary_header_is_the_story(empty_archive, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text(
        f"姓名,荣誉称号,授予年份,事迹简介（300字以内）\n测试乙,全国劳动模范,2020,{STORY}\n",
        encoding="utf-8",
    )
    [row] = importer.plan(empty_archive.db(), path).rows
    assert row.record["story"] == STORY and len(row.record["summary"]) <= 60


def test_a_sheet_with_one_row_per_honour_gives_one_record_per_person(empty_archive, tmp_path):
    """The person's cells merged down over their honours' rows, as 表彰名单 often are."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "工作单位", "荣誉称号", "授予年份"])
    sheet.append([1, "吴建国", "儋州市供电局", "全国劳动模范", 2020])
    sheet.append([None, None, None, "海南省劳动模范", 2015])
    sheet.append([None, None, None, "海南省五一劳动奖章", 2012])
    sheet.append([2, "许丽", "三亚学院", "海南省劳动模范", 2015])
    for column in "ABC":
        sheet.merge_cells(f"{column}2:{column}4")
    path = tmp_path / "表彰名单.xlsx"
    book.save(path)
    plan, done = importer.run(empty_archive.db(), path, empty_archive.config["MEDIA_DIR"])
    assert plan.ok and done["create"] == 2, json.dumps(plan.report(), ensure_ascii=False)
    db = empty_archive.db()
    wu = by_name(db)["吴建国"]
    assert [h["year"] for h in honours_of(db, wu["id"])] == [2012, 2015, 2020]
    assert wu["unit"] == "儋州市供电局"
