"""Segmentation: the only module that imports jieba. A user dictionary built from the lexicons keeps
political terms and slogans whole; tokens are classified (word, number, placeholder) and flagged
(stopword, filler)."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import uuid
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from zhengyan.core import lexicons, paths

#: Bump when the way tokens are produced changes, so cached tokens are rebuilt.
TOKENIZER_VERSION = "2"
#: Lexicon files whose entries go into the user dictionary.
LEXICON_FILES = (
    "formulas.csv", "political_terms.txt", "stopwords_speech.txt", "themes_party.csv", "themes_general.csv",
)
#: The segmenters offered: jieba (the reference) and rjieba (jieba-rs, compiled, same dictionary).
SEGMENTERS = ("jieba", "rjieba")
#: The default: rjieba, which agrees with jieba on every measured token (bench/bench_segmenters.py).
DEFAULT_SEGMENTER = "rjieba"
#: Environment variable choosing the segmenter of a run.
ENV_SEGMENTER = "ANALYSIS_SEGMENTER"
_PUNCT_OR_SPACE = re.compile(r"^[\W_]+$")
_NUMBER = re.compile(
    r"^(?:[\d.,%％]+|[零〇○一二三四五六七八九十百千万亿两]+|第[\d一二三四五六七八九十百]+"
    r"|[零〇○一二三四五六七八九十\d]+年(?:代|度)?)$"
)
_PLACEHOLDER = re.compile(r"^(?:×+|[Xx]{1,3})$")


def _jieba():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba's own import of pkg_resources warns on new setuptools
        import jieba
    jieba.setLogLevel(logging.WARNING)
    return jieba


def jieba_version() -> str:
    return _jieba().__version__


def _read_lines(name: str) -> list[str]:
    path = paths.DATA / name
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def dictionary_words() -> list[str]:
    """Every word the user dictionary holds: formulas and their variants, political terms, theme terms.

    Forms with punctuation are left out (jieba cannot hold them); the formula matcher finds those.
    """
    words = lexicons.terms("formulas.csv", ("formula", "variants"))
    words += _read_lines("political_terms.txt")
    words += _read_lines("stopwords_speech.txt")  # so filler such as 同志们 and 一是 is cut whole
    words += lexicons.terms("themes_party.csv", ("term",))
    words += lexicons.terms("themes_general.csv", ("term",))
    seen: dict[str, None] = {}
    for w in words:
        if len(w) >= 2 and not re.search(r"[\s，、,。；;：:“”\"']", w):
            seen.setdefault(w, None)
    return list(seen)


def segmenter_name(segmenter: str | None = None) -> str:
    """The segmenter to use: ``segmenter``, else ``$ANALYSIS_SEGMENTER``, else :data:`DEFAULT_SEGMENTER`."""
    name = segmenter if segmenter is not None else (os.environ.get(ENV_SEGMENTER) or DEFAULT_SEGMENTER)
    if name not in SEGMENTERS:
        source = "segmenter" if segmenter is not None else f"${ENV_SEGMENTER}"
        raise ValueError(f"{source} must be one of {', '.join(SEGMENTERS)}; got {name!r}")
    return name


def lexicon_signature() -> str:
    """Hash of the lexicon files: what the user dictionary (and so every token) depends on."""
    h = hashlib.sha256()
    for name in LEXICON_FILES:
        path = paths.DATA / name
        h.update(name.encode())
        h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()[:16]


def dictionary_signature(segmenter: str | None = None) -> str:
    """Hash of the lexicon files, the segmenter and its version: what the tokens depend on.

    Computed once per load (it reads the lexicon files), never per document.
    """
    name = segmenter_name(segmenter)
    version = jieba_version() if name == "jieba" else _rjieba_version()
    h = hashlib.sha256(f"{name} {version} tokenizer {TOKENIZER_VERSION} {lexicon_signature()}".encode())
    return h.hexdigest()[:16]


def _rjieba_version() -> str:
    from importlib.metadata import version

    return version("rjieba")


def write_user_dictionary(path: Path | None = None) -> Path:
    """Write the generated user dictionary (one word a line, jieba's format) for a reader to inspect."""
    path = paths.CACHE / "userdict.txt" if path is None else Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{w}\n" for w in dictionary_words()), encoding="utf-8")
    return path


@lru_cache(maxsize=2)
def tokenizer(signature: str | None = None, words: tuple[str, ...] | None = None):
    """A jieba Tokenizer of its own (not jieba's global one), with the user dictionary loaded.

    ``signature`` keys the cached instance; ``words`` is the user dictionary (default:
    :func:`dictionary_words`). Its dictionary cache lives in the project's cache folder.
    """
    jieba = _jieba()
    tok = jieba.Tokenizer()
    cache = paths.CACHE / "jieba"
    cache.mkdir(parents=True, exist_ok=True)
    tok.tmp_dir = str(cache)
    tok.cache_file = "jieba.cache"
    tok.initialize()
    for word in dictionary_words() if words is None else words:
        tok.add_word(word)  # frequency suggested by jieba so the word is cut whole
    return tok


def user_frequencies(words: tuple[str, ...] | None = None) -> tuple[int, ...]:
    """The frequency jieba gives each user word (its suggested frequency, in dictionary order).

    Handing these to rjieba makes its dictionary the same as jieba's; they are computed with jieba
    once per lexicon and kept in the cache folder.
    """
    words = tuple(dictionary_words()) if words is None else tuple(words)
    key = hashlib.sha256(("\n".join(words) + jieba_version() + TOKENIZER_VERSION).encode()).hexdigest()[:16]
    path = paths.CACHE / "jieba" / f"userfreq-{key}.json"
    try:
        freqs = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(freqs, list) and len(freqs) == len(words) and all(isinstance(f, int) for f in freqs):
            return tuple(freqs)
    except (OSError, ValueError):
        pass
    tok = tokenizer(None, words)
    freqs = [int(tok.FREQ[w]) for w in words]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(freqs), encoding="utf-8")
    os.replace(tmp, path)
    return tuple(freqs)


