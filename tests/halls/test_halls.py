"""The generated hall: projection maths, portraits where their hotspots say, rooms
continuing a long section, withdrawals never shown, QR entry and the hall poster."""

from __future__ import annotations

import gzip
import io
import math
import subprocess

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from archive.db import write
from archive.halls import projection, room, store, themes
from archive.printing import runs as printing
from tests.hall_fixtures import build, colour, share_near

# --- projection maths ------------------------------------------------------------------


@pytest.mark.parametrize(
    "wall, s, height, yaw, pitch",
    [
        ("front", 5.0, room.EYE, 0.0, 0.0),  # straight ahead at eye height
        ("right", 5.0, room.EYE, 90.0, 0.0),
        ("back", 5.0, room.EYE, 180.0, 0.0),
        ("left", 5.0, room.EYE, -90.0, 0.0),
        ("front", 10.0, room.EYE, 45.0, 0.0),  # the front-right corner
        ("front", 0.0, room.EYE, -45.0, 0.0),
        ("front", 5.0, room.EYE + 5.0, 0.0, 45.0),  # as high above the eye as the wall is far
        ("right", 5.0 + 5.0 * math.tan(math.radians(30)), room.EYE, 120.0, 0.0),
    ],
)
def test_a_known_point_on_a_wall_lands_at_the_expected_yaw_and_pitch(wall, s, height, yaw, pitch):
    got_yaw, got_pitch = room.wall_view(wall, s, height)
    assert abs(((got_yaw - yaw + 180) % 360) - 180) < 1e-9
    assert got_pitch == pytest.approx(pitch, abs=1e-9)


def test_cube_faces_and_directions_agree():
    for yaw in range(-180, 180, 15):
        for pitch in range(-85, 90, 17):
            d = np.array([projection.direction(yaw, pitch)], np.float32)
            face, u, v = projection.face_of(d)
            name = list(projection.FACES)[int(face[0])]
            size = 64
            back = projection.face_directions(name, size)[
                min(size - 1, int(v[0] * size)), min(size - 1, int(u[0] * size))
            ]
            back_yaw, back_pitch = projection.yaw_pitch(*back)
            assert abs(((back_yaw - yaw + 180) % 360) - 180) < 3 or abs(pitch) > 80
            assert abs(back_pitch - pitch) < 3


# --- the generated hall ------------------------------------------------------------------


@pytest.fixture
def hall(empty_archive):
    return build(empty_archive, 20)


def _panorama(archive, scene) -> np.ndarray:
    path = store.media_root(archive.config["MEDIA_DIR"]) / scene["tiles"] / "panorama.jpg"
    return np.asarray(Image.open(path).convert("RGB"))


def test_each_portrait_is_where_its_hotspot_says(empty_archive, hall):
    db = empty_archive.db()
    shown = store.public_hall(db, hall["exhibition_id"])
    index = {honoree_id: i for i, honoree_id in enumerate(hall["ids"])}
    seen = 0
    for scene in shown["scenes"]:
        pixels = _panorama(empty_archive, scene)
        h, w, _ = pixels.shape
        for spot in (s for s in scene["hotspots"] if s["kind"] == "portrait"):
            x, y = projection.equirect_pixel(spot["yaw"], spot["pitch"], w, h)
            patch = pixels[int(y) - 6 : int(y) + 7, int(x) - 6 : int(x) + 7]
            assert share_near(patch, colour(index[spot["honoree_id"]])) > 0.9, spot
            seen += 1
    assert seen == 20


def test_a_section_larger_than_a_room_continues_in_the_next_room(empty_archive, hall):
    shown = store.public_hall(empty_archive.db(), hall["exhibition_id"])
    assert [s["title"] for s in shown["scenes"]] == ["第1单元（一）", "第1单元（二）"]
    first, second = shown["scenes"]
    assert len([s for s in first["hotspots"] if s["kind"] == "portrait"]) == room.CAPACITY
    assert len([s for s in second["hotspots"] if s["kind"] == "portrait"]) == 20 - room.CAPACITY
    doors = {s["target_key"] for s in first["hotspots"] if s["kind"] == "door"}
    assert doors == {"r2"}
    names = [p["honoree_name"] for r in store.list_order(shown) for p in r["people"]]
    assert names == [
        empty_archive.db().execute("SELECT name FROM honorees WHERE id = ?", [i]).fetchone()[0]
        for i in hall["ids"]
    ]


