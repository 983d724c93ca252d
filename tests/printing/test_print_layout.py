"""Issue 17: prints like a print shop. Chinese line breaking in the record book,
labels that hold every name, posters whose A3 layout is its own, and the print
view's warnings when a text cannot stay above its readable floor. PDFs are read
back with poppler (pdftotext) and every QR code decoded with zxing-cpp."""

from __future__ import annotations

import json
import math
import random
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from archive import create_app
from archive.printing import book, fonts, labels, posters, typeset
from archive.printing.print_style import print_style, site_style
from tests.conftest import BASE_URL, ClosingClient, config_for

CLOSING = set("。，、；：？！）》」』”’〕】〉")
OPENING = set("（《「『“‘〔【〈")
MM_PER_PT = 25.4 / 72


@pytest.fixture(scope="module")
def font(tmp_path_factory):
    config = create_app(config_for(tmp_path_factory.mktemp("font"))).config
    return fonts.load(config["FONT_PATH"])


@pytest.fixture(scope="module")
def title_font(tmp_path_factory):
    config = create_app(config_for(tmp_path_factory.mktemp("font"))).config
    return fonts.load(config["FONT_TITLE_PATH"])


def person(
    n: int, name: str, story: str = "", portrait: Path | None = None, **extra
) -> posters.Honoree:
    code = f"T{n:05d}"
    fields = dict(
        id=n,
        code=code,
        name=name,
        kind="individual",
        unit="浙江省测试单位",
        region="浙江省杭州市",
        honours=["2020年 全国劳动模范"],
        citation="",
        story=story,
        portrait=portrait,
        portrait_px=(600, 800) if portrait else None,
        placeholder=False,
        url=f"{BASE_URL}/q/{code}?r=AB12",
        address=f"archive.example.org/q/{code}",
        honour="2020年 全国劳动模范",
        summary="扎根一线三十年的技术能手。",
        quote="把每一件小事做到极致。",
        honour_records=[
            {
                "year": 2020,
                "title": "全国劳动模范",
                "body": "中共中央 国务院",
                "document_no": "中发〔2020〕12号",
                "citation": "在本职岗位上作出突出贡献。",
            }
        ],
    )
    fields.update(extra)
    return posters.Honoree(**fields)


def text_of(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def render(path: Path, dpi: int, page: int, out_dir: Path) -> Image.Image:
    prefix = out_dir / f"{path.stem}-{page}-{dpi}"
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


WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
    r"([^<]*)</word>"
)


