"""Every setting the archive reads, declared once with its default and its meaning.

A setting ``NAME`` can be given as the environment variable ``ARCHIVE_NAME`` or as
``NAME = ...`` in ``instance/config.py``. The README's settings table is checked
against this list by the test suite.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


SETTINGS: list[Setting] = [
    Setting("DATABASE", str(PROJECT_ROOT / "records" / "archive.db"),
            "SQLite database file, the source of truth"),
    Setting("MEDIA_DIR", str(PROJECT_ROOT / "media"),
            "uploaded originals and derived images"),
    Setting("INDEX_DIR", str(PROJECT_ROOT / "search_index"),
            "the Whoosh search index (derived, rebuildable)"),
    Setting("DEMO_DIR", str(PROJECT_ROOT / "records" / "demo"),
            "the demo exhibit loaded by `init` into an empty archive"),
    Setting("BASE_URL", "http://127.0.0.1:8000",
            "public base URL used in QR codes, canonical links and the sitemap; "
            "never taken from the request's Host header"),
    Setting("SITE_NAME", "劳模工匠数字档案馆", "the site's name in titles and headers"),
    Setting("ORGANISATION", "示例省总工会", "the organisation that runs the archive"),
    Setting("SECRET_KEY", None,
            "session signing key; when not given, generated once into "
            "instance/secret_key"),
    Setting("INSTANCE_DIR", str(PROJECT_ROOT / "instance"),
            "instance folder: config.py and the generated secret_key"),
    Setting("PAGE_SIZE", 24, "honorees per page when browsing"),
    Setting("SEARCH_TIME_LIMIT", 0.5,
            "seconds one search may take before it answers with what it found so far "
            "(a safety net: no query can hold a worker)"),
]

ENV_PREFIX = "ARCHIVE_"


def defaults() -> dict:
    return {s.name: s.default for s in SETTINGS}


def from_environment(environ: dict | None = None) -> dict:
    """Settings given as ``ARCHIVE_*`` environment variables, converted to the
    default's type."""
    environ = os.environ if environ is None else environ
    found = {}
    for setting in SETTINGS:
        raw = environ.get(ENV_PREFIX + setting.name)
        if raw is None:
            continue
        if isinstance(setting.default, (int, float)):
            found[setting.name] = type(setting.default)(raw)
        else:
            found[setting.name] = raw
    return found
