"""The README's five-minute tour runs as written."""
import contextlib
import io
import re

from zhengyan.core import paths


def tour() -> str:
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Five-minute tour", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "the tour should be one python block"
    return blocks[0]


def test_the_tour_runs_and_says_what_it_promises(monkeypatch):
    monkeypatch.chdir(paths.ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(tour(), "README.md (tour)", "exec"), {})
    printed = out.getvalue()
    assert printed.startswith("<Corpus seeds: 5 documents, 2007–2020, ")
    assert "no context 'sentense'; did you mean 'sentence'?" in printed
    assert "三会一课" in printed and "n_docs" in printed
    assert "all 5 documents have a year to use" in printed
