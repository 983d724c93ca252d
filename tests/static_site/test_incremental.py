"""An incremental export ends where a full one would: after a curator's day of
edits (a story, a unit, a name, a new record in a new year, a withdrawal, a revoked
honour, a featured record, a new member of a collective), the edition a second
run brings up to date holds the same files, byte for byte, as one exported from
scratch; and the run draws again only the pages that show what changed."""

from __future__ import annotations

import hashlib
import posixpath
import sqlite3
import sys

import pytest

from archive.catalogue import honorees
from archive.db import write
from archive.static_site import Options, export_site
from archive.static_site.manifest import NAME, Busy, Manifest, snapshot
from archive.static_site.paths import relative
from tests.conftest import add_honoree, fresh_archive

OPTIONS = Options(search=False, share_images=False)
PEOPLE = [
    # name, unit, city, honours (title, year)
    ("林晓峰", "杭州钢铁厂", "杭州市", [("全国劳动模范", 2020)]),
    ("王建国", "杭州钢铁厂", "杭州市", [("全国五一劳动奖章", 2019), ("全国劳动模范", 2020)]),
    ("陈美玲", "宁波港", "宁波市", [("省劳动模范", 2021)]),
    ("张伟", "宁波港", "宁波市", [("全国劳动模范", 2020)]),
    ("李娜", "温州电厂", "温州市", [("全国五一劳动奖章", 2021)]),
    ("赵磊", "温州电厂", "温州市", [("省劳动模范", 2019)]),
    ("周敏", "嘉兴纺织厂", "嘉兴市", [("全国劳动模范", 2020)]),
    ("吴强", "嘉兴纺织厂", "嘉兴市", [("省劳动模范", 2021)]),
    ("郑红", "湖州丝绸厂", "湖州市", [("全国五一劳动奖章", 2019)]),
]


def _honours(pairs):
    return [{"title": t, "year": y, "body": "授予机关"} for t, y in pairs]


@pytest.fixture
def small(tmp_path):
    """Nine people in five units and a collective of two of them, exported in full
    with four cards a page (lists of several pages)."""
    archive = fresh_archive(tmp_path / "archive")
    db = archive.db()
    ids = {}
    with write(db):
        for name, unit, city, honours in PEOPLE:
            ids[name] = add_honoree(
                db, _honours(honours), name=name, unit=unit, city=city, story=f"{name}的事迹。"
            )
        ids["炼钢班"] = add_honoree(
            db,
            _honours([("全国工人先锋号", 2021)]),
            kind="collective",
            name="炼钢一班",
            unit="杭州钢铁厂",
            city="杭州市",
        )
        honorees.add_member(db, ids["炼钢班"], ids["林晓峰"], 0)
    app = archive.app(PAGE_SIZE=4)
    out = tmp_path / "edition"
    first = export_site(app, out, OPTIONS)
    yield {"archive": archive, "db": db, "app": app, "out": out, "ids": ids, "first": first}
    archive.close()


def _files(out) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(NAME)
    }


def _change(db, honoree_id, sql, *args):
    with write(db):
        db.execute(sql, [*args, honoree_id])
        honorees.note_change(db, honoree_id)


def test_after_a_day_of_edits_an_incremental_export_equals_a_full_one(small, tmp_path):
    db, ids = small["db"], small["ids"]
    _change(db, ids["林晓峰"], "UPDATE honorees SET story = story || '又立新功。' WHERE id = ?")
    _change(db, ids["陈美玲"], "UPDATE honorees SET unit = '舟山港' WHERE id = ?")
    _change(db, ids["张伟"], "UPDATE honorees SET name = '艾张伟' WHERE id = ?")
    _change(db, ids["李娜"], "UPDATE honorees SET status = 'withdrawn' WHERE id = ?")
    _change(db, ids["周敏"], "UPDATE honorees SET featured = 1 WHERE id = ?")
    _change(
        db, ids["王建国"], "UPDATE honours SET revoked = 1 WHERE year = 2019 AND honoree_id = ?"
    )
    with write(db):
        newcomer = add_honoree(  # in a year nobody had: every year page lists it
            db, _honours([("全国劳动模范", 2024)]), name="钱新", unit="杭州钢铁厂", city="杭州市"
        )
        honorees.add_member(db, ids["炼钢班"], newcomer, 1)
        honorees.note_change(db, ids["炼钢班"])
    report = export_site(small["app"], small["out"], OPTIONS)
    assert report.mode == "incremental"
    full = export_site(small["app"], tmp_path / "full", OPTIONS)
    assert full.mode == "full"
    made, expected = _files(small["out"]), _files(tmp_path / "full")
    assert sorted(set(made) ^ set(expected)) == []
    assert [p for p in expected if made[p] != expected[p]] == []
    assert report.rendered < full.rendered


