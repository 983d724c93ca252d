"""Editing in the back office: conflicts keep the curator's text, review needs a
second person, soft delete, merge keeps both printed codes, single honours revoked,
collective members, exhibitions with ordering, stories that stay inert."""

from __future__ import annotations

import re

import pytest

from archive import search
from archive.catalogue import exhibitions
from archive.db import write
from tests.conftest import ClosingClient
from tests.curating import login, make_user, post


def edit_form(client, honoree_id: int) -> dict:
    """The edit form's fields as the browser would send them."""
    html = client.get(f"/curate/honorees/{honoree_id}").get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="/curate/honorees/\d+" class="stack" '
        r'id="record">(.*?)</form>',
        html,
        re.S,
    ).group(1)
    fields = dict(re.findall(r'<input(?: type="hidden")? name="(\w+)"[^>]*? value="([^"]*)"', form))
    fields.update(re.findall(r'<textarea name="(\w+)"[^>]*>(.*?)</textarea>', form, re.S))
    for name, options in re.findall(r'<select name="(\w+)">(.*?)</select>', form, re.S):
        chosen = re.search(r'<option(?: value="([^"]*)")? selected>([^<]*)</option>', options)
        if chosen:  # a browser sends the selected option's value, else its text
            fields[name] = chosen.group(1) if chosen.group(1) is not None else chosen.group(2)
    import html as html_module

    return {k: html_module.unescape(v) for k, v in fields.items()}


def test_creating_and_editing_a_record(curator, empty_archive):
    response = post(
        curator,
        "/curate/honorees/new",
        {"kind": "individual", "name": "  刘工匠 ", "unit": "第一机床厂"},
        page="/curate/honorees/new",
    )
    assert response.status_code == 302
    honoree_id = int(response.headers["Location"].rsplit("/", 1)[1])
    form = edit_form(curator, honoree_id)
    assert form["name"] == "刘工匠" and form["version"] == "1"
    form.update(story="第一段。\n\n第二段，**加粗**。", birth_year="1968")
    assert post(curator, f"/curate/honorees/{honoree_id}", form).status_code == 302
    row = empty_archive.db().execute("SELECT * FROM honorees WHERE id = ?", [honoree_id]).fetchone()
    assert row["birth_year"] == 1968 and row["version"] == 2 and row["status"] == "draft"
    assert row["name_pinyin"].startswith("liu")
    outbox = (
        empty_archive.db()
        .execute("SELECT count(*) FROM index_outbox WHERE honoree_id = ?", [honoree_id])
        .fetchone()[0]
    )
    assert outbox == 2  # created, edited: the index follows every change
    bad = dict(form, version="2", birth_year="十九")
    response = post(curator, f"/curate/honorees/{honoree_id}", bad)
    assert response.status_code == 400 and "出生年份必须是数字" in response.get_data(as_text=True)
    assert "第二段" in response.get_data(as_text=True)  # the text is still in the form


def test_preview_renders_the_story_without_saving(curator, make_honoree, empty_archive):
    honoree_id = make_honoree(status="draft")
    form = edit_form(curator, honoree_id)
    form.update(story="**新的正文**", action="preview")
    response = post(curator, f"/curate/honorees/{honoree_id}", form)
    assert response.status_code == 200
    assert "<strong>新的正文</strong>" in response.get_data(as_text=True)
    assert (
        empty_archive.db()
        .execute("SELECT story FROM honorees WHERE id = ?", [honoree_id])
        .fetchone()[0]
        == "测试事迹。"
    )


def test_two_curators_editing_one_record_the_second_keeps_their_text(
    curator, second_curator, make_honoree, empty_archive
):
    honoree_id = make_honoree(status="draft")
    first, second = edit_form(curator, honoree_id), edit_form(second_curator, honoree_id)
    first["story"] = "甲写的正文。"
    assert post(curator, f"/curate/honorees/{honoree_id}", first).status_code == 302
    mine = "乙花了一个小时写的正文，\n一个字都不能丢。"
    second["story"] = mine
    second["unit"] = "乙改的单位"
    response = post(second_curator, f"/curate/honorees/{honoree_id}", second)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "已被他人修改" in page
    assert mine in page and "甲写的正文。" in page and "乙改的单位" in page
    row = (
        empty_archive.db()
        .execute("SELECT story, version FROM honorees WHERE id = ?", [honoree_id])
        .fetchone()
    )
    assert row["story"] == "甲写的正文。"  # nothing overwritten silently
    # the conflict page's form is based on the newest version: saving it keeps 乙's text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert version == str(row["version"])
    response = post(second_curator, f"/curate/honorees/{honoree_id}", dict(second, version=version))
    assert response.status_code == 302
    assert (
        empty_archive.db()
        .execute("SELECT story FROM honorees WHERE id = ?", [honoree_id])
        .fetchone()[0]
        == mine
    )


