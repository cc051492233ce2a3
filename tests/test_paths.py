"""Where outputs go: figures/ for the seeds, output/<name>/ for another corpus, a temp folder for tests."""
from analysis import paths


def test_default_corpus_writes_into_the_project(monkeypatch):
    monkeypatch.delenv(paths.ENV_OUTPUT, raising=False)
    assert paths.figures_dir(paths.SEEDS) == paths.ROOT / "figures"
    assert paths.rendered_dir(paths.SEEDS) == paths.ROOT / "rendered"


def test_other_corpus_writes_under_output(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.ENV_OUTPUT, raising=False)
    other = tmp_path / "prc_reports"
    assert paths.figures_dir(other) == paths.ROOT / "output" / "prc_reports" / "figures"
    assert paths.export_dir(other) == paths.ROOT / "output" / "prc_reports" / "export"


def test_environment_redirects(monkeypatch, tmp_path):
    monkeypatch.setenv(paths.ENV_OUTPUT, str(tmp_path))
    monkeypatch.setenv(paths.ENV_CORPUS, str(tmp_path / "c"))
    assert paths.figures_dir() == tmp_path / "figures"
    assert paths.corpus_dir() == tmp_path / "c"


def test_no_other_module_spells_a_project_path():
    spelled = []
    for p in (paths.ROOT / "analysis").glob("*.py"):
        if p.name == "paths.py":
            continue
        source = p.read_text(encoding="utf-8")
        for needle in ('"seeds"', '"figures"', '"rendered"', '".cache"', "'seeds'", "'figures'"):
            if needle in source:
                spelled.append((p.name, needle))
    assert spelled == []
