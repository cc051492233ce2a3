"""Slogans and formulas (提法): the lexicon, whole-formula matching on the clean text, and discovery.

Matching does not depend on how jieba cuts a text: every form of every formula (canonical,
listed variants, their traditional spellings, and for formulas of four characters or more any
of 、· or a space between two characters) is tried at every position of the text, longest form
first. One rule for nesting and overlap (:func:`zhengyan.core.counting.drop_nested`): a match lying
inside a longer match is not counted — 全面从严治党 is one mention, not also one of 从严治党 — while
two matches that overlap without nesting both count (精准脱贫攻坚战: 精准脱贫 and 脱贫攻坚).
(A comma is allowed only where it splits a formula into equal parts: 不忘初心，牢记使命.)
A written-out expansion (政治意识、大局意识、核心意识、看齐意识) is one mention of its formula.
Mentions are a mentions table (:data:`zhengyan.core.counting.MENTION_COLUMNS`, ``item`` = the formula);
:func:`formula_tokens` makes token tables count formulas exactly as the mentions do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from zhengyan.core import counting, lexicons, paths
from zhengyan.core import pool
from zhengyan.ingest import segment
from zhengyan.ingest.corpus import Corpus

LEXICON_COLUMNS = ("formula", "variants", "category", "members", "first_year", "scope", "source")
MENTION_COLUMNS = counting.MENTION_COLUMNS
#: Between equal parts (不忘初心，牢记使命) a quotation mark may stand too: “不忘初心、牢记使命”主题教育.
_SEPARATORS = "[、，,·\\s“”]?"
_LIGHT_SEPARATORS = "[、·\\s]?"
_PUNCT = re.compile(r"[、，,·\s“”\"]")
#: Every character :data:`_PUNCT` matches, as a set (``\s`` is what ``str.isspace`` calls space, all below U+3001).
_PUNCT_CHARS = frozenset("、，,·“”\"") | frozenset(ch for ch in map(chr, range(0x3001)) if ch.isspace())
_PUNCT_TABLE = np.zeros(0x110000, dtype=bool)
_PUNCT_TABLE[[ord(ch) for ch in _PUNCT_CHARS]] = True
_MEMBER_JOIN = "(?:[、，,;；\\s]|和|及|以及|与)*"


def load_lexicon(path: Path | str | None = None) -> pd.DataFrame:
    """The formula lexicon (default ``data/formulas.csv``), checked.

    ``variants`` and ``members`` become lists; ``first_year`` an integer or NA. Fails naming
    the file and the row when a formula is missing, repeated, or written with punctuation.
    """
    path = paths.data_file("formulas.csv") if path is None else Path(path)
    table = lexicons.table(path)
    missing = [c for c in LEXICON_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing} (expected {list(LEXICON_COLUMNS)})")
    problems = []
    for i, formula in enumerate(table["formula"], start=2):
        if not formula.strip():
            problems.append(f"row {i}: empty formula")
        elif _PUNCT.search(formula):
            problems.append(f"row {i}: {formula!r} has internal punctuation (write the canonical form without it)")
    dupes = table.loc[table["formula"].duplicated(), "formula"].tolist()
    problems += [f"{d!r} appears twice" for d in dupes]
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    table["variants"] = table["variants"].map(lambda v: [x.strip() for x in v.split("|") if x.strip()])
    table["members"] = table["members"].map(lambda v: [x.strip() for x in v.split("、") if x.strip()])
    table["first_year"] = pd.to_numeric(table["first_year"], errors="coerce").astype("Int64")
    return table


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def _form_pattern(form: str, flexible: bool) -> str:
    """Characters of ``form`` with optional separators: 、·or a space between any two; a comma or a
    quotation mark only where it splits the form into equal parts of three or four characters
    (不忘初心，牢记使命; “不忘初心、牢记使命”主题教育)."""
    if not flexible:
        return re.escape(form)
    chunk = next((k for k in (4, 3) if len(form) % k == 0 and len(form) > k), 0)
    out = [re.escape(form[0])]
    for i, ch in enumerate(form[1:], start=1):
        out.append(_SEPARATORS if chunk and i % chunk == 0 else _LIGHT_SEPARATORS)
        out.append(re.escape(ch))
    return "".join(out)


def _written_pattern(form: str) -> str:
    """A variant as written, its punctuation any one separator: 两手抓，两手都要硬 also matches 两手抓、两手都要硬
    (the comma rule of :func:`_form_pattern` allows a comma only between equal halves)."""
    return "".join("[、，,·\\s“”]" if ch in _PUNCT_CHARS else re.escape(ch) for ch in form)


def normalise_form(text: str) -> str:
    """A matched span without its separators and quotes (how forms are looked up)."""
    return _PUNCT.sub("", text)


@dataclass
class Matcher:
    pattern: re.Pattern
    lookup: dict[str, tuple[str, str]]  # normalised form -> (formula, match kind)
    #: What a match must begin with once separators are removed: every normalised form, and the first
    #: member of each expansion. Found by one Aho–Corasick pass, they are where :attr:`pattern` is tried.
    triggers: tuple[str, ...] = ()
    _automaton: object = None

    def starts(self, text: str) -> list[int]:
        """Every offset of ``text`` where :attr:`pattern` can match (a superset; ascending)."""
        if not self.triggers:  # a matcher made by hand: try every offset
            return list(range(len(text)))
        if self._automaton is None:
            self._automaton = counting._automaton(self.triggers)
        separator = _PUNCT_TABLE[np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)]
        if separator.any():
            where = np.flatnonzero(~separator)
            plain = _PUNCT.sub("", text)
        else:
            where, plain = None, text
        found = np.unique(np.array(counting.matches(self._automaton, plain), dtype=np.int64).reshape(-1, 3)[:, 1])
        return found.tolist() if where is None else where[found].tolist()


def build_matcher(lexicon: pd.DataFrame) -> Matcher:
    """One regular expression over every form, longest first, and the table back to the formula."""
    entries: dict[str, tuple[str, str, str]] = {}  # normalised -> (pattern, formula, kind)
    firsts: list[str] = []  # first members of expansions
    def add(form: str, formula: str, kind: str, flexible: bool, pattern: str | None = None) -> None:
        key = normalise_form(form)
        if len(key) < 2:
            return
        if key in entries:  # a variant spelling its punctuation out (两手抓，两手都要硬): one more way to write it
            if key != form.strip() and kind == "variant" and entries[key][1] == formula:
                entries[key] = (f"(?:{entries[key][0]}|{_written_pattern(form.strip())})", *entries[key][1:])
            return
        entries[key] = (pattern or _form_pattern(key, flexible), formula, kind)
        if key != form.strip() and kind == "variant":
            entries[key] = (f"(?:{entries[key][0]}|{_written_pattern(form.strip())})", formula, kind)

    for row in lexicon.itertuples(index=False):
        flexible = len(row.formula) >= 4
        add(row.formula, row.formula, "canonical", flexible)
        for variant in row.variants:
            add(variant, row.formula, "variant", len(normalise_form(variant)) >= 4)
        for form in [row.formula, *row.variants]:
            traditional = _s2t().convert(normalise_form(form))
            add(traditional, row.formula, "variant", len(traditional) >= 4)
        members = row.members
        if len(members) >= 2 and all(len(m) <= 8 for m in members):
            firsts.append(normalise_form(members[0]))
            pattern = _MEMBER_JOIN.join(re.escape(m) for m in members)
            add("".join(members), row.formula, "expansion", False, pattern)
    ordered = sorted(entries.items(), key=lambda kv: (-len(kv[0]), kv[0]))
    pattern = re.compile("|".join(p for _, (p, _, _) in ordered))
    lookup = {key: (formula, kind) for key, (_, formula, kind) in ordered}
    return Matcher(pattern, lookup, tuple(sorted(set(lookup) | set(firsts))))


@lru_cache(maxsize=4)
def _default_matcher(signature: float) -> Matcher:
    return build_matcher(load_lexicon())


@lru_cache(maxsize=4)
def _first_years(signature: float) -> dict[str, int]:
    table = load_lexicon()
    known = table.dropna(subset=["first_year"])
    return dict(zip(known["formula"].tolist(), known["first_year"].astype(int).tolist()))


def first_years() -> dict[str, int]:
    """The year each formula of the default lexicon was first used, where the lexicon gives one
    (read once per version of the file, like :func:`matcher`)."""
    return _first_years(paths.data_file("formulas.csv").stat().st_mtime)


def matcher(lexicon: pd.DataFrame | None = None) -> Matcher:
    if lexicon is None:
        return _default_matcher(paths.data_file("formulas.csv").stat().st_mtime)
    return build_matcher(lexicon)


def find_mentions(text: str, lexicon: pd.DataFrame | None = None) -> list[tuple[int, int, str, str, str]]:
    """``(start, end, item, form, match)`` for every mention in ``text``, left to right.

    Every start position is tried (the longest form that matches there wins), then a match lying
    inside a longer one is dropped (:func:`zhengyan.core.counting.drop_nested`): 全面从严治党 is not also
    从严治党, while 精准脱贫攻坚战 is one 精准脱贫 and one 脱贫攻坚 (they overlap without nesting)."""
    m = matcher(lexicon)
    out = []
    match = m.pattern.match
    for start in m.starts(text):  # the offsets where a match can begin; the pattern decides
        hit = match(text, start)
        if hit is None:
            continue
        key = normalise_form(hit.group(0))
        item, kind = m.lookup.get(key, (None, None))
        if item is None:  # an expansion written with 和/及 between members
            key = re.sub(r"以及|和|及|与|[;；]", "", key)
            item, kind = m.lookup.get(key, (None, None))
        if item is not None and hit.end() > hit.start():
            out.append((hit.start(), hit.end(), item, hit.group(0), kind))
    if not out:
        return out
    keep = counting.drop_nested(np.array([o[0] for o in out]), np.array([o[1] for o in out]))
    return [o for o, k in zip(out, keep) if k]


def mentions(corpus: Corpus, lexicon: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every formula mention of the corpus, a mentions table (``zhengyan.core.counting.MENTION_COLUMNS``):
    ``doc_id, para_id, sent_id, start, end, item, form, match`` (``item``: the canonical formula;
    ``match``: canonical, variant or expansion)."""
    texts = corpus.documents["text"]
    found = pool.map_documents(find_mentions, pool.texts_of(texts, lambda i, text: (text, lexicon)),
                                   chars=int(texts.str.len().sum()))
    rows = [(doc_id, *f) for doc_id, each in zip(corpus.documents["doc_id"], found) for f in each]
    return counting.mentions_table(rows, corpus.sentences)


