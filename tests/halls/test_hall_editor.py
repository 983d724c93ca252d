"""The hall editor: hotspots placed by name, doors, info and audio spots (served with
range requests), uploaded panoramas kept without metadata and cut into tiles by the
background worker (处理中 until then, a Chinese reason when it fails), the
entrance and starting view kept across redraws; every change a revision."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from archive.catalogue import honorees
from archive.db import write
from archive.halls import editor, generate, panoramas, store
from tests.conftest import run_jobs
from tests.curating import post
from tests.hall_fixtures import build


@pytest.fixture(autouse=True)
def _one_person_office(request):
    """These tests are about the change itself, so it applies at once
    (SECOND_APPROVER=0); review is tested in test_review_changes.py."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["SECOND_APPROVER"] = 0


@pytest.fixture
def hall(empty_archive):
    return build(empty_archive, 4)


def _scene(db, exhibition_id, key="r1"):
    hall = store.of_exhibition(db, exhibition_id)
    return dict(
        db.execute(
            "SELECT * FROM hall_scenes WHERE hall_id = ? AND key = ?", [hall["id"], key]
        ).fetchone()
    )


def _public_spots(client, exhibition_id, key="r1"):
    html = client.get(f"/exhibitions/{exhibition_id}/hall").get_data(as_text=True)
    config = json.loads(html.split('id="hall-config">', 1)[1].split("</script>", 1)[0])
    assert list(config["scenes"]) == [config["start"]["scene"]]  # the page: the first room
    rooms = client.get(config["more"])  # the others, as the page fetches them
    assert rooms.status_code == 200
    config["scenes"] = {**rooms.get_json(), **config["scenes"]}
    return config, config["scenes"][key]["hotspots"]


