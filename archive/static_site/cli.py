"""`flask --app archive export-site OUT`: the static edition."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("export-site")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--full",
    is_flag=True,
    help="Render every page again (default: only what changed since the last export into OUT).",
)
@click.option(
    "--kiosk",
    is_flag=True,
    help="Kiosk pages (large touch targets, no external "
    "links, back to the home page when idle), also zipped as OUT.zip for a USB stick.",
)
@click.option(
    "--idle-minutes",
    type=click.FloatRange(0.1, 120),
    default=3.0,
    show_default=True,
    help="Kiosk: minutes without a touch before returning to the home page.",
)
@click.option(
    "--bagit",
    "bag",
    is_flag=True,
    help="Make OUT a BagIt preservation package "
    "(SHA-256): the edition, a JSON catalogue, the photos' originals, a README.",
)
@click.option(
    "--site-url",
    default="",
    help="Where the edition is published (sitemap, robots.txt); default BASE_URL.",
)
@click.option(
    "--base-path",
    default="/",
    show_default=True,
    help="The edition's path on its host, for the nginx map and _redirects.",
)
@click.option("--no-search", is_flag=True, help="Skip the Pagefind index.")
@click.option(
    "--no-share-images",
    is_flag=True,
    help="Leave out the profiles' share, long "
    "and card images (for WeChat; a kiosk or a deposit may not need them).",
)
@click.option(
    "--jobs",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Processes that render pages (0: one per core for a long queue).",
)
@with_appcontext
def export_site_command(
    out: Path,
    full: bool,
    kiosk: bool,
    idle_minutes: float,
    bag: bool,
    site_url: str,
    base_path: str,
    no_search: bool,
    jobs: int,
    no_share_images: bool,
) -> None:
    """Write every public page of the archive as static files into OUT (relative
    links: works from file://, any sub-path, any static host). A second run
    rewrites only what changed and deletes what was withdrawn. With
    SCAN_BEACON_URL set, the QR redirect pages report scans to that live archive."""
    from . import Options, export_site, package
    from .manifest import Busy
    from .search_index import IndexingFailed

    options = Options(
        kiosk=kiosk,
        idle_minutes=idle_minutes,
        site_url=site_url,
        base_path=base_path,
        full=full or bag,
        search=not no_search,
        jobs=jobs,
        share_images=not no_share_images,
        beacon_url=(
            current_app.config.get("SCAN_BEACON_URL") or os.environ.get("SCAN_BEACON_URL", "")
        ),
    )
    try:
        if bag:
            report, made = package.preservation_bag(current_app, out, options, click.echo)
            made.validate(processes=1)
            click.echo(report.summary())
            click.echo(f"BagIt 保存包：{out}（SHA-256 校验通过）")
            return
        report = export_site(current_app, out, options, click.echo)
    except (Busy, IndexingFailed) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:  # a full disk, a folder it may not write
        raise click.ClickException(
            f"导出中断：{exc.strerror or exc}（{exc.filename or out}）。"
            "已写入的文件会在下次导出时逐一核对，上次完整导出的记录不受影响。"
        ) from None
    click.echo(report.summary())
    if kiosk:
        zip_path = package.kiosk_zip(out, out.with_name(out.name + ".zip"))
        click.echo(f"展厅触摸屏版：{zip_path}（解压到 U 盘后打开 {out.name}/index.html）")
