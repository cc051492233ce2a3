"""The per-document map gives the same tables in this process, in worker processes and on a Dask cluster."""
import pandas as pd
import pytest

from zhengyan import load_corpus
from zhengyan.core import pool
from zhengyan.core import paths
from zhengyan.ingest import pipeline

TABLES = ("documents", "tokens", "sentences", "audit", "problems")


def assert_same(a, b):
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


@pytest.fixture(scope="module")
def seeds_in_process():
    return load_corpus(paths.SEEDS, cache=False, jobs=1)


def test_batches_keep_document_order_and_cover_every_document():
    items = [(str(i), "党" * n, "utf-8") for i, n in enumerate([30_000, 10, 60_000, 5, 70_000])]
    groups = pipeline.batches(items, 2)
    assert [item for group in groups for item in group] == items
    assert len(groups) == 2 and [len(g) for g in groups] == [3, 2]


def test_worker_processes_give_the_same_tables(seeds_in_process, monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH_CHARS", 1)  # one document a task, so both workers get some
    monkeypatch.setattr(pipeline, "batches", lambda items, n: [[item] for item in items])
    assert_same(load_corpus(paths.SEEDS, cache=False, jobs=2), seeds_in_process)


def test_a_dask_cluster_gives_the_same_tables(seeds_in_process, monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(pipeline, "batches", lambda items, n: [[item] for item in items])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_cluster = load_corpus(paths.SEEDS, cache=False, scheduler=cluster.scheduler_address)
        monkeypatch.setenv(pipeline.ENV_SCHEDULER, cluster.scheduler_address)
        from_env = load_corpus(paths.SEEDS, cache=False)
    assert_same(on_cluster, seeds_in_process)
    assert_same(from_env, seeds_in_process)


@pytest.mark.parametrize("option, value, message", [
    ("jobs", 0, "jobs must be a positive whole number"),
    ("jobs", "2", "jobs must be a positive whole number"),
    ("scheduler", "localhost:8786", "scheduler must be a Dask scheduler address"),
    ("progress", "yes", "progress must be True, False or None"),
    ("cache", "no", "cache must be True or False"),
    ("segmenter", "thulac", "segmenter must be one of jieba, rjieba"),
])
def test_options_are_checked_before_any_work(option, value, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        load_corpus(tmp_path / "no such folder", **{option: value})


def test_both_segmenters_load_the_same_tables_on_the_seeds(seeds_in_process):
    assert_same(load_corpus(paths.SEEDS, cache=False, jobs=1, segmenter="jieba"), seeds_in_process)


def test_progress_bar_counts_documents(capsys):
    items = [(str(i), "党建。\n", "utf-8") for i in range(3)]
    settings = pipeline.Settings.current("rjieba")
    results = pipeline.run(items, settings, jobs=1, progress=True)
    assert [r["documents"]["fingerprint"].tolist() for r in results] == [["0", "1", "2"]]
    assert "3/3" in capsys.readouterr().err


def test_analysis_steps_give_the_same_results_in_worker_processes(monkeypatch):
    from zhengyan.analyses import formulas, years

    from zhengyan.analyses import themes

    corpus = load_corpus(paths.SEEDS)
    dated, found = years.date_documents(corpus.documents), formulas.mentions(corpus)
    undated = years.date_documents(corpus.documents, use_metadata=False)
    candidates, theme_rows = formulas.discover(corpus), themes.theme_mentions(corpus)
    monkeypatch.setattr(pool, "PARALLEL_CHARS", 1)  # the seeds are far below it: force the workers
    assert pool.map_documents(len, [("ab",), ("c",), ("",), ("def",)], chars=6, jobs=2) == [2, 1, 0, 3]
    pd.testing.assert_frame_equal(years.date_documents(corpus.documents), dated)
    pd.testing.assert_frame_equal(years.date_documents(corpus.documents, use_metadata=False), undated)
    pd.testing.assert_frame_equal(formulas.mentions(corpus), found)
    pd.testing.assert_frame_equal(formulas.discover(corpus), candidates)
    pd.testing.assert_frame_equal(themes.theme_mentions(corpus), theme_rows)
    assert len(found) > 200 and dated["year_inferred"].notna().all() and len(candidates) > 20 and len(theme_rows) > 100
    # the texts travel to the workers as Arrow arrays, each put back in its place in the arguments
    lazy = pool.texts_of(corpus.documents["text"], lambda i, text: (i, text, "x"))
    arrow_held = isinstance(corpus.documents["text"].array, pd.arrays.ArrowStringArray)
    assert (lazy.chunk is not None) == arrow_held  # pandas' string dtype with pyarrow, as the pins give
    if arrow_held:
        import pickle

        assert list(pickle.loads(pickle.dumps(lazy.chunk(1, 4)))) == lazy[1:4]
        assert lazy[1:4] == [(i, text, "x") for i, text in zip(range(1, 4), corpus.documents["text"].iloc[1:4])]


def test_a_script_without_a_main_guard_runs_the_workers_once(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "plain.py"
    script.write_text(
        "import sys\nsys.path.insert(0, %r)\nfrom zhengyan.core import pool\npool.PARALLEL_CHARS = 1\n"
        "print(pool.map_documents(len, [('ab',), ('c',), ('',), ('def',)], chars=6, jobs=2))\n"
        % str(paths.PACKAGE.parent), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[2, 1, 0, 3]"]
