"""What a record says in English (issue 20): optional English name, summary and story,
edited beside the Chinese, recorded in the history and given by the API; a person
without an English name is written from the pinyin (GB/T 28039)."""

from __future__ import annotations

from tests.curating import post
from tests.curation.test_editing import edit_form


def test_english_texts_are_edited_beside_the_chinese_and_kept_in_the_history(
    curator, empty_archive
):
    response = post(
        curator,
        "/curate/honorees/new",
        {"kind": "individual", "name": "赵卫东", "unit": "第一机床厂"},
        page="/curate/honorees/new",
    )
    honoree_id = int(response.headers["Location"].rsplit("/", 1)[1])
    form = edit_form(curator, honoree_id)
    assert form["name_en"] == "" and "ZHAO Weidong" in curator.get(
        f"/curate/honorees/{honoree_id}"
    ).get_data(as_text=True)  # what a blank one means
    form.update(
        summary_en="A machinist for thirty years.", story_en="First paragraph.\n\nSecond paragraph."
    )
    assert post(curator, f"/curate/honorees/{honoree_id}", form).status_code == 302
    row = empty_archive.db().execute("SELECT * FROM honorees WHERE id = ?", [honoree_id]).fetchone()
    assert row["summary_en"] == "A machinist for thirty years."
    assert row["story_en"] == "First paragraph.\n\nSecond paragraph." and row["name_en"] is None
    latest = (
        empty_archive.db()
        .execute(
            "SELECT max(id) FROM revisions WHERE record_type = 'honoree' AND record_id = ?",
            [honoree_id],
        )
        .fetchone()[0]
    )
    diff = curator.get(f"/curate/honorees/{honoree_id}/revisions/{latest}").get_data(as_text=True)
    assert "英文简介" in diff and "英文事迹" in diff and "A machinist for thirty years." in diff
    too_long = dict(edit_form(curator, honoree_id), summary_en="x" * 2001)
    refused = post(curator, f"/curate/honorees/{honoree_id}", too_long)
    assert refused.status_code == 400 and "“英文简介”太长了" in refused.get_data(as_text=True)


def test_the_api_gives_the_english_name_and_texts(client, make_honoree, empty_archive):
    person = make_honoree(name="欧阳明辉", summary_en="A welder.", story_en="He welds.")
    named = make_honoree(name="曾志强", name_en="Zeng Zhiqiang (Jack)")
    team = make_honoree(kind="collective", name="国网某某供电公司运维班")
    english_team = make_honoree(
        kind="collective", name="某某港务集团桥吊班", name_en="Quay Crane Team, Port Group"
    )
    detail = client.get(f"/api/v1/honorees/{person}").get_json()
    assert detail["name_en"] == "OUYANG Minghui" and detail["summary_en"] == "A welder."
    assert detail["story_en"] == "He welds."
    assert client.get(f"/api/v1/honorees/{named}").get_json()["name_en"] == "Zeng Zhiqiang (Jack)"
    assert client.get(f"/api/v1/honorees/{team}").get_json()["name_en"] is None
    assert (
        client.get(f"/api/v1/honorees/{english_team}").get_json()["name_en"]
        == "Quay Crane Team, Port Group"
    )
    listed = {item["id"]: item for item in client.get("/api/v1/honorees").get_json()["items"]}
    assert listed[person]["name_en"] == "OUYANG Minghui"
    assert listed[person]["summary_en"] == "A welder." and "story_en" not in listed[person]
