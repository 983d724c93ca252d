"""Status changes to many records at once, as curators make them: the records a
finished import wrote, published or submitted for review in one step from the
import's page, and the records ticked in the back-office list. Each record changes
as the single-record path would change it (revision, index outbox row, audit entry),
under the same second-approver rule."""

from __future__ import annotations

import re

import pytest

from archive.curation import editing
from tests.conftest import ClosingClient
from tests.curating import login, make_user, post
from tests.exchange.test_import_web import csv_file, job_path, run_worker, upload

ROWS = (
    "1,张三,男,杭州机床厂,全国劳动模范,2020,国务院,,",
    "2,李四,女,宁波港集团,全国劳动模范,2015,国务院,,",
)
FLASH = re.compile(r'<p class="flash" role="status">(.*?)</p>')


def _client(app, username: str | None = None, role: str = "curator", archive=None):
    app.test_client_class = ClosingClient
    client = app.test_client()
    if username:
        client.user_id = make_user(archive, username, role)
        assert login(client, username).status_code == 302
    return client


def _import(app, client, archive, status: str = "draft") -> tuple[str, list[int]]:
    """A confirmed import of ROWS; its job page and the ids it wrote."""
    dry = job_path(upload(client, csv_file(*ROWS), status=status))
    run_worker(app, archive)
    real = job_path(post(client, f"{dry}/confirm", page=dry))
    run_worker(app, archive)
    job_id = int(real.rsplit("/", 1)[1])
    ids = [
        r[0]
        for r in archive.db().execute(
            """SELECT i.honoree_id FROM import_items i JOIN imports m ON m.id = i.import_id
           WHERE m.job_id = ? ORDER BY i.row_number""",
            [job_id],
        )
    ]
    assert len(ids) == 2
    return real, ids


def _batch(client, page: str, action: str):
    response = post(client, f"{page}/batch", {"action": action}, page=page)
    assert response.status_code == 303, response.get_data(as_text=True)
    return FLASH.findall(client.get(response.headers["Location"]).get_data(as_text=True))


def _rows(archive, table: str, ids, where: str = "1", params=()) -> int:
    column = "record_id" if table in ("revisions", "audit_log") else "honoree_id"
    marks = ", ".join("?" * len(ids))
    return (
        archive.db()
        .execute(
            f"SELECT count(*) FROM {table} WHERE {column} IN ({marks}) AND {where}", [*ids, *params]
        )
        .fetchone()[0]
    )


def _statuses(archive, ids) -> list[str]:
    return [
        archive.db().execute("SELECT status FROM honorees WHERE id = ?", [i]).fetchone()[0]
        for i in ids
    ]


def _public(app, ids) -> list[int]:
    visitor = _client(app)
    return [visitor.get(f"/honorees/{i}").status_code for i in ids]


def test_a_curators_batch_goes_to_review_and_a_second_curator_publishes_it(
    app, curator, second_curator, empty_archive, make_honoree
):
    other_draft = make_honoree(name="别的草稿", status="draft")
    page, ids = _import(app, curator, empty_archive)
    html = curator.get(page).get_data(as_text=True)
    assert "提交本批审核（2 条）" in html and "发布本批记录" not in html
    assert "另一位策展人或管理员批准" in html
    outbox = _rows(empty_archive, "index_outbox", ids)

    assert _batch(curator, page, "submit") == ["已提交审核 2 条"]
    assert _statuses(empty_archive, ids) == ["review", "review"]
    submitted_by = {
        r[0]
        for r in empty_archive.db().execute(
            f"SELECT submitted_by FROM honorees WHERE id IN ({ids[0]}, {ids[1]})"
        )
    }
    assert submitted_by == {curator.user_id}
    assert _public(app, ids) == [404, 404]
    assert _rows(empty_archive, "revisions", ids, "action = 'submit'") == 2
    assert _rows(empty_archive, "audit_log", ids, "action = 'submit'") == 2
    assert _rows(empty_archive, "index_outbox", ids) == outbox + 2

    # the one who submitted cannot approve: nothing offered, and a forged post is refused
    assert "发布本批记录" not in curator.get(page).get_data(as_text=True)
    assert _batch(curator, page, "publish") == ["2 条需要另一位审核人批准，未发布"]
    assert _public(app, ids) == [404, 404]

    assert "发布本批记录（2 条）" in second_curator.get(page).get_data(as_text=True)
    assert _batch(second_curator, page, "publish") == ["已发布 2 条"]
    assert _public(app, ids) == [200, 200]
    assert (
        _rows(
            empty_archive,
            "revisions",
            ids,
            "action = 'publish' AND user_id = ?",
            [second_curator.user_id],
        )
        == 2
    )
    assert _rows(empty_archive, "index_outbox", ids) == outbox + 4
    assert _statuses(empty_archive, [other_draft]) == ["draft"]  # not in the import
    assert "发布本批记录" not in second_curator.get(page).get_data(as_text=True)


