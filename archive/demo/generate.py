"""Deterministic generator for the fictional demo dataset (records/demo/).

    python -m archive.demo.generate records/demo [--seed 2019]

Writes honorees.jsonl, exhibitions.jsonl, manifest.json and README.md. The output is
byte-identical for the same seed: only ``random.Random(seed)`` is used, nothing is
taken from the clock or the environment, sets are never iterated unsorted, and JSON is
written with sorted keys. Standard library only.

All people, teams and units are invented (示例数据，人物与单位均为虚构); the province,
cities, counties and their GB/T 2260 codes are real.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from archive.catalogue.vocabulary import COLLECTIVE_TYPES, KINDS, LEVELS, TITLES

from . import corpus, namepool, phrases, regions

N_INDIVIDUALS = 326
N_COLLECTIVES = 159
NATIONAL_SHARE = 0.22
N_MEMBER_COLLECTIVES = 40
YEARS = (2019, 2020, 2021, 2022)
TITLE_INFO = {t: (level, kind) for t, level, kind in TITLES}
LEVEL_RANK = {"national": 0, "provincial": 1, "municipal": 2, "industry": 3}

# The non-published records and the distinctive word each story carries (and nothing else).
NON_PUBLISHED = [
    # ref suffix, status, kind, industry, unique word, sentence
    (
        "draft",
        "individual",
        "制造业",
        "青鸾七号",
        "目前，{pron}正牵头“青鸾七号”精密主轴研制项目，样机已进入耐久性试验阶段。",
    ),
    (
        "draft",
        "individual",
        "水利",
        "琉璃渠",
        "眼下，{pron}负责的“琉璃渠”灌区节水改造工程正在加紧施工，建成后可惠及农田{#3-8}千亩。",
    ),
    (
        "draft",
        "collective",
        "电力",
        "听涛三号",
        "{pron}正在承担“听涛三号”海上风电送出线路的运维准备工作，已完成人员培训和预案编制。",
    ),
    (
        "draft",
        "individual",
        "信息技术",
        "云梭计划",
        "{pron}参与发起的“云梭计划”为山区中小企业提供免费的上云诊断服务，首批已覆盖{#30-90}家企业。",
    ),
    (
        "draft",
        "collective",
        "农业",
        "鹭栖湾",
        "{pron}在“鹭栖湾”生态稻田示范区推广稻鸭共养模式，带动周边{#50-200}户农户增收。",
    ),
    (
        "withdrawn",
        "individual",
        "教育",
        "栖梧学堂",
        "{pron}创办的“栖梧学堂”公益课堂，每逢周末为留守儿童开设书法和科学课程。",
    ),
    (
        "withdrawn",
        "collective",
        "纺织",
        "星槎工坊",
        "{pron}设立的“星槎工坊”面料创新实验室，每年推出新花型{#20-60}个。",
    ),
    (
        "withdrawn",
        "individual",
        "公共服务",
        "翠微智巡",
        "{pron}设计的“翠微智巡”网格巡查小程序，已在{#5-15}个社区试用。",
    ),
]

LONG_URL = (
    "https://example.org/laomo-archive/materials/2021/zhejiang/recommendation-dossiers/"
    "provincial-model-workers/full-text-with-attachments/appendix-b-workshop-innovation-records.html"
    "?source=demo-dataset&section=technical-achievements&lang=zh-CN"
)

LONG_COLLECTIVE_SUFFIX = "高端数控机床事业部精密电主轴装配与动平衡检测车间青年创新突击队"

LEADER_WORDS = ("长", "经理", "主任", "书记", "理事长", "站长", "所长")


def _any_spec(spec) -> bool:
    return True


def is_leader(position: str) -> bool:
    return any(w in position for w in LEADER_WORDS)


TEAM_LEADER = {
    "班组": "班长",
    "车队": "车队长",
    "突击队": "突击队队长",
    "项目部": "项目经理",
    "团队": "团队负责人",
    "科室": "科主任",
    "中队": "中队长",
    "抢修队": "抢修队队长",
    "抢险队": "抢险队队长",
    "教研组": "教研组长",
    "工作室": "工作室负责人",
    "船队": "船队长",
    "中心": "中心主任",
}

# paragraph kinds that may be merged into one paragraph when short
MERGE_GROUPS = {
    "service": "life",
    "personal": "life",
    "manage": "team",
    "culture": "team",
    "talent": "team",
}

# individual-only feats (a team cannot "watch 20 looms alone")
TEAM_UNSUITABLE = (
    "一人",
    "练就",
    "个人",
    "单日最高",
    "每天骑行",
    "这所只有",
    "头发丝",
    "把乘客的需求",
    "带领",
)

_TOKEN = re.compile(r"\{([^{}]*)\}")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# ------------------------------------------------------------------ rendering
def render(tpl: str, ctx: dict, rng: random.Random, depth: int = 0) -> str:
    """Fill a template (syntax in corpus.py); list values are picked from at random."""

    memo = ctx.get("_memo")  # one record reuses a number for the same kind of fact

    def sub(m: re.Match) -> str:
        s = m.group(1)
        key = s + tpl[m.end() : m.end() + 2]
        if memo is not None and s[:1] in "#~" and key in memo:
            return memo[key]
        out = _sub(m, s)
        if memo is not None and s[:1] in "#~":
            memo[key] = out
        return out

    def _sub(m: re.Match, s: str) -> str:
        if s.startswith("#"):
            a, b = s[1:].split("-")
            n = rng.randint(int(a), int(b))
            if tpl[m.end() : m.end() + 1] in ("余", "多") and n >= 20:  # "4800余人", not "4839余人"
                step = 10 ** (len(str(n)) - 2)
                n = max(step, n // step * step)
            return str(n)
        if s.startswith("~"):
            a, b = s[1:].split("-")
            digits = max(len(x.split(".")[1]) if "." in x else 0 for x in (a, b))
            return f"{rng.uniform(float(a), float(b)):.{max(1, digits)}f}"
        if "|" in s:
            return rng.choice(s.split("|"))
        v = ctx[s]
        if isinstance(v, (list, tuple)):
            v = rng.choice(v)
        v = str(v)
        if "{" in v and depth < 4:
            v = render(v, ctx, rng, depth + 1)
        return v

    return _TOKEN.sub(sub, tpl)


def usable(tpl: str, ctx: dict) -> bool:
    """A template is usable when every context key it names is present and not None."""
    for m in _TOKEN.finditer(tpl):
        s = m.group(1)
        if s[:1] in "#~" or "|" in s:
            continue
        if ctx.get(s) is None:
            return False
    return True


def pick(rng: random.Random, pool, ctx: dict):
    ok = [t for t in pool if usable(t if isinstance(t, str) else t[-1], ctx)]
    return rng.choice(ok)


def _is_tagged(item) -> bool:
    return (
        isinstance(item, tuple)
        and bool(item)
        and isinstance(item[-1], tuple)
        and all(isinstance(x, str) for x in item[-1])
    )


def _strip(item):
    if _is_tagged(item):
        return item[0] if len(item) == 2 else item[:-1]
    return item


def for_field(pool: list, field: str) -> list:
    """Items of a pool that suit a field: untagged items, and tagged ones naming the field."""
    out = [_strip(it) for it in pool if not _is_tagged(it) or field in it[-1]]
    return out or [_strip(it) for it in pool]


_VIEWS: dict[tuple[str, str], dict] = {}


def field_view(industry: str, field: str) -> dict:
    """The industry's material narrowed to one field (feats, scenes, quotes …)."""
    key = (industry, field)
    if key not in _VIEWS:
        info = corpus.INDUSTRIES[industry]
        _VIEWS[key] = {
            k: (
                for_field(v, field)
                if isinstance(v, list) and k not in ("units", "roles", "teams")
                else v
            )
            for k, v in info.items()
        }
    return _VIEWS[key]


def cjk_len(text: str) -> int:
    return len(_CJK.findall(text))


def weighted(rng: random.Random, items: list, weights: list):
    return rng.choices(items, weights=weights, k=1)[0]


