"""One cell at a time: what offices type for 'not applicable', birth dates typed as
numbers or text, and a summary taken from a story."""

from __future__ import annotations

import datetime as dt

import pytest

from archive.exchange import cells, sheets


@pytest.mark.parametrize(
    "value", ["/", "／", "—", "——", "-", "无", "不详", "  /  ", "暂无", None, ""]
)
def test_placeholders_are_empty(value):
    assert cells.is_placeholder(value)
    assert cells.word_of(value) is None
    assert cells.birth_of(value).year is None


@pytest.mark.parametrize("value", ["男", "汉族", "1975.03", "无锡"])
def test_real_values_are_not_placeholders(value):
    assert not cells.is_placeholder(value)


@pytest.mark.parametrize(
    "value, year, month",
    [
        ("1990.1", 1990, 1),
        ("1990.10", 1990, 10),
        (1990.12, 1990, 12),
        (1990.05, 1990, 5),
        (1990.3, 1990, 3),
        ("1975年3月", 1975, 3),
        ("1975-03-01", 1975, 3),
        ("197503", 1975, 3),
        ("1975", 1975, None),
        (1975, 1975, None),
        ("1975年", 1975, None),
        (dt.datetime(1968, 11, 2), 1968, 11),
        (27454.0, 1975, 3),
        ("１９８８．０７", 1988, 7),
    ],
)
def test_birth_dates_as_offices_type_them(value, year, month):
    birth = cells.birth_of(value)
    assert (birth.year, birth.month, birth.warning) == (year, month, None)


def test_a_number_cell_1990_1_is_a_year_with_the_month_unknown_and_a_warning():
    birth = cells.birth_of(1990.1)
    assert (birth.year, birth.month) == (1990, None)
    assert "1990.1" in birth.warning and "1 月" in birth.warning and "10 月" in birth.warning


@pytest.mark.parametrize(
    "value, message", [("1975.13", "月份 13"), ("明年", "无法识别"), ("1875", "不合理")]
)
def test_impossible_birth_dates_are_errors(value, message):
    with pytest.raises(ValueError, match=message):
        cells.birth_of(value)


def test_a_summary_is_the_first_sentence_within_sixty_characters():
    assert cells.first_sentence("他是一名焊工。三十年如一日。") == "他是一名焊工"
    long = "他" + "在高原铁路线上" * 12 + "，坚守了三十年。后来……"
    summary = cells.first_sentence(long)
    assert len(summary) <= 60 and summary.endswith("…")
    assert cells.is_one_sentence("环卫岗位上的老黄牛。")
    assert not cells.is_one_sentence("第一句。第二句。")


@pytest.mark.parametrize(
    "row, why",
    [
        (["填报人：张三", None, "审核人：李四", "联系电话：0898-1234567"], "落款"),
        (["说明：1. 集体不填性别；2. 地区写到县。", None, None, None], "说明"),
        (["注：以上名单已公示", None, None, None], "说明"),
        ([None, "合计", None, None], "合计"),
        (["12", None, None, None], "序号"),
    ],
)
def test_lines_under_the_data_that_are_not_honorees(row, why):
    assert why in sheets.noise(row, 1)


@pytest.mark.parametrize(
    "row",
    [
        ["1", "张三", "男", "全国劳动模范"],
        [None, "李四", None, None],  # an incomplete row: validated, not hidden
        ["2", "注塑车间", None, "省工人先锋号"],
    ],
)
def test_honoree_rows_are_not_noise(row):
    assert sheets.noise(row, 1) is None


def test_a_header_repeated_on_every_printed_page_is_skipped(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text(
        "序号,姓名,荣誉称号,授予年份\n1,张三,全国劳动模范,2020\n"
        "序号,姓名,荣誉称号,授予年份\n2,李四,全国劳动模范,2020\n",
        encoding="utf-8",
    )
    sheet = sheets.read(path)
    assert [cells[1] for _, cells in sheet.rows] == ["张三", "李四"]
    assert sheet.skipped == [(3, "重复的表头行")]
