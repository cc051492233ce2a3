"""The public API: the questions a user asks of a corpus, as methods of :class:`~zhengyan.ingest.corpus.Corpus`.

The corpus is a plain data class that knows nothing of its analyses; this module attaches them
(``@method``), so every notebook, the command line, the export and the explore views ask the same
question through the same code. Each method does the steps it needs itself (formula mentions
before co-occurrence, years before theme shares) and keeps what it computed on the corpus, so a
second question reuses the first one's work. The modules of ``zhengyan.analyses`` are the
implementation; their functions take tables and return tables, for a caller that has tables.
Misspelt option names fail with the closest matches (:func:`zhengyan.core.checks.unknown`).
"""
from __future__ import annotations

from typing import Iterable

import pandas as pd

from zhengyan.analyses import concordance, cooccurrence as cooccurrence_module, formulas, frequency, themes
from zhengyan.analyses import trends as trends_module, years
from zhengyan.core import checks
from zhengyan.ingest import labels
from zhengyan.ingest.corpus import Corpus, audit_summary as _audit_summary, chinese_share as _chinese_share

#: Contexts a co-occurrence can be counted in.
CONTEXTS = cooccurrence_module.CONTEXTS
#: The methods this module gives :class:`Corpus`, by name (the public API, listed in the README).
METHODS: dict[str, object] = {}


def method(func):
    """Attach ``func`` to :class:`Corpus` under its own name (the one way the API grows)."""
    METHODS[func.__name__] = func
    setattr(Corpus, func.__name__, func)
    return func


def _cached(corpus: Corpus, key: str, make):
    """``make()`` once per corpus and key; later calls return the same object."""
    store = corpus.__dict__.setdefault("_results", {})
    if key not in store:
        store[key] = make()
    return store[key]


def _terms(terms: str | Iterable[str]) -> list[str]:
    items = [terms] if isinstance(terms, str) else list(terms)
    items = list(dict.fromkeys(str(t).strip() for t in items if str(t).strip()))
    if not items:
        raise ValueError("give at least one term or formula, e.g. corpus.trend(['三会一课', '一岗双责'])")
    return items


# ----- documents ---------------------------------------------------------------------------------
@method
def doc(self: Corpus, key: str) -> pd.Series:
    """One document's row (with ``text``), by its label, its doc_id, a unique prefix or a part of either
    (:func:`zhengyan.ingest.labels.lookup`; fails with the closest names)."""
    doc_id = labels.lookup(self.documents, key)
    return self.documents[self.documents["doc_id"].astype(str) == doc_id].iloc[0]


@method
def dated(self: Corpus) -> pd.DataFrame:
    """The documents table with a year for each document (metadata first, else dated from the text), with
    ``year_source``, ``year_inferred``, ``year_inferred_confidence`` and ``year_inferred_evidence``."""
    return _cached(self, "dated", lambda: years.with_years(self.documents))


#: The confidence an inferred year needs, by default, to enter a year analysis (metadata years always do).
MIN_CONFIDENCE = "medium"


@method
def years_used(self: Corpus, *, min_confidence: str = MIN_CONFIDENCE) -> years.UsableYears:
    """Which documents' years the year analyses use: metadata years, and inferred years at or above
    ``min_confidence`` inside the corpus's plausible span; ``.note()`` says how many were left out and why."""
    return _cached(self, f"years-used-{min_confidence}", lambda: years.usable_years(self.dated(),
                                                                                     min_confidence=min_confidence))


def _year_documents(self: Corpus, min_confidence: str = MIN_CONFIDENCE) -> pd.DataFrame:
    """The dated documents, the year left empty where :meth:`years_used` does not use it."""
    used = self.years_used(min_confidence=min_confidence).table["used"].to_numpy()
    docs = self.dated()
    if used.all():
        return docs
    docs = docs.copy()
    docs.loc[~used, "year"] = pd.NA
    return docs


Corpus._year_documents = _year_documents


@method
def chinese_share(self: Corpus) -> float | None:
    """The share of Chinese (Han) characters among the letters and digits of the texts; None for an empty corpus."""
    return _chinese_share(self.documents)


@method
def audit_summary(self: Corpus) -> pd.DataFrame:
    """Changes of the cleaning per document (rows) and step (columns), in the order of the steps, with a total."""
    return _audit_summary(self.audit)


# ----- terms ---------------------------------------------------------------------------------------
@method
def terms_table(self: Corpus, *, filler: bool = True) -> pd.DataFrame:
    """``doc_id, term`` of every term the term tables count: the content tokens, each formula mention one term
    (so a formula's count is its mention count, whatever the segmenter cut; :func:`formulas.formula_terms`).
    ``corpus.tokens`` keeps every token as the segmenter cut it."""
    return _cached(self, f"terms-{filler}", lambda: formulas.formula_terms(self.tokens, self.mentions(),
                                                                           filler=filler))


