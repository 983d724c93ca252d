"""A full disk, for real: the archive's data folder on a small tmpfs, filled up.
Every write is refused with a clear Chinese message (507), what the curator typed
comes back, nothing saved before is lost and nothing half-written is left. Needs
root to mount: the test fails (never skips) if it cannot."""

from __future__ import annotations

import errno
import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from archive import db as database
from archive import migrations
from archive.catalogue import honorees
from archive.db import write

from .conftest import Archive, ClosingClient, config_for
from .curating import login, make_user, post

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as f:
        try:
            while True:
                f.write(b"\0" * (64 << 10))
                f.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def _leftovers(disk: Path) -> list[Path]:
    return [p for p in disk.rglob("*") if p.name.endswith(".tmp") or ".upload-" in p.name]


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((1400, 1000), 80).convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def test_a_full_disk_refuses_writes_clearly_and_loses_nothing(small_disk):
    archive = Archive(small_disk, config_for(small_disk))
    db = archive.db()
    migrations.apply(db)
    with write(db):
        honoree_id = honorees.create(
            db,
            {"kind": "individual", "name": "满盘人", "status": "draft", "story": "原来的事迹。"},
            [{"title": "全国劳动模范", "year": 2020}],
        )
    make_user(archive, "curator1")
    app = archive.app()
    app.test_client_class = ClosingClient
    client = app.test_client()
    assert login(client, "curator1").status_code == 302
    editor = f"/curate/honorees/{honoree_id}"
    version = db.execute("SELECT version FROM honorees WHERE id = ?", [honoree_id]).fetchone()[0]
    typed = "新写的事迹：" + "在车间里坚持三十年。" * 9000
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the next write must grow the WAL
    filler = _fill(small_disk)
    try:
        saved = post(
            client,
            editor,
            {"name": "满盘人", "kind": "individual", "story": typed, "version": str(version)},
            page=editor,
        )
        text = saved.get_data(as_text=True)
        assert saved.status_code == 507, text[:500]
        assert "磁盘空间已满" in text and "没有保存" in text
        assert typed[:200] in text and "在车间里坚持三十年。" * 50 in text  # the form, refilled

        uploaded = post(
            client,
            f"{editor}/photos",
            {"alt": "满盘人在车间", "photo": (io.BytesIO(_photo()), "photo.jpg")},
            page=editor,
            content_type="multipart/form-data",
        )
        assert uploaded.status_code == 507
        assert "磁盘空间已满" in uploaded.get_data(as_text=True)
        assert _leftovers(small_disk) == []
    finally:
        filler.unlink()

    check = database.connect(archive.config["DATABASE"])
    row = check.execute("SELECT story, version FROM honorees WHERE id = ?", [honoree_id]).fetchone()
    assert (row["story"], row["version"]) == ("原来的事迹。", version)  # nothing lost or half-done
    assert check.execute("SELECT count(*) FROM photos").fetchone()[0] == 0
    assert not [p for p in (small_disk / "media").rglob("*") if p.is_file()]
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    again = post(
        client,
        editor,
        {"name": "满盘人", "kind": "individual", "story": typed, "version": str(version)},
        page=editor,
    )
    assert again.status_code == 302  # with room again, the same form saves
    assert (
        check.execute("SELECT story FROM honorees WHERE id = ?", [honoree_id]).fetchone()[0]
        == typed
    )
    check.conn.close()
    archive.close()
