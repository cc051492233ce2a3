"""Every rendered page in a real headless Chromium (Playwright driving the system's Chromium) with the
network off: no errors, nothing fetched, the CJK web font on every element that draws text, controls
included, and the views of notebook 06 driven with the mouse — after each click, what the click
should show is on screen: inside the viewport, not cut by its container, not covered. Screenshots
are saved under the test session's temporary folder (its path is printed)."""
from __future__ import annotations

import re

import pytest

import chrome
from zhengyan.present import render

REASON = chrome.missing()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"browser tests skipped: {REASON}")

from site_render import site  # noqa: E402  (renders only when the tests run)

PAGES = [p.stem for p in render.notebook_files()] + ["index"]
EXPLORER = "#view_explorer"
#: Every kind of element that draws text of its own rather than inheriting the page's font.
CONTROLS = "input, select, option, button, textarea"


def _in_web_font(ch: str) -> bool:
    for part in render.UNICODE_RANGE.split(","):
        low, _, high = part.strip()[2:].partition("-")
        if int(low, 16) <= ord(ch) <= int(high or low, 16):
            return True
    return False


@pytest.fixture(scope="module")
def browser():
    b = chrome.Browser()
    yield b
    b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"screenshots in {folder}")
    return folder


def _open(browser, name):
    browser.open((site() / "rendered" / f"{name}.html").as_uri())
    # the tables are drawn by a script once the page has loaded: wait until each has its controls
    browser.page.wait_for_function("[...document.querySelectorAll('table[id^=table_]')].every("
                                   "t => t.closest('div.dt-container'))", timeout=30_000)
    if name == "06-explore":
        browser.page.wait_for_selector(f"{EXPLORER} .ax-chart svg .mark-symbol.role-mark path", timeout=60_000)
        browser.page.wait_for_selector(f"{EXPLORER} .ax-kwic table tr", timeout=10_000)


def _assert_seen(browser, locator, what):
    seen = browser.seen(locator)
    assert seen["size"] and seen["inViewport"] and not seen["clippedBy"] and seen["onTop"], (what, seen)


def _families(browser, selector):
    return browser.evaluate(f"[...document.querySelectorAll({selector!r})].map(e => [e.tagName, "
                            "getComputedStyle(e).fontFamily])")


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_offline_in_the_web_font_controls_included(browser, shots, name):
    _open(browser, name)
    assert browser.errors() == []
    assert browser.remote_requests() == []
    family = render.WEB_FONT
    loaded = browser.evaluate(
        f"document.fonts.load('16px \"{family}\"', '党').then(() => document.fonts.check('16px \"{family}\"', '党'))")
    assert loaded is True
    faces = browser.evaluate("[...document.fonts].map(f => [f.family, f.status])")
    assert [family, "loaded"] in [[f.strip('"'), s] for f, s in faces]
    # the heading's Chinese is drawn by the web font, not by a system font (nor as empty boxes)
    drawn = browser.fonts_used("h1")
    cjk = sum(1 for ch in browser.evaluate("document.querySelector('h1').textContent") if _in_web_font(ch))
    assert cjk and [g for f, custom, g in drawn if custom] == [cjk], drawn
    # every control of the page (search boxes, page-length menus, the explorer's box and pickers,
    # the code toggle) is set in the web font first
    controls = _families(browser, CONTROLS)
    assert all(f'"{family}"' in f.split(",")[0] or f.split(",")[0].strip('"').startswith(family)
               for _, f in controls), controls
    browser.screenshot(shots / f"{name}.png")
    assert browser.evaluate("document.documentElement.lang") == "zh"
    assert browser.evaluate("document.title")


def test_reading_mode_hides_code_until_asked(browser, shots):
    _open(browser, "01-corpus-overview")
    code = browser.page.locator(".jp-CodeCell .jp-Cell-inputWrapper")
    assert code.count() >= 1
    assert not code.first.is_visible()
    toggle = browser.page.locator("button.analysis-code-toggle")
    _assert_seen(browser, toggle, "the code toggle")
    toggle.click()
    code.first.scroll_into_view_if_needed()
    _assert_seen(browser, code.first, "the first code cell, shown")
    assert toggle.get_attribute("aria-pressed") == "true"
    browser.screenshot(shots / "01-code-shown.png")
    toggle.click()
    assert not code.first.is_visible()


