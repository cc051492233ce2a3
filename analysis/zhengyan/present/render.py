"""Executing the notebooks, each in a fresh kernel, and rendering them to self-contained HTML."""
from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from zhengyan.core import paths

KERNEL = "python3"
#: An object's memory address in its repr ("<Styler at 0x7f…>"), different on every run.
_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")
#: Seconds one cell may run before the notebook is declared failed.
CELL_TIMEOUT = 900
#: The family name of the web font embedded in every page (a subset of the bundled CJK font).
WEB_FONT = "Analysis CJK"
TEMPLATES = paths.TEMPLATES
#: Environment variable: notebooks executed at once (default: the number of cores).
ENV_JOBS = "ANALYSIS_JOBS"
_JS_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


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
    """The suite's numbered notebooks, in name order (``01-…``, ``02-…``): a notebook of your own saved beside
    them (``Untitled.ipynb``, ``my-notes.ipynb``) is not part of the suite."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]-*.ipynb"))


def pinned_corpus(nb) -> Path | None:
    """The corpus a notebook's metadata names (``{"analysis": {"corpus": "corpora/…"}}``), if any."""
    meta = nb.metadata if hasattr(nb, "metadata") else nb.get("metadata", {})
    value = (meta.get("analysis") or {}).get("corpus")
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else paths.ROOT / path


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
    """Run ``path`` top to bottom in a fresh kernel reading ``corpus`` (or the corpus its metadata
    names); return the executed notebook."""
    import nbformat
    from nbclient import NotebookClient
    from traitlets.config import Config

    nb = nbformat.read(path, as_version=4)
    pinned = pinned_corpus(nb)
    # a notebook pinned to its own corpus still writes its figures where this run's outputs go
    # (figures/ in the default run), so the committed figures are the ones it draws
    output = os.environ.get(paths.ENV_OUTPUT) or (str(paths.output_dir(Path(corpus))) if pinned else None)
    corpus = pinned or Path(corpus)
    # the kernel inherits these: the corpus to read, and this checkout's package first on its path
    if not pinned:  # a corpus of which nothing can be read: each page says so and lists why, nothing is run
        empty = _unreadable_corpus_notebook(nb, corpus)
        if empty is not None:
            normalise(empty)
            return empty
    python_path = os.pathsep.join(p for p in (str(paths.PACKAGE.parent), os.environ.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory(prefix="analysis-kernel-") as sockets, \
            environment({paths.ENV_CORPUS: str(Path(corpus).resolve()), "PYTHONPATH": python_path,
                         paths.ENV_OUTPUT: output}):
        # local sockets, not TCP: nothing listens on the network, and the kernel has no cause to warn
        config = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "kernel")}})
        client = NotebookClient(
            nb, timeout=CELL_TIMEOUT, kernel_name=KERNEL, record_timing=False, config=config,
            resources={"metadata": {"path": str(path.parent)}},
        )
        try:
            client.execute()
        except Exception:
            empty = _unreadable_corpus_notebook(nb, corpus)
            if empty is None:
                raise
            nb = empty
    normalise(nb)
    return nb


@lru_cache(maxsize=4)
def _unreadable(corpus: str) -> list[tuple[str, str]] | None:
    """Every file of ``corpus`` with why it could not be read, when none could; None when some document is
    readable (read once per process)."""
    from zhengyan.ingest import reading

    try:
        raw = reading.read_folder(corpus)
    except reading.CorpusError as exc:
        return [(str(corpus), str(exc))]
    return None if raw.documents else [(p.file, p.problem) for p in raw.problems]


def _unreadable_corpus_notebook(nb, corpus: Path):
    """When no file of ``corpus`` can be read, the notebook as a page that says so: its title, then
    "no readable documents" and every file with the reason (``None`` when some document is readable,
    so a real failure is not hidden)."""
    import nbformat

    problems = _unreadable(str(corpus))
    if problems is None:
        return None
    heading = next((c for c in nb.cells if c.cell_type == "markdown" and c.source.lstrip().startswith("# ")), None)
    rows = "\n".join(f"| {html.escape(f).replace('|', '&#124;')} | {html.escape(why).replace('|', '&#124;')} |"
                      for f, why in problems)
    lines = [f"**No readable documents** in `{Path(corpus).name}`: every file was left out, so there is nothing to "
             "count. The files and why each could not be read:", "", "| file | problem |", "|---|---|", rows]
    page = nbformat.v4.new_notebook(metadata=nb.metadata)
    if heading is not None:
        page.cells.append(nbformat.v4.new_markdown_cell(heading.source.split("\n")[0]))
    page.cells.append(nbformat.v4.new_markdown_cell("\n".join(lines)))
    return page


