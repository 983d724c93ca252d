"""Turning a spreadsheet's free-text region (地区) into province, city and county.

Places are China's divisions down to county level with their GB/T 2260 codes, read
from ``data/gbt2260.tsv`` (see ``data/README.md`` for its source and edition). A
region resolves to official names and the most specific code:

* ``海口`` → 海南省 / 海口市 (460100); ``海口美兰``, ``海南省海口市美兰区`` → 美兰区 (460108);
  names resolve with or without their suffix (市/区/县/省/自治区/自治州/盟/地区 …,
  ``恩施`` → 恩施土家族苗族自治州, ``内蒙古`` → 内蒙古自治区).
* The four municipalities stand as province and city (``北京市朝阳区`` → 北京市 /
  北京市 / 朝阳区), so the city facet shows them.
* A county-level city governed by its province directly (``五指山市``, ``仙桃``) is
  the city; a prefecture-level city without districts (``儋州``) is the city too.
* A short name shared by divisions of different rank means the highest (``吉林`` is
  the province, ``朝阳`` the prefecture-level city); one shared by divisions of the same
  rank is ambiguous and resolves only as far as they agree, with a notice.

Text that is not a place may name a recommending body (推荐单位: ``省直单位``,
``中央企业``, an industry union …): then the region stays empty and ``nominator``
holds the body's canonical spelling. Text that differs from a region the archive
already holds (``known``) only by an administrative suffix joins that region. Any
other text is kept as written, in ``city``, so that nothing a curator typed is lost.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "gbt2260.tsv"

MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})

_SEPARATORS = re.compile(r"[\s·•\-—–_/\\、，,。.;；:：()（）\[\]【】<>《》\"'“”‘’]+")

# Administrative suffixes, longest first: a name without one of them is its short form.
_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "新区",
    "林区",
    "矿区",
    "省",
    "市",
    "盟",
    "县",
    "区",
    "旗",
)

# The 55 minorities, as they appear inside autonomous divisions' names.
_ETHNIC = sorted(
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 "
    "塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 "
    "基诺".split(),
    key=len,
    reverse=True,
)

# Everyday names the table's rules do not derive.
_ALIASES = {"内蒙": "150000", "呼市": "150100", "前郭": "220721"}

# Well-known provincial nicknames used in honour titles (齐鲁工匠, 八桂工匠 …): they
# count as provincial places in titles, never as regions.
NICKNAMES = {
    "齐鲁": "370000",
    "三秦": "610000",
    "八桂": "450000",
    "荆楚": "420000",
    "燕赵": "130000",
    "天府": "510000",
    "巴蜀": "510000",
    "三晋": "140000",
    "中原": "410000",
    "江淮": "340000",
    "八闽": "350000",
    "南粤": "440000",
    "岭南": "440000",
    "三湘": "430000",
    "湖湘": "430000",
    "潇湘": "430000",
    "赣鄱": "360000",
    "龙江": "230000",
    "陇原": "620000",
    "天山": "650000",
    "琼州": "460000",
    "琼崖": "460000",
    "雪域": "540000",
    "三江": None,
    "徽": "340000",
    "皖": "340000",
    "黔": "520000",
    "贵": None,
    "滇": "530000",
    "琼": "460000",
    "闽": "350000",
    "赣": "360000",
    "湘": "430000",
    "鄂": "420000",
    "粤": "440000",
    "桂": "450000",
    "蜀": "510000",
    "陇": "620000",
    "豫": "410000",
    "冀": "130000",
    "晋": "140000",
    "沪": "310000",
    "渝": "500000",
    "浙": "330000",
}
NICKNAMES = {k: v for k, v in NICKNAMES.items() if v}
# A one-character nickname is a prefix only before one of these (so 鲁班奖, 晋升 … keep
# their first character).
# A place name without its suffix is a title's prefix only before one of these too
# (so 东方之星 and 红旗手 keep 东方 and 红旗, though 东方市 and 红旗区 exist).
_TITLE_STEMS = (
    "工匠",
    "匠",
    "劳动",
    "劳模",
    "五一",
    "技能",
    "能工",
    "巧匠",
    "工人",
    "职工",
    "青年",
    "巾帼",
    "首席",
    "金牌",
    "杰出",
    "优秀",
    "十大",
    "最美",
    "大工匠",
    "先进",
    "技术",
    "质量",
    "创新",
    "名匠",
    "英才",
    "三八",
    "模范",
    "突出贡献",
    "好人",
    "道德",
    "人才",
    "科技",
    "富民",
    "年度",
    "青年",
    "高技能",
    "特级",
    "优秀",
    "工会",
    "总工会",
)

# Industries and sectors: a region naming one is a grouping; a title prefixed by one is
# an industry title (see archive/exchange/titles.py).
SECTORS = (
    "铁路",
    "金融",
    "邮政",
    "民航",
    "电力",
    "电网",
    "石油",
    "石化",
    "煤炭",
    "交通",
    "水利",
    "教育系统",
    "卫生",
    "建设",
    "农林",
    "农业",
    "林业",
    "农垦",
    "冶金",
    "有色金属",
    "机械",
    "纺织",
    "化工",
    "化学",
    "建材",
    "轻工",
    "烟草",
    "电子",
    "信息产业",
    "通信",
    "邮电",
    "航空",
    "航天",
    "船舶",
    "兵器",
    "核工业",
    "地质",
    "气象",
    "海洋",
    "税务",
    "海关",
    "公安",
    "司法",
    "检察",
    "审计",
    "统计",
    "文化",
    "广电",
    "广播电视",
    "体育",
    "商业",
    "供销",
    "粮食",
    "能源",
    "国防科技",
    "军工",
    "钢铁",
    "汽车",
    "医药",
    "银行",
    "保险",
    "证券",
    "住房和城乡建设",
    "城乡建设",
    "生态环境",
    "环保",
    "自然资源",
    "国土资源",
    "港口",
    "海员",
    "建筑",
    "旅游",
    "国资",
    "央企",
    "中央企业",
    "机冶",
    "财贸",
    "国防",
    "科技",
    "人力资源",
    "应急管理",
)

# Groupings that are not places: a text with one of these words that names no place
# is a recommending body (推荐单位).
_GROUP_WORDS = (
    "工会",
    "系统",
    "单位",
    "企业",
    "央企",
    "机关",
    "直属",
    "部队",
    "武警",
    "农垦",
    "国资委",
    "集团",
    "公司",
    "总局",
    "行业",
    "工委",
    "委员会",
    "战线",
)
# Canonical spellings of recurring bodies.
NOMINATORS = {
    "省直": "省直单位",
    "省直单位": "省直单位",
    "省直属单位": "省直单位",
    "省直各单位": "省直单位",
    "省直机关": "省直机关",
    "省直属机关": "省直机关",
    "省直机关单位": "省直机关",
    "市直": "市直单位",
    "市直单位": "市直单位",
    "市直属单位": "市直单位",
    "市直机关": "市直机关",
    "央企": "中央企业",
    "中央企业": "中央企业",
    "中央直属企业": "中央企业",
    "中直企业": "中央企业",
    "省国资委": "省国资委",
    "省国有资产监督管理委员会": "省国资委",
    "省属国企": "省国资委",
    "农垦": "农垦",
    "省农垦": "农垦",
    "农垦系统": "农垦",
    "驻琼部队": "驻琼部队",
    "驻琼部队及武警": "驻琼部队",
    "铁路": "铁路工会",
    "铁路系统": "铁路工会",
    "铁路工会": "铁路工会",
    "民航": "民航工会",
    "民航系统": "民航工会",
    "民航工会": "民航工会",
    "金融": "金融工会",
    "金融系统": "金融工会",
    "金融工会": "金融工会",
    "省金融工会": "省金融工会",
    "省教科文卫工会": "省教科文卫工会",
    "省能源化学地质工会": "省能源化学地质工会",
}
# 中央在琼企业, 驻琼央企, 在琼央企 … → 中央在X企业 (X a province's one-character name).
_CENTRAL_IN = re.compile(r"^(?:中央(?:在|驻)(.)(?:的)?企业|(?:在|驻)(.)(?:中央企业|央企))$")

# Suffixes a known region may carry beyond the text (洋浦 ↔ 洋浦经济开发区).
_KNOWN_SUFFIXES = (
    "经济技术开发区",
    "高新技术产业开发区",
    "经济开发区",
    "高新技术开发区",
    "综合保税区",
    "高新区",
    "开发区",
    "保税区",
    "试验区",
    "先行区",
    "示范区",
    "合作区",
    "管理区",
    "园区",
    "片区",
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "新区",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "州",
    "镇",
    "乡",
)


def clean(text: str | None) -> str:
    """NFKC, without spaces and separators (what every lookup compares)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))


