"""The explore views: a formula's company found by joins (the same sentences the per-sentence lookup
found), bounded data stated in the view, labels printed once, the view's own font, and the HTML
parts of the rendered page (controls in the web font, the search box always, the reading mode)."""
from __future__ import annotations

import base64
import io
import json
import re

import nbformat
import pandas as pd
import pytest
from fontTools.ttLib import TTFont

from zhengyan.present import display, explore, render
from zhengyan import load_corpus


def _old_company_sentences(corpus, max_sentences=5):
    """The sentences of a formula's company as the view found them before: one MultiIndex lookup
    per sentence (kept here as the reference the join must equal)."""
    found = corpus.mentions()
    column = "item" if "item" in found.columns else "slogan"
    found = found.assign(doc_id=found["doc_id"].astype(str))
    by_sentence = found.groupby(["doc_id", "sent_id"])[column].agg(lambda s: sorted(set(s)))
    rows = []
    for (doc_id, sent_id), items in by_sentence.items():
        for x in items:
            for y in items:
                if x != y:
                    rows.append((x, y, doc_id, sent_id))
    meets = pd.DataFrame(rows, columns=["item", "partner", "doc_id", "sent_id"])
    meets = meets.groupby(["item", "partner"], sort=False).head(max_sentences).reset_index(drop=True)
    docs = corpus.dated().set_index("doc_id")
    sents = corpus.sentences.assign(doc_id=corpus.sentences["doc_id"].astype(str)).set_index(["doc_id", "sent_id"])
    texts = corpus.documents.set_index("doc_id")["text"]
    sentence = [texts[d][int(sents.loc[(d, s), "start"]): int(sents.loc[(d, s), "end"])].replace("\n", " ")[:160]
                for d, s in zip(meets["doc_id"], meets["sent_id"])]
    year = meets["doc_id"].map(docs["year"]).astype("Int64").astype(str).replace("<NA>", "")
    return pd.DataFrame({"item": meets["item"], "partner": meets["partner"],
                         "label": meets["doc_id"].map(docs["label"]).astype(str), "year": year, "sentence": sentence})


def _plain(frame):
    return frame.astype(str).reset_index(drop=True)


def test_company_sentences_equal_the_per_sentence_lookup_on_the_seeds(seeds_corpus):
    new = explore.company_data(seeds_corpus)["sentences"]
    old = _old_company_sentences(seeds_corpus)
    assert len(new) > 10
    pd.testing.assert_frame_equal(_plain(new), _plain(old))


def test_company_sentences_equal_the_per_sentence_lookup_on_the_reports(prc_corpus):
    new = explore.company_data(prc_corpus, max_sentences=2)["sentences"]
    old = _old_company_sentences(prc_corpus, max_sentences=2)
    assert len(new) > 10
    pd.testing.assert_frame_equal(_plain(new), _plain(old))


@pytest.fixture
def two_formulas(tmp_path):
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "a.txt").write_text("三会一课和一岗双责要一起抓。机关要抓好三会一课。\n另起一段讲一岗双责。\n",
                                  encoding="utf-8")
    (folder / "b.txt").write_text("基层要落实三会一课，也要落实一岗双责。\n", encoding="utf-8")
    (folder / "metadata.csv").write_text("doc_id,title,year\na,甲,2019\nb,乙,2021\n", encoding="utf-8")
    return load_corpus(folder)


def test_meetings_pair_the_formulas_of_each_sentence(two_formulas):
    meets = explore.meetings(two_formulas)
    # two sentences hold both formulas (one in each document), each pair in both directions
    assert sorted(map(tuple, meets[["item", "partner"]].values.tolist())) == [
        ("一岗双责", "三会一课"), ("一岗双责", "三会一课"), ("三会一课", "一岗双责"), ("三会一课", "一岗双责")]
    sentences = explore.company_data(two_formulas)["sentences"]
    first = sentences[sentences["item"] == "三会一课"]
    assert list(first["sentence"]) == ["三会一课和一岗双责要一起抓。", "基层要落实三会一课，也要落实一岗双责。"]
    assert list(first["year"]) == ["2019", "2021"]
    assert list(explore.company_data(two_formulas, max_sentences=1)["sentences"]["sentence"]) == [
        "三会一课和一岗双责要一起抓。", "三会一课和一岗双责要一起抓。"]


def test_capped_takes_every_groups_first_rows_before_any_seconds():
    frame = pd.DataFrame({"g": list("aaaabbc"), "v": range(7)})
    kept = explore._capped(frame, ["g"], per_group=2, total=4)
    # round one: a0, b4, c6; round two: a1 (b5 would be the fifth)
    assert list(kept["v"]) == [0, 1, 4, 6]
    assert list(explore._capped(frame, ["g"], per_group=3, total=99)["v"]) == [0, 1, 2, 4, 5, 6]


def test_labels_carry_the_year_once():
    docs = pd.DataFrame({"label": ["2020 咸宁", "奉节", "无年"], "year": [2020, 2007, None]})
    assert list(explore._labels(docs)) == ["2020 咸宁", "2007 奉节", "无年"]


def test_explorer_holds_bounded_sentences_and_states_the_bound(seeds_corpus):
    view = explore.explorer(seeds_corpus, name="bounded", per_cell=1, max_sentences=12)
    hits = view.data["hits"]
    assert 0 < len(hits) <= 12
    assert hits.groupby(["item", "year"]).size().max() == 1
    assert "at most 1 sentences per term and year and 12 in all" in view.html
    mentions = int(view.data["bounds"]["mentions"].iloc[0])
    assert f"here {len(hits)} of {mentions} mentions" in view.html
    # each line is the text around a real mention of its item
    texts = "\n".join(seeds_corpus.documents["text"])
    for row in hits.itertuples():
        assert row.left + row.match + row.right in texts
    # the labels are printed once
    assert not any(re.match(r"(\d{4}) \1", label) for label in hits["label"])


