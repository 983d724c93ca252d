"""An index caught up by incremental updates answers as a full rebuild of the
same database does (a property test): random sequences of creates, edits of
names, units, stories and honours, merges, withdrawals and re-publishing are
applied to a live index through the outbox (search.drain, as the worker does),
then a second index is rebuilt from the same database, and both must give the
same hits, in the same order, with the same totals and facet counts, for names,
pinyin, initials, titles with years, fragments of units and quoted phrases.

What once broke it: the segmenter learned the words (names, units) of what a
process had indexed, so text indexed early was cut differently from the same
text indexed later; scoring counted deleted versions of edited records; and
ties were broken by the order documents entered the index."""

from __future__ import annotations

import re
import shutil
import tempfile
from contextlib import suppress
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from archive import db as database
from archive import search
from archive.catalogue import honorees
from archive.curation import accounts, editing
from archive.db import write
from tests.conftest import fresh_archive

pytestmark = pytest.mark.engines

NAMES = [
    "张伟",
    "张伟",
    "王芳",
    "李娜",
    "欧阳明辉",
    "单田芳",
    "曾志强",
    "阿依古丽·买买提",
    "刘洋",
    "刘阳",
    "陈静",
]
# What the record editor's form posts.
EDIT_FORM = (
    "kind",
    "collective_type",
    *editing.TEXT_FIELDS,
    "birth_year",
    "birth_month",
    "featured",
)
PLACES = ["南网", "国网浙江", "海口美兰", "宁波舟山", "中铁十一局", "沙钢", "华能", "青岛港"]
CORES = ["超高压输电", "电力", "国际机场", "港务", "精密机械", "建设", "供电", "钢铁"]
SUFFIXES = ["公司", "有限责任公司", "集团", "分局", "第三工程处", ""]
POSITIONS = [None, "班长", "带电作业班班长", "高级技师", "车间主任"]
TITLES = [
    "全国劳动模范",
    "全国五一劳动奖章",
    "省劳动模范",
    "市工人先锋号",
    "省工匠",
    "全国先进工作者",
]
YEARS = [2015, 2019, 2020, 2021]
SENTENCES = [
    "常年在高山峡谷间巡检线路",
    "带领班组攻克了精密主轴加工难题",
    "把多年摸索出的经验提炼成操作法",
    "曾随队支援南网抢修",
    "在台风后连夜恢复供电",
    "获评全国劳动模范后仍坚守一线",
    "培养徒弟三十余人",
    "改进轧钢工艺节约成本",
    "保障航班安全起降",
    "创新工作室推广到全厂",
]

units = st.builds(
    lambda p, c, s: p + c + s,
    st.sampled_from(PLACES),
    st.sampled_from(CORES),
    st.sampled_from(SUFFIXES),
)
honour_lists = st.lists(
    st.tuples(st.sampled_from(TITLES), st.sampled_from(YEARS)), min_size=0, max_size=2
)
stories = st.lists(st.sampled_from(SENTENCES + NAMES + PLACES), min_size=1, max_size=4)


def _story(parts: list[str]) -> str:
    return "，".join(parts) + "。"


