"""Interactive views that need no kernel: one explorer linking a trend to its concordance, reader
and company; a sortable KWIC with reading views; a formula's company.

Each view is one HTML block whose data and controls live in the page (Vega-Lite parameters, a
little script of its own, DataTables), so it works the same live in JupyterLab and in the shared
HTML with no kernel and no network. Each view also carries the CJK font cut to its own characters,
so Chinese draws in JupyterLab on a machine with no CJK font (the rendered page drops that copy:
the page's own font covers it). Call :func:`setup` once per notebook: it embeds the Vega libraries.

What a view embeds is bounded whatever the corpus size, and the view says so: the most mentioned
formulas and most frequent terms, a few sentences per term and year, a capped total. What needs the
kernel is only what is not in the page: call the view again with ``terms=[…]``.
"""
from __future__ import annotations

import html
import json
import re
from functools import lru_cache

import pandas as pd

from zhengyan.present import display
from zhengyan.core.checks import unknown

#: Event fired when the Vega libraries embedded by :func:`setup` are ready.
READY = "analysis-vega-ready"
#: Contexts shown in a formula's company.
LEVELS = ("sentence", "paragraph", "document")
LEVEL_NAMES = {"sentence": "同一句", "paragraph": "同一段", "document": "同一篇"}
#: Characters of its paragraph kept either side of a mention in the explorer's lines and reader.
CONTEXT = 50
#: The class of the ``<style>`` holding a view's own copy of the font (the rendered page drops it).
VIEW_FONT_CLASS = "analysis-view-font"


class View:
    """An HTML block shown by Jupyter (and by nbconvert), also holding the data it shows."""

    def __init__(self, html_text: str, data: dict[str, pd.DataFrame] | None = None):
        self.html = html_text
        self.data = data or {}

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<View: {', '.join(f'{k} ({len(v)} rows)' for k, v in self.data.items())}>"


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script (from vl-convert; no network)."""
    import vl_convert

    return vl_convert.javascript_bundle(f'window.vegaEmbed = vegaEmbed; window.dispatchEvent(new Event("{READY}"));')


def setup() -> View:
    """The Vega libraries, embedded in the notebook once (about 0.9 MB); show it before any chart."""
    return View(f'<script type="module">{vega_bundle()}</script>\n'
                '<div class="analysis-note" style="display:none">vega</div>')


def _dom_id(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a view needs a name (it fixes the HTML ids, so reruns are identical)")
    return "view_" + re.sub(r"\W", "_", name.strip())


def _script_json(value) -> str:
    """JSON safe inside a <script> element: no markup character at all (``<``, ``>``, ``&`` written as
    ``\\u003c`` …, so no text of the corpus reads as a tag anywhere in the page); other characters kept
    as UTF-8, half the bytes of ``\\uXXXX`` escapes."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                          ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def _font_family(dom: str) -> str:
    """The family a view's own font is declared under (one per view: faces of one family with
    overlapping ranges would hide each other's glyphs)."""
    from zhengyan.present.render import WEB_FONT

    return f"{WEB_FONT} {dom}"


def _font(dom: str) -> str:
    from zhengyan.present.render import WEB_FONT

    return f'"{_font_family(dom)}", "{WEB_FONT}", "Noto Sans SC", "Noto Sans CJK SC", sans-serif'


def view_font(dom: str, body: str) -> str:
    """A ``<style>`` declaring the CJK font cut to the characters of ``body``, under this view's family,
    and setting every element of the view in it (controls included), so Chinese draws in JupyterLab
    with no CJK font on the machine. The rendered page removes this block (its own font covers it)."""
    import base64

    from zhengyan.present.render import UNICODE_RANGE, page_characters, web_font

    data = base64.b64encode(web_font(page_characters(body))).decode("ascii")
    family = _font_family(dom)
    return (f'<style class="{VIEW_FONT_CLASS}">@font-face {{ font-family: "{family}"; font-display: block; '
            f"unicode-range: {UNICODE_RANGE}; src: url(data:font/woff2;base64,{data}) format(\"woff2\"); }}\n"
            f"#{dom}, #{dom} input, #{dom} select, #{dom} option, #{dom} button, #{dom} textarea, #{dom} table, "
            f"#{dom} svg text {{ font-family: {_font(dom)}; }}</style>")


def _with_view_font(dom: str, body: str) -> str:
    return view_font(dom, body) + body


def chart_html(spec: dict, name: str) -> str:
    """A Vega-Lite spec drawn as SVG by the embedded libraries (no actions menu: nothing links out)."""
    dom = _dom_id(name)
    return (
        f'<div id="{dom}" class="analysis-chart"></div>\n<script type="module">\n'
        f"const spec = {_script_json(spec)};\n"
        f'const draw = () => window.vegaEmbed("#{dom}", spec, {{renderer: "svg", actions: false}})'
        f'.then(r => {{ document.getElementById("{dom}").analysisView = r.view; }});\n'
        f'if (window.vegaEmbed) draw(); else window.addEventListener("{READY}", draw, {{once: true}});\n'
        "</script>\n"
    )


#: Charts grow with their content (a click that adds rows makes the chart taller, not clipped).
AUTOSIZE = {"type": "pad", "resize": True}


def _config(chart, dom: str):
    import altair as alt

    return chart.configure(font=_font(dom)).configure_view(strokeWidth=0).properties(
        autosize=alt.AutoSizeParams(**AUTOSIZE))


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=True))


def _labels(docs: pd.DataFrame) -> pd.Series:
    """A document's label for a line of text: its label, with its year in front only when the label
    does not start with it already ("2020 咸宁", never "2020 2020 咸宁")."""
    years = pd.to_numeric(docs["year"], errors="coerce")
    out = [lab if pd.isna(y) or lab.startswith(str(int(y))) else f"{int(y)} {lab}"
           for lab, y in zip(docs["label"].astype(str), years)]
    return pd.Series(out, index=docs.index, dtype=object)


# ----- sentences ----------------------------------------------------------------------------------
def _with_sentence_bounds(corpus, found: pd.DataFrame) -> pd.DataFrame:
    """``found`` (``doc_id, sent_id, …``) with the ``sent_start, sent_end`` of each row's sentence,
    by one join (no lookup per row)."""
    sents = corpus.sentences[["doc_id", "sent_id", "start", "end"]].rename(
        columns={"start": "sent_start", "end": "sent_end"})
    sents = sents.assign(doc_id=sents["doc_id"].astype(str), sent_id=sents["sent_id"].astype("int64"))
    left = found.assign(doc_id=found["doc_id"].astype(str), sent_id=found["sent_id"].astype("int64"))
    return left.merge(sents, on=["doc_id", "sent_id"], how="left", validate="many_to_one")


