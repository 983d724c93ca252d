"""The visitors' pages: home, browse, profiles, exhibitions, short links, images."""

from __future__ import annotations

import logging
import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _

from archive import search
from archive.catalogue import (
    browse,
    codes,
    exhibitions,
    honorees,
    honours_pages,
    markup,
    media,
    scans,
)
from archive.curation import narration
from archive.printing import fonts, qr, share, shareables
from archive.printing import runs as printing

from ..db import get_db
from ..search import queries
from . import edge, english_profile, language, localised, style
from .errors import bad_request, query_too_long
from .listings import listing_facets
from .params import int_arg, is_plain_int

bp = Blueprint("public", __name__)
log = logging.getLogger("archive.web")

MEDIA_NAME = re.compile(r"^[0-9a-f]{16}-\d{1,4}\.(webp|jpeg)$")
RUN_TAG = re.compile(r"^[A-Za-z0-9]{1,8}$")
YEAR = 365 * 24 * 3600
QR_MAX_AGE = 30 * 24 * 3600  # long, yet a changed BASE_URL reaches caches within a month


def _filters() -> browse.Filters:
    try:
        return browse.parse(request.args)
    except browse.FilterError as exc:
        raise bad_request(_(str(exc))) from None


@bp.get("/")
def home():
    db = get_db()
    halls = exhibitions.list_public(db)
    current = halls[0] if halls else None  # the first in the curators' order
    return render_template(
        "public/home.html",
        totals=honorees.totals(db),
        halls=halls[1:],
        current=current,
        cover=_cover_photo(db, current) if current else None,
        featured=honorees.featured(db),
    )


@bp.get("/honorees")
def browse_honorees():
    filters = _filters()
    db = get_db()
    page = browse.search(db, filters, current_app.config["PAGE_SIZE"], with_facets=False)
    page.facets = listing_facets(db, filters)
    return render_template("public/browse.html", page=page, filters=filters)


@bp.get("/honorees/<int:honoree_id>")
def profile(honoree_id: int):
    db = get_db()
    record = honorees.profile(db, honoree_id)
    if record is None:
        merged = honorees.merged_target(db, honoree_id)
        if merged and honorees.get_public(db, merged):  # merged duplicates keep their links
            return redirect(url_for("public.profile", honoree_id=merged), code=301)
        abort(404)
    place = None
    ex = int_arg(request.args.get("ex"), "ex")
    if ex is not None:
        place = exhibitions.place(db, ex, honoree_id)
    return render_template(
        "public/profile.html",
        h=record,
        place=place,
        story=markup.render(record["story"]),
        english=english_profile.texts(record) if language.current() == "en" else None,
        short_url=_short_url(record["code"]),
        narration=narration.public(db, honoree_id),
        listening=request.args.get("listen") == "1",
        wechat_jssdk=current_app.config["WECHAT_JSSDK_URL"],
    )


@bp.get("/about")
def about():
    """关于本馆: who runs the archive, what it holds, how to reach them."""
    text = current_app.config["ABOUT"]  # the operator's own words, in Chinese
    return render_template(
        "public/about.html", paragraphs=[p.strip() for p in text.split("\n") if p.strip()]
    )


@bp.get("/honours/<title>")
def honour(title: str):
    """An honour explained: what it is, who confers it, how often; its holders by year."""
    page = honours_pages.title_page(get_db(), title)
    if page is None:
        abort(404)
    return render_template("public/honour.html", t=page)


@bp.get("/years/<int:year>")
def year(year: int):
    """A year's honorees, by title."""
    page = honours_pages.year_page(get_db(), year) if 1900 <= year <= 2200 else None
    if page is None:
        abort(404)
    return render_template("public/year.html", y=page)


@bp.get("/exhibitions")
def exhibition_list():
    return render_template("public/exhibitions.html", halls=exhibitions.list_public(get_db()))


