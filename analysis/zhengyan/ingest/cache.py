"""The corpus cache: clean text, audit, sentences and tokens of a corpus's documents, in verified Parquet parts.

One folder per corpus folder under the project's cache. A *part* is a sub-folder holding the four
tables (``documents``, ``tokens``, ``sentences``, ``audit``) of some documents, each row keyed by the
document's fingerprint (hash of its text as read, its encoding, and the code and lexicon signature),
and a ``manifest.json`` written last with each file's row count and SHA-256. A part is written in a
uniquely named temporary folder (``tmp-<time>-<process id>-<random>``) and renamed into place, so a reader
never sees half of one and concurrent runs never share a temporary name; the temporary folder of a run
that was killed is deleted by the next load once its process is gone.

On read every file is checked against the manifest (checksum, rows, columns) and every clean text
against its own hash; a part that fails is deleted with a warning and its documents processed
again. Parts holding no document of the current corpus are deleted; many small parts are merged.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import time
import uuid
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from zhengyan.core import paths
from zhengyan.ingest.pipeline import KIND_CATEGORIES, TABLE_COLUMNS

#: Version of the layout; parts of another version are foreign and rebuilt.
FORMAT = 1
TABLES = tuple(TABLE_COLUMNS)
#: Rows of a Parquet row group (Arrow's default size); a part's table is written one row group at a time.
ROW_GROUP = 1024 * 1024
#: More parts than this (or more stale documents than current ones) and the cache is merged into one part.
MAX_PARTS = 8


class BrokenEntry(Exception):
    """A cache part that cannot be trusted; the message says why."""


def corpus_key(folder: Path, recursive: bool = False) -> str:
    """The cache folder name of a corpus folder: its name and a hash of its resolved path."""
    resolved = str(Path(folder).expanduser().resolve())
    digest = hashlib.sha256(os.fsencode(f"{resolved}\0{recursive}")).hexdigest()[:16]  # a name's bytes, any
    name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in Path(resolved).name)[:40]
    return f"{name}-{digest}"


def parquet_encodings(schema: pa.Schema) -> dict:
    """Parquet writer options for ``schema``: dictionaries for the categoricals only, whole numbers delta-coded
    (offsets and ids that mostly grow by small steps), texts plain. Against Arrow's defaults (a dictionary
    tried on every column) a token table is written faster and takes half the space."""
    return {"use_dictionary": [field.name for field in schema if pa.types.is_dictionary(field.type)],
            "column_encoding": {field.name: "DELTA_BINARY_PACKED" for field in schema
                                if pa.types.is_integer(field.type)}}


class CorpusCache:
    """The cached tables of one corpus folder (see the module's docstring)."""

    def __init__(self, folder: Path, *, recursive: bool = False, root: Path | None = None):
        self.dir = (paths.CACHE if root is None else Path(root)) / "corpora" / corpus_key(folder, recursive)

    # ------------------------------------------------------------------ reading
    def parts(self) -> list[Path]:
        if not self.dir.is_dir():
            return []
        return sorted(p for p in self.dir.iterdir() if p.name.startswith("part-") and p.is_dir())

    def _manifest(self, part: Path) -> dict:
        try:
            manifest = json.loads((part / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise
        except (OSError, ValueError) as exc:
            raise BrokenEntry(f"manifest unreadable: {exc}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BrokenEntry(f"not a format-{FORMAT} cache part")
        files, fps = manifest.get("files"), manifest.get("fingerprints")
        if not isinstance(files, dict) or set(files) != set(TABLES) or not isinstance(fps, list):
            raise BrokenEntry("manifest lacks its files or fingerprints")
        return manifest

    def _read_table(self, part: Path, name: str, entry: dict, wanted: set[str] | None) -> pd.DataFrame:
        data = (part / f"{name}.parquet").read_bytes()
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise BrokenEntry(f"{name}.parquet does not match its checksum")
        try:
            table = pq.read_table(io.BytesIO(data))
        except (pa.ArrowException, OSError) as exc:
            raise BrokenEntry(f"{name}.parquet unreadable: {exc}") from None
        if table.num_rows != entry.get("rows") or tuple(table.column_names) != TABLE_COLUMNS[name]:
            raise BrokenEntry(f"{name}.parquet has {table.num_rows} rows and columns {table.column_names}")
        if wanted is not None:
            table = table.filter(pc.is_in(pc.cast(table["fingerprint"], pa.string()),
                                          value_set=pa.array(sorted(wanted), pa.string())))
        return table.to_pandas(split_blocks=True, self_destruct=True)  # frees Arrow's copy column by column

    def _read_part(self, part: Path, manifest: dict, wanted: set[str]) -> dict[str, pd.DataFrame]:
        every = wanted >= set(manifest["fingerprints"])
        tables = {name: self._read_table(part, name, manifest["files"][name], None if every else wanted)
                  for name in TABLES}
        docs = tables["documents"]
        if set(docs["fingerprint"].astype(str)) != wanted & set(manifest["fingerprints"]):
            raise BrokenEntry("documents table and manifest disagree")
        for text, sha in zip(docs["text"], docs["text_sha"]):
            if hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() != sha:
                raise BrokenEntry("a clean text does not match its hash")
        return _normalise(tables)

    def load(self, fingerprints: set[str]) -> tuple[list[dict[str, pd.DataFrame]], set[str]]:
        """The cached tables of as many of ``fingerprints`` as the cache holds, and the set found.

        Broken parts are deleted with a warning; parts holding none of ``fingerprints`` are deleted, and so
        are the temporary folders of runs that were killed (:meth:`remove_stale`).
        """
        self.remove_stale()
        manifests = {}
        for part in self.parts():
            try:
                manifests[part] = self._manifest(part)
            except FileNotFoundError:
                continue  # being written or removed by another run
            except BrokenEntry as exc:
                self._discard(part, str(exc))
        assigned: dict[Path, set[str]] = {}
        left = set(fingerprints)
        for part in sorted(manifests, key=lambda p: (-len(left & set(manifests[p]["fingerprints"])), p.name)):
            mine = left & set(manifests[part]["fingerprints"])
            if mine:
                assigned[part] = mine
                left -= mine
        for part in manifests:
            if part not in assigned:
                self._remove(part)
        found: set[str] = set()
        tables = []
        for part, wanted in assigned.items():
            try:
                tables.append(self._read_part(part, manifests[part], wanted))
                found |= wanted
            except FileNotFoundError:
                continue
            except BrokenEntry as exc:
                self._discard(part, str(exc))
        self.stale = sum(len(manifests[p]["fingerprints"]) - len(w) for p, w in assigned.items())
        self.used = [p for p in assigned if p.exists()]
        return tables, found

    def remove_stale(self, now: float | None = None) -> list[Path]:
        """Delete what killed runs left in this corpus's cache folder, and return it: ``tmp-…`` folders whose
        process (the id in the name) is gone, or that nothing has changed for :data:`STALE_AGE` seconds
        (a process id the system gave again to another process), and ``trash-…`` folders (already out of use).
        The temporary folder of a live process is never touched."""
        try:
            entries = list(self.dir.iterdir())
        except OSError:  # no cache yet, or one that cannot be listed: nothing to clean
            return []
        now = time.time() if now is None else now
        removed = []
        for entry in entries:
            if entry.name.startswith("trash-") or (entry.name.startswith("tmp-") and _abandoned(entry, now)):
                if entry.name.startswith("tmp-"):
                    trash = entry.with_name(f"trash-{uuid.uuid4().hex}")
                    try:
                        os.rename(entry, trash)  # one rename: no two runs delete one folder half each
                    except OSError:
                        continue
                else:
                    trash = entry
                shutil.rmtree(trash, ignore_errors=True)
                removed.append(entry)
        return removed

    def _discard(self, part: Path, reason: str) -> None:
        warnings.warn(f"cache entry {part} is broken ({reason}); it is deleted and its documents processed again",
                      RuntimeWarning, stacklevel=3)
        self._remove(part)

    @staticmethod
    def _remove(part: Path) -> None:
        # rename first so that no reader finds half a folder, then delete
        trash = part.with_name(f"trash-{uuid.uuid4().hex}")
        try:
            os.rename(part, trash)
        except OSError:
            return
        shutil.rmtree(trash, ignore_errors=True)

    # ------------------------------------------------------------------ writing
    def store(self, tables: dict[str, pd.DataFrame]) -> Path | None:
        """Write ``tables`` (the four tables of some documents) as a new part; None when the cache is not writable."""
        fps = tables["documents"]["fingerprint"].astype(str).tolist()
        if not fps:
            return None
        name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        tmp = self.dir / f"tmp-{name}"
        try:
            tmp.mkdir(parents=True)
            files = {}
            for table_name in TABLES:
                frame = tables[table_name]
                path = tmp / f"{table_name}.parquet"
                frame = frame[list(TABLE_COLUMNS[table_name])]
                schema = pa.Schema.from_pandas(frame, preserve_index=False)  # types from all the values
                # a row group at a time, straight to the file: never a whole table copied into Arrow
                # no statistics: the cache is always read whole, and over strings they are costly
                with pq.ParquetWriter(path, schema, compression="zstd", write_statistics=False,
                                      **parquet_encodings(schema)) as writer:
                    for start in range(0, max(len(frame), 1), ROW_GROUP):
                        # nthreads=1: no thread pool of pyarrow's, which cannot start once the interpreter is
                        # exiting (a cache written in the background is finished at exit)
                        writer.write_table(pa.Table.from_pandas(frame.iloc[start:start + ROW_GROUP], schema=schema,
                                                                preserve_index=False, nthreads=1),
                                           row_group_size=ROW_GROUP)
                files[table_name] = {"rows": len(frame), "sha256": file_sha256(path)}
            manifest = {"format": FORMAT, "fingerprints": fps, "files": files}
            (tmp / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
            part = self.dir / f"part-{name}"
            os.rename(tmp, part)
            return part
        except OSError as exc:
            warnings.warn(f"cache not written ({exc}); the next run processes these documents again",
                          RuntimeWarning, stacklevel=2)
            shutil.rmtree(tmp, ignore_errors=True)
            return None

    def needs_compacting(self, documents: int, fresh: int) -> bool:
        """Whether :meth:`compact` would merge, after a load of ``documents`` documents, ``fresh`` of them new."""
        n_parts = len(getattr(self, "used", [])) + (1 if fresh else 0)
        return not (n_parts <= 1 or (n_parts <= MAX_PARTS and getattr(self, "stale", 0) <= documents))

    def compact(self, tables: dict[str, pd.DataFrame], fresh: int) -> None:
        """After a load: merge into one part when there are too many parts or too many stale rows."""
        if not self.needs_compacting(len(tables["documents"]), fresh):
            return
        merged = self.store(tables)
        if merged is None:
            return
        for part in self.parts():
            if part != merged:
                self._remove(part)


#: A temporary folder unchanged for this many seconds is stale even when a process holds its id (ids are reused).
STALE_AGE = 24 * 3600
_TMP = re.compile(r"tmp-\d+-(\d+)-[0-9a-f]+")


def _abandoned(folder: Path, now: float) -> bool:
    """Whether a ``tmp-<time>-<pid>-<hex>`` folder was left by a process that is gone, or is unchanged for a day."""
    found = _TMP.fullmatch(folder.name)
    if found and not _alive(int(found.group(1))):
        return True
    try:
        changed = max([folder.lstat().st_mtime] + [p.lstat().st_mtime for p in folder.iterdir()])
    except OSError:
        return False  # being renamed or removed by its writer
    return now - changed > STALE_AGE


def _alive(pid: int) -> bool:
    """Whether a process of that id runs on this machine (one of another user counts too)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OverflowError, ValueError):
        return False  # no process has such an id
    except OSError:  # PermissionError: the process of another user
        return True
    return True


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _normalise(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Column types as :func:`pipeline.process_batch` makes them, whatever Parquet gave back."""
    for name, frame in tables.items():
        for column in ("fingerprint",) + (("term", "kind") if name == "tokens" else ()):
            if not isinstance(frame[column].dtype, pd.CategoricalDtype):
                frame[column] = frame[column].astype("category")
    tokens = tables["tokens"]
    tokens["kind"] = tokens["kind"].cat.set_categories(list(KIND_CATEGORIES))
    return tables
