"""``python -m analysis export``: the corpus's tidy tables as UTF-8 files a spreadsheet can open."""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
from isal import igzip
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import cooccurrence, frequency, paths, pipeline, reading, slogans, themes, trends, years
from .cache import file_sha256, parquet_encodings
from .corpus import Corpus, load_corpus

#: Columns of documents.csv, in order (metadata columns a corpus adds come after them).
DOCUMENT_EXPORT = ("doc_id", "title", "year", "year_source", "year_evidence", "year_inferred", "year_inferred_confidence",
                   "year_inferred_evidence", "encoding", "n_chars", "n_raw_chars", "n_tokens",
                   "n_paragraphs", "n_sentences", "warnings")
#: Written last: what the export holds, with row counts and checksums. Its presence marks a finished export.
MANIFEST = "manifest.json"
#: A table with more rows than this is written gzip-compressed (``name.csv.gz``); the manifest names the file.
LARGE_ROWS = 200_000
#: Above this many tokens only tokens.parquet is written (a CSV of them would dwarf the rest); the manifest says so.
TOKENS_CSV_MAX = 2_000_000
#: keyness.csv keeps, per document, the terms whose keyness is significant at this level.
KEYNESS_P = 0.05
#: The first character that makes a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_PARTIAL = ".partial-"
_OLD = ".old-"
_LOCK = ".lock"


class ExportError(Exception):
    """The export cannot start or finish (bad, busy or full output folder); the message is one line for the user."""


