"""Importing a spreadsheet of honorees (CSV or XLSX, optionally with a ZIP of photos).

Two steps, so that a curator sees every problem before anything is written:

1. :func:`plan` (the dry run) reads the file, maps the Chinese headers curators use,
   validates every row and decides for each one: create, update, unchanged or skip.
   It writes nothing. Errors are listed by row, column and reason, in Chinese.
2. :func:`commit` prepares the photos (slow, outside any transaction), then writes the
   whole plan in one short ``BEGIN IMMEDIATE`` transaction: all rows or none. Every
   created or changed honoree gets a revision and an index-outbox row in that same
   transaction, and the import itself is recorded in ``imports``/``import_items``.

:func:`run` does both, re-planning once if the archive changed in between.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import stat
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
from PIL import Image, UnidentifiedImageError

from . import audit, codes, honorees, media, places
from .db import write
from .timeutil import now
from .vocabulary import COLLECTIVE_TYPES, KINDS, LEVELS, STATUSES

Progress = Callable[..., None]

# canonical column → the headers curators use for it (compared after normalising)
COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号序号", "No", "NO"),
    "code": ("档案编号", "二维码编号", "短码", "code"),
    "kind": ("类别", "类型", "个人/集体", "个人或集体"),
    "collective_type": ("集体类型", "集体类别"),
    "name": ("姓名/集体名称", "姓名或集体名称", "姓名", "集体名称", "名称", "单位名称",
             "班组名称", "name"),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "birth": ("出生年月", "出生日期", "出生年份", "出生时间", "生日"),
    "unit": ("工作单位及职务", "工作单位及职务(职称)", "单位及职务", "工作单位", "所在单位",
             "单位"),
    "position": ("职务", "职务/职称", "职务职称", "岗位", "职称"),
    "region": ("地区", "所在地区", "所属地区", "地市", "所在地", "区域", "行政区划"),
    "industry": ("行业", "所属行业", "行业领域"),
    "titles": ("荣誉称号", "荣誉", "称号", "获得荣誉", "所获荣誉", "荣誉名称"),
    "years": ("授予年份", "获奖年份", "授予时间", "表彰年份", "年份", "年度"),
    "levels": ("级别", "荣誉级别", "层级"),
    "bodies": ("授予机关", "授予单位", "表彰机关", "表彰单位", "颁发机关"),
    "documents": ("表彰文件文号", "文件文号", "文号"),
    "citations": ("授予事由", "表彰事由"),
    "summary": ("主要事迹", "简要事迹", "事迹简介", "事迹摘要"),
    "story": ("事迹全文", "详细事迹", "事迹材料", "人物故事"),
    "quote": ("感言", "劳模感言", "寄语"),
    "status": ("状态", "发布状态"),
}
# Personal data the archive must not keep: dropped on reading, and the preview says so.
PERSONAL = ("身份证号", "身份证号码", "身份证", "公民身份号码", "证件号码", "手机号", "手机号码",
            "手机", "联系电话", "电话", "联系方式", "家庭住址", "住址", "家庭地址", "现住址",
            "户籍地址", "户籍所在地", "银行卡号", "银行账号", "电子邮箱", "邮箱", "微信号", "QQ号")
LABELS = {"seq": "序号", "code": "档案编号", "kind": "类别", "collective_type": "集体类型",
          "name": "姓名/集体名称", "gender": "性别", "ethnicity": "民族", "birth": "出生年月",
          "unit": "工作单位", "position": "职务", "region": "地区", "industry": "行业",
          "titles": "荣誉称号", "years": "授予年份", "levels": "级别", "bodies": "授予机关",
          "documents": "表彰文件文号", "citations": "授予事由", "summary": "主要事迹",
          "story": "事迹全文", "quote": "感言", "status": "状态"}
# The template's columns, in order (also the export's).
TEMPLATE = ("code", "kind", "collective_type", "name", "gender", "ethnicity", "birth", "unit",
            "position", "region", "industry", "titles", "years", "levels", "bodies",
            "documents", "citations", "summary", "story", "quote", "status")
POLICIES = ("ask", "skip", "create", "update")
TITLE_ALIASES = {"全国劳模": "全国劳动模范", "省劳模": "省劳动模范", "市劳模": "市劳动模范",
                 "全国五一奖章": "全国五一劳动奖章", "全国五一奖状": "全国五一劳动奖状",
                 "大国工匠": "大国工匠年度人物"}
ETHNIC_SHORT = {"汉", "回", "满", "蒙古", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "侗",
                "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "畲", "高山", "水", "纳西"}
LEVEL_WORDS = {**{v: k for k, v in LEVELS.items()}, **{k: k for k in LEVELS},
               "国家级": "national", "全国性": "national", "省": "provincial",
               "省部级": "provincial", "市": "municipal", "地市级": "municipal",
               "行业级": "industry"}
KIND_WORDS = {**{v: k for k, v in KINDS.items()}, **{k: k for k in KINDS}}
STATUS_WORDS = {**{v: k for k, v in STATUSES.items()}, **{k: k for k in STATUSES},
                "发布": "published", "公开": "published"}
MAX_ROWS = 50_000
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_XLSX_UNPACKED = 512 * 1024 * 1024
# photo archives: checked from the ZIP's directory before any entry is read
MAX_PHOTO_ENTRIES = 5_000
MAX_PHOTO_BYTES = 20 * 1024 * 1024          # one unpacked photo
MAX_PHOTOS_TOTAL = 1024 * 1024 * 1024       # all unpacked photos
MAX_PHOTO_RATIO = 50                        # unpacked / packed, for entries over 1 MiB
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp")
# Cells that a spreadsheet would run as a formula get a leading apostrophe on export;
# the importer takes it off again so an export re-imports as it was.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_LIST = re.compile(r"[、，,；;/|\n]+")
_CLAUSES = re.compile(r"[；;\n]+")
_YEAR = re.compile(r"(?<!\d)(19[4-9]\d|20\d\d)(?!\d)")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


class ImportRefused(ValueError):
    """The file cannot be imported as it is; ``plan`` holds the reasons."""

    def __init__(self, message: str, plan: Plan | None = None):
        super().__init__(message)
        self.plan = plan


class StalePlan(RuntimeError):
    """The archive changed between the dry run and the commit."""


@dataclass(frozen=True)
class Problem:
    row: int          # the spreadsheet's own row number (1-based); 0 for the whole file
    column: str       # the column's header as the curator wrote it, or ''
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        return f"{where}{f'【{self.column}】' if self.column else ''}：{self.message}"


@dataclass
class Sheet:
    """A table read from a file: the header row's number, canonical column per
    position, and the data rows as (row number, cells)."""
    header_row: int
    columns: dict[int, str]
    headers: dict[str, str]       # canonical → header as written
    dropped: list[str]            # personal-data headers, not read
    ignored: list[str]            # headers the archive does not know
    rows: list[tuple[int, list[Any]]]


@dataclass
class Row:
    number: int
    record: dict[str, Any]
    honours: list[dict[str, Any]]
    seq: str | None = None
    code: str | None = None
    action: str = "create"         # create | update | unchanged | skip
    target: int | None = None      # the honoree updated
    candidates: list[dict] = field(default_factory=list)  # likely duplicates
    photo: str | None = None       # the ZIP entry matched to this row
    readings: dict | None = None   # the name's pinyin columns, worked out before the commit


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

    @property
    def ok(self) -> bool:
        """Nothing stops the commit: no errors and no undecided likely duplicate."""
        return not self.errors and not self.undecided

    @property
    def undecided(self) -> list[Row]:
        return [r for r in self.duplicates if r.action == "ask"]

    def counts(self) -> dict[str, int]:
        counts = {"rows": len(self.rows), "create": 0, "update": 0, "unchanged": 0, "skip": 0,
                  "ask": 0, "photos": sum(1 for r in self.rows if r.photo)}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    def report(self) -> dict:
        """The dry run's findings as JSON-able data (for the CLI, the job and a page)."""
        sheet = self.sheet
        return {
            "file": self.file_name, "file_sha256": self.file_sha256,
            "photos": self.photos_name, "ok": self.ok,
            "counts": self.counts(), "policy": self.policy,
            "columns": dict(sheet.headers) if sheet else {},
            "dropped_columns": list(sheet.dropped) if sheet else [],
            "ignored_columns": list(sheet.ignored) if sheet else [],
            "errors": [vars(p) for p in self.errors],
            "warnings": [vars(p) for p in self.warnings],
            "duplicates": [{"row": r.number, "name": r.record["name"],
                            "unit": r.record.get("unit"), "action": r.action,
                            "candidates": r.candidates} for r in self.duplicates],
        }