def _sample(frame: pd.DataFrame, keys: list[str], n: int) -> pd.DataFrame:
    """The first ``n`` rows of each group (document order), so the page stays small on a big corpus."""
    return frame.groupby(keys, sort=False, observed=True).head(n)


def _capped(frame: pd.DataFrame, keys: list[str], per_group: int, total: int) -> pd.DataFrame:
    """At most ``per_group`` rows of each group and ``total`` in all, taken round by round (every
    group's first row before any group's second), in the frame's order."""
    rank = frame.groupby(keys, sort=False, observed=True).cumcount()
    kept = frame[rank < per_group].assign(_rank=rank[rank < per_group])
    kept = kept.sort_values("_rank", kind="stable").head(total)
    return kept.sort_index().drop(columns="_rank")


def top_formulas(corpus, n: int = 3) -> list[str]:
    """The ``n`` formulas the corpus mentions most (ties in name order)."""
    found = corpus.mentions()
    counts = found["item"].astype(str).value_counts()
    counts = counts.rename_axis("item").reset_index(name="n").sort_values(["n", "item"], ascending=[False, True])
    return list(counts["item"][:n])


# ----- a formula's company: the data ----------------------------------------------------------------
def company_pairs(corpus, *, max_partners: int = 25) -> pd.DataFrame:
    """``item, partner, context, n_ab, n_a, n_b, npmi, g2`` in both directions, for every level, the
    ``max_partners`` partners of each formula and level with most shared contexts."""
    tables = []
    for level in LEVELS:
        pairs = corpus.cooccurrence(context=level)
        a, b = "item_a", "item_b"
        keep = pairs[[a, b, "context", "n_ab", "n_a", "n_b", "npmi", "g2"]]
        tables.append(keep.rename(columns={a: "item", b: "partner"}))
        tables.append(keep.rename(columns={a: "partner", b: "item", "n_a": "n_b", "n_b": "n_a"}))
    pairs = pd.concat(tables, ignore_index=True)[["item", "partner", "context", "n_ab", "n_a", "n_b", "npmi", "g2"]]
    pairs = pairs.sort_values(["item", "context", "n_ab", "partner"], ascending=[True, True, False, True],
                              kind="stable").reset_index(drop=True)
    pairs = pairs.groupby(["item", "context"], sort=False).head(max_partners).reset_index(drop=True)
    pairs[["npmi", "g2"]] = pairs[["npmi", "g2"]].round(3)
    return pairs


def meetings(corpus) -> pd.DataFrame:
    """Every ordered pair of distinct formulas mentioned in one sentence: ``item, partner, doc_id,
    sent_id``, by sentence (document code, sentence number), then item, then partner. One self-join
    of the mentions on their sentence (no loop over sentences)."""
    found = corpus.mentions()
    column = "item"
    once = pd.DataFrame({"doc_id": found["doc_id"].astype(str), "sent_id": found["sent_id"].astype("int64"),
                         "item": found[column].astype(str)}).drop_duplicates()
    both = once.merge(once.rename(columns={"item": "partner"}), on=["doc_id", "sent_id"])
    both = both[both["item"] != both["partner"]]
    both = both.sort_values(["doc_id", "sent_id", "item", "partner"], kind="stable")
    return both[["item", "partner", "doc_id", "sent_id"]].reset_index(drop=True)


def _sentence_of(corpus, rows: pd.DataFrame, limit: int = 160) -> pd.Series:
    """The text of each row's sentence (``doc_id, sent_id``), line breaks as spaces, cut to ``limit``."""
    bounded = _with_sentence_bounds(corpus, rows)
    texts = dict(zip(corpus.documents["doc_id"].astype(str), corpus.documents["text"]))
    out = [texts[d][int(a): int(b)].replace("\n", " ")[:limit] if pd.notna(a) else ""
           for d, a, b in zip(bounded["doc_id"], bounded["sent_start"], bounded["sent_end"])]
    return pd.Series(out, index=rows.index, dtype=object)


def company_data(corpus, *, max_sentences: int = 5, max_partners: int = 25) -> dict[str, pd.DataFrame]:
    """``pairs`` (see :func:`company_pairs`) and ``sentences`` (``item, partner, label, year,
    sentence``: the first ``max_sentences`` sentences where each two formulas meet)."""
    pairs = company_pairs(corpus, max_partners=max_partners)
    meets = _sample(meetings(corpus), ["item", "partner"], max_sentences).reset_index(drop=True)
    docs = corpus.dated().assign(doc_id=lambda d: d["doc_id"].astype(str)).set_index("doc_id")
    year = meets["doc_id"].map(docs["year"]).astype("Int64").astype(str).replace("<NA>", "")
    out = pd.DataFrame({"item": meets["item"], "partner": meets["partner"],
                        "label": meets["doc_id"].map(docs["label"]).astype(str), "year": year,
                        "sentence": _sentence_of(corpus, meets)})
    return {"pairs": pairs, "sentences": out}


# ----- the explorer: a trend linked to its concordance, reader and company ------------------------
def _hits(corpus, mentions: pd.DataFrame, *, order: list[str], per_cell: int, total: int, context: int) -> pd.DataFrame:
    """A bounded sample of ``mentions`` (``doc_id, start, end, item, year``): at most ``per_cell`` of
    each item and year and ``total`` in all — every item and year's first mention before any second,
    items in ``order`` (so when the total binds, the items listed last lose their lines first) —
    each with up to ``context`` characters of its paragraph either side (``left, match, right``)."""
    rank = {item: i for i, item in enumerate(order)}
    mentions = mentions.assign(_order=mentions["item"].map(rank).fillna(len(rank)))
    mentions = mentions.sort_values(["_order", "year", "doc_id", "start"], kind="stable").drop(
        columns="_order").reset_index(drop=True)
    kept = _capped(mentions, ["item", "year"], per_cell, total).reset_index(drop=True)
    texts = dict(zip(corpus.documents["doc_id"].astype(str), corpus.documents["text"]))
    lefts, matches, rights = [], [], []
    for doc, a, b in zip(kept["doc_id"], kept["start"], kept["end"]):
        text, a, b = texts[doc], int(a), int(b)
        left = text[max(0, a - context): a].rsplit("\n", 1)[-1]
        right = text[b: b + context].split("\n", 1)[0]
        lefts.append(left)
        matches.append(text[a:b])
        rights.append(right)
    return kept.assign(left=lefts, match=matches, right=rights)


