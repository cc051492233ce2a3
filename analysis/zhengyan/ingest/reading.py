"""Reading a corpus folder: decode every ``.txt`` file, join ``metadata.csv``, report what cannot be read."""
from __future__ import annotations

import codecs
import csv
import errno
import hashlib
import os
import re
import stat
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from zhengyan.core import paths

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


#: Below this share of plausible characters a legacy decoding is refused as the wrong encoding or script.
MIN_CONFIDENCE = 0.75
#: A document read with a confidence below this is kept, with a warning naming it.
WARN_CONFIDENCE = 0.9
#: Valid UTF-8 is a strong sign by itself: it is doubted only below this confidence (mojibake, short GBK).
MIN_UTF8_CONFIDENCE = 0.5
#: Above this share of kana or hangul among the letters a text is refused as Japanese or Korean.
MAX_FOREIGN_SCRIPT = 0.2
#: At most this many invalid bytes (and one per thousand) are repaired in an otherwise UTF-8 file.
MAX_REPAIRS = 3
_PINYIN = frozenset("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüÜńňḿê")


_EXTRA = "·×÷°±…—‘’“”《》〈〉【】"


# one bit per kind of character, looked up in a table over the Basic Multilingual Plane
_PLAUSIBLE, _TEXTUAL, _CONTROL, _HAN, _KANA, _HANGUL, _LETTER, _WIDE = (1 << i for i in range(8))


@lru_cache(maxsize=1)
def _kinds() -> np.ndarray:
    """For each code point up to U+FFFF (and one slot for all beyond), the bits of the kinds it belongs to."""
    table = np.zeros(0x10001, dtype=np.uint8)
    codes = np.arange(0x10001)

    def span(*ranges):
        mask = np.zeros(len(codes), dtype=bool)
        for low, high in ranges:
            mask[low:high + 1] = True
        return mask

    listed = np.zeros(len(codes), dtype=bool)
    listed[[ord(ch) for ch in _common_chars() | _PINYIN | frozenset(_EXTRA)]] = True
    pinyin = np.zeros(len(codes), dtype=bool)
    pinyin[[ord(ch) for ch in _PINYIN]] = True
    kana = span((0x3040, 0x30FF), (0x31F0, 0x31FF))
    hangul = span((0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F))
    han = span((0x4E00, 0x9FFF), (0x3400, 0x4DBF))
    table[listed | span((0x3000, 0x303F), (0xFF01, 0xFF5E), (0x2000, 0x206F))] |= _PLAUSIBLE
    table[span((32, 126), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2000, 0x206F), (9, 10), (13, 13)) | han | listed] \
        |= _TEXTUAL
    table[(span((0, 31)) & ~span((9, 10), (12, 13))) | span((0xFFF0, 0xFFFC), (0xFFFE, 0xFFFF))] |= _CONTROL
    table[han] |= _HAN
    table[kana] |= _KANA
    table[hangul] |= _HANGUL
    table[kana | hangul | han | span((65, 90), (97, 122), (0xC0, 0x24F), (0xF900, 0xFAFF), (0x400, 0x4FF))] |= _LETTER
    table[128:] |= _WIDE
    return table


def _counts(text) -> np.ndarray:
    """How many characters of ``text`` have each combination of kind bits (256 counts; numpy, fast)."""
    if isinstance(text, np.ndarray):
        return text
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    return np.bincount(_kinds()[np.minimum(codes, 0x10000)], minlength=256)


def _n(counts: np.ndarray, bits: int, without: int = 0) -> int:
    return int(counts[_combos(bits, without)].sum())


@lru_cache(maxsize=64)
def _combos(bits: int, without: int) -> np.ndarray:
    """Indices of the kind-bit combinations that have every bit of ``bits`` and none of ``without``."""
    combos = np.arange(256)
    return np.flatnonzero(((combos & bits) == bits) & ((combos & without) == 0))


