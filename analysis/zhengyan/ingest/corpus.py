"""The corpus: documents table (metadata, raw and clean text), cleaning audit, sentences and tokens."""
from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from zhengyan.ingest import cache as cache_module
from zhengyan.ingest import cleaning, labels, pipeline, reading, segment
from zhengyan.core import paths, pool

DOCUMENT_COLUMNS = (
    "doc_id", "label", "title", "year", "encoding", "n_chars", "n_raw_chars", "n_tokens", "n_paragraphs",
    "n_sentences", "warnings",
)
TOKEN_COLUMNS = ("doc_id", "para_id", "sent_id", "position", "start", "term", "kind", "stop", "filler")


@dataclass(repr=False)
class Corpus:
    """What :func:`load_corpus` returns; every attribute is a tidy table.

    - ``documents``: one row per readable document: ``doc_id``, metadata columns (``title``,
      ``year`` …), ``encoding``, ``n_chars`` (non-space characters of the clean text),
      ``n_raw_chars``, ``n_tokens`` (word tokens), ``n_paragraphs``, ``n_sentences``, ``warnings``
      ("; "-joined), ``text`` (clean) and ``raw`` (as read).
    - ``tokens``: one row per token that is not punctuation or space: ``doc_id``, ``para_id``,
      ``sent_id``, ``position`` (running index in the document), ``start`` (character offset in the
      clean text), ``term``, ``kind`` (word/number/placeholder), ``stop``, ``filler``.
    - ``sentences``: ``doc_id``, ``para_id``, ``sent_id``, ``start``, ``end``.
    - ``audit``: ``doc_id``, ``step``, ``before``, ``after``, ``count``, ``context``.
    - ``problems``: ``file``, ``problem``, ``severity`` for files left out or needing a look.
    """

    folder: Path
    documents: pd.DataFrame
    tokens: pd.DataFrame
    sentences: pd.DataFrame
    audit: pd.DataFrame
    problems: pd.DataFrame

    def __repr__(self) -> str:
        docs = self.documents
        years = pd.to_numeric(docs["year"], errors="coerce").dropna() if "year" in docs else pd.Series(dtype=float)
        span = f"{int(years.min())}–{int(years.max())}" if len(years) else "no years in metadata"
        n_problems = len(self.problems)
        problems = f", {n_problems} problem{'s' * (n_problems != 1)} (see .problems)" if n_problems else ""
        return (f"<Corpus {self.folder.name or self.folder}: {len(docs)} documents, {span}, "
                f"{int(docs['n_chars'].sum()):,} characters{problems}>")

    def terms(self, *, filler: bool = True) -> pd.DataFrame:
        """The tokens that count as terms: words, not stopwords, not speech filler (unless ``filler=False``)."""
        return content_terms(self.tokens, filler=filler)

    def text(self, doc_id: str) -> str:
        return self.documents.loc[self.documents["doc_id"] == doc_id, "text"].iloc[0]


def content_terms(tokens: pd.DataFrame, *, filler: bool = True, columns: list[str] | None = None,
                  where: np.ndarray | None = None) -> pd.DataFrame:
    """Rows of ``tokens`` that are terms: kind "word", not a stopword, and not filler when ``filler``.

    ``columns``: only these columns, numbered from 0 (a counting step that needs ``doc_id`` and
    ``term`` copies two columns of the rows, not all nine, and no index of row numbers). ``where``: a mask
    of the rows to consider at all. A table of terms already (``doc_id, term`` with no ``kind`` column, as
    :func:`zhengyan.analyses.formulas.formula_terms` gives) is returned as it is."""
    if "kind" not in tokens.columns and {"doc_id", "term"} <= set(tokens.columns) and where is None:
        return tokens if columns is None else tokens[columns]
    missing = {"kind", "stop", "filler"} - set(tokens.columns)
    if missing:
        raise ValueError(f"tokens table lacks columns {sorted(missing)}; expected a Corpus.tokens table")
    keep = np.array(tokens["kind"] == "word")  # a categorical compares its codes; a writable copy
    if where is not None:
        keep &= where
    keep &= ~tokens["stop"].to_numpy(dtype=bool)
    if filler:
        keep &= ~tokens["filler"].to_numpy(dtype=bool)
    if columns is None:
        return tokens[keep]
    return pd.DataFrame({c: tokens[c].array[keep] for c in columns}, copy=False)


