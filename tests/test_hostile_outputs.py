"""The second hostile battery, output side: folders that are not the export's, swaps cut by a kill,
full disks, busy and cross-device outputs, two runs into one folder, environment options, a
scheduler that never answers, header cells and doc_ids that look like formulas, workers of a killed run.

Each test builds its own case under ``tmp_path`` and asserts the outcome: exit status 2 and one
line, files untouched, the earlier export still complete."""
from __future__ import annotations

import errno
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from zhengyan import __main__ as cli
from zhengyan import export as export_module
from zhengyan.core import outputs, paths
from zhengyan.ingest import pipeline
from zhengyan.present import render
from zhengyan.ingest.cache import file_sha256

TEXT = "同志们：\n机关党建要抓实。三会一课要规范。\n全面从严治党永远在路上。\n"


EXPORT = [sys.executable, "-m", "zhengyan", "export", "--force", "--corpus"]


def corpus_at(folder: Path, files: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True)
    for name, text in (files or {"a.txt": TEXT, "b.txt": TEXT.replace("抓实", "落实") * 2}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def complete(folder: Path) -> bool:
    """True when ``folder`` holds exactly the files its manifest lists, each with its recorded checksum."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["name"]: f["sha256"] for f in manifest["files"]}
    present = set(snapshot(folder)) - {"manifest.json"}
    return present == set(listed) and all(file_sha256(folder / n) == sha for n, sha in listed.items())


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def one_line(capsys) -> str:
    """The one error line on stderr (notes and warnings of the work done before may precede it; no traceback)."""
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in err and err.endswith(errors[0] + "\n"), err
    return errors[0] + "\n"


@pytest.fixture
def no_load(monkeypatch):
    """Fail the test if the corpus is loaded: the case must be refused before any work."""
    monkeypatch.setattr(export_module, "load_corpus", lambda *a, **k: pytest.fail("the corpus was loaded"))


def export_cli(corpus: Path, out: Path, *more: str) -> int:
    return cli.main(["export", "--corpus", str(corpus), "--out", str(out), *more])


# --------------------------------------------------------------------------- a folder that is not the export's
def test_home_with_files_is_refused_and_untouched(tmp_path, monkeypatch, capsys, no_load):
    home = tmp_path / "home"
    (home / "texts").mkdir(parents=True)
    (home / "documents.docx").write_bytes(b"mine")
    (home / "terms.xlsx").write_bytes(b"mine too")
    (home / "texts" / "chapter1.txt").write_text("草稿", encoding="utf-8")
    home.chmod(0o700)
    monkeypatch.setenv("HOME", str(home))
    before = snapshot(home)
    assert export_cli(corpus_at(tmp_path / "c"), Path("~")) == 2
    assert "your home folder" in one_line(capsys)
    assert snapshot(home) == before and stat.S_IMODE(home.stat().st_mode) == 0o700
    assert hidden(tmp_path) == []


@pytest.mark.parametrize("files", [
    {"keyness.R": "x <- 1", "terms.pdf": "%PDF", "texts/draft.txt": "草稿"},  # export-like stems, not export files
    {"notes.csv": "mine"},
    {"texts/draft.txt": "草稿"},
])
def test_a_folder_of_user_files_is_refused_whatever_their_names(tmp_path, capsys, no_load, files):
    out = tmp_path / "mine"
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    out.chmod(0o750)
    assert export_cli(corpus_at(tmp_path / "c"), out) == 2
    assert f"output folder {out} holds files an export did not write" in one_line(capsys)
    assert snapshot(out) == {name: text.encode() for name, text in files.items()}
    assert stat.S_IMODE(out.stat().st_mode) == 0o750


def test_an_export_with_one_file_added_by_the_user_is_refused(tmp_path, capsys):
    corpus, out = corpus_at(tmp_path / "c"), tmp_path / "out"
    assert export_cli(corpus, out) == 0
    (out / "texts" / "my-notes.txt").write_text("mine", encoding="utf-8")
    before = snapshot(out)
    capsys.readouterr()
    assert export_cli(corpus, out, "--force") == 2
    assert "holds files an export did not write" in one_line(capsys)
    assert snapshot(out) == before


def test_an_earlier_export_and_an_empty_folder_are_replaced_keeping_their_mode(tmp_path):
    corpus = corpus_at(tmp_path / "c")
    for name in ("empty", "earlier"):
        out = tmp_path / name
        out.mkdir()
        if name == "earlier":
            assert export_module.export(corpus, out) == 0
        out.chmod(0o700)
        assert export_module.export(corpus, out, force=True) == 0
        assert complete(out) and stat.S_IMODE(out.stat().st_mode) == 0o700
    assert hidden(tmp_path) == []


def test_a_mount_point_is_refused(tmp_path, capsys, monkeypatch, no_load):
    out = tmp_path / "mnt"
    out.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == out or real(p))
    assert export_cli(corpus_at(tmp_path / "c"), out) == 2
    assert "is a mount point" in one_line(capsys)


@pytest.mark.parametrize("name", ["长" * 80, "x" * 240])
def test_an_output_name_too_long_for_the_working_folder_is_one_line(tmp_path, capsys, no_load, name):
    assert export_cli(corpus_at(tmp_path / "c"), tmp_path / name) == 2
    assert f"output folder name too long: {len(name.encode())} bytes, at most 235" in one_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]


def test_an_output_path_too_long_in_all_is_one_line(tmp_path, capsys, no_load):
    out = tmp_path.joinpath(*["d" * 200] * 25)  # over PATH_MAX
    assert export_cli(corpus_at(tmp_path / "c"), out) == 2
    assert "File name too long" in one_line(capsys)


# --------------------------------------------------------------------------- swaps cut short
def test_a_swap_killed_between_its_renames_is_finished_or_undone(tmp_path):
    corpus, out = corpus_at(tmp_path / "c"), tmp_path / "out"
    assert export_module.export(corpus, out) == 0
    old = snapshot(out)
    # killed after "out -> .out.old-PID": the new version complete beside it -> moved in
    new = tmp_path / ".out.partial-999999999"
    out.rename(tmp_path / ".out.old-999999999")
    assert export_module.export(corpus_at(tmp_path / "d", {"a.txt": TEXT}), tmp_path / "new") == 0
    (tmp_path / "new").rename(new)
    export_module.recover(out)
    assert complete(out) and sorted(snapshot(out / "texts")) == ["a.txt"]
    assert hidden(tmp_path) == []
    # killed before the new version was complete (no manifest yet) -> the old one put back
    out.rename(tmp_path / ".out.old-999999998")
    (tmp_path / ".out.partial-999999998").mkdir()
    (tmp_path / ".out.partial-999999998" / "documents.csv").write_text("trunc", encoding="utf-8")
    export_module.recover(out)
    assert complete(out) and hidden(tmp_path) == []


def test_a_rerun_repairs_an_interrupted_swap_before_it_checks_the_folder(tmp_path):
    corpus, out = corpus_at(tmp_path / "c"), tmp_path / "out"
    assert export_module.export(corpus, out) == 0
    out.rename(tmp_path / ".out.old-999999999")  # a kill left no export in place
    assert export_module.export(corpus, out) == 0  # put back, found up to date
    assert complete(out) and hidden(tmp_path) == []


def test_partial_folders_of_any_process_id_go_once_the_lock_is_held(tmp_path):
    corpus, out = corpus_at(tmp_path / "c"), tmp_path / "out"
    for pid in (os.getppid(), 999999999):  # a live process id (reused) and a dead one
        (tmp_path / f".out.partial-{pid}").mkdir()
    assert export_module.export(corpus, out) == 0
    assert hidden(tmp_path) == []


# --------------------------------------------------------------------------- two runs into one folder
HOLD = ("import sys, time; from pathlib import Path; from zhengyan.export import output_lock\n"
        "with output_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(120)\n")


def hold_lock(target: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(target)], stdout=subprocess.PIPE, text=True,
                              cwd=paths.ROOT)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_run_into_a_locked_folder_names_the_holder_then_takes_over_when_it_dies(tmp_path, capsys):
    corpus, out = corpus_at(tmp_path / "c"), tmp_path / "out"
    assert export_module.export(corpus, out) == 0
    before = snapshot(out)
    holder = hold_lock(out)
    try:
        capsys.readouterr()
        assert export_cli(corpus, out, "--force") == 2
        assert one_line(capsys) == (f"error: {out} is being written by another export (process {holder.pid}); "
                                    f"wait for it to finish, or stop that process\n")
        assert snapshot(out) == before
    finally:
        holder.kill()
        holder.wait()
    assert (tmp_path / ".out.lock").read_text().strip() == str(holder.pid)  # left by the killed holder
    assert export_cli(corpus, out, "--force") == 0
    assert complete(out) and hidden(tmp_path) == []


def test_two_exports_started_at_once_into_one_folder_leave_one_complete_export(tmp_path):
    corpus, out = corpus_at(tmp_path / "c", {f"d{i}.txt": TEXT * (i + 1) for i in range(8)}), tmp_path / "out"
    runs = [subprocess.Popen([*EXPORT, str(corpus), "--out", str(out)], cwd=paths.ROOT, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    results = [(run.pid, run.wait(), run.stderr.read()) for run in runs]
    for pid, status, err in results:
        other = next(p for p, _, _ in results if p != pid)
        assert status == 0 or (status == 2 and err.strip().splitlines()[-1] == (
            f"error: {out} is being written by another export (process {other}); wait for it to finish, or stop "
            f"that process")), err
    assert 0 in [status for _, status, _ in results]
    assert complete(out) and hidden(tmp_path) == []


def test_a_render_into_a_locked_folder_fails_with_one_line(tmp_path, capsys):
    corpus, out = corpus_at(tmp_path / "c"), tmp_path / "out"
    (out / "rendered").mkdir(parents=True)
    holder = hold_lock(out / "rendered")
    try:
        assert cli.main(["render", "--corpus", str(corpus), "--out", str(out)]) == 2
        assert f"(process {holder.pid})" in one_line(capsys)
    finally:
        holder.kill()
        holder.wait()


# --------------------------------------------------------------------------- full disks, other devices
def fail_with(monkeypatch, module, name: str, exc: OSError, after: int = 0):
    """Make ``module.name`` raise ``exc`` from its ``after``-th call on, having written part of a file first."""
    real = getattr(module, name)
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > after:
            folder = next((a for a in args if isinstance(a, Path)), None)
            if folder is not None and folder.is_dir():
                (folder / "half-written.csv").write_bytes(b"x" * 100_000)
            raise exc
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)


@pytest.mark.parametrize("name, after, exc", [
    ("_write_csv", 1, OSError(errno.ENOSPC, "No space left on device")),
    ("_write_tokens", 0, OSError("[Errno 28] Error writing bytes to file. Detail: No space left on device")),  # Arrow's
    ("_write_texts", 0, OSError(errno.EDQUOT, "Disk quota exceeded")),
])
def test_a_full_disk_is_one_line_and_the_earlier_export_stays(tmp_path, monkeypatch, capsys, name, after, exc):
    corpus, out = corpus_at(tmp_path / "c"), tmp_path / "out"
    assert export_module.export(corpus, out) == 0
    before, size = snapshot(out), export_module.folder_bytes(out)
    fail_with(monkeypatch, export_module, name, exc, after)
    capsys.readouterr()
    assert export_cli(corpus, out, "--force") == 2
    line = one_line(capsys)
    assert f"No space left on device writing the export ({tmp_path}" in line
    needed = float(line.split("about ")[1].split(" MB")[0].replace(",", ""))
    assert needed >= size / 1e6  # at least what the earlier export takes
    assert f"the earlier version in {out} is unchanged" in line
    assert snapshot(out) == before and hidden(tmp_path) == []


def test_a_full_disk_through_the_api_raises_an_os_error_with_the_same_line(tmp_path, monkeypatch):
    corpus, out = corpus_at(tmp_path / "c"), tmp_path / "out"
    fail_with(monkeypatch, export_module, "_write_csv", OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(OSError, match=f"No space left on device writing the export .*nothing was written to {out}"):
        export_module.export(corpus, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]


def test_a_cross_device_swap_is_one_line_and_the_earlier_export_stays(tmp_path, monkeypatch, capsys):
    corpus, out = corpus_at(tmp_path / "c"), tmp_path / "out"
    assert export_module.export(corpus, out) == 0
    before = snapshot(out)
    fail_with(monkeypatch, export_module, "swap_in", OSError(errno.EXDEV, "Invalid cross-device link"))
    capsys.readouterr()
    assert export_cli(corpus, out, "--force") == 2
    assert f"cannot move the new export into {out}: Invalid cross-device link" in one_line(capsys)
    assert snapshot(out) == before and hidden(tmp_path) == []


def test_the_fallback_swap_puts_the_old_folder_back_when_the_second_rename_fails(tmp_path, monkeypatch):
    target, partial = tmp_path / "out", tmp_path / ".out.partial-1"
    target.mkdir(), partial.mkdir()
    (target / "old").write_text("old", encoding="utf-8")
    (partial / "new").write_text("new", encoding="utf-8")
    monkeypatch.setattr(outputs, "_exchange", lambda a, b: False)
    real = Path.rename

    def rename(self, to):
        if self == partial:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(self, to)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError):
        outputs.swap_in(partial, target)
    assert snapshot(target) == {"old": b"old"} and not (tmp_path / ".out.old-1").exists()


def fake_notebook(path: Path, heading: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {heading}\n\n机关党建。")]
    nbformat.write(nb, path)
    return path


def test_a_render_on_a_full_disk_keeps_the_earlier_pages(tmp_path, monkeypatch):
    import nbformat

    corpus, out = corpus_at(tmp_path / "c"), tmp_path / "out"
    notebooks = [fake_notebook(tmp_path / "01-a.ipynb", "第一"), fake_notebook(tmp_path / "02-b.ipynb", "第二")]
    monkeypatch.setattr(render, "execute", lambda path, corpus: nbformat.read(path, as_version=4))
    written = render.render_all(corpus, notebooks, out=out, jobs=1, progress=False)
    pages = out / "rendered"
    assert sorted(p.name for p in written if p.parent == pages) == ["01-a.html", "02-b.html", "index.html"]
    assert complete(pages)
    before, executed = snapshot(pages), snapshot(out / "notebooks")
    (out / "notebooks" / ".01-a.ipynb.tmp-999999999").write_text("{", encoding="utf-8")  # a killed render's

    def changed(path, corpus):
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_markdown_cell("第二次。"))
        return nb

    monkeypatch.setattr(render, "execute", changed)
    fail_with(monkeypatch, render, "write_index", OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(export_module.OutputFull, match=f"writing the rendered pages .*{pages} is unchanged"):
        render.render_all(corpus, notebooks, out=out, jobs=1, progress=False)
    assert snapshot(pages) == before and hidden(out) == []
    assert snapshot(out / "notebooks") == executed  # the executed notebooks of the failed run never replaced them
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == ["01-a.ipynb", "02-b.ipynb"]
    monkeypatch.undo()
    monkeypatch.setattr(render, "execute", changed)
    render.render_all(corpus, notebooks, out=out, jobs=1, progress=False)
    assert complete(pages) and snapshot(pages) != before
    assert all("第二次" in text.decode() for text in snapshot(out / "notebooks").values())


def test_a_render_refuses_a_folder_of_pages_it_did_not_write(tmp_path, capsys):
    corpus, out = corpus_at(tmp_path / "c"), tmp_path / "out"
    (out / "rendered").mkdir(parents=True)
    (out / "rendered" / "my-page.html").write_text("<p>mine</p>", encoding="utf-8")
    assert cli.main(["render", "--corpus", str(corpus), "--out", str(out)]) == 2
    assert "holds files a render did not write" in one_line(capsys)
    assert snapshot(out) == {"rendered/my-page.html": b"<p>mine</p>"}
    # a folder rendered before manifests existed holds only the render's own page names: it may be replaced
    (out / "rendered" / "my-page.html").rename(out / "rendered" / "index.html")
    assert render.check_out(corpus, out) == (out / "rendered").resolve()


# --------------------------------------------------------------------------- environment options and the scheduler
ENVIRONMENT = [
    ("export", {"ANALYSIS_SEGMENTER": "thulac"}, "$ANALYSIS_SEGMENTER must be one of jieba, rjieba; got 'thulac'"),
    ("export", {"ANALYSIS_THEMES": "genral"}, "did you mean 'general'?"),
    ("render", {"ANALYSIS_THEMES": "genral"}, "did you mean 'general'?"),
    ("export", {"ANALYSIS_THEMES": "{tmp}/missing.csv"}, "theme dictionary not found"),
    ("export", {"ANALYSIS_THEMES": "{tmp}/bad.csv"}, "a theme dictionary needs columns theme and term"),
    ("export", {"ANALYSIS_THEMES": "{tmp}/binary.csv"}, "$ANALYSIS_THEMES="),
    ("render", {"ANALYSIS_JOBS": "many"}, "$ANALYSIS_JOBS expects a whole number of notebooks run at once"),
    ("render", {"ANALYSIS_JOBS": "0"}, "$ANALYSIS_JOBS expects a whole number"),
    ("export", {"ANALYSIS_DASK_SCHEDULER": "localhost:8786"}, "$ANALYSIS_DASK_SCHEDULER expects an address like"),
    ("kwic", {"ANALYSIS_DASK_SCHEDULER": "tcp://host:99999"}, "$ANALYSIS_DASK_SCHEDULER expects an address like"),
    ("render", {"ANALYSIS_DASK_SCHEDULER": "tcp://:8786"}, "$ANALYSIS_DASK_SCHEDULER expects an address like"),
]


@pytest.mark.parametrize("command, env, message", ENVIRONMENT,
                         ids=[f"{c} {' '.join(f'{k}={v}' for k, v in e.items())}" for c, e, _ in ENVIRONMENT])
def test_environment_options_are_checked_like_flags_before_any_work(tmp_path, monkeypatch, capsys, command, env,
                                                                   message):
    corpus = corpus_at(tmp_path / "c")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x81theme\x00")
    for key, value in env.items():
        monkeypatch.setenv(key, value.format(tmp=tmp_path))
    monkeypatch.setattr(render, "render_all", lambda *a, **k: pytest.fail("rendered"))
    monkeypatch.setattr(export_module, "export", lambda *a, **k: pytest.fail("exported"))
    import zhengyan.ingest.corpus

    monkeypatch.setattr(zhengyan.ingest.corpus, "load_corpus", lambda *a, **k: pytest.fail("loaded"))
    argv = {"export": ["export", "--out", str(tmp_path / "out")], "render": ["render", "--out", str(tmp_path / "out")],
            "kwic": ["kwic", "党建"]}[command]
    status = cli.main([*argv, "--corpus", str(corpus)])
    assert message in one_line(capsys)
    assert status == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "binary.csv", "c"]


def test_render_all_checks_the_theme_dictionary_before_executing_anything(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_THEMES", "genral")
    monkeypatch.setattr(render, "execute", lambda *a: pytest.fail("a notebook was executed"))
    with pytest.raises(ValueError, match="did you mean 'general'"):
        render.render_all(corpus_at(tmp_path / "c"), out=tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]


@pytest.fixture
def silent_scheduler():
    """A TCP port on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_scheduler_that_never_answers_fails_within_the_stated_timeout(tmp_path, monkeypatch, capsys,
                                                                         silent_scheduler, no_load):
    monkeypatch.setattr(pipeline, "SCHEDULER_TIMEOUT", 1)
    assert export_cli(corpus_at(tmp_path / "c"), tmp_path / "out", "--scheduler", silent_scheduler) == 2
    line = one_line(capsys)
    assert line.startswith(f"error: --scheduler {silent_scheduler}: no Dask scheduler answered within 1 s (")
    assert not (tmp_path / "out").exists()


def test_a_closed_scheduler_port_fails_with_one_line(tmp_path, monkeypatch, capsys, no_load):
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(pipeline, "SCHEDULER_TIMEOUT", 1)
    monkeypatch.setenv("ANALYSIS_DASK_SCHEDULER", f"tcp://127.0.0.1:{port}")
    assert export_cli(corpus_at(tmp_path / "c"), tmp_path / "out") == 2
    assert f"$ANALYSIS_DASK_SCHEDULER tcp://127.0.0.1:{port}: no Dask scheduler answered" in one_line(capsys)


# --------------------------------------------------------------------------- spreadsheet vectors
def test_header_cells_that_start_like_a_formula_are_neutralised(tmp_path):
    corpus = corpus_at(tmp_path / "c")
    (corpus / "metadata.csv").write_text("doc_id,=HEADER(),@x,+y,-z, =spaced,＝full\na,1,2,3,4,5,6\nb,1,2,3,4,5,6\n",
                                         encoding="utf-8")
    assert export_module.export(corpus, tmp_path / "out") == 0
    header = (tmp_path / "out" / "documents.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-6:] == ["'=HEADER()", "'@x", "'+y", "'-z", " =spaced", "＝full"]  # LibreOffice runs neither of the last two


def test_a_large_tables_header_is_neutralised_too(tmp_path, monkeypatch):
    import gzip

    monkeypatch.setattr(export_module, "LARGE_ROWS", 2)
    table = pd.DataFrame({"=cmd|' /C calc'!A0": ["a", "b", "c"], "n": [1, 2, 3]})
    name = export_module._write_csv(table, tmp_path, "t.csv")
    assert name == "t.csv.gz"
    assert gzip.decompress((tmp_path / name).read_bytes()).decode().splitlines()[0] == '"\'=cmd|\' /C calc\'!A0","n"'


def test_doc_ids_that_start_like_a_formula_have_one_spelling_in_every_table_and_in_texts(tmp_path):
    names = ["\ttab", "-minus", "=eq", "@at", "+plus", "-3", "plain"]
    own = ["组织建设", "纪律教育", "作风建设", "廉政教育", "理论学习", "调查研究", "服务群众"]  # a word each, for keyness
    corpus = corpus_at(tmp_path / "c", {f"{n}.txt": TEXT + f"要加强{w}。" * 6 for n, w in zip(names, own)})
    out = tmp_path / "out"
    assert export_module.export(corpus, out) == 0
    spelled = ["'\ttab", "'-minus", "'=eq", "'@at", "'+plus", "-3", "plain"]  # "-3" is a number, never a formula
    assert sorted(p.name for p in (out / "texts").iterdir()) == sorted(f"{n}.txt" for n in spelled)
    for table in ("documents.csv", "terms.csv", "keyness.csv", "slogans.csv", "tokens.csv.gz"):
        ids = set(pd.read_csv(out / table, dtype={"doc_id": str}, keep_default_na=False)["doc_id"])
        assert ids <= set(spelled) and ids, table
    assert set(pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False)["doc_id"]) == set(spelled)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {f["name"] for f in manifest["files"] if f["name"].startswith("texts/")} == {
        f"texts/{n}.txt" for n in spelled}
    assert "drop that one quote" in manifest["formulas_neutralised"]
    # the way back to the corpus's file: drop the one quote
    assert {(s[1:] if s.startswith("'") else s) for s in spelled} == set(names)


# --------------------------------------------------------------------------- kills
@pytest.mark.parametrize("moment", [1, 6, 14, "manifest"])
def test_an_export_killed_at_any_moment_leaves_one_complete_version(tmp_path, moment):
    corpus = corpus_at(tmp_path / "c", {f"d{i:02d}.txt": TEXT * (i + 1) for i in range(12)})
    out = tmp_path / "out"
    assert export_module.export(corpus, out) == 0
    before = snapshot(out)
    (corpus / "d99.txt").write_text(TEXT, encoding="utf-8")  # the new version differs from the old
    run = subprocess.Popen([*EXPORT, str(corpus), "--out", str(out)], cwd=paths.ROOT, stderr=subprocess.DEVNULL)
    partial = tmp_path / f".out.partial-{run.pid}"
    while run.poll() is None:
        try:
            files = [p for p in partial.rglob("*") if p.is_file()] if partial.is_dir() else []
        except OSError:  # swapped in (or renamed) while listed
            files = []
        if (moment == "manifest" and (partial / "manifest.json").exists()) or \
                (moment != "manifest" and len(files) >= moment):
            run.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    run.wait()
    assert complete(out)
    assert snapshot(out) == before or "texts/d99.txt" in snapshot(out)  # the old version whole, or the new one
    assert export_module.export(corpus, out) == 0  # the next run cleans up and finishes
    assert complete(out) and "texts/d99.txt" in snapshot(out) and hidden(tmp_path) == []


WORKERS = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
from zhengyan.core.pool import die_with_parent
pool = ProcessPoolExecutor(2, initializer=die_with_parent)
[pool.submit(os.getpid).result() for _ in range(2)]
print(" ".join(str(p) for p in pool._processes), flush=True)
time.sleep(120)
"""


def running(pid: int) -> bool:
    """True while ``pid`` is a process that has not exited (a zombie waiting for its reaper has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_of_a_killed_parent_exit(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", WORKERS], stdout=subprocess.PIPE, text=True, cwd=paths.ROOT)
    workers = [int(p) for p in parent.stdout.readline().split()]
    assert workers and parent.pid not in workers and all(running(w) for w in workers)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 30  # not a speed check: a worker that never exits fails here
    while time.monotonic() < deadline and any(running(w) for w in workers):
        time.sleep(0.1)
    assert [w for w in workers if running(w)] == []
