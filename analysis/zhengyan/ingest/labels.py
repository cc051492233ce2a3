"""One short, unique, human label per document, made once with the documents table."""
from __future__ import annotations

import re

import pandas as pd

from zhengyan.core import checks

#: Longest label, in characters, before the disambiguating suffix.
MAX_CHARS = 16
#: Official prefixes that every title of a series repeats and that a label does not need.
BOILERPLATE = ("中华人民共和国", "中国共产党", "国务院", "全国人民代表大会")
#: A short name in brackets at the end of a title: "(十四大)", "（摘要）".
_TAIL_NAME = re.compile(r"[（(]([^（）()]{1,8})[)）]\s*$")
#: Bracketed words that qualify a title rather than name it.
QUALIFIERS = ("摘要", "节选", "草案", "全文", "修订")
#: A bracketed count at the end of a title ("（20条）", "(3篇)"): how many items, not a name.
_COUNT = re.compile(r"^\d+\s*[条篇则项个期]$")
#: A date written in a title ("2012-07-03", "2012年7月3日"): the label carries the date on its own.
_DATE_IN_TITLE = re.compile(r"(?:19|20)\d{2}(?:-\d{1,2}-\d{1,2}|年\d{1,2}月\d{1,2}日)")
_YEAR_PREFIX = re.compile(r"^\s*(?:19|20)\d{2}\s*年(?:度)?")
_BRACKETS = re.compile(r"[（(][^（）()]*[)）]")
#: Administrative units, most general first: a place is named by its most specific one.
_UNIT = re.compile(r"[^省市县区州盟旗]+?(?:自治区|自治州|省|市|县|区|州|盟|旗)")
_UNKNOWN_PLACE = ("未载", "不详", "未知", "无")


def _year(value) -> str:
    if value is None or pd.isna(value):
        return ""
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return str(value).strip()


def place_name(place) -> str:
    """The most specific unit of a place ("湖北省咸宁市（据…推断）" → "咸宁"), or "" when none is given."""
    if place is None or pd.isna(place):
        return ""
    text = _BRACKETS.sub("", str(place)).strip()
    if not text or text.startswith(_UNKNOWN_PLACE):
        return ""
    units = _UNIT.findall(text)
    if not units:
        return text[:6]
    last = units[-1]
    if last.startswith("某"):  # "山东省某市": keep the province, which is all that is known
        province = units[-2] if len(units) > 1 else ""
        return re.sub(r"(省|自治区)$", "", province) + last
    core = re.sub(r"(自治区|自治州|省|市|县|区|州|盟|旗)$", "", last)
    return core if len(core) >= 2 else last