def load_corpus(folder: Path | str | None = None, *, cache: bool = True, jobs: int | None = None,
                scheduler: str | None = None, progress: bool | None = None, recursive: bool = False,
                segmenter: str | None = None, wait_for_cache: bool = True) -> Corpus:
    """Read, clean, structure and segment every ``.txt`` file of ``folder`` (default: ``seeds/``).

    ``cache``: keep each document's tables in the project's cache folder and reuse them while the
    document, the lexicons and the code are unchanged (see :mod:`zhengyan.ingest.cache`);
    ``jobs``: worker processes for the per-document work (default: all cores; 1: in this process);
    ``scheduler``: the address of a Dask scheduler (``tcp://…``, default ``$ANALYSIS_DASK_SCHEDULER``)
    to run that work on a cluster instead; ``progress``: show a progress bar (default: when stderr is
    a terminal or a notebook); ``recursive``: read the ``.txt`` files of sub-folders too;
    ``segmenter``: "jieba" or "rjieba" (default ``$ANALYSIS_SEGMENTER`` or rjieba, which cuts as jieba does).

    ``wait_for_cache``: False returns as soon as the corpus is ready and writes the cache on a
    background thread (the process waits for it before it exits; the export does this).

    Files that cannot be read are listed in ``problems`` (and never stop the rest). Nothing under
    ``folder`` is written.
    """
    if not isinstance(cache, bool):
        raise ValueError(f"cache must be True or False; got {cache!r}")
    if not isinstance(recursive, bool):
        raise ValueError(f"recursive must be True or False; got {recursive!r}")
    n_jobs = pool.check_jobs(jobs)
    address = pipeline.scheduler_address(scheduler)
    bar = pipeline.show_progress(progress)
    settings = pipeline.Settings.current(segmenter)
    raw = reading.read_folder(paths.corpus_dir() if folder is None else folder, recursive=recursive)
    folder = raw.folder
    fps = [pipeline.fingerprint(doc.text, doc.encoding, settings) for doc in raw.documents]
    store = cache_module.CorpusCache(folder, recursive=recursive) if cache else None
    cached, found = store.load(set(fps)) if store is not None else ([], set())
    todo, queued = [], set(found)
    for fp, doc in zip(fps, raw.documents):
        if fp not in queued:
            queued.add(fp)
            todo.append((fp, doc.text, doc.encoding))
    fresh = _concat(pipeline.run(todo, settings, jobs=n_jobs, scheduler=address, progress=bar))
    # the new part is written by a second thread while the tables are joined and assembled here
    # (Parquet's writer releases the interpreter); the load returns once it is on disk, or at once
    # when not ``wait_for_cache`` (the thread is joined when the interpreter exits)
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="corpus-cache")
    stored = writer.submit(store.store, fresh) if store is not None and fresh is not None else None
    tables = _concat([dict(t) for t in cached + ([fresh] if fresh is not None else [])])  # copies: being stored
    del cached, fresh
    corpus = _assemble(Path(folder), raw, fps, tables)
    share = chinese_share(corpus.documents)
    if share is not None and share < MIN_CHINESE_SHARE:
        warnings.warn(f"{folder}: only {share:.0%} of the corpus's characters are Chinese; the segmenter, the lexicons "
                      "and the dating are made for Chinese text, so most analyses will find little", NotChineseWarning,
                      stacklevel=2)
    compacted = None
    if store is not None and tables is not None and store.needs_compacting(len(tables["documents"]), len(todo)):
        compacted = writer.submit(_compact_after, stored, store, tables, len(todo))  # only once the part is written
    del tables
    writer.shutdown(wait=False)
    last = compacted or stored
    if last is not None:
        if wait_for_cache:
            (stored or last).result()
            last.result()
        else:
            last.add_done_callback(_warn_on_failure)
    pool.release_memory()
    return corpus


