"""``python -m analysis export``: the corpus's tidy tables as UTF-8 files a spreadsheet can open."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from . import cooccurrence, frequency, paths, reading, slogans, themes, trends, years
from .corpus import Corpus, load_corpus

#: Columns of documents.csv, in order (metadata columns a corpus adds come after them).
DOCUMENT_EXPORT = ("doc_id", "title", "year", "year_source", "year_evidence", "year_inferred", "year_inferred_confidence",
                   "year_inferred_evidence", "encoding", "n_chars", "n_raw_chars", "n_tokens",
                   "n_paragraphs", "n_sentences", "warnings")


def _write_csv(table: pd.DataFrame, path: Path) -> Path:
    table.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def export_tables(c: Corpus, themes_dictionary: str = "party") -> dict[str, pd.DataFrame]:
    """Every table the export writes, by file name."""
    docs = years.with_years(c.documents)
    front = [col for col in DOCUMENT_EXPORT if col in docs.columns]
    rest = [col for col in docs.columns if col not in front and col not in ("text", "raw")]
    counts = frequency.term_counts(c.tokens, docs, filler=False)
    weights = frequency.tfidf(c.tokens, filler=False)[["doc_id", "term", "tfidf"]]
    terms = counts.merge(weights, on=["doc_id", "term"], how="left")[["doc_id", "term", "n", "per_10k", "tfidf"]]
    keyness = frequency.keyness_each(c.tokens, docs, min_freq=2)
    found = slogans.mentions(c)
    pairs = pd.concat([cooccurrence.cooccurrence(c, found, context=ctx) for ctx in ("document", "paragraph", "sentence")],
                      ignore_index=True)
    tables = {
        "documents.csv": docs[front + rest],
        "slogans.csv": slogans.slogan_counts(found)[["doc_id", "slogan", "n"]],
        "slogan_mentions.csv": found,
        "formulas.csv": slogans.discovered_by_document(c, found=found),
        "cooccurrence.csv": pairs,
        "terms.csv": terms.sort_values(["doc_id", "n", "term"], ascending=[True, False, True]),
        "keyness.csv": keyness,
        "themes.csv": themes.theme_shares(themes.theme_mentions(c, themes_dictionary), docs)[
            ["year", "theme", "n", "share", "n_docs", "per_10k", "single_doc"]],
        "trends.csv": _trends(c, docs, found),
        "cleaning.csv": c.audit,
        "problems.csv": c.problems,
    }
    return tables


TREND_COLUMNS = ("term", "kind", "rho", "slope", "p", "first_year", "last_year", "peak_year", "change_year", "direction",
                 "change_g2", "log_ratio", "n")


def _trends(c: Corpus, docs: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """Trends of terms and of slogans (``kind``), or an empty table when fewer than three years have documents."""
    if docs["year"].dropna().nunique() < 3:
        print(f"note: trends.csv is empty: {docs['year'].dropna().nunique()} distinct years (a trend needs three)",
              file=sys.stderr)
        return pd.DataFrame(columns=list(TREND_COLUMNS))
    tokens = trends.trends(*trends.yearly_counts(c.tokens, docs)).assign(kind="term")
    formulas = trends.trends(*trends.mention_counts(found, docs)).assign(kind="slogan")
    return pd.concat([formulas, tokens], ignore_index=True)[list(TREND_COLUMNS)]


def export(corpus: Path | str = paths.SEEDS, out: Path | str | None = None) -> int:
    """Write the export of ``corpus`` into ``out``; return the exit status (0, or 2 for a bad corpus).

    Files: documents.csv, texts/<doc_id>.txt (clean text), terms.csv (n, per_10k, tfidf),
    keyness.csv (each document against the rest), slogans.csv, slogan_mentions.csv, formulas.csv
    (lexicon slogans and discovered candidates), cooccurrence.csv, themes.csv, trends.csv, cleaning.csv (the audit),
    problems.csv, tokens.csv.gz and tokens.parquet. Unreadable files are listed in problems.csv and
    on stderr; the export goes on without them. Nothing is written under the corpus folder.
    """
    corpus = Path(corpus)
    out = paths.export_dir(corpus) if out is None else Path(out)
    if paths.is_inside(out, corpus):
        print(f"error: refusing to write into the corpus folder ({out} is inside {corpus})", file=sys.stderr)
        return 2
    try:
        c = load_corpus(corpus)
    except reading.CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    reading.report([reading.Problem(*row) for row in c.problems.itertuples(index=False)])
    (out / "texts").mkdir(parents=True, exist_ok=True)
    for doc_id, text in zip(c.documents["doc_id"], c.documents["text"]):
        (out / "texts" / f"{doc_id}.txt").write_text(text + "\n", encoding="utf-8")
    for name, table in export_tables(c, paths.theme_dictionary()).items():
        _write_csv(table, out / name)
    tokens = c.tokens.assign(doc_id=c.tokens["doc_id"].astype(str), term=c.tokens["term"].astype(str),
                             kind=c.tokens["kind"].astype(str))
    tokens.to_parquet(out / "tokens.parquet", index=False)
    tokens.to_csv(out / "tokens.csv.gz", index=False, encoding="utf-8", lineterminator="\n",
                  compression={"method": "gzip", "mtime": 0})
    print(f"exported {len(c.documents)} documents ({len(c.problems)} problems) to {out}", file=sys.stderr)
    return 0
