"""Close reading: keyword in context, collocations and n-grams, dispersion of a term in each document."""
from __future__ import annotations

import time
from typing import Iterable, Literal

import numpy as np
import pandas as pd

from zhengyan.core import checks, counting, measures
from zhengyan.ingest.corpus import Corpus

#: Seconds a regular expression may search the whole corpus before :class:`PatternTimeout`.
REGEX_TIMEOUT = 10.0


class PatternTimeout(ValueError):
    """A regular expression took longer than its time limit (nested repetition backtracks without end)."""


def kwic(corpus: Corpus, pattern: str, *, width: int = 20, regex: bool = False,
         sort: Literal["position", "left", "right", "match"] = "position",
         timeout: float = REGEX_TIMEOUT) -> pd.DataFrame:
    """Every occurrence of ``pattern`` in the clean texts, with ``width`` characters either side.

    Searches the text, not the tokens, so a phrase is found even where segmentation splits it.
    ``sort``: "position" (document order), "left" (by the words just before, read right to left,
    as in AntConc), "right" (by the words just after) or "match". Line breaks show as "⏎".
    With ``regex`` the pattern is a regular expression (the ``regex`` package's syntax), searched
    under one time limit of ``timeout`` seconds for the whole corpus: a runaway pattern such as
    ``(a|aa)+b`` raises :class:`PatternTimeout` instead of hanging; an invalid one ``ValueError``.
    """
    checks.check_option("sort", sort, ("position", "left", "right", "match"))
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"pattern must be a non-empty string, not {pattern!r}")
    if width < 0:
        raise ValueError("width must be 0 or more")
    import regex as regex_module

    try:
        compiled = regex_module.compile(pattern if regex else regex_module.escape(pattern))
    except regex_module.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    deadline = time.monotonic() + timeout
    rows = []
    for doc_id, text in zip(corpus.documents["doc_id"], corpus.documents["text"]):
        try:
            found = list(compiled.finditer(text, timeout=max(deadline - time.monotonic(), 0.001)))
        except TimeoutError:
            raise PatternTimeout(f"the regular expression {pattern!r} took more than {timeout:g} s; simplify it "
                                 "(nested repetition such as (a|aa)+ backtracks without end)") from None
        for m in found:
            if m.end() > m.start():
                rows.append((doc_id, m.start(), m.end(),
                             text[max(0, m.start() - width): m.start()].replace("\n", "⏎"),
                             m.group(0), text[m.end(): m.end() + width].replace("\n", "⏎")))
    table = pd.DataFrame(rows, columns=["doc_id", "start", "end", "left", "match", "right"])
    para, sent = counting.locate(corpus.sentences, table["doc_id"], table["start"])
    table.insert(1, "para_id", para)
    table.insert(2, "sent_id", sent)
    if sort == "left":
        table = table.assign(_k=table["left"].str[::-1]).sort_values(["_k", "doc_id", "start"]).drop(columns="_k")
    elif sort in ("right", "match"):
        table = table.sort_values([sort, "doc_id", "start"])
    return table.reset_index(drop=True)


def format_kwic(table: pd.DataFrame, width: int | None = None) -> list[str]:
    """One line per occurrence: ``doc_id p<para> s<sent>  left【match】right`` (left padded to align)."""
    if table.empty:
        return []
    width = int(table["left"].str.len().max()) if width is None else width
    return [f"{r.doc_id} p{r.para_id} s{r.sent_id}\t{r.left:>{width}}【{r.match}】{r.right}" for r in table.itertuples()]


