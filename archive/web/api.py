"""The read-only JSON API (/api/v1), described by /api/v1/openapi.json.

Its language is the ``lang`` parameter alone (``zh``, the default, or ``en``; no
cookie or header): with ``en`` every vocabulary value gains its English in a sibling
``…_en`` field (null where the vocabulary has none) and messages are in English.
Values themselves never change, so they can always be passed back as filters."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound, RequestURITooLarge

from archive import search
from archive.catalogue import browse, english, exhibitions, honorees, vocabulary
from archive.exchange.exporter import neutralise

from ..db import get_db
from ..i18n import N_
from . import language, openapi
from .errors import bad_request
from .listings import listing_facets
from .params import is_plain_int

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 100
LANGUAGES = language.LANGUAGES

PER_PAGE_ERROR = N_("per_page 应为 1 到 %(max)s 的整数")
NOT_FOUND = N_("没有找到这条记录")
NOT_FOUND_EXHIBITION = N_("没有找到这个展厅")
QUERY_NEEDED = N_("请提供检索词 q 或至少一个筛选条件")
INDEX_BUILDING = N_("检索索引正在建立，请稍后再试")
QUERY_TOO_LONG = N_("检索词太长了：最多 %(limit)s 个字，请缩短后再试")


@bp.before_request
def _language():
    """The response's language: ``lang`` (``zh`` unless asked), whatever the
    visitor's cookie or header say and whether or not the pages offer English."""
    asked = request.args.get("lang", language.DEFAULT)
    if asked not in LANGUAGES:
        g.lang = language.DEFAULT
        response = jsonify(
            {
                "error": {
                    "status": 400,
                    "message": "lang 只能是 zh 或 en（lang must be zh or en）",
                    "accepted": list(LANGUAGES),
                }
            }
        )
        response.status_code = 400
        return response
    g.lang = asked
    return None


@bp.after_request
def _content_language(response):
    response.headers["Content-Language"] = language.HTML_LANG[language.current()]
    return response


def _english() -> bool:
    return language.current() == "en"


def _refuse(status_error, message: str):
    """An error with ``message`` (translated, already formatted) for the client."""
    exc = status_error(message)
    exc.archive_message = True
    return exc


def _not_found(message: str = NOT_FOUND):
    return _refuse(NotFound, _(message))


def _title_english() -> dict[str, str]:
    if "api_title_english" not in g:
        g.api_title_english = vocabulary.title_english(get_db())
    return g.api_title_english


def term_en(kind: str, value) -> str | None:
    """The English of a vocabulary value (None where it has none)."""
    if value in (None, ""):
        return None
    if kind == "title":
        return _title_english().get(value)
    return english.term(kind, str(value))


def _with_english(data: dict, fields: dict[str, str]) -> dict:
    """``data`` with ``<field>_en`` beside each vocabulary field (``fields``: field →
    vocabulary kind), on English responses only."""
    if _english():
        for field, kind in fields.items():
            data[f"{field}_en"] = term_en(kind, data.get(field))
    return data


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _image_url(photo: dict | None) -> dict | None:
    if not photo or not photo["files"]["jpeg"]:
        return None
    largest = photo["files"]["jpeg"][-1]
    return {
        "url": f"{_base()}/media/{largest['name']}",
        "width": largest["width"],
        "height": largest["height"],
        "alt": photo["alt"],
        "placeholder": bool(photo["placeholder"]),
    }


# vocabulary fields (→ their kind of word) that gain ``…_en`` on English responses
SUMMARY_TERMS = {"kind": "kind", "collective_type": "collective_type", "industry": "industry"}
DETAIL_TERMS = {"gender": "gender", "ethnicity": "ethnic_group"}
FACET_TERMS = {
    "kind": "kind",
    "level": "level",
    "title": "title",
    "region": "region",
    "industry": "industry",
}


