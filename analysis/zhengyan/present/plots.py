"""Figures: each function takes a tidy table and returns a matplotlib ``Figure``; :func:`save` writes it.

Every figure stays readable from five documents to thousands: long lists are cut to the top ``n``
(the cut is stated in the title), per-document panels give way to years or periods, networks keep
only pairs above a stated count and association, and no saved image exceeds :data:`MAX_PIXELS` on a
side. Years without documents are left as gaps, never bridged by a line; years resting on one
document are drawn hollow. Within one figure a colour means one thing, or the legend says what it
stands for.
"""
from __future__ import annotations

import io
import math
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from zhengyan.present import fonts
from zhengyan.core import paths

#: Seed for every random layout (word clouds, networks), so reruns draw the same picture.
RANDOM_STATE = 42
#: Twenty distinguishable colours; a figure needing more groups its tail as "其他" (grey).
PALETTE = ("#b22222", "#1f4e79", "#c47f17", "#2e7d32", "#6a1b9a", "#00838f", "#5d4037", "#ad1457",
           "#455a64", "#827717", "#283593", "#bf360c", "#00bfa5", "#f9a825", "#7986cb", "#8d6e63",
           "#e57373", "#81c784", "#ba68c8", "#4fc3f7")
#: The colour of "everything else" (and of years' document counts): never one of PALETTE.
GREY = "#9e9e9e"
#: The largest width or height, in pixels, of a saved figure.
MAX_PIXELS = 2400
#: Resolution of saved figures (a figure too large for :data:`MAX_PIXELS` at this resolution is saved at less).
DPI = 150
#: Largest figure side in inches: :data:`MAX_PIXELS` at 100 dpi, the lowest resolution a figure is saved at.
MAX_INCHES = MAX_PIXELS / 100
RATE_LABELS = {"n": "频次", "per_10k": "每万字频次", "tfidf": "TF-IDF", "share": "占主题提及的比例",
               "n_chars": "字数（清洗后，不含空白）", "n_tokens": "词数", "g2": "G²（对数似然）"}


def new_figure(width: float = 8, height: float = 5) -> Figure:
    """A Figure drawn with the CJK font (not attached to pyplot, so nothing is shown twice),
    never larger than :data:`MAX_INCHES` on a side."""
    fonts.configure_matplotlib()
    _register_notebook_display()
    return Figure(figsize=(min(width, MAX_INCHES), min(height, MAX_INCHES)), layout="constrained")


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes, with no software version or timestamp in the file."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_safe_dpi(fig, dpi), metadata={"Software": None})
    return buffer.getvalue()


def _safe_dpi(fig: Figure, dpi: float) -> float:
    """``dpi``, lowered when the saved figure (cropped to its content, as ``savefig.bbox`` asks)
    would otherwise exceed :data:`MAX_PIXELS` on a side."""
    import matplotlib

    fig.draw_without_rendering()
    box = fig.get_tightbbox() if matplotlib.rcParams["savefig.bbox"] == "tight" else None
    pad = float(matplotlib.rcParams["savefig.pad_inches"]) if box is not None else 0.0
    size = (box.width, box.height) if box is not None else tuple(fig.get_size_inches())
    largest = max(max(size), max(fig.get_size_inches())) + 2 * pad
    return min(dpi, math.floor((MAX_PIXELS - 4) / largest * 1000) / 1000) if largest else dpi


def _register_notebook_display() -> None:
    """In a notebook, show a returned Figure as a PNG (the same bytes on every run)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, png_bytes)


def save(fig: Figure, name: str, *, corpus: Path | None = None, formats: tuple[str, ...] = ("png",),
         dpi: int = DPI) -> Figure:
    """Write ``fig`` as ``<figures>/<name>.png`` with no timestamp or version in it; return ``fig``.

    ``name`` carries the notebook's number ("02-top-terms"). The folder is ``figures/`` for the
    seeds and ``output/<corpus>-<hash>/figures/`` for another corpus (see :mod:`zhengyan.core.paths`). A PNG is
    never wider or taller than :data:`MAX_PIXELS`: a larger figure is saved at a lower resolution.
    """
    allowed = ("png", "svg", "pdf")
    if bad := [f for f in formats if f not in allowed]:
        raise ValueError(f"formats={bad}: allowed {allowed}")
    folder = paths.figures_dir(corpus)
    folder.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        fig.savefig(folder / f"{name}.{fmt}", format=fmt, metadata=metadata, dpi=_safe_dpi(fig, dpi))
    return fig



def empty_figure(title: str, reason: str = "无数据") -> Figure:
    """A small figure that says there is nothing to draw, and why (the notebook's prose says it too)."""
    fig = new_figure(6, 1.6)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, reason, ha="center", va="center", fontsize=12, color="#666666", transform=ax.transAxes)
    ax.set_title(title)
    return fig


