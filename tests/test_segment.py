"""Segmentation: a golden test pins jieba + the user dictionary; kinds and flags of tokens."""
import pandas as pd
import pytest

from zhengyan.core import paths
from zhengyan.ingest import segment

GOLDEN = {
    "坚持落实“三会一课”、民主生活会和组织生活会制度":
        ["坚持", "落实", "“", "三会一课", "”", "、", "民主生活会", "和", "组织生活会", "制度"],
    "以习近平新时代中国特色社会主义思想为指导，推进全面从严治党":
        ["以", "习近平新时代中国特色社会主义思想", "为", "指导", "，", "推进", "全面从严治党"],
    "领导班子成员“一岗双责”得到有效落实":
        ["领导班子", "成员", "“", "一岗双责", "”", "得到", "有效", "落实"],
    "同志们，机关党建工作是党的建设的重要组成部分":
        ["同志们", "，", "机关党建", "工作", "是", "党的建设", "的", "重要", "组成部分"],
    "市委常委XX同志出席，提出了×项具体任务":
        ["市委常委", "XX", "同志", "出席", "，", "提出", "了", "×", "项", "具体任务"],
}


#: Sentences where rjieba cut otherwise until it was given jieba's dictionary total (user words add to it).
GOLDEN_TOTAL = {
    "城乡居民人均可支配收入实际增长": ["城乡居民", "人均", "可支配", "收入", "实际", "增长"],
    "我们要认真学习，一是认真落实": ["我们要", "认真学习", "，", "一是", "认真落实"],
    "构建新型国际关系": ["构建", "新型", "国际关系"],
    # jieba-rs keeps runs with a hyphen whole; jieba cuts them at it
    "2016-2020年，美军MQ-9“死神”": ["2016", "-", "2020", "年", "，", "美军", "MQ", "-", "9", "“", "死神", "”"],
}


@pytest.mark.parametrize("segmenter", segment.SEGMENTERS)
@pytest.mark.parametrize("sentence", list(GOLDEN) + list(GOLDEN_TOTAL))
def test_golden_segmentation(sentence, segmenter):
    expected = {**GOLDEN, **GOLDEN_TOTAL}[sentence]
    assert [w for w, _ in segment.cut(sentence, segmenter=segmenter)] == expected
    assert segment.words_of(sentence, segmenter=segmenter) == expected


def test_segmenter_option_is_checked(monkeypatch):
    with pytest.raises(ValueError, match="jieba, rjieba"):
        segment.segmenter_name("thulac")
    monkeypatch.setenv(segment.ENV_SEGMENTER, "pkuseg")
    with pytest.raises(ValueError, match=r"\$ANALYSIS_SEGMENTER must be one of jieba, rjieba; got 'pkuseg'"):
        segment.segmenter_name()
    monkeypatch.setenv(segment.ENV_SEGMENTER, "jieba")
    assert segment.segmenter_name() == "jieba" and segment.segmenter_name("rjieba") == "rjieba"


def test_user_words_get_the_frequency_jieba_suggests():
    words = ("三会一课", "一岗双责")
    freqs = segment.user_frequencies(words)
    tok = segment.tokenizer(None, words)
    assert freqs == (tok.FREQ["三会一课"], tok.FREQ["一岗双责"]) and all(f >= 1 for f in freqs)


def test_offsets_point_into_the_text():
    text = "推进全面从严治党，落实三会一课"
    assert all(text[s : s + len(w)] == w for w, s in segment.cut(text))


def test_jieba_is_imported_in_segment_only():
    modules = list(paths.PACKAGE.rglob("*.py"))
    offenders = [p.name for p in modules if p.name != "segment.py" and "import jieba" in p.read_text(encoding="utf-8")]
    assert len(modules) > 25 and offenders == []


def test_user_dictionary_holds_slogans_and_terms_without_punctuation(tmp_path):
    words = segment.dictionary_words()
    for w in ["三会一课", "一岗双责", "全面从严治党", "习近平新时代中国特色社会主义思想", "机关党建", "同志们"]:
        assert w in words
    assert not [w for w in words if any(ch in w for ch in "、，“”")]
    path = segment.write_user_dictionary(tmp_path / "userdict.txt")
    assert path.read_text(encoding="utf-8").splitlines() == words


def test_jieba_cache_lives_in_the_project_cache():
    tok = segment.tokenizer(segment.dictionary_signature())
    assert tok.tmp_dir == str(paths.CACHE / "jieba")
    assert (paths.CACHE / "jieba" / "jieba.cache").is_file()


def test_classify_kinds():
    terms = pd.Series(["党建", "，", " ", "2020", "3.5%", "十九", "×", "XX", "GDP", "第三", "“"])
    assert segment.classify(terms).tolist() == [
        "word", "punct", "punct", "number", "number", "number", "placeholder", "placeholder", "word", "number", "punct",
    ]
    assert segment.kind_codes(["党建", "，", "2020", "XX"]).tolist() == [0, 3, 1, 2]


def test_kinds_of_an_arrow_array_are_the_kinds_word_by_word():
    import pyarrow as pa

    terms = ["党建", "十九", "一九九七年", "二〇二〇年", "十年代", "年度", "第三", "第3", "第一百", "两", "亿万", "万亿元",
             "千万年", "零", "一个", "十四五", "，", " ", "\u3000", "2020", "3.5%", "×", "XX", "x", "GDP", "_", "“",
             "\u4e00\u9fff", "𠀀", "党-建"]
    expected = [segment.kind_code(t) for t in terms]
    assert expected[:6] == [0, 1, 1, 1, 1, 0] and expected[7] == 1
    assert segment.kind_codes(pa.array(terms)).tolist() == expected
    assert segment.kind_codes(pa.array([], type=pa.string())).tolist() == []


def test_stopword_lists_are_separate():
    assert "的" in segment.stopwords() and "的" not in segment.filler()
    assert "同志们" in segment.filler() and "同志们" not in segment.stopwords()
    assert "党" not in segment.stopwords()
