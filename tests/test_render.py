"""Rendering to HTML: a web font cut to the page, a real title and alt text, nothing from the network."""
import base64
import io
import re

import nbformat
import pytest
from fontTools.ttLib import TTFont

from zhengyan.present import display, render
from zhengyan.core import paths


def _notebook():
    nb = nbformat.v4.new_notebook()
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode("ascii")
    output = nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"},
                                    metadata={"image/png": {"alt": "提法的年度变化"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# 机关党建 (a test)\n\n三会一课 in *one* page."),
                nbformat.v4.new_code_cell("fig", outputs=[output], execution_count=1)]
    return nb


def test_page_characters_read_text_and_escaped_data():
    assert render.page_characters('党 "\\u4e09\\u4f1a"') >= {"党", "三", "会", " "}
    assert "\n" not in render.page_characters("a\nb")


def test_web_font_holds_exactly_the_characters_asked_for():
    data = render.web_font({"党", "建", "A"})
    assert data[:4] == b"wOF2"
    font = TTFont(io.BytesIO(data))
    assert set(font.getBestCmap()) == {ord("党"), ord("建"), ord("A")}
    assert render.web_font({"建", "党", "A"}) == data  # the same bytes on every run


def test_page_is_self_contained_titled_and_in_chinese():
    nb = _notebook()
    page = render.to_html(nb, footer="corpus: <code>seeds</code>")
    assert '<html lang="zh">' in page
    assert "<title>机关党建 (a test)</title>" in page
    assert 'alt="提法的年度变化"' in page
    assert re.findall(r'(?:src|href)="https?://', page) == []
    assert "require.min.js" not in page and "MathJax" not in page and "mermaid.esm" not in page
    assert 'font-family: "Analysis CJK"' in page and "data:font/woff2;base64," in page
    assert '<footer class="analysis-footer">corpus: <code>seeds</code></footer>' in page
    font = re.search(r"base64,([A-Za-z0-9+/=]+)\) format", page).group(1)
    cmap = set(TTFont(io.BytesIO(base64.b64decode(font))).getBestCmap())
    assert {ord(c) for c in "机关党建三会一课提法的年度变化"} <= cmap
    assert ord("龘") not in cmap  # only what the page shows
    assert render.to_html(nb, footer="corpus: <code>seeds</code>") == page


def test_title_and_summary_come_from_the_notebook():
    nb = _notebook()
    assert render.title(nb, "fallback") == "机关党建 (a test)"
    assert render.summary(nb) == "三会一课 in one page."
    nb.metadata["analysis"] = {"answers": "Which formulas rise?"}
    assert render.summary(nb) == "Which formulas rise?"
    assert render.title(nbformat.v4.new_notebook(), "fallback") == "fallback"


def test_a_notebook_can_name_its_corpus():
    nb = _notebook()
    assert render.pinned_corpus(nb) is None
    nb.metadata["analysis"] = {"corpus": "corpora/prc_reports"}
    assert render.pinned_corpus(nb) == paths.PRC_REPORTS


def test_provenance_names_corpus_fingerprint_version_and_years(speech_folder):
    line = render.provenance(speech_folder)
    assert "<code>corpus</code>" in line and "documents dated 2019–2021" in line
    assert f"zhengyan {render.package_version()}" in line
    before = render.corpus_fingerprint(speech_folder)
    assert re.fullmatch(r"[0-9a-f]{16}", before)
    (speech_folder / "b.txt").write_text("机关党建要抓实。\n", encoding="utf-8")
    assert render.corpus_fingerprint(speech_folder) != before


def test_render_checks_its_options(tmp_path):
    with pytest.raises(ValueError, match="jobs must be"):
        render.render_all(paths.SEEDS, [], jobs=0, out=tmp_path)
    with pytest.raises(FileNotFoundError, match="corpus folder not found"):
        render.render_all(tmp_path / "missing")


def test_table_is_searchable_escaped_rounded_and_stable():
    import pandas as pd

    frame = pd.DataFrame({"item": ["三会一课", "<b>x</b>"], "g2": [44.806517, 7.180166e-12], "n": [3, 4]})
    shown = display.table(frame, "pairs")
    page = shown._repr_html_()
    assert 'id="table_pairs"' in page
    assert "44.81" in page and "44.806517" not in page
    assert "7.2e-12" in page  # a tiny p-value keeps its significant figures instead of showing 0
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert display.table(frame, "pairs")._repr_html_() == page
    assert shown.frame is frame
    with pytest.raises(ValueError, match="needs a name"):
        display.table(frame, "")


def test_figure_title_for_alt_text():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    ax.set_ylabel("每万字")
    assert display.figure_title(fig) == "每万字"
    ax.set_title("三会一课")
    assert display.figure_title(fig) == "三会一课"
    fig.suptitle("提法的年度变化")
    assert display.figure_title(fig) == "提法的年度变化"


def test_the_index_sets_apart_a_notebook_that_reads_its_own_corpus(speech_folder):
    note = render._other_corpus_note(paths.PRC_REPORTS, speech_folder)
    assert note == f" (always on corpora/prc_reports, not on {speech_folder.name})"
    assert render._other_corpus_note(speech_folder, speech_folder) == ""
