"""Friendly Chinese error pages, JSON errors under /api/; never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("archive.web")

MESSAGES = {
    400: "请求有误",
    401: "请先登录",
    403: "您的账号没有权限访问这个页面",
    404: "没有找到这个页面",
    405: "不支持这种请求方式",
    413: "上传的内容太大",
    414: "请求的网址太长",
    429: "请求过于频繁，请稍后再试",
    500: "服务器出了点问题",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int, message: str | None = None):
    text = message or MESSAGES.get(status, "请求未能完成")
    if wants_json():
        return jsonify({"error": {"status": status, "message": text}}), status
    template = "errors/404.html" if status == 404 else "errors/error.html"
    return render_template(template, status=status, message=text), status


def init_app(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        """A form without a valid token: refused, and whatever it carried is shown
        back so nothing typed is lost."""
        from .auth import kept_fields
        if wants_json():
            return render_error(400, "安全校验失败")
        return render_template("curate/expired.html", kept=kept_fields(), csrf=True), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = exc.description if getattr(exc, "archive_message", False) else None
        return render_error(exc.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        return render_error(InternalServerError.code)


def query_too_long(limit: int):
    """A 414 for a search query longer than ``limit`` characters, with a
    message meant for the visitor (gunicorn lets such request lines through:
    see archive.gunicorn_conf)."""
    from werkzeug.exceptions import RequestURITooLarge
    exc = RequestURITooLarge(f"检索词太长了：最多 {limit} 个字，请缩短后再试")
    exc.archive_message = True
    return exc


def bad_request(message: str):
    """A 400 with a message meant for the visitor."""
    from werkzeug.exceptions import BadRequest
    exc = BadRequest(message)
    exc.archive_message = True
    return exc
