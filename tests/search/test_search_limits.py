"""A query too long to search gets the archive's Chinese error page (or JSON
error under /api/), never gunicorn's English one; a long query within the limit
is searched (its first QUERY_MAX characters)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest

from archive import search

pytestmark = pytest.mark.engines

LONG = "全国劳动模范" * 167  # 1,002 characters, about 9 KB URL-encoded


def test_a_thousand_character_query_gets_the_chinese_error_page(demo_client):
    response = demo_client.get("/search", query_string={"q": LONG})
    assert response.status_code == 414
    page = response.get_data(as_text=True)
    assert "检索词太长了" in page and str(search.QUERY_REFUSED) in page
    assert "<html" in page.lower()


def test_a_thousand_character_query_gets_a_json_error_from_the_api(demo_client):
    response = demo_client.get("/api/v1/search", query_string={"q": LONG})
    assert response.status_code == 414
    error = response.get_json()["error"]
    assert error["status"] == 414 and "检索词太长了" in error["message"]


def test_a_query_within_the_limit_is_searched_from_its_opening(demo_client):
    text = "全国劳动模范 " + "工" * (search.QUERY_REFUSED - 10)
    response = demo_client.get("/search", query_string={"q": text})
    assert response.status_code == 200
    assert "检索词过长" in response.get_data(as_text=True)
    response = demo_client.get("/api/v1/search", query_string={"q": text})
    assert response.status_code == 200


def test_gunicorn_passes_a_long_query_to_the_app(live_server):
    url = f"{live_server}/search?" + urllib.parse.urlencode({"q": LONG})
    assert len(url) > 8190  # longer than any bound gunicorn would accept
    try:
        urllib.request.urlopen(url, timeout=10)
        raise AssertionError("a 1,000-character query was searched")
    except urllib.error.HTTPError as error:
        body = error.read().decode("utf-8")
        error.close()
        assert error.code == 414
        assert "检索词太长了" in body


def test_past_the_time_limit_a_search_answers_with_what_it_found_and_says_so(demo_archive):
    """SEARCH_TIME_LIMIT is a safety net for every engine: a query over its time
    still gets a page (never an error), marked as possibly incomplete."""
    app = demo_archive.app(SEARCH_TIME_LIMIT=0)
    with app.test_client() as client:
        response = client.get("/search", query_string={"q": "技术"})
        assert response.status_code == 200
        assert "检索用时较长，结果可能不完整" in response.get_data(as_text=True)
        api = client.get("/api/v1/search", query_string={"q": "技术"})
        assert api.status_code == 200
    db, index_dir = demo_archive.db(), demo_archive.config["INDEX_DIR"]
    capped = search.query(db, index_dir, "技术", time_limit=0)
    full = search.query(db, index_dir, "技术", time_limit=60)
    assert capped.timed_out and not full.timed_out
    assert full.total and search.TIMED_OUT_NOTICE not in full.notices
    assert search.TIMED_OUT_NOTICE in capped.notices


def test_a_suggestion_cut_short_by_the_time_limit_is_not_kept(demo_archive):
    index_dir = demo_archive.config["INDEX_DIR"]
    search.forget(index_dir)
    short = search.suggest(index_dir, "zh", time_limit=0)
    full = search.suggest(index_dir, "zh")
    assert len(full) == 8 and len(short) < len(full)
    assert search.suggest(index_dir, "zh") == full
