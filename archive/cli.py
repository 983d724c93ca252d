"""Admin tasks, all under ``flask --app archive``. Thin: they call services."""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from archive import jobs, migrations, search, settings, worker
from archive.catalogue import browse, vocabulary
from archive.exchange import backup, exporter, importer

from . import db as database


def _db():
    return database.open_for(current_app.config)


@click.command("init")
@click.option("--no-demo", is_flag=True, help="Do not load the demo exhibit into an empty archive.")
@click.option(
    "--no-admin", is_flag=True, help="Do not create the first admin account when there is none."
)
@with_appcontext
def init_command(no_demo: bool, no_admin: bool) -> None:
    """First-run set-up, safe to repeat: secret key, migrations, demo exhibit, first admin
    account, search index."""
    from . import cleanup
    from .demo import load as demo_load

    db = _db()
    applied = migrations.apply(db)
    click.echo(f"数据库：{current_app.config['DATABASE']}（新迁移 {len(applied)} 个）")
    removed = cleanup.temporaries(
        current_app.config, current_app.instance_path, min_age=cleanup.IN_USE_GRACE
    )
    if removed:
        click.echo(f"已清理中断留下的临时文件 {removed} 个")
    empty = not db.execute("SELECT count(*) FROM honorees").fetchone()[0]
    if empty and not no_demo:
        started = time.monotonic()
        counts = demo_load.load(db, current_app.config["MEDIA_DIR"], current_app.config["DEMO_DIR"])
        click.echo(
            f"已载入示例数据：{counts['honorees']} 条记录，{counts['exhibitions']} 个展厅"
            f"（{time.monotonic() - started:.1f} 秒）"
        )
        from .halls import store as halls

        for (exhibition_id,) in db.execute("SELECT id FROM exhibitions ORDER BY id").fetchall():
            halls.ensure(db, exhibition_id)  # drawn by the worker as soon as it starts
            jobs.enqueue(db, "hall", {"exhibition_id": exhibition_id})
        click.echo("网上全景展馆：已排队生成，后台进程启动后数十秒内可用")
    if not no_admin and not db.execute("SELECT count(*) FROM users").fetchone()[0]:
        _first_admin(db)
    found = search.ensure(db, current_app.config["INDEX_DIR"])
    labels = {"missing": "不存在", "corrupt": "已损坏", "stale": "已过时"}
    click.echo(
        "检索索引：已是最新" if found == "current" else f"检索索引：已重建（原索引{labels[found]}）"
    )


def _first_admin(db) -> None:
    """An archive with no accounts gets an admin with a random password, shown once."""
    from archive.curation import accounts

    password = secrets.token_urlsafe(12)
    accounts.create_user(db, "admin", password, "admin", "管理员")
    click.echo("已创建第一个管理员账号：用户名 admin，初始密码 " + password)
    click.echo("  请登录 /curate/login 后立即修改密码（/curate/password）；此密码只显示这一次。")


@click.group("demo")
def demo_group() -> None:
    """The demo exhibit (records/demo/)."""


@demo_group.command("generate")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option("--seed", default=2019, show_default=True, help="Random seed.")
@with_appcontext
def demo_generate(out: Path | None, seed: int) -> None:
    """Regenerate the demo dataset files (deterministic for a given seed)."""
    from .demo.generate import generate

    out = out or Path(current_app.config["DEMO_DIR"])
    counts = generate(out, seed=seed)
    click.echo(f"示例数据已写入 {out}：{counts}")


@click.command("reindex")
@click.option("--queue", is_flag=True, help="Leave it to the background worker instead.")
@with_appcontext
def reindex_command(queue: bool) -> None:
    """Rebuild the search index beside the old one and switch to it atomically."""
    db = _db()
    if queue:
        click.echo(f"已排队：任务 {jobs.enqueue(db, 'reindex')}")
        return
    with click.progressbar(length=1, label="重建检索索引") as bar:

        def progress(done, total=None, message=None):
            if total:
                bar.length = total
                bar.update(done - bar.pos)

        search.rebuild(db, current_app.config["INDEX_DIR"], progress=progress)
    click.echo("检索索引已重建")


