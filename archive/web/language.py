"""The visitor's language: Simplified Chinese (the default) or English.

A request is in English when it asks with ``?lang=en`` (the address ``hreflang``
points to), else when its ``lang`` cookie says so (set by the switch, ``/lang/en``
and ``/lang/zh``), else when its ``Accept-Language`` lists languages but no Chinese
at all. Anything else, including no header (crawlers, WeChat's own fetcher), is
Chinese. ``deploy/nginx.conf`` keys its cache by the same rule.

All of it waits on the ENGLISH_INTERFACE setting: until the interface's English
translation is complete, every page stays Chinese (and says so), whatever is asked.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, has_request_context, redirect, request
from flask_babel import Babel
from markupsafe import Markup, escape

from archive.catalogue import english, honorees, names

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
COOKIE = "lang"
HTML_LANG = {"zh": "zh-CN", "en": "en"}
# what Babel formats with (dates, numbers): Simplified Chinese as written in China
BABEL_LOCALE = {"zh": "zh_Hans_CN", "en": "en"}

# The audiences that read English: visitors. The back office, print staff's pages and
# the administration stay Chinese whatever the visitor's cookie says.
PUBLIC_BLUEPRINTS = frozenset({"public", "api", "language"})

bp = Blueprint("language", __name__)


def from_header(header: str | None) -> str:
    """English for a header that lists languages none of which is Chinese."""
    tags = [part.split(";")[0].strip().lower() for part in (header or "").split(",")]
    tags = [t for t in tags if t and t != "*"]
    if not tags or any(t == "zh" or t.startswith("zh-") for t in tags):
        return DEFAULT
    return "en"


def choose(args, cookies, header: str | None) -> str:
    """The language of a request (see the module's rule)."""
    for asked in (args.get("lang"), cookies.get(COOKIE)):
        if asked in LANGUAGES:
            return asked
    return from_header(header)


def offered() -> bool:
    return bool(current_app.config.get("ENGLISH_INTERFACE"))


def current() -> str:
    """This request's language (chosen once per request); Chinese outside a
    request and on pages that are not the visitors' (see PUBLIC_BLUEPRINTS)."""
    if not has_request_context():
        return DEFAULT
    if "lang" not in g:
        public = request.blueprint in PUBLIC_BLUEPRINTS or request.blueprint is None
        g.lang = (
            choose(request.args, request.cookies, request.headers.get("Accept-Language"))
            if offered() and public
            else DEFAULT
        )
    return g.lang


def term(kind: str, value: str | None) -> Markup:
    """A vocabulary word (``level``, ``kind``, ``collective_type``, ``title``,
    ``region``, ``industry``, ``gender``, ``ethnic_group``) as this page shows it: in
    Chinese on a Chinese page (a coded word, such as a level, by its Chinese label); on
    an English one its English name, else the Chinese marked ``lang="zh-CN"``."""
    if not value:
        return Markup("")
    if current() == DEFAULT:
        return escape(_chinese_label(kind, value))
    found = english_term(kind, value)
    return escape(found) if found else zh(value)


def english_term(kind: str, value: str | None) -> str | None:
    """A vocabulary word's English name as plain text (titles, attributes); None
    where it has none."""
    if not value:
        return None
    return _title_english().get(value) if kind == "title" else english.term(kind, value)


def _chinese_label(kind: str, value: str) -> str:
    """What a Chinese page shows for a word stored as a code (``national`` → 全国)."""
    from archive.catalogue import vocabulary

    table = {
        "level": vocabulary.LEVELS,
        "kind": vocabulary.KINDS,
        "collective_type": vocabulary.COLLECTIVE_TYPES,
    }.get(kind, {})
    return table.get(value, value)


def _title_english() -> dict[str, str]:
    if "title_english" not in g:
        from archive.catalogue import vocabulary

        from ..db import get_db

        g.title_english = vocabulary.title_english(get_db())
    return g.title_english


def zh(value: str | None) -> Markup:
    """Record content (names, units, stories) as written: on an English page it is
    marked ``lang="zh-CN"``, so that readers and speech read it as Chinese."""
    if not value:
        return Markup("")
    if current() == DEFAULT:
        return escape(value)
    return Markup('<span lang="zh-CN">%s</span>') % value


def record_name(record: dict) -> Markup:
    """A record's name as this page shows it: as written on a Chinese page; on an
    English one in English (a person's from the pinyin, GB/T 28039, or as the curator
    wrote it; a collective's as the curator gave it), else the Chinese, marked."""
    if current() == DEFAULT:
        return escape(record["name"])
    return escape(english_record_name(record)) or zh(record["name"])


def english_record_name(record: dict) -> str:
    """A record's English name as plain text (titles, attributes); '' for a
    collective the curators have not named in English."""
    if "kind" not in record:  # a row that does not say: only the curator's name
        return (record.get("name_en") or "").strip()
    return honorees.english_name(record) or ""


def _locale() -> str:
    return BABEL_LOCALE[current()]


def _back(target: str | None) -> str:
    """Where the switch returns to: a path on this site, never another host."""
    parts = urlsplit(target or "")
    if (
        parts.scheme
        or parts.netloc
        or not parts.path.startswith("/")
        or parts.path.startswith("//")
        or "\\" in parts.path
    ):
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.get("/lang/<code>")
def switch(code: str):
    """Set the language cookie and go back to the page the visitor was on."""
    if code not in LANGUAGES or not offered():
        code = DEFAULT
    referrer = urlsplit(request.referrer or "")
    own = urlsplit(current_app.config.get("BASE_URL") or "")
    target = request.args.get("next")
    if target is None and referrer.netloc in (request.host, own.netloc):
        target = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    response = redirect(_back(target), code=303)
    response.set_cookie(
        COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _vary(response):
    """Pages differ by language: caches in between keep them apart."""
    if offered() and request.endpoint and not request.endpoint.startswith("static"):
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    Babel(
        app, locale_selector=_locale, default_locale="zh_Hans_CN", default_timezone="Asia/Shanghai"
    )
    app.register_blueprint(bp)
    app.after_request(_vary)
    app.add_template_global(current, "language")
    app.add_template_global(lambda: HTML_LANG[current()], "html_lang")
    app.add_template_global(names.english, "english_name")
    app.add_template_global(term)
    app.add_template_global(zh)
    app.add_template_global(record_name)
    app.add_template_global(english_record_name)
