"""The questions a user asks of a corpus, as methods of :class:`~analysis.corpus.Corpus`.

Each method takes the corpus and does the needed steps itself (mentions before co-occurrence,
years before theme shares), importing the analysis modules lazily so that ``analysis.corpus``
stays importable on its own. Misspelt names fail with the closest matches.
"""
from __future__ import annotations

import difflib
from typing import Iterable

import pandas as pd

#: Contexts a co-occurrence can be counted in.
CONTEXTS = ("document", "paragraph", "sentence", "window")


def closest(name: str, choices: Iterable[str], *, n: int = 3) -> list[str]:
    """Up to ``n`` entries of ``choices`` closest to ``name`` (difflib ratio ≥ 0.4), best first."""
    choices = [str(c) for c in choices]
    found = difflib.get_close_matches(str(name), choices, n=n, cutoff=0.4)
    if not found:  # a prefix or a part of a longer name ("三会" → "三会一课")
        found = [c for c in choices if str(name) and (str(name) in c or c in str(name))][:n]
    return found


def unknown(what: str, name: str, choices: Iterable[str]) -> ValueError:
    """A ValueError for a name not among ``choices``, suggesting the closest ones."""
    choices = list(dict.fromkeys(str(c) for c in choices))
    near = closest(name, choices)
    hint = f"; did you mean {', '.join(repr(c) for c in near)}?" if near else ""
    sample = ", ".join(repr(c) for c in choices[:8]) + (" …" if len(choices) > 8 else "")
    return ValueError(f"no {what} {name!r}{hint} (known: {sample})")


def item_column(frame: pd.DataFrame) -> str:
    """The column naming the canonical formula or term of a mentions table."""
    for column in ("item", "slogan", "term"):
        if column in frame.columns:
            return column
    raise ValueError(f"not a mentions table: no item column among {list(frame.columns)}")


def _terms(terms: str | Iterable[str]) -> list[str]:
    items = [terms] if isinstance(terms, str) else list(terms)
    items = list(dict.fromkeys(str(t).strip() for t in items if str(t).strip()))
    if not items:
        raise ValueError("give at least one term or formula, e.g. corpus.trend(['三会一课', '一岗双责'])")
    return items


