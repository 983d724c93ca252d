"""The catalogue: honorees and their honours, names and their readings, photos and
albums, exhibitions, the honour vocabulary, short codes and scan counts, browsing by
facet, and the audit log of changes. Everything else stands on it; it stands only on
the top level (db, settings, timeutil, jobs)."""
