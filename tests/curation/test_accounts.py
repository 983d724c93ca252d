"""Accounts: the create-user command, logging in and out, throttling that holds in
SQLite, session cookies that stop working when they should, admins managing users."""

from __future__ import annotations

import time

from archive import create_app
from archive.curation import accounts
from archive.db import write
from tests.conftest import ClosingClient
from tests.curating import PASSWORD, login, make_user, post, token


def _client(app):
    app.test_client_class = ClosingClient
    return app.test_client()


def test_create_user_command_makes_an_argon2id_account(runner, empty_archive):
    result = runner.invoke(
        args=["create-user", "laowang", "--role", "admin", "--display-name", "王馆长"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "已创建账号 laowang" in result.output
    row = empty_archive.db().execute("SELECT * FROM users WHERE username = 'laowang'").fetchone()
    assert row["role"] == "admin" and row["display_name"] == "王馆长"
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in row["password_hash"]
    short = runner.invoke(args=["create-user", "bob", "--role", "curator", "--password", "short"])
    assert short.exit_code != 0 and "至少需要 10 个字符" in short.output


def test_passwords_are_hashed_with_rfc_9106s_profile_unless_told_otherwise(empty_archive):
    """The suite's apps hash with little memory (conftest); an archive as set up
    by an office uses argon2id with 64 MiB, 3 passes and 4 lanes."""
    settings = {k: v for k, v in empty_archive.config.items() if k != "PASSWORD_HASH_MEMORY_KIB"}
    with create_app(settings).app_context():
        hashed = accounts.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    with empty_archive.app().app_context():
        assert accounts.hash_password(PASSWORD).startswith("$argon2id$v=19$m=256,")


def test_login_then_logout_and_the_old_cookie_is_dead(client, empty_archive):
    make_user(empty_archive, "zhang")
    response = login(client, "zhang")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie  # the tests' BASE_URL is https
    assert client.get("/curate/").status_code == 200
    stolen = client.get_cookie("archive_session").value
    assert post(client, "/curate/logout").status_code == 302
    assert client.get("/curate/").status_code == 302
    client.set_cookie("archive_session", stolen)  # replaying the cookie from before logout
    response = client.get("/curate/")
    assert response.status_code == 302 and "/curate/login" in response.headers["Location"]


def test_no_secure_flag_when_the_site_is_plain_http(empty_archive):
    app = empty_archive.app(BASE_URL="http://127.0.0.1:8000")
    client = _client(app)
    make_user(empty_archive, "li")
    response = login(client, "li")
    assert "Secure" not in response.headers["Set-Cookie"]


def test_password_change_ends_other_sessions(app, empty_archive):
    make_user(empty_archive, "zhao")
    laptop = _client(app)
    desktop = _client(app)
    login(laptop, "zhao").close()
    login(desktop, "zhao").close()
    new = "another long password"
    response = post(
        laptop,
        "/curate/password",
        {"current": PASSWORD, "new": new, "confirm": new},
        page="/curate/password",
    )
    assert response.status_code == 302
    response.close()
    assert laptop.get("/curate/").status_code == 200  # the one that changed it stays in
    assert desktop.get("/curate/").status_code == 302
    assert login(desktop, "zhao").status_code == 401
    assert login(desktop, "zhao", new).status_code == 302


def test_idle_and_absolute_limits(app, empty_archive, monkeypatch):
    make_user(empty_archive, "qian")
    client = _client(app)
    login(client, "qian").close()
    assert client.get("/curate/").status_code == 200
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 61 * 60)  # idle past 60 minutes
    assert client.get("/curate/").status_code == 302
    monkeypatch.setattr(time, "time", real)
    login(client, "qian").close()
    for hour in range(1, 13):  # active every 50 minutes, but 12 hours is the most
        monkeypatch.setattr(time, "time", lambda h=hour: real() + h * 50 * 60)
        assert client.get("/curate/").status_code == 200, hour
    monkeypatch.setattr(time, "time", lambda: real() + 12 * 3600 + 60)
    assert client.get("/curate/").status_code == 302


def test_eleventh_wrong_password_gets_429_and_other_addresses_still_get_in(client, empty_archive):
    make_user(empty_archive, "sun")
    for attempt in range(10):
        response = login(client, "sun", "wrong password", address="203.0.113.9")
        assert response.status_code == 401, attempt
        assert "用户名或密码不正确" in response.get_data(as_text=True)
    response = login(client, "sun", "wrong password", address="203.0.113.9")
    assert response.status_code == 429
    assert "15 分钟" in response.get_data(as_text=True) or "分钟后再试" in response.get_data(
        as_text=True
    )
    assert int(response.headers["Retry-After"]) > 0
    # even the right password is refused from that address for now …
    assert login(client, "sun", address="203.0.113.9").status_code == 429
    # … but the curator at the office is not locked out by someone else's flood
    assert login(client, "sun", address="198.51.100.7").status_code == 302


def test_throttling_is_kept_in_the_database_so_it_holds_across_workers(empty_archive):
    """Two apps stand for two gunicorn workers: failures in one count in the other."""
    make_user(empty_archive, "zhou")
    first, second = empty_archive.app(), empty_archive.app()
    a = _client(first)
    b = _client(second)
    for n in range(10):
        login(a if n % 2 else b, "zhou", "nope nope nope").close()
    assert login(a, "zhou").status_code == 429
    assert login(b, "zhou").status_code == 429


def test_flood_from_one_address_across_accounts_is_cut_off(empty_archive):
    db = empty_archive.db()
    clock = time.time()
    with write(db):  # a flood of wrong guesses across many names, as login records them
        for n in range(accounts.ADDRESS_LIMIT):
            db.execute(
                "INSERT INTO login_attempts (username, address, ok, at) "
                "VALUES (?, '192.0.2.1', 0, ?)",
                [f"guess{n}", clock - n],
            )
    try:
        accounts.authenticate(db, "anyone", "x", "192.0.2.1", clock=clock)
    except accounts.Throttled as exc:
        assert "分钟后再试" in exc.message
    else:
        raise AssertionError("the address was not throttled")
    # the window passes
    assert (
        accounts.authenticate(
            db, "anyone", "x", "192.0.2.1", clock=clock + accounts.WINDOW_SECONDS + 1
        )
        is None
    )


def test_logins_are_in_the_audit_log(client, empty_archive):
    make_user(empty_archive, "wu")
    login(client, "wu", "bad password!")
    login(client, "wu")
    actions = [r[0] for r in empty_archive.db().execute("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-2:] == ["login_failed", "login"]


def test_admins_manage_users_and_curators_cannot(app, empty_archive):
    make_user(empty_archive, "boss", "admin")
    curator_id = make_user(empty_archive, "zheng", "curator")
    admin = _client(app)
    curator = _client(app)
    login(admin, "boss").close()
    login(curator, "zheng").close()
    assert curator.get("/curate/admin/users").status_code == 403
    page = admin.get("/curate/admin/users")
    assert page.status_code == 200 and "zheng" in page.get_data(as_text=True)
    response = post(
        admin,
        "/curate/admin/users",
        {
            "username": "printer1",
            "display_name": "打印员甲",
            "role": "printer",
            "password": "printer password",
        },
        page="/curate/admin/users",
    )
    assert response.status_code == 302
    # deactivating an account ends its session at once
    response = post(
        admin,
        f"/curate/admin/users/{curator_id}",
        {"role": "curator", "display_name": "郑", "active": ""},
        page="/curate/admin/users",
    )
    assert response.status_code == 302
    assert curator.get("/curate/").status_code == 302
    assert login(curator, "zheng").status_code == 401
    printer = _client(app)
    assert login(printer, "printer1", "printer password").status_code == 302
    assert printer.get("/curate/").status_code == 403
    assert printer.get("/curate/password").status_code == 200
    audit = admin.get("/curate/admin/audit").get_data(as_text=True)
    assert "创建账号" in audit and "修改账号" in audit


def test_login_page_does_not_redirect_elsewhere(client, empty_archive):
    make_user(empty_archive, "feng")
    response = client.post(
        "/curate/login",
        data={
            "username": "feng",
            "password": PASSWORD,
            "next": "https://evil.example/",
            "csrf_token": token(client),
        },
    )
    assert response.headers["Location"] == "/curate/"
