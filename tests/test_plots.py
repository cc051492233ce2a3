"""Figures: readable at 5, 64 and 1,000 documents — bounded size, distinct pictures, gaps shown."""
import hashlib
import random

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from zhengyan.analyses import cooccurrence, frequency, periods, formulas, themes, trends, years
from zhengyan import load_corpus
from zhengyan.core import paths
from zhengyan.present import plots


# ------------------------------------------------------------------ small inputs, counted by hand

def test_save_never_exceeds_the_pixel_limit(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ENV_OUTPUT, str(tmp_path))
    fig = plots.new_figure(8, 5)
    fig.set_size_inches(40, 30)  # as a caller might, after new_figure
    fig.add_subplot().plot([0, 1], [0, 1])
    plots.save(fig, "99-huge")
    width, height = Image.open(tmp_path / "figures" / "99-huge.png").size
    assert max(width, height) <= plots.MAX_PIXELS
    assert width >= plots.MAX_PIXELS - 20  # scaled down to fit, not shrunk further
    assert plots.new_figure(50, 3).get_size_inches()[0] == plots.MAX_INCHES


def test_save_rejects_unknown_formats(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ENV_OUTPUT, str(tmp_path))
    with pytest.raises(ValueError, match="allowed"):
        plots.save(plots.new_figure(), "99-x", formats=("bmp",))


def test_the_trend_chart_draws_the_corpus_trend_table(speech_folder):
    corpus = load_corpus(speech_folder)
    table = corpus.trend(["三会一课", "一岗双责"])  # the one rate table: plots.trend draws it
    fig = plots.trend(corpus, ["三会一课", "一岗双责"])
    drawn = {line.get_label(): [y for y in line.get_ydata() if y == y] for line in fig.axes[0].get_lines()}
    assert drawn["三会一课"] == pytest.approx(list(table[table["item"] == "三会一课"]["per_10k"]))  # 2020: a gap
    chars = dict(zip(corpus.documents["year"], corpus.documents["n_chars"]))
    rows = table.set_index(["year", "item"])
    assert rows.loc[(2019, "三会一课"), "n"] == 1 and rows.loc[(2021, "三会一课"), "n"] == 1
    assert rows.loc[(2019, "一岗双责"), "n"] == 1 and rows.loc[(2021, "一岗双责"), "n"] == 0
    assert rows.loc[(2021, "三会一课"), "per_10k"] == pytest.approx(10_000 / chars[2021])
    assert set(table["n_docs"]) == {1}


def trend_rows(years_docs, rate=1.0):
    return pd.DataFrame([{"year": y, "item": "甲", "per_10k": rate, "n_docs": n} for y, n in years_docs])


def test_trend_leaves_years_without_documents_as_gaps():
    fig = plots.term_trend(trend_rows([(1960, 2), (1961, 1), (1964, 3)]))
    line = fig.axes[0].lines[0]
    xs, ys = np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)
    assert list(xs) == [1960, 1961, 1962, 1963, 1964]
    assert np.isnan(ys[2]) and np.isnan(ys[3]) and ys[0] == ys[4] == 1.0  # no line across 1962–1963


def test_trend_marks_single_document_years_hollow():
    fig = plots.term_trend(trend_rows([(1960, 2), (1961, 1), (1962, 3)]))
    solid, hollow = fig.axes[0].collections[:2]
    assert [p[0] for p in solid.get_offsets()] == [1960, 1962]
    assert [p[0] for p in hollow.get_offsets()] == [1961]


def test_trend_smoothing_keeps_the_gaps():
    rows = pd.concat([trend_rows([(2000, 1), (2001, 1), (2002, 1), (2005, 1)])]).assign(
        per_10k=[1.0, 2.0, 3.0, 5.0])
    smoothed = np.asarray(plots.term_trend(rows, smooth=3).axes[0].lines[0].get_ydata(), dtype=float)
    assert smoothed[0] == pytest.approx(1.5) and smoothed[1] == pytest.approx(2.0)
    assert np.isnan(smoothed[3]) and np.isnan(smoothed[4]) and smoothed[5] == pytest.approx(5.0)


