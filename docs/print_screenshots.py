"""Redraw the print screenshots shown in the README (docs/print-*.png) from the demo
exhibit: an A4 and an A3 poster and a record-book spread, at 60 dpi.

    .venv/bin/python docs/print_screenshots.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from archive import create_app, migrations  # noqa: E402
from archive import db as database  # noqa: E402
from archive.demo import load as demo_load  # noqa: E402
from archive.printing import batches  # noqa: E402
from archive.printing.runs import Selection  # noqa: E402


def page_png(pdf: Path, page: int, dpi: int, out: Path) -> Image.Image:
    prefix = out.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png",
                    "-singlefile", str(pdf), str(prefix)], check=True)
    with Image.open(f"{prefix}.png") as image:
        return image.convert("RGB")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = {"DATABASE": str(root / "a.db"), "MEDIA_DIR": str(root / "media"),
                  "INDEX_DIR": str(root / "index"), "INSTANCE_DIR": str(root / "instance"),
                  "SECRET_KEY": "screenshots", "BASE_URL": "https://dangan.example.org"}
        app = create_app(config)
        db = database.connect(config["DATABASE"])
        migrations.apply(db)
        demo_load.load(db, config["MEDIA_DIR"], app.config["DEMO_DIR"])
        hall = db.execute("SELECT id FROM exhibitions ORDER BY id").fetchone()[0]
        section = db.execute("SELECT id FROM exhibition_sections WHERE exhibition_id = ? "
                             "ORDER BY position LIMIT 1", [hall]).fetchone()[0]
        with app.app_context():
            for fmt in ("poster-a4", "poster-a3"):
                pdf = root / f"{fmt}.pdf"
                batches.produce(db, app.config, fmt, Selection(section_id=section), pdf)
                page_png(pdf, 1, 60, root / f"{fmt}.png").save(DOCS / f"print-{fmt[-2:]}.png",
                                                                optimize=True)
            pdf = root / "book.pdf"
            batches.produce(db, app.config, "book", Selection(exhibition_id=hall), pdf)
            first = 3  # the first honoree's page: after the cover, foreword and contents
            while "目录" in subprocess.run(["pdftotext", "-f", str(first), "-l", str(first),
                                            str(pdf), "-"], capture_output=True, text=True,
                                           check=True).stdout.replace(" ", ""):
                first += 1
            spread = [page_png(pdf, n, 50, root / f"book-{n}.png")
                      for n in (1, 3, first, first + 1)]
            width = sum(p.width for p in spread) + 12 * (len(spread) - 1)
            sheet = Image.new("RGB", (width, spread[0].height), (120, 120, 120))
            x = 0
            for p in spread:
                sheet.paste(p, (x, 0))
                x += p.width + 12
            sheet.save(DOCS / "print-book.png", optimize=True)
        db.conn.close()


if __name__ == "__main__":
    main()
