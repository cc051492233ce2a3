"""Every corpus has an answer: the notebooks run to the end, with no error output, on corpora at the edges
(no formula of the lexicon, one document, no years, a single year, text that is not Chinese), and say in their
prose what they cannot show.

Each notebook runs in one kernel, its cells once per corpus (the corpus switched by ``$ANALYSIS_CORPUS`` between
runs), so five corpora cost one kernel start per notebook.
"""
from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient

from zhengyan.core import paths

COOKING = [
    "将鸡蛋打入碗中，加入少许盐搅拌均匀。锅中倒油烧热，倒入蛋液翻炒至凝固后盛出。\n番茄切块下锅翻炒出汁，加入白糖调味，倒入鸡蛋翻炒均匀即可出锅。\n",
    "把五花肉切成小块，冷水下锅焯水，撇去浮沫后捞出。锅中放少许油和冰糖，小火炒出糖色。\n放入肉块翻炒上色，加入葱姜和料酒，倒入开水，小火炖一个小时，大火收汁。\n",
    "面粉加温水和成光滑的面团，盖上湿布醒二十分钟。白菜切碎挤干水分，与肉馅、葱花、香油拌匀。\n擀成圆皮，包入馅料捏紧。水开后下锅，饺子浮起即熟。\n",
]
SPEECH = ("同志们：\n今天我们召开机关党建工作会议，总结2019年工作，部署2020年任务。\n"
          "要坚持三会一课制度，落实一岗双责，增强四个意识，做到两个维护。全面从严治党永远在路上。\n")
ENGLISH = [
    "The committee met on Monday to discuss the budget. Members agreed to review spending on schools.\n",
    "Local farmers reported a good harvest this autumn. Prices for wheat rose slightly.\n",
    "The city council approved a new park near the river. Work will begin in spring.\n",
]
CORPORA = {
    "no formula": (COOKING, "doc_id,title,year\nd0,番茄炒蛋,2019\nd1,红烧肉,2020\nd2,饺子,2021\n"),
    "one document": ([SPEECH], None),
    "no years": ([COOKING[0], "我们要认真学习，努力工作，把各项任务落到实处。\n", COOKING[2]], None),
    "one year": ([SPEECH, SPEECH.replace("机关", "单位"), COOKING[1]],
                 "doc_id,title,year\nd0,讲话一,2020\nd1,讲话二,2020\nd2,菜谱,2020\n"),
    "English": (ENGLISH, "doc_id,title,year\nd0,Budget,2019\nd1,Harvest,2020\nd2,Park,2021\n"),
    # strings from the corpus that would be markup in a page: titles, places, quoted phrases, a theme file's path
    "hostile": ([SPEECH + "要做到“<script>alert(1)</script>”和“$x^$”。\n", SPEECH.replace("机关", "<b>单位</b>"),
                 "“**粗体**”与“[链接](javascript:alert(3))”都要坚持三会一课。\n"],
                'doc_id,title,year,place\nd0,<script>alert(1)</script>讲话,2019,<img src=x onerror=alert(2)>\n'
                'd1,$x^$ 的讲话,2020,\nd2,<i>三</i>,2021,"[x](javascript:alert(4))"\n'),
}
#: What must never reach a notebook's prose as markup.
MARKUP = ("<script", "<img", "<b>", "<i>", "](javascript", "**粗体**")


@pytest.fixture(scope="module")
def edge_corpora(tmp_path_factory):
    base = tmp_path_factory.mktemp("edge")
    folders = {}
    for name, (texts, metadata) in CORPORA.items():
        folder = base / name.replace(" ", "-")
        folder.mkdir()
        for i, text in enumerate(texts):
            (folder / f"d{i}.txt").write_text(text, encoding="utf-8")
        if metadata:
            (folder / "metadata.csv").write_text(metadata, encoding="utf-8")
        folders[name] = folder
    return folders


def _problems(cell) -> list[str]:
    out = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            out.append(f"{output['ename']}: {output['evalue'][:200]}")
        elif output.get("output_type") == "stream" and output.get("name") == "stderr":
            out.append("stderr: " + output["text"][:200])
    return out


def _markdown(cell) -> str:
    return "".join(o.get("data", {}).get("text/markdown", "") for o in cell.get("outputs", []))


@pytest.mark.parametrize("number", ["01", "02", "03", "04", "06"])
def test_every_notebook_runs_to_the_end_on_every_edge_corpus(number, edge_corpora, tmp_path):
    source = nbformat.read(next(paths.NOTEBOOKS.glob(f"{number}-*.ipynb")), as_version=4)
    code = [c for c in source.cells if c.cell_type == "code"]
    nb = nbformat.v4.new_notebook()
    runs = {}
    for name, folder in edge_corpora.items():
        out = tmp_path / folder.name
        themes = "party"
        if name == "hostile":  # a theme file whose path holds markup
            (tmp_path / "<b>").mkdir()
            themes = str(tmp_path / "<b>" / "themes.csv")
            (tmp_path / "<b>" / "themes.csv").write_text("theme,term\n组织,三会一课\n作风,一岗双责\n", encoding="utf-8")
        nb.cells.append(nbformat.v4.new_code_cell(
            f"import os\nos.environ[{paths.ENV_CORPUS!r}] = {str(folder)!r}\nos.environ[{paths.ENV_OUTPUT!r}] = {str(out)!r}"
            f"\nos.environ[{paths.ENV_THEMES!r}] = {themes!r}"))
        first = len(nb.cells)
        nb.cells.extend(nbformat.v4.new_code_cell(c.source) for c in code)
        runs[name] = range(first, len(nb.cells))
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(paths.NOTEBOOKS)}}).execute()
    failures = {name: [(i - cells.start, p) for i in cells for p in _problems(nb.cells[i])] for name, cells in runs.items()}
    assert {name: f for name, f in failures.items() if f} == {}
    prose = {name: " ".join(_markdown(nb.cells[i]) for i in cells) for name, cells in runs.items()}
    assert {name: [m for m in MARKUP if m in text] for name, text in prose.items()} == {name: [] for name in prose}
    if number == "01":
        assert "Only 0% of the characters are Chinese" in prose["English"]
        assert "Chinese" not in prose["no formula"]
    if number == "03":
        assert "No document mentions a formula of the lexicon" in prose["no formula"]
    if number == "04":
        assert "2 of 3 documents left out of year analyses" in prose["no years"] or "3 of 3" in prose["no years"]
        assert json.dumps(prose["one year"]).count("distinct years") >= 1
