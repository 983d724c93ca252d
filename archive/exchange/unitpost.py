"""Split a sheet's 工作单位及职务 cell into the work unit and the post.

Union offices' honoree sheets hold both in one cell, e.g.
``国网海南省电力有限公司海口供电局输电运检中心带电作业班班长`` or
``中国石化海南炼油化工有限公司 党委书记、董事长``. The rule, in order:

1. A line break or a space (ASCII or full-width) that the writer put between unit
   and post: the first one with nothing but posts on its right is the cut (certain),
   so spaces inside the unit name (``某医院 急诊科 主任医师``) stay in the unit. After
   the last line break the right side only has to end like a post, not like a unit.
2. Otherwise the cut goes right after an organisational suffix (公司, 局, 车间, 班, 村 …):
   the earliest such cut whose remainder is wholly made of known posts (so that a
   known post that starts with an org word, such as 车间主任 or 村委会主任, stays whole),
   else the last cut whose remainder is a qualified known post (客运值班员) or ends
   like a post (线长, 探伤工).
3. Otherwise a known post at the very end is cut off (顺丰速运快递员), uncertainly.
4. Otherwise the whole cell is the unit, certain only if it ends in an org suffix.

Nothing is dropped except the separator (whitespace and stray punctuation at the cut
or at either end): ``unit + gap + position`` is the stripped cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Org-unit endings (places included). Matched with ``endswith``.
ORG_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        set(
            """
    公司 分公司 有限公司 集团 局 分局 厂 分厂 总厂 工厂 车间 站 所 研究所 院 医院 学院 研究院
    学校 大学 中学 小学 幼儿园 园 中心 部 处 科 室 队 大队 支队 总队 车队 班 班组 组 工区 区
    段 场 矿 油田 村 社区 街道 委员会 会 协会 社 银行 分行 支行 店 馆 宫 台 团 港 码头 基地
    省 市 县 镇 乡 旗 盟 州 ） )
""".split()
        ),
        key=len,
        reverse=True,
    )
)

# Posts as written on honour sheets. 副 (once) and a leading 常务/退休/原/代理 are
# modifiers: 副总经理, 党委副书记, 常务副院长 and 退休职工 are read as their base post.
POSTS: frozenset[str] = frozenset(
    """
    班长 组长 班组长 线长 工长 段长 值班长 主任 车间主任 班主任 村委会主任 居委会主任
    经理 总经理 项目经理 客户经理 董事长 董事 执行董事 理事长 主席 工会主席 总裁 总监 主管
    书记 党委书记 党支部书记 党总支书记 团委书记 第一书记 驻村第一书记
    厂长 矿长 站长 所长 院长 校长 园长 局长 处长 科长 部长 队长 大队长 中队长 区长 镇长 乡长
    村长 县长 市长 行长 社长 店长 馆长 台长 团长 列车长 司机长 机长 乘务长 护士长 厨师长
    工程师 高级工程师 总工程师 技术员 技师 高级技师 首席技师 特级技师
    医师 医生 乡村医生 主任医师 主治医师 护士 护师 主管护师 主任护师 药师 主管药师
    教师 高级教师 讲师 教授 导师 博士生导师 研究员 科学家 首席科学家 记者 编辑
    法官 检察官 警察 民警 社区民警 辅警 消防员 司机 驾驶员 动车组司机 乘务员 飞行员 教员
    安检员 服务员 营业员 收银员 柜员 快递员 投递员 保洁员 清洁工 环卫工 环卫工人 管理员
    值班员 检车员 点检员 抄表员 收费员 操纵员 质检员 护林员 会计 出纳 厨师 设计师
    工人 职工 员工 农民 农民工 村民 牧民 渔民 居民 个体户 个体工商户 自由职业者
    焊工 电焊工 电工 钳工 车工 铣工 铆工 瓦工 木工 管道工 装配工 操作工 采油工 采煤工
    掘进工 爆破工 信号工 线路工 挡车工
