"""Importing a spreadsheet of honorees (CSV, XLSX or XLS, optionally with a ZIP of photos).

Two steps, so that a curator sees every problem before anything is written:

1. :func:`plan` (the dry run) reads the file (:mod:`archive.exchange.sheets`), cleans each
   cell (:mod:`archive.exchange.cells`), validates every row and decides for each one:
   create, update, propose a change, unchanged or skip. It writes nothing, and it
   lists every problem at once, by row, column and reason, in Chinese.
2. :func:`commit` prepares the photos (slow, outside any transaction), then writes
   the plan in one short ``BEGIN IMMEDIATE`` transaction: all rows or none, or with
   ``skip_invalid`` the valid rows, the others handed back as a fix-up sheet
   (:func:`fixup_sheet`) with an added 错误说明 column. Every created or changed
   honoree gets a revision and an index-outbox row in that same transaction, and
   the import itself is recorded in ``imports``/``import_items``.

What an office writes is kept: honour titles verbatim (a title the vocabulary does
not know yet is added to it, with a level from the 级别 column or its prefix), the
raw 工作单位及职务 cell beside its split, the 备注 as a curator-only note. A row that
matches an existing record but differs from it never overwrites it: it becomes a
proposed change (``import_proposals``) that a curator applies or dismisses.

:func:`run` does both, re-planning once if the archive changed in between.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.catalogue import audit, codes, honorees, media
from archive.catalogue.vocabulary import COLLECTIVE_TYPES, KINDS, LEVELS, STATUSES
from archive.db import write
from archive.exchange import import_photos, places, sheets, titles, unitpost
from archive.exchange.cells import (
    FORMULA_START,
    YEAR,
    birth_of,
    first_sentence,
    is_one_sentence,
    name_of,
    optional_text,
    text_of,
    word_of,
    years_of,
)
from archive.exchange.sheets import ImportRefused, Sheet
from archive.timeutil import now

__all__ = ["FORMULA_START", "ImportRefused", "plan", "commit", "run", "fixup_sheet"]

Progress = Callable[..., None]

LABELS = {
    "seq": "序号",
    "code": "档案编号",
    "kind": "类别",
    "collective_type": "集体类型",
    "name": "姓名/集体名称",
    "gender": "性别",
    "ethnicity": "民族",
    "birth": "出生年月",
    "unit_post": "工作单位及职务",
    "unit": "工作单位",
    "position": "职务",
    "region": "地区",
    "nominator": "推荐单位",
    "industry": "行业",
    "titles": "荣誉称号",
    "years": "授予年份",
    "levels": "级别",
    "bodies": "授予机关",
    "documents": "表彰文件文号",
    "citations": "授予事由",
    "summary": "简介",
    "deeds": "主要事迹",
    "story": "事迹全文",
    "quote": "感言",
    "note": "备注",
    "status": "状态",
}
# The template's columns, in order (also the export's).
TEMPLATE = (
    "code",
    "kind",
    "collective_type",
    "name",
    "gender",
    "ethnicity",
    "birth",
    "unit",
    "position",
    "region",
    "nominator",
    "industry",
    "titles",
    "years",
    "levels",
    "bodies",
    "documents",
    "citations",
    "summary",
    "story",
    "quote",
    "note",
    "status",
)
POLICIES = ("ask", "skip", "create", "update")
ETHNIC_SHORT = {
    "汉",
    "回",
    "满",
    "蒙古",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "畲",
    "高山",
    "水",
    "纳西",
}
LEVEL_WORDS = {
    **{v: k for k, v in LEVELS.items()},
    **{k: k for k in LEVELS},
    "国家级": "national",
    "全国性": "national",
    "国家": "national",
    "省": "provincial",
    "省部级": "provincial",
    "省级以上": "provincial",
    "市": "municipal",
    "地市级": "municipal",
    "市厅级": "municipal",
    "县级": "municipal",
    "行业级": "industry",
    "系统": "industry",
}
KIND_WORDS = {
    **{v: k for k, v in KINDS.items()},
    **{k: k for k in KINDS},
    "个": "individual",
    "集": "collective",
    "团体": "collective",
    "单位": "collective",
    "班组": "collective",
}
GENDER_WORDS = {
    "男": "男",
    "女": "女",
    "男性": "男",
    "女性": "女",
    "M": "男",
    "F": "女",
    "male": "男",
    "female": "女",
}
STATUS_WORDS = {
    **{v: k for k, v in STATUSES.items()},
    **{k: k for k in STATUSES},
    "发布": "published",
    "公开": "published",
}
# Names that can only be a collective's (a row without a kind column)
_COLLECTIVE_NAME = re.compile(
    r"(班组?|车间|工段|工区|队|站|所|中心|科|室|部|组|公司|厂|局|院|"
    r"学校|医院|协会|委员会|集团|项目部|实验室|工作室)$"
)
MAX_ROWS = sheets.MAX_ROWS
MAX_FILE_BYTES = sheets.MAX_FILE_BYTES
MAX_XLSX_UNPACKED = sheets.MAX_XLSX_UNPACKED
MAX_PHOTO_ENTRIES = import_photos.MAX_PHOTO_ENTRIES
FIXUP_COLUMN = "错误说明"
# what a proposal may change: the record's own fields (honours are listed apart)
PROPOSABLE = (
    "kind",
    "collective_type",
    "name",
    "gender",
    "ethnicity",
    "birth_year",
    "birth_month",
    "unit",
    "position",
    "unit_raw",
    "province",
    "city",
    "county",
    "region_code",
    "nominator",
    "industry",
    "summary",
    "story",
    "quote",
    "note",
    "status",
)

_LIST = re.compile(r"[、，,；;|\n]+")
# Words offices write around a title that are not the title (荣获…称号, …获得者)
_TITLE_AROUND = re.compile(r"^(荣获|获得|被授予|授予|荣膺|被评为|评为)|(荣誉称号|称号|获得者)$")
_CLAUSES = re.compile(r"[；;\n]+")


class StalePlan(RuntimeError):
    """The archive changed between the dry run and the commit."""


@dataclass(frozen=True)
class Problem:
    row: int  # the spreadsheet's own row number (1-based); 0 for the whole file
    column: str  # the column's header as the curator wrote it, or ''
    message: str
    where: str = ""  # the row as the curator finds it (工作表“集体”第 5 行), if not 第 N 行

    def __str__(self) -> str:
        where = self.where or (f"第 {self.row} 行" if self.row else "文件")
        return f"{where}{f'【{self.column}】' if self.column else ''}：{self.message}"


@dataclass
class Row:
    number: int
    record: dict[str, Any]
    honours: list[dict[str, Any]]
    seq: str | None = None
    code: str | None = None
    action: str = "create"  # create | update | propose | unchanged | skip | ask
    target: int | None = None  # the honoree updated
    candidates: list[dict] = field(default_factory=list)  # namesakes in the archive
    photo: str | None = None  # the ZIP entry matched to this row
    readings: dict | None = None  # the name's pinyin columns, worked out before the commit
    same_person: bool = False  # a curator decided this row is that namesake
    proposal: dict = field(default_factory=dict)  # changes a curator must approve
    derived: frozenset = frozenset()  # fields the importer derived (never proposed)


@dataclass
class Plan:
    file_name: str
    file_sha256: str
    sheet: Sheet | None
    rows: list[Row] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    duplicates: list[Row] = field(default_factory=list)
    policy: str = "ask"
    default_status: str = "draft"
    stamp: str = ""
    photos_name: str | None = None
    photos_path: str | None = None
    skip_invalid: bool = False
    new_titles: dict[str, dict] = field(default_factory=dict)  # title → level, conferred_on

    @property
    def invalid_rows(self) -> set[int]:
        """Rows with an error: left out of a partial import, handed back to fix."""
        return {p.row for p in self.errors if p.row}

    @property
    def file_errors(self) -> list[Problem]:
        return [p for p in self.errors if not p.row]

    @property
    def ok(self) -> bool:
        """Nothing stops the commit: no error (or, importing only the valid rows, no
        error of the whole file and at least one valid row) and no undecided
        namesake."""
        if self.undecided or self.file_errors:
            return False
        if self.skip_invalid:
            return bool(self.valid_rows())
        return not self.errors

    @property
    def undecided(self) -> list[Row]:
        return [r for r in self.duplicates if r.action == "ask"]

    def valid_rows(self) -> list[Row]:
        invalid = self.invalid_rows
        return [r for r in self.rows if r.number not in invalid]

    def counts(self) -> dict[str, int]:
        counts = {
            "rows": len(self.rows) + len(self.invalid_rows - {r.number for r in self.rows}),
            "create": 0,
            "update": 0,
            "propose": 0,
            "unchanged": 0,
            "skip": 0,
            "ask": 0,
            "invalid": len(self.invalid_rows),
            "photos": 0,
            "skipped_lines": len(self.sheet.skipped) if self.sheet else 0,
            "new_titles": len(self.new_titles),
        }
        invalid = self.invalid_rows
        for row in self.rows:
            if row.number in invalid:
                continue
            counts[row.action] += 1
            counts["photos"] += bool(row.photo)
        return counts

    def report(self) -> dict:
        """The dry run's findings as JSON-able data (for the CLI, the job and a page)."""
        sheet = self.sheet
        return {
            "file": self.file_name,
            "file_sha256": self.file_sha256,
            "photos": self.photos_name,
            "ok": self.ok,
            "skip_invalid": self.skip_invalid,
            "counts": self.counts(),
            "policy": self.policy,
            "sheet": sheet.sheet_name if sheet else None,
            "other_sheets": list(sheet.other_sheets) if sheet else [],
            "columns": dict(sheet.headers) if sheet else {},
            "dropped_columns": list(sheet.dropped) if sheet else [],
            "ignored_columns": list(sheet.ignored) if sheet else [],
            "skipped_rows": [
                {"row": n, "where": sheet.label(n), "reason": why} for n, why in sheet.skipped
            ]
            if sheet
            else [],
            "invalid_rows": sorted(self.invalid_rows),
            "errors": [vars(p) for p in self.errors],
            "warnings": [vars(p) for p in self.warnings],
            "new_titles": [{"title": t, **v} for t, v in self.new_titles.items()],
            "duplicates": [
                {
                    "row": r.number,
                    "where": sheet.label(r.number),
                    "name": r.record["name"],
                    "unit": r.record.get("unit"),
                    "action": r.action,
                    "candidates": r.candidates,
                }
                for r in self.duplicates
            ],
            "proposals": [
                {
                    "row": r.number,
                    "where": sheet.label(r.number),
                    "name": r.record["name"],
                    "id": r.target,
                    "changes": _shown(r.proposal),
                }
                for r in self.rows
                if r.proposal and r.number not in self.invalid_rows
            ],
        }


