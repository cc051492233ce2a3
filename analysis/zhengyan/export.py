"""``zhengyan export``: the corpus's tidy tables as UTF-8 files a spreadsheet can open."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd
import pyarrow as pa
from isal import igzip
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from zhengyan.analyses import formulas, frequency, trends
from zhengyan.core import paths
from zhengyan.core import pool
from zhengyan.core.outputs import (EXPORT_RATIO, MANIFEST, _PARTIAL, ExportError, OutputFull, check_out,  # noqa: F401
                                    disk_full, folder_bytes, no_space, output_lock, recover, swap_in)
from zhengyan.ingest import reading
from zhengyan.ingest.cache import file_sha256, parquet_encodings
from zhengyan.ingest.corpus import Corpus, load_corpus

#: Columns of documents.csv, in order (metadata columns a corpus adds come after them).
DOCUMENT_EXPORT = ("doc_id", "title", "year", "year_source", "year_evidence", "year_inferred", "year_inferred_confidence",
                   "year_inferred_evidence", "encoding", "n_chars", "n_raw_chars", "n_tokens",
                   "n_paragraphs", "n_sentences", "warnings")
#: A table with more rows than this is written gzip-compressed (``name.csv.gz``); the manifest names the file.
LARGE_ROWS = 200_000
#: Above this many tokens only tokens.parquet is written (a CSV of them would dwarf the rest); the manifest says so.
TOKENS_CSV_MAX = 2_000_000
#: keyness.csv keeps, per document, the terms whose keyness is significant at this level.
KEYNESS_P = 0.05
#: The first character that makes a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
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
    """A checksum of the corpus as read: names and bytes of the files :func:`reading.corpus_files` takes
    (its ``.txt`` files and ``metadata.csv``); nothing else is opened. Names are hashed as their bytes."""
    folder = Path(folder)
    listing = reading.corpus_files(folder, recursive=recursive)
    files = sorted(listing.files) + ([listing.metadata] if listing.metadata else [])
    digest = hashlib.sha256()
    for path in files:
        try:
            content = reading.file_sha256(path)
        except (OSError, reading.UnreadableFile):
            content = "unreadable"
        digest.update(os.fsencode(f"{path.relative_to(folder).as_posix()}\0{content}\n"))
    return {"path": reading.shown(folder.resolve()), "fingerprint": "sha256:" + digest.hexdigest(),
            "files": len(files)}


def inputs_signature(corpus_print: dict, *, recursive: bool) -> str:
    """What an export's content depends on: the corpus's files (:func:`corpus_fingerprint`), the
    package's code and data files, the segmenter and theme dictionary chosen, and the versions of
    the libraries that cut and count. Two exports with the same signature hold the same tables."""
    from importlib.metadata import PackageNotFoundError, version

    from zhengyan.ingest import segment

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
    version = {"name": "zhengyan", "commit": None}
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


class Shared:
    """What the tables of one export share: the corpus, the options, what was left out, and the per-document
    analyses (dating, formula matching, discovery) started at once on a side thread, each asked for once."""

    def __init__(self, corpus: Corpus, themes_dictionary: str, left_out: dict, side: ThreadPoolExecutor):
        self.corpus, self.themes_dictionary, self.left_out = corpus, themes_dictionary, left_out
        # they go per document (in worker processes on a large corpus), while keyness, which needs no year, is
        # computed and written here
        self._dated = side.submit(corpus.dated)
        self._mentions = side.submit(corpus.mentions)
        self._discovered = side.submit(corpus.discover)

    @property
    def documents(self) -> pd.DataFrame:
        """The dated documents, without their texts (written once, in texts/)."""
        return self._dated.result().drop(columns=["text", "raw"])

    @property
    def mentions(self) -> pd.DataFrame:
        return self._mentions.result()

    @property
    def candidates(self) -> pd.DataFrame:
        return self._discovered.result()


@dataclass(frozen=True)
class ExportTable:
    """A table of the export: its file name, what it holds (one line, in the manifest) and how it is made."""

    name: str
    about: str
    make: Callable[[Shared], "pd.DataFrame | Blocks"]


#: The tables of an export, in the order they are computed and written (the large ones one after another, so
#: no two of them, nor their temporaries, are held at once). Declaring one with :func:`table` is all it takes:
#: it is written, listed in the manifest with its rows and checksum, and checked on re-export.
TABLES: list[ExportTable] = []


def table(name: str, about: str):
    """Declare ``make(shared)`` as the export's table ``name`` (a CSV file name), written after those declared before."""
    def declare(make):
        if any(t.name == name for t in TABLES):
            raise ValueError(f"an export table {name!r} is declared already")
        TABLES.append(ExportTable(name, about, make))
        return make
    return declare


