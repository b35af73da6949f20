"""Streaming extract: non-pages become rejects with a reason, revisits resolve across the
folder's WARCs through their CDXJ, and peak memory does not grow with the WARC's size."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq

from archivist.extract import extract_shard
from archivist.hashing import sha1_base32
from archivist.warc_writer import WarcFileWriter, record_id, warc_date
from tests.helpers import article_html
from tests.peak_rss import peak_rss_mib

ARCHIVIST = str(Path(sys.executable).parent / "archivist")
START = datetime(2026, 3, 1, tzinfo=UTC)
PAGE = article_html("Harbour council", [
    "The harbour council met on Tuesday to discuss the future of the old ferry terminal and its workers.",
    "Residents said the plan would change how the waterfront is used for many years to come, for better or worse.",
    "A final vote on the proposal is expected before the end of the season, the chair of the council said.",
]).encode()


def _http(status: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in [*headers, ("Content-Length", str(len(body)))])
    return f"HTTP/1.1 {status}\r\n{head}\r\n".encode() + body


def _exchange(w: WarcFileWriter, url: str, i: int, status: str, headers: list[tuple[str, str]], body: bytes) -> str:
    """A request + response pair as the fetcher writes it; returns the response's record id."""
    date = warc_date(START + timedelta(seconds=i))
    rid = record_id("t-response", url, date)
    w.write([("WARC-Type", "request"), ("WARC-Record-ID", record_id("t-request", url, date)), ("WARC-Date", date),
             ("WARC-Target-URI", url), ("WARC-Concurrent-To", rid), ("Content-Type", "application/http; msgtype=request")],
            f"GET {url} HTTP/1.1\r\nHost: news.example\r\n\r\n".encode())
    w.write([("WARC-Type", "response"), ("WARC-Record-ID", rid), ("WARC-Date", date), ("WARC-Target-URI", url),
             ("Content-Type", "application/http; msgtype=response"), ("WARC-Payload-Digest", "sha1:" + sha1_base32(body))],
            _http(status, headers, body))
    return rid


def _writer(folder: Path, prefix: str) -> WarcFileWriter:
    return WarcFileWriter(out_dir=folder, prefix=prefix, timestamp=START, info=[("isPartOf", "test")], max_bytes=1 << 30)


def test_non_pages_are_rejects_with_reasons(tmp_path: Path) -> None:
    w = _writer(tmp_path / "in", "fetched")
    _exchange(w, "https://news.example/robots.txt", 0, "200 OK", [("Content-Type", "text/plain")], b"User-agent: *\nAllow: /\n")
    _exchange(w, "https://news.example/old", 1, "301 Moved Permanently",
              [("Location", "https://news.example/story"), ("Content-Type", "text/html")], b"<a href=/story>moved</a>")
    _exchange(w, "https://news.example/gone", 2, "404 Not Found", [("Content-Type", "text/html")], b"<h1>Not found</h1>")
    _exchange(w, "https://news.example/story", 3, "200 OK", [("Content-Type", "text/html; charset=utf-8")], PAGE)
    w.close()
    [warc] = [p for p in w.files if p.name.endswith(".warc.gz")]
    rep = extract_shard(warc, tmp_path / "out", limits=None)

    rows = pq.read_table(rep.outputs[0]).to_pylist()
    assert [r["url"] for r in rows] == ["https://news.example/story"]
    assert "harbour council" in rows[0]["text"].lower()
    reasons = {r.url: r.reason for r in rep.rejects}
    assert reasons == {"https://news.example/robots.txt": "robots-txt",
                       "https://news.example/old": "http-status-301",
                       "https://news.example/gone": "http-status-404"}
    assert all(r.stage == "extract" for r in rep.rejects)
    assert rep.counts["captures_skipped"] == 3
    assert rep.counts["request_records"] == 4 and rep.counts["warcinfo_records"] == 1
    rejects = pq.read_table(rep.outputs[1]).to_pylist()
    assert sorted(r["reason"] for r in rejects) == ["http-status-301", "http-status-404", "robots-txt"]


