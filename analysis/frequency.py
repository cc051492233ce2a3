"""Counting terms: frequencies by document or any metadata column, rates, TF-IDF, keyness.

Every verb takes the tokens table (``Corpus.tokens`` or a subset) and returns a tidy table.
Definitions (so a reader can recompute any figure by hand):

- ``per_10k`` = n / characters of the group × 10,000 (characters: non-space characters of the
  clean text, ``documents.n_chars``); ``per_1k_tokens`` = n / word tokens of the group × 1,000.
- ``docfreq``: documents of the group in which the term occurs.
- ``tf`` = n / terms of the document; ``idf`` = ln(documents / documents containing the term);
  ``tfidf`` = tf × idf (as tidytext's ``bind_tf_idf``).
- keyness ``g2``: Dunning's log-likelihood of the full 2×2 table (term vs other terms, target vs
  reference; :func:`analysis.counting.log_likelihood`, no correction), signed negative when the
  term is rarer in the target; ``log_ratio`` = log2 of the ratio of relative frequencies (Hardie),
  a zero count replaced by 0.5.

Counts, group sizes and rates come from :mod:`analysis.counting`: only non-zero cells are
computed, never a dense documents × terms grid (:func:`sparse_matrix` gives a SciPy matrix).
These tables count **tokens**: a formula jieba splits (不忘初心/牢记使命) or glues into a longer
token (中央八项规定) is not counted as the formula here. For formulas use the mentions of
:mod:`analysis.slogans`, or build the tables on :func:`analysis.slogans.formula_tokens`, where
every formula mention is one token and the counts agree with the mentions.
"""
from __future__ import annotations

from typing import Iterable, Literal

import numpy as np
import pandas as pd
from scipy import stats

from . import counting
from .corpus import content_terms
from .counting import log_likelihood  # noqa: F401  (the one G² of the package, re-exported)

Group = str  # "doc_id" or a column of the documents table ("year", "place", …)


def term_counts(tokens: pd.DataFrame, documents: pd.DataFrame | None = None, *, by: Group = "doc_id",
                filler: bool = True, terms: Iterable[str] | None = None) -> pd.DataFrame:
    """Count terms by ``by`` (a document, or any metadata column such as ``year``).

    Columns: ``<by>``, ``term``, ``n``, ``docfreq``, ``rank`` (1 = most frequent in the group,
    ties share the lower rank), and with ``documents`` also ``n_docs``, ``per_10k``, ``per_1k_tokens``.
    ``terms`` (a list; a plain string is one term) restricts the table to those terms, rows with
    n = 0 included. Counted by :func:`analysis.counting.count_by` (linear; only non-zero cells).

    These are token counts: a formula that jieba cuts into pieces or glues to a longer token
    (中央八项规定) is not counted here as the formula; count formulas with
    :func:`analysis.slogans.mentions`, or pass :func:`analysis.slogans.formula_tokens` as ``tokens``.
    """
    tokens = content_terms(tokens, filler=filler) if "kind" in tokens.columns else tokens
    counts = counting.count_by(tokens, documents, by=by, column="term",
                               items=None if terms is None else counting.as_terms(terms, "terms"))
    counts["rank"] = counts.groupby(by)["n"].rank(method="min", ascending=False).astype(np.int64)
    front = [by, "term", "n", "docfreq", "rank"]
    counts = counts[front + [c for c in counts.columns if c not in front]]
    return counts.sort_values([by, "rank", "term"]).reset_index(drop=True)


def corpus_counts(tokens: pd.DataFrame, documents: pd.DataFrame | None = None, *, filler: bool = True) -> pd.DataFrame:
    """Whole-corpus frequencies: ``term, n, docfreq, rank`` and ``per_10k`` when ``documents`` is given."""
    tokens = content_terms(tokens, filler=filler)
    table = counting.count_by(tokens, None, by="doc_id", column="term", rates=False)
    table = table.groupby("term", sort=False).agg(n=("n", "sum"), docfreq=("n", "size")).reset_index()
    table["rank"] = table["n"].rank(method="min", ascending=False).astype(np.int64)
    if documents is not None:
        table["per_10k"] = counting.per_10k(table["n"], documents["n_chars"].sum())
    return table.sort_values(["rank", "term"]).reset_index(drop=True)