def _tables(c: Corpus, themes_dictionary: str, left_out: dict):
    """``(file name, table)`` of each declared table in turn (so each can be written while the next is computed)."""
    with ThreadPoolExecutor(max_workers=1) as side:
        shared = Shared(c, themes_dictionary, left_out, side)
        for declared in TABLES:
            yield declared.name, declared.make(shared)


@table("keyness.csv", "each document against the rest: the terms whose keyness is significant (p < 0.05)")
def _keyness_table(s: Shared):
    terms = formulas.formula_terms(s.corpus.tokens, s.mentions)  # each formula mention one term
    return _keyness(terms, s.corpus.documents, s.left_out)  # written block by block as it is computed


@table("documents.csv", "one row per document: metadata, the year used and its evidence, sizes")
def _documents_table(s: Shared) -> pd.DataFrame:
    docs = s.documents
    front = [col for col in DOCUMENT_EXPORT if col in docs.columns]
    return docs[front + [col for col in docs.columns if col not in front]]


@table("slogan_mentions.csv", "every formula mention: where it stands, the canonical formula, the form matched")
def _mentions_table(s: Shared) -> pd.DataFrame:
    return s.mentions


@table("slogans.csv", "formulas by document (doc_id, slogan, n; 'slogan' is the formula, the name of earlier releases)")
def _formula_counts_table(s: Shared) -> pd.DataFrame:
    counts = formulas.formula_counts(s.mentions, lexicon=formulas.load_lexicon())
    return counts.rename(columns={"item": "slogan"})[["doc_id", "slogan", "n"]]


@table("trends.csv", "what rises and fades: formulas and terms, with change year, shape, window and strength")
def _trends_table(s: Shared) -> pd.DataFrame:
    return _trends(s.corpus, s.corpus._year_documents().drop(columns=["text", "raw"]), s.mentions)


@table("terms.csv", "terms by document (n, per_10k, tfidf), each formula mention counted as one term")
def _terms_table(s: Shared) -> pd.DataFrame:
    return frequency.document_terms(formulas.formula_terms(s.corpus.tokens, s.mentions, filler=False),
                                    s.corpus.documents, filler=False)


@table("cooccurrence.csv", "pairs of formulas sharing a document, a paragraph or a sentence, with every association measure")
def _cooccurrence_table(s: Shared) -> pd.DataFrame:
    return pd.concat([s.corpus.cooccurrence(context=ctx) for ctx in ("document", "paragraph", "sentence")],
                     ignore_index=True)


@table("themes.csv", "each theme's share of the theme mentions by year (the years the year analyses use)")
def _themes_table(s: Shared) -> pd.DataFrame:
    return s.corpus.theme_shares(by="year", dictionary=s.themes_dictionary)[
        ["year", "theme", "n", "share", "n_docs", "per_10k", "single_doc"]]


@table("formulas.csv", "lexicon formulas and discovered candidates by document")
def _formulas_table(s: Shared) -> pd.DataFrame:
    return _formulas(s.corpus, s.mentions, s.left_out, s.candidates)


@table("cleaning.csv", "the cleaning audit: every change, with the text before and after")
def _cleaning_table(s: Shared) -> pd.DataFrame:
    return s.corpus.audit


