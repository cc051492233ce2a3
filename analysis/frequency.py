"""Counting terms: frequencies by document or any metadata column, rates, TF-IDF, keyness.

Every verb takes the tokens table (``Corpus.tokens`` or a subset) and returns a tidy table.
Definitions (so a reader can recompute any figure by hand):

- ``per_10k`` = n / characters of the group × 10,000 (characters: non-space characters of the
  clean text, ``documents.n_chars``); ``per_1k_tokens`` = n / word tokens of the group × 1,000.
- ``docfreq``: documents of the group in which the term occurs.
- ``tf`` = n / terms of the document; ``idf`` = ln(documents / documents containing the term);
  ``tfidf`` = tf × idf (as tidytext's ``bind_tf_idf``).
- keyness ``g2``: Dunning's log-likelihood of the 2×2 table (term vs other terms, target vs
  reference), signed negative when the term is rarer in the target; ``log_ratio`` = log2 of the
  ratio of relative frequencies (Hardie), a zero count replaced by 0.5.
"""
from __future__ import annotations

from typing import Iterable, Literal

import numpy as np
import pandas as pd
from . import counting
from .corpus import content_terms
from .counting import log_likelihood  # noqa: F401  (the one G² of the package, re-exported)

Group = str  # "doc_id" or a column of the documents table ("year", "place", …)


def _groups(tokens: pd.DataFrame, documents: pd.DataFrame | None, by: Group) -> tuple[pd.Series, pd.DataFrame]:
    """Group label of every token, and a table of the groups' sizes (n_docs, n_chars, n_tokens)."""
    if by == "doc_id":
        labels = tokens["doc_id"].astype(str)
    else:
        if documents is None or by not in documents.columns:
            have = [] if documents is None else list(documents.columns)
            raise ValueError(f"by={by!r} needs a documents table with that column (have {have})")
        mapping = documents.set_index("doc_id")[by]
        labels = tokens["doc_id"].astype(str).map(mapping)
    sizes = None
    if documents is not None:
        docs = documents.assign(_group=documents["doc_id"] if by == "doc_id" else documents[by])
        docs = docs.dropna(subset=["_group"])
        sizes = docs.groupby("_group").agg(n_docs=("doc_id", "size"), n_chars=("n_chars", "sum"),
                                           n_tokens=("n_tokens", "sum"))
    return labels, sizes


def term_counts(tokens: pd.DataFrame, documents: pd.DataFrame | None = None, *, by: Group = "doc_id",
                filler: bool = True, terms: Iterable[str] | None = None) -> pd.DataFrame:
    """Count terms by ``by`` (a document, or any metadata column such as ``year``).

    Columns: ``<by>``, ``term``, ``n``, ``docfreq``, ``rank`` (1 = most frequent in the group,
    ties share the lower rank), and with ``documents`` also ``per_10k``, ``per_1k_tokens``, ``n_docs``.
    ``terms`` restricts the table to those terms (rows with n = 0 are included for them).
    """
    tokens = content_terms(tokens, filler=filler) if "kind" in tokens.columns else tokens
    labels, sizes = _groups(tokens, documents, by)
    frame = pd.DataFrame({by: labels.to_numpy(), "term": tokens["term"].astype(str).to_numpy(),
                          "doc_id": tokens["doc_id"].astype(str).to_numpy()}).dropna(subset=[by])
    counts = frame.groupby([by, "term"]).agg(n=("doc_id", "size"), docfreq=("doc_id", "nunique")).reset_index()
    if terms is not None:
        wanted = list(dict.fromkeys(terms))
        groups = sizes.index if sizes is not None else counts[by].unique()
        grid = pd.MultiIndex.from_product([groups, wanted], names=[by, "term"]).to_frame(index=False)
        counts = grid.merge(counts, on=[by, "term"], how="left").fillna({"n": 0, "docfreq": 0})
        counts[["n", "docfreq"]] = counts[["n", "docfreq"]].astype(int)
    counts["rank"] = counts.groupby(by)["n"].rank(method="min", ascending=False).astype(int)
    if sizes is not None:
        counts = counts.join(sizes, on=by)
        counts["per_10k"] = counts["n"] / counts["n_chars"] * 10_000
        counts["per_1k_tokens"] = counts["n"] / counts["n_tokens"] * 1_000
        counts = counts.drop(columns=["n_chars", "n_tokens"])
    return counts.sort_values([by, "rank", "term"]).reset_index(drop=True)


