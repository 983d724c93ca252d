"""Curation: the curators' changes to records (editing, revisions, edits waiting for
review), their accounts, and narration (recorded or synthesised). Stands on the
catalogue."""
