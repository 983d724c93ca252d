"""Back-office views of albums, exhibition covers and themes, and the hall editor
(scenes, hotspots, uploaded panoramas). Registered on the curate blueprint, so its
guard (login, curator or admin) and CSRF apply as to every back-office page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from archive.catalogue import albums, uploads

from ..db import get_db
from .curate import REVIEW_NOTICE, _reviewed, _step, _user, bp


def _album_target(owner_type: str, owner_id: int) -> str:
    from ..review.exhibits import album_target

    return album_target(owner_type, owner_id)


def _previewing(kind: str, target):
    """Editors show the version waiting for review, if there is one."""
    from ..review import changes

    return changes.previewing(get_db(), kind, target)


# --- albums -------------------------------------------------------------------------


def _album_owner(owner_type: str, owner_id: int) -> dict:
    db = get_db()
    if owner_type == "honoree":
        row = db.execute(
            "SELECT id, name AS title, status FROM honorees WHERE id = ? AND deleted_at IS NULL",
            [owner_id],
        ).fetchone()
    else:
        row = db.execute(
            "SELECT id, title, status FROM exhibitions WHERE id = ?", [owner_id]
        ).fetchone()
    if row is None:
        abort(404)
    return dict(row)


def _album_editor(owner_type: str, owner_id: int, status: int = 200, error: str | None = None):
    db = get_db()
    owner = _album_owner(owner_type, owner_id)
    public = "public.honoree_album" if owner_type == "honoree" else "public.exhibition_album"
    key = "honoree_id" if owner_type == "honoree" else "exhibition_id"
    code = albums.code_for(db, owner_type, owner_id)
    with _previewing("album", _album_target(owner_type, owner_id)) as waiting:
        return render_template(
            "curate/album.html",
            owner=owner,
            owner_type=owner_type,
            items=albums.for_editing(db, owner_type, owner_id),
            error=error,
            public_url=url_for(public, **{key: owner_id}),
            waiting=waiting,
            action=url_for(f"curate.{owner_type}_album_change", **{key: owner_id}),
            code=code,
        ), status


@bp.get("/honorees/<int:honoree_id>/album")
def honoree_album(honoree_id: int):
    return _album_editor("honoree", honoree_id)


@bp.get("/exhibitions/<int:exhibition_id>/album")
def exhibition_album(exhibition_id: int):
    return _album_editor("exhibition", exhibition_id)


def _album_change(owner_type: str, owner_id: int):
    _album_owner(owner_type, owner_id)
    try:
        kept = _step(
            "album",
            _album_target(owner_type, owner_id),
            "change",
            {"action": request.form.get("action", ""), "item": request.form.get("item", "")},
        )
    except albums.AlbumError as exc:
        return _album_editor(owner_type, owner_id, 400, str(exc))
    flash(REVIEW_NOTICE if kept else "相册已更新")
    key = "honoree_id" if owner_type == "honoree" else "exhibition_id"
    return redirect(url_for(f"curate.{owner_type}_album", **{key: owner_id}), code=303)


@bp.post("/honorees/<int:honoree_id>/album")
def honoree_album_change(honoree_id: int):
    return _album_change("honoree", honoree_id)


@bp.post("/exhibitions/<int:exhibition_id>/album")
def exhibition_album_change(exhibition_id: int):
    return _album_change("exhibition", exhibition_id)


@bp.post("/exhibitions/<int:exhibition_id>/album/photos")
def exhibition_album_upload(exhibition_id: int):
    _album_owner("exhibition", exhibition_id)
    config = current_app.config
    file = request.files.get("photo")
    try:
        alt = uploads.require_alt(request.form.get("alt"))
        data = file.read(config["PHOTO_MAX_MB"] * 1_000_000 + 1) if file else b""
        prepared = uploads.prepare_photo(
            data,
            max_bytes=config["PHOTO_MAX_MB"] * 1_000_000,
            max_pixels=config["PHOTO_MAX_MEGAPIXELS"] * 1_000_000,
        )
        caption = (request.form.get("caption") or "").strip() or None
        credit = (request.form.get("credit") or "").strip() or None
        target = _album_target("exhibition", exhibition_id)
        kept = _reviewed("album", target)
        if kept:  # stored in no album until approved
            from archive.catalogue import media

            from ..db import write

            with write(get_db()):
                photo_id = media.add_photo(
                    get_db(),
                    config["MEDIA_DIR"],
                    prepared,
                    None,
                    alt=alt,
                    caption=caption,
                    credit=credit,
                )
            _step("album", target, "add_photo", {"photo_id": photo_id})
        else:
            albums.add_exhibition_photo(
                get_db(),
                config["MEDIA_DIR"],
                exhibition_id,
                prepared,
                alt=alt,
                caption=caption,
                credit=credit,
                user=_user(),
            )
    except (uploads.UploadError, albums.AlbumError) as exc:
        return _album_editor("exhibition", exhibition_id, 400, str(exc))
    flash(REVIEW_NOTICE if kept else "照片已加入展厅相册")
    return redirect(url_for("curate.exhibition_album", exhibition_id=exhibition_id), code=303)


# --- theme and cover ----------------------------------------------------------------


def _exhibition_row(exhibition_id: int) -> dict:
    row = get_db().execute("SELECT * FROM exhibitions WHERE id = ?", [exhibition_id]).fetchone()
    if row is None:
        abort(404)
    return dict(row)


def _theme_page(
    exhibition_id: int, status: int = 200, error: str | None = None, theme: dict | None = None
):
    from ..halls import store, themes

    exhibition = _exhibition_row(exhibition_id)
    with _previewing("hall", exhibition_id) as waiting:
        return render_template(
            "curate/exhibition_theme.html",
            exhibition=exhibition,
            error=error,
            waiting=waiting,
            theme=theme or store.theme_of(get_db(), exhibition_id),
            BUILT_IN=themes.BUILT_IN,
            EMBLEMS=themes.EMBLEMS,
            TEXTURES=themes.TEXTURES,
            LABELS=themes.PALETTE_LABELS,
        ), status


@bp.get("/exhibitions/<int:exhibition_id>/theme")
def exhibition_theme(exhibition_id: int):
    return _theme_page(exhibition_id)


@bp.post("/exhibitions/<int:exhibition_id>/theme")
def save_exhibition_theme(exhibition_id: int):
    """A built-in theme picked, then its palette, emblem, banner and texture edited;
    the generated hall is redrawn by the worker (its signature includes the theme)."""
    from ..halls import themes

    _exhibition_row(exhibition_id)
    form = request.form.to_dict()
    try:
        theme = themes.from_form(form)
    except themes.ThemeError as exc:
        return _theme_page(exhibition_id, 400, str(exc))
    kept = _step("hall", exhibition_id, "theme", {"theme": theme})
    flash(REVIEW_NOTICE if kept else "主题已保存；全景展馆将按新主题重绘")
    return redirect(url_for("curate.exhibition_theme", exhibition_id=exhibition_id), code=303)


@bp.post("/exhibitions/<int:exhibition_id>/cover")
def save_exhibition_cover(exhibition_id: int):
    """Upload a cover photo, or go back to the cover drawn from the theme (the photo
    is stored first; it is shown once it is the cover, after review if need be)."""
    from archive.catalogue import media

    from ..db import write

    _exhibition_row(exhibition_id)
    db, config = get_db(), current_app.config
    try:
        photo_id = None
        if request.form.get("action") != "generated":
            file = request.files.get("cover")
            alt = uploads.require_alt(request.form.get("alt"))
            data = file.read(config["PHOTO_MAX_MB"] * 1_000_000 + 1) if file else b""
            prepared = uploads.prepare_photo(
                data,
                max_bytes=config["PHOTO_MAX_MB"] * 1_000_000,
                max_pixels=config["PHOTO_MAX_MEGAPIXELS"] * 1_000_000,
            )
            with write(db):
                photo_id = media.add_photo(db, config["MEDIA_DIR"], prepared, None, alt=alt)
        kept = _step("hall", exhibition_id, "cover", {"photo_id": photo_id})
    except uploads.UploadError as exc:
        return _theme_page(exhibition_id, 400, str(exc))
    flash(REVIEW_NOTICE if kept else "封面已更新")
    return redirect(url_for("curate.exhibition_theme", exhibition_id=exhibition_id), code=303)


@bp.get("/exhibitions/<int:exhibition_id>/cover.jpg")
def exhibition_cover_preview(exhibition_id: int):
    from .public import cover_response

    return cover_response(_exhibition_row(exhibition_id), private=True)


# --- the hall editor -----------------------------------------------------------------


def _editor_hall(exhibition_id: int) -> dict:
    """The hall for the editor; a scene still 处理中 whose job has given up is shown
    as failed with the job's reason."""
    from ..halls import editor, panoramas

    _exhibition_row(exhibition_id)
    hall = editor.for_editing(get_db(), exhibition_id)
    waiting = [s["id"] for s in hall["scenes"] if s["status"] == "processing"]
    given_up = panoramas.stranded(get_db(), waiting) if waiting else {}
    for scene in hall["scenes"]:
        if scene["id"] in given_up:
            scene.update(status="failed", error=given_up[scene["id"]])
    return hall