def explorer_data(corpus, terms=None, *, themes: str | None = "party", top_formulas: int = 40,
                  top_terms: int = 40, per_cell: int = 2, max_sentences: int = 1000, context: int = CONTEXT,
                  max_partners: int = 15, pair_sentences: int = 2, max_meets: int = 500) -> dict[str, pd.DataFrame]:
    """The explorer's tables, bounded whatever the corpus size:

    - ``rates``: ``item, kind, year, n, per_10k, n_docs`` for the ``top_formulas`` most mentioned
      formulas, the ``terms`` given, the ``top_terms`` most frequent terms and (``themes``) the themes;
    - ``hits``: ``item, year, label, left, match, right``: at most ``per_cell`` mentions of each item
      and year (the first in document order) and ``max_sentences`` in all, every item and year's
      first before any second, the ``terms`` given first, then formulas, then terms by frequency;
    - ``pairs``: each formula's ``max_partners`` partners at each level (``item, partner, context,
      n_ab, npmi``); ``meets``: ``item, partner, label, sentence`` (cut to 100 characters), at most
      ``pair_sentences`` per pair and ``max_meets`` in all;
    - ``bounds``: these bounds and what they kept.
    """
    from zhengyan.analyses import frequency

    found = corpus.mentions()
    column = "item"
    formula_counts = found[column].astype(str).value_counts()
    formula_counts = formula_counts.rename_axis("item").reset_index(name="n").sort_values(
        ["n", "item"], ascending=[False, True])
    all_formulas = list(formula_counts["item"])
    chosen = [] if terms is None else ([terms] if isinstance(terms, str) else list(terms))
    formulas = list(dict.fromkeys([t for t in chosen if t in all_formulas] + all_formulas[:top_formulas]))
    counts = frequency.corpus_counts(corpus.terms())
    frequent = [t for t in counts.sort_values(["n", "term"], ascending=[False, True])["term"].astype(str)
                if t not in all_formulas and len(t) > 1][:top_terms]
    words = list(dict.fromkeys([t for t in chosen if t not in all_formulas] + frequent))
    docs = corpus.dated().assign(doc_id=lambda d: d["doc_id"].astype(str))
    docs = docs.assign(line_label=_labels(docs)).set_index("doc_id")
    items = formulas + words
    if items and docs["year"].notna().any():
        rates = [corpus.trend(items).assign(kind=lambda t: t["item"].map(
            lambda i: "提法" if i in set(formulas) else "词"))]
    else:
        rates = []
    if themes and docs["year"].notna().any():
        shares = corpus.theme_shares(by="year", dictionary=themes)
        rates.append(shares.rename(columns={"theme": "item"}).assign(kind="主题")[
            ["year", "item", "n", "per_10k", "n_docs", "kind"]])
    columns = ["item", "kind", "year", "n", "per_10k", "n_docs"]
    table = pd.concat(rates, ignore_index=True)[columns] if rates else pd.DataFrame(columns=columns)
    table = table.astype({"year": int, "n": int, "n_docs": int})
    table["per_10k"] = table["per_10k"].astype(float).fillna(0.0).round(3)

    parts = [found[found[column].isin(formulas)].rename(columns={column: "item"})[["doc_id", "start", "end", "item"]]]
    if words:
        extra = corpus.term_mentions(words)
        parts.append(extra[["doc_id", "start", "end", "item"]])
    mentions = pd.concat(parts, ignore_index=True)
    mentions = mentions.assign(doc_id=mentions["doc_id"].astype(str), item=mentions["item"].astype(str))
    mentions["year"] = mentions["doc_id"].map(docs["year"])
    mentions = mentions.dropna(subset=["year"]).astype({"year": int})
    order = list(dict.fromkeys(chosen + items))
    hits = _hits(corpus, mentions, order=order, per_cell=per_cell, total=max_sentences, context=context)
    hits = pd.DataFrame({"item": hits["item"], "year": hits["year"].astype(int),
                         "label": hits["doc_id"].map(docs["line_label"]).astype(str),
                         "left": hits["left"], "match": hits["match"], "right": hits["right"]})

    pairs = company_pairs(corpus, max_partners=max_partners) if len(found) else pd.DataFrame(
        columns=["item", "partner", "context", "n_ab", "n_a", "n_b", "npmi", "g2"])
    pairs = pairs[pairs["item"].isin(formulas)][["item", "partner", "context", "n_ab", "npmi"]].reset_index(drop=True)
    shown = pairs.loc[pairs["context"] == "sentence", ["item", "partner"]]
    meets = meetings(corpus).merge(shown, on=["item", "partner"])
    meets = _capped(meets, ["item", "partner"], pair_sentences, max_meets).reset_index(drop=True)
    meets = pd.DataFrame({"item": meets["item"], "partner": meets["partner"],
                          "label": meets["doc_id"].map(docs["line_label"]).astype(str),
                          "sentence": _sentence_of(corpus, meets, limit=100)})
    n_mentions = int(len(mentions))
    bounds = pd.DataFrame([{
        "formulas": len(formulas), "all_formulas": len(all_formulas), "terms": len(words),
        "per_cell": per_cell, "max_sentences": max_sentences, "hits": len(hits), "mentions": n_mentions,
        "max_partners": max_partners, "pair_sentences": pair_sentences, "max_meets": max_meets,
        "meets": len(meets)}])
    return {"rates": table.reset_index(drop=True), "hits": hits, "pairs": pairs, "meets": meets, "bounds": bounds}


def _columns(frame: pd.DataFrame) -> dict[str, list]:
    """A table as JSON columns (half the bytes of records: the keys are written once)."""
    return {c: json.loads(frame[c].to_json(orient="values", force_ascii=False)) for c in frame.columns}


