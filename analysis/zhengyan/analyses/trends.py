"""Shifts over years: which terms and slogans rise or fade, when, and how strongly.

For each term, from its rate per 10,000 characters in each year that has documents:

- ``rho`` and ``p``: Spearman's rank correlation of rate with year (a monotone trend test);
- ``slope``: least-squares change of the rate per year;
- ``first_year``, ``last_year``, ``peak_year``: the first and last year it occurs, the year of its
  highest rate;
- ``change_year`` and ``direction``: the split of the years into before and after that best
  separates its rate (largest log-likelihood G² of before vs after, ``change_g2``); "rise" when the
  rate after is higher; ``per_10k_before``, ``per_10k_after`` and ``log_ratio`` (log2 of after over
  before, a zero count taken as 0.5) say how large the shift is;
- ``strength``: the log2 rate ratio at the near end of its exact 99% interval (:func:`shift_strength`),
  the default ranking of :func:`rising` and :func:`falling` — it needs a large shift *and* counts;
- ``shape``, ``window_start``, ``window_end``, ``window_g2``: a second change point. The window of
  years (touching neither end) whose rate differs most from the years outside it (G²) is kept when
  it beats the single change point by the 0.001 critical value, differs from the years before and
  from those after on its own (each G² at p < 0.001) and by a factor of two or more: "rise-fall"
  (a peak, in the window) or "fall-rise" (a trough); otherwise ``shape`` is the ``direction``.

Whether a change holds — a reader can trust it as a shift rather than a half year at an end, one
story, one burst, a fragment or a change of format — is measured beside it (``side_years``,
``spread_years``, ``spread_months``, ``held_g2``, ``format_change``, ``term_kind``; see :func:`_hold`
and :func:`holds`); :func:`rising` and :func:`falling` list only changes that hold, and
:func:`format_changes` lists the format changes apart.

Every G² is :func:`zhengyan.core.counting.log_likelihood` (full 2×2 table: the term against the other
characters, the years in against the years out). Which terms rank: those seen ``min_total`` times
in ``min_docs`` documents and present in ``min_years`` years, with date or number tokens (日, 月,
号, 21日) and reporting verbs (称, 表示, 日称) left out unless asked (:func:`yearly_counts`).
Years with no document are not counted as zeros; they are absent.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, NamedTuple

import numpy as np
import pandas as pd

from zhengyan.core import checks, counting
from zhengyan.core import pool
from zhengyan.ingest import segment
from zhengyan.ingest.corpus import content_terms
from zhengyan.core.counting import log_likelihood


#: Tokens that are dates or numbers (日, 月, 号, 21日, 2019年, 三) — calendar words, not topics.
DATE_OR_NUMBER = re.compile(
    r"^(?:[日月号年时分秒]|[0-9０-９.%％]+.*|[一二三四五六七八九十百千万亿两〇零]+(?:日|月|号|年|时)?|"
    r"(?:[0-9０-９一二三四五六七八九十两〇零]+)?(?:日|月|号|年)(?:称|说|电|讯|报道|表示|上午|下午|晚|晚间|凌晨)?|"
    r"(?:今|昨|前|明|当|次|本|上|下)(?:天|日|年|月)|[上下]午|晚间|凌晨|周[一二三四五六日末])$")
#: Reporting verbs and news formulae (称, 表示, 日称 …): they follow the genre, not the topic.
REPORTING = frozenset(
    "称 表示 说 指出 强调 认为 介绍 透露 宣布 报道 获悉 据悉 据 称赞 谈到 说道 表明 提到 日称 日电 日讯 记者 本台 消息 "
    "发言人 答问 回答 问 答 举行 会见 会谈 致电 电 讯".split())
#: A one-character country name glued to 称 (乌称 "Ukraine says", 俄称): a reporting formula the segmenter made one token.
REPORTING_GLUED = re.compile(r"^[乌俄美日以伊朝韩英法德意巴印叙土菲越泰缅欧澳加朝]称$")
NOISE = ("dates", "reporting")


def _noise(terms: pd.Index, keep: Iterable[str]) -> np.ndarray:
    keep = checks.as_terms(keep, "keep") if keep else []
    for k in keep:
        checks.check_option("keep", k, NOISE)
    names = pd.Series(terms.astype(str))
    out = np.zeros(len(names), dtype=bool)
    if "dates" not in keep:
        out |= names.str.match(DATE_OR_NUMBER).to_numpy()
    if "reporting" not in keep:
        out |= names.isin(REPORTING).to_numpy() | names.str.match(REPORTING_GLUED).to_numpy()
    return out


def _year_table(table: pd.DataFrame, documents: pd.DataFrame, column: str, min_total: int, min_docs: int,
                keep: Iterable[str] | None, noise: bool) -> tuple[pd.DataFrame, pd.Series]:
    """Years × chosen items counts and the characters of each year, on integer codes (no string per row)."""
    docs = documents.dropna(subset=["year"])
    docs = docs.assign(year=docs["year"].astype(int))
    sizes = counting.group_sizes(docs, "year")
    cells = counting.cell_counts(table, None, by="doc_id", column=column)
    doc_year = pd.Series(docs["year"].to_numpy(), index=docs["doc_id"].astype(str).to_numpy())
    doc_year = doc_year[~doc_year.index.duplicated()].reindex(cells.group_names.astype(str))
    year_code = sizes.index.get_indexer(doc_year.to_numpy(dtype=float))  # −1: an undated document
    dated = year_code[cells.group] >= 0
    group, item, n = year_code[cells.group[dated]], cells.item[dated], cells.n[dated]
    month_code = _month_codes(docs, cells.group_names)
    month = month_code[cells.group[dated]] if month_code is not None else None
    item_names = cells.item_names
    del cells, dated
    n_items = len(item_names)
    total = np.bincount(item, weights=n, minlength=n_items)
    n_docs = np.bincount(item, minlength=n_items)
    names = pd.Index(np.asarray(item_names, dtype=object)).astype(str)
    chosen = np.flatnonzero((total >= min_total) & (n_docs >= min_docs) & (n_docs > 0))
    chosen = chosen[np.argsort(np.asarray(names[chosen], dtype=object), kind="stable")]  # by name, as groupby sorts
    if noise and len(chosen):
        chosen = chosen[~_noise(names[chosen], keep or ())]
    position = np.full(n_items, -1, dtype=np.int64)
    position[chosen] = np.arange(len(chosen))
    wanted = position[item] >= 0
    cell = group[wanted].astype(np.int64) * len(chosen) + position[item[wanted]]  # (year, term) of each count
    # summed by bincount (float64 holds whole counts exactly far beyond any corpus), not np.add.at
    matrix = np.bincount(cell, weights=n[wanted], minlength=len(sizes) * len(chosen))
    matrix = matrix.reshape(len(sizes), len(chosen)).astype(np.int64)
    counts = pd.DataFrame(matrix, index=sizes.index, columns=names[chosen])
    counts.columns.name = None
    # what the counts alone cannot say: in how many documents of each year, and how much of a term one document holds
    docs_in = np.bincount(cell, minlength=len(sizes) * len(chosen)).reshape(len(sizes), len(chosen))
    top_n = np.zeros(len(chosen))
    top_year = np.zeros(len(chosen), dtype=np.int64)
    if wanted.any():
        col, w_n, w_year = position[item[wanted]], n[wanted], group[wanted]
        order = np.lexsort((w_n, col))  # by term, the largest count of each term last
        last = np.r_[col[order][1:] != col[order][:-1], True]
        top_n[col[order][last]] = w_n[order][last]
        top_year[col[order][last]] = w_year[order][last]
    spread_months = None
    if month is not None and len(chosen):
        # months the term is spread over: (Σ n)² / Σ n² of its counts by calendar month (one story: a few months)
        in_month = month[wanted] >= 0
        key = month[wanted][in_month] * len(chosen) + position[item[wanted]][in_month]
        by_month = np.bincount(key, weights=n[wanted][in_month], minlength=(int(month.max()) + 1) * len(chosen))
        term_of = np.arange(len(by_month)) % len(chosen)
        totals = np.bincount(term_of, weights=by_month, minlength=len(chosen))
        squares = np.bincount(term_of, weights=by_month ** 2, minlength=len(chosen))
        with np.errstate(divide="ignore", invalid="ignore"):
            spread_months = totals ** 2 / squares
    evidence = Evidence(docs=pd.DataFrame(docs_in, index=sizes.index, columns=counts.columns),
                        year_docs=sizes["n_docs"].astype(float), top_doc_n=top_n,
                        top_doc_year=sizes.index.to_numpy()[top_year] if len(sizes) else top_year,
                        spread_months=spread_months)
    counts.attrs[EVIDENCE] = evidence
    return counts, sizes["n_chars"]


EVIDENCE = "trend_evidence"
#: Months are measured when the documents are dated to the day and this many, or more, fall in a
#: month on average (a periodical: news, bulletins); a collection of yearly reports has no months.
MONTHLY_DOCS = 4


def _month_codes(docs: pd.DataFrame, doc_names: pd.Index) -> np.ndarray | None:
    """A calendar-month code for each document of ``doc_names`` (−1: no date), or None when the
    documents are not a periodical (see :data:`MONTHLY_DOCS`) or have no ``date`` column."""
    if "date" not in docs.columns or docs.empty:
        return None
    dates = pd.to_datetime(docs["date"].astype(str), errors="coerce", format="mixed")
    if dates.notna().mean() < 0.9:
        return None
    month = dates.dt.year * 12 + dates.dt.month
    per_month = month.value_counts()
    if per_month.empty or per_month.mean() < MONTHLY_DOCS:
        return None
    first = int(month.min())
    codes = pd.Series((month - first).to_numpy(), index=docs["doc_id"].astype(str).to_numpy())
    codes = codes[~codes.index.duplicated()].reindex(pd.Index(doc_names).astype(str))
    return codes.fillna(-1).to_numpy(dtype=np.int64)


class Evidence:
    """What a years × terms count table does not hold, kept beside it (``counts.attrs["trend_evidence"]``)
    by :func:`yearly_counts` and :func:`mention_counts` for :func:`trends`: ``docs`` (years × terms:
    documents holding the term), ``year_docs`` (documents of each year), ``top_doc_n`` and
    ``top_doc_year`` (each term's largest count in one document, and that document's year), and
    ``merged`` (fragment → the longer string it was merged into, see :func:`merge_fragments`) and
    ``spread_months`` (the months each term is spread over, for a periodical; see :func:`_month_codes`)
    and ``neighbours`` (``{"left": {term: word}, "right": …}``: the word most often written flush
    before and after each term, for :func:`term_kind`).

    Read-only once made: a copy of the table shares it (pandas copies ``attrs`` with each table)."""

    def __init__(self, docs: pd.DataFrame, year_docs: pd.Series, top_doc_n: np.ndarray, top_doc_year: np.ndarray,
                 merged: dict | None = None, spread_months: np.ndarray | None = None):
        self.docs, self.year_docs = docs, year_docs
        self.spread_months = None if spread_months is None else pd.Series(spread_months, index=docs.columns)
        self.neighbours: dict[str, dict[str, str | None]] = {"left": {}, "right": {}}
        self.top_doc_n = pd.Series(np.asarray(top_doc_n, dtype=float), index=docs.columns)
        self.top_doc_year = pd.Series(np.asarray(top_doc_year), index=docs.columns)
        self.merged = dict(merged or {})

    def __deepcopy__(self, memo):
        return self  # never changed after it is made: no copy per pandas operation

    def __repr__(self):
        return f"Evidence({self.docs.shape[1]} terms, {len(self.year_docs)} years)"


def yearly_counts(tokens: pd.DataFrame, documents: pd.DataFrame, *, filler: bool = True, min_total: int = 10,
                  min_docs: int = 3, keep: Iterable[str] | None = None,
                  fragments: bool = True) -> tuple[pd.DataFrame, pd.Series]:
    """A years × terms table of counts and the characters of each year (years with documents).

    A term enters when it is seen ``min_total`` times or more in ``min_docs`` documents or more
    (so a name from one or two documents does not rank), and is not a date or number token
    (日, 月, 号, 21日) nor a reporting verb (称, 表示, 日称, and a one-character name glued to 称:
    乌称, 俄称) — unless ``keep`` names "dates" or "reporting". Counted on integer codes (years ×
    chosen terms only).

    ``fragments``: a token mostly seen glued to the same neighbour (the pieces 高市/早苗 of a name the
    segmenter does not know) is counted as that longer string, see :func:`merge_fragments` (needs the
    tokens' ``start`` column; a table without it is counted as it is). The table carries its
    :class:`Evidence` in ``attrs`` for :func:`trends`.
    """
    merged: dict = {}
    if fragments and "start" in tokens.columns:
        terms, merged = merge_fragments(tokens, filler=filler, min_total=min_total)
    else:
        terms = content_terms(tokens, filler=filler, columns=["doc_id", "term"])
    counts, chars = _year_table(terms, documents, "term", min_total, min_docs, keep, True)
    evidence = counts.attrs[EVIDENCE]
    evidence.merged = {k: v for k, v in merged.items() if v in counts.columns}
    found = terms.attrs.get("neighbours", {})
    evidence.neighbours = {side: {t: found.get(side, {}).get(t) for t in counts.columns} for side in ("left", "right")}
    return counts, chars


#: A token is a fragment when this share of its uses or more is glued to one and the same neighbour,
#: and it is used this many times or more.
FRAGMENT_SHARE, FRAGMENT_MIN = 0.8, 5


def merge_fragments(tokens: pd.DataFrame, *, filler: bool = True, min_total: int = 10,
                    share: float = FRAGMENT_SHARE, passes: int = 3) -> tuple[pd.DataFrame, dict]:
    """The content terms of ``tokens`` (``doc_id, term``) with segmentation fragments merged or
    dropped, and ``{fragment: longer string}``.

    A term seen ``min_total`` times or more (and at least :data:`FRAGMENT_MIN`) is a fragment when
    ``share`` of its uses or more are
    written flush against the same word token (no character between, by the tokens' ``start``): the
    segmenter cut a string it does not know (a transliterated name: 高市/早苗, 波克罗/夫斯克) into
    pieces. Those uses are counted as the longer string (高市早苗), its other uses are dropped; when the
    neighbour is itself a fragment of the same string, it is counted once, inside it. The lexicon's
    items are never pieces, and an established word of jieba's dictionary (:data:`ESTABLISHED`) is a
    piece only beside another word of two characters or more (上年 stays itself beside 比). Merging is
    repeated up to ``passes`` times (汗 + 尤尼斯, itself 尤尼 + 斯). A term outside the dictionary
    (jieba's and the project's) written flush against other such terms in ``share`` of its uses is
    a piece of strings the segmenter cuts in several ways (夫斯克 after 波克罗, 利西昌 …): dropped.
    Linear in the tokens (a few passes over neighbouring rows)."""
    missing = {"doc_id", "term", "start", "kind", "stop", "filler"} - set(tokens.columns)
    if missing:
        raise ValueError(f"tokens table lacks columns {sorted(missing)}; expected a Corpus.tokens table")
    # int32 codes and offsets: a few arrays of the tokens' length are alive at once (a large corpus has millions)
    doc, _ = counting._codes(tokens["doc_id"], np.int32)
    code, names = counting._codes(tokens["term"], np.int32)
    names = pd.Index(np.asarray(names, dtype=object)).astype(str)
    word = np.array(tokens["kind"] == "word") & ~tokens["stop"].to_numpy(dtype=bool)
    content = word & ~tokens["filler"].to_numpy(dtype=bool) if filler else word.copy()
    content &= code >= 0
    start = tokens["start"].to_numpy(dtype=np.int32)
    rows = np.arange(len(code), dtype=np.int32 if len(code) < 2**31 else np.int64)  # each row's place in ``tokens``
    merged: dict[str, str] = {}
    neighbours: dict[str, dict[str, str]] = {"left": {}, "right": {}}
    for step in range(max(passes, 1)):
        names, code, start, keep, found = _merge_pass(doc, code, start, word, content, names, min_total, share,
                                                      neighbours if step == 0 else None)
        if not found:
            break
        for piece, whole in found.items():
            merged[piece] = whole
        doc, code, start, word, content, rows = doc[keep], code[keep], start[keep], word[keep], content[keep], rows[keep]
    # a chain of merges (尤尼 → 尤尼斯 → 汗尤尼斯) ends at its last string
    for piece in list(merged):
        seen = {piece}
        while merged[piece] in merged and merged[piece] not in seen:
            seen.add(merged[piece])
            merged[piece] = merged[merged[piece]]
    # pieces of strings cut in several ways: outside the dictionary, flush against others outside it
    known = segment.general_words() | lexicon()
    total = np.bincount(code[content], minlength=len(names))
    unknown_here = ~pd.Index(names.tolist(), dtype=object).isin(list(known))  # Python strings once, looked up in bulk
    outside = unknown_here & (names.str.len().to_numpy() >= 2)
    lengths = names.str.len().to_numpy(dtype=np.int64)
    glued = (doc[1:] == doc[:-1]) & (start[1:] == start[:-1] + lengths[code[:-1]]) & word[:-1] & word[1:]
    flush = np.zeros(len(names))
    for own, other in ((code[:-1][glued], code[1:][glued]), (code[1:][glued], code[:-1][glued])):
        hit = unknown_here[own] & outside[other]
        flush = np.maximum(flush, np.bincount(own[hit], minlength=len(names)))
    with np.errstate(divide="ignore", invalid="ignore"):
        piece_of_many = unknown_here & (total >= max(min_total, 1)) & (flush >= share * total)
    content &= ~piece_of_many[code]
    for name in names[piece_of_many]:
        merged.setdefault(name, "")  # dropped, not merged
    table = pd.DataFrame({"doc_id": tokens["doc_id"].array[rows[content]],
                          "term": pd.Categorical.from_codes(code[content], categories=names)}, copy=False)
    table.attrs["neighbours"] = _Unshared(neighbours)
    return table, merged


class _Unshared(dict):
    """A dict kept in a table's ``attrs`` that pandas does not deep-copy with each operation on the table (it is
    never changed once made; a copy per operation cost seconds and hundreds of MB on a large corpus)."""

    def __deepcopy__(self, memo):
        return self


#: A word of jieba's dictionary with this frequency or more is an established word (上年, 三中全会), not
#: a rare entry such as a piece of a name (朗德 of 奥朗德, 巴尔米 of 巴尔米拉).
ESTABLISHED = 500
#: An established word is a piece only beside a word of this many characters or more (上年 stays itself
#: beside 比).
ESTABLISHED_PARTNER_CHARS = 2


def _glued_rows(doc, code, start, word, lengths) -> np.ndarray:
    """Row i and row i+1 are glued: same document, the second starts where the first ends, both words."""
    return (doc[1:] == doc[:-1]) & (start[1:] == start[:-1] + lengths[np.clip(code[:-1], 0, None)]) \
        & (code[:-1] >= 0) & (code[1:] >= 0) & word[:-1] & word[1:]


def _fragment_candidates(names: pd.Index, total: np.ndarray, min_total: int) -> tuple[np.ndarray, np.ndarray]:
    """The names that may be fragments, and the established words of jieba's dictionary among all names."""
    candidate = total >= max(min_total, FRAGMENT_MIN)  # a word seen twice is glued to the same word by chance
    # the lexicon's items are whole by construction; a word of the dictionary is a piece only of a string
    # with another word (上年 is not a piece of 比上年, nor 三中全会 of 届三中全会)
    listed = names.tolist()  # Python strings once (iterating Arrow strings one by one is slow)
    candidate &= ~pd.Index(listed, dtype=object).isin(list(lexicon()))
    frequency = _dictionary_frequencies()
    in_dictionary = frequency.reindex(listed).fillna(0).to_numpy() >= ESTABLISHED
    return candidate, in_dictionary


@lru_cache(maxsize=1)
def _dictionary_frequencies() -> pd.Series:
    """Each word of jieba's own dictionary and its frequency, as a Series (looked up by hash, in bulk)."""
    frequency = segment.general_frequencies()
    series = pd.Series(list(frequency.values()), index=pd.Index(list(frequency), dtype=object), dtype=np.int64)
    return series[~series.index.duplicated()]


def _top_neighbours(own: np.ndarray, other: np.ndarray, candidate: np.ndarray, n_names: int):
    """For each candidate among ``own`` (codes of glued pairs): its most frequent neighbour in ``other``
    and how many times they are glued."""
    mine = candidate[own]
    key = own[mine].astype(np.int64) * n_names + other[mine]
    pairs, n_pairs = np.unique(key, return_counts=True)
    owner = pairs // n_names
    order = np.lexsort((n_pairs, owner))  # the most frequent neighbour of each owner last
    last = np.r_[owner[order][1:] != owner[order][:-1], True]
    return owner[order][last], (pairs % n_names)[order][last], n_pairs[order][last]


def _partners(names, code, glued, candidate, in_dictionary, lengths, total, share, neighbours) -> dict:
    """The fragments of this pass: ``{fragment code: (side of its neighbour, neighbour code, times glued)}``
    (``neighbours``, when given, gets each candidate's most frequent neighbour on each side)."""
    n_names = len(names)
    left, right = code[:-1][glued], code[1:][glued]
    partners = {}
    for side, own, other in (("right", left, right), ("left", right, left)):
        top_owner, top_other, top_n = _top_neighbours(own, other, candidate, n_names)
        if neighbours is not None:  # for the kind of a name: 总统 before it, 州 after it
            neighbours[side].update(zip(names[top_owner].tolist(), names[top_other].tolist()))
        for o, t, k in zip(top_owner, top_other, top_n):
            if in_dictionary[o] and lengths[t] < ESTABLISHED_PARTNER_CHARS:
                continue
            if k >= share * total[o] and o != t and (o not in partners or k > partners[o][2]):
                partners[o] = (side, t, k)
    # a piece whose neighbour is itself a piece of another string waits for the next pass (波克罗 + 夫斯 + 克:
    # 夫斯克 first, then 波克罗 + 夫斯克)
    string = {o: (names[o] + names[t] if side == "right" else names[t] + names[o]) for o, (side, t, _) in partners.items()}
    return {o: p for o, p in partners.items() if p[1] not in partners or string[p[1]] == string[o]}


def _compounds(names: pd.Index, partners: dict) -> tuple[dict[str, str], dict[str, int], list[str]]:
    """``{piece: string}``, each string's code (a name's own when the string is also a token elsewhere,
    else a new one) and the new names, in order."""
    n_names = len(names)
    found: dict[str, str] = {}
    compound_code: dict[str, int] = {}
    extra: list[str] = []
    for o, (side, t, _) in partners.items():
        name = names[o] + names[t] if side == "right" else names[t] + names[o]
        if name not in compound_code:
            known = names.get_indexer([name])[0]  # the string may also be a token of its own elsewhere
            compound_code[name] = known if known >= 0 else n_names + len(extra)
            if known < 0:
                extra.append(name)
        found[names[o]] = name
    return found, compound_code, extra


def _pair_targets(names: pd.Index, partners: dict, found: dict, compound_code: dict):
    """Each fragment's pair as a key (left code × names + right code), sorted, with the code of the string it
    makes and whether the fragment is the left one."""
    n_names = len(names)
    keys, targets, own_left = [], [], []
    for o, (side, t, _) in partners.items():
        if side == "left" and t in partners and found[names[t]] == found[names[o]]:
            continue  # two pieces of one string: counted once, from its left piece
        keys.append(o * n_names + t if side == "right" else t * n_names + o)
        targets.append(compound_code[found[names[o]]])
        own_left.append(side == "right")
    keys, targets, own_left = np.asarray(keys), np.asarray(targets), np.asarray(own_left)
    order = np.argsort(keys, kind="stable")
    return keys[order], targets[order], own_left[order]


def _rewrite_rows(code, start, content, keep, glued, names, partners, found, compound_code):
    """The rows' new codes and starts: one row for each string found, the fragment's row starting where the
    string starts; the neighbour's row stays (a word of its own is still counted) unless it is a piece of
    the same string (then ``keep`` drops it). ``content`` and ``keep`` are updated in place."""
    n_names = len(names)
    keys, targets, own_left = _pair_targets(names, partners, found, compound_code)
    first = np.flatnonzero(glued)  # row i of each glued pair (i, i+1)
    pair = code[first].astype(np.int64) * n_names + code[first + 1]
    at = np.clip(np.searchsorted(keys, pair), 0, len(keys) - 1)
    hit = keys[at] == pair
    first, at = first[hit], at[hit]
    string_of = np.full(n_names, -1, dtype=np.int64)  # each fragment's string
    for o in partners:
        string_of[o] = compound_code[found[names[o]]]
    code, start = code.copy(), start.copy()
    piece = np.where(own_left[at], first, first + 1)
    other = np.where(own_left[at], first + 1, first)
    same = string_of[code[other]] == targets[at]  # the neighbour is a piece of the same string
    code[piece] = targets[at]
    start[piece] = start[first]
    content[piece] = True
    keep[other[same]] = False
    return code, start


def _merge_pass(doc, code, start, word, content, names, min_total, share, neighbours):
    """One pass of :func:`merge_fragments`: the new names, the rows' new codes, the rows kept and
    ``{piece: string}`` of this pass (``content`` is updated in place)."""
    n_names = len(names)
    lengths = names.str.len().to_numpy(dtype=np.int64)
    total = np.bincount(code[content], minlength=n_names)
    candidate, in_dictionary = _fragment_candidates(names, total, min_total)
    glued = _glued_rows(doc, code, start, word, lengths)
    keep = np.ones(len(code), dtype=bool)
    found: dict[str, str] = {}
    if not (glued.any() and candidate.any()):
        return names, code, start, keep, found
    partners = _partners(names, code, glued, candidate, in_dictionary, lengths, total, share, neighbours)
    if not partners:
        return names, code, start, keep, found
    found, compound_code, extra = _compounds(names, partners)
    fragment = np.zeros(n_names, dtype=bool)
    fragment[list(partners)] = True
    content &= ~fragment[np.clip(code, 0, None)]  # a fragment's uses outside its string: dropped
    code, start = _rewrite_rows(code, start, content, keep, glued, names, partners, found, compound_code)
    if extra:
        names = names.append(pd.Index(extra, dtype=object).astype(str))
    return names, code, start, keep, found


def mention_counts(mentions: pd.DataFrame, documents: pd.DataFrame, *, column: str = "item", min_total: int = 1,
                   min_docs: int = 1) -> tuple[pd.DataFrame, pd.Series]:
    """The same years × items table for a mentions table (formulas, theme terms, chosen terms)."""
    return _year_table(mentions, documents, column, min_total, min_docs, None, False)


def _segments_g2(cum_n: np.ndarray, cum_c: np.ndarray, i: np.ndarray, j: np.ndarray):
    """G² (2×2) of the years i … j−1 against the others, for counts' cumulative sums (leading 0 row)."""
    inside_n = cum_n[j] - cum_n[i]
    inside_c = (cum_c[j] - cum_c[i])[:, None]
    total_n, total_c = cum_n[-1], cum_c[-1]
    g2 = log_likelihood(inside_n, total_n - inside_n, inside_c, total_c - inside_c)
    return g2, inside_n, inside_c


def _xlogx(x: np.ndarray) -> np.ndarray:
    out = np.log(np.where(x > 0, x, 1.0))
    out *= x
    return out


#: :func:`_best_window` looks x·ln x up in a table when every count is a whole number up to this.
WHOLE_TABLE = 50_000_000


def _best_window(cum_n: np.ndarray, cum_c: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """For each term, the index of the window (years i … j−1) of largest G² against the other years.

    G² = 2(Σ cells·ln cells − Σ margins·ln margins + N·ln N): the term's own margins and N are the
    same for every window, so only four cell terms and the window's two sizes are computed per
    window and term (the windows × terms grid is the costly part of :func:`trends`)."""
    inside = cum_n[j] - cum_n[i]
    total = cum_n[-1]
    inside_c = (cum_c[j] - cum_c[i])[:, None]
    outside_c = cum_c[-1] - inside_c
    top = float(total.max()) if total.size else 0.0
    if 0 <= top <= WHOLE_TABLE and np.array_equal(cum_n, np.floor(cum_n)):
        # whole counts (as a corpus gives): their x·ln x are looked up in a table made once, not computed per cell
        table = _xlogx(np.arange(int(top) + 1, dtype=float))
        counts = inside.astype(np.int64)
        score = table[counts]
        score += table[total.astype(np.int64) - counts]
        del counts
    else:  # counts of another kind (fractions, missing values): computed
        score = _xlogx(inside)
        score += _xlogx(total - inside)
    score += _xlogx(inside_c - inside)
    score += _xlogx(outside_c - (total - inside))
    score -= _xlogx(inside_c) + _xlogx(outside_c)
    return score.argmax(axis=0)


def shift_strength(n_after, n_before, chars_after, chars_before, *, level: float = 0.99) -> np.ndarray:
    """Size and evidence together: log2 of the rate ratio (after / before) at the near end of its
    exact ``level`` confidence interval, 0 when the interval holds 1 (no shift one can defend).

    The interval is the exact one for a ratio of two Poisson rates: given the n_after + n_before
    occurrences, n_after is binomial with p = r·C_a / (r·C_a + C_b); Clopper–Pearson bounds on p
    give bounds on r. No pseudo-count: a term absent before its arrival gets a finite bound that
    grows with how often it is used after."""
    from scipy import stats  # imported when needed: scipy.stats costs 0.4 s at import
    na, nb, ca, cb = (np.asarray(x, dtype=float) for x in (n_after, n_before, chars_after, chars_before))
    m = na + nb
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        p_low = np.where(na > 0, stats.beta.ppf(alpha / 2, na, nb + 1), 0.0)
        p_high = np.where(nb > 0, stats.beta.ppf(1 - alpha / 2, na + 1, nb), 1.0)
        low = np.log2(p_low / (1 - p_low) * cb / ca)
        high = np.log2(p_high / (1 - p_high) * cb / ca)
    rise = np.where(m > 0, np.maximum(np.nan_to_num(low, neginf=0.0, posinf=0.0), 0.0), 0.0)
    fall = np.where(m > 0, np.maximum(-np.nan_to_num(high, neginf=0.0, posinf=0.0), 0.0), 0.0)
    return np.maximum(rise, fall)


#: :func:`trends` measures this many terms at a time (each term's measures are its own; memory stays bounded).
TREND_BLOCK = 4096


def trends(counts: pd.DataFrame, chars: pd.Series, *, min_years: int = 3,
           evidence: "Evidence | None" = None) -> pd.DataFrame:
    """One row per term (column of ``counts``): the measures of the module docstring, vectorised,
    and whether each change holds (:func:`_hold`: ``side_years``, ``held_g2``, ``n_docs``,
    ``doc_share_before``, ``doc_share_after``, ``format_change``, ``term_kind``).

    Terms present in fewer than ``min_years`` years are left out. ``evidence``: the documents behind
    the counts (default: the :class:`Evidence` :func:`yearly_counts` keeps in ``counts.attrs``); a
    hand-made table without it still gets ``side_years`` and ``held_g2`` (by years)."""
    if len(counts) < 3:
        raise ValueError(f"a trend needs at least three years with documents; this corpus has {len(counts)}")
    present_years = (counts > 0).sum()
    counts = counts.loc[:, present_years[present_years >= min_years].index]
    # the blocks go to the analysis workers when the corpus is large (its characters, as for the texts' analyses)
    parts = pool.map_documents(_trends, [(counts.iloc[:, lo:lo + TREND_BLOCK], chars)
                                             for lo in range(0, counts.shape[1], TREND_BLOCK)], chars=int(chars.sum()))
    table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0] if parts else _trends(counts, chars)
    table = _hold(table, counts, chars, evidence if evidence is not None else counts.attrs.get(EVIDENCE))
    return table.sort_values(["change_g2", "term"], ascending=[False, True]).reset_index(drop=True)


#: A year counts as a whole year when it holds this share of a median year's characters or more; a
#: smaller one (a half year of data at either end) counts for its share (see :func:`year_weights`).
FULL_YEAR = 1.0
#: Each side of a change must hold this many years' worth of data (a partial year counts for its size).
MIN_SIDE_YEARS = 1.0
#: Format change: in this share of the documents of its period or more (on average, and half of it in
#: every whole year of the period; twice it for a term that arrives rather than vanishes), in at most
#: ``FORMAT_LOW`` times that share outside it, in a
#: collection of ``FORMAT_MIN_DOCS`` documents a year or more (a genre of many short texts), not an
#: item of the project's lexicon and not a name (:func:`term_kind` "term").
FORMAT_SHARE, FORMAT_LOW, FORMAT_MIN_DOCS = 0.2, 0.05, 20


def year_weights(chars: pd.Series) -> pd.Series:
    """Each year's worth as data: its characters over the median year's, at most 1 (a year holding
    half a year of documents counts as half a year)."""
    median = float(np.median(chars.to_numpy(dtype=float))) if len(chars) else 0.0
    if median <= 0:
        return pd.Series(1.0, index=chars.index)
    return (chars.astype(float) / (FULL_YEAR * median)).clip(upper=1.0)


#: A change is ranked (its term's kind labelled, a longer string beside a format word flagged with it)
#: when its G² is significant at this p.
RANKED_P = 0.0001
#: The worth of a whole year of data (:func:`year_weights` stops there).
WHOLE_YEAR = 1.0


class _Split(NamedTuple):
    """Each term's before/after split (arrays of years × terms, or of years, or of terms)."""
    values: np.ndarray  # years × terms: counts
    size: np.ndarray  # years: characters
    years: np.ndarray
    after: np.ndarray  # years × terms: after the change
    rise: np.ndarray  # terms: the change is a rise
    high: np.ndarray  # years × terms: the side where the term is frequent
    weight: np.ndarray  # years: each year's worth as data


def _split(table: pd.DataFrame, counts: pd.DataFrame, chars: pd.Series) -> _Split:
    values = counts[table["term"]].to_numpy(dtype=float)
    after = counts.index.to_numpy()[:, None] >= table["change_year"].to_numpy(dtype=float)[None, :]
    rise = (table["direction"] == "rise").to_numpy()
    return _Split(values=values, size=chars.reindex(counts.index).to_numpy(dtype=float), years=counts.index.to_numpy(),
                  after=after, rise=rise, high=np.where(rise[None, :], after, ~after),
                  weight=year_weights(chars.reindex(counts.index)).to_numpy())


def _empty_hold(table: pd.DataFrame) -> pd.DataFrame:
    """An empty trends table with the columns of :func:`_hold`."""
    return table.assign(side_years=pd.Series(dtype=float), spread_years=pd.Series(dtype=float),
                        spread_months=pd.Series(dtype=float), held_g2=pd.Series(dtype=float),
                        n_docs=pd.Series(dtype="Int64"), doc_share_before=pd.Series(dtype=float),
                        doc_share_after=pd.Series(dtype=float), format_change=pd.Series(dtype=bool),
                        term_kind=pd.Series(dtype=object))


def _g2_without(s: _Split, drop_n, drop_c) -> np.ndarray:
    """G² of the split with counts and characters taken from the high side (0 when that turns the direction)."""
    na = (s.values * s.after).sum(axis=0) - np.where(s.rise, drop_n, 0)
    nb = (s.values * ~s.after).sum(axis=0) - np.where(s.rise, 0, drop_n)
    ca = (s.size[:, None] * s.after).sum(axis=0) - np.where(s.rise, drop_c, 0)
    cb = (s.size[:, None] * ~s.after).sum(axis=0) - np.where(s.rise, 0, drop_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        kept = np.where(s.rise, na / ca > nb / cb, nb / cb > na / ca) & (ca > 0) & (cb > 0)
        g2 = log_likelihood(na, nb, ca, cb)
    return np.where(kept, np.nan_to_num(g2), 0.0)


def _side_years(s: _Split) -> np.ndarray:
    """The smaller side of each change, in years' worth of data."""
    w_after = (s.weight[:, None] * s.after).sum(axis=0)
    return np.minimum(w_after, s.weight.sum() - w_after)


def _held_without_top_year(s: _Split) -> np.ndarray:
    """G² of the split without the strongest year of the high side."""
    top = np.where(s.high, s.values, -1).argmax(axis=0)
    cols = np.arange(s.values.shape[1])
    return _g2_without(s, s.values[top, cols], s.size[top])


def _spread_years(s: _Split) -> np.ndarray:
    """Years the term is spread over on its frequent side: (Σ w·r)² / Σ w·r² of its rates r, years weighted by w."""
    rates = s.values / s.size[:, None]
    wr = np.where(s.high, s.weight[:, None] * rates, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(wr.sum(axis=0) ** 2 / (wr * rates).sum(axis=0))


def _held_without_top_document(table: pd.DataFrame, s: _Split, evidence: "Evidence",
                               year_docs: np.ndarray) -> np.ndarray:
    """G² of the split without the term's largest document (when it is on the high side; its characters
    taken as its year's average)."""
    top_n = evidence.top_doc_n.reindex(table["term"]).fillna(0).to_numpy()
    top_year = evidence.top_doc_year.reindex(table["term"]).to_numpy(dtype=float)
    in_high = np.where(s.rise, top_year >= table["change_year"].to_numpy(dtype=float),
                       top_year < table["change_year"].to_numpy(dtype=float))
    row = np.clip(pd.Index(s.years).get_indexer(top_year), 0, None)
    doc_chars = np.where(year_docs[row] > 0, s.size[row] / np.maximum(year_docs[row], 1), 0.0)
    return _g2_without(s, np.where(in_high, top_n, 0), np.where(in_high, doc_chars, 0))


def _format_candidates(table: pd.DataFrame, s: _Split, share: np.ndarray, share_high: np.ndarray,
                       share_low: np.ndarray, year_docs: np.ndarray) -> np.ndarray:
    """The terms whose change looks like a change of format (see ``FORMAT_SHARE``), before their kind is known."""
    whole = (s.weight[:, None] >= WHOLE_YEAR) & s.high
    steady = np.where(whole, share >= FORMAT_SHARE / 2, True).all(axis=0)  # in every whole year of its period
    many = (year_docs[:, None] * s.high).sum(axis=0) >= FORMAT_MIN_DOCS * (s.high * 1).sum(axis=0)
    # vanishing is what a format change looks like; a term arriving in many documents is more often news (俄军),
    # so one that arrives must be in twice the share
    bar = np.where(s.rise, 2 * FORMAT_SHARE, FORMAT_SHARE)
    candidate = (share_high >= bar) & (share_low <= FORMAT_LOW * share_high) & steady & many
    candidate &= ~table["term"].isin(lexicon()).to_numpy()  # the lexicon's formulas and terms are content
    return candidate


def _document_measures(table: pd.DataFrame, counts: pd.DataFrame, s: _Split,
                       evidence: "Evidence") -> tuple[dict, np.ndarray]:
    """The columns measured on the documents behind the counts (``n_docs``, ``doc_share_before``,
    ``doc_share_after``, ``format_change`` before kinds) and the G² without the largest document."""
    docs = evidence.docs.reindex(index=counts.index, columns=table["term"]).fillna(0).to_numpy(dtype=float)
    year_docs = evidence.year_docs.reindex(counts.index).fillna(0).to_numpy(dtype=float)
    held = _held_without_top_document(table, s, evidence, year_docs)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = docs / year_docs[:, None]
        share_after = (docs * s.after).sum(axis=0) / (year_docs[:, None] * s.after).sum(axis=0)
        share_before = (docs * ~s.after).sum(axis=0) / (year_docs[:, None] * ~s.after).sum(axis=0)
    share_high = np.where(s.rise, share_after, share_before)
    share_low = np.where(s.rise, share_before, share_after)
    candidate = _format_candidates(table, s, share, share_high, share_low, year_docs)
    return dict(n_docs=docs.sum(axis=0).astype(np.int64), doc_share_before=share_before,
                doc_share_after=share_after, format_change=candidate), held


def _term_kinds(table: pd.DataFrame, evidence: "Evidence | None") -> pd.Series:
    """Kinds from the tagger, for the ranked candidates and the format candidates only (else None)."""
    ranked = table["change_g2"] >= counting.CRITICAL[RANKED_P]
    top = table[ranked].sort_values("strength", ascending=False).groupby("direction").head(KIND_CANDIDATES).index
    label = table.index.isin(top) | table["format_change"].to_numpy(dtype=bool)
    kinds = pd.Series([None] * len(table), index=table.index, dtype=object)
    near = getattr(evidence, "neighbours", {"left": {}, "right": {}})
    kinds[label] = [term_kind(t, near["left"].get(t), near["right"].get(t)) for t in table.loc[label, "term"]]
    return kinds


def _format_changes(table: pd.DataFrame, kinds: pd.Series) -> np.ndarray:
    """The format changes: candidates that are a genre's own words (本台消息, 我台), not the name of a person
    or a place (an organisation only as it vanishes: one arriving in most documents is more often news, 乌军,
    than format), and the longer strings holding such a word and changing the same way (中央广播电视总台
    beside 总台)."""
    allowed = kinds.eq("term") | (kinds.eq("organisation") & (table["direction"] == "fall"))
    flagged = table["format_change"].to_numpy(dtype=bool) & allowed.to_numpy()
    names = table["term"].astype(str)
    for word, direction in zip(names[flagged], table.loc[flagged, "direction"]):
        flagged |= (names.str.contains(word, regex=False) & (table["direction"] == direction)
                    & (table["change_g2"] >= counting.CRITICAL[RANKED_P])).to_numpy()
    return flagged


def _hold(table: pd.DataFrame, counts: pd.DataFrame, chars: pd.Series, evidence: "Evidence | None") -> pd.DataFrame:
    """Whether each term's change holds (columns ``side_years``, ``spread_years``, ``spread_months``,
    ``held_g2``, ``n_docs``, ``doc_share_before``, ``doc_share_after``, ``format_change``, ``term_kind``):

    - ``side_years``: the smaller side of the change, in years' worth of data (:func:`year_weights`):
      a change with only a half year before it rests on that half year;
    - ``spread_years``: the years' worth the term's rate spreads over on its frequent side, (Σ w·r)² /
      Σ w·r² of its yearly rates r weighted by the years' worth w (one year's story: about 1);
      ``spread_months``: the same by calendar month over its counts, for a periodical (else empty);
    - ``held_g2``: G² of the same before/after split without the strongest year of the side where
      the term is frequent, and without its largest document (the lower of the two; 0 when either
      turns the direction): a term of one story or one burst does not hold;
    - ``doc_share_before`` / ``after``: the share of documents that hold the term on each side;
      ``format_change``: the term is in most documents of its side and vanishes outside (a change of
      a genre's format, 本台消息 or a programme's name, not of what is said; see ``FORMAT_SHARE``)."""
    if table.empty:
        return _empty_hold(table)
    s = _split(table, counts, chars)
    held = _held_without_top_year(s)
    out = {"side_years": _side_years(s), "spread_years": _spread_years(s)}
    if evidence is not None:
        measures, held_doc = _document_measures(table, counts, s, evidence)
        held = np.minimum(held, held_doc)
        out.update(measures)
    else:
        out.update(n_docs=pd.array([pd.NA] * len(table), dtype="Int64"), doc_share_before=np.nan,
                   doc_share_after=np.nan, format_change=False)
    out["held_g2"] = held
    months = getattr(evidence, "spread_months", None)
    out["spread_months"] = months.reindex(table["term"]).to_numpy(dtype=float) if months is not None else np.nan
    table = table.assign(**out)
    kinds = _term_kinds(table, evidence)
    table["term_kind"] = kinds
    table["format_change"] = _format_changes(table, kinds)
    return table


#: :func:`trends` labels the kind of this many candidates of each direction (the strongest by ``strength``).
KIND_CANDIDATES = 300
#: Kinds of :func:`term_kinds`.
KINDS = ("person", "place", "organisation", "number", "character", "term")
_POS_KIND = {"nr": "person", "nrfg": "person", "nrt": "person", "ns": "place", "nsf": "place", "nt": "organisation",
             "m": "number", "mq": "number", "q": "number"}
_PLACE_END = re.compile(r"(?:省|市|县|州|区|岛|群岛|海峡|地带|半岛|山|河|湖|湾|港|城)$")
_ORGANISATION_END = re.compile(r"(?:组织|集团|公司|委员会|委|部|局|署|院|会|党|军|军区|旅|台|银行|大学|协会|联盟|理事会)$")


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """The project's formulas, variants, political terms and theme terms (content by construction)."""
    return frozenset(segment.dictionary_words()) - segment.filler()


#: Words written just before a person's name (美国总统奥巴马, 委员长张德江) or just after it (张三同志).
PERSON_BEFORE = frozenset("总统 副总统 首相 总理 副总理 主席 副主席 国务卿 外长 外交部长 部长 委员长 总书记 书记 秘书长 议长 国王 "
                          "女王 王储 亲王 总督 司令 大使 发言人 特使 代表 院长 省长 市长 县长 同志 教授 院士 先生 女士 夫人 "
                          "总干事 主任 局长 总裁 董事长 运动员 选手".split())
PERSON_AFTER = frozenset("同志 总统 首相 总理 主席 先生 女士 夫人 教授 院士 说 表示 指出 强调 会见 会谈 致电".split())
#: Words written just after a place's name (扎波罗热州, 加沙地带).
PLACE_AFTER = frozenset("州 省 市 县 区 地区 一带 地带 方向 前线 核电站 港 机场 海域 海峡 边境 境内 附近 当地 城 镇 村 岛".split())


@lru_cache(maxsize=65536)
def term_kind(term: str, before: str | None = None, after: str | None = None) -> str:
    """"person", "place", "organisation", "number", "character" (one character) or "term".

    From the word most often written just before the term (``before``: 总统, 委员长 → a person) or
    just after it (``after``: 州, 地带 → a place) when :func:`yearly_counts` found them; else from
    jieba's part-of-speech tagger (``jieba.posseg``) on the term alone, with the endings of place
    and organisation names (省, 海峡 …; 部, 组织, 军 …) for words outside jieba's dictionary. A hint
    for a reader, not a fact. The lexicon's items are terms."""
    if len(term) == 1:
        return "character"
    if term in lexicon():
        return "term"
    if before in PERSON_BEFORE or after in ("同志", "先生", "女士", "夫人"):
        return "person"
    if after in PLACE_AFTER:
        return "place"
    flags = [tag for _, tag in segment.pos_tags(term)]
    known = term in segment.general_words()
    if not known and _ORGANISATION_END.search(term):
        return "organisation"
    if not known and _PLACE_END.search(term):
        return "place"
    if len(flags) == 1:
        kind = _POS_KIND.get(flags[0], "term")
        return "person" if kind == "term" and after in PERSON_AFTER and flags[0].startswith("n") else kind
    if all(f.startswith("nr") or f == "x" for f in flags):
        return "person"
    if flags[0] in ("nr", "nrt", "nrfg") and all(f in ("nr", "nrt", "nrfg", "n", "x", "m", "nz") for f in flags):
        return "person"  # a transliterated name the tagger cuts (高市/早苗)
    return "term"


def term_kinds(terms: Iterable[str]) -> list[str]:
    """:func:`term_kind` of each term."""
    return [term_kind(str(t)) for t in terms]


#: In Spearman's t-test, 1 − ρ² is floored here (a perfect rank correlation gives a finite t).
MIN_ONE_MINUS_RHO2 = 1e-12
#: ``log_ratio`` takes a zero count as this.
ZERO_COUNT = 0.5
#: :func:`_trends` scores the windows × terms grid for this many terms at a time (memory stays bounded).
WINDOW_TERMS = 512
#: The grid's cells per character of work (its size stands for the work, as characters do for the texts'
#: analyses, when the workers are chosen).
WINDOW_CELLS_PER_CHAR = 100
#: A window is kept when its G² beats the single change point's by the critical value at this p, and it
#: differs from the years before and from those after, each on its own, at this p …
WINDOW_P = 0.001
#: … and by this factor or more (a peak twice their rates, a trough half of them).
WINDOW_FACTOR = 2


def _spearman(years: np.ndarray, rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spearman's rho of each term's rate with the year: Pearson correlation of ranks (ties averaged),
    with its t-test's p."""
    from scipy import stats  # imported when needed: scipy.stats costs 0.4 s at import
    rank_rates = pd.DataFrame(rates).rank(axis=0).to_numpy()
    rank_years = pd.Series(years).rank().to_numpy()[:, None]
    ry = rank_years - rank_years.mean()
    rr = rank_rates - rank_rates.mean(axis=0)
    n = len(years)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (ry * rr).sum(axis=0) / np.sqrt((ry ** 2).sum() * (rr ** 2).sum(axis=0))
        t = rho * np.sqrt((n - 2) / np.clip(1 - rho ** 2, MIN_ONE_MINUS_RHO2, None))
    return rho, 2 * stats.t.sf(np.abs(t), df=n - 2)


def _slope(years: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Least-squares change of each term's rate per year."""
    yc = years - years.mean()
    return (yc[:, None] * (rates - rates.mean(axis=0))).sum(axis=0) / (yc ** 2).sum()


def _first_last_peak(years: np.ndarray, values: np.ndarray, rates: np.ndarray):
    """The first and last year each term occurs, and the year of its highest rate."""
    present = values > 0
    first = np.where(present.any(axis=0), years[present.argmax(axis=0)], np.nan)
    last = np.where(present.any(axis=0), years[len(years) - 1 - present[::-1].argmax(axis=0)], np.nan)
    peak = years[rates.argmax(axis=0)] if values.shape[1] else np.array([])
    return first, last, peak


class _Change(NamedTuple):
    """Each term's single change point: the split's index, its G², the counts and characters before and after."""
    best: np.ndarray
    change_g2: np.ndarray
    nb: np.ndarray
    cb: np.ndarray
    na: np.ndarray
    ca: np.ndarray


def _change_point(cum_n: np.ndarray, cum_c: np.ndarray) -> _Change:
    """One change point per term: the years before k against the years from k on, k of the largest G²."""
    n, n_terms = len(cum_c) - 1, cum_n.shape[1]
    cols = np.arange(n_terms)
    ks = np.arange(1, n)
    g2_split, n_before, c_before = _segments_g2(cum_n, cum_c, np.zeros_like(ks), ks)
    best = g2_split.argmax(axis=0) if n_terms else np.array([], dtype=int)
    nb, cb = n_before[best, cols], c_before[best, 0]
    return _Change(best=best, change_g2=g2_split[best, cols], nb=nb, cb=cb, na=cum_n[-1] - nb, ca=cum_c[-1] - cb)


def _best_windows(cum_n: np.ndarray, cum_c: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """For each term, the window of years i … j−1 touching neither end whose rate differs most from the
    years outside it (the bounds i and j), or None when there is no such window or no term."""
    n, n_terms = len(cum_c) - 1, cum_n.shape[1]
    ii, jj = np.triu_indices(n + 1, k=1)
    inner = (ii >= 1) & (jj <= n - 1)
    ii, jj = ii[inner], jj[inner]
    if not (len(ii) and n_terms):
        return None
    # windows × terms, a block of terms at a time, in worker processes when the grid is large
    blocks = [(cum_n[:, lo:lo + WINDOW_TERMS], cum_c, ii, jj) for lo in range(0, n_terms, WINDOW_TERMS)]
    work = len(ii) * n_terms // WINDOW_CELLS_PER_CHAR
    w = np.concatenate(pool.map_documents(_best_window, blocks, chars=work))
    return ii[w], jj[w]


def _window_shape(years: np.ndarray, cum_n: np.ndarray, cum_c: np.ndarray, change_g2: np.ndarray,
                  shape: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A second change point: ``shape`` ("rise-fall" for a peak in the window, "fall-rise" for a trough,
    else the ``shape`` given: the direction), ``window_start``, ``window_end`` and ``window_g2``."""
    n, n_terms = len(years), cum_n.shape[1]
    window_start, window_end = np.full(n_terms, np.nan), np.full(n_terms, np.nan)
    windows = _best_windows(cum_n, cum_c)
    if windows is None:
        return shape, window_start, window_end, np.zeros(n_terms)
    wi, wj = windows
    cols = np.arange(n_terms)
    total_n, total_c = cum_n[-1], cum_c[-1]
    n_pre, c_pre = cum_n[wi, cols], cum_c[wi]
    n_post, c_post = total_n - cum_n[wj, cols], total_c - cum_c[wj]
    n_mid, c_mid = cum_n[wj, cols] - n_pre, cum_c[wj] - c_pre
    window_g2 = log_likelihood(n_mid, total_n - n_mid, c_mid, total_c - c_mid)
    mid_rate = n_mid / c_mid
    # each side on its own must differ from the window (2×2 G² at p < WINDOW_P), by WINDOW_FACTOR or more
    g2_pre = log_likelihood(n_mid, n_pre, c_mid, c_pre)
    g2_post = log_likelihood(n_mid, n_post, c_mid, c_post)
    pre_rate, post_rate = n_pre / c_pre, n_post / c_post
    peak_shape = (mid_rate >= WINDOW_FACTOR * pre_rate) & (mid_rate >= WINDOW_FACTOR * post_rate)
    trough_shape = (mid_rate * WINDOW_FACTOR <= pre_rate) & (mid_rate * WINDOW_FACTOR <= post_rate)
    sides = (g2_pre >= counting.CRITICAL[WINDOW_P]) & (g2_post >= counting.CRITICAL[WINDOW_P])
    better = window_g2 >= change_g2 + counting.CRITICAL[WINDOW_P]  # the second change point earns its place
    shape = np.where(sides & better & peak_shape, "rise-fall",
                     np.where(sides & better & trough_shape, "fall-rise", shape)).astype(object)
    two = (shape == "rise-fall") | (shape == "fall-rise")
    window_start = np.where(two, years[np.clip(wi, 0, n - 1)], np.nan)
    window_end = np.where(two, years[np.clip(wj - 1, 0, n - 1)], np.nan)
    return shape, window_start, window_end, window_g2


def _trends(counts: pd.DataFrame, chars: pd.Series) -> pd.DataFrame:
    """The measures of the terms of ``counts`` (unsorted)."""
    years = counts.index.to_numpy(dtype=float)
    values = counts.to_numpy(dtype=float)
    size = chars.reindex(counts.index).to_numpy(dtype=float)
    rates = counting.per_10k(values, size[:, None])
    rho, p = _spearman(years, rates)
    first, last, peak = _first_last_peak(years, values, rates)
    cum_n = np.vstack([np.zeros((1, values.shape[1])), values.cumsum(axis=0)])
    cum_c = np.r_[0.0, size.cumsum()]
    ch = _change_point(cum_n, cum_c)
    before_rate, after_rate = ch.nb / ch.cb, ch.na / ch.ca
    direction = np.where(after_rate > before_rate, "rise", "fall")
    shape, window_start, window_end, window_g2 = _window_shape(years, cum_n, cum_c, ch.change_g2,
                                                               direction.astype(object))
    table = pd.DataFrame({
        "term": counts.columns, "n": values.sum(axis=0).astype(np.int64), "n_years": (values > 0).sum(axis=0),
        "rho": rho, "p": p, "slope": _slope(years, rates),
        "first_year": first, "last_year": last, "peak_year": peak,
        "change_year": years[ch.best + 1] if len(ch.best) else np.array([]),
        "direction": direction,
        "change_g2": ch.change_g2, "per_10k_before": counting.per_10k(ch.nb, ch.cb),
        "per_10k_after": counting.per_10k(ch.na, ch.ca),
        "log_ratio": np.log2(((ch.na + ZERO_COUNT) / ch.ca) / ((ch.nb + ZERO_COUNT) / ch.cb)),
        "strength": shift_strength(ch.na, ch.nb, ch.ca, ch.cb), "shape": shape,
        "window_start": window_start, "window_end": window_end, "window_g2": window_g2,
    })
    for column in ("first_year", "last_year", "peak_year", "change_year", "window_start", "window_end"):
        table[column] = pd.array(table[column].to_numpy(dtype=float), dtype="Float64").astype("Int64")
    return table


RANKINGS = ("strength", "change_g2", "log_ratio")
#: A change holds when its frequent side spreads over this many years' worth of rate or more (see :func:`_hold`).
MIN_SPREAD = 1.75
#: In a periodical (news), a change holds when the term is spread over this many months' worth of
#: use or more (a visit, a disaster, a trial fills a few months; see ``spread_months``).
MIN_MONTHS = 6.0


def holds(table: pd.DataFrame, *, min_g2: float = 15.13, min_side: float = MIN_SIDE_YEARS,
          min_spread: float = MIN_SPREAD, min_months: float = MIN_MONTHS) -> pd.Series:
    """True for the rows whose change a reader can trust (columns a table without them passes):

    each side holds ``min_side`` years' worth of data (a half year at an end does not make a change
    by itself), the frequent side spreads over ``min_spread`` years' worth (not one year's story)
    and, in a periodical, the term over ``min_months`` months' worth (not one story of a few months),
    the change still has ``held_g2 >= min_g2`` without its strongest year and its largest document
    (not one burst) — these three are not asked of the lexicon's items (:func:`lexicon`: formulas and
    terms, content by construction, however short their campaign) —, it is not a ``format_change``
    (listed apart by :func:`format_changes`) and the term is more than one character (a piece of
    words, 例, 监)."""
    ok = pd.Series(True, index=table.index)
    if "side_years" in table.columns:
        ok &= table["side_years"].fillna(0) >= min_side
    # the lexicon's formulas and terms are content by construction, however short their campaign (两学一做)
    story = pd.Series(True, index=table.index)
    if "spread_years" in table.columns:
        story &= table["spread_years"].fillna(0) >= min_spread
    if "spread_months" in table.columns:  # measured for a periodical only (empty otherwise)
        story &= ~(table["spread_months"] < min_months)
    if "held_g2" in table.columns:
        story &= table["held_g2"].fillna(0) >= min_g2
    if "term" in table.columns:
        story |= table["term"].astype(str).isin(lexicon())
    ok &= story
    if "format_change" in table.columns:
        ok &= ~table["format_change"].fillna(False).astype(bool)
    if "term" in table.columns:
        ok &= table["term"].astype(str).str.len() > 1
    return ok


def _labelled(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with ``term_kind`` filled where :func:`trends` left it empty."""
    if "term" not in rows.columns:
        return rows
    kinds = rows["term_kind"] if "term_kind" in rows.columns else pd.Series([None] * len(rows), index=rows.index)
    missing = kinds.isna()
    if missing.any():
        kinds = kinds.astype(object).copy()
        kinds[missing] = term_kinds(rows.loc[missing, "term"])
        rows = rows.assign(term_kind=kinds)
    return rows


def rising(table: pd.DataFrame, n: int = 20, *, by: str = "strength", min_g2: float = 15.13,
           held: bool = True) -> pd.DataFrame:
    """The ``n`` strongest risers (direction "rise" at the best change point; a term that rose and
    then fell shows ``shape`` "rise-fall" and its window), strongest first, with ``term_kind``.

    ``by``: "strength" (default: :func:`shift_strength`, the log2 rate ratio at the near end of
    its exact 99% interval, so a ranking needs both a large shift and the counts to back it), "change_g2" (how sure) or "log_ratio"
    (how large). Only shifts with ``change_g2 >= min_g2`` (default: p < 0.0001) and, with ``held``
    (default), only those that hold (:func:`holds`: no half year at an end, one story, one burst,
    format change or single character makes the list)."""
    checks.check_option("by", by, RANKINGS)
    risers = table[(table["direction"] == "rise") & (table["change_g2"] >= min_g2)]
    if held:
        risers = risers[holds(risers, min_g2=min_g2)]
    return _labelled(risers.sort_values([by, "change_g2", "term"], ascending=[False, False, True]).head(n))


def falling(table: pd.DataFrame, n: int = 20, *, by: str = "strength", min_g2: float = 15.13,
            held: bool = True) -> pd.DataFrame:
    """The ``n`` strongest fallers (see :func:`rising`); ``by="log_ratio"`` ranks disappearances first."""
    checks.check_option("by", by, RANKINGS)
    fallers = table[(table["direction"] == "fall") & (table["change_g2"] >= min_g2)]
    if held:
        fallers = fallers[holds(fallers, min_g2=min_g2)]
    ascending = by == "log_ratio"
    return _labelled(fallers.sort_values([by, "change_g2", "term"], ascending=[ascending, False, True]).head(n))


def format_changes(table: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """Terms flagged ``format_change`` (in most documents of a period, absent outside it: a genre's
    own words appearing or vanishing, such as a station's name in each news item), largest share
    of documents first. Kept out of :func:`rising` and :func:`falling`."""
    if "format_change" not in table.columns:
        return table.iloc[:0]
    found = table[table["format_change"].fillna(False).astype(bool)]
    if "side_years" in found.columns:  # a half year at an end shows no change of format either
        found = found[found["side_years"].fillna(0) >= MIN_SIDE_YEARS]
    share = found[["doc_share_before", "doc_share_after"]].max(axis=1)
    return _labelled(found.assign(_share=share).sort_values(["_share", "term"], ascending=[False, True])
                     .drop(columns="_share").head(n))


def peaks(table: pd.DataFrame, n: int = 20, *, min_g2: float = 15.13) -> pd.DataFrame:
    """Terms that rose and then fell (``shape`` "rise-fall"), strongest window first."""
    found = table[(table["shape"] == "rise-fall") & (table["window_g2"] >= min_g2)]
    return found.sort_values(["window_g2", "term"], ascending=[False, True]).head(n)


def lifecycle(counts: pd.DataFrame, chars: pd.Series) -> pd.DataFrame:
    """``item, n, n_years, first_year, last_year, peak_year, peak_per_10k`` for each column of ``counts``."""
    rates = pd.DataFrame(counting.per_10k(counts.to_numpy(), chars.reindex(counts.index).to_numpy()[:, None]),
                         index=counts.index, columns=counts.columns)
    present = counts > 0
    table = pd.DataFrame({
        "item": counts.columns,
        "n": counts.sum().to_numpy(),
        "n_years": present.sum().to_numpy(),
        "first_year": [present.index[present[c]].min() for c in counts.columns],
        "last_year": [present.index[present[c]].max() for c in counts.columns],
        "peak_year": rates.idxmax().to_numpy(),
        "peak_per_10k": rates.max().to_numpy(),
    })
    return table.sort_values(["first_year", "item"]).reset_index(drop=True)


def periods(documents: pd.DataFrame, edges: Iterable[int]) -> pd.Series:
    """A period label ("1978–1991") for each document's year, cutting at ``edges`` (each starts a period)."""
    edges = sorted(edges)
    year = documents["year"]

    def label(y):
        if pd.isna(y):
            return pd.NA
        starts = [e for e in edges if e <= y]
        if not starts:
            return f"–{edges[0] - 1}"
        start = starts[-1]
        later = [e for e in edges if e > start]
        return f"{start}–{later[0] - 1}" if later else f"{start}–"

    return year.map(label)