# ----- the page ---------------------------------------------------------------------------------
def title(nb, fallback: str) -> str:
    """The notebook's first heading, without its ``#``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def summary(nb) -> str:
    """What the notebook answers: ``metadata.analysis.answers``, else the first prose line after its heading."""
    answers = (nb.metadata.get("analysis") or {}).get("answers")
    if answers:
        return str(answers)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", cell.source)]
        for paragraph in paragraphs:
            if paragraph and not paragraph.startswith("#"):
                text = re.sub(r"[*`]|\[([^\]]*)\]\([^)]*\)", r"\1", paragraph)
                sentences = re.findall(r".+?(?:[.?!。？！](?=\s|$)|$)", text)
                out = ""
                for sentence in sentences:
                    if out and len(out) + len(sentence) > 240:
                        break
                    out = (out + " " + sentence.strip()).strip()
                return out
    return ""


def page_characters(page: str) -> set[str]:
    """Every character a page can show: its text and the ``\\uXXXX`` escapes of its embedded data."""
    chars = set(page)
    chars.update(chr(int(code, 16)) for code in _JS_ESCAPE.findall(page))
    return {ch for ch in chars if ord(ch) >= 0x20}


def web_font(chars: set[str]) -> bytes:
    """WOFF2 bytes of the bundled CJK font cut down to ``chars`` (the same bytes for the same characters)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from zhengyan.present import fonts

    covered = fonts.covered_codepoints()
    codes = sorted(ord(ch) for ch in chars if ord(ch) in covered)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(str(fonts.font_path()), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codes or [0x20])
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff2"
    font.save(buffer)
    return buffer.getvalue()


#: What the web font draws: CJK characters and punctuation, full-width forms, Chinese quotes and dashes.
#: Everything else falls through to the next family, so the font can lead every font list.
UNICODE_RANGE = "U+00B7, U+2014-201F, U+2026, U+2E80-9FFF, U+F900-FAFF, U+FE10-FE1F, U+FE30-FE4F, U+FF00-FFEF"


#: Every element that draws text of its own, outside the inherited font: browsers give form controls
#: the system's font unless told, so a search box or a picker would show empty boxes for Chinese.
CONTROLS = ("input, select, option, optgroup, button, textarea, datalist, label, legend, "
            ".dt-container input, .dt-container select, .dt-container button, .vega-bindings, "
            ".vega-bindings input, .vega-bindings select, .vega-bindings label, #vg-tooltip-element")


def font_css(chars: set[str]) -> str:
    """An ``@font-face`` rule embedding the subset, and the page's text set in it."""
    data = base64.b64encode(web_font(chars)).decode("ascii")
    family = f'"{WEB_FONT}"'
    sans = f'{family}, system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif'
    return (
        f"@font-face {{ font-family: {family}; font-style: normal; font-weight: 100 900; font-display: block;\n"
        f"  unicode-range: {UNICODE_RANGE};\n"
        f"  src: url(data:font/woff2;base64,{data}) format(\"woff2\"); }}\n"
        f":root {{ --jp-content-font-family: {sans};\n  --jp-ui-font-family: {sans};\n"
        f"  --jp-code-font-family: {family}, Menlo, Consolas, \"DejaVu Sans Mono\", monospace; }}\n"
        f"body, table, .dataTable, svg text, .analysis-reading, {CONTROLS} {{\n"
        f"  font-family: var(--jp-content-font-family); }}\n"
        f"pre, code {{ font-family: var(--jp-code-font-family); }}\n"
    )