def test_a_portrait_hotspot_is_placed_by_name_and_recorded(curator, empty_archive, hall):
    db = empty_archive.db()
    exhibition_id = hall["exhibition_id"]
    scene = _scene(db, exhibition_id)
    page = f"/curate/exhibitions/{exhibition_id}/hall/scenes/{scene['id']}"
    html = curator.get(page).get_data(as_text=True)
    assert "data-picker" in html and "editor-config" in html
    with write(db):
        other = honorees.create(
            db,
            {"kind": "individual", "name": "欧阳明", "status": "published", "unit": "港务集团"},
            [],
        )
    response = post(
        curator,
        page + "/hotspots",
        {
            "kind": "portrait",
            "yaw": "-30.5",
            "pitch": "4",
            "honoree": f"欧阳明 · 港务集团 · 编号 {other}",
        },
        page=page,
    )
    assert response.status_code == 303
    _, spots = _public_spots(curator, exhibition_id)
    placed = [s for s in spots if s.get("id") == other]
    assert placed and placed[0]["yaw"] == -30.5 and placed[0]["pitch"] == 4.0
    assert placed[0]["title"] == "欧阳明"
    last = db.execute(
        "SELECT action, snapshot FROM revisions WHERE record_type = 'exhibition' "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert last[0] == "hall_hotspot"
    assert json.loads(last[1])["hall"]["scenes"][0]["hotspots"][0]["honoree_id"] == other
    history = curator.get(f"/curate/exhibitions/{exhibition_id}/history").get_data(as_text=True)
    assert "全景展馆" in history and "欧阳明" in history
    # moved (dragged or nudged: the form sends the new angles), then removed
    spot_id = db.execute(
        "SELECT id FROM hall_hotspots WHERE honoree_id = ? AND generated = 0", [other]
    ).fetchone()[0]
    post(
        curator,
        f"{page}/hotspots/{spot_id}",
        {"kind": "portrait", "yaw": "-29.5", "pitch": "3.5", "honoree": f"编号 {other}"},
        page=page,
    )
    assert db.execute("SELECT yaw, pitch FROM hall_hotspots WHERE id = ?", [spot_id]).fetchone()[
        :
    ] == (-29.5, 3.5)
    # withdrawn: gone from the public hall at once
    with write(db):
        db.execute("UPDATE honorees SET status = 'withdrawn' WHERE id = ?", [other])
    assert not [s for s in _public_spots(curator, exhibition_id)[1] if s.get("id") == other]
    post(curator, f"{page}/hotspots/{spot_id}", {"action": "delete"}, page=page)
    assert db.execute("SELECT 1 FROM hall_hotspots WHERE id = ?", [spot_id]).fetchone() is None


def test_refusals_say_why_and_change_nothing(curator, empty_archive, hall):
    db = empty_archive.db()
    exhibition_id = hall["exhibition_id"]
    scene = _scene(db, exhibition_id)
    page = f"/curate/exhibitions/{exhibition_id}/hall/scenes/{scene['id']}"
    before = db.execute("SELECT count(*) FROM hall_hotspots").fetchone()[0]
    for form, message in (
        ({"kind": "door", "yaw": "0", "pitch": "0", "target_key": "nowhere"}, "另一个场景"),
        ({"kind": "portrait", "yaw": "0", "pitch": "0", "honoree": "查无此人"}, "没有找到"),
        ({"kind": "info", "yaw": "0", "pitch": "100", "title": "x"}, "俯仰角度"),
        ({"kind": "audio", "yaw": "0", "pitch": "0"}, "讲解音频"),
    ):
        response = post(curator, page + "/hotspots", form, page=page)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    generated = db.execute(
        "SELECT id FROM hall_hotspots WHERE scene_id = ? AND generated = 1", [scene["id"]]
    ).fetchone()[0]
    response = post(
        curator,
        f"{page}/hotspots/{generated}",
        {"kind": "info", "yaw": "1", "pitch": "1", "title": "x"},
        page=page,
    )
    assert response.status_code == 400 and "自动生成" in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM hall_hotspots").fetchone()[0] == before


def test_an_audio_spot_is_served_with_range_requests(curator, empty_archive, hall):
    db = empty_archive.db()
    exhibition_id = hall["exhibition_id"]
    scene = _scene(db, exhibition_id)
    page = f"/curate/exhibitions/{exhibition_id}/hall/scenes/{scene['id']}"
    sound = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 400
    response = post(
        curator,
        page + "/hotspots",
        {
            "kind": "audio",
            "yaw": "10",
            "pitch": "0",
            "title": "序厅讲解",
            "text": "欢迎参观",
            "audio": (io.BytesIO(sound), "intro.mp3"),
        },
        page=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    _, spots = _public_spots(curator, exhibition_id)
    audio = next(s for s in spots if s["kind"] == "audio")
    assert audio["title"] == "序厅讲解"
    part = curator.get(audio["audio"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.get_data() == sound[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(sound)}"
    assert part.mimetype == "audio/mpeg"
    wrong = post(
        curator,
        page + "/hotspots",
        {"kind": "audio", "yaw": "10", "pitch": "0", "audio": (io.BytesIO(b"<html>"), "a.mp3")},
        page=page,
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 400 and "MP3" in wrong.get_data(as_text=True)
    with write(db):
        db.execute("UPDATE exhibitions SET status = 'draft' WHERE id = ?", [exhibition_id])
    assert curator.get(audio["audio"]).status_code == 404


def _equirect(width: int) -> bytes:
    """Left half (yaw < 0) red, right half blue, with EXIF carrying a place."""
    pixels = np.zeros((width // 2, width, 3), np.uint8)
    pixels[:, : width // 2] = (220, 30, 30)
    pixels[:, width // 2 :] = (30, 30, 220)
    image = Image.fromarray(pixels)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x010E] = "GPS 31.2N 121.5E"  # ImageDescription, a place
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def _upload(curator, exhibition_id, data, title="一楼序厅实景"):
    page = f"/curate/exhibitions/{exhibition_id}/hall"
    return post(
        curator,
        page + "/panoramas",
        {"title": title, "panorama": (io.BytesIO(data), "hall.jpg")},
        page=page,
        content_type="multipart/form-data",
    )


def test_an_uploaded_panorama_is_cut_by_the_worker_then_becomes_the_entrance(
    curator, app, empty_archive, hall
):
    db = empty_archive.db()
    exhibition_id = hall["exhibition_id"]
    page = f"/curate/exhibitions/{exhibition_id}/hall"
    data = _equirect(4096)
    assert b"SecretCam" in data
    response = _upload(curator, exhibition_id, data)
    assert response.status_code == 303
    scene = _scene(db, exhibition_id, "u1")
    folder = store.media_root(empty_archive.config["MEDIA_DIR"]) / scene["tiles"]
    # the request kept a re-encoded copy and queued a job; no tile is cut yet
    assert scene["status"] == "processing" and not folder.exists()
    kept = panoramas.original_path(empty_archive.config["MEDIA_DIR"], scene["tiles"])
    assert b"SecretCam" not in kept.read_bytes() and b"GPS" not in kept.read_bytes()
    with Image.open(kept) as original:
        assert original.size == (4096, 2048) and not original.getexif()
    scene_page = f"{page}/scenes/{scene['id']}"
    html = curator.get(scene_page).get_data(as_text=True)
    assert "处理中" in html and "editor-config" not in html
    assert 'scene-status">处理中' in curator.get(page).get_data(as_text=True)
    config, _ = _public_spots(curator, exhibition_id)
    assert "u1" not in config["scenes"]  # visitors never see a scene without tiles
    run_jobs(app)
    scene = _scene(db, exhibition_id, "u1")
    assert scene["status"] == "ready" and scene["cube_size"] == 1024
    assert 'scene-status">处理中' not in curator.get(page).get_data(as_text=True)
    assert "editor-config" in curator.get(scene_page).get_data(as_text=True)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.jpg"))
    assert "1/f0_0.jpg" in files and "2/r1_1.jpg" in files and "panorama.jpg" in files
    for name in files:
        assert b"SecretCam" not in (folder / name).read_bytes()
        with Image.open(folder / name) as tile:
            assert not tile.getexif()
    with Image.open(folder / "1/r0_0.jpg") as right, Image.open(folder / "1/l0_0.jpg") as left:
        assert np.asarray(right)[256, 256][2] > 180 and np.asarray(left)[256, 256][0] > 180
    # the entrance and starting view, chosen in the editor, survive a redraw
    post(
        curator,
        scene_page,
        {"title": "一楼序厅实景", "yaw": "95", "pitch": "-3", "entrance": "1"},
        page=scene_page,
    )
    post(
        curator,
        scene_page + "/hotspots",
        {"kind": "door", "yaw": "0", "pitch": "-5", "target_key": "r1", "title": "进入第一展室"},
        page=scene_page,
    )
    generate.generate(db, hall["config"], exhibition_id)
    config, spots = _public_spots(curator, exhibition_id, "u1")
    assert config["entrance"] == "u1" and config["order"][-1] == "u1"
    assert config["scenes"]["u1"]["yaw"] == 95 and config["scenes"]["u1"]["pitch"] == -3
    assert [s["target"] for s in spots if s["kind"] == "door"] == ["r1"]
    # the tiles are served to visitors
    assert curator.get(config["scenes"]["u1"]["base"] + "/1/f0_0.jpg").status_code == 200


def test_a_failed_conversion_says_why_in_chinese_and_can_be_retried(
    curator, app, empty_archive, hall
):
    db = empty_archive.db()
    exhibition_id = hall["exhibition_id"]
    assert _upload(curator, exhibition_id, _equirect(2048), "二楼实景").status_code == 303
    scene = _scene(db, exhibition_id, "u1")
    kept = panoramas.original_path(empty_archive.config["MEDIA_DIR"], scene["tiles"])
    good = kept.read_bytes()
    kept.write_bytes(good[: len(good) // 3])  # the kept copy damaged before the worker ran
    run_jobs(app)
    scene = _scene(db, exhibition_id, "u1")
    assert scene["status"] == "failed" and "损坏" in scene["error"]
    job = db.execute("SELECT status, attempts FROM jobs WHERE kind = 'hall-panorama'").fetchone()
    assert tuple(job) == ("failed", 1)  # not retried in vain
    scene_page = f"/curate/exhibitions/{exhibition_id}/hall/scenes/{scene['id']}"
    html = curator.get(scene_page).get_data(as_text=True)
    assert "处理失败" in html and "损坏" in html and "Traceback" not in html
    assert "处理失败" in curator.get(f"/curate/exhibitions/{exhibition_id}/hall").get_data(
        as_text=True
    )
    assert not (store.media_root(empty_archive.config["MEDIA_DIR"]) / scene["tiles"]).exists()
    config, _ = _public_spots(curator, exhibition_id)
    assert "u1" not in config["scenes"]
    # the copy restored, 重新处理 queues it again and the worker finishes it
    kept.write_bytes(good)
    assert post(curator, scene_page, {"action": "retry"}, page=scene_page).status_code == 303
    assert "处理中" in curator.get(scene_page).get_data(as_text=True)
    run_jobs(app)
    assert _scene(db, exhibition_id, "u1")["status"] == "ready"
    assert "u1" in _public_spots(curator, exhibition_id)[0]["scenes"]


def test_a_scene_deleted_while_queued_leaves_no_tiles(curator, app, empty_archive, hall):
    db = empty_archive.db()
    exhibition_id = hall["exhibition_id"]
    _upload(curator, exhibition_id, _equirect(2048))
    scene = _scene(db, exhibition_id, "u1")
    scene_page = f"/curate/exhibitions/{exhibition_id}/hall/scenes/{scene['id']}"
    post(curator, scene_page, {"action": "delete"}, page=scene_page)
    run_jobs(app)
    media = store.media_root(empty_archive.config["MEDIA_DIR"])
    assert not (media / scene["tiles"]).exists()
    assert not panoramas.original_path(empty_archive.config["MEDIA_DIR"], scene["tiles"]).exists()
    assert (
        db.execute("SELECT status FROM jobs WHERE kind = 'hall-panorama'").fetchone()[0] == "done"
    )


@pytest.mark.parametrize("size, message", [((8704, 4352), "8192×4096"), ((2048, 1536), "2:1")])
def test_panoramas_too_large_or_not_equirectangular_are_refused(size, message):
    buffer = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(buffer, "JPEG", quality=50)
    with pytest.raises(editor.HallEditError, match=message):
        editor.check_panorama(buffer.getvalue())
    png = io.BytesIO()
    Image.new("RGB", (2048, 1024)).save(png, "PNG")
    with pytest.raises(editor.HallEditError, match="JPEG"):
        editor.check_panorama(png.getvalue())


def test_the_preview_shows_a_draft_hall_as_visitors_will(curator, client, empty_archive, hall):
    db = empty_archive.db()
    exhibition_id = hall["exhibition_id"]
    with write(db):
        db.execute("UPDATE exhibitions SET status = 'draft' WHERE id = ?", [exhibition_id])
    assert client.get(f"/exhibitions/{exhibition_id}/hall").status_code == 404
    assert client.get(f"/exhibitions/{exhibition_id}/hall/scenes.json").status_code == 404
    html = curator.get(f"/curate/exhibitions/{exhibition_id}/hall/preview").get_data(as_text=True)
    assert "hall-config" in html and "/curate/exhibitions/" in html
