"""Cleaning as an audited pipeline: small named steps, each recording what it removed or changed.

The raw text is never modified in place: :func:`clean` returns the clean text, the audit rows
(doc_id, step, before, after, count, context) and document-level warnings.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np
import regex

from zhengyan.core import lexicons, paths

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Characters that may end a sentence or a clause line in Chinese text.
SENTENCE_END = "。！？；…!?;"
LINE_END = SENTENCE_END + "：:”」』）)"
_CONTEXT = 12


@dataclass
class Change:
    step: str
    before: str
    after: str
    count: int
    context: str  # the first occurrence with a few characters either side, as it was


@dataclass
class Cleaned:
    text: str
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _excerpt(text: str, start: int, end: int) -> str:
    left = text[max(0, start - _CONTEXT) : start]
    right = text[end : end + _CONTEXT]
    return (left + "[" + text[start:end] + "]" + right).replace("\n", "⏎")


def sub_audited(step: str, pattern: re.Pattern, repl: str | Callable, text: str) -> tuple[str, list[Change]]:
    """``pattern.sub`` that records each distinct (before, after) pair with its count and first context."""
    seen: dict[tuple[str, str], Change] = {}

    def replace(match: re.Match) -> str:
        after = repl(match) if callable(repl) else match.expand(repl)
        key = (match.group(0), after)
        if key != (after, after):
            if key in seen:
                seen[key].count += 1
            else:
                seen[key] = Change(step, match.group(0), after, 1, _excerpt(text, match.start(), match.end()))
        return after

    return pattern.sub(replace, text), list(seen.values())


# --------------------------------------------------------------------------- control characters and repairs
#: Characters that are not text: C0 and C1 controls (tab, line feed and carriage return aside), DEL,
#: zero-width and byte-order marks, bidirectional overrides (they reorder what a reader sees),
#: interlinear annotation marks and the noncharacters U+FFFE/U+FFFF.
CONTROL = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\ufffe\uffff]"
)
#: Line breaks other than "\n": vertical tab, form feed, line and paragraph separators, next line.
OTHER_BREAKS = re.compile("[\x0b\x0c\u2028\u2029\x85]")


def _invisible_gone(text: str) -> str:
    return CONTROL.sub("", OTHER_BREAKS.sub("\n", text)).replace("\ufffd", "")


def _visible(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _audited_by_char(step: str, pattern: re.Pattern, after: str, text: str) -> tuple[str, list[Change]]:
    """Replace each match of ``pattern`` (one character) by ``after``; one audit row per distinct character,
    written as its code point (``U+0000``) so the audit itself holds no control character."""
    seen: dict[str, Change] = {}
    for match in pattern.finditer(text):
        ch = match.group(0)
        if ch in seen:
            seen[ch].count += 1
        else:
            start, end = match.start(), match.end()
            left = _invisible_gone(text[max(0, start - _CONTEXT):start])
            right = _invisible_gone(text[end:end + _CONTEXT])
            context = (left + "[" + _visible(ch) + "]" + right).replace("\n", "⏎")
            seen[ch] = Change(step, _visible(ch), after.replace("\n", "⏎"), 1, context)
    return (pattern.sub(after, text) if seen else text), list(seen.values())


def strip_control(text: str) -> tuple[str, list[Change]]:
    """Remove control and invisible characters (NUL, zero-width spaces, bidirectional overrides …) and turn
    other line breaks (form feed, U+2028 …) into "\n"; each kind of character is one audit row."""
    text, breaks = _audited_by_char("control", OTHER_BREAKS, "\n", text)
    text, removed = _audited_by_char("control", CONTROL, "", text)
    return text, breaks + removed


def drop_replacement(text: str) -> tuple[str, list[Change]]:
    """Remove U+FFFD, the mark left where a byte could not be decoded (the reader names each byte's offset)."""
    return _audited_by_char("repair", re.compile("\ufffd"), "", text)


# --------------------------------------------------------------------------- boilerplate
#: Lines that are web-site furniture: downloads, ads, contact numbers, pagers, related links.
BOILERPLATE_LINE = re.compile(
    r"""(
        QQ|微信号|会员群|会员资料|免费赠送|立享|订阅|倒卖|仅供学习|禁止外传|版权(所有|声明)|
        本站|申明敬告|文档介绍|下载(次数|地址|文档)|^查看更多$|点击(查看|下载|阅读)|
        上一篇|下一篇|相关(文章|阅读|推荐)|推荐阅读|猜你喜欢|扫(一扫|码)|
        ^-?\s*\d{4}-\d{2}-\d{2}\s*发布|^-?\s*[\d.]+\s*[KM]B\s*\|?$|^-?\s*\d+\s*页$|
        ^第\s*\d+\s*页\s*共\s*\d+\s*页$|^共\s*\d+\s*页$|整理[，,]?\s*咨询
    )""",
    re.X,
)
#: A line that starts the real document: a salutation, a heading, or a sentence.
_BODY_START = re.compile(r"^(同志们|各位|[一二三四五六七八九十]+、)|[。！？]|(讲话|报告|发言|致辞)$")
INLINE_BOILERPLATE = regex.compile(  # ``regex`` finds 页, 查看更多, 字 first: three times faster than ``re``
    r"\s*第\s*\d+\s*页\s*共\s*\d+\s*页\s*$|\s*查看更多\s*$|(?<=[讲话报告发言])\d{3,6}字(?:范文)?稿?(?=\s|$)",
    regex.M,
)


def strip_boilerplate(text: str) -> tuple[str, list[Change]]:
    """Drop boilerplate lines, and the whole leading advertising block when it holds any."""
    lines = text.split("\n")
    drop: set[int] = set()
    short = lambda s: len(s.strip()) <= 60
    furniture = [bool(line.strip()) and short(line) and bool(BOILERPLATE_LINE.search(line.strip())) for line in lines]
    # the leading block: lines before the first that starts the document itself
    lead_end = 0
    for i, line in enumerate(lines):
        if line.strip() and _BODY_START.search(line.strip()) and not furniture[i]:
            break
        lead_end = i + 1
    hits = [i for i in range(lead_end) if furniture[i]]
    if hits:
        drop.update(i for i in range(hits[-1] + 1) if short(lines[i]))
    drop.update(i for i, is_furniture in enumerate(furniture) if is_furniture)
    changes = []
    for i in sorted(drop):
        if lines[i].strip():
            changes.append(Change("boilerplate", lines[i].strip(), "", 1, f"line {i + 1}"))
    kept = [line for i, line in enumerate(lines) if i not in drop]
    text = "\n".join(kept)
    if not _may_hold_inline_boilerplate(text):
        return text, changes
    text, inline = sub_audited("boilerplate", INLINE_BOILERPLATE, "", text)
    return text, changes + inline


_DIGIT = regex.compile(r"\d")  # the pattern's own digits


def _may_hold_inline_boilerplate(text: str) -> bool:
    """False when :data:`INLINE_BOILERPLATE` cannot match: no 页, no 查看更多, no digit before a 字 (a
    substring search is many times faster than the pattern's scan)."""
    if "页" in text or "查看更多" in text:
        return True
    at = text.find("字")
    while at != -1:
        if at and _DIGIT.match(text, at - 1):
            return True
        at = text.find("字", at + 1)
    return False


# --------------------------------------------------------------------------- chunk markers
_MARKER = re.compile(r"^(\d{1,3})、")


def rejoin_chunk_markers(text: str) -> tuple[str, list[Change]]:
    """Remove page/chunk markers ("2、", "3、" …) that a site put at line starts, rejoining split words.

    A run of line-start numbers counts as chunk markers only when it is consecutive (n, n+1, …, at
    least three) on successive lines and at least half of the breaks before them fall mid-sentence;
    genuine list numbering ("1、加强思想建设。") follows a finished sentence and is kept.
    """
    lines = text.split("\n")
    numbered = [(i, int(m.group(1))) for i, line in enumerate(lines) if (m := _MARKER.match(line))]
    runs: list[list[tuple[int, int]]] = []
    for item in numbered:
        if runs and item[1] == runs[-1][-1][1] + 1 and item[0] - runs[-1][-1][0] <= 2:
            runs[-1].append(item)  # the next number, on the next line (or the one after)
        else:
            runs.append([item])
    markers: set[int] = set()
    for run in runs:
        if len(run) < 3:
            continue
        breaks = [i for i, _ in run if i > 0]
        mid = [i for i in breaks if _prev_text(lines, i) and _prev_text(lines, i)[-1] not in LINE_END]
        if breaks and len(mid) * 2 >= len(breaks):
            markers.update(i for i, _ in run)
    if not markers:
        return text, []
    changes: list[Change] = []
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in markers:
            m = _MARKER.match(line)
            body = line[m.end() :]
            joined = bool(out) and out[-1].strip() != "" and out[-1].rstrip()[-1] not in LINE_END
            context = ((out[-1][-_CONTEXT:] if out else "") + "⏎[" + m.group(0) + "]" + body[:_CONTEXT])
            changes.append(Change("chunk_markers", "⏎" + m.group(0), "" if joined else "⏎", 1, context))
            if joined:
                out[-1] = out[-1].rstrip() + body.lstrip()
            else:
                out.append(body)
        else:
            out.append(line)
    return "\n".join(out), changes


def _prev_text(lines: list[str], i: int) -> str:
    for j in range(i - 1, -1, -1):
        if lines[j].strip():
            return lines[j].rstrip()
    return ""


# --------------------------------------------------------------------------- titles and navigation
def drop_repeated_titles(text: str) -> tuple[str, list[Change]]:
    """A short line that repeats the one beside it (page title, then article title) is dropped."""
    lines = text.split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    drop: list[int] = []
    for a, b in zip(nonblank, nonblank[1:4]):
        first, second = lines[a].strip(), lines[b].strip()
        if len(first) < 8 or len(second) < 8:
            continue
        if any(ch in first for ch in "。！？") and any(ch in second for ch in "。！？"):
            continue
        if second.startswith(first) and a not in drop:
            drop.append(a)  # the title, then the title again with the body after it
        elif first.endswith(second) and len(second) <= 60 and b not in drop:
            drop.append(b)  # "Organ: title" then "title"
    changes = [Change("repeated_title", lines[i].strip(), "", 1, f"line {i + 1}") for i in drop]
    return "\n".join(line for i, line in enumerate(lines) if i not in drop), changes


def drop_trailing_navigation(text: str) -> tuple[str, list[Change]]:
    """A last line that is a series or column heading ("…——…大家谈"), not a sentence, is dropped."""
    lines = text.rstrip().split("\n")
    if len([line for line in lines if line.strip()]) < 4:
        return text, []
    last = lines[-1].strip()
    if "——" in last and not last.startswith("——") and not any(ch in last for ch in SENTENCE_END) and len(last) <= 60:
        return "\n".join(lines[:-1]), [Change("navigation", last, "", 1, f"line {len(lines)}")]
    return text, []


# --------------------------------------------------------------------------- pinyin
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
PINYIN = regex.compile(rf"(?<=[{HAN}])[(（]([a-zü{_TONED}]{{1,7}})[)）]")


def strip_pinyin(text: str) -> tuple[str, list[Change]]:
    """Remove pinyin glosses after a character ("創(chuàng)建" → "創建"); real parentheses stay.

    Only a single syllable of Latin letters carrying a tone mark, right after a Han character,
    counts: "党组(党委)", "县(市、区)" and "(GDP)" are left alone.
    """
    def repl(m: re.Match) -> str:
        return "" if any(ch in _TONED for ch in m.group(1)) else m.group(0)

    return sub_audited("pinyin", PINYIN, repl, text)


# --------------------------------------------------------------------------- traditional → simplified
@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _variants() -> dict[int, str]:
    lines = paths.data_file("variants.txt").read_text(encoding="utf-8").splitlines()
    pairs = [line.split() for line in lines if line.strip() and not line.startswith("#")]
    return {ord(variant): standard for variant, standard in pairs}


@lru_cache(maxsize=1)
def _variant_chars() -> re.Pattern:
    return re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_variants())) + "]")


