"""What a visitor's page shows in its language beyond the gettext catalogue: the
site's and the organisation's names (settings), dates in Beijing time, and the
honour on a honoree's card.

Chinese pages show everything as stored; English pages show English where it
exists and mark the Chinese they fall back on ``lang="zh-CN"``
(``language.zh``)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Flask, current_app, g, request, url_for
from markupsafe import Markup, escape

from archive import settings, timeutil
from archive.catalogue import honorees

from . import language

_HAN = re.compile(r"[\u3400-\u9fff]")
_CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日(?: (\d{2}:\d{2}))?")

SITE_NAME_EN = "Model Workers and Craftsmen Digital Archive"
MONTHS = (
    "January February March April May June July August September October November December"
).split()


def english() -> bool:
    return language.current() == "en"


def site_name() -> str:
    """The site's name as this page writes it (plain text: titles and meta tags
    carry it): SITE_NAME_EN on English pages, else the default English name when
    the site keeps the default Chinese one, else the Chinese."""
    config = current_app.config
    if not english():
        return config["SITE_NAME"]
    if config.get("SITE_NAME_EN"):
        return config["SITE_NAME_EN"]
    if config["SITE_NAME"] == settings.defaults()["SITE_NAME"]:
        return SITE_NAME_EN
    return config["SITE_NAME"]


def site_name_lang() -> str:
    """``zh-CN`` where an English page shows the site's Chinese name, else ''."""
    return "zh-CN" if english() and _HAN.search(site_name()) else ""


def organisation() -> Markup:
    """The organisation that runs the archive: ORGANISATION_EN on English pages,
    else the Chinese (marked as such on an English page)."""
    config = current_app.config
    if english() and config.get("ORGANISATION_EN"):
        return escape(config["ORGANISATION_EN"])
    return language.zh(config["ORGANISATION"])


def beijing(stamp: str | None, with_time: bool = True) -> str:
    """A stored UTC timestamp in Beijing time, as this page writes dates:
    2026年12月4日 14:05 on Chinese pages, 4 December 2026, 14:05 on English ones
    (the English is the Chinese date's, so the two never disagree)."""
    text = timeutil.beijing(stamp, with_time)
    found = _CHINESE_DATE.fullmatch(text) if english() else None
    if found is None:
        return text
    year, month, day, clock = found.groups()
    date = f"{int(day)} {MONTHS[int(month) - 1]} {year}"
    return f"{date}, {clock}" if clock else date


def card_honour(h: dict) -> Markup:
    """A card's honour: the latest (``honorees.top_honour``) — on English pages its
    year and the title's English, where the card carries its honours."""
    if not english():
        return escape(h.get("top_honour") or "")
    best = honorees.latest_honour(h.get("honours") or [])
    if best is None:
        return language.zh(h.get("top_honour"))
    return Markup("%s %s") % (best["year"], language.term("title", best["title"]))


def language_switch() -> dict | None:
    """The header's link to the other language (its label in that language, the
    switch's address returning to this page without a ``lang`` in it), or None
    where English is not offered or the page is not the visitors'."""
    if not language.offered() or request.blueprint not in language.PUBLIC_BLUEPRINTS | {None}:
        return None
    other = "zh" if english() else "en"
    if g.get("error_page"):  # an error page is the same for every address (a hidden
        href = url_for("language.switch", code=other)  # record's and a missing one's)
    else:
        query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "lang"])
        back = request.path + (f"?{query}" if query else "")
        href = url_for("language.switch", code=other, next=back)
    return {
        "href": href,
        "label": "中文" if other == "zh" else "English",
        "lang": language.HTML_LANG[other],
    }


def title_english(title: str | None) -> str:
    """An honour title's English as plain text (for <title> and meta tags, which
    cannot hold a marked span); '' on Chinese pages and where it has none."""
    if not english():
        return ""
    return language.english_term("title", title) or ""


def init_app(app: Flask) -> None:
    app.add_template_filter(beijing, "beijing")
    app.add_template_global(card_honour)
    app.add_template_global(site_name_lang)
    app.add_template_global(language_switch)
    app.add_template_global(title_english)