def plausibility(text) -> float:
    """Share of the Han characters of ``text`` that are among the common ones (0 when it has none)."""
    counts = _counts(text)
    total = _n(counts, _HAN)
    return _n(counts, _HAN | _PLAUSIBLE) / total if total else 0.0


def _control_share(text) -> float:
    counts = _counts(text)
    return _n(counts, _CONTROL) / max(int(counts.sum()), 1)


def _text_share(text) -> float:
    """Share of characters that belong in a Chinese text file: Han, ASCII, pinyin, CJK and general punctuation."""
    counts = _counts(text)
    return _n(counts, _TEXTUAL) / max(int(counts.sum()), 1)


@dataclass
class Decoded:
    """A decoded file: text, encoding, ``confidence`` (0–1, share of plausible characters) and warnings."""

    text: str
    encoding: str
    confidence: float = 1.0
    warnings: list[str] = field(default_factory=list)


def confidence(text) -> float:
    """Share of the non-ASCII characters of ``text`` that belong in Chinese text: common Han characters,
    CJK and full-width punctuation, pinyin vowels (1.0 when there are none)."""
    counts = _counts(text)
    total = _n(counts, _WIDE)
    return _n(counts, _WIDE | _PLAUSIBLE) / total if total else 1.0


def foreign_script(text) -> str | None:
    """"Japanese (kana 40% of letters)" or "Korean (hangul …)" when the text is mostly in that script, else None."""
    counts = _counts(text)
    total = _n(counts, _LETTER)
    if total < 4:
        return None
    for name, script, bit in (("Japanese", "kana", _KANA), ("Korean", "hangul", _HANGUL)):
        share = _n(counts, bit) / total
        if share > MAX_FOREIGN_SCRIPT:
            return f"{name} ({script} {share:.0%} of letters)"
    return None


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _ascii_text(text: str) -> bool:
    """True when too few characters are beyond ASCII to judge (fewer than four)."""
    return sum(1 for ch in text if ord(ch) > 127) < 4