_RJIEBA: dict[tuple, object] = {}
_LAST: list = []
_BALANCE = "\ue000"


def rjieba_tokenizer(words: tuple[str, ...] | None = None, freqs: tuple[int, ...] | None = None):
    """An rjieba (jieba-rs: jieba's dictionary and algorithm, compiled) instance with the user dictionary,
    each user word at the frequency jieba gives it (:func:`user_frequencies`), and jieba's total."""
    if words is not None and freqs is not None and _LAST and _LAST[0] is words and _LAST[1] is freqs:
        return _LAST[2]  # the same dictionary objects as the last call (every document of a batch): no hashing
    words = tuple(dictionary_words()) if words is None else tuple(words)
    freqs = user_frequencies(words) if freqs is None else tuple(freqs)
    key = (words, freqs)
    if key not in _RJIEBA:
        import rjieba

        tok = rjieba.Jieba()
        for word, freq in zip(words, freqs):
            tok.add_word(word, freq, None)
        # jieba adds each user word's frequency to the dictionary's total, jieba-rs does not: one entry
        # that no text can reach (a private-use character, never in a Han run) restores the same total,
        # so every path through a sentence weighs the same in both.
        if freqs:
            tok.add_word(_BALANCE, sum(freqs), None)
        _RJIEBA.clear()
        _RJIEBA[key] = tok
    _LAST[:] = [words, freqs, _RJIEBA[key]]
    return _RJIEBA[key]


def _split_hyphens(words: list[str]) -> list[str]:
    """Cut "2016-2020" and "MQ-9" at the hyphen, as jieba does (jieba-rs keeps such runs whole)."""
    at = [i for i, w in enumerate(words) if "-" in w and len(w) > 1]
    if not at:
        return words
    out: list[str] = []
    done = 0
    for i in at:
        out += words[done:i]
        out += [piece for piece in _HYPHEN.split(words[i]) if piece]
        done = i + 1
    out += words[done:]
    return out


_HYPHEN = re.compile("(-+)")


def words_of(text: str, *, segmenter: str | None = None, dictionary: tuple | None = None) -> list[str]:
    """The tokens of ``text`` as a list of strings (spaces and punctuation included), in order.

    ``dictionary``: ``(words, freqs)`` of the user dictionary when it must be given explicitly (a
    worker on another machine); default: the lexicons of this checkout.
    """
    name = segmenter_name(segmenter)
    words, freqs = dictionary if dictionary is not None else (None, None)
    if name == "rjieba":
        cut = rjieba_tokenizer(words, freqs).cut(text, True)
        return _split_hyphens(cut) if "-" in text else cut
    if words is None:
        return tokenizer(dictionary_signature("jieba")).lcut(text, HMM=True)
    return tokenizer(hashlib.sha256("\n".join(words).encode()).hexdigest(), tuple(words)).lcut(text, HMM=True)


