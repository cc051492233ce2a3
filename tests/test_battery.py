"""Hostile inputs and faults, one parameterised test per class: data loss, script injection, formula injection,
half-written output, crashes on legal input, wrong or silent answers, control characters.

Each case is small enough to check by hand; whole exports are run only where nothing cheaper can show the point.
"""
from __future__ import annotations

import html.parser
import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from zhengyan import __main__ as cli
from conftest import NEWS
from zhengyan.ingest import cleaning, reading
from zhengyan.analyses import concordance
from zhengyan.present import display
from zhengyan import load_corpus
from zhengyan.core import paths
from zhengyan import export as export_module

SPEECH = "同志们：\n我们要坚持“三会一课”制度。全面从严治党永远在路上！\n"
TEXT = "加强机关党建，落实三会一课制度。全面从严治党，服务发展大局，推进党的建设。"


def corpus_at(folder: Path, files: dict[str, str | bytes] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (files or {"a.txt": SPEECH, "b.txt": TEXT}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- data loss
# (out, corpus) relative to tmp_path; every one of them would write into, over or around the corpus
DATA_LOSS = [
    ("out", "out/texts"),            # the reported case: the export's own texts/ folder as the corpus
    ("c", "c"),                      # the corpus itself
    ("c/export", "c"),               # inside it
    ("c/a/b/c", "c"),                # deep inside it
    (".", "c"),                      # its parent
    ("..", "c"),                     # its grandparent
    ("link", "c"),                   # a symbolic link to it
    ("link/export", "c"),            # inside it, through a link
    ("up", "c"),                     # a link to its parent
]


@pytest.mark.parametrize("out, corpus", DATA_LOSS, ids=[f"{o}<-{c}" for o, c in DATA_LOSS])
@pytest.mark.parametrize("command", ["export", "render"])
def test_data_loss_output_around_the_corpus_is_refused(tmp_path, out, corpus, command, capsys):
    folder = corpus_at(tmp_path / corpus)
    (tmp_path / "link").symlink_to(tmp_path / "c") if (tmp_path / "c").exists() else None
    (tmp_path / "up").symlink_to(tmp_path)
    before = snapshot(folder)
    assert cli.main([command, "--corpus", str(folder), "--out", str(tmp_path / out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: refusing to write into the corpus folder") and error.count("\n") == 1
    assert snapshot(folder) == before


READ_ONLY_OUTS = [paths.SEEDS, paths.SEEDS / "export", paths.CORPORA, paths.PRC_REPORTS, paths.PRC_REPORTS / "x",
                  paths.ROOT, NEWS / "export"]


@pytest.mark.parametrize("out", READ_ONLY_OUTS, ids=lambda p: str(p.relative_to(paths.ROOT.parent)))
def test_data_loss_read_only_corpora_are_never_an_output(tmp_path, out, capsys):
    folder = corpus_at(tmp_path / "c")
    assert cli.main(["export", "--corpus", str(folder), "--out", str(out)]) == 2
    assert "read-only corpus folder" in capsys.readouterr().err


def test_data_loss_a_folder_the_export_did_not_write_is_kept(tmp_path, capsys):
    folder = corpus_at(tmp_path / "c")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine", encoding="utf-8")
    assert cli.main(["export", "--corpus", str(folder), "--out", str(tmp_path / "mine")]) == 2
    assert "holds files an export did not write" in capsys.readouterr().err
    assert snapshot(tmp_path / "mine") == {"notes.txt": b"mine"}


# --------------------------------------------------------------------------- script injection
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "</td></tr></table><script>alert(1)</script>",
    "<iframe srcdoc='<script>alert(1)</script>'>",
    "<a href=\"javascript:alert(1)\">点我</a>",
    "<body onload=alert(1)>",
    "<style>body{background:url(javascript:alert(1))}</style>",
]
class Tags(html.parser.HTMLParser):
    """Every tag and attribute of a page."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def shape(page: str) -> list:
    """The tags of ``page`` with their attribute names: what a browser would build, whatever the text says."""
    parser = Tags()
    parser.feed(page)
    return [(tag, sorted(name for name, _ in attrs)) for tag, attrs in parser.tags]


def shown(show: str, frame: pd.DataFrame) -> str:
    return getattr(display, show)(frame, "hostile")._repr_html_()


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("show", ["table", "wrapped"])
def test_script_injection_cells_are_escaped(payload, show):
    def frame(title):
        return pd.DataFrame({"doc_id": ["a", "b"], "title": [title, "讲话"], "n": [1, 2]})

    page = shown(show, frame(payload))
    assert payload not in page
    assert shape(page) == shape(shown(show, frame("讲话")))  # no tag or attribute came from the payload


@pytest.mark.parametrize("show", ["table", "wrapped"])
@pytest.mark.parametrize("where", ["columns", "index"])
def test_script_injection_headers_are_escaped(where, show):
    def frame(label):
        table = pd.DataFrame({"title": ["讲话"], "n": [1]})
        return table.rename(columns={"title": label}) if where == "columns" else table.set_axis([label])

    payload = "<img src=x onerror=alert(1)>"
    page = shown(show, frame(payload))
    assert payload not in page
    assert shape(page) == shape(shown(show, frame("标题")))


# --------------------------------------------------------------------------- formula injection
FORMULAS = ["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1",
            "=cmd|' /C notepad'!'A1'", "-", "+", "@"]
NUMBERS = ["-3", "+1.5", "-0.25", "1e5", "-2E-3", "42"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_formula_injection_cells_are_quoted(cell):
    out = export_module.neutralise_formulas(pd.DataFrame({"title": [cell, "讲话"]}))
    assert out["title"].tolist() == ["'" + cell, "讲话"]


@pytest.mark.parametrize("cell", NUMBERS)
def test_formula_injection_numbers_written_as_text_stay_numbers(cell):
    assert export_module.neutralise_formulas(pd.DataFrame({"place": [cell]}))["place"].tolist() == [cell]


@pytest.mark.parametrize("column", [pd.Series([-1, 2], dtype="int64"), pd.Series([-1.5, 2.0]),
                                    pd.Series([-1, None], dtype="Int64"), pd.Series([True, False])])
def test_formula_injection_numeric_columns_are_untouched(column):
    out = export_module.neutralise_formulas(pd.DataFrame({"x": column}))
    pd.testing.assert_series_equal(out["x"], column, check_names=False)


def test_formula_injection_categorical_columns_are_quoted_too():
    out = export_module.neutralise_formulas(pd.DataFrame({"term": pd.Categorical(["=1", "党建"])}))
    assert out["term"].tolist() == ["'=1", "党建"]


# --------------------------------------------------------------------------- half-written output
@pytest.fixture
def quick_export(tmp_path, monkeypatch, seeds_like):
    """export() with the corpus loaded once and two small tables, so each run shows the file handling only."""
    monkeypatch.setattr(export_module, "load_corpus", lambda *a, **k: seeds_like)
    tables = {"documents.csv": seeds_like.documents[["doc_id", "title"]],
              "problems.csv": seeds_like.problems}
    monkeypatch.setattr(export_module, "_tables", lambda c, themes, left_out: dict(tables))
    return tmp_path


@pytest.fixture(scope="module")
def seeds_like(tmp_path_factory):
    from zhengyan import load_corpus

    folder = corpus_at(tmp_path_factory.mktemp("battery") / "c")
    return load_corpus(folder, cache=False)


def fail_on(monkeypatch, name: str, after: int):
    """Make the ``after``-th call of export's ``name`` raise, as a full disk or a kill would."""
    real = getattr(export_module, name)
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(export_module, name, failing)


@pytest.mark.parametrize("name, after", [("_write_csv", 0), ("_write_csv", 1), ("file_sha256", 3), ("_replace", 0),
                                         ("_package_version", 0)])
def test_half_written_a_failed_rerun_keeps_the_earlier_export_whole(quick_export, monkeypatch, name, after):
    out = quick_export / "out"
    corpus = corpus_at(quick_export / "c")
    assert export_module.export(corpus, out) == 0
    before = snapshot(out)
    fail_on(monkeypatch, name, after)
    with pytest.raises(OSError, match="No space"):
        export_module.export(corpus, out, force=True)  # unforced, an unchanged corpus is not exported again
    assert snapshot(out) == before
    assert sorted(p.name for p in quick_export.iterdir()) == ["c", "out"]  # no partial folder left


def test_half_written_a_first_export_that_fails_leaves_nothing(quick_export, monkeypatch):
    fail_on(monkeypatch, "_write_csv", 1)
    with pytest.raises(OSError):
        export_module.export(corpus_at(quick_export / "c"), quick_export / "out")
    assert sorted(p.name for p in quick_export.iterdir()) == ["c"]


def test_half_written_the_manifest_is_written_last_and_checks(quick_export):
    out = quick_export / "out"
    assert export_module.export(corpus_at(quick_export / "c"), out) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert max(p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()) == (out / "manifest.json").stat().st_mtime_ns
    assert {f["name"] for f in manifest["files"]} == set(snapshot(out)) - {"manifest.json"}


def test_half_written_a_killed_run_leaves_no_stale_folder_for_long(quick_export):
    out = quick_export / "out"
    stale = quick_export / ".out.partial-999999999"  # a process id that is not running
    stale.mkdir()
    (stale / "documents.csv").write_text("truncat", encoding="utf-8")
    assert export_module.export(corpus_at(quick_export / "c"), out) == 0
    assert not stale.exists()


def test_half_written_stale_texts_of_an_earlier_run_go(quick_export, monkeypatch, seeds_like):
    out = quick_export / "out"
    corpus = corpus_at(quick_export / "c")
    assert export_module.export(corpus, out) == 0
    assert sorted(p.name for p in (out / "texts").iterdir()) == ["a.txt", "b.txt"]
    smaller = type(seeds_like)(seeds_like.folder, seeds_like.documents.iloc[:1], seeds_like.tokens,
                               seeds_like.sentences, seeds_like.audit, seeds_like.problems)
    monkeypatch.setattr(export_module, "load_corpus", lambda *a, **k: smaller)
    assert export_module.export(corpus, out, force=True) == 0  # the files are unchanged: only forced
    assert sorted(p.name for p in (out / "texts").iterdir()) == ["a.txt"]


def test_half_written_two_corpora_with_one_name_never_share_an_export(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.ENV_OUTPUT, raising=False)
    assert paths.export_dir(tmp_path / "x" / "speeches") != paths.export_dir(tmp_path / "y" / "speeches")


def test_half_written_large_tables_are_compressed_and_named_in_the_manifest(quick_export, monkeypatch):
    monkeypatch.setattr(export_module, "LARGE_ROWS", 1)
    out = quick_export / "out"
    assert export_module.export(corpus_at(quick_export / "c"), out) == 0
    names = {f["name"]: f["rows"] for f in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]}
    assert names["documents.csv.gz"] == 2 and "documents.csv" not in names
    assert pd.read_csv(out / "documents.csv.gz")["doc_id"].tolist() == ["a", "b"]


# --------------------------------------------------------------------------- crashes on legal input
BAD_ARGUMENTS = [
    (["kwic", "党建", "--width", "-1"], "--width: expected 0 or more characters, got -1"),
    (["kwic", "党建", "--width", "wide"], "--width: expected a whole number of characters, got 'wide'"),
    (["kwic", "(", "--regex"], "invalid regular expression '('"),
    (["kwic", "[党建", "--regex"], "invalid regular expression '[党建'"),
    (["kwic", "*", "--regex"], "invalid regular expression '*'"),
    (["kwic", "(?P<x", "--regex"], "invalid regular expression '(?P<x'"),
    (["kwic", ""], "the term is empty"),
    (["kwic", "   "], "the term is empty"),
    (["export", "--jobs", "0"], "--jobs: expected 1 or more processes, got 0"),
    (["export", "--jobs", "many"], "--jobs: expected a whole number of processes, got 'many'"),
    (["export", "--scheduler", "localhost"], "--scheduler expects an address like tcp://host:8786"),
    (["export", "--corpus", ""], "--corpus: the folder is an empty string"),
    (["kwic", "党建", "--corpus", "/nonexistent/corpus"], "corpus folder not found: /nonexistent/corpus"),
    (["export", "--nonsense"], "unrecognized arguments: --nonsense"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
]


@pytest.mark.parametrize("argv, message", BAD_ARGUMENTS, ids=[" ".join(a) or "empty" for a, _ in BAD_ARGUMENTS])
def test_crash_bad_arguments_fail_at_once_with_one_line(argv, message, capsys):
    try:
        status = cli.main(argv)
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    error = capsys.readouterr().err
    assert status == 2
    assert message in error and error.count("\n") == 1 and error.startswith("error: ")


@pytest.mark.parametrize("make_out", ["file", "below a file"])
def test_crash_bad_output_paths_fail_before_loading(tmp_path, make_out, capsys, monkeypatch):
    monkeypatch.setattr(export_module, "load_corpus", lambda *a, **k: pytest.fail("loaded the corpus"))
    (tmp_path / "f").write_text("x", encoding="utf-8")
    out = tmp_path / "f" if make_out == "file" else tmp_path / "f" / "out"
    assert cli.main(["export", "--corpus", str(corpus_at(tmp_path / "c")), "--out", str(out)]) == 2
    assert "is a file" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_crash_a_read_only_output_parent_fails_before_loading(tmp_path, capsys):
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o555)
    assert cli.main(["export", "--corpus", str(corpus_at(tmp_path / "c")), "--out", str(tmp_path / "ro" / "x")]) == 2
    assert "permission denied" in capsys.readouterr().err


def texts_corpus(tmp_path, *texts):
    folder = tmp_path / "texts"
    folder.mkdir()
    for i, text in enumerate(texts):
        (folder / f"d{i}.txt").write_text(text, encoding="utf-8")
    return load_corpus(folder, cache=False, jobs=1)


@pytest.mark.parametrize("pattern", ["(a|aa)+b", "((a+)+)+b", "(aa|a)+c", "(a|ab|aa)+c"])
def test_crash_a_catastrophic_regex_is_stopped_by_the_time_limit(pattern, tmp_path):
    corpus = texts_corpus(tmp_path, "a" * 5000)
    with pytest.raises(concordance.PatternTimeout, match="took more than 0.2 s"):
        concordance.kwic(corpus, pattern, width=3, regex=True, timeout=0.2)


def test_crash_the_reported_regex_runs_fast_and_finds_its_match(tmp_path):
    corpus = texts_corpus(tmp_path, "a" * 30 + "x三会一课")
    table = concordance.kwic(corpus, "(.+)+x", width=2, regex=True, timeout=5)
    assert table[["doc_id", "start", "end", "right"]].values.tolist() == [["d0", 0, 31, "三会"]]


def test_crash_read_folder_of_an_empty_string_is_refused():
    with pytest.raises(reading.CorpusError, match="empty string"):
        reading.read_folder("")


def test_crash_load_corpus_of_an_empty_string_is_refused(tmp_path, monkeypatch):
    from zhengyan import load_corpus

    corpus_at(tmp_path)  # the current folder holds text files: reading it would be the silent wrong answer
    monkeypatch.chdir(tmp_path)
    with pytest.raises(reading.CorpusError, match="empty string"):
        load_corpus("", cache=False)


def test_crash_an_all_unreadable_corpus_exports_its_problems(tmp_path, capsys):
    corpus = corpus_at(tmp_path / "c", {"empty.txt": b"", "blob.txt": bytes(range(256)) * 4,
                                        "sjis.txt": "日本語のテキストです。これは日本の文章です。".encode("shift_jis")})
    assert export_module.export(corpus, tmp_path / "out") == 0
    assert "no readable documents" in capsys.readouterr().err
    problems = pd.read_csv(tmp_path / "out" / "problems.csv")
    assert sorted(problems["file"]) == ["blob.txt", "empty.txt", "sjis.txt"]
    assert list(pd.read_csv(tmp_path / "out" / "documents.csv").columns) == list(export_module.DOCUMENT_EXPORT)


# --------------------------------------------------------------------------- wrong or silent: reading
CHINESE = "加强机关党建，落实“三会一课”制度。全面从严治党，服务发展大局。"
DECODES = [
    ("utf-16-le", CHINESE.encode("utf-16-le")),
    ("utf-16-be", CHINESE.encode("utf-16-be")),
    ("utf-32-le", CHINESE.encode("utf-32-le")),
    ("utf-32-be", CHINESE.encode("utf-32-be")),
    ("utf-16-le", ("Party 党建 report 2020\n" * 3).encode("utf-16-le")),
    ("gb18030", "学习".encode("gbk")),              # short GBK that is also valid UTF-8
    ("gb18030", "一盏".encode("gbk")),
    ("gb18030", "思路,围".encode("gbk")),
    ("gb18030", "diào),".encode("gbk")),           # pinyin that Big5 reads as 角
    ("gb18030", "高质量发展(zhì)".encode("gbk")),
    ("big5", "加強機關黨建，落實三會一課制度。".encode("big5")),
    ("utf-8", CHINESE.encode("utf-8")),
]


@pytest.mark.parametrize("encoding, data", DECODES, ids=[f"{e}-{i}" for i, (e, _) in enumerate(DECODES)])
def test_wrong_encodings_without_a_mark_are_found(encoding, data):
    found = reading.decode(data)
    assert found.encoding == encoding
    assert data.decode(encoding) == found.text


REFUSED = [
    ("shift-jis", "日本語のテキストです。これは日本の文章で、漢字とかなが混ざっています。".encode("shift_jis"),
     "decodes as gb18030 with confidence 0.14"),
    ("euc-kr", "한국어 텍스트입니다. 이것은 한국의 문장입니다.".encode("euc_kr"), "with confidence 0.60"),
    ("euc-jp", "日本語のテキストです。これは日本の文章で、漢字とかなが混ざっています。".encode("euc_jp"),
     "with confidence 0.66"),
    ("utf-8 japanese", "日本語のテキストです。これは日本の文章です。".encode("utf-8"), "unsupported script: Japanese"),
    ("utf-8 korean", "한국어 텍스트입니다. 이것은 한국의 문장입니다.".encode("utf-8"), "unsupported script: Korean"),
    ("latin-1 mojibake", CHINESE.encode("utf-8").decode("latin-1").encode("utf-8"),
     "decodes as UTF-8 with confidence 0.0"),
    ("cp1252 mojibake", CHINESE.encode("gbk").decode("cp1252", errors="replace").encode("utf-8"), "confidence"),
]


@pytest.mark.parametrize("name, data, reason", REFUSED, ids=[n for n, _, _ in REFUSED])
def test_wrong_unsupported_scripts_and_mojibake_are_refused_with_a_confidence(name, data, reason):
    with pytest.raises(reading.UnreadableFile, match=reason.replace("(", r"\(")):
        reading.decode(data)


@pytest.mark.parametrize("bad, offset", [(b"\xff", 9), (b"\x80", 9), (b"\xc3", 9)])
def test_wrong_one_bad_byte_is_repaired_and_named(tmp_path, bad, offset):
    data = "机关党".encode("utf-8") + bad + "建要抓实。三会一课要规范。".encode("utf-8")
    corpus_at(tmp_path, {"a.txt": data})
    raw = reading.read_folder(tmp_path)
    assert [d.text for d in raw.documents] == ["机关党\ufffd建要抓实。三会一课要规范。"]
    assert [(p.file, p.severity, p.problem) for p in raw.problems] == [
        ("a.txt", "warning", f"invalid UTF-8 repaired: 0x{bad[0]:02X} at byte {offset} replaced by U+FFFD (removed "
                             f"by cleaning)")]
    cleaned = cleaning.clean(raw.documents[0].text)
    assert cleaned.text == "机关党建要抓实。三会一课要规范。"
    assert [(c.step, c.before, c.count) for c in cleaned.changes] == [("repair", "U+FFFD", 1)]


def test_wrong_a_symlink_leaving_the_corpus_is_reported_and_left_out(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text(TEXT, encoding="utf-8")
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH})
    (corpus / "b.txt").symlink_to(outside)
    (corpus / "a2.txt").symlink_to(corpus / "a.txt")  # a link inside the corpus is read
    raw = reading.read_folder(corpus)
    assert [d.doc_id for d in raw.documents] == ["a", "a2"]
    assert [(p.file, p.severity) for p in raw.problems] == [("b.txt", "error")]
    assert "outside the corpus folder" in raw.problems[0].problem


def test_wrong_sub_folders_are_reported_then_read_when_asked(tmp_path):
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, "2020/b.txt": TEXT, "2020/deeper/c.txt": TEXT,
                                        ".git/d.txt": TEXT})
    raw = reading.read_folder(corpus)
    assert [d.doc_id for d in raw.documents] == ["a"]
    assert [(p.file, p.problem, p.severity) for p in raw.problems] == [
        ("2020/", "sub-folder with 1 .txt file and 1 sub-folder not read (read them with recursive=True, or --recursive)",
         "warning")]  # its direct entries only: the tree below is not walked
    raw = reading.read_folder(corpus, recursive=True)
    assert [d.doc_id for d in raw.documents] == ["2020/b", "2020/deeper/c", "a"]


