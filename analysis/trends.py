"""Shifts over years: which terms and slogans rise or fade, when, and how strongly.

For each term, from its rate per 10,000 characters in each year that has documents:

- ``rho`` and ``p``: Spearman's rank correlation of rate with year (a monotone trend test);
- ``slope``: least-squares change of the rate per year;
- ``first_year``, ``last_year``, ``peak_year``: the first and last year it occurs, the year of its
  highest rate;
- ``change_year`` and ``direction``: the split of the years into before and after that best
  separates its rate (largest log-likelihood G² of before vs after, ``change_g2``); "rise" when the
  rate after is higher; ``per_10k_before``, ``per_10k_after`` and ``log_ratio`` (log2 of after over
  before, a zero count taken as 0.5) say how large the shift is.

Years with no document are not counted as zeros; they are absent.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from .corpus import content_terms
from .counting import log_likelihood
from .frequency import keyness


def yearly_counts(tokens: pd.DataFrame, documents: pd.DataFrame, *, filler: bool = True,
                  min_total: int = 10) -> tuple[pd.DataFrame, pd.Series]:
    """A years × terms table of counts (terms seen ``min_total`` times or more) and characters per year."""
    docs = documents.dropna(subset=["year"])
    year_of = docs.set_index("doc_id")["year"].astype(int)
    terms = content_terms(tokens, filler=filler)
    frame = pd.DataFrame({"year": terms["doc_id"].astype(str).map(year_of).to_numpy(),
                          "term": terms["term"].astype(str).to_numpy()}).dropna()
    totals = frame["term"].value_counts()
    frame = frame[frame["term"].isin(totals[totals >= min_total].index)]
    counts = frame.groupby(["year", "term"]).size().unstack(fill_value=0)
    chars = docs.groupby(docs["year"].astype(int))["n_chars"].sum()
    counts = counts.reindex(chars.index, fill_value=0)
    return counts, chars


def mention_counts(mentions: pd.DataFrame, documents: pd.DataFrame, *, column: str = "item") -> tuple[pd.DataFrame, pd.Series]:
    """The same years × items table for a mentions table (slogans, theme terms)."""
    docs = documents.dropna(subset=["year"])
    year_of = docs.set_index("doc_id")["year"].astype(int)
    frame = pd.DataFrame({"year": mentions["doc_id"].astype(str).map(year_of), "item": mentions[column]}).dropna()
    counts = frame.groupby(["year", "item"]).size().unstack(fill_value=0)
    chars = docs.groupby(docs["year"].astype(int))["n_chars"].sum()
    return counts.reindex(chars.index, fill_value=0), chars


def trends(counts: pd.DataFrame, chars: pd.Series) -> pd.DataFrame:
    """One row per term (column of ``counts``): the measures of the module docstring, vectorised."""
    if len(counts) < 3:
        raise ValueError(f"a trend needs at least three years with documents; this corpus has {len(counts)}")
    years = counts.index.to_numpy(dtype=float)
    rates = counts.to_numpy(dtype=float) / chars.reindex(counts.index).to_numpy(dtype=float)[:, None] * 10_000
    # Spearman: Pearson correlation of ranks (ties averaged), with its t-test
    rank_rates = pd.DataFrame(rates).rank(axis=0).to_numpy()
    rank_years = pd.Series(years).rank().to_numpy()[:, None]
    ry = rank_years - rank_years.mean()
    rr = rank_rates - rank_rates.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (ry * rr).sum(axis=0) / np.sqrt((ry ** 2).sum() * (rr ** 2).sum(axis=0))
        n = len(years)
        t = rho * np.sqrt((n - 2) / np.clip(1 - rho ** 2, 1e-12, None))
    p = 2 * stats.t.sf(np.abs(t), df=n - 2)
    yc = years - years.mean()
    slope = (yc[:, None] * (rates - rates.mean(axis=0))).sum(axis=0) / (yc ** 2).sum()
    present = counts.to_numpy() > 0
    first = np.where(present.any(axis=0), years[present.argmax(axis=0)], np.nan)
    last = np.where(present.any(axis=0), years[len(years) - 1 - present[::-1].argmax(axis=0)], np.nan)
    peak = years[rates.argmax(axis=0)]
    # best split: cumulative counts and characters before each split point
    cum_n = counts.to_numpy(dtype=float).cumsum(axis=0)[:-1]
    cum_c = chars.reindex(counts.index).to_numpy(dtype=float).cumsum()[:-1][:, None]
    total_n, total_c = cum_n[-1] + counts.to_numpy(dtype=float)[-1], float(chars.sum())
    g2 = log_likelihood(cum_n, total_n - cum_n, cum_c, total_c - cum_c)
    best = g2.argmax(axis=0)
    cols = np.arange(counts.shape[1])
    before_rate = cum_n[best, cols] / cum_c[best, 0]
    after_rate = (total_n - cum_n[best, cols]) / (total_c - cum_c[best, 0])
    n_before, n_after = cum_n[best, cols], total_n - cum_n[best, cols]
    log_ratio = np.log2(((n_after + 0.5) / (total_c - cum_c[best, 0])) / ((n_before + 0.5) / cum_c[best, 0]))
    table = pd.DataFrame({
        "term": counts.columns, "n": counts.sum().to_numpy(), "rho": rho, "p": p, "slope": slope,
        "first_year": first, "last_year": last, "peak_year": peak,
        "change_year": years[best + 1], "direction": np.where(after_rate > before_rate, "rise", "fall"),
        "change_g2": g2[best, cols], "per_10k_before": before_rate * 10_000, "per_10k_after": after_rate * 10_000,
        "log_ratio": log_ratio,
    })
    for column in ("first_year", "last_year", "peak_year", "change_year"):
        table[column] = table[column].astype("Int64")
    return table.sort_values(["change_g2", "term"], ascending=[False, True]).reset_index(drop=True)


def rising(table: pd.DataFrame, n: int = 20, *, by: str = "change_g2", min_g2: float = 15.13) -> pd.DataFrame:
    """The ``n`` strongest risers, strongest first: by ``change_g2`` (how sure), or by ``log_ratio``
    (how large: arrivals rank first). Only shifts with ``change_g2 >= min_g2`` (default: p < 0.0001)."""
    risers = table[(table["direction"] == "rise") & (table["change_g2"] >= min_g2)]
    return risers.nlargest(n, by)


def falling(table: pd.DataFrame, n: int = 20, *, by: str = "change_g2", min_g2: float = 15.13) -> pd.DataFrame:
    """The ``n`` strongest fallers; ``by="log_ratio"`` ranks disappearances first."""
    fallers = table[(table["direction"] == "fall") & (table["change_g2"] >= min_g2)]
    return fallers.nsmallest(n, by) if by == "log_ratio" else fallers.nlargest(n, by)


def lifecycle(counts: pd.DataFrame, chars: pd.Series) -> pd.DataFrame:
    """``item, n, n_years, first_year, last_year, peak_year, peak_per_10k`` for each column of ``counts``."""
    rates = counts.div(chars.reindex(counts.index), axis=0) * 10_000
    present = counts > 0
    table = pd.DataFrame({
        "item": counts.columns,
        "n": counts.sum().to_numpy(),
        "n_years": present.sum().to_numpy(),
        "first_year": [present.index[present[c]].min() for c in counts.columns],
        "last_year": [present.index[present[c]].max() for c in counts.columns],
        "peak_year": rates.idxmax().to_numpy(),
        "peak_per_10k": rates.max().to_numpy(),
    })
    return table.sort_values(["first_year", "item"]).reset_index(drop=True)


def periods(documents: pd.DataFrame, edges: Iterable[int]) -> pd.Series:
    """A period label ("1978–1991") for each document's year, cutting at ``edges`` (each starts a period)."""
    edges = sorted(edges)
    year = documents["year"]

    def label(y):
        if pd.isna(y):
            return pd.NA
        starts = [e for e in edges if e <= y]
        if not starts:
            return f"–{edges[0] - 1}"
        start = starts[-1]
        later = [e for e in edges if e > start]
        return f"{start}–{later[0] - 1}" if later else f"{start}–"

    return year.map(label)


def compare_periods(tokens: pd.DataFrame, documents: pd.DataFrame, a: tuple[int, int], b: tuple[int, int], *,
                    min_freq: int = 5, filler: bool = True) -> pd.DataFrame:
    """Keyness of the years ``a`` (inclusive range) against the years ``b``: positive g2 = more used in ``a``."""
    def years_in(span):
        return documents.loc[documents["year"].between(*span), "doc_id"].astype(str)

    ids_a, ids_b = set(years_in(a)), set(years_in(b))
    if not ids_a or not ids_b:
        raise ValueError(f"no documents in {a if not ids_a else b}")
    docs = tokens["doc_id"].astype(str)
    return keyness(tokens[docs.isin(ids_a)], list(ids_a), reference=tokens[docs.isin(ids_b)],
                   min_freq=min_freq, filler=filler)