# --- reading files -----------------------------------------------------------------

def normalise_header(text: Any) -> str:
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[\s*＊:：]", "", text)


_HEADER_INDEX = {normalise_header(h): key for key, names in COLUMNS.items() for h in names}
_PERSONAL = {normalise_header(h) for h in PERSONAL}


def decode_text(data: bytes) -> str:
    """CSV text in UTF-8 (with or without BOM) or GB18030, whichever it is."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportRefused("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV，或 XLSX") from exc


def _read_csv(data: bytes) -> list[list[Any]]:
    text = decode_text(data)
    head = "\n".join(text.splitlines()[:5])
    delimiter = max(",\t;", key=head.count)  # comma, tab or semicolon: the most used
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_xlsx(path: Path) -> list[list[Any]]:
    """The first sheet's cells as Python values (dates as dates), read with calamine
    (Rust; about 25 times faster than openpyxl on a 10,000-row sheet)."""
    from python_calamine import CalamineError, CalamineWorkbook
    try:  # an XLSX is a ZIP: refuse a bomb before anything unpacks it
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRefused("无法打开 XLSX 文件，请确认文件未损坏") from exc
    if len(entries) > 10_000 or sum(e.file_size for e in entries) > MAX_XLSX_UNPACKED:
        raise ImportRefused("XLSX 文件解压后过大，疑似压缩炸弹，已拒绝；请分批导入")
    try:
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError) as exc:  # corrupt, encrypted, not XLSX
        raise ImportRefused("无法打开 XLSX 文件，请确认文件未损坏") from exc
    if len(rows) > MAX_ROWS + 20:
        raise ImportRefused(f"一次最多导入 {MAX_ROWS} 行，请分批导入")
    return rows


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read(path: str | Path) -> Sheet:
    """Read a CSV or XLSX file: find the header row under any merged title rows,
    combine a two-row header, drop personal-data columns and blank rows."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportRefused("文件过大（上限 50 MB），请分批导入")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        table = _read_xlsx(path)
    elif suffix in (".csv", ".txt"):
        table = _read_csv(path.read_bytes())
    elif suffix == ".xls":
        raise ImportRefused("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入")
    else:
        raise ImportRefused("只能导入 .xlsx 或 .csv 文件")
    header_at = None
    for index, cells in enumerate(table[:15]):
        known = {_HEADER_INDEX.get(normalise_header(c)) for c in cells} - {None}
        if "name" in known and len(known) >= 2:
            header_at = index
            break
    if header_at is None:
        raise ImportRefused("找不到表头：前 15 行中没有同时含“姓名/集体名称”和其他已知列名的一行")
    header = list(table[header_at])
    below = table[header_at + 1] if header_at + 1 < len(table) else []
    # A two-row header: a merged group cell ("荣誉情况") above its own columns.
    below_known = [_HEADER_INDEX.get(normalise_header(c)) for c in below]
    data_from = header_at + 1
    if sum(1 for k in below_known if k) >= 2 and not any(
            isinstance(c, (int, float, dt.date)) for c in below):
        for position, key in enumerate(below_known):
            if key:
                while len(header) <= position:
                    header.append(None)
                header[position] = below[position]
        data_from += 1
    columns: dict[int, str] = {}
    headers: dict[str, str] = {}
    dropped, ignored = [], []
    for position, cell in enumerate(header):
        name = normalise_header(cell)
        if not name:
            continue
        shown = str(cell).strip()
        if name in _PERSONAL:
            dropped.append(shown)
            continue
        key = _HEADER_INDEX.get(name)
        if key is None or key in headers:
            ignored.append(shown)
            continue
        columns[position] = key
        headers[key] = shown
    rows = []
    for index in range(data_from, len(table)):
        cells = table[index]
        values = [cells[p] if p < len(cells) else None for p in range(len(header))]
        if all(_is_blank(values[p]) for p in columns):
            continue
        rows.append((index + 1, values))
    if len(rows) > MAX_ROWS:
        raise ImportRefused(f"一次最多导入 {MAX_ROWS} 行，请分批导入")
    return Sheet(header_at + 1, columns, headers, dropped, ignored, rows)


