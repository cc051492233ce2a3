"""Dating documents: the year from metadata, or inferred from the text with its evidence and a confidence.

Every kind of evidence is declared once, in ``KINDS`` (its role — vote, bound, upper bound or set aside —,
its weight, and what it is worth to the confidence); what an explicit year says is decided by the ordered
rules of ``YEAR_RULES`` (the first that answers wins); ``infer_year`` runs in named steps: gather the evidence,
find the bounds, score the votes, keep the candidates inside the bounds, choose, rate the confidence.

What votes for a year (weights in ``WEIGHTS``), each recorded as a sentence a reader can check:

- explicit years (2019年, 一九五五年) by where they stand: in the title (5, unless the title's own words make
  it a range or a target: 规划（2014—2020年）, 到2035年建成…); as the year a plan is for ("2020年工作重点",
  "部署2020年", 3); as the year under review ("回顾2019年": the text is of the next year, 3); as a year that
  is over ("2016年全年", "截至2016年底", "2016年四季度", or "2016年9月" in a text whose day dates say it
  speaks from March: the next year, 2); as the year now running ("2019年上半年", "2019年春节", 2); a recap
  ("2018年，我国…" — not "2035年，我国将…" —, measured to be written the year after more often than not: the
  next year, 1); anywhere
  else (1 each, at most ``PLAIN_CAP`` a year);
- a year counted back from the text ("36年前的1978年" → 2014, 3);
- the Nth anniversary of a dated event (建党100周年 → 2021, "1949年…70周年" → 2019, 2) and the Nth
  edition of a recurring event (第二届进博会 → 2019, 3), from ``analysis/data/events.csv``.

A year dated to a month or a scene ("2012年12月", "2014年春节前夕，…") votes only when the text names no
later year firmly; otherwise it is the past (and the month rule is not applied to it).

What is no vote: targets and ranges (到2020年, 2016-2020年, 2035年远景目标, 向着2035年, 2050年净零排放,
自2019年1月1日起施行), years of named events (北京2022年冬奥会), past records, comparisons and biographies
(他2010年的工作笔记, 比2013年, 1931年5月出生), "from" years (2019年起), and ordinals outside a Party context
(全球第九大, 越共十三大, 共青团第十九次全国代表大会).

What bounds the year (``events.csv``): numbered Party congresses (十九大), plenary sessions
(十九届四中全会, 十九届二中、三中、四中全会), NPC sessions, central meetings, regulations, campaigns and
coined terms or names (新质生产力, 新冠肺炎) give a lower bound — the text is no older than the latest of them;
"X年以来" and "党的十八大以来" give a lower bound and nothing else; a deadline passed (截至2021年底) is a lower
bound (2022); office holders (国务院总理李克强) and names of bodies since renamed (国家卫生计生委) give a lower
and an upper bound. An event named as still to come (到十六大, 喜迎党的十九大) is an upper bound: the text is of
its year or before; so is a year aimed at (力争2025年, 预计2020年: that year or the next, ``TARGET_SLACK``). "巩固…主题教育成果" puts a
finished campaign at its end. Names are matched with quotation marks or spaces between their characters, and
a list comma only between words (不忘初心、牢记使命), never inside a number (走了十四、五公里 is no 十四五).

The year is the best-scored candidate within the bounds (ties: the later); the latest event named as
held (not "以来") adds 2 to its own year and 1 to the next (``HELD_BONUS``). With no candidate inside
the bounds, the lower bound itself when it comes from an event held, an office, a term or a deadline
("low"); else no year. Formulas of the slogan lexicon with a known first year are a last resort, when
nothing else is found.

Confidence, from what decided and by how much (measured in ``bench/bench_dating.py``): "high" when
title, plan, review or edition evidence names the year and leads the next candidate by ``HIGH_MARGIN``
(3) or more; "medium" when explicit evidence names it with a lead of ``MEDIUM_MARGIN`` (2) or more; "low"
otherwise; "none" without a year.

Which inferred years a year analysis may use: :func:`usable_years` (at or above a confidence, inside the
corpus's :func:`plausible_span`), which says how many documents it leaves out and why.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd
import regex

from zhengyan.core import paths
from zhengyan.core import pool
from zhengyan.ingest.structure import title_from_text  # the rule load_corpus uses for a title: also dating's

_CN = "〇零一二三四五六七八九十"
_NUM = rf"(?:\d{{1,3}}|[{_CN}百]{{1,4}})"
_DIGIT = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# The patterns scanned over whole texts that begin with an optional part or a look-behind use the
# ``regex`` module: it finds their required characters first (年, 月, 届, 大) and is several times
# faster there than ``re``, with the same matches (``regex``'s \s leaves out U+001C–U+001F, which ``re``'s
# holds: they are written out where a pattern may meet uncleaned text). Alternations of many names stay with ``re``.
_YEAR = regex.compile(r"(?<![\d])(1[89]\d{2}|20\d{2})[\s\x1c-\x1f]*年(?!代)|([〇零○一二三四五六七八九]{4})年(?!代)")
_PLAN_AFTER = re.compile(r"^(?:的)?(?:全年)?(?:(?:政府)?工作(?:重点|要点|任务|安排|部署|思路|目标|计划)|工作(?=[，。；：、]|$)|主要任务|"
                         r"重点工作|总体部署|目标任务|主要目标|(?:经济社会发展|发展)?主要预期目标|国民经济和社会发展计划)")
_PLAN_BEFORE = re.compile(r"(?:部署|安排|做好|抓好|谋划)\s*$")
_REVIEW_BEFORE = re.compile(r"(?:回顾|总结|回顾总结)(?:一下)?\s*$")
_REVIEW_AFTER = re.compile(r"^(?:的)?(?:[^，。；]{0,8})?(?:工作)?回顾")
_TARGET_BEFORE = re.compile(r"(?:到|(?<![截])至|在|于|力争|争取|预计|计划|迎接|喜迎|筹办|备战|申办|距离|距|再到|向着|朝着|迈向|"
                            r"展望|面向)\s*$")
_FUTURE_BEFORE = re.compile(r"(?:到|(?<![截])至|力争|争取|预计|计划|迎接|喜迎|筹办|筹备|备战|申办|距离|距|即将召开的|将于|再到)\s*$")
_TARGET_AFTER = re.compile(r"^(?:前|以前|之前|远景|目标|开始的|起步|到|至|—|-|–|~|～|基本实现|全面建成|实现|可持续发展|议程|左右|底前|年底前|将|要|"
                           r"(?:前后|左右)?(?:实现)?(?:净零|碳中和|碳达峰|达峰|零排放))")
_RANGE_BEFORE = re.compile(r"(?:1[89]\d{2}|20\d{2})\s*年?\s*(?:[-—–~～]|至|到)\s*$")
_EFFECTIVE_AFTER = re.compile(r"^[^，。；]{0,10}?起(?:施行|实施|执行|生效)")
_EVENT_AFTER = re.compile(rf"^(?:第{_NUM}届)?(?:[^，。；\d]{{0,4}}杯|(?:北京|巴黎|东京|杭州|米兰|成都|哈尔滨|上海|广州)?"
                          r"(?:冬奥|夏奥|奥运|残奥|冬残奥|亚运|亚残运|世博|世界杯|大运|青奥|全运|亚冬|冬运|特奥|园博|花博|世园))")
_PAST_BEFORE = re.compile(r"(?:(?:他|她|其|他们|她们|父亲|母亲|爷爷|奶奶)(?:在|于|曾在|曾于|早在)?|早在|比|较|同比|相比|比起|恢复到|恢复至|"
                          r"时任|曾于|曾在|生于|出生于|毕业于)\s*$")
_PAST_AFTER = re.compile(r"^(?:同期|的同期|水平|相比|时任|获)|"
                         r"^(?:(?:1[0-2]|[1-9])月(?:[1-3]?\d[日号])?)?(?:出生|生于|生人|入党|参军|入伍|毕业|参加工作|参加革命|"
                         r"牺牲|去世|逝世|病逝|生[，,、）)])")
_CLOSED_AFTER = re.compile(r"^(?:全年(?!计划|目标|预计|将|要)|末|第?四季度|底(?!前|以前|之前))")
_RECAP_AFTER = re.compile(r"^[，,]\s*(?:我国|全国|中国|全省|全市)(?![^，。；]{0,10}?(?:将|要|力争|预计|有望))")
_CURRENT_AFTER = re.compile(r"^(?:上半年|第?一季度|春节|春运|全国两会|元宵)")
# "2014年春节前夕，总书记来到…": a dated scene told as the opening of a story, which may be years back
_SCENE_AFTER = re.compile(r"^(?:(?:1[0-2]|[1-9])月(?:[1-3]?\d[日号])?|(?:春节|元宵|国庆|中秋|新年|岁末|年初|年末|夏天|秋天|冬天|春天)"
                          r"(?:前夕|期间|之际|前后|假期|的时候|时)?)[^，。；]{0,4}[，,]")
# words that look forward from the time of writing: a year after them is still to come (bare 到 may look back)
_AIM_BEFORE = re.compile(r"(?:力争|争取|预计|计划|向着|朝着|迈向|展望|将于)(?:到|在|于)?\s*$")
_DEADLINE_BEFORE = re.compile(r"截[至止](?:到)?\s*$")
_YEAR_END_AFTER = re.compile(r"^(?:年)?(?:底|末|12月)")
_DISTANCE_BEFORE = regex.compile(rf"({_NUM})\s*年前(?:的)?\s*$")
_SINCE_AFTER = re.compile(r"^(?:(?:1[0-2]|[1-9])月(?:份)?(?:[1-3]?\d日)?)?以来")
_FROM_AFTER = re.compile(r"^(?:起|开始|后|之后|以后|晚些时候|下半年起)")
_PLENUM = regex.compile(rf"([{_CN}]{{1,3}})届((?:[{_CN}]{{1,2}}中[、，和及]?)+)全会")
_PLENUM_FULL = re.compile(rf"第([{_CN}]{{1,3}})届中央委员会第([{_CN}]{{1,2}})次全体会议")
_CONGRESS = regex.compile(rf"(党的|中共|第)?([{_CN}]{{1,3}})(大|次全国代表大会)(?!会|全|学|队|家|量|型|小|项|类|行|领域|工程|产业|攻坚|战略|任务|优势|名片|关系|举措|体系)")
_NPC = regex.compile(rf"第?([{_CN}]{{1,3}})届全国(?:人大|人民代表大会)第?([{_CN}]{{1,2}})次会议")
_OTHER_BODY = re.compile(r"(?:民革|民盟|民建|民进|农工党|致公党|九三学社|台盟|农工民主党|国民党|共青团|团中央|妇联|工会|工商联|文联|作协|科协|"
                         r"侨联|台联|青联|学联|劳动党|人民党|革命党|越共|越南共产党|老挝|朝鲜|古巴共产党|中国国民党)[^，。；]{0,6}$")
_CONSOLIDATE = re.compile(r"巩固(?:深化|拓展|扩大)?")
_ANNIVERSARY = re.compile(rf"({_NUM})\s*周年")
_JUST_HELD = re.compile(r"^[^。；]{0,12}?(?:胜利召开|隆重召开|刚刚闭幕|胜利闭幕|开幕|闭幕|召开|举行)")

@dataclass(frozen=True)
class EvidenceKind:
    """One kind of dating evidence: what it is, and how it counts.

    ``role``: "vote" (``weight`` points for the year it names), "bound" (a lower bound on the text's year;
    some carry an upper bound too), "upper" (an upper bound only: an event or target still to come) or
    "aside" (recorded so a reader sees it was read, and not counted). ``tier`` says what a vote is worth to
    the confidence: "strong" evidence names the text's own year (a title, a plan, a review, an edition),
    "explicit" names a year outright, "" does not count. ``capped`` votes count at most ``PLAIN_CAP`` times a
    year. ``rank`` orders a summary (lowest first).
    """
    name: str
    role: str
    weight: int = 0
    tier: str = ""
    capped: bool = False
    rank: int = 9
    doc: str = ""


#: Every kind of evidence, in one place: adding a dating rule means a row here and the rule that emits it.
KINDS: dict[str, EvidenceKind] = {k.name: k for k in (
    EvidenceKind("title", "vote", 5, "strong", rank=0, doc="a year in the title (or the text's first line)"),
    EvidenceKind("plan", "vote", 3, "strong", rank=1, doc="the year a plan is for (2020年工作重点, 部署2020年)"),
    EvidenceKind("review", "vote", 3, "strong", rank=2, doc="the year under review, +1 (回顾2019年)"),
    EvidenceKind("recurring", "vote", 3, "strong", rank=3, doc="the Nth edition of a recurring event (第二届进博会)"),
    EvidenceKind("distance", "vote", 3, "explicit", rank=3, doc="a year N years back (36年前的1978年 → 2014)"),
    EvidenceKind("anniversary", "vote", 2, "explicit", rank=3, doc="the Nth anniversary of a dated event"),
    EvidenceKind("closed", "vote", 2, "explicit", capped=True, rank=6,
                 doc="a year that is over, +1 (2016年全年, 截至2016年底, a month already past)"),
    EvidenceKind("current", "vote", 2, "explicit", capped=True, rank=6, doc="the year now running (2019年上半年)"),
    EvidenceKind("recap", "vote", 1, "explicit", capped=True, rank=7, doc="a recap (2018年，我国…), +1"),
    EvidenceKind("year", "vote", 1, "explicit", capped=True, rank=7, doc="any other mention of a year"),
    EvidenceKind("campaign", "bound", rank=3, doc="a campaign of events.csv (its start, or its end when consolidated)"),
    EvidenceKind("plenum", "bound", rank=4, doc="a plenary session of the Central Committee"),
    EvidenceKind("npc", "bound", rank=4, doc="a session of the National People's Congress"),
    EvidenceKind("congress", "bound", rank=5, doc="a Party congress"),
    EvidenceKind("meeting", "bound", rank=5, doc="a central meeting of events.csv"),
    EvidenceKind("regulation", "bound", rank=5, doc="a regulation of events.csv"),
    EvidenceKind("office", "bound", rank=5, doc="an office holder (both bounds: their term)"),
    EvidenceKind("deadline", "bound", rank=6, doc="a deadline that has passed (截至2021年底 → ≥2022)"),
    EvidenceKind("since", "bound", rank=6, doc="X年以来, 党的十八大以来: a lower bound and nothing else"),
    EvidenceKind("term", "bound", rank=6, doc="a coined term or an event's name (十四五, 新冠肺炎疫情)"),
    EvidenceKind("formula", "bound", rank=8, doc="a formula's first year (slogans lexicon): last resort"),
    EvidenceKind("coming", "upper", rank=8, doc="an event named as still to come (喜迎党的十九大 → ≤2017)"),
    EvidenceKind("target", "aside", doc="a target (到2035年, 2050年净零排放)"),
    EvidenceKind("range", "aside", doc="a range (2016-2020年), in the text or the title"),
    EvidenceKind("event", "aside", doc="the year in a named event (北京2022年冬奥会)"),
    EvidenceKind("past", "aside", doc="a past record, comparison, biography or recollection"),
    EvidenceKind("from", "aside", doc="a 'from' year (2019年起)"),
)}
#: How much each kind of vote weighs for the year it names (events are bounds, not votes).
WEIGHTS = {k.name: k.weight for k in KINDS.values() if k.role == "vote"}
_STRONG = frozenset(k.name for k in KINDS.values() if k.tier == "strong")
_EXPLICIT = frozenset(k.name for k in KINDS.values() if k.tier == "explicit")
_CAPPED = frozenset(k.name for k in KINDS.values() if k.capped)
_NOT_EVIDENCE = tuple(k.name for k in KINDS.values() if k.role == "aside")
#: "2014年两国建交50周年" names the year of the anniversary, not of the founding: a year plus its
#: anniversary beyond this is not read as a date.
ANNIVERSARY_HORIZON = 2030
#: What the latest event named as held adds to its own year and to the next.
HELD_BONUS = (2, 1)
#: Plain mentions of one year count at most this many times.
PLAIN_CAP = 2
#: "high": strong evidence names the year and leads the next candidate by this many points.
HIGH_MARGIN = 3
#: "medium": strong or explicit evidence names the year and leads the next candidate by this many points.
MEDIUM_MARGIN = 2
#: Candidates set aside by a bound are reported as a conflict from this score up.
CONFLICT_SCORE = 3
#: A year named as aimed at (力争2035年, 预计2020年) caps the text's year at that year + this (an estimate for
#: a year may be given just after it ends).
TARGET_SLACK = 1
#: Confidence levels, best first.
CONFIDENCES = ("high", "medium", "low", "none")


def chinese_number(text: str) -> int:
    """十九 → 19, 二十 → 20, 四 → 4, 一百 → 100, 七十五 → 75, 19 → 19 (numbers up to 999)."""
    if text.isdigit():
        return int(text)
    if "百" in text:
        hundreds, _, rest = text.partition("百")
        value = (_DIGIT[hundreds] if hundreds else 1) * 100
        rest = rest.lstrip("零〇")
        return value + (chinese_number(rest) if rest else 0)
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
    table["every"] = pd.to_numeric(table["every"], errors="coerce")
    return table


_NUMERALS = frozenset(_CN + "百千")


def _loose_name(name: str) -> str:
    """A name whose characters may stand apart by quotation marks or spaces, and by a list comma only between
    words of two characters or more ("不忘初心、牢记使命"), never inside a number ("走了十四、五公里" is no 十四五)."""
    parts = [re.escape(name[0])]
    for i in range(1, len(name)):
        numeric = name[i - 1] in _NUMERALS and name[i] in _NUMERALS
        comma_ok = i >= 2 and len(name) - i >= 2 and not numeric
        parts.append(("[“”、，\\s]?" if comma_ok else "[“”\\s]?") + re.escape(name[i]))
    return "".join(parts)


def _name_pattern(names, *, loose: bool = True) -> re.Pattern:
    """Names longest first; ``loose``: quotation marks or spaces may stand between characters (see :func:`_loose_name`)."""
    ordered = sorted(names, key=len, reverse=True)
    return re.compile("|".join(_loose_name(name) if loose else re.escape(name) for name in ordered))


@lru_cache(maxsize=1)
def _named_events() -> tuple[re.Pattern, dict[str, tuple[int, int | None, str]]]:
    table = events()
    named = table[table["kind"].isin(["meeting", "regulation", "campaign", "term"])]
    lookup = {row.name: (row.start_year, None if pd.isna(row.end_year) else int(row.end_year), row.kind)
              for row in named.itertuples()}
    return _name_pattern(named["name"]), lookup


@lru_cache(maxsize=None)
def _kind_table(kind: str) -> tuple[re.Pattern, dict[str, tuple]]:
    table = events()
    rows = table[table["kind"] == kind]
    lookup = {row.name: (row.start_year, None if pd.isna(row.end_year) else int(row.end_year), row.every)
              for row in rows.itertuples()}
    return _name_pattern(rows["name"], loose=kind != "office"), lookup


@dataclass
class Evidence:
    kind: str  # a name of ``KINDS``
    year: int
    excerpt: str
    bound: bool = False  # a lower bound (an event, "X以来", an office, a term), not a candidate year
    held: bool = True  # for a bound: the event is named as held (not "X以来", not an office or a term)
    upper: int | None = None  # an upper bound (an office holder's last year, an event still to come)

    def __str__(self) -> str:
        if self.upper is not None and self.bound:
            return f"{self.kind} {self.year}–{self.upper}: {self.excerpt}"
        if self.upper is not None:
            return f"{self.kind} ≤{self.upper}: {self.excerpt}"
        mark = "≥" if self.bound else ("≠" if self.kind in _NOT_EVIDENCE else "=")
        return f"{self.kind} {mark}{self.year}: {self.excerpt}"


@dataclass
class Dating:
    year: int | None
    confidence: str
    evidence: list[Evidence] = field(default_factory=list)
    lower_bound: int | None = None
    conflicts: list[str] = field(default_factory=list)
    upper_bound: int | None = None

    def summary(self, limit: int = 6) -> str:
        """The evidence that decided, strongest first, as one line."""
        chosen = sorted(self.evidence, key=lambda e: (KINDS[e.kind].rank if e.kind in KINDS else 9, -e.year))
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


_MONTH_DAY = regex.compile(r"(?<![\d年])(1[0-2]|[1-9])月(?:([1-3]?\d)日|([1-3]?\d)号)")


def _month_of(text: str) -> int | None:
    """The month a dated news text speaks from: the month of "今天（7月3日）", else the month most of its
    day dates without a year fall in (when at least three and most of them agree)."""
    today = re.search(r"今天[（(](1[0-2]|[1-9])月[1-3]?\d日[)）]", text)
    if today:
        return int(today.group(1))
    months = Counter(int(m.group(1)) for m in _MONTH_DAY.finditer(text))
    if not months:
        return None
    month, n = months.most_common(1)[0]
    return month if n >= 3 and n >= 0.6 * sum(months.values()) else None


@dataclass(frozen=True)
class _Around:
    """One explicit year and the words around it, as the rules of ``YEAR_RULES`` see it."""
    year: int
    before: str  # the 8 characters before
    after: str  # the 16 characters after
    excerpt: str
    month: int | None  # the month the text speaks from, when its day dates say


def _when(kind: str, shift: int = 0, *, before: re.Pattern | None = None, after: re.Pattern | None = None):
    """A rule: ``kind`` for the year (+ ``shift``) when the words before end with ``before`` or the words after
    begin with ``after``. A kind whose role is "bound" is a lower bound looked back from ("X年以来")."""
    bound = KINDS[kind].role == "bound"

    def rule(c: _Around) -> list[Evidence] | None:
        if (before is not None and before.search(c.before)) or (after is not None and after.match(c.after)):
            return [Evidence(kind, c.year + shift, c.excerpt, bound=bound, held=not bound)]
        return None
    rule.__name__ = f"_{kind}_rule"
    return rule


def _distance_rule(c: _Around) -> list[Evidence] | None:
    """"36年前的1978年": the text speaks 36 years after 1978."""
    distance = _DISTANCE_BEFORE.search(c.before)
    try:
        back = chinese_number(distance.group(1)) if distance else 0
    except KeyError:
        back = 0
    return [Evidence("distance", c.year + back, c.excerpt)] if back else None


def _deadline_rule(c: _Around) -> list[Evidence] | None:
    """截至2021年底: the period has passed, a lower bound (the next year after a year's end)."""
    if not _DEADLINE_BEFORE.search(c.before):
        return None
    closed = bool(_YEAR_END_AFTER.match(c.after))
    first = c.year + 1 if closed else c.year
    return [Evidence("closed" if closed else "year", first, c.excerpt),
            Evidence("deadline", first, c.excerpt, bound=True, held=False)]


def _aim_rule(c: _Around) -> list[Evidence] | None:
    """力争2025年, 预计2020年: still to come when written (or just over): an upper bound, no vote."""
    return [Evidence("target", c.year, c.excerpt, upper=c.year + TARGET_SLACK)] if _AIM_BEFORE.search(c.before) else None


def _target_rule(c: _Around) -> list[Evidence] | None:
    """到2035年, 2035年远景目标, 自2019年1月1日起施行: a target, no vote."""
    if _TARGET_BEFORE.search(c.before) or _TARGET_AFTER.match(c.after) or (
            re.search(r"自\s*$", c.before) and _EFFECTIVE_AFTER.match(c.after)):
        return [Evidence("target", c.year, c.excerpt)]
    return None


def _current_rule(c: _Around) -> list[Evidence] | None:
    """2019年上半年, 2019年春运: the year now running (not a scene told from years later: 2014年春节前夕，…)."""
    if _CURRENT_AFTER.match(c.after) and not _SCENE_AFTER.match(c.after):
        return [Evidence("current", c.year, c.excerpt)]
    return None


def _dated_rule(c: _Around) -> list[Evidence] | None:
    """A year dated to a month or a scene: its own year only when the text names no later one (see
    :func:`_settle_dated`); "2016年9月" in a text of March is a September past, so the next year."""
    later = re.match(r"^(1[0-2]|[1-9])月", c.after)
    if c.month is not None and later and int(later.group(1)) > c.month + 1:
        note = f"（{later.group(1)}月已过：文本在{c.month}月）"
        return [_Dated("closed", c.year + 1, c.excerpt + note, named=c.year)]
    if later or _SCENE_AFTER.match(c.after):
        return [_Dated("year", c.year, c.excerpt, named=c.year)]
    return None


#: What an explicit year says, rule by rule: the first rule that answers decides; a year no rule claims is a
#: plain mention ("year"). To add a rule: write a function of ``_Around``, put it where it should take
#: precedence, and declare the kinds it emits in ``KINDS``.
YEAR_RULES = (
    _when("range", before=_RANGE_BEFORE),
    _when("event", after=_EVENT_AFTER),
    _distance_rule,
    _when("past", before=_PAST_BEFORE, after=_PAST_AFTER),
    _deadline_rule,
    _aim_rule,
    _target_rule,
    _when("review", 1, before=_REVIEW_BEFORE, after=_REVIEW_AFTER),
    _when("plan", before=_PLAN_BEFORE, after=_PLAN_AFTER),
    _when("closed", 1, after=_CLOSED_AFTER),
    _when("recap", 1, after=_RECAP_AFTER),
    _current_rule,
    _when("since", after=_SINCE_AFTER),
    _when("from", before=re.compile(r"从\s*$"), after=_FROM_AFTER),
    _dated_rule,
)


def _classify_year(text: str, m: regex.Match, month: int | None) -> list[Evidence]:
    """What one explicit year says, from the words around it: the answer of the first rule of ``YEAR_RULES``."""
    around = _Around(_year_value(m), text[max(0, m.start() - 8): m.start()], text[m.end(): m.end() + 16],
                     _excerpt(text, m.start(), m.end()), month)
    for rule in YEAR_RULES:
        found = rule(around)
        if found is not None:
            return found
    return [Evidence("year", around.year, around.excerpt)]


@dataclass
class _Dated(Evidence):
    """A year dated to a month or a scene: the text's own year only when the text names no later one."""
    named: int = 0


def _settle_dated(found: list[Evidence]) -> list[Evidence]:
    """Dated mentions of a year older than the latest year the text dates firmly are past, not votes."""
    firm = [e.year for e in found if e.kind in WEIGHTS and not (e.kind == "year" and not isinstance(e, _Dated))]
    latest = max(firm, default=None)
    out = []
    for e in found:
        if isinstance(e, _Dated):
            if latest is not None and e.named < latest and not (e.kind == "closed" and e.year >= latest):
                e = Evidence("past", e.named, e.excerpt + f"（早于文中的{latest}年）")
            else:
                e = Evidence(e.kind, e.year, e.excerpt)
        out.append(e)
    return out


def _title_years(title: str) -> list[Evidence]:
    """A year in the title weighs most, unless the title's own words set it aside (a plan's range, a target)."""
    out = []
    for m in _YEAR.finditer(title or ""):
        read = _classify_year(title, m, None)
        if read[0].kind in _NOT_EVIDENCE:
            out.append(Evidence(read[0].kind, _year_value(m), f"（标题）{title}"))
        else:
            out.append(Evidence("title", _year_value(m), title))
    return out


def _explicit_years(text: str, title: str) -> list[Evidence]:
    month = _month_of(text)
    found = [e for m in _YEAR.finditer(text) for e in _classify_year(text, m, month)]
    return _settle_dated(found) + _title_years(title)


def _future(text: str, start: int) -> bool:
    """An event named as still to come (到十六大, 喜迎党的十九大, 迎接…) does not date the text."""
    return bool(_FUTURE_BEFORE.search(re.sub(r"(?:党的|中共|中国共产党|第)$", "", text[max(0, start - 8): start])))


def _other_body(text: str, start: int) -> bool:
    """农工党十五届四中全会, 越共十三大, 共青团第十九次全国代表大会: not the Party's."""
    return bool(_OTHER_BODY.search(text[max(0, start - 12): start]))


def _since(text: str, end: int) -> bool:
    """"党的十八大以来": the event is a bound the text looks back from, not news of the event."""
    return bool(re.match(r"^(?:精神)?(?:召开)?(?:以来|后|之后|以后)", text[end: end + 6]))


def _bound(kind: str, year: int, text: str, m: re.Match, suffix: str = "") -> Evidence:
    since = _since(text, m.end())
    return Evidence(kind, year, _excerpt(text, m.start(), m.end()) + suffix, bound=True, held=not since)


def _held_or_coming(kind: str, year: int, text: str, m: re.Match) -> Evidence:
    """A numbered meeting named as held (or looked back on) bounds the text from below; named as still to come
    (喜迎党的十九大, 到十六大) it bounds it from above: the text is of that year or before."""
    if _future(text, m.start()):
        return Evidence("coming", year, _excerpt(text, m.start(), m.end()), upper=year)
    return _bound(kind, year, text, m)


@lru_cache(maxsize=1)
def _start_years() -> dict[str, int]:
    table = events()
    return dict(zip(table["name"].tolist(), table["start_year"].tolist()))


def _event_evidence(text: str) -> list[Evidence]:
    dates = _start_years()
    out = []
    for m in _PLENUM.finditer(text):
        if _other_body(text, m.start()):
            continue
        term = m.group(1)
        for plenum in re.findall(rf"([{_CN}]{{1,2}})中", m.group(2)):
            name = f"{term}届{plenum}中全会"
            if name in dates:
                out.append(_held_or_coming("plenum", dates[name], text, m))
    for m in _PLENUM_FULL.finditer(text):
        if _other_body(text, m.start()):
            continue
        name = f"{m.group(1)}届{m.group(2)}中全会"
        if name in dates:
            out.append(_bound("plenum", dates[name], text, m))
    for m in _CONGRESS.finditer(text):
        prefix, number, form = m.group(1), m.group(2), m.group(3)
        party = re.search(r"(?:党的|中共|中国共产党)\s*$", text[max(0, m.start() - 5): m.start()])
        if prefix == "第" and not party:  # 全球第九大, 第十次全国代表大会 of another body: not a Party congress
            continue
        if form == "大" and len(number) == 1 and not prefix:  # 八大, 九大, 十大 are ambiguous without 党的/中共
            continue
        if _other_body(text, m.start()):
            continue
        try:
            n = chinese_number(number)
        except KeyError:
            continue
        name = f"{_cn(n)}大"
        if name in dates:
            out.append(_held_or_coming("congress", dates[name], text, m))
    for m in _NPC.finditer(text):
        name = f"{m.group(1)}届全国人大{m.group(2)}次会议"
        if name in dates:
            out.append(_held_or_coming("npc", dates[name], text, m))
    pattern, lookup = _named_events()
    for m in pattern.finditer(text):
        key = re.sub(r"[“”、，\s]", "", m.group(0))
        start, end, kind = lookup.get(key, (None, None, None))
        if start is None:
            continue
        consolidating = _CONSOLIDATE.search(text[max(0, m.start() - 6): m.start()]) and end is not None
        year = end if consolidating else start
        found = _bound(kind, year, text, m, "（巩固成果：战役已结束）" if consolidating else "")
        found.held = found.held and kind != "term"  # a term in use is no news of the year it was coined
        out.append(found)
    return out + _dated_mentions(text)


def _dated_mentions(text: str) -> list[Evidence]:
    """Anniversaries (建党100周年 → 2021), editions of recurring events (第二届进博会 → 2019), office holders."""
    out, named_ends = [], set()
    pattern, lookup = _kind_table("anniversary")
    for m in pattern.finditer(text):
        n = _ANNIVERSARY.match(text, m.end() + len(re.match(r"[^，。；、]{0,6}?(?=" + _NUM + r"\s*周年)|",
                                                               text[m.end():]).group(0)))
        if not n or _future(text, m.start()):
            continue
        key = re.sub(r"[“”、，\s]", "", m.group(0))
        try:
            year = lookup[key][0] + chinese_number(n.group(1))
        except KeyError:
            continue
        out.append(Evidence("anniversary", year, _excerpt(text, m.start(), n.end(), 6)))
        named_ends.add(n.end())
    for m in re.finditer(rf"(1[89]\d{{2}}|20[0-2]\d)\s*年[^。；，]{{0,24}}?(?<![\d一二三四五六七八九十百])({_NUM})\s*周年", text):
        try:
            year = int(m.group(1)) + chinese_number(m.group(2))
        except KeyError:
            continue
        if 1950 <= year <= ANNIVERSARY_HORIZON and m.end() not in named_ends and not _future(text, m.start()):
            out.append(Evidence("anniversary", year, _excerpt(text, m.start(), m.end(), 6)))
    pattern, lookup = _kind_table("recurring")
    for m in pattern.finditer(text):
        key = re.sub(r"[“”、，\s]", "", m.group(0))
        first, _, every = lookup.get(key, (None, None, None))
        if first is None:
            continue
        ordinal = re.search(rf"第({_NUM})(?:届|个|次)[“”《]?\s*$", text[max(0, m.start() - 9): m.start()]) or \
            re.match(rf"^[^，。；]{{0,4}}?第({_NUM})(?:届|个|次)", text[m.end(): m.end() + 12])
        if not ordinal:
            continue
        try:
            n = chinese_number(ordinal.group(1))
        except KeyError:
            continue
        if n < 1 or _future(text, m.start() - len(ordinal.group(0))):
            continue
        year = int(first + (n - 1) * every)
        out.append(Evidence("recurring", year, _excerpt(text, m.start(), m.end(), 8)))
    pattern, lookup = _kind_table("office")
    seen = set()
    for m in pattern.finditer(text):
        key = re.sub(r"[“”、，\s]", "", m.group(0))
        if key not in lookup or key in seen or text[max(0, m.start() - 1): m.start()] in ("副", "前", "原"):
            continue
        seen.add(key)
        first, last, _ = lookup[key]
        out.append(Evidence("office", first, _excerpt(text, m.start(), m.end(), 4), bound=True, held=False, upper=last))
    return out


def _formula_evidence(text: str) -> list[Evidence]:
    from zhengyan.analyses.formulas import find_mentions, first_years

    first = first_years()
    seen: dict[str, Evidence] = {}
    for start, end, slogan, form, _ in find_mentions(text):
        if slogan in first and slogan not in seen:
            seen[slogan] = Evidence("formula", first[slogan], f"{slogan}（{first[slogan]}年起）", bound=True)
    return list(seen.values())


def _infer_with_own_title(text: str) -> Dating:
    """:func:`infer_year` with the text's own first line as its title (no metadata)."""
    return infer_year(text, title_from_text(text))


def _gather(text: str, title: str) -> list[Evidence]:
    """Step 1: every piece of evidence the text and title hold (formulas' loose first years only when nothing else)."""
    evidence = _explicit_years(text, title) + _event_evidence(text)
    if not any(e.kind in WEIGHTS or e.bound for e in evidence):
        evidence += _formula_evidence(text)
    return evidence


def _bounds(evidence: list[Evidence]) -> tuple[int | None, int | None, list[str]]:
    """Step 2: the earliest and latest year the evidence allows; an upper bound below the lower one is dropped."""
    lower = max((e.year for e in evidence if e.bound), default=None)
    upper = min((e.upper for e in evidence if e.upper is not None), default=None)
    conflicts = []
    if upper is not None and lower is not None and upper < lower:
        conflicts.append(f"an upper bound of {upper} beside an event of {lower}: the upper bound is dropped")
        upper = None
    return lower, upper, conflicts


def _scores(evidence: list[Evidence], lower: int | None) -> Counter:
    """Step 3: points per year from the votes (plain mentions capped), and the bonus of the latest event held."""
    scores: Counter = Counter()
    plain: Counter = Counter()
    for e in evidence:
        if e.kind in _CAPPED:
            plain[e.kind, e.year] += 1
            if plain[e.kind, e.year] > PLAIN_CAP:  # many mentions of the year under review must not outvote the title
                continue
        scores[e.year] += WEIGHTS.get(e.kind, 0)
    if any(e.bound and e.held and e.year == lower for e in evidence):
        # the latest event, named as held: documents are usually of that year or just after
        scores[lower] += HELD_BONUS[0]
        scores[lower + 1] += HELD_BONUS[1]
    return Counter({y: n for y, n in scores.items() if n > 0})


def _within(scores: Counter, evidence: list[Evidence], lower: int | None, upper: int | None,
            conflicts: list[str]) -> dict[int, int]:
    """Step 4: the candidates inside the bounds; strong candidates outside them are named as conflicts."""
    candidates = {y: n for y, n in scores.items()
                  if (lower is None or y >= lower) and (upper is None or y <= upper)}
    dropped = sorted(y for y in scores if y not in candidates and scores[y] >= CONFLICT_SCORE)
    if dropped:
        bounds = [e for e in evidence if e.bound]
        latest = max(bounds, key=lambda e: e.year) if bounds else None
        why = f"the text mentions {latest.excerpt.strip()} (≥{lower})" if latest and lower is not None and \
            any(y < lower for y in dropped) else f"outside {lower}–{upper}"
        conflicts.append(f"{', '.join(map(str, dropped))} set aside: {why}")
    return candidates


def _from_bounds_only(evidence: list[Evidence], lower: int | None) -> int | None:
    """Step 5, when no candidate is left: the lower bound itself, if it comes from an event held, an office, a
    term or a deadline (not from "X以来" alone)."""
    if lower is None:
        return None
    firm = any(e.held or e.upper is not None or e.kind in ("term", "deadline")
               for e in evidence if e.bound and e.year == lower)
    return lower if firm else None


def _confidence(evidence: list[Evidence], year: int, candidates: dict[int, int]) -> str:
    """Step 6: "high" when strong evidence names the year and leads by ``HIGH_MARGIN``;
    "medium" when strong or explicit evidence names it with a lead of ``MEDIUM_MARGIN``; else "low"."""
    runner_up = max((n for y, n in candidates.items() if y != year), default=0)
    margin = candidates[year] - runner_up
    kinds = {e.kind for e in evidence if e.year == year and not e.bound}
    if kinds & _STRONG and margin >= HIGH_MARGIN:
        return "high"
    if kinds & (_STRONG | _EXPLICIT) and margin >= MEDIUM_MARGIN:
        return "medium"
    return "low"


def infer_year(text: str, title: str = "") -> Dating:
    """Infer the year of one document from its clean text (and title); see the module docstring."""
    evidence = _gather(text, title)
    lower, upper, conflicts = _bounds(evidence)
    candidates = _within(_scores(evidence, lower), evidence, lower, upper, conflicts)
    if not candidates:  # only bounds (and years outside them): the text is of the latest event's year or later
        year = _from_bounds_only(evidence, lower)
        return Dating(year, "low" if year is not None else "none", evidence, lower, conflicts, upper)
    year = max(candidates, key=lambda y: (candidates[y], y))  # ties: the later year
    confidence = _confidence(evidence, year, candidates)
    kept = [e for e in evidence if e.year == year or e.bound and e.year == lower or e.upper == upper is not None
            or e.kind in _STRONG or e.kind == "anniversary"]
    return Dating(year, confidence, kept, lower, conflicts, upper)


def date_documents(documents: pd.DataFrame, *, use_metadata: bool = True) -> pd.DataFrame:
    """One row per document: the year used and why, and the text's own answer beside it.

    - ``year``, ``year_source`` ("metadata" when ``metadata.csv`` gives a year and ``use_metadata``,
      "inferred" when the text dates it, "none"), ``year_evidence`` (for a metadata year, the
      metadata's own ``year_evidence`` column when it has one);
    - ``year_inferred``, ``year_inferred_confidence`` (high/medium/low/none),
      ``year_inferred_evidence``: what the text says, always, so the two can be compared.

    With ``use_metadata=True`` the inference reads the metadata ``title`` as well as the text. With
    ``use_metadata=False`` no metadata column reaches it, the title included (a title such as
    "1955年政府工作报告" would give the answer away): only the text, whose own first line stands as
    its title when it reads as one.
    """
    if not isinstance(use_metadata, bool):
        raise TypeError(f"use_metadata must be True or False, not {use_metadata!r}")
    wanted = [c for c in ("doc_id", "title", "year", "year_evidence") if c in documents.columns]
    records = documents[wanted].to_dict("records")  # not the texts: they are drawn as the work goes

    def arguments(i: int, text: str) -> tuple[str, str]:  # the text is placed, not read (see pool.texts_of)
        title = records[i].get("title") or ""
        return text, title if isinstance(title, str) else ""

    texts = documents["text"]
    datings = pool.map_documents(infer_year if use_metadata else _infer_with_own_title,
                                     pool.texts_of(texts, arguments if use_metadata else lambda i, text: (text,)),
                                     chars=int(texts.str.len().sum()))
    rows = []
    for row, dating in zip(records, datings):
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
    table = pd.DataFrame(rows, columns=["doc_id", *YEAR_COLUMNS])
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


#: A cluster of inferred years (years one apart or closer) holding less than this share of the dated documents
#: lies outside a corpus's plausible span when no metadata gives it (2035 in a corpus of 2012–2026 news).
SPAN_MIN_SHARE = 0.01
#: An edge year of the span holding less than this share of a typical (median) year's documents is trimmed
#: (a few texts dated 2011 beside hundreds a year from 2012 on).
SPAN_EDGE_SHARE = 0.1


def plausible_span(dated: pd.DataFrame, *, min_confidence: str = "medium") -> tuple[int, int] | None:
    """The years a corpus can hold: from its first to its last metadata year when metadata gives any; else
    the bulk of its inferred years at or above ``min_confidence`` — the years are cut into runs of consecutive
    years, runs holding less than ``SPAN_MIN_SHARE`` of those documents are dropped, the span runs from the
    first kept run to the last, and its edge years are trimmed while they hold less than ``SPAN_EDGE_SHARE`` of
    the median year's documents. None when no year is known at all."""
    _check_dated(dated, min_confidence)
    meta = dated.loc[dated["year_source"] == "metadata", "year"].dropna()
    if len(meta):
        return int(meta.min()), int(meta.max())
    ranked = dated["year_inferred_confidence"].map(_RANK)
    inferred = dated.loc[ranked <= _RANK[min_confidence], "year_inferred"].dropna().astype(int)
    if inferred.empty:
        return None
    counts = inferred.value_counts().sort_index()
    runs, current = [], [counts.index[0]]
    for year in counts.index[1:]:
        if year - current[-1] > 1:
            runs.append(current)
            current = []
        current.append(year)
    runs.append(current)
    kept = [run for run in runs if counts.loc[run].sum() >= SPAN_MIN_SHARE * len(inferred)]
    if not kept:  # no run is big enough: every year is as plausible as any other
        kept = runs
    first, last = kept[0][0], kept[-1][-1]
    typical = counts.loc[first:last].median()
    while first < last and counts.get(first, 0) < SPAN_EDGE_SHARE * typical:
        first += 1
    while last > first and counts.get(last, 0) < SPAN_EDGE_SHARE * typical:
        last -= 1
    return int(first), int(last)


_RANK = {level: i for i, level in enumerate(CONFIDENCES)}


def _check_dated(dated: pd.DataFrame, min_confidence: str) -> None:
    if min_confidence not in CONFIDENCES[:-1]:
        raise ValueError(f"min_confidence must be one of {', '.join(CONFIDENCES[:-1])}, not {min_confidence!r}")
    missing = [c for c in ("doc_id", "year", "year_source", "year_inferred", "year_inferred_confidence")
               if c not in dated.columns]
    if missing:
        raise ValueError(f"the dated documents table lacks {', '.join(missing)}: pass the table of "
                         f"date_documents() or with_years()")


@dataclass
class UsableYears:
    """Which documents' years a year analysis may use, and which were left out and why.

    ``table``: one row per document, ``doc_id``, ``year`` (Int64; missing where the year is not to be used),
    ``year_source``, ``used`` (bool) and ``reason`` ("" when used; else "no year", "confidence low < medium",
    "outside 2012–2026"). ``span``: the plausible span (see :func:`plausible_span`). ``left_out``: the number of
    documents left out per reason."""
    table: pd.DataFrame
    span: tuple[int, int] | None
    min_confidence: str
    left_out: dict[str, int]

    def note(self) -> str:
        """One sentence for an output or a notebook: how many documents were left out, and why."""
        n = int((~self.table["used"]).sum())
        if not n:
            return f"all {len(self.table):,} documents have a year to use"
        why = "; ".join(f"{count:,} {reason}" for reason, count in self.left_out.items())
        return f"{n:,} of {len(self.table):,} documents left out of year analyses ({why})"


def usable_years(dated: pd.DataFrame, *, min_confidence: str = "medium",
                 span: tuple[int, int] | None = None) -> UsableYears:
    """The years a year analysis may use: metadata years always (they are the corpus's own), inferred years
    only at or above ``min_confidence`` ("high", "medium" or "low") and inside the corpus's plausible span
    (``span``, else :func:`plausible_span`). ``dated``: the table of :func:`date_documents` or :func:`with_years`."""
    _check_dated(dated, min_confidence)
    if span is None:
        span = plausible_span(dated, min_confidence=min_confidence)
    elif not (len(span) == 2 and span[0] <= span[1]):
        raise ValueError(f"span must be (first year, last year), not {span!r}")
    meta = dated["year_source"] == "metadata"
    year = dated["year"].astype("Int64")
    confident = dated["year_inferred_confidence"].map(_RANK) <= _RANK[min_confidence]
    inside = year.between(*span).fillna(False).astype(bool) if span else pd.Series(False, index=dated.index)
    reason = pd.Series("", index=dated.index, dtype=object)
    reason[year.isna()] = "no year"
    low = ~meta & year.notna() & ~confident
    reason[low] = [f"confidence {c} < {min_confidence}" for c in dated.loc[low, "year_inferred_confidence"]]
    outside = ~meta & year.notna() & confident & ~inside
    reason[outside] = f"outside {span[0]}–{span[1]}" if span else "outside any plausible span"
    used = reason == ""
    table = pd.DataFrame({"doc_id": dated["doc_id"], "year": year.where(used, pd.NA).astype("Int64"),
                          "year_source": dated["year_source"], "used": used, "reason": reason})
    left_out = {k: int(v) for k, v in reason[~used].value_counts().items()}
    return UsableYears(table.reset_index(drop=True), span, min_confidence, left_out)