def _revisit_pair(folder: Path) -> tuple[Path, Path]:
    """a-*.warc.gz holds a page; b-*.warc.gz holds a revisit of it (identical-payload-digest)."""
    url = "https://news.example/story"
    wa = _writer(folder, "a")
    orig_id = _exchange(wa, url, 0, "200 OK", [("Content-Type", "text/html; charset=utf-8")], PAGE)
    wa.close()
    wb = _writer(folder, "b")
    date = warc_date(START + timedelta(days=1))
    wb.write([("WARC-Type", "revisit"), ("WARC-Record-ID", record_id("t-revisit", url, date)), ("WARC-Date", date),
              ("WARC-Target-URI", url), ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"),
              ("WARC-Refers-To", orig_id), ("WARC-Refers-To-Target-URI", url), ("WARC-Refers-To-Date", warc_date(START)),
              ("WARC-Payload-Digest", "sha1:" + sha1_base32(PAGE)), ("Content-Type", "application/http; msgtype=response")],
             b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n")
    wb.close()
    [a] = [p for p in wa.files if p.name.endswith(".warc.gz")]
    [b] = [p for p in wb.files if p.name.endswith(".warc.gz")]
    return a, b


def test_revisit_resolved_from_another_warc_of_the_folder(tmp_path: Path) -> None:
    a, b = _revisit_pair(tmp_path / "in")
    assert Path(str(a) + ".cdxj").is_file() and Path(str(b) + ".cdxj").is_file()
    orig = pq.read_table(extract_shard(a, tmp_path / "out", limits=None).outputs[0]).to_pylist()
    rep = extract_shard(b, tmp_path / "out", limits=None)
    assert rep.rejects == []
    assert rep.counts["revisits_resolved_cross_file"] == 1
    [row] = pq.read_table(rep.outputs[0]).to_pylist()
    assert row["text"] == orig[0]["text"] and "harbour council" in row["text"].lower()
    assert row["warc_filename"] == b.name  # provenance is the revisit's own record
    assert row["payload_sha256"] == orig[0]["payload_sha256"]

    # Without the other file's index the original cannot be found: a reject, not a guess.
    Path(str(a) + ".cdxj").unlink()
    rep = extract_shard(b, tmp_path / "out2", limits=None)
    assert [r.reason for r in rep.rejects] == ["revisit-original-missing"]
    assert pq.read_metadata(rep.outputs[0]).num_rows == 0


def _peak_rss_mib(argv: list[str], report: Path) -> float:
    # Under the probe: a child forked from this (large) test process would report its RSS.
    code, rss = peak_rss_mib(argv, report, stdout=subprocess.DEVNULL)
    assert code == 0, argv
    return rss


def _big_pages(folder: Path, n: int) -> None:
    """n fetched pages of about 1.5 MB each (an inline script dwarfs the article, as on many
    news sites): big enough that holding every payload of a WARC would show in peak RSS."""
    w = _writer(folder, "big")
    script = b"<script>var cfg = {" + b",".join(b'"k%d": "%s"' % (j, b"x" * 40) for j in range(30_000)) + b"};</script>"
    for i in range(n):
        body = PAGE.replace(b"</head>", script + b"</head>").replace(b"Harbour council", b"Harbour council %d" % i)
        _exchange(w, f"https://news.example/story/{i}", i, "200 OK", [("Content-Type", "text/html; charset=utf-8")], body)
    w.close()


def test_peak_rss_flat_in_input_size(tmp_path: Path) -> None:
    _big_pages(tmp_path / "x1", 30)
    _big_pages(tmp_path / "x4", 120)
    args = ["extract", "--workers", "1", "--quiet", "--no-resume"]
    r1 = _peak_rss_mib([ARCHIVIST, *args, str(tmp_path / "x1"), "-o", str(tmp_path / "o1")], tmp_path / "rss1")
    r4 = _peak_rss_mib([ARCHIVIST, *args, str(tmp_path / "x4"), "-o", str(tmp_path / "o4")], tmp_path / "rss4")
    assert pq.read_metadata(next((tmp_path / "o4").glob("big-*0.parquet"))).num_rows == 120
    assert r4 <= 1.25 * r1, f"peak RSS {r1:.0f} MiB at 1x, {r4:.0f} MiB at 4x"


def test_robots_txt_is_told_from_the_parsed_path_only() -> None:
    from types import SimpleNamespace

    from archivist.extract import _skip_reason

    def reason(uri: str | None) -> str | None:
        return _skip_reason(SimpleNamespace(target_uri=uri, record_type="response", http_status=200))  # type: ignore[arg-type]

    for uri in ("http://a.example/robots.txt", "http://a.example/robots.txt?x=1", " http://a.example/robots.txt",
                "http://a.example/rob\tots.txt", "http://a.example/robots\n.txt"):  # urlsplit drops tabs and line breaks
        assert reason(uri) == "robots-txt", uri
    for uri in ("http://a.example/x/robots.txt", "http://a.example/robots.txt.html", "http://[::1/robots.txt",
                "http://a.example/", None):
        assert reason(uri) is None, uri
