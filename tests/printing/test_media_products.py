"""Convergent-media products (融媒体) checked with independent tools: the long
picture's QR decoded with zxing-cpp and its text measured, the share card's size,
the embed card's framing policy, and the short video probed with ffprobe."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image

from archive import db as database
from archive import worker
from archive.catalogue import media
from archive.db import write
from archive.printing import fonts, shareables, shortvideo
from archive.settings import defaults
from tests.conftest import BASE_URL

LONG_NAME = "中国铁路某某局集团有限公司某某机务段“和谐号”动车组司机组暨电力机车检修技术攻关团队"
STORY = (
    "他扎根一线三十年，带出徒弟二十多名。"
    * 12
    + "他说：“把每一颗螺丝拧紧，是对乘客的承诺。”Supercalifragilisticexpialidocious-"
    "engineering-notes-https://example.org/a/very/long/path/that/never/ends"
)
_FACE = shareables.Faces(fonts.load(defaults()["FONT_PATH"]))
QUOTE = "干一行、爱一行、钻一行，把平凡的岗位做成不平凡的事业。" * 3


def portrait(size=(900, 1200), colour=(120, 90, 60)) -> Image.Image:
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    return Image.blend(image, Image.new("RGB", size, colour), 0.5)


@pytest.fixture
def person(make_honoree, empty_archive):
    honoree_id = make_honoree(
        name=LONG_NAME,
        kind="collective",
        collective_type="team",
        story=STORY,
        quote=QUOTE,
        summary="三十年如一日守护列车安全。"
        "带出徒弟二十多名，攻克技术难题十余项。获评全国工人先锋号。",
        unit="某某机务段",
        position="检修车间",
    )
    db = empty_archive.db()
    with write(db):
        media.add_photo(
            db,
            empty_archive.config["MEDIA_DIR"],
            portrait(),
            honoree_id,
            alt="肖像",
            is_portrait=True,
        )
        media.add_photo(
            db,
            empty_archive.config["MEDIA_DIR"],
            portrait((1600, 900), (30, 90, 160)),
            honoree_id,
            alt="工作照",
            position=1,
        )
    return honoree_id


def decode(png: bytes) -> list[str]:
    with Image.open(io.BytesIO(png)) as image:
        return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


def test_the_long_picture_is_1080_wide_and_its_qr_decodes(client, person, empty_archive):
    response = client.get(f"/honorees/{person}/long.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    data = response.get_data()
    with Image.open(io.BytesIO(data)) as image:
        assert image.width == 1080 and image.height > 2400
    code = (
        empty_archive.db().execute("SELECT code FROM honorees WHERE id = ?", [person]).fetchone()[0]
    )
    assert decode(data) == [f"{BASE_URL}/q/{code}"]
    again = client.get(
        f"/honorees/{person}/long.png", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_no_text_on_the_long_picture_is_clipped():
    """Every line's ink, measured with the font, lies inside the margins and the
    picture; and nothing is drawn in the side margins (pixels checked)."""
    font = fonts.load(defaults()["FONT_PATH"])
    content = {
        "site": "劳模工匠数字档案馆",
        "name": LONG_NAME,
        "honour": "2021年 全国工人先锋号",
        "unit": "某某机务段 检修车间" * 4,
        "story": shareables.excerpt(STORY, 600),
        "quote": QUOTE,
        "address": "archive.example.org/q/ABCDEFG",
        "organisation": "示例省总工会",
    }
    data, layout = shareables.long_png(content, None, f"{BASE_URL}/q/ABCDEFG", font)
    style = shareables.STYLE
    for line in layout.lines:
        left, top, right, bottom = line.box
        assert style.margin <= left and right <= layout.width - style.margin, line.text
        assert 0 <= top and bottom <= layout.height, line.text
    drawn = "".join(line.text for line in layout.lines)
    for text in (LONG_NAME, QUOTE, "某某机务段"):
        assert text.replace(" ", "") in drawn.replace(" ", "")  # wrapped, nothing dropped
    assert (
        "Supercalifragilisticexpialidocious" in drawn.replace(" ", "")
        or "Supercalifragilistic" in drawn
    )
    with Image.open(io.BytesIO(data)) as image:
        rgb = image.convert("RGB")
        for x in list(range(0, style.margin - 2)) + list(
            range(layout.width - style.margin + 2, layout.width)
        ):
            for y in range(style.band + 1, layout.height, 3):
                assert rgb.getpixel((x, y)) == style.paper, (x, y)
    assert decode(data) == [f"{BASE_URL}/q/ABCDEFG"]


def test_wrapping_keeps_closing_punctuation_off_a_line_start():
    face = shareables.Faces(fonts.load(defaults()["FONT_PATH"]))(36)
    lines = shareables.wrap("一二三四五六七八九十，" * 30, face, 400)
    assert len(lines) > 5
    assert not any(line[0] in shareables.NO_LINE_START for line in lines)
    assert all(face.getlength(line) <= 400 for line in lines)


def test_the_share_card_and_wechat_meta(client, person, app):
    card = client.get(f"/honorees/{person}/card.png")
    with Image.open(io.BytesIO(card.get_data())) as image:
        assert image.size == (500, 500)
    page = client.get(f"/honorees/{person}").get_data(as_text=True)
    head = page.split("<body>")[0]
    assert '<meta property="og:title" content="' in head
    assert '<meta property="og:description" content="' in head
    assert '<meta itemprop="description"' in head
    assert "res.wx.qq.com" not in page and "wechat.js" not in page  # off by default


def test_the_wechat_sdk_is_loaded_only_when_configured(empty_archive, person):
    sdk = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
    app = empty_archive.app(WECHAT_JSSDK_URL=sdk)
    response = app.test_client().get(f"/honorees/{person}")
    page = response.get_data(as_text=True)
    assert f'<script src="{sdk}" defer></script>' in page and "wechat.js" in page
    assert f"/honorees/{person}/card.png" in page
    assert "script-src 'self' https://res.wx.qq.com;" in response.headers["Content-Security-Policy"]


def test_the_embed_card_may_be_framed_by_partners_only(empty_archive, person, client):
    card = client.get(f"/embed/honorees/{person}")
    assert card.status_code == 200
    assert "frame-ancestors *" in card.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in card.headers
    assert "<script" not in card.get_data(as_text=True)
    profile = client.get(f"/honorees/{person}")
    assert "frame-ancestors 'none'" in profile.headers["Content-Security-Policy"]
    assert profile.headers["X-Frame-Options"] == "DENY"
    partners = "https://partner.example.org https://union.example.cn"
    strict = empty_archive.app(EMBED_FRAME_ANCESTORS=partners).test_client()
    policy = strict.get(f"/embed/honorees/{person}").headers["Content-Security-Policy"]
    assert policy.endswith(f"frame-ancestors {partners}")


@pytest.mark.parametrize(
    "path", ["/embed/honorees/{}", "/honorees/{}/long.png", "/honorees/{}/card.png"]
)
def test_drafts_have_no_products(client, make_honoree, path):
    draft = make_honoree(name="草稿人物", status="draft")
    assert client.get(path.format(draft)).status_code == 404
    assert client.get(path.format(99999)).status_code == 404


def ffprobe(path: Path) -> dict:
    result = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        capture_output=True,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.slow
def test_the_short_video_through_the_worker_is_vertical_30_to_60_s_with_sound(
    curator, person, app, empty_archive
):
    from tests.curating import post

    response = post(
        curator, f"/curate/honorees/{person}/share-video", page=f"/curate/honorees/{person}"
    )
    assert response.status_code == 302
    page = curator.get(f"/curate/honorees/{person}").get_data(as_text=True)
    assert "data-poll" in page  # the progress bar follows the queued job
    assert f"{BASE_URL}/embed/honorees/{person}" in page and "&lt;iframe" in page  # snippet
    db = database.connect(app.config["DATABASE"])
    try:
        assert worker.run_one(app, db)
    finally:
        db.conn.close()
    job = empty_archive.db().execute("SELECT * FROM jobs WHERE kind = 'share-video'").fetchone()
    assert job["status"] == "done", job["error"]
    assert job["progress"] == job["total"] == 100
    page = curator.get(f"/curate/honorees/{person}").get_data(as_text=True)
    link = f"/curate/honorees/{person}/share-video/{job['id']}.mp4"
    assert link in page
    download = curator.get(link)
    assert download.status_code == 200 and download.mimetype == "video/mp4"
    path = shortvideo.products_dir(app.config["MEDIA_DIR"]) / json.loads(job["params"])["output"]
    info = ffprobe(path)
    video = [s for s in info["streams"] if s["codec_type"] == "video"][0]
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert (video["width"], video["height"]) == (1080, 1920) and video["codec_name"] == "h264"
    assert 30 <= float(info["format"]["duration"]) <= 60.5
    assert audio and audio[0]["codec_name"] == "aac"  # a silent track: no narration here
    assert (
        curator.get(f"/curate/honorees/{person + 1}/share-video/{job['id']}.mp4").status_code == 404
    )


def test_video_length_follows_the_narration_within_30_to_60_s():
    assert shortvideo.plan_durations(3, None)[0] == 30.0
    assert shortvideo.plan_durations(20, None)[0] == 60.0
    assert shortvideo.plan_durations(5, 42.5)[0] == 42.5
    assert shortvideo.plan_durations(5, 300.0)[0] == 60.0
    total, each = shortvideo.plan_durations(4, 40.0)
    assert total == 40.0 and each == pytest.approx((40 - 10) / 4)


@pytest.mark.slow
def test_the_short_video_carries_the_narration(person, app, empty_archive, tmp_path):
    from archive.curation import narration

    source = tmp_path / "story.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=35",
            str(source),
        ],
        check=True,
        timeout=60,
    )
    db = empty_archive.db()
    narration_id = narration.add_recording(
        db,
        app.config["MEDIA_DIR"],
        narration.probe(source),
        person,
        transcript="讲解",
        credit=None,
        user_id=None,
    )
    narration.encode_recording(db, app.config["MEDIA_DIR"], narration_id)
    made = shortvideo.produce(db, app.config, person, shortvideo.output_name(person))
    info = ffprobe(made.path)
    assert abs(float(info["format"]["duration"]) - 35) < 0.5
    loudness = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "info",
            "-i",
            str(made.path),
            "-map",
            "0:a",
            "-af",
            "volumedetect",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    mean = float(loudness.split("mean_volume:")[1].split("dB")[0])
    assert mean > -30  # the tone is there, not a silent track
    frame = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-ss",
            "33",
            "-i",
            str(made.path),
            "-frames:v",
            "1",
            "-f",
            "image2pipe",
            "-c:v",
            "png",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    code = (
        empty_archive.db().execute("SELECT code FROM honorees WHERE id = ?", [person]).fetchone()[0]
    )
    assert decode(frame) == [f"{BASE_URL}/q/{code}"]  # the closing slide's QR scans


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(
            list("劳模工匠扎根一线三十年，。、“”！？（）") + list("abcXYZ0123 -/.")
        ),
        max_size=300,
    ),
    width=st.integers(min_value=120, max_value=936),
)
@example(text="00”””", width=120)  # closing marks that may not start a line, taken along
def test_wrapped_lines_always_fit_and_lose_nothing(text, width):
    face = _FACE(36)
    lines = shareables.wrap(text, face, width)
    assert all(face.getlength(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_a_long_picture_shared_from_an_exhibition_wears_its_theme(client, person, empty_archive):
    """Shared from an exhibition (``?ex=``), the long picture takes that exhibition's
    theme (here the coastal blue); elsewhere, and for an exhibition the honoree is not
    in, the site's red."""
    import numpy as np

    from archive.catalogue import exhibitions
    from archive.halls import themes
    from archive.printing.print_style import site_style

    theme = themes.built_in("coastal-blue")
    blue = tuple(int(theme["palette"]["accent"][i : i + 2], 16) for i in (1, 3, 5))
    red = site_style({}).palette.red
    db = empty_archive.db()
    with write(db):
        inside = exhibitions.create(db, "蓝色展厅", "", [("一", "", [person])], status="published")
        other = exhibitions.create(db, "别的展厅", "", [("一", "", [])], status="published")
        db.execute(
            "UPDATE exhibitions SET theme = ? WHERE id IN (?, ?)",
            [json.dumps(theme), inside, other],
        )

    def shares(query: str) -> tuple[float, float, bytes]:
        data = client.get(f"/honorees/{person}/long.png{query}").get_data()
        with Image.open(io.BytesIO(data)) as image:
            pixels = np.asarray(image.convert("RGB")).astype(int)
        near = lambda rgb: float((np.abs(pixels - rgb).max(axis=-1) <= 10).mean())  # noqa: E731
        return near(blue), near(red), data

    themed_blue, themed_red, themed = shares(f"?ex={inside}")
    site_blue, site_red, _ = shares("")
    assert themed_blue > 0.01 and themed_red < 0.001
    assert site_red > 0.01 and site_blue < 0.001
    assert shares(f"?ex={other}")[:2] == (site_blue, site_red)
    code = db.execute("SELECT code FROM honorees WHERE id = ?", [person]).fetchone()[0]
    assert decode(themed) == [f"{BASE_URL}/q/{code}"]