def corpus_counts(tokens: pd.DataFrame, documents: pd.DataFrame | None = None, *, filler: bool = True) -> pd.DataFrame:
    """Whole-corpus frequencies: ``term, n, docfreq, rank`` and ``per_10k`` when ``documents`` is given."""
    tokens = content_terms(tokens, filler=filler)
    table = (pd.DataFrame({"term": tokens["term"].astype(str), "doc_id": tokens["doc_id"].astype(str)})
             .groupby("term").agg(n=("doc_id", "size"), docfreq=("doc_id", "nunique")).reset_index())
    table["rank"] = table["n"].rank(method="min", ascending=False).astype(int)
    if documents is not None:
        table["per_10k"] = table["n"] / documents["n_chars"].sum() * 10_000
    return table.sort_values(["rank", "term"]).reset_index(drop=True)


def tfidf(tokens: pd.DataFrame, *, filler: bool = True) -> pd.DataFrame:
    """``doc_id, term, n, tf, idf, tfidf`` for every term of every document (see the module for formulas)."""
    counts = term_counts(tokens, filler=filler)[["doc_id", "term", "n"]]
    n_docs = tokens["doc_id"].astype(str).nunique()
    totals = counts.groupby("doc_id")["n"].transform("sum")
    df = counts.groupby("term")["doc_id"].transform("nunique")
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
    labels, _ = _groups(tokens, documents, by)
    in_target = labels.isin([str(v) for v in values] if by == "doc_id" else values).to_numpy()
    if not in_target.any():
        raise ValueError(f"no tokens where {by} is {values!r}")
    target_terms = tokens["term"].astype(str)[in_target]
    if reference is None:
        ref_terms = tokens["term"].astype(str)[~in_target]
    else:
        ref_terms = content_terms(reference, filler=filler)["term"].astype(str)
    table = pd.DataFrame({"n_target": target_terms.value_counts(), "n_reference": ref_terms.value_counts()})
    table = table.fillna(0).astype(int)
    table.index.name = "term"
    table = table[table["n_target"] + table["n_reference"] >= min_freq]
    c, d = len(target_terms), len(ref_terms)
    for name, column in _scores(table["n_target"], table["n_reference"], c, d).items():
        table[name] = column
    if documents is not None and reference is None:
        mask = _selected(documents, by, values)
        table["per_10k_target"] = table["n_target"] / documents.loc[mask, "n_chars"].sum() * 10_000
        table["per_10k_reference"] = table["n_reference"] / documents.loc[~mask, "n_chars"].sum() * 10_000
    return table.reset_index().sort_values(["g2", "term"], ascending=[False, True]).reset_index(drop=True)


def keyness_each(tokens: pd.DataFrame, documents: pd.DataFrame, *, by: Group = "doc_id", min_freq: int = 3,
                 filler: bool = True, zero_p: float = 0.05) -> pd.DataFrame:
    """Keyness of every group against the rest of the corpus, stacked (computed at once, not in a loop).

    Columns: ``<by>`` then those of :func:`keyness`. A term the group never uses is kept only when
    its absence is significant (``p < zero_p``), so the table lists what each group uses plus what
    it conspicuously avoids.
    """
    tokens = content_terms(tokens, filler=filler)
    labels, _ = _groups(tokens, documents, by)
    frame = pd.DataFrame({by: labels.to_numpy(), "term": tokens["term"].astype(str).to_numpy()}).dropna()
    totals = frame["term"].value_counts()
    kept = totals[totals >= min_freq]
    groups = sorted(frame[by].unique())
    counts = frame[frame["term"].isin(kept.index)].groupby([by, "term"]).size()
    grid = pd.MultiIndex.from_product([groups, kept.index], names=[by, "term"])
    a = counts.reindex(grid, fill_value=0).to_numpy()
    group_size = frame.groupby(by).size().reindex(groups).to_numpy()
    c = np.repeat(group_size, len(kept))
    n_all = len(frame)
    b = np.tile(kept.to_numpy(), len(groups)) - a
    table = grid.to_frame(index=False)
    table["n_target"], table["n_reference"] = a, b
    for name, column in _scores(a, b, c, n_all - c).items():
        table[name] = column
    column = documents["doc_id"] if by == "doc_id" else documents[by]
    chars = documents.groupby(column)["n_chars"].sum().reindex(groups).to_numpy()
    chars_each = np.repeat(chars, len(kept))
    table["per_10k_target"] = a / chars_each * 10_000
    table["per_10k_reference"] = b / (documents["n_chars"].sum() - chars_each) * 10_000
    table = table[(table["n_target"] > 0) | (table["p"] < zero_p)]
    return table.sort_values([by, "g2", "term"], ascending=[True, False, True]).reset_index(drop=True)


def term_matrix(counts: pd.DataFrame, *, by: Group = "doc_id", value: Literal["n", "per_10k"] = "n") -> pd.DataFrame:
    """A term counts table (from :func:`term_counts`) pivoted to groups × terms (a document-feature matrix)."""
    return counts.pivot_table(index=by, columns="term", values=value, fill_value=0, aggfunc="sum")
