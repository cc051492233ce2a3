"""Co-occurrence of formulas (or any mentions: theme terms, chosen terms) within a document, paragraph, sentence or window.

A context is a document, a paragraph, a sentence, or — for ``context="window"`` — a run of
``window + 1`` consecutive tokens starting at each token position, so two mentions share a window
exactly when they stand at most ``window`` tokens apart. Presence is counted once per context:
``n_a`` is the number of contexts holding A, ``n_ab`` those holding both, ``n_contexts`` all
contexts of the corpus (including those without any mention). From the 2×2 table:

- ``expected`` = n_a · n_b / n_contexts
- ``jaccard`` = n_ab / (n_a + n_b − n_ab); ``dice`` = 2·n_ab / (n_a + n_b)
- ``pmi`` = log2(n_ab · n_contexts / (n_a · n_b)); ``npmi`` = pmi / −log2(n_ab / n_contexts)
- ``g2`` = the full 2×2 log-likelihood (:func:`zhengyan.core.counting.log_likelihood`, unsigned), ``p`` its
  chi-square (1 df) tail.

These are the measures registered in :mod:`zhengyan.core.measures`, one column each; a measure
registered there appears here.
"""
from __future__ import annotations

from typing import Iterable, Literal

import numpy as np
import pandas as pd

from zhengyan.core import checks, counting, measures
from zhengyan.ingest.corpus import Corpus

Context = Literal["document", "paragraph", "sentence", "window"]
CONTEXTS = ("document", "paragraph", "sentence", "window")
#: The columns of a pairs table: the counts, then one per association measure (:data:`zhengyan.core.measures.MEASURES`).
PAIR_COUNTS = ("item_a", "item_b", "context", "n_ab", "n_a", "n_b", "n_contexts")


def pair_columns() -> tuple[str, ...]:
    return PAIR_COUNTS + tuple(measures.MEASURES)


def _occurrences(corpus: Corpus, found: pd.DataFrame, context: Context, window: int,
                 doc_ids: list[str]) -> tuple[pd.DataFrame, int]:
    """Unique (item, context id) rows and the number of contexts in the selected documents."""
    if context == "document":
        occ = pd.DataFrame({"item": found["item"], "ctx": found["doc_id"].astype(str)})
        return occ.drop_duplicates(), len(doc_ids)
    if context in ("paragraph", "sentence"):
        column = "para_id" if context == "paragraph" else "sent_id"
        occ = pd.DataFrame({"item": found["item"],
                            "ctx": found["doc_id"].astype(str) + "#" + found[column].astype(str)})
        sents = corpus.sentences[counting.is_in(corpus.sentences["doc_id"], doc_ids)]
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
        for item, a, b in zip(doc_found["item"], np.clip(first, 0, None), np.clip(last, 0, None)):
            lo, hi = max(0, a - window), b
            rows += [(item, f"{doc_id}#{i}") for i in range(lo, hi + 1)]
    occ = pd.DataFrame(rows, columns=["item", "ctx"]).drop_duplicates()
    return occ, len(tokens)


def association(n_ab, n_a, n_b, n) -> dict[str, np.ndarray]:
    """Every registered association measure (:mod:`zhengyan.core.measures`) for arrays of counts."""
    return measures.association(n_ab, n_a, n_b, n)


def cooccurrence(corpus: Corpus, mentions: pd.DataFrame | None = None, *, context: Context = "sentence",
                 window: int = 10, years: Iterable[int] | None = None, min_count: int = 1) -> pd.DataFrame:
    """Pairs of items that share a context; one row per pair (``item_a < item_b``).

    ``mentions`` is any mentions table (``formulas.mentions``, ``themes.theme_mentions``,
    ``concordance.term_mentions``); without it, the corpus's formula mentions are computed.
    ``years`` keeps only documents of those years. Columns: :func:`pair_columns`.
    """
    checks.check_option("context", context, CONTEXTS)
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be a whole number of tokens, at least 1; got {window!r}")
    if mentions is None:
        from zhengyan.analyses import formulas

        mentions = formulas.mentions(corpus)
    counting.check_mentions(mentions)
    found = mentions
    docs = corpus.documents
    if years is not None:
        docs = docs[docs["year"].isin(list(years))]
    doc_ids = docs["doc_id"].astype(str).tolist()
    found = found[found["doc_id"].astype(str).isin(doc_ids)]
    occ, n_contexts = _occurrences(corpus, found, context, window, doc_ids)
    n_each = occ.groupby("item").size()
    pairs = occ.merge(occ, on="ctx", suffixes=("_a", "_b"))
    pairs = pairs[pairs["item_a"] < pairs["item_b"]]
    table = pairs.groupby(["item_a", "item_b"]).size().rename("n_ab").reset_index()
    table = table[table["n_ab"] >= min_count]
    table["context"] = context if context != "window" else f"window{window}"
    table["n_a"] = table["item_a"].map(n_each).to_numpy()
    table["n_b"] = table["item_b"].map(n_each).to_numpy()
    table["n_contexts"] = n_contexts
    for name, values in association(table["n_ab"], table["n_a"], table["n_b"], n_contexts).items():
        table[name] = values
    table = table.sort_values(["n_ab", "npmi", "item_a", "item_b"], ascending=[False, False, True, True])
    return table[list(pair_columns())].reset_index(drop=True)


def matrix(pairs: pd.DataFrame, value: str = "n_ab", items: list[str] | None = None) -> pd.DataFrame:
    """Symmetric items × items matrix of ``value`` from a pairs table (diagonal 0)."""
    both = pd.concat([pairs[["item_a", "item_b", value]],
                      pairs.rename(columns={"item_a": "item_b", "item_b": "item_a"})[["item_a", "item_b", value]]])
    table = both.pivot_table(index="item_a", columns="item_b", values=value, aggfunc="sum", fill_value=0)
    items = sorted(set(table.index) | set(table.columns)) if items is None else items
    table = table.reindex(index=items, columns=items, fill_value=0)
    table.index.name, table.columns.name = None, None
    return table
