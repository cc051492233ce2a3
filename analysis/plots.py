"""Figures: each function takes a tidy table and returns a matplotlib ``Figure``; :func:`save` writes it."""
from __future__ import annotations

import io
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from . import fonts, paths

#: Seed for every random layout (word clouds, networks), so reruns draw the same picture.
RANDOM_STATE = 42
PALETTE = ("#b22222", "#1f4e79", "#c47f17", "#2e7d32", "#6a1b9a", "#00838f", "#5d4037", "#ad1457",
           "#455a64", "#827717", "#283593", "#bf360c", "#00bfa5", "#f9a825", "#7986cb", "#8d6e63")


def new_figure(width: float = 8, height: float = 5) -> Figure:
    """A Figure drawn with the CJK font (not attached to pyplot, so nothing is shown twice)."""
    fonts.configure_matplotlib()
    _register_notebook_display()
    return Figure(figsize=(width, height), layout="constrained")


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes, with no software version or timestamp in the file."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _register_notebook_display() -> None:
    """In a notebook, show a returned Figure as a PNG (the same bytes on every run)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, png_bytes)


def save(fig: Figure, name: str, *, corpus: Path | None = None, formats: tuple[str, ...] = ("png",)) -> Figure:
    """Write ``fig`` as ``<figures>/<name>.png`` with no timestamp or version in it; return ``fig``.

    ``name`` carries the notebook's number ("02-top-terms"). The folder is ``figures/`` for the
    seeds and ``output/<corpus>/figures/`` for another corpus (see :mod:`analysis.paths`).
    """
    folder = paths.figures_dir(corpus)
    folder.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        fig.savefig(folder / f"{name}.{fmt}", format=fmt, metadata=metadata)
    return fig


def short_label(text: str, width: int = 18) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def documents_bar(documents: pd.DataFrame, *, value: str = "n_chars", label: str = "title") -> Figure:
    """Horizontal bars: one per document, ``value`` (default characters), labelled by title."""
    _require(documents, ["doc_id", value])
    frame = documents.iloc[::-1]
    labels = [
        f"{d[:3]} {short_label(t, 22)}" if isinstance(t, str) and t else d
        for d, t in zip(frame["doc_id"], frame.get(label, frame["doc_id"]))
    ]
    fig = new_figure(8, 0.5 * len(frame) + 1.2)
    ax = fig.add_subplot()
    bars = ax.barh(labels, frame[value], color=PALETTE[1])
    ax.bar_label(bars, labels=[f"{v:,}" for v in frame[value]], padding=3, fontsize=8)
    ax.set_xlabel({"n_chars": "字数（清洗后，不含空白）", "n_tokens": "词数"}.get(value, value))
    ax.set_title("语料中的文档")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def audit_bar(audit: pd.DataFrame) -> Figure:
    """Stacked bars: for each document, how many changes each cleaning step made."""
    _require(audit, ["doc_id", "step", "count"])
    table = audit.pivot_table(index="doc_id", columns="step", values="count", aggfunc="sum", fill_value=0, observed=True)
    fig = new_figure(9, 0.5 * len(table) + 1.6)
    ax = fig.add_subplot()
    left = np.zeros(len(table))
    for i, step in enumerate(table.columns):
        ax.barh([d[:3] for d in table.index], table[step], left=left, label=step, color=PALETTE[i % len(PALETTE)])
        left += table[step].to_numpy()
    ax.set_xscale("symlog")
    ax.set_xlabel("修改次数（对数刻度）")
    ax.set_title("清洗记录：每个文档各步骤的修改")
    ax.legend(ncols=4, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    ax.invert_yaxis()
    return fig


def wordcloud(freqs: pd.Series | dict, *, title: str | None = None, max_words: int = 120,
              width: int = 900, height: int = 500, colors: tuple[str, ...] = PALETTE[:4]) -> Figure:
    """A word cloud drawn from frequencies (never from space-joined text), with the CJK font.

    One-character terms such as 党 are kept; collocation doubling is off; the layout is seeded.
    """
    from wordcloud import WordCloud

    freqs = dict(pd.Series(freqs).astype(float).sort_values(ascending=False).head(max_words))
    if not freqs:
        raise ValueError("wordcloud needs at least one term with a frequency above 0")
    cloud = WordCloud(
        font_path=str(fonts.font_path()), width=width, height=height, background_color="white",
        random_state=RANDOM_STATE, collocations=False, prefer_horizontal=0.95, color_func=_palette_color(colors),
        min_font_size=8, max_words=max_words, relative_scaling=0.5,
    ).generate_from_frequencies(freqs)
    fig = new_figure(width / 100, height / 100 + (0.4 if title else 0))
    ax = fig.add_subplot()
    ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return fig


def _palette_color(colors: tuple[str, ...]):
    """A word-cloud colour function that gives each word the same colour on every run."""
    def color(word, **_):
        return colors[zlib.crc32(word.encode("utf-8")) % len(colors)]

    return color


def _require(table: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"expected columns {columns}; missing {missing} (have {list(table.columns)})")


def top_terms_bar(counts: pd.DataFrame, *, n: int = 20, value: str = "n", title: str = "高频词") -> Figure:
    """Horizontal bars of the ``n`` most frequent terms of a counts table (``term`` and ``value``)."""
    _require(counts, ["term", value])
    top = counts.sort_values([value, "term"], ascending=[False, True]).head(n).iloc[::-1]
    fig = new_figure(7, 0.28 * len(top) + 1.2)
    ax = fig.add_subplot()
    ax.barh(top["term"], top[value], color=PALETTE[0])
    ax.set_xlabel({"n": "频次", "per_10k": "每万字频次", "tfidf": "TF-IDF"}.get(value, value))
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def top_terms_by_group(counts: pd.DataFrame, *, by: str = "doc_id", n: int = 10, value: str = "per_10k",
                       labels: dict | None = None, ncols: int = 3) -> Figure:
    """Small multiples: the top ``n`` terms of each group (document, year …), on a shared scale."""
    _require(counts, [by, "term", value])
    groups = list(dict.fromkeys(counts[by]))
    nrows = int(np.ceil(len(groups) / ncols))
    fig = new_figure(4.2 * ncols, 0.26 * n * nrows + 1.0 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    for ax, group in zip(axes.flat, groups):
        top = counts[counts[by] == group].sort_values([value, "term"], ascending=[False, True]).head(n).iloc[::-1]
        ax.barh(top["term"], top[value], color=PALETTE[1])
        ax.set_title(short_label((labels or {}).get(group, group), 24), fontsize=10)
        ax.tick_params(axis="y", labelsize=9)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(groups):]:
        ax.set_axis_off()
    fig.supxlabel({"per_10k": "每万字频次", "n": "频次", "tfidf": "TF-IDF"}.get(value, value))
    return fig


def keyness_bar(table: pd.DataFrame, *, n: int = 12, title: str = "关键词（对数似然 G²）",
                target_label: str = "目标", reference_label: str = "参照") -> Figure:
    """Signed G² of the ``n`` most over-used and ``n`` most under-used terms (like textplot_keyness)."""
    _require(table, ["term", "g2"])
    top = table.nlargest(n, "g2")
    bottom = table[table["g2"] < 0].nsmallest(n, "g2")
    both = pd.concat([top, bottom.iloc[::-1]]).iloc[::-1]
    fig = new_figure(7, 0.26 * len(both) + 1.4)
    ax = fig.add_subplot()
    colors = [PALETTE[0] if g > 0 else PALETTE[8] for g in both["g2"]]
    ax.barh(both["term"], both["g2"], color=colors)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"G²（正：{target_label}多用；负：{reference_label}多用）")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def dispersion_plot(dispersion: pd.DataFrame, doc_ids: list[str], *, labels: dict | None = None,
                    title: str = "词语在文档中的位置") -> Figure:
    """One row per document (and term), a tick where the term occurs (0 = start, 1 = end), like AntConc's plot."""
    _require(dispersion, ["doc_id", "term", "relative"])
    terms = list(dict.fromkeys(dispersion["term"]))
    rows = [(d, t) for d in doc_ids for t in terms]
    fig = new_figure(9, 0.3 * len(rows) + 1.4)
    ax = fig.add_subplot()
    for i, (doc_id, term) in enumerate(rows):
        hits = dispersion[(dispersion["doc_id"] == doc_id) & (dispersion["term"] == term)]["relative"]
        color = PALETTE[terms.index(term) % len(PALETTE)]
        ax.vlines(hits, i - 0.4, i + 0.4, color=color, linewidth=1.6)
        ax.axhline(i, color="#dddddd", linewidth=0.5, zorder=0)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{(labels or {}).get(d, d[:3])} · {t}" for d, t in rows], fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel("在文档中的相对位置（0 = 开头，1 = 结尾）")
    ax.set_title(title)
    return fig


