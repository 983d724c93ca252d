"""The static edition (export-site): it shows what the live site shows, every link
in it works, it names no other host, a withdrawal followed by an incremental export
removes the profile, its images and its search entry, and the BagIt package
validates (and fails on a changed byte)."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys

import bagit
import pytest

from archive.catalogue import honorees
from archive.db import write
from archive.settings import PROJECT_ROOT
from archive.static_site import Options, export_site, package, search_index
from archive.static_site.manifest import snapshot
from tests.conftest import ClosingClient, fresh_archive
from tests.hall_fixtures import build
from tests.static_site_helpers import links, visible_text

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """A small archive (20 honorees with portraits, an exhibition, its generated hall,
    one draft) exported once."""
    archive = fresh_archive(tmp_path_factory.mktemp("static"))
    built = build(archive, 20, sections=(12, 8), statuses={19: "draft"})
    app = archive.app()
    out = archive.root / "edition"
    with pytest.MonkeyPatch.context() as patch:  # several Pagefind shards of four ids
        patch.setattr(search_index, "MIN_SHARD", 4)
        report = export_site(app, out, Options())
    yield {"archive": archive, "app": app, "out": out, "report": report, **built}
    archive.close()


def test_every_public_page_is_in_the_edition_and_no_draft(edition):
    out, ids = edition["out"], edition["ids"]
    for honoree_id in ids[:19]:
        assert (out / f"honorees/{honoree_id}/index.html").is_file()
    assert not (out / f"honorees/{ids[19]}").exists()
    assert "林晓峰" in (out / "index.html").read_text() or (out / "honorees/index.html").is_file()
    hall = out / f"exhibitions/{edition['exhibition_id']}/hall/index.html"
    assert hall.is_file()
    config = json.loads(re.search(r'id="hall-config">(.*?)</script>', hall.read_text(), re.S)[1])
    # the live page fetches the other rooms' settings; the edition's page holds them all
    assert "more" not in config and set(config["scenes"]) == set(config["order"])
    assert len(config["order"]) >= 2
    for scene in config["scenes"].values():
        assert (hall.parent / scene["base"] / "1").is_dir()
    assert (out / "sitemap.xml").is_file() and (out / "_redirects").is_file()
    assert (out / "nginx-qr-map.conf").read_text().count("/q/") >= 20
    names = json.dumps(
        json.loads((out / "search/data.js").read_text().split("=", 1)[1].rstrip().rstrip(";")),
        ensure_ascii=False,
    )
    assert "彭晓燕" not in names  # the draft (index 19)


def test_profiles_show_the_same_visible_text_as_the_live_site(edition):
    app, out = edition["app"], edition["out"]
    app.test_client_class = ClosingClient
    client = app.test_client()
    compared = 0
    for page in sorted(out.glob("honorees/*/index.html")):
        honoree_id = page.parent.name
        live = client.get(f"/honorees/{honoree_id}")
        assert live.status_code == 200
        assert visible_text(page.read_text()) == visible_text(live.get_data(as_text=True))
        compared += 1
    assert compared == 19


def test_no_link_in_the_edition_is_broken_and_none_leaves_it(edition):
    out = edition["out"]
    broken, outside, pages = [], [], 0
    for page in out.rglob("*.html"):
        pages += 1
        for written, target in links(page, out):
            if re.match(r"^[a-z]+:", target):
                outside.append((page.relative_to(out).as_posix(), written))
            elif not (out / target).is_file():
                broken.append((page.relative_to(out).as_posix(), written))
    assert pages > 40
    assert not broken, broken[:10]
    assert not outside, outside[:10]
    for sheet in out.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", sheet.read_text()), sheet
    for page in out.rglob("*.html"):
        for block in re.findall(
            r'<script type="application/(?:ld\+)?json"[^>]*>(.*?)</script>', page.read_text(), re.S
        ):
            assert not re.search(r'"https?://(?!schema.org")', block), page  # a vocabulary


def test_qr_addresses_redirect_to_the_profile(edition):
    out, db = edition["out"], edition["archive"].db()
    code, honoree_id = db.execute(
        "SELECT code, id FROM honorees WHERE id = ?", [edition["ids"][0]]
    ).fetchone()
    page = (out / f"q/{code}/index.html").read_text()
    assert f"url=../../honorees/{honoree_id}/index.html" in page
    assert f"/q/{code} /honorees/{honoree_id}/index.html 302" in (out / "_redirects").read_text()


def test_an_unchanged_archive_exports_nothing(edition):
    export_site(edition["app"], edition["out"], Options())  # other tests may have edited
    again = export_site(edition["app"], edition["out"], Options())
    assert again.mode == "unchanged" and again.written == 0


def test_a_withdrawal_then_an_incremental_export_removes_profile_images_and_search(
    edition, tmp_path
):
    out = tmp_path / "edition"
    shutil.copytree(edition["out"], out)
    archive, app = edition["archive"], edition["app"]
    db = archive.db()
    gone = edition["ids"][3]
    name, code = db.execute("SELECT name, code FROM honorees WHERE id = ?", [gone]).fetchone()
    media_files = [
        r[0]
        for r in db.execute(
            "SELECT m.name FROM media_files m JOIN photos p ON p.id = m.photo_id "
            "WHERE p.honoree_id = ?",
            [gone],
        )
    ]
    assert media_files and all((out / "media" / f).is_file() for f in media_files)
    try:
        with write(db):
            db.execute("UPDATE honorees SET status = 'withdrawn' WHERE id = ?", [gone])
            honorees.note_change(db, gone)
        report = export_site(app, out, Options())
        assert report.mode == "incremental" and report.changed_honorees == [gone]
        assert report.rendered < 200
        assert not (out / f"honorees/{gone}").exists()
        assert not any((out / "media" / f).exists() for f in media_files)
        assert not (out / f"q/{code}").exists()
        assert f"/q/{code} " not in (out / "_redirects").read_text()
        assert name not in (out / "search/data.js").read_text()
        fragments = [
            gzip.decompress(f.read_bytes()) for f in (out / "pagefind").rglob("*.pf_fragment")
        ]
        assert fragments and not any(name.encode() in f for f in fragments)
        for page in out.rglob("*.html"):
            assert f"honorees/{gone}/" not in page.read_text(), page
        assert not any(f"honorees/{gone}/" in p for p in snapshot(out)["files"])
    finally:
        with write(db):
            db.execute("UPDATE honorees SET status = 'published' WHERE id = ?", [gone])
            honorees.note_change(db, gone)


def test_the_preservation_package_validates_and_a_changed_byte_fails(edition, tmp_path):
    bag_dir = tmp_path / "bag"
    _, bag = package.preservation_bag(edition["app"], bag_dir)
    assert bag.algorithms == ["sha256"]
    bag.validate(processes=1)
    data = bag_dir / "data"
    assert (data / "edition/index.html").is_file() and (data / "说明.txt").is_file()
    catalogue = json.loads((data / "catalogue/honorees.json").read_text())
    assert len(catalogue["honorees"]) == 19
    assert len(list((data / "originals").iterdir())) == 19
    target = data / "edition/index.html"
    raw = bytearray(target.read_bytes())
    raw[100] = (raw[100] + 1) % 256
    target.write_bytes(bytes(raw))
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(bag_dir)).validate(processes=1)


PARALLEL_EXPORT = """
import json, sys
from pathlib import Path
from archive import create_app
from archive.static_site.export import Options, export_site
report = export_site(create_app(json.loads(sys.argv[1])), Path(sys.argv[2]),
                     Options(jobs=2, search=False))
