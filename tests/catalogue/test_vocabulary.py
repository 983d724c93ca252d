"""The title vocabulary curators own (archive.catalogue.vocabulary): adding, re-levelling,
renaming and merging titles on a real SQLite archive, through the services, the back
office (/curate/titles) and the `titles` commands."""

from __future__ import annotations

import json

import pytest

from archive.catalogue import vocabulary
from archive.catalogue.vocabulary import VocabularyError
from archive.curation import revisions
from tests.curating import login, make_user, post


@pytest.fixture(autouse=True)
def _one_person_office(request):
    """These tests are about the change itself, so it applies at once
    (SECOND_APPROVER=0); review is tested in test_review_changes.py."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["SECOND_APPROVER"] = 0


def _honours(db, honoree_id: int) -> list[dict]:
    return [
        dict(r)
        for r in db.execute(
            "SELECT * FROM honours WHERE honoree_id = ? ORDER BY year, id", [honoree_id]
        )
    ]


def _aliases(db) -> dict[str, str]:
    return {r[0]: r[1] for r in db.execute("SELECT alias, title FROM title_aliases")}


def _outbox(db, honoree_id: int) -> int:
    return db.execute(
        "SELECT count(*) FROM index_outbox WHERE honoree_id = ?", [honoree_id]
    ).fetchone()[0]


def _revisions(db, honoree_id: int) -> list[str]:
    return [
        r[0]
        for r in db.execute(
            "SELECT action FROM revisions WHERE record_type = 'honoree' AND record_id = ? "
            "ORDER BY id",
            [honoree_id],
        )
    ]


# --- services -------------------------------------------------------------------------


def test_titles_lists_every_title_in_order_with_aliases_and_counts(empty_archive, make_honoree):
    make_honoree()
    make_honoree(name="第二人")
    listed = vocabulary.titles(empty_archive.db())
    assert [t["title"] for t in listed] == [t[0] for t in vocabulary.TITLES]
    first = listed[0]
    assert first["title"] == "全国劳动模范"
    assert (first["level"], first["conferred_on"]) == ("national", "individual")
    assert first["aliases"] == ["全国劳模"]
    assert first["honours"] == 2
    assert listed[1]["honours"] == 0


def test_adding_a_title_needs_no_code(empty_archive, make_honoree):
    db = empty_archive.db()
    name = vocabulary.add_title(db, " 浙江工匠 ", "provincial", "individual")
    assert name == "浙江工匠"
    listed = vocabulary.titles(db)
    assert listed[-1]["title"] == "浙江工匠"  # last, without a position
    assert listed[-1]["position"] == max(t["position"] for t in listed)
    # an honour can now carry it, with the title's level as its default
    honoree = make_honoree(honours=[{"title": "浙江工匠", "year": 2023}])
    assert _honours(db, honoree)[0]["level"] == "provincial"
    assert (
        db.execute("SELECT action, detail FROM audit_log WHERE action = 'title_add'")
        .fetchone()["detail"]
        .startswith("浙江工匠")
    )


def test_full_width_spellings_are_folded(empty_archive):
    db = empty_archive.db()
    assert vocabulary.add_title(db, "ＡＢＣ工匠", "industry", "individual") == "ABC工匠"
    assert vocabulary.resolve_title(db, "ＡＢＣ工匠") == "ABC工匠"


@pytest.mark.parametrize(
    "title, message",
    [
        ("全国劳动模范", "称号“全国劳动模范”已经在称号表中"),
        ("  全国劳动模范\u3000", "称号“全国劳动模范”已经在称号表中"),
        ("全国劳模", "“全国劳模”已是称号“全国劳动模范”的别名"),
        ("   ", "称号名称不能为空"),
        ("工" * 41, "称号名称不能超过 40 个字"),
    ],
)
def test_a_title_that_cannot_be_added_is_refused_in_chinese(empty_archive, title, message):
    db = empty_archive.db()
    before = vocabulary.titles(db)
    with pytest.raises(VocabularyError) as refused:
        vocabulary.add_title(db, title, "national", "individual")
    assert str(refused.value) == message
    assert vocabulary.titles(db) == before


def test_bad_level_kind_or_order_is_refused(empty_archive):
    db = empty_archive.db()
    with pytest.raises(VocabularyError, match="级别只能是全国、省级、市级、行业"):
        vocabulary.add_title(db, "新称号", "galactic", "individual")
    with pytest.raises(VocabularyError, match="授予对象只能是个人或集体"):
        vocabulary.add_title(db, "新称号", "national", "team")
    with pytest.raises(VocabularyError, match="排序必须是整数"):
        vocabulary.add_title(db, "新称号", "national", "individual", "第一")


def test_resolve_title_finds_titles_and_aliases(empty_archive):
    db = empty_archive.db()
    lookup = vocabulary.title_lookup(db)
    for source in (db, lookup):
        assert vocabulary.resolve_title(source, "全国劳动模范") == "全国劳动模范"
        assert vocabulary.resolve_title(source, " 全国劳模 ") == "全国劳动模范"
        assert vocabulary.resolve_title(source, "火星劳模") is None
        assert vocabulary.resolve_title(source, "") is None


def test_changing_a_level_moves_honours_at_the_old_level_only(empty_archive, make_honoree):
    db = empty_archive.db()
    at_default = make_honoree(honours=[{"title": "省工匠", "year": 2020}])
    own_level = make_honoree(
        name="另一人", honours=[{"title": "省工匠", "year": 2021, "level": "industry"}]
    )
    changed = vocabulary.update_title(
        db, "省工匠", level="national", conferred_on="individual", position=3
    )
    assert changed == 1
    assert _honours(db, at_default)[0]["level"] == "national"
    assert _honours(db, own_level)[0]["level"] == "industry"
    row = vocabulary.get_title(db, "省工匠")
    assert (row["level"], row["position"]) == ("national", 3)
    assert _revisions(db, at_default)[-1] == "title-level"
    assert _revisions(db, own_level) == ["create"]
    assert _outbox(db, at_default) == 2 and _outbox(db, own_level) == 1


def test_a_title_in_use_keeps_whom_it_is_conferred_on(empty_archive, make_honoree):
    db = empty_archive.db()
    make_honoree()
    with pytest.raises(VocabularyError, match="已有荣誉记录，不能改变授予对象"):
        vocabulary.update_title(
            db, "全国劳动模范", level="national", conferred_on="collective", position=None
        )
    vocabulary.update_title(
        db, "省工匠", level="provincial", conferred_on="collective", position=None
    )  # unused: allowed
    assert vocabulary.get_title(db, "省工匠")["conferred_on"] == "collective"


def test_rename_keeps_honours_written_spelling_alias_revisions_and_outbox(
    empty_archive, make_honoree
):
    db = empty_archive.db()
    user_id = make_user(empty_archive, "curator1")
    user = {"id": user_id, "username": "curator1"}
    plain = make_honoree(honours=[{"title": "省劳动模范", "year": 2019, "body": "省政府"}])
    written = make_honoree(name="乙", honours=[{"title": "省劳动模范", "year": 2015}])
    db.execute("UPDATE honours SET title_written = '省劳模' WHERE honoree_id = ?", [written])
    untouched = make_honoree(name="丙")
    outbox_before = _outbox(db, plain)

    result = vocabulary.rename_title(db, "省劳动模范", "浙江省劳动模范", user)

    assert result == {"title": "浙江省劳动模范", "honours": 2, "honorees": 2}
    honour = _honours(db, plain)[0]
    assert (honour["title"], honour["title_written"], honour["body"]) == (
        "浙江省劳动模范",
        "省劳动模范",
        "省政府",
    )
    assert _honours(db, written)[0]["title_written"] == "省劳模"  # what the office wrote
    assert vocabulary.get_title(db, "省劳动模范") is None
    renamed = vocabulary.get_title(db, "浙江省劳动模范")
    assert (renamed["level"], renamed["position"]) == ("provincial", 6)
    aliases = _aliases(db)
    assert aliases["省劳动模范"] == "浙江省劳动模范"
    assert aliases["省劳模"] == "浙江省劳动模范"  # the old title's aliases follow it
    assert vocabulary.resolve_title(db, "省劳动模范") == "浙江省劳动模范"
    for honoree in (plain, written):
        assert _revisions(db, honoree)[-1] == "title-rename"
        assert _outbox(db, honoree) == outbox_before + 1
    last = db.execute("SELECT user_id, snapshot FROM revisions ORDER BY id DESC").fetchone()
    assert last["user_id"] == user_id
    assert json.loads(last["snapshot"])["honours"][0]["title"] == "浙江省劳动模范"
    assert _revisions(db, untouched) == ["create"]
    assert (
        db.execute("SELECT detail FROM audit_log WHERE action = 'title_rename'")
        .fetchone()[0]
        .startswith("省劳动模范 → 浙江省劳动模范")
    )


def test_rename_to_its_own_alias_and_back(empty_archive, make_honoree):
    db = empty_archive.db()
    honoree = make_honoree()
    vocabulary.rename_title(db, "全国劳动模范", "全国劳模")
    assert _aliases(db)["全国劳动模范"] == "全国劳模"
    assert "全国劳模" not in _aliases(db)
    vocabulary.rename_title(db, "全国劳模", "全国劳动模范")
    honour = _honours(db, honoree)[0]
    assert (honour["title"], honour["title_written"]) == ("全国劳动模范", None)
    assert _aliases(db)["全国劳模"] == "全国劳动模范"


def test_rename_refuses_a_taken_name_and_changes_nothing(empty_archive, make_honoree):
    db = empty_archive.db()
    make_honoree()
    before = vocabulary.titles(db)
    with pytest.raises(VocabularyError, match="已经在称号表中"):
        vocabulary.rename_title(db, "全国劳动模范", "全国先进工作者")
    with pytest.raises(VocabularyError, match="是称号“省劳动模范”的别名"):
        vocabulary.rename_title(db, "全国劳动模范", "省劳模")
    with pytest.raises(VocabularyError, match="不在称号表中"):
        vocabulary.rename_title(db, "火星劳模", "金星劳模")
    assert vocabulary.titles(db) == before


def test_restoring_a_revision_from_before_a_rename_uses_the_new_title(empty_archive, make_honoree):
    db = empty_archive.db()
    honoree = make_honoree()
    first = db.execute("SELECT id FROM revisions WHERE record_id = ?", [honoree]).fetchone()[0]
    vocabulary.rename_title(db, "全国劳动模范", "全国劳动模范称号")
    revisions.restore(db, honoree, first, {"id": None, "username": "test"})
    honour = _honours(db, honoree)[0]
    assert (honour["title"], honour["title_written"]) == ("全国劳动模范称号", "全国劳动模范")


def test_merge_moves_honours_and_makes_an_alias(empty_archive, make_honoree):
    db = empty_archive.db()
    vocabulary.add_title(db, "省级劳动模范", "provincial", "individual")
    vocabulary.rename_title(db, "省级劳动模范", "省级劳模")  # an alias of the source
    moved = make_honoree(honours=[{"title": "省级劳模", "year": 2018}])
    other = make_honoree(name="乙", honours=[{"title": "省劳动模范", "year": 2010}])
    preview = vocabulary.merge_preview(db, "省级劳模", "省劳动模范")
    assert (preview["honours"], preview["honorees"], preview["duplicates"]) == (1, 1, 0)

    result = vocabulary.merge_titles(db, "省级劳模", "省劳动模范")

    assert result == {"honours": 1, "honorees": 1, "duplicates": 0}
    honour = _honours(db, moved)[0]
    assert (honour["title"], honour["title_written"]) == ("省劳动模范", "省级劳模")
    assert vocabulary.get_title(db, "省级劳模") is None
    aliases = _aliases(db)
    assert aliases["省级劳模"] == aliases["省级劳动模范"] == "省劳动模范"
    assert _revisions(db, moved)[-1] == "title-merge"
    assert _outbox(db, moved) == 2
    assert _revisions(db, other) == ["create"]
    assert db.execute("SELECT 1 FROM audit_log WHERE action = 'title_merge'").fetchone()


def test_merge_keeps_one_of_two_honours_for_the_same_year(empty_archive, make_honoree):
    db = empty_archive.db()
    vocabulary.add_title(db, "旧省劳模", "provincial", "individual")
    twice = make_honoree(
        honours=[
            {"title": "省劳动模范", "year": 2015},
            {"title": "旧省劳模", "year": 2015, "body": "省政府", "document_no": "浙政〔2015〕1号"},
            {"title": "旧省劳模", "year": 2016},
        ]
    )
    fuller_target = make_honoree(
        name="乙",
        honours=[
            {"title": "省劳动模范", "year": 2012, "body": "省政府", "citation": "事迹"},
            {"title": "旧省劳模", "year": 2012, "document_no": "浙政〔2012〕9号"},
        ],
    )
    assert vocabulary.merge_preview(db, "旧省劳模", "省劳动模范")["duplicates"] == 2

    result = vocabulary.merge_titles(db, "旧省劳模", "省劳动模范")

    assert result == {"honours": 3, "honorees": 2, "duplicates": 2}
    kept = _honours(db, twice)
    assert [(h["title"], h["year"]) for h in kept] == [("省劳动模范", 2015), ("省劳动模范", 2016)]
    assert (kept[0]["body"], kept[0]["document_no"], kept[0]["title_written"]) == (
        "省政府",
        "浙政〔2015〕1号",
        "旧省劳模",
    )  # the fuller one, from the source
    (only,) = _honours(db, fuller_target)
    assert (only["body"], only["citation"], only["document_no"], only["title_written"]) == (
        "省政府",
        "事迹",
        "浙政〔2012〕9号",
        None,
    )  # the target's, filled from the other
    detail = db.execute("SELECT detail FROM audit_log WHERE action = 'title_merge'").fetchone()[0]
    assert "重复而删去" in detail and "2012 年" in detail and "2015 年" in detail


def test_merge_refusals(empty_archive):
    db = empty_archive.db()
    with pytest.raises(VocabularyError, match="不能把称号与自己合并"):
        vocabulary.merge_titles(db, "省工匠", "省工匠")
    with pytest.raises(VocabularyError, match="授予个人的称号和授予集体的称号不能合并"):
        vocabulary.merge_titles(db, "省工匠", "省工人先锋号")
    with pytest.raises(VocabularyError, match="目标称号“火星劳模”不在称号表中"):
        vocabulary.merge_titles(db, "省工匠", "火星劳模")
    assert vocabulary.get_title(db, "省工匠")


def test_nfkc_folds_full_width_punctuation_as_the_importer_does(empty_archive):
    db = empty_archive.db()
    assert vocabulary.add_title(db, "劳动模范（旧）", "industry", "individual") == "劳动模范(旧)"
    assert vocabulary.resolve_title(db, "劳动模范（旧）") == "劳动模范(旧)"


# --- the back office --------------------------------------------------------------------


def test_the_titles_page_lists_the_vocabulary_in_chinese(curator, make_honoree):
    make_honoree()
    page = curator.get("/curate/titles").get_data(as_text=True)
    assert 'href="/curate/titles">荣誉称号</a>' in page  # in the navigation
    assert "<td>全国劳动模范</td><td>全国</td><td>个人</td><td>0</td>" in page
    assert "<td>全国劳模</td><td>1</td>" in page
    assert "<td>省工人先锋号</td><td>省级</td><td>集体</td>" in page
    # the merge target is picked by name, among titles conferred on the same kind
    assert '<option value="全国先进工作者">全国先进工作者</option>' in page
    assert "national" not in page.split("<tbody>")[1].split("</tbody>")[0].replace(
        'value="national"', ""
    )


def test_adding_a_title_through_the_page(curator, empty_archive):
    response = post(
        curator,
        "/curate/titles",
        {"title": "浙江工匠", "level": "provincial", "conferred_on": "individual"},
        page="/curate/titles",
    )
    assert response.status_code == 302
    page = curator.get("/curate/titles").get_data(as_text=True)
    assert "已添加称号“浙江工匠”" in page
    assert "<td>浙江工匠</td><td>省级</td><td>个人</td>" in page
    assert vocabulary.get_title(empty_archive.db(), "浙江工匠")["level"] == "provincial"


def test_a_refused_title_is_explained_and_the_input_kept(curator, empty_archive):
    response = post(
        curator,
        "/curate/titles",
        {"title": "全国劳模", "level": "industry", "conferred_on": "collective", "position": "7"},
        page="/curate/titles",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "“全国劳模”已是称号“全国劳动模范”的别名" in page
    assert 'name="title" required maxlength="40" value="全国劳模"' in page
    assert '<option value="industry" selected>' in page
    assert '<option value="collective" selected>' in page
    assert 'name="position" inputmode="numeric" value="7"' in page


def test_setting_level_and_order_through_the_page(curator, empty_archive, make_honoree):
    honoree = make_honoree(honours=[{"title": "省工匠", "year": 2020}])
    response = post(
        curator,
        "/curate/titles/update",
        {"title": "省工匠", "level": "national", "conferred_on": "individual", "position": "2"},
        page="/curate/titles",
    )
    assert response.status_code == 302
    assert "1 项荣誉的级别随之改变" in curator.get("/curate/titles").get_data(as_text=True)
    db = empty_archive.db()
    assert vocabulary.get_title(db, "省工匠")["position"] == 2
    assert _honours(db, honoree)[0]["level"] == "national"
    refused = post(
        curator,
        "/curate/titles/update",
        {"title": "省工匠", "level": "national", "conferred_on": "individual", "position": "第二"},
        page="/curate/titles",
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "排序必须是整数" in page and 'value="第二"' in page and "<details open>" in page


def test_renaming_through_the_page(curator, empty_archive, make_honoree):
    honoree = make_honoree()
    response = post(
        curator,
        "/curate/titles/rename",
        {"title": "全国劳动模范", "new": "全国劳动模范称号"},
        page="/curate/titles",
    )
    assert response.status_code == 302
    page = curator.get("/curate/titles").get_data(as_text=True)
    assert "已改名为“全国劳动模范称号”（1 项荣誉，1 条记录）" in page
    assert "<td>全国劳动模范、全国劳模</td>" in page  # the old name is now an alias
    db = empty_archive.db()
    assert _honours(db, honoree)[0]["title_written"] == "全国劳动模范"
    last = db.execute("SELECT user_id, action FROM revisions ORDER BY id DESC").fetchone()
    assert (last["user_id"], last["action"]) == (curator.user_id, "title-rename")
    history = curator.get(f"/curate/honorees/{honoree}/history").get_data(as_text=True)
    assert "称号改名" in history
    refused = post(
        curator,
        "/curate/titles/rename",
        {"title": "全国劳动模范称号", "new": "省劳模"},
        page="/curate/titles",
    )
    assert refused.status_code == 400
    assert "“省劳模”已是称号“省劳动模范”的别名" in refused.get_data(as_text=True)
    assert 'value="省劳模"' in refused.get_data(as_text=True)


def test_merging_through_the_page_asks_first(curator, empty_archive, make_honoree):
    db = empty_archive.db()
    vocabulary.add_title(db, "全国劳动模范（旧称）", "national", "individual")
    honoree = make_honoree(honours=[{"title": "全国劳动模范(旧称)", "year": 2000}])
    make_honoree(name="乙", honours=[{"title": "全国劳动模范(旧称)", "year": 2005}])
    confirm = curator.get(
        "/curate/titles/merge",
        query_string={"source": "全国劳动模范(旧称)", "target": "全国劳动模范"},
    )
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "2 项荣誉（2 条记录）将改为“全国劳动模范”" in page
    assert "及其别名" not in page
    assert 'name="target" value="全国劳动模范"' in page
    assert vocabulary.get_title(db, "全国劳动模范(旧称)")  # nothing changed yet
    response = post(
        curator,
        "/curate/titles/merge",
        {"source": "全国劳动模范(旧称)", "target": "全国劳动模范"},
        page="/curate/titles",
    )
    assert response.status_code == 302
    assert "已把称号“全国劳动模范(旧称)”并入“全国劳动模范”（2 项荣誉，2 条记录）" in curator.get(
        "/curate/titles"
    ).get_data(as_text=True)
    assert _honours(db, honoree)[0]["title"] == "全国劳动模范"
    assert _aliases(db)["全国劳动模范(旧称)"] == "全国劳动模范"


def test_the_merge_page_names_the_aliases_that_move(curator):
    page = curator.get(
        "/curate/titles/merge", query_string={"source": "省劳动模范", "target": "全国劳动模范"}
    ).get_data(as_text=True)
    assert "“省劳动模范”及其别名（省劳模）将成为“全国劳动模范”的别名" in page
    assert "其中级别为“省级”的荣誉改为“全国”" in page


def test_a_refused_merge_is_explained_on_the_titles_page(curator):
    response = curator.get(
        "/curate/titles/merge", query_string={"source": "省工匠", "target": "省工人先锋号"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "授予个人的称号和授予集体的称号不能合并" in page and "<details open>" in page
    missing = curator.get("/curate/titles/merge", query_string={"source": "省工匠"})
    assert missing.status_code == 400
    assert "目标称号“”不在称号表中" in missing.get_data(as_text=True)


def test_a_printer_cannot_see_or_change_titles(client, empty_archive):
    make_user(empty_archive, "printer1", "printer")
    login(client, "printer1")
    before = vocabulary.titles(empty_archive.db())
    assert client.get("/curate/titles").status_code == 403
    for path, data in (
        ("/curate/titles", {"title": "新称号", "level": "national", "conferred_on": "individual"}),
        ("/curate/titles/rename", {"title": "省工匠", "new": "新称号"}),
        ("/curate/titles/merge", {"source": "省工匠", "target": "省劳动模范"}),
    ):
        assert post(client, path, data, page="/curate/password").status_code == 403
    assert vocabulary.titles(empty_archive.db()) == before
    assert "荣誉称号" not in client.get("/curate/password").get_data(as_text=True)


def test_an_admin_can_change_titles(client, empty_archive):
    make_user(empty_archive, "admin1", "admin")
    login(client, "admin1")
    assert (
        post(
            client,
            "/curate/titles",
            {"title": "新称号", "level": "industry", "conferred_on": "collective"},
            page="/curate/titles",
        ).status_code
        == 302
    )
    assert vocabulary.get_title(empty_archive.db(), "新称号")["conferred_on"] == "collective"


# --- the `titles` commands ------------------------------------------------------------


def test_titles_commands(runner, empty_archive, make_honoree):
    honoree = make_honoree(honours=[{"title": "省工匠", "year": 2021}])
    listed = runner.invoke(args=["titles", "list"])
    assert listed.exit_code == 0, listed.output
    assert "全国劳动模范  全国  个人  荣誉 0 项  别名：全国劳模" in listed.output
    assert "省工匠  省级  个人  荣誉 1 项" in listed.output

    added = runner.invoke(args=["titles", "add", "浙江工匠", "--level", "provincial"])
    assert added.exit_code == 0, added.output
    assert "已添加称号“浙江工匠”" in added.output
    again = runner.invoke(args=["titles", "add", "浙江工匠", "--level", "provincial"])
    assert again.exit_code == 1 and "称号“浙江工匠”已经在称号表中" in again.output

    renamed = runner.invoke(args=["titles", "rename", "省工匠", "浙江省工匠"])
    assert renamed.exit_code == 0, renamed.output
    assert "（1 项荣誉，1 条记录）" in renamed.output

    declined = runner.invoke(args=["titles", "merge", "浙江省工匠", "浙江工匠"], input="n\n")
    assert declined.exit_code == 1
    assert "将有 1 项荣誉（1 条记录）从“浙江省工匠”改为“浙江工匠”" in declined.output
    db = empty_archive.db()
    assert vocabulary.get_title(db, "浙江省工匠")
    merged = runner.invoke(args=["titles", "merge", "浙江省工匠", "浙江工匠", "--yes"])
    assert merged.exit_code == 0, merged.output
    honour = _honours(db, honoree)[0]
    assert (honour["title"], honour["title_written"]) == ("浙江工匠", "省工匠")
    assert _aliases(db)["省工匠"] == _aliases(db)["浙江省工匠"] == "浙江工匠"
    assert _revisions(db, honoree) == ["create", "title-rename", "title-merge"]