@click.group("index")
def index_group() -> None:
    """The search index (derived from the database)."""


@index_group.command("verify")
@with_appcontext
def index_verify() -> None:
    """Report drift between the search index and the database; exit 1 if any."""
    db = _db()
    try:
        drift = search.verify(db, current_app.config["INDEX_DIR"])
    except search.SearchUnavailable:
        click.echo("检索索引不存在：请运行 reindex")
        raise SystemExit(1) from None
    for damage in drift.damaged:
        click.echo(f"检索索引文件损坏：{damage}")
    if drift.damaged:
        click.echo("检索仍可使用（上一版索引或按姓名查找）；后台进程将重建索引，或运行 reindex")
    for label, ids in (
        ("索引中缺少", drift.missing),
        ("索引中多出", drift.extra),
        ("索引内容过时", drift.outdated),
    ):
        if ids:
            shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
            click.echo(f"{label} {len(ids)} 条：{shown}")
    if drift.pending:
        click.echo(f"待后台进程写入的更新：{drift.pending} 条")
    if drift.clean:
        click.echo("检索索引与数据库一致")
    else:
        click.echo("发现偏差：运行 reindex 可重建")
        raise SystemExit(1)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the queued jobs, then exit.")
@with_appcontext
def worker_command(once: bool) -> None:
    """Run the background worker (the only writer of the search index)."""
    worker.run(current_app._get_current_object(), stop_when_idle=once)