def corpus_fingerprint(corpus: Path) -> str:
    """SHA-256 (first 16 hex digits) of the corpus's files, those :func:`reading.corpus_files` takes (its
    ``.txt`` files, sub-folders included, and ``metadata.csv``): names and bytes."""
    from zhengyan.ingest import reading

    digest = hashlib.sha256()
    folder = Path(corpus)
    listing = reading.corpus_files(folder, recursive=True)
    for path in sorted(listing.files + ([listing.metadata] if listing.metadata else [])):
        digest.update(os.fsencode(path.relative_to(folder).as_posix()) + b"\0")
        try:
            with reading.open_regular(path) as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
        except (OSError, reading.UnreadableFile):
            digest.update(b"unreadable")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def package_version() -> str:
    """The version ``pyproject.toml`` declares (else the installed distribution's)."""
    project = paths.ROOT / "pyproject.toml"
    if project.is_file():
        found = re.search(r'^version\s*=\s*"([^"]+)"', project.read_text(encoding="utf-8"), re.M)
        if found:
            return found.group(1)
    try:
        from importlib.metadata import version

        return version("zhengyan")
    except Exception:
        return "unknown"


def data_years(corpus: Path) -> str:
    """The span of the years of ``metadata.csv`` ("1954–2025"), or "" when it gives none."""
    import pandas as pd

    meta = Path(corpus) / "metadata.csv"
    if not meta.is_file():
        return ""
    try:
        years = pd.to_numeric(pd.read_csv(meta, dtype=str).get("year"), errors="coerce").dropna()
    except Exception:
        return ""
    return f"{int(years.min())}–{int(years.max())}" if len(years) else ""


def provenance(corpus: Path) -> str:
    """One line: corpus, fingerprint, package version, the years of the data (no timestamp, so reruns match)."""
    corpus = Path(corpus)
    try:
        shown = corpus.resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        shown = corpus.name
    years = data_years(corpus)
    parts = [f"语料 corpus: <code>{html.escape(shown)}</code>",
             f"fingerprint <code>{corpus_fingerprint(corpus)}</code>",
             f"zhengyan {html.escape(package_version())}"]
    if years:
        parts.append(f"documents dated {years} (metadata.csv)")
    return " · ".join(parts)


def to_html(nb, *, page_title: str | None = None, footer: str = "") -> str:
    """The notebook as one self-contained page: lang="zh", a real title, figures with alt text, no
    script or font loaded from the network, and the CJK web font cut to the page's characters."""
    from nbconvert import HTMLExporter

    nb = nb.copy() if hasattr(nb, "copy") else nb
    nb.metadata["title"] = page_title or title(nb, "notebook")
    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(TEMPLATES)],
                            template_file="reading.html.j2", language_code="zh",
                            exclude_anchor_links=True)
    body, _ = exporter.from_notebook_node(nb, resources={"analysis": {"footer": footer, "font_css": ""}})
    return _with_font(body)


#: A view's own copy of the font (so it draws in JupyterLab): the page's font replaces it.
_VIEW_FONT = re.compile(r'<style class="analysis-view-font">.*?</style>', re.S)


def _with_font(page: str) -> str:
    page = _VIEW_FONT.sub("", page)
    css = font_css(page_characters(page))
    return page.replace("/* analysis:font-css */", css, 1)


def _other_corpus_note(used: Path, corpus: Path) -> str:
    """For the index: a notebook that reads its own corpus says so, so it is not taken for one about ``corpus``."""
    if Path(used).resolve() == Path(corpus).resolve():
        return ""
    try:
        shown = Path(used).resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        shown = Path(used).name
    return f" (always on {shown}, not on {Path(corpus).name or corpus})"


def write_index(entries: list[tuple[str, str, str]], folder: Path, corpus: Path) -> Path:
    """``index.html``: each notebook with what it answers."""
    items = "\n".join(
        f'  <li><a href="{html.escape(href)}">{html.escape(name)}</a>'
        + (f"<br><span class=\"answers\">{html.escape(text)}</span>" if text else "") + "</li>"
        for href, name, text in entries)
    page = (
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head><meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
        "<title>机关党建讲话分析：notebooks</title>\n<style>\n/* analysis:font-css */\n"
        "body { font-family: \"" + WEB_FONT + "\", system-ui, Helvetica, Arial, sans-serif; max-width: 52em;"
        " margin: 2em auto; padding: 0 1em; line-height: 1.6; }\n"
        "li { margin-bottom: 0.8em; } .answers { color: #444; } footer { color: #666; font-size: 0.85em;"
        " border-top: 1px solid #ccc; margin-top: 2em; padding-top: 0.5em; }\n</style>\n</head>\n"
        "<body>\n<h1>机关党建讲话分析：notebooks</h1>\n"
        f"<ol>\n{items}\n</ol>\n<footer>{provenance(corpus)}</footer>\n</body>\n</html>\n"
    )
    path = folder / "index.html"
    path.write_text(_with_font(page), encoding="utf-8")
    return path