""".split()
)

POST_TAILS = "员工师长手户者"  # endings of posts not in the list (探伤工, 线长, 种植户)
_MODIFIERS = ("常务", "退休", "原", "代理")
_JOINERS = re.compile(r"[、，,/;；\s\u3000]|兼")  # whitespace too: 班长 兼 安全员
_SPACE = re.compile(r"[\s\u3000]+")
TRIM = " \t\r\n\u3000，,。;；:：、/|"
# Kinds of a would-be post, weakest first.
NONE, TAIL, QUALIFIED, KNOWN = range(4)


@dataclass(frozen=True)
class Split:
    """A cell read as ``unit`` and ``position``; ``certain`` is False when guessed."""

    unit: str | None
    position: str | None
    certain: bool


def _org_end(text: str) -> bool:
    """Whether ``text`` ends like an organisational unit or a place."""
    return text.endswith(ORG_SUFFIXES)


def _known(part: str) -> bool:
    """Whether ``part`` is a listed post once its modifiers are set aside."""
    for prefix in _MODIFIERS:
        if part.startswith(prefix) and len(part) > len(prefix) + 1:
            part = part[len(prefix) :]
    return part in POSTS or part.replace("副", "", 1) in POSTS


def _known_tail(text: str) -> str | None:
    """The longest listed post (modifiers allowed) that ``text`` ends with, if any."""
    for start in range(len(text) - 1):
        if _known(text[start:]):
            return text[start:]
    return None


def _part_kind(part: str) -> int:
    """How much ``part`` (no joiners inside) looks like one post."""
    if _known(part):
        return KNOWN
    if len(part) > 8 or _org_end(part):
        return NONE
    tail = _known_tail(part)
    if tail and len(part) - len(tail) <= 4 and not _org_end(part[: -len(tail)]):
        return QUALIFIED  # 客运值班员, 采油工高级技师
    if 2 <= len(part) <= 5 and part[-1] in POST_TAILS and not part.startswith("第"):
        return TAIL  # 探伤工, 线长 (but 第一师 is a unit)
    return NONE


def post_kind(text: str) -> int:
    """How much ``text`` looks like a post, or posts joined by 、/兼/，/space: the weakest part."""
    parts = [p.strip(TRIM) for p in _JOINERS.split(text)]
    parts = [p for p in parts if p]
    if not parts:
        return NONE
    return min(_part_kind(p) for p in parts)


def _result(unit: str, position: str, certain: bool) -> Split:
    """A Split with the separator trimmed off both sides of the cut."""
    return Split(unit.rstrip(TRIM) or None, position.strip(TRIM) or None, certain)


def _at_separator(cell: str) -> Split | None:
    """The split at the first space or line break with only posts on its right."""
    for sep in _SPACE.finditer(cell):
        right = cell[sep.end() :].strip(TRIM)
        ends_post = bool(_known_tail(right)) or right[-1:] in POST_TAILS
        one_line = "\n" in sep.group() and not _SPACE.search(right)
        if post_kind(right) > NONE or (one_line and ends_post and not _org_end(right)):
            return _result(cell[: sep.start()], right, True)
    return None


def _by_suffix(cell: str) -> Split:
    """The split after an org suffix (see the module docstring, steps 2 to 4)."""
    cuts = [i for i in range(1, len(cell)) if _org_end(cell[:i])]
    kinds = {i: post_kind(cell[i:]) for i in cuts}
    for i in cuts:
        if kinds[i] == KNOWN:
            return _result(cell[:i], cell[i:], True)
    plausible = [i for i in cuts if kinds[i] > NONE]
    if plausible:
        i = plausible[-1]
        return _result(cell[:i], cell[i:], kinds[i] == QUALIFIED and len(plausible) == 1)
    if post_kind(cell) == KNOWN:
        return Split(None, cell, True)
    tail = _known_tail(cell)
    if tail:
        return _result(cell[: -len(tail)], tail, False)
    return Split(cell, None, _org_end(cell))


def split(cell: str) -> Split:
    """Split a 工作单位及职务 cell into unit and position.

    >>> split("海南航空控股股份有限公司机长")
    Split(unit='海南航空控股股份有限公司', position='机长', certain=True)
    >>> split("海口市美兰区环卫站\\n环卫工人")
    Split(unit='海口市美兰区环卫站', position='环卫工人', certain=True)
    >>> split("某某村党支部书记、村委会主任")
    Split(unit='某某村', position='党支部书记、村委会主任', certain=True)
    """
    text = (cell or "").strip(TRIM)
    if not text:
        return Split(None, None, False)
    return _at_separator(text) or _by_suffix(text)
