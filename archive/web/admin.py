"""Admins only: accounts and the audit log, under /curate/admin. Guarded once."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from archive.catalogue import audit
from archive.curation import accounts

from ..db import get_db
from .auth import current_user, guard
from .params import int_arg

bp = Blueprint("admin", __name__, url_prefix="/curate/admin")
guard(bp, {"admin"})


@bp.get("/users")
def users():
    return render_template(
        "curate/users.html", users=accounts.list_users(get_db()), ROLES=accounts.ROLES
    )


@bp.post("/users")
def create_user():
    form = request.form
    try:
        accounts.create_user(
            get_db(),
            form.get("username", ""),
            form.get("password", ""),
            form.get("role", ""),
            form.get("display_name"),
            by=current_user(),
        )
    except accounts.AccountError as exc:
        return render_template(
            "curate/users.html",
            users=accounts.list_users(get_db()),
            ROLES=accounts.ROLES,
            error=str(exc),
            form=form,
        ), 400
    flash(f"已创建账号 {form.get('username')}")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>")
def update_user(user_id: int):
    db = get_db()
    target = accounts.get_user(db, user_id)
    if target is None:
        abort(404)
    form = request.form
    try:
        if form.get("password"):
            accounts.change_password(db, target, None, form["password"], by=current_user())
        accounts.update_user(
            db,
            user_id,
            role=form.get("role", ""),
            active=bool(form.get("active")),
            display_name=form.get("display_name", ""),
            by=current_user(),
        )
    except accounts.AccountError as exc:
        return render_template(
            "curate/users.html", users=accounts.list_users(db), ROLES=accounts.ROLES, error=str(exc)
        ), 400
    flash(f"已更新账号 {target['username']}")
    return redirect(url_for("admin.users"))


@bp.get("/audit")
def audit_log():
    before = request.args.get("before", "")
    return render_template(
        "curate/audit.html",
        ACTIONS=audit.ACTIONS,
        entries=audit.recent(get_db(), 200, int_arg(before, "before")),
    )
