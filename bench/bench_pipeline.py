"""Speed and memory of loading and exporting corpora of 10, 50 and 100 MB (figures, not a test).

Usage: python bench/bench_pipeline.py [--sizes 10,50,100] [--jobs N] [--timeout S] [--export-timeout S]
                                       [--max-rss GB] [--jieba-max MB]
                                       [--source DIR ...]

Builds, deterministically and in a temporary folder, one corpus per size from the reports in
``corpora/prc_reports`` and (when present) the news transcripts at ``NEWS``: their files
taken in name order, again and again, each copy opened by a serial line so that every document is
unique and no cache can serve one for another. Then, for each size, each step in a fresh
subprocess (so each peak is that step's own): the load with an empty corpus cache (cold) and again
(warm), the full export (``zhengyan.export.export``) with an empty corpus cache (cold, load
included), again (warm: an unchanged export is found up to date) and forced (rewritten from the
warm corpus cache), wall time, MB/s, peak resident memory of the step's main process and of all its
processes together (summed as PSS, so pages forked workers share with their parent count once), cache
and export size; and a plain single-process ``jieba.lcut`` loop over the
same files (timed in full up to ``--jieba-max`` MB, beyond that extrapolated from the largest timed
size and marked "est."), with the ratio to the cold load. Last, whether times and memory grow
linearly with size (least-squares line through the sizes, R²); the jieba.lcut loop's MB/s says how fast
the machine was during the run (a shared machine's speed varies, and every figure with it).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "analysis"))

from zhengyan.core import paths  # noqa: E402

#: The daily news transcripts beside the project (copyrighted: never copied in); ``$ZHENGYAN_NEWS`` overrides.
NEWS = Path(os.environ.get("ZHENGYAN_NEWS") or paths.ROOT.parent / "shared" / "corpora" / "xwlb_dev")


#: What each step runs in its subprocess (argv: cache folder, corpus folder, output folder).
STEPS = {
    "load": "from zhengyan import load_corpus; c = load_corpus(CORPUS, jobs=JOBS); n = len(c.tokens)",
    "export": "from zhengyan.export import export; status = export(CORPUS, OUT)\nassert status == 0, status",
    "export_force": ("from zhengyan.export import export; status = export(CORPUS, OUT, force=True)\n"
                     "assert status == 0, status"),
    "segmenter": "from zhengyan.ingest import pipeline; pipeline.Settings.current()",
    "jieba": ("import jieba, logging; jieba.setLogLevel(logging.WARNING); jieba.initialize()\n"
              "from pathlib import Path\n"
              "for p in sorted(Path(CORPUS).glob('*.txt')):\n    jieba.lcut(p.read_text(encoding='utf-8'))"),
}
PRELUDE = ("import sys\nfrom pathlib import Path\nsys.path.insert(0, {root!r})\nfrom zhengyan.core import paths\n"
           "paths.CACHE = Path({cache!r})\nCORPUS, OUT, JOBS = Path({corpus!r}), Path({out!r}), {jobs!r}\n")


def build_corpus(sources: list[Path], folder: Path, megabytes: float) -> tuple[int, int]:
    """Write documents into ``folder`` until it holds ``megabytes``; return (files, bytes)."""
    texts = []
    for source in sources:
        for path in sorted(source.glob("*.txt")):
            texts.append((path.stem, path.read_bytes().decode("utf-8", errors="replace")))
    if not texts:
        raise SystemExit(f"no .txt files in {', '.join(map(str, sources))}")
    folder.mkdir(parents=True)
    target, total, i = int(megabytes * 1e6), 0, 0
    while total < target:
        stem, text = texts[i % len(texts)]
        data = f"第{i:06d}号\n{text}".encode("utf-8")
        (folder / f"{i:06d}_{stem}.txt").write_bytes(data)
        total += len(data)
        i += 1
    return i, total


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _tree_rss(pids: list[int]) -> int:
    """Memory of the processes together: the sum of their proportional set sizes (PSS: a page shared by
    k processes counts 1/k in each), so pages that forked workers share with their parent count once."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) * 1024 for line in fh if line.startswith("Pss:"))
        except (OSError, ValueError, IndexError, StopIteration):
            try:
                with open(f"/proc/{p}/statm") as fh:
                    total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, ValueError, IndexError):
                pass
    return total


