"""Regions resolved against GB/T 2260 (archive/exchange/places.py)."""

import pytest

from archive.exchange import places


def where(text, known=()):
    r = places.resolve(text, known)
    return r["province"], r["city"], r["county"], r["region_code"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("海口", ("海南省", "海口市", None, "460100")),
        ("海口市", ("海南省", "海口市", None, "460100")),
        ("海南省海口市美兰区", ("海南省", "海口市", "美兰区", "460108")),
        ("海口美兰", ("海南省", "海口市", "美兰区", "460108")),
        ("美兰区", ("海南省", "海口市", "美兰区", "460108")),
        ("海南 海口 美兰", ("海南省", "海口市", "美兰区", "460108")),
        ("浙江杭州西湖", ("浙江省", "杭州市", "西湖区", "330106")),
        ("杭州市西湖区", ("浙江省", "杭州市", "西湖区", "330106")),
        ("南昌西湖区", ("江西省", "南昌市", "西湖区", "360103")),
        ("北京市朝阳区", ("北京市", "北京市", "朝阳区", "110105")),
        ("北京", ("北京市", "北京市", None, "110000")),
        ("上海浦东", ("上海市", "上海市", "浦东新区", "310115")),
        ("天津滨海新区", ("天津市", "天津市", "滨海新区", "120116")),
        ("重庆市万州区", ("重庆市", "重庆市", "万州区", "500101")),
        ("儋州", ("海南省", "儋州市", None, "460400")),
        ("海南省儋州市", ("海南省", "儋州市", None, "460400")),
        ("五指山市", ("海南省", "五指山市", None, "469001")),
        ("海南五指山", ("海南省", "五指山市", None, "469001")),
        ("陵水", ("海南省", "陵水黎族自治县", None, "469028")),
        ("仙桃", ("湖北省", "仙桃市", None, "429004")),
        ("济源市", ("河南省", "济源市", None, "419001")),
        ("东莞", ("广东省", "东莞市", None, "441900")),
        ("恩施", ("湖北省", "恩施土家族苗族自治州", None, "422800")),
        ("恩施州", ("湖北省", "恩施土家族苗族自治州", None, "422800")),
        ("恩施市", ("湖北省", "恩施土家族苗族自治州", "恩施市", "422801")),
        ("内蒙古", ("内蒙古自治区", None, None, "150000")),
        ("广西", ("广西壮族自治区", None, None, "450000")),
        ("新疆伊犁", ("新疆维吾尔自治区", "伊犁哈萨克自治州", None, "654000")),
        ("西双版纳", ("云南省", "西双版纳傣族自治州", None, "532800")),
        ("阿拉善", ("内蒙古自治区", "阿拉善盟", None, "152900")),
        ("和田地区", ("新疆维吾尔自治区", "和田地区", None, "653200")),
        ("湘西", ("湖南省", "湘西土家族苗族自治州", None, "433100")),
        ("延边州", ("吉林省", "延边朝鲜族自治州", None, "222400")),
        ("吉林", ("吉林省", None, None, "220000")),  # the province before 吉林市
        ("吉林市", ("吉林省", "吉林市", None, "220200")),
        ("海南", ("海南省", None, None, "460000")),  # not 青海's 海南藏族自治州
        ("海南州", ("青海省", "海南藏族自治州", None, "632500")),
        ("朝阳", ("辽宁省", "朝阳市", None, "211300")),  # the city before the districts
        ("长春朝阳", ("吉林省", "长春市", "朝阳区", "220104")),
        ("南京鼓楼", ("江苏省", "南京市", "鼓楼区", "320106")),
        ("福建省福州市鼓楼区", ("福建省", "福州市", "鼓楼区", "350102")),
        ("广州市天河区", ("广东省", "广州市", "天河区", "440106")),
        ("拉萨", ("西藏自治区", "拉萨市", None, "540100")),
        ("香港", ("香港特别行政区", None, None, "810000")),
        ("中国海南省海口市", ("海南省", "海口市", None, "460100")),
        ("海口市（美兰区）", ("海南省", "海口市", "美兰区", "460108")),
        ("海南省－海口市", ("海南省", "海口市", None, "460100")),
        ("宁波 北仑区", ("浙江省", "宁波市", "北仑区", "330206")),
        ("和安县", ("新疆维吾尔自治区", "和田地区", "和安县", "653229")),  # created 2024
    ],
)
def test_places_resolve_to_official_names_and_codes(text, expected):
    assert where(text) == expected


