"""The relevance test set: queries whose expected answers come from the demo
generator's own records and manifest (records/demo/), never from what the engine
returns. Each category states its rank threshold; every query must meet it.

Queries are typed the way visitors type them: names and parts of names, surnames,
full pinyin, initials, heteronym and compound surnames, dotted names, homophone
typos, traditional characters, honour titles with years, units, quoted phrases,
text with facets, and negative cases.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest
from opencc import OpenCC
from pypinyin import Style, lazy_pinyin

from archive import search
from archive.catalogue import browse

pytestmark = pytest.mark.engines

# Surname readings for building pinyin queries (the test's own table, not the app's).
SURNAME_PINYIN = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "欧阳": "ouyang",
    "司马": "sima",
    "诸葛": "zhuge",
    "上官": "shangguan",
}

# Rank thresholds.
FIRST, TOP3, TOP10 = 1, 3, 10


@dataclass
class Case:
    query: str
    expected: list[str]  # demo refs
    within: int  # every expected ref ranks within this many results
    filters: dict = field(default_factory=dict)
    exact: bool = False  # the results are exactly the expected refs
    none: bool = False  # nothing at all may be found


def _published(records):
    return [r for r in records if r["status"] == "published"]


def _pinyin(name: str) -> list[str]:
    for surname, reading in SURNAME_PINYIN.items():
        if name.startswith(surname):
            return [reading] + lazy_pinyin(name[len(surname) :], style=Style.NORMAL)
    return lazy_pinyin(name, style=Style.NORMAL)


def build_cases(records: list[dict], manifest: dict) -> dict[str, list[Case]]:
    published = _published(records)
    individuals = [r for r in published if r["kind"] == "individual" and "·" not in r["name"]]
    name_count = Counter(r["name"] for r in published)
    unique = [r for r in individuals if name_count[r["name"]] == 1]
    pinyin_count = Counter(
        "".join(_pinyin(r["name"])) for r in published if r["kind"] == "individual"
    )
    initials_count = Counter("".join(s[0] for s in _pinyin(r["name"])) for r in individuals)
    special = {
        ref
        for g in manifest["heteronym_surnames"] + manifest["compound_surnames"]
        for ref in g["refs"]
    }
    cases: dict[str, list[Case]] = defaultdict(list)

    # Full names: the person whose name it is comes first.
    for r in unique[::14][:20]:
        cases["full name (first)"].append(Case(r["name"], [r["ref"]], FIRST))
    collectives = [r for r in published if r["kind"] == "collective" and name_count[r["name"]] == 1]
    for r in collectives[::20][:6]:
        cases["collective name (first)"].append(Case(r["name"], [r["ref"]], FIRST))

    # Same name: every namesake is shown, ahead of anyone else.
    for group in manifest["same_name_groups"]:
        cases["same name (all within group size)"].append(
            Case(group["name"], group["refs"], len(group["refs"]))
        )

    # The exact name ranks above the longer name that starts with it.
    pair = manifest["prefix_pair"]
    cases["prefix pair (exact first)"] += [
        Case(pair["short"]["name"], [pair["short"]["ref"]], FIRST),
        Case(pair["short"]["name"], [pair["long"]["ref"]], TOP3),
        Case(pair["long"]["name"], [pair["long"]["ref"]], FIRST),
    ]

    # Given names (the name without the surname), when few share them.
    given_count = Counter(r["name"][1:] for r in individuals)
    partial = [
        r
        for r in unique
        if len(r["name"]) == 3 and r["ref"] not in special and given_count[r["name"][1:]] == 1
    ]
    for r in partial[::9][:8]:
        cases["given name (top 10)"].append(Case(r["name"][1:], [r["ref"]], TOP10))

    # Surnames: every holder within the top (number of holders), for small families.
    holders = defaultdict(list)
    for r in individuals:
        if r["ref"] not in special:
            holders[r["name"][0]].append(r["ref"])
    small = sorted(
        (s for s, refs in holders.items() if 2 <= len(refs) <= 4),
        key=lambda s: (len(holders[s]), s),
    )
    for surname in small[:8]:
        cases["surname (all holders within their number + 2)"].append(
            Case(surname, holders[surname], len(holders[surname]) + 2)
        )

    # Full pinyin, when no one else's name reads the same.
    for r in [r for r in unique if pinyin_count["".join(_pinyin(r["name"]))] == 1][::12][:10]:
        cases["full pinyin (first)"].append(Case("".join(_pinyin(r["name"])), [r["ref"]], FIRST))
    # Pinyin with spaces between syllables, as some phones type it.
    for r in [r for r in unique if pinyin_count["".join(_pinyin(r["name"]))] == 1][5::20][:4]:
        cases["spaced pinyin (top 3)"].append(Case(" ".join(_pinyin(r["name"])), [r["ref"]], TOP3))

    # Initials, when at most five names share them.
    shared_initials = [
        r for r in unique if initials_count["".join(s[0] for s in _pinyin(r["name"]))] <= 5
    ]
    for r in shared_initials[::15][:8]:
        cases["initials (top 10)"].append(
            Case("".join(s[0] for s in _pinyin(r["name"])), [r["ref"]], TOP10)
        )

    # Heteronym surnames read as surnames.
    by_ref = {r["ref"]: r for r in records}
    for group in manifest["heteronym_surnames"]:
        refs = group["refs"]
        cases["heteronym surname character (within holders + 2)"].append(
            Case(group["surname"], refs, len(refs) + 2)
        )
        cases["heteronym surname pinyin (top 10)"].append(
            Case(SURNAME_PINYIN[group["surname"]], refs, TOP10)
        )
        first = by_ref[refs[0]]
        cases["heteronym full pinyin (top 3)"].append(
            Case("".join(_pinyin(first["name"])), [refs[0]], TOP3)
        )
        # ... and as a visitor who does not know the surname's reading types it
        cases["heteronym misread as common pinyin (top 3)"].append(
            Case("".join(lazy_pinyin(first["name"], style=Style.NORMAL)), [refs[0]], TOP3)
        )

    # Compound surnames.
    for group in manifest["compound_surnames"]:
        refs = group["refs"]
        cases["compound surname (within holders)"].append(Case(group["surname"], refs, len(refs)))
        cases["compound surname pinyin (within holders + 1)"].append(
            Case(SURNAME_PINYIN[group["surname"]], refs, len(refs) + 1)
        )

    # Names with a middle dot: the whole name, either part, the part's pinyin.
    for dotted in manifest["dotted_names"]:
        first_part, last_part = dotted["name"].split("·")
        cases["dotted name (first)"] += [
            Case(dotted["name"], [dotted["ref"]], FIRST),
            Case(dotted["name"].replace("·", ""), [dotted["ref"]], FIRST),
        ]
        cases["dotted name part (top 3)"] += [
            Case(first_part, [dotted["ref"]], TOP3),
            Case(last_part, [dotted["ref"]], TOP3),
            Case("".join(lazy_pinyin(first_part, style=Style.NORMAL)), [dotted["ref"]], TOP3),
        ]

    # Homophone typos from the generator's fixed list.
    for probe in manifest["typo_probes"]:
        cases["homophone typo (top 3)"].append(Case(probe["query"], [probe["ref"]], TOP3))

    # Traditional characters.
    to_traditional = OpenCC("s2t")
    changed = [r for r in unique if to_traditional.convert(r["name"]) != r["name"]]
    for r in changed[::10][:8]:
        cases["traditional characters (first)"].append(
            Case(to_traditional.convert(r["name"]), [r["ref"]], FIRST)
        )

    # Honour titles with years: every holder of the title in that year, within the top 10.
    conferred = defaultdict(list)
    for r in published:
        for honour in r["honours"]:
            conferred[(honour["year"], honour["title"])].append(r["ref"])
    rare = sorted(k for k, refs in conferred.items() if 2 <= len(refs) <= 6)
    for year, title in rare[::3][:8]:
        cases["title with year (all within top 10)"].append(
            Case(f"{year} {title}", sorted(set(conferred[(year, title)])), TOP10)
        )

    # Unit names: everyone of a unit within the top 10.
    units = defaultdict(list)
    for r in published:
        units[r["unit"]].append(r["ref"])
    for unit in sorted(u for u, refs in units.items() if 2 <= len(refs) <= 5)[::9][:6]:
        cases["unit name (all within top 10)"].append(Case(unit, units[unit], TOP10))

    # Quoted phrases: a clause found in exactly one published story.
    stories = {r["ref"]: r["story"] for r in published}
    phrases = []
    for r in published[::7]:
        for clause in re.split(r"[，。；：！？、“”（）\s]", r["story"]):
            if (
                9 <= len(clause) <= 16
                and not re.search(r"\d", clause)
                and sum(clause in s for s in stories.values()) == 1
            ):
                phrases.append((clause, r["ref"]))
                break
    for clause, ref in phrases[:8]:
        cases["quoted phrase (first)"].append(Case(f"“{clause}”", [ref], FIRST))

    # Text with facets: every holder of the surname with such an honour ranks
    # within the top (their number), and nothing without the facet is shown.
    for surname, level in (
        ("张", "national"),
        ("陈", "provincial"),
        ("王", "national"),
        ("李", "provincial"),
    ):
        refs = [
            r["ref"]
            for r in individuals
            if r["name"].startswith(surname)
            and r["ref"] not in special
            and any(o["level"] == level for o in r["honours"])
        ]
        cases["surname with a level facet (holders within their number)"].append(
            Case(surname, refs, len(refs), filters={"level": level, "kind": "individual"})
        )
    for r in unique[3::40][:3]:
        honour = r["honours"][0]
        cases["name with title and year facets (first)"].append(
            Case(
                r["name"],
                [r["ref"]],
                FIRST,
                filters={"title": honour["title"], "year": honour["year"]},
            )
        )

    # Negative cases: what is not published is not found.
    for hidden in manifest["non_published"]:
        cases["unpublished unique word (nothing)"].append(
            Case(hidden["unique_word"], [], 0, none=True)
        )
    return dict(cases)


@pytest.fixture(scope="module")
def cases(demo_records, demo_manifest):
    return build_cases(demo_records, demo_manifest)


@pytest.fixture(scope="module")
def ranked(demo_archive, demo_ids, demo_records):
    db = demo_archive.db()
    index_dir = demo_archive.config["INDEX_DIR"]
    by_id = {v: k for k, v in demo_ids.items()}

    records = {r["ref"]: r for r in demo_records}

    def run(case: Case) -> tuple[list[str], int]:
        filters = browse.parse({k: str(v) for k, v in case.filters.items()})
        result = search.query(
            db,
            index_dir,
            case.query,
            filters,
            page_size=100,
            with_facets=False,
            time_limit=10,
            engine=demo_archive.config["SEARCH_ENGINE"],
        )
        refs = [by_id[item["id"]] for item in result.items]
        for ref in refs:  # the facets hold for every result, judged from the records
            honours = records[ref]["honours"]
            assert all(
                any(o[k] == v for o in honours)
                for k, v in case.filters.items()
                if k in ("level", "title", "year")
            ), (case.query, ref)
            if "kind" in case.filters:
                assert records[ref]["kind"] == case.filters["kind"]
        return refs, result.total

    return run


CATEGORIES = [
    "full name (first)",
    "collective name (first)",
    "same name (all within group size)",
    "prefix pair (exact first)",
    "given name (top 10)",
    "surname (all holders within their number + 2)",
    "full pinyin (first)",
    "spaced pinyin (top 3)",
    "initials (top 10)",
    "heteronym surname character (within holders + 2)",
    "heteronym surname pinyin (top 10)",
    "heteronym full pinyin (top 3)",
    "heteronym misread as common pinyin (top 3)",
    "compound surname (within holders)",
    "compound surname pinyin (within holders + 1)",
    "dotted name (first)",
    "dotted name part (top 3)",
    "homophone typo (top 3)",
    "traditional characters (first)",
    "title with year (all within top 10)",
    "unit name (all within top 10)",
    "quoted phrase (first)",
    "surname with a level facet (holders within their number)",
    "name with title and year facets (first)",
    "unpublished unique word (nothing)",
]


def test_the_set_has_at_least_80_queries_in_every_category(cases):
    assert set(cases) == set(CATEGORIES)
    assert all(cases[c] for c in CATEGORIES)
    assert sum(len(v) for v in cases.values()) >= 80


@pytest.mark.parametrize("category", CATEGORIES)
def test_relevance(category, cases, ranked):
    failures = []
    for case in cases[category]:
        got, total = ranked(case)
        if case.none:
            ok = total == 0
        elif case.exact:
            ok = sorted(got) == sorted(case.expected) and total == len(case.expected)
        else:
            ok = all(ref in got[: case.within] for ref in case.expected)
        if not ok:
            failures.append(
                f"{case.query!r} {case.filters or ''}: expected {case.expected} "
                f"within {case.within}, got {got[: max(case.within, 5)]}"
            )
    assert not failures, "\n".join(failures)
