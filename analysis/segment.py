"""Segmentation: the only module that imports jieba. A user dictionary built from the lexicons keeps
political terms and slogans whole; tokens are classified (word, number, placeholder) and flagged
(stopword, filler)."""
from __future__ import annotations

import hashlib
import logging
import re
import warnings
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import paths

#: Bump when the way tokens are produced changes, so cached tokens are rebuilt.
TOKENIZER_VERSION = "2"
#: Lexicon files whose entries go into the user dictionary.
LEXICON_FILES = (
    "slogans.csv", "political_terms.txt", "stopwords_speech.txt", "themes_party.csv", "themes_general.csv",
)
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


def _csv_terms(name: str, columns: tuple[str, ...]) -> list[str]:
    path = paths.DATA / name
    if not path.is_file():
        return []
    table = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    out: list[str] = []
    for column in columns:
        if column in table.columns:
            for cell in table[column]:
                out += [t.strip() for t in re.split(r"[|、]", cell) if t.strip()]
    return out


def dictionary_words() -> list[str]:
    """Every word the user dictionary holds: slogans and their variants, political terms, theme terms.

    Forms with punctuation are left out (jieba cannot hold them); the slogan matcher finds those.
    """
    words = _csv_terms("slogans.csv", ("slogan", "variants"))
    words += _read_lines("political_terms.txt")
    words += _read_lines("stopwords_speech.txt")  # so filler such as 同志们 and 一是 is cut whole
    words += _csv_terms("themes_party.csv", ("term",))
    words += _csv_terms("themes_general.csv", ("term",))
    seen: dict[str, None] = {}
    for w in words:
        if len(w) >= 2 and not re.search(r"[\s，、,。；;：:“”\"']", w):
            seen.setdefault(w, None)
    return list(seen)


def dictionary_signature() -> str:
    """Hash of the lexicon files and jieba's version: what the cached tokens depend on."""
    h = hashlib.sha256()
    h.update(f"jieba {jieba_version()} tokenizer {TOKENIZER_VERSION}".encode())
    for name in LEXICON_FILES:
        path = paths.DATA / name
        h.update(name.encode())
        h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()[:16]


def write_user_dictionary(path: Path | None = None) -> Path:
    """Write the generated user dictionary (one word a line, jieba's format) for a reader to inspect."""
    path = paths.CACHE / "userdict.txt" if path is None else Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{w}\n" for w in dictionary_words()), encoding="utf-8")
    return path


@lru_cache(maxsize=2)
def tokenizer(signature: str | None = None):
    """A jieba Tokenizer of its own (not jieba's global one), with the user dictionary loaded.

    Its dictionary cache lives in the project's cache folder.
    """
    jieba = _jieba()
    tok = jieba.Tokenizer()
    cache = paths.CACHE / "jieba"
    cache.mkdir(parents=True, exist_ok=True)
    tok.tmp_dir = str(cache)
    tok.cache_file = "jieba.cache"
    tok.initialize()
    for word in dictionary_words():
        tok.add_word(word)  # frequency suggested by jieba so the word is cut whole
    return tok


def cut(text: str, hmm: bool = True) -> list[tuple[str, int]]:
    """``(word, start)`` for every token of ``text`` (spaces and punctuation included)."""
    tok = tokenizer(dictionary_signature())
    return [(w, s) for w, s, _ in tok.tokenize(text, HMM=hmm)]


def classify(terms: pd.Series) -> pd.Series:
    """Kind of each token: "word", "number", "placeholder", or "punct" (punctuation and spaces)."""
    values = pd.Series(pd.unique(terms.astype(str)))
    kinds = pd.Series("word", index=values.values, dtype=object)
    kinds[values.str.match(_PUNCT_OR_SPACE.pattern).fillna(False).values] = "punct"
    kinds[values.str.match(_NUMBER.pattern).fillna(False).values] = "number"
    kinds[values.str.match(_PLACEHOLDER.pattern).fillna(False).values] = "placeholder"
    return terms.astype(str).map(kinds)


@lru_cache(maxsize=1)
def general_words() -> frozenset[str]:
    """The words of jieba's own dictionary (without the project's user dictionary): ordinary Chinese."""
    jieba = _jieba()
    path = Path(jieba.__file__).parent / "dict.txt"
    with open(path, encoding="utf-8") as fh:
        return frozenset(line.split(" ", 1)[0] for line in fh)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(_read_lines("stopwords_general.txt"))


@lru_cache(maxsize=1)
def filler() -> frozenset[str]:
    return frozenset(_read_lines("stopwords_speech.txt"))
