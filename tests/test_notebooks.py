"""Every notebook runs top to bottom in a fresh kernel on the seeds and writes its figures."""
import json

import pytest

from analysis import paths, render

NOTEBOOKS = render.notebook_files()


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["01-corpus-overview.ipynb"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_and_writes_figures(notebook, tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ENV_OUTPUT, str(tmp_path))
    nb = render.execute(notebook, paths.SEEDS)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    number = notebook.name[:2]
    figures = sorted(p.name for p in (tmp_path / "figures").glob(f"{number}-*.png"))
    assert figures, f"{notebook.name} saved no figure"
    committed = sorted(p.name for p in paths.FIGURES.glob(f"{number}-*.png"))
    assert figures == committed, "the committed figures/ differ from what the notebook writes: run make figures"


def test_committed_notebooks_carry_their_outputs_and_no_run_metadata():
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(c["execution_count"] for c in code), f"{path.name} has unexecuted cells: run make figures"
        images = [o for c in code for o in c["outputs"] if "image/png" in o.get("data", {})]
        assert images, f"{path.name} shows no figure"
        assert nb["metadata"]["language_info"] == {"name": "python"}
        assert all("execution" not in c["metadata"] for c in code)


def test_render_writes_html_and_an_index(tmp_path):
    written = render.render_all(paths.SEEDS, NOTEBOOKS[:1], write_back=False, out=tmp_path)
    names = sorted(p.name for p in written)
    assert names == ["01-corpus-overview.html", "01-corpus-overview.ipynb", "index.html"]
    index = (tmp_path / "rendered" / "index.html").read_text(encoding="utf-8")
    assert 'href="01-corpus-overview.html"' in index
