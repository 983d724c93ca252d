"""The background worker: a real process that runs queued jobs, reports progress
and picks up jobs a killed worker left behind."""

import os
import signal

from archive import jobs, search
from tests.conftest import start_worker, wait_for


def test_worker_runs_a_reindex_job_and_reports_progress(empty_archive, make_honoree):
    make_honoree(name="任务测试人物")
    db = empty_archive.db()
    job_id = jobs.enqueue(db, "reindex")
    worker = start_worker(empty_archive)
    try:
        assert wait_for(lambda: jobs.get(db, job_id)["status"] == "done")
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(10) == 0  # it stops cleanly on SIGTERM
    job = jobs.get(db, job_id)
    assert job["progress"] == job["total"] == 1
    assert search.search(empty_archive.config["INDEX_DIR"], "任务测试人物") == [1]


def test_a_job_left_running_by_a_killed_worker_runs_after_restart(empty_archive, make_honoree):
    for i in range(400):
        make_honoree(name=f"人物{i}", story="事迹" * 300)
    db = empty_archive.db()
    job_id = jobs.enqueue(db, "reindex")
    worker = start_worker(empty_archive)
    assert wait_for(lambda: jobs.get(db, job_id)["status"] == "running")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(10)
    assert jobs.get(db, job_id)["status"] == "running"  # the dead worker's job
    worker = start_worker(empty_archive)
    try:
        assert wait_for(lambda: jobs.get(db, job_id)["status"] == "done", timeout=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(10)
    job = jobs.get(db, job_id)
    assert job["attempts"] == 2
    assert len(search.search(empty_archive.config["INDEX_DIR"], "事迹", limit=1000)) == 400


def test_a_failing_job_is_recorded_and_the_worker_goes_on(empty_archive):
    db = empty_archive.db()
    bad = jobs.enqueue(db, "no-such-kind")
    good = jobs.enqueue(db, "reindex")
    worker = start_worker(empty_archive)
    try:
        assert wait_for(lambda: jobs.get(db, good)["status"] == "done")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(10)
    failed = jobs.get(db, bad)
    assert failed["status"] == "failed" and "未知的任务类型" in failed["error"]