def comparison_cloud(keyness_table: pd.DataFrame, *, labels: tuple[str, str] = ("A", "B"), max_words: int = 60,
                     colors: tuple[str, str] = (PALETTE[0], PALETTE[1])) -> Figure:
    """Two clouds side by side: terms over-used by each group, sized by |G²| (a comparison cloud)."""
    _require(keyness_table, ["term", "g2"])
    from wordcloud import WordCloud

    fig = new_figure(12, 5.4)
    axes = fig.subplots(1, 2)
    for ax, sign, label, color in zip(axes, (1, -1), labels, colors):
        part = keyness_table[keyness_table["g2"] * sign > 0]
        freqs = dict(zip(part["term"], (part["g2"] * sign).astype(float)))
        ax.set_axis_off()
        ax.set_title(f"{label} 多用的词", color=color)
        if not freqs:
            continue
        cloud = WordCloud(font_path=str(fonts.font_path()), width=600, height=500, background_color="white",
                          random_state=RANDOM_STATE, collocations=False, max_words=max_words,
                          color_func=lambda *a, _c=color, **k: _c, relative_scaling=0.6, min_font_size=8)
        ax.imshow(cloud.generate_from_frequencies(freqs).to_array(), interpolation="bilinear")
    return fig


def heatmap(matrix: pd.DataFrame, *, title: str = "提法共现（同一句）", value_label: str = "共现次数") -> Figure:
    """A matrix (items × items from ``analysis.cooccurrence.matrix``, or documents × slogans, or
    terms × years) as an annotated heatmap."""
    rows, cols = matrix.shape
    fig = new_figure(0.42 * cols + 3.5, 0.42 * rows + 2)
    ax = fig.add_subplot()
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="Reds", vmin=0, aspect="auto")
    ax.set_xticks(range(cols), [str(c) for c in matrix.columns], rotation=90, fontsize=9)
    ax.set_yticks(range(rows), [str(i) for i in matrix.index], fontsize=9)
    for i in range(rows):
        for j in range(cols):
            if values[i, j]:
                shade = "white" if values[i, j] > values.max() * 0.6 else "black"
                ax.text(j, i, f"{values[i, j]:g}", ha="center", va="center", fontsize=7, color=shade)
    fig.colorbar(image, ax=ax, shrink=0.6, label=value_label)
    ax.set_title(title)
    return fig


