"""Hostile corpus folders: special files, links that lead away or in circles, deep trees, names in any bytes.

Each case builds its own folder in ``tmp_path`` and checks what is read, what is named (file and reason) and that
nothing hangs: every call that could block on a FIFO or a device runs under an alarm, so a regression fails the test
instead of hanging the suite. One function, :func:`reading.corpus_files`, decides which files make a corpus; the
reader, both fingerprints and the cache go through it.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from zhengyan.ingest import cache, reading
from zhengyan.core import paths
from zhengyan.present import render
from zhengyan import export as export_module

SPEECH = "同志们：\n我们要坚持三会一课制度。全面从严治党永远在路上！\n"
TEXT = "加强机关党建，落实三会一课制度。全面从严治党，服务发展大局，推进党的建设。"


def corpus_at(folder: Path, files: dict | None = None) -> Path:
    """A corpus folder holding ``files`` (name: text or bytes; names may be bytes too)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (files or {"a.txt": SPEECH}).items():
        path = folder / (os.fsdecode(name) if isinstance(name, bytes) else name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


@contextlib.contextmanager
def deadline(seconds: int = 20):
    """Fail (instead of hanging) when the body blocks for longer than ``seconds`` (a walk that never ends)."""
    def expire(signum, frame):
        raise TimeoutError(f"still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def read(folder: Path, recursive: bool = False):
    """The corpus as read, and every consumer of the file list run once over it, under an alarm."""
    with deadline():
        raw = reading.read_folder(folder, recursive=recursive)
        export_module.corpus_fingerprint(folder, recursive=recursive)
        render.corpus_fingerprint(folder)
    return raw


#: Address space of a child process: the package needs about 1.6 GB; reading /dev/zero whole would take it all.
CHILD_MEMORY = 4 << 30


def limited():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


def run_apart(code: str, *args: str | bytes, timeout: int = 60) -> subprocess.CompletedProcess:
    """``code`` run in a child process with a time and a memory limit: a read that blocks on a FIFO, or reads a
    device without end, fails the test instead of hanging it or filling the machine's memory."""
    return subprocess.run([sys.executable, "-c", code, *args], cwd=paths.ROOT, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limited, env={**os.environ, "PYTHONPATH": str(paths.PACKAGE.parent)})


READ_APART = """
import json, sys
from pathlib import Path
from zhengyan import export
from zhengyan.ingest import reading
from zhengyan.present import render
folder, recursive = Path(sys.argv[1]), sys.argv[2] == "1"
raw = reading.read_folder(folder, recursive=recursive)
export.corpus_fingerprint(folder, recursive=recursive)
render.corpus_fingerprint(folder)
print(json.dumps({"documents": [d.doc_id for d in raw.documents],
                  "problems": {p.file: [p.severity, p.problem] for p in raw.problems}}))
"""


def read_apart(folder: Path, recursive: bool = False) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """The doc_ids and the named files (file: (severity, problem)) of ``folder``, read in a child process
    (:func:`run_apart`) by the reader and both fingerprints."""
    done = run_apart(READ_APART, os.fsencode(folder), "1" if recursive else "0")
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout)
    return found["documents"], {file: tuple(why) for file, why in found["problems"].items()}


def named(raw) -> dict[str, tuple[str, str]]:
    return {p.file: (p.severity, p.problem) for p in raw.problems}


# --------------------------------------------------------------------------- special files: never opened
def test_a_fifo_is_named_and_never_opened(tmp_path):
    corpus = corpus_at(tmp_path / "c")
    os.mkfifo(corpus / "pipe.txt")
    documents, problems = read_apart(corpus)
    assert documents == ["a"]
    assert problems == {"pipe.txt": ("error", "not a regular file but a named pipe (FIFO): left out, never opened")}


def test_a_link_to_a_fifo_inside_the_corpus_is_named(tmp_path):
    corpus = corpus_at(tmp_path / "c")
    os.mkfifo(corpus / "pipe")  # not a .txt name: not a document, not named
    (corpus / "l.txt").symlink_to(corpus / "pipe")
    documents, problems = read_apart(corpus)
    assert documents == ["a"]
    severity, problem = problems["l.txt"]
    assert problem.startswith("not a regular file but a named pipe (FIFO) (through a symbolic link to ")


@pytest.mark.parametrize("target", ["fifo", "/dev/zero", "/dev/null"])
def test_a_link_to_a_special_file_outside_is_named_and_never_opened(tmp_path, target):
    if target == "fifo":
        target = tmp_path / "fifo"
        os.mkfifo(target)
    corpus = corpus_at(tmp_path / "c")
    (corpus / "z.txt").symlink_to(target)
    documents, problems = read_apart(corpus)
    assert documents == ["a"]
    assert problems == {"z.txt": ("error", f"symbolic link to {target}, outside the corpus folder; left out (copy "
                                             f"the file in to read it)")}


def test_a_socket_is_named(tmp_path):
    corpus = corpus_at(tmp_path / "c")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(corpus / "s.txt"))
        documents, problems = read_apart(corpus)
    finally:
        server.close()
    assert problems == {"s.txt": ("error", "not a regular file but a socket: left out, never opened")}


