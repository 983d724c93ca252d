"""How often ``archive.exchange.unitpost.split`` agrees with a curator on the labelled set.

    .venv/bin/python -m bench.unit_split [--all]

Reads ``tests/data/unit_post_cells.tsv`` (hand-labelled before the rule was written;
``\\n`` in the cell column is a line break, an empty unit or position means none) and
prints the exact-match accuracy (unit and position both equal), the size of the set,
how the ``certain`` flag fared, and every mismatch.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from archive.exchange.unitpost import Split, split

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "unit_post_cells.tsv"


def load_labelled(path: Path = LABELLED) -> list[tuple[str, str | None, str | None]]:
    """The labelled cells as (cell, unit, position), line breaks restored."""
    rows = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:  # header
        if not line.strip():
            continue
        cell, unit, position = line.split("\t")
        rows.append(
            (cell.replace("\\n", "\n"), unit.replace("\\n", "\n") or None, position or None)
        )
    return rows


def evaluate(rows: list[tuple[str, str | None, str | None]]) -> tuple[float, list[tuple]]:
    """Exact-match accuracy over ``rows`` and the mismatches (cell, expected, got)."""
    misses = []
    for cell, unit, position in rows:
        got: Split = split(cell)
        if (got.unit, got.position) != (unit, position):
            misses.append((cell, (unit, position), got))
    return 1 - len(misses) / len(rows), misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    rows = load_labelled()
    accuracy, misses = evaluate(rows)
    missed = {cell for cell, _, _ in misses}
    certain = [cell for cell, _, _ in rows if split(cell).certain]
    certain_right = sum(cell not in missed for cell in certain)
    unsure_right = len(rows) - len(certain) - (len(missed) - (len(certain) - certain_right))
    print(f"labelled cells: {len(rows)}")
    print(
        f"exact match (unit and position): {len(rows) - len(misses)}/{len(rows)} = {accuracy:.1%}"
    )
    print(
        f"certain=True: {len(certain)} cells, {certain_right} right; "
        f"certain=False: {len(rows) - len(certain)} cells, {unsure_right} right"
    )
    for cell, (unit, position), got in misses:
        print(
            f"- {cell!r}\n    expected {unit!r} | {position!r}\n    got      "
            f"{got.unit!r} | {got.position!r} (certain={got.certain})"
        )


if __name__ == "__main__":
    main()