def title_core(title, year: str = "") -> str:
    """The distinctive part of a title: a short bracketed name at its end ("十四大"), else the title
    without its leading year, official prefixes and the "在…上的讲话" frame, cut to fit a label."""
    if title is None or pd.isna(title):
        return ""
    text = str(title).strip()
    tail = _TAIL_NAME.search(text)
    if tail and (tail.group(1).strip() in QUALIFIERS or _COUNT.match(tail.group(1).strip())):
        text = text[: tail.start()].strip()
    elif tail and not tail.group(1).isdigit():
        return tail.group(1).strip()
    text = _DATE_IN_TITLE.sub("", text).strip()
    text = _YEAR_PREFIX.sub("", text)
    if year:
        text = text.replace(f"{year}年", "")
    for prefix in BOILERPLATE:
        text = text.replace(prefix, "")
    text = re.sub(r"^[:：、\s]+", "", text)
    framed = re.match(r"^在(.+?)上的(?:政治|工作)?(?:讲话|报告|发言|致辞)", text)
    if framed:
        text = framed.group(1)
    text = re.sub(r"^第([一二三四五六七八九十]+)次全国代表大会$", r"\1大", text)  # the usual short name: 九大
    text = re.split(r"[——:：]{1,2}", text)[0] if re.search(r"[——:：]", text[2:]) else text
    text = text.strip(" “”\"'《》")
    return text


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def document_labels(documents: pd.DataFrame) -> pd.Series:
    """A label for each row of ``documents`` (aligned with its index): "1992 十四大", "2020 咸宁",
    "1954 政府工作报告" — the year, then the place where metadata gives one, else the distinctive
    part of the title, else the file name. Labels that would repeat take the metadata's date in place
    of the year ("2012-07-03 新闻联播"), then the next distinguishing piece (title, then file name); the
    result is unique."""
    if "doc_id" not in documents.columns:
        raise ValueError(f"document_labels needs a doc_id column (have {list(documents.columns)})")
    rows = []
    wanted = [c for c in ("doc_id", "year", "date", "place", "title") if c in documents.columns]
    for row in documents[wanted].to_dict("records"):  # the columns read here, not every row whole (its text)
        doc_id = str(row["doc_id"])
        year = _year(row.get("year"))
        place = place_name(row.get("place"))
        core = title_core(row.get("title"), year)
        first = place or _cut(core, MAX_CHARS - len(year) - 1) or _cut(doc_id, MAX_CHARS - len(year) - 1)
        date = row.get("date")
        date = "" if date is None or pd.isna(date) else str(date).strip()
        rows.append({"doc_id": doc_id, "year": year, "date": date, "first": first, "core": core})
    labels = [" ".join(p for p in (r["year"], r["first"]) if p) for r in rows]
    # a series of one kind (daily news) repeats its year and title: the date tells its documents apart
    counts = pd.Series(labels).value_counts()
    labels = [f"{r['date']} {r['first']}".strip() if counts[label] > 1 and r["date"] else label
              for label, r in zip(labels, rows)]
    labels = _disambiguate(labels, [_cut(r["core"], 10) if r["core"] != r["first"] else "" for r in rows])
    labels = _disambiguate(labels, [_short_id(r["doc_id"]) for r in rows])
    seen: dict[str, int] = {}
    unique = []
    for label in labels:  # last resort: number what is still repeated
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return pd.Series(unique, index=documents.index, name="label", dtype=object)


def _short_id(doc_id: str) -> str:
    """A file name without the hash a downloader appended ("004_5f25a901ff5ac284" → "004")."""
    return re.sub(r"[_-][0-9a-f]{8,}$", "", doc_id)


def _disambiguate(labels: list[str], extra: list[str]) -> list[str]:
    counts = pd.Series(labels).value_counts()
    out = []
    for label, more in zip(labels, extra):
        if counts[label] > 1 and more and more not in label:
            out.append(f"{label} {more}")
        else:
            out.append(label)
    return out


class NoSuchDocument(KeyError, ValueError):
    """A key that names no document, or more than one (a KeyError and a ValueError, so either catches it)."""

    def __str__(self) -> str:  # a KeyError would print its message quoted
        return str(self.args[0]) if self.args else ""


def lookup(documents: pd.DataFrame, key: str) -> str:
    """The ``doc_id`` that ``key`` names: a doc_id, a label, or an unambiguous prefix of either
    ("004" for "004_5f25a901ff5ac284", "1992 十四" for "1992 十四大"), or a part of one label.

    Fails with :class:`NoSuchDocument` (a ``KeyError`` and a ``ValueError``) listing the candidates when the key is ambiguous, and the closest
    labels and ids when nothing matches."""
    key = str(key).strip()
    if not key:
        raise NoSuchDocument("an empty key names no document")
    ids = documents["doc_id"].astype(str).tolist()
    names = (documents["label"] if "label" in documents.columns else document_labels(documents)).astype(str).tolist()
    for pool in (ids, names):
        if key in pool:
            return ids[pool.index(key)]
    for test in (lambda s: s.startswith(key), lambda s: key in s):
        hits = sorted({i for i, (d, n) in enumerate(zip(ids, names)) if test(d) or test(n)})
        if len(hits) == 1:
            return ids[hits[0]]
        if hits:
            listed = ", ".join(f"{names[i]} ({ids[i]})" for i in hits[:10])
            more = f" and {len(hits) - 10} more" if len(hits) > 10 else ""
            raise NoSuchDocument(f"{key!r} matches {len(hits)} documents: {listed}{more}; give more of the label or id")
    close = checks.closest(key, names + ids, n=5)
    hint = f"; closest: {', '.join(close)}" if close else f"; labels look like: {', '.join(names[:3])}"
    raise NoSuchDocument(f"no document is named {key!r} (by doc_id, label or prefix){hint}")
