"""Compose a corpus of any size (e.g. 1 GB) from the paragraphs of a dated corpus, with plausible years.

Each new document is drawn from the paragraphs of the source documents of one year (a seeded random choice), so
its year in ``metadata.csv`` is the year its text speaks of; document sizes follow the sources'. Nothing is written
into the source folder. Used for benchmarks at sizes no real corpus here has:

    .venv/bin/python bench/make_corpus.py --megabytes 1000 --out /tmp/corpus-1gb
    .venv/bin/python bench/make_corpus.py --megabytes 100 --out /tmp/c --source corpora/prc_reports
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "analysis"))

from zhengyan.core import paths  # noqa: E402

#: The daily news transcripts beside the project (copyrighted: never copied in); ``$ZHENGYAN_NEWS`` overrides.
NEWS = Path(os.environ.get("ZHENGYAN_NEWS") or paths.ROOT.parent / "shared" / "corpora" / "xwlb_dev")


def source_paragraphs(folder: Path) -> dict[int, list[list[str]]]:
    """year → documents (each a list of its paragraphs), from the folder's ``metadata.csv`` years."""
    years: dict[str, int] = {}
    with open(folder / "metadata.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            year = (row.get("year") or "").strip()
            if year.isdigit():
                years[row["doc_id"]] = int(year)
    by_year: dict[int, list[list[str]]] = defaultdict(list)
    for path in sorted(folder.glob("*.txt")):
        if path.stem in years:
            text = path.read_bytes().decode("utf-8", errors="replace")
            paragraphs = [p for p in text.splitlines() if p.strip()]
            if paragraphs:
                by_year[years[path.stem]].append(paragraphs)
    if not by_year:
        raise SystemExit(f"{folder}: no dated .txt files (metadata.csv with doc_id and year is needed)")
    return by_year


def compose(sources: list[Path], out: Path, megabytes: float, seed: int = 1) -> tuple[int, int]:
    """Write documents into ``out`` (a new folder) until it holds ``megabytes``; return (documents, bytes)."""
    for source in sources:
        if paths.is_inside(out, source) or paths.is_inside(source, out):
            raise SystemExit(f"refusing to write {out}: it overlaps the source {source}")
    pool: dict[int, list[list[str]]] = defaultdict(list)
    for source in sources:
        for year, docs in source_paragraphs(source).items():
            pool[year] += docs
    rng = random.Random(seed)
    years = sorted(pool)
    weights = [sum(len("".join(d)) for d in pool[y]) for y in years]  # years as large as in the sources
    out.mkdir(parents=True)
    target, total, n = int(megabytes * 1e6), 0, 0
    with open(out / "metadata.csv", "w", encoding="utf-8", newline="") as meta:
        writer = csv.writer(meta)
        writer.writerow(["doc_id", "year", "title"])
        while total < target:
            year = rng.choices(years, weights)[0]
            docs = pool[year]
            size = len(rng.choice(docs))  # as many paragraphs as a source document of that year
            paragraphs = [rng.choice(rng.choice(docs)) for _ in range(size)]
            data = ("\n".join(paragraphs) + "\n").encode("utf-8")
            doc_id = f"{year}_{n:07d}"
            (out / f"{doc_id}.txt").write_bytes(data)
            writer.writerow([doc_id, year, f"{year}年 第{n}篇"])
            total += len(data)
            n += 1
    return n, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, required=True, help="size of the corpus to write, in MB")
    parser.add_argument("--out", type=Path, required=True, help="a new folder for it")
    parser.add_argument("--source", type=Path, action="append",
                        help="a dated corpus folder (repeatable; default: the news transcripts beside the project)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sources = args.source or [NEWS]
    if args.out.exists():
        raise SystemExit(f"{args.out} exists: give a new folder")
    n, total = compose(sources, args.out, args.megabytes, args.seed)
    print(f"wrote {n:,} documents, {total / 1e6:,.1f} MB, to {args.out}")


if __name__ == "__main__":
    main()
