"""The FastWARC reading path gives the same records as warcio's, offsets and lengths included."""

from __future__ import annotations

from pathlib import Path

import pytest

from archivist.warc_reader import SourceRecord, _iter_stream, iter_records
from tests.test_stream_extract import _exchange, _writer

# Damaged files where the two readers legitimately disagree on what is left (FastWARC reports
# repeated offsets; warcio fails): compared elsewhere for clear rejects, not for equality here.
_DAMAGED = {"warcio__example-bad-non-chunked.warc.gz", "warcio__example-wrong-chunks.warc.gz"}


def _by_warcio(path: Path) -> list:
    with path.open("rb") as fh:
        return [vars(x) if isinstance(x, SourceRecord) else (x.offset, x.reason) for x in _iter_stream(fh, path.name, 0)]


def _by_default(path: Path) -> list:
    return [vars(x) if isinstance(x, SourceRecord) else (x.offset, x.reason) for x in iter_records(path)]


def test_same_records_as_warcio_on_our_warcs(tmp_path: Path) -> None:
    w = _writer(tmp_path, "ours")
    for i in range(5):
        _exchange(w, f"https://news.example/{i}", i, "200 OK", [("Content-Type", "text/html")], b"<p>page %d</p>" % i)
    w.close()
    [warc] = [p for p in w.files if p.name.endswith(".warc.gz")]
    fast = _by_default(warc)
    assert len(fast) == 11  # warcinfo + 5 request/response pairs
    assert fast == _by_warcio(warc)
    # Offsets and lengths address each gzip member exactly: they tile the file.
    assert [r["offset"] for r in fast[1:]] == [r["offset"] + r["length"] for r in fast[:-1]]
    assert fast[-1]["offset"] + fast[-1]["length"] == warc.stat().st_size


def test_same_records_as_warcio_on_bench_warcs(shared: Path) -> None:
    files = sorted(p for p in (shared / "bench" / "warc").glob("*.warc.gz") if p.name not in _DAMAGED)
    if not files:
        pytest.skip("no bench WARCs")
    for f in files:
        assert _by_default(f) == _by_warcio(f), f.name
