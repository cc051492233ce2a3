"""The corpus tables, the token cache, and the promise that a corpus folder is never written."""
import hashlib
import shutil

import pandas as pd
import pytest

from zhengyan.ingest import corpus as corpus_module
from zhengyan import load_corpus
from zhengyan.core import paths
from zhengyan.ingest import segment


def test_documents_and_tokens_of_a_small_corpus(speech_folder):
    c = load_corpus(speech_folder, cache=False)
    docs = c.documents.set_index("doc_id")
    assert docs.loc["a", "title"] == "讲话甲" and docs.loc["b", "year"] == 2021
    assert docs.loc["b", "n_chars"] == len("机关党建要抓实。三会一课要规范。")
    assert docs.loc["a", "n_paragraphs"] == 3 and docs.loc["a", "n_sentences"] == 5
    b = c.tokens[c.tokens["doc_id"] == "b"]
    assert b["term"].astype(str).tolist() == ["机关党建", "要", "抓实", "三会一课", "要", "规范"]
    assert b["sent_id"].tolist() == [0, 0, 0, 1, 1, 1]
    assert b["position"].tolist() == [0, 1, 2, 3, 4, 5]
    assert b["start"].tolist() == [0, 4, 5, 8, 12, 13]
    assert b["filler"].tolist() == [False, True, False, False, True, False]
    assert c.terms()["term"].astype(str).tolist().count("三会一课") == 2
    assert list(c.tokens.columns) == list(corpus_module.TOKEN_COLUMNS)
    assert str(c.tokens["term"].dtype) == "category" and str(c.tokens["position"].dtype) == "int32"


def test_punctuation_numbers_and_placeholders_are_not_terms(tmp_path):
    (tmp_path / "x.txt").write_text("书记×出席，提出了3项任务，市委常委XX同志讲话。", encoding="utf-8")
    c = load_corpus(tmp_path, cache=False)
    assert set(c.tokens["kind"].astype(str)) == {"word", "number", "placeholder"}
    terms = set(c.terms()["term"].astype(str))
    assert not terms & {"×", "XX", "3", "，", "。"}
    assert {"书记", "出席", "任务", "同志", "讲话"} <= terms


def test_content_terms_checks_its_input():
    import pandas as pd

    with pytest.raises(ValueError, match="lacks columns"):
        corpus_module.content_terms(pd.DataFrame({"term": ["党"]}))


@pytest.fixture
def private_lexicons(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(paths.DATA, data)
    monkeypatch.setattr(paths, "DATA", data)
    monkeypatch.setattr(paths, "CACHE", tmp_path / "cache")
    segment.stopwords.cache_clear(), segment.filler.cache_clear()
    yield data
    segment.stopwords.cache_clear(), segment.filler.cache_clear()


def test_cache_is_reused_and_a_changed_lexicon_resegments(speech_folder, private_lexicons, monkeypatch):
    from zhengyan.ingest import cache, pipeline

    store = cache.CorpusCache(speech_folder)
    first = load_corpus(speech_folder)
    parts = store.parts()
    assert len(parts) == 1 and sorted(p.name for p in parts[0].iterdir()) == [
        "audit.parquet", "documents.parquet", "manifest.json", "sentences.parquet", "tokens.parquet"]
    stamps = {p.name: p.stat().st_mtime_ns for p in parts[0].iterdir()}

    def no_work(*args, **kwargs):
        raise AssertionError("an unchanged corpus was cleaned or segmented again")

    with monkeypatch.context() as m:
        m.setattr(pipeline, "process_batch", no_work)
        again = load_corpus(speech_folder)
    assert store.parts() == parts and {p.name: p.stat().st_mtime_ns for p in parts[0].iterdir()} == stamps
    for name in ("tokens", "sentences", "audit"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(first, name))
    pd.testing.assert_frame_equal(again.documents, first.documents)
    assert "规范" in first.tokens["term"].astype(str).tolist()
    with open(private_lexicons / "political_terms.txt", "a", encoding="utf-8") as fh:
        fh.write("要规范\n")
    changed = load_corpus(speech_folder)
    assert len(store.parts()) == 1 and store.parts() != parts  # the stale part is gone
    assert "要规范" in changed.tokens["term"].astype(str).tolist()
    assert changed.tokens["term"].astype(str).tolist().count("要规范") == 1


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_seeds_are_never_written(seeds_corpus, tmp_path):
    before = _digest(paths.SEEDS)
    from zhengyan.export import export

    assert export(paths.SEEDS, tmp_path / "out") == 0
    load_corpus(paths.SEEDS)
    assert _digest(paths.SEEDS) == before


def test_seeds_are_the_shared_originals_byte_for_byte():
    shared = paths.ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip(f"{shared} not present")
    originals = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in shared.glob("*.txt")}
    assert len(originals) == 5
    assert {k: v for k, v in _digest(paths.SEEDS).items() if k.endswith(".txt")} == originals


def test_seed_cleaning_removes_the_known_damage(seeds_corpus):
    docs = seeds_corpus.documents.set_index("doc_id")
    text = "\n".join(docs["text"])
    for damage in ["QQ", "仅供学习", "会员", "查看更多", "第9页", "申明敬告", "(chuàng)", "效劳", "根底", "4120字"]:
        assert damage not in text, damage
    assert "机关党员干部的作风如何" in docs.loc["001_c81a419ed2761e08", "text"]  # rejoined across a chunk marker
    assert "1、加强思想建设" in docs.loc["001_c81a419ed2761e08", "text"]  # genuine numbering kept
    assert "县（市、区）机关工委" in docs.loc["003_f304d2d2fa3963fd", "text"]
    assert "“3+X”" in docs.loc["003_f304d2d2fa3963fd", "text"]
    assert "round trip suspected" in docs.loc["001_c81a419ed2761e08", "warnings"]
    assert all("round trip" not in w for d, w in docs["warnings"].items() if d != "001_c81a419ed2761e08")
    assert docs["year"].tolist() == [2020, 2007, 2020, 2020, 2020]


def test_categoricals_of_several_parts_join_into_one_sorted_set_of_categories():
    parts = [
        pd.Categorical(["党建", "机关", "党建"]),  # object categories, as a column read from elsewhere
        pd.Categorical(["作风", "机关"], categories=pd.Index(["机关", "作风"], dtype=corpus_module._STR)),
        pd.Categorical([], categories=pd.Index(["党员"], dtype=corpus_module._STR)),  # a category no row uses
        pd.Categorical(["a", "党建"], categories=pd.Index(["党建", "a"], dtype=corpus_module._STR)),
    ]
    joined = corpus_module._union(parts)
    assert list(joined) == ["党建", "机关", "党建", "作风", "机关", "a", "党建"]
    assert list(joined.categories) == sorted({"党建", "机关", "作风", "党员", "a"})  # code point order, as Python sorts
    assert joined.categories.dtype == corpus_module._STR


def test_a_corpus_mostly_not_chinese_is_named_with_its_share_when_loaded(tmp_path):
    folder = tmp_path / "english"
    folder.mkdir()
    (folder / "a.txt").write_text("The council met on Monday. 会议 was short.\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"only 6% of the corpus's characters are Chinese"):
        corpus = load_corpus(folder, cache=False)
    # letters and digits: 29 Latin letters and 2 Han characters
    assert corpus.chinese_share() == pytest.approx(2 / 31)