def explorer_spec(rates: pd.DataFrame, *, initial: list[str], focus: str, theme: str, dom: str) -> dict:
    """The Vega-Lite spec of the explorer's chart: lines of the chosen items (parameter ``terms``,
    a list, and ``theme``), the documents behind each year, the ``focus`` item's point of the chosen
    ``year`` drawn larger. The page's script sets these parameters; the chart grows with its legend."""
    import altair as alt

    terms = alt.param(name="terms", value=list(initial))
    theme_param = alt.param(name="theme", value=theme)
    focus_param = alt.param(name="focus", value=focus)
    year = alt.param(name="year", value=0)
    chosen = "indexof(terms, datum.item) >= 0 || (datum.kind == '主题' && datum.item == theme)"
    base = alt.Chart(alt.Data(values=_records(rates))).transform_filter(chosen)
    x = alt.X("year:O", title="年份", axis=alt.Axis(labelAngle=0, labelOverlap=True))
    tooltip = [alt.Tooltip("item:N", title="提法/词/主题"), alt.Tooltip("year:O", title="年份"),
               alt.Tooltip("n:Q", title="次数"), alt.Tooltip("per_10k:Q", title="每万字", format=".2f"),
               alt.Tooltip("n_docs:Q", title="文档数")]
    lines = base.mark_line().encode(
        x=x, y=alt.Y("per_10k:Q", title="每万字出现次数"),
        color=alt.Color("item:N", title=None, legend=alt.Legend(orient="top", columns=4)),
        size=alt.condition("datum.item == focus && datum.year == year", alt.value(4), alt.value(2)),
        tooltip=tooltip,
    ).add_params(terms, theme_param, focus_param, year).properties(
        width=520, height=240, title="每万字出现次数（点击一点：该年该词的句子）")
    marks = base.mark_point(filled=True, cursor="pointer").encode(
        x=x, y="per_10k:Q", color=alt.Color("item:N", legend=None),
        size=alt.condition("datum.item == focus && datum.year == year", alt.value(260), alt.value(70)),
        tooltip=tooltip)
    per_year = rates.drop_duplicates("year")[["year", "n_docs"]]
    docs = alt.Chart(alt.Data(values=_records(per_year))).mark_bar(color="#9aa5b1", cursor="pointer").encode(
        x=x, y=alt.Y("n_docs:Q", title="文档数"),
        opacity=alt.condition("datum.year == year", alt.value(1.0), alt.value(0.55)),
        tooltip=[alt.Tooltip("year:O", title="年份"), alt.Tooltip("n_docs:Q", title="文档数")],
    ).properties(width=520, height=60, title="每年的文档数（点击：该年的句子）")
    return _config(alt.vconcat(lines + marks, docs, spacing=10), dom).to_dict()


_EXPLORER_CSS = """
#DOM { --ax-line: #d0d4d9; }
#DOM .ax-controls { display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; align-items: center; margin: 0.3em 0 0.6em; }
#DOM .ax-controls input[type=text] { width: 22em; }
#DOM .ax-message { color: #9c2b0c; min-height: 1.2em; margin: 0.2em 0; }
#DOM .ax-grid { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
#DOM .ax-chart { flex: 0 0 auto; }
#DOM .ax-side { flex: 1 1 24em; min-width: 20em; display: flex; flex-direction: column; gap: 0.8em; }
#DOM .ax-side > section { border: 1px solid var(--ax-line); padding: 0.4em 0.7em; }
#DOM h4 { margin: 0.2em 0 0.4em; font-size: 1em; }
#DOM table.ax-lines { border-collapse: collapse; width: 100%; table-layout: fixed; }
#DOM table.ax-lines td { padding: 0.15em 0.3em; vertical-align: top; text-align: left; white-space: nowrap;
  overflow: hidden; }
#DOM table.ax-lines td.ax-left { text-align: right; }
#DOM table.ax-lines td.ax-match { font-weight: bold; color: #b03a2e; padding: 0.15em 0; }
#DOM table.ax-lines tr { cursor: pointer; }
#DOM table.ax-lines tr:hover, #DOM table.ax-lines tr.ax-current { background: #fff3cd; }
#DOM .ax-reader p { line-height: 1.8; margin: 0.3em 0; }
#DOM mark { background: #ffe08a; }
#DOM .ax-partners button { display: flex; width: 100%; border: 0; background: none; padding: 0.1em 0;
  cursor: pointer; text-align: left; gap: 0.5em; align-items: center; }
#DOM .ax-partners button.ax-current { outline: 2px solid #d35400; }
#DOM .ax-bar { display: inline-block; height: 0.9em; background: #4c78a8; }
#DOM .ax-name { flex: 0 0 10em; }
#DOM .ax-meets li { margin: 0.2em 0; }
#DOM .ax-bound { color: #555; font-size: 0.85em; }
"""

