"""Lines a site repeats on many pages are removed by the run-level pass, and only those."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq

import archivist
from tests.helpers import article_html

TOPICS = ["harbour", "school", "bridge", "museum", "market", "railway", "orchard", "theatre"]
PROMO = "Subscribe to the Morning Ledger for the day's top stories, delivered before breakfast."


def _corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    with (folder / "pages.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "url", "captured_at"])
        for i, topic in enumerate(TOPICS):
            paras = [
                f"The {topic} committee met on Tuesday to discuss a plan that would change how the {topic} is run.",
                f"Residents who use the {topic} every week said they had not been asked about the proposal at all.",
                PROMO,
            ]
            if i < 2:  # a quote two pages share is content, not boilerplate
                paras.insert(1, "“We will listen to every resident before anything is decided,” the mayor said on Monday.")
            (folder / f"{topic}.html").write_text(article_html(f"The {topic} plan", paras))
            w.writerow([f"{topic}.html", f"https://ledger.example/{topic}", f"2026-02-{i + 1:02d}T09:00:00Z"])
    return folder / "pages.csv"


def test_sitewide_lines_are_removed_and_page_specific_text_kept(tmp_path: Path):
    sidecar = _corpus(tmp_path / "pages")
    archivist.api._ingest([str(tmp_path / "pages")], tmp_path / "archives", sidecar=sidecar, corpus_name="s")
    rep = archivist.extract([tmp_path / "archives"], tmp_path / "records")
    assert rep.counts["sitewide_boilerplate_lines"] >= 1
    assert rep.counts["rows_cleaned_of_sitewide_boilerplate"] == len(TOPICS)
    rows = [r for f in (tmp_path / "records").glob("*.parquet") if not f.name.endswith(".rejects.parquet")
            for r in pq.read_table(f).to_pylist()]
    assert len(rows) == len(TOPICS)
    for r in rows:
        assert "Subscribe to the Morning Ledger" not in r["text"]
        assert "committee met on Tuesday" in r["text"]
        assert r["word_count"] == len(r["text"].split())
    assert sum("We will listen to every resident" in r["text"] for r in rows) == 2
    # a second run over the same records (all shards resumed) changes nothing
    before = {f.name: f.read_bytes() for f in (tmp_path / "records").iterdir() if f.suffix == ".parquet"}
    archivist.extract([tmp_path / "archives"], tmp_path / "records")
    after = {f.name: f.read_bytes() for f in (tmp_path / "records").iterdir() if f.suffix == ".parquet"}
    assert before == after


def test_stats_file_is_the_same_as_from_lists_of_keys(tmp_path):
    """The collector keeps each page's keys as one bytes object; the file it writes is the one a
    table of per-page key lists gives, byte for byte (pages without lines and no pages included)."""
    import random

    import pyarrow as pa
    import pyarrow.ipc as ipc

    from archivist import sitewide

    rng = random.Random(3)
    for trial, n in enumerate([0, 1, 7, 120]):
        c = sitewide.StatsCollector()
        for i in range(n):
            lines = ["".join(rng.choice("abc de") for _ in range(rng.randint(0, 25))) for _ in range(rng.randint(0, 30))]
            c.add(f"https://h{rng.randint(0, 2)}.example/{i}", "\n".join(lines))
        got = c.write(tmp_path / f"s{trial}.parquet").read_bytes()
        lists = [[b[k : k + 8] for k in range(0, len(b), 8)] for b in c.lines]
        ref = tmp_path / "ref.arrow"
        with ipc.new_file(str(ref), sitewide._SCHEMA) as w:
            w.write_table(pa.table([c.hosts, c.pages, lists], schema=sitewide._SCHEMA))
        assert got == ref.read_bytes()
