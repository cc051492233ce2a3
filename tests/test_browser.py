"""Every rendered page in a real headless Chromium with the network off: no errors, nothing fetched, the
CJK web font loaded, and the views of notebook 06 driven with the mouse. Screenshots go to rendered/screenshots/."""
import json
import time

import pytest

from zhengyan.core import paths
from zhengyan.present import render
from site_render import site

chrome = pytest.importorskip("chrome")
BINARY = chrome.executable()
pytestmark = pytest.mark.skipif(
    BINARY is None, reason="no Chromium found (apt-get install chromium, or run .ci/run, which installs it)")
SHOTS = paths.RENDERED / "screenshots"
PAGES = [p.stem for p in render.notebook_files()] + ["index"]


def _in_web_font(ch: str) -> bool:
    for part in render.UNICODE_RANGE.split(","):
        low, _, high = part.strip()[2:].partition("-")
        if int(low, 16) <= ord(ch) <= int(high or low, 16):
            return True
    return False


@pytest.fixture(scope="module")
def browser():
    b = chrome.Browser(BINARY)
    yield b
    b.close()


def _open(browser, name):
    browser.open((site() / "rendered" / f"{name}.html").as_uri())
    browser.until("document.readyState === 'complete'")
    browser.evaluate("document.fonts.ready.then(() => true)")
    if name == "06-explore":
        browser.until("!!(document.querySelector('#view_trend svg') && document.querySelector('#view_company svg'))")
    time.sleep(0.5)


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_offline_without_errors_in_the_web_font(browser, name):
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
    browser.screenshot(SHOTS / f"{name}.png")
    assert browser.evaluate("document.documentElement.lang") == "zh"
    assert browser.evaluate("document.title")


def test_tables_are_searchable_and_paginated(browser):
    _open(browser, "02-term-frequencies")
    tables = browser.evaluate("document.querySelectorAll('div.dt-container').length")
    # a table longer than a page gets pages and a search box; a short one is shown whole
    paged = browser.evaluate("document.querySelectorAll('div.dt-container .dt-paging').length")
    searches = browser.evaluate("document.querySelectorAll('div.dt-container .dt-search input').length")
    if tables == 0:
        pytest.skip("this notebook shows no display.table yet")
    assert paged >= 1 and searches == paged


def _legend(browser):
    return browser.evaluate("[...document.querySelectorAll('#view_trend .role-legend-label text')].map(t => t.textContent)")


def test_trend_explorer_draws_the_formulas_typed_in(browser):
    _open(browser, "06-explore")
    before = _legend(browser)
    browser.evaluate("""(() => { const box = document.querySelector('#view_trend input[type=text]');
        box.value = '三会一课，一岗双责'; box.dispatchEvent(new Event('input', {bubbles: true})); return true; })()""")
    browser.until("document.querySelectorAll('#view_trend .role-legend-label text').length === 2")
    assert sorted(_legend(browser)) == ["一岗双责", "三会一课"] != sorted(before)
    assert browser.evaluate("document.querySelectorAll('#view_trend .mark-line path').length") == 2
    # click the point of 2020: the sentences of that year appear below
    assert browser.evaluate("document.querySelectorAll('#view_trend .mark-text.role-mark text').length") == 0
    points = browser.evaluate("[...document.querySelectorAll('#view_trend .mark-symbol.role-mark path')].length")
    assert points == 4  # two formulas × the two years of the seeds
    browser.click("#view_trend .mark-symbol.role-mark path:last-child")
    lines = browser.until("""(() => { const t = [...document.querySelectorAll('#view_trend .mark-text.role-mark text')]
        .map(e => e.textContent); return t.length ? t : null; })()""")
    assert all(line.startswith(("2020", "2007")) for line in lines)
    assert any("【三会一课】" in line or "【一岗双责】" in line for line in lines)
    browser.screenshot(SHOTS / "06-explore-trend.png")
    assert browser.errors() == []


def test_kwic_sorts_by_right_context_and_opens_the_document(browser):
    _open(browser, "06-explore")
    rights = "[...document.querySelectorAll('#view_kwic table.dataTable tbody tr')].map(r => r.cells[4].textContent)"
    before = browser.evaluate(rights)
    assert len(before) >= 2
    browser.click("#view_kwic table.dataTable thead th:nth-child(5)")
    browser.until("!!document.querySelector('#view_kwic table.dataTable thead th.dt-ordering-asc')")
    time.sleep(0.5)
    after = browser.evaluate(rights)
    assert after == sorted(before)  # code-point order, as concordance.kwic(sort="right")
    browser.click("#view_kwic table.dataTable thead th:nth-child(3)")
    time.sleep(0.5)
    lefts = browser.evaluate(rights.replace("cells[4]", "cells[2]"))
    assert lefts == sorted(lefts, key=lambda s: s[::-1])  # by the words just before, read right to left
    browser.click("#view_kwic table.dataTable a.kwic-link")
    target = browser.until("location.hash")
    time.sleep(0.5)
    assert target.startswith("#view_kwic-d")
    mark = browser.evaluate(f"""(() => {{ const m = document.querySelector({json.dumps(target)});
        const r = m.getBoundingClientRect(); return [m.tagName, m.textContent, r.bottom > 0 && r.top < innerHeight]; }})()""")
    assert mark == ["MARK", "一岗双责", True]
    browser.screenshot(SHOTS / "06-explore-kwic.png")
    assert browser.errors() == []


def test_company_shows_partners_of_the_chosen_formula(browser):
    _open(browser, "06-explore")
    bars = "document.querySelectorAll('#view_company .mark-rect.role-mark path').length"
    first = browser.until(bars)
    browser.evaluate("""(() => { const s = document.querySelector('#view_company select');
        s.value = '三会一课'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()""")
    time.sleep(0.5)
    partners = browser.evaluate("[...document.querySelectorAll('#view_company .mark-rect.role-mark path')].map(p => p.getAttribute('aria-label'))")
    assert partners and first
    browser.click("#view_company .mark-rect.role-mark path")
    lines = browser.until("""(() => { const t = [...document.querySelectorAll('#view_company .mark-text.role-mark text')]
        .map(e => e.textContent); return t.length ? t : null; })()""")
    assert all("三会一课" in line for line in lines)
    browser.screenshot(SHOTS / "06-explore-company.png")
    assert browser.errors() == []
