"""archive.exchange.unitpost.split: 工作单位及职务 cells into unit and post (issue 15)."""

from __future__ import annotations

import dataclasses

import pytest

from archive.exchange.unitpost import TRIM, Split, split
from bench.unit_split import evaluate, load_labelled

LABELLED = load_labelled()

# Written after the rule, never in the TSV and not used to tune the suffix or post lists
# (one change was made after seeing them: a TAIL-kind post such as 采矿工 no longer needs
# a stem that does not end like a unit). cell, unit, position.
HELD_OUT = [
    (
        "国网福建省电力有限公司厦门供电公司变电运维中心值班长",
        "国网福建省电力有限公司厦门供电公司变电运维中心",
        "值班长",
    ),
    (
        "中国铁路兰州局集团有限公司兰州西车辆段车辆钳工",
        "中国铁路兰州局集团有限公司兰州西车辆段",
        "车辆钳工",
    ),
    ("昆明医科大学第一附属医院麻醉科主任", "昆明医科大学第一附属医院麻醉科", "主任"),
    ("江西省赣州市于都县第三中学语文教师", "江西省赣州市于都县第三中学", "语文教师"),
    ("安徽省阜阳市颍上县小张庄村党总支书记", "安徽省阜阳市颍上县小张庄村", "党总支书记"),
    ("长城汽车股份有限公司\n总装车间调整工", "长城汽车股份有限公司", "总装车间调整工"),
    (
        "广东省佛山市顺德区美的集团 厨电事业部 高级工程师",
        "广东省佛山市顺德区美的集团 厨电事业部",
        "高级工程师",
    ),
    ("中国南方电网超高压输电公司广州局 党委书记", "中国南方电网超高压输电公司广州局", "党委书记"),
    (
        "内蒙古伊利实业集团股份有限公司液态奶事业部生产经理",
        "内蒙古伊利实业集团股份有限公司液态奶事业部",
        "生产经理",
    ),
    ("中国农业银行湖南省分行 副行长", "中国农业银行湖南省分行", "副行长"),
    ("贵阳市公共交通有限公司 公交驾驶员", "贵阳市公共交通有限公司", "公交驾驶员"),
    (
        "湖南省长沙市芙蓉区环境卫生管理局清扫队队长",
        "湖南省长沙市芙蓉区环境卫生管理局清扫队",
        "队长",
    ),
    (
        "中国平煤神马集团尼龙科技有限公司聚合车间主任",
        "中国平煤神马集团尼龙科技有限公司聚合车间",
        "主任",
    ),
    (
        "西藏自治区拉萨市城关区蔡公堂乡白定村党支部书记",
        "西藏自治区拉萨市城关区蔡公堂乡白定村",
        "党支部书记",
    ),
    ("青海盐湖工业股份有限公司钾肥分公司 采矿工", "青海盐湖工业股份有限公司钾肥分公司", "采矿工"),
    ("中国航天科工集团第二研究院二〇六所研究员", "中国航天科工集团第二研究院二〇六所", "研究员"),
    (
        "广西玉柴机器股份有限公司 首席技师、高级技师",
        "广西玉柴机器股份有限公司",
        "首席技师、高级技师",
    ),
    ("厦门市思明区鹭江街道营平社区居委会主任", "厦门市思明区鹭江街道营平社区", "居委会主任"),
    (
        "黑龙江省北大荒农垦集团有限公司建三江分公司七星农场职工",
        "黑龙江省北大荒农垦集团有限公司建三江分公司七星农场",
        "职工",
    ),
    ("海南省陵水黎族自治县英州镇", "海南省陵水黎族自治县英州镇", None),
    ("东风汽车集团有限公司技术中心", "东风汽车集团有限公司技术中心", None),
    ("中国石油长庆油田分公司第三采油厂 采油工", "中国石油长庆油田分公司第三采油厂", "采油工"),
    ("山东省淄博市张店区个体工商户", "山东省淄博市张店区", "个体工商户"),
    (
        "中国电建集团成都勘测设计研究院有限公司 总工程师",
        "中国电建集团成都勘测设计研究院有限公司",
        "总工程师",
    ),
    ("福建省福州市鼓楼区军门社区党委书记", "福建省福州市鼓楼区军门社区", "党委书记"),
    ("中国人民解放军第四七〇二工厂 高级技师", "中国人民解放军第四七〇二工厂", "高级技师"),
    ("美团外卖配送员", "美团外卖", "配送员"),
    ("临沂市兰山区环卫处环卫工人", "临沂市兰山区环卫处", "环卫工人"),
    (
        "中国东方航空股份有限公司云南分公司飞行部副总经理、机长",
        "中国东方航空股份有限公司云南分公司飞行部",
        "副总经理、机长",
    ),
    ("中国工商银行宁波分行营业部", "中国工商银行宁波分行营业部", None),
    ("四川省阿坝州汶川县映秀镇中心学校校长", "四川省阿坝州汶川县映秀镇中心学校", "校长"),
    (
        "湖北省宜昌市夷陵区乐天溪镇莲沱村村委会主任",
        "湖北省宜昌市夷陵区乐天溪镇莲沱村",
        "村委会主任",
    ),
    (
        "中国建筑第二工程局有限公司华南分公司钢筋工",
        "中国建筑第二工程局有限公司华南分公司",
        "钢筋工",
    ),
    (
        "中国铁路昆明局集团有限公司昆明客运段 列车长",
        "中国铁路昆明局集团有限公司昆明客运段",
        "列车长",
    ),
    ("三一重工股份有限公司泵送事业部装配钳工", "三一重工股份有限公司泵送事业部", "装配钳工"),
    ("宁夏回族自治区银川市兴庆区掌政镇农民", "宁夏回族自治区银川市兴庆区掌政镇", "农民"),
    (
        "山西省大同市煤矿集团有限责任公司塔山煤矿机电队电工班班长",
        "山西省大同市煤矿集团有限责任公司塔山煤矿机电队电工班",
        "班长",
    ),
    (
        "中国电信股份有限公司上海分公司客服中心话务员",
        "中国电信股份有限公司上海分公司客服中心",
        "话务员",
    ),
    ("苏州工业园区星海实验中学 教师", "苏州工业园区星海实验中学", "教师"),
    ("海口市琼山区大坡镇卫生院 护士长", "海口市琼山区大坡镇卫生院", "护士长"),
]


