"""Admin tasks, all under ``flask --app archive``. Thin: they call services."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import db as database
from . import jobs, migrations, search, settings, worker


def _db():
    return database.connect(current_app.config["DATABASE"])


@click.command("init")
@click.option("--no-demo", is_flag=True, help="Do not load the demo exhibit into an empty archive.")
@with_appcontext
def init_command(no_demo: bool) -> None:
    """First-run set-up, safe to repeat: secret key, migrations, demo exhibit, search index."""
    from .demo import load as demo_load

    db = _db()
    applied = migrations.apply(db)
    click.echo(f"数据库：{current_app.config['DATABASE']}（新迁移 {len(applied)} 个）")
    empty = not db.execute("SELECT count(*) FROM honorees").fetchone()[0]
    if empty and not no_demo:
        started = time.monotonic()
        counts = demo_load.load(db, current_app.config["MEDIA_DIR"],
                                current_app.config["DEMO_DIR"])
        click.echo(f"已载入示例数据：{counts['honorees']} 条记录，{counts['exhibitions']} 个展厅"
                   f"（{time.monotonic() - started:.1f} 秒）")
    found = search.ensure(db, current_app.config["INDEX_DIR"])
    labels = {"missing": "不存在", "corrupt": "已损坏", "stale": "已过时"}
    click.echo("检索索引：已是最新" if found == "current" else f"检索索引：已重建（原索引{labels[found]}）")


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
    for label, ids in (("索引中缺少", drift.missing), ("索引中多出", drift.extra),
                       ("索引内容过时", drift.outdated)):
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
        click.echo(f"{job['id']:>5}  {job['kind']:<10} {job['status']:<8} "
                   f"{job['progress']}{total}  {job['message'] or ''} {job['error'] or ''}")


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, help="Address for gunicorn.")
@with_appcontext
def serve_command(bind: str) -> None:
    """Serve the archive: gunicorn and the background worker, stopped together.
    Run `init` first (make run does)."""
    root = str(settings.PROJECT_ROOT)
    env = dict(os.environ)
    processes = [
        subprocess.Popen([sys.executable, "-m", "flask", "--app", "archive", "worker"],
                         cwd=root, env=env),
        subprocess.Popen([sys.executable, "-m", "gunicorn", "--config",
                          "python:archive.gunicorn_conf", "--bind", bind, "wsgi:app"],
                         cwd=root, env=env),
    ]
    base = current_app.config["BASE_URL"]
    click.echo(f"档案馆已启动：http://{bind}/  （公开地址设置为 {base}）")
    click.echo("策展人登录：先运行 `flask --app archive create-user` 创建账号（后台上线后可用）；按 Ctrl+C 停止。")

    def stop(signum=None, frame=None):
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    finally:
        stop()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


COMMANDS = [init_command, demo_group, reindex_command, index_group, worker_command,
            jobs_command, serve_command]


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