def _shown(changes: dict) -> dict:
    """A proposal as JSON: honours as their titles and years."""
    return {
        k: ([f"{h['year']}年{h['title']}" for h in v] if k == "honours" else v)
        for k, v in changes.items()
    }


# --- validating rows ---------------------------------------------------------------


@dataclass
class _Vocabulary:
    """What a row's honours are checked against: the archive's titles and their
    aliases, and titles this import adds (the first row to use one decides its
    level and whom it is conferred on)."""

    titles: dict[str, tuple[str, str]]
    aliases: dict[str, str]
    new: dict[str, dict]
    regions: set[str]

    @classmethod
    def load(cls, db: sqlite_utils.Database) -> _Vocabulary:
        return cls(
            {
                r[0]: (r[1], r[2])
                for r in db.execute("SELECT title, level, conferred_on FROM honour_titles")
            },
            {r[0]: r[1] for r in db.execute("SELECT alias, title FROM title_aliases")},
            {},
            {
                r[0]
                for r in db.execute(
                    "SELECT DISTINCT city FROM honorees WHERE city IS NOT NULL "
                    "AND deleted_at IS NULL"
                )
            },
        )

    def of(self, title: str) -> tuple[str, str]:
        if title in self.titles:
            return self.titles[title]
        found = self.new[title]
        return found["level"], found["conferred_on"]


