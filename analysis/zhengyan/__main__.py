"""Command line: ``zhengyan {render,export,kwic} …`` (or ``python -m zhengyan …``) (``--help`` on each)."""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from zhengyan.core import paths

#: The environment variable naming a Dask scheduler when ``--scheduler`` is not given.
ENV_SCHEDULER = "ANALYSIS_DASK_SCHEDULER"


class UsageError(Exception):
    """A bad argument, found before any work; the message is the one line shown."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``error: …``) and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"error: {self.prog}: {message} (see --help)\n")



def _prog() -> str:
    """How the user called the command: ``zhengyan`` (the console script) or ``python -m zhengyan``."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python -m zhengyan" if name in ("__main__.py", "-c", "") else name

def _folder(value: str) -> Path:
    if not value.strip():
        raise argparse.ArgumentTypeError("the folder is an empty string")
    return Path(value).expanduser()


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, got {value!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more processes, got {jobs}")
    return jobs


def _width(value: str) -> int:
    try:
        width = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of characters, got {value!r}") from None
    if width < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more characters, got {width}")
    return width


def _loading(p: argparse.ArgumentParser) -> None:
    """The options of every command that reads a corpus, passed on to ``load_corpus``."""
    p.add_argument("--corpus", type=_folder, default=paths.SEEDS, help="corpus folder (default: seeds/)")
    p.add_argument("--recursive", action="store_true", help="read the .txt files of sub-folders too")
    p.add_argument("--jobs", type=_jobs, default=None, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", default=None,
                   help=f"address of a Dask scheduler, tcp://host:port (default: ${ENV_SCHEDULER}, else local)")


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog=_prog(), description=__doc__)
    sub = top.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("render", help="execute every notebook on a corpus and write figures and HTML")
    p.add_argument("--corpus", type=_folder, default=paths.SEEDS, help="corpus folder (default: seeds/)")
    p.add_argument("--out", type=_folder, default=None,
                   help="output folder (default: the project for seeds/, else output/<corpus>-<hash>)")

    p = sub.add_parser("export", help="write documents, texts, tokens, terms, audit … as UTF-8 files")
    _loading(p)
    p.add_argument("--out", type=_folder, default=None,
                   help="output folder (default: export/ for seeds/, else output/<corpus>-<hash>/export)")
    p.add_argument("--force", action="store_true",
                   help="write the export again even when it is up to date (same corpus, code and lexicons)")

    p = sub.add_parser("kwic", help="print every occurrence of a term or regular expression in context")
    p.add_argument("term", help="a term, or a regular expression with --regex")
    _loading(p)
    p.add_argument("--width", type=_width, default=20, help="characters shown either side (default 20)")
    p.add_argument("--regex", action="store_true", help="treat TERM as a regular expression")
    return top


