"""Reading Chinese political speeches: a folder of texts → a corpus of tidy tables → terms, formulas (提法),
co-occurrence, themes and their shifts by year → figures, shared HTML and CSV.

The public API is what this module names: :func:`load_corpus` returns a :class:`Corpus` whose methods
answer the questions (``corpus.kwic``, ``corpus.trend``, ``corpus.cooccurrence`` …, see :mod:`zhengyan.api`);
:mod:`plots`, :mod:`display` and :mod:`explore` draw their answers; a few verbs take the tables those
methods return (``rising(corpus.trends())``). Underneath, the wings import downwards only:
``core`` ← ``ingest`` ← ``analyses`` ← ``present`` ← ``api``, ``export``, ``__main__``.
"""
from zhengyan import api
from zhengyan.analyses.cooccurrence import matrix as cooccurrence_matrix
from zhengyan.analyses.periods import edges_for, load_turning_points, period_of, period_order, turning_points
from zhengyan.analyses.trends import falling, lifecycle, peaks, rising
from zhengyan.core.paths import PRC_REPORTS, corpus_dir, theme_dictionary
from zhengyan.ingest.corpus import Corpus, content_terms, load_corpus

__all__ = [
    "Corpus", "load_corpus", "content_terms", "api",
    "display", "explore", "plots",
    "rising", "falling", "peaks", "lifecycle", "cooccurrence_matrix",
    "turning_points", "period_of", "period_order", "edges_for", "load_turning_points",
    "corpus_dir", "theme_dictionary", "PRC_REPORTS",
]


def __getattr__(name: str):
    """The presentation modules load on first use (matplotlib and the views cost an import the export does not need)."""
    if name in ("display", "explore", "plots"):
        import importlib

        return importlib.import_module(f"zhengyan.present.{name}")
    raise AttributeError(f"module 'zhengyan' has no attribute {name!r}")
