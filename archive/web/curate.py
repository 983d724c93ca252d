"""The curators' back office under /curate: thin views over archive.curation.editing,
archive.curation.revisions, archive.catalogue.uploads and archive.catalogue.exhibitions. Guarded once, below."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)

from archive import settings
from archive.catalogue import browse, exhibitions, markup, media, uploads, vocabulary
from archive.catalogue.vocabulary import KINDS, LEVELS, STATUSES
from archive.curation import editing, pending, revisions
from archive.exchange import exporter, import_jobs, proposals

from ..db import get_db
from .auth import current_user, guard
from .params import is_plain_int

bp = Blueprint("curate", __name__, url_prefix="/curate")
guard(bp, {"admin", "curator"})


def _user() -> dict:
    return current_user()


def _form() -> dict:
    return request.form.to_dict()


def _second_approver() -> bool:
    return bool(current_app.config["SECOND_APPROVER"])


REVIEW_NOTICE = "修改已提交审核：公众仍看到已发布的版本，另一位策展人或管理员批准后生效"


def _make(kind: str, target, step: str, args: dict) -> tuple[bool, object]:
    """Apply a change to something the public sees, or keep it for a second person
    (SECOND_APPROVER): (kept, what applying it returned)."""
    from ..review import changes

    return changes.make(
        get_db(),
        kind,
        target,
        step,
        args,
        _user(),
        media_dir=current_app.config["MEDIA_DIR"],
        second_approver=_second_approver(),
    )


def _step(kind: str, target, step: str, args: dict) -> bool:
    """:func:`_make`, telling only whether the change was kept for review."""
    return _make(kind, target, step, args)[0]


def _reviewed(kind: str, target) -> bool:
    from ..review import changes

    return changes.needs_review(get_db(), kind, target, _user(), _second_approver())


def _back(honoree_id: int, anchor: str = ""):
    return redirect(url_for("curate.edit_honoree", honoree_id=honoree_id) + anchor)


def _record(honoree_id: int) -> dict:
    record = editing.get(get_db(), honoree_id)
    if record is None:
        abort(404)
    return record


def _edit_page(
    record: dict,
    status: int = 200,
    *,
    form: dict | None = None,
    error: str | None = None,
    preview=None,
):
    from ..review import changes

    db = get_db()
    edit = pending.get(db, record["id"])
    if form is None and edit is not None:  # go on from the version waiting for review
        form = {**record, **edit["fields"]}
    with changes.previewing(db, "record", record["id"]) as waiting:
        if waiting:  # honours, photos, videos and members as they would be
            shown = editing.get(db, record["id"])
            record = {**record, **{k: shown[k] for k in ("honours", "photos", "videos", "members")}}
    waiting = [
        c
        for c in (changes.of(db, "record", record["id"]), changes.of(db, "narration", record["id"]))
        if c
    ]
    return render_template(
        "curate/honoree_edit.html",
        h=record,
        form=form or record,
        error=error,
        waiting_changes=waiting,
        review_edit=edit,
        may_decide=edit is not None and pending.can_decide(edit, _user()),
        preview=preview,
        titles=editing.titles(db),
        STATUSES=STATUSES,
        history=revisions.history(db, record["id"])[:5],
        second_approver=_second_approver(),
        pending=proposals.pending(db, record["id"]),
        ACTIONS=revisions.ACTIONS,
    ), status


@bp.get("/")
def dashboard():
    db = get_db()
    text = " ".join(request.args.get("q", "").split())[:100]
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    deleted = request.args.get("deleted") == "1"
    from ..review import changes

    return render_template(
        "curate/dashboard.html",
        rows=editing.listing(db, text, status, deleted),
        q=text,
        status=status,
        deleted=deleted,
        STATUSES=STATUSES,
        pending=editing.listing(db, status="review", limit=50),
        ACTIONS=LIST_ACTIONS,
        pending_edits=pending.listing(db),
        pending_changes=changes.queue(db),
    )


LIST_ACTIONS = {"publish": "发布", "withdraw": "撤回", "submit": "提交审核"}


@bp.post("/honorees/batch")
def batch_status():
    """One status action on the records ticked in the list (or every record the
    page showed, when "select all" was ticked and scripts were off)."""
    action = request.form.get("action", "")
    chosen = request.form.getlist("all_ids" if request.form.get("all") else "ids")
    ids = [int(i) for i in chosen if is_plain_int(i)][:1000]
    if action not in LIST_ACTIONS:
        flash("请选择要执行的操作")
    elif not ids:
        flash("请先勾选要处理的记录")
    else:
        done = editing.change_status_many(
            get_db(), ids, action, _user(), second_approver=_second_approver()
        )
        flash(done.summary())
    back = {k: v for k in ("q", "status", "deleted") if (v := request.form.get(k))}
    return redirect(url_for("curate.dashboard", **back), code=303)


@bp.get("/media/<name>")
def media_preview(name: str):
    """Derived images of any record (drafts included), for curators only."""
    from .public import MEDIA_NAME

    if not MEDIA_NAME.match(name) or media.curator_file(get_db(), name) is None:
        abort(404)
    response = send_from_directory(media.derived_dir(current_app.config["MEDIA_DIR"]), name)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/honorees/new", methods=["GET", "POST"])
def new_honoree():
    if request.method == "POST":
        try:
            honoree_id = editing.create(get_db(), _form(), _user())
        except editing.EditError as exc:
            return render_template("curate/honoree_new.html", form=_form(), error=str(exc)), 400
        flash("已创建草稿，可以继续添加荣誉和照片")
        return _back(honoree_id)
    return render_template("curate/honoree_new.html", form={"kind": "individual"})


@bp.get("/honorees/<int:honoree_id>")
def edit_honoree(honoree_id: int):
    return _edit_page(_record(honoree_id))


@bp.post("/honorees/<int:honoree_id>")
def save_honoree(honoree_id: int):
    record = _record(honoree_id)
    form = _form()
    if form.get("action") == "preview":
        return _edit_page(
            record, form={**record, **form}, preview=markup.render(form.get("story", ""))
        )
    try:
        version = int(form.get("version", ""))
    except ValueError:
        version = -1
    review = pending.needs_review(record, _user(), _second_approver())
    try:
        if review:
            pending.submit(get_db(), honoree_id, form, version, _user())
        else:
            editing.save(get_db(), honoree_id, form, version, _user())
    except editing.Conflict as exc:
        return render_template(
            "curate/conflict.html",
            h=exc.current,
            mine=form,
            theirs=exc.current,
            rows=revisions.conflicts(form, exc.current),
            history=revisions.history(get_db(), honoree_id)[:5],
        ), 409
    except editing.EditError as exc:
        return _edit_page(record, 400, form={**record, **form}, error=str(exc))
    flash(
        "修改已提交审核：公众仍看到已发布的版本，另一位策展人或管理员批准后生效"
        if review
        else "已保存"
    )
    return _back(honoree_id)


@bp.post("/honorees/<int:honoree_id>/pending")
def decide_pending(honoree_id: int):
    """Approve or reject the pending edit of a published record."""
    _record(honoree_id)
    action = request.form.get("action")
    if action not in ("approve", "reject"):
        abort(400)
    try:
        (pending.approve if action == "approve" else pending.reject)(get_db(), honoree_id, _user())
    except editing.EditError as exc:
        return _edit_page(_record(honoree_id), 400, error=str(exc))
    flash("已批准，修改已对公众生效" if action == "approve" else "已退回，公众页面保持原样")
    return _back(honoree_id)


@bp.post("/honorees/<int:honoree_id>/status")
def change_status(honoree_id: int):
    _record(honoree_id)
    action = request.form.get("action", "")
    try:
        new = editing.change_status(
            get_db(), honoree_id, action, _user(), second_approver=_second_approver()
        )
    except editing.EditError as exc:
        return _edit_page(_record(honoree_id), 400, error=str(exc))
    flash(f"状态已改为“{STATUSES[new]}”")
    return _back(honoree_id)


@bp.get("/honorees/<int:honoree_id>/delete")
def confirm_delete(honoree_id: int):
    """Deleting asks first, naming the record and what deleting it does."""
    return render_template("curate/delete.html", h=_record(honoree_id), STATUSES=STATUSES)


@bp.post("/honorees/<int:honoree_id>/delete")
def delete_honoree(honoree_id: int):
    record = _record(honoree_id)
    if request.form.get("confirm") != record["name"]:  # only from the confirmation page
        return redirect(url_for("curate.confirm_delete", honoree_id=honoree_id), code=303)
    editing.soft_delete(get_db(), honoree_id, _user())
    flash(f"已删除“{record['name']}”。可在本页或修改历史中恢复")
    return _back(honoree_id)


@bp.post("/honorees/<int:honoree_id>/undelete")
def undelete_honoree(honoree_id: int):
    _record(honoree_id)
    editing.restore_deleted(get_db(), honoree_id, _user())
    flash("已恢复")
    return _back(honoree_id)


def _apply(honoree_id: int, change, message: str, anchor: str = ""):
    """Run one change; a refused one shows the edit page with the reason. A change
    that returns True was kept for review."""
    _record(honoree_id)
    try:
        kept = change()
    except (editing.EditError, uploads.UploadError) as exc:
        return _edit_page(_record(honoree_id), 400, error=str(exc))
    flash(REVIEW_NOTICE if kept is True else message)
    return _back(honoree_id, anchor)


def _record_step(honoree_id: int, step: str, args: dict, message: str, anchor: str):
    """A change to a record's honours, photos, videos or members (outside the form)."""
    return _apply(honoree_id, lambda: _step("record", honoree_id, step, args), message, anchor)


