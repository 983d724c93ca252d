"""Units are found by any fragment of their names, whatever words the segmenter
cuts them into (the unit_grams field of character bigrams): a name plus a
fragment of a unit puts that unit's person ahead of namesakes elsewhere."""

from __future__ import annotations

import pytest

from archive import search
from archive.search import queries
from archive.search.whoosh import engine as whoosh_search

pytestmark = pytest.mark.engines


@pytest.fixture
def namesakes(empty_archive, make_honoree):
    ids = {
        "南网": make_honoree(
            name="张伟",
            unit="南网超高压输电公司",
            position="带电作业班班长",
            story="常年在高山峡谷间巡检线路。",
        ),
        "浙江": make_honoree(
            name="张伟",
            unit="国网浙江电力",
            position="配电运检工",
            story="曾随队支援南网抢修，在台风后恢复供电。",
        ),
        "江苏": make_honoree(
            name="张伟", unit="江苏沙钢集团有限公司", position="轧钢工", story="改进轧钢工艺。"
        ),
        "海南": make_honoree(
            name="张伟",
            unit="海口美兰国际机场有限责任公司",
            position="机务工程师",
            story="保障航班安全。",
        ),
        "other": make_honoree(name="李娜", unit="南网超高压输电公司", story="检修变电站。"),
    }
    search.rebuild(empty_archive.db(), empty_archive.config["INDEX_DIR"])
    return empty_archive, ids


def _ids(archive, text):
    result = search.query(
        archive.db(), archive.config["INDEX_DIR"], text, page_size=50, with_facets=False
    )
    return [item["id"] for item in result.items], result.total


@pytest.mark.parametrize(
    "text, unit",
    [
        ("张伟 南网", "南网"),  # the unit's opening
        ("南网 张伟", "南网"),  # either order
        ("张伟 高压输电", "南网"),  # the middle of a unit, across the segmenter's words
        ("张伟 压输", "南网"),  # two characters of two different words
        ("张伟 浙江电力", "浙江"),
        ("张伟 美兰", "海南"),  # a place inside a unit's name
        ("张伟 沙钢", "江苏"),
        ("zhangwei 美兰", "海南"),  # the name as pinyin
    ],
)
def test_a_name_and_a_fragment_of_a_unit_put_that_unit_s_person_first(namesakes, text, unit):
    archive, ids = namesakes
    found, total = _ids(archive, text)
    assert found and found[0] == ids[unit], (text, found)
    assert ids["other"] not in found  # the name is required


def test_a_fragment_mentioned_in_a_story_ranks_below_the_unit_holding_it(namesakes):
    archive, ids = namesakes
    found, _ = _ids(archive, "张伟 南网")
    assert found[:2] == [ids["南网"], ids["浙江"]]  # 浙江's story mentions 南网


def test_a_fragment_alone_finds_everyone_of_the_unit(namesakes):
    archive, ids = namesakes
    found, total = _ids(archive, "超高压输电")
    assert sorted(found[:2]) == sorted([ids["南网"], ids["other"]]) and total == 2
    found, total = _ids(archive, "供电局")
    assert total == 0  # a fragment no unit, story or title holds finds nothing
    found, _ = _ids(archive, "兰国际机")
    assert found == [ids["海南"]]


@pytest.mark.engines("whoosh")
def test_a_fragment_does_not_run_from_the_unit_into_the_position(namesakes):
    archive, ids = namesakes
    fragment = whoosh_search._whoosh(queries.unit_fragment_query("公司带电"))
    live, searcher = whoosh_search._open(archive.config["INDEX_DIR"])
    assert (
        whoosh_search._query_bits(live, searcher, fragment, whoosh_search._Budget(float("inf")))
        == 0
    )
    assert _ids(archive, "带电作业班")[0] == [ids["南网"]]
