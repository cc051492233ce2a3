"""Trend measures on a hand-made years × terms table; the known shifts of the reports corpus."""
import numpy as np
import pandas as pd
import pytest

from zhengyan.analyses import formulas, trends, years


@pytest.fixture
def table():
    # four years of 10,000 characters each; 新词 arrives in 2002, 旧词 fades after 2001, 平词 is flat
    counts = pd.DataFrame({"新词": [0, 0, 4, 6], "旧词": [5, 5, 0, 0], "平词": [2, 2, 2, 2]}, index=[2000, 2001, 2002, 2003])
    chars = pd.Series([10_000] * 4, index=[2000, 2001, 2002, 2003])
    return trends.trends(counts, chars, min_years=1).set_index("term")


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


def test_a_term_that_rises_and_falls_is_reported_with_its_peak():
    years = list(range(2010, 2024))
    # absent until 2015, 30 a year 2016–2020, 3 a year after: rise then fall, peak 2016–2020
    bump = [0] * 6 + [30] * 5 + [3] * 3
    steady = [0] * 6 + [30] * 8  # arrives in 2016 and stays
    counts = pd.DataFrame({"峰词": bump, "新词": steady}, index=years)
    table = trends.trends(counts, pd.Series([100_000] * len(years), index=years)).set_index("term")
    assert table.loc["峰词", ["shape", "window_start", "window_end"]].tolist() == ["rise-fall", 2016, 2020]
    assert table.loc["新词", ["shape", "direction", "change_year"]].tolist() == ["rise", "rise", 2016]
    assert pd.isna(table.loc["新词", "window_start"])
    assert trends.peaks(table.reset_index())["term"].tolist() == ["峰词"]


def test_strength_needs_size_and_evidence():
    # the same fourfold rise on 4 → 16 and on 40 → 160 occurrences: more evidence, more strength
    small, large = trends.shift_strength([16, 160], [4, 40], [10_000, 10_000], [10_000, 10_000])
    assert 0 <= small < large < 2  # both under log2 4 = 2, the point estimate
    assert trends.shift_strength(5, 5, 10_000, 10_000) == 0.0  # no shift
    with pytest.raises(ValueError, match="by must be one of 'strength', 'change_g2', 'log_ratio'"):
        trends.rising(pd.DataFrame(), by="g2")


def test_dates_numbers_and_reporting_verbs_stay_out_unless_asked():
    docs = pd.DataFrame({"doc_id": list("abcd"), "year": [2000, 2001, 2002, 2003], "n_chars": [100] * 4,
                         "n_tokens": [10] * 4})
    rows = [(d, t) for d in "abcd" for t in ("日", "21日", "称", "日称", "表示", "三", "改革", "改革")]
    tokens = pd.DataFrame(rows, columns=["doc_id", "term"]).assign(kind="word", stop=False, filler=False)
    counts, chars = trends.yearly_counts(tokens, docs, min_total=1, min_docs=1)
    assert list(counts.columns) == ["改革"] and counts["改革"].tolist() == [2, 2, 2, 2]
    assert chars.tolist() == [100] * 4
    kept, _ = trends.yearly_counts(tokens, docs, min_total=1, min_docs=1, keep=["dates", "reporting"])
    assert sorted(kept.columns) == sorted(["日", "21日", "称", "日称", "表示", "三", "改革"])
    few, _ = trends.yearly_counts(tokens[tokens["doc_id"] != "a"].iloc[:-6], docs, min_total=1, min_docs=4)
    assert list(few.columns) == []


def test_known_shifts_come_out_of_the_reports(prc_corpus):
    """阶级斗争 fades from the late 1970s, 社会主义市场经济 arrives in 1992, 高质量发展 rises after 2017 —
    found by the rising/falling analysis of all formulas and of all terms, none of them named to it."""
    docs = years.with_years(prc_corpus.documents)
    found = formulas.mentions(prc_corpus)
    table = trends.trends(*trends.mention_counts(found, docs))
    risers = trends.rising(table, 20)["term"].tolist()
    fallers = trends.falling(table, 5)["term"].tolist()
    assert "高质量发展" in risers[:3] and "社会主义市场经济" in risers
    assert "阶级斗争" in fallers
    row = table.set_index("term")
    assert row.loc["社会主义市场经济", ["first_year", "change_year", "direction"]].tolist() == [1992, 1992, "rise"]
    assert row.loc["高质量发展", ["first_year", "change_year"]].tolist() == [2017, 2018]
    assert 1977 <= row.loc["阶级斗争", "change_year"] <= 1984 and row.loc["阶级斗争", "direction"] == "fall"
    # all terms (about 2,000 significant risers and 1,500 fallers), formulas counted as one token
    # each: the same three shifts rank within the first 60
    terms = trends.trends(*trends.yearly_counts(formulas.formula_tokens(prc_corpus, found), docs))
    rising_terms = trends.rising(terms, 60)["term"].tolist()
    falling_terms = trends.falling(terms, 60)["term"].tolist()
    assert "高质量发展" in rising_terms[:5] and "社会主义市场经济" in rising_terms and "阶级斗争" in falling_terms
    assert all(not trends.DATE_OR_NUMBER.match(t) and t not in trends.REPORTING for t in rising_terms + falling_terms)


