"""Themes as data: a dictionary maps terms (and slogans) to themes; shares by year or document.

A theme mention is a dictionary term found in the clean text (longest term first, a matched span
never matched again, as for slogans). Shares are normalised two ways: ``per_10k`` (mentions per
10,000 characters of the year's or document's texts) and ``share`` (of all theme mentions in that
year or document). ``n_docs`` always travels with a year, and ``single_doc`` marks a year that
rests on one document.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import paths, structure
from .corpus import Corpus

DICTIONARIES = {"party": "themes_party.csv", "general": "themes_general.csv"}


def load_themes(source: str | Path | pd.DataFrame = "party") -> pd.DataFrame:
    """A theme dictionary (``theme, term``): "party", "general", a CSV path, or a DataFrame."""
    if isinstance(source, pd.DataFrame):
        table = source
        origin = "the DataFrame"
    else:
        path = paths.data_file(DICTIONARIES[source]) if source in DICTIONARIES else Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"theme dictionary not found: {path} (or use one of {sorted(DICTIONARIES)})")
        table = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
        origin = str(path)
    missing = {"theme", "term"} - set(table.columns)
    if missing:
        raise ValueError(f"{origin}: a theme dictionary needs columns theme and term; missing {sorted(missing)}")
    table = table[["theme", "term"]].astype(str)
    table = table[(table["term"].str.strip() != "") & (table["theme"].str.strip() != "")]
    dupes = table.loc[table["term"].duplicated(), "term"].tolist()
    if dupes:
        raise ValueError(f"{origin}: terms listed under more than one theme: {dupes[:10]}")
    return table.reset_index(drop=True)


@lru_cache(maxsize=8)
def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t))))


def theme_mentions(corpus: Corpus, dictionary: str | Path | pd.DataFrame = "party") -> pd.DataFrame:
    """``doc_id, para_id, sent_id, start, theme, term`` for every dictionary term in the clean texts."""
    table = load_themes(dictionary)
    theme_of = dict(zip(table["term"], table["theme"]))
    pattern = _pattern(tuple(table["term"]))
    rows = []
    for doc_id, text in zip(corpus.documents["doc_id"], corpus.documents["text"]):
        hits = [(m.start(), m.group(0)) for m in pattern.finditer(text)]
        if not hits:
            continue
        para, sent = structure.locate(structure.structure(text), [h[0] for h in hits])
        rows += [(doc_id, int(p), int(s), start, theme_of[term], term) for (start, term), p, s in zip(hits, para, sent)]
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "sent_id", "start", "theme", "term"])


def theme_shares(mentions: pd.DataFrame, documents: pd.DataFrame, *, by: str = "year") -> pd.DataFrame:
    """``<by>, theme, n, per_10k, share, n_docs, single_doc`` (every theme of every group, zeros included).

    ``by`` is "year" (documents without a year are left out) or "doc_id" or any metadata column.
    """
    if by not in documents.columns:
        raise ValueError(f"by={by!r}: the documents table has no such column (have {list(documents.columns)})")
    docs = documents.dropna(subset=[by])
    groups = docs.groupby(by).agg(n_docs=("doc_id", "size"), n_chars=("n_chars", "sum"))
    labelled = mentions if by == "doc_id" else mentions.merge(docs[["doc_id", by]], on="doc_id")
    counts = labelled.groupby([by, "theme"]).size()
    themes = sorted(mentions["theme"].unique())
    grid = pd.MultiIndex.from_product([groups.index, themes], names=[by, "theme"])
    table = counts.reindex(grid, fill_value=0).rename("n").reset_index()
    table = table.join(groups, on=by)
    table["per_10k"] = table["n"] / table["n_chars"] * 10_000
    totals = table.groupby(by)["n"].transform("sum")
    table["share"] = (table["n"] / totals.where(totals > 0)).fillna(0.0)
    table["single_doc"] = table["n_docs"] == 1
    return table[[by, "theme", "n", "per_10k", "share", "n_docs", "single_doc"]]