def _tiles_url(exhibition_id: int):
    return lambda token: url_for(
        "curate.hall_tiles", exhibition_id=exhibition_id, token=token, name="x"
    )[:-2]


@bp.get("/exhibitions/<int:exhibition_id>/hall")
def hall_editor(exhibition_id: int, status: int = 200, error: str | None = None):
    exhibition = _exhibition_row(exhibition_id)
    _editor_hall(exhibition_id)  # created (and committed) before any preview
    queued = (
        get_db()
        .execute(
            "SELECT 1 FROM jobs WHERE kind = 'hall' AND status IN ('queued', 'running') "
            "AND params LIKE ?",
            [f'%"exhibition_id": {exhibition_id}%'],
        )
        .fetchone()
    )
    with _previewing("hall", exhibition_id) as waiting:
        hall = _editor_hall(exhibition_id)
        return render_template(
            "curate/hall_editor.html",
            exhibition=exhibition,
            hall=hall,
            error=error,
            queued=bool(queued),
            waiting=waiting,
            tiles=_tiles_url(exhibition_id),
        ), status


@bp.post("/exhibitions/<int:exhibition_id>/hall/generate")
def hall_generate(exhibition_id: int):
    from .. import jobs

    _exhibition_row(exhibition_id)
    jobs.enqueue(get_db(), "hall", {"exhibition_id": exhibition_id})
    flash("已交给后台任务重绘全景展馆，约一两分钟后完成")
    return redirect(url_for("curate.hall_editor", exhibition_id=exhibition_id), code=303)


