"""Near-matches of every lexicon formula that the matcher does not count: the variants to review.

For each formula of ``analysis/zhengyan/data/formulas.csv`` (four characters or more), every place in the texts where
its characters occur in order with a few characters between them (at most ``--gap`` between two of
them, ``--total`` in all, no sentence punctuation) and where :func:`zhengyan.analyses.formulas.find_mentions`
counts no mention of that formula over the span. Such spans are the forms the lexicon misses:
有中国特色的社会主义 (的 inserted) for 中国特色社会主义, 不忘初心、牢记使命 if punctuation were not allowed,
两手抓，两手都要硬 … Each line: formula, the near-match as written, what was inserted, how often it is
seen in the bundled reports and in the news folder, the years of the reports that use it, one report.

Run ``python bench/audit_variants.py [--news FOLDER] [--min 2]``; nothing is written (the table goes
to stdout). Review its output by reading the contexts: many near-matches are two formulas' words
that happen to meet (中国特色 … 社会主义市场经济), not a variant.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "analysis"))

from zhengyan.ingest import cleaning, reading
from zhengyan.core import paths
from zhengyan.analyses import formulas  # noqa: E402

#: What may stand between two characters of a near-match: anything but sentence punctuation and line breaks.
_GAP_CHAR = r"[^。！？；：\n]"


def read_clean(folder: Path) -> list[tuple[str, str]]:
    """``(doc_id, clean text)`` of every ``.txt`` file of ``folder`` (read only)."""
    raw = reading.read_folder(folder)
    return [(d.doc_id, cleaning.clean(d.text).text) for d in raw.documents]


def near_pattern(formula: str, gap: int) -> re.Pattern:
    """The characters of ``formula`` in order, each pair at most ``gap`` characters apart (shortest first)."""
    inner = f"(?:{_GAP_CHAR}{{0,{gap}}}?)"
    return re.compile(inner.join(re.escape(ch) for ch in formula))


def inserted(formula: str, form: str) -> str:
    """The characters ``form`` holds beyond ``formula`` (in order): 的 for 有中国特色的社会主义."""
    out, i = [], 0
    for ch in form:
        if i < len(formula) and ch == formula[i]:
            i += 1
        else:
            out.append(ch)
    return "".join(out)


def audit(texts: list[tuple[str, str]], lexicon: pd.DataFrame, *, gap: int, total: int) -> dict:
    """``{(formula, form): Counter(doc_id -> n)}`` of the near-matches not counted as that formula."""
    found: dict[tuple[str, str], Counter] = defaultdict(Counter)
    patterns = {f: near_pattern(f, gap) for f in lexicon["formula"] if len(f) >= 4}
    for doc_id, text in texts:
        mentions = None
        for formula, pattern in patterns.items():
            if formula[-1] not in text or formula[0] not in text:
                continue
            for m in pattern.finditer(text):
                while (inner := pattern.search(text, m.start() + 1, m.end())) is not None:
                    m = inner  # the tightest span: 统一、一国两制 holds 一国两制, not 一、一国两制
                form = m.group(0)
                extra = len(form) - len(formula)
                if extra == 0 or extra > total:
                    continue
                if mentions is None:  # the mentions of this text, computed once and only when needed
                    mentions = formulas.find_mentions(text, lexicon)
                if any(item == formula and start <= m.start() and m.end() <= end
                       for start, end, item, _, _ in mentions):
                    continue  # the matcher counts it already (punctuation it allows, a listed variant)
                found[(formula, form)][doc_id] += 1
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--news", type=Path, help="a folder of news transcripts to audit as well (read only)")
    parser.add_argument("--gap", type=int, default=2, help="most characters between two characters of a formula")
    parser.add_argument("--total", type=int, default=3, help="most characters inserted in all")
    parser.add_argument("--min", type=int, default=2, help="list near-matches seen at least this often in all")
    args = parser.parse_args(argv)
    for name in ("gap", "total", "min"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be 1 or more; got {getattr(args, name)}")
    if args.news is not None and not args.news.is_dir():
        parser.error(f"--news: {args.news} is not a folder")
    lexicon = formulas.load_lexicon()
    reports = read_clean(paths.PRC_REPORTS)
    meta = pd.read_csv(paths.PRC_REPORTS / "metadata.csv", dtype={"doc_id": str})
    year_of = dict(zip(meta["file"].map(lambda f: Path(f).stem), meta["year"]))  # texts are named by their file
    in_reports = audit(reports, lexicon, gap=args.gap, total=args.total)
    in_news = audit(read_clean(args.news), lexicon, gap=args.gap, total=args.total) if args.news else {}
    rows = []
    for key in set(in_reports) | set(in_news):
        formula, form = key
        r, n = in_reports.get(key, Counter()), in_news.get(key, Counter())
        years = sorted({int(year_of[d]) for d in r if d in year_of})
        rows.append({"formula": formula, "form": form, "inserted": inserted(formula, form),
                     "n_reports": sum(r.values()), "n_news": sum(n.values()),
                     "report_years": " ".join(map(str, years)), "report": r.most_common(1)[0][0] if r else ""})
    table = pd.DataFrame(rows, columns=["formula", "form", "inserted", "n_reports", "n_news", "report_years", "report"])
    table = table[table["n_reports"] + table["n_news"] >= args.min]
    table = table.sort_values(["formula", "n_reports", "n_news", "form"], ascending=[True, False, False, True])
    print(f"# near-matches of {sum(len(f) >= 4 for f in lexicon['formula'])} formulas (gap ≤ {args.gap}, "
          f"≤ {args.total} inserted) in {len(reports)} reports"
          + (f" and {args.news}" if args.news else "") + f"; {len(table)} seen {args.min}+ times")
    table.to_csv(sys.stdout, sep="\t", index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
