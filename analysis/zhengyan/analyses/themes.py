"""Themes as data: a dictionary maps terms (and slogans) to themes; shares by year or document.

A theme mention is a dictionary term found in the clean text (a term inside a longer listed term
is not counted again; terms that overlap without nesting both count: the rule of
:func:`zhengyan.core.counting.drop_nested`, as for formulas). Shares are normalised two ways: ``per_10k`` (mentions per
10,000 characters of the year's or document's texts) and ``share`` (of all theme mentions in that
year or document). ``n_docs`` always travels with a year, and ``single_doc`` marks a year that
rests on one document.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from zhengyan.core import checks, counting, paths
from zhengyan.ingest.corpus import Corpus

DICTIONARIES = {"party": "themes_party.csv", "general": "themes_general.csv"}


def load_themes(source: str | Path | pd.DataFrame = "party") -> pd.DataFrame:
    """A theme dictionary (``theme, term``): "party", "general", a CSV path, or a DataFrame."""
    if isinstance(source, pd.DataFrame):
        table = source
        origin = "the DataFrame"
    else:
        path = paths.data_file(DICTIONARIES[source]) if source in DICTIONARIES else Path(source)
        if not path.is_file() and isinstance(source, str) and not any(c in source for c in "/\\."):
            hint = checks.did_you_mean(source, DICTIONARIES)
            raise ValueError(f"no theme dictionary named {source!r}: use one of {sorted(DICTIONARIES)} "
                             f"or a CSV path{hint}")
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


def theme_mentions(corpus: Corpus, dictionary: str | Path | pd.DataFrame = "party") -> pd.DataFrame:
    """Every dictionary term in the clean texts: a mentions table (``zhengyan.core.counting.MENTION_COLUMNS``,
    ``item`` = the term, ``match`` = "term") plus ``theme``."""
    table = load_themes(dictionary)
    theme_of = dict(zip(table["term"], table["theme"]))
    found = counting.find_terms(corpus.documents["text"], corpus.documents["doc_id"], table["term"])
    rows = [(d, s, e, t, t, "term", theme_of[t]) for d, s, e, t in found]
    return counting.mentions_table(rows, corpus.sentences, extra=("theme",))


def check_themes(names, known) -> list[str]:
    """``names`` as a list (a plain string is one theme), each a theme of ``known``; a misspelt name
    fails listing the closest themes."""
    names = checks.as_terms(names, "themes")
    known = list(dict.fromkeys(known))
    for name in names:
        if name not in known:
            hint = checks.did_you_mean(name, known)
            raise ValueError(f"no theme {name!r} in the dictionary (themes: {', '.join(known)}){hint}")
    return names


def theme_shares(corpus_or_mentions: Corpus | pd.DataFrame, documents: pd.DataFrame | None = None, *,
                 by: str = "year", dictionary: str | Path | pd.DataFrame = "party",
                 themes: str | list[str] | None = None) -> pd.DataFrame:
    """``<by>, theme, n, per_10k, share, n_docs, single_doc`` (every theme of every group, zeros included).

    Given a corpus, its theme mentions (``dictionary``) and documents are used (with years dated
    by :func:`zhengyan.analyses.years.with_years` when ``by="year"`` and the corpus has no year for some
    document); given a theme mentions table, ``documents`` is required. ``by`` is "year"
    (documents without a year are left out), "doc_id" or any metadata column. ``themes`` keeps
    only those themes (shares are then of their mentions); a misspelt theme fails naming the
    closest ones.
    """
    if isinstance(corpus_or_mentions, pd.DataFrame):
        mentions = corpus_or_mentions
        if documents is None:
            raise ValueError("theme_shares needs the documents table with a mentions table (or pass the corpus)")
    else:
        mentions = theme_mentions(corpus_or_mentions, dictionary)
        if documents is None:
            documents = corpus_or_mentions.documents
            if by == "year" and documents["year"].isna().any():
                from zhengyan.analyses import years

                documents = years.with_years(documents)
    if "theme" not in mentions.columns:
        raise ValueError("theme_shares needs a theme mentions table (from theme_mentions), with a theme column")
    chosen = sorted(mentions["theme"].unique())
    if themes is not None:
        known = load_themes(dictionary)["theme"] if not isinstance(corpus_or_mentions, pd.DataFrame) else chosen
        chosen = check_themes(themes, known)
        mentions = mentions[mentions["theme"].isin(chosen)]
    counts = counting.count_by(mentions, documents, by=by, column="theme", items=chosen)
    totals = counts.groupby(by)["n"].transform("sum")
    counts["share"] = counts["n"] / totals.where(totals > 0)  # no theme mention in the group: no share (NaN), not 0
    counts["single_doc"] = counts["n_docs"] == 1
    return counts[[by, "theme", "n", "per_10k", "share", "n_docs", "single_doc"]]