class OutputFull(ExportError, OSError):
    """No space left on the output's device; the message names the folder and the space needed."""

    def __init__(self, message: str):
        OSError.__init__(self, errno.ENOSPC, message)

    def __str__(self) -> str:
        return self.strerror


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every text cell that a spreadsheet would run as a formula prefixed by ``'``.

    A cell starting with ``= + - @``, a tab or a carriage return is read by Excel, LibreOffice and
    Google Sheets as a formula (OWASP, "CSV injection"); the quote makes it plain text. Numeric
    columns are left alone, and so is a text cell that is a plain number ("-3", "+1.5"), so numbers
    stay numbers.
    """
    out = table.copy(deep=False)  # columns are replaced, never changed in place: no copy of the data
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if isinstance(series.dtype, pd.CategoricalDtype):  # each distinct value once
            out[column] = series.cat.rename_categories(_neutralised(pd.Series(series.cat.categories)).to_numpy())
        else:
            out[column] = _neutralised(series)
    out.columns = safe_names(out.columns)  # a header cell is a cell too
    return out


def safe_names(names) -> list:
    """``names`` (column names, doc_ids) with each that starts like a formula prefixed by ``'`` (as
    :func:`neutralise_formulas` does to cells); other names, and names that are not text, unchanged."""
    names = list(names)
    text = pd.Series([n if isinstance(n, str) else "" for n in names], dtype=object)
    safe = _neutralised(text)
    return [s if isinstance(n, str) else n for n, s in zip(names, safe)]


def _neutralised(series: pd.Series) -> pd.Series:
    """The text cells of ``series`` that start like a formula (and are not plain numbers), quoted."""
    text = series.astype("string")  # a number held as text stays a number: it is no formula
    risky = text.str.startswith(FORMULA_START, na=False) & ~text.str.fullmatch(_NUMBER.pattern, na=False)
    if not risky.any():
        return series
    return series.where(~risky, "'" + text)


def corpus_fingerprint(folder: Path, *, recursive: bool = False) -> dict:
    """A checksum of the corpus as read: names and bytes of its ``.txt`` files and ``metadata.csv``."""
    folder = Path(folder)
    files = sorted(folder.rglob("*.txt") if recursive else folder.glob("*.txt"))
    if (folder / "metadata.csv").is_file():
        files.append(folder / "metadata.csv")
    digest = hashlib.sha256()
    for path in files:
        try:
            content = file_sha256(path)
        except OSError:
            content = "unreadable"
        digest.update(f"{path.relative_to(folder).as_posix()}\0{content}\n".encode("utf-8"))
    return {"path": str(folder.resolve()), "fingerprint": "sha256:" + digest.hexdigest(), "files": len(files)}


def inputs_signature(corpus_print: dict, *, recursive: bool) -> str:
    """What an export's content depends on: the corpus's files (:func:`corpus_fingerprint`), the
    package's code and data files, the segmenter and theme dictionary chosen, and the versions of
    the libraries that cut and count. Two exports with the same signature hold the same tables."""
    from importlib.metadata import PackageNotFoundError, version

    from . import segment

    h = hashlib.sha256()
    h.update(json.dumps([corpus_print["path"], corpus_print["fingerprint"], recursive,
                         segment.segmenter_name(), paths.theme_dictionary()]).encode())
    package = Path(__file__).parent
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.j2"), *paths.DATA.rglob("*")]):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(f"{path.relative_to(package.parent).as_posix()}\0{file_sha256(path)}\n".encode())
    for name in ("jieba", "rjieba", "pandas", "numpy", "scipy", "pyarrow", "OpenCC",
                 "ahocorasick_rs", "isal", "regex"):
        try:
            h.update(f"{name} {version(name)}\n".encode())
        except PackageNotFoundError:
            h.update(f"{name} -\n".encode())
    return "sha256:" + h.hexdigest()


def up_to_date(target: Path, signature: str) -> bool:
    """True when ``target`` holds a finished export made from the same inputs, every file it lists
    present with its recorded size and checksum (a file edited or removed since makes it stale)."""
    try:
        manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or manifest.get("inputs") != signature:
        return False
    listed = manifest.get("files")
    if not isinstance(listed, list):
        return False
    names = set()
    for entry in listed:
        try:
            path = target / entry["name"]
            if path.stat().st_size != entry["bytes"] or file_sha256(path) != entry["sha256"]:
                return False
            names.add(entry["name"])
        except (OSError, KeyError, TypeError):
            return False
    present = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()} - {MANIFEST}
    return present == names


def _package_version() -> dict:
    version = {"name": "analysis", "commit": None}
    try:
        result = subprocess.run(["git", "-C", str(paths.ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10)
        if result.returncode == 0:
            version["commit"] = result.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return version


def export_tables(c: Corpus, themes_dictionary: str = "party") -> dict[str, pd.DataFrame]:
    """Every table the export writes, by file name (keyness.csv: significant terms only, see :data:`KEYNESS_P`)."""
    return {name: table.frame() if isinstance(table, Blocks) else table
            for name, table in _tables(c, themes_dictionary, {})}


def _tables(c: Corpus, themes_dictionary: str, left_out: dict):
    """``(file name, table)`` of each table in turn (so each can be written while the next is computed).

    Dating, formula matching and discovery go per document (in worker processes on a large corpus);
    they start first, on a side thread that mostly waits for those workers, while this thread
    computes and writes keyness, which needs no year. The large tables follow one another so that
    no two of them (nor their temporaries) are held at once: trends, then terms."""
    with ThreadPoolExecutor(max_workers=1) as side:
        dated = side.submit(years.with_years, c.documents)
        mentioned = side.submit(slogans.mentions, c)
        discovered = side.submit(slogans.discover, c)
        yield "keyness.csv", _keyness(c, c.documents, left_out)  # written here, block by block
        docs = dated.result().drop(columns=["text", "raw"])  # the texts are in c.documents once
        front = [col for col in DOCUMENT_EXPORT if col in docs.columns]
        rest = [col for col in docs.columns if col not in front and col not in ("text", "raw")]
        yield "documents.csv", docs[front + rest]
        found = mentioned.result()
        yield "slogan_mentions.csv", found
        yield "slogans.csv", slogans.slogan_counts(found)[["doc_id", "slogan", "n"]]
        yield "trends.csv", _trends(c, docs, found)  # while discovery goes on
        yield "terms.csv", frequency.document_terms(c.tokens, c.documents, filler=False)  # doc_id, n desc, term
        yield "cooccurrence.csv", pd.concat([cooccurrence.cooccurrence(c, found, context=ctx)
                                             for ctx in ("document", "paragraph", "sentence")], ignore_index=True)
        yield "themes.csv", themes.theme_shares(themes.theme_mentions(c, themes_dictionary), docs)[
            ["year", "theme", "n", "share", "n_docs", "per_10k", "single_doc"]]
        yield "formulas.csv", _formulas(c, found, left_out, discovered.result())
        yield "cleaning.csv", c.audit
        yield "problems.csv", c.problems


#: In a corpus of more than this many documents, formulas.csv counts by document only the discovered
#: candidates found in two documents or more.
FORMULA_SMALL_CORPUS = 20
#: formulas.csv counts by document at most this many discovered candidates, the best by discovery's score.
FORMULA_CANDIDATES = 1000


def _formulas(c: Corpus, found: pd.DataFrame, left_out: dict, candidates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Lexicon formulas and discovered candidates by document. In a corpus larger than
    :data:`FORMULA_SMALL_CORPUS` documents, candidates of a single document are left out: they are
    mostly phrases quoted once, and counted in every text that uses the words they would swamp the
    table (1.2 million rows for a 100 MB corpus)."""
    candidates = slogans.discover(c) if candidates is None else candidates
    min_docs = 2 if len(c.documents) > FORMULA_SMALL_CORPUS else 1
    new = candidates[~candidates["in_lexicon"].astype(bool)]
    kept = new[new["n_docs"] >= min_docs].head(FORMULA_CANDIDATES)  # discover ranks by score
    reasons = []
    if (new["n_docs"] < min_docs).any():
        reasons.append(f"{int((new['n_docs'] < min_docs).sum())} found in only one document of {len(c.documents)}")
    if len(kept) < int((new["n_docs"] >= min_docs).sum()):
        reasons.append(f"{int((new['n_docs'] >= min_docs).sum()) - len(kept)} beyond the {FORMULA_CANDIDATES} "
                       f"best by score")
    if reasons:
        left_out["formulas.csv"] = (f"{len(new) - len(kept)} of {len(new)} discovered candidates not counted by "
                                    f"document ({'; '.join(reasons)}); slogans.discover lists them all")
    return slogans.discovered_by_document(c, found=found, candidates=pd.concat([candidates[candidates["in_lexicon"]
                                                                                          .astype(bool)], kept]))


