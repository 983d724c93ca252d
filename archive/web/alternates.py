"""A public page's language versions: its Chinese address (the plain URL, also the
default for anyone else) and its English one (the same address with ``lang=en``,
which ``language.choose`` obeys before any cookie or header).

Pages name them in ``<link rel="alternate" hreflang=…>`` (``public/_alternates.html``)
and the sitemap in ``<xhtml:link>``, both only while the English interface is offered.
A page's canonical link names the version it is in: on an English page,
``absolute_url`` gives pages' English addresses (files have no language)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import has_request_context, request

from . import language

HREFLANG = {"zh": "zh-CN", "en": "en"}
# the static edition's exporter fetches pages with this cookie: the edition is a
# Chinese snapshot, with no English address to name (archive/static_site/export.py)
EDITION_COOKIE = "edition_export"


def in_language(url: str, lang: str) -> str:
    """``url`` in ``lang``: Chinese is the plain address, another language adds
    ``lang=…``; a ``lang`` it carried is replaced, the rest of the query kept as
    written."""
    parts = urlsplit(url)
    query = [p for p in parts.query.split("&") if p and p.split("=", 1)[0] != "lang"]
    if lang != language.DEFAULT:
        query.append(f"lang={lang}")
    return urlunsplit(parts._replace(query="&".join(query)))


def is_file(path: str) -> bool:
    """Media, static files and generated images (``/honorees/1/card.png``): the same
    in every language."""
    path = urlsplit(path).path
    return path.startswith(("/media/", "/static/")) or "." in path.rsplit("/", 1)[-1]


def page_address(url: str) -> str:
    """A page's address in this request's language (files unchanged)."""
    if language.current() == language.DEFAULT or is_file(url):
        return url
    return in_language(url, language.current())


def alternates(url: str) -> list[tuple[str, str]]:
    """(hreflang, address) of every version of the page at ``url``, then
    ``x-default`` (the Chinese); none while only Chinese is offered, nor in the
    static edition."""
    if not language.offered() or (has_request_context() and request.cookies.get(EDITION_COOKIE)):
        return []
    versions = [(HREFLANG[lang], in_language(url, lang)) for lang in language.LANGUAGES]
    return [*versions, ("x-default", in_language(url, language.DEFAULT))]