def network_layout(items: list[str], categories: pd.Series | None = None) -> dict[str, tuple[float, float]]:
    """Positions on a circle, grouped by category then ordered by name. They depend only on the
    items, so drawing the network of another context or of a single year puts each slogan in the
    same place and the pictures can be compared."""
    cats = categories if categories is not None else pd.Series(dtype=object)
    ordered = sorted(set(items), key=lambda s: (str(cats.get(s, "")), s))
    angles = np.linspace(0, 2 * np.pi, num=len(ordered), endpoint=False) + np.pi / 2
    return {s: (round(float(np.cos(a)), 6), round(float(np.sin(a)), 6)) for s, a in zip(ordered, angles)}


def cooccurrence_network(pairs: pd.DataFrame, frequency: pd.Series, layout: dict[str, tuple[float, float]], *,
                         value: str = "npmi", title: str = "提法共现网络", categories: pd.Series | None = None) -> Figure:
    """Nodes sized by frequency, edges as wide as the association ``value``, at fixed ``layout`` positions."""
    fig = new_figure(10, 8)
    ax = fig.add_subplot()
    nodes = [n for n in layout if n in frequency.index and frequency[n] > 0]
    if value in pairs.columns and len(pairs):
        top = pairs[value].clip(lower=0).max() or 1.0
        for row in pairs.itertuples():
            if row.slogan_a in layout and row.slogan_b in layout and getattr(row, value) > 0:
                (x1, y1), (x2, y2) = layout[row.slogan_a], layout[row.slogan_b]
                weight = getattr(row, value) / top
                ax.plot([x1, x2], [y1, y2], color="#555555", alpha=0.25 + 0.5 * weight, linewidth=0.5 + 4 * weight,
                        zorder=1)
    kinds = sorted(set(categories.reindex(nodes).fillna("其他"))) if categories is not None else []
    colour = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(kinds)}
    biggest = max(float(frequency.reindex(nodes).max()), 1.0) if nodes else 1.0
    for node in nodes:
        x, y = layout[node]
        kind = categories.get(node, "其他") if categories is not None else None
        ax.scatter([x], [y], s=40 + 900 * float(frequency[node]) / biggest, color=colour.get(kind, PALETTE[0]),
                   alpha=0.85, zorder=2, edgecolors="white")
        ax.annotate(node, (x * 1.13, y * 1.13), ha="center", va="center", fontsize=9, zorder=3,
                    rotation=0)
    for kind in kinds:
        ax.scatter([], [], color=colour[kind], label=kind, s=60)
    if kinds:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    xs = [p[0] for p in layout.values()] or [0]
    ys = [p[1] for p in layout.values()] or [0]
    ax.set_xlim(min(xs) - 0.35, max(xs) + 0.35)
    ax.set_ylim(min(ys) - 0.25, max(ys) + 0.25)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title)
    return fig