def test_label_reads_back_for_every_division():
    for code in places.names():
        r = places.resolve(places.label(*where_code(code)))
        assert r["region_code"] == code


def where_code(code):
    f = places._fields(code)
    return f["province"], f["city"], f["county"]


def test_table_covers_all_provinces_and_counties():
    names = places.names()
    assert sum(c.endswith("0000") for c in names) == 34
    assert len(names) > 3000
    assert names["460108"] == "美兰区" and "110100" not in names


@pytest.mark.parametrize(
    "text, candidates",
    [
        ("朝阳区", ("北京市北京市朝阳区", "吉林省长春市朝阳区")),
        ("鼓楼区", ("江苏省南京市鼓楼区", "福建省福州市鼓楼区")),
    ],
)
def test_ambiguous_names_are_kept_as_written_with_a_notice(text, candidates):
    r = places.resolve(text)
    assert (r["province"], r["city"], r["region_code"]) == (None, text, None)
    assert all(c in r["notice"] for c in candidates) and "未能确定" in r["notice"]


def test_ambiguous_name_keeps_what_the_candidates_share():
    r = places.resolve("山东市中区")  # 济南 and 枣庄 both have one
    assert (r["province"], r["county"], r["region_code"]) == ("山东省", "市中区", "370000")
    assert "只确定到“山东省”" in r["notice"]


@pytest.mark.parametrize(
    "text, nominator",
    [
        ("省直", "省直单位"),
        ("省直单位", "省直单位"),
        ("省直属单位", "省直单位"),
        ("省直机关", "省直机关"),
        ("央企", "中央企业"),
        ("中央企业", "中央企业"),
        ("中央在琼企业", "中央在琼企业"),
        ("驻琼央企", "中央在琼企业"),
        ("省国资委", "省国资委"),
        ("省教科文卫工会", "省教科文卫工会"),
        ("铁路工会", "铁路工会"),
        ("铁路系统", "铁路工会"),
        ("民航工会", "民航工会"),
        ("省能源化学地质工会", "省能源化学地质工会"),
        ("金融工会", "金融工会"),
        ("驻琼部队", "驻琼部队"),
        ("农垦", "农垦"),
        ("省农垦", "农垦"),
        ("中国石化海南炼化公司", "中国石化海南炼化公司"),
        ("市直机关", "市直机关"),
    ],
)
def test_groupings_that_are_not_places_become_nominators(text, nominator):
    r = places.resolve(text)
    assert r["nominator"] == nominator
    assert (r["province"], r["city"], r["county"], r["region_code"]) == (None,) * 4
    assert (r["notice"] is None) == (text == nominator)


def test_shengzhi_spellings_are_one_nominator():
    assert places.resolve("省直")["nominator"] == places.resolve(" 省直单位 ")["nominator"]


def test_place_and_body_keep_both():
    r = places.resolve("海口市总工会")
    assert (r["city"], r["region_code"], r["nominator"]) == ("海口市", "460100", "海口市总工会")
    r = places.resolve("海南省直单位")
    assert (r["province"], r["city"], r["nominator"]) == ("海南省", None, "省直单位")


def test_haikou_spellings_are_one_region():
    assert where("海口") == where("海口市") == where(" 海口市 ") == where("海南海口")


def test_known_region_joined_when_only_a_suffix_differs():
    known = ["洋浦经济开发区", "海口市", "博鳌乐城"]
    r = places.resolve("洋浦", known)
    assert (r["city"], r["region_code"]) == ("洋浦经济开发区", None)
    assert r["notice"] == "“洋浦”已并入已有地区“洋浦经济开发区”"
    assert places.resolve("洋浦经济开发区", known)["notice"] is None
    assert places.resolve("博鳌乐城先行区", known)["city"] == "博鳌乐城"
    # without the known region the text stays as written
    assert places.resolve("洋浦")["city"] == "洋浦"
    # a real place wins over a known name
    assert where("海口", known) == ("海南省", "海口市", None, "460100")
    # two known names with the same stem: nothing is joined
    assert places.resolve("洋浦", ["洋浦经济开发区", "洋浦保税区"])["city"] == "洋浦"