def _status(client, honoree_id, action):
    return post(client, f"/curate/honorees/{honoree_id}/status", {"action": action})


def test_review_needs_a_second_person(curator, second_curator, make_honoree, empty_archive, client):
    honoree_id = make_honoree(status="draft", name="审核测试")
    assert client.get(f"/honorees/{honoree_id}").status_code == 404
    assert _status(curator, honoree_id, "publish").status_code == 400  # not submitted
    assert _status(curator, honoree_id, "submit").status_code == 302
    refused = _status(curator, honoree_id, "publish")
    assert refused.status_code == 400
    assert "另一位策展人或管理员" in refused.get_data(as_text=True)
    assert _status(second_curator, honoree_id, "publish").status_code == 302
    assert client.get(f"/honorees/{honoree_id}").status_code == 200
    assert _status(curator, honoree_id, "withdraw").status_code == 302
    assert client.get(f"/honorees/{honoree_id}").status_code == 404
    actions = [
        r[0]
        for r in empty_archive.db().execute(
            "SELECT action FROM audit_log WHERE record_id = ? AND record_type = 'honoree' "
            "ORDER BY id",
            [honoree_id],
        )
    ]
    assert actions == ["submit", "publish", "withdraw"]


def test_one_person_offices_can_switch_the_second_approval_off(empty_archive, make_honoree, client):
    app = empty_archive.app(SECOND_APPROVER=0)
    app.test_client_class = ClosingClient
    alone = app.test_client()
    make_user(empty_archive, "alone")
    login(alone, "alone")
    honoree_id = make_honoree(status="draft")
    assert _status(alone, honoree_id, "publish").status_code == 302
    assert client.get(f"/honorees/{honoree_id}").status_code == 200


def test_soft_delete_and_restore(curator, make_honoree, client, empty_archive):
    honoree_id = make_honoree(name="删除测试")
    # one click deletes nothing: the confirmation names the record first
    unconfirmed = post(curator, f"/curate/honorees/{honoree_id}/delete")
    assert (
        unconfirmed.status_code == 303 and client.get(f"/honorees/{honoree_id}").status_code == 200
    )
    page = curator.get(f"/curate/honorees/{honoree_id}/delete").get_data(as_text=True)
    assert "确认删除“删除测试”" in page and "恢复" in page
    assert (
        post(
            curator,
            f"/curate/honorees/{honoree_id}/delete",
            {"confirm": "删除测试"},
            page=f"/curate/honorees/{honoree_id}/delete",
        ).status_code
        == 302
    )
    assert client.get(f"/honorees/{honoree_id}").status_code == 404
    history = curator.get(f"/curate/honorees/{honoree_id}/history").get_data(as_text=True)
    assert "恢复这条记录" in history  # reversible from its history
    listed = curator.get("/curate/?deleted=1").get_data(as_text=True)
    assert "删除测试" in listed
    assert post(curator, f"/curate/honorees/{honoree_id}/undelete").status_code == 302
    assert client.get(f"/honorees/{honoree_id}").status_code == 200
    assert {"delete", "restore_deleted"} <= {
        r[0] for r in empty_archive.db().execute("SELECT action FROM audit_log")
    }


def test_revoking_one_honour_keeps_the_others(app, curator, make_honoree, client, empty_archive):
    app.config["SECOND_APPROVER"] = 0  # applied at once (review: test_review_changes.py)
    honoree_id = make_honoree(
        honours=[
            {"title": "全国劳动模范", "year": 2015, "body": "国务院"},
            {"title": "省劳动模范", "year": 2010, "body": "省政府"},
        ]
    )
    national = (
        empty_archive.db()
        .execute("SELECT id FROM honours WHERE honoree_id = ? AND year = 2015", [honoree_id])
        .fetchone()[0]
    )
    response = post(
        curator, f"/curate/honorees/{honoree_id}/honours/{national}", {"action": "revoke"}
    )
    assert response.status_code == 302
    page = client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert "省劳动模范" in page and "全国劳动模范" not in page
    assert (
        post(
            curator,
            f"/curate/honorees/{honoree_id}/honours",
            {"title": "全国五一劳动奖章", "year": "2019", "body": "全国总工会"},
        ).status_code
        == 302
    )
    assert "全国五一劳动奖章" in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)


