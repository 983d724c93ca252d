"""Issue 4: permanent short links, QR images, posters, label sheets, record books,
print runs, scan statistics and the share image. Every QR code the archive prints is
decoded by an independent decoder (zxing-cpp); PDFs are read with poppler."""

from __future__ import annotations

import io
import json
import math
import re
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageFilter

from archive import create_app, migrations, worker
from archive import db as database
from archive.catalogue import exhibitions, honorees, media, scans
from archive.db import write
from archive.printing import posters, qr
from tests.conftest import BASE_URL, ClosingClient, config_for
from tests.curating import post

LONG_NAME = "阿卜杜热合曼·买买提明·艾力江·库尔班江·吐尔逊"
PEOPLE = [
    ("张建国", "individual", "全国劳动模范", 2020, (640, 800)),
    ("李秀英", "individual", "全国五一劳动奖章", 2019, (640, 800)),
    (LONG_NAME, "individual", "省劳动模范", 2021, (640, 800)),
    ("王小红", "individual", "全国劳动模范", 2015, (200, 250)),  # forwarded through a chat app
    ("钱塘江大桥维修班组", "collective", "全国工人先锋号", 2022, (800, 600)),
    ("赵铁柱", "individual", "大国工匠年度人物", 2021, (640, 800)),
]


def decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def pdf_pages(path: Path) -> int:
    return int(pdf_info(path)["Pages"])


def page_size_mm(path: Path) -> tuple[float, float]:
    size = re.match(r"\s*([\d.]+) x ([\d.]+) pts", pdf_info(path)["Page size"])
    return float(size[1]) * 25.4 / 72, float(size[2]) * 25.4 / 72


def render(path: Path, dpi: float, page: int, out_dir: Path) -> Image.Image:
    prefix = out_dir / f"{path.stem}-{page}-{int(dpi)}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-gray",
            "-singlefile",
            "-png",
            str(path),
            str(prefix),
        ],
        check=True,
    )
    with Image.open(f"{prefix}.png") as image:
        return image.convert("L")


