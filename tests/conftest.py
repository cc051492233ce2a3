"""Shared fixtures: one short hand-made speech, and the validation corpus when it is present."""
from __future__ import annotations

import pytest

from analysis import paths

#: A short speech small enough to count by hand (three paragraphs, five sentences).
SPEECH = (
    "同志们：\n"
    "我们要坚持“三会一课”制度。全面从严治党永远在路上！\n"
    "党员要落实一岗双责，增强四个意识；做到两个维护。\n"
)


@pytest.fixture
def speech_folder(tmp_path):
    """A corpus folder with two documents and a metadata.csv."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(SPEECH, encoding="utf-8")
    (folder / "b.txt").write_text("机关党建要抓实。三会一课要规范。\n", encoding="utf-8")
    (folder / "metadata.csv").write_text("doc_id,title,year\na,讲话甲,2019\nb,讲话乙,2021\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def prc_reports():
    """The 64-report validation corpus beside the project; skipped, saying so, where it is absent."""
    if not paths.PRC_REPORTS.is_dir():
        pytest.skip(f"validation corpus not found at {paths.PRC_REPORTS} (it is not shipped with the project)")
    return paths.PRC_REPORTS


@pytest.fixture(scope="session")
def seeds_corpus():
    from analysis import load_corpus

    return load_corpus(paths.SEEDS)


@pytest.fixture(scope="session")
def prc_corpus(prc_reports):
    from analysis import load_corpus

    return load_corpus(prc_reports)