def formula_tokens(corpus: Corpus, found: pd.DataFrame | None = None) -> pd.DataFrame:
    """The corpus's tokens with every formula mention as one token: the tokens a mention overlaps
    (pieces 不忘/初心, or a longer token such as 中央八项规定) are replaced by one token whose ``term``
    is the canonical formula (``kind`` "word", not a stopword, not filler).

    Term tables computed from this table count each formula exactly as often as
    :func:`mentions` does (two formulas that overlap, 精准脱贫攻坚战, are both counted), so term and
    formula figures agree; the other tokens are unchanged. Linear: sorted searches on
    (document, offset) keys.
    """
    found = mentions(corpus) if found is None else found
    counting.check_mentions(found, "found")
    tokens = corpus.tokens
    if found.empty or tokens.empty:
        return tokens
    doc_codes, doc_names = counting._codes(tokens["doc_id"])
    doc_names = doc_names.astype(str)
    t_doc = doc_codes
    term_codes, term_names = counting._codes(tokens["term"])
    lengths = np.asarray(pd.Series(term_names.astype(str)).str.len(), dtype=np.int64)
    t_start = tokens["start"].to_numpy(dtype=np.int64)
    t_end = t_start + lengths[term_codes]
    shift = counting._SHIFT
    order = np.lexsort((t_start, t_doc))
    key_start = (t_doc[order] << shift) | t_start[order]
    key_end = (t_doc[order] << shift) | t_end[order]
    m_doc = doc_names.get_indexer(found["doc_id"].astype(str)).astype(np.int64)
    known = m_doc >= 0
    m = found[known]
    m_doc = m_doc[known]
    m_start = (m_doc << shift) | m["start"].to_numpy(dtype=np.int64)
    m_end = (m_doc << shift) | m["end"].to_numpy(dtype=np.int64)
    lo = np.searchsorted(key_end, m_start, side="right")  # first token ending after the mention starts
    hi = np.searchsorted(key_start, m_end, side="left")  # first token starting at or after its end
    diff = np.zeros(len(order) + 1, dtype=np.int64)
    np.add.at(diff, lo, 1)
    np.add.at(diff, hi, -1)
    covered = np.zeros(len(order), dtype=bool)
    covered[order] = np.cumsum(diff)[:-1] > 0
    anchor = order[np.clip(lo, 0, len(order) - 1)]
    position = tokens["position"].to_numpy()[anchor]
    added = pd.DataFrame({
        "doc_id": m["doc_id"].astype(str).to_numpy(), "para_id": m["para_id"].to_numpy(dtype=np.int32),
        "sent_id": m["sent_id"].to_numpy(dtype=np.int32), "position": position.astype(np.int32),
        "start": m["start"].to_numpy(dtype=np.int32), "term": m["item"].astype(str).to_numpy(),
        "kind": "word", "stop": False, "filler": False,
    })
    kept = tokens[~covered]
    added_doc = m_doc
    doc_all = np.r_[doc_codes[~covered], added_doc]
    start_all = np.r_[t_start[~covered], m["start"].to_numpy(dtype=np.int64)]
    terms = pd.api.types.union_categoricals(
        [pd.Categorical(kept["term"].astype(object)) if not isinstance(kept["term"].dtype, pd.CategoricalDtype)
         else kept["term"].cat.remove_unused_categories().array, pd.Categorical(added["term"])], ignore_order=True)
    out = pd.DataFrame({
        "doc_id": pd.Categorical.from_codes(doc_all, categories=list(doc_names)),
        "para_id": np.r_[kept["para_id"].to_numpy(), added["para_id"].to_numpy()].astype(np.int32),
        "sent_id": np.r_[kept["sent_id"].to_numpy(), added["sent_id"].to_numpy()].astype(np.int32),
        "position": np.r_[kept["position"].to_numpy(), added["position"].to_numpy()].astype(np.int32),
        "start": start_all.astype(np.int32), "term": terms,
        "kind": pd.Categorical(np.r_[kept["kind"].astype(object).to_numpy(), added["kind"].to_numpy()]),
        "stop": np.r_[kept["stop"].to_numpy(dtype=bool), np.zeros(len(added), dtype=bool)],
        "filler": np.r_[kept["filler"].to_numpy(dtype=bool), np.zeros(len(added), dtype=bool)],
    })
    out = out.iloc[np.lexsort((start_all, doc_all))].reset_index(drop=True)
    return out[list(tokens.columns)]