@method
def vocabulary(self: Corpus, *, filler: bool = True) -> pd.DataFrame:
    """Every term of the corpus: ``term, n, docfreq, rank, per_10k``, most used first (formulas by their mentions)."""
    return _cached(self, f"vocabulary-{filler}", lambda: frequency.corpus_counts(self.terms_table(filler=filler),
                                                                                 self.documents))


@method
def term_counts(self: Corpus, *, by: str = "doc_id", documents: pd.DataFrame | None = None,
                terms: Iterable[str] | None = None) -> pd.DataFrame:
    """Terms counted by ``by`` (a document, or a column of ``documents``, default the corpus's own):
    ``<by>, term, n, n_docs, per_10k, per_1k_tokens, docfreq`` (formulas by their mentions)."""
    documents = self._documents_for(by) if documents is None else documents
    return frequency.term_counts(self.terms_table(), documents, by=by, terms=terms)


@method
def tfidf(self: Corpus) -> pd.DataFrame:
    """``doc_id, term, n, tf, idf, tfidf`` for every term of every document, best first within a document."""
    return frequency.tfidf(self.terms_table())


@method
def keyness_each(self: Corpus, *, by: str = "doc_id", documents: pd.DataFrame | None = None,
                 min_freq: int = 3) -> pd.DataFrame:
    """Each group (document, or a column of ``documents``) against the rest: ``<by>, term, n_target,
    n_reference, g2, p, log_ratio, per_10k_target, per_10k_reference``."""
    documents = self._documents_for(by) if documents is None else documents
    return frequency.keyness_each(self.terms_table(), documents, by=by, min_freq=min_freq)


@method
def yearly_counts(self: Corpus, *, min_total: int = 10,
                  min_confidence: str = MIN_CONFIDENCE) -> tuple[pd.DataFrame, pd.Series]:
    """A years × terms table of counts and the characters of each year (the years of :meth:`years_used`)."""
    return trends_module.yearly_counts(self.tokens, self._year_documents(min_confidence), min_total=min_total)


def _documents_for(self: Corpus, by: str) -> pd.DataFrame:
    """The documents table, dated when grouping by year; a misspelt column fails with the closest."""
    docs = self._year_documents() if by == "year" else self.documents
    if by != "doc_id" and by not in docs.columns:
        raise checks.unknown("column", by, [c for c in docs.columns if c not in ("text", "raw")])
    return docs


Corpus._documents_for = _documents_for


# ----- close reading -------------------------------------------------------------------------------
@method
def kwic(self: Corpus, term: str, *, width: int = 20, regex: bool = False, sort: str = "position") -> pd.DataFrame:
    """Every occurrence of ``term`` in context, with the document's ``label`` and ``year``.

    ``sort``: "position", "left", "right" or "match" (see :func:`zhengyan.analyses.concordance.kwic`).
    """
    table = concordance.kwic(self, term, width=width, regex=regex, sort=sort)
    docs = self.dated().set_index("doc_id")
    table.insert(1, "label", table["doc_id"].map(docs["label"]).astype(str))
    table.insert(2, "year", table["doc_id"].map(docs["year"]).astype("Int64"))
    return table


@method
def collocations(self: Corpus, *, size: int = 2, min_count: int = 2) -> pd.DataFrame:
    """Adjacent term pairs (or triples) within a sentence: ``collocation, terms, n, pmi, g2, docfreq, in_dictionary``."""
    return concordance.collocations(self, size=size, min_count=min_count)


@method
def dispersion(self: Corpus, terms: str | Iterable[str]) -> pd.DataFrame:
    """Where each term falls in each document: ``doc_id, term, start, offset`` (0–1 of the text)."""
    return concordance.dispersion(self, _terms(terms))


# ----- formulas (提法) --------------------------------------------------------------------------------
@method
def lexicon(self: Corpus) -> pd.DataFrame:
    """The formula lexicon the mentions are found with (``analysis/zhengyan/data/formulas.csv``)."""
    return formulas.load_lexicon()