class NotChineseWarning(UserWarning):
    """A corpus whose characters are mostly not Chinese (the notebooks say it in their prose instead)."""


#: Below this share of Chinese characters a corpus is named as mostly not Chinese when loaded.
MIN_CHINESE_SHARE = 0.5
#: The share is measured on a sample: the first characters of at most this many documents, evenly spread.
_SHARE_CHARS, _SHARE_DOCS = 2_000, 500


def chinese_share(documents: pd.DataFrame) -> float | None:
    """The share of Han characters among the letters and digits of the clean texts, measured on the first
    characters of up to 500 documents spread over the corpus; None without any letter (an empty corpus)."""
    if documents.empty:
        return None
    step = max(1, len(documents) // _SHARE_DOCS)
    sample = documents["text"].iloc[::step].astype(str)
    texts = pc.utf8_slice_codeunits(pa.array(sample), 0, _SHARE_CHARS)
    han = pc.sum(pc.count_substring_regex(texts, r"\p{Han}")).as_py() or 0
    letters = pc.sum(pc.count_substring_regex(texts, r"[\p{L}\p{N}]")).as_py() or 0
    return han / letters if letters else None


def _compact_after(stored, store: cache_module.CorpusCache, tables: dict, fresh: int) -> None:
    """Merge the cache's parts once the new part is written (nothing when writing it failed)."""
    if stored is not None:
        stored.result()  # raises what the write raised: no merge then
    store.compact(tables, fresh=fresh)


def _warn_on_failure(future) -> None:
    if future.exception() is not None:
        warnings.warn(f"corpus cache not written ({future.exception()}); the next run processes the documents again",
                      RuntimeWarning, stacklevel=2)


_STR = pipeline._STR  # the dtype pandas gives strings (``str`` from pandas 3 on)


def _union(columns: list) -> pd.Categorical:
    """One categorical from several, categories sorted (so tables never depend on how work was split).

    The categories are joined, made distinct and sorted by Arrow (code point order, as Python sorts
    strings): no Python object is made per word and part."""
    columns = [c if isinstance(c, pd.Categorical) else pd.Categorical(c) for c in columns]
    first = columns[0].categories
    if len(columns) == 1 and first.is_monotonic_increasing and first.dtype == _STR:
        return columns[0]
    parts = [pa.array(np.asarray(c.categories, dtype=object), type=pa.large_string()) if c.categories.dtype != _STR
             else pa.chunked_array(pa.array(c.categories.array)).cast(pa.large_string()).combine_chunks()
             for c in columns]
    every = pa.chunked_array(parts, type=pa.large_string()).combine_chunks()
    distinct = pc.unique(every)
    distinct = distinct.take(pc.sort_indices(distinct))
    union = pd.Index(pd.array(distinct.cast(pa.string()), dtype=_STR) if len(distinct)
                     else pd.Index([], dtype=_STR))
    # each part's categories found in the union in one lookup (one hash table), then cut back into parts
    where = pc.index_in(every, value_set=distinct).to_numpy(zero_copy_only=False).astype(np.int32)
    cuts = np.cumsum([0] + [len(cats) for cats in parts])
    codes = [where[a:b][c.codes] if len(c) else np.zeros(0, dtype=np.int32)
             for c, a, b in zip(columns, cuts[:-1], cuts[1:])]
    return pd.Categorical.from_codes(np.concatenate(codes).astype(np.int32), categories=union, validate=False)


def _concat(results: list[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame] | None:
    """The per-part or per-batch tables joined, table by table, categorical columns re-coded."""
    if not results:
        return None
    if len(results) == 1:
        return results[0]
    out = {}
    # the tokens first, and each table's parts let go once joined, so that at most the parts of the
    # remaining tables and one joined table are held at a time
    for name in sorted(pipeline.TABLE_COLUMNS, key=lambda n: n != "tokens"):
        columns = pipeline.TABLE_COLUMNS[name]
        frames = [r.pop(name) for r in results]
        joined = {}
        for column in columns:
            values = [f[column] for f in frames]
            if isinstance(values[0].dtype, pd.CategoricalDtype):
                joined[column] = _union([v.array for v in values])
            elif all(v.dtype == _STR for v in values):  # texts: joined as Arrow buffers, no Python string made
                joined[column] = pd.array(pa.chunked_array([pa.array(v.array).cast(pa.large_string())
                                                            for v in values]), dtype=_STR)
            else:
                joined[column] = np.concatenate([v.to_numpy() for v in values])
        out[name] = pd.DataFrame(joined)
    return out


def _rows_by_document(fingerprint, doc_fps: list[str]) -> tuple[np.ndarray | None, np.ndarray]:
    """Row indices putting a table's rows in document order (None: they are in that order already), and
    the document index of each such row (int32)."""
    column = fingerprint if isinstance(fingerprint, pd.Categorical) else pd.Categorical(fingerprint)
    codes = np.asarray(column.codes)
    positions = pd.Index(np.asarray(column.categories, dtype=object)).get_indexer(doc_fps)
    n_cats = len(column.categories)
    if len(codes) == 0:
        return None, np.zeros(0, dtype=np.int32)
    cuts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    run_starts = np.concatenate([[0], cuts])
    run_codes = codes[run_starts]
    del cuts
    counts = np.bincount(codes, minlength=n_cats)
    sizes = np.array([counts[p] if p >= 0 else 0 for p in positions], dtype=np.int64)
    doc_index = np.repeat(np.arange(len(doc_fps), dtype=np.int32), sizes)
    # the usual case: each document's rows together, the documents in order, each once: nothing to move
    if (len(run_codes) == len(positions) and np.array_equal(run_codes, positions)
            and len(doc_index) == len(codes)):
        return None, doc_index
    if len(np.unique(run_codes)) == len(run_codes):  # each document's rows already together
        first = np.zeros(n_cats, dtype=np.int64)
        first[run_codes] = run_starts
        order = None
    else:
        order = np.argsort(codes, kind="stable")
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    take = [np.arange(first[p], first[p] + counts[p]) for p in positions if p >= 0]
    rows = np.concatenate(take) if take else np.zeros(0, dtype=np.int64)
    if order is not None:
        rows = order[rows]
    return rows, doc_index


def _assemble(folder: Path, raw: reading.RawCorpus, fps: list[str], tables: dict | None) -> Corpus:
    doc_ids = [doc.doc_id for doc in raw.documents]
    if tables is None:
        tables = pipeline.process_batch([], pipeline.Settings("jieba", (), (), ""))
    per_doc = tables["documents"].set_index(tables["documents"]["fingerprint"].astype(str))
    if not per_doc.index.equals(pd.Index(fps)):  # documents in another order, or one text twice
        per_doc = per_doc.reindex(fps)
    documents = pd.DataFrame({
        "doc_id": pd.Series(doc_ids, dtype=object),
        "encoding": [doc.encoding for doc in raw.documents],
        **{c: per_doc[c].to_numpy(dtype=np.int64) for c in
           ("n_chars", "n_raw_chars", "n_tokens", "n_paragraphs", "n_sentences")},
        **{c: per_doc[c].array for c in ("warnings", "title_from_text")},
    })
    for column in ("doc_id", "encoding", "warnings", "title_from_text"):
        documents[column] = documents[column].astype(str)
    # the texts join after the metadata (a merge would copy them): the rows keep the documents' order
    documents = raw.metadata.merge(documents, on="doc_id", how="right")
    # texts read from the cache stay in Arrow's buffers (no Python string made per document and back)
    documents["text"] = pd.Series(per_doc["text"].array, copy=False).astype(str).array
    del per_doc
    documents["raw"] = pd.array([doc.text for doc in raw.documents], dtype=_STR)
    if "title" not in documents.columns:
        documents["title"] = ""
    documents["title"] = documents["title"].fillna("").astype(str)
    documents["title"] = documents["title"].where(documents["title"] != "", documents["title_from_text"])
    documents = documents.drop(columns="title_from_text")
    if "year" not in documents.columns:
        documents["year"] = pd.array([pd.NA] * len(documents), dtype="Int64")
    front = [c for c in DOCUMENT_COLUMNS if c in documents.columns]
    rest = [c for c in documents.columns if c not in front and c not in ("text", "raw")]
    documents = documents[front + rest + ["text", "raw"]].reset_index(drop=True)
    documents.insert(1, "label", labels.document_labels(documents).to_numpy())
    doc_categories = pd.Index(doc_ids, dtype=_STR)

    def ordered(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
        rows, doc_index = _rows_by_document(frame["fingerprint"].array, fps)
        out = {"doc_id": pd.Categorical.from_codes(doc_index, categories=doc_categories, validate=False)}
        del doc_index
        for column in columns:
            values = frame[column].array
            if rows is None:  # in order already: no copy
                out[column] = values
            else:
                out[column] = values.take(rows) if isinstance(values, pd.Categorical) else frame[column].to_numpy()[rows]
        return pd.DataFrame(out, copy=False)

    tokens = ordered(tables["tokens"], ("para_id", "sent_id", "position", "start", "term", "kind"))
    term = tokens["term"].array
    if len(term) and not np.bincount(term.codes, minlength=len(term.categories)).all():
        term = term.remove_unused_categories()  # terms of cached documents no longer in the corpus
    tokens["term"] = _union([term])
    tokens["kind"] = tokens["kind"].cat.set_categories(list(pipeline.KIND_CATEGORIES))
    for column in ("para_id", "sent_id", "position", "start"):
        tokens[column] = tokens[column].astype(np.int32)
    categories = pd.Series(np.asarray(tokens["term"].cat.categories, dtype=object))
    codes = tokens["term"].cat.codes.to_numpy()
    tokens["stop"] = categories.isin(segment.stopwords()).to_numpy()[codes]
    tokens["filler"] = categories.isin(segment.filler()).to_numpy()[codes]
    tokens = tokens[list(TOKEN_COLUMNS)]
    sentences = ordered(tables["sentences"], ("para_id", "sent_id", "start", "end"))
    sentences["para_id"] = sentences["para_id"].astype(np.int32)
    sentences["sent_id"] = sentences["sent_id"].astype(np.int32)
    sentences["start"] = sentences["start"].astype(np.int64)
    sentences["end"] = sentences["end"].astype(np.int64)
    audit = ordered(tables["audit"], ("step", "before", "after", "count", "context"))
    audit["doc_id"] = audit["doc_id"].astype(str)
    for column in ("step", "before", "after", "context"):
        audit[column] = audit[column].astype(str)
    audit["count"] = audit["count"].astype(np.int64)
    problems = pd.DataFrame([(p.file, p.problem, p.severity) for p in raw.problems],
                            columns=["file", "problem", "severity"])
    return Corpus(folder, documents, tokens, sentences, audit, problems)


def audit_summary(audit: pd.DataFrame) -> pd.DataFrame:
    """Changes per document (rows) and cleaning step (columns), in pipeline order, with a total."""
    missing = {"doc_id", "step", "count"} - set(audit.columns)
    if missing:
        raise ValueError(f"expected an audit table (doc_id, step, count …); missing {sorted(missing)}")
    table = audit.pivot_table(index="doc_id", columns="step", values="count", aggfunc="sum", fill_value=0)
    order = [s for s in cleaning.STEP_NAMES if s in table.columns]
    table = table[order]
    table["total"] = table.sum(axis=1)
    return table
