"""Co-occurrence of slogans (or any chosen terms) within a document, paragraph, sentence or window.

A context is a document, a paragraph, a sentence, or — for ``context="window"`` — a run of
``window + 1`` consecutive tokens starting at each token position, so two mentions share a window
exactly when they stand at most ``window`` tokens apart. Presence is counted once per context:
``n_a`` is the number of contexts holding A, ``n_ab`` those holding both, ``n_contexts`` all
contexts of the corpus (including those without any slogan). From the 2×2 table:

- ``expected`` = n_a · n_b / n_contexts
- ``jaccard`` = n_ab / (n_a + n_b − n_ab); ``dice`` = 2·n_ab / (n_a + n_b)
- ``pmi`` = log2(n_ab · n_contexts / (n_a · n_b)); ``npmi`` = pmi / −log2(n_ab / n_contexts)
- ``g2`` = log-likelihood of the 2×2 table, ``p`` its chi-square (1 df) tail.
"""
from __future__ import annotations

from typing import Iterable, Literal

import numpy as np
import pandas as pd
from scipy import stats

from .corpus import Corpus

Context = Literal["document", "paragraph", "sentence", "window"]
CONTEXTS = ("document", "paragraph", "sentence", "window")
PAIR_COLUMNS = ("slogan_a", "slogan_b", "context", "n_ab", "n_a", "n_b", "n_contexts", "expected", "jaccard",
                "dice", "pmi", "npmi", "g2", "p")


def term_mentions(corpus: Corpus, terms: Iterable[str]) -> pd.DataFrame:
    """Mentions of chosen terms, found in the clean text like slogans (same columns as slogan mentions)."""
    from .concordance import kwic

    tables = []
    for term in dict.fromkeys(terms):
        hits = kwic(corpus, term, width=0)
        tables.append(hits.assign(slogan=term, form=term, match="term")[
            ["doc_id", "para_id", "sent_id", "start", "end", "slogan", "form", "match"]])
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(
        columns=["doc_id", "para_id", "sent_id", "start", "end", "slogan", "form", "match"])


def _occurrences(corpus: Corpus, found: pd.DataFrame, context: Context, window: int,
                 doc_ids: list[str]) -> tuple[pd.DataFrame, int]:
    """Unique (slogan, context id) rows and the number of contexts in the selected documents."""
    if context == "document":
        occ = pd.DataFrame({"slogan": found["slogan"], "ctx": found["doc_id"].astype(str)})
        return occ.drop_duplicates(), len(doc_ids)
    if context in ("paragraph", "sentence"):
        column = "para_id" if context == "paragraph" else "sent_id"
        occ = pd.DataFrame({"slogan": found["slogan"],
                            "ctx": found["doc_id"].astype(str) + "#" + found[column].astype(str)})
        sents = corpus.sentences[corpus.sentences["doc_id"].astype(str).isin(doc_ids)]
        n = sents.groupby("doc_id", observed=True)[column].nunique().sum()
        return occ.drop_duplicates(), int(n)
    # window: context i is the run of tokens i … i+window; a mention on tokens a…b lies in the
    # windows starting at a-window … b
    tokens = corpus.tokens[corpus.tokens["doc_id"].astype(str).isin(doc_ids)]
    rows = []
    for doc_id, group in tokens.groupby(tokens["doc_id"].astype(str), observed=True):
        starts = group["start"].to_numpy()
        doc_found = found[found["doc_id"].astype(str) == doc_id]
        if doc_found.empty:
            continue
        first = np.searchsorted(starts, doc_found["start"].to_numpy(), side="right") - 1
        last = np.searchsorted(starts, doc_found["end"].to_numpy() - 1, side="right") - 1
        for slogan, a, b in zip(doc_found["slogan"], np.clip(first, 0, None), np.clip(last, 0, None)):
            lo, hi = max(0, a - window), b
            rows += [(slogan, f"{doc_id}#{i}") for i in range(lo, hi + 1)]
    occ = pd.DataFrame(rows, columns=["slogan", "ctx"]).drop_duplicates()
    return occ, len(tokens)


