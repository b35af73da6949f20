"""Per-page sandbox: a page that hangs or explodes becomes a reject and the run goes on.

The inputs are genuinely pathological pages, run through the real worker process: a page with
400,000 paragraphs takes the extractor about 2.5 seconds (so it overruns a 0.5 s deadline), and a
page with 1,200,000 elements needs about 400 MB over the worker's start-up footprint (capped at 200).
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archivist.extractor import NotExtractable
from archivist.sandbox import Limits, PageSandbox, SandboxError
from tests._pipeline import page, rejects, rows_by_url, run

GOOD = page("Ordinary page", ["An ordinary paragraph of news text that any extractor handles quickly and without fuss."] * 3)
# Closed tags: a page of unclosed ones is read flat, quickly and in little memory (see
# maintext.reads_flat).
SLOW = "<html><body>" + "<p>word</p>" * 400_000 + "</body></html>"
HUGE = "<html><body>" + "<p>word</p>" * 1_200_000 + "</body></html>"


@pytest.fixture(scope="module")
def sb() -> Iterator[PageSandbox]:
    with PageSandbox(Limits(timeout=120)) as box:
        yield box


def _worker_footprint_mb(sb: PageSandbox) -> int:
    """Address space of a warmed-up worker (imports and models loaded), to set a cap just above it."""
    sb.extract(GOOD.encode(), "text/html")
    assert sb._proc is not None
    status = Path(f"/proc/{sb._proc.pid}/status").read_text()
    kb = int(next(ln for ln in status.splitlines() if ln.startswith("VmSize:")).split()[1])
    return kb // 1024


def test_timeout_becomes_reject_and_the_run_goes_on(tmp_path: Path) -> None:
    pages = [
        ("a.html", GOOD, "https://s.example/a", "2026-01-01T00:00:00Z"),
        ("slow.html", SLOW, "https://s.example/slow", "2026-01-01T00:00:01Z"),
        ("z.html", GOOD.replace("Ordinary page", "Another ordinary page"), "https://s.example/z", "2026-01-01T00:00:02Z"),
    ]
    _, records, rep = run(tmp_path, pages, limits=Limits(timeout=0.5, memory_mb=1 << 16))
    rows = rows_by_url(records)
    assert set(rows) == {"https://s.example/a", "https://s.example/z"}  # the page after the slow one too
    rej = rejects(records)
    assert [(r["url"], r["stage"], r["reason"]) for r in rej] == [("https://s.example/slow", "extract", "timeout")]
    assert "0.5 s" in rej[0]["detail"]
    assert rep.counts["records_extracted"] == 2


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_AS") or not Path("/proc/self/status").exists(), reason="needs RLIMIT_AS and /proc")
def test_memory_cap_becomes_reject_and_the_run_goes_on(tmp_path: Path, sb: PageSandbox) -> None:
    cap = _worker_footprint_mb(sb) + 200
    pages = [
        ("a.html", GOOD, "https://m.example/a", "2026-01-01T00:00:00Z"),
        ("huge.html", HUGE, "https://m.example/huge", "2026-01-01T00:00:01Z"),
        ("z.html", GOOD.replace("Ordinary page", "Another ordinary page"), "https://m.example/z", "2026-01-01T00:00:02Z"),
    ]
    _, records, _ = run(tmp_path, pages, limits=Limits(timeout=120, memory_mb=cap))
    assert set(rows_by_url(records)) == {"https://m.example/a", "https://m.example/z"}
    rej = rejects(records)
    assert [(r["url"], r["reason"]) for r in rej] == [("https://m.example/huge", "memory-limit")]
    assert f"{cap} MB" in rej[0]["detail"]


def test_worker_is_reused_and_recycled() -> None:
    with PageSandbox(Limits(timeout=60, recycle_every=3)) as box:
        pids = []
        for _ in range(5):
            doc = box.extract(GOOD.encode(), "text/html")
            assert "ordinary paragraph" in doc.text
            assert box._proc is not None
            pids.append(box._proc.pid)
        # one process per 3 pages, not one per page
        assert pids[0] == pids[1] == pids[2] and pids[3] == pids[4] and pids[3] != pids[2]
        assert box.restarts == 1


def test_page_errors_cross_the_process_boundary(sb: PageSandbox) -> None:
    restarts = sb.restarts
    with pytest.raises(NotExtractable) as e:
        sb.extract(b"   ", "text/html")
    assert e.value.reason == "empty-payload"
    with pytest.raises(NotExtractable) as e:
        sb.extract(b"%PDF-1.4", "application/pdf")
    assert e.value.reason == "unsupported-media-type"
    assert sb.restarts == restarts  # a rejected page does not cost a worker


def test_a_crashing_worker_is_reported_and_replaced(sb: PageSandbox) -> None:
    sb.extract(GOOD.encode(), "text/html")
    assert sb._proc is not None
    os.kill(sb._proc.pid, 11)  # the worker dies as a segfaulting parser would
    with pytest.raises(SandboxError) as e:
        sb.extract(GOOD.encode(), "text/html")
    assert e.value.reason == "extractor-crash" and "SIGSEGV" in str(e.value)
    assert "ordinary paragraph" in sb.extract(GOOD.encode(), "text/html").text


def test_a_batch_streams_results_and_the_pages_after_a_timeout_go_to_a_fresh_worker() -> None:
    """One message carries several pages; a slow page in the middle is that page's reject only."""
    from archivist.extractor import ExtractedDoc
    from archivist.sandbox import Job

    other = GOOD.replace("Ordinary page", "Another ordinary page")
    jobs = [Job(GOOD.encode(), "text/html"), Job(SLOW.encode(), "text/html"), Job(b"   ", "text/html"),
            Job(other.encode(), "text/html", url="https://s.example/o")]
    with PageSandbox(Limits(timeout=0.5, memory_mb=1 << 16)) as box:
        box.extract(GOOD.encode(), "text/html")  # started and warm: the deadline is the page's alone
        first = box._proc.pid if box._proc else None
        results = box.extract_many(jobs)
        assert [type(r).__name__ for r in results] == ["ExtractedDoc", "SandboxError", "NotExtractable", "ExtractedDoc"]
        assert isinstance(results[1], SandboxError) and results[1].reason == "timeout"
        assert isinstance(results[2], NotExtractable) and results[2].reason == "empty-payload"
        assert isinstance(results[3], ExtractedDoc) and "ordinary paragraph" in results[3].text
        assert box.restarts == 1 and box._proc is not None and box._proc.pid != first


