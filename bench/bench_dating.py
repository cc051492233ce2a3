"""How well the text alone dates a document: exact and within one year, by year and by confidence.

Every metadata column (titles too) is withheld from the inference; metadata is read only to score.
Run ``python bench/bench_dating.py`` (the news transcripts are skipped, saying so, when absent).
Dated files (a ``YYYYMMDD`` in the name) are split by the day of the month: even days were used to tune
the rules, odd days were not (``held-out``); files without a day are one ``all`` part. Every part gets a
calibration table: per confidence level, how many documents, the share exact and the share within one year.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "analysis"))

from zhengyan.ingest import cleaning, reading

from zhengyan.core import paths
from zhengyan.analyses import years  # noqa: E402

#: The daily news transcripts beside the project (copyrighted: never copied in); ``$ZHENGYAN_NEWS`` overrides.
NEWS = Path(os.environ.get("ZHENGYAN_NEWS") or paths.ROOT.parent / "shared" / "corpora" / "xwlb_dev")

CONFIDENCES = ("high", "medium", "low", "none")


def read_clean(folder: Path) -> pd.DataFrame:
    """``doc_id``, clean ``text`` and the metadata ``year`` (for scoring only) of every file."""
    raw = reading.read_folder(folder)
    texts = pd.DataFrame({"doc_id": [d.doc_id for d in raw.documents],
                          "text": [cleaning.clean(d.text).text for d in raw.documents]})
    truth = raw.metadata[["doc_id", "year"]]
    out = texts.merge(truth, on="doc_id", how="left").sort_values("doc_id").reset_index(drop=True)
    out["split"] = out["doc_id"].map(split_of)
    return out


def split_of(doc_id: str) -> str:
    """"even days (tuned)" or "odd days (held out)" by the day of the date in the name; "undated" without one."""
    date = re.search(r"(?<!\d)(?:19|20)\d{2}[01]\d([0-3]\d)(?!\d)", doc_id)
    if not date:
        return "undated"
    return "even days (tuned)" if int(date.group(1)) % 2 == 0 else "odd days (held out)"


def score(documents: pd.DataFrame) -> tuple[pd.DataFrame, years.UsableYears]:
    """The documents with ``year_inferred``, its confidence and its error against the metadata year, whether
    :func:`zhengyan.analyses.years.usable_years` lets a year analysis use it (``used``, ``reason``); and that verdict."""
    dated = years.date_documents(documents[["doc_id", "text"]], use_metadata=False)
    usable = years.usable_years(dated)
    out = documents.drop(columns="text").merge(
        dated[["doc_id", "year_inferred", "year_inferred_confidence", "year_inferred_evidence"]], on="doc_id")
    out = out.merge(usable.table[["doc_id", "used", "reason"]], on="doc_id")
    out["error"] = (out["year_inferred"] - out["year"]).abs()
    out["exact"] = (out["error"] == 0).fillna(False).astype(bool)
    out["within_one"] = (out["error"] <= 1).fillna(False).astype(bool)
    return out, usable


def summary(scored: pd.DataFrame, by: str) -> pd.DataFrame:
    table = scored.groupby(by, observed=True).agg(
        n_docs=("doc_id", "size"), exact=("exact", "mean"), within_one=("within_one", "mean"))
    return table.round(4)


def calibration(scored: pd.DataFrame) -> pd.DataFrame:
    table = summary(scored, "year_inferred_confidence").reindex(list(CONFIDENCES)).dropna(how="all")
    table["n_docs"] = table["n_docs"].astype(int)
    return table


HALVES = ("even days (tuned)", "odd days (held out)")


def report(name: str, scored: pd.DataFrame, usable: years.UsableYears, *, by_year: bool = True,
           wrong: int = 0) -> None:
    print(f"\n## {name}: {len(scored)} documents, metadata (titles too) withheld")
    span = scored["year"].dropna()
    dated_names = (scored["split"] != "undated").any()
    parts = [("all", scored)] + ([(half, scored[scored["split"] == half]) for half in HALVES] if dated_names else [])
    for part, frame in parts:
        if frame.empty:
            print(f"\n### {part}: 0 documents in this folder")
            continue
        outside = frame["year_inferred"].notna() & ~frame["year_inferred"].between(span.min(), span.max())
        print(f"\n### {part} ({len(frame)}): exact {frame['exact'].mean():.4f}, "
              f"within one year {frame['within_one'].mean():.4f}, no year {frame['year_inferred'].isna().mean():.4f}, "
              f"outside {int(span.min())}–{int(span.max())}: {int(outside.sum())}")
        print("calibration (share exact and within one year per confidence level):")
        print(calibration(frame).to_string())
        used = frame[frame["used"]]
        if len(used):
            print(f"years used by year analyses (usable_years, min_confidence={usable.min_confidence!r}): "
                  f"{len(used)} of {len(frame)}, exact {used['exact'].mean():.4f}, within one year "
                  f"{used['within_one'].mean():.4f}, outside {int(span.min())}–{int(span.max())}: "
                  f"{int((~used['year_inferred'].between(span.min(), span.max())).sum())}")
    print(f"\nplausible span from the inferred years alone: {usable.span}; {usable.note()}")
    if by_year:
        print("\nby year (all):")
        print(summary(scored, "year").to_string())
    if wrong:  # never from the held-out half: reading its errors would be tuning on it
        off = scored[~scored["within_one"] & (scored["split"] != HALVES[1])].head(wrong)
        print(f"\nfirst {len(off)} documents off by more than a year (held-out days left out):")
        for row in off.itertuples():
            print(f"  {row.doc_id} {row.year} → {row.year_inferred} ({row.year_inferred_confidence}): "
                  f"{str(row.year_inferred_evidence)[:200]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--news", type=Path, default=NEWS, help="folder of the news transcripts")
    parser.add_argument("--wrong", type=int, default=0,
                        help="list this many documents off by more than a year (tuned half and undated corpora only)")
    args = parser.parse_args(argv)
    for name, folder in [("prc_reports", paths.PRC_REPORTS), ("xwlb_dev", args.news)]:
        if not folder.is_dir():
            print(f"\n## {name}: skipped, {folder} not found")
            continue
        t0 = time.perf_counter()
        documents = read_clean(folder)
        t1 = time.perf_counter()
        scored, usable = score(documents)
        t2 = time.perf_counter()
        report(name, scored, usable, wrong=args.wrong)
        print(f"\n(read and cleaned in {t1 - t0:.1f} s, dated in {t2 - t1:.1f} s)")


if __name__ == "__main__":
    main()
