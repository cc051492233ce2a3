"""Counting verbs on a hand-countable table: counts, rates, TF-IDF, G², log ratio.

Document A (20 characters): 党 党 党 建设 作风 (+ the stopword 的)
Document B (10 characters): 党 建设 建设 纪律 (+ the filler word 要)
"""
import math

import pandas as pd
import pytest

from zhengyan.analyses import frequency
from zhengyan.core import counting


@pytest.fixture
def tokens():
    rows = [("A", t) for t in ["党", "党", "的", "党", "建设", "作风"]] + [("B", t) for t in ["党", "要", "建设", "建设", "纪律"]]
    frame = pd.DataFrame(rows, columns=["doc_id", "term"])
    frame["kind"] = "word"
    frame["stop"] = frame["term"].eq("的")
    frame["filler"] = frame["term"].eq("要")
    return frame


@pytest.fixture
def documents():
    return pd.DataFrame({"doc_id": ["A", "B"], "n_chars": [20, 10], "n_tokens": [5, 4], "year": [2019, 2020]})


def test_counts_by_document(tokens, documents):
    got = frequency.term_counts(tokens, documents)
    a = got[got["doc_id"] == "A"].set_index("term")
    assert a["n"].to_dict() == {"党": 3, "作风": 1, "建设": 1}
    assert a["rank"].to_dict() == {"党": 1, "作风": 2, "建设": 2}
    assert a.loc["党", "per_10k"] == 1500.0  # 3 / 20 × 10,000
    assert a.loc["党", "per_1k_tokens"] == 600.0  # 3 / 5 × 1,000
    b = got[got["doc_id"] == "B"].set_index("term")
    assert b["n"].to_dict() == {"建设": 2, "党": 1, "纪律": 1}
    assert b.loc["建设", "per_10k"] == 2000.0


def test_stopwords_and_filler(tokens, documents):
    with_filler = frequency.term_counts(tokens, documents, filler=False)
    assert set(with_filler["term"]) == {"党", "建设", "作风", "纪律", "要"}
    assert "的" not in set(with_filler["term"])


def test_counts_by_a_metadata_column_and_requested_terms(tokens, documents):
    got = frequency.term_counts(tokens, documents, by="year", terms=["纪律", "作风"])
    assert got[["year", "term", "n", "per_10k"]].values.tolist() == [
        [2019, "作风", 1, 500.0], [2019, "纪律", 0, 0.0], [2020, "纪律", 1, 1000.0], [2020, "作风", 0, 0.0],
    ]
    with pytest.raises(ValueError, match="by='place' needs a documents table with that column"):
        frequency.term_counts(tokens, documents, by="place")


def test_corpus_counts(tokens, documents):
    got = frequency.corpus_counts(tokens, documents).set_index("term")
    assert got["n"].to_dict() == {"党": 4, "建设": 3, "作风": 1, "纪律": 1}
    assert got["docfreq"].to_dict() == {"党": 2, "建设": 2, "作风": 1, "纪律": 1}
    assert got["rank"].to_dict() == {"党": 1, "建设": 2, "作风": 3, "纪律": 3}
    assert got.loc["党", "per_10k"] == pytest.approx(4 / 30 * 10_000)


def test_tfidf(tokens):
    got = frequency.tfidf(tokens).set_index(["doc_id", "term"])
    assert got.loc[("A", "党"), "tfidf"] == 0.0  # in both documents: idf = ln(2/2) = 0
    assert got.loc[("A", "作风"), "tf"] == pytest.approx(0.2)  # 1 of A's 5 terms
    assert got.loc[("A", "作风"), "idf"] == pytest.approx(math.log(2))
    assert got.loc[("A", "作风"), "tfidf"] == pytest.approx(0.1386294)
    assert got.loc[("B", "纪律"), "tfidf"] == pytest.approx(0.1732868)  # 1/4 × ln 2


