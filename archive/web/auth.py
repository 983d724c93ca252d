"""Who is logged in, and the one access guard every back-office blueprint uses.

The session cookie (signed by Flask) carries the user's id, the user's session
generation at login, and when the session started and was last used. A cookie is
honoured only while the generation still matches the database (logout and a
password change bump it, so a replayed old cookie stops working), the account is
active, and neither the idle nor the absolute limit has passed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from archive.curation import accounts

from ..db import get_db

bp = Blueprint("auth", __name__, url_prefix="/curate")

SEEN_RESOLUTION = 60  # seconds: how often "last used" is rewritten into the cookie


def current_user() -> dict | None:
    """The logged-in, active user, or None (the cookie is cleared if it has lapsed)."""
    if "user" in g:
        return g.user
    g.user = None
    uid = session.get("uid")
    if uid is None:
        return None
    clock = time.time()
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["SESSION_MAX_HOURS"] * 3600
    started, seen = session.get("started", 0), session.get("seen", 0)
    user = accounts.get_user(get_db(), uid)
    if (
        user is None
        or not user["active"]
        or user["session_generation"] != session.get("gen")
        or clock - seen > idle
        or clock - started > absolute
    ):
        session.clear()
        return None
    if clock - seen > SEEN_RESOLUTION:
        session["seen"] = clock
    g.user = user
    return user


def login_user(user: dict) -> None:
    session.clear()  # a new session on login: no fixation
    clock = time.time()
    session.update(uid=user["id"], gen=user["session_generation"], started=clock, seen=clock)
    g.user = user


def logout_user() -> None:
    session.clear()
    g.user = None


def kept_fields() -> list[tuple[str, str]]:
    """What a refused form carried, so a page can show it back: nothing typed is lost."""
    if request.method != "POST":
        return []
    return [
        (k, v)
        for k, v in request.form.items(multi=True)
        if k not in ("csrf_token",) and v and len(v) < 200_000
    ]


def guard(blueprint: Blueprint, roles: Iterable[str]) -> None:
    """Refuse every request to ``blueprint`` unless a user with one of ``roles`` is
    logged in: anonymous GETs go to the login page, other anonymous requests get
    401, logged-in users without the role get 403. Register once per blueprint."""
    allowed = frozenset(roles)

    @blueprint.before_request
    def _require_role():
        user = current_user()
        if user is None:
            if request.method in ("GET", "HEAD"):
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            return render_template("curate/expired.html", kept=kept_fields()), 401
        if user["role"] not in allowed:
            abort(403)
        return None


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if (
        parts.scheme
        or parts.netloc
        or not parts.path.startswith("/")
        or parts.path.startswith("//")
        or "\\" in (target or "")
    ):
        return url_for("curate.dashboard")
    return target


def _address() -> str:
    """The client's address for the login throttle and the audit log: the connection's,
    or the one a trusted proxy reported (TRUSTED_PROXIES, applied by ProxyFix in
    archive.web.edge); a forwarded address from anyone else is ignored."""
    return request.remote_addr or "unknown"


@bp.record_once
def _hash_slots(state) -> None:
    """One pool of password-hashing slots per app, shared by its threads; the lock
    files in the instance folder bound the processes together."""
    app = state.app
    app.extensions["hash_slots"] = accounts.HashSlots(
        Path(app.instance_path) / "login-slots", int(app.config["LOGIN_HASH_SLOTS"])
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = request.values.get("next", "")
    if request.method == "POST":
        db = get_db()
        try:
            user = accounts.authenticate(
                db,
                request.form.get("username", ""),
                request.form.get("password", ""),
                _address(),
                slots=current_app.extensions["hash_slots"],
                global_limit=int(current_app.config["LOGIN_GLOBAL_LIMIT"]),
            )
        except (accounts.Throttled, accounts.Busy) as exc:
            status = 429 if isinstance(exc, accounts.Throttled) else 503
            response = current_app.make_response(
                (
                    render_template(
                        "curate/login.html",
                        error=exc.message,
                        next=next_url,
                        username=request.form.get("username", ""),
                    ),
                    status,
                )
            )
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        if user is None:
            return render_template(
                "curate/login.html",
                error="用户名或密码不正确",
                next=next_url,
                username=request.form.get("username", ""),
            ), 401
        login_user(user)
        if user["role"] == "printer" and not next_url:
            return redirect(url_for("public.home"))
        return redirect(_safe_next(next_url))
    return render_template("curate/login.html", next=next_url)


@bp.post("/logout")
def logout():
    user = current_user()
    if user is not None:
        accounts.logout(get_db(), user, _address())
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def password():
    """Any logged-in user changes their own password; every other session ends."""
    user = current_user()
    if user is None:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.path))
        return render_template("curate/expired.html", kept=[]), 401
    if request.method == "POST":
        new = request.form.get("new", "")
        if new != request.form.get("confirm", ""):
            return render_template("curate/password.html", error="两次输入的新密码不一致"), 400
        try:
            accounts.change_password(get_db(), user, request.form.get("current", ""), new)
        except accounts.AccountError as exc:
            return render_template("curate/password.html", error=str(exc)), 400
        login_user(accounts.get_user(get_db(), user["id"]))
        flash("密码已修改，其他设备上的登录已失效")
        return redirect(url_for("auth.password"))
    return render_template("curate/password.html")
