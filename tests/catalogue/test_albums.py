"""Cloud albums, exhibition covers, themes edited and the exhibition as a place:
real SQLite, real image files, QR codes decoded with zxing-cpp."""

from __future__ import annotations

import io
import json
import re

import pytest
import zxingcpp
from PIL import Image

from archive.catalogue import albums, exhibitions, media, scans
from archive.db import write
from archive.halls import store
from tests.curating import post


@pytest.fixture(autouse=True)
def _one_person_office(request):
    """These tests are about the change itself, so it applies at once
    (SECOND_APPROVER=0); review is tested in test_review_changes.py."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["SECOND_APPROVER"] = 0


TINY_MP4 = None


def _photo(archive, honoree_id, colour, caption=None, credit=None, portrait=False):
    db = archive.db()
    with write(db):
        return media.add_photo(
            db,
            archive.config["MEDIA_DIR"],
            Image.new("RGB", (800, 1000), colour),
            honoree_id,
            alt="照片",
            caption=caption,
            credit=credit,
            is_portrait=portrait,
        )


@pytest.fixture
def people(empty_archive, make_honoree):
    first = make_honoree(name="林晓峰")
    draft = make_honoree(name="陈建国", status="draft")
    photos = [
        _photo(empty_archive, first, (200, 0, 0), portrait=True),
        _photo(empty_archive, first, (0, 200, 0), "在车间", "王摄"),
        _photo(empty_archive, first, (0, 0, 200), "领奖", "李摄"),
    ]
    hidden = _photo(empty_archive, draft, (90, 90, 90), "草稿照片")
    db = empty_archive.db()
    with write(db):
        exhibition_id = exhibitions.create(
            db,
            "测试展厅",
            "前言第一段。\n前言第二段。",
            [("第一单元", "", [first, draft])],
            status="published",
        )
    return {
        "first": first,
        "draft": draft,
        "photos": photos,
        "hidden": hidden,
        "exhibition_id": exhibition_id,
    }


def _captions(html: str) -> list[str]:
    return re.findall(r'data-caption="([^"]*)"', html)


def test_an_honorees_album_shows_photos_in_order_with_captions_and_credits(client, people):
    html = client.get(f"/honorees/{people['first']}/album").get_data(as_text=True)
    assert _captions(html) == ["", "在车间", "领奖"]
    assert 'data-credit="王摄"' in html and "photoswipe" in html
    assert "打开云相册" in client.get(f"/honorees/{people['first']}").get_data(as_text=True)


def test_drafts_and_withdrawn_albums_are_the_same_404_everywhere(client, empty_archive, people):
    db = empty_archive.db()
    code = albums.code_for(db, "honoree", people["draft"])
    for path in (
        f"/honorees/{people['draft']}/album",
        f"/q/{code}",
        f"/qr/{code}.png",
        "/honorees/999999/album",
        "/exhibitions/999999/album",
    ):
        assert client.get(path).status_code == 404, path
    # the draft's photo is not in the exhibition's album, and its file is not served
    html = client.get(f"/exhibitions/{people['exhibition_id']}/album").get_data(as_text=True)
    assert "草稿照片" not in html
    hidden = media.files_of(db, [people["hidden"]])[people["hidden"]][0]["name"]
    assert client.get(f"/media/{hidden}").status_code == 404
    # withdrawing the published one closes its album too
    with write(db):
        db.execute("UPDATE honorees SET status = 'withdrawn' WHERE id = ?", [people["first"]])
    assert client.get(f"/honorees/{people['first']}/album").status_code == 404


def test_album_code_redirects_counts_the_scan_and_its_qr_decodes(client, empty_archive, people):
    db = empty_archive.db()
    code = albums.code_for(db, "honoree", people["first"])
    assert albums.code_for(db, "honoree", people["first"]) == code  # permanent
    response = client.get(f"/q/{code.lower()}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/honorees/{people['first']}/album")
    scans.fold(
        db, scans.spool_dir(empty_archive.app().instance_path), settle=0
    )  # the worker's step
    assert (
        db.execute(
            "SELECT sum(count) FROM target_scans WHERE target_type = "
            "'honoree_album' AND target_id = ?",
            [people["first"]],
        ).fetchone()[0]
        == 1
    )
    image = Image.open(io.BytesIO(client.get(f"/qr/{code}.png?size=640").get_data()))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [
        f"https://archive.example.org/q/{code}"
    ]
    html = client.get(f"/honorees/{people['first']}/album").get_data(as_text=True)
    assert f"/q/{code}" in html


def test_curators_order_an_album_and_pick_its_cover_recorded_as_revisions(
    curator, empty_archive, people
):
    honoree = people["first"]
    third = f"photo-{people['photos'][2]}"
    page = f"/curate/honorees/{honoree}/album"
    assert post(curator, page, {"action": "first", "item": third}, page=page).status_code == 303
    assert (
        post(
            curator, page, {"action": "cover", "item": f"photo-{people['photos'][1]}"}, page=page
        ).status_code
        == 303
    )
    html = curator.get(f"/honorees/{honoree}/album").get_data(as_text=True)
    assert _captions(html) == ["领奖", "", "在车间"]
    cover = re.search(r'class="album-item is-cover">\s*<a[^>]*data-caption="([^"]*)"', html)
    assert cover and cover.group(1) == "在车间"
    actions = [
        r[0]
        for r in empty_archive.db().execute(
            "SELECT action FROM revisions WHERE record_type = 'honoree' AND record_id = ? "
            "ORDER BY id",
            [honoree],
        )
    ]
    assert actions[-2:] == ["album_first", "album_cover"]
    # an item that is not in the album is refused with a message, nothing changed
    response = post(
        curator, page, {"action": "first", "item": f"photo-{people['hidden']}"}, page=page
    )
    assert response.status_code == 400 and "相册里没有这一项" in response.get_data(as_text=True)


def test_an_exhibition_album_takes_its_own_photos(curator, empty_archive, people):
    exhibition_id = people["exhibition_id"]
    page = f"/curate/exhibitions/{exhibition_id}/album"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (10, 120, 200)).save(buffer, "JPEG")
    buffer.seek(0)
    response = post(
        curator,
        f"/curate/exhibitions/{exhibition_id}/album/photos",
        {
            "alt": "开幕式",
            "caption": "开幕式现场",
            "credit": "工会宣传部",
            "photo": (buffer, "open.jpg"),
        },
        page=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    html = curator.get(f"/exhibitions/{exhibition_id}/album").get_data(as_text=True)
    assert "开幕式现场" in html and "林晓峰" in html
    name = re.search(r'href="/media/([^"]+)"[^>]*data-caption="开幕式现场"', html).group(1)
    assert curator.get(f"/media/{name}").status_code == 200


def test_the_exhibition_page_is_a_place(client, empty_archive, make_honoree):
    ids = [make_honoree(name=f"人物{i:02d}") for i in range(30)]
    db = empty_archive.db()
    with write(db):
        exhibition_id = exhibitions.create(
            db,
            "城市展厅",
            "前言。",
            [("第一单元", "", ids[:20]), ("第二单元", "", ids[20:])],
            status="published",
        )
    html = client.get(f"/exhibitions/{exhibition_id}").get_data(as_text=True)
    assert html.count('class="card"') == 16  # eight per chapter, the rest a page at a time
    assert "第1章" in html and "查看本章全部 20 位" in html
    assert "进入全景展馆" not in html  # no hall drawn yet
    section = db.execute(
        "SELECT id FROM exhibition_sections WHERE exhibition_id = ? ORDER BY position",
        [exhibition_id],
    ).fetchone()[0]
    first = client.get(f"/exhibitions/{exhibition_id}/sections/{section}")
    assert first.get_data(as_text=True).count('class="card"') == 20
    assert client.get(f"/exhibitions/{exhibition_id}/sections/{section}?page=2").status_code == 404
    cover = client.get(f"/exhibitions/{exhibition_id}/cover.jpg")
    assert cover.status_code == 200 and cover.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(cover.get_data())).size == (1200, 750)


def test_a_theme_edited_in_the_back_office_is_recorded_and_redraws(curator, empty_archive, people):
    exhibition_id = people["exhibition_id"]
    page = f"/curate/exhibitions/{exhibition_id}/theme"
    assert curator.get(page).status_code == 200
    response = post(
        curator,
        page,
        {
            "base": "industrial",
            "palette_banner": "#123456",
            "banner": "匠心筑梦 · 技能强省",
            "emblem": "gear",
            "texture": "concrete",
        },
        page=page,
    )
    assert response.status_code == 303
    db = empty_archive.db()
    theme = store.theme_of(db, exhibition_id)
    assert theme["base"] == "industrial" and theme["palette"]["banner"] == "#123456"
    assert theme["banner"] == "匠心筑梦 · 技能强省"
    css = curator.get(f"/exhibitions/{exhibition_id}/theme.css").get_data(as_text=True)
    assert "--hall-banner:#123456" in css
    last = db.execute(
        "SELECT action, snapshot FROM revisions WHERE record_type = 'exhibition' "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert last[0] == "theme" and "#123456" in json.loads(last[1])["theme"]
    bad = post(curator, page, {"base": "industrial", "palette_wall": "red"}, page=page)
    assert bad.status_code == 400 and "#RRGGBB" in bad.get_data(as_text=True)
    # the cover drawn from the theme carries the banner colour
    cover = Image.open(
        io.BytesIO(curator.get(f"/exhibitions/{exhibition_id}/cover.jpg").get_data())
    ).convert("RGB")
    r, g, b = cover.getpixel((40, 375))
    assert abs(r - 0x12) < 12 and abs(g - 0x34) < 12 and abs(b - 0x56) < 12