def _rank(code: str) -> int:
    if code.endswith("0000"):
        return 0
    if code.endswith("00") or code[2:4] == "90":  # 9001…: county-level, province-direct
        return 1
    return 2


def _shorts(name: str) -> set[str]:
    """Short forms of an official name (恩施土家族苗族自治州 → 恩施, 恩施州)."""
    found = set()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            short = name[: -len(suffix)]
            if "自治" in suffix or suffix == "自治区":
                changed = True
                while changed:
                    changed = False
                    for people in _ETHNIC:
                        for tail in (people + "族", people if len(people) > 1 else None):
                            if tail and short.endswith(tail) and len(short) - len(tail) >= 2:
                                short = short[: -len(tail)]
                                changed = True
                                break
                        if changed:
                            break
            if len(short) >= 2:
                found.add(short)
                if suffix == "自治州":
                    found.add(short + "州")
                elif suffix in ("自治县", "自治旗"):
                    found.add(short + suffix[-1])
            break
    found.discard(name)
    return found


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, tuple[str, ...]], int]:
    """``names`` (code → official name), ``keys`` (full or short name → codes, best
    rank first) and the longest key's length."""
    names: dict[str, str] = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")
            names[code] = name
    keys: dict[str, set[str]] = {}
    for code, name in names.items():
        keys.setdefault(name, set()).add(code)
    for code, name in names.items():
        for short in _shorts(name):
            keys.setdefault(short, set()).add(code)
    for alias, code in _ALIASES.items():
        if code in names:
            keys.setdefault(alias, set()).add(code)
    ordered = {k: tuple(sorted(v, key=lambda c: (_rank(c), c))) for k, v in keys.items()}
    return names, ordered, max(map(len, ordered))


