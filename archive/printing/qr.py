"""Pure QR functions: a URL in, image bytes out. No Flask here.

Error correction M and a 4-module quiet zone, as scanners expect. A centre emblem
is allowed only at level H and covers at most 12% of the symbol, well inside what
level H's 30% recovery can absorb.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

import qrcode
import qrcode.constants
import qrcode.util
from PIL import Image

QUIET_ZONE = 4
SIZES = (160, 320, 640, 1200)  # the PNG widths a page may ask for
EMBLEM_MAX_FRACTION = 0.12  # of the symbol's area (quiet zone excluded)
CACHE_VERSION = "2"  # bump when the drawing changes, so cached files are redrawn
_LEVELS = {"M": qrcode.constants.ERROR_CORRECT_M, "H": qrcode.constants.ERROR_CORRECT_H}


def matrix(url: str, level: str = "M") -> list[list[bool]]:
    """The QR symbol's modules, quiet zone included."""
    return [[c == "1" for c in row] for row in _rows(url, level)]


def module_count(url: str, level: str = "M") -> int:
    """The symbol's width in modules, quiet zone included."""
    return len(_rows(url, level))


def runs(url: str, level: str = "M") -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (x, y, length), quiet zone included in x, y."""
    return [
        (m.start(), y, m.end() - m.start())
        for y, row in enumerate(_rows(url, level))
        for m in _DARK.finditer(row)
    ]


_DARK = re.compile("1+")
_GREY = str.maketrans({"0": "\xff", "1": "\x00"})


@lru_cache(maxsize=2048)
def _rows(url: str, level: str) -> tuple[str, ...]:
    """The symbol as one "0"/"1" string per row, quiet zone included."""
    code = qrcode.QRCode(error_correction=_LEVELS[level], border=QUIET_ZONE, mask_pattern=0)
    code.add_data(url)
    code.make(fit=True)
    n = code.modules_count
    symbols = masked_rows(code)
    scores = [_penalty(rows, n) for rows in symbols]
    best = symbols[min(range(8), key=lambda p: (scores[p], p))]
    blank = "0" * (n + 2 * QUIET_ZONE)
    side = "0" * QUIET_ZONE
    body = tuple(side + format(row, f"0{n}b") + side for row in best)
    return (blank,) * QUIET_ZONE + body + (blank,) * QUIET_ZONE


# --- choosing the mask --------------------------------------------------------------
# qrcode evaluates the eight masks by drawing the symbol eight times in Python
# (~10 ms a code; a 500-poster batch spends seconds there). The symbol is drawn
# once with mask 0; the other seven are derived with integer XORs over the data
# modules (format information rewritten for each) and scored with the ISO/IEC 18004
# penalty rules using string and bit operations. tests/printing/test_print.py checks the
# derived symbols against qrcode's own drawing with each mask.

_FINDER_LIKE = re.compile(r"(?=10111010000|00001011101)")
_LONG_RUN = re.compile(r"0{5,}|1{5,}")


@lru_cache(maxsize=64)
def _layout(version: int, error_correction: int) -> tuple:
    """Per version: the data-module bit mask of each row, each mask pattern's bits
    per row, and for each mask the format-information modules as (row, col, dark)."""
    n = version * 4 + 17
    scratch = qrcode.QRCode(version=version, error_correction=error_correction)
    scratch.modules_count = n
    scratch.modules = [[None] * n for _ in range(n)]
    scratch.setup_position_probe_pattern(0, 0)
    scratch.setup_position_probe_pattern(n - 7, 0)
    scratch.setup_position_probe_pattern(0, n - 7)
    scratch.setup_position_adjust_pattern()
    scratch.setup_timing_pattern()
    scratch.setup_type_info(True, 0)
    if version >= 7:
        scratch.setup_type_number(True)
    data_rows = [
        sum(1 << (n - 1 - c) for c in range(n) if scratch.modules[r][c] is None) for r in range(n)
    ]
    mask_rows = []
    for pattern in range(8):
        func = qrcode.util.mask_func(pattern)
        mask_rows.append([sum(1 << (n - 1 - c) for c in range(n) if func(r, c)) for r in range(n)])
    format_cells = []
    for pattern in range(8):
        scratch.modules = [[None] * n for _ in range(n)]
        scratch.setup_type_info(False, pattern)
        format_cells.append(
            [
                (r, c, bool(v))
                for r in range(n)
                for c in range(n)
                if (v := scratch.modules[r][c]) is not None
            ]
        )
    return n, data_rows, mask_rows, format_cells


def masked_rows(code: qrcode.QRCode) -> list[list[int]]:
    """The symbol under each of the eight masks, as one integer per row (bit n-1-c
    is column c), derived from ``code`` drawn with mask 0."""
    n, data_rows, mask_rows, format_cells = _layout(code.version, code.error_correction)
    base = [sum(1 << (n - 1 - c) for c, m in enumerate(row) if m) for row in code.modules]
    symbols = []
    for pattern in range(8):
        rows = [
            b ^ (d & (m0 ^ mk))
            for b, d, m0, mk in zip(base, data_rows, mask_rows[0], mask_rows[pattern], strict=True)
        ]
        for r, c, dark in format_cells[pattern]:
            bit = 1 << (n - 1 - c)
            rows[r] = rows[r] | bit if dark else rows[r] & ~bit
        symbols.append(rows)
    return symbols


def _penalty(rows: list[int], n: int) -> int:
    text = [format(r, f"0{n}b") for r in rows]
    # rows and columns joined by a separator no pattern can cross: two regex scans
    lines = "2".join(text + ["".join(col) for col in zip(*text, strict=True)])
    runs = _LONG_RUN.findall(lines)
    score = sum(map(len, runs)) - 2 * len(runs)  # 3 + (length - 5) per run
    score += 40 * len(_FINDER_LIKE.findall(lines))
    full = (1 << (n - 1)) - 1
    for upper, lower in zip(rows, rows[1:], strict=False):
        dark = upper & lower
        light = ~(upper | lower)
        score += 3 * (
            (dark & (dark >> 1) & full).bit_count() + (light & (light >> 1) & full).bit_count()
        )
    dark_share = sum(r.bit_count() for r in rows) * 100 / (n * n)
    return score + 10 * int(abs(dark_share - 50) // 5)


def dots_per_module(module_count: int, min_width_mm: float, dpi: int = 300) -> int:
    """The whole number of printer dots per module that makes the symbol (quiet
    zone excluded) at least ``min_width_mm`` wide: every module prints sharp."""
    symbol = module_count - 2 * QUIET_ZONE
    return max(1, math.ceil(min_width_mm / 25.4 * dpi / symbol))


def qr_png(url: str, size: int, emblem: Image.Image | None = None) -> bytes:
    """A black-on-white PNG at most ``size`` pixels wide, a whole number of
    pixels per module (so every module is sharp). With ``emblem``, level H and the
    emblem drawn on a white square covering at most 12% of the symbol."""
    rows = _rows(url, "H" if emblem is not None else "M")
    count = len(rows)
    scale = max(1, size // count)
    pixels = "".join(rows).translate(_GREY).encode("latin-1")
    image = Image.frombytes("L", (count, count), pixels).convert("1")
    image = image.resize((count * scale, count * scale), Image.Resampling.NEAREST)
    if emblem is not None:
        image = _with_emblem(image, emblem, count, scale)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def emblem_side(module_count: int) -> int:
    """The emblem's side in modules (white margin included): odd, centred, and
    covering at most EMBLEM_MAX_FRACTION of the symbol's area."""
    symbol = module_count - 2 * QUIET_ZONE
    side = int(math.sqrt(EMBLEM_MAX_FRACTION) * symbol)
    return side if side % 2 == 1 else side - 1


