"""Scale: the same outputs whatever the executor and worker count, and resume after kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import archivist
from tests.helpers import article_html

ARCHIVIST = str(Path(sys.executable).parent / "archivist")
WORDS = ["harbour", "council", "river", "school", "library", "museum", "bridge", "market", "railway", "festival", "orchard", "theatre", "hospital", "stadium", "tramway", "ferry", "vineyard", "factory", "garden", "observatory"]


def _pages(folder: Path, n: int) -> Path:
    """n distinct article pages (+ a few exact copies) with a sidecar."""
    import csv

    folder.mkdir(parents=True)
    with (folder / "pages.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "url", "captured_at", "license"])
        for i in range(n):
            a, b = WORDS[i % len(WORDS)], WORDS[(i * 7 + 3) % len(WORDS)]
            paras = [
                f"Story {i}: the {a} committee met on day {i} to discuss the future of the {b} and its {i * 3} workers.",
                f"Residents near the {b} said the plan number {i} would change how the {a} is used for years to come.",
                f"The final vote on proposal {i} about the {a} and the {b} is expected before the end of the season.",
                # a site-wide line: the run-level cleaning pass (run in the pool) removes it
                "Subscribe to the Ledger newsletter for the day's top stories, delivered before breakfast.",
            ]
            html = article_html(f"Story {i} about the {a}", paras)
            if i % 10 == 9:
                html = (folder / f"p{i - 1:03d}.html").read_text()  # an exact copy of the previous page
            (folder / f"p{i:03d}.html").write_text(html)
            w.writerow([f"p{i:03d}.html", f"https://news.example/{i}", f"2026-01-{1 + i % 28:02d}T10:00:00Z", "cc-by-4.0"])
    return folder / "pages.csv"


@pytest.fixture(scope="module")
def warcs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale")
    sidecar = _pages(root / "pages", 60)
    # A small rotation size gives several WARC shards from one ingest.
    rep = archivist.api._ingest([str(root / "pages")], root / "archives", sidecar=sidecar,
                                corpus_name="scale", max_bytes=12_000)
    assert len(rep.outputs) >= 5, rep.outputs
    return root / "archives"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name != "_run.json"}


@pytest.fixture(scope="module")
def baseline(warcs: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict]:
    out = tmp_path_factory.mktemp("base") / "records"
    rep = archivist.extract([warcs], out, workers=1)
    assert rep.counts["records_extracted"] == 60
    assert rep.counts["rows_cleaned_of_sitewide_boilerplate"] == 60 and rep.counts["exact_dup_rows_marked"] >= 5
    return _snapshot(out), rep.to_json()


def test_two_workers_give_identical_outputs(warcs: Path, baseline, tmp_path: Path):
    rep = archivist.extract([warcs], tmp_path / "r2", workers=2)
    assert _snapshot(tmp_path / "r2") == baseline[0]
    assert rep.to_json()["counts"]["records_extracted"] == baseline[1]["counts"]["records_extracted"]


@pytest.mark.slow
def test_ray_executor_gives_identical_outputs(warcs: Path, baseline, tmp_path: Path):
    pytest.importorskip("ray")
    from archivist.extract import extract

    extract([warcs], tmp_path / "ray", workers=2, executor="ray")
    assert _snapshot(tmp_path / "ray") == baseline[0]


def _count_done(out: Path) -> int:
    try:
        return len(json.loads((out / "_run.json").read_text())["shards"])
    except (OSError, ValueError, KeyError):
        return 0


@pytest.mark.parametrize("kill_after", ["mid-first-shard", 1, 3])
def test_resume_after_kill_9_equals_an_uninterrupted_run(warcs: Path, baseline, tmp_path: Path, kill_after):
    out = tmp_path / "records"
    out.mkdir()
    # One worker: shards finish one at a time, so the kill lands between them (with a pool, results
    # arrive in input order and a slow first shard releases the others' marks in one burst).
    proc = subprocess.Popen([ARCHIVIST, "extract", str(warcs), "-o", str(out), "--quiet", "-w", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if kill_after == "mid-first-shard":
            if any(out.glob(".*.tmp")) or any(out.glob("*.parquet")):
                break
        elif _count_done(out) >= kill_after:
            break
        time.sleep(0.005)
    killed = proc.poll() is None
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert killed, "the run finished before it could be killed; make the corpus larger"
    assert _count_done(out) < len(list(warcs.glob("*.warc.gz")))

    r = subprocess.run([ARCHIVIST, "extract", str(warcs), "-o", str(out), "--json"], capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    rep = json.loads(r.stdout)
    assert _snapshot(out) == baseline[0]
    assert rep["counts"]["records_extracted"] == baseline[1]["counts"]["records_extracted"]
    assert rep["rejected"] == baseline[1]["rejected"]
    assert not list(out.glob(".*.tmp"))


def test_resumed_run_starts_no_sandbox_but_a_changed_input_is_extracted_again(warcs: Path, baseline, tmp_path: Path):
    """A run over finished shards does not start a sandbox worker ahead of them (its run state
    says there is nothing to extract); when that guess is wrong, because an input changed under
    the same name, the changed shard is extracted all the same."""
    import shutil

    from archivist import sandbox

    inputs = tmp_path / "archives"
    shutil.copytree(warcs, inputs)
    out = tmp_path / "records"
    archivist.extract([inputs], out, workers=1)
    sandbox._close_all()
    rep = archivist.extract([inputs], out, workers=1)
    assert rep.counts["shards_resumed"] == len(list(inputs.glob("*.warc.gz")))
    assert not any(sb._proc is not None for sb in sandbox._shared.values())
    assert _snapshot(out) == baseline[0]

    first, second = sorted(inputs.glob("*.warc.gz"))[:2]
    first.write_bytes(second.read_bytes())  # same name, other pages
    (first.parent / (first.name + ".cdxj")).unlink(missing_ok=True)
    rep = archivist.extract([inputs], out, workers=1)
    assert rep.counts["shards_resumed"] == len(list(inputs.glob("*.warc.gz"))) - 1
    fresh = tmp_path / "fresh"
    archivist.extract([inputs], fresh, workers=1)
    assert _snapshot(out) == _snapshot(fresh)