def test_records_imported_straight_into_review_need_someone_else_to_publish(
    app, curator, second_curator, empty_archive
):
    page, ids = _import(app, curator, empty_archive, status="review")
    assert _statuses(empty_archive, ids) == ["review", "review"]
    html = curator.get(page).get_data(as_text=True)
    assert "发布本批记录" not in html
    assert _batch(curator, page, "publish") == ["2 条需要另一位审核人批准，未发布"]
    assert _public(app, ids) == [404, 404]
    assert _batch(second_curator, page, "publish") == ["已发布 2 条"]
    assert _public(app, ids) == [200, 200]


def test_an_admins_batch_publishes_at_once(app, empty_archive):
    admin = _client(app, "admin1", "admin", empty_archive)
    page, ids = _import(app, admin, empty_archive)
    html = admin.get(page).get_data(as_text=True)
    assert "发布本批记录（2 条）" in html and "提交本批审核" not in html
    assert _batch(admin, page, "publish") == ["已发布 2 条"]
    assert _public(app, ids) == [200, 200]
    assert _rows(empty_archive, "revisions", ids, "action = 'publish'") == 2
    assert _rows(empty_archive, "audit_log", ids, "action = 'publish'") == 2


def test_a_one_person_office_publishes_its_batch_at_once(empty_archive):
    app = empty_archive.app(SECOND_APPROVER=0)
    alone = _client(app, "alone", "curator", empty_archive)
    page, ids = _import(app, alone, empty_archive)
    assert "发布本批记录（2 条）" in alone.get(page).get_data(as_text=True)
    assert _batch(alone, page, "publish") == ["已发布 2 条"]
    assert _public(app, ids) == [200, 200]


def test_a_dry_run_has_no_batch_to_act_on(app, curator, empty_archive):
    dry = job_path(upload(curator, csv_file(*ROWS)))
    run_worker(app, empty_archive)
    assert "本批" not in curator.get(dry).get_data(as_text=True)
    refused = post(curator, f"{dry}/batch", {"action": "publish"}, page=dry)
    assert refused.status_code == 400
    assert "这个任务没有导入任何记录" in refused.get_data(as_text=True)


# --- the list ----------------------------------------------------------------------


def _list_action(client, action: str, ids, **extra):
    data = {"action": action, "ids": [str(i) for i in ids], **extra}
    response = post(client, "/curate/honorees/batch", data)
    assert response.status_code == 303
    return response.headers["Location"], FLASH.findall(
        client.get(response.headers["Location"]).get_data(as_text=True)
    )


def test_the_list_has_boxes_a_select_all_and_the_three_actions(curator, make_honoree):
    ids = [make_honoree(name=f"列表{n}") for n in range(3)]
    html = curator.get("/curate/").get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="/curate/honorees/batch".*?</form>', html, re.S
    ).group(0)
    assert 'name="csrf_token"' in form and "data-select-all" in form and "全选本页" in form
    for honoree_id in ids:
        assert f'name="ids" value="{honoree_id}"' in form
    for action, label in (("publish", "发布"), ("withdraw", "撤回"), ("submit", "提交审核")):
        assert f'name="action" value="{action}">{label}</button>' in form
    assert "curate.js" in html


