"""KWIC on the clean text, collocations on a hand-made token table, dispersion."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from zhengyan.analyses import concordance
from zhengyan.core import paths
from zhengyan.ingest.corpus import Corpus


def test_kwic_finds_every_occurrence_in_the_clean_text(seeds_corpus):
    expected = sum(text.count("三会一课") for text in seeds_corpus.documents["text"])
    table = concordance.kwic(seeds_corpus, "三会一课", width=10)
    assert len(table) == expected == 8
    assert (table["match"] == "三会一课").all()
    first = table.iloc[0]
    text = seeds_corpus.text(first["doc_id"])
    assert text[first["start"]: first["end"]] == "三会一课"
    assert first["left"] == text[first["start"] - 10: first["start"]].replace("\n", "⏎")


def test_kwic_cli_prints_one_line_per_occurrence():
    result = subprocess.run([sys.executable, "-m", "zhengyan", "kwic", "三会一课", "--width", "8"],
                            capture_output=True, text=True, cwd=paths.ROOT)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 8 and all("【三会一课】" in line for line in lines)


def test_kwic_finds_a_phrase_the_segmenter_hides(seeds_corpus):
    """从严治党 is inside the token 全面从严治党, so no token equals it; the text search still finds it."""
    table = concordance.kwic(seeds_corpus, "从严治党")
    assert len(table) == sum(t.count("从严治党") for t in seeds_corpus.documents["text"]) > 0
    assert "从严治党" not in set(seeds_corpus.tokens["term"].astype(str))


def test_kwic_regex_and_sorting(seeds_corpus):
    table = concordance.kwic(seeds_corpus, r"[一二三四]岗双责", regex=True, sort="left")
    assert set(table["match"]) == {"一岗双责"}
    assert table["left"].str[::-1].tolist() == sorted(table["left"].str[::-1])
    with pytest.raises(ValueError, match="sort must be one of"):
        concordance.kwic(seeds_corpus, "党", sort="alphabet")


def _tiny_corpus():
    # A: 机关|党建|抓|落实 ; B: 机关|党建|。|党建  (the last pair is split by punctuation)
    rows = [("A", 0, "机关", 0), ("A", 0, "党建", 2), ("A", 0, "抓", 4), ("A", 0, "落实", 5),
            ("B", 0, "机关", 0), ("B", 0, "党建", 2), ("B", 1, "党建", 5)]
    tokens = pd.DataFrame(rows, columns=["doc_id", "sent_id", "term", "start"])
    tokens["doc_id"] = pd.Categorical(tokens["doc_id"], categories=["A", "B"])
    tokens["kind"], tokens["stop"], tokens["filler"] = "word", False, False
    tokens["start"] = tokens["start"].astype(np.int32)
    docs = pd.DataFrame({"doc_id": ["A", "B"], "text": ["机关党建抓落实", "机关党建。党建"]})
    return Corpus(paths.SEEDS, docs, tokens, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())


def test_collocations_by_hand():
    got = concordance.collocations(_tiny_corpus(), min_count=1).set_index("collocation")
    assert got.index.tolist() == ["机关党建", "抓落实", "党建抓"]  # by n, then PMI (log2 7 > log2 7/3)
    assert got.loc["机关党建", "n"] == 2 and got.loc["机关党建", "docfreq"] == 2
    # N = 7 word tokens; n(机关) = 2, n(党建) = 3: PMI = log2(2·7 / (2·3))
    assert got.loc["机关党建", "pmi"] == pytest.approx(np.log2(14 / 6))
    # G², full 2×2: 党建 after 机关 (2) / elsewhere (1); other tokens after 机关 (0) / elsewhere (4); N = 7
    e = {"ab": 2 * 3 / 7, "b": 5 * 3 / 7, "a": 2 * 4 / 7, "rest": 5 * 4 / 7}
    assert got.loc["机关党建", "g2"] == pytest.approx(2 * (2 * np.log(2 / e["ab"]) + 1 * np.log(1 / e["b"])
                                                          + 4 * np.log(4 / e["rest"])))
    assert concordance.collocations(_tiny_corpus(), min_count=2)["collocation"].tolist() == ["机关党建"]
    tri = concordance.collocations(_tiny_corpus(), size=3, min_count=1)
    assert tri["collocation"].tolist() == ["党建抓落实", "机关党建抓"]


def test_dispersion_positions(seeds_corpus):
    got = concordance.dispersion(seeds_corpus, ["三会一课"])
    assert len(got) == 8 and got["relative"].between(0, 1).all()
    row = got.iloc[0]
    assert row["relative"] == pytest.approx(row["start"] / len(seeds_corpus.text(row["doc_id"])))
