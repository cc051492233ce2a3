"""Trend measures on a hand-made years × terms table; the known shifts of the reports corpus."""
import numpy as np
import pandas as pd
import pytest

from analysis import slogans, trends, years


@pytest.fixture
def table():
    # four years of 10,000 characters each; 新词 arrives in 2002, 旧词 fades after 2001, 平词 is flat
    counts = pd.DataFrame({"新词": [0, 0, 4, 6], "旧词": [5, 5, 0, 0], "平词": [2, 2, 2, 2]}, index=[2000, 2001, 2002, 2003])
    chars = pd.Series([10_000] * 4, index=[2000, 2001, 2002, 2003])
    return trends.trends(counts, chars).set_index("term")


def test_first_last_peak_and_change(table):
    assert table.loc["新词", ["first_year", "last_year", "peak_year", "change_year", "direction"]].tolist() == [
        2002, 2003, 2003, 2002, "rise"]
    assert table.loc["旧词", ["first_year", "last_year", "change_year", "direction"]].tolist() == [2000, 2001, 2002, "fall"]
    assert table.loc["新词", "per_10k_before"] == 0 and table.loc["新词", "per_10k_after"] == 5.0
    # G² of the 2×2 table [[0, 10], [20,000, 19,990]] (before, after): expected 5 and 19,995 in each column
    assert table.loc["新词", "change_g2"] == pytest.approx(2 * (10 * np.log(2) + 20_000 * np.log(20_000 / 19_995)
                                                               + 19_990 * np.log(19_990 / 19_995)))
    assert table.loc["新词", "log_ratio"] == pytest.approx(np.log2(10.5 / 0.5))


def test_rank_correlation_and_slope(table):
    # ranks of 新词's rates: 1.5, 1.5, 3, 4 against years 1…4: Spearman rho = 0.9487
    assert table.loc["新词", "rho"] == pytest.approx(0.948683, abs=1e-6)
    assert table.loc["新词", "slope"] == pytest.approx(2.2)  # least squares of 0, 0, 4, 6 on 0…3: 11 / 5
    assert np.isnan(table.loc["平词", "rho"])  # a flat rate has no rank order


def test_rising_and_falling_lists(table):
    assert trends.rising(table.reset_index(), 5, min_g2=0)["term"].tolist() == ["新词"]
    assert trends.falling(table.reset_index(), 5, min_g2=0)["term"].tolist()[:1] == ["旧词"]


def test_too_few_years():
    with pytest.raises(ValueError, match="at least three years"):
        trends.trends(pd.DataFrame({"a": [1, 2]}, index=[2000, 2001]), pd.Series([10, 10], index=[2000, 2001]))


def test_periods_labels():
    docs = pd.DataFrame({"year": pd.array([1975, 1980, 1995, pd.NA], "Int64")})
    assert trends.periods(docs, [1978, 1992]).tolist()[:3] == ["–1977", "1978–1991", "1992–"]


def test_known_shifts_come_out_of_the_reports(prc_corpus):
    """阶级斗争 fades in the 1980s, 社会主义市场经济 arrives in 1992–93, 高质量发展 rises after 2017 —
    found by the rising/falling analysis of all formulas, none of them named to it."""
    docs = years.with_years(prc_corpus.documents)
    table = trends.trends(*trends.mention_counts(slogans.mentions(prc_corpus), docs))
    risers = trends.rising(table, 10)["term"].tolist()
    fallers = trends.falling(table, 5)["term"].tolist()
    assert "高质量发展" in risers[:5] and "社会主义市场经济" in risers[:10]
    assert "阶级斗争" in fallers[:5]
    row = table.set_index("term")
    assert row.loc["社会主义市场经济", ["first_year", "change_year"]].tolist() == [1992, 1992]
    assert row.loc["高质量发展", ["first_year", "change_year"]].tolist() == [2017, 2018]
    assert 1980 <= row.loc["阶级斗争", "change_year"] <= 1989 and row.loc["阶级斗争", "direction"] == "fall"