KEYNESS_COLUMNS = ("doc_id", "term", "n_target", "n_reference", "g2", "p", "log_ratio", "per_10k_target",
                   "per_10k_reference")


def _keyness(c: Corpus, docs: pd.DataFrame, left_out: dict) -> pd.DataFrame | Blocks:
    """Each document against the rest, significant terms only, in blocks (written as they are computed);
    what is dropped is counted in ``left_out``."""
    if len(docs) < 2:
        left_out["keyness.csv"] = "empty: keyness compares a document with the rest, and the corpus has one document"
        return pd.DataFrame(columns=list(KEYNESS_COLUMNS))
    counts: dict = {}

    def finish(table: Blocks) -> None:
        if table.rows < counts["rows"]:
            left_out["keyness.csv"] = (f"{counts['rows'] - table.rows} of {counts['rows']} rows left out: terms "
                                       f"whose keyness in a document is not significant (p >= {KEYNESS_P})")

    return Blocks(frequency.keyness_blocks(c.tokens, docs, min_freq=2, max_p=KEYNESS_P, categories=True,
                                           counts=counts), pd.DataFrame(columns=list(KEYNESS_COLUMNS)), finish)


TREND_COLUMNS = ("term", "kind", "rho", "slope", "p", "first_year", "last_year", "peak_year", "change_year", "direction",
                 "change_g2", "log_ratio", "n")


