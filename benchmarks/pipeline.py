"""Pipeline benchmark: WARC -> extraction -> Parquet, archivist vs datatrove, same input, same run.

    python benchmarks/pipeline.py [--pages 2000] [--warc FILE | --real-pages DIR] [--repeat 3]

Prints documents/s per core for each, their ratio, each one's peak RSS, the speed-up from 1 to
2 workers, and peak RSS of ours on an input 4x larger. datatrove (WarcReader -> Trafilatura ->
ParquetWriter, its reference pipeline) pins trafilatura 1.x, so it runs from its own virtual
environment (benchmarks/.peers, created on first use from PyPI). Every measured run is a
separate process, started by a small probe process; peak RSS is the largest resident set
reached by any one process of its tree (wait4's ru_maxrss of the run: its own process and the
children it waits for, such as archivist's sandbox worker and datatrove's extraction process;
the probe keeps this benchmark's own size out of it). Each measurement is repeated
(``--repeat``), ours and datatrove's alternating, in an order that flips from one repeat to the
next; medians are printed, and each ratio is the median of the repeats' own ratios. The 1- and
2-worker runs report wall time only: a pool's workers are children of its forkserver, which
wait4 does not count.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
PEERS = HERE / ".peers"

DATATROVE_DRIVER = r'''
import sys
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import WarcReader
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.writers import ParquetWriter
warc_dir, out_dir, log_dir, tasks = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
LocalPipelineExecutor(
    pipeline=[WarcReader(warc_dir, glob_pattern="*.warc.gz"), Trafilatura(favour_precision=True, timeout=5.0),
              ParquetWriter(out_dir)],
    tasks=tasks, workers=tasks, logging_dir=log_dir,
).run()
'''


# Linux carries a process's resident high-water mark across fork and exec: a child forked from
# this process (which has generated the WARCs and imported pyarrow) would report at least this
# process's RSS. Each run is started by a small probe process that reports its rusage instead.
_PROBE = r"""
import os, subprocess, sys
out, argv = sys.argv[1], sys.argv[2:]
proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(proc.pid, 0)
with open(out, "w") as f:
    f.write(f"{ru.ru_maxrss} {ru.ru_utime + ru.ru_stime}")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_measured(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MiB, CPU seconds user+system) of one process tree."""
    # stderr to a file, not a pipe nobody reads: datatrove logs a line per document, and a full
    # pipe would block it forever.
    with tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rusage"
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _PROBE, str(report), *argv], stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, _usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            err.seek(0)
            raise SystemExit(f"{argv[0]} failed: {err.read().decode(errors='replace')[-2000:]}")
        maxrss_kib, cpu = report.read_text().split()
    return wall, int(maxrss_kib) / 1024, float(cpu)


def ensure_peers() -> Path:
    py = PEERS / "bin" / "python"
    if not py.exists():
        print("creating benchmarks/.peers with datatrove (once)...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        # lxml >= 5.2 moved lxml.html.clean out; trafilatura 1.x (via justext) still imports it.
        subprocess.run([str(py), "-m", "pip", "install", "-q", "datatrove[io,processing]", "lxml_html_clean"], check=True)
    # datatrove imports trafilatura in its per-document child process: if that import fails the
    # child dies silently and every document waits out the 5 s timeout (the run then looks hung
    # after the first line). Check the import here, where the error is visible.
    probe = subprocess.run([str(py), "-c", "import trafilatura, datatrove"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise SystemExit(f"datatrove's venv {PEERS} cannot import trafilatura:\n{probe.stderr[-1500:]}"
                         f"\nfix: {py} -m pip install lxml_html_clean")
    return py


def count_rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(f).num_rows for f in folder.rglob("*.parquet") if not f.name.endswith(".rejects.parquet"))


def count_pages(warc_dir: Path) -> int:
    """Response and resource records: the documents both pipelines read."""
    from archivist.warc_reader import iter_records

    return sum(1 for f in sorted(warc_dir.iterdir()) if f.name.endswith((".warc", ".warc.gz"))
               for r in iter_records(f) if getattr(r, "record_type", None) in ("response", "resource"))


def ours(warc_dir: Path, out: Path, workers: int) -> tuple[float, float, int, float]:
    archivist = str(Path(sys.executable).parent / "archivist")
    wall, rss, cpu = run_measured([archivist, "extract", str(warc_dir), "-o", str(out), "--workers", str(workers), "--quiet", "--no-resume"])
    return wall, rss, count_rows(out), cpu


def theirs(peer_py: Path, warc_dir: Path, out: Path, tasks: int) -> tuple[float, float, int, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(DATATROVE_DRIVER)
    try:
        wall, rss, cpu = run_measured([str(peer_py), fh.name, str(warc_dir), str(out), str(out) + "-logs", str(tasks)])
    finally:
        os.unlink(fh.name)
    timeouts = sum(f.read_text(errors="replace").count("Timeout") for f in Path(str(out) + "-logs").rglob("*.log"))
    if timeouts:
        print(f"  (datatrove: {timeouts} documents timed out)")
    return wall, rss, count_rows(out), cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--warc", type=Path, help="use this WARC instead of generating one")
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="measured runs of each (medians are printed; default %(default)s)")
    ap.add_argument("--real-pages", type=Path, metavar="DIR",
                    help="build the WARCs from real HTML pages instead (e.g. shared/bench/extraction/scrapinghub/html)")
    args = ap.parse_args()
    from corpus_gen import make_warc

    work = Path(tempfile.mkdtemp(prefix="archivist-bench-"))
    try:
        small, big = work / "warc1x", work / "warc4x"
        if args.real_pages:
            from corpus_gen import make_warc_from_pages

            def gen(out: Path, n: int, seed: int = 7, prefix: str = "bench") -> list[Path]:
                return make_warc_from_pages(out, args.real_pages, n, seed=seed, prefix=prefix)

            what = f"real pages from {args.real_pages}, cycled"
        else:
            gen = make_warc
            what = "news pages with site chrome; en/de/fr/ru/ja; utf-8, windows-1252/1251, shift_jis"
        if args.warc:
            small.mkdir()
            shutil.copy(args.warc, small)
        else:
            gen(small, args.pages)
        # Two WARC shards of the input's size each, so two workers have two equal shards to share
        # and enough work that the run is not mostly process start-up (a real run is hundreds of
        # 1 GB WARCs; start-up is a constant second or so).
        halves = work / "warc2shards"
        gen(halves, args.pages, seed=7, prefix="half-a")
        gen(halves, args.pages, seed=8, prefix="half-b")
        gen(big, args.pages * 4, seed=9)
        size = sum(f.stat().st_size for f in small.iterdir()) / 1e6
        print(f"input: {args.pages} pages, {size:.1f} MB WARC ({what})")

        peer = None if args.skip_peers else ensure_peers()
        pages_in = count_pages(small)
        # The machine's speed drifts from minute to minute (a shared virtual machine): each
        # measurement is repeated, ours and datatrove's alternating, and medians are reported.
        runs: dict[str, list[tuple[float, float, int, float]]] = {"ours": [], "dt": [], "w1": [], "w2": []}
        # The order flips from one repeat to the next, so that a drift in the machine's speed
        # does not always favour the same side of a ratio.
        for k in range(args.repeat):
            pair = [lambda k=k: runs["ours"].append(ours(small, work / f"ours1-{k}", 1))]
            if peer is not None:
                pair.append(lambda k=k: runs["dt"].append(theirs(peer, small, work / f"dt1-{k}", 1)))
            scaling = [lambda k=k: runs["w1"].append(ours(halves, work / f"ours2b-{k}", 1)),
                       lambda k=k: runs["w2"].append(ours(halves, work / f"ours2-{k}", 2))]
            for step in (pair + scaling) if k % 2 == 0 else (pair[::-1] + scaling[::-1]):
                step()
            for d in work.glob(f"*-{k}*"):
                shutil.rmtree(d, ignore_errors=True)
        _w4, r4, n4, _ = ours(big, work / "ours4x", 1)

        def med(key: str, i: int) -> float:
            return statistics.median(r[i] for r in runs[key])

        rows = [("archivist extract", "ours")] + ([("datatrove (WarcReader>Trafilatura>ParquetWriter)", "dt")] if peer else [])
        # One worker each, so wall docs/s is docs/s per core; docs per CPU-second (the process
        # tree's user+system time) is the same figure undisturbed by other load on the machine.
        # Rates count the documents read (the same for both), not the rows written: datatrove
        # drops a page its extractor returns nothing for, archivist writes a reject instead.
        print(f"\n{'pipeline (1 worker), median of ' + str(args.repeat):52s} {'in':>6s} {'rows':>6s} {'seconds':>8s} "
              f"{'docs/s/core':>12s} {'docs/CPU-s':>11s} {'peak RSS MiB':>13s}")
        for name, key in rows:
            w, r, n, c = med(key, 0), med(key, 1), runs[key][0][2], med(key, 3)
            print(f"{name:52s} {pages_in:6d} {n:6d} {w:8.2f} {pages_in / w:12.1f} {pages_in / c:11.1f} {r:13.0f}")
        # A ratio is taken within each repeat (its two runs were measured one after the other)
        # and the median of those is printed: a ratio of two medians could pair a slow minute of
        # one side with a fast minute of the other.
        def ratios(slow: str, fast: str, i: int = 0) -> list[float]:
            return [a[i] / b[i] for a, b in zip(runs[slow], runs[fast], strict=True)]

        def each(rs: list[float]) -> str:
            return ", ".join(f"{r:.2f}x" for r in rs)

        if peer:
            rs = ratios("dt", "ours")
            print(f"\nratio ours/datatrove docs/s per core: {statistics.median(rs):.2f}x"
                  f" (per CPU-second: {statistics.median(ratios('dt', 'ours', 3)):.2f}x); each run: {each(rs)}")
        print(f"load average during the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        rs = ratios("w1", "w2")
        print(f"speed-up 1 -> 2 workers (2 shards, {runs['w2'][0][2]} docs): {statistics.median(rs):.2f}x"
              f"  (median seconds {med('w1', 0):.2f} -> {med('w2', 0):.2f}); each run: {each(rs)}")
        r1 = med("ours", 1)
        print(f"peak RSS, 1x input: {r1:.0f} MiB; 4x input ({n4} docs): {r4:.0f} MiB ({(r4 / r1 - 1) * 100:+.0f}%)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
