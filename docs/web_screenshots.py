"""Redraw the web screenshots shown in the README from the demo exhibit, in headless
Chromium: a profile and an exhibition's cover on a 390 px phone, and a back-office
form on a desktop. Each is reduced to a 256-colour PNG (kept under 300 KB).

    .venv/bin/python docs/web_screenshots.py
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from PIL import Image

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from archive import migrations, search  # noqa: E402
from archive.demo import load as demo_load  # noqa: E402
from tests.conftest import Archive, config_for, free_port, start_gunicorn  # noqa: E402
from tests.curating import PASSWORD, make_user  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LIMIT = 300 * 1024


def save(png: bytes, name: str, height: int | None = None) -> None:
    """The screenshot cut to ``height`` pixels, quantised and optimised; refuses
    to write one over the size limit."""
    with Image.open(io.BytesIO(png)) as opened:
        image = opened.convert("RGB")
    if height:
        image = image.crop((0, 0, image.width, min(image.height, height)))
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    small.save(buffer, "PNG", optimize=True)
    if buffer.tell() > LIMIT:
        raise SystemExit(f"{name}: {buffer.tell():,} bytes, over {LIMIT:,}")
    (DOCS / name).write_bytes(buffer.getvalue())
    print(f"docs/{name}: {image.width}×{image.height}, {buffer.tell():,} bytes")


def main() -> None:
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="web-shots-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    archive = Archive(root, config_for(root, BASE_URL=base))
    db = archive.db()
    migrations.apply(db)
    demo_load.load(db, archive.config["MEDIA_DIR"], archive.config["DEMO_DIR"])
    search.rebuild(db, archive.config["INDEX_DIR"])
    make_user(archive, "guanzhang", "admin")
    profile = db.execute("SELECT h.id FROM honorees h JOIN photos p ON p.honoree_id = h.id "
                         "WHERE h.kind = 'individual' AND h.status = 'published' "
                         "AND h.quote != '' ORDER BY h.id LIMIT 1").fetchone()[0]
    exhibition = db.execute("SELECT id FROM exhibitions WHERE status = 'published' "
                            "ORDER BY position, id LIMIT 1").fetchone()[0]
    server = start_gunicorn(archive, port, {"ARCHIVE_BASE_URL": base})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            phone = browser.new_context(viewport={"width": 390, "height": 844},
                                        device_scale_factor=2, is_mobile=True,
                                        has_touch=True, locale="zh-CN").new_page()
            phone.goto(f"{base}/honorees/{profile}", wait_until="networkidle")
            save(phone.screenshot(full_page=True), "profile-phone.png", height=2400)
            phone.goto(f"{base}/exhibitions/{exhibition}", wait_until="networkidle")
            save(phone.screenshot(), "exhibition-cover-phone.png")
            desk = browser.new_context(viewport={"width": 1280, "height": 900},
                                       device_scale_factor=1, locale="zh-CN").new_page()
            desk.goto(f"{base}/curate/login")
            desk.fill("input[name=username]", "guanzhang")
            desk.fill("input[name=password]", PASSWORD)
            desk.click("button[type=submit]")
            desk.goto(f"{base}/curate/honorees/{profile}", wait_until="networkidle")
            save(desk.screenshot(full_page=True), "backoffice-form.png", height=1400)
            browser.close()
    finally:
        server.terminate()
        server.wait(15)
        archive.close()


if __name__ == "__main__":
    main()
