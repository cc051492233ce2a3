"""Shared fixtures: one short hand-made speech, and the validation corpus when it is present."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhengyan.core import paths

#: The daily news transcripts beside the project (copyrighted: never copied in); ``$ZHENGYAN_NEWS`` overrides.
NEWS = Path(os.environ.get("ZHENGYAN_NEWS") or paths.ROOT.parent / "shared" / "corpora" / "xwlb_dev")
os.environ[paths.ENV_READ_ONLY] = str(NEWS)  # every run of the tests guards it as it guards the shipped corpora

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
    """The 64 reports, shipped in ``corpora/prc_reports``."""
    assert paths.PRC_REPORTS.is_dir(), f"the bundled corpus is missing: {paths.PRC_REPORTS}"
    return paths.PRC_REPORTS


@pytest.fixture(scope="session")
def xwlb_dev():
    """The daily news transcripts beside the project (never shipped); skipped, saying so, where absent."""
    if not NEWS.is_dir():
        pytest.skip(f"news transcripts not found at {NEWS} (copyrighted: kept beside the project, not in it)")
    return NEWS


@pytest.fixture(scope="session")
def seeds_corpus():
    from zhengyan import load_corpus

    return load_corpus(paths.SEEDS)


@pytest.fixture(scope="session")
def prc_corpus(prc_reports):
    from zhengyan import load_corpus

    return load_corpus(prc_reports)
