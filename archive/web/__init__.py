"""The web layer: one blueprint per audience, plus what every response shares."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, g, request, url_for
from flask_compress import Compress
from flask_wtf.csrf import CSRFProtect

from archive.catalogue import markup, vocabulary

from ..db import get_db
from ..demo.load import is_loaded
from . import localised, page_cache, structured_data

YEAR = 365 * 24 * 3600

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "media-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def init_app(app: Flask) -> None:
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        [
            "text/html",
            "text/css",
            "text/xml",
            "text/csv",
            "text/plain",
            "application/json",
            "application/javascript",
            "text/javascript",
            "application/xml",
            "image/svg+xml",
        ],
    )
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 300)
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = YEAR  # static URLs carry a content hash
    app.json.ensure_ascii = False
    page_cache.init_app(app)  # before Compress: pages are cached compressed
    # "/q//evil.com" must not be answered by a redirect built from the request's Host
    # (Werkzeug's slash merging would send a 308 there): an odd path is simply a 404.
    app.url_map.merge_slashes = False
    from .params import BoundedInt

    app.url_map.converters["int"] = BoundedInt  # before any route is added
    Compress(app)
    app.after_request(_compressible_static)  # runs before Compress's own after_request

    from . import edge

    edge.init_app(app)  # before CSRF: another site's POST is a 403, not a 400
    _sessions_and_csrf(app)

    from . import admin, api, auth, curate, errors, public, style
    from . import print as print_pages

    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(curate.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(print_pages.bp)
    style.init_app(app)
    errors.init_app(app)
    from . import language

    language.init_app(app)
    localised.init_app(app)

    app.after_request(_security_headers)
    app.context_processor(_template_context)
    app.add_template_global(static_url)
    app.add_template_global(absolute_url)
    from .alternates import alternates

    app.add_template_global(alternates)
    app.add_template_global(browse_url)
    app.add_template_global(structured_data.json_ld)
    app.add_template_global(markup.render, "markdown")
    app.add_template_filter(markup.pair_quotes, "quotes")
    app.add_template_filter(level_label, "level")
    app.add_template_global(current_user_for_templates, "current_user")


def _sessions_and_csrf(app: Flask) -> None:
    """Session cookies: HttpOnly, SameSite=Lax, Secure when the site is served over
    HTTPS; a CSRF token on every state-changing request (Flask-WTF). A token lives as
    long as the session (whose idle and absolute limits end it), so a curator who
    writes for an hour does not lose the text to an expired token."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = app.config["BASE_URL"].startswith("https://")
    app.config["SESSION_COOKIE_NAME"] = "archive_session"
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("WTF_CSRF_SSL_STRICT", False)  # SameSite + token; proxies vary
    app.config["MAX_CONTENT_LENGTH"] = (
        max(app.config["VIDEO_MAX_MB"], app.config["NARRATION_MAX_MB"]) + 5
    ) * 1_000_000
    CSRFProtect(app)


def _compressible_static(response):
    """Scripts and styles are compressed like pages when gunicorn serves them itself
    (without nginx in front, which gzips them): send_file answers in passthrough
    mode, a stream Flask-Compress leaves alone; these files are small, so they are
    read whole."""
    if (
        request.endpoint == "static"
        and response.status_code == 200
        and response.mimetype in ("text/javascript", "application/javascript", "text/css")
    ):
        response.direct_passthrough = False
        response.set_data(response.get_data())
    return response


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        if name == "X-Frame-Options" and getattr(response, "frameable", False):
            continue  # the embeddable card: its own CSP frame-ancestors decides
        if name == "Content-Security-Policy":
            value = _policy()
        response.headers.setdefault(name, value)
    if current_app.config["BASE_URL"].startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _template_context() -> dict:
    if "demo" not in g:
        try:
            g.demo = is_loaded(get_db())
        except Exception:  # an uninitialised database must still render error pages
            g.demo = False
    return {
        "site_name": localised.site_name(),
        "organisation": localised.organisation(),
        "contact": current_app.config["CONTACT"],
        "icp_number": current_app.config["ICP_NUMBER"],
        "police_filing": current_app.config["POLICE_FILING"],
        "demo": g.demo,
        "KINDS": vocabulary.KINDS,
        "LEVELS": vocabulary.LEVELS,
        "COLLECTIVE_TYPES": vocabulary.COLLECTIVE_TYPES,
        "GENDERS": vocabulary.GENDERS,
        "ETHNIC_GROUPS": vocabulary.ETHNIC_GROUPS,
        "INDUSTRIES": vocabulary.INDUSTRIES,
    }


@lru_cache(maxsize=64)
def _static_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    """A static file's URL with its content hash, so it can be cached for a year."""
    digest = _static_hash(str(Path(current_app.static_folder) / filename))
    return url_for("static", filename=filename, v=digest)


def absolute_url(path: str) -> str:
    """``path`` under the configured public base URL (never the request's Host); on
    an English page, a page's English address (so its canonical link names it)."""
    from .alternates import page_address

    return page_address(current_app.config["BASE_URL"].rstrip("/") + path)


def browse_url(filters, drop: str | None = None, set: dict | None = None) -> str:
    """The browse page with one facet dropped and/or values set; a change of
    filters goes back to page 1, the sort order is kept."""
    args: dict = filters.selected()
    if drop:
        args.pop(drop, None)
    if filters.sort != "pinyin":
        args["sort"] = filters.sort
    args.update(set or {})
    if args.get("sort") == "pinyin":
        del args["sort"]
    return url_for("public.browse_honorees", **args)


def current_user_for_templates():
    from .auth import current_user

    return current_user()


def level_label(level: str | None) -> str:
    return vocabulary.LEVELS.get(level or "", level or "")


def _policy() -> str:
    """The site's CSP; with a WeChat JS-SDK configured, its script's origin too."""
    script = current_app.config.get("WECHAT_JSSDK_URL") or ""
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    if script:
        from urllib.parse import urlsplit

        parts = urlsplit(script)
        policy = policy.replace(
            "script-src 'self'", f"script-src 'self' {parts.scheme}://{parts.netloc}"
        )
    return policy