def portrait(size: tuple[int, int], hue: int) -> Image.Image:
    image = Image.new("RGB", size, (hue, 120, 200 - hue // 2))
    for x in range(0, size[0], 20):
        image.paste((250, 250, 250), (x, 0, x + 4, size[1]))
    return image


class PrintArchive:
    def __init__(self, root: Path):
        self.root = root
        self.config = config_for(root)
        self.db = database.connect(self.config["DATABASE"])
        migrations.apply(self.db)
        self.ids: dict[str, int] = {}
        with write(self.db):
            for number, (name, kind, title, year, size) in enumerate(PEOPLE):
                record = {
                    "kind": kind,
                    "name": name,
                    "status": "published",
                    "unit": "杭州市测试单位",
                    "province": "浙江省",
                    "city": "杭州市",
                    "county": "西湖区",
                    "story": f"{name}的事迹。" * 40,
                    "collective_type": "team" if kind == "collective" else None,
                }
                honoree_id = honorees.create(
                    self.db,
                    record,
                    [
                        {
                            "title": title,
                            "year": year,
                            "body": "测试机关",
                            "citation": f"{name}在本职岗位上作出突出贡献，特授予此称号。",
                        }
                    ],
                )
                media.add_photo(
                    self.db,
                    self.config["MEDIA_DIR"],
                    portrait(size, 20 * number),
                    honoree_id,
                    alt=name,
                    is_portrait=True,
                )
                self.ids[name] = honoree_id
            draft = honorees.create(
                self.db, {"kind": "individual", "name": "草稿人", "status": "draft"}, []
            )
            self.ids["草稿人"] = draft
            ordered = [self.ids[p[0]] for p in PEOPLE]
            self.exhibition = exhibitions.create(
                self.db,
                "测试展厅",
                "",
                [("第一部分", "", ordered[:3]), ("第二部分", "", ordered[3:] + [draft])],
                status="published",
            )
        self.sections = [
            r["id"]
            for r in self.db.execute(
                "SELECT id FROM exhibition_sections WHERE exhibition_id = ? ORDER BY position",
                [self.exhibition],
            )
        ]

    def app(self, **overrides):
        app = create_app({**self.config, **overrides})
        app.test_client_class = ClosingClient
        return app

    def code(self, name: str) -> str:
        return self.db.execute(
            "SELECT code FROM honorees WHERE id = ?", [self.ids[name]]
        ).fetchone()[0]

    def print(self, *args: str, **overrides):
        return self.app(**overrides).test_cli_runner().invoke(args=["posters", *args])

    def run_tag(self) -> str:
        return self.db.execute("SELECT tag FROM print_runs ORDER BY id DESC").fetchone()[0]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    archive = PrintArchive(tmp_path_factory.mktemp("print"))
    yield archive
    archive.db.conn.close()


@pytest.fixture(scope="module")
def a4(archive):
    """Posters of the whole exhibition on A4, printed once for the module."""
    out = archive.root / "a4.pdf"
    result = archive.print("--exhibition", str(archive.exhibition), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, archive.run_tag(), result.output


# --- short links -------------------------------------------------------------------


def test_short_link_redirects_to_profile_and_counts_scan_per_run(archive, a4):
    _, tag, _ = a4
    app = archive.app()
    client = app.test_client()
    code = archive.code("张建国")
    spool = scans.spool_dir(app.instance_path)
    scans.fold(archive.db, spool, settle=0)  # other tests' scans, in whatever order they ran
    response = client.get(f"/q/{code.lower()}?r={tag}")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/honorees/{archive.ids['张建国']}?ex={archive.exhibition}"
    )
    assert "no-store" in response.headers["Cache-Control"]
    page = client.get(response.headers["Location"])
    assert "下一位：" in page.get_data(as_text=True)  # the exhibition came along
    assert client.get(f"/q/{code}").headers["Location"] == f"/honorees/{archive.ids['张建国']}"
    assert scans.fold(archive.db, spool, settle=0) == 2
    rows = {
        r["run_tag"]: r["count"]
        for r in archive.db.execute(
            "SELECT run_tag, count FROM scans WHERE honoree_id = ?", [archive.ids["张建国"]]
        )
    }
    assert rows[tag] >= 1 and rows[""] >= 1


def test_unknown_draft_and_malformed_codes_get_the_same_404(archive):
    client = archive.app().test_client()
    draft_code = archive.db.execute(
        "SELECT code FROM honorees WHERE id = ?", [archive.ids["草稿人"]]
    ).fetchone()[0]
    for path in (f"/q/{draft_code}", "/q/ZZZZZZ", "/q/abc", f"/qr/{draft_code}.png"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "没有找到" in response.get_data(as_text=True)


# Paths as a server hands them to the app (PATH_INFO is already percent-decoded), so
# the test client does not read "//evil.com" as a host name.
PAYLOADS = [
    "//evil.com",
    "/q//evil.com",
    "/q/%2F%2Fevil.com",
    "/q/%2f%2fevil.com",
    "/\\evil.com",
    "/q/\\evil.com",
    "/q/%5Cevil.com",
    "/q/https:evil.com",
    "/q/https://evil.com",
    "/q/ABCDEF\r\nLocation: https://evil.com",
    "/q/\r\n",
    "/q/{code}/evil.com",
]
QUERY_PAYLOADS = [
    "r=//evil.com",
    "r=%0d%0aLocation:https://evil.com",
    "ex=//evil.com",
    "ex=https:evil.com",
    "r=%2F%2Fevil.com&ex=1%0d%0a",
]


def _assert_stays_on_site(response, what):
    location = response.headers.get("Location", "")
    if response.status_code == 302:
        assert location.startswith("/honorees/") and not location.startswith("//"), what
        assert "evil" not in location and "\r" not in location and "\n" not in location
    else:
        assert response.status_code in (400, 404), (what, response.status_code)
        assert not location, what


@pytest.mark.parametrize("path", PAYLOADS)
def test_redirect_payloads_in_the_path_never_leave_the_site(archive, path):
    client = archive.app().test_client()
    raw = path.format(code=archive.code("李秀英"))
    _assert_stays_on_site(client.get("/", environ_overrides={"PATH_INFO": raw}), raw)
    if not raw.startswith("//"):  # the test client would read "//evil.com" as a host
        _assert_stays_on_site(client.get(raw.replace("\r", "%0d").replace("\n", "%0a")), raw)


@pytest.mark.parametrize("query", QUERY_PAYLOADS)
def test_redirect_payloads_in_the_query_never_leave_the_site(archive, query):
    client = archive.app().test_client()
    response = client.get(f"/q/{archive.code('李秀英')}?{query}")
    assert response.status_code == 302
    _assert_stays_on_site(response, query)


def test_payloads_through_gunicorn_never_leave_the_site(archive):
    """The same payloads as raw HTTP request lines to the real server."""
    import socket

    from tests.conftest import free_port, start_gunicorn

    port = free_port()
    process = start_gunicorn(archive, port)
    try:
        code = archive.code("李秀英")
        for target in (
            "//evil.com",
            "/\\evil.com",
            "/q//evil.com",
            "/q/%2F%2Fevil.com",
            "/q/https:evil.com",
            f"/q/{code}?r=%0d%0aLocation:%20http://evil.com",
            f"/q/{code}/%0d%0aLocation:%20http://evil.com",
            "///evil.com/q/x",
        ):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(
                    f"GET {target} HTTP/1.1\r\nHost: evil.com\r\nConnection: close\r\n\r\n".encode()
                )
                reply = b""
                while chunk := sock.recv(65536):
                    reply += chunk
            head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1")
            status = int(head.split()[1])
            location = re.search(r"(?im)^location:\s*(.*)$", head)
            if status == 302:
                assert location and location[1].startswith("/honorees/"), (target, head)
            else:
                assert status in (400, 404), (target, head)
                assert location is None, (target, head)
    finally:
        process.terminate()
        process.wait(15)


def test_spoofed_host_leaves_qr_url_and_redirect_unchanged(archive):
    client = archive.app().test_client()
    code = archive.code("李秀英")
    for headers in ({"Host": "evil.com"}, {"X-Forwarded-Host": "evil.com"}):
        png = client.get(f"/qr/{code}.png?size=320", headers=headers)
        assert decode(Image.open(io.BytesIO(png.data))) == [f"{BASE_URL}/q/{code}"]
        location = client.get(f"/q/{code}", headers=headers).headers["Location"]
        assert "evil" not in location and location.startswith("/honorees/")


def test_renamed_profile_keeps_its_printed_code_and_is_listed_for_reprint(
    empty_archive, make_honoree
):
    honoree_id = make_honoree(name="周旧名")
    db = empty_archive.db()
    code = db.execute("SELECT code FROM honorees WHERE id = ?", [honoree_id]).fetchone()[0]
    app = empty_archive.app()
    result = app.test_cli_runner().invoke(
        args=["posters", "--id", str(honoree_id), "--out", str(empty_archive.root / "p.pdf")]
    )
    assert result.exit_code == 0, result.output
    with write(db):
        db.execute(
            """UPDATE honorees SET name = '周新名', version = version + 1,
                      updated_at = '2999-01-01T00:00:00Z' WHERE id = ?""",
            [honoree_id],
        )
        honorees.record_revision(db, honoree_id, "update", None)
        honorees.note_change(db, honoree_id)
    app.test_client_class = ClosingClient
    client = app.test_client()
    response = client.get(f"/q/{code}")
    assert response.headers["Location"] == f"/honorees/{honoree_id}"
    assert "周新名" in client.get(response.headers["Location"]).get_data(as_text=True)
    listed = app.test_cli_runner().invoke(args=["print-runs", "--changed"])
    assert "周新名" in listed.output


# --- QR images ---------------------------------------------------------------------


def test_qr_png_every_size_decodes_to_the_short_url_and_is_cached(archive):
    client = archive.app().test_client()
    code = archive.code("赵铁柱")
    for size in qr.SIZES:
        response = client.get(f"/qr/{code}.png?size={size}")
        assert response.status_code == 200 and response.mimetype == "image/png"
        image = Image.open(io.BytesIO(response.data))
        assert image.width <= size
        assert decode(image) == [f"{BASE_URL}/q/{code}"]
        assert "max-age=2592000" in response.headers["Cache-Control"]
        again = client.get(
            f"/qr/{code}.png?size={size}", headers={"If-None-Match": response.headers["ETag"]}
        )
        assert again.status_code == 304
    cached = list(qr.cache_dir(archive.config["MEDIA_DIR"]).rglob("*.png"))
    assert len(cached) >= len(qr.SIZES)
    assert client.get(f"/qr/{code}.png?size=5000").status_code == 400
    assert client.get(f"/qr/{code}.png?size=abc").status_code == 400


def test_qr_emblem_only_at_level_h_and_within_12_percent(tmp_path):
    url = f"{BASE_URL}/q/ABCDEF"
    emblem = Image.new("RGBA", (200, 200), (168, 28, 28, 255))
    image = Image.open(io.BytesIO(qr.qr_png(url, 640, emblem)))
    assert decode(image) == [url]
    count = len(qr.matrix(url, "H"))
    side = qr.emblem_side(count)
    assert side**2 <= qr.EMBLEM_MAX_FRACTION * (count - 2 * qr.QUIET_ZONE) ** 2
    assert count > len(qr.matrix(url, "M"))  # level H: a larger symbol for the same URL
    plain = Image.open(io.BytesIO(qr.qr_png(url, 640))).convert("RGB")
    assert (168, 28, 28) not in {c for _, c in plain.getcolors(1 << 16)}


def test_qr_emblem_setting_is_used_by_png_route(archive, tmp_path):
    path = tmp_path / "emblem.png"
    Image.new("RGB", (100, 100), (168, 28, 28)).save(path)
    client = archive.app(QR_EMBLEM=str(path)).test_client()
    code = archive.code("赵铁柱")
    image = Image.open(io.BytesIO(client.get(f"/qr/{code}.png?size=640").data)).convert("RGB")
    assert (168, 28, 28) in {c for _, c in image.getcolors(1 << 16)}
    assert decode(image) == [f"{BASE_URL}/q/{code}"]


def test_mask_choice_is_a_valid_mask_for_many_urls():
    for n in range(40):
        url = f"{BASE_URL}/q/{'ABCDEFGHJK'[n % 10]}{n:05d}?r=T{n:03d}"
        image = Image.open(io.BytesIO(qr.qr_png(url, 320)))
        assert decode(image) == [url]


# --- printing refuses / warns ------------------------------------------------------


@pytest.mark.parametrize(
    "base",
    [
        "",
        "http://127.0.0.1:8000",
        "http://localhost:5000",
        "http://[::1]/",
        "ftp://archive.example.org",
    ],
)
def test_printing_refuses_unset_or_loopback_base_url(archive, base):
    result = archive.print(
        "--id", str(archive.ids["张建国"]), "--out", str(archive.root / "never.pdf"), BASE_URL=base
    )
    assert result.exit_code != 0
    assert "BASE_URL" in result.output
    assert not (archive.root / "never.pdf").exists()


def test_missing_glyph_stops_printing_with_the_character_named(empty_archive, make_honoree):
    honoree_id = make_honoree(name="李\U00017000")  # a Tangut character: no CJK font has it
    out = empty_archive.root / "tofu.pdf"
    app = empty_archive.app()
    result = app.test_cli_runner().invoke(
        args=["posters", "--id", str(honoree_id), "--out", str(out)]
    )
    assert result.exit_code != 0
    assert "U+17000" in result.output and "方框" in result.output
    assert not out.exists()
    db = empty_archive.db()
    assert db.execute("SELECT count(*) FROM print_runs").fetchone()[0] == 0


def test_missing_font_file_is_a_clear_error(archive):
    result = archive.print("--id", str(archive.ids["张建国"]), FONT_PATH="/nonexistent.ttc")
    assert result.exit_code != 0 and "FONT_PATH" in result.output


def test_small_portrait_warns_before_printing(a4):
    _, _, output = a4
    assert "王小红" in output and "照片只有 200×250 像素" in output
    assert output.index("照片只有") < output.index("已生成")


# --- posters -----------------------------------------------------------------------


def test_a4_batch_has_one_page_per_public_honoree_with_text_and_embedded_fonts(archive, a4):
    path, _, _ = a4
    assert pdf_pages(path) == len(PEOPLE)  # the draft is never printed
    width, height = page_size_mm(path)
    assert abs(width - 210) < 0.5 and abs(height - 297) < 0.5
    text = pdf_text(path)
    for name, _, title, year, _ in PEOPLE:
        if name != LONG_NAME:
            assert name in text
        assert f"{year}年 {title}" in text
    assert "扫码阅读先进事迹" in text and "测试展厅" in text and "示例省总工会" in text
    assert f"archive.example.org/q/{archive.code('张建国')}" in text
    fonts_table = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts_table and all(line.split()[-5] == "yes" for line in fonts_table), fonts_table
    assert all(line.split()[-4] == "yes" for line in fonts_table)  # subset


def test_long_name_shrinks_to_fit(archive, a4, tmp_path):
    path, _, _ = a4
    page = 1 + [p[0] for p in PEOPLE].index(LONG_NAME)
    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    right_edges = [float(m) for m in re.findall(r'xMax="([\d.]+)"', out)]
    assert max(right_edges) <= 595.3 - 12 * 72 / 25.4 + 1  # within the right margin
    assert "阿卜杜热合曼" in pdf_text(path).replace("\n", "").replace(" ", "")


def test_every_poster_qr_decodes_to_its_tagged_short_url_at_least_6_cm(archive, a4, tmp_path):
    path, tag, _ = a4
    for page, (name, *_rest) in enumerate(PEOPLE, 1):
        image = render(path, 150, page, tmp_path)
        results = zxingcpp.read_barcodes(image)
        assert [r.text for r in results] == [f"{BASE_URL}/q/{archive.code(name)}?r={tag}"]
        position = results[0].position
        width_px = math.dist(
            (position.top_left.x, position.top_left.y), (position.top_right.x, position.top_right.y)
        )
        assert width_px / 150 * 25.4 >= 59  # finder corner to corner, about the symbol


def test_qr_modules_are_whole_printer_dots_and_pure_black(archive, a4, tmp_path):
    path, tag, _ = a4
    url = f"{BASE_URL}/q/{archive.code('张建国')}?r={tag}"
    count = len(qr.matrix(url))
    dots = qr.dots_per_module(count, posters.MIN_QR_MM["poster-a4"])
    assert (count - 8) * dots / 300 * 25.4 >= posters.MIN_QR_MM["poster-a4"] == 60
    image = render(path, 300, 1, tmp_path)
    # at 300 dpi every module is exactly `dots` pixels: the darkest run lengths divide by it
    # a row through the symbol, found by the decoder (the poster has red text too)
    found = zxingcpp.read_barcodes(image)[0].position
    left = min(found.top_left.x, found.bottom_left.x) - 4 * dots
    right = max(found.top_right.x, found.bottom_right.x) + 4 * dots
    row = None
    for y in range(found.top_left.y + dots // 2, found.bottom_left.y):
        line = [image.getpixel((x, y)) for x in range(left, right)]
        if sum(v < 128 for v in line) > 12 * dots:
            row = line
            break
    assert row is not None
    runs, current = [], 0
    for value in row + [255]:
        if value < 128:
            current += 1
        elif current:
            runs.append(current)
            current = 0
    assert all(abs(r / dots - round(r / dots)) < 0.15 for r in runs if r >= dots - 1), (dots, runs)
    assert min(row) == 0  # pure black


def test_simulated_phone_photo_of_a4_poster_still_decodes(archive, a4, tmp_path):
    """4 camera pixels per module, a 20° tilt, Gaussian blur σ = 1 px, JPEG quality 70."""
    path, tag, _ = a4
    url = f"{BASE_URL}/q/{archive.code('李秀英')}?r={tag}"
    module_mm = (
        qr.dots_per_module(len(qr.matrix(url)), posters.MIN_QR_MM["poster-a4"]) * posters.DOT
    )
    dpi = 4 / module_mm * 25.4
    page = render(path, dpi, 2, tmp_path).convert("L")
    w, h = page.size
    # a camera tilted 20° about the horizontal axis: the far (top) edge shrinks and the
    # page is foreshortened by cos 20°
    tilt = math.radians(20)
    squeeze = 1 - 0.5 * math.sin(tilt) * 0.5
    out_h = int(h * math.cos(tilt))
    inset = w * (1 - squeeze) / 2
    coeffs = _perspective(
        [(inset, 0), (w - inset, 0), (w, out_h), (0, out_h)], [(0, 0), (w, 0), (w, h), (0, h)]
    )
    photo = page.transform(
        (w, out_h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR, fillcolor=255
    )
    photo = photo.rotate(4, expand=True, fillcolor=255, resample=Image.Resampling.BILINEAR)
    photo = photo.filter(ImageFilter.GaussianBlur(1))
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=70)
    assert decode(Image.open(io.BytesIO(buffer.getvalue()))) == [url]


def _perspective(dst, src):
    """PIL's 8 coefficients mapping output points ``dst`` to input points ``src``."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    # Gaussian elimination (8×8), no numpy needed
    m = [r + [b] for r, b in zip(rows, rhs, strict=True)]
    for i in range(8):
        pivot = max(range(i, 8), key=lambda r: abs(m[r][i]))
        m[i], m[pivot] = m[pivot], m[i]
        for r in range(8):
            if r != i:
                f = m[r][i] / m[i][i]
                m[r] = [a - f * b for a, b in zip(m[r], m[i], strict=True)]
    return [m[i][8] / m[i][i] for i in range(8)]


def test_a3_with_bleed_and_crop_marks(archive, tmp_path):
    out = tmp_path / "a3.pdf"
    result = archive.print(
        "--id", str(archive.ids["赵铁柱"]), "--format", "poster-a3", "--bleed", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    width, height = page_size_mm(out)
    assert abs(width - (297 + 2 * posters.SLUG)) < 0.5
    assert abs(height - (420 + 2 * posters.SLUG)) < 0.5
    image = render(out, 100, 1, tmp_path)
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [
        f"{BASE_URL}/q/{archive.code('赵铁柱')}?r={archive.run_tag()}"
    ]
    p = results[0].position
    assert (
        math.dist((p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y)) / 100 * 25.4 >= 79
    )
    slug_px = int((posters.SLUG + 1) / 25.4 * 100)
    corner = image.crop((0, 0, slug_px, slug_px))
    assert corner.getextrema()[0] < 128  # crop marks in the slug


def test_section_and_filter_batches(archive, tmp_path):
    section = tmp_path / "section.pdf"
    result = archive.print("--section", str(archive.sections[1]), "--out", str(section))
    assert result.exit_code == 0, result.output
    assert pdf_pages(section) == 3  # the draft in that section is left out
    national = tmp_path / "national.pdf"
    result = archive.print("--filter", "level=national&year=2020", "--out", str(national))
    assert result.exit_code == 0, result.output
    assert pdf_pages(national) == 1 and "张建国" in pdf_text(national)


def test_label_sheet_every_code_decodes(archive, tmp_path):
    out = tmp_path / "labels.pdf"
    result = archive.print(
        "--exhibition", str(archive.exhibition), "--format", "labels", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    tag = archive.run_tag()
    assert pdf_pages(out) == 1
    image = render(out, 200, 1, tmp_path)
    found = sorted(decode(image))
    assert found == sorted(f"{BASE_URL}/q/{archive.code(p[0])}?r={tag}" for p in PEOPLE)
    text = pdf_text(out)
    assert "张建国" in text and f"编码 {archive.code('张建国')}" in text


def test_record_book(archive, tmp_path):
    out = tmp_path / "book.pdf"
    result = (
        archive.app()
        .test_cli_runner()
        .invoke(args=["record-book", str(archive.exhibition), "--out", str(out)])
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(out).replace(" ", "")
    assert "记录册" in text and "目录" in text and "第一部分" in text and "第二部分" in text
    assert "前言" in text  # the foreword (the exhibition has no introduction: a default one)
    contents = page_text(out, 3, layout=True)
    pages = {
        name: int(re.search(rf"{re.escape(name)}[\s·]+(\d+)", contents)[1])
        for name, *_rest in PEOPLE
    }
    assert pages["张建国"] == 4  # after the cover, the foreword and the contents
    order = [pages[name] for name, *_rest in PEOPLE]
    assert order == sorted(order) and len(set(order)) == len(order)
    for name, *_rest in PEOPLE:  # each honoree from a new page, as the contents say
        page = page_text(out, pages[name])
        assert name in page.replace("\n", "") and re.search(rf"—\s*{pages[name]}\s*—", page)
        assert "测试展厅 · 记录册" in page  # the running header
    image = render(out, 200, pages["李秀英"], tmp_path)
    assert decode(image) == [f"{BASE_URL}/q/{archive.code('李秀英')}?r={archive.run_tag()}"]
    assert pdf_pages(out) >= 3 + len(PEOPLE)


def page_text(path: Path, page: int, layout: bool = False) -> str:
    return subprocess.run(
        [
            "pdftotext",
            "-f",
            str(page),
            "-l",
            str(page),
            *(["-layout"] if layout else []),
            str(path),
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


# --- the web path ------------------------------------------------------------------


def staff(archive, role: str = "printer", **config):
    """An app and a client signed in as print staff (or another role)."""
    from archive.curation import accounts
    from tests.curating import PASSWORD, login

    app = archive.app(**config)
    username = f"{role}-staff"
    if not archive.db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
        accounts.create_user(archive.db, username, PASSWORD, role, username)
    client = app.test_client()
    assert login(client, username).status_code == 302
    return app, client


def test_print_pages_are_for_signed_in_print_staff_only(archive):
    client = archive.app().test_client()
    for path in (
        "/print/",
        "/print/stats",
        "/print/reprint",
        f"/print/view?exhibition={archive.exhibition}",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/curate/login" in response.headers["Location"]
    assert client.post("/print/jobs", data={"exhibition": archive.exhibition}).status_code in (
        400,
        401,
    )  # no session and no CSRF token: refused either way
    for role in ("printer", "curator", "admin"):
        _, signed_in = staff(archive, role)
        assert signed_in.get("/print/").status_code == 200, role


def test_print_job_from_the_web_with_progress_page(archive, tmp_path):
    app, client = staff(archive)
    assert "测试展厅" in client.get("/print/").get_data(as_text=True)
    response = post(
        client,
        "/print/jobs",
        {"section": archive.sections[1], "format": "poster-a4"},
        page="/print/",
    )
    assert response.status_code == 303
    job_page = response.headers["Location"]
    page = client.get(job_page).get_data(as_text=True)
    assert "排队中" in page and 'http-equiv="refresh"' in page
    db = database.connect(archive.config["DATABASE"])
    try:
        assert worker.run_one(app, db)
    finally:
        db.conn.close()
    page = client.get(job_page).get_data(as_text=True)
    assert "已完成" in page and "<progress" in page and "refresh" not in page
    assert "照片只有 200×250 像素" in page  # the warning reaches the job page
    job_id = int(job_page.rstrip("/").split("/")[-1])
    pdf = client.get(f"/print/jobs/{job_id}/file.pdf")
    data = pdf.data
    path = tmp_path / "job.pdf"
    path.write_bytes(data)
    assert pdf_pages(path) == 3


def test_web_refuses_loopback_base_url_with_the_reason(archive):
    _, client = staff(archive, BASE_URL="http://127.0.0.1:8000")
    assert "BASE_URL" in client.get("/print/").get_data(as_text=True)
    response = post(client, "/print/jobs", {"exhibition": archive.exhibition}, page="/print/")
    assert response.status_code == 400 and "BASE_URL" in response.get_data(as_text=True)


def test_html_print_view_has_page_css_and_warnings(archive):
    _, client = staff(archive)
    html = client.get(f"/print/view?exhibition={archive.exhibition}&format=poster-a3").get_data(
        as_text=True
    )
    assert html.count('class="sheet poster-a3"') == len(PEOPLE)
    assert "照片只有 200×250 像素" in html and "扫码阅读先进事迹" in html
    css_url = re.search(r'href="(/static/print\.css[^"]*)"', html)[1]
    css = client.get(css_url).get_data(as_text=True)
    assert "@page a3" in css and "size: A3" in css
    labels = client.get(f"/print/view?exhibition={archive.exhibition}&format=labels").get_data(
        as_text=True
    )
    assert labels.count('class="label"') == len(PEOPLE)


def test_scan_statistics_table_chart_and_csv(archive, a4):
    _, tag, _ = a4
    _, client = staff(archive)
    code = archive.code("赵铁柱")
    for _ in range(3):
        client.get(f"/q/{code}?r={tag}")
    instance = archive.app().instance_path  # the worker folds spooled scans; here, at once
    assert scans.fold(archive.db, scans.spool_dir(instance), settle=0) >= 3
    html = client.get(f"/print/stats?run={tag}").get_data(as_text=True)
    assert "<svg" in html and "<script" not in html and "赵铁柱" in html
    assert client.get("/print/stats?run=NOPE").status_code == 400
    csv_text = client.get(f"/print/stats.csv?exhibition={archive.exhibition}").get_data(
        as_text=True
    )
    rows = [line.split(",") for line in csv_text.lstrip("\ufeff").splitlines()]
    assert rows[0][0] == "日期"
    mine = [r for r in rows[1:] if r[3] == code and r[4] == tag]
    assert mine and int(mine[0][-1]) >= 3 and mine[0][7] == "测试展厅"


def test_reprint_page_lists_changed_records(archive, a4):
    _, client = staff(archive)
    honoree_id = archive.ids["李秀英"]
    with write(archive.db):
        archive.db.execute(
            """UPDATE honorees SET summary = '新的一句话', version = version + 1,
                              updated_at = '2999-01-01T00:00:00Z' WHERE id = ?""",
            [honoree_id],
        )
        honorees.record_revision(archive.db, honoree_id, "update", None)
        honorees.note_change(archive.db, honoree_id)
    html = client.get("/print/reprint").get_data(as_text=True)
    assert "李秀英" in html and "张建国" not in html


# --- share image -------------------------------------------------------------------


def test_share_image_is_portrait_with_decodable_qr_and_linked_from_profile(archive):
    client = archive.app().test_client()
    honoree_id = archive.ids["张建国"]
    profile = client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert f"/honorees/{honoree_id}/share.png" in profile
    response = client.get(f"/honorees/{honoree_id}/share.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.height > image.width
    assert decode(image) == [f"{BASE_URL}/q/{archive.code('张建国')}"]
    assert client.get(f"/honorees/{archive.ids['草稿人']}/share.png").status_code == 404


def test_print_run_records_what_when_and_format(archive, a4):
    _, tag, _ = a4
    run = dict(archive.db.execute("SELECT * FROM print_runs WHERE tag = ?", [tag]).fetchone())
    assert run["format"] == "poster-a4" and run["exhibition_id"] == archive.exhibition
    assert run["honoree_count"] == len(PEOPLE) and run["created_at"]
    assert json.loads(run["selection"])["exhibition_id"] == archive.exhibition
    listed = archive.app().test_cli_runner().invoke(args=["print-runs"])
    assert tag in listed.output


# --- in a real browser ----------------------------------------------------------------


@pytest.fixture(scope="module")
def print_server(archive):
    from tests.conftest import free_port, start_gunicorn

    port = free_port()
    process = start_gunicorn(archive, port, {"ARCHIVE_WEB_WORKERS": "1"})
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(15)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        yield browser
        browser.close()


@pytest.mark.browser
def test_svg_qr_rasterised_by_chromium_decodes(archive, print_server, chromium):
    code = archive.code("钱塘江大桥维修班组")
    page = chromium.new_page(viewport={"width": 400, "height": 400})
    try:
        page.set_content(f'<img src="{print_server}/qr/{code}.svg" width="330" height="330">')
        page.wait_for_load_state("networkidle")
        shot = Image.open(io.BytesIO(page.screenshot()))
    finally:
        page.close()
    assert decode(shot) == [f"{BASE_URL}/q/{code}"]


@pytest.mark.browser
def test_html_print_view_prints_a4_pages_with_decodable_codes(
    archive, print_server, chromium, tmp_path
):
    from archive.curation import accounts
    from tests.curating import PASSWORD

    if not archive.db.execute("SELECT 1 FROM users WHERE username = 'browser-printer'").fetchone():
        accounts.create_user(archive.db, "browser-printer", PASSWORD, "printer", "打印员")
    page = chromium.new_page()
    try:
        page.goto(f"{print_server}/print/view?section={archive.sections[0]}&format=poster-a4")
        page.fill("input[name=username]", "browser-printer")  # sent to the login page first
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/print/view**")
        page.wait_for_load_state("networkidle")
        page.emulate_media(media="print")
        pdf = tmp_path / "html-view.pdf"
        pdf.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
    finally:
        page.close()
    width, height = page_size_mm(pdf)
    assert abs(width - 210) < 1 and abs(height - 297) < 1
    assert pdf_pages(pdf) == 3
    for number, (name, *_rest) in enumerate(PEOPLE[:3], 1):
        assert decode(render(pdf, 150, number, tmp_path)) == [f"{BASE_URL}/q/{archive.code(name)}"]


def test_derived_masks_equal_qrcode_drawing_each_mask():
    """The mask choice derives the eight masked symbols from one drawing: each must be
    exactly what qrcode draws with that mask."""
    import qrcode
    import qrcode.constants

    for url in (f"{BASE_URL}/q/ABC234?r=K7P2", "https://a.example/q/X", "H" * 200):
        for level in (qrcode.constants.ERROR_CORRECT_M, qrcode.constants.ERROR_CORRECT_H):
            code = qrcode.QRCode(error_correction=level, border=0, mask_pattern=0)
            code.add_data(url)
            code.make(fit=True)
            derived = qr.masked_rows(code)
            for mask in range(8):
                ref = qrcode.QRCode(error_correction=level, border=0, mask_pattern=mask)
                ref.add_data(url)
                ref.make(fit=True)
                n = ref.modules_count
                expected = [
                    sum(1 << (n - 1 - c) for c, m in enumerate(row) if m) for row in ref.modules
                ]
                assert derived[mask] == expected, (url, level, mask)


def test_record_book_flows_a_long_story_onto_following_pages(tmp_path):
    from archive.printing import book, fonts

    story = "这是一段很长的事迹。" * 600 + "全文到此结束。"
    person = posters.Honoree(
        id=1,
        code="ABC234",
        name="孙长篇",
        kind="individual",
        unit="测试单位",
        region="浙江省",
        honours=["2020年 全国劳动模范"],
        citation="",
        story=story,
        portrait=None,
        portrait_px=None,
        placeholder=False,
        url=f"{BASE_URL}/q/ABC234",
        address="archive.example.org/q/ABC234",
    )
    font = fonts.load(create_app(config_for(tmp_path)).config["FONT_PATH"])
    out = tmp_path / "long.pdf"
    out.write_bytes(book.record_book("长篇展", [("唯一部分", [person])], font))
    assert pdf_pages(out) > 3 + 2  # cover, foreword, contents, then several pages
    text = pdf_text(out).replace("\n", "").replace(" ", "")
    assert "全文到此结束。" in text  # the whole story is printed, nothing cut
    last = page_text(out, pdf_pages(out))
    assert "长篇展 · 记录册" in last and "唯一部分" in last  # running header to the end
