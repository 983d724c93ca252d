"""The API's `lang` parameter (issue 20, part 4): with lang=en every vocabulary value
gains its English in a sibling `…_en` field and messages are in English; the values
themselves never change (they are filters' keys); zh, the default, answers as before;
any other value is a 400 naming the accepted ones. Responses in English match the
OpenAPI document too."""

from __future__ import annotations

import csv
import io
import re

import pytest

from archive.catalogue import vocabulary
from tests.web.test_api import openapi, validate  # noqa: F401 - the module's fixture

CJK = re.compile(r"[\u3400-\u9fff]")
VOCABULARY_EN = {"kind_en", "collective_type_en", "industry_en"}


def _strip_english(data):
    """``data`` without the fields lang=en adds (recursively)."""
    if isinstance(data, dict):
        return {
            k: _strip_english(v)
            for k, v in data.items()
            if not (k.endswith("_en") and k not in ("name_en", "summary_en", "story_en"))
        }
    if isinstance(data, list):
        return [_strip_english(v) for v in data]
    return data


@pytest.fixture
def person(make_honoree):
    return make_honoree(
        name="曾志强",
        province="陕西省",
        city="西安市",
        county="长安区",
        industry="制造业",
        gender="男",
        ethnicity="壮族",
        honours=[
            {"title": "全国劳动模范", "level": "national", "year": 2020},
            {"title": "省工匠", "level": "provincial", "year": 2016},
        ],
    )


def test_english_adds_the_vocabulary_in_english_beside_unchanged_values(client, person):
    chinese = client.get(f"/api/v1/honorees/{person}").get_json()
    assert client.get(f"/api/v1/honorees/{person}?lang=zh").get_json() == chinese
    assert not VOCABULARY_EN & chinese.keys() and "title_en" not in chinese["honours"][0]

    assert client.get(f"/api/v1/honorees/{person}").headers["Content-Language"] == "zh-CN"
    response = client.get(f"/api/v1/honorees/{person}?lang=en")
    assert response.headers["Content-Language"] == "en"
    body = response.get_json()
    assert _strip_english(body) == chinese  # nothing that was there changed
    assert (body["kind"], body["kind_en"]) == ("individual", "Individual")
    assert body["collective_type_en"] is None
    assert (body["industry"], body["industry_en"]) == ("制造业", "Manufacturing")
    assert (body["gender_en"], body["ethnicity_en"]) == ("Male", "Zhuang")
    assert body["region"] == {
        "province": "陕西省",
        "city": "西安市",
        "county": "长安区",
        "code": chinese["region"]["code"],
        "province_en": "Shaanxi",
        "city_en": "Xi'an",
        "county_en": "Chang'an District",
    }
    honours = {o["title"]: o for o in body["honours"]}
    assert honours["全国劳动模范"]["title_en"] == "National Model Worker"
    assert honours["全国劳动模范"]["level"] == "national"
    assert honours["全国劳动模范"]["level_en"] == "National"
    assert honours["省工匠"]["level_en"] == "Provincial"
    assert body["name_en"] == "ZENG Zhiqiang"


def test_a_value_without_english_is_null_beside_its_chinese(client, empty_archive, make_honoree):
    vocabulary.add_title(empty_archive.db(), "浙江工匠", "provincial", "individual")
    honoree_id = make_honoree(
        industry="某某行业",
        city="恩施土家族苗族自治州",
        honours=[{"title": "浙江工匠", "year": 2021}],
    )
    body = client.get(f"/api/v1/honorees/{honoree_id}?lang=en").get_json()
    assert (body["industry"], body["industry_en"]) == ("某某行业", None)
    assert (body["region"]["city"], body["region"]["city_en"]) == ("恩施土家族苗族自治州", None)
    assert body["region"]["county_en"] is None
    assert (body["honours"][0]["title"], body["honours"][0]["title_en"]) == ("浙江工匠", None)
    # once a curator writes it, the API gives it
    vocabulary.set_title_english(empty_archive.db(), "浙江工匠", "Zhejiang Craftsman")
    body = client.get(f"/api/v1/honorees/{honoree_id}?lang=en").get_json()
    assert body["honours"][0]["title_en"] == "Zhejiang Craftsman"


def test_facet_values_gain_english_and_still_filter(client, person, make_honoree):
    make_honoree(name="第二人", city="海口市", honours=[{"title": "省工匠", "year": 2018}])
    body = client.get("/api/v1/honorees?lang=en&facets=1").get_json()
    facets = {name: {f["value"]: f for f in values} for name, values in body["facets"].items()}
    assert facets["level"]["national"]["value_en"] == "National"
    assert facets["title"]["省工匠"] == {
        "value": "省工匠",
        "count": 2,
        "value_en": "Provincial Craftsman",
    }
    assert facets["region"]["海口市"]["value_en"] == "Haikou"
    assert facets["kind"]["individual"]["value_en"] == "Individual"
    assert facets["year"][2020]["value_en"] is None
    # a value goes back as a filter unchanged, in either language
    picked = client.get("/api/v1/honorees", query_string={"region": "海口市", "lang": "en"})
    assert [i["name"] for i in picked.get_json()["items"]] == ["第二人"]
    chinese = client.get("/api/v1/honorees?facets=1").get_json()["facets"]
    assert all("value_en" not in f for values in chinese.values() for f in values)


