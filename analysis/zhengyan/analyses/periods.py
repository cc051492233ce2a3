"""Periods for comparing years: documented turning points (``data/periods.csv``), never the median year."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from zhengyan.core import paths

#: The file of documented turning points (columns set, year, event, source).
PERIODS_FILE = "periods.csv"


def load_turning_points(*, series: str = "national") -> pd.DataFrame:
    """The documented turning points of ``series`` (``year, event, source``), in year order."""
    table = pd.read_csv(paths.data_file(PERIODS_FILE), comment="#")
    known = sorted(table["set"].unique())
    if series not in known:
        raise ValueError(f"series={series!r}: {PERIODS_FILE} has no such set (allowed: {', '.join(known)})")
    part = table[table["set"] == series].sort_values("year")
    return part[["year", "event", "source"]].reset_index(drop=True)


def turning_points(years: Iterable[int], *, series: str = "national") -> list[int]:
    """The turning points that split ``years``: each leaves at least one of them on either side."""
    known = sorted({int(y) for y in years if not pd.isna(y)})
    if not known:
        return []
    points = load_turning_points(series=series)["year"].astype(int)
    return [int(p) for p in points if known[0] < p <= known[-1]]


def label(start: int, end: int | None) -> str:
    """"1978–1991", "2012–" (open end) or "2007" (one year)."""
    if end is None:
        return f"{start}–"
    return str(start) if start == end else f"{start}–{end}"


def period_of(years: pd.Series, edges: Iterable[int]) -> pd.Series:
    """The period of each year ("–1977", "1978–1991", "2012–"), each edge starting a period."""
    edges = sorted(int(e) for e in edges)

    def one(y):
        if pd.isna(y):
            return pd.NA
        y = int(y)
        if not edges or y < edges[0]:
            return f"–{edges[0] - 1}" if edges else "全部"
        start = max(e for e in edges if e <= y)
        later = [e for e in edges if e > start]
        return label(start, later[0] - 1 if later else None)

    return years.map(one)


def period_order(edges: Iterable[int]) -> list[str]:
    """The period labels of ``edges`` in time order (for sorting tables and panels)."""
    edges = sorted(int(e) for e in edges)
    if not edges:
        return ["全部"]
    return [f"–{edges[0] - 1}"] + [label(e, n - 1) for e, n in zip(edges, edges[1:])] + [label(edges[-1], None)]


def change_point(counts: pd.DataFrame, chars: pd.Series) -> int:
    """The year that best splits a years × terms table in two: the split (each side keeping at least
    one year) with the largest log-likelihood G² summed over all terms of before against after."""
    from zhengyan.core.counting import log_likelihood

    if len(counts) < 2:
        raise ValueError(f"a change point needs at least two years with documents; have {len(counts)}")
    values = counts.to_numpy(dtype=float)
    sizes = chars.reindex(counts.index).to_numpy(dtype=float)
    before_n = values.cumsum(axis=0)[:-1]
    before_c = sizes.cumsum()[:-1][:, None]
    total_n, total_c = values.sum(axis=0), sizes.sum()
    g2 = log_likelihood(before_n, total_n - before_n, before_c, total_c - before_c)
    return int(counts.index[int(np.nansum(g2, axis=1).argmax()) + 1])


def edges_for(years: Iterable[int], counts: pd.DataFrame | None = None, chars: pd.Series | None = None, *,
              series: str = "national") -> tuple[list[int], str]:
    """Where to cut ``years`` into periods, and why: the documented turning points inside the span,
    else the change point of ``counts`` (when given), else none."""
    points = turning_points(years, series=series)
    if points:
        return points, f"documented turning points ({PERIODS_FILE}, set {series})"
    if counts is not None and chars is not None and len(counts) >= 2:
        return [change_point(counts, chars)], "the change point of the term rates (largest summed G² of before vs after)"
    return [], "no split: one year"