def test_withdrawing_from_the_list_takes_profiles_down(app, curator, make_honoree, empty_archive):
    up = [make_honoree(name=f"在线{n}") for n in range(3)]
    draft = make_honoree(name="草稿", status="draft")
    assert _public(app, up) == [200, 200, 200]
    outbox = _rows(empty_archive, "index_outbox", up)
    where, said = _list_action(curator, "withdraw", [*up[:2], draft], q="在", status="")
    assert said == ["已撤回 2 条；1 条当前状态下不能撤回，未处理"]
    assert where == "/curate/?q=%E5%9C%A8"  # back to the same filtered list
    assert _public(app, up) == [404, 404, 200]
    assert _statuses(empty_archive, [draft]) == ["draft"]
    assert _rows(empty_archive, "revisions", up[:2], "action = 'withdraw'") == 2
    assert _rows(empty_archive, "audit_log", up[:2], "action = 'withdraw'") == 2
    assert _rows(empty_archive, "index_outbox", up) == outbox + 2


def test_publishing_from_the_list_follows_the_second_approver_rule(
    app, curator, second_curator, make_honoree
):
    drafts = [make_honoree(name=f"待发{n}", status="draft") for n in range(3)]
    _, said = _list_action(curator, "publish", drafts)
    assert said == ["3 条尚未提交审核，未发布"]
    _, said = _list_action(curator, "submit", drafts[:2])
    assert said == ["已提交审核 2 条"]
    _, said = _list_action(curator, "publish", drafts)
    assert said == ["2 条需要另一位审核人批准，未发布；1 条尚未提交审核，未发布"]
    assert _public(app, drafts) == [404, 404, 404]
    _, said = _list_action(second_curator, "publish", drafts)
    assert said == ["已发布 2 条；1 条尚未提交审核，未发布"]
    assert _public(app, drafts) == [200, 200, 404]


def test_select_all_works_without_scripts(app, empty_archive, make_honoree):
    app = empty_archive.app(SECOND_APPROVER=0)
    alone = _client(app, "alone", "curator", empty_archive)
    drafts = [make_honoree(name=f"全选{n}", status="draft") for n in range(2)]
    # "select all" ticked, the boxes left as they were: every record the page listed
    _, said = _list_action(alone, "publish", [], all="1", all_ids=[str(i) for i in drafts])
    assert said == ["已发布 2 条"]
    assert _public(app, drafts) == [200, 200]
    _, said = _list_action(alone, "withdraw", [])
    assert said == ["请先勾选要处理的记录"]
    _, said = _list_action(alone, "delete", drafts)
    assert said == ["请选择要执行的操作"]
    assert _public(app, drafts) == [200, 200]


def test_printers_and_strangers_cannot_act_on_many(app, empty_archive, make_honoree):
    honoree_id = make_honoree(name="保持原样")
    printer = _client(app, "printer1", "printer", empty_archive)
    response = post(
        printer,
        "/curate/honorees/batch",
        {"action": "withdraw", "ids": [str(honoree_id)]},
        page="/curate/password",
    )
    assert response.status_code == 403
    stranger = _client(app)
    assert (
        post(
            stranger,
            "/curate/honorees/batch",
            {"action": "withdraw", "ids": [str(honoree_id)]},
            page="/curate/login",
        ).status_code
        == 401
    )
    assert _public(app, [honoree_id]) == [200]


def test_many_changes_are_one_transaction(empty_archive, make_honoree, monkeypatch):
    """A fault part-way leaves every record as it was."""
    ids = [make_honoree(name=f"事务{n}") for n in range(3)]
    db = empty_archive.db()
    admin = {"id": make_user(empty_archive, "admin1", "admin"), "role": "admin"}
    calls = []
    real = editing.audit.record

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(editing.audit, "record", failing)
    with pytest.raises(RuntimeError):
        editing.change_status_many(db, ids, "withdraw", admin, second_approver=True)
    assert _statuses(empty_archive, ids) == ["published"] * 3
    assert _rows(empty_archive, "revisions", ids, "action = 'withdraw'") == 0


def test_an_admin_publishes_drafts_from_the_list_directly(app, empty_archive, make_honoree):
    admin = _client(app, "admin1", "admin", empty_archive)
    drafts = [make_honoree(name=f"管理员发{n}", status="draft") for n in range(2)]
    assert "直接发布" in admin.get(f"/curate/honorees/{drafts[0]}").get_data(as_text=True)
    _, said = _list_action(admin, "publish", drafts)
    assert said == ["已发布 2 条"]
    assert _public(app, drafts) == [200, 200]