def theme_lines(shares: pd.DataFrame, *, value: str = "share", by: str = "year", title: str = "主题占比的年度变化") -> Figure:
    """One line per theme over years; a year resting on one document is drawn with a hollow marker,
    and the number of documents behind each year is shown under the axis."""
    _require(shares, [by, "theme", value, "n_docs"])
    fig = new_figure(11, 6.2)
    grid = fig.add_gridspec(2, 1, height_ratios=[6, 1])
    ax = fig.add_subplot(grid[0])
    ax_docs = fig.add_subplot(grid[1], sharex=ax)
    for i, (theme, part) in enumerate(shares.sort_values(by).groupby("theme", sort=True)):
        color = PALETTE[i % len(PALETTE)]
        ax.plot(part[by], part[value], color=color, label=theme, linewidth=1.6)
        single = part["n_docs"] == 1
        ax.scatter(part.loc[~single, by], part.loc[~single, value], color=color, s=18, zorder=3)
        ax.scatter(part.loc[single, by], part.loc[single, value], facecolors="white", edgecolors=color, s=18, zorder=3)
    ax.set_ylabel({"share": "占主题提及的比例", "per_10k": "每万字提及次数"}.get(value, value))
    ax.set_title(title + "（空心点：该年仅一篇文档）")
    ax.legend(ncols=1, fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    docs = shares.drop_duplicates(by)[[by, "n_docs"]]
    ax_docs.bar(docs[by], docs["n_docs"], color=PALETTE[8], width=0.8)
    ax_docs.set_ylabel("文档数", fontsize=8)
    ax_docs.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
    ax_docs.spines[["top", "right"]].set_visible(False)
    return fig


def rank_chart(counts: pd.DataFrame, chars: pd.Series, *, n: int = 10, title: str = "高频词排名的年度变化") -> Figure:
    """A bump chart: the rank of each year's top-``n`` terms across the years (rank 1 at the top)."""
    rates = counts.div(chars.reindex(counts.index), axis=0)
    ranks = rates.rank(axis=1, ascending=False, method="first")
    keep = sorted({t for _, row in ranks.iterrows() for t in row[row <= n].index})
    fig = new_figure(11, 0.35 * n + 3)
    ax = fig.add_subplot()
    years = list(ranks.index)
    for i, term in enumerate(keep):
        series = ranks[term].where(ranks[term] <= n)
        color = PALETTE[i % len(PALETTE)]
        ax.plot(years, series, color=color, marker="o", markersize=4, linewidth=1.4)
        shown = series.dropna()
        if len(shown):
            ax.annotate(term, (shown.index[-1], shown.iloc[-1]), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=8, color=color)
            ax.annotate(term, (shown.index[0], shown.iloc[0]), xytext=(-4, 0), textcoords="offset points",
                        va="center", ha="right", fontsize=8, color=color)
    ax.set_ylim(n + 0.5, 0.5)
    ax.set_yticks(range(1, n + 1))
    ax.set_ylabel("排名（按每万字频次）")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def lifecycle_chart(lifecycle: pd.DataFrame, counts: pd.DataFrame, chars: pd.Series, *,
                    title: str = "提法的生命周期") -> Figure:
    """Each item's span from first to last year, a dot for every year it occurs (area = rate per
    10,000 characters) and a ring at its peak year."""
    _require(lifecycle, ["item", "first_year", "last_year", "peak_year"])
    rates = counts.div(chars.reindex(counts.index), axis=0) * 10_000
    items = list(lifecycle["item"])
    fig = new_figure(11, 0.3 * len(items) + 1.5)
    ax = fig.add_subplot()
    biggest = max(float(rates[items].max().max()), 1e-9)
    for i, row in enumerate(lifecycle.itertuples()):
        ax.hlines(i, row.first_year, row.last_year, color="#bbbbbb", linewidth=1.2)
        present = rates[row.item][rates[row.item] > 0]
        ax.scatter(present.index, [i] * len(present), s=10 + 140 * present.to_numpy() / biggest, color=PALETTE[0],
                   alpha=0.8, zorder=3)
        ax.scatter([row.peak_year], [i], s=70, facecolors="none", edgecolors="black", linewidths=1, zorder=4)
    ax.set_yticks(range(len(items)), items, fontsize=9)
    ax.set_ylim(len(items) - 0.5, -0.5)
    ax.set_xlabel("年份（点面积 = 每万字次数，圆圈 = 峰值年）")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