def covered_tokens(tokens: pd.DataFrame, found: pd.DataFrame) -> np.ndarray:
    """A mask of the rows of ``tokens`` that a formula mention of ``found`` overlaps (the pieces 不忘/初心 of
    不忘初心牢记使命, or a longer token such as 中央八项规定 holding 八项规定). Sorted searches on (document,
    offset) keys: linear, with a few arrays of the tokens' length alive at a time."""
    if found.empty or tokens.empty:
        return np.zeros(len(tokens), dtype=bool)
    doc_codes, doc_names = counting._codes(tokens["doc_id"])
    shift = counting._SHIFT
    key_start = doc_codes.astype(np.int64, copy=False) << shift
    del doc_codes
    key_start |= tokens["start"].to_numpy(dtype=np.int64)
    term_codes, term_names = counting._codes(tokens["term"])
    lengths = np.asarray(pd.Series(term_names.astype(str)).str.len(), dtype=np.int64)
    in_order = bool(np.all(key_start[1:] >= key_start[:-1]))  # a corpus's tokens come in (document, offset) order
    order = None if in_order else np.argsort(key_start, kind="stable")
    if order is not None:
        key_start, term_codes = key_start[order], term_codes[order]
    key_end = key_start + lengths[term_codes]  # the same document's key, the offset where the token ends
    del term_codes
    m_doc = doc_names.astype(str).get_indexer(found["doc_id"].astype(str)).astype(np.int64)
    known = m_doc >= 0
    m_start = (m_doc[known] << shift) | found["start"].to_numpy(dtype=np.int64)[known]
    m_end = (m_doc[known] << shift) | found["end"].to_numpy(dtype=np.int64)[known]
    lo = np.searchsorted(key_end, m_start, side="right")  # first token ending after the mention starts
    del key_end
    hi = np.searchsorted(key_start, m_end, side="left")  # first token starting at or after its end
    n = len(key_start)
    del key_start
    depth = np.zeros(n + 1, dtype=np.int32)  # +1 where a mention's tokens begin, −1 after they end
    np.add.at(depth, lo, 1)
    np.add.at(depth, hi, -1)
    covered = np.cumsum(depth[:-1], dtype=np.int32) > 0
    if order is None:
        return covered
    out = np.zeros(n, dtype=bool)
    out[order] = covered
    return out