def test_members_of_a_collective(app, curator, make_honoree, client):
    app.config["SECOND_APPROVER"] = 0  # applied at once (review: test_review_changes.py)
    team = make_honoree(name="先锋班组", kind="collective", collective_type="team")
    member = make_honoree(name="班组成员甲", unit="另一个单位")
    assert (
        post(curator, f"/curate/honorees/{team}/members", {"member_id": str(member)}).status_code
        == 302
    )
    assert "班组成员甲" in client.get(f"/honorees/{team}").get_data(as_text=True)
    refused = post(curator, f"/curate/honorees/{member}/members", {"member_id": str(team)})
    assert refused.status_code == 400 and "只有集体" in refused.get_data(as_text=True)
    assert post(curator, f"/curate/honorees/{team}/members/{member}/delete").status_code == 302
    assert "班组成员甲" not in client.get(f"/honorees/{team}").get_data(as_text=True)


def test_merging_two_records_keeps_both_printed_codes(curator, make_honoree, client, empty_archive):
    keep = make_honoree(name="陈师傅", honours=[{"title": "省劳动模范", "year": 2012}])
    drop = make_honoree(
        name="陈师傅",
        unit=None,
        quote="干一行爱一行",
        honours=[{"title": "全国劳动模范", "year": 2020}],
    )
    db = empty_archive.db()
    codes = {
        i: db.execute("SELECT code FROM honorees WHERE id = ?", [i]).fetchone()[0]
        for i in (keep, drop)
    }
    assert (
        post(
            curator,
            f"/curate/honorees/{keep}/merge",
            {"other_id": str(drop)},
            page=f"/curate/honorees/{keep}/merge",
        ).status_code
        == 302
    )
    for code in codes.values():
        response = client.get(f"/q/{code}")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/honorees/{keep}"
    page = client.get(f"/honorees/{keep}").get_data(as_text=True)
    assert "全国劳动模范" in page and "省劳动模范" in page and "干一行爱一行" in page
    assert client.get(f"/qr/{codes[drop]}.png").status_code == 200
    moved = client.get(f"/honorees/{drop}")
    assert moved.status_code == 301 and moved.headers["Location"] == f"/honorees/{keep}"
    assert db.execute("SELECT action FROM audit_log WHERE action = 'merge'").fetchone()


def test_exhibitions_and_sections_with_ordering(curator, make_honoree, client, empty_archive):
    a, b = make_honoree(name="甲"), make_honoree(name="乙")
    response = post(
        curator,
        "/curate/exhibitions/new",
        {"title": "县区展厅", "intro": "按县区分单元", "status": "published"},
        page="/curate/exhibitions/new",
    )
    hall = int(response.headers["Location"].rsplit("/", 1)[1])
    page = f"/curate/exhibitions/{hall}"
    for title in ("东城区", "西城区"):
        assert post(curator, f"{page}/sections", {"title": title}, page=page).status_code == 302
    sections = exhibitions.for_editing(empty_archive.db(), hall)["sections"]
    east, west = sections[0]["id"], sections[1]["id"]
    for honoree in (a, b):
        post(
            curator,
            f"{page}/sections/{east}",
            {"action": "add_item", "honoree_id": str(honoree)},
            page=page,
        )
    post(curator, f"{page}/sections/{east}", {"action": "item_up", "honoree_id": str(b)}, page=page)
    post(curator, f"{page}/sections/{west}", {"action": "up"}, page=page)
    public = client.get(f"/exhibitions/{hall}").get_data(as_text=True)
    assert public.index("西城区") < public.index("东城区")
    assert public.index("乙") < public.index("甲")
    assert "县区展厅" in client.get(f"/honorees/{a}").get_data(as_text=True)


XSS_STORY = """正文开头。

<script>alert('story')</script>

<img src=x onerror="alert('img')">

[点我](javascript:alert('link')) 和 [另一个](JaVaScRiPt:alert(1))

<svg><script>alert('svg')</script></svg>

<a href="javascript:alert(2)" onclick="alert(3)">链接</a>
"""