def test_a_file_swapped_for_a_fifo_after_the_listing_is_refused_without_blocking(tmp_path):
    """The files are checked again once open: one that became a FIFO or a device since the listing is refused."""
    os.mkfifo(tmp_path / "late.txt")
    code = ("import sys\nfrom zhengyan.ingest import reading\n"
            "for read in (reading.read_file, reading.file_sha256, reading.open_regular):\n"
            "    for path in sys.argv[1:]:\n"
            "        try:\n            read(path)\n"
            "        except reading.UnreadableFile as exc:\n            print(exc)\n")
    done = run_apart(code, str(tmp_path / "late.txt"), "/dev/zero")
    assert done.stdout.splitlines() == 3 * ["not a regular file but a named pipe (FIFO): left out, never read",
                                            "not a regular file but a character device: left out, never read"]


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero"])
def test_a_special_metadata_csv_is_named_and_not_read(tmp_path, kind):
    corpus = corpus_at(tmp_path / "c")
    if kind == "fifo":
        os.mkfifo(corpus / "metadata.csv")
    else:
        (corpus / "metadata.csv").symlink_to("/dev/zero")
    documents, problems = read_apart(corpus)
    assert documents == ["a"]
    severity, problem = problems["metadata.csv"]
    assert problem.startswith("metadata.csv not read: ")
    assert ("named pipe" if kind == "fifo" else "outside the corpus folder") in problem


# --------------------------------------------------------------------------- binary from the first bytes
def test_a_large_sparse_file_is_named_binary_from_its_first_bytes(tmp_path):
    corpus = corpus_at(tmp_path / "c")
    size = 200 * 2 ** 20
    with open(corpus / "big.txt", "wb") as fh:
        fh.truncate(size)  # 200 MB of zeros that take no disk
    documents, problems = read_apart(corpus)
    assert documents == ["a"]
    severity, problem = problems["big.txt"]
    head = reading.HEAD_BYTES
    assert (severity, problem) == ("error", f"binary file ({head} zero bytes in {head}), judged from its first "
                                            f"{head:,} bytes of {size:,}: not read further")


def test_a_long_text_cut_inside_a_character_by_the_first_bytes_is_read_whole(tmp_path):
    """UTF-16 without a mark whose first bytes end inside a surrogate pair is text, not binary."""
    half = reading.HEAD_BYTES // 2 - 1  # characters before the pair: its first half ends the first bytes
    base = (TEXT * (reading.HEAD_BYTES // len(TEXT)))[:half]
    text = base + "\U00020000" + TEXT * 40
    corpus = corpus_at(tmp_path / "c", {"wide.txt": text.encode("utf-16-le")})
    raw = read(corpus)
    assert raw.problems == []
    assert raw.documents[0].encoding == "utf-16-le"
    assert raw.documents[0].text == text


# --------------------------------------------------------------------------- walks: own tree, loops, depth
def count_listings(monkeypatch) -> list[str]:
    """Every folder ``os.scandir`` lists from now on."""
    listed = []
    real = os.scandir

    def scandir(path="."):
        listed.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return listed


@pytest.mark.parametrize("recursive", [False, True])
def test_a_link_to_the_root_is_named_and_never_walked(tmp_path, monkeypatch, recursive):
    corpus = corpus_at(tmp_path / "c")
    (corpus / "root").symlink_to("/")
    listed = count_listings(monkeypatch)
    raw = read(corpus, recursive)
    assert [d.doc_id for d in raw.documents] == ["a"]
    assert named(raw) == {"root/": ("warning", "symbolic link to the folder /, the corpus folder or a folder above "
                                               "it (a loop); not followed")}
    assert set(listed) == {str(corpus)}  # the corpus folder only: nothing below the link was listed


@pytest.mark.parametrize("link, where", [("..", "the corpus folder or a folder above it (a loop)"),
                                         (".", "the corpus folder or a folder above it (a loop)"),
                                         ("sub", "inside the corpus folder (its files are read there)"),
                                         ("../elsewhere", "outside the corpus folder")])
def test_links_to_folders_are_never_followed(tmp_path, link, where):
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, "sub/b.txt": TEXT})
    corpus_at(tmp_path / "elsewhere", {"x.txt": TEXT})
    (corpus / "link").symlink_to(link)
    raw = read(corpus, recursive=True)
    assert [d.doc_id for d in raw.documents] == ["a", "sub/b"]  # sub/b once, never again as link/b
    severity, problem = named(raw)["link/"]
    assert severity == "warning"
    assert problem.startswith("symbolic link to the folder ") and problem.endswith(f"{where}; not followed")


