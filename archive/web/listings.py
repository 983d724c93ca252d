"""What a listing of published records shows beside its page of cards."""

from __future__ import annotations

import sqlite_utils
from flask import current_app

from archive import search
from archive.catalogue import browse


def listing_facets(db: sqlite_utils.Database, filters: browse.Filters) -> dict[str, list[tuple]]:
    """The listing's facet counts from the search index when it holds every
    change (about 4 ms at 100,000 records), else counted in the database (0.6 s,
    kept per content generation): the same counts either way."""
    if browse.FACET_MEMO is not None:  # a static export: counted once per run, no waiting
        return browse.facet_counts(db, filters)
    found = search.listing_facets(db, current_app.config["INDEX_DIR"], filters)
    return found if found is not None else browse.facet_counts(db, filters)