def to_simplified(text: str, threshold: float = 0.002) -> tuple[str, list[Change]]:
    """Convert traditional characters to simplified (OpenCC t2s, then the variant forms of
    ``analysis/data/variants.txt`` it leaves) when the text holds any real share.

    A simplified text with a stray traditional form or two (below ``threshold`` of its Han
    characters) is left alone, so OpenCC never rewrites a simplified document.
    """
    converted = _t2s().convert(text)
    if _variant_chars().search(converted):  # str.translate looks up every character: only when one is there
        converted = converted.translate(_variants())
    if converted == text or len(converted) != len(text):
        if len(converted) != len(text):  # phrase conversions that change length: accept, audit whole
            return converted, [Change("traditional", "(whole text)", "(simplified)", 1, text[:_CONTEXT * 2])]
        return text, []
    before = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    diffs = np.flatnonzero(before != np.frombuffer(converted.encode("utf-32-le", "surrogatepass"), dtype=np.uint32))
    han = int(np.count_nonzero((before >= 0x4E00) & (before <= 0x9FFF)))
    if len(diffs) < max(1, threshold * han):
        return text, []
    pairs: dict[tuple[str, str], Change] = {}
    for i in diffs.tolist():
        key = (text[i], converted[i])
        if key in pairs:
            pairs[key].count += 1
        else:
            pairs[key] = Change("traditional", text[i], converted[i], 1, _excerpt(text, i, i + 1))
    return converted, sorted(pairs.values(), key=lambda c: -c.count)


