"""Reading a corpus folder: decode every ``.txt`` file, join ``metadata.csv``, report what cannot be read."""
from __future__ import annotations

import codecs
import csv
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import paths

#: Columns ``metadata.csv`` may carry besides ``doc_id`` (others are kept too, as given).
METADATA_COLUMNS = ("title", "year", "date", "place", "level", "speaker", "occasion", "source")
#: Encodings tried when a file has no byte-order mark and is not UTF-8, best plausibility wins.
LEGACY_ENCODINGS = ("gb18030", "big5")


class CorpusError(Exception):
    """The corpus as a whole cannot be read (no such folder, no text files)."""


class UnreadableFile(Exception):
    """One file cannot be decoded into text; the message says why."""


@dataclass
class RawDocument:
    doc_id: str
    path: Path
    text: str  # decoded, line endings normalised to "\n", nothing else changed
    encoding: str


@dataclass
class Problem:
    """A file (or metadata row) that was left out or needs attention, and why."""

    file: str
    problem: str
    severity: str = "error"  # "error": the document is left out; "warning": kept, but look


@dataclass
class RawCorpus:
    folder: Path
    documents: list[RawDocument]
    metadata: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    lines = paths.data_file("common_chars.txt").read_text(encoding="utf-8").splitlines()
    return frozenset("".join(line for line in lines if not line.startswith("#")))


def plausibility(text: str) -> float:
    """Share of the Han characters of ``text`` that are among the common ones (0 when it has none)."""
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"]
    if not han:
        return 0.0
    common = _common_chars()
    return sum(ch in common for ch in han) / len(han)


def _control_share(text: str) -> float:
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0xFFF0 <= ord(ch) <= 0xFFFF)
    return bad / max(len(text), 1)