class _RowReader:
    """One sheet row as a record with honours; problems and notices are collected
    (every problem of the row, not only the first)."""

    def __init__(
        self,
        sheet: Sheet,
        number: int,
        cells: list,
        vocabulary: _Vocabulary,
        errors: list[Problem],
        warnings: list[Problem],
    ):
        self.sheet, self.number, self.cells = sheet, number, cells
        self.vocabulary, self.errors, self.warnings = vocabulary, errors, warnings
        self.failed = False

    def get(self, key: str) -> Any:
        return self.sheet.cell(self.cells, key)

    def header(self, key: str) -> str:
        return self.sheet.headers.get(key, LABELS[key])

    def problem(self, key: str, message: str) -> None:
        self.failed = True
        self.errors.append(
            Problem(self.number, self.header(key), message, self.sheet.label(self.number))
        )

    def notice(self, key: str, message: str) -> None:
        self.warnings.append(
            Problem(self.number, self.header(key), message, self.sheet.label(self.number))
        )

    def read(self) -> Row | None:
        record: dict[str, Any] = {"name": self._name()}
        kind = self._kind()
        collective_type = self._collective_type()
        summary, story, derived = self._texts()
        record.update(
            **self._person(),
            industry=word_of(self.get("industry")),
            summary=summary,
            story=story,
            quote=optional_text(self.get("quote")),
            note=optional_text(self.get("note")),
            status=self._status(),
            **self._unit_and_post(),
            **self._region(),
        )
        self._check_lengths(record)
        honours = self._honours(kind)
        kind = kind or self._kind_from(honours, record["name"])
        self._check_kind(kind, collective_type, honours, record)
        record.update(kind=kind, collective_type=collective_type if kind == "collective" else None)
        if self.failed:
            return None
        return Row(
            self.number,
            record,
            honours,
            seq=text_of(self.get("seq")),
            code=codes.normalise(word_of(self.get("code")) or ""),
            derived=frozenset(derived),
        )

    def _person(self) -> dict:
        """性别, 民族 and 出生年月 (for a collective: placeholders or empty)."""
        gender = word_of(self.get("gender"))
        if gender:
            gender = GENDER_WORDS.get(gender) or GENDER_WORDS.get(gender.lower())
            if gender is None:
                self.problem("gender", "性别应为“男”或“女”（不适用时可填“/”或留空）")
        ethnicity = word_of(self.get("ethnicity"))
        if ethnicity in ETHNIC_SHORT:
            ethnicity += "族"
        try:
            birth = birth_of(self.get("birth"))
        except ValueError as exc:
            self.problem("birth", str(exc))
            birth = birth_of(None)
        if birth.warning:
            self.notice("birth", birth.warning)
        return {
            "gender": gender,
            "ethnicity": ethnicity,
            "birth_year": birth.year,
            "birth_month": birth.month,
        }

    def _status(self) -> str | None:
        word = word_of(self.get("status"))
        status = STATUS_WORDS.get(word) if word else None  # None: keep, or the default
        if word and status is None:
            self.problem("status", f"状态“{word}”应为草稿、待审核、已发布或已撤回")
        return status

    def _check_lengths(self, record: dict) -> None:
        story_column = "deeds" if "deeds" in self.sheet.headers else "story"
        for key, column, limit in (
            ("unit", "unit", 200),
            ("position", "position", 100),
            ("industry", "industry", 50),
            ("summary", "summary", 500),
            ("quote", "quote", 500),
            ("story", story_column, 50_000),
            ("note", "note", 2_000),
        ):
            if record[key] and len(record[key]) > limit:
                self.problem(column, f"内容过长（上限 {limit} 字）")

    def _check_kind(
        self, kind: str, collective_type: str | None, honours: list[dict], record: dict
    ) -> None:
        """The row's kind agrees with its honours and its fields."""
        if kind == "individual" and collective_type:
            self.problem("collective_type", "个人不能填写集体类型")
        wrong = [h["title_written"] for h in honours if self.vocabulary.of(h["title"])[1] != kind]
        if wrong:
            self.problem("titles", f"“{'、'.join(wrong)}”不授予{KINDS[kind]}")
        if kind == "collective" and (record["gender"] or record["birth_year"]):
            self.problem(
                "gender" if record["gender"] else "birth",
                "集体不填写性别和出生年月（可留空或填“/”）",
            )

    def _name(self) -> str | None:
        name = name_of(self.get("name"))
        if not name:
            self.problem("name", "姓名或集体名称不能为空")
        elif len(name) > 100:
            self.problem("name", "姓名或集体名称过长（上限 100 字）")
        return name

    def _kind(self) -> str | None:
        """The kind when the sheet says it (a 类别 column, or a header such as
        集体名称); None: decided by the honours and the name."""
        word = word_of(self.get("kind"))
        if word:
            kind = KIND_WORDS.get(word) or KIND_WORDS.get(word.rstrip("类"))
            if kind is None:
                self.problem("kind", f"类别“{word}”应为“个人”或“集体”")
            return kind
        header = sheets.normalise_header(self.sheet.name_header(self.number))
        if header in ("集体名称", "单位名称", "班组名称"):
            return "collective"
        if header == "姓名":
            return "individual"
        return self.sheet.kind_hint(self.number)

    def _kind_from(self, honours: list[dict], name: str | None) -> str:
        conferred = {self.vocabulary.of(h["title"])[1] for h in honours}
        if len(conferred) == 1:
            return conferred.pop()
        if name and _COLLECTIVE_NAME.search(name) and len(name) > 4:
            return "collective"
        return "individual"

    def _collective_type(self) -> str | None:
        word = word_of(self.get("collective_type"))
        if not word:
            return None
        found = {v: k for k, v in COLLECTIVE_TYPES.items()}.get(word) or (
            word if word in COLLECTIVE_TYPES else None
        )
        if found is None:
            self.problem("collective_type", f"集体类型“{word}”应为“班组”或“单位”")
        return found

    def _texts(self) -> tuple[str | None, str | None, set[str]]:
        """Summary and story. A 主要事迹 longer than a sentence is the story; the
        summary is its first sentence (at most 60 characters) unless the sheet
        has a 简介 or 摘要 column."""
        summary = optional_text(self.get("summary"))
        story = optional_text(self.get("story"))
        deeds = optional_text(self.get("deeds"))
        derived = set()
        if summary and deeds is None and story is None and not is_one_sentence(summary):
            summary, deeds = None, summary  # a 事迹简介 of 300 characters is a story
        if deeds:
            if summary is None and is_one_sentence(deeds):
                summary = deeds
            elif story is None:
                story = deeds
            elif summary is None:
                summary, derived = first_sentence(deeds), {"summary"}
        if summary is None and story:
            summary, derived = first_sentence(story), {"summary"}
        return summary, story, derived

    def _unit_and_post(self) -> dict:
        post = optional_text(self.get("position"))
        if "unit_post" in self.sheet.headers:
            raw = optional_text(self.get("unit_post"))
            if raw is None:
                return {"unit": None, "position": post, "unit_raw": None}
            if post:
                return {"unit": re.sub(r"\s+", " ", raw), "position": post, "unit_raw": raw}
            split = unitpost.split(raw)
            if not split.certain:
                self.notice(
                    "unit_post",
                    f"“{raw}”拆分为单位“{split.unit or ''}”、职务"
                    f"“{split.position or ''}”，拆分不确定，请在记录中核对",
                )
            return {"unit": split.unit, "position": split.position, "unit_raw": raw}
        unit = optional_text(self.get("unit"))
        if unit and not post and re.search(r"\s", unit):
            # a 工作单位 column that holds the post too, after a line break or a space
            split = unitpost.split(unit)
            if split.certain and split.position:
                return {"unit": split.unit, "position": split.position, "unit_raw": unit}
        return {
            "unit": re.sub(r"\s*\n\s*", " ", unit) if unit else None,
            "position": post,
            "unit_raw": None,
        }

    def _region(self) -> dict:
        found = places.resolve(optional_text(self.get("region")), known=self.vocabulary.regions)
        nominator = found.pop("nominator", None)
        notice = found.pop("notice", None)
        if notice:
            self.notice("region", notice)
        written = optional_text(self.get("nominator"))
        if written:
            grouping = places.resolve(written)
            nominator = grouping.get("nominator") or re.sub(r"\s+", "", written)
        if found.get("city"):
            self.vocabulary.regions.add(found["city"])
        return {**found, "nominator": nominator}

    # --- honours ------------------------------------------------------------------

    def _honours(self, kind: str | None) -> list[dict]:
        raw = text_of(self.get("titles"))
        if not raw or optional_text(raw) is None:
            self.problem("titles", "至少要有一项荣誉称号")
            return []
        written, embedded = [], []
        for part in _LIST.split(unicodedata.normalize("NFKC", raw)):
            part = re.sub(r"\s+", "", part)
            if not part:
                continue
            year = YEAR.search(part)
            embedded.append(int(year.group(1)) if year else None)
            part = re.sub(r"[(\[]?(19|20)\d\d年?度?[)\]]?(授予|获得|荣获)?", "", part).strip("()[]")
            part = _TITLE_AROUND.sub("", part) or part
            if part:
                written.append(part)
        years = self._years(len(written), embedded)
        levels = self._levels(len(written))
        spread = {
            key: self._clauses(key, len(written)) for key in ("bodies", "documents", "citations")
        }
        if years is None or levels is None or None in spread.values():
            return []
        honours, seen = [], set()
        for i, text in enumerate(written):
            title = self._title(text, levels[i], kind)
            if title is None or (title, years[i]) in seen:
                continue
            seen.add((title, years[i]))
            honours.append(
                {
                    "title": title,
                    "title_written": text,
                    "year": years[i],
                    "level": levels[i] or self.vocabulary.of(title)[0],
                    "body": spread["bodies"][i],
                    "document_no": spread["documents"][i],
                    "citation": spread["citations"][i],
                }
            )
        return honours

    def _title(self, written: str, level: str | None, kind: str | None) -> str | None:
        """The vocabulary title of a title as written: itself, the title it is an
        alias of, or a new title, unless it is one character off a known one."""
        vocabulary = self.vocabulary
        if written in vocabulary.titles or written in vocabulary.new:
            return written
        if written in vocabulary.aliases:
            return vocabulary.aliases[written]
        close = titles.close_title(written, [*vocabulary.titles, *vocabulary.new])
        if close:
            self.problem(
                "titles",
                f"荣誉称号“{written}”不在称号表中，是否应为“{close}”？"
                "如确是新称号，请先在后台“荣誉称号”中添加",
            )
            return None
        vocabulary.new[written] = {
            "level": level or titles.infer_level(written),
            "conferred_on": titles.infer_conferred_on(written, kind),
            "row": self.number,
        }
        return written

    def _years(self, count: int, embedded: list) -> list[int] | None:
        try:
            years = years_of(self.get("years"))
            if not years and embedded and all(embedded):
                years = embedded
            years = _spread(years, count, "授予年份")
            if any(y is None for y in years):
                raise ValueError("缺少授予年份")
        except ValueError as exc:
            self.problem("years", str(exc))
            return None
        if any(not 1949 <= y <= dt.date.today().year + 1 for y in years):
            self.problem("years", "授予年份应在 1949 年至今之间")
            return None
        return years

    def _levels(self, count: int) -> list[str | None] | None:
        words = [
            w.strip()
            for w in _LIST.split(
                unicodedata.normalize("NFKC", optional_text(self.get("levels")) or "")
            )
            if w.strip()
        ]
        try:
            levels = []
            for word in _spread(words, count, "级别"):
                level = LEVEL_WORDS.get(word) if word else None
                if word and level is None:
                    raise ValueError(f"级别“{word}”应为全国、省级、市级或行业")
                levels.append(level)
        except ValueError as exc:
            self.problem("levels", str(exc))
            return None
        return levels

    def _clauses(self, key: str, count: int) -> list | None:
        parts = [p.strip() for p in _CLAUSES.split(optional_text(self.get(key)) or "") if p.strip()]
        try:
            return _spread(parts, count, LABELS[key])
        except ValueError as exc:
            self.problem(key, str(exc))
            return None


