"""The Whoosh engine (archive.search.whoosh.engine) and the Whoosh internals it
rests on: analyzers, postings arrays, segment merging and patches."""