def assert_inert(html: str) -> None:
    # the site's own emblem is inline SVG in the header and footer; the story's is not
    lowered = re.sub(r'<svg class="emblem".*?</svg>', "", html.lower(), flags=re.S)
    assert "<script>alert" not in lowered
    assert not re.search(r"<[^>]+\son\w+\s*=", lowered), "an event handler survived"
    assert not re.search(r"<a\s[^>]*href\s*=\s*[\"']?\s*javascript:", lowered)
    assert "<svg" not in lowered


def test_a_hostile_story_is_inert_on_every_page(curator, make_honoree, client, empty_archive):
    honoree_id = make_honoree(
        name="安全测试", story=XSS_STORY, summary="<script>alert('summary')</script>"
    )
    db = empty_archive.db()
    search.rebuild(db, empty_archive.config["INDEX_DIR"])
    code = db.execute("SELECT code FROM honorees WHERE id = ?", [honoree_id]).fetchone()[0]
    pages = [
        f"/honorees/{honoree_id}",
        "/",
        "/honorees",
        "/search?q=安全测试",
        f"/api/v1/honorees/{honoree_id}",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        if path.startswith("/api/"):
            continue  # JSON: the story is data there, never markup
        assert_inert(response.get_data(as_text=True))
    assert "正文开头" in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert "安全测试" in client.get("/search?q=安全测试").get_data(as_text=True)
    assert client.get(f"/q/{code}").status_code == 302
    back_office = [f"/curate/honorees/{honoree_id}", f"/curate/honorees/{honoree_id}/history"]
    revision = db.execute("SELECT max(id) FROM revisions").fetchone()[0]
    back_office.append(f"/curate/honorees/{honoree_id}/revisions/{revision}")
    for path in back_office:
        assert_inert(curator.get(path).get_data(as_text=True))
    form = edit_form(curator, honoree_id)
    preview = post(curator, f"/curate/honorees/{honoree_id}", dict(form, action="preview"))
    assert_inert(preview.get_data(as_text=True))
    assert "正文开头" in preview.get_data(as_text=True)


@pytest.fixture
def published(make_honoree):
    return make_honoree(name="已发布人物")


def test_the_search_index_follows_back_office_changes(
    curator, second_curator, published, empty_archive, client
):
    """Changes reach the outbox in the same transaction; the worker (here: a rebuild,
    as the outbox drain lives on another branch) brings search up to date."""
    db = empty_archive.db()
    with write(db):
        db.execute("DELETE FROM index_outbox")
    form = edit_form(curator, published)
    form["name"] = "改名以后"
    post(curator, f"/curate/honorees/{published}", form)
    # a published record: the edit goes live once a second curator approves it
    post(
        second_curator,
        f"/curate/honorees/{published}/pending",
        {"action": "approve"},
        page=f"/curate/honorees/{published}",
    )
    assert (
        db.execute(
            "SELECT count(*) FROM index_outbox WHERE honoree_id = ?", [published]
        ).fetchone()[0]
        == 1
    )
    search.rebuild(db, empty_archive.config["INDEX_DIR"])
    assert "改名以后" in client.get("/search?q=改名以后").get_data(as_text=True)


def test_editing_one_honour(app, curator, make_honoree, client, empty_archive):
    app.config["SECOND_APPROVER"] = 0  # applied at once (review: test_review_changes.py)
    honoree_id = make_honoree(honours=[{"title": "省劳动模范", "year": 2010}])
    honour = (
        empty_archive.db()
        .execute("SELECT id FROM honours WHERE honoree_id = ?", [honoree_id])
        .fetchone()[0]
    )
    page = curator.get(f"/curate/honorees/{honoree_id}").get_data(as_text=True)
    assert "保存这项荣誉" in page
    response = post(
        curator,
        f"/curate/honorees/{honoree_id}/honours/{honour}",
        {
            "action": "save",
            "title": "省劳动模范",
            "level": "provincial",
            "year": "2011",
            "body": "省人民政府",
            "document_no": "省政发〔2011〕8号",
        },
    )
    assert response.status_code == 302
    profile = client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert "2011" in profile and "省人民政府" in profile
    bad = post(
        curator,
        f"/curate/honorees/{honoree_id}/honours/{honour}",
        {"action": "save", "title": "不存在的称号", "year": "2011"},
    )
    assert bad.status_code == 400 and "不在称号表中" in bad.get_data(as_text=True)


def test_a_save_after_the_session_lapsed_shows_the_text_back(curator, make_honoree, monkeypatch):
    import time

    honoree_id = make_honoree(status="draft")
    form = edit_form(curator, honoree_id)
    form["story"] = "午饭前写好的正文，登录过期了也不能丢。"
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 2 * 3600)
    response = curator.post(f"/curate/honorees/{honoree_id}", data=form)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "登录已失效" in page and form["story"] in page