def test_a_story_edit_draws_again_its_profile_not_the_lists_it_is_in(small):
    """A story shows only on its profile: the lists of its title, year, city and
    unit, the home page and its colleagues' profiles are left as they were."""
    db, ids, out = small["db"], small["ids"], small["out"]
    pages = [p for p, e in snapshot(out)["files"].items() if e["url"]]
    assert {"index.html", "honorees/index.html", "years/2020/index.html"} <= set(pages)
    before = {p: (out / p).stat().st_mtime_ns for p in pages}
    _change(db, ids["周敏"], "UPDATE honorees SET story = '新写的事迹。' WHERE id = ?")
    report = export_site(small["app"], out, OPTIONS)
    assert report.changed_honorees == [ids["周敏"]]
    assert "新写的事迹" in (out / f"honorees/{ids['周敏']}/index.html").read_text()
    drawn = [p for p in pages if (out / p).stat().st_mtime_ns != before[p]]
    assert drawn == [f"honorees/{ids['周敏']}/index.html"]


def test_a_second_export_into_the_same_folder_is_refused_while_one_runs(small):
    held = Manifest(small["out"])  # a run in progress holds the manifest
    try:
        with pytest.raises(Busy, match="另一次导出正在写入这个目录"):
            export_site(small["app"], small["out"], OPTIONS)
    finally:
        held.close()
    assert export_site(small["app"], small["out"], OPTIONS).mode == "unchanged"


def test_a_run_killed_half_way_leaves_the_last_manifest_and_the_next_run_mends(small, tmp_path):
    """A run that dies (a full disk, a killed process) commits nothing: the next run
    compares with the last finished one and ends as a full export would."""
    db, ids, out, app = small["db"], small["ids"], small["out"], small["app"]
    _change(db, ids["赵磊"], "UPDATE honorees SET unit = '衢州电厂' WHERE id = ?")
    with pytest.MonkeyPatch.context() as patch:

        def die(*args):
            raise OSError(28, "No space left on device")

        patch.setattr("archive.static_site.export.Edition._sitemap", die)
        with pytest.raises(OSError):
            export_site(app, out, OPTIONS)
    assert snapshot(out)["generation"] == small["first"].generation
    again = export_site(app, out, OPTIONS)
    assert again.mode == "incremental" and again.changed_honorees == [ids["赵磊"]]
    export_site(app, tmp_path / "full", OPTIONS)
    assert _files(out) == _files(tmp_path / "full")


def test_an_unreadable_manifest_means_a_full_export(small):
    (small["out"] / NAME).write_bytes(b"not a database" * 100)
    (small["out"] / f"{NAME}-journal").write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" * 64)
    report = export_site(small["app"], small["out"], OPTIONS)
    assert report.mode == "full" and report.files == small["first"].files
    assert sqlite3.connect(small["out"] / NAME).execute("SELECT count(*) FROM files").fetchone()[0]


def test_relative_links_are_those_of_posixpath():
    """The edition's own relative paths (fast, for a quarter of a million links)
    agree with ``posixpath.relpath`` on every pair of a sample of its paths."""
    files = [
        "index.html",
        "honorees/index.html",
        "honorees/12/index.html",
        "honorees/12/album/index.html",
        "honorees/kind-individual_page-3.html",
        "media/0123456789abcdef-320.webp",
        "exhibitions/1/hall/tiles/0123456789ab-r1/2/b0_1.jpg",
        "exhibitions/1/hall/tiles/0123456789ab-r1",
        "search/index.html",
        "static/app.css",
        "q/ABC123/T1/index.html",
    ]
    for source in files:
        for target in files:
            folder = posixpath.dirname(source) or "."
            assert relative(source, target) == posixpath.relpath(target, folder), (source, target)
    assert relative("honorees/1/index.html", "search/index.html", "q=张", "top") == (
        "../../search/index.html?q=张#top"
    )


def test_the_command_says_so_in_chinese_when_another_export_holds_the_folder(small):
    held = Manifest(small["out"])
    try:
        result = (
            small["app"]
            .test_cli_runner()
            .invoke(args=["export-site", str(small["out"]), "--no-search"])
        )
    finally:
        held.close()
    assert result.exit_code == 1
    assert "另一次导出正在写入这个目录，请等它结束后再试。" in result.output
    assert "Traceback" not in result.output


def test_a_failed_search_index_is_said_in_chinese_and_commits_nothing(small, monkeypatch):
    """Pagefind stopping with an error (a full disk, a killed process) ends the run
    with its message and status 1; the manifest stays the last finished run's."""
    from archive.static_site import search_index

    def failing(site, bundle):
        return [sys.executable, "-c", "import sys; print('磁盘已满'); sys.exit(2)"]

    monkeypatch.setattr(search_index, "_command", failing)
    _change(small["db"], small["ids"]["吴强"], "UPDATE honorees SET story = '新事迹' WHERE id = ?")
    result = small["app"].test_cli_runner().invoke(args=["export-site", str(small["out"])])
    assert result.exit_code == 1
    assert "静态检索索引失败" in result.output and "磁盘已满" in result.output
    assert "Traceback" not in result.output
    assert snapshot(small["out"])["generation"] == small["first"].generation