def test_explorer_draws_the_terms_asked_for_and_says_when_one_is_absent(seeds_corpus):
    view = explore.explorer(seeds_corpus, ["三会一课", "一岗双责"], name="asked")
    assert view.initial == ["三会一课", "一岗双责"]
    numbers = explore.numbers(view)
    assert set(numbers["item"]) == {"三会一课", "一岗双责"}
    expected = seeds_corpus.trend(["三会一课", "一岗双责"]).sort_values(["item", "year"]).reset_index(drop=True)
    assert list(numbers["n"]) == list(expected["n"])
    # a term asked for that the corpus lacks: drawn at zero, and the page has the words that say so
    absent = explore.explorer(seeds_corpus, ["不在语料中的词"], name="absent")
    rates = absent.data["rates"]
    assert rates.loc[rates["item"] == "不在语料中的词", "n"].tolist() == [0, 0]
    assert "does not occur in this corpus" in absent.html


def test_explorer_spec_grows_with_its_content(seeds_corpus):
    view = explore.explorer(seeds_corpus, name="grows")
    spec = re.search(r'<script [^>]*class="ax-data"[^>]*>(.*?)</script>', view.html, re.S)
    assert spec is not None
    assert json.loads(spec.group(1))["spec"]["autosize"] == {"type": "pad", "resize": True}


def _faces(page):
    return re.findall(r'font-family: "([^"]+)";[^}]*?base64,([A-Za-z0-9+/=]+)\) format', page)


def test_view_carries_its_own_font_and_the_page_replaces_it(seeds_corpus):
    view = explore.kwic_view(seeds_corpus, "三会一课", name="font")
    faces = _faces(view.html)
    assert [family for family, _ in faces] == [f"{render.WEB_FONT} view_font"]
    cmap = set(TTFont(io.BytesIO(base64.b64decode(faces[0][1]))).getBestCmap())
    body = view.html.split("</style>", 1)[1]
    assert {ord(ch) for ch in "三会一课阅读" if ch in body} <= cmap
    assert "#view_font select" in view.html and "#view_font button" in view.html
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# 字体"))
    cell = nbformat.v4.new_code_cell("view")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": view.html, "text/plain": "view"})]
    nb.cells.append(cell)
    page = render.to_html(nb)
    assert [family for family, _ in _faces(page)] == [render.WEB_FONT]


def test_page_sets_every_control_in_the_web_font():
    css = render.font_css({"党"})
    rule = css[css.index("body, table"):]
    rule = rule[:rule.index("{")]
    for control in ("input", "select", "option", "button", "textarea", ".dt-container input",
                    ".dt-container select", ".vega-bindings select"):
        assert re.search(rf"(^|, ){re.escape(control)}(,|\s*$)", rule.strip()), control


def test_page_hides_code_until_the_toggle_shows_it():
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# 阅读"))
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    page = render.to_html(nb)
    assert 'class="analysis-code-toggle"' in page
    assert "html:not(.analysis-show-code) .jp-CodeCell .jp-Cell-inputWrapper { display: none; }" in page
    assert "<script src=" not in page  # still nothing loaded from anywhere


def test_table_shows_search_always_and_pages_only_when_long():
    def layout(rows):
        page = display.table_html(pd.DataFrame({"词": ["党"] * rows, "n": range(rows)}), f"t{rows}")
        return re.search(r'"layout": (\{[^}]*\})', page).group(1)

    short, long = layout(3), layout(30)
    assert '"topEnd": "search"' in short and '"bottomEnd": null' in short and '"topStart": null' in short
    assert '"topEnd": "search"' in long and '"bottomEnd": "paging"' in long and '"topStart": "pageLength"' in long


def test_table_sets_text_columns_from_the_left():
    page = display.table_html(pd.DataFrame({"n": [1], "词": ["党"], "x": [0.5]}), "align")
    assert '{"className": "dt-left", "targets": [1]}' in page or '{"targets": [1], "className": "dt-left"}' in page


def test_company_grows_with_its_sentences_and_prints_the_year_once(two_formulas):
    view = explore.company(two_formulas, "三会一课", name="grows")
    spec = json.loads(re.search(r"const spec = (\{.*?\});\n", view.html, re.S).group(1))
    assert spec["autosize"] == {"type": "pad", "resize": True}
    lines = json.loads(re.search(r'<script [^>]*class="company-data"[^>]*>(.*?)</script>', view.html, re.S).group(1))
    # the labels carry the year already, so the line prints it once
    assert lines["label"] == ["2019 甲", "2019 甲", "2021 乙", "2021 乙"]
    assert lines["sentence"][1] == "三会一课和一岗双责要一起抓。"


def test_first_term_falls_back_to_the_most_mentioned_formula(two_formulas):
    assert explore.first_term(two_formulas, "一岗双责") == "一岗双责"
    # three mentions each: the tie goes to name order (一 before 三)
    assert explore.first_term(two_formulas, "不在这里") == "一岗双责"
    assert explore.top_formulas(two_formulas, 2) == ["一岗双责", "三会一课"]


def test_explorer_gives_the_terms_asked_for_their_lines_first(seeds_corpus):
    data = explore.explorer_data(seeds_corpus, ["机关"], per_cell=1, max_sentences=2)
    years = sorted(seeds_corpus.dated()["year"].astype(int).unique())
    assert len(years) == 2
    # the total binds at two lines: both go to the term asked for, one for each of its years
    assert list(data["hits"]["item"]) == ["机关", "机关"] and sorted(data["hits"]["year"]) == years
