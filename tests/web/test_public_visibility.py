"""Drafts and withdrawn records are invisible everywhere: the same 404 as an id
that never existed, on every public page, image and API response."""

import pytest

from archive.db import write

MISSING_ID = 999_999


@pytest.fixture
def records(empty_archive, make_honoree):
    from PIL import Image

    from archive.catalogue import media

    ids = {
        "published": make_honoree(name="公开人物", status="published"),
        "draft": make_honoree(name="草稿人物", status="draft", story="草稿独有词语甲乙丙"),
        "withdrawn": make_honoree(name="撤回人物", status="withdrawn"),
        "review": make_honoree(name="待审人物", status="review"),
    }
    db = empty_archive.db()
    with write(db):
        for shade, (status, honoree_id) in enumerate(ids.items()):
            media.add_photo(
                db,
                empty_archive.config["MEDIA_DIR"],
                Image.new("RGB", (640, 800), (90, 120, 150 + 20 * shade)),
                honoree_id,
                alt=f"{status} 肖像",
                is_portrait=True,
            )
    from archive import search

    search.rebuild(db, empty_archive.config["INDEX_DIR"])
    return ids


def _code_and_image(empty_archive, honoree_id):
    db = empty_archive.db()
    code = db.execute("SELECT code FROM honorees WHERE id = ?", [honoree_id]).fetchone()[0]
    image = db.execute(
        "SELECT m.name FROM media_files m JOIN photos p ON p.id = m.photo_id "
        "WHERE p.honoree_id = ? LIMIT 1",
        [honoree_id],
    ).fetchone()[0]
    return code, image


def _public_urls(honoree_id, code, image):
    return [
        f"/honorees/{honoree_id}",
        f"/q/{code}",
        f"/qr/{code}.png",
        f"/qr/{code}.svg",
        f"/media/{image}",
        f"/api/v1/honorees/{honoree_id}",
    ]


def test_published_record_is_reachable_everywhere(client, empty_archive, records):
    code, image = _code_and_image(empty_archive, records["published"])
    for url in _public_urls(records["published"], code, image):
        assert client.get(url).status_code in (200, 302), url


@pytest.mark.parametrize("status", ["draft", "withdrawn", "review"])
def test_hidden_record_gives_the_same_404_as_a_missing_one(client, empty_archive, records, status):
    code, image = _code_and_image(empty_archive, records[status])
    missing_page = client.get(f"/honorees/{MISSING_ID}")
    for url in _public_urls(records[status], code, image):
        response = client.get(url)
        assert response.status_code == 404, url
        if url.startswith("/api/"):
            assert response.get_json() == client.get(f"/api/v1/honorees/{MISSING_ID}").get_json()
        elif url.startswith(("/honorees", "/q/")):
            assert response.data == missing_page.data, url


def test_hidden_records_are_absent_from_lists_search_sitemap_and_api(client, records):
    for url in [
        "/",
        "/honorees",
        "/sitemap.xml",
        "/api/v1/honorees",
        "/api/v1/honorees.csv",
        "/search?q=草稿人物",
        "/search?q=草稿独有词语甲乙丙",
        "/search?q=撤回人物",
    ]:
        text = client.get(url).get_data(as_text=True)
        for name in ("草稿人物", "撤回人物", "待审人物"):
            assert name not in text.replace(f"q={name}", "").replace(f"“{name}”", "").replace(
                f'value="{name}"', ""
            ), (url, name)
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert f"/honorees/{records['published']}<" in sitemap
    for status in ("draft", "withdrawn", "review"):
        assert f"/honorees/{records[status]}<" not in sitemap
    api = client.get("/api/v1/honorees").get_json()
    assert [item["id"] for item in api["items"]] == [records["published"]]


def test_hidden_member_is_not_listed_on_a_collective(client, empty_archive, make_honoree, records):
    team = make_honoree(name="公开班组", kind="collective", collective_type="team")
    db = empty_archive.db()
    with write(db):
        for position, key in enumerate(["published", "draft"]):
            db.execute("INSERT INTO members VALUES (?, ?, ?)", [team, records[key], position])
    page = client.get(f"/honorees/{team}").get_data(as_text=True)
    assert "公开人物" in page and "草稿人物" not in page
    assert client.get(f"/api/v1/honorees/{team}").get_json()["members"] == [records["published"]]
