"""Checks of what a user passes in: option strings, term lists, and the one "did you mean" of the package."""
from __future__ import annotations

import difflib
from typing import Iterable, Sequence

#: How alike a misspelt name and a known one must be (difflib's ratio) to be suggested.
SUGGEST_CUTOFF = 0.4


def closest(name: str, choices: Iterable[str], *, n: int = 3) -> list[str]:
    """Up to ``n`` entries of ``choices`` closest to ``name`` (difflib ratio ≥ :data:`SUGGEST_CUTOFF`), best
    first; failing that, the entries that hold ``name`` or are held in it ("三会" → "三会一课")."""
    choices = [str(c) for c in choices]
    found = difflib.get_close_matches(str(name), choices, n=n, cutoff=SUGGEST_CUTOFF)
    if not found:
        found = [c for c in choices if str(name) and (str(name) in c or c in str(name))][:n]
    return found


def did_you_mean(name: str, choices: Iterable[str], *, n: int = 3) -> str:
    """"; did you mean 'a', 'b'?" for the choices closest to ``name``, or "" when none is close."""
    near = closest(name, choices, n=n)
    return f"; did you mean {', '.join(repr(c) for c in near)}?" if near else ""


def unknown(what: str, name: str, choices: Iterable[str]) -> ValueError:
    """A ValueError for a name not among ``choices``, suggesting the closest ones."""
    choices = list(dict.fromkeys(str(c) for c in choices))
    sample = ", ".join(repr(c) for c in choices[:8]) + (" …" if len(choices) > 8 else "")
    return ValueError(f"no {what} {name!r}{did_you_mean(name, choices)} (known: {sample})")


def check_option(name: str, value, allowed: Sequence) -> None:
    """Fail, listing the allowed values, when ``value`` is not one of them."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}")


def as_terms(terms: str | Iterable[str], name: str = "terms") -> list[str]:
    """A list of distinct terms, in order. A plain string is one term (never its characters)."""
    if isinstance(terms, str):
        terms = [terms]
    elif terms is None:
        raise ValueError(f"{name} must be a term or a list of terms, not None")
    out = list(dict.fromkeys(str(t) for t in terms))
    empty = [t for t in out if not t.strip()]
    if empty:
        raise ValueError(f"{name} holds an empty term")
    return out
