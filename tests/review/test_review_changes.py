"""Review that means something, beyond the record form (issue 17, item 7): with
SECOND_APPROVER=1 a curator's change to a published record's honours and photos, to a
hall, an album, a narration or the title vocabulary waits in the review queue; the
public keeps the published state; the author cannot approve it; a second curator
approves (applied as a revision) or rejects (discarded). With SECOND_APPROVER=0 a
change applies at once."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import quote

import pytest
from PIL import Image

from archive.catalogue import exhibitions, media
from archive.db import write
from archive.halls import store
from tests.conftest import run_jobs
from tests.curating import login, make_user, post
from tests.curation.test_narration import recording, run_worker, upload
from tests.hall_fixtures import build


@pytest.fixture
def review(app):
    app.config["SECOND_APPROVER"] = 1
    return app


def _only_change(archive) -> int:
    rows = archive.db().execute("SELECT id FROM pending_changes").fetchall()
    assert len(rows) == 1
    return rows[0][0]


def _decide(client, change_id: int, action: str):
    return post(
        client,
        f"/curate/changes/{change_id}",
        {"action": action},
        page=f"/curate/changes/{change_id}",
    )


def _diff(client, change_id: int) -> list[tuple[str, str, str]]:
    html = client.get(f"/curate/changes/{change_id}").get_data(as_text=True)
    return re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>", html)


def _queued(client) -> str:
    return client.get("/curate/").get_data(as_text=True).split("review-queue", 1)[-1]


def _refused_to_author(curator, empty_archive, change_id: int) -> None:
    page = curator.get(f"/curate/changes/{change_id}").get_data(as_text=True)
    assert "自己提交的修改需由另一位策展人或管理员审核" in page
    assert _decide(curator, change_id, "approve").status_code == 400
    assert _decide(curator, change_id, "reject").status_code == 400
    assert empty_archive.db().execute("SELECT count(*) FROM pending_changes").fetchone()[0] == 1


# --- a published record's honours and photos ---------------------------------------------


def test_revoking_an_honour_waits_until_a_second_curator_approves(
    review, curator, second_curator, client, make_honoree, empty_archive
):
    honoree_id = make_honoree(
        name="审核荣誉",
        honours=[
            {"title": "全国劳动模范", "year": 2015, "body": "国务院"},
            {"title": "省劳动模范", "year": 2010, "body": "省政府"},
        ],
    )
    db = empty_archive.db()
    national = db.execute(
        "SELECT id FROM honours WHERE honoree_id = ? AND year = 2015", [honoree_id]
    ).fetchone()[0]
    done = post(
        curator,
        f"/curate/honorees/{honoree_id}/honours/{national}",
        {"action": "revoke"},
        page=f"/curate/honorees/{honoree_id}",
    )
    assert done.status_code == 302
    assert "全国劳动模范" in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)

    def api():
        found = client.get(f"/api/v1/honorees/{honoree_id}").get_json()
        return {h["title"] for h in found["honours"]}

    assert api() == {"全国劳动模范", "省劳动模范"}
    assert db.execute("SELECT revoked FROM honours WHERE id = ?", [national]).fetchone()[0] == 0
    change_id = _only_change(empty_archive)
    assert "审核荣誉" in _queued(second_curator)
    assert ("荣誉“全国劳动模范（2015）”的已撤销", "否", "是") in _diff(second_curator, change_id)
    _refused_to_author(curator, empty_archive, change_id)
    assert _decide(second_curator, change_id, "approve").status_code == 303
    page = client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert "省劳动模范" in page and "全国劳动模范" not in page
    assert api() == {"省劳动模范"}
    assert (
        db.execute(
            "SELECT action FROM revisions WHERE record_id = ? AND record_type = "
            "'honoree' ORDER BY id DESC",
            [honoree_id],
        ).fetchone()[0]
        == "honour_revoke"
    )
    assert db.execute("SELECT count(*) FROM pending_changes").fetchone()[0] == 0


def test_an_uploaded_photo_stays_private_and_goes_when_rejected(
    review, curator, second_curator, client, make_honoree, empty_archive
):
    honoree_id = make_honoree(name="审核照片")
    picture = io.BytesIO()
    Image.new("RGB", (900, 1200), (20, 120, 200)).save(picture, "JPEG")
    done = post(
        curator,
        f"/curate/honorees/{honoree_id}/photos",
        {
            "photo": (io.BytesIO(picture.getvalue()), "a.jpg"),
            "alt": "新照片",
            "caption": "待审核的照片",
        },
        page=f"/curate/honorees/{honoree_id}",
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    assert "待审核的照片" not in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    names = [r[0] for r in empty_archive.db().execute("SELECT name FROM media_files")]
    assert names and all(client.get(f"/media/{n}").status_code == 404 for n in names)
    # the editor shows the version waiting for review
    assert "待审核的照片" in curator.get(f"/curate/honorees/{honoree_id}").get_data(as_text=True)
    change_id = _only_change(empty_archive)
    assert ("新增照片", "", "待审核的照片") in _diff(second_curator, change_id)
    assert _decide(second_curator, change_id, "reject").status_code == 303
    assert "待审核的照片" not in curator.get(f"/curate/honorees/{honoree_id}").get_data(
        as_text=True
    )
    assert (
        empty_archive.db()
        .execute("SELECT count(*) FROM photos WHERE honoree_id = ?", [honoree_id])
        .fetchone()[0]
        == 0
    )


# --- the hall --------------------------------------------------------------------------------


def _public_spots(client, exhibition_id: int, key: str = "r1") -> list[dict]:
    html = client.get(f"/exhibitions/{exhibition_id}/hall").get_data(as_text=True)
    config = json.loads(html.split('id="hall-config">', 1)[1].split("</script>", 1)[0])
    return config["scenes"][key]["hotspots"]


def test_hall_hotspots_wait_for_review_and_the_diff_names_them(
    review, curator, second_curator, client, empty_archive
):
    hall = build(empty_archive, 2)
    exhibition_id = hall["exhibition_id"]
    db = empty_archive.db()
    hall_row = store.of_exhibition(db, exhibition_id)
    scene = db.execute(
        "SELECT id FROM hall_scenes WHERE hall_id = ? AND key = 'r1'", [hall_row["id"]]
    ).fetchone()[0]
    page = f"/curate/exhibitions/{exhibition_id}/hall/scenes/{scene}"
    before = _public_spots(client, exhibition_id)
    assert (
        post(
            curator,
            page + "/hotspots",
            {
                "kind": "info",
                "yaw": "12",
                "pitch": "-3",
                "title": "车间简介",
                "text": "始建于1958年",
            },
            page=page,
        ).status_code
        == 303
    )
    assert _public_spots(client, exhibition_id) == before
    assert "车间简介" in curator.get(page).get_data(as_text=True)  # the pending version
    change_id = _only_change(empty_archive)
    rows = _diff(second_curator, change_id)
    assert any(
        what == "新增热点" and "文字说明“车间简介”" in after and "水平 12°" in after
        for what, _, after in rows
    ), rows
    _refused_to_author(curator, empty_archive, change_id)
    assert _decide(second_curator, change_id, "approve").status_code == 303
    placed = [s for s in _public_spots(client, exhibition_id) if s["title"] == "车间简介"]
    assert placed and (placed[0]["yaw"], placed[0]["pitch"]) == (12.0, -3.0)
    assert (
        db.execute(
            "SELECT action FROM revisions WHERE record_type = 'exhibition' ORDER BY id DESC"
        ).fetchone()[0]
        == "hall_hotspot"
    )

    # moved, then rejected: it stays where the public sees it
    spot = db.execute("SELECT id FROM hall_hotspots WHERE title = '车间简介'").fetchone()[0]
    post(
        curator,
        f"{page}/hotspots/{spot}",
        {"kind": "info", "yaw": "40", "pitch": "-3", "title": "车间简介", "text": "始建于1958年"},
        page=page,
    )
    change_id = _only_change(empty_archive)
    assert (
        "移动热点文字说明“车间简介”（第1单元）的位置",
        "水平 12°，俯仰 -3°",
        "水平 40°，俯仰 -3°",
    ) in _diff(second_curator, change_id)
    assert _decide(second_curator, change_id, "reject").status_code == 303
    placed = [s for s in _public_spots(client, exhibition_id) if s["title"] == "车间简介"]
    assert placed[0]["yaw"] == 12.0


def test_a_theme_change_waits_and_the_hall_is_not_redrawn_meanwhile(
    review, curator, second_curator, empty_archive
):
    db = empty_archive.db()
    with write(db):
        exhibition_id = exhibitions.create(db, "主题展厅", "前言。", [], status="published")
    old = store.theme_of(db, exhibition_id)
    page = f"/curate/exhibitions/{exhibition_id}/theme"
    assert (
        post(curator, page, {"base": old["base"], "banner": "审核中的横幅"}, page=page).status_code
        == 303
    )
    assert store.theme_of(db, exhibition_id) == old
    assert "审核中的横幅" in curator.get(page).get_data(as_text=True)  # the pending version
    change_id = _only_change(empty_archive)
    assert ("主题的横幅文字", old["banner"], "审核中的横幅") in _diff(second_curator, change_id)
    _refused_to_author(curator, empty_archive, change_id)
    assert _decide(second_curator, change_id, "approve").status_code == 303
    assert store.theme_of(db, exhibition_id)["banner"] == "审核中的横幅"

    # an uploaded cover waits too; rejected, its photo goes
    picture = io.BytesIO()
    Image.new("RGB", (1200, 800), (150, 30, 30)).save(picture, "JPEG")
    assert (
        post(
            curator,
            f"/curate/exhibitions/{exhibition_id}/cover",
            {"cover": (io.BytesIO(picture.getvalue()), "c.jpg"), "alt": "开幕式合影"},
            page=page,
            content_type="multipart/form-data",
        ).status_code
        == 303
    )
    assert (
        db.execute(
            "SELECT cover_photo_id FROM exhibitions WHERE id = ?", [exhibition_id]
        ).fetchone()[0]
        is None
    )
    change_id = _only_change(empty_archive)
    assert any(
        what == "封面" and before == "按主题生成" and "开幕式合影" in after
        for what, before, after in _diff(second_curator, change_id)
    )
    assert _decide(second_curator, change_id, "reject").status_code == 303
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 0


def test_an_uploaded_panorama_becomes_a_scene_only_when_approved(
    review, curator, second_curator, client, empty_archive
):
    from tests.halls.test_hall_editor import _equirect

    hall = build(empty_archive, 2)
    exhibition_id = hall["exhibition_id"]
    page = f"/curate/exhibitions/{exhibition_id}/hall"
    public = client.get(f"/exhibitions/{exhibition_id}/hall").get_data(as_text=True)
    assert "一楼序厅实景" not in public
    response = post(
        curator,
        page + "/panoramas",
        {"title": "一楼序厅实景", "panorama": (io.BytesIO(_equirect(2048)), "p.jpg")},
        page=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert "一楼序厅实景" not in client.get(f"/exhibitions/{exhibition_id}/hall").get_data(
        as_text=True
    )
    assert "一楼序厅实景" in curator.get(page).get_data(as_text=True)  # the pending version
    change_id = _only_change(empty_archive)
    assert ("新增场景", "", "一楼序厅实景") in _diff(second_curator, change_id)
    _refused_to_author(curator, empty_archive, change_id)
    assert _decide(second_curator, change_id, "approve").status_code == 303
    run_jobs(review)  # the worker cuts the approved panorama's tiles
    assert "一楼序厅实景" in client.get(f"/exhibitions/{exhibition_id}/hall").get_data(as_text=True)


# --- albums ---------------------------------------------------------------------------------


def _photo(archive, honoree_id, colour, caption):
    db = archive.db()
    with write(db):
        return media.add_photo(
            db,
            archive.config["MEDIA_DIR"],
            Image.new("RGB", (800, 1000), colour),
            honoree_id,
            alt="照片",
            caption=caption,
        )


def test_an_album_order_waits_and_the_review_shows_it_before_and_after(
    review, curator, second_curator, client, make_honoree, empty_archive
):
    honoree_id = make_honoree(name="相册人物")
    _photo(empty_archive, honoree_id, (200, 0, 0), "第一张")
    second = _photo(empty_archive, honoree_id, (0, 200, 0), "第二张")
    last = _photo(empty_archive, honoree_id, (0, 0, 200), "第三张")

    def captions():
        page = client.get(f"/honorees/{honoree_id}/album").get_data(as_text=True)
        return re.findall(r'data-caption="([^"]*)"', page)

    assert captions() == ["第一张", "第二张", "第三张"]
    editor = f"/curate/honorees/{honoree_id}/album"
    assert (
        post(curator, editor, {"action": "first", "item": f"photo-{last}"}, page=editor).status_code
        == 303
    )
    assert captions() == ["第一张", "第二张", "第三张"]
    change_id = _only_change(empty_archive)
    assert ("相册顺序", "第一张、第二张、第三张", "第三张、第一张、第二张") in _diff(
        second_curator, change_id
    )
    _refused_to_author(curator, empty_archive, change_id)
    assert _decide(second_curator, change_id, "approve").status_code == 303
    assert captions() == ["第三张", "第一张", "第二张"]
    # a cover change rejected: the cover stays (the first photo, the cover until now)
    post(curator, editor, {"action": "cover", "item": f"photo-{second}"}, page=editor)
    assert "第二张 <strong>（封面）" in curator.get(editor).get_data(as_text=True)
    change_id = _only_change(empty_archive)
    assert ("相册封面", "第一张", "第二张") in _diff(second_curator, change_id)
    assert _decide(second_curator, change_id, "reject").status_code == 303
    assert "第一张 <strong>（封面）" in curator.get(editor).get_data(as_text=True)


# --- the title vocabulary --------------------------------------------------------------------


def test_a_title_rename_waits_and_a_rejected_level_change_is_discarded(
    review, curator, second_curator, client, make_honoree, empty_archive
):
    make_honoree(name="称号持有人", honours=[{"title": "省劳动模范", "year": 2019}])
    assert client.get("/honours/" + quote("省劳动模范")).status_code == 200
    assert (
        post(
            curator,
            "/curate/titles/rename",
            {"title": "省劳动模范", "new": "浙江省劳动模范"},
            page="/curate/titles",
        ).status_code
        == 302
    )
    assert client.get("/honours/" + quote("浙江省劳动模范")).status_code == 404
    assert client.get("/honours/" + quote("省劳动模范")).status_code == 200
    change_id = _only_change(empty_archive)
    assert ("称号名称", "省劳动模范", "浙江省劳动模范") in _diff(second_curator, change_id)
    assert "称号“省劳动模范”" in _queued(second_curator)
    _refused_to_author(curator, empty_archive, change_id)
    assert _decide(second_curator, change_id, "approve").status_code == 303
    assert "称号持有人" in client.get("/honours/" + quote("浙江省劳动模范")).get_data(as_text=True)

    db = empty_archive.db()
    assert (
        post(
            curator,
            "/curate/titles/update",
            {"title": "浙江省劳动模范", "level": "municipal", "conferred_on": "individual"},
            page="/curate/titles",
        ).status_code
        == 302
    )
    change_id = _only_change(empty_archive)
    assert ("称号“浙江省劳动模范”的级别", "省级", "市级") in _diff(second_curator, change_id)
    assert _decide(second_curator, change_id, "reject").status_code == 303
    assert (
        db.execute("SELECT level FROM honour_titles WHERE title = '浙江省劳动模范'").fetchone()[0]
        == "provincial"
    )


# --- narration --------------------------------------------------------------------------------


def test_a_recording_waits_once_encoded_until_approved(
    review, curator, second_curator, client, make_honoree, empty_archive, tmp_path, app
):
    honoree_id = make_honoree(name="讲解人物")
    assert (
        upload(curator, honoree_id, recording(tmp_path / "a.mp3", 1.5), "a.mp3").status_code == 302
    )
    run_worker(app)
    db = empty_archive.db()
    row = db.execute("SELECT id, status FROM narrations").fetchone()
    assert row["status"] == "pending"
    assert "收听事迹" not in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert client.get(f"/media/narration/{row['id']}.m4a").status_code == 404
    change_id = _only_change(empty_archive)
    rows = _diff(second_curator, change_id)
    assert any(
        what == "公开的讲解" and before == "（空）" and "录音" in after
        for what, before, after in rows
    ), rows
    _refused_to_author(curator, empty_archive, change_id)
    assert _decide(second_curator, change_id, "approve").status_code == 303
    assert "收听事迹" in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)

    # deleting the public narration waits too; rejected, it stays public
    post(
        curator,
        f"/curate/honorees/{honoree_id}/narration/{row['id']}",
        {"action": "delete"},
        page=f"/curate/honorees/{honoree_id}",
    )
    change_id = _only_change(empty_archive)
    assert _decide(second_curator, change_id, "reject").status_code == 303
    assert client.get(f"/media/narration/{row['id']}.m4a").status_code == 200


# --- one-person offices and admins ----------------------------------------------------------


def test_without_a_second_approver_or_by_an_admin_changes_apply_at_once(
    app, curator, client, make_honoree, empty_archive
):
    app.config["SECOND_APPROVER"] = 0
    honoree_id = make_honoree(name="直接生效")
    assert (
        post(
            curator,
            f"/curate/honorees/{honoree_id}/honours",
            {"title": "全国五一劳动奖章", "year": "2019", "body": "全国总工会"},
            page=f"/curate/honorees/{honoree_id}",
        ).status_code
        == 302
    )
    assert "全国五一劳动奖章" in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert (
        post(
            curator,
            "/curate/titles/rename",
            {"title": "省劳动模范", "new": "江苏省劳动模范"},
            page="/curate/titles",
        ).status_code
        == 302
    )
    db = empty_archive.db()
    assert db.execute("SELECT 1 FROM honour_titles WHERE title = '江苏省劳动模范'").fetchone()
    # an admin is an approver: their own change applies at once even with the rule on
    app.config["SECOND_APPROVER"] = 1
    admin = app.test_client()
    make_user(empty_archive, "admin1", "admin")
    assert login(admin, "admin1").status_code == 302
    assert (
        post(
            admin,
            "/curate/titles/rename",
            {"title": "江苏省劳动模范", "new": "省劳动模范"},
            page="/curate/titles",
        ).status_code
        == 302
    )
    assert db.execute("SELECT 1 FROM honour_titles WHERE title = '省劳动模范'").fetchone()
    assert db.execute("SELECT count(*) FROM pending_changes").fetchone()[0] == 0


def test_an_uploaded_video_is_public_only_once_approved(
    review, curator, second_curator, client, make_honoree, empty_archive, tmp_path
):
    from tests.catalogue.test_uploads import make_video, upload_video

    honoree_id = make_honoree(name="审核视频")
    data = make_video(tmp_path / "v.mp4", "libx264")
    assert upload_video(curator, honoree_id, data, "v.mp4").status_code == 302
    db = empty_archive.db()
    (video_id,) = db.execute("SELECT id FROM videos WHERE honoree_id = ?", [honoree_id]).fetchone()
    assert "车间纪实" not in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert client.get(f"/media/video/{video_id}.mp4").status_code == 404
    assert "车间纪实" in curator.get(f"/curate/honorees/{honoree_id}").get_data(as_text=True)
    change_id = _only_change(empty_archive)
    assert ("新增视频", "", "车间纪实") in _diff(second_curator, change_id)
    _refused_to_author(curator, empty_archive, change_id)
    assert _decide(second_curator, change_id, "approve").status_code == 303
    assert "车间纪实" in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert client.get(f"/media/video/{video_id}.mp4").status_code == 200

    assert upload_video(curator, honoree_id, data, "again.mp4").status_code == 302
    (held,) = db.execute("SELECT id FROM videos WHERE held = 1").fetchone()
    assert _decide(second_curator, _only_change(empty_archive), "reject").status_code == 303
    assert db.execute("SELECT count(*) FROM videos WHERE id = ?", [held]).fetchone()[0] == 0
    assert client.get(f"/media/video/{video_id}.mp4").status_code == 200  # the approved one