@pytest.mark.parametrize("text", ["新疆某地", "某某地方", "海口市某某镇"])
def test_unknown_text_is_kept_as_written(text):
    r = places.resolve(text)
    assert (r["province"], r["city"], r["county"], r["region_code"]) == (None, text, None, None)
    assert r["nominator"] is None and "按原文保存" in r["notice"]


def test_empty_region():
    assert (
        places.resolve(None)
        == places.resolve("  ")
        == {
            "province": None,
            "city": None,
            "county": None,
            "region_code": None,
            "nominator": None,
            "notice": None,
        }
    )


def test_a_sheet_of_repeated_places_is_worked_out_once_per_distinct_cell():
    """A 10,000-row sheet names a few hundred places again and again: each distinct
    cell is resolved once (the import's speed rests on it; bench/import.py times it)."""
    codes = list(places.names())
    rows = [places.label(*where_code(c)) + ("" if i % 3 else "区") for i, c in enumerate(codes)]
    rows = (rows * 4)[:10_000]
    places._resolve.cache_clear()
    answers = [places.resolve(row, ("洋浦经济开发区", "省直单位")) for row in rows]
    info = places._resolve.cache_info()
    assert info.misses == len(set(rows)) and info.hits == len(rows) - len(set(rows))
    assert answers[: len(codes)] == answers[len(codes) : 2 * len(codes)]


@pytest.mark.parametrize(
    "title, prefix, rest",
    [
        ("海南省劳动模范", "海南省", "劳动模范"),
        ("海口市五一劳动奖章", "海口市", "五一劳动奖章"),
        ("湖南省劳动模范", "湖南省", "劳动模范"),
        ("河南省劳动模范", "河南省", "劳动模范"),
        ("全国劳动模范", "全国", "劳动模范"),
        ("省劳动模范", "省", "劳动模范"),
        ("市劳动模范", "市", "劳动模范"),
        ("海南工匠", "海南", "工匠"),
        ("海口工匠", "海口", "工匠"),
        ("杭州市劳动模范", "杭州市", "劳动模范"),
        ("浙江省五一劳动奖章", "浙江省", "五一劳动奖章"),
        ("宁夏回族自治区劳动模范", "宁夏回族自治区", "劳动模范"),
        ("海南省海口市劳动模范", "海南省海口市", "劳动模范"),
        ("齐鲁工匠", "齐鲁", "工匠"),
        ("三秦工匠", "三秦", "工匠"),
        ("八桂工匠", "八桂", "工匠"),
        ("黔匠", "黔", "匠"),
        ("三八红旗手", "", "三八红旗手"),
        ("全国三八红旗手", "全国", "三八红旗手"),
        ("红旗手", "", "红旗手"),  # 红旗区 exists
        ("东方之星", "", "东方之星"),  # 东方市 exists
        ("鲁班奖", "", "鲁班奖"),
        ("市场监管标兵", "", "市场监管标兵"),
        ("五一劳动奖章", "", "五一劳动奖章"),
        ("大国工匠年度人物", "", "大国工匠年度人物"),
    ],
)
def test_split_place_prefix(title, prefix, rest):
    assert places.split_place_prefix(title) == (prefix, rest)


@pytest.mark.parametrize(
    "prefix, level",
    [
        ("全国", "national"),
        ("海南省", "provincial"),
        ("北京市", "provincial"),
        ("齐鲁", "provincial"),
        ("省", "provincial"),
        ("海口", "municipal"),
        ("陵水", "municipal"),
        ("市", "municipal"),
        ("", None),
        ("某地", None),
    ],
)
def test_place_level(prefix, level):
    assert places.place_level(prefix) == level