def test_trend_refuses_too_many_items():
    rows = pd.DataFrame([{"year": 2000, "item": f"词{i}", "per_10k": 1.0, "n_docs": 1} for i in range(13)])
    with pytest.raises(ValueError, match="at most max_items=12"):
        plots.term_trend(rows)


def test_theme_panels_have_distinct_colours_and_gaps():
    shares = pd.DataFrame([{"year": y, "theme": t, "share": s, "n_docs": n}
                           for y, n in ((1990, 1), (1991, 2), (1995, 2))
                           for t, s in (("经济", 0.5), ("政治", 0.3), ("文化", 0.2))])
    fig = plots.theme_lines(shares)
    lines = [ax.lines[0] for ax in fig.axes if ax.lines]
    assert len(lines) == 3
    assert len({line.get_color() for line in lines}) == 3
    ys = np.asarray(lines[0].get_ydata(), dtype=float)
    assert np.isnan(ys[2:5]).all() and not np.isnan(ys[[0, 1, 5]]).any()


def test_heatmap_keeps_the_largest_rows_and_states_the_cut():
    matrix = pd.DataFrame(np.arange(50 * 3).reshape(50, 3), index=[f"r{i}" for i in range(50)], columns=list("abc"))
    fig = plots.heatmap(matrix, max_rows=10)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"r{i}" for i in range(49, 39, -1)]
    assert "前10行，共50行" in ax.get_title()


def test_chinese_column_labels_read_top_to_bottom():
    assert plots.vertical("三会一课") == "三\n会\n一\n课"
    assert plots.vertical("G20峰会") == "G20\n峰\n会"


def test_cluster_order_puts_partners_together():
    items = ["甲", "乙", "丙", "丁"]
    m = pd.DataFrame([[0, 0, 9, 0], [0, 0, 0, 9], [9, 0, 0, 0], [0, 9, 0, 0]], index=items, columns=items)
    order = plots.cluster_order(m)
    assert abs(order.index("甲") - order.index("丙")) == 1 and abs(order.index("乙") - order.index("丁")) == 1


def test_network_draws_only_pairs_above_both_thresholds():
    pairs = pd.DataFrame({"item_a": ["甲", "甲", "乙"], "item_b": ["乙", "丙", "丙"],
                          "n_ab": [5, 1, 4], "npmi": [0.5, 0.9, 0.05]})
    frequency_ = pd.Series({"甲": 10, "乙": 8, "丙": 6})
    fig = plots.cooccurrence_network(pairs, frequency_, min_count=2, min_value=0.1)
    ax = fig.axes[0]
    assert len(ax.lines) == 1  # only 甲–乙: 甲–丙 meets once, 乙–丙 is below the association threshold
    assert "共现 ≥ 2 次且 npmi ≥ 0.1" in ax.get_title()
    assert sorted(t.get_text() for t in ax.texts) == ["乙", "甲"]


def test_rank_chart_writes_each_period_top_n_once():
    counts = pd.DataFrame({"甲": [9, 1, 1], "乙": [5, 5, 5], "丙": [1, 9, 9]}, index=[1980, 1995, 2015])
    chars = pd.Series(100, index=counts.index)
    fig = plots.rank_chart(counts, chars, n=2, edges=[1992, 2012])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["甲", "乙", "丙", "乙", "丙", "乙"]
    assert len(fig.axes[0].lines) == 3  # 乙 1980→1995, 丙 and 乙 1995→2015


def test_rank_chart_groups_many_years_into_bounded_columns():
    years_ = list(range(1950, 2010))
    counts = pd.DataFrame({"甲": range(60), "乙": range(60, 0, -1)}, index=years_)
    fig = plots.rank_chart(counts, pd.Series(1000, index=years_), n=2, max_columns=6)
    assert len(fig.axes[0].get_xticks()) == 6