# --- cleaning cells ----------------------------------------------------------------

def text_of(value: Any) -> str | None:
    """A free-text cell: trimmed (full-width spaces too), a neutralising apostrophe
    taken off; the text itself kept exactly."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").strip()
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_START:
        text = text[1:]
    return text or None


def word_of(value: Any) -> str | None:
    """A short structured cell: full-width forms folded (NFKC), spaces removed."""
    text = text_of(value)
    if text is None:
        return None
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)) or None


def name_of(value: Any) -> str | None:
    text = text_of(value)
    if text is None:
        return None
    text = re.sub(r"\s+", " ", text.replace("\u3000", " "))
    return _CJK_GAP.sub("", text).strip() or None


def birth_of(value: Any) -> tuple[int | None, int | None]:
    """(year, month) from a date cell, an Excel serial number or text such as
    1975.03, 1975年3月, 1975-03, 197503 or 1975."""
    if value is None or _is_blank(value):
        return None, None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year, value.month
    if isinstance(value, (int, float)) and 10_000 <= value < 80_000:  # an Excel date serial
        day = dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        return day.year, day.month
    if isinstance(value, float):
        text = f"{value:.2f}"                 # 1975.1 typed as 1975.10 means October
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
    match = re.fullmatch(r"(\d{4})(?:\s*(?:[.\-/年])\s*(\d{1,2})(?:\s*(?:[.\-/月])\s*\d{0,2}\s*日?)?"
                         r"\s*月?)?", text) or re.fullmatch(r"(\d{4})(\d{2})(?:\d{2})?", text)
    if not match:
        raise ValueError("出生年月无法识别，请写成“1975.03”或“1975年3月”")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    if not 1900 <= year <= dt.date.today().year:
        raise ValueError(f"出生年份 {year} 不合理")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"出生月份 {month} 不合理")
    return year, month


def years_of(value: Any) -> list[int]:
    if value is None:
        return []
    if isinstance(value, (dt.date, dt.datetime)):
        return [value.year]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    found = [int(y) for y in _YEAR.findall(text)]
    if not found and text.strip():
        raise ValueError(f"“{text.strip()}”不是年份，请写四位数字，如 2020")
    return found


def _spread(values: list, count: int, what: str) -> list:
    """One value per honour: as many as the honours, or one for all, or none."""
    if not values:
        return [None] * count
    if len(values) == count:
        return values
    if len(values) == 1:
        return values * count
    raise ValueError(f"荣誉称号有 {count} 个，{what}却有 {len(values)} 个，无法一一对应")


# --- validating rows ---------------------------------------------------------------

def _cell(sheet: Sheet, cells: list, key: str) -> Any:
    for position, column in sheet.columns.items():
        if column == key:
            return cells[position]
    return None


def _row(sheet: Sheet, number: int, cells: list, titles: dict[str, tuple[str, str]],
         problems: list[Problem]) -> Row | None:
    """One sheet row as a record with honours, or None with its problems noted."""
    errors_before = len(problems)

    def problem(key: str, message: str) -> None:
        problems.append(Problem(number, sheet.headers.get(key, LABELS[key]), message))

    get = lambda key: _cell(sheet, cells, key)  # noqa: E731
    record: dict[str, Any] = {}
    name = name_of(get("name"))
    if not name:
        problem("name", "姓名或集体名称不能为空")
    elif len(name) > 100:
        problem("name", "姓名或集体名称过长（上限 100 字）")
    record["name"] = name
    kind_word = word_of(get("kind"))
    header = normalise_header(sheet.headers.get("name", ""))
    if kind_word:
        kind = KIND_WORDS.get(kind_word)
        if kind is None:
            problem("kind", f"类别“{kind_word}”应为“个人”或“集体”")
    elif header in ("集体名称", "单位名称", "班组名称"):
        kind = "collective"
    elif header == "姓名":
        kind = "individual"
    else:
        kind = None  # decided by the honours below
    collective_type = word_of(get("collective_type"))
    if collective_type:
        found = {v: k for k, v in COLLECTIVE_TYPES.items()}.get(collective_type) or (
            collective_type if collective_type in COLLECTIVE_TYPES else None)
        if found is None:
            problem("collective_type", f"集体类型“{collective_type}”应为“班组”或“单位”")
        collective_type = found
    gender = word_of(get("gender"))
    if gender:
        gender = {"男": "男", "女": "女", "男性": "男", "女性": "女", "M": "男", "F": "女",
                  "male": "男", "female": "女"}.get(gender)
        if gender is None:
            problem("gender", "性别应为“男”或“女”")
    ethnicity = word_of(get("ethnicity"))
    if ethnicity in ETHNIC_SHORT:
        ethnicity += "族"
    try:
        birth_year, birth_month = birth_of(get("birth"))
    except ValueError as exc:
        birth_year = birth_month = None
        problem("birth", str(exc))
    region = places.resolve(text_of(get("region")))
    region.pop("nominator", None)  # TODO(importer owner): store nominator, show notice
    region.pop("notice", None)
    status_word = word_of(get("status"))
    status = STATUS_WORDS.get(status_word) if status_word else None  # None: keep / default
    if status_word and status is None:
        problem("status", f"状态“{status_word}”应为草稿、待审核、已发布或已撤回")
    record.update(
        gender=gender, ethnicity=ethnicity, birth_year=birth_year, birth_month=birth_month,
        unit=text_of(get("unit")), position=text_of(get("position")),
        industry=word_of(get("industry")), summary=text_of(get("summary")),
        story=text_of(get("story")), quote=text_of(get("quote")), status=status, **region)
    for key, limit in (("unit", 200), ("position", 100), ("industry", 50), ("summary", 500),
                       ("quote", 500), ("story", 50_000)):
        if record[key] and len(record[key]) > limit:
            problem(key, f"内容过长（上限 {limit} 字）")

    honours = _honours(sheet, get, titles, problem)
    conferred = {titles[h["title"]][1] for h in honours}
    if kind is None:
        kind = "collective" if conferred == {"collective"} else "individual"
    if kind == "individual" and collective_type:
        problem("collective_type", "个人不能填写集体类型")
    if kind and conferred - {kind}:
        wrong = [h["title"] for h in honours if titles[h["title"]][1] != kind]
        problem("titles", f"“{'、'.join(wrong)}”不授予{KINDS[kind]}")
    record.update(kind=kind, collective_type=collective_type if kind == "collective" else None)
    if kind == "collective" and (gender or birth_year):
        problem("gender" if gender else "birth", "集体不填写性别和出生年月")
    if len(problems) > errors_before:
        return None
    seq = text_of(get("seq"))
    code = codes.normalise(word_of(get("code")) or "")
    return Row(number, record, honours, seq=seq, code=code)


def _honours(sheet: Sheet, get, titles: dict, problem) -> list[dict]:
    raw = text_of(get("titles"))
    if not raw:
        problem("titles", "至少要有一项荣誉称号")
        return []
    names, embedded = [], []
    for part in _LIST.split(unicodedata.normalize("NFKC", raw)):
        part = re.sub(r"\s+", "", part)
        if not part:
            continue
        year = _YEAR.search(part)
        embedded.append(int(year.group(1)) if year else None)
        part = re.sub(r"\(?(19|20)\d\d年?(度)?\)?", "", part).strip("()")
        part = TITLE_ALIASES.get(part, part)
        part = re.sub(r"^[\u4e00-\u9fff]{2,3}省(?=[\u4e00-\u9fff])", "省", part)
        part = re.sub(r"^[\u4e00-\u9fff]{2,4}市(?=[\u4e00-\u9fff])", "市", part)
        part = TITLE_ALIASES.get(part, part)
        names.append(part)
    unknown = [n for n in names if n not in titles]
    if unknown:
        problem("titles", f"荣誉称号“{'、'.join(unknown)}”不在称号表中")
        return []
    try:
        years = years_of(get("years"))
        if not years and all(embedded):
            years = embedded
        years = _spread(years, len(names), "授予年份")
        if any(y is None for y in years):
            raise ValueError("缺少授予年份")
    except ValueError as exc:
        problem("years", str(exc))
        return []
    if any(not 1949 <= y <= dt.date.today().year + 1 for y in years):
        problem("years", "授予年份应在 1949 年至今之间")
        return []
    try:
        level_words = [w for w in _LIST.split(unicodedata.normalize("NFKC", text_of(
            get("levels")) or "")) if w.strip()]
        levels = []
        for word in _spread(level_words, len(names), "级别"):
            level = LEVEL_WORDS.get(word.strip()) if word else None
            if word and level is None:
                raise ValueError(f"级别“{word}”应为全国、省级、市级或行业")
            levels.append(level)
    except ValueError as exc:
        problem("levels", str(exc))
        return []
    spread = {}
    for key, label in (("bodies", "授予机关"), ("documents", "文号"), ("citations", "授予事由")):
        parts = [p.strip() for p in _CLAUSES.split(text_of(get(key)) or "") if p.strip()]
        try:
            spread[key] = _spread(parts, len(names), label)
        except ValueError as exc:
            problem(key, str(exc))
            return []
    honours = []
    seen = set()
    for i, title in enumerate(names):
        if (title, years[i]) in seen:
            continue
        seen.add((title, years[i]))
        honours.append({"title": title, "year": years[i], "level": levels[i] or titles[title][0],
                        "body": spread["bodies"][i], "document_no": spread["documents"][i],
                        "citation": spread["citations"][i]})
    return honours


# --- photos --------------------------------------------------------------------------

def inspect_photos(path: str | Path) -> dict[str, zipfile.ZipInfo]:
    """The ZIP's photos by file stem, after checking its directory: entry count,
    unpacked sizes, compression ratios and paths. Nothing is unpacked here; a bad
    archive is refused whole."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRefused("照片压缩包无法打开，请确认是 ZIP 文件") from exc
    with archive:
        entries = archive.infolist()
    if len(entries) > MAX_PHOTO_ENTRIES:
        raise ImportRefused(f"照片压缩包中文件过多（{len(entries)} 个，上限 {MAX_PHOTO_ENTRIES}）")
    total = 0
    found: dict[str, zipfile.ZipInfo] = {}
    for entry in entries:
        name = entry.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
            raise ImportRefused(f"照片压缩包含有不安全的路径：{name}")
        if stat.S_ISLNK(entry.external_attr >> 16):
            raise ImportRefused(f"照片压缩包含有符号链接：{name}")
        if entry.is_dir():
            continue
        if entry.flag_bits & 0x1:
            raise ImportRefused("照片压缩包不能加密")
        total += entry.file_size
        if entry.file_size > MAX_PHOTO_BYTES:
            raise ImportRefused(f"照片“{name}”解压后过大（上限 20 MB）")
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_PHOTO_RATIO * max(
                entry.compress_size, 1):
            raise ImportRefused(f"照片“{name}”压缩比异常，疑似压缩炸弹，已拒绝")
        if total > MAX_PHOTOS_TOTAL:
            raise ImportRefused("照片压缩包解压后总大小超过 1 GB，已拒绝")
        stem, suffix = Path(parts[-1]).stem, Path(parts[-1]).suffix.lower()
        if parts[-1].startswith(".") or "__MACOSX" in parts or suffix not in PHOTO_SUFFIXES:
            continue
        found.setdefault(name_of(unicodedata.normalize("NFKC", stem)) or stem, entry)
    return found


