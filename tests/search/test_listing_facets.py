"""A listing's facet counts from the index (search.listing_facets) are the
database's counts, and are given only while the index holds every change: the
browse page is cached per content generation, so counts from before a change
must never be rendered after it."""

from __future__ import annotations

import threading

import pytest

from archive import db as database
from archive import search
from archive.catalogue import browse, honorees
from archive.db import write
from archive.search import generations

pytestmark = pytest.mark.engines

LISTINGS = [
    {},
    {"kind": "collective"},
    {"level": "national", "year": "2020"},
    {"level": "provincial", "kind": "individual"},
    {"sort": "year", "page": "2"},
]


def _index(archive):
    return archive.config["INDEX_DIR"]


@pytest.mark.parametrize("args", LISTINGS)
def test_the_index_counts_a_listing_as_the_database_does(demo_archive, args):
    db = demo_archive.db()
    filters = browse.parse(args)
    with demo_archive.app().app_context():
        found = search.listing_facets(db, _index(demo_archive), filters)
    assert found is not None
    assert found == browse._facet_counts(db, filters)


def test_a_selected_city_still_counts_the_others(demo_archive, demo_records):
    db = demo_archive.db()
    city = next(r["city"] for r in demo_records if r["status"] == "published")
    filters = browse.parse({"region": city})
    with demo_archive.app().app_context():
        found = search.listing_facets(db, _index(demo_archive), filters)
    assert found == browse._facet_counts(db, filters)
    assert len(found["region"]) > 1  # its own selection does not narrow the cities


def _city(db, name: str, city: str) -> None:
    with write(db):
        db.execute("UPDATE honorees SET city = ? WHERE name = ?", [city, name])
        honoree_id = db.execute("SELECT id FROM honorees WHERE name = ?", [name]).fetchone()[0]
        honorees.note_change(db, honoree_id)


def test_no_counts_from_the_index_until_it_has_every_change(empty_archive, make_honoree):
    for n in range(4):
        make_honoree(name=f"人物{n}", city="福州市")
    db = empty_archive.db()
    index_dir = _index(empty_archive)
    with empty_archive.app().app_context():
        search.rebuild(db, index_dir)
        assert dict(search.listing_facets(db, index_dir, browse.Filters())["region"]) == {
            "福州市": 4
        }
        _city(db, "人物1", "厦门市")
        # the change is in the outbox, not yet in the index
        assert search.listing_facets(db, index_dir, browse.Filters(), wait=0.2) is None
        search.drain(db, index_dir)
        # read at once (within the searcher's refresh interval): the new counts
        assert dict(search.listing_facets(db, index_dir, browse.Filters())["region"]) == {
            "福州市": 3,
            "厦门市": 1,
        }


def test_the_browse_page_shows_every_change_whoever_counts(empty_archive, make_honoree):
    for n in range(3):
        make_honoree(name=f"人物{n}", city="福州市")
    db = empty_archive.db()
    app = empty_archive.app()
    client = app.test_client()
    with app.app_context():
        search.rebuild(db, _index(empty_archive))
    assert '福州市 <span class="count">3</span>' in client.get("/honorees").get_data(as_text=True)
    _city(db, "人物2", "厦门市")
    pending = client.get("/honorees").get_data(as_text=True)  # counted by the database
    assert '福州市 <span class="count">2</span>' in pending
    assert '厦门市 <span class="count">1</span>' in pending
    with app.app_context():
        search.drain(db, _index(empty_archive))
    _city(db, "人物0", "厦门市")
    with app.app_context():
        search.drain(db, _index(empty_archive))
    drained = client.get("/honorees?page=1").get_data(as_text=True)  # counted by the index
    assert '福州市 <span class="count">1</span>' in drained
    assert '厦门市 <span class="count">2</span>' in drained


def test_counts_wait_for_a_change_being_applied(empty_archive, make_honoree, monkeypatch):
    """A listing asked for while the worker applies an edit waits for it (the
    index's counts then include it) instead of counting in the database."""
    for n in range(3):
        make_honoree(name=f"人物{n}", city="福州市")
    db = empty_archive.db()
    index_dir = _index(empty_archive)
    app = empty_archive.app()
    with app.app_context():
        search.rebuild(db, index_dir)
        search.listing_facets(db, index_dir, browse.Filters())  # the searcher is open
    _city(db, "人物1", "厦门市")
    looked = threading.Semaphore(0)
    pending_since = generations.pending_since

    def counted(database_, last):
        looked.release()
        return pending_since(database_, last)

    monkeypatch.setattr(generations, "pending_since", counted)
    found = {}

    def visitor():
        own = database.open_for(empty_archive.config)
        try:
            with app.app_context():
                found.update(search.listing_facets(own, index_dir, browse.Filters(), wait=60))
        finally:
            own.conn.close()

    waiting = threading.Thread(target=visitor)
    waiting.start()
    for _ in range(2):  # it has found the outbox ahead of the index twice: it waits
        assert looked.acquire(timeout=60)
    with app.app_context():
        search.drain(db, index_dir)
    waiting.join(60)
    assert dict(found["region"]) == {"福州市": 2, "厦门市": 1}


def test_nobody_waits_for_a_change_no_worker_is_applying(empty_archive, make_honoree, monkeypatch):
    """A change that has waited longer than a working indexer takes (no worker
    running): the listing is counted in the database at once, without sleeping."""
    make_honoree(name="人物0", city="福州市")
    db = empty_archive.db()
    index_dir = _index(empty_archive)
    with empty_archive.app().app_context():
        search.rebuild(db, index_dir)
    _city(db, "人物0", "厦门市")
    with write(db):
        db.execute("UPDATE index_outbox SET created_at = '2026-01-01T00:00:00Z'")

    def no_sleep(seconds):
        raise AssertionError(f"waited {seconds} s for a stalled change")

    monkeypatch.setattr(search.time, "sleep", no_sleep)
    with empty_archive.app().app_context():
        assert search.listing_facets(db, index_dir, browse.Filters(), wait=30) is None
    page = empty_archive.app().test_client().get("/honorees").get_data(as_text=True)
    assert '厦门市 <span class="count">1</span>' in page