def formula_terms(tokens: pd.DataFrame, found: pd.DataFrame, *, filler: bool = True) -> pd.DataFrame:
    """``doc_id, term`` of every term, each formula mention counted as one term: the content terms of the tokens
    no mention overlaps, then one row per mention (``term`` = the canonical formula). Term tables built on it
    (:func:`zhengyan.analyses.frequency.document_terms`, ``corpus_counts``, ``keyness_each`` …) count every formula
    exactly as often as :func:`mentions` does — the same counts as :func:`formula_tokens`, without a new token table."""
    from zhengyan.ingest.corpus import content_terms

    keep = ~covered_tokens(tokens, found)
    terms = content_terms(tokens, filler=filler, columns=["doc_id", "term"], where=keep)
    if found.empty:
        return terms
    columns = {}
    for column, added in (("doc_id", found["doc_id"]), ("term", found["item"])):
        old = pd.Categorical(terms[column])  # the tokens' categories, extended by what the mentions add
        names = pd.Index(added.astype(str).unique())
        categories = old.categories.append(names[old.categories.get_indexer(names) < 0])
        codes = np.concatenate([old.codes, categories.get_indexer(added.astype(str))]).astype(np.int32)
        columns[column] = pd.Categorical.from_codes(codes, categories=categories, validate=False)
    return pd.DataFrame(columns, copy=False)


