"""Only a missing or damaged index reads as "search index unavailable" (or is
rebuilt): a programming error such as an ImportError surfaces as itself."""

from __future__ import annotations

import pytest

from archive import search

pytestmark = pytest.mark.engines


def _broken(*args, **kwargs):
    raise ImportError("cannot import name 'missing' from 'archive'")


@pytest.fixture
def indexed(empty_archive, make_honoree):
    make_honoree(name="错误测试人物")
    search.rebuild(empty_archive.db(), empty_archive.config["INDEX_DIR"])
    yield empty_archive
    search.forget(empty_archive.config["INDEX_DIR"])


def test_a_programming_error_in_a_query_is_not_an_unavailable_index(indexed, monkeypatch):
    db, index_dir = indexed.db(), indexed.config["INDEX_DIR"]
    monkeypatch.setattr(search.engine(), "_query", _broken)
    with pytest.raises(ImportError):
        search.query(db, index_dir, "错误测试人物")


def test_a_programming_error_opening_the_searcher_is_not_an_unavailable_index(indexed, monkeypatch):
    search.forget(indexed.config["INDEX_DIR"])
    monkeypatch.setattr(search.engine()._Live, "__init__", _broken)
    with pytest.raises(ImportError):
        search.suggest(indexed.config["INDEX_DIR"], "错误")


def test_a_programming_error_while_draining_does_not_rebuild(indexed, make_honoree, monkeypatch):
    db, index_dir = indexed.db(), indexed.config["INDEX_DIR"]
    folder = search.current_dir(index_dir)
    make_honoree(name="第二位人物")
    monkeypatch.setattr(
        search.engine(), "_readable", lambda folder: False
    )  # even if it looked damaged
    monkeypatch.setattr(search.engine(), "_apply", _broken)
    with pytest.raises(ImportError):
        search.drain(db, index_dir)
    assert search.current_dir(index_dir) == folder
    assert list(folder.parent.glob("gen-*")) == [folder]  # no rebuild was started


def test_a_damaged_index_answers_names_from_the_database_not_an_error(indexed, client):
    folder = search.current_dir(indexed.config["INDEX_DIR"])
    for path in folder.iterdir():
        if path.name not in ("MARK", "STAMP"):
            path.write_bytes(b"\x00garbage" * 10)
    search.forget(indexed.config["INDEX_DIR"])
    result = search.query(indexed.db(), indexed.config["INDEX_DIR"], "错误测试人物")
    assert result.degraded == "database"
    assert [item["name"] for item in result.items] == ["错误测试人物"]
    assert client.get("/search?q=错误测试人物").status_code == 200
