"""Association measures of two items, registered by name: the one place a new measure is added.

Every measure takes the counts of a pair — ``n_ab`` (contexts holding both), ``n_a``, ``n_b`` (contexts
holding each) and ``n`` (all contexts) as float arrays — and returns an array. Co-occurrence tables
(:func:`zhengyan.analyses.cooccurrence.cooccurrence`) carry one column per registered measure, in the
order of registration, and collocations take theirs (``pmi``, ``g2``) from here too. Add a measure
with ``@measure("name")`` in this module (see the README's "Extending"); its column then appears in
every co-occurrence table, the export's ``cooccurrence.csv`` included.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from zhengyan.core import counting


@dataclass(frozen=True)
class Pair:
    """The counts of pairs, as float arrays of one length."""

    n_ab: np.ndarray
    n_a: np.ndarray
    n_b: np.ndarray
    n: np.ndarray


#: name → function of a :class:`Pair`, in the order the columns appear.
MEASURES: dict[str, Callable[[Pair], np.ndarray]] = {}


def measure(name: str):
    """Register a function of a :class:`Pair` as the association measure ``name``."""
    def register(func: Callable[[Pair], np.ndarray]):
        if name in MEASURES:
            raise ValueError(f"an association measure {name!r} is registered already")
        MEASURES[name] = func
        return func
    return register


def association(n_ab, n_a, n_b, n, names: list[str] | None = None) -> dict[str, np.ndarray]:
    """The measures ``names`` (default: every registered one, in order) for arrays of counts."""
    pair = Pair(*(np.asarray(x, dtype=float) for x in (n_ab, n_a, n_b, n)))
    names = list(MEASURES) if names is None else names
    unknown = [m for m in names if m not in MEASURES]
    if unknown:
        from zhengyan.core.checks import unknown as unknown_name

        raise unknown_name("association measure", unknown[0], MEASURES)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {name: MEASURES[name](pair) for name in names}


@measure("expected")
def expected(p: Pair) -> np.ndarray:
    """n_a · n_b / n: the pairs expected if the items were independent."""
    return p.n_a * p.n_b / p.n


@measure("jaccard")
def jaccard(p: Pair) -> np.ndarray:
    """n_ab / (n_a + n_b − n_ab)."""
    return p.n_ab / (p.n_a + p.n_b - p.n_ab)


@measure("dice")
def dice(p: Pair) -> np.ndarray:
    """2·n_ab / (n_a + n_b)."""
    return 2 * p.n_ab / (p.n_a + p.n_b)


@measure("pmi")
def pmi(p: Pair) -> np.ndarray:
    """log2(n_ab · n / (n_a · n_b))."""
    return np.log2(p.n_ab * p.n / (p.n_a * p.n_b))


@measure("npmi")
def npmi(p: Pair) -> np.ndarray:
    """pmi / −log2(n_ab / n), 1 where the pair fills every context (Bouma 2009)."""
    return np.where(p.n_ab >= p.n, 1.0, pmi(p) / -np.log2(p.n_ab / p.n))


@measure("g2")
def g2(p: Pair) -> np.ndarray:
    """The full 2×2 log-likelihood (unsigned): contexts holding A against the rest, B among each."""
    return counting.log_likelihood(p.n_ab, p.n_b - p.n_ab, p.n_a, p.n - p.n_a)


@measure("p")
def p_value(p: Pair) -> np.ndarray:
    """The chi-square (1 df) tail of ``g2``."""
    return counting.g2_p(g2(p))