def tfidf(tokens: pd.DataFrame, *, filler: bool = True) -> pd.DataFrame:
    """``doc_id, term, n, tf, idf, tfidf`` for every term of every document (see the module for formulas).

    Linear: the non-zero (document, term) cells only."""
    terms = content_terms(tokens, filler=filler) if "kind" in tokens.columns else tokens
    counts = counting.count_by(terms, None, by="doc_id", column="term", rates=False)[["doc_id", "term", "n"]]
    n_docs = tokens["doc_id"].nunique()
    totals = counts.groupby("doc_id")["n"].transform("sum")
    df = counts.groupby("term")["doc_id"].transform("size")
    out = counts.assign(tf=counts["n"] / totals, idf=np.log(n_docs / df))
    out["tfidf"] = out["tf"] * out["idf"]
    return out.sort_values(["doc_id", "tfidf", "term"], ascending=[True, False, True]).reset_index(drop=True)


def _scores(a, b, c, d) -> dict[str, np.ndarray]:
    """Signed G², its p-value and the log ratio for target counts ``a`` of ``c`` and reference ``b`` of ``d``."""
    g2 = counting.signed_log_likelihood(a, b, c, d)
    return {"g2": g2, "p": counting.g2_p(g2), "log_ratio": counting.log_ratio(a, b, c, d)}


def _selected(documents: pd.DataFrame, by: Group, values: list) -> pd.Series:
    column = documents["doc_id"] if by == "doc_id" else documents[by]
    return column.astype(str).isin([str(v) for v in values]) if by == "doc_id" else column.isin(values)


def _group_labels(tokens: pd.DataFrame, documents: pd.DataFrame | None, by: Group) -> np.ndarray:
    return counting.group_of(tokens["doc_id"].to_numpy(), documents, by)


def keyness(tokens: pd.DataFrame, target, *, by: Group = "doc_id", documents: pd.DataFrame | None = None,
            reference: pd.DataFrame | None = None, min_freq: int = 3, filler: bool = True) -> pd.DataFrame:
    """Terms over- and under-used by ``target`` (one value or a list of values of ``by``).

    The reference is the rest of the corpus, or the tokens table ``reference`` (another corpus).
    Columns: ``term, n_target, n_reference, g2`` (signed), ``p``, ``log_ratio``, and with
    ``documents`` (and no separate reference) ``per_10k_target, per_10k_reference``; sorted by
    ``g2`` descending. Terms with ``n_target + n_reference < min_freq`` are left out.
    """
    tokens = content_terms(tokens, filler=filler)
    values = [target] if isinstance(target, (str, int, np.integer)) else list(target)
    labels = pd.Series(_group_labels(tokens, documents, by))
    in_target = labels.isin([str(v) for v in values] if by == "doc_id" else values).to_numpy()
    if not in_target.any():
        raise ValueError(f"no tokens where {by} is {values!r}")
    target_terms = tokens["term"].astype(str)[in_target]
    if reference is None:
        ref_terms = tokens["term"].astype(str)[~in_target]
    else:
        ref_terms = content_terms(reference, filler=filler)["term"].astype(str)
    table = pd.DataFrame({"n_target": target_terms.value_counts(), "n_reference": ref_terms.value_counts()})
    table = table.fillna(0).astype(np.int64)
    table.index.name = "term"
    table = table[table["n_target"] + table["n_reference"] >= min_freq]
    c, d = len(target_terms), len(ref_terms)
    for name, column in _scores(table["n_target"], table["n_reference"], c, d).items():
        table[name] = column
    if documents is not None and reference is None:
        mask = _selected(documents, by, values)
        table["per_10k_target"] = counting.per_10k(table["n_target"], documents.loc[mask, "n_chars"].sum())
        table["per_10k_reference"] = counting.per_10k(table["n_reference"], documents.loc[~mask, "n_chars"].sum())
    return table.reset_index().sort_values(["g2", "term"], ascending=[False, True]).reset_index(drop=True)


def _absence_threshold(c: np.ndarray, n_all: int, totals: np.ndarray, zero_p: float) -> np.ndarray:
    """For groups of ``c`` tokens: the smallest corpus total (among ``totals``, sorted ascending) at
    which never using a term is significant (p < ``zero_p``), or +inf. G² of 0 of c against T of
    n_all − c grows with T, so a bisection over the distinct totals finds it for every group at once."""
    critical = stats.chi2.isf(zero_p, df=1)
    lo = np.zeros(len(c), dtype=np.int64)
    hi = np.full(len(c), len(totals), dtype=np.int64)
    while (lo < hi).any():
        mid = (lo + hi) // 2
        t = totals[np.clip(mid, 0, len(totals) - 1)]
        significant = (mid < len(totals)) & (counting.log_likelihood(0, t, c, n_all - c) > critical)
        active = lo < hi
        hi = np.where(active & significant, mid, hi)
        lo = np.where(active & ~significant, mid + 1, lo)
    return np.where(lo < len(totals), totals[np.clip(lo, 0, len(totals) - 1)], np.inf)