@pytest.mark.parametrize("value", ["fr", "EN", "", "zh-CN", "english"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/honorees",
        "/api/v1/honorees/1",
        "/api/v1/honorees.csv",
        "/api/v1/search?q=test",
        "/api/v1/exhibitions",
        "/api/v1/openapi.json",
    ],
)
def test_an_unknown_language_is_refused_naming_the_accepted_ones(client, path, value):
    response = client.get(path + ("&" if "?" in path else "?") + f"lang={value}")
    assert response.status_code == 400 and response.is_json
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["accepted"] == ["zh", "en"]
    assert "zh" in error["message"] and "en" in error["message"]


@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/api/v1/honorees/999999?lang=en", 404, "No such record"),
        ("/api/v1/exhibitions/999999?lang=en", 404, "No such exhibition"),
        (
            "/api/v1/honorees?kind=robot&lang=en",
            400,
            "The kind can only be “individual” or “collective”.",
        ),
        ("/api/v1/honorees?year=20x0&lang=en", 400, "The year should be four digits."),
        (
            "/api/v1/honorees?per_page=1000&lang=en",
            400,
            "per_page must be a whole number from 1 to 100",
        ),
        ("/api/v1/search?lang=en", 400, "Give a search text q or at least one filter"),
        (
            "/api/v1/search?q=x&sort=size&lang=en",
            400,
            "The sort order can only be relevance, year or pinyin.",
        ),
    ],
)
def test_errors_are_in_english_when_asked(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert response.get_json()["error"] == {"status": status, "message": message}
    chinese = client.get(url.replace("lang=en", "lang=zh")).get_json()["error"]["message"]
    assert CJK.search(chinese)


def test_a_long_query_is_refused_in_english(client):
    response = client.get("/api/v1/search", query_string={"q": "劳" * 501, "lang": "en"})
    assert response.status_code == 414
    message = response.get_json()["error"]["message"]
    assert message.startswith("The search is too long: at most 500 characters")


def test_only_the_parameter_chooses_the_apis_language(app, client, person):
    app.config["ENGLISH_INTERFACE"] = 1
    client.get("/lang/en")  # the pages' cookie
    body = client.get(
        f"/api/v1/honorees/{person}", headers={"Accept-Language": "en-GB,en"}
    ).get_json()
    assert "kind_en" not in body
    assert client.get("/api/v1/honorees/999999").get_json()["error"]["message"] != "No such record"
    # and English is there whether or not the pages offer it yet
    app.config["ENGLISH_INTERFACE"] = 0
    assert client.get(f"/api/v1/honorees/{person}?lang=en").get_json()["kind_en"] == "Individual"


def test_the_csv_in_english_adds_english_columns(client, person):
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/api/v1/honorees.csv?lang=en").get_data(as_text=True)[1:])
        )
    )
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == "曾志强" and row["name_en"] == "ZENG Zhiqiang"
    assert (row["province_en"], row["city_en"], row["county_en"]) == (
        "Shaanxi",
        "Xi'an",
        "Chang'an District",
    )
    assert row["industry_en"] == "Manufacturing" and row["kind_en"] == "Individual"
    assert row["honours"] == "2016年省工匠；2020年全国劳动模范"
    assert row["honours_en"] == "2016 Provincial Craftsman; 2020 National Model Worker"
    chinese = client.get("/api/v1/honorees.csv").get_data(as_text=True)
    assert "name_en" not in chinese.splitlines()[0]


def test_every_operation_documents_lang(openapi):  # noqa: F811
    for path, item in openapi["paths"].items():
        names = [p["name"] for p in item["get"].get("parameters", [])]
        assert names.count("lang") == 1, path
        assert "400" in item["get"]["responses"], path
    lang = next(
        p for p in openapi["paths"]["/honorees"]["get"]["parameters"] if p["name"] == "lang"
    )
    assert lang["schema"]["enum"] == ["zh", "en"] and lang["schema"]["default"] == "zh"


def test_english_responses_match_the_document(demo_client, openapi):  # noqa: F811
    listed = demo_client.get("/api/v1/honorees?per_page=50&facets=1&lang=en").get_json()
    validate(openapi, "/honorees", "200", listed)
    assert all("title_en" in o for item in listed["items"] for o in item["honours"])
    for item in listed["items"][:10]:
        detail = demo_client.get(f"/api/v1/honorees/{item['id']}?lang=en").get_json()
        validate(openapi, "/honorees/{id}", "200", detail)
        assert detail["kind_en"] in ("Individual", "Collective")
    found = demo_client.get("/api/v1/search?q=劳动模范&lang=en&per_page=20").get_json()
    validate(openapi, "/search", "200", found)
    assert found["items"] and all("industry_en" in i for i in found["items"])
    halls = demo_client.get("/api/v1/exhibitions?lang=en").get_json()
    validate(openapi, "/exhibitions", "200", halls)
    detail = demo_client.get(f"/api/v1/exhibitions/{halls['items'][0]['id']}?lang=en").get_json()
    validate(openapi, "/exhibitions/{id}", "200", detail)
    refused = demo_client.get("/api/v1/honorees?lang=fr").get_json()
    schema = openapi["paths"]["/honorees"]["get"]["responses"]["400"]["content"]
    assert schema["application/json"]["schema"]["$ref"].endswith("/Error")
    assert refused["error"]["accepted"] == ["zh", "en"]