#: 党: a=3 of c=5 in A, b=1 of d=4 in B; the 2×2 table [[3, 1], [2, 3]], N = 9, expected [[20/9, 16/9], [25/9, 20/9]]:
#: G² = 2(3 ln 1.35 + 1 ln 0.5625 + 2 ln 0.72 + 3 ln 1.35) = 2(0.900314 − 0.575364 − 0.657008 + 0.900314)
G2_PARTY = 2 * (3 * math.log(1.35) + math.log(0.5625) + 2 * math.log(0.72) + 3 * math.log(1.35))
#: 作风: 1 of 5 in A, 0 of 4 in B: [[1, 0], [4, 4]], expected [[5/9, 4/9], [40/9, 32/9]]
G2_STYLE = 2 * (math.log(9 / 5) + 4 * math.log(36 / 40) + 4 * math.log(36 / 32))
#: 纪律: 0 of 5 in A, 1 of 4 in B: [[0, 1], [5, 3]]
G2_DISCIPLINE = 2 * (math.log(9 / 4) + 5 * math.log(45 / 40) + 3 * math.log(27 / 32))


def test_log_likelihood_by_hand():
    assert counting.log_likelihood(3, 1, 5, 4) == pytest.approx(G2_PARTY, abs=1e-12)
    assert G2_PARTY == pytest.approx(1.136511, abs=1e-6)
    assert counting.log_likelihood(0, 0, 5, 4) == 0.0


def test_keyness_of_a_document_against_the_rest(tokens, documents):
    got = frequency.keyness(tokens, "A", documents=documents, min_freq=1).set_index("term")
    assert got.loc["党", ["n_target", "n_reference"]].tolist() == [3, 1]
    assert got.loc["党", "g2"] == pytest.approx(G2_PARTY)
    assert got.loc["党", "log_ratio"] == pytest.approx(math.log2((3 / 5) / (1 / 4)))
    assert got.loc["作风", "g2"] == pytest.approx(G2_STYLE)
    assert got.loc["作风", "log_ratio"] == pytest.approx(math.log2((1 / 5) / (0.5 / 4)))  # zero count → 0.5
    assert got.loc["纪律", "g2"] == pytest.approx(-G2_DISCIPLINE)  # under-used: negative
    assert got.loc["纪律", "p"] == pytest.approx(0.1821, abs=1e-4)  # chi² (1 df) tail of 1.7803
    assert got.loc["党", "per_10k_target"] == 1500.0 and got.loc["党", "per_10k_reference"] == 1000.0
    assert list(got.index[:1]) == ["作风"]  # sorted by g2, largest first
    assert frequency.keyness(tokens, "A", documents=documents, min_freq=2)["term"].tolist() == ["党", "建设"]


def test_keyness_against_a_reference_corpus(tokens):
    ref = tokens[tokens["doc_id"] == "B"]
    target_only = tokens[tokens["doc_id"] == "A"]
    got = frequency.keyness(target_only, "A", reference=ref, min_freq=1).set_index("term")
    assert got.loc["党", "g2"] == pytest.approx(G2_PARTY)


def test_keyness_each_stacks_every_document(tokens, documents):
    got = frequency.keyness_each(tokens, documents, min_freq=1)
    assert sorted(got["doc_id"].unique()) == ["A", "B"]
    b = got[got["doc_id"] == "B"].set_index("term")
    assert b.loc["纪律", "g2"] == pytest.approx(G2_DISCIPLINE)


def test_keyness_rejects_an_unknown_target(tokens, documents):
    with pytest.raises(ValueError, match="no tokens where doc_id is"):
        frequency.keyness(tokens, "Z", documents=documents)


def test_keyness_each_agrees_with_keyness_on_the_seeds(seeds_corpus):
    docs = seeds_corpus.documents
    each = frequency.keyness_each(seeds_corpus.tokens, docs, min_freq=2)
    for doc_id in docs["doc_id"]:
        one = frequency.keyness(seeds_corpus.tokens, doc_id, documents=docs, min_freq=2).set_index("term")
        mine = each[each["doc_id"] == doc_id].set_index("term")
        assert set(mine.index) == set(one.index[(one["n_target"] > 0) | (one["p"] < 0.05)])
        cols = ["n_target", "n_reference", "g2", "p", "log_ratio", "per_10k_target", "per_10k_reference"]
        pd.testing.assert_frame_equal(mine.loc[one.index.intersection(mine.index), cols],
                                      one.loc[one.index.intersection(mine.index), cols], check_dtype=False)


