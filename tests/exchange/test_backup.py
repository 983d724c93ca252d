"""Backups taken while the archive is being written to, and restores that serve
the same archive."""

from __future__ import annotations

import io
import re
import sqlite3
import threading
import urllib.request
import zipfile

import pytest
from PIL import Image

from archive import create_app
from archive import db as database
from archive.catalogue import honorees
from archive.db import write
from archive.exchange import backup, importer
from tests.conftest import Archive, config_for, free_port, start_gunicorn


def _seed(archive: Archive, tmp_path) -> None:
    """A few published honorees with real photos (through the importer)."""
    sheet = tmp_path / "seed.csv"
    sheet.write_text(
        "序号,姓名,工作单位,地区,荣誉称号,授予年份\n"
        + "".join(
            f"{i},备份测试{i}号,单位{i},杭州市西湖区,全国劳动模范,2020\n" for i in range(1, 6)
        ),
        encoding="utf-8",
    )
    photos = tmp_path / "seed.zip"
    with zipfile.ZipFile(photos, "w") as z:
        for i in range(1, 6):
            buffer = io.BytesIO()
            Image.new("RGB", (300, 400), (40 * i, 90, 120)).save(buffer, "JPEG")
            z.writestr(f"{i}.jpg", buffer.getvalue())
    plan, done = importer.run(
        archive.db(), sheet, archive.config["MEDIA_DIR"], photos=photos, default_status="published"
    )
    assert done["create"] == 5 and done["photos"] == 5


def test_a_backup_taken_while_writes_continue_is_consistent(empty_archive, tmp_path):
    _seed(empty_archive, tmp_path)
    stop = threading.Event()
    written = []

    def keep_writing():
        db = database.connect(empty_archive.config["DATABASE"])
        try:
            while not stop.is_set():
                with write(db):
                    written.append(
                        honorees.create(
                            db,
                            {
                                "kind": "individual",
                                "name": f"写入中{len(written)}",
                                "status": "published",
                                "story": "长文本。" * 200,
                            },
                            [{"title": "省劳动模范", "year": 2021}],
                        )
                    )
        finally:
            db.conn.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.05)
        made = backup.create(
            empty_archive.config["DATABASE"],
            empty_archive.config["MEDIA_DIR"],
            tmp_path / "backups",
        )
        at_backup = len(written)
        while len(written) < at_backup + 10:  # writes go on after it, too
            stop.wait(0.05)
    finally:
        stop.set()
        writer.join(30)
    assert len(written) > 20
    copy = sqlite3.connect(made / "archive.db")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        copied = copy.execute("SELECT count(*) FROM honorees").fetchone()[0]
        # a snapshot of one moment: every honoree in it came with its honour,
        # revision and outbox row (each was written in one transaction)
        for table, column in (
            ("honours", "honoree_id"),
            ("index_outbox", "honoree_id"),
            ("revisions", "record_id"),
        ):
            missing = copy.execute(
                f"SELECT count(*) FROM honorees h WHERE NOT EXISTS "
                f"(SELECT 1 FROM {table} t WHERE t.{column} = h.id)"
            ).fetchone()[0]
            assert missing == 0, table
        names = [r[0] for r in copy.execute("SELECT original FROM photos")]
    finally:
        copy.close()
    assert 25 <= copied <= 5 + len(written)
    assert all((made / "media" / "originals" / name).exists() for name in names)


@pytest.mark.parametrize("as_tar", [False, True])
def test_a_restore_into_a_fresh_folder_serves_the_same_archive(empty_archive, tmp_path, as_tar):
    _seed(empty_archive, tmp_path)
    source = empty_archive.app().test_cli_runner()
    result = source.invoke(
        args=["backup", str(tmp_path / "backups")] + (["--tar"] if as_tar else [])
    )
    assert result.exit_code == 0, result.output
    made = result.output.split("备份完成：")[1].strip()

    fresh = tmp_path / "fresh"
    restored = Archive(fresh, config_for(fresh))
    runner = create_app(restored.config).test_cli_runner()
    result = runner.invoke(args=["restore", made])
    assert result.exit_code == 0, result.output
    assert "5 条记录" in result.output
    again = runner.invoke(args=["restore", made])  # never over data by accident
    assert again.exit_code == 1 and "--force" in again.output

    honoree = (
        empty_archive.db()
        .execute("SELECT id, name FROM honorees WHERE name = '备份测试3号'")
        .fetchone()
    )
    port = free_port()
    process = start_gunicorn(restored, port)
    try:
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/honorees/{honoree['id']}", timeout=10) as r:
            page = r.read().decode("utf-8")
        assert "备份测试3号" in page
        picture = re.search(r"/media/[0-9a-f]+-\d+\.(?:webp|jpg)", page).group(0)
        with urllib.request.urlopen(base + picture, timeout=10) as r:
            assert r.status == 200 and len(r.read()) > 100
        with urllib.request.urlopen(
            f"{base}/search?q=%E5%A4%87%E4%BB%BD%E6%B5%8B%E8%AF%95", timeout=10
        ) as r:
            assert "备份测试3号" in r.read().decode("utf-8")  # the index was rebuilt
    finally:
        process.terminate()
        process.wait(15)
        restored.close()


def test_restore_refuses_a_damaged_backup(empty_archive, tmp_path):
    _seed(empty_archive, tmp_path)
    made = backup.create(
        empty_archive.config["DATABASE"], empty_archive.config["MEDIA_DIR"], tmp_path / "b"
    )
    with (made / "archive.db").open("r+b") as f:
        f.seek(5000)
        f.write(b"\xff" * 64)
    with pytest.raises(backup.BackupError, match="校验值"):
        backup.restore(made, tmp_path / "new" / "archive.db", tmp_path / "new" / "media")
    assert not (tmp_path / "new" / "archive.db").exists()
