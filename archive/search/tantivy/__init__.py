"""The tantivy engine (archive.search.tantivy.engine)."""