# ----- running them all -------------------------------------------------------------------------
def render_all(corpus: Path | None = None, notebooks: list[Path] | None = None, *,
               write_back: bool | None = None, out: Path | None = None, jobs: int | None = None,
               progress: bool | None = None) -> list[Path]:
    """Execute every notebook on ``corpus`` and write the HTML copies plus an index page.

    For the default corpus (``seeds/``) the executed notebooks are written back into
    ``notebooks/`` (so a Git host shows their results) and HTML goes to ``rendered/``; for any
    other corpus both go under ``output/<corpus>/`` and ``notebooks/`` is left alone. A notebook
    whose metadata names a corpus runs on that one. ``jobs`` notebooks run at once (default:
    ``$ANALYSIS_JOBS``, else the number of cores; at most the number of notebooks); ``progress`` shows a bar (default: on a terminal).
    """
    corpus = paths.SEEDS if corpus is None else Path(corpus)
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus}")
    if jobs is None and os.environ.get(ENV_JOBS):
        try:
            jobs = int(os.environ[ENV_JOBS])
        except ValueError:
            raise ValueError(f"{ENV_JOBS}={os.environ[ENV_JOBS]!r}: expected a whole number of notebooks") from None
    if jobs is not None and (not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"jobs must be a whole number of 1 or more, not {jobs!r}")
    from zhengyan.analyses import themes

    try:  # notebook 04 reads it: a bad one fails here, not minutes later inside a notebook
        themes.load_themes(paths.theme_dictionary())
    except (ValueError, OSError) as exc:
        raise ValueError(f"${paths.ENV_THEMES}={paths.theme_dictionary()!r}: {exc}") from None
    # the output root is decided here, where the current folder is the user's (a kernel runs in the notebooks' folder)
    target = paths.output_dir(corpus) if out is None else Path(out).resolve()
    with environment({paths.ENV_OUTPUT: str(target)}):
        return _render(corpus, notebooks, write_back, out, jobs, progress)


def _execute_to_json(path: str, corpus: str, env: dict[str, str | None]) -> str:
    """Worker: execute one notebook, return it as JSON (process pools pass text, not objects)."""
    import nbformat

    with environment(env):
        return nbformat.writes(execute(Path(path), Path(corpus)))


#: Written last into the rendered folder: every page with its bytes and sha256. Its presence marks a finished render.
MANIFEST = "manifest.json"


def _pages(notebooks: list[Path] | None = None) -> set[str]:
    """The names a render writes (for a folder rendered before manifests were written)."""
    return {"index.html"} | {f"{p.stem}.html" for p in (notebooks or notebook_files())}


def check_out(corpus: Path, out: Path | None = None, notebooks: list[Path] | None = None) -> Path:
    """The folder the pages go to, or :class:`zhengyan.core.outputs.ExportError` (one line) when a render may not replace it:
    the rules of an export's folder (:func:`zhengyan.core.outputs.check_out`), judged by the render's manifest."""
    from zhengyan.core.outputs import check_replaceable

    with environment({paths.ENV_OUTPUT: None if out is None else str(Path(out).expanduser().resolve())}):
        folder = paths.rendered_dir(corpus)
    return check_replaceable(folder.resolve(), folder, "a render", manifest=MANIFEST, known=_pages(notebooks))


