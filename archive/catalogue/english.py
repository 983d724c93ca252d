"""English names of the vocabulary the archive shows: levels, kinds, collective
types, genders, ethnic groups (GB/T 3304's romanisation), industries (the English of
GB/T 4754-2017's sections, as the National Bureau of Statistics publishes them) and
places (GB/T 2260 divisions: the provinces' official English names, other places in
pinyin with the English of their rank, as China's foreign-language maps write them).

Honour titles are rows curators own: their English lives in ``honour_titles.english``
(``vocabulary.title_english``). A word with no English here is shown in Chinese,
marked as such (``web.language.term``)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from archive.catalogue import vocabulary

LEVELS = {
    "national": "National",
    "provincial": "Provincial",
    "municipal": "Municipal",
    "industry": "Industry",
}

KINDS = {"individual": "Individuals", "collective": "Collectives"}
KIND = {"individual": "Individual", "collective": "Collective"}

COLLECTIVE_TYPES = {"team": "Team", "unit": "Unit"}

GENDERS = {"男": "Male", "女": "Female"}

# GB/T 3304-1991, in the order of vocabulary.ETHNIC_GROUPS
_ETHNIC = (
    "Han Mongol Hui Zang Uygur Miao Yi Zhuang Buyei Chosen Man Dong Yao Bai Tujia Hani Kazak "
    "Dai Li Lisu Va She Gaoshan Lahu Sui Dongxiang Naxi Jingpo Kirgiz Tu Daur Mulao Qiang "
    "Blang Salar Maonan Gelao Xibe Achang Pumi Tajik Nu Uzbek Russ Ewenki Deang Bonan Yugur "
    "Gin Tatar Derung Oroqen Hezhen Monba Lhoba Jino"
).split()
ETHNIC_GROUPS = dict(zip(vocabulary.ETHNIC_GROUPS, _ETHNIC, strict=True))

# GB/T 4754-2017's sections, in the order of vocabulary.INDUSTRIES
_INDUSTRIES = (
    "Agriculture, Forestry, Animal Husbandry and Fishery",
    "Mining",
    "Manufacturing",
    "Production and Supply of Electricity, Heat, Gas and Water",
    "Construction",
    "Wholesale and Retail Trades",
    "Transport, Storage and Post",
    "Accommodation and Catering",
    "Information Transmission, Software and Information Technology Services",
    "Finance",
    "Real Estate",
    "Leasing and Business Services",
    "Scientific Research and Technical Services",
    "Management of Water Conservancy, Environment and Public Facilities",
    "Resident Services, Repair and Other Services",
    "Education",
    "Health and Social Work",
    "Culture, Sports and Entertainment",
    "Public Management, Social Security and Social Organisations",
    "International Organisations",
)
INDUSTRIES = dict(zip(vocabulary.INDUSTRIES, _INDUSTRIES, strict=True))

# The English the seeded titles start with (m098); curators change them at /curate/titles.
TITLES = {
    "全国劳动模范": "National Model Worker",
    "全国先进工作者": "National Advanced Worker",
    "全国五一劳动奖章": "National May Day Labour Medal",
    "大国工匠年度人物": "Great Craftsman of the Year",
    "全国五一劳动奖状": "National May Day Labour Award",
    "全国工人先锋号": "National Workers' Pioneer",
    "省劳动模范": "Provincial Model Worker",
    "省先进工作者": "Provincial Advanced Worker",
    "省五一劳动奖章": "Provincial May Day Labour Medal",
    "省工匠": "Provincial Craftsman",
    "省五一劳动奖状": "Provincial May Day Labour Award",
    "省工人先锋号": "Provincial Workers' Pioneer",
    "市劳动模范": "Municipal Model Worker",
    "市五一劳动奖章": "Municipal May Day Labour Medal",
    "市工人先锋号": "Municipal Workers' Pioneer",
}

PROVINCES = {
    "北京市": "Beijing",
    "天津市": "Tianjin",
    "河北省": "Hebei",
    "山西省": "Shanxi",
    "内蒙古自治区": "Inner Mongolia",
    "辽宁省": "Liaoning",
    "吉林省": "Jilin",
    "黑龙江省": "Heilongjiang",
    "上海市": "Shanghai",
    "江苏省": "Jiangsu",
    "浙江省": "Zhejiang",
    "安徽省": "Anhui",
    "福建省": "Fujian",
    "江西省": "Jiangxi",
    "山东省": "Shandong",
    "河南省": "Henan",
    "湖北省": "Hubei",
    "湖南省": "Hunan",
    "广东省": "Guangdong",
    "广西壮族自治区": "Guangxi",
    "海南省": "Hainan",
    "重庆市": "Chongqing",
    "四川省": "Sichuan",
    "贵州省": "Guizhou",
    "云南省": "Yunnan",
    "西藏自治区": "Xizang",
    "陕西省": "Shaanxi",
    "甘肃省": "Gansu",
    "青海省": "Qinghai",
    "宁夏回族自治区": "Ningxia",
    "新疆维吾尔自治区": "Xinjiang",
    "台湾省": "Taiwan",
    "香港特别行政区": "Hong Kong",
    "澳门特别行政区": "Macao",
}

# A division's rank, from its suffix (longest first), and how English writes it; a
# city (市) is known by its name alone.
_RANKS = (
    ("林区", "Forest District"),
    ("特区", "Special District"),
    ("地区", "Prefecture"),
    ("新区", "New Area"),
    ("区", "District"),
    ("县", "County"),
    ("旗", "Banner"),
    ("盟", "League"),
    ("市", ""),
)


# Characters that place names read otherwise than pypinyin's everyday guess (长治
# Changzhi, 长宁 Changning, 朝阳 Chaoyang, 单县 Shan County, 蔚县 Yu County, 锡林郭勒
# Xilinguole), and the names that are exceptions to those readings.
_PLACE_READINGS = {"长": "chang", "朝": "chao", "单": "shan", "蔚": "yu", "勒": "le"}
_PLACE_EXCEPTIONS = {"长子": ["zhang", "zi"]}


def _syllables(text: str) -> list[str]:
    if text in _PLACE_EXCEPTIONS:
        return _PLACE_EXCEPTIONS[text]
    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors="ignore")
    if len(syllables) != len(text):  # not one syllable a character: leave it as read
        return syllables
    return [_PLACE_READINGS.get(c, s) for c, s in zip(text, syllables, strict=True)]


def _pinyin(text: str) -> str:
    """Place-name pinyin: syllables joined, an apostrophe before a vowel-initial
    syllable after the first (Xi'an), the first letter capitalised."""
    out = ""
    for syllable in _syllables(text):
        syllable = syllable.replace("ü", "u" if out and out[-1] in "jqxy" else "ü")
        if out and syllable[:1] in ("a", "e", "o"):
            out += "'"
        out += syllable
    return out[:1].upper() + out[1:]


@lru_cache(maxsize=4096)
def place(name: str) -> str | None:
    """A division's English name (``海南省`` → Hainan, ``海口市`` → Haikou,
    ``美兰区`` → Meilan District); None for an autonomous area or a name holding an
    ethnic group's (shown in Chinese) and for text that is not written in Chinese."""
    if name in PROVINCES:
        return PROVINCES[name]
    stem, rank = name, None
    for suffix, english in _RANKS:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem, rank = name[: -len(suffix)], english
            break
    if "自治" in name or any(group in stem for group in vocabulary.ETHNIC_GROUPS):
        # an autonomous area is named for its peoples (恩施土家族苗族自治州, 鄂伦春自治旗),
        # whose English is their own romanisation: kept in Chinese rather than guessed
        return None
    pinyin = _pinyin(stem)
    if not pinyin:
        return None
    return f"{pinyin} {rank}".strip() if rank else pinyin


def term(kind: str, value: str) -> str | None:
    """The English of a vocabulary word of ``kind`` (see ``web.language.term``);
    None where there is none. Titles are read by ``vocabulary.title_english``."""
    table = {
        "level": LEVELS,
        "kind": KIND,
        "kinds": KINDS,
        "collective_type": COLLECTIVE_TYPES,
        "gender": GENDERS,
        "ethnic_group": ETHNIC_GROUPS,
        "industry": INDUSTRIES,
        "title": TITLES,
    }.get(kind)
    if table is not None:
        return table.get(value)
    if kind == "region":
        return place(value)
    return None