def _photo_image(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Image.Image:
    """Read one checked entry (never more than its declared size) and decode it."""
    with archive.open(entry) as f:
        data = f.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise ValueError("照片过大")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PHOTO_PIXELS:
                raise ValueError("照片像素过多（上限 4000 万像素）")
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError("照片无法识别，请使用 JPEG 或 PNG") from exc
    return image


def _match_photos(plan: Plan, photos_path: Path) -> None:
    entries = inspect_photos(photos_path)
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
                    with _photo_image(archive, entry):
                        pass
                except ValueError as exc:
                    plan.errors.append(Problem(row.number, "照片", f"{entry.filename}：{exc}"))
                else:
                    row.photo = entry.filename
                    used.add(key)
                break
    unused = sorted(set(entries) - used)
    if unused:
        plan.warnings.append(Problem(0, "照片", "以下照片没有对应的行，不会导入："
                                     + "、".join(unused[:20]) + ("等" if len(unused) > 20 else "")))


# --- planning --------------------------------------------------------------------------

def archive_stamp(db: sqlite_utils.Database) -> str:
    """Changes to honorees change this; a plan made before them is stale."""
    row = db.execute("SELECT count(*), coalesce(max(id), 0), coalesce(max(updated_at), '') "
                     "FROM honorees").fetchone()
    return f"{row[0]}:{row[1]}:{row[2]}"


def _key(record: dict) -> tuple:
    return (record["name"], record.get("unit") or "", record.get("birth_year"))


def plan(db: sqlite_utils.Database, path: str | Path, *, photos: str | Path | None = None,
         policy: str = "ask", decisions: dict[int, str] | None = None,
         default_status: str = "draft", progress: Progress | None = None,
         file_name: str | None = None, photos_name: str | None = None) -> Plan:
    """The dry run: read, validate and match every row. Writes nothing.

    ``policy`` decides rows whose name is already in the archive under another unit
    (a likely duplicate): ``ask`` leaves them undecided (the commit is refused until
    they are decided), ``skip`` leaves them out, ``create`` adds a new honoree,
    ``update`` updates the one existing honoree of that name. ``decisions`` maps a
    row number to one of those words and wins over the policy for that row."""
    if policy not in POLICIES:
        raise ValueError(f"unknown duplicate policy {policy!r}")
    path = Path(path)
    digest = file_digest(path)
    if default_status not in STATUSES:
        raise ValueError(f"unknown status {default_status!r}")
    result = Plan(file_name or path.name, digest, None, policy=policy,
                  default_status=default_status,
                  stamp=archive_stamp(db), photos_name=photos_name or (
                      Path(photos).name if photos else None),
                  photos_path=str(photos) if photos else None)
    try:
        sheet = read(path)
    except ImportRefused as exc:
        result.errors.append(Problem(0, "", str(exc)))
        return result
    result.sheet = sheet
    if sheet.dropped:
        result.warnings.append(Problem(0, "", "以下列含个人信息，档案馆不保存，已忽略："
                                       + "、".join(sheet.dropped)))
    if sheet.ignored:
        result.warnings.append(Problem(0, "", "以下列无法识别，已忽略：" + "、".join(sheet.ignored)))
    if not sheet.rows:
        result.errors.append(Problem(0, "", "表格中没有数据行"))
        return result
    titles = {r["title"]: (r["level"], r["conferred_on"])
              for r in db.execute("SELECT title, level, conferred_on FROM honour_titles")}
    total = len(sheet.rows)
    for done, (number, cells) in enumerate(sheet.rows, start=1):
        row = _row(sheet, number, cells, titles, result.errors)
        if row is not None:
            result.rows.append(row)
        if progress and (done % 500 == 0 or done == total):
            progress(done, total, "正在校验")
    if photos:
        try:
            _match_photos(result, Path(photos))
        except ImportRefused as exc:
            result.errors.append(Problem(0, "照片", str(exc)))
    # A row with a photo for an existing honoree counts as an update here; the commit
    # compares the pictures and leaves the honoree alone if it already has this one.
    _match_existing(db, result, decisions or {})
    for row in result.rows:  # pinyin is slow: do it here, not in the write transaction
        if row.action == "create":
            row.readings = honorees.name_columns(row.record["name"], row.record["kind"])
    result.errors.sort(key=lambda p: p.row)
    return result


def _match_existing(db: sqlite_utils.Database, result: Plan, decisions: dict[int, str]) -> None:
    """Decide create/update/skip for each valid row against the archive and the file."""
    existing: dict[int, dict] = {}
    by_key: dict[tuple, int] = {}
    by_name: dict[str, list[int]] = {}
    for r in db.execute("SELECT * FROM honorees WHERE deleted_at IS NULL"):
        record = dict(r)
        existing[record["id"]] = record
        by_key.setdefault(_key(record), record["id"])
        by_name.setdefault(record["name"], []).append(record["id"])
    by_code = {r[0]: r[1] for r in db.execute("SELECT code, honoree_id FROM short_codes")}
    honours: dict[int, set] = {}
    for r in db.execute("SELECT honoree_id, title, year FROM honours"):
        honours.setdefault(r[0], set()).add((r[1], r[2]))
    seen: dict[tuple, int] = {}
    for row in result.rows:
        key = _key(row.record)
        target = by_code.get(row.code) if row.code else None
        if target is not None and target not in existing:
            target = None
        if target is None:
            target = by_key.get(key)
        first = seen.get(("id", target) if target else key)
        if first is not None:
            result.errors.append(Problem(row.number, "", f"与第 {first} 行是同一条记录"))
            continue
        seen[("id", target) if target else key] = row.number
        if target is None and row.record["name"] in by_name:
            row.candidates = [
                {"id": i, "name": existing[i]["name"], "unit": existing[i]["unit"],
                 "birth_year": existing[i]["birth_year"], "code": existing[i]["code"]}
                for i in by_name[row.record["name"]]]
            choice = decisions.get(row.number, result.policy)
            if choice not in POLICIES:
                raise ValueError(f"unknown decision {choice!r}")
            result.duplicates.append(row)
            if choice == "update":
                if len(row.candidates) > 1:
                    result.errors.append(Problem(row.number, "", "档案馆中有多条同名记录，"
                                                 "无法确定更新哪一条，请填写档案编号"))
                    continue
                target = row.candidates[0]["id"]
            else:
                row.action = choice
                continue
        if target is None:
            row.action = "create"
            continue
        row.target = target
        row.action = "update" if _changes(existing[target], row, honours.get(target, set())) \
            else "unchanged"


def _changes(current: dict, row: Row, honours: set) -> dict:
    """The fields the row would change (empty cells leave a field as it is)."""
    changed = {k: v for k, v in row.record.items()
               if v is not None and k != "kind" and current.get(k) != v}
    if row.record["kind"] != current["kind"]:
        changed["kind"] = row.record["kind"]
    new = [h for h in row.honours if (h["title"], h["year"]) not in honours]
    if new:
        changed["honours"] = new
    if row.photo:
        changed["photo"] = row.photo
    return changed


# --- committing --------------------------------------------------------------------------

def commit(db: sqlite_utils.Database, plan: Plan, media_dir: str | Path, *,
           user_id: int | None = None, job_id: int | None = None,
           progress: Progress | None = None, on_row: Callable[[int, int], None] | None = None,
           within: Callable[[sqlite_utils.Database, dict], None] | None = None) -> dict:
    """Write a validated plan: all rows or none, in one short transaction.

    ``progress`` is called outside the transaction; ``on_row(done, total)`` inside it
    (it must not write to the database). Raises :class:`ImportRefused` for a plan with
    errors and :class:`StalePlan` if the archive changed since the dry run."""
    if not plan.ok:
        raise ImportRefused("导入前请先处理所有错误和疑似重复记录", plan)
    prepared = _prepare_photos(plan, progress)
    todo = [r for r in plan.rows if r.action in ("create", "update")]
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
            [job_id, user_id, plan.file_name, plan.file_sha256, plan.photos_name,
             counts["rows"], counts["create"], counts["update"], counts["unchanged"],
             counts["skip"], json.dumps(plan.report(), ensure_ascii=False), now()]).lastrowid
        for done, row in enumerate(todo, start=1):
            if row.action == "create":
                record = {**row.record, "status": row.record["status"] or plan.default_status}
                row.target = honorees.create(db, record, row.honours, user_id=user_id,
                                             readings=row.readings)
            elif not _update(db, row, user_id, prepared.get(row.number), media_dir):
                row.action = "unchanged"   # only a photo it already had
            if row.action == "create" and row.number in prepared:
                _add_photo(db, media_dir, row, prepared[row.number])
                honorees.record_revision(db, row.target, "import-photo", user_id)
            if row.action != "unchanged":
                db.execute("INSERT INTO import_items (import_id, row_number, honoree_id, action) "
                           "VALUES (?, ?, ?, ?)",
                           [import_id, row.number, row.target, row.action])
            if on_row:
                on_row(done, total)
        counts = plan.counts()
        db.execute("UPDATE imports SET updated = ?, unchanged = ? WHERE id = ?",
                   [counts["update"], counts["unchanged"], import_id])
        summary = {"import_id": import_id, **counts}
        audit.record(db, "import", user={"id": user_id} if user_id else None,
                     record_type="import", record_id=import_id,
                     detail=f"{plan.file_name}：新建 {counts['create']}，更新 {counts['update']}")
        if within:
            within(db, summary)
    if progress:
        progress(total, total, "导入完成")
    return summary


