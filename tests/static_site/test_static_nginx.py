"""The publishing recipe, run for real: nginx with ``deploy/nginx-static.conf`` serving
an exported edition, the QR map the export wrote included, and the live archive
behind it down (so ``/q/`` falls back to the map's 302)."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import time

import pytest

from archive.db import write
from archive.settings import PROJECT_ROOT
from archive.static_site import Options, export_site
from tests.conftest import add_honoree, free_port, fresh_archive
from tests.front import main_config

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")),
        reason="nginx is installed by `make system-deps`",
    ),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("static-nginx")
    archive = fresh_archive(root / "archive")
    db = archive.db()
    with write(db):
        honoree_id = add_honoree(db, name="静态测试人物")
    code = db.execute("SELECT code FROM honorees WHERE id = ?", [honoree_id]).fetchone()[0]
    out = root / "edition"
    export_site(archive.app(), out, Options(search=False, share_images=False))
    port, dead = free_port(), free_port()  # nothing listens on the live archive's port
    recipe = (PROJECT_ROOT / "deploy" / "nginx-static.conf").read_text()
    for old, new in [
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("root /srv/archive-static;", f"root {out};"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{dead};"),
    ]:
        assert old in recipe
        recipe = recipe.replace(old, new)
    folder = root / "nginx"
    folder.mkdir()
    site = folder / "site.conf"
    site.write_text(f"include {out / 'nginx-qr-map.conf'};\n{recipe}")
    (folder / "nginx.conf").write_text(main_config(folder, site))
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen(
        [binary, "-c", str(folder / "nginx.conf"), "-p", str(folder), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while not _answers(port):
            assert process.poll() is None and time.monotonic() < deadline, (
                folder / "error.log"
            ).read_text(errors="replace")
            time.sleep(0.1)
        yield {"port": port, "id": honoree_id, "code": code}
    finally:
        process.terminate()
        process.wait(timeout=10)
        archive.close()


def _answers(port: int) -> bool:
    try:
        _get(port, "/")
        return True
    except OSError:
        return False


def _get(port: int, path: str) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_a_profile_is_served_at_its_folder_and_sent_there_without_its_slash(served):
    """Served at ``/honorees/5`` the page's relative links would resolve one folder
    too high: nginx sends the visitor to ``/honorees/5/`` (a relative 301)."""
    profile = f"/honorees/{served['id']}"
    status, headers, _ = _get(served["port"], profile)
    assert status == 301 and headers["Location"] == profile + "/"
    for path in (profile + "/", profile + "/index.html"):
        status, headers, body = _get(served["port"], path)
        assert status == 200 and "静态测试人物" in body.decode(), path
        assert headers["Cache-Control"] == "public, max-age=300"
    assert _get(served["port"], "/")[0] == 200
    assert _get(served["port"], "/honorees/99999/")[0] == 404


def test_a_qr_address_gets_a_302_from_the_map_while_the_live_archive_is_down(served):
    status, headers, _ = _get(served["port"], f"/q/{served['code']}")
    assert status == 302
    assert headers["Location"].endswith(f"/honorees/{served['id']}/index.html")
    status, _, _ = _get(served["port"], headers["Location"].split(str(served["port"]), 1)[-1])
    assert status == 200


def test_the_exports_bookkeeping_is_not_served(served):
    for path in ("/.edition.sqlite", "/.edition.sqlite-journal", "/nginx-qr-map.conf"):
        assert _get(served["port"], path)[0] == 404, path