def _text_share(text: str) -> float:
    """Share of characters that belong in a Chinese text file: Han, ASCII, CJK and general punctuation."""
    def textual(ch: str) -> bool:
        o = ord(ch)
        return (32 <= o < 127 or ch in "\t\n\r" or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F
                or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F or 0x3400 <= o <= 0x4DBF)
    return sum(map(textual, text)) / max(len(text), 1)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a file's bytes; return ``(text, encoding)`` or raise :class:`UnreadableFile`.

    Order: byte-order marks (UTF-8, UTF-16, UTF-32); UTF-8; UTF-16 without a mark (told by its
    zero bytes); then GB18030 and Big5, keeping the decoding whose Han characters are most
    plausible. Text full of control characters is refused as binary.
    """
    if not data.strip():
        raise UnreadableFile("empty file")
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    candidates: list[tuple[str, str]] = []
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                candidates.append((data.decode(encoding), encoding))
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"has a {encoding} byte-order mark but is not {encoding}: {exc.reason} at byte {exc.start}")
            break
    if not candidates:
        try:
            candidates.append((data.decode("utf-8"), "utf-8"))
        except UnicodeDecodeError:
            pass
    control_bytes = sum(data.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    if not candidates and data.count(0) > len(data) // 10:
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _control_share(text) < 0.01 and _text_share(text) >= 0.9:
                candidates.append((text, encoding))
        if not candidates:
            raise UnreadableFile(f"binary file ({data.count(0)} zero bytes in {len(data)})")
    if not candidates:
        scored = []
        for encoding in LEGACY_ENCODINGS:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            scored.append((plausibility(text), text, encoding))
        if scored:
            _, text, encoding = max(scored, key=lambda item: item[0])
            candidates.append((text, encoding))
    if not candidates or (control_bytes and candidates[0][1] in LEGACY_ENCODINGS and control_bytes > len(data) // 100):
        if data.count(0) or control_bytes > len(data) // 100:
            raise UnreadableFile(f"binary file ({control_bytes} control bytes in {len(data)})")
        raise UnreadableFile("undecodable: not UTF-8, UTF-16, GB18030 or Big5")
    text, encoding = candidates[0]
    if _control_share(text) >= 0.01:
        raise UnreadableFile(f"binary file (decodes as {encoding} but {_control_share(text):.0%} control characters)")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UnreadableFile("empty file (only white space)")
    return text, encoding


def read_metadata(folder: Path, doc_ids: list[str]) -> tuple[pd.DataFrame, list[Problem]]:
    """``metadata.csv`` joined on ``doc_id``; rows without a file and files without a row are reported."""
    problems: list[Problem] = []
    path = Path(folder) / "metadata.csv"
    if not path.is_file():
        return pd.DataFrame({"doc_id": pd.Series(doc_ids, dtype=str)}), problems
    try:
        text, _ = decode_bytes(path.read_bytes())
        table = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
    except (UnreadableFile, pd.errors.ParserError, csv.Error) as exc:
        problems.append(Problem(path.name, f"metadata.csv not read: {exc}"))
        return pd.DataFrame({"doc_id": pd.Series(doc_ids, dtype=str)}), problems
    if "doc_id" not in table.columns:
        problems.append(Problem(path.name, f"metadata.csv has no doc_id column (columns: {', '.join(table.columns)})"))
        return pd.DataFrame({"doc_id": pd.Series(doc_ids, dtype=str)}), problems
    table["doc_id"] = table["doc_id"].str.strip()
    if "file" in table.columns:  # a file column names the document when its doc_id is not the file stem
        stems = table["file"].str.strip().map(lambda f: Path(f).stem if f else "")
        differs = (stems != "") & (stems != table["doc_id"])
        if differs.any():
            table = table.assign(metadata_id=table["doc_id"], doc_id=stems.where(stems != "", table["doc_id"]))
    dupes = table.loc[table["doc_id"].duplicated(), "doc_id"].tolist()
    for doc_id in dupes:
        problems.append(Problem(path.name, f"doc_id {doc_id!r} appears more than once; the first row is used", "warning"))
    table = table.drop_duplicates("doc_id")
    known = set(doc_ids)
    for doc_id in table["doc_id"]:
        if doc_id not in known:
            problems.append(Problem(path.name, f"row for {doc_id!r} has no readable .txt file", "warning"))
    listed = set(table["doc_id"])
    for doc_id in doc_ids:
        if doc_id not in listed:
            problems.append(Problem(f"{doc_id}.txt", "no row in metadata.csv", "warning"))
    table = table[table["doc_id"].isin(known)]
    if "year" in table.columns:
        year = pd.to_numeric(table["year"].str.extract(r"(\d{4})", expand=False), errors="coerce")
        table = table.assign(year=year.astype("Int64"))
    base = pd.DataFrame({"doc_id": pd.Series(doc_ids, dtype=str)})
    return base.merge(table, on="doc_id", how="left"), problems


def read_folder(folder: Path | str, *, recursive: bool = False) -> RawCorpus:
    """Every ``*.txt`` file of ``folder`` (of its sub-folders too when ``recursive``) as a document,
    ``doc_id`` = file stem.

    Nothing is written. A file that cannot be read becomes a :class:`Problem`; the rest go on.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    documents: list[RawDocument] = []
    problems: list[Problem] = []
    for path in sorted(folder.rglob("*.txt") if recursive else folder.glob("*.txt"), key=lambda p: p.name):
        try:
            text, encoding = decode_bytes(path.read_bytes())
        except UnreadableFile as exc:
            problems.append(Problem(path.name, str(exc)))
            continue
        except OSError as exc:
            problems.append(Problem(path.name, f"cannot be opened: {exc.strerror or exc}"))
            continue
        documents.append(RawDocument(path.stem, path, text, encoding))
    if not documents and not problems:
        raise CorpusError(f"no .txt files in {folder}")
    metadata, meta_problems = read_metadata(folder, [d.doc_id for d in documents])
    return RawCorpus(folder, documents, metadata, problems + meta_problems)


def report(problems: list[Problem], stream=None) -> None:
    """Print each problem on one line, ``file: problem``, to stderr by default."""
    stream = sys.stderr if stream is None else stream
    for p in problems:
        print(f"{p.severity}: {p.file}: {p.problem}", file=stream)
