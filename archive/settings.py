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
    Setting("FONT_PATH", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
            "the CJK font for posters, labels, record books and share images: an OTF/TTF "
            "file, or a collection (.ttc) whose Simplified Chinese face is used"),
    Setting("FONT_TITLE_PATH", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
            "the heading face on print (names, titles, the call to action): a bold serif "
            "(宋体/标宋 style); FONT_PATH is used when this file is missing"),
    Setting("EMBLEM_PATH", "",
            "the emblem on posters, the record book's cover, labels and share images "
            "(PNG, JPEG or SVG); empty for the archive's own drawn star-and-gear mark"),
    Setting("QR_EMBLEM", "",
            "optional image drawn in the centre of QR PNGs (then error correction H, "
            "at most 12% of the symbol); empty for none"),
    Setting("SESSION_IDLE_MINUTES", 60,
            "a back-office session ends after this many minutes without a request"),
    Setting("SESSION_MAX_HOURS", 12,
            "a back-office session ends this many hours after logging in, however active"),
    Setting("SECOND_APPROVER", 1,
            "1: publishing needs a second curator or an admin to approve what another "
            "submitted; 0 for one-person offices"),
    Setting("PHOTO_MAX_MB", 20, "largest photo upload, in megabytes"),
    Setting("PHOTO_MAX_MEGAPIXELS", 50,
            "largest photo upload in megapixels, read from the file header before decoding"),
    Setting("VIDEO_MAX_MB", 300, "largest video upload (H.264 MP4), in megabytes"),
    Setting("IMPORT_MAX_MB", 200,
            "largest photo ZIP uploaded for an import, in megabytes (the sheet itself "
            "is also held to the importer's 50 MB)"),
    Setting("SEARCH_TIME_LIMIT", 0.5,
            "seconds one search may take before it answers with what it found so far "
            "(a safety net: no query can hold a worker)"),
    Setting("SEARCH_MEMORY_MB", 256,
            "memory each process may fill with copies of the search index's most-read "
            "parts (terms, stored fields, all postings but the stories'); beyond it they "
            "are read from disk"),
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
