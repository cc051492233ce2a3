"""Executing the notebooks, each in a fresh kernel, and rendering them to shareable HTML."""
from __future__ import annotations

import html
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path

from . import paths

KERNEL = "python3"
#: An object's memory address in its repr ("<Styler at 0x7f…>"), different on every run.
_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")
#: Seconds one cell may run before the notebook is declared failed.
CELL_TIMEOUT = 900


def _apply(values: dict[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@contextmanager
def environment(values: dict[str, str | None]):
    """Set (or, for None, remove) environment variables for the duration of a block."""
    saved = {key: os.environ.get(key) for key in values}
    try:
        _apply(values)
        yield
    finally:
        _apply(saved)


def notebook_files(folder: Path = paths.NOTEBOOKS) -> list[Path]:
    """The notebooks, in name order (``01-…``, ``02-…``)."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))


def normalise(nb) -> None:
    """Drop what changes from run to run or machine to machine: timings, versions, widget state."""
    nb.metadata.pop("widgets", None)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": KERNEL}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        for output in cell.get("outputs", []):
            plain = output.get("data", {}).get("text/plain")
            if isinstance(plain, str):
                output["data"]["text/plain"] = _ADDRESS.sub(">", plain)


def execute(path: Path, corpus: Path) -> "object":
    """Run ``path`` top to bottom in a fresh kernel reading ``corpus``; return the executed notebook."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name=KERNEL, record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    # the kernel inherits these: the corpus to read, and this checkout's package first on its path
    python_path = os.pathsep.join(p for p in (str(paths.ROOT), os.environ.get("PYTHONPATH")) if p)
    with environment({paths.ENV_CORPUS: str(Path(corpus).resolve()), "PYTHONPATH": python_path}):
        client.execute()
    normalise(nb)
    return nb


def _title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def to_html(nb) -> str:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    return body


def write_index(entries: list[tuple[str, str]], folder: Path, corpus: Path) -> Path:
    items = "\n".join(f'  <li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in entries)
    page = (
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head><meta charset=\"utf-8\"><title>机关党建讲话分析</title></head>\n"
        "<body>\n<h1>机关党建讲话分析：notebooks</h1>\n"
        f"<p>Corpus: <code>{html.escape(Path(corpus).name)}</code></p>\n<ol>\n{items}\n</ol>\n</body>\n</html>\n"
    )
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def render_all(corpus: Path | None = None, notebooks: list[Path] | None = None, *,
               write_back: bool | None = None, out: Path | None = None) -> list[Path]:
    """Execute every notebook on ``corpus`` and write the HTML copies plus an index page.

    For the default corpus (``seeds/``) the executed notebooks are written back into
    ``notebooks/`` (so a Git host shows their results) and HTML goes to ``rendered/``; for any
    other corpus both go under ``output/<corpus>/`` and ``notebooks/`` is left alone.
    """
    corpus = paths.SEEDS if corpus is None else Path(corpus)
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus}")
    with environment({paths.ENV_OUTPUT: None if out is None else str(Path(out).resolve())}):
        return _render(corpus, notebooks, write_back, out)


def _render(corpus: Path, notebooks: list[Path] | None, write_back: bool | None, out: Path | None) -> list[Path]:
    import nbformat

    default = paths.is_default_corpus(corpus) and out is None
    write_back = default if write_back is None else write_back
    html_dir = paths.rendered_dir(corpus)
    html_dir.mkdir(parents=True, exist_ok=True)
    executed_dir = None if write_back else html_dir.parent / "notebooks"
    entries, written = [], []
    for path in notebooks or notebook_files():
        print(f"executing {path.name} on {corpus}", file=sys.stderr, flush=True)
        nb = execute(path, corpus)
        target = path if write_back else executed_dir / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        page = html_dir / f"{path.stem}.html"
        page.write_text(to_html(nb), encoding="utf-8")
        entries.append((page.name, _title(nb, path.stem)))
        written += [target, page]
    written.append(write_index(entries, html_dir, corpus))
    return written