def test_a_withdrawn_honoree_is_never_in_a_served_picture(empty_archive, hall, client):
    from archive.halls import generate

    db = empty_archive.db()
    victim = hall["ids"][0]
    exhibition_id = hall["exhibition_id"]
    scene = store.public_hall(db, exhibition_id)["scenes"][0]
    base = f"/exhibitions/{exhibition_id}/hall/tiles/{scene['tiles']}"
    assert client.get(base + "/panorama.jpg").status_code == 200
    with write(db):
        db.execute("UPDATE honorees SET status = 'withdrawn' WHERE id = ?", [victim])
    # at once, before any redraw: the scene with the baked portrait is not served
    assert client.get(base + "/panorama.jpg").status_code == 404
    assert client.get(base + "/1/f0_0.jpg").status_code == 404
    assert store.stale(db, 1024) == [exhibition_id]
    generate.generate(db, hall["config"], exhibition_id)
    shown = store.public_hall(db, exhibition_id)
    assert victim not in {s["honoree_id"] for sc in shown["scenes"] for s in sc["hotspots"]}
    for scene in shown["scenes"]:
        base = f"/exhibitions/{exhibition_id}/hall/tiles/{scene['tiles']}"
        response = client.get(base + "/panorama.jpg")
        assert response.status_code == 200
        pixels = np.asarray(Image.open(io.BytesIO(response.data)).convert("RGB"))
        assert share_near(pixels, colour(0), 20) < 0.0005
        for level in range(1, scene["max_level"] + 1):
            for face in "fbudlr":
                tile = client.get(f"{base}/{level}/{face}0_0.jpg")
                assert tile.status_code == 200
                assert (
                    share_near(np.asarray(Image.open(io.BytesIO(tile.data))), colour(0), 20)
                    < 0.0005
                )
    page = client.get(f"/exhibitions/{exhibition_id}/hall").get_data(as_text=True)
    assert "林晓峰" not in page


def test_drafts_never_appear_and_unpublished_halls_are_404(empty_archive, client):
    built = build(empty_archive, 6, statuses={2: "draft"})
    db = empty_archive.db()
    shown = store.public_hall(db, built["exhibition_id"])
    people = [
        s["honoree_id"] for sc in shown["scenes"] for s in sc["hotspots"] if s["kind"] == "portrait"
    ]
    assert built["ids"][2] not in people and len(people) == 5
    pixels = _panorama(empty_archive, shown["scenes"][0])
    assert share_near(pixels, colour(2), 20) < 0.0005
    assert client.get("/exhibitions/999/hall").status_code == 404
    with write(db):
        db.execute("UPDATE exhibitions SET status = 'draft' WHERE id = ?", [built["exhibition_id"]])
    hall = store.of_exhibition(db, built["exhibition_id"])
    assert client.get(f"/exhibitions/{built['exhibition_id']}/hall").status_code == 404
    assert client.get(f"/q/{hall['code']}").status_code == 404
    assert client.get(f"/qr/{hall['code']}.png").status_code == 404


def test_the_hall_code_opens_the_hall_and_counts_the_scan(empty_archive, hall, client):
    db = empty_archive.db()
    code = store.of_exhibition(db, hall["exhibition_id"])["code"]
    response = client.get(f"/q/{code.lower()}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/exhibitions/{hall['exhibition_id']}/hall"
    from archive.catalogue import scans

    hall_id = store.of_exhibition(db, hall["exhibition_id"])["id"]
    scans.fold(
        db, scans.spool_dir(empty_archive.app().instance_path), settle=0
    )  # the worker's step
    assert scans.target_totals(db, "hall", hall_id) == 1
    page = client.get(f"/exhibitions/{hall['exhibition_id']}/hall?scene=r2&yaw=90&pitch=5")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and '"scene": "r2"' in text and '"yaw": 90.0' in text
    assert 'id="hall-list"' in text


def test_the_hall_poster_qr_decodes_to_the_halls_short_url(empty_archive, hall, tmp_path):
    db = empty_archive.db()
    from archive.halls import printing as hall_printing

    for fmt in ("poster-a4", "poster-a3"):
        data, run = hall_printing.poster(db, hall["config"], hall["exhibition_id"], fmt)
        pdf = tmp_path / f"{fmt}.pdf"
        pdf.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / fmt)],
            check=True,
        )
        image = Image.open(tmp_path / f"{fmt}.png")
        found = [r.text for r in zxingcpp.read_barcodes(image)]
        code = store.of_exhibition(db, hall["exhibition_id"])["code"]
        assert found == [printing.short_url(hall["config"]["BASE_URL"], code, run["tag"])]


