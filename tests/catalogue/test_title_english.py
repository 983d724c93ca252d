"""Honour titles' English names (issue 20, part 4): curators see and edit them beside
each title at /curate/titles or with `titles english`; a title without one (every
title added after the seeds) is marked 缺英文 until someone writes it, and English
pages show its Chinese meanwhile."""

from __future__ import annotations

import re

import pytest

from archive.catalogue import vocabulary
from archive.web import language
from tests.curating import login, make_user, post


@pytest.fixture(autouse=True)
def _one_person_office(request):
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["SECOND_APPROVER"] = 0


def _row(page: str, title: str) -> str:
    """The table row of ``title`` on the titles page."""
    found = re.search(rf"<tr><td>{re.escape(title)}</td>.*?</tr>", page, re.S)
    assert found, title
    return found.group(0)


def _english_cell(page: str, title: str) -> str:
    cells = re.findall(r"<td[^>]*>(.*?)</td>", _row(page, title).split("<details")[0], re.S)
    return cells[-1]


def _set(client, title: str, english: str):
    return post(
        client,
        "/curate/titles/english",
        {"title": title, "english": english},
        page="/curate/titles",
    )


def _audit(db) -> list[str]:
    return [
        r[0]
        for r in db.execute(
            "SELECT detail FROM audit_log WHERE record_type = 'honour_title' ORDER BY id"
        )
    ]


def test_the_titles_page_shows_each_titles_english_and_marks_the_missing(curator, empty_archive):
    vocabulary.add_title(empty_archive.db(), "浙江工匠", "provincial", "individual")
    page = curator.get("/curate/titles").get_data(as_text=True)
    assert "<th>英文名称</th>" in page
    assert _english_cell(page, "全国劳动模范") == "National Model Worker"
    assert _english_cell(page, "省工人先锋号") == "Provincial Workers&#39; Pioneer"
    assert "缺英文" in _english_cell(page, "浙江工匠")
    assert page.count('class="missing-english"') == 1
    # the form to write it is beside the title, filled with what is stored
    assert 'name="english" lang="en"' in _row(page, "浙江工匠")
    assert 'value="National Model Worker"' in _row(page, "全国劳动模范")


def test_a_curator_writes_and_clears_a_titles_english(curator, empty_archive):
    db = empty_archive.db()
    vocabulary.add_title(db, "浙江工匠", "provincial", "individual")
    response = _set(curator, "浙江工匠", "  Zhejiang   Craftsman ")
    assert response.status_code == 302
    page = curator.get("/curate/titles").get_data(as_text=True)
    assert "称号“浙江工匠”的英文名称已保存为“Zhejiang Craftsman”" in page
    assert _english_cell(page, "浙江工匠") == "Zhejiang Craftsman"
    assert "缺英文" not in page.split("<tbody>")[1]
    assert vocabulary.title_english(db)["浙江工匠"] == "Zhejiang Craftsman"
    assert _audit(db)[-1] == "浙江工匠：英文名称 Zhejiang Craftsman"

    assert _set(curator, "浙江工匠", "").status_code == 302
    page = curator.get("/curate/titles").get_data(as_text=True)
    assert "称号“浙江工匠”的英文名称已清空，英文页面将显示中文名称" in page
    assert "缺英文" in _english_cell(page, "浙江工匠")
    assert "浙江工匠" not in vocabulary.title_english(db)
    assert _audit(db)[-1] == "浙江工匠：英文名称 （清空）"


@pytest.mark.parametrize(
    "english, message",
    [
        ("浙江 Craftsman", "英文名称里不能有汉字"),
        ("x" * 81, "英文名称不能超过 80 个字符"),
    ],
)
def test_a_refused_english_name_is_explained_in_chinese_and_kept(
    curator, empty_archive, english, message
):
    response = _set(curator, "全国劳动模范", english)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    row = _row(page, "全国劳动模范")
    assert "<details open>" in row and f'value="{english}"' in row
    assert vocabulary.title_english(empty_archive.db())["全国劳动模范"] == "National Model Worker"


def test_english_for_a_title_not_in_the_vocabulary_is_refused(curator, empty_archive):
    response = _set(curator, "没有的称号", "Nothing")
    assert response.status_code == 400
    assert "称号“没有的称号”不在称号表中" in response.get_data(as_text=True)


def test_the_english_form_needs_the_csrf_token(curator, empty_archive):
    response = curator.post(
        "/curate/titles/english", data={"title": "全国劳动模范", "english": "Changed"}
    )
    assert response.status_code == 400
    assert vocabulary.title_english(empty_archive.db())["全国劳动模范"] == "National Model Worker"