def keyness_each(tokens: pd.DataFrame, documents: pd.DataFrame, *, by: Group = "doc_id", min_freq: int = 3,
                 filler: bool = True, zero_p: float = 0.05) -> pd.DataFrame:
    """Keyness of every group against the rest of the corpus, stacked (computed at once, not in a loop).

    Columns: ``<by>`` then those of :func:`keyness`. Which cells are computed (the rule keeps the
    table sparse, never a groups × terms grid): every term a group uses (n_target > 0), plus the
    terms it never uses whose absence is significant (p < ``zero_p``) — for a group of c tokens
    those are exactly the terms whose corpus total reaches the smallest total at which 0 of c
    against that total of the rest is significant (G² grows with the total; found by bisection).
    Terms seen fewer than ``min_freq`` times in all are left out.
    """
    tokens = content_terms(tokens, filler=filler)
    present = counting.count_by(tokens, documents, by=by, column="term", rates=False)[[by, "term", "n"]]
    group_size = present.groupby(by, sort=True)["n"].sum()
    totals = present.groupby("term")["n"].sum()
    kept = totals[totals >= min_freq]
    present = present[present["term"].isin(kept.index)]
    n_all = int(group_size.sum())
    # significant absences, group by group, from the terms sorted by total (largest first)
    by_total = kept.sort_values(ascending=False, kind="stable")
    ascending = np.sort(by_total.unique())
    threshold = _absence_threshold(group_size.to_numpy(dtype=float), n_all, ascending.astype(float), zero_p)
    reach = np.searchsorted(-by_total.to_numpy(dtype=float), -threshold, side="right")  # terms with total ≥ threshold
    groups = np.repeat(group_size.index.to_numpy(dtype=object), reach)
    offsets = np.arange(reach.sum()) - np.repeat(np.cumsum(reach) - reach, reach)
    absent = pd.DataFrame({by: groups, "term": by_total.index.to_numpy(dtype=object)[offsets], "n": 0})
    if len(absent):
        absent = absent.astype({by: present[by].dtype}) if len(present) else absent
        seen = pd.MultiIndex.from_frame(present[[by, "term"]])
        absent = absent[~pd.MultiIndex.from_frame(absent[[by, "term"]]).isin(seen)]
    table = pd.concat([present, absent], ignore_index=True) if len(absent) else present.reset_index(drop=True)
    a = table["n"].to_numpy(dtype=float)
    c = table[by].map(group_size).to_numpy(dtype=float)
    b = table["term"].map(kept).to_numpy(dtype=float) - a
    table = table.rename(columns={"n": "n_target"})
    table["n_target"] = table["n_target"].astype(np.int64)
    table["n_reference"] = b.astype(np.int64)
    for name, column in _scores(a, b, c, n_all - c).items():
        table[name] = column
    chars = counting.group_sizes(documents, by)["n_chars"]
    chars_each = table[by].map(chars).to_numpy(dtype=float)
    table["per_10k_target"] = counting.per_10k(a, chars_each)
    table["per_10k_reference"] = counting.per_10k(b, documents["n_chars"].sum() - chars_each)
    table = table[(table["n_target"] > 0) | (table["p"] < zero_p)]
    return table.sort_values([by, "g2", "term"], ascending=[True, False, True]).reset_index(drop=True)


def term_matrix(counts: pd.DataFrame, *, by: Group = "doc_id", value: Literal["n", "per_10k"] = "n") -> pd.DataFrame:
    """A term counts table (from :func:`term_counts`) pivoted to a dense groups × terms frame, for small
    selections (a few groups or chosen terms); use :func:`sparse_matrix` for a whole corpus."""
    counting.check_option("value", value, ("n", "per_10k", "per_1k_tokens", "docfreq"))
    return counts.pivot_table(index=by, columns="term", values=value, fill_value=0, aggfunc="sum")


def sparse_matrix(counts: pd.DataFrame, *, by: Group = "doc_id", value: str = "n"):
    """A term counts table as a SciPy CSR groups × terms matrix, with its row and column labels:
    ``(matrix, groups, terms)`` (a document-feature matrix without a dense grid)."""
    from scipy import sparse

    rows, groups = pd.factorize(counts[by], sort=True)
    cols, terms = pd.factorize(counts["term"], sort=True)
    matrix = sparse.csr_matrix((counts[value].to_numpy(dtype=float), (rows, cols)), shape=(len(groups), len(terms)))
    return matrix, pd.Index(groups, name=by), pd.Index(terms, name="term")