def _gap_only_separators(cell: str, result: Split) -> bool:
    """Whether the stripped cell is ``unit + gap + position`` with a gap of separators."""
    text = cell.strip(TRIM)
    unit, position = result.unit or "", result.position or ""
    if not (text.startswith(unit) and text.endswith(position)):
        return False
    if len(unit) + len(position) > len(text):
        return False
    gap = text[len(unit) : len(text) - len(position)]
    return all(ch in TRIM or ch.isspace() for ch in gap)


def test_labelled_set_is_large_and_varied():
    assert len(LABELLED) >= 220
    assert len({cell for cell, _, _ in LABELLED}) == len(LABELLED)
    assert sum(position is None for _, _, position in LABELLED) >= 20  # units only
    assert sum(unit is None for _, unit, _ in LABELLED) >= 3  # posts only
    assert sum("\n" in cell for cell, _, _ in LABELLED) >= 10
    assert sum("\u3000" in cell for cell, _, _ in LABELLED) >= 2


def test_accuracy_on_labelled_set():
    accuracy, misses = evaluate(LABELLED)
    assert accuracy >= 0.95, misses


@pytest.mark.parametrize("cell, unit, position", LABELLED)
def test_no_characters_lost(cell, unit, position):
    assert _gap_only_separators(cell, split(cell))


def test_held_out_cells_are_not_in_the_labelled_set():
    labelled = {cell for cell, _, _ in LABELLED}
    assert not labelled & {cell for cell, _, _ in HELD_OUT}


def test_accuracy_on_held_out_cells():
    accuracy, misses = evaluate(HELD_OUT)
    assert accuracy >= 0.9, misses
    assert all(_gap_only_separators(cell, split(cell)) for cell, _, _ in HELD_OUT)


@pytest.mark.parametrize(
    "cell, unit, position",
    [
        HELD_OUT[0],
        HELD_OUT[5],
        HELD_OUT[6],
        HELD_OUT[13],
        HELD_OUT[16],
        HELD_OUT[19],
        HELD_OUT[28],
        HELD_OUT[30],
        HELD_OUT[31],
        HELD_OUT[36],
    ],
)
def test_held_out_examples(cell, unit, position):
    assert (split(cell).unit, split(cell).position) == (unit, position)