create = st.fixed_dictionaries(
    {
        "op": st.just("create"),
        "name": st.sampled_from(NAMES),
        "unit": units,
        "position": st.sampled_from(POSITIONS),
        "story": stories,
        "honours": honour_lists,
        "published": st.booleans(),
    }
)
edit = st.fixed_dictionaries(
    {
        "op": st.just("edit"),
        "target": st.integers(0, 30),
        "changes": st.fixed_dictionaries(
            {}, optional={"name": st.sampled_from(NAMES), "unit": units, "story": stories}
        ),
    }
)
honour = st.fixed_dictionaries(
    {
        "op": st.just("honour"),
        "target": st.integers(0, 30),
        "title": st.sampled_from(TITLES),
        "year": st.sampled_from(YEARS),
        "revoke": st.booleans(),
    }
)
merge = st.fixed_dictionaries(
    {"op": st.just("merge"), "target": st.integers(0, 30), "other": st.integers(0, 30)}
)
status = st.fixed_dictionaries(
    {
        "op": st.just("status"),
        "target": st.integers(0, 30),
        "action": st.sampled_from(["withdraw", "publish"]),
    }
)
drain = st.fixed_dictionaries({"op": st.just("drain")})
operations = st.lists(
    st.one_of(create, create, edit, honour, merge, status, drain), min_size=3, max_size=12
)
seeds = st.lists(create, min_size=1, max_size=4)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A migrated database with one curator, copied for every example."""
    archive = fresh_archive(tmp_path_factory.mktemp("incremental-template"))
    db = archive.db()
    user_id = accounts.create_user(db, "curator1", "a-long-enough-password-1", "curator")
    user = dict(db.execute("SELECT * FROM users WHERE id = ?", [user_id]).fetchone())
    archive.close()
    return Path(archive.config["DATABASE"]), user


def _apply(db, user: dict, ids: list[int], op: dict) -> None:
    def pick(i: int) -> int:
        return ids[i % len(ids)]

    kind = op["op"]
    try:
        if kind == "create":
            record = {
                "kind": "individual",
                "name": op["name"],
                "unit": op["unit"],
                "position": op["position"],
                "story": _story(op["story"]),
                "status": "published" if op["published"] else "draft",
            }
            with write(db):
                ids.append(
                    honorees.create(
                        db,
                        record,
                        [
                            {
                                "title": t,
                                "level": "national" if t.startswith("全国") else "provincial",
                                "year": y,
                            }
                            for t, y in op["honours"]
                        ],
                    )
                )
        elif kind == "edit" and ids:
            record = editing.get(db, pick(op["target"]))
            form = {f: record[f] for f in EDIT_FORM}
            changes = dict(op["changes"])
            if "story" in changes:
                changes["story"] = _story(changes["story"])
            form.update(changes)
            editing.save(db, record["id"], form, record["version"], user)
        elif kind == "honour" and ids:
            target = pick(op["target"])
            held = db.execute(
                "SELECT id FROM honours WHERE honoree_id = ? ORDER BY id", [target]
            ).fetchall()
            if op["revoke"] and held:
                editing.set_honour_revoked(db, target, held[0]["id"], True, user)
            else:
                editing.add_honour(db, target, {"title": op["title"], "year": op["year"]}, user)
        elif kind == "merge" and ids:
            editing.merge(db, pick(op["target"]), pick(op["other"]), user)
        elif kind == "status" and ids:
            editing.change_status(db, pick(op["target"]), op["action"], user, second_approver=False)
    except editing.EditError:
        pass  # not allowed in this state (merging a deleted record, publishing twice …)


def _queries(db) -> list[str]:
    """What visitors type: every name, its pinyin and initials, titles with
    years, fragments of units (the opening, the middle) and quoted clauses."""
    rows = db.execute("SELECT name, unit, story FROM honorees").fetchall()
    texts = {"全国劳动模范 2020", "2019 省劳动模范", "全国五一劳动奖章", "省工匠 2021"}
    for row in rows:
        name = row["name"]
        syllables = lazy_pinyin(name.replace("·", ""), style=Style.NORMAL)
        texts |= {name, "".join(syllables), "".join(s[0] for s in syllables)}
        unit = row["unit"] or ""
        texts |= {
            unit,
            unit[:2],
            unit[2:5],
            unit[len(unit) // 2 - 1 : len(unit) // 2 + 2],
            f"{name} {unit[:2]}",
            f"{name[:2]} {unit[-4:-2]}",
        }
        for clause in re.split(r"[，。]", row["story"]):
            if len(clause) >= 4:
                texts.add(f"“{clause[1:-1]}”")
    return sorted(t for t in texts if t.strip())


def _answers(db, index_dir: Path, texts: list[str]) -> dict:
    found = {}
    for text in texts:
        result = search.query(db, index_dir, text, page_size=40, time_limit=60)
        found[text] = ([item["id"] for item in result.items], result.total, result.facets)
    return found


def _close(index_dir: Path) -> None:
    search.forget(index_dir)


@pytest.mark.slow  # a property test: hundreds of imports, edits and rebuilds
@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(seed=seeds, steps=operations)
def test_an_index_caught_up_by_edits_answers_as_a_rebuild_does(template, seed, steps):
    source, user = template
    root = Path(tempfile.mkdtemp(prefix="incremental-"))
    live_dir, rebuilt_dir = root / "live", root / "rebuilt"
    db = None
    try:
        shutil.copy(source, root / "archive.db")
        db = database.connect(str(root / "archive.db"))
        ids: list[int] = []
        for op in seed:
            _apply(db, user, ids, op)
        search.rebuild(db, live_dir)  # the index as it was before the import
        for op in steps:
            _apply(db, user, ids, op)
            if op["op"] == "drain":
                search.drain(db, live_dir)
        search.drain(db, live_dir)
        assert search.verify(db, live_dir).clean
        search.rebuild(db, rebuilt_dir)
        texts = _queries(db)
        incremental, rebuilt = _answers(db, live_dir, texts), _answers(db, rebuilt_dir, texts)
        differing = {
            t: (incremental[t][:2], rebuilt[t][:2]) for t in texts if incremental[t] != rebuilt[t]
        }
        assert not differing, differing
    finally:
        _close(live_dir)
        _close(rebuilt_dir)
        if db is not None:
            db.conn.close()
        with suppress(OSError):
            shutil.rmtree(root)


def test_an_older_record_is_found_by_the_words_of_a_later_one(empty_archive, make_honoree):
    """The bug this file guards against, step by step: a story indexed before a
    unit's record was imported is found by that unit's name as it is after a
    rebuild (the segmenter once learned the unit as one word from the import,
    so the older story, cut into smaller words, was no longer found)."""
    db, index_dir = empty_archive.db(), empty_archive.config["INDEX_DIR"]
    older = make_honoree(
        name="王芳", unit="某市第一中学", story="她曾在海口美兰国际机场做地勤，后来回乡任教。"
    )
    search.rebuild(db, index_dir)
    newer = make_honoree(name="李娜", unit="海口美兰国际机场", story="保障航班安全起降。")
    search.drain(db, index_dir)
    found = search.search(index_dir, "海口美兰国际机场")
    assert sorted(found) == sorted([older, newer])
    rebuilt = empty_archive.root / "rebuilt"
    search.rebuild(db, rebuilt)
    assert search.search(rebuilt, "海口美兰国际机场") == found
    for index in (index_dir, rebuilt):
        _close(Path(index))
