"""Speed and memory of the pipeline, printed as figures (not a test: nothing here passes or fails).

Usage: python bench/bench_pipeline.py [CORPUS] [--copies N]
CORPUS defaults to the reports corpus beside the project, else seeds/. --copies N concatenates N
copies of every document into one temporary corpus (each copy changed by one character so the token
cache cannot serve it), to see how the pipeline scales towards a 100 MB corpus.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import cooccurrence, frequency, load_corpus, paths, slogans, trends, years  # noqa: E402


def timed(label, fn):
    start = time.perf_counter()
    value = fn()
    print(f"{label:<38} {time.perf_counter() - start:8.2f} s")
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=paths.PRC_REPORTS if paths.PRC_REPORTS.is_dir() else paths.SEEDS)
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()
    corpus = args.corpus
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    cache = scratch / "cache"
    paths.CACHE = cache  # a cold token cache, not the project's
    if args.copies > 1:
        big = scratch / "corpus"
        big.mkdir()
        for path in sorted(corpus.glob("*.txt")):
            text = path.read_text(encoding="utf-8", errors="replace")
            for i in range(args.copies):
                (big / f"{path.stem}_{i}.txt").write_text(f"{i}\n{text}", encoding="utf-8")
        corpus = big
    size = sum(p.stat().st_size for p in corpus.glob("*.txt"))
    print(f"corpus: {corpus} ({len(list(corpus.glob('*.txt')))} files, {size / 1e6:.1f} MB)")
    c = timed("load_corpus, cold cache (segmenting)", lambda: load_corpus(corpus))
    timed("load_corpus, warm cache", lambda: load_corpus(corpus))
    n_tokens = len(c.tokens)
    print(f"{'tokens':<38} {n_tokens:8,d}  ({c.tokens.memory_usage(deep=True).sum() / n_tokens:.1f} bytes a row)")
    timed("term_counts by document", lambda: frequency.term_counts(c.tokens, c.documents))
    timed("tfidf", lambda: frequency.tfidf(c.tokens))
    timed("keyness_each (every document)", lambda: frequency.keyness_each(c.tokens, c.documents))
    found = timed("slogan mentions", lambda: slogans.mentions(c))
    timed("co-occurrence, sentence", lambda: cooccurrence.cooccurrence(c, found, context="sentence"))
    timed("slogan discovery", lambda: slogans.discover(c))
    docs = timed("year inference (every document)", lambda: years.with_years(c.documents))
    if docs["year"].dropna().nunique() >= 3:
        timed("term trends", lambda: trends.trends(*trends.yearly_counts(c.tokens, docs)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak memory (resident)':<38} {peak:8.0f} MB")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
