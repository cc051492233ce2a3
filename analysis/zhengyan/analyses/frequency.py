"""Counting terms: frequencies by document or any metadata column, rates, TF-IDF, keyness.

Every verb takes the tokens table (``Corpus.tokens`` or a subset) and returns a tidy table.
Definitions (so a reader can recompute any figure by hand):

- ``per_10k`` = n / characters of the group × 10,000 (characters: non-space characters of the
  clean text, ``documents.n_chars``); ``per_1k_tokens`` = n / word tokens of the group × 1,000.
- ``docfreq``: documents of the group in which the term occurs.
- ``tf`` = n / terms of the document; ``idf`` = ln(documents / documents containing the term);
  ``tfidf`` = tf × idf (as tidytext's ``bind_tf_idf``).
- keyness ``g2``: Dunning's log-likelihood of the full 2×2 table (term vs other terms, target vs
  reference; :func:`zhengyan.core.counting.log_likelihood`, no correction), signed negative when the
  term is rarer in the target; ``log_ratio`` = log2 of the ratio of relative frequencies (Hardie),
  a zero count replaced by 0.5.

Counts, group sizes and rates come from :mod:`zhengyan.core.counting`: only non-zero cells are
computed, never a dense documents × terms grid (:func:`sparse_matrix` gives a SciPy matrix).
These tables count **tokens**: a formula jieba splits (不忘初心/牢记使命) or glues into a longer
token (中央八项规定) is not counted as the formula here. For formulas use the mentions of
:mod:`zhengyan.analyses.formulas`, or build the tables on :func:`zhengyan.analyses.formulas.formula_tokens`, where
every formula mention is one token and the counts agree with the mentions.
"""
from __future__ import annotations

from typing import Iterable, Literal, NamedTuple

import numpy as np
import pandas as pd

from zhengyan.core import checks, counting
from zhengyan.ingest.corpus import content_terms

Group = str  # "doc_id" or a column of the documents table ("year", "place", …)


def term_counts(tokens: pd.DataFrame, documents: pd.DataFrame | None = None, *, by: Group = "doc_id",
                filler: bool = True, terms: Iterable[str] | None = None) -> pd.DataFrame:
    """Count terms by ``by`` (a document, or any metadata column such as ``year``).

    Columns: ``<by>``, ``term``, ``n``, ``docfreq``, ``rank`` (1 = most frequent in the group,
    ties share the lower rank), and with ``documents`` also ``n_docs``, ``per_10k``, ``per_1k_tokens``.
    ``terms`` (a list; a plain string is one term) restricts the table to those terms, rows with
    n = 0 included. Counted by :func:`zhengyan.core.counting.count_by` (linear; only non-zero cells).

    These are token counts: a formula that jieba cuts into pieces or glues to a longer token
    (中央八项规定) is not counted here as the formula; count formulas with
    :func:`zhengyan.analyses.formulas.mentions`, or pass :func:`zhengyan.analyses.formulas.formula_tokens` as ``tokens``.
    """
    tokens = content_terms(tokens, filler=filler) if "kind" in tokens.columns else tokens
    counts = counting.count_by(tokens, documents, by=by, column="term",
                               items=None if terms is None else checks.as_terms(terms, "terms"))
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


def document_terms(tokens: pd.DataFrame, documents: pd.DataFrame, *, filler: bool = True) -> pd.DataFrame:
    """``doc_id, term, n, per_10k, tfidf``: every term of every document, as :func:`term_counts` and
    :func:`tfidf` give them, in one pass for a whole corpus.

    Sorted by ``doc_id``, then ``n`` descending, then ``term``. ``doc_id`` and ``term`` are
    categorical columns; everything is computed on integer codes (no string is made per row), so a
    corpus of millions of (document, term) cells takes seconds.
    """
    terms = content_terms(tokens, filler=filler, columns=["doc_id", "term"]) if "kind" in tokens.columns else tokens
    cells = counting.cell_counts(terms, None, by="doc_id", column="term")
    del terms
    docs, items = cells.group_names.astype(str), cells.item_names.astype(str)
    group, item, n = cells.group, cells.item, cells.n
    del cells
    totals = np.bincount(group, weights=n, minlength=len(docs))
    df = np.bincount(item, minlength=len(items))
    all_docs = tokens["doc_id"].nunique()  # documents with any token, as :func:`tfidf` counts them
    chars = pd.Series(documents["n_chars"].to_numpy(), index=documents["doc_id"].astype(str).to_numpy())
    chars = chars[~chars.index.duplicated()].reindex(docs).to_numpy(dtype=float)
    doc_rank = np.argsort(np.argsort(np.asarray(docs, dtype=object), kind="stable"), kind="stable")
    item_rank = np.argsort(np.argsort(np.asarray(items, dtype=object), kind="stable"), kind="stable")
    order = _rank_order(doc_rank[group], n, item_rank[item], len(docs), len(items))
    group, item, n = group[order], item[order], n[order]  # each cell once: a (document, term) pair is unique
    del order
    with np.errstate(divide="ignore", invalid="ignore"):
        tfidf_values = n / totals[group] * np.log(all_docs / df[item])
    return pd.DataFrame({
        "doc_id": pd.Categorical.from_codes(group.astype(np.int32), categories=docs, validate=False),
        "term": pd.Categorical.from_codes(item.astype(np.int32), categories=items, validate=False),
        "n": n, "per_10k": counting.per_10k(n, chars[group]), "tfidf": tfidf_values,
    }, copy=False)


