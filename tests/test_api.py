"""The methods of Corpus: each does the steps it needs, on a corpus small enough to count by hand."""
import pytest

from zhengyan import load_corpus
from zhengyan.core.checks import closest


@pytest.fixture
def corpus(speech_folder):
    return load_corpus(speech_folder, cache=False)


def test_repr_is_one_short_line(corpus):
    text = repr(corpus)
    assert text == "<Corpus corpus: 2 documents, 2019–2021, " + f"{int(corpus.documents['n_chars'].sum()):,} characters>"
    assert str(corpus) == text and len(text) < 100


def test_doc_by_label_doc_id_or_prefix(corpus):
    label = corpus.documents.loc[corpus.documents["doc_id"] == "a", "label"].iloc[0]
    assert corpus.doc(label)["doc_id"] == "a"
    assert corpus.doc("b")["title"] == "讲话乙"
    with pytest.raises(ValueError, match="no document is named 'c'"):
        corpus.doc("c")
    with pytest.raises(KeyError, match="matches 2 documents"):  # one lookup: the same error is a KeyError too
        corpus.doc("20")
    assert corpus.doc("讲话乙")["doc_id"] == "b"  # a part of a label


def test_kwic_carries_label_and_year(corpus):
    lines = corpus.kwic("三会一课", sort="right")
    assert list(lines["doc_id"]) == ["a", "b"]  # right contexts: ”制度 … before 要规范
    assert list(lines["year"]) == [2019, 2021]
    assert list(lines["right"].str[:2]) == ["”制", "要规"]


def test_trend_counts_by_year_with_the_documents_behind_it(corpus):
    table = corpus.trend(["三会一课", "一岗双责", "机关党建"])
    chars = corpus.documents.set_index("year")["n_chars"]
    got = table.set_index(["year", "item"])
    # a (2019): 三会一课 once, 一岗双责 once; b (2021): 三会一课 once, 机关党建 once
    assert got["n"].to_dict() == {(2019, "三会一课"): 1, (2019, "一岗双责"): 1, (2019, "机关党建"): 0,
                                  (2021, "三会一课"): 1, (2021, "一岗双责"): 0, (2021, "机关党建"): 1}
    assert got.loc[(2019, "三会一课"), "per_10k"] == pytest.approx(10_000 / chars[2019])
    assert set(table["n_docs"]) == {1}
    with pytest.raises(ValueError, match="at least one term"):
        corpus.trend([])


def test_cooccurrence_finds_its_mentions_itself(corpus):
    pairs = corpus.cooccurrence(context="sentence")
    a, b = ("item_a", "item_b") if "item_a" in pairs.columns else ("slogan_a", "slogan_b")
    met = {frozenset(p) for p in zip(pairs[a], pairs[b])}
    # 党员要落实一岗双责，增强四个意识；(the ； ends the sentence before 做到两个维护)
    assert met == {frozenset({"一岗双责", "四个意识"})}
    paragraph = corpus.cooccurrence(context="paragraph")
    assert len(paragraph) == 4  # 三会一课 with 全面从严治党; 一岗双责, 四个意识, 两个维护 (three pairs)
    with pytest.raises(ValueError, match="did you mean 'sentence'"):
        corpus.cooccurrence(context="sentense")


def test_theme_shares_dates_documents_itself(corpus):
    shares = corpus.theme_shares(by="year")
    assert set(shares["year"]) == {2019, 2021}
    with pytest.raises(ValueError, match="did you mean 'year'"):
        corpus.theme_shares(by="yaer")
    with pytest.raises(ValueError, match="no theme dictionary 'partty'; did you mean 'party'"):
        corpus.theme_shares(dictionary="partty")


def test_mentions_and_term_mentions_share_one_shape(corpus):
    found = corpus.mentions()
    chosen = corpus.term_mentions("机关党建")
    assert list(chosen.columns) == list(found.columns)
    assert list(chosen["doc_id"]) == ["b"]


def test_dated_gives_every_document_a_year(corpus):
    dated = corpus.dated()
    assert list(dated["year"]) == [2019, 2021]
    assert list(dated["year_source"]) == ["metadata", "metadata"]


def test_closest_names():
    assert closest("sentense", ["document", "paragraph", "sentence"]) == ["sentence"]
    assert closest("三会", ["三会一课", "一岗双责"]) == ["三会一课"]
    assert closest("zzz", ["a"]) == []


def test_year_analyses_use_inferred_years_only_at_the_stated_confidence(tmp_path):
    folder = tmp_path / "undated"
    folder.mkdir()
    (folder / "a.txt").write_text("2020年机关党建工作要点\n部署2020年工作，坚持三会一课。\n", encoding="utf-8")
    (folder / "b.txt").write_text("大家要团结一心，坚持三会一课。\n", encoding="utf-8")
    (folder / "c.txt").write_text("回顾过去，2018年，我们坚持三会一课。1998年也是如此。\n", encoding="utf-8")
    corpus = load_corpus(folder, cache=False)
    assert list(corpus.dated()["year_inferred_confidence"]) == ["high", "none", "low"]
    used = corpus.years_used()
    assert list(used.table["used"]) == [True, False, False]
    assert used.note() == "2 of 3 documents left out of year analyses (1 no year; 1 confidence low < medium)"
    assert list(corpus.trend("三会一课")["year"]) == [2020]  # the low-confidence 2018 is left out
    assert list(corpus.trend("三会一课", min_confidence="low")["year"]) == [2018, 2020]
    assert list(corpus.theme_shares(by="year")["year"].unique()) == [2020]


def _formula_totals_agree(corpus):
    counts = corpus.mentions().groupby("item").size()
    vocabulary = corpus.vocabulary().set_index("term")["n"]
    by_document = corpus.term_counts().groupby("term", observed=True)["n"].sum()
    assert len(counts) > 0
    assert (vocabulary.reindex(counts.index) == counts).all()
    assert (by_document.reindex(counts.index) == counts).all()
    return counts


def test_every_formula_counts_as_often_as_it_is_mentioned_in_the_term_tables(seeds_corpus, prc_corpus):
    seeds = _formula_totals_agree(seeds_corpus)
    # the segmenter cuts 不忘初心牢记使命 in pieces: the term tables still count the formula whole
    assert seeds.get("不忘初心牢记使命主题教育", 0) + seeds.get("不忘初心牢记使命", 0) > 0
    reports = _formula_totals_agree(prc_corpus)
    assert reports["中国特色社会主义"] > 400
    plain = prc_corpus.tokens[prc_corpus.tokens["term"] == "中国特色社会主义"]
    assert len(plain) < reports["中国特色社会主义"]  # the token table stays as cut: it misses the variants


def test_formula_counts_agree_on_a_news_sample(xwlb_dev, tmp_path):
    import shutil

    folder = tmp_path / "news"
    folder.mkdir()
    for path in sorted(xwlb_dev.glob("*.txt"))[:60]:
        shutil.copy(path, folder / path.name)
    _formula_totals_agree(load_corpus(folder, cache=False))
