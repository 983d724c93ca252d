"""Print runs: what to print, under which public address and short tag, and what
changed after it was printed. No drawing here (see posters.py); no Flask here."""

from __future__ import annotations

import ipaddress
import json
import secrets
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

import sqlite_utils

from archive.catalogue import browse, codes, exhibitions, honorees
from archive.db import write
from archive.timeutil import now

FORMATS = {
    "poster-a4": "A4 海报",
    "poster-a3": "A3 海报",
    "labels": "二维码标签（A4 3×8，70×36 毫米）",
    "labels-2x5": "二维码标签（A4 2×5，99×57 毫米）",
    "labels-4x10": "二维码标签（A4 4×10，48.5×25.4 毫米）",
    "book": "记录册",
}
MODES = {"view": "查看档案", "listen": "扫码收听"}
TAG_LENGTH = 4
MAX_BATCH = 5000


class PrintError(ValueError):
    """Printing cannot go ahead as asked; the message is for print staff."""


def check_base_url(base_url: str | None) -> str:
    """The public base URL, normalised, or PrintError if printed codes would not
    reach the archive from a visitor's phone (unset, not http(s), or loopback)."""
    base = (base_url or "").strip().rstrip("/")
    parts = urlsplit(base)
    host = (parts.hostname or "").lower()
    hint = (
        "请先把设置 BASE_URL（环境变量 ARCHIVE_BASE_URL）改为观众手机能访问的公网地址，"
        "例如 https://dangan.example.org，再打印。"
    )
    if not base or parts.scheme not in ("http", "https") or not host:
        raise PrintError(
            f"公开地址 BASE_URL 未设置或无效（{base or '空'}），印出的二维码将无法打开。" + hint
        )
    loopback = host in ("localhost", "localhost.localdomain") or host.endswith(".localhost")
    try:
        address = ipaddress.ip_address(host)
        loopback = loopback or address.is_loopback or address.is_unspecified
    except ValueError:
        pass
    if loopback:
        raise PrintError(f"公开地址 BASE_URL 指向本机（{base}），观众扫码后打不开。" + hint)
    if parts.query or parts.fragment:
        raise PrintError(f"公开地址 BASE_URL 不能带查询参数（{base}）。" + hint)
    return base


def short_url(base_url: str, code: str, tag: str | None = None) -> str:
    """The address inside a QR code: the base URL, /q/, the code and the run's tag."""
    url = base_url.rstrip("/") + "/q/" + code
    return f"{url}?r={tag}" if tag else url


def display_address(base_url: str, code: str) -> str:
    """The short address printed under a QR code, for typing by hand."""
    parts = urlsplit(base_url.rstrip("/"))
    return f"{parts.netloc}{parts.path}/q/{code}"


@dataclass
class Selection:
    """What to print: an exhibition, one of its sections, a browse filter or ids."""

    exhibition_id: int | None = None
    section_id: int | None = None
    filters: dict = field(default_factory=dict)
    ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Selection:
        return cls(**{k: data.get(k) or v for k, v in asdict(cls()).items()})


def select(db: sqlite_utils.Database, selection: Selection) -> tuple[str, int | None, list[dict]]:
    """(title, exhibition id, honorees as cards in print order). Only published
    honorees are ever printed."""
    if selection.section_id:
        row = db.execute(
            "SELECT * FROM exhibition_sections WHERE id = ?", [selection.section_id]
        ).fetchone()
        hall = exhibitions.get_public(db, row["exhibition_id"]) if row else None
        if hall is None:
            raise PrintError(f"找不到展厅分区 {selection.section_id}（或其展厅未发布）")
        rows = [
            r
            for r in exhibitions.sequence(db, hall["id"])
            if r["section_id"] == selection.section_id
        ]
        title, exhibition_id = f"{hall['title']} · {row['title']}", hall["id"]
    elif selection.exhibition_id:
        hall = exhibitions.get_public(db, selection.exhibition_id)
        if hall is None:
            raise PrintError(f"找不到已发布的展厅 {selection.exhibition_id}")
        rows, title, exhibition_id = exhibitions.sequence(db, hall["id"]), hall["title"], hall["id"]
    elif selection.ids:
        found = {i: honorees.get_public(db, i) for i in selection.ids}
        absent = [str(i) for i, r in found.items() if r is None]
        if absent:
            raise PrintError(f"这些编号没有已发布的记录：{'、'.join(absent)}")
        rows, title, exhibition_id = list(found.values()), "", None
    else:
        try:
            filters = browse.parse(selection.filters)
        except browse.FilterError as exc:
            raise PrintError(str(exc)) from None
        page = browse.search(db, filters, MAX_BATCH, with_facets=False)
        return _filter_title(filters), None, page.items
    if not rows:
        raise PrintError("所选范围内没有已发布的人物")
    if len(rows) > MAX_BATCH:
        raise PrintError(f"一次最多打印 {MAX_BATCH} 份")
    return title, exhibition_id, honorees.cards(db, rows)


