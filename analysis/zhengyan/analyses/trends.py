"""Shifts over years: which terms and slogans rise or fade, when, and how strongly.

For each term, from its rate per 10,000 characters in each year that has documents:

- ``rho`` and ``p``: Spearman's rank correlation of rate with year (a monotone trend test);
- ``slope``: least-squares change of the rate per year;
- ``first_year``, ``last_year``, ``peak_year``: the first and last year it occurs, the year of its
  highest rate;
- ``change_year`` and ``direction``: the split of the years into before and after that best
  separates its rate (largest log-likelihood G² of before vs after, ``change_g2``); "rise" when the
  rate after is higher; ``per_10k_before``, ``per_10k_after`` and ``log_ratio`` (log2 of after over
  before, a zero count taken as 0.5) say how large the shift is;
- ``strength``: the log2 rate ratio at the near end of its exact 99% interval (:func:`shift_strength`),
  the default ranking of :func:`rising` and :func:`falling` — it needs a large shift *and* counts;
- ``shape``, ``window_start``, ``window_end``, ``window_g2``: a second change point. The window of
  years (touching neither end) whose rate differs most from the years outside it (G²) is kept when
  it beats the single change point by the 0.001 critical value, differs from the years before and
  from those after on its own (each G² at p < 0.001) and by a factor of two or more: "rise-fall"
  (a peak, in the window) or "fall-rise" (a trough); otherwise ``shape`` is the ``direction``.

Every G² is :func:`zhengyan.core.counting.log_likelihood` (full 2×2 table: the term against the other
characters, the years in against the years out). Which terms rank: those seen ``min_total`` times
in ``min_docs`` documents and present in ``min_years`` years, with date or number tokens (日, 月,
号, 21日) and reporting verbs (称, 表示, 日称) left out unless asked (:func:`yearly_counts`).
Years with no document are not counted as zeros; they are absent.
"""
from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from zhengyan.core import checks, counting
from zhengyan.core import pool
from zhengyan.ingest.corpus import content_terms
from zhengyan.core.counting import log_likelihood
from zhengyan.analyses.frequency import keyness


#: Tokens that are dates or numbers (日, 月, 号, 21日, 2019年, 三) — calendar words, not topics.
DATE_OR_NUMBER = re.compile(
    r"^(?:[日月号年时分秒]|[0-9０-９.%％]+.*|[一二三四五六七八九十百千万亿两〇零]+(?:日|月|号|年|时)?|"
    r"(?:[0-9０-９一二三四五六七八九十两〇零]+)?(?:日|月|号|年)(?:称|说|电|讯|报道|表示|上午|下午|晚|晚间|凌晨)?|"
    r"(?:今|昨|前|明|当|次|本|上|下)(?:天|日|年|月)|[上下]午|晚间|凌晨|周[一二三四五六日末])$")
#: Reporting verbs and news formulae (称, 表示, 日称 …): they follow the genre, not the topic.
REPORTING = frozenset(
    "称 表示 说 指出 强调 认为 介绍 透露 宣布 报道 获悉 据悉 据 称赞 谈到 说道 表明 提到 日称 日电 日讯 记者 本台 消息 "
    "发言人 答问 回答 问 答 举行 会见 会谈 致电 电 讯".split())
NOISE = ("dates", "reporting")


def _noise(terms: pd.Index, keep: Iterable[str]) -> np.ndarray:
    keep = checks.as_terms(keep, "keep") if keep else []
    for k in keep:
        checks.check_option("keep", k, NOISE)
    names = pd.Series(terms.astype(str))
    out = np.zeros(len(names), dtype=bool)
    if "dates" not in keep:
        out |= names.str.match(DATE_OR_NUMBER).to_numpy()
    if "reporting" not in keep:
        out |= names.isin(REPORTING).to_numpy()
    return out


