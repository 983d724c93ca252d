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
    Setting(
        "DATABASE",
        str(PROJECT_ROOT / "records" / "archive.db"),
        "SQLite database file, the source of truth",
    ),
    Setting("MEDIA_DIR", str(PROJECT_ROOT / "media"), "uploaded originals and derived images"),
    Setting(
        "INDEX_DIR", str(PROJECT_ROOT / "search_index"), "the search index (derived, rebuildable)"
    ),
    Setting(
        "DEMO_DIR",
        str(PROJECT_ROOT / "records" / "demo"),
        "the demo exhibit loaded by `init` into an empty archive",
    ),
    Setting(
        "BASE_URL",
        "http://127.0.0.1:8000",
        "public base URL used in QR codes, canonical links and the sitemap; "
        "never taken from the request's Host header",
    ),
    Setting("SITE_NAME", "劳模工匠数字档案馆", "the site's name in titles and headers"),
    Setting("ORGANISATION", "示例省总工会", "the organisation that runs the archive"),
    Setting(
        "SITE_NAME_EN",
        "",
        "the site's name on English pages; empty for the default English name "
        "(when SITE_NAME is the default) or SITE_NAME as written",
    ),
    Setting(
        "ORGANISATION_EN",
        "",
        "the organisation's name on English pages; empty to show ORGANISATION in Chinese",
    ),
    Setting(
        "CONTACT", "", "contact shown in the footer and on 关于本馆 (e.g. 联系电话 or an address)"
    ),
    Setting("ABOUT", "", "the 关于本馆 page's text (plain paragraphs); empty for a default one"),
    Setting(
        "ICP_NUMBER",
        "",
        "the ICP filing number (e.g. 琼ICP备12345678号-1) a public site in "
        "China must show in its footer, linked to the filing system",
    ),
    Setting(
        "POLICE_FILING",
        "",
        "the public-security filing number (公安备案号, e.g. 琼公网安备 "
        "46010802000001号) shown in the footer",
    ),
    Setting(
        "SECRET_KEY",
        None,
        "session signing key; when not given, generated once into instance/secret_key",
    ),
    Setting(
        "INSTANCE_DIR",
        str(PROJECT_ROOT / "instance"),
        "instance folder: config.py and the generated secret_key",
    ),
    Setting("PAGE_SIZE", 24, "honorees per page when browsing"),
    Setting(
        "FONT_PATH",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "the CJK font for posters, labels, record books and share images: an OTF/TTF "
        "file, or a collection (.ttc) whose Simplified Chinese face is used",
    ),
    Setting(
        "FONT_TITLE_PATH",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
        "the heading face on print (names, titles, the call to action): a bold serif "
        "(宋体/标宋 style); FONT_PATH is used when this file is missing",
    ),
    Setting(
        "EMBLEM_PATH",
        "",
        "the emblem on posters, the record book's cover, labels and share images "
        "(PNG, JPEG or SVG); empty for the archive's own drawn star-and-gear mark",
    ),
    Setting(
        "QR_EMBLEM",
        "",
        "optional image drawn in the centre of QR PNGs (then error correction H, "
        "at most 12% of the symbol); empty for none",
    ),
    Setting(
        "SESSION_IDLE_MINUTES",
        60,
        "a back-office session ends after this many minutes without a request",
    ),
    Setting(
        "SESSION_MAX_HOURS",
        12,
        "a back-office session ends this many hours after logging in, however active",
    ),
    Setting(
        "SECOND_APPROVER",
        1,
        "1: publishing needs a second curator or an admin to approve what another "
        "submitted; 0 for one-person offices",
    ),
    Setting("PHOTO_MAX_MB", 20, "largest photo upload, in megabytes"),
    Setting(
        "PHOTO_MAX_MEGAPIXELS",
        50,
        "largest photo upload in megapixels, read from the file header before decoding",
    ),
    Setting("VIDEO_MAX_MB", 300, "largest video upload (H.264 MP4), in megabytes"),
    Setting(
        "IMPORT_MAX_MB",
        200,
        "largest photo ZIP uploaded for an import, in megabytes (the sheet itself "
        "is also held to the importer's 50 MB)",
    ),
    Setting(
        "SEARCH_ENGINE",
        "tantivy",
        "the search engine: `whoosh` or `tantivy` (switching rebuilds the index)",
    ),
    Setting(
        "SITEMAP_PER_FILE",
        20000,
        "addresses per sitemap file (the protocol allows 50,000); with more public pages "
        "`/sitemap.xml` is an index of `/sitemap-N.xml` files",
    ),
    Setting(
        "ENGLISH_INTERFACE",
        1,
        "1: visitors who ask for English (?lang=en, the switch, a browser listing no Chinese) "
        "get the public pages in English (record content stays Chinese where no English "
        "text exists, and says so); 0: every page in Chinese",
    ),
    Setting(
        "SEARCH_TIME_LIMIT",
        0.5,
        "seconds one search may take before it answers with what it found so far "
        "(a safety net: no query can hold a worker)",
    ),
    Setting(
        "WORKER_STALE_SECONDS",
        30,
        "/healthz reports the background worker as down when its heartbeat (written "
        "every 2 seconds, even during a long job) is older than this",
    ),
    Setting(
        "JOB_MAX_ATTEMPTS",
        3,
        "attempts a background job gets (failures and restarts of the worker "
        "included) before it ends as failed with the reason",
    ),
    Setting(
        "LOGIN_GLOBAL_LIMIT",
        500,
        "wrong passwords in 15 minutes, across all accounts and addresses, after which "
        "every login is refused unchecked until the window passes",
    ),
    Setting(
        "LOGIN_HASH_SLOTS",
        2,
        "password checks (argon2, 64 MiB each) running at once on this machine, across "
        "all processes; a login waits up to 10 seconds for a slot, then is asked to retry",
    ),
    Setting(
        "PASSWORD_HASH_MEMORY_KIB",
        65536,
        "memory of one password check (argon2id), in KiB: RFC 9106's low-memory profile; "
        "lower it only for tests",
    ),
    Setting(
        "PAGE_CACHE_DISK_MB",
        64,
        "largest size of the rendered pages shared on disk by the web processes "
        "(instance/page_cache/); the least recently used are removed beyond it",
    ),
    Setting(
        "ORPHAN_GRACE_MINUTES",
        30,
        "media files no record (or earlier version) refers to are removed by the "
        "worker once they are this old (an upload writes its files just before its rows)",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "how many proxies in front of gunicorn (nginx: 1) are trusted to say the "
        "client's address and scheme (X-Forwarded-For, X-Forwarded-Proto); 0 trusts none",
    ),
    Setting(
        "TRUSTED_ORIGINS",
        "",
        "other origins (scheme://host[:port], separated by spaces) whose pages may POST "
        "here besides BASE_URL's, e.g. the back office's address on an office network",
    ),
    Setting(
        "ACCEL_REDIRECT_PREFIX",
        "",
        "when set (e.g. /_media), photos and videos are handed to nginx with "
        "X-Accel-Redirect: <prefix>/derived/<file> or <prefix>/videos/<file>, after "
        "the visibility check; empty: gunicorn sends the file itself",
    ),
    Setting(
        "GENERATION_LINK",
        "",
        "a symbolic link the app points at <link>.d/<generation>/ after every visible "
        "change, so that nginx's micro-cache keys on it (deploy/nginx.conf); empty for none",
    ),
    Setting(
        "SEARCH_MEMORY_MB",
        256,
        "memory each process may fill with copies of the search index's most-read "
        "parts (terms, stored fields, all postings but the stories'); beyond it they "
        "are read from disk",
    ),
    Setting(
        "HALL_CUBE_SIZE",
        1024,
        "side in pixels of a generated hall's cube faces (the sharpest tile level); "
        "tiles are 512 px, so 1024 makes two levels",
    ),
    Setting(
        "HALL_REDRAW_SECONDS",
        10,
        "how often the worker looks for generated halls whose exhibition changed "
        "and redraws them; 0 turns this off",
    ),
    Setting(
        "NARRATION_MAX_MB",
        100,
        "largest narration recording upload (MP3, M4A, WAV or Opus), in megabytes",
    ),
    Setting(
        "TTS_COMMAND",
        "espeak-ng -v cmn-latn-pinyin -s 150 -w {out} -f {text}",
        "the offline text-to-speech engine: a command line (no shell) run with {text} "
        "replaced by a UTF-8 text file and {out} by the WAV file to write",
    ),
    Setting(
        "TTS_TEXT",
        "pinyin",
        "what the engine is fed: 'pinyin' (the whole story as tone-numbered pinyin, for "
        "espeak-ng's cmn-latn-pinyin voice) or 'hanzi' (the Chinese text, names still "
        "as pinyin, for a Chinese neural voice)",
    ),
    Setting(
        "EMBED_FRAME_ANCESTORS",
        "*",
        "the CSP frame-ancestors of the embeddable card /embed/honorees/<id> (e.g. "
        "'https://partner.example.org https://union.example.cn'); every other page "
        "refuses framing",
    ),
    Setting(
        "WECHAT_JSSDK_URL",
        "",
        "optional: the address of WeChat's JS-SDK script (e.g. "
        "https://res.wx.qq.com/open/js/jweixin-1.6.0.js) for a 公众号; empty (default) "
        "loads no external script",
    ),
    Setting(
        "SCAN_BEACON_URL",
        "",
        "the live archive a static edition's QR redirect pages report scans to "
        "(e.g. https://dangan.example.org); empty: scans in the edition are not counted",
    ),
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
