"""The production recipe, tested for real: nginx with ``deploy/nginx.conf`` (its
micro-cache at 60 s) in front of gunicorn, and gunicorn alone as ``serve`` runs it,
both facing slowloris clients from 127.0.0.2."""

from __future__ import annotations

import http.client
import os
import shutil
import urllib.request

import pytest
from PIL import Image

from archive import db as database
from archive.catalogue import honorees, media, scans
from archive.db import write
from archive.settings import PROJECT_ROOT
from tests.conftest import free_port, fresh_archive, start_gunicorn, wait_for
from tests.front import Slowloris, nginx

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")),
        reason="nginx is installed by `make system-deps`",
    ),
]

NORMAL_REQUESTS = 20
PATIENCE = 5  # seconds a normal request may take while the slow clients are connected


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An archive with a published and a withdrawn honoree (each with a portrait),
    gunicorn logging every request it gets, and nginx in front."""
    root = tmp_path_factory.mktemp("front")
    archive = fresh_archive(root / "archive")
    db = archive.db()
    ids = {}
    with write(db):
        for shade, (status, name) in enumerate(
            [("published", "前台测试人物"), ("withdrawn", "撤回测试人物")]
        ):
            ids[status] = honorees.create(
                db,
                {
                    "kind": "individual",
                    "name": name,
                    "status": status,
                    "unit": "测试单位",
                    "story": "测试事迹。",
                },
                [{"title": "全国劳动模范", "year": 2020, "body": "测试机关"}],
            )
            media.add_photo(
                db,
                archive.config["MEDIA_DIR"],
                Image.new("RGB", (640, 800), (90, 120, 100 + 60 * shade)),
                ids[status],
                alt="肖像",
                is_portrait=True,
            )
    portraits = {
        status: db.execute(
            "SELECT m.name FROM media_files m JOIN photos p ON p.id = m.photo_id "
            "WHERE p.honoree_id = ? ORDER BY m.name LIMIT 1",
            [i],
        ).fetchone()[0]
        for status, i in ids.items()
    }
    generation_link = root / "generation"
    database.publish_generation(db, str(generation_link))
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    access_log = root / "gunicorn-access.log"
    env = {
        "ARCHIVE_BASE_URL": f"https://127.0.0.1:{https_port}",
        "ARCHIVE_TRUSTED_PROXIES": "1",
        "ARCHIVE_ACCEL_REDIRECT_PREFIX": "/_media",
        "ARCHIVE_GENERATION_LINK": str(generation_link),
        "ARCHIVE_ENGLISH_INTERFACE": "1",
        "ARCHIVE_WEB_WORKERS": "2",
        "GUNICORN_CMD_ARGS": f"--access-logfile {access_log}",
    }
    app = start_gunicorn(archive, app_port, env)
    try:
        with nginx(
            root / "nginx",
            app_port,
            archive.config["MEDIA_DIR"],
            str(generation_link),
            http_port,
            https_port,
        ) as front:
            yield {
                "archive": archive,
                "front": front,
                "ids": ids,
                "portraits": portraits,
                "generation_link": generation_link,
                "access_log": access_log,
            }
    finally:
        app.terminate()
        app.wait(15)
        archive.close()


def get(front, path: str, timeout: float = PATIENCE, headers: dict | None = None):
    """(status, headers, body) of a GET through nginx over HTTPS."""
    connection = http.client.HTTPSConnection(
        "127.0.0.1", front.https_port, timeout=timeout, context=front.tls()
    )
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_first_request_after_a_published_edit_is_fresh(site):
    front, honoree = site["front"], site["ids"]["published"]
    path = f"/honorees/{honoree}"
    status, headers, body = get(front, path)
    assert status == 200 and "前台测试人物" in body.decode()
    status, headers, body = get(front, path)
    assert headers["X-Cache-Status"] == "HIT"  # the micro-cache is on

    # an edit, committed by another process (here: this test) with the same setting
    db = database.open_for(
        {**site["archive"].config, "GENERATION_LINK": str(site["generation_link"])}
    )
    try:
        with write(db):
            db["honorees"].update(honoree, {"name": "改名后的人物"})
            honorees.note_change(db, honoree)
    finally:
        db.conn.close()
    status, headers, body = get(front, path)
    assert status == 200
    assert "改名后的人物" in body.decode() and headers["X-Cache-Status"] != "HIT"


def test_the_micro_cache_keeps_each_language_apart(site):
    """A page cached for a Chinese visitor is never served to one whose browser lists
    no Chinese, nor to one who switched to English, and the reverse."""
    front, honoree = site["front"], site["ids"]["published"]
    path = f"/honorees/{honoree}?nginx-language"
    visitors = {
        "zh": {"Accept-Language": "zh-CN,zh;q=0.9"},
        "en": {"Accept-Language": "en-US,en;q=0.9"},
        "none": {},
        "cookie-en": {"Accept-Language": "zh-CN", "Cookie": "lang=en"},
    }
    expected = {"zh": "zh-CN", "en": "en", "none": "zh-CN", "cookie-en": "en"}
    for _ in range(2):  # the second round is answered from the cache
        for who, headers in visitors.items():
            status, _, body = get(front, path, headers=headers)
            assert status == 200
            assert f'<html lang="{expected[who]}">' in body.decode(), who
    status, headers, _ = get(front, path, headers=visitors["en"])
    assert headers["X-Cache-Status"] == "HIT"


def test_scans_and_back_office_are_never_cached(site):
    front = site["front"]
    code = (
        site["archive"]
        .db()
        .execute("SELECT code FROM honorees WHERE id = ?", [site["ids"]["published"]])
        .fetchone()[0]
    )
    for _ in range(2):
        status, headers, _ = get(front, f"/q/{code}")
        assert status == 302 and headers["X-Cache-Status"] == "BYPASS"
    # each scan reached gunicorn (a cached redirect would lose it): its spooled line,
    # folded here as the background worker does
    archive = site["archive"]
    spool = scans.spool_dir(archive.config["INSTANCE_DIR"])
    assert wait_for(
        lambda: (
            scans.fold(archive.db(), spool, settle=0) >= 0
            and archive.db().execute("SELECT COALESCE(SUM(count), 0) FROM scans").fetchone()[0] == 2
        ),
        10,
    )
    status, headers, _ = get(front, "/curate/login")
    assert headers["X-Cache-Status"] == "BYPASS"
    status, headers, _ = get(front, "/", headers={"Cookie": "archive_session=x"})
    assert headers["X-Cache-Status"] == "BYPASS"


def test_static_files_never_reach_flask(site):
    front, log = site["front"], site["access_log"]
    for name in ("site.css", "site.js", "share.png"):
        status, headers, body = get(front, f"/static/{name}?v=abc")
        assert status == 200
        assert body == (PROJECT_ROOT / "archive" / "static" / name).read_bytes()
        assert "immutable" in headers["Cache-Control"]
    status, _, _ = get(front, "/healthz/live")
    assert status == 200
    assert wait_for(lambda: "/healthz/live" in log.read_text(), 10)  # the log is being written
    assert "/static/" not in log.read_text()


def test_media_goes_through_the_visibility_check_then_nginx(site):
    front, portraits = site["front"], site["portraits"]
    status, headers, body = get(front, f"/media/{portraits['published']}")
    assert status == 200 and len(body) > 100
    assert headers["Content-Type"].startswith("image/")
    assert "X-Accel-Redirect" not in headers
    status, _, _ = get(front, f"/media/{portraits['withdrawn']}")
    assert status == 404
    status, _, _ = get(front, f"/_media/derived/{portraits['withdrawn']}")
    assert status == 404  # the internal location cannot be asked for directly


def test_plain_http_redirects_to_https_keeping_path_and_query(site):
    front = site["front"]
    connection = http.client.HTTPConnection("127.0.0.1", front.http_port, timeout=PATIENCE)
    connection.request("GET", "/q/ABC123?r=T1")
    response = connection.getresponse()
    connection.close()
    assert response.status == 301
    assert response.headers["Location"] == f"{front.base}/q/ABC123?r=T1"


def test_a_too_long_address_gets_nginx_chinese_414(site):
    status, _, body = get(site["front"], "/search?q=" + "%E5%8A%B3" * 3000)
    assert status == 414
    assert "网址太长" in body.decode()


def test_app_down_gets_nginx_chinese_502(tmp_path, site):
    """nginx whose gunicorn is not running (a restart, a crash)."""
    with nginx(
        tmp_path,
        free_port(),
        site["archive"].config["MEDIA_DIR"],
        str(site["generation_link"]),
        free_port(),
        free_port(),
    ) as front:
        status, headers, body = get(front, "/honorees")
    assert status == 502
    assert "服务暂时不可用" in body.decode() and headers["Content-Type"].startswith("text/html")


def _normal_requests_succeed(base_get) -> list[int]:
    statuses = []
    for _ in range(NORMAL_REQUESTS):
        status = base_get()
        statuses.append(status)
    return statuses


def test_slow_clients_do_not_slow_down_normal_requests_through_nginx(site):
    front, honoree = site["front"], site["ids"]["published"]
    with Slowloris(front.https_port, tls=front.tls()):
        statuses = _normal_requests_succeed(
            lambda: get(front, f"/honorees/{honoree}", timeout=PATIENCE)[0]
        )
        statuses += _normal_requests_succeed(
            lambda: get(front, "/healthz", timeout=PATIENCE)[0]
        )  # uncached, reaches gunicorn
    assert statuses == [200] * (2 * NORMAL_REQUESTS)


@pytest.mark.parametrize("body", [False, True], ids=["headers", "body"])
def test_embedded_gunicorn_survives_slow_clients(empty_archive, make_honoree, body):
    """gunicorn alone, configured as `serve` runs it (archive.gunicorn_conf)."""
    honoree = make_honoree(name="独立运行测试")
    port = free_port()
    process = start_gunicorn(empty_archive, port)
    try:

        def one():
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/honorees/{honoree}", timeout=PATIENCE
            ) as response:
                return response.status

        with Slowloris(port, body=body):
            statuses = _normal_requests_succeed(one)
        assert statuses == [200] * NORMAL_REQUESTS
    finally:
        process.terminate()
        process.wait(15)
