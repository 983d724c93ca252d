"""Revisions: every change leaves a snapshot; the history page shows what changed
field by field; every revision restores, deleted honours and photos included."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from archive.catalogue import honorees
from tests.curating import post
from tests.curation.test_editing import edit_form


@pytest.fixture(autouse=True)
def one_person_office(app):
    """Revisions as a one-person office keeps them (SECOND_APPROVER=0): every edit
    applies at once. Review of edits is tested in test_editing.py."""
    app.config["SECOND_APPROVER"] = 0


def _photo(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (700, 500), color).save(buffer, "JPEG")
    return buffer.getvalue()


def comparable(snapshot: dict) -> dict:
    """What a restore must bring back (bookkeeping such as versions and times aside)."""
    skip = {
        "version",
        "updated_at",
        "published_at",
        "submitted_by",
        "latest_year",
        "status",
        "deleted_at",
        "merged_into",
    }
    kept = {k: v for k, v in snapshot.items() if k not in skip}
    kept["honours"] = sorted(
        (h["title"], h["year"], h["revoked"], h["body"]) for h in snapshot["honours"]
    )
    kept["photos"] = sorted(
        (p["alt"], p["original"], p["is_portrait"], tuple(sorted(f["name"] for f in p["files"])))
        for p in snapshot["photos"]
    )
    kept["videos"] = [v["file"] for v in snapshot["videos"]]
    kept["places"] = [(p["section_id"], p["position"]) for p in snapshot["places"]]
    return kept


def build_history(client, honoree_id: int, archive) -> None:
    """A record that goes through the kinds of change curators make."""
    page = f"/curate/honorees/{honoree_id}"
    form = edit_form(client, honoree_id)
    post(client, page, dict(form, story="第一稿。", unit="第一单位"), page=page)
    post(
        client,
        f"{page}/honours",
        {"title": "全国五一劳动奖章", "year": "2018", "body": "全国总工会"},
        page=page,
    )
    for color, alt in (((200, 0, 0), "红色照片"), ((0, 0, 200), "蓝色照片")):
        post(
            client,
            f"{page}/photos",
            {"photo": (io.BytesIO(_photo(color)), "p.jpg"), "alt": alt},
            page=page,
            content_type="multipart/form-data",
        )
    db = archive.db()
    honour = db.execute(
        "SELECT id FROM honours WHERE honoree_id = ? AND year = 2018", [honoree_id]
    ).fetchone()[0]
    post(client, f"{page}/honours/{honour}", {"action": "revoke"}, page=page)
    post(client, f"{page}/honours/{honour}", {"action": "delete"}, page=page)
    red = db.execute("SELECT id FROM photos WHERE alt = '红色照片'").fetchone()[0]
    post(client, f"{page}/photos/{red}", {"action": "delete"}, page=page)
    form = edit_form(client, honoree_id)
    post(client, page, dict(form, story="第二稿，改了很多。", name="改过的名字"), page=page)
    post(client, f"{page}/delete", {"confirm": "改过的名字"}, page=f"{page}/delete")


def test_every_revision_restores(curator, make_honoree, empty_archive, client):
    honoree_id = make_honoree(name="历史测试", status="published")
    build_history(curator, honoree_id, empty_archive)
    db = empty_archive.db()
    revisions = [
        (r["id"], r["action"], json.loads(r["snapshot"]))
        for r in db.execute(
            "SELECT * FROM revisions WHERE record_type = 'honoree' AND record_id = ? ORDER BY id",
            [honoree_id],
        )
    ]
    actions = [a for _, a, _ in revisions]
    assert actions == [
        "create",
        "edit",
        "honour_add",
        "photo_add",
        "photo_add",
        "honour_revoke",
        "honour_delete",
        "photo_delete",
        "edit",
        "delete",
    ]
    for revision_id, action, snapshot in revisions:
        response = post(
            curator,
            f"/curate/honorees/{honoree_id}/revisions/{revision_id}/restore",
            page=f"/curate/honorees/{honoree_id}/revisions/{revision_id}",
        )
        assert response.status_code == 302, action
        now = honorees.snapshot(db, honoree_id)
        assert comparable(json.loads(json.dumps(now))) == comparable(snapshot), action
        assert now["status"] == "published" and now["deleted_at"]  # workflow state kept
    # the restores are themselves revisions: the history only grows
    count = db.execute(
        "SELECT count(*) FROM revisions WHERE record_id = ? AND record_type = 'honoree'",
        [honoree_id],
    ).fetchone()[0]
    assert count == 2 * len(revisions)


def test_a_deleted_honour_and_photo_come_back_for_visitors(
    curator, make_honoree, empty_archive, client
):
    honoree_id = make_honoree(name="恢复测试", status="published")
    build_history(curator, honoree_id, empty_archive)
    db = empty_archive.db()
    before_deleting = (
        db.execute(
            """SELECT id FROM revisions WHERE record_id = ? AND record_type = 'honoree'
           AND action = 'honour_add'""",
            [honoree_id],
        ).fetchone()[0]
        + 2
    )  # both photos added
    post(
        curator,
        f"/curate/honorees/{honoree_id}/revisions/{before_deleting}/restore",
        page=f"/curate/honorees/{honoree_id}",
    )
    assert client.get(f"/honorees/{honoree_id}").status_code == 404  # still deleted
    post(curator, f"/curate/honorees/{honoree_id}/undelete", page=f"/curate/honorees/{honoree_id}")
    page = client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert "全国五一劳动奖章" in page and "红色照片" in page and "蓝色照片" in page
    assert "第一稿" in page
    for name in [
        r[0]
        for r in db.execute(
            "SELECT m.name FROM media_files m JOIN photos p ON p.id = m.photo_id "
            "WHERE p.honoree_id = ?",
            [honoree_id],
        )
    ]:
        assert client.get(f"/media/{name}").status_code == 200


def test_history_page_shows_field_by_field_differences(curator, make_honoree, empty_archive):
    honoree_id = make_honoree(name="差异测试", status="draft", unit="旧单位")
    page = f"/curate/honorees/{honoree_id}"
    form = edit_form(curator, honoree_id)
    post(curator, page, dict(form, unit="新单位", story="新的事迹"), page=page)
    history = curator.get(f"{page}/history").get_data(as_text=True)
    assert "CURATOR1" in history and "编辑" in history and "创建" in history
    latest = empty_archive.db().execute("SELECT max(id) FROM revisions").fetchone()[0]
    diff = curator.get(f"{page}/revisions/{latest}").get_data(as_text=True)
    assert "工作单位" in diff and "旧单位" in diff and "新单位" in diff
    assert "事迹正文" in diff and "新的事迹" in diff
    assert "姓名/名称" not in diff  # unchanged fields are not listed


def test_restoring_shows_what_will_change_and_never_publishes(
    curator, make_honoree, empty_archive, client
):
    honoree_id = make_honoree(name="流程测试", status="published", unit="原单位")
    page = f"/curate/honorees/{honoree_id}"
    form = edit_form(curator, honoree_id)
    post(curator, page, dict(form, unit="新单位"), page=page)
    post(curator, f"{page}/status", {"action": "withdraw"}, page=page)
    first = (
        empty_archive.db()
        .execute(
            "SELECT min(id) FROM revisions WHERE record_id = ? AND record_type = 'honoree'",
            [honoree_id],
        )
        .fetchone()[0]
    )
    preview = curator.get(f"{page}/revisions/{first}").get_data(as_text=True)
    assert "新单位" in preview and "原单位" in preview
    post(curator, f"{page}/revisions/{first}/restore", page=page)
    assert client.get(f"/honorees/{honoree_id}").status_code == 404  # still withdrawn
    row = (
        empty_archive.db()
        .execute("SELECT unit, status FROM honorees WHERE id = ?", [honoree_id])
        .fetchone()
    )
    assert (row["unit"], row["status"]) == ("原单位", "withdrawn")
