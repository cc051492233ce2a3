"""``python -m zhengyan export``: the files, their columns, and bad input."""
import codecs
import hashlib
import json
import subprocess
import sys

import pandas as pd
import pytest

from zhengyan.core import paths
from zhengyan.export import export
from conftest import SPEECH


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "zhengyan", *args], capture_output=True, text=True, cwd=cwd or paths.ROOT)


def test_export_of_a_small_corpus(speech_folder, tmp_path):
    out = tmp_path / "out"
    assert export(speech_folder, out) == 0
    assert {"documents.csv", "terms.csv", "cleaning.csv", "problems.csv", "texts", "tokens.parquet",
            "tokens.csv.gz"} <= {p.name for p in out.iterdir()}
    docs = pd.read_csv(out / "documents.csv")
    assert list(docs.columns[:15]) == ["doc_id", "title", "year", "year_source", "year_evidence", "year_inferred",
                                       "year_inferred_confidence", "year_inferred_evidence", "encoding", "n_chars",
                                       "n_raw_chars", "n_tokens", "n_paragraphs", "n_sentences", "warnings"]
    assert docs["year_source"].tolist() == ["metadata", "metadata"]
    for name in ("themes.csv", "trends.csv", "slogans.csv", "formulas.csv", "cooccurrence.csv"):
        assert (out / name).is_file()
    assert list(pd.read_csv(out / "themes.csv").columns[:5]) == ["year", "theme", "n", "share", "n_docs"]
    assert docs["doc_id"].tolist() == ["a", "b"]
    assert (out / "texts" / "b.txt").read_text(encoding="utf-8") == "机关党建要抓实。三会一课要规范。\n"
    terms = pd.read_csv(out / "terms.csv")
    assert list(terms.columns) == ["doc_id", "term", "n", "per_10k", "tfidf"]
    row = terms[(terms["doc_id"] == "b") & (terms["term"] == "三会一课")].iloc[0]
    assert row["n"] == 1 and row["per_10k"] == pytest.approx(1 / 16 * 10_000)  # b has 16 characters
    assert row["tfidf"] == 0.0  # 三会一课 is in both documents
    keyness = pd.read_csv(out / "keyness.csv")
    assert list(keyness.columns[:4]) == ["doc_id", "term", "n_target", "n_reference"]
    assert keyness.empty  # two short documents: no term's keyness is significant, and the manifest says so
    tokens = pd.read_parquet(out / "tokens.parquet")
    assert {"doc_id", "para_id", "sent_id", "position", "term"} <= set(tokens.columns)