YEARS = [("1998", 1998, None), ("1998年", 1998, None), ("１９９８年", 1998, None), ("二〇二〇年", 2020, None),
         ("一九九八年", 1998, None), ("2019-05-01", 2019, None), ("", None, None),
         ("1234567", None, "holds no four-digit year"), ("3000", None, "is outside 1800–2100"),
         ("98", None, "holds no four-digit year"), ("1998-2001", None, "more than one year"),
         ("１２３４５６７", None, "holds no four-digit year")]


@pytest.mark.parametrize("value, year, problem", YEARS, ids=[v or "empty" for v, _, _ in YEARS])
def test_wrong_metadata_years_are_read_or_reported(tmp_path, value, year, problem):
    corpus_at(tmp_path, {"a.txt": SPEECH, "metadata.csv": f"doc_id,year\na,{value}\n"})
    raw = reading.read_folder(tmp_path)
    got = raw.metadata["year"].iloc[0]
    assert (None if pd.isna(got) else int(got)) == year
    notes = [p.problem for p in raw.problems]
    assert (notes == []) if problem is None else (len(notes) == 1 and problem in notes[0])


# --------------------------------------------------------------------------- control characters (own class)
CONTROLS = [("\x00", "U+0000", ""), ("\x07", "U+0007", ""), ("\x1b", "U+001B", ""), ("\x7f", "U+007F", ""),
            ("\x9b", "U+009B", ""), ("\u200b", "U+200B", ""), ("\u202e", "U+202E", ""), ("\ufeff", "U+FEFF", ""),
            ("\u2066", "U+2066", ""), ("\x0c", "U+000C", "⏎"), ("\u2028", "U+2028", "⏎")]


