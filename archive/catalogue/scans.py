"""QR scan counts per honoree (or hall, or album), day and print run: no personal data.

A scan is never written to the database by the request that answers it: that would
wait on the database's write lock (and under load lose scans to ``database is
locked``). It is appended as one line to a spool file (``O_APPEND``, one ``write``
per line, so lines from many processes never interleave) and the background worker
folds the spool into the ``scans`` table (``target_scans`` for the codes of halls
and albums) every second or so. A line written is on
disk for the worker even if the web process is killed a moment later.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from pathlib import Path

from archive import db as database
from archive.timeutil import now, today

log = logging.getLogger("archive.catalogue.scans")

SPOOL = "spool.log"
TARGETS = ("hall", "honoree_album", "exhibition_album")  # codes of target_codes
SETTLE_SECONDS = 1.0  # a renamed spool is folded once writers that opened it are done


def spool_dir(instance_path: str | Path) -> Path:
    return Path(instance_path) / "scans"


def count(folder: str | Path, honoree_id: int, run_tag: str = "") -> None:
    """Add one scan of a profile's code: one appended line, no lock. Never
    raises, so counting can never break a scan."""
    _append(folder, f"{today()}\t{int(honoree_id)}\t{run_tag}\n", f"honoree {honoree_id}")


def count_target(folder: str | Path, target_type: str, target_id: int, run_tag: str = "") -> None:
    """Add one scan of a hall's or an album's code (``target_type`` one of
    :data:`TARGETS`): one appended line like :func:`count`, with the target's
    type as a fourth field."""
    if target_type not in TARGETS:
        raise ValueError(f"unknown scan target {target_type!r}")
    _append(
        folder,
        f"{today()}\t{int(target_id)}\t{run_tag}\t{target_type}\n",
        f"{target_type} {target_id}",
    )


def _append(folder: str | Path, text: str, what: str) -> None:
    line = text.encode()
    path = Path(folder) / SPOOL
    try:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except Exception:
        log.warning("scan of %s not counted", what, exc_info=True)


def _parse(data: bytes) -> Counter:
    """Counts keyed (target type, id, day, run tag); a profile's scan has the
    type ``"honoree"``."""
    counts: Counter = Counter()
    for raw in data.split(b"\n"):
        parts = raw.decode("utf-8", "replace").split("\t")
        if len(parts) == 3:
            parts.append("honoree")
        if (
            len(parts) != 4
            or not parts[1].isascii()
            or not parts[1].isdigit()
            or len(parts[0]) != 10
            or len(parts[2]) > 8
            or parts[3] not in ("honoree", *TARGETS)
        ):
            continue  # a line cut short (e.g. by a full disk) is skipped, never misread
        counts[(parts[3], int(parts[1]), parts[0], parts[2])] += 1
    return counts


def fold(db, folder: str | Path, settle: float = SETTLE_SECONDS) -> int:
    """Move spooled scans into the ``scans`` and ``target_scans`` tables; returns
    how many were added (scans of profiles deleted meanwhile are dropped).

    The live spool is first renamed aside (new scans start a new file); a renamed
    file is folded once ``settle`` seconds have passed, in one transaction that
    also records its name, so a fold interrupted after its commit is never counted
    twice."""
    folder = Path(folder)
    live = folder / SPOOL
    try:
        if live.stat().st_size:
            os.replace(live, folder / f"fold-{time.time_ns()}-{os.getpid()}.log")
    except FileNotFoundError:
        pass
    added = 0
    clock = time.time_ns()
    for path in sorted(folder.glob("fold-*.log")):
        try:
            renamed = int(path.name.split("-")[1])
        except (IndexError, ValueError):
            renamed = 0
        if clock - renamed < settle * 1e9:
            continue
        counts = _parse(path.read_bytes())
        with database.write(db):
            if db.execute("SELECT 1 FROM scan_folds WHERE name = ?", [path.name]).fetchone():
                counts = Counter()
            for (kind, target_id, day, tag), n in counts.items():
                added += n * _add(db, kind, target_id, day, tag, n)
            db.execute(
                "INSERT OR IGNORE INTO scan_folds (name, at) VALUES (?, ?)", [path.name, now()]
            )
            db.execute("DELETE FROM scan_folds WHERE at < datetime('now', '-7 days')")
        path.unlink(missing_ok=True)
    return added


def _add(db, kind: str, target_id: int, day: str, tag: str, n: int) -> int:
    """Add ``n`` scans of one target on one day and run; 1 if counted, 0 when
    the profile was deleted meanwhile."""
    if kind == "honoree":
        return db.execute(
            """INSERT INTO scans (honoree_id, day, run_tag, count)
               SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM honorees WHERE id = ?)
               ON CONFLICT (honoree_id, day, run_tag) DO UPDATE
               SET count = count + excluded.count""",
            [target_id, day, tag, n, target_id],
        ).rowcount
    return db.execute(
        """INSERT INTO target_scans (target_type, target_id, day, run_tag, count)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (target_type, target_id, day, run_tag)
           DO UPDATE SET count = count + excluded.count""",
        [kind, target_id, day, tag, n],
    ).rowcount


def totals(db, honoree_id: int) -> int:
    row = db.execute(
        "SELECT coalesce(sum(count), 0) FROM scans WHERE honoree_id = ?", [honoree_id]
    ).fetchone()
    return row[0]


# --- statistics for curators -------------------------------------------------------


def _conditions(
    honoree_id: int | None, exhibition_id: int | None, run_tag: str | None
) -> tuple[str, list]:
    clauses, params = ["1"], []
    if honoree_id:
        clauses.append("s.honoree_id = ?")
        params.append(honoree_id)
    if exhibition_id:
        clauses.append("r.exhibition_id = ?")
        params.append(exhibition_id)
    if run_tag:
        clauses.append("s.run_tag = ?")
        params.append(run_tag.upper())
    return " AND ".join(clauses), params


def rows(
    db,
    honoree_id: int | None = None,
    exhibition_id: int | None = None,
    run_tag: str | None = None,
    limit: int = 100_000,
) -> list[dict]:
    """Scan counts per day, honoree and print run (with the run's exhibition and
    format), newest day first. A scan of a code without a run tag has run_tag ''."""
    where, params = _conditions(honoree_id, exhibition_id, run_tag)
    return [
        dict(r)
        for r in db.execute(
            f"""SELECT s.day, s.honoree_id, h.name, h.code, s.run_tag, r.format, r.mode,
                   r.exhibition_id, e.title AS exhibition, s.count
            FROM scans s JOIN honorees h ON h.id = s.honoree_id
            LEFT JOIN print_runs r ON r.tag = s.run_tag AND s.run_tag != ''
            LEFT JOIN exhibitions e ON e.id = r.exhibition_id
            WHERE {where} ORDER BY s.day DESC, s.count DESC, h.sort_key LIMIT ?""",
            params + [limit],
        )
    ]


def daily(
    db, honoree_id: int | None = None, exhibition_id: int | None = None, run_tag: str | None = None
) -> list[tuple[str, int]]:
    """Total scans per day, oldest first."""
    where, params = _conditions(honoree_id, exhibition_id, run_tag)
    return [
        (r[0], r[1])
        for r in db.execute(
            f"""SELECT s.day, sum(s.count) FROM scans s
            LEFT JOIN print_runs r ON r.tag = s.run_tag AND s.run_tag != ''
            WHERE {where} GROUP BY s.day ORDER BY s.day""",
            params,
        )
    ]


def totals_by(db, group: str, limit: int = 50) -> list[dict]:
    """Total scans per honoree, exhibition, print run or run mode (查看档案 / 扫码收听),
    most scanned first."""
    queries = {
        "honoree": """SELECT h.id AS key, h.name AS label, sum(s.count) AS total FROM scans s
                      JOIN honorees h ON h.id = s.honoree_id GROUP BY h.id""",
        "exhibition": """SELECT e.id AS key, e.title AS label, sum(s.count) AS total FROM scans s
                         JOIN print_runs r ON r.tag = s.run_tag JOIN exhibitions e
                         ON e.id = r.exhibition_id GROUP BY e.id""",
        "mode": """SELECT r.mode AS key, CASE r.mode WHEN 'listen' THEN '扫码收听'
                          ELSE '查看档案' END AS label, sum(s.count) AS total FROM scans s
                   JOIN print_runs r ON r.tag = s.run_tag GROUP BY r.mode""",
        "run": """SELECT r.tag AS key, r.tag || ' ' || r.format || ' ' || r.title AS label,
                         sum(s.count) AS total FROM scans s JOIN print_runs r
                  ON r.tag = s.run_tag GROUP BY r.tag""",
    }
    return [
        dict(r)
        for r in db.execute(
            f"SELECT * FROM ({queries[group]}) ORDER BY total DESC, label LIMIT ?", [limit]
        )
    ]


def chart_svg(series: list[tuple[str, int]], width: int = 720, height: int = 240) -> str:
    """A bar chart of (day, count) drawn as SVG on the server: no script needed."""
    from markupsafe import escape

    pad_left, pad_bottom, pad_top = 44, 28, 12
    plot_w, plot_h = width - pad_left - 8, height - pad_bottom - pad_top
    peak = max((c for _, c in series), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="每日扫码次数" class="chart">',
        f'<line x1="{pad_left}" y1="{pad_top + plot_h}" x2="{width - 8}" '
        f'y2="{pad_top + plot_h}" stroke="#555"/>',
        f'<text x="{pad_left - 6}" y="{pad_top + 10}" text-anchor="end" '
        f'font-size="11">{peak}</text>',
        f'<text x="{pad_left - 6}" y="{pad_top + plot_h}" text-anchor="end" '
        f'font-size="11">0</text>',
    ]
    if series:
        step = plot_w / len(series)
        for i, (day, count) in enumerate(series):
            bar = plot_h * count / peak
            x = pad_left + i * step
            parts.append(
                f'<rect x="{x + step * 0.1:.1f}" y="{pad_top + plot_h - bar:.1f}" '
                f'width="{max(step * 0.8, 1):.1f}" height="{bar:.1f}" fill="#a81c1c">'
                f"<title>{escape(day)}：{count} 次</title></rect>"
            )
        labels = {0, len(series) - 1, len(series) // 2}
        for i in sorted(labels):
            x = pad_left + (i + 0.5) * step
            parts.append(
                f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" '
                f'font-size="11">{escape(series[i][0])}</text>'
            )
    else:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
            f'font-size="14">暂无扫码记录</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def target_totals(db, target_type: str, target_id: int) -> int:
    row = db.execute(
        "SELECT coalesce(sum(count), 0) FROM target_scans WHERE target_type = ? AND target_id = ?",
        [target_type, target_id],
    ).fetchone()
    return row[0]