def honoree_json(record: dict, full: bool = False) -> dict:
    """The public shape of an honoree; ``full`` adds the story and relations."""
    data = {
        "id": record["id"],
        "code": record["code"],
        "kind": record["kind"],
        "collective_type": record["collective_type"],
        "name": record["name"],
        "name_pinyin": record["name_pinyin"],
        "unit": record["unit"],
        "position": record["position"],
        "region": _with_english(
            {
                "province": record["province"],
                "city": record["city"],
                "county": record["county"],
                "code": record["region_code"],
            },
            {"province": "region", "city": "region", "county": "region"},
        ),
        "nominator": record.get("nominator"),
        "industry": record["industry"],
        "summary": record["summary"],
        "name_en": honorees.english_name(record),
        "summary_en": record.get("summary_en"),
        "honours": [
            _with_english(
                {
                    "title": o["title"],
                    "level": o["level"],
                    "year": o["year"],
                    "body": o["body"],
                    "document_no": o["document_no"],
                    "citation": o["citation"],
                },
                {"title": "title", "level": "level"},
            )
            for o in record["honours"]
        ],
        "url": f"{_base()}/honorees/{record['id']}",
        "short_url": f"{_base()}/q/{record['code']}",
        "portrait": _image_url(record.get("portrait")),
        "updated_at": record["updated_at"],
    }
    _with_english(data, SUMMARY_TERMS)
    if full:
        data.update(
            gender=record["gender"],
            ethnicity=record["ethnicity"],
            birth=(
                f"{record['birth_year']:04d}-{record['birth_month']:02d}"
                if record["birth_year"] and record["birth_month"]
                else (str(record["birth_year"]) if record["birth_year"] else None)
            ),
            story=record["story"],
            story_en=record.get("story_en"),
            quote=record["quote"],
            members=[m["id"] for m in record["members"]],
            member_of=[m["id"] for m in record["member_of"]],
            exhibitions=[e["id"] for e in record["exhibitions"]],
        )
        _with_english(data, DETAIL_TERMS)
    return data


def _facets(facets: dict) -> dict:
    """Facet counts; on English responses each value with its English."""
    return {
        name: [
            {
                "value": v,
                "count": n,
                **({"value_en": term_en(FACET_TERMS.get(name, ""), v)} if _english() else {}),
            }
            for v, n in values
        ]
        for name, values in facets.items()
    }


def _filters_and_size() -> tuple[browse.Filters, int]:
    try:
        filters = browse.parse(request.args)
    except browse.FilterError as exc:
        raise bad_request(_(str(exc))) from None
    raw = request.args.get("per_page", "20")
    if not is_plain_int(raw) or not 1 <= int(raw) <= MAX_PER_PAGE:
        raise bad_request(_(PER_PAGE_ERROR, max=MAX_PER_PAGE))
    return filters, int(raw)


@bp.get("/honorees")
def honoree_list():
    filters, per_page = _filters_and_size()
    db = get_db()
    page = browse.search(db, filters, per_page, with_facets=False)
    if request.args.get("facets") == "1":
        page.facets = listing_facets(db, filters)
    body = {
        "items": [honoree_json(item) for item in page.items],
        "total": page.total,
        "page": filters.page,
        "per_page": per_page,
        "pages": page.pages,
    }
    if page.facets:
        body["facets"] = _facets(page.facets)
    return jsonify(body)


@bp.get("/honorees/<int:honoree_id>")
def honoree_detail(honoree_id: int):
    db = get_db()
    record = honorees.profile(db, honoree_id)
    if record is None:
        raise _not_found()
    return jsonify({**honoree_json(record, full=True), "narration": _narration(db, honoree_id)})


def _narration(db, honoree_id: int) -> dict | None:
    """The story read aloud that visitors hear on the profile (null where none is
    public): the audio's address, length, transcript, credit and whether the voice
    is synthesised."""
    from archive.curation import narration

    found = narration.public(db, honoree_id)
    if found is None:
        return None
    return {
        "url": f"{_base()}/media/narration/{found['id']}.m4a",
        "duration_s": found["duration_s"],
        "transcript": found["transcript"],
        "credit": found["credit"],
        "synthesised": found["source"] != "recording",
    }