def _update(db: sqlite_utils.Database, row: Row, user_id: int | None,
            photo: media.Prepared | None, media_dir: str | Path) -> bool:
    """Apply a row to its honoree; False if that changed nothing."""
    current = dict(db.execute("SELECT * FROM honorees WHERE id = ?", [row.target]).fetchone())
    existing = {(r[0], r[1]) for r in db.execute(
        "SELECT title, year FROM honours WHERE honoree_id = ?", [row.target])}
    changes = _changes(current, row, existing)
    new_honours = changes.pop("honours", [])
    changes.pop("photo", None)
    photo_added = photo is not None and _add_photo(db, media_dir, row, photo)
    if not changes and not new_honours and not photo_added:
        return False
    if "name" in changes or "kind" in changes:
        changes.update(honorees.name_columns(changes.get("name", current["name"]),
                                             changes.get("kind", current["kind"])))
    stamp = now()
    if changes.get("status") == "published" and not current["published_at"]:
        changes["published_at"] = stamp
    changes["updated_at"] = stamp
    assignments = ", ".join(f"{k} = ?" for k in changes)
    db.execute(f"UPDATE honorees SET {assignments}, version = version + 1 WHERE id = ?",
               [*changes.values(), row.target])
    start = db.execute("SELECT count(*) FROM honours WHERE honoree_id = ?",
                       [row.target]).fetchone()[0]
    for offset, honour in enumerate(new_honours):
        honorees.add_honour(db, row.target, honour, position=start + offset)
    honorees.refresh_latest_year(db, row.target)
    honorees.record_revision(db, row.target, "import", user_id)
    honorees.note_change(db, row.target)
    return True