_EXPLORER_JS = r"""
(() => {
const root = document.getElementById(DOM);
const D = JSON.parse(root.querySelector("script.ax-data").textContent);
const $ = s => root.querySelector(s);
const box = $(".ax-terms"), focusSel = $(".ax-focus"), themeSel = $(".ax-theme"), msg = $(".ax-message");
const kwic = $(".ax-kwic"), reader = $(".ax-reader"), comp = $(".ax-company");
const esc = s => String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const known = new Set(D.items), formulas = new Set(D.formulas);
const rows = D.hits.item.map((item, i) => ({i, item, year: D.hits.year[i], label: D.hits.label[i],
  left: D.hits.left[i], match: D.hits.match[i], right: D.hits.right[i]}));
const pairs = D.pairs.item.map((item, i) => ({item, partner: D.pairs.partner[i], level: D.pairs.context[i],
  n: D.pairs.n_ab[i], npmi: D.pairs.npmi[i]}));
const meets = D.meets.item.map((item, i) => ({item, partner: D.meets.partner[i], label: D.meets.label[i],
  sentence: D.meets.sentence[i]}));
const state = {terms: D.initial.slice(), focus: D.initial[0] || "", year: 0, theme: D.theme, hit: -1,
  level: "sentence", partner: ""};
let view = null;
const parse = t => [...new Set(t.split(/[，、,;；\s]+/).map(s => s.trim()).filter(Boolean))];
const total = (item, year) => (D.totals[item] || {})[year] || 0;
const sum = item => Object.values(D.totals[item] || {}).reduce((a, b) => a + b, 0);
function show(panel) {
  const r = panel.getBoundingClientRect();
  if (r.top < 0 || r.bottom > innerHeight) panel.scrollIntoView({block: "nearest"});
}
let typedBefore = null;
function terms() {
  const typed = parse(box.value);
  const key = JSON.stringify([typed, state.theme]);
  if (key === typedBefore) return;  // the same terms again (a change event on leaving the box): nothing to redraw
  typedBefore = key;
  const missing = typed.filter(t => !known.has(t));
  state.terms = typed.filter(t => known.has(t));
  if (!state.terms.includes(state.focus)) { state.focus = state.terms[0] || ""; state.hit = -1; state.partner = ""; }
  const absent = state.terms.filter(t => !sum(t));
  msg.textContent = [missing.length ? missing.map(t => "「" + t + "」").join("、") + D.text.missing : "",
    absent.length ? absent.map(t => "「" + t + "」").join("、") + D.text.absent : "",
    state.terms.length || state.theme || missing.length ? "" : D.text.empty].filter(Boolean).join(" ");
  focusSel.innerHTML = state.terms.map(t => `<option value="${esc(t)}"${t === state.focus ? " selected" : ""}>${esc(t)}</option>`).join("");
  update();
}
function chart() {
  if (!view) return;
  view.signal("terms", state.terms).signal("theme", state.theme).signal("focus", state.focus)
    .signal("year", state.year).runAsync();
}
function lines() {
  return rows.filter(r => r.item === state.focus && (!state.year || r.year === state.year));
}
function drawKwic() {
  const f = state.focus, y = state.year;
  const head = `<h4>${D.text.kwic}${f ? "：「" + esc(f) + "」" : ""}${y ? " · " + y : ""}` +
    (y ? ` <button type="button" class="ax-all-years">${D.text.allYears}</button>` : "") + "</h4>";
  if (!f) { kwic.innerHTML = head + `<p class="ax-none">${D.text.noFocus}</p>`; return; }
  const found = lines();
  const n = y ? total(f, y) : sum(f);
  if (!found.length) {
    kwic.innerHTML = head + `<p class="ax-none">${n ? D.text.notHeld.replace("{n}", n)
      : y ? D.text.noneInYear.replace("{y}", y) : D.text.none}</p>`;
    return;
  }
  kwic.innerHTML = head + `<p class="ax-count">${D.text.count.replace("{k}", found.length).replace("{n}", n)}</p>` +
    '<table class="ax-lines"><colgroup><col style="width:6.5em"><col><col style="width:' +
    Math.max(...found.map(r => r.match.length)) + 'em"><col></colgroup><tbody>' + found.map(r =>
      `<tr data-hit="${r.i}"${r.i === state.hit ? ' class="ax-current"' : ""}><td class="ax-doc" title="${esc(r.label)}">${esc(r.label)}</td>` +
      `<td class="ax-left" dir="rtl"><span dir="ltr">${esc(r.left.slice(-20))}</span></td><td class="ax-match">${esc(r.match)}</td>` +
      `<td class="ax-right">${esc(r.right.slice(0, 20))}</td></tr>`).join("") + "</tbody></table>";
}
function drawReader() {
  const found = lines();
  const r = found.find(x => x.i === state.hit) || found[0];
  if (!r) { reader.innerHTML = `<h4>${D.text.reader}</h4><p class="ax-none">${D.text.noReading}</p>`; return; }
  reader.innerHTML = `<h4>${D.text.reader}：${esc(r.label)}</h4><p class="ax-passage">${r.left.length >= D.context ? "…" : ""}` +
    `${esc(r.left)}<mark>${esc(r.match)}</mark>${esc(r.right)}${r.right.length >= D.context ? "…" : ""}</p>`;
}
function drawCompany() {
  const f = state.focus;
  let out = `<h4>${D.text.company}${f ? "：「" + esc(f) + "」" : ""}</h4>`;
  if (!f) { comp.innerHTML = out + `<p class="ax-none">${D.text.noFocus}</p>`; return; }
  if (!formulas.has(f)) { comp.innerHTML = out + `<p class="ax-none">${D.text.notFormula}</p>`; return; }
  out += '<div class="ax-levels">' + D.levels.map(([l, name]) => `<label><input type="radio" name="${DOM}-level" value="${l}"` +
    `${l === state.level ? " checked" : ""}> ${name}</label>`).join(" ") + "</div>";
  const mine = pairs.filter(p => p.item === f && p.level === state.level);
  if (!mine.length) { comp.innerHTML = out + `<p class="ax-none">${D.text.alone}</p>`; return; }
  const top = Math.max(...mine.map(p => p.n));
  out += '<div class="ax-partners">' + mine.map(p => `<button type="button" data-partner="${esc(p.partner)}"` +
    `${p.partner === state.partner ? ' class="ax-current"' : ""} title="NPMI ${p.npmi}"><span class="ax-name">${esc(p.partner)}</span>` +
    `<span class="ax-bar" style="width:${Math.max(2, Math.round(120 * p.n / top))}px;opacity:${0.4 + 0.6 * Math.max(0, p.npmi)}"></span>` +
    `<span class="ax-n">${p.n}</span></button>`).join("") + "</div>";
  if (state.partner) {
    const m = meets.filter(x => x.item === f && x.partner === state.partner);
    out += `<h4 class="ax-meets-head">${D.text.meets.replace("{a}", esc(f)).replace("{b}", esc(state.partner))}</h4>` +
      (m.length ? '<ul class="ax-meets">' + m.map(x => `<li><b>${esc(x.label)}</b>：${esc(x.sentence)}</li>`).join("") + "</ul>"
        : `<p class="ax-none">${D.text.noMeets}</p>`);
  } else out += `<p class="ax-hint">${D.text.pickPartner}</p>`;
  comp.innerHTML = out;
}
function update() { chart(); drawKwic(); drawReader(); drawCompany(); }
box.addEventListener("change", terms);
box.addEventListener("input", () => { if (parse(box.value).every(t => known.has(t))) terms(); });
focusSel.addEventListener("change", () => { state.focus = focusSel.value; state.hit = -1; state.partner = ""; update(); show(kwic); });
themeSel.addEventListener("change", () => { state.theme = themeSel.value; terms(); });
kwic.addEventListener("click", e => {
  if (e.target.closest(".ax-all-years")) { state.year = 0; state.hit = -1; update(); return; }
  const tr = e.target.closest("tr[data-hit]");
  if (tr) { state.hit = +tr.dataset.hit; drawKwic(); drawReader(); show(reader); }
});
comp.addEventListener("change", e => { if (e.target.name === DOM + "-level") { state.level = e.target.value; state.partner = ""; drawCompany(); } });
comp.addEventListener("click", e => {
  const b = e.target.closest("button[data-partner]");
  if (b) { state.partner = b.dataset.partner; drawCompany(); show(comp.querySelector(".ax-meets-head")); }
});
const draw = () => window.vegaEmbed(root.querySelector(".ax-chart"), D.spec, {renderer: "svg", actions: false}).then(r => {
  view = root.analysisView = r.view;
  view.addEventListener("click", (event, item) => {
    const d = item && item.datum;
    if (!d || d.year === undefined) return;
    if (d.item !== undefined && d.kind !== "主题" && known.has(d.item)) {
      state.focus = d.item; focusSel.value = d.item; state.partner = "";
    }
    state.year = (d.item === undefined && state.year === d.year) ? 0 : d.year;
    state.hit = -1; update(); show(kwic);
  });
  view.addEventListener("dblclick", () => { state.year = 0; state.hit = -1; update(); });
  chart();
});
terms();
if (window.vegaEmbed) draw(); else window.addEventListener(READY, draw, {once: true});
})();
"""

