"""The honour-title vocabulary: the titles the archive starts with, and the
services curators use to own it afterwards (add, re-level, rename, merge).

Each title carries its default level and whom it is conferred on. The rows below are
only seeds (the first migration and m050 write them); from then on titles are rows of
``honour_titles`` and ``title_aliases``, changed at /curate/titles or with
``flask --app archive titles …``, never by editing this file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from archive.catalogue import audit, honorees
from archive.db import bump_generation, write
from archive.timeutil import now

LEVELS = {
    "national": "全国",
    "provincial": "省级",
    "municipal": "市级",
    "industry": "行业",
}

KINDS = {"individual": "个人", "collective": "集体"}

COLLECTIVE_TYPES = {"team": "班组", "unit": "单位"}

STATUSES = {
    "draft": "草稿",
    "review": "待审核",
    "published": "已发布",
    "withdrawn": "已撤回",
}

# (title, level, conferred on)
TITLES: list[tuple[str, str, str]] = [
    ("全国劳动模范", "national", "individual"),
    ("全国先进工作者", "national", "individual"),
    ("全国五一劳动奖章", "national", "individual"),
    ("大国工匠年度人物", "national", "individual"),
    ("全国五一劳动奖状", "national", "collective"),
    ("全国工人先锋号", "national", "collective"),
    ("省劳动模范", "provincial", "individual"),
    ("省先进工作者", "provincial", "individual"),
    ("省五一劳动奖章", "provincial", "individual"),
    ("省工匠", "provincial", "individual"),
    ("省五一劳动奖状", "provincial", "collective"),
    ("省工人先锋号", "provincial", "collective"),
    ("市劳动模范", "municipal", "individual"),
    ("市五一劳动奖章", "municipal", "individual"),
    ("市工人先锋号", "municipal", "collective"),
]

# Spellings offices use for a vocabulary title; seeded into ``title_aliases``
# (curators add more by merging titles).
TITLE_ALIASES = {
    "全国劳模": "全国劳动模范",
    "省劳模": "省劳动模范",
    "市劳模": "市劳动模范",
    "全国五一奖章": "全国五一劳动奖章",
    "全国五一奖状": "全国五一劳动奖状",
    "大国工匠": "大国工匠年度人物",
}


# --- the vocabulary curators own (honour_titles and title_aliases) -----------------

MAX_TITLE = 40
# An honour's own columns that say something beyond its title and year: the one of two
# duplicate honours with more of them filled is the one a merge keeps.
_DETAIL_FIELDS = ("body", "document_no", "citation")


class VocabularyError(ValueError):
    """A change to the title vocabulary that cannot be made as asked; the message is
    for curators."""


def clean(text: Any) -> str:
    """A title as the vocabulary stores and compares it: NFKC (full-width letters and
    digits folded), outer whitespace trimmed."""
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def titles(db: sqlite_utils.Database) -> list[dict]:
    """Every title, in the vocabulary's order: its level, whom it is conferred on,
    its position, its English name (None until a curator writes one), its aliases
    (sorted) and ``honours``, how many honours carry it."""
    rows = [
        dict(r)
        for r in db.execute(
            """SELECT t.title, t.level, t.conferred_on, t.position, t.english,
                  (SELECT count(*) FROM honours o WHERE o.title = t.title) AS honours
           FROM honour_titles t ORDER BY t.position, t.title"""
        )
    ]
    aliases: dict[str, list[str]] = {}
    for alias, title in db.execute("SELECT alias, title FROM title_aliases ORDER BY alias"):
        aliases.setdefault(title, []).append(alias)
    for row in rows:
        row["aliases"] = aliases.get(row["title"], [])
    return rows


def get_title(db: sqlite_utils.Database, title: str) -> dict | None:
    row = db.execute("SELECT * FROM honour_titles WHERE title = ?", [clean(title)]).fetchone()
    return dict(row) if row else None


def title_english(db: sqlite_utils.Database) -> dict[str, str]:
    """Each title that has an English name → that name."""
    return {
        r[0]: r[1]
        for r in db.execute("SELECT title, english FROM honour_titles WHERE english <> ''")
    }


def set_title_english(
    db: sqlite_utils.Database, title: str, english: str, user: dict | None = None
) -> str:
    """Set (or, with blank text, clear) a title's English name; returns it as stored.
    English pages show it as English, so it may hold no Chinese characters."""
    text = " ".join(unicodedata.normalize("NFKC", english or "").split())
    if len(text) > 2 * MAX_TITLE:
        raise VocabularyError(f"英文名称不能超过 {2 * MAX_TITLE} 个字符")
    if any(unicodedata.name(c, "").startswith("CJK") for c in text):
        raise VocabularyError("英文名称里不能有汉字；还没有英文名称时请留空")
    with write(db):
        name = _require(db, title)["title"]
        db.execute("UPDATE honour_titles SET english = ? WHERE title = ?", [text or None, name])
        audit.record(
            db,
            "title_change",
            user=user,
            record_type="honour_title",
            detail=f"{name}：英文名称 {text or '（清空）'}",
        )
        bump_generation(db)
    return text


def title_lookup(db: sqlite_utils.Database) -> dict[str, str]:
    """Every spelling the vocabulary knows (titles and aliases) → its title: load it
    once and pass it to :func:`resolve_title` for many rows."""
    lookup = {r[0]: r[1] for r in db.execute("SELECT alias, title FROM title_aliases")}
    lookup.update({r[0]: r[0] for r in db.execute("SELECT title FROM honour_titles")})
    return lookup


def resolve_title(
    db_or_mapping: sqlite_utils.Database | Mapping[str, str], written: str
) -> str | None:
    """The vocabulary title an office's ``written`` title stands for (the title
    itself, or the title it is an alias of), or None. ``db_or_mapping`` is a database
    or a :func:`title_lookup` mapping."""
    spelling = clean(written)
    if not spelling:
        return None
    if isinstance(db_or_mapping, Mapping):
        return db_or_mapping.get(spelling)
    row = db_or_mapping.execute(
        """SELECT title FROM honour_titles WHERE title = ?
           UNION ALL SELECT title FROM title_aliases WHERE alias = ? LIMIT 1""",
        [spelling, spelling],
    ).fetchone()
    return row[0] if row else None


def _new_name(db: sqlite_utils.Database, text: Any, *, allow_alias_of: str | None = None) -> str:
    """A checked new title: not empty, not too long, not taken by a title or by an
    alias (except an alias of ``allow_alias_of``, which the caller takes over)."""
    title = clean(text)
    if not title:
        raise VocabularyError("称号名称不能为空")
    if len(title) > MAX_TITLE:
        raise VocabularyError(f"称号名称不能超过 {MAX_TITLE} 个字")
    if db.execute("SELECT 1 FROM honour_titles WHERE title = ?", [title]).fetchone():
        raise VocabularyError(f"称号“{title}”已经在称号表中")
    alias = db.execute("SELECT title FROM title_aliases WHERE alias = ?", [title]).fetchone()
    if alias and alias[0] != allow_alias_of:
        raise VocabularyError(f"“{title}”已是称号“{alias[0]}”的别名")
    return title


def _choices(level: Any, conferred_on: Any, position: Any) -> tuple[str, str, int | None]:
    if level not in LEVELS:
        raise VocabularyError("级别只能是" + "、".join(LEVELS.values()))
    if conferred_on not in KINDS:
        raise VocabularyError("授予对象只能是个人或集体")
    if position in (None, ""):
        return level, conferred_on, None
    try:
        number = int(str(position).strip())
    except ValueError:
        raise VocabularyError("排序必须是整数") from None
    if not -100_000 <= number <= 100_000:
        raise VocabularyError("排序应在 -100000 到 100000 之间")
    return level, conferred_on, number


def _require(db: sqlite_utils.Database, title: str, label: str = "称号") -> dict:
    row = get_title(db, title)
    if row is None:
        raise VocabularyError(f"{label}“{clean(title)}”不在称号表中")
    return row


def _user_id(user: dict | None) -> int | None:
    return user["id"] if user else None


def _touch_honorees(
    db: sqlite_utils.Database, honoree_ids: list[int], action: str, user: dict | None
) -> None:
    """Each honoree whose honours changed: a new version (an edit page opened before
    now conflicts instead of overwriting), a revision, and an index-outbox row."""
    stamp = now()
    for honoree_id in honoree_ids:
        db.execute(
            "UPDATE honorees SET version = version + 1, updated_at = ? WHERE id = ?",
            [stamp, honoree_id],
        )
        honorees.record_revision(db, honoree_id, action, _user_id(user))
        honorees.note_change(db, honoree_id)


def _honorees_with(db: sqlite_utils.Database, title: str) -> list[int]:
    return [
        r[0]
        for r in db.execute(
            "SELECT DISTINCT honoree_id FROM honours WHERE title = ? ORDER BY honoree_id", [title]
        )
    ]


def add_title(
    db: sqlite_utils.Database,
    title: str,
    level: str,
    conferred_on: str,
    position: int | None = None,
    user: dict | None = None,
) -> str:
    """Add a title to the vocabulary (last, unless ``position`` is given); returns
    the title as stored."""
    level, conferred_on, position = _choices(level, conferred_on, position)
    with write(db):
        name = _new_name(db, title)
        if position is None:
            position = db.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM honour_titles"
            ).fetchone()[0]
        db.execute(
            "INSERT INTO honour_titles (title, level, conferred_on, position) VALUES (?, ?, ?, ?)",
            [name, level, conferred_on, position],
        )
        audit.record(
            db,
            "title_add",
            user=user,
            record_type="honour_title",
            detail=f"{name}（{LEVELS[level]}，{KINDS[conferred_on]}）",
        )
        bump_generation(db)
    return name


def update_title(
    db: sqlite_utils.Database,
    title: str,
    *,
    level: str,
    conferred_on: str,
    position: int | None,
    user: dict | None = None,
) -> int:
    """Set a title's level, whom it is conferred on, and its place in the order
    (``position`` None keeps it).

    An honour's level is its own (an office may confer a title at another level), but
    the title's level is what an honour gets when none is given. So when the level
    changes, the honours that were at the title's old level follow it to the new one;
    honours recorded at some other level stay. Returns how many honours changed; each
    of their honorees gets a revision and an index update.

    Whom a title is conferred on cannot change while honours carry it: they would
    then be honours of the wrong kind of honoree."""
    level, conferred_on, position = _choices(level, conferred_on, position)
    with write(db):
        old = _require(db, title)
        name = old["title"]
        if (
            conferred_on != old["conferred_on"]
            and db.execute("SELECT 1 FROM honours WHERE title = ? LIMIT 1", [name]).fetchone()
        ):
            raise VocabularyError(f"称号“{name}”已有荣誉记录，不能改变授予对象")
        position = old["position"] if position is None else position
        db.execute(
            "UPDATE honour_titles SET level = ?, conferred_on = ?, position = ? WHERE title = ?",
            [level, conferred_on, position, name],
        )
        moved: list[int] = []
        changed = 0
        if level != old["level"]:
            moved = [
                r[0]
                for r in db.execute(
                    """SELECT DISTINCT honoree_id FROM honours WHERE title = ? AND level = ?
                   ORDER BY honoree_id""",
                    [name, old["level"]],
                )
            ]
            changed = db.execute(
                "UPDATE honours SET level = ? WHERE title = ? AND level = ?",
                [level, name, old["level"]],
            ).rowcount
            _touch_honorees(db, moved, "title-level", user)
        detail = f"{name}：{LEVELS[level]}，{KINDS[conferred_on]}，排序 {position}"
        if changed:
            detail += f"；{changed} 项荣誉的级别由{LEVELS[old['level']]}改为{LEVELS[level]}"
        audit.record(db, "title_change", user=user, record_type="honour_title", detail=detail)
        bump_generation(db)
    return changed


def rename_title(db: sqlite_utils.Database, old: str, new: str, user: dict | None = None) -> dict:
    """Rename a title. Its honours and aliases move to the new name, the old name
    becomes an alias (a later import of the old spelling lands on the new title), and
    each honour's ``title_written`` keeps what the office wrote (the old name, where
    it was not recorded); the title keeps its English name and description. Every
    honoree concerned gets a revision ("title-rename")
    and an index update. Returns ``{"title", "honours", "honorees"}``."""
    with write(db):
        row = _require(db, old)
        old_name = row["title"]
        name = _new_name(db, new, allow_alias_of=old_name)
        affected = _honorees_with(db, old_name)
        db.execute("DELETE FROM title_aliases WHERE alias = ?", [name])
        kept = [column for column in row if column != "title"]  # English, description…
        db.execute(
            f"INSERT INTO honour_titles (title, {', '.join(kept)}) VALUES (?{', ?' * len(kept)})",
            [name, *(row[column] for column in kept)],
        )
        moved = _repoint_honours(db, old_name, name)
        db.execute("UPDATE title_aliases SET title = ? WHERE title = ?", [name, old_name])
        db.execute("DELETE FROM honour_titles WHERE title = ?", [old_name])
        db.execute("INSERT INTO title_aliases (alias, title) VALUES (?, ?)", [old_name, name])
        _touch_honorees(db, affected, "title-rename", user)
        audit.record(
            db,
            "title_rename",
            user=user,
            record_type="honour_title",
            detail=f"{old_name} → {name}（{moved} 项荣誉，{len(affected)} 条记录）",
        )
        bump_generation(db)
    return {"title": name, "honours": moved, "honorees": len(affected)}


def _repoint_honours(db: sqlite_utils.Database, old: str, new: str) -> int:
    """Move ``old``'s honours to ``new``, keeping in ``title_written`` what the office
    wrote (NULL stays the mark of "as the title", so a rename back clears it)."""
    moved = db.execute(
        """UPDATE honours SET title_written = coalesce(title_written, title), title = ?
           WHERE title = ?""",
        [new, old],
    ).rowcount
    db.execute(
        "UPDATE honours SET title_written = NULL WHERE title = ? AND title_written = ?", [new, new]
    )
    return moved


def _filled(honour: dict) -> int:
    return sum(1 for field in _DETAIL_FIELDS if honour[field] not in (None, ""))


def _duplicates(db: sqlite_utils.Database, source: str, target: str) -> list[tuple[dict, dict]]:
    """(source honour, target honour) pairs of one honoree and one year: after a
    merge the honoree would hold the same title for the same year twice."""
    pairs = db.execute(
        """SELECT s.id AS s_id, t.id AS t_id FROM honours s JOIN honours t
               ON t.honoree_id = s.honoree_id AND t.year = s.year AND t.title = ?
           WHERE s.title = ? ORDER BY s.honoree_id, s.year, s.id, t.id""",
        [target, source],
    ).fetchall()
    seen: set[int] = set()
    found = []
    for pair in pairs:
        if pair["s_id"] in seen or pair["t_id"] in seen:  # each honour in one pair only
            continue
        seen.update((pair["s_id"], pair["t_id"]))
        found.append(
            tuple(
                dict(db.execute("SELECT * FROM honours WHERE id = ?", [i]).fetchone())
                for i in (pair["s_id"], pair["t_id"])
            )
        )
    return found


def merge_preview(db: sqlite_utils.Database, source: str, target: str) -> dict:
    """What :func:`merge_titles` would do, for a confirmation page: how many honours
    and honorees move, and how many honours would then repeat one the honoree already
    holds under the target (one of each such pair is removed). The source comes with
    its aliases, which become the target's too."""
    source_row, target_row = _merge_pair(db, source, target)
    source_row["aliases"] = [
        r[0]
        for r in db.execute(
            "SELECT alias FROM title_aliases WHERE title = ? ORDER BY alias", [source_row["title"]]
        )
    ]
    counts = db.execute(
        "SELECT count(*), count(DISTINCT honoree_id) FROM honours WHERE title = ?",
        [source_row["title"]],
    ).fetchone()
    return {
        "source": source_row,
        "target": target_row,
        "honours": counts[0],
        "honorees": counts[1],
        "duplicates": len(_duplicates(db, source_row["title"], target_row["title"])),
    }


