"""The search segmenter gives jieba's words: archive.search.analysis cuts text with
jieba_fast_dat (for speed) and must agree with jieba itself, word for word and
offset for offset, on every demo story and on the mixed text curators type."""

import json
from pathlib import Path

import jieba
import pytest

from archive.search import analysis
from archive.search.whoosh import analyzers

DEMO = Path(__file__).resolve().parents[2] / "records" / "demo" / "honorees.jsonl"

MIXED = [
    "CNC数控机床加工精度达0.01mm，合格率提高0.8%。",
    "5G基站、3D打印、ISO9001认证、iPhone、T恤、C++ 与 C#，版本v2.0.1。",
    "工作了30年，2019年获全国劳动模范，1.5万元奖金捐给了工人先锋号班组。",
    "阿依古丽·买买提在G60高速…100%完成任务!!?",
    "ＡＢＣ全角和ABC半角，电压220V/380V，温度-40℃。",
    "",
]


@pytest.fixture(scope="module")
def reference():
    """A jieba tokenizer taught the archive's word list as the search segmenter is."""
    records = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()]
    tokenizer = jieba.Tokenizer(str(analysis._JIEBA_DICTIONARY))
    analysis.teach(tokenizer)
    return tokenizer, [analysis.fold(r["story"]) for r in records]


def test_every_demo_story_is_cut_as_jieba_cuts_it(reference):
    tokenizer, stories = reference
    assert len(stories) > 400
    differing = [s[:30] for s in stories if list(analysis.cut(s)) != list(tokenizer.tokenize(s))]
    assert differing == []


@pytest.mark.parametrize("text", MIXED)
def test_letters_digits_and_symbols_are_cut_as_jieba_cuts_them(reference, text):
    tokenizer, _ = reference
    folded = analysis.fold(text)
    assert list(analysis.cut(folded)) == list(tokenizer.tokenize(folded))


def test_archive_words_stay_whole(reference):
    assert "全国劳动模范" in analysis.words("他是2019年全国劳动模范")
    assert "0.8%" in analysis.words("合格率提高0.8%")


def test_the_indexing_fast_path_writes_what_the_analyzer_would(reference):
    """Stories are indexed through WordPositions' fast path; the postings (terms,
    counts, weights and encoded word positions) equal Whoosh's own Positions
    format fed by the analyzer, so quoted phrases keep working."""
    from whoosh.formats import Positions

    _, stories = reference
    analyzer = analyzers.ChineseAnalyzer()
    fast, slow = analyzers.WordPositions(field_boost=2.0), Positions(field_boost=2.0)
    for text in stories[:150] + MIXED + ["精密主轴精密主轴，主轴。"]:
        expected = sorted(slow.word_values(text, analyzer, mode="index"))
        assert sorted(fast.word_values(text, analyzer, mode="index")) == expected


def test_analysis_does_not_depend_on_what_the_process_saw(tmp_path):
    """The words of a text are a function of the text and the dictionary files:
    a fresh interpreter that first indexes many other texts (names, units) cuts
    it as one that cuts it straight away."""
    import subprocess
    import sys

    from archive.settings import PROJECT_ROOT

    text = "南网超高压输电公司张伟和国网浙江电力的李娜都是2020年全国劳动模范"
    script = """
import sys
from archive.search import analysis
if sys.argv[1] == "busy":
    for other in ["南网超高压输电公司", "张伟", "李娜", "国网浙江电力", "超高压输电"] * 3:
        analysis.index_positions(other)
        analysis.words(other)
print(analysis.DICTIONARY_VERSION, analysis.words(sys.argv[2]))
"""
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script, mode, text],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for mode in ("fresh", "busy")
    ]
    assert outputs[0] == outputs[1]
    assert outputs[0].split(" ", 1)[1].strip() == str(analysis.words(text))
    assert not hasattr(analysis, "add_words")


def test_the_dictionary_version_is_a_hash_of_the_dictionary_files():
    import hashlib

    digest = hashlib.sha256()
    for path in (analysis._JIEBA_DICTIONARY, analysis.ARCHIVE_WORDS):
        digest.update(path.read_bytes())
        digest.update(b"\0")
    assert analysis.DICTIONARY_VERSION == digest.hexdigest()[:12]


def test_unit_bigrams_keep_runs_apart():
    assert analysis.bigrams("南网超高压 班组长") == [
        ["南网", "网超", "超高", "高压"],
        ["班组", "组长"],
    ]
    tokens = [(t.text, t.pos) for t in analyzers.BigramAnalyzer()("南网超 班组", positions=True)]
    assert tokens == [("南网", 0), ("网超", 1), ("班组", 3)]
