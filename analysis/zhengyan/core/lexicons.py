"""The lexicon files of ``data/`` read once: every module that needs a lexicon's rows (the segmenter's dictionary,
cleaning's lost plus signs, the formula matcher) takes them from here."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from zhengyan.core import paths


@lru_cache(maxsize=16)
def _read(path: str, mtime: float) -> pd.DataFrame:
    table = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    if "formula" not in table.columns and "slogan" in table.columns:  # a formula lexicon written before the rename
        table = table.rename(columns={"slogan": "formula"})
    return table


def table(name_or_path: str | Path) -> pd.DataFrame:
    """A lexicon CSV as strings (empty cells ""), comment lines left out: a data file's name, or a path. A copy:
    the caller may change it. Read again only when the file changes."""
    path = Path(name_or_path) if isinstance(name_or_path, Path) or "/" in str(name_or_path) \
        else paths.data_file(str(name_or_path))
    return _read(str(path), path.stat().st_mtime).copy()


def terms(name: str, columns: tuple[str, ...]) -> list[str]:
    """The cells of ``columns`` of a data file, column after column, split at "|" and "、" (variants, members)."""
    if not (paths.DATA / name).is_file():
        return []
    found = table(name)
    out: list[str] = []
    for column in columns:
        if column in found.columns:
            for cell in found[column]:
                out += [t.strip() for t in cell.replace("、", "|").split("|") if t.strip()]
    return out
