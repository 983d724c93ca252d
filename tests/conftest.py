"""Fixtures: apps on temporary folders, a demo archive built once per session with
the real loader (real SQLite file, real images, a real search index).

Search tests run against every engine: a module or test marked
``@pytest.mark.engines`` is run once per engine of TEST_ENGINES (or of the
marker's arguments, ``@pytest.mark.engines("whoosh")`` for a test about one
engine's internals), with ``search_engine`` naming it: the archives' apps, an
app context around the test (so ``search.*`` calls go to that engine) and real
processes started for the archive all use it. Other tests use the default."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from archive import create_app, migrations, search
from archive import db as database
from archive.catalogue import honorees
from archive.db import write
from archive.demo import load as demo_load
from archive.settings import PROJECT_ROOT, defaults


class LazyBuilderRule(Rule):
    """A URL rule whose two URL-building functions are compiled when first used.

    Werkzeug compiles them for every rule when an app is created: 0.17 s of the
    0.19 s ``create_app`` takes, paid by each of the suite's ~1,000 apps, most of
    which build a handful of URLs. Compiled on first use, they are the same
    functions (werkzeug's own), so what a test sees does not change."""

    def _compile_builder(self, append_unknown: bool = True):
        def build(rule, **values):
            real = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, "_build_unknown" if append_unknown else "_build", real)
            return real(**values)

        return build


Flask.url_rule_class = LazyBuilderRule

DEFAULT_ENGINE = defaults()["SEARCH_ENGINE"]
TEST_ENGINES = ("whoosh", "tantivy")

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
        "SEARCH_ENGINE": DEFAULT_ENGINE,
        # argon2id with 256 KiB instead of 64 MiB: the suite's apps log in a
        # thousand times (real processes started by tests keep the default)
        "PASSWORD_HASH_MEMORY_KIB": 256,
        # searches compared with each other must not be cut short by a machine busy
        # with the rest of the suite; the 0.5 s safety net is tested with its own limits
        # (tests/search/test_search_limits.py)
        "SEARCH_TIME_LIMIT": 30,
    }
    config.update(overrides)
    return config


@dataclass
class Archive:
    root: Path
    config: dict
    _open: list = field(default_factory=list)

    def app(self, **overrides):
        return create_app({**self.config, **overrides})

    def db(self):
        """A connection (publishing to the archive's GENERATION_LINK, if it has one),
        closed when the fixture ends."""
        connection = database.open_for(self.config)
        self._open.append(connection)
        return connection

    def close(self):
        while self._open:
            self._open.pop().conn.close()


def fresh_archive(root: Path, engine: str = DEFAULT_ENGINE) -> Archive:
    """An archive in ``root`` with its database migrated and nothing in it."""
    root.mkdir(parents=True, exist_ok=True)
    archive = Archive(root, config_for(root, SEARCH_ENGINE=engine))
    migrations.apply(archive.db())
    return archive


# What makes a test slow without its saying so: a real server or browser it starts,
# or a panoramic hall it draws (tests/hall_fixtures.py).
SLOW_FIXTURES = {"live_server", "admin_site", "browser", "page", "phone"}
SLOW_CALLS = ("start_gunicorn", "start_worker", "sync_playwright", "subprocess", "hall_fixtures")


