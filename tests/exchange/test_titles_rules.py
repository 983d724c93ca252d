"""Rules for honour titles an import has not seen (archive/exchange/titles.py)."""

import pytest

from archive.catalogue.vocabulary import TITLES
from archive.exchange.titles import close_title, infer_conferred_on, infer_level

KNOWN = [title for title, _, _ in TITLES]


@pytest.mark.parametrize("title, level, conferred_on", TITLES)
def test_seeded_vocabulary_is_inferred_as_curated(title, level, conferred_on):
    assert infer_level(title) == level
    assert infer_conferred_on(title, None) == conferred_on


@pytest.mark.parametrize(
    "title, level",
    [
        ("全国劳动模范", "national"),
        ("全国三八红旗手", "national"),
        ("全国技术能手", "national"),
        ("全国模范教师", "national"),
        ("全国铁路劳动模范", "industry"),
        ("全国金融五一劳动奖章", "industry"),
        ("全国邮政先进工作者", "industry"),
        ("全国民航五一劳动奖章", "industry"),
        ("全国电力行业技术能手", "industry"),
        ("全国煤炭工业劳动模范", "industry"),
        ("全国教育系统先进工作者", "industry"),
        ("全国卫生系统先进个人", "industry"),
        ("全国文化系统先进集体", "industry"),
        ("中华全国总工会五一巾帼标兵", "national"),
        ("大国工匠", "national"),
        ("中国青年五四奖章", "national"),
        ("中华技能大奖", "national"),
        ("海南省劳动模范", "provincial"),
        ("湖南省劳动模范", "provincial"),
        ("广东省五一劳动奖章", "provincial"),
        ("海南工匠", "provincial"),
        ("北京市劳动模范", "provincial"),
        ("重庆英才", "provincial"),
        ("宁夏回族自治区劳动模范", "provincial"),
        ("齐鲁工匠", "provincial"),
        ("三秦工匠", "provincial"),
        ("八桂工匠", "provincial"),
        ("荆楚工匠", "provincial"),
        ("南粤工匠", "provincial"),
        ("省劳动模范", "provincial"),
        ("海口市五一劳动奖章", "municipal"),
        ("海口工匠", "municipal"),
        ("杭州市劳动模范", "municipal"),
        ("儋州工匠", "municipal"),
        ("五指山市劳动模范", "municipal"),
        ("陵水黎族自治县劳动模范", "municipal"),
        ("恩施州劳动模范", "municipal"),
        ("市劳动模范", "municipal"),
        ("中国石化劳动模范", "industry"),
        ("国家电网公司劳动模范", "industry"),
        ("铁路劳动模范", "industry"),
        ("海南省金融系统先进工作者", "industry"),
        ("省教科文卫工会先进个人", "industry"),
        ("五一劳动奖章", "provincial"),  # no place: the archive's own province
        ("工人先锋号", "provincial"),
    ],
)
def test_infer_level(title, level):
    assert infer_level(title) == level


@pytest.mark.parametrize(
    "title, kind, conferred_on",
    [
        ("海南省五一劳动奖状", None, "collective"),
        ("全国工人先锋号", "individual", "collective"),
        ("先进集体", None, "collective"),
        ("优秀班组", None, "collective"),
        ("巾帼文明岗", None, "collective"),
        ("青年文明号", None, "collective"),
        ("党员示范岗", None, "collective"),
        ("海口市五一劳动奖章", "collective", "individual"),
        ("齐鲁工匠", None, "individual"),
        ("省先进工作者", None, "individual"),
        ("岗位技术标兵", None, "individual"),
        ("技术能手", None, "individual"),
        ("全国劳动模范", None, "individual"),
        ("年度突出贡献奖", "collective", "collective"),
        ("年度突出贡献奖", None, "individual"),
        ("年度突出贡献奖", "individual", "individual"),
    ],
)
def test_infer_conferred_on(title, kind, conferred_on):
    assert infer_conferred_on(title, kind) == conferred_on


@pytest.mark.parametrize(
    "title, known, expected",
    [
        ("全国劳动摸范", KNOWN, "全国劳动模范"),
        ("全国先进工做者", KNOWN, "全国先进工作者"),
        ("全国五一劳动奖彰", KNOWN, "全国五一劳动奖章"),
        ("全国五一劳动奖壮", KNOWN, "全国五一劳动奖状"),  # 壮 sounds like 状, not 章
        ("海南省劳动摸范", KNOWN + ["海南省劳动模范"], "海南省劳动模范"),
        ("海南省劳动摸范", KNOWN, "省劳动模范"),
        ("河南省劳动模范", KNOWN + ["湖南省劳动模范"], None),  # another province: a new title
        ("海南省劳动模范", KNOWN, None),
        ("海口市劳动模范", KNOWN, None),
        ("湖北省五一劳动奖状", KNOWN, None),
        ("全国劳动模范", KNOWN, None),  # known
        ("巧匠", ["工匠"], None),  # too short to call a typo
        ("海南巧匠", ["海南工匠"], None),
        ("全国优秀农民工", KNOWN, None),
        ("浙江省劳动模笵", ["湖南省劳动模范", "全国劳动模范"], "湖南省劳动模范"),
    ],
)
def test_close_title(title, known, expected):
    assert close_title(title, known) == expected