def words(path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, every word's box in mm (poppler's boxes span the font's ascent and
    descent) and its text."""
    pages = text_of(path, "-bbox-layout").split("<page ")[1:]
    return [
        [
            (
                float(a) * MM_PER_PT,
                float(b) * MM_PER_PT,
                float(c) * MM_PER_PT,
                float(d) * MM_PER_PT,
                t,
            )
            for a, b, c, d, t in WORD.findall(page)
        ]
        for page in pages
    ]


# --- line breaking -------------------------------------------------------------------


def test_kinsoku_rules_on_a_unit_measure():
    measure = len  # every character one unit wide
    text = "一二三四五六七八九十。一二三四五六七八九（十一二三）四五六七八九十一二，“三四”"
    greedy = typeset.break_lines(text, measure, 10, em=1, kinsoku=False)
    assert greedy[1].text.startswith("。")  # the fixture really puts 。 at the wrap point
    lines = typeset.break_lines(text, measure, 10, em=1)
    assert "".join(line.text for line in lines) == text  # nothing lost
    for line in lines:
        assert line.text[0] not in CLOSING and line.text[-1] not in OPENING, line.text
        assert line.width <= line.target + 0.5  # at most half an em squeezed
    for dots in ("……", "——"):  # never split across lines
        split = typeset.break_lines(f"一二{dots}三", measure, 3, em=1)
        assert [line.text for line in split] == ["一二", f"{dots}三"]


def test_squeezing_keeps_the_full_stop_on_its_line():
    measure = len
    lines = typeset.break_lines("一二三四五六七八九。十", measure, 9.6, em=1)
    assert lines[0].text == "一二三四五六七八九。" and lines[0].spacing(0.3) < 0  # 挤压


def _kinsoku_people(font: fonts.Font, count: int) -> list[posters.Honoree]:
    """``count`` honorees with punctuated stories; the first paragraph of each puts a
    。 exactly where a greedy break would start the next line with it."""
    sheet = posters.Sheet(font, book.PAGE)
    sheet.set_font("cjk", size=book.BODY_PT)
    plain = "劳模精神工匠精神劳动精神" * 20
    first = sheet.break_lines(plain, book.INNER, 2.0, kinsoku=False)[0].text
    sheet.close_fonts()
    trap = first + "。" + "他带领班组攻坚克难，完成技术革新二十余项。"
    pieces = [
        "他扎根一线三十年",
        "练就了“一摸准”的绝活",
        "带出徒弟四十余人",
        "面对《技术规程》中的难题",
        "他说：“办法总比困难多！”",
        "（这是他的口头禅）",
        "为企业节约成本上千万元",
        "获评“最美职工”",
    ]
    marks = ["，", "。", "、", "；", "：", "？", "！", "。”", "），"]
    rng = random.Random(17)
    people = []
    for n in range(count):
        story = "".join(rng.choice(pieces) + rng.choice(marks) for _ in range(rng.randint(20, 60)))
        people.append(person(n, f"测试人物{n:03d}", trap + "\n" + story))
    return people


@pytest.fixture(scope="module")
def kinsoku_books(font, tmp_path_factory):
    """A record book of 240 honorees, with the rules on and (to prove the test) off."""
    people = _kinsoku_people(font, 240)
    sections = [("第一部分", people[:120]), ("第二部分", people[120:])]
    out = tmp_path_factory.mktemp("books")
    paths = {}
    for rule in (True, False):
        paths[rule] = out / f"book-{rule}.pdf"
        paths[rule].write_bytes(
            book.record_book("禁则测试展", sections, font, kinsoku=rule, intro="本展览介绍。" * 30)
        )
    return paths


def _breaches(path: Path) -> list[str]:
    found = []
    for line in text_of(path, "-layout").splitlines():
        stripped = line.strip()
        if stripped and (stripped[0] in CLOSING or stripped[-1] in OPENING):
            found.append(stripped)
    return found


def test_record_book_no_line_starts_with_closing_punctuation(kinsoku_books):
    assert _breaches(kinsoku_books[True]) == []


def test_record_book_without_the_rule_breaks_it(kinsoku_books):
    """The same book with the rule switched off: the fixture's 。 starts a line, so
    the test above would catch a missing rule."""
    breaches = _breaches(kinsoku_books[False])
    assert len(breaches) >= 240 and any(b.startswith("。他带领班组") for b in breaches)


def test_record_book_paragraphs_are_indented_two_characters(kinsoku_books):
    page = next(
        p
        for p in words(kinsoku_books[True])  # the first honoree's page
        if any(t == "先进事迹" for *_box, t in p)
    )
    starts = [x0 for x0, _, _, _, t in page if t.startswith("劳模精神工匠精神")]
    second = [x0 for x0, _, _, _, t in page if t.startswith("他带领班组")]
    assert starts and abs(starts[0] - (book.LEFT + 2 * book.BODY_PT * MM_PER_PT)) < 0.3
    assert second and abs(second[0] - book.LEFT) < 0.3  # the next line: flush left
    right = book.LEFT + book.INNER
    full = [x1 for _, _, x1, _, t in page if len(t) > 30]
    ragged = [x1 for x1 in full if abs(x1 - right) >= 0.3]
    assert len(full) > 10 and len(ragged) <= 2  # justified, but a paragraph's last line


# --- labels --------------------------------------------------------------------------

NAMES = [
    "王芳",
    "欧阳建国",
    "钱塘江大桥维修班组",
    "阿卜杜热合曼·买买提明·艾力江·库尔班江·吐尔逊",
    "国网浙江省电力有限公司杭州供电公司输电运检中心带电作业班（工人先锋号）",  # 34
    "中国石油化工股份有限公司镇海炼化分公司炼油一部常减压装置操作运行班组",
    "Abdurahman-Mamatimin-Ailijan-Kurbanjan-T",  # 40 Latin letters, no break
    "测" * 40,
    "一、二、三。四（五）六《七》八“九”十" * 2,
]


@pytest.mark.parametrize("stock", list(labels.STOCKS))
def test_every_label_text_stays_inside_its_label(font, stock, tmp_path):
    names = [n[:40] for n in NAMES] + [("劳模" * 20)[:k] for k in range(1, 41, 3)]
    people = [person(n, name) for n, name in enumerate(names)]
    paper = labels.STOCKS[stock]
    out = tmp_path / f"{stock}.pdf"
    out.write_bytes(labels.labels(people, font, stock=stock))
    assert labels.fit_warnings(people, font, stock) == []  # up to 40 characters all fit
    cells = [paper.cell(slot) for slot in range(paper.per_sheet)]
    seen = 0
    for page in words(out):
        for x0, y0, x1, y1, text in page:
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            cell = next(
                ((x, y) for x, y in cells if x <= cx <= x + paper.w and y <= cy <= y + paper.h),
                None,
            )
            assert cell is not None, text
            x, y = cell
            assert x + 0.3 <= x0 and x1 <= x + paper.w - 0.3, (stock, text, x0, x1, x)
            assert y + 0.3 <= y0 and y1 <= y + paper.h - 0.3, (stock, text, y0, y1, y)
            # poppler's box is ascent + descent (1.448 em): no text under 6.5 pt
            assert (y1 - y0) / 1.448 / MM_PER_PT >= 6.4, (text, y1 - y0)
            seen += 1
    assert seen >= len(people) * 2


@pytest.mark.parametrize("stock", list(labels.STOCKS))
def test_label_codes_decode_with_modules_of_at_least_0_4_mm(font, stock, tmp_path):
    people = [person(n, NAMES[n % len(NAMES)]) for n in range(labels.STOCKS[stock].per_sheet)]
    for p in people:
        count, module = labels._qr_geometry(p.url, labels.STOCKS[stock])
        assert (
            module >= labels.MIN_MODULE_MM
            and abs(module / posters.DOT - round(module / posters.DOT)) < 1e-6
        )
    out = tmp_path / f"{stock}.pdf"
    out.write_bytes(labels.labels(people, font, stock=stock))
    found = zxingcpp.read_barcodes(render(out, 300, 1, tmp_path))
    assert sorted(r.text for r in found) == sorted(p.url for p in people)


def test_a_name_too_long_for_the_stock_is_reported(font):
    people = [person(1, "测" * 120)]
    found = labels.fit_warnings(people, font, "labels-4x10")
    assert found and "7 磅" in found[0] and "T00001" in found[0]


# --- posters -------------------------------------------------------------------------

STORY = (
    "他扎根一线三十年，练就了“一摸准”的绝活。面对技术难题，他带领班组攻坚克难，完成技术革新二十余项。"
    * 6
)


@pytest.fixture(scope="module")
def portrait_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("img") / "portrait.jpg"
    Image.new("RGB", (600, 800), (150, 120, 110)).save(path)
    return path


@pytest.fixture(scope="module")
def poster_files(font, title_font, portrait_file, tmp_path_factory):
    people = [
        person(1, "张建国", STORY, portrait_file),
        person(2, "阿卜杜热合曼·买买提明·艾力江·库尔班江·吐尔逊", STORY, portrait_file),
        person(3, "李秀英", STORY),
    ]  # no portrait: the text-only layout
    out = tmp_path_factory.mktemp("posters")
    style = site_style({"ORGANISATION": "示例省总工会"})
    files = {}
    for fmt in ("poster-a4", "poster-a3"):
        files[fmt] = out / f"{fmt}.pdf"
        files[fmt].write_bytes(
            posters.posters(people, font, fmt, "全省劳模事迹展", style=style, title_font=title_font)
        )
    return people, files


@pytest.mark.parametrize("fmt, least_mm", [("poster-a4", 59), ("poster-a3", 79)])
def test_every_poster_qr_decodes_and_is_wide_enough(poster_files, fmt, least_mm, tmp_path):
    people, files = poster_files
    for page, p in enumerate(people, 1):
        found = zxingcpp.read_barcodes(render(files[fmt], 100, page, tmp_path))
        assert [r.text for r in found] == [p.url]
        pos = found[0].position
        width = math.dist((pos.top_left.x, pos.top_left.y), (pos.top_right.x, pos.top_right.y))
        assert width / 100 * 25.4 >= max(least_mm, 45)


def test_a3_carries_a_story_excerpt_that_a4_does_not(poster_files):
    _, files = poster_files
    a4 = text_of(files["poster-a4"]).replace("\n", "").replace(" ", "")
    a3 = text_of(files["poster-a3"]).replace("\n", "").replace(" ", "")
    assert "练就了“一摸准”的绝活" in a3 and "练就了“一摸准”的绝活" not in a4
    assert "……" in a3  # an excerpt, ended with an ellipsis
    for text in (a4, a3):
        assert "扫码阅读先进事迹" in text and "示例省总工会" in text and "全省劳模事迹展" in text
        assert "2020年全国劳动模范" in text and "把每一件小事做到极致" in text


def test_poster_names_are_never_clipped_nor_below_the_floor(poster_files):
    people, files = poster_files
    for fmt, path in files.items():
        width = posters.PAGES[fmt][0]
        floor = site_style().scale(fmt).name_floor
        for page_words, p in zip(words(path), people, strict=True):
            for x0, _y0, x1, _y1, text in page_words:
                assert 0 < x0 and x1 < width, (fmt, text)
            name_boxes = [w for w in page_words if len(w[4]) > 1 and w[4] in p.name]
            assert name_boxes, (fmt, p.name)
            assert min(y1 - y0 for _, y0, _, y1, _ in name_boxes) / 1.448 / MM_PER_PT >= floor - 0.1


def test_a_name_below_the_floor_is_reported(font, title_font):
    long = person(9, "测" * 60)
    found = posters.fit_warnings([long, person(10, "王芳")], font, "poster-a4", title_font)
    assert len(found) == 1 and "24 磅" in found[0] and "T00009" in found[0]


def test_print_view_warns_staff_about_a_name_below_the_floor(empty_archive, make_honoree):
    from archive.curation import accounts
    from tests.curating import PASSWORD, login

    honoree_id = make_honoree(name="中国石油化工股份有限公司镇海炼化分公司" * 4)
    app = empty_archive.app()
    app.test_client_class = ClosingClient
    accounts.create_user(empty_archive.db(), "printer", PASSWORD, "printer", "打印员")
    client = app.test_client()
    assert login(client, "printer").status_code == 302
    html = client.get(f"/print/view?id={honoree_id}&format=poster-a4").get_data(as_text=True)
    assert "缩到 24 磅仍放不下" in html
    labels_view = client.get(f"/print/view?id={honoree_id}&format=labels-4x10")
    assert labels_view.status_code == 200
    assert 'class="sheet labels labels-4x10"' in labels_view.get_data(as_text=True)
    assert "标签上缩到 7 磅仍放不下" in labels_view.get_data(as_text=True)  # 76 characters


def test_exhibition_theme_plugs_in_and_falls_back():
    site = print_style(None, {"ORGANISATION": "示例省总工会"})
    assert site.organisation == "示例省总工会" and site.palette.red == (158, 27, 32)
    themed = print_style({"theme": '{"palette": {"red": "#0a3d7a"}}'}, {})
    assert themed.palette.red == (10, 61, 122) and themed.palette.gold == site.palette.gold
    assert print_style({"theme": "not json"}, {}).palette == site.palette
    assert print_style({"theme": {"red": "blue"}}, {}).palette == site.palette


def test_an_exhibition_themes_posters_take_its_colours(font, tmp_path):
    """A theme picked for an exhibition (here the coastal blue hall) prints its
    posters in the theme's accent (its pages' colour too) instead of the site's red."""
    from archive.halls import themes

    theme = themes.built_in("coastal-blue")
    blue = tuple(int(theme["palette"]["accent"][i : i + 2], 16) for i in (1, 3, 5))
    style = print_style({"theme": json.dumps(theme)}, {})
    assert style.palette.red == blue
    shares = {}
    for name, used in (("themed", style), ("site", None)):
        out = tmp_path / f"{name}.pdf"
        out.write_bytes(posters.posters([person(1, "王芳")], font, "poster-a4", "展", style=used))
        prefix = tmp_path / name
        subprocess.run(
            ["pdftoppm", "-r", "30", "-singlefile", "-png", str(out), str(prefix)], check=True
        )
        with Image.open(f"{prefix}.png") as image:
            pixels = np.asarray(image.convert("RGB")).astype(int)
        shares[name] = {
            colour: float((np.abs(pixels - colour).max(axis=-1) <= 12).mean())
            for colour in (blue, site_style({}).palette.red)
        }
    assert shares["themed"][blue] > 0.05 and shares["themed"][site_style({}).palette.red] < 0.001
    assert shares["site"][blue] < 0.001


def test_emblem_path_replaces_the_drawn_emblem(font, tmp_path):
    emblem = tmp_path / "emblem.png"
    Image.new("RGB", (120, 132), (10, 200, 10)).save(emblem)
    style = site_style({"EMBLEM_PATH": str(emblem)})
    out = tmp_path / "emblem.pdf"
    out.write_bytes(posters.posters([person(1, "王芳")], font, "poster-a4", "展", style=style))
    image = render(out, 30, 1, tmp_path)
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(posters.posters([person(1, "王芳")], font, "poster-a4", "展"))
    assert (
        render(plain, 30, 1, tmp_path).crop((0, 0, 60, 40)).tobytes()
        != image.crop((0, 0, 60, 40)).tobytes()
    )


def test_print_screenshots_are_committed_modest_and_shown_in_the_readme():
    from archive.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    printing = readme[readme.index("## Printing") : readme.index("## Tests and benchmarks")]
    for name in ("print-a4.png", "print-a3.png", "print-book.png"):
        path = PROJECT_ROOT / "docs" / name
        assert f"(docs/{name})" in printing
        assert path.stat().st_size < 400_000
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width >= 400