def _rank_order(doc: np.ndarray, n: np.ndarray, item: np.ndarray, n_docs: int, n_items: int) -> np.ndarray:
    """Row order by ``doc`` rank, then ``n`` descending, then ``item`` rank (the three make each row
    unique): one argsort of a combined integer key when it fits in 62 bits, else a lexsort."""
    top = int(n.max()) if len(n) else 0
    if n_docs * (top + 1) * max(n_items, 1) < 2 ** 62:
        key = doc.astype(np.int64) * (top + 1)
        key += top - n
        key *= max(n_items, 1)
        key += item
        return np.argsort(key)
    return np.lexsort((item, -n, doc))


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
    from scipy import stats  # imported when needed: scipy.stats costs 0.4 s at import
    if len(totals) == 0:  # no term reaches min_freq: no absence can be significant
        return np.full(len(c), np.inf)
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


#: keyness_each computes this many rows at a time (groups in the table's order).
KEYNESS_BLOCK = 500_000


def keyness_each(tokens: pd.DataFrame, documents: pd.DataFrame, *, by: Group = "doc_id", min_freq: int = 3,
                 filler: bool = True, zero_p: float = 0.05, max_p: float | None = None,
                 categories: bool = False) -> pd.DataFrame:
    """Keyness of every group against the rest of the corpus, stacked (computed at once, not in a loop).

    Columns: ``<by>`` then those of :func:`keyness`. Which cells are computed (the rule keeps the
    table sparse, never a groups × terms grid): every term a group uses (n_target > 0), plus the
    terms it never uses whose absence is significant (p < ``zero_p``) — for a group of c tokens
    those are exactly the terms whose corpus total reaches the smallest total at which 0 of c
    against that total of the rest is significant (G² grows with the total; found by bisection).
    Terms seen fewer than ``min_freq`` times in all are left out. ``max_p``: keep only the rows with
    p < ``max_p`` (the significant ones), dropped before the table is built; ``table.attrs["rows"]``
    holds the number of rows without that filter. ``categories``: ``<by>`` and ``term`` as categorical
    columns (no value made per row: for tables of millions of rows).
    """
    counts: dict = {}
    parts = list(keyness_blocks(tokens, documents, by=by, min_freq=min_freq, filler=filler, zero_p=zero_p,
                                max_p=max_p, categories=categories, counts=counts))
    table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]  # at least one block, maybe empty
    table.attrs["rows"] = counts["rows"]
    return table


class _KeptCells(NamedTuple):
    """The non-zero (group, term) cells of the terms kept for keyness, with the sizes they are judged by."""
    group_names: np.ndarray
    term_names: np.ndarray
    group_size: np.ndarray  # tokens of each group (float)
    totals: np.ndarray  # uses of each term in the corpus (float)
    kept: np.ndarray  # the terms used at least min_freq times
    group: np.ndarray  # the kept cells, sorted by group: int32 (a group, a term and a count each fit)
    term: np.ndarray
    n: np.ndarray
    groups: np.ndarray  # the groups with a term

    @property
    def n_all(self) -> float:
        return float(self.group_size.sum())


def _kept_cells(tokens: pd.DataFrame, documents: pd.DataFrame, by: Group, min_freq: int, filler: bool) -> _KeptCells:
    """Step 1 of :func:`keyness_blocks`: count the cells, size the groups and terms, keep the cells of the
    terms used at least ``min_freq`` times (only these are held while every block is computed)."""
    cells = counting.cell_counts(content_terms(tokens, filler=filler, columns=["doc_id", "term"]), documents, by=by,
                                 column="term")
    n_groups, n_terms = len(cells.group_names), len(cells.item_names)
    totals = np.bincount(cells.item, weights=cells.n, minlength=n_terms)
    kept = totals >= min_freq
    present = kept[cells.item]
    return _KeptCells(
        group_names=cells.group_names, term_names=cells.item_names.astype(str),
        group_size=np.bincount(cells.group, weights=cells.n, minlength=n_groups), totals=totals, kept=kept,
        group=cells.group[present].astype(np.int32), term=cells.item[present].astype(np.int32),
        n=cells.n[present].astype(np.int32),
        groups=np.flatnonzero(np.bincount(cells.group, minlength=n_groups) > 0))