def test_export_completes_with_bad_files_and_reports_them(tmp_path):
    corpus = tmp_path / "mixed"
    corpus.mkdir()
    text = "加强机关党建，落实三会一课制度。"
    (corpus / "u8.txt").write_bytes(text.encode("utf-8"))
    (corpus / "gbk.txt").write_bytes(text.encode("gb18030"))
    (corpus / "big5.txt").write_bytes("加強機關黨建，落實三會一課制度。".encode("big5"))
    (corpus / "u16.txt").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blob.txt").write_bytes(bytes(range(256)) * 4)
    result = run_cli("export", "--corpus", str(corpus), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "error: empty.txt: empty file" in result.stderr
    assert "error: blob.txt: binary file" in result.stderr
    docs = pd.read_csv(tmp_path / "out" / "documents.csv").set_index("doc_id")
    assert sorted(docs.index) == ["big5", "gbk", "u16", "u8"]
    assert docs["encoding"].to_dict() == {"big5": "big5", "gbk": "gb18030", "u16": "utf-16", "u8": "utf-8"}
    texts = {d: (tmp_path / "out" / "texts" / f"{d}.txt").read_text(encoding="utf-8") for d in docs.index}
    assert set(texts.values()) == {text + "\n"}
    problems = pd.read_csv(tmp_path / "out" / "problems.csv")
    assert sorted(problems["file"]) == ["blob.txt", "empty.txt"]
    assert sorted(p.name for p in corpus.iterdir()) == ["big5.txt", "blob.txt", "empty.txt", "gbk.txt", "u16.txt", "u8.txt"]


def test_missing_corpus_is_exit_status_2(tmp_path):
    result = run_cli("export", "--corpus", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "corpus folder not found" in result.stderr


def test_export_refuses_to_write_into_the_corpus(speech_folder):
    assert export(speech_folder, speech_folder / "out") == 2
    assert not (speech_folder / "out").exists()


def test_the_data_loss_case_is_refused_and_the_originals_stay(tmp_path):
    texts = tmp_path / "out" / "texts"
    texts.mkdir(parents=True)
    (texts / "a.txt").write_text("机关党建要抓实。  三会一课要规范。\n\n\n", encoding="utf-8")
    before = (texts / "a.txt").read_bytes()
    result = run_cli("export", "--corpus", str(texts), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: refusing to write into the corpus folder: {tmp_path / 'out'} contains {texts.resolve()}"]
    assert (texts / "a.txt").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["texts"]


def test_manifest_lists_every_file_with_rows_and_checksums(speech_folder, tmp_path):
    out = tmp_path / "out"
    assert export(speech_folder, out) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    names = {f["name"] for f in manifest["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert names == on_disk
    for entry in manifest["files"]:
        assert entry["sha256"] == hashlib.sha256((out / entry["name"]).read_bytes()).hexdigest()
    rows = {f["name"]: f["rows"] for f in manifest["files"]}
    assert rows["documents.csv"] == 2
    assert rows["terms.csv"] == len(pd.read_csv(out / "terms.csv"))
    assert rows["tokens.parquet"] == len(pd.read_parquet(out / "tokens.parquet"))
    assert manifest["corpus"]["path"] == str(speech_folder.resolve())
    assert manifest["corpus"]["files"] == 3  # a.txt, b.txt, metadata.csv
    assert manifest["corpus"]["fingerprint"].startswith("sha256:")
    assert manifest["package"]["name"] == "zhengyan"


def test_fingerprint_changes_with_one_byte_of_the_corpus(speech_folder):
    from zhengyan.export import corpus_fingerprint

    before = corpus_fingerprint(speech_folder)["fingerprint"]
    (speech_folder / "b.txt").write_text("机关党建要抓实。三会一课要规范！\n", encoding="utf-8")
    assert corpus_fingerprint(speech_folder)["fingerprint"] != before


def test_a_rerun_replaces_the_whole_export(speech_folder, tmp_path):
    out = tmp_path / "out"
    (speech_folder / "c.txt").write_text(SPEECH, encoding="utf-8")
    assert export(speech_folder, out) == 0
    assert sorted(p.name for p in (out / "texts").iterdir()) == ["a.txt", "b.txt", "c.txt"]
    (speech_folder / "c.txt").unlink()
    assert export(speech_folder, out) == 0
    assert sorted(p.name for p in (out / "texts").iterdir()) == ["a.txt", "b.txt"]  # no stale c.txt
    assert pd.read_csv(out / "documents.csv")["doc_id"].tolist() == ["a", "b"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary folder left


def test_a_failing_export_leaves_the_earlier_one_whole(speech_folder, tmp_path, monkeypatch):
    from zhengyan import export as export_module

    out = tmp_path / "out"
    assert export(speech_folder, out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_module, "_trends", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        export(speech_folder, out, force=True)  # unforced, an unchanged corpus is not exported again
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_export_does_not_replace_a_folder_it_did_not_write(speech_folder, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"precious")
    result = run_cli("export", "--corpus", str(speech_folder), "--out", str(out))
    assert result.returncode == 2
    assert "holds files an export did not write" in result.stderr
    assert (out / "thesis.docx").read_bytes() == b"precious"


def test_bad_output_paths_fail_before_loading(speech_folder, tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = run_cli("export", "--corpus", str(speech_folder), "--out", str(tmp_path / "file"))
    assert result.returncode == 2 and result.stderr == f"error: output path is a file, not a folder: {tmp_path / 'file'}\n"
    result = run_cli("export", "--corpus", str(speech_folder), "--out", str(tmp_path / "file" / "below"))
    assert result.returncode == 2 and "is a file" in result.stderr


def test_formula_cells_are_neutralised_and_numbers_stay_numbers():
    from zhengyan.export import neutralise_formulas

    table = pd.DataFrame({"title": ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "-3", "+1.5", "三会一课", "a=b"],
                          "n": [-1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "share": [-0.5] * 10})
    out = neutralise_formulas(table)
    assert out["title"].tolist() == ["'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx", "-3", "+1.5", "三会一课",
                                     "a=b"]
    assert out["n"].tolist() == table["n"].tolist() and out["share"].tolist() == table["share"].tolist()


def test_csv_export_neutralises_titles_and_metadata(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(SPEECH, encoding="utf-8")
    (corpus / "metadata.csv").write_text('doc_id,title,year,place\na,"=HYPERLINK(""http://x"",""y"")",2020,-12\n',
                                         encoding="utf-8")
    assert export(corpus, tmp_path / "out") == 0
    docs = pd.read_csv(tmp_path / "out" / "documents.csv")
    assert docs.loc[0, "title"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert docs.loc[0, "place"] == -12  # a number stays a number
    assert docs.loc[0, "year"] == 2020


def test_an_all_unreadable_corpus_exports_its_problems(tmp_path):
    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blob.txt").write_bytes(bytes(range(256)) * 4)
    result = run_cli("export", "--corpus", str(corpus), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "no readable documents" in result.stderr
    assert sorted(pd.read_csv(tmp_path / "out" / "problems.csv")["file"]) == ["blob.txt", "empty.txt"]
    docs = pd.read_csv(tmp_path / "out" / "documents.csv")
    assert len(docs) == 0 and list(docs.columns[:3]) == ["doc_id", "title", "year"]
    assert json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["corpus"]["documents"] == 0


def test_keyness_keeps_only_significant_rows_and_says_what_it_left(speech_folder, tmp_path):
    out = tmp_path / "out"
    assert export(speech_folder, out) == 0
    keyness = pd.read_csv(out / "keyness.csv")
    assert (keyness["p"] < 0.05).all()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # 三会一课 is the only term used twice; in a and in b it is used once, far from significant
    assert manifest["left_out"]["keyness.csv"] == ("2 of 2 rows left out: terms whose keyness in a document is not "
                                                   "significant (p >= 0.05)")


@pytest.mark.parametrize("argv, env, expected", [
    ([], None, {"jobs": None, "scheduler": None, "recursive": False, "wait_for_cache": False}),
    (["--jobs", "2", "--recursive"], None, {"jobs": 2, "scheduler": None, "recursive": True, "wait_for_cache": False}),
    (["--scheduler", "tcp://10.0.0.1:8786"], None, {"jobs": None, "scheduler": "tcp://10.0.0.1:8786", "recursive": False,
                                                    "wait_for_cache": False}),
    ([], "tcp://from-env:8786", {"jobs": None, "scheduler": "tcp://from-env:8786", "recursive": False,
                                 "wait_for_cache": False}),
])
def test_loading_options_reach_load_corpus(speech_folder, tmp_path, monkeypatch, argv, env, expected):
    from zhengyan import __main__ as cli
    from zhengyan import export as export_module
    from zhengyan.ingest import reading

    seen = {}

    def fake_load(folder, **kwargs):
        seen.update(kwargs)
        raise reading.CorpusError("stop here")

    monkeypatch.setattr(export_module, "load_corpus", fake_load)
    monkeypatch.setattr(cli, "check_scheduler", lambda address, source: None)  # no scheduler at these addresses
    if env:
        monkeypatch.setenv("ANALYSIS_DASK_SCHEDULER", env)
    else:
        monkeypatch.delenv("ANALYSIS_DASK_SCHEDULER", raising=False)
    assert cli.main(["export", "--corpus", str(speech_folder), "--out", str(tmp_path / "out"), *argv]) == 2
    assert seen == expected
    assert not (tmp_path / "out").exists()


def test_an_unchanged_export_is_not_written_again(tmp_path, capsys):
    corpus = tmp_path / "c"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):
        (corpus / name).write_bytes((paths.SEEDS / sorted(p.name for p in paths.SEEDS.glob("*.txt"))[0]).read_bytes()
                                    + name.encode())
    out = tmp_path / "out"
    assert export(corpus, out) == 0
    manifest = (out / "manifest.json").read_bytes()
    stamp = (out / "manifest.json").stat().st_mtime_ns
    capsys.readouterr()
    assert export(corpus, out) == 0
    assert "export up to date" in capsys.readouterr().err
    assert (out / "manifest.json").stat().st_mtime_ns == stamp
    # an exported file edited by hand, a changed document, or --force: written again
    (out / "slogans.csv").write_text("edited\n", encoding="utf-8")
    assert export(corpus, out) == 0
    assert "up to date" not in capsys.readouterr().err and (out / "slogans.csv").read_text() != "edited\n"
    stamp = (out / "manifest.json").stat().st_mtime_ns
    assert export(corpus, out, force=True) == 0
    assert (out / "manifest.json").stat().st_mtime_ns != stamp
    (corpus / "b.txt").write_text("加强机关党建，坚持三会一课。\n", encoding="utf-8")
    assert export(corpus, out) == 0
    assert "up to date" not in capsys.readouterr().err
    assert json.loads((out / "manifest.json").read_bytes())["inputs"] != json.loads(manifest)["inputs"]


def test_keyness_written_block_by_block_is_the_whole_table(tmp_path, monkeypatch):
    """keyness.csv is computed and written a block at a time: across blocks and gzip slices it holds
    exactly the rows of the whole table, in its order, with the rows left out counted."""
    from zhengyan import export as export_module
    from zhengyan.analyses import frequency
    from zhengyan import load_corpus

    c = load_corpus(paths.SEEDS)
    whole = frequency.keyness_each(c.terms_table(), c.documents, min_freq=2, max_p=export_module.KEYNESS_P)
    assert len(whole) > 300
    monkeypatch.setattr(frequency, "KEYNESS_BLOCK", 100)  # many blocks
    monkeypatch.setattr(export_module, "LARGE_ROWS", 150)  # gzip from the second block on
    monkeypatch.setattr(export_module, "WRITE_ROWS", 70)  # slices that cut across blocks
    out = tmp_path / "out"
    assert export(paths.SEEDS, out) == 0
    written = pd.read_csv(out / "keyness.csv.gz", keep_default_na=False)
    expected = whole.astype({"doc_id": str, "term": str}).reset_index(drop=True)
    pd.testing.assert_frame_equal(written, expected, check_dtype=False, check_exact=False, rtol=1e-12)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {f["name"]: f["rows"] for f in manifest["files"]}["keyness.csv.gz"] == len(whole)
    assert manifest["left_out"]["keyness.csv"].startswith(f"{whole.attrs['rows'] - len(whole)} of "
                                                          f"{whole.attrs['rows']} rows left out")
    names = [f["name"] for f in manifest["files"] if not f["name"].startswith("texts/")]
    assert names.index("tokens.parquet") < names.index("keyness.csv.gz") < names.index("documents.csv")


def test_a_large_table_whose_first_slice_has_no_value_keeps_its_text_quoted(tmp_path, monkeypatch):
    from zhengyan import export as export_module

    monkeypatch.setattr(export_module, "LARGE_ROWS", 3)
    monkeypatch.setattr(export_module, "WRITE_ROWS", 2)
    table = pd.DataFrame({"n": [1, 2, 3, 4, 5], "note": [None, None, 'x,"y"', "z\nw", "=1+1"],
                          "term": pd.Categorical(["党建", "@cmd", "党建", "-2", "+x"]), "rate": [0.5, 1e-300, 2.0, -3.25, 7.0]})
    name = export_module._write_csv(table, tmp_path, "t.csv")
    assert name == "t.csv.gz"
    back = pd.read_csv(tmp_path / name, keep_default_na=False)
    assert back["note"].tolist() == ["", "", 'x,"y"', "z\nw", "'=1+1"]
    assert back["n"].tolist() == [1, 2, 3, 4, 5]
    assert back["term"].tolist() == ["党建", "'@cmd", "党建", "-2", "'+x"]  # a number held as text is no formula
    assert back["rate"].tolist() == [0.5, 1e-300, 2.0, -3.25, 7.0]
    assert table["term"].tolist()[1] == "@cmd"  # the table itself is left as it was
    # one gzip member a slice (made on several threads), read by any gzip reader as one CSV, one header
    import gzip

    data = (tmp_path / name).read_bytes()
    assert data.count(b"\x1f\x8b\x08") >= 3
    text = gzip.decompress(data).decode("utf-8")
    assert text.startswith('"n","note","term","rate"\n') and text.count('"note"') == 1