@pytest.mark.parametrize(
    "cell, unit, position",
    [
        ("海口市美兰区环卫站\n环卫工人", "海口市美兰区环卫站", "环卫工人"),
        ("海口市美兰区环卫站\r\n环卫工人", "海口市美兰区环卫站", "环卫工人"),
        (
            "中国石化海南炼油化工有限公司 党委书记、董事长",
            "中国石化海南炼油化工有限公司",
            "党委书记、董事长",
        ),
        ("中国石化海南炼油化工有限公司\u3000党委书记", "中国石化海南炼油化工有限公司", "党委书记"),
        ("中国石化海南炼油化工有限公司   \u3000 董事长", "中国石化海南炼油化工有限公司", "董事长"),
        # a space inside the unit name: the last separator with a post on its right
        ("三亚市人民医院 急诊科 主任医师", "三亚市人民医院 急诊科", "主任医师"),
        ("国网海南省电力有限公司 海口供电局", "国网海南省电力有限公司 海口供电局", None),
        # the post after the space holds a sub-unit: cut after the sub-unit instead
        (
            "国网某省电力公司某供电公司 配电运维班副班长",
            "国网某省电力公司某供电公司 配电运维班",
            "副班长",
        ),
        # after a line break the right side only has to end like a post
        ("某某核电有限公司\n核电站操纵员", "某某核电有限公司", "核电站操纵员"),
        ("  某某公司，班长。 ", "某某公司", "班长"),
        # posts joined across spaces stay together
        ("某公司  班长 兼 安全员", "某公司", "班长 兼 安全员"),
        ("某公司\n某分公司\n班长", "某公司\n某分公司", "班长"),
    ],
)
def test_separators(cell, unit, position):
    result = split(cell)
    assert (result.unit, result.position) == (unit, position)
    if position:
        assert result.certain


@pytest.mark.parametrize(
    "cell, unit, position",
    [
        ("国网某供电局输电运检中心带电作业班班长", "国网某供电局输电运检中心带电作业班", "班长"),
        ("某市税务局科长", "某市税务局", "科长"),
        ("某钢铁公司炼钢厂车间主任", "某钢铁公司炼钢厂", "车间主任"),
        ("某钢铁公司炼钢厂转炉车间主任", "某钢铁公司炼钢厂转炉车间", "主任"),
        ("某市人民医院急诊科主任医师", "某市人民医院急诊科", "主任医师"),
        ("某市第四中学校长", "某市第四中学", "校长"),
        ("某县某镇某村村委会主任", "某县某镇某村", "村委会主任"),
        ("某县某镇某村党支部书记兼村委会主任", "某县某镇某村", "党支部书记兼村委会主任"),
        ("某集团有限公司常务副总经理", "某集团有限公司", "常务副总经理"),
        ("某市工人文化宫", "某市工人文化宫", None),
        ("某市工人文化宫管理员", "某市工人文化宫", "管理员"),
        ("某港集装箱码头有限公司桥吊班组", "某港集装箱码头有限公司桥吊班组", None),
    ],
)
def test_posts_that_end_like_units(cell, unit, position):
    assert (split(cell).unit, split(cell).position) == (unit, position)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("海南航空控股股份有限公司机长", Split("海南航空控股股份有限公司", "机长", True)),
        ("某某公司车队", Split("某某公司车队", None, True)),  # unit only, clearly a unit
        ("某某电子商务", Split("某某电子商务", None, False)),  # no post, no org suffix
        ("顺丰速运快递员", Split("顺丰速运", "快递员", False)),  # known post, no org before it
        ("某某公司探伤工", Split("某某公司", "探伤工", False)),  # unlisted post, guessed from 工
        ("某某公司电气高级技师", Split("某某公司", "电气高级技师", True)),  # qualified known post
        ("个体工商户", Split(None, "个体工商户", True)),
        ("", Split(None, None, False)),
        ("  ，  ", Split(None, None, False)),
    ],
)
def test_certain_flag(cell, expected):
    assert split(cell) == expected


def test_split_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        split("某某公司班长").unit = "x"
