"""Forked helpers start only from a process with one thread (archive.forking): a
static export run inside a process where tantivy had opened an index forked a pool
whose renderer then waited for ever on a lock of tantivy's threads (seen in CI)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import PROJECT_ROOT

SCRIPT = """
import sys, threading, tantivy
from archive import forking
import numpy  # its BLAS starts no pool of its own (archive/__init__.py)
print(forking.threads(), forking.safe())
builder = tantivy.SchemaBuilder()
builder.add_text_field("body", stored=True)
index = tantivy.Index(builder.build(), path=sys.argv[1])
writer = index.writer(15_000_000, 1)
writer.add_document(tantivy.Document(body="劳动模范"))
writer.commit()
index.reload()
index.searcher().search(index.parse_query("body:劳动模范"), 1)
print(forking.threads(), forking.safe(), threading.active_count())
"""


def test_native_threads_count_and_make_forking_unsafe(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    before, after = [line.split() for line in done.stdout.strip().splitlines()]
    assert before == ["1", "True"]  # the archive and numpy imported: one thread, may fork
    assert int(after[0]) > 1 and after[1] == "False"  # tantivy's own threads
    assert after[2] == "1"  # which Python's threading module does not see