@click.command("jobs")
@with_appcontext
def jobs_command() -> None:
    """List recent background jobs with their progress."""
    for job in jobs.recent(_db()):
        total = f"/{job['total']}" if job["total"] else ""
        click.echo(
            f"{job['id']:>5}  {job['kind']:<10} {job['status']:<8} "
            f"{job['progress']}{total}  {job['message'] or ''} {job['error'] or ''}"
        )


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="Address for gunicorn.")
@with_appcontext
def serve_command(bind: str) -> None:
    """Serve the archive: gunicorn and the background worker, each restarted (with a
    growing pause) if it dies, stopped together. Run `init` first (make run does)."""
    from . import cleanup
    from .supervisor import Child, Supervisor

    waiting = migrations.pending(_db())
    if waiting:  # new code on an old database would fail wherever it uses what is new
        raise click.ClickException(
            f"数据库还有 {len(waiting)} 个迁移未应用（{'、'.join(waiting)}）：请先运行 "
            "`flask --app archive init`（make run 和 deploy/archive.service 会先运行它），"
            "再启动。"
        )
    removed = cleanup.temporaries(current_app.config, current_app.instance_path)
    if removed:
        click.echo(f"已清理上次中断留下的临时文件 {removed} 个")
    database.publish_generation(_db())  # nginx's cache key starts from the current number
    python = sys.executable
    supervisor = Supervisor(
        children=[
            Child("worker", [python, "-m", "flask", "--app", "archive", "worker"]),
            Child(
                "gunicorn",
                [
                    python,
                    "-m",
                    "gunicorn",
                    "--config",
                    "python:archive.gunicorn_conf",
                    "--bind",
                    bind,
                    "wsgi:app",
                ],
            ),
        ],
        cwd=str(settings.PROJECT_ROOT),
        env=dict(os.environ),
        state_file=Path(current_app.instance_path) / "serve.json",
        say=lambda line: click.echo(line, err=True),
    )
    base = current_app.config["BASE_URL"]
    click.echo(f"档案馆已启动：http://{bind}/  （公开地址设置为 {base}）")
    click.echo(
        f"策展后台：http://{bind}/curate/login（用 init 显示的 admin 账号和初始密码登录，"
        "或用 `flask --app archive create-user` 另建账号）；按 Ctrl+C 停止。"
    )
    supervisor.run()


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--photos",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A ZIP of photos named by 姓名 or 序号.",
)
@click.option("--dry-run", is_flag=True, help="Validate every row and report; write nothing.")
@click.option(
    "--duplicates",
    type=click.Choice(importer.POLICIES),
    default="ask",
    show_default=True,
    help="Rows whose name is in the archive where the evidence points both ways "
    "(same unit or birth date, or a birth date missing): ask (refuse until "
    "decided), skip, create (a new record) or update (the same person: add the "
    "row's honours to that record).",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid rows and write the rows with errors to a fix-up sheet "
    "(the default is all rows or none).",
)
@click.option(
    "--fixup",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the fix-up sheet (default: <file>-待修正.xlsx beside it).",
)
@click.option(
    "--status",
    type=click.Choice(["draft", "review", "published"]),
    default="draft",
    show_default=True,
    help="Status of new records when the file has no 状态 column.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the full report as JSON.",
)
@click.option("--queue", is_flag=True, help="Leave it to the background worker instead.")
@with_appcontext
def import_command(
    file: Path,
    photos: Path | None,
    dry_run: bool,
    duplicates: str,
    skip_invalid: bool,
    fixup: Path | None,
    status: str,
    report: Path | None,
    queue: bool,
) -> None:
    """Import a spreadsheet (CSV, XLSX or XLS) of honorees: all rows or none, or with
    --skip-invalid the valid rows and a fix-up sheet of the others."""
    db = _db()
    if queue:
        job = jobs.enqueue(
            db,
            "import",
            {
                "path": str(file.resolve()),
                "photos": str(photos.resolve()) if photos else None,
                "policy": duplicates,
                "status": status,
                "dry_run": dry_run,
                "file_name": file.name,
                "skip_invalid": skip_invalid,
                "report_path": str(report.resolve()) if report else None,
            },
        )
        click.echo(f"已排队：任务 {job}（用 `jobs` 查看进度）")
        return
    bars: dict[str, object] = {}

    def progress(done, total=None, message=None):
        if not total or message in ("导入完成",):
            return
        bar = bars.get(message)
        if bar is None:
            for old in bars.values():
                old.render_finish()
            bar = bars[message] = click.progressbar(length=total, label=message)
        bar.update(done - bar.pos)

    try:
        plan, done = importer.run(
            db,
            file,
            current_app.config["MEDIA_DIR"],
            dry_run=dry_run,
            progress=progress,
            photos=photos,
            policy=duplicates,
            default_status=status,
            skip_invalid=skip_invalid,
            on_row=lambda done, total: progress(done, total, "正在写入数据库"),
        )
    except importer.ImportRefused as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        for bar in bars.values():
            bar.render_finish()
    if report:
        report.write_text(json.dumps(plan.report(), ensure_ascii=False, indent=1), encoding="utf-8")
    for line in _import_lines(plan):
        click.echo(line)
    if plan.errors and (skip_invalid or dry_run):
        out = importer.fixup_sheet(plan, fixup or file.with_name(f"{file.stem}-待修正.xlsx"))
        if out:
            click.echo(
                f"有错误的 {len(plan.invalid_rows)} 行已写入待修正表：{out}"
                "（改正后再次导入即可补齐）"
            )
    if not plan.ok:
        raise click.ClickException(_refusal(plan))
    counts = plan.counts()
    verb = "预检通过（未写入）" if done is None else "已导入"
    click.echo(
        f"{verb}：共 {counts['rows']} 行，新建 {counts['create']}，更新 {counts['update']}，"
        f"待确认修改 {counts['propose']}，未变 {counts['unchanged']}，"
        f"跳过 {counts['skip']}，有错误未导入 {counts['invalid'] if skip_invalid else 0}，"
        f"新称号 {counts['new_titles']}，照片 {counts['photos']}"
    )
    if counts["propose"]:
        click.echo(
            "与已有记录不同的行已记为待确认修改，不会直接改动记录；"
            "请在后台“待确认修改”中逐条应用或忽略"
        )


def _refusal(plan) -> str:
    """Why nothing was imported, and only the ways out that apply."""
    ways = []
    if plan.file_errors:
        return "未导入任何记录：文件本身有问题，请按上面的提示修改后重试"
    if plan.errors:
        ways.append("修改有错误的行后重试，或加 --skip-invalid 先导入正确的行")
    if plan.undecided:
        ways.append("用 --duplicates 决定同名待确认的记录（或填写档案编号）")
    if not ways:
        ways.append("表格中没有可以导入的行")
    return "未导入任何记录：" + "；".join(ways)


