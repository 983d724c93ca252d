"""Friendly error pages (Chinese, or English for a visitor reading English), JSON
errors under /api/; never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from ..i18n import N_

log = logging.getLogger("archive.web")

MESSAGES = {
    400: N_("请求有误"),
    401: N_("请先登录"),
    403: N_("您的账号没有权限访问这个页面"),
    404: N_("没有找到这个页面"),
    405: N_("不支持这种请求方式"),
    413: N_("上传的内容太大"),
    414: N_("请求的网址太长"),
    429: N_("请求过于频繁，请稍后再试"),
    500: N_("服务器出了点问题"),
    503: N_("服务暂时不可用，请稍后再试"),
    507: N_("服务器磁盘空间已满"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


FALLBACK = N_("请求未能完成")


def render_error(status: int, message: str | None = None):
    """The error page (or JSON under /api/) in the visitor's language: the message
    is translated here where the catalogue has it (a message passed in already
    translated, or one no visitor's page shows, stays as it is)."""
    text = _(message or MESSAGES.get(status, FALLBACK))
    if wants_json():
        return jsonify({"error": {"status": status, "message": text}}), status
    template = "errors/404.html" if status == 404 else "errors/error.html"
    g.error_page = True  # the same page for every address: the switch names none
    return render_template(template, status=status, message=text), status


def init_app(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        """A form without a valid token: refused, and whatever it carried is shown
        back so nothing typed is lost."""
        from .auth import kept_fields

        if wants_json():
            return render_error(400, N_("安全校验失败"))
        return render_template("curate/expired.html", kept=kept_fields(), csrf=True), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = exc.description if getattr(exc, "archive_message", False) else None
        return render_error(exc.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        fault = storage_fault(exc)
        if fault is not None:
            status, message = fault
            log.error(
                "%s on %s: %s", "disk full" if status == 507 else "database busy", request.path, exc
            )
            return _refused_write(status, message)
        log.exception("unhandled error on %s", request.path)
        return render_error(InternalServerError.code)


def query_too_long(limit: int):
    """A 414 for a search query longer than ``limit`` characters, with a
    message meant for the visitor (gunicorn lets such request lines through:
    see archive.gunicorn_conf)."""
    from werkzeug.exceptions import RequestURITooLarge

    exc = RequestURITooLarge(_("检索词太长了：最多 %(limit)s 个字，请缩短后再试", limit=limit))
    exc.archive_message = True
    return exc


DISK_FULL = N_(
    "服务器磁盘空间已满，这次修改没有保存（已保存的内容都完好）。您填写的内容保留在下面，请联系管理员清理空间后再提交。"
)
DATABASE_BUSY = N_("数据库正忙，这次修改没有保存。您填写的内容保留在下面，请稍后再提交。")


def storage_fault(exc: BaseException) -> tuple[int, str] | None:
    """(507, message) for a full disk: ``OSError`` ENOSPC or SQLite's ``database or
    disk is full``; (503, message) for a database that stayed locked; else None.
    Looks through the exception's causes, as a library may wrap the original."""
    import errno
    import sqlite3

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return 507, DISK_FULL
        if isinstance(exc, sqlite3.Error):
            text = str(exc).lower()
            if "disk is full" in text or getattr(exc, "sqlite_errorcode", None) == 13:
                return 507, DISK_FULL
            if "database is locked" in text or "database is busy" in text:
                return 503, DATABASE_BUSY
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def _refused_write(status: int, message: str):
    """A write that could not be done: nothing was kept half-written (transactions
    roll back, files are renamed into place only when whole) and what the curator
    typed comes back: the record editor itself, else the fields listed."""
    if wants_json() or request.method in ("GET", "HEAD"):
        response = render_error(status, message)
    else:
        response = _form_again(status, message)
    response = app_response(response)
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response


def _form_again(status: int, message: str):
    from .auth import kept_fields

    if request.endpoint == "curate.save_honoree":
        try:
            from . import curate

            record = curate._record(request.view_args["honoree_id"])
            return curate._edit_page(
                record, status, form={**record, **request.form.to_dict()}, error=message
            )
        except Exception:
            log.exception("the editor could not be shown again")
    return render_template(
        "errors/error.html", status=status, message=message, kept=kept_fields()
    ), status


def app_response(value):
    from flask import make_response

    return make_response(value)


def bad_request(message: str):
    """A 400 with a message meant for the visitor."""
    from werkzeug.exceptions import BadRequest

    exc = BadRequest(message)
    exc.archive_message = True
    return exc
