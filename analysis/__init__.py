"""Reading Chinese political speeches: corpus → tokens → counts, slogans, themes → figures.

Modules by kind of verb: :mod:`reading`, :mod:`cleaning`, :mod:`structure`, :mod:`segment`,
:mod:`corpus` (the tables), then the analyses, :mod:`plots` (figures) and :mod:`render` (notebooks).
Every path lives in :mod:`paths`.
"""
from .corpus import Corpus, content_terms, load_corpus

__all__ = ["Corpus", "content_terms", "load_corpus"]