def _add_photo(db: sqlite_utils.Database, media_dir: str | Path, row: Row,
               prepared: media.Prepared) -> bool:
    """Add the row's photo unless the honoree already has this very picture."""
    first = prepared.variants[0].name
    if db.execute("""SELECT 1 FROM media_files m JOIN photos p ON p.id = m.photo_id
                     WHERE p.honoree_id = ? AND m.name = ?""", [row.target, first]).fetchone():
        return False
    has_portrait = db.execute("SELECT 1 FROM photos WHERE honoree_id = ? AND is_portrait = 1",
                              [row.target]).fetchone()
    count = db.execute("SELECT count(*) FROM photos WHERE honoree_id = ?",
                       [row.target]).fetchone()[0]
    word = "集体照" if row.record["kind"] == "collective" else "肖像"
    media.add_photo(db, media_dir, prepared, row.target, alt=f"{row.record['name']}的{word}",
                    is_portrait=not has_portrait, position=count)
    return True


def _prepare_photos(plan: Plan, progress: Progress | None) -> dict[int, media.Prepared]:
    """Encode the matched photos before the transaction (the slow part)."""
    rows = [r for r in plan.rows if r.photo and r.action in ("create", "update")]
    if not rows:
        return {}
    prepared = {}
    with zipfile.ZipFile(plan.photos_path) as archive:
        for done, row in enumerate(rows, start=1):
            with _photo_image(archive, archive.getinfo(row.photo)) as image:
                prepared[row.number] = media.prepare(image)
            if progress:
                progress(done, len(rows), "正在处理照片")
    return prepared


