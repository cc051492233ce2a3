"""Segmentation: a golden test pins jieba + the user dictionary; kinds and flags of tokens."""
import pandas as pd
import pytest

from analysis import paths, segment

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


@pytest.mark.parametrize("sentence", list(GOLDEN))
def test_golden_segmentation(sentence):
    assert [w for w, _ in segment.cut(sentence)] == GOLDEN[sentence]


def test_offsets_point_into_the_text():
    text = "推进全面从严治党，落实三会一课"
    assert all(text[s : s + len(w)] == w for w, s in segment.cut(text))


def test_jieba_is_imported_in_segment_only():
    offenders = [p.name for p in (paths.ROOT / "analysis").glob("*.py")
                 if p.name != "segment.py" and "import jieba" in p.read_text(encoding="utf-8")]
    assert offenders == []


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


def test_stopword_lists_are_separate():
    assert "的" in segment.stopwords() and "的" not in segment.filler()
    assert "同志们" in segment.filler() and "同志们" not in segment.stopwords()
    assert "党" not in segment.stopwords()
