"""Dating documents: the year from metadata, or inferred from the text with its evidence and a confidence.

Evidence, each recorded as a sentence a reader can check:

- explicit years (2019年, 一九五五年), weighed by where they stand: in the title (5), as the year a
  plan is for ("2020年工作重点", "部署2020年", 3), as the year under review ("回顾2019年",
  "2019年工作回顾": the document is of the next year, 3), anywhere else (1 each, at most 3 a year);
  targets and ranges (到2020年, 从一九八三年到一九八七年, 二〇三五年远景目标) are not evidence;
- numbered Party congresses (十九大) and plenary sessions (十九届四中全会, also written
  十九届二中、三中、四中全会), NPC sessions, central meetings, regulations and campaigns, dated by
  ``analysis/data/events.csv``; and formulas of the slogan lexicon with a known first year;
- the rule that a document is no older than the latest event it mentions: that year is a lower
  bound, and "巩固深化…主题教育成果" (consolidating a finished campaign) puts it at the campaign's end;
  an event named as still to come (到十六大, 喜迎党的十九大) is no bound;
- only when nothing else dates a text: formulas of the slogan lexicon with a known first year.

The year is the best-scored candidate at or above the lower bound (or the lower bound itself when
no explicit year survives). Confidence: "high" with title, plan or review evidence, "medium" with
explicit years or several events, "low" with a single event or formula, "none" without evidence.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from . import paths

_CN = "〇零一二三四五六七八九十"
_DIGIT = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_YEAR = re.compile(r"(?<![\d])(1[89]\d{2}|20\d{2})\s*年|([〇零○一二三四五六七八九]{4})年")
_PLAN_AFTER = re.compile(r"^(?:的)?(?:全年)?(?:工作|主要任务|重点工作|工作重点|工作要点|工作安排|总体部署|目标任务|主要目标)")
_PLAN_BEFORE = re.compile(r"(?:部署|安排|做好|抓好|谋划)\s*$")
_REVIEW_BEFORE = re.compile(r"(?:回顾|总结|回顾总结)(?:一下)?\s*$")
_REVIEW_AFTER = re.compile(r"^(?:的)?(?:[^，。；]{0,8})?(?:工作)?回顾")
_TARGET_BEFORE = re.compile(r"(?:到|至|在|于|力争|争取|预计|计划|迎接|喜迎)\s*$")
_TARGET_AFTER = re.compile(r"^(?:前|以前|之前|远景|目标|开始的|起步|到|至|—|-|基本实现|全面建成)")
_SINCE_AFTER = re.compile(r"^(?:以来|起|开始)")
_PLENUM = re.compile(rf"([{_CN}]{{1,3}})届((?:[{_CN}]{{1,2}}中[、，和及]?)+)全会")
_PLENUM_FULL = re.compile(rf"第([{_CN}]{{1,3}})届中央委员会第([{_CN}]{{1,2}})次全体会议")
_CONGRESS = re.compile(rf"(党的|中共|第)?([{_CN}]{{1,3}})(?:大|次全国代表大会)(?!会|全|学|队|家|量|型|小|项|类|行|领域|工程|产业|攻坚|战略|任务|优势|名片|关系|举措|体系)")
_NPC = re.compile(rf"第?([{_CN}]{{1,3}})届全国(?:人大|人民代表大会)第?([{_CN}]{{1,2}})次会议")
_CONSOLIDATE = re.compile(r"巩固(?:深化|拓展|扩大)?")


def chinese_number(text: str) -> int:
    """十九 → 19, 二十 → 20, 四 → 4 (numbers up to 99)."""
    if "十" not in text:
        return int("".join(str(_DIGIT[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_DIGIT[tens] if tens else 1) * 10 + (_DIGIT[ones] if ones else 0)


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + ("" if ones == 0 else digits[ones])


@lru_cache(maxsize=1)
def events() -> pd.DataFrame:
    """The dated events of ``analysis/data/events.csv``."""
    table = pd.read_csv(paths.data_file("events.csv"), comment="#", dtype=str, keep_default_na=False)
    table["start_year"] = table["start_year"].astype(int)
    table["end_year"] = pd.to_numeric(table["end_year"], errors="coerce").astype("Int64")
    return table


@lru_cache(maxsize=1)
def _named_events() -> tuple[re.Pattern, dict[str, tuple[int, int | None, str]]]:
    table = events()
    named = table[table["kind"].isin(["meeting", "regulation", "campaign"])]
    lookup, patterns = {}, []
    for row in named.itertuples():
        lookup[row.name] = (row.start_year, None if pd.isna(row.end_year) else int(row.end_year), row.kind)
        patterns.append("[“”、，\\s]?".join(re.escape(ch) for ch in row.name))
    ordered = sorted(zip(patterns, named["name"]), key=lambda p: -len(p[1]))
    return re.compile("|".join(p for p, _ in ordered)), lookup


@dataclass
class Evidence:
    kind: str  # title, plan, review, year, since, target, congress, plenum, npc, meeting, regulation, campaign, formula
    year: int
    excerpt: str
    bound: bool = False  # a lower bound (an event), not a candidate year

    def __str__(self) -> str:
        mark = "≥" if self.bound else "="
        return f"{self.kind} {mark}{self.year}: {self.excerpt}"


@dataclass
class Dating:
    year: int | None
    confidence: str
    evidence: list[Evidence] = field(default_factory=list)
    lower_bound: int | None = None
    conflicts: list[str] = field(default_factory=list)

    def summary(self, limit: int = 6) -> str:
        """The evidence that decided, strongest first, as one line."""
        weight = {"title": 0, "plan": 1, "review": 2, "campaign": 3, "plenum": 4, "npc": 4, "congress": 5,
                  "meeting": 5, "regulation": 5, "since": 6, "year": 7, "formula": 8, "target": 9}
        chosen = sorted(self.evidence, key=lambda e: (weight.get(e.kind, 9), -e.year))
        parts = [str(e) for e in chosen[:limit]]
        if self.conflicts:
            parts.append("conflict: " + "; ".join(self.conflicts))
        return " | ".join(parts)


def _excerpt(text: str, start: int, end: int, width: int = 14) -> str:
    return text[max(0, start - width): end + width].replace("\n", " ")


def _year_value(match: re.Match) -> int:
    """2019 from "2019年", 1955 from "一九五五年"."""
    if match.group(1):
        return int(match.group(1))
    return int("".join(str(_DIGIT[c]) for c in match.group(2)))


def _explicit_years(text: str, title: str) -> list[Evidence]:
    out = []
    for m in _YEAR.finditer(text):
        year = _year_value(m)
        before, after = text[max(0, m.start() - 8): m.start()], text[m.end(): m.end() + 12]
        excerpt = _excerpt(text, m.start(), m.end())
        if _TARGET_BEFORE.search(before) or _TARGET_AFTER.match(after):
            out.append(Evidence("target", year, excerpt))
        elif _REVIEW_BEFORE.search(before) or _REVIEW_AFTER.match(after):
            out.append(Evidence("review", year + 1, excerpt))
        elif _PLAN_AFTER.match(after) or _PLAN_BEFORE.search(before):
            out.append(Evidence("plan", year, excerpt))
        elif _SINCE_AFTER.match(after) or re.search(r"从\s*$", before):
            out.append(Evidence("since", year, excerpt))
        else:
            out.append(Evidence("year", year, excerpt))
    for m in _YEAR.finditer(title or ""):
        out.append(Evidence("title", _year_value(m), title))
    return out


def _future(text: str, start: int) -> bool:
    """An event named as still to come (到十六大, 喜迎党的十九大, 迎接…) does not date the text."""
    return bool(_TARGET_BEFORE.search(re.sub(r"(?:党的|中共|第)$", "", text[max(0, start - 8): start])))


def _event_evidence(text: str) -> list[Evidence]:
    table = events()
    dates = dict(zip(table["name"], table["start_year"]))
    out = []
    for m in _PLENUM.finditer(text):
        if _future(text, m.start()):
            continue
        term = m.group(1)
        for plenum in re.findall(rf"([{_CN}]{{1,2}})中", m.group(2)):
            name = f"{term}届{plenum}中全会"
            if name in dates:
                out.append(Evidence("plenum", dates[name], _excerpt(text, m.start(), m.end()), bound=True))
    for m in _PLENUM_FULL.finditer(text):
        name = f"{m.group(1)}届{m.group(2)}中全会"
        if name in dates:
            out.append(Evidence("plenum", dates[name], _excerpt(text, m.start(), m.end()), bound=True))
    for m in _CONGRESS.finditer(text):
        prefix, number = m.group(1), m.group(2)
        if len(number) == 1 and not prefix:  # 八大, 九大, 十大 are ambiguous without 党的/中共/第
            continue
        if _future(text, m.start()):
            continue
        try:
            n = chinese_number(number)
        except KeyError:
            continue
        name = f"{_cn(n)}大"
        if name in dates:
            out.append(Evidence("congress", dates[name], _excerpt(text, m.start(), m.end()), bound=True))
    for m in _NPC.finditer(text):
        name = f"{m.group(1)}届全国人大{m.group(2)}次会议"
        if name in dates:
            out.append(Evidence("npc", dates[name], _excerpt(text, m.start(), m.end()), bound=True))
    pattern, lookup = _named_events()
    for m in pattern.finditer(text):
        key = re.sub(r"[“”、，\s]", "", m.group(0))
        start, end, kind = lookup.get(key, (None, None, None))
        if start is None:
            continue
        consolidating = _CONSOLIDATE.search(text[max(0, m.start() - 6): m.start()]) and end is not None
        year = end if consolidating else start
        label = "campaign" if kind == "campaign" else kind
        out.append(Evidence(label, year, _excerpt(text, m.start(), m.end()) + ("（巩固成果：战役已结束）" if consolidating else ""),
                            bound=True))
    return out


def _formula_evidence(text: str) -> list[Evidence]:
    from .slogans import find_mentions, load_lexicon

    first = load_lexicon().set_index("slogan")["first_year"].dropna()
    seen: dict[str, Evidence] = {}
    for start, end, slogan, form, _ in find_mentions(text):
        if slogan in first.index and slogan not in seen:
            seen[slogan] = Evidence("formula", int(first[slogan]), f"{slogan}（{int(first[slogan])}年起）", bound=True)
    return list(seen.values())


def infer_year(text: str, title: str = "") -> Dating:
    """Infer the year of one document from its clean text (and title); see the module docstring."""
    evidence = _explicit_years(text, title) + _event_evidence(text)
    if not evidence:  # formulas' first years are loose (a phrase may predate its use as a formula): last resort
        evidence = _formula_evidence(text)
    bounds = [e for e in evidence if e.bound]
    lower = max((e.year for e in bounds), default=None)
    weights = {"title": 5, "plan": 3, "review": 3, "since": 1, "year": 1}
    scores: Counter = Counter()
    plain: Counter = Counter()
    for e in evidence:
        if e.kind in ("year", "since"):
            plain[e.year] += 1
            if plain[e.year] > 3:  # many mentions of the year under review must not outvote the title
                continue
        if e.kind in weights:
            scores[e.year] += weights[e.kind]
    if lower is not None:
        scores[lower] += 2  # the latest event: documents are usually of that year or just after
    conflicts = []
    candidates = {y: s for y, s in scores.items() if lower is None or y >= lower}
    dropped = sorted(y for y in scores if lower is not None and y < lower and scores[y] >= 3)
    if dropped:
        latest = max(bounds, key=lambda e: e.year)
        conflicts.append(f"{', '.join(map(str, dropped))} set aside: the text mentions {latest.excerpt.strip()} (≥{lower})")
    if not candidates:
        return Dating(None, "none", evidence, lower, conflicts)
    year = max(candidates, key=lambda y: (candidates[y], y))
    strong = [e for e in evidence if e.kind in ("title", "plan", "review") and e.year == year]
    explicit = [e for e in evidence if e.kind == "year" and e.year == year]
    distinct_bounds = {(e.kind, e.year) for e in bounds}
    if strong:
        confidence = "high"
    elif explicit or len(distinct_bounds) >= 2:
        confidence = "medium"
    else:
        confidence = "low"
    kept = [e for e in evidence if e.year == year or e.bound and e.year == lower or e.kind in ("title", "plan", "review")]
    return Dating(year, confidence, kept, lower, conflicts)


def date_documents(documents: pd.DataFrame, *, use_metadata: bool = True) -> pd.DataFrame:
    """One row per document: the year used and why, and the text's own answer beside it.

    - ``year``, ``year_source`` ("metadata" when ``metadata.csv`` gives a year and ``use_metadata``,
      "inferred" when the text dates it, "none"), ``year_evidence`` (for a metadata year, the
      metadata's own ``year_evidence`` column when it has one);
    - ``year_inferred``, ``year_inferred_confidence`` (high/medium/low/none),
      ``year_inferred_evidence``: what the text says, always, so the two can be compared.
    """
    rows = []
    for row in documents.to_dict("records"):
        title = row.get("title") or ""
        dating = infer_year(row["text"], title if isinstance(title, str) else "")
        meta = row.get("year", pd.NA)
        has_meta = use_metadata and not pd.isna(meta)
        meta_evidence = row.get("year_evidence")
        rows.append({
            "doc_id": row["doc_id"],
            "year": int(meta) if has_meta else dating.year,
            "year_source": "metadata" if has_meta else ("inferred" if dating.year is not None else "none"),
            "year_evidence": (meta_evidence if isinstance(meta_evidence, str) and meta_evidence else "metadata.csv")
            if has_meta else dating.summary(),
            "year_inferred": dating.year,
            "year_inferred_confidence": dating.confidence,
            "year_inferred_evidence": dating.summary(),
        })
    table = pd.DataFrame(rows)
    for column in ("year", "year_inferred"):
        table[column] = table[column].astype("Int64")
    return table


YEAR_COLUMNS = ("year", "year_source", "year_evidence", "year_inferred", "year_inferred_confidence",
                "year_inferred_evidence")


def with_years(documents: pd.DataFrame) -> pd.DataFrame:
    """``documents`` with the columns of :func:`date_documents` (``year`` filled from the text where
    metadata has none), placed after ``title``."""
    dating = date_documents(documents)
    base = documents.drop(columns=[c for c in YEAR_COLUMNS if c in documents.columns])
    out = base.merge(dating, on="doc_id", how="left")
    head = [c for c in base.columns if c not in ("text", "raw")]
    at = head.index("title") + 1 if "title" in head else 1
    order = head[:at] + list(YEAR_COLUMNS) + head[at:]
    return out[order + [c for c in ("text", "raw") if c in out.columns]]
