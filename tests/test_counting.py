"""The counting core: the mentions shape, the nesting rule, group sizes and rates, one G²."""
import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from zhengyan.analyses import concordance, formulas, themes
from zhengyan.core import counting
from zhengyan import load_corpus


def test_g2_is_scipys_full_table_statistic_on_a_grid_with_zeros():
    values = [0, 1, 2, 5, 40]
    checked = 0
    for a, b, x, y in itertools.product(values, repeat=4):
        c, d = a + x, b + y  # target and reference sizes
        table = np.array([[a, b], [x, y]])
        if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
            assert counting.log_likelihood(a, b, c, d) == 0.0  # a margin of 0: no evidence either way
            continue
        expected = chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
        assert counting.log_likelihood(a, b, c, d) == pytest.approx(expected, abs=1e-9, rel=1e-12), table
        checked += 1
    assert checked > 300
    # vectorised like the scalar
    got = counting.log_likelihood([5, 0], [3, 1], [8, 5], [2992, 4])
    assert got.tolist() == [counting.log_likelihood(5, 3, 8, 2992), counting.log_likelihood(0, 1, 5, 4)]


def test_g2_reads_a_of_c_against_b_of_d():
    # 5 of a target of 8 against 3 of a reference of 2,992: the table [[5, 3], [3, 2989]]
    assert counting.log_likelihood(5, 3, 8, 2992) == pytest.approx(52.797, abs=1e-3)
    assert counting.signed_log_likelihood(3, 5, 2992, 8) == pytest.approx(-52.797, abs=1e-3)
    assert counting.signed_log_likelihood(5, 3, 8, 2992) > 0


def test_williams_correction_and_bad_option():
    # [[5, 3], [3, 2989]]: N = 3000, rows 8 / 2992, columns 8 / 2992
    q = 1 + (3000 / 8 + 3000 / 2992 - 1) * (3000 / 8 + 3000 / 2992 - 1) / (6 * 3000)
    assert counting.log_likelihood(5, 3, 8, 2992, correction="williams") == pytest.approx(
        counting.log_likelihood(5, 3, 8, 2992) / q)
    with pytest.raises(ValueError, match="correction must be one of 'none', 'williams'"):
        counting.log_likelihood(1, 1, 2, 2, correction="yates")


def test_nested_matches_are_dropped_and_overlapping_ones_kept():
    # 全面从严治党 [0, 6) holds 从严治党 [2, 6); 精准脱贫 [10, 14) and 脱贫攻坚 [12, 16) overlap
    keep = counting.drop_nested(np.array([0, 2, 10, 12]), np.array([6, 6, 14, 16]))
    assert keep.tolist() == [True, False, True, True]
    # the same spans in another document are judged there
    keep = counting.drop_nested(np.array([2, 0]), np.array([6, 6]), docs=np.array([0, 1]))
    assert keep.tolist() == [True, True]



def test_find_terms_counts_characters_past_astral_ones_and_lone_surrogates():
    # 😀 is one character (four UTF-8 bytes): offsets after it are Python's, every occurrence is
    # found, the nested one dropped
    text = "😀全面从严治党，从严治党，严治"
    rows = counting.find_terms([text, "从严"], ["a", "b"], ["从严治党", "全面从严治党", "严治", "从严"])
    assert rows == [("a", 1, 7, "全面从严治党"), ("a", 8, 12, "从严治党"), ("a", 13, 15, "严治"),
                    ("b", 0, 2, "从严")]
    assert [text[s:e] for _, s, e, _ in rows[:3]] == ["全面从严治党", "从严治党", "严治"]
    # every match, overlapping ones included, before the nesting rule; a lone surrogate (which no
    # UTF-8 text holds) is stepped over, the offsets after it unchanged
    automaton = counting._automaton(("严治", "从严"))
    assert sorted(counting.matches(automaton, "从严治")) == [(0, 1, 3), (1, 0, 2)]
    assert counting.matches(automaton, "\udcff从严") == [(1, 1, 3)]
    assert counting._terms_in("a", "从严\udcff严治", ("严治", "从严")) == [("a", 0, 2, "从严"), ("a", 3, 5, "严治")]


