"""Command line: ``python -m analysis {render,export,kwic} …`` (``--help`` on each)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("render", help="execute every notebook on a corpus and write figures and HTML")
    p.add_argument("--corpus", type=Path, default=paths.SEEDS, help="corpus folder (default: seeds/)")

    p = sub.add_parser("export", help="write documents, texts, tokens, terms, audit … as UTF-8 files")
    p.add_argument("--corpus", type=Path, default=paths.SEEDS, help="corpus folder (default: seeds/)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: export/ or output/<corpus>/export)")

    p = sub.add_parser("kwic", help="print every occurrence of a term or regular expression in context")
    p.add_argument("term", help="a term, or a regular expression with --regex")
    p.add_argument("--corpus", type=Path, default=paths.SEEDS, help="corpus folder (default: seeds/)")
    p.add_argument("--width", type=int, default=20, help="characters shown either side (default 20)")
    p.add_argument("--regex", action="store_true", help="treat TERM as a regular expression")

    args = parser.parse_args(argv)
    corpus = getattr(args, "corpus", None)
    if corpus is not None and not corpus.is_dir():
        print(f"error: corpus folder not found: {corpus}", file=sys.stderr)
        return 2
    if args.command == "render":
        from .render import render_all

        for path in render_all(args.corpus):
            print(path)
        return 0
    if args.command == "export":
        from .export import export

        return export(args.corpus, args.out)
    if args.command == "kwic":
        from .corpus import load_corpus
        from .concordance import kwic, format_kwic

        table = kwic(load_corpus(args.corpus), args.term, width=args.width, regex=args.regex)
        for line in format_kwic(table):
            print(line)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
