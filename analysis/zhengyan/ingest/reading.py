"""Reading a corpus folder: decode every ``.txt`` file, join ``metadata.csv``, report what cannot be read."""
from __future__ import annotations

import codecs
import csv
import re
import unicodedata
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    found: Decoded | None = None
    counts = None  # the character counts of found.text, when already known
    fallback: Decoded | None = None  # short valid UTF-8 of doubtful characters
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                found = Decoded(data.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"has a {encoding} byte-order mark but is not {encoding}: {exc.reason} at byte {exc.start}")
            break
    zeros = data.count(0)
    if found is None:
        try:
            text = data.decode("utf-8")
            # valid UTF-8 whose characters are implausible (short GBK can pass as UTF-8) tries the rest first
            utf8_counts = _counts(text)
            script = foreign_script(utf8_counts)
            if script:
                raise UnreadableFile(f"unsupported script: {script}; decoded as utf-8")
            score = confidence(utf8_counts)
            if zeros <= len(data) // 10 and _control_share(utf8_counts) < 0.01:
                if score >= MIN_UTF8_CONFIDENCE:
                    found, counts = Decoded(text, "utf-8", round(score, 3)), utf8_counts
                elif _ascii_text(text):  # too few characters to judge: UTF-8 unless a legacy encoding fits well
                    fallback = Decoded(text, "utf-8", round(score, 3))
        except UnicodeDecodeError:
            pass
    if found is None and (zeros or len(data) % 2 == 0):
        found = _wide(data)
    if found is None and zeros > len(data) // 10:
        raise UnreadableFile(f"binary file ({zeros} zero bytes in {len(data)})")
    if found is None:
        found = _repair_utf8(data)
    byte_counts = np.bincount(np.frombuffer(data, dtype=np.uint8), minlength=256)
    control_bytes = int(byte_counts[:32].sum() - byte_counts[[9, 10, 12, 13]].sum())
    if found is None:
        if zeros or control_bytes > len(data) // 100:
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
            found = fallback
    if found is None:
        if score < MIN_CONFIDENCE and _utf8(data) is not None:
            raise UnreadableFile(
                f"decodes as UTF-8 with confidence {confidence(_utf8(data)):.2f} (share of characters plausible in "
                f"Chinese text, needs {MIN_UTF8_CONFIDENCE}), and no better as GB18030 or Big5: mojibake or another "
                f"script")
        if score < MIN_CONFIDENCE and not _ascii_text(text):
            raise UnreadableFile(
                f"decodes as {encoding} with confidence {score:.2f} (share of characters plausible in Chinese text, "
                f"needs {MIN_CONFIDENCE}): another encoding (Shift-JIS, EUC-KR …) or mojibake")
        found = Decoded(text, encoding, round(score, 3))
    text = found.text
    counts = _counts(text) if counts is None else counts
    if _control_share(counts) >= 0.01:
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
        parsed = [parse_year(value) for value in table["year"]]
        for doc_id, value, (_, problem) in zip(table["doc_id"], table["year"], parsed):
            if problem:
                problems.append(Problem(path.name, f"row {doc_id!r}: {problem}; year left empty", "warning"))
        table = table.assign(year=pd.array([year for year, _ in parsed], dtype="Int64"))
    base = pd.DataFrame({"doc_id": pd.Series(doc_ids, dtype=str)})
    return base.merge(table, on="doc_id", how="left"), problems


def _text_files(folder: Path, recursive: bool) -> tuple[list[Path], list[Problem]]:
    """The ``.txt`` files to read, sorted, and what is reported about the rest: symlinks that leave the
    folder, sub-folders not read (unless ``recursive``). Hidden files and folders are skipped."""
    root = folder.resolve()
    files: list[Path] = []
    problems: list[Problem] = []
    candidates = folder.rglob("*.txt") if recursive else folder.glob("*.txt")
    for path in candidates:
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        target = path.resolve()  # a symbolic link, or a file below a linked folder, may lead anywhere
        try:
            target.relative_to(root)
        except ValueError:
            problems.append(Problem(relative.as_posix(), f"symbolic link to {target}, outside the corpus folder; "
                                                         f"left out (copy the file in to read it)"))
            continue
        files.append(path)
    if not recursive:
        for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
            n = sum(1 for _ in sub.rglob("*.txt"))
            if n:
                problems.append(Problem(sub.name + "/", f"sub-folder with {n} .txt file{'s' * (n != 1)} not read "
                                                        f"(read them with recursive=True, or --recursive)", "warning"))
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix()), problems


def doc_id_of(path: Path, folder: Path) -> str:
    """The document id of a file: its stem, or for a file in a sub-folder, its path below the corpus without
    ``.txt`` (``2020/speech``)."""
    relative = path.relative_to(folder)
    return relative.with_suffix("").as_posix() if len(relative.parts) > 1 else path.stem


def read_folder(folder: Path | str, *, recursive: bool = False) -> RawCorpus:
    """Every ``*.txt`` file of ``folder`` (of its sub-folders too when ``recursive``) as a document,
    ``doc_id`` = file stem (``sub/stem`` below a sub-folder).

    Nothing is written. A file that cannot be read becomes a :class:`Problem`; the rest go on.
    Reported too: repaired bytes (warning, with their offsets), symbolic links that lead out of the
    folder (left out), sub-folders holding ``.txt`` files when not ``recursive`` (warning).
    """
    if isinstance(folder, str) and not folder.strip():
        raise CorpusError("the corpus folder is an empty string")
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    documents: list[RawDocument] = []
    files, problems = _text_files(folder, recursive)
    for path in files:
        name = path.relative_to(folder).as_posix()
        try:
            found = decode(path.read_bytes())
        except UnreadableFile as exc:
            problems.append(Problem(name, str(exc)))
            continue
        except OSError as exc:
            problems.append(Problem(name, f"cannot be opened: {exc.strerror or exc}"))
            continue
        problems += [Problem(name, warning, "warning") for warning in found.warnings]
        if found.confidence < WARN_CONFIDENCE:
            problems.append(Problem(name, f"decoded as {found.encoding} with confidence {found.confidence:.2f} (share "
                                          f"of characters plausible in Chinese text): check the text", "warning"))
        documents.append(RawDocument(doc_id_of(path, folder), path, found.text, found.encoding))
    if not documents and not problems:
        raise CorpusError(f"no .txt files in {folder}")
    metadata, meta_problems = read_metadata(folder, [d.doc_id for d in documents])
    return RawCorpus(folder, documents, metadata, problems + meta_problems)


def report(problems: list[Problem], stream=None) -> None:
    """Print each problem on one line, ``file: problem``, to stderr by default."""
    stream = sys.stderr if stream is None else stream
    for p in problems:
        print(f"{p.severity}: {p.file}: {p.problem}", file=stream)