@pytest.mark.parametrize("char, name, after", CONTROLS, ids=[n for _, n, _ in CONTROLS])
def test_control_characters_are_removed_with_an_audit_row(char, name, after):
    text, changes = cleaning.strip_control(f"机关党建{char}要抓实。{char}三会一课")
    assert text == ("机关党建要抓实。三会一课" if not after else "机关党建\n要抓实。\n三会一课")
    assert [(c.step, c.before, c.after, c.count) for c in changes] == [("control", name, after, 2)]
    assert char not in changes[0].context


def test_control_nul_bytes_in_a_file_are_not_counted(tmp_path):
    from zhengyan import load_corpus

    text = "机关党建\x00要抓实。三会一课\x00\x00要规范。" + "全面从严治党。" * 80  # 3 NULs in 579 characters
    corpus_at(tmp_path, {"a.txt": text.encode("utf-8")})
    c = load_corpus(tmp_path, cache=False)
    assert c.documents["n_chars"].tolist() == [16 + 7 * 80]
    assert c.audit[["step", "before", "count"]].values.tolist() == [["control", "U+0000", 3]]


def test_half_written_a_big_corpus_gets_tokens_in_parquet_only_and_is_told(quick_export, monkeypatch):
    monkeypatch.setattr(export_module, "TOKENS_CSV_MAX", 3)
    out = quick_export / "out"
    assert export_module.export(corpus_at(quick_export / "c"), out) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    n = len(pd.read_parquet(out / "tokens.parquet"))
    assert not (out / "tokens.csv.gz").exists()
    assert manifest["left_out"]["tokens.csv.gz"] == f"not written: {n:,} tokens (more than 3); tokens.parquet holds them all"