def cut(text: str, hmm: bool = True, *, segmenter: str | None = None) -> list[tuple[str, int]]:
    """``(word, start)`` for every token of ``text`` (spaces and punctuation included)."""
    name = segmenter_name(segmenter)
    if name == "rjieba":
        words = rjieba_tokenizer().cut(text, hmm)
        words = _split_hyphens(words) if "-" in text else words
    else:
        words = tokenizer(dictionary_signature("jieba")).lcut(text, HMM=hmm)
    out, pos = [], 0
    for w in words:
        out.append((w, pos))
        pos += len(w)
    return out


#: Kinds of token, by code (:func:`kind_codes`).
KINDS = ("word", "number", "placeholder", "punct")
_KIND_CACHE: dict[str, int] = {}


def kind_code(term: str) -> int:
    """Index in :data:`KINDS` of the kind of ``term`` (remembered per distinct term)."""
    code = _KIND_CACHE.get(term)
    if code is None:
        if _PLACEHOLDER.match(term):
            code = 2
        elif _NUMBER.match(term):
            code = 1
        elif _PUNCT_OR_SPACE.match(term):
            code = 3
        else:
            code = 0
        if len(_KIND_CACHE) < 2_000_000:
            _KIND_CACHE[term] = code
    return code


# A word of CJK unified ideographs only is a word, or a number when it matches these (:data:`_NUMBER`
# restricted to such words: no digits, 〇 or ○ among them; never a placeholder or punctuation).
_HAN_ONLY = "^[\u4e00-\u9fff]+$"
_HAN_NUMBER = "^(?:[零一二三四五六七八九十百千万亿两]+|第[一二三四五六七八九十百]+|[零一二三四五六七八九十]+年(?:代|度)?)$"


def kind_codes(terms) -> np.ndarray:
    """:func:`kind_code` of each of ``terms`` (an iterable of distinct strings, or an Arrow string
    array: its words of Chinese characters only are classified by Arrow, the rest one by one), as int8."""
    import pyarrow as pa

    if not isinstance(terms, pa.Array):
        return np.fromiter((kind_code(t) for t in terms), dtype=np.int8)
    import pyarrow.compute as pc

    han = pc.match_substring_regex(terms, _HAN_ONLY).to_numpy(zero_copy_only=False)
    out = pc.match_substring_regex(terms, _HAN_NUMBER).to_numpy(zero_copy_only=False).astype(np.int8) * han
    rest = np.flatnonzero(~han)
    out[rest] = np.fromiter((kind_code(t) for t in terms.take(rest).to_pylist()), dtype=np.int8, count=len(rest))
    return out


def classify(terms: pd.Series) -> pd.Series:
    """Kind of each token: "word", "number", "placeholder", or "punct" (punctuation and spaces)."""
    codes, uniques = pd.factorize(terms.astype(str))
    kinds = np.asarray(KINDS, dtype=object)[kind_codes(uniques)]
    return pd.Series(kinds[codes], index=terms.index, dtype=object)


@lru_cache(maxsize=1)
def general_words() -> frozenset[str]:
    """The words of jieba's own dictionary (without the project's user dictionary): ordinary Chinese."""
    jieba = _jieba()
    path = Path(jieba.__file__).parent / "dict.txt"
    with open(path, encoding="utf-8") as fh:
        return frozenset(line.split(" ", 1)[0] for line in fh)


@lru_cache(maxsize=1)
def general_frequencies() -> dict[str, int]:
    """Each word of jieba's own dictionary and its frequency there (what :func:`general_words` lists)."""
    path = Path(_jieba().__file__).parent / "dict.txt"
    with open(path, encoding="utf-8") as fh:
        return {parts[0]: int(parts[1]) for parts in (line.split(" ", 2) for line in fh) if len(parts) > 1}


def pos_tags(text: str) -> list[tuple[str, str]]:
    """``(word, part-of-speech tag)`` of ``text`` by jieba's tagger and its own dictionary (slow: for a few
    hundred short contexts, not for a corpus)."""
    _jieba()
    import jieba.posseg as posseg

    return [(word, tag) for word, tag in posseg.lcut(text)]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(_read_lines("stopwords_general.txt"))


@lru_cache(maxsize=1)
def filler() -> frozenset[str]:
    return frozenset(_read_lines("stopwords_speech.txt"))