def pytest_collection_modifyitems(config, items):
    """Mark ``slow`` every test that starts real processes or a browser (by the
    fixtures it uses or the functions its module calls), so that ``make test-fast``
    (``-m "not slow and not browser"``) runs the in-process tests only."""
    module_slow: dict[str, bool] = {}
    for item in items:
        path = str(item.path)
        if path not in module_slow:
            source = item.path.read_text(encoding="utf-8")
            module_slow[path] = any(
                f"{call}(" in source or f"{call}." in source or f"{call} import" in source
                for call in SLOW_CALLS
            )
        if module_slow[path] or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config):
    """The English catalogue compiled as `make` compiles it, when its ``.po`` is newer
    (a test run straight after editing translations, without `make`)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = PROJECT_ROOT / "archive" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        with po.open("rb") as source:
            catalogue = read_po(source, locale="en")
        partial = mo.with_suffix(f".mo.{os.getpid()}")
        with partial.open("wb") as target:
            write_mo(target, catalogue)
        partial.replace(mo)


def pytest_generate_tests(metafunc):
    """Every test that uses ``search_engine`` gets it as a session parameter, the
    unmarked ones too (the default engine): session fixtures built on it, such as
    ``demo_archive``, are then cached per engine. With the unmarked tests served by
    a plain fixture, a demo archive built for the default engine was handed to a
    tantivy test that came after (pytest keys a session fixture by its own
    parameter only), which opened the Whoosh index as tantivy and marked it damaged."""
    if "search_engine" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("engines")
    engines = (marker.args or TEST_ENGINES) if marker is not None else (DEFAULT_ENGINE,)
    metafunc.parametrize("search_engine", engines, scope="session")


@pytest.fixture(scope="session")
def search_engine() -> str:
    """The default engine, for a test that asks for it by name at run time (the
    tests that list it among their fixtures get it as a parameter)."""
    return DEFAULT_ENGINE


@pytest.fixture(autouse=True)
def _search_engine_context(request):
    """Around a test marked ``engines``: an app context naming its engine (the
    test's own app when it has one: the CLI runner uses the current app)."""
    if request.node.get_closest_marker("engines") is None:
        yield
        return
    for name in ("app", "demo_app", "empty_archive", "demo_archive"):
        if name in request.fixturenames:
            found = request.getfixturevalue(name)
            app = found if isinstance(found, Flask) else found.app()
            break
    else:
        app = Flask("search-engine-test")
        app.config["SEARCH_ENGINE"] = request.getfixturevalue("search_engine")
    with app.app_context():
        yield


def _built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """``build(folder)`` run once per test run, by whichever xdist worker comes
    first while the others wait on a lock; the folder, complete. Each worker
    copies what it uses (a copy takes milliseconds, the demo's images seconds)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder, done = shared / name, shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            build(folder)
            done.touch()
    return folder


def _demo_loaded(folder: Path) -> None:
    archive = fresh_archive(folder)
    demo_load.load(archive.db(), archive.config["MEDIA_DIR"], DEMO_DIR)
    archive.close()


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory):
    """The demo exhibit's database and media, loaded once, without an index."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(
        _built_once(tmp_path_factory, "demo-loaded", _demo_loaded), root, dirs_exist_ok=True
    )
    archive = Archive(root, config_for(root))
    yield archive
    archive.close()


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory, demo_data, search_engine):
    """The demo exhibit loaded once and indexed by the test's engine, plus
    nothing else. Tests must not write to it."""
    index_dir = demo_data.root / f"search_index-{search_engine}"
    archive = Archive(
        demo_data.root,
        {**demo_data.config, "INDEX_DIR": str(index_dir), "SEARCH_ENGINE": search_engine},
    )
    if search.current_dir(index_dir) is None:

        def indexed(folder: Path) -> None:
            db = database.connect(demo_data.root / "archive.db")
            try:
                search.rebuild(db, folder, engine=search_engine)
            finally:
                db.conn.close()

        built = _built_once(tmp_path_factory, f"demo-index-{search_engine}", indexed)
        shutil.copytree(built, index_dir, dirs_exist_ok=True)
    yield archive
    archive.close()


@pytest.fixture
def demo_app(demo_archive):
    return demo_archive.app()


@pytest.fixture
def demo_client(demo_app):
    demo_app.test_client_class = ClosingClient
    return demo_app.test_client()


@pytest.fixture
def empty_archive(tmp_path, search_engine):
    archive = fresh_archive(tmp_path, search_engine)
    yield archive
    archive.close()


@pytest.fixture
def app(empty_archive):
    return empty_archive.app()


class ClosingClient(FlaskClient):
    """A test client whose responses are read and closed at once, so file-backed
    responses never leak a handle (warnings are errors here)."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.get_data()
        response.close()
        # Werkzeug spools a large multipart body to a temporary file it never closes.
        body = getattr(response, "request", None) and response.request.environ.get("wsgi.input")
        if body is not None and hasattr(body, "close"):
            body.close()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = ClosingClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def add_honoree(db, honours=None, **fields) -> int:
    """Insert an honoree (published unless told; one 2020 national honour unless
    given) in the caller's write transaction."""
    record = {
        "kind": "individual",
        "name": "测试人物",
        "status": "published",
        "unit": "测试单位",
        "story": "测试事迹。",
        **fields,
    }
    if honours is None:
        honours = [
            {
                "title": "全国劳动模范" if record["kind"] == "individual" else "全国工人先锋号",
                "year": 2020,
                "body": "测试机关",
            }
        ]
    return honorees.create(db, record, honours)