def test_crash_a_one_paragraph_corpus_exports(tmp_path):
    corpus = corpus_at(tmp_path / "c", {"a.txt": "机关党建要抓实。\n"})
    assert export_module.export(corpus, tmp_path / "out") == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["left_out"]["keyness.csv"].startswith("empty: keyness compares a document with the rest")
    assert pd.read_csv(tmp_path / "out" / "documents.csv")["doc_id"].tolist() == ["a"]


def test_script_injection_no_rendered_notebook_carries_markup_from_the_corpus(tmp_path):
    """Every notebook executed on a corpus whose texts and titles hold markup: the pages show it as text."""
    from zhengyan.present import render

    script, img = "<script>alert(1)</script>", "<img src=x onerror=alert(2)>"
    corpus = corpus_at(tmp_path / "hostile", {
        "a.txt": f"同志们：\n{script}我们要坚持“三会一课”制度。\n全面从严治党永远在路上！{img}\n",
        "b.txt": "机关党建要抓实。三会一课要规范。\n" * 3,
        "metadata.csv": f'doc_id,title,year\na,"{img}",2019\nb,{script},2021\n'})
    pages = [p for p in render.render_all(corpus, out=tmp_path / "out") if p.suffix == ".html"]
    assert len(pages) == len(render.notebook_files()) + 1  # and index.html
    texts = {p.name: p.read_text(encoding="utf-8") for p in pages}
    assert {name: [x for x in (script, img) if x in page] for name, page in texts.items()} == {
        name: [] for name in texts}
    assert "alert(2)" in texts["01-corpus-overview.html"]  # shown, escaped


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_crash_make_export_takes_a_corpus_folder_with_spaces(tmp_path):
    corpus = corpus_at(tmp_path / "dir with space")
    out = tmp_path / "out folder"
    done = subprocess.run(["make", "--no-print-directory", "-C", str(paths.ROOT), "export", f"CORPUS={corpus}"],
                          capture_output=True, text=True, env={**os.environ, paths.ENV_OUTPUT: str(out)})
    assert done.returncode == 0, done.stderr
    assert "exported 2 documents" in done.stderr
    assert snapshot(corpus) == snapshot(corpus_at(tmp_path / "same"))  # the corpus is as it was


def test_crash_an_all_unreadable_corpus_renders_pages_that_say_so(tmp_path):
    from zhengyan.present import render

    corpus = corpus_at(tmp_path / "c", {"a.txt": b"\x00\x01\x02binary\x00\x00", "b.txt": b"", "c.txt": "<b>x</b>".encode("utf-16-le")[:3]})
    written = render.render_all(corpus, out=tmp_path / "out", progress=False)
    pages = {p.name: p.read_text(encoding="utf-8") for p in written if p.suffix == ".html" and p.name != "index.html"}
    assert sorted(pages) == sorted(f"{p.stem}.html" for p in render.notebook_files())
    import nbformat

    pinned = {f"{p.stem}.html" for p in render.notebook_files()
              if render.pinned_corpus(nbformat.read(p, as_version=4)) is not None}  # 05 reads the shipped reports
    assert pinned == {"05-seventy-years.html"}
    for name, page in pages.items():
        if name in pinned:
            assert "No readable documents" not in page
            continue
        assert "No readable documents" in page, name
        assert "a.txt" in page and "b.txt" in page and "empty file" in page, name
