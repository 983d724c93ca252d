"""The open data API: every response matches the OpenAPI document; errors are JSON."""

import csv
import io

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.conftest import BASE_URL


@pytest.fixture(scope="module")
def openapi(demo_archive):
    app = demo_archive.app()
    return app.test_client().get("/api/v1/openapi.json").get_json()


def validate(openapi, path: str, status: str, body):
    """Validate a body against the response schema the document gives for it."""
    schema = openapi["paths"][path]["get"]["responses"][status]["content"]["application/json"][
        "schema"
    ]
    document = {**openapi, "$schema": "https://json-schema.org/draft/2020-12/schema"}
    registry = Registry().with_resource("urn:openapi", Resource.from_contents(document))
    validator = Draft202012Validator({"$ref": "urn:openapi" + schema["$ref"]}, registry=registry)
    errors = list(validator.iter_errors(body))
    assert not errors, f"{path}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_openapi_document_is_valid_and_points_at_the_base_url(openapi):
    assert openapi["openapi"].startswith("3.1")
    assert openapi["servers"][0]["url"] == f"{BASE_URL}/api/v1"
    Draft202012Validator.check_schema({"$defs": openapi["components"]["schemas"]})


def test_honoree_list_matches_schema_and_carries_the_contract(demo_client, openapi):
    body = demo_client.get("/api/v1/honorees?per_page=50&facets=1").get_json()
    validate(openapi, "/honorees", "200", body)
    assert body["total"] == 485 and len(body["items"]) == 50
    for item in body["items"]:
        assert item["url"] == f"{BASE_URL}/honorees/{item['id']}"
        assert item["short_url"] == f"{BASE_URL}/q/{item['code']}"
        assert item["honours"] and item["kind"] in ("individual", "collective")


def test_every_honoree_detail_matches_schema(demo_client, openapi):
    ids = [i["id"] for i in demo_client.get("/api/v1/honorees?per_page=100").get_json()["items"]]
    for honoree_id in ids[:40]:
        body = demo_client.get(f"/api/v1/honorees/{honoree_id}").get_json()
        validate(openapi, "/honorees/{id}", "200", body)
        assert body["id"] == honoree_id


def test_exhibitions_match_schema(demo_client, openapi):
    halls = demo_client.get("/api/v1/exhibitions").get_json()
    validate(openapi, "/exhibitions", "200", halls)
    assert len(halls["items"]) == 2
    for hall in halls["items"]:
        detail = demo_client.get(f"/api/v1/exhibitions/{hall['id']}").get_json()
        validate(openapi, "/exhibitions/{id}", "200", detail)
        assert sum(len(s["honorees"]) for s in detail["sections"]) >= hall["honoree_count"]


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/v1/honorees/999999", 404),
        ("/api/v1/exhibitions/999999", 404),
        ("/api/v1/honorees?year=20x0", 400),
        ("/api/v1/honorees?kind=robot", 400),
        ("/api/v1/honorees?per_page=1000", 400),
        ("/api/v1/honorees?page=-1", 400),
        ("/api/v1/nothing-here", 404),
    ],
)
def test_errors_are_json_with_a_chinese_message(demo_client, openapi, url, status):
    response = demo_client.get(url)
    assert response.status_code == status
    assert response.is_json
    body = response.get_json()
    assert body["error"]["status"] == status
    assert any("\u4e00" <= c <= "\u9fff" for c in body["error"]["message"])


def test_api_filters_agree_with_the_browse_page(demo_client):
    api = demo_client.get("/api/v1/honorees?level=national&kind=collective").get_json()
    page = demo_client.get("/honorees?level=national&kind=collective").get_data(as_text=True)
    assert f"共 {api['total']} 位（个）" in page


def test_csv_download_lists_published_honorees_safely(demo_client, demo_records):
    response = demo_client.get("/api/v1/honorees.csv")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    published = [r for r in demo_records if r["status"] == "published"]
    assert len(rows) == len(published)
    assert {r["name"] for r in rows} == {r["name"] for r in published}
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@"))
