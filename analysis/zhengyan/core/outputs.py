"""Output folders that are the package's or are refused: which folder an export or a render may replace (its
manifest says it wrote it, or it is empty), one writer at a time (a lock that names its holder), a swap of old and
new that survives a kill, and one line for a full disk. Used by the export and by render alike."""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import shutil
import stat
import time
from contextlib import contextmanager
from pathlib import Path

from zhengyan.core import paths

#: Written last: what the export holds, with row counts and checksums. Its presence marks a finished export.
MANIFEST = "manifest.json"

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