def _trends(c: Corpus, docs: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """Trends of terms and of slogans (``kind``), or an empty table when fewer than three years have documents."""
    if docs["year"].dropna().nunique() < 3:
        print(f"note: trends.csv is empty: {docs['year'].dropna().nunique()} distinct years (a trend needs three)",
              file=sys.stderr)
        return pd.DataFrame(columns=list(TREND_COLUMNS))
    tokens = trends.trends(*trends.yearly_counts(c.tokens, docs)).assign(kind="term")
    formulas = trends.trends(*trends.mention_counts(found, docs)).assign(kind="slogan")
    return pd.concat([formulas, tokens], ignore_index=True)[list(TREND_COLUMNS)]


def listed_files(manifest: Path) -> set[str] | None:
    """The file names (relative, ``/``-separated) a manifest lists, or None when ``manifest`` is not
    one (missing, unreadable, or not a JSON object with a ``files`` list of ``{"name": …}``)."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        names = {entry["name"] for entry in data["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return names if all(isinstance(name, str) for name in names) else None


def owned_folder(folder: Path, manifest: str = MANIFEST, known: set[str] | None = None,
                 folders: tuple[str, ...] = ("texts",)) -> bool:
    """True when ``folder`` may be replaced whole: it is empty, or every file in it is its manifest
    or a file that manifest lists (``known`` names stand in for a folder written before manifests).

    Judged by the names the manifest lists, not by their look: ``thesis.csv`` or ``texts/draft.txt``
    that the manifest does not list make the folder the user's. Sub-folders count only as the folders
    of listed files (or ``folders``, e.g. an empty ``texts/``); links are files, never followed.
    The walk stops at the first file that is not listed, so a large home folder costs little."""
    listed = listed_files(folder / manifest)
    if listed is None:
        listed = known
    allowed = set(folders) | {manifest}
    if listed is not None:
        allowed |= listed
        allowed |= {"/".join(name.split("/")[:i]) for name in listed for i in range(1, name.count("/") + 1)}

    def walk(path: Path, prefix: str) -> bool:
        try:
            entries = list(os.scandir(path))
        except OSError:
            return False
        for entry in entries:
            name = prefix + entry.name
            if name not in allowed:
                return False
            if entry.is_dir(follow_symlinks=False):
                if not walk(Path(entry.path), name + "/"):
                    return False
            elif listed is None or name not in listed and name != manifest:
                return False
        return True

    try:
        empty = next(os.scandir(folder), None) is None
    except OSError:
        return False
    return empty or walk(folder, "")


def check_out(out: Path, corpus: Path) -> Path:
    """``out`` resolved, or :class:`ExportError` (one line) when the export cannot go there.

    Refused before any work, with nothing touched: a folder that is, holds or lies in the corpus,
    ``seeds/`` or ``corpora/`` (see :func:`paths.check_output`); a path that is a file; a folder
    that is not empty and holds any file its export manifest does not list (an export replaces its
    whole folder: a home folder, ``/``, a folder of the user's files are never replaced); a mount
    point (it cannot be renamed); a parent that cannot be written to.
    """
    try:
        target = paths.check_output(out, corpus)
    except paths.UnsafeOutput as exc:
        raise ExportError(str(exc)) from None
    return check_replaceable(target, out, "an export")


def check_replaceable(target: Path, out: Path, what: str, *, manifest: str = MANIFEST,
                      known: set[str] | None = None) -> Path:
    """``target`` when ``what`` may write it and replace it whole (see :func:`check_out`), else :class:`ExportError`."""
    longest = len(os.fsencode(f".{target.name}{_PARTIAL}")) + 10  # the hidden working folder's name, pid included
    if longest > NAME_MAX:
        raise ExportError(f"output folder name too long: {len(os.fsencode(target.name))} bytes, at most "
                          f"{NAME_MAX - longest + len(os.fsencode(target.name))} (its hidden working folder "
                          f"beside it needs the rest of the {NAME_MAX})")
    try:
        return _check_replaceable(target, out, what, manifest=manifest, known=known)
    except OSError as exc:  # a path the system refuses (too long in all, a loop of links …)
        raise ExportError(f"cannot use {out} as an output folder: {exc.strerror}") from None


#: The longest file name most file systems take, in bytes.
NAME_MAX = 255


def _check_replaceable(target: Path, out: Path, what: str, *, manifest: str, known: set[str] | None) -> Path:
    if target.exists() and not target.is_dir():
        raise ExportError(f"output path is a file, not a folder: {out}")
    try:
        home = Path.home().resolve()
    except (RuntimeError, KeyError, OSError):  # no home folder known
        home = None
    if target.is_dir():
        if target == home or target.parent == target:
            raise ExportError(f"refusing to replace {out}: {what} replaces its whole folder, and {target} is "
                              f"{'your home folder' if target.parent != target else 'the root folder'}; "
                              f"choose a new or empty folder")
        if os.path.ismount(target):
            raise ExportError(f"output folder {out} is a mount point, which {what} cannot replace; choose a "
                              f"folder inside it")
        if not owned_folder(target, manifest, known):
            raise ExportError(f"output folder {out} holds files {what} did not write; {what} replaces its whole "
                              f"folder, so choose a new or empty folder")
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ExportError(f"cannot create {out}: {parent} is a file")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write into {parent}: permission denied")
    return target


# ----- one writer at a time, and a swap that survives a kill --------------------------------------
@contextmanager
def output_lock(target: Path, what: str = "export"):
    """Hold ``.<name>.lock`` beside ``target`` for the block, or :class:`ExportError` naming the process that holds it.

    A POSIX record lock (``lockf``): the system releases it when its process dies however it dies,
    so the lock of a killed run is simply taken over; forked workers do not inherit it. The file
    holds the holder's process id, for the message, and is removed when the block ends."""
    lock = target.parent / f".{target.name}{_LOCK}"
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            for _ in range(50):  # the holder writes its id just after it takes the lock
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                if holder:
                    break
                time.sleep(0.02)
            os.close(fd)
            holder = holder or "unknown"
            raise ExportError(f"{target} is being written by another {what} (process {holder}); wait for it to "
                              f"finish, or stop that process") from None
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino  # not a file the previous holder just removed
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield lock
    finally:
        try:
            os.unlink(lock)
        except OSError:
            pass
        os.close(fd)


def _siblings(target: Path, marker: str) -> list[tuple[Path, str]]:
    """``(path, suffix)`` of the hidden folders ``.<name><marker><suffix>`` beside ``target``."""
    prefix = f".{target.name}{marker}"
    try:
        return [(Path(e.path), e.name[len(prefix):]) for e in os.scandir(target.parent) if e.name.startswith(prefix)]
    except OSError:
        return []


def recover(target: Path, manifest: str = MANIFEST) -> None:
    """Finish or undo a swap that a kill interrupted, then remove every partial folder (call with the lock held).

    A swap renames the old folder to ``.<name>.old-PID`` and the new one from ``.<name>.partial-PID``
    to ``<name>``. Killed between the two, ``target`` is missing: the new folder is moved in when it
    is complete (its manifest is written last), else the old one is put back. With the lock held no
    other run is writing, so every partial folder left is a dead run's, whatever its process id."""
    for old, pid in _siblings(target, _OLD):
        if not target.exists():
            partial = target.parent / f".{target.name}{_PARTIAL}{pid}"
            if (partial / manifest).is_file():
                partial.rename(target)  # the new version was complete: finish the swap
            else:
                old.rename(target)  # put the old version back
                continue
        shutil.rmtree(old, ignore_errors=True)
    for partial, _ in _siblings(target, _PARTIAL):
        shutil.rmtree(partial, ignore_errors=True)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap the names of ``a`` and ``b`` in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``);
    False where the system or the file system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(partial: Path, target: Path) -> None:
    """Put the finished folder ``partial`` in place of ``target``; the old version goes only once the new one is in.

    The new folder takes the old one's permissions (a folder made 0700 stays 0700). Where the
    system can, the two are exchanged in one step, so ``target`` always names a complete version;
    elsewhere the old one is renamed aside first, and :func:`recover` finishes the swap after a kill."""
    if target.exists():
        os.chmod(partial, stat.S_IMODE(target.stat().st_mode))
        if _exchange(partial, target):
            shutil.rmtree(partial, ignore_errors=True)  # now the old version
            return
        old = target.parent / f".{target.name}{_OLD}{partial.name.rsplit('-', 1)[1]}"
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        try:
            partial.rename(target)
        except OSError:
            old.rename(target)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        partial.rename(target)


def no_space(exc: BaseException) -> bool:
    """True for an error that says the disk (or the quota) is full, whoever raised it (Python, pandas, Arrow)."""
    return isinstance(exc, OSError) and (exc.errno in (errno.ENOSPC, errno.EDQUOT)
                                         or "No space left on device" in str(exc))


def folder_bytes(folder: Path) -> int:
    """Bytes of the files under ``folder`` (0 when it is missing)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


#: Bytes of export per byte of corpus text, for the space a full disk is told to free: 30 MB for the 4.2 MB of
#: corpora/prc_reports (a small corpus gives more, a corpus of over 2 million tokens less: no tokens.csv.gz).
EXPORT_RATIO = 8


def disk_full(target: Path, written: int, what: str, exc: OSError, estimate: float = 0) -> OutputFull:
    """The one-line error for a full disk: where, roughly how much space is needed, how much is free.

    The need is the largest of what the earlier version takes, what had been written when the disk
    filled (each with a margin of a fifth) and ``estimate``, the caller's guess from the input's size."""
    previous = folder_bytes(target) if target.is_dir() else 0
    need = max(written * 1.2, previous * 1.2, estimate) + 1e6
    try:
        free = shutil.disk_usage(target.parent).free
    except OSError:
        free = 0
    where = Path(exc.filename).parent if getattr(exc, "filename", None) else target.parent
    kept = (f"the earlier version in {target} is unchanged" if previous else f"nothing was written to {target}")
    return OutputFull(f"No space left on device writing {what} ({where}): about {need / 1e6:,.0f} MB needed, "
                      f"{free / 1e6:,.0f} MB free on that disk; {kept}")


#: A large table goes to the CSV writer this many rows at a time.
WRITE_ROWS = 250_000
#: Rows of a row group of tokens.parquet.
TOKEN_ROW_GROUP = 1024 * 1024
#: gzip level of large tables (ISA-L's levels, 0-3): at 1 it compresses this CSV better than zlib at 1, at
#: about three times the speed; any gzip reader opens the files.
GZIP_LEVEL = 1


def _write_csv(table: pd.DataFrame, folder: Path, name: str) -> str:
    """Write ``table`` as ``name`` (or ``name.gz`` when large), formulas neutralised; return the file name.

    A large table is written by Arrow's CSV writer (text cells always in double quotes, booleans as
    True/False as in the small tables; any CSV reader gives the same values) into gzip at
    :data:`GZIP_LEVEL` (ISA-L's gzip), with no timestamp in the gzip header so that the same table gives the same bytes."""
    if len(table) <= LARGE_ROWS:
        neutralise_formulas(table).to_csv(folder / name, index=False, encoding="utf-8", lineterminator="\n")
        return name
    return _write_gzip([table], folder, name)


class Blocks:
    """A table given as consecutive blocks (DataFrames with the same columns), written as they come
    so that the whole table is never held; ``rows`` counts the rows written."""

    def __init__(self, blocks, empty: pd.DataFrame, finish=None):
        self.blocks, self.empty, self.rows, self.finish = blocks, empty, 0, finish

    def frame(self) -> pd.DataFrame:
        """The whole table (for :func:`export_tables`)."""
        parts = list(self.blocks)
        self.rows = sum(map(len, parts))
        table = pd.concat(parts, ignore_index=True) if parts else self.empty
        if self.finish is not None:
            self.finish(self)
        return table


def _write_blocks(table: Blocks, folder: Path, name: str) -> str:
    """:func:`_write_csv` for a table in blocks: the same file, block by block."""
    blocks, head = iter(table.blocks), []
    for block in blocks:  # a small table is written as one, like any other
        head.append(block)
        table.rows += len(block)
        if table.rows > LARGE_ROWS:
            break
    else:
        return _write_csv(pd.concat(head, ignore_index=True) if head else table.empty, folder, name)

    def counted():
        yield from head
        for block in blocks:
            table.rows += len(block)
            yield block

    return _write_gzip(counted(), folder, name)


def _write_gzip(tables, folder: Path, name: str) -> str:
    """The tables of ``tables``, one after another, as one CSV in ``name.gz`` (see :func:`_write_csv`).

    Each slice of :data:`WRITE_ROWS` rows becomes CSV and a gzip member on one of
    :data:`WRITE_THREADS` threads (Arrow's CSV writer and ISA-L release the interpreter); the members
    are written in order, and any gzip reader reads them as one stream."""
    name += ".gz"
    neutralised: dict[int, tuple] = {}  # a categorical column's categories, neutralised once for all blocks
    schema, header = None, True
    with open(folder / name, "wb") as fh, ThreadPoolExecutor(WRITE_THREADS) as pool:
        pending: deque = deque()
        for table in tables:
            columns = _csv_columns(table, neutralised)  # Series side by side: never copied into one frame
            if schema is None:  # the types from the whole first table (a slice of missing values has none)
                schema = pa.schema([pa.Schema.from_pandas(series.to_frame(name), preserve_index=False).field(0)
                                    for name, series in columns.items()])
            for start in range(0, len(table), WRITE_ROWS):  # a slice at a time: no Arrow copy of the whole table
                part = pa.Table.from_arrays([pa.Array.from_pandas(series.iloc[start:start + WRITE_ROWS], type=field.type)
                                             for series, field in zip(columns.values(), schema)], schema=schema)
                pending.append(pool.submit(_gzip_member, part, header))
                header = False
                while len(pending) > WRITE_THREADS:  # at most one slice a thread in memory
                    fh.write(pending.popleft().result())
            del columns
        while pending:
            fh.write(pending.popleft().result())
        if header:  # no rows: the header alone (no columns: an empty gzip stream)
            fh.write(_gzip_member(schema.empty_table(), True) if schema is not None
                     else igzip.compress(b"", compresslevel=GZIP_LEVEL, mtime=0))
    return name


#: Threads that turn slices of a large table into gzip members at once.
WRITE_THREADS = 2


def _gzip_member(part: pa.Table, header: bool) -> bytes:
    out = pa.BufferOutputStream()
    pacsv.write_csv(part, out, write_options=pacsv.WriteOptions(include_header=header))
    return igzip.compress(out.getvalue(), compresslevel=GZIP_LEVEL, mtime=0)


def _csv_columns(table: pd.DataFrame, neutralised: dict) -> dict[str, pd.Series]:
    """``table``'s columns as the CSV writer takes them, copied only where they change: formulas
    neutralised (categories once per set of categories), booleans as True/False."""
    columns = {}
    for column in table.columns:
        series = table[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            key = id(series.cat.categories)
            if key not in neutralised:
                safe = _neutralised(pd.Series(series.cat.categories))
                changed = not safe.equals(pd.Series(series.cat.categories))
                neutralised[key] = (series.cat.categories, safe.to_numpy() if changed else None)
            if neutralised[key][1] is not None:
                series = series.cat.rename_categories(neutralised[key][1])
        elif pd.api.types.is_bool_dtype(series):
            series = series.map({True: "True", False: "False"}).astype(object)
        elif not pd.api.types.is_numeric_dtype(series):
            series = _neutralised(series)
        columns[safe_names([str(column)])[0]] = series  # a categorical goes to Arrow as a dictionary column: its values
    return columns


def export(corpus: Path | str = paths.SEEDS, out: Path | str | None = None, *, jobs: int | None = None,
           scheduler: str | None = None, recursive: bool = False, force: bool = False) -> int:
    """Write the export of ``corpus`` into ``out``; return the exit status (0, or 2 for a bad corpus or output).

    Files: documents.csv, texts/<doc_id>.txt (clean text), terms.csv (n, per_10k, tfidf),
    keyness.csv (each document against the rest, significant terms only), slogans.csv,
    slogan_mentions.csv, formulas.csv (lexicon slogans and discovered candidates), cooccurrence.csv,
    themes.csv, trends.csv, cleaning.csv (the audit), problems.csv, tokens.parquet and tokens.csv.gz
    (up to :data:`TOKENS_CSV_MAX` tokens), and manifest.json last (files, row counts, sha256 checksums, the corpus's path and fingerprint,
    what was left out). A table longer than :data:`LARGE_ROWS` rows is written as ``.csv.gz``.

    The export is atomic: it is written into a hidden folder beside ``out`` (so the final rename
    stays on one device) and swapped into place at the end, replacing an earlier export whole; a
    kill at any moment leaves ``out`` holding one complete version (:func:`swap_in`,
    :func:`recover`). It only replaces a folder its manifest says it wrote, or an empty one
    (:func:`check_out`). One export at a time writes into a folder (:func:`output_lock`; another
    returns 2 naming the process that holds it). Unreadable files are listed in problems.csv and
    on stderr; the export goes on without them. Nothing is written under the corpus folder, and the
    output folder is checked before the corpus is read. A full disk raises :class:`OutputFull`
    (one line: the folder, the space needed) with the earlier export left as it was.

    An export that is already up to date (same corpus files, code, lexicons and options:
    :func:`inputs_signature`; every file as the manifest lists it) is left as it is, unless ``force``.
    """
    if str(corpus).strip() == "":
        print("error: the corpus folder is an empty string", file=sys.stderr)
        return 2
    corpus = Path(corpus).expanduser()
    if not corpus.is_dir():
        print(f"error: corpus folder not found: {corpus}", file=sys.stderr)
        return 2
    out = paths.export_dir(corpus) if out is None else Path(out).expanduser()
    try:
        target = check_out(out, corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        with output_lock(target):
            recover(target)  # a swap a kill interrupted, partial folders of dead runs
            check_out(out, corpus)  # as it is now that the swap is finished
            return _export_locked(corpus, target, jobs=jobs, scheduler=scheduler, recursive=recursive, force=force)
    except OutputFull:
        raise
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if no_space(exc):  # making the parent or the lock file
            raise disk_full(target, 0, "the export", exc) from None
        raise


def _export_locked(corpus: Path, target: Path, *, jobs, scheduler, recursive: bool, force: bool) -> int:
    corpus_print = corpus_fingerprint(corpus, recursive=recursive)
    signature = inputs_signature(corpus_print, recursive=recursive)
    if not force and up_to_date(target, signature):
        print(f"export up to date: {target} (same corpus, code and lexicons; --force writes it again)",
              file=sys.stderr)
        return 0
    files = corpus.rglob("*.txt") if recursive else corpus.glob("*.txt")
    text_bytes = sum(p.stat().st_size for p in files if p.is_file())
    if text_bytes >= pipeline.PARALLEL_CHARS:
        pipeline.start_workers()  # the analyses will go to workers: fork them before the corpus is loaded
    partial = target.parent / f".{target.name}{_PARTIAL}{os.getpid()}"
    try:
        try:
            c = load_corpus(corpus, jobs=jobs, scheduler=scheduler, recursive=recursive, wait_for_cache=False)
        except reading.CorpusError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        reading.report([reading.Problem(*row) for row in c.problems.itertuples(index=False)])
        partial.mkdir()
        _write_export(c, corpus, partial, recursive=recursive, corpus_print=corpus_print, signature=signature)
        _replace(partial, target)
    except BaseException as exc:
        written = folder_bytes(partial)
        shutil.rmtree(partial, ignore_errors=True)
        if no_space(exc):
            raise disk_full(target, written, "the export", exc, text_bytes * EXPORT_RATIO) from None
        if isinstance(exc, OSError) and exc.errno in (errno.EXDEV, errno.EBUSY):
            raise ExportError(f"cannot move the new export into {target}: {exc.strerror} (a mount point or a "
                              f"folder in use? choose a folder inside it); the earlier export is unchanged") from None
        raise
    if c.documents.empty:
        print(f"error: no readable documents in {corpus}: only problems.csv and empty tables written to {target}",
              file=sys.stderr)
    else:
        print(f"exported {len(c.documents)} documents ({len(c.problems)} problems) to {target}", file=sys.stderr)
    return 0


def _replace(partial: Path, target: Path) -> None:
    """Move the finished export into place (:func:`swap_in`)."""
    swap_in(partial, target)


def _write_tokens(tokens: pd.DataFrame, folder: Path) -> str:
    """tokens.parquet: ``doc_id``, ``term`` and ``kind`` as dictionary columns (categoricals when read back),
    zstd-compressed, whole numbers delta-coded (:func:`analysis.cache.parquet_encodings`).

    Written a row group at a time (:data:`TOKEN_ROW_GROUP` rows, Arrow's default size), so only one
    row group is ever copied into Arrow."""
    schema = pa.Schema.from_pandas(tokens, preserve_index=False)
    # statistics (min and max per row group, for readers that skip row groups) for every column but the
    # words: computed over a dictionary of strings they cost half of the whole write
    statistics = [name for name in schema.names if name not in ("term", "kind")]
    with pq.ParquetWriter(folder / "tokens.parquet", schema, write_statistics=statistics, compression="zstd",
                          **parquet_encodings(schema)) as writer:
        for start in range(0, max(len(tokens), 1), TOKEN_ROW_GROUP):
            writer.write_table(pa.Table.from_pandas(tokens.iloc[start:start + TOKEN_ROW_GROUP], schema=schema,
                                                    preserve_index=False), row_group_size=TOKEN_ROW_GROUP)
    return "tokens.parquet"


def _write_tokens_csv(tokens: pd.DataFrame, folder: Path) -> str:
    name = _write_csv(tokens, folder, "tokens.csv")
    if name != "tokens.csv.gz":  # a small corpus: still one compressed file, as documented
        path = folder / name
        with open(path, "rb") as src, igzip.IGzipFile(folder / "tokens.csv.gz", "wb", compresslevel=GZIP_LEVEL,
                                                      mtime=0) as dst:
            shutil.copyfileobj(src, dst)
        path.unlink()
    return "tokens.csv.gz"


def _write_texts(documents: pd.DataFrame, folder: Path) -> None:
    """texts/<doc_id>.txt: each document's clean text, named with the doc_id as the tables spell it
    (a doc_id that starts like a formula is prefixed by ``'`` there and here: :func:`safe_names`)."""
    for doc_id, text in zip(safe_names(documents["doc_id"].astype(str).tolist()), documents["text"]):  # a text at a time
        path = folder / "texts" / f"{doc_id}.txt"
        if "/" in doc_id:  # a document of a subfolder (a recursive corpus)
            path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")


def _released(write, *args) -> str:
    """``write(*args)``, then the memory its buffers held handed back to the system."""
    name = write(*args)
    pipeline.release_memory()
    return name


def _write_export(c: Corpus, corpus: Path, folder: Path, *, recursive: bool, corpus_print: dict | None = None,
                  signature: str | None = None) -> None:
    files: list[dict] = []
    left_out: dict[str, str] = {}
    rows: dict[str, int] = {}
    (folder / "texts").mkdir()
    for doc_id in safe_names(c.documents["doc_id"].astype(str).tolist()):
        rows[f"texts/{doc_id}.txt"] = None  # written first, by the writer thread
    if c.documents.empty:
        tables = {
            "documents.csv": pd.DataFrame(columns=list(DOCUMENT_EXPORT)),
            "cleaning.csv": c.audit,
            "problems.csv": c.problems,
        }
        left_out["*"] = "no readable documents: only documents.csv (empty), cleaning.csv and problems.csv written"
    else:
        tables = _tables(c, paths.theme_dictionary(), left_out)
    tables = tables.items() if isinstance(tables, dict) else tables
    # each table is written by a second thread while the next is computed (compression and Arrow's
    # writer release the interpreter, so the two overlap on two cores)
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending = [(writer.submit(_write_texts, c.documents, folder), None)]
        if not c.documents.empty:  # the tokens first: they need no analysis
            pending.append((writer.submit(_released, _write_tokens, c.tokens, folder), len(c.tokens)))
            if len(c.tokens) <= TOKENS_CSV_MAX:
                pending.append((writer.submit(_released, _write_tokens_csv, c.tokens, folder), len(c.tokens)))
            else:
                left_out["tokens.csv.gz"] = (f"not written: {len(c.tokens):,} tokens (more than {TOKENS_CSV_MAX:,}); "
                                             f"tokens.parquet holds them all")
        for name, table in tables:
            if isinstance(table, Blocks):  # computed and written here, a block at a time
                done = Future()
                done.set_result(_write_blocks(table, folder, name))
                pending.append((done, table.rows))  # listed in the manifest in the order of the tables
                if table.finish is not None:
                    table.finish(table)
            else:
                pending.append((writer.submit(_released, _write_csv, table, folder, name), len(table)))
            del table
            pipeline.release_memory()  # the analysis's temporaries, before the next one
        for future, n in pending:
            name = future.result()
            if name is not None:
                rows[name] = n
    for name, n in rows.items():
        path = folder / name
        files.append({"name": name, "rows": n, "bytes": path.stat().st_size, "sha256": file_sha256(path)})
    manifest = {
        "format": 1,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "package": _package_version(),
        "inputs": signature,
        "corpus": {**(corpus_print or corpus_fingerprint(corpus, recursive=recursive)), "recursive": recursive,
                   "documents": len(c.documents), "problems": len(c.problems)},
        "files": files,
        "left_out": left_out,
        "formulas_neutralised": ("text cells, header cells and doc_ids starting with = + - @ tab or CR are prefixed "
                                 "with ' (texts/ file names too); drop that one quote to get the original"),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
