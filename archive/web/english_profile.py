"""A profile on an English page: which of the record's texts it shows in English
(the curators' ``summary_en`` and ``story_en``, a person's name in GB/T 28039 form,
a collective's ``name_en``), which it shows in Chinese and says so, and what its
``<title>``, description and share card say — in English only, since those cannot
mark a Chinese part as Chinese."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from archive.catalogue import markup

from . import language


def top_honour(record: dict) -> str:
    """The latest honour in English (``National Model Worker, 2020``); '' when its
    title has no English name yet."""
    best = max(record.get("honours") or [], key=lambda o: o["year"], default=None)
    title = language.english_term("title", best["title"]) if best else None
    return _("%(year)s年%(title)s", year=best["year"], title=title) if title else ""


def born(record: dict) -> str:
    """``March 1968``, or ``1968`` without a month."""
    year, month = record.get("birth_year"), record.get("birth_month")
    if not year:
        return ""
    if month and 1 <= month <= 12:
        return format_date(date(year, month, 1), "MMMM y")
    return str(year)


def missing(record: dict, summary: str | None, story: str | None) -> str:
    """The notice for Chinese shown where English is missing, or ''."""
    chinese_only = (record.get("summary") and not summary) or (
        (record.get("story") or "").strip() and not story
    )
    if not chinese_only:
        return ""
    if summary or story:
        return _("这条记录的部分内容还没有英文文本，以中文显示。")
    return _("这条记录还没有英文文本，以中文显示。")


def texts(record: dict) -> dict:
    """What an English page shows of ``record``: ``name`` (English, or '' for a
    collective without one), ``summary`` and ``story`` (English when the curators
    wrote them, else None: the page shows the Chinese), ``missing`` (the notice for
    Chinese shown in their place, or ''), ``honour`` (the latest, if its title has
    English), ``born`` (``March 1968``) and ``title`` / ``description`` for the
    head of the page."""
    name = language.english_record_name(record)
    summary = (record.get("summary_en") or "").strip() or None
    story_text = (record.get("story_en") or "").strip()
    story = Markup(markup.render(story_text)) if story_text else None
    notice = missing(record, summary, story)
    honour = top_honour(record)
    heading = name or (_("个人") if record["kind"] == "individual" else _("集体"))
    title = f"{heading} · {honour}" if honour else heading
    description = (
        _("%(name)s：%(summary)s", name=title, summary=summary or notice)
        if summary or notice
        else title
    )
    return {
        "name": name,
        "summary": summary,
        "story": story,
        "missing": notice,
        "honour": honour,
        "title": title,
        "description": description,
        "born": born(record),
    }
