"""Every path the project uses: the only module that spells one."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: The package folder (``zhengyan/``: its data files and templates).
PACKAGE = Path(__file__).resolve().parent.parent
#: In a checkout the package lies in ``<project>/analysis/zhengyan`` beside ``notebooks/`` and ``seeds/``; installed
#: (``pip install .``), the suite ships inside it, in ``zhengyan/bundled/`` with the same layout.
IN_CHECKOUT = (PACKAGE.parent.name == "analysis" and (PACKAGE.parent.parent / "notebooks").is_dir()
               and (PACKAGE.parent.parent / "seeds").is_dir())
#: The project root: the checkout, or the bundled suite of an installed package (read-only there).
ROOT = PACKAGE.parent.parent if IN_CHECKOUT else PACKAGE / "bundled"
#: The five seed speeches, read-only input.
SEEDS = ROOT / "seeds"
#: The notebooks, executed in name order by ``zhengyan render``.
NOTEBOOKS = ROOT / "notebooks"
#: Lexicons, stopwords and other data files shipped with the package.
DATA = PACKAGE / "data"
#: Templates of the shared HTML.
TEMPLATES = PACKAGE / "templates"
#: Environment variable naming the cache folder (default: ``.cache`` of a checkout, else the user's cache folder).
ENV_CACHE = "ZHENGYAN_CACHE"
#: Caches (jieba's dictionary cache, segmented tokens); safe to delete.
if os.environ.get(ENV_CACHE):
    CACHE = Path(os.environ[ENV_CACHE]).expanduser().resolve()
elif IN_CHECKOUT:
    CACHE = ROOT / ".cache"
else:
    import platformdirs

    CACHE = Path(platformdirs.user_cache_dir("zhengyan"))
#: Figures and rendered notebooks for the default corpus (``seeds/``) of a checkout.
FIGURES = ROOT / "figures"
RENDERED = ROOT / "rendered"
#: Outputs for any other corpus, in a checkout: ``output/<corpus name>-<hash of its path>/…`` (see :func:`output_dir`).
OUTPUT = ROOT / "output"
#: Corpora shipped with the project (read-only input, like ``seeds/``).
CORPORA = ROOT / "corpora"
#: The 64 government work and congress reports, 1954–2025 (public domain): the multi-year corpus.
PRC_REPORTS = CORPORA / "prc_reports"


def work_dir() -> Path:
    """Where outputs go unless told: the checkout, or — for an installed package — the current directory."""
    return ROOT if IN_CHECKOUT else Path.cwd()


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
    """The seeds of a checkout, whose figures and executed notebooks are the project's own (an installed package
    never writes into itself: its seeds are a corpus like any other)."""
    return IN_CHECKOUT and Path(corpus).resolve() == SEEDS.resolve()


def output_dir(corpus: Path | None = None) -> Path:
    """Root of the outputs for ``corpus``: the project root for ``seeds/``, else ``output/<name>-<hash>``.

    The eight hex digits hash the corpus's resolved path, so two corpora that share a folder name
    (``a/speeches`` and ``b/speeches``) never share an output folder. ``$ANALYSIS_OUTPUT`` overrides.
    """
    override = os.environ.get(ENV_OUTPUT)
    if override:
        return Path(override).expanduser().resolve()
    corpus = corpus_dir() if corpus is None else Path(corpus)
    if is_default_corpus(corpus):
        return ROOT
    resolved = Path(corpus).expanduser().resolve()
    digest = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:8]
    return work_dir() / "output" / f"{resolved.name or 'corpus'}-{digest}"


def figures_dir(corpus: Path | None = None) -> Path:
    """Where figures of ``corpus`` go; :class:`UnsafeOutput` if that is in a corpus (``$ANALYSIS_OUTPUT`` pointed there)."""
    base = output_dir(corpus)
    folder = FIGURES if base == ROOT else base / "figures"
    return _outside_corpora(folder, corpus)


def rendered_dir(corpus: Path | None = None) -> Path:
    """Where the HTML of ``corpus`` goes; :class:`UnsafeOutput` if that is in a corpus."""
    base = output_dir(corpus)
    folder = RENDERED if base == ROOT else base / "rendered"
    return _outside_corpora(folder, corpus)


def _outside_corpora(folder: Path, corpus: Path | None) -> Path:
    """``folder`` unchanged, once checked not to be or lie in the corpus or a read-only corpus (files are
    written into it, the folder itself is never replaced, so holding a corpus is allowed)."""
    check_output(folder, corpus_dir() if corpus is None else corpus, around=False)
    return folder


def export_dir(corpus: Path | None = None) -> Path:
    base = output_dir(corpus)
    return ROOT / "export" if base == ROOT and IN_CHECKOUT else base / "export"


def data_file(name: str) -> Path:
    """A data file shipped in the package's ``data/`` folder; fails with the folder's contents if missing."""
    path = DATA / name
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in DATA.iterdir()))
        raise FileNotFoundError(f"no data file {name!r} in {DATA} (have: {known})")
    return path


def is_inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or lies in it, symlinks resolved."""
    try:
        Path(path).expanduser().resolve().relative_to(Path(folder).expanduser().resolve())
        return True
    except ValueError:
        return False


#: Environment variable naming more folders never written into (separated by ``os.pathsep``): corpora of your own.
ENV_READ_ONLY = "ZHENGYAN_READ_ONLY"


def read_only() -> tuple[Path, ...]:
    """Folders nothing is ever written into: the seeds, the shipped corpora, the package and those of ``$ZHENGYAN_READ_ONLY``
    (and always the corpus being read)."""
    extra = [Path(p) for p in os.environ.get(ENV_READ_ONLY, "").split(os.pathsep) if p.strip()]
    return (SEEDS, CORPORA, PACKAGE, *extra)


class UnsafeOutput(ValueError):
    """An output folder that would write into (or replace) a corpus."""


def check_output(out: Path, corpus: Path | None = None, *, around: bool = True) -> Path:
    """``out`` resolved, or :class:`UnsafeOutput` when writing there could touch a corpus.

    Refused: ``out`` equal to ``corpus``, inside it or containing it (an export replaces its whole
    folder), and ``out`` inside, equal to or containing ``seeds/``, ``corpora/`` or the news
    transcripts. Symlinks are resolved first, so a link cannot smuggle a corpus in. ``around=False``
    allows an ``out`` that contains a corpus (for a folder that files are written into, never replaced).
    """
    target = Path(out).expanduser().resolve()
    guarded = [(Path(corpus), "the corpus folder")] if corpus is not None else []
    guarded += [(folder, "a read-only corpus folder") for folder in read_only()]
    for folder, what in guarded:
        folder = Path(folder).expanduser().resolve()
        if target == folder:
            raise UnsafeOutput(f"refusing to write into {what}: {out} is {folder}")
        if is_inside(target, folder):
            raise UnsafeOutput(f"refusing to write into {what}: {out} is inside {folder}")
        if around and is_inside(folder, target):
            raise UnsafeOutput(f"refusing to write into {what}: {out} contains {folder}")
    return target