def names() -> dict[str, str]:
    """Code → official name for every division in the table."""
    return _tables()[0]


def _within(code: str, context: str | None) -> bool:
    """``code`` lies inside ``context`` (or is it: 北京市北京市 reads back a label)."""
    if context is None or code == context:
        return True
    if context.endswith("0000"):
        return code[:2] == context[:2]
    if context.endswith("00"):
        return code[:4] == context[:4] and _rank(code) > _rank(context)
    return False


def _parse(text: str) -> tuple[str | None, int, tuple[str, ...], int]:
    """Read divisions from the start of ``text``, each inside the one before.

    Returns the most specific code read, how many characters it took and — when the
    next name was shared by several divisions of one rank — those candidates and the
    length of that name."""
    keys, longest = _tables()[1:]
    code, pos = None, 0
    while pos < len(text):
        for size in range(min(longest, len(text) - pos), 1, -1):
            found = keys.get(text[pos : pos + size])
            if not found:
                continue
            found = [c for c in found if _within(c, code)]
            if not found:
                continue
            best = [c for c in found if _rank(c) == _rank(found[0])]
            if code is not None and code in best:  # 北京市北京市 / 儋州儋州
                best = [code]
            if len(best) > 1:
                return code, pos, tuple(best), size
            code, pos = best[0], pos + size
            break
        else:
            break
    return code, pos, (), 0


