"""``python -m analysis export``: the files, their columns, and bad input."""
import codecs
import subprocess
import sys

import pandas as pd
import pytest

from analysis import paths
from analysis.export import export


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=cwd or paths.ROOT)


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
    assert sorted(keyness["doc_id"].unique()) == ["a", "b"]
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