def test_documents_bar_turns_to_years_beyond_max_docs():
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(12)], "label": [f"L{i}" for i in range(12)],
                         "year": [2000] * 6 + [2003] * 6, "n_chars": range(100, 1300, 100)})
    small = plots.documents_bar(docs, max_docs=20)
    assert [t.get_text() for t in small.axes[0].get_yticklabels()][-1] == "L0"
    big = plots.documents_bar(docs, max_docs=5)
    heights = [p.get_height() for p in big.axes[0].patches]
    assert heights[0] == sum(range(100, 700, 100)) and np.isnan(heights[1]) and np.isnan(heights[2])


def test_periods_come_from_documented_turning_points():
    assert periods.turning_points([1954, 2025]) == [1978, 1992, 2002, 2012]
    assert periods.turning_points([2007, 2020]) == [2012]
    assert periods.turning_points([2013, 2020]) == []
    labels_ = periods.period_of(pd.Series([1977, 1978, 1991, 2012]), [1978, 1992, 2012])
    assert list(labels_) == ["–1977", "1978–1991", "1978–1991", "2012–"]
    with pytest.raises(ValueError, match="allowed: national"):
        periods.load_turning_points(series="local")


def test_change_point_finds_the_break_in_the_data():
    counts = pd.DataFrame({"甲": [10, 10, 0, 0], "乙": [0, 0, 10, 10]}, index=[2001, 2002, 2003, 2004])
    assert periods.change_point(counts, pd.Series(1000, index=counts.index)) == 2003
    edges, why = periods.edges_for([2013, 2014, 2015, 2016], counts.set_axis([2013, 2014, 2015, 2016]),
                                   pd.Series(1000, index=[2013, 2014, 2015, 2016]))
    assert edges == [2015] and "change point" in why


# ------------------------------------------------------------------ every figure, on three corpora

def sampled_corpus(source, folder, n_docs=1000, seed=7):
    """``n_docs`` documents of two to four paragraphs each, drawn from the reports with their year."""
    rng = random.Random(seed)
    meta = pd.read_csv(source / "metadata.csv")
    paragraphs = []
    for row in meta.itertuples():
        text = (source / row.file).read_text(encoding="utf-8")
        paragraphs += [(int(row.year), p.strip()) for p in text.split("\n") if len(p.strip()) >= 40]
    rows = []
    folder.mkdir()
    for i in range(n_docs):
        year, first = rng.choice(paragraphs)
        same = [p for y, p in paragraphs if y == year]
        body = [first] + rng.sample(same, min(len(same), rng.randint(1, 3)))
        (folder / f"s{i:04d}.txt").write_text("\n".join(p[:300] for p in body) + "\n", encoding="utf-8")
        rows.append({"doc_id": f"s{i:04d}", "year": year, "title": f"样本{i}"})
    pd.DataFrame(rows).to_csv(folder / "metadata.csv", index=False)
    return folder