def _import_lines(plan, limit: int = 200):
    for warning in plan.warnings:
        yield f"提示 {warning}"
    for problem in plan.errors[:limit]:
        yield f"错误 {problem}"
    if len(plan.errors) > limit:
        yield f"……另有 {len(plan.errors) - limit} 处错误（用 --report 写出全部）"
    for row in plan.duplicates:
        others = "；".join(
            f"{c['name']}（{c['unit'] or '无单位'}，编号 {c['code']}）" for c in row.candidates
        )
        yield (
            f"同名待确认 {plan.sheet.label(row.number)} {row.record['name']}（{row.record.get('unit') or '无单位'}）"
            f" 与档案中的 {others}：{'待决定' if row.action == 'ask' else row.action}"
        )


@click.command("import-template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), default="导入模板.xlsx")
@with_appcontext
def import_template_command(out: Path) -> None:
    """Write the import template (.xlsx, or .csv by the name's suffix)."""
    importer.write_template(out)
    click.echo(f"导入模板已写入 {out}")


@click.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(exporter.FORMATS),
    help="csv, xlsx or json (default: from the file name).",
)
@click.option("--kind", help="individual or collective")
@click.option("--level", help="national, provincial, municipal or industry")
@click.option("--title", help="an honour title, e.g. 全国劳动模范")
@click.option("--year", help="year of an honour")
@click.option("--region", help="a city, e.g. 杭州市")
@click.option("--industry", help="an industry")
@click.option("--all-statuses", is_flag=True, help="Include drafts and withdrawn records.")
@with_appcontext
def export_command(out: Path, fmt: str | None, all_statuses: bool, **facets) -> None:
    """Export a selection of honorees as CSV, XLSX or JSON (published ones by default)."""
    try:
        filters = browse.parse({k: v for k, v in facets.items() if v})
        count = exporter.export(_db(), out, fmt, filters, include_unpublished=all_statuses)
    except (browse.FilterError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已导出 {count} 条记录到 {out}")


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path), default="backups")
@click.option("--tar", "as_tar", is_flag=True, help="Write one .tar.gz instead of a folder.")
@with_appcontext
def backup_command(dest: Path, as_tar: bool) -> None:
    """Back up the database (consistent, while in use) and the media into DEST."""
    try:
        made = backup.create(
            current_app.config["DATABASE"], current_app.config["MEDIA_DIR"], dest, as_tar=as_tar
        )
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"备份完成：{made}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an archive that already has data.")
@with_appcontext
def restore_command(source: Path, force: bool) -> None:
    """Restore a backup (folder or .tar.gz) with the site stopped, then rebuild the index."""
    try:
        manifest = backup.restore(
            source, current_app.config["DATABASE"], current_app.config["MEDIA_DIR"], force=force
        )
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    db = _db()
    applied = migrations.apply(db)
    search.rebuild(db, current_app.config["INDEX_DIR"])
    db.conn.close()
    click.echo(
        f"已恢复 {manifest['created_at']} 的备份：{manifest['honorees']} 条记录，"
        f"{manifest['media_files']} 个媒体文件（新迁移 {len(applied)} 个），检索索引已重建"
    )


def _selection(exhibition, section, filter_text, ids):
    from urllib.parse import parse_qsl

    from archive.printing.runs import Selection

    return Selection(
        exhibition_id=exhibition,
        section_id=section,
        filters=dict(parse_qsl(filter_text or "")),
        ids=list(ids),
    )