@table("problems.csv", "files left out or needing a look, with the reason")
def _problems_table(s: Shared) -> pd.DataFrame:
    return s.corpus.problems


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
    candidates = c.discover() if candidates is None else candidates
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
                                    f"document ({'; '.join(reasons)}); corpus.discover() lists them all")
    return formulas.discovered_by_document(c, found=found, candidates=pd.concat([candidates[candidates["in_lexicon"]
                                                                                          .astype(bool)], kept]))


KEYNESS_COLUMNS = ("doc_id", "term", "n_target", "n_reference", "g2", "p", "log_ratio", "per_10k_target",
                   "per_10k_reference")


def _keyness(terms: pd.DataFrame, docs: pd.DataFrame, left_out: dict) -> pd.DataFrame | Blocks:
    """Each document against the rest, significant terms only, in blocks (written as they are computed);
    what is dropped is counted in ``left_out``. ``terms``: a tokens table, or the terms of
    :func:`zhengyan.analyses.formulas.formula_terms`."""
    if len(docs) < 2:
        left_out["keyness.csv"] = "empty: keyness compares a document with the rest, and the corpus has one document"
        return pd.DataFrame(columns=list(KEYNESS_COLUMNS))
    counts: dict = {}

    def finish(table: Blocks) -> None:
        if table.rows < counts["rows"]:
            left_out["keyness.csv"] = (f"{counts['rows'] - table.rows} of {counts['rows']} rows left out: terms "
                                       f"whose keyness in a document is not significant (p >= {KEYNESS_P})")

    return Blocks(frequency.keyness_blocks(terms, docs, min_freq=2, max_p=KEYNESS_P, categories=True,
                                           counts=counts), pd.DataFrame(columns=list(KEYNESS_COLUMNS)), finish)


TREND_COLUMNS = ("term", "kind", "rho", "slope", "p", "first_year", "last_year", "peak_year", "change_year", "direction",
                 "change_g2", "log_ratio", "n")


def _trends(c: Corpus, docs: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """Trends of terms and of slogans (``kind``), or an empty table when fewer than three years have documents.

    Beside the columns of :data:`TREND_COLUMNS`: ``shape`` (rise, fall, rise-fall, fall-rise) with its
    ``window_start``, ``window_end`` and ``window_g2``, ``strength``, ``term_kind`` (person, place,
    organisation … for the ranked terms), ``format_change`` and ``held`` (:func:`trends.holds`: the
    change is one the rising and falling lists keep)."""
    columns = list(TREND_COLUMNS) + ["shape", "window_start", "window_end", "window_g2", "strength", "term_kind",
                                     "format_change", "held"]
    if docs["year"].dropna().nunique() < 3:
        print(f"note: trends.csv is empty: {docs['year'].dropna().nunique()} distinct years (a trend needs three)",
              file=sys.stderr)
        return pd.DataFrame(columns=columns)
    tables = []
    for table, kind in ((trends.trends(*trends.mention_counts(found, docs)), "slogan"),
                        (trends.trends(*trends.yearly_counts(c.tokens, docs)), "term")):
        tables.append(table.assign(kind=kind, held=trends.holds(table) & (table["change_g2"] >= 15.13)))
    return pd.concat(tables, ignore_index=True)[columns]


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
    files = reading.corpus_files(corpus, recursive=recursive).files
    text_bytes = sum(p.stat().st_size for p in files if p.is_file())
    if text_bytes >= pool.PARALLEL_CHARS:
        pool.start_workers()  # the analyses will go to workers: fork them before the corpus is loaded
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
    zstd-compressed, whole numbers delta-coded (:func:`zhengyan.ingest.cache.parquet_encodings`).

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
    pool.release_memory()
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
            pool.release_memory()  # the analysis's temporaries, before the next one
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
        "tables": {t.name: t.about for t in TABLES},
        "left_out": left_out,
        "formulas_neutralised": ("text cells, header cells and doc_ids starting with = + - @ tab or CR are prefixed "
                                 "with ' (texts/ file names too); drop that one quote to get the original"),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
