"""The corpus: documents table (metadata, raw and clean text), cleaning audit, sentences and tokens."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import cleaning, labels, paths, reading, segment, structure
from .api import CorpusMethods

DOCUMENT_COLUMNS = (
    "doc_id", "label", "title", "year", "encoding", "n_chars", "n_raw_chars", "n_tokens", "n_paragraphs",
    "n_sentences", "warnings",
)
TOKEN_COLUMNS = ("doc_id", "para_id", "sent_id", "position", "start", "term", "kind", "stop", "filler")
AUDIT_COLUMNS = ("doc_id", "step", "before", "after", "count", "context")


@dataclass
class Corpus(CorpusMethods):
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

    def terms(self, *, filler: bool = True) -> pd.DataFrame:
        """The tokens that count as terms: words, not stopwords, not speech filler (unless ``filler=False``)."""
        return content_terms(self.tokens, filler=filler)

    def text(self, doc_id: str) -> str:
        return self.documents.loc[self.documents["doc_id"] == doc_id, "text"].iloc[0]


def content_terms(tokens: pd.DataFrame, *, filler: bool = True) -> pd.DataFrame:
    """Rows of ``tokens`` that are terms: kind "word", not a stopword, and not filler when ``filler``."""
    missing = {"kind", "stop", "filler"} - set(tokens.columns)
    if missing:
        raise ValueError(f"tokens table lacks columns {sorted(missing)}; expected a Corpus.tokens table")
    keep = (tokens["kind"] == "word") & ~tokens["stop"]
    if filler:
        keep &= ~tokens["filler"]
    return tokens[keep]


def _title_from_text(text: str) -> str:
    lines = [line.strip() for line in text.split("\n") if line.strip()][:3]
    if not lines or len(lines[0]) > 60 or any(ch in lines[0] for ch in "。！？"):
        return ""
    for i, line in enumerate(lines[1:], start=1):
        if line.startswith("——"):
            return "".join(lines[: i + 1])
    return lines[0]


def _segment_document(text: str, signature: str, use_cache: bool) -> pd.DataFrame:
    key = hashlib.sha256((signature + "\0" + text).encode("utf-8")).hexdigest()[:24]
    path = paths.CACHE / "tokens" / f"{key}.parquet"
    if use_cache and path.is_file():
        return pd.read_parquet(path)
    pieces = []
    for a, b in structure.paragraph_spans(text):
        for word, start in segment.cut(text[a:b]):
            pieces.append((word, a + start))
    frame = pd.DataFrame(pieces, columns=["term", "start"])
    frame["kind"] = segment.classify(frame["term"]) if len(frame) else pd.Series(dtype=object)
    frame = frame[frame["kind"] != "punct"].reset_index(drop=True)
    frame["start"] = frame["start"].astype(np.int32)
    frame["term"] = frame["term"].astype(str)
    frame["kind"] = frame["kind"].astype(str)
    if use_cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        frame.to_parquet(tmp, index=False)
        tmp.replace(path)
    return frame


def load_corpus(folder: Path | str | None = None, *, cache: bool = True, jobs: int | None = None,
                scheduler: str | None = None, progress: bool | None = None, recursive: bool = False) -> Corpus:
    """Read, clean, structure and segment every ``.txt`` file of ``folder`` (default: ``seeds/``).

    ``jobs``: worker processes for the per-document work (default: all cores); ``scheduler``: the
    address of a Dask scheduler (``tcp://…``) to run that work on a cluster instead;
    ``progress``: show a progress bar (default: when stderr is a terminal or a notebook);
    ``recursive``: read the ``.txt`` files of sub-folders too.

    Files that cannot be read are listed in ``problems`` (and never stop the rest). Nothing under
    ``folder`` is written; token caches go to the project's cache folder.
    """
    folder = paths.corpus_dir() if folder is None else Path(folder)
    raw = reading.read_folder(folder, recursive=recursive)
    signature = segment.dictionary_signature()
    docs, audits, sentence_tables, token_tables = [], [], [], []
    for doc in raw.documents:
        cleaned = cleaning.clean(doc.text)
        text = cleaned.text
        sents = structure.structure(text)
        tokens = _segment_document(text, signature, cache)
        para_id, sent_id = structure.locate(sents, tokens["start"].to_numpy())
        tokens = tokens.assign(
            doc_id=doc.doc_id, para_id=para_id, sent_id=sent_id,
            position=np.arange(len(tokens), dtype=np.int32),
        )
        token_tables.append(tokens)
        sentence_tables.append(pd.DataFrame({"doc_id": doc.doc_id, **sents}))
        audits += [(doc.doc_id, c.step, c.before, c.after, c.count, c.context) for c in cleaned.changes]
        warnings = list(cleaned.warnings)
        if doc.encoding not in ("utf-8", "utf-8-sig"):
            warnings.insert(0, f"decoded as {doc.encoding}")
        docs.append({
            "doc_id": doc.doc_id,
            "encoding": doc.encoding,
            "n_chars": sum(1 for ch in text if not ch.isspace()),
            "n_raw_chars": sum(1 for ch in doc.text if not ch.isspace()),
            "n_tokens": int((tokens["kind"] == "word").sum()),
            "n_paragraphs": int(sents["para_id"].max() + 1) if len(sents["para_id"]) else 0,
            "n_sentences": len(sents["sent_id"]),
            "warnings": "; ".join(warnings),
            "text": text,
            "raw": doc.text,
            "title_from_text": _title_from_text(text),
        })
    documents = pd.DataFrame(docs, columns=[
        "doc_id", "encoding", "n_chars", "n_raw_chars", "n_tokens", "n_paragraphs", "n_sentences",
        "warnings", "text", "raw", "title_from_text",
    ])
    documents = raw.metadata.merge(documents, on="doc_id", how="right")
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

    tokens = _tokens_table(token_tables, documents["doc_id"].tolist())
    sentences = (
        pd.concat(sentence_tables, ignore_index=True) if sentence_tables
        else pd.DataFrame(columns=["doc_id", "para_id", "sent_id", "start", "end"])
    )
    sentences["doc_id"] = pd.Categorical(sentences["doc_id"], categories=documents["doc_id"].tolist())
    audit = pd.DataFrame(audits, columns=list(AUDIT_COLUMNS))
    problems = pd.DataFrame([(p.file, p.problem, p.severity) for p in raw.problems], columns=["file", "problem", "severity"])
    return Corpus(Path(folder), documents, tokens, sentences, audit, problems)


def _tokens_table(tables: list[pd.DataFrame], doc_ids: list[str]) -> pd.DataFrame:
    if not tables:
        empty = {c: pd.Series(dtype=object) for c in TOKEN_COLUMNS}
        return pd.DataFrame(empty)
    tokens = pd.concat(tables, ignore_index=True)
    tokens["doc_id"] = pd.Categorical(tokens["doc_id"], categories=doc_ids)
    tokens["term"] = tokens["term"].astype("category")
    tokens["kind"] = tokens["kind"].astype("category")
    for column in ("para_id", "sent_id", "position", "start"):
        tokens[column] = tokens[column].astype(np.int32)
    categories = pd.Series(tokens["term"].cat.categories)
    stop = categories.isin(segment.stopwords()).to_numpy()
    filler = categories.isin(segment.filler()).to_numpy()
    codes = tokens["term"].cat.codes.to_numpy()
    tokens["stop"] = stop[codes]
    tokens["filler"] = filler[codes]
    return tokens[list(TOKEN_COLUMNS)]


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