# --------------------------------------------------------------------------- width and spacing
_FULLWIDTH_ALNUM = regex.compile(r"[０-９Ａ-Ｚａ-ｚ]+")
# Each pattern starts with the character it consumes first, its context checked by a look-behind after it: the
# regular-expression engine then skips ahead to candidates instead of trying every position (same matches).
# Where the ``regex`` module was measured faster on this text than ``re`` (same matches), it is used.
_SPACED_DIGITS = regex.compile(r"\d(?<![\d.]\d)(?: \d){2,}(?![\d.])")
_SPACE_BY_DIGIT = re.compile(rf" (?:(?<=\d ) *(?=[{HAN}%])|(?<=[{HAN}] ) *(?=\d))")
_IDEOGRAPHIC_SPACE = regex.compile(r"[\u3000\u00a0]+")
_ASCII_PUNCT = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_PUNCT_NEAR_HAN = re.compile(
    rf"[,:;!?()](?:(?<=[{HAN}”“）][,:;!?])|(?<=[,:;!?])(?=[{HAN}“”（])|(?<=[{HAN}]\()|(?<=\()(?=[{HAN}])"
    rf"|(?<=[{HAN}）]\)))"
)


def normalise_width(text: str) -> tuple[str, list[Change]]:
    """Full-width digits and letters to ASCII, ideographic spaces to spaces, "1 9 9 3 年" to "1993年",
    and ASCII punctuation between Chinese characters to its full-width form."""
    changes: list[Change] = []
    text, c = sub_audited("width", _FULLWIDTH_ALNUM, lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    changes += c
    if "\u3000" in text or "\u00a0" in text:
        text, c = sub_audited("width", _IDEOGRAPHIC_SPACE, " ", text)
        changes += c
    text, c = sub_audited("width", _SPACED_DIGITS, lambda m: m.group(0).replace(" ", ""), text)
    changes += c
    text, c = sub_audited("width", _SPACE_BY_DIGIT, "", text)
    changes += c
    text, c = sub_audited("width", _PUNCT_NEAR_HAN, lambda m: _ASCII_PUNCT[m.group(0)], text)
    changes += c
    while c:  # a run ("一))"): each mark made full-width lets the next one follow it, so a second pass finds none
        text, c = sub_audited("width", _PUNCT_NEAR_HAN, lambda m: _ASCII_PUNCT[m.group(0)], text)
        changes += c
    return text, changes


# --------------------------------------------------------------------------- lost plus signs
@lru_cache(maxsize=1)
def _lost_plus_pattern() -> re.Pattern:
    """“3 X” (digit, space, letter), or a quoted formula the formula lexicon writes with a final "+"
    (党建+, 互联网+) followed by a space: the only cases where a space is evidence of a lost "+"."""
    stems = set()
    lexicon = lexicons.table("formulas.csv")
    for formula, variants in zip(lexicon["formula"], lexicon["variants"]):
        for form in [formula, *variants.split("|")]:
            if form.endswith("+") and len(form) > 1:
                stems.add(re.escape(form[:-1]))
    known = "|".join(sorted(stems, key=len, reverse=True)) or "(?!)"
    return regex.compile(rf"(?<=“)(\d+) ([A-Za-z])(?=”)|(?<=“)({known}) (?=”)")


def restore_plus(text: str) -> tuple[str, list[Change]]:
    """A "+" lost in copying leaves a space inside a short quoted formula: “3 X” → “3+X”, “党建 ” → “党建+”.
    Any other space before a closing quote (“四人帮 ”) is left alone."""
    def repl(m: re.Match) -> str:
        return f"{m.group(1)}+{m.group(2)}" if m.group(1) else f"{m.group(3)}+"

    if not _space_before_closing_quote(text):
        return text, []
    return sub_audited("lost_plus", _lost_plus_pattern(), repl, text)


def _space_before_closing_quote(text: str) -> bool:
    """True when a ” follows a space, or a space and one ASCII letter: where a "+" can have been lost
    (a search for ” is many times faster than the pattern's scan)."""
    at = text.find("”")
    while at != -1:
        if text[at - 1: at] == " " or (text[at - 2: at - 1] == " " and "A" <= text[at - 1: at].upper() <= "Z"):
            return True
        at = text.find("”", at + 1)
    return False


# --------------------------------------------------------------------------- word-processor round trip
#: Words a simplified→traditional→simplified round trip with regional vocabulary produces, each a
#: signature that is almost never written on purpose in mainland political text.
ROUNDTRIP_SIGNATURES = {
    "效劳": "服务",
    "根底": "基础",
    "广阔党员": "广大党员",
    "广阔干部": "广大干部",
    "广阔群众": "广大群众",
    "广阔机关": "广大机关",
    "广阔职工": "广大职工",
    "改革开展稳定": "改革发展稳定",
    "开展环境": "发展环境",
    "促进开展": "促进发展",
    "创立学习型": "创建学习型",
    "创立活动": "创建活动",
}
#: Repairs made only in a flagged document, each unambiguous in its context (applied in order).
ROUNDTRIP_REPAIRS: tuple[tuple[str, str], ...] = (
    (r"效劳", "服务"),
    (r"根底", "基础"),
    (r"广阔(?=党员|干部|群众|机关|职工|人民|党务|青年|农民|妇女)", "广大"),
    (r"创立(?=学习型|活动|文明|先进|模范|一流|品牌)", "创建"),
    (r"(?<=文明单位)创立", "创建"),
    (r"(?<=改革)开展(?=稳定)", "发展"),
    (r"(?<=服务)开展(?=学习|的长效|为载体|”|$)", "发展"),
    (r"(?<=[，、]服务)开展", "发展"),
    (r"(?<=促进)开展", "发展"),
    (r"开展(?=环境)", "发展"),
    (r"(?<=经济)开展", "发展"),
    (r"(?<=科学)开展观", "发展观"),
    (r"(?<=可持续)开展", "发展"),
)
ROUNDTRIP_MIN_SIGNATURES = 2


def roundtrip_evidence(text: str) -> dict[str, int]:
    return {sig: text.count(sig) for sig in ROUNDTRIP_SIGNATURES if sig in text}


def repair_roundtrip(text: str) -> tuple[str, list[Change], list[str]]:
    """Detect the round-trip substitution (服务→效劳, 发展→开展, 广大→广阔, 基础→根底, 创建→创立 …).

    A document showing at least two distinct signatures is flagged with the evidence; only then
    are the context-bound repairs applied. A clean document is never touched.
    """
    evidence = roundtrip_evidence(text)
    if len(evidence) < ROUNDTRIP_MIN_SIGNATURES:
        return text, [], []
    listed = ", ".join(f"{k}×{v}" for k, v in sorted(evidence.items(), key=lambda kv: -kv[1]))
    warning = f"word-processor round trip suspected ({listed}); unambiguous cases repaired"
    changes: list[Change] = []
    for pattern, repl in ROUNDTRIP_REPAIRS:
        text, c = sub_audited("roundtrip", re.compile(pattern, re.M), repl, text)
        changes += c
    return text, changes, [warning]


# --------------------------------------------------------------------------- paragraphs and spaces
_PARA_SPACE = re.compile(  # the first space consumed, then its context (see _SPACE_BY_DIGIT)
    rf"[ \t](?:(?<=[{SENTENCE_END}：:”][ \t])[ \t]*(?=[^\s“])"
    r"|[ \t]*(?=同志们|(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+、|[一二三四五六七八九十]是)\S{2})"
    r"|(?<=[讲话报告发言][ \t])[ \t]*(?=同志们))"
)
#: A heading ("一、深化机关党建工作的认识") followed by a space and then its paragraph.
_HEADING_SPACE = re.compile(r"^((?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)[^ \n。，；：]{2,30})[ \t]+(?=\S)", re.M)


def restore_paragraphs(text: str) -> tuple[str, list[Change]]:
    """Flattened pages join paragraphs with a space; a space after a sentence end, or before a
    heading ("一、", "（二）", "1、", "三是") or "同志们", becomes a line break again."""
    text, changes = sub_audited("paragraphs", _PARA_SPACE, "\n", text)
    text, more = sub_audited("paragraphs", _HEADING_SPACE, lambda m: m.group(1) + "\n", text)
    return text, [Change(c.step, "␠", "⏎", c.count, c.context) for c in _merge(changes + more)]


def _merge(changes: list[Change]) -> list[Change]:
    if not changes:
        return []
    first = changes[0]
    return [Change(first.step, first.before, first.after, sum(c.count for c in changes), first.context)]


_SPACE_RUN = re.compile(r"[ \t]{2,}")


def tidy_whitespace(text: str) -> tuple[str, list[Change]]:
    """Runs of spaces and tabs to one space, each line stripped, empty lines dropped."""
    return "\n".join(filter(None, map(str.strip, _SPACE_RUN.sub(" ", text).split("\n")))), []


# --------------------------------------------------------------------------- placeholders and quotes
#: Redaction placeholders: "×", "XX", "X" standing for a number or a name.
PLACEHOLDER = re.compile(r"×+|(?<![A-Za-z])X{1,3}(?![A-Za-z])")


def note_placeholders(text: str) -> tuple[str, list[Change]]:
    """Count redaction placeholders (× and X for a number or name); they are never terms."""
    n = len(PLACEHOLDER.findall(text)) if "×" in text or "X" in text else 0
    if not n:
        return text, []
    m = PLACEHOLDER.search(text)
    return text, [Change("placeholders", m.group(0), m.group(0), n, _excerpt(text, m.start(), m.end()))]


def quote_warnings(text: str) -> list[str]:
    opening, closing = text.count("“"), text.count("”")
    if opening != closing:
        return [f"unbalanced quotation marks ({opening} “ against {closing} ”)"]
    return []


#: The pipeline, in order. Each step takes the text and returns (text, changes).
STEPS: tuple[tuple[str, Callable], ...] = (
    ("control", strip_control),
    ("repair", drop_replacement),
    ("boilerplate", strip_boilerplate),
    ("chunk_markers", rejoin_chunk_markers),
    ("repeated_title", drop_repeated_titles),
    ("navigation", drop_trailing_navigation),
    ("pinyin", strip_pinyin),
    ("traditional", to_simplified),
    ("width", normalise_width),
    ("lost_plus", restore_plus),
    ("paragraphs", restore_paragraphs),
    ("whitespace", tidy_whitespace),
    ("placeholders", note_placeholders),
)
STEP_NAMES = tuple(name for name, _ in STEPS) + ("roundtrip",)


def clean(raw: str) -> Cleaned:
    """Run every step on ``raw``; the round-trip repair runs after simplification."""
    text = raw
    result = Cleaned(text)
    for name, step in STEPS:
        text, changes = step(text)
        result.changes += changes
        if name == "width":
            text, changes, warnings = repair_roundtrip(text)
            result.changes += changes
            result.warnings += warnings
    result.text = text
    if any(c.step == "traditional" for c in result.changes):
        n = sum(c.count for c in result.changes if c.step == "traditional")
        result.warnings.append(f"traditional characters converted to simplified ({n} characters)")
    if any(c.step == "pinyin" for c in result.changes):
        result.warnings.append(f"pinyin glosses removed ({sum(c.count for c in result.changes if c.step == 'pinyin')})")
    result.warnings += quote_warnings(text)
    return result