def _fields(code: str) -> dict:
    names_ = _tables()[0]
    province = code[:2] + "0000"
    found = {"province": names_[province], "city": None, "county": None, "region_code": code}
    rank = _rank(code)
    if province in MUNICIPALITIES:
        found["city"] = names_[province]
        if rank == 2:
            found["county"] = names_[code]
    elif rank == 1:
        found["city"] = names_[code]
    elif rank == 2:
        found["city"] = names_.get(code[:4] + "00")
        found["county"] = names_[code]
    return found


def _common(codes: tuple[str, ...]) -> str | None:
    """The most specific division containing all of ``codes``."""
    for width, tail in ((4, "00"), (2, "0000")):
        heads = {c[:width] for c in codes}
        if len(heads) == 1:
            parent = heads.pop() + tail
            if parent in _tables()[0]:
                return parent
    return None


def _full(code: str) -> str:
    f = _fields(code)
    return label(f["province"], f["city"], f["county"])


def _empty() -> dict:
    return {
        "province": None,
        "city": None,
        "county": None,
        "region_code": None,
        "nominator": None,
        "notice": None,
    }


def nominator_of(text: str) -> str | None:
    """The canonical spelling of a grouping that is not a place, or None."""
    if text in NOMINATORS:
        return NOMINATORS[text]
    central = _CENTRAL_IN.match(text)
    if central:
        return f"中央在{central.group(1) or central.group(2)}企业"
    if any(word in text for word in _GROUP_WORDS) or text[:2] in ("省直", "市直", "县直"):
        return text
    if any(text.startswith(word) for word in SECTORS):
        return text
    return None


@lru_cache(maxsize=65536)
def _resolve(text: str) -> dict:
    body = _without_country(text)
    code, pos, ambiguous, size = _parse(body)
    if pos == len(body) and code is not None:
        found = _empty()
        found.update(_fields(code))
        return found
    rest = body[pos:]
    if ambiguous and pos + size == len(body):
        return _shared_name(text, rest, code, ambiguous)
    return _place_and_rest(text, rest, code if pos and code is not None else None)


def _without_country(text: str) -> str:
    """``中国浙江省…`` → ``浙江省…``, when a place follows the country's name."""
    for country in ("中华人民共和国", "中国"):
        if text.startswith(country) and _parse(text[len(country) :])[1]:
            return text[len(country) :]
    return text


def _shared_name(text: str, rest: str, code: str | None, ambiguous: tuple[str, ...]) -> dict:
    """The text ends on a name several divisions share: keep what they agree on."""
    found = _empty()
    choices = "、".join(_full(c) for c in ambiguous[:4]) + ("等" if len(ambiguous) > 4 else "")
    common = _common(ambiguous) or code
    if common is None:
        found["city"] = text
        found["notice"] = f"“{text}”对应多个地区（{choices}），未能确定，按原文保存"
        return found
    found.update(_fields(common))
    if _rank(common) == 0 and common not in MUNICIPALITIES and _rank(ambiguous[0]) == 1:
        found["city"] = rest
    else:
        found["county"] = rest
    found["notice"] = f"“{text}”对应多个地区（{choices}），只确定到“{_full(common)}”"
    return found


def _place_and_rest(text: str, rest: str, place: str | None) -> dict:
    """A text that is not wholly a place: a nominating body, perhaps after a ``place``
    (the division its leading part names, if any, ``rest`` being what follows), or else
    an unknown name kept as typed."""
    found = _empty()
    whole = nominator_of(text)
    part = nominator_of(rest) if place is not None else None
    if place is not None and rest in ("直", "直单位", "直属单位", "直机关"):
        found.update(_fields(place))  # 海南省直单位 → 海南省, 省直单位
        found["nominator"] = NOMINATORS["省" + rest if _rank(place) == 0 else "市" + rest]
    elif part is not None and rest not in ("直", "直单位", "直机关") or whole is None and part:
        found.update(_fields(place))  # 海口市总工会: the place and the body
        found["nominator"] = NOMINATORS.get(rest) or text
    elif whole is not None:
        found["nominator"] = whole
    else:
        found["city"] = text
        if place is not None:
            found["notice"] = f"“{text}”中“{rest}”不是已知的行政区划，按原文保存"
        else:
            found["notice"] = f"“{text}”不是已知的行政区划，按原文保存"
        return found
    if found["nominator"] != text:
        found["notice"] = f"“{text}”是推荐单位，已记为“{found['nominator']}”"
    return found


