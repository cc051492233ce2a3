"""Token agreement and speed of the segmenters (jieba, the reference, and rjieba) on whole corpora.

Usage: python bench/bench_segmenters.py [FOLDER ...] [--every N] [--examples N]
Default folders: seeds/, corpora/prc_reports and the news transcripts beside the project when present.
Each clean text is cut by both segmenters with the same user dictionary; agreement is the share of
jieba's tokens (by character span) that rjieba produces identically. Differing spans are printed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "analysis"))

from zhengyan.ingest import cleaning, reading, segment

from zhengyan.core import paths  # noqa: E402

#: The daily news transcripts beside the project (copyrighted: never copied in); ``$ZHENGYAN_NEWS`` overrides.
NEWS = Path(os.environ.get("ZHENGYAN_NEWS") or paths.ROOT.parent / "shared" / "corpora" / "xwlb_dev")


def spans(words: list[str]) -> set[tuple[int, int]]:
    out, pos = set(), 0
    for w in words:
        out.add((pos, pos + len(w)))
        pos += len(w)
    return out


def compare(folder: Path, examples: int, every: int = 1) -> None:
    raw = reading.read_folder(folder)
    texts = [cleaning.clean(d.text).text for d in raw.documents[::every]]
    chars = sum(map(len, texts))
    dictionary = (tuple(segment.dictionary_words()), segment.user_frequencies())
    timings, cuts = {}, {}
    for name in segment.SEGMENTERS:
        segment.words_of("预热", segmenter=name, dictionary=dictionary)
        start = time.perf_counter()
        cuts[name] = [segment.words_of(t, segmenter=name, dictionary=dictionary) for t in texts]
        timings[name] = time.perf_counter() - start
    same = total = 0
    differing: Counter = Counter()
    for text, a, b in zip(texts, cuts["jieba"], cuts["rjieba"]):
        sa, sb = spans(a), spans(b)
        total += len(sa)
        same += len(sa & sb)
        if sa != sb:
            for s, e in sorted(sa - sb)[:50]:
                lo, hi = max(0, s - 4), e + 4
                differing[(text[s:e], text[lo:hi].replace("\n", "⏎"))] += 1
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    sample = f" (every {every}th document)" if every > 1 else ""
    print(f"{folder}{sample}: {len(texts)} documents, {chars:,} characters, {mb:.1f} MB clean")
    print(f"  agreement: {same:,} of {total:,} jieba tokens identical = {same / max(total, 1):.5%}")
    for name in segment.SEGMENTERS:
        print(f"  {name:<7} {timings[name]:7.2f} s  {mb / timings[name]:6.2f} MB/s")
    for (token, context), n in differing.most_common(examples):
        print(f"    jieba token {token!r} not cut alike by rjieba ({n}×), in …{context}…")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--every", type=int, default=1, help="take every Nth document of each folder (default 1: all)")
    args = parser.parse_args()
    folders = args.folders or [p for p in (paths.SEEDS, paths.PRC_REPORTS, NEWS) if p.is_dir()]
    for folder in folders:
        compare(folder, args.examples, args.every)


if __name__ == "__main__":
    main()
