"""Every integer in a URL is checked: walk the URL map and send bad values to every
``<int:…>`` segment and to every query parameter the archive reads as an integer.
Never a 500: a 400 (or 404) with a Chinese message on pages, JSON under /api/."""

from __future__ import annotations

import re

import pytest

from tests.curating import login, make_user, token

pytestmark = pytest.mark.slow

BAD = ["²", "٣", "-1", "1e3", "1.5", str(2**63), "9" * 40, "0x10"]
INT_QUERY = ["page", "year", "per_page", "ex", "size", "before", "exhibition", "section", "id"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PARSED = {  # (path, parameter): pages that read the parameter and must refuse it
    ("/honorees", "page"),
    ("/honorees", "year"),
    ("/search", "page"),
    ("/search", "year"),
    ("/api/v1/honorees", "per_page"),
    ("/api/v1/honorees", "page"),
    ("/api/v1/search", "per_page"),
    ("/honorees/1", "ex"),
    ("/curate/admin/audit", "before"),
    ("/print/view", "exhibition"),
    ("/print/view", "section"),
}


def _check(response, where):
    assert response.status_code < 500, where
    if response.status_code in (400, 404):
        if where[0].startswith("/api/"):
            assert response.is_json and CHINESE.search(response.get_json()["error"]["message"]), (
                where
            )
        else:
            assert CHINESE.search(response.get_data(as_text=True)), where


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule == "/curate/logout":
            continue
        yield rule


def _path(rule, bad: dict | None = None) -> str:
    values = {}
    for name, converter in rule._converters.items():
        values[name] = (bad or {}).get(
            name, "1" if type(converter).__name__ == "BoundedInt" else "x"
        )
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", value, path)
    return path


@pytest.fixture
def admin(empty_archive, client, make_honoree):
    make_honoree(name="整数人")
    make_user(empty_archive, "admin1", "admin")
    assert login(client, "admin1").status_code == 302
    return client


def test_bad_integers_in_paths_are_refused_without_a_500(app, admin):
    csrf = token(admin, "/curate/")
    tried = 0
    for rule in _rules(app):
        ints = [n for n, c in rule._converters.items() if type(c).__name__ == "BoundedInt"]
        for name in ints:
            for value in BAD:
                path = _path(rule, {name: value})
                method = "GET" if "GET" in rule.methods else "POST"
                response = admin.open(
                    path, method=method, data={"csrf_token": csrf} if method == "POST" else None
                )
                assert response.status_code in (400, 404), (path, response.status_code)
                _check(response, (path, name, value))
                tried += 1
    assert tried > 100
    huge = admin.get(f"/honorees/{2**63}")
    assert huge.status_code == 400 and "编号过大" in huge.get_data(as_text=True)
    assert admin.get(f"/api/v1/honorees/{2**64}").get_json()["error"]["status"] == 400


def test_bad_integers_in_query_strings_are_refused_without_a_500(app, admin):
    refused = set()
    for rule in _rules(app):
        if "GET" not in rule.methods:
            continue
        path = _path(rule)
        for name in INT_QUERY:
            for value in ("²", "-1", "1e3", str(2**63)):
                response = admin.get(path, query_string={name: value})
                _check(response, (path, name, value))
                if response.status_code == 400:
                    refused.add((path, name))
    assert PARSED <= refused, PARSED - refused
