"""Interactive views that need no kernel: a trend explorer, a sortable KWIC with reading views, a formula's company.

Each view is one HTML block whose data and controls live in the page (Vega-Lite parameters and
selections; DataTables), so it works the same live in JupyterLab and in the shared HTML with no
kernel and no network. Call :func:`setup` once per notebook: it embeds the Vega libraries.
What needs the kernel is only what is not in the page: a term that was not precomputed (call the
view again with ``terms=[…]``).
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
    """JSON safe inside a <script> element (ASCII, no closing tags)."""
    return json.dumps(value, ensure_ascii=True, sort_keys=False).replace("</", "<\\/")


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


def _font() -> str:
    from zhengyan.present.render import WEB_FONT

    return f'"{WEB_FONT}", "Noto Sans SC", "Noto Sans CJK SC", sans-serif'


def _config(chart):
    return chart.configure(font=_font()).configure_view(strokeWidth=0)


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=True))


# ----- sentences ----------------------------------------------------------------------------------
def _sentence_texts(corpus, found: pd.DataFrame, *, width: int = 60) -> pd.Series:
    """The sentence of each mention, cut to ``width`` characters either side of it."""
    texts = corpus.documents.set_index("doc_id")["text"]
    sents = corpus.sentences.assign(doc_id=corpus.sentences["doc_id"].astype(str))
    bounds = sents.set_index(["doc_id", "sent_id"])[["start", "end"]]
    out = []
    for row in found.itertuples(index=False):
        doc = str(row.doc_id)
        try:
            a, b = bounds.loc[(doc, int(row.sent_id))]
        except KeyError:
            a, b = row.start, row.end
        a, b = max(int(a), int(row.start) - width), min(int(b), int(row.end) + width)
        text = texts[doc]
        piece = text[a:b].replace("\n", " ").strip()
        out.append(("…" if a > 0 and text[a - 1] not in "。！？\n" else "") + piece)
    return pd.Series(out, index=found.index, dtype=object)


def _sample(frame: pd.DataFrame, keys: list[str], n: int) -> pd.DataFrame:
    """The first ``n`` rows of each group (document order), so the page stays small on a big corpus."""
    return frame.groupby(keys, sort=False, observed=True).head(n)


def top_formulas(corpus, n: int = 3) -> list[str]:
    """The ``n`` formulas the corpus mentions most (ties in name order)."""
    found = corpus.mentions()
    counts = found["item"].astype(str).value_counts()
    counts = counts.rename_axis("item").reset_index(name="n").sort_values(["n", "item"], ascending=[False, True])
    return list(counts["item"][:n])


# ----- trend explorer -----------------------------------------------------------------------------
def trend_data(corpus, terms=None, *, themes: str | None = "party", top_terms: int = 60,
               max_sentences: int = 6) -> dict[str, pd.DataFrame]:
    """The explorer's tables: ``rates`` (``item, kind, year, n, per_10k, n_docs``) and ``sentences``
    (``item, year, label, sentence``). Items: every formula the corpus mentions, ``terms``, the
    ``top_terms`` most frequent terms, and (``themes``) the themes of that dictionary."""
    from zhengyan.analyses import frequency

    found = corpus.mentions()
    column = "item"
    formulas = list(found[column].value_counts().index)
    chosen = [] if terms is None else ([terms] if isinstance(terms, str) else list(terms))
    counts = frequency.corpus_counts(corpus.terms())
    frequent = [t for t in counts.sort_values(["n", "term"], ascending=[False, True])["term"].astype(str)
                if t not in formulas][:top_terms]
    words = list(dict.fromkeys([t for t in chosen if t not in formulas] + frequent))
    rates = [corpus.trend(formulas + words).assign(kind=lambda t: t["item"].map(
        lambda i: "提法" if i in set(formulas) else "词"))]
    mention_tables = [found.rename(columns={column: "item"})[["doc_id", "para_id", "sent_id", "start", "end", "item"]]]
    chosen_words = [t for t in chosen if t not in formulas]
    if chosen_words:
        extra = corpus.term_mentions(chosen_words)
        mention_tables.append(extra[mention_tables[0].columns])
    if themes:
        shares = corpus.theme_shares(by="year", dictionary=themes)
        rates.append(shares.rename(columns={"theme": "item"}).assign(
            kind="主题", n_chars=lambda t: t["n"] / t["per_10k"].where(t["per_10k"] > 0) * 10_000)[
            ["year", "item", "n", "n_chars", "per_10k", "n_docs"] + ["kind"]])
    table = pd.concat(rates, ignore_index=True)
    table = table[["item", "kind", "year", "n", "per_10k", "n_docs"]].astype({"year": int, "n": int, "n_docs": int})
    table["per_10k"] = table["per_10k"].round(3)

    docs = corpus.dated().set_index("doc_id")
    mentions = pd.concat(mention_tables, ignore_index=True)
    mentions["doc_id"] = mentions["doc_id"].astype(str)
    mentions["year"] = mentions["doc_id"].map(docs["year"])
    mentions = mentions.dropna(subset=["year"]).sort_values(["item", "year", "doc_id", "start"], kind="stable")
    mentions = _sample(mentions, ["item", "year"], max_sentences).reset_index(drop=True)
    sentences = pd.DataFrame({
        "item": mentions["item"].astype(str), "year": mentions["year"].astype(int),
        "label": mentions["doc_id"].map(docs["label"]).astype(str),
        "sentence": _sentence_texts(corpus, mentions),
    })
    return {"rates": table.reset_index(drop=True), "sentences": sentences}


def trend_spec(rates: pd.DataFrame, sentences: pd.DataFrame, *, initial: list[str], theme: str = "") -> dict:
    """The Vega-Lite spec of the explorer (Altair builds and checks it)."""
    import altair as alt

    themes = sorted(rates.loc[rates["kind"] == "主题", "item"].unique())
    terms = alt.param(name="terms", value="，".join(initial),
                      bind=alt.binding(input="text", name="提法或词（用逗号分隔） "))
    theme_param = alt.param(name="theme", value=theme,
                            bind=alt.binding_select(options=[""] + themes, labels=["（无）"] + themes, name="主题 "))
    chosen = ("indexof(split(replace(terms, regexp('[，、;；\\\\s]+', 'g'), ','), ','), datum.item) >= 0"
              " || (datum.kind == '主题' && datum.item == theme)")
    year_pick = alt.selection_point(name="year_pick", fields=["year"], on="click", empty=False, clear="dblclick")
    base = alt.Chart(alt.Data(values=_records(rates))).transform_filter(chosen)
    x = alt.X("year:O", title="年份", axis=alt.Axis(labelAngle=0))
    tooltip = [alt.Tooltip("item:N", title="提法/词/主题"), alt.Tooltip("year:O", title="年份"),
               alt.Tooltip("n:Q", title="次数"), alt.Tooltip("per_10k:Q", title="每万字", format=".2f"),
               alt.Tooltip("n_docs:Q", title="文档数")]
    lines = base.mark_line(point=alt.OverlayMarkDef(size=90, filled=True)).encode(
        x=x, y=alt.Y("per_10k:Q", title="每万字出现次数"), color=alt.Color("item:N", title=None,
                                                                      legend=alt.Legend(orient="top")),
        tooltip=tooltip,
    ).add_params(terms, theme_param, year_pick).properties(width=560, height=260,
                                                            title="每万字出现次数（点击某年查看句子，双击清除）")
    docs = alt.Chart(alt.Data(values=_records(rates.drop_duplicates("year")[["year", "n_docs"]]))).mark_bar(
        color="#9aa5b1").encode(
        x=x, y=alt.Y("n_docs:Q", title="文档数"),
        opacity=alt.condition(year_pick, alt.value(1.0), alt.value(0.6)),
        tooltip=[alt.Tooltip("year:O", title="年份"), alt.Tooltip("n_docs:Q", title="文档数")],
    ).properties(width=560, height=70, title="每年的文档数")
    rows = alt.Chart(alt.Data(values=_records(sentences))).transform_filter(year_pick).transform_filter(
        chosen.split(" || ")[0]).transform_window(row="row_number()").transform_filter("datum.row <= 15").mark_text(
        align="left", baseline="top", limit=760).encode(
        y=alt.Y("row:O", axis=None), text=alt.Text("line:N"),
    ).transform_calculate(line="datum.year + ' ' + datum.label + ' 【' + datum.item + '】 ' + datum.sentence").properties(
        width=560, height=alt.Step(18), title="所选年份的句子（每个提法/词最多若干句）")
    return _config(alt.vconcat(lines, docs, rows, spacing=12)).to_dict()


def trend_explorer(corpus, terms=None, *, name: str = "trend", themes: str | None = "party", top_terms: int = 60,
                   max_sentences: int = 6) -> View:
    """Choose formulas or terms (and a theme) and see their rate per 10,000 characters by year,
    the documents behind each year, and — clicking a year — the sentences behind it.

    ``terms``: the items shown at first (default: the three most mentioned formulas); any formula
    of the corpus, any of ``top_terms`` frequent terms and the ``terms`` given can be typed in.
    """
    data = trend_data(corpus, terms, themes=themes, top_terms=top_terms, max_sentences=max_sentences)
    rates = data["rates"]
    known = list(dict.fromkeys(rates["item"]))
    if terms is None:
        initial = top_formulas(corpus, 3)
    else:
        initial = [terms] if isinstance(terms, str) else list(terms)
        for term in initial:
            if term not in known:
                raise unknown("term or formula", term, known)
    spec = trend_spec(rates, data["sentences"], initial=initial)
    return View(chart_html(spec, name), data)


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
              max_documents: int = 40) -> View:
    """KWIC of ``term`` as a searchable table, sortable by left context (read right to left, as in
    AntConc), match, right context, document and year; each line links to the reading view of its
    document below the table, with every hit highlighted."""
    table = corpus.kwic(term, width=width, regex=regex)
    dom = _dom_id(name or f"kwic_{term}")
    if table.empty:
        return View(f"<p>No occurrence of {html.escape(term)} in {html.escape(str(corpus.folder.name))}.</p>",
                    {"kwic": table})
    docs = corpus.dated().set_index("doc_id")
    order = list(dict.fromkeys(table["doc_id"]))[:max_documents]
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
        year = "" if pd.isna(row["year"]) else f"（{int(row['year'])}）"
        sections.append(
            f'<section id="{dom}-d{doc_number[doc_id]}" class="analysis-reading">'
            f"<h4>{html.escape(str(row['label']))}{year}：{len(spans)} × {html.escape(term)}</h4>"
            f'<div class="analysis-text">{_highlighted(str(row["text"]), spans)}</div></section>')
    style = (f"<style>#{dom} .analysis-text {{ max-height: 16em; overflow: auto; border: 1px solid #ddd;"
             f" padding: 0 0.8em; line-height: 1.7; }} #{dom} mark {{ background: #ffe08a; }}"
             f" #{dom} mark:target {{ background: #ff9f43; outline: 2px solid #d35400; }}"
             f" #{dom} td.kwic-match {{ font-weight: bold; color: #b03a2e; }}</style>")
    note = (f"<p>{len(table)} lines in {len(order)} documents. Click a header to sort (左 sorts by the words just "
            "before the match, read right to left); click a document to read it with every hit marked.</p>")
    body = f'<div id="{dom}">{style}{note}{grid}<h4>阅读 reading</h4>{"".join(sections)}</div>'
    return View(body, {"kwic": table})


# ----- a formula's company ------------------------------------------------------------------------
def company_data(corpus, *, max_sentences: int = 5, max_partners: int = 25) -> dict[str, pd.DataFrame]:
    """``pairs`` (``item, partner, context, n_ab, n_a, n_b, npmi, g2`` in both directions, for every
    level) and ``sentences`` (``item, partner, label, year, sentence``: where the two meet in a sentence)."""
    tables = []
    for level in LEVELS:
        pairs = corpus.cooccurrence(context=level)
        a, b = ("item_a", "item_b") if "item_a" in pairs.columns else ("slogan_a", "slogan_b")
        keep = pairs[[a, b, "context", "n_ab", "n_a", "n_b", "npmi", "g2"]]
        tables.append(keep.rename(columns={a: "item", b: "partner"}))
        tables.append(keep.rename(columns={a: "partner", b: "item", "n_a": "n_b", "n_b": "n_a"}))
    pairs = pd.concat(tables, ignore_index=True)[["item", "partner", "context", "n_ab", "n_a", "n_b", "npmi", "g2"]]
    pairs = pairs.sort_values(["item", "context", "n_ab", "partner"], ascending=[True, True, False, True],
                              kind="stable").reset_index(drop=True)
    pairs = pairs.groupby(["item", "context"], sort=False).head(max_partners).reset_index(drop=True)
    pairs[["npmi", "g2"]] = pairs[["npmi", "g2"]].round(3)

    found = corpus.mentions()
    column = "item"
    found = found.assign(doc_id=found["doc_id"].astype(str))
    by_sentence = found.groupby(["doc_id", "sent_id"])[column].agg(lambda s: sorted(set(s)))
    rows = []
    for (doc_id, sent_id), items in by_sentence.items():
        for x in items:
            for y in items:
                if x != y:
                    rows.append((x, y, doc_id, sent_id))
    meets = pd.DataFrame(rows, columns=["item", "partner", "doc_id", "sent_id"])
    meets = _sample(meets, ["item", "partner"], max_sentences).reset_index(drop=True)
    docs = corpus.dated().set_index("doc_id")
    sents = corpus.sentences.assign(doc_id=corpus.sentences["doc_id"].astype(str)).set_index(["doc_id", "sent_id"])
    texts = corpus.documents.set_index("doc_id")["text"]
    sentence = [texts[d][int(sents.loc[(d, s), "start"]): int(sents.loc[(d, s), "end"])].replace("\n", " ")[:160]
                for d, s in zip(meets["doc_id"], meets["sent_id"])]
    year = meets["doc_id"].map(docs["year"]).astype("Int64").astype(str).replace("<NA>", "")
    out = pd.DataFrame({"item": meets["item"], "partner": meets["partner"],
                        "label": meets["doc_id"].map(docs["label"]).astype(str), "year": year, "sentence": sentence})
    return {"pairs": pairs, "sentences": out}


def company(corpus, formula: str | None = None, *, name: str = "company", max_sentences: int = 5) -> View:
    """Choose a formula and see the formulas it keeps company with in the same sentence, paragraph
    or document (counts and NPMI), and — clicking a partner — the sentences where the two meet."""
    import altair as alt

    data = company_data(corpus, max_sentences=max_sentences)
    pairs = data["pairs"]
    formulas = sorted(pairs["item"].unique())
    if not formulas:
        return View("<p>No two formulas occur together in this corpus.</p>", data)
    if formula is None:
        counts = pairs[pairs["context"] == "sentence"].groupby("item")["n_ab"].sum()
        formula = counts.sort_values(ascending=False, kind="stable").index[0] if len(counts) else formulas[0]
    elif formula not in formulas:
        raise unknown("formula with company", formula, formulas)
    pick = alt.param(name="formula", value=formula, bind=alt.binding_select(options=formulas, name="提法 "))
    level = alt.param(name="level", value="sentence",
                      bind=alt.binding_radio(options=list(LEVELS), labels=[LEVEL_NAMES[x] for x in LEVELS],
                                             name="范围 "))
    partner = alt.selection_point(name="partner_pick", fields=["partner"], on="click", empty=False, clear="dblclick")
    bars = alt.Chart(alt.Data(values=_records(pairs))).transform_filter(
        "datum.item == formula && datum.context == level").transform_window(
        rank="row_number()", sort=[alt.SortField("n_ab", order="descending")]).transform_filter(
        "datum.rank <= 25").mark_bar().encode(
        y=alt.Y("partner:N", sort="-x", title=None), x=alt.X("n_ab:Q", title="共现次数"),
        color=alt.Color("npmi:Q", title="NPMI", scale=alt.Scale(scheme="blues", domain=[-1, 1])),
        opacity=alt.condition(partner, alt.value(1.0), alt.value(0.75)),
        tooltip=[alt.Tooltip("partner:N", title="提法"), alt.Tooltip("n_ab:Q", title="共现次数"),
                 alt.Tooltip("n_a:Q", title="所选提法出现的语境数"), alt.Tooltip("n_b:Q", title="该提法出现的语境数"),
                 alt.Tooltip("npmi:Q", title="NPMI", format=".2f"), alt.Tooltip("g2:Q", title="G²", format=".1f")],
    ).add_params(pick, level, partner).properties(width=420, height=alt.Step(18),
                                                  title="与所选提法共现的提法（点击查看同句例子，双击清除）")
    rows = alt.Chart(alt.Data(values=_records(data["sentences"]))).transform_filter(
        "datum.item == formula").transform_filter(partner).transform_window(
        row="row_number()").mark_text(align="left", baseline="top", limit=760).encode(
        y=alt.Y("row:O", axis=None), text=alt.Text("line:N"),
    ).transform_calculate(line="datum.year + ' ' + datum.label + '：' + datum.sentence").properties(
        width=560, height=alt.Step(18), title="同一句中相遇的例子")
    spec = _config(alt.vconcat(bars, rows, spacing=12)).to_dict()
    return View(chart_html(spec, name), data)
