"""The title vocabulary curators own (archive.vocabulary): adding, re-levelling,
renaming and merging titles on a real SQLite archive, through the services, the back
office (/curate/titles) and the `titles` commands."""

from __future__ import annotations

import json

import pytest

from archive import revisions, vocabulary
from archive.vocabulary import VocabularyError
from tests.curating import make_user


def _honours(db, honoree_id: int) -> list[dict]:
    return [dict(r) for r in db.execute(
        "SELECT * FROM honours WHERE honoree_id = ? ORDER BY year, id", [honoree_id])]


def _aliases(db) -> dict[str, str]:
    return {r[0]: r[1] for r in db.execute("SELECT alias, title FROM title_aliases")}


def _outbox(db, honoree_id: int) -> int:
    return db.execute("SELECT count(*) FROM index_outbox WHERE honoree_id = ?",
                      [honoree_id]).fetchone()[0]


def _revisions(db, honoree_id: int) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT action FROM revisions WHERE record_type = 'honoree' AND record_id = ? "
        "ORDER BY id", [honoree_id])]


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
    assert db.execute("SELECT action, detail FROM audit_log WHERE action = 'title_add'"
                      ).fetchone()["detail"].startswith("浙江工匠")


def test_full_width_spellings_are_folded(empty_archive):
    db = empty_archive.db()
    assert vocabulary.add_title(db, "ＡＢＣ工匠", "industry", "individual") == "ABC工匠"
    assert vocabulary.resolve_title(db, "ＡＢＣ工匠") == "ABC工匠"


@pytest.mark.parametrize("title, message", [
    ("全国劳动模范", "称号“全国劳动模范”已经在称号表中"),
    ("  全国劳动模范\u3000", "称号“全国劳动模范”已经在称号表中"),
    ("全国劳模", "“全国劳模”已是称号“全国劳动模范”的别名"),
    ("   ", "称号名称不能为空"),
    ("工" * 41, "称号名称不能超过 40 个字"),
])
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
    own_level = make_honoree(name="另一人", honours=[
        {"title": "省工匠", "year": 2021, "level": "industry"}])
    changed = vocabulary.update_title(db, "省工匠", level="national",
                                      conferred_on="individual", position=3)
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
        vocabulary.update_title(db, "全国劳动模范", level="national",
                                conferred_on="collective", position=None)
    vocabulary.update_title(db, "省工匠", level="provincial", conferred_on="collective",
                            position=None)  # unused: allowed
    assert vocabulary.get_title(db, "省工匠")["conferred_on"] == "collective"


def test_rename_keeps_honours_written_spelling_alias_revisions_and_outbox(
        empty_archive, make_honoree):
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
        "浙江省劳动模范", "省劳动模范", "省政府")
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
    assert db.execute("SELECT detail FROM audit_log WHERE action = 'title_rename'"
                      ).fetchone()[0].startswith("省劳动模范 → 浙江省劳动模范")


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


def test_restoring_a_revision_from_before_a_rename_uses_the_new_title(
        empty_archive, make_honoree):
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
    twice = make_honoree(honours=[
        {"title": "省劳动模范", "year": 2015},
        {"title": "旧省劳模", "year": 2015, "body": "省政府", "document_no": "浙政〔2015〕1号"},
        {"title": "旧省劳模", "year": 2016}])
    fuller_target = make_honoree(name="乙", honours=[
        {"title": "省劳动模范", "year": 2012, "body": "省政府", "citation": "事迹"},
        {"title": "旧省劳模", "year": 2012, "document_no": "浙政〔2012〕9号"}])
    assert vocabulary.merge_preview(db, "旧省劳模", "省劳动模范")["duplicates"] == 2

    result = vocabulary.merge_titles(db, "旧省劳模", "省劳动模范")

    assert result == {"honours": 3, "honorees": 2, "duplicates": 2}
    kept = _honours(db, twice)
    assert [(h["title"], h["year"]) for h in kept] == [("省劳动模范", 2015), ("省劳动模范", 2016)]
    assert (kept[0]["body"], kept[0]["document_no"], kept[0]["title_written"]) == (
        "省政府", "浙政〔2015〕1号", "旧省劳模")  # the fuller one, from the source
    (only,) = _honours(db, fuller_target)
    assert (only["body"], only["citation"], only["document_no"], only["title_written"]) == (
        "省政府", "事迹", "浙政〔2012〕9号", None)  # the target's, filled from the other
    detail = db.execute("SELECT detail FROM audit_log WHERE action = 'title_merge'"
                        ).fetchone()[0]
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
