"""The top risers and fallers over all terms, as ``trends.rising`` and ``trends.falling`` give them,
on the bundled reports and on the news transcripts (skipped, saying so, when absent).

Run ``python bench/bench_trends.py [--n 20] [--corpus reports|news|both]``. The news transcripts are
all odd days of the month, so they are split by day instead: days 3, 7, 11 … (day % 4 == 3) were used
to choose the filters' settings, days 1, 5, 9 … (day % 4 == 1) were not (``held-out``); both halves
are reported, with the whole corpus. Each list shows the term's kind, its change year, shape and
strength; the format changes found are listed apart. Timings are printed to stderr.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "analysis"))

from zhengyan import load_corpus
from zhengyan.core import paths
from zhengyan.analyses import trends, years  # noqa: E402

#: The daily news transcripts beside the project (copyrighted: never copied in); ``$ZHENGYAN_NEWS`` overrides.
NEWS = Path(os.environ.get("ZHENGYAN_NEWS") or paths.ROOT.parent / "shared" / "corpora" / "xwlb_dev")

SHOWN = ["term", "term_kind", "n", "first_year", "last_year", "change_year", "shape", "window_start", "window_end",
         "strength", "spread_years", "spread_months"]


def report(name: str, tokens: pd.DataFrame, docs: pd.DataFrame, n: int) -> None:
    start = time.perf_counter()
    table = trends.trends(*trends.yearly_counts(tokens, docs))
    print(f"{name}: {len(table)} terms measured in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.2f}".format):
        for title, rows in (("risers", trends.rising(table, n)), ("fallers", trends.falling(table, n)),
                            ("format changes (apart)", trends.format_changes(table, n))):
            print(f"\n== {name}: top {n} {title}")
            print(rows[SHOWN].to_string(index=False) if len(rows) else "(none)")


def news_halves(docs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    day = pd.to_datetime(docs["date"], errors="coerce").dt.day
    return {"news, whole": docs, "news, tuning days (day % 4 == 3)": docs[day % 4 == 3],
            "news, held-out days (day % 4 == 1)": docs[day % 4 == 1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--corpus", choices=("reports", "news", "both"), default="both")
    args = parser.parse_args()
    if args.corpus in ("reports", "both"):
        corpus = load_corpus(paths.PRC_REPORTS, progress=False)
        report("reports", corpus.tokens, years.with_years(corpus.documents), args.n)
    if args.corpus in ("news", "both"):
        if not NEWS.is_dir():
            print(f"news transcripts not found at {NEWS}: skipped", file=sys.stderr)
            return
        corpus = load_corpus(NEWS, progress=False)
        for name, docs in news_halves(corpus.documents).items():
            ids = set(docs["doc_id"].astype(str))
            tokens = corpus.tokens[corpus.tokens["doc_id"].astype(str).isin(ids)] if len(ids) < len(corpus.documents) \
                else corpus.tokens
            report(name, tokens, docs, args.n)


if __name__ == "__main__":
    main()