@bp.get("/search")
def search_honorees():
    """Full-text search with the browse facets; the same search as /search."""
    text = " ".join((request.args.get("q") or "").split())
    if len(text) > search.QUERY_REFUSED:
        raise _refuse(RequestURITooLarge, _(QUERY_TOO_LONG, limit=search.QUERY_REFUSED))
    try:
        filters, sort = search.parse_args(request.args)
    except browse.FilterError as exc:
        raise bad_request(_(str(exc))) from None
    raw = request.args.get("per_page", "20")
    if not is_plain_int(raw) or not 1 <= int(raw) <= MAX_PER_PAGE:
        raise bad_request(_(PER_PAGE_ERROR, max=MAX_PER_PAGE))
    if not text and not filters.selected():
        raise bad_request(_(QUERY_NEEDED))
    try:
        result = search.query(
            get_db(),
            current_app.config["INDEX_DIR"],
            text,
            filters,
            sort,
            page_size=int(raw),
            whole_rows=True,
            time_limit=current_app.config["SEARCH_TIME_LIMIT"],
        )
    except search.SearchUnavailable:
        response = jsonify({"error": {"status": 503, "message": _(INDEX_BUILDING)}})
        response.status_code = 503
        response.headers["Retry-After"] = "10"
        return response
    return jsonify(
        {
            "query": text,
            "sort": result.sort,
            # while a damaged index is rebuilt: 'previous' (the generation before it
            # answered) or 'database' (names only); null normally
            "degraded": result.degraded,
            "items": [
                {
                    **honoree_json(item),
                    "snippet": str(item["snippet"]) if item.get("snippet") else None,
                }
                for item in result.items
            ],
            "total": result.total,
            "page": filters.page,
            "per_page": int(raw),
            "pages": result.pages,
            "facets": _facets(result.facets),
            "suggestions": [
                _with_english(
                    {"id": s["id"], "name": s["name"], "unit": s["unit"], "honour": s["honour"]},
                    {"honour": "title"},
                )
                for s in result.suggestions
            ],
            "unfiltered_total": result.unfiltered_total,
            "notices": [_(notice) for notice in result.notices],
        }
    )


CSV_COLUMNS = [
    "id",
    "code",
    "kind",
    "name",
    "name_pinyin",
    "unit",
    "position",
    "province",
    "city",
    "county",
    "region_code",
    "industry",
    "honours",
    "summary",
    "url",
]


# added after CSV_COLUMNS with lang=en: the English of the name and the vocabulary
# (empty where there is none; an honour without an English title keeps its Chinese)
CSV_ENGLISH_COLUMNS = [
    "name_en",
    "kind_en",
    "province_en",
    "city_en",
    "county_en",
    "industry_en",
    "honours_en",
]


def _csv_english(data: dict) -> list:
    region = data["region"]
    honours = "; ".join(f"{o['year']} {o['title_en'] or o['title']}" for o in data["honours"])
    return [
        data["name_en"],
        data["kind_en"],
        region["province_en"],
        region["city_en"],
        region["county_en"],
        data["industry_en"],
        honours,
    ]


@bp.get("/honorees.csv")
def honoree_csv():
    filters, _size = _filters_and_size()
    db = get_db()
    page = browse.search(db, filters, 1_000_000, with_facets=False)
    out = io.StringIO()
    out.write("\ufeff")  # so that Excel opens UTF-8 as UTF-8
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS + (CSV_ENGLISH_COLUMNS if _english() else []))
    for item in page.items:
        data = honoree_json(item)
        writer.writerow(
            [
                neutralise("" if v is None else str(v))
                for v in [
                    data["id"],
                    data["code"],
                    data["kind"],
                    data["name"],
                    data["name_pinyin"],
                    data["unit"],
                    data["position"],
                    item["province"],
                    item["city"],
                    item["county"],
                    item["region_code"],
                    data["industry"],
                    "；".join(f"{o['year']}年{o['title']}" for o in data["honours"]),
                    data["summary"],
                    data["url"],
                    *(_csv_english(data) if _english() else []),
                ]
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=honorees.csv"},
    )


def exhibition_json(hall: dict) -> dict:
    return {
        "id": hall["id"],
        "title": hall["title"],
        "intro": hall["intro"],
        "url": f"{_base()}/exhibitions/{hall['id']}",
    }


@bp.get("/exhibitions")
def exhibition_list():
    halls = exhibitions.list_public(get_db())
    return jsonify(
        {"items": [{**exhibition_json(h), "honoree_count": h["honoree_count"]} for h in halls]}
    )


@bp.get("/exhibitions/<int:exhibition_id>")
def exhibition_detail(exhibition_id: int):
    db = get_db()
    hall = exhibitions.get_public(db, exhibition_id)
    if hall is None:
        raise _not_found(NOT_FOUND_EXHIBITION)
    sections = exhibitions.sections(db, exhibition_id)
    return jsonify(
        {
            **exhibition_json(hall),
            "sections": [
                {
                    "title": s["title"],
                    "intro": s["intro"],
                    "honorees": [honoree_json(i) for i in s["items"]],
                }
                for s in sections
            ],
        }
    )


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document(_base()))