print(report.renderers, report.rendered)
"""


def test_rendering_in_parallel_processes_makes_the_same_edition(edition, tmp_path):
    """The pool of forked renderers (the 10,000-profile case) writes the very files one
    process writes. The pool forks only from a process without other threads, so the
    parallel export runs in a process of its own, as `flask export-site` does."""
    export_site(edition["app"], edition["out"], Options())  # other tests may have edited
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PARALLEL_EXPORT,
            json.dumps(edition["archive"].config),
            str(tmp_path / "parallel"),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    serial = _manifest(edition["out"])["files"]
    made = _manifest(tmp_path / "parallel")["files"]
    renderers, rendered = map(int, done.stdout.split()[-2:])
    assert renderers == 2 and rendered > 0  # a pool of two forked renderers made it
    # made without the Pagefind index (search=False): its shards and their list aside
    index = ("pagefind/", "search/shards.js")
    same = {p: e["sha256"] for p, e in serial.items() if not p.startswith(index)}
    assert {p: e["sha256"] for p, e in made.items() if not p.startswith(index)} == same


def _manifest(out):
    return snapshot(out)


def test_an_edition_without_share_images_holds_none_and_links_none(edition, tmp_path):
    """--no-share-images (a kiosk or a deposit): no share, long or card PNG, and the
    profile shows those addresses as text, not as links to missing files."""
    export_site(edition["app"], tmp_path / "plain", Options(share_images=False, search=False))
    out = tmp_path / "plain"
    assert not [
        p
        for p in (out / "honorees").rglob("*.png")
        if p.name in ("share.png", "long.png", "card.png")
    ]
    honoree_id = edition["ids"][0]
    page = (out / f"honorees/{honoree_id}/index.html").read_text(encoding="utf-8")
    assert "分享图片" in page
    assert not re.search(r'href="[^"]*(share|long|card)\.png"', page)
    with_images = edition["out"] / f"honorees/{honoree_id}/share.png"
    assert with_images.is_file()


def test_withdrawing_someone_no_other_page_shows_still_drops_their_search_entry(edition, tmp_path):
    """No colleague, so no other profile is redrawn: the search index is built again
    all the same, without them (it once kept a withdrawn person findable)."""
    out = tmp_path / "edition"
    shutil.copytree(edition["out"], out)
    archive, app = edition["archive"], edition["app"]
    db = archive.db()
    alone = edition["ids"][6]
    name, unit = db.execute("SELECT name, unit FROM honorees WHERE id = ?", [alone]).fetchone()
    try:
        with write(db):
            db.execute("UPDATE honorees SET unit = '独此一家的单位' WHERE id = ?", [alone])
            honorees.note_change(db, alone)
        export_site(app, out, Options())
        with write(db):
            db.execute("UPDATE honorees SET status = 'withdrawn' WHERE id = ?", [alone])
            honorees.note_change(db, alone)
        report = export_site(app, out, Options())
        assert report.changed_honorees == [alone]
        fragments = [
            gzip.decompress(f.read_bytes()) for f in (out / "pagefind").rglob("*.pf_fragment")
        ]
        assert fragments and not any(name.encode() in f for f in fragments)
    finally:
        with write(db):
            db.execute(
                "UPDATE honorees SET status = 'published', unit = ? WHERE id = ?", [unit, alone]
            )
            honorees.note_change(db, alone)


def _shard_files(out) -> dict[str, str]:
    return {p: e["sha256"] for p, e in _manifest(out)["files"].items() if p.startswith("pagefind/")}


def _fragments(out, shard: str) -> list[str]:
    """A shard's pages as Pagefind keeps them, without the zero-width spaces it
    puts between the words it cut."""
    return [
        gzip.decompress(f.read_bytes()).decode("utf-8", "replace").replace("\u200b", "")
        for f in (out / "pagefind" / shard).rglob("*.pf_fragment")
    ]


def test_an_edit_indexes_again_only_the_shard_of_its_profile(edition, tmp_path):
    """Pagefind cannot update an index: each shard of ids is a bundle of its own and
    an edit re-indexes only its profile's shard; the search page merges them all."""
    out = tmp_path / "edition"
    shutil.copytree(edition["out"], out)
    archive, app = edition["archive"], edition["app"]
    db = archive.db()
    size = _manifest(out)["search_shards"]["size"]
    shards = _manifest(out)["search_shards"]["shards"]
    assert len(shards) > 2 and (out / "search/shards.js").read_text().count('"s') == len(shards)
    edited = edition["ids"][5]
    mine = f"s{edited // size}"
    before = _shard_files(out)
    story = db.execute("SELECT story FROM honorees WHERE id = ?", [edited]).fetchone()[0]
    try:
        with write(db):
            db.execute(
                "UPDATE honorees SET story = '潜心钻研盾构刀盘修复。' WHERE id = ?", [edited]
            )
            honorees.note_change(db, edited)
        report = export_site(app, out, Options())
        assert report.mode == "incremental" and report.search_shards == 1
        after = _shard_files(out)
        others = {p: h for p, h in before.items() if not p.startswith(f"pagefind/{mine}/")}
        assert {p: h for p, h in after.items() if not p.startswith(f"pagefind/{mine}/")} == others
        assert any("盾构刀盘" in f for f in _fragments(out, mine))
        assert not any(
            "盾构刀盘" in f
            for shard in shards
            if f"s{shard}" != mine
            for f in _fragments(out, f"s{shard}")
        )
    finally:
        with write(db):
            db.execute("UPDATE honorees SET story = ? WHERE id = ?", [story, edited])
            honorees.note_change(db, edited)