# ------------------------------------------------------------------ names
class Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: list[str] = []
        reserved = [n for n, _, _ in namepool.SAME_NAME_GROUPS]
        reserved += [n for n, _ in namepool.PREFIX_PAIR]
        reserved += [n for n, _, _ in namepool.TYPO_PROBES]
        reserved += [t for _, _, t in namepool.TYPO_PROBES]
        reserved += [s + g for s, g, _ in namepool.HETERONYM_NAMES]
        reserved += [s + g for s, g, _ in namepool.COMPOUND_NAMES]
        reserved += [n for n, _, _ in namepool.DOTTED_NAMES]
        self.reserved = sorted(set(reserved))
        self.surnames = [s for s, _ in namepool.SURNAMES]
        self.weights = [w for _, w in namepool.SURNAMES]

    def _clash(self, name: str) -> bool:
        for other in self.used + self.reserved:
            if other.startswith(name) or name.startswith(other):
                return True
        return False

    def claim(self, name: str) -> str:
        self.used.append(name)
        return name

    def random(self, gender: str, birth_year: int, surname_pool: list[str] | None = None) -> str:
        decade = max(1960, min(1990, birth_year // 10 * 10))
        given_pool = namepool.GIVEN_BY_DECADE[decade][gender]
        for _ in range(500):
            if surname_pool:
                surname = self.rng.choice(surname_pool)
            else:
                surname = weighted(self.rng, self.surnames, self.weights)
            given = self.rng.choice(given_pool)
            if self.rng.random() < 0.25:  # mix with a neighbouring decade for variety
                other = namepool.GIVEN_BY_DECADE[min(1990, decade + 10)][gender]
                given = self.rng.choice(other)
            name = surname + given
            if not self._clash(name):
                return self.claim(name)
        raise RuntimeError("name pool exhausted")


# ------------------------------------------------------------------ units
class Units:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.brands_used: set[str] = set()
        self.by_key: dict[tuple, list[str]] = {}
        self.place_of: dict[str, tuple[str, str]] = {}  # unit -> (county, region code)
        self.template_of: dict[str, str] = {}

    def brand(self) -> str:
        for _ in range(1000):
            b = self.rng.choice(corpus.BRAND_A) + self.rng.choice(corpus.BRAND_B)
            if b in corpus.BRAND_BLOCKLIST or b in self.brands_used:
                continue
            self.brands_used.add(b)
            return b
        raise RuntimeError("brand pool exhausted")

    def new(
        self,
        industry: str,
        city: dict,
        county: str,
        templates: list[str] | None = None,
        reuse: bool = False,
    ) -> str:
        code = dict(city["counties"])[county]
        """A unit name for this industry and place; ``templates`` narrows the choice.

        With ``reuse`` an already used name may come back (two people of one unit);
        otherwise every call gives a new unit.
        """
        info = corpus.INDUSTRIES[industry]
        pool = [t for t in (templates or info["units"]) if corpus.template_ok(t, city["short"])]
        if not pool:
            pool = [t for t in info["units"] if corpus.template_ok(t, city["short"])]
        for attempt in range(400):
            if attempt == 200:  # widen to the whole industry
                pool = [t for t in info["units"] if corpus.template_ok(t, city["short"])]
            tpl = self.rng.choice(pool)
            ctx = {
                "city_short": city["short"],
                "county_short": short_county(county),
                "brand": self.brand() if "{brand}" in tpl else "",
                "town": self.rng.choice(corpus.TOWNS),
                "lake": self.rng.choice(corpus.LAKES),
            }
            name = render(tpl, ctx, self.rng)
            if name in self.used and reuse and self.place_of[name][0] == county:
                return name
            if name not in self.used:
                self.used.add(name)
                self.by_key.setdefault((industry, city["name"]), []).append(name)
                self.place_of[name] = (county, code)
                self.template_of[name] = tpl
                return name
        raise RuntimeError("unit pool exhausted")


def unit_templates(industry: str, idx: list[int] | None) -> list[str] | None:
    if idx is None:
        return None
    units = corpus.INDUSTRIES[industry]["units"]
    return [units[i] for i in idx]


def unit_matches(template: str, unit: str) -> bool:
    """Does ``unit`` look like it came from ``template`` (same fixed ending)?"""
    tail = template.rsplit("}", 1)[-1]
    return unit.endswith(tail)


def short_county(county: str) -> str:
    if county == "景宁畲族自治县":
        return "景宁"
    if len(county) > 2 and county[-1] in "区县市":
        return county[:-1]
    return county


def unit_short(unit: str) -> str:
    for suffix, short in [
        ("学校", "学校"),
        ("实验室", "实验室"),
        ("服务站", "站里"),
        ("管理所", "所里"),
        ("银行", "银行"),
        ("支行", "支行"),
        ("公司", "公司"),
        ("医院", "医院"),
        ("卫生院", "卫生院"),
        ("保健院", "保健院"),
        ("卫生服务中心", "中心"),
        ("小学", "学校"),
        ("中学", "学校"),
        ("幼儿园", "幼儿园"),
        ("学院", "学院"),
        ("教育中心", "学校"),
        ("合作社", "合作社"),
        ("家庭农场", "农场"),
        ("管理站", "管理站"),
        ("管理处", "管理处"),
        ("委员会", "社区"),
        ("中心", "中心"),
    ]:
        if unit.endswith(suffix):
            return short
    return "单位"


def org_kind(unit: str) -> str:
    if "银行" in unit:
        return "金融机构"
    if unit.endswith("公司"):
        return "企业"
    if any(k in unit for k in ("医院", "卫生院", "保健院", "卫生服务中心", "疾病预防控制中心")):
        return "医疗卫生机构"
    if any(unit.endswith(k) for k in ("小学", "中学", "幼儿园", "学院", "教育中心")):
        return "学校"
    if unit.endswith("合作社"):
        return "合作社"
    if unit.endswith("家庭农场"):
        return "家庭农场"
    return "单位"


def team_pron(name: str) -> str:
    for suffix, pron in [
        ("突击队", "突击队"),
        ("车队", "车队"),
        ("项目部", "项目部"),
        ("团队", "团队"),
        ("教研组", "教研组"),
        ("工作室", "工作室"),
        ("合作社", "合作社"),
        ("中队", "中队"),
        ("抢险队", "抢险队"),
        ("抢修队", "抢修队"),
        ("船队", "船队"),
        ("科", "科室"),
        ("中心", "中心"),
        ("班组", "班组"),
        ("班", "班组"),
        ("工作站", "班组"),
    ]:
        if name.endswith(suffix):
            return pron
    return "团队"


# ------------------------------------------------------------------ honours
class Honours:
    """Honour rows with consistent bodies and per-batch document numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.docs: dict[tuple, str] = {}

    def body_doc(self, title: str, year: int, city: dict) -> tuple[str, str]:
        if title in ("全国劳动模范", "全国先进工作者"):
            body, fmt, batch = "中共中央、国务院", "中发〔{y}〕{n}号", "national-model"
        elif title == "大国工匠年度人物":
            body, fmt, batch = "中华全国总工会、中央广播电视总台", "总工发〔{y}〕{n}号", "craftsman"
        elif title.startswith("全国"):
            body, fmt, batch = "中华全国总工会", "总工发〔{y}〕{n}号", "may-day"
        elif title in ("省劳动模范", "省先进工作者"):
            body, fmt, batch = "浙江省人民政府", "浙政发〔{y}〕{n}号", "prov-model"
        elif title == "省工匠":
            body, fmt, batch = (
                "浙江省总工会、浙江省人力资源和社会保障厅",
                "浙工发〔{y}〕{n}号",
                "prov-craft",
            )
        elif title.startswith("省"):
            body, fmt, batch = "浙江省总工会", "浙工发〔{y}〕{n}号", "prov-may-day"
        elif title == "市劳动模范":
            body, fmt, batch = (
                city["name"] + "人民政府",
                city["abbr"] + "政发〔{y}〕{n}号",
                "city-model-" + city["code"],
            )
        else:
            body, fmt, batch = (
                city["name"] + "总工会",
                city["abbr"] + "工发〔{y}〕{n}号",
                "city-may-day-" + city["code"],
            )
        key = (batch, year)
        if key not in self.docs:
            self.docs[key] = fmt.format(y=year, n=self.rng.randint(3, 68))
        return body, self.docs[key]

    def make(self, title: str, year: int, city: dict, field: str, collective: bool) -> dict:
        level, kind = TITLE_INFO[title]
        assert (kind == "collective") == collective, title
        assert year in YEARS
        body, doc = self.body_doc(title, year, city)
        area = {"national": "全国", "provincial": "全省", "municipal": "全市"}[level]
        pool = phrases.CITATIONS[phrases.citation_kind(title)]
        citation = render(
            self.rng.choice(pool), {"field": field, "year": year, "area": area}, self.rng
        )
        return {
            "title": title,
            "level": level,
            "year": year,
            "body": body,
            "document_no": doc,
            "citation": citation,
        }


def plan_individual_honours(
    rng: random.Random, national: bool, sector: str, craft: bool, craftsman_budget: list[int]
) -> list[tuple[str, int]]:
    """The honours (title, year) one individual receives, earliest first."""
    public = sector == "public"
    if national:
        return _plan_national_individual(rng, public, craft, craftsman_budget)
    return _plan_provincial_individual(rng, public, craft)


def _plan_national_individual(
    rng: random.Random, public: bool, craft: bool, craftsman_budget: list[int]
) -> list[tuple[str, int]]:
    options = [("model", 3), ("mayday", 5)]
    if craft and craftsman_budget[0] > 0:
        options.append(("craftsman", 1))
    scheme = weighted(rng, [o for o, _ in options], [w for _, w in options])
    if scheme == "model":
        top = ("全国先进工作者" if public else "全国劳动模范", 2020)
        prior = [("省先进工作者" if public else "省劳动模范", 2019), ("省五一劳动奖章", 2019)]
        return [rng.choice(prior), top] if rng.random() < 0.55 else [top]
    if scheme == "craftsman":
        craftsman_budget[0] -= 1
        return [("省工匠", rng.choice([2020, 2021])), ("大国工匠年度人物", 2022)]
    y = rng.choice(YEARS)
    plan = [("全国五一劳动奖章", y)]
    if y > 2019 and rng.random() < 0.55:
        plan.insert(0, ("省五一劳动奖章", rng.choice([v for v in YEARS if v < y])))
    return plan


def _plan_provincial_individual(
    rng: random.Random, public: bool, craft: bool
) -> list[tuple[str, int]]:
    model = "省先进工作者" if public else "省劳动模范"
    options = [(model, 3), ("省五一劳动奖章", 6)] + ([("省工匠", 3)] if craft else [])
    title = weighted(rng, [o for o, _ in options], [w for _, w in options])
    y = rng.choice(YEARS)
    plan = [(title, y)]
    if rng.random() >= 0.3:
        return plan
    if y == 2019:  # add a later provincial honour instead of an earlier one
        later = rng.choice([2021, 2022])
        plan.append((model if title != model else "省五一劳动奖章", later))
    else:
        earlier = rng.choice([v for v in YEARS if v < y])
        plan.insert(0, (_earlier_title(rng, title, model), earlier))
    return plan


def _earlier_title(rng: random.Random, title: str, model: str) -> str:
    """The honour that came before a provincial one: the May Day medal or a city honour."""
    if title in (model, "省工匠") and rng.random() < 0.5:
        return "省五一劳动奖章"
    return rng.choice(["市五一劳动奖章", "市劳动模范"])


def plan_collective_honours(
    rng: random.Random, national: bool, ctype: str
) -> list[tuple[str, int]]:
    if ctype == "team":
        nat, prov, city = "全国工人先锋号", "省工人先锋号", "市工人先锋号"
    else:
        nat, prov, city = "全国五一劳动奖状", "省五一劳动奖状", None
    y = rng.choice(YEARS)
    if national:
        plan = [(nat, y)]
        if y > 2019 and rng.random() < 0.5:
            plan.insert(0, (prov, rng.choice([v for v in YEARS if v < y])))
        return plan
    plan = [(prov, y)]
    if y > 2019 and city and rng.random() < 0.35:
        plan.insert(0, (city, rng.choice([v for v in YEARS if v < y])))
    return plan


def top_honour(honours: list[dict]) -> dict:
    return sorted(honours, key=lambda h: (LEVEL_RANK[h["level"]], -h["year"]))[0]


def honour_phrase(title: str) -> str:
    if title.endswith("奖章") or title.endswith("奖状"):
        return f"荣获{title}"
    if title == "省工匠":
        return "被评为“省工匠”"
    if title == "大国工匠年度人物":
        return "入选“大国工匠年度人物”"
    return f"被授予“{title}”称号"


def short_honour(title: str) -> str:
    if title.endswith("奖章") or title.endswith("奖状"):
        return "荣获" + title
    if title == "大国工匠年度人物":
        return "入选" + title
    return "获评" + title


def honours_sentence(honours: list[dict], pron: str) -> str:
    hs = sorted(honours, key=lambda h: (h["year"], LEVEL_RANK[h["level"]] * -1))
    if len(hs) == 1:
        return f"{hs[0]['year']}年，{pron}{honour_phrase(hs[0]['title'])}。"
    parts = [f"{hs[0]['year']}年，{pron}{honour_phrase(hs[0]['title'])}"]
    for h in hs[1:]:
        same = h["year"] == hs[0]["year"]
        parts.append(("同年又" if same else f"{h['year']}年又") + honour_phrase(h["title"]))
    return "，".join(parts) + "。"


def honours_text(honours: list[dict]) -> str:
    return "、".join(f"{h['year']}年{h['title']}" for h in sorted(honours, key=lambda h: h["year"]))


def randint_or_none(rng: random.Random, lo: int, hi: int) -> int | None:
    """A year between ``lo`` and ``hi``, or None when the span is empty (no random number drawn)."""
    return rng.randint(lo, hi) if lo <= hi else None


def surname_and_lao(name: str, age: int) -> tuple[str, str]:
    """The surname and how workmates address the person ("老王", "小李"; a dotted name's first part)."""
    if "·" in name:
        first = name.split("·")[0]
        return first, first
    surname = next((s for s in namepool.COMPOUND_SURNAMES if name.startswith(s)), name[0])
    return surname, ("老" if age >= 40 else "小") + surname


def party_sentence(party: bool, birth_year: int) -> str:
    if not party:
        return ""
    return "作为一名有着{#8-30}年党龄的老党员，" if birth_year < 1985 else "作为一名年轻党员，"


def nickname_pool(info: dict, gender: str) -> list[str]:
    return [
        n
        for n in info["nicknames"]
        if not (gender == "男" and "妈妈" in n) and not (gender == "女" and "小哥" in n)
    ]


# ------------------------------------------------------------------ the builder
class Builder:
    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.names = Names(self.rng)
        self.units = Units(self.rng)
        self.honours = Honours(self.rng)
        self.city_by_name = {c["name"]: c for c in regions.CITIES}
        self.opening_ids: dict[str, str] = {}
        self.craftsman_budget = [3]

    # -- places / industries
    def pick_city(self, coastal_only: bool = False) -> dict:
        cities = [c for c in regions.CITIES if c["coastal"] or not coastal_only]
        return weighted(self.rng, cities, [c["weight"] for c in cities])

    def pick_industry(self) -> str:
        names = list(corpus.INDUSTRIES)
        return weighted(self.rng, names, [corpus.INDUSTRIES[n]["weight"] for n in names])

    def pick_county(self, city: dict, industry: str) -> tuple[str, str]:
        counties = city["counties"]
        if corpus.INDUSTRIES[industry].get("coastal"):
            coastal = [c for c in counties if c[0] in regions.COASTAL_COUNTIES]
            counties = coastal or counties
        hints = corpus.INDUSTRY_COUNTY_HINTS.get(industry, [])
        weights = [4 if c[0] in hints else 1 for c in counties]
        return weighted(self.rng, counties, weights)

    def place(self, industry: str | None = None, city: dict | None = None) -> dict:
        industry = industry or self.pick_industry()
        coastal = bool(corpus.INDUSTRIES[industry].get("coastal"))
        if city is None or (coastal and not city["coastal"]):
            city = self.pick_city(coastal_only=coastal)
        county, code = self.pick_county(city, industry)
        return {"industry": industry, "city": city, "county": county, "region_code": code}

    def produce(self, industry: str, city: dict, field: str | None = None) -> list[str]:
        return corpus.products_for(industry, field or "", regions.CITY_PRODUCE[city["name"]])

    # -- collectives
    def collective_skeleton(
        self, ctype: str, industry: str | None = None, long_name: bool = False
    ) -> dict:
        if long_name:
            industry = "制造业"
        pl = self.place(industry)
        ind = pl["industry"]
        info = corpus.INDUSTRIES[ind]
        if ctype == "unit":
            unit = self.units.new(ind, pl["city"], pl["county"])
            tpl_index = info["units"].index(self.units.template_of[unit])
            fields = [
                r[1]
                for r in info["roles"]
                if tpl_index in corpus.ROLE_UNITS.get((ind, r[0]), [tpl_index])
            ]
            name, field = unit, self.rng.choice(fields or [r[1] for r in info["roles"]])
        elif long_name:
            unit = self.units.new(
                ind, pl["city"], pl["county"], ["浙江{brand}智能装备股份有限公司"]
            )
            name, field = unit + LONG_COLLECTIVE_SUFFIX, "精密装配"
        else:
            teams = [
                t
                for t in info["teams"]
                if any(
                    corpus.template_ok(u, pl["city"]["short"])
                    for u in (
                        unit_templates(ind, corpus.TEAM_UNITS.get((ind, t[0]))) or info["units"]
                    )
                )
            ]
            suffix, field = self.rng.choice(teams)
            unit = self.units.new(
                ind,
                pl["city"],
                pl["county"],
                unit_templates(ind, corpus.TEAM_UNITS.get((ind, suffix))),
            )
            suffix = render(
                suffix,
                {"town": corpus.TOWNS, "product": self.produce(ind, pl["city"], field)},
                self.rng,
            )
            name = unit + suffix
        return dict(pl, kind="collective", collective_type=ctype, name=name, unit=unit, field=field)

    # -- individuals
    def individual_skeleton(
        self, industry: str | None = None, unit_of: dict | None = None, avoid_positions: tuple = ()
    ) -> dict:
        """A person's place, unit, post and gender; ``unit_of`` makes them a member of that collective."""
        pl = (
            {k: unit_of[k] for k in ("industry", "city", "county", "region_code")}
            if unit_of is not None
            else self.place(industry)
        )
        roles = self.fitting_roles(pl, unit_of, avoid_positions)
        position, field, skills = self.rng.choice(roles)
        if (
            unit_of is not None
            and is_leader(position)
            and (unit_of["collective_type"] == "team" or position in avoid_positions)
        ):
            position, field, skills = self.ordinary_post(
                pl["industry"], roles, position, field, skills
            )
        unit = unit_of["unit"] if unit_of is not None else self.unit_for_post(pl, position)
        gender = self.pick_gender(pl["industry"], position)
        return dict(
            pl,
            kind="individual",
            collective_type=None,
            unit=unit,
            position=position,
            field=field,
            skills=list(skills),
            gender=gender,
        )

    def fitting_roles(self, pl: dict, unit_of: dict | None, avoid_positions: tuple) -> list:
        """The industry's roles that suit the place (and the collective, for a member)."""
        ind = pl["industry"]
        info = corpus.INDUSTRIES[ind]
        city_short = pl["city"]["short"]

        def fits(role) -> bool:
            tpls = unit_templates(ind, corpus.ROLE_UNITS.get((ind, role[0])))
            if unit_of is not None:
                return tpls is None or any(
                    corpus.template_ok(t, city_short) and unit_matches(t, unit_of["unit"])
                    for t in tpls
                )
            return any(corpus.template_ok(t, city_short) for t in (tpls or info["units"]))

        roles = [r for r in info["roles"] if fits(r)] or info["roles"]
        if unit_of is not None and unit_of["collective_type"] == "team":
            roles = [r for r in roles if r[1] == unit_of["field"]] or roles
        elif unit_of is not None:  # members of a unit: prefer different jobs
            roles = [r for r in roles if r[0] not in avoid_positions] or roles
        return roles

    def ordinary_post(self, industry: str, roles: list, position: str, field: str, skills) -> tuple:
        """A unit has one director and a team one leader; other members hold ordinary posts."""
        plain = [r for r in roles if not is_leader(r[0])]
        if position in corpus.LEADER_PLAIN:
            return corpus.LEADER_PLAIN[position], field, skills
        if plain:
            return self.rng.choice(plain)
        return corpus.PLAIN_POSITION[industry], field, skills

    def unit_for_post(self, pl: dict, position: str) -> str:
        """Now and then a colleague of someone already drawn, else a unit of the post's kind.

        May move ``pl`` to the county of the colleague's unit.
        """
        ind = pl["industry"]
        tpls = unit_templates(ind, corpus.ROLE_UNITS.get((ind, position)))
        pool = [
            u
            for u in self.units.by_key.get((ind, pl["city"]["name"]), [])
            if tpls is None or any(unit_matches(t, u) for t in tpls)
        ]
        if pool and self.rng.random() < 0.1:
            unit = self.rng.choice(pool)
            pl["county"], pl["region_code"] = self.units.place_of[unit]
            return unit
        return self.units.new(ind, pl["city"], pl["county"], tpls, reuse=True)

    def pick_gender(self, industry: str, position: str) -> str:
        female_p = corpus.INDUSTRIES[industry]["female"]
        if position in ("护士长", "幼儿园园长", "缝纫工", "挡车工"):
            female_p = 0.9
        elif position in corpus.MALE_HEAVY:
            female_p = 0.03
        return "女" if self.rng.random() < female_p else "男"

    # -- people details
    def person_details(self, sk: dict, spec: dict | None) -> None:
        rng = self.rng
        spec = spec or {}
        if "gender" in spec:
            sk["gender"] = spec["gender"]
        by = (
            rng.choice(range(1960, 1996))
            if rng.random() < 0.3
            else int(rng.triangular(1960, 1995.99, 1976))
        )
        sk["birth_year"] = by
        sk["birth_month"] = rng.randint(1, 12)
        sk["ethnicity"] = spec.get("ethnicity", "汉族")
        if "name" in spec:
            sk["name"] = self.names.claim(spec["name"])
        else:
            sk["name"] = self.names.random(sk["gender"], by, spec.get("surnames"))

    # -- stories
    def ind_context(self, r: dict) -> dict:
        """The facts and phrase pools an individual's story is rendered from."""
        rng = self.rng
        info = field_view(r["industry"], r["field"])
        top = top_honour(r["honours"])
        ref_year = max(h["year"] for h in r["honours"])
        by = r["birth_year"]
        entry_way, start_year = self.career_start(by, ref_year)
        pron = "她" if r["gender"] == "女" else "他"
        surname, lao = surname_and_lao(r["name"], ref_year - by)
        skill, skill2 = rng.sample(r["skills"], 2)
        products = self.produce(r["industry"], r["city"], r["field"])
        party = rng.random() < 0.7
        roles_path = self.roles_path(info, r["position"])
        ctx = {
            "name": r["name"],
            "pron": pron,
            "surname": surname,
            "lao": lao,
            "gender": r["gender"],
            "ethnicity": r["ethnicity"],
            "party": "中共党员，" if party else "",
            "party_sentence": party_sentence(party, by),
            "birth_year": by,
            "birth_month": r["birth_month"],
            "unit": r["unit"],
            "unit_short": unit_short(r["unit"]),
            "position": r["position"],
            "city_short": r["city"]["short"],
            "county": r["county"],
            "county_short": short_county(r["county"]),
            "field": r["field"],
            "skill": skill,
            "skill2": skill2,
            "product": r.setdefault("product", rng.choice(products)),
            "years": ref_year - start_year,
            "start_year": start_year,
            "start_age": start_year - by,
            "entry_way": entry_way,
            "entry_role": rng.choice(
                corpus.ENTRY_BY_POSITION.get(r["position"]) or info["entry_roles"]
            ),
            "roles_path": roles_path,
            "bio_tail": phrases.BIO_TAIL,
            "motto": [q for q in info["quotes"] if q != r["quote"]],
            "big1": None,
            "big2": None,
            "scene": info["scenes"],
            "question": info["questions"],
            "field_circle": phrases.FIELD_CIRCLE,
            "people": phrases.PEOPLE,
            "start_state": phrases.START_STATE,
            "now_state": phrases.NOW_STATE,
            "virtue": phrases.VIRTUES,
            "core": phrases.CORES + [phrases.IDENTITY[r["industry"]]] * 2,
            "nick": nickname_pool(info, r["gender"]),
            "top_year": top["year"],
            "top_title": top["title"],
            "top_phrase": honour_phrase(top["title"]),
            "top_short": short_honour(top["title"]),
            "mid_year": randint_or_none(rng, max(start_year + 2, 2008), ref_year - 2),
            "result": info["results"],
            "studio_year": randint_or_none(rng, max(start_year + 8, 2012), ref_year),
            "apprentice": info["apprentice"],
            "mentor_outcome": info["mentor_outcome"],
            "family_year": list(range(max(2008, by + 40), ref_year + 1))
            if by + 40 <= ref_year
            else None,
            "child": rng.choice(["女儿", "儿子"]) if by <= 1978 else None,
            "spouse": "妻子" if r["gender"] == "男" else "丈夫",
            "honours_text": honours_text(r["honours"]),
            "honours_sentence": honours_sentence(r["honours"], pron),
            "quote": r["quote"],
            "aspiration": phrases.ASPIRATIONS,
            "town": corpus.TOWNS,
            "quan": "全" + r["county"][-1],
            "_memo": {},
        }
        self.fill_rendered_phrases(ctx, info)
        return ctx

    def career_start(self, birth_year: int, ref_year: int) -> tuple[str, int]:
        """How and in which year the person started work (at least five years before the honour)."""
        entry_way = self.rng.choice(phrases.ENTRY_WAY)
        age_lo, age_hi = {"大学毕业": (22, 23), "退伍回乡": (20, 22)}.get(entry_way, (17, 20))
        start_age = self.rng.randint(age_lo, age_hi)
        return entry_way, min(birth_year + start_age, ref_year - 5)

    def roles_path(self, info: dict, position: str) -> str:
        """The posts held on the way up, e.g. "学徒、班组长、车间主任"."""
        rng = self.rng
        first = info["entry_roles"][0] if rng.random() < 0.5 else rng.choice(info["entry_roles"])
        middle = rng.choice(
            ["班组长", "技术骨干", "业务主管"]
            if info["sector"] == "enterprise"
            else ["业务骨干", "科室副主任", "负责人助理"]
        )
        return "、".join([first, middle, position])

    def fill_rendered_phrases(self, ctx: dict, info: dict) -> None:
        """Pick the motto, nickname, two big numbers and three tags (these need the context itself)."""
        rng = self.rng
        ctx["motto"] = rng.choice(ctx["motto"] or info["quotes"])
        ctx["nick"] = render(rng.choice(ctx["nick"]), ctx, rng).strip("“”")
        b1, b2 = rng.sample(phrases.BIG_NUMBERS, 2)
        ctx["big1"], ctx["big2"] = render(b1, ctx, rng), render(b2, ctx, rng)
        t1, t2, t3 = rng.sample(phrases.TAGS, 3)
        ctx.update(tag1=t1, tag2=t2, tag3=t3)

    def feats_paragraph(
        self, info: dict, ctx: dict, leads: list[str], n: int, team: bool = False
    ) -> str:
        rng = self.rng
        pool = info["feats"]
        if team:
            pool = [f for f in pool if not any(w in f for w in TEAM_UNSUITABLE)]
        feats = rng.sample(pool, min(n, len(pool)))
        first = render(feats[0], ctx, rng)
        lead_pool = [ld for ld in leads if first[:2] not in ld] or leads
        out = render(rng.choice(lead_pool), ctx, rng) + first
        for f in feats[1:]:
            out += render(rng.choice(phrases.CONNECTORS), ctx, rng) + render(f, ctx, rng)
        return out

    def crisis_paragraph(self, info: dict, ctx: dict, start_year: int, generic: list) -> str | None:
        rng = self.rng
        pool = [c for c in info["crisis"] + generic if c[0] >= start_year]
        if not pool:
            return None
        chosen = sorted(rng.sample(pool, min(len(pool), rng.choice([1, 2]))), key=lambda c: c[0])
        seen, out = set(), []
        for year, tpl in chosen:
            if year in seen:
                continue
            seen.add(year)
            out.append(render(tpl, ctx, rng))
        return "".join(out)

    @staticmethod
    def fit(
        opening: str, body: list[str], closing: str, extra: list[str] | None = None, hi: int = 760
    ) -> str:
        """Join paragraphs, dropping optional body paragraphs (never the first) until it fits."""
        body = list(body)
        extra = extra or []
        while len(body) > 1 and len("\n\n".join([opening] + body + extra + [closing])) > hi:
            body.pop()
        return "\n\n".join([opening] + body + extra + [closing])

    def assemble(self, opening: str, makers: list, closing: str, extra: list[str]) -> str:
        """Add body paragraphs (made lazily, in order) until a random target length is reached."""
        rng = self.rng
        target = rng.randint(300, 720)
        max_body = rng.choice([2, 3, 3, 4, 4, 5])
        body: list[str] = []
        kinds: list[str] = []
        for make in makers:
            text = "\n\n".join([opening] + body + extra + [closing])
            if body and len(text) >= target and cjk_len(text) >= 240:
                break
            if len(body) >= max_body and cjk_len(text) >= 240:
                break
            p = make()
            if not p:
                continue
            group = MERGE_GROUPS.get(make.__name__)
            if (
                body
                and group
                and MERGE_GROUPS.get(kinds[-1]) == group
                and (len(p) < 60 or len(body[-1]) < 60)
                and len(body[-1]) + len(p) < 170
            ):
                body[-1] += p  # short pieces of the same sort read better together
            else:
                body.append(p)
                kinds.append(make.__name__)
        return self.fit(opening, body, closing, extra)

    def individual_story(self, r: dict, ctx: dict, extra: str | None = None) -> str:
        rng = self.rng
        info = field_view(r["industry"], r["field"])
        pid, otpl = self.next_opening(phrases.OPENINGS_IND, ctx, r["ref"])
        opening = render(otpl, ctx, rng)
        if pid not in ("bio", "start", "transform") and rng.random() < 0.5:
            opening += render(pick(rng, phrases.FOLLOW_IND, ctx), ctx, rng)
        feats = list(info["feats"])
        rng.shuffle(feats)
        n1 = rng.choice([2, 2, 3])

        def tech(lead_pool, part):
            def make():
                chosen = part()
                if not chosen:
                    return None
                return self.feats_paragraph({"feats": chosen}, ctx, lead_pool, len(chosen))

            return make

        def innov():
            p = render(pick(rng, phrases.INNOV_IND, ctx), ctx, rng)
            if rng.random() < 0.5:
                p += render(rng.choice(phrases.INNOV_TAIL), ctx, rng)
            return p

        def mentor():
            a, b = rng.sample([t for t in phrases.MENTOR_IND if usable(t, ctx)], 2)
            return render(a, ctx, rng) + render(b, ctx, rng)

        def crisis():
            return self.crisis_paragraph(info, ctx, ctx["start_year"], phrases.CRISIS_GENERIC)

        def service():
            return render(rng.choice(info["service"]), ctx, rng) + render(
                rng.choice(phrases.SERVICE_GENERIC), ctx, rng
            )

        def personal():
            pool = phrases.PERSONAL_IND + (phrases.PERSONAL_MANUAL if info.get("craft") else [])
            pool = [t for t in pool if usable(t, ctx)]
            return "".join(render(t, ctx, rng) for t in rng.sample(pool, 2))

        others = [innov, mentor, crisis, service, personal]
        rng.shuffle(others)
        makers = [tech(phrases.TECH_LEADS_IND, lambda: feats[:n1])] + others[:2]
        makers += [tech(phrases.TECH_LEADS_IND2, lambda: feats[n1 : n1 + 2])] + others[2:]
        closings = [c for c in phrases.CLOSING_IND if len(r["honours"]) > 1 or "先后" not in c]
        if pid == "motto":
            closings = [c for c in closings if not c.startswith("“{quote}”")]
        closing = render(pick(rng, closings, ctx), ctx, rng)
        extras = [render(extra, ctx, rng)] if extra else []
        return self.assemble(opening, makers, closing, extras)

    def col_context(self, r: dict) -> dict:
        rng = self.rng
        info = field_view(r["industry"], r["field"])
        top = top_honour(r["honours"])
        ref_year = max(h["year"] for h in r["honours"])
        found_year = rng.randint(1985 if r["collective_type"] == "unit" else 1998, ref_year - 5)
        is_team = r["collective_type"] == "team"
        pron = team_pron(r["name"]) if is_team else unit_short(r["unit"])
        if pron in ("单位", "中心") and not is_team:
            pron = {"企业": "公司"}.get(org_kind(r["unit"]), "单位")
        members = r.get("member_names") or []
        ctx = {
            "name": r["name"],
            "pron": pron,
            "unit": r["unit"],
            "unit_where": r["unit"] if is_team else r["county"],
            "city_short": r["city"]["short"],
            "county": r["county"],
            "county_short": short_county(r["county"]),
            "field": r["field"],
            "skill": rng.choice(
                [s for role in info["roles"] if role[1] == r["field"] for s in role[2]]
                or [s for role in info["roles"] for s in role[2]]
            ),
            "skill2": None,
            "product": r.setdefault(
                "product", rng.choice(self.produce(r["industry"], r["city"], r["field"]))
            ),
            "found_year": found_year,
            "years": ref_year - found_year,
            "members_n": rng.randint(8, 45),
            "avg_age": rng.randint(29, 44),
            "staff_n": rng.randint(60, 2800),
            "composition": phrases.COMPOSITION,
            "adj": phrases.ADJ,
            "motto": phrases.MOTTO_COL,
            "mission": phrases.MISSIONS,
            "duty": phrases.DUTY,
            "org_kind": org_kind(r["unit"]),
            "start_small": phrases.START_SMALL,
            "now_big": phrases.NOW_BIG,
            "mid_year": rng.randint(max(found_year + 2, 2010), ref_year - 1)
            if max(found_year + 2, 2010) <= ref_year - 1
            else None,
            "method": phrases.METHODS,
            "short_name": None,
            "member_names": "、".join(members) if members else None,
            "mem_pron": "他们",
            "virtue": phrases.VIRTUES,
            "leader": "负责人" if not members else r["member_sk"][0]["position"] + members[0],
            "quote": r["quote"],
            "top_year": top["year"],
            "top_phrase": honour_phrase(top["title"]),
            "honours_text": honours_text(r["honours"]),
            "honours_sentence": honours_sentence(r["honours"], pron),
            "aspiration_col": phrases.ASPIRATIONS_COL,
            "noun": "集体" if not is_team else pron,
            "town": corpus.TOWNS,
            "lao": None,
            "apprentice": info["apprentice"],
            "quan": "全" + r["county"][-1],
            "_memo": {},
        }
        ctx["motto"] = rng.choice(phrases.MOTTO_COL)
        ctx["short_name"] = pron if is_team else r["name"][-6:]
        b1, b2 = rng.sample(phrases.BIG_NUMBERS_COL, 2)
        ctx["big1"], ctx["big2"] = render(b1, ctx, rng), render(b2, ctx, rng)
        return ctx

    def collective_story(self, r: dict, ctx: dict, extra: str | None = None) -> str:
        rng = self.rng
        info = field_view(r["industry"], r["field"])
        pool = phrases.OPENINGS_COL if r["collective_type"] == "team" else phrases.OPENINGS_UNIT
        pid, otpl = self.next_opening(pool, ctx, r["ref"])
        opening = render(otpl, ctx, rng)
        feats = [f for f in info["feats"] if not any(w in f for w in TEAM_UNSUITABLE)]
        rng.shuffle(feats)
        n1 = rng.choice([2, 3])

        def tech(lead_pool, chosen):
            return lambda: (
                self.feats_paragraph({"feats": chosen}, ctx, lead_pool, len(chosen))
                if chosen
                else None
            )

        def members():
            return (
                render(rng.choice(phrases.MEMBERS_COL), ctx, rng) if ctx["member_names"] else None
            )

        culture_pool = rng.sample(phrases.CULTURE_COL, len(phrases.CULTURE_COL))

        def manage():
            p = render(pick(rng, phrases.MANAGE_COL, ctx), ctx, rng)
            if rng.random() < 0.4:
                p += render(culture_pool.pop(), ctx, rng)
            return p

        def talent():
            return "".join(
                render(t, ctx, rng) for t in rng.sample(phrases.TALENT_COL, rng.choice([1, 2]))
            )

        def crisis():
            return self.crisis_paragraph(info, ctx, ctx["found_year"], phrases.CRISIS_COL_GENERIC)

        def service():
            return render(rng.choice(phrases.SERVICE_COL), ctx, rng)

        def culture():
            return "".join(render(culture_pool.pop(), ctx, rng) for _ in range(2))

        others = [manage, talent, crisis, service, culture]
        rng.shuffle(others)
        makers = [tech(phrases.TECH_LEADS_COL, feats[:n1]), members] + others[:2]
        makers += [tech(phrases.TECH_LEADS_COL2, feats[n1 : n1 + 2])] + others[2:]
        closings = [c for c in phrases.CLOSING_COL if len(r["honours"]) > 1 or "先后" not in c]
        if pid in ("c_motto", "u_motto"):
            closings = [c for c in closings if not c.startswith("“{quote}”")]
        closing = render(pick(rng, closings, ctx), ctx, rng)
        extras = [render(extra, ctx, rng)] if extra else []
        return self.assemble(opening, makers, closing, extras)

    def next_opening(self, pool: list[tuple[str, str]], ctx: dict, ref: str) -> tuple[str, str]:
        """Cycle through the opening patterns in shuffled rounds so that all are used evenly."""
        key = id(pool)
        queue = self.__dict__.setdefault("_queues", {}).setdefault(key, [])
        for _ in range(3 * len(pool)):
            if not queue:
                queue.extend(self.rng.sample(pool, len(pool)))
            pid, tpl = queue.pop(0)
            if usable(tpl, ctx):
                self.opening_ids[ref] = pid
                return pid, tpl
            queue.append((pid, tpl))
        raise RuntimeError("no usable opening")

    # -- summaries / quotes
    def summary(self, r: dict, ctx_extra: dict) -> str:
        rng = self.rng
        info = field_view(r["industry"], r["field"])
        top = top_honour(r["honours"])
        if r["kind"] == "individual":
            pool = [t for t in info["summaries"] if not (r["gender"] == "女" and "小哥" in t)]
            pool = pool * 2 + phrases.SUMMARY_IND_GENERIC
        else:
            pool = phrases.SUMMARY_COL
        for _ in range(50):
            s = render(rng.choice(pool), ctx_extra, rng)
            if len(s) < 20:
                s += (
                    f"，{top['year']}年{short_honour(top['title'])}"
                    if r["kind"] == "individual"
                    else f"，{short_honour(top['title'])}"
                )
            if 20 <= len(s) <= 50:
                return s
        raise RuntimeError("no summary fits")


# ------------------------------------------------------------------ main assembly
class FreeSlots:
    """Individuals who are not members of a collective and have no special name yet, in random order."""

    def __init__(self, individuals: list[dict], rng: random.Random):
        self.individuals = individuals
        self.free = [i for i, sk in enumerate(individuals) if not sk["is_member"]]
        rng.shuffle(self.free)

    def take(self, pred=_any_spec, avoid_cities=()) -> int:
        for j, idx in enumerate(self.free):
            sk = self.individuals[idx]
            if sk["city"]["name"] in avoid_cities or not pred(sk):
                continue
            self.free.pop(j)
            return idx
        raise RuntimeError("no free slot")


@dataclass
class SpecialNames:
    """The names the search tests rely on, by individual's index, and the groups the manifest lists."""

    specs: dict[int, dict] = dataclass_field(default_factory=dict)
    groups: dict[str, list[int]] = dataclass_field(default_factory=dict)

    def give(self, idx: int, spec: dict, group: str | None = None) -> None:
        self.specs[idx] = spec
        if group is not None:
            self.groups.setdefault(group, []).append(idx)


@dataclass
class Cast:
    """Every record of the dataset, and which of them the manifest points tests at."""

    individuals: list[dict]
    collectives: list[dict]
    extras: list[dict]
    names: SpecialNames
    long_url_idx: int
    featured: list[str]

    @property
    def records(self) -> list[dict]:
        return self.individuals + self.collectives + self.extras

    def refs_of(self, group: str) -> list[str]:
        return [self.individuals[i]["ref"] for i in self.names.groups.get(group, [])]


def generate(out_dir: pathlib.Path, seed: int = 2019) -> dict:
    """Write the demo dataset into ``out_dir``; return its counts. Same seed, same bytes."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cast = build_cast(Builder(seed))
    records = cast.records
    write_jsonl(out_dir / "honorees.jsonl", [to_row(r) for r in records])
    published = [r for r in records if r["status"] == "published"]
    write_jsonl(out_dir / "exhibitions.jsonl", exhibitions(published))
    counts = dataset_counts(records, published, cast.featured)
    manifest = build_manifest(cast, seed, counts)
    with (out_dir / "manifest.json").open("w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n")
    (out_dir / "README.md").write_text(README, encoding="utf-8", newline="\n")
    return counts


def build_cast(b: Builder) -> Cast:
    """Draw every record, in the order that fixes the random sequence for a seed."""
    rng = b.rng
    collectives = published_collectives(b)
    individuals = published_individuals(b, collectives)
    names = choose_special_names(rng, individuals)
    for i, sk in enumerate(individuals):
        b.person_details(sk, names.specs.get(i))
    award_honours(b, individuals, collectives)
    assign_refs(individuals, collectives)
    extras = [non_published_record(b, k, entry) for k, entry in enumerate(NON_PUBLISHED)]
    long_url_idx = mark_long_url(individuals, names.specs)
    for r in individuals + collectives + extras:
        write_texts(b, r)
    featured = pick_featured(rng, individuals, collectives)
    cast = Cast(individuals, collectives, extras, names, long_url_idx, featured)
    for r in cast.records:
        r["featured"] = r["ref"] in featured
    for r in cast.records:
        r["portrait"] = portrait(rng, r)
    return cast


def published_collectives(b: Builder) -> list[dict]:
    """The published teams and units (one with a very long name), a share of them national."""
    rng = b.rng
    n_team = round(N_COLLECTIVES * 0.64)
    ctypes = ["team"] * n_team + ["unit"] * (N_COLLECTIVES - n_team)
    collectives = [b.collective_skeleton(ct) for ct in ctypes[:-1]]
    collectives.append(b.collective_skeleton("team", long_name=True))
    rng.shuffle(collectives)
    national_cols = set(rng.sample(range(N_COLLECTIVES), round(N_COLLECTIVES * NATIONAL_SHARE)))
    for i, c in enumerate(collectives):
        c["status"] = "published"
        c["national"] = i in national_cols
    return collectives


def published_individuals(b: Builder, collectives: list[dict]) -> list[dict]:
    """Members of about forty collectives, then people on their own, shuffled together."""
    rng = b.rng
    member_cols = sorted(rng.sample(range(N_COLLECTIVES), N_MEMBER_COLLECTIVES))
    individuals: list[dict] = []
    for ci in member_cols:
        individuals.extend(collective_members(b, collectives[ci]))
    while len(individuals) < N_INDIVIDUALS:
        sk = b.individual_skeleton()
        sk["is_member"] = False
        individuals.append(sk)
    order = list(range(len(individuals)))
    rng.shuffle(order)
    return [individuals[i] for i in order]


def collective_members(b: Builder, col: dict) -> list[dict]:
    """Two to five members of ``col``, kept on it as ``member_sk``; a team's first member leads it."""
    col["member_sk"] = []
    for _ in range(b.rng.randint(2, 5)):
        taken = tuple(m["position"] for m in col["member_sk"])
        col["member_sk"].append(b.individual_skeleton(unit_of=col, avoid_positions=taken))
    if col["collective_type"] == "team":
        col["member_sk"][0]["position"] = TEAM_LEADER.get(team_pron(col["name"]), "负责人")
    for m in col["member_sk"]:
        m["is_member"] = True
    return col["member_sk"]


def choose_special_names(rng: random.Random, individuals: list[dict]) -> SpecialNames:
    """Give the names the tests probe (same names, prefixes, typos, rare surnames, minorities)
    to individuals who are not members of a collective."""
    slots = FreeSlots(individuals, rng)
    names = SpecialNames()
    for name, gender, count in namepool.SAME_NAME_GROUPS:
        cities: list[str] = []
        for _ in range(count):  # namesakes live in different cities
            idx = slots.take(avoid_cities=cities)
            cities.append(individuals[idx]["city"]["name"])
            names.give(idx, {"name": name, "gender": gender}, "same:" + name)
    for name, gender in namepool.PREFIX_PAIR:
        names.give(slots.take(), {"name": name, "gender": gender}, "prefix")
    for name, gender, _typo in namepool.TYPO_PROBES:
        names.give(slots.take(), {"name": name, "gender": gender}, "typo:" + name)
    give_rare_surnames(slots, names)
    for eth, surnames in namepool.MINORITIES:
        idx = slots.take(_in_lishui) if eth == "畲族" else slots.take()
        names.give(idx, {"ethnicity": eth, "surnames": surnames})
    return names


def _in_lishui(sk: dict) -> bool:
    return sk["city"]["name"] == "丽水市"


def give_rare_surnames(slots: FreeSlots, names: SpecialNames) -> None:
    """Heteronym surnames (朴 read Piáo), compound surnames and dotted minority names."""
    for s, g, gender in namepool.HETERONYM_NAMES:
        idx = slots.take(_any_spec)
        spec = {"name": s + g, "gender": gender}
        if s == "朴":
            spec["ethnicity"] = "朝鲜族"
        names.give(idx, spec, "heteronym:" + s)
    for s, g, gender in namepool.COMPOUND_NAMES:
        names.give(slots.take(), {"name": s + g, "gender": gender}, "compound:" + s)
    for name, gender, eth in namepool.DOTTED_NAMES:
        names.give(slots.take(), {"name": name, "gender": gender, "ethnicity": eth}, "dotted")


def award_honours(b: Builder, individuals: list[dict], collectives: list[dict]) -> None:
    """Plan each published record's honours; individuals first, a share of them national."""
    national_inds = set(b.rng.sample(range(N_INDIVIDUALS), round(N_INDIVIDUALS * NATIONAL_SHARE)))
    for i, sk in enumerate(individuals):
        info = corpus.INDUSTRIES[sk["industry"]]
        plan = plan_individual_honours(
            b.rng, i in national_inds, info["sector"], info["craft"], b.craftsman_budget
        )
        sk["honours"] = [b.honours.make(t, y, sk["city"], sk["field"], False) for t, y in plan]
        sk["status"] = "published"
    for c in collectives:
        plan = plan_collective_honours(b.rng, c["national"], c["collective_type"])
        c["honours"] = [b.honours.make(t, y, c["city"], c["field"], True) for t, y in plan]


def assign_refs(individuals: list[dict], collectives: list[dict]) -> None:
    """P0001… and C0001…; a collective lists its members' refs and names."""
    for i, sk in enumerate(individuals):
        sk["ref"] = f"P{i + 1:04d}"
        sk["members"] = []
    for i, c in enumerate(collectives):
        c["ref"] = f"C{i + 1:04d}"
        c["members"] = [m["ref"] for m in c.get("member_sk", [])]
        c["member_names"] = [m["name"] for m in c.get("member_sk", [])]


def non_published_record(b: Builder, k: int, entry: tuple) -> dict:
    """Draft or withdrawn record ``k`` (X0001…), whose story carries a word found nowhere else."""
    status, kind, industry, word, sentence = entry
    if kind == "individual":
        sk = b.individual_skeleton(industry=industry)
        b.person_details(sk, None)
        plan = plan_individual_honours(
            b.rng,
            False,
            corpus.INDUSTRIES[industry]["sector"],
            corpus.INDUSTRIES[industry]["craft"],
            [0],
        )
        sk["honours"] = [b.honours.make(t, y, sk["city"], sk["field"], False) for t, y in plan]
    else:
        sk = b.collective_skeleton("team" if k % 2 else "unit", industry=industry)
        plan = plan_collective_honours(b.rng, False, sk["collective_type"])
        sk["honours"] = [b.honours.make(t, y, sk["city"], sk["field"], True) for t, y in plan]
        sk["members"], sk["member_names"] = [], []
    sk.setdefault("members", [])
    sk.update(ref=f"X{k + 1:04d}", status=status, unique_word=word, unique_sentence=sentence)
    return sk


def mark_long_url(individuals: list[dict], specs: dict[int, dict]) -> int:
    """Choose the published individual whose story ends with a very long URL (a provincial
    manufacturing worker honoured in 2021, without a special name) and return their index."""
    idx = next(
        i
        for i, sk in enumerate(individuals)
        if not sk["is_member"]
        and sk["industry"] == "制造业"
        and i not in specs
        and any(h["year"] == 2021 for h in sk["honours"])
    )
    individuals[idx]["long_url"] = True
    return idx


def write_texts(b: Builder, r: dict) -> None:
    """The record's quote, story and summary."""
    rng = b.rng
    info = field_view(r["industry"], r["field"])
    if r["kind"] == "individual":
        r["quote"] = rng.choice([q for q in info["quotes"] + phrases.QUOTES_IND if "我" in q])
    else:
        r["quote"] = rng.choice([q for q in phrases.QUOTES_COL if "我" in q])
    extra = r.get("unique_sentence")
    if r.get("long_url"):
        extra = f"本文根据推荐单位报送的事迹材料整理，材料全文及附件见 {LONG_URL}"
    if r["kind"] == "individual":
        ctx = b.ind_context(r)
        r["story"] = b.individual_story(r, ctx, extra)
    else:
        ctx = b.col_context(r)
        r["story"] = b.collective_story(r, ctx, extra)
    r["summary"] = b.summary(r, ctx)


def pick_featured(
    rng: random.Random, individuals: list[dict], collectives: list[dict]
) -> list[str]:
    """Five individuals and three collectives with a national honour, each from another industry."""
    featured: list[str] = []
    seen_ind: set[str] = set()
    cand_i = [r for r in individuals if top_honour(r["honours"])["level"] == "national"]
    cand_c = [r for r in collectives if top_honour(r["honours"])["level"] == "national"]
    for pool, n in ((cand_i, 5), (cand_c, 3)):
        for r in rng.sample(pool, len(pool)):
            if len([x for x in featured if x[0] == r["ref"][0]]) >= n:
                break
            if r["industry"] in seen_ind:
                continue
            seen_ind.add(r["industry"])
            featured.append(r["ref"])
    return featured


def portrait(rng: random.Random, r: dict) -> dict:
    """The recipe for the record's placeholder portrait (drawn by placeholders.draw_placeholder)."""
    hue = rng.randint(0, 359)
    if r["kind"] != "individual":
        return {"style": "team", "hue": hue, "variant": rng.randint(0, 11)}
    hair = rng.randint(3, 5) if r["gender"] == "女" else rng.randint(0, 2)
    variant = (
        hair + 6 * rng.randint(0, 3) + 24 * (1 if r["gender"] == "男" and rng.random() < 0.3 else 0)
    )
    return {"style": "person", "hue": hue, "variant": variant}


def write_jsonl(path: pathlib.Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def display_key(r: dict) -> tuple:
    """Within an exhibition section: national honours first, individuals before collectives."""
    top = top_honour(r["honours"])
    return (LEVEL_RANK[top["level"]], 0 if r["kind"] == "individual" else 1, r["ref"])


def exhibitions(published: list[dict]) -> list[dict]:
    """The two demo exhibitions: one section per year of the top honour, and one per city."""
    by_year: dict[int, list[dict]] = {y: [] for y in YEARS}
    for r in published:
        by_year[top_honour(r["honours"])["year"]].append(r)
    hall1 = {
        "ref": "E0001",
        "title": "2019—2022年劳模风采",
        "intro": phrases.EXHIBITION_INTRO_YEARS,
        "sections": [
            {
                "title": f"{y}年度",
                "intro": phrases.YEAR_SECTION_INTRO[y],
                "members": [r["ref"] for r in sorted(by_year[y], key=display_key)],
            }
            for y in YEARS
        ],
    }
    hall2 = {
        "ref": "E0002",
        "title": "浙江省各市劳模工匠展",
        "intro": phrases.EXHIBITION_INTRO_CITIES,
        "sections": [
            {
                "title": c["name"],
                "intro": regions.CITY_INTRO[c["name"]],
                "members": [
                    r["ref"]
                    for r in sorted(
                        (r for r in published if r["city"]["name"] == c["name"]), key=display_key
                    )
                ],
            }
            for c in regions.CITIES
        ],
    }
    return [hall1, hall2]


def dataset_counts(records: list[dict], published: list[dict], featured: list[str]) -> dict:
    """The figures README and tests quote, in the order the CLI prints them."""
    return {
        **record_counts(records, published),
        **honour_counts(published),
        **spread_counts(published),
        "featured": len(featured),
        "exhibitions": 2,
    }


def record_counts(records: list[dict], published: list[dict]) -> dict:
    return {
        "published_individuals": sum(1 for r in published if r["kind"] == "individual"),
        "published_collectives": sum(1 for r in published if r["kind"] == "collective"),
        "published_collectives_by_type": {
            t: sum(1 for r in published if r["collective_type"] == t)
            for t in sorted(COLLECTIVE_TYPES)
        },
        "draft": sum(1 for r in records if r["status"] == "draft"),
        "withdrawn": sum(1 for r in records if r["status"] == "withdrawn"),
        "total_records": len(records),
        "published_by_top_level": {
            lv: sum(1 for r in published if top_honour(r["honours"])["level"] == lv)
            for lv in ("national", "provincial")
        },
    }


def honour_counts(published: list[dict]) -> dict:
    honours = [h for r in published for h in r["honours"]]
    by_title = ((t, sum(1 for h in honours if h["title"] == t)) for t, _, _ in TITLES)
    return {
        "honours_by_level": {
            lv: sum(1 for h in honours if h["level"] == lv)
            for lv in LEVELS
            if any(h["level"] == lv for h in honours)
        },
        "honours_by_title": {t: n for t, n in sorted(by_title) if n},
        "honours_by_year": {str(y): sum(1 for h in honours if h["year"] == y) for y in YEARS},
    }


def spread_counts(published: list[dict]) -> dict:
    return {
        "published_by_city": {
            c["name"]: sum(1 for r in published if r["city"]["name"] == c["name"])
            for c in regions.CITIES
        },
        "published_by_industry": {
            ind: sum(1 for r in published if r["industry"] == ind) for ind in corpus.INDUSTRIES
        },
        "counties_used": len({r["county"] for r in published}),
        "individuals_with_several_honours": sum(
            1 for r in published if r["kind"] == "individual" and len(r["honours"]) > 1
        ),
        "collectives_with_members": sum(1 for r in published if r["members"]),
    }


def build_manifest(cast: Cast, seed: int, counts: dict) -> dict:
    """manifest.json: the counts and the records the tests look for."""
    long_name = next(c for c in cast.collectives if c["name"].endswith(LONG_COLLECTIVE_SUFFIX))
    long_url = cast.individuals[cast.long_url_idx]
    return {
        "fictional": True,
        "note": "示例数据，人物与单位均为虚构",
        "note_en": "Demo data: all people, teams and work units are fictional; places and region codes are real.",
        "seed": seed,
        "generator": "archive.demo.generate",
        "counts": counts,
        "kinds": KINDS,
        "non_published": [
            {
                "ref": r["ref"],
                "status": r["status"],
                "kind": r["kind"],
                "unique_word": r["unique_word"],
            }
            for r in cast.extras
        ],
        "long_name_ref": long_name["ref"],
        "long_name": long_name["name"],
        "long_url_ref": long_url["ref"],
        "long_url": LONG_URL,
        **special_name_refs(cast),
        "featured_refs": cast.featured,
        "exhibition_refs": ["E0001", "E0002"],
    }


def special_name_refs(cast: Cast) -> dict:
    """Where the special names landed, for the search tests."""
    refs_of = cast.refs_of
    return {
        "same_name_groups": [
            {"name": n, "refs": refs_of("same:" + n)} for n, _, _ in namepool.SAME_NAME_GROUPS
        ],
        "prefix_pair": {
            "short": {"name": namepool.PREFIX_PAIR[0][0], "ref": refs_of("prefix")[0]},
            "long": {"name": namepool.PREFIX_PAIR[1][0], "ref": refs_of("prefix")[1]},
        },
        "typo_probes": [
            {"query": typo, "expected_name": n, "ref": refs_of("typo:" + n)[0]}
            for n, _, typo in namepool.TYPO_PROBES
        ],
        "heteronym_surnames": [
            {"surname": s, "refs": refs_of("heteronym:" + s)} for s in namepool.HETERONYM_SURNAMES
        ],
        "compound_surnames": [
            {"surname": s, "refs": refs_of("compound:" + s)} for s in namepool.COMPOUND_SURNAMES
        ],
        "dotted_names": [
            {"name": cast.individuals[i]["name"], "ref": cast.individuals[i]["ref"]}
            for i in cast.names.groups["dotted"]
        ],
    }


def to_row(r: dict) -> dict:
    ind = r["kind"] == "individual"
    return {
        "ref": r["ref"],
        "kind": r["kind"],
        "collective_type": r.get("collective_type"),
        "name": r["name"],
        "gender": r["gender"] if ind else None,
        "ethnicity": r["ethnicity"] if ind else None,
        "birth_year": r["birth_year"] if ind else None,
        "birth_month": r["birth_month"] if ind else None,
        "province": regions.PROVINCE[0],
        "city": r["city"]["name"],
        "county": r["county"],
        "region_code": r["region_code"],
        "unit": r["unit"],
        "position": r["position"] if ind else None,
        "industry": r["industry"],
        "summary": r["summary"],
        "story": r["story"],
        "quote": r["quote"],
        "status": r["status"],
        "featured": r["featured"],
        "members": r.get("members", []),
        "honours": sorted(r["honours"], key=lambda h: (h["year"], LEVEL_RANK[h["level"]])),
        "portrait": r["portrait"],
    }


README = """# 示例数据 / Demo dataset

**示例数据，人物与单位均为虚构。** 本目录中的劳模、集体、工作单位、事迹、感言和表彰文件文号均为程序生成的虚构内容，
如与真实人物或单位重名，纯属巧合；省、市、县（市、区）名称及其 GB/T 2260 行政区划代码是真实的（浙江省）。

**Everything here is fictional.** People, teams, work units, stories, quotes and document numbers are generated;
only the province, cities, counties and their GB/T 2260 region codes are real (浙江省).

| 文件 File | 内容 Contents |
| --- | --- |
| `honorees.jsonl` | 每行一条荣誉获得者记录（个人 `P…`、集体 `C…`、未发布测试记录 `X…`）/ one honoree per line |
| `exhibitions.jsonl` | 两个专题展及其分区 / two exhibitions with their sections |
| `manifest.json` | 统计数字、测试用特殊记录（同名、前缀、同音、长名称、长链接、草稿与撤回记录的独有词）/ counts and test fixtures |

肖像不随数据提供：`portrait` 字段描述占位图样式，由 `archive.demo.placeholders.draw_placeholder` 绘制。
Portraits are not shipped: `portrait` is a recipe drawn by `archive.demo.placeholders.draw_placeholder`.

## 重新生成 / Regenerate

```sh
.venv/bin/python -m archive.demo.generate records/demo          # 默认种子 seed 2019
```

同一种子每次生成的文件逐字节相同。The output is byte-identical for the same seed.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m archive.demo.generate",
        description="生成虚构的示例数据（records/demo/）：同一种子，逐字节相同。",
    )
    parser.add_argument("out", nargs="?", default="records/demo", help="输出目录")
    parser.add_argument("--seed", type=int, default=2019, help="随机种子（默认 2019）")
    args = parser.parse_args(argv)
    counts = generate(pathlib.Path(args.out), args.seed)
    print(
        json.dumps(
            {
                k: counts[k]
                for k in ("published_individuals", "published_collectives", "draft", "withdrawn")
            },
            ensure_ascii=False,
            sort_keys=True,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