@bp.post("/exhibitions/<int:exhibition_id>/hall/panoramas")
def hall_upload(exhibition_id: int):
    """An equirectangular photo of a real hall becomes a scene (JPEG, up to 8192×4096):
    checked and kept here, cut into tiles by the background worker."""
    from ..halls import editor, panoramas

    _exhibition_row(exhibition_id)
    file = request.files.get("panorama")
    data = file.read(editor.MAX_PANORAMA_BYTES + 1) if file else b""
    try:
        if not data:
            raise editor.HallEditError("请选择全景照片")
        if _reviewed("hall", exhibition_id):  # kept now, the scene added (and cut) on approval
            kept = panoramas.keep(
                current_app.config["MEDIA_DIR"], data, request.form.get("title", "")
            )
            _step("hall", exhibition_id, "scene_add", {"kept": kept})
            flash(REVIEW_NOTICE)
            return redirect(url_for("curate.hall_editor", exhibition_id=exhibition_id), code=303)
        scene = panoramas.add(
            get_db(),
            current_app.config["MEDIA_DIR"],
            exhibition_id,
            data,
            request.form.get("title", ""),
            _user(),
        )
    except editor.HallEditError as exc:
        return hall_editor(exhibition_id, 400, str(exc))
    flash("全景照片已上传，后台正在切分瓦片（处理中）；完成后即可设定起始视角并放置热点")
    return redirect(
        url_for("curate.hall_scene", exhibition_id=exhibition_id, scene_id=scene["id"]), code=303
    )