def test_keyness_of_each_period_against_the_rest(tokens, documents):
    from zhengyan.analyses import trends

    periods = documents.assign(period=trends.periods(documents, [2020]))
    assert periods["period"].tolist() == ["–2019", "2020–"]
    by_period = frequency.keyness_each(tokens, periods, by="period", min_freq=1).set_index(["period", "term"])
    by_doc = frequency.keyness_each(tokens, documents, min_freq=1).set_index(["doc_id", "term"])
    assert by_period.loc[("2020–", "纪律"), "g2"] == pytest.approx(by_doc.loc[("B", "纪律"), "g2"])
    assert by_period.loc[("–2019", "党"), "n_target"] == 3


def test_a_plain_string_is_one_term_and_the_sparse_matrix(tokens, documents):
    got = frequency.term_counts(tokens, documents, terms="纪律")
    assert got[["doc_id", "term", "n"]].values.tolist() == [["A", "纪律", 0], ["B", "纪律", 1]]
    matrix, groups, terms = frequency.sparse_matrix(frequency.term_counts(tokens, documents))
    assert groups.tolist() == ["A", "B"] and terms.tolist() == ["作风", "党", "建设", "纪律"]
    assert matrix.toarray().tolist() == [[1, 3, 1, 0], [0, 1, 2, 1]]
    assert matrix.nnz == 6  # only the non-zero cells are stored
    with pytest.raises(ValueError, match="value must be one of"):
        frequency.term_matrix(frequency.term_counts(tokens), value="tf")


def test_keyness_each_with_no_term_frequent_enough_is_an_empty_table(seeds_corpus):
    from zhengyan.analyses import frequency

    table = frequency.keyness_each(seeds_corpus.tokens, seeds_corpus.documents, min_freq=10**9)
    assert table.empty
    assert {"doc_id", "term", "n_target", "n_reference", "g2", "p", "log_ratio"} <= set(table.columns)


@pytest.mark.parametrize("filler", [False, True])
def test_document_terms_equals_term_counts_and_tfidf_joined(seeds_corpus, filler):
    c = seeds_corpus
    counts = frequency.term_counts(c.tokens, c.documents, filler=filler)
    weights = frequency.tfidf(c.tokens, filler=filler)[["doc_id", "term", "tfidf"]]
    want = counts.merge(weights, on=["doc_id", "term"], how="left")[["doc_id", "term", "n", "per_10k", "tfidf"]]
    want = want.sort_values(["doc_id", "n", "term"], ascending=[True, False, True]).reset_index(drop=True)
    got = frequency.document_terms(c.tokens, c.documents, filler=filler)
    assert len(got) == len(want) > 2900
    pd.testing.assert_frame_equal(got.astype({"doc_id": str, "term": str}), want, check_exact=False, rtol=1e-12)


def test_keyness_each_can_keep_the_significant_rows_only(seeds_corpus):
    c = seeds_corpus
    every = frequency.keyness_each(c.tokens, c.documents, min_freq=2)
    significant = frequency.keyness_each(c.tokens, c.documents, min_freq=2, max_p=0.05)
    assert significant.attrs["rows"] == len(every) > len(significant) > 100
    pd.testing.assert_frame_equal(significant, every[every["p"] < 0.05].reset_index(drop=True))
    coded = frequency.keyness_each(c.tokens, c.documents, min_freq=2, max_p=0.05, categories=True)
    assert isinstance(coded["term"].dtype, pd.CategoricalDtype) and isinstance(coded["doc_id"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(coded.astype({"doc_id": str, "term": str}), significant)


def test_keyness_each_in_blocks_gives_the_same_table(seeds_corpus, monkeypatch):
    c = seeds_corpus
    whole = frequency.keyness_each(c.tokens, c.documents, min_freq=2)
    monkeypatch.setattr(frequency, "KEYNESS_BLOCK", 300)  # a block per document or less
    pd.testing.assert_frame_equal(frequency.keyness_each(c.tokens, c.documents, min_freq=2), whole)


def test_keyness_each_empty_keeps_categorical_columns(seeds_corpus):
    c = seeds_corpus
    table = frequency.keyness_each(c.tokens, c.documents, min_freq=10**9, categories=True)
    assert table.empty
    assert isinstance(table["doc_id"].dtype, pd.CategoricalDtype)
    assert isinstance(table["term"].dtype, pd.CategoricalDtype)