def _says_when_empty(default_title: str):
    """Draw :func:`empty_figure` when the table a chart is given (its first argument) holds nothing."""
    import functools

    def wrap(func):
        @functools.wraps(func)
        def draw(data, *args, **kwargs):
            empty = data is None or (hasattr(data, "empty") and (data.empty or not np.asarray(data.shape).all()))
            if empty:
                return empty_figure(kwargs.get("title") or default_title)
            return func(data, *args, **kwargs)
        return draw
    return wrap

def short_label(text: str, width: int = 18) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _require(table: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"expected columns {columns}; missing {missing} (have {list(table.columns)})")


def _positive(name: str, value: int) -> None:
    if not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name}={value!r}: expected a positive whole number")


def _colours(keys: list, *, limit: int = len(PALETTE)) -> dict:
    """One colour per key; keys beyond ``limit`` share :data:`GREY` (say so in the legend)."""
    return {k: (PALETTE[i] if i < limit else GREY) for i, k in enumerate(keys)}


def _labels_of(documents: pd.DataFrame | None, ids) -> list[str]:
    if documents is None or "label" not in documents.columns:
        return [str(i) for i in ids]
    mapping = dict(zip(documents["doc_id"].astype(str), documents["label"].astype(str)))
    return [mapping.get(str(i), str(i)) for i in ids]


def _cut_note(shown: int, total: int, unit: str) -> str:
    return "" if shown >= total else f"（前{shown}{unit}，共{total:,}{unit}）"


def _year_axis(ax, years: pd.Index) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))
    if len(years):
        ax.set_xlim(min(years) - 0.8, max(years) + 0.8)


