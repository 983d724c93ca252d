"""The review queue's pending changes (SECOND_APPROVER=1): what one would change,
shown as a diff against what the public sees, approved or rejected by a second
person. Registered on the curate blueprint (its guard and CSRF apply)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from ..db import get_db
from ..review import changes
from .curate import _user, bp


def _change(change_id: int) -> dict:
    change = changes.get(get_db(), change_id)
    if change is None:
        abort(404)
    return change


def _page(change: dict, status: int = 200, error: str | None = None):
    db = get_db()
    kind = changes.KINDS[change["kind"]]
    endpoint, args = kind.editor(change["target"]) if kind.editor else (None, {})
    who = {r[0]: r[1] or r[2] for r in db.execute("SELECT id, display_name, username FROM users")}
    return render_template(
        "curate/change.html",
        change=change,
        kind=kind,
        title=kind.title(db, change["target"]),
        diff=changes.diff(db, change),
        may_decide=changes.can_decide(change, _user()),
        who="、".join(who.get(a, "有人") for a in change["authors"]),
        labels=[kind.steps[s["op"]].label for s in change["steps"]],
        editor_url=url_for(endpoint, **args) if endpoint else None,
        error=error,
    ), status


@bp.get("/changes/<int:change_id>")
def pending_change(change_id: int):
    return _page(_change(change_id))


@bp.post("/changes/<int:change_id>")
def decide_change(change_id: int):
    """Approve (apply it; the public sees it from now on) or reject (discard it)."""
    change = _change(change_id)
    action = request.form.get("action")
    if action not in ("approve", "reject"):
        abort(400)
    decide = changes.approve if action == "approve" else changes.reject
    try:
        decide(get_db(), change_id, _user(), current_app.config["MEDIA_DIR"])
    except changes.ReviewError as exc:
        return _page(change, 400, str(exc))
    flash("已批准，修改已对公众生效" if action == "approve" else "已退回，公众看到的保持原样")
    return redirect(url_for("curate.dashboard"), code=303)