def test_a_sub_folder_not_read_is_counted_from_its_direct_entries(tmp_path, monkeypatch):
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, "2020/b.txt": TEXT, "2020/B2.TXT": TEXT,
                                        "2020/deeper/c.txt": TEXT, "2020/.hidden.txt": TEXT, "2021/notes.md": "x"})
    listed = count_listings(monkeypatch)
    raw = reading.read_folder(corpus)
    assert [d.doc_id for d in raw.documents] == ["a"]
    assert named(raw) == {"2020/": ("warning", "sub-folder with 2 .txt files and 1 sub-folder not read (read them "
                                               "with recursive=True, or --recursive)")}
    assert str(corpus / "2020" / "deeper") not in listed


def test_the_walk_stops_at_the_depth_limit_with_a_warning(tmp_path):
    limit = reading.MAX_DEPTH
    deepest = "/".join(["d"] * limit)
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, f"{deepest}/last.txt": TEXT,
                                        f"{deepest}/d/too_deep.txt": TEXT})
    raw = read(corpus, recursive=True)
    assert [d.doc_id for d in raw.documents] == ["a", f"{deepest}/last"]
    assert named(raw) == {f"{deepest}/d/": ("warning", f"deeper than {limit} levels of sub-folders; not read")}


def test_a_tree_deeper_than_path_max_gives_one_line(tmp_path, capsys):
    corpus = corpus_at(tmp_path / "c")
    fd = os.open(corpus, os.O_RDONLY)
    for _ in range(25):  # 25 levels of 200 characters: more than PATH_MAX (4096), fewer than MAX_DEPTH levels
        os.mkdir("d" * 200, dir_fd=fd)
        inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    raw = read(corpus, recursive=True)
    assert [d.doc_id for d in raw.documents] == ["a"]
    [problem] = raw.problems
    assert problem.severity == "warning"
    assert problem.problem.startswith("sub-folder not read: its path is longer than the system allows (PATH_MAX")
    assert "…" in problem.file and len(problem.file) < 250  # named by its two ends, not 4,000 characters
    reading.report(raw.problems)
    assert len(capsys.readouterr().err.splitlines()) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists folders whatever their permissions")
def test_a_sub_folder_that_cannot_be_listed_is_named(tmp_path):
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, "closed/b.txt": TEXT})
    (corpus / "closed").chmod(0)
    try:
        raw = read(corpus, recursive=True)
    finally:
        (corpus / "closed").chmod(0o755)
    assert named(raw) == {"closed/": ("warning", "sub-folder not read: Permission denied")}


# --------------------------------------------------------------------------- names in any bytes
def test_a_file_name_that_is_not_utf8_is_read_with_an_escaped_doc_id(tmp_path):
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, b"\xd5\xfe\xb8\xae.txt": TEXT})  # 政府 in GBK
    raw = read(corpus)
    assert [d.doc_id for d in raw.documents] == ["a", "\\xd5\\xfe\\xb8\\xae"]  # in the order of the names' bytes
    assert named(raw) == {"\\xd5\\xfe\\xb8\\xae.txt": (
        "warning", "name is not valid UTF-8: read as doc_id '\\\\xd5\\\\xfe\\\\xb8\\\\xae' (each byte that is "
                   "not UTF-8 written \\xNN; rename the file to choose another)")}
    problems = pd.DataFrame([vars(p) for p in raw.problems])
    problems.to_csv(tmp_path / "problems.csv", index=False, encoding="utf-8")  # no UnicodeEncodeError
    assert "\\xd5\\xfe\\xb8\\xae.txt" in (tmp_path / "problems.csv").read_text(encoding="utf-8")