def _suffix_key(name: str) -> str:
    for _ in range(2):
        for suffix in _KNOWN_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                name = name[: -len(suffix)]
                break
    return name


@lru_cache(maxsize=64)
def _known_index(known: frozenset[str]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for name in sorted(known):
        index.setdefault(_suffix_key(clean(name)), []).append(name)
    return {k: tuple(v) for k, v in index.items()}


def resolve(text: str | None, known: Iterable[str] = ()) -> dict:
    """``{province, city, county, region_code, nominator, notice}`` for a region as
    typed in a sheet. ``known`` holds the region names the archive already has (its
    ``city`` values): a text that names no place but differs from one of them only by
    an administrative suffix joins it."""
    text = clean(text)
    if not text:
        return _empty()
    found = dict(_resolve(text))
    if found["region_code"] or found["nominator"] or found["province"] or not known:
        return found
    if not isinstance(known, frozenset):
        known = frozenset(k for k in known if k)
    if text in known:
        found["notice"] = None
        return found
    matches = _known_index(known).get(_suffix_key(text), ())
    if len(matches) == 1:
        found["city"] = matches[0]
        found["notice"] = f"“{text}”已并入已有地区“{matches[0]}”"
    return found


def split_place_prefix(text: str) -> tuple[str, str]:
    """The leading place of an honour title and the rest: ``海南省劳动模范`` → (海南省,
    劳动模范), ``全国劳动模范`` → (全国, 劳动模范), ``省劳动模范`` → (省, 劳动模范),
    ``齐鲁工匠`` → (齐鲁, 工匠); ``三八红旗手`` → ("", 三八红旗手)."""
    title = clean(text)
    return _split(title)


@lru_cache(maxsize=8192)
def _split(title: str) -> tuple[str, str]:
    if title.startswith("全国"):
        return "全国", title[2:]
    code, pos = _parse(title)[:2]
    for nickname in sorted(NICKNAMES, key=len, reverse=True):
        if title.startswith(nickname) and len(nickname) >= pos:
            rest = title[len(nickname) :]
            if len(nickname) > 1 or rest.startswith(_TITLE_STEMS):
                return nickname, rest
    if pos and (
        title[:pos].endswith(names()[code])
        or title[pos:].startswith(_TITLE_STEMS)
        or pos == len(title)
    ):
        return title[:pos], title[pos:]
    for bare in ("省级", "市级", "县级", "区级", "省", "市", "县", "区"):
        if (
            title.startswith(bare)
            and len(title) > len(bare)
            and title[len(bare)] not in "直属委场域"
        ):
            return bare, title[len(bare) :]
    return "", title


def place_level(prefix: str) -> str | None:
    """``national``, ``provincial`` or ``municipal`` for a prefix from
    :func:`split_place_prefix` (a municipality is provincial, a county municipal)."""
    if not prefix:
        return None
    if prefix == "全国":
        return "national"
    if prefix in NICKNAMES or prefix in ("省", "省级"):
        return "provincial"
    if prefix in ("市", "市级", "县", "县级", "区", "区级"):
        return "municipal"
    code, pos = _parse(prefix)[:2]
    if code is None or pos != len(prefix):
        return None
    return "provincial" if _rank(code) == 0 else "municipal"


def label(province: str | None, city: str | None, county: str | None) -> str:
    """The region as one cell, the way :func:`resolve` reads it back."""
    return "".join(part for part in (province, city, county) if part)
