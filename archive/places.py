"""Turning a spreadsheet's free-text region (地区) into province, city and county.

Known places are the divisions the archive ships (the demo's 浙江省 cities and counties,
with GB/T 2260 codes). Text that names none of them is kept as written, in ``city``,
so that nothing a curator typed is lost and browsing by region still shows it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .demo.regions import CITIES, PROVINCE

_SPACES = re.compile(r"[\s·\-—/、，,]+")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict, dict, dict]:
    cities: dict[str, dict] = {}
    counties: dict[str, list[tuple[dict, str, str]]] = {}
    for city in CITIES:
        for key in {city["name"], city["short"]}:
            cities[key] = city
        for name, code in city["counties"]:
            for key in {name, _bare(name)}:
                if len(key) >= 2:
                    counties.setdefault(key, []).append((city, name, code))
    return cities, counties, {PROVINCE[0]: PROVINCE, PROVINCE[0].rstrip("省"): PROVINCE}


def _bare(name: str) -> str:
    """A county's name without its 区/县/市 suffix (西湖区 → 西湖)."""
    return name[:-1] if len(name) > 2 and name[-1] in "区县市" else name


def resolve(text: str | None) -> dict:
    """``{province, city, county, region_code}`` for a region as typed in a sheet."""
    empty = {"province": None, "city": None, "county": None, "region_code": None}
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw:
        return empty
    rest = _SPACES.sub("", raw)
    cities, counties, provinces = _tables()
    found = dict(empty)
    for key in sorted(provinces, key=len, reverse=True):
        if rest.startswith(key):
            found["province"], found["region_code"] = provinces[key]
            rest = rest[len(key):]
            break
    city = None
    for key in sorted(cities, key=len, reverse=True):
        if rest.startswith(key):
            city = cities[key]
            rest = rest[len(key):]
            break
    county = None
    if rest:
        candidates = [c for c in counties.get(rest, []) if city is None or c[0] is city]
        if len(candidates) == 1:
            county = candidates[0]
            city = county[0]
        else:  # text left over that names no county we know: keep it as written
            return {**empty, "city": raw}
    if city is None:
        return {**empty, "city": raw} if found["province"] is None else found
    found["province"] = PROVINCE[0]
    found["city"] = city["name"]
    found["region_code"] = city["code"]
    if county is not None:
        found["county"], found["region_code"] = county[1], county[2]
    return found


def label(province: str | None, city: str | None, county: str | None) -> str:
    """The region as one cell, the way :func:`resolve` reads it back."""
    return "".join(part for part in (province, city, county) if part)