def test_two_spellings_of_one_doc_id_keep_the_first_and_name_the_other(tmp_path):
    corpus = corpus_at(tmp_path / "c", {b"\xff.txt": TEXT, "\\xff.txt": SPEECH, "a.txt": SPEECH, "a.TXT": TEXT})
    raw = read(corpus)
    assert [(d.doc_id, d.text) for d in raw.documents] == [("\\xff", SPEECH), ("a", SPEECH)]
    problems = named(raw)
    assert problems["a.TXT"] == ("error", "same doc_id 'a' as a.txt; left out (rename one of them)")
    assert problems["\\xff.txt"][1] == "same doc_id '\\\\xff' as \\xff.txt; left out (rename one of them)"


def test_a_name_too_long_once_escaped_is_named(tmp_path):
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, b"\xff" * 200 + b".txt": TEXT})  # 204 bytes: legal
    raw = read(corpus)
    assert [d.doc_id for d in raw.documents] == ["a"]
    [(name, (severity, problem))] = named(raw).items()
    assert name == "\\xff" * 200 + ".txt"
    assert problem == "name too long once its bytes that are not UTF-8 are escaped (804 bytes, the limit is 255); " \
                      "left out (rename it)"


def test_the_longest_legal_name_is_read(tmp_path):
    name = "长" * 83 + ".txt"  # 253 bytes
    raw = read(corpus_at(tmp_path / "c", {"a.txt": SPEECH, name: TEXT}))
    assert [d.doc_id for d in raw.documents] == ["a", "长" * 83] and raw.problems == []


def test_a_sub_folder_name_that_is_not_utf8_is_read_recursively(tmp_path):
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, b"sub\xff/b.txt": TEXT})
    raw = read(corpus, recursive=True)
    assert [d.doc_id for d in raw.documents] == ["a", "sub\\xff/b"]
    assert list(named(raw)) == ["sub\\xff/b.txt"]


def test_a_corpus_folder_named_in_any_bytes_is_read_fingerprinted_and_cached(tmp_path):
    corpus = corpus_at(tmp_path / os.fsdecode(b"corpus\xff"), {"a.txt": SPEECH})
    raw = read(corpus)
    assert [d.doc_id for d in raw.documents] == ["a"]
    printed = export_module.corpus_fingerprint(corpus)
    assert printed["path"] == f"{tmp_path.resolve()}/corpus\\xff"
    json.dumps(printed, ensure_ascii=False).encode("utf-8")  # the manifest can hold it
    assert cache.corpus_key(corpus).startswith("corpus_-")


def test_control_characters_in_a_name_stay_on_one_line(tmp_path, capsys):
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, "line\nbreak.txt": b"\x00" * 100})
    raw = read(corpus)
    assert named(raw) == {"line\\nbreak.txt": ("error", "binary file (100 zero bytes in 100)")}
    reading.report(raw.problems)
    assert capsys.readouterr().err == "error: line\\nbreak.txt: binary file (100 zero bytes in 100)\n"


# --------------------------------------------------------------------------- which files make a corpus
def test_upper_case_txt_files_are_read_with_their_stem(tmp_path):
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, "B.TXT": TEXT, "c.Txt": TEXT, "d.text": TEXT,
                                        "metadata.csv": "doc_id,year\na,2020\nB,2021\n"})
    raw = read(corpus)
    assert [d.doc_id for d in raw.documents] == ["B", "a", "c"]
    years = raw.metadata.set_index("doc_id")["year"]
    assert years[["B", "a"]].tolist() == [2021, 2020] and pd.isna(years["c"])
    assert named(raw) == {"c.Txt": ("warning", "no row in metadata.csv")}  # named as it is spelt


def test_a_folder_named_like_a_text_file_is_a_folder(tmp_path):
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, "x.txt/b.txt": TEXT})
    raw = read(corpus)
    assert named(raw) == {"x.txt/": ("warning", "sub-folder with 1 .txt file not read (read them with "
                                                "recursive=True, or --recursive)")}
    assert [d.doc_id for d in read(corpus, recursive=True).documents] == ["a", "x.txt/b"]