def _spread(values: list, count: int, what: str) -> list:
    """One value per honour: as many as the honours, or one for all, or none."""
    if not values:
        return [None] * count
    if len(values) == count:
        return values
    if len(values) == 1:
        return values * count
    raise ValueError(f"荣誉称号有 {count} 个，{what}却有 {len(values)} 个，无法一一对应")


# --- photos ----------------------------------------------------------------------------


def _match_photos(plan: Plan, photos_path: Path) -> None:
    entries = import_photos.inspect(photos_path)
    by_name: dict[str, list[Row]] = {}
    for row in plan.rows:
        by_name.setdefault(row.record["name"], []).append(row)
    used = set()
    with zipfile.ZipFile(photos_path) as archive:
        for row in plan.rows:
            keys = [row.seq.lstrip("0") or "0"] if row.seq else []
            keys.append(row.record["name"])
            for key in keys:
                entry = entries.get(key)
                if entry is None or (key == row.record["name"] and len(by_name[key]) > 1):
                    continue
                try:
                    with import_photos.open_image(archive, entry):
                        pass
                except ValueError as exc:
                    plan.errors.append(
                        Problem(
                            row.number,
                            "照片",
                            f"{entry.filename}：{exc}",
                            plan.sheet.label(row.number),
                        )
                    )
                else:
                    row.photo = entry.filename
                    used.add(key)
                break
    unused = sorted(set(entries) - used)
    if unused:
        plan.warnings.append(
            Problem(
                0,
                "照片",
                "以下照片没有对应的行，不会导入："
                + "、".join(unused[:20])
                + ("等" if len(unused) > 20 else ""),
            )
        )