def _print(
    fmt: str, selection, out: Path | None, bleed: bool, queue: bool, mode: str = "view"
) -> None:
    from archive.printing import batches, fonts
    from archive.printing.runs import PrintError

    db = _db()
    try:
        if queue:
            batches.plan(db, current_app.config, fmt, selection)  # fail now, not in the worker
            click.echo(
                f"已排队：任务 {batches.enqueue(db, fmt, selection, bleed, mode)}"
                "（`flask --app archive jobs` 查看进度）"
            )
            return
        batch = batches.plan(db, current_app.config, fmt, selection)
        for warning in batch.warnings:
            click.secho(f"注意：{warning}", fg="yellow", err=True)
        out = out or Path(f"{fmt}.pdf")
        with click.progressbar(
            length=len(batch.items), label=f"生成 {len(batch.items)} 份", file=sys.stderr
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar.update(done - bar.pos)

            printed = batches.produce(
                db,
                current_app.config,
                fmt,
                selection,
                out,
                bleed=bleed,
                progress=progress,
                batch=batch,
                mode=mode,
            )
    except (PrintError, fonts.FontError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.conn.close()
    click.echo(
        f"已生成 {printed.path}：{printed.pages} 页，印次 {printed.run['tag']}"
        f"（二维码带 ?r={printed.run['tag']}，扫码按印次统计）"
    )


_FORMATS = ["poster-a4", "poster-a3", "labels", "labels-2x5", "labels-4x10", "book"]


@click.command("posters")
@click.option("--exhibition", type=int, help="Every honoree of this exhibition, in order.")
@click.option("--section", type=int, help="Only this exhibition section.")
@click.option(
    "--filter",
    "filter_text",
    metavar="QUERY",
    help="A browse filter as on /honorees, e.g. 'level=national&year=2020'.",
)
@click.option("--id", "ids", type=int, multiple=True, help="An honoree id (repeatable).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_FORMATS),
    default="poster-a4",
    show_default=True,
    help="A4/A3 posters, label sheets (3×8, 2×5, 4×10 on A4) or a record book.",
)
@click.option("--bleed", is_flag=True, help="Add 3 mm bleed and crop marks for a print shop.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="The PDF to write.")
@click.option("--queue", is_flag=True, help="Leave it to the background worker instead.")
@click.option(
    "--listen",
    is_flag=True,
    help="A listening run: its codes open the profile with the narration player "
    "ready at the top (scans counted under the run's own tag).",
)
@with_appcontext
def posters_command(exhibition, section, filter_text, ids, fmt, bleed, out, queue, listen) -> None:
    """Print posters, label sheets or a record book as one PDF, recorded as a print run.
    Refuses while BASE_URL is unset or loopback; checks the font covers every character."""
    _print(
        fmt,
        _selection(exhibition, section, filter_text, ids),
        out,
        bleed,
        queue,
        "listen" if listen else "view",
    )


@click.command("record-book")
@click.argument("exhibition", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="The PDF to write.")
@with_appcontext
def record_book_command(exhibition: int, out: Path | None) -> None:
    """The record book (记录册) of an exhibition: cover, contents, a page per honoree."""
    _print(
        "book", _selection(exhibition, None, None, ()), out or Path("record-book.pdf"), False, False
    )


@click.command("print-runs")
@click.option("--changed", is_flag=True, help="List posters whose record changed since printing.")
@with_appcontext
def print_runs_command(changed: bool) -> None:
    """List print runs (tag, format, what, when), or what to reprint."""
    from archive.printing import runs as printing

    db = _db()
    if changed:
        for row in printing.changed_since_printed(db):
            click.echo(
                f"{row['id']:>6}  {row['name']}  印次 {row['tag']} {row['format']} "
                f"{row['printed_at']}  记录更新于 {row['updated_at']}"
            )
    else:
        for run in printing.runs(db):
            click.echo(
                f"{run['tag']}  {run['format']:<9} {run['honoree_count']:>5} 份  "
                f"{run['created_at']}  {run['title']}"
            )
    db.conn.close()


@click.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["admin", "curator", "printer"]),
    required=True,
    help="admin manages accounts; curator edits; printer prints posters.",
)
@click.option("--display-name", default=None, help="The name shown in the history.")
@click.password_option(help="Asked for twice when not given.")
@with_appcontext
def create_user_command(username: str, role: str, display_name: str | None, password: str) -> None:
    """Create a back-office account (the first admin is made this way)."""
    from archive.curation import accounts

    try:
        user_id = accounts.create_user(_db(), username, password, role, display_name)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已创建账号 {username}（{accounts.ROLES[role]}，编号 {user_id}）")


@click.group("titles")
def titles_group() -> None:
    """The honour-title vocabulary: list, add, rename and merge titles; their English."""


def _vocabulary_change(change):
    db = _db()
    try:
        return change(db)
    except vocabulary.VocabularyError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.conn.close()


@titles_group.command("list")
@with_appcontext
def titles_list() -> None:
    """List every title in order: level, whom it is conferred on, aliases, honours."""
    db = _db()
    for t in vocabulary.titles(db):
        aliases = f"  别名：{'、'.join(t['aliases'])}" if t["aliases"] else ""
        click.echo(
            f"{t['position']:>4}  {t['title']}  {vocabulary.LEVELS[t['level']]}  "
            f"{vocabulary.KINDS[t['conferred_on']]}  荣誉 {t['honours']} 项{aliases}  "
            + (f"英文：{t['english']}" if t["english"] else "缺英文")
        )
    db.conn.close()


@titles_group.command("add")
@click.argument("title")
@click.option(
    "--level",
    type=click.Choice(list(vocabulary.LEVELS)),
    required=True,
    help="national 全国, provincial 省级, municipal 市级, industry 行业.",
)
@click.option(
    "--conferred-on",
    type=click.Choice(list(vocabulary.KINDS)),
    default="individual",
    show_default=True,
    help="individual 个人 or collective 集体.",
)
@click.option("--position", type=int, help="Place in the order (default: last).")
@with_appcontext
def titles_add(title: str, level: str, conferred_on: str, position: int | None) -> None:
    """Add a title to the vocabulary."""
    name = _vocabulary_change(
        lambda db: vocabulary.add_title(db, title, level, conferred_on, position)
    )
    click.echo(f"已添加称号“{name}”")


@titles_group.command("english")
@click.argument("title")
@click.argument("english")
@with_appcontext
def titles_english(title: str, english: str) -> None:
    """Set TITLE's English name (what English pages and the API show); "" clears it."""
    text = _vocabulary_change(lambda db: vocabulary.set_title_english(db, title, english))
    click.echo(
        f"称号“{vocabulary.clean(title)}”的英文名称已保存为“{text}”"
        if text
        else f"称号“{vocabulary.clean(title)}”的英文名称已清空"
    )


@titles_group.command("rename")
@click.argument("old")
@click.argument("new")
@with_appcontext
def titles_rename(old: str, new: str) -> None:
    """Rename a title; its honours follow, the old name stays as an alias."""
    done = _vocabulary_change(lambda db: vocabulary.rename_title(db, old, new))
    click.echo(
        f"称号“{old}”已改名为“{done['title']}”（{done['honours']} 项荣誉，"
        f"{done['honorees']} 条记录）；原名称保留为别名"
    )


@titles_group.command("merge")
@click.argument("source")
@click.argument("target")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def titles_merge(source: str, target: str, yes: bool) -> None:
    """Merge SOURCE into TARGET: its honours move, SOURCE becomes an alias of TARGET."""

    def merge(db):
        preview = vocabulary.merge_preview(db, source, target)
        click.echo(
            f"将有 {preview['honours']} 项荣誉（{preview['honorees']} 条记录）从"
            f"“{source}”改为“{target}”"
            + (
                f"，其中 {preview['duplicates']} 项与同年的“{target}”重复，每对保留一项"
                if preview["duplicates"]
                else ""
            )
        )
        if not yes and not click.confirm("确认合并？"):
            raise click.Abort()
        return vocabulary.merge_titles(db, source, target)

    done = _vocabulary_change(merge)
    click.echo(
        f"已把称号“{source}”并入“{target}”（{done['honours']} 项荣誉，"
        f"{done['honorees']} 条记录）；原名称保留为别名"
    )


@click.command("media-orphans")
@click.option("--delete", is_flag=True, help="Remove them (default: only list them).")
@click.option(
    "--min-age",
    type=click.IntRange(0),
    default=None,
    help="Only files at least this many minutes old (default: ORPHAN_GRACE_MINUTES; "
    "an upload writes its files just before its rows).",
)
@with_appcontext
def media_orphans_command(delete: bool, min_age: int | None) -> None:
    """List (or with --delete remove) media files no record or earlier version refers to,
    e.g. left by a killed import."""
    from . import cleanup

    minutes = current_app.config["ORPHAN_GRACE_MINUTES"] if min_age is None else min_age
    db = _db()
    media_dir = current_app.config["MEDIA_DIR"]
    found = (cleanup.remove_orphans if delete else cleanup.orphan_media)(
        db, media_dir, minutes * 60
    )
    db.conn.close()
    for path in found.files[:200]:
        click.echo(str(path))
    verb = "已删除" if delete else "找到"
    click.echo(
        f"{verb}无引用的媒体文件 {len(found.files)} 个，共 {found.bytes / 1e6:.1f} MB"
        + ("" if delete or not found.files else "（加 --delete 删除）")
    )


COMMANDS = [
    init_command,
    demo_group,
    reindex_command,
    index_group,
    worker_command,
    jobs_command,
    serve_command,
    create_user_command,
    import_command,
    import_template_command,
    export_command,
    backup_command,
    restore_command,
    posters_command,
    record_book_command,
    print_runs_command,
    titles_group,
    media_orphans_command,
]


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


# The panoramic halls' commands live with the halls (archive/halls/cli.py).
from .halls.cli import hall_group  # noqa: E402

COMMANDS.append(hall_group)

# --- narration and convergent-media products ---------------------------------------


@click.command("narrate")
@click.argument("ids", type=int, nargs=-1)
@click.option("--missing", is_flag=True, help="Every published honoree with no narration at all.")
@click.option("--queue", is_flag=True, help="Leave it to the background worker instead.")
@with_appcontext
def narrate_command(ids: tuple[int, ...], missing: bool, queue: bool) -> None:
    """Synthesise narrations offline with TTS_COMMAND (nothing is sent anywhere); each
    waits for a curator's approval in the back office before the public hears it."""
    from archive.curation import narration

    db = _db()
    if missing:
        ids = ids + tuple(
            r[0]
            for r in db.execute(
                """SELECT h.id FROM honorees h WHERE h.status = 'published' AND h.deleted_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM narrations n WHERE n.honoree_id = h.id
                               AND n.status IN ('processing', 'pending', 'approved'))
               ORDER BY h.id"""
            )
        )
    if not ids:
        raise click.UsageError("请给出记录编号，或用 --missing")
    for honoree_id in ids:
        if queue:
            click.echo(
                f"{honoree_id}: 已排队，任务 {narration.queue_synthesis(db, honoree_id, None)}"
            )
            continue
        try:
            made = narration.synthesise(db, current_app.config, honoree_id)
        except narration.NarrationError as exc:
            raise click.ClickException(f"{honoree_id}: {exc}") from None
        click.echo(
            f"{honoree_id}: 已合成 {made['duration_s']:.0f} 秒（讲解 {made['id']}），"
            "待策展人在后台审核通过后公开"
        )
    db.conn.close()


@click.command("share-video")
@click.argument("honoree_id", type=int)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Also copy the video here."
)
@click.option("--queue", is_flag=True, help="Leave it to the background worker instead.")
@with_appcontext
def share_video_command(honoree_id: int, out: Path | None, queue: bool) -> None:
    """Make the short vertical video (1080×1920, 30–60 s) of a profile: portrait, photos,
    captions from the summary, and the narration (or silence)."""
    import shutil

    from archive.printing import fonts, shortvideo

    db = _db()
    try:
        if queue:
            click.echo(
                f"已排队：任务 {shortvideo.enqueue(db, honoree_id)}"
                "（`flask --app archive jobs` 查看进度）"
            )
            return
        with click.progressbar(length=100, label="生成短视频", file=sys.stderr) as bar:

            def progress(done: int, total: int | None = None, message: str | None = None):
                bar.update(done - bar.pos)

            made = shortvideo.produce(
                db,
                current_app.config,
                honoree_id,
                shortvideo.output_name(honoree_id),
                progress=progress,
            )
    except (ValueError, RuntimeError, fonts.FontError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.conn.close()
    if out:
        shutil.copyfile(made.path, out)
    click.echo(f"已生成 {out or made.path}：{made.duration_s:.0f} 秒，{made.bytes / 1e6:.1f} MB")


COMMANDS += [narrate_command, share_video_command]
# The static edition's command lives with it (archive/static_site/cli.py).
from .static_site.cli import export_site_command  # noqa: E402

COMMANDS.append(export_site_command)