@bp.get("/exhibitions/<int:exhibition_id>")
def exhibition(exhibition_id: int):
    db = get_db()
    hall = exhibitions.get_public(db, exhibition_id)
    if hall is None:
        abort(404)
    from ..halls import store as halls

    panorama = halls.public_hall(db, exhibition_id)
    return render_template(
        "public/exhibition.html",
        hall=hall,
        sections=exhibitions.chapters(db, exhibition_id, CHAPTER_FIRST),
        has_hall=bool(panorama and panorama["scenes"]),
        cover=_cover_photo(db, hall),
    )


def _search_args() -> tuple[browse.Filters, str]:
    try:
        return search.parse_args(request.args)
    except browse.FilterError as exc:
        raise bad_request(_(str(exc))) from None


@bp.get("/search")
def search_page():
    text = " ".join((request.args.get("q") or "").split())
    if len(text) > search.QUERY_REFUSED:
        raise query_too_long(search.QUERY_REFUSED)
    filters, sort = _search_args()
    result, missing = None, False
    if text or filters.selected():
        try:
            result = search.query(
                get_db(),
                current_app.config["INDEX_DIR"],
                text,
                filters,
                sort,
                page_size=current_app.config["PAGE_SIZE"],
                time_limit=current_app.config["SEARCH_TIME_LIMIT"],
            )
        except search.SearchUnavailable:
            missing = True
    if result and language.current() == "en":  # results named in English
        naming = honorees.naming(get_db(), [item["id"] for item in result.items])
        for item in result.items:
            item.update(naming.get(item["id"], {}))
    return render_template(
        "public/search.html", q=text, result=result, filters=filters, sort=sort, missing=missing
    )


@bp.get("/search/suggest")
def search_suggest():
    """Names as the visitor types, with unit and top honour (JSON)."""
    text = request.args.get("q") or ""
    try:
        found = search.suggest(
            current_app.config["INDEX_DIR"],
            text,
            time_limit=current_app.config["SEARCH_TIME_LIMIT"],
        )
    except search.SearchUnavailable:
        found = []
    response = jsonify(
        {
            "query": text[:100],
            "items": [
                {**item, "url": url_for("public.profile", honoree_id=item["id"])} for item in found
            ],
        }
    )
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.app_template_global()
def search_notice(text: str) -> str:
    """A notice a search answered with (written in Chinese where it arose, in
    archive.search) in the page's language."""
    if text == queries.TRUNCATED % queries.TRUNCATED_LIMITS:
        return _(queries.TRUNCATED, **queries.TRUNCATED_LIMITS)
    return _(text)


@bp.app_template_global()
def search_url(
    q: str,
    filters: browse.Filters,
    sort: str = "relevance",
    drop: str | tuple = (),
    set: dict | None = None,
) -> str:
    """The search page for ``q`` with facets dropped and/or values set; a change
    of facets goes back to page 1."""
    args: dict = {"q": q, **filters.selected()}
    for name in (drop,) if isinstance(drop, str) else drop:
        args.pop(name, None)
    if sort != "relevance":
        args["sort"] = sort
    args.update(set or {})
    if args.get("sort") == "relevance":
        del args["sort"]
    if not args.get("q"):
        args.pop("q", None)
    return url_for("public.search_page", **args)


# --- short links and images ------------------------------------------------------


def _short_url(code: str, tag: str | None = None) -> str:
    """Always from the BASE_URL setting, never from the request's Host header."""
    return printing.short_url(current_app.config["BASE_URL"], code, tag)


def _public_by_code(code: str) -> dict:
    db = get_db()
    honoree_id = codes.resolve(db, code)
    record = honorees.get_public(db, honoree_id) if honoree_id else None
    if record is None:
        abort(404)
    return record


def _run_tag() -> tuple[str, int | None]:
    """The print run named by ``?r=``: (tag, its exhibition), or ("", None) for none
    or an unknown tag (still a valid scan, counted without a run)."""
    tag = request.args.get("r", "")
    if not RUN_TAG.match(tag):
        return "", None
    run = printing.run_by_tag(get_db(), tag)
    return (run["tag"], run["exhibition_id"]) if run else ("", None)