# --- planning --------------------------------------------------------------------------


def archive_stamp(db: sqlite_utils.Database) -> str:
    """Changes to honorees or titles change this; a plan made before them is stale."""
    row = db.execute(
        "SELECT count(*), coalesce(max(id), 0), coalesce(max(updated_at), ''), "
        "(SELECT count(*) FROM honour_titles), (SELECT count(*) FROM title_aliases) "
        "FROM honorees"
    ).fetchone()
    return ":".join(str(v) for v in row)


def _key(record: dict) -> tuple:
    return (record["name"], _plain(record.get("unit")), record.get("birth_year"))


def _plain(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def plan(
    db: sqlite_utils.Database,
    path: str | Path,
    *,
    photos: str | Path | None = None,
    policy: str = "ask",
    decisions: dict[int, str] | None = None,
    default_status: str = "draft",
    progress: Progress | None = None,
    file_name: str | None = None,
    photos_name: str | None = None,
    skip_invalid: bool = False,
) -> Plan:
    """The dry run: read, validate and match every row. Writes nothing.

    ``policy`` decides rows whose name is already in the archive where the evidence
    points both ways (same unit or birth date, or a birth date missing on either
    side): ``ask`` leaves them undecided (the commit is refused until they are
    decided), ``skip`` leaves them out, ``create`` adds a new honoree, ``update``
    takes them for the same person and adds the row's honours to that record.
    ``decisions`` maps a row number to one of those words and wins over the policy
    for that row. ``skip_invalid``: rows with errors are left out of the commit
    instead of refusing it (all-or-nothing is the default)."""
    if policy not in POLICIES:
        raise ValueError(f"unknown duplicate policy {policy!r}")
    path = Path(path)
    if default_status not in STATUSES:
        raise ValueError(f"unknown status {default_status!r}")
    result = Plan(
        file_name or path.name,
        file_digest(path),
        None,
        policy=policy,
        default_status=default_status,
        skip_invalid=skip_invalid,
        stamp=archive_stamp(db),
        photos_name=photos_name or (Path(photos).name if photos else None),
        photos_path=str(photos) if photos else None,
    )
    try:
        sheet = sheets.read(path)
    except ImportRefused as exc:
        result.errors.append(Problem(0, "", str(exc)))
        return result
    result.sheet = sheet
    _sheet_notices(result, sheet)
    if not sheet.rows:
        result.errors.append(Problem(0, "", "表格中没有数据行"))
        return result
    _read_rows(db, result, progress)
    if photos:
        try:
            _match_photos(result, Path(photos))
        except ImportRefused as exc:
            result.errors.append(Problem(0, "照片", str(exc)))
    _match_existing(db, result, {int(k): v for k, v in (decisions or {}).items()})
    _keep_used_titles(result)
    for row in result.rows:  # pinyin is slow: do it here, not in the write transaction
        if row.action == "create":
            row.readings = honorees.name_columns(row.record["name"], row.record["kind"])
    result.errors.sort(key=lambda p: p.row)
    result.warnings.sort(key=lambda p: p.row)
    return result


def _read_rows(db: sqlite_utils.Database, result: Plan, progress: Progress | None) -> None:
    """Every row validated against the vocabulary; the titles the file brings noted."""
    vocabulary = _Vocabulary.load(db)
    total = len(result.sheet.rows)
    for done, (number, cells) in enumerate(result.sheet.rows, start=1):
        row = _RowReader(
            result.sheet, number, cells, vocabulary, result.errors, result.warnings
        ).read()
        if row is not None:
            result.rows.append(row)
        if progress and (done % 500 == 0 or done == total):
            progress(done, total, "正在校验")
    result.new_titles = {
        t: {k: v for k, v in found.items() if k != "row"} for t, found in vocabulary.new.items()
    }


def _keep_used_titles(result: Plan) -> None:
    """New titles of rows that will be written only, listed for the curator."""
    used = {h["title"] for row in result.valid_rows() for h in row.honours}
    result.new_titles = {t: v for t, v in result.new_titles.items() if t in used}
    if result.new_titles:
        result.warnings.append(
            Problem(
                0,
                "荣誉称号",
                "以下称号不在称号表中，导入时将新增："
                + "、".join(
                    f"{t}（{LEVELS[v['level']]}，授予{KINDS[v['conferred_on']]}）"
                    for t, v in result.new_titles.items()
                ),
            )
        )


def _sheet_notices(result: Plan, sheet: Sheet) -> None:
    if sheet.dropped:
        result.warnings.append(
            Problem(0, "", "以下列含个人信息，档案馆不保存，已忽略：" + "、".join(sheet.dropped))
        )
    if sheet.ignored:
        result.warnings.append(
            Problem(0, "", "以下列无法识别，已忽略：" + "、".join(sheet.ignored))
        )
    if sheet.other_sheets:
        result.warnings.append(
            Problem(
                0,
                "",
                f"读取工作表“{sheet.sheet_name}”；以下工作表不是名单，"
                "未读取：" + "、".join(sheet.other_sheets),
            )
        )
    if sheet.skipped:
        result.warnings.append(
            Problem(
                0,
                "",
                "以下行不是荣誉人物，已跳过："
                + "；".join(f"{sheet.label(n)}（{why}）" for n, why in sheet.skipped[:30])
                + ("等" if len(sheet.skipped) > 30 else ""),
            )
        )


def _problem(result: Plan, row: Row, message: str) -> Problem:
    return Problem(row.number, "", message, result.sheet.label(row.number))


def _differs(record: dict, other: dict) -> bool:
    """Two namesakes told apart: both units known and different, and both birth
    years known and different."""
    units = _plain(record.get("unit")), _plain(other.get("unit"))
    births = record.get("birth_year"), other.get("birth_year")
    return all(units) and units[0] != units[1] and all(births) and births[0] != births[1]


def _candidate(record: dict) -> dict:
    return {
        "id": record["id"],
        "name": record["name"],
        "unit": record["unit"],
        "birth_year": record["birth_year"],
        "code": record["code"],
    }


@dataclass
class _Existing:
    """The archive's records as rows are matched against them."""

    records: dict[int, dict]
    by_key: dict[tuple, int]
    by_name: dict[str, list[int]]
    by_code: dict[str, int]
    honours: dict[int, set]

    @classmethod
    def load(cls, db: sqlite_utils.Database) -> _Existing:
        found = cls({}, {}, {}, {}, {})
        for r in db.execute("SELECT * FROM honorees WHERE deleted_at IS NULL"):
            record = dict(r)
            found.records[record["id"]] = record
            found.by_key.setdefault(_key(record), record["id"])
            found.by_name.setdefault(record["name"], []).append(record["id"])
        found.by_code = {
            r[0]: r[1]
            for r in db.execute("SELECT code, honoree_id FROM short_codes")
            if r[1] in found.records
        }
        for r in db.execute("SELECT honoree_id, title, year FROM honours"):
            found.honours.setdefault(r[0], set()).add((r[1], r[2]))
        return found

    def target(self, row: Row) -> int | None:
        """The record a row is: by its 档案编号, else by name + unit + birth year."""
        return (self.by_code.get(row.code) if row.code else None) or self.by_key.get(
            _key(row.record)
        )


def _match_existing(db: sqlite_utils.Database, result: Plan, decisions: dict[int, str]) -> None:
    """Decide create/update/propose/unchanged/skip for each valid row against the
    archive and the rows above it in the file."""
    existing = _Existing.load(db)
    seen: dict[tuple, int] = {}
    in_file: dict[str, list[Row]] = {}
    for row in _fold_repeated_rows(result):
        target = existing.target(row)
        mark = ("id", target) if target else _key(row.record)
        if mark in seen:
            result.errors.append(
                _problem(result, row, f"与{result.sheet.label(seen[mark])}是同一条记录")
            )
            continue
        seen[mark] = row.number
        _namesakes_in_file(result, row, in_file.setdefault(row.record["name"], []))
        if target is None and row.record["name"] in existing.by_name:
            target = _namesake(result, row, existing, decisions)
            if target is None:
                continue
        if target is None:
            row.action = "create"
            continue
        row.target = target
        _decide_update(row, existing.records[target], existing.honours.get(target, set()))


def _fold_repeated_rows(result: Plan) -> list[Row]:
    """Sheets that give one row per honour repeat the person on the next row (often
    a cell merged down): such a row's honours join the person's first row, and it
    is skipped. Rows that disagree on a field stay apart (and are reported as the
    same record). Returns the rows left to match."""
    first: dict[tuple, Row] = {}
    kept = []
    for row in result.rows:
        key = (_key(row.record), row.code or "")
        earlier = first.setdefault(key, row)
        if earlier is row or any(
            v is not None and earlier.record.get(k) not in (None, v)
            for k, v in row.record.items()
            if k not in ("unit_raw", *row.derived)
        ):
            kept.append(row)
            continue
        for k, v in row.record.items():
            if earlier.record.get(k) is None:
                earlier.record[k] = v
        have = {(h["title"], h["year"]) for h in earlier.honours}
        earlier.honours += [h for h in row.honours if (h["title"], h["year"]) not in have]
        row.action = "skip"
        result.warnings.append(
            _problem(
                result, row, f"与{result.sheet.label(earlier.number)}是同一人，这一行的荣誉并入该行"
            )
        )
    return kept


def _namesakes_in_file(result: Plan, row: Row, earlier: list[Row]) -> None:
    for other in earlier:
        if not _differs(row.record, other.record):
            result.warnings.append(
                _problem(
                    result,
                    row,
                    f"与{result.sheet.label(other.number)}同名，请核对是否同一人（两行都将导入）",
                )
            )
    earlier.append(row)


def _namesake(result: Plan, row: Row, existing: _Existing, decisions: dict[int, str]) -> int | None:
    """A row whose name the archive holds under another key. Namesakes told apart
    by unit and birth date: a new record, with a notice. Otherwise a decision (the
    curator's, or the policy): the record it is the same person as, or None."""
    namesakes = [existing.records[i] for i in existing.by_name[row.record["name"]]]
    unclear = [n for n in namesakes if not _differs(row.record, n)]
    if not unclear:
        row.action = "create"
        result.warnings.append(
            _problem(
                result,
                row,
                "档案中已有同名的"
                + "、".join(
                    f"{n['name']}（{n['unit'] or '无单位'}，{n['birth_year'] or '出生年不详'}年生，"
                    f"编号 {n['code']}）"
                    for n in namesakes
                )
                + "，单位和出生年月都不同，作为新记录导入",
            )
        )
        return None
    row.candidates = [_candidate(n) for n in unclear]
    choice = decisions.get(row.number, result.policy)
    if choice not in POLICIES:
        raise ValueError(f"unknown decision {choice!r}")
    result.duplicates.append(row)
    if choice != "update":
        row.action = choice
        return None
    if len(unclear) > 1:
        result.errors.append(
            _problem(result, row, "档案馆中有多条同名记录，无法确定是哪一位，请填写档案编号")
        )
        return None
    row.same_person = True
    return unclear[0]["id"]


def _decide_update(row: Row, current: dict, honours: set) -> None:
    """A row that matches an existing record. Its new honours are added when a
    curator decided it is the same person; every other difference becomes a
    proposed change, never applied silently."""
    changes = _changes(current, row, honours)
    new_honours = changes.pop("honours", [])
    if row.same_person:
        row.proposal = changes
        direct = bool(new_honours)
    else:
        row.proposal = {**changes, **({"honours": new_honours} if new_honours else {})}
        direct = False
    if direct or row.photo:
        row.action = "update"
    else:
        row.action = "propose" if row.proposal else "unchanged"


def _changes(current: dict, row: Row, honours: set) -> dict:
    """The fields the row would change (empty cells and derived fields leave a
    field as it is) and the honours it would add."""
    changed = {
        k: v
        for k, v in row.record.items()
        if k in PROPOSABLE
        and k != "status"
        and k not in row.derived
        and v is not None
        and current.get(k) != v
    }
    new = [h for h in row.honours if (h["title"], h["year"]) not in honours]
    if new:
        changed["honours"] = new
    return changed


# --- committing --------------------------------------------------------------------------


def commit(
    db: sqlite_utils.Database,
    plan: Plan,
    media_dir: str | Path,
    *,
    user_id: int | None = None,
    job_id: int | None = None,
    progress: Progress | None = None,
    on_row: Callable[[int, int], None] | None = None,
    within: Callable[[sqlite_utils.Database, dict], None] | None = None,
) -> dict:
    """Write a validated plan in one short transaction: all its rows, or (a plan
    made with ``skip_invalid``) all its valid rows.

    ``progress`` is called outside the transaction; ``on_row(done, total)`` inside it
    (it must not write to the database). Raises :class:`ImportRefused` for a plan
    that cannot be committed and :class:`StalePlan` if the archive changed since the
    dry run."""
    if not plan.ok:
        raise ImportRefused("导入前请先处理所有错误和疑似重复记录", plan)
    valid = plan.valid_rows()
    prepared = _prepare_photos(plan, valid, progress)
    todo = [r for r in valid if r.action in ("create", "update", "propose")]
    total = len(todo)
    if progress:
        progress(0, total, "正在写入数据库")
    counts = plan.counts()
    with write(db):
        if archive_stamp(db) != plan.stamp:
            raise StalePlan("档案在预览之后有了改动，请重新预览")
        import_id = db.execute(
            """INSERT INTO imports (job_id, user_id, file_name, file_sha256, photos_name,
                   rows, created, updated, unchanged, skipped, report, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                job_id,
                user_id,
                plan.file_name,
                plan.file_sha256,
                plan.photos_name,
                counts["rows"],
                counts["create"],
                counts["update"],
                counts["unchanged"],
                counts["skip"] + counts["invalid"],
                json.dumps(plan.report(), ensure_ascii=False),
                now(),
            ],
        ).lastrowid
        _add_titles(db, plan)
        for done, row in enumerate(todo, start=1):
            _write_row(db, plan, row, import_id, prepared.get(row.number), media_dir, user_id)
            if on_row:
                on_row(done, total)
        counts = plan.counts()
        db.execute(
            "UPDATE imports SET updated = ?, unchanged = ? WHERE id = ?",
            [counts["update"], counts["unchanged"], import_id],
        )
        summary = {"import_id": import_id, **counts}
        audit.record(
            db,
            "import",
            user={"id": user_id} if user_id else None,
            record_type="import",
            record_id=import_id,
            detail=f"{plan.file_name}：新建 {counts['create']}，更新 {counts['update']}，"
            f"待确认修改 {counts['propose']}，未导入的错误行 {counts['invalid']}",
        )
        if within:
            within(db, summary)
    if progress:
        progress(total, total, "导入完成")
    return summary


def _write_row(
    db: sqlite_utils.Database,
    plan: Plan,
    row: Row,
    import_id: int,
    photo: media.Prepared | None,
    media_dir: str | Path,
    user_id: int | None,
) -> None:
    """One row of the plan: a new record, what may be added to an existing one
    (the same person's honours, a photo), and a proposal for the rest."""
    if row.action == "create":
        record = {**row.record, "status": row.record["status"] or plan.default_status}
        row.target = honorees.create(
            db, record, row.honours, user_id=user_id, readings=row.readings
        )
        if record["status"] == "review" and user_id:  # the importer submitted it
            db.execute("UPDATE honorees SET submitted_by = ? WHERE id = ?", [user_id, row.target])
        if photo is not None:
            _add_photo(db, media_dir, row, photo)
            honorees.record_revision(db, row.target, "import-photo", user_id)
    elif row.action == "update" and not _update(db, row, user_id, photo, media_dir):
        row.action = "propose" if row.proposal else "unchanged"
    if row.proposal:
        _propose(db, import_id, row)
    if row.action in ("create", "update"):
        db.execute(
            "INSERT INTO import_items (import_id, row_number, honoree_id, action) "
            "VALUES (?, ?, ?, ?)",
            [import_id, row.number, row.target, row.action],
        )


def _add_titles(db: sqlite_utils.Database, plan: Plan) -> None:
    """Add the titles this import brings to the vocabulary, after the known ones."""
    position = db.execute("SELECT coalesce(max(position) + 1, 0) FROM honour_titles").fetchone()[0]
    for offset, (title, found) in enumerate(plan.new_titles.items()):
        db.execute(
            "INSERT OR IGNORE INTO honour_titles (title, level, conferred_on, position) "
            "VALUES (?, ?, ?, ?)",
            [title, found["level"], found["conferred_on"], position + offset],
        )


def _propose(db: sqlite_utils.Database, import_id: int, row: Row) -> None:
    """Keep a row's changes to an existing record for a curator to apply or dismiss;
    the same pending change is not proposed twice."""
    changes = json.dumps(row.proposal, ensure_ascii=False, sort_keys=True)
    if db.execute(
        "SELECT 1 FROM import_proposals WHERE honoree_id = ? AND status = 'pending' "
        "AND changes = ?",
        [row.target, changes],
    ).fetchone():
        return
    db.execute(
        "INSERT INTO import_proposals (import_id, honoree_id, row_number, changes, "
        "created_at) VALUES (?, ?, ?, ?, ?)",
        [import_id, row.target, row.number, changes, now()],
    )


def _update(
    db: sqlite_utils.Database,
    row: Row,
    user_id: int | None,
    photo: media.Prepared | None,
    media_dir: str | Path,
) -> bool:
    """Add to a record what needs no approval: the honours of a row a curator took
    for the same person, and a photo it does not have. False if nothing changed."""
    existing = {
        (r[0], r[1])
        for r in db.execute("SELECT title, year FROM honours WHERE honoree_id = ?", [row.target])
    }
    new_honours = (
        [h for h in row.honours if (h["title"], h["year"]) not in existing]
        if row.same_person
        else []
    )
    photo_added = photo is not None and _add_photo(db, media_dir, row, photo)
    if not new_honours and not photo_added:
        return False
    start = db.execute(
        "SELECT count(*) FROM honours WHERE honoree_id = ?", [row.target]
    ).fetchone()[0]
    for offset, honour in enumerate(new_honours):
        honorees.add_honour(db, row.target, honour, position=start + offset)
    db.execute(
        "UPDATE honorees SET updated_at = ?, version = version + 1 WHERE id = ?",
        [now(), row.target],
    )
    honorees.refresh_latest_year(db, row.target)
    honorees.record_revision(db, row.target, "import", user_id)
    honorees.note_change(db, row.target)
    return True


def _add_photo(
    db: sqlite_utils.Database, media_dir: str | Path, row: Row, prepared: media.Prepared
) -> bool:
    """Add the row's photo unless the honoree already has this very picture."""
    first = prepared.variants[0].name
    if db.execute(
        """SELECT 1 FROM media_files m JOIN photos p ON p.id = m.photo_id
                     WHERE p.honoree_id = ? AND m.name = ?""",
        [row.target, first],
    ).fetchone():
        return False
    has_portrait = db.execute(
        "SELECT 1 FROM photos WHERE honoree_id = ? AND is_portrait = 1", [row.target]
    ).fetchone()
    count = db.execute("SELECT count(*) FROM photos WHERE honoree_id = ?", [row.target]).fetchone()[
        0
    ]
    word = "集体照" if row.record["kind"] == "collective" else "肖像"
    media.add_photo(
        db,
        media_dir,
        prepared,
        row.target,
        alt=f"{row.record['name']}的{word}",
        is_portrait=not has_portrait,
        position=count,
    )
    return True


def _prepare_photos(
    plan: Plan, rows: list[Row], progress: Progress | None
) -> dict[int, media.Prepared]:
    """Encode the matched photos before the transaction (the slow part)."""
    rows = [r for r in rows if r.photo and r.action in ("create", "update")]
    if not rows:
        return {}
    prepared = {}
    with zipfile.ZipFile(plan.photos_path) as archive:
        for done, row in enumerate(rows, start=1):
            with import_photos.open_image(archive, archive.getinfo(row.photo)) as image:
                prepared[row.number] = media.prepare(image)
            if progress:
                progress(done, len(rows), "正在处理照片")
    return prepared


def run(
    db: sqlite_utils.Database,
    path: str | Path,
    media_dir: str | Path,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    **options,
) -> tuple[Plan, dict | None]:
    """Plan and (unless ``dry_run``) commit; re-plans once if the archive changed
    in between. Returns the plan and the commit's counts (None for a dry run or a
    plan that cannot be committed)."""
    commit_options = {
        k: options.pop(k) for k in ("user_id", "job_id", "on_row", "within") if k in options
    }
    for attempt in range(2):
        result = plan(db, path, progress=progress, **options)
        if dry_run or not result.ok:
            return result, None
        try:
            return result, commit(db, result, media_dir, progress=progress, **commit_options)
        except StalePlan:
            if attempt:
                raise
    raise AssertionError("unreachable")


# --- the fix-up sheet ------------------------------------------------------------------


def fixup_sheet(plan: Plan, out: str | Path) -> Path | None:
    """The rows with errors, as the office wrote them, under the original header and
    with a 错误说明 column: fixed and imported again, they complete the set. XLSX,
    or CSV (UTF-8 with BOM) by the name's suffix. None when no row has an error."""
    sheet = plan.sheet
    invalid = plan.invalid_rows
    if sheet is None or not invalid:
        return None
    reasons: dict[int, list[str]] = {}
    for problem in plan.errors:
        if problem.row:
            where = f"【{problem.column}】" if problem.column else ""
            reasons.setdefault(problem.row, []).append(f"{where}{problem.message}")
    header = [("" if h is None else str(h)) for h in sheet.header] + [FIXUP_COLUMN]
    rows = [
        [_fixup_value(v) for v in cells] + ["；".join(reasons[number])]
        for number, cells in sheet.rows
        if number in invalid
    ]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if out.suffix.lower() == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(header)
                writer.writerows([["" if v is None else v for v in r] for r in rows])
        else:
            _write_xlsx(tmp, header, rows, "待修正")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _fixup_value(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _write_xlsx(
    path: Path, header: list[str], rows: list[list], title: str, notes: dict[int, str] | None = None
) -> None:
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for position, text in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=position)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
        if notes and position - 1 in notes:
            cell.comment = Comment(notes[position - 1], "档案馆")
        wide = any(w in text for w in ("单位", "称号", "事迹", "机关", "说明", "备注"))
        sheet.column_dimensions[cell.column_letter].width = 30 if wide else 14
    sheet.freeze_panes = "A2"
    book.save(path)


# --- the template --------------------------------------------------------------------------

TEMPLATE_EXAMPLE = {
    "kind": "个人",
    "name": "张三",
    "gender": "男",
    "ethnicity": "汉族",
    "birth": "1975.03",
    "unit": "杭州某某机械有限公司",
    "position": "高级技师",
    "region": "浙江省杭州市西湖区",
    "industry": "制造业",
    "titles": "全国劳动模范、浙江省五一劳动奖章",
    "years": "2020、2016",
    "levels": "全国、省级",
    "bodies": "中共中央、国务院；浙江省总工会",
    "summary": "扎根一线三十年的数控机床维修能手",
    "status": "草稿",
}
TEMPLATE_NOTES = {
    "kind": "个人或集体",
    "name": "必填",
    "birth": "如 1975.03；集体填“/”或留空",
    "region": "省市县，如 浙江省杭州市西湖区",
    "nominator": "省直单位、中央企业等非地区的推荐单位",
    "titles": "必填；多项用“、”分隔；照原文填写，如 海南省劳动模范",
    "years": "必填；与称号一一对应",
    "levels": "全国/省级/市级/行业",
    "bodies": "多项用“；”分隔",
    "note": "仅后台可见，不公开",
    "status": "草稿/待审核/已发布",
}


def template_rows() -> tuple[list[str], list[list[str]]]:
    headers = [LABELS[key] for key in TEMPLATE]
    return headers, [[TEMPLATE_EXAMPLE.get(key, "") for key in TEMPLATE]]


def write_template(path: str | Path) -> Path:
    """Write the import template (XLSX with notes, or CSV in UTF-8 with BOM)."""
    path = Path(path)
    headers, rows = template_rows()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(headers)
            writer.writerows(rows)
        return path
    notes = {i: TEMPLATE_NOTES[key] for i, key in enumerate(TEMPLATE) if key in TEMPLATE_NOTES}
    _write_xlsx(path, headers, rows, "荣誉人物", notes)
    return path


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