def run(db: sqlite_utils.Database, path: str | Path, media_dir: str | Path, *,
        dry_run: bool = False, progress: Progress | None = None, **options) -> tuple[Plan, dict | None]:
    """Plan and (unless ``dry_run``) commit; re-plans once if the archive changed
    in between. Returns the plan and the commit's counts (None for a dry run or a
    plan that cannot be committed)."""
    commit_options = {k: options.pop(k) for k in ("user_id", "job_id", "on_row", "within")
                      if k in options}
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


# --- the template --------------------------------------------------------------------------

TEMPLATE_EXAMPLE = {
    "kind": "个人", "name": "张三", "gender": "男", "ethnicity": "汉族", "birth": "1975.03",
    "unit": "杭州某某机械有限公司", "position": "高级技师", "region": "浙江省杭州市西湖区",
    "industry": "制造业", "titles": "全国劳动模范、省五一劳动奖章", "years": "2020、2016",
    "levels": "全国、省级", "bodies": "中共中央、国务院；浙江省总工会",
    "summary": "扎根一线三十年的数控机床维修能手", "status": "草稿",
}
TEMPLATE_NOTES = {
    "kind": "个人或集体", "name": "必填", "birth": "如 1975.03", "region": "省市县，如 浙江省杭州市西湖区",
    "titles": "必填；多项用“、”分隔", "years": "必填；与称号一一对应", "levels": "全国/省级/市级/行业",
    "bodies": "多项用“；”分隔", "status": "草稿/待审核/已发布",
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
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "荣誉人物"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for position, key in enumerate(TEMPLATE, start=1):
        cell = sheet.cell(row=1, column=position)
        cell.font = Font(bold=True)
        if key in TEMPLATE_NOTES:
            cell.comment = Comment(TEMPLATE_NOTES[key], "档案馆")
        sheet.column_dimensions[cell.column_letter].width = 14 if key not in (
            "unit", "titles", "summary", "story", "bodies") else 30
    sheet.freeze_panes = "A2"
    book.save(path)
    return path


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
