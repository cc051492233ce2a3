"""The top candidates of discovery on the news transcripts, for judging by hand: numbered and quoted, not in the lexicon.

Run ``python bench/bench_discovery.py [--top 40] [--remove 三大攻坚战,…]``. The files are split by their position in
name order, as in ``bench/bench_dating.py`` (every file of the news folder is an odd day of the month, so a split
by day would leave one half empty): even positions were used to tune the rules, odd positions were not
(``held-out``). Only the candidates and their counts are printed, never the transcripts' sentences; read each
candidate in context (``zhengyan.analyses.concordance.kwic``) to judge it. Skipped, saying so, when the folder is absent.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "analysis"))

from zhengyan.core import counting, paths
from zhengyan import load_corpus
from zhengyan.analyses import formulas  # noqa: E402

#: The daily news transcripts beside the project (copyrighted: never copied in); ``$ZHENGYAN_NEWS`` overrides.
NEWS = Path(os.environ.get("ZHENGYAN_NEWS") or paths.ROOT.parent / "shared" / "corpora" / "xwlb_dev")


def half(corpus, position: int):
    """The documents at even (0) or odd (1) positions in name order, with their tokens and sentences."""
    keep = sorted(corpus.documents["doc_id"].astype(str))[position::2]

    def rows(table):
        return table[counting.is_in(table["doc_id"], keep)].reset_index(drop=True)

    return dataclasses.replace(corpus, documents=rows(corpus.documents), tokens=rows(corpus.tokens),
                               sentences=rows(corpus.sentences))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--top", type=int, default=40, help="candidates listed of each kind")
    parser.add_argument("--remove", default="", help="lexicon formulas to leave out, comma-separated")
    args = parser.parse_args(argv)
    if args.top < 1:
        parser.error(f"--top must be 1 or more; got {args.top}")
    if not NEWS.is_dir():
        print(f"skipped: no news transcripts at {NEWS}")
        return 0
    lexicon = formulas.load_lexicon()
    removed = [f for f in args.remove.split(",") if f]
    unknown = sorted(set(removed) - set(lexicon["formula"]))
    if unknown:
        parser.error(f"--remove: not in the lexicon: {unknown}")
    lexicon = lexicon[~lexicon["formula"].isin(removed)].reset_index(drop=True)
    corpus = load_corpus(NEWS, progress=False)
    pd.set_option("display.width", 200)
    for position, name in ((0, "develop (even positions)"), (1, "held-out (odd positions)")):
        part = half(corpus, position)
        started = time.perf_counter()
        found = formulas.discover(part, lexicon)
        seconds = time.perf_counter() - started
        new = found[~found["in_lexicon"].astype(bool)]
        print(f"\n## {name}: {len(part.documents)} documents, discovery {seconds:.1f} s")
        for kind in ("numbered", "quoted"):
            top = new[new["kind"] == kind].head(args.top).reset_index(drop=True)
            top.index += 1
            print(f"\n### top {len(top)} {kind}\n")
            print(top[["formula", "score", "n", "n_docs", "n_quoted"]].to_string())
        for formula in removed:
            row = found[found["formula"] == formula]
            print(f"\n{formula} (removed from the lexicon): "
                  + (f"rank {row.index[0] + 1} of all candidates, n={int(row['n'].iloc[0])}" if len(row) else "not found"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