def test_every_table_has_a_search_box_and_pages_only_when_long(browser):
    for name in ("01-corpus-overview", "02-term-frequencies"):
        _open(browser, name)
        found = browser.evaluate("""[...document.querySelectorAll('div.dt-container')].map(c => [
            !!c.querySelector('.dt-search input'), !!c.querySelector('.dt-paging'),
            c.querySelector('.dt-info').textContent])""")
        assert found, name
        for search, paging, info in found:
            total = int(re.search(r"of ([\d,]+) entr", info).group(1).replace(",", ""))
            assert search and paging == (total > 10), (name, info)


def _point(browser, item, year):
    """The chart's point of ``item`` in ``year`` (Vega keeps each mark's data on its SVG element)."""
    index = browser.evaluate(f"""[...document.querySelectorAll('{EXPLORER} .mark-symbol.role-mark path')]
        .findIndex(p => p.__data__ && p.__data__.datum.item === {item!r} && p.__data__.datum.year === {year})""")
    assert index >= 0, (item, year)
    return browser.page.locator(f"{EXPLORER} .mark-symbol.role-mark path").nth(index)


def _type_terms(browser, text):
    box = browser.page.locator(f"{EXPLORER} input.ax-terms")
    box.fill(text)
    box.dispatch_event("change")


def test_explorer_year_click_shows_that_years_lines(browser, shots):
    _open(browser, "06-explore")
    _type_terms(browser, "三会一课，一岗双责")
    page = browser.page
    page.wait_for_function(f"document.querySelectorAll('{EXPLORER} .role-legend-label text').length === 2")
    legend = page.locator(f"{EXPLORER} .role-legend-label text").all_text_contents()
    assert sorted(legend) == ["一岗双责", "三会一课"]
    _point(browser, "三会一课", 2007).click()
    head = page.locator(f"{EXPLORER} .ax-kwic h4")
    page.wait_for_function(f"document.querySelector('{EXPLORER} .ax-kwic h4').textContent.includes('2007')")
    assert "三会一课" in head.text_content()
    rows = page.locator(f"{EXPLORER} .ax-kwic tr[data-hit]")
    assert rows.count() >= 1
    for i in range(rows.count()):
        assert rows.nth(i).locator("td.ax-doc").text_content().startswith("2007")
        assert rows.nth(i).locator("td.ax-match").text_content() == "三会一课"
        _assert_seen(browser, rows.nth(i), f"line {i} of 2007")
    # the label is printed once ("2007 奉节", not "2007 2007 奉节")
    label = rows.first.locator("td.ax-doc").text_content()
    assert not re.match(r"(\d{4}) \1", label), label
    browser.screenshot(shots / "06-explorer-year.png")
    # another year of the same term: the lines change to that year's
    _point(browser, "三会一课", 2020).click()
    page.wait_for_function(f"document.querySelector('{EXPLORER} .ax-kwic h4').textContent.includes('2020')")
    years = {rows.nth(i).locator("td.ax-doc").text_content()[:4] for i in range(rows.count())}
    assert years == {"2020"}
    _assert_seen(browser, rows.first, "first line of 2020")
    # the bar of a year narrows the lines to that year too, keeping the term
    bar = browser.evaluate(f"""[...document.querySelectorAll('{EXPLORER} .mark-rect.role-mark path')]
        .findIndex(p => p.__data__ && p.__data__.datum.year === 2007)""")
    page.locator(f"{EXPLORER} .mark-rect.role-mark path").nth(bar).click()
    page.wait_for_function(f"document.querySelector('{EXPLORER} .ax-kwic h4').textContent.includes('2007')")
    assert "三会一课" in head.text_content()
    _assert_seen(browser, rows.first, "first line of 2007, chosen by its bar")
    # all years again
    page.locator(f"{EXPLORER} .ax-kwic button.ax-all-years").click()
    page.wait_for_function(f"!document.querySelector('{EXPLORER} .ax-kwic h4').textContent.includes('2020')")
    years = {rows.nth(i).locator("td.ax-doc").text_content()[:4] for i in range(rows.count())}
    assert years == {"2007", "2020"}
    assert browser.errors() == []


