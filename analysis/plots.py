"""Figures: each function takes a tidy table and returns a matplotlib ``Figure``; :func:`save` writes it."""
from __future__ import annotations

import io
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import fonts, paths

#: Seed for every random layout (word clouds, networks), so reruns draw the same picture.
RANDOM_STATE = 42
PALETTE = ("#b22222", "#1f4e79", "#c47f17", "#2e7d32", "#6a1b9a", "#00838f", "#5d4037", "#ad1457",
           "#455a64", "#827717", "#283593", "#bf360c")


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
