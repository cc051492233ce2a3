"""Where outputs go: figures/ for the seeds, output/<name>/ for another corpus, a temp folder for tests."""
import hashlib

import pytest

from zhengyan.core import paths
from conftest import NEWS


def test_default_corpus_writes_into_the_project(monkeypatch):
    monkeypatch.delenv(paths.ENV_OUTPUT, raising=False)
    assert paths.figures_dir(paths.SEEDS) == paths.ROOT / "figures"
    assert paths.rendered_dir(paths.SEEDS) == paths.ROOT / "rendered"


def test_other_corpus_writes_under_output_named_and_hashed(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.ENV_OUTPUT, raising=False)
    other = tmp_path / "prc_reports"
    digest = hashlib.sha256(str(other.resolve()).encode("utf-8")).hexdigest()[:8]
    assert paths.output_dir(other) == paths.ROOT / "output" / f"prc_reports-{digest}"
    assert paths.figures_dir(other) == paths.ROOT / "output" / f"prc_reports-{digest}" / "figures"
    assert paths.export_dir(other) == paths.ROOT / "output" / f"prc_reports-{digest}" / "export"


def test_two_corpora_with_one_name_get_two_output_folders(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.ENV_OUTPUT, raising=False)
    (tmp_path / "a" / "speeches").mkdir(parents=True)
    (tmp_path / "b" / "speeches").mkdir(parents=True)
    first, second = paths.export_dir(tmp_path / "a" / "speeches"), paths.export_dir(tmp_path / "b" / "speeches")
    assert first != second
    assert first.parent.name.startswith("speeches-") and second.parent.name.startswith("speeches-")


def test_a_symlink_to_the_corpus_shares_its_output_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.ENV_OUTPUT, raising=False)
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert paths.output_dir(tmp_path / "link") == paths.output_dir(tmp_path / "real")


@pytest.mark.parametrize("out, reason", [
    ("corpus", "is"), ("corpus/sub", "is inside"), ("corpus/sub/deeper", "is inside"), (".", "contains"),
    ("link-to-corpus", "is"), ("link-to-corpus/x", "is inside"), ("link-to-parent", "contains"),
])
def test_check_output_refuses_every_direction(tmp_path, out, reason):
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    (tmp_path / "link-to-corpus").symlink_to(tmp_path / "corpus")
    (tmp_path / "link-to-parent").symlink_to(tmp_path)
    with pytest.raises(paths.UnsafeOutput, match=f"the corpus folder: .* {reason} "):
        paths.check_output(tmp_path / out, tmp_path / "corpus")


@pytest.mark.parametrize("out", [paths.SEEDS, paths.SEEDS / "x", paths.CORPORA, paths.PRC_REPORTS / "export",
                                 paths.ROOT, NEWS / "x"])
def test_check_output_refuses_the_read_only_corpora(tmp_path, out):
    with pytest.raises(paths.UnsafeOutput, match="read-only corpus folder"):
        paths.check_output(out, tmp_path)


def test_check_output_accepts_a_sibling_and_the_default_folders(tmp_path):
    (tmp_path / "corpus").mkdir()
    assert paths.check_output(tmp_path / "corpus-out", tmp_path / "corpus") == (tmp_path / "corpus-out").resolve()
    assert paths.check_output(paths.export_dir(paths.SEEDS), paths.SEEDS) == paths.ROOT / "export"
    assert paths.check_output(paths.figures_dir(paths.PRC_REPORTS), paths.PRC_REPORTS).parent.parent == paths.OUTPUT


def test_environment_redirects(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.ENV_OUTPUT, str(tmp_path))
    monkeypatch.setenv(paths.ENV_CORPUS, str(tmp_path / "c"))
    assert paths.figures_dir() == tmp_path / "figures"
    assert paths.corpus_dir() == tmp_path / "c"


def test_no_other_module_spells_a_project_path():
    spelled = []
    modules = list(paths.PACKAGE.rglob("*.py"))
    assert len(modules) > 25
    for p in modules:
        if p.name == "paths.py":
            continue
        source = p.read_text(encoding="utf-8")
        for needle in ('"seeds"', '"figures"', '"rendered"', '".cache"', "'seeds'", "'figures'"):
            if needle in source:
                spelled.append((p.name, needle))
    assert spelled == []


def test_figures_and_html_are_never_sent_into_a_corpus(monkeypatch, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    monkeypatch.setenv(paths.ENV_OUTPUT, str(corpus))
    with pytest.raises(paths.UnsafeOutput, match="is inside"):
        paths.figures_dir(corpus)
    with pytest.raises(paths.UnsafeOutput, match="is inside"):
        paths.rendered_dir(corpus)
    monkeypatch.setenv(paths.ENV_OUTPUT, str(tmp_path))  # beside the corpus, in a folder holding it: fine
    assert paths.figures_dir(corpus) == tmp_path.resolve() / "figures"
    monkeypatch.setenv(paths.ENV_OUTPUT, str(paths.SEEDS))
    with pytest.raises(paths.UnsafeOutput, match="seeds/figures is inside .*seeds"):
        paths.figures_dir(tmp_path / "corpus")
