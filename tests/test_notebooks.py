"""Every notebook runs top to bottom in a fresh kernel on the seeds, writes its figures and renders to HTML."""
import json
import re

import nbformat
import pytest

from zhengyan.core import paths
from zhengyan.present import render
from site_render import site

NOTEBOOKS = render.notebook_files()


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["01-corpus-overview.ipynb"]
    assert "06-explore.ipynb" in [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_and_writes_figures(notebook):
    nb = nbformat.read(site() / "notebooks" / notebook.name, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    streams = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream")
    assert "without encryption" not in streams
    number = notebook.name[:2]
    figures = sorted(p.name for p in (site() / "figures").glob(f"{number}-*.png"))
    committed = sorted(p.name for p in paths.FIGURES.glob(f"{number}-*.png"))
    assert figures == committed, "the committed figures/ differ from what the notebook writes: run make figures"


def test_committed_notebooks_carry_their_outputs_and_no_run_metadata():
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(c["execution_count"] for c in code), f"{path.name} has unexecuted cells: run make figures"
        data = [o.get("data", {}) for c in code for o in c["outputs"]]
        images = [d for d in data if "image/png" in d]
        views = [d for d in data if "analysis-chart" in "".join(d.get("text/html", ""))]
        assert images or views, f"{path.name} shows no figure"
        assert nb["metadata"]["language_info"] == {"name": "python"}
        assert all("execution" not in c["metadata"] for c in code)


def test_figures_carry_their_title_as_alt_text():
    nb = nbformat.read(site() / "notebooks" / "02-term-frequencies.ipynb", as_version=4)
    alts = [o.metadata.get("image/png", {}).get("alt") for c in nb.cells for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})]
    assert "全部文档：每万字高频词（前25）" in alts
    page = (site() / "rendered" / "02-term-frequencies.html").read_text(encoding="utf-8")
    assert 'alt="全部文档：每万字高频词（前25）"' in page
    assert "No description has been provided" not in page


def test_render_writes_a_page_per_notebook_and_an_index():
    rendered = site() / "rendered"
    assert sorted(p.name for p in rendered.glob("*.html")) == sorted([f"{p.stem}.html" for p in NOTEBOOKS] + ["index.html"])
    index = (rendered / "index.html").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert f'href="{path.stem}.html"' in index
        assert render.summary(nb)[:20] in index.replace("&#x27;", "'")
    assert "fingerprint" in index and "@font-face" in index


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_pages_are_self_contained_and_titled(notebook):
    page = (site() / "rendered" / f"{notebook.stem}.html").read_text(encoding="utf-8")
    nb = nbformat.read(notebook, as_version=4)
    assert '<html lang="zh">' in page
    import html

    assert html.unescape(re.search(r"<title>(.*?)</title>", page).group(1)) == render.title(nb, "")
    assert re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', page) == []
    assert "require.min.js" not in page and "mathjax" not in page.lower().replace("nomathjax", "")
    assert "@font-face" in page and 'class="analysis-footer"' in page
    assert "Notebook</title>" not in page