def test_the_window_search_picks_the_window_of_largest_g2():
    rng = np.random.default_rng(7)
    n_years, n_terms = 14, 300
    counts = rng.poisson(rng.gamma(1.0, 3.0, size=(1, n_terms)), size=(n_years, n_terms)).astype(float)
    counts[4:7, :50] += 40  # some peaks
    chars = rng.integers(50_000, 200_000, size=n_years).astype(float)
    cum_n = np.vstack([np.zeros((1, n_terms)), counts.cumsum(axis=0)])
    cum_c = np.r_[0.0, chars.cumsum()]
    ii, jj = np.triu_indices(n_years + 1, k=1)
    inner = (ii >= 1) & (jj <= n_years - 1)
    ii, jj = ii[inner], jj[inner]
    g2, _, _ = trends._segments_g2(cum_n, cum_c, ii, jj)
    best = trends._best_window(cum_n, cum_c, ii, jj)
    np.testing.assert_allclose(g2[best, np.arange(n_terms)], g2.max(axis=0), rtol=1e-9)
    assert (best == g2.argmax(axis=0)).mean() > 0.99


def test_window_search_gives_the_same_windows_by_table_and_by_formula(monkeypatch):
    """Whole counts take x·ln x from a table; fractional counts (a table of rates, say) are computed:
    either way each term's window is the one the formula gives."""
    rng = np.random.default_rng(7)
    years = list(range(2000, 2012))
    whole = pd.DataFrame(rng.integers(0, 40, size=(len(years), 30)), index=years,
                         columns=[f"t{i}" for i in range(30)])
    chars = pd.Series(rng.integers(20_000, 40_000, size=len(years)), index=years)
    for counts in (whole, whole * 0.37):
        fast = trends.trends(counts, chars)
        monkeypatch.setattr(trends, "WHOLE_TABLE", -1)  # always by the formula
        pd.testing.assert_frame_equal(fast, trends.trends(counts, chars))
        monkeypatch.undo()


def test_trends_measured_in_blocks_by_the_workers_are_the_trends_of_one_pass(monkeypatch):
    """On a large corpus the terms go to the analysis workers a block at a time: the table is the same."""
    from zhengyan.core import pool

    rng = np.random.default_rng(11)
    years = list(range(1990, 2015))
    counts = pd.DataFrame(rng.integers(0, 60, size=(len(years), 90)), index=years,
                          columns=[f"t{i:02d}" for i in range(90)])
    chars = pd.Series(rng.integers(20_000, 40_000, size=len(years)), index=years)
    whole = trends.trends(counts, chars)
    assert len(whole) == 90
    monkeypatch.setattr(trends, "TREND_BLOCK", 8)
    monkeypatch.setattr(pool, "PARALLEL_CHARS", 0)  # workers, whatever the size (where two cores are free)
    pd.testing.assert_frame_equal(trends.trends(counts, chars), whole)


# ------------------------------------------------------------------ changes a reader can trust
def _tokens(rows, glued=False):
    """A tokens table from (doc_id, term) rows, each document's tokens written one after the other,
    flush (``glued``) or with a punctuation mark between each two."""
    table = pd.DataFrame(rows, columns=["doc_id", "term"])
    lengths = table["term"].str.len() + (0 if glued else 1)
    start = lengths.groupby(table["doc_id"]).cumsum() - lengths
    return table.assign(start=start, kind="word", stop=False, filler=False)


def _docs(per_year, first=2010, chars=1_000):
    ids = [(f"d{y}_{i}", y) for y in range(first, first + len(per_year)) for i in range(per_year[y - first])]
    return pd.DataFrame({"doc_id": [d for d, _ in ids], "year": [y for _, y in ids], "n_chars": chars,
                         "n_tokens": 100})


