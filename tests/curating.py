"""Helpers for back-office tests: accounts, logging in, and CSRF tokens taken from
the pages a browser would have loaded."""

from __future__ import annotations

import re

from archive.curation import accounts

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_user(archive, username: str, role: str = "curator") -> int:
    """An account hashed as the archive's app hashes (the tests' apps: with less
    memory than production, so that logging in does not take 0.2 s each time)."""
    with archive.app().app_context():
        return accounts.create_user(archive.db(), username, PASSWORD, role, username.upper())


def token(client, path: str = "/curate/login") -> str:
    response = client.get(path)
    found = TOKEN.search(response.get_data(as_text=True))
    assert found, (path, response.status_code)
    return found.group(1)


def login(client, username: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    return client.post(
        "/curate/login",
        data={"username": username, "password": password, "csrf_token": token(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def post(client, path: str, data: dict | None = None, page: str = "/curate/", **kwargs):
    """A form post as the browser sends it: with the token from ``page``."""
    return client.post(path, data={"csrf_token": token(client, page), **(data or {})}, **kwargs)