def formula_counts(found: pd.DataFrame, documents: pd.DataFrame | None = None, *, by: str = "doc_id",
                   lexicon: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mentions counted by ``by``: ``<by>, item, n, docfreq`` (+ ``n_docs, per_10k, per_1k_tokens`` with
    ``documents``, by :func:`zhengyan.core.counting.count_by`) and ``category`` from the lexicon."""
    counting.check_mentions(found, "found")
    counts = counting.count_by(found, documents, by=by)
    lexicon = load_lexicon() if lexicon is None else lexicon
    counts["category"] = counts["item"].map(lexicon.set_index("formula")["category"])
    return counts.sort_values([by, "n", "item"], ascending=[True, False, True]).reset_index(drop=True)


# --------------------------------------------------------------------------- discovery
_NUM = "一二三四五六七八九十两双百千万"
#: Repeated numbered units: 三会一课, 一岗双责, 三严三实, 一征三议两公开, 两城两谷两带, 一村一品.
_UNITS = re.compile(rf"(?:[{_NUM}][\u4e00-\u9fff]{{1,2}}?){{2,4}}")
#: A number, optionally 个/大/项/条/种, then one to four characters: 四个意识, 八大优势, 四强, 一肩挑.
_COUNTED = re.compile(rf"[{_NUM}]{{1,2}}(?:个|大|项|条|种|张|型)?[\u4e00-\u9fff]{{1,4}}")
_QUOTED = re.compile(r"“([^“”\n。！？；]{2,14})”")
#: An opening quote before a number: where no closing quote follows, the quoted formula is the
#: shortest numbered abbreviation that ends on a word boundary (“三清工作 → 三清, “四谈心活动 → 四谈心).
_OPEN_QUOTE = re.compile(rf"“(?=[{_NUM}])")
#: Generic heads that jieba glues to the word before them (谈心活动): a boundary before them counts.
_HEADS = frozenset("活动 工作 制度 工程 行动 机制 建设 模式 标准 要求 进展 评比".split())
#: Not formulas: enumerations, congress ordinals, quantities and time spans, ordinary words.
_NOT_FORMULA = re.compile(
    rf"""^(?:
      [{_NUM}]+[是要则来]             # 一是, 二要 (enumerations)
    | [{_NUM}]+[届次中全]              # 十九届…, 四中全会 (congress ordinals)
    | [{_NUM}]{{2}}大                    # 十九大, 十八大以来, 二十大和二十届… (two-numeral congress ordinals)
    | [{_NUM}]大(?:$|[{_NUM}]|和|以来|精神|报告|代表|召开|开幕|闭幕|胜利|前|后|上|期间|会议|党章|主席团|文件)
                                      # 八大, 八大二次会议 (but 三大攻坚战, 四大发明 are formulas)
    | 一大                            # 一大亮点, 一大批 (a big …)
    | [{_NUM}]个?[省市县军]$            # 两省, 三市, 两军 (counted places and armies)
    | [{_NUM}]论                       # 二论学习… (the second of a series of editorials)
    | [{_NUM}]+级(?:应急|响应|预警|警报|医院)  # 四级应急响应 (alert levels)
    | (?:五一|六一|七一|八一|五四|三八|七七|九一八|一二九|双十一|双十二|十一(?!五)|两节$)
                                      # calendar days and their holidays, medals (五一劳动节, 七一勋章, 两节: 元旦春节)
    | 一(?:书|支|处|句|代|对|站|方|心|半|战|股|段|揽子|共)|二战   # 一书, 一支, 一处, 一代又一代; the world wars
    | 第.*
    | [{_NUM}]+(?:个|项|条|种)?(?:方面|问题|阶段|环节|部分|时期|方向|层次|领域|地方|单位|步|批|些|起|切|定|直|般|致|样|道|同|线|点|份)
    | [{_NUM}]+(?:[年月日天周季度次名位人户元亿万千百倍成]|季度|小时|年度|月份|周年).*
    | 一(?:把手|线|流|体|带|系列|并|律|再|贯|度|旦|向|味|手|头|级|体化|些|直|定|样|致|起|切|般|道|同|批|步|部分)
    | 万[一众]|千万|百姓|三峡|九州|十分|两岸|双方|双向|双重|双边|两国|两党|百花|千方|万事|十足|一一
    )""",
    re.X,
)


#: A number followed by a measure word or a unit is a quantity (三万吨, 百分之二十, 二十多项), not a formula.
_QUANTITY = re.compile(
    rf"^(?:百分之|[{_NUM}零〇]+(?:多|余)?个?(?:多|余)?(?:半|小时|星期|礼拜|工作日|枚|方|部门|部委|孩子|吨|公里|公斤|千克|千瓦|米|平方米|立方米|亩|公顷|套|件|台|辆|户|人|名|元|美元"
    rf"|倍|座|所|家|头|只|株|张|册|本|篇|场|期|批|次|天|岁|多|余|成|分之|世纪|周年|年|月|日|号))"
)
_ONLY_NUMERALS = re.compile(rf"^[{_NUM}零〇]+(?:个|项|条|种|张|位|大)?$")
#: Function characters a formula neither ends with nor holds: 五项原则的 → 五项原则; 一个新的水平 is none.
_FUNCTION_END = "的地得之和与及等是在了"
#: 一个/一项/一种/一条 + word, unquoted, is the indefinite article (一个新的, 一项长期), not a formula.
_ARTICLE = re.compile(r"^一[个项种条]")


#: Quoted numbered phrases that are no formula of any kind (“五一”, “十九大”, “七一”勋章); other quoted phrases
#: that fail :func:`_is_candidate` (“三百工程”, “八张名片”: the quantity rules are for unquoted text) stay as quoted.
_NUMBERED_NOT_FORMULA = re.compile(
    rf"^(?:五一|六一|七一|八一|五四|三八|七七|九一八|一二九|双十一|双十二|十一(?!五)|两节$|[{_NUM}]{{2}}大|[{_NUM}]+(?:届|中全会|次全会|次会议)|[{_NUM}]大$)")
#: Characters either side of a quoted phrase looked at for foreign names and China's own actors.
_WINDOW = 30
#: China's own actors: a quoted phrase used near them is China's word, whatever country is named beside it.
_CHINA = re.compile("中国|我国|中方|中共|党中央|国务院|习近平|全国|两岸|香港|澳门|中[日美俄欧非英法德韩朝印巴拉阿东]")
#: Locative and time words jieba leaves glued to a formula: 两会上, 两会期间 are 两会.
#: And generic heads: 十三五规划 is 十三五 (the head 规划 adds no formula).
_INFLECTIONS = ("期间", "以来", "之际", "前夕", "当天", "之前", "之后", "时节", "时期", "规划", "精神",
                "上", "中", "里", "时", "前", "后")
#: A counted item: a number, then 个/大/项/条/种 (四个意识, 三大攻坚战).
_COUNTED_FORM = re.compile(rf"^[{_NUM}]{{1,2}}(?:个|大|项|条|种)")
#: What follows the closing quote of a title or a name: “时代楷模”称号, “雪龙”号, “中国这十年”系列报道.
_TITLE_HEAD = re.compile(r"称号|荣誉称号|号(?!召)|船|舰|系列|专栏|栏目|节目")
#: Quoted phrases that name a thing or hold a title, not a formula: …的…, …号, …勋章.
_NAMED_THING = re.compile(r"的|(?:号|勋章|奖章|称号|奖)$")
#: Part-of-speech tags of names (person, place, organisation, other proper noun) in jieba's tagger.
_NAME_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt", "nz"})
#: How many ranked candidates of each kind the tagger looks at (the tagger is slow; the rest rank too low to matter).
_TAGGED = 400
#: An ordinary word (in jieba's general dictionary, four characters at most: longer entries there are set names
#: such as 文化大革命) is a formula only when at least this share of its uses are quoted.
_MIN_QUOTED_SHARE = 0.5


@lru_cache(maxsize=1)
def _stoplist() -> frozenset[str]:
    """``analysis/data/discovery_stoplist.txt``: forms discovery never proposes (idioms, a few names)."""
    lines = paths.data_file("discovery_stoplist.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in (line.split("#", 1)[0].strip() for line in lines) if w)


@lru_cache(maxsize=1)
def _foreign_markers() -> re.Pattern:
    """``analysis/data/foreign_markers.txt`` as one pattern: names of foreign countries, blocs and places."""
    lines = paths.data_file("foreign_markers.txt").read_text(encoding="utf-8").splitlines()
    names = sorted({w for w in (line.split("#", 1)[0].strip() for line in lines) if w}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


def _is_candidate(text: str, quoted: bool = False) -> bool:
    """A possible numbered formula: starts with a number, is not an enumeration, ordinal or quantity,
    and (unless quoted, like “七五” or “十一五”) holds more than numerals."""
    return (len(text) >= 2 and any(ch in _NUM for ch in text[:2]) and not _NOT_FORMULA.match(text)
            and not _QUANTITY.match(text) and (quoted or not _ONLY_NUMERALS.match(text))
            and (quoted or (text[-1] not in _FUNCTION_END and "的" not in text and not _ARTICLE.match(text))))


def _boundaries(tokens: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Token starts and ends of each document (word tokens), to keep candidates on word boundaries."""
    doc = tokens["doc_id"]
    doc = doc if isinstance(doc.dtype, pd.CategoricalDtype) else doc.astype(str).astype("category")
    codes = doc.cat.codes.to_numpy()
    term = tokens["term"]
    term = term if isinstance(term.dtype, pd.CategoricalDtype) else term.astype(str).astype("category")
    lengths = np.asarray(pd.Series(term.cat.categories.astype(str)).str.len(), dtype=np.int32)
    starts = tokens["start"].to_numpy(dtype=np.int32)  # offsets in one text
    ends = starts + lengths[term.cat.codes.to_numpy()]
    if len(codes) > 1 and not (codes[1:] >= codes[:-1]).all():  # a corpus's tokens come in document order
        order = np.argsort(codes, kind="stable")
        codes, starts, ends = codes[order], starts[order], ends[order]
    cuts = np.searchsorted(codes, np.arange(len(doc.cat.categories) + 1)).tolist()
    names = doc.cat.categories.astype(str).tolist()
    return {name: (starts[a:b], ends[a:b]) for name, a, b in zip(names, cuts[:-1], cuts[1:]) if b > a}


def _mask(positions: np.ndarray, size: int) -> bytes:
    """``size`` bytes, 1 at each of ``positions``: a membership test as fast as a set's, built without one."""
    mask = np.zeros(size, dtype=np.uint8)
    mask[positions[(positions >= 0) & (positions < size)]] = 1
    return mask.tobytes()


def _doc_candidates(doc_id: str, text: str, token_starts: np.ndarray, token_ends: np.ndarray) -> list[tuple]:
    """``(doc_id, formula, kind, quoted, start, end, foreign, china, titled)`` of every candidate in one document
    (see :func:`discover`); ``foreign``/``china``: the candidate has a foreign name / one of China's own actors
    within :data:`_WINDOW` characters; ``titled``: a quoted one is followed by a title's or a name's head (称号, 号)."""
    rows = []
    starts, ends = _mask(token_starts, len(text) + 3), _mask(token_ends, len(text) + 3)
    quoted_spans = [(m.start(1), m.end(1), m.group(1)) for m in _QUOTED.finditer(text)]
    foreign, china = _foreign_markers(), _CHINA

    def context(start: int, end: int, closed: bool = False) -> tuple[bool, bool, bool]:
        """Foreign name near, China's own actor near, and (after a closing quote) a title's or a name's head."""
        window = text[max(0, start - _WINDOW):end + _WINDOW]
        return (bool(foreign.search(window)), bool(china.search(window)),
                closed and _TITLE_HEAD.match(text, end + 1) is not None)

    for start, end, inner in quoted_spans:
        phrase = inner.strip()
        if _is_candidate(normalise_form(phrase), quoted=True) and len(normalise_form(phrase)) <= 8:
            rows.append((doc_id, normalise_form(phrase), "numbered", True, start, end, *context(start, end, True)))
        elif 2 <= len(phrase) <= 10 and not _NUMBERED_NOT_FORMULA.match(phrase) and not re.search(r"[，。：\d]", phrase):
            rows.append((doc_id, phrase, "quoted", True, start, end, *context(start, end, True)))
    closed = {start - 1 for start, _, _ in quoted_spans}
    for m in _OPEN_QUOTE.finditer(text):  # “三清工作 … : an opening quote never closed
        begin = m.start() + 1
        if m.start() in closed or not starts[begin]:
            continue
        for stop in range(begin + 2, min(begin + 7, len(text)) + 1):  # the shortest on a word boundary
            candidate = text[begin:stop]
            on_boundary = ends[stop] or (text[stop:stop + 2] in _HEADS and ends[stop + 2])
            if on_boundary and _is_candidate(candidate) and not _ONLY_NUMERALS.match(candidate):
                rows.append((doc_id, candidate, "numbered", True, begin, stop, *context(begin, stop)))
                break
    inside_quotes = np.zeros(len(text) + 1, dtype=bool)
    for start, end, _ in quoted_spans:
        inside_quotes[start:end] = True
    for regex in (_UNITS, _COUNTED):
        for m in regex.finditer(text):
            before = text[m.start() - 1] if m.start() else ""
            if not starts[m.start()] or inside_quotes[m.start()] or before.isdigit() or before in _NUM:
                continue  # inside a word, inside quotes (handled above), or the tail of a quantity
            for stop in range(m.end(), m.start() + 1, -1):  # the longest end on a word boundary
                candidate = text[m.start():stop]
                if ends[stop] and _is_candidate(candidate):
                    if regex is not _UNITS or sum(ch in _NUM for ch in candidate) >= 2:
                        rows.append((doc_id, candidate, "numbered", False, m.start(), stop, *context(m.start(), stop)))
                    break
    return rows


def discover(corpus: Corpus, lexicon: pd.DataFrame | None = None, *, min_count: int = 1) -> pd.DataFrame:
    """Formulas no lexicon lists: numbered abbreviations (数字缩略语) and quoted catch-phrases.

    Columns: ``formula, kind`` (numbered or quoted), ``score``, ``n``, ``n_docs``, ``n_quoted``
    (times inside “…”), ``in_lexicon``, ``doc_ids``, ``example`` (one context line). Ranked by
    ``score`` = 2·n_docs + n + 2 if numbered + 1 if four characters or more.

    Precision rules: an unquoted numbered candidate must begin and end on word boundaries of the
    segmentation (so 统一战线 yields no 一战线), recur (n ≥ 2), not end in or hold 的, not follow a
    number (…万农村人口) and not be an article phrase (一个新的); enumerations (一是, 二要), congress
    ordinals (十九大, 十八大以来 — but 三大攻坚战 is a formula), ordinals (第三), calendar days and their
    holidays (五一, 七一勋章), quantities and spans of time (一批, 三季度, 两个月, 一半以上, 百分之二十,
    三万吨) and bare numerals (一九五八) are excluded; quoted phrases are at most ten characters with
    no sentence punctuation or digits inside, and are no calendar day or congress ordinal (“五一”,
    “十九大”). Then, for candidates the lexicon does not list:

    - the stop list ``analysis/data/discovery_stoplist.txt`` (idioms news quotes: 一站式, 一刀切; a few names);
    - an ordinary word of jieba's general dictionary of up to four characters (稳定, 短板, 一如既往) is
      kept only when at least half of its uses (its tokens) are quoted — one quoted use does not make a
      word a formula;
    - a piece of a listed formula (一国, 两制 of 一国两制) and a listed formula or another numbered
      candidate with a locative, a time word or a generic head glued on (两会上, 两会期间, 十三五规划)
      are dropped;
    - a numbered candidate never quoted must look like a formula: a counted item (四个政治文件,
      四大伙伴关系) or repeated numbered units (一二三产业), not a phrase (一架波音, 千里之外);
    - a candidate mostly used within 30 characters of a foreign name (``foreign_markers.txt``) and
      seldom (under a third of its uses) near China's own actors is a foreign event or object (脱欧,
      北溪, 萨德), dropped;
    - a quoted phrase followed in 40% of its uses or more by 称号, 号, 船, 系列 … is a title or a name
      (“时代楷模”称号, “雪龙”号, “中国这十年”系列报道);
    - among the top-ranked numbered candidates, a name by jieba's part-of-speech tagger, read in
      the example's context: the word holding the leading numeral is a person's, place's or
      organisation's name (四川成都, 万钢, 二十国集团).
    """
    columns = ["formula", "kind", "score", "n", "n_docs", "n_quoted", "in_lexicon", "doc_ids", "example"]
    lexicon = load_lexicon() if lexicon is None else lexicon
    known = set(lexicon["formula"]) | {normalise_form(v) for vs in lexicon["variants"] for v in vs}
    bounds = _boundaries(corpus.tokens)
    none = np.zeros(0, dtype=np.int64)
    doc_ids, texts = corpus.documents["doc_id"].astype(str).tolist(), corpus.documents["text"].astype(str)
    args = pool.texts_of(texts, lambda i, text: (doc_ids[i], text, *bounds.get(doc_ids[i], (none, none))))
    found = pool.map_documents(_doc_candidates, args, chars=int(texts.str.len().sum()))
    del args, bounds
    rows = [row for each in found for row in each]
    del found
    found = pd.DataFrame(rows, columns=["doc_id", "formula", "kind", "quoted", "start", "end", "foreign", "china",
                                        "titled"])
    if found.empty:
        return pd.DataFrame(columns=columns)
    found = found.drop_duplicates(["doc_id", "start", "formula"])
    table = found.groupby("formula").agg(
        kind=("kind", "first"), n=("doc_id", "size"), n_docs=("doc_id", "nunique"), n_quoted=("quoted", "sum"),
        foreign=("foreign", "mean"), china=("china", "mean"), titled=("titled", "mean"),
    )
    table = table[(table["n"] >= min_count) & ((table["n_quoted"] > 0) | (table["n"] >= 2))]
    table["in_lexicon"] = table.index.map(
        lambda f: normalise_form(f) in known or all(part in known for part in re.split(r"[、，,\s]", f) if part)
    ).astype(bool)
    term = corpus.tokens["term"]
    terms = term.value_counts() if isinstance(term.dtype, pd.CategoricalDtype) else term.astype(str).value_counts()
    terms.index = terms.index.astype(str)
    table = table[~_not_formulas(table, known, terms)]
    if table.empty:
        return pd.DataFrame(columns=columns)
    found = found[counting.is_in(found["formula"], table.index)]
    position = {doc: i for i, doc in enumerate(doc_ids)}
    docs_of: dict[str, set] = {}
    for formula, doc in zip(found["formula"].tolist(), found["doc_id"].tolist()):  # no pandas group per formula
        docs_of.setdefault(formula, set()).add(doc)
    table["doc_ids"] = [" ".join(sorted(docs_of[f])) for f in table.index.tolist()]
    first = found.groupby("formula").first().reindex(table.index)
    # each text made a Python string once (not once per candidate it shows), one text held at a time
    where = list(zip(first["doc_id"].tolist(), first["start"].tolist(), first["end"].tolist()))
    examples: list[str] = [""] * len(where)
    current, text = None, ""
    for k in sorted(range(len(where)), key=lambda k: position[where[k][0]]):
        doc, start, end = where[k]
        if doc != current:
            current, text = doc, texts.iloc[position[doc]]
        examples[k] = text[max(0, start - 15): end + 15].replace("\n", " ")
    table["example"] = examples
    del text
    table = table.reset_index()
    table["score"] = (2 * table["n_docs"] + table["n"] + 2 * (table["kind"] == "numbered")
                      + (table["formula"].str.len() >= 4))
    table = table.sort_values(["score", "n_docs", "n", "formula"], ascending=[False, False, False, True])
    table = table[~_names(table)]
    return table[columns].reset_index(drop=True)


def _not_formulas(table: pd.DataFrame, known: set[str], terms: pd.Series) -> pd.Series:
    """True for the candidates of ``table`` (indexed by formula) the lexicon does not list and that are no
    formula: stop list, ordinary words seldom quoted, pieces and inflected forms of a listed formula or of
    another numbered candidate, unquoted phrases without a formula's shape, foreign events, quoted titles and
    names (see :func:`discover`). ``terms``: tokens counted by term.

    An ordinary word's uses are its tokens: 十五 of 十五年 or 第十五 is no use of the form “十五”."""
    forms = table.index.to_series()
    new = ~table["in_lexicon"]
    drop = new & forms.isin(_stoplist())
    general = segment.general_words()
    ordinary = new & ~drop & forms.map(lambda f: len(f) <= 4 and f in general).astype(bool)
    if ordinary.any():  # how often each ordinary word is used as a word (a token), quoted or not
        uses = terms.reindex(forms.index, fill_value=0)
        share = table["n_quoted"] / np.maximum(uses, table["n"]).clip(lower=1)
        drop |= ordinary & (share < _MIN_QUOTED_SHARE)
    pieces = {k[i:j] for k in known for i in range(len(k)) for j in range(i + 2, len(k) + 1)} - known
    drop |= new & forms.isin(pieces)
    stems = known | set(forms[table["kind"] == "numbered"])  # 两会 + 上; not 上海 + 精神
    drop |= new & forms.map(lambda f: any(f.endswith(w) and len(f) - len(w) >= 2 and f[:-len(w)] in stems
                                          for w in _INFLECTIONS)).astype(bool)
    # a numbered abbreviation never written in quotes must look like one: a counted item (四个政治文件, 四大伙伴关系)
    # or repeated numbered units (一二三产业, 两不愁三保障); else it is a phrase (一架波音, 千里之外, 一路走来)
    never_quoted = new & (table["kind"] == "numbered") & (table["n_quoted"] == 0)
    drop |= never_quoted & ~forms.map(lambda f: bool(_COUNTED_FORM.match(f)) or sum(ch in _NUM for ch in f) >= 2)
    quoted = new & (table["kind"] == "quoted")
    drop |= new & (table["foreign"] >= 0.5) & (table["china"] < 1 / 3)
    # “时代楷模”称号, “雪龙”号, “中国这十年”系列: a title, a ship's or a series' name, when that is how it is mostly used
    drop |= quoted & (table["titled"] >= 0.4)
    # a quoted phrase holding 的 is a title or a description (a series of reports), not a formula; one ending in
    # 号 or 勋章 is the name of a machine, a ship or an honour (华龙一号, 复兴号, 共和国勋章)
    drop |= quoted & forms.str.contains(_NAMED_THING)
    return drop


def _names(table: pd.DataFrame) -> np.ndarray:
    """True for the top :data:`_TAGGED` numbered candidates not in the lexicon whose leading numeral sits in a
    name, by jieba's part-of-speech tagger on the example's context: a person (万钢), a place (四川成都) or an
    organisation (二十国集团). A name the general dictionary knows counts only when it is common there (its
    frequency at least 100: 三区 of 三区三州 is a rare place name), and repeated numbered units are never a
    name (两城 of 两城两谷两带 is a common one)."""
    out = np.zeros(len(table), dtype=bool)
    todo = np.flatnonzero(((table["kind"] == "numbered") & ~table["in_lexicon"]).to_numpy())[:_TAGGED]
    if not len(todo):
        return out
    freq = segment.general_frequencies()
    for k in todo:
        formula, example = table["formula"].iloc[k], table["example"].iloc[k]
        at = example.find(formula)
        if at < 0:
            continue
        offset, first, last = 0, None, None
        for word, tag in segment.pos_tags(example):
            if offset <= at < offset + len(word):
                first = (word, tag)
            if offset < at + len(formula) <= offset + len(word):
                last = (word, tag)
            offset += len(word)
        repeated = len(re.findall(f"[{_NUM}]+", formula)) >= 2  # 两城两谷两带: numbered units, whatever 两城 is
        if first and not repeated and len(first[0]) >= 2 and first[1] in _NAME_TAGS and freq.get(first[0], 100) >= 100:
            out[k] = True
        elif last and last[1] == "nt":
            out[k] = True
    return out


def discovered_by_document(corpus: Corpus, lexicon: pd.DataFrame | None = None, *,
                           found: pd.DataFrame | None = None, min_docs: int = 1,
                           candidates: pd.DataFrame | None = None) -> pd.DataFrame:
    """``doc_id, formula, n, source`` for lexicon slogans (source "lexicon") and discovered candidates
    not in the lexicon (source "discovered"). ``found``: the corpus's mentions, if already computed;
    ``candidates``: the table of :func:`discover`, if already computed.

    ``min_docs``: count only the candidates found in that many documents or more (the export uses
    2: on a large corpus thousands of phrases quoted once in one text would otherwise be counted in
    every text that uses the words). Candidates are counted in one Aho–Corasick pass over the texts
    (a candidate inside a longer candidate is not counted again), not candidate by candidate."""
    if isinstance(min_docs, bool) or not isinstance(min_docs, int) or min_docs < 1:
        raise ValueError(f"min_docs must be a whole number of documents, 1 or more; got {min_docs!r}")
    lexicon = load_lexicon() if lexicon is None else lexicon
    found = mentions(corpus, lexicon) if found is None else found
    known = formula_counts(found, lexicon=lexicon)[["doc_id", "item", "n"]]
    known = known.rename(columns={"item": "formula"}).assign(source="lexicon")
    candidates = discover(corpus, lexicon) if candidates is None else candidates
    chosen = ~candidates["in_lexicon"].astype(bool) & (candidates["n_docs"] >= min_docs)
    candidates = candidates.loc[chosen, "formula"].tolist()
    hits = counting.find_terms(corpus.documents["text"], corpus.documents["doc_id"], candidates) if candidates else []
    hits = pd.DataFrame(hits, columns=["doc_id", "start", "end", "formula"]).assign(source="discovered")
    hits["doc_id"] = hits["doc_id"].astype(str)
    columns = ["doc_id", "formula", "n", "source"]
    found = hits.groupby(["doc_id", "formula", "source"]).size().rename("n").reset_index()[columns] if len(hits) \
        else pd.DataFrame({c: pd.Series(dtype=np.int64 if c == "n" else object) for c in columns})
    out = pd.concat([known[columns], found], ignore_index=True) if len(known) else found
    return out.sort_values(["doc_id", "source", "n", "formula"], ascending=[True, False, False, True]).reset_index(drop=True)
