"""Names as visitors type them: pinyin with surnames read as surnames.

Stock pypinyin reads a name like any other text, so 曾 comes out as ``ceng`` and
单 as ``dan``. Here the surname is split off first (compound surnames included) and
read from a table of surname readings; a surname with two customary readings keeps
both, the first one being the one names are sorted by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

# Compound surnames, checked before single-character ones.
COMPOUND_SURNAMES: dict[str, list[str]] = {
    "欧阳": ["ou yang"],
    "司马": ["si ma"],
    "诸葛": ["zhu ge"],
    "上官": ["shang guan"],
    "东方": ["dong fang"],
    "皇甫": ["huang fu"],
    "尉迟": ["yu chi"],
    "公孙": ["gong sun"],
    "慕容": ["mu rong"],
    "长孙": ["zhang sun"],
    "宇文": ["yu wen"],
    "司徒": ["si tu"],
    "夏侯": ["xia hou"],
    "轩辕": ["xuan yuan"],
    "令狐": ["ling hu"],
    "端木": ["duan mu"],
    "独孤": ["du gu"],
    "南宫": ["nan gong"],
    "万俟": ["mo qi"],
    "澹台": ["tan tai"],
    "呼延": ["hu yan"],
    "西门": ["xi men"],
    "申屠": ["shen tu"],
    "司空": ["si kong"],
    "百里": ["bai li"],
    "东郭": ["dong guo"],
    "闻人": ["wen ren"],
    "赫连": ["he lian"],
}

# Single-character surnames whose surname reading differs from the common one,
# or that have two readings as a surname (sort reading first).
SURNAME_READINGS: dict[str, list[str]] = {
    "曾": ["zeng"],
    "单": ["shan"],
    "解": ["xie", "jie"],
    "仇": ["qiu", "chou"],
    "朴": ["piao", "pu"],
    "区": ["ou", "qu"],
    "查": ["zha", "cha"],
    "盖": ["ge", "gai"],
    "覃": ["qin", "tan"],
    "翟": ["zhai", "di"],
    "乐": ["yue", "le"],
    "缪": ["miao"],
    "召": ["shao"],
    "员": ["yun"],
    "秘": ["bi"],
    "种": ["chong"],
    "黑": ["he"],
    "宿": ["su"],
    "句": ["gou"],
    "柏": ["bai"],
    "尉": ["yu", "wei"],
    "重": ["chong"],
    "厍": ["she"],
    "薄": ["bo"],
    "沈": ["shen"],
    "曲": ["qu"],
    "能": ["nai"],
    "隗": ["wei", "kui"],
    "繁": ["po"],
    "蕃": ["pi"],
    "长": ["chang"],
    "行": ["xing"],
    "折": ["she"],
    "都": ["du"],
    "万": ["wan"],
    "阚": ["kan"],
    "冼": ["xian"],
    "谌": ["chen", "shen"],
    "藏": ["zang"],
    "臧": ["zang"],
    "葛": ["ge"],
    "石": ["shi"],
    "华": ["hua"],
    "任": ["ren"],
    "纪": ["ji"],
    "过": ["guo"],
    "相": ["xiang"],
}

_HAN = re.compile(r"[\u3400-\u9fff]")
_SEPARATORS = "·•・.． "


@dataclass(frozen=True)
class NameReadings:
    syllables: list[str]  # the sort reading, one syllable per character
    readings: list[list[str]]  # every reading of the whole name, as syllable lists

    @property
    def full(self) -> str:
        return "".join(self.syllables)

    @property
    def initials(self) -> str:
        return "".join(s[0] for s in self.syllables if s)

    @property
    def sort_key(self) -> str:
        return " ".join(self.syllables)

    @property
    def all_full(self) -> list[str]:
        return ["".join(r) for r in self.readings]

    @property
    def all_initials(self) -> list[str]:
        return sorted({"".join(s[0] for s in r if s) for r in self.readings})


def split_surname(name: str) -> tuple[str, str]:
    """(surname, given name) of a Han personal name; names with a middle dot or
    without Han characters are not split."""
    if any(c in name for c in _SEPARATORS) or not _HAN.match(name):
        return "", name
    if name[:2] in COMPOUND_SURNAMES and len(name) > 2:
        return name[:2], name[2:]
    return name[:1], name[1:]


def _plain(text: str) -> list[str]:
    syllables = lazy_pinyin(text, style=Style.NORMAL, errors=lambda s: list(s.lower()))
    return [s for s in syllables if s.strip() and s not in _SEPARATORS]


def readings(name: str, personal: bool = True) -> NameReadings:
    """Pinyin readings of a name; ``personal`` applies surname readings."""
    name = (name or "").strip()
    if not personal:
        syllables = _plain(name)
        return NameReadings(syllables, [syllables])
    surname, given = split_surname(name)
    given_syllables = _plain(given)
    if not surname:
        return NameReadings(given_syllables, [given_syllables])
    if surname in COMPOUND_SURNAMES:
        options = [r.split() for r in COMPOUND_SURNAMES[surname]]
    elif surname in SURNAME_READINGS:
        options = [[r] for r in SURNAME_READINGS[surname]]
    else:
        options = [_plain(surname)]
    all_readings = [option + given_syllables for option in options]
    return NameReadings(all_readings[0], all_readings)


def _word(syllables: list[str]) -> str:
    """Syllables written as one word: ü for v, and an apostrophe before a syllable
    that starts with a, o or e (Xi'an, not Xian)."""
    word = ""
    for syllable in syllables:
        syllable = syllable.replace("v", "ü")
        if word and syllable[:1] in ("a", "o", "e"):
            word += "'"
        word += syllable
    return word


def english(name: str, kind: str = "individual") -> str:
    """A personal name as GB/T 28039 writes it in Latin letters: the surname in
    capitals, then the given name as one capitalised word (赵卫东 → ZHAO Weidong,
    欧阳明辉 → OUYANG Minghui, 曾志强 → ZENG Zhiqiang, 吕西安 → LÜ Xi'an); a name
    written with a middle dot (阿依古丽·买买提) is each of its parts capitalised.
    Collectives have no such form: ''. Names without Han characters are kept."""
    name = (name or "").strip()
    if kind != "individual" or not name:
        return ""
    if not _HAN.search(name):
        return name
    name = re.sub(r"\s+", "", name)  # 张　伟: padding, not a separator
    if any(c in name for c in _SEPARATORS):
        parts = [p for p in re.split(r"[·•・.．]+", name) if p]
        return " ".join(_word(_plain(p)).capitalize() for p in parts)
    surname, _ = split_surname(name)
    syllables = readings(name).syllables
    cut = len(surname)
    return f"{_word(syllables[:cut]).upper()} {_word(syllables[cut:]).capitalize()}".strip()