def _filter_title(filters: browse.Filters) -> str:
    picked = [str(v) for v in filters.selected().values()]
    return "筛选：" + "、".join(picked) if picked else "全部已发布人物"


def new_tag(db: sqlite_utils.Database) -> str:
    """A print-run tag never used before. Call inside the write that uses it."""
    while True:
        tag = "".join(secrets.choice(codes.ALPHABET) for _ in range(TAG_LENGTH))
        if not db.execute("SELECT 1 FROM print_runs WHERE tag = ?", [tag]).fetchone():
            return tag


def record_run(
    db: sqlite_utils.Database,
    fmt: str,
    selection: Selection,
    title: str,
    exhibition_id: int | None,
    base_url: str,
    items: list[dict],
    mode: str = "view",
) -> dict:
    """Register a print run and the record version of each honoree it prints.
    ``mode`` 'listen': its codes open the profile ready to play the narration."""
    if fmt not in FORMATS:
        raise PrintError(f"未知的打印格式：{fmt}")
    if mode not in MODES:
        raise PrintError(f"未知的印次用途：{mode}")
    with write(db):
        tag = new_tag(db)
        stamp = now()
        run_id = db.execute(
            """INSERT INTO print_runs (tag, format, exhibition_id, section_id, selection, title,
                   base_url, honoree_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                tag,
                fmt,
                exhibition_id,
                selection.section_id,
                json.dumps(selection.to_json(), ensure_ascii=False),
                title,
                base_url,
                len(items),
                stamp,
            ],
        ).lastrowid
        if mode != "view":
            db.execute("UPDATE print_runs SET mode = ? WHERE id = ?", [mode, run_id])
        db.conn.executemany(
            """INSERT OR IGNORE INTO print_run_items (run_id, honoree_id, version, updated_at)
               VALUES (?, ?, ?, ?)""",
            [(run_id, h["id"], h["version"], h["updated_at"]) for h in items],
        )
    return run(db, run_id)


def run(db: sqlite_utils.Database, run_id: int) -> dict | None:
    row = db.execute("SELECT * FROM print_runs WHERE id = ?", [run_id]).fetchone()
    return dict(row) if row else None


def run_by_tag(db: sqlite_utils.Database, tag: str) -> dict | None:
    row = db.execute("SELECT * FROM print_runs WHERE tag = ?", [tag.upper()]).fetchone()
    return dict(row) if row else None


def runs(db: sqlite_utils.Database, limit: int = 100) -> list[dict]:
    return [
        dict(r)
        for r in db.execute(
            """SELECT r.*, e.title AS exhibition_title FROM print_runs r
           LEFT JOIN exhibitions e ON e.id = r.exhibition_id ORDER BY r.id DESC LIMIT ?""",
            [limit],
        )
    ]


def changed_since_printed(db: sqlite_utils.Database) -> list[dict]:
    """Posters to reprint: for each honoree, its latest print run, when the record
    changed after that run (or was withdrawn)."""
    return [
        dict(r)
        for r in db.execute(
            """SELECT h.id, h.name, h.code, h.status, h.updated_at, h.deleted_at,
                  r.id AS run_id, r.tag, r.format, r.title AS run_title,
                  r.created_at AS printed_at, i.version AS printed_version,
                  h.version AS current_version
           FROM print_run_items i
           JOIN print_runs r ON r.id = i.run_id
           JOIN honorees h ON h.id = i.honoree_id
           WHERE i.run_id = (SELECT max(run_id) FROM print_run_items j
                             WHERE j.honoree_id = i.honoree_id)
             AND (h.version > i.version OR h.updated_at > i.updated_at
                  OR h.status != 'published' OR h.deleted_at IS NOT NULL)
           ORDER BY r.created_at DESC, h.sort_key"""
        )
    ]
