"""The site's emblem and an exhibition's tokens, drawn from the print style
(``archive/web/tokens.py``): one source for colours on paper and on screen. The
site's own tokens are generated into static/site.css (``python -m archive.web.tokens``)."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, current_app, send_file, url_for
from markupsafe import Markup

from archive.printing.print_style import print_style, site_style
from archive.web import tokens as web_style

bp = Blueprint("style", __name__)


def _digest(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()[:10]


EMBLEM_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "svg": "image/svg+xml",
}


def _emblem_ext(path) -> str | None:
    ext = path.suffix.lower().lstrip(".")
    return ext if ext in EMBLEM_TYPES else None


@bp.get("/style/emblem.<ext>")
def emblem_file(ext: str):
    """The configured emblem image (EMBLEM_PATH); 404 when the drawn one is used."""
    path = site_style(current_app.config).emblem_file()
    if path is None or _emblem_ext(path) != ext:
        abort(404)
    mimetype = EMBLEM_TYPES[ext]
    return send_file(path, mimetype=mimetype, max_age=300)


def site_emblem(again: bool = False) -> Markup:
    """The emblem in the header: the configured image, or the drawn mark inline
    (``again``: drawn from the mark already on the page, as in the footer)."""
    style = site_style(current_app.config)
    path = style.emblem_file()
    if path is not None and _emblem_ext(path):
        version = _digest(str(path.stat().st_mtime_ns))
        return Markup('<img class="emblem" src="{}" alt="" width="40" height="44">').format(
            url_for("style.emblem_file", ext=_emblem_ext(path), v=version)
        )
    return web_style.emblem_use() if again else web_style.emblem_svg()


def site_token(name: str) -> str:
    """One site token's value (e.g. ``band`` for the browser's theme colour)."""
    return web_style.tokens(site_style(current_app.config))[name]


def exhibition_tokens(exhibition: dict) -> str:
    """The tokens an exhibition's theme sets, for its pages' theme.css: on
    ``.themed``, which is the whole page of an exhibition and only the current
    exhibition's block on the home page."""
    return web_style.css(print_style(exhibition, current_app.config), ".themed")


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.add_template_global(site_emblem)
    app.add_template_global(site_token)