def _absence_reach(cells: _KeptCells, term_rank: np.ndarray, zero_p: float) -> tuple[np.ndarray, np.ndarray]:
    """Step 2 of :func:`keyness_blocks`: each group's significant absences. Returns the kept terms sorted by
    total (largest first, ties by name) and, for each group, how many of the first of them are significant
    when the group never uses them (those whose total reaches the group's threshold)."""
    kept_terms = np.flatnonzero(cells.kept)
    by_total = kept_terms[np.lexsort((term_rank[kept_terms], -cells.totals[kept_terms]))]
    ascending = np.unique(cells.totals[kept_terms])
    threshold = _absence_threshold(cells.group_size[cells.groups], int(cells.n_all), ascending.astype(float), zero_p)
    reach = np.searchsorted(-cells.totals[by_total], -threshold, side="right")  # terms with total ≥ threshold
    reach_of = np.zeros(len(cells.group_names), dtype=np.int64)
    reach_of[cells.groups] = reach
    return by_total, reach_of


def _group_labels_chars(documents: pd.DataFrame, by: Group,
                        group_names: np.ndarray) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """The label of each group (in the type of ``documents[by]``), its characters and its rank in the table."""
    chars = counting.group_sizes(documents, by)["n_chars"]
    labels = pd.Series(np.asarray(group_names, dtype=object))
    if by != "doc_id":
        labels = labels.astype(documents[by].dtype, errors="ignore")
    group_chars = chars.reindex(labels.to_numpy() if by != "doc_id" else labels.astype(str)).to_numpy(dtype=float)
    g_rank = np.argsort(np.argsort(labels.to_numpy(), kind="stable"), kind="stable")
    return labels, group_chars, g_rank