@method
def mentions(self: Corpus, *, lexicon: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every formula (提法) mention: ``doc_id, para_id, sent_id, start, end, item, form, match``."""
    if lexicon is None:
        return _cached(self, "mentions", lambda: formulas.mentions(self))
    return formulas.mentions(self, lexicon)


@method
def formula_counts(self: Corpus, *, by: str = "doc_id") -> pd.DataFrame:
    """Formula mentions counted by ``by``: ``<by>, item, n, docfreq, n_docs, per_10k, per_1k_tokens, category``."""
    return formulas.formula_counts(self.mentions(), self._documents_for(by), by=by, lexicon=formulas.load_lexicon())


@method
def discover(self: Corpus) -> pd.DataFrame:
    """Formulas the lexicon may lack: numbered abbreviations and quoted catch-phrases, with evidence."""
    return _cached(self, "discover", lambda: formulas.discover(self, formulas.load_lexicon()))


@method
def term_mentions(self: Corpus, terms: str | Iterable[str]) -> pd.DataFrame:
    """Mentions of the terms you choose, found in the clean text (same columns as :meth:`mentions`)."""
    return concordance.term_mentions(self, _terms(terms))


def _mentions_of(self: Corpus, items: list[str]) -> pd.DataFrame:
    """Formula mentions for the items that are formulas, text matches for the rest."""
    known = set(formulas.load_lexicon()["formula"])
    found = self.mentions()
    parts = [found[found["item"].isin([i for i in items if i in known])]]
    others = [i for i in items if i not in known]
    if others:
        parts.append(self.term_mentions(others))
    return pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else parts[0]


Corpus._mentions_of = _mentions_of


@method
def trend(self: Corpus, terms: str | Iterable[str], *, by: str = "year",
          min_confidence: str = MIN_CONFIDENCE) -> pd.DataFrame:
    """Rate per 10,000 characters of each term or formula by year: ``year, item, n, n_chars, per_10k, n_docs``.

    Formulas of the lexicon are counted as formula mentions (variants included), anything else
    as found in the clean text. Every year with documents is listed, zeros included; ``n_docs``
    is the number of documents behind the year. Inferred years enter at ``min_confidence`` or above
    (:meth:`years_used`).
    """
    if by != "year":
        raise ValueError(f"by must be 'year', not {by!r}")
    items = _terms(terms)
    found = self._mentions_of(items)
    docs = self._year_documents(min_confidence).dropna(subset=["year"])
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


@method
def formula_yearly_counts(self: Corpus, *, min_confidence: str = MIN_CONFIDENCE) -> tuple[pd.DataFrame, pd.Series]:
    """A years × formulas table of mention counts and the characters of each year (the years of :meth:`years_used`)."""
    return trends_module.mention_counts(self.mentions(), self._year_documents(min_confidence))


@method
def trends(self: Corpus, of: str = "formulas", *, min_total: int = 10,
           min_confidence: str = MIN_CONFIDENCE) -> pd.DataFrame:
    """What rises and fades: one row per formula (``of="formulas"``) or term (``of="terms"``, those seen
    ``min_total`` times or more) with its trend test, change year and rates before and after
    (:func:`zhengyan.analyses.trends.trends`); rank it with :func:`zhengyan.rising` / :func:`zhengyan.falling`."""
    checks.check_option("of", of, ("formulas", "terms"))
    counts, chars = (self.formula_yearly_counts(min_confidence=min_confidence) if of == "formulas"
                     else self.yearly_counts(min_total=min_total, min_confidence=min_confidence))
    return trends_module.trends(counts, chars)


@method
def cooccurrence(self: Corpus, *, context: str = "sentence", window: int = 10, **options) -> pd.DataFrame:
    """Pairs of formulas that occur in the same ``context`` ("document", "paragraph", "sentence",
    "window"), with counts and association (the formula mentions are found first)."""
    if context not in CONTEXTS:
        raise checks.unknown("context", context, CONTEXTS)
    return cooccurrence_module.cooccurrence(self, self.mentions(), context=context, window=window, **options)


# ----- themes --------------------------------------------------------------------------------------
@method
def theme_mentions(self: Corpus, dictionary="party") -> pd.DataFrame:
    """Every term of the theme dictionary found in the clean texts, with its ``theme``."""
    _check_dictionary(dictionary)
    return _cached(self, f"themes-{dictionary}" if isinstance(dictionary, str) else f"themes-{id(dictionary)}",
                   lambda: themes.theme_mentions(self, dictionary))


@method
def theme_shares(self: Corpus, *, by: str = "year", dictionary="party",
                 min_confidence: str = MIN_CONFIDENCE) -> pd.DataFrame:
    """Each theme's share of the theme mentions, and its rate per 10,000 characters, by ``by``
    ("year", "doc_id" or a metadata column); by year, the years of :meth:`years_used`."""
    docs = self._year_documents(min_confidence) if by == "year" else self.dated()
    if by not in docs.columns:
        raise checks.unknown("column", by, [c for c in docs.columns if c not in ("text", "raw")])
    return themes.theme_shares(self.theme_mentions(dictionary), docs, by=by)


def _check_dictionary(dictionary) -> None:
    if isinstance(dictionary, str) and dictionary not in themes.DICTIONARIES and not dictionary.endswith(".csv"):
        raise checks.unknown("theme dictionary", dictionary, [*themes.DICTIONARIES, "<file>.csv"])
