"""What faces the internet: redirects never follow the Host header, other sites'
POSTs are refused, forwarded addresses are believed only from trusted proxies, media
can be handed to nginx, and the content generation is mirrored for nginx's cache."""

import pytest
from PIL import Image

from archive.catalogue import media
from archive.db import generation, write
from tests.conftest import BASE_URL, ClosingClient
from tests.curating import PASSWORD, make_user, token


@pytest.mark.parametrize("path", ["/curate", "/print"])
def test_slash_redirect_uses_base_url_not_the_host_header(client, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code in (301, 302, 308)
    assert response.headers["Location"].startswith(BASE_URL + "/")
    assert "evil.example" not in response.headers["Location"]


def test_login_redirects_stay_on_the_site(client, empty_archive):
    make_user(empty_archive, "curator1")
    response = client.post(
        "/curate/login?next=//evil.example/x",
        data={"username": "curator1", "password": PASSWORD, "csrf_token": token(client)},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def _login_post(client, **headers):
    return client.post(
        "/curate/login",
        headers=headers,
        data={"username": "nobody", "password": "x", "csrf_token": token(client)},
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://archive.example.org"},  # the same host over another scheme
        {"Referer": "https://evil.example/page"},
    ],
)
def test_post_from_another_origin_is_refused_in_chinese(client, headers):
    response = _login_post(client, **headers)
    assert response.status_code == 403
    assert "其他网站" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": BASE_URL},
        {"Origin": "https://ARCHIVE.example.org:443"},
        {"Referer": BASE_URL + "/curate/login"},
        {},  # neither header: not a browser's cross-site request; the CSRF token decides
    ],
)
def test_post_from_the_site_itself_is_let_through(client, headers):
    assert _login_post(client, **headers).status_code == 401  # wrong password, not 403


def test_trusted_origins_may_post_too(empty_archive):
    app = empty_archive.app(TRUSTED_ORIGINS="http://10.0.0.5:8000 http://intranet.example")
    app.test_client_class = ClosingClient
    client = app.test_client()
    assert _login_post(client, Origin="http://10.0.0.5:8000").status_code == 401
    assert _login_post(client, Origin="http://10.0.0.6:8000").status_code == 403


def test_api_post_from_another_origin_gets_json(client):
    response = client.post("/api/v1/honorees", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.get_json()["error"]["status"] == 403


def _failed_login_addresses(archive):
    return [
        row[0] for row in archive.db().execute("SELECT address FROM login_attempts ORDER BY id")
    ]


def test_forwarded_address_is_ignored_without_trusted_proxies(client, empty_archive):
    _login_post(client, **{"X-Forwarded-For": "203.0.113.9"})
    assert _failed_login_addresses(empty_archive) == ["127.0.0.1"]


def test_forwarded_address_counts_behind_one_trusted_proxy(empty_archive):
    app = empty_archive.app(TRUSTED_PROXIES=1)
    app.test_client_class = ClosingClient
    client = app.test_client()
    # a client's own X-Forwarded-For is not believed: only the last hop nginx added
    _login_post(client, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.9"})
    assert _failed_login_addresses(empty_archive) == ["203.0.113.9"]


@pytest.fixture
def portraits(empty_archive, make_honoree):
    ids = {
        "published": make_honoree(name="公开人物"),
        "withdrawn": make_honoree(name="撤回人物", status="withdrawn"),
    }
    db = empty_archive.db()
    names = {}
    with write(db):
        for shade, (status, honoree_id) in enumerate(ids.items()):
            media.add_photo(
                db,
                empty_archive.config["MEDIA_DIR"],
                Image.new("RGB", (640, 800), (90, 120, 150 + 40 * shade)),
                honoree_id,
                alt="肖像",
                is_portrait=True,
            )
            names[status] = db.execute(
                "SELECT m.name FROM media_files m JOIN photos p ON p.id = m.photo_id "
                "WHERE p.honoree_id = ? LIMIT 1",
                [honoree_id],
            ).fetchone()[0]
    return names


def test_media_is_handed_to_nginx_after_the_visibility_check(empty_archive, portraits):
    app = empty_archive.app(ACCEL_REDIRECT_PREFIX="/_media")
    app.test_client_class = ClosingClient
    client = app.test_client()
    shown = client.get(f"/media/{portraits['published']}")
    assert shown.status_code == 200
    assert shown.headers["X-Accel-Redirect"] == f"/_media/derived/{portraits['published']}"
    assert shown.data == b""
    assert "immutable" in shown.headers["Cache-Control"]
    hidden = client.get(f"/media/{portraits['withdrawn']}")
    assert hidden.status_code == 404
    assert "X-Accel-Redirect" not in hidden.headers


def test_media_is_sent_by_the_app_without_the_setting(client, portraits):
    response = client.get(f"/media/{portraits['published']}")
    assert response.status_code == 200
    assert "X-Accel-Redirect" not in response.headers
    assert len(response.data) > 100


def test_every_visible_change_repoints_the_generation_link(empty_archive, make_honoree, tmp_path):
    link = tmp_path / "generation"
    empty_archive.config["GENERATION_LINK"] = str(link)  # what its app and worker get
    try:
        make_honoree(name="新人物")
        db = empty_archive.db()
        assert link.resolve().name == str(generation(db)) and generation(db) > 0
        assert link.resolve().is_dir()
        with pytest.raises(RuntimeError), write(db):
            from archive.db import bump_generation

            bump_generation(db)
            raise RuntimeError  # rolled back: nothing to publish
        assert link.resolve().name == str(generation(db))
        for n in range(6):
            make_honoree(name=f"人物{n}")
        kept = sorted(
            int(p.name) for p in (tmp_path / "generation.d").iterdir() if p.name.isdigit()
        )
        assert kept[-1] == generation(db) and len(kept) <= 4
    finally:
        empty_archive.config["GENERATION_LINK"] = ""
