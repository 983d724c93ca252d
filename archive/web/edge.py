"""What faces the internet: trusted proxies, where redirects point, cross-origin
POSTs, and handing files to nginx.

* ``TRUSTED_PROXIES`` (default 0): how many proxies in front are believed about the
  client's address and scheme (Werkzeug's ProxyFix). With 0, ``X-Forwarded-For`` is
  ignored, so a client cannot pick the address the login throttle counts against.
* Every redirect points at ``BASE_URL``: a Location that Werkzeug built from the
  request's Host header (its trailing-slash redirect, ``/curate`` → ``/curate/``) is
  rebased onto the configured address.
* A state-changing request carrying another origin (``Origin``, or without it a
  ``Referer``) than ``BASE_URL``'s (or one listed in ``TRUSTED_ORIGINS``) is refused
  with 403, before CSRF is checked.
  A request with neither header is left to the CSRF token: browsers send ``Origin``
  on every cross-origin POST, and scripts send neither.
* ``ACCEL_REDIRECT_PREFIX``: when set, a media file that passed the visibility check
  is sent by nginx (``X-Accel-Redirect``) instead of by a gunicorn thread.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import render_error

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def init_app(app: Flask) -> None:
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_port=0, x_prefix=0
        )
    app.before_request(_refuse_other_origins)
    app.after_request(_location_from_base_url)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased, default ports dropped."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _site_origins() -> set[str]:
    extra = current_app.config["TRUSTED_ORIGINS"].split()
    return {origin_of(url) for url in [current_app.config["BASE_URL"], *extra]}


def _refuse_other_origins():
    if request.method in SAFE_METHODS:
        return None
    origin = request.headers.get("Origin")
    if origin is not None:
        claimed = origin
    else:
        claimed = request.headers.get("Referer")
        if not claimed:
            return None
    try:
        same = origin_of(claimed) in _site_origins()
    except ValueError:  # e.g. a malformed port
        same = False
    if same:
        return None
    base = current_app.config["BASE_URL"]
    return render_error(403, f"请求来自其他网站，已拒绝。请直接打开 {base} 后再提交。")


def _location_from_base_url(response: Response) -> Response:
    """Rebase a Location built from the request's Host header onto BASE_URL."""
    location = response.headers.get("Location")
    if not location or location.startswith("/") and not location.startswith("//"):
        return response
    parts = urlsplit(location)
    if parts.netloc and parts.netloc.lower() == request.host.lower():
        base = current_app.config["BASE_URL"].rstrip("/")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        response.headers["Location"] = base + target
    return response


def accel_redirect(folder: str, name: str, response: Response) -> Response:
    """Hand ``MEDIA_DIR/<folder>/<name>`` to nginx: an empty body and the internal
    address in ``X-Accel-Redirect``; nginx sends the file (ranges included) with the
    caching headers set here."""
    prefix = current_app.config["ACCEL_REDIRECT_PREFIX"].rstrip("/")
    response.set_data(b"")
    response.headers["X-Accel-Redirect"] = f"{prefix}/{folder}/{Path(name).name}"
    response.headers.pop("Content-Type", None)  # nginx types it by the file's suffix
    return response