def test_a_burst_in_one_document_is_not_a_riser():
    docs = _docs([10] * 8)
    rows = [(d, "改革") for d in docs["doc_id"] for _ in range(3)]
    rows += [(d, "创新") for d, y in zip(docs["doc_id"], docs["year"]) if y >= 2014 for _ in range(2)]  # a real rise
    rows += [("d2016_0", "某人")] * 40 + [("d2011_0", "某人"), ("d2012_0", "某人")]  # one story, in one document
    counts, chars = trends.yearly_counts(_tokens(rows), docs, min_total=1, min_docs=1)
    table = trends.trends(counts, chars)
    row = table.set_index("term")
    assert row.loc["某人", "direction"] == "rise" and row.loc["某人", "change_g2"] > 15.13  # significant by counts alone
    assert row.loc["某人", "held_g2"] < 15.13  # without its one document nothing is left
    assert trends.rising(table)["term"].tolist() == ["创新"]
    assert "某人" in trends.rising(table, held=False)["term"].tolist()


def test_a_fragment_glued_to_one_neighbour_is_merged_into_the_longer_string():
    docs = _docs([4] * 4)
    rows = []
    for d in docs["doc_id"]:
        rows += [(d, "波克罗"), (d, "夫斯克"), (d, "战事"), (d, "高质量"), (d, "发展")]
        rows += [(d, "高质量"), (d, "发展"), (d, "发展")]
    rows += [("d2013_0", "波克罗")]  # once on its own: a fragment's stray use is dropped
    tokens = _tokens(rows, glued=True)
    # a comma between two words: not glued
    tokens.loc[tokens["term"] == "战事", "start"] += 1
    counts, _ = trends.yearly_counts(tokens, docs, min_total=1, min_docs=1)
    merged = counts.attrs[trends.EVIDENCE].merged
    assert merged == {"波克罗": "波克罗夫斯克", "夫斯克": "波克罗夫斯克", "高质量": "高质量发展"}
    assert "波克罗" not in counts.columns and "夫斯克" not in counts.columns
    assert counts["波克罗夫斯克"].tolist() == [4, 4, 4, 4]  # each pair counted once
    assert counts["高质量发展"].tolist() == [8, 8, 8, 8]
    assert counts["发展"].tolist() == [12, 12, 12, 12]  # a word of its own: all its uses still count (3 a document)
    assert counts["战事"].tolist() == [4, 4, 4, 4]
    plain, _ = trends.yearly_counts(tokens, docs, min_total=1, min_docs=1, fragments=False)
    assert plain["波克罗"].tolist() == [4, 4, 4, 5]


def test_a_term_in_most_documents_of_a_period_then_gone_is_a_format_change_not_a_faller():
    docs = _docs([30] * 8)
    rows = [(d, "经济") for d in docs["doc_id"] for _ in range(4)]
    for d, y in zip(docs["doc_id"], docs["year"]):
        if y < 2014:
            rows += [(d, "本台快讯")] * 2  # the station's lead of every item, until a new format
            rows += [(d, "本台快讯栏目")] * 2 if int(d.rsplit("_", 1)[1]) % 10 == 0 else []  # holding it, in a tenth
        if y < 2014 and int(d.rsplit("_", 1)[1]) % 10 == 0:
            rows += [(d, "旧政策")] * 3  # a policy word: in a tenth of the documents, then gone
    counts, chars = trends.yearly_counts(_tokens(rows), docs, min_total=1, min_docs=1)
    table = trends.trends(counts, chars)
    row = table.set_index("term")
    assert bool(row.loc["本台快讯", "format_change"]) and row.loc["本台快讯", "doc_share_before"] == 1.0
    assert not bool(row.loc["旧政策", "format_change"])
    assert trends.falling(table)["term"].tolist() == ["旧政策"]
    assert trends.format_changes(table)["term"].tolist() == ["本台快讯", "本台快讯栏目"]
    assert "本台快讯" in trends.falling(table, held=False)["term"].tolist()


def test_a_partial_edge_year_does_not_make_a_change_by_itself():
    years = list(range(2012, 2020))
    chars = pd.Series([50_000] + [100_000] * 7, index=years)  # the first year holds half a year of text
    counts = pd.DataFrame({"某会": [40, 1, 0, 1, 0, 1, 0, 1], "旧词": [40, 38, 42, 2, 1, 0, 1, 1]}, index=years)
    table = trends.trends(counts, chars)
    row = table.set_index("term")
    assert row.loc["某会", "change_year"] == 2013 and row.loc["某会", "change_g2"] > 15.13
    assert row.loc["某会", "side_years"] == pytest.approx(0.5)
    assert trends.year_weights(chars).tolist() == [0.5] + [1.0] * 7
    assert trends.falling(table)["term"].tolist() == ["旧词"]  # three years before its change, spread over them