_TEXT = {
    "missing": " 不在本页的数据中：本页只含最常见的提法与词（见下方说明）；在笔记本中运行 explore.explorer(corpus, [\"…\"]) 可加入。"
               " (not in this page's data; with a kernel, call explore.explorer(corpus, [\"…\"]) to add it)",
    "absent": " 在本语料中没有出现 (does not occur in this corpus)。",
    "empty": "请输入提法或词 (type a formula or a term)",
    "kwic": "语境 KWIC", "reader": "阅读 reading", "company": "共现 company",
    "allYears": "所有年份 all years",
    "noFocus": "先在上面输入或选择一个提法或词。",
    "none": "本页没有这个词的句子。", "noneInYear": "{y} 年没有出现（该年的文档里 0 次）。",
    "count": "本页显示 {k} 句 / 共 {n} 次（点击一行阅读上下文）",
    "notHeld": "共 {n} 次，但本页没有收入它的句子（本页句子有上限，见视图下方的说明）。"
               " (it occurs {n} times, but the page holds none of its sentences: see the bounds under the view)",
    "noReading": "没有可读的句子。",
    "notFormula": "共现只在提法之间计算；这是一个词，不是词表中的提法。它的句子见左侧语境。",
    "alone": "在这个范围内，它没有与其他提法共现。",
    "meets": "「{a}」与「{b}」同句的例子",
    "noMeets": "它们不在同一句中相遇（只在更大的范围内共现）。",
    "pickPartner": "点击一个提法，阅读它们同句的例子。",
}


def explorer(corpus, terms=None, *, name: str = "explorer", themes: str | None = "party", top_formulas: int = 40,
             top_terms: int = 40, per_cell: int = 2, max_sentences: int = 1000) -> View:
    """One view with four linked panels: the trend of the formulas or terms you type (rate per
    10,000 characters by year, and the documents behind each year); the KWIC of the chosen term
    (clicking a point or a year's bar shows that year's lines); the reader (the passage of the line
    you click, the term marked); its company (the formulas it meets, at the level you choose, and
    the sentences where the two meet). Works with no kernel: data, controls and script are in the page.

    ``terms``: the items drawn at first (default: the three most mentioned formulas). What the page
    holds is bounded (see :func:`explorer_data`) and the view says so; a term typed that the page
    does not hold is named in the view.
    """
    dom = _dom_id(name)
    data = explorer_data(corpus, terms, themes=themes, top_formulas=top_formulas, top_terms=top_terms,
                         per_cell=per_cell, max_sentences=max_sentences)
    rates, bounds = data["rates"], data["bounds"].iloc[0]
    known = list(dict.fromkeys(rates.loc[rates["kind"] != "主题", "item"]))
    if terms is None:
        initial = [t for t in top_formulas_of(rates, 3)]
    else:
        initial = [terms] if isinstance(terms, str) else list(terms)
        for term in initial:
            if term not in known:
                raise unknown("term or formula", term, known)
    themes_list = sorted(rates.loc[rates["kind"] == "主题", "item"].unique())
    if rates.empty:
        note = (f"<p>No document of {html.escape(str(corpus.folder.name))} has a year, so there is no trend "
                "to explore.</p>")
        return View(note, data)
    totals: dict[str, dict[int, int]] = {}
    for item, year, n in zip(rates["item"], rates["year"], rates["n"]):
        if n:
            totals.setdefault(item, {})[int(year)] = int(n)
    spec = explorer_spec(rates, initial=initial, focus=initial[0] if initial else "", theme="", dom=dom)
    payload = {
        "spec": spec, "items": known, "formulas": sorted(set(data["pairs"]["item"]) | set(
            rates.loc[rates["kind"] == "提法", "item"])),
        "initial": initial, "theme": "", "totals": totals, "context": CONTEXT,
        "hits": _columns(data["hits"]), "pairs": _columns(data["pairs"]), "meets": _columns(data["meets"]),
        "levels": [[level, LEVEL_NAMES[level]] for level in LEVELS], "text": _TEXT,
    }
    options = "".join(f'<option value="{html.escape(t)}"></option>' for t in known)
    theme_options = '<option value="">（无 none）</option>' + "".join(
        f'<option value="{html.escape(t)}">{html.escape(t)}</option>' for t in themes_list)
    bound = (f"This view holds the {bounds['formulas']} most mentioned formulas (of {bounds['all_formulas']}) and "
             f"the {bounds['terms']} most frequent terms of the corpus, with at most {bounds['per_cell']} sentences "
             f"per term and year and {bounds['max_sentences']} in all, the most mentioned first (here {bounds['hits']} of "
             f"{bounds['mentions']} mentions), and each formula's {bounds['max_partners']} closest partners with "
             f"at most {bounds['pair_sentences']} sentences each ({bounds['max_meets']} in all). Counts and rates are "
             "of the whole corpus.")
    body = (
        f'<div id="{dom}" class="analysis-explorer"><style>{_EXPLORER_CSS.replace("DOM", dom)}</style>'
        '<div class="ax-controls">'
        f'<label>提法或词（用逗号分隔） <input type="text" class="ax-terms" list="{dom}-items" '
        f'value="{html.escape("，".join(initial))}"></label><datalist id="{dom}-items">{options}</datalist>'
        '<label>所选 focus <select class="ax-focus"></select></label>'
        f'<label>主题 theme <select class="ax-theme">{theme_options}</select></label></div>'
        '<p class="ax-message" role="status"></p>'
        '<div class="ax-grid"><div class="ax-chart analysis-chart"></div><div class="ax-side">'
        '<section class="ax-kwic"></section><section class="ax-reader"></section>'
        '<section class="ax-company"></section></div></div>'
        f'<p class="ax-bound">{html.escape(bound)}</p>'
        f'<script type="application/json" class="ax-data">{_script_json(payload)}</script>'
        f'<script type="module">{_EXPLORER_JS.replace("DOM", json.dumps(dom)).replace("READY", json.dumps(READY))}'
        "</script></div>")
    view = View(_with_view_font(dom, body), data)
    view.initial = initial
    return view