def test_a_batch_longer_than_the_recycling_period_spans_workers() -> None:
    from archivist.sandbox import Job

    with PageSandbox(Limits(timeout=60, recycle_every=2)) as box:
        results = box.extract_many([Job(GOOD.replace("Ordinary", f"Page {i}").encode(), "text/html") for i in range(5)])
        assert [r.title for r in results] == [f"Page {i} page" for i in range(5)]  # type: ignore[union-attr]
        assert box.restarts == 2  # pages 1-2, 3-4, 5: three workers


def test_a_worker_that_cannot_start_makes_each_page_a_reject(monkeypatch: pytest.MonkeyPatch) -> None:
    """No interpreter at the configured path: every page of the batch gets the error, nothing raises."""
    import sys

    from archivist.sandbox import Job

    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    with PageSandbox(Limits(timeout=5)) as box:
        results = box.extract_many([Job(GOOD.encode(), "text/html"), Job(GOOD.encode(), "text/html")])
    assert [getattr(r, "reason", None) for r in results] == ["extractor-crash", "extractor-crash"]
    assert "could not be started" in str(results[0])


def test_a_batch_longer_than_the_deadline_is_fine_when_each_page_is_within_it() -> None:
    """The deadline is each page's, not the batch's: sixteen pages of 0.1-0.2 s each under a 1 s deadline."""
    from archivist.sandbox import Job

    paced = "<html><body>" + "<p>word</p>" * 30_000 + "</body></html>"
    jobs = [Job(paced.replace("word", f"w{i}", 1).encode(), "text/html") for i in range(16)]
    with PageSandbox(Limits(timeout=1.0, memory_mb=1 << 16)) as box:
        box.extract(GOOD.encode(), "text/html")
        t = time.monotonic()
        results = box.extract_many(jobs)
        took = time.monotonic() - t
        assert [type(r).__name__ for r in results] == ["ExtractedDoc"] * 16, results
        assert box.restarts == 0
    if took < 1.0:
        pytest.skip(f"the batch took {took:.2f} s, within one deadline: nothing shown on this machine")


def test_long_results_and_empty_pages_cross_intact(sb: PageSandbox) -> None:
    """A result far larger than a pipe's buffer, an empty page, and ordinary pages, in one batch."""
    from archivist.sandbox import Job

    words = " ".join(f"word{i}" for i in range(300_000))
    big = f"<html><head><title>Big</title></head><body><p>{words}</p></body></html>"
    results = sb.extract_many([Job(big.encode(), "text/html"), Job(b"", "text/html"), Job(GOOD.encode(), "text/html")])
    assert [type(r).__name__ for r in results] == ["ExtractedDoc", "NotExtractable", "ExtractedDoc"]
    assert results[0].text == words  # type: ignore[union-attr]
    assert results[1].reason == "empty-payload"  # type: ignore[union-attr]
    assert "ordinary paragraph" in results[2].text  # type: ignore[union-attr]


def test_a_worker_started_early_that_dies_before_it_is_ready_is_the_first_pages_reject(monkeypatch: pytest.MonkeyPatch) -> None:
    """start() does not wait for the worker; its death before the hello is reported by the batch."""
    import sys

    from archivist.sandbox import Job

    monkeypatch.setattr(sys, "executable", "/bin/false")  # starts, then exits at once with code 1
    with PageSandbox(Limits(timeout=5)) as box:
        box.start()
        assert box._proc is not None
        results = box.extract_many([Job(GOOD.encode(), "text/html"), Job(GOOD.encode(), "text/html")])
        assert box.restarts == 2  # the early worker, then one for the second page: none started twice
    assert [getattr(r, "reason", None) for r in results] == ["extractor-crash", "extractor-crash"]
    assert all("exit code 1" in str(r) for r in results)


def test_shared_files_grown_past_the_limit_are_emptied_between_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a batch larger than the limit, the page and result files shrink before the next one is written."""
    import archivist.sandbox as sandbox_mod
    from archivist.sandbox import Job

    monkeypatch.setattr(sandbox_mod, "_FILE_KEEP", 1000)  # parent side only: every batch here is "large"
    with PageSandbox(Limits(timeout=60)) as box:
        for round_ in range(3):
            jobs = [Job(GOOD.replace("Ordinary", f"R{round_} p{i}").encode(), "text/html") for i in range(3)]
            results = box.extract_many(jobs)
            assert [r.title for r in results] == [f"R{round_} p{i} page" for i in range(3)]  # type: ignore[union-attr]
        assert box.restarts == 0