def _group_chunks(g_rank: np.ndarray, p_cut: np.ndarray, reach_of: np.ndarray) -> list[np.ndarray]:
    """The groups in the order of the table, cut into chunks of about :data:`KEYNESS_BLOCK` rows (a group's
    rows: the cells it uses and its significant absences; memory stays bounded)."""
    in_order = np.argsort(g_rank, kind="stable")
    rows_each = (p_cut[1:] - p_cut[:-1] + reach_of)[in_order]
    blocks = np.searchsorted(np.cumsum(rows_each), np.arange(1, rows_each.sum() // KEYNESS_BLOCK + 1) * KEYNESS_BLOCK)
    return [chunk for chunk in np.split(in_order, np.unique(np.clip(blocks + 1, 1, len(in_order)))) if len(chunk)]


def _unused_absences(chunk: np.ndarray, g_p: np.ndarray, t_p: np.ndarray, by_total: np.ndarray,
                     reach_of: np.ndarray, n_terms: int) -> tuple[np.ndarray, np.ndarray]:
    """The significant absences of the groups of ``chunk`` as (group, term) pairs, without the cells the
    groups do use (``g_p``, ``t_p``): a sorted lookup, no hashing."""
    reach_c = reach_of[chunk]
    a_group = np.repeat(chunk, reach_c)
    a_term = by_total[np.arange(reach_c.sum()) - np.repeat(np.cumsum(reach_c) - reach_c, reach_c)]
    if len(a_group):
        used = np.sort(g_p.astype(np.int64) * n_terms + t_p)
        wanted = a_group.astype(np.int64) * n_terms + a_term
        at = np.minimum(np.searchsorted(used, wanted), max(len(used) - 1, 0))
        new = used[at] != wanted if len(used) else np.ones(len(wanted), dtype=bool)
        a_group, a_term = a_group[new], a_term[new]
    return a_group, a_term


def _chunk_cells(chunk: np.ndarray, cells: _KeptCells, p_cut: np.ndarray, by_total: np.ndarray,
                 reach_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group, term and target count (float) of every candidate row of a chunk: the cells used, then the absences."""
    rows = np.concatenate([np.arange(p_cut[x], p_cut[x + 1]) for x in chunk])
    g_p, t_p, n_p = cells.group[rows], cells.term[rows], cells.n[rows]
    a_group, a_term = _unused_absences(chunk, g_p, t_p, by_total, reach_of, len(cells.term_names))
    g = np.concatenate([g_p, a_group])
    t = np.concatenate([t_p, a_term])
    a = np.concatenate([n_p, np.zeros(len(a_group), dtype=np.int64)]).astype(float)
    return g, t, a


class _BlockFrames:
    """Makes the blocks of :func:`keyness_blocks`: the columns of the table, in its order."""

    def __init__(self, by: Group, labels: pd.Series, term_names: np.ndarray, categories: bool):
        self.by, self.categories, self.term_names = by, categories, term_names
        self.group_index = pd.Index(labels)
        self.label_values = labels.to_numpy()
        self.term_values = np.asarray(term_names, dtype=object)

    def frame(self, g_o, t_o, a_o, b_o, scores_o, per_target, per_reference) -> pd.DataFrame:
        return pd.DataFrame({
            self.by: (pd.Categorical.from_codes(g_o, categories=self.group_index, validate=False) if self.categories
                      else self.label_values[g_o]),
            "term": (pd.Categorical.from_codes(t_o, categories=self.term_names, validate=False) if self.categories
                     else self.term_values[t_o]),
            "n_target": a_o.astype(np.int64), "n_reference": b_o.astype(np.int64), **scores_o,
            "per_10k_target": per_target, "per_10k_reference": per_reference,
        }, copy=False)

    def empty(self) -> pd.DataFrame:
        """An empty table, with the columns and types of a full one."""
        empty = np.zeros(0)
        return self.frame(empty.astype(np.int64), empty.astype(np.int64), empty, empty,
                          {"g2": empty, "p": empty, "log_ratio": empty}, empty, empty)


def keyness_blocks(tokens: pd.DataFrame, documents: pd.DataFrame, *, by: Group = "doc_id", min_freq: int = 3,
                   filler: bool = True, zero_p: float = 0.05, max_p: float | None = None, categories: bool = False,
                   counts: dict | None = None):
    """The table of :func:`keyness_each` as consecutive blocks of about :data:`KEYNESS_BLOCK` rows, in its
    order (to be written as they come: the whole table is never held). ``counts["rows"]`` holds the
    number of rows without the ``max_p`` filter once every block is out."""
    counts = {} if counts is None else counts
    cells = _kept_cells(tokens, documents, by, min_freq, filler)
    term_rank = np.argsort(np.argsort(np.asarray(cells.term_names, dtype=object), kind="stable"), kind="stable")
    by_total, reach_of = _absence_reach(cells, term_rank, zero_p)
    p_cut = np.searchsorted(cells.group, np.arange(len(cells.group_names) + 1))  # kept cells come sorted by group
    labels, group_chars, g_rank = _group_labels_chars(documents, by, cells.group_names)
    frames = _BlockFrames(by, labels, cells.term_names, categories)
    all_chars = documents["n_chars"].sum()
    n_all = cells.n_all
    n_rows, produced = 0, False
    counts["rows"] = 0
    for chunk in _group_chunks(g_rank, p_cut, reach_of):
        g, t, a = _chunk_cells(chunk, cells, p_cut, by_total, reach_of)
        c = cells.group_size[g]
        b = cells.totals[t] - a
        scores = _scores(a, b, c, n_all - c)
        keep = (a > 0) | (scores["p"] < zero_p)
        n_rows += int(keep.sum())
        if max_p is not None:
            keep &= scores["p"] < max_p
        g, t, a, b = g[keep], t[keep], a[keep], b[keep]
        scores = {name: column[keep] for name, column in scores.items()}
        chars_each = group_chars[g]
        order = np.lexsort((term_rank[t], -scores["g2"], g_rank[g]))
        counts["rows"] = n_rows
        yield frames.frame(g[order], t[order], a[order], b[order],
                           {name: column[order] for name, column in scores.items()},
                           counting.per_10k(a, chars_each)[order], counting.per_10k(b, all_chars - chars_each)[order])
        produced = True
    counts["rows"] = n_rows
    if not produced:
        yield frames.empty()


def term_matrix(counts: pd.DataFrame, *, by: Group = "doc_id", value: Literal["n", "per_10k"] = "n") -> pd.DataFrame:
    """A term counts table (from :func:`term_counts`) pivoted to a dense groups × terms frame, for small
    selections (a few groups or chosen terms); use :func:`sparse_matrix` for a whole corpus."""
    checks.check_option("value", value, ("n", "per_10k", "per_1k_tokens", "docfreq"))
    return counts.pivot_table(index=by, columns="term", values=value, fill_value=0, aggfunc="sum")


def sparse_matrix(counts: pd.DataFrame, *, by: Group = "doc_id", value: str = "n"):
    """A term counts table as a SciPy CSR groups × terms matrix, with its row and column labels:
    ``(matrix, groups, terms)`` (a document-feature matrix without a dense grid)."""
    from scipy import sparse

    rows, groups = pd.factorize(counts[by], sort=True)
    cols, terms = pd.factorize(counts["term"], sort=True)
    matrix = sparse.csr_matrix((counts[value].to_numpy(dtype=float), (rows, cols)), shape=(len(groups), len(terms)))
    return matrix, pd.Index(groups, name=by), pd.Index(terms, name="term")
