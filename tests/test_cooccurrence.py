"""Co-occurrence on a corpus small enough to count by hand.

x (2019): paragraph 0 = s0 “落实三会一课和一岗双责。” s1 “坚持三会一课。”; paragraph 1 = s2 “推进全面从严治党。”
y (2020): paragraph 0 = s0 “落实一岗双责。”
"""
import math

import pytest

from zhengyan.analyses import cooccurrence as co
from zhengyan.analyses import concordance, formulas
from zhengyan import load_corpus


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("co")
    (folder / "x.txt").write_text("落实三会一课和一岗双责。坚持三会一课。\n推进全面从严治党。\n", encoding="utf-8")
    (folder / "y.txt").write_text("落实一岗双责。\n", encoding="utf-8")
    (folder / "metadata.csv").write_text("doc_id,year\nx,2019\ny,2020\n", encoding="utf-8")
    corpus = load_corpus(folder, cache=False)
    return corpus, formulas.mentions(corpus)


def row(table, a, b):
    hit = table[(table["item_a"] == a) & (table["item_b"] == b)]
    assert len(hit) == 1, (a, b, table)
    return hit.iloc[0]


def test_sentence_context(small):
    corpus, found = small
    table = co.cooccurrence(corpus, found, context="sentence")
    assert len(table) == 1  # only 一岗双责 and 三会一课 share a sentence
    r = row(table, "一岗双责", "三会一课")
    assert (r["n_ab"], r["n_a"], r["n_b"], r["n_contexts"]) == (1, 2, 2, 4)
    assert r["expected"] == 1.0  # 2·2/4
    assert r["jaccard"] == pytest.approx(1 / 3) and r["dice"] == 0.5
    assert r["pmi"] == 0.0 and r["npmi"] == 0.0
    assert r["g2"] == pytest.approx(0.0) and r["p"] == pytest.approx(1.0)


def test_paragraph_context(small):
    corpus, found = small
    r = row(co.cooccurrence(corpus, found, context="paragraph"), "一岗双责", "三会一课")
    assert (r["n_ab"], r["n_a"], r["n_b"], r["n_contexts"]) == (1, 2, 1, 3)
    assert r["expected"] == pytest.approx(2 / 3)
    assert r["pmi"] == pytest.approx(math.log2(3 / 2))
    assert r["npmi"] == pytest.approx(math.log2(3 / 2) / math.log2(3))


def test_document_context_and_year_filter(small):
    corpus, found = small
    table = co.cooccurrence(corpus, found, context="document")
    assert sorted(zip(table["item_a"], table["item_b"], table["n_ab"])) == [
        ("一岗双责", "三会一课", 1), ("一岗双责", "全面从严治党", 1), ("三会一课", "全面从严治党", 1)]
    assert set(table["n_contexts"]) == {2}
    assert row(table, "一岗双责", "三会一课")["pmi"] == 0.0  # 一岗双责 is in every document
    assert co.cooccurrence(corpus, found, context="document", years=[2020]).empty
    assert len(co.cooccurrence(corpus, found, context="document", years=[2019])) == 3


def test_window_context(small):
    corpus, found = small
    near = co.cooccurrence(corpus, found, context="window", window=2)
    assert set(near["context"]) == {"window2"}
    assert set(near["n_contexts"]) == {len(corpus.tokens)}
    assert row(near, "一岗双责", "三会一课")["n_ab"] > 0
    far = co.cooccurrence(corpus, found, context="window", window=1)
    assert far[(far["item_a"] == "三会一课") & (far["item_b"] == "全面从严治党")].empty


def test_terms_can_be_paired_like_slogans(small):
    corpus, _ = small
    found = concordance.term_mentions(corpus, ["落实", "一岗双责"])
    r = row(co.cooccurrence(corpus, found, context="sentence"), "一岗双责", "落实")
    assert (r["n_ab"], r["n_a"], r["n_b"]) == (2, 2, 2)


def test_matrix_and_bad_options(small):
    corpus, found = small
    table = co.cooccurrence(corpus, found, context="document")
    m = co.matrix(table, items=["一岗双责", "三会一课", "全面从严治党"])
    assert m.loc["三会一课", "一岗双责"] == m.loc["一岗双责", "三会一课"] == 1 and m.loc["三会一课", "三会一课"] == 0
    with pytest.raises(ValueError, match="context must be one of"):
        co.cooccurrence(corpus, found, context="chapter")