#: A scheduler address: tcp://host:port (also tls, ws, wss, ucx); host a name, an IPv4 or a bracketed IPv6 address.
_ADDRESS = re.compile(r"(tcp|tls|ws|wss|ucx)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def check_scheduler(address: str, source: str) -> None:
    """A malformed address fails at once; one where no Dask scheduler answers fails after
    ``pipeline.SCHEDULER_TIMEOUT`` seconds at most (a connection and Dask's handshake, then closed)."""
    from zhengyan.ingest import pipeline

    found = _ADDRESS.fullmatch(address.strip())
    if found is None or not 0 < int(found.group(3)) < 65536:
        raise UsageError(f"{source} expects an address like tcp://host:8786 (a Dask scheduler), got {address!r}")
    import asyncio
    import logging

    from distributed.comm import connect

    timeout = pipeline.SCHEDULER_TIMEOUT

    async def probe():
        comm = await connect(address.strip(), timeout=timeout)
        await comm.close()

    quiet = logging.getLogger("distributed")
    level, quiet.level = quiet.level, logging.CRITICAL  # its retries would print their own lines
    try:
        asyncio.run(asyncio.wait_for(probe(), timeout + 2))
    except (OSError, asyncio.TimeoutError, ValueError, TypeError) as exc:
        raise UsageError(f"{source} {address}: no Dask scheduler answered within {timeout} s "
                         f"({_one_line(exc) or type(exc).__name__})") from None
    finally:
        quiet.level = level


def _check_environment(command: str, scheduler: str | None, source: str = "--scheduler") -> None:
    """The environment options, checked like the flags they stand for: one line, before any work."""
    from zhengyan.ingest import segment

    try:
        segment.segmenter_name()
    except ValueError as exc:
        raise UsageError(_one_line(exc)) from None
    if command in ("export", "render"):
        from zhengyan.analyses import themes

        value = paths.theme_dictionary()
        try:
            themes.load_themes(value)
        except (ValueError, OSError) as exc:
            raise UsageError(f"${paths.ENV_THEMES}={value!r}: {_one_line(exc)}") from None
    if command == "render":
        from zhengyan.present.render import ENV_JOBS

        value = os.environ.get(ENV_JOBS)
        if value and not (value.strip().isdigit() and int(value) >= 1):
            raise UsageError(f"${ENV_JOBS} expects a whole number of notebooks run at once (1 or more), got {value!r}")
        scheduler, source = os.environ.get(ENV_SCHEDULER) or None, f"${ENV_SCHEDULER}"  # the notebooks read it
    if scheduler is not None:
        check_scheduler(scheduler, source)


def _check(args: argparse.Namespace) -> None:
    """Everything that can be checked before the corpus is read; raises :class:`UsageError`."""
    corpus = getattr(args, "corpus", None)
    if corpus is not None and not corpus.is_dir():
        raise UsageError(f"corpus folder not found: {corpus}")
    source = "--scheduler"
    if hasattr(args, "scheduler") and args.scheduler is None:
        args.scheduler, source = os.environ.get(ENV_SCHEDULER) or None, f"${ENV_SCHEDULER}"
    if args.command == "render":
        try:
            for folder in ((args.out,) if args.out is not None else
                           (paths.figures_dir(corpus), paths.rendered_dir(corpus))):
                paths.check_output(folder, corpus)
        except paths.UnsafeOutput as exc:
            raise UsageError(str(exc)) from None
        if args.out is not None and args.out.exists() and not args.out.is_dir():
            raise UsageError(f"output path is a file, not a folder: {args.out}")
        from zhengyan.export import ExportError
        from zhengyan.present.render import check_out

        try:
            check_out(corpus, args.out)
        except ExportError as exc:
            raise UsageError(str(exc)) from None
    if args.command == "export":
        from zhengyan.export import ExportError, check_out

        try:
            check_out(paths.export_dir(corpus) if args.out is None else args.out, corpus)
        except ExportError as exc:
            raise UsageError(str(exc)) from None
    if args.command == "kwic":
        if not args.term.strip():
            raise UsageError("the term is empty")
        import regex

        try:
            regex.compile(args.term if args.regex else regex.escape(args.term))
        except regex.error as exc:
            raise UsageError(f"invalid regular expression {args.term!r}: {exc}") from None
    _check_environment(args.command, getattr(args, "scheduler", None), source)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        _check(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from zhengyan.export import ExportError

    try:
        if args.command == "render":
            from zhengyan.present.render import render_all

            for path in render_all(args.corpus, out=args.out):
                print(path)
            return 0
        if args.command == "export":
            from zhengyan.export import export

            return export(args.corpus, args.out, jobs=args.jobs, scheduler=args.scheduler,
                          recursive=args.recursive, force=args.force)
    except ExportError as exc:  # a busy or full output, a folder that cannot be swapped in
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "kwic":
        from zhengyan.ingest import reading
        from zhengyan.analyses.concordance import format_kwic, kwic
        from zhengyan.ingest.corpus import load_corpus

        try:
            corpus = load_corpus(args.corpus, jobs=args.jobs, scheduler=args.scheduler, recursive=args.recursive)
            table = kwic(corpus, args.term, width=args.width, regex=args.regex)  # time-limited
        except (reading.CorpusError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        for line in format_kwic(table):
            print(line)
        if table.empty:
            print(f"no occurrence of {args.term!r} in {len(corpus.documents)} documents", file=sys.stderr)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
