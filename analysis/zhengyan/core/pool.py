"""The worker pool of the per-document analyses: a map over documents in forked processes, fed a slice of texts at a time."""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from functools import lru_cache

import pandas as pd
import pyarrow as pa


def check_jobs(jobs: int | None) -> int:
    """Worker processes to use: ``jobs``, or every core this process may run on."""
    if jobs is None:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive whole number of worker processes or None (all cores); got {jobs!r}")
    return jobs


def release_memory() -> None:
    """Hand the memory freed since the last call back to the system (glibc's ``malloc_trim``).

    Large temporaries (a batch's tables, an analysis's intermediate arrays) are freed by Python and
    numpy but glibc keeps much of that memory for reuse, so a long run's resident size only grows;
    trimming between steps keeps it to what is in use. Elsewhere than on glibc this does nothing."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()  # Arrow's own allocator (mimalloc or jemalloc) keeps freed memory too
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim():
    import ctypes
    import ctypes.util

    try:
        name = ctypes.util.find_library("c")
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


#: Below this many characters of text, :func:`map_documents` works in this process (starting workers costs more).
PARALLEL_CHARS = 4_000_000


class Lazy:
    """Argument tuples for :func:`map_documents` made a slice at a time by ``rows(start, stop)``: a large
    corpus's texts are drawn from their column as the work goes, never all Python strings at once.
    ``chunk(start, stop)``, when given, makes the same rows for a worker (a :class:`Chunk`)."""

    def __init__(self, n: int, rows, chunk=None):
        self.n, self.rows, self.chunk = n, rows, chunk

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, key: slice) -> list[tuple]:
        start, stop, _ = key.indices(self.n)
        return self.rows(start, stop)

    def __iter__(self):
        for start in range(0, self.n, 256):
            yield from self.rows(start, min(self.n, start + 256))


class _TextSlot:
    """The place of the text in a :class:`Chunk`'s rows (one object, the same after pickling)."""

    def __reduce__(self) -> str:
        return "TEXT"


TEXT = _TextSlot()


class Chunk:
    """Argument tuples for a worker whose texts travel as one Arrow array (its buffers pickled as they
    are: no Python string made, encoded and decoded per text by the process that sends them); each
    row holds :data:`TEXT` where its text goes."""

    def __init__(self, texts, rows: list[tuple]):
        self.texts, self.rows = texts, rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        for text, row in zip(self.texts.to_pylist(), self.rows):
            yield tuple(text if value is TEXT else value for value in row)


def texts_of(column: pd.Series, make=lambda i, text: (text,)) -> Lazy:
    """:class:`Lazy` arguments ``make(i, text)`` for each text of ``column`` (a documents table's ``text``).

    ``make`` only places the text in its tuple (for a worker it is given :data:`TEXT`, and the worker
    puts the text there)."""
    column = column.reset_index(drop=True)

    def rows(a: int, b: int) -> list[tuple]:
        return [make(i, t) for i, t in zip(range(a, b), column.iloc[a:b].tolist())]

    if not isinstance(column.array, pd.arrays.ArrowStringArray):
        return Lazy(len(column), rows)
    texts = pa.array(column.array)

    def chunk(a: int, b: int) -> Chunk:  # a compact copy of the slice (a pickled slice would carry the whole array)
        part = texts.slice(a, b - a)
        return Chunk(pa.concat_arrays(part.chunks if isinstance(part, pa.ChunkedArray) else [part]),
                     [make(i, TEXT) for i in range(a, b)])

    return Lazy(len(column), rows, chunk)


def _apply(func, chunk: list[tuple] | Chunk) -> list:
    return [func(*args) for args in chunk]


def map_documents(func, args: list[tuple] | Lazy, *, chars: int, jobs: int | None = None) -> list:
    """``[func(*a) for a in args]``, in worker processes when the texts are long (``chars`` of text in
    all, at least :data:`PARALLEL_CHARS`) and more than one core is free; the results in order.

    For the per-document steps of the analyses (dating, formula matching, discovery): ``func`` must
    be a module-level function and its arguments and result picklable. Workers are forked from this
    process (no script is imported again, so a script without ``if __name__ == "__main__"`` is safe);
    they share its memory until they write to it, and only their documents are sent to them.
    """
    n_jobs = check_jobs(jobs)
    if n_jobs <= 1 or chars < PARALLEL_CHARS or len(args) < 2 * n_jobs:
        return [func(*a) for a in args]
    size = max(1, -(-len(args) // (8 * n_jobs)))
    starts = list(range(0, len(args), size))
    pool = _analysis_pool(n_jobs)
    # at most two chunks a worker in flight: only those are pickled and waiting at any time
    results: list = [None] * len(starts)
    running: dict = {}
    try:
        for i, start in enumerate(starts):
            if len(running) >= 2 * n_jobs:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    results[running.pop(future)] = future.result()
            part = args.chunk(start, min(len(args), start + size)) if isinstance(args, Lazy) and args.chunk \
                else args[start:start + size]
            running[pool.submit(_apply, func, part)] = i
        for future, i in running.items():
            results[i] = future.result()
    except BaseException:
        for future in running:  # a failed chunk stops the rest
            future.cancel()
        raise
    return [item for part in results for item in part]


def die_with_parent() -> None:
    """Worker initializer: exit when the parent process is gone (killed, it cannot shut its pool down)."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


_POOL: list = []
_POOL_LOCK = threading.Lock()


def start_workers(jobs: int | None = None) -> None:
    """Fork the analysis workers of :func:`map_documents` now, from a process that holds no corpus
    yet: forked later they would start as copies of everything loaded by then."""
    n_jobs = check_jobs(jobs)
    if n_jobs > 1:
        pool = _analysis_pool(n_jobs)
        for future in [pool.submit(os.getpid) for _ in range(n_jobs)]:  # a worker is started per task
            future.result()


def _analysis_pool(n_jobs: int) -> ProcessPoolExecutor:
    """One pool of analysis workers per process, kept between calls (a worker builds its matchers
    once), shut down when the process exits."""
    with _POOL_LOCK:  # two threads of one export may ask at once
        if _POOL and _POOL[0] == n_jobs and not getattr(_POOL[1], "_broken", False):
            return _POOL[1]
        import atexit
        import multiprocessing

        if _POOL:
            _POOL[1].shutdown(wait=False, cancel_futures=True)
        pool = ProcessPoolExecutor(max_workers=n_jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=die_with_parent)
        if not _POOL:
            atexit.register(lambda: _POOL and _POOL[1].shutdown(wait=False, cancel_futures=True))
        _POOL[:] = [n_jobs, pool]
        return pool