def _repair_utf8(data: bytes) -> Decoded | None:
    """``data`` as UTF-8 with its few invalid bytes replaced by U+FFFD, each named with its offset; None if too many."""
    bad: list[tuple[int, int]] = []
    pieces: list[str] = []
    position = 0
    limit = min(MAX_REPAIRS, max(1, len(data) // 1000))
    while position < len(data):
        try:
            pieces.append(data[position:].decode("utf-8"))
            break
        except UnicodeDecodeError as exc:
            pieces.append(data[position:position + exc.start].decode("utf-8"))
            pieces.append("\ufffd")
            bad.append((position + exc.start, data[position + exc.start]))
            position += exc.end
            if len(bad) > limit:
                return None
    text = "".join(pieces)
    if confidence(text.replace("\ufffd", "")) < MIN_CONFIDENCE:
        return None
    where = ", ".join(f"0x{byte:02X} at byte {offset}" for offset, byte in bad)
    warning = f"invalid UTF-8 repaired: {where} replaced by U+FFFD (removed by cleaning)"
    return Decoded(text, "utf-8", 1.0, [warning])


def _wide(data: bytes) -> Decoded | None:
    """UTF-32 or UTF-16 without a byte-order mark, told by how the bytes fall: the decoding whose characters
    are (nearly) all text and plausible Chinese wins."""
    scored = []
    encodings = (("utf-32-le", "utf-32-be") if len(data) % 4 == 0 else ()) + (
        ("utf-16-le", "utf-16-be") if len(data) % 2 == 0 else ())
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _control_share(text) < 0.01 and _text_share(text) >= 0.9:
            scored.append((confidence(text), _text_share(text), text, encoding))
    if not scored:
        return None
    best = max(scored, key=lambda item: (item[0], item[1]))
    return Decoded(best[2], best[3], best[0]) if best[0] >= MIN_CONFIDENCE else None


#: Text with this share of control characters or more is refused as binary.
MAX_CONTROL_SHARE = 0.01
#: A file with more than one zero byte in this many is binary (unless it is UTF-16 or UTF-32).
BYTES_PER_ZERO = 10
#: A file that is no UTF with more than one control byte (other than tab, line feed, form feed and
#: carriage return) in this many is binary.
BYTES_PER_CONTROL = 100
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)  # UTF-32 LE before UTF-16 LE: its mark starts with UTF-16 LE's


def _from_bom(data: bytes) -> Decoded | None:
    """A file that starts with a byte-order mark is in that encoding, or unreadable; None without a mark."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"has a {encoding} byte-order mark but is not {encoding}: {exc.reason} at byte {exc.start}")
    return None


def _plain_utf8(data: bytes, zeros: int) -> tuple[Decoded | None, np.ndarray | None, Decoded | None]:
    """Valid UTF-8, if its characters are plausible: ``(found, its character counts, fallback)``.

    Valid UTF-8 of implausible characters (short GBK can pass as UTF-8) is not taken: the other
    encodings are tried first, and when it is plain text too short to judge it comes back as the
    ``fallback``, used unless a legacy encoding fits well. Text in kana or hangul is refused."""
    try:
        text = data.decode("utf-8")
        utf8_counts = _counts(text)
        script = foreign_script(utf8_counts)
        if script:
            raise UnreadableFile(f"unsupported script: {script}; decoded as utf-8")
        score = confidence(utf8_counts)
        if zeros <= len(data) // BYTES_PER_ZERO and _control_share(utf8_counts) < MAX_CONTROL_SHARE:
            if score >= MIN_UTF8_CONFIDENCE:
                return Decoded(text, "utf-8", round(score, 3)), utf8_counts, None
            if _ascii_text(text):
                return None, None, Decoded(text, "utf-8", round(score, 3))
    except UnicodeDecodeError:
        pass
    return None, None, None


def _refuse_implausible(data: bytes, text: str, encoding: str, score: float) -> None:
    """Refuse the best legacy decoding when its confidence is below :data:`MIN_CONFIDENCE`, saying why."""
    if score < MIN_CONFIDENCE and _utf8(data) is not None:
        raise UnreadableFile(
            f"decodes as UTF-8 with confidence {confidence(_utf8(data)):.2f} (share of characters plausible in "
            f"Chinese text, needs {MIN_UTF8_CONFIDENCE}), and no better as GB18030 or Big5: mojibake or another "
            f"script")
    if score < MIN_CONFIDENCE and not _ascii_text(text):
        raise UnreadableFile(
            f"decodes as {encoding} with confidence {score:.2f} (share of characters plausible in Chinese text, "
            f"needs {MIN_CONFIDENCE}): another encoding (Shift-JIS, EUC-KR …) or mojibake")


def _legacy(data: bytes, zeros: int, fallback: Decoded | None) -> Decoded:
    """The last candidates: GB18030 and Big5, the more plausible (a tie goes to GB18030), or the short
    UTF-8 ``fallback`` when neither fits well; refused as binary, undecodable or implausible."""
    byte_counts = np.bincount(np.frombuffer(data, dtype=np.uint8), minlength=256)
    control_bytes = int(byte_counts[:32].sum() - byte_counts[[9, 10, 12, 13]].sum())
    if zeros or control_bytes > len(data) // BYTES_PER_CONTROL:
        raise UnreadableFile(f"binary file ({control_bytes} control bytes in {len(data)})")
    scored = []
    for encoding in LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((confidence(text), plausibility(text), text, encoding))
    if not scored:
        raise UnreadableFile("undecodable: not UTF-8, UTF-16, UTF-32, GB18030 or Big5")
    score, _, text, encoding = max(scored, key=lambda item: item[0])  # a tie goes to GB18030
    if fallback is not None and score < MIN_CONFIDENCE:
        return fallback
    _refuse_implausible(data, text, encoding, score)
    return Decoded(text, encoding, round(score, 3))


def _candidates(data: bytes) -> tuple[Decoded, np.ndarray | None]:
    """The first decoding that fits, in the order of :func:`decode`, with its character counts if known."""
    found = _from_bom(data)
    if found is not None:
        return found, None
    zeros = data.count(0)
    found, counts, fallback = _plain_utf8(data, zeros)
    if found is not None:
        return found, counts
    if zeros or len(data) % 2 == 0:
        found = _wide(data)
        if found is not None:
            return found, None
    if zeros > len(data) // BYTES_PER_ZERO:
        raise UnreadableFile(f"binary file ({zeros} zero bytes in {len(data)})")
    found = _repair_utf8(data)
    if found is not None:
        return found, None
    return _legacy(data, zeros, fallback), None


def _checked(found: Decoded, counts: np.ndarray | None) -> Decoded:
    """The decoded text judged (no binary, no foreign script, not empty) with its line endings normalised."""
    text = found.text
    counts = _counts(text) if counts is None else counts
    if _control_share(counts) >= MAX_CONTROL_SHARE:
        raise UnreadableFile(f"binary file (decodes as {found.encoding} but {_control_share(counts):.0%} control "
                             f"characters)")
    script = foreign_script(counts)
    if script:
        raise UnreadableFile(f"unsupported script: {script}; decoded as {found.encoding}")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UnreadableFile("empty file (only white space)")
    found.text = text
    return found


def decode(data: bytes) -> Decoded:
    """Decode a file's bytes into a :class:`Decoded`, or raise :class:`UnreadableFile` saying why.

    Order: byte-order marks (UTF-8, UTF-16, UTF-32); UTF-8; UTF-32 and UTF-16 without a mark (told
    by the distribution of their bytes); UTF-8 with up to :data:`MAX_REPAIRS` invalid bytes
    (repaired, with a warning naming each byte's offset); then GB18030 and Big5, keeping the more
    plausible. A decoding whose confidence (share of characters plausible in Chinese text) is below
    :data:`MIN_CONFIDENCE` is refused, naming the confidence (Shift-JIS, EUC-KR and mojibake end
    there), and so is text mostly in kana or hangul. Text full of control characters is refused
    as binary.
    """
    if not data.strip():
        raise UnreadableFile("empty file")
    found, counts = _candidates(data)
    return _checked(found, counts)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of a file's bytes (see :func:`decode`), or :class:`UnreadableFile`."""
    found = decode(data)
    return found.text, found.encoding


#: Years a document may carry; outside them a metadata year is reported and left empty.
YEAR_RANGE = (1800, 2100)
_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_YEAR = re.compile(r"(?<![0-9])([0-9]{4})(?![0-9])")


def parse_year(value) -> tuple[int | None, str | None]:
    """``(year, None)`` from a metadata value, or ``(None, why)`` when it holds none or an impossible one.

    Read: "1998", "1998年", "1998-05-01", full-width "１９９８年", Chinese numerals "二〇二〇年" and
    "一九九八年". Refused with a reason: more or fewer digits than four ("1234567", "98"), two
    different years, a year outside :data:`YEAR_RANGE`. An empty value is simply no year.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None, None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None, None
    text = text.translate(_CHINESE_DIGITS)
    years = {int(y) for y in _YEAR.findall(text)}
    if not years:
        digits = re.findall(r"[0-9]+", text)
        return None, f"year {value!r} holds no four-digit year" + (f" ({digits[0]})" if digits else "")
    if len(years) > 1:
        return None, f"year {value!r} holds more than one year ({', '.join(map(str, sorted(years)))})"
    year = years.pop()
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        return None, f"year {value!r} is outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}"
    return year, None


def read_metadata(folder: Path, doc_ids: list[str], path=..., names: dict[str, str] | None = None
                  ) -> tuple[pd.DataFrame, list[Problem]]:
    """``metadata.csv`` joined on ``doc_id``; rows without a file and files without a row are reported.

    ``path``: the metadata file :func:`corpus_files` found, or None for none (default: the one it finds);
    ``names``: the file name to report for a ``doc_id`` (default ``<doc_id>.txt``)."""
    problems: list[Problem] = []
    if path is ...:
        path = corpus_files(folder).metadata
    if path is None:
        return pd.DataFrame({"doc_id": pd.Series(doc_ids, dtype=str)}), problems
    try:
        text, _ = decode_bytes(read_file(path))
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
            problems.append(Problem((names or {}).get(doc_id, f"{doc_id}.txt"), "no row in metadata.csv", "warning"))
    table = table[table["doc_id"].isin(known)]
    if "year" in table.columns:
        parsed = [parse_year(value) for value in table["year"]]
        for doc_id, value, (_, problem) in zip(table["doc_id"], table["year"], parsed):
            if problem:
                problems.append(Problem(path.name, f"row {doc_id!r}: {problem}; year left empty", "warning"))
        table = table.assign(year=pd.array([year for year, _ in parsed], dtype="Int64"))
    base = pd.DataFrame({"doc_id": pd.Series(doc_ids, dtype=str)})
    return base.merge(table, on="doc_id", how="left"), problems


# --------------------------------------------------------------------------- which files make a corpus
#: Sub-folders deeper than this below the corpus folder are not read (with a warning), even with ``recursive``.
MAX_DEPTH = 32
#: A file longer than this is first judged by its first this-many bytes: a binary one is refused unread.
HEAD_BYTES = 1 << 16
#: The longest file name the file systems of Linux and macOS take, in bytes (``NAME_MAX``).
NAME_MAX = 255
_KINDS = ((stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
          (stat.S_ISSOCK, "socket"), (stat.S_ISDIR, "folder"))
_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNSHOWN = {"Cc", "Cf", "Zl", "Zp"}  # control, format (bidirectional overrides, zero-width), line separators


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "special file")


def _name_bytes(name: str) -> bytes:
    """The bytes of a file name as the system holds it (names that are not UTF-8 reach Python as surrogates)."""
    try:
        return os.fsencode(name)
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogatepass")


def utf8_name(name: str) -> str:
    """A file name as valid UTF-8 text: bytes that are not UTF-8 written ``\\xff``; a UTF-8 name is unchanged."""
    return _name_bytes(name).decode("utf-8", "backslashreplace")


def shown(name) -> str:
    """A file name or path as one readable line: bytes that are not UTF-8 as ``\\xff``; control, format and
    line-separator characters escaped (``\\n``, ``\\t``, ``\\x01``, ``\\u202e``), so that a problem is always
    printed and written on one line and reads as it is stored."""
    text = utf8_name(str(name))
    if text.isprintable():
        return text
    return "".join(_ESCAPES.get(ch, f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
                   if unicodedata.category(ch) in _UNSHOWN else ch for ch in text)


def _why(exc: OSError) -> str:
    """An operating-system error in words, path left out (the problem names the file already)."""
    if exc.errno == errno.ENAMETOOLONG:
        return f"its path is longer than the system allows (PATH_MAX, {_path_max()} bytes)"
    if exc.errno == errno.ELOOP:
        return "symbolic links that lead in a circle"
    return exc.strerror or str(exc)


def _path_max() -> int:
    try:
        return os.pathconf("/", "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):
        return 4096


def open_regular(path: Path):
    """``path`` opened for reading in binary, only when it is a regular file (else :class:`UnreadableFile`).

    Opened without blocking (a FIFO swapped in after the listing never hangs), then checked on the open file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UnreadableFile(f"cannot be opened: {_why(exc)}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise UnreadableFile(f"not a regular file but a {_kind(mode)}: left out, never read")
    return os.fdopen(fd, "rb")


def read_file(path: Path) -> bytes:
    """The bytes of a regular file; one longer than :data:`HEAD_BYTES` is refused as binary from its first bytes
    alone (a 1 GB file of zeros is never read whole). :class:`UnreadableFile` says why a file is not read."""
    with open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size <= HEAD_BYTES:
            return fh.read()
        head = fh.read(HEAD_BYTES)
        binary = _binary_head(head)
        if binary:
            raise UnreadableFile(f"{binary}, judged from its first {len(head):,} bytes of {size:,}: not read further")
        return head + fh.read()


def _binary_head(head: bytes) -> str | None:
    """Why the first bytes of a file show it is binary (the reason :func:`decode` gives), or None."""
    reason = None
    for cut in (head, head[:-2]):  # the first bytes may end inside a UTF-16 surrogate pair
        try:
            decode(cut)
            return None
        except UnreadableFile as exc:
            if not str(exc).startswith("binary file"):
                return None
            reason = reason or str(exc)
    return reason


def file_sha256(path: Path) -> str:
    """SHA-256 of a regular file's bytes, read in blocks (:class:`UnreadableFile` for anything else)."""
    digest = hashlib.sha256()
    with open_regular(path) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class CorpusFiles(NamedTuple):
    """What makes a corpus: ``files`` (regular ``.txt`` files, in ``doc_id`` order), ``problems`` (every file or
    folder named and left out, with the reason) and ``metadata`` (``metadata.csv`` when it can be read)."""

    files: list[Path]
    problems: list[Problem]
    metadata: Path | None


def _is_text_name(name: str) -> bool:
    return name[-4:].lower() == ".txt" and len(name) > 4


def corpus_files(folder: Path | str, recursive: bool = False) -> CorpusFiles:
    """The one list of the files that make the corpus of ``folder``, used by every reader and fingerprint.

    A document is a regular file named ``*.txt`` (any case: ``.TXT``, ``.Txt``), directly in ``folder``
    or, when ``recursive``, in its sub-folders up to :data:`MAX_DEPTH` levels down. Nothing is opened:
    each entry is judged by ``lstat``/``stat``. Hidden files and folders are skipped silently. Named in
    ``problems`` and left out: FIFOs, devices, sockets and links to them; symbolic links that lead out
    of the corpus folder or nowhere; a name that is two spellings of one ``doc_id`` (``a.txt`` wins
    over ``a.TXT``); names too long once their bytes that are not UTF-8 are escaped. Named as
    warnings: sub-folders not read (without ``recursive``: counted from their direct entries only, the
    tree below is never walked), symbolic links to folders (never followed, so a link to ``/`` or to a
    parent folder walks nothing), folders beyond the depth limit or seen twice (bind mounts), folders that
    cannot be listed (no permission, a path longer than PATH_MAX), file names that are not UTF-8 (read,
    their ``doc_id`` written with ``\\xff`` escapes).
    """
    folder = Path(folder)
    root = os.path.realpath(folder)
    above = _identities([Path(root), *Path(root).parents])  # the corpus folder and the folders above it
    seen: set = set()
    found: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    metadata = None
    folders = [(folder, ())]
    while folders:
        directory, parts = folders.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            if not parts:
                raise CorpusError(f"corpus folder cannot be read: {shown(folder)}: {_why(exc)}") from None
            label = _elided(shown("/".join(parts)) + "/", directory, exc)
            problems.append(Problem(label, f"sub-folder not read: {_why(exc)}", "warning"))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            relative = (*parts, name)
            label = shown("/".join(relative))
            text = _is_text_name(name)
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                is_dir = entry.is_dir(follow_symlinks=False)
                label = _elided(label + "/" * is_dir, entry.path, exc)
                if is_dir:
                    problems.append(Problem(label, f"sub-folder not read: {_why(exc)}", "warning"))
                elif text:
                    problems.append(Problem(label, f"cannot be examined: {_why(exc)}; left out"))
                continue
            link = stat.S_ISLNK(info.st_mode)
            target = os.path.realpath(entry.path) if link else None
            inside = target is None or target == root or target.startswith(root.rstrip(os.sep) + os.sep)
            if link:
                try:
                    info = os.stat(entry.path)
                except OSError as exc:
                    if text:
                        problems.append(Problem(label, f"symbolic link to {shown(target)} that cannot be followed "
                                                       f"({_why(exc)}); left out"))
                    continue
            if stat.S_ISDIR(info.st_mode):
                note = _folder_note(entry, info, link, target, inside, root, above, seen, recursive, len(parts))
                if note:
                    problems.append(Problem(label + "/", note, "warning"))
                elif recursive:
                    seen.add(_identity(info))
                    folders.append((Path(entry.path), relative))
                continue
            if not parts and name == "metadata.csv":
                why = _refused(info, link, target, inside)
                if why:
                    problems.append(Problem(label, f"metadata.csv not read: {why}"))
                else:
                    metadata = Path(entry.path)
                continue
            if not text:
                continue
            why = _refused(info, link, target, inside)
            if why:
                problems.append(Problem(label, why))
                continue
            found.append(("/".join(relative), Path(entry.path)))
    files = _one_per_doc_id(found, folder, problems)
    return CorpusFiles(files, problems, metadata)


def _elided(label: str, path, exc: OSError) -> str:
    """A path too long to be opened named by its two ends and its length (whole, it would fill a screen)."""
    if exc.errno != errno.ENAMETOOLONG or len(label) <= 200:
        return label
    return f"{label[:80]}…{label[-80:]} ({len(_name_bytes(str(path))):,} bytes)"


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _identities(folders: list[Path]) -> set[tuple[int, int]]:
    found = set()
    for folder in folders:
        try:
            found.add(_identity(os.stat(folder)))
        except OSError:
            continue
    return found


def _refused(info: os.stat_result, link: bool, target: str | None, inside: bool) -> str | None:
    """Why a file (already stat-ed, through its link) is left out, or None when it is read."""
    if link and not inside:
        return f"symbolic link to {shown(target)}, outside the corpus folder; left out (copy the file in to read it)"
    if not stat.S_ISREG(info.st_mode):
        through = f" (through a symbolic link to {shown(target)})" if link else ""
        return f"not a regular file but a {_kind(info.st_mode)}{through}: left out, never opened"
    return None


def _folder_note(entry, info, link, target, inside, root, above, seen, recursive, depth) -> str | None:
    """The warning that names a sub-folder left out, or None when it is walked (or, not ``recursive``, holds
    nothing to read)."""
    if link:
        if _identity(info) in above:
            where = f"{shown(target)}, the corpus folder or a folder above it (a loop)"
        elif inside:
            where = f"{shown(os.path.relpath(target, root))}, inside the corpus folder (its files are read there)"
        else:
            where = f"{shown(target)}, outside the corpus folder"
        return f"symbolic link to the folder {where}; not followed"
    if not recursive:
        try:
            with os.scandir(entry.path) as listing:  # the direct entries only: the tree below is never walked
                names = [(e.name, e.is_dir(follow_symlinks=False)) for e in listing if not e.name.startswith(".")]
        except OSError as exc:
            return f"sub-folder not read: {_why(exc)}"
        n = sum(1 for name, is_dir in names if not is_dir and _is_text_name(name))
        subs = sum(1 for _, is_dir in names if is_dir)
        if not n and not subs:
            return None
        inner = f" and {subs} sub-folder{'s' * (subs != 1)}" if subs else ""
        return (f"sub-folder with {n} .txt file{'s' * (n != 1)}{inner} not read (read them with recursive=True, "
                f"or --recursive)")
    if _identity(info) in above or _identity(info) in seen:
        return "the same folder as one already read (a bind mount or a loop); not read again"
    if depth + 1 > MAX_DEPTH:
        return f"deeper than {MAX_DEPTH} levels of sub-folders; not read"
    return None


def _one_per_doc_id(found: list[tuple[str, Path]], folder: Path, problems: list[Problem]) -> list[Path]:
    """The files sorted by their name below the corpus, one per ``doc_id``: the others are named and left out."""
    kept: dict[str, tuple[str, Path]] = {}
    for relative, path in sorted(found, key=lambda item: (not item[0].endswith(".txt"), item[0])):
        doc_id = doc_id_of(path, folder)
        label = shown(relative)
        if doc_id in kept:
            problems.append(Problem(label, f"same doc_id {doc_id!r} as {shown(kept[doc_id][0])}; left out "
                                           f"(rename one of them)"))
            continue
        lengths = [len(part.encode("utf-8")) for part in doc_id.split("/")]
        lengths[-1] += len(".txt")  # the clean text is written as <doc_id>.txt
        if max(lengths) > NAME_MAX:
            problems.append(Problem(label, f"name too long once its bytes that are not UTF-8 are escaped "
                                           f"({max(lengths)} bytes, the limit is {NAME_MAX}); left out (rename it)"))
            continue
        if utf8_name(relative) != relative:
            problems.append(Problem(label, f"name is not valid UTF-8: read as doc_id {doc_id!r} (each byte that "
                                           f"is not UTF-8 written \\xNN; rename the file to choose another)",
                                    "warning"))
        kept[doc_id] = (relative, path)
    return [path for relative, path in sorted(kept.values(), key=lambda item: item[0])]


def doc_id_of(path: Path, folder: Path) -> str:
    """The document id of a file: its stem, or for a file in a sub-folder, its path below the corpus without
    ``.txt`` (``2020/speech``). Bytes of the name that are not UTF-8 are written ``\\xff``."""
    relative = path.relative_to(folder)
    return utf8_name(relative.with_suffix("").as_posix() if len(relative.parts) > 1 else path.stem)


def read_folder(folder: Path | str, *, recursive: bool = False) -> RawCorpus:
    """Every ``*.txt`` file of ``folder`` (of its sub-folders too when ``recursive``) as a document,
    ``doc_id`` = file stem (``sub/stem`` below a sub-folder); the files are those of :func:`corpus_files`.

    Nothing is written. A file that cannot be read becomes a :class:`Problem`; the rest go on.
    Reported too: repaired bytes (warning, with their offsets), what :func:`corpus_files` leaves out
    (special files, symbolic links that lead out of the folder, sub-folders not read …).
    """
    if isinstance(folder, str) and not folder.strip():
        raise CorpusError("the corpus folder is an empty string")
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    documents: list[RawDocument] = []
    files, problems, metadata_file = corpus_files(folder, recursive)
    for path in files:
        name = shown(path.relative_to(folder).as_posix())
        try:
            found = decode(read_file(path))
        except UnreadableFile as exc:
            problems.append(Problem(name, str(exc)))
            continue
        except OSError as exc:
            problems.append(Problem(name, f"cannot be read: {_why(exc)}"))
            continue
        problems += [Problem(name, warning, "warning") for warning in found.warnings]
        if found.confidence < WARN_CONFIDENCE:
            problems.append(Problem(name, f"decoded as {found.encoding} with confidence {found.confidence:.2f} (share "
                                          f"of characters plausible in Chinese text): check the text", "warning"))
        documents.append(RawDocument(doc_id_of(path, folder), path, found.text, found.encoding))
    if not documents and not problems:
        raise CorpusError(f"no .txt files in {folder}")
    metadata, meta_problems = read_metadata(folder, [d.doc_id for d in documents], metadata_file,
                                            {d.doc_id: shown(d.path.relative_to(folder).as_posix()) for d in documents})
    return RawCorpus(folder, documents, metadata, problems + meta_problems)


def report(problems: list[Problem], stream=None) -> None:
    """Print each problem on one line, ``file: problem``, to stderr by default."""
    stream = sys.stderr if stream is None else stream
    for p in problems:
        print(f"{p.severity}: {p.file}: {p.problem}", file=stream)