def association(n_ab, n_a, n_b, n) -> dict[str, np.ndarray]:
    """Every measure of the module docstring for arrays of counts."""
    n_ab, n_a, n_b, n = (np.asarray(x, dtype=float) for x in (n_ab, n_a, n_b, n))
    expected = n_a * n_b / n
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log2(n_ab * n / (n_a * n_b))
        npmi = np.where(n_ab >= n, 1.0, pmi / -np.log2(n_ab / n))
        cells = np.stack([n_ab, n_a - n_ab, n_b - n_ab, n - n_a - n_b + n_ab])
        rows = np.stack([n_a, n_a, n - n_a, n - n_a])
        cols = np.stack([n_b, n - n_b, n_b, n - n_b])
        exp = rows * cols / n
        g2 = 2 * np.where(cells > 0, cells * np.log(cells / exp), 0.0).sum(axis=0)
    return {
        "expected": expected, "jaccard": n_ab / (n_a + n_b - n_ab), "dice": 2 * n_ab / (n_a + n_b),
        "pmi": pmi, "npmi": npmi, "g2": g2, "p": stats.chi2.sf(g2, df=1),
    }


def cooccurrence(corpus: Corpus, found: pd.DataFrame, *, context: Context = "sentence", window: int = 10,
                 years: Iterable[int] | None = None, min_count: int = 1) -> pd.DataFrame:
    """Pairs of slogans (or terms) that share a context; one row per pair (``slogan_a < slogan_b``).

    ``found`` is a mentions table (``analysis.slogans.mentions`` or :func:`term_mentions`).
    ``years`` keeps only documents of those years. Columns: ``PAIR_COLUMNS``.
    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {CONTEXTS}, not {context!r}")
    if window < 1:
        raise ValueError("window must be at least 1 token")
    missing = {"doc_id", "slogan", "start", "end", "para_id", "sent_id"} - set(found.columns)
    if missing:
        raise ValueError(f"found must be a mentions table; it lacks {sorted(missing)}")
    docs = corpus.documents
    if years is not None:
        docs = docs[docs["year"].isin(list(years))]
    doc_ids = docs["doc_id"].astype(str).tolist()
    found = found[found["doc_id"].astype(str).isin(doc_ids)]
    occ, n_contexts = _occurrences(corpus, found, context, window, doc_ids)
    n_each = occ.groupby("slogan").size()
    pairs = occ.merge(occ, on="ctx", suffixes=("_a", "_b"))
    pairs = pairs[pairs["slogan_a"] < pairs["slogan_b"]]
    table = pairs.groupby(["slogan_a", "slogan_b"]).size().rename("n_ab").reset_index()
    table = table[table["n_ab"] >= min_count]
    table["context"] = context if context != "window" else f"window{window}"
    table["n_a"] = table["slogan_a"].map(n_each).to_numpy()
    table["n_b"] = table["slogan_b"].map(n_each).to_numpy()
    table["n_contexts"] = n_contexts
    for name, values in association(table["n_ab"], table["n_a"], table["n_b"], n_contexts).items():
        table[name] = values
    table = table.sort_values(["n_ab", "npmi", "slogan_a", "slogan_b"], ascending=[False, False, True, True])
    return table[list(PAIR_COLUMNS)].reset_index(drop=True)


def matrix(pairs: pd.DataFrame, value: str = "n_ab", items: list[str] | None = None) -> pd.DataFrame:
    """Symmetric items × items matrix of ``value`` from a pairs table (diagonal 0)."""
    both = pd.concat([pairs[["slogan_a", "slogan_b", value]],
                      pairs.rename(columns={"slogan_a": "slogan_b", "slogan_b": "slogan_a"})[["slogan_a", "slogan_b", value]]])
    table = both.pivot_table(index="slogan_a", columns="slogan_b", values=value, aggfunc="sum", fill_value=0)
    items = sorted(set(table.index) | set(table.columns)) if items is None else items
    return table.reindex(index=items, columns=items, fill_value=0)
