"""The read-only JSON API (/api/v1), described by /api/v1/openapi.json."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app, jsonify, request

from .. import browse, exhibitions, honorees, search
from ..db import get_db
from ..exporter import neutralise
from . import openapi
from .errors import bad_request, query_too_long
from .params import is_plain_int

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 100


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
        "region": {
            "province": record["province"],
            "city": record["city"],
            "county": record["county"],
            "code": record["region_code"],
        },
        "nominator": record.get("nominator"),
        "industry": record["industry"],
        "summary": record["summary"],
        "name_en": honorees.english_name(record),
        "summary_en": record.get("summary_en"),
        "honours": [
            {
                "title": o["title"],
                "level": o["level"],
                "year": o["year"],
                "body": o["body"],
                "document_no": o["document_no"],
                "citation": o["citation"],
            }
            for o in record["honours"]
        ],
        "url": f"{_base()}/honorees/{record['id']}",
        "short_url": f"{_base()}/q/{record['code']}",
        "portrait": _image_url(record.get("portrait")),
        "updated_at": record["updated_at"],
    }
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
    return data


def _filters_and_size() -> tuple[browse.Filters, int]:
    try:
        filters = browse.parse(request.args)
    except browse.FilterError as exc:
        raise bad_request(str(exc)) from None
    raw = request.args.get("per_page", "20")
    if not is_plain_int(raw) or not 1 <= int(raw) <= MAX_PER_PAGE:
        raise bad_request(f"per_page 应为 1 到 {MAX_PER_PAGE} 的整数")
    return filters, int(raw)


@bp.get("/honorees")
def honoree_list():
    filters, per_page = _filters_and_size()
    page = browse.search(get_db(), filters, per_page, with_facets=request.args.get("facets") == "1")
    body = {
        "items": [honoree_json(item) for item in page.items],
        "total": page.total,
        "page": filters.page,
        "per_page": per_page,
        "pages": page.pages,
    }
    if page.facets:
        body["facets"] = {
            name: [{"value": v, "count": n} for v, n in values]
            for name, values in page.facets.items()
        }
    return jsonify(body)


@bp.get("/honorees/<int:honoree_id>")
def honoree_detail(honoree_id: int):
    record = honorees.profile(get_db(), honoree_id)
    if record is None:
        abort(404)
    return jsonify(honoree_json(record, full=True))


@bp.get("/search")
def search_honorees():
    """Full-text search with the browse facets; the same search as /search."""
    text = " ".join((request.args.get("q") or "").split())
    if len(text) > search.QUERY_REFUSED:
        raise query_too_long(search.QUERY_REFUSED)
    try:
        filters, sort = search.parse_args(request.args)
    except browse.FilterError as exc:
        raise bad_request(str(exc)) from None
    raw = request.args.get("per_page", "20")
    if not is_plain_int(raw) or not 1 <= int(raw) <= MAX_PER_PAGE:
        raise bad_request(f"per_page 应为 1 到 {MAX_PER_PAGE} 的整数")
    if not text and not filters.selected():
        raise bad_request("请提供检索词 q 或至少一个筛选条件")
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
        response = jsonify({"error": {"status": 503, "message": "检索索引正在建立，请稍后再试"}})
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
            "facets": {
                name: [{"value": v, "count": n} for v, n in values]
                for name, values in result.facets.items()
            },
            "suggestions": [
                {"id": s["id"], "name": s["name"], "unit": s["unit"], "honour": s["honour"]}
                for s in result.suggestions
            ],
            "unfiltered_total": result.unfiltered_total,
            "notices": result.notices,
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


@bp.get("/honorees.csv")
def honoree_csv():
    filters, _ = _filters_and_size()
    db = get_db()
    page = browse.search(db, filters, 1_000_000, with_facets=False)
    out = io.StringIO()
    out.write("\ufeff")  # so that Excel opens UTF-8 as UTF-8
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
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
        abort(404)
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