def test_a_printer_cannot_change_a_titles_english(client, empty_archive):
    make_user(empty_archive, "printer1", "printer")
    login(client, "printer1")
    response = post(
        client,
        "/curate/titles/english",
        {"title": "全国劳动模范", "english": "Changed"},
        page="/curate/password",
    )
    assert response.status_code == 403
    assert vocabulary.title_english(empty_archive.db())["全国劳动模范"] == "National Model Worker"


def test_with_a_second_approver_the_english_waits_for_review(
    app, curator, second_curator, empty_archive
):
    app.config["SECOND_APPROVER"] = 1
    db = empty_archive.db()
    assert _set(curator, "省工匠", "Provincial Master Craftsman").status_code == 302
    assert vocabulary.title_english(db)["省工匠"] == "Provincial Craftsman"
    change_id = db.execute("SELECT id FROM pending_changes").fetchone()[0]
    html = second_curator.get(f"/curate/changes/{change_id}").get_data(as_text=True)
    assert (
        "称号“省工匠”的英文名称",
        "Provincial Craftsman",
        "Provincial Master Craftsman",
    ) in re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>", html)
    approved = post(
        second_curator,
        f"/curate/changes/{change_id}",
        {"action": "approve"},
        page=f"/curate/changes/{change_id}",
    )
    assert approved.status_code == 303
    assert vocabulary.title_english(db)["省工匠"] == "Provincial Master Craftsman"


def test_a_renamed_title_keeps_its_english_and_description(empty_archive):
    db = empty_archive.db()
    before = vocabulary.get_title(db, "全国劳动模范")
    vocabulary.rename_title(db, "全国劳动模范", "全国劳动模范（新）")
    after = vocabulary.get_title(db, "全国劳动模范（新）")
    assert after["english"] == "National Model Worker"
    assert after["description"] == before["description"] and after["description"]
    assert (after["level"], after["conferred_on"], after["position"]) == (
        before["level"],
        before["conferred_on"],
        before["position"],
    )


def test_english_pages_show_the_english_a_curator_wrote(app, empty_archive):
    app.config["ENGLISH_INTERFACE"] = 1
    db = empty_archive.db()
    vocabulary.add_title(db, "浙江工匠", "provincial", "individual")
    with app.test_request_context("/?lang=en"):
        assert str(language.term("title", "浙江工匠")) == '<span lang="zh-CN">浙江工匠</span>'
    vocabulary.set_title_english(db, "浙江工匠", "Zhejiang Craftsman")
    with app.test_request_context("/?lang=en"):
        assert str(language.term("title", "浙江工匠")) == "Zhejiang Craftsman"
    with app.test_request_context("/"):
        assert str(language.term("title", "浙江工匠")) == "浙江工匠"


def test_the_titles_english_command(runner, empty_archive):
    db = empty_archive.db()
    vocabulary.add_title(db, "浙江工匠", "provincial", "individual")
    listed = runner.invoke(args=["titles", "list"])
    assert listed.exit_code == 0, listed.output
    assert "全国劳动模范  全国  个人  荣誉 0 项  别名：全国劳模  英文：National Model Worker" in (
        listed.output
    )
    assert "浙江工匠  省级  个人  荣誉 0 项  缺英文" in listed.output

    done = runner.invoke(args=["titles", "english", "浙江工匠", "Zhejiang Craftsman"])
    assert done.exit_code == 0, done.output
    assert "称号“浙江工匠”的英文名称已保存为“Zhejiang Craftsman”" in done.output
    assert vocabulary.title_english(db)["浙江工匠"] == "Zhejiang Craftsman"
    assert "浙江工匠  省级  个人  荣誉 0 项  英文：Zhejiang Craftsman" in (
        runner.invoke(args=["titles", "list"]).output
    )

    cleared = runner.invoke(args=["titles", "english", "浙江工匠", ""])
    assert cleared.exit_code == 0 and "英文名称已清空" in cleared.output
    assert "浙江工匠" not in vocabulary.title_english(db)

    unknown = runner.invoke(args=["titles", "english", "没有的称号", "Nothing"])
    assert unknown.exit_code == 1 and "称号“没有的称号”不在称号表中" in unknown.output
    refused = runner.invoke(args=["titles", "english", "省工匠", "省 Craftsman"])
    assert refused.exit_code == 1 and "英文名称里不能有汉字" in refused.output
    assert vocabulary.title_english(db)["省工匠"] == "Provincial Craftsman"
