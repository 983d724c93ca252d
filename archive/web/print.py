"""The print staff's pages under /print/: HTML print views with @page CSS, print
batches run by the background worker with a job page, scan statistics and the
reprint list. Access is checked ONCE, in this blueprint's before_request hook."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qsl

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from archive import jobs
from archive.catalogue import exhibitions, scans
from archive.printing import batches, fonts, labels
from archive.printing import runs as printing
from archive.printing.runs import PrintError, Selection

from ..db import get_db
from .auth import guard
from .errors import bad_request
from .params import is_plain_int

bp = Blueprint("print", __name__, url_prefix="/print")

SELECTION_ARGS = ("exhibition", "section", "id", "format", "bleed", "filter")


# The one access check for every /print/ route: signed-in print staff, curators, admins.
guard(bp, {"admin", "curator", "printer"})


def _int(name: str, source=None) -> int | None:
    value = (source or request.args).get(name, "")
    if not value:
        return None
    if not is_plain_int(value, 9):
        raise bad_request(f"参数 {name} 应为正整数")
    return int(value)


def _selection(source) -> Selection:
    ids = []
    for value in source.getlist("id"):
        if not is_plain_int(value, 9):
            raise bad_request("编号应为正整数")
        ids.append(int(value))
    filters = {k: v for k, v in source.items() if k not in SELECTION_ARGS}
    filters.update(parse_qsl(source.get("filter", "")))
    return Selection(
        exhibition_id=_int("exhibition", source),
        section_id=_int("section", source),
        filters=filters,
        ids=ids,
    )


def _format(source) -> str:
    fmt = source.get("format", "poster-a4")
    if fmt not in printing.FORMATS:
        raise bad_request("未知的打印格式")
    return fmt


def _plan(fmt: str, selection: Selection) -> batches.Batch:
    try:
        return batches.plan(get_db(), current_app.config, fmt, selection)
    except (PrintError, fonts.FontError) as exc:
        raise bad_request(str(exc)) from None


@bp.get("/")
def index():
    db = get_db()
    halls = exhibitions.list_public(db)
    for hall in halls:
        hall["sections"] = exhibitions.sections(db, hall["id"])
    problem = None
    try:
        printing.check_base_url(current_app.config["BASE_URL"])
    except PrintError as exc:
        problem = str(exc)
    return render_template(
        "print/index.html",
        halls=halls,
        runs=printing.runs(db, 20),
        recent=[j for j in jobs.recent(db, 30) if j["kind"] == "print"],
        formats=printing.FORMATS,
        problem=problem,
    )


@bp.get("/view")
def view():
    """The HTML print view: posters or a label sheet, laid out with @page CSS."""
    fmt = _format(request.args)
    if fmt == "book":
        raise bad_request("记录册请生成 PDF")
    selection = _selection(request.args)
    batch = _plan(fmt, selection)
    per_sheet = labels.STOCKS[fmt].per_sheet if fmt in labels.STOCKS else 1
    return render_template(
        "print/view.html",
        batch=batch,
        fmt=fmt,
        selection=selection,
        query=request.query_string.decode(),
        per_sheet=per_sheet,
    )


@bp.post("/jobs")
def start_job():
    """Queue a print batch for the background worker and go to its job page."""
    fmt = _format(request.form)
    selection = _selection(request.form)
    _plan(fmt, selection)  # refuse now, with the reason, rather than in the worker
    job_id = batches.enqueue(
        get_db(),
        fmt,
        selection,
        bleed=request.form.get("bleed") == "1",
        mode="listen" if request.form.get("listen") == "1" else "view",
    )
    return redirect(url_for("print.job", job_id=job_id), code=303)


def _print_job(job_id: int) -> dict:
    import json

    job = jobs.get(get_db(), job_id)
    if job is None or job["kind"] != "print":
        abort(404)
    job["params"] = json.loads(job["params"])
    return job


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    return render_template("print/job.html", job=_print_job(job_id), formats=printing.FORMATS)


@bp.get("/jobs/<int:job_id>/file.pdf")
def job_file(job_id: int):
    job = _print_job(job_id)
    if job["status"] != "done":
        abort(404)
    path = batches.output_path(current_app.config["MEDIA_DIR"], job["params"]["output"])
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{job['params']['format']}-{job_id}.pdf",
        max_age=0,
    )


def _stats_filters() -> dict:
    run = request.args.get("run", "").strip().upper()
    if run and not printing.run_by_tag(get_db(), run):
        raise bad_request("没有这个印次")
    return {
        "honoree_id": _int("honoree"),
        "exhibition_id": _int("exhibition"),
        "run_tag": run or None,
    }


@bp.get("/stats")
def stats():
    db = get_db()
    chosen = _stats_filters()
    return render_template(
        "print/stats.html",
        chosen=chosen,
        rows=scans.rows(db, **chosen, limit=500),
        chart=scans.chart_svg(scans.daily(db, **chosen)),
        by_honoree=scans.totals_by(db, "honoree", 20),
        by_exhibition=scans.totals_by(db, "exhibition", 20),
        by_run=scans.totals_by(db, "run", 20),
        by_mode=scans.totals_by(db, "mode"),
        query=request.query_string.decode(),
    )


@bp.get("/stats.csv")
def stats_csv():
    rows = scans.rows(get_db(), **_stats_filters())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["日期", "人物编号", "姓名", "短码", "印次", "格式", "展厅编号", "展厅", "扫码次数"]
    )
    for r in rows:
        writer.writerow(
            [
                r["day"],
                r["honoree_id"],
                r["name"],
                r["code"],
                r["run_tag"],
                r["format"] or "",
                r["exhibition_id"] or "",
                r["exhibition"] or "",
                r["count"],
            ]
        )
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=scans.csv"},
    )


@bp.get("/reprint")
def reprint():
    """Posters whose record changed after they were printed."""
    return render_template("print/reprint.html", rows=printing.changed_since_printed(get_db()))
