"""The README's "Extending" examples, run: a new association measure added in one place reaches every table."""
from __future__ import annotations

import math

import pytest

from zhengyan import load_corpus
from zhengyan.core import measures


@pytest.fixture
def log_dice():
    """The README's example measure, registered for one test and removed after it."""
    @measures.measure("log_dice")
    def log_dice(p: measures.Pair):
        """Rychlý's logDice: 14 + log2(2·n_ab / (n_a + n_b))."""
        return 14 + measures.np.log2(2 * p.n_ab / (p.n_a + p.n_b))

    yield log_dice
    del measures.MEASURES["log_dice"]


def test_a_registered_measure_is_a_column_of_every_cooccurrence_table(speech_folder, log_dice):
    corpus = load_corpus(speech_folder, cache=False)
    pairs = corpus.cooccurrence(context="document")
    assert list(pairs.columns)[-1] == "log_dice"
    # document a holds 三会一课, 全面从严治党, 一岗双责, 四个意识, 两个维护; document b only 三会一课
    row = pairs[(pairs["item_a"] == "一岗双责") & (pairs["item_b"] == "三会一课")].iloc[0]
    assert (row["n_ab"], row["n_a"], row["n_b"], row["n_contexts"]) == (1, 1, 2, 2)
    assert row["log_dice"] == pytest.approx(14 + math.log2(2 * 1 / (1 + 2)))
    assert row["dice"] == pytest.approx(2 / 3)


def test_a_measure_name_is_registered_once_and_misspelt_names_are_named():
    with pytest.raises(ValueError, match="registered already"):
        measures.measure("pmi")(lambda p: p.n_ab)
    with pytest.raises(ValueError, match="did you mean 'npmi'"):
        measures.association([1], [2], [2], [4], ["npmj"])
    assert list(measures.MEASURES) == ["expected", "jaccard", "dice", "pmi", "npmi", "g2", "p"]


def test_a_declared_export_table_is_written_listed_and_checked(speech_folder, tmp_path, monkeypatch):
    """The README's example of an export table: declared in one place, written, in the manifest, checked."""
    import json

    import pandas as pd

    from zhengyan import export

    monkeypatch.setattr(export, "TABLES", list(export.TABLES))  # this test's declaration goes with it

    @export.table("paragraphs.csv", "paragraphs per document")
    def paragraphs(shared):
        docs = shared.documents
        return docs[["doc_id", "n_paragraphs"]]

    out = tmp_path / "out"
    assert export.export(speech_folder, out) == 0
    table = pd.read_csv(out / "paragraphs.csv")
    assert table.to_dict("list") == {"doc_id": ["a", "b"], "n_paragraphs": [3, 1]}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["name"]: f["rows"] for f in manifest["files"]}
    assert listed["paragraphs.csv"] == 2 and manifest["tables"]["paragraphs.csv"] == "paragraphs per document"
    (out / "paragraphs.csv").write_text("edited\n", encoding="utf-8")  # checked on re-export: rewritten
    assert export.export(speech_folder, out) == 0
    assert pd.read_csv(out / "paragraphs.csv").to_dict("list") == table.to_dict("list")
    with pytest.raises(ValueError, match="declared already"):
        export.table("terms.csv", "again")(lambda shared: None)