def test_explorer_says_when_a_term_is_not_in_the_page(browser, shots):
    _open(browser, "06-explore")
    _type_terms(browser, "三会一课，不在这里的词")
    message = browser.page.locator(f"{EXPLORER} .ax-message")
    browser.page.wait_for_function(f"document.querySelector('{EXPLORER} .ax-message').textContent.length > 0")
    assert "「不在这里的词」" in message.text_content()
    _assert_seen(browser, message, "the message naming the missing term")
    legend = browser.page.locator(f"{EXPLORER} .role-legend-label text").all_text_contents()
    assert legend == ["三会一课"]
    browser.screenshot(shots / "06-explorer-unknown.png")


def test_linked_views_follow_the_chosen_term(browser, shots):
    _open(browser, "06-explore")
    page = browser.page
    _type_terms(browser, "全面从严治党，一岗双责")
    for term in ("一岗双责", "全面从严治党"):
        page.locator(f"{EXPLORER} select.ax-focus").select_option(term)
        matches = page.locator(f"{EXPLORER} .ax-kwic td.ax-match").all_text_contents()
        assert matches and set(matches) == {term}
        assert page.locator(f"{EXPLORER} .ax-reader mark").text_content() == term
        assert f"「{term}」" in page.locator(f"{EXPLORER} .ax-company h4").first.text_content()
    # a line clicked: the reader shows its passage, on screen
    rows = page.locator(f"{EXPLORER} .ax-kwic tr[data-hit]")
    last = rows.nth(rows.count() - 1)
    left = last.locator("td.ax-left").text_content()
    last.click()
    passage = page.locator(f"{EXPLORER} .ax-reader .ax-passage")
    assert left in passage.text_content()
    _assert_seen(browser, passage, "the passage of the clicked line")
    # the company: a partner clicked shows the sentences where the two meet, on screen
    partner = page.locator(f"{EXPLORER} .ax-company button[data-partner]").first
    name = partner.get_attribute("data-partner")
    partner.click()
    head = page.locator(f"{EXPLORER} .ax-company .ax-meets-head")
    assert name in head.text_content() and "全面从严治党" in head.text_content()
    sentences = page.locator(f"{EXPLORER} .ax-company .ax-meets li")
    assert sentences.count() >= 1
    _assert_seen(browser, sentences.first, "the first sentence where the two meet")
    browser.screenshot(shots / "06-explorer-company.png")
    # another level: the partners change to that level's
    sentence_level = page.locator(f"{EXPLORER} .ax-company button[data-partner]").all_text_contents()
    page.locator(f"{EXPLORER} .ax-company input[value=document]").check()
    document_level = page.locator(f"{EXPLORER} .ax-company button[data-partner]").all_text_contents()
    assert document_level and document_level != sentence_level
    # a point of the chart clicked sets the term the other panels follow
    _point(browser, "一岗双责", 2020).click()
    page.wait_for_function(f"document.querySelector('{EXPLORER} select.ax-focus').value === '一岗双责'")
    assert set(page.locator(f"{EXPLORER} .ax-kwic td.ax-match").all_text_contents()) == {"一岗双责"}
    assert "「一岗双责」" in page.locator(f"{EXPLORER} .ax-company h4").first.text_content()
    assert browser.errors() == []


def test_explorer_controls_draw_chinese_in_the_web_font(browser):
    _open(browser, "06-explore")
    for selector in (f"{EXPLORER} select.ax-focus", f"{EXPLORER} label", f"{EXPLORER} .ax-company .ax-name"):
        # a select draws only its chosen option; the others draw when the list opens
        text = browser.evaluate(f"(e => e.selectedOptions ? e.selectedOptions[0].textContent : [...e.childNodes]"
                                f".filter(n => n.nodeType === 3).map(n => n.textContent).join(''))"
                                f"(document.querySelector({selector!r}))")
        cjk = sum(1 for ch in text if _in_web_font(ch))
        drawn = browser.fonts_used(selector)
        # every Chinese character is drawn by the web font (digits and spaces may come from a system font)
        assert cjk and sum(g for _, custom, g in drawn if custom) == cjk, (selector, text, drawn)