def _merge_pair(db: sqlite_utils.Database, source: str, target: str) -> tuple[dict, dict]:
    source_row = _require(db, source, "要合并的称号")
    target_row = _require(db, target, "目标称号")
    if source_row["title"] == target_row["title"]:
        raise VocabularyError("不能把称号与自己合并")
    if source_row["conferred_on"] != target_row["conferred_on"]:
        raise VocabularyError("授予个人的称号和授予集体的称号不能合并")
    return source_row, target_row


def merge_titles(
    db: sqlite_utils.Database, source: str, target: str, user: dict | None = None
) -> dict:
    """Merge ``source`` into ``target``: its honours move to the target (keeping in
    ``title_written`` what the office wrote), its aliases and its own name become
    aliases of the target, and it leaves the vocabulary. Honours at the source's
    level take the target's level (as in :func:`update_title`).

    Where an honoree would then hold the target twice for one year, one honour is
    kept: the one with more of 授予机关, 表彰文件文号 and 事迹 filled (the target's on
    a tie), its empty ones filled from the other; the other is removed, and the audit
    entry names it (the honoree's revision before the merge still holds it).
    Returns ``{"honours", "honorees", "duplicates"}``."""
    with write(db):
        source_row, target_row = _merge_pair(db, source, target)
        src, dst = source_row["title"], target_row["title"]
        affected = _honorees_with(db, src)
        count = db.execute("SELECT count(*) FROM honours WHERE title = ?", [src]).fetchone()[0]
        removed = []
        for from_source, from_target in _duplicates(db, src, dst):
            keep, drop = (
                (from_source, from_target)
                if _filled(from_source) > _filled(from_target)
                else (from_target, from_source)
            )
            fill = {f: drop[f] for f in _DETAIL_FIELDS if keep[f] in (None, "") and drop[f]}
            db.execute("DELETE FROM honours WHERE id = ?", [drop["id"]])
            if fill:
                db.execute(
                    f"UPDATE honours SET {', '.join(f'{k} = ?' for k in fill)} WHERE id = ?",
                    [*fill.values(), keep["id"]],
                )
            removed.append(drop)
        if source_row["level"] != target_row["level"]:
            db.execute(
                "UPDATE honours SET level = ? WHERE title = ? AND level = ?",
                [target_row["level"], src, source_row["level"]],
            )
        _repoint_honours(db, src, dst)
        db.execute("UPDATE title_aliases SET title = ? WHERE title = ?", [dst, src])
        db.execute("DELETE FROM honour_titles WHERE title = ?", [src])
        db.execute("INSERT INTO title_aliases (alias, title) VALUES (?, ?)", [src, dst])
        for honoree_id in affected:
            honorees.refresh_latest_year(db, honoree_id)
        _touch_honorees(db, affected, "title-merge", user)
        detail = f"{src} 并入 {dst}（{count} 项荣誉，{len(affected)} 条记录）"
        if removed:
            detail += "；重复而删去：" + "、".join(
                f"记录 {h['honoree_id']} 的 {h['year']} 年{h['title']}（荣誉编号 {h['id']}）"
                for h in removed
            )
        audit.record(db, "title_merge", user=user, record_type="honour_title", detail=detail)
        bump_generation(db)
    return {"honours": count, "honorees": len(affected), "duplicates": len(removed)}


