"""The per-document work (clean, structure, segment) as a map over documents: here, in worker processes, or on Dask."""
from __future__ import annotations

import hashlib
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from zhengyan.ingest import cleaning, segment, structure
from zhengyan.core import paths
from zhengyan.core import pool as pool_module

#: Environment variable naming a Dask scheduler (``tcp://host:port``) to run the map on.
ENV_SCHEDULER = "ANALYSIS_DASK_SCHEDULER"
#: Seconds a Dask scheduler has to answer before the run fails (an address that accepts and never answers).
SCHEDULER_TIMEOUT = 10
#: Kinds a kept token can have (punctuation and spaces are dropped), in this order of categories.
KIND_CATEGORIES = ("word", "number", "placeholder")
#: Columns of the per-document tables the map returns, keyed by ``fingerprint`` (see :mod:`zhengyan.ingest.cache`).
TABLE_COLUMNS = {
    "documents": ("fingerprint", "text", "text_sha", "title_from_text", "warnings", "n_chars", "n_raw_chars",
                  "n_tokens", "n_paragraphs", "n_sentences"),
    "tokens": ("fingerprint", "para_id", "sent_id", "position", "start", "term", "kind"),
    "sentences": ("fingerprint", "para_id", "sent_id", "start", "end"),
    "audit": ("fingerprint", "step", "before", "after", "count", "context"),
}
#: Source files whose code decides what the tables hold; with the data files they make the code signature.
_CODE_FILES = ("cleaning.py", "structure.py", "segment.py", "pipeline.py")
_DATA_FILES = segment.LEXICON_FILES + ("variants.txt",)
_STR = pd.Index(["a"]).dtype  # the dtype pandas gives strings (``str`` from pandas 3 on)
#: Text handed to one task, in characters (a task is the unit of a progress step and of a worker's turn).
BATCH_CHARS = 1_000_000


@dataclass(frozen=True)
class Settings:
    """Everything a worker needs, given explicitly: a worker on another machine has none of this process's state."""

    segmenter: str
    words: tuple[str, ...]
    freqs: tuple[int, ...]
    signature: str

    @classmethod
    def current(cls, segmenter: str | None = None) -> Settings:
        """The settings of this checkout: its lexicons, its code, the chosen segmenter. Computed once per load."""
        name = segment.segmenter_name(segmenter)
        words = tuple(segment.dictionary_words())
        freqs = segment.user_frequencies(words) if name == "rjieba" else ()
        h = hashlib.sha256(segment.dictionary_signature(name).encode())
        for base, names in ((Path(__file__).parent, _CODE_FILES), (paths.DATA, _DATA_FILES)):
            for file in names:
                path = base / file
                h.update(file.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"-"))
        return cls(name, words, freqs, h.hexdigest()[:24])


def fingerprint(text: str, encoding: str, settings: Settings) -> str:
    """What a document's tables depend on: its text as read, its encoding, and the code and lexicon signature."""
    h = hashlib.sha256(f"{settings.signature}\0{encoding}\0".encode())
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]


def _non_space(text: str) -> int:
    return len("".join(text.split()))


def process_batch(items: list[tuple[str, str, str]], settings: Settings) -> dict[str, pd.DataFrame]:
    """Clean, structure and segment each ``(fingerprint, raw text, encoding)``; the four tables by fingerprint.

    Tokens leave the segmenter as one list of strings per document and become integer codes at once:
    one Arrow dictionary encoding per batch, one classification per distinct term, arrays for everything else.
    """
    dictionary = (settings.words, settings.freqs or None)
    docs: dict[str, list] = {c: [] for c in TABLE_COLUMNS["documents"]}
    audit: list[tuple] = []
    sentence_parts, all_words, per_doc = [], [], []
    for fp, raw, encoding in items:
        text, sents, words = _one_document(fp, raw, encoding, settings, dictionary, docs, audit)
        per_doc.append((fp, len(words), len(text), sents))
        all_words += words
        sentence_parts.append((fp, sents))
    fps = docs["fingerprint"]
    tokens, docs["n_tokens"] = _token_table(all_words, per_doc, fps, settings)
    documents = pd.DataFrame(docs, columns=list(TABLE_COLUMNS["documents"]))
    for c in ("n_chars", "n_raw_chars", "n_tokens", "n_paragraphs", "n_sentences"):
        documents[c] = documents[c].astype(np.int64)
    audit_table = pd.DataFrame(audit, columns=list(TABLE_COLUMNS["audit"]))
    audit_table["count"] = audit_table["count"].astype(np.int64)
    audit_table["fingerprint"] = pd.Categorical(audit_table["fingerprint"], categories=fps)
    return {"documents": documents, "tokens": tokens, "sentences": _sentence_table(sentence_parts, fps),
            "audit": audit_table}