def test_kwic_sorts_by_right_context_and_opens_the_document(browser, shots):
    _open(browser, "06-explore")
    page = browser.page
    cells = "[...document.querySelectorAll('#view_kwic table.dataTable tbody tr')].map(r => r.cells[N].textContent)"
    before = browser.evaluate(cells.replace("N", "4"))
    assert len(before) >= 2
    page.locator("#view_kwic table.dataTable thead th:nth-child(5)").click()
    page.wait_for_selector("#view_kwic table.dataTable thead th.dt-ordering-asc")
    assert browser.evaluate(cells.replace("N", "4")) == sorted(before)  # code-point order
    page.locator("#view_kwic table.dataTable thead th:nth-child(3)").click()
    # (this column sorts by a hidden key column, so no header is marked: wait for the rows to move)
    page.wait_for_function("(() => { const k = [...document.querySelectorAll('#view_kwic table.dataTable tbody tr')]"
                           ".map(r => [...r.cells[2].textContent].reverse().join(''));"
                           " return k.every((v, i) => i === 0 || k[i - 1] <= v); })()")
    lefts = browser.evaluate(cells.replace("N", "2"))
    assert lefts == sorted(lefts, key=lambda s: s[::-1])  # by the words just before, read right to left
    search = page.locator("#view_kwic .dt-search input")
    _assert_seen(browser, search, "the KWIC's search box")
    link = page.locator("#view_kwic table.dataTable a.kwic-link").first
    link.click()
    page.wait_for_function("location.hash.length > 1")
    target = browser.evaluate("location.hash")
    assert target.startswith("#view_kwic-d")
    mark = page.locator(target)
    assert mark.evaluate("m => m.tagName") == "MARK" and mark.text_content() == "一岗双责"
    _assert_seen(browser, mark, "the hit the link leads to")
    browser.screenshot(shots / "06-kwic-reading.png")
    assert browser.errors() == []


def test_company_shows_the_sentences_of_a_partner_under_the_chart(browser, shots, seeds_corpus, tmp_path):
    import nbformat

    from zhengyan.present import explore

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# 共现 company"))
    for view in (explore.setup(), explore.company(seeds_corpus, "全面从严治党", name="company")):
        cell = nbformat.v4.new_code_cell("view")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": view.html, "text/plain": "view"})]
        nb.cells.append(cell)
    page = tmp_path / "company.html"
    page.write_text(render.to_html(nb), encoding="utf-8")
    browser.open(page.as_uri())
    bars = browser.page.locator("#view_company .mark-rect.role-mark path")
    bars.first.wait_for(timeout=60_000)
    lines = browser.page.locator("#view_company .company-lines li")
    assert lines.count() == 0
    bars.first.click()
    lines.first.wait_for()
    partner = bars.first.evaluate("p => p.__data__.datum.partner")
    assert partner in browser.page.locator("#view_company .company-head").text_content()
    for i in range(lines.count()):
        assert not re.match(r"(\d{4}) \1", lines.nth(i).text_content())
    _assert_seen(browser, lines.first, "the first sentence of the partner")
    browser.screenshot(shots / "company-chart.png")
    # another formula chosen: the sentences of the old pair go
    browser.page.locator("#view_company select").select_option("三会一课")
    browser.page.wait_for_function("!document.querySelector('#view_company .company-lines li')")
    assert browser.errors() == []


def test_a_view_draws_its_chinese_with_its_own_font_outside_the_rendered_page(browser, seeds_corpus, tmp_path, shots):
    """As in JupyterLab: the view's HTML alone in a page that declares no font of its own."""
    from zhengyan.present import explore

    view = explore.explorer(seeds_corpus, ["三会一课"], name="alone")
    page = tmp_path / "alone.html"
    page.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{explore.setup().html}'
                    f"{view.html}</body></html>", encoding="utf-8")
    browser.open(page.as_uri())
    browser.page.wait_for_selector("#view_alone .role-legend-label text", timeout=60_000)
    for selector in ("#view_alone select.ax-focus", "#view_alone .role-legend-label text", "#view_alone h4"):
        text = browser.evaluate(f"(e => e.selectedOptions ? e.selectedOptions[0].textContent : [...e.childNodes]"
                                f".filter(n => n.nodeType === 3).map(n => n.textContent).join(''))"
                                f"(document.querySelector({selector!r}))")
        cjk = sum(1 for ch in text if _in_web_font(ch))
        drawn = browser.fonts_used(selector)
        assert cjk and sum(g for _, custom, g in drawn if custom) == cjk, (selector, text, drawn)
    family = browser.evaluate("getComputedStyle(document.querySelector('#view_alone input.ax-terms')).fontFamily")
    assert family.startswith(f'"{render.WEB_FONT} view_alone"'), family
    browser.screenshot(shots / "view-alone.png")
    assert browser.errors() == []
