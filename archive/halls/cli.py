"""`flask --app archive hall …`: generated halls and their posters."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import db as database
from .. import jobs


def _db():
    return database.open_for(current_app.config)


@click.group("hall")
def hall_group() -> None:
    """The online panoramic halls (网上全景展馆) of exhibitions."""


@hall_group.command("generate")
@click.argument("exhibition", type=int)
@click.option("--queue", is_flag=True, help="Leave the drawing to the background worker.")
@with_appcontext
def hall_generate(exhibition: int, queue: bool) -> None:
    """Draw (or redraw) the generated hall of EXHIBITION: one room per section (more
    when a section has more portraits than a room holds), doors between them."""
    from . import generate, store

    db = _db()
    if not db.execute("SELECT 1 FROM exhibitions WHERE id = ?", [exhibition]).fetchone():
        raise click.ClickException(f"没有编号为 {exhibition} 的展厅")
    hall = store.ensure(db, exhibition)
    if queue:
        job = jobs.enqueue(db, "hall", {"exhibition_id": exhibition})
        click.echo(f"已排队：任务 {job}（展馆编码 {hall['code']}）")
        return
    with click.progressbar(length=1, label="绘制展室") as bar:

        def progress(done, total, message=None):
            bar.length = total
            bar.update(done - bar.pos)

        done = generate.generate(db, current_app.config, exhibition, progress)
    click.echo(
        f"已生成：{done['rooms']} 个展室，{done['portraits']} 幅肖像，"
        f"{done['seconds']:.1f} 秒；展馆编码 {hall['code']}"
    )


@hall_group.command("list")
@with_appcontext
def hall_list() -> None:
    """The halls with their short codes, rooms and when they were last drawn."""
    db = _db()
    for row in db.execute(
        """SELECT h.*, e.title, e.status, (SELECT count(*) FROM hall_scenes s
                   WHERE s.hall_id = h.id) AS scenes
               FROM halls h JOIN exhibitions e ON e.id = h.exhibition_id ORDER BY e.id"""
    ):
        click.echo(
            f"{row['exhibition_id']:>4}  {row['code']}  {row['scenes']:>3} 个展室  "
            f"{row['status']:<9} {row['rendered_at'] or '未生成'}  {row['title']}"
        )


@hall_group.command("poster")
@click.argument("exhibition", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["poster-a4", "poster-a3"]),
    default="poster-a4",
    show_default=True,
    help="Paper size.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The PDF to write (default 展馆海报-<id>-<format>.pdf).",
)
@with_appcontext
def hall_poster(exhibition: int, fmt: str, out: Path | None) -> None:
    """The hall's poster (扫码进入网上展馆) as a print-ready PDF, recorded as a print run
    so its scans are counted apart."""
    from archive.printing.runs import PrintError

    from . import printing as hall_printing

    try:
        data, run = hall_printing.poster(_db(), current_app.config, exhibition, fmt)
    except PrintError as exc:
        raise click.ClickException(str(exc)) from None
    out = out or Path(f"展馆海报-{exhibition}-{fmt}.pdf")
    out.write_bytes(data)
    click.echo(f"已写入 {out}（印次 {run['tag']}）")