def _docs_strip(ax, n_docs: pd.Series, *, few: int = 1) -> None:
    """Bars of documents per year under a year axis; years with ``few`` or fewer documents hollow."""
    full = n_docs.reindex(range(int(n_docs.index.min()), int(n_docs.index.max()) + 1)) if len(n_docs) else n_docs
    solid = full[full > few]
    thin = full[(full > 0) & (full <= few)]
    ax.bar(solid.index, solid.to_numpy(), color=GREY, width=0.8)
    ax.bar(thin.index, thin.to_numpy(), facecolor="white", edgecolor=GREY, width=0.8)
    missing = full[full.isna()].index
    if len(missing):
        ax.scatter(missing, [0] * len(missing), marker="x", color="#cc0000", s=12, zorder=3)
    ax.set_ylabel("文档数", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
    ax.spines[["top", "right"]].set_visible(False)


def _on_year_range(frame: pd.DataFrame, present: pd.Index) -> pd.DataFrame:
    """Rows for every year from first to last: years with documents kept (0 where empty),
    years without documents NaN, so a line breaks there instead of bridging the gap."""
    years = range(int(min(present)), int(max(present)) + 1)
    frame = frame.reindex(present, fill_value=0).reindex(years)
    return frame


# ---------------------------------------------------------------------------- documents and cleaning

def documents_bar(documents: pd.DataFrame, *, value: str = "n_chars", max_docs: int = 40) -> Figure:
    """The documents and their size. Up to ``max_docs`` documents: one bar each, labelled and in
    year order. More: documents per year and total ``value`` per year (gaps left empty), and the
    distribution of document sizes."""
    _require(documents, ["doc_id", value])
    _positive("max_docs", max_docs)
    if len(documents) <= max_docs:
        order = documents.sort_values([c for c in ("year", "label", "doc_id") if c in documents.columns],
                                      na_position="last", kind="stable")
        frame = order.iloc[::-1]
        fig = new_figure(8, 0.32 * len(frame) + 1.4)
        ax = fig.add_subplot()
        bars = ax.barh(_labels_of(documents, frame["doc_id"]), frame[value], color=PALETTE[1])
        ax.bar_label(bars, labels=[f"{v:,}" for v in frame[value]], padding=3, fontsize=8)
        ax.set_xlabel(RATE_LABELS.get(value, value))
        ax.set_title(f"语料中的文档（{len(frame)}篇，按年份排列）")
        ax.spines[["top", "right"]].set_visible(False)
        return fig
    fig = new_figure(11, 6)
    grid = fig.add_gridspec(2, 2, height_ratios=[3, 1], width_ratios=[2, 1])
    ax = fig.add_subplot(grid[0, 0])
    dated = documents.dropna(subset=["year"]) if "year" in documents.columns else documents.iloc[:0]
    if len(dated):
        per_year = dated.groupby(dated["year"].astype(int))
        total = per_year[value].sum()
        full = total.reindex(range(total.index.min(), total.index.max() + 1))
        ax.bar(full.index, full.to_numpy(), color=PALETTE[1], width=0.8)
        ax.set_ylabel(RATE_LABELS.get(value, value) + "（每年合计）")
        _year_axis(ax, full.index)
        ax_docs = fig.add_subplot(grid[1, 0], sharex=ax)
        _docs_strip(ax_docs, per_year.size())
        ax_docs.set_xlabel("年份（× = 无文档的年份；空心 = 仅一篇）")
    ax.set_title(f"{len(documents):,}篇文档：每年的篇幅")
    ax.spines[["top", "right"]].set_visible(False)
    ax_hist = fig.add_subplot(grid[:, 1])
    ax_hist.hist(documents[value], bins=30, color=PALETTE[0])
    ax_hist.set_xlabel(RATE_LABELS.get(value, value))
    ax_hist.set_ylabel("文档数")
    ax_hist.set_title("文档长度的分布")
    ax_hist.spines[["top", "right"]].set_visible(False)
    return fig


def audit_bar(audit: pd.DataFrame, *, documents: pd.DataFrame | None = None, n: int = 30) -> Figure:
    """Stacked bars: for the ``n`` documents changed most, how many changes each cleaning step made
    (the cut is stated in the title when the corpus has more). A linear axis, so each segment's
    length is its count; the total is written at the end of each bar."""
    _require(audit, ["doc_id", "step", "count"])
    _positive("n", n)
    table = audit.pivot_table(index="doc_id", columns="step", values="count", aggfunc="sum", fill_value=0,
                              observed=True)
    total = len(table)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index[:n]]
    steps = list(table.sum().sort_values(ascending=False).index)
    colour = _colours(steps)
    fig = new_figure(9, 0.3 * len(table) + 2)
    ax = fig.add_subplot()
    left = np.zeros(len(table))
    names = _labels_of(documents, table.index)
    for step in steps:
        ax.barh(names, table[step], left=left, label=step, color=colour[step])
        left += table[step].to_numpy()
    for y, value in enumerate(left):
        ax.annotate(f"{int(value):,}", (value, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlabel("修改次数")
    ax.set_xlim(0, max(left.max(initial=0), 1) * 1.1)  # an audit with no change: an empty axis
    ax.set_title("清洗记录：每个文档各步骤的修改" + _cut_note(len(table), total, "篇"))
    if steps:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, title="步骤", title_fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.invert_yaxis()
    return fig


# ---------------------------------------------------------------------------- vocabulary

def wordcloud(freqs: pd.Series | dict, *, title: str | None = None, max_words: int = 120,
              width: int = 900, height: int = 500, colors: tuple[str, ...] = PALETTE[:4]) -> Figure:
    """A word cloud drawn from frequencies (never from space-joined text), with the CJK font.

    One-character terms such as 党 are kept; collocation doubling is off; the layout is seeded.
    Colour carries no meaning (it only separates neighbouring words).
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


@_says_when_empty("高频词")
def top_terms_bar(counts: pd.DataFrame, *, n: int = 20, value: str = "n", title: str = "高频词") -> Figure:
    """Horizontal bars of the ``n`` most frequent terms of a counts table (``term`` and ``value``)."""
    _require(counts, ["term", value])
    _positive("n", n)
    top = counts.sort_values([value, "term"], ascending=[False, True]).head(n).iloc[::-1]
    fig = new_figure(7, 0.28 * len(top) + 1.2)
    ax = fig.add_subplot()
    ax.barh(top["term"], top[value], color=PALETTE[0])
    ax.set_xlabel(RATE_LABELS.get(value, value))
    ax.set_title(f"{title}（前{len(top)}）")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


@_says_when_empty("各组高频词")
def top_terms_by_group(counts: pd.DataFrame, *, by: str = "doc_id", n: int = 10, value: str = "per_10k",
                       labels: dict | None = None, order: list | None = None, max_panels: int = 12,
                       ncols: int = 4, title: str | None = None) -> Figure:
    """Small multiples: the top ``n`` terms of each group (document, year, period …), on a shared
    scale, in a grid of at most ``max_panels`` panels (groups in ``order``, else as they come; the
    cut is stated in the title). For many documents, pass a coarser ``by`` (a year or a period)."""
    _require(counts, [by, "term", value])
    _positive("max_panels", max_panels)
    groups = [g for g in (order or list(dict.fromkeys(counts[by]))) if (counts[by] == g).any()]
    total = len(groups)
    groups = groups[:max_panels]
    ncols = max(1, min(ncols, len(groups)))
    nrows = int(np.ceil(len(groups) / ncols))
    fig = new_figure(4.0 * ncols, 0.24 * n * nrows + 0.9 * nrows + 0.6)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    for ax, group in zip(axes.flat, groups):
        top = counts[counts[by] == group].sort_values([value, "term"], ascending=[False, True]).head(n).iloc[::-1]
        ax.barh(top["term"], top[value], color=PALETTE[1])
        ax.set_title(short_label((labels or {}).get(group, group), 24), fontsize=10)
        ax.tick_params(axis="y", labelsize=9)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(groups):]:
        ax.set_axis_off()
    fig.supxlabel(RATE_LABELS.get(value, value))
    fig.suptitle((title or f"各组的前{n}个词") + _cut_note(len(groups), total, "组"))
    return fig


@_says_when_empty("关键词（对数似然 G²）")
def keyness_bar(table: pd.DataFrame, *, n: int = 12, title: str = "关键词（对数似然 G²）",
                target_label: str = "目标", reference_label: str = "参照") -> Figure:
    """Signed G² of the ``n`` most over-used and ``n`` most under-used terms (like textplot_keyness)."""
    _require(table, ["term", "g2"])
    _positive("n", n)
    top = table.nlargest(n, "g2")
    bottom = table[table["g2"] < 0].nsmallest(n, "g2")
    both = pd.concat([top, bottom.iloc[::-1]]).iloc[::-1]
    fig = new_figure(7, 0.26 * len(both) + 1.6)
    ax = fig.add_subplot()
    over = (both["g2"] > 0).to_numpy()
    ax.barh(np.arange(len(both))[over], both["g2"].to_numpy()[over], color=PALETTE[0], label=f"{target_label} 多用")
    ax.barh(np.arange(len(both))[~over], both["g2"].to_numpy()[~over], color=PALETTE[8],
            label=f"{reference_label} 多用")
    ax.set_yticks(range(len(both)), both["term"])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("G²（对数似然）")
    ax.set_title(f"{title}（各前{n}）")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def dispersion_plot(dispersion: pd.DataFrame, doc_ids: list[str], *, labels: dict | None = None,
                    title: str = "词语在文档中的位置", max_rows: int = 36) -> Figure:
    """Where each term occurs in a document (0 = start, 1 = end), like AntConc's plot: one row per
    document and term while that makes at most ``max_rows`` rows; beyond, one row per term showing
    how its occurrences spread over the relative position in all documents (a density strip)."""
    _require(dispersion, ["doc_id", "term", "relative"])
    terms = list(dict.fromkeys(dispersion["term"]))
    colour = _colours(terms)
    if len(doc_ids) * len(terms) <= max_rows:
        rows = [(d, t) for d in doc_ids for t in terms]
        fig = new_figure(9, 0.3 * len(rows) + 1.6)
        ax = fig.add_subplot()
        for i, (doc_id, term) in enumerate(rows):
            hits = dispersion[(dispersion["doc_id"] == doc_id) & (dispersion["term"] == term)]["relative"]
            ax.vlines(hits, i - 0.4, i + 0.4, color=colour[term], linewidth=1.6)
            ax.axhline(i, color="#dddddd", linewidth=0.5, zorder=0)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([f"{(labels or {}).get(d, d)} · {t}" for d, t in rows], fontsize=9)
        ax.set_ylim(len(rows) - 0.5, -0.5)
    else:
        fig = new_figure(9, 0.55 * len(terms) + 1.8)
        ax = fig.add_subplot()
        bins = np.linspace(0, 1, 41)
        for i, term in enumerate(terms):
            rel = dispersion.loc[(dispersion["term"] == term) & dispersion["doc_id"].isin(doc_ids), "relative"]
            hist, _ = np.histogram(rel, bins=bins)
            height = hist / hist.max() * 0.8 if hist.max() else hist
            ax.bar(bins[:-1], height, width=bins[1] - bins[0], bottom=i - 0.4, align="edge", color=colour[term])
            n_docs = dispersion.loc[dispersion["term"] == term, "doc_id"].nunique()
            ax.text(1.01, i, f"{len(rel):,}次 / {n_docs:,}篇", va="center", fontsize=8, transform=ax.get_yaxis_transform())
        ax.set_yticks(range(len(terms)), terms)
        ax.set_ylim(len(terms) - 0.5, -0.5)
        title = f"{title}（{len(doc_ids):,}篇合计：柱高 = 该位置的出现次数）"
    ax.set_xlim(0, 1)
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
        ax.set_title(f"{label} 多用的词（字号 = G²）", color=color)
        if not freqs:
            continue
        cloud = WordCloud(font_path=str(fonts.font_path()), width=600, height=500, background_color="white",
                          random_state=RANDOM_STATE, collocations=False, max_words=max_words,
                          color_func=lambda *a, _c=color, **k: _c, relative_scaling=0.6, min_font_size=8)
        ax.imshow(cloud.generate_from_frequencies(freqs).to_array(), interpolation="bilinear")
    return fig


# ---------------------------------------------------------------------------- matrices and networks

def vertical(text: str, width: int = 8) -> str:
    """Chinese text stacked one character per line (read top to bottom, never turned on its side);
    runs of Latin letters or digits stay on one line."""
    import re

    parts = re.findall(r"[A-Za-z0-9.]+|.", short_label(text, width))
    return "\n".join(parts)


def cluster_order(matrix: pd.DataFrame) -> list:
    """Rows of a square, symmetric co-occurrence ``matrix`` ordered so that items that go together
    sit together: average-linkage clustering on the distance 1 − count / largest count."""
    if len(matrix) < 3:
        return list(matrix.index)
    from scipy.cluster.hierarchy import leaves_list, linkage, optimal_leaf_ordering
    from scipy.spatial.distance import squareform

    values = matrix.reindex(columns=matrix.index).fillna(0).to_numpy(dtype=float)
    values = (values + values.T) / 2
    top = values.max() or 1.0
    distances = 1 - values / top
    np.fill_diagonal(distances, 0)
    condensed = squareform(distances, checks=False)
    tree = optimal_leaf_ordering(linkage(condensed, method="average"), condensed)
    return [matrix.index[i] for i in leaves_list(tree)]


@_says_when_empty("提法共现（同一句）")
def heatmap(matrix: pd.DataFrame, *, title: str = "提法共现（同一句）", value_label: str = "共现次数",
            max_rows: int = 40, max_cols: int = 40, missing_label: str | None = None) -> Figure:
    """A matrix (items × items, documents × formulas, terms × years) as a heatmap, at most
    ``max_rows`` × ``max_cols`` (the rows and columns of largest total are kept and the cut is
    stated in the title). Cells are annotated when there are few; NaN cells are grey
    (``missing_label`` says what they mean, e.g. years without documents). Column labels that are
    Chinese are written top to bottom, not turned on their side."""
    total_rows, total_cols = matrix.shape
    if total_rows > max_rows:
        matrix = matrix.loc[matrix.sum(axis=1).sort_values(ascending=False, kind="stable").index[:max_rows]]
    if total_cols > max_cols:
        keep = matrix.sum(axis=0).sort_values(ascending=False, kind="stable").index[:max_cols]
        matrix = matrix[[c for c in matrix.columns if c in set(keep)]]
    rows, cols = matrix.shape
    chinese_cols = any(not str(c).replace(".", "").isdigit() for c in matrix.columns)
    longest = max((min(len(str(c)), 8) for c in matrix.columns), default=1) if chinese_cols else 2
    cell = min(0.42, 18 / max(cols, 1))
    fig = new_figure(cell * cols + 4.5, 0.36 * rows + 1.6 + 0.2 * longest)
    ax = fig.add_subplot()
    values = matrix.to_numpy(dtype=float)
    import matplotlib

    cmap = matplotlib.colormaps["Reds"].with_extremes(bad="#e0e0e0")
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, aspect="auto")
    if chinese_cols:
        ax.set_xticks(range(cols), [vertical(c) for c in matrix.columns], fontsize=8, linespacing=0.95)
    else:
        ax.set_xticks(range(cols), [str(c) for c in matrix.columns], rotation=90, fontsize=8)
    ax.set_yticks(range(rows), [short_label(i, 16) for i in matrix.index], fontsize=9)
    if rows * cols <= 400:
        top = np.nanmax(values) if np.isfinite(values).any() else 0
        for i in range(rows):
            for j in range(cols):
                if np.isfinite(values[i, j]) and values[i, j]:
                    shade = "white" if values[i, j] > top * 0.6 else "black"
                    ax.text(j, i, f"{values[i, j]:g}", ha="center", va="center", fontsize=7, color=shade)
    fig.colorbar(image, ax=ax, shrink=0.6, label=value_label)
    note = _cut_note(rows, total_rows, "行") + ("" if cols >= total_cols else f"（前{cols}列，共{total_cols}列）")
    ax.set_title(title + note + (f"\n灰色：{missing_label}" if missing_label else ""))
    return fig


def network_layout(items: list[str], categories: pd.Series | None = None) -> dict[str, tuple[float, float]]:
    """Positions on a circle, grouped by category then ordered by name. They depend only on the
    items, so drawing the network of another context or of a single year puts each slogan in the
    same place and the pictures can be compared."""
    cats = categories if categories is not None else pd.Series(dtype=object)
    ordered = sorted(set(items), key=lambda s: (str(cats.get(s, "")), s))
    angles = np.linspace(0, 2 * np.pi, num=len(ordered), endpoint=False) + np.pi / 2
    return {s: (round(float(np.cos(a)), 6), round(float(np.sin(a)), 6)) for s, a in zip(ordered, angles)}


def _pair_columns(pairs: pd.DataFrame) -> tuple[str, str]:
    if "item_a" in pairs.columns and "item_b" in pairs.columns:
        return "item_a", "item_b"
    raise ValueError(f"expected pair columns item_a, item_b (have {list(pairs.columns)})")


@_says_when_empty("提法共现网络")
def cooccurrence_network(pairs: pd.DataFrame, frequency: pd.Series, *, value: str = "npmi", min_count: int = 2,
                         min_value: float = 0.1, max_nodes: int = 30, max_edges: int = 40, categories: pd.Series | None = None,
                         layout: dict[str, tuple[float, float]] | None = None,
                         title: str = "提法共现网络") -> Figure:
    """The pairs that meet at least ``min_count`` times with association ``value`` ≥ ``min_value``,
    among the ``max_nodes`` most frequent items, the ``max_edges`` strongest of them: nodes sized by frequency and coloured by category,
    edges as wide as the association, on a circle grouped by category (or at ``layout``). The
    thresholds are written under the title."""
    _positive("max_nodes", max_nodes)
    _positive("max_edges", max_edges)
    a, b = _pair_columns(pairs)
    if value not in pairs.columns:
        raise ValueError(f"value={value!r}: not a column of the pairs (have {list(pairs.columns)})")
    top_items = set(frequency[frequency > 0].sort_values(ascending=False, kind="stable").index[:max_nodes])
    kept = pairs[(pairs["n_ab"] >= min_count) & (pairs[value] >= min_value)
                 & pairs[a].isin(top_items) & pairs[b].isin(top_items)]
    above = len(kept)
    kept = kept.sort_values([value, "n_ab"], ascending=False, kind="stable").head(max_edges)
    nodes = sorted(set(kept[a]) | set(kept[b]))
    cats = categories.reindex(nodes).fillna("其他") if categories is not None else pd.Series("", index=nodes)
    if layout is None:
        layout = network_layout(nodes, cats)
    fig = new_figure(11, 9)
    ax = fig.add_subplot()
    strongest = float(kept[value].max()) if len(kept) else 1.0
    for row in kept.itertuples(index=False):
        (x1, y1), (x2, y2) = layout[getattr(row, a)], layout[getattr(row, b)]
        weight = getattr(row, value) / strongest if strongest else 0
        ax.plot([x1, x2], [y1, y2], color="#555555", alpha=0.2 + 0.5 * weight, linewidth=0.5 + 4 * weight, zorder=1)
    kinds = sorted(set(cats)) if categories is not None else []
    colour = _colours(kinds)
    biggest = max(float(frequency.reindex(nodes).max()), 1.0) if nodes else 1.0
    for node in nodes:
        x, y = layout[node]
        kind = cats.get(node, "")
        ax.scatter([x], [y], s=40 + 900 * float(frequency[node]) / biggest, color=colour.get(kind, PALETTE[0]),
                   alpha=0.85, zorder=2, edgecolors="white")
        ax.annotate(node, (x * 1.14, y * 1.14), ha="center", va="center", fontsize=9, zorder=3)
    for kind in kinds:
        ax.scatter([], [], color=colour[kind], label=kind + (" 等" if colour[kind] == GREY else ""), s=60)
    if kinds:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
                  title="类别" + ("（灰色：其余类别）" if GREY in colour.values() else ""))
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if not nodes:
        ax.text(0, 0, "没有达到阈值的组合", ha="center", va="center")
    edges_note = "" if above <= max_edges else f"中最强的{max_edges}条（共{above}条）"
    ax.set_title(f"{title}\n边：共现 ≥ {min_count} 次且 {value} ≥ {min_value:g}{edges_note}；节点：出现最多的{max_nodes}个中的"
                 f"{len(nodes)}个（面积 = 次数）；边宽 = {value}", fontsize=10)
    return fig


# ---------------------------------------------------------------------------- years

@_says_when_empty("主题份额")
def theme_lines(shares: pd.DataFrame, *, value: str = "share", by: str = "year", max_themes: int = 16,
                ncols: int = 4, title: str = "主题的年度变化") -> Figure:
    """Small multiples, one panel per theme (the ``max_themes`` largest, in order of size), on one
    shared scale: each theme's ``value`` by year, with years without documents left as gaps and
    years resting on one document drawn hollow; the documents behind each year under the grid."""
    _require(shares, [by, "theme", value, "n_docs"])
    n_docs = shares.drop_duplicates(by).set_index(by)["n_docs"].sort_index()
    table = shares.pivot_table(index=by, columns="theme", values=value, aggfunc="sum")
    present = n_docs.index
    table = _on_year_range(table.fillna(0), present)
    order = list(shares.groupby("theme")[value].sum().sort_values(ascending=False).index)
    total = len(order)
    order = order[:max_themes]
    colour = _colours(order)
    ncols = max(1, min(ncols, len(order)))
    nrows = int(np.ceil(len(order) / ncols))
    fig = new_figure(3.6 * ncols, 2.1 * nrows + 2.2)
    grid = fig.add_gridspec(nrows + 1, ncols, height_ratios=[3] * nrows + [1.4])
    first = None
    single = n_docs.reindex(table.index) == 1
    for k, theme in enumerate(order):
        ax = fig.add_subplot(grid[k // ncols, k % ncols], sharex=first, sharey=first)
        first = first or ax
        series = table[theme]
        ax.plot(series.index, series.to_numpy(), color=colour[theme], linewidth=1.4)
        solid = series[~single & series.notna()]
        hollow = series[single & series.notna()]
        ax.scatter(solid.index, solid.to_numpy(), color=colour[theme], s=8, zorder=3)
        ax.scatter(hollow.index, hollow.to_numpy(), facecolors="white", edgecolors=colour[theme], s=14, zorder=3)
        ax.set_title(theme, fontsize=10, color=colour[theme])
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8)
        _year_axis(ax, table.index)
    ax_docs = fig.add_subplot(grid[nrows, :])
    _docs_strip(ax_docs, n_docs)
    _year_axis(ax_docs, table.index)
    ax_docs.set_xlabel("年份（断线与 × = 无文档的年份；空心 = 该年仅一篇文档）")
    label = {"share": "占全部主题提及的比例", "per_10k": "每万字提及次数"}.get(value, value)
    fig.suptitle(f"{title}：{label}" + _cut_note(len(order), total, "个主题"))
    return fig


@_says_when_empty("年度频率")
def term_trend(table: pd.DataFrame, *, smooth: int | None = None, max_items: int = 12,
               title: str = "选定词语的年度频率") -> Figure:
    """Rate per 10,000 characters by year of chosen terms or formulas, from a table with columns
    ``year, item`` (or ``term``), ``per_10k`` and ``n_docs`` (one row per year and item; years with
    documents but no mention may be absent or 0). Up to four items share one panel, more get small
    multiples (at most ``max_items``). Years without documents are gaps; under the chart, the
    documents behind each year (hollow: one document). ``smooth``: a centred moving average over
    that many years, drawn over the yearly points."""
    item = "item" if "item" in table.columns else "term"
    _require(table, ["year", item, "per_10k", "n_docs"])
    if smooth is not None:
        _positive("smooth", smooth)
    items = list(dict.fromkeys(table[item]))
    if not items:
        raise ValueError("term_trend needs at least one item")
    if len(items) > max_items:
        raise ValueError(f"{len(items)} items: at most max_items={max_items} fit one figure; choose fewer")
    n_docs = table.groupby("year")["n_docs"].max().sort_index()
    n_docs = n_docs[n_docs > 0]
    rates = _on_year_range(table.pivot_table(index="year", columns=item, values="per_10k", aggfunc="sum").fillna(0),
                           n_docs.index)[items]
    single = (n_docs.reindex(rates.index) == 1).to_numpy()
    colour = _colours(items)
    panels = [items] if len(items) <= 4 else [[i] for i in items]
    ncols = 1 if len(panels) == 1 else 3
    nrows = int(np.ceil(len(panels) / ncols))
    fig = new_figure(10 if ncols == 1 else 12, (4.2 if ncols == 1 else 2.2 * nrows) + 1.8)
    grid = fig.add_gridspec(nrows + 1, ncols, height_ratios=[3] * nrows + [1])
    first = None
    for k, group in enumerate(panels):
        ax = fig.add_subplot(grid[k // ncols, k % ncols], sharex=first)
        first = first or ax
        for name in group:
            series = rates[name]
            if smooth:
                smoothed = series.rolling(smooth, center=True, min_periods=1).mean().where(series.notna())
                ax.plot(series.index, smoothed.to_numpy(), color=colour[name], linewidth=1.8, label=name)
                ax.plot(series.index, series.to_numpy(), color=colour[name], linewidth=0.6, alpha=0.4)
            else:
                ax.plot(series.index, series.to_numpy(), color=colour[name], linewidth=1.5, label=name)
            ok = series.notna().to_numpy()
            ax.scatter(series.index[ok & ~single], series[ok & ~single], color=colour[name], s=10, zorder=3)
            ax.scatter(series.index[ok & single], series[ok & single], facecolors="white", edgecolors=colour[name],
                       s=16, zorder=3)
        if len(group) > 1:
            ax.legend(fontsize=9, frameon=False, loc="upper left")
        else:
            ax.set_title(group[0], fontsize=10, color=colour[group[0]])
        ax.set_ylabel("每万字" if k % ncols == 0 else "")
        ax.spines[["top", "right"]].set_visible(False)
        _year_axis(ax, rates.index)
    ax_docs = fig.add_subplot(grid[nrows, :])
    _docs_strip(ax_docs, n_docs)
    _year_axis(ax_docs, rates.index)
    ax_docs.set_xlabel("年份（断线与 × = 无文档的年份；空心 = 该年仅一篇文档）")
    fig.suptitle(title + (f"（{smooth}年滑动平均，细线为逐年值）" if smooth else ""))
    return fig


@_says_when_empty("高频词排名")
def rank_chart(counts: pd.DataFrame, chars: pd.Series, *, n: int = 10, edges: list[int] | None = None,
               max_columns: int = 8, title: str = "高频词排名的变化") -> Figure:
    """Each period's top ``n`` terms by rate, written in rank order, with a line joining a term's
    places in neighbouring periods (a slope graph that cannot overlap: one term per rank and
    period). Periods start at ``edges`` (documented turning points); without them each year is a
    column, and past ``max_columns`` years they are grouped into ``max_columns`` spans of equal
    numbers of years with documents. Terms in the top ``n`` of one period only are grey."""
    _positive("n", n)
    years = counts.index.astype(int)
    if edges:
        starts = sorted({int(min(years))} | {int(e) for e in edges if min(years) < e <= max(years)})
    elif len(years) <= max_columns:
        starts = list(years)
    else:
        starts = [int(years[i]) for i in np.linspace(0, len(years), max_columns, endpoint=False).astype(int)]
    groups = np.searchsorted(starts, years, side="right") - 1
    names = []
    for k, start in enumerate(starts):
        inside = years[groups == k]
        names.append(f"{inside.min()}" if inside.min() == inside.max() else f"{inside.min()}–{inside.max()}")
    grouped = counts.groupby(groups).sum()
    chars_g = chars.reindex(counts.index).groupby(groups).sum()
    docs = [int((groups == k).sum()) for k in range(len(starts))]
    rates = grouped.div(chars_g, axis=0)
    tops = [list(rates.loc[k].sort_values(ascending=False, kind="stable").index[:n]) for k in grouped.index]
    seen = pd.Series([t for top in tops for t in top]).value_counts()
    recurring = [t for t in dict.fromkeys(t for top in tops for t in top) if seen[t] > 1]
    colour = _colours(recurring)
    fig = new_figure(1.9 * len(tops) + 1.2, 0.36 * n + 1.8)
    ax = fig.add_subplot()
    for k, top in enumerate(tops):
        for r, term in enumerate(top):
            c = colour.get(term, GREY)
            ax.text(k, r, term, ha="center", va="center", fontsize=9, color=c if c != GREY else "#616161",
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": c, "linewidth": 0.8})
            if k + 1 < len(tops) and term in tops[k + 1]:
                ax.plot([k + 0.32, k + 1 - 0.32], [r, tops[k + 1].index(term)], color=c, linewidth=1.2, zorder=0)
    ax.set_xticks(range(len(tops)), [f"{name}\n{d}年有文档" if len(name) > 4 else name
                                     for name, d in zip(names, docs)], fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks(range(n), [str(r + 1) for r in range(n)])
    ax.set_ylim(n - 0.5, -0.7)
    ax.set_xlim(-0.6, len(tops) - 0.4)
    ax.set_ylabel("排名（按每万字频次）")
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    ax.set_title(f"{title}（每期前{n}；灰色：只在一期进入前{n}；连线：相邻两期都在前{n}）", fontsize=10)
    return fig


@_says_when_empty("提法的生命周期")
def lifecycle_chart(lifecycle: pd.DataFrame, counts: pd.DataFrame, chars: pd.Series, *, max_items: int = 40,
                    title: str = "提法的生命周期") -> Figure:
    """Each item's span from first to last year, a dot for every year it occurs (area = rate per
    10,000 characters) and a ring at its peak year; grey bands mark years without documents. At
    most ``max_items`` rows (the most mentioned; the cut is stated)."""
    _require(lifecycle, ["item", "first_year", "last_year", "peak_year"])
    total = len(lifecycle)
    if total > max_items:
        column = "n" if "n" in lifecycle.columns else "n_years"
        keep = set(lifecycle.nlargest(max_items, column)["item"])
        lifecycle = lifecycle[lifecycle["item"].isin(keep)]
    rates = counts.div(chars.reindex(counts.index), axis=0) * 10_000
    items = list(lifecycle["item"])
    fig = new_figure(11, 0.3 * len(items) + 1.8)
    ax = fig.add_subplot()
    years = counts.index.astype(int)
    for gap in sorted(set(range(years.min(), years.max() + 1)) - set(years)):
        ax.axvspan(gap - 0.5, gap + 0.5, color="#eeeeee", zorder=0, linewidth=0)
    biggest = max(float(rates[items].max().max()), 1e-9) if items else 1.0
    for i, row in enumerate(lifecycle.itertuples()):
        ax.hlines(i, row.first_year, row.last_year, color="#bbbbbb", linewidth=1.2)
        present = rates[row.item][rates[row.item] > 0]
        ax.scatter(present.index, [i] * len(present), s=10 + 140 * present.to_numpy() / biggest, color=PALETTE[0],
                   alpha=0.8, zorder=3)
        ax.scatter([row.peak_year], [i], s=70, facecolors="none", edgecolors="black", linewidths=1, zorder=4)
    ax.set_yticks(range(len(items)), items, fontsize=9)
    ax.set_ylim(len(items) - 0.5, -0.5)
    ax.set_xlabel("年份（点面积 = 每万字次数，圆圈 = 峰值年，灰带 = 无文档的年份）")
    ax.set_title(title + _cut_note(len(items), total, "个"))
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def trend(corpus, terms: list[str] | str, *, smooth: int | None = None, title: str | None = None) -> Figure:
    """One call: the rate per 10,000 characters by year of ``terms`` (a list, or one term) in
    ``corpus``, with the documents behind each year, gaps shown, optionally smoothed."""
    terms = [terms] if isinstance(terms, str) else list(terms)
    return term_trend(corpus.trend(terms), smooth=smooth, title=title or "年度频率：" + "、".join(terms))