def _kill(pids: list[int]) -> None:
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


def run_step(step: str, cache: Path, corpus: Path, out: Path, jobs, timeout: float, max_rss: float = 6e9) -> dict:
    """Run one step in a fresh interpreter; wall time, peak RSS of its main process and of its process tree."""
    code = PRELUDE.format(root=str(ROOT / "analysis"), cache=str(cache), corpus=str(corpus), out=str(out), jobs=jobs) + STEPS[step]
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_tree = [0]
    done = threading.Event()

    stopped = []

    def sample():
        while not done.is_set():
            pids = _tree(proc.pid)
            peak_tree[0] = max(peak_tree[0], _tree_rss(pids))
            if peak_tree[0] > max_rss or time.perf_counter() - start > timeout:
                stopped.append("memory" if peak_tree[0] > max_rss else "time")
                _kill(pids)
                return
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    error = ""
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        if stopped:
            error = (f"stopped above {max_rss / 1e9:.0f} GB" if stopped[0] == "memory"
                     else f"stopped after {timeout:.0f} s")
        else:
            error = lines[-1] if lines else f"exit {proc.returncode}"
    return {"wall": wall, "rss": usage.ru_maxrss * 1024, "tree": peak_tree[0], "error": error}


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def fit(xs: list[float], ys: list[float]) -> str:
    """Least-squares line through (size, value) and its R²."""
    pts = [(x, y) for x, y in zip(xs, ys) if y == y]
    if len(pts) < 3:
        return "too few points"
    n = len(pts)
    mx, my = sum(x for x, _ in pts) / n, sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    slope = sum((x - mx) * (y - my) for x, y in pts) / sxx
    intercept = my - slope * mx
    ss_res = sum((y - intercept - slope * x) ** 2 for x, y in pts)
    ss_tot = sum((y - my) ** 2 for _, y in pts) or 1e-12
    r2 = 1 - ss_res / ss_tot
    verdict = "linear" if r2 >= 0.98 else "not linear"
    return f"{intercept:8.2f} + {slope:7.3f}/MB, R² {r2:.3f} ({verdict})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,100", help="corpus sizes in MB (default 10,50,100)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes of the load (default all cores)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a load is stopped (default 900)")
    parser.add_argument("--export-timeout", type=float, default=300,
                        help="seconds before an export is stopped (default 300)")
    parser.add_argument("--max-rss", type=float, default=6, help="GB of memory above which a step is stopped (default 6)")
    parser.add_argument("--jieba-max", type=float, default=10,
                        help="largest size (MB) whose jieba.lcut loop is timed in full (default 10)")
    parser.add_argument("--source", type=Path, action="append",
                        help="folders the corpora are built from (default: the reports and the news transcripts)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    sources = args.source or [p for p in (paths.PRC_REPORTS, NEWS) if p.is_dir()]
    scratch = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    print(f"sources: {', '.join(map(str, sources))}; {os.cpu_count()} cores; scratch {scratch}")
    print("each step in a fresh process; wall time in s, MB/s of corpus bytes, peak RSS of the main process and peak "
          "memory of all its processes together (PSS: pages shared with forked workers counted once)")
    rows = []
    jieba_rate = None
    # The segmenter's dictionary (jieba's prefix dictionary and the user words' frequencies, built once per
    # lexicon in <cache>/jieba, ~2 s) is built here once and kept in every cold run, as jieba's own
    # dictionary cache is kept for the jieba.lcut loop; a cold run starts with no corpus cache.
    segmenter = scratch / "segmenter-cache"
    run_step("segmenter", segmenter, scratch, scratch / "none", None, 300)
    print("cold: no corpus cache (the segmenter's dictionary, built once per lexicon, is kept); warm: the same run "
          "again (an unchanged export is not rewritten); forced: the export rewritten from the corpus cache")
    try:
        for mb in sizes:
            corpus = scratch / f"corpus-{mb:g}MB"
            n_files, n_bytes = build_corpus(sources, corpus, mb)
            size = n_bytes / 1e6
            print(f"\n== {size:.1f} MB, {n_files} files")
            row = {"MB": size}
            for step, label in (("load", "load cold"), ("load", "load warm"), ("export", "export cold"),
                                ("export", "export warm"), ("export_force", "export forced")):
                cache = scratch / f"cache-{mb:g}-{step.split('_')[0]}"
                out = scratch / f"out-{mb:g}"
                if "cold" in label:
                    shutil.rmtree(cache, ignore_errors=True)
                    shutil.rmtree(out, ignore_errors=True)
                    shutil.copytree(segmenter / "jieba", cache / "jieba")
                if label in ("export warm", "export forced") and row["export cold"]["error"]:
                    row[label] = {"wall": float("nan"), "rss": 0, "tree": 0, "error": "not run (cold export failed)"}
                    print(f"{label:<12} not run: the cold export failed")
                    continue
                r = run_step(step, cache, corpus, out, args.jobs,
                             args.timeout if step == "load" else args.export_timeout, args.max_rss * 1e9)
                row[label] = r
                extra = ""
                if step == "load":
                    extra = f"  cache {size_of(cache / 'corpora') / 1e6:7.1f} MB"
                elif step == "export":
                    extra = f"  export {size_of(out) / 1e6:7.1f} MB"
                status = f"  FAILED: {r['error'][:160]}" if r["error"] else ""
                print(f"{label:<12} {r['wall']:8.2f} s {size / r['wall']:7.2f} MB/s  peak {r['rss'] / 1e9:5.2f} GB "
                      f"(all {r['tree'] / 1e9:5.2f} GB){extra}{status}", flush=True)
            if mb <= args.jieba_max or jieba_rate is None:
                r = run_step("jieba", scratch / "cache-jieba", corpus, scratch / "none", None,
                             max(args.timeout, 3 * size / 0.3))
                jieba_rate = size / r["wall"]
                jieba_time, note = r["wall"], ""
            else:
                jieba_time, note = size / jieba_rate, " est."
            row["jieba"] = jieba_time
            cold = row["load cold"]["wall"]
            print(f"{'jieba.lcut':<12} {jieba_time:8.2f} s{note} {size / jieba_time:7.2f} MB/s  "
                  f"cold load is {jieba_time / cold:.1f}× faster than this loop")
            rows.append(row)
        print("\n== growth with size (value = a + b × MB)")
        xs = [r["MB"] for r in rows]
        for label in ("load cold", "load warm", "export cold", "export warm", "export forced"):
            times = [r[label]["wall"] if not r[label]["error"] else float("nan") for r in rows]
            peaks = [r[label]["tree"] / 1e6 if not r[label]["error"] else float("nan") for r in rows]
            print(f"{label:<12} time: {fit(xs, times)}")
            print(f"{'':<12} peak MB: {fit(xs, peaks)}")
        last = rows[-1]
        if not last["export cold"]["error"]:
            forced = last["export forced"]
            print(f"\n== targets at {last['MB']:.0f} MB: load + full export cold {last['export cold']['wall']:.1f} s "
                  f"(target ≤ 60), unchanged re-run {last['export warm']['wall']:.1f} s (≤ 5), peak "
                  f"{last['export cold']['rss'] / 1e9:.2f} GB main process ({forced['rss'] / 1e9:.2f} GB forced), "
                  f"{last['export cold']['tree'] / 1e9:.2f} GB all processes ({forced['tree'] / 1e9:.2f} GB forced) "
                  f"(≤ 2), cold load {last['jieba'] / last['load cold']['wall']:.1f}× a jieba.lcut loop (≥ 3)")
            print(f"   the jieba.lcut loop ran at {jieba_rate:.2f} MB/s in this run (largest size timed in full): a "
                  f"shared machine's speed varies from run to run, and every figure above with it")
        print("\n" + json.dumps([{k: v for k, v in r.items()} for r in rows], default=str))
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