def test_the_csv_of_every_record_follows_what_it_shows_not_stories(edition, tmp_path):
    """The CSV is drawn again when a record's listed fields change (a summary), and
    left as it was for a story, which it does not hold."""
    out = tmp_path / "edition"
    shutil.copytree(edition["out"], out)
    archive, app = edition["archive"], edition["app"]
    db = archive.db()
    edited = edition["ids"][3]
    summary, story = db.execute(
        "SELECT summary, story FROM honorees WHERE id = ?", [edited]
    ).fetchone()
    csv = out / "api/v1/honorees.csv"
    before = csv.read_bytes()
    try:
        with write(db):
            db.execute("UPDATE honorees SET story = '新写的事迹。' WHERE id = ?", [edited])
            honorees.note_change(db, edited)
        export_site(app, out, Options())
        assert csv.read_bytes() == before
        assert "新写的事迹" in (out / f"honorees/{edited}/index.html").read_text()
        with write(db):
            db.execute("UPDATE honorees SET summary = '改过的简介' WHERE id = ?", [edited])
            honorees.note_change(db, edited)
        report = export_site(app, out, Options())
        assert report.mode == "incremental"
        assert "改过的简介" in csv.read_text(encoding="utf-8-sig")
    finally:
        with write(db):
            db.execute(
                "UPDATE honorees SET summary = ?, story = ? WHERE id = ?", [summary, story, edited]
            )
            honorees.note_change(db, edited)