def _temporary(path: Path) -> Path:
    """Where ``path`` is written before it is renamed into place (a killed render's are removed by the next)."""
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def _render(corpus: Path, notebooks: list[Path] | None, write_back: bool | None, out: Path | None,
            jobs: int | None, progress: bool | None) -> list[Path]:
    """The pages are written into a hidden folder beside the rendered folder, with a manifest last,
    and swapped in whole (the rules and steps of the export: :func:`zhengyan.core.outputs.swap_in`); one
    render at a time per folder; a full disk raises ``OutputFull`` with the earlier pages kept. The
    executed notebooks are written beside their places and renamed in once the pages are in (their
    folder may hold other files, so it is never replaced whole)."""
    from zhengyan.core import outputs as export

    notebooks = list(notebooks or notebook_files())
    target = check_out(corpus, out, notebooks)
    target.parent.mkdir(parents=True, exist_ok=True)
    with export.output_lock(target, "render"):
        export.recover(target, MANIFEST)
        check_out(corpus, out, notebooks)
        partial = target.parent / f".{target.name}{export._PARTIAL}{os.getpid()}"
        partial.mkdir()
        executed: list[tuple[Path, Path]] = []  # (temporary, final) of each executed notebook
        try:
            written = _render_into(partial, target, corpus, notebooks, write_back, out, jobs, progress, executed)
            export.swap_in(partial, target)
        except BaseException as exc:
            size = export.folder_bytes(partial) + sum(t.stat().st_size for t, _ in executed if t.exists())
            shutil.rmtree(partial, ignore_errors=True)
            for tmp, _ in executed:
                tmp.unlink(missing_ok=True)
            if export.no_space(exc):
                raise export.disk_full(target, size, "the rendered pages", exc) from None
            raise
        for tmp, final in executed:  # renames only: a full disk can no longer strike
            os.replace(tmp, final)
    return written


def _render_into(html_dir: Path, target: Path, corpus: Path, notebooks: list[Path], write_back: bool | None,
                 out: Path | None, jobs: int | None, progress: bool | None,
                 executed_files: list[tuple[Path, Path]]) -> list[Path]:
    """Execute the notebooks and write their pages, the index and the manifest into ``html_dir``; the
    executed notebooks go to temporaries listed in ``executed_files``, renamed into place once the pages are."""
    import multiprocessing

    import nbformat
    from tqdm.auto import tqdm

    from zhengyan.core import pool as worker_pool
    from zhengyan.ingest.cache import file_sha256

    default = paths.is_default_corpus(corpus) and out is None
    write_back = default if write_back is None else write_back
    executed_dir = None if write_back else target.parent / "notebooks"
    for folder in {p.parent for p in notebooks} if write_back else {executed_dir}:  # a killed render's temporaries
        for stale in folder.glob(".*.ipynb.tmp-*"):
            stale.unlink(missing_ok=True)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(notebooks)))
    env = {key: os.environ.get(key) for key in (paths.ENV_OUTPUT, paths.ENV_THEMES)}
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    bar = tqdm(total=len(notebooks) * 2, desc="notebooks", unit="step", disable=disable, file=sys.stderr)
    if disable:
        print(f"executing {len(notebooks)} notebooks on {corpus} ({jobs} at a time)", file=sys.stderr, flush=True)
    entries, written = [], []
    if jobs == 1:
        results = (nbformat.writes(execute(p, corpus)) for p in notebooks)
        pool = None
    else:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=worker_pool.die_with_parent)
        futures = [pool.submit(_execute_to_json, str(p), str(corpus), env) for p in notebooks]
        results = (f.result() for f in futures)
    try:
        for path, text in zip(notebooks, results):
            bar.set_postfix_str(f"rendering {path.stem}")
            bar.update()
            nb = nbformat.reads(text, as_version=4)
            executed = path if write_back else executed_dir / path.name
            executed.parent.mkdir(parents=True, exist_ok=True)
            executed_files.append((_temporary(executed), executed))
            nbformat.write(nb, executed_files[-1][0])
            page = html_dir / f"{path.stem}.html"
            name = title(nb, path.stem)
            used = pinned_corpus(nb) or corpus
            page.write_text(to_html(nb, page_title=name, footer=provenance(used)), encoding="utf-8")
            entries.append((page.name, name, summary(nb) + _other_corpus_note(used, corpus)))
            written += [executed, target / page.name]
            bar.update()
            if disable:
                print(f"  rendered {page.name}", file=sys.stderr, flush=True)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        bar.close()
    written.append(target / write_index(entries, html_dir, corpus).name)
    files = [{"name": p.name, "bytes": p.stat().st_size, "sha256": file_sha256(p)}
             for p in sorted(html_dir.iterdir()) if p.is_file()]
    manifest = {"written_by": "analysis render", "corpus": str(Path(corpus).resolve()), "files": files}
    (html_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return written
