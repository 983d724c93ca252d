"""Fixtures: apps on temporary folders, a demo archive built once per session with
the real loader (real SQLite file, real images, real Whoosh index)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from archive import create_app, db as database, honorees, migrations, search
from archive.db import write
from archive.demo import load as demo_load
from archive.settings import PROJECT_ROOT

DEMO_DIR = PROJECT_ROOT / "records" / "demo"
BASE_URL = "https://archive.example.org"


def config_for(root: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-not-for-production",
        "DATABASE": str(root / "archive.db"),
        "MEDIA_DIR": str(root / "media"),
        "INDEX_DIR": str(root / "search_index"),
        "INSTANCE_DIR": str(root / "instance"),
        "DEMO_DIR": str(DEMO_DIR),
        "BASE_URL": BASE_URL,
    }
    config.update(overrides)
    return config


@dataclass
class Archive:
    root: Path
    config: dict

    def app(self, **overrides):
        return create_app({**self.config, **overrides})

    def db(self):
        return database.connect(self.config["DATABASE"])


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory) -> Archive:
    """The demo exhibit loaded once, plus nothing else. Tests must not write to it."""
    root = tmp_path_factory.mktemp("demo")
    archive = Archive(root, config_for(root))
    db = archive.db()
    migrations.apply(db)
    demo_load.load(db, archive.config["MEDIA_DIR"], DEMO_DIR)
    search.rebuild(db, archive.config["INDEX_DIR"])
    db.conn.close()
    return archive


@pytest.fixture
def demo_app(demo_archive):
    return demo_archive.app()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@pytest.fixture
def empty_archive(tmp_path) -> Archive:
    archive = Archive(tmp_path, config_for(tmp_path))
    db = archive.db()
    migrations.apply(db)
    db.conn.close()
    return archive


@pytest.fixture
def app(empty_archive):
    return empty_archive.app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_honoree(empty_archive):
    """Factory: insert an honoree (published unless told) into the empty archive."""
    def make(honours=None, **fields) -> int:
        record = {"kind": "individual", "name": "测试人物", "status": "published",
                  "unit": "测试单位", "story": "测试事迹。", **fields}
        if honours is None:
            honours = [{"title": "全国劳动模范" if record["kind"] == "individual"
                        else "全国工人先锋号", "year": 2020, "body": "测试机关"}]
        db = empty_archive.db()
        try:
            with write(db):
                return honorees.create(db, record, honours)
        finally:
            db.conn.close()
    return make


@pytest.fixture(scope="session")
def demo_records() -> list[dict]:
    """The committed demo files, read directly (independent of the app's queries)."""
    with (DEMO_DIR / "honorees.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def demo_manifest() -> dict:
    return json.loads((DEMO_DIR / "manifest.json").read_text(encoding="utf-8"))


def ids_by_name(archive: Archive) -> dict[str, list[int]]:
    db = archive.db()
    try:
        found: dict[str, list[int]] = {}
        for row in db.execute("SELECT id, name FROM honorees ORDER BY id"):
            found.setdefault(row["name"], []).append(row["id"])
        return found
    finally:
        db.conn.close()


@pytest.fixture(scope="session")
def demo_ids(demo_archive, demo_records) -> dict[str, int]:
    """Demo ref → database id. The loader inserts records in file order into an
    empty archive; the names are checked so a change to that breaks loudly."""
    db = demo_archive.db()
    try:
        rows = db.execute("SELECT id, name FROM honorees ORDER BY id").fetchall()
    finally:
        db.conn.close()
    assert [r["name"] for r in rows] == [r["name"] for r in demo_records]
    return {record["ref"]: row["id"] for record, row in zip(demo_records, rows)}