GENDERS = ("男", "女")
# The 56 ethnic groups, in the order of GB/T 3304 (民族名称的罗马字母拼写法和代码).
ETHNIC_GROUPS = (
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
)
# 行业: the sections (门类) of GB/T 4754-2017, 国民经济行业分类, offered as the default list;
# a record may keep another value an office wrote.
INDUSTRIES = (
    "农、林、牧、渔业",
    "采矿业",
    "制造业",
    "电力、热力、燃气及水生产和供应业",
    "建筑业",
    "批发和零售业",
    "交通运输、仓储和邮政业",
    "住宿和餐饮业",
    "信息传输、软件和信息技术服务业",
    "金融业",
    "房地产业",
    "租赁和商务服务业",
    "科学研究和技术服务业",
    "水利、环境和公共设施管理业",
    "居民服务、修理和其他服务业",
    "教育",
    "卫生和社会工作",
    "文化、体育和娱乐业",
    "公共管理、社会保障和社会组织",
    "国际组织",
)

# What the national titles are: (description, conferred by, how often). Seeded once;
# curators edit these, and describe the titles they add, in the back office.
TITLE_DESCRIPTIONS = {
    "全国劳动模范": (
        "国家授予在社会主义建设中作出突出贡献的劳动者的最高荣誉称号，与全国先进工作者一同评选表彰。",
        "中共中央、国务院",
        "一般每五年表彰一次",
    ),
    "全国先进工作者": (
        "国家授予机关、事业单位等领域作出突出贡献人员的最高荣誉称号，与全国劳动模范一同评选表彰。",
        "中共中央、国务院",
        "一般每五年表彰一次",
    ),
    "全国五一劳动奖章": (
        "中华全国总工会授予在经济建设和社会发展中作出突出贡献的职工的荣誉。",
        "中华全国总工会",
        "每年五一国际劳动节前后表彰",
    ),
    "全国五一劳动奖状": (
        "中华全国总工会授予在经济建设和社会发展中作出突出贡献的企事业单位和集体的荣誉。",
        "中华全国总工会",
        "每年五一国际劳动节前后表彰",
    ),
    "全国工人先锋号": (
        "中华全国总工会授予在生产一线作出突出贡献的班组、车间、工段等基层集体的荣誉。",
        "中华全国总工会",
        "每年五一国际劳动节前后表彰",
    ),
    "大国工匠年度人物": (
        "中华全国总工会、中央广播电视总台等发布的年度宣传推选活动，推选技艺精湛、"
        "贡献突出的一线技术工人。",
        "中华全国总工会等",
        "每年发布",
    ),
}