@bp.get("/q/<code>")
def short_link(code: str):
    """The address inside every QR code: count the scan, then 302 to the profile,
    carrying the print run's exhibition along. The Location is always a path built
    by url_for on this site, so no input can point it elsewhere. A hall's code
    opens the hall at its entrance."""
    hall_record = _hall_by_code(code)
    if hall_record is not None:
        tag, _ = _run_tag()
        response = redirect(
            url_for("public.hall", exhibition_id=hall_record["exhibition_id"]), code=302
        )
        response.headers["Cache-Control"] = "no-store"
        scans.count_target(
            scans.spool_dir(current_app.instance_path), "hall", hall_record["id"], tag
        )  # one appended line: no lock
        return response
    album = _album_by_code(code)
    if album is not None:
        return _album_redirect(album)
    record = _public_by_code(code)
    tag, exhibition_id = _run_tag()
    ex = request.args.get("ex", "")
    if exhibition_id is None and is_plain_int(ex, 9):  # a scan is never refused
        exhibition_id = int(ex)
    listen = {"listen": 1} if tag and _run_mode(tag) == "listen" else {}
    target = url_for(
        "public.profile",
        honoree_id=record["id"],
        **({"ex": exhibition_id} if exhibition_id else {}),
        **listen,
    )
    scans.count(scans.spool_dir(current_app.instance_path), record["id"], tag)  # no lock
    response = redirect(target, code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


def _qr_cache_dir() -> str:
    return str(qr.cache_dir(current_app.config["MEDIA_DIR"]))


def _qr_target(code: str) -> dict:
    """A public honoree or hall by its short code (what a QR image may show)."""
    hall_record = _hall_by_code(code)
    if hall_record is not None:
        return hall_record
    album = _album_by_code(code)
    if album is not None:
        from archive.catalogue import albums

        return {"code": albums.code_for(get_db(), *album)}
    return _public_by_code(code)


@bp.get("/qr/<code>.png")
def qr_png(code: str):
    record = _qr_target(code)
    size = request.args.get("size", "320")
    if not is_plain_int(size) or int(size) not in qr.SIZES:
        raise bad_request("二维码尺寸只能是 " + "、".join(map(str, qr.SIZES)))
    tag, _ = _run_tag()
    data, etag = qr.cached(
        _qr_cache_dir(),
        _short_url(record["code"], tag),
        "png",
        int(size),
        current_app.config["QR_EMBLEM"] or None,
    )
    return _cached(data, etag, "image/png")


@bp.get("/qr/<code>.svg")
def qr_svg(code: str):
    record = _qr_target(code)
    tag, _ = _run_tag()
    data, etag = qr.cached(_qr_cache_dir(), _short_url(record["code"], tag), "svg")
    return _cached(data, etag, "image/svg+xml")


def _cached(data: bytes, etag: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={QR_MAX_AGE}"
    return response.make_conditional(request)


@bp.get("/honorees/<int:honoree_id>/share.png")
def share_image(honoree_id: int):
    """A portrait-format picture of the profile for visitors to save or send."""
    db = get_db()
    record = honorees.get_public(db, honoree_id)
    if record is None:
        abort(404)
    try:
        data, etag = share.cached(db, current_app.config, record)
    except fonts.FontError as exc:
        log.error("share image of %s: %s", honoree_id, exc)
        abort(503)
    return _cached(data, etag, "image/png")


@bp.get("/media/<name>")
def media_file(name: str):
    if not MEDIA_NAME.match(name) or media.public_file(get_db(), name) is None:
        abort(404)
    if current_app.config["ACCEL_REDIRECT_PREFIX"]:
        response = edge.accel_redirect("derived", name, Response())
    else:
        response = send_from_directory(
            media.derived_dir(current_app.config["MEDIA_DIR"]), name, max_age=YEAR
        )
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


@bp.get("/media/video/<int:video_id>.mp4")
def video_file(video_id: int):
    """A published honoree's video, with HTTP range requests (phones need them)."""
    video = media.public_video(get_db(), video_id)
    if video is None:
        abort(404)
    if current_app.config["ACCEL_REDIRECT_PREFIX"]:
        response = edge.accel_redirect("videos", video["file"], Response())
        response.headers["Cache-Control"] = f"public, max-age={YEAR}"
        return response
    return send_from_directory(
        media.videos_dir(current_app.config["MEDIA_DIR"]),
        video["file"],
        mimetype="video/mp4",
        conditional=True,
        max_age=YEAR,
    )


# --- for machines ----------------------------------------------------------------


@bp.get("/sitemap.xml")
def sitemap():
    """Every public page, in one file up to SITEMAP_PER_FILE addresses; beyond,
    an index of ``/sitemap-N.xml`` files of that many each (the protocol allows
    50,000 addresses a file, and every page is listed once per language)."""
    listed = _sitemap_entries()
    per_file = current_app.config["SITEMAP_PER_FILE"]
    if len(listed) <= per_file:
        return _urlset(listed)
    base = current_app.config["BASE_URL"].rstrip("/")
    files = [f"{base}/sitemap-{n}.xml" for n in range(1, -(-len(listed) // per_file) + 1)]
    return Response(
        render_template("public/sitemap_index.xml", files=files), mimetype="application/xml"
    )


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int):
    listed = _sitemap_entries()
    per_file = current_app.config["SITEMAP_PER_FILE"]
    if len(listed) <= per_file or not 1 <= number <= -(-len(listed) // per_file):
        abort(404)
    return _urlset(listed[(number - 1) * per_file : number * per_file])


def _urlset(listed: list[tuple]) -> Response:
    from .language import offered

    body = render_template("public/sitemap.xml", pages=listed, languages=offered())
    return Response(body, mimetype="application/xml")


def _sitemap_entries() -> list[tuple]:
    db = get_db()
    base = current_app.config["BASE_URL"].rstrip("/")
    pages = [(f"{base}/", None), (f"{base}/honorees", None), (f"{base}/exhibitions", None)]
    pages += [(f"{base}/exhibitions/{e['id']}", None) for e in exhibitions.list_public(db)]
    pages += [(f"{base}/honorees/{i}", stamp[:10]) for i, stamp in honorees.public_ids(db)]
    titles, years = honours_pages.public_titles_and_years(db)
    pages += [(f"{base}{url_for('public.honour', title=t)}", None) for t in titles]
    pages += [(f"{base}/years/{y}", None) for y in years]
    return _language_versions(pages)


def _language_versions(pages: list[tuple[str, str | None]]) -> list[tuple]:
    """(address, lastmod, its versions' hreflang links) of each page; while English
    is offered, each version is listed, every one naming all of them."""
    from . import alternates, language

    listed = []
    for loc, lastmod in pages:
        versions = alternates.alternates(loc)
        if not versions:
            listed.append((loc, lastmod, []))
            continue
        listed += [
            (alternates.in_language(loc, lang), lastmod, versions) for lang in language.LANGUAGES
        ]
    return listed


@bp.get("/robots.txt")
def robots():
    base = current_app.config["BASE_URL"].rstrip("/")
    body = (
        f"User-agent: *\nDisallow: /curate/\nDisallow: /print/\nDisallow: /q/\n"
        f"Sitemap: {base}/sitemap.xml\n"
    )
    return Response(body, mimetype="text/plain")


@bp.get("/healthz/live")
def liveness():
    """Answers without touching the database: the process is up."""
    return {"status": "ok"}


@bp.get("/healthz")
def healthz():
    """200 while pages can be served (the worker may be down meanwhile: its state,
    heartbeat age and the age of the oldest queued job say how far behind it is)."""
    from .. import jobs, worker

    db = get_db()
    db.execute("SELECT 1 FROM honorees LIMIT 1").fetchall()
    index = search.health(current_app.config["INDEX_DIR"])  # ok, missing or damaged
    beat = worker.heartbeat(current_app)
    return {
        "status": "ok",
        "database": "ok",
        "search_index": index,
        "worker": beat["state"],
        "worker_heartbeat_age": beat["age"],
        "queue_age": jobs.queue_age(db),
    }


# --- the online panoramic hall (网上全景展馆) -----------------------------------------

TILE_NAME = re.compile(r"^(\d{1,2}/[fbudlr]\d{1,3}_\d{1,3}\.jpg|panorama\.jpg)$")
TILES_TOKEN = re.compile(r"^([0-9a-f]{12}-r\d{1,4}|up-[0-9a-f]{16})$")  # generated | uploaded


def _public_hall_config(exhibition_id: int) -> tuple[dict, dict, dict]:
    """(exhibition, hall, viewer configuration of every scene) of a public hall, or 404."""
    from ..halls import store as halls

    db = get_db()
    exhibition = exhibitions.get_public(db, exhibition_id)
    hall_record = halls.public_hall(db, exhibition_id) if exhibition else None
    if hall_record is None:
        abort(404)
    config = halls.viewer_config(
        hall_record,
        lambda token: url_for(
            "public.hall_tiles", exhibition_id=exhibition_id, token=token, name="x"
        )[:-2],
        lambda honoree_id: url_for("public.profile", honoree_id=honoree_id, ex=exhibition_id),
    )
    english = _english_names(hall_record)
    # an audio spot's file by its address; portraits named in the page's language
    for scene in config["scenes"].values():
        for spot in scene["hotspots"]:
            if spot.get("audio"):
                spot["audio"] = url_for(
                    "public.hall_audio", exhibition_id=exhibition_id, name=spot["audio"]
                )
            if spot["kind"] == "portrait" and english.get(spot["id"]):
                spot["title"] = english[spot["id"]]
    return exhibition, hall_record, config


def _english_names(hall_record: dict) -> dict[int, str]:
    """On an English page, the portraits' honorees named in English (a person's
    GB/T 28039 form, a collective's curator-given name); nothing on a Chinese one."""
    if not localised.english():
        return {}
    return {
        spot["honoree_id"]: honorees.english_name(
            {
                "name": spot["honoree_name"],
                "name_en": spot["honoree_name_en"],
                "kind": spot["honoree_kind"],
            }
        )
        for scene in hall_record["scenes"]
        for spot in scene["hotspots"]
        if spot["kind"] == "portrait" and spot["honoree_id"]
    }


@bp.get("/exhibitions/<int:exhibition_id>/hall")
def hall(exhibition_id: int):
    """The panoramic hall: ``?scene=<key>&yaw=…&pitch=…`` opens a room looking a
    given way; without WebGL (and for screen readers and keyboards) the hall's
    honorees are a plain list in the same order. The page carries only the first
    room's settings; the others come from hall_scenes after the first frame."""
    from ..halls import store as halls

    exhibition, hall_record, config = _public_hall_config(exhibition_id)
    if not config["scenes"]:  # not drawn yet (a new exhibition, the worker not run)
        from .errors import render_error

        body, status = render_error(503, _("网上展馆正在布置中，请稍后再来。"))
        response = make_response(body, status)
        response.headers["Retry-After"] = "60"
        return response
    start = {
        "scene": request.args.get("scene", ""),
        "yaw": halls.yaw_ok(request.args.get("yaw"), -360, 360),
        "pitch": halls.yaw_ok(request.args.get("pitch"), -90, 90),
    }
    if start["scene"] not in config["scenes"]:
        start["scene"] = (
            config["entrance"]
            if config["entrance"] in config["scenes"]
            else next(iter(config["scenes"]))
        )
    config = halls.first_scene_only(
        config,
        start,
        lambda digest: url_for("public.hall_scenes", exhibition_id=exhibition_id, v=digest),
    )
    scene = next(s for s in hall_record["scenes"] if s["key"] == start["scene"])
    first = config["scenes"][start["scene"]]
    preload = [
        f"{first['base']}/{name}"
        for name in halls.first_view_tiles(
            scene,
            start["yaw"] if start["yaw"] is not None else scene["yaw"],
            start["pitch"] if start["pitch"] is not None else scene["pitch"],
        )
    ]
    return render_template(
        "public/hall.html",
        hall=hall_record,
        exhibition=exhibition,
        config=config,
        rooms=halls.list_order(hall_record),
        short_url=_short_url(hall_record["code"]),
        preload=preload,
        hall_strings=_hall_strings(),
    )


def _hall_strings() -> dict[str, str]:
    """What hall.js says, in the page's language (the script keeps the Chinese as
    its fallback)."""
    return {
        "read": _("%(name)s：阅读事迹"),
        "offline": _("网络不畅，未能进入下一个展室，请再试一次。"),
        "loading": _("正在载入展馆…"),
        "noPanorama": _("无法显示全景。"),
        "fullOn": _("退出全屏"),
        "fullOff": _("全屏"),
        "gyroHttps": _("体感浏览需要通过 https 地址访问。"),
        "gyroRefused": _("未获准使用体感。"),
        "tour": _("自动导览"),
        "tourStop": _("停止导览"),
        "goingTo": _("前往：%(room)s"),
        "colon": _("%(title)s：%(text)s"),
    }


@bp.get("/exhibitions/<int:exhibition_id>/hall/scenes.json")
def hall_scenes(exhibition_id: int):
    """Every room's viewer settings (hotspots, doors, tiles), asked for by the hall
    page once its first room is on screen, or when a door is taken before that."""
    _, _, config = _public_hall_config(exhibition_id)
    response = jsonify(config["scenes"])
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/exhibitions/<int:exhibition_id>/hall/tiles/<token>/<path:name>")
def hall_tiles(exhibition_id: int, token: str, name: str):
    """A scene's tile or panorama, only while its scene is public: a picture with
    someone withdrawn in it is never served, not even before it is redrawn."""
    from ..halls import store as halls

    if not TILES_TOKEN.match(token) or not TILE_NAME.match(name):
        abort(404)
    if not halls.public_tiles(get_db(), exhibition_id, token):
        abort(404)
    response = send_from_directory(
        halls.media_root(current_app.config["MEDIA_DIR"]) / token, name, max_age=YEAR
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/exhibitions/<int:exhibition_id>/theme.css")
def exhibition_theme(exhibition_id: int):
    """The exhibition's theme colours as CSS custom properties (no inline styles:
    the Content-Security-Policy forbids them)."""
    from ..halls import store as halls
    from ..halls import themes

    db = get_db()
    exhibition = exhibitions.get_public(db, exhibition_id)
    if exhibition is None:
        abort(404)
    body = (
        ".themed{"
        + themes.css_variables(halls.theme_of(db, exhibition_id))
        + "}\n"
        + style.exhibition_tokens(exhibition)
    )
    response = Response(body, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _hall_by_code(code: str) -> dict | None:
    """The public hall a short code names, or None."""
    from ..halls import store as halls

    target = codes.resolve_target(get_db(), code)
    if target is None or target[0] != "hall":
        return None
    return halls.public_by_code(get_db(), target[1])


# --- narration and convergent-media products ------------------------------------


def _run_mode(tag: str) -> str:
    run = printing.run_by_tag(get_db(), tag)
    return (run or {}).get("mode") or "view"


@bp.get("/media/narration/<int:narration_id>.m4a")
def narration_file(narration_id: int):
    """A public narration (AAC in .m4a), with HTTP range requests like videos."""
    found = narration.public_audio(get_db(), narration_id)
    if found is None:
        abort(404)
    return send_from_directory(
        narration.audio_dir(current_app.config["MEDIA_DIR"]),
        found["file"],
        mimetype="audio/mp4",
        conditional=True,
        max_age=YEAR,
    )


def _shareable(honoree_id: int, draw) -> Response:
    db = get_db()
    record = honorees.get_public(db, honoree_id)
    if record is None:
        abort(404)
    try:
        data, etag = draw(db, current_app.config, record)
    except fonts.FontError as exc:
        log.error("shareable image of %s: %s", honoree_id, exc)
        abort(503)
    return _cached(data, etag, "image/png")


@bp.get("/honorees/<int:honoree_id>/long.png")
def long_image(honoree_id: int):
    """The long picture (长图) of a profile for WeChat Moments, 1080 px wide; shared
    from an exhibition the honoree is in (``?ex=``), in that exhibition's theme."""
    ex = int_arg(request.args.get("ex"), "ex")
    place = exhibitions.place(get_db(), ex, honoree_id) if ex is not None else None
    exhibition = place["exhibition"] if place else None
    return _shareable(
        honoree_id,
        lambda db, config, record: shareables.cached_long(db, config, record, exhibition),
    )


@bp.get("/honorees/<int:honoree_id>/card.png")
def card_image(honoree_id: int):
    """The square picture WeChat shows when a profile is shared (og:image)."""
    return _shareable(honoree_id, shareables.cached_card)


EMBED_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors {ancestors}"
)


@bp.get("/embed/honorees/<int:honoree_id>")
def embed_card(honoree_id: int):
    """A card for partner sites' iframes: the only page that may be framed, by the
    origins of EMBED_FRAME_ANCESTORS. No script, no cookies needed."""
    db = get_db()
    record = honorees.profile(db, honoree_id)
    if record is None:
        abort(404)
    response = Response(
        render_template(
            "public/embed.html",
            h=record,
            narration=narration.public(db, honoree_id),
            english=english_profile.texts(record) if language.current() == "en" else None,
        )
    )
    ancestors = " ".join(current_app.config["EMBED_FRAME_ANCESTORS"].split()) or "'none'"
    response.headers["Content-Security-Policy"] = EMBED_POLICY.format(ancestors=ancestors)
    response.headers["Cache-Control"] = "no-cache"  # a withdrawn record leaves at once
    response.frameable = True  # the shared security headers leave X-Frame-Options off
    return response


# --- cloud albums (云相册、云视频) ----------------------------------------------------


def _album_by_code(code: str) -> tuple[str, int] | None:
    from archive.catalogue import albums

    return albums.by_code(get_db(), code)


def _album_redirect(album: tuple[str, int]) -> Response:
    """A scanned album code: 302 to the album, the scan counted after the reply."""
    from archive.catalogue import albums

    owner_type, owner_id = album
    tag, _ = _run_tag()
    endpoint = "public.honoree_album" if owner_type == "honoree" else "public.exhibition_album"
    key = "honoree_id" if owner_type == "honoree" else "exhibition_id"
    response = redirect(url_for(endpoint, **{key: owner_id}), code=302)
    response.headers["Cache-Control"] = "no-store"
    scans.count_target(
        scans.spool_dir(current_app.instance_path), albums.OWNERS[owner_type], owner_id, tag
    )  # one appended line: no lock
    return response


def _album_page(owner_type: str, owner_id: int, back_url: str, album_url: str):
    from archive.catalogue import albums

    album = albums.public_album(get_db(), owner_type, owner_id)
    if album is None:
        abort(404)
    page = int_arg(request.args.get("page"), "page", 1, 99_999, _("页码应为正整数")) or 1
    pages = max(1, -(-len(album["items"]) // albums.PAGE_SIZE))
    if page > pages:
        abort(404)
    items = album["items"][(page - 1) * albums.PAGE_SIZE : page * albums.PAGE_SIZE]
    return render_template(
        "public/album.html",
        album=album,
        items=items,
        page=page,
        pages=pages,
        photo_count=sum(1 for i in album["items"] if i["kind"] == "photo"),
        video_count=sum(1 for i in album["items"] if i["kind"] == "video"),
        back_url=back_url,
        album_url=album_url,
        short_url=_short_url(album["code"]),
    )


@bp.get("/honorees/<int:honoree_id>/album")
def honoree_album(honoree_id: int):
    """An honoree's photos and videos in one swipeable lightbox."""
    return _album_page(
        "honoree",
        honoree_id,
        url_for("public.profile", honoree_id=honoree_id),
        url_for("public.honoree_album", honoree_id=honoree_id),
    )


@bp.get("/exhibitions/<int:exhibition_id>/album")
def exhibition_album(exhibition_id: int):
    """An exhibition's album: its honorees' photos and videos, and its own."""
    return _album_page(
        "exhibition",
        exhibition_id,
        url_for("public.exhibition", exhibition_id=exhibition_id),
        url_for("public.exhibition_album", exhibition_id=exhibition_id),
    )


# --- the exhibition as a place: cover, chapters a page at a time ------------------------

CHAPTER_FIRST = 8  # cards of each chapter on the exhibition's page
CHAPTER_PAGE = 24  # cards per page of a chapter


def _cover_photo(db, exhibition: dict) -> dict | None:
    """The uploaded cover with its variants, or None (then the drawn one is shown)."""
    if not exhibition.get("cover_photo_id"):
        return None
    files = media.variants_by_photo(db, [exhibition["cover_photo_id"]])
    found = files.get(exhibition["cover_photo_id"])
    if not found or not found["jpeg"]:
        return None
    alt = db.execute(
        "SELECT alt FROM photos WHERE id = ?", [exhibition["cover_photo_id"]]
    ).fetchone()
    return {"files": found, "alt": alt[0] if alt else exhibition["title"]}


def cover_response(exhibition: dict, private: bool = False) -> Response:
    """The exhibition's cover picture: the uploaded photo's largest JPEG, or the one
    drawn from the theme and title."""
    from ..halls import cover, store

    db = get_db()
    photo = _cover_photo(db, exhibition)
    if photo is not None:
        name = photo["files"]["jpeg"][-1]["name"]
        response = send_from_directory(media.derived_dir(current_app.config["MEDIA_DIR"]), name)
    else:
        try:
            font = fonts.load(current_app.config["FONT_PATH"])
        except fonts.FontError as exc:
            log.error("cover of exhibition %s: %s", exhibition["id"], exc)
            abort(503)
        data, etag = cover.cached(
            store.media_root(current_app.config["MEDIA_DIR"]) / "covers",
            store.theme_of(db, exhibition["id"]),
            exhibition["title"],
            (font.path, font.index),
        )
        response = Response(data, mimetype="image/jpeg")
        response.set_etag(etag)
        response.make_conditional(request)
    response.headers["Cache-Control"] = "private, max-age=60" if private else "public, max-age=300"
    return response


@bp.get("/exhibitions/<int:exhibition_id>/cover.jpg")
def exhibition_cover(exhibition_id: int):
    exhibition = exhibitions.get_public(get_db(), exhibition_id)
    if exhibition is None:
        abort(404)
    return cover_response(exhibition)


@bp.get("/exhibitions/<int:exhibition_id>/sections/<int:section_id>")
def exhibition_chapter(exhibition_id: int, section_id: int):
    """One chapter (section) of an exhibition, a page of cards at a time; the
    exhibition page's 更多 button appends the next page from here."""
    db = get_db()
    exhibition = exhibitions.get_public(db, exhibition_id)
    section = exhibitions.public_section(db, exhibition_id, section_id) if exhibition else None
    if section is None:
        abort(404)
    page = int_arg(request.args.get("page"), "page", 1, 99_999, "页码应为正整数") or 1
    pages = max(1, -(-section["count"] // CHAPTER_PAGE))
    if not 1 <= page <= pages:
        abort(404)
    cards = exhibitions.chapter_cards(db, section_id, (page - 1) * CHAPTER_PAGE, CHAPTER_PAGE)
    return render_template(
        "public/exhibition_chapter.html",
        hall=exhibition,
        section=section,
        cards=cards,
        page=page,
        pages=pages,
        size=CHAPTER_PAGE,
    )


AUDIO_NAME = re.compile(r"^[0-9a-f]{24}\.(mp3|m4a|ogg)$")


@bp.get("/exhibitions/<int:exhibition_id>/hall/audio/<name>")
def hall_audio(exhibition_id: int, name: str):
    """An audio spot's narration, with HTTP range requests (phones need them)."""
    from ..halls import editor

    if not AUDIO_NAME.match(name) or not editor.public_audio(get_db(), exhibition_id, name):
        abort(404)
    return send_from_directory(
        editor.audio_dir(current_app.config["MEDIA_DIR"]),
        name,
        mimetype=editor.AUDIO_TYPES[name.rsplit(".", 1)[1]],
        conditional=True,
        max_age=YEAR,
    )