class CorpusMethods:
    """Mixed into :class:`~analysis.corpus.Corpus`."""

    def __init_subclass__(cls, **kwargs):
        # a dataclass writes its own field-by-field __repr__ unless the class already defines one
        super().__init_subclass__(**kwargs)
        cls.__repr__ = CorpusMethods.__repr__

    def __repr__(self) -> str:
        docs = self.documents
        years = pd.to_numeric(docs["year"], errors="coerce").dropna() if "year" in docs else pd.Series(dtype=float)
        span = f"{int(years.min())}–{int(years.max())}" if len(years) else "no years in metadata"
        n_problems = len(self.problems)
        problems = f", {n_problems} problem{'s' * (n_problems != 1)} (see .problems)" if n_problems else ""
        return (f"<Corpus {self.folder.name or self.folder}: {len(docs)} documents, {span}, "
                f"{int(docs['n_chars'].sum()):,} characters{problems}>")

    def __str__(self) -> str:
        return repr(self)

    # ----- documents ---------------------------------------------------------------------------
    def doc(self, label_or_prefix: str) -> pd.Series:
        """One document's row (with ``text``), by its label, its doc_id or a unique prefix of either."""
        docs = self.documents
        key = str(label_or_prefix)
        for column in ("label", "doc_id"):
            exact = docs[docs[column].astype(str) == key]
            if len(exact) == 1:
                return exact.iloc[0]
        hits = docs[docs["label"].astype(str).str.startswith(key) | docs["doc_id"].astype(str).str.startswith(key)]
        if len(hits) == 1:
            return hits.iloc[0]
        if len(hits) > 1:
            raise ValueError(f"{key!r} matches {len(hits)} documents: {', '.join(hits['label'].astype(str)[:8])}; "
                             "give more of the label")
        raise unknown("document", key, list(docs["label"].astype(str)) + list(docs["doc_id"].astype(str)))

    def dated(self) -> pd.DataFrame:
        """The documents table with a year for each document (metadata first, else dated from the text)."""
        cached = self.__dict__.get("_dated")
        if cached is None:
            from .years import with_years

            cached = self.__dict__["_dated"] = with_years(self.documents)
        return cached

    # ----- close reading -----------------------------------------------------------------------
    def kwic(self, term: str, *, width: int = 20, regex: bool = False, sort: str = "position") -> pd.DataFrame:
        """Every occurrence of ``term`` in context, with the document's ``label`` and ``year``.

        ``sort``: "position", "left", "right" or "match" (see :func:`analysis.concordance.kwic`).
        """
        from .concordance import kwic

        table = kwic(self, term, width=width, regex=regex, sort=sort)
        docs = self.dated().set_index("doc_id")
        table.insert(1, "label", table["doc_id"].map(docs["label"]).astype(str))
        table.insert(2, "year", table["doc_id"].map(docs["year"]).astype("Int64"))
        return table

    # ----- formulas and terms found in the text --------------------------------------------------
    def mentions(self, *, lexicon: pd.DataFrame | None = None) -> pd.DataFrame:
        """Every formula (提法) mention: ``doc_id, para_id, sent_id, start, end, item, form, match``."""
        from . import slogans

        if lexicon is None:
            cached = self.__dict__.get("_mentions")
            if cached is None:
                cached = self.__dict__["_mentions"] = slogans.mentions(self)
            return cached
        return slogans.mentions(self, lexicon)

    def term_mentions(self, terms: str | Iterable[str]) -> pd.DataFrame:
        """Mentions of the terms you choose, found in the clean text (same columns as :meth:`mentions`)."""
        from .cooccurrence import term_mentions

        return term_mentions(self, _terms(terms))

    def _mentions_of(self, items: list[str]) -> pd.DataFrame:
        """Formula mentions for the items that are formulas, text matches for the rest."""
        from . import slogans

        formulas = set(slogans.load_lexicon()[item_column(slogans.load_lexicon())])
        found = self.mentions()
        column = item_column(found)
        parts = [found[found[column].isin([i for i in items if i in formulas])]]
        others = [i for i in items if i not in formulas]
        if others:
            parts.append(self.term_mentions(others))
        frame = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else parts[0]
        return frame.rename(columns={column: "item"}) if column != "item" else frame

    def trend(self, terms: str | Iterable[str], *, by: str = "year") -> pd.DataFrame:
        """Rate per 10,000 characters of each term or formula by year: ``year, item, n, n_chars, per_10k, n_docs``.

        Formulas of the lexicon are counted as formula mentions (variants included), anything else
        as found in the clean text. Every year with documents is listed, zeros included; ``n_docs``
        is the number of documents behind the year.
        """
        if by != "year":
            raise ValueError(f"by must be 'year', not {by!r}")
        items = _terms(terms)
        found = self._mentions_of(items)
        docs = self.dated().dropna(subset=["year"])
        if docs.empty:
            raise ValueError(f"{self.folder}: no document has a year (metadata or text), so there is no trend")
        docs = docs.assign(year=docs["year"].astype(int))
        groups = docs.groupby("year").agg(n_docs=("doc_id", "size"), n_chars=("n_chars", "sum"))
        year_of = docs.set_index("doc_id")["year"]
        frame = pd.DataFrame({"year": found["doc_id"].astype(str).map(year_of), "item": found["item"]}).dropna()
        counts = frame.groupby(["year", "item"]).size()
        grid = pd.MultiIndex.from_product([groups.index, items], names=["year", "item"])
        table = counts.reindex(grid, fill_value=0).rename("n").reset_index().join(groups, on="year")
        table["per_10k"] = table["n"] / table["n_chars"] * 10_000
        table["year"] = table["year"].astype(int)
        return table[["year", "item", "n", "n_chars", "per_10k", "n_docs"]]

    def cooccurrence(self, *, context: str = "sentence", window: int = 10, **options) -> pd.DataFrame:
        """Pairs of formulas that occur in the same ``context`` ("document", "paragraph", "sentence",
        "window"), with counts and association (the formula mentions are found first)."""
        from . import cooccurrence

        if context not in CONTEXTS:
            raise unknown("context", context, CONTEXTS)
        return cooccurrence.cooccurrence(self, self.mentions(), context=context, window=window, **options)

    def theme_shares(self, *, by: str = "year", dictionary="party") -> pd.DataFrame:
        """Each theme's share of the theme mentions, and its rate per 10,000 characters, by ``by``
        ("year", "doc_id" or a metadata column); documents are dated first when ``by="year"``."""
        from . import themes

        docs = self.dated()
        if by not in docs.columns:
            raise unknown("column", by, [c for c in docs.columns if c not in ("text", "raw")])
        if isinstance(dictionary, str) and dictionary not in ("party", "general") and not dictionary.endswith(".csv"):
            raise unknown("theme dictionary", dictionary, ["party", "general", "<file>.csv"])
        return themes.theme_shares(themes.theme_mentions(self, dictionary), docs, by=by)