def test_themes_fill_gaps_and_refuse_bad_colours():
    theme = themes.of('{"base": "industrial", "palette": {"wall": "#123456", "x": "#000000"}}')
    assert theme["palette"]["wall"] == "#123456" and "x" not in theme["palette"]
    assert theme["emblem"] == "gear"
    assert themes.of("not json")["base"] == themes.DEFAULT
    with pytest.raises(themes.ThemeError):
        themes.from_form({"base": "coastal-blue", "palette_wall": "red"})


HOLDER = """
import sqlite3, sys, time
from pathlib import Path
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")  # a curator's long save: the write lock held throughout
conn.execute("UPDATE exhibitions SET title = title")
Path(sys.argv[2]).touch()
while not Path(sys.argv[3]).exists():
    time.sleep(0.05)
conn.execute("COMMIT")
"""


def test_a_hall_scan_is_counted_while_another_process_holds_the_write_lock(
    empty_archive, hall, client
):
    import sys

    from archive.catalogue import scans
    from tests.conftest import wait_for

    db = empty_archive.db()
    record = store.of_exhibition(db, hall["exhibition_id"])
    root = empty_archive.root
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLDER,
            empty_archive.config["DATABASE"],
            str(root / "held"),
            str(root / "release"),
        ]
    )
    try:
        assert wait_for(lambda: (root / "held").exists(), 30)
        for _ in range(3):
            response = client.get(f"/q/{record['code']}")
            assert response.status_code == 302
        assert holder.poll() is None  # the lock was held while the scans were answered
    finally:
        (root / "release").touch()
        holder.wait(30)
    spool = scans.spool_dir(empty_archive.app().instance_path)
    assert scans.fold(db, spool, settle=0) == 3
    assert scans.target_totals(db, "hall", record["id"]) == 3


def test_the_viewers_code_is_sent_compressed_when_gunicorn_serves_it(client):
    """Without nginx in front, the app itself compresses the viewer's script and
    styles (Pannellum is 56 KB as a file, 18 KB on the wire)."""
    from archive.settings import PROJECT_ROOT

    folder = PROJECT_ROOT / "archive" / "static" / "vendor" / "pannellum-2.5.7"
    for name, mimetype in (("pannellum.js", "text/javascript"), ("pannellum.css", "text/css")):
        response = client.get(
            f"/static/vendor/pannellum-2.5.7/{name}?v=1", headers={"Accept-Encoding": "gzip"}
        )
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.data) == (folder / name).read_bytes()
        assert len(response.data) < (folder / name).stat().st_size / 2
        again = client.get(
            f"/static/vendor/pannellum-2.5.7/{name}?v=1",
            headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]},
        )
        assert again.status_code == 304


def test_a_hall_not_drawn_yet_says_so_in_chinese(empty_archive, client, make_honoree):
    """A new exhibition's hall before the worker has drawn it (a fresh demo, say): a
    Chinese 503 that asks to come back, never an error page."""
    from archive.catalogue import exhibitions

    person = make_honoree(name="等待布展")
    db = empty_archive.db()
    with write(db):
        exhibition_id = exhibitions.create(
            db, "新展", "", [("一", "", [person])], status="published"
        )
    store.ensure(db, exhibition_id)
    response = client.get(f"/exhibitions/{exhibition_id}/hall")
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert "网上展馆正在布置中" in response.get_data(as_text=True)
    assert client.get(f"/exhibitions/{exhibition_id}/hall/scenes.json").get_json() == {}
