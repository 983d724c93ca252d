"""Back-office views of albums, exhibition covers and themes, and the hall editor
(scenes, hotspots, uploaded panoramas). Registered on the curate blueprint, so its
guard (login, curator or admin) and CSRF apply as to every back-office page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from .. import albums, exhibitions, uploads
from ..db import get_db
from .curate import _user, bp

# --- albums -------------------------------------------------------------------------

def _album_owner(owner_type: str, owner_id: int) -> dict:
    db = get_db()
    if owner_type == "honoree":
        row = db.execute("SELECT id, name AS title, status FROM honorees WHERE id = ? "
                         "AND deleted_at IS NULL", [owner_id]).fetchone()
    else:
        row = db.execute("SELECT id, title, status FROM exhibitions WHERE id = ?",
                         [owner_id]).fetchone()
    if row is None:
        abort(404)
    return dict(row)


def _album_editor(owner_type: str, owner_id: int, status: int = 200, error: str | None = None):
    db = get_db()
    owner = _album_owner(owner_type, owner_id)
    public = ("public.honoree_album" if owner_type == "honoree" else "public.exhibition_album")
    key = "honoree_id" if owner_type == "honoree" else "exhibition_id"
    return render_template(
        "curate/album.html", owner=owner, owner_type=owner_type,
        items=albums.for_editing(db, owner_type, owner_id), error=error,
        public_url=url_for(public, **{key: owner_id}),
        action=url_for(f"curate.{owner_type}_album_change", **{key: owner_id}),
        code=albums.code_for(db, owner_type, owner_id)), status


@bp.get("/honorees/<int:honoree_id>/album")
def honoree_album(honoree_id: int):
    return _album_editor("honoree", honoree_id)


@bp.get("/exhibitions/<int:exhibition_id>/album")
def exhibition_album(exhibition_id: int):
    return _album_editor("exhibition", exhibition_id)


def _album_change(owner_type: str, owner_id: int):
    _album_owner(owner_type, owner_id)
    try:
        albums.change(get_db(), owner_type, owner_id, request.form.get("action", ""),
                      request.form.get("item", ""), _user())
    except albums.AlbumError as exc:
        return _album_editor(owner_type, owner_id, 400, str(exc))
    flash("相册已更新")
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
        prepared = uploads.prepare_photo(data, max_bytes=config["PHOTO_MAX_MB"] * 1_000_000,
                                         max_pixels=config["PHOTO_MAX_MEGAPIXELS"] * 1_000_000)
        albums.add_exhibition_photo(
            get_db(), config["MEDIA_DIR"], exhibition_id, prepared, alt=alt,
            caption=(request.form.get("caption") or "").strip() or None,
            credit=(request.form.get("credit") or "").strip() or None, user=_user())
    except (uploads.UploadError, albums.AlbumError) as exc:
        return _album_editor("exhibition", exhibition_id, 400, str(exc))
    flash("照片已加入展厅相册")
    return redirect(url_for("curate.exhibition_album", exhibition_id=exhibition_id), code=303)





# --- theme and cover ----------------------------------------------------------------

def _exhibition_row(exhibition_id: int) -> dict:
    row = get_db().execute("SELECT * FROM exhibitions WHERE id = ?", [exhibition_id]).fetchone()
    if row is None:
        abort(404)
    return dict(row)


def _theme_page(exhibition_id: int, status: int = 200, error: str | None = None,
                theme: dict | None = None):
    from ..halls import store, themes
    exhibition = _exhibition_row(exhibition_id)
    return render_template(
        "curate/exhibition_theme.html", exhibition=exhibition, error=error,
        theme=theme or store.theme_of(get_db(), exhibition_id), BUILT_IN=themes.BUILT_IN,
        EMBLEMS=themes.EMBLEMS, TEXTURES=themes.TEXTURES, LABELS=themes.PALETTE_LABELS), status


@bp.get("/exhibitions/<int:exhibition_id>/theme")
def exhibition_theme(exhibition_id: int):
    return _theme_page(exhibition_id)


@bp.post("/exhibitions/<int:exhibition_id>/theme")
def save_exhibition_theme(exhibition_id: int):
    """A built-in theme picked, then its palette, emblem, banner and texture edited;
    the generated hall is redrawn by the worker (its signature includes the theme)."""
    from ..halls import store, themes
    _exhibition_row(exhibition_id)
    form = request.form.to_dict()
    try:
        theme = themes.from_form(form)
    except themes.ThemeError as exc:
        return _theme_page(exhibition_id, 400, str(exc))
    store.save_theme(get_db(), exhibition_id, theme, _user())
    flash("主题已保存；全景展馆将按新主题重绘")
    return redirect(url_for("curate.exhibition_theme", exhibition_id=exhibition_id), code=303)


@bp.post("/exhibitions/<int:exhibition_id>/cover")
def save_exhibition_cover(exhibition_id: int):
    """Upload a cover photo, or go back to the cover drawn from the theme."""
    from .. import media
    from ..db import write
    _exhibition_row(exhibition_id)
    db, config = get_db(), current_app.config
    try:
        if request.form.get("action") == "generated":
            with write(db):
                db.execute("UPDATE exhibitions SET cover_photo_id = NULL WHERE id = ?",
                           [exhibition_id])
                exhibitions._changed(db, exhibition_id, "cover", _user())
        else:
            file = request.files.get("cover")
            alt = uploads.require_alt(request.form.get("alt"))
            data = file.read(config["PHOTO_MAX_MB"] * 1_000_000 + 1) if file else b""
            prepared = uploads.prepare_photo(
                data, max_bytes=config["PHOTO_MAX_MB"] * 1_000_000,
                max_pixels=config["PHOTO_MAX_MEGAPIXELS"] * 1_000_000)
            with write(db):
                photo_id = media.add_photo(db, config["MEDIA_DIR"], prepared, None, alt=alt)
                db.execute("UPDATE exhibitions SET cover_photo_id = ? WHERE id = ?",
                           [photo_id, exhibition_id])
                exhibitions._changed(db, exhibition_id, "cover", _user())
    except uploads.UploadError as exc:
        return _theme_page(exhibition_id, 400, str(exc))
    flash("封面已更新")
    return redirect(url_for("curate.exhibition_theme", exhibition_id=exhibition_id), code=303)


@bp.get("/exhibitions/<int:exhibition_id>/cover.jpg")
def exhibition_cover_preview(exhibition_id: int):
    from .public import cover_response
    return cover_response(_exhibition_row(exhibition_id), private=True)
