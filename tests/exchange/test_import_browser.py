"""The web import in a real browser against gunicorn: the job page follows the
worker by itself (its script polls the status endpoint), the finished batch is
published in one step, and the list's "select all" box ticks every row."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from archive import worker
from tests.curating import PASSWORD
from tests.exchange.test_import_web import csv_file

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


def test_the_job_page_follows_the_worker_and_the_batch_publishes(
    admin_site, empty_archive, tmp_path
):
    sheet = tmp_path / "名单.csv"
    sheet.write_bytes(
        csv_file(
            "1,张三,男,杭州机床厂,全国劳动模范,2020,国务院,,",
            "2,李四,女,宁波港集团,全国劳动模范,2015,国务院,,",
        )
    )
    app = empty_archive.app()
    db = empty_archive.db()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-sync",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        page = browser.new_page(locale="zh-CN")
        problems = []
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.goto(f"{admin_site}/curate/login")
        page.fill("input[name=username]", "guanzhang")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{admin_site}/curate/")

        page.goto(f"{admin_site}/curate/import")
        page.set_input_files("input[name=sheet]", str(sheet))
        page.click("button:has-text('上传并预检')")
        page.wait_for_selector("text=排队中")
        assert page.locator("progress").count() == 1
        assert worker.run_one(app, db)
        page.wait_for_selector("text=预检通过", timeout=15_000)  # no reload by hand
        page.screenshot(path=str(tmp_path / "dry-run.png"), full_page=True)

        page.click("button:has-text('确认导入')")
        page.wait_for_selector("text=排队中")
        assert worker.run_one(app, db)
        page.wait_for_selector("text=导入完成", timeout=15_000)
        assert page.locator(".job-status").inner_text() == "导入完成。"
        page.click("button:has-text('发布本批记录')")
        page.wait_for_selector("text=已发布 2 条")
        page.screenshot(path=str(tmp_path / "published.png"), full_page=True)

        page.goto(f"{admin_site}/curate/")
        page.check("input[data-select-all]")
        assert page.locator("input[name=ids]:checked").count() == 2
        page.uncheck("input[name=ids] >> nth=0")
        assert not page.is_checked("input[data-select-all]")
        page.check("input[name=ids] >> nth=0")
        assert page.is_checked("input[data-select-all]")
        page.click("button[name=action][value=withdraw]")
        page.wait_for_selector("text=已撤回 2 条")
        page.screenshot(path=str(tmp_path / "list.png"), full_page=True)
        browser.close()
    assert not problems, problems
    statuses = {r[0] for r in db.execute("SELECT status FROM honorees")}
    assert statuses == {"withdrawn"}