@pytest.fixture
def make_honoree(empty_archive):
    """Factory: insert an honoree (published unless told) into the empty archive."""

    def make(honours=None, **fields) -> int:
        db = empty_archive.db()
        with write(db):
            return add_honoree(db, honours, **fields)

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
    found: dict[str, list[int]] = {}
    for row in archive.db().execute("SELECT id, name FROM honorees ORDER BY id"):
        found.setdefault(row["name"], []).append(row["id"])
    return found


@pytest.fixture(scope="session")
def demo_ids(demo_archive, demo_records) -> dict[str, int]:
    """Demo ref → database id. The loader inserts records in file order into an
    empty archive; the names are checked so a change to that breaks loudly."""
    rows = demo_archive.db().execute("SELECT id, name FROM honorees ORDER BY id").fetchall()
    assert [r["name"] for r in rows] == [r["name"] for r in demo_records]
    return {record["ref"]: row["id"] for record, row in zip(demo_records, rows, strict=True)}


def environment_for(archive: Archive) -> dict:
    """Environment variables that point a real process at a test archive."""
    import os

    env = dict(os.environ)
    for key in (
        "DATABASE",
        "MEDIA_DIR",
        "INDEX_DIR",
        "INSTANCE_DIR",
        "DEMO_DIR",
        "BASE_URL",
        "SECRET_KEY",
        "SEARCH_ENGINE",
    ):
        env[f"ARCHIVE_{key}"] = str(archive.config[key])
    return env


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(archive: Archive, port: int, extra_env: dict | None = None):
    """gunicorn serving ``wsgi:app`` for a test archive, as in production."""
    import subprocess
    import sys
    import time
    import urllib.request

    # a browser driven at this address posts from it, whatever BASE_URL says
    env = {
        **environment_for(archive),
        "ARCHIVE_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        **(extra_env or {}),
    }
    log = open(archive.root / f"gunicorn-{port}.log", "wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:archive.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/live", timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    raise RuntimeError((archive.root / f"gunicorn-{port}.log").read_text())


@pytest.fixture(scope="session")
def live_server(demo_archive):
    """The demo archive served by a real gunicorn on loopback."""
    port = free_port()
    process = start_gunicorn(demo_archive, port, {"ARCHIVE_WEB_WORKERS": "2"})
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(15)


@pytest.fixture
def curator(empty_archive, client):
    """A client logged in as a curator (plus the user's id on ``client.user_id``)."""
    from tests.curating import login, make_user

    client.user_id = make_user(empty_archive, "curator1")
    assert login(client, "curator1").status_code == 302
    return client


@pytest.fixture
def second_curator(empty_archive, app):
    from tests.curating import login, make_user

    app.test_client_class = ClosingClient
    other = app.test_client()
    other.user_id = make_user(empty_archive, "curator2")
    assert login(other, "curator2").status_code == 302
    return other


def start_worker(archive: Archive, log_name: str = "worker.log"):
    """A real `flask worker` process for a test archive, logging to its folder."""
    import subprocess
    import sys

    log = open(archive.root / log_name, "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "archive", "worker"],
        cwd=PROJECT_ROOT,
        env=environment_for(archive),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    return process


def run_jobs(app) -> None:
    """Run every queued job with the worker's own code (worker.run_one), in this process."""
    from archive import db as database
    from archive import worker

    db = database.connect(app.config["DATABASE"])
    try:
        while worker.run_one(app, db):
            pass
    finally:
        db.conn.close()


def wait_for(predicate, timeout: float = 60.0) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def admin_site(empty_archive):
    """The empty archive served by a real gunicorn, with an admin account ``guanzhang``
    (password ``tests.curating.PASSWORD``); yields the base URL."""
    from tests.curating import make_user

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    make_user(empty_archive, "guanzhang", "admin")
    process = start_gunicorn(
        empty_archive, port, {"ARCHIVE_BASE_URL": base, "ARCHIVE_WEB_WORKERS": "2"}
    )
    yield base
    process.terminate()
    process.wait(15)
