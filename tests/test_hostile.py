"""Hostile inputs through the real CLI (ingest -> extract -> publish), in subprocesses with a hard
timeout and a measured peak RSS. Every input is archived or rejected with a reason, the good
pages of the same run still come out as records, no traceback reaches the user, nothing hangs.

The totals land in ``SUMMARY`` and are printed at the end of the session (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from warcio.archiveiterator import ArchiveIterator

from archivist.parquet_io import read_table
from tests.hostile import big_page, bombs, good_pages, hostile_archives, hostile_pages
from tests.peak_rss import probed, read_report

CLI = [sys.executable, "-c", "from archivist.cli import main; main()"]
TIMEOUT = 120.0
# Peak RSS bounds (the max over the CLI process tree, from wait4's rusage, under tests.peak_rss's probe).
# Small inputs: the interpreter with pyarrow/lxml/selectolax loaded is ~250 MB; 600 MB leaves room
# for the 2 MB attribute and 100,000-deep DOM without letting a leak through.
RSS_SMALL_MB = 600
# The 30 MB page: bytes + decoded str (up to 4 bytes/char) + DOM of lxml and lexbor + text, about
# 10-20x the page: 1.5 GB. The gzip bomb must stay under the same bound: it is capped, not inflated.
RSS_BIG_MB = 1536

# archived: the input (a page, or an archive with at least one record copied) is in the corpus WARC;
# rejected: nothing of it is (a reject with its reason). Archive records and extraction are counted too.
SUMMARY: dict[str, int] = {"hostile inputs tried": 0, "archived": 0, "rejected": 0, "crashes": 0, "hangs": 0,
                           "archive records in": 0, "archive records copied": 0, "records extracted": 0,
                           "extract rejects": 0}


@dataclass
class Result:
    cmd: list[str]
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float
    hung: bool

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def run_cli(args: list[str], cwd: Path, timeout: float = TIMEOUT) -> Result:
    """Run the CLI; kill its whole process group at ``timeout``; peak RSS via wait4."""
    out, err = cwd / f".out-{time.monotonic_ns()}", cwd / f".err-{time.monotonic_ns()}"
    report = cwd / f".rss-{time.monotonic_ns()}"
    t0 = time.monotonic()
    with out.open("wb") as fo, err.open("wb") as fe:
        # Under the probe: this test process's own size must not count as the CLI's peak RSS.
        proc = subprocess.Popen(probed(CLI + args, report), cwd=cwd, stdout=fo, stderr=fe, start_new_session=True)
        hung = threading.Event()

        def kill() -> None:
            hung.set()
            os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, _usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    res = Result(args, proc.returncode, out.read_text("utf-8", "replace"), err.read_text("utf-8", "replace"),
                 time.monotonic() - t0, read_report(report)[0], hung.is_set())
    out.unlink()
    err.unlink()
    return res


def check_clean(res: Result, rss_mb: float) -> None:
    """No hang, no crash, no traceback, exit 0/1, memory bounded."""
    if res.hung:
        SUMMARY["hangs"] += 1
    crashed = res.code not in (0, 1) or "Traceback" in res.stderr or "Traceback" in res.stdout
    if crashed:
        SUMMARY["crashes"] += 1
    assert not res.hung, f"{res.cmd} did not finish in {TIMEOUT} s"
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    assert res.code in (0, 1), f"exit {res.code}: {res.stderr[-2000:]}"
    assert res.peak_rss_mb < rss_mb, f"{res.cmd[0]}: peak RSS {res.peak_rss_mb:.0f} MB >= {rss_mb} MB"


def capture_records(warc_dir: Path) -> int:
    """Captures (resource/response/revisit) in our own output WARCs, counted by warcio."""
    n = 0
    for w in sorted(warc_dir.glob("*.warc.gz")):
        with w.open("rb") as fh:
            n += sum(1 for r in ArchiveIterator(fh) if r.rec_type in ("resource", "response", "revisit"))
    return n


def pipeline(tmp: Path, pages: dict[str, Path], archives: dict[str, Path], rss_mb: float,
             extra_extract: list[str] | None = None) -> dict[str, Any]:
    """ingest -> extract -> publish over the given inputs; check the accounting at every stage."""
    page_dirs = sorted({str(p.parent) for p in pages.values()})
    archive_args = [str(p) for p in archives.values()]
    ing = run_cli(["ingest", *page_dirs, *archive_args, "-o", "warcs", "--name", "hostile", "--json"], tmp)
    check_clean(ing, rss_mb)
    rep = ing.json()
    n_inputs = len(pages) + len(archives)
    SUMMARY["hostile inputs tried"] += n_inputs

    # every input accounted for: inputs = pages archived + page rejects + archives read
    assert rep["inputs"] == n_inputs, (rep["inputs"], n_inputs)
    page_rejects = [r for r in rep["rejects"] if Path(r["input"]).name in {p.name for p in pages.values()}]
    assert rep["counts"].get("pages_archived", 0) + len(page_rejects) == len(pages), (rep["counts"], page_rejects)
    for r in rep["rejects"]:
        assert r["reason"] and r["detail"], r
    per_archive = rep.get("archive_inputs", [])
    for st in per_archive:
        assert st["records_in"] == st["archived"] + st["rejected"], st
    seen = {st["input"].split("#")[0] for st in per_archive}
    for a in archive_args:
        assert a in seen, f"{a} not accounted for in archive_inputs"
    archived = rep["counts"].get("pages_archived", 0) + sum(1 for st in per_archive if st["archived"])
    SUMMARY["archived"] += archived
    SUMMARY["rejected"] += n_inputs - archived
    SUMMARY["archive records in"] += sum(st["records_in"] for st in per_archive)
    SUMMARY["archive records copied"] += sum(st["archived"] for st in per_archive)

    ext = run_cli(["extract", "warcs", "-o", "records", "--workers", "2", "--json", *(extra_extract or [])], tmp)
    check_clean(ext, rss_mb)
    erep = ext.json()
    rows = pa.concat_tables([read_table(p) for p in sorted((tmp / "records").glob("*.parquet"))
                             if not p.name.endswith(".rejects.parquet")]).to_pylist()
    extract_rejects = [r for r in erep["rejects"] if r["stage"] == "extract"]
    for r in erep["rejects"]:
        assert r["reason"] and r["detail"], r
    # every capture in the WARCs became a row or an extract reject with a reason
    assert len(rows) + len(extract_rejects) == capture_records(tmp / "warcs"), (len(rows), erep["reject_reasons"])

    SUMMARY["records extracted"] += len(rows)
    SUMMARY["extract rejects"] += len(extract_rejects)
    pub = run_cli(["publish", "records", "--version", "1.0.0", "-o", "releases", "--json"], tmp)
    check_clean(pub, rss_mb)
    assert pub.json()["counts"]["records"] == len(rows)
    print("seconds (ingest, extract, publish):", [round(x.seconds, 1) for x in (ing, ext, pub)],
          "peak RSS MB:", [round(x.peak_rss_mb) for x in (ing, ext, pub)])
    return {"ingest": rep, "extract": erep, "rows": rows, "rss": [ing.peak_rss_mb, ext.peak_rss_mb, pub.peak_rss_mb]}


def test_hostile_pages_and_archives(tmp_path: Path, shared: Path) -> None:
    good = good_pages(tmp_path / "in" / "pages")
    pages = {**good, **hostile_pages(tmp_path / "in" / "pages")}
    archives = hostile_archives(tmp_path / "in" / "archives")
    bench = {p.name: p for p in sorted((shared / "bench" / "warc").iterdir()) if p.suffix not in (".md", ".tsv")}
    out = pipeline(tmp_path, pages, {**archives, **bench}, RSS_SMALL_MB)
    urls = {r["url"] for r in out["rows"]}
    for p in good.values():
        assert any(u.endswith(p.name) for u in urls), f"good page {p.name} lost among hostile inputs"
    # the control archive inside the hostile lot copies and extracts cleanly
    assert {f"https://archived.example/story/{i}" for i in range(100, 104)} <= urls
    # odd names come through as pages with their text, not as crashes
    texts = " ".join(r["text"] for r in out["rows"])
    for word in ("unicode-named", "newline-named", "dash-named", "long-named"):
        assert word in texts, word
    reasons = out["ingest"]["reject_reasons"]
    assert reasons.get("empty-file") == 1 and reasons.get("empty-archive", 0) >= 3, reasons
    for name in ("zero.warc", "zero.warc.gz", "zero.wacz", "zero.arc", "truncated.warc.gz", "bitflipped.warc.gz", "wrong-content-length.warc", "not-a-zip.wacz",
                 "no-archive-dir.wacz", "text-named.warc.gz"):
        assert any(name in r["input"] for r in out["ingest"]["rejects"]), f"{name}: no reject"


def test_huge_page_and_gzip_bombs(tmp_path: Path) -> None:
    good = good_pages(tmp_path / "in" / "pages")
    pages = {**good, "huge-30mb.html": big_page(tmp_path / "in" / "pages")}
    b = bombs(tmp_path / "in" / "bombs")
    pages["bomb.html.gz"] = b.pop("bomb.html.gz")
    # the pages share one folder argument; move the bomb page beside them
    moved = tmp_path / "in" / "pages" / "bomb.html.gz"
    pages["bomb.html.gz"].rename(moved)
    pages["bomb.html.gz"] = moved
    out = pipeline(tmp_path, pages, b, RSS_BIG_MB, extra_extract=["--page-timeout", "60"])
    urls = {r["url"] for r in out["rows"]}
    for p in good.values():
        assert any(u.endswith(p.name) for u in urls)
    assert "https://archived.example/story/901" in urls  # the record after the bomb in the same WARC
    # the content-encoded bomb inside the WARC is rejected, not kept as a page cut at some size
    assert "https://bomb.example/" not in urls
    assert any(r["reason"] == "decompression-bomb" and r["url"] == "https://bomb.example/" for r in out["extract"]["rejects"])
    # the .html.gz bomb is archived as application/gzip and never inflated or parsed as a page
    assert not any(u.endswith("bomb.html.gz") for u in urls)
    assert any(r["reason"] == "unsupported-media-type" and "bomb.html.gz" in (r["url"] or "")
               for r in out["extract"]["rejects"])
    print("peak RSS MB (ingest, extract, publish):", [round(x) for x in out["rss"]])