def _year_table(table: pd.DataFrame, documents: pd.DataFrame, column: str, min_total: int, min_docs: int,
                keep: Iterable[str] | None, noise: bool) -> tuple[pd.DataFrame, pd.Series]:
    """Years × chosen items counts and the characters of each year, on integer codes (no string per row)."""
    docs = documents.dropna(subset=["year"])
    docs = docs.assign(year=docs["year"].astype(int))
    sizes = counting.group_sizes(docs, "year")
    cells = counting.cell_counts(table, None, by="doc_id", column=column)
    doc_year = pd.Series(docs["year"].to_numpy(), index=docs["doc_id"].astype(str).to_numpy())
    doc_year = doc_year[~doc_year.index.duplicated()].reindex(cells.group_names.astype(str))
    year_code = sizes.index.get_indexer(doc_year.to_numpy(dtype=float))  # −1: an undated document
    dated = year_code[cells.group] >= 0
    group, item, n = year_code[cells.group[dated]], cells.item[dated], cells.n[dated]
    item_names = cells.item_names
    del cells, dated
    n_items = len(item_names)
    total = np.bincount(item, weights=n, minlength=n_items)
    n_docs = np.bincount(item, minlength=n_items)
    names = pd.Index(np.asarray(item_names, dtype=object)).astype(str)
    chosen = np.flatnonzero((total >= min_total) & (n_docs >= min_docs) & (n_docs > 0))
    chosen = chosen[np.argsort(np.asarray(names[chosen], dtype=object), kind="stable")]  # by name, as groupby sorts
    if noise and len(chosen):
        chosen = chosen[~_noise(names[chosen], keep or ())]
    position = np.full(n_items, -1, dtype=np.int64)
    position[chosen] = np.arange(len(chosen))
    wanted = position[item] >= 0
    cell = group[wanted].astype(np.int64) * len(chosen) + position[item[wanted]]  # (year, term) of each count
    # summed by bincount (float64 holds whole counts exactly far beyond any corpus), not np.add.at
    matrix = np.bincount(cell, weights=n[wanted], minlength=len(sizes) * len(chosen))
    matrix = matrix.reshape(len(sizes), len(chosen)).astype(np.int64)
    counts = pd.DataFrame(matrix, index=sizes.index, columns=names[chosen])
    counts.columns.name = None
    return counts, sizes["n_chars"]


