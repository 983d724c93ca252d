"""The back office in a real browser (Debian's Chromium through Playwright) against
gunicorn: log in, create an honoree with a photo, publish it, find it by search,
open its QR code and follow it."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import sync_playwright

from archive import search
from tests.curating import PASSWORD

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser


def test_curator_publishes_an_honoree_that_visitors_find_and_scan(
    admin_site, empty_archive, tmp_path
):
    photo = tmp_path / "portrait.jpg"
    Image.linear_gradient("L").resize((900, 1200)).convert("RGB").save(photo, "JPEG")
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
        blocked = []
        page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))

        page.goto(f"{admin_site}/curate/")
        assert "/curate/login" in page.url
        page.fill("input[name=username]", "guanzhang")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{admin_site}/curate/")

        page.click("text=新建记录")
        page.fill("input[name=name]", "欧阳铁柱")
        page.fill("input[name=unit]", "浏览器测试机床厂")
        page.fill("div.editor[aria-label='事迹正文']", "三十年如一日，扎根车间。")  # no Markdown
        page.fill("div.editor[aria-label='英文事迹']", "Thirty years at the same lathe.")
        page.click("button:has-text('创建草稿')")
        page.wait_for_selector("text=已创建草稿")
        honoree_id = int(page.url.rsplit("/", 1)[1].split("#")[0])
        assert empty_archive.db().execute(
            "SELECT story, story_en FROM honorees WHERE id = ?", [honoree_id]
        ).fetchone()[:] == ("三十年如一日，扎根车间。", "Thirty years at the same lathe.")

        page.select_option("select[name=title]", "全国劳动模范")
        page.fill("#honours ~ form input[name=year]", "2020")
        page.click("button:has-text('添加荣誉')")
        page.wait_for_selector("text=已添加荣誉")

        upload = page.locator("#photo-upload")
        upload.locator("input[name=photo]").set_input_files(str(photo))
        upload.locator("input[name=alt]").fill("欧阳铁柱在车床前")
        upload.locator("button[type=submit]").click()
        page.wait_for_selector("text=照片已上传")
        assert page.locator(".photos img").first.evaluate("i => i.naturalWidth") > 0

        page.click("button:has-text('提交审核')")
        page.wait_for_selector("text=待审核")
        page.click("button:has-text('审核通过并发布')")
        page.wait_for_selector("text=状态已改为“已发布”")

        # The index follows the outbox through the worker; on this branch the outbox
        # drain is not built yet, so rebuild as the `reindex` command would.
        search.rebuild(empty_archive.db(), empty_archive.config["INDEX_DIR"])

        page.goto(f"{admin_site}/search?q=欧阳铁柱")
        page.click("a:has-text('欧阳铁柱')")
        page.wait_for_url(f"{admin_site}/honorees/{honoree_id}")
        assert page.locator("h1").inner_text() == "欧阳铁柱"
        portrait = page.locator("img[alt='欧阳铁柱在车床前']")
        assert portrait.evaluate("i => i.complete && i.naturalWidth > 0")

        assert not blocked, blocked  # (Chromium's own viewer for a bare image styles inline)
        code = (
            empty_archive.db()
            .execute("SELECT code FROM honorees WHERE id = ?", [honoree_id])
            .fetchone()[0]
        )
        response = page.goto(f"{admin_site}/qr/{code}.png")
        assert response.status == 200
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.body())))
        assert decoded and decoded[0].text == f"{admin_site}/q/{code}"
        page.goto(decoded[0].text)
        assert page.url == f"{admin_site}/honorees/{honoree_id}"
        browser.close()


WORD_PASTE = (
    "<html xmlns:o='urn:schemas-microsoft-com:office:office'><head><style>p.MsoNormal"
    "{margin:0}</style></head><body><p class=MsoNormal style='text-indent:2em'>"
    "<span style='font-family:宋体;color:red'>第一段，从 Word 粘贴。</span><o:p></o:p></p>"
    "<p class=MsoNormal><b><span style='font-size:14pt'>加粗的话</span></b>"
    "<span style='font-weight:700'>也加粗</span>，其余照常。<o:p></o:p></p>"
    "<table><tr><td>表格里的字</td></tr></table><script>alert(1)</script></body></html>"
)


def test_a_story_is_written_without_markdown_and_word_pastes_keep_paragraphs_and_bold(
    admin_site, empty_archive
):
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
        page.goto(f"{admin_site}/curate/login")
        page.fill("input[name=username]", "guanzhang")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{admin_site}/curate/honorees/new")
        assert not page.is_visible("textarea[name=story]")  # no Markdown in sight
        page.fill("input[name=name]", "粘贴测试")
        page.click("div.editor[aria-label='事迹正文']")
        page.evaluate(
            """html => {
            const data = new DataTransfer();
            data.setData('text/html', html);
            data.setData('text/plain', 'plain');
            document.querySelector('.editor').dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
            WORD_PASTE,
        )
        page.click("button:has-text('创建草稿')")
        page.wait_for_selector("text=已创建草稿")
        browser.close()
    story = (
        empty_archive.db()
        .execute("SELECT story FROM honorees WHERE name = '粘贴测试'")
        .fetchone()[0]
    )
    assert story.split("\n\n") == [
        "第一段，从 Word 粘贴。",
        "**加粗的话也加粗**，其余照常。",
        "表格里的字",
    ]