def test_exhibition_history_shows_each_change_field_by_field(
    curator, make_honoree, client, empty_archive
):
    person = make_honoree(name="历史人物")
    response = post(
        curator,
        "/curate/exhibitions/new",
        {"title": "初版展厅", "intro": "介绍", "status": "published"},
        page="/curate/exhibitions/new",
    )
    hall = int(response.headers["Location"].rsplit("/", 1)[1])
    page = f"/curate/exhibitions/{hall}"
    assert "初版展厅" in client.get(f"/exhibitions/{hall}").get_data(as_text=True)
    post(curator, page, {"title": "改名展厅", "intro": "介绍", "status": "published"}, page=page)
    post(curator, f"{page}/sections", {"title": "第一单元"}, page=page)
    section = exhibitions.for_editing(empty_archive.db(), hall)["sections"][0]
    post(
        curator,
        f"{page}/sections/{section['id']}",
        {"action": "add_item", "honoree_id": str(person)},
        page=page,
    )
    history = curator.get(f"{page}/history").get_data(as_text=True)
    assert history.count('<section class="revision">') >= 4
    assert "初版展厅" in history and "改名展厅" in history
    assert "第一单元：历史人物" in history
    # the public hall page follows the rename at once (the page cache is told)
    public = client.get(f"/exhibitions/{hall}").get_data(as_text=True)
    assert "改名展厅" in public and "初版展厅" not in public


def test_the_conflict_page_compares_text_as_curators_see_it(curator, second_curator, make_honoree):
    """Windows line endings and trailing spaces from the browser are no change; only
    what really differs is marked."""
    honoree_id = make_honoree(status="draft", story="第一段。\n第二段。")
    first, second = edit_form(curator, honoree_id), edit_form(second_curator, honoree_id)
    first["unit"] = "甲改的单位"
    assert post(curator, f"/curate/honorees/{honoree_id}", first).status_code == 302
    second["story"] = "第一段。  \r\n第二段。\r\n"
    response = post(second_curator, f"/curate/honorees/{honoree_id}", second)
    assert response.status_code == 409
    rows = re.findall(r"<tr><th>(.*?)</th><td", response.get_data(as_text=True))
    assert rows == ["工作单位"]  # the unit differs; the story only in its line endings


def test_the_back_office_shows_beijing_time_in_chinese(curator, make_honoree, empty_archive):
    honoree_id = make_honoree(status="draft")
    empty_archive.db().execute(
        "UPDATE honorees SET updated_at = '2026-12-04T06:05:00Z' WHERE id = ?", [honoree_id]
    )
    page = curator.get("/curate/").get_data(as_text=True)
    assert "2026年12月4日 14:05" in page and "2026-12-04T06:05:00Z" not in page
    history = curator.get(f"/curate/honorees/{honoree_id}").get_data(as_text=True)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", history)
    assert ">创建</a>" in history  # revision actions in Chinese, not codes


def test_gender_and_ethnicity_are_choices_and_industry_offers_the_national_list(
    curator, make_honoree, empty_archive
):
    honoree_id = make_honoree(status="draft", gender="女", ethnicity="黎族")
    page = curator.get(f"/curate/honorees/{honoree_id}").get_data(as_text=True)
    assert '<select name="gender">' in page and "<option selected>女</option>" in page
    assert page.count("族</option>") >= 56 and "<option selected>黎族</option>" in page
    assert '<option value="制造业">' in page  # GB/T 4754 sections
    form = edit_form(curator, honoree_id)
    assert (form["gender"], form["ethnicity"]) == ("女", "黎族")
    response = post(curator, f"/curate/honorees/{honoree_id}", dict(form, gender="未知"))
    assert response.status_code == 400 and "性别只能是" in response.get_data(as_text=True)


