"""Pinyin of names: surnames read as surnames, every reading kept, sort order."""

import pytest

from archive.catalogue.names import readings, split_surname


@pytest.mark.parametrize(
    "name, full, initials",
    [
        ("张三丰", "zhangsanfeng", "zsf"),
        ("曾志伟", "zengzhiwei", "zzw"),
        ("单田芳", "shantianfang", "stf"),
        ("仇晓明", "qiuxiaoming", "qxm"),
        ("朴正浩", "piaozhenghao", "pzh"),
        ("区家明", "oujiaming", "ojm"),
        ("查文清", "zhawenqing", "zwq"),
        ("解放", "xiefang", "xf"),
        ("欧阳春晓", "ouyangchunxiao", "oycx"),
        ("司马南", "simanan", "smn"),
    ],
)
def test_surname_readings(name, full, initials):
    reading = readings(name)
    assert reading.full == full
    assert reading.initials == initials


def test_heteronym_surnames_keep_every_reading():
    assert set(readings("解放").all_full) == {"xiefang", "jiefang"}
    assert set(readings("查文清").all_initials) == {"zwq", "cwq"}


def test_compound_surnames_split_whole():
    assert split_surname("欧阳春晓") == ("欧阳", "春晓")
    assert split_surname("司马南") == ("司马", "南")
    assert split_surname("欧阳") == ("欧", "阳")  # a two-character name is surname + given


def test_middle_dot_names_are_read_whole():
    reading = readings("阿依古丽·买买提")
    assert reading.full == "ayigulimaimaiti"
    assert "·" not in reading.sort_key


def test_sort_key_orders_by_surname_reading():
    names = ["张伟", "曾红", "单明", "安琪", "查良"]
    ordered = sorted(names, key=lambda n: readings(n).sort_key)
    assert ordered == ["安琪", "单明", "曾红", "查良", "张伟"]  # an, shan, zeng, zha, zhang
