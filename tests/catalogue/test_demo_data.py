"""The committed demo exhibit: reproducible from its generator, realistic in shape."""

import re
from collections import Counter

import pytest

from archive.catalogue.vocabulary import TITLES
from archive.demo.generate import generate, main
from tests.conftest import DEMO_DIR


def test_generator_reproduces_the_committed_files(tmp_path):
    generate(tmp_path)
    for name in ("honorees.jsonl", "exhibitions.jsonl", "manifest.json"):
        assert (tmp_path / name).read_bytes() == (DEMO_DIR / name).read_bytes(), name


def test_counts_years_and_levels(demo_records):
    published = [r for r in demo_records if r["status"] == "published"]
    kinds = Counter(r["kind"] for r in published)
    assert kinds == {"individual": 326, "collective": 159}
    assert Counter(r["status"] for r in demo_records if r["status"] != "published") == {
        "draft": 5,
        "withdrawn": 3,
    }
    titles = {title: (level, kind) for title, level, kind in TITLES}
    for record in demo_records:
        assert record["honours"]
        assert any(
            o["level"] in ("national", "provincial") and 2019 <= o["year"] <= 2022
            for o in record["honours"]
        ), record["ref"]
        for honour in record["honours"]:
            assert titles[honour["title"]] == (honour["level"], record["kind"])
        assert re.fullmatch(r"33\d{4}", record["region_code"])
    assert sum(len(r["honours"]) > 1 for r in published) >= 60
    assert len({r["city"] for r in published}) == 11


def test_stories_read_like_citations_not_one_template(demo_records):
    stories = [r["story"] for r in demo_records]
    assert all(200 <= len(s) <= 800 for s in stories)
    openings = Counter(re.sub(r"[\u4e00-\u9fff]{2,4}(，|同志)", "X，", s[:12]) for s in stories)
    assert len(openings) >= 8
    sentences = Counter(
        sentence.strip()
        for s in stories
        for sentence in re.split(r"[。！]", s)
        if len(sentence.strip()) > 6
    )
    assert sentences.most_common(1)[0][1] < len(stories) / 10  # no sentence in every story


def test_same_name_honorees_exist_in_different_units(demo_records):
    by_name: dict[str, set] = {}
    for record in demo_records:
        if record["status"] == "published":
            by_name.setdefault(record["name"], set()).add(record["unit"])
    assert sum(len(units) > 1 for units in by_name.values()) >= 3


def test_members_and_exhibitions_reference_published_records(demo_records):
    import json

    refs = {r["ref"]: r for r in demo_records}
    for record in demo_records:
        for member in record["members"]:
            assert refs[member]["kind"] == "individual"
    lines = (DEMO_DIR / "exhibitions.jsonl").read_text(encoding="utf-8").splitlines()
    halls = [json.loads(line) for line in lines if line]
    titles = [h["title"] for h in halls]
    assert "2019—2022年劳模风采" in titles
    for hall in halls:
        for section in hall["sections"]:
            for ref in section["members"]:
                assert refs[ref]["status"] == "published"
    by_city = halls[1]
    assert len(by_city["sections"]) == 11


def test_the_generator_answers_help_instead_of_writing_a_folder_named_help(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    assert stopped.value.code == 0
    assert "--seed" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
