"""The index stays in step with the database, with real processes: the worker
applies published changes from the outbox, curators saving at once never meet a
lock error, a worker killed mid-batch loses nothing, a corrupted or stale index
heals itself, `reindex` switches while the site answers, `index verify` reports
drift."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from archive import search
from archive.db import write
from archive.search import analysis
from archive.settings import PROJECT_ROOT
from tests.conftest import environment_for, start_worker, wait_for

pytestmark = pytest.mark.engines

EDITOR = """
import sys
from archive import db as database
from archive.catalogue import honorees
from archive.db import write
db = database.connect(sys.argv[1])
prefix, count = sys.argv[2], int(sys.argv[3])
for i in range(count):
    with write(db):
        honorees.create(db, {"kind": "individual", "name": f"{prefix}{i}", "status": "published",
                             "unit": f"{prefix}单位", "story": f"{prefix}的事迹第{i}篇。"},
                        [{"title": "省劳动模范", "year": 2021}])
print("done")
"""


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(20)


def _found(archive, text, limit=1000):
    return search.search(archive.config["INDEX_DIR"], text, limit=limit) or []


def _set_status(archive, honoree_id, status):
    from archive.catalogue import honorees

    db = archive.db()
    with write(db):
        db.execute(
            "UPDATE honorees SET status = ?, updated_at = datetime('now') WHERE id = ?",
            [status, honoree_id],
        )
        honorees.note_change(db, honoree_id)


def test_published_changes_reach_search_and_hidden_ones_leave(empty_archive, make_honoree):
    make_honoree(name="既有人物")
    search.rebuild(empty_archive.db(), empty_archive.config["INDEX_DIR"])
    worker = start_worker(empty_archive)
    try:
        new = make_honoree(name="新发布人物", story="独有词语蓝鲸九号")
        draft = make_honoree(name="草稿人物乙", status="draft", story="独有词语白鹭十号")
        assert wait_for(lambda: _found(empty_archive, "蓝鲸九号") == [new])
        _set_status(empty_archive, new, "withdrawn")
        assert wait_for(lambda: _found(empty_archive, "蓝鲸九号") == [])
        _set_status(empty_archive, draft, "published")
        assert wait_for(lambda: _found(empty_archive, "白鹭十号") == [draft])
        assert wait_for(
            lambda: (
                empty_archive.db().execute("SELECT count(*) FROM index_outbox").fetchone()[0] == 0
            )
        )  # applied rows go
    finally:
        _stop(worker)


def _segments(index_dir) -> list[str] | None:
    """Whoosh's segments of the live index (an edit deletes from one, keeping
    its cached postings); None for other engines."""
    if search.engine().NAME != "whoosh":
        return None
    return [s.segment_id() for s in search.engine()._open(index_dir)[1].reader().segments()]


def test_a_withdrawn_profile_leaves_words_and_phrases_read_before(empty_archive, make_honoree):
    # A segment's postings stay cached after an edit deletes from it: what was
    # read before the edit must not bring the withdrawn profile back.
    index_dir, db = empty_archive.config["INDEX_DIR"], empty_archive.db()
    ids = [
        make_honoree(name=f"同段人物{i:02d}", story=f"他参与了赤霞工程。编号{i}。")
        for i in range(40)
    ]
    search.rebuild(db, index_dir)
    segments = _segments(index_dir)
    assert sorted(_found(empty_archive, "赤霞工程")) == ids
    assert sorted(_found(empty_archive, "“参与了赤霞工程”")) == ids
    assert search.query(db, index_dir, "赤霞工程").total == 40
    _set_status(empty_archive, ids[7], "withdrawn")
    search.drain(db, index_dir)
    assert _segments(index_dir) == segments
    assert wait_for(lambda: sorted(_found(empty_archive, "赤霞工程")) == ids[:7] + ids[8:])
    assert sorted(_found(empty_archive, "“参与了赤霞工程”")) == ids[:7] + ids[8:]
    page = search.query(db, index_dir, "赤霞工程", page_size=50)
    assert page.total == 39 and ids[7] not in [item["id"] for item in page.items]
    assert dict(page.facets["kind"]) == {"individual": 39}


def test_applying_edits_neither_teaches_words_nor_writes_a_word_file(empty_archive, make_honoree):
    # Analysis depends on the committed dictionary only: indexing a new unit
    # and name leaves the segmenter's words as they were, and a generation
    # holds no word file for searchers to learn from.
    index_dir, db = empty_archive.config["INDEX_DIR"], empty_archive.db()
    make_honoree(name="既有人物")
    search.rebuild(db, index_dir)
    before = analysis.words("璨曜翔鹄精工有限公司的嵘峤翊翀")
    new = make_honoree(name="嵘峤翊翀", unit="璨曜翔鹄精工有限公司")
    search.drain(db, index_dir)
    assert analysis.words("璨曜翔鹄精工有限公司的嵘峤翊翀") == before
    assert not (search.current_dir(index_dir) / "WORDS").exists()
    assert _found(empty_archive, "嵘峤翊翀") == [new]
    assert _found(empty_archive, "翔鹄精工") == [new]  # a fragment of the unit


def test_a_generation_built_with_another_dictionary_is_stale_and_rebuilt(
    empty_archive, make_honoree
):
    index_dir, db = empty_archive.config["INDEX_DIR"], empty_archive.db()
    first = make_honoree(name="第一位人物")
    search.rebuild(db, index_dir)
    folder = search.current_dir(index_dir)
    assert search.generation_version(folder) == search.engine().INDEX_VERSION
    assert search.status(db, index_dir) == "current"
    stamp = (folder / "STAMP").read_text()
    (folder / "STAMP").write_text("8.olddictionary:" + stamp.split(":", 1)[1])
    assert search.status(db, index_dir) == "stale"
    second = make_honoree(name="第二位人物")
    search.drain(db, index_dir)  # does not add documents cut another way: rebuilds
    assert search.current_dir(index_dir) != folder
    assert search.generation_version(search.current_dir(index_dir)) == search.engine().INDEX_VERSION
    assert search.status(db, index_dir) == "current"
    assert _found(empty_archive, "第一位人物") == [first]
    assert _found(empty_archive, "第二位人物") == [second]


def test_a_change_after_the_outbox_was_emptied_is_still_applied(empty_archive, make_honoree):
    index_dir = empty_archive.config["INDEX_DIR"]
    db = empty_archive.db()
    search.rebuild(db, index_dir)
    first = make_honoree(name="第一位人物")
    search.drain(db, index_dir)
    assert db.execute("SELECT count(*) FROM index_outbox").fetchone()[0] == 0
    second = make_honoree(name="第二位人物")  # its outbox id must not be reused
    search.drain(db, index_dir)
    assert _found(empty_archive, "第一位人物") == [first]
    assert _found(empty_archive, "第二位人物") == [second]


def test_curators_saving_at_once_never_meet_a_lock_error(empty_archive):
    index_dir = empty_archive.config["INDEX_DIR"]
    search.rebuild(empty_archive.db(), index_dir)
    workers = [
        start_worker(empty_archive, "worker-a.log"),
        start_worker(empty_archive, "worker-b.log"),
    ]  # even two indexers by mistake
    editors = [
        subprocess.Popen(
            [sys.executable, "-c", EDITOR, empty_archive.config["DATABASE"], prefix, "40"],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix in ("甲班组员", "乙班组员")
    ]
    try:
        for editor in editors:
            out, err = editor.communicate(timeout=120)
            assert editor.returncode == 0 and "done" in out, err
        assert wait_for(lambda: len(_found(empty_archive, "事迹")) == 80, timeout=90)
    finally:
        for worker in workers:
            _stop(worker)
    logs = "".join(
        (empty_archive.root / f).read_text(errors="replace")
        for f in ("worker-a.log", "worker-b.log")
    )
    assert "LockError" not in logs and "Traceback" not in logs
    drift = search.verify(empty_archive.db(), index_dir)
    assert drift.clean and drift.pending == 0


def _writer_lock_held(index_dir: Path) -> bool:
    return search.writer_lock_held(index_dir)


def test_an_indexer_killed_mid_batch_loses_nothing(empty_archive, make_honoree):
    index_dir = Path(empty_archive.config["INDEX_DIR"])
    search.rebuild(empty_archive.db(), index_dir)
    for i in range(1200):
        make_honoree(name=f"批量人物{i}", story="批量事迹。" + "长篇内容" * 200)
    worker = start_worker(empty_archive)
    try:
        assert wait_for(lambda: _writer_lock_held(index_dir), timeout=60)
        os.kill(worker.pid, signal.SIGKILL)  # while it holds the writer lock: mid-batch
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert len(_found(empty_archive, "批量事迹")) < 1200  # it really was cut short
    worker = start_worker(empty_archive)
    try:
        assert wait_for(lambda: len(_found(empty_archive, "批量事迹", 2000)) == 1200, timeout=240)
    finally:
        _stop(worker)
    drift = search.verify(empty_archive.db(), index_dir)
    assert drift.clean, drift


def _corrupt(index_dir: Path):
    """Garbage over the start of every file, in place: a file cut short under a
    reader that maps it (tantivy) would kill the process with SIGBUS instead
    (tests/search/test_search_integrity.py cuts one short before it is opened)."""
    folder = search.current_dir(index_dir)
    for path in folder.iterdir():
        if path.name not in ("MARK", "STAMP") and path.is_file():
            with open(path, "r+b") as handle:
                handle.write((b"\x00garbage" * 10)[: path.stat().st_size])


def test_a_corrupted_index_heals_itself(empty_archive, make_honoree, client):
    make_honoree(name="愈合测试人物")
    index_dir = Path(empty_archive.config["INDEX_DIR"])
    search.rebuild(empty_archive.db(), index_dir)
    _corrupt(index_dir)
    assert search.status(empty_archive.db(), index_dir) == "corrupt"
    page = client.get("/search?q=愈合测试人物")
    assert page.status_code == 200  # a message while it heals, never an error page
    worker = start_worker(empty_archive)
    try:
        assert wait_for(lambda: search.status(empty_archive.db(), index_dir) == "current")
    finally:
        _stop(worker)
    assert "愈合测试人物" in client.get("/search?q=愈合测试人物").get_data(as_text=True)


def test_init_rebuilds_a_corrupt_or_stale_index(empty_archive, make_honoree, runner):
    honoree = make_honoree(name="陈旧测试人物", unit="旧单位")
    index_dir = Path(empty_archive.config["INDEX_DIR"])
    search.rebuild(empty_archive.db(), index_dir)
    assert "已是最新" in runner.invoke(args=["init", "--no-demo"]).output
    db = empty_archive.db()
    with write(db):  # changed behind the outbox's back, e.g. a restored backup
        db.execute(
            "UPDATE honorees SET unit = '新单位', updated_at = '2099-01-01' WHERE id = ?", [honoree]
        )
    verify = runner.invoke(args=["index", "verify"])
    assert verify.exit_code == 1 and "索引内容过时 1 条" in verify.output
    result = runner.invoke(args=["init", "--no-demo"])
    assert "已重建（原索引已过时）" in result.output
    assert runner.invoke(args=["index", "verify"]).exit_code == 0
    _corrupt(index_dir)
    assert "已重建（原索引已损坏）" in runner.invoke(args=["init", "--no-demo"]).output
    assert _found(empty_archive, "新单位") == [honoree]


def test_reindex_switches_while_the_site_answers(empty_archive, make_honoree, app):
    for i in range(150):
        make_honoree(name=f"在线人物{i}", story="在线事迹" * 50)
    search.rebuild(empty_archive.db(), empty_archive.config["INDEX_DIR"])
    first = search.current_dir(empty_archive.config["INDEX_DIR"])
    failures, answers, stop = [], [], threading.Event()

    def visitor():
        with app.test_client() as client:
            while not stop.is_set():
                response = client.get("/search?q=在线事迹")
                text = response.get_data(as_text=True)
                if response.status_code != 200 or "找到 150 位" not in text:
                    failures.append((response.status_code, text[-300:]))
                answers.append(1)

    thread = threading.Thread(target=visitor)
    thread.start()
    try:
        reindex = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "archive", "reindex"],
            cwd=PROJECT_ROOT,
            env=environment_for(empty_archive),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert reindex.returncode == 0, reindex.stderr
        # visitors keep being answered on the new generation, too
        switched = len(answers)
        assert wait_for(lambda: len(answers) >= switched + 20, timeout=60)
    finally:
        stop.set()
        thread.join(30)
    assert search.current_dir(empty_archive.config["INDEX_DIR"]) != first
    assert answers and not failures, failures[:2]


@pytest.mark.engines("whoosh")  # Whoosh builds large indexes in forked processes
def test_a_parallel_build_finds_what_a_one_process_build_finds(demo_archive, tmp_path, monkeypatch):
    """Large archives are built in segments by forked processes, then merged
    into one; the result must be the same index as far as any visitor can tell:
    every published profile, in step with the database, the same answers in
    the same order."""
    from whoosh import index as whoosh_index

    db = demo_archive.db()
    monkeypatch.setattr(search.engine(), "PARALLEL_FROM", 100)
    monkeypatch.setattr(search.engine(), "BUILD_CHUNK", 120)
    steps = []
    folder = search.rebuild(
        db, tmp_path / "ix", progress=lambda done, total, _: steps.append((done, total))
    )
    ix = whoosh_index.open_dir(str(folder))
    try:
        segments = len(ix._segments())
    finally:
        ix.close()
    assert segments == 1  # the chunks' segments merged into one (archive.merging)
    assert [done for done, _ in steps[:-1]] == sorted(done for done, _ in steps[:-1])
    assert search.verify(db, tmp_path / "ix").clean
    for text in ["张", "全国劳动模范", "“问题就是课题”", "zhang", "技术 2021", "杭州"]:
        assert search.search(tmp_path / "ix", text) == search.search(
            demo_archive.config["INDEX_DIR"], text
        ), text
        # a page's ids (each segment's id column) are the stored ids, in order
        page = search.query(db, tmp_path / "ix", text, page_size=20)
        assert [item["id"] for item in page.items] == search.search(tmp_path / "ix", text)[:20]


@pytest.mark.engines("tantivy")  # tantivy's analysis runs in forked processes from 2,000
def test_a_build_analysed_in_other_processes_finds_what_a_one_process_build_finds(
    demo_archive, tmp_path, monkeypatch
):
    """The records analysed by forked processes, in chunks, and written by this one:
    the same answers in the same order as the demo's index, built in one process."""
    import multiprocessing

    from archive.catalogue.honorees import PUBLIC
    from archive.search import parallel

    db = demo_archive.db()
    monkeypatch.setattr(search.engine(), "PARALLEL_FROM", 100)
    monkeypatch.setattr(parallel, "CHUNK", 37)
    steps = []
    search.rebuild(db, tmp_path / "ix", progress=lambda done, total, _: steps.append(done))
    assert multiprocessing.active_children() == []  # the analysis processes are gone
    public = db.execute(f"SELECT count(*) FROM honorees h WHERE {PUBLIC}").fetchone()[0]
    assert steps[-1] == public  # every public record, counted as it went
    assert search.verify(db, tmp_path / "ix").clean
    for text in ["张", "全国劳动模范", "“问题就是课题”", "zhang", "技术 2021", "杭州"]:
        assert search.search(tmp_path / "ix", text) == search.search(
            demo_archive.config["INDEX_DIR"], text
        ), text


@pytest.mark.engines("tantivy")
def test_a_failing_analysis_process_fails_the_build_and_leaves_none_behind(
    demo_archive, tmp_path, monkeypatch
):
    import multiprocessing

    engine = search.engine()
    monkeypatch.setattr(engine, "PARALLEL_FROM", 100)

    def analysed(row):
        if row["id"] == 300:
            raise ValueError("a record the analysis cannot read")
        return real(row)

    real = engine.analysed
    monkeypatch.setattr(engine, "analysed", analysed)
    with pytest.raises(RuntimeError, match="analysis process failed"):
        search.rebuild(demo_archive.db(), tmp_path / "ix")
    assert multiprocessing.active_children() == []
    assert search.current_dir(tmp_path / "ix") is None  # nothing half-built is served