def collocations(corpus: Corpus, *, size: Literal[2, 3] = 2, min_count: int = 2,
                 content_only: bool = True) -> pd.DataFrame:
    """Adjacent term pairs (or triples) within a sentence, with association scores.

    Tokens are adjacent when nothing (not even punctuation) lies between them in the text. With
    ``content_only`` every member must be a term (no stopword, filler, number or placeholder).
    Columns: ``collocation`` (the members joined), ``terms``, ``n``, ``pmi``
    (log2 of n·N^(k-1) / ∏ n_member, N = word tokens), ``g2`` (log-likelihood of the first member
    against the rest, pairs only, else NaN), ``docfreq``, ``in_dictionary`` (already one token).
    """
    if size not in (2, 3):
        raise ValueError("size must be 2 or 3")
    tok = corpus.tokens[corpus.tokens["kind"] == "word"].reset_index(drop=True)
    terms = tok["term"].astype(str).to_numpy()
    start = tok["start"].to_numpy()
    end = start + np.fromiter((len(t) for t in terms), dtype=np.int64, count=len(terms))
    doc = tok["doc_id"].cat.codes.to_numpy()
    sent = tok["sent_id"].to_numpy()
    ok = ~(tok["stop"] | tok["filler"]).to_numpy() if content_only else np.ones(len(tok), bool)
    n_total = len(tok)
    unigram = pd.Series(terms).value_counts()
    keep = np.ones(max(len(tok) - size + 1, 0), dtype=bool)
    for k in range(size):
        keep &= ok[k: len(tok) - size + 1 + k]
    for k in range(size - 1):
        a, b = slice(k, len(tok) - size + 1 + k), slice(k + 1, len(tok) - size + 2 + k)
        keep &= (doc[a] == doc[b]) & (sent[a] == sent[b]) & (end[a] == start[b])
    idx = np.nonzero(keep)[0]
    members = [terms[idx + k] for k in range(size)]
    frame = pd.DataFrame({f"t{k}": m for k, m in enumerate(members)})
    frame["doc"] = doc[idx]
    cols = [f"t{k}" for k in range(size)]
    grouped = frame.groupby(cols).agg(n=("doc", "size"), docfreq=("doc", "nunique")).reset_index()
    grouped = grouped[grouped["n"] >= min_count]
    if grouped.empty:
        return pd.DataFrame(columns=["collocation", "terms", "n", "pmi", "g2", "docfreq", "in_dictionary"])
    if size == 2:  # the pair's measures of the registry: B after A vs B elsewhere, among the positions after A vs the rest
        n_a = grouped["t0"].map(unigram).to_numpy(dtype=float)
        n_b = grouped["t1"].map(unigram).to_numpy(dtype=float)
        scores = measures.association(grouped["n"], n_a, n_b, n_total, ["pmi", "g2"])
        grouped["pmi"], grouped["g2"] = scores["pmi"], scores["g2"]
    else:
        product = np.prod([grouped[c].map(unigram).to_numpy(dtype=float) for c in cols], axis=0)
        grouped["pmi"] = np.log2(grouped["n"] * float(n_total) ** (size - 1) / product)
        grouped["g2"] = np.nan
    grouped["collocation"] = grouped[cols].agg("".join, axis=1)
    grouped["terms"] = grouped[cols].agg(" ".join, axis=1)
    vocabulary = set(unigram.index)
    grouped["in_dictionary"] = grouped["collocation"].isin(vocabulary)
    out = grouped[["collocation", "terms", "n", "pmi", "g2", "docfreq", "in_dictionary"]]
    return out.sort_values(["n", "pmi", "collocation"], ascending=[False, False, True]).reset_index(drop=True)


def dispersion(corpus: Corpus, terms: Iterable[str]) -> pd.DataFrame:
    """Where each term occurs in each document: ``doc_id, term, start, relative`` (0 = start, 1 = end).

    Found in the clean text, like :func:`kwic` (every occurrence of each term, also inside a
    longer term of the list); documents without an occurrence are kept in the documents table so a
    plot can show their empty rows.
    """
    found = term_mentions(corpus, terms, nested=True)
    lengths = corpus.documents.set_index(corpus.documents["doc_id"].astype(str))["text"].str.len()
    relative = found["start"] / found["doc_id"].astype(str).map(lengths).clip(lower=1).to_numpy()
    return pd.DataFrame({"doc_id": found["doc_id"], "term": found["item"], "start": found["start"],
                         "relative": relative.to_numpy(dtype=float)})


def term_mentions(corpus: Corpus, terms: str | Iterable[str], *, nested: bool = False) -> pd.DataFrame:
    """Mentions of terms a user chooses, found in the clean text: a mentions table
    (``zhengyan.core.counting.MENTION_COLUMNS``; ``item`` = ``form`` = the term, ``match`` = "term").

    A plain string is one term. One Aho–Corasick pass per text; an occurrence inside a longer
    chosen term is not counted again (the rule of the formulas) unless ``nested=True``.
    """
    terms = checks.as_terms(terms)
    if nested:
        rows = []
        for term in terms:
            rows += [(d, s, e, t) for d, s, e, t in counting.find_terms(
                corpus.documents["text"], corpus.documents["doc_id"], [term])]
    else:
        rows = counting.find_terms(corpus.documents["text"], corpus.documents["doc_id"], terms)
    return counting.mentions_table([(d, s, e, t, t, "term") for d, s, e, t in rows], corpus.sentences)