@bp.post("/honorees/<int:honoree_id>/honours")
def add_honour(honoree_id: int):
    return _record_step(honoree_id, "honour_add", {"form": _form()}, "已添加荣誉", "#honours")


@bp.post("/honorees/<int:honoree_id>/honours/<int:honour_id>")
def update_honour(honoree_id: int, honour_id: int):
    action = request.form.get("action", "save")
    if action in ("revoke", "reinstate"):
        step, args = "honour_revoke", {"revoked": action == "revoke"}
    elif action == "delete":
        step, args = "honour_delete", {}
    else:
        step, args = "honour_update", {"form": _form()}
    return _record_step(
        honoree_id, step, {"honour_id": honour_id, **args}, "荣誉已更新", "#honours"
    )


@bp.post("/honorees/<int:honoree_id>/photos")
def upload_photo(honoree_id: int):
    config = current_app.config
    file = request.files.get("photo")

    def change():
        alt = uploads.require_alt(request.form.get("alt"))
        data = file.read(config["PHOTO_MAX_MB"] * 1_000_000 + 1) if file else b""
        prepared = uploads.prepare_photo(
            data,
            max_bytes=config["PHOTO_MAX_MB"] * 1_000_000,
            max_pixels=config["PHOTO_MAX_MEGAPIXELS"] * 1_000_000,
        )
        caption = (request.form.get("caption") or "").strip() or None
        credit = (request.form.get("credit") or "").strip() or None
        portrait = bool(request.form.get("is_portrait"))
        if _reviewed("record", honoree_id):  # stored with no record until approved
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
            return _step(
                "record", honoree_id, "photo_add", {"photo_id": photo_id, "is_portrait": portrait}
            )
        editing.add_photo(
            get_db(),
            config["MEDIA_DIR"],
            honoree_id,
            prepared,
            alt=alt,
            caption=caption,
            credit=credit,
            is_portrait=portrait,
            user=_user(),
        )

    return _apply(honoree_id, change, "照片已上传", "#photos")