def every_figure(corpus):
    """Each figure function of ``zhengyan.present.plots``, drawn the way the notebooks draw it."""
    docs = years.with_years(corpus.documents)
    label_of = dict(zip(docs["doc_id"], docs["label"]))
    vocabulary = frequency.corpus_counts(corpus.tokens, docs)
    found = formulas.mentions(corpus)
    item = "item"
    frequent = found[item].value_counts()
    shown = list(frequent[frequent >= 3].index[:40])
    pairs = cooccurrence.cooccurrence(corpus, found, context="sentence")
    a, b = "item_a", "item_b"
    together = cooccurrence.matrix(pairs[pairs[a].isin(shown) & pairs[b].isin(shown)], items=shown)
    key = frequency.keyness_each(corpus.tokens, docs, min_freq=2) if len(docs) <= 64 else \
        frequency.keyness(corpus.tokens, list(docs["doc_id"][:50]), min_freq=2)
    focus = key[key["doc_id"] == key["doc_id"].iloc[0]] if "doc_id" in key.columns else key
    counts, chars = trends.yearly_counts(corpus.tokens, docs, min_total=5)
    known = sorted(docs["year"].dropna().astype(int).unique())
    edges, _ = periods.edges_for(known, counts, chars)
    eras = docs.assign(period=periods.period_of(docs["year"], edges))
    by_period = frequency.term_counts(corpus.tokens, eras, by="period")
    formula_counts, formula_chars = trends.mention_counts(found, docs, column=item)
    life = trends.lifecycle(formula_counts, formula_chars)
    shares = themes.theme_shares(themes.theme_mentions(corpus, "general"), docs, by="year")
    by_doc = found.groupby(["doc_id", item]).size().unstack(fill_value=0)
    by_doc.index = by_doc.index.map(label_of)
    terms = list(vocabulary.loc[vocabulary["term"].str.len() >= 2, "term"].head(3))
    return {
        "documents": plots.documents_bar(docs),
        "audit": plots.audit_bar(corpus.audit, documents=docs),
        "wordcloud": plots.wordcloud(vocabulary.set_index("term")["n"]),
        "top-terms": plots.top_terms_bar(vocabulary, n=25),
        "top-terms-by-document": plots.top_terms_by_group(frequency.term_counts(corpus.tokens, docs), labels=label_of),
        "top-terms-by-period": plots.top_terms_by_group(by_period, by="period"),
        "keyness": plots.keyness_bar(focus),
        "dispersion": plots.dispersion_plot(concordance_dispersion(corpus, terms), list(docs["doc_id"]),
                                            labels=label_of),
        "comparison-cloud": plots.comparison_cloud(focus),
        "formulas-by-document": plots.heatmap(by_doc),
        "cooccurrence-heatmap": plots.heatmap(together.loc[plots.cluster_order(together), plots.cluster_order(together)]),
        "network": plots.cooccurrence_network(pairs, frequent),
        "theme-shares": plots.theme_lines(shares),
        "trend": plots.trend(corpus, ["改革", "发展", "党"], smooth=3),
        "rank-chart": plots.rank_chart(counts, chars, edges=edges),
        "lifecycle": plots.lifecycle_chart(life, formula_counts, formula_chars),
        "term-year-heatmap": plots.heatmap((counts.iloc[:, :25].div(chars, axis=0) * 1e4).T, max_cols=100),
    }


def concordance_dispersion(corpus, terms):
    from zhengyan.analyses import concordance

    return concordance.dispersion(corpus, terms)


def check_saved(figures, folder, monkeypatch):
    monkeypatch.setenv(paths.ENV_OUTPUT, str(folder))
    digests = {}
    for name, fig in figures.items():
        plots.save(fig, f"99-{name}")
        image = Image.open(folder / "figures" / f"99-{name}.png")
        assert max(image.size) <= plots.MAX_PIXELS, f"{name}: {image.size}"
        digests.setdefault(hashlib.sha256(np.asarray(image).tobytes()).hexdigest(), []).append(name)
    same = [names for names in digests.values() if len(names) > 1]
    assert same == [], f"pixel-identical figures: {same}"
    return {name: Image.open(folder / "figures" / f"99-{name}.png").size for name in figures}


@pytest.fixture(scope="module")
def thousand(tmp_path_factory, prc_reports):
    return load_corpus(sampled_corpus(prc_reports, tmp_path_factory.mktemp("sampled") / "corpus"))


def test_every_figure_on_the_seeds(seeds_corpus, tmp_path, monkeypatch):
    check_saved(every_figure(seeds_corpus), tmp_path, monkeypatch)


def test_every_figure_on_the_reports(prc_corpus, tmp_path, monkeypatch):
    sizes = check_saved(every_figure(prc_corpus), tmp_path, monkeypatch)
    assert sizes["documents"][1] < 1000  # 64 documents: per year, not one bar each


def test_every_figure_on_a_thousand_documents(thousand, tmp_path, monkeypatch):
    assert len(thousand.documents) == 1000
    sizes = check_saved(every_figure(thousand), tmp_path, monkeypatch)
    assert sizes["audit"][1] < 1800 and sizes["dispersion"][1] < 900  # 30 documents; one strip per term
