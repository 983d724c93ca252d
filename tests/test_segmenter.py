"""The search segmenter gives jieba's words: archive.analysis cuts text with
jieba_fast_dat (for speed) and must agree with jieba itself, word for word and
offset for offset, on every demo story and on the mixed text curators type."""

import json
from pathlib import Path

import jieba
import pytest

from archive import analysis

DEMO = Path(__file__).resolve().parent.parent / "records" / "demo" / "honorees.jsonl"

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
    """A jieba tokenizer taught the same user words as the search segmenter."""
    records = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()]
    words = {r["name"] for r in records} | {r.get("unit") or "" for r in records}
    words |= {"全国劳动模范", "工人先锋号"}
    analysis.add_words(words)
    tokenizer = jieba.Tokenizer(str(analysis._JIEBA_DICTIONARY))
    for word in sorted(analysis._words_added):
        if " " not in word and len(word) >= 2:
            tokenizer.suggest_freq(word, tune=True)
    return tokenizer, [analysis.fold(r["story"]) for r in records]


def test_every_demo_story_is_cut_as_jieba_cuts_it(reference):
    tokenizer, stories = reference
    assert len(stories) > 400
    differing = [s[:30] for s in stories
                 if list(analysis.cut(s)) != list(tokenizer.tokenize(s))]
    assert differing == []


@pytest.mark.parametrize("text", MIXED)
def test_letters_digits_and_symbols_are_cut_as_jieba_cuts_them(reference, text):
    tokenizer, _ = reference
    folded = analysis.fold(text)
    assert list(analysis.cut(folded)) == list(tokenizer.tokenize(folded))


def test_user_words_stay_whole(reference):
    assert "全国劳动模范" in analysis.words("他是2019年全国劳动模范")
    assert "0.8%" in analysis.words("合格率提高0.8%")


def test_the_indexing_fast_path_writes_what_the_analyzer_would(reference):
    """Stories are indexed through WordPositions' fast path; the postings (terms,
    counts, weights and encoded word positions) equal Whoosh's own Positions
    format fed by the analyzer, so quoted phrases keep working."""
    from whoosh.formats import Positions

    _, stories = reference
    analyzer = analysis.ChineseAnalyzer()
    fast, slow = analysis.WordPositions(field_boost=2.0), Positions(field_boost=2.0)
    for text in stories[:150] + MIXED + ["精密主轴精密主轴，主轴。"]:
        expected = sorted(slow.word_values(text, analyzer, mode="index"))
        assert sorted(fast.word_values(text, analyzer, mode="index")) == expected