@bp.post("/honorees/<int:honoree_id>/photos/<int:photo_id>")
def update_photo(honoree_id: int, photo_id: int):
    action = request.form.get("action", "save")
    if action == "delete":
        step, args = "photo_delete", {}
    elif action in ("up", "down"):
        step, args = "photo_move", {"step": -1 if action == "up" else 1}
    else:
        step, args = "photo_update", {"form": _form()}
    return _record_step(honoree_id, step, {"photo_id": photo_id, **args}, "照片已更新", "#photos")


@bp.post("/honorees/<int:honoree_id>/videos")
def upload_video(honoree_id: int):
    config = current_app.config
    file = request.files.get("video")

    def change():
        if not file:
            raise uploads.UploadError("请选择要上传的视频")
        folder = media.videos_dir(config["MEDIA_DIR"])
        path = uploads.save_stream(file.stream, folder, config["VIDEO_MAX_MB"] * 1_000_000)
        try:
            probed = uploads.probe_video(path)
            poster = media.prepare(uploads.poster_frame(path, probed.duration_s))
            held = _reviewed("record", honoree_id)  # public once a second person approves
            video_id = editing.add_video(
                get_db(),
                config["MEDIA_DIR"],
                honoree_id,
                probed,
                poster,
                _form(),
                _user(),
                held=held,
            )
            if held:
                return _step("record", honoree_id, "video_add", {"video_id": video_id})
        finally:
            path.unlink(missing_ok=True)

    return _apply(honoree_id, change, "视频已上传", "#videos")


@bp.post("/honorees/<int:honoree_id>/videos/<int:video_id>/delete")
def delete_video(honoree_id: int, video_id: int):
    return _record_step(honoree_id, "video_delete", {"video_id": video_id}, "视频已删除", "#videos")