def numbers(view: View) -> pd.DataFrame:
    """The numbers behind the lines an explorer draws at first: ``year, item, n, per_10k, n_docs``."""
    rates = view.data["rates"]
    drawn = rates[rates["item"].isin(getattr(view, "initial", [])) & (rates["kind"] != "主题")]
    return drawn[["year", "item", "n", "per_10k", "n_docs"]].sort_values(["item", "year"], kind="stable").reset_index(
        drop=True)


def first_term(corpus, preferred: str) -> str:
    """``preferred`` when the corpus holds it, else its most mentioned formula, else its most frequent term."""
    if not corpus.kwic(preferred).empty:
        return preferred
    formulas = top_formulas(corpus, 1)
    if formulas:
        return formulas[0]
    from zhengyan.analyses import frequency

    counts = frequency.corpus_counts(corpus.terms())
    counts = counts[counts["term"].astype(str).str.len() > 1].sort_values(["n", "term"], ascending=[False, True])
    if counts.empty:
        raise ValueError(f"{corpus.folder}: no term to look for (the corpus has no words of two characters or more)")
    return str(counts["term"].iloc[0])


def top_formulas_of(rates: pd.DataFrame, n: int) -> list[str]:
    """The ``n`` formulas of a rates table with the most mentions (ties in name order)."""
    formulas = rates[rates["kind"] == "提法"].groupby("item")["n"].sum()
    formulas = formulas.rename_axis("item").reset_index().sort_values(["n", "item"], ascending=[False, True])
    if formulas.empty:
        words = rates[rates["kind"] == "词"].groupby("item")["n"].sum().sort_values(ascending=False, kind="stable")
        return list(words.index[:1])
    return list(formulas["item"][:n])


def trend_explorer(corpus, terms=None, *, name: str = "trend", **options) -> View:
    """The trend of the formulas or terms you choose, linked to their KWIC, reader and company:
    the same view as :func:`explorer`."""
    return explorer(corpus, terms, name=name, **options)