def test_kinds_are_labelled_for_the_ranked_terms():
    assert trends.term_kind("例") == "character"
    assert trends.term_kind("高质量发展") == "term"  # a lexicon item
    assert trends.term_kind("温家宝") == "person"
    assert trends.term_kind("国务院") == "organisation"
    assert set(trends.term_kinds(["钓鱼岛", "十二届"])) <= set(trends.KINDS)


def test_reporting_formulas_glued_to_a_country_stay_out():
    docs = pd.DataFrame({"doc_id": list("abcd"), "year": [2000, 2001, 2002, 2003], "n_chars": [100] * 4,
                         "n_tokens": [10] * 4})
    tokens = pd.DataFrame([(d, t) for d in "abcd" for t in ("乌称", "俄称", "声称", "改革")],
                          columns=["doc_id", "term"]).assign(kind="word", stop=False, filler=False)
    counts, _ = trends.yearly_counts(tokens, docs, min_total=1, min_docs=1)
    assert sorted(counts.columns) == ["声称", "改革"]


def test_trends_csv_carries_shape_window_peak_and_strength(prc_corpus):
    """The export's trends table: 疫情 is a rise-fall with its window, not a plain riser."""
    from zhengyan import export

    docs = years.with_years(prc_corpus.documents)
    table = export._trends(prc_corpus, docs, formulas.mentions(prc_corpus))
    for column in ("shape", "window_start", "window_end", "window_g2", "peak_year", "strength", "term_kind",
                   "format_change", "held"):
        assert column in table.columns
    terms = table[table["kind"] == "term"].set_index("term")
    # the reports of 2021–2023 speak of the epidemic (each report looks back on the year before it)
    assert terms.loc["疫情", ["direction", "shape"]].tolist() == ["rise", "rise-fall"]
    assert 2020 <= terms.loc["疫情", "window_start"] <= terms.loc["疫情", "peak_year"] <= terms.loc["疫情", "window_end"] \
        <= 2023
    # the columns say what the rising list shows
    listed = table[table["kind"] == "slogan"].set_index("term")
    measured = trends.trends(*trends.mention_counts(formulas.mentions(prc_corpus), docs))
    risers = trends.rising(measured, 10)["term"]
    assert listed.loc[risers, "held"].all() and (listed.loc[risers, "strength"] > 0).all()
    assert not listed.loc[trends.rising(measured, 10, held=False)["term"]].empty


def test_a_name_cut_in_three_comes_out_whole_and_an_established_word_stays_itself():
    docs = _docs([3] * 4)
    phrases = []  # (doc_id, tokens written flush); a punctuation mark between phrases
    for i, d in enumerate(docs["doc_id"]):
        phrases += [(d, ["波克罗", "夫斯", "克", ["方向", "附近", "前线"][i % 3]])]  # the name cut in three
        # 同期 always after 比 (an established word all the same); 比 and 增长 in other company too
        phrases += [(d, ["比", "同期", ["增长", "下降", "持平"][i % 3]]), (d, ["比", ["去年", "计划", "预期"][i % 3]]),
                    (d, [["就业", "收入", "投资"][i % 3], "增长"])]
    phrases += [(d, ["克"]) for d in docs["doc_id"][:6]]  # 克 on its own elsewhere
    rows, starts = [], []
    for d, words in phrases:
        at = sum(len("".join(w)) + 1 for e, w in phrases[:phrases.index((d, words))] if e == d)
        for w in words:
            rows.append((d, w))
            starts.append(at)
            at += len(w)
    tokens = _tokens(rows).assign(start=starts)
    counts, _ = trends.yearly_counts(tokens, docs, min_total=1, min_docs=1)
    merged = counts.attrs[trends.EVIDENCE].merged
    assert merged["波克罗"] == merged["夫斯"] == "波克罗夫斯克"
    assert counts["波克罗夫斯克"].tolist() == [3, 3, 3, 3]
    assert "同期" in counts.columns and "同期" not in merged and counts["同期"].tolist() == [3, 3, 3, 3]
    assert trends.term_kind("波克罗夫斯克", None, "附近") == "place"  # a place: 附近 written after it
    assert trends.term_kind("某某", "总统", None) == "person"