def yearly_counts(tokens: pd.DataFrame, documents: pd.DataFrame, *, filler: bool = True, min_total: int = 10,
                  min_docs: int = 3, keep: Iterable[str] | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """A years × terms table of counts and the characters of each year (years with documents).

    A term enters when it is seen ``min_total`` times or more in ``min_docs`` documents or more
    (so a name from one or two documents does not rank), and is not a date or number token
    (日, 月, 号, 21日) nor a reporting verb (称, 表示, 日称) — unless ``keep`` names "dates" or
    "reporting". Counted on integer codes (years × chosen terms only).
    """
    return _year_table(content_terms(tokens, filler=filler, columns=["doc_id", "term"]), documents, "term", min_total,
                       min_docs, keep, True)


def mention_counts(mentions: pd.DataFrame, documents: pd.DataFrame, *, column: str = "item", min_total: int = 1,
                   min_docs: int = 1) -> tuple[pd.DataFrame, pd.Series]:
    """The same years × items table for a mentions table (formulas, theme terms, chosen terms)."""
    return _year_table(mentions, documents, column, min_total, min_docs, None, False)


def _segments_g2(cum_n: np.ndarray, cum_c: np.ndarray, i: np.ndarray, j: np.ndarray):
    """G² (2×2) of the years i … j−1 against the others, for counts' cumulative sums (leading 0 row)."""
    inside_n = cum_n[j] - cum_n[i]
    inside_c = (cum_c[j] - cum_c[i])[:, None]
    total_n, total_c = cum_n[-1], cum_c[-1]
    g2 = log_likelihood(inside_n, total_n - inside_n, inside_c, total_c - inside_c)
    return g2, inside_n, inside_c


def _xlogx(x: np.ndarray) -> np.ndarray:
    out = np.log(np.where(x > 0, x, 1.0))
    out *= x
    return out


#: :func:`_best_window` looks x·ln x up in a table when every count is a whole number up to this.
WHOLE_TABLE = 50_000_000


def _best_window(cum_n: np.ndarray, cum_c: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """For each term, the index of the window (years i … j−1) of largest G² against the other years.

    G² = 2(Σ cells·ln cells − Σ margins·ln margins + N·ln N): the term's own margins and N are the
    same for every window, so only four cell terms and the window's two sizes are computed per
    window and term (the windows × terms grid is the costly part of :func:`trends`)."""
    inside = cum_n[j] - cum_n[i]
    total = cum_n[-1]
    inside_c = (cum_c[j] - cum_c[i])[:, None]
    outside_c = cum_c[-1] - inside_c
    top = float(total.max()) if total.size else 0.0
    if 0 <= top <= WHOLE_TABLE and np.array_equal(cum_n, np.floor(cum_n)):
        # whole counts (as a corpus gives): their x·ln x are looked up in a table made once, not computed per cell
        table = _xlogx(np.arange(int(top) + 1, dtype=float))
        counts = inside.astype(np.int64)
        score = table[counts]
        score += table[total.astype(np.int64) - counts]
        del counts
    else:  # counts of another kind (fractions, missing values): computed
        score = _xlogx(inside)
        score += _xlogx(total - inside)
    score += _xlogx(inside_c - inside)
    score += _xlogx(outside_c - (total - inside))
    score -= _xlogx(inside_c) + _xlogx(outside_c)
    return score.argmax(axis=0)


def shift_strength(n_after, n_before, chars_after, chars_before, *, level: float = 0.99) -> np.ndarray:
    """Size and evidence together: log2 of the rate ratio (after / before) at the near end of its
    exact ``level`` confidence interval, 0 when the interval holds 1 (no shift one can defend).

    The interval is the exact one for a ratio of two Poisson rates: given the n_after + n_before
    occurrences, n_after is binomial with p = r·C_a / (r·C_a + C_b); Clopper–Pearson bounds on p
    give bounds on r. No pseudo-count: a term absent before its arrival gets a finite bound that
    grows with how often it is used after."""
    na, nb, ca, cb = (np.asarray(x, dtype=float) for x in (n_after, n_before, chars_after, chars_before))
    m = na + nb
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        p_low = np.where(na > 0, stats.beta.ppf(alpha / 2, na, nb + 1), 0.0)
        p_high = np.where(nb > 0, stats.beta.ppf(1 - alpha / 2, na + 1, nb), 1.0)
        low = np.log2(p_low / (1 - p_low) * cb / ca)
        high = np.log2(p_high / (1 - p_high) * cb / ca)
    rise = np.where(m > 0, np.maximum(np.nan_to_num(low, neginf=0.0, posinf=0.0), 0.0), 0.0)
    fall = np.where(m > 0, np.maximum(-np.nan_to_num(high, neginf=0.0, posinf=0.0), 0.0), 0.0)
    return np.maximum(rise, fall)


#: :func:`trends` measures this many terms at a time (each term's measures are its own; memory stays bounded).
TREND_BLOCK = 4096


def trends(counts: pd.DataFrame, chars: pd.Series, *, min_years: int = 3) -> pd.DataFrame:
    """One row per term (column of ``counts``): the measures of the module docstring, vectorised.

    Terms present in fewer than ``min_years`` years are left out."""
    if len(counts) < 3:
        raise ValueError(f"a trend needs at least three years with documents; this corpus has {len(counts)}")
    present_years = (counts > 0).sum()
    counts = counts.loc[:, present_years[present_years >= min_years].index]
    # the blocks go to the analysis workers when the corpus is large (its characters, as for the texts' analyses)
    parts = pool.map_documents(_trends, [(counts.iloc[:, lo:lo + TREND_BLOCK], chars)
                                             for lo in range(0, counts.shape[1], TREND_BLOCK)], chars=int(chars.sum()))
    table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0] if parts else _trends(counts, chars)
    return table.sort_values(["change_g2", "term"], ascending=[False, True]).reset_index(drop=True)


def _trends(counts: pd.DataFrame, chars: pd.Series) -> pd.DataFrame:
    """The measures of the terms of ``counts`` (unsorted)."""
    years = counts.index.to_numpy(dtype=float)
    values = counts.to_numpy(dtype=float)
    size = chars.reindex(counts.index).to_numpy(dtype=float)
    rates = counting.per_10k(values, size[:, None])
    # Spearman: Pearson correlation of ranks (ties averaged), with its t-test
    rank_rates = pd.DataFrame(rates).rank(axis=0).to_numpy()
    rank_years = pd.Series(years).rank().to_numpy()[:, None]
    ry = rank_years - rank_years.mean()
    rr = rank_rates - rank_rates.mean(axis=0)
    n = len(years)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (ry * rr).sum(axis=0) / np.sqrt((ry ** 2).sum() * (rr ** 2).sum(axis=0))
        t = rho * np.sqrt((n - 2) / np.clip(1 - rho ** 2, 1e-12, None))
    p = 2 * stats.t.sf(np.abs(t), df=n - 2)
    yc = years - years.mean()
    slope = (yc[:, None] * (rates - rates.mean(axis=0))).sum(axis=0) / (yc ** 2).sum()
    present = values > 0
    first = np.where(present.any(axis=0), years[present.argmax(axis=0)], np.nan)
    last = np.where(present.any(axis=0), years[len(years) - 1 - present[::-1].argmax(axis=0)], np.nan)
    peak = years[rates.argmax(axis=0)] if values.shape[1] else np.array([])
    cum_n = np.vstack([np.zeros((1, values.shape[1])), values.cumsum(axis=0)])
    cum_c = np.r_[0.0, size.cumsum()]
    total_n, total_c = cum_n[-1], cum_c[-1]
    cols = np.arange(values.shape[1])
    # one change point: years before k against years from k on
    ks = np.arange(1, n)
    g2_split, n_before, c_before = _segments_g2(cum_n, cum_c, np.zeros_like(ks), ks)
    best = g2_split.argmax(axis=0) if values.shape[1] else np.array([], dtype=int)
    change_g2 = g2_split[best, cols]
    nb, cb = n_before[best, cols], c_before[best, 0]
    na, ca = total_n - nb, total_c - cb
    before_rate, after_rate = nb / cb, na / ca
    log_ratio = np.log2(((na + 0.5) / ca) / ((nb + 0.5) / cb))
    # a window of years i … j−1 touching neither end, against the years outside it (a peak or a trough)
    ii, jj = np.triu_indices(n + 1, k=1)
    inner = (ii >= 1) & (jj <= n - 1)
    ii, jj = ii[inner], jj[inner]
    shape = np.where(after_rate > before_rate, "rise", "fall").astype(object)
    window_start = np.full(values.shape[1], np.nan)
    window_end = np.full(values.shape[1], np.nan)
    window_g2 = np.zeros(values.shape[1])
    if len(ii) and values.shape[1]:
        # windows × terms, a block of terms at a time (memory stays bounded on large vocabularies)
        blocks = [(cum_n[:, lo:lo + 512], cum_c, ii, jj) for lo in range(0, values.shape[1], 512)]
        # in worker processes when the grid is large (its size stands for the work, as characters do for texts)
        work = len(ii) * values.shape[1] // 100
        w = np.concatenate(pool.map_documents(_best_window, blocks, chars=work))
        wi, wj = ii[w], jj[w]
        n_pre, c_pre = cum_n[wi, cols], cum_c[wi]
        n_post, c_post = total_n - cum_n[wj, cols], total_c - cum_c[wj]
        n_mid, c_mid = cum_n[wj, cols] - n_pre, cum_c[wj] - c_pre
        window_g2 = log_likelihood(n_mid, total_n - n_mid, c_mid, total_c - c_mid)
        mid_rate = n_mid / c_mid
        # each side on its own must differ from the window (2×2 G² at p < 0.001), by half or more
        g2_pre = log_likelihood(n_mid, n_pre, c_mid, c_pre)
        g2_post = log_likelihood(n_mid, n_post, c_mid, c_post)
        pre_rate, post_rate = n_pre / c_pre, n_post / c_post
        peak_shape = (mid_rate >= 2 * pre_rate) & (mid_rate >= 2 * post_rate)
        trough_shape = (mid_rate * 2 <= pre_rate) & (mid_rate * 2 <= post_rate)
        sides = (g2_pre >= counting.CRITICAL[0.001]) & (g2_post >= counting.CRITICAL[0.001])
        better = window_g2 >= change_g2 + counting.CRITICAL[0.001]  # the second change point earns its place
        shape = np.where(sides & better & peak_shape, "rise-fall",
                         np.where(sides & better & trough_shape, "fall-rise", shape)).astype(object)
        two = (shape == "rise-fall") | (shape == "fall-rise")
        window_start = np.where(two, years[np.clip(wi, 0, n - 1)], np.nan)
        window_end = np.where(two, years[np.clip(wj - 1, 0, n - 1)], np.nan)
    strength = shift_strength(na, nb, ca, cb)
    table = pd.DataFrame({
        "term": counts.columns, "n": values.sum(axis=0).astype(np.int64), "n_years": present.sum(axis=0),
        "rho": rho, "p": p, "slope": slope,
        "first_year": first, "last_year": last, "peak_year": peak,
        "change_year": years[best + 1] if len(best) else np.array([]),
        "direction": np.where(after_rate > before_rate, "rise", "fall"),
        "change_g2": change_g2, "per_10k_before": counting.per_10k(nb, cb), "per_10k_after": counting.per_10k(na, ca),
        "log_ratio": log_ratio, "strength": strength, "shape": shape,
        "window_start": window_start, "window_end": window_end, "window_g2": window_g2,
    })
    for column in ("first_year", "last_year", "peak_year", "change_year", "window_start", "window_end"):
        table[column] = pd.array(table[column].to_numpy(dtype=float), dtype="Float64").astype("Int64")
    return table


RANKINGS = ("strength", "change_g2", "log_ratio")


def rising(table: pd.DataFrame, n: int = 20, *, by: str = "strength", min_g2: float = 15.13) -> pd.DataFrame:
    """The ``n`` strongest risers (direction "rise" at the best change point; a term that rose and
    then fell shows ``shape`` "rise-fall" and its window), strongest first.

    ``by``: "strength" (default: :func:`shift_strength`, the log2 rate ratio at the near end of
    its exact 99% interval, so a ranking needs both a large shift and the counts to back it), "change_g2" (how sure) or "log_ratio"
    (how large). Only shifts with ``change_g2 >= min_g2`` (default: p < 0.0001)."""
    checks.check_option("by", by, RANKINGS)
    risers = table[(table["direction"] == "rise") & (table["change_g2"] >= min_g2)]
    return risers.sort_values([by, "change_g2", "term"], ascending=[False, False, True]).head(n)


def falling(table: pd.DataFrame, n: int = 20, *, by: str = "strength", min_g2: float = 15.13) -> pd.DataFrame:
    """The ``n`` strongest fallers (see :func:`rising`); ``by="log_ratio"`` ranks disappearances first."""
    checks.check_option("by", by, RANKINGS)
    fallers = table[(table["direction"] == "fall") & (table["change_g2"] >= min_g2)]
    ascending = by == "log_ratio"
    return fallers.sort_values([by, "change_g2", "term"], ascending=[ascending, False, True]).head(n)


def peaks(table: pd.DataFrame, n: int = 20, *, min_g2: float = 15.13) -> pd.DataFrame:
    """Terms that rose and then fell (``shape`` "rise-fall"), strongest window first."""
    found = table[(table["shape"] == "rise-fall") & (table["window_g2"] >= min_g2)]
    return found.sort_values(["window_g2", "term"], ascending=[False, True]).head(n)


def lifecycle(counts: pd.DataFrame, chars: pd.Series) -> pd.DataFrame:
    """``item, n, n_years, first_year, last_year, peak_year, peak_per_10k`` for each column of ``counts``."""
    rates = pd.DataFrame(counting.per_10k(counts.to_numpy(), chars.reindex(counts.index).to_numpy()[:, None]),
                         index=counts.index, columns=counts.columns)
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