def test_every_consumer_takes_the_files_of_one_list(tmp_path):
    """The reader, the export's and the render's fingerprints: hidden files and links that leave the corpus
    change none of them, a document does."""
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, "metadata.csv": "doc_id,year\na,2020\n"})
    outside = corpus_at(tmp_path / "elsewhere", {"x.txt": TEXT}) / "x.txt"
    (corpus / "out.txt").symlink_to(outside)
    (corpus / ".hidden.txt").write_text(TEXT, encoding="utf-8")
    listing = reading.corpus_files(corpus)
    assert [p.name for p in listing.files] == ["a.txt"] and listing.metadata == corpus / "metadata.csv"
    assert export_module.corpus_fingerprint(corpus)["files"] == 2  # a.txt and metadata.csv

    def prints():
        return export_module.corpus_fingerprint(corpus)["fingerprint"], render.corpus_fingerprint(corpus)

    before = prints()
    outside.write_text(SPEECH, encoding="utf-8")
    (corpus / ".hidden.txt").write_text(SPEECH, encoding="utf-8")
    assert prints() == before
    (corpus / "a.txt").write_text(TEXT, encoding="utf-8")
    after = prints()
    assert after[0] != before[0] and after[1] != before[1]


def test_the_fingerprint_is_that_of_the_names_and_bytes(tmp_path):
    """The export's fingerprint, recomputed by hand over the two files of a small corpus."""
    import hashlib

    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, b"\xff.txt": TEXT})
    digest = hashlib.sha256()
    for name, content in ((b"a.txt", SPEECH), (b"\xff.txt", TEXT)):
        digest.update(name + b"\0" + hashlib.sha256(content.encode()).hexdigest().encode() + b"\n")
    assert export_module.corpus_fingerprint(corpus)["fingerprint"] == "sha256:" + digest.hexdigest()


# --------------------------------------------------------------------------- the cache after a kill
def test_temporary_cache_folders_of_dead_processes_are_removed(tmp_path):
    store = cache.CorpusCache(corpus_at(tmp_path / "c"), root=tmp_path / "cache")
    store.dir.mkdir(parents=True)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its id is free now
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        names = {"dead": f"tmp-{time.time_ns():020d}-{gone.pid}-0123456789ab",
                 "alive": f"tmp-{time.time_ns():020d}-{alive.pid}-0123456789ab",
                 "mine": f"tmp-{time.time_ns():020d}-{os.getpid()}-0123456789ab",
                 "old": f"tmp-{time.time_ns():020d}-{alive.pid}-ba9876543210",
                 "trash": "trash-0123456789abcdef"}
        for name in names.values():
            (store.dir / name).mkdir()
            (store.dir / name / "documents.parquet").write_bytes(b"half")
        long_ago = time.time() - cache.STALE_AGE - 60  # a process id given again: the folder itself is old
        for path in (store.dir / names["old"], store.dir / names["old"] / "documents.parquet"):
            os.utime(path, (long_ago, long_ago))
        store.load(set())
        left = {p.name for p in store.dir.iterdir()}
    finally:
        alive.kill()
        alive.wait()
    assert left == {names["alive"], names["mine"]}


# --------------------------------------------------------------------------- the whole export, in a subprocess
def test_an_export_of_a_hostile_corpus_finishes_and_names_every_file(tmp_path):
    corpus = corpus_at(tmp_path / "c", {"a.txt": SPEECH, "B.TXT": TEXT, b"\xd5\xfe.txt": TEXT})
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "zero.txt").symlink_to("/dev/zero")
    (corpus / "root").symlink_to("/")
    with open(corpus / "big.txt", "wb") as fh:
        fh.truncate(50 * 2 ** 20)
    script = (f"import sys; from pathlib import Path; from zhengyan.core import paths; "
              f"paths.CACHE = Path({str(tmp_path / 'cache')!r}); from zhengyan.__main__ import main; "
              f"sys.exit(main(sys.argv[1:]))")
    done = run_apart(script, "export", "--corpus", os.fsencode(corpus), "--out", str(tmp_path / "out"), "--jobs", "1",
                     "--recursive", timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    documents = pd.read_csv(tmp_path / "out" / "documents.csv", dtype=str)
    assert sorted(documents["doc_id"]) == ["B", "\\xd5\\xfe", "a"]
    problems = pd.read_csv(tmp_path / "out" / "problems.csv", dtype=str)
    assert set(problems["file"]) >= {"pipe.txt", "zero.txt", "root/", "big.txt", "\\xd5\\xfe.txt"}