def test_formulas_follow_the_nesting_rule():
    found = [(s, e, item) for s, e, item, _, _ in formulas.find_mentions("打赢精准脱贫攻坚战，全面从严治党。")]
    assert found == [(2, 6, "精准脱贫"), (4, 9, "脱贫攻坚"), (10, 16, "全面从严治党")]  # 脱贫攻坚战 is a variant
    found = [item for _, _, item, _, _ in formulas.find_mentions("落实中央八项规定精神，实现中华民族伟大复兴的中国梦")]
    assert found == ["八项规定", "中国梦"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("counting")
    (folder / "a.txt").write_text("党支部落实三会一课。\n全面从严治党，从严治党。\n", encoding="utf-8")
    (folder / "b.txt").write_text("三会一课要规范。\n", encoding="utf-8")
    (folder / "metadata.csv").write_text("doc_id,year\na,2019\nb,2020\n", encoding="utf-8")
    return load_corpus(folder, cache=False)


def test_every_mentions_table_has_one_shape(small):
    shape = list(counting.MENTION_COLUMNS)
    found = formulas.mentions(small)
    assert list(found.columns) == shape
    assert found[["doc_id", "para_id", "sent_id", "item"]].values.tolist() == [
        ["a", 0, 0, "三会一课"], ["a", 1, 1, "全面从严治党"], ["a", 1, 1, "从严治党"], ["b", 0, 0, "三会一课"]]
    chosen = concordance.term_mentions(small, ["从严治党", "三会一课"])
    assert list(chosen.columns) == shape
    # 从严治党 inside 全面从严治党 counts once more only where it stands alone (not a listed longer term here)
    assert chosen.groupby("item").size().to_dict() == {"三会一课": 2, "从严治党": 2}
    dictionary = pd.DataFrame({"theme": ["组织", "作风"], "term": ["三会一课", "从严治党"]})
    by_theme = themes.theme_mentions(small, dictionary)
    assert list(by_theme.columns) == shape + ["theme"]
    assert by_theme[["sent_id", "item", "theme"]].values.tolist()[:1] == [[0, "三会一课", "组织"]]


def test_a_plain_string_is_one_term(small):
    one = concordance.term_mentions(small, "三会一课")
    assert one["item"].tolist() == ["三会一课", "三会一课"]
    assert counting.as_terms("三会一课") == ["三会一课"]
    with pytest.raises(ValueError, match="empty term"):
        counting.as_terms(["三会一课", " "])


def test_group_sizes_and_zero_filled_counts(small):
    docs = small.documents
    sizes = counting.group_sizes(docs, "year")
    assert sizes["n_docs"].tolist() == [1, 1] and sizes.index.tolist() == [2019, 2020]
    found = formulas.mentions(small)
    counts = counting.count_by(found, docs, by="year", items=["三会一课", "从严治党"]).set_index(["year", "item"])
    assert counts.loc[(2019, "三会一课"), "n"] == 1 and counts.loc[(2020, "从严治党"), "n"] == 0
    chars_2020 = int(docs.loc[docs["year"] == 2020, "n_chars"].sum())
    assert chars_2020 == 8  # 三会一课要规范。
    assert counts.loc[(2020, "三会一课"), "per_10k"] == pytest.approx(1 / 8 * 10_000)
    tokens_2020 = int(docs.loc[docs["year"] == 2020, "n_tokens"].sum())
    assert counts.loc[(2020, "三会一课"), "per_1k_tokens"] == pytest.approx(1 / tokens_2020 * 1_000)
    with pytest.raises(ValueError, match="by='place' needs a documents table"):
        counting.group_sizes(docs, "place")


def test_cooccurrence_computes_formula_mentions_itself(small):
    from zhengyan.analyses import cooccurrence

    pairs = cooccurrence.cooccurrence(small, context="document")
    assert list(pairs.columns[:3]) == ["item_a", "item_b", "context"]
    assert sorted(zip(pairs["item_a"], pairs["item_b"])) == [
        ("三会一课", "从严治党"), ("三会一课", "全面从严治党"), ("从严治党", "全面从严治党")]


def test_theme_shares_from_the_corpus_and_misspelt_dictionaries(small):
    got = themes.theme_shares(small, by="doc_id", dictionary="party")
    assert {"doc_id", "theme", "n", "per_10k", "share", "n_docs", "single_doc"} <= set(got.columns)
    with pytest.raises(ValueError, match="did you mean 'party'"):
        themes.theme_shares(small, dictionary="partty")


def test_is_in_tests_a_categorical_by_its_categories_as_astype_str_isin_does():
    column = pd.Series(pd.Categorical(["a", "b", None, "c", "a"], categories=["c", "b", "a", "unused"]))
    for values in (["a"], ["b", "c"], [], ["nan", "a"], ["zzz"]):
        expected = column.astype(str).isin(values).to_numpy()
        assert counting.is_in(column, values).tolist() == expected.tolist()
        assert counting.is_in(column.astype(object), values).tolist() == expected.tolist()
    assert counting.is_in(column, ["a"]).tolist() == [True, False, False, False, True]