def _scene_page(
    exhibition_id: int,
    scene_id: int,
    status: int = 200,
    error: str | None = None,
    form: dict | None = None,
):
    exhibition = _exhibition_row(exhibition_id)
    _editor_hall(exhibition_id)
    with _previewing("hall", exhibition_id) as waiting:
        hall = _editor_hall(exhibition_id)
        return _scene_view(exhibition, hall, scene_id, status, error, form, waiting)


def _scene_view(
    exhibition: dict,
    hall: dict,
    scene_id: int,
    status: int,
    error: str | None,
    form: dict | None,
    waiting: dict | None,
):
    from ..halls import editor

    exhibition_id = exhibition["id"]
    scene = next((s for s in hall["scenes"] if s["id"] == scene_id), None)
    if scene is None:
        abort(404)
    tiles = _tiles_url(exhibition_id)
    config = {
        "base": tiles(scene["tiles"]),
        "cube": scene["cube_size"],
        "tile": scene["tile_size"],
        "levels": scene["max_level"],
        "yaw": scene["yaw"],
        "pitch": scene["pitch"],
        "hfov": scene["hfov"],
        "hotspots": [
            {
                "id": p["id"],
                "kind": p["kind"],
                "yaw": p["yaw"],
                "pitch": p["pitch"],
                "generated": bool(p["generated"]),
                "title": p["honoree_name"] if p["kind"] == "portrait" else p["title"],
            }
            for p in scene["hotspots"]
        ],
    }
    view = {k: request.args.get(k) for k in ("yaw", "pitch")}
    for key, value in view.items():
        try:
            config["view_" + key] = float(value)
        except (TypeError, ValueError):
            pass
    return render_template(
        "curate/hall_scene.html",
        exhibition=exhibition,
        hall=hall,
        scene=scene,
        config=config,
        KINDS=editor.KINDS,
        error=error,
        form=form or {},
        waiting=waiting,
    ), status


@bp.get("/exhibitions/<int:exhibition_id>/hall/scenes/<int:scene_id>")
def hall_scene(exhibition_id: int, scene_id: int):
    return _scene_page(exhibition_id, scene_id)


def _back_to_scene(exhibition_id: int, scene_id: int, yaw=None, pitch=None):
    args = {k: v for k, v in (("yaw", yaw), ("pitch", pitch)) if v not in (None, "")}
    return redirect(
        url_for("curate.hall_scene", exhibition_id=exhibition_id, scene_id=scene_id, **args),
        code=303,
    )


@bp.post("/exhibitions/<int:exhibition_id>/hall/scenes/<int:scene_id>")
def hall_scene_save(exhibition_id: int, scene_id: int):
    from ..halls import editor

    _exhibition_row(exhibition_id)
    form = request.form.to_dict()
    try:
        if form.get("action") == "retry":
            from ..halls import panoramas

            panoramas.retry(get_db(), exhibition_id, scene_id, _user())
            flash("已重新交给后台任务切分")
            return _back_to_scene(exhibition_id, scene_id)
        if form.get("action") == "delete":
            kept = _step("hall", exhibition_id, "scene_delete", {"scene_id": scene_id})
            flash(REVIEW_NOTICE if kept else "场景已删除")
            return redirect(url_for("curate.hall_editor", exhibition_id=exhibition_id), code=303)
        kept = _step("hall", exhibition_id, "scene_save", {"scene_id": scene_id, "form": form})
    except editor.HallEditError as exc:
        return _scene_page(exhibition_id, scene_id, 400, str(exc))
    flash(REVIEW_NOTICE if kept else "场景已保存")
    return _back_to_scene(exhibition_id, scene_id, form.get("yaw"), form.get("pitch"))