@bp.get("/pick/honorees")
def pick_honorees():
    """Search-as-you-type for the pickers: records by name, pinyin, initials or unit."""
    text = request.args.get("q", "").strip()[:50]
    found = editing.listing(get_db(), text=text, limit=20) if text else []
    response = jsonify(
        [
            {"id": r["id"], "label": editing.picker_label(r), "status": STATUSES[r["status"]]}
            for r in found
        ]
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/honorees/<int:honoree_id>/members")
def add_member(honoree_id: int):
    def change():
        member = request.form.get("member") or request.form.get("member_id", "")
        return _step(
            "record", honoree_id, "member_add", {"member_id": editing.pick(get_db(), member)}
        )

    return _apply(honoree_id, change, "已添加成员", "#members")


@bp.post("/honorees/<int:honoree_id>/members/<int:member_id>/delete")
def remove_member(honoree_id: int, member_id: int):
    return _record_step(
        honoree_id, "member_remove", {"member_id": member_id}, "已移除成员", "#members"
    )


@bp.route("/honorees/<int:honoree_id>/merge", methods=["GET", "POST"])
def merge(honoree_id: int):
    record = _record(honoree_id)
    if request.method == "POST":
        try:
            other = editing.pick(
                get_db(), request.form.get("other") or request.form.get("other_id", "")
            )
            editing.merge(get_db(), honoree_id, other, _user())
        except editing.EditError as exc:
            return render_template("curate/merge.html", h=record, error=str(exc)), 400
        flash(f"已把编号 {other} 的记录并入本记录，原二维码继续有效")
        return _back(honoree_id)
    return render_template("curate/merge.html", h=record)


@bp.get("/honorees/<int:honoree_id>/history")
def history(honoree_id: int):
    record = _record(honoree_id)
    return render_template(
        "curate/history.html",
        h=record,
        revisions=revisions.history(get_db(), honoree_id),
        ACTIONS=revisions.ACTIONS,
    )


@bp.get("/honorees/<int:honoree_id>/revisions/<int:revision_id>")
def revision(honoree_id: int, revision_id: int):
    record = _record(honoree_id)
    found = revisions.get(get_db(), honoree_id, revision_id)
    if found is None:
        abort(404)
    return render_template(
        "curate/revision.html",
        h=record,
        r=found,
        changes=revisions.diff(found["previous"], found["snapshot"]),
        against_now=revisions.restore_preview(
            found["snapshot"], revisions.get_current(get_db(), honoree_id)
        ),
        ACTIONS=revisions.ACTIONS,
    )


@bp.post("/honorees/<int:honoree_id>/revisions/<int:revision_id>/restore")
def restore_revision(honoree_id: int, revision_id: int):
    _record(honoree_id)
    try:
        revisions.restore(get_db(), honoree_id, revision_id, _user())
    except editing.EditError as exc:
        return _edit_page(_record(honoree_id), 400, error=str(exc))
    flash(f"已恢复到第 {revision_id} 号版本（作为新版本保存，历史完整保留）")
    return _back(honoree_id)


# --- exhibitions -------------------------------------------------------------------


@bp.get("/exhibitions")
def exhibition_list():
    return render_template(
        "curate/exhibitions.html", halls=exhibitions.all_for_curators(get_db()), STATUSES=STATUSES
    )


@bp.route("/exhibitions/new", methods=["GET", "POST"])
def new_exhibition():
    if request.method == "POST":
        try:
            exhibition_id = exhibitions.save(get_db(), None, _form(), _user())
        except exhibitions.ExhibitionError as exc:
            return render_template(
                "curate/exhibition_edit.html",
                hall=None,
                form=_form(),
                error=str(exc),
                STATUSES=STATUSES,
            ), 400
        return redirect(url_for("curate.edit_exhibition", exhibition_id=exhibition_id))
    return render_template("curate/exhibition_edit.html", hall=None, form={}, STATUSES=STATUSES)


@bp.route("/exhibitions/<int:exhibition_id>", methods=["GET", "POST"])
def edit_exhibition(exhibition_id: int):
    db = get_db()
    hall = exhibitions.for_editing(db, exhibition_id)
    if hall is None:
        abort(404)
    if request.method == "POST":
        try:
            exhibitions.save(db, exhibition_id, _form(), _user())
        except exhibitions.ExhibitionError as exc:
            return render_template(
                "curate/exhibition_edit.html",
                hall=hall,
                form=_form(),
                error=str(exc),
                STATUSES=STATUSES,
            ), 400
        flash("展厅已保存")
        return redirect(url_for("curate.edit_exhibition", exhibition_id=exhibition_id))
    return render_template("curate/exhibition_edit.html", hall=hall, form=hall, STATUSES=STATUSES)


@bp.get("/exhibitions/<int:exhibition_id>/history")
def exhibition_history(exhibition_id: int):
    db = get_db()
    hall = exhibitions.for_editing(db, exhibition_id)
    if hall is None:
        abort(404)
    return render_template(
        "curate/exhibition_history.html",
        hall=hall,
        revisions=revisions.exhibition_history(db, exhibition_id),
        ACTIONS=revisions.ACTIONS,
    )


@bp.post("/exhibitions/<int:exhibition_id>/sections")
def add_section(exhibition_id: int):
    return _section_change(exhibition_id, "add", None)


@bp.post("/exhibitions/<int:exhibition_id>/sections/<int:section_id>")
def change_section(exhibition_id: int, section_id: int):
    return _section_change(exhibition_id, request.form.get("action", ""), section_id)


def _section_change(exhibition_id: int, action: str, section_id: int | None):
    db = get_db()
    form = _form()
    try:
        if form.get("honoree"):  # picked by name
            form["honoree_id"] = str(editing.pick(db, form["honoree"]))
        exhibitions.change_section(db, exhibition_id, action, form, _user(), section_id)
    except (exhibitions.ExhibitionError, editing.EditError) as exc:
        hall = exhibitions.for_editing(db, exhibition_id)
        if hall is None:
            abort(404)
        return render_template(
            "curate/exhibition_edit.html", hall=hall, form=hall, error=str(exc), STATUSES=STATUSES
        ), 400
    flash("展厅单元已更新")
    return redirect(url_for("curate.edit_exhibition", exhibition_id=exhibition_id))


# --- the title vocabulary -----------------------------------------------------------
# Curators and admins (the blueprint's guard); printers only print.


def _titles_page(
    status: int = 200,
    error: str | None = None,
    *,
    form: dict | None = None,
    kept: tuple[str, str, dict] | None = None,
):
    """The titles page; ``kept``: (the title, which of its forms, what was typed) of a
    refused change, shown back open with the curator's input."""
    from ..review import changes

    waiting = [c for c in changes.queue(get_db()) if c["kind"] == "titles"]
    return render_template(
        "curate/titles.html",
        titles=vocabulary.titles(get_db()),
        waiting_changes=waiting,
        error=error,
        form=form or {},
        kept=kept,
        LEVELS=LEVELS,
        KINDS=KINDS,
        MAX_TITLE=vocabulary.MAX_TITLE,
    ), status


@bp.get("/proposals")
def proposal_list():
    """Changes imports proposed to existing records, waiting for a curator."""
    return render_template("curate/proposals.html", items=proposals.pending(get_db()))


@bp.post("/proposals/<int:proposal_id>")
def decide_proposal(proposal_id: int):
    action = request.form.get("action")
    if action not in ("apply", "dismiss"):
        abort(400)
    change = proposals.apply if action == "apply" else proposals.dismiss
    try:
        honoree_id = change(get_db(), proposal_id, _user())
    except editing.RecordError as exc:
        flash(str(exc))
    else:
        flash("已应用这条修改" if action == "apply" else "已忽略这条修改，记录保持不变")
        if request.form.get("next") == "record":
            return _back(honoree_id)
    return redirect(url_for("curate.proposal_list"))


@bp.get("/titles")
def titles():
    return _titles_page()


@bp.post("/titles")
def add_title():
    form = _form()
    try:
        kept, name = _make(
            "titles",
            vocabulary.clean(form.get("title", "")),
            "add",
            {
                "title": form.get("title", ""),
                "level": form.get("level", ""),
                "conferred_on": form.get("conferred_on", ""),
                "position": form.get("position"),
            },
        )
    except vocabulary.VocabularyError as exc:
        return _titles_page(400, str(exc), form=form)
    flash(REVIEW_NOTICE if kept else f"已添加称号“{name}”")
    return redirect(url_for("curate.titles"))


@bp.post("/titles/update")
def update_title():
    form = _form()
    title = form.get("title", "")
    try:
        kept, changed = _make(
            "titles",
            title,
            "update",
            {
                "title": title,
                "level": form.get("level", ""),
                "conferred_on": form.get("conferred_on", ""),
                "position": form.get("position"),
            },
        )
    except vocabulary.VocabularyError as exc:
        return _titles_page(400, str(exc), kept=(title, "update", form))
    flash(
        REVIEW_NOTICE
        if kept
        else f"称号“{title}”已保存" + (f"，{changed} 项荣誉的级别随之改变" if changed else "")
    )
    return redirect(url_for("curate.titles"))


@bp.post("/titles/english")
def title_english():
    """A title's English name (blank clears it: English pages then show the Chinese)."""
    form = _form()
    title = form.get("title", "")
    try:
        kept, english = _make(
            "titles", title, "english", {"title": title, "english": form.get("english", "")}
        )
    except vocabulary.VocabularyError as exc:
        return _titles_page(400, str(exc), kept=(title, "english", form))
    flash(
        REVIEW_NOTICE
        if kept
        else f"称号“{title}”的英文名称已保存为“{english}”"
        if english
        else f"称号“{title}”的英文名称已清空，英文页面将显示中文名称"
    )
    return redirect(url_for("curate.titles"))


@bp.post("/titles/rename")
def rename_title():
    form = _form()
    title = form.get("title", "")
    try:
        kept, done = _make("titles", title, "rename", {"title": title, "new": form.get("new", "")})
    except vocabulary.VocabularyError as exc:
        return _titles_page(400, str(exc), kept=(title, "rename", form))
    flash(
        REVIEW_NOTICE
        if kept
        else f"称号“{title}”已改名为“{done['title']}”（{done['honours']} 项荣誉，"
        f"{done['honorees']} 条记录）；原名称保留为别名"
    )
    return redirect(url_for("curate.titles"))


@bp.route("/titles/merge", methods=["GET", "POST"])
def merge_title():
    """GET: what merging ``source`` into ``target`` would move, and a button to
    confirm; POST: merge."""
    values = request.values
    source, target = values.get("source", ""), values.get("target", "")
    db = get_db()
    try:
        if request.method == "GET":
            return render_template(
                "curate/title_merge.html",
                LEVELS=LEVELS,
                preview=vocabulary.merge_preview(db, source, target),
            )
        kept, done = _make("titles", source, "merge", {"title": source, "target": target})
    except vocabulary.VocabularyError as exc:
        return _titles_page(400, str(exc), kept=(source, "merge", values.to_dict()))
    if kept:
        flash(REVIEW_NOTICE)
    else:
        flash(
            f"已把称号“{source}”并入“{target}”（{done['honours']} 项荣誉，"
            f"{done['honorees']} 条记录"
            + (f"，删去重复 {done['duplicates']} 项" if done["duplicates"] else "")
            + "）；原名称保留为别名"
        )
    return redirect(url_for("curate.titles"))


# --- import and export --------------------------------------------------------------

TEMPLATE_NAME = "导入模板.xlsx"


def _import_page(status: int = 200, error: str | None = None, form: dict | None = None):
    return render_template(
        "curate/import.html",
        error=error,
        form=form or {},
        NEW_STATUSES=import_jobs.NEW_STATUSES,
        FORMATS=exporter.FORMATS,
        LEVELS=LEVELS,
        recent=import_jobs.recent(get_db()),
    ), status


@bp.route("/import", methods=["GET", "POST"])
def import_sheet():
    """Upload a sheet (and photos); a dry run is queued and its job page shown."""
    if request.method == "GET":
        return _import_page()
    config = current_app.config
    sheet, photos = request.files.get("sheet"), request.files.get("photos")
    try:
        files = import_jobs.save_files(
            config["INSTANCE_DIR"],
            sheet.stream if sheet and sheet.filename else None,
            sheet.filename if sheet else "",
            photos.stream if photos and photos.filename else None,
            config["IMPORT_MAX_MB"] * 1_000_000,
        )
        job_id = import_jobs.start(
            get_db(), files, request.form.get("status", "draft"), _user()["id"]
        )
    except uploads.UploadError as exc:
        return _import_page(413 if isinstance(exc, uploads.TooLarge) else 400, str(exc), _form())
    return redirect(url_for("curate.import_job", job_id=job_id), code=303)


@bp.get("/import/template.xlsx")
def import_template():
    return send_file(
        settings.PROJECT_ROOT / "records" / "templates" / TEMPLATE_NAME,
        as_attachment=True,
        download_name=TEMPLATE_NAME,
        max_age=0,
    )


def _import_job(job_id: int) -> dict:
    job = import_jobs.get(get_db(), job_id)
    if job is None:
        abort(404)
    return job


def _job_page(job: dict, status: int = 200, error: str | None = None, form: dict | None = None):
    return render_template(
        "curate/import_job.html",
        job=job,
        report=job["report"],
        state=import_jobs.status(job),
        can_confirm=import_jobs.can_confirm(job),
        can_import_valid=import_jobs.can_import_valid(job),
        fixup=import_jobs.fixup_path(job) is not None,
        error=error,
        form=form or {},
        DECISIONS=import_jobs.DECISIONS,
        NEW_STATUSES=import_jobs.NEW_STATUSES,
        batch=import_jobs.batch_actions(get_db(), job, _user(), second_approver=_second_approver()),
        BATCH_ACTIONS=import_jobs.BATCH_ACTIONS,
        LEVELS=LEVELS,
        KINDS=KINDS,
        second_approver=_second_approver(),
    ), status


@bp.get("/jobs/<int:job_id>")
def import_job(job_id: int):
    return _job_page(_import_job(job_id))


@bp.get("/jobs/<int:job_id>/fixup")
def import_fixup(job_id: int):
    """The rows a dry run or an import found errors in, with a 错误说明 column."""
    job = _import_job(job_id)
    path = import_jobs.fixup_path(job)
    if path is None:
        abort(404)
    stem = (job["params"].get("file_name") or "表格").rsplit(".", 1)[0]
    return send_file(path, as_attachment=True, download_name=f"{stem}-待修正.xlsx", max_age=0)


@bp.get("/jobs/<int:job_id>/status")
def import_job_status(job_id: int):
    """The job's state for the page's polling script."""
    response = jsonify(import_jobs.status(_import_job(job_id)))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/jobs/<int:job_id>/batch")
def import_batch(job_id: int):
    """Publish, or submit for review, the records a finished import wrote."""
    job = _import_job(job_id)
    try:
        done = import_jobs.act_on_batch(
            get_db(),
            job,
            request.form.get("action", ""),
            _user(),
            second_approver=_second_approver(),
        )
    except (import_jobs.ImportJobError, editing.EditError) as exc:
        return _job_page(job, 400, str(exc))
    flash(done.summary())
    return redirect(url_for("curate.import_job", job_id=job_id), code=303)


@bp.post("/jobs/<int:job_id>/confirm")
def confirm_import(job_id: int):
    job = _import_job(job_id)
    try:
        new_id = import_jobs.confirm(get_db(), job, _form(), _user()["id"])
    except import_jobs.ImportJobError as exc:
        return _job_page(job, 400, str(exc), _form())
    return redirect(url_for("curate.import_job", job_id=new_id), code=303)


@bp.get("/export")
def export():
    """The selection (browse facets) as a CSV, XLSX or JSON download."""
    fmt = request.args.get("format", "csv")
    if fmt not in exporter.FORMATS:
        return _import_page(400, "导出格式只能是 CSV、XLSX 或 JSON")
    try:
        filters = browse.parse(request.args)
    except browse.FilterError as exc:
        return _import_page(400, str(exc))
    data, _count = exporter.download(
        get_db(), fmt, filters, include_unpublished=request.args.get("all") == "1"
    )
    response = send_file(
        io.BytesIO(data),
        mimetype=EXPORT_TYPES[fmt],
        as_attachment=True,
        download_name=f"荣誉人物.{fmt}",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


# --- narration (语音讲解) and convergent-media products (融媒体) ---------------------


@bp.app_template_global()
def media_panel(honoree_id: int) -> dict:
    """What the edit page's 语音讲解 and 融媒体 sections show for one record."""
    from archive.curation import narration
    from archive.printing import shortvideo

    db = get_db()
    snippet = (
        f'<iframe src="{current_app.config["BASE_URL"].rstrip("/")}'
        f'{url_for("public.embed_card", honoree_id=honoree_id)}" width="420" '
        f'height="200" style="border:0;max-width:100%" loading="lazy" '
        f'title="劳模工匠档案卡片"></iframe>'
    )
    jobs_ = shortvideo.jobs_of(db, honoree_id)
    running = next((j for j in jobs_ if j["status"] in ("queued", "running")), None)
    return {
        "narrations": narration.of_honoree(db, honoree_id),
        "jobs": jobs_,
        "running": running,
        "embed": snippet,
        "video": next(
            (j for j in jobs_ if j["kind"] == "share-video" and j["status"] == "done"), None
        ),
    }


def _narration_change(honoree_id: int, change, message: str):
    from archive.curation import narration

    _record(honoree_id)
    try:
        kept = change()
    except (narration.NarrationError, uploads.UploadError, editing.EditError) as exc:
        return _edit_page(_record(honoree_id), 400, error=str(exc))
    flash(REVIEW_NOTICE if kept is True else message)
    return _back(honoree_id, "#narration")


@bp.post("/honorees/<int:honoree_id>/narration")
def upload_narration(honoree_id: int):
    """A recording of the story: checked now, encoded by the worker."""
    from archive.curation import narration

    config = current_app.config
    file = request.files.get("audio")

    def change():
        if not file:
            raise narration.NarrationError("请选择要上传的录音")
        if not (request.form.get("transcript") or "").strip():
            raise narration.NarrationError("请填写讲解的文字稿，供听不清或听不了的观众阅读")
        folder = narration.originals_dir(config["MEDIA_DIR"])
        path = uploads.save_stream(
            file.stream, folder, config["NARRATION_MAX_MB"] * 1_000_000, "录音"
        )
        held = _reviewed("narration", honoree_id)
        try:
            probed = narration.probe(path)
            narration_id = narration.add_recording(
                get_db(),
                config["MEDIA_DIR"],
                probed,
                honoree_id,
                transcript=request.form.get("transcript", ""),
                credit=request.form.get("credit"),
                user_id=_user()["id"],
                held=held,
            )
        finally:
            path.unlink(missing_ok=True)
        if held:
            return _step("narration", honoree_id, "publish", {"narration_id": narration_id})

    return _narration_change(honoree_id, change, "录音已上传，正在后台转码，完成后即在档案页播放")


@bp.post("/honorees/<int:honoree_id>/narration/synthesise")
def synthesise_narration(honoree_id: int):
    from archive.curation import narration

    return _narration_change(
        honoree_id,
        lambda: narration.queue_synthesis(get_db(), honoree_id, _user()["id"]),
        "已排队合成语音；生成后需审核通过才会公开",
    )


@bp.post("/honorees/<int:honoree_id>/narration/<int:narration_id>")
def change_narration(honoree_id: int, narration_id: int):
    action = request.form.get("action", "")
    if action in ("approve", "delete"):
        return _narration_change(
            honoree_id,
            lambda: _step(
                "narration",
                honoree_id,
                "publish" if action == "approve" else "delete",
                {"narration_id": narration_id},
            ),
            "合成语音已审核通过，档案页已可收听（标注为合成语音）"
            if action == "approve"
            else "讲解已删除",
        )
    return _edit_page(_record(honoree_id), 400, error="未知的操作")


@bp.get("/narration/<int:narration_id>.m4a")
def narration_preview(narration_id: int):
    """Any encoded narration (pending ones included), for curators to listen before
    approving."""
    from archive.curation import narration

    found = narration.get(get_db(), narration_id)
    if found is None or not found["file"]:
        abort(404)
    response = send_from_directory(
        narration.audio_dir(current_app.config["MEDIA_DIR"]),
        found["file"],
        mimetype="audio/mp4",
        conditional=True,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/honorees/<int:honoree_id>/share-video")
def make_share_video(honoree_id: int):
    """Queue the short vertical video (1080×1920) of a profile."""
    from archive.printing import shortvideo

    return _narration_change(
        honoree_id,
        lambda: shortvideo.enqueue(get_db(), honoree_id, _user()["id"]),
        "已排队生成短视频，完成后可在此下载",
    )


@bp.get("/media-jobs/<int:job_id>/status")
def media_job_status(job_id: int):
    """A narration or video job's state for the edit page's progress bar."""
    from archive import jobs
    from archive.printing import shortvideo

    job = jobs.get(get_db(), job_id)
    if job is None or job["kind"] not in shortvideo.MEDIA_JOBS:
        abort(404)
    response = jsonify(shortvideo.job_state(job))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/honorees/<int:honoree_id>/share-video/<int:job_id>.mp4")
def share_video_file(honoree_id: int, job_id: int):
    from archive import jobs
    from archive.printing import shortvideo

    job = jobs.get(get_db(), job_id)
    path = shortvideo.output_of(current_app.config["MEDIA_DIR"], job, honoree_id)
    if path is None:
        abort(404)
    return send_file(
        path,
        mimetype="video/mp4",
        as_attachment=True,
        download_name=f"短视频-{honoree_id}.mp4",
        conditional=True,
        max_age=0,
    )


# albums, covers, themes, the hall editor; pending changes under review
from . import curate_halls, curate_review  # noqa: E402,F401
