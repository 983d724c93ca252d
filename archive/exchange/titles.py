"""Rules for honour titles an import has not seen before (pure functions).

Curators own the vocabulary (``honour_titles``); an import adds the titles it meets
with a level and whom they are conferred on guessed from the title itself, and flags
a title that is probably a typo of a known one.

Level (:func:`infer_level`), first rule that applies:

1. 中华全国总工会 …, 全总 …, 大国工匠 … → ``national``.
2. 全国 + a sector (全国铁路…, 全国教育系统…, 全国…行业/系统/战线/工会…) → ``industry``;
   any other 全国 … → ``national``.
3. A place prefix (see :func:`archive.exchange.places.split_place_prefix`) followed by a sector
   (海南省金融系统先进工作者, 省教科文卫工会 …) → ``industry``: such titles are
   conferred by that sector's body.
4. A province, a municipality, a provincial nickname (齐鲁, 八桂 …) or bare 省 →
   ``provincial``; a prefecture, county or bare 市/县/区 → ``municipal``.
5. No place: a company or sector prefix (中国石化…, 国家电网…, 铁路…, …系统…) →
   ``industry``; 中国…/中华… (中国青年五四奖章, 中华技能大奖) → ``national``.
6. Otherwise ``provincial``: the archive is a provincial federation's, whose sheets
   write their own province's titles without its name (五一劳动奖章, 工人先锋号); a
   curator checks every new title anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from archive.exchange import places
from archive.exchange.places import SECTORS, split_place_prefix

# Companies and bodies whose titles are industry titles (a prefix without 全国 or a place).
COMPANIES = (
    "中国石化",
    "中石化",
    "中国石油",
    "中石油",
    "中国海油",
    "中海油",
    "国家电网",
    "国网",
    "南方电网",
    "南网",
    "中国铁路",
    "国铁",
    "中国中铁",
    "中铁",
    "中国铁建",
    "中国建筑",
    "中建",
    "中国交建",
    "中交",
    "中国移动",
    "中国电信",
    "中国联通",
    "中国邮政",
    "中国民航",
    "中国航天",
    "中国航空",
    "中航",
    "中国商飞",
    "中国中车",
    "中车",
    "中国兵器",
    "中国船舶",
    "中国电建",
    "中国能建",
    "中国华能",
    "中国大唐",
    "中国华电",
    "国家电投",
    "国家能源",
    "国家管网",
    "中国宝武",
    "中国五矿",
    "中国烟草",
    "中国中化",
    "中国化学",
    "中国有色",
    "中国黄金",
    "中国核工业",
    "中核",
    "中广核",
    "中国电科",
    "中国电子",
    "中国一汽",
    "东风",
    "招商局",
    "中粮",
    "中远海运",
    "中国建材",
    "中国机械",
    "中国海员",
    "中央企业",
    "央企",
)
_SECTOR_HEAD = re.compile(r"^(?!总工会)\w{1,8}?(系统|行业|战线|工会)")

_COLLECTIVE = (
    "奖状",
    "先锋号",
    "集体",
    "班组",
    "示范岗",
    "文明号",
    "文明岗",
    "先进单位",
    "红旗车间",
    "先进车间",
    "团队",
)
_INDIVIDUAL = (
    "奖章",
    "劳动模范",
    "劳模",
    "工匠",
    "先进工作者",
    "标兵",
    "能手",
    "红旗手",
    "技师",
    "先进个人",
    "人物",
    "之星",
    "名匠",
    "巧匠",
)


def _clean(title: str) -> str:
    return places.clean(title)


def _sector(rest: str) -> bool:
    """``rest`` (a title without its place) begins by naming a sector."""
    return rest.startswith(SECTORS) or bool(_SECTOR_HEAD.match(rest))


@lru_cache(maxsize=4096)
def infer_level(title: str) -> str:
    """``national``, ``provincial``, ``municipal`` or ``industry`` (rules above)."""
    title = _clean(title)
    if title.startswith(("中华全国总工会", "全总", "大国工匠")):
        return "national"
    prefix, rest = split_place_prefix(title)
    if prefix == "全国":
        return "industry" if _sector(rest) else "national"
    level = places.place_level(prefix)
    if level is not None:
        return "industry" if _sector(rest) else level
    if title.startswith(COMPANIES) or _sector(title):
        return "industry"
    if title.startswith(("中国", "中华")):
        return "national"
    return "provincial"


def infer_conferred_on(title: str, kind: str | None = None) -> str:
    """``collective`` or ``individual``: from the title's words, else the row's
    ``kind``, else ``individual``."""
    title = _clean(title)
    if any(word in title for word in _COLLECTIVE):
        return "collective"
    if any(word in title for word in _INDIVIDUAL):
        return "individual"
    return kind if kind in ("individual", "collective") else "individual"


def _homophone(a: str, b: str) -> bool:
    """The one character that differs sounds the same (摸/模, 状/壮): a likelier typo."""
    from pypinyin import lazy_pinyin

    if len(a) != len(b):
        return False
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(pairs) == 1 and lazy_pinyin(pairs[0][0]) == lazy_pinyin(pairs[0][1])


def close_title(title: str, known: Iterable[str]) -> str | None:
    """The known title an unknown ``title`` is probably a typo of, or None.

    A title is a typo only when it differs from a known title by one character
    outside its place name: ``全国劳动摸范`` → ``全国劳动模范``, while ``河南省劳动模范``
    beside ``湖南省劳动模范`` (or ``海南省劳动模范`` beside ``省劳动模范``) is a new title.
    Only parts after the place of four characters or more are compared (工匠 and 巧匠
    are different titles). The suggestion keeps the title's own place when that title
    is known (``海南省劳动摸范`` → ``海南省劳动模范``)."""
    title = _clean(title)
    known = [k for k in dict.fromkeys(_clean(k) for k in known) if k]
    if not title or title in known:
        return None
    prefix, rest = split_place_prefix(title)
    split = [(k, *split_place_prefix(k)) for k in known]
    if any(r == rest for _, _, r in split):
        return None
    if len(rest) < 4:
        return None
    close = [
        (k, p, r)
        for k, p, r in split
        if len(r) >= 4 and Levenshtein.distance(rest, r, score_cutoff=1) == 1
    ]
    if not close:
        return None
    own = set(known)
    level = places.place_level(prefix)

    def preference(item: tuple[str, str, str]) -> tuple:
        k, p, r = item
        return (
            prefix + r not in own,
            not _homophone(rest, r),
            p != prefix,
            places.place_level(p) != level,
        )

    k, p, r = min(close, key=preference)
    return prefix + r if prefix + r in own else k
