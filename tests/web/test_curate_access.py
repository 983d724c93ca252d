"""Walk the app's URL map, so that a route added later is covered without anyone
remembering to: every back-office route refuses anonymous users and lower roles;
every state-changing request without a valid CSRF token is refused and changes
nothing."""

from __future__ import annotations

import hashlib

import pytest
from PIL import Image

from archive.catalogue import exhibitions, media
from archive.db import write
from tests.conftest import ClosingClient
from tests.curating import login, make_user, token

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Anyone may log in; logging out without a session changes nothing and goes to the login page.
OPEN = {"auth.login", "auth.logout"}
OWN_ACCOUNT = {"auth.logout", "auth.password"}  # any logged-in role, for their own account


@pytest.fixture
def world(empty_archive, make_honoree):
    """Records every route can act on: id 1 for everything."""
    honoree = make_honoree(name="王一", kind="collective", collective_type="team")
    member = make_honoree(name="李二")
    db = empty_archive.db()
    with write(db):
        media.add_photo(
            db, empty_archive.config["MEDIA_DIR"], Image.new("RGB", (400, 300)), honoree, alt="照片"
        )
        hall = exhibitions.create(db, "展厅", "", [("单元", "", [honoree, member])])
        db.execute(
            "INSERT INTO members (collective_id, member_id) VALUES (?, ?)", [honoree, member]
        )
    make_user(empty_archive, "admin1", "admin")
    make_user(empty_archive, "curator1", "curator")
    make_user(empty_archive, "printer1", "printer")
    return {"honoree": honoree, "hall": hall}


def _url(rule) -> str:
    values = {arg: 1 for arg in rule.arguments}
    if "name" in rule.arguments:
        values["name"] = "0123456789abcdef-320.jpeg"
    path = rule.rule
    for arg, value in values.items():
        path = path.replace(f"<int:{arg}>", str(value)).replace(f"<{arg}>", str(value))
    return path


def _routes(app, prefix: str = ""):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix) and rule.endpoint != "static":
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def _fingerprint(archive) -> str:
    """Everything in the database, so that any change shows."""
    db = archive.db()
    digest = hashlib.sha256()
    for line in db.conn.iterdump():
        if "login_attempts" not in line and "audit_log" not in line:
            digest.update(line.encode())
    return digest.hexdigest()


def _client(app):
    app.test_client_class = ClosingClient
    return app.test_client()


def test_there_is_a_back_office_to_walk(app):
    endpoints = {rule.endpoint for rule, _ in _routes(app, "/curate")}
    assert len(endpoints) > 25
    assert {
        "curate.save_honoree",
        "curate.upload_photo",
        "curate.restore_revision",
        "admin.users",
        "curate.merge",
        "curate.import_sheet",
        "curate.import_template",
        "curate.import_job",
        "curate.confirm_import",
        "curate.export",
    } <= endpoints


def _assert_anonymous_refused(app, routes) -> None:
    """GETs go to the login page, everything else gets 401."""
    client = _client(app)
    valid = token(client)  # a real token, so that it is the login check that refuses
    for rule, method in routes:
        response = client.open(_url(rule), method=method, data={"csrf_token": valid})
        if method == "GET":
            assert response.status_code == 302, rule
            assert response.headers["Location"].startswith("/curate/login"), rule
        else:
            assert response.status_code == 401, (rule, method)


def test_every_back_office_route_refuses_anonymous_users(app, world):
    _assert_anonymous_refused(
        app,
        [(rule, method) for rule, method in _routes(app, "/curate") if rule.endpoint not in OPEN],
    )


def test_every_print_route_refuses_anonymous_users(app, world):
    """Printing is for signed-in staff: the same walk over /print."""
    routes = list(_routes(app, "/print"))
    assert len({rule.endpoint for rule, _ in routes}) >= 6
    _assert_anonymous_refused(app, routes)


def test_every_back_office_route_refuses_lower_roles(app, world, empty_archive):
    printer = _client(app)
    curator = _client(app)
    login(printer, "printer1")
    login(curator, "curator1")
    before = _fingerprint(empty_archive)
    for rule, method in _routes(app, "/curate"):
        if rule.endpoint in OPEN | OWN_ACCOUNT:
            continue
        response = printer.open(
            _url(rule), method=method, data={"csrf_token": token(printer, "/curate/password")}
        )
        assert response.status_code == 403, (rule, method)
        if rule.endpoint.startswith("admin."):
            response = curator.open(_url(rule), method=method, data={"csrf_token": token(curator)})
            assert response.status_code == 403, (rule, method)
    assert _fingerprint(empty_archive) == before


@pytest.mark.parametrize("bad_token", [None, "", "forged-token", "other-session"])
def test_every_state_changing_request_without_a_valid_token_is_refused(
    app, world, empty_archive, bad_token
):
    admin = _client(app)
    login(admin, "admin1")
    if bad_token == "other-session":
        stranger = _client(app)
        bad_token = token(stranger)  # valid for someone else's session only
    before = _fingerprint(empty_archive)
    walked = 0
    for rule, method in _routes(app):
        if method not in STATE_CHANGING:
            continue
        data = {
            "name": "改掉的名字",
            "title": "全国劳动模范",
            "year": "2020",
            "alt": "x",
            "action": "delete",
            "version": "1",
            "other_id": "2",
            "member_id": "2",
            "username": "admin1",
            "password": "correct horse battery",
            "role": "admin",
        }
        if bad_token is not None:
            data["csrf_token"] = bad_token
        response = admin.open(_url(rule), method=method, data=data)
        assert response.status_code == 400, (rule, method)
        assert "安全校验失败" in response.get_data(as_text=True)
        walked += 1
    assert walked > 20
    assert _fingerprint(empty_archive) == before
    assert admin.get("/curate/").status_code == 200  # still logged in: logout refused too


def test_a_refused_form_shows_back_what_was_typed(app, world):
    admin = _client(app)
    login(admin, "admin1")
    story = "这是我写了一个小时的事迹正文。" * 20
    response = admin.post(
        f"/curate/honorees/{world['honoree']}",
        data={"name": "王一", "story": story, "version": "1"},
    )
    assert response.status_code == 400
    assert story in response.get_data(as_text=True)


def test_security_headers_on_back_office_pages(app, world):
    admin = _client(app)
    login(admin, "admin1")
    response = admin.get(f"/curate/honorees/{world['honoree']}")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