# ----- KWIC with reading views --------------------------------------------------------------------
def _highlighted(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` escaped, with each span wrapped in ``<mark id=…>``, paragraphs as <p>."""
    out, at = [], 0
    for start, end, anchor in spans:
        out.append(html.escape(text[at:start]))
        out.append(f'<mark id="{anchor}">{html.escape(text[start:end])}</mark>')
        at = end
    out.append(html.escape(text[at:]))
    body = "".join(out)
    return "".join(f"<p>{p}</p>" for p in body.split("\n") if p.strip())


def kwic_view(corpus, term: str, *, width: int = 20, regex: bool = False, name: str | None = None,
              max_documents: int = 40, max_chars: int = 150_000) -> View:
    """KWIC of ``term`` as a searchable table, sortable by left context (read right to left, as in
    AntConc), match, right context, document and year; each line links to the reading view of its
    document below the table, with every hit highlighted. Bounded: the first ``max_documents``
    documents holding the term, and no more of them than fit in ``max_chars`` characters of text
    (at least one); the view says how many lines and documents it leaves out."""
    table = corpus.kwic(term, width=width, regex=regex)
    dom = _dom_id(name or f"kwic_{term}")
    if table.empty:
        return View(f"<p>No occurrence of {html.escape(term)} in {html.escape(str(corpus.folder.name))}.</p>",
                    {"kwic": table})
    docs = corpus.dated().assign(doc_id=lambda d: d["doc_id"].astype(str)).set_index("doc_id")
    table = table.assign(doc_id=table["doc_id"].astype(str))
    all_lines, all_docs = len(table), table["doc_id"].nunique()
    order, used = [], 0
    for doc_id in dict.fromkeys(table["doc_id"]):
        size = len(str(docs.at[doc_id, "text"]))
        if len(order) >= max_documents or (order and used + size > max_chars):
            break
        order.append(doc_id)
        used += size
    table = table[table["doc_id"].isin(order)].reset_index(drop=True)
    doc_number = {d: i for i, d in enumerate(order)}
    table["anchor"] = [f"{dom}-d{doc_number[d]}-h{k}" for k, d in enumerate(table["doc_id"])]
    shown = pd.DataFrame({
        "文档 document": [f'<a href="#{a}" class="kwic-link">{html.escape(str(lab))}</a>'
                        for a, lab in zip(table["anchor"], table["label"])],
        "年份 year": table["year"].astype("Int64").astype(str).replace("<NA>", ""),
        "左 left": [html.escape(s) for s in table["left"]],
        "匹配 match": [html.escape(s) for s in table["match"]],
        "右 right": [html.escape(s) for s in table["right"]],
        "left_key": [html.escape(s[::-1]) for s in table["left"]],
    })
    defs = [{"targets": [2], "orderData": [5], "className": "dt-right"}, {"targets": [3], "className": "kwic-match"},
            {"targets": [2, 3, 4, 5], "type": "string"}, {"targets": [5], "visible": False, "searchable": False}]
    grid = display.table_html(shown, f"{dom}_table", page_length=10, column_defs=defs, allow_html=True)
    sections = []
    for doc_id in order:
        hits = table[table["doc_id"] == doc_id]
        spans = list(zip(hits["start"], hits["end"], hits["anchor"]))
        row = docs.loc[doc_id]
        year = "" if pd.isna(row["year"]) or str(row["label"]).startswith(str(int(row["year"]))) \
            else f"（{int(row['year'])}）"
        sections.append(
            f'<section id="{dom}-d{doc_number[doc_id]}" class="analysis-reading">'
            f"<h4>{html.escape(str(row['label']))}{year}：{len(spans)} × {html.escape(term)}</h4>"
            f'<div class="analysis-text">{_highlighted(str(row["text"]), spans)}</div></section>')
    style = (f"<style>#{dom} .analysis-text {{ max-height: 16em; overflow: auto; border: 1px solid #ddd;"
             f" padding: 0 0.8em; line-height: 1.7; }} #{dom} mark {{ background: #ffe08a; }}"
             f" #{dom} mark:target {{ background: #ff9f43; outline: 2px solid #d35400; }}"
             f" #{dom} td.kwic-match {{ font-weight: bold; color: #b03a2e; }}</style>")
    left_out = ""
    if len(table) < all_lines:
        left_out = (f" The page holds the first {len(order)} of the {all_docs} documents with the term (at most "
                    f"{max_documents} documents and {max_chars:,} characters of text): {all_lines - len(table)} "
                    f"lines are left out; with a kernel, <code>corpus.kwic(…)</code> lists them all.")
    note = (f"<p>{len(table)} lines in {len(order)} documents.{left_out} Click a header to sort (左 sorts by the "
            "words just before the match, read right to left); type in the search box to keep the lines that "
            "hold what you type; click a document to read it with every hit marked.</p>")
    body = f'<div id="{dom}">{style}{note}{grid}<h4>阅读 reading</h4>{"".join(sections)}</div>'
    return View(_with_view_font(dom, body), {"kwic": table})


# ----- a formula's company ------------------------------------------------------------------------
def company(corpus, formula: str | None = None, *, name: str = "company", max_sentences: int = 5,
            max_partners: int = 25) -> View:
    """Choose a formula and see the formulas it keeps company with in the same sentence, paragraph
    or document (counts and NPMI), and — clicking a partner — the sentences where the two meet
    (at most ``max_sentences`` per pair, the first in document order), in a panel under the chart."""
    import altair as alt

    dom = _dom_id(name)
    data = company_data(corpus, max_sentences=max_sentences, max_partners=max_partners)
    pairs = data["pairs"]
    formulas = sorted(pairs["item"].unique())
    if not formulas:
        return View("<p>No two formulas occur together in this corpus.</p>", data)
    if formula is None:
        counts = pairs[pairs["context"] == "sentence"].groupby("item")["n_ab"].sum()
        formula = counts.sort_values(ascending=False, kind="stable").index[0] if len(counts) else formulas[0]
    elif formula not in formulas:
        raise unknown("formula with company", formula, formulas)
    sentences = data["sentences"].merge(pairs.loc[pairs["context"] == "sentence", ["item", "partner"]],
                                        on=["item", "partner"])
    pick = alt.param(name="formula", value=formula, bind=alt.binding_select(options=formulas, name="提法 "))
    level = alt.param(name="level", value="sentence",
                      bind=alt.binding_radio(options=list(LEVELS), labels=[LEVEL_NAMES[x] for x in LEVELS],
                                             name="范围 "))
    partner = alt.selection_point(name="partner_pick", fields=["partner"], on="click", empty=False, clear="dblclick")
    bars = alt.Chart(alt.Data(values=_records(pairs))).transform_filter(
        "datum.item == formula && datum.context == level").mark_bar(cursor="pointer").encode(
        y=alt.Y("partner:N", sort="-x", title=None), x=alt.X("n_ab:Q", title="共现次数"),
        color=alt.Color("npmi:Q", title="NPMI", scale=alt.Scale(scheme="blues", domain=[-1, 1])),
        opacity=alt.condition(partner, alt.value(1.0), alt.value(0.75)),
        tooltip=[alt.Tooltip("partner:N", title="提法"), alt.Tooltip("n_ab:Q", title="共现次数"),
                 alt.Tooltip("n_a:Q", title="所选提法出现的语境数"), alt.Tooltip("n_b:Q", title="该提法出现的语境数"),
                 alt.Tooltip("npmi:Q", title="NPMI", format=".2f"), alt.Tooltip("g2:Q", title="G²", format=".1f")],
    ).add_params(pick, level, partner).properties(width=420, height=alt.Step(18),
                                                  title="与所选提法共现的提法（点击查看同句例子，双击清除）")
    spec = _config(bars, dom).to_dict()
    # the sentences go in an HTML panel under the chart, which grows with them (a chart does not
    # resize when a selection adds rows to it)
    labels = [lab if not year or lab.startswith(year) else f"{year} {lab}"
              for lab, year in zip(sentences["label"].astype(str), sentences["year"].astype(str))]
    lines = {"item": list(sentences["item"]), "partner": list(sentences["partner"]), "label": labels,
             "sentence": list(sentences["sentence"])}
    body = (
        f'<div id="{dom}" class="analysis-company"><div class="analysis-chart"></div>'
        '<h4 class="company-head">同一句中相遇的例子</h4>'
        '<div class="company-lines" role="status"><p>点击一个提法，阅读它们同句的例子。</p></div>'
        f'<script type="application/json" class="company-data">{_script_json(lines)}</script>'
        f"<script type=\"module\">{_COMPANY_JS.replace('DOM', json.dumps(dom)).replace('__READY__', json.dumps(READY))}"
        f"const spec = {_script_json(spec)};\n"
        'const draw = () => window.vegaEmbed(root.querySelector(".analysis-chart"), spec, '
        '{renderer: "svg", actions: false}).then(r => { root.analysisView = r.view; follow(r.view); });\n'
        'if (window.vegaEmbed) draw(); else window.addEventListener(READY_EVENT, draw, {once: true});\n'
        "</script></div>")
    return View(_with_view_font(dom, body), data)


_COMPANY_JS = r"""
const root = document.getElementById(DOM), READY_EVENT = __READY__;
const L = JSON.parse(root.querySelector("script.company-data").textContent);
const panel = root.querySelector(".company-lines"), head = root.querySelector(".company-head");
const esc = s => String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
function show(formula, partner) {
  if (!partner) { head.textContent = "同一句中相遇的例子"; panel.innerHTML = "<p>点击一个提法，阅读它们同句的例子。</p>"; return; }
  const rows = L.item.map((item, i) => i).filter(i => L.item[i] === formula && L.partner[i] === partner);
  head.textContent = `「${formula}」与「${partner}」同句的例子`;
  panel.innerHTML = rows.length ? "<ul>" + rows.map(i => `<li><b>${esc(L.label[i])}</b>：${esc(L.sentence[i])}</li>`).join("") + "</ul>"
    : "<p>它们不在同一句中相遇（只在更大的范围内共现）。</p>";
  const r = panel.getBoundingClientRect();
  if (r.top < 0 || r.bottom > innerHeight) panel.scrollIntoView({block: "nearest"});
}
function follow(view) {
  view.addEventListener("click", (event, item) => {
    if (item && item.datum && item.datum.partner !== undefined) show(view.signal("formula"), item.datum.partner);
  });
  view.addEventListener("dblclick", () => show(view.signal("formula"), ""));
  view.addSignalListener("formula", () => show("", ""));
  view.addSignalListener("level", () => show("", ""));
}
"""
