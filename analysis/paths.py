"""Every path the project uses: the only module that spells one."""
from __future__ import annotations

import os
from pathlib import Path

#: The project root (the folder holding ``analysis/``, ``seeds/``, ``notebooks/``).
ROOT = Path(__file__).resolve().parent.parent
#: The five seed speeches, read-only input.
SEEDS = ROOT / "seeds"
#: The notebooks, executed in name order by ``python -m analysis render``.
NOTEBOOKS = ROOT / "notebooks"
#: Lexicons, stopwords and other data files shipped with the package.
DATA = ROOT / "analysis" / "data"
#: Caches (jieba's dictionary cache, segmented tokens); safe to delete.
CACHE = ROOT / ".cache"
#: Figures and rendered notebooks for the default corpus (``seeds/``).
FIGURES = ROOT / "figures"
RENDERED = ROOT / "rendered"
#: Outputs for any other corpus: ``output/<corpus name>/{figures,rendered,export}``.
OUTPUT = ROOT / "output"
#: Corpora shipped with the project (read-only input, like ``seeds/``).
CORPORA = ROOT / "corpora"
#: The 64 government work and congress reports, 1954–2025 (public domain): the multi-year corpus.
PRC_REPORTS = CORPORA / "prc_reports"
#: Daily news transcripts beside the project, for benchmarks and dating (copyrighted: never copied in).
XWLB_DEV = ROOT.parent / "shared" / "corpora" / "xwlb_dev"

#: Environment variables read here, so notebooks and tests can redirect a run.
ENV_CORPUS = "ANALYSIS_CORPUS"  # the corpus folder a notebook analyses
ENV_OUTPUT = "ANALYSIS_OUTPUT"  # where figures of that run go (tests point it at a temp folder)
ENV_THEMES = "ANALYSIS_THEMES"  # the theme dictionary of notebook 04: "party", "general" or a CSV path


def corpus_dir() -> Path:
    """The corpus a notebook should read: ``$ANALYSIS_CORPUS`` or ``seeds/``."""
    value = os.environ.get(ENV_CORPUS)
    return Path(value).expanduser().resolve() if value else SEEDS


def theme_dictionary() -> str:
    """The theme dictionary notebook 04 uses: ``$ANALYSIS_THEMES`` or "party"."""
    return os.environ.get(ENV_THEMES) or "party"


def is_default_corpus(corpus: Path) -> bool:
    return Path(corpus).resolve() == SEEDS.resolve()


def output_dir(corpus: Path | None = None) -> Path:
    """Root of the outputs for ``corpus``: the project root for ``seeds/``, else ``output/<name>``."""
    override = os.environ.get(ENV_OUTPUT)
    if override:
        return Path(override).expanduser().resolve()
    corpus = corpus_dir() if corpus is None else Path(corpus)
    return ROOT if is_default_corpus(corpus) else OUTPUT / Path(corpus).resolve().name


def figures_dir(corpus: Path | None = None) -> Path:
    base = output_dir(corpus)
    return FIGURES if base == ROOT else base / "figures"


def rendered_dir(corpus: Path | None = None) -> Path:
    base = output_dir(corpus)
    return RENDERED if base == ROOT else base / "rendered"


def export_dir(corpus: Path | None = None) -> Path:
    base = output_dir(corpus)
    return ROOT / "export" if base == ROOT else base / "export"


def data_file(name: str) -> Path:
    """A data file shipped in ``analysis/data``; fails with the folder's contents if missing."""
    path = DATA / name
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in DATA.iterdir()))
        raise FileNotFoundError(f"no data file {name!r} in {DATA} (have: {known})")
    return path


def is_inside(path: Path, folder: Path) -> bool:
    """True when ``path`` lies in ``folder`` (used to refuse writing into a corpus)."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False