def test_records_are_picked_by_name_never_by_number(curator, make_honoree, empty_archive):
    team = make_honoree(name="带电作业班", kind="collective", status="draft")
    wang = make_honoree(name="王伟", unit="海口供电局", status="draft")
    make_honoree(name="王伟", unit="三亚人民医院", status="draft")
    li = make_honoree(name="李红梅", unit="海口供电局", status="draft")
    page = curator.get(f"/curate/honorees/{team}").get_data(as_text=True)
    assert 'name="member"' in page and "data-picker" in page and "记录编号" not in page
    found = curator.get("/curate/pick/honorees", query_string={"q": "wangwei"}).get_json()
    labels = [f["label"] for f in found]
    assert f"王伟 · 海口供电局 · 编号 {wang}" in labels and len(labels) == 2
    # the option a curator chose, then a name only one record has
    for value in (labels[labels.index(f"王伟 · 海口供电局 · 编号 {wang}")], "李红梅"):
        assert (
            post(
                curator,
                f"/curate/honorees/{team}/members",
                {"member": value},
                page=f"/curate/honorees/{team}",
            ).status_code
            == 302
        )
    members = {
        r[0]
        for r in empty_archive.db().execute(
            "SELECT member_id FROM members WHERE collective_id = ?", [team]
        )
    }
    assert members == {wang, li}
    # two records share the name: the curator is asked to choose, shown both
    refused = post(
        curator,
        f"/curate/honorees/{team}/members",
        {"member": "王伟"},
        page=f"/curate/honorees/{team}",
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "海口供电局" in text and "三亚人民医院" in text


def test_an_edit_to_a_published_record_waits_for_a_second_person(
    curator, second_curator, make_honoree, empty_archive, client, app
):
    """SECOND_APPROVER=1: the public page keeps the published version until another
    curator approves the edit; the review shows exactly what would change."""
    app.config["SECOND_APPROVER"] = 1
    honoree_id = make_honoree(name="审核修改", unit="原单位")
    form = edit_form(curator, honoree_id)
    form["unit"] = "新单位"
    assert post(curator, f"/curate/honorees/{honoree_id}", form).status_code == 302
    assert "原单位" in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert "新单位" not in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    mine = curator.get(f"/curate/honorees/{honoree_id}").get_data(as_text=True)
    assert "待审核的修改" in mine and "需由另一位策展人或管理员批准" in mine
    assert 'value="新单位"' in mine  # the curator goes on from the pending version
    refused = post(
        curator,
        f"/curate/honorees/{honoree_id}/pending",
        {"action": "approve"},
        page=f"/curate/honorees/{honoree_id}",
    )
    assert refused.status_code == 400
    review = second_curator.get(f"/curate/honorees/{honoree_id}").get_data(as_text=True)
    assert re.search(r"<th>工作单位</th><td>原单位</td><td>新单位</td>", review)
    assert (
        post(
            second_curator,
            f"/curate/honorees/{honoree_id}/pending",
            {"action": "approve"},
            page=f"/curate/honorees/{honoree_id}",
        ).status_code
        == 302
    )
    assert "新单位" in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    db = empty_archive.db()
    assert db.execute("SELECT count(*) FROM pending_edits").fetchone()[0] == 0
    assert (
        db.execute(
            "SELECT action FROM revisions WHERE record_id = ? ORDER BY id DESC", [honoree_id]
        ).fetchone()[0]
        == "edit-approved"
    )


def test_a_rejected_edit_leaves_the_published_record_as_it_was(
    curator, second_curator, make_honoree, empty_archive, client, app
):
    app.config["SECOND_APPROVER"] = 1
    honoree_id = make_honoree(name="退回修改", unit="原单位")
    form = edit_form(curator, honoree_id)
    form["unit"] = "错误的单位"
    post(curator, f"/curate/honorees/{honoree_id}", form)
    assert (
        post(
            second_curator,
            f"/curate/honorees/{honoree_id}/pending",
            {"action": "reject"},
            page=f"/curate/honorees/{honoree_id}",
        ).status_code
        == 302
    )
    assert "原单位" in client.get(f"/honorees/{honoree_id}").get_data(as_text=True)
    assert empty_archive.db().execute(
        "SELECT unit, version FROM honorees WHERE id = ?", [honoree_id]
    ).fetchone()[:] == ("原单位", 1)
