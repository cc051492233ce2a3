"""The questions a user asks of a corpus, as methods of :class:`~analysis.corpus.Corpus`.

Each method takes the corpus and does the needed steps itself (mentions before co-occurrence,
years before theme shares), importing the analysis modules lazily so that ``analysis.corpus``
stays importable on its own.
"""
from __future__ import annotations


class CorpusMethods:
    """Mixed into :class:`~analysis.corpus.Corpus`."""