def _one_document(fp: str, raw: str, encoding: str, settings: Settings, dictionary, docs: dict[str, list],
                  audit: list[tuple]) -> tuple[str, dict, list[str]]:
    """Clean, structure and segment one text: its row of the documents table and its audit rows are appended to
    ``docs`` and ``audit``; the clean text, its sentence spans and its words are returned."""
    cleaned = cleaning.clean(raw)
    text = cleaned.text
    sents = structure.structure(text)
    words = segment.words_of(text, segmenter=settings.segmenter, dictionary=dictionary)
    audit += [(fp, c.step, c.before, c.after, c.count, c.context) for c in cleaned.changes]
    warnings = list(cleaned.warnings)
    if encoding not in ("utf-8", "utf-8-sig"):
        warnings.insert(0, f"decoded as {encoding}")
    docs["fingerprint"].append(fp)
    docs["text"].append(text)
    docs["text_sha"].append(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    docs["title_from_text"].append(structure.title_from_text(text))
    docs["warnings"].append("; ".join(warnings))
    docs["n_chars"].append(_non_space(text))
    docs["n_raw_chars"].append(_non_space(raw))
    docs["n_paragraphs"].append(int(sents["para_id"].max() + 1) if len(sents["para_id"]) else 0)
    docs["n_sentences"].append(len(sents["sent_id"]))
    return text, sents, words


def _token_table(all_words: list[str], per_doc: list[tuple], fps: list[str],
                 settings: Settings) -> tuple[pd.DataFrame, list[int]]:
    """The tokens table of a batch (punctuation and spaces dropped) and each document's number of word tokens.

    The batch's words become Arrow strings in one call; their lengths, codes and distinct words are computed
    by Arrow, with no Python object per token."""
    words = pa.array(all_words, type=pa.string())
    del all_words
    ends = np.cumsum(pc.utf8_length(words).to_numpy(), dtype=np.int64)
    encoded = words.dictionary_encode()
    del words
    codes = encoded.indices.to_numpy().astype(np.int32, copy=False)
    uniques = encoded.dictionary
    token_kind = segment.kind_codes(uniques)[codes]  # 0 word, 1 number, 2 placeholder, 3 punct
    columns: dict[str, list] = {c: [] for c in ("para_id", "sent_id", "position", "start", "codes", "kind", "fp")}
    n_tokens, offset = [], 0
    for fp, n, n_chars, sents in per_doc:
        doc_ends = ends[offset: offset + n] - (ends[offset - 1] if offset else 0)  # each word's end in its text
        if (doc_ends[-1] if n else 0) != n_chars:
            raise RuntimeError(f"segmenter {settings.segmenter} lost characters ({doc_ends[-1] if n else 0} "
                               f"of {n_chars})")
        kind = token_kind[offset: offset + n]
        keep = kind != 3
        start = np.concatenate(([0], doc_ends[:-1]))[keep] if n else doc_ends
        para_id, sent_id = structure.locate(sents, start)
        columns["para_id"].append(para_id.astype(np.int32))
        columns["sent_id"].append(sent_id.astype(np.int32))
        columns["position"].append(np.arange(len(start), dtype=np.int32))
        columns["start"].append(start.astype(np.int32))
        columns["codes"].append(codes[offset: offset + n][keep])
        columns["kind"].append(kind[keep])
        columns["fp"].append(np.full(len(start), len(columns["fp"]), dtype=np.int32))
        n_tokens.append(int((kind == 0).sum()))
        offset += n
    joined = {k: (np.concatenate(v) if v else np.zeros(0, dtype=np.int32)) for k, v in columns.items()}
    # only the words kept (punctuation and spaces are not tokens) stay categories, in order of appearance
    used = np.zeros(len(uniques), dtype=bool)
    used[joined["codes"]] = True
    renumber = (np.cumsum(used) - 1).astype(np.int32)
    term = pd.Categorical.from_codes(renumber[joined["codes"]], validate=False,
                                     categories=pd.Index(uniques.filter(pa.array(used)), dtype=_STR))
    tokens = pd.DataFrame({
        "fingerprint": pd.Categorical.from_codes(joined["fp"], categories=fps, validate=False),
        "para_id": joined["para_id"], "sent_id": joined["sent_id"], "position": joined["position"],
        "start": joined["start"], "term": term,
        "kind": pd.Categorical.from_codes(joined["kind"].astype(np.int8), categories=list(KIND_CATEGORIES),
                                          validate=False),
    })
    return tokens, n_tokens


def _sentence_table(sentence_parts: list[tuple], fps: list[str]) -> pd.DataFrame:
    """The sentences table of a batch: each document's sentence spans, by fingerprint."""
    return pd.DataFrame({
        "fingerprint": pd.Categorical.from_codes(
            np.concatenate([np.full(len(s["sent_id"]), i, dtype=np.int32) for i, (_, s) in enumerate(sentence_parts)])
            if sentence_parts else np.zeros(0, dtype=np.int32), categories=fps, validate=False),
        **{c: (np.concatenate([s[c] for _, s in sentence_parts]) if sentence_parts
               else np.zeros(0, dtype=np.int64)) for c in ("para_id", "sent_id", "start", "end")},
    })


def batches(items: list[tuple[str, str, str]], n_workers: int) -> list[list[tuple[str, str, str]]]:
    """Consecutive groups of documents, each about :data:`BATCH_CHARS` characters (smaller when that leaves a
    worker idle), in document order."""
    total = sum(len(item[1]) for item in items)
    size = max(50_000, min(BATCH_CHARS, total // max(1, 4 * n_workers) + 1))
    out, current, chars = [], [], 0
    for item in items:
        current.append(item)
        chars += len(item[1])
        if chars >= size:
            out.append(current)
            current, chars = [], 0
    if current:
        out.append(current)
    return out


def scheduler_address(scheduler: str | None) -> str | None:
    """The Dask scheduler to use: ``scheduler``, else ``$ANALYSIS_DASK_SCHEDULER``, else none (local)."""
    address = scheduler if scheduler is not None else (os.environ.get(ENV_SCHEDULER) or None)
    if address is not None and (not isinstance(address, str) or "://" not in address):
        source = "scheduler" if scheduler is not None else f"${ENV_SCHEDULER}"
        raise ValueError(f"{source} must be a Dask scheduler address such as tcp://host:8786; got {address!r}")
    return address


def show_progress(progress: bool | None) -> bool:
    """``progress``, or by default: when standard error is a terminal, or in a notebook that can show a widget."""
    if progress is None:
        if "ipykernel" in sys.modules:
            from importlib.util import find_spec

            return find_spec("ipywidgets") is not None
        return bool(getattr(sys.stderr, "isatty", lambda: False)())
    if not isinstance(progress, bool):
        raise ValueError(f"progress must be True, False or None (automatic); got {progress!r}")
    return progress


def run(items: list[tuple[str, str, str]], settings: Settings, *, jobs: int = 1, scheduler: str | None = None,
        progress: bool = False) -> list[dict[str, pd.DataFrame]]:
    """:func:`process_batch` over ``items`` in batches; the results in document order.

    On a Dask cluster when ``scheduler`` is an address; else in ``jobs`` worker processes (in this
    process when ``jobs`` is 1 or there is a single batch).
    """
    if not items:
        return []
    groups = batches(items, 1 if scheduler else jobs)
    bar = _bar(progress, sum(len(g) for g in groups))
    results: list = [None] * len(groups)
    try:
        if scheduler:
            from distributed import Client, as_completed as dask_completed

            with Client(scheduler, set_as_default=False, timeout=SCHEDULER_TIMEOUT) as client:
                remote = client.scatter(settings, broadcast=True)
                futures = client.map(process_batch, groups, settings=remote, pure=False)
                index = {f.key: i for i, f in enumerate(futures)}
                for future in dask_completed(futures, loop=client.loop):
                    results[index[future.key]] = future.result()
                    bar.update(len(groups[index[future.key]]))
        elif jobs <= 1 or len(groups) == 1:
            for i, group in enumerate(groups):
                results[i] = process_batch(group, settings)
                bar.update(len(group))
        else:
            with ProcessPoolExecutor(max_workers=min(jobs, len(groups)), initializer=pool_module.die_with_parent) as pool:
                futures = {pool.submit(process_batch, group, settings): i for i, group in enumerate(groups)}
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    bar.update(len(groups[futures[future]]))
    finally:
        bar.close()
    return results


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(progress: bool, total: int):
    if not progress:
        return _NoBar()
    from tqdm.auto import tqdm

    try:
        return tqdm(total=total, unit="doc", desc="cleaning and segmenting", leave=False, mininterval=0)
    except ImportError:  # a notebook without ipywidgets: a text bar
        from tqdm.std import tqdm as text_tqdm

        return text_tqdm(total=total, unit="doc", desc="cleaning and segmenting", leave=False, mininterval=0)