def _hotspot_save(exhibition_id: int, scene_id: int, hotspot_id: int | None):
    from ..halls import editor

    _exhibition_row(exhibition_id)
    form = request.form.to_dict()
    where = {"scene_id": scene_id, "hotspot_id": hotspot_id}
    try:
        if form.get("action") == "delete" and hotspot_id is not None:
            kept = _step("hall", exhibition_id, "hotspot_delete", where)
            flash(REVIEW_NOTICE if kept else "热点已删除")
            return _back_to_scene(exhibition_id, scene_id, form.get("yaw"), form.get("pitch"))
        audio = None
        file = request.files.get("audio")
        if file and file.filename:
            audio = editor.save_audio(
                current_app.config["MEDIA_DIR"], file.read(editor.MAX_AUDIO_BYTES + 1)
            )
        kept = _step("hall", exhibition_id, "hotspot_save", {**where, "form": form, "audio": audio})
    except editor.HallEditError as exc:
        return _scene_page(exhibition_id, scene_id, 400, str(exc), form)
    flash(REVIEW_NOTICE if kept else "热点已保存")
    return _back_to_scene(exhibition_id, scene_id, form.get("yaw"), form.get("pitch"))


@bp.post("/exhibitions/<int:exhibition_id>/hall/scenes/<int:scene_id>/hotspots")
def hall_hotspot_new(exhibition_id: int, scene_id: int):
    return _hotspot_save(exhibition_id, scene_id, None)


@bp.post("/exhibitions/<int:exhibition_id>/hall/scenes/<int:scene_id>/hotspots/<int:hotspot_id>")
def hall_hotspot_save(exhibition_id: int, scene_id: int, hotspot_id: int):
    return _hotspot_save(exhibition_id, scene_id, hotspot_id)


@bp.get("/exhibitions/<int:exhibition_id>/hall/tiles/<token>/<path:name>")
def hall_tiles(exhibition_id: int, token: str, name: str):
    """Any scene's tiles (drafts' too), for the editor and the preview."""
    from flask import send_from_directory

    from ..halls import store

    if (
        not get_db()
        .execute(
            """SELECT 1 FROM hall_scenes s JOIN halls h ON h.id = s.hall_id
               WHERE h.exhibition_id = ? AND s.tiles = ?""",
            [exhibition_id, token],
        )
        .fetchone()
    ):
        abort(404)
    response = send_from_directory(store.media_root(current_app.config["MEDIA_DIR"]) / token, name)
    response.headers["Cache-Control"] = "private, max-age=600"
    return response


@bp.get("/exhibitions/<int:exhibition_id>/hall/audio/<name>")
def hall_audio(exhibition_id: int, name: str):
    from flask import send_from_directory

    from ..halls import editor
    from .public import AUDIO_NAME

    if not AUDIO_NAME.match(name):
        abort(404)
    return send_from_directory(
        editor.audio_dir(current_app.config["MEDIA_DIR"]),
        name,
        mimetype=editor.AUDIO_TYPES[name.rsplit(".", 1)[1]],
        conditional=True,
    )


@bp.get("/exhibitions/<int:exhibition_id>/hall/preview")
def hall_preview(exhibition_id: int):
    """The hall as a visitor will see it (only public honorees), before publishing."""
    from ..halls import store

    exhibition = _exhibition_row(exhibition_id)
    hall = store.public_hall(get_db(), exhibition_id, require_published=False)
    if hall is None or not hall["scenes"]:
        abort(404)
    config = store.viewer_config(
        hall,
        _tiles_url(exhibition_id),
        lambda honoree_id: url_for("public.profile", honoree_id=honoree_id),
    )
    for scene in config["scenes"].values():
        for spot in scene["hotspots"]:
            if spot.get("audio"):
                spot["audio"] = url_for(
                    "curate.hall_audio", exhibition_id=exhibition_id, name=spot["audio"]
                )
    scene = request.args.get("scene", "")
    config["start"] = {
        "scene": scene if scene in config["scenes"] else config["entrance"],
        "yaw": store.yaw_ok(request.args.get("yaw"), -360, 360),
        "pitch": store.yaw_ok(request.args.get("pitch"), -90, 90),
    }
    return render_template(
        "public/hall.html",
        hall=hall,
        exhibition=exhibition,
        config=config,
        rooms=store.list_order(hall),
        short_url="（预览）",
        preview=True,
    )
