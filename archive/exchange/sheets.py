"""Reading an honoree spreadsheet as union offices really send it.

CSV (UTF-8 or GB18030), XLSX, and XLS from older Excel and WPS. The data sheet is
the first *visible* sheet with a recognisable header: hidden sheets (drop-down lists
for data validation) and sheets of notes are passed over and named in the report.
Title and sub-title rows above the header, a two-row header (a merged group cell
above its own columns), line breaks inside header cells, cells merged down across
rows, blank rows, totals, merged footnotes and sign-off lines (填报人, 审核人,
联系电话, 说明, 注) are all handled here, so that what reaches validation is one
honoree per row. Everything passed over is listed with its row number.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any


class ImportRefused(ValueError):
    """The file cannot be imported as it is; the message says why, in Chinese, and
    ``plan`` (when there is one) holds every reason."""

    def __init__(self, message: str, plan=None):
        super().__init__(message)
        self.plan = plan


SheetRefused = ImportRefused


# canonical column → the headers curators use for it (compared after normalising)
COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号序号", "No", "NO"),
    "code": ("档案编号", "二维码编号", "短码", "code"),
    "kind": ("类别", "类型", "个人/集体", "个人或集体"),
    "collective_type": ("集体类型", "集体类别"),
    "name": (
        "姓名/集体名称",
        "姓名或集体名称",
        "姓名",
        "集体名称",
        "名称",
        "单位名称",
        "班组名称",
        "name",
    ),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "birth": ("出生年月", "出生日期", "出生年份", "出生时间", "生日", "出生年月日"),
    # one cell holding both, split into unit and post (the raw cell is kept)
    "unit_post": (
        "工作单位及职务",
        "工作单位及职务职称",
        "单位及职务",
        "工作单位和职务",
        "单位及职务职称",
        "工作单位及职称",
        "单位职务",
        "工作单位职务",
    ),
    "unit": ("工作单位", "所在单位", "单位"),
    "position": ("职务", "职务/职称", "职务职称", "岗位", "职称"),
    "region": ("地区", "所在地区", "所属地区", "地市", "所在地", "区域", "行政区划", "市县"),
    "nominator": (
        "推荐单位",
        "推荐部门",
        "推荐渠道",
        "申报单位",
        "推荐地区或单位",
        "推荐地区/单位",
        "所属系统",
    ),
    "industry": ("行业", "所属行业", "行业领域"),
    "titles": (
        "荣誉称号",
        "荣誉",
        "称号",
        "获得荣誉",
        "所获荣誉",
        "荣誉名称",
        "获得荣誉称号",
        "荣誉类别",
    ),
    "years": (
        "授予年份",
        "获奖年份",
        "授予时间",
        "表彰年份",
        "年份",
        "年度",
        "获奖时间",
        "表彰时间",
    ),
    "levels": ("级别", "荣誉级别", "层级"),
    "bodies": ("授予机关", "授予单位", "表彰机关", "表彰单位", "颁发机关"),
    "documents": ("表彰文件文号", "文件文号", "文号"),
    "citations": ("授予事由", "表彰事由"),
    "summary": ("简介", "摘要", "事迹简介", "事迹摘要", "一句话简介", "简要介绍"),
    "deeds": ("主要事迹", "简要事迹", "先进事迹", "事迹", "主要先进事迹"),
    "story": ("事迹全文", "详细事迹", "事迹材料", "人物故事"),
    "quote": ("感言", "劳模感言", "寄语"),
    "note": ("备注", "备注说明", "附注"),
    "status": ("状态", "发布状态"),
}
# Personal data the archive must not keep: never read, and the report says so.
PERSONAL = (
    "身份证号",
    "身份证号码",
    "身份证",
    "公民身份号码",
    "证件号码",
    "手机号",
    "手机号码",
    "手机",
    "联系电话",
    "电话",
    "联系方式",
    "家庭住址",
    "住址",
    "家庭地址",
    "现住址",
    "户籍地址",
    "户籍所在地",
    "银行卡号",
    "银行账号",
    "电子邮箱",
    "邮箱",
    "微信号",
    "QQ号",
    "政治面貌",
    "身份证件号码",
)
MAX_ROWS = 50_000
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_XLSX_UNPACKED = 512 * 1024 * 1024
HEADER_SEARCH = 15  # rows searched for the header
ROW_BLOCK = 1_000_000  # row numbers of a workbook's second data sheet start here
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
ZIPPED = (".xlsx", ".xlsm", ".ods")

# The first cell of a sign-off or footnote line: "填报人：", "注：", "说明 1." …
_SIGN_OFF = re.compile(
    r"^[\s*＊※]*(填报人|填表人|填报单位|填表单位|报送单位|审核人|审核|复核人|核对人|联系人|"
    r"联系电话|电话|制表人?|制表单位|负责人|经办人|主管领导|单位负责人|领导签字|签字|签名|"
    r"盖章|单位盖章|填报日期|填表日期|报送日期|日期|说明|注|备注|附注|附件|注意事项)"
    r"\s*\d*\s*[:：.、]"
)
_TOTALS = re.compile(r"^(合计|总计|小计|共计|以下空白|此页无正文|以上共\d+[人个名项])")


@dataclass
class Sheet:
    """A table read from a file: the header row's number, canonical column per
    position, and the data rows as (row number, cells)."""

    header_row: int
    columns: dict[int, str]
    headers: dict[str, str]  # canonical → header as written
    dropped: list[str]  # personal-data headers, not read
    ignored: list[str]  # headers the archive does not know
    rows: list[tuple[int, list[Any]]]
    header: list[Any] = field(default_factory=list)  # the header cells as written
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why) not honorees
    sheet_name: str | None = None
    other_sheets: list[str] = field(default_factory=list)  # hidden or without a header
    data_from: int = 0  # row number of the first row under the header
    # A workbook with several data sheets (个人 and 集体, say): their names, and the
    # header each wrote for the name column, by block of ROW_BLOCK row numbers.
    parts: list[tuple[str, str]] = field(default_factory=list)

    @cached_property
    def positions(self) -> dict[str, int]:
        """Canonical column → its position (each column is read once per row)."""
        return {column: position for position, column in self.columns.items()}

    def cell(self, cells: list, key: str) -> Any:
        position = self.positions.get(key)
        return None if position is None else cells[position]

    def label(self, number: int) -> str:
        """Where a row is, as the curator finds it: 第 12 行, or in a workbook of
        several data sheets 工作表“集体”第 12 行."""
        if not number:
            return "文件"
        block, local = divmod(number, ROW_BLOCK)
        if len(self.parts) > 1:
            return f"工作表“{self.parts[block][0]}”第 {local} 行"
        return f"第 {local} 行"

    def name_header(self, number: int) -> str:
        """The name column's header as the row's own sheet wrote it (姓名, 集体名称 …)."""
        if len(self.parts) > 1:
            return self.parts[number // ROW_BLOCK][1]
        return self.headers.get("name", "")

    def kind_hint(self, number: int) -> str | None:
        """The kind a data sheet's name says its rows are (个人, 先进集体 …)."""
        if len(self.parts) < 2:
            return None
        name = self.parts[number // ROW_BLOCK][0]
        if any(w in name for w in ("集体", "先锋号", "奖状", "班组", "单位")):
            return "collective"
        if any(w in name for w in ("个人", "劳模", "劳动模范", "奖章", "工匠")):
            return "individual"
        return None


def normalise_header(text: Any) -> str:
    """A header cell as compared: full-width folded, bracketed notes, spaces, line
    breaks (Alt+Enter) and marks such as * or ： removed."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[\s*＊:：、]", "", text)


_HEADER_INDEX = {normalise_header(h): key for key, names in COLUMNS.items() for h in names}
_PERSONAL = {normalise_header(h) for h in PERSONAL}


# Headers that say a little more than a known one (荣誉称号及年份, 所在单位及职务):
# the longest known header of three characters or more inside them.
_CONTAINED = sorted(
    ((h, k) for h, k in _HEADER_INDEX.items() if len(h) >= 3), key=lambda item: -len(item[0])
)


def header_key(text: Any) -> str | None:
    """The canonical column a header names, or None."""
    name = normalise_header(text)
    found = _HEADER_INDEX.get(name)
    if found is None and name and name not in _PERSONAL:
        found = next((key for known, key in _CONTAINED if known in name), None)
    return found


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
        raise SheetRefused(
            "无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV，或 XLSX"
        ) from exc


def _read_csv(data: bytes) -> list[list[Any]]:
    text = decode_text(data)
    head = "\n".join(text.splitlines()[:5])
    delimiter = max(",\t;", key=head.count)  # comma, tab or semicolon: the most used
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _check_zip(path: Path) -> None:
    """An XLSX is a ZIP: refuse a bomb before anything unpacks it."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SheetRefused("无法打开表格文件，请确认文件未损坏") from exc
    if len(entries) > 10_000 or sum(e.file_size for e in entries) > MAX_XLSX_UNPACKED:
        raise SheetRefused("表格文件解压后过大，疑似压缩炸弹，已拒绝；请分批导入")


def _workbook_tables(path: Path) -> list[tuple[str, bool, list[list[Any]]]]:
    """Every worksheet as (name, visible, cells), cells merged down across rows
    filled in (calamine: Rust, about 25 times faster than openpyxl)."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    if path.suffix.lower() in ZIPPED:
        _check_zip(path)
    tables = []
    try:
        book = CalamineWorkbook.from_path(str(path))
        for index, meta in enumerate(book.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_index(index)
            if sheet.total_height > MAX_ROWS + 100:
                raise SheetRefused(f"一次最多导入 {MAX_ROWS} 行，请分批导入")
            rows = sheet.to_python(skip_empty_area=False)
            _fill_merged_down(rows, sheet.merged_cell_ranges or [])
            tables.append((meta.name, meta.visible == SheetVisibleEnum.Visible, rows))
    except (CalamineError, OSError, ValueError, KeyError) as exc:  # corrupt, encrypted
        if isinstance(exc, SheetRefused):
            raise
        raise SheetRefused("无法打开表格文件，请确认文件未损坏、未加密") from exc
    return tables


def _fill_merged_down(rows: list[list[Any]], ranges: list) -> None:
    """A cell merged down over several rows (one unit or region for a group of
    honorees) holds its value in the first row only: copy it into the others.
    Cells merged across columns (titles, footnotes) are left as they are."""
    for (top, left), (bottom, right) in ranges:
        if left != right or bottom <= top or top >= len(rows):
            continue
        value = rows[top][left] if left < len(rows[top]) else None
        for r in range(top + 1, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            while len(row) <= left:
                row.append("")
            if _is_blank(row[left]):
                row[left] = value


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(table: list[list[Any]]) -> int | None:
    for index, cells in enumerate(table[:HEADER_SEARCH]):
        known = {header_key(c) for c in cells} - {None}
        if "name" in known and len(known) >= 2:
            return index
    return None


def read(path: str | Path) -> Sheet:
    """Read the honoree table of a CSV, XLSX or XLS file."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SheetRefused("文件过大（上限 50 MB），请分批导入")
    suffix = path.suffix.lower()
    if suffix in SPREADSHEETS:
        tables = _workbook_tables(path)
    elif suffix in (".csv", ".txt"):
        tables = [(None, True, _read_csv(path.read_bytes()))]
    else:
        raise SheetRefused("只能导入 .xlsx、.xls 或 .csv 文件")
    found, others = [], []
    for name, visible, table in tables:
        header_at = _find_header(table) if visible else None
        if header_at is None:
            if name is not None:
                others.append(f"{name}（隐藏）" if not visible else name)
            continue
        found.append((name, _sheet(table, header_at)))
    if not found:
        raise SheetRefused(
            f"找不到表头：前 {HEADER_SEARCH} 行中没有同时含“姓名/集体名称”和其他已知列名的一行"
        )
    sheet = found[0][1] if len(found) == 1 else _merged(found)
    sheet.sheet_name = "、".join(str(name) for name, _ in found) if found[0][0] else None
    sheet.other_sheets = others
    return sheet


def _merged(found: list[tuple[str, Sheet]]) -> Sheet:
    """Several data sheets as one: their columns united (each row keeps its own
    values), their row numbers in blocks of ROW_BLOCK, one block a sheet."""
    headers: dict[str, str] = {}
    for _, part in found:
        for key, written in part.headers.items():
            headers.setdefault(key, written)
    keys = list(headers)
    rows, skipped = [], []
    for block, (_, part) in enumerate(found):
        base = block * ROW_BLOCK
        rows += [
            (base + number, [part.cell(cells, k) for k in keys]) for number, cells in part.rows
        ]
        skipped += [(base + number, why) for number, why in part.skipped]
    dropped = list(dict.fromkeys(d for _, part in found for d in part.dropped))
    ignored = list(dict.fromkeys(i for _, part in found for i in part.ignored))
    return Sheet(
        found[0][1].header_row,
        dict(enumerate(keys)),
        headers,
        dropped,
        ignored,
        rows,
        header=[headers[k] for k in keys],
        skipped=skipped,
        parts=[(name, part.headers.get("name", "")) for name, part in found],
    )


def _sheet(table: list[list[Any]], header_at: int) -> Sheet:
    header, data_from = _header(table, header_at)
    columns, headers, dropped, ignored = _columns(header)
    skipped = [
        (number + 1, "表头之上的标题行")
        for number in range(header_at)
        if any(not _is_blank(c) for c in table[number])
    ]
    rows = []
    name_at = next(p for p, k in columns.items() if k == "name")
    for index in range(data_from, len(table)):
        values = _row_values(table[index], len(header))
        why = _why_left_out(values, columns, name_at)
        if why:
            skipped.append((index + 1, why))
        elif why is None:
            rows.append((index + 1, values))
    if len(rows) > MAX_ROWS:
        raise SheetRefused(f"一次最多导入 {MAX_ROWS} 行，请分批导入")
    return Sheet(
        header_at + 1,
        columns,
        headers,
        dropped,
        ignored,
        rows,
        header=header,
        skipped=skipped,
        data_from=data_from + 1,
    )


def _row_values(row: list[Any], width: int) -> list[Any]:
    """The row's cells under the header's ``width`` columns, blanks as None."""
    return [
        None if _is_blank(v) else v
        for v in (row[p] if p < len(row) else None for p in range(width))
    ]


def _why_left_out(values: list[Any], columns: dict[int, str], name_at: int) -> str | None:
    """Why a row under the header is not imported, or None to import it; "" for a
    blank row, which is left out without a word."""
    if not any(values[p] is not None for p in columns):
        return "没有可识别的内容" if any(v is not None for v in values) else ""
    if sum(1 for p, k in columns.items() if header_key(values[p]) == k) >= 2:
        return "重复的表头行"  # a long table printed with its header on every page
    return noise(values, name_at)


def _header(table: list[list[Any]], header_at: int) -> tuple[list[Any], int]:
    """The header cells and the index of the first data row. A two-row header (a
    merged group cell such as 荣誉情况 above its own columns) is combined."""
    header = list(table[header_at])
    below = table[header_at + 1] if header_at + 1 < len(table) else []
    below_known = [header_key(c) for c in below]
    if sum(1 for k in below_known if k) < 2 or any(
        isinstance(c, (int, float)) or hasattr(c, "year") for c in below
    ):
        return header, header_at + 1
    for position, key in enumerate(below_known):
        if key:
            while len(header) <= position:
                header.append(None)
            header[position] = below[position]
    return header, header_at + 2


def _columns(header: list[Any]) -> tuple[dict[int, str], dict[str, str], list[str], list[str]]:
    """The canonical column of each header cell; personal-data and unknown headers."""
    columns: dict[int, str] = {}
    headers: dict[str, str] = {}
    dropped, ignored = [], []
    for position, cell in enumerate(header):
        name = normalise_header(cell)
        if not name:
            continue
        shown = re.sub(r"\s*\n\s*", "", str(cell).strip())  # a header typed with Alt+Enter
        if name in _PERSONAL:
            dropped.append(shown)
            continue
        key = header_key(cell)
        if (
            key == "unit"
            and "unit_post" not in headers
            and "position" not in headers
            and _says_post(cell)
        ):
            key = "unit_post"
        if key is None or key in headers:
            ignored.append(shown)
            continue
        columns[position] = key
        headers[key] = shown
    return columns, headers, dropped, ignored


def _says_post(cell: Any) -> bool:
    """A 单位 header that also announces the post (单位/职务, 单位（职务）)."""
    return any(word in unicodedata.normalize("NFKC", str(cell)) for word in ("职务", "职称"))


def noise(values: list[Any], name_at: int) -> str | None:
    """Why a row under the header is not an honoree, or None if it may be one:
    a sign-off or footnote line, a totals line, or one long merged note."""
    filled = [(p, v) for p, v in enumerate(values) if v is not None]
    first = unicodedata.normalize("NFKC", str(filled[0][1])).strip()
    name = values[name_at] if name_at < len(values) else None
    name_text = unicodedata.normalize("NFKC", str(name)).strip() if name is not None else ""
    if _SIGN_OFF.match(first) and (name is None or _SIGN_OFF.match(name_text)):
        return "落款或说明行"
    if _TOTALS.match(re.sub(r"\s+", "", name_text or first)):
        return "合计或结束行"
    if len(filled) == 1:
        position, value = filled[0]
        text = str(value).strip()
        if position != name_at and re.fullmatch(r"\d+(\.0)?", text):
            return "只有序号的空行"
        if position != name_at or len(text) > 30 or re.search(r"[:：。；;]", text):
            return "合并的说明行"
    return None
