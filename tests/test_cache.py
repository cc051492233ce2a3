"""The corpus cache cannot lie: broken, truncated, garbage, swapped or forged entries are rebuilt; runs share it safely."""
import hashlib
import json
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from zhengyan.ingest import cache, pipeline
from zhengyan import load_corpus
from zhengyan.core import paths


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "CACHE", tmp_path / "cache")
    return tmp_path / "cache"


def assert_same(a, b):
    for name in ("documents", "tokens", "sentences", "audit", "problems"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


def only_part(folder):
    parts = cache.CorpusCache(folder).parts()
    assert len(parts) == 1
    return parts[0]


def flip_bytes(path):
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle: middle + 8] = bytes(b ^ 0xFF for b in data[middle: middle + 8])
    path.write_bytes(bytes(data))


def truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def garbage(path):
    path.write_bytes(b"PAR1 not a parquet file at all PAR1")


def bad_manifest(path):
    (path.parent / "manifest.json").write_text('{"format": 1, "files": ', encoding="utf-8")


def forged_text(path):
    """A consistent entry (checksums updated) whose clean text is not the one its hash was made from."""
    part = path.parent
    docs = pd.read_parquet(part / "documents.parquet")
    docs.loc[0, "text"] = docs.loc[0, "text"].replace("党", "兑")
    docs.to_parquet(part / "documents.parquet", index=False)
    manifest = json.loads((part / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["documents"]["sha256"] = hashlib.sha256((part / "documents.parquet").read_bytes()).hexdigest()
    (part / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize("damage, table, message", [
    (flip_bytes, "tokens", "does not match its checksum"),
    (truncate, "tokens", "does not match its checksum"),
    (truncate, "documents", "does not match its checksum"),
    (garbage, "sentences", "does not match its checksum"),
    (bad_manifest, "audit", "manifest unreadable"),
    (forged_text, "documents", "does not match its hash"),
])
def test_a_damaged_entry_is_discarded_and_rebuilt(speech_folder, private_cache, damage, table, message):
    reference = load_corpus(speech_folder, cache=False)
    assert_same(load_corpus(speech_folder), reference)
    part = only_part(speech_folder)
    damage(part / f"{table}.parquet")
    with pytest.warns(RuntimeWarning, match=message):
        assert_same(load_corpus(speech_folder), reference)
    assert not part.exists()
    rebuilt = only_part(speech_folder)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the rebuilt entry is healthy: no warning the next time
        assert_same(load_corpus(speech_folder), reference)
    assert only_part(speech_folder) == rebuilt


def _parts_of_two_corpora(speech_folder, tmp_path):
    """The uncached tables of ``speech_folder``, its cache part, and the cache part of another corpus."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("全面从严治党永远在路上。\n", encoding="utf-8")
    load_corpus(other)
    reference = load_corpus(speech_folder, cache=False)
    load_corpus(speech_folder)
    mine, theirs = only_part(speech_folder), only_part(other)
    return reference, mine, theirs


def test_a_table_swapped_in_from_another_corpus_is_refused(speech_folder, private_cache, tmp_path):
    reference, mine, theirs = _parts_of_two_corpora(speech_folder, tmp_path)
    (mine / "tokens.parquet").write_bytes((theirs / "tokens.parquet").read_bytes())  # valid Parquet, wrong entry
    with pytest.warns(RuntimeWarning, match="tokens.parquet does not match its checksum"):
        assert_same(load_corpus(speech_folder), reference)


def test_a_whole_foreign_part_is_not_used(speech_folder, private_cache, tmp_path):
    reference, mine, theirs = _parts_of_two_corpora(speech_folder, tmp_path)
    import shutil

    shutil.rmtree(mine)
    shutil.copytree(theirs, mine)  # internally consistent, but about another document
    assert_same(load_corpus(speech_folder), reference)
    part = only_part(speech_folder)
    manifest = json.loads((part / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["fingerprints"]) == 2 and part != mine


def test_a_changed_document_is_processed_alone(speech_folder, private_cache, monkeypatch):
    load_corpus(speech_folder)
    (speech_folder / "b.txt").write_text("机关党建要抓实。\n", encoding="utf-8")
    processed = []
    real = pipeline.process_batch

    def spy(items, settings):
        processed.extend(raw for _, raw, _ in items)
        return real(items, settings)

    monkeypatch.setattr(pipeline, "process_batch", spy)
    c = load_corpus(speech_folder)
    assert processed == ["机关党建要抓实。\n"]
    assert c.tokens.loc[c.tokens["doc_id"] == "b", "term"].astype(str).tolist() == ["机关党建", "要", "抓实"]
    monkeypatch.setattr(pipeline, "process_batch", real)
    assert_same(c, load_corpus(speech_folder, cache=False))
    assert len(cache.CorpusCache(speech_folder).parts()) == 2  # the first part still serves a.txt


LOAD_AND_DUMP = textwrap.dedent("""
    import pickle, sys
    from pathlib import Path
    from zhengyan.core import paths
    paths.CACHE = Path(sys.argv[1])
    from zhengyan import load_corpus
    c = load_corpus(sys.argv[2], jobs=1)
    tables = {n: getattr(c, n) for n in ("documents", "tokens", "sentences", "audit", "problems")}
    Path(sys.argv[3]).write_bytes(pickle.dumps(tables))
""")


def test_four_loads_at_once_on_a_cold_cache(speech_folder, tmp_path):
    import pickle

    shared = tmp_path / "shared-cache"
    runs = [subprocess.Popen([sys.executable, "-c", LOAD_AND_DUMP, str(shared), str(speech_folder),
                              str(tmp_path / f"run{i}.pkl")], cwd=paths.ROOT, stderr=subprocess.PIPE)
            for i in range(4)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err.decode()
    tables = [pickle.loads((tmp_path / f"run{i}.pkl").read_bytes()) for i in range(4)]
    for other in tables[1:]:
        for name, frame in tables[0].items():
            pd.testing.assert_frame_equal(other[name], frame, obj=name)
    assert not list((shared / "corpora").glob("*/tmp-*"))  # no temporary folder left behind
    assert len(list((shared / "corpora").glob("*/part-*"))) >= 1


def test_a_process_that_exits_right_after_a_load_that_does_not_wait_still_writes_the_cache(speech_folder,
                                                                                           private_cache):
    """The cache is finished while the interpreter exits (no thread pool may start then)."""
    import subprocess
    import sys

    # tables long enough for pyarrow to convert them on threads of its own, unless told not to
    (speech_folder / "a.txt").write_text((speech_folder / "a.txt").read_text(encoding="utf-8") * 100, encoding="utf-8")

    script = ("import sys\nsys.path.insert(0, %r)\nfrom pathlib import Path\nfrom zhengyan.core import paths\n"
              "paths.CACHE = Path(%r)\nfrom zhengyan import load_corpus\nimport time\nfrom zhengyan.ingest import cache\n"
              "store = cache.CorpusCache.store\n"  # a slow disk: the interpreter is exiting while the part is written
              "cache.CorpusCache.store = lambda self, tables: (time.sleep(1), store(self, tables))[1]\n"
              "load_corpus(Path(%r), wait_for_cache=False)\n" % (str(paths.PACKAGE.parent), str(private_cache), str(speech_folder)))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "not written" not in done.stderr
    assert len(cache.CorpusCache(speech_folder).parts()) == 1
    assert sorted(load_corpus(speech_folder).documents["doc_id"]) == ["a", "b"]


def test_a_load_that_does_not_wait_writes_the_cache_in_the_background(speech_folder, private_cache, monkeypatch):
    import threading

    first = load_corpus(speech_folder, wait_for_cache=False)
    for thread in threading.enumerate():  # the cache's writer (joined by the interpreter at exit)
        if thread.name.startswith("corpus-cache"):
            thread.join()
    processed = []
    real = pipeline.process_batch

    def spy(items, settings):
        processed.extend(items)
        return real(items, settings)

    monkeypatch.setattr(pipeline, "process_batch", spy)
    again = load_corpus(speech_folder)
    assert processed == []  # every document read back from the part written in the background
    assert len(cache.CorpusCache(speech_folder).parts()) == 1
    assert_same(first, again)