def _with_emblem(image: Image.Image, emblem: Image.Image, count: int, scale: int) -> Image.Image:
    side = emblem_side(count)
    image = image.convert("RGB")
    start = (count - side) // 2 * scale
    box = side * scale
    image.paste((255, 255, 255), (start, start, start + box, start + box))
    inner = max(1, box - 2 * scale)
    picture = emblem.convert("RGBA").copy()
    picture.thumbnail((inner, inner), Image.Resampling.LANCZOS)
    offset = (start + (box - picture.width) // 2, start + (box - picture.height) // 2)
    image.paste(picture, offset, picture)
    return image


def qr_svg(url: str) -> bytes:
    """A vector QR: one path of unit squares in a viewBox of the module count."""
    count = module_count(url)
    parts = [f"M{x} {y}h{n}v1h-{n}z" for x, y, n in runs(url)]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {count} {count}" '
        f'shape-rendering="crispEdges"><rect width="{count}" height="{count}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>'
    )
    return svg.encode()


def cache_dir(media_dir: str | Path) -> Path:
    """Where drawn QR images are kept (derived, safe to delete)."""
    return Path(media_dir) / "qr"


def cached(
    cache_dir: str | Path, url: str, kind: str, size: int = 0, emblem_path: str | Path | None = None
) -> tuple[bytes, str]:
    """The QR image for ``url`` as (bytes, etag), drawn once per URL, kind
    ("png" or "svg"), size and emblem, then read from ``cache_dir``. The file name is
    a digest of everything that shapes the image, so it never goes stale."""
    emblem_key = ""
    if emblem_path:
        stat = Path(emblem_path).stat()
        emblem_key = f"{emblem_path}:{stat.st_mtime_ns}:{stat.st_size}"
    key = f"{CACHE_VERSION}\n{kind}\n{size}\n{url}\n{emblem_key}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    path = Path(cache_dir) / digest[:2] / f"{digest}.{kind}"
    try:
        return path.read_bytes(), digest
    except FileNotFoundError:
        pass
    if kind == "svg":
        data = qr_svg(url)
    else:
        emblem = None
        if emblem_path:
            with Image.open(emblem_path) as opened:
                emblem = opened.convert("RGBA")
        data = qr_png(url, size, emblem)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return data, digest
